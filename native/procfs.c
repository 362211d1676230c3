#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Same order as enum ct_ns_kind. */
static const char *const namespace_files[CT_NS_COUNT] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts",
};

static ssize_t read_small_file(const char *path, char *buffer, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buffer, size - 1);
	int saved = errno;
	close(fd);
	if (n < 0)
		return -saved;
	buffer[n] = '\0';
	return n;
}

static const char *field(const char *status, const char *name)
{
	const char *at = strstr(status, name);
	return at ? at + strlen(name) : NULL;
}

static void parse_status(const char *status, struct ct_task *out)
{
	const char *at;
	if ((at = field(status, "\nTgid:")))
		out->tgid = (int32_t)strtol(at, NULL, 10);
	if ((at = field(status, "\nPPid:")))
		out->ppid = (int32_t)strtol(at, NULL, 10);
	char *end;
	/* Uid: real effective saved fs: the second is the one permission checks use */
	if ((at = field(status, "\nUid:"))) {
		strtoul(at, &end, 10);
		out->uid = (uint32_t)strtoul(end, NULL, 10);
	}
	if ((at = field(status, "\nGid:"))) {
		strtoul(at, &end, 10);
		out->gid = (uint32_t)strtoul(end, NULL, 10);
	}
	if ((at = field(status, "\nNSpid:"))) {
		out->nspid_count = 0;
		while (out->nspid_count < CT_MAX_NSPID) {
			long value = strtol(at, &end, 10);
			if (end == at)
				break;
			out->nspid[out->nspid_count++] = (int32_t)value;
			at = end;
			if (*at == '\n')
				break;
		}
	}
}

int ct_procfs_read_comm(pid_t tid, char comm[16])
{
	char path[64], buffer[32];
	snprintf(path, sizeof path, "/proc/%d/comm", tid);
	ssize_t n = read_small_file(path, buffer, sizeof buffer);
	if (n < 0)
		return (int)n;
	if (n > 0 && buffer[n - 1] == '\n')
		buffer[n - 1] = '\0';
	memset(comm, 0, 16);
	memcpy(comm, buffer, n > 15 ? 15 : (size_t)n);
	return 0;
}

int ct_procfs_read_task(pid_t tid, struct ct_task *out)
{
	char path[96], status[4096];
	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, "/proc/%d/status", tid);
	ssize_t n = read_small_file(path, status, sizeof status);
	if (n < 0)
		return (int)n;
	parse_status(status, out);
	const char *name = strstr(status, "Name:\t");
	if (name == status) {
		name += 6;
		size_t length = strcspn(name, "\n");
		memcpy(out->comm, name, length < 15 ? length : 15);
	}
	for (int kind = 0; kind < CT_NS_COUNT; kind++) {
		struct stat st;
		snprintf(path, sizeof path, "/proc/%d/ns/%s", tid, namespace_files[kind]);
		out->ns[kind] = stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
	}
	return 0;
}
