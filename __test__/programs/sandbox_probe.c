// Tries one path operation, named by argv[1], in the preopen at fd 3 and
// prints "errno=<n>" and, for reads, "data=<first line of the file>".
// The test builds the fixture: escapes must fail, inside paths must work.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define DIR 3
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static __wasi_errno_t read_file(__wasi_lookupflags_t flags, const char *path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(DIR, flags, path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
  if (e) return e;
  char buf[128] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n;
  e = __wasi_fd_read(fd, &iov, 1, &n);
  printf("data=%s\n", strtok(buf, "\n") ? buf : "");
  __wasi_fd_close(fd);
  return e;
}

static __wasi_errno_t create_file(__wasi_lookupflags_t flags, const char *path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(DIR, flags, path, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
  if (!e) __wasi_fd_close(fd);
  return e;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *c = argv[1];
  const char *arg = argc > 2 ? argv[2] : "";
  __wasi_errno_t e;
  __wasi_filestat_t st;
  if (!strcmp(c, "read")) e = read_file(FOLLOW, arg);
  else if (!strcmp(c, "read-nofollow")) e = read_file(0, arg);
  else if (!strcmp(c, "create")) e = create_file(FOLLOW, arg);
  else if (!strcmp(c, "stat")) e = __wasi_path_filestat_get(DIR, FOLLOW, arg, &st);
  else if (!strcmp(c, "mkdir")) e = __wasi_path_create_directory(DIR, arg);
  else if (!strcmp(c, "rmdir")) e = __wasi_path_remove_directory(DIR, arg);
  else if (!strcmp(c, "unlink")) e = __wasi_path_unlink_file(DIR, arg);
  else if (!strcmp(c, "rename")) e = __wasi_path_rename(DIR, arg, DIR, argv[3]);
  else if (!strcmp(c, "link")) e = __wasi_path_link(DIR, 0, arg, DIR, argv[3]);
  else if (!strcmp(c, "symlink")) e = __wasi_path_symlink(arg, DIR, argv[3]);
  else if (!strcmp(c, "times")) e = __wasi_path_filestat_set_times(DIR, FOLLOW, arg, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM);
  else if (!strcmp(c, "opendir")) {
    __wasi_fd_t fd;
    e = __wasi_path_open(DIR, FOLLOW, arg, __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN, __WASI_RIGHTS_FD_READ, 0, &fd);
  } else return 2;
  printf("errno=%d\n", e);
  return 0;
}
