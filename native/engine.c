/*
 * The ptrace session: start or seize, then the wait loop until the last
 * tracee is gone. Hard cases follow ptrace(2) and strace: group-stops are
 * listened to (PTRACE_LISTEN), signals are re-injected unchanged, a child may
 * be reported before its parent's fork event, and an exec by a non-leader
 * thread hands the leader's tid to the execing thread.
 */
#include "engine.h"
#include "capture.h"
#include "event.h"
#include "fdset.h"
#include "lineage.h"
#include "placement.h"
#include "records.h"
#include "prefilter.h"
#include "spawn.h"
#include "procfs.h"
#include "tasks.h"
#include "writer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct session {
	struct ct_writer out;
	struct ct_tasks tasks;
	struct ct_fdset cgroup_fds;
	uint8_t bitmap[CT_MAX_SYSCALL / 8];      /* the calls recorded */
	uint8_t stop_bitmap[CT_MAX_SYSCALL / 8]; /* and those the engine stops at for itself */
	uint8_t capture[CT_MAX_SYSCALL * CT_CAPTURE_ROW];
	int step_every_syscall; /* PTRACE_SYSCALL everywhere: --all, or attached (no prefilter) */
	int follows_namespaces; /* every call that makes a child or changes namespaces is seen */
	int attached;
	int stopping;
	pid_t main_pid;
	int main_status;
	uint64_t start_ns;
	struct ct_placement placement; /* the engine on a CPU of its own */
	struct ct_spawned spawned; /* the started command: its stack until it has exec'd */
	timer_t flush_timer; /* wakes the wait loop when buffered records are due */
	int has_flush_timer;
	uint64_t flush_armed_for; /* the deadline the timer is set to; 0: none */
	size_t held_count; /* tasks with held set */
};

/* How long records may wait in the buffer while tracees keep running. Writing at every idle
 * moment wakes the reader once per syscall, on the CPUs the tracees need. */
#define FLUSH_DELAY_NS (20u * 1000000u)
/* how long a new task is held for its parent's clone event before it is read from /proc */
#define HOLD_NS (200u * 1000u)

static atomic_int stop_requested;
static atomic_int engine_tid;
static atomic_flag session_busy = ATOMIC_FLAG_INIT;

/* A real-time signal no runtime we host uses: it only interrupts the engine's wait. */
#define WAKE_SIGNAL (SIGRTMAX - 3)

static void wake_handler(int sig)
{
	(void)sig;
}

void ct_request_stop(void)
{
	atomic_store(&stop_requested, 1);
	pid_t tid = atomic_load(&engine_tid);
	if (tid)
		syscall(SYS_tgkill, getpid(), tid, WAKE_SIGNAL);
}

int ct_make_pipe(int32_t *fds)
{
	int pair[2];
	if (pipe2(pair, O_CLOEXEC) != 0)
		return -errno;
	/* A larger pipe lets the engine run ahead of a busy event loop. */
	fcntl(pair[1], F_SETPIPE_SZ, 1 << 20);
	fds[0] = pair[0];
	fds[1] = pair[1];
	return 0;
}

static const uint8_t *capture_row(const struct session *s, int nr)
{
	static const uint8_t none[CT_CAPTURE_ROW];
	return nr >= 0 && nr < CT_MAX_SYSCALL ? s->capture + (size_t)nr * CT_CAPTURE_ROW : none;
}

static int bit(const uint8_t *bitmap, int nr)
{
	return nr >= 0 && nr < CT_MAX_SYSCALL && ((bitmap[nr / 8] >> (nr % 8)) & 1);
}

static int recorded(const struct session *s, int nr)
{
	return bit(s->bitmap, nr);
}

/* Namespace changes are always followed, recorded or not: every process record must name the
 * namespaces the task is in. (unshare and setns are rare: the stops cost next to nothing.) */
static void choose_stops(struct session *s)
{
	memcpy(s->stop_bitmap, s->bitmap, sizeof s->stop_bitmap);
	for (int nr = 0; nr < CT_MAX_SYSCALL; nr++)
		if (capture_row(s, nr)[CT_ROW_BEHAVIOUR] & CT_BEHAVIOUR_NS_CHANGE)
			s->stop_bitmap[nr / 8] |= (uint8_t)(1u << (nr % 8));
}

static void write_error(struct session *s, pid_t tid, int error_number, const char *message)
{
	ct_record_error(&s->out, tid, error_number, message);
}

static void write_task(struct session *s, struct ct_task_state *t, uint64_t now, uint32_t reason)
{
	ct_record_task(&s->out, t, now, reason);
}

