// Reports what fd_fdstat_get, fd_filestat_get and fd_prestat_* say about
// stdio and preopens, and what closing a stdio fd does.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static void show(int fd) {
  __wasi_fdstat_t st;
  __wasi_errno_t rc = __wasi_fd_fdstat_get(fd, &st);
  if (rc) {
    printf("fd %d: fdstat errno %d\n", fd, rc);
    return;
  }
  printf("fd %d: filetype=%d append=%d nonblock=%d write=%d read=%d\n", fd, st.fs_filetype,
         !!(st.fs_flags & __WASI_FDFLAGS_APPEND), !!(st.fs_flags & __WASI_FDFLAGS_NONBLOCK),
         !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE), !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ));
  __wasi_filestat_t fs;
  rc = __wasi_fd_filestat_get(fd, &fs);
  printf("fd %d: filestat errno=%d filetype=%d\n", fd, rc, rc ? -1 : fs.filetype);
}

int main(void) {
  for (int fd = 0; fd < 3; fd++) show(fd);
  for (int fd = 3;; fd++) {
    __wasi_prestat_t pre;
    __wasi_errno_t rc = __wasi_fd_prestat_get(fd, &pre);
    if (rc == __WASI_ERRNO_BADF) {
      printf("prestat scan ends at fd %d\n", fd);
      break;
    }
    char name[256] = {0};
    __wasi_errno_t rc2 = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, pre.u.dir.pr_name_len);
    printf("preopen fd %d: errno=%d name=%s len=%u\n", fd, rc2, name, (unsigned)pre.u.dir.pr_name_len);
    if (pre.u.dir.pr_name_len > 0)
      printf("short buffer errno=%d\n", __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, pre.u.dir.pr_name_len - 1));
    show(fd);
  }
  fflush(stdout);
  printf("close stderr: %d\n", __wasi_fd_close(2));
  __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
  __wasi_size_t n;
  printf("write to closed stderr: %d\n", __wasi_fd_write(2, &iov, 1, &n));
  printf("close closed: %d\n", __wasi_fd_close(2));
  printf("close huge fd: %d\n", __wasi_fd_close(0x7fffffff));
  return 0;
}
