/* Oracle test program: a non-leader thread calls execve while the leader waits in pause() and a
 * third thread is blocked in read(). The exec kills the leader and the reader; the execing thread
 * takes over the leader's tid.
 *
 * Deterministic: the thread execs only once the leader and the reader sleep (it polls their
 * state in /proc with open, pread64 and close by syscall number, which the oracle does not
 * trace: it traces openat and not close here). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t leader;
static volatile pid_t reader_tid;
static int never[2];

static int sleeps(pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	int fd = (int)syscall(SYS_open, path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	syscall(SYS_close, fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *end = strrchr(buf, ')'); /* "tid (comm) S ..." */
	return end && end[1] == ' ' && end[2] == 'S';
}

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
	while (!reader_tid || !sleeps(reader_tid) || !sleeps(leader))
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
