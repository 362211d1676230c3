#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int ct_procfs_read_status(pid_t tid, struct ct_task *out)
{
	char path[64], status[4096];
	snprintf(path, sizeof path, "/proc/%d/status", tid);
	ssize_t n = read_small_file(path, status, sizeof status);
	if (n < 0)
		return (int)n;
	out->nspid_count = 0;
	parse_status(status, out);
	memset(out->comm, 0, sizeof out->comm);
	const char *name = strstr(status, "Name:\t");
	if (name == status) {
		name += 6;
		size_t length = strcspn(name, "\n");
		memcpy(out->comm, name, length < 15 ? length : 15);
	}
	return 0;
}

/* "mnt:[4026531841]" → 4026531841; 0 when the text is not that shape. */
static uint64_t inode_of_link(const char *text)
{
	const char *open = strchr(text, '[');
	return open ? strtoull(open + 1, NULL, 10) : 0;
}

/*
 * readlink rather than stat: the link's text already holds the inode number, and it skips
 * opening the namespace (on the VM this was measured on, 2.7 µs a kind against 7 µs).
 */
int ct_procfs_read_namespaces(pid_t tid, uint32_t kinds, uint64_t ns[CT_NS_COUNT])
{
	if (!kinds)
		return 0;
	char path[64], link[64];
	snprintf(path, sizeof path, "/proc/%d/ns", tid);
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	for (int kind = 0; kind < CT_NS_COUNT; kind++) {
		if (!(kinds & (1u << kind)))
			continue;
		ssize_t n = readlinkat(dir, namespace_files[kind], link, sizeof link - 1);
		link[n > 0 ? n : 0] = '\0';
		/* pid_for_children of a new, still empty pid namespace cannot be read yet */
		ns[kind] = n > 0 ? inode_of_link(link) : 0;
	}
	close(dir);
	return 0;
}

int ct_procfs_read_task(pid_t tid, struct ct_task *out)
{
	memset(out, 0, sizeof *out);
	int rc = ct_procfs_read_status(tid, out);
	return rc ? rc : ct_procfs_read_namespaces(tid, CT_NS_ALL_KINDS, out->ns);
}
