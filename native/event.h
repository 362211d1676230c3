/*
 * The event protocol between the native engine and the TypeScript decoder.
 *
 * A stream of little-endian records, each a fixed header followed by a
 * payload. The first record is always HELLO. Field layouts are fixed-size
 * structs so the decoder reads them with DataView at known offsets; the
 * offsets are mirrored in tracer/protocol/layout.ts and pinned by a test that
 * compiles this header (test/protocol.test.ts). Bump CT_PROTOCOL_VERSION when a
 * layout changes.
 */
#ifndef CTTRACE_EVENT_H
#define CTTRACE_EVENT_H

/* the BPF programs (native/ebpf) get the fixed-width types from vmlinux.h: the BPF target has no libc */
#ifndef __bpf__
#include <stdint.h>
#endif

#define CT_PROTOCOL_VERSION 2

enum ct_record_type {
	CT_REC_HELLO = 1,
	CT_REC_TASK = 2,    /* a task first seen, or re-read after exec / namespace change */
	CT_REC_SYSCALL = 3, /* one completed (or unfinished) syscall */
	CT_REC_EXEC = 4,    /* PTRACE_EVENT_EXEC: the task image changed */
	CT_REC_SIGNAL = 5,  /* a signal-delivery-stop or a group-stop */
	CT_REC_EXIT = 6,    /* the task is gone (exited or killed) */
	CT_REC_ERROR = 7,   /* something the engine could not do, with errno */
	CT_REC_END = 8,     /* the session is over; nothing follows */
	CT_REC_LOST = 9,    /* events the eBPF backend could not record: its ring buffer was full */
};

struct ct_record_header {
	uint32_t length; /* whole record, header included */
	uint16_t type;
	uint16_t flags;
	int32_t tid; /* host tid the record is about (0 for session records) */
	uint32_t reserved;
	uint64_t time_ns; /* CLOCK_MONOTONIC */
};

enum ct_session_flags {
	CT_SESSION_TRACE_ALL = 1, /* PTRACE_SYSCALL on every syscall, no prefilter */
	CT_SESSION_ATTACHED = 2,  /* seized existing processes */
	CT_SESSION_SECCOMP = 4,   /* a seccomp-bpf prefilter selects the syscalls */
	CT_SESSION_EBPF = 8,      /* the eBPF backend: nobody stops, the kernel's programs record */
};

struct ct_hello {
	uint32_t protocol_version;
	uint32_t session_flags;
	uint64_t start_ns; /* CLOCK_MONOTONIC at session start: times are relative to it */
	int64_t realtime_start_ns; /* CLOCK_REALTIME at the same instant */
	char kernel_release[65];
	char machine[65];
	char reserved[6];
};

/* Order of namespace inodes in ct_task.ns; mirrors NAMESPACE_KINDS in TypeScript. */
enum ct_ns_kind {
	CT_NS_CGROUP, CT_NS_IPC, CT_NS_MNT, CT_NS_NET, CT_NS_PID,
	CT_NS_PID_FOR_CHILDREN, CT_NS_TIME, CT_NS_TIME_FOR_CHILDREN, CT_NS_USER, CT_NS_UTS,
	CT_NS_COUNT
};

enum ct_task_reason {
	CT_TASK_NEW = 1,       /* first stop of a task (started, attached or auto-attached child) */
	CT_TASK_EXEC = 2,      /* after a successful execve */
	CT_TASK_NS_CHANGE = 3, /* after a successful namespace-changing syscall */
};

#define CT_MAX_NSPID 8

struct ct_task {
	int32_t tgid;
	int32_t ppid;
	uint32_t reason;
	uint32_t nspid_count;      /* levels in nspid, host first */
	int32_t nspid[CT_MAX_NSPID];
	uint64_t ns[CT_NS_COUNT];  /* inode per namespace kind, 0 when unavailable */
	uint32_t uid;              /* effective uid and gid as the host sees them */
	uint32_t gid;
	char comm[16];
};

enum ct_syscall_flags {
	CT_SYSCALL_HAS_RET = 1,    /* ret is valid (an exit stop was seen) */
	CT_SYSCALL_UNFINISHED = 2, /* the task vanished (exit, exec by another thread, detach) before the exit stop */
};

struct ct_syscall {
	int32_t nr;
	uint16_t flags;
	uint16_t blob_count;
	uint64_t args[6];
	int64_t ret;       /* as the kernel returned it: negative errno on failure */
	uint64_t enter_ns; /* header.time_ns is the exit time */
	int32_t child_tid; /* host tid of the child a fork/vfork/clone/clone3 made, else 0 */
	uint32_t reserved;
	/* followed by blob_count blobs: struct ct_blob + length bytes each */
};

