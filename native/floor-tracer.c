/*
 * The floor for `npm run bench`: the least any ptrace tracer does for the same stops as a
 * cttrace session. It starts the command as the engine does (spawn.c, prefilter.c, placement.c),
 * stops at the same syscalls, asks each stop which syscall it is (PTRACE_GET_SYSCALL_INFO) and
 * restarts it: with PTRACE_SYSCALL for a call that would be recorded (its exit stop follows),
 * PTRACE_CONT for one that is only checked. Nothing is read from /proc or the tracee, nothing is
 * written. With --all it steps every syscall, entry and exit, as `cttrace --all` and strace -f.
 *
 *   ct-floor-tracer [--all] [--record N,N,...] [--check N,N,...] --span-file FILE -- PATH ARGV0 ARG...
 *
 * PATH is the program (found in $PATH by the caller, as the engine's caller does), ARGV0...
 * its argv.
 *
 * FILE receives the traced span in ms: from before the command is started to its last task's
 * exit, as the engine's end record measures it. The exit status is the command's.
 */
#include "placement.h"
#include "prefilter.h"
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_SYSCALL = 1024 };

extern char **environ;

static double monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int parse_numbers(const char *list, uint8_t *bitmap)
{
	char *end;
	for (const char *at = list; *at;) {
		long nr = strtol(at, &end, 10);
		if (end == at || nr < 0 || nr >= MAX_SYSCALL)
			return -1;
		bitmap[nr / 8] |= (uint8_t)(1u << (nr % 8));
		at = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int has(const uint8_t *bitmap, uint64_t nr)
{
	return nr < MAX_SYSCALL && (bitmap[nr / 8] >> (nr % 8)) & 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: ct-floor-tracer [--all] [--record N,...] [--check N,...] --span-file FILE -- PATH ARGV0 ARG...\n");
	return 2;
}

int main(int argc, char **argv)
{
	static uint8_t record[MAX_SYSCALL / 8], stops[MAX_SYSCALL / 8];
	static struct ct_prefilter filter;
	int all = 0, at = 1;
	const char *span_file = NULL;
	for (; at < argc && strcmp(argv[at], "--") != 0; at++) {
		if (!strcmp(argv[at], "--all"))
			all = 1;
		else if (!strcmp(argv[at], "--record") && at + 1 < argc && parse_numbers(argv[at + 1], record) == 0)
			at++;
		else if (!strcmp(argv[at], "--check") && at + 1 < argc && parse_numbers(argv[at + 1], stops) == 0)
			at++;
		else if (!strcmp(argv[at], "--span-file") && at + 1 < argc)
			span_file = argv[++at];
		else
			return usage();
	}
	if (at + 2 >= argc || !span_file)
		return usage();
	for (int i = 0; i < MAX_SYSCALL / 8; i++)
		stops[i] |= record[i];
	if (!all && ct_prefilter_build(&filter, stops, MAX_SYSCALL) != 0)
		return usage();

	double start = monotonic_ms();
	struct ct_placement placement;
	ct_placement_begin(&placement);
	int go[2];
	if (pipe2(go, O_CLOEXEC) != 0)
		return 1;
	struct ct_spawn_request request = {
		.path = argv[at + 1], .argv = argv + at + 2, .envp = environ, .wait_fd = go[0], .close_fd = go[1],
		.filter = all ? NULL : &filter, .cpus = placement.pinned ? &placement.original : NULL,
	};
	struct ct_spawned spawned;
	if (ct_spawn(&request, &spawned) != 0)
		return 1;
	close(go[0]);
	pid_t child = spawned.pid;
	long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		       PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | (all ? 0 : PTRACE_O_TRACESECCOMP);
	if (ptrace(PTRACE_SEIZE, child, 0, (void *)options) != 0) {
		perror("ct-floor-tracer: PTRACE_SEIZE");
		return 1;
	}
	int status, tasks = 1, main_status = 0;
	ptrace(PTRACE_INTERRUPT, child, 0, 0);
	while (waitpid(child, &status, __WALL) < 0 && errno == EINTR)
		;
	ptrace(all ? PTRACE_SYSCALL : PTRACE_CONT, child, 0, 0);
	if (write(go[1], "g", 1) != 1)
		return 1;
	close(go[1]);
	while (tasks > 0) {
		pid_t tid = waitpid(-1, &status, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			tasks--;
			if (tid == child)
				main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			continue;
		}
		int event = status >> 16, sig = WSTOPSIG(status), inject = 0;
		int request_kind = all ? PTRACE_SYSCALL : PTRACE_CONT;
		struct __ptrace_syscall_info info;
		if (event == PTRACE_EVENT_SECCOMP) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof info, &info) > 0 && has(record, info.seccomp.nr))
				request_kind = PTRACE_SYSCALL;
		} else if (sig == (SIGTRAP | 0x80)) {
			ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof info, &info);
		} else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK || event == PTRACE_EVENT_CLONE) {
			tasks++;
		} else if (event == 0) {
			inject = sig; /* a signal for the tracee: delivered unchanged */
		}
		ptrace(request_kind, tid, 0, (void *)(uintptr_t)inject);
	}
	double span = monotonic_ms() - start;
	ct_placement_end(&placement);
	ct_spawn_release(&spawned);
	FILE *out = fopen(span_file, "w");
	if (!out || fprintf(out, "%.6f\n", span) < 0 || fclose(out) != 0)
		return 1;
	return main_status;
}
