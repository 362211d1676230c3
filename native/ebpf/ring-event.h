/*
 * What the BPF programs (trace.bpf.c) put on the ring buffer for user space (session.c), which
 * turns it into native/event.h records. A syscall travels in parts, as the kernel sees it: its
 * entry, the blobs captured (at entry, or at exit for out-params and strings that were not yet
 * resident at entry), then its exit. The task, exec, signal and exit parts carry event.h's own
 * payloads unchanged.
 */
#ifndef CTTRACE_EBPF_RING_EVENT_H
#define CTTRACE_EBPF_RING_EVENT_H

#include "../event.h"

enum ct_ring_type {
	CT_RING_ENTER = 1,
	CT_RING_BLOB = 2,
	CT_RING_EXIT = 3,
	CT_RING_TASK = 4,
	CT_RING_EXEC = 5,
	CT_RING_SIGNAL = 6,
	CT_RING_TASK_EXIT = 7,
};

struct ct_ring_header {
	uint32_t type;
	int32_t tid;
	uint64_t time_ns; /* bpf_ktime_get_ns: CLOCK_MONOTONIC, as the ptrace engine's times */
};

struct ct_ring_enter {
	struct ct_ring_header header;
	int32_t nr;
	uint32_t reserved;
	uint64_t args[6];
};

/* One string of an argv/envp array (CT_CAPTURE_STRINGS) comes as a part; the last part of the
 * array, with no data, carries the array's flags. Other kinds come whole, in one blob. */
enum ct_ring_blob_part { CT_RING_BLOB_WHOLE = 0, CT_RING_BLOB_STRING = 1, CT_RING_BLOB_END = 2 };

/* A string is never cut below PATH_MAX; the byte captures (CT_CAPTURE_BYTES_ARG and friends) are
 * capped at 256 by the capture table's limits, as in native/capture.c. */
#define CT_RING_BLOB_MAX 4096
#define CT_RING_BYTES_MAX 256
#define CT_RING_OUT_OF_ARG_BYTES 16 /* CT_CAPTURE_OUT_OF_ARG, as native/capture.c */
#define CT_RING_STRINGS_MAX 32768
#define CT_RING_STRINGS_COUNT_MAX 4096

struct ct_ring_blob {
	struct ct_ring_header header;
	struct ct_blob blob; /* blob.reserved: enum ct_ring_blob_part */
	uint8_t data[CT_RING_BLOB_MAX];
};

struct ct_ring_exit {
	struct ct_ring_header header;
	int64_t ret;
	int32_t child_tid; /* host tid of the child a fork/vfork/clone/clone3 made, else 0 */
	uint32_t reserved;
};

struct ct_ring_task {
	struct ct_ring_header header;
	struct ct_task task;
};

struct ct_ring_exec {
	struct ct_ring_header header;
	struct ct_exec exec;
};

struct ct_ring_signal {
	struct ct_ring_header header;
	struct ct_signal signal;
};

struct ct_ring_task_exit {
	struct ct_ring_header header;
	struct ct_exit exit;
};

/* Per CPU: the records the programs found no room for on the ring buffer, and when the last of
 * them was (bpf_ktime_get_ns). */
struct ct_ring_lost {
	uint64_t count;
	uint64_t last_ns;
};

/* What user space sets before the programs are attached: the `-e trace=` bitmap and the capture
 * table, the same bytes the ptrace engine is given. */
struct ct_ebpf_config {
	uint8_t recorded[CT_MAX_SYSCALL / 8];
	uint8_t capture[CT_MAX_SYSCALL * CT_CAPTURE_ROW];
	/* cttrace watch: start following, unasked, every task that makes a new pid namespace and every
	 * runtime a containerd shim starts */
	uint8_t watch_containers;
	uint8_t reserved[7];
};

#endif
