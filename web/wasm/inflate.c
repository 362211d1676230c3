// A streaming gzip (RFC 1952) inflater over raw deflate (RFC 1951), compiled to WebAssembly
// (npm run build:wasm) for the viewer's loader: in Chromium, DecompressionStream cost a second
// of CPU and half a second of promises and copies for a million-event trace. Here compressed
// bytes are copied into an input buffer (input_tail / input_commit), and each run() decodes into
// an output window (32 KiB of history for back-references, then 1 MiB of new output) that the
// caller reads between output_start() and output_end() before the next call.
//
// Input may be cut anywhere: every wait is for bits that are really missing. Symbols are decoded
// whole or not at all (the bit buffer keeps the rest); a dynamic block's header is decoded from
// a copy of the reader and dropped if the input runs out in it; stored blocks are copied
// piecewise; the gzip header is read byte by byte. Errors are sticky negative codes
// (gzip-inflater.ts names them); nothing traps or loops on bad input.
#include <stdint.h>
#include <wasm_simd128.h>
#include "freestanding.h"
#include "crc32.h"
#include "huffman.h"

#define EXPORT(name) __attribute__((export_name(#name)))

enum status {
	NEED_INPUT = 0,  // no output can be made from the input there is
	OUTPUT_FULL = 1, // the window is full: read the output and call again
	FINISHED = 2,    // the last member ended and the input is final and consumed
};

enum error {
	ERR_NOT_GZIP = -1,          // the first two bytes are not 1f 8b
	ERR_METHOD = -2,            // a compression method other than deflate (8)
	ERR_HEADER_FLAGS = -3,      // reserved header flags set
	ERR_HEADER_CRC = -4,        // FHCRC does not match the header
	ERR_BLOCK_TYPE = -5,        // block type 3
	ERR_STORED_LENGTH = -6,     // LEN and NLEN of a stored block disagree
	ERR_TOO_MANY_CODES = -7,    // HLIT > 286 or HDIST > 30
	ERR_OVERSUBSCRIBED = -8,    // code lengths that no prefix code has
	ERR_INCOMPLETE = -9,        // code lengths that leave codes unused (beyond one code of one bit)
	ERR_REPEAT = -10,           // a code length repeat with nothing before it or past the end
	ERR_NO_END_OF_BLOCK = -11,  // the literal/length code has no end-of-block symbol
	ERR_INVALID_SYMBOL = -12,   // a code that is unused, or symbols 286/287, distance 30/31
	ERR_DISTANCE = -13,         // a distance before the start of the member's output
	ERR_CRC = -14,              // the trailer's CRC-32 is not that of the output
	ERR_SIZE = -15,             // the trailer's ISIZE is not the output's length
	ERR_TRUNCATED = -16,        // the input ended before a member's trailer
	ERR_TRAILING = -17,         // bytes after a member that are not another gzip member
};

#define HISTORY 32768
#define OUTPUT_CAPACITY (1 << 20)
/** the fast loop writes up to 16 bytes past a match's or literal's end */
#define OUTPUT_SLOP 64
#define INPUT_CAPACITY (256 * 1024)
/** a longest match */
#define MAX_MATCH 258

enum state {
	ST_HEADER,         // the gzip header, byte by byte (header_step says where)
	ST_BLOCK_HEADER,   // BFINAL, BTYPE and what follows them
	ST_STORED,         // copying a stored block (stored_left bytes left)
	ST_HUFFMAN,        // symbols of a fixed or dynamic block
	ST_TRAILER,        // CRC-32 and ISIZE
	ST_BETWEEN,        // a member ended: the input ends here or another member starts
	ST_ERROR,
};

/** What a step of run() did: errors are negative. */
enum step {
	STEP_WAIT = 0, // short of input
	STEP_NEXT = 1, // done: go on in the next state
	STEP_FULL = 2, // the output window is full
};

enum header_step { H_FIXED, H_EXTRA_LENGTH, H_EXTRA, H_NAME, H_COMMENT, H_CRC, H_DONE };

enum { FTEXT = 1, FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16 };

