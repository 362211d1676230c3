/* What /proc tells about a task: ids, the NSpid chain, namespace inodes, comm. */
#ifndef CTTRACE_PROCFS_H
#define CTTRACE_PROCFS_H

#include "event.h"
#include <sys/types.h>

/* Fill `out` for `tid`; returns 0, or -errno when the task is gone. */
int ct_procfs_read_task(pid_t tid, struct ct_task *out);
int ct_procfs_read_comm(pid_t tid, char comm[16]);

#endif