/*
 * Read what /proc says of `t` into t->info: the ids, comm and NSpid chain always; of its
 * namespaces, the kinds in `unread`, the others taken from `ns` (followed by the engine;
 * NULL: read them all). Returns 0, or -errno when the task is gone (its exit record follows).
 */
static int refresh(struct ct_task_state *t, const uint64_t *ns, uint32_t unread)
{
	struct ct_task info;
	memset(&info, 0, sizeof info);
	if (ns)
		memcpy(info.ns, ns, sizeof info.ns);
	else
		unread = CT_NS_ALL_KINDS;
	int rc = ct_procfs_read_status(t->tid, &info);
	if (rc == 0)
		rc = ct_procfs_read_namespaces(t->tid, unread, info.ns);
	if (rc == 0)
		t->info = info;
	return rc;
}

/* A task met for the first time with nothing known of it. */
static void announce(struct session *s, struct ct_task_state *t, uint64_t now, uint32_t reason)
{
	if (refresh(t, NULL, 0) == 0)
		write_task(s, t, now, reason);
}

static void write_syscall(struct session *s, struct ct_task_state *t, uint64_t now, uint16_t flags, int64_t ret)
{
	ct_record_syscall(&s->out, t, now, flags, ret);
}

static void finish_unfinished(struct session *s, struct ct_task_state *t, uint64_t now)
{
	ct_record_unfinished(&s->out, t, now);
}

static void restart(struct session *s, struct ct_task_state *t, int sig)
{
	int request = s->step_every_syscall || t->in_syscall ? PTRACE_SYSCALL : PTRACE_CONT;
	ptrace(request, t->tid, 0, (void *)(uintptr_t)sig);
}

/*
 * The CLONE_* flags of the call `t` is in when it makes a child: 0 for fork and vfork (no
 * CLONE_NEW*), -1 when the engine did not see the call start (not in the set, or before the
 * started command's exec) and so cannot know what the child shares.
 */
static int64_t clone_flags_in_flight(const struct session *s, const struct ct_task_state *t)
{
	const uint8_t *row = capture_row(s, t->nr);
	if (!t->in_syscall || !(row[CT_ROW_BEHAVIOUR] & CT_BEHAVIOUR_FORKS))
		return -1;
	int arg = row[CT_ROW_CLONE_FLAGS_ARG];
	if (!arg)
		return 0;
	if ((row[arg - 1] & 0x0f) == CT_CAPTURE_BYTES_ARG) {
		uint64_t flags; /* struct clone_args starts with them */
		return ct_capture_prefix(t, arg - 1, &flags, sizeof flags) == 0 ? (int64_t)(flags & INT64_MAX) : -1;
	}
	return (int64_t)(t->args[arg - 1] & ~(uint64_t)CSIGNAL); /* clone(2): the exit signal is the low byte */
}

/* Whether the session stops at every call that makes a child (it always does at those that change
 * namespaces): only then can a task's namespaces be followed rather than read at each fork. */
static int sees_every_namespace_change(const struct session *s)
{
	for (int nr = 0; nr < CT_MAX_SYSCALL; nr++) {
		uint8_t behaviour = capture_row(s, nr)[CT_ROW_BEHAVIOUR];
		if ((behaviour & CT_BEHAVIOUR_FORKS) && !bit(s->stop_bitmap, nr))
			return 0;
	}
	return 1;
}

static int is_cgroup_path(const char *path)
{
	static const char root[] = "/sys/fs/cgroup";
	return strncmp(path, root, sizeof root - 1) == 0 && (path[sizeof root - 1] == '/' || path[sizeof root - 1] == '\0');
}

/*
 * Whether `fd` of the task's process is a cgroup file or directory: it was opened as one, and
 * still is. The engine does not stop at close (a stop per close costs more than this check), so
 * an fd number may since have been reused for another file. Its path through /proc tells (the
 * hybrid layout's /sys/fs/cgroup is a tmpfs); else its filesystem (a cgroupfs mounted elsewhere,
 * in a container's mount namespace).
 */
static int is_cgroup_fd(struct session *s, pid_t tid, pid_t tgid, int64_t fd)
{
	if (!ct_fdset_has(&s->cgroup_fds, tgid, fd))
		return 0;
	char path[64], target[256];
	struct statfs fs;
	snprintf(path, sizeof path, "/proc/%d/fd/%d", tid, (int)fd);
	ssize_t n = readlink(path, target, sizeof target - 1);
	target[n > 0 ? n : 0] = '\0';
	if (is_cgroup_path(target) ||
	    (statfs(path, &fs) == 0 && (fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC)))
		return 1;
	ct_fdset_remove(&s->cgroup_fds, tgid, fd);
	return 0;
}

