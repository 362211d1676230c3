/* config.c — config.json → struct ctrun_config, with jansson.
 *
 * What ctrun cannot honour is refused here with a clear message rather than
 * silently ignored. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "json-fields.h"
#include "resources.h"
#include "utils.h"


/* ---- tables ---------------------------------------------------------- */

static const char *const cap_names[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
  "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
  "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
  "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};

int
ctrun_capability_from_name (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (cap_names); i++)
    if (strcasecmp (name, cap_names[i]) == 0)
      return i;
  return -1;
}

const char *
ctrun_capability_name (int cap)
{
  if (cap < 0 || (size_t) cap >= ARRAY_SIZE (cap_names))
    return "?";
  return cap_names[cap];
}

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS }, { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU }, { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE }, { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC }, { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO }, { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING }, { "RLIMIT_STACK", RLIMIT_STACK },
};

static const struct
{
  const char *name;
  int flag;
} namespace_names[] = {
  { "pid", CLONE_NEWPID }, { "network", CLONE_NEWNET }, { "mount", CLONE_NEWNS },
  { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "user", CLONE_NEWUSER },
  { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

const char *
ctrun_namespace_name (int flag)
{
  for (size_t k = 0; k < ARRAY_SIZE (namespace_names); k++)
    if (namespace_names[k].flag == flag)
      return namespace_names[k].name;
  return "unknown";
}

/* Mount options: set or clear a flag, or a propagation type. */
static const struct
{
  const char *name;
  bool clear;
  bool propagation;
  unsigned long flag;
} mount_options[] = {
  { "defaults", false, false, 0 },
  { "ro", false, false, MS_RDONLY }, { "rw", true, false, MS_RDONLY },
  { "nosuid", false, false, MS_NOSUID }, { "suid", true, false, MS_NOSUID },
  { "nodev", false, false, MS_NODEV }, { "dev", true, false, MS_NODEV },
  { "noexec", false, false, MS_NOEXEC }, { "exec", true, false, MS_NOEXEC },
  { "sync", false, false, MS_SYNCHRONOUS }, { "async", true, false, MS_SYNCHRONOUS },
  { "dirsync", false, false, MS_DIRSYNC },
  { "remount", false, false, MS_REMOUNT },
  { "mand", false, false, MS_MANDLOCK }, { "nomand", true, false, MS_MANDLOCK },
  { "atime", true, false, MS_NOATIME }, { "noatime", false, false, MS_NOATIME },
  { "diratime", true, false, MS_NODIRATIME }, { "nodiratime", false, false, MS_NODIRATIME },
  { "relatime", false, false, MS_RELATIME }, { "norelatime", true, false, MS_RELATIME },
  { "strictatime", false, false, MS_STRICTATIME }, { "nostrictatime", true, false, MS_STRICTATIME },
  { "silent", false, false, MS_SILENT }, { "loud", true, false, MS_SILENT },
  { "bind", false, false, MS_BIND }, { "rbind", false, false, MS_BIND | MS_REC },
  { "private", false, true, MS_PRIVATE }, { "rprivate", false, true, MS_PRIVATE | MS_REC },
  { "shared", false, true, MS_SHARED }, { "rshared", false, true, MS_SHARED | MS_REC },
  { "slave", false, true, MS_SLAVE }, { "rslave", false, true, MS_SLAVE | MS_REC },
  { "unbindable", false, true, MS_UNBINDABLE }, { "runbindable", false, true, MS_UNBINDABLE | MS_REC },
};

static const char *const unsupported_mount_options[] = { "tmpcopyup", "idmap", "ridmap", "copy-symlink" };

int
ctrun_parse_mount_options (const char *const *options, size_t n, struct ctrun_mount *m, ctrun_error_t *err)
{
  size_t data_len = 0;
  char *data = NULL;

  for (size_t i = 0; i < n; i++)
    {
      const char *o = options[i];
      bool known = false;

      for (size_t k = 0; k < ARRAY_SIZE (unsupported_mount_options); k++)
        if (strcmp (o, unsupported_mount_options[k]) == 0)
          {
            free (data);
            return ctrun_make_error (err, 0, "mount option `%s` (on `%s`) is not supported", o, m->destination);
          }
      for (size_t k = 0; k < ARRAY_SIZE (mount_options); k++)
        {
          if (strcmp (o, mount_options[k].name) != 0)
            continue;
          known = true;
          if (mount_options[k].propagation)
            m->propagation = mount_options[k].flag;
          else if (mount_options[k].clear)
            m->flags &= ~mount_options[k].flag;
          else
            m->flags |= mount_options[k].flag;
          if (strcmp (o, "bind") == 0)
            m->bind = true;
          else if (strcmp (o, "rbind") == 0)
            m->bind = m->rbind = true;
          break;
        }
      if (known)
        continue;
      /* Anything else is filesystem data: "mode=755", "size=65536k", ... */
      data = xrealloc (data, data_len + strlen (o) + 2);
      if (data_len)
        data[data_len++] = ',';
      strcpy (data + data_len, o);
      data_len += strlen (o);
    }
  m->data = data;
  return 0;
}

static int
parse_cap_set (json_t *caps, const char *key, uint64_t *out, ctrun_error_t *err)
{
  cleanup_strv char **names = NULL;
  *out = 0;
  if (field_strv (caps, key, "process.capabilities", &names, err) < 0)
    return -1;
  for (char **n = names; n && *n; n++)
    {
      int cap = ctrun_capability_from_name (*n);
      if (cap < 0)
        return ctrun_make_error (err, 0, "config.json: unknown capability `%s` in process.capabilities.%s", *n, key);
      *out |= 1ULL << cap;
    }
  return 0;
}

/* ---- sections -------------------------------------------------------- */

static int
parse_process (struct ctrun_config *c, json_t *process, ctrun_error_t *err)
{
  static const char *const allowed[] = { "terminal", "consoleSize", "user", "args", "env", "cwd",
                                         "capabilities", "rlimits", "noNewPrivileges", "oomScoreAdj",
                                         /* no LSM on the hosts ctrun runs on: accepted, nothing to do (as runc) */
                                         "apparmorProfile", "selinuxLabel", NULL };
  json_t *user, *caps, *rlimits, *size, *v;
  const char *cwd;
  int64_t n;
  size_t i;

  if (process == NULL)
    return ctrun_make_error (err, 0, "config.json: process is missing");
  if (field_bool (process, "terminal", "process", &c->terminal, err) < 0)
    return -1;
  if (field_object (process, "consoleSize", "process", &size, err) < 0)
    return -1;
  if (size)
    {
      int64_t h = 0, w = 0;
      if (field_int (size, "height", "process.consoleSize", NULL, &h, err) < 0
          || field_int (size, "width", "process.consoleSize", NULL, &w, err) < 0)
        return -1;
      if (h < 0 || h > 65535 || w < 0 || w > 65535)
        return ctrun_make_error (err, 0, "config.json: process.consoleSize is out of range");
      c->console_height = h;
      c->console_width = w;
    }
  if (field_check_keys (process, "process", allowed, err) < 0)
    return -1;

  if (field_strv (process, "args", "process", &c->args, err) < 0)
    return -1;
  if (c->args == NULL || c->args[0] == NULL || c->args[0][0] == '\0')
    return ctrun_make_error (err, 0, "config.json: process.args must name a command");
  if (field_strv (process, "env", "process", &c->env, err) < 0)
    return -1;
  if (c->env == NULL)
    c->env = xmalloc0 (sizeof (char *));
  if (field_string (process, "cwd", "process", &cwd, err) < 0)
    return -1;
  if (cwd && cwd[0] != '/')
    return ctrun_make_error (err, 0, "config.json: process.cwd `%s` must be an absolute path", cwd);
  c->cwd = xstrdup (cwd ? cwd : "/");

  if (field_object (process, "user", "process", &user, err) < 0)
    return -1;
  if (user)
    {
      static const char *const user_allowed[] = { "uid", "gid", "umask", "additionalGids", NULL };
      json_t *gids;
      bool has;
      if (field_check_keys (user, "process.user", user_allowed, err) < 0)
        return -1;
      n = 0;
      if (field_int (user, "uid", "process.user", NULL, &n, err) < 0)
        return -1;
      c->uid = n;
      n = 0;
      if (field_int (user, "gid", "process.user", NULL, &n, err) < 0)
        return -1;
      c->gid = n;
      if (field_int (user, "umask", "process.user", &has, &n, err) < 0)
        return -1;
      c->has_umask = has;
      c->umask = n;
      if (field_array (user, "additionalGids", "process.user", &gids, err) < 0)
        return -1;
      if (gids)
        {
          c->additional_gids = xmalloc0 (sizeof (gid_t) * json_array_size (gids));
          json_array_foreach (gids, i, v)
            {
              if (!json_is_integer (v))
                return ctrun_make_error (err, 0, "config.json: process.user.additionalGids must be integers");
              c->additional_gids[c->n_additional_gids++] = json_integer_value (v);
            }
        }
    }

  if (field_object (process, "capabilities", "process", &caps, err) < 0)
    return -1;
  if (caps)
    {
      c->has_caps = true;
      if (parse_cap_set (caps, "bounding", &c->caps.bounding, err) < 0
          || parse_cap_set (caps, "effective", &c->caps.effective, err) < 0
          || parse_cap_set (caps, "permitted", &c->caps.permitted, err) < 0
          || parse_cap_set (caps, "inheritable", &c->caps.inheritable, err) < 0
          || parse_cap_set (caps, "ambient", &c->caps.ambient, err) < 0)
        return -1;
    }

  if (field_array (process, "rlimits", "process", &rlimits, err) < 0)
    return -1;
  if (rlimits)
    {
      c->rlimits = xmalloc0 (sizeof (*c->rlimits) * json_array_size (rlimits));
      json_array_foreach (rlimits, i, v)
        {
          const char *type;
          int64_t soft = 0, hard = 0;
          int resource = -1;
          if (!json_is_object (v))
            return ctrun_make_error (err, 0, "config.json: process.rlimits[%zu] must be an object", i);
          if (field_string (v, "type", "process.rlimits[]", &type, err) < 0
              || field_int (v, "soft", "process.rlimits[]", NULL, &soft, err) < 0
              || field_int (v, "hard", "process.rlimits[]", NULL, &hard, err) < 0)
            return -1;
          for (size_t k = 0; type && k < ARRAY_SIZE (rlimit_names); k++)
            if (strcmp (type, rlimit_names[k].name) == 0)
              resource = rlimit_names[k].resource;
          if (resource < 0)
            return ctrun_make_error (err, 0, "config.json: unknown rlimit type `%s`", type ? type : "");
          c->rlimits[c->n_rlimits].resource = resource;
          c->rlimits[c->n_rlimits].soft = (rlim_t) soft;
          c->rlimits[c->n_rlimits].hard = (rlim_t) hard;
          c->n_rlimits++;
        }
    }

  if (field_bool (process, "noNewPrivileges", "process", &c->no_new_privileges, err) < 0)
    return -1;
  if (field_int (process, "oomScoreAdj", "process", &c->has_oom_score_adj, &n, err) < 0)
    return -1;
  c->oom_score_adj = n;
  return 0;
}

static int
parse_mounts (struct ctrun_config *c, json_t *mounts, ctrun_error_t *err)
{
  json_t *v;
  size_t i;

  if (mounts == NULL)
    return 0;
  c->mounts = xmalloc0 (sizeof (*c->mounts) * json_array_size (mounts));
  json_array_foreach (mounts, i, v)
    {
      struct ctrun_mount *m = &c->mounts[c->n_mounts++];
      const char *dest, *type, *source;
      cleanup_strv char **options = NULL;
      size_t n_options = 0;

      if (!json_is_object (v))
        return ctrun_make_error (err, 0, "config.json: mounts[%zu] must be an object", i);
      if (field_string (v, "destination", "mounts[]", &dest, err) < 0
          || field_string (v, "type", "mounts[]", &type, err) < 0
          || field_string (v, "source", "mounts[]", &source, err) < 0
          || field_strv (v, "options", "mounts[]", &options, err) < 0)
        return -1;
      if (json_object_get (v, "uidMappings") || json_object_get (v, "gidMappings"))
        return ctrun_make_error (err, 0, "config.json: idmapped mounts are not supported");
      if (dest == NULL || dest[0] != '/')
        return ctrun_make_error (err, 0, "config.json: mounts[%zu].destination must be an absolute path", i);
      m->destination = xstrdup (dest);
      while (options && options[n_options])
        n_options++;
      if (ctrun_parse_mount_options ((const char *const *) options, n_options, m, err) < 0)
        return -1;
      if (type && strcmp (type, "bind") == 0)
        m->bind = true;
      if (!m->bind)
        {
          if (type == NULL || *type == '\0')
            return ctrun_make_error (err, 0, "config.json: mounts[%zu] (`%s`) has no type", i, dest);
          m->type = xstrdup (type);
        }
      m->flags &= ~(MS_BIND | MS_REC);
      if (m->bind)
        {
          if (source == NULL || *source == '\0')
            return ctrun_make_error (err, 0, "config.json: bind mount on `%s` has no source", dest);
          m->source = source[0] == '/' ? xstrdup (source) : xasprintf ("%s/%s", c->bundle, source);
        }
      else
        m->source = xstrdup (source ? source : type);
    }
  return 0;
}

static int
parse_id_mappings (json_t *linux_, const char *key, struct ctrun_id_map **out, size_t *n_out, ctrun_error_t *err)
{
  json_t *arr, *v;
  size_t i;

  if (field_array (linux_, key, "linux", &arr, err) < 0)
    return -1;
  if (arr == NULL)
    return 0;
  *out = xmalloc0 (sizeof (**out) * json_array_size (arr));
  json_array_foreach (arr, i, v)
    {
      int64_t cid = -1, hid = -1, size = -1;
      if (!json_is_object (v)
          || field_int (v, "containerID", "linux.idMappings[]", NULL, &cid, err) < 0
          || field_int (v, "hostID", "linux.idMappings[]", NULL, &hid, err) < 0
          || field_int (v, "size", "linux.idMappings[]", NULL, &size, err) < 0)
        return -1;
      if (cid < 0 || hid < 0 || size <= 0 || cid > UINT32_MAX || hid > UINT32_MAX || size > UINT32_MAX)
        return ctrun_make_error (err, 0, "config.json: linux.%s[%zu] needs containerID, hostID and size", key, i);
      (*out)[*n_out].container_id = cid;
      (*out)[*n_out].host_id = hid;
      (*out)[*n_out].size = size;
      (*n_out)++;
    }
  return 0;
}

static int
parse_devices (struct ctrun_config *c, json_t *devices, ctrun_error_t *err)
{
  json_t *v;
  size_t i;

  if (devices == NULL)
    return 0;
  c->devices = xmalloc0 (sizeof (*c->devices) * json_array_size (devices));
  json_array_foreach (devices, i, v)
    {
      struct ctrun_device *d = &c->devices[c->n_devices++];
      const char *path, *type;
      int64_t mode = 0666, uid = 0, gid = 0;
      if (!json_is_object (v)
          || field_string (v, "path", "linux.devices[]", &path, err) < 0
          || field_string (v, "type", "linux.devices[]", &type, err) < 0
          || field_int (v, "major", "linux.devices[]", NULL, &d->major, err) < 0
          || field_int (v, "minor", "linux.devices[]", NULL, &d->minor, err) < 0
          || field_int (v, "fileMode", "linux.devices[]", NULL, &mode, err) < 0
          || field_int (v, "uid", "linux.devices[]", NULL, &uid, err) < 0
          || field_int (v, "gid", "linux.devices[]", NULL, &gid, err) < 0)
        return -1;
      if (path == NULL || path[0] != '/' || type == NULL || strchr ("cbup", type[0]) == NULL)
        return ctrun_make_error (err, 0, "config.json: linux.devices[%zu] needs an absolute path and a type c, b, u or p", i);
      d->path = xstrdup (path);
      d->type = type[0];
      d->mode = mode;
      d->uid = uid;
      d->gid = gid;
    }
  return 0;
}

static int
parse_personality (struct ctrun_config *c, json_t *p, ctrun_error_t *err)
{
  const char *domain;
  json_t *flags;

  if (p == NULL || json_is_null (p))
    return 0;
  if (!json_is_object (p) || field_string (p, "domain", "linux.personality", &domain, err) < 0)
    return ctrun_make_error (err, 0, "config.json: linux.personality must be an object with a domain");
  if (domain && strcmp (domain, "LINUX") == 0)
    c->personality = PER_LINUX;
  else if (domain && strcmp (domain, "LINUX32") == 0)
    c->personality = PER_LINUX32;
  else
    return ctrun_make_error (err, 0, "config.json: linux.personality.domain `%s` is invalid: use LINUX or LINUX32",
                             domain ? domain : "");
  flags = json_object_get (p, "flags");
  if (flags && json_array_size (flags))
    return ctrun_make_error (err, 0, "config.json: linux.personality.flags are not supported");
  c->has_personality = true;
  return 0;
}

static int
parse_time_offsets (struct ctrun_config *c, json_t *t, ctrun_error_t *err)
{
  static const char *const clocks[] = { "monotonic", "boottime", NULL };
  const char *path;
  json_t *m, *b;

  if (t == NULL || json_is_null (t))
    return 0;
  if (!json_is_object (t) || field_check_keys (t, "linux.timeOffsets", clocks, err) < 0)
    return ctrun_make_error (err, 0, "config.json: linux.timeOffsets takes monotonic and boottime");
  if (!ctrun_config_has_namespace (c, CLONE_NEWTIME, &path) || path)
    return ctrun_make_error (err, 0, "config.json: linux.timeOffsets needs a new time namespace in linux.namespaces");
  if (field_object (t, "monotonic", "linux.timeOffsets", &m, err) < 0 || field_object (t, "boottime", "linux.timeOffsets", &b, err) < 0)
    return -1;
  if ((m && (field_int (m, "secs", "linux.timeOffsets.monotonic", NULL, &c->monotonic_secs, err) < 0
             || field_int (m, "nanosecs", "linux.timeOffsets.monotonic", NULL, &c->monotonic_nsecs, err) < 0))
      || (b && (field_int (b, "secs", "linux.timeOffsets.boottime", NULL, &c->boottime_secs, err) < 0
                || field_int (b, "nanosecs", "linux.timeOffsets.boottime", NULL, &c->boottime_nsecs, err) < 0)))
    return -1;
  c->has_time_offsets = true;
  return 0;
}

static int
parse_linux (struct ctrun_config *c, json_t *linux_, ctrun_error_t *err)
{
  static const char *const allowed[] = { "namespaces", "uidMappings", "gidMappings", "resources", "cgroupsPath",
                                         "rootfsPropagation", "maskedPaths", "readonlyPaths", "devices", "sysctl",
                                         "seccomp", "personality", "timeOffsets",
                                         /* no LSM here: accepted, nothing to do (as runc) */
                                         "mountLabel", NULL };
  json_t *ns, *res, *devices, *sysctl, *v;
  const char *s;
  size_t i;

  if (linux_ == NULL)
    return ctrun_make_error (err, 0, "config.json: linux is missing");
  if (field_check_keys (linux_, "linux", allowed, err) < 0)
    return -1;

  if (field_array (linux_, "namespaces", "linux", &ns, err) < 0)
    return -1;
  if (ns)
    {
      c->namespaces = xmalloc0 (sizeof (*c->namespaces) * json_array_size (ns));
      json_array_foreach (ns, i, v)
        {
          const char *type, *path;
          int flag = 0;
          if (!json_is_object (v)
              || field_string (v, "type", "linux.namespaces[]", &type, err) < 0
              || field_string (v, "path", "linux.namespaces[]", &path, err) < 0)
            return -1;
          for (size_t k = 0; type && k < ARRAY_SIZE (namespace_names); k++)
            if (strcmp (type, namespace_names[k].name) == 0)
              flag = namespace_names[k].flag;
          if (flag == 0)
            return ctrun_make_error (err, 0, "config.json: unknown namespace type `%s`", type ? type : "");
          if (ctrun_config_has_namespace (c, flag, NULL))
            return ctrun_make_error (err, 0, "config.json: namespace `%s` is listed twice", type);
          c->namespaces[c->n_namespaces].flag = flag;
          c->namespaces[c->n_namespaces].path = path && *path ? xstrdup (path) : NULL;
          c->n_namespaces++;
        }
    }

  if (parse_id_mappings (linux_, "uidMappings", &c->uid_mappings, &c->n_uid_mappings, err) < 0
      || parse_id_mappings (linux_, "gidMappings", &c->gid_mappings, &c->n_gid_mappings, err) < 0)
    return -1;
  {
    const char *userns_path;
    bool userns = ctrun_config_has_namespace (c, CLONE_NEWUSER, &userns_path);
    if ((c->n_uid_mappings || c->n_gid_mappings) && !userns)
      return ctrun_make_error (err, 0, "config.json: uidMappings/gidMappings need a user namespace in linux.namespaces");
    if (userns && userns_path == NULL && (c->n_uid_mappings == 0 || c->n_gid_mappings == 0))
      return ctrun_make_error (err, 0, "config.json: a new user namespace needs linux.uidMappings and linux.gidMappings");
  }

  if (field_object (linux_, "resources", "linux", &res, err) < 0 || ctrun_resources_parse (&c->resources, res, err) < 0)
    return -1;

  if (field_string (linux_, "cgroupsPath", "linux", &s, err) < 0)
    return -1;
  if (s && *s)
    {
      if (strstr (s, "..") || strchr (s, ':'))
        return ctrun_make_error (err, 0, "config.json: linux.cgroupsPath `%s` is not a cgroupfs path", s);
      c->cgroups_path = xstrdup (s);
    }

  c->rootfs_propagation = MS_SLAVE | MS_REC;
  if (field_string (linux_, "rootfsPropagation", "linux", &s, err) < 0)
    return -1;
  if (s && *s)
    {
      struct ctrun_mount m = { .destination = (char *) "/" };
      const char *opt[] = { s };
      if (ctrun_parse_mount_options (opt, 1, &m, err) < 0)
        return -1;
      free (m.data);
      if (m.propagation == 0)
        return ctrun_make_error (err, 0, "config.json: linux.rootfsPropagation `%s` is invalid", s);
      c->rootfs_propagation = m.propagation;
    }

  if (field_strv (linux_, "maskedPaths", "linux", &c->masked_paths, err) < 0
      || field_strv (linux_, "readonlyPaths", "linux", &c->readonly_paths, err) < 0)
    return -1;

  if (field_array (linux_, "devices", "linux", &devices, err) < 0 || parse_devices (c, devices, err) < 0)
    return -1;

  if (field_object (linux_, "sysctl", "linux", &sysctl, err) < 0)
    return -1;
  if (sysctl)
    {
      const char *key;
      c->sysctls = xmalloc0 (sizeof (*c->sysctls) * json_object_size (sysctl));
      json_object_foreach (sysctl, key, v)
        {
          if (!json_is_string (v))
            return ctrun_make_error (err, 0, "config.json: linux.sysctl.%s must be a string", key);
          if (*key == '\0' || strstr (key, "..") || strchr (key, '/'))
            return ctrun_make_error (err, 0, "config.json: invalid sysctl key `%s`", key);
          c->sysctls[c->n_sysctls].key = xstrdup (key);
          c->sysctls[c->n_sysctls].value = xstrdup (json_string_value (v));
          c->n_sysctls++;
        }
    }
  if (parse_personality (c, json_object_get (linux_, "personality"), err) < 0
      || parse_time_offsets (c, json_object_get (linux_, "timeOffsets"), err) < 0)
    return -1;
  return ctrun_seccomp_parse (json_object_get (linux_, "seccomp"), &c->seccomp, err);
}

int
ctrun_config_load (const char *bundle, struct ctrun_config **out, ctrun_error_t *err)
{
  static const char *const allowed[] = { "ociVersion", "process", "root", "hostname", "domainname", "mounts",
                                         "linux", "annotations", "hooks", NULL };
  cleanup_config struct ctrun_config *c = xmalloc0 (sizeof (*c));
  cleanup_json json_t *root = NULL;
  cleanup_free char *path = NULL;
  json_error_t jerr;
  json_t *process, *rootobj, *mounts, *linux_;
  const char *s;
  char resolved[PATH_MAX];

  if (realpath (bundle, resolved) == NULL)
    return ctrun_make_error (err, errno, "bundle `%s`", bundle);
  c->bundle = xstrdup (resolved);
  path = xasprintf ("%s/config.json", c->bundle);

  root = json_load_file (path, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    {
      if (jerr.line < 0)
        return ctrun_make_error (err, 0, "parse config.json: %s", jerr.text);
      return ctrun_make_error (err, 0, "parse config.json: %s at line %d", jerr.text, jerr.line);
    }
  if (!json_is_object (root))
    return ctrun_make_error (err, 0, "parse config.json: the top level must be an object");
  if (field_check_keys (root, NULL, allowed, err) < 0)
    return -1;

  if (field_object (root, "process", "config", &process, err) < 0 || parse_process (c, process, err) < 0)
    return -1;

  if (field_object (root, "root", "config", &rootobj, err) < 0)
    return -1;
  if (rootobj == NULL)
    return ctrun_make_error (err, 0, "config.json: root is missing");
  if (field_string (rootobj, "path", "root", &s, err) < 0 || field_bool (rootobj, "readonly", "root", &c->root_readonly, err) < 0)
    return -1;
  if (s == NULL || *s == '\0')
    return ctrun_make_error (err, 0, "config.json: root.path is missing");
  {
    cleanup_free char *p = s[0] == '/' ? xstrdup (s) : xasprintf ("%s/%s", c->bundle, s);
    if (realpath (p, resolved) == NULL)
      return ctrun_make_error (err, errno, "rootfs `%s`", p);
    c->rootfs = xstrdup (resolved);
  }

  if (field_string (root, "hostname", "config", &s, err) < 0)
    return -1;
  c->hostname = s && *s ? xstrdup (s) : NULL;
  if (field_string (root, "domainname", "config", &s, err) < 0)
    return -1;
  c->domainname = s && *s ? xstrdup (s) : NULL;

  if (field_array (root, "mounts", "config", &mounts, err) < 0 || parse_mounts (c, mounts, err) < 0)
    return -1;

  if (field_object (root, "linux", "config", &linux_, err) < 0 || parse_linux (c, linux_, err) < 0)
    return -1;

  if (ctrun_hooks_parse (json_object_get (root, "hooks"), &c->hooks, err) < 0)
    return -1;

  c->annotations = json_object_get (root, "annotations");
  if (c->annotations && !json_is_object (c->annotations))
    return ctrun_make_error (err, 0, "config.json: annotations must be an object");
  c->annotations = c->annotations ? json_incref (c->annotations) : json_object ();

  if ((c->hostname || c->domainname) && !ctrun_config_has_namespace (c, CLONE_NEWUTS, NULL))
    return ctrun_make_error (err, 0, "config.json: hostname needs a uts namespace in linux.namespaces");
  if (!ctrun_config_has_namespace (c, CLONE_NEWNS, NULL))
    return ctrun_make_error (err, 0, "config.json: linux.namespaces must include a mount namespace");

  *out = c;
  c = NULL;
  return 0;
}

int
ctrun_config_load_process (struct ctrun_config *c, const char *file, ctrun_error_t *err)
{
  cleanup_json json_t *process = NULL;
  json_error_t jerr;

  process = json_load_file (file, JSON_REJECT_DUPLICATES, &jerr);
  if (process == NULL)
    return ctrun_make_error (err, 0, "parse process file `%s`: %s", file, jerr.text);
  if (!json_is_object (process))
    return ctrun_make_error (err, 0, "parse process file `%s`: the top level must be an object", file);
  strv_free (c->args);
  strv_free (c->env);
  free (c->cwd);
  free (c->additional_gids);
  free (c->rlimits);
  c->args = c->env = NULL;
  c->cwd = NULL;
  c->additional_gids = NULL;
  c->n_additional_gids = 0;
  c->rlimits = NULL;
  c->n_rlimits = 0;
  c->uid = c->gid = 0;
  c->has_umask = c->has_caps = c->no_new_privileges = c->has_oom_score_adj = c->terminal = false;
  memset (&c->caps, 0, sizeof (c->caps));
  c->console_height = c->console_width = 0;
  return parse_process (c, process, err);
}

bool
ctrun_config_has_namespace (const struct ctrun_config *c, int flag, const char **path)
{
  for (size_t i = 0; i < c->n_namespaces; i++)
    if (c->namespaces[i].flag == flag)
      {
        if (path)
          *path = c->namespaces[i].path;
        return true;
      }
  if (path)
    *path = NULL;
  return false;
}

void
ctrun_config_describe (json_t *features)
{
  json_t *opts = json_array (), *ns = json_array (), *caps = json_array ();
  json_t *linux_ = json_object_get (features, "linux");

  for (size_t i = 0; i < ARRAY_SIZE (mount_options); i++)
    json_array_append_new (opts, json_string (mount_options[i].name));
  for (size_t i = 0; i < ARRAY_SIZE (namespace_names); i++)
    json_array_append_new (ns, json_string (namespace_names[i].name));
  for (size_t i = 0; i < ARRAY_SIZE (cap_names); i++)
    json_array_append_new (caps, json_string (cap_names[i]));
  json_object_set_new (features, "mountOptions", opts);
  json_object_set_new (linux_, "namespaces", ns);
  json_object_set_new (linux_, "capabilities", caps);
}

void
ctrun_config_free (struct ctrun_config *c)
{
  if (c == NULL)
    return;
  free (c->bundle);
  strv_free (c->args);
  strv_free (c->env);
  free (c->cwd);
  free (c->additional_gids);
  free (c->rlimits);
  free (c->rootfs);
  free (c->hostname);
  free (c->domainname);
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      free (c->mounts[i].destination);
      free (c->mounts[i].type);
      free (c->mounts[i].source);
      free (c->mounts[i].data);
    }
  free (c->mounts);
  for (size_t i = 0; i < c->n_namespaces; i++)
    free (c->namespaces[i].path);
  free (c->namespaces);
  free (c->uid_mappings);
  free (c->gid_mappings);
  free (c->cgroups_path);
  ctrun_resources_free (&c->resources);
  for (size_t i = 0; i < c->n_devices; i++)
    free (c->devices[i].path);
  free (c->devices);
  strv_free (c->masked_paths);
  strv_free (c->readonly_paths);
  for (size_t i = 0; i < c->n_sysctls; i++)
    {
      free (c->sysctls[i].key);
      free (c->sysctls[i].value);
    }
  free (c->sysctls);
  ctrun_seccomp_free (c->seccomp);
  ctrun_hooks_free (&c->hooks);
  if (c->annotations)
    json_decref (c->annotations);
  free (c);
}

void
cleanup_configp (struct ctrun_config **c)
{
  ctrun_config_free (*c);
}
