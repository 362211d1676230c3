/* devices.h — /dev inside the container: the default nodes, linux.devices, the symlinks. */
#ifndef CTRUN_DEVICES_H
#define CTRUN_DEVICES_H

#include <stdbool.h>

#include "config.h"
#include "error.h"

/* Before pivot_root. Nodes are made with mknod, or, in a user namespace where
   mknod is not allowed, bind-mounted from the host's /dev. Skipped when /dev
   itself is a bind mount (the host's devices are then already there). */
int ctrun_devices_setup (const struct ctrun_config *c, int rootfd, bool in_userns, ctrun_error_t *err);

#endif
