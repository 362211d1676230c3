#include "spawn.h"
#include "raw-syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <stdlib.h>

extern char **environ;

enum { STACK_SIZE = 64 * 1024, KERNEL_SIGSET_BYTES = 8 };

/* The kernel's struct sigaction, not libc's. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static void __attribute__((noreturn)) child_exit(int code)
{
	for (;;)
		ct_raw_syscall(SYS_exit_group, code, 0, 0, 0);
}

/* Say why (the engine reads it after the exit), then exit as a shell would: 126, 127. */
static void __attribute__((noreturn)) child_fail(const struct ct_spawn_request *request, int stage, long rc, int code)
{
	if (request->failure) {
		request->failure->stage = stage;
		request->failure->error = (int)-rc;
	}
	child_exit(code);
}

static long install_filter(const struct ct_prefilter *filter)
{
	struct sock_fprog program = { .len = filter->length, .filter = (struct sock_filter *)filter->program };
	long rc = ct_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&program, 0);
	if (rc != -EACCES)
		return rc;
	/* Without CAP_SYS_ADMIN the kernel wants no_new_privs first. */
	rc = ct_raw_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0);
	return rc ? rc : ct_raw_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&program, 0);
}

static int child_main(void *argument)
{
	const struct ct_spawn_request *request = argument;
	uint64_t all = ~(uint64_t)0, none = 0;
	ct_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, 0, KERNEL_SIGSET_BYTES);
	/* Node ignores SIGPIPE and handles others: the command must start with the defaults. */
	struct kernel_sigaction defaults = { .handler = SIG_DFL };
	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			ct_raw_syscall(SYS_rt_sigaction, sig, (long)&defaults, 0, KERNEL_SIGSET_BYTES);
	/* Node may have marked its stdio close-on-exec; the command must keep it. */
	for (int fd = 0; fd <= 2; fd++)
		ct_raw_syscall(SYS_fcntl, fd, F_SETFD, 0, 0);
	if (request->cpus)
		ct_raw_syscall(SYS_sched_setaffinity, 0, sizeof *request->cpus, (long)request->cpus, 0);
	ct_raw_syscall(SYS_close, request->close_fd, 0, 0, 0);
	char go;
	long n;
	do
		n = ct_raw_syscall(SYS_read, request->wait_fd, (long)&go, 1, 0);
	while (n == -EINTR);
	if (n != 1)
		child_fail(request, CT_SPAWN_NOT_RELEASED, n < 0 ? n : -EPIPE, 127); /* the tracer could not seize us */
	ct_raw_syscall(SYS_close, request->wait_fd, 0, 0, 0);
	long rc = request->filter ? install_filter(request->filter) : 0;
	if (rc != 0)
		child_fail(request, CT_SPAWN_PREFILTER, rc, 126);
	ct_raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0, KERNEL_SIGSET_BYTES);
	rc = ct_raw_syscall(SYS_execve, (long)request->path, (long)request->argv, (long)request->envp, 0);
	child_fail(request, CT_SPAWN_EXEC, rc, rc == -ENOENT ? 127 : 126);
}

int ct_spawn(const struct ct_spawn_request *request, struct ct_spawned *spawned)
{
	spawned->stack_size = STACK_SIZE;
	spawned->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (spawned->stack == MAP_FAILED) {
		spawned->stack = NULL;
		return -errno;
	}
	/* The child reads *request until its exec: the caller keeps it alive until then. */
	spawned->pid = clone(child_main, (char *)spawned->stack + STACK_SIZE, CLONE_VM | SIGCHLD, (void *)request);
	if (spawned->pid < 0) {
		int error = errno;
		ct_spawn_release(spawned);
		return -error;
	}
	return 0;
}

void ct_spawn_release(struct ct_spawned *spawned)
{
	if (spawned->stack)
		munmap(spawned->stack, spawned->stack_size);
	spawned->stack = NULL;
}

/* A private copy of the environment's pointer array: Node may grow (realloc) environ while the
 * child, sharing our memory, still reads it. glibc's setenv never frees the strings. */
char **ct_spawn_copy_environment(void)
{
	size_t count = 0;
	while (environ && environ[count])
		count++;
	char **copy = calloc(count + 1, sizeof *copy);
	if (copy)
		for (size_t i = 0; i < count; i++)
			copy[i] = environ[i];
	return copy;
}
