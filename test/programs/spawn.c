/* Oracle test program: posix_spawn (a CLONE_VM|CLONE_VFORK child in glibc) of /bin/true, then of a
 * path that does not exist (the child's execve fails, it exits 127). */
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void)
{
	pid_t pid;
	int status;
	char *argv[] = { "true", NULL };
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0)
		waitpid(pid, &status, 0);
	if (posix_spawn(&pid, "/nonexistent/oracle-true", NULL, NULL, argv, environ) == 0)
		waitpid(pid, &status, 0);
	return 0;
}
