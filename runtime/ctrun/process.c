/* process.c — see process.h.
 *
 * The init is the process clone3 created with CLONE_NEWPID: it becomes PID 1 of
 * the container and, at the end, execs the command itself. Its sequence:
 *   wait for the parent (cgroup, uid/gid maps) → become root of a new user ns →
 *   setns joined namespaces → unshare(CLONE_NEWCGROUP) → "/" rslave → bind rootfs →
 *   mounts → devices → pivot_root → hostname → sysctl → readonly/masked paths →
 *   read-only root → oom_score_adj → rlimits → no_new_privs, caps, uid/gid →
 *   chdir(cwd) → close-on-exec fds ≥ 3 → seccomp → [create: wait on exec.fifo] → execve.
 *
 * seccomp goes as late as runc puts it, so that few calls must pass the filter: just
 * before execve (the fifo wait of `create` aside). Without no_new_privs, loading a
 * filter needs CAP_SYS_ADMIN: when the process will not keep it, the filter is loaded
 * before the capabilities and the uid change instead, as runc does. */
#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <termios.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices.h"
#include "ids.h"
#include "mounts.h"
#include "state.h"
#include "sysctl.h"
#include "utils.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Tells the parent what failed and exits. If the parent is gone (after `create`),
   the message goes to our own stderr instead. */
static void __attribute__ ((noreturn))
init_fail (struct ctrun_spawn *s, ctrun_error_t *err)
{
  char buf[4096];
  int status = (*err)->status;
  int n = snprintf (buf, sizeof (buf), "%c%c%s", SYNC_ERROR, (char) status, (*err)->msg);

  if (n >= (int) sizeof (buf))
    n = sizeof (buf) - 1;
  if (send (s->sync_fd, buf, n, MSG_NOSIGNAL) < 0)
    ctrun_error_print (err);
  _exit (status);
}

/* process.args[0] looked up in the container's PATH, as execvp would. */
static int
find_executable (const struct ctrun_config *c, char **out, ctrun_error_t *err)
{
  const char *arg0 = c->args[0];
  const char *path = DEFAULT_PATH;
  int last_errno = ENOENT;
  struct stat st;

  if (strchr (arg0, '/'))
    {
      *out = xstrdup (arg0);
      return 0;
    }
  for (char **e = c->env; *e; e++)
    if (strncmp (*e, "PATH=", 5) == 0)
      path = *e + 5;

  for (const char *p = path;;)
    {
      const char *colon = strchr (p, ':');
      size_t len = colon ? (size_t) (colon - p) : strlen (p);
      cleanup_free char *candidate = xasprintf ("%.*s/%s", (int) len, len ? p : ".", arg0);

      if (stat (candidate, &st) == 0)
        {
          if (S_ISREG (st.st_mode) && (st.st_mode & 0111))
            {
              *out = candidate;
              candidate = NULL;
              return 0;
            }
          last_errno = EACCES;
        }
      if (colon == NULL)
        break;
      p = colon + 1;
    }
  ctrun_make_error (err, last_errno, "exec \"%s\"", arg0);
  ctrun_error_set_status (err, last_errno == ENOENT ? 127 : 126);
  return -1;
}

/* Blocks until `ctrun start` opens exec.fifo for reading, then tells it we go. */
static int
wait_exec_fifo (int fifo_fd, ctrun_error_t *err)
{
  char path[64];
  cleanup_close int fd = -1;

  snprintf (path, sizeof (path), "/proc/self/fd/%d", fifo_fd);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return ctrun_make_error (err, errno, "open exec.fifo");
  if (write (fd, "0", 1) != 1)
    return ctrun_make_error (err, errno, "write exec.fifo");
  close (fifo_fd);
  return 0;
}

/* Loading a filter later than the identity change is allowed with no_new_privs or
   with CAP_SYS_ADMIN still effective. */
static bool
seccomp_after_identity (const struct ctrun_config *c)
{
  if (c->no_new_privileges)
    return true;
  if (!c->has_caps)
    return c->uid == 0;
  return (c->caps.effective & (1ULL << 21 /* CAP_SYS_ADMIN */)) != 0;
}