/* Whether the call in flight works on a file under /sys/fs/cgroup: by its path (absolute, or
 * relative to a directory fd that is a cgroup directory), or by the fd it writes or duplicates. */
static int works_on_cgroup_file(struct session *s, const struct ct_task_state *t, const uint8_t *row)
{
	pid_t tgid = t->tgid ? t->tgid : t->tid;
	if (row[CT_ROW_PATH_ARG]) {
		const char *path = ct_capture_string(t, row[CT_ROW_PATH_ARG] - 1);
		if (!path)
			return 0;
		if (path[0] == '/')
			return is_cgroup_path(path);
		return row[CT_ROW_DIRFD_ARG] && is_cgroup_fd(s, t->tid, tgid, (int32_t)t->args[row[CT_ROW_DIRFD_ARG] - 1]);
	}
	if (row[CT_ROW_FD_ARG])
		return is_cgroup_fd(s, t->tid, tgid, (int32_t)t->args[row[CT_ROW_FD_ARG] - 1]);
	return 0;
}

static void syscall_entry(struct session *s, struct ct_task_state *t, int nr, const uint64_t *args, uint64_t now)
{
	const uint8_t *row = capture_row(s, nr);
	finish_unfinished(s, t, now);
	/* Until the started command's execve, the stops are our own start-up code. */
	if (t->tid == s->main_pid && !s->attached && !t->announced_exec && !(row[CT_ROW_BEHAVIOUR] & CT_BEHAVIOUR_EXEC))
		return;
	t->unrecorded = !recorded(s, nr);
	if (t->unrecorded && !(row[CT_ROW_BEHAVIOUR] & CT_BEHAVIOUR_NS_CHANGE))
		return;
	t->in_syscall = 1;
	t->nr = nr;
	memcpy(t->args, args, sizeof t->args);
	t->enter_ns = now;
	t->child_tid = 0;
	ct_capture_reset(t);
	ct_capture_arguments(t, row, CT_CAPTURE_AT_ENTRY, 0);
	t->cgroup_call = works_on_cgroup_file(s, t, row);
	if ((row[CT_ROW_FILTER] & CT_RECORD_CGROUP_ONLY) && !t->cgroup_call) {
		/* Not a cgroup file: no record, and no exit stop to wait for. */
		t->in_syscall = 0;
		ct_capture_reset(t);
	}
}

/*
 * After a successful unshare or setns: only the kinds its flags name can have changed. The
 * status is read again too: the record describes the task anew, and its comm or ids may have
 * changed since the engine last read them, by a prctl(PR_SET_NAME) or setuid outside the
 * selection, or in a thread described from its parent (runc's and ctrun's stages rename
 * themselves just before they unshare).
 */
static void announce_namespace_change(struct session *s, struct ct_task_state *t, uint64_t now, const uint8_t *row)
{
	int arg = row[CT_ROW_CLONE_FLAGS_ARG];
	uint32_t changed = ct_ns_changed_by(arg ? t->args[arg - 1] : 0);
	if (!t->announced) {
		announce(s, t, now, CT_TASK_NS_CHANGE);
		return;
	}
	if (refresh(t, t->info.ns, changed) == 0)
		write_task(s, t, now, CT_TASK_NS_CHANGE);
}

static void syscall_exit(struct session *s, struct ct_task_state *t, int64_t ret, uint64_t now)
{
	if (!t->in_syscall)
		return;
	const uint8_t *row = capture_row(s, t->nr);
	ct_capture_arguments(t, row, CT_CAPTURE_AT_EXIT, ret);
	if (t->unrecorded)
		t->in_syscall = 0;
	else
		write_syscall(s, t, now, CT_SYSCALL_HAS_RET, ret);
	uint8_t behaviour = row[CT_ROW_BEHAVIOUR];
	pid_t tgid = t->tgid ? t->tgid : t->tid;
	if (t->cgroup_call && (behaviour & CT_BEHAVIOUR_RETURNS_FD) && ret >= 0)
		ct_fdset_add(&s->cgroup_fds, tgid, ret);
	if (t->cgroup_call && (behaviour & CT_BEHAVIOUR_CLOSES_FD) && ret == 0 && row[CT_ROW_FD_ARG])
		ct_fdset_remove(&s->cgroup_fds, tgid, (int32_t)t->args[row[CT_ROW_FD_ARG] - 1]);
	if ((behaviour & CT_BEHAVIOUR_NS_CHANGE) && ret == 0)
		announce_namespace_change(s, t, now, row);
}

