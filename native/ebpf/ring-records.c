#include "ring-records.h"
#include "ring-event.h"
#include "../capture.h"
#include "../procfs.h"
#include "../records.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ct_ring_records_init(struct ct_ring_records *r, struct ct_writer *out, const uint8_t *capture)
{
	memset(r, 0, sizeof *r);
	r->out = out;
	r->capture = capture;
	return ct_tasks_init(&r->tasks);
}

void ct_ring_records_free(struct ct_ring_records *r)
{
	ct_tasks_free(&r->tasks);
}

struct ct_task_state *ct_ring_records_adopt(struct ct_ring_records *r, pid_t tid, uint64_t now)
{
	struct ct_task_state *t = ct_tasks_find(&r->tasks, tid);
	if (!t && !(t = ct_tasks_add(&r->tasks, tid)))
		return NULL;
	if (ct_procfs_read_task(tid, &t->info) == 0)
		ct_record_task(r->out, t, now, CT_TASK_NEW);
	return t;
}

/* The task an event is about; one the programs followed before user space heard of it (a thread
 * born between an attach's listing and its map entry) is read from /proc. */
static struct ct_task_state *task_of(struct ct_ring_records *r, pid_t tid, uint64_t now)
{
	struct ct_task_state *t = ct_tasks_find(&r->tasks, tid);
	return t ? t : ct_ring_records_adopt(r, tid, now);
}

static const uint8_t *row_of(const struct ct_ring_records *r, int nr)
{
	return r->capture + (size_t)(nr & (CT_MAX_SYSCALL - 1)) * CT_CAPTURE_ROW;
}

static void on_syscall_enter(struct ct_ring_records *r, const struct ct_ring_enter *e)
{
	struct ct_task_state *t = task_of(r, e->header.tid, e->header.time_ns);
	if (!t)
		return;
	ct_record_unfinished(r->out, t, e->header.time_ns); /* its exit part was lost */
	t->in_syscall = 1;
	t->nr = e->nr;
	memcpy(t->args, e->args, sizeof t->args);
	t->enter_ns = e->header.time_ns;
	t->child_tid = 0;
	ct_capture_reset(t);
	/* Until the started command's execve, the calls are our own start-up code (spawn.c). */
	t->unrecorded = t->tid == r->main_pid && !t->announced_exec && !(row_of(r, e->nr)[CT_ROW_BEHAVIOUR] & CT_BEHAVIOUR_EXEC);
}

static void append(struct ct_task_state *t, const void *data, size_t size)
{
	uint8_t *at = ct_capture_room(t, size);
	if (!at)
		return;
	memcpy(at, data, size);
	t->blobs_length += size;
}

static void begin_blob(struct ct_task_state *t, const struct ct_blob *from, uint32_t length)
{
	struct ct_blob blob = { .arg = from->arg, .kind = from->kind, .flags = from->flags, .length = length };
	append(t, &blob, sizeof blob);
	t->blob_count++;
}

/* CT_CAPTURE_CWD comes as the directory's names, innermost first (NUL-terminated each): made into
 * the path the ptrace engine reads from /proc/TID/cwd, "/outer/inner" and its NUL. */
static void join_cwd_names(struct ct_task_state *t, size_t at, struct ct_blob *blob)
{
	uint8_t *names = t->blobs + at + sizeof *blob;
	size_t length = blob->length;
	uint8_t *path = malloc(length + 2);
	if (!path)
		return;
	size_t used = 0, end = length;
	while (end > 0) {
		size_t start = end - 1; /* the NUL of the last name */
		while (start > 0 && names[start - 1] != '\0')
			start--;
		path[used++] = '/';
		memcpy(path + used, names + start, end - 1 - start);
		used += end - 1 - start;
		end = start;
	}
	if (used == 0)
		path[used++] = '/';
	path[used++] = '\0';
	if (used > length) {
		uint8_t *room = ct_capture_room(t, used - length);
		if (!room) {
			free(path);
			return;
		}
		names = t->blobs + at + sizeof *blob; /* the buffer may have moved */
	}
	memcpy(names, path, used);
	t->blobs_length = at + sizeof *blob + used;
	blob->length = (uint32_t)used;
	free(path);
}

/* An argv/envp array comes one string a part, then an end part with the array's flags. */
static void on_strings_part(struct ct_task_state *t, const struct ct_ring_blob *b)
{
	if (!t->strings_blob) {
		t->strings_blob = 1 + t->blobs_length;
		begin_blob(t, &b->blob, 0);
	}
	size_t at = t->strings_blob - 1;
	struct ct_blob blob;
	memcpy(&blob, t->blobs + at, sizeof blob);
	if (b->blob.reserved == CT_RING_BLOB_END) {
		blob.flags = b->blob.flags;
		t->strings_blob = 0;
		if (blob.kind == CT_CAPTURE_CWD)
			join_cwd_names(t, at, &blob);
	} else {
		append(t, b->data, b->blob.length);
		blob.length += b->blob.length;
	}
	memcpy(t->blobs + at, &blob, sizeof blob);
}

