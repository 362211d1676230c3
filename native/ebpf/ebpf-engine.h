/*
 * The eBPF backend's public entry points, called from TypeScript through koffi beside the ptrace
 * engine's (engine.h), with the same arguments and the same records on out_fd.
 */
#ifndef CTTRACE_EBPF_ENGINE_H
#define CTTRACE_EBPF_ENGINE_H

#include "../engine.h"

/* As ct_trace_command, followed in the kernel: the command is never stopped. When eBPF cannot run
 * here, out_fd gets an ERROR record saying why and the call returns a negative errno. */
CT_EXPORT int ct_ebpf_trace_command(const char *path, const char *const *argv, int out_fd, uint32_t options,
				    const uint8_t *capture_table, const uint8_t *syscall_bitmap);
/* As ct_trace_attach: the processes (their threads and the children they make) are followed
 * without being stopped, until they are gone or ct_ebpf_request_stop() is called. */
CT_EXPORT int ct_ebpf_trace_attach(const int32_t *pids, int32_t pid_count, int out_fd, uint32_t options,
				   const uint8_t *capture_table, const uint8_t *syscall_bitmap);
/* cttrace watch: follow every container started on the host from now on (every task that makes
 * a new pid namespace, every runtime a containerd shim starts, and all they spawn), without
 * attaching to any daemon, until ct_ebpf_request_stop() is called. Returns 0 or -errno. */
CT_EXPORT int ct_ebpf_watch(int out_fd, uint32_t options, const uint8_t *capture_table, const uint8_t *syscall_bitmap);
CT_EXPORT void ct_ebpf_request_stop(void);

#endif
