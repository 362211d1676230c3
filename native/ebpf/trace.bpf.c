// SPDX-License-Identifier: GPL-2.0
/*
 * The eBPF backend's programs: -f semantics in the kernel. A task is followed when its thread
 * group is in `followed` (the started command, or the attached processes); a fork by a followed
 * task adds the child's group, the death of a group's last thread removes it. For followed tasks,
 * the syscalls in the `-e trace=` bitmap go up the ring buffer in parts (ring-event.h), with what
 * the capture table asks to copy; new tasks, execs and namespace changes go up as the task's ids,
 * NSpid chain and namespace inodes read from its task_struct. All on BTF tracepoints: no tracefs.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "ring-event.h"

char LICENSE[] SEC("license") = "GPL"; /* bpf_probe_read_user_str and bpf_loop are GPL-only */

#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define SYSFS_MAGIC 0x62656572
#define SIGKILL 9
#define AT_FDCWD -100
#define NAME_MAX 255
#define CWD_DEPTH_MAX 128 /* names and mount crossings walked up from the working directory */
#define TASK_STOPPED_STATE 0x4 /* __TASK_STOPPED */
#define JOBCTL_STOP_SIGMASK 0xffff
#define TRACE_SIGNAL_DELIVERED 0
#define TRACE_SIGNAL_IGNORED 1
#define SIGNAL_GROUP_EXIT 0x4
#define PF_EXITING 0x4
#define SI_USER 0
#define SI_KERNEL 0x80

/* libbpf 1.1 names no sixth syscall argument */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, r9)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_ARG6(regs) BPF_CORE_READ((struct user_pt_regs *)(regs), regs[5])
#endif

/* Filled by user space after load, before attach (ring-event.h). */
struct ct_ebpf_config tables;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 << 20); /* user space may resize it before load */
} events SEC(".maps");

/* thread group ids followed */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u8);
} followed SEC(".maps");

/* A followed call between its entry and its exit, by tid. */
struct inflight {
	u64 args[6];
	u32 nr;
	s32 child_tid;
	u8 recorded;
	u8 deferred; /* a bit per argument: strings not resident at entry, read again at exit */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Records that found the ring buffer full, per CPU: user space reports them as lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct ct_ring_lost);
} lost SEC(".maps");

/* A fatal signal (SIGTERM with the default action...) the kernel turned into a kill of the whole
 * group at once, by the tid it was sent to: ptrace would have seen that thread's call end and the
 * signal delivered, so both are recorded when the thread leaves (on_sys_exit, on_exit). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, s32);
	__type(value, struct ct_ring_signal);
} fatal_signals SEC(".maps");

/* Where a blob is built before it is copied to the ring at its real size. Tracepoint programs run
 * with preemption off, so one per CPU is never shared by two programs at once. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct ct_ring_blob);
} blob_scratch SEC(".maps");

/* No wakeup per record: user space drains the ring every few milliseconds (session.c), so the
 * traced tasks never pay for waking it. A task's exit wakes it: the last one ends the session. */
#define RING_FLAGS BPF_RB_NO_WAKEUP

static __always_inline void count_lost(void)
{
	u32 zero = 0;
	struct ct_ring_lost *lost_here = bpf_map_lookup_elem(&lost, &zero);
	if (lost_here) {
		__sync_fetch_and_add(&lost_here->count, 1);
		lost_here->last_ns = bpf_ktime_get_ns();
	}
}

static __always_inline void output_flagged(void *record, u64 size, u64 flags)
{
	if (bpf_ringbuf_output(&events, record, size, flags) != 0)
		count_lost();
}

static __always_inline void output(void *record, u64 size)
{
	output_flagged(record, size, RING_FLAGS);
}

static __always_inline void set_header(struct ct_ring_header *header, u32 type, s32 tid)
{
	header->type = type;
	header->tid = tid;
	header->time_ns = bpf_ktime_get_ns();
}

static __always_inline int is_followed(u32 tgid)
{
	return bpf_map_lookup_elem(&followed, &tgid) != NULL;
}

/* /proc/TID/ns/pid_for_children of a pid namespace with no process yet cannot be read: 0, as the
 * ptrace engine records it. */
static __always_inline u64 pid_for_children_inode(struct nsproxy *nsproxy)
{
	struct pid_namespace *ns = BPF_CORE_READ(nsproxy, pid_ns_for_children);
	if (!ns || !BPF_CORE_READ(ns, child_reaper))
		return 0;
	return BPF_CORE_READ(ns, ns.inum);
}

