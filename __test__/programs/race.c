// Opens and reads "swap/secret.txt" in the preopen at fd 3 again and again
// while the test keeps swapping "swap" between a symlink to a directory
// inside the preopen and one to a directory outside it. Prints "ready" when
// it starts; stops once it has made at least argv[1] opens and the test has
// created "stop" in the preopen (so the opens all happen while the test is
// swapping, however slow either side runs), or after 20 million opens if
// no stop file ever comes (so a failed test never leaves it running). Then
// prints how many opens read
// the inside file, how many were refused, and how many read the outside
// file (which must be 0).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  long min_opens = argc > 1 ? atol(argv[1]) : 1000;
  long inside = 0, refused = 0, outside = 0, other = 0;
  printf("ready\n");
  fflush(stdout);
  for (long opens = 1;; opens++) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "swap/secret.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == __WASI_ERRNO_NOTCAPABLE || e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOENT) {
      refused++;
    } else if (e) {
      other++;
    } else {
      char buf[16] = {0};
      __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
      __wasi_size_t n;
      if (__wasi_fd_read(fd, &iov, 1, &n)) other++;
      else if (!strncmp(buf, "inside", 6)) inside++;
      else if (!strncmp(buf, "SECRET", 6)) outside++;
      else other++;
      __wasi_fd_close(fd);
    }
    __wasi_filestat_t st;
    if (opens >= min_opens && __wasi_path_filestat_get(3, 0, "stop", &st) == 0) break;
    if (opens >= 20000000) break;
  }
  printf("inside=%ld refused=%ld outside=%ld other=%ld\n", inside, refused, outside, other);
  return 0;
}
