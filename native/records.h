/* Writing protocol records (event.h) about tasks: what both backends, ptrace and eBPF, write alike. */
#ifndef CTTRACE_RECORDS_H
#define CTTRACE_RECORDS_H

#include "tasks.h"
#include "writer.h"

#include <stdint.h>

uint64_t ct_monotonic_ns(void);
void ct_record_hello(struct ct_writer *out, uint64_t start_ns, uint32_t session_flags);
void ct_record_error(struct ct_writer *out, pid_t tid, int error_number, const char *message);
void ct_record_end(struct ct_writer *out, uint32_t reason, int32_t main_status);
/* t->info as a TASK record; the task is then announced. */
void ct_record_task(struct ct_writer *out, struct ct_task_state *t, uint64_t now, uint32_t reason);
/* The call in flight with the blobs captured for it; the task is then out of its call. */
void ct_record_syscall(struct ct_writer *out, struct ct_task_state *t, uint64_t now, uint16_t flags, int64_t ret);
/* A call in flight that will see no exit (the task exited, exec'd from another thread, was let go). */
void ct_record_unfinished(struct ct_writer *out, struct ct_task_state *t, uint64_t now);
void ct_record_exit(struct ct_writer *out, pid_t tid, uint64_t now, const struct ct_exit *exit);

#endif
