/* stats.c — the container's resource usage as `runc events` prints it ("data" of a "stats"
 * event): cpu, cpuset, memory, pids, blkio, hugetlb, read from the cgroup files runc reads on
 * v1 (cpuacct, cpu, cpuset, memory, pids, blkio, hugetlb) and v2 (cpu.stat, memory.*, io.stat,
 * pids.*, hugetlb.*). Keys runc leaves out when zero (Go's omitempty) are left out here too. */
#define _GNU_SOURCE
#include "stats.h"

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "utils.h"

/* jansson's integers are signed 64-bit: v2's "max" (UINT64_MAX, as runc reports it) is stored
   as this marker and written out as 18446744073709551615 by ctrun_stats_dump. */
#define U64_MAX_MARKER LLONG_MIN

static json_t *
json_u64 (uint64_t v)
{
  return json_integer (v > INT64_MAX ? U64_MAX_MARKER : (json_int_t) v);
}

/* Sets KEY unless V is 0 (Go's omitempty). */
static void
set_nonzero (json_t *o, const char *key, uint64_t v)
{
  if (v)
    json_object_set_new (o, key, json_u64 (v));
}

static char *
read_in (const char *dir, const char *file)
{
  char path[4096];
  char *text = NULL;
  if (dir == NULL)
    return NULL;
  snprintf (path, sizeof (path), "%s/%s", dir, file);
  if (read_file (path, &text, NULL, NULL) < 0)
    return NULL;
  return text;
}

/* A file holding one number; "max" is UINT64_MAX; missing or unreadable is 0. */
static uint64_t
read_u64 (const char *dir, const char *file)
{
  cleanup_free char *text = read_in (dir, file);
  if (text == NULL)
    return 0;
  if (strncmp (text, "max", 3) == 0)
    return UINT64_MAX;
  return strtoull (text, NULL, 10);
}