static void on_syscall_stop(struct session *s, struct ct_task_state *t, int seccomp, uint64_t now)
{
	struct __ptrace_syscall_info info;
	memset(&info, 0, sizeof info);
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof info, &info) <= 0)
		return;
	if (seccomp && info.op == PTRACE_SYSCALL_INFO_SECCOMP)
		syscall_entry(s, t, (int)info.seccomp.nr, info.seccomp.args, now);
	else if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
		syscall_entry(s, t, (int)info.entry.nr, info.entry.args, now);
	else if (info.op == PTRACE_SYSCALL_INFO_EXIT)
		syscall_exit(s, t, info.exit.rval, now);
}

static struct ct_task_state *new_task(struct session *s, pid_t tid)
{
	struct ct_task_state *t = ct_tasks_add(&s->tasks, tid);
	if (!t) {
		write_error(s, tid, ENOMEM, "no memory for a new task");
		return NULL;
	}
	if (s->stopping) {
		/* Born while the session ends: treat it like its parent was treated. */
		if (s->attached)
			t->detaching = 1;
		else
			kill(tid, SIGKILL);
	}
	return t;
}

/* A child reported by its parent's fork event: its namespaces follow from the parent's and the
 * clone flags, when the engine saw the call start. */
static void announce_child(struct session *s, struct ct_task_state *parent, struct ct_task_state *child)
{
	int64_t flags = s->follows_namespaces && parent->announced ? clone_flags_in_flight(s, parent) : -1;
	uint64_t now = ct_monotonic_ns();
	if (flags < 0) {
		announce(s, child, now, CT_TASK_NEW);
		return;
	}
	uint64_t ns[CT_NS_COUNT];
	uint32_t unread = ct_ns_of_child(parent->info.ns, (uint64_t)flags, ns);
	if (refresh(child, ns, unread) != 0)
		return;
	write_task(s, child, now, CT_TASK_NEW);
	/* a new pid namespace can be named once it has a process: its first one was just made */
	if (!parent->info.ns[CT_NS_PID_FOR_CHILDREN] && !(flags & CLONE_NEWPID))
		parent->info.ns[CT_NS_PID_FOR_CHILDREN] = child->info.ns[CT_NS_PID];
}

/*
 * A call that succeeded as its ptrace event says can be recorded there, without the exit stop
 * (a stop costs more than all the rest of a recorded call). Under --all the exit stop comes
 * anyway: the call is recorded there, with its whole duration.
 */
static int finishes_at_event(const struct session *s, const struct ct_task_state *t, uint8_t behaviour)
{
	return !s->step_every_syscall && t->in_syscall && (capture_row(s, t->nr)[CT_ROW_BEHAVIOUR] & behaviour);
}

/*
 * A new task can report its first stop before its parent reports the clone that made it (a Go
 * runtime's threads mostly do, the parent being on the other CPU). Announcing it then means
 * reading all it is from /proc (status and ten namespaces, ~90 µs, with the task stopped); held
 * until the parent's event, it is announced from its parent and the clone flags instead. Held
 * tasks are let go if that event does not come (wait_for_stop), and when the session stops.
 */
static void hold(struct session *s, struct ct_task_state *t)
{
	t->held = 1;
	s->held_count++;
}

static void release(struct session *s, struct ct_task_state *t)
{
	t->held = 0;
	s->held_count--;
	if (!t->announced)
		announce(s, t, ct_monotonic_ns(), CT_TASK_NEW);
	restart(s, t, 0);
}

static void release_all(struct session *s)
{
	ct_tasks_for_each(&s->tasks, t) {
		if (t->held)
			release(s, t);
	}
}

/*
 * At a fork or exec event, the task is resumed as soon as the engine has what only a stopped
 * task can give (the event message); reading /proc and writing the records happen while it
 * runs. Pids never change and namespaces change only by calls the engine always stops at (its
 * next stop waits for this handler to end); comm and uids could, by a prctl or setuid outside
 * the selection made within microseconds of the exec: the record would show the newer value.
 * `finishing`: the call in flight is recorded at this event, so no exit stop is asked for.
 */
static void resume_early(struct session *s, pid_t tid, const struct ct_task_state *t, int finishing)
{
	int request = s->step_every_syscall || (t && t->in_syscall && !finishing) ? PTRACE_SYSCALL : PTRACE_CONT;
	ptrace(request, tid, 0, 0);
}

/* fork, clone, clone3 return the child's pid as the caller's pid namespace numbers it: the
 * child's NSpid at the caller's level, so they are recorded at this event. Not a vfork (or a
 * clone with CLONE_VFORK, as posix_spawn makes): its caller waits until the child execs or
 * exits, and that wait is the call's duration, which its exit stop measures. */
