/* child-sync.c — see child-sync.h. */
#define _GNU_SOURCE
#include "child-sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"
#include "process.h"
#include "seccomp.h"
#include "state.h"
#include "utils.h"

/* runc's console socket protocol: one message whose data names the pty, the master as SCM_RIGHTS. */
static int
send_to_console_socket (const char *path, int master, ctrun_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = -1;

  if (path == NULL)
    return ctrun_make_error (err, 0, "process.terminal is true: give --console-socket to receive the pty");
  if (strlen (path) >= sizeof (addr.sun_path))
    return ctrun_make_error (err, 0, "--console-socket `%s` is too long", path);
  strcpy (addr.sun_path, path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect (sock, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return ctrun_make_error (err, errno, "connect to --console-socket `%s`", path);
  if (send_with_fd (sock, "/dev/ptmx", strlen ("/dev/ptmx"), master) < 0)
    return ctrun_make_error (err, errno, "send the pty to `%s`", path);
  return 0;
}

static int
answer (struct ctrun_child_sync *cs, char what, int fd, ctrun_error_t *err)
{
  const struct ctrun_config *c = cs->config;
  cleanup_json json_t *state = ctrun_spec_state (cs->id, "creating", cs->pid, c->bundle, c->annotations);
  cleanup_close int owned = fd;

  switch (what)
    {
    case SYNC_SECCOMP:
      if (fd < 0 || c->seccomp == NULL || ctrun_seccomp_send_to_listener (c->seccomp, fd, state, cs->pid, err) < 0)
        return fd < 0 ? ctrun_make_error (err, 0, "no seccomp fd from the container") : -1;
      break;
    case SYNC_CONSOLE:
      if (fd >= 0 && cs->console_socket == NULL)
        {
          cs->console_master = fd; /* ours to relay (run -t in a terminal) */
          owned = -1;
          return 0;
        }
      if (fd < 0 || send_to_console_socket (cs->console_socket, fd, err) < 0)
        return fd < 0 ? ctrun_make_error (err, 0, "no pty from the container") : -1;
      return 0; /* the child does not wait for an answer */
    case SYNC_HOOKS:
      /* In the runtime's namespaces, before pivot_root. */
      if (ctrun_hooks_run (&c->hooks, HOOK_PRESTART, state, err) < 0
          || ctrun_hooks_run (&c->hooks, HOOK_CREATE_RUNTIME, state, err) < 0)
        return -1;
      if (send (cs->fd, &cs->pid, sizeof (cs->pid), MSG_NOSIGNAL) != sizeof (cs->pid))
        return ctrun_make_error (err, errno, "signal the container init");
      return 0;
    default:
      return ctrun_make_error (err, 0, "unexpected message `%c` from the container init", what);
    }
  if (send (cs->fd, (char[]) { SYNC_GO }, 1, MSG_NOSIGNAL) != 1)
    return ctrun_make_error (err, errno, "signal the container init");
  return 0;
}

int
ctrun_child_sync_wait (struct ctrun_child_sync *cs, ctrun_error_t *err)
{
  char buf[4096];
  ssize_t n;
  int fd;

  for (;;)
    {
      n = recv_with_fd (cs->fd, buf, sizeof (buf) - 1, &fd);
      if (n < 0)
        return ctrun_make_error (err, errno, "read from the container init");
      if (n >= 1 && (buf[0] == SYNC_SECCOMP || buf[0] == SYNC_CONSOLE || buf[0] == SYNC_HOOKS))
        {
          if (answer (cs, buf[0], fd, err) < 0)
            return -1;
          continue;
        }
      if (fd >= 0)
        close (fd);
      break;
    }
  if (n == 0 && !cs->until_ready)
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
    while (waitpid (cs->pid, &status, 0) < 0 && errno == EINTR)
      ;
    return ctrun_make_error (err, 0, "the container process exited during setup (status 0x%x)", status);
  }
}

static const int forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };
static volatile pid_t forward_to;

static void
forward_signal (int sig)
{
  if (forward_to > 0)
    kill (forward_to, sig);
}

void
ctrun_block_forwarded_signals (sigset_t *saved_mask)
{
  sigset_t block;
  sigemptyset (&block);
  for (size_t i = 0; i < ARRAY_SIZE (forwarded_signals); i++)
    sigaddset (&block, forwarded_signals[i]);
  sigprocmask (SIG_BLOCK, &block, saved_mask);
}

int
ctrun_wait_foreground (pid_t pid, const sigset_t *saved_mask, int *exit_status, ctrun_error_t *err)
{
  forward_to = pid;
  for (size_t i = 0; i < ARRAY_SIZE (forwarded_signals); i++)
    {
      struct sigaction sa;
      memset (&sa, 0, sizeof (sa));
      sa.sa_handler = forward_signal;
      sigaction (forwarded_signals[i], &sa, NULL);
    }
  sigprocmask (SIG_SETMASK, saved_mask, NULL);
  for (;;)
    {
      int status;
      if (waitpid (pid, &status, 0) < 0)
        {
          if (errno == EINTR)
            continue;
          forward_to = 0;
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
  return 0;
}