/* Loads the filter; a notify fd goes to the parent, which hands it to listenerPath. */
static int
install_seccomp (struct ctrun_spawn *s, ctrun_error_t *err)
{
  int notify_fd = -1;
  char ack = 0;
  ssize_t n;

  if (ctrun_seccomp_load (s->seccomp, &notify_fd, err) < 0)
    return -1;
  if (notify_fd < 0)
    return 0;
  if (send_with_fd (s->sync_fd, (char[]) { SYNC_SECCOMP }, 1, notify_fd) < 0)
    return ctrun_make_error (err, errno, "send the seccomp notify fd");
  close (notify_fd);
  do
    n = recv (s->sync_fd, &ack, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n != 1 || ack != SYNC_GO)
    _exit (1); /* the parent failed to reach the listener; it reports and cleans up */
  return 0;
}

static void
wait_for_parent (struct ctrun_spawn *s)
{
  char go = 0;
  ssize_t n;
  do
    n = recv (s->sync_fd, &go, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n != 1 || go != SYNC_GO)
    _exit (1); /* the parent is gone or failed; it cleans up */
}

static int
run_init_hooks (struct ctrun_spawn *s, enum ctrun_hook_kind kind, const char *status, ctrun_error_t *err)
{
  json_t *state;
  int r;
  if (s->config->hooks.n[kind] == 0)
    return 0;
  /* The pid is the one the runtime sees (sent with the hooks' go). */
  state = ctrun_spec_state (s->id, status, s->host_pid, s->config->bundle, s->config->annotations);
  r = ctrun_hooks_run (&s->config->hooks, kind, state, err);
  json_decref (state);
  return r;
}

/* Before pivot_root: the parent runs prestart and createRuntime in the runtime's
   namespaces (and tells us our pid as it sees it), then we run createContainer here, in
   the container's namespaces. */
static int
hooks_before_pivot (struct ctrun_spawn *s, ctrun_error_t *err)
{
  const struct ctrun_hooks *h = &s->config->hooks;
  ssize_t n;

  if (h->n[HOOK_PRESTART] + h->n[HOOK_CREATE_RUNTIME] + h->n[HOOK_CREATE_CONTAINER] + h->n[HOOK_START_CONTAINER] == 0)
    return 0;
  if (send (s->sync_fd, (char[]) { SYNC_HOOKS }, 1, MSG_NOSIGNAL) != 1)
    return ctrun_make_error (err, errno, "ask the parent to run the hooks");
  do
    n = recv (s->sync_fd, &s->host_pid, sizeof (s->host_pid), 0);
  while (n < 0 && errno == EINTR);
  if (n != sizeof (s->host_pid))
    _exit (1);
  return run_init_hooks (s, HOOK_CREATE_CONTAINER, "creating", err);
}

/* A pty: the slave becomes the controlling terminal and stdio, the master goes to the
   parent (and from it to --console-socket). /dev/ptmx is the container's own devpts. */
