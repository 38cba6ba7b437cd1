// SPDX-License-Identifier: GPL-2.0
/* Sense data building, parsing and conversion (SPC-4 4.5). */

#include "scst_pure.h"
#include "unit.h"

#define FILL 0xaa

static u8 buf[SCST_SENSE_BUFFERSIZE + 8];

static void prefill(void)
{
	memset(buf, FILL, sizeof(buf));
}

static bool untouched_from(int off)
{
	size_t i;

	for (i = off; i < sizeof(buf); i++)
		if (buf[i] != FILL)
			return false;
	return true;
}

TEST(load_sense_macro)
{
	const u8 v[] = { SCST_LOAD_SENSE(scst_sense_invalid_field_in_cdb) };
	const u8 w[] = { SCST_LOAD_SENSE(scst_sense_reported_luns_data_changed) };
	const u8 x[] = { SCST_LOAD_SENSE(scst_sense_ack_nak_timeout) };

	CHECK_EQ_INT(sizeof(v), 3);
	CHECK_EQ_INT(v[0], ILLEGAL_REQUEST);
	CHECK_EQ_INT(v[1], 0x24);
	CHECK_EQ_INT(v[2], 0x00);
	CHECK_EQ_INT(w[0], UNIT_ATTENTION);
	CHECK_EQ_INT(w[1], 0x3f);
	CHECK_EQ_INT(w[2], 0x0e);
	CHECK_EQ_INT(x[0], ABORTED_COMMAND);
	CHECK_EQ_INT(x[1], 0x4b);
	CHECK_EQ_INT(x[2], 0x03);
}

TEST(fixed_layout)
{
	static const u8 exp[18] = {
		0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
		0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	prefill();
	CHECK_EQ_INT(scst_build_sense(buf, SCST_SENSE_BUFFERSIZE, false,
			SCST_LOAD_SENSE(scst_sense_invalid_field_in_cdb)), 18);
	CHECK_MEM(buf, exp, sizeof(exp));
	CHECK(untouched_from(18));
	CHECK_EQ_INT(SCST_STANDARD_SENSE_LEN, 18);
}

TEST(fixed_layout_ascq)
{
	static const u8 exp[18] = {
		0x70, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
		0x00, 0x00, 0x29, 0x07, 0x00, 0x00, 0x00, 0x00,
	};

	prefill();
	CHECK_EQ_INT(scst_build_sense(buf, 18, false,
			SCST_LOAD_SENSE(scst_sense_nexus_loss_UA)), 18);
	CHECK_MEM(buf, exp, sizeof(exp));
	/* only the sense key nibble is used */
	CHECK_EQ_INT(scst_build_sense(buf, 18, false, 0xf3, 1, 2), 18);
	CHECK_EQ_INT(buf[2], 0x03);
}

TEST(descriptor_layout)
{
	static const u8 exp[8] = {
		0x72, 0x02, 0x3a, 0x00, 0x00, 0x00, 0x00, 0x00,
	};

	prefill();
	CHECK_EQ_INT(scst_build_sense(buf, SCST_SENSE_BUFFERSIZE, true,
			SCST_LOAD_SENSE(scst_sense_medium_not_present)), 8);
	CHECK_MEM(buf, exp, sizeof(exp));
	CHECK(untouched_from(8));
}

TEST(sks_fixed)
{
	static const u8 exp[18] = {
		0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
		0x00, 0x00, 0x24, 0x00, 0x00, 0xcc, 0x00, 0x02,
	};

	prefill();
	CHECK_EQ_INT(scst_build_sense_sks(buf, SCST_SENSE_BUFFERSIZE, false,
			SCST_LOAD_SENSE(scst_sense_invalid_field_in_cdb),
			true, 2, 4), 18);
	CHECK_MEM(buf, exp, sizeof(exp));
	CHECK(untouched_from(18));

	/* no bit pointer: BPV 0 */
	scst_build_sense_sks(buf, 18, false, ILLEGAL_REQUEST, 0x24, 0,
			     true, 0x1234, -1);
	CHECK_EQ_INT(buf[15], 0xc0);
	CHECK_EQ_INT(buf[16], 0x12);
	CHECK_EQ_INT(buf[17], 0x34);

	/* parameter list: C/D 0 */
	scst_build_sense_sks(buf, 18, false, ILLEGAL_REQUEST, 0x26, 0,
			     false, 7, 0);
	CHECK_EQ_INT(buf[15], 0x88);
	CHECK_EQ_INT(buf[16], 0x00);
	CHECK_EQ_INT(buf[17], 0x07);
	CHECK_EQ_INT(buf[12], 0x26);
}

TEST(sks_descriptor)
{
	static const u8 exp[16] = {
		0x72, 0x05, 0x24, 0x00, 0x00, 0x00, 0x00, 0x08,
		0x02, 0x06, 0x00, 0x00, 0xcf, 0x00, 0x0a, 0x00,
	};

	prefill();
	CHECK_EQ_INT(scst_build_sense_sks(buf, SCST_SENSE_BUFFERSIZE, true,
			SCST_LOAD_SENSE(scst_sense_invalid_field_in_cdb),
			true, 10, 7), 16);
	CHECK_MEM(buf, exp, sizeof(exp));
	CHECK(untouched_from(16));
}

TEST(set_info_fixed)
{
	u8 before[18];

	prefill();
	scst_build_sense(buf, SCST_SENSE_BUFFERSIZE, false,
			 SCST_LOAD_SENSE(scst_sense_miscompare_error));
	CHECK_EQ_INT(scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE,
					 0x12345678), 18);
	CHECK_EQ_INT(buf[0], 0xf0);
	CHECK_EQ_INT(buf[3], 0x12);
	CHECK_EQ_INT(buf[4], 0x34);
	CHECK_EQ_INT(buf[5], 0x56);
	CHECK_EQ_INT(buf[6], 0x78);
	CHECK_EQ_INT(buf[7], 0x0a);
	CHECK(untouched_from(18));

	/* does not fit in 4 bytes: unchanged */
	memcpy(before, buf, sizeof(before));
	CHECK_EQ_INT(scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE,
					 0x100000000ULL), -ERANGE);
	CHECK_MEM(buf, before, sizeof(before));

	/* too short to hold the INFORMATION field */
	CHECK_EQ_INT(scst_sense_set_info(buf, 6, 1), -EINVAL);
	/* not sense data */
	buf[0] = 0x00;
	CHECK_EQ_INT(scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE, 1),
		     -EINVAL);
	CHECK_EQ_INT(scst_sense_set_info(NULL, 18, 1), -EINVAL);
}

