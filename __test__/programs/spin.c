// Loops forever making WASI calls, for tests that terminate a worker in
// the middle of start(). Prints "spinning" once so the test knows it began.
#include <stdio.h>
#include <wasi/api.h>

int main(void) {
  printf("spinning\n");
  fflush(stdout);
  __wasi_timestamp_t t;
  for (;;) {
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    __wasi_sched_yield();
  }
}
