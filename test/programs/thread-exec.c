/* Oracle test program: a non-leader thread calls execve while the leader waits in pause() and a
 * third thread is blocked in read(). The exec kills the leader and the reader; the execing thread
 * takes over the leader's tid.
 *
 * Deterministic: the thread execs only once the leader and the reader sleep (it polls their
 * state in /proc with getpid, open, pread64 and close by syscall number, as often as it takes:
 * the filtered oracle does not trace those, the --all one leaves them out). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "task-sleeps.h"

static pid_t leader;
static volatile pid_t reader_tid;
static int never[2];

static void *reader(void *arg)
{
	(void)arg;
	reader_tid = (pid_t)syscall(SYS_gettid);
	char byte;
	ssize_t n = read(never[0], &byte, 1);
	(void)n;
	return NULL;
}

static void *execer(void *arg)
{
	(void)arg;
	int fd = open("/dev/null", O_WRONLY);
	ssize_t written = write(fd, "x", 1);
	(void)written;
	while (!reader_tid || !task_sleeps(getpid(), reader_tid) || !task_sleeps(getpid(), leader))
		;
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };
	execve("/bin/true", argv, envp);
	return NULL;
}

int main(void)
{
	pthread_t thread;
	leader = getpid();
	if (pipe(never) != 0)
		return 1;
	pthread_create(&thread, NULL, reader, NULL);
	pthread_create(&thread, NULL, execer, NULL);
	for (;;)
		pause();
}
