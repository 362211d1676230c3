/* Oracle test program: execve of a path that does not exist, of a file that is not executable,
 * then a successful execve. */
#include <unistd.h>

int main(void)
{
	char *argv[] = { "true", NULL };
	char *envp[] = { NULL };
	execve("/nonexistent/oracle-true", argv, envp);
	execve("/etc/passwd", argv, envp);
	execve("/bin/true", argv, envp);
	return 1;
}
