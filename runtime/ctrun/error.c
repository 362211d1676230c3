/* error.c — see error.h. */
#define _GNU_SOURCE
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *
xvasprintf (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    abort ();
  return s;
}

int
ctrun_make_error (ctrun_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  char *what;
  ctrun_error_t e;

  if (err == NULL)
    return -1;
  va_start (ap, fmt);
  what = xvasprintf (fmt, ap);
  va_end (ap);

  e = calloc (1, sizeof (*e));
  if (e == NULL)
    abort ();
  e->status = 1;
  if (errno_ == 0)
    e->msg = what;
  else
    {
      if (asprintf (&e->msg, "%s: %s", what, strerror (errno_)) < 0)
        abort ();
      free (what);
    }
  ctrun_error_release (err);
  *err = e;
  return -1;
}

int
ctrun_error_wrap (ctrun_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *prefix, *msg;

  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  prefix = xvasprintf (fmt, ap);
  va_end (ap);
  if (asprintf (&msg, "%s: %s", prefix, (*err)->msg) < 0)
    abort ();
  free (prefix);
  free ((*err)->msg);
  (*err)->msg = msg;
  return -1;
}

void
ctrun_error_set_status (ctrun_error_t *err, int status)
{
  if (err && *err)
    (*err)->status = status;
}

int
ctrun_error_print (ctrun_error_t *err)
{
  int status = 1;
  if (err && *err)
    {
      fprintf (stderr, "ctrun: %s\n", (*err)->msg);
      status = (*err)->status;
    }
  return status;
}

void
ctrun_error_release (ctrun_error_t *err)
{
  if (err && *err)
    {
      free ((*err)->msg);
      free (*err);
      *err = NULL;
    }
}