static void on_new_child(struct session *s, struct ct_task_state *parent, int vfork)
{
	unsigned long child = 0;
	int got = ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &child) == 0;
	uint32_t level = parent->info.nspid_count;
	int finishing = got && !vfork && level > 0 && finishes_at_event(s, parent, CT_BEHAVIOUR_FORKS);
	resume_early(s, parent->tid, parent, finishing);
	if (!got)
		return;
	parent->child_tid = (pid_t)child;
	/* Known now, so the session cannot end before the child's first stop; announced now, so
	 * its pids are known before the parent's clone is recorded. */
	struct ct_task_state *t = ct_tasks_find(&s->tasks, (pid_t)child);
	if (!t)
		t = new_task(s, (pid_t)child);
	if (t && !t->announced)
		announce_child(s, parent, t);
	if (t && t->held)
		release(s, t);
	/* A new process (not a thread) starts with a copy of its parent's descriptors. */
	if (t && t->tgid && parent->tgid && t->tgid != parent->tgid)
		ct_fdset_copy(&s->cgroup_fds, parent->tgid, t->tgid);
	if (!finishing)
		return;
	if (t && t->announced && t->info.nspid_count >= level)
		syscall_exit(s, parent, t->info.nspid[level - 1], ct_monotonic_ns());
	else
		finish_unfinished(s, parent, ct_monotonic_ns()); /* no exit stop is coming: as if it had ended */
}

static void on_exec(struct session *s, struct ct_task_state *t, uint64_t now)
{
	unsigned long former = 0;
	ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former);
	pid_t tid = t->tid;
	if ((pid_t)former != tid && former) {
		/* A non-leader thread exec'd: the leader is gone, the thread now has its tid. */
		finish_unfinished(s, t, now);
		struct ct_task_state *moved = ct_tasks_rename(&s->tasks, (pid_t)former, tid);
		t = moved ? moved : ct_tasks_find(&s->tasks, tid);
	}
	/* the exec event comes only when execve succeeds */
	int finishing = t && finishes_at_event(s, t, CT_BEHAVIOUR_EXEC);
	resume_early(s, tid, t, finishing);
	if (!t)
		return;
	struct ct_exec e = { .former_tid = (int32_t)(former ? former : (unsigned long)tid) };
	int known = s->follows_namespaces && t->announced;
	uint64_t ns[CT_NS_COUNT];
	memcpy(ns, t->info.ns, sizeof ns);
	int rc = known ? refresh(t, ns, ct_ns_after_exec(ns)) : refresh(t, NULL, 0);
	if (rc == 0)
		memcpy(e.comm, t->info.comm, sizeof e.comm);
	ct_writer_record(&s->out, CT_REC_EXEC, tid, now, &e, sizeof e, NULL, 0);
	t->announced_exec = 1;
	if (rc == 0)
		write_task(s, t, now, CT_TASK_EXEC);
	if (finishing)
		syscall_exit(s, t, 0, now);
}

static int is_stopping_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void write_signal(struct session *s, struct ct_task_state *t, uint64_t now, int sig, uint32_t kind)
{
	struct ct_signal record = { .signo = sig, .kind = kind };
	siginfo_t info;
	if (kind == CT_SIGNAL_DELIVERED && ptrace(PTRACE_GETSIGINFO, t->tid, 0, &info) == 0) {
		record.code = info.si_code;
		record.sender_pid = info.si_pid;
		record.sender_uid = (int32_t)info.si_uid;
	}
	ct_writer_record(&s->out, CT_REC_SIGNAL, t->tid, now, &record, sizeof record, NULL, 0);
}

static void detach(struct session *s, struct ct_task_state *t, int status, uint64_t now)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	int inject = event == 0 && sig != (SIGTRAP | 0x80) ? sig : 0;
	finish_unfinished(s, t, now);
	ptrace(PTRACE_DETACH, t->tid, 0, (void *)(uintptr_t)inject);
	ct_tasks_remove(&s->tasks, t->tid);
}

static void on_exit_status(struct session *s, struct ct_task_state *t, int status, uint64_t now)
{
	struct ct_exit e;
	memset(&e, 0, sizeof e);
	if (WIFEXITED(status)) {
		e.kind = CT_EXIT_EXITED;
		e.value = WEXITSTATUS(status);
	} else {
		e.kind = CT_EXIT_KILLED;
		e.value = WTERMSIG(status);
		e.core_dumped = WCOREDUMP(status) ? 1 : 0;
	}
	finish_unfinished(s, t, now);
	ct_record_exit(&s->out, t->tid, now, &e);
	if (t->tid == s->main_pid)
		s->main_status = e.kind == CT_EXIT_EXITED ? e.value : 128 + e.value;
	ct_tasks_remove(&s->tasks, t->tid);
}

