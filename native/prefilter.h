/* The seccomp-bpf prefilter: only the syscalls asked for stop the tracee. */
#ifndef CTTRACE_PREFILTER_H
#define CTTRACE_PREFILTER_H

#include <stdint.h>
#include <linux/filter.h>

enum { CT_PREFILTER_MAX_INSTRUCTIONS = 4096 };

struct ct_prefilter {
	struct sock_filter program[CT_PREFILTER_MAX_INSTRUCTIONS];
	unsigned short length;
};

/* Build (in the tracer, before the child starts) a filter returning SECCOMP_RET_TRACE for the
 * bitmap's syscalls. The child installs it (spawn.c) once the tracer has seized it. */
int ct_prefilter_build(struct ct_prefilter *filter, const uint8_t *syscall_bitmap, int max_syscall);

#endif
