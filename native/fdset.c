#include "fdset.h"

#include <stdlib.h>

enum { INITIAL_CAPACITY = 256 };
#define REMOVED UINT64_MAX

static uint64_t key_of(pid_t tgid, int64_t fd)
{
	return (((uint64_t)(uint32_t)tgid << 32) | (uint32_t)fd) + 1;
}

static size_t home_of(uint64_t key, size_t capacity)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (capacity - 1);
}

static int grow(struct ct_fdset *set)
{
	size_t capacity = set->capacity ? set->capacity * 2 : INITIAL_CAPACITY;
	uint64_t *slots = calloc(capacity, sizeof *slots);
	if (!slots)
		return -1;
	size_t used = 0;
	for (size_t i = 0; i < set->capacity; i++) {
		uint64_t key = set->slots[i];
		if (key == 0 || key == REMOVED)
			continue;
		size_t at = home_of(key, capacity);
		while (slots[at])
			at = (at + 1) & (capacity - 1);
		slots[at] = key;
		used++;
	}
	free(set->slots);
	set->slots = slots;
	set->capacity = capacity;
	set->used = used;
	return 0;
}

static uint64_t *find(const struct ct_fdset *set, uint64_t key)
{
	if (!set->capacity)
		return NULL;
	for (size_t at = home_of(key, set->capacity);; at = (at + 1) & (set->capacity - 1)) {
		if (set->slots[at] == key)
			return &set->slots[at];
		if (set->slots[at] == 0)
			return NULL;
	}
}

void ct_fdset_free(struct ct_fdset *set)
{
	free(set->slots);
	set->slots = NULL;
	set->capacity = set->used = 0;
}

int ct_fdset_has(const struct ct_fdset *set, pid_t tgid, int64_t fd)
{
	return fd >= 0 && find(set, key_of(tgid, fd)) != NULL;
}

void ct_fdset_add(struct ct_fdset *set, pid_t tgid, int64_t fd)
{
	uint64_t key = key_of(tgid, fd);
	if (fd < 0 || find(set, key))
		return;
	if ((set->used + 1) * 2 > set->capacity && grow(set) != 0)
		return;
	size_t at = home_of(key, set->capacity);
	while (set->slots[at] && set->slots[at] != REMOVED)
		at = (at + 1) & (set->capacity - 1);
	if (set->slots[at] == 0)
		set->used++;
	set->slots[at] = key;
}

void ct_fdset_remove(struct ct_fdset *set, pid_t tgid, int64_t fd)
{
	uint64_t *slot = fd >= 0 ? find(set, key_of(tgid, fd)) : NULL;
	if (slot)
		*slot = REMOVED;
}

void ct_fdset_copy(struct ct_fdset *set, pid_t from_tgid, pid_t to_tgid)
{
	/* Collect first: adding may grow (and move) the table being walked. */
	size_t count = 0;
	int64_t *fds = malloc(set->capacity * sizeof *fds + 1);
	if (!fds)
		return;
	for (size_t i = 0; i < set->capacity; i++) {
		uint64_t key = set->slots[i];
		if (key != 0 && key != REMOVED && (pid_t)((key - 1) >> 32) == from_tgid)
			fds[count++] = (int64_t)(uint32_t)(key - 1);
	}
	for (size_t i = 0; i < count; i++)
		ct_fdset_add(set, to_tgid, fds[i]);
	free(fds);
}