static void on_stop(struct session *s, struct ct_task_state *t, int status, uint64_t now)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		on_syscall_stop(s, t, 0, now);
		restart(s, t, 0);
		return;
	}
	switch (event) {
	case 0: /* signal-delivery-stop: report, then deliver it unchanged */
		write_signal(s, t, now, sig, CT_SIGNAL_DELIVERED);
		restart(s, t, sig);
		return;
	case PTRACE_EVENT_STOP:
		if (is_stopping_signal(sig)) {
			write_signal(s, t, now, sig, CT_SIGNAL_GROUP_STOP);
			ptrace(PTRACE_LISTEN, t->tid, 0, 0);
		} else {
			restart(s, t, 0); /* first stop of a new task, or our own interrupt */
		}
		return;
	case PTRACE_EVENT_SECCOMP:
		on_syscall_stop(s, t, 1, now);
		restart(s, t, 0);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_new_child(s, t, event == PTRACE_EVENT_VFORK); /* resumes it */
		return;
	case PTRACE_EVENT_EXEC:
		on_exec(s, t, now); /* resumes it */
		return;
	default:
		restart(s, t, 0);
	}
}

static void handle_wait_status(struct session *s, pid_t tid, int status)
{
	uint64_t now = ct_monotonic_ns();
	struct ct_task_state *t = ct_tasks_find(&s->tasks, tid);
	int unknown = !t;
	if (!t && !(t = new_task(s, tid)))
		return;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (t->held)
			s->held_count--;
		on_exit_status(s, t, status, now);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	/* the first stop of a task whose parent has not reported making it yet */
	if (unknown && status >> 16 == PTRACE_EVENT_STOP && !is_stopping_signal(WSTOPSIG(status)) && !s->stopping) {
		hold(s, t);
		return;
	}
	if (!t->announced)
		announce(s, t, now, CT_TASK_NEW);
	if (t->detaching) {
		detach(s, t, status, now);
		return;
	}
	on_stop(s, t, status, now);
}

static void begin_stop(struct session *s)
{
	release_all(s); /* so that they stop again, to be detached or killed like the others */
	s->stopping = 1;
	ct_tasks_for_each(&s->tasks, t) {
		if (s->attached) {
			t->detaching = 1;
			if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) != 0 && errno == ESRCH)
				ct_tasks_remove(&s->tasks, t->tid);
		} else {
			kill(t->tid, SIGKILL);
		}
	}
}

/* Before each wait: flush if the oldest buffered record is due, else make sure the timer
 * interrupts the wait when it is. (A wait that would not block first costs a syscall a stop.) */
static void flush_when_due(struct session *s)
{
	if (s->out.length == 0)
		return;
	uint64_t due = s->out.oldest_ns + FLUSH_DELAY_NS;
	if (!s->has_flush_timer || ct_monotonic_ns() >= due) {
		ct_writer_flush(&s->out);
		return;
	}
	if (s->flush_armed_for == due)
		return;
	struct itimerspec at = { .it_value = { .tv_sec = (time_t)(due / 1000000000u), .tv_nsec = (long)(due % 1000000000u) } };
	if (timer_settime(s->flush_timer, TIMER_ABSTIME, &at, NULL) == 0)
		s->flush_armed_for = due;
	else
		ct_writer_flush(&s->out);
}

/* The next stop; with tasks held, wait for their parents' events only a little (they come
 * within microseconds, unless the parent was killed in its clone), then let them go. */
static pid_t wait_for_stop(struct session *s, int *status)
{
	if (!s->held_count)
		return waitpid(-1, status, __WALL | __WNOTHREAD);
	uint64_t until = ct_monotonic_ns() + HOLD_NS;
	do {
		pid_t tid = waitpid(-1, status, __WALL | __WNOTHREAD | WNOHANG);
		if (tid != 0)
			return tid;
		sched_yield();
	} while (ct_monotonic_ns() < until);
	release_all(s);
	return 0;
}

static void run_loop(struct session *s)
{
	struct sigevent wake = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = WAKE_SIGNAL };
	wake._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	s->has_flush_timer = timer_create(CLOCK_MONOTONIC, &wake, &s->flush_timer) == 0;
	while (s->tasks.count > 0) {
		if (!s->stopping && (atomic_load(&stop_requested) || s->out.failed))
			begin_stop(s);
		int status;
		flush_when_due(s);
		pid_t tid = wait_for_stop(s, &status);
		if (tid == 0)
			continue;
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				write_error(s, 0, errno, "waitpid failed");
			break;
		}
		handle_wait_status(s, tid, status);
	}
	if (s->has_flush_timer)
		timer_delete(s->flush_timer);
}

