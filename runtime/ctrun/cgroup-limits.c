/* cgroup-limits.c — linux.resources written into a container's cgroup, at create and at
 * `update`, in the files runc writes on v1 (one directory per controller) and v2 (one leaf).
 *
 * As in runc, a value of 0 leaves the file alone, -1 lifts a limit, and where two files
 * depend on each other (memory and memory+swap, the CFS period and quota) they are written in
 * the order the kernel accepts from the current values. */
#define _GNU_SOURCE
#include "cgroup-limits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

const struct ctrun_device_rule ctrun_default_device_rules[] = {
  { true, 'c', -1, -1, "m" }, { true, 'b', -1, -1, "m" },
  { true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },
  { true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
  { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
};
const size_t ctrun_n_default_device_rules = ARRAY_SIZE (ctrun_default_device_rules);

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

static bool
file_exists (const char *dir, const char *file)
{
  char path[4096];
  snprintf (path, sizeof (path), "%s/%s", dir, file);
  return access (path, F_OK) == 0;
}

/* The first number in DIR/FILE ("max" and unreadable files give false). */
static bool
read_number (const char *dir, const char *file, int64_t *out)
{
  char path[4096];
  cleanup_free char *text = NULL;
  char *end;

  snprintf (path, sizeof (path), "%s/%s", dir, file);
  if (read_file (path, &text, NULL, NULL) < 0)
    return false;
  *out = strtoll (text, &end, 10);
  return end != text;
}

/* ---- devices (v1; v2 gets an eBPF program, see ebpf.c) ---------------- */

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
write_v1_devices (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  for (size_t i = 0; i < r->n_device_rules; i++)
    if (write_v1_device_rule (dir, &r->device_rules[i], err) < 0)
      return -1;
  for (size_t i = 0; i < ctrun_n_default_device_rules; i++)
    if (write_v1_device_rule (dir, &ctrun_default_device_rules[i], err) < 0)
      return -1;
  return 0;
}

/* ---- what is asked for ------------------------------------------------ */

static bool
has_setting_for (const struct ctrun_resources *r, const char *v1_controller)
{
  for (size_t i = 0; i < r->n_settings; i++)
    if (r->settings[i].v1_controller && strcmp (r->settings[i].v1_controller, v1_controller) == 0)
      return true;
  return false;
}

static bool
wants_memory (const struct ctrun_resources *r)
{
  return (r->has_memory_limit && r->memory_limit) || (r->has_memory_reservation && r->memory_reservation)
         || (r->has_memory_swap && r->memory_swap) || r->disable_oom_killer;
}

static bool
wants_cpu (const struct ctrun_resources *r)
{
  return (r->has_cpu_shares && r->cpu_shares) || (r->has_cpu_quota && r->cpu_quota)
         || (r->has_cpu_period && r->cpu_period);
}

static bool
wants_pids (const struct ctrun_resources *r)
{
  return r->has_pids_limit && r->pids_limit != 0;
}

bool
ctrun_cgroup_limits_need_v1 (const struct ctrun_resources *r, const char *controller)
{
  if (strcmp (controller, "memory") == 0 && wants_memory (r))
    return true;
  if (strcmp (controller, "pids") == 0 && wants_pids (r))
    return true;
  if (strcmp (controller, "cpu") == 0 && wants_cpu (r))
    return true;
  if (strcmp (controller, "devices") == 0 && r->n_device_rules)
    return true;
  if (strcmp (controller, "blkio") == 0 && ctrun_resources_want_blkio (r))
    return true;
  return has_setting_for (r, controller);
}

int
ctrun_cgroup_limits_check (const struct ctrun_resources *r, bool v2, ctrun_error_t *err)
{
  for (size_t i = 0; i < r->n_settings; i++)
    {
      const struct ctrun_cgroup_setting *st = &r->settings[i];
      if (v2 && st->v2_file == NULL)
        return ctrun_make_error (err, 0, "linux.resources.%s needs cgroup v1; this host has v2", st->what);
      if (!v2 && st->v1_controller == NULL)
        return ctrun_make_error (err, 0, "linux.resources.%s needs cgroup v2; this host has v1 controllers", st->what);
    }
  return 0;
}

/* The settings of one v1 controller (NULL: the v2 files). A value the kernel refuses with EINVAL
   is tried again after the others, once: some files bound each other (cpu.rt_period_us must
   fit the rt_runtime_us in force, and a new runtime may be what makes a new period fit). */
static int
write_settings (const struct ctrun_resources *r, const char *v1_controller, const char *dir, ctrun_error_t *err)
{
  cleanup_free bool *again = xmalloc0 (sizeof (bool) * (r->n_settings + 1));

  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < r->n_settings; i++)
      {
        const struct ctrun_cgroup_setting *st = &r->settings[i];
        const char *file = v1_controller ? st->v1_file : st->v2_file;
        char path[4096];
        if (v1_controller == NULL ? st->v2_file == NULL : (st->v1_controller == NULL || strcmp (st->v1_controller, v1_controller) != 0))
          continue;
        if (pass == 1 && !again[i])
          continue;
        snprintf (path, sizeof (path), "%s/%s", dir, file);
        if (pass == 0 && write_file_str (path, st->value, NULL) == 0)
          continue;
        if (pass == 0 && errno == EINVAL)
          again[i] = true;
        else if (write_value (dir, file, st->value, err) < 0) /* the second try, or to say why */
          return -1;
      }
  return 0;
}

/* ---- v1 --------------------------------------------------------------- */

/* A new v1 cpuset cgroup has no cpus and no mems, and takes no task until it has both:
   what is empty is copied from the parent, which is filled the same way first (a nested
   cgroupsPath makes several new directories). */
static int
init_cpuset (const char *dir, ctrun_error_t *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  cleanup_free char *parent = xstrdup (dir);
  char *slash = strrchr (parent, '/');
  bool parent_filled = false;

  if (slash == NULL || strcmp (dir, CGROUP_ROOT "/cpuset") == 0)
    return 0;
  *slash = '\0';
  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      char path[4096];
      cleanup_free char *mine = NULL, *theirs = NULL;
      snprintf (path, sizeof (path), "%s/%s", dir, files[i]);
      if (read_file (path, &mine, NULL, err) < 0)
        return -1;
      if (mine[0] != '\n' && mine[0] != '\0')
        continue;
      if (!parent_filled && init_cpuset (parent, err) < 0)
        return -1;
      parent_filled = true;
      snprintf (path, sizeof (path), "%s/%s", parent, files[i]);
      if (read_file (path, &theirs, NULL, err) < 0 || write_value (dir, files[i], theirs, err) < 0)
        return -1;
    }
  return 0;
}

