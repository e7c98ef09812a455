// Grows linear memory between I/O calls and writes from the newly added
// pages, so the host must see the new buffer each time.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  int rounds = 8;
  for (int r = 0; r < rounds; r++) {
    // 16 pages (1 MiB) per round, beyond anything malloc has handed out.
    size_t old_pages = __builtin_wasm_memory_grow(0, 16);
    if (old_pages == (size_t)-1) {
      printf("grow failed\n");
      return 1;
    }
    char *fresh = (char *)(old_pages * 65536 + 65536 * 15);
    int len = snprintf(fresh, 64, "round %d from page %zu\n", r, old_pages + 15);
    __wasi_ciovec_t iov = {(const uint8_t *)fresh, (size_t)len};
    __wasi_size_t n;
    __wasi_errno_t rc = __wasi_fd_write(1, &iov, 1, &n);
    if (rc || n != (size_t)len) {
      printf("write failed: %d\n", rc);
      return 2;
    }
  }
  return 0;
}