static uint8_t input[INPUT_CAPACITY + 16];
static uint8_t window[HISTORY + OUTPUT_CAPACITY + OUTPUT_SLOP];
static uint32_t litlen_table[LITLEN_TABLE_SIZE];
static uint32_t dist_table[DIST_TABLE_SIZE];
static uint32_t codelen_table[1 << CODELEN_BITS];

static struct {
	int initialized;
	enum state state;
	int error;
	int final_input;     // no input will follow what the buffer holds
	int members;         // members that ended cleanly
	uint32_t in_start;   // unconsumed input: input[in_start, in_end)
	uint32_t in_end;
	uint64_t bitbuf;     // fewer than 8 bits between calls (whole bytes go back to the input)
	uint32_t bitcount;
	uint32_t out;        // the next output byte: window[out]
	uint32_t run_start;  // this run's output: window[run_start, out)
	uint32_t crc_from;   // output not yet in the CRC: window[crc_from, out)
	uint32_t member_from; // where this member's output starts in the window (0 once slid past)
	uint32_t crc;
	uint32_t size;       // the member's output length, modulo 2^32
	int last_block;
	int fixed_block;
	uint32_t stored_left;
	enum header_step header_step;
	uint32_t header_flags;
	uint32_t header_crc;  // CRC-32 of the header bytes read
	uint32_t header_have; // bytes of the current header field read
	uint32_t header_need; // bytes of FEXTRA left
	uint8_t header_bytes[10];
} s;

// ---- a careful bit reader: for headers and near the ends of the buffers ----

struct reader {
	uint32_t at, end;
	uint64_t buf;
	uint32_t count;
};

/** At least `n` bits in the buffer (n <= 56); 0 if the input runs out first. */
static int have_bits(struct reader *r, uint32_t n)
{
	r->buf = low_bits(r->buf, r->count);
	while (r->count < n) {
		if (r->at == r->end) return 0;
		r->buf |= (uint64_t)input[r->at++] << r->count;
		r->count += 8;
	}
	return 1;
}

/** Whole bytes into the buffer while it holds fewer than 56 bits (at most 63: low_bits needs n < 64). */
static void fill_bits(struct reader *r)
{
	r->buf = low_bits(r->buf, r->count);
	while (r->count < 56 && r->at < r->end) {
		r->buf |= (uint64_t)input[r->at++] << r->count;
		r->count += 8;
	}
}

static inline void drop_bits(struct reader *r, uint32_t n)
{
	r->buf >>= n;
	r->count -= n;
}

/** A symbol through `table`: 1 and *entry, 0 when its bits are not all there (nothing consumed). */
static int read_symbol(struct reader *r, const uint32_t *table, uint32_t bits, uint32_t *entry)
{
	fill_bits(r);
	uint64_t b = low_bits(r->buf, r->count);
	uint32_t e = table[b & ((1u << bits) - 1)];
	uint32_t n = ENTRY_BITS(e);
	if (ENTRY_KIND(e) == KIND_SUBTABLE) {
		e = table[ENTRY_VALUE(e) + ((b >> bits) & ((1u << ENTRY_EXTRA(e)) - 1))];
		n = bits + ENTRY_BITS(e);
	}
	if (n > r->count) return 0;
	drop_bits(r, n);
	*entry = e;
	return 1;
}

static struct reader reader_now(void) { return (struct reader){s.in_start, s.in_end, s.bitbuf, s.bitcount}; }

static void reader_keep(const struct reader *r)
{
	s.in_start = r->at;
	s.bitbuf = r->buf;
	s.bitcount = r->count;
}

/** Whole bytes of the bit buffer go back to the input, so the input buffer can be compacted. */
static void give_back_bytes(void)
{
	s.in_start -= s.bitcount >> 3;
	s.bitcount &= 7;
	s.bitbuf = low_bits(s.bitbuf, s.bitcount);
}

// ---- the gzip header and trailer ----

static int fail(int error)
{
	s.state = ST_ERROR;
	s.error = error;
	return error;
}

static int header_byte(uint8_t *byte)
{
	if (s.in_start == s.in_end) return 0;
	*byte = input[s.in_start++];
	s.header_crc = crc_update(s.header_crc, byte, 1);
	return 1;
}

