/*
 * System calls without libc: for a child that shares the engine's memory (CLONE_VM), where a
 * libc wrapper's errno write would land in the engine thread's errno.
 */
#ifndef CTTRACE_RAW_SYSCALL_H
#define CTTRACE_RAW_SYSCALL_H

#if defined(__x86_64__)
static inline long ct_raw_syscall5(long number, long a, long b, long c, long d, long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static inline long ct_raw_syscall5(long number, long a, long b, long c, long d, long e)
{
	register long x8 __asm__("x8") = number;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
	return x0;
}
#else
#error "no raw system call for this architecture"
#endif

/* Every register the kernel may read is set: prctl(PR_SET_NO_NEW_PRIVS) refuses garbage in its
 * fifth argument (EINVAL), and a 4-argument wrapper would leave it whatever it held. */
static inline long ct_raw_syscall(long number, long a, long b, long c, long d)
{
	return ct_raw_syscall5(number, a, b, c, d, 0);
}

#endif
