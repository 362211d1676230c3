/* tty-relay.h — `ctrun run` in the foreground of a terminal with process.terminal and no
   --console-socket (as `runc run -t`): ctrun holds the pty master itself, puts its own
   terminal in raw mode (restored on every way out), copies stdin → pty → stdout, and passes
   window-size changes on. */
#ifndef CTRUN_TTY_RELAY_H
#define CTRUN_TTY_RELAY_H

#include <signal.h>
#include <sys/types.h>

#include "error.h"

/* Relays until PID exits and the pty is drained; *exit_status as ctrun_wait_foreground. */
int ctrun_tty_relay (int master, pid_t pid, const sigset_t *saved_mask, int *exit_status, ctrun_error_t *err);

#endif
