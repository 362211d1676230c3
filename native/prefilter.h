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

/* Build (in the tracer, before fork) a filter returning SECCOMP_RET_TRACE for the bitmap's syscalls. */
int ct_prefilter_build(struct ct_prefilter *filter, const uint8_t *syscall_bitmap, int max_syscall);
/* Install it (in the child, after the tracer has seized it); async-signal-safe. Returns 0 or -errno. */
int ct_prefilter_install(const struct ct_prefilter *filter);

#endif
