/* log.c — see log.h. */
#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "utils.h"

static int log_fd = 2;
static bool log_json;
static bool log_debug;

int
ctrun_log_init (const char *path, const char *format, bool debug, ctrun_error_t *err)
{
  log_debug = debug;
  if (format && strcmp (format, "json") == 0)
    log_json = true;
  else if (format && strcmp (format, "text") != 0)
    return ctrun_make_error (err, 0, "invalid --log-format `%s`: use text or json", format);
  if (path && *path)
    {
      /* O_APPEND: the shim reads the file after us, and other commands append to it. */
      int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0)
        return ctrun_make_error (err, errno, "open log file `%s`", path);
      log_fd = fd;
    }
  return 0;
}

bool
ctrun_log_to_file (void)
{
  return log_fd != 2;
}

static const char *const level_names[] = { "debug", "warning", "error" };

void
ctrun_log (enum ctrun_log_level level, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *line = NULL;
  char when[64];
  struct timespec ts;
  struct tm tm;
  va_list ap;

  if (level == CTRUN_LOG_DEBUG && !log_debug)
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    return;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (when, sizeof (when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (log_json)
    {
      json_t *j = json_pack ("{s:s, s:s, s:s}", "level", level_names[level], "msg", msg, "time", when);
      char *text = j ? json_dumps (j, JSON_COMPACT) : NULL;
      json_decref (j);
      if (text == NULL)
        return;
      line = xasprintf ("%s\n", text);
      free (text);
    }
  else
    {
      /* logrus' text format, as runc writes it */
      json_t *quoted = json_string (msg);
      char *q = quoted ? json_dumps (quoted, JSON_ENCODE_ANY) : NULL;
      json_decref (quoted);
      line = xasprintf ("time=\"%s\" level=%s msg=%s\n", when, level_names[level], q ? q : "\"\"");
      free (q);
    }
  write_all (log_fd, line, strlen (line));
}
