#include "lineage.h"
#include "procfs.h"

#include <sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

#define KIND(k) (1u << (k))

/* What each CLONE_NEW* flag makes new in the task that unshares or setns's with it. */
static const struct {
	uint64_t flag;
	uint32_t kinds;
} ns_flags[] = {
	{ CLONE_NEWCGROUP, KIND(CT_NS_CGROUP) },
	{ CLONE_NEWIPC, KIND(CT_NS_IPC) },
	{ CLONE_NEWNS, KIND(CT_NS_MNT) },
	{ CLONE_NEWNET, KIND(CT_NS_NET) },
	/* a task never changes its own pid namespace: its children's is what changes */
	{ CLONE_NEWPID, KIND(CT_NS_PID_FOR_CHILDREN) },
	/* setns into a time namespace switches the caller's own clock too */
	{ CLONE_NEWTIME, KIND(CT_NS_TIME) | KIND(CT_NS_TIME_FOR_CHILDREN) },
	{ CLONE_NEWUSER, KIND(CT_NS_USER) },
	{ CLONE_NEWUTS, KIND(CT_NS_UTS) },
};

uint32_t ct_ns_changed_by(uint64_t clone_flags)
{
	if (!clone_flags)
		return CT_NS_ALL_KINDS;
	uint32_t kinds = 0;
	for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++)
		if (clone_flags & ns_flags[i].flag)
			kinds |= ns_flags[i].kinds;
	return kinds;
}

static uint32_t unknown_kinds(const uint64_t ns[CT_NS_COUNT])
{
	uint32_t kinds = 0;
	for (int kind = 0; kind < CT_NS_COUNT; kind++)
		if (!ns[kind])
			kinds |= KIND(kind);
	return kinds;
}

uint32_t ct_ns_of_child(const uint64_t parent[CT_NS_COUNT], uint64_t clone_flags, uint64_t child[CT_NS_COUNT])
{
	for (int kind = 0; kind < CT_NS_COUNT; kind++)
		child[kind] = parent[kind];
	/* A child is born into its parent's namespaces "for children". */
	child[CT_NS_PID] = child[CT_NS_PID_FOR_CHILDREN] = parent[CT_NS_PID_FOR_CHILDREN];
	child[CT_NS_TIME] = child[CT_NS_TIME_FOR_CHILDREN] = parent[CT_NS_TIME_FOR_CHILDREN];
	uint32_t fresh = clone_flags ? ct_ns_changed_by(clone_flags) : 0;
	if (clone_flags & CLONE_NEWPID)
		fresh |= KIND(CT_NS_PID);
	for (int kind = 0; kind < CT_NS_COUNT; kind++)
		if (fresh & KIND(kind))
			child[kind] = 0;
	return unknown_kinds(child);
}

uint32_t ct_ns_after_exec(uint64_t ns[CT_NS_COUNT])
{
	ns[CT_NS_TIME] = ns[CT_NS_TIME_FOR_CHILDREN];
	return unknown_kinds(ns);
}
