// random_get: two draws differ, a large draw is balanced, 20,000 small
// draws (served from wasi-rs's pool) are all different and balanced, and a
// zero-length draw succeeds.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define SMALL 20000
static unsigned char a[64], b[64], big[1 << 20], small[SMALL][16];

static int compare16(const void *x, const void *y) { return memcmp(x, y, 16); }

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
  long small_ones = 0;
  for (int i = 0; i < SMALL; i++) {
    if (__wasi_random_get(small[i], 16)) fails++;
    for (int j = 0; j < 16; j++) small_ones += __builtin_popcount(small[i][j]);
  }
  qsort(small, SMALL, 16, compare16);
  int distinct = 1;
  for (int i = 1; i < SMALL; i++) distinct &= memcmp(small[i - 1], small[i], 16) != 0;
  // 2,560,000 bits: about half set (the standard deviation is 800).
  int small_balanced = small_ones > 1270000 && small_ones < 1290000;
  printf("small draws distinct and balanced: %s\n", distinct && small_balanced ? "ok" : "FAIL");
  fails += !(distinct && small_balanced);
  printf("empty draw: %s\n", __wasi_random_get(a, 0) == 0 ? "ok" : "FAIL");
  return fails;
}