/* What /proc/TID/status and /proc/TID/ns/ say of `task`, from its task_struct. */
static __always_inline void read_task(struct task_struct *task, struct ct_task *out)
{
	out->tgid = BPF_CORE_READ(task, tgid);
	out->ppid = BPF_CORE_READ(task, real_parent, tgid);
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	u32 level = BPF_CORE_READ(pid, level);
	struct upid upid;
	for (u32 i = 0; i < CT_MAX_NSPID; i++) {
		if (i > level)
			break;
		bpf_core_read(&upid, sizeof upid, &pid->numbers[i]);
		out->nspid[i] = upid.nr;
		out->nspid_count = i + 1;
	}
	bpf_core_read(&upid, sizeof upid, &pid->numbers[level]);
	out->ns[CT_NS_PID] = BPF_CORE_READ(upid.ns, ns.inum);
	struct nsproxy *nsproxy = BPF_CORE_READ(task, nsproxy);
	if (nsproxy) {
		out->ns[CT_NS_CGROUP] = BPF_CORE_READ(nsproxy, cgroup_ns, ns.inum);
		out->ns[CT_NS_IPC] = BPF_CORE_READ(nsproxy, ipc_ns, ns.inum);
		out->ns[CT_NS_MNT] = BPF_CORE_READ(nsproxy, mnt_ns, ns.inum);
		out->ns[CT_NS_NET] = BPF_CORE_READ(nsproxy, net_ns, ns.inum);
		out->ns[CT_NS_UTS] = BPF_CORE_READ(nsproxy, uts_ns, ns.inum);
		out->ns[CT_NS_PID_FOR_CHILDREN] = pid_for_children_inode(nsproxy);
		if (bpf_core_field_exists(nsproxy->time_ns)) {
			out->ns[CT_NS_TIME] = BPF_CORE_READ(nsproxy, time_ns, ns.inum);
			out->ns[CT_NS_TIME_FOR_CHILDREN] = BPF_CORE_READ(nsproxy, time_ns_for_children, ns.inum);
		}
	}
	const struct cred *cred = BPF_CORE_READ(task, real_cred);
	out->ns[CT_NS_USER] = BPF_CORE_READ(cred, user_ns, ns.inum);
	out->uid = BPF_CORE_READ(cred, euid.val);
	out->gid = BPF_CORE_READ(cred, egid.val);
	BPF_CORE_READ_STR_INTO(&out->comm, task, comm);
}

static __always_inline void emit_task(struct task_struct *task, u32 reason)
{
	struct ct_ring_task record = {};
	set_header(&record.header, CT_RING_TASK, BPF_CORE_READ(task, pid));
	read_task(task, &record.task);
	record.task.reason = reason;
	output(&record, sizeof record);
}

static __always_inline struct ct_ring_blob *scratch_blob(s32 tid, u32 arg, u32 kind)
{
	u32 zero = 0;
	struct ct_ring_blob *b = bpf_map_lookup_elem(&blob_scratch, &zero);
	if (!b)
		return NULL;
	set_header(&b->header, CT_RING_BLOB, tid);
	b->blob.arg = arg;
	b->blob.kind = kind;
	b->blob.flags = 0;
	b->blob.reserved = CT_RING_BLOB_WHOLE;
	b->blob.length = 0;
	return b;
}

static __always_inline void output_blob(struct ct_ring_blob *b, u32 length)
{
	if (length > CT_RING_BLOB_MAX)
		length = CT_RING_BLOB_MAX;
	b->blob.length = length;
	output(b, offsetof(struct ct_ring_blob, data) + length);
}

/* Bytes at `address`: all of them, or none (a fault) - never a guess. */
static __always_inline void capture_bytes(s32 tid, u32 arg, u32 kind, u64 address, u64 size)
{
	if (!address)
		return;
	struct ct_ring_blob *b = scratch_blob(tid, arg, kind);
	if (!b)
		return;
	if (size > CT_RING_BYTES_MAX) {
		size = CT_RING_BYTES_MAX;
		b->blob.flags |= CT_BLOB_TRUNCATED;
	}
	if (bpf_probe_read_user(b->data, size, (void *)address) != 0) {
		b->blob.flags = CT_BLOB_FAULT;
		size = 0;
	}
	output_blob(b, size);
}

/* The end part of a blob sent in parts (ring-event.h), with the blob's flags. */
static __always_inline void end_parts(s32 tid, u32 arg, u32 kind, u8 flags)
{
	struct ct_ring_blob *b = scratch_blob(tid, arg, kind);
	if (!b)
		return;
	b->blob.reserved = CT_RING_BLOB_END;
	b->blob.flags = flags;
	output_blob(b, 0);
}

/*
 * A NUL-terminated string, up to PATH_MAX. Returns 1 when it was not readable and `may_defer`:
 * nothing was sent, the caller reads it again at the syscall's exit (the kernel has faulted it
 * in by then). A tracepoint program cannot take a page fault: memory not resident is unreadable.
 */
