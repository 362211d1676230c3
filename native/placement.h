#ifndef CTTRACE_PLACEMENT_H
#define CTTRACE_PLACEMENT_H

#include <sched.h>

/*
 * Where the engine and the rest of its process run while a session lasts. A ptrace stop is
 * handled soonest on a CPU where nothing else of ours runs: the engine thread is pinned to the
 * CPU it is on, and the process's other threads (Node's event loop that decodes, its GC and
 * compiler threads, libuv's pool that gzips) are moved to the other CPUs. The traced command is
 * left alone: it may run anywhere, and sees the CPUs it was given.
 */
struct ct_placement {
	int pinned;          /* the engine thread is on one CPU */
	int others_moved;    /* the other threads were kept off it */
	cpu_set_t original;  /* the engine thread's CPUs before: the command's, and everyone's after */
};

/* Pin the calling (engine) thread and move the others; on failure nothing is changed. */
void ct_placement_begin(struct ct_placement *placement);

/* Give every thread of the process back the CPUs the engine thread had: the process's own,
 * unless something had pinned its threads apart before (that is not restored). */
void ct_placement_end(struct ct_placement *placement);

#endif
