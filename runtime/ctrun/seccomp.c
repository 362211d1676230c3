/* seccomp.c — see seccomp.h. libseccomp does the BPF (the same library runc and
 * crun use, so the same profile gives the same filter); this file maps the OCI
 * names onto it with runc's rules:
 *   - ERRNO and TRACE return errnoRet, or EPERM when it is not given;
 *   - a rule whose action is the default action is skipped (the kernel would do
 *     the same thing, and libseccomp refuses it);
 *   - conditions on distinct arguments make one rule (all must hold); several
 *     conditions on the same argument make one rule each (any may hold). */
#define _GNU_SOURCE
#include "seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "utils.h"

#define SECCOMP_MAX_ARGS 6

static const struct
{
  const char *name;
  uint32_t action;      /* errno/trace data added later */
  bool takes_errno;
} action_names[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

static const struct
{
  const char *name;
  int op;
} op_names[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const char *const known_flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC", /* accepted and ignored, as runc does: ctrun's init has one thread */
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
};

static int
parse_action (const char *name, json_t *errno_ret, const char *where, uint32_t *out, ctrun_error_t *err)
{
  for (size_t i = 0; i < ARRAY_SIZE (action_names); i++)
    {
      json_int_t e = 1; /* EPERM */
      if (strcmp (name, action_names[i].name) != 0)
        continue;
      if (errno_ret && !json_is_null (errno_ret))
        {
          if (!json_is_integer (errno_ret) || json_integer_value (errno_ret) < 0 || json_integer_value (errno_ret) > 0xffff)
            return ctrun_make_error (err, 0, "config.json: %s: errnoRet must be a number from 0 to 65535", where);
          e = json_integer_value (errno_ret);
        }
      *out = action_names[i].action | (action_names[i].takes_errno ? (uint32_t) e : 0);
      return 0;
    }
  return ctrun_make_error (err, 0, "config.json: %s: unknown seccomp action `%s`", where, name);
}

/* "SCMP_ARCH_X86_64" → libseccomp's "x86_64". */
static int
parse_arch (const char *name, uint32_t *out, ctrun_error_t *err)
{
  char lower[32];
  size_t i;

  if (strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof (lower))
    return ctrun_make_error (err, 0, "config.json: unknown seccomp architecture `%s`", name);
  for (i = 0; name[10 + i]; i++)
    lower[i] = tolower ((unsigned char) name[10 + i]);
  lower[i] = '\0';
  *out = seccomp_arch_resolve_name (lower);
  if (*out == 0)
    return ctrun_make_error (err, 0, "config.json: unknown seccomp architecture `%s`", name);
  return 0;
}

static int
parse_u64 (json_t *v, const char *what, size_t rule, uint64_t *out, ctrun_error_t *err)
{
  if (v == NULL || json_is_null (v))
    {
      *out = 0;
      return 0;
    }
  /* jansson holds integers as signed 64 bits: large masks arrive negative. */
  if (!json_is_integer (v))
    return ctrun_make_error (err, 0, "config.json: linux.seccomp.syscalls[%zu].args[].%s must be an integer", rule, what);
  *out = (uint64_t) json_integer_value (v);
  return 0;
}

static int
parse_args (json_t *args, size_t rule, struct ctrun_seccomp_rule *r, ctrun_error_t *err)
{
  json_t *a;
  size_t i;

  if (args == NULL || json_is_null (args))
    return 0;
  if (!json_is_array (args))
    return ctrun_make_error (err, 0, "config.json: linux.seccomp.syscalls[%zu].args must be an array", rule);
  r->args = xmalloc0 (sizeof (*r->args) * (json_array_size (args) + 1));
  json_array_foreach (args, i, a)
    {
      struct ctrun_seccomp_arg *arg = &r->args[r->n_args];
      json_t *index = json_object_get (a, "index");
      const char *op = json_string_value (json_object_get (a, "op"));
      bool known = false;

      if (!json_is_integer (index) || json_integer_value (index) < 0 || json_integer_value (index) >= SECCOMP_MAX_ARGS)
        return ctrun_make_error (err, 0, "config.json: linux.seccomp.syscalls[%zu].args[%zu].index must be 0 to 5", rule, i);
      arg->index = json_integer_value (index);
      for (size_t k = 0; op && k < ARRAY_SIZE (op_names); k++)
        if (strcmp (op, op_names[k].name) == 0)
          {
            arg->op = op_names[k].op;
            known = true;
          }
      if (!known)
        return ctrun_make_error (err, 0, "config.json: linux.seccomp.syscalls[%zu].args[%zu]: unknown seccomp operator `%s`",
                                 rule, i, op ? op : "");
      if (parse_u64 (json_object_get (a, "value"), "value", rule, &arg->value, err) < 0
          || parse_u64 (json_object_get (a, "valueTwo"), "valueTwo", rule, &arg->value_two, err) < 0)
        return -1;
      r->n_args++;
    }
  return 0;
}

static int
parse_rules (json_t *syscalls, struct ctrun_seccomp *s, ctrun_error_t *err)
{
  json_t *v;
  size_t i;

  if (syscalls == NULL || json_is_null (syscalls))
    return 0;
  if (!json_is_array (syscalls))
    return ctrun_make_error (err, 0, "config.json: linux.seccomp.syscalls must be an array");
  s->rules = xmalloc0 (sizeof (*s->rules) * (json_array_size (syscalls) + 1));
  json_array_foreach (syscalls, i, v)
    {
      struct ctrun_seccomp_rule *r = &s->rules[s->n_rules++];
      json_t *names = json_object_get (v, "names"), *name;
      const char *action = json_string_value (json_object_get (v, "action"));
      char where[64];
      size_t k;

      snprintf (where, sizeof (where), "linux.seccomp.syscalls[%zu]", i);
      if (!json_is_object (v) || !json_is_array (names) || json_array_size (names) == 0)
        return ctrun_make_error (err, 0, "config.json: %s needs names", where);
      if (action == NULL)
        return ctrun_make_error (err, 0, "config.json: %s needs an action", where);
      r->names = xmalloc0 (sizeof (char *) * (json_array_size (names) + 1));
      json_array_foreach (names, k, name)
        {
          if (!json_is_string (name))
            return ctrun_make_error (err, 0, "config.json: %s.names must be strings", where);
          r->names[k] = xstrdup (json_string_value (name));
        }
      if (parse_action (action, json_object_get (v, "errnoRet"), where, &r->action, err) < 0
          || parse_args (json_object_get (v, "args"), i, r, err) < 0)
        return -1;
      if (r->action == SCMP_ACT_NOTIFY)
        s->uses_notify = true;
    }
  return 0;
}

int
ctrun_seccomp_parse (json_t *obj, struct ctrun_seccomp **out, ctrun_error_t *err)
{
  struct ctrun_seccomp *s;
  const char *def, *path, *meta;
  json_t *archs, *flags, *v;
  size_t i;

  *out = NULL;
  if (obj == NULL || json_is_null (obj))
    return 0;
  if (!json_is_object (obj))
    return ctrun_make_error (err, 0, "config.json: linux.seccomp must be an object");
  s = xmalloc0 (sizeof (*s));
  *out = s;

  def = json_string_value (json_object_get (obj, "defaultAction"));
  if (def == NULL)
    return ctrun_make_error (err, 0, "config.json: linux.seccomp.defaultAction is missing");
  if (parse_action (def, json_object_get (obj, "defaultErrnoRet"), "linux.seccomp.defaultAction", &s->default_action, err) < 0)
    return -1;
  if (s->default_action == SCMP_ACT_NOTIFY)
    return ctrun_make_error (err, 0, "config.json: linux.seccomp.defaultAction cannot be SCMP_ACT_NOTIFY");

  archs = json_object_get (obj, "architectures");
  if (archs && !json_is_null (archs))
    {
      if (!json_is_array (archs))
        return ctrun_make_error (err, 0, "config.json: linux.seccomp.architectures must be an array");
      s->archs = xmalloc0 (sizeof (*s->archs) * (json_array_size (archs) + 1));
      json_array_foreach (archs, i, v)
        if (!json_is_string (v) || parse_arch (json_string_value (v), &s->archs[s->n_archs++], err) < 0)
          return -1;
    }

  flags = json_object_get (obj, "flags");
  if (flags && !json_is_null (flags))
    {
      if (!json_is_array (flags))
        return ctrun_make_error (err, 0, "config.json: linux.seccomp.flags must be an array");
      json_array_foreach (flags, i, v)
        {
          const char *f = json_string_value (v);
          bool known = false;
          for (size_t k = 0; f && k < ARRAY_SIZE (known_flags); k++)
            known |= strcmp (f, known_flags[k]) == 0;
          if (!known)
            return ctrun_make_error (err, 0, "config.json: unknown seccomp flag `%s`", f ? f : "");
          s->flag_log |= strcmp (f, "SECCOMP_FILTER_FLAG_LOG") == 0;
          s->flag_spec_allow |= strcmp (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0;
        }
    }

  if (parse_rules (json_object_get (obj, "syscalls"), s, err) < 0)
    return -1;
  s->canonical = json_dumps (obj, JSON_COMPACT | JSON_SORT_KEYS);

  path = json_string_value (json_object_get (obj, "listenerPath"));
  meta = json_string_value (json_object_get (obj, "listenerMetadata"));
  if (path && *path)
    s->listener_path = xstrdup (path);
  if (meta)
    s->listener_metadata = xstrdup (meta);
  if (s->uses_notify && s->listener_path == NULL)
    return ctrun_make_error (err, 0, "config.json: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
  if (s->listener_path && strlen (s->listener_path) >= sizeof (((struct sockaddr_un *) 0)->sun_path))
    return ctrun_make_error (err, 0, "config.json: linux.seccomp.listenerPath `%s` is too long", s->listener_path);
  return 0;
}

void
ctrun_seccomp_free (struct ctrun_seccomp *s)
{
  if (s == NULL)
    return;
  free (s->archs);
  free (s->listener_path);
  free (s->listener_metadata);
  free (s->canonical);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      strv_free (s->rules[i].names);
      free (s->rules[i].args);
    }
  free (s->rules);
  free (s);
}

/* ---- building and loading -------------------------------------------- */

static int
add_rule (scmp_filter_ctx ctx, const struct ctrun_seccomp_rule *r, const char *name, int nr, ctrun_error_t *err)
{
  struct scmp_arg_cmp cmp[SECCOMP_MAX_ARGS];
  unsigned per_index[SECCOMP_MAX_ARGS] = { 0 };
  bool split = false;
  int ret;

  for (size_t i = 0; i < r->n_args; i++)
    split |= ++per_index[r->args[i].index] > 1;

  if (!split && r->n_args <= SECCOMP_MAX_ARGS)
    {
      for (size_t i = 0; i < r->n_args; i++)
        cmp[i] = (struct scmp_arg_cmp) { r->args[i].index, r->args[i].op, r->args[i].value, r->args[i].value_two };
      ret = seccomp_rule_add_array (ctx, r->action, nr, r->n_args, cmp);
      if (ret < 0)
        return ctrun_make_error (err, -ret, "seccomp rule for `%s`", name);
      return 0;
    }
  for (size_t i = 0; i < r->n_args; i++)
    {
      cmp[0] = (struct scmp_arg_cmp) { r->args[i].index, r->args[i].op, r->args[i].value, r->args[i].value_two };
      ret = seccomp_rule_add_array (ctx, r->action, nr, 1, cmp);
      if (ret < 0)
        return ctrun_make_error (err, -ret, "seccomp rule for `%s`", name);
    }
  return 0;
}

struct ctrun_seccomp_filter_s
{
  scmp_filter_ctx ctx;  /* when built here and not cached */
  struct sock_fprog prog; /* the BPF, when it is at hand (from the cache, or exported to it) */
  unsigned flags;       /* SECCOMP_FILTER_FLAG_* for a direct load */
};

static int
build_ctx (const struct ctrun_seccomp *s, scmp_filter_ctx *out, ctrun_error_t *err)
{
  scmp_filter_ctx ctx = seccomp_init (s->default_action);
  int ret;

  *out = NULL;
  if (ctx == NULL)
    return ctrun_make_error (err, 0, "seccomp_init: the kernel or libseccomp refuses the default action");
  /* no_new_privs is process.noNewPrivileges' business, not the filter's. */
  if (seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0) < 0
      || (s->flag_log && seccomp_attr_set (ctx, SCMP_FLTATR_CTL_LOG, 1) < 0)
      || (s->flag_spec_allow && seccomp_attr_set (ctx, SCMP_FLTATR_CTL_SSB, 1) < 0))
    {
      seccomp_release (ctx);
      return ctrun_make_error (err, 0, "seccomp: a filter flag is not supported by this kernel");
    }
  for (size_t i = 0; i < s->n_archs; i++)
    {
      ret = seccomp_arch_add (ctx, s->archs[i]);
      if (ret < 0 && ret != -EEXIST)
        {
          seccomp_release (ctx);
          return ctrun_make_error (err, -ret, "seccomp: add architecture");
        }
    }
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct ctrun_seccomp_rule *r = &s->rules[i];
      if (r->action == s->default_action)
        continue;
      for (char **name = r->names; *name; name++)
        {
          int nr = seccomp_syscall_resolve_name (*name);
          if (nr == __NR_SCMP_ERROR)
            {
              ctrun_log (CTRUN_LOG_DEBUG, "unknown seccomp syscall `%s` ignored", *name);
              continue;
            }
          if (add_rule (ctx, r, *name, nr, err) < 0)
            {
              seccomp_release (ctx);
              return -1;
            }
        }
    }
  *out = ctx;
  return 0;
}