TEST(set_info_descriptor)
{
	static const u8 exp[20] = {
		0x72, 0x0e, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x0c,
		0x00, 0x0a, 0x80, 0x00, 0x01, 0x02, 0x03, 0x04,
		0x05, 0x06, 0x07, 0x08,
	};

	prefill();
	scst_build_sense(buf, SCST_SENSE_BUFFERSIZE, true,
			 SCST_LOAD_SENSE(scst_sense_miscompare_error));
	CHECK_EQ_INT(scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE,
					 0x0102030405060708ULL), 20);
	CHECK_MEM(buf, exp, sizeof(exp));
	CHECK(untouched_from(20));

	/* an existing information descriptor is updated in place */
	CHECK_EQ_INT(scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE, 5), 20);
	CHECK_EQ_INT(buf[7], 0x0c);
	CHECK_EQ_INT(buf[19], 0x05);
	CHECK_EQ_INT(buf[12], 0x00);
	CHECK(untouched_from(20));
	/* and gets its VALID bit set */
	buf[10] = 0x00;
	CHECK_EQ_INT(scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE, 6), 20);
	CHECK_EQ_INT(buf[10], 0x80);
	CHECK_EQ_INT(buf[19], 0x06);

	/* appended after other descriptors */
	prefill();
	scst_build_sense_sks(buf, SCST_SENSE_BUFFERSIZE, true,
			     ILLEGAL_REQUEST, 0x24, 0, true, 1, -1);
	CHECK_EQ_INT(scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE, 9), 28);
	CHECK_EQ_INT(buf[7], 20);
	CHECK_EQ_INT(buf[8], 0x02);
	CHECK_EQ_INT(buf[16], 0x00);
	CHECK_EQ_INT(buf[17], 0x0a);
	CHECK_EQ_INT(buf[18], 0x80);
	CHECK_EQ_INT(buf[27], 0x09);
	CHECK(untouched_from(28));

	/* no room */
	prefill();
	scst_build_sense(buf, 8, true, ILLEGAL_REQUEST, 0x24, 0);
	CHECK_EQ_INT(scst_sense_set_info(buf, 19, 1), -ENOSPC);
	CHECK_EQ_INT(buf[7], 0);
	CHECK_EQ_INT(scst_sense_set_info(buf, 20, 1), 20);
	/* header claims more than the buffer */
	buf[7] = 200;
	CHECK_EQ_INT(scst_sense_set_info(buf, 40, 1), -EINVAL);
}

