/*
 * From ring-buffer events (ring-event.h) to protocol records (event.h): the calls put together
 * from their parts per task, exactly as the ptrace engine writes them.
 */
#ifndef CTTRACE_EBPF_RING_RECORDS_H
#define CTTRACE_EBPF_RING_RECORDS_H

#include "../tasks.h"
#include "../writer.h"

#include <stddef.h>
#include <stdint.h>

struct ct_ring_records {
	struct ct_writer *out;
	struct ct_tasks tasks; /* the followed tasks user space knows of */
	const uint8_t *capture; /* the capture table */
	pid_t main_pid;   /* the started command (0: attached): its calls before its execve are ours */
	int main_status;  /* its exit code, 128 + signal if killed */
	int main_exited;
};

int ct_ring_records_init(struct ct_ring_records *r, struct ct_writer *out, const uint8_t *capture);
void ct_ring_records_free(struct ct_ring_records *r);
/* A ring_buffer__new callback: `context` is the struct ct_ring_records. */
int ct_ring_records_handle(void *context, void *data, size_t size);
/* A task found in /proc (started or attached, or met with no record of its birth): a TASK record. */
struct ct_task_state *ct_ring_records_adopt(struct ct_ring_records *r, pid_t tid, uint64_t now);
/* The session ends: calls still in flight are written as unfinished. */
void ct_ring_records_finish(struct ct_ring_records *r, uint64_t now);

#endif
