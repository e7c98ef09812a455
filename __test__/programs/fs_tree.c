// A file-system workload through ordinary libc calls, in the preopen
// given as argv[1]: it builds a small tree, moves things around, and
// prints what it sees. The differential test compares its output and the
// resulting tree between runtimes.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

static const char *at(const char *rel) {
  static char buf[2][512];
  static int which;
  which ^= 1;
  snprintf(buf[which], sizeof buf[which], "%s/%s", root, rel);
  return buf[which];
}

static void report(const char *what, int rc) { printf("%s: %s\n", what, rc == 0 ? "ok" : strerror(errno)); }

static void list(const char *rel) {
  DIR *d = opendir(at(rel));
  if (!d) {
    printf("opendir %s: %s\n", rel, strerror(errno));
    return;
  }
  char names[64][64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) snprintf(names[n++], 64, "%s", e->d_name);
  closedir(d);
  qsort(names, n, 64, (int (*)(const void *, const void *))strcmp);
  printf("ls %s:", rel);
  for (int i = 0; i < n; i++) printf(" %s", names[i]);
  printf("\n");
}

static void show(const char *rel) {
  struct stat st;
  if (lstat(at(rel), &st)) {
    printf("stat %s: %s\n", rel, strerror(errno));
    return;
  }
  printf("stat %s: %s size=%lld nlink=%lld\n", rel,
         S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "link" : S_ISREG(st.st_mode) ? "file" : "other",
         S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size, (long long)st.st_nlink);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  snprintf(root, sizeof root, "%s", argv[1]);
  report("mkdir a", mkdir(at("a"), 0755));
  report("mkdir a/b", mkdir(at("a/b"), 0755));
  FILE *f = fopen(at("a/b/notes.txt"), "w");
  for (int i = 0; i < 100; i++) fprintf(f, "line %d\n", i);
  fclose(f);
  f = fopen(at("a/b/notes.txt"), "a");
  fputs("appended\n", f);
  fclose(f);
  show("a/b/notes.txt");
  f = fopen(at("a/b/notes.txt"), "r");
  char line[64];
  fseek(f, -9, SEEK_END);
  printf("tail: %s", fgets(line, sizeof line, f));
  fclose(f);
  report("rename notes -> a/moved", rename(at("a/b/notes.txt"), at("a/moved.txt")));
  report("link", link(at("a/moved.txt"), at("a/b/hard.txt")));
  show("a/moved.txt");
  report("symlink", symlink("../moved.txt", at("a/b/soft")));
  show("a/b/soft");
  int fd = open(at("a/b/soft"), O_RDONLY);
  char buf[8] = {0};
  printf("read through symlink: %zd %.6s\n", read(fd, buf, 6), buf);
  close(fd);
  report("truncate", truncate(at("a/b/hard.txt"), 10));
  show("a/moved.txt");
  report("mkdir a/c", mkdir(at("a/c"), 0755));
  for (int i = 0; i < 5; i++) {
    char name[32];
    snprintf(name, sizeof name, "a/c/f%d", i);
    close(open(at(name), O_CREAT | O_WRONLY, 0644));
  }
  list("a");
  list("a/c");
  report("unlink a/c/f3", unlink(at("a/c/f3")));
  report("rmdir non-empty a/c", rmdir(at("a/c")));
  report("rename dir a/c -> a/d", rename(at("a/c"), at("a/d")));
  report("open missing", open(at("nope/x"), O_RDONLY) < 0 ? -1 : 0);
  report("mkdir existing", mkdir(at("a"), 0755));
  report("unlink dir", unlink(at("a/d")));
  list("a");
  list("a/d");
  return 0;
}