/** Reads the header as far as the input goes: STEP_NEXT, STEP_WAIT or an error. */
static int read_header(void)
{
	uint8_t b;
	for (;;) {
		switch (s.header_step) {
		case H_FIXED:
			while (s.header_have < 10) {
				if (!header_byte(&b)) return STEP_WAIT;
				s.header_bytes[s.header_have++] = b;
				if ((s.header_have == 1 && b != 0x1f) || (s.header_have == 2 && b != 0x8b))
					return fail(s.members ? ERR_TRAILING : ERR_NOT_GZIP);
				if (s.header_have == 3 && b != 8) return fail(ERR_METHOD);
				if (s.header_have == 4 && (b & 0xe0)) return fail(ERR_HEADER_FLAGS);
			}
			s.header_flags = s.header_bytes[3];
			s.header_have = 0;
			s.header_step = H_EXTRA_LENGTH;
			break;
		case H_EXTRA_LENGTH:
			if (s.header_flags & FEXTRA) {
				while (s.header_have < 2) {
					if (!header_byte(&b)) return STEP_WAIT;
					s.header_bytes[s.header_have++] = b;
				}
				s.header_need = s.header_bytes[0] | (uint32_t)s.header_bytes[1] << 8;
			}
			s.header_step = H_EXTRA;
			break;
		case H_EXTRA:
			if (s.header_flags & FEXTRA) {
				while (s.header_need > 0) {
					if (!header_byte(&b)) return STEP_WAIT;
					s.header_need--;
				}
			}
			s.header_step = H_NAME;
			break;
		case H_NAME:
		case H_COMMENT:
			if (s.header_flags & (s.header_step == H_NAME ? FNAME : FCOMMENT)) {
				do {
					if (!header_byte(&b)) return STEP_WAIT;
				} while (b != 0);
			}
			s.header_step = s.header_step == H_NAME ? H_COMMENT : H_CRC;
			s.header_have = 0;
			break;
		case H_CRC:
			if (s.header_flags & FHCRC) {
				uint32_t expected = s.header_crc & 0xffff;
				while (s.header_have < 2) {
					if (s.in_start == s.in_end) return STEP_WAIT;
					s.header_bytes[s.header_have++] = input[s.in_start++];
				}
				if ((s.header_bytes[0] | (uint32_t)s.header_bytes[1] << 8) != expected) return fail(ERR_HEADER_CRC);
			}
			s.header_step = H_DONE;
			break;
		case H_DONE:
			return STEP_NEXT;
		}
	}
}

static void member_start(void)
{
	s.state = ST_HEADER;
	s.header_step = H_FIXED;
	s.header_have = 0;
	s.header_crc = 0;
	s.crc = 0;
	s.size = 0;
	s.last_block = 0;
	s.member_from = s.out;
	s.crc_from = s.out;
}

static void crc_output(void)
{
	s.crc = crc_update(s.crc, window + s.crc_from, s.out - s.crc_from);
	s.size += s.out - s.crc_from;
	s.crc_from = s.out;
}

/** The trailer, once its 8 bytes are there: STEP_NEXT, STEP_WAIT or an error. */
static int read_trailer(void)
{
	if (s.in_end - s.in_start < 8) return STEP_WAIT;
	const uint8_t *t = input + s.in_start;
	uint32_t crc = t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
	uint32_t size = t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
	s.in_start += 8;
	crc_output();
	if (crc != s.crc) return fail(ERR_CRC);
	if (size != s.size) return fail(ERR_SIZE);
	s.members++;
	s.state = ST_BETWEEN;
	return STEP_NEXT;
}

// ---- block headers ----

static int table_error(enum table_result result)
{
	switch (result) {
	case TABLE_OK:
		return 0;
	case TABLE_OVERSUBSCRIBED:
		return ERR_OVERSUBSCRIBED;
	case TABLE_INCOMPLETE:
		return ERR_INCOMPLETE;
	}
	return ERR_INCOMPLETE;
}

