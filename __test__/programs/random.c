// random_get: two draws differ, a large draw is not all zero, and a
// zero-length draw succeeds.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static unsigned char a[64], b[64], big[1 << 20];

int main(void) {
  int fails = 0;
  if (__wasi_random_get(a, sizeof a) || __wasi_random_get(b, sizeof b)) fails++;
  printf("draws differ: %s\n", memcmp(a, b, sizeof a) ? "ok" : "FAIL");
  fails += !memcmp(a, b, sizeof a);
  if (__wasi_random_get(big, sizeof big)) fails++;
  long ones = 0;
  for (size_t i = 0; i < sizeof big; i++) ones += __builtin_popcount(big[i]);
  // 8 Mi bits, expect about half set.
  int balanced = ones > 4000000 && ones < 4400000;
  printf("large draw balanced: %s\n", balanced ? "ok" : "FAIL");
  fails += !balanced;
  printf("empty draw: %s\n", __wasi_random_get(a, 0) == 0 ? "ok" : "FAIL");
  return fails;
}
