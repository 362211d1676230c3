/* ids.h — who the container process is: rlimits, uid/gid and groups,
   capabilities, no_new_privs. Run by the container's init, last before exec. */
#ifndef CTRUN_IDS_H
#define CTRUN_IDS_H

#include <stdbool.h>

#include "config.h"
#include "error.h"

int ctrun_set_rlimits (const struct ctrun_config *c, ctrun_error_t *err);

/* In a new user namespace, after the parent wrote the maps: become its root. */
int ctrun_become_userns_root (ctrun_error_t *err);

/* no_new_privs, bounding set, setgroups/setresgid/setresuid, capset, ambient.
   setgroups_denied: the user namespace was made with setgroups "deny". */
int ctrun_set_identity (const struct ctrun_config *c, int last_cap, bool setgroups_denied, ctrun_error_t *err);

/* /proc/sys/kernel/cap_last_cap (read by the parent, before pivot_root). */
int ctrun_last_cap (void);

#endif
