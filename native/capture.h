/* Copying syscall arguments out of a tracee, as the capture table asks. */
#ifndef CTTRACE_CAPTURE_H
#define CTTRACE_CAPTURE_H

#include "tasks.h"
#include <stdint.h>

enum { CT_CAPTURE_AT_ENTRY = 0, CT_CAPTURE_AT_EXIT = 1 };

/* Append the blobs that `row` asks for at this point of the syscall to the task's blob buffer. */
void ct_capture_arguments(struct ct_task_state *task, const uint8_t *row, int when, int64_t ret);
void ct_capture_reset(struct ct_task_state *task);
/* Room for `size` more bytes in the task's blob buffer (NULL: out of memory). */
uint8_t *ct_capture_room(struct ct_task_state *task, size_t size);
/* The string captured for argument `arg` of the call in flight, or NULL. */
const char *ct_capture_string(const struct ct_task_state *task, int arg);
/* Copy the first `size` bytes captured for argument `arg` into `into`; 0, or -1 when fewer were. */
int ct_capture_prefix(const struct ct_task_state *task, int arg, void *into, size_t size);

#endif
