/* config.h — the bundle's config.json as a C struct (OCI runtime-spec). */
#ifndef CTRUN_CONFIG_H
#define CTRUN_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"
#include "hooks.h"
#include "resources.h"
#include "seccomp.h"

struct ctrun_rlimit
{
  int resource;
  rlim_t soft, hard;
};

struct ctrun_mount
{
  char *destination;   /* absolute, inside the container */
  char *type;          /* NULL for a bind mount */
  char *source;        /* for binds: absolute host path (relative ones are made bundle-relative) */
  unsigned long flags; /* MS_* that go to mount(2) */
  unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/... (| MS_REC) applied after */
  char *data;          /* the options mount(2) does not know as flags */
  bool bind, rbind;
};

struct ctrun_namespace
{
  int flag;            /* CLONE_NEW* */
  char *path;          /* join this one with setns(2) if set */
};

struct ctrun_id_map
{
  uint32_t container_id, host_id, size;
};

struct ctrun_device       /* linux.devices */
{
  char *path;
  char type;           /* 'c', 'b', 'u', 'p' */
  int64_t major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

struct ctrun_caps
{
  uint64_t bounding, effective, permitted, inheritable, ambient;
};

struct ctrun_sysctl
{
  char *key, *value;
};

struct ctrun_config
{
  char *bundle;        /* absolute */

  /* process */
  bool terminal;       /* a pty, its master sent to --console-socket */
  unsigned short console_height, console_width; /* consoleSize, 0 if not given */
  char **args;         /* NULL-terminated */
  char **env;          /* NULL-terminated */
  char *cwd;
  uid_t uid;
  gid_t gid;
  gid_t *additional_gids;
  size_t n_additional_gids;
  bool has_umask;
  mode_t umask;
  bool has_caps;
  struct ctrun_caps caps;
  struct ctrun_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  bool has_oom_score_adj;
  int oom_score_adj;

  /* root, hostname */
  char *rootfs;        /* absolute, resolved */
  bool root_readonly;
  char *hostname;
  char *domainname;

  struct ctrun_mount *mounts;
  size_t n_mounts;

  /* linux */
  struct ctrun_namespace *namespaces;
  size_t n_namespaces;
  struct ctrun_id_map *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;

  char *cgroups_path;  /* NULL: a relative path named after the container */
  struct ctrun_resources resources; /* linux.resources */

  struct ctrun_device *devices;
  size_t n_devices;

  unsigned long rootfs_propagation; /* MS_* | MS_REC; default MS_SLAVE|MS_REC */
  char **masked_paths;
  char **readonly_paths;
  struct ctrun_sysctl *sysctls;
  size_t n_sysctls;
  struct ctrun_seccomp *seccomp; /* NULL: none */

  struct ctrun_hooks hooks;

  bool has_personality;
  unsigned long personality;   /* PER_LINUX or PER_LINUX32 */
  bool has_time_offsets;
  int64_t monotonic_secs, monotonic_nsecs, boottime_secs, boottime_nsecs; /* linux.timeOffsets */

  json_t *annotations; /* an object, possibly empty (for the state hooks and listeners see) */
};

/* Parses BUNDLE/config.json. */
int ctrun_config_load (const char *bundle, struct ctrun_config **out, ctrun_error_t *err);
void ctrun_config_free (struct ctrun_config *c);

/* `features`: what ctrun knows (mountOptions, linux.namespaces, linux.capabilities). */
void ctrun_config_describe (json_t *features);

/* `exec --process FILE`: replaces the process part of C with the one in FILE. */
int ctrun_config_load_process (struct ctrun_config *c, const char *file, ctrun_error_t *err);
void cleanup_configp (struct ctrun_config **c);
#define cleanup_config __attribute__ ((cleanup (cleanup_configp)))

/* Flag of a namespace in the config (0 if absent); *path gets its path if it is joined. */
bool ctrun_config_has_namespace (const struct ctrun_config *c, int flag, const char **path);

/* Option tables, shared with the mount code. */
int ctrun_parse_mount_options (const char *const *options, size_t n, struct ctrun_mount *m, ctrun_error_t *err);
int ctrun_capability_from_name (const char *name);
/* "pid", "network", ... for a CLONE_NEW* flag: the names config.json uses. */
const char *ctrun_namespace_name (int flag);
const char *ctrun_capability_name (int cap);

#endif
