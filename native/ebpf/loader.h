/*
 * Loading the BPF programs (trace.bpf.c, embedded as a bpftool skeleton) into the kernel, or a
 * one-line reason why they cannot be: no BTF, lockdown, no CAP_BPF / CAP_PERFMON, an old kernel.
 */
#ifndef CTTRACE_EBPF_LOADER_H
#define CTTRACE_EBPF_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ct_ring_lost;

struct ct_ebpf;

/* Load with the capture table and the syscall bitmap, attach, and return 0; or -errno with
 * `why` saying what failed and what to do. */
int ct_ebpf_load(struct ct_ebpf **out, const uint8_t *capture, const uint8_t *bitmap, int watch_containers, char *why,
		 size_t why_size);
void ct_ebpf_unload(struct ct_ebpf *ebpf);
/* Follow thread group `tgid` from now on (its threads and, as they are made, its children). */
int ct_ebpf_follow(struct ct_ebpf *ebpf, pid_t tgid);
/* The map of followed thread groups, and the attached programs' links (up to `max`; returns how
 * many): what the exit-kill guard holds (exit-kill.h). */
int ct_ebpf_followed_fd(const struct ct_ebpf *ebpf);
int ct_ebpf_link_fds(const struct ct_ebpf *ebpf, int *fds, int max);
/* The ring buffer's file descriptor, for ring_buffer__new. */
int ct_ebpf_ring_fd(const struct ct_ebpf *ebpf);
/* Per CPU, what the programs could not put on the full ring buffer so far (struct ct_ring_lost),
 * into `per_cpu` (room for ct_ebpf_cpu_count()). Returns 0 or -errno. */
int ct_ebpf_cpu_count(void);
int ct_ebpf_lost(const struct ct_ebpf *ebpf, struct ct_ring_lost *per_cpu);

#endif
