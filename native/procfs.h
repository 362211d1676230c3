/* What /proc tells about a task: ids, the NSpid chain, namespace inodes, comm. */
#ifndef CTTRACE_PROCFS_H
#define CTTRACE_PROCFS_H

#include "event.h"
#include <sys/types.h>

#define CT_NS_ALL_KINDS ((1u << CT_NS_COUNT) - 1)

/* All of `out` for `tid`; returns 0, or -errno when the task is gone. */
int ct_procfs_read_task(pid_t tid, struct ct_task *out);
/* The ids, comm and NSpid chain from /proc/TID/status; out->ns is left alone. */
int ct_procfs_read_status(pid_t tid, struct ct_task *out);
/* The inodes of the namespace kinds in `kinds` (a bit per enum ct_ns_kind) into ns[]. */
int ct_procfs_read_namespaces(pid_t tid, uint32_t kinds, uint64_t ns[CT_NS_COUNT]);

#endif