static int
setup_terminal (struct ctrun_spawn *s, bool console, ctrun_error_t *err)
{
  const struct ctrun_config *c = s->config;
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  cleanup_close int slave = -1;
  int unlock = 0;

  if (master < 0)
    return ctrun_make_error (err, errno, "open /dev/ptmx in the container");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return ctrun_make_error (err, errno, "unlock the pty");
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return ctrun_make_error (err, errno, "open the pty slave");
  if (c->console_height && c->console_width)
    {
      struct winsize ws = { .ws_row = c->console_height, .ws_col = c->console_width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return ctrun_make_error (err, errno, "set the console size");
    }
  if (console)
    {
      /* The init's pty is also /dev/console, as under runc: a bind of the slave. */
      char pts[64];
      unsigned n;
      int fd;
      if (ioctl (master, TIOCGPTN, &n) < 0)
        return ctrun_make_error (err, errno, "get the pty number");
      snprintf (pts, sizeof (pts), "/dev/pts/%u", n);
      fd = open ("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
      if (fd >= 0)
        close (fd);
      if (mount (pts, "/dev/console", NULL, MS_BIND, NULL) < 0)
        return ctrun_make_error (err, errno, "bind `%s` on /dev/console", pts);
    }
  if (setsid () < 0 && errno != EPERM)
    return ctrun_make_error (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return ctrun_make_error (err, errno, "make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return ctrun_make_error (err, errno, "dup2 the pty onto %d", fd);
  if (send_with_fd (s->sync_fd, (char[]) { SYNC_CONSOLE }, 1, master) < 0)
    return ctrun_make_error (err, errno, "send the pty master");
  return 0;
}

/* The end both the init and an exec'd process share: rlimits, seccomp, identity, cwd,
   descriptors, [the exec.fifo], startContainer hooks, execve. */
static void __attribute__ ((noreturn))
finish_and_exec (struct ctrun_spawn *s)
{
  const struct ctrun_config *c = s->config;
  ctrun_error_t err = NULL;
  cleanup_free char *exe = NULL;

  if (ctrun_set_rlimits (c, &err) < 0)
    init_fail (s, &err);
  if (c->has_personality && personality (c->personality) < 0)
    {
      ctrun_make_error (&err, errno, "personality");
      init_fail (s, &err);
    }
  if (s->seccomp && !seccomp_after_identity (c) && install_seccomp (s, &err) < 0)
    init_fail (s, &err);
  if (ctrun_set_identity (c, s->last_cap, s->setgroups_denied, &err) < 0)
    init_fail (s, &err);
  if (chdir (c->cwd) < 0)
    {
      ctrun_make_error (&err, errno, "chdir to cwd `%s`", c->cwd);
      init_fail (s, &err);
    }
  umask (c->has_umask ? c->umask : 022);
  if (find_executable (c, &exe, &err) < 0)
    init_fail (s, &err);

  /* No descriptor of ours, nor any ctrun inherited, crosses into the container
     (but the --preserve-fds ones, 3 and up). */
  if (syscall (SYS_close_range, 3 + s->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      ctrun_make_error (&err, errno, "close_range");
      init_fail (s, &err);
    }
  if (s->seccomp && seccomp_after_identity (c) && install_seccomp (s, &err) < 0)
    init_fail (s, &err);

  if (s->fifo_fd >= 0)
    {
      char ready = SYNC_READY;
      if (send (s->sync_fd, &ready, 1, MSG_NOSIGNAL) != 1)
        _exit (1);
      if (wait_exec_fifo (s->fifo_fd, &err) < 0)
        init_fail (s, &err);
    }
  if (s->id && run_init_hooks (s, HOOK_START_CONTAINER, "created", &err) < 0)
    init_fail (s, &err);
  execve (exe, c->args, c->env);
  ctrun_make_error (&err, errno, "exec \"%s\"", c->args[0]);
  ctrun_error_set_status (&err, errno == ENOENT ? 127 : 126);
  init_fail (s, &err);
}

/* A time namespace takes its offsets before any process is in it: so the init makes it
   for its children (unshare), writes them, and enters it at its execve. */
static int
new_time_namespace (const struct ctrun_config *c, ctrun_error_t *err)
{
  char line[96];
  if (unshare (CLONE_NEWTIME) < 0)
    return ctrun_make_error (err, errno, "unshare time namespace");
  if (!c->has_time_offsets)
    return 0;
  snprintf (line, sizeof (line), "monotonic %lld %lld", (long long) c->monotonic_secs, (long long) c->monotonic_nsecs);
  if (write_file_str ("/proc/self/timens_offsets", line, err) < 0)
    return -1;
  snprintf (line, sizeof (line), "boottime %lld %lld", (long long) c->boottime_secs, (long long) c->boottime_nsecs);
  return write_file_str ("/proc/self/timens_offsets", line, err);
}

static void __attribute__ ((noreturn))
container_init (struct ctrun_spawn *s)
{
  const struct ctrun_config *c = s->config;
  ctrun_error_t err = NULL;
  cleanup_close int rootfd = -1;
  const char *cgns_path, *timens_path;

  prctl (PR_SET_NAME, "ctrun:[1:INIT]", 0, 0, 0);
  close (s->sync_parent_fd);
  sigprocmask (SIG_SETMASK, &s->saved_mask, NULL);

  if (s->wait_for_go)
    wait_for_parent (s);

  if (s->new_userns && ctrun_become_userns_root (&err) < 0)
    init_fail (s, &err);
  if (ctrun_namespaces_join (&s->ns, &err) < 0)
    init_fail (s, &err);
  if (ctrun_config_has_namespace (c, CLONE_NEWTIME, &timens_path) && timens_path == NULL && new_time_namespace (c, &err) < 0)
    init_fail (s, &err);
  /* After the cgroup was joined, so that it is the root of the new cgroup namespace. */
  if (ctrun_config_has_namespace (c, CLONE_NEWCGROUP, &cgns_path) && cgns_path == NULL
      && unshare (CLONE_NEWCGROUP) < 0)
    {
      ctrun_make_error (&err, errno, "unshare cgroup namespace");
      init_fail (s, &err);
    }

  umask (0);
  if (ctrun_mounts_prepare_root (c, &rootfd, &err) < 0 || ctrun_mounts_setup (c, rootfd, s->cgroup, s->new_userns, &err) < 0
      || ctrun_devices_setup (c, rootfd, s->new_userns, &err) < 0)
    init_fail (s, &err);
  close (rootfd);
  rootfd = -1;
  if (hooks_before_pivot (s, &err) < 0)
    init_fail (s, &err);
  if ((s->no_pivot ? ctrun_mounts_move_root (c->rootfs, &err) : ctrun_mounts_pivot_root (c->rootfs, &err)) < 0)
    init_fail (s, &err);

  if (c->hostname && sethostname (c->hostname, strlen (c->hostname)) < 0)
    {
      ctrun_make_error (&err, errno, "sethostname `%s`", c->hostname);
      init_fail (s, &err);
    }
  if (c->domainname && setdomainname (c->domainname, strlen (c->domainname)) < 0)
    {
      ctrun_make_error (&err, errno, "setdomainname `%s`", c->domainname);
      init_fail (s, &err);
    }
  if (ctrun_sysctl_apply (c, &err) < 0 || ctrun_mounts_readonly_paths (c, s->new_userns, &err) < 0
      || ctrun_mounts_masked_paths (c, &err) < 0)
    init_fail (s, &err);
  if (c->root_readonly && ctrun_mounts_readonly_root (&err) < 0)
    init_fail (s, &err);
  if (c->terminal && setup_terminal (s, true, &err) < 0)
    init_fail (s, &err);

  if (c->has_oom_score_adj)
    {
      char buf[16];
      snprintf (buf, sizeof (buf), "%d", c->oom_score_adj);
      if (write_file_str ("/proc/self/oom_score_adj", buf, &err) < 0)
        init_fail (s, &err);
    }
  finish_and_exec (s);
}

int
ctrun_spawn_sync_pair (struct ctrun_spawn *s, ctrun_error_t *err)
{
  int fds[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return ctrun_make_error (err, errno, "socketpair");
  s->sync_parent_fd = fds[0];
  s->sync_fd = fds[1];
  return 0;
}

/* clone3 into the given namespaces (and, on cgroup v2, straight into the cgroup); the
   child runs CHILD and never returns. */
static pid_t
spawn (struct ctrun_spawn *s, unsigned long flags, void (*child) (struct ctrun_spawn *), ctrun_error_t *err)
{
  struct clone_args args;
  pid_t pid;

  memset (&args, 0, sizeof (args));
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  if (s->cgroup->v2_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = s->cgroup->v2_fd;
    }
  pid = syscall (SYS_clone3, &args, sizeof (args));
  if (pid < 0)
    return ctrun_make_error (err, errno, "clone3");
  if (pid == 0)
    child (s);
  return pid;
}

pid_t
ctrun_spawn_init (struct ctrun_spawn *s, ctrun_error_t *err)
{
  /* The cgroup namespace is unshared by the init once it is in its cgroup; the time one
     too, before its offsets are written. */
  return spawn (s, ctrun_namespaces_clone_flags (s->config) & ~(unsigned long) (CLONE_NEWCGROUP | CLONE_NEWTIME),
                container_init, err);
}

/* `exec`: a process in the namespaces of a running container (the pid one was joined by
   the parent, so it is born there), in its cgroup, with its own process settings. */
static void __attribute__ ((noreturn))
container_exec (struct ctrun_spawn *s)
{
  ctrun_error_t err = NULL;

  prctl (PR_SET_NAME, "ctrun:[1:EXEC]", 0, 0, 0);
  close (s->sync_parent_fd);
  sigprocmask (SIG_SETMASK, &s->saved_mask, NULL);
  wait_for_parent (s);
  if (ctrun_namespaces_join (&s->ns, &err) < 0)
    init_fail (s, &err);
  if (s->config->terminal && setup_terminal (s, false, &err) < 0)
    init_fail (s, &err);
  finish_and_exec (s);
}

pid_t
ctrun_spawn_exec (struct ctrun_spawn *s, ctrun_error_t *err)
{
  return spawn (s, 0, container_exec, err);
}
