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

#define LITLEN_BITS 10
#define DIST_BITS 8
#define CODELEN_BITS 7
#define LITLEN_TABLE_SIZE ((1 << LITLEN_BITS) + 286 * (1 << (15 - LITLEN_BITS)))
#define DIST_TABLE_SIZE ((1 << DIST_BITS) + 30 * (1 << (15 - DIST_BITS)))

// A table entry: bits 0-3 the bits this lookup consumes; bits 4-7 the extra bits of a length or
// distance (or a sub-table's index bits); bits 8-10 the kind; bits 16-31 the value (a literal,
// a length or distance base, or a sub-table's offset).
enum kind { KIND_LITERAL = 0, KIND_LENGTH = 1, KIND_END = 2, KIND_SUBTABLE = 3, KIND_INVALID = 4 };
#define ENTRY(kind, extra, value) (((uint32_t)(value) << 16) | ((uint32_t)(kind) << 8) | ((uint32_t)(extra) << 4))
#define ENTRY_BITS(e) ((e) & 15)
#define ENTRY_EXTRA(e) (((e) >> 4) & 15)
#define ENTRY_KIND(e) (((e) >> 8) & 7)
#define ENTRY_VALUE(e) ((e) >> 16)

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
static uint32_t fixed_litlen_table[LITLEN_TABLE_SIZE];
static uint32_t fixed_dist_table[DIST_TABLE_SIZE];
static uint32_t codelen_table[1 << CODELEN_BITS];
static uint32_t crc_tables[8][256];
static uint32_t litlen_info[288];
static uint32_t dist_info[32];
static uint32_t codelen_info[19];

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

// No libc: the copies the compiler may ask for, written so it does not turn them into calls to
// themselves.
__attribute__((no_builtin)) void *memcpy(void *to, const void *from, unsigned long n)
{
	uint8_t *d = to;
	const uint8_t *f = from;
	for (; n >= 16; n -= 16, d += 16, f += 16) wasm_v128_store(d, wasm_v128_load(f));
	for (; n > 0; n--) *d++ = *f++;
	return to;
}

