// fd_readdir: creates argv[1] files in the preopen at fd 3, then lists the
// directory with a buffer of argv[2] bytes, resuming from each last whole
// entry's cookie. Prints every name once per line, sorted by the test.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 10;
  size_t bufsize = argc > 2 ? (size_t)atoi(argv[2]) : 4096;
  for (int i = 0; i < count; i++) {
    char name[32];
    snprintf(name, sizeof name, "file-%04d", i);
    __wasi_fd_t fd;
    if (__wasi_path_open(3, 0, name, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd) || __wasi_fd_close(fd)) return 2;
  }
  unsigned char *buf = malloc(bufsize);
  __wasi_dircookie_t cookie = 0;
  int calls = 0;
  for (;;) {
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_fd_readdir(3, buf, bufsize, cookie, &used);
    if (e) {
      printf("readdir errno %d\n", e);
      return 3;
    }
    calls++;
    size_t at = 0;
    int progressed = 0;
    while (at + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + at, sizeof d);
      if (at + sizeof d + d.d_namlen > used) break;  // cut-off entry: resume from it
      printf("%.*s type=%d\n", (int)d.d_namlen, (char *)buf + at + sizeof d, d.d_type);
      at += sizeof d + d.d_namlen;
      cookie = d.d_next;
      progressed = 1;
    }
    if (used < bufsize) break;
    if (!progressed) {
      printf("buffer too small for one entry\n");
      return 4;
    }
  }
  fprintf(stderr, "calls=%d\n", calls);
  return 0;
}
