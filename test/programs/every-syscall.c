/*
 * Calls every syscall number of x86_64 with the arguments 1..6, each refused with ENOSYS by a
 * seccomp filter of its own (ptrace's entry stop comes before seccomp, so tracers still see every
 * call, and nothing runs): test/undecoded-calls.test.ts reads how many arguments strace shows for
 * each, and how cttrace shows the calls it has no signature for.
 *
 * 335..423 are skipped: unused on x86_64 up to Linux 6.10, and 335 is uretprobe since 6.11,
 * which seccomp does not filter and which kills a caller outside a uretprobe trampoline.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { LAST_NR = 470, GAP_FIRST = 335, GAP_LAST = 423 };

int main(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog program = { sizeof code / sizeof code[0], code };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0)
		return 1;
	for (long nr = 0; nr <= LAST_NR; nr++)
		if (nr != SYS_exit_group && (nr < GAP_FIRST || nr > GAP_LAST))
			syscall(nr, 1, 2, 3, 4, 5, 6);
	syscall(SYS_exit_group, 0);
	return 0;
}