TEST(parse_fixed_and_descriptor)
{
	u8 key = 0, asc = 0, ascq = 0;

	scst_build_sense(buf, 18, false, UNIT_ATTENTION, 0x2a, 0x09);
	CHECK(scst_sense_parse(buf, 18, &key, &asc, &ascq));
	CHECK_EQ_INT(key, UNIT_ATTENTION);
	CHECK_EQ_INT(asc, 0x2a);
	CHECK_EQ_INT(ascq, 0x09);

	scst_build_sense(buf, 8, true, DATA_PROTECT, 0x27, 0x01);
	CHECK(scst_sense_parse(buf, 8, &key, &asc, &ascq));
	CHECK_EQ_INT(key, DATA_PROTECT);
	CHECK_EQ_INT(asc, 0x27);
	CHECK_EQ_INT(ascq, 0x01);

	/* deferred errors and the VALID bit */
	scst_build_sense(buf, 18, false, MEDIUM_ERROR, 0x0c, 0x00);
	buf[0] = 0xf1;
	CHECK(scst_sense_parse(buf, 18, &key, &asc, NULL));
	CHECK_EQ_INT(key, MEDIUM_ERROR);
	CHECK_EQ_INT(asc, 0x0c);
	buf[0] = 0x73;
	buf[1] = HARDWARE_ERROR;
	CHECK(scst_sense_parse(buf, 8, &key, NULL, NULL));
	CHECK_EQ_INT(key, HARDWARE_ERROR);
	CHECK(scst_sense_parse(buf, 8, NULL, NULL, NULL));
}

TEST(parse_invalid_and_short)
{
	u8 key = 0xff, asc = 0xff, ascq = 0xff;

	memset(buf, 0, 18);
	CHECK(!scst_sense_parse(buf, 18, &key, &asc, &ascq));
	buf[0] = 0x7f;
	CHECK(!scst_sense_parse(buf, 18, &key, &asc, &ascq));
	buf[0] = 0x74;
	CHECK(!scst_sense_parse(buf, 18, &key, &asc, &ascq));
	CHECK(!scst_sense_parse(NULL, 18, &key, &asc, &ascq));

	scst_build_sense(buf, 18, false, ILLEGAL_REQUEST, 0x20, 0x00);
	CHECK(!scst_sense_parse(buf, 0, &key, &asc, &ascq));
	CHECK(!scst_sense_parse(buf, 2, &key, &asc, &ascq));
	/* key only */
	CHECK(scst_sense_parse(buf, 3, &key, &asc, &ascq));
	CHECK_EQ_INT(key, ILLEGAL_REQUEST);
	CHECK_EQ_INT(asc, 0);
	CHECK_EQ_INT(ascq, 0);
	CHECK(scst_sense_parse(buf, 13, &key, &asc, &ascq));
	CHECK_EQ_INT(asc, 0x20);
	/* ADDITIONAL SENSE LENGTH too small to cover the ASC */
	buf[7] = 4;
	CHECK(scst_sense_parse(buf, 18, &key, &asc, &ascq));
	CHECK_EQ_INT(asc, 0);

	scst_build_sense(buf, 8, true, ILLEGAL_REQUEST, 0x20, 0x01);
	CHECK(!scst_sense_parse(buf, 3, &key, &asc, &ascq));
	CHECK(scst_sense_parse(buf, 4, &key, &asc, &ascq));
	CHECK_EQ_INT(ascq, 0x01);
}

