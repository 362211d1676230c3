/* stats.h — the container's resource usage, as `runc events` prints it. */
#ifndef CTRUN_STATS_H
#define CTRUN_STATS_H

#include <jansson.h>

#include "cgroups.h"

/* The "data" of a stats event: cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt,
   network_interfaces, read from CG's files. */
json_t *ctrun_stats_collect (const struct ctrun_cgroup *cg);

/* EVENT as one line of compact JSON, with unlimited (UINT64_MAX) values written as runc writes them. */
char *ctrun_stats_dump (json_t *event);

#endif
