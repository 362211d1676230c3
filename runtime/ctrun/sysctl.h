/* sysctl.h — linux.sysctl, written to the container's /proc/sys. */
#ifndef CTRUN_SYSCTL_H
#define CTRUN_SYSCTL_H

#include "config.h"
#include "error.h"

/* After pivot_root, before /proc/sys is made read-only. */
int ctrun_sysctl_apply (const struct ctrun_config *c, ctrun_error_t *err);

#endif