TEST(short_buffers)
{
	u8 full[18];

	scst_build_sense(full, sizeof(full), false, ILLEGAL_REQUEST, 0x24,
			 0);
	prefill();
	CHECK_EQ_INT(scst_build_sense(buf, 10, false, ILLEGAL_REQUEST, 0x24,
				      0), 10);
	CHECK_MEM(buf, full, 10);
	CHECK(untouched_from(10));

	prefill();
	CHECK_EQ_INT(scst_build_sense(buf, 0, false, ILLEGAL_REQUEST, 0x24,
				      0), 0);
	CHECK_EQ_INT(scst_build_sense(buf, -5, true, ILLEGAL_REQUEST, 0x24,
				      0), 0);
	CHECK(untouched_from(0));

	prefill();
	CHECK_EQ_INT(scst_build_sense_sks(buf, 12, true, ILLEGAL_REQUEST,
					  0x24, 0, true, 1, 1), 12);
	CHECK_EQ_INT(buf[7], 8);
	CHECK_EQ_INT(buf[8], 0x02);
	CHECK(untouched_from(12));
}

TEST(convert_fixed_to_descriptor)
{
	u8 fixed[18], desc[SCST_SENSE_BUFFERSIZE], back[SCST_SENSE_BUFFERSIZE];
	static const u8 exp[28] = {
		0x72, 0x05, 0x24, 0x00, 0x00, 0x00, 0x00, 0x14,
		0x00, 0x0a, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x12, 0x34, 0x56, 0x78,
		0x02, 0x06, 0x00, 0x00, 0xcb, 0x00, 0x05, 0x00,
	};

	scst_build_sense_sks(fixed, sizeof(fixed), false, ILLEGAL_REQUEST,
			     0x24, 0x00, true, 5, 3);
	CHECK_EQ_INT(scst_sense_set_info(fixed, sizeof(fixed), 0x12345678),
		     18);

	memset(desc, FILL, sizeof(desc));
	CHECK_EQ_INT(scst_sense_convert(fixed, sizeof(fixed), desc,
					sizeof(desc), true), 28);
	CHECK_MEM(desc, exp, sizeof(exp));
	CHECK_EQ_INT(desc[28], FILL);

	/* and back */
	CHECK_EQ_INT(scst_sense_convert(desc, 28, back, sizeof(back), false),
		     18);
	CHECK_MEM(back, fixed, sizeof(fixed));
}

TEST(convert_csi_and_deferred)
{
	u8 fixed[18], desc[64], back[18];

	scst_build_sense(fixed, sizeof(fixed), false, MEDIUM_ERROR, 0x11, 0);
	fixed[0] = 0x71;
	fixed[8] = 0xde;
	fixed[11] = 0x01;
	CHECK_EQ_INT(scst_sense_convert(fixed, 18, desc, sizeof(desc), true),
		     20);
	CHECK_EQ_INT(desc[0], 0x73);
	CHECK_EQ_INT(desc[1], MEDIUM_ERROR);
	CHECK_EQ_INT(desc[2], 0x11);
	CHECK_EQ_INT(desc[7], 12);
	CHECK_EQ_INT(desc[8], 0x01);
	CHECK_EQ_INT(desc[9], 0x0a);
	CHECK_EQ_INT(desc[16], 0xde);
	CHECK_EQ_INT(desc[19], 0x01);
	CHECK_EQ_INT(scst_sense_convert(desc, 20, back, sizeof(back), false),
		     18);
	CHECK_MEM(back, fixed, sizeof(fixed));
}

TEST(convert_drops_wide_info)
{
	u8 desc[SCST_SENSE_BUFFERSIZE], fixed[18];
	u64 info = 0;

	scst_build_sense(desc, sizeof(desc), true, MEDIUM_ERROR, 0x11, 0);
	scst_sense_set_info(desc, sizeof(desc), 0x100000001ULL);
	CHECK(scst_sense_get_info(desc, sizeof(desc), &info));
	CHECK_EQ_U64(info, 0x100000001ULL);
	CHECK_EQ_INT(scst_sense_convert(desc, sizeof(desc), fixed,
					sizeof(fixed), false), 18);
	CHECK_EQ_INT(fixed[0], 0x70);
	CHECK_EQ_INT(fixed[3] | fixed[4] | fixed[5] | fixed[6], 0);
	CHECK(!scst_sense_get_info(fixed, sizeof(fixed), &info));
}

