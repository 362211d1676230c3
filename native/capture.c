#include "capture.h"
#include "event.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <unistd.h>

enum {
	STRING_MAX = 4096,   /* PATH_MAX: a path is never cut */
	STRINGS_MAX = 32768, /* argv/envp bytes kept */
	STRINGS_COUNT_MAX = 4096,
	BYTES_MAX = 256,     /* write buffers: enough for cgroup files */
	OUT_OF_ARG_BYTES = 16, /* CT_CAPTURE_OUT_OF_ARG: a task name, an int, a small struct */
	PAGE = 4096,
};

static ssize_t read_memory(pid_t tid, uint64_t address, void *into, size_t size)
{
	struct iovec local = { into, size };
	struct iovec remote = { (void *)(uintptr_t)address, size };
	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

uint8_t *ct_capture_room(struct ct_task_state *t, size_t size)
{
	if (t->blobs_length + size > t->blobs_capacity) {
		size_t capacity = t->blobs_capacity ? t->blobs_capacity : 1024;
		while (capacity < t->blobs_length + size)
			capacity *= 2;
		uint8_t *bigger = realloc(t->blobs, capacity);
		if (!bigger)
			return NULL;
		t->blobs = bigger;
		t->blobs_capacity = capacity;
	}
	return t->blobs + t->blobs_length;
}

/* Start a blob; its data is appended after the header by the callers. */
static struct ct_blob *begin_blob(struct ct_task_state *t, int arg, int kind)
{
	uint8_t *at = ct_capture_room(t, sizeof(struct ct_blob));
	if (!at)
		return NULL;
	struct ct_blob blob = { .arg = (uint8_t)arg, .kind = (uint8_t)kind };
	memcpy(at, &blob, sizeof blob);
	t->blobs_length += sizeof blob;
	t->blob_count++;
	return (struct ct_blob *)(void *)at;
}

static void finish_blob(struct ct_task_state *t, size_t header_offset, uint32_t length, uint8_t flags)
{
	struct ct_blob blob;
	memcpy(&blob, t->blobs + header_offset, sizeof blob);
	blob.length = length;
	blob.flags = flags;
	memcpy(t->blobs + header_offset, &blob, sizeof blob);
}

/*
 * Read a NUL-terminated string page by page (a read across an unmapped page
 * boundary would fail as a whole). Appends the bytes and the NUL; returns the
 * length appended, or -1 on fault.
 */
static ssize_t append_string(struct ct_task_state *t, pid_t tid, uint64_t address, size_t limit, int *truncated)
{
	size_t copied = 0;
	*truncated = 0;
	while (copied < limit) {
		size_t chunk = PAGE - ((address + copied) % PAGE);
		if (chunk > limit - copied)
			chunk = limit - copied;
		uint8_t *at = ct_capture_room(t, chunk + 1);
		if (!at)
			return -1;
		ssize_t n = read_memory(tid, address + copied, at, chunk);
		if (n <= 0)
			return -1;
		uint8_t *nul = memchr(at, '\0', (size_t)n);
		if (nul) {
			size_t length = (size_t)(nul - at) + 1;
			t->blobs_length += length;
			return (ssize_t)(copied + length);
		}
		t->blobs_length += (size_t)n;
		copied += (size_t)n;
	}
	*truncated = 1;
	uint8_t *end = ct_capture_room(t, 1);
	if (!end)
		return -1;
	*end = '\0';
	t->blobs_length++;
	return (ssize_t)copied + 1;
}

static void capture_string(struct ct_task_state *t, int arg, uint64_t address)
{
	if (!address)
		return;
	size_t offset = t->blobs_length;
	if (!begin_blob(t, arg, CT_CAPTURE_STRING))
		return;
	int truncated;
	ssize_t n = append_string(t, t->tid, address, STRING_MAX, &truncated);
	if (n < 0) {
		t->blobs_length = offset + sizeof(struct ct_blob);
		finish_blob(t, offset, 0, CT_BLOB_FAULT);
		return;
	}
	finish_blob(t, offset, (uint32_t)n, truncated ? CT_BLOB_TRUNCATED : 0);
}

/* Append one string already copied to `prefix` (`got` bytes of it) if its NUL is there, else
 * read it again whole. Returns the length appended (NUL included) or -1 on fault. */
static ssize_t append_prefetched(struct ct_task_state *t, uint64_t address, const uint8_t *prefix, size_t got, size_t limit,
				 int *truncated)
{
	const uint8_t *nul = got ? memchr(prefix, '\0', got < limit ? got : limit) : NULL;
	if (!nul)
		return append_string(t, t->tid, address, limit, truncated);
	size_t length = (size_t)(nul - prefix) + 1;
	uint8_t *at = ct_capture_room(t, length);
	if (!at)
		return -1;
	memcpy(at, prefix, length);
	t->blobs_length += length;
	*truncated = 0;
	return (ssize_t)length;
}

/*
 * argv/envp: the pointer array a page at a time, and the strings it points to in the same
 * batch with one process_vm_readv (each string's first PREFETCH bytes, to its page's end);
 * a string longer than that is read again by itself. An execve's argv costs two or three
 * copies instead of one per pointer and one per string.
 */
static void capture_strings(struct ct_task_state *t, int arg, uint64_t address)
{
	enum { BATCH = 64, PREFETCH = 128 };
	if (!address)
		return;
	size_t offset = t->blobs_length;
	if (!begin_blob(t, arg, CT_CAPTURE_STRINGS))
		return;
	size_t total = 0;
	uint8_t flags = 0;
	unsigned index = 0;
	uint64_t pointers[BATCH];
	uint8_t prefetched[BATCH][PREFETCH];
	struct iovec local[BATCH], remote[BATCH];
	for (;;) {
		uint64_t at = address + (uint64_t)index * sizeof(uint64_t);
		size_t fit = (PAGE - at % PAGE) / sizeof(uint64_t);
		size_t want = fit == 0 ? 1 : fit < BATCH ? fit : BATCH;
		ssize_t n = read_memory(t->tid, at, pointers, want * sizeof(uint64_t));
		if (n < (ssize_t)sizeof(uint64_t)) {
			flags |= CT_BLOB_FAULT;
			break;
		}
		size_t count = (size_t)n / sizeof(uint64_t), strings = 0;
		while (strings < count && pointers[strings])
			strings++;
		for (size_t i = 0; i < strings; i++) {
			size_t room = PAGE - pointers[i] % PAGE;
			remote[i] = (struct iovec){ (void *)(uintptr_t)pointers[i], room < PREFETCH ? room : PREFETCH };
			local[i] = (struct iovec){ prefetched[i], remote[i].iov_len };
		}
		/* A fault stops the copy there: the strings after it are read one by one. */
		ssize_t copied = strings ? process_vm_readv(t->tid, local, strings, remote, strings, 0) : 0;
		size_t left = copied > 0 ? (size_t)copied : 0;
		int done = 0;
		for (size_t i = 0; i < strings; i++, index++) {
			size_t got = left < local[i].iov_len ? left : local[i].iov_len;
			left -= got;
			if (index >= STRINGS_COUNT_MAX || total >= STRINGS_MAX) {
				flags |= CT_BLOB_TRUNCATED;
				done = 1;
				break;
			}
			int truncated;
			ssize_t length = append_prefetched(t, pointers[i], prefetched[i], got, STRINGS_MAX - total, &truncated);
			if (length < 0) {
				flags |= CT_BLOB_FAULT;
				done = 1;
				break;
			}
			total += (size_t)length;
			if (truncated) {
				flags |= CT_BLOB_TRUNCATED;
				done = 1;
				break;
			}
		}
		if (done || strings < count)
			break; /* the NULL that ends the array was in this batch */
		if (index >= STRINGS_COUNT_MAX) {
			flags |= CT_BLOB_TRUNCATED;
			break;
		}
	}
	finish_blob(t, offset, (uint32_t)total, flags);
}

/*
 * How many entries a NULL-terminated pointer array holds, without copying what they point to:
 * execve's envp is shown as an address and a count of vars, as strace shows it, unless --env asks
 * for its strings.
 */
static void capture_pointer_count(struct ct_task_state *t, int arg, uint64_t address)
{
	enum { BATCH = PAGE / sizeof(uint64_t) };
	if (!address)
		return;
	size_t offset = t->blobs_length;
	if (!begin_blob(t, arg, CT_CAPTURE_POINTER_COUNT))
		return;
	uint64_t pointers[BATCH];
	uint32_t count = 0;
	uint8_t flags = 0;
	for (;;) {
		uint64_t at = address + (uint64_t)count * sizeof(uint64_t);
		size_t fit = (PAGE - at % PAGE) / sizeof(uint64_t);
		ssize_t n = read_memory(t->tid, at, pointers, (fit ? fit : 1) * sizeof(uint64_t));
		if (n < (ssize_t)sizeof(uint64_t)) {
			finish_blob(t, offset, 0, CT_BLOB_FAULT);
			return;
		}
		size_t got = (size_t)n / sizeof(uint64_t), i = 0;
		while (i < got && pointers[i])
			i++;
		count += (uint32_t)i;
		if (i < got)
			break;
		if (count >= STRINGS_COUNT_MAX * 16) {
			flags |= CT_BLOB_TRUNCATED;
			break;
		}
	}
	uint8_t *room = ct_capture_room(t, sizeof count);
	if (!room) {
		finish_blob(t, offset, 0, CT_BLOB_FAULT);
		return;
	}
	memcpy(room, &count, sizeof count);
	t->blobs_length += sizeof count;
	finish_blob(t, offset, sizeof count, flags);
}

static void capture_bytes(struct ct_task_state *t, int arg, int kind, uint64_t address, size_t size, size_t limit)
{
	if (!address)
		return;
	size_t offset = t->blobs_length;
	if (!begin_blob(t, arg, kind))
		return;
	uint8_t flags = 0;
	if (size > limit) {
		size = limit;
		flags |= CT_BLOB_TRUNCATED;
	}
	uint8_t *at = ct_capture_room(t, size);
	ssize_t n = at ? read_memory(t->tid, address, at, size) : -1;
	if (n < 0) {
		finish_blob(t, offset, 0, CT_BLOB_FAULT);
		return;
	}
	t->blobs_length += (size_t)n;
	finish_blob(t, offset, (uint32_t)n, flags);
}

/* Bytes at `address`, page by page, appended to the blob being made: how many were read before a
 * fault (a read across an unmapped page boundary would fail as a whole). */
static size_t append_readable(struct ct_task_state *t, uint64_t address, size_t size)
{
	size_t copied = 0;
	while (copied < size) {
		size_t chunk = PAGE - ((address + copied) % PAGE);
		if (chunk > size - copied)
			chunk = size - copied;
		uint8_t *at = ct_capture_room(t, chunk);
		if (!at || read_memory(t->tid, address + copied, at, chunk) != (ssize_t)chunk)
			break;
		t->blobs_length += chunk;
		copied += chunk;
	}
	return copied;
}

/* struct sock_fprog and the instructions it points to (CT_CAPTURE_FPROG): FAULT and no bytes when
 * the struct is unreadable; FAULT after the struct and the instructions read when some are not. */
static void capture_fprog(struct ct_task_state *t, int arg, uint64_t address)
{
	struct { uint16_t len; uint16_t pad[3]; uint64_t filter; } fprog;
	if (!address)
		return;
	size_t offset = t->blobs_length;
	if (!begin_blob(t, arg, CT_CAPTURE_FPROG))
		return;
	uint8_t *at = ct_capture_room(t, sizeof fprog);
	if (!at || read_memory(t->tid, address, &fprog, sizeof fprog) != (ssize_t)sizeof fprog) {
		finish_blob(t, offset, 0, CT_BLOB_FAULT);
		return;
	}
	memcpy(at, &fprog, sizeof fprog);
	t->blobs_length += sizeof fprog;
	size_t count = fprog.len < CT_FPROG_MAX_INSNS ? fprog.len : CT_FPROG_MAX_INSNS;
	size_t wanted = fprog.filter ? count * 8 : 0;
	size_t got = append_readable(t, fprog.filter, wanted);
	finish_blob(t, offset, (uint32_t)(sizeof fprog + got), got < wanted ? CT_BLOB_FAULT : 0);
}

/* The working directory of the task, for a directory fd argument that is AT_FDCWD. */
static void capture_cwd(struct ct_task_state *t, int arg)
{
	char link[64];
	snprintf(link, sizeof link, "/proc/%d/cwd", (int)t->tid);
	size_t offset = t->blobs_length;
	if (!begin_blob(t, arg, CT_CAPTURE_CWD))
		return;
	uint8_t *at = ct_capture_room(t, STRING_MAX + 1);
	ssize_t n = at ? readlink(link, (char *)at, STRING_MAX) : -1;
	if (n < 0) {
		finish_blob(t, offset, 0, CT_BLOB_FAULT);
		return;
	}
	at[n] = '\0';
	t->blobs_length += (size_t)n + 1;
	finish_blob(t, offset, (uint32_t)n + 1, n == STRING_MAX ? CT_BLOB_TRUNCATED : 0);
}

void ct_capture_reset(struct ct_task_state *task)
{
	task->blobs_length = 0;
	task->blob_count = 0;
	task->strings_blob = 0;
}

void ct_capture_arguments(struct ct_task_state *t, const uint8_t *row, int when, int64_t ret)
{
	for (int arg = 0; arg < 6; arg++) {
		int kind = row[arg] & 0x0f;
		int parameter = row[arg] >> 4;
		uint64_t address = t->args[arg];
		if (kind == CT_CAPTURE_NONE)
			continue;
		if (when == CT_CAPTURE_AT_EXIT) {
			if (kind == CT_CAPTURE_OUT_FIXED && ret >= 0)
				capture_bytes(t, arg, kind, address, (size_t)parameter * 4, BYTES_MAX);
			else if (kind == CT_CAPTURE_OUT_STRUCT && ret >= 0)
				capture_bytes(t, arg, kind, address, (size_t)parameter * 16, BYTES_MAX);
			else if (kind == CT_CAPTURE_OUT_OF_ARG && ret >= 0 && parameter < 6)
				capture_bytes(t, parameter, kind, t->args[parameter], OUT_OF_ARG_BYTES, BYTES_MAX);
			continue;
		}
		switch (kind) {
		case CT_CAPTURE_STRING:
			capture_string(t, arg, address);
			break;
		case CT_CAPTURE_STRINGS:
			capture_strings(t, arg, address);
			break;
		case CT_CAPTURE_POINTER_COUNT:
			capture_pointer_count(t, arg, address);
			break;
		case CT_CAPTURE_BYTES_ARG:
			capture_bytes(t, arg, kind, address, parameter < 6 ? (size_t)t->args[parameter] : 0, BYTES_MAX);
			break;
		case CT_CAPTURE_INTS_ARG:
			capture_bytes(t, arg, kind, address, parameter < 6 ? (size_t)t->args[parameter] * 4 : 0, BYTES_MAX);
			break;
		case CT_CAPTURE_FIXED:
			capture_bytes(t, arg, kind, address, (size_t)parameter * 8, BYTES_MAX);
			break;
		case CT_CAPTURE_FPROG:
			capture_fprog(t, arg, address);
			break;
		case CT_CAPTURE_CWD:
			if ((int32_t)address == AT_FDCWD)
				capture_cwd(t, arg);
			break;
		}
	}
}

/* Where the data captured for argument `arg` of the call in flight starts, unless its copy
 * faulted: NULL, or the data with its header copied to *found. */
static const uint8_t *find_blob(const struct ct_task_state *t, int arg, int kind, struct ct_blob *found)
{
	size_t at = 0;
	for (uint16_t i = 0; i < t->blob_count && at + sizeof *found <= t->blobs_length; i++) {
		memcpy(found, t->blobs + at, sizeof *found);
		if (found->arg == arg && found->kind == kind && !(found->flags & CT_BLOB_FAULT))
			return t->blobs + at + sizeof *found;
		at += sizeof *found + found->length;
	}
	return NULL;
}

const char *ct_capture_string(const struct ct_task_state *t, int arg)
{
	struct ct_blob blob;
	const uint8_t *data = find_blob(t, arg, CT_CAPTURE_STRING, &blob);
	return data && blob.length > 0 ? (const char *)data : NULL; /* NUL-terminated by append_string */
}

int ct_capture_prefix(const struct ct_task_state *t, int arg, void *into, size_t size)
{
	struct ct_blob blob;
	const uint8_t *data = find_blob(t, arg, CT_CAPTURE_BYTES_ARG, &blob);
	if (!data || blob.length < size)
		return -1;
	memcpy(into, data, size);
	return 0;
}
