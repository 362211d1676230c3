// CRC-32 as gzip uses it (RFC 1952 8: the polynomial 0xedb88320, reflected, the register
// inverted before and after): slicing by 8, four lanes side by side on long inputs.
// crc_init() once, then crc_update(previous CRC (0 to start), bytes, length).
#ifndef CTTRACE_CRC32_H
#define CTTRACE_CRC32_H
#include "freestanding.h"

static uint32_t crc_tables[8][256];
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

#endif
