// Prints what wasi-libc's isatty() says of stdin, stdout and stderr (it
// asks fd_fdstat_get for a character device without seek/tell rights).
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int in = isatty(0), out = isatty(1), err = isatty(2);
  printf("isatty %d %d %d\n", in, out, err);
  return 0;
}
