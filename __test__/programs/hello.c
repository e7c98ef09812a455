// The sample program: greets the name given as its argument.
#include <stdio.h>

int main(int argc, char **argv) {
  printf("Hello, %s, from WASI on wasi-rs!\n", argc > 1 ? argv[1] : "world");
  return 0;
}
