// Deflate's Huffman decoding tables (RFC 1951 3.2.2: canonical codes from code lengths): a
// primary table indexed by the next bits of the stream, sub-tables for longer codes, and the
// fixed codes of RFC 1951 3.2.6. huffman_init() once; build_table() for each dynamic block.
#ifndef CTTRACE_HUFFMAN_H
#define CTTRACE_HUFFMAN_H
#include "freestanding.h"

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

static uint32_t fixed_litlen_table[LITLEN_TABLE_SIZE];
static uint32_t fixed_dist_table[DIST_TABLE_SIZE];
/** each symbol's entry, but for the bits its code takes */
static uint32_t litlen_info[288];
static uint32_t dist_info[32];
static uint32_t codelen_info[19];

enum table_result {
	TABLE_OK = 0,
	TABLE_OVERSUBSCRIBED = 1, // code lengths that no prefix code has
	TABLE_INCOMPLETE = 2,     // code lengths that leave codes unused (beyond one code of one bit)
};

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
static enum table_result build_table(uint32_t *table, uint32_t bits, const uint8_t *lengths, uint32_t count, const uint32_t *info, int allow_single)
{
	uint32_t counts[16] = {0};
	for (uint32_t i = 0; i < count; i++) counts[lengths[i]]++;
	counts[0] = 0;
	int32_t left = 1;
	uint32_t used = 0, longest = 0;
	for (uint32_t l = 1; l <= 15; l++) {
		left = (left << 1) - (int32_t)counts[l];
		if (left < 0) return TABLE_OVERSUBSCRIBED;
		used += counts[l];
		if (counts[l]) longest = l;
	}
	if (left > 0 && used > 0 && !(allow_single && used == 1 && longest == 1)) return TABLE_INCOMPLETE;

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
	return TABLE_OK;
}

static void fixed_init(void)
{
	uint8_t lengths[288];
	for (uint32_t i = 0; i < 288; i++) lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
	build_table(fixed_litlen_table, LITLEN_BITS, lengths, 288, litlen_info, 0);
	for (uint32_t i = 0; i < 32; i++) lengths[i] = 5;
	build_table(fixed_dist_table, DIST_BITS, lengths, 32, dist_info, 0);
}

static void huffman_init(void)
{
	info_init();
	fixed_init();
}
#endif
