/* cgroups.h — the container's cgroup on v1, v2 and hybrid hosts. */
#ifndef CTRUN_CGROUPS_H
#define CTRUN_CGROUPS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "error.h"

enum ctrun_cgroup_mode
{
  CGROUP_MODE_V1,     /* only v1 hierarchies under /sys/fs/cgroup/<controller> */
  CGROUP_MODE_HYBRID, /* v1 controllers, plus cgroup2 at /sys/fs/cgroup/unified */
  CGROUP_MODE_V2,     /* the unified hierarchy at /sys/fs/cgroup */
};

struct ctrun_cgroup
{
  enum ctrun_cgroup_mode mode;
  size_t n;           /* hierarchies the container joins */
  char *name[16];      /* "memory", "pids", ..., "systemd", "unified"; "" for pure v2 */
  char *leaf[16];      /* the container's directory in each */
  char **created;     /* directories made by ctrun, in creation order (NULL-terminated) */
  size_t n_created;
  int v2_fd;          /* pure v2: the leaf, for clone3(CLONE_INTO_CGROUP); else -1 */
};

/* Detects the mode, creates the container's cgroup in each hierarchy and writes
   the limits. On failure, removes what it made. */
int ctrun_cgroup_create (const struct ctrun_config *c, const char *id, struct ctrun_cgroup *cg, ctrun_error_t *err);

/* Moves PID into every hierarchy (not needed for the one clone3 put it in). */
int ctrun_cgroup_enter (struct ctrun_cgroup *cg, pid_t pid, bool cloned_into_v2, ctrun_error_t *err);

/* Removes the directories (deepest first); kills what is still inside. */
int ctrun_cgroup_remove (char *const *created, size_t n, ctrun_error_t *err);

/* `update`: writes R into the container's existing cgroup. */
int ctrun_cgroup_update (const struct ctrun_cgroup *cg, const struct ctrun_resources *r, ctrun_error_t *err);

/* The container's directory in the v1 hierarchy NAME ("memory", "cpuacct", ...), or its
   only leaf on v2; NULL if it has none. */
const char *ctrun_cgroup_leaf (const struct ctrun_cgroup *cg, const char *name);

void ctrun_cgroup_release (struct ctrun_cgroup *cg);

/* The hierarchies and leaves, kept in state.json for exec, kill --all, ps, pause. */
json_t *ctrun_cgroup_to_json (const struct ctrun_cgroup *cg);
int ctrun_cgroup_from_json (json_t *j, struct ctrun_cgroup *cg, ctrun_error_t *err);

/* The pids in the container's cgroup (host pids). */
int ctrun_cgroup_procs (const struct ctrun_cgroup *cg, pid_t **pids, size_t *n, ctrun_error_t *err);

/* The freezer: v1 freezer.state, v2 cgroup.freeze. */
int ctrun_cgroup_set_frozen (const struct ctrun_cgroup *cg, bool frozen, ctrun_error_t *err);
bool ctrun_cgroup_is_frozen (const struct ctrun_cgroup *cg);

#endif
