/* Oracle test program: the leader thread leaves first (pthread_exit: an exit syscall, not
 * exit_group); the kernel reports its death only when the whole thread group is gone. Two
 * threads go on; the second joins the first, so it is the last and its exit is exit_group. */
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

static pthread_t threads[2];

static void *work(void *second)
{
	if (second)
		pthread_join(threads[0], NULL);
	else
		usleep(20000); /* the leader is gone by then */
	int fd = open("/dev/null", O_WRONLY);
	close(fd);
	getpid();
	return NULL;
}

int main(void)
{
	pthread_create(&threads[0], NULL, work, NULL);
	pthread_create(&threads[1], NULL, work, (void *)1);
	getpid();
	pthread_exit(NULL);
}
