/* cgroup-limits.h — linux.resources into the files of a container's cgroup (create and update). */
#ifndef CTRUN_CGROUP_LIMITS_H
#define CTRUN_CGROUP_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "resources.h"

/* The devices every container may use after its configured rules (the OCI defaults,
   /dev/tty, /dev/ptmx and the pts, and mknod of any), as runc allows them. */
extern const struct ctrun_device_rule ctrun_default_device_rules[];
extern const size_t ctrun_n_default_device_rules;

/* Whether R sets anything in the v1 CONTROLLER (the container must then join it). */
bool ctrun_cgroup_limits_need_v1 (const struct ctrun_resources *r, const char *controller);

/* Refuses, before anything is made, what the host's kind of cgroup cannot do. */
int ctrun_cgroup_limits_check (const struct ctrun_resources *r, bool v2, ctrun_error_t *err);

/* Writes R into DIR, the container's directory in the v1 hierarchy of CONTROLLER. CREATING:
   a new directory (cpuset is filled from the parent; the device rules are written). */
int ctrun_cgroup_limits_write_v1 (const struct ctrun_resources *r, const char *controller, const char *dir,
                                  bool creating, ctrun_error_t *err);

/* Enables the controllers R needs in LEAF's ancestors, then writes R into LEAF (v2). */
int ctrun_cgroup_limits_write_v2 (const struct ctrun_resources *r, const char *leaf, ctrun_error_t *err);

#endif