static __always_inline int capture_string(s32 tid, u32 arg, u64 address, int may_defer)
{
	if (!address)
		return 0;
	struct ct_ring_blob *b = scratch_blob(tid, arg, CT_CAPTURE_STRING);
	if (!b)
		return 0;
	long n = bpf_probe_read_user_str(b->data, CT_RING_BLOB_MAX, (void *)address);
	if (n < 0 && may_defer)
		return 1;
	if (n < 0) {
		b->blob.flags = CT_BLOB_FAULT;
		n = 0;
	} else if (n == CT_RING_BLOB_MAX) {
		char next = 0;
		bpf_probe_read_user(&next, 1, (void *)(address + CT_RING_BLOB_MAX - 1));
		if (next)
			b->blob.flags |= CT_BLOB_TRUNCATED;
	}
	output_blob(b, (u32)n);
	return 0;
}

struct strings_walk {
	u64 array;
	s32 tid;
	u32 arg;
	u32 total;
	u8 flags;
	u8 ended; /* the NULL that ends the array, or a fault, was met */
};

/* One element of an argv/envp array: a part of the blob (ring-event.h). */
static long strings_step(u32 index, void *context)
{
	struct strings_walk *walk = context;
	u64 pointer = 0;
	if (bpf_probe_read_user(&pointer, sizeof pointer, (void *)(walk->array + (u64)index * 8)) != 0) {
		walk->flags |= CT_BLOB_FAULT;
		walk->ended = 1;
		return 1;
	}
	if (!pointer) {
		walk->ended = 1;
		return 1;
	}
	if (walk->total >= CT_RING_STRINGS_MAX) {
		walk->flags |= CT_BLOB_TRUNCATED;
		walk->ended = 1;
		return 1;
	}
	struct ct_ring_blob *b = scratch_blob(walk->tid, walk->arg, CT_CAPTURE_STRINGS);
	if (!b)
		return 1;
	b->blob.reserved = CT_RING_BLOB_STRING;
	long n = bpf_probe_read_user_str(b->data, CT_RING_BLOB_MAX, (void *)pointer);
	if (n < 0) {
		walk->flags |= CT_BLOB_FAULT;
		walk->ended = 1;
		return 1;
	}
	if (n == CT_RING_BLOB_MAX)
		walk->flags |= CT_BLOB_TRUNCATED; /* at most one page of one string */
	output_blob(b, (u32)n);
	walk->total += (u32)n;
	return 0;
}

static __always_inline void capture_strings(s32 tid, u32 arg, u64 address)
{
	if (!address)
		return;
	struct strings_walk walk = { .array = address, .tid = tid, .arg = arg };
	bpf_loop(CT_RING_STRINGS_COUNT_MAX, strings_step, &walk, 0);
	if (!walk.ended)
		walk.flags |= CT_BLOB_TRUNCATED;
	end_parts(tid, arg, CT_CAPTURE_STRINGS, walk.flags);
}

/* How many pointers a NULL-terminated array holds (envp without --env): a u32, or a fault. */
struct count_walk {
	u64 array;
	u32 count;
	u8 fault;
	u8 ended;
};

static long count_step(u32 index, void *context)
{
	struct count_walk *walk = context;
	u64 pointer = 0;
	if (bpf_probe_read_user(&pointer, sizeof pointer, (void *)(walk->array + (u64)index * 8)) != 0) {
		walk->fault = 1;
		return 1;
	}
	if (!pointer) {
		walk->ended = 1;
		return 1;
	}
	walk->count++;
	return 0;
}

static __always_inline void capture_pointer_count(s32 tid, u32 arg, u64 address)
{
	if (!address)
		return;
	struct count_walk walk = { .array = address };
	bpf_loop(CT_RING_STRINGS_COUNT_MAX * 16, count_step, &walk, 0);
	struct ct_ring_blob *b = scratch_blob(tid, arg, CT_CAPTURE_POINTER_COUNT);
	if (!b)
		return;
	if (walk.fault) {
		b->blob.flags = CT_BLOB_FAULT;
		output_blob(b, 0);
		return;
	}
	if (!walk.ended)
		b->blob.flags = CT_BLOB_TRUNCATED;
	__builtin_memcpy(b->data, &walk.count, sizeof walk.count);
	output_blob(b, sizeof walk.count);
}

/* A seccomp filter's instructions, page by page as native/capture.c reads them, one part each. */
struct fprog_walk {
	u64 address;
	u64 end;
	s32 tid;
	u32 arg;
	u8 flags;
};

