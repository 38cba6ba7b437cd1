// SPDX-License-Identifier: GPL-2.0
/* ALUA: state names, commands allowed per state, RTPG parameter data. */

#include "scst_alua_pure.h"
#include "unit.h"

TEST(alua_state_names)
{
	static const char *const names[] = { "active", "nonoptimized",
		"standby", "unavailable", "offline", "transitioning" };
	static const u8 codes[] = { 0x0, 0x1, 0x2, 0x3, 0xe, 0xf };
	unsigned int i;
	u8 st;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		st = 0x55;
		CHECK_EQ_INT(scst_alua_state_parse(names[i], &st), 0);
		CHECK_EQ_INT(st, codes[i]);
		CHECK_STR(scst_alua_state_name(codes[i]), names[i]);
	}
	CHECK_EQ_INT(scst_alua_state_parse("Active", &st), -EINVAL);
	CHECK_EQ_INT(scst_alua_state_parse("", &st), -EINVAL);
	CHECK_EQ_INT(scst_alua_state_parse("lba_dependent", &st), -EINVAL);
	CHECK(scst_alua_state_name(0x4) == NULL);
}

static bool allowed(u8 state, u8 op, u8 b1, u8 *ascq)
{
	u8 cdb[16] = { op, b1 };
	u8 asc = 0;

	*ascq = 0;
	if (scst_alua_cmd_allowed(state, cdb, sizeof(cdb), &asc, ascq))
		return true;
	CHECK_EQ_INT(asc, 0x04);
	return false;
}

TEST(alua_active_allows_all)
{
	u8 ascq;

	CHECK(allowed(SCST_ALUA_OPTIMIZED, READ_10, 0, &ascq));
	CHECK(allowed(SCST_ALUA_OPTIMIZED, WRITE_16, 0, &ascq));
	CHECK(allowed(SCST_ALUA_NONOPTIMIZED, READ_10, 0, &ascq));
	CHECK(allowed(SCST_ALUA_NONOPTIMIZED, TEST_UNIT_READY, 0, &ascq));
}

TEST(alua_standby)
{
	u8 ascq;

	CHECK(!allowed(SCST_ALUA_STANDBY, READ_10, 0, &ascq));
	CHECK_EQ_INT(ascq, 0x0b);
	CHECK(!allowed(SCST_ALUA_STANDBY, WRITE_10, 0, &ascq));
	CHECK(!allowed(SCST_ALUA_STANDBY, TEST_UNIT_READY, 0, &ascq));
	CHECK_EQ_INT(ascq, 0x0b);
	CHECK(!allowed(SCST_ALUA_STANDBY, READ_CAPACITY, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, INQUIRY, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, REPORT_LUNS, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, REQUEST_SENSE, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, MAINTENANCE_IN,
		      MI_REPORT_TARGET_PGS, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, MAINTENANCE_IN,
		      0x20 | MI_REPORT_TARGET_PGS, &ascq));
	CHECK(!allowed(SCST_ALUA_STANDBY, MAINTENANCE_IN,
		       MI_REPORT_SUPPORTED_OPERATION_CODES, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, MODE_SENSE, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, MODE_SELECT_10, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, LOG_SENSE, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, PERSISTENT_RESERVE_IN, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, PERSISTENT_RESERVE_OUT, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, RECEIVE_DIAGNOSTIC, 0, &ascq));
	CHECK(allowed(SCST_ALUA_STANDBY, READ_BUFFER, 0x0a, &ascq));
	CHECK(!allowed(SCST_ALUA_STANDBY, READ_BUFFER, 0x02, &ascq));
}

TEST(alua_unavailable_offline_transitioning)
{
	u8 ascq;

	CHECK(!allowed(SCST_ALUA_UNAVAILABLE, READ_10, 0, &ascq));
	CHECK_EQ_INT(ascq, 0x0c);
	CHECK(!allowed(SCST_ALUA_UNAVAILABLE, MODE_SENSE, 0, &ascq));
	CHECK(allowed(SCST_ALUA_UNAVAILABLE, INQUIRY, 0, &ascq));
	CHECK(allowed(SCST_ALUA_UNAVAILABLE, MAINTENANCE_OUT,
		      MO_SET_TARGET_PGS, &ascq));
	CHECK(allowed(SCST_ALUA_UNAVAILABLE, WRITE_BUFFER, 0x0a, &ascq));

	CHECK(!allowed(SCST_ALUA_OFFLINE, READ_10, 0, &ascq));
	CHECK_EQ_INT(ascq, 0x0c);
	CHECK(allowed(SCST_ALUA_OFFLINE, REPORT_LUNS, 0, &ascq));

	CHECK(!allowed(SCST_ALUA_TRANSITIONING, READ_10, 0, &ascq));
	CHECK_EQ_INT(ascq, 0x0a);
	CHECK(!allowed(SCST_ALUA_TRANSITIONING, MODE_SENSE, 0, &ascq));
	CHECK(allowed(SCST_ALUA_TRANSITIONING, INQUIRY, 0, &ascq));
	CHECK(allowed(SCST_ALUA_TRANSITIONING, REQUEST_SENSE, 0, &ascq));
	CHECK(allowed(SCST_ALUA_TRANSITIONING, MAINTENANCE_IN,
		      MI_REPORT_TARGET_PGS, &ascq));
}

