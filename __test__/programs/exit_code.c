// Exits with the code given as argv[1] through proc_exit, or returns
// normally from main when there is no argument ("return" mode) with
// argv[2] as the code.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

int main(int argc, char **argv) {
  printf("before exit\n");
  fflush(stdout);
  if (argc > 2 && strcmp(argv[1], "return") == 0) return atoi(argv[2]);
  if (argc > 2 && strcmp(argv[1], "raw") == 0) __wasi_proc_exit((uint32_t)strtoul(argv[2], 0, 10));
  if (argc > 1) exit(atoi(argv[1]));
  return 0;
}
