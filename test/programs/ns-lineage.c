/*
 * Tasks that change namespaces every way the engine follows, each printing what its own
 * /proc/thread-self/ns says once it is in its final namespaces, and its name:
 *   ns HOST_TID KIND INODE      (INODE 0 where the link cannot be read)
 *   comm HOST_TID NAME
 * A: a plain fork. E: a process whose second thread T unshares its UTS namespace alone and
 * forks F from that thread (as runc's nsexec does). D: clone(CLONE_NEWUTS|CLONE_NEWNET). G: clone3
 * with CLONE_NEWIPC. P0 itself, after unshare of UTS, IPC, PID and mount namespaces; B: its
 * child, pid 1 of the new pid namespace; C: B's child, after it re-executes this program. Host tids come from /proc/thread-self, which names them in the pid namespace
 * of the host's /proc. T and P0 rename themselves (PR_SET_NAME) just before they unshare, as
 * runc's and ctrun's stages do: the record of their new namespaces must carry the new name.
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const kinds[] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts",
};

static long host_tid(void)
{
	char link[64];
	ssize_t n = readlink("/proc/thread-self", link, sizeof link - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	const char *task = strstr(link, "/task/");
	return task ? atol(task + 6) : -1;
}

static void print_namespaces(void)
{
	char out[1024], path[64], link[64];
	size_t used = 0;
	long tid = host_tid();
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		snprintf(path, sizeof path, "/proc/thread-self/ns/%s", kinds[i]);
		ssize_t n = readlink(path, link, sizeof link - 1);
		link[n > 0 ? n : 0] = '\0';
		const char *open = strchr(link, '[');
		used += (size_t)snprintf(out + used, sizeof out - used, "ns %ld %s %llu\n", tid, kinds[i],
					 open ? strtoull(open + 1, NULL, 10) : 0ull);
	}
	char comm[32] = "";
	FILE *file = fopen("/proc/thread-self/comm", "r");
	if (!file || !fgets(comm, sizeof comm, file))
		_exit(3);
	fclose(file);
	used += (size_t)snprintf(out + used, sizeof out - used, "comm %ld %s", tid, comm);
	if (write(1, out, used) != (ssize_t)used)
		_exit(3);
}

static void wait_all(void)
{
	while (wait(NULL) > 0)
		;
}

static void *unsharing_thread(void *unused)
{
	(void)unused;
	prctl(PR_SET_NAME, "lineage-t");
	if (unshare(CLONE_NEWUTS) != 0)
		_exit(4);
	pid_t f = fork();
	if (f == 0) {
		print_namespaces();
		_exit(0);
	}
	waitpid(f, NULL, 0);
	print_namespaces();
	return NULL;
}

static void fork_and(void (*body)(void))
{
	pid_t child = fork();
	if (child == 0) {
		body();
		_exit(0);
	}
	if (child < 0)
		_exit(5);
}

static void in_a(void)
{
	print_namespaces();
}

static void in_e(void)
{
	pthread_t t;
	pthread_create(&t, NULL, unsharing_thread, NULL);
	pthread_join(t, NULL);
	print_namespaces();
}

static void in_b(void)
{
	print_namespaces();
	pid_t c = fork();
	if (c == 0) {
		execl("/proc/self/exe", "ns-lineage", "print", (char *)NULL);
		_exit(6);
	}
	waitpid(c, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "print") == 0) {
		print_namespaces();
		return 0;
	}
	fork_and(in_a);
	wait_all();
	fork_and(in_e);
	wait_all();
	long d = syscall(SYS_clone, CLONE_NEWUTS | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0);
	if (d == 0) {
		print_namespaces();
		_exit(0);
	}
	wait_all();
	struct clone_args args = { .flags = CLONE_NEWIPC, .exit_signal = SIGCHLD };
	long g = syscall(SYS_clone3, &args, sizeof args);
	if (g == 0) {
		print_namespaces();
		_exit(0);
	}
	wait_all();
	/* last: once B, the new pid namespace's init, is gone, no more children can be made there */
	prctl(PR_SET_NAME, "lineage-p0");
	if (unshare(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS) != 0)
		return 2;
	print_namespaces();
	fork_and(in_b);
	wait_all();
	return 0;
}