/** A dynamic block's code lengths and tables, all from `r`: STEP_NEXT, STEP_WAIT (short of input) or an error. */
static int read_dynamic_tables(struct reader *r)
{
	if (!have_bits(r, 14)) return STEP_WAIT;
	uint32_t hlit = (uint32_t)low_bits(r->buf, 5) + 257;
	uint32_t hdist = (uint32_t)low_bits(r->buf >> 5, 5) + 1;
	uint32_t hclen = (uint32_t)low_bits(r->buf >> 10, 4) + 4;
	drop_bits(r, 14);
	if (hlit > 286 || hdist > 30) return ERR_TOO_MANY_CODES;
	uint8_t lengths[288 + 32] = {0};
	for (uint32_t i = 0; i < hclen; i++) {
		if (!have_bits(r, 3)) return STEP_WAIT;
		lengths[codelen_order[i]] = (uint8_t)low_bits(r->buf, 3);
		drop_bits(r, 3);
	}
	int error = table_error(build_table(codelen_table, CODELEN_BITS, lengths, 19, codelen_info, 0));
	if (error) return error;
	for (uint32_t i = 0; i < 19; i++) lengths[i] = 0;
	for (uint32_t i = 0; i < hlit + hdist;) {
		uint32_t e;
		if (!read_symbol(r, codelen_table, CODELEN_BITS, &e)) return STEP_WAIT;
		if (ENTRY_KIND(e) == KIND_INVALID) return ERR_INVALID_SYMBOL;
		uint32_t symbol = ENTRY_VALUE(e);
		if (symbol < 16) {
			lengths[i++] = (uint8_t)symbol;
			continue;
		}
		uint32_t extra = symbol == 16 ? 2 : symbol == 17 ? 3 : 7;
		if (!have_bits(r, extra)) return STEP_WAIT;
		uint32_t repeat = (uint32_t)low_bits(r->buf, extra) + (symbol == 16 ? 3 : symbol == 17 ? 3 : 11);
		drop_bits(r, extra);
		if (symbol == 16 && i == 0) return ERR_REPEAT;
		if (i + repeat > hlit + hdist) return ERR_REPEAT;
		uint8_t value = symbol == 16 ? lengths[i - 1] : 0;
		while (repeat--) lengths[i++] = value;
	}
	if (lengths[256] == 0) return ERR_NO_END_OF_BLOCK;
	error = table_error(build_table(litlen_table, LITLEN_BITS, lengths, hlit, litlen_info, 1));
	if (error) return error;
	error = table_error(build_table(dist_table, DIST_BITS, lengths + hlit, hdist, dist_info, 1));
	if (error) return error;
	return STEP_NEXT;
}

/** BFINAL, BTYPE and what the block needs before its data: STEP_NEXT, STEP_WAIT or an error. */
static int read_block_header(void)
{
	struct reader r = reader_now();
	if (!have_bits(&r, 3)) return STEP_WAIT;
	uint32_t last = r.buf & 1, type = (r.buf >> 1) & 3;
	drop_bits(&r, 3);
	if (type == 0) {
		// stored: to the byte boundary, then LEN and NLEN
		drop_bits(&r, r.count & 7);
		if (!have_bits(&r, 32)) return STEP_WAIT;
		uint32_t len = (uint32_t)low_bits(r.buf, 16), nlen = (uint32_t)low_bits(r.buf >> 16, 16);
		drop_bits(&r, 32);
		if (len != (~nlen & 0xffff)) return fail(ERR_STORED_LENGTH);
		reader_keep(&r);
		give_back_bytes(); // the bit buffer is now empty: the block's bytes are read from the input
		s.stored_left = len;
		s.state = ST_STORED;
	} else if (type == 1) {
		reader_keep(&r);
		s.fixed_block = 1;
		s.state = ST_HUFFMAN;
	} else if (type == 2) {
		int got = read_dynamic_tables(&r);
		if (got != STEP_NEXT) return got < 0 ? fail(got) : STEP_WAIT;
		reader_keep(&r);
		s.fixed_block = 0;
		s.state = ST_HUFFMAN;
	} else {
		return fail(ERR_BLOCK_TYPE);
	}
	s.last_block = (int)last;
	return STEP_NEXT;
}

