/*
 * Makes the calls cttrace decodes with edge-case arguments, so that test/decode-parity.test.ts can
 * compare cttrace's line for each with strace's: NULL and unreadable pointers, unknown flag bits
 * and values, garbage in the upper half of 32-bit arguments, strings longer than 32 bytes,
 * common errnos, structs filled and empty.
 *
 * Deterministic: one task at a time (each child is waited for before the next call), no
 * addresses that change between runs (every pointer shown is either NULL, an unmapped constant
 * or a string/struct the tracers dereference), no pids in arguments. Everything that could change
 * the machine runs in namespaces of its own (unshared first) or fails by design.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Garbage the kernel ignores in the upper half of an `int` or `unsigned int` register. */
#define HIGH(value) (0xdefaced00000000UL | (uint32_t)(value))
/* An address no test maps: reads from it fault. */
#define UNMAPPED ((long)0x10000UL)

/* where the kernel clears the tid when the program exits: PR_GET_TID_ADDRESS shows it */
static int cleared_at_exit;

static const char LONG_STRING[] = "0123456789012345678901234567890123456789";

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

static void wait_child(pid_t child)
{
	int status;
	/* rusage's times vary between runs: NULL here. */
	syscall(SYS_wait4, child, &status, 0, NULL);
}

int main(void)
{
	/* Private namespaces: mounts, hostname and ipc changes stay here. */
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC) != 0) {
		perror("unshare");
		return 1;
	}
	sys(SYS_mount, (long)"none", (long)"/", 0, MS_REC | MS_PRIVATE, 0, 0);

	/* errnos with their text */
	sys(SYS_chdir, 0, 0, 0, 0, 0, 0);
	sys(SYS_chdir, (long)"/nonexistent-cttrace-dir", 0, 0, 0, 0, 0);
	sys(SYS_chdir, UNMAPPED, 0, 0, 0, 0, 0);
	sys(SYS_rmdir, (long)"/proc", 0, 0, 0, 0, 0);
	sys(SYS_fchdir, HIGH(-1), 0, 0, 0, 0, 0);
	sys(SYS_kill, HIGH(-2147483647), 0, 0, 0, 0, 0);
	sys(SYS_setns, HIGH(-1), HIGH(CLONE_NEWUTS), 0, 0, 0, 0);
	sys(SYS_close, HIGH(-1), 0, 0, 0, 0, 0);
	sys(SYS_dup, HIGH(12345), 0, 0, 0, 0, 0);
	sys(SYS_dup2, HIGH(12345), HIGH(12346), 0, 0, 0, 0);
	sys(SYS_dup3, HIGH(12345), HIGH(12346), HIGH(O_CLOEXEC), 0, 0, 0);

	/* int arguments with garbage above them, unknown flags and values */
	sys(SYS_fsmount, HIGH(-1), HIGH(0), HIGH(0), 0, 0, 0);
	sys(SYS_fsopen, 0, HIGH(2), 0, 0, 0, 0);
	sys(SYS_fsopen, (long)LONG_STRING, 1, 0, 0, 0, 0);
	sys(SYS_fsopen, (long)"tmpfs", 0x11, 0, 0, 0, 0);
	sys(SYS_fspick, HIGH(-100), 0, HIGH(0x40), 0, 0, 0);
	sys(SYS_open_tree, HIGH(-100), (long)"/nonexistent-cttrace", HIGH(0x80001), 0, 0, 0);
	sys(SYS_move_mount, HIGH(-1), (long)"", HIGH(-100), (long)"/tmp", HIGH(0x4), 0);
	sys(SYS_fsconfig, HIGH(-1), HIGH(1), (long)"source", (long)"x", HIGH(0), 0);
	sys(SYS_fsconfig, HIGH(-1), HIGH(6), 0, 0, HIGH(0), 0);
	sys(SYS_fsconfig, HIGH(-1), HIGH(99), 0, 0, HIGH(0), 0);
	sys(SYS_unshare, HIGH(0x1000000 | 0x20), 0, 0, 0, 0, 0);
	sys(SYS_umount2, (long)"/nonexistent-cttrace", HIGH(MNT_DETACH | 0x100), 0, 0, 0, 0);
	sys(SYS_mount, (long)"none", (long)"/nonexistent-cttrace", (long)"tmpfs", MS_NOSUID | MS_NODEV | 0x40000000, (long)"size=1m,mode=755", 0);
	sys(SYS_mount, 0, (long)"/nonexistent-cttrace", 0, MS_REMOUNT | MS_BIND | MS_RDONLY, 0, 0);
	sys(SYS_mount, UNMAPPED, UNMAPPED, UNMAPPED, 0, 0, 0);
	sys(SYS_pivot_root, (long)".", (long)".", 0, 0, 0, 0);
	sys(SYS_chroot, (long)"/nonexistent-cttrace", 0, 0, 0, 0, 0);
	sys(SYS_mount_setattr, HIGH(-1), (long)"", HIGH(0x1000), 0, 0, 0);

	/* files: modes, flags, dirfds */
	sys(SYS_open, (long)"/nonexistent-cttrace/x", O_WRONLY | O_CREAT | O_TRUNC, HIGH(0600), 0, 0, 0);
	sys(SYS_open, (long)"/nonexistent-cttrace/x", O_RDONLY | O_CLOEXEC | 0x40000000, 0, 0, 0, 0);
	sys(SYS_openat, HIGH(-100), (long)"/nonexistent-cttrace/x", HIGH(O_RDWR | O_CREAT | O_EXCL), HIGH(04755), 0, 0);
	sys(SYS_openat, HIGH(7777), (long)"x", O_RDONLY | O_DIRECTORY, 0, 0, 0);
	sys(SYS_creat, (long)"/nonexistent-cttrace/x", HIGH(0644), 0, 0, 0, 0);
	sys(SYS_mkdir, (long)"/nonexistent-cttrace/x", HIGH(01777), 0, 0, 0, 0);
	sys(SYS_mkdirat, HIGH(-100), (long)"/proc", HIGH(0700), 0, 0, 0);
	sys(SYS_unlinkat, HIGH(-100), (long)"/nonexistent-cttrace", HIGH(0x200), 0, 0, 0);
	sys(SYS_write, HIGH(-1), (long)LONG_STRING, sizeof LONG_STRING - 1, 0, 0, 0);
	sys(SYS_write, HIGH(-1), (long)"a\tb\n\"\\\x01\xff", 10, 0, 0, 0);
	sys(SYS_write, HIGH(-1), 0, 5, 0, 0, 0);
	sys(SYS_write, HIGH(-1), UNMAPPED, 5, 0, 0, 0);
	{
		int fd = (int)sys(SYS_open, (long)"/dev/null", O_WRONLY, 0, 0, 0, 0);
		sys(SYS_write, fd, (long)"hello", 5, 0, 0, 0);
		sys(SYS_dup2, fd, 40, 0, 0, 0, 0);
		sys(SYS_close, 40, 0, 0, 0, 0, 0);
		sys(SYS_close, fd, 0, 0, 0, 0, 0);
		/* what runtimes do before execve: mark every fd above 2 close-on-exec */
		sys(SYS_close_range, 3, HIGH(~0U), HIGH(4 /* CLOSE_RANGE_CLOEXEC */), 0, 0, 0);
		sys(SYS_close_range, 100, 50, 0x12, 0, 0, 0);
	}

	/* openat2: struct open_how with known and unknown flags, too small, bigger with bytes not 0 */
	{
		struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH };
		struct open_how odd = { .flags = O_WRONLY | O_CREAT | 0x4000000000ULL, .mode = 0644, .resolve = RESOLVE_NO_XDEV | 0x40 };
		struct open_how mode_only = { .flags = O_RDONLY, .mode = 0755 };
		unsigned char bigger[40];
		memset(bigger, 0, sizeof bigger);
		memcpy(bigger, &how, sizeof how);
		sys(SYS_openat2, HIGH(-100), (long)"/nonexistent-cttrace", (long)&how, sizeof how, 0, 0);
		sys(SYS_openat2, HIGH(-100), (long)"/nonexistent-cttrace", (long)&odd, sizeof odd, 0, 0);
		sys(SYS_openat2, HIGH(-100), (long)"/nonexistent-cttrace", (long)&mode_only, sizeof mode_only, 0, 0);
		sys(SYS_openat2, HIGH(-100), (long)"/nonexistent-cttrace", UNMAPPED, sizeof how, 0, 0);
		sys(SYS_openat2, HIGH(-100), (long)"/nonexistent-cttrace", 0, sizeof how, 0, 0);
		sys(SYS_openat2, HIGH(-100), (long)"/nonexistent-cttrace", (long)bigger, sizeof bigger, 0, 0);
		bigger[30] = 1;
		sys(SYS_openat2, HIGH(-100), (long)"/nonexistent-cttrace", (long)bigger, sizeof bigger, 0, 0);
	}

	/* hostname */
	sys(SYS_sethostname, (long)"cttrace-edge", 12, 0, 0, 0, 0);
	sys(SYS_sethostname, (long)LONG_STRING, sizeof LONG_STRING - 1, 0, 0, 0, 0);
	sys(SYS_sethostname, UNMAPPED, 5, 0, 0, 0, 0);
	sys(SYS_setdomainname, (long)"edge", 4, 0, 0, 0, 0);

	/* prctl, each option with the arguments it takes */
	sys(SYS_prctl, PR_SET_NAME, (long)"ef", 0, 0, 1, 0);
	sys(SYS_prctl, PR_SET_NAME, (long)LONG_STRING, 0, 0, 0, 0);
	sys(SYS_prctl, PR_SET_NAME, UNMAPPED, 0, 0, 0, 0);
	sys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
	sys(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0, 0);
	sys(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0, 0);
	sys(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0, 0);
	sys(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0, 0);
	sys(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0, 0);
	sys(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0, 0);
	sys(SYS_prctl, PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0, 0);
	sys(SYS_prctl, PR_CAPBSET_READ, 200, 0, 0, 0, 0);
	sys(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_RAW, 0, 0, 0);
	sys(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0, 0);
	sys(SYS_prctl, PR_GET_SECUREBITS, 0, 0, 0, 0, 0);
	sys(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0, 0);
	sys(SYS_prctl, 0x12345, 1, 2, 3, 4, 0);
	sys(SYS_prctl, 54 /* PR_PAC_RESET_KEYS */, 0x20, 0, 0, 0, 0);
	/* what PR_GET_* options write through their pointer (the address when the call fails) */
	{
		char name[16];
		int value = -1;
		unsigned long address = 1;
		sys(SYS_prctl, PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_PDEATHSIG, (long)&value, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_PDEATHSIG, UNMAPPED, 0, 0, 0, 0);
		sys(SYS_prctl, PR_SET_NAME, (long)"decode-edges-name", 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_NAME, (long)name, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_NAME, UNMAPPED, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_CHILD_SUBREAPER, (long)&value, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_TSC, (long)&value, 0, 0, 0, 0);
		/* a static's address, the same in every run (the binary is not position-independent) */
		syscall(SYS_set_tid_address, &cleared_at_exit);
		sys(SYS_prctl, PR_GET_TID_ADDRESS, (long)&address, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_TID_ADDRESS, 0, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_KEEPCAPS, 0, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_NO_NEW_PRIVS, 1, 2, 3, 4, 0);
		sys(SYS_prctl, PR_GET_SPECULATION_CTRL, 7, 0, 0, 0, 0);
		sys(SYS_prctl, PR_MCE_KILL_GET, 0, 0, 0, 0, 0);
		sys(SYS_prctl, PR_GET_UNALIGN, (long)&value, 0, 0, 0, 0);
	}
	sys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0);
	sys(SYS_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0, 0);

	/* seccomp programs the kernel refuses (EINVAL), with every kind of instruction: strace -v
	 * disassembles them; then a filter that allows everything, then edge cases */
	{
		struct sock_filter code[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 500, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0x40000000, 2, 3),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 5),
			BPF_STMT(BPF_LD | BPF_H | BPF_IND, offsetof(struct seccomp_data, args[1])),
			BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 3),
			BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
			BPF_STMT(BPF_ALU | BPF_NEG | BPF_X, 0),
			BPF_STMT(BPF_MISC | BPF_TAX, 0),
			BPF_STMT(BPF_MISC | BPF_TXA, 0),
			BPF_STMT(BPF_LD | BPF_MEM, 3),
			BPF_STMT(BPF_ST, 2),
			BPF_STMT(BPF_STX | 0x40, 1),
			BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0),
			BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
			BPF_STMT(BPF_LD | BPF_IMM | 0x18, 7),
			BPF_STMT(BPF_RET | BPF_A, 0),
			BPF_STMT(BPF_RET | BPF_X | 0x20, 0),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP | 0x10),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
			BPF_STMT(BPF_RET | BPF_K, 0x12345678),
			BPF_STMT(0xffff, 0x5),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog refused = { sizeof code / sizeof code[0], code };
		struct sock_fprog empty = { 0, code };
		struct sock_fprog unreadable = { 3, (struct sock_filter *)UNMAPPED };
		struct sock_fprog null_filter = { 3, NULL };
		sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&refused, 0, 0, 0);
		sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&empty, 0, 0, 0);
		sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&unreadable, 0, 0, 0);
		sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&null_filter, 0, 0, 0);
		sys(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (long)&refused, 0, 0, 0);
		sys(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, UNMAPPED, 0, 0, 0);
	}
	{
		struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
		struct sock_fprog program = { 1, allow };
		sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, (long)&program, 0, 0, 0);
		sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0x80, 0, 0, 0, 0);
		sys(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, UNMAPPED, 0, 0, 0);
		sys(SYS_seccomp, 7, 0, UNMAPPED, 0, 0, 0);
		struct seccomp_notif_sizes sizes;
		sys(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, (long)&sizes, 0, 0, 0);
		sys(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, UNMAPPED, 0, 0, 0);
		sys(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 1, 0, 0, 0, 0);
		uint32_t actions[] = { SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_LOG, 0x12345678 };
		for (int i = 0; i < 3; i++)
			sys(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, (long)&actions[i], 0, 0, 0);
	}

	/* ids */
	sys(SYS_setresuid, HIGH(-1), HIGH(-1), HIGH(-1), 0, 0, 0);
	sys(SYS_setresgid, HIGH(-1), HIGH(-1), HIGH(-1), 0, 0, 0);
	sys(SYS_setgroups, 0, 0, 0, 0, 0, 0);
	sys(SYS_setgroups, 1, UNMAPPED, 0, 0, 0, 0);
	sys(SYS_setfsuid, HIGH(-1), 0, 0, 0, 0, 0);

	/* capabilities */
	{
		struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2];
		memset(data, 0, sizeof data);
		data[0].effective = data[0].permitted = 1u << CAP_CHOWN | 1u << CAP_SYS_ADMIN;
		data[1].effective = data[1].permitted = 1u << (CAP_BPF - 32);
		sys(SYS_capset, (long)&header, (long)data, 0, 0, 0, 0);
		sys(SYS_capset, (long)&header, 0, 0, 0, 0, 0);
		sys(SYS_capset, UNMAPPED, UNMAPPED, 0, 0, 0, 0);
	}

	/* clone3: NULL, unreadable, a struct with values beyond 2^53 */
	sys(SYS_clone3, 0, 88, 0, 0, 0, 0);
	sys(SYS_clone3, UNMAPPED, 88, 0, 0, 0, 0);
	{
		struct clone_args args;
		memset(&args, 0, sizeof args);
		args.flags = 0xdeadbeef00000000ULL | CLONE_NEWPID;
		args.exit_signal = 16045756810061152273ULL;
		args.stack_size = 0x10000;
		sys(SYS_clone3, (long)&args, sizeof args, 0, 0, 0, 0);
		memset(&args, 0, sizeof args);
		args.flags = CLONE_NEWUTS;
		args.exit_signal = SIGCHLD;
		pid_t child = (pid_t)sys(SYS_clone3, (long)&args, sizeof args, 0, 0, 0, 0);
		if (child == 0)
			syscall(SYS_exit_group, 42);
		wait_child(child);
	}

	/* clone with its named arguments, fork, vfork, wait status */
	{
		pid_t child = (pid_t)sys(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0, 0);
		if (child == 0)
			syscall(SYS_exit_group, 3);
		wait_child(child);
		child = (pid_t)sys(SYS_fork, 0, 0, 0, 0, 0, 0);
		if (child == 0)
			for (;;)
				syscall(SYS_pause);
		sys(SYS_kill, child, SIGKILL, 0, 0, 0, 0);
		wait_child(child);
		/* struct rusage, filled (its numbers vary: the test reads them as N) */
		child = (pid_t)sys(SYS_fork, 0, 0, 0, 0, 0, 0);
		if (child == 0)
			syscall(SYS_exit_group, 5);
		{
			int status;
			struct rusage usage;
			syscall(SYS_wait4, child, &status, 0, &usage);
		}
		sys(SYS_wait4, HIGH(-1), UNMAPPED, HIGH(WNOHANG | 0x40000), 0, 0, 0);
		sys(SYS_wait4, HIGH(-1), 0, HIGH(WUNTRACED | __WNOTHREAD | __WALL | __WCLONE), 0, 0, 0);
		/* waitid: the siginfo the kernel writes (si_utime and si_stime are what the buffer held) */
		{
			siginfo_t info;
			struct rusage usage;
			memset(&info, 0, sizeof info);
			child = (pid_t)sys(SYS_fork, 0, 0, 0, 0, 0, 0);
			if (child == 0)
				syscall(SYS_exit_group, 7);
			sys(SYS_waitid, P_PID, child, (long)&info, WEXITED | WNOWAIT, 0, 0);
			sys(SYS_waitid, P_PID, child, (long)&info, WEXITED, (long)&usage, 0);
			sys(SYS_waitid, P_ALL, 0, (long)&info, HIGH(WEXITED | WNOHANG), 0, 0);
			child = (pid_t)sys(SYS_fork, 0, 0, 0, 0, 0, 0);
			if (child == 0)
				for (;;)
					syscall(SYS_pause);
			sys(SYS_waitid, P_PID, child, (long)&info, WEXITED | WNOHANG, 0, 0);
			sys(SYS_kill, child, SIGSTOP, 0, 0, 0, 0);
			sys(SYS_waitid, P_PID, child, (long)&info, WSTOPPED, 0, 0);
			sys(SYS_kill, child, SIGKILL, 0, 0, 0, 0);
			sys(SYS_waitid, P_PID, child, (long)&info, WEXITED, UNMAPPED, 0);
			sys(SYS_waitid, P_PID, child, 0, WEXITED, 0, 0);
			sys(SYS_waitid, HIGH(7), 0, UNMAPPED, 0x1000, 0, 0);
		}
		sys(SYS_wait4, HIGH(-1), 0, HIGH(WNOHANG), UNMAPPED, 0, 0);
	}

	/* execve: failures first (envp counted), then a successful one ends the program */
	{
		char *argv[] = { "edge", "one", (char *)LONG_STRING, NULL };
		char *envp[] = { "A=1", "B=2", "C=3", NULL };
		sys(SYS_execve, (long)"/nonexistent-cttrace/bin", (long)argv, (long)envp, 0, 0, 0);
		sys(SYS_execve, (long)"/nonexistent-cttrace/bin", 0, 0, 0, 0, 0);
		sys(SYS_execve, (long)"/nonexistent-cttrace/bin", UNMAPPED, UNMAPPED, 0, 0, 0);
		sys(SYS_execveat, HIGH(-100), (long)"/nonexistent-cttrace/bin", (long)argv, (long)envp, HIGH(AT_EMPTY_PATH | 0x4), 0);
	}
	syscall(SYS_exit_group, 0);
	return 0;
}
