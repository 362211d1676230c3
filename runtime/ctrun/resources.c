/* resources.c — linux.resources → struct ctrun_resources, with jansson: the limits that have
 * their own code in cgroup-limits.c, and the one-file settings kept as data. */
#define _GNU_SOURCE
#include "resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-fields.h"
#include "utils.h"

static void
add_setting (struct ctrun_resources *c, const char *what, const char *v1_controller, const char *v1_file,
             const char *v2_file, const char *value)
{
  struct ctrun_cgroup_setting *st;
  c->settings = xrealloc (c->settings, sizeof (*c->settings) * (c->n_settings + 1));
  st = &c->settings[c->n_settings++];
  st->what = xstrdup (what);
  st->v1_controller = v1_controller;
  st->v1_file = v1_file ? xstrdup (v1_file) : NULL;
  st->v2_file = v2_file ? xstrdup (v2_file) : NULL;
  st->value = xstrdup (value);
}

/* The settings that are one file each (on v1, v2 or both). */
static int
parse_cgroup_settings (struct ctrun_resources *c, json_t *res, json_t *mem, json_t *cpu, ctrun_error_t *err)
{
  json_t *huge, *net, *unified, *v;
  const char *str, *key;
  bool flag;
  int64_t n;
  bool has;
  size_t i;
  char buf[64];

  if (cpu)
    {
      if (field_string (cpu, "cpus", "linux.resources.cpu", &str, err) < 0)
        return -1;
      if (str && *str)
        add_setting (c, "cpu.cpus", "cpuset", "cpuset.cpus", "cpuset.cpus", str);
      if (field_string (cpu, "mems", "linux.resources.cpu", &str, err) < 0)
        return -1;
      if (str && *str)
        add_setting (c, "cpu.mems", "cpuset", "cpuset.mems", "cpuset.mems", str);
      if (field_int (cpu, "realtimePeriod", "linux.resources.cpu", &has, &n, err) < 0)
        return -1;
      if (has && n)
        add_setting (c, "cpu.realtimePeriod", "cpu", "cpu.rt_period_us", NULL, (snprintf (buf, sizeof (buf), "%lld", (long long) n), buf));
      if (field_int (cpu, "realtimeRuntime", "linux.resources.cpu", &has, &n, err) < 0)
        return -1;
      if (has && n)
        add_setting (c, "cpu.realtimeRuntime", "cpu", "cpu.rt_runtime_us", NULL, (snprintf (buf, sizeof (buf), "%lld", (long long) n), buf));
      if (field_int (cpu, "idle", "linux.resources.cpu", &has, &n, err) < 0)
        return -1;
      if (has)
        add_setting (c, "cpu.idle", NULL, NULL, "cpu.idle", (snprintf (buf, sizeof (buf), "%lld", (long long) n), buf));
    }
  if (mem)
    {
      if (field_int (mem, "swappiness", "linux.resources.memory", &has, &n, err) < 0)
        return -1;
      if (has)
        {
          if (n < 0 || n > 100)
            return ctrun_make_error (err, 0, "%s: linux.resources.memory.swappiness must be 0 to 100", field_document);
          add_setting (c, "memory.swappiness", "memory", "memory.swappiness", NULL, (snprintf (buf, sizeof (buf), "%lld", (long long) n), buf));
        }
      if (json_object_get (mem, "useHierarchy") && field_bool (mem, "useHierarchy", "linux.resources.memory", &flag, err) == 0
          && flag)
        add_setting (c, "memory.useHierarchy", "memory", "memory.use_hierarchy", NULL, "1");
    }
  if (field_array (res, "hugepageLimits", "linux.resources", &huge, err) < 0)
    return -1;
  json_array_foreach (huge, i, v)
    {
      cleanup_free char *v1 = NULL, *v2 = NULL;
      const char *size = json_string_value (json_object_get (v, "pageSize"));
      json_t *limit = json_object_get (v, "limit");
      if (size == NULL || !json_is_integer (limit))
        return ctrun_make_error (err, 0, "%s: linux.resources.hugepageLimits[%zu] needs pageSize and limit", field_document, i);
      v1 = xasprintf ("hugetlb.%s.limit_in_bytes", size);
      v2 = xasprintf ("hugetlb.%s.max", size);
      snprintf (buf, sizeof (buf), "%lld", (long long) json_integer_value (limit));
      add_setting (c, "hugepageLimits", "hugetlb", v1, v2, buf);
    }
  if (field_object (res, "network", "linux.resources", &net, err) < 0)
    return -1;
  if (net)
    {
      json_t *prios = json_object_get (net, "priorities");
      if (field_int (net, "classID", "linux.resources.network", &has, &n, err) < 0)
        return -1;
      if (has)
        add_setting (c, "network.classID", "net_cls", "net_cls.classid", NULL, (snprintf (buf, sizeof (buf), "%lld", (long long) n), buf));
      json_array_foreach (prios, i, v)
        {
          const char *name = json_string_value (json_object_get (v, "name"));
          json_t *prio = json_object_get (v, "priority");
          if (name == NULL || !json_is_integer (prio))
            return ctrun_make_error (err, 0, "%s: linux.resources.network.priorities[%zu] needs name and priority", field_document, i);
          snprintf (buf, sizeof (buf), "%s %lld", name, (long long) json_integer_value (prio));
          add_setting (c, "network.priorities", "net_prio", "net_prio.ifpriomap", NULL, buf);
        }
    }
  if (field_object (res, "unified", "linux.resources", &unified, err) < 0)
    return -1;
  json_object_foreach (unified, key, v)
    {
      if (!json_is_string (v) || strchr (key, '/') || strstr (key, ".."))
        return ctrun_make_error (err, 0, "%s: linux.resources.unified.%s must be a file name with a string value", field_document, key);
      add_setting (c, "unified", NULL, NULL, key, json_string_value (v));
    }
  return 0;
}

