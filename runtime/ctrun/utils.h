/* utils.h — scoped cleanup, small file helpers, raw syscall wrappers. */
#ifndef CTRUN_UTILS_H
#define CTRUN_UTILS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Scoped cleanup: the variable's resource is released when it leaves scope. */
void cleanup_freep (void *p);
void cleanup_closep (int *fd);
void cleanup_fclosep (void *f);
void cleanup_strvp (void *p);
#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_file __attribute__ ((cleanup (cleanup_fclosep)))
#define cleanup_strv __attribute__ ((cleanup (cleanup_strvp)))
void cleanup_jsonp (json_t **j);
#define cleanup_json __attribute__ ((cleanup (cleanup_jsonp)))

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

void *xmalloc0 (size_t size);
void *xrealloc (void *p, size_t size);
char *xstrdup (const char *s);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void strv_free (char **v);

/* Returns the fd, or -1 after making an error; the fd is O_CLOEXEC. */
int xopen (const char *path, int flags, mode_t mode, ctrun_error_t *err);

/* Writes `data` to an existing file (O_WRONLY, no O_CREAT), in one write. */
int write_file (const char *path, const char *data, size_t len, ctrun_error_t *err);
int write_file_str (const char *path, const char *data, ctrun_error_t *err);
/* Creates or truncates `path` with `mode` and writes `data`. */
int create_file (const char *path, const char *data, size_t len, mode_t mode, ctrun_error_t *err);
/* --pid-file: the pid in decimal. */
int write_pid_file (const char *path, pid_t pid, ctrun_error_t *err);
/* Reads a whole (small or /proc) file into a NUL-terminated buffer. */
int read_file (const char *path, char **out, size_t *len, ctrun_error_t *err);

/* mkdir -p; every directory created is appended to *created (if not NULL). */
int mkdir_p (const char *path, mode_t mode, char ***created, size_t *n_created, ctrun_error_t *err);

/* Writes the whole buffer, retrying on EINTR and short writes. */
int write_all (int fd, const void *buf, size_t len);

/* One message with (fd >= 0) or without a descriptor passed as SCM_RIGHTS. */
int send_with_fd (int sock, const void *buf, size_t len, int fd);
/* Receives one message; *fd gets a passed descriptor (close-on-exec) or -1. */
ssize_t recv_with_fd (int sock, void *buf, size_t len, int *fd);

/* Raw syscalls glibc 2.36 does not wrap. */
int sys_pivot_root (const char *new_root, const char *put_old);
int sys_openat2 (int dirfd, const char *path, uint64_t flags, uint64_t resolve);
int sys_pidfd_open (pid_t pid);

/* Start time of a process (field 22 of /proc/PID/stat), 0 if it is gone. */
unsigned long long process_start_time (pid_t pid);

#endif
