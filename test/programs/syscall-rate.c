/* A busy daemon for the live benchmark and test: RATE syscalls a second for SECONDS seconds, in
 * bursts every millisecond, paced on an absolute clock so the rate holds however long a burst takes
 * under a tracer. Each burst is one close() of a descriptor that cannot exist, 1000000000 + the
 * wall clock in ms mod 1e9 (CLOCK_REALTIME: a trace shows when each burst was made, so a viewer's
 * lag can be measured), then getppid() calls for the rest. Deterministic count: RATE * SECONDS
 * calls in all (rounded down to whole bursts), then it exits 0.
 * Usage: syscall-rate [rate] [seconds] */
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long rate = argc > 1 ? atol(argv[1]) : 20000;
	double seconds = argc > 2 ? atof(argv[2]) : 60;
	long bursts = (long)(seconds * 1000);
	long per_burst = rate / 1000 > 0 ? rate / 1000 : 1;
	struct timespec next;
	if (rate <= 0 || bursts <= 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long burst = 0; burst < bursts; burst++) {
		struct timespec wall;
		clock_gettime(CLOCK_REALTIME, &wall);
		long stamp = 1000000000L + (wall.tv_sec % 1000000L) * 1000L + wall.tv_nsec / 1000000L;
		syscall(SYS_close, stamp);
		for (long n = 1; n < per_burst; n++)
			syscall(SYS_getppid);
		next.tv_nsec += 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return 0;
}