TEST(convert_same_format_and_in_place)
{
	u8 s[SCST_SENSE_BUFFERSIZE], out[SCST_SENSE_BUFFERSIZE];
	u8 key, asc, ascq;

	scst_build_sense_sks(s, sizeof(s), true, ILLEGAL_REQUEST, 0x26, 0x02,
			     false, 3, -1);
	memset(out, FILL, sizeof(out));
	CHECK_EQ_INT(scst_sense_convert(s, sizeof(s), out, sizeof(out),
					true), 16);
	CHECK_MEM(out, s, 16);
	CHECK_EQ_INT(out[16], FILL);

	/* same format: copied as is, with descriptors not understood */
	s[7] += 4;
	s[16] = 0x80;	/* vendor specific descriptor */
	s[17] = 0x02;
	s[18] = 0x5a;
	s[19] = 0xa5;
	CHECK_EQ_INT(scst_sense_convert(s, sizeof(s), out, sizeof(out),
					true), 20);
	CHECK_MEM(out, s, 20);
	s[7] -= 4;

	/* in place, descriptor to fixed */
	CHECK_EQ_INT(scst_sense_convert(s, 16, s, sizeof(s), false), 18);
	CHECK_EQ_INT(s[0], 0x70);
	CHECK(scst_sense_parse(s, 18, &key, &asc, &ascq));
	CHECK_EQ_INT(key, ILLEGAL_REQUEST);
	CHECK_EQ_INT(asc, 0x26);
	CHECK_EQ_INT(ascq, 0x02);
	CHECK_EQ_INT(s[15], 0x80);
	CHECK_EQ_INT(s[17], 0x03);

	/* truncated output */
	memset(out, FILL, sizeof(out));
	CHECK_EQ_INT(scst_sense_convert(s, 18, out, 9, true), 9);
	CHECK_EQ_INT(out[0], 0x72);
	CHECK_EQ_INT(out[8], 0x02);
	CHECK_EQ_INT(out[9], FILL);

	memset(s, 0, sizeof(s));
	CHECK_EQ_INT(scst_sense_convert(s, sizeof(s), out, sizeof(out),
					true), -EINVAL);
}

TEST(matches_and_length)
{
	scst_build_sense(buf, 18, false,
			 SCST_LOAD_SENSE(scst_sense_reset_UA));
	CHECK(scst_sense_matches(buf, 18,
				 SCST_LOAD_SENSE(scst_sense_reset_UA)));
	CHECK(!scst_sense_matches(buf, 18,
				  SCST_LOAD_SENSE(scst_sense_power_on_UA)));
	CHECK(!scst_sense_matches(buf, 18, NOT_READY, 0x29, 0x00));
	CHECK(!scst_sense_matches(buf, 18, UNIT_ATTENTION, 0x2a, 0x00));
	CHECK_EQ_INT(scst_sense_length(buf, SCST_SENSE_BUFFERSIZE), 18);
	CHECK_EQ_INT(scst_sense_length(buf, 14), 14);

	scst_build_sense(buf, SCST_SENSE_BUFFERSIZE, true,
			 SCST_LOAD_SENSE(scst_sense_power_on_UA));
	CHECK(scst_sense_matches(buf, 8,
				 SCST_LOAD_SENSE(scst_sense_power_on_UA)));
	scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE, 1);
	CHECK_EQ_INT(scst_sense_length(buf, SCST_SENSE_BUFFERSIZE), 20);

	buf[0] = 0;
	CHECK(!scst_sense_matches(buf, 18, 0, 0, 0));
	CHECK_EQ_INT(scst_sense_length(buf, 18), 0);
}

TEST(get_info)
{
	u64 info = 0;

	scst_build_sense(buf, 18, false, MEDIUM_ERROR, 0x11, 0);
	CHECK(!scst_sense_get_info(buf, 18, &info));
	scst_sense_set_info(buf, 18, 0xfffffffe);
	CHECK(scst_sense_get_info(buf, 18, &info));
	CHECK_EQ_U64(info, 0xfffffffeULL);

	/* malformed descriptor lengths are not followed */
	scst_build_sense(buf, SCST_SENSE_BUFFERSIZE, true, MEDIUM_ERROR, 0x11,
			 0);
	scst_sense_set_info(buf, SCST_SENSE_BUFFERSIZE, 77);
	CHECK(scst_sense_get_info(buf, 20, &info));
	CHECK_EQ_U64(info, 77);
	CHECK(!scst_sense_get_info(buf, 19, &info));
	buf[9] = 0x30;
	CHECK(!scst_sense_get_info(buf, 20, &info));
}