static void block_done(void)
{
	if (!s.last_block) {
		s.state = ST_BLOCK_HEADER;
		return;
	}
	// to the byte boundary: the trailer is read from the input
	s.bitbuf = low_bits(s.bitbuf, s.bitcount);
	s.bitbuf >>= s.bitcount & 7;
	s.bitcount &= ~7u;
	give_back_bytes();
	s.state = ST_TRAILER;
}

// ---- data ----

static inline uint32_t room(void) { return HISTORY + OUTPUT_CAPACITY - s.out; }

static int copy_stored(void)
{
	while (s.stored_left > 0) {
		uint32_t n = s.stored_left;
		if (n > s.in_end - s.in_start) n = s.in_end - s.in_start;
		if (n > room()) n = room();
		if (n == 0) return s.in_start == s.in_end ? STEP_WAIT : STEP_FULL;
		memcpy(window + s.out, input + s.in_start, n);
		s.out += n;
		s.in_start += n;
		s.stored_left -= n;
	}
	block_done();
	return STEP_NEXT;
}

/** A match of `length` bytes from `distance` back; may write up to 16 bytes past its end. */
static inline void copy_match(uint8_t *to, uint32_t distance, uint32_t length)
{
	const uint8_t *from = to - distance;
	uint8_t *end = to + length;
	if (distance >= 16) {
		do {
			wasm_v128_store(to, wasm_v128_load(from));
			to += 16;
			from += 16;
		} while (to < end);
	} else if (distance == 1) {
		v128_t v = wasm_i8x16_splat((int8_t)*from);
		do {
			wasm_v128_store(to, v);
			to += 16;
		} while (to < end);
	} else if (distance >= 8) {
		do {
			uint64_t v = load64(from);
			__builtin_memcpy(to, &v, 8);
			to += 8;
			from += 8;
		} while (to < end);
	} else {
		do *to++ = *from++;
		while (to < end);
	}
}

/**
 * Symbols of a Huffman block: a fast loop while 8 input bytes and a longest match (and the
 * copies' slop) fit, then one whole symbol at a time while its bits are there.
 */
