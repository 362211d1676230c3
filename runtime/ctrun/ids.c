/* ids.c — see ids.h. */
#define _GNU_SOURCE
#include "ids.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"

int
ctrun_set_rlimits (const struct ctrun_config *c, ctrun_error_t *err)
{
  for (size_t i = 0; i < c->n_rlimits; i++)
    {
      struct rlimit rl = { .rlim_cur = c->rlimits[i].soft, .rlim_max = c->rlimits[i].hard };
      if (setrlimit (c->rlimits[i].resource, &rl) < 0)
        return ctrun_make_error (err, errno, "setrlimit %d", c->rlimits[i].resource);
    }
  return 0;
}

int
ctrun_become_userns_root (ctrun_error_t *err)
{
  if (setresgid (0, 0, 0) < 0)
    return ctrun_make_error (err, errno, "setresgid 0 in the user namespace");
  if (setresuid (0, 0, 0) < 0)
    return ctrun_make_error (err, errno, "setresuid 0 in the user namespace");
  return 0;
}

int
ctrun_last_cap (void)
{
  cleanup_free char *buf = NULL;
  if (read_file ("/proc/sys/kernel/cap_last_cap", &buf, NULL, NULL) < 0)
    return CAP_LAST_CAP;
  return atoi (buf);
}

static int
capset_all (const struct ctrun_caps *caps, ctrun_error_t *err)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[2];

  for (int i = 0; i < 2; i++)
    {
      data[i].effective = (uint32_t) (caps->effective >> (32 * i));
      data[i].permitted = (uint32_t) (caps->permitted >> (32 * i));
      data[i].inheritable = (uint32_t) (caps->inheritable >> (32 * i));
    }
  if (syscall (SYS_capset, &hdr, data) < 0)
    return ctrun_make_error (err, errno, "capset");
  return 0;
}

int
ctrun_set_identity (const struct ctrun_config *c, int last_cap, bool setgroups_denied, ctrun_error_t *err)
{
  uint64_t all = last_cap >= 63 ? ~0ULL : (1ULL << (last_cap + 1)) - 1;
  struct ctrun_caps caps = c->caps;

  if (c->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return ctrun_make_error (err, errno, "prctl PR_SET_NO_NEW_PRIVS");

  /* The bounding set is dropped while we still hold CAP_SETPCAP. */
  if (c->has_caps)
    for (int cap = 0; cap <= last_cap; cap++)
      if (!(c->caps.bounding & (1ULL << cap)) && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
        return ctrun_make_error (err, errno, "prctl PR_CAPBSET_DROP %s", ctrun_capability_name (cap));

  if (!setgroups_denied)
    {
      if (setgroups (c->n_additional_gids, c->additional_gids) < 0)
        return ctrun_make_error (err, errno, "setgroups");
    }
  else if (c->n_additional_gids)
    return ctrun_make_error (err, 0, "process.user.additionalGids needs setgroups, denied in this user namespace");

  /* Keep the permitted set across the uid change; capset sets the rest below. */
  if (c->has_caps && c->uid != 0 && prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return ctrun_make_error (err, errno, "prctl PR_SET_KEEPCAPS");
  if (setresgid (c->gid, c->gid, c->gid) < 0)
    return ctrun_make_error (err, errno, "setresgid %u", c->gid);
  if (setresuid (c->uid, c->uid, c->uid) < 0)
    return ctrun_make_error (err, errno, "setresuid %u", c->uid);
  if (c->has_caps && c->uid != 0 && prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return ctrun_make_error (err, errno, "prctl PR_SET_KEEPCAPS");

  if (!c->has_caps)
    return 0;
  caps.effective &= all;
  caps.permitted &= all;
  caps.inheritable &= all;
  if (capset_all (&caps, err) < 0)
    return -1;
  /* The kernel takes an ambient capability only if it is permitted and inheritable. */
  for (int cap = 0; cap <= last_cap; cap++)
    {
      uint64_t bit = 1ULL << cap;
      if ((c->caps.ambient & bit) && (caps.permitted & bit) && (caps.inheritable & bit)
          && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
        return ctrun_make_error (err, errno, "raise ambient %s", ctrun_capability_name (cap));
    }
  return 0;
}