/* Allocate and start a session; on failure out_fd is closed and *rc says why. */
static struct session *session_begin(int out_fd, uint32_t options, const uint8_t *capture, const uint8_t *bitmap,
				     sigset_t *saved_mask, int *rc)
{
	if (atomic_flag_test_and_set(&session_busy)) {
		close(out_fd);
		*rc = -EBUSY;
		return NULL;
	}
	struct session *s = calloc(1, sizeof *s);
	*rc = s ? ct_writer_open(&s->out, out_fd) : -ENOMEM;
	if (*rc == 0)
		*rc = ct_tasks_init(&s->tasks);
	if (*rc != 0) {
		if (s)
			ct_writer_close(&s->out); /* closes out_fd; safe on a writer that failed to open */
		else
			close(out_fd);
		free(s);
		atomic_flag_clear(&session_busy);
		return NULL;
	}
	memcpy(s->capture, capture, sizeof s->capture);
	memcpy(s->bitmap, bitmap, sizeof s->bitmap);
	choose_stops(s);
	s->step_every_syscall = (options & CT_OPT_TRACE_ALL) != 0;
	s->follows_namespaces = sees_every_namespace_change(s);
	if (options & CT_OPT_PIN_TRACER)
		ct_placement_begin(&s->placement);
	s->start_ns = ct_monotonic_ns();
	struct sigaction wake = { .sa_handler = wake_handler };
	sigemptyset(&wake.sa_mask);
	sigaction(WAKE_SIGNAL, &wake, NULL);
	sigset_t unblock;
	sigemptyset(&unblock);
	sigaddset(&unblock, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &unblock, saved_mask);
	atomic_store(&stop_requested, 0);
	atomic_store(&engine_tid, (int)syscall(SYS_gettid));
	return s;
}

static int session_end(struct session *s, const sigset_t *saved_mask, uint32_t reason_if_done)
{
	atomic_store(&engine_tid, 0);
	pthread_sigmask(SIG_SETMASK, saved_mask, NULL);
	ct_placement_end(&s->placement);
	ct_record_end(&s->out, s->out.failed ? CT_END_OUTPUT_FAILED : s->stopping ? CT_END_STOPPED : reason_if_done,
		      s->main_status);
	ct_writer_close(&s->out);
	ct_tasks_free(&s->tasks);
	ct_fdset_free(&s->cgroup_fds);
	ct_spawn_release(&s->spawned); /* every tracee is gone: it exec'd or died */
	int status = s->main_status;
	free(s);
	atomic_flag_clear(&session_busy);
	return status;
}

/* The started command never reached its own code: say why, in one error record. */
static void report_spawn_failure(struct session *s, pid_t child, const char *path, const struct ct_spawn_failure *failure)
{
	char message[512];
	switch (failure->stage) {
	case CT_SPAWN_PREFILTER:
		snprintf(message, sizeof message,
			 "could not install the seccomp prefilter in %s (%s); use --all, which needs none",
			 path, failure->error == EINVAL ? "the kernel refused it" : strerror(failure->error));
		break;
	case CT_SPAWN_EXEC:
		snprintf(message, sizeof message, "could not execute %s: %s", path, strerror(failure->error));
		break;
	case CT_SPAWN_NOT_RELEASED:
		snprintf(message, sizeof message, "the command was not released by the tracer");
		break;
	default:
		return;
	}
	write_error(s, child, failure->error, message);
}

