// Copies stdin to stdout in upper case, then reports the byte count on
// stderr. Exercises fd_read to EOF and fd_write on both output streams.
#include <ctype.h>
#include <stdio.h>

int main(void) {
  long n = 0;
  int c;
  while ((c = getchar()) != EOF) {
    putchar(toupper(c));
    n++;
  }
  fflush(stdout);
  fprintf(stderr, "read %ld bytes\n", n);
  return 0;
}
