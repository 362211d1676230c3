// The viewer's line scanner, compiled to WebAssembly (npm run build:wasm) for the parse worker.
// It reads a piece of a trace's decompressed bytes line by line and, for a syscall record in the
// writer's key order, the few fields a span needs, without decoding the bytes to a string: in
// Chromium, decoding 150 MB of JSON lines and scanning the string took two seconds of the
// three a million-event trace took to open. The rules are those of syscall-line-scanner.ts
// (the same lines taken, the same fields read; test/unit/wasm-line-scanner.test.ts holds them
// to it), except that nothing past a line's end is ever read.
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

extern unsigned char __heap_base;

/** Where the caller's buffers may begin: the scanner keeps nothing in linear memory past it. */
EXPORT(heap_base) uint32_t heap_base(void) { return (uint32_t)(uintptr_t)&__heap_base; }

/** One line: 56 bytes, read in JavaScript as 7 float64s or 14 uint32s (line-scan-entry.ts). */
struct entry {
	double t, dur, pid;
	uint32_t start, end;
	uint32_t name_start, name_end, name_hash;
	uint32_t family_start, family_end;
	uint32_t flags;
};
_Static_assert(sizeof(struct entry) == 56, "the entry layout line-scan-entry.ts reads");

enum {
	KIND_BLANK = 0,   // an empty line
	KIND_SYSCALL = 1, // a syscall line read here: the entry holds its fields
	KIND_OTHER = 2,   // any other line: JSON.parse decides
	FLAG_FAILED = 4,
	FLAG_UNFINISHED = 8,
};

/** The trace schema's integers: beyond this they are written as strings of decimal digits. */
#define SAFE 9007199254740991.0
#define NONE UINT32_MAX

struct line {
	const uint8_t *text;
	uint32_t end;
	/** where the last integer_at / plain_string_at stopped */
	uint32_t position;
	uint32_t hash;
};

static inline int byte_at(const struct line *line, uint32_t at) { return at < line->end ? line->text[at] : -1; }

/** `,"K...":` at `at`, K the key's first letter and its colon where the key's length puts it. */
static int key_at(const struct line *line, uint32_t at, const char *key, uint32_t length)
{
	return byte_at(line, at) == ',' && byte_at(line, at + 2) == key[0] && byte_at(line, at + length + 3) == ':';
}

/** An integer at `at`; 0 (and no position) if none, a fraction or exponent, or beyond the safe range. */
static int integer_at(struct line *line, uint32_t at, double *value)
{
	uint32_t i = at;
	int negative = 0;
	if (byte_at(line, i) == '-') {
		negative = 1;
		i++;
	}
	double number = 0;
	uint32_t first = i;
	for (; i < line->end; i++) {
		int c = line->text[i];
		if (c < '0' || c > '9') break;
		number = number * 10 + (c - '0');
	}
	int next = byte_at(line, i);
	if (i == first || next == '.' || next == 'e' || next == 'E' || number > SAFE) return 0;
	line->position = i;
	*value = negative ? -number : number;
	return 1;
}

/** Index just after the string whose opening quote is at `at`, or NONE. */
static uint32_t skip_string(const struct line *line, uint32_t at)
{
	for (uint32_t i = at + 1; i < line->end; i++) {
		int c = line->text[i];
		if (c == '\\') i++;
		else if (c == '"') return i + 1;
	}
	return NONE;
}

/** A string without escapes at `at`: its position after the closing quote, and the hash of its bytes. */
static int plain_string_at(struct line *line, uint32_t at)
{
	if (byte_at(line, at) != '"') return 0;
	uint32_t hash = 0x811c9dc5u;
	for (uint32_t i = at + 1; i < line->end; i++) {
		int c = line->text[i];
		if (c == '\\') return 0;
		if (c == '"') {
			line->position = i + 1;
			line->hash = hash & 0x3fffffff;
			return 1;
		}
		hash = (hash ^ (uint32_t)c) * 0x01000193u;
	}
	return 0;
}

/** Index just after the JSON value at `at`, or NONE. */
static uint32_t skip_value(const struct line *line, uint32_t at)
{
	int first = byte_at(line, at);
	if (first == '"') return skip_string(line, at);
	if (first == '{' || first == '[') {
		int depth = 0;
		for (uint32_t i = at; i < line->end; i++) {
			int c = line->text[i];
			if (c == '"') {
				uint32_t after = skip_string(line, i);
				if (after == NONE) return NONE;
				i = after - 1;
			} else if (c == '{' || c == '[') depth++;
			else if (c == '}' || c == ']') {
				if (--depth == 0) return i + 1;
			}
		}
		return NONE;
	}
	for (uint32_t i = at; i < line->end; i++) {
		int c = line->text[i];
		if (c == ',' || c == '}' || c == ']') return i;
	}
	return NONE;
}

/** The first `needle` wholly inside [from, line end), or NONE. */
static uint32_t find(const struct line *line, uint32_t from, const char *needle, uint32_t length)
{
	if (line->end < length) return NONE;
	for (uint32_t i = from; i + length <= line->end; i++) {
		if (line->text[i] != (uint8_t)needle[0]) continue;
		uint32_t k = 1;
		while (k < length && line->text[i + k] == (uint8_t)needle[k]) k++;
		if (k == length) return i;
	}
	return NONE;
}

static const char PREFIX[] = "{\"type\":\"syscall\",\"t\":";

