/* Whether a task is asleep (state S), read from /proc with raw open/close so that the read
 * itself leaves no open/close in a filtered trace's set of traced calls. */
#ifndef TASK_SLEEPS_H
#define TASK_SLEEPS_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int task_sleeps(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
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

#endif
