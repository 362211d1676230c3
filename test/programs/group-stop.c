/* Oracle test program: group-stop of a multi-threaded process (PTRACE_LISTEN). The child has two
 * threads blocked in read(); its parent stops it with SIGSTOP, sees the stop with
 * waitpid(WUNTRACED), continues it with SIGCONT and lets it exit.
 *
 * Deterministic: both signals are sent to the child's leader thread (tgkill), so the same thread
 * takes them in every run; each side waits until the other's threads sleep before it acts,
 * polling /proc with open, pread64 and close by syscall number (the oracle traces openat, not
 * open; close is not traced here). SIGCHLD stays blocked in the parent: when it arrives
 * (the child stopped, continued, exited) races with the parent's wait4. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "task-sleeps.h"

static int never[2];
static volatile pid_t readers[2];

static void *reader(void *arg)
{
	readers[(long)arg] = (pid_t)syscall(SYS_gettid);
	char byte;
	ssize_t n = read(never[0], &byte, 1); /* restarted after the stop; ended by exit_group */
	(void)n;
	return NULL;
}

int main(void)
{
	int up[2], down[2], status;
	if (pipe(up) != 0 || pipe(down) != 0)
		return 1;
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	pid_t child = fork();
	if (child == 0) {
		if (pipe(never) != 0)
			_exit(1);
		pthread_t threads[2];
		pthread_create(&threads[0], NULL, reader, (void *)0);
		pthread_create(&threads[1], NULL, reader, (void *)1);
		while (!readers[0] || !readers[1])
			;
		pid_t tids[2] = { readers[0], readers[1] };
		if (write(up[1], tids, sizeof tids) != sizeof tids)
			_exit(1);
		pid_t self = (pid_t)syscall(SYS_gettid);
		char go;
		if (read(down[0], &go, 1) != 1) /* interrupted by the stop, restarted */
			_exit(1);
		while (!task_sleeps(self, tids[0]) || !task_sleeps(self, tids[1]))
			;
		_exit(0);
	}
	pid_t tids[2];
	if (read(up[0], tids, sizeof tids) != sizeof tids)
		return 1;
	while (!task_sleeps(child, child) || !task_sleeps(child, tids[0]) || !task_sleeps(child, tids[1]))
		;
	syscall(SYS_tgkill, child, child, SIGSTOP);
	waitpid(child, &status, WUNTRACED);
	syscall(SYS_tgkill, child, child, SIGCONT);
	if (write(down[1], "g", 1) != 1)
		return 1;
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
