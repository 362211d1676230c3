/*
 * The benchmarks' stopwatch: a command run untraced, started the way the engine starts one it
 * traces (a child sharing our memory, here posix_spawn's), so that the baseline holds the
 * command's own cost and not that of forking a Node process (~1 ms for /bin/true here).
 */
#include "timed-run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Reap `pid`; with a pidfd, kill it first if it runs over timeout_ms (without one, a kernel
 * before 5.3, it is waited for however long it takes). */
static int wait_for(pid_t pid, int pidfd, int timeout_ms, int *status)
{
	struct pollfd exited = { .fd = pidfd, .events = POLLIN };
	int ready = 1;
	while (pidfd >= 0 && (ready = poll(&exited, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (ready == 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return ready == 0 ? -ETIMEDOUT : 0;
}

double ct_time_command(const char *path, const char *const *argv, int err_fd, int32_t timeout_ms, int32_t *status)
{
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attributes;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
	posix_spawnattr_init(&attributes);
	posix_spawnattr_setsigmask(&attributes, &none);
	posix_spawnattr_setsigdefault(&attributes, &all); /* Node ignores SIGPIPE */
	posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	double start = monotonic_ms();
	pid_t pid;
	int rc = posix_spawn(&pid, path, &actions, &attributes, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attributes);
	if (rc != 0)
		return -rc;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int wait_status = 0;
	rc = wait_for(pid, pidfd, timeout_ms, &wait_status);
	double elapsed = monotonic_ms() - start;
	if (pidfd >= 0)
		close(pidfd);
	*status = wait_status;
	return rc < 0 ? rc : elapsed;
}
