// SPDX-License-Identifier: GPL-2.0
/*
 * sha.c - SHA-1 and SHA-256 (FIPS 180-4), SHA3-256 (FIPS 202) for CHAP.
 */
#include <string.h>
#include "hash.h"

static inline uint32_t rol32(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static inline uint32_t ror32(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static inline uint64_t rol64(uint64_t x, int n)
{
	return n ? (x << n) | (x >> (64 - n)) : x;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * SHA-1 and SHA-256 share the Merkle-Damgard framing: 64-byte blocks, a
 * 0x80 byte, zeros and the big-endian bit length.
 */
typedef void (*block_fn)(uint32_t *h, const uint8_t *p);

static void md_update(uint32_t *h, uint64_t *total, uint8_t *buf,
		      block_fn block, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = *total & 63;

	*total += len;
	if (used) {
		size_t n = 64 - used < len ? 64 - used : len;

		memcpy(buf + used, p, n);
		p += n;
		len -= n;
		if (used + n < 64)
			return;
		block(h, buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		block(h, p);
	if (len)
		memcpy(buf, p, len);
}

static void md_final(uint32_t *h, uint64_t total, uint8_t *buf,
		     block_fn block)
{
	uint64_t bits = total << 3;
	size_t used = total & 63;
	int i;

	buf[used++] = 0x80;
	if (used > 56) {
		memset(buf + used, 0, 64 - used);
		block(h, buf);
		used = 0;
	}
	memset(buf + used, 0, 56 - used);
	for (i = 0; i < 8; i++)
		buf[63 - i] = bits >> (8 * i);
	block(h, buf);
}

/* ---- SHA-1 ---- */

static void sha1_block(uint32_t *h, const uint8_t *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	uint32_t f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = get_be32(p + 4 * i);
	for (; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void sha1_init(struct sha1_ctx *c)
{
	static const uint32_t iv[5] = {
		0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
}

void sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	md_update(c->h, &c->len, c->buf, sha1_block, data, len);
}

void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_LEN])
{
	int i;

	md_final(c->h, c->len, c->buf, sha1_block);
	for (i = 0; i < 5; i++)
		put_be32(out + 4 * i, c->h[i]);
	memset(c, 0, sizeof(*c));
}

/* ---- SHA-256 ---- */

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_block(uint32_t *h, const uint8_t *p)
{
	uint32_t w[64], s[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = get_be32(p + 4 * i);
	for (; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^
			      (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^
			      (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(s, h, sizeof(s));
	for (i = 0; i < 64; i++) {
		t1 = s[7] + (ror32(s[4], 6) ^ ror32(s[4], 11) ^ ror32(s[4], 25)) +
		     ((s[4] & s[5]) ^ (~s[4] & s[6])) + sha256_k[i] + w[i];
		t2 = (ror32(s[0], 2) ^ ror32(s[0], 13) ^ ror32(s[0], 22)) +
		     ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
		memmove(s + 1, s, 7 * sizeof(s[0]));
		s[4] += t1;
		s[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += s[i];
}

void sha256_init(struct sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(c->h, iv, sizeof(iv));
	c->len = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	md_update(c->h, &c->len, c->buf, sha256_block, data, len);
}

void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN])
{
	int i;

	md_final(c->h, c->len, c->buf, sha256_block);
	for (i = 0; i < 8; i++)
		put_be32(out + 4 * i, c->h[i]);
	memset(c, 0, sizeof(*c));
}

/* ---- SHA3-256: Keccak-f[1600], rate 136 bytes, domain byte 0x06 ---- */

#define SHA3_256_RATE	136

static const uint64_t keccak_rc[24] = {
	0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
	0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
	0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
	0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
	0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
	0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
	0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
	0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* rotation offsets r[x + 5y] */
static const uint8_t keccak_rho[25] = {
	0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43,
	25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
};

static void keccak_f(uint64_t a[25])
{
	uint64_t c[5], d, b[25];
	int round, x, y;

	for (round = 0; round < 24; round++) {
		/* theta */
		for (x = 0; x < 5; x++)
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^
			       a[x + 20];
		for (x = 0; x < 5; x++) {
			d = c[(x + 4) % 5] ^ rol64(c[(x + 1) % 5], 1);
			for (y = 0; y < 25; y += 5)
				a[x + y] ^= d;
		}
		/* rho and pi: B[y, 2x + 3y] = rot(A[x, y], r[x, y]) */
		for (x = 0; x < 5; x++)
			for (y = 0; y < 5; y++)
				b[y + 5 * ((2 * x + 3 * y) % 5)] =
					rol64(a[x + 5 * y],
					      keccak_rho[x + 5 * y]);
		/* chi */
		for (y = 0; y < 25; y += 5)
			for (x = 0; x < 5; x++)
				a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] &
						       b[(x + 2) % 5 + y]);
		/* iota */
		a[0] ^= keccak_rc[round];
	}
}

static void sha3_xor_byte(struct sha3_ctx *c, size_t pos, uint8_t v)
{
	c->st[pos / 8] ^= (uint64_t)v << (8 * (pos % 8));
}

void sha3_256_init(struct sha3_ctx *c)
{
	memset(c, 0, sizeof(*c));
}

void sha3_256_update(struct sha3_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len--) {
		sha3_xor_byte(c, c->pos++, *p++);
		if (c->pos == SHA3_256_RATE) {
			keccak_f(c->st);
			c->pos = 0;
		}
	}
}

void sha3_256_final(struct sha3_ctx *c, uint8_t out[SHA3_256_LEN])
{
	size_t i;

	sha3_xor_byte(c, c->pos, 0x06);
	sha3_xor_byte(c, SHA3_256_RATE - 1, 0x80);
	keccak_f(c->st);
	for (i = 0; i < SHA3_256_LEN; i++)
		out[i] = c->st[i / 8] >> (8 * (i % 8));
	memset(c, 0, sizeof(*c));
}

/* ---- generic CHAP digest table ---- */

/* Adapters from the union context to each algorithm */
#define HASH_ADAPTERS(name, member)					\
static void h_##name##_init(union hash_ctx *c)				\
{									\
	name##_init(&c->member);					\
}									\
static void h_##name##_update(union hash_ctx *c, const void *d, size_t l) \
{									\
	name##_update(&c->member, d, l);				\
}									\
static void h_##name##_final(union hash_ctx *c, uint8_t *o)		\
{									\
	name##_final(&c->member, o);					\
}

HASH_ADAPTERS(md5, md5)
HASH_ADAPTERS(sha1, sha1)
HASH_ADAPTERS(sha256, sha256)
HASH_ADAPTERS(sha3_256, sha3)

static const struct hash_alg hash_algs[] = {
	{ CHAP_A_MD5, "MD5", MD5_LEN, h_md5_init, h_md5_update, h_md5_final },
	{ CHAP_A_SHA1, "SHA-1", SHA1_LEN, h_sha1_init, h_sha1_update,
	  h_sha1_final },
	{ CHAP_A_SHA256, "SHA-256", SHA256_LEN, h_sha256_init,
	  h_sha256_update, h_sha256_final },
	{ CHAP_A_SHA3_256, "SHA3-256", SHA3_256_LEN, h_sha3_256_init,
	  h_sha3_256_update, h_sha3_256_final },
};

const struct hash_alg *hash_by_chap_a(int chap_a)
{
	size_t i;

	for (i = 0; i < sizeof(hash_algs) / sizeof(hash_algs[0]); i++)
		if (hash_algs[i].chap_a == chap_a)
			return &hash_algs[i];
	return NULL;
}

/* ---- CRC32C, reflected polynomial 0x82f63b78 ---- */

static uint32_t crc32c_table[256];

static void crc32c_init_table(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78 : c >> 1;
		crc32c_table[i] = c;
	}
}

/*
 * crc is the previous result (0 to start); pre- and post-inversion are
 * done here so that crc32c(crc32c(0, a), b) == crc32c(0, a || b).
 */
uint32_t crc32c(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!crc32c_table[1])
		crc32c_init_table();
	crc = ~crc;
	while (len--)
		crc = crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
