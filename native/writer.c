#include "writer.h"
#include "event.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { WRITER_CAPACITY = 1 << 18, WRITER_FLUSH_AT = 3 << 16 };

int ct_writer_open(struct ct_writer *w, int fd)
{
	w->fd = fd;
	w->failed = 0;
	w->length = 0;
	w->capacity = WRITER_CAPACITY;
	w->buffer = malloc(w->capacity);
	return w->buffer ? 0 : -ENOMEM;
}

void ct_writer_close(struct ct_writer *w)
{
	ct_writer_flush(w);
	free(w->buffer);
	w->buffer = NULL;
	close(w->fd);
	w->fd = -1;
}

void ct_writer_flush(struct ct_writer *w)
{
	size_t done = 0;
	while (done < w->length && !w->failed) {
		ssize_t n = write(w->fd, w->buffer + done, w->length - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->failed = errno;
			break;
		}
		done += (size_t)n;
	}
	w->length = 0;
}

/* Room for a record of `size` bytes: where to build it (NULL on failure). */
static uint8_t *reserve(struct ct_writer *w, size_t size)
{
	if (w->length + size > w->capacity) {
		ct_writer_flush(w);
		if (size > w->capacity) {
			uint8_t *bigger = realloc(w->buffer, size);
			if (!bigger)
				return NULL;
			w->buffer = bigger;
			w->capacity = size;
		}
	}
	return w->buffer + w->length;
}

static void commit(struct ct_writer *w, size_t size)
{
	w->length += size;
	if (w->length >= WRITER_FLUSH_AT)
		ct_writer_flush(w);
}

void ct_writer_record(struct ct_writer *w, uint16_t type, int32_t tid, uint64_t time_ns,
		      const void *payload, size_t payload_size, const void *tail, size_t tail_size)
{
	size_t size = sizeof(struct ct_record_header) + payload_size + tail_size;
	uint8_t *at = reserve(w, size);
	if (!at)
		return;
	if (w->length == 0)
		w->oldest_ns = time_ns;
	struct ct_record_header header = {
		.length = (uint32_t)size, .type = type, .tid = tid, .time_ns = time_ns,
	};
	memcpy(at, &header, sizeof header);
	memcpy(at + sizeof header, payload, payload_size);
	if (tail_size)
		memcpy(at + sizeof header + payload_size, tail, tail_size);
	commit(w, size);
}
