/*
 * Starting the command to trace. A fork of the engine would copy Node's address space (tens of
 * MB of page tables) only for the exec to tear it down again: measured here, fork + exec from a
 * 100 MB process took 4-6 ms against 0.7-2 ms for a child sharing the memory (posix_spawn's
 * way). So the child shares the engine's memory until its exec, and runs only raw syscalls.
 */
#ifndef CTTRACE_SPAWN_H
#define CTTRACE_SPAWN_H

#include "prefilter.h"

#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

/* Why the child did not reach its exec: written by the child (it shares the engine's memory),
 * read by the engine once the child has exited. */
enum ct_spawn_stage { CT_SPAWN_STARTED = 0, CT_SPAWN_NOT_RELEASED = 1, CT_SPAWN_PREFILTER = 2, CT_SPAWN_EXEC = 3 };

struct ct_spawn_failure {
	int stage; /* enum ct_spawn_stage */
	int error; /* errno */
};

struct ct_spawn_request {
	const char *path;
	char *const *argv;
	char *const *envp;
	int wait_fd;  /* the child reads a byte here before it goes on: the tracer seizes it first */
	int close_fd; /* the other end of that pipe, closed in the child */
	const struct ct_prefilter *filter; /* installed just before the exec; NULL: none */
	const cpu_set_t *cpus;             /* the child's CPUs; NULL: the caller's */
	struct ct_spawn_failure *failure;  /* where the child says why it exits before its exec; may be NULL */
};

struct ct_spawned {
	pid_t pid;
	void *stack; /* the child's stack: give back with ct_spawn_release once it has exec'd or exited */
	size_t stack_size;
};

/* Returns 0, or -errno. The child exits 127 when the wait pipe gives no byte or the exec
 * fails, 126 when the filter cannot be installed. */
int ct_spawn(const struct ct_spawn_request *request, struct ct_spawned *spawned);
void ct_spawn_release(struct ct_spawned *spawned);
/* A private copy of environ's pointer array for the child (free it once the child has exec'd). */
char **ct_spawn_copy_environment(void);

#endif