static long fprog_step(u32 index, void *context)
{
	struct fprog_walk *walk = context;
	if (walk->address >= walk->end)
		return 1;
	u64 size = walk->end - walk->address;
	u64 room = CT_RING_BLOB_MAX - (walk->address & (CT_RING_BLOB_MAX - 1));
	if (size > room)
		size = room;
	if (size > CT_RING_BLOB_MAX)
		size = CT_RING_BLOB_MAX;
	struct ct_ring_blob *b = scratch_blob(walk->tid, walk->arg, CT_CAPTURE_FPROG);
	if (!b)
		return 1;
	b->blob.reserved = CT_RING_BLOB_STRING; /* a part of the blob */
	if (bpf_probe_read_user(b->data, size, (void *)walk->address) != 0) {
		walk->flags |= CT_BLOB_FAULT;
		return 1;
	}
	output_blob(b, (u32)size);
	walk->address += size;
	return 0;
}

/* struct sock_fprog and its instructions (CT_CAPTURE_FPROG), in parts: the struct, the
 * instructions, then an end part with the flags; a whole blob with FAULT when the struct is
 * unreadable. */
static __always_inline void capture_fprog(s32 tid, u32 arg, u64 address)
{
	struct {
		u16 len;
		u16 pad[3];
		u64 filter;
	} fprog;
	if (!address)
		return;
	int unreadable = bpf_probe_read_user(&fprog, sizeof fprog, (void *)address) != 0;
	struct ct_ring_blob *b = scratch_blob(tid, arg, CT_CAPTURE_FPROG);
	if (!b)
		return;
	if (unreadable) {
		b->blob.flags = CT_BLOB_FAULT;
		output_blob(b, 0);
		return;
	}
	b->blob.reserved = CT_RING_BLOB_STRING;
	__builtin_memcpy(b->data, &fprog, sizeof fprog);
	output_blob(b, sizeof fprog);
	u64 count = fprog.len < CT_FPROG_MAX_INSNS ? fprog.len : CT_FPROG_MAX_INSNS;
	struct fprog_walk walk = { .address = fprog.filter, .end = fprog.filter ? fprog.filter + count * 8 : 0, .tid = tid, .arg = arg };
	bpf_loop(16, fprog_step, &walk, 0);
	end_parts(tid, arg, CT_CAPTURE_FPROG, walk.flags);
}

/* The working directory (CT_CAPTURE_CWD), walked from task->fs->pwd up to the root of its mount
 * tree: one part per name, the innermost first; user space (ring-records.c) joins them. */
struct cwd_walk {
	struct dentry *dentry;
	struct mount *mount;
	s32 tid;
	u32 arg;
	u8 flags;
	u8 ended;
};

static long cwd_step(u32 index, void *context)
{
	struct cwd_walk *walk = context;
	struct dentry *dentry = walk->dentry;
	struct mount *mount = walk->mount;
	if (dentry == BPF_CORE_READ(mount, mnt.mnt_root)) {
		struct mount *parent = BPF_CORE_READ(mount, mnt_parent);
		if (parent == mount) {
			walk->ended = 1;
			return 1;
		}
		walk->dentry = BPF_CORE_READ(mount, mnt_mountpoint);
		walk->mount = parent;
		return 0;
	}
	struct dentry *up = BPF_CORE_READ(dentry, d_parent);
	if (up == dentry) {
		walk->ended = 1;
		return 1;
	}
	struct ct_ring_blob *b = scratch_blob(walk->tid, walk->arg, CT_CAPTURE_CWD);
	if (!b)
		return 1;
	b->blob.reserved = CT_RING_BLOB_STRING;
	long n = bpf_probe_read_kernel_str(b->data, NAME_MAX + 1, BPF_CORE_READ(dentry, d_name.name));
	if (n <= 0) {
		walk->flags |= CT_BLOB_FAULT;
		return 1;
	}
	output_blob(b, (u32)n);
	walk->dentry = up;
	return 0;
}

static __always_inline void capture_cwd(s32 tid, u32 arg)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vfsmount *vfsmount = BPF_CORE_READ(task, fs, pwd.mnt);
	struct cwd_walk walk = {
		.dentry = BPF_CORE_READ(task, fs, pwd.dentry),
		.mount = (void *)vfsmount - bpf_core_field_offset(struct mount, mnt),
		.tid = tid,
		.arg = arg,
	};
	bpf_loop(CWD_DEPTH_MAX, cwd_step, &walk, 0);
	if (!walk.ended)
		walk.flags |= CT_BLOB_TRUNCATED;
	end_parts(tid, arg, CT_CAPTURE_CWD, walk.flags);
}

static __always_inline const u8 *row_of(u32 nr)
{
	return &tables.capture[(nr & (CT_MAX_SYSCALL - 1)) * CT_CAPTURE_ROW];
}

/* Argument `arg` at entry, as its capture spec says. Returns 1 when it is deferred to the exit.
 * A global function: verified once, not once per argument. */