/* "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events): the value of KEY. */
static uint64_t
keyed_value (const char *text, const char *key)
{
  size_t len = strlen (key);
  for (const char *line = text; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
    if (strncmp (line, key, len) == 0 && line[len] == ' ')
      return strtoull (line + len + 1, NULL, 10);
  return 0;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Every "key value" line as an object, keys sorted as Go writes a map (memory.stat → memory.raw). */
static json_t *
keyed_object (const char *text)
{
  json_t *o = json_object ();
  cleanup_strv char **lines = NULL;
  size_t n = 0;

  for (const char *line = text; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
    {
      const char *end = strchr (line, '\n');
      lines = xrealloc (lines, sizeof (char *) * (n + 2));
      lines[n++] = end ? strndup (line, end - line) : xstrdup (line);
      lines[n] = NULL;
    }
  if (n)
    qsort (lines, n, sizeof (char *), compare_strings);
  for (size_t i = 0; i < n; i++)
    {
      char key[128];
      unsigned long long v;
      if (sscanf (lines[i], "%127s %llu", key, &v) == 2)
        json_object_set_new (o, key, json_u64 (v));
    }
  return o;
}

/* "0-2,5" → [0, 1, 2, 5] (cpuset.cpus and cpuset.mems). */
static json_t *
cpu_list (const char *text)
{
  json_t *a = json_array ();
  const char *p = text;
  while (p && *p >= '0' && *p <= '9')
    {
      char *end;
      unsigned long from = strtoul (p, &end, 10), to = from;
      if (*end == '-')
        to = strtoul (end + 1, &end, 10);
      for (unsigned long n = from; n <= to && n - from < 65536; n++)
        json_array_append_new (a, json_integer (n));
      p = *end == ',' ? end + 1 : NULL;
    }
  return a;
}

/* Sets KEY to the list in DIR/FILE unless it is empty (omitempty). */
static void
set_list (json_t *o, const char *key, const char *dir, const char *file)
{
  cleanup_free char *text = read_in (dir, file);
  json_t *a = cpu_list (text);
  if (json_array_size (a))
    json_object_set_new (o, key, a);
  else
    json_decref (a);
}

/* The hugepage sizes of the host as runc names them: hugepages-2048kB → "2MB". */
static size_t
hugepage_sizes (char names[][24], size_t max)
{
  DIR *d = opendir ("/sys/kernel/mm/hugepages");
  struct dirent *e;
  size_t n = 0;

  if (d == NULL)
    return 0;
  while ((e = readdir (d)) != NULL && n < max)
    {
      unsigned long kb;
      if (sscanf (e->d_name, "hugepages-%lukB", &kb) != 1)
        continue;
      if (kb % (1024 * 1024) == 0)
        snprintf (names[n++], 24, "%luGB", kb / (1024 * 1024));
      else if (kb % 1024 == 0)
        snprintf (names[n++], 24, "%luMB", kb / 1024);
      else
        snprintf (names[n++], 24, "%luKB", kb);
    }
  closedir (d);
  return n;
}

/* {limit, usage, max, failcnt} of memory, memsw, kmem or kmem.tcp (v1). */
static json_t *
v1_memory_entry (const char *dir, const char *prefix)
{
  char file[64];
  json_t *o = json_object ();
  snprintf (file, sizeof (file), "%s.limit_in_bytes", prefix);
  json_object_set_new (o, "limit", json_u64 (read_u64 (dir, file)));
  snprintf (file, sizeof (file), "%s.usage_in_bytes", prefix);
  set_nonzero (o, "usage", read_u64 (dir, file));
  snprintf (file, sizeof (file), "%s.max_usage_in_bytes", prefix);
  set_nonzero (o, "max", read_u64 (dir, file));
  snprintf (file, sizeof (file), "%s.failcnt", prefix);
  json_object_set_new (o, "failcnt", json_u64 (read_u64 (dir, file)));
  return o;
}

static json_t *
memory_entry (uint64_t limit, uint64_t usage)
{
  json_t *o = json_pack ("{s:o}", "limit", json_u64 (limit));
  set_nonzero (o, "usage", usage);
  json_object_set_new (o, "failcnt", json_integer (0));
  return o;
}

static json_t *
cpuset_stats (const char *dir, bool v2)
{
  static const char *const numbers[] = { "cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate",
                                         "memory_spread_page", "memory_spread_slab", "memory_pressure",
                                         "sched_load_balance" };
  json_t *o = json_object ();
  char file[64];

  set_list (o, "cpus", dir, v2 ? "cpuset.cpus.effective" : "cpuset.cpus");
  for (size_t i = 0; i < ARRAY_SIZE (numbers); i++)
    {
      snprintf (file, sizeof (file), "cpuset.%s", numbers[i]);
      json_object_set_new (o, numbers[i], json_integer (v2 ? 0 : read_u64 (dir, file)));
      if (i == 0) /* runc's order: cpus, cpu_exclusive, mems, ... */
        set_list (o, "mems", dir, v2 ? "cpuset.mems.effective" : "cpuset.mems");
    }
  {
    cleanup_free char *level = v2 ? NULL : read_in (dir, "cpuset.sched_relax_domain_level");
    json_object_set_new (o, "sched_relax_domain_level", json_integer (level ? strtoll (level, NULL, 10) : 0));
  }
  return o;
}

/* "8:0 Read 123" lines (v1 blkio) → [{major, minor, op, value}], Total lines left out. */
static json_t *
v1_blkio_entries (const char *dir, const char *file)
{
  cleanup_free char *text = read_in (dir, file);
  json_t *a = json_array ();
  for (const char *line = text; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
    {
      unsigned long long major, minor, value;
      char op[32];
      json_t *e;
      if (sscanf (line, "%llu:%llu %31s %llu", &major, &minor, op, &value) != 4)
        continue;
      e = json_object ();
      set_nonzero (e, "major", major);
      set_nonzero (e, "minor", minor);
      json_object_set_new (e, "op", json_string (op));
      set_nonzero (e, "value", value);
      json_array_append_new (a, e);
    }
  return a;
}

static void
set_entries (json_t *o, const char *key, json_t *entries)
{
  if (json_array_size (entries))
    json_object_set_new (o, key, entries);
  else
    json_decref (entries);
}

/* runc reads CFQ's statistics where the scheduler keeps them, else the throttling layer's. */
static json_t *
v1_blkio_stats (const char *dir)
{
  static const struct
  {
    const char *key, *cfq, *throttle;
  } files[] = {
    { "ioServiceBytesRecursive", "blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive" },
    { "ioServicedRecursive", "blkio.io_serviced_recursive", "blkio.throttle.io_serviced_recursive" },
    { "ioQueueRecursive", "blkio.io_queued_recursive", NULL },
    { "ioServiceTimeRecursive", "blkio.io_service_time_recursive", NULL },
    { "ioWaitTimeRecursive", "blkio.io_wait_time_recursive", NULL },
    { "ioMergedRecursive", "blkio.io_merged_recursive", NULL },
    { "ioTimeRecursive", "blkio.time_recursive", NULL },
    { "sectorsRecursive", "blkio.sectors_recursive", NULL },
  };
  json_t *o = json_object ();
  cleanup_free char *cfq_serviced = read_in (dir, "blkio.io_serviced_recursive");
  bool cfq = cfq_serviced && cfq_serviced[0] && strncmp (cfq_serviced, "Total", 5) != 0;

  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      const char *file = cfq ? files[i].cfq : files[i].throttle;
      if (file)
        set_entries (o, files[i].key, v1_blkio_entries (dir, file));
    }
  return o;
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." → the bytes and the I/Os, read and write. */
static json_t *
v2_io_stats (const char *dir)
{
  static const struct
  {
    const char *field, *key, *op;
  } fields[] = {
    { "rbytes", "ioServiceBytesRecursive", "Read" }, { "wbytes", "ioServiceBytesRecursive", "Write" },
    { "rios", "ioServicedRecursive", "Read" },       { "wios", "ioServicedRecursive", "Write" },
  };
  cleanup_free char *text = read_in (dir, "io.stat");
  json_t *o = json_object (), *bytes = json_array (), *ios = json_array ();

  for (const char *line = text; line && *line; line = strchr (line, '\n'), line = line ? line + 1 : NULL)
    {
      unsigned long long major, minor;
      int used;
      if (sscanf (line, "%llu:%llu%n", &major, &minor, &used) != 2)
        continue;
      for (size_t i = 0; i < ARRAY_SIZE (fields); i++)
        {
          char pattern[32];
          const char *at;
          const char *end = strchr (line, '\n');
          json_t *e;
          snprintf (pattern, sizeof (pattern), " %s=", fields[i].field);
          at = strstr (line + used, pattern);
          if (at == NULL || (end && at > end))
            continue;
          e = json_object ();
          set_nonzero (e, "major", major);
          set_nonzero (e, "minor", minor);
          json_object_set_new (e, "op", json_string (fields[i].op));
          set_nonzero (e, "value", strtoull (at + strlen (pattern), NULL, 10));
          json_array_append_new (strcmp (fields[i].key, "ioServiceBytesRecursive") == 0 ? bytes : ios, e);
        }
    }
  set_entries (o, "ioServiceBytesRecursive", bytes);
  set_entries (o, "ioServicedRecursive", ios);
  return o;
}

static json_t *
hugetlb_stats (const char *dir, bool v2)
{
  char names[8][24], file[256];
  size_t n = dir ? hugepage_sizes (names, ARRAY_SIZE (names)) : 0;
  json_t *o = json_object ();

  for (size_t i = 0; i < n; i++)
    {
      json_t *e;
      char path[4096];
      /* a size the cgroup has no files for (no hugetlb controller on v2) is left out, as runc does */
      snprintf (path, sizeof (path), v2 ? "%s/hugetlb.%s.current" : "%s/hugetlb.%s.usage_in_bytes", dir, names[i]);
      if (access (path, F_OK) < 0)
        continue;
      e = json_object ();
      if (v2)
        {
          cleanup_free char *events = NULL;
          snprintf (file, sizeof (file), "hugetlb.%s.current", names[i]);
          set_nonzero (e, "usage", read_u64 (dir, file));
          snprintf (file, sizeof (file), "hugetlb.%s.events", names[i]);
          events = read_in (dir, file);
          json_object_set_new (e, "failcnt", json_u64 (events ? keyed_value (events, "max") : 0));
        }
      else
        {
          snprintf (file, sizeof (file), "hugetlb.%s.usage_in_bytes", names[i]);
          set_nonzero (e, "usage", read_u64 (dir, file));
          snprintf (file, sizeof (file), "hugetlb.%s.max_usage_in_bytes", names[i]);
          set_nonzero (e, "max", read_u64 (dir, file));
          snprintf (file, sizeof (file), "hugetlb.%s.failcnt", names[i]);
          json_object_set_new (e, "failcnt", json_u64 (read_u64 (dir, file)));
        }
      json_object_set_new (o, names[i], e);
    }
  return o;
}

/* Per-cpu numbers separated by spaces (cpuacct.usage_percpu). */
static json_t *
number_list (const char *text)
{
  json_t *a = json_array ();
  for (const char *p = text; p && *p;)
    {
      char *end;
      unsigned long long v = strtoull (p, &end, 10);
      if (end == p)
        break;
      json_array_append_new (a, json_u64 (v));
      p = end;
      while (*p == ' ' || *p == '\n')
        p++;
    }
  return a;
}

static json_t *
v1_cpu_stats (const char *cpuacct, const char *cpu)
{
  cleanup_free char *stat = read_in (cpuacct, "cpuacct.stat");
  cleanup_free char *percpu = read_in (cpuacct, "cpuacct.usage_percpu");
  cleanup_free char *all = read_in (cpuacct, "cpuacct.usage_all");
  cleanup_free char *throttle = read_in (cpu, "cpu.stat");
  uint64_t ns_per_tick = 1000000000ULL / (uint64_t) sysconf (_SC_CLK_TCK);
  json_t *usage = json_object (), *throttling = json_object ();
  json_t *per_kernel = json_array (), *per_user = json_array ();

  set_nonzero (usage, "total", read_u64 (cpuacct, "cpuacct.usage"));
  set_entries (usage, "percpu", number_list (percpu));
  /* cpuacct.usage_all: "cpu user system" then one line a cpu */
  for (const char *line = all ? strchr (all, '\n') : NULL; line && *++line;)
    {
      unsigned long long n, user, system;
      if (sscanf (line, "%llu %llu %llu", &n, &user, &system) == 3)
        {
          json_array_append_new (per_kernel, json_u64 (system));
          json_array_append_new (per_user, json_u64 (user));
        }
      line = strchr (line, '\n');
    }
  set_entries (usage, "percpu_kernel", per_kernel);
  set_entries (usage, "percpu_user", per_user);
  json_object_set_new (usage, "kernel", json_u64 (stat ? keyed_value (stat, "system") * ns_per_tick : 0));
  json_object_set_new (usage, "user", json_u64 (stat ? keyed_value (stat, "user") * ns_per_tick : 0));
  if (throttle)
    {
      set_nonzero (throttling, "periods", keyed_value (throttle, "nr_periods"));
      set_nonzero (throttling, "throttledPeriods", keyed_value (throttle, "nr_throttled"));
      set_nonzero (throttling, "throttledTime", keyed_value (throttle, "throttled_time"));
    }
  return json_pack ("{s:o, s:o}", "usage", usage, "throttling", throttling);
}

static json_t *
v2_cpu_stats (const char *dir)
{
  cleanup_free char *stat = read_in (dir, "cpu.stat");
  json_t *usage = json_object (), *throttling = json_object ();

  if (stat)
    {
      set_nonzero (usage, "total", keyed_value (stat, "usage_usec") * 1000);
      json_object_set_new (usage, "kernel", json_u64 (keyed_value (stat, "system_usec") * 1000));
      json_object_set_new (usage, "user", json_u64 (keyed_value (stat, "user_usec") * 1000));
      set_nonzero (throttling, "periods", keyed_value (stat, "nr_periods"));
      set_nonzero (throttling, "throttledPeriods", keyed_value (stat, "nr_throttled"));
      set_nonzero (throttling, "throttledTime", keyed_value (stat, "throttled_usec") * 1000);
    }
  else
    json_object_update (usage, json_pack ("{s:i, s:i}", "kernel", 0, "user", 0));
  return json_pack ("{s:o, s:o}", "usage", usage, "throttling", throttling);
}

static json_t *
memory_stats (const char *dir, bool v2)
{
  cleanup_free char *stat = read_in (dir, "memory.stat");
  json_t *o = json_object (), *raw = keyed_object (stat);

  set_nonzero (o, "cache", stat ? keyed_value (stat, v2 ? "file" : "cache") : 0);
  if (v2)
    {
      uint64_t usage = read_u64 (dir, "memory.current"), limit = read_u64 (dir, "memory.max");
      uint64_t swap_usage = read_u64 (dir, "memory.swap.current"), swap_limit = read_u64 (dir, "memory.swap.max");
      /* as runc: swap reported as memory+swap, the v1 meaning */
      if (swap_limit != UINT64_MAX && limit != UINT64_MAX)
        swap_limit += limit;
      else
        swap_limit = UINT64_MAX;
      json_object_set_new (o, "usage", memory_entry (limit, usage));
      json_object_set_new (o, "swap", memory_entry (swap_limit, swap_usage + usage));
      json_object_set_new (o, "kernel", memory_entry (0, 0));
      json_object_set_new (o, "kernelTCP", memory_entry (0, 0));
    }
  else
    {
      json_object_set_new (o, "usage", v1_memory_entry (dir, "memory"));
      json_object_set_new (o, "swap", v1_memory_entry (dir, "memory.memsw"));
      json_object_set_new (o, "kernel", v1_memory_entry (dir, "memory.kmem"));
      json_object_set_new (o, "kernelTCP", v1_memory_entry (dir, "memory.kmem.tcp"));
    }
  if (json_object_size (raw))
    json_object_set_new (o, "raw", raw);
  else
    json_decref (raw);
  return o;
}

/* Processes listed in DIR/cgroup.procs. */
static uint64_t
count_procs (const char *dir)
{
  cleanup_free char *procs = read_in (dir, "cgroup.procs");
  uint64_t n = 0;
  for (const char *p = procs; p && *p; p++)
    n += *p == '\n';
  return n;
}

static json_t *
pids_stats (const char *dir)
{
  json_t *o = json_object ();
  uint64_t limit = read_u64 (dir, "pids.max");
  cleanup_free char *current = read_in (dir, "pids.current");
  /* without the pids controller (v2 leaves may lack it), runc counts cgroup.procs */
  set_nonzero (o, "current", current ? strtoull (current, NULL, 10) : count_procs (dir));
  set_nonzero (o, "limit", limit == UINT64_MAX ? 0 : limit); /* "max": no limit, reported as 0 by runc */
  return o;
}

json_t *
ctrun_stats_collect (const struct ctrun_cgroup *cg)
{
  bool v2 = cg->mode == CGROUP_MODE_V2;
  const char *cpu = ctrun_cgroup_leaf (cg, "cpu");

  return json_pack ("{s:o, s:o, s:o, s:o, s:o, s:o, s:{}, s:n}", "cpu",
                    v2 ? v2_cpu_stats (cpu) : v1_cpu_stats (ctrun_cgroup_leaf (cg, "cpuacct"), cpu), "cpuset",
                    cpuset_stats (ctrun_cgroup_leaf (cg, "cpuset"), v2), "memory",
                    memory_stats (ctrun_cgroup_leaf (cg, "memory"), v2), "pids",
                    pids_stats (ctrun_cgroup_leaf (cg, "pids")), "blkio",
                    v2 ? v2_io_stats (cpu) : v1_blkio_stats (ctrun_cgroup_leaf (cg, "blkio")), "hugetlb",
                    hugetlb_stats (ctrun_cgroup_leaf (cg, "hugetlb"), v2), "intel_rdt", "network_interfaces");
}

char *
ctrun_stats_dump (json_t *event)
{
  static const char marker[] = "-9223372036854775808", u64_max[] = "18446744073709551615";
  char *text = json_dumps (event, JSON_COMPACT);
  char *out, *w;
  size_t count = 0;

  for (char *p = text; (p = strstr (p, marker)) != NULL; p += sizeof (marker) - 1)
    count++;
  out = xmalloc0 (strlen (text) + count * (sizeof (u64_max) - sizeof (marker)) + 1);
  w = out;
  for (char *p = text, *at; *p; p = at + sizeof (marker) - 1)
    {
      at = strstr (p, marker);
      if (at == NULL)
        {
          strcpy (w, p);
          break;
        }
      memcpy (w, p, at - p);
      w += at - p;
      memcpy (w, u64_max, sizeof (u64_max) - 1);
      w += sizeof (u64_max) - 1;
    }
  free (text);
  return out;
}
