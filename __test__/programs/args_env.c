// Prints argc, each argument and each environment entry, one per line,
// through stdio (fd_write), so tests can compare them exactly.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("arg[%d]=%s\n", i, argv[i]);
  int n = 0;
  for (char **e = environ; *e; e++) printf("env[%d]=%s\n", n++, *e);
  printf("envc=%d\n", n);
  const char *code = getenv("EXIT_CODE");
  return code ? atoi(code) : 0;
}
