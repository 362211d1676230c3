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

static bool
has_setting_for (const struct ctrun_config *c, const char *v1_controller)
{
  for (size_t i = 0; i < c->n_settings; i++)
    if (c->settings[i].v1_controller && strcmp (c->settings[i].v1_controller, v1_controller) == 0)
      return true;
  return false;
}

/* A new v1 cpuset cgroup has no cpus and no mems, and takes no task until it has both:
   what config.json does not set is copied from the parent. */
static int
init_cpuset (const char *dir, ctrun_error_t *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      char path[4096];
      cleanup_free char *mine = NULL, *parent = NULL;
      snprintf (path, sizeof (path), "%s/%s", dir, files[i]);
      if (read_file (path, &mine, NULL, err) < 0)
        return -1;
      if (mine[0] != '\n' && mine[0] != '\0')
        continue;
      snprintf (path, sizeof (path), "%s/../%s", dir, files[i]);
      if (read_file (path, &parent, NULL, err) < 0 || write_value (dir, files[i], parent, err) < 0)
        return -1;
    }
  return 0;
}

static int
write_settings (const struct ctrun_config *c, const char *v1_controller, const char *dir, ctrun_error_t *err)
{
  for (size_t i = 0; i < c->n_settings; i++)
    {
      const struct ctrun_cgroup_setting *st = &c->settings[i];
      if (v1_controller == NULL ? st->v2_file == NULL : (st->v1_controller == NULL || strcmp (st->v1_controller, v1_controller) != 0))
        continue;
      if (write_value (dir, v1_controller ? st->v1_file : st->v2_file, st->value, err) < 0)
        return -1;
    }
  return 0;
}

/* What a host's cgroup kind cannot do is refused before anything is made. */
static int
check_settings (const struct ctrun_config *c, enum ctrun_cgroup_mode mode, ctrun_error_t *err)
{
  for (size_t i = 0; i < c->n_settings; i++)
    {
      const struct ctrun_cgroup_setting *st = &c->settings[i];
      if (mode == CGROUP_MODE_V2 && st->v2_file == NULL)
        return ctrun_make_error (err, 0, "linux.resources.%s needs cgroup v1; this host has v2", st->what);
      if (mode != CGROUP_MODE_V2 && st->v1_controller == NULL)
        return ctrun_make_error (err, 0, "linux.resources.%s needs cgroup v2; this host has v1 controllers", st->what);
    }
  return 0;
}

