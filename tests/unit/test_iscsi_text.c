// SPDX-License-Identifier: GPL-2.0
/*
 * iscsi-scstd text keys: key=value parsing, value syntax (numbers,
 * booleans, lists, binary values), output buffers and PDU splitting, and
 * the CHAP_A choice.
 */
#include <errno.h>
#include "chap.h"
#include "text.h"
#include "unit.h"

static char buf[512];

/* Copy len bytes (may contain NULs) into buf, return buf */
static char *set(const char *s, size_t len)
{
	memcpy(buf, s, len);
	return buf;
}

#define PARSE(s, kv, max) text_parse(set(s, sizeof(s) - 1), sizeof(s) - 1, kv, max)

TEST(parse_basic)
{
	struct kv kv[8];

	CHECK_EQ_INT(PARSE("A=1\0B=two\0", kv, 8), 2);
	CHECK_STR(kv[0].key, "A");
	CHECK_STR(kv[0].val, "1");
	CHECK_STR(kv[1].key, "B");
	CHECK_STR(kv[1].val, "two");
	/* missing final NUL is tolerated */
	CHECK_EQ_INT(PARSE("A=1\0B=2", kv, 8), 2);
	CHECK_STR(kv[1].val, "2");
	/* empty strings between pairs are skipped */
	CHECK_EQ_INT(PARSE("\0\0A=1\0\0\0B=\0\0", kv, 8), 2);
	CHECK_STR(kv[1].key, "B");
	CHECK_STR(kv[1].val, "");
	/* '=' in the value belongs to the value */
	CHECK_EQ_INT(PARSE("K=a=b\0", kv, 8), 1);
	CHECK_STR(kv[0].val, "a=b");
	CHECK_EQ_INT(PARSE("", kv, 8), 0);
	CHECK_EQ_INT(PARSE("\0\0\0\0", kv, 8), 0);
}

TEST(parse_malformed)
{
	struct kv kv[2];

	CHECK_EQ_INT(PARSE("A\0", kv, 2), -EINVAL);
	CHECK_EQ_INT(PARSE("=1\0", kv, 2), -EINVAL);
	CHECK_EQ_INT(PARSE("A=1\0junk", kv, 2), -EINVAL);
	CHECK_EQ_INT(PARSE("A=1\0B=2\0C=3\0", kv, 2), -E2BIG);
}

TEST(numbers)
{
	uint64_t v;

	CHECK_EQ_INT(text_num("0", 10, &v), 0);
	CHECK_EQ_U64(v, 0);
	CHECK_EQ_INT(text_num("8192", 16777215, &v), 0);
	CHECK_EQ_U64(v, 8192);
	CHECK_EQ_INT(text_num("0x2000", 16777215, &v), 0);
	CHECK_EQ_U64(v, 8192);
	CHECK_EQ_INT(text_num("0XfF", 255, &v), 0);
	CHECK_EQ_U64(v, 255);
	CHECK_EQ_INT(text_num("000512", 1000, &v), 0);
	CHECK_EQ_U64(v, 512);
	CHECK_EQ_INT(text_num("16777216", 16777215, &v), -ERANGE);
	CHECK_EQ_INT(text_num("99999999999999999999999", UINT64_MAX, &v),
		     -ERANGE);
	CHECK_EQ_INT(text_num("18446744073709551615", UINT64_MAX, &v), 0);
	CHECK_EQ_U64(v, UINT64_MAX);
	CHECK_EQ_INT(text_num("", 10, &v), -EINVAL);
	CHECK_EQ_INT(text_num("0x", 10, &v), -EINVAL);
	CHECK_EQ_INT(text_num("-1", 10, &v), -EINVAL);
	CHECK_EQ_INT(text_num("+1", 10, &v), -EINVAL);
	CHECK_EQ_INT(text_num(" 1", 10, &v), -EINVAL);
	CHECK_EQ_INT(text_num("1 ", 10, &v), -EINVAL);
	CHECK_EQ_INT(text_num("12a", 1000, &v), -EINVAL);
	CHECK_EQ_INT(text_num("0x1g", 1000, &v), -EINVAL);
	CHECK_EQ_INT(text_num("Yes", 1000, &v), -EINVAL);
}

