/* Batched output of protocol records: the tracee never waits longer than one write. */
#ifndef CTTRACE_WRITER_H
#define CTTRACE_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct ct_writer {
	int fd;
	int failed; /* errno of the first failed write; the session ends when set */
	uint8_t *buffer;
	size_t length;
	size_t capacity;
	uint64_t oldest_ns; /* time of the first record in the buffer */
};

int ct_writer_open(struct ct_writer *w, int fd);
void ct_writer_close(struct ct_writer *w);
/* Append a record; `tail` (may be NULL) follows the fixed payload. */
void ct_writer_record(struct ct_writer *w, uint16_t type, int32_t tid, uint64_t time_ns,
		      const void *payload, size_t payload_size, const void *tail, size_t tail_size);
void ct_writer_flush(struct ct_writer *w);

#endif
