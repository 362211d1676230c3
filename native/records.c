#include "records.h"
#include "event.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

uint64_t ct_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void ct_record_hello(struct ct_writer *out, uint64_t start_ns, uint32_t session_flags)
{
	struct ct_hello h = { .protocol_version = CT_PROTOCOL_VERSION, .session_flags = session_flags, .start_ns = start_ns };
	struct timespec real;
	clock_gettime(CLOCK_REALTIME, &real);
	h.realtime_start_ns = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec;
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(h.kernel_release, sizeof h.kernel_release, "%s", u.release);
		snprintf(h.machine, sizeof h.machine, "%s", u.machine);
	}
	ct_writer_record(out, CT_REC_HELLO, 0, start_ns, &h, sizeof h, NULL, 0);
}

void ct_record_error(struct ct_writer *out, pid_t tid, int error_number, const char *message)
{
	struct ct_error e = { .error_number = error_number };
	ct_writer_record(out, CT_REC_ERROR, tid, ct_monotonic_ns(), &e, sizeof e, message, strlen(message) + 1);
}

void ct_record_end(struct ct_writer *out, uint32_t reason, int32_t main_status)
{
	struct ct_end end = { .reason = reason, .main_status = main_status };
	ct_writer_record(out, CT_REC_END, 0, ct_monotonic_ns(), &end, sizeof end, NULL, 0);
}

void ct_record_task(struct ct_writer *out, struct ct_task_state *t, uint64_t now, uint32_t reason)
{
	t->info.reason = reason;
	t->announced = 1;
	t->tgid = t->info.tgid;
	ct_writer_record(out, CT_REC_TASK, t->tid, now, &t->info, sizeof t->info, NULL, 0);
}

void ct_record_syscall(struct ct_writer *out, struct ct_task_state *t, uint64_t now, uint16_t flags, int64_t ret)
{
	struct ct_syscall call = {
		.nr = t->nr, .flags = flags, .blob_count = t->blob_count, .ret = ret,
		.enter_ns = t->enter_ns, .child_tid = t->child_tid,
	};
	memcpy(call.args, t->args, sizeof call.args);
	ct_writer_record(out, CT_REC_SYSCALL, t->tid, now, &call, sizeof call, t->blobs, t->blobs_length);
	t->in_syscall = 0;
}

void ct_record_unfinished(struct ct_writer *out, struct ct_task_state *t, uint64_t now)
{
	if (t->in_syscall && !t->unrecorded)
		ct_record_syscall(out, t, now, CT_SYSCALL_UNFINISHED, 0);
	t->in_syscall = 0;
}

void ct_record_exit(struct ct_writer *out, pid_t tid, uint64_t now, const struct ct_exit *exit)
{
	ct_writer_record(out, CT_REC_EXIT, tid, now, exit, sizeof *exit, NULL, 0);
}