TEST(booleans)
{
	CHECK_EQ_INT(text_bool("Yes"), 1);
	CHECK_EQ_INT(text_bool("No"), 0);
	CHECK_EQ_INT(text_bool("yes"), -1);
	CHECK_EQ_INT(text_bool("NO"), -1);
	CHECK_EQ_INT(text_bool(""), -1);
	CHECK_EQ_INT(text_bool("Yes "), -1);
	CHECK_EQ_INT(text_bool("1"), -1);
}

TEST(lists)
{
	const char *pos = "CRC32C,None,,X", *it;
	size_t len;

	it = text_list_next(&pos, &len);
	CHECK(it && text_item_is(it, len, "CRC32C"));
	it = text_list_next(&pos, &len);
	CHECK(it && text_item_is(it, len, "None"));
	CHECK(!text_item_is(it, len, "Non"));
	CHECK(!text_item_is(it, len, "None2"));
	it = text_list_next(&pos, &len);
	CHECK(it && len == 0);
	it = text_list_next(&pos, &len);
	CHECK(it && text_item_is(it, len, "X"));
	CHECK(!text_list_next(&pos, &len));
	CHECK(!text_list_next(&pos, &len));

	pos = "";
	it = text_list_next(&pos, &len);
	CHECK(it && len == 0);
	CHECK(!text_list_next(&pos, &len));
}

TEST(binary_hex)
{
	uint8_t out[8];

	CHECK_EQ_INT(text_bin_decode("0x0102abCD", out, 8), 4);
	CHECK_MEM(out, "\x01\x02\xab\xcd", 4);
	CHECK_EQ_INT(text_bin_decode("0X1", out, 8), 1);
	CHECK_EQ_INT(out[0], 1);
	/* an odd number of digits implies a leading zero */
	CHECK_EQ_INT(text_bin_decode("0xabc", out, 8), 2);
	CHECK_MEM(out, "\x0a\xbc", 2);
	CHECK_EQ_INT(text_bin_decode("0x", out, 8), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0xzz", out, 8), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0x0g", out, 8), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0102", out, 8), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("", out, 8), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0x112233445566778899", out, 8), -E2BIG);
	CHECK_EQ_INT(text_bin_decode("0x1122334455667788", out, 8), 8);
}

TEST(binary_base64)
{
	uint8_t out[16];

	CHECK_EQ_INT(text_bin_decode("0bTWFu", out, 16), 3);
	CHECK_MEM(out, "Man", 3);
	CHECK_EQ_INT(text_bin_decode("0bTWE=", out, 16), 2);
	CHECK_MEM(out, "Ma", 2);
	CHECK_EQ_INT(text_bin_decode("0bTQ==", out, 16), 1);
	CHECK_MEM(out, "M", 1);
	CHECK_EQ_INT(text_bin_decode("0BTWE", out, 16), 2);
	CHECK_EQ_INT(text_bin_decode("0b+/+/", out, 16), 3);
	CHECK_MEM(out, "\xfb\xff\xbf", 3);
	CHECK_EQ_INT(text_bin_decode("0b", out, 16), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0bT", out, 16), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0bTW=E", out, 16), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0bTWE==", out, 16), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0bTR==", out, 16), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0bTW!u", out, 16), -EINVAL);
	CHECK_EQ_INT(text_bin_decode("0bAAAAAAAAAAAAAAAAAAAAAAAA", out, 16),
		     -E2BIG);
}

TEST(hex_encode)
{
	char out[16];

	text_hex_encode((const uint8_t *)"\x00\x9f\xff", 3, out);
	CHECK_STR(out, "0x009fff");
	text_hex_encode(NULL, 0, out);
	CHECK_STR(out, "0x");
}

TEST(names)
{
	char long_name[300];

	CHECK(text_name_ok("iqn.2024-01.com.example:t1", 224, false));
	CHECK(!text_name_ok("", 224, false));
	CHECK(!text_name_ok("iqn.x y", 224, false));
	CHECK(text_name_ok("My Alias", 256, true));
	CHECK(!text_name_ok("tab\there", 256, true));
	CHECK(!text_name_ok("del\x7f", 256, true));
	CHECK(!text_name_ok("hi\x80", 256, true));
	memset(long_name, 'a', sizeof(long_name));
	long_name[223] = '\0';
	CHECK(text_name_ok(long_name, 224, false));
	long_name[223] = 'a';
	long_name[224] = '\0';
	CHECK(!text_name_ok(long_name, 224, false));
}