/** Fills `out` from the line [start, end); 0 if it is not in the expected shape. */
static int scan_syscall(const uint8_t *text, uint32_t start, uint32_t end, struct entry *out)
{
	struct line line = { text, end, 0, 0 };
	const uint32_t prefix = sizeof PREFIX - 1;
	if (end - start < prefix) return 0;
	for (uint32_t i = 0; i < prefix; i++)
		if (text[start + i] != (uint8_t)PREFIX[i]) return 0;
	double t, pid, nr, ret, dur;
	// t, pid and dur are counts in the schema: a negative one goes to JSON.parse and the schema's message
	if (!integer_at(&line, start + prefix, &t) || !(t >= 0) || !key_at(&line, line.position, "pid", 3)) return 0;
	if (!integer_at(&line, line.position + 7, &pid) || !(pid >= 0) || !key_at(&line, line.position, "name", 4)) return 0;
	uint32_t name_start = line.position + 9;
	if (!plain_string_at(&line, line.position + 8) || !key_at(&line, line.position, "nr", 2)) return 0;
	uint32_t name_end = line.position - 1;
	uint32_t name_hash = line.hash;
	if (!integer_at(&line, line.position + 6, &nr) || !key_at(&line, line.position, "args", 4)) return 0;
	uint32_t at = find(&line, line.position + 8, "},\"ret\":", 8);
	if (at == NONE) return 0;
	at += 8;
	int failed = 0;
	if (byte_at(&line, at) == 'n') at += 4;
	else {
		if (!integer_at(&line, at, &ret)) return 0;
		failed = ret < 0;
		at = line.position;
	}
	if (!key_at(&line, at, "err", 3)) return 0;
	at += 7;
	if (byte_at(&line, at) == 'n') at += 4;
	else {
		at = skip_string(&line, at);
		if (at == NONE) return 0;
		failed = 1;
	}
	if (!key_at(&line, at, "dur", 3)) return 0;
	if (!integer_at(&line, at + 7, &dur) || !(dur >= 0) || !key_at(&line, line.position, "raw", 3)) return 0;
	at = find(&line, line.position + 8, "]", 1);
	if (at == NONE) return 0;
	at += 1;
	uint32_t family_start = NONE, family_end = NONE;
	int unfinished = 0;
	// the remaining keys, in any order
	while (byte_at(&line, at) == ',') {
		uint32_t key_end = skip_string(&line, at + 1);
		if (key_end == NONE || byte_at(&line, key_end) != ':') return 0;
		if (key_at(&line, at, "family", 6)) {
			if (!plain_string_at(&line, key_end + 1)) return 0;
			family_start = key_end + 2;
			family_end = line.position - 1;
			at = line.position;
		} else if (key_at(&line, at, "unfinished", 10)) {
			unfinished = byte_at(&line, key_end + 1) == 't';
			at = skip_value(&line, key_end + 1);
		} else at = skip_value(&line, key_end + 1);
		if (at == NONE) return 0;
	}
	if (family_start == NONE || byte_at(&line, at) != '}') return 0;
	out->t = t;
	out->pid = pid;
	out->dur = dur;
	out->name_start = name_start;
	out->name_end = name_end;
	out->name_hash = name_hash;
	out->family_start = family_start;
	out->family_end = family_end;
	out->flags = KIND_SYSCALL | (failed ? FLAG_FAILED : 0) | (unfinished ? FLAG_UNFINISHED : 0);
	return 1;
}

static uint32_t scanned_end;
static uint32_t high_bytes;

/** Where the last scan_lines stopped: just after the last newline it took. */
EXPORT(scanned_to) uint32_t scanned_to(void) { return scanned_end; }

/** Whether the bytes the last scan_lines took hold any but ASCII (the caller then decodes them). */
EXPORT(saw_non_ascii) uint32_t saw_non_ascii(void) { return high_bytes != 0; }

/**
 * The index of the first newline in [from, length), or `length`. `*high` gathers the top bits
 * of the bytes up to and including it (non-zero: a byte that is not ASCII), 16 bytes at a time.
 */
static uint32_t next_newline(const uint8_t *text, uint32_t from, uint32_t length, uint32_t *high)
{
	uint32_t i = from;
	const v128_t newline = wasm_i8x16_splat('\n');
	for (; i + 16 <= length; i += 16) {
		v128_t bytes = wasm_v128_load(text + i);
		uint32_t found = wasm_i8x16_bitmask(wasm_i8x16_eq(bytes, newline));
		uint32_t top = wasm_i8x16_bitmask(bytes);
		if (found) {
			uint32_t lowest = found & -found;
			*high |= top & (lowest | (lowest - 1));
			return i + __builtin_ctz(found);
		}
		*high |= top;
	}
	for (; i < length; i++) {
		*high |= text[i] & 0x80;
		if (text[i] == '\n') return i;
	}
	return length;
}

/**
 * Scans the whole lines of text[0, length) into out[0, capacity): each line's entry, in order.
 * Returns the count; scanned_to() says where the lines taken end (what follows, a line not yet
 * ended or lines past the capacity, is for the next call).
 */
EXPORT(scan_lines) uint32_t scan_lines(const uint8_t *text, uint32_t length, struct entry *out, uint32_t capacity)
{
	uint32_t count = 0, start = 0, high = 0;
	while (count < capacity) {
		uint32_t line_high = 0;
		uint32_t newline = next_newline(text, start, length, &line_high);
		if (newline >= length) break; // a line not yet ended: its bytes are not counted
		high |= line_high;
		uint32_t end = newline;
		if (end > start && text[end - 1] == '\r') end--;
		struct entry *entry = &out[count++];
		entry->start = start;
		entry->end = end;
		if (end == start) entry->flags = KIND_BLANK;
		else if (!scan_syscall(text, start, end, entry)) entry->flags = KIND_OTHER;
		start = newline + 1;
	}
	scanned_end = start;
	high_bytes = high;
	return count;
}
