/* error.h — errors that carry context up the stack.
 *
 * A failing call records what failed, on what, and why:
 *   return ctrun_make_error (err, errno, "open `%s`", path);
 * and a caller may add its own context in front:
 *   return ctrun_error_wrap (err, "load state of `%s`", id);
 * main() prints the final message as one line: "ctrun: <message>". */
#ifndef CTRUN_ERROR_H
#define CTRUN_ERROR_H

#include <stdio.h>

typedef struct ctrun_error_s
{
  int status;   /* exit status the failure maps to (1, or 126/127 for exec) */
  char *msg;
} *ctrun_error_t;

/* Sets *err to "<fmt...>: strerror(errno_)" (or just "<fmt...>" if errno_ is 0).
   Always returns -1, so callers can `return ctrun_make_error (...)`. */
int ctrun_make_error (ctrun_error_t *err, int errno_, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Prefixes the message already in *err with "<fmt...>: ". Returns -1. */
int ctrun_error_wrap (ctrun_error_t *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

void ctrun_error_set_status (ctrun_error_t *err, int status);

/* Prints "ctrun: <msg>\n" on stderr and returns the error's exit status. */
int ctrun_error_print (ctrun_error_t *err);

void ctrun_error_release (ctrun_error_t *err);

#endif
