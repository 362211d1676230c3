/* Oracle test program: several threads, each making the same few syscalls, then joined. The
 * open/write/close of each thread is serialised by a mutex (its futex calls are not compared):
 * otherwise which thread gets which file descriptor is a race. */
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4

static pthread_mutex_t files = PTHREAD_MUTEX_INITIALIZER;

static void *work(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&files);
	int fd = open("/dev/null", O_WRONLY);
	ssize_t written = write(fd, "x", 1);
	(void)written;
	close(fd);
	pthread_mutex_unlock(&files);
	getpid();
	syscall(SYS_gettid);
	return NULL;
}

int main(void)
{
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, work, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	getpid();
	return 0;
}