static void on_blob(struct ct_ring_records *r, const struct ct_ring_blob *b, size_t size)
{
	struct ct_task_state *t = ct_tasks_find(&r->tasks, b->header.tid);
	if (!t || !t->in_syscall || t->unrecorded || size < offsetof(struct ct_ring_blob, data) + b->blob.length)
		return;
	if (b->blob.reserved != CT_RING_BLOB_WHOLE) {
		on_strings_part(t, b);
		return;
	}
	begin_blob(t, &b->blob, b->blob.length);
	append(t, b->data, b->blob.length);
}

static void on_syscall_exit(struct ct_ring_records *r, const struct ct_ring_exit *e)
{
	struct ct_task_state *t = ct_tasks_find(&r->tasks, e->header.tid);
	if (!t || !t->in_syscall)
		return; /* entered before it was followed, or its entry part was lost */
	if (t->unrecorded) {
		t->in_syscall = 0;
		return;
	}
	t->child_tid = e->child_tid;
	ct_record_syscall(r->out, t, e->header.time_ns, CT_SYSCALL_HAS_RET, e->ret);
}

static void on_task(struct ct_ring_records *r, const struct ct_ring_task *e)
{
	struct ct_task_state *t = ct_tasks_find(&r->tasks, e->header.tid);
	if (!t && !(t = ct_tasks_add(&r->tasks, e->header.tid)))
		return;
	t->info = e->task;
	ct_record_task(r->out, t, e->header.time_ns, e->task.reason);
}

static void on_exec(struct ct_ring_records *r, const struct ct_ring_exec *e)
{
	pid_t tid = e->header.tid, former = e->exec.former_tid;
	if (former && former != tid) {
		/* A non-leader thread exec'd: the leader is gone, the thread now has its tid. */
		struct ct_task_state *leader = ct_tasks_find(&r->tasks, tid);
		if (leader)
			ct_record_unfinished(r->out, leader, e->header.time_ns);
		ct_tasks_rename(&r->tasks, former, tid);
	}
	struct ct_task_state *t = task_of(r, tid, e->header.time_ns);
	if (t)
		t->announced_exec = 1;
	ct_writer_record(r->out, CT_REC_EXEC, tid, e->header.time_ns, &e->exec, sizeof e->exec, NULL, 0);
}

static void on_signal(struct ct_ring_records *r, const struct ct_ring_signal *e)
{
	/* only to a task known alive: one that already exited would never leave the table */
	if (ct_tasks_find(&r->tasks, e->header.tid))
		ct_writer_record(r->out, CT_REC_SIGNAL, e->header.tid, e->header.time_ns, &e->signal, sizeof e->signal, NULL, 0);
}

static void on_task_exit(struct ct_ring_records *r, const struct ct_ring_task_exit *e)
{
	struct ct_task_state *t = task_of(r, e->header.tid, e->header.time_ns);
	if (t)
		ct_record_unfinished(r->out, t, e->header.time_ns);
	ct_record_exit(r->out, e->header.tid, e->header.time_ns, &e->exit);
	if (e->header.tid == r->main_pid) {
		r->main_status = e->exit.kind == CT_EXIT_EXITED ? e->exit.value : 128 + e->exit.value;
		r->main_exited = 1;
	}
	ct_tasks_remove(&r->tasks, e->header.tid);
}

int ct_ring_records_handle(void *context, void *data, size_t size)
{
	struct ct_ring_records *r = context;
	const struct ct_ring_header *header = data;
	static const size_t sizes[] = {
		[CT_RING_ENTER] = sizeof(struct ct_ring_enter),
		[CT_RING_BLOB] = offsetof(struct ct_ring_blob, data),
		[CT_RING_EXIT] = sizeof(struct ct_ring_exit),
		[CT_RING_TASK] = sizeof(struct ct_ring_task),
		[CT_RING_EXEC] = sizeof(struct ct_ring_exec),
		[CT_RING_SIGNAL] = sizeof(struct ct_ring_signal),
		[CT_RING_TASK_EXIT] = sizeof(struct ct_ring_task_exit),
	};
	if (size < sizeof *header || header->type == 0 || header->type >= sizeof sizes / sizeof sizes[0] ||
	    size < sizes[header->type])
		return 0;
	switch (header->type) {
	case CT_RING_ENTER:
		on_syscall_enter(r, data);
		break;
	case CT_RING_BLOB:
		on_blob(r, data, size);
		break;
	case CT_RING_EXIT:
		on_syscall_exit(r, data);
		break;
	case CT_RING_TASK:
		on_task(r, data);
		break;
	case CT_RING_EXEC:
		on_exec(r, data);
		break;
	case CT_RING_SIGNAL:
		on_signal(r, data);
		break;
	case CT_RING_TASK_EXIT:
		on_task_exit(r, data);
		break;
	}
	return 0;
}

void ct_ring_records_finish(struct ct_ring_records *r, uint64_t now)
{
	ct_tasks_for_each(&r->tasks, t)
		ct_record_unfinished(r->out, t, now);
}