/* The cache entry: the profile's canonical text, a NUL, then the BPF. The text is
   compared in full, so a hash collision can only cost a rebuild. The key also holds
   libseccomp's version: another version may compile differently. */
static char *
cache_path (const struct ctrun_seccomp *s, const char *dir)
{
  const struct scmp_version *v = seccomp_version ();
  uint64_t h = 1469598103934665603ULL;
  for (const char *p = s->canonical; *p; p++)
    h = (h ^ (unsigned char) *p) * 1099511628211ULL;
  return xasprintf ("%s/%016llx-%u.%u.%u.bpf", dir, (unsigned long long) h, v->major, v->minor, v->micro);
}

static bool
cache_read (const struct ctrun_seccomp *s, const char *path, struct sock_fprog *prog)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, key = strlen (s->canonical) + 1, bpf;

  if (read_file (path, &buf, &len, NULL) < 0 || len <= key || memcmp (buf, s->canonical, key) != 0)
    return false;
  bpf = len - key;
  if (bpf % sizeof (struct sock_filter) != 0 || bpf / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return false;
  prog->len = bpf / sizeof (struct sock_filter);
  prog->filter = xmalloc0 (bpf);
  memcpy (prog->filter, buf + key, bpf);
  return true;
}

/* Exports the BPF of CTX into a new cache entry, atomically, and reads it back. */
static bool
cache_write (const struct ctrun_seccomp *s, scmp_filter_ctx ctx, const char *dir, const char *path,
             struct sock_fprog *prog)
{
  cleanup_free char *tmp = xasprintf ("%s.%d.tmp", path, (int) getpid ());
  cleanup_close int fd = -1;

  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return false;
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return false;
  if (write_all (fd, s->canonical, strlen (s->canonical) + 1) < 0 || seccomp_export_bpf (ctx, fd) < 0
      || rename (tmp, path) < 0)
    {
      unlink (tmp);
      return false;
    }
  return cache_read (s, path, prog);
}

