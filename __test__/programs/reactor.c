// A reactor module (built with -mexec-model=reactor): no _start, exported
// functions that JS calls after initialize().
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int initialized;

// Makes a WASI call, so the constructor cannot be folded at compile time
// and proves imports work during _initialize.
__attribute__((constructor)) static void init(void) {
  __wasi_timestamp_t t;
  initialized = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) == 0 && t > 0 ? 42 : -1;
}

__attribute__((export_name("was_initialized"))) int was_initialized(void) { return initialized; }

// Writes "hello <n>" to stdout and returns the errno of the write.
__attribute__((export_name("say"))) int say(int n) {
  char buf[64];
  int len = snprintf(buf, sizeof buf, "hello %d\n", n);
  __wasi_ciovec_t iov = {(const uint8_t *)buf, (size_t)len};
  __wasi_size_t written;
  return __wasi_fd_write(1, &iov, 1, &written);
}

// Grows memory by `pages` and returns the new size in pages.
__attribute__((export_name("grow"))) int grow(int pages) {
  __builtin_wasm_memory_grow(0, pages);
  return (int)__builtin_wasm_memory_size(0);
}

__attribute__((export_name("quit"))) void quit(int code) { exit(code); }
