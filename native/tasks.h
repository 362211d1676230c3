/* The engine's table of traced tasks, keyed by host tid. */
#ifndef CTTRACE_TASKS_H
#define CTTRACE_TASKS_H

#include "event.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ct_task_state {
	pid_t tid;
	pid_t tgid;           /* from its TASK record; 0 until announced */
	uint8_t in_syscall;
	uint8_t unrecorded;   /* the call in flight is followed (a namespace change) but not recorded */
	uint8_t cgroup_call;  /* the call in flight works on a file under /sys/fs/cgroup */
	uint8_t announced;    /* its TASK record has been written */
	uint8_t detaching;    /* attach mode: detach at the next stop */
	uint8_t announced_exec; /* has exec'd at least once (the started command's own code runs) */
	uint8_t held;         /* a new task kept at its first stop until its parent's clone event */
	struct ct_task info;  /* what its last TASK record said: its children start from it */
	int nr;
	uint64_t args[6];
	uint64_t enter_ns;
	pid_t child_tid;
	/* blobs captured at entry, replayed into the SYSCALL record at exit */
	uint8_t *blobs;
	size_t blobs_length;
	size_t blobs_capacity;
	uint16_t blob_count;
	size_t strings_blob;  /* eBPF: 1 + offset of an argv/envp blob still arriving in parts; 0: none */
	struct ct_task_state *next;
};

struct ct_tasks {
	struct ct_task_state **buckets;
	size_t bucket_count;
	size_t count;
};

int ct_tasks_init(struct ct_tasks *t);
void ct_tasks_free(struct ct_tasks *t);
struct ct_task_state *ct_tasks_find(struct ct_tasks *t, pid_t tid);
struct ct_task_state *ct_tasks_add(struct ct_tasks *t, pid_t tid);
void ct_tasks_remove(struct ct_tasks *t, pid_t tid);
/* Give `from`'s state the tid `to` (exec by a non-leader thread), dropping what `to` had. */
struct ct_task_state *ct_tasks_rename(struct ct_tasks *t, pid_t from, pid_t to);

#define ct_tasks_for_each(t, var)                                                 \
	for (size_t _b = 0; _b < (t)->bucket_count; _b++)                          \
		for (struct ct_task_state *var = (t)->buckets[_b], *_n = var ? var->next : NULL; var; \
		     var = _n, _n = var ? var->next : NULL)

#endif
