/* container.c — see container.h.
 *
 * Process tree of `ctrun run`: one parent (ctrun:[0:MAIN]) and the container's
 * init (ctrun:[1:INIT]), which execs the command. The parent makes the cgroup,
 * clones the init, puts it in the cgroup, writes its uid/gid maps, records the
 * state, and for a foreground run waits for it, forwards signals to it, relays
 * its exit status and removes the cgroup and the state.
 *
 * State: ROOT/ID/state.json (pid, its start time, bundle, cgroup dirs made) and,
 * between create and start, ROOT/ID/exec.fifo on which the init waits. The status
 * is derived, never stored: pid gone → stopped; fifo present → created; else running. */
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
#include "config.h"
#include "ids.h"
#include "namespaces.h"
#include "process.h"
#include "utils.h"

#define OCI_VERSION "1.0.2"

static void
cleanup_jsonp (json_t **j)
{
  if (*j)
    json_decref (*j);
}
#define cleanup_json __attribute__ ((cleanup (cleanup_jsonp)))

static int
validate_id (const char *id, ctrun_error_t *err)
{
  if (id == NULL || *id == '\0')
    return ctrun_make_error (err, 0, "a container id is required");
  if (strcmp (id, ".") == 0 || strcmp (id, "..") == 0 || strlen (id) > 1024)
    return ctrun_make_error (err, 0, "invalid container id `%s`", id);
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr ("_+-.", *p)))
      return ctrun_make_error (err, 0, "invalid container id `%s`: use letters, digits, _ + - .", id);
  return 0;
}

static char *
state_dir (const struct ctrun_context *ctx)
{
  return xasprintf ("%s/%s", ctx->state_root, ctx->id);
}

static void
remove_state_dir (const char *dir)
{
  char path[4096];
  snprintf (path, sizeof (path), "%s/exec.fifo", dir);
  unlink (path);
  snprintf (path, sizeof (path), "%s/state.json", dir);
  unlink (path);
  rmdir (dir);
}