static int
write_v1_limits (const struct ctrun_config *c, const char *name, const char *dir, ctrun_error_t *err)
{
  if (strcmp (name, "cpuset") == 0 && init_cpuset (dir, err) < 0)
    return -1;
  if (write_settings (c, name, dir, err) < 0)
    return -1;
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
  else if (strcmp (name, "blkio") == 0 && c->blkio_weight)
    {
      char path[4096];
      /* With the BFQ scheduler the weight file is blkio.bfq.weight. */
      snprintf (path, sizeof (path), "%s/blkio.weight", dir);
      return write_int (dir, access (path, F_OK) == 0 ? "blkio.weight" : "blkio.bfq.weight", c->blkio_weight, err);
    }
  if (strcmp (name, "memory") == 0 && c->disable_oom_killer)
    return write_value (dir, "memory.oom_control", "1", err);
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
  char want[256] = "";
  cleanup_free char *dir = xstrdup (leaf);
  char *p = dir + strlen (CGROUP_ROOT);

  if (wants_memory (c))
    strcat (want, "+memory ");
  if (wants_pids (c))
    strcat (want, "+pids ");
  if (wants_cpu (c))
    strcat (want, "+cpu ");
  if (c->blkio_weight)
    strcat (want, "+io ");
  for (size_t i = 0; i < c->n_settings; i++)
    {
      /* cpuset.cpus → +cpuset; unified keys likewise by their prefix (cgroup.* need none) */
      const char *f = c->settings[i].v2_file;
      const char *dot = f ? strchr (f, '.') : NULL;
      char controller[32];
      if (dot == NULL || (size_t) (dot - f) >= sizeof (controller) - 3 || strncmp (f, "cgroup.", 7) == 0)
        continue;
      snprintf (controller, sizeof (controller), "+%.*s ", (int) (dot - f), f);
      if (strstr (want, controller) == NULL && strlen (want) + strlen (controller) < sizeof (want))
        strcat (want, controller);
    }
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
  if (write_settings (c, NULL, dir, err) < 0)
    return -1;
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
  if (c->blkio_weight)
    {
      char path[4096];
      snprintf (path, sizeof (path), "%s/io.bfq.weight", dir);
      if (access (path, F_OK) == 0)
        {
          if (write_int (dir, "io.bfq.weight", c->blkio_weight, err) < 0)
            return -1;
        }
      else
        {
          /* runc's conversion of [10, 1000] onto io.weight's [1, 10000] */
          char buf[32];
          snprintf (buf, sizeof (buf), "default %u", 1 + ((unsigned) c->blkio_weight - 10) * 9999 / 990);
          if (write_value (dir, "io.weight", buf, err) < 0)
            return -1;
        }
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
    { "blkio", "blkio" }, { "freezer", "freezer" }, { "cpuset", "cpuset" }, { "hugetlb", "hugetlb" },
    { "net_cls", "net_cls" }, { "net_prio", "net_prio" }, { "systemd", "name=systemd" }, { "unified", "" },
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
                      || (strcmp (v1[i].name, "devices") == 0 && c->n_device_rules)
                      || (strcmp (v1[i].name, "blkio") == 0 && c->blkio_weight) || has_setting_for (c, v1[i].name);
      bool on_demand = strcmp (v1[i].name, "devices") == 0 || strcmp (v1[i].name, "blkio") == 0
                       || strcmp (v1[i].name, "cpuset") == 0 || strcmp (v1[i].name, "hugetlb") == 0
                       || strcmp (v1[i].name, "net_cls") == 0 || strcmp (v1[i].name, "net_prio") == 0;

      if (strcmp (v1[i].name, "unified") == 0 && cg->mode != CGROUP_MODE_HYBRID)
        continue;
      if (on_demand && !required)
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
  if (detect_mode (&cg->mode, err) < 0 || check_settings (c, cg->mode, err) < 0)
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

static const char *const mode_names[] = { "v1", "hybrid", "v2" };

json_t *
ctrun_cgroup_to_json (const struct ctrun_cgroup *cg)
{
  json_t *leaves = json_object ();
  for (size_t i = 0; i < cg->n; i++)
    json_object_set_new (leaves, cg->name[i], json_string (cg->leaf[i]));
  return json_pack ("{s:s, s:o}", "mode", mode_names[cg->mode], "leaves", leaves);
}

int
ctrun_cgroup_from_json (json_t *j, struct ctrun_cgroup *cg, ctrun_error_t *err)
{
  const char *mode = json_string_value (json_object_get (j, "mode"));
  json_t *leaves = json_object_get (j, "leaves"), *v;
  const char *name;

  memset (cg, 0, sizeof (*cg));
  cg->v2_fd = -1;
  for (size_t m = 0; mode && m < ARRAY_SIZE (mode_names); m++)
    if (strcmp (mode, mode_names[m]) == 0)
      cg->mode = m;
  if (mode == NULL || !json_is_object (leaves))
    return ctrun_make_error (err, 0, "state.json: the cgroups are not recorded");
  json_object_foreach (leaves, name, v)
    if (json_is_string (v) && cg->n < ARRAY_SIZE (cg->leaf))
      add_hierarchy (cg, name, xstrdup (json_string_value (v)));
  return 0;
}

int
ctrun_cgroup_procs (const struct ctrun_cgroup *cg, pid_t **pids, size_t *n, ctrun_error_t *err)
{
  cleanup_free char *procs = NULL;
  char path[4096];

  *pids = NULL;
  *n = 0;
  if (cg->n == 0)
    return 0;
  snprintf (path, sizeof (path), "%s/cgroup.procs", cg->leaf[0]);
  if (read_file (path, &procs, NULL, err) < 0)
    return -1;
  *pids = xmalloc0 (sizeof (pid_t) * (strlen (procs) / 2 + 1));
  for (char *p = procs, *end; *p; p = end)
    {
      long pid = strtol (p, &end, 10);
      if (end == p)
        break;
      if (pid > 0)
        (*pids)[(*n)++] = pid;
      while (*end == '\n')
        end++;
    }
  return 0;
}

static const char *
freezer_file (const struct ctrun_cgroup *cg, char *buf, size_t size)
{
  for (size_t i = 0; i < cg->n; i++)
    {
      if (cg->mode == CGROUP_MODE_V2)
        snprintf (buf, size, "%s/cgroup.freeze", cg->leaf[i]);
      else if (strcmp (cg->name[i], "freezer") == 0)
        snprintf (buf, size, "%s/freezer.state", cg->leaf[i]);
      else
        continue;
      return buf;
    }
  return NULL;
}

int
ctrun_cgroup_set_frozen (const struct ctrun_cgroup *cg, bool frozen, ctrun_error_t *err)
{
  char path[4096];
  const char *file = freezer_file (cg, path, sizeof (path));

  if (file == NULL)
    return ctrun_make_error (err, 0, "the container has no freezer cgroup");
  if (cg->mode == CGROUP_MODE_V2)
    return write_file_str (file, frozen ? "1" : "0", err);
  if (write_file_str (file, frozen ? "FROZEN" : "THAWED", err) < 0)
    return -1;
  /* v1 reports FREEZING until every task stopped: wait for FROZEN. */
  for (int tries = 0; frozen && tries < 1000; tries++)
    {
      cleanup_free char *state = NULL;
      struct timespec ts = { 0, 1000000 };
      if (read_file (file, &state, NULL, err) < 0)
        return -1;
      if (strncmp (state, "FROZEN", 6) == 0)
        return 0;
      nanosleep (&ts, NULL);
    }
  return 0;
}

bool
ctrun_cgroup_is_frozen (const struct ctrun_cgroup *cg)
{
  char path[4096];
  cleanup_free char *state = NULL;
  const char *file = freezer_file (cg, path, sizeof (path));

  if (file == NULL || read_file (file, &state, NULL, NULL) < 0)
    return false;
  return cg->mode == CGROUP_MODE_V2 ? state[0] == '1' : strncmp (state, "FROZEN", 6) == 0;
}