static const u16 ids_a[] = { 1, 2 };
static const u16 ids_b[] = { 7 };
static const struct scst_alua_tpg_info two_tpgs[] = {
	{ .group_id = 10, .state = SCST_ALUA_OPTIMIZED, .preferred = true,
	  .status = 0, .nports = 2, .rel_tgt_ids = ids_a },
	{ .group_id = 0x1234, .state = SCST_ALUA_STANDBY,
	  .status = SCST_ALUA_STATUS_IMPLICIT, .nports = 1,
	  .rel_tgt_ids = ids_b },
};

TEST(alua_rtpg_length_only)
{
	static const u8 exp[] = {
		0, 0, 0, 28,
		0x80, 0xcf, 0x00, 10, 0, 0, 0, 2,
		0, 0, 0, 1, 0, 0, 0, 2,
		0x02, 0xcf, 0x12, 0x34, 0, 2, 0, 1,
		0, 0, 0, 7,
	};
	u8 buf[64];

	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(scst_alua_build_rtpg(buf, sizeof(buf), false, two_tpgs,
					  2), sizeof(exp));
	CHECK_MEM(buf, exp, sizeof(exp));
}

TEST(alua_rtpg_extended)
{
	u8 buf[64];

	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(scst_alua_build_rtpg(buf, sizeof(buf), true, two_tpgs,
					  2), 36);
	CHECK_EQ_INT(buf[3], 32);
	CHECK_EQ_INT(buf[4], 0x10);
	CHECK_EQ_INT(buf[5], 0);
	CHECK_EQ_INT(buf[8], 0x80);
	CHECK_EQ_INT(buf[11], 10);
	CHECK_EQ_INT(buf[15], 2);
	CHECK_EQ_INT(buf[31], 1);
	CHECK_EQ_INT(buf[35], 7);
}

TEST(alua_rtpg_truncated_and_empty)
{
	u8 buf[6];

	memset(buf, 0xaa, sizeof(buf));
	buf[4] = 0;
	buf[5] = 0;
	/* full length is reported even if the buffer is short */
	CHECK_EQ_INT(scst_alua_build_rtpg(buf, 4, false, two_tpgs, 2), 32);
	CHECK_EQ_INT(buf[3], 28);
	CHECK_EQ_INT(buf[4], 0);
	CHECK_EQ_INT(scst_alua_build_rtpg(buf, 2, true, two_tpgs, 2), 36);
	CHECK_EQ_INT(buf[0], 0);
	CHECK_EQ_INT(buf[2], 0);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ_INT(scst_alua_build_rtpg(buf, sizeof(buf), false, NULL, 0),
		     4);
	CHECK_EQ_INT(buf[3], 0);
	CHECK_EQ_INT(scst_alua_build_rtpg(buf, 0, true, two_tpgs, 2), 36);
}

TEST(alua_stpg_parse)
{
	struct scst_alua_stpg_desc d[4];
	unsigned int off = 0;
	u8 buf[20] = { 0 };

	/* empty lists change nothing */
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 0, d, 4, &off), 0);
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 4, d, 4, &off), 0);
	/* two descriptors: group 0x0102 -> standby, 0xfffe -> active */
	buf[4] = 0xf2;		/* reserved upper bits ignored */
	buf[6] = 0x01;
	buf[7] = 0x02;
	buf[8] = SCST_ALUA_OPTIMIZED;
	buf[10] = 0xff;
	buf[11] = 0xfe;
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 12, d, 4, &off), 2);
	CHECK_EQ_INT(d[0].state, SCST_ALUA_STANDBY);
	CHECK_EQ_INT(d[0].group_id, 0x0102);
	CHECK_EQ_INT(d[1].state, SCST_ALUA_OPTIMIZED);
	CHECK_EQ_INT(d[1].group_id, 0xfffe);
	/* a partial descriptor, or more than fit */
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 10, d, 4, &off), -EMSGSIZE);
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 12, d, 1, &off), -EMSGSIZE);
	/* states an initiator may not request, reported at their byte */
	buf[8] = SCST_ALUA_OFFLINE;
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 12, d, 4, &off), -EINVAL);
	CHECK_EQ_INT(off, 8);
	buf[8] = SCST_ALUA_TRANSITIONING;
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 12, d, 4, &off), -EINVAL);
	buf[8] = 0x4;		/* LBA dependent */
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 12, d, 4, &off), -EINVAL);
	buf[8] = SCST_ALUA_UNAVAILABLE;
	CHECK_EQ_INT(scst_alua_parse_stpg(buf, 12, d, 4, &off), 2);
}