int
ctrun_seccomp_build (const struct ctrun_seccomp *s, const char *cache_dir, ctrun_seccomp_filter *out,
                     ctrun_error_t *err)
{
  struct ctrun_seccomp_filter_s *f = xmalloc0 (sizeof (*f));
  cleanup_free char *path = NULL;

  *out = NULL;
  f->flags = (s->flag_log ? SECCOMP_FILTER_FLAG_LOG : 0) | (s->flag_spec_allow ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0);
  /* A notify filter needs libseccomp's own load (it asks for the listener fd). */
  if (cache_dir && !s->uses_notify)
    {
      path = cache_path (s, cache_dir);
      if (cache_read (s, path, &f->prog))
        {
          *out = f;
          return 0;
        }
    }
  if (build_ctx (s, &f->ctx, err) < 0)
    {
      free (f);
      return -1;
    }
  if (path && cache_write (s, f->ctx, cache_dir, path, &f->prog))
    {
      seccomp_release (f->ctx);
      f->ctx = NULL;
    }
  *out = f;
  return 0;
}

void
ctrun_seccomp_filter_release (ctrun_seccomp_filter *f)
{
  if (*f == NULL)
    return;
  if ((*f)->ctx)
    seccomp_release ((*f)->ctx);
  free ((*f)->prog.filter);
  free (*f);
  *f = NULL;
}

