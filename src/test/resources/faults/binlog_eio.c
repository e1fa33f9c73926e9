/* LD_PRELOAD shim for the binlog-failure test: once the file named by HC_BINLOG_FAIL_FLAG
 * exists, write() to a file whose path contains "binlog." fails with EIO, as a failing disk
 * would (beanstalkd's preallocation at start-up goes through). Every other call goes through.
 * Built by the test with cc. */
#include <sys/stat.h>
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static char binlog_fds[65536];
static long writes;

static int failing(void) {
  const char *flag = getenv("HC_BINLOG_FAIL_FLAG");
  struct stat st;
  return flag != NULL && stat(flag, &st) == 0;
}

static void mark(int fd, const char *path) {
  if (fd >= 0 && fd < 65536) {
    binlog_fds[fd] = path != NULL && strstr(path, "binlog.") != NULL;
  }
}

int open(const char *path, int flags, ...) {
  static int (*real)(const char *, int, ...) = NULL;
  if (!real) real = dlsym(RTLD_NEXT, "open");
  mode_t mode = 0;
  if (flags & O_CREAT) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  int fd = real(path, flags, mode);
  mark(fd, path);
  return fd;
}

int open64(const char *path, int flags, ...) {
  static int (*real)(const char *, int, ...) = NULL;
  if (!real) real = dlsym(RTLD_NEXT, "open64");
  mode_t mode = 0;
  if (flags & O_CREAT) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  int fd = real(path, flags, mode);
  mark(fd, path);
  return fd;
}

ssize_t write(int fd, const void *buf, size_t n) {
  static ssize_t (*real)(int, const void *, size_t) = NULL;
  if (!real) real = dlsym(RTLD_NEXT, "write");
  if (fd >= 0 && fd < 65536 && binlog_fds[fd] && failing()) {
    writes++;
    errno = EIO;
    return -1;
  }
  return real(fd, buf, n);
}