/* One device of blockIO's lists: major and minor, then the weights or the rate. */
static int
parse_blkio_device (json_t *v, const char *where, size_t i, bool weights, struct ctrun_blkio_device *d, ctrun_error_t *err)
{
  static const char *const weight_keys[] = { "major", "minor", "weight", "leafWeight", NULL };
  static const char *const rate_keys[] = { "major", "minor", "rate", NULL };
  bool has_major, has_minor, has_rate = false;
  int64_t weight = 0, leaf = 0, rate = 0;

  if (!json_is_object (v))
    return ctrun_make_error (err, 0, "%s: %s[%zu] must be an object", field_document, where, i);
  if (field_check_keys (v, where, weights ? weight_keys : rate_keys, err) < 0
      || field_int (v, "major", where, &has_major, &d->major, err) < 0
      || field_int (v, "minor", where, &has_minor, &d->minor, err) < 0)
    return -1;
  if (!has_major || !has_minor || d->major < 0 || d->minor < 0)
    return ctrun_make_error (err, 0, "%s: %s[%zu] needs major and minor", field_document, where, i);
  if (!weights)
    {
      if (field_int (v, "rate", where, &has_rate, &rate, err) < 0)
        return -1;
      if (!has_rate || rate < 0)
        return ctrun_make_error (err, 0, "%s: %s[%zu] needs a rate (>= 0)", field_document, where, i);
      d->rate = rate;
      return 0;
    }
  if (field_int (v, "weight", where, NULL, &weight, err) < 0 || field_int (v, "leafWeight", where, NULL, &leaf, err) < 0)
    return -1;
  if ((weight != 0 && (weight < 10 || weight > 1000)) || (leaf != 0 && (leaf < 10 || leaf > 1000)))
    return ctrun_make_error (err, 0, "%s: %s[%zu]: weights must be 10 to 1000", field_document, where, i);
  d->weight = weight;
  d->leaf_weight = leaf;
  return 0;
}

