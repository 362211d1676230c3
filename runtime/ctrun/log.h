/* log.h — runc's --log FILE, --log-format text|json and --debug.
 *
 * Without --log, messages go to stderr. containerd's shim passes --log-format json
 * and, when a command fails, reads the last error from the file: so errors are
 * written there as runc writes them, {"level":"error","msg":"...","time":"..."}. */
#ifndef CTRUN_LOG_H
#define CTRUN_LOG_H

#include <stdbool.h>

#include "error.h"

enum ctrun_log_level
{
  CTRUN_LOG_DEBUG,
  CTRUN_LOG_WARNING,
  CTRUN_LOG_ERROR,
};

/* path NULL: stderr. format "text" or "json". */
int ctrun_log_init (const char *path, const char *format, bool debug, ctrun_error_t *err);

/* True when messages go to a file rather than stderr. */
bool ctrun_log_to_file (void);

void ctrun_log (enum ctrun_log_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#endif
