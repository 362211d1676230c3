/* cgroups.c — cgroup v1, v2 and hybrid.
 *
 * The mode is found at run time from the filesystem type of /sys/fs/cgroup:
 * cgroup2 → v2; tmpfs with a cgroup2 at /sys/fs/cgroup/unified → hybrid;
 * tmpfs alone → v1. A relative cgroupsPath (and the default, the container id)
 * is taken under ctrun's own cgroup in each hierarchy, as runc does. */
#define _GNU_SOURCE
#include "cgroups.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "ebpf.h"
#include "utils.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static int
detect_mode (enum ctrun_cgroup_mode *mode, ctrun_error_t *err)
{
  struct statfs st;

  if (statfs (CGROUP_ROOT, &st) < 0)
    return ctrun_make_error (err, errno, "statfs `%s`", CGROUP_ROOT);
  if (st.f_type == CGROUP2_SUPER_MAGIC)
    {
      *mode = CGROUP_MODE_V2;
      return 0;
    }
  if (st.f_type != TMPFS_MAGIC)
    return ctrun_make_error (err, 0, "`%s` is neither cgroup2 nor a tmpfs of v1 hierarchies", CGROUP_ROOT);
  if (statfs (CGROUP_ROOT "/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    *mode = CGROUP_MODE_HYBRID;
  else
    *mode = CGROUP_MODE_V1;
  return 0;
}

/* ctrun's own path in a hierarchy, from /proc/self/cgroup:
   "4:memory:/a/b" for controller "memory", "0::/a" for the unified one (""). */
static const char *
own_path (char *self_cgroup, const char *controller, char *out, size_t size)
{
  for (char *line = self_cgroup; line && *line;)
    {
      char *next = strchr (line, '\n');
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      size_t len = next ? (size_t) (next - line) : strlen (line);

      if (c1 && c2 && (!next || c2 < next))
        {
          size_t clen = c2 - c1 - 1;
          bool match = false;
          if (*controller == '\0')
            match = clen == 0;
          else
            for (char *s = c1 + 1; s < c2;)
              {
                char *comma = memchr (s, ',', c2 - s);
                size_t l = comma ? (size_t) (comma - s) : (size_t) (c2 - s);
                if (l == strlen (controller) && memcmp (s, controller, l) == 0)
                  match = true;
                s += l + 1;
              }
          if (match)
            {
              size_t plen = len - (c2 + 1 - line);
              if (plen >= size)
                return NULL;
              memcpy (out, c2 + 1, plen);
              out[plen] = '\0';
              return out;
            }
        }
      line = next ? next + 1 : NULL;
    }
  return NULL;
}

static int
write_value (const char *dir, const char *file, const char *value, ctrun_error_t *err)
{
  char path[4096];
  snprintf (path, sizeof (path), "%s/%s", dir, file);
  if (write_file_str (path, value, err) < 0)
    return ctrun_error_wrap (err, "set cgroup limit");
  return 0;
}

static int
write_int (const char *dir, const char *file, int64_t value, ctrun_error_t *err)
{
  char buf[32];
  snprintf (buf, sizeof (buf), "%" PRId64, value);
  return write_value (dir, file, buf, err);
}

/* Devices the runtime always allows, after the configured rules: the OCI default
   devices, /dev/tty, /dev/ptmx and the pts, and mknod of any (as runc does). */
static const struct ctrun_device_rule default_device_rules[] = {
  { true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },
  { true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },
  { true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
  { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
};

static int
write_v1_device_rule (const char *dir, const struct ctrun_device_rule *r, ctrun_error_t *err)
{
  char rule[64], major[24], minor[24];
  if (r->major < 0)
    strcpy (major, "*");
  else
    snprintf (major, sizeof (major), "%" PRId64, r->major);
  if (r->minor < 0)
    strcpy (minor, "*");
  else
    snprintf (minor, sizeof (minor), "%" PRId64, r->minor);
  snprintf (rule, sizeof (rule), "%c %s:%s %s", r->type, major, minor, r->access);
  return write_value (dir, r->allow ? "devices.allow" : "devices.deny", rule, err);
}

static int
write_v1_devices (const struct ctrun_config *c, const char *dir, ctrun_error_t *err)
{
  for (size_t i = 0; i < c->n_device_rules; i++)
    if (write_v1_device_rule (dir, &c->device_rules[i], err) < 0)
      return -1;
  for (size_t i = 0; i < ARRAY_SIZE (default_device_rules); i++)
    if (write_v1_device_rule (dir, &default_device_rules[i], err) < 0)
      return -1;
  return 0;
}

static int
write_v1_limits (const struct ctrun_config *c, const char *name, const char *dir, ctrun_error_t *err)
{
  if (strcmp (name, "memory") == 0)
    {
      if (c->has_memory_limit && write_int (dir, "memory.limit_in_bytes", c->memory_limit, err) < 0)
        return -1;
      if (c->has_memory_swap && write_int (dir, "memory.memsw.limit_in_bytes", c->memory_swap, err) < 0)
        return -1;
      if (c->has_memory_reservation && write_int (dir, "memory.soft_limit_in_bytes", c->memory_reservation, err) < 0)
        return -1;
    }
  else if (strcmp (name, "pids") == 0)
    {
      if (c->has_pids_limit && c->pids_limit != 0)
        {
          if (c->pids_limit < 0)
            return write_value (dir, "pids.max", "max", err);
          return write_int (dir, "pids.max", c->pids_limit, err);
        }
    }
  else if (strcmp (name, "cpu") == 0)
    {
      if (c->has_cpu_shares && c->cpu_shares && write_int (dir, "cpu.shares", c->cpu_shares, err) < 0)
        return -1;
      if (c->has_cpu_period && c->cpu_period && write_int (dir, "cpu.cfs_period_us", c->cpu_period, err) < 0)
        return -1;
      if (c->has_cpu_quota && c->cpu_quota && write_int (dir, "cpu.cfs_quota_us", c->cpu_quota, err) < 0)
        return -1;
    }
  else if (strcmp (name, "devices") == 0)
    return write_v1_devices (c, dir, err);
  return 0;
}

static bool
wants_memory (const struct ctrun_config *c)
{
  return c->has_memory_limit || c->has_memory_reservation || c->has_memory_swap;
}

static bool
wants_cpu (const struct ctrun_config *c)
{
  return (c->has_cpu_shares && c->cpu_shares) || (c->has_cpu_quota && c->cpu_quota)
         || (c->has_cpu_period && c->cpu_period);
}

static bool
wants_pids (const struct ctrun_config *c)
{
  return c->has_pids_limit && c->pids_limit != 0;
}

/* v2: controllers must be enabled in cgroup.subtree_control of every ancestor. */
static int
enable_v2_controllers (const struct ctrun_config *c, const char *leaf, ctrun_error_t *err)
{
  char want[64] = "";
  cleanup_free char *dir = xstrdup (leaf);
  char *p = dir + strlen (CGROUP_ROOT);

  if (wants_memory (c))
    strcat (want, "+memory ");
  if (wants_pids (c))
    strcat (want, "+pids ");
  if (wants_cpu (c))
    strcat (want, "+cpu ");
  if (want[0] == '\0')
    return 0;
  want[strlen (want) - 1] = '\0';

  /* Each ancestor, from the root down to the leaf's parent: cut at every '/'. */
  for (char *s = p; (s = strchr (s, '/')) != NULL; s++)
    {
      *s = '\0';
      if (write_value (dir, "cgroup.subtree_control", want, err) < 0)
        return ctrun_error_wrap (err, "enable cgroup controllers");
      *s = '/';
    }
  return 0;
}

static int
write_v2_limits (const struct ctrun_config *c, const char *dir, ctrun_error_t *err)
{
  if (c->has_memory_limit && write_int (dir, "memory.max", c->memory_limit, err) < 0)
    return -1;
  if (c->has_memory_reservation && write_int (dir, "memory.low", c->memory_reservation, err) < 0)
    return -1;
  if (c->has_memory_swap)
    {
      /* OCI's swap is memory+swap; v2's memory.swap.max is the swap alone. */
      if (c->memory_swap < 0)
        {
          if (write_value (dir, "memory.swap.max", "max", err) < 0)
            return -1;
        }
      else if (!c->has_memory_limit || c->memory_swap < c->memory_limit)
        return ctrun_make_error (err, 0, "linux.resources.memory.swap must be >= memory.limit");
      else if (write_int (dir, "memory.swap.max", c->memory_swap - c->memory_limit, err) < 0)
        return -1;
    }
  if (wants_pids (c))
    {
      if (c->pids_limit < 0 ? write_value (dir, "pids.max", "max", err) < 0
                            : write_int (dir, "pids.max", c->pids_limit, err) < 0)
        return -1;
    }
  if (c->has_cpu_shares && c->cpu_shares)
    {
      /* The cgroup v1 → v2 conversion runc and crun use: [2, 262144] → [1, 10000]. */
      uint64_t weight = 1 + ((c->cpu_shares - 2) * 9999) / 262142;
      if (write_int (dir, "cpu.weight", weight, err) < 0)
        return -1;
    }
  if ((c->has_cpu_quota && c->cpu_quota) || (c->has_cpu_period && c->cpu_period))
    {
      char buf[64];
      uint64_t period = c->has_cpu_period && c->cpu_period ? c->cpu_period : 100000;
      if (c->has_cpu_quota && c->cpu_quota > 0)
        snprintf (buf, sizeof (buf), "%" PRId64 " %" PRIu64, c->cpu_quota, period);
      else
        snprintf (buf, sizeof (buf), "max %" PRIu64, period);
      if (write_value (dir, "cpu.max", buf, err) < 0)
        return -1;
    }
  return 0;
}

static char *
leaf_path (const char *mount, const struct ctrun_config *c, const char *id, char *self_cgroup,
           const char *controller, ctrun_error_t *err)
{
  char own[4096];
  const char *rel = c->cgroups_path ? c->cgroups_path : id;

  if (rel[0] == '/')
    return xasprintf ("%s%s", mount, rel);
  if (own_path (self_cgroup, controller, own, sizeof (own)) == NULL)
    {
      ctrun_make_error (err, 0, "cgroup hierarchy `%s` not found in /proc/self/cgroup",
                        *controller ? controller : "unified");
      return NULL;
    }
  return xasprintf ("%s%s%s%s", mount, own, strcmp (own, "/") == 0 ? "" : "/", rel);
}

static void
add_hierarchy (struct ctrun_cgroup *cg, const char *name, char *leaf)
{
  cg->name[cg->n] = xstrdup (name);
  cg->leaf[cg->n] = leaf;
  cg->n++;
}

/* Which hierarchies the container joins, and its directory in each. */
static int
plan_hierarchies (const struct ctrun_config *c, const char *id, struct ctrun_cgroup *cg, ctrun_error_t *err)
{
  /* The v1 controllers ctrun uses, the name=systemd hierarchy, and in hybrid
     mode the unified one, for membership only (it holds no controllers). */
  static const struct
  {
    const char *name, *controller;
  } v1[] = {
    { "memory", "memory" }, { "pids", "pids" }, { "cpu", "cpu" }, { "devices", "devices" },
    { "systemd", "name=systemd" }, { "unified", "" },
  };
  cleanup_free char *self_cgroup = NULL;
  bool relative = c->cgroups_path == NULL || c->cgroups_path[0] != '/';

  if (relative && read_file ("/proc/self/cgroup", &self_cgroup, NULL, err) < 0)
    return -1;

  if (cg->mode == CGROUP_MODE_V2)
    {
      char *leaf = leaf_path (CGROUP_ROOT, c, id, self_cgroup, "", err);
      if (leaf == NULL)
        return -1;
      add_hierarchy (cg, "", leaf);
      return 0;
    }

  for (size_t i = 0; i < ARRAY_SIZE (v1); i++)
    {
      char mount[128], own[4096];
      char *leaf;
      bool required = (strcmp (v1[i].name, "memory") == 0 && wants_memory (c))
                      || (strcmp (v1[i].name, "pids") == 0 && wants_pids (c))
                      || (strcmp (v1[i].name, "cpu") == 0 && wants_cpu (c))
                      || (strcmp (v1[i].name, "devices") == 0 && c->n_device_rules);

      if (strcmp (v1[i].name, "unified") == 0 && cg->mode != CGROUP_MODE_HYBRID)
        continue;
      if (strcmp (v1[i].name, "devices") == 0 && c->n_device_rules == 0)
        continue;
      snprintf (mount, sizeof (mount), CGROUP_ROOT "/%s", v1[i].name);
      if (access (mount, F_OK) < 0)
        {
          if (required)
            return ctrun_make_error (err, errno, "cgroup controller `%s` is not mounted at `%s`", v1[i].name, mount);
          continue;
        }
      if (relative && own_path (self_cgroup, v1[i].controller, own, sizeof (own)) == NULL)
        {
          if (required)
            return ctrun_make_error (err, 0, "cgroup controller `%s` is not in /proc/self/cgroup", v1[i].name);
          continue;
        }
      leaf = leaf_path (mount, c, id, self_cgroup, v1[i].controller, err);
      if (leaf == NULL)
        return -1;
      add_hierarchy (cg, v1[i].name, leaf);
    }
  return 0;
}

/* mkdir each directory and write the limits. */
static int
make_hierarchies (const struct ctrun_config *c, struct ctrun_cgroup *cg, ctrun_error_t *err)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      if (mkdir_p (cg->leaf[i], 0755, &cg->created, &cg->n_created, err) < 0)
        return -1;
      if (cg->mode != CGROUP_MODE_V2)
        {
          if (write_v1_limits (c, cg->name[i], cg->leaf[i], err) < 0)
            return -1;
          continue;
        }
      if (enable_v2_controllers (c, cg->leaf[i], err) < 0 || write_v2_limits (c, cg->leaf[i], err) < 0)
        return -1;
      cg->v2_fd = open (cg->leaf[i], O_DIRECTORY | O_RDONLY | O_CLOEXEC);
      if (cg->v2_fd < 0)
        return ctrun_make_error (err, errno, "open `%s`", cg->leaf[i]);
      /* v2 has no devices.allow: the rules become an eBPF program on the cgroup. */
      if (c->n_device_rules
          && ctrun_ebpf_attach_device_filter (c->device_rules, c->n_device_rules, default_device_rules,
                                              ARRAY_SIZE (default_device_rules), cg->v2_fd, err)
                 < 0)
        return -1;
    }
  return 0;
}

int
ctrun_cgroup_create (const struct ctrun_config *c, const char *id, struct ctrun_cgroup *cg, ctrun_error_t *err)
{
  memset (cg, 0, sizeof (*cg));
  cg->v2_fd = -1;
  if (detect_mode (&cg->mode, err) < 0)
    return -1;
  if (plan_hierarchies (c, id, cg, err) < 0 || make_hierarchies (c, cg, err) < 0)
    {
      ctrun_cgroup_remove (cg->created, cg->n_created, NULL);
      ctrun_cgroup_release (cg);
      return -1;
    }
  return 0;
}

int
ctrun_cgroup_enter (struct ctrun_cgroup *cg, pid_t pid, bool cloned_into_v2, ctrun_error_t *err)
{
  char buf[16];
  int len = snprintf (buf, sizeof (buf), "%d", pid);

  for (size_t i = 0; i < cg->n; i++)
    {
      char path[4096];
      if (cg->mode == CGROUP_MODE_V2 && cloned_into_v2)
        continue;
      snprintf (path, sizeof (path), "%s/cgroup.procs", cg->leaf[i]);
      if (write_file (path, buf, len, err) < 0)
        return ctrun_error_wrap (err, "join cgroup");
    }
  return 0;
}

/* SIGKILL whatever is left in DIR (a container without its own pid namespace
   can leave processes behind its init). */
static void
kill_procs (const char *dir)
{
  char path[4096];
  cleanup_free char *procs = NULL;

  snprintf (path, sizeof (path), "%s/cgroup.procs", dir);
  if (read_file (path, &procs, NULL, NULL) < 0)
    return;
  for (char *p = procs; *p;)
    {
      char *end;
      long pid = strtol (p, &end, 10);
      if (end == p)
        break;
      if (pid > 0)
        kill (pid, SIGKILL);
      p = end;
      while (*p == '\n')
        p++;
    }
}

int
ctrun_cgroup_remove (char *const *created, size_t n, ctrun_error_t *err)
{
  int ret = 0;

  for (size_t i = n; i-- > 0;)
    {
      int tries = 0;
      while (rmdir (created[i]) < 0)
        {
          struct timespec ts = { 0, 1000000 };
          if (errno == ENOENT)
            break;
          if (errno != EBUSY || ++tries > 500)
            {
              ret = ctrun_make_error (err, errno, "remove cgroup `%s`", created[i]);
              break;
            }
          kill_procs (created[i]);
          nanosleep (&ts, NULL);
        }
    }
  return ret;
}

void
ctrun_cgroup_release (struct ctrun_cgroup *cg)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      free (cg->name[i]);
      free (cg->leaf[i]);
    }
  cg->n = 0;
  strv_free (cg->created);
  cg->created = NULL;
  cg->n_created = 0;
  if (cg->v2_fd >= 0)
    close (cg->v2_fd);
  cg->v2_fd = -1;
}