TEST(tbuf_limits)
{
	struct tbuf t;

	tbuf_init(&t, 16);
	CHECK_EQ_INT(tbuf_add(&t, "A", "1"), 0);
	CHECK_EQ_INT(t.len, 4);
	CHECK_MEM(t.buf, "A=1\0", 4);
	CHECK_EQ_INT(tbuf_addf(&t, "B", "%d", 22), 0);
	CHECK_EQ_INT(t.len, 9);
	/* does not fit: nothing of it is added, overflow sticks */
	CHECK_EQ_INT(tbuf_add(&t, "Long", "value"), -ENOSPC);
	CHECK_EQ_INT(t.len, 9);
	CHECK(t.overflow);
	CHECK_EQ_INT(tbuf_add(&t, "C", ""), -ENOSPC);
	tbuf_reset(&t);
	CHECK(!t.overflow);
	CHECK_EQ_INT(t.len, 0);
	CHECK_EQ_INT(tbuf_put(&t, "0123456789abcdef", 16), 0);
	CHECK_EQ_INT(tbuf_put(&t, "x", 1), -ENOSPC);
	tbuf_free(&t);
	CHECK(!t.buf && !t.len && t.max == 16);

	/* growth over many small appends */
	tbuf_init(&t, 1 << 20);
	for (int i = 0; i < 10000; i++)
		CHECK_EQ_INT(tbuf_addf(&t, "K", "%05d", i), 0);
	CHECK_EQ_INT(t.len, 10000 * 8);
	CHECK_MEM(t.buf + 8 * 9999, "K=09999\0", 8);
	tbuf_free(&t);
}

TEST(chunks)
{
	static const char text[] = "AAAA=1\0BB=22\0C=333\0";
	size_t len = sizeof(text) - 1;	/* 19 */

	CHECK_EQ_INT(text_chunk_len(text, len, 100), 19);
	CHECK_EQ_INT(text_chunk_len(text, len, 19), 19);
	/* cut after the last NUL in the window */
	CHECK_EQ_INT(text_chunk_len(text, len, 18), 13);
	CHECK_EQ_INT(text_chunk_len(text, len, 13), 13);
	CHECK_EQ_INT(text_chunk_len(text, len, 12), 7);
	/* a pair longer than the window is split inside */
	CHECK_EQ_INT(text_chunk_len(text, len, 6), 6);
	CHECK_EQ_INT(text_chunk_len(text + 7, len - 7, 3), 3);
	CHECK_EQ_INT(text_chunk_len(text, 0, 8192), 0);
}

TEST(chap_algorithms)
{
	CHECK_EQ_INT(chap_select_alg("5"), 5);
	CHECK_EQ_INT(chap_select_alg("5,6,7"), 7);
	CHECK_EQ_INT(chap_select_alg("7,5"), 7);
	CHECK_EQ_INT(chap_select_alg("6,5"), 6);
	CHECK_EQ_INT(chap_select_alg("8,7,6,5"), 8);
	CHECK_EQ_INT(chap_select_alg("5,0x8"), 8);
	CHECK_EQ_INT(chap_select_alg("128,5"), 5);
	CHECK_EQ_INT(chap_select_alg("4294967295,6"), 6);
	CHECK_EQ_INT(chap_select_alg("1,2,3"), -ENOENT);
	CHECK_EQ_INT(chap_select_alg("5,"), -EINVAL);
	CHECK_EQ_INT(chap_select_alg(""), -EINVAL);
	CHECK_EQ_INT(chap_select_alg("MD5"), -EINVAL);
	CHECK_EQ_INT(chap_select_alg("99999999999"), -EINVAL);
	CHECK_EQ_INT(chap_challenge_len(5), 16);
	CHECK_EQ_INT(chap_challenge_len(6), 20);
	CHECK_EQ_INT(chap_challenge_len(7), 32);
	CHECK_EQ_INT(chap_challenge_len(8), 32);
	CHECK(chap_equal((const uint8_t *)"abc", (const uint8_t *)"abc", 3));
	CHECK(!chap_equal((const uint8_t *)"abc", (const uint8_t *)"abd", 3));
	CHECK(chap_equal((const uint8_t *)"", (const uint8_t *)"", 0));
}