__attribute__((no_builtin)) void *memset(void *to, int value, unsigned long n)
{
	uint8_t *d = to;
	v128_t v = wasm_i8x16_splat((int8_t)value);
	for (; n >= 16; n -= 16, d += 16) wasm_v128_store(d, v);
	for (; n > 0; n--) *d++ = (uint8_t)value;
	return to;
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline uint64_t low_bits(uint64_t v, uint32_t n) { return v & (((uint64_t)1 << n) - 1); }

// ---- CRC-32 (the gzip polynomial, reflected): slicing by 8, four lanes side by side ----

#define CRC_POLY 0xedb88320u
/** the lanes crc_update runs side by side on long inputs (a table lookup's latency hides another's) */
#define CRC_LANES 4
#define CRC_LANES_FROM 4096

static uint32_t crc_x_powers[64]; // x^(2^k) mod P, reflected (bit 31 is x^0)

/** a * b mod P, both reflected: a's coefficients from x^0 up, b multiplied by x each step. */
static uint32_t crc_multiply(uint32_t a, uint32_t b)
{
	uint32_t product = 0;
	for (uint32_t bit = 1u << 31; bit != 0; bit >>= 1) {
		if (a & bit) product ^= b;
		b = b & 1 ? (b >> 1) ^ CRC_POLY : b >> 1;
	}
	return product;
}

/** x^(8 * bytes) mod P: what a CRC register is multiplied by when `bytes` more bytes go through it. */
static uint32_t crc_shift_for(uint64_t bytes)
{
	uint32_t result = 1u << 31; // x^0
	uint64_t bits = bytes * 8;
	for (uint32_t k = 0; bits != 0; k++, bits >>= 1)
		if (bits & 1) result = crc_multiply(result, crc_x_powers[k]);
	return result;
}

static inline uint32_t crc_word(uint32_t c, const uint8_t *p)
{
	uint64_t v = load64(p) ^ c;
	return crc_tables[7][v & 0xff] ^ crc_tables[6][(v >> 8) & 0xff] ^ crc_tables[5][(v >> 16) & 0xff] ^ crc_tables[4][(v >> 24) & 0xff] ^
	       crc_tables[3][(v >> 32) & 0xff] ^ crc_tables[2][(v >> 40) & 0xff] ^ crc_tables[1][(v >> 48) & 0xff] ^ crc_tables[0][v >> 56];
}

/**
 * The CRC-32 of `crc`'s data followed by p[0, n). Long inputs go as CRC_LANES equal parts, each
 * from a zero register, side by side; the registers are joined after: the register is linear, so
 * running a part from register r ends in r * x^(8 * length) ^ (the part run from zero).
 */
static uint32_t crc_update(uint32_t crc, const uint8_t *p, uint32_t n)
{
	uint32_t c = ~crc;
	if (n >= CRC_LANES_FROM) {
		uint32_t lane = (n / CRC_LANES) & ~7u;
		uint32_t c1 = 0, c2 = 0, c3 = 0;
		for (uint32_t i = 0; i < lane; i += 8) {
			c = crc_word(c, p + i);
			c1 = crc_word(c1, p + lane + i);
			c2 = crc_word(c2, p + 2 * lane + i);
			c3 = crc_word(c3, p + 3 * lane + i);
		}
		uint32_t shift = crc_shift_for(lane);
		c = crc_multiply(c, shift) ^ c1;
		c = crc_multiply(c, shift) ^ c2;
		c = crc_multiply(c, shift) ^ c3;
		p += CRC_LANES * lane;
		n -= CRC_LANES * lane;
	}
	for (; n >= 8; n -= 8, p += 8) c = crc_word(c, p);
	for (; n > 0; n--) c = crc_tables[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return ~c;
}

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++) c = c & 1 ? CRC_POLY ^ (c >> 1) : c >> 1;
		crc_tables[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++) crc_tables[t][i] = (crc_tables[t - 1][i] >> 8) ^ crc_tables[0][crc_tables[t - 1][i] & 0xff];
	crc_x_powers[0] = 1u << 30; // x^1
	for (uint32_t k = 1; k < 64; k++) crc_x_powers[k] = crc_multiply(crc_x_powers[k - 1], crc_x_powers[k - 1]);
}

// ---- Huffman tables (RFC 1951 3.2.2: canonical codes from code lengths) ----

static const uint16_t length_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t codelen_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

static void info_init(void)
{
	for (uint32_t i = 0; i < 256; i++) litlen_info[i] = ENTRY(KIND_LITERAL, 0, i);
	litlen_info[256] = ENTRY(KIND_END, 0, 0);
	for (uint32_t i = 0; i < 29; i++) litlen_info[257 + i] = ENTRY(KIND_LENGTH, length_extra[i], length_base[i]);
	litlen_info[286] = litlen_info[287] = ENTRY(KIND_INVALID, 0, 0);
	for (uint32_t i = 0; i < 30; i++) dist_info[i] = ENTRY(KIND_LENGTH, dist_extra[i], dist_base[i]);
	dist_info[30] = dist_info[31] = ENTRY(KIND_INVALID, 0, 0);
	for (uint32_t i = 0; i < 19; i++) codelen_info[i] = ENTRY(KIND_LITERAL, 0, i);
}

static uint32_t reverse_bits(uint32_t code, uint32_t length)
{
	uint32_t r = 0;
	for (uint32_t i = 0; i < length; i++, code >>= 1) r = (r << 1) | (code & 1);
	return r;
}

