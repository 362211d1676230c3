// What inflate.c needs of a C library, built without one (-nostdlib): the copies the compiler
// may ask for, written so it does not turn them into calls to themselves, and unaligned loads.
#ifndef CTTRACE_FREESTANDING_H
#define CTTRACE_FREESTANDING_H
#include <stdint.h>
#include <wasm_simd128.h>

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

#endif
