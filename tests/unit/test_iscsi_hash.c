// SPDX-License-Identifier: GPL-2.0
/*
 * iscsi-scstd digests: MD5 (RFC 1321 test suite), SHA-1 and SHA-256
 * (FIPS 180-2 appendix examples), SHA3-256 (FIPS 202 / NIST examples),
 * CRC32C (RFC 3720 B.4) and CHAP responses.
 */
#include <stdint.h>
#include "hash.h"
#include "chap.h"
#include "unit.h"

static void unhex(const char *hex, uint8_t *out, size_t len)
{
	size_t i;
	unsigned int b;

	for (i = 0; i < len; i++) {
		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = b;
	}
}

static void digest_of(int alg, const void *data, size_t len, uint8_t *out)
{
	const struct hash_alg *h = hash_by_chap_a(alg);
	union hash_ctx c;

	h->init(&c);
	h->update(&c, data, len);
	h->final(&c, out);
}

static int check_digest(int alg, const void *data, size_t len,
			const char *hex)
{
	const struct hash_alg *h = hash_by_chap_a(alg);
	uint8_t got[HASH_MAX_LEN], want[HASH_MAX_LEN];

	unhex(hex, want, h->len);
	digest_of(alg, data, len, got);
	if (memcmp(got, want, h->len)) {
		fprintf(stderr, "%s of %zu bytes:\n", h->name, len);
		unit_hexdump("got", got, h->len);
		unit_hexdump("expected", want, h->len);
		return 0;
	}
	return 1;
}

#define CHECK_DIGEST(alg, str, hex) \
	CHECK(check_digest(alg, str, strlen(str), hex))

