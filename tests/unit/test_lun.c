// SPDX-License-Identifier: GPL-2.0
/* Initiator name wildcards, group membership and LUN encoding. */

#include "scst_pure.h"
#include "unit.h"

TEST(wildcard_basic)
{
	CHECK(scst_wildcard_match("", ""));
	CHECK(!scst_wildcard_match("", "a"));
	CHECK(!scst_wildcard_match("a", ""));
	CHECK(scst_wildcard_match("abc", "abc"));
	CHECK(!scst_wildcard_match("abc", "abcd"));
	CHECK(!scst_wildcard_match("abcd", "abc"));
	CHECK(scst_wildcard_match("*", ""));
	CHECK(scst_wildcard_match("*", "anything at all"));
	CHECK(scst_wildcard_match("**", "x"));
	CHECK(scst_wildcard_match("a**b", "ab"));
	CHECK(scst_wildcard_match("?", "a"));
	CHECK(!scst_wildcard_match("?", ""));
	CHECK(!scst_wildcard_match("??", "a"));
	CHECK(scst_wildcard_match("?*", "a"));
	CHECK(!scst_wildcard_match("?*", ""));
}

TEST(wildcard_backtracking)
{
	CHECK(scst_wildcard_match("a*c", "abcbc"));
	CHECK(!scst_wildcard_match("a*c", "abcb"));
	CHECK(scst_wildcard_match("*b*", "abc"));
	CHECK(!scst_wildcard_match("*b*", "acd"));
	CHECK(scst_wildcard_match("*.example.com", "h1.example.com"));
	CHECK(!scst_wildcard_match("*.example.com", "example.com"));
	CHECK(scst_wildcard_match("a*b?d*e", "axxbcdyye"));
	CHECK(!scst_wildcard_match("a*b?d*e", "axxbcdyy"));
	CHECK(!scst_wildcard_match("*x", "xxxxxxxxxxxxxxxxxxxxy"));
	CHECK(!scst_wildcard_match("*a*a*a*a*a*a*a*b",
				   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	CHECK(scst_wildcard_match("*a*a*a*a*a*a*a*b",
				  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
}

TEST(wildcard_iscsi_names)
{
	CHECK(scst_wildcard_match("iqn.1994-05.com.redhat:*",
				  "iqn.1994-05.com.redhat:4fa6b3c9e21"));
	CHECK(!scst_wildcard_match("iqn.1994-05.com.redhat:*",
				   "iqn.1991-05.com.microsoft:win"));
	/* case-insensitive */
	CHECK(scst_wildcard_match("IQN.*:HOST?", "iqn.2000-01.x:host1"));
	CHECK(scst_wildcard_match("iqn.x:Host1", "IQN.X:HOST1"));
	CHECK(!scst_wildcard_match("iqn.x:host1", "iqn.x:host2"));
}

TEST(initiator_groups)
{
	static const char *const pos[] = { "iqn.*", "eui.1234" };
	static const char *const mixed[] = { "iqn.*", "!iqn.bad*" };
	static const char *const neg_first[] = { "!x*", "*" };
	static const char *const neg_only[] = { "!iqn.bad*", "!eui.*" };
	static const char *const exact[] = { "host1", "host2" };

	CHECK(scst_initiator_matches("iqn.a", pos, 2));
	CHECK(scst_initiator_matches("EUI.1234", pos, 2));
	CHECK(!scst_initiator_matches("eui.12345", pos, 2));
	CHECK(!scst_initiator_matches("naa.1", pos, 2));

	CHECK(scst_initiator_matches("iqn.good", mixed, 2));
	CHECK(!scst_initiator_matches("iqn.bad1", mixed, 2));
	CHECK(!scst_initiator_matches("eui.x", mixed, 2));

	/* a negation wins whatever its position */
	CHECK(!scst_initiator_matches("xy", neg_first, 2));
	CHECK(scst_initiator_matches("yx", neg_first, 2));

	/* only negated patterns: everything else matches */
	CHECK(scst_initiator_matches("iqn.good", neg_only, 2));
	CHECK(!scst_initiator_matches("iqn.bad", neg_only, 2));
	CHECK(!scst_initiator_matches("eui.1", neg_only, 2));
	CHECK(scst_initiator_matches("x", neg_only, 1));

	CHECK(scst_initiator_matches("host1", exact, 2));
	CHECK(scst_initiator_matches("HOST2", exact, 2));
	CHECK(!scst_initiator_matches("host3", exact, 2));
	/* only the first n patterns count */
	CHECK(!scst_initiator_matches("host2", exact, 1));
	CHECK(!scst_initiator_matches("host1", exact, 0));
}

TEST(unpack_lun)
{
	static const u8 periph5[8] = { 0x00, 0x05 };
	static const u8 periph255[8] = { 0x00, 0xff };
	static const u8 flat5[8] = { 0x40, 0x05 };
	static const u8 flat_max[8] = { 0x7f, 0xff };
	static const u8 flat0[8] = { 0x40, 0x00 };
	static const u8 bus1[8] = { 0x01, 0x05 };
	static const u8 lu_addr[8] = { 0x80, 0x05 };
	static const u8 wlun[8] = { 0xc1, 0x01 };
	static const u8 level2[8] = { 0x00, 0x01, 0x00, 0x02 };
	static const u8 byte7[8] = { 0x00, 0x01, 0, 0, 0, 0, 0, 0x01 };
	static const u8 long_lun[16] = { 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0xff };
	bool ok = false;

	CHECK_EQ_U64(scst_unpack_lun(periph5, 8, &ok), 5);
	CHECK(ok);
	CHECK_EQ_U64(scst_unpack_lun(periph255, 8, &ok), 255);
	CHECK(ok);
	CHECK_EQ_U64(scst_unpack_lun(flat5, 8, &ok), 5);
	CHECK(ok);
	CHECK_EQ_U64(scst_unpack_lun(flat_max, 8, &ok), 16383);
	CHECK(ok);
	CHECK_EQ_U64(scst_unpack_lun(flat0, 8, &ok), 0);
	CHECK(ok);
	/* shorter fields: the missing bytes are zero */
	CHECK_EQ_U64(scst_unpack_lun(flat5, 2, &ok), 5);
	CHECK(ok);
	CHECK_EQ_U64(scst_unpack_lun(flat5, 1, &ok), 0);
	CHECK(ok);
	/* only the 8 byte LUN counts */
	CHECK_EQ_U64(scst_unpack_lun(long_lun, 16, &ok), 7);
	CHECK(ok);
	CHECK_EQ_U64(scst_unpack_lun(periph5, 8, NULL), 5);

	ok = true;
	CHECK_EQ_U64(scst_unpack_lun(bus1, 8, &ok), U64_MAX);
	CHECK(!ok);
	ok = true;
	CHECK_EQ_U64(scst_unpack_lun(lu_addr, 8, &ok), U64_MAX);
	CHECK(!ok);
	ok = true;
	scst_unpack_lun(wlun, 8, &ok);
	CHECK(!ok);
	ok = true;
	scst_unpack_lun(level2, 8, &ok);
	CHECK(!ok);
	ok = true;
	scst_unpack_lun(byte7, 8, &ok);
	CHECK(!ok);
	ok = true;
	scst_unpack_lun(periph5, 0, &ok);
	CHECK(!ok);
	ok = true;
	scst_unpack_lun(NULL, 8, &ok);
	CHECK(!ok);
}

TEST(pack_lun)
{
	static const u8 exp0[8] = { 0 };
	static const u8 exp5[8] = { 0x00, 0x05 };
	static const u8 exp255[8] = { 0x00, 0xff };
	static const u8 exp256[8] = { 0x41, 0x00 };
	static const u8 exp_max[8] = { 0x7f, 0xff };
	static const u8 flat0[8] = { 0x40, 0x00 };
	static const u8 flat5[8] = { 0x40, 0x05 };
	u8 out[8];

	memset(out, 0xaa, sizeof(out));
	scst_pack_lun(0, SCST_LUN_ADDR_METHOD_PERIPHERAL, out);
	CHECK_MEM(out, exp0, 8);
	scst_pack_lun(5, SCST_LUN_ADDR_METHOD_PERIPHERAL, out);
	CHECK_MEM(out, exp5, 8);
	scst_pack_lun(255, SCST_LUN_ADDR_METHOD_PERIPHERAL, out);
	CHECK_MEM(out, exp255, 8);
	scst_pack_lun(256, SCST_LUN_ADDR_METHOD_PERIPHERAL, out);
	CHECK_MEM(out, exp256, 8);
	scst_pack_lun(SCST_MAX_LUN, SCST_LUN_ADDR_METHOD_PERIPHERAL, out);
	CHECK_MEM(out, exp_max, 8);

	memset(out, 0xaa, sizeof(out));
	scst_pack_lun(0, SCST_LUN_ADDR_METHOD_FLAT, out);
	CHECK_MEM(out, flat0, 8);
	scst_pack_lun(5, SCST_LUN_ADDR_METHOD_FLAT, out);
	CHECK_MEM(out, flat5, 8);
	scst_pack_lun(256, SCST_LUN_ADDR_METHOD_FLAT, out);
	CHECK_MEM(out, exp256, 8);

	scst_pack_lun(5, SCST_LUN_ADDR_METHOD_LUN, out);
	CHECK_MEM(out, exp5, 8);
}

TEST(pack_unpack_round_trip)
{
	unsigned int lun, bad = 0;
	u8 out[8];
	bool ok;

	for (lun = 0; lun <= SCST_MAX_LUN; lun++) {
		scst_pack_lun(lun, SCST_LUN_ADDR_METHOD_PERIPHERAL, out);
		if (scst_unpack_lun(out, 8, &ok) != lun || !ok)
			bad++;
		scst_pack_lun(lun, SCST_LUN_ADDR_METHOD_FLAT, out);
		if (scst_unpack_lun(out, 8, &ok) != lun || !ok)
			bad++;
		if (out[0] >> 6 != 1)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
}

static bool io_match(int gt, const char *gi, unsigned long ga,
		     int nt, const char *ni, unsigned long na)
{
	struct scst_io_group_key g = { gt, gi, ga }, n = { nt, ni, na };

	return scst_io_group_key_match(&g, &n);
}

TEST(io_group_auto_by_initiator)
{
	CHECK(io_match(SCST_IO_GROUPING_AUTO, "iqn.a", 1,
		       SCST_IO_GROUPING_AUTO, "iqn.a", 2));
	CHECK(!io_match(SCST_IO_GROUPING_AUTO, "iqn.a", 1,
			SCST_IO_GROUPING_AUTO, "iqn.b", 1));
	CHECK(!io_match(SCST_IO_GROUPING_AUTO, NULL, 1,
			SCST_IO_GROUPING_AUTO, NULL, 1));
	/* formed under another rule */
	CHECK(!io_match(SCST_IO_GROUPING_AUTO, "iqn.a", 1,
			SCST_IO_GROUPING_THIS_ONLY, "iqn.a", 1));
}

TEST(io_group_this_group_only_never_numbered)
{
	CHECK(io_match(SCST_IO_GROUPING_THIS_ONLY, "iqn.a", 7,
		       SCST_IO_GROUPING_THIS_ONLY, "iqn.b", 7));
	CHECK(!io_match(SCST_IO_GROUPING_THIS_ONLY, "iqn.a", 7,
			SCST_IO_GROUPING_THIS_ONLY, "iqn.a", 8));
	CHECK(!io_match(SCST_IO_GROUPING_NEVER, "iqn.a", 7,
			SCST_IO_GROUPING_NEVER, "iqn.a", 7));
	CHECK(io_match(3, "iqn.a", 1, 3, "iqn.b", 2));
	CHECK(!io_match(3, "iqn.a", 1, 4, "iqn.a", 1));
	CHECK(!io_match(3, "iqn.a", 1, SCST_IO_GROUPING_AUTO, "iqn.a", 1));
}
