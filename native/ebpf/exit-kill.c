#include "exit-kill.h"
#include "../raw-syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

enum { GUARD_STACK_SIZE = 64 * 1024, KERNEL_SIGSET_BYTES = 8 };
/* After the engine is gone: how often the followed groups are killed again (a fork racing a kill
 * adds a group), and for how long at most (a zombie nobody reaps stays in the map). */
#define KILL_ROUND_NS (10 * 1000000L)
#define KILL_ROUNDS 500

static const char STAND_DOWN = 'd';

/* The guard shares the engine's memory (CLONE_VM, as spawn.c's child): raw system calls only,
 * so that no errno or libc lock of an engine thread is touched. */
static void __attribute__((noreturn)) guard_exit(int code)
{
	for (;;)
		ct_raw_syscall(SYS_exit_group, code, 0, 0, 0);
}

/* Close every fd but the kept ones (sorted), so that the guard holds no socket, pipe or file of
 * the engine's: a port or an output pipe must not outlive cttrace in it. */
static void close_all_but(const int *keep, int count)
{
	int from = 0;
	for (int i = 0; i < count; i++) {
		if (keep[i] > from)
			ct_raw_syscall(SYS_close_range, from, keep[i] - 1, 0, 0);
		from = keep[i] + 1;
	}
	ct_raw_syscall(SYS_close_range, from, ~0U, 0, 0);
}

/* SIGKILL every followed thread group; returns how many the map still held. */
static int kill_followed(int map_fd)
{
	uint32_t key = 0, next;
	int count = 0;
	union bpf_attr attr;
	for (int first = 1;; first = 0) {
		memset(&attr, 0, sizeof attr);
		attr.map_fd = (uint32_t)map_fd;
		attr.key = first ? 0 : (uint64_t)(uintptr_t)&key;
		attr.next_key = (uint64_t)(uintptr_t)&next;
		if (ct_raw_syscall(SYS_bpf, BPF_MAP_GET_NEXT_KEY, (long)&attr, sizeof attr, 0) != 0)
			return count;
		ct_raw_syscall(SYS_kill, (long)next, SIGKILL, 0, 0);
		key = next;
		count++;
	}
}

static int guard_main(void *argument)
{
	const struct ct_exit_kill *guard = argument;
	uint64_t all = ~(uint64_t)0;
	/* Neither the terminal's Ctrl-C nor a kill of cttrace's process group is for the guard. */
	ct_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, 0, KERNEL_SIGSET_BYTES);
	ct_raw_syscall(SYS_setpgid, 0, 0, 0, 0);
	ct_raw_syscall(SYS_prctl, PR_SET_NAME, (long)"ct-exitkill", 0, 0);
	close_all_but(guard->keep, guard->keep_count);
	char said = 0;
	long n;
	do
		n = ct_raw_syscall(SYS_read, guard->watch_fd, (long)&said, 1, 0);
	while (n == -EINTR);
	if (n == 1 && said == STAND_DOWN)
		guard_exit(0);
	/* The engine died without a word (SIGKILL, a crash): what it started must not live on. */
	struct timespec round = { .tv_sec = 0, .tv_nsec = KILL_ROUND_NS };
	for (int i = 0; i < KILL_ROUNDS && kill_followed(guard->followed_fd) > 0; i++)
		ct_raw_syscall(SYS_nanosleep, (long)&round, 0, 0, 0);
	guard_exit(1);
}

static void sort_fds(int *fds, int count)
{
	for (int i = 1; i < count; i++)
		for (int j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
			int swap = fds[j];
			fds[j] = fds[j - 1];
			fds[j - 1] = swap;
		}
}

int ct_exit_kill_start(struct ct_exit_kill *guard, int followed_fd, const int *hold_fds, int hold_count)
{
	memset(guard, 0, sizeof *guard);
	if (hold_count + 2 > CT_EXIT_KILL_MAX_FDS)
		return -E2BIG;
	int pipe_fds[2];
	if (pipe2(pipe_fds, O_CLOEXEC) != 0)
		return -errno;
	guard->watch_fd = pipe_fds[0];
	guard->followed_fd = followed_fd;
	memcpy(guard->keep, hold_fds, (size_t)hold_count * sizeof *hold_fds);
	guard->keep[hold_count++] = followed_fd;
	guard->keep[hold_count++] = guard->watch_fd;
	guard->keep_count = hold_count;
	sort_fds(guard->keep, guard->keep_count);
	int rc = 0;
	guard->stack = mmap(NULL, GUARD_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (guard->stack == MAP_FAILED) {
		guard->stack = NULL;
		rc = -errno;
	} else {
		/* CLONE_VM: no copy of Node's page tables (spawn.h); *guard stays alive until it is reaped. */
		guard->pid = clone(guard_main, (char *)guard->stack + GUARD_STACK_SIZE, CLONE_VM | SIGCHLD, guard);
		if (guard->pid < 0) {
			rc = -errno;
			guard->pid = 0;
		}
	}
	close(pipe_fds[0]);
	guard->stand_down = pipe_fds[1];
	if (rc != 0) {
		close(pipe_fds[1]);
		if (guard->stack)
			munmap(guard->stack, GUARD_STACK_SIZE);
		memset(guard, 0, sizeof *guard);
	}
	return rc;
}

void ct_exit_kill_stop(struct ct_exit_kill *guard)
{
	if (guard->pid <= 0)
		return; /* none was started */
	ssize_t written = write(guard->stand_down, &STAND_DOWN, 1);
	(void)written; /* a guard already gone needs no word */
	close(guard->stand_down);
	while (waitpid(guard->pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	munmap(guard->stack, GUARD_STACK_SIZE);
	memset(guard, 0, sizeof *guard);
}