__noinline int capture_at_entry(s32 tid, u32 arg, u32 spec, u64 address, u64 size_argument)
{
	u32 kind = spec & 0x0f, parameter = (spec >> 4) & 0x0f;
	switch (kind) {
	case CT_CAPTURE_STRING:
		return capture_string(tid, arg, address, 1);
	case CT_CAPTURE_STRINGS:
		capture_strings(tid, arg, address);
		return 0;
	case CT_CAPTURE_POINTER_COUNT:
		capture_pointer_count(tid, arg, address);
		return 0;
	case CT_CAPTURE_BYTES_ARG:
		capture_bytes(tid, arg, kind, address, size_argument);
		return 0;
	case CT_CAPTURE_INTS_ARG:
		capture_bytes(tid, arg, kind, address, size_argument * 4);
		return 0;
	case CT_CAPTURE_FIXED:
		capture_bytes(tid, arg, kind, address, parameter * 8);
		return 0;
	case CT_CAPTURE_FPROG:
		capture_fprog(tid, arg, address);
		return 0;
	case CT_CAPTURE_CWD:
		if ((s32)address == AT_FDCWD)
			capture_cwd(tid, arg);
		return 0;
	}
	return 0;
}

/* At exit: out-params of a call that succeeded, and strings deferred at entry. */
__noinline int capture_at_exit(s32 tid, u32 arg_and_spec, u64 address, u32 deferred, s64 ret)
{
	u32 arg = arg_and_spec & 0xff, spec = arg_and_spec >> 8; /* a BPF call takes at most five arguments */
	u32 kind = spec & 0x0f, parameter = (spec >> 4) & 0x0f;
	if (kind == CT_CAPTURE_OUT_FIXED && ret >= 0)
		capture_bytes(tid, arg, kind, address, parameter * 4);
	else if (kind == CT_CAPTURE_OUT_STRUCT && ret >= 0)
		capture_bytes(tid, arg, kind, address, parameter * 16);
	else if (kind == CT_CAPTURE_OUT_OF_ARG && ret >= 0)
		capture_bytes(tid, parameter, kind, address, CT_RING_OUT_OF_ARG_BYTES); /* address: that argument's */
	else if (kind == CT_CAPTURE_STRING && deferred)
		capture_string(tid, arg, address, 0);
	return 0;
}

/* args[number - 1] for an argument number 1..6 from the capture table (0: none): a switch, since
 * the verifier allows no variable offset into the stack. */
static __always_inline s64 argument(const u64 *args, u32 number)
{
	switch (number) {
	case 1: return args[0];
	case 2: return args[1];
	case 3: return args[2];
	case 4: return args[3];
	case 5: return args[4];
	case 6: return args[5];
	}
	return 0;
}

static __always_inline int is_cgroup_magic(unsigned long magic)
{
	return magic == CGROUP_SUPER_MAGIC || magic == CGROUP2_SUPER_MAGIC;
}

static __always_inline int dentry_named(struct dentry *dentry, const char *name, int length)
{
	char found[8] = {};
	if (BPF_CORE_READ(dentry, d_name.len) != (u32)length)
		return 0;
	bpf_probe_read_kernel(found, length, BPF_CORE_READ(dentry, d_name.name));
	for (int i = 0; i < length && i < (int)sizeof found; i++)
		if (found[i] != name[i])
			return 0;
	return 1;
}

/* The root of the filesystem mounted on /sys/fs/cgroup: in the hybrid layout a tmpfs holding the
 * v1 hierarchies, which runc opens and then works relative to (as the ptrace engine's check of
 * the fd's path finds too). */
static __always_inline int is_sys_fs_cgroup(struct file *file)
{
	struct vfsmount *vfsmount = BPF_CORE_READ(file, f_path.mnt);
	if (BPF_CORE_READ(file, f_path.dentry) != BPF_CORE_READ(vfsmount, mnt_root))
		return 0;
	struct mount *mount = (void *)vfsmount - bpf_core_field_offset(struct mount, mnt);
	struct dentry *at = BPF_CORE_READ(mount, mnt_mountpoint);
	struct dentry *fs = BPF_CORE_READ(at, d_parent);
	struct dentry *sysfs_root = BPF_CORE_READ(fs, d_parent); /* /sys is a mount of its own */
	return dentry_named(at, "cgroup", 6) && dentry_named(fs, "fs", 2) &&
	       BPF_CORE_READ(sysfs_root, d_sb, s_magic) == SYSFS_MAGIC && BPF_CORE_READ(sysfs_root, d_parent) == sysfs_root;
}

/* Whether file descriptor `fd` of the current task is a file of a cgroup filesystem (or the
 * directory /sys/fs/cgroup itself). */
static __always_inline int fd_is_cgroup(s64 fd)
{
	if (fd < 0)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *table = BPF_CORE_READ(task, files, fdt);
	if (!table || (u64)fd >= BPF_CORE_READ(table, max_fds))
		return 0;
	struct file **files = BPF_CORE_READ(table, fd);
	struct file *file = NULL;
	bpf_core_read(&file, sizeof file, &files[fd]);
	return file && (is_cgroup_magic(BPF_CORE_READ(file, f_inode, i_sb, s_magic)) || is_sys_fs_cgroup(file));
}

