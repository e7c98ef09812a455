// Calls WASI functions with pointers and lengths outside linear memory.
// Each must fail with an errno (the test checks EFAULT) and never crash.
// Prints "name=errno" lines.
#include <stdint.h>
#include <stdio.h>
#include <wasi/api.h>

#define HIGH ((void *)0xFFFFFFF0u)
#define BEYOND ((void *)0x7FFFFFF0u)

int main(void) {
  __wasi_size_t n;
  __wasi_timestamp_t t;
  __wasi_ciovec_t good = {(const uint8_t *)"ok\n", 3};
  __wasi_ciovec_t bad_buf = {(const uint8_t *)HIGH, 64};
  __wasi_ciovec_t wrap = {(const uint8_t *)0xFFFFFFFFu, 2};
  printf("fd_write_iovs=%d\n", __wasi_fd_write(1, HIGH, 1, &n));
  printf("fd_write_buf=%d\n", __wasi_fd_write(1, &bad_buf, 1, &n));
  printf("fd_write_wrap=%d\n", __wasi_fd_write(1, &wrap, 1, &n));
  printf("fd_write_nwritten=%d\n", __wasi_fd_write(1, &good, 1, HIGH));
  printf("fd_write_many=%d\n", __wasi_fd_write(1, &good, 0x20000000u, &n));
  printf("fd_read_iovs=%d\n", __wasi_fd_read(0, BEYOND, 1, &n));
  printf("clock_time_get=%d\n", __wasi_clock_time_get(0, 1, HIGH));
  printf("clock_res_get=%d\n", __wasi_clock_res_get(0, BEYOND));
  printf("random_get=%d\n", __wasi_random_get(HIGH, 1024));
  printf("args_sizes_get=%d\n", __wasi_args_sizes_get(HIGH, &n));
  printf("args_get=%d\n", __wasi_args_get(HIGH, HIGH));
  printf("environ_sizes_get=%d\n", __wasi_environ_sizes_get(&n, BEYOND));
  printf("environ_get=%d\n", __wasi_environ_get(BEYOND, BEYOND));
  printf("fd_fdstat_get=%d\n", __wasi_fd_fdstat_get(1, HIGH));
  printf("fd_filestat_get=%d\n", __wasi_fd_filestat_get(1, HIGH));
  printf("fd_prestat_get=%d\n", __wasi_fd_prestat_get(3, HIGH));
  printf("fd_prestat_dir_name=%d\n", __wasi_fd_prestat_dir_name(3, HIGH, 10));
  (void)t;
  return 0;
}
