/* container.c — see container.h.
 *
 * Process tree of `ctrun run`: one parent (ctrun:[0:MAIN]) and the container's
 * init (ctrun:[1:INIT]), which execs the command. The parent makes the cgroup,
 * clones the init, puts it in the cgroup, writes its uid/gid maps, records the
 * state, answers the init on the sync socket (hooks, seccomp listener, console),
 * and for a foreground run waits for it, forwards signals to it, relays its exit
 * status and removes the cgroup and the state (see state.h for what is kept). */
#define _GNU_SOURCE
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "child-sync.h"
#include "config.h"
#include "ids.h"
#include "log.h"
#include "namespaces.h"
#include "process.h"
#include "state.h"
#include "tty-relay.h"
#include "utils.h"

/* ---- run / create ---------------------------------------------------- */

/* What a failed launch must undo: the init, the cgroup, the state dir. */
struct launch_guard
{
  char *dir;
  bool dir_made;
  struct ctrun_cgroup cg;
  pid_t pid;
  bool keep;
};

static void
launch_guard_release (struct launch_guard *g)
{
  if (!g->keep)
    {
      if (g->pid > 0)
        {
          kill (g->pid, SIGKILL);
          while (waitpid (g->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        }
      ctrun_cgroup_remove (g->cg.created, g->cg.n_created, NULL);
      if (g->dir_made)
        ctrun_state_remove_dir (g->dir);
    }
  ctrun_cgroup_release (&g->cg);
  free (g->dir);
}
#define cleanup_launch_guard __attribute__ ((cleanup (launch_guard_release)))

enum launch_mode
{
  LAUNCH_RUN,
  LAUNCH_DETACH,
  LAUNCH_CREATE,
};

/* Hooks after the fact (poststart, poststop): a failure is a warning, as the spec says. */
static void
run_hooks_warn (const struct ctrun_config *c, enum ctrun_hook_kind kind, const char *id, const char *status, pid_t pid)
{
  ctrun_error_t err = NULL;
  cleanup_json json_t *state = NULL;

  if (c->hooks.n[kind] == 0)
    return;
  state = ctrun_spec_state (id, status, pid, c->bundle, c->annotations);
  if (ctrun_hooks_run (&c->hooks, kind, state, &err) < 0)
    {
      ctrun_log (CTRUN_LOG_WARNING, "%s", err->msg);
      if (ctrun_log_to_file ())
        fprintf (stderr, "ctrun: warning: %s\n", err->msg);
      ctrun_error_release (&err);
    }
}

static int
launch (struct ctrun_context *ctx, enum launch_mode mode, int *exit_status, ctrun_error_t *err)
{
  cleanup_config struct ctrun_config *c = NULL;
  cleanup_launch_guard struct launch_guard g = { .pid = -1 };
  cleanup_close int sync_parent = -1;
  cleanup_close int sync_child = -1;
  cleanup_close int fifo_fd = -1;
  cleanup_close int console_master = -1;
  cleanup_seccomp_filter ctrun_seccomp_filter filter = NULL;
  cleanup_free char *cache = NULL;
  struct ctrun_child_sync cs;
  struct ctrun_spawn spawn;

  /* comm holds 15 characters: "ctrun:[0:PARENT]" would be cut, hence MAIN. */
  prctl (PR_SET_NAME, "ctrun:[0:MAIN]", 0, 0, 0);
  g.cg.v2_fd = -1;
  if (ctrun_validate_id (ctx->id, err) < 0)
    return -1;
  if (ctrun_config_load (ctx->bundle, &c, err) < 0)
    return -1;
  if (c->terminal && ctx->console_socket == NULL && mode != LAUNCH_RUN)
    return ctrun_make_error (err, 0, "process.terminal is true: give --console-socket to receive the pty");

  g.dir = ctrun_state_dir (ctx->state_root, ctx->id);
  if (mkdir (g.dir, 0711) < 0)
    {
      if (errno == EEXIST)
        return ctrun_make_error (err, 0, "container `%s` already exists", ctx->id);
      if (errno != ENOENT || mkdir_p (ctx->state_root, 0711, NULL, NULL, err) < 0 || mkdir (g.dir, 0711) < 0)
        return ctrun_make_error (err, errno, "create state directory `%s`", g.dir);
    }
  g.dir_made = true;

  if (ctrun_cgroup_create (c, ctx->id, &g.cg, err) < 0)
    return -1;

  memset (&spawn, 0, sizeof (spawn));
  spawn.config = c;
  spawn.cgroup = &g.cg;
  spawn.fifo_fd = -1;
  spawn.id = ctx->id;
  spawn.no_pivot = ctx->no_pivot;
  spawn.preserve_fds = ctx->preserve_fds;
  spawn.new_userns = ctrun_namespaces_clone_flags (c) & CLONE_NEWUSER;
  spawn.setgroups_denied = spawn.new_userns && geteuid () != 0;
  spawn.wait_for_go = g.cg.mode != CGROUP_MODE_V2 || spawn.new_userns;
  spawn.last_cap = c->has_caps ? ctrun_last_cap () : 0;
  /* Compiled here, loaded by the init: a profile error fails before anything runs. */
  if (c->seccomp && ctrun_seccomp_build (c->seccomp, cache = ctrun_state_seccomp_cache (ctx->state_root), &filter, err) < 0)
    return -1;
  spawn.seccomp = filter;
  if (ctrun_namespaces_open (c, &spawn.ns, err) < 0)
    {
      ctrun_namespaces_close (&spawn.ns);
      return -1;
    }

  if (mode == LAUNCH_CREATE)
    {
      cleanup_free char *fifo = xasprintf ("%s/exec.fifo", g.dir);
      /* 0622: the init may no longer be root when it opens it for writing. */
      if (mkfifo (fifo, 0622) < 0 || chmod (fifo, 0622) < 0)
        return ctrun_make_error (err, errno, "mkfifo `%s`", fifo);
      fifo_fd = open (fifo, O_PATH | O_CLOEXEC);
      if (fifo_fd < 0)
        return ctrun_make_error (err, errno, "open `%s`", fifo);
      spawn.fifo_fd = fifo_fd;
    }

  if (ctrun_spawn_sync_pair (&spawn, err) < 0)
    return -1;
  sync_parent = spawn.sync_parent_fd; /* closed by scope */
  sync_child = spawn.sync_fd;

  /* Signals wait until the init exists and has exec'd; then they are forwarded. */
  ctrun_block_forwarded_signals (&spawn.saved_mask);

  g.pid = ctrun_spawn_init (&spawn, err);
  ctrun_namespaces_close (&spawn.ns);
  if (g.pid < 0)
    return -1;
  close (sync_child);
  sync_child = -1;

  if (ctrun_cgroup_enter (&g.cg, g.pid, g.cg.v2_fd >= 0, err) < 0)
    return -1;
  if (spawn.new_userns && ctrun_write_id_maps (g.pid, c, spawn.setgroups_denied, err) < 0)
    return -1;
  if (spawn.wait_for_go)
    {
      char go = SYNC_GO;
      if (send (sync_parent, &go, 1, MSG_NOSIGNAL) != 1)
        return ctrun_make_error (err, errno, "signal the container init");
    }
  if (ctrun_state_write (g.dir, ctx->id, c, g.pid, &g.cg, err) < 0)
    return -1;

  cs = (struct ctrun_child_sync) { .fd = sync_parent, .pid = g.pid, .config = c, .id = ctx->id,
                                   .console_socket = ctx->console_socket, .console_master = -1,
                                   .until_ready = mode == LAUNCH_CREATE };
  if (ctrun_child_sync_wait (&cs, err) < 0)
    {
      if (cs.console_master >= 0)
        close (cs.console_master);
      return -1; /* the guard kills and reaps the init if it is still there */
    }
  console_master = cs.console_master;

  if (ctx->pid_file && write_pid_file (ctx->pid_file, g.pid, err) < 0)
    return -1;

  if (mode != LAUNCH_CREATE)
    run_hooks_warn (c, HOOK_POSTSTART, ctx->id, "running", g.pid);
  if (mode != LAUNCH_RUN)
    {
      g.keep = true;
      *exit_status = 0;
      return 0;
    }

  /* Foreground: forward signals (or relay the terminal), wait, relay the status, then
     clean up (the guard). */
  if (console_master >= 0 ? ctrun_tty_relay (console_master, g.pid, &spawn.saved_mask, exit_status, err) < 0
                          : ctrun_wait_foreground (g.pid, &spawn.saved_mask, exit_status, err) < 0)
    return -1;
  g.pid = -1;
  ctrun_cgroup_remove (g.cg.created, g.cg.n_created, NULL);
  run_hooks_warn (c, HOOK_POSTSTOP, ctx->id, "stopped", 0);
  return 0;
}

int
ctrun_container_run (struct ctrun_context *ctx, ctrun_error_t *err)
{
  int status = 0;
  if (launch (ctx, ctx->detach ? LAUNCH_DETACH : LAUNCH_RUN, &status, err) < 0)
    return -1;
  return status;
}

int
ctrun_container_create (struct ctrun_context *ctx, ctrun_error_t *err)
{
  int status = 0;
  return launch (ctx, LAUNCH_CREATE, &status, err);
}

/* ---- start / state / kill / delete / pause / resume / ps --------------- */

int
ctrun_container_start (struct ctrun_context *ctx, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_config struct ctrun_config *c = NULL;
  cleanup_free char *fifo = NULL;
  cleanup_close int fd = -1;
  const char *status;
  char byte;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  status = ctrun_state_status (&st);
  if (strcmp (status, "created") != 0)
    return ctrun_make_error (err, 0, "cannot start container `%s`: it is %s", ctx->id, status);

  fifo = xasprintf ("%s/%s/exec.fifo", ctx->state_root, ctx->id);
  /* O_NONBLOCK: never hang on a fifo whose writer died; poll instead. */
  fd = open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return ctrun_make_error (err, errno, "open `%s`", fifo);
  for (;;)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      int r = poll (&p, 1, 100);
      if (r < 0 && errno != EINTR)
        return ctrun_make_error (err, errno, "poll `%s`", fifo);
      if (r > 0 && read (fd, &byte, 1) == 1)
        break;
      if (!ctrun_state_init_alive (&st))
        return ctrun_make_error (err, 0, "cannot start container `%s`: its init exited", ctx->id);
    }
  unlink (fifo);
  /* poststart: the bundle's hooks, if the bundle is still there. */
  if (ctrun_config_load (st.bundle, &c, NULL) == 0)
    run_hooks_warn (c, HOOK_POSTSTART, ctx->id, "running", st.pid);
  return 0;
}

int
ctrun_container_state (struct ctrun_context *ctx, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_json json_t *out = NULL;
  cleanup_free char *text = NULL;
  const char *status;
  json_t *annotations;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  status = ctrun_state_status (&st);
  /* runc's fields: the spec's, and rootfs, created, owner. */
  out = json_pack ("{s:s, s:s, s:s, s:i, s:s, s:O, s:O, s:s}", "ociVersion", CTRUN_OCI_VERSION, "id", ctx->id, "status",
                   status, "pid", strcmp (status, "stopped") == 0 ? 0 : st.pid, "bundle", st.bundle, "rootfs",
                   json_object_get (st.json, "rootfs"), "created", json_object_get (st.json, "created"), "owner", "");
  if (out == NULL)
    return ctrun_make_error (err, 0, "state of `%s` is damaged", ctx->id);
  annotations = json_object_get (st.json, "annotations");
  if (json_object_size (annotations))
    json_object_set (out, "annotations", annotations);
  text = json_dumps (out, JSON_INDENT (2));
  printf ("%s\n", text);
  return 0;
}

static int
parse_signal (const char *s, ctrun_error_t *err)
{
  char *end;
  long n;

  if (s == NULL)
    return SIGTERM;
  n = strtol (s, &end, 10);
  if (*s && *end == '\0')
    {
      if (n <= 0 || n >= NSIG)
        return ctrun_make_error (err, 0, "invalid signal `%s`", s);
      return n;
    }
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (int sig = 1; sig < SIGRTMIN; sig++)
    {
      const char *abbrev = sigabbrev_np (sig);
      if (abbrev && strcasecmp (s, abbrev) == 0)
        return sig;
    }
  return ctrun_make_error (err, 0, "invalid signal `%s`", s);
}

int
ctrun_container_kill (struct ctrun_context *ctx, const char *signal, bool all, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  int sig = parse_signal (signal, err);

  if (sig < 0)
    return -1;
  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  if (all)
    {
      /* Every process in the container's cgroup; nothing left is no error. */
      if (ctrun_cgroup_procs (&st.cg, &pids, &n, err) < 0)
        return -1;
      for (size_t i = 0; i < n; i++)
        kill (pids[i], sig);
      return 0;
    }
  if (!ctrun_state_init_alive (&st))
    return ctrun_make_error (err, 0, "container `%s` is not running", ctx->id);
  if (kill (st.pid, sig) < 0)
    return ctrun_make_error (err, errno, "kill container `%s`", ctx->id);
  return 0;
}

int
ctrun_container_delete (struct ctrun_context *ctx, bool force, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_config struct ctrun_config *c = NULL;
  cleanup_free char *dir = NULL;
  cleanup_strv char **dirs = NULL;
  json_t *arr, *v;
  const char *status;
  size_t i, n = 0;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  status = ctrun_state_status (&st);
  if ((strcmp (status, "running") == 0 || strcmp (status, "paused") == 0) && !force)
    return ctrun_make_error (err, 0, "cannot delete container `%s` that is %s: stop it or use --force", ctx->id, status);
  if (strcmp (status, "stopped") != 0)
    {
      /* A pidfd waits for exactly this process, not for a reused pid. */
      cleanup_close int pidfd = sys_pidfd_open (st.pid);
      if (strcmp (status, "paused") == 0)
        ctrun_cgroup_set_frozen (&st.cg, false, NULL);
      if (pidfd >= 0 && ctrun_state_init_alive (&st))
        {
          struct pollfd p = { .fd = pidfd, .events = POLLIN };
          kill (st.pid, SIGKILL);
          while (poll (&p, 1, 10000) < 0 && errno == EINTR)
            ;
        }
    }

  arr = json_object_get (st.json, "cgroupDirs");
  dirs = xmalloc0 (sizeof (char *) * (json_array_size (arr) + 1));
  json_array_foreach (arr, i, v)
    if (json_is_string (v))
      dirs[n++] = xstrdup (json_string_value (v));
  if (ctrun_cgroup_remove (dirs, n, err) < 0)
    return -1;

  dir = ctrun_state_dir (ctx->state_root, ctx->id);
  ctrun_state_remove_dir (dir);
  /* poststop, after the container is gone; the bundle may be gone too. */
  if (ctrun_config_load (st.bundle, &c, NULL) == 0)
    run_hooks_warn (c, HOOK_POSTSTOP, ctx->id, "stopped", 0);
  return 0;
}

int
ctrun_container_pause (struct ctrun_context *ctx, bool pause, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  const char *status;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  status = ctrun_state_status (&st);
  if (strcmp (status, pause ? "running" : "paused") != 0)
    return ctrun_make_error (err, 0, "cannot %s container `%s`: it is %s", pause ? "pause" : "resume", ctx->id, status);
  return ctrun_cgroup_set_frozen (&st.cg, pause, err);
}

int
ctrun_container_ps (struct ctrun_context *ctx, bool json, ctrun_error_t *err)
{
  cleanup_state struct ctrun_state st;
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;

  if (ctrun_state_load (ctx->state_root, ctx->id, &st, err) < 0)
    return -1;
  if (ctrun_cgroup_procs (&st.cg, &pids, &n, err) < 0)
    return -1;
  if (json)
    {
      /* runc prints a JSON array of the host pids. */
      printf ("[");
      for (size_t i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", pids[i]);
      printf ("]\n");
      return 0;
    }
  printf ("PID\n");
  for (size_t i = 0; i < n; i++)
    printf ("%d\n", pids[i]);
  return 0;
}