/**
 * Fills `table` (a primary table of `bits` index bits, then sub-tables for longer codes) from
 * the code lengths of `count` symbols; `info` gives each symbol's entry. An unused code's entry
 * is KIND_INVALID and consumes its table's index bits (so a reader short of bits waits for them).
 * An incomplete code is taken only when `allow_single` and it is one code of one bit (RFC 1951
 * allows a single distance code; zlib and gzip take it for literal/length codes too).
 */
static int build_table(uint32_t *table, uint32_t bits, const uint8_t *lengths, uint32_t count, const uint32_t *info, int allow_single)
{
	uint32_t counts[16] = {0};
	for (uint32_t i = 0; i < count; i++) counts[lengths[i]]++;
	counts[0] = 0;
	int32_t left = 1;
	uint32_t used = 0, longest = 0;
	for (uint32_t l = 1; l <= 15; l++) {
		left = (left << 1) - (int32_t)counts[l];
		if (left < 0) return ERR_OVERSUBSCRIBED;
		used += counts[l];
		if (counts[l]) longest = l;
	}
	if (left > 0 && used > 0 && !(allow_single && used == 1 && longest == 1)) return ERR_INCOMPLETE;

	uint32_t next[16];
	uint32_t code = 0;
	for (uint32_t l = 1; l <= 15; l++) {
		code = (code + counts[l - 1]) << 1;
		next[l] = code;
	}
	uint32_t size = 1u << bits;
	uint32_t invalid = ENTRY(KIND_INVALID, 0, 0) | bits;
	for (uint32_t i = 0; i < size; i++) table[i] = invalid;

	// codes longer than the primary table: each prefix gets a sub-table as deep as its longest code
	uint8_t sub_bits[1 << LITLEN_BITS];
	memset(sub_bits, 0, size);
	uint32_t codes[288];
	for (uint32_t i = 0; i < count; i++) {
		uint32_t l = lengths[i];
		if (!l) continue;
		codes[i] = reverse_bits(next[l]++, l);
		if (l > bits) {
			uint32_t prefix = codes[i] & (size - 1);
			if (l - bits > sub_bits[prefix]) sub_bits[prefix] = (uint8_t)(l - bits);
		}
	}
	uint32_t offset = size;
	for (uint32_t p = 0; p < size; p++) {
		if (!sub_bits[p]) continue;
		uint32_t sub_size = 1u << sub_bits[p];
		table[p] = ENTRY(KIND_SUBTABLE, sub_bits[p], offset) | bits;
		for (uint32_t i = 0; i < sub_size; i++) table[offset + i] = ENTRY(KIND_INVALID, 0, 0) | sub_bits[p];
		offset += sub_size;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint32_t l = lengths[i];
		if (!l) continue;
		if (l <= bits) {
			for (uint32_t at = codes[i]; at < size; at += 1u << l) table[at] = info[i] | l;
		} else {
			uint32_t head = table[codes[i] & (size - 1)];
			uint32_t sub_size = 1u << ENTRY_EXTRA(head);
			uint32_t rest = l - bits;
			for (uint32_t at = codes[i] >> bits; at < sub_size; at += 1u << rest) table[ENTRY_VALUE(head) + at] = info[i] | rest;
		}
	}
	return 0;
}

static void fixed_init(void)
{
	uint8_t lengths[288];
	for (uint32_t i = 0; i < 288; i++) lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	build_table(fixed_litlen_table, LITLEN_BITS, lengths, 288, litlen_info, 0);
	for (uint32_t i = 0; i < 32; i++) lengths[i] = 5;
	build_table(fixed_dist_table, DIST_BITS, lengths, 32, dist_info, 0);
}

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
	int error = build_table(codelen_table, CODELEN_BITS, lengths, 19, codelen_info, 0);
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
	error = build_table(litlen_table, LITLEN_BITS, lengths, hlit, litlen_info, 1);
	if (error) return error;
	error = build_table(dist_table, DIST_BITS, lengths + hlit, hdist, dist_info, 1);
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
		info_init();
		fixed_init();
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
