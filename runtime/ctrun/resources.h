/* resources.h — linux.resources (of config.json, and of `update`) as C data. */
#ifndef CTRUN_RESOURCES_H
#define CTRUN_RESOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct ctrun_device_rule  /* linux.resources.devices */
{
  bool allow;
  char type;           /* 'a', 'c', 'b' */
  int64_t major, minor; /* -1 = any */
  char access[4];
};

/* A cgroup file to write, named per hierarchy kind: NULL where that kind has none (then
   the setting is refused on such a host). */
struct ctrun_cgroup_setting
{
  char *what;          /* as config.json names it, for errors */
  const char *v1_controller;
  char *v1_file, *v2_file, *value;
};

/* blockIO's per-device rules: a weight (weightDevice) or a rate (the throttles). */
struct ctrun_blkio_device
{
  int64_t major, minor;
  uint16_t weight, leaf_weight; /* weightDevice; 0: not set */
  uint64_t rate;                /* throttle*Device */
};

enum ctrun_blkio_throttle
{
  BLKIO_THROTTLE_READ_BPS,
  BLKIO_THROTTLE_WRITE_BPS,
  BLKIO_THROTTLE_READ_IOPS,
  BLKIO_THROTTLE_WRITE_IOPS,
  BLKIO_THROTTLES
};

/* linux.resources. A value of 0 means "not set", as in runc, except where a has_ flag says. */
struct ctrun_resources
{
  bool has_memory_limit, has_memory_reservation, has_memory_swap;
  bool disable_oom_killer;
  bool check_before_update; /* memory.checkBeforeUpdate: refuse a limit below the current usage */
  uint16_t blkio_weight, blkio_leaf_weight; /* 0: not set */
  struct ctrun_blkio_device *blkio_weight_devices;
  size_t n_blkio_weight_devices;
  struct ctrun_blkio_device *blkio_throttles[BLKIO_THROTTLES];
  size_t n_blkio_throttles[BLKIO_THROTTLES];
  int64_t memory_limit, memory_reservation, memory_swap;
  bool has_pids_limit;
  int64_t pids_limit;
  bool has_cpu_shares, has_cpu_quota, has_cpu_period;
  uint64_t cpu_shares, cpu_period;
  int64_t cpu_quota;
  struct ctrun_device_rule *device_rules;
  size_t n_device_rules;
  /* cpu.cpus, mems, realtime and idle, memory.swappiness and useHierarchy, hugepageLimits, network,
     unified: plain writes, kept as data */
  struct ctrun_cgroup_setting *settings;
  size_t n_settings;
};

/* Parses RES (NULL: nothing) into R; field_document names the source in errors. */
int ctrun_resources_parse (struct ctrun_resources *r, json_t *res, ctrun_error_t *err);
/* Whether any blockIO field is set (the blkio/io controller is needed). */
bool ctrun_resources_want_blkio (const struct ctrun_resources *r);
/* blockIO's throttle*Device key of a throttle kind. */
const char *ctrun_blkio_throttle_key (enum ctrun_blkio_throttle t);
void ctrun_resources_free (struct ctrun_resources *r);

#endif