int
ctrun_seccomp_load (ctrun_seccomp_filter f, int *notify_fd, ctrun_error_t *err)
{
  int ret;

  *notify_fd = -1;
  if (f->ctx == NULL)
    {
      /* The same seccomp(2) call libseccomp makes, with the BPF it made. */
      if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &f->prog) < 0)
        return ctrun_make_error (err, errno, "load the seccomp filter");
      return 0;
    }
  ret = seccomp_load (f->ctx);
  if (ret < 0)
    return ctrun_make_error (err, -ret, "load the seccomp filter");
  ret = seccomp_notify_fd (f->ctx);
  if (ret >= 0)
    *notify_fd = ret;
  return 0;
}

int
ctrun_seccomp_send_to_listener (const struct ctrun_seccomp *s, int notify_fd, json_t *state, pid_t pid,
                                ctrun_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = -1;
  cleanup_free char *text = NULL;
  json_t *msg;

  /* The spec's containerProcessState. */
  msg = json_pack ("{s:s, s:[s], s:i, s:s, s:O}", "ociVersion", "1.0.2", "fds", "seccompFd", "pid", (int) pid,
                   "metadata", s->listener_metadata ? s->listener_metadata : "", "state", state);
  if (msg == NULL)
    return ctrun_make_error (err, 0, "seccomp: build the container process state");
  text = json_dumps (msg, JSON_COMPACT);
  json_decref (msg);

  strcpy (addr.sun_path, s->listener_path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect (sock, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return ctrun_make_error (err, errno, "seccomp: connect to listenerPath `%s`", s->listener_path);

  if (send_with_fd (sock, text, strlen (text), notify_fd) < 0)
    return ctrun_make_error (err, errno, "seccomp: send the notify fd to `%s`", s->listener_path);
  return 0;
}

json_t *
ctrun_seccomp_describe (void)
{
  static const char *const archs[] = { "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
                                       "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
                                       "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
                                       "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32",
                                       "SCMP_ARCH_X86", "SCMP_ARCH_X86_64" };
  json_t *actions = json_array (), *ops = json_array (), *arr = json_array (), *flags = json_array ();

  for (size_t i = 0; i < ARRAY_SIZE (action_names); i++)
    json_array_append_new (actions, json_string (action_names[i].name));
  for (size_t i = 0; i < ARRAY_SIZE (op_names); i++)
    json_array_append_new (ops, json_string (op_names[i].name));
  for (size_t i = 0; i < ARRAY_SIZE (archs); i++)
    {
      uint32_t token;
      if (parse_arch (archs[i], &token, NULL) == 0)
        json_array_append_new (arr, json_string (archs[i]));
    }
  for (size_t i = 0; i < ARRAY_SIZE (known_flags); i++)
    json_array_append_new (flags, json_string (known_flags[i]));
  return json_pack ("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions", actions, "operators", ops, "archs", arr,
                    "knownFlags", flags, "supportedFlags", json_deep_copy (flags));
}

char *
ctrun_seccomp_library_version (void)
{
  const struct scmp_version *v = seccomp_version ();
  return xasprintf ("%u.%u.%u", v->major, v->minor, v->micro);
}
