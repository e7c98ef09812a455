// Prints a line, then traps (unreachable).
#include <stdio.h>

int main(void) {
  printf("about to trap\n");
  fflush(stdout);
  __builtin_trap();
}