/* memory.limit_in_bytes; EBUSY means the container already uses more. */
static int
write_v1_memory_limit (const char *dir, int64_t limit, ctrun_error_t *err)
{
  int64_t usage = 0;
  if (limit == 0 || write_int (dir, "memory.limit_in_bytes", limit, err) == 0)
    return 0;
  if (read_number (dir, "memory.usage_in_bytes", &usage) && limit > 0 && usage > limit)
    return ctrun_error_wrap (err, "memory limit %" PRId64 " is below the container's usage %" PRId64, limit, usage);
  return -1;
}

/* The kernel keeps memory.memsw.limit_in_bytes >= memory.limit_in_bytes at every step. */
static int
write_v1_memory (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  int64_t limit = r->has_memory_limit ? r->memory_limit : 0;
  int64_t swap = r->has_memory_swap ? r->memory_swap : 0;
  int64_t current;

  /* an unlimited memory with no word on swap lifts the swap limit too */
  if (limit == -1 && swap == 0 && file_exists (dir, "memory.memsw.limit_in_bytes"))
    swap = -1;
  if (limit != 0 && swap != 0 && (swap == -1 || (read_number (dir, "memory.limit_in_bytes", &current) && current < swap)))
    {
      if (write_int (dir, "memory.memsw.limit_in_bytes", swap, err) < 0 || write_v1_memory_limit (dir, limit, err) < 0)
        return -1;
    }
  else if (write_v1_memory_limit (dir, limit, err) < 0
           || (swap != 0 && write_int (dir, "memory.memsw.limit_in_bytes", swap, err) < 0))
    return -1;
  if (r->has_memory_reservation && r->memory_reservation
      && write_int (dir, "memory.soft_limit_in_bytes", r->memory_reservation, err) < 0)
    return -1;
  if (r->disable_oom_killer && write_value (dir, "memory.oom_control", "1", err) < 0)
    return -1;
  return 0;
}