/* The default set records open, write, mkdir and friends only on cgroup files (native/event.h
 * CT_RECORD_CGROUP_ONLY): by the path (absolute under /sys/fs/cgroup, or relative to a cgroup
 * directory fd), or by the file descriptor worked on. */
static __always_inline int works_on_cgroup_file(const u8 *row, const u64 *args)
{
	static const char root[] = "/sys/fs/cgroup";
	u32 path_arg = row[CT_ROW_PATH_ARG], dirfd_arg = row[CT_ROW_DIRFD_ARG], fd_arg = row[CT_ROW_FD_ARG];
	if (path_arg) {
		char path[16] = {};
		if (bpf_probe_read_user_str(path, sizeof path, (void *)argument(args, path_arg)) <= 0)
			return 0;
		if (path[0] != '/')
			return dirfd_arg && fd_is_cgroup((s32)argument(args, dirfd_arg));
		for (int i = 0; i < (int)sizeof root - 1; i++)
			if (path[i] != root[i])
				return 0;
		return path[sizeof root - 1] == '/' || path[sizeof root - 1] == '\0';
	}
	if (fd_arg)
		return fd_is_cgroup((s32)argument(args, fd_arg));
	return 0;
}

/* A task with SIGKILL pending leaves its call for do_exit: under ptrace that call has no exit stop
 * (strace's "= ?"), so it is left unfinished here too. */
static __always_inline int fatal_signal_pending(struct task_struct *task)
{
	return (BPF_CORE_READ(task, pending.signal.sig[0]) >> (SIGKILL - 1)) & 1;
}

