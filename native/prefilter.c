#include "prefilter.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

static int bit_set(const uint8_t *bitmap, int nr)
{
	return (bitmap[nr / 8] >> (nr % 8)) & 1;
}

static int emit(struct ct_prefilter *f, struct sock_filter instruction)
{
	if (f->length >= CT_PREFILTER_MAX_INSTRUCTIONS)
		return -E2BIG;
	f->program[f->length++] = instruction;
	return 0;
}

/*
 * Layout: check the arch (anything but native x86_64 runs untraced), load the
 * number, then one test per run of consecutive traced numbers, each jumping
 * to the final RET_TRACE; falling off the end allows the call.
 */
int ct_prefilter_build(struct ct_prefilter *f, const uint8_t *bitmap, int max_syscall)
{
	int runs[2 * 512], run_count = 0;
	for (int nr = 0; nr < max_syscall; nr++) {
		if (!bit_set(bitmap, nr))
			continue;
		int first = nr;
		while (nr + 1 < max_syscall && bit_set(bitmap, nr + 1))
			nr++;
		if (run_count >= 512)
			return -E2BIG;
		runs[2 * run_count] = first;
		runs[2 * run_count + 1] = nr;
		run_count++;
	}
	f->length = 0;
	/* instructions after the header: 2 per run (range) or 1 (single), then ALLOW, TRACE */
	int body = 0;
	for (int i = 0; i < run_count; i++)
		body += runs[2 * i] == runs[2 * i + 1] ? 1 : 2;
	int rc = 0;
	rc |= emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
	rc |= emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
	rc |= emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	rc |= emit(f, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
	int remaining = body;
	for (int i = 0; i < run_count; i++) {
		int first = runs[2 * i], last = runs[2 * i + 1];
		if (first == last) {
			remaining -= 1;
			/* jump to TRACE: skip the remaining tests and ALLOW */
			rc |= emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)first, (unsigned char)(remaining + 1), 0));
		} else {
			remaining -= 2;
			/* nr < first: go on to the next test; else check nr <= last */
			rc |= emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (unsigned)first, 0, 1));
			rc |= emit(f, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (unsigned)last, 0, (unsigned char)(remaining + 1)));
		}
		if (remaining + 1 > 255)
			return -E2BIG;
	}
	rc |= emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
	rc |= emit(f, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
	return rc ? -E2BIG : 0;
}