/* The period and the quota: a period the current quota does not fit is retried after it. */
static int
write_v1_cpu (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  bool period_later = false;

  if (r->has_cpu_shares && r->cpu_shares && write_int (dir, "cpu.shares", r->cpu_shares, err) < 0)
    return -1;
  if (r->has_cpu_period && r->cpu_period && write_int (dir, "cpu.cfs_period_us", r->cpu_period, NULL) < 0)
    {
      if (!(r->has_cpu_quota && r->cpu_quota))
        return write_int (dir, "cpu.cfs_period_us", r->cpu_period, err);
      period_later = true;
    }
  if (r->has_cpu_quota && r->cpu_quota && write_int (dir, "cpu.cfs_quota_us", r->cpu_quota, err) < 0)
    return -1;
  if (period_later && write_int (dir, "cpu.cfs_period_us", r->cpu_period, err) < 0)
    return -1;
  return 0;
}

/* blkio: the weight files are blkio.weight with CFQ, blkio.bfq.* with BFQ. */
static int
write_v1_blkio (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  static const char *const throttle_files[BLKIO_THROTTLES] = {
    [BLKIO_THROTTLE_READ_BPS] = "blkio.throttle.read_bps_device",
    [BLKIO_THROTTLE_WRITE_BPS] = "blkio.throttle.write_bps_device",
    [BLKIO_THROTTLE_READ_IOPS] = "blkio.throttle.read_iops_device",
    [BLKIO_THROTTLE_WRITE_IOPS] = "blkio.throttle.write_iops_device",
  };
  bool cfq = file_exists (dir, "blkio.weight");
  const char *weight_file = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const char *weight_device_file = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  char buf[96];

  if ((r->blkio_weight || r->n_blkio_weight_devices) && !file_exists (dir, weight_file))
    return ctrun_make_error (err, 0, "linux.resources.blockIO weights need the CFQ or BFQ I/O scheduler: `%s` has "
                             "neither blkio.weight nor blkio.bfq.weight", dir);
  if (r->blkio_weight && write_int (dir, weight_file, r->blkio_weight, err) < 0)
    return -1;
  if (r->blkio_leaf_weight && write_int (dir, "blkio.leaf_weight", r->blkio_leaf_weight, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_blkio_weight_devices; i++)
    {
      const struct ctrun_blkio_device *d = &r->blkio_weight_devices[i];
      snprintf (buf, sizeof (buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight);
      if (d->weight && write_value (dir, weight_device_file, buf, err) < 0)
        return -1;
      snprintf (buf, sizeof (buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight);
      if (d->leaf_weight && write_value (dir, "blkio.leaf_weight_device", buf, err) < 0)
        return -1;
    }
  for (int t = 0; t < BLKIO_THROTTLES; t++)
    for (size_t i = 0; i < r->n_blkio_throttles[t]; i++)
      {
        const struct ctrun_blkio_device *d = &r->blkio_throttles[t][i];
        snprintf (buf, sizeof (buf), "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->rate);
        if (write_value (dir, throttle_files[t], buf, err) < 0)
          return ctrun_error_wrap (err, "linux.resources.blockIO.%s", ctrun_blkio_throttle_key (t));
      }
  return 0;
}

static int
write_pids_max (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  if (!wants_pids (r))
    return 0;
  if (r->pids_limit < 0)
    return write_value (dir, "pids.max", "max", err);
  return write_int (dir, "pids.max", r->pids_limit, err);
}

int
ctrun_cgroup_limits_write_v1 (const struct ctrun_resources *r, const char *controller, const char *dir,
                              bool creating, ctrun_error_t *err)
{
  if (creating && strcmp (controller, "cpuset") == 0 && init_cpuset (dir, err) < 0)
    return -1;
  /* realtime before the CFS values, as runc: a runtime is checked against the period */
  if (write_settings (r, controller, dir, err) < 0)
    return -1;
  if (strcmp (controller, "memory") == 0)
    return write_v1_memory (r, dir, err);
  if (strcmp (controller, "pids") == 0)
    return write_pids_max (r, dir, err);
  if (strcmp (controller, "cpu") == 0)
    return write_v1_cpu (r, dir, err);
  if (strcmp (controller, "devices") == 0 && creating)
    return write_v1_devices (r, dir, err);
  if (strcmp (controller, "blkio") == 0)
    return write_v1_blkio (r, dir, err);
  return 0;
}

/* ---- v2 --------------------------------------------------------------- */

/* After a failed write of WANT ("+memory +pids") to DIR's subtree_control: if one of them is
   not in DIR's cgroup.controllers (bound to a v1 hierarchy, or not given by the parent), an
   error that says so replaces the kernel's bare ENOENT. */
static int
unavailable_controller (const char *dir, const char *want, ctrun_error_t *err)
{
  char path[4096];
  cleanup_free char *available = NULL;

  snprintf (path, sizeof (path), "%s/cgroup.controllers", dir);
  if (read_file (path, &available, NULL, NULL) < 0)
    return 0;
  available[strcspn (available, "\n")] = '\0';
  for (const char *p = want; (p = strchr (p, '+')) != NULL;)
    {
      size_t len = strcspn (++p, " ");
      bool found = false;
      for (const char *a = available; *a; a += strcspn (a, " "), a += *a == ' ')
        if (strncmp (a, p, len) == 0 && (a[len] == ' ' || a[len] == '\0'))
          found = true;
      if (!found)
        {
          ctrun_error_release (err);
          return ctrun_make_error (err, 0, "the cgroup v2 controller `%.*s` is not available in `%s` (cgroup.controllers: `%s`)",
                                   (int) len, p, dir, available);
        }
      p += len;
    }
  return 0;
}

/* Controllers must be enabled in cgroup.subtree_control of every ancestor. */
static int
enable_v2_controllers (const struct ctrun_resources *r, const char *leaf, ctrun_error_t *err)
{
  char want[256] = "";
  cleanup_free char *dir = xstrdup (leaf);
  char *p = dir + strlen (CGROUP_ROOT);

  if (wants_memory (r))
    strcat (want, "+memory ");
  if (wants_pids (r))
    strcat (want, "+pids ");
  if (wants_cpu (r))
    strcat (want, "+cpu ");
  if (ctrun_resources_want_blkio (r))
    strcat (want, "+io ");
  for (size_t i = 0; i < r->n_settings; i++)
    {
      /* cpuset.cpus → +cpuset; unified keys likewise by their prefix (cgroup.* need none) */
      const char *f = r->settings[i].v2_file;
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
      char path[4096];
      *s = '\0';
      snprintf (path, sizeof (path), "%s/cgroup.subtree_control", dir);
      if (write_file_str (path, want, err) < 0)
        return unavailable_controller (dir, want, err) < 0 ? -1 : ctrun_error_wrap (err, "enable cgroup controllers");
      *s = '/';
    }
  return 0;
}

/* "max" for -1, the number otherwise (0 is never written: it means "not set"). */
static int
write_limit (const char *dir, const char *file, int64_t value, ctrun_error_t *err)
{
  if (value == 0)
    return 0;
  if (value < 0)
    return write_value (dir, file, "max", err);
  return write_int (dir, file, value, err);
}

/* OCI's swap is memory+swap; v2's memory.swap.max is the swap alone. Written before
   memory.max, as runc does. */
static int
write_v2_memory (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  int64_t limit = r->has_memory_limit ? r->memory_limit : 0;
  int64_t swap = r->has_memory_swap ? r->memory_swap : 0;

  if (limit == -1 && swap == 0)
    swap = -1;
  if (r->check_before_update && limit > 0)
    {
      /* v1's kernel refuses such a limit itself (EBUSY); v2's would reclaim and OOM-kill */
      int64_t usage;
      if (read_number (dir, "memory.current", &usage) && usage > limit)
        return ctrun_make_error (err, 0, "memory limit %" PRId64 " is below the container's usage %" PRId64
                                 " (linux.resources.memory.checkBeforeUpdate)", limit, usage);
    }
  if (swap > 0)
    {
      if (limit <= 0)
        return ctrun_make_error (err, 0, "linux.resources.memory.swap needs a memory limit too");
      if (swap < limit)
        return ctrun_make_error (err, 0, "linux.resources.memory.swap (memory+swap) must be >= memory.limit");
      if (write_int (dir, "memory.swap.max", swap - limit, err) < 0)
        return -1;
    }
  else if (swap < 0 && write_value (dir, "memory.swap.max", "max", err) < 0)
    return -1;
  if (write_limit (dir, "memory.max", limit, err) < 0)
    return -1;
  if (r->has_memory_reservation && write_limit (dir, "memory.low", r->memory_reservation, err) < 0)
    return -1;
  return 0;
}

/* cpu.weight from shares; cpu.max "QUOTA PERIOD", keeping the current one of the two not given. */
static int
write_v2_cpu (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  uint64_t period = r->has_cpu_period ? r->cpu_period : 0;
  int64_t quota = r->has_cpu_quota ? r->cpu_quota : 0;
  char buf[64];

  if (r->has_cpu_shares && r->cpu_shares)
    {
      /* The cgroup v1 → v2 conversion runc and crun use: [2, 262144] → [1, 10000]. */
      uint64_t weight = 1 + ((r->cpu_shares - 2) * 9999) / 262142;
      if (write_int (dir, "cpu.weight", weight, err) < 0)
        return -1;
    }
  if (quota == 0 && period == 0)
    return 0;
  if (quota == 0)
    {
      /* a new period alone keeps the quota in force */
      char path[4096];
      cleanup_free char *current = NULL;
      snprintf (path, sizeof (path), "%s/cpu.max", dir);
      if (read_file (path, &current, NULL, NULL) == 0 && strncmp (current, "max", 3) != 0)
        quota = strtoll (current, NULL, 10);
    }
  if (quota > 0)
    snprintf (buf, sizeof (buf), "%" PRId64, quota);
  else
    strcpy (buf, "max");
  if (period)
    snprintf (buf + strlen (buf), sizeof (buf) - strlen (buf), " %" PRIu64, period);
  return write_value (dir, "cpu.max", buf, err);
}

/* io: weights through BFQ's io.bfq.weight where it exists (the device weights need it), else
   io.weight with runc's [10, 1000] → [1, 10000] conversion; the throttles in io.max. */
static int
write_v2_io (const struct ctrun_resources *r, const char *dir, ctrun_error_t *err)
{
  static const char *const io_max_keys[BLKIO_THROTTLES] = {
    [BLKIO_THROTTLE_READ_BPS] = "rbps",
    [BLKIO_THROTTLE_WRITE_BPS] = "wbps",
    [BLKIO_THROTTLE_READ_IOPS] = "riops",
    [BLKIO_THROTTLE_WRITE_IOPS] = "wiops",
  };
  bool bfq = file_exists (dir, "io.bfq.weight");
  char buf[96];

  if (r->blkio_weight)
    {
      if (bfq)
        {
          if (write_int (dir, "io.bfq.weight", r->blkio_weight, err) < 0)
            return -1;
        }
      else if (write_int (dir, "io.weight", 1 + ((unsigned) r->blkio_weight - 10) * 9999 / 990, err) < 0)
        return -1;
    }
  if (r->n_blkio_weight_devices && !bfq)
    return ctrun_make_error (err, 0, "linux.resources.blockIO.weightDevice needs the BFQ I/O scheduler on cgroup v2 "
                             "(`%s/io.bfq.weight` is missing)", dir);
  for (size_t i = 0; i < r->n_blkio_weight_devices; i++)
    {
      const struct ctrun_blkio_device *d = &r->blkio_weight_devices[i];
      snprintf (buf, sizeof (buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight);
      if (d->weight && write_value (dir, "io.bfq.weight", buf, err) < 0)
        return -1;
    }
  for (int t = 0; t < BLKIO_THROTTLES; t++)
    for (size_t i = 0; i < r->n_blkio_throttles[t]; i++)
      {
        const struct ctrun_blkio_device *d = &r->blkio_throttles[t][i];
        snprintf (buf, sizeof (buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d->major, d->minor, io_max_keys[t], d->rate);
        if (write_value (dir, "io.max", buf, err) < 0)
          return ctrun_error_wrap (err, "linux.resources.blockIO.%s", ctrun_blkio_throttle_key (t));
      }
  return 0;
}

int
ctrun_cgroup_limits_write_v2 (const struct ctrun_resources *r, const char *leaf, ctrun_error_t *err)
{
  if (enable_v2_controllers (r, leaf, err) < 0 || write_settings (r, NULL, leaf, err) < 0)
    return -1;
  if (write_v2_memory (r, leaf, err) < 0 || write_pids_max (r, leaf, err) < 0 || write_v2_io (r, leaf, err) < 0)
    return -1;
  return write_v2_cpu (r, leaf, err);
}
