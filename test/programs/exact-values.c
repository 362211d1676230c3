/*
 * Passes 64-bit values no JavaScript number holds exactly (2^64 - 1, 2^63 + 1) through u64
 * arguments, clone3's fields and prctl's unsigned long arguments. Every call fails harmlessly
 * (EBADF, EINVAL); test/exact-values.test.ts checks that the trace keeps each value to the digit.
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	const uint64_t max = UINT64_MAX, over = (UINT64_C(1) << 63) + 1;
	syscall(SYS_write, -1, "x", max);
	syscall(SYS_write, -1, "x", over);
	struct clone_args args;
	memset(&args, 0, sizeof args);
	args.exit_signal = max;
	args.stack_size = over;
	args.cgroup = max;
	syscall(SYS_clone3, &args, sizeof args);
	syscall(SYS_prctl, 0x12345, max, over, 0, 0);
	return 0;
}
