/* utils.c — see utils.h. */
#define _GNU_SOURCE
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void
cleanup_freep (void *p)
{
  free (*(void **) p);
}

void
cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

void
cleanup_fclosep (void *f)
{
  FILE **fp = f;
  if (*fp)
    fclose (*fp);
}

void
cleanup_jsonp (json_t **j)
{
  if (*j)
    json_decref (*j);
}

void
strv_free (char **v)
{
  if (v == NULL)
    return;
  for (char **i = v; *i; i++)
    free (*i);
  free (v);
}

void
cleanup_strvp (void *p)
{
  strv_free (*(char ***) p);
}

void *
xmalloc0 (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    abort ();
  return p;
}

void *
xrealloc (void *p, size_t size)
{
  p = realloc (p, size ? size : 1);
  if (p == NULL)
    abort ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *r = strdup (s ? s : "");
  if (r == NULL)
    abort ();
  return r;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return s;
}

int
xopen (const char *path, int flags, mode_t mode, ctrun_error_t *err)
{
  int fd = open (path, flags | O_CLOEXEC, mode);
  if (fd < 0)
    return ctrun_make_error (err, errno, "open `%s`", path);
  return fd;
}

int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      p += n;
      len -= n;
    }
  return 0;
}

int
write_file (const char *path, const char *data, size_t len, ctrun_error_t *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return ctrun_make_error (err, errno, "open `%s`", path);
  if (write_all (fd, data, len) < 0)
    return ctrun_make_error (err, errno, "write `%s` to `%s`", data, path);
  return 0;
}

int
write_file_str (const char *path, const char *data, ctrun_error_t *err)
{
  return write_file (path, data, strlen (data), err);
}

int
create_file (const char *path, const char *data, size_t len, mode_t mode, ctrun_error_t *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return ctrun_make_error (err, errno, "create `%s`", path);
  if (write_all (fd, data, len) < 0)
    return ctrun_make_error (err, errno, "write `%s`", path);
  return 0;
}

int
write_pid_file (const char *path, pid_t pid, ctrun_error_t *err)
{
  char buf[16];
  int n = snprintf (buf, sizeof (buf), "%d", pid);
  return create_file (path, buf, n, 0644, err);
}

int
read_file (const char *path, char **out, size_t *len, ctrun_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t cap = 4096, used = 0;
  cleanup_free char *buf = NULL;

  if (fd < 0)
    return ctrun_make_error (err, errno, "open `%s`", path);
  buf = xmalloc0 (cap);
  for (;;)
    {
      ssize_t n;
      if (used + 1 >= cap)
        buf = xrealloc (buf, cap *= 2);
      n = read (fd, buf + used, cap - used - 1);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return ctrun_make_error (err, errno, "read `%s`", path);
        }
      if (n == 0)
        break;
      used += n;
    }
  buf[used] = '\0';
  if (len)
    *len = used;
  *out = buf;
  buf = NULL;
  return 0;
}

static void
record_created (const char *path, char ***created, size_t *n_created)
{
  if (created == NULL)
    return;
  *created = xrealloc (*created, sizeof (char *) * (*n_created + 2));
  (*created)[(*n_created)++] = xstrdup (path);
  (*created)[*n_created] = NULL;
}

int
mkdir_p (const char *path, mode_t mode, char ***created, size_t *n_created, ctrun_error_t *err)
{
  cleanup_free char *parent = NULL;
  char *slash;

  /* Bottom-up: the common case (the parent exists) costs one mkdir. */
  if (mkdir (path, mode) == 0)
    {
      record_created (path, created, n_created);
      return 0;
    }
  if (errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return ctrun_make_error (err, errno, "mkdir `%s`", path);

  parent = xstrdup (path);
  slash = strrchr (parent, '/');
  while (slash && slash > parent && slash[1] == '\0')
    {
      *slash = '\0';
      slash = strrchr (parent, '/');
    }
  if (slash == NULL || slash == parent)
    return ctrun_make_error (err, ENOENT, "mkdir `%s`", path);
  *slash = '\0';
  if (mkdir_p (parent, mode, created, n_created, err) < 0)
    return -1;
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return ctrun_make_error (err, errno, "mkdir `%s`", path);
  record_created (path, created, n_created);
  return 0;
}

int
send_with_fd (int sock, const void *buf, size_t len, int fd)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  if (fd >= 0)
    {
      struct cmsghdr *cm;
      memset (control, 0, sizeof (control));
      mh.msg_control = control;
      mh.msg_controllen = sizeof (control);
      cm = CMSG_FIRSTHDR (&mh);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (cm), &fd, sizeof (int));
    }
  do
    n = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

ssize_t
recv_with_fd (int sock, void *buf, size_t len, int *fd)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = buf, .iov_len = len };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof (control) };
  struct cmsghdr *cm;
  ssize_t n;

  *fd = -1;
  do
    n = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  for (cm = CMSG_FIRSTHDR (&mh); cm; cm = CMSG_NXTHDR (&mh, cm))
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN (sizeof (int)))
      memcpy (fd, CMSG_DATA (cm), sizeof (int));
  return n;
}

int
sys_pivot_root (const char *new_root, const char *put_old)
{
  return syscall (SYS_pivot_root, new_root, put_old);
}

int
sys_openat2 (int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
  struct open_how how = { .flags = flags, .mode = 0, .resolve = resolve };
  return syscall (SYS_openat2, dirfd, path, &how, sizeof (how));
}

int
sys_pidfd_open (pid_t pid)
{
  return syscall (SYS_pidfd_open, pid, 0);
}

unsigned long long
process_start_time (pid_t pid)
{
  char path[64];
  cleanup_free char *buf = NULL;
  char *p;
  unsigned long long start = 0;

  snprintf (path, sizeof (path), "/proc/%d/stat", pid);
  if (read_file (path, &buf, NULL, NULL) < 0)
    return 0;
  /* comm may hold spaces and parentheses: fields resume after the last ')'. */
  p = strrchr (buf, ')');
  if (p == NULL)
    return 0;
  /* ") S ppid ...": p+1 is the space before field 3; walk to field 22. */
  p++;
  for (int field = 3; field < 22 && p; field++)
    p = strchr (p + 1, ' ');
  if (p)
    start = strtoull (p + 1, NULL, 10);
  return start;
}
