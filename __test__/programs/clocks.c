// Checks the clocks through the raw WASI calls and prints facts that do
// not depend on timing: monotonic never goes back, resolutions are
// positive, cputime advances under work, bad ids are EINVAL. The last line
// is the realtime clock in seconds, for the test to compare with the host.
#include <stdio.h>
#include <wasi/api.h>

static int check(const char *what, int ok) {
  printf("%s: %s\n", what, ok ? "ok" : "FAIL");
  return ok ? 0 : 1;
}

int main(void) {
  int fails = 0;
  __wasi_timestamp_t t, prev = 0, res;
  int mono_ok = 1;
  for (int i = 0; i < 10000; i++) {
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0 || t < prev) mono_ok = 0;
    prev = t;
  }
  fails += check("monotonic non-decreasing", mono_ok);
  for (int id = 0; id < 4; id++) {
    res = 0;
    int rc = __wasi_clock_res_get(id, &res);
    char label[64];
    snprintf(label, sizeof label, "clock %d resolution positive", id);
    fails += check(label, rc == 0 && res > 0 && res <= 1000000000ull);
  }
  __wasi_timestamp_t c0, c1;
  __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &c0);
  volatile unsigned long x = 0;
  for (unsigned long i = 0; i < 30000000ul; i++) x += i;
  (void)x;
  __wasi_clock_time_get(__WASI_CLOCKID_PROCESS_CPUTIME_ID, 1, &c1);
  fails += check("process cputime advances", c1 > c0);
  fails += check("thread cputime readable", __wasi_clock_time_get(__WASI_CLOCKID_THREAD_CPUTIME_ID, 1, &t) == 0 && t > 0);
  fails += check("bad clock id is EINVAL", __wasi_clock_time_get(4, 1, &t) == __WASI_ERRNO_INVAL);
  fails += check("bad clock id res is EINVAL", __wasi_clock_res_get(99, &res) == __WASI_ERRNO_INVAL);
  __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t);
  printf("realtime_s=%llu\n", (unsigned long long)(t / 1000000000ull));
  return fails;
}
