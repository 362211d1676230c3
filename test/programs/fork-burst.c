/* Oracle test program: thirty children forked back to back, every third with a child of its own;
 * each exits with its own status; the parent waits for each in order. A new child often reports
 * its first stop to the tracer before its parent's fork event does.
 * SIGCHLD is blocked: when it arrives would race with the parent's fork calls (fork restarts
 * with ERESTARTNOINTR when a signal is pending). */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 30

int main(void)
{
	pid_t children[CHILDREN];
	int status;
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	for (int i = 0; i < CHILDREN; i++) {
		children[i] = fork();
		if (children[i] == 0) {
			getpid();
			if (i % 3 == 0) {
				pid_t grandchild = fork();
				if (grandchild == 0)
					_exit(100 + i);
				waitpid(grandchild, &status, 0);
			}
			_exit(i);
		}
	}
	for (int i = 0; i < CHILDREN; i++)
		waitpid(children[i], &status, 0);
	return 0;
}
