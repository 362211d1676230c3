/* Oracle test program: a SIGUSR1 handler run three times (kill to self, raise, and a signal from a
 * child that interrupts rt_sigsuspend), a child that kills itself with SIGKILL, a child that the
 * parent kills with SIGTERM, a child whose SIGSEGV handler (a fault: the kernel's signal, which
 * the tracer must re-inject) exits, and a child that abort()s without a core dump. Made
 * deterministic: SIGCHLD stays blocked in the parent (its
 * arrival time races with the parent's own calls), and signals that must arrive at a given point
 * are blocked until an rt_sigsuspend that unblocks them. */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig)
{
	(void)sig;
	if (write(1, "usr1\n", 5) != 5)
		_exit(3);
}

static void on_segv(int sig)
{
	(void)sig;
	_exit(9);
}

int main(void)
{
	struct sigaction action = { .sa_handler = on_usr1 };
	sigemptyset(&action.sa_mask);
	sigaction(SIGUSR1, &action, NULL);

	kill(getpid(), SIGUSR1);
	raise(SIGUSR1);

	sigset_t blocked, waiting;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGCHLD);
	sigaddset(&blocked, SIGUSR1);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	sigfillset(&waiting);
	sigdelset(&waiting, SIGUSR1);

	/* a child signals its parent, which takes it in rt_sigsuspend (-EINTR) */
	pid_t child = fork();
	if (child == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigsuspend(&waiting);
	int status;
	waitpid(child, &status, 0);

	/* a child that kills itself */
	child = fork();
	if (child == 0) {
		kill(getpid(), SIGKILL);
		_exit(0);
	}
	waitpid(child, &status, 0);

	/* a child killed by its parent: SIGTERM is blocked until its rt_sigsuspend */
	int ready[2];
	if (pipe(ready) != 0)
		return 1;
	sigaddset(&blocked, SIGTERM);
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	child = fork();
	if (child == 0) {
		sigset_t none;
		sigemptyset(&none);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		sigsuspend(&none);
		_exit(0);
	}
	char byte;
	if (read(ready[0], &byte, 1) != 1)
		return 1;
	kill(child, SIGTERM);
	waitpid(child, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGTERM)
		return 1;

	/* a child that faults: its handler exits */
	child = fork();
	if (child == 0) {
		struct sigaction segv = { .sa_handler = on_segv };
		sigemptyset(&segv.sa_mask);
		sigaction(SIGSEGV, &segv, NULL);
		*(volatile int *)0 = 1;
		_exit(0);
	}
	waitpid(child, &status, 0);

	/* a child that aborts, without leaving a core file */
	child = fork();
	if (child == 0) {
		struct rlimit none = { 0, 0 };
		setrlimit(RLIMIT_CORE, &none);
		abort();
	}
	waitpid(child, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ? 0 : 1;
}
