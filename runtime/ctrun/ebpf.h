/* ebpf.h — linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
   program generated from the rules, attached to the container's cgroup. */
#ifndef CTRUN_EBPF_H
#define CTRUN_EBPF_H

#include "config.h"
#include "error.h"

/* Rules as in config.json, then the default devices; the last matching rule wins
   (v1's semantics); a device no rule matches is allowed, as in a fresh v1 cgroup. */
int ctrun_ebpf_attach_device_filter (const struct ctrun_device_rule *rules, size_t n_rules,
                                     const struct ctrun_device_rule *defaults, size_t n_defaults, int cgroup_fd,
                                     ctrun_error_t *err);

#endif
