/* events.h — `ctrun events [--stats] [--interval D] ID`, as `runc events`. */
#ifndef CTRUN_EVENTS_H
#define CTRUN_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "container.h"
#include "error.h"

/* Go's time.Duration syntax ("5s", "250ms", "1m30s") in nanoseconds; -1 if invalid. */
int64_t ctrun_parse_duration (const char *s);

/* STATS_ONCE: one stats event and exit; else stats every INTERVAL_NS and OOM events until the
   container stops. */
int ctrun_container_events (struct ctrun_context *ctx, bool stats_once, int64_t interval_ns, ctrun_error_t *err);

#endif