static int decode_huffman(void)
{
	const uint32_t *lt = s.fixed_block ? fixed_litlen_table : litlen_table;
	const uint32_t *dt = s.fixed_block ? fixed_dist_table : dist_table;
	const uint32_t litlen_mask = (1u << LITLEN_BITS) - 1, dist_mask = (1u << DIST_BITS) - 1;
	const uint8_t *in = input + s.in_start;
	const uint8_t *in_fast_end = input + (s.in_end >= 8 ? s.in_end - 8 : 0);
	uint8_t *out = window + s.out;
	uint8_t *out_fast_end = window + HISTORY + OUTPUT_CAPACITY - MAX_MATCH - 16;
	const uint8_t *history = window + s.member_from;
	uint64_t bitbuf = low_bits(s.bitbuf, s.bitcount);
	uint32_t bitcount = s.bitcount;
	int result = STEP_WAIT;

	while (in < in_fast_end && out < out_fast_end) {
		// 56 or more bits: a whole symbol (at most 15 + 5 + 15 + 13)
		bitbuf |= load64(in) << bitcount;
		in += (63 - bitcount) >> 3;
		bitcount |= 56;
		uint32_t e = lt[bitbuf & litlen_mask];
		if (ENTRY_KIND(e) == KIND_SUBTABLE) {
			bitbuf >>= LITLEN_BITS;
			bitcount -= LITLEN_BITS;
			e = lt[ENTRY_VALUE(e) + (bitbuf & ((1u << ENTRY_EXTRA(e)) - 1))];
		}
		bitbuf >>= ENTRY_BITS(e);
		bitcount -= ENTRY_BITS(e);
		uint32_t kind = ENTRY_KIND(e);
		if (kind == KIND_LITERAL) {
			*out++ = (uint8_t)ENTRY_VALUE(e);
			// a second literal while its bits are surely there (56 - 15 - 15 left for it)
			e = lt[bitbuf & litlen_mask];
			if (ENTRY_KIND(e) == KIND_LITERAL) {
				bitbuf >>= ENTRY_BITS(e);
				bitcount -= ENTRY_BITS(e);
				*out++ = (uint8_t)ENTRY_VALUE(e);
			}
			continue;
		}
		if (kind != KIND_LENGTH) {
			if (kind == KIND_END) {
				result = STEP_NEXT;
				break;
			}
			result = ERR_INVALID_SYMBOL;
			break;
		}
		uint32_t length = ENTRY_VALUE(e) + (uint32_t)low_bits(bitbuf, ENTRY_EXTRA(e));
		bitbuf >>= ENTRY_EXTRA(e);
		bitcount -= ENTRY_EXTRA(e);
		uint32_t d = dt[bitbuf & dist_mask];
		if (ENTRY_KIND(d) == KIND_SUBTABLE) {
			bitbuf >>= DIST_BITS;
			bitcount -= DIST_BITS;
			d = dt[ENTRY_VALUE(d) + (bitbuf & ((1u << ENTRY_EXTRA(d)) - 1))];
		}
		if (ENTRY_KIND(d) != KIND_LENGTH) {
			result = ERR_INVALID_SYMBOL;
			break;
		}
		bitbuf >>= ENTRY_BITS(d);
		bitcount -= ENTRY_BITS(d);
		uint32_t distance = ENTRY_VALUE(d) + (uint32_t)low_bits(bitbuf, ENTRY_EXTRA(d));
		bitbuf >>= ENTRY_EXTRA(d);
		bitcount -= ENTRY_EXTRA(d);
		if (distance > (uint32_t)(out - history)) {
			result = ERR_DISTANCE;
			break;
		}
		copy_match(out, distance, length);
		out += length;
	}

	// the careful path: whole symbols whose bits are there
	struct reader r = {(uint32_t)(in - input), s.in_end, bitbuf, bitcount};
	while (result == STEP_WAIT) {
		if ((uint32_t)(window + HISTORY + OUTPUT_CAPACITY - out) < MAX_MATCH) {
			result = STEP_FULL;
			break;
		}
		fill_bits(&r);
		uint64_t b = low_bits(r.buf, r.count);
		uint32_t e = lt[b & litlen_mask];
		uint32_t n = ENTRY_BITS(e);
		if (ENTRY_KIND(e) == KIND_SUBTABLE) {
			e = lt[ENTRY_VALUE(e) + ((b >> LITLEN_BITS) & ((1u << ENTRY_EXTRA(e)) - 1))];
			n = LITLEN_BITS + ENTRY_BITS(e);
		}
		if (n > r.count) break;
		uint32_t kind = ENTRY_KIND(e);
		if (kind == KIND_LITERAL) {
			drop_bits(&r, n);
			*out++ = (uint8_t)ENTRY_VALUE(e);
			continue;
		}
		if (kind == KIND_END) {
			drop_bits(&r, n);
			result = STEP_NEXT;
			break;
		}
		if (kind != KIND_LENGTH) {
			result = ERR_INVALID_SYMBOL;
			break;
		}
		uint32_t length = ENTRY_VALUE(e) + (uint32_t)low_bits(b >> n, ENTRY_EXTRA(e));
		n += ENTRY_EXTRA(e);
		uint32_t d = dt[(b >> n) & dist_mask];
		uint32_t dn = ENTRY_BITS(d);
		if (ENTRY_KIND(d) == KIND_SUBTABLE) {
			d = dt[ENTRY_VALUE(d) + ((b >> (n + DIST_BITS)) & ((1u << ENTRY_EXTRA(d)) - 1))];
			dn = DIST_BITS + ENTRY_BITS(d);
		}
		n += dn;
		if (n > r.count) break;
		if (ENTRY_KIND(d) != KIND_LENGTH) {
			result = ERR_INVALID_SYMBOL;
			break;
		}
		uint32_t distance = ENTRY_VALUE(d) + (uint32_t)low_bits(b >> n, ENTRY_EXTRA(d));
		n += ENTRY_EXTRA(d);
		if (n > r.count) break;
		if (distance > (uint32_t)(out - history)) {
			result = ERR_DISTANCE;
			break;
		}
		drop_bits(&r, n);
		// no slop past the window's end here: byte by byte
		const uint8_t *from = out - distance;
		for (uint32_t i = 0; i < length; i++) out[i] = from[i];
		out += length;
	}
	reader_keep(&r);
	s.out = (uint32_t)(out - window);
	if (result < 0) return fail(result);
	if (result == STEP_NEXT) block_done();
	return result;
}

