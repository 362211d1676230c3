/*
 * EXITKILL for the eBPF backend. Under ptrace, PTRACE_O_EXITKILL kills every tracee when the
 * tracer dies, even by SIGKILL; strace -f gets that for the command and all it spawns. eBPF has
 * nothing like it, and PR_SET_PDEATHSIG would reach only the command's first process (and it
 * follows the engine THREAD that forked it, not the process). So a guard process, started once
 * the programs are attached, waits on a pipe only the engine holds. EOF without the engine's word
 * that the session ended means the engine is gone: the guard kills every thread group still in
 * the `followed` map, again and again while the programs (whose links it holds) add the children
 * forked meanwhile, until the map is empty; then it exits, and the programs and maps go with it.
 */
#ifndef CTTRACE_EBPF_EXIT_KILL_H
#define CTTRACE_EBPF_EXIT_KILL_H

#include <stddef.h>
#include <sys/types.h>

#define CT_EXIT_KILL_MAX_FDS 32

struct ct_exit_kill {
	pid_t pid;      /* the guard, 0 when none runs (all zero: none started) */
	int stand_down; /* the pipe's write end: a byte on it lets the guard go without killing */
	void *stack;
	/* what the guard reads (it shares the engine's memory until its exit) */
	int watch_fd;   /* the pipe's read end */
	int followed_fd; /* the map of followed thread groups */
	int keep[CT_EXIT_KILL_MAX_FDS]; /* the fds it keeps open (links, the map, the pipe); all others it closes */
	int keep_count;
};

/* Start the guard over the `followed` map `followed_fd`, keeping `hold_fds` (the programs' links)
 * open. Returns 0 or -errno. */
int ct_exit_kill_start(struct ct_exit_kill *guard, int followed_fd, const int *hold_fds, int hold_count);
/* The session ended as it should: the guard goes without killing anyone, and is reaped. */
void ct_exit_kill_stop(struct ct_exit_kill *guard);

#endif
