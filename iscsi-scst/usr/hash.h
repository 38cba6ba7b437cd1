/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hash.h - the digests iscsi-scstd needs: MD5, SHA-1, SHA-256 and
 * SHA3-256 for CHAP (RFC 1994, RFC 7143 12.1.3, CHAP_A values 5..8) and
 * CRC32C for the header/data digests of discovery sessions.
 *
 * Small, portable, no external library; verified against the RFC/FIPS test
 * vectors in tests/unit/test_iscsi_hash.c.
 */
#ifndef ISCSID_HASH_H
#define ISCSID_HASH_H

#include <stddef.h>
#include <stdint.h>

#define MD5_LEN		16
#define SHA1_LEN	20
#define SHA256_LEN	32
#define SHA3_256_LEN	32
#define HASH_MAX_LEN	32

struct md5_ctx {
	uint32_t h[4];
	uint64_t len;
	uint8_t buf[64];
};

struct sha1_ctx {
	uint32_t h[5];
	uint64_t len;
	uint8_t buf[64];
};

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
};

struct sha3_ctx {
	uint64_t st[25];
	size_t pos;		/* bytes absorbed into the current block */
};

void md5_init(struct md5_ctx *c);
void md5_update(struct md5_ctx *c, const void *data, size_t len);
void md5_final(struct md5_ctx *c, uint8_t out[MD5_LEN]);

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_LEN]);

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[SHA256_LEN]);

void sha3_256_init(struct sha3_ctx *c);
void sha3_256_update(struct sha3_ctx *c, const void *data, size_t len);
void sha3_256_final(struct sha3_ctx *c, uint8_t out[SHA3_256_LEN]);

/* One interface over the CHAP digests */
union hash_ctx {
	struct md5_ctx md5;
	struct sha1_ctx sha1;
	struct sha256_ctx sha256;
	struct sha3_ctx sha3;
};

struct hash_alg {
	int chap_a;		/* CHAP_A value (RFC 7143 / IANA) */
	const char *name;
	size_t len;		/* digest length in bytes */
	void (*init)(union hash_ctx *c);
	void (*update)(union hash_ctx *c, const void *data, size_t len);
	void (*final)(union hash_ctx *c, uint8_t *out);
};

#define CHAP_A_MD5	5
#define CHAP_A_SHA1	6
#define CHAP_A_SHA256	7
#define CHAP_A_SHA3_256	8

/* NULL if chap_a is not one we implement */
const struct hash_alg *hash_by_chap_a(int chap_a);

/* CRC32C (Castagnoli), iSCSI digest convention: crc32c(0, ...) */
uint32_t crc32c(uint32_t crc, const void *data, size_t len);

#endif /* ISCSID_HASH_H */