static int
parse_blkio_list (json_t *blkio, const char *key, bool weights, struct ctrun_blkio_device **out, size_t *n,
                  ctrun_error_t *err)
{
  cleanup_free char *where = xasprintf ("linux.resources.blockIO.%s", key);
  json_t *arr, *v;
  size_t i;

  if (field_array (blkio, key, "linux.resources.blockIO", &arr, err) < 0)
    return -1;
  if (arr == NULL)
    return 0;
  *out = xmalloc0 (sizeof (**out) * (json_array_size (arr) + 1));
  json_array_foreach (arr, i, v)
    {
      if (parse_blkio_device (v, where, i, weights, &(*out)[*n], err) < 0)
        return -1;
      (*n)++;
    }
  return 0;
}

static const char *const throttle_keys[BLKIO_THROTTLES] = {
  [BLKIO_THROTTLE_READ_BPS] = "throttleReadBpsDevice",
  [BLKIO_THROTTLE_WRITE_BPS] = "throttleWriteBpsDevice",
  [BLKIO_THROTTLE_READ_IOPS] = "throttleReadIOPSDevice",
  [BLKIO_THROTTLE_WRITE_IOPS] = "throttleWriteIOPSDevice",
};

static int
parse_blkio (struct ctrun_resources *c, json_t *blkio, ctrun_error_t *err)
{
  static const char *const allowed[] = { "weight", "leafWeight", "weightDevice", "throttleReadBpsDevice",
                                         "throttleWriteBpsDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice",
                                         NULL };
  int64_t weight = 0, leaf = 0;

  if (blkio == NULL)
    return 0;
  if (field_check_keys (blkio, "linux.resources.blockIO", allowed, err) < 0
      || field_int (blkio, "weight", "linux.resources.blockIO", NULL, &weight, err) < 0
      || field_int (blkio, "leafWeight", "linux.resources.blockIO", NULL, &leaf, err) < 0)
    return -1;
  if (weight != 0 && (weight < 10 || weight > 1000))
    return ctrun_make_error (err, 0, "%s: linux.resources.blockIO.weight must be 10 to 1000", field_document);
  if (leaf != 0 && (leaf < 10 || leaf > 1000))
    return ctrun_make_error (err, 0, "%s: linux.resources.blockIO.leafWeight must be 10 to 1000", field_document);
  c->blkio_weight = weight;
  c->blkio_leaf_weight = leaf;
  if (parse_blkio_list (blkio, "weightDevice", true, &c->blkio_weight_devices, &c->n_blkio_weight_devices, err) < 0)
    return -1;
  for (int t = 0; t < BLKIO_THROTTLES; t++)
    if (parse_blkio_list (blkio, throttle_keys[t], false, &c->blkio_throttles[t], &c->n_blkio_throttles[t], err) < 0)
      return -1;
  return 0;
}

bool
ctrun_resources_want_blkio (const struct ctrun_resources *r)
{
  bool any = r->blkio_weight || r->blkio_leaf_weight || r->n_blkio_weight_devices;
  for (int t = 0; t < BLKIO_THROTTLES; t++)
    any = any || r->n_blkio_throttles[t];
  return any;
}