static void
now_rfc3339 (char *buf, size_t size)
{
  struct timespec ts;
  struct tm tm;
  char base[32];
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (base, sizeof (base), "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}

/* ---- state.json ------------------------------------------------------ */

struct state
{
  json_t *json;
  pid_t pid;
  unsigned long long starttime;
};

static void
cleanup_statep (struct state *s)
{
  if (s->json)
    json_decref (s->json);
}
#define cleanup_state __attribute__ ((cleanup (cleanup_statep)))

static int
write_state (const char *dir, const struct ctrun_context *ctx, const struct ctrun_config *c, pid_t pid,
             const struct ctrun_cgroup *cg, ctrun_error_t *err)
{
  cleanup_json json_t *j = NULL;
  cleanup_free char *path = xasprintf ("%s/state.json", dir);
  cleanup_free char *text = NULL;
  json_t *dirs = json_array ();
  char created[64];

  now_rfc3339 (created, sizeof (created));
  for (size_t i = 0; i < cg->n_created; i++)
    json_array_append_new (dirs, json_string (cg->created[i]));
  j = json_pack ("{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:o}", "ociVersion", OCI_VERSION, "id", ctx->id, "pid", pid,
                 "starttime", (json_int_t) process_start_time (pid), "bundle", c->bundle, "rootfs", c->rootfs,
                 "created", created, "cgroupDirs", dirs);
  if (j == NULL)
    return ctrun_make_error (err, 0, "build state.json");
  text = json_dumps (j, JSON_COMPACT);
  return create_file (path, text, strlen (text), 0600, err);
}

static int
load_state (const struct ctrun_context *ctx, struct state *st, ctrun_error_t *err)
{
  cleanup_free char *path = NULL;
  json_error_t jerr;

  if (validate_id (ctx->id, err) < 0)
    return -1;
  path = xasprintf ("%s/%s/state.json", ctx->state_root, ctx->id);
  st->json = json_load_file (path, 0, &jerr);
  if (st->json == NULL)
    {
      if (access (path, F_OK) < 0 && errno == ENOENT)
        return ctrun_make_error (err, 0, "container `%s` does not exist", ctx->id);
      return ctrun_make_error (err, 0, "read `%s`: %s", path, jerr.text);
    }
  st->pid = json_integer_value (json_object_get (st->json, "pid"));
  st->starttime = json_integer_value (json_object_get (st->json, "starttime"));
  return 0;
}

static bool
init_alive (const struct state *st)
{
  char path[64];
  cleanup_free char *buf = NULL;
  char *p;

  if (st->pid <= 0 || process_start_time (st->pid) != st->starttime)
    return false;
  /* A zombie is stopped too. */
  snprintf (path, sizeof (path), "/proc/%d/stat", st->pid);
  if (read_file (path, &buf, NULL, NULL) < 0 || (p = strrchr (buf, ')')) == NULL)
    return false;
  return p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

static const char *
state_status (const struct ctrun_context *ctx, const struct state *st)
{
  char path[4096];
  if (!init_alive (st))
    return "stopped";
  snprintf (path, sizeof (path), "%s/%s/exec.fifo", ctx->state_root, ctx->id);
  return access (path, F_OK) == 0 ? "created" : "running";
}

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
        remove_state_dir (g->dir);
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

static const int forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };
static volatile pid_t forward_to;

static void
forward_signal (int sig)
{
  if (forward_to > 0)
    kill (forward_to, sig);
}

/* The spec's state of a container: what `state` prints, hooks read on stdin and a
   seccomp listener receives. */
static json_t *
spec_state (const char *id, const char *status, pid_t pid, const char *bundle, json_t *annotations)
{
  json_t *j = json_pack ("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", OCI_VERSION, "id", id, "status", status, "pid",
                         (int) pid, "bundle", bundle);
  if (j && annotations && json_object_size (annotations))
    json_object_set (j, "annotations", annotations);
  return j;
}

/* A seccomp notify fd from the init: to the listener, then let the init go on. */
static int
forward_notify_fd (int sync_fd, int notify_fd, pid_t pid, const struct ctrun_config *c, const char *id,
                   ctrun_error_t *err)
{
  cleanup_json json_t *state = spec_state (id, "creating", pid, c->bundle, c->annotations);
  int r = ctrun_seccomp_send_to_listener (c->seccomp, notify_fd, state, pid, err);
  close (notify_fd);
  if (r < 0)
    return -1;
  if (send (sync_fd, (char[]) { SYNC_GO }, 1, MSG_NOSIGNAL) != 1)
    return ctrun_make_error (err, errno, "signal the container init");
  return 0;
}

/* The init's answer: EOF once it exec'd (the socket is close-on-exec), READY when
   `create` has set it up, or ERROR with what failed; before those, a seccomp notify fd. */
static int
wait_for_init (int sync_fd, pid_t pid, enum launch_mode mode, const struct ctrun_config *c, const char *id,
               ctrun_error_t *err)
{
  char buf[4096];
  ssize_t n;
  int fd;

  for (;;)
    {
      n = recv_with_fd (sync_fd, buf, sizeof (buf) - 1, &fd);
      if (n < 0)
        return ctrun_make_error (err, errno, "read from the container init");
      if (n >= 1 && buf[0] == SYNC_SECCOMP && fd >= 0 && c->seccomp)
        {
          if (forward_notify_fd (sync_fd, fd, pid, c, id, err) < 0)
            return -1;
          continue;
        }
      if (fd >= 0)
        close (fd);
      break;
    }
  if (n == 0 && mode != LAUNCH_CREATE)
    return 0;
  if (n >= 1 && buf[0] == SYNC_READY)
    return 0;
  if (n >= 2 && buf[0] == SYNC_ERROR)
    {
      buf[n] = '\0';
      ctrun_make_error (err, 0, "%s", buf + 2);
      ctrun_error_set_status (err, (unsigned char) buf[1]);
      return -1;
    }
  {
    int status = 0;
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
    return ctrun_make_error (err, 0, "the container init exited during setup (status 0x%x)", status);
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
  cleanup_seccomp_filter ctrun_seccomp_filter filter = NULL;
  struct ctrun_spawn spawn;
  sigset_t block;
  int fds[2];

  /* comm holds 15 characters: "ctrun:[0:PARENT]" would be cut, hence MAIN. */
  prctl (PR_SET_NAME, "ctrun:[0:MAIN]", 0, 0, 0);
  g.cg.v2_fd = -1;
  if (validate_id (ctx->id, err) < 0)
    return -1;
  if (ctrun_config_load (ctx->bundle, &c, err) < 0)
    return -1;

  g.dir = state_dir (ctx);
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
  spawn.new_userns = ctrun_namespaces_clone_flags (c) & CLONE_NEWUSER;
  spawn.setgroups_denied = spawn.new_userns && geteuid () != 0;
  spawn.wait_for_go = g.cg.mode != CGROUP_MODE_V2 || spawn.new_userns;
  spawn.last_cap = c->has_caps ? ctrun_last_cap () : 0;
  /* Compiled here, loaded by the init: a profile error fails before anything runs. */
  if (c->seccomp && ctrun_seccomp_build (c->seccomp, &filter, err) < 0)
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

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return ctrun_make_error (err, errno, "socketpair");
  sync_parent = fds[0];
  sync_child = fds[1];
  spawn.sync_fd = sync_child;
  spawn.sync_parent_fd = sync_parent;

  /* Signals wait until the init exists and has exec'd; then they are forwarded. */
  sigemptyset (&block);
  for (size_t i = 0; i < ARRAY_SIZE (forwarded_signals); i++)
    sigaddset (&block, forwarded_signals[i]);
  sigprocmask (SIG_BLOCK, &block, &spawn.saved_mask);

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
  if (write_state (g.dir, ctx, c, g.pid, &g.cg, err) < 0)
    return -1;

  if (wait_for_init (sync_parent, g.pid, mode, c, ctx->id, err) < 0)
    return -1; /* the guard kills and reaps the init if it is still there */

  if (ctx->pid_file)
    {
      char buf[16];
      int n = snprintf (buf, sizeof (buf), "%d", g.pid);
      if (create_file (ctx->pid_file, buf, n, 0644, err) < 0)
        return -1;
    }

  if (mode != LAUNCH_RUN)
    {
      g.keep = true;
      *exit_status = 0;
      return 0;
    }

  /* Foreground: forward signals, wait, relay the status, then clean up (the guard). */
  forward_to = g.pid;
  for (size_t i = 0; i < ARRAY_SIZE (forwarded_signals); i++)
    {
      struct sigaction sa;
      memset (&sa, 0, sizeof (sa));
      sa.sa_handler = forward_signal;
      sigaction (forwarded_signals[i], &sa, NULL);
    }
  sigprocmask (SIG_SETMASK, &spawn.saved_mask, NULL);
  for (;;)
    {
      int status;
      if (waitpid (g.pid, &status, 0) < 0)
        {
          if (errno == EINTR)
            continue;
          return ctrun_make_error (err, errno, "wait for the container");
        }
      if (WIFEXITED (status))
        *exit_status = WEXITSTATUS (status);
      else if (WIFSIGNALED (status))
        *exit_status = 128 + WTERMSIG (status);
      else
        continue;
      break;
    }
  forward_to = 0;
  g.pid = -1;
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

/* ---- start / state / kill / delete ----------------------------------- */

int
ctrun_container_start (struct ctrun_context *ctx, ctrun_error_t *err)
{
  cleanup_state struct state st = { 0 };
  cleanup_free char *fifo = NULL;
  cleanup_close int fd = -1;
  const char *status;
  char byte;

  if (load_state (ctx, &st, err) < 0)
    return -1;
  status = state_status (ctx, &st);
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
      if (!init_alive (&st))
        return ctrun_make_error (err, 0, "cannot start container `%s`: its init exited", ctx->id);
    }
  unlink (fifo);
  return 0;
}

int
ctrun_container_state (struct ctrun_context *ctx, ctrun_error_t *err)
{
  cleanup_state struct state st = { 0 };
  cleanup_json json_t *out = NULL;
  cleanup_free char *text = NULL;
  const char *status;

  if (load_state (ctx, &st, err) < 0)
    return -1;
  status = state_status (ctx, &st);
  out = json_pack ("{s:s, s:s, s:s, s:i, s:O, s:O, s:O}", "ociVersion", OCI_VERSION, "id", ctx->id, "status", status,
                   "pid", strcmp (status, "stopped") == 0 ? 0 : st.pid, "bundle",
                   json_object_get (st.json, "bundle"), "rootfs", json_object_get (st.json, "rootfs"), "created",
                   json_object_get (st.json, "created"));
  if (out == NULL)
    return ctrun_make_error (err, 0, "state of `%s` is damaged", ctx->id);
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
ctrun_container_kill (struct ctrun_context *ctx, const char *signal, ctrun_error_t *err)
{
  cleanup_state struct state st = { 0 };
  int sig = parse_signal (signal, err);

  if (sig < 0)
    return -1;
  if (load_state (ctx, &st, err) < 0)
    return -1;
  if (!init_alive (&st))
    return ctrun_make_error (err, 0, "container `%s` is not running", ctx->id);
  if (kill (st.pid, sig) < 0)
    return ctrun_make_error (err, errno, "kill container `%s`", ctx->id);
  return 0;
}

int
ctrun_container_delete (struct ctrun_context *ctx, bool force, ctrun_error_t *err)
{
  cleanup_state struct state st = { 0 };
  cleanup_free char *dir = NULL;
  cleanup_strv char **dirs = NULL;
  json_t *arr, *v;
  const char *status;
  size_t i, n = 0;

  if (load_state (ctx, &st, err) < 0)
    return -1;
  status = state_status (ctx, &st);
  if (strcmp (status, "running") == 0 && !force)
    return ctrun_make_error (err, 0, "cannot delete container `%s` that is running: stop it or use --force", ctx->id);
  if (strcmp (status, "stopped") != 0)
    {
      /* A pidfd waits for exactly this process, not for a reused pid. */
      cleanup_close int pidfd = sys_pidfd_open (st.pid);
      if (pidfd >= 0 && init_alive (&st))
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

  dir = state_dir (ctx);
  remove_state_dir (dir);
  return 0;
}