TEST(md5_rfc1321)
{
	CHECK_DIGEST(CHAP_A_MD5, "", "d41d8cd98f00b204e9800998ecf8427e");
	CHECK_DIGEST(CHAP_A_MD5, "a", "0cc175b9c0f1b6a831c399e269772661");
	CHECK_DIGEST(CHAP_A_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72");
	CHECK_DIGEST(CHAP_A_MD5, "message digest",
		     "f96b697d7cb7938d525a2f31aaf161d0");
	CHECK_DIGEST(CHAP_A_MD5, "abcdefghijklmnopqrstuvwxyz",
		     "c3fcd3d76192e4007dfb496cca67e13b");
	CHECK_DIGEST(CHAP_A_MD5,
		     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		     "d174ab98d277d9f5a5611c2c9f419d9f");
	CHECK_DIGEST(CHAP_A_MD5,
		     "1234567890123456789012345678901234567890"
		     "1234567890123456789012345678901234567890",
		     "57edf4a22be3c955ac49da2e2107b67a");
}

static const char abc448[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(sha1_fips180)
{
	CHECK_DIGEST(CHAP_A_SHA1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	CHECK_DIGEST(CHAP_A_SHA1, "abc",
		     "a9993e364706816aba3e25717850c26c9cd0d89d");
	CHECK_DIGEST(CHAP_A_SHA1, abc448,
		     "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

TEST(sha256_fips180)
{
	CHECK_DIGEST(CHAP_A_SHA256, "",
		     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_DIGEST(CHAP_A_SHA256, "abc",
		     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_DIGEST(CHAP_A_SHA256, abc448,
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha3_256_fips202)
{
	CHECK_DIGEST(CHAP_A_SHA3_256, "",
		     "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
	CHECK_DIGEST(CHAP_A_SHA3_256, "abc",
		     "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
	CHECK_DIGEST(CHAP_A_SHA3_256, abc448,
		     "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376");
}

/* One million 'a', fed in uneven pieces to exercise the buffering */
static int hash_million_a(int alg, const char *hex)
{
	const struct hash_alg *h = hash_by_chap_a(alg);
	uint8_t got[HASH_MAX_LEN], want[HASH_MAX_LEN];
	static char a[1000];
	union hash_ctx c;
	size_t done = 0, step = 1;

	memset(a, 'a', sizeof(a));
	h->init(&c);
	while (done < 1000000) {
		size_t n = step;

		if (n > 1000000 - done)
			n = 1000000 - done;
		h->update(&c, a, n);
		done += n;
		step = step % 983 + 13;	/* < sizeof(a) */
	}
	h->final(&c, got);
	unhex(hex, want, h->len);
	return !memcmp(got, want, h->len);
}

TEST(million_a)
{
	CHECK(hash_million_a(CHAP_A_MD5, "7707d6ae4e027c70eea2a935c2296f21"));
	CHECK(hash_million_a(CHAP_A_SHA1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
	CHECK(hash_million_a(CHAP_A_SHA256,
			"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	CHECK(hash_million_a(CHAP_A_SHA3_256,
			"5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1"));
}

/*
 * Every length from 0 to 299 (all block boundaries of the four
 * algorithms): the digest of the concatenated digests, computed with
 * Python's hashlib.
 */
static int hash_all_lengths(int alg, const char *hex)
{
	const struct hash_alg *h = hash_by_chap_a(alg);
	uint8_t buf[300], d[HASH_MAX_LEN], got[HASH_MAX_LEN], want[HASH_MAX_LEN];
	union hash_ctx acc;
	size_t n;

	for (n = 0; n < sizeof(buf); n++)
		buf[n] = (n * 7 + 3) % 251;
	h->init(&acc);
	for (n = 0; n < 300; n++) {
		digest_of(alg, buf, n, d);
		h->update(&acc, d, h->len);
	}
	h->final(&acc, got);
	unhex(hex, want, h->len);
	return !memcmp(got, want, h->len);
}

TEST(all_lengths)
{
	CHECK(hash_all_lengths(CHAP_A_MD5, "a85c837262c99ae3a79a7d236543ba9f"));
	CHECK(hash_all_lengths(CHAP_A_SHA1, "4bb37593e201a54e61d92d779ec0ad9f68185b82"));
	CHECK(hash_all_lengths(CHAP_A_SHA256,
			  "9cd337883924caeaa48d05fbfe7491a714417cfe00cdd25f93d8f25b9a02638a"));
	CHECK(hash_all_lengths(CHAP_A_SHA3_256,
			  "c06d3af95ba6ba52e96df7c4d394bbdaf731d389075437c22a35452b82340128"));
}

TEST(hash_table)
{
	CHECK(hash_by_chap_a(5) && hash_by_chap_a(5)->len == 16);
	CHECK(hash_by_chap_a(6) && hash_by_chap_a(6)->len == 20);
	CHECK(hash_by_chap_a(7) && hash_by_chap_a(7)->len == 32);
	CHECK(hash_by_chap_a(8) && hash_by_chap_a(8)->len == 32);
	CHECK(!hash_by_chap_a(0));
	CHECK(!hash_by_chap_a(4));
	CHECK(!hash_by_chap_a(9));
	CHECK(!hash_by_chap_a(-1));
}

TEST(crc32c_rfc3720)
{
	uint8_t buf[48];
	int i;

	memset(buf, 0, 32);
	CHECK_EQ_U64(crc32c(0, buf, 32), 0x8a9136aa);
	memset(buf, 0xff, 32);
	CHECK_EQ_U64(crc32c(0, buf, 32), 0x62a8ab43);
	for (i = 0; i < 32; i++)
		buf[i] = i;
	CHECK_EQ_U64(crc32c(0, buf, 32), 0x46dd794e);
	for (i = 0; i < 32; i++)
		buf[i] = 31 - i;
	CHECK_EQ_U64(crc32c(0, buf, 32), 0x113fdb5c);
	CHECK_EQ_U64(crc32c(0, "123456789", 9), 0xe3069283);
	CHECK_EQ_U64(crc32c(0, "", 0), 0);
	/* incremental == one shot */
	CHECK_EQ_U64(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xe3069283);
}

/* An iSCSI Read (10) command PDU from RFC 3720 B.4 */
TEST(crc32c_rfc3720_pdu)
{
	static const uint8_t pdu[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
		0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	/* the RFC lists the digest bytes 0x56 0x3a 0x96 0xd9 */
	CHECK_EQ_U64(crc32c(0, pdu, sizeof(pdu)), 0xd9963a56);
}

TEST(chap_response_vectors)
{
	uint8_t chal[16], out[HASH_MAX_LEN], want[HASH_MAX_LEN];
	int i;

	for (i = 0; i < 16; i++)
		chal[i] = i;
	/* hashlib.new(alg, bytes([0x2a]) + b"alicesecret12" + chal) */
	CHECK_EQ_INT(chap_response(5, 0x2a, "alicesecret12", chal, 16, out), 16);
	unhex("9e0aeb3d1083833ff250776b6cfbb235", want, 16);
	CHECK_MEM(out, want, 16);
	CHECK_EQ_INT(chap_response(6, 0x2a, "alicesecret12", chal, 16, out), 20);
	unhex("94f6998d2a8b1310b73303dc1fc527f4baef521c", want, 20);
	CHECK_MEM(out, want, 20);
	CHECK_EQ_INT(chap_response(7, 0x2a, "alicesecret12", chal, 16, out), 32);
	unhex("f8296a49d3c700f1edcc54b4ae2a80f0121ec82299795c8bf33bbca2a02fbc7a",
	      want, 32);
	CHECK_MEM(out, want, 32);
	CHECK_EQ_INT(chap_response(8, 0x2a, "alicesecret12", chal, 16, out), 32);
	unhex("0a937fdba3a3fc19340fe69c32678678aa499dfb24683ba5d46fce8701df1713",
	      want, 32);
	CHECK_MEM(out, want, 32);
	CHECK(chap_response(4, 0x2a, "x", chal, 16, out) < 0);
}