int
ctrun_resources_parse (struct ctrun_resources *c, json_t *res, ctrun_error_t *err)
{
  static const char *const allowed[] = { "memory", "pids", "cpu", "devices", "blockIO", "hugepageLimits", "network",
                                         "unified", NULL };
  /* kernel and kernelTCP are accepted and ignored, as runc does (the kernel dropped kmem limits) */
  static const char *const mem_allowed[] = { "limit", "reservation", "swap", "disableOOMKiller", "swappiness",
                                             "useHierarchy", "kernel", "kernelTCP", "checkBeforeUpdate", NULL };
  static const char *const cpu_allowed[] = { "shares", "quota", "period", "cpus", "mems", "realtimeRuntime",
                                             "realtimePeriod", "idle", NULL };
  static const char *const pids_allowed[] = { "limit", NULL };
  json_t *mem, *cpu, *pids, *devices, *blkio, *v;
  int64_t n;
  size_t i;

  if (res == NULL)
    return 0;
  if (field_object (res, "blockIO", "linux.resources", &blkio, err) < 0 || parse_blkio (c, blkio, err) < 0)
    return -1;
  if (field_check_keys (res, "linux.resources", allowed, err) < 0)
    return -1;
  if (field_object (res, "memory", "linux.resources", &mem, err) < 0
      || field_object (res, "cpu", "linux.resources", &cpu, err) < 0
      || field_object (res, "pids", "linux.resources", &pids, err) < 0
      || field_array (res, "devices", "linux.resources", &devices, err) < 0)
    return -1;
  if (mem)
    {
      if (field_check_keys (mem, "linux.resources.memory", mem_allowed, err) < 0
          || field_int (mem, "limit", "linux.resources.memory", &c->has_memory_limit, &c->memory_limit, err) < 0
          || field_int (mem, "reservation", "linux.resources.memory", &c->has_memory_reservation, &c->memory_reservation, err) < 0
          || field_int (mem, "swap", "linux.resources.memory", &c->has_memory_swap, &c->memory_swap, err) < 0
          || field_bool (mem, "disableOOMKiller", "linux.resources.memory", &c->disable_oom_killer, err) < 0
          || field_bool (mem, "checkBeforeUpdate", "linux.resources.memory", &c->check_before_update, err) < 0)
        return -1;
    }
  if (pids)
    {
      if (field_check_keys (pids, "linux.resources.pids", pids_allowed, err) < 0
          || field_int (pids, "limit", "linux.resources.pids", &c->has_pids_limit, &c->pids_limit, err) < 0)
        return -1;
    }
  if (parse_cgroup_settings (c, res, mem, cpu, err) < 0)
    return -1;
  if (cpu)
    {
      if (field_check_keys (cpu, "linux.resources.cpu", cpu_allowed, err) < 0)
        return -1;
      if (field_int (cpu, "shares", "linux.resources.cpu", &c->has_cpu_shares, &n, err) < 0)
        return -1;
      c->cpu_shares = n;
      if (field_int (cpu, "quota", "linux.resources.cpu", &c->has_cpu_quota, &c->cpu_quota, err) < 0)
        return -1;
      if (field_int (cpu, "period", "linux.resources.cpu", &c->has_cpu_period, &n, err) < 0)
        return -1;
      c->cpu_period = n;
    }
  if (devices)
    {
      c->device_rules = xmalloc0 (sizeof (*c->device_rules) * json_array_size (devices));
      json_array_foreach (devices, i, v)
        {
          struct ctrun_device_rule *r = &c->device_rules[c->n_device_rules++];
          const char *type, *access;
          bool has_major, has_minor;
          if (!json_is_object (v)
              || field_bool (v, "allow", "linux.resources.devices[]", &r->allow, err) < 0
              || field_string (v, "type", "linux.resources.devices[]", &type, err) < 0
              || field_string (v, "access", "linux.resources.devices[]", &access, err) < 0
              || field_int (v, "major", "linux.resources.devices[]", &has_major, &r->major, err) < 0
              || field_int (v, "minor", "linux.resources.devices[]", &has_minor, &r->minor, err) < 0)
            return -1;
          r->type = type && *type ? type[0] : 'a';
          if (strchr ("acb", r->type) == NULL)
            return ctrun_make_error (err, 0, "%s: linux.resources.devices[%zu].type `%s` is invalid", field_document, i, type);
          if (!has_major)
            r->major = -1;
          if (!has_minor)
            r->minor = -1;
          access = access && *access ? access : "rwm";
          if (strlen (access) > 3 || strspn (access, "rwm") != strlen (access))
            return ctrun_make_error (err, 0, "%s: linux.resources.devices[%zu].access `%s` is invalid", field_document, i, access);
          strcpy (r->access, access);
        }
    }
  return 0;
}


void
ctrun_resources_free (struct ctrun_resources *r)
{
  free (r->device_rules);
  for (size_t i = 0; i < r->n_settings; i++)
    {
      free (r->settings[i].what);
      free (r->settings[i].v1_file);
      free (r->settings[i].v2_file);
      free (r->settings[i].value);
    }
  free (r->settings);
  free (r->blkio_weight_devices);
  for (int t = 0; t < BLKIO_THROTTLES; t++)
    free (r->blkio_throttles[t]);
  memset (r, 0, sizeof (*r));
}

const char *
ctrun_blkio_throttle_key (enum ctrun_blkio_throttle t)
{
  return throttle_keys[t];
}
