/* tty-relay.c — see tty-relay.h. One poll loop over stdin, the pty master and a pidfd
 * of the container's process: no threads, as everything in ctrun. */
#define _GNU_SOURCE
#include "tty-relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "utils.h"

static volatile sig_atomic_t resized;
static volatile pid_t forward_to;

static void
on_winch (int sig)
{
  (void) sig;
  resized = 1;
}

static void
on_forwarded (int sig)
{
  if (forward_to > 0)
    kill (forward_to, sig);
}

struct saved_terminal
{
  bool saved;
  struct termios attrs;
};

static void
restore_terminal (struct saved_terminal *t)
{
  if (t->saved)
    tcsetattr (0, TCSANOW, &t->attrs);
}

static void
copy_window_size (int master)
{
  struct winsize ws;
  if (ioctl (0, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
    ioctl (master, TIOCSWINSZ, &ws);
}

/* Reads what is there (the fd is non-blocking); false once it is closed. */
static bool
pump (int from, int to)
{
  char buf[8192];
  for (;;)
    {
      ssize_t n = read (from, buf, sizeof (buf));
      if (n > 0)
        {
          if (write_all (to, buf, n) < 0)
            return false;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      /* EAGAIN: all read for now; 0 or EIO (the pty's last slave closed): closed. */
      return n < 0 && errno == EAGAIN;
    }
}

int
ctrun_tty_relay (int master, pid_t pid, const sigset_t *saved_mask, int *exit_status, ctrun_error_t *err)
{
  struct saved_terminal term __attribute__ ((cleanup (restore_terminal))) = { 0 };
  static const int forwarded[] = { SIGHUP, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2 };
  cleanup_close int pidfd = sys_pidfd_open (pid);
  bool stdin_open = true, master_open = true, exited = false;
  struct sigaction sa;
  int status = 0;

  if (pidfd < 0)
    return ctrun_make_error (err, errno, "pidfd_open %d", pid);
  if (isatty (0) && tcgetattr (0, &term.attrs) == 0)
    {
      /* Raw: Ctrl-C, Ctrl-Z and every key go to the container's terminal, not to us. */
      struct termios raw = term.attrs;
      cfmakeraw (&raw);
      term.saved = tcsetattr (0, TCSANOW, &raw) == 0;
      copy_window_size (master);
    }
  fcntl (master, F_SETFL, fcntl (master, F_GETFL) | O_NONBLOCK);
  fcntl (0, F_SETFL, fcntl (0, F_GETFL) | O_NONBLOCK);

  memset (&sa, 0, sizeof (sa));
  sa.sa_handler = on_winch;
  sigaction (SIGWINCH, &sa, NULL);
  sa.sa_handler = on_forwarded;
  forward_to = pid;
  for (size_t i = 0; i < ARRAY_SIZE (forwarded); i++)
    sigaction (forwarded[i], &sa, NULL);
  sigprocmask (SIG_SETMASK, saved_mask, NULL);

  while (master_open && !exited)
    {
      struct pollfd p[3] = { { .fd = master, .events = POLLIN }, { .fd = pidfd, .events = POLLIN },
                             { .fd = stdin_open ? 0 : -1, .events = POLLIN } };
      if (resized)
        {
          resized = 0;
          copy_window_size (master);
        }
      if (poll (p, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return ctrun_make_error (err, errno, "poll the terminal");
        }
      if (p[0].revents)
        master_open = pump (master, 1);
      if (p[2].revents)
        stdin_open = pump (0, master);
      if (p[1].revents)
        exited = true;
    }
  if (master_open)
    pump (master, 1); /* what the process wrote last */
  forward_to = 0;
  fcntl (0, F_SETFL, fcntl (0, F_GETFL) & ~O_NONBLOCK);
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ctrun_make_error (err, errno, "wait for the container");
  *exit_status = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  return 0;
}