/* What to copy out of the tracee for an argument: one byte per argument in the capture table. */
enum ct_capture_kind {
	CT_CAPTURE_NONE = 0,
	CT_CAPTURE_STRING = 1,     /* NUL-terminated string at the pointer */
	CT_CAPTURE_STRINGS = 2,    /* NULL-terminated array of strings (argv, envp) */
	CT_CAPTURE_BYTES_ARG = 3,  /* bytes, count in the argument named by the high nibble */
	CT_CAPTURE_FIXED = 4,      /* high nibble * 8 bytes at entry */
	CT_CAPTURE_OUT_FIXED = 5,  /* high nibble * 4 bytes at exit, when the call succeeded */
	CT_CAPTURE_INTS_ARG = 6,   /* 32-bit ints, count in the argument named by the high nibble */
	CT_CAPTURE_POINTER_COUNT = 7, /* how many pointers a NULL-terminated array holds (envp without --env): a uint32 */
	CT_CAPTURE_OUT_STRUCT = 8, /* high nibble * 16 bytes at exit, when the call succeeded (wait4's struct rusage) */
	/* 16 bytes at exit, when the call succeeded, at the pointer in the argument the high nibble
	 * names (the blob is that argument's): a second capture of an argument whose own spec is taken,
	 * given in a slot the call has no argument for (what prctl's PR_GET_NAME or seccomp's
	 * SECCOMP_GET_NOTIF_SIZES write, where other commands read at entry) */
	CT_CAPTURE_OUT_OF_ARG = 9,
	/* struct sock_fprog at entry (16 bytes: len, then the filter's address), followed by as many
	 * of the filter's 8-byte instructions as could be read, at most CT_FPROG_MAX_INSNS (seccomp's
	 * and prctl(PR_SET_SECCOMP)'s program) */
	CT_CAPTURE_FPROG = 10,
	/* a directory fd: when it is AT_FDCWD, the caller's working directory at entry (the target of
	 * /proc/TID/cwd, NUL-terminated), which strace -y shows after AT_FDCWD */
	CT_CAPTURE_CWD = 11,
};

/* Per-syscall behaviour flags, byte 6 of each capture table row. */
enum ct_syscall_behaviour {
	CT_BEHAVIOUR_NS_CHANGE = 1, /* on success, re-read the caller's namespaces */
	CT_BEHAVIOUR_EXEC = 2,      /* execve/execveat: where the started command's own syscalls begin */
	CT_BEHAVIOUR_RETURNS_FD = 4, /* open and friends: a cgroup path opened gives a cgroup fd */
	CT_BEHAVIOUR_CLOSES_FD = 8,  /* close: the fd is no longer a cgroup fd */
	CT_BEHAVIOUR_FORKS = 16,     /* fork/vfork/clone/clone3: its child starts in the caller's namespaces */
};

/* Byte 7 of a row: when to record the call at all. */
enum ct_record_filter {
	CT_RECORD_CGROUP_ONLY = 1, /* only when it works on a file under /sys/fs/cgroup */
};

/*
 * Bytes per syscall number: 0-5 argument specs, 6 behaviour, 7 record filter, then which
 * argument (index + 1, 0 for none) holds the path (8), the directory fd the path is relative
 * to (9), the file descriptor worked on (10), and the CLONE_* flags (11: of clone, unshare and
 * setns in a register; of clone3, the first 8 bytes of its captured struct).
 */
#define CT_CAPTURE_ROW 12
enum { CT_ROW_BEHAVIOUR = 6, CT_ROW_FILTER = 7, CT_ROW_PATH_ARG = 8, CT_ROW_DIRFD_ARG = 9, CT_ROW_FD_ARG = 10, CT_ROW_CLONE_FLAGS_ARG = 11 };
#define CT_MAX_SYSCALL 1024
/* BPF_MAXINSNS and one more: strace shows 4096 instructions, then `...` if there are more */
#define CT_FPROG_MAX_INSNS 4097

enum ct_blob_flags { CT_BLOB_TRUNCATED = 1, CT_BLOB_FAULT = 2 };

struct ct_blob {
	uint8_t arg;   /* argument index 0..5 */
	uint8_t kind;  /* enum ct_capture_kind */
	uint8_t flags; /* enum ct_blob_flags */
	uint8_t reserved;
	uint32_t length; /* bytes that follow; strings are NUL-separated */
};

struct ct_exec {
	int32_t former_tid; /* the tid that called execve (differs when a non-leader thread execs) */
	uint32_t reserved;
	char comm[16];
};

enum ct_signal_kind { CT_SIGNAL_DELIVERED = 1, CT_SIGNAL_GROUP_STOP = 2 };

struct ct_signal {
	int32_t signo;
	int32_t code;
	int32_t sender_pid;
	int32_t sender_uid;
	uint32_t kind;
	uint32_t reserved;
};

enum ct_exit_kind { CT_EXIT_EXITED = 1, CT_EXIT_KILLED = 2 };

struct ct_exit {
	uint32_t kind;
	int32_t value; /* exit code, or the signal number */
	uint32_t core_dumped;
	uint32_t reserved;
};

struct ct_error {
	int32_t error_number;
	uint32_t reserved;
	/* followed by a NUL-terminated message */
};

/* Events (a call's entry, a blob, its exit, a task...) the programs found no room for in the ring
 * buffer since the previous LOST record; header.time_ns is when the last of them was lost. Followed
 * by cpu_count struct ct_lost_cpu: the CPUs that lost any. */
struct ct_lost {
	uint64_t count;    /* lost since the previous LOST record */
	uint64_t total;    /* lost in the whole session so far */
	uint64_t since_ns; /* CLOCK_MONOTONIC: none of these was lost before (the previous count) */
	uint32_t cpu_count;
	uint32_t reserved;
};

struct ct_lost_cpu {
	uint32_t cpu;
	uint32_t reserved;
	uint64_t count; /* lost on this CPU since the previous LOST record */
};

enum ct_end_reason { CT_END_DONE = 0, CT_END_STOPPED = 1, CT_END_OUTPUT_FAILED = 2 };

struct ct_end {
	uint32_t reason;
	int32_t main_status; /* exit code of the first tracee, 128 + signal if killed */
};

#endif
