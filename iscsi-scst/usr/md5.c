// SPDX-License-Identifier: GPL-2.0
/*
 * md5.c - MD5 (RFC 1321), only for CHAP_A=5: it is what most initiators
 * still use, not a choice we would make.
 */
#include <string.h>
#include "hash.h"

static inline uint32_t rol32(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* T[i] = floor(2^32 * |sin(i + 1)|) */
static const uint32_t md5_t[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee,
	0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
	0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
	0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
	0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
	0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
	0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
	0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05,
	0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039,
	0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
	0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const uint8_t md5_s[4][4] = {
	{ 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 },
};

static void md5_block(uint32_t h[4], const uint8_t *p)
{
	uint32_t x[16], a = h[0], b = h[1], c = h[2], d = h[3], f, t;
	int i, g;

	for (i = 0; i < 16; i++)
		x[i] = get_le32(p + 4 * i);
	for (i = 0; i < 64; i++) {
		switch (i / 16) {
		case 0:
			f = (b & c) | (~b & d);
			g = i;
			break;
		case 1:
			f = (d & b) | (~d & c);
			g = (5 * i + 1) & 15;
			break;
		case 2:
			f = b ^ c ^ d;
			g = (3 * i + 5) & 15;
			break;
		default:
			f = c ^ (b | ~d);
			g = (7 * i) & 15;
			break;
		}
		t = d;
		d = c;
		c = b;
		b = b + rol32(a + f + md5_t[i] + x[g], md5_s[i / 16][i & 3]);
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void md5_init(struct md5_ctx *c)
{
	c->h[0] = 0x67452301;
	c->h[1] = 0xefcdab89;
	c->h[2] = 0x98badcfe;
	c->h[3] = 0x10325476;
	c->len = 0;
}

void md5_update(struct md5_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = c->len & 63;

	c->len += len;
	if (used) {
		size_t n = 64 - used < len ? 64 - used : len;

		memcpy(c->buf + used, p, n);
		p += n;
		len -= n;
		if (used + n < 64)
			return;
		md5_block(c->h, c->buf);
	}
	for (; len >= 64; p += 64, len -= 64)
		md5_block(c->h, p);
	if (len)
		memcpy(c->buf, p, len);
}

void md5_final(struct md5_ctx *c, uint8_t out[MD5_LEN])
{
	uint64_t bits = c->len << 3;
	size_t used = c->len & 63;
	int i;

	c->buf[used++] = 0x80;
	if (used > 56) {
		memset(c->buf + used, 0, 64 - used);
		md5_block(c->h, c->buf);
		used = 0;
	}
	memset(c->buf + used, 0, 56 - used);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = bits >> (8 * i);
	md5_block(c->h, c->buf);
	for (i = 0; i < 4; i++)
		put_le32(out + 4 * i, c->h[i]);
	memset(c, 0, sizeof(*c));
}