// ---- the exported interface ----

/** The window starts over with the last 32 KiB of output as history. */
static void slide(void)
{
	uint32_t keep = s.out < HISTORY ? s.out : HISTORY;
	uint32_t from = s.out - keep;
	if (from == 0) return;
	memcpy(window + HISTORY - keep, window + from, keep);
	s.member_from = s.member_from > from ? s.member_from - from + (HISTORY - keep) : HISTORY - keep;
	s.out = HISTORY;
	s.crc_from = s.out;
}

EXPORT(reset) void reset(void)
{
	if (!s.initialized) {
		crc_init();
		huffman_init();
	}
	s.initialized = 1;
	s.error = 0;
	s.members = 0;
	s.final_input = 0;
	s.in_start = s.in_end = 0;
	s.bitbuf = 0;
	s.bitcount = 0;
	s.out = HISTORY;
	member_start();
}

/** Where new input goes (input_room() bytes of room). */
EXPORT(input_tail) uint32_t input_tail(void) { return (uint32_t)(uintptr_t)(input + s.in_end); }

/** Moves the unconsumed input to the front of the buffer, making room after it. */
EXPORT(input_compact) void input_compact(void)
{
	if (s.in_start == 0) return;
	// forward copy to a lower address: each 16-byte load happens before the store that could overlap it
	memcpy(input, input + s.in_start, s.in_end - s.in_start);
	s.in_end -= s.in_start;
	s.in_start = 0;
}

/** Room after input_tail(). */
EXPORT(input_room) uint32_t input_room(void) { return INPUT_CAPACITY - s.in_end; }

EXPORT(input_commit) void input_commit(uint32_t n) { s.in_end += n <= input_room() ? n : input_room(); }

EXPORT(input_finish) void input_finish(void) { s.final_input = 1; }

EXPORT(output_start) uint32_t output_start(void) { return (uint32_t)(uintptr_t)(window + s.run_start); }

EXPORT(output_end) uint32_t output_end(void) { return (uint32_t)(uintptr_t)(window + s.out); }

/** Decodes what it can: NEED_INPUT, OUTPUT_FULL, FINISHED, or an error (negative, sticky). */
EXPORT(run) int run(void)
{
	if (s.state == ST_ERROR) return s.error;
	if (room() < MAX_MATCH + 16 + 65536) slide();
	s.run_start = s.out;
	int result = 0;
	for (;;) {
		int step;
		switch (s.state) {
		case ST_HEADER:
			step = read_header();
			if (step == STEP_NEXT) s.state = ST_BLOCK_HEADER;
			break;
		case ST_BLOCK_HEADER:
			step = read_block_header();
			break;
		case ST_STORED:
			step = copy_stored();
			break;
		case ST_HUFFMAN:
			step = decode_huffman();
			break;
		case ST_TRAILER:
			step = read_trailer();
			break;
		case ST_BETWEEN:
			if (s.in_start < s.in_end) {
				member_start();
				step = STEP_NEXT;
			} else {
				step = STEP_WAIT;
				if (s.final_input) result = FINISHED;
			}
			break;
		case ST_ERROR:
		default:
			step = s.error;
			break;
		}
		if (step < 0) return step;
		if (step == STEP_FULL) result = OUTPUT_FULL;
		if (step != STEP_NEXT) break;
	}
	crc_output();
	if (result == NEED_INPUT && s.final_input && s.state != ST_BETWEEN) {
		// waiting for input that will not come
		give_back_bytes();
		return fail(ERR_TRUNCATED);
	}
	give_back_bytes();
	return result;
}