static __always_inline void deliver_fatal_signal(s32 tid, struct ct_ring_signal *fatal)
{
	fatal->header.time_ns = bpf_ktime_get_ns();
	output(fatal, sizeof *fatal);
	bpf_map_delete_elem(&fatal_signals, &tid);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	u32 tgid = pid_tgid >> 32;
	s32 tid = (s32)pid_tgid;
	if (!is_followed(tgid) || id < 0 || id >= CT_MAX_SYSCALL)
		return 0;
	u32 nr = (u32)id;
	const u8 *row = row_of(nr);
	u8 behaviour = row[CT_ROW_BEHAVIOUR];
	int recorded = (tables.recorded[(nr >> 3) & (CT_MAX_SYSCALL / 8 - 1)] >> (nr & 7)) & 1;
	/* Namespace changes are followed, recorded or not: every task record names its namespaces. */
	if (!recorded && !(behaviour & CT_BEHAVIOUR_NS_CHANGE))
		return 0;
	struct inflight call = { .nr = nr };
	call.args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	call.args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	call.args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	call.args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	call.args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	call.args[5] = SYSCALL_ARG6(regs);
	if (recorded && (row[CT_ROW_FILTER] & CT_RECORD_CGROUP_ONLY) && !works_on_cgroup_file(row, call.args))
		recorded = 0;
	if (!recorded && !(behaviour & CT_BEHAVIOUR_NS_CHANGE))
		return 0;
	call.recorded = recorded;
	if (recorded) {
		struct ct_ring_enter enter = { .nr = nr };
		set_header(&enter.header, CT_RING_ENTER, tid);
		__builtin_memcpy(enter.args, call.args, sizeof enter.args);
		output(&enter, sizeof enter);
		for (u32 arg = 0; arg < 6; arg++) {
			u8 spec = row[arg];
			if (!(spec & 0x0f))
				continue;
			u64 size = (u64)argument(call.args, ((spec >> 4) & 0x0f) + 1); /* the count's argument index */
			if (capture_at_entry(tid, arg, spec, call.args[arg], size))
				call.deferred |= 1u << arg;
		}
	}
	bpf_map_update_elem(&inflight, &tid, &call, BPF_ANY);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	s32 tid = (s32)bpf_get_current_pid_tgid();
	struct inflight *call = bpf_map_lookup_elem(&inflight, &tid);
	if (!call)
		return 0;
	const u8 *row = row_of(call->nr);
	struct ct_ring_signal *fatal = bpf_map_lookup_elem(&fatal_signals, &tid);
	if (!fatal && fatal_signal_pending(bpf_get_current_task_btf())) {
		bpf_map_delete_elem(&inflight, &tid);
		return 0;
	}
	if (call->recorded) {
		for (u32 arg = 0; arg < 6; arg++) {
			u8 spec = row[arg];
			u8 kind = spec & 0x0f;
			if (kind == CT_CAPTURE_OUT_FIXED || kind == CT_CAPTURE_OUT_STRUCT || (call->deferred & (1u << arg)))
				capture_at_exit(tid, arg | (u32)spec << 8, call->args[arg], call->deferred & (1u << arg), ret);
			else if (kind == CT_CAPTURE_OUT_OF_ARG)
				capture_at_exit(tid, arg | (u32)spec << 8, argument(call->args, ((spec >> 4) & 0x0f) + 1), 0, ret);
		}
		struct ct_ring_exit exit = { .ret = ret, .child_tid = call->child_tid };
		set_header(&exit.header, CT_RING_EXIT, tid);
		output(&exit, sizeof exit);
	}
	if (fatal)
		deliver_fatal_signal(tid, fatal);
	if ((row[CT_ROW_BEHAVIOUR] & CT_BEHAVIOUR_NS_CHANGE) && ret == 0)
		emit_task(bpf_get_current_task_btf(), CT_TASK_NS_CHANGE);
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

static __always_inline void follow(u32 tgid)
{
	u8 yes = 1;
	bpf_map_update_elem(&followed, &tgid, &yes, BPF_ANY);
}

/* watch: a child born in a deeper pid namespace than its parent's is a container's first process
 * (its parent unshared CLONE_NEWPID, or cloned with it). */
static __always_inline int starts_pid_namespace(struct task_struct *parent, struct task_struct *child)
{
	return BPF_CORE_READ(child, thread_pid, level) > BPF_CORE_READ(parent, thread_pid, level);
}

/* watch: a runtime started by a containerd shim (runc create, start, delete...). */
static __always_inline int started_by_shim(struct task_struct *task)
{
	static const char shim[] = "containerd-shim";
	char comm[16] = {};
	BPF_CORE_READ_STR_INTO(&comm, task, real_parent, comm);
	for (int i = 0; i < (int)sizeof shim - 1; i++)
		if (comm[i] != shim[i])
			return 0;
	return 1;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	u32 parent_tgid = BPF_CORE_READ(parent, tgid);
	if (!is_followed(parent_tgid)) {
		if (!tables.watch_containers || !starts_pid_namespace(parent, child))
			return 0;
		follow(parent_tgid);
		emit_task(parent, CT_TASK_NEW);
	}
	u32 child_tgid = BPF_CORE_READ(child, tgid);
	u8 yes = 1;
	if (child_tgid != parent_tgid)
		bpf_map_update_elem(&followed, &child_tgid, &yes, BPF_ANY);
	s32 parent_tid = BPF_CORE_READ(parent, pid);
	struct inflight *call = bpf_map_lookup_elem(&inflight, &parent_tid);
	if (call)
		call->child_tid = BPF_CORE_READ(child, pid);
	emit_task(child, CT_TASK_NEW);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *task, pid_t former_tid, struct linux_binprm *binprm)
{
	u32 tgid = BPF_CORE_READ(task, tgid);
	if (!is_followed(tgid)) {
		if (!tables.watch_containers || !started_by_shim(task))
			return 0;
		follow(tgid);
		emit_task(task, CT_TASK_NEW);
	}
	s32 tid = BPF_CORE_READ(task, pid);
	/* A non-leader thread exec'd and took the leader's tid: its execve goes on under that tid. */
	if (former_tid != tid) {
		struct inflight *call = bpf_map_lookup_elem(&inflight, &former_tid);
		if (call) {
			bpf_map_update_elem(&inflight, &tid, call, BPF_ANY);
			bpf_map_delete_elem(&inflight, &former_tid);
		}
	}
	struct ct_ring_exec exec = { .exec = { .former_tid = former_tid } };
	set_header(&exec.header, CT_RING_EXEC, tid);
	BPF_CORE_READ_STR_INTO(&exec.exec.comm, task, comm);
	output(&exec, sizeof exec);
	emit_task(task, CT_TASK_EXEC);
	return 0;
}

/* A leader killed because another thread of its group execs: that thread takes its tid, and the
 * exec record says so (ptrace reports no exit for it either). */
static __always_inline int is_superseded_leader(struct task_struct *task, s32 tid, u32 tgid)
{
	if ((u32)tid != tgid || !bpf_core_field_exists(task->signal->group_exec_task))
		return 0;
	struct task_struct *exec_task = BPF_CORE_READ(task, signal, group_exec_task);
	return exec_task && exec_task != task;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	u32 tgid = BPF_CORE_READ(task, tgid);
	if (!is_followed(tgid))
		return 0;
	s32 tid = BPF_CORE_READ(task, pid);
	bpf_map_delete_elem(&inflight, &tid);
	if (is_superseded_leader(task, tid, tgid))
		return 0;
	struct ct_ring_signal *fatal = bpf_map_lookup_elem(&fatal_signals, &tid);
	if (fatal) /* killed outside a call */
		deliver_fatal_signal(tid, fatal);
	int code = BPF_CORE_READ(task, exit_code);
	struct ct_ring_task_exit record = {};
	set_header(&record.header, CT_RING_TASK_EXIT, tid);
	if ((code & 0x7f) == 0) {
		record.exit.kind = CT_EXIT_EXITED;
		record.exit.value = (code >> 8) & 0xff;
	} else {
		record.exit.kind = CT_EXIT_KILLED;
		record.exit.value = code & 0x7f;
		record.exit.core_dumped = (code & 0x80) ? 1 : 0;
	}
	output_flagged(&record, sizeof record, BPF_RB_FORCE_WAKEUP);
	return 0;
}

/*
 * The thread group is forgotten when its leader's task_struct is freed, not at the exit of the
 * thread that brought signal->live to 0: under exit_group the threads count themselves out
 * early in do_exit and reach sched_process_exit in any order, so a sibling still on its way
 * would find its group unfollowed and its exit unrecorded. The leader is freed only after every
 * thread of the group is released, and its pid cannot be reused before that.
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(on_free, struct task_struct *task)
{
	u32 tgid = BPF_CORE_READ(task, tgid);
	if ((u32)BPF_CORE_READ(task, pid) == tgid)
		bpf_map_delete_elem(&followed, &tgid);
	return 0;
}

static __always_inline void fill_signal(struct ct_ring_signal *record, s32 tid, int sig, struct kernel_siginfo *info, u32 kind)
{
	set_header(&record->header, CT_RING_SIGNAL, tid);
	record->signal.signo = sig;
	record->signal.kind = kind;
	if ((unsigned long)info > 1) {
		record->signal.code = BPF_CORE_READ(info, si_code);
		record->signal.sender_pid = BPF_CORE_READ(info, _sifields._kill._pid);
		record->signal.sender_uid = BPF_CORE_READ(info, _sifields._kill._uid);
	} else if (info) { /* SEND_SIG_PRIV: from the kernel */
		record->signal.code = SI_KERNEL;
	} else { /* SEND_SIG_NOINFO: from the current task */
		record->signal.code = SI_USER;
		record->signal.sender_pid = bpf_get_current_pid_tgid() >> 32;
		record->signal.sender_uid = (u32)bpf_get_current_uid_gid();
	}
}

