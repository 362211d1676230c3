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

#include "cgroup-limits.h"
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
    { "memory", "memory" }, { "pids", "pids" }, { "cpu", "cpu" }, { "cpuacct", "cpuacct" }, { "cpuset", "cpuset" },
    { "blkio", "blkio" }, { "devices", "devices" }, { "freezer", "freezer" }, { "hugetlb", "hugetlb" },
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
      bool required = ctrun_cgroup_limits_need_v1 (&c->resources, v1[i].name);
      /* The controllers `update` and `events` use (memory, pids, cpu, cpuacct, cpuset, blkio)
         are joined always, as runc joins them; the rest when config.json uses them. */
      bool on_demand = strcmp (v1[i].name, "devices") == 0 || strcmp (v1[i].name, "hugetlb") == 0
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
  const struct ctrun_resources *r = &c->resources;

  for (size_t i = 0; i < cg->n; i++)
    {
      if (mkdir_p (cg->leaf[i], 0755, &cg->created, &cg->n_created, err) < 0)
        return -1;
      if (cg->mode != CGROUP_MODE_V2)
        {
          if (ctrun_cgroup_limits_write_v1 (r, cg->name[i], cg->leaf[i], true, err) < 0)
            return -1;
          continue;
        }
      if (ctrun_cgroup_limits_write_v2 (r, cg->leaf[i], err) < 0)
        return -1;
      cg->v2_fd = open (cg->leaf[i], O_DIRECTORY | O_RDONLY | O_CLOEXEC);
      if (cg->v2_fd < 0)
        return ctrun_make_error (err, errno, "open `%s`", cg->leaf[i]);
      /* v2 has no devices.allow: the rules become an eBPF program on the cgroup. */
      if (r->n_device_rules
          && ctrun_ebpf_attach_device_filter (r->device_rules, r->n_device_rules, ctrun_default_device_rules,
                                              ctrun_n_default_device_rules, cg->v2_fd, err)
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
  if (detect_mode (&cg->mode, err) < 0 || ctrun_cgroup_limits_check (&c->resources, cg->mode == CGROUP_MODE_V2, err) < 0)
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

int
ctrun_cgroup_update (const struct ctrun_cgroup *cg, const struct ctrun_resources *r, ctrun_error_t *err)
{
  if (ctrun_cgroup_limits_check (r, cg->mode == CGROUP_MODE_V2, err) < 0)
    return -1;
  if (cg->mode == CGROUP_MODE_V2)
    return cg->n ? ctrun_cgroup_limits_write_v2 (r, cg->leaf[0], err) : 0;
  /* what the container never joined cannot be limited now: refused before anything changes */
  for (const char *const *name = (const char *const[]){ "memory", "pids", "cpu", "cpuset", "blkio", NULL }; *name; name++)
    if (ctrun_cgroup_limits_need_v1 (r, *name) && ctrun_cgroup_leaf (cg, *name) == NULL)
      return ctrun_make_error (err, 0, "the container is in no `%s` cgroup: this host has no such v1 hierarchy", *name);
  for (size_t i = 0; i < cg->n; i++)
    if (ctrun_cgroup_limits_write_v1 (r, cg->name[i], cg->leaf[i], false, err) < 0)
      return -1;
  return 0;
}

const char *
ctrun_cgroup_leaf (const struct ctrun_cgroup *cg, const char *name)
{
  for (size_t i = 0; i < cg->n; i++)
    if (cg->mode == CGROUP_MODE_V2 || strcmp (cg->name[i], name) == 0)
      return cg->leaf[i];
  return NULL;
}
