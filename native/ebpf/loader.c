#include "loader.h"
#include "ring-event.h"
#include "trace.skel.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ct_ebpf {
	struct ct_trace_bpf *skeleton;
};

#define NO_EBPF "use --backend ptrace"

/* libbpf's last complaint, kept for the one-line reason instead of printed on the user's terminal. */
static char libbpf_said[256];

static int keep_libbpf_message(enum libbpf_print_level level, const char *format, va_list args)
{
	if (getenv("CTTRACE_DEBUG_EBPF")) { /* the verifier's whole log, for whoever changes trace.bpf.c */
		va_list copy;
		va_copy(copy, args);
		vfprintf(stderr, format, copy);
		va_end(copy);
	}
	if (level == LIBBPF_WARN) {
		vsnprintf(libbpf_said, sizeof libbpf_said, format, args);
		libbpf_said[strcspn(libbpf_said, "\n")] = '\0';
	}
	return 0;
}

static int file_contains(const char *path, const char *text)
{
	char buffer[256] = "";
	FILE *file = fopen(path, "re");
	if (!file)
		return 0;
	size_t n = fread(buffer, 1, sizeof buffer - 1, file);
	fclose(file);
	buffer[n] = '\0';
	return strstr(buffer, text) != NULL;
}

/* What can be told before trying: the kernel's BTF and lockdown. */
static int preflight(char *why, size_t why_size)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(why, why_size, "this kernel has no BTF (/sys/kernel/btf/vmlinux; CONFIG_DEBUG_INFO_BTF): the eBPF backend cannot run here; " NO_EBPF);
		return -ENOENT;
	}
	if (file_contains("/sys/kernel/security/lockdown", "[confidentiality]")) {
		snprintf(why, why_size, "kernel lockdown (confidentiality) forbids reading memory with eBPF; " NO_EBPF);
		return -EPERM;
	}
	return 0;
}

static int explain(int rc, const char *step, char *why, size_t why_size)
{
	if (rc == -EPERM)
		snprintf(why, why_size, "%s: not permitted (the eBPF backend needs CAP_BPF and CAP_PERFMON, or root); " NO_EBPF, step);
	else
		snprintf(why, why_size, "%s: %s%s%s; " NO_EBPF, step, strerror(-rc), libbpf_said[0] ? " - " : "", libbpf_said);
	return rc;
}

/* CTTRACE_EBPF_RING_BYTES (a power of two, at least a page) replaces the ring's 32 MB: the tests
 * shrink it to make the ring overflow and check that every loss is counted. */
static int set_ring_size(struct ct_ebpf *ebpf)
{
	const char *bytes = getenv("CTTRACE_EBPF_RING_BYTES");
	if (!bytes || !*bytes)
		return 0;
	return bpf_map__set_max_entries(ebpf->skeleton->maps.events, (uint32_t)strtoul(bytes, NULL, 10));
}

int ct_ebpf_load(struct ct_ebpf **out, const uint8_t *capture, const uint8_t *bitmap, int watch_containers, char *why,
		 size_t why_size)
{
	*out = NULL;
	int rc = preflight(why, why_size);
	if (rc)
		return rc;
	libbpf_said[0] = '\0';
	libbpf_set_print(keep_libbpf_message);
	struct ct_ebpf *ebpf = calloc(1, sizeof *ebpf);
	if (!ebpf)
		return -ENOMEM;
	ebpf->skeleton = ct_trace_bpf__open();
	if (!ebpf->skeleton) {
		rc = explain(-errno, "cannot open the BPF programs", why, why_size);
		free(ebpf);
		return rc;
	}
	rc = set_ring_size(ebpf);
	if (rc == 0)
		rc = ct_trace_bpf__load(ebpf->skeleton);
	if (rc) {
		ct_ebpf_unload(ebpf);
		return explain(rc, "the kernel refused the BPF programs", why, why_size);
	}
	/* .bss is mapped: the tables are in place before any program runs */
	struct ct_ebpf_config *tables = &ebpf->skeleton->bss->tables;
	memcpy(tables->capture, capture, sizeof tables->capture);
	memcpy(tables->recorded, bitmap, sizeof tables->recorded);
	tables->watch_containers = watch_containers != 0;
	rc = ct_trace_bpf__attach(ebpf->skeleton);
	if (rc) {
		ct_ebpf_unload(ebpf);
		return explain(rc, "cannot attach the BPF programs to the tracepoints", why, why_size);
	}
	*out = ebpf;
	return 0;
}

void ct_ebpf_unload(struct ct_ebpf *ebpf)
{
	if (!ebpf)
		return;
	ct_trace_bpf__destroy(ebpf->skeleton);
	free(ebpf);
}

int ct_ebpf_follow(struct ct_ebpf *ebpf, pid_t tgid)
{
	uint32_t key = (uint32_t)tgid;
	uint8_t yes = 1;
	return bpf_map__update_elem(ebpf->skeleton->maps.followed, &key, sizeof key, &yes, sizeof yes, BPF_ANY);
}

int ct_ebpf_followed_fd(const struct ct_ebpf *ebpf)
{
	return bpf_map__fd(ebpf->skeleton->maps.followed);
}

int ct_ebpf_link_fds(const struct ct_ebpf *ebpf, int *fds, int max)
{
	const struct bpf_object_skeleton *skeleton = ebpf->skeleton->skeleton;
	int count = 0;
	for (int i = 0; i < skeleton->prog_cnt && count < max; i++) {
		struct bpf_link *link = *skeleton->progs[i].link;
		if (link)
			fds[count++] = bpf_link__fd(link);
	}
	return count;
}

int ct_ebpf_ring_fd(const struct ct_ebpf *ebpf)
{
	return bpf_map__fd(ebpf->skeleton->maps.events);
}

int ct_ebpf_cpu_count(void)
{
	return libbpf_num_possible_cpus();
}

int ct_ebpf_lost(const struct ct_ebpf *ebpf, struct ct_ring_lost *per_cpu)
{
	int cpus = libbpf_num_possible_cpus();
	if (cpus <= 0)
		return cpus;
	uint32_t zero = 0;
	return bpf_map__lookup_elem(ebpf->skeleton->maps.lost, &zero, sizeof zero, per_cpu, (size_t)cpus * sizeof *per_cpu, 0);
}
