/*
 * Which namespaces a task is in, followed from what the engine sees instead of read from /proc
 * each time: a child starts in its parent's namespaces except those its clone flags make new,
 * an exec moves it into its time namespace for children, and unshare/setns change only the kinds
 * their flags name. Each function returns the kinds that still have to be read (a bit per enum
 * ct_ns_kind): the new ones, and those the engine never learnt (inode 0).
 */
#ifndef CTTRACE_LINEAGE_H
#define CTTRACE_LINEAGE_H

#include "event.h"
#include <stdint.h>

/* A child made by fork/vfork/clone/clone3 with `clone_flags`. */
uint32_t ct_ns_of_child(const uint64_t parent[CT_NS_COUNT], uint64_t clone_flags, uint64_t child[CT_NS_COUNT]);
/* The caller of a successful unshare(flags), or setns(fd, nstype) (0: any kind). */
uint32_t ct_ns_changed_by(uint64_t clone_flags);
/* A task after a successful execve. */
uint32_t ct_ns_after_exec(uint64_t ns[CT_NS_COUNT]);

#endif
