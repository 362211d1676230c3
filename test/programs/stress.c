/* Stress for the eBPF backend: FORKS children over SECONDS seconds, each making CHILD_CALLS
 * getppid calls, while the parent makes PARENT_CALLS getppid calls per child, paced with nanosleep
 * to about 2,000 getppid a second in all. Deterministic counts: FORKS forks, FORKS * (CHILD_CALLS
 * + PARENT_CALLS) getppid calls, FORKS wait4 calls that reap a child.
 * Usage: stress [forks] [seconds] */
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CHILD_CALLS = 10, PARENT_CALLS = 90, PARENT_BATCHES = 9 };

int main(int argc, char **argv)
{
	int forks = argc > 1 ? atoi(argv[1]) : 200;
	double seconds = argc > 2 ? atof(argv[2]) : 10;
	long per_fork_ns = (long)(seconds * 1e9 / forks);
	struct timespec pause = { .tv_sec = 0, .tv_nsec = per_fork_ns / PARENT_BATCHES };
	for (int i = 0; i < forks; i++) {
		pid_t child = fork();
		if (child == 0) {
			for (int n = 0; n < CHILD_CALLS; n++)
				syscall(SYS_getppid);
			_exit(0);
		}
		if (child < 0)
			return 1;
		for (int batch = 0; batch < PARENT_BATCHES; batch++) {
			for (int n = 0; n < PARENT_CALLS / PARENT_BATCHES; n++)
				syscall(SYS_getppid);
			nanosleep(&pause, NULL);
		}
		if (waitpid(child, NULL, 0) != child)
			return 2;
	}
	return 0;
}