static __always_inline void emit_signal(s32 tid, int sig, struct kernel_siginfo *info, u32 kind)
{
	struct ct_ring_signal record = {};
	fill_signal(&record, tid, sig, info, kind);
	output(&record, sizeof record);
}

/* A signal the kernel drops at once as ignored (SIGCONT, SIGCHLD, SIGWINCH with the default action,
 * or any with SIG_IGN): a ptraced task would still have it delivered (and reported), so it is
 * recorded as delivered, to the task it was sent to. And a fatal one turned into a group kill. */
SEC("tp_btf/signal_generate")
int BPF_PROG(on_signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task, int group, int result)
{
	/* a signal sent to a task already exiting is dropped too: nobody will see it */
	if (!is_followed(BPF_CORE_READ(task, tgid)) || (BPF_CORE_READ(task, flags) & PF_EXITING))
		return 0;
	s32 tid = BPF_CORE_READ(task, pid);
	if (result == TRACE_SIGNAL_IGNORED) {
		emit_signal(tid, sig, info, CT_SIGNAL_DELIVERED);
	} else if (result == TRACE_SIGNAL_DELIVERED && sig != SIGKILL &&
		   (BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT) &&
		   BPF_CORE_READ(task, signal, group_exit_code) == sig) {
		struct ct_ring_signal fatal = {};
		fill_signal(&fatal, tid, sig, info, CT_SIGNAL_DELIVERED);
		bpf_map_update_elem(&fatal_signals, &tid, &fatal, BPF_ANY);
	}
	return 0;
}

/* A task going to sleep stopped is in a group-stop (ptrace stops are TASK_TRACED): its stop
 * signal is in its jobctl. Only stopped switches go past the first test. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *previous, struct task_struct *next, unsigned int previous_state)
{
	if (!(previous_state & TASK_STOPPED_STATE) || !is_followed(BPF_CORE_READ(previous, tgid)))
		return 0;
	int sig = BPF_CORE_READ(previous, jobctl) & JOBCTL_STOP_SIGMASK;
	emit_signal(BPF_CORE_READ(previous, pid), sig, NULL, CT_SIGNAL_GROUP_STOP);
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(on_signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *action)
{
	u64 pid_tgid = bpf_get_current_pid_tgid();
	/* ptrace sees no delivery of SIGKILL either: it kills without a stop */
	if (!is_followed(pid_tgid >> 32) || sig == SIGKILL)
		return 0;
	emit_signal((s32)pid_tgid, sig, info, CT_SIGNAL_DELIVERED);
	return 0;
}