int ct_trace_command(const char *path, const char *const *argv, int out_fd, uint32_t options,
		     const uint8_t *capture, const uint8_t *bitmap)
{
	sigset_t saved_mask;
	int rc;
	struct session *s = session_begin(out_fd, options, capture, bitmap, &saved_mask, &rc);
	if (!s)
		return rc;
	int seccomp = !(options & CT_OPT_TRACE_ALL);
	static struct ct_prefilter filter; /* big: not on a worker thread's stack */
	if (seccomp && (rc = ct_prefilter_build(&filter, s->stop_bitmap, CT_MAX_SYSCALL)) != 0) {
		write_error(s, 0, -rc, "the syscall set is too large for the seccomp prefilter; use --all");
		session_end(s, &saved_mask, CT_END_DONE);
		return rc;
	}
	ct_record_hello(&s->out, s->start_ns, seccomp ? CT_SESSION_SECCOMP : CT_SESSION_TRACE_ALL);
	int go[2];
	if (pipe2(go, O_CLOEXEC) != 0) {
		rc = -errno;
		session_end(s, &saved_mask, CT_END_DONE);
		return rc;
	}
	char **envp = ct_spawn_copy_environment();
	struct ct_spawn_failure failure = { CT_SPAWN_STARTED, 0 };
	struct ct_spawn_request request = {
		.path = path, .argv = (char *const *)argv, .envp = envp, .wait_fd = go[0], .close_fd = go[1],
		.filter = seccomp ? &filter : NULL,
		.cpus = s->placement.pinned ? &s->placement.original : NULL, /* the command is not pinned */
		.failure = &failure,
	};
	rc = envp ? ct_spawn(&request, &s->spawned) : -ENOMEM;
	close(go[0]);
	if (rc != 0) {
		close(go[1]);
		free(envp);
		write_error(s, 0, -rc, "could not start the command");
		session_end(s, &saved_mask, CT_END_DONE);
		return rc;
	}
	pid_t child = s->spawned.pid;
	long ptrace_options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			      PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL |
			      (seccomp ? PTRACE_O_TRACESECCOMP : 0);
	if (ptrace(PTRACE_SEIZE, child, 0, (void *)ptrace_options) != 0) {
		rc = -errno;
		write_error(s, child, -rc, "PTRACE_SEIZE of the started command failed");
		close(go[1]); /* the child reads EOF and exits */
		waitpid(child, NULL, __WALL);
		session_end(s, &saved_mask, CT_END_DONE);
		free(envp);
		return rc;
	}
	s->main_pid = child;
	struct ct_task_state *main_task = new_task(s, child);
	/* Stop it once so that it is announced and, under --all, restarted with PTRACE_SYSCALL. */
	ptrace(PTRACE_INTERRUPT, child, 0, 0);
	int status;
	while (waitpid(child, &status, __WALL) < 0 && errno == EINTR)
		;
	if (main_task && WIFSTOPPED(status)) {
		announce(s, main_task, ct_monotonic_ns(), CT_TASK_NEW);
		restart(s, main_task, 0);
	}
	if (write(go[1], "g", 1) != 1)
		write_error(s, child, errno, "could not release the started command");
	close(go[1]);
	run_loop(s);
	report_spawn_failure(s, child, path, &failure);
	rc = session_end(s, &saved_mask, CT_END_DONE);
	free(envp);
	return rc;
}

/* Seize every thread of `pid`, rescanning until no new thread appears. Returns seized count or -errno. */
static int seize_threads(struct session *s, pid_t pid)
{
	char path[64];
	int seized = 0, found_new = 1;
	long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
		       PTRACE_O_TRACEEXEC;
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	while (found_new) {
		found_new = 0;
		DIR *dir = opendir(path);
		if (!dir)
			return seized ? seized : -errno;
		struct dirent *entry;
		while ((entry = readdir(dir))) {
			pid_t tid = (pid_t)atoi(entry->d_name);
			if (tid <= 0 || ct_tasks_find(&s->tasks, tid))
				continue;
			if (ptrace(PTRACE_SEIZE, tid, 0, (void *)options) != 0) {
				int error = errno;
				if (tid == pid) {
					closedir(dir);
					return -error;
				}
				continue; /* a thread that just exited */
			}
			new_task(s, tid);
			ptrace(PTRACE_INTERRUPT, tid, 0, 0);
			seized++;
			found_new = 1;
		}
		closedir(dir);
	}
	return seized;
}

int ct_trace_attach(const int32_t *pids, int32_t pid_count, int out_fd, uint32_t options,
		    const uint8_t *capture, const uint8_t *bitmap)
{
	sigset_t saved_mask;
	int rc;
	struct session *s = session_begin(out_fd, options, capture, bitmap, &saved_mask, &rc);
	if (!s)
		return rc;
	s->attached = 1;
	s->step_every_syscall = 1; /* attach never installs a filter */
	ct_record_hello(&s->out, s->start_ns, CT_SESSION_ATTACHED | ((options & CT_OPT_TRACE_ALL) ? CT_SESSION_TRACE_ALL : 0));
	for (int i = 0; i < pid_count; i++) {
		rc = seize_threads(s, pids[i]);
		/* A process that ended since it was listed (a daemon's short-lived child) is no error,
		 * unless nothing at all could be seized. */
		int gone = rc == -ENOENT || rc == -ESRCH;
		if (gone && (i + 1 < pid_count || s->tasks.count > 0))
			continue;
		if (rc < 0) {
			char message[96];
			snprintf(message, sizeof message, "cannot attach to process %d", pids[i]);
			write_error(s, pids[i], -rc, message);
			begin_stop(s); /* let go of whatever was seized */
			run_loop(s);
			session_end(s, &saved_mask, CT_END_DONE);
			return rc;
		}
	}
	run_loop(s);
	session_end(s, &saved_mask, CT_END_DONE);
	return 0;
}
