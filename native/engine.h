/*
 * The ptrace engine's public entry points, called from TypeScript through koffi.
 * A session runs on one thread (a libuv worker) from start to end: every
 * ptrace call of the session comes from that thread, as ptrace requires.
 */
#ifndef CTTRACE_ENGINE_H
#define CTTRACE_ENGINE_H

#include <stdint.h>

#define CT_EXPORT __attribute__((visibility("default")))

/* Options for a session, bits of `options`. */
enum ct_options {
	CT_OPT_TRACE_ALL = 1, /* stop at every syscall (PTRACE_SYSCALL), no seccomp prefilter */
	CT_OPT_PIN_TRACER = 2, /* keep the engine thread on one CPU (what it starts is not pinned) */
};

/*
 * Start `path` with `argv` (environment inherited), traced with -f semantics,
 * until the last tracee is gone. Records go to out_fd, which the session
 * closes when it ends. capture_table has CT_CAPTURE_ROW bytes per syscall
 * number up to CT_MAX_SYSCALL; syscall_bitmap has CT_MAX_SYSCALL bits: the
 * syscalls the prefilter reports. Returns the first tracee's exit code (128 +
 * signal when killed), or a negative errno when the session could not start.
 */
CT_EXPORT int ct_trace_command(const char *path, const char *const *argv, int out_fd, uint32_t options,
		     const uint8_t *capture_table, const uint8_t *syscall_bitmap);

/*
 * Seize the processes `pids` (all their threads), follow their children, until
 * they are all gone or ct_request_stop() is called; then detach, leaving them
 * running. Syscalls outside syscall_bitmap are stepped over but not recorded.
 * Returns 0, or a negative errno when a pid could not be seized.
 */
CT_EXPORT int ct_trace_attach(const int32_t *pids, int32_t pid_count, int out_fd, uint32_t options,
		    const uint8_t *capture_table, const uint8_t *syscall_bitmap);

/*
 * Ask the running session to end: tracees it started are killed, attached
 * ones are detached. Callable from any thread; call again until the session
 * returns (a request can race with the engine entering wait).
 */
CT_EXPORT void ct_request_stop(void);

/* A pipe for the record stream: fds[0] to read, fds[1] for the engine. Both close-on-exec. */
CT_EXPORT int ct_make_pipe(int32_t *fds);

#endif
