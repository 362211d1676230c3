/* The file descriptors, per process, that name files under /sys/fs/cgroup. */
#ifndef CTTRACE_FDSET_H
#define CTTRACE_FDSET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ct_fdset {
	uint64_t *slots; /* (tgid << 32 | fd) + 1; 0 empty, UINT64_MAX removed */
	size_t capacity;
	size_t used; /* live and removed slots: what probing walks over */
};

void ct_fdset_free(struct ct_fdset *set);
int ct_fdset_has(const struct ct_fdset *set, pid_t tgid, int64_t fd);
void ct_fdset_add(struct ct_fdset *set, pid_t tgid, int64_t fd);
void ct_fdset_remove(struct ct_fdset *set, pid_t tgid, int64_t fd);
/* A forked child inherits its parent's descriptors. */
void ct_fdset_copy(struct ct_fdset *set, pid_t from_tgid, pid_t to_tgid);

#endif
