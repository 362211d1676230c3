/*
 * The benchmarks' stopwatch, in its own library (libcttrace-bench.so) so that the engine the CLI
 * loads carries no benchmark code.
 */
#ifndef CT_TIMED_RUN_H
#define CT_TIMED_RUN_H

#include <stdint.h>

/*
 * For the benchmarks: run `path` untraced (stdin and stdout /dev/null, stderr to err_fd) and
 * return the milliseconds from its spawn to its reaping, or -errno (-ETIMEDOUT: it ran over
 * timeout_ms and was killed). *status gets its wait status.
 */
__attribute__((visibility("default"))) double ct_time_command(const char *path, const char *const *argv, int err_fd, int32_t timeout_ms, int32_t *status);

#endif
