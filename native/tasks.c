#include "tasks.h"

#include <errno.h>
#include <stdlib.h>

enum { BUCKETS = 4096 };

static size_t bucket_of(const struct ct_tasks *t, pid_t tid)
{
	return (size_t)tid & (t->bucket_count - 1);
}

int ct_tasks_init(struct ct_tasks *t)
{
	t->bucket_count = BUCKETS;
	t->count = 0;
	t->buckets = calloc(BUCKETS, sizeof *t->buckets);
	return t->buckets ? 0 : -ENOMEM;
}

static void free_state(struct ct_task_state *s)
{
	free(s->blobs);
	free(s);
}

void ct_tasks_free(struct ct_tasks *t)
{
	ct_tasks_for_each(t, s) free_state(s);
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

struct ct_task_state *ct_tasks_find(struct ct_tasks *t, pid_t tid)
{
	for (struct ct_task_state *s = t->buckets[bucket_of(t, tid)]; s; s = s->next)
		if (s->tid == tid)
			return s;
	return NULL;
}

static void link_state(struct ct_tasks *t, struct ct_task_state *s)
{
	size_t b = bucket_of(t, s->tid);
	s->next = t->buckets[b];
	t->buckets[b] = s;
	t->count++;
}

static struct ct_task_state *unlink_state(struct ct_tasks *t, pid_t tid)
{
	for (struct ct_task_state **at = &t->buckets[bucket_of(t, tid)]; *at; at = &(*at)->next) {
		if ((*at)->tid == tid) {
			struct ct_task_state *s = *at;
			*at = s->next;
			t->count--;
			return s;
		}
	}
	return NULL;
}

struct ct_task_state *ct_tasks_add(struct ct_tasks *t, pid_t tid)
{
	struct ct_task_state *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->tid = tid;
	link_state(t, s);
	return s;
}

void ct_tasks_remove(struct ct_tasks *t, pid_t tid)
{
	struct ct_task_state *s = unlink_state(t, tid);
	if (s)
		free_state(s);
}

struct ct_task_state *ct_tasks_rename(struct ct_tasks *t, pid_t from, pid_t to)
{
	struct ct_task_state *s = unlink_state(t, from);
	if (!s)
		return NULL;
	ct_tasks_remove(t, to);
	s->tid = to;
	link_state(t, s);
	return s;
}
