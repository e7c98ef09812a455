// Allocates and frees hundreds of MiB between I/O calls: each block grows
// linear memory, is touched once per MiB (touching every page would only
// measure the kernel zeroing pages), a line is written from its last bytes
// (so the host must see the grown memory), and it is freed before the next.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  const size_t mib = 1 << 20;
  const size_t sizes[] = {32 * mib, 96 * mib, 200 * mib, 8 * mib};
  for (int r = 0; r < 4; r++) {
    size_t size = sizes[r];
    char *block = malloc(size);
    if (!block) {
      printf("malloc of %zu MiB failed\n", size / mib);
      return 1;
    }
    for (size_t at = 0; at < size; at += mib) block[at] = (char)('a' + r);
    int len = snprintf(block + size - 64, 64, "round %d: %zu MiB\n", r, size / mib);
    if (write(1, block + size - 64, (size_t)len) != len) return 2;
    free(block);
  }
  return 0;
}
