// SPDX-License-Identifier: GPL-2.0
/* CDB table, CDB parsing and REPORT SUPPORTED OPERATION CODES. */

#include "scst_pure.h"
#include "unit.h"

#define FILLER 0xaa

static struct scst_cdb_parsed p;

static unsigned int table_size(void)
{
	unsigned int n = 0;

	while (scst_cdb_table_iter(n))
		n++;
	return n;
}

static int parse(const u8 *cdb, unsigned int len, unsigned int shift)
{
	return scst_cdb_parse(cdb, len, shift, &p);
}

/* Parse a 16 byte CDB buffer, as a transport would pass it */
static int parse16(const u8 *cdb)
{
	return parse(cdb, 16, 9);
}

#define CHECK_FIELD_ERR(res, field, bit)				\
	do {								\
		CHECK_EQ_INT(res, -EINVAL);				\
		CHECK_EQ_INT(p.err_kind, SCST_CDB_ERR_INVALID_FIELD);	\
		CHECK_EQ_INT(p.err_field, field);			\
		CHECK_EQ_INT(p.err_bit, bit);				\
		CHECK(!p.info);						\
	} while (0)

TEST(table_sanity)
{
	const struct scst_cdb_info *e, *prev = NULL;
	unsigned int i, j, n = table_size();

	CHECK(n >= 60);
	CHECK(!scst_cdb_table_iter(n));
	CHECK(!scst_cdb_table_iter(n + 1000));

	for (i = 0; (e = scst_cdb_table_iter(i)); i++) {
		unsigned int ctl = e->cdb_len - 1;

		CHECK(e->name && e->name[0]);
		CHECK(e->cdb_len == 6 || e->cdb_len == 10 ||
		      e->cdb_len == 12 || e->cdb_len == 16);
		CHECK_EQ_INT(e->cdb_len, scst_cdb_group_len(e->opcode));
		/* SPC-4 6.35.3: byte 0 is the opcode itself */
		CHECK_EQ_INT(e->usage[0], e->opcode);
		CHECK_EQ_INT(e->ign[0], 0);
		if (e->sa != SCST_CDB_NO_SA) {
			CHECK(e->sa <= 0x1f);
			CHECK_EQ_INT(e->usage[1] & 0x1f, e->sa);
		}
		CHECK_EQ_INT(e->usage[ctl], 0);
		CHECK_EQ_INT(e->ign[ctl], 0);
		for (j = 1; j < SCST_CDB_INFO_MAX_LEN; j++) {
			CHECK_EQ_INT(e->usage[j] & e->ign[j], 0);
			if (j >= e->cdb_len) {
				CHECK_EQ_INT(e->usage[j], 0);
				CHECK_EQ_INT(e->ign[j], 0);
			}
		}
		if (e->len_unit == SCST_CDB_UNIT_BYTES ||
		    e->len_unit == SCST_CDB_UNIT_BLOCKS) {
			CHECK(e->len_size >= 1 && e->len_size <= 4);
			CHECK(e->len_off >= 1);
			CHECK(e->len_off + e->len_size <= ctl);
			for (j = e->len_off; j < e->len_off + e->len_size; j++)
				CHECK_EQ_INT(e->usage[j], 0xff);
		} else {
			CHECK_EQ_INT(e->len_size, 0);
		}
		if (e->len_unit == SCST_CDB_UNIT_FIXED)
			CHECK(e->fixed_len > 0);
		if (e->lba_size) {
			CHECK(e->lba_size == 3 || e->lba_size == 4 ||
			      e->lba_size == 8);
			CHECK(e->lba_off + e->lba_size <= ctl);
			for (j = e->lba_off + 1; j < e->lba_off + e->lba_size;
			     j++)
				CHECK_EQ_INT(e->usage[j], 0xff);
		}
		if (e->flags & SCST_CDB_LBA) {
			CHECK_EQ_INT(e->len_unit, SCST_CDB_UNIT_BLOCKS);
			CHECK(e->lba_size);
		}
		if (e->flags & SCST_CDB_FUA)
			CHECK(e->usage[1] & 0x08);
		if (e->flags & SCST_CDB_WRITE_MEDIUM)
			CHECK(e->direction != SCST_DATA_READ);
		CHECK(e->flags & (SCST_CDB_DISK | SCST_CDB_CDROM));
		CHECK(e->direction == SCST_DATA_NONE ||
		      e->direction == SCST_DATA_READ ||
		      e->direction == SCST_DATA_WRITE ||
		      e->direction == SCST_DATA_BIDI);
		if (e->direction != SCST_DATA_NONE)
			CHECK(e->len_unit != SCST_CDB_UNIT_NONE ||
			      e->opcode == FORMAT_UNIT);
		/* sorted by opcode, then service action, no duplicates */
		if (prev) {
			CHECK(prev->opcode < e->opcode ||
			      (prev->opcode == e->opcode &&
			       prev->sa != SCST_CDB_NO_SA &&
			       e->sa != SCST_CDB_NO_SA && prev->sa < e->sa));
		}
		prev = e;
	}
}

TEST(table_entries_parse_and_lookup)
{
	const struct scst_cdb_info *e;
	unsigned int i;
	u8 cdb[16];

	for (i = 0; (e = scst_cdb_table_iter(i)); i++) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = e->opcode;
		if (e->sa != SCST_CDB_NO_SA)
			cdb[1] = e->sa;
		CHECK(scst_cdb_lookup(cdb, e->cdb_len) == e);
		CHECK_STR(scst_cdb_name(cdb, e->cdb_len), e->name);
		CHECK_EQ_INT(parse(cdb, e->cdb_len, 9), 0);
		CHECK(p.info == e);
		CHECK_EQ_INT(p.opcode, e->opcode);
		CHECK_EQ_INT(p.sa, e->sa);
		CHECK_EQ_INT(p.cdb_len, e->cdb_len);
		CHECK_EQ_INT(p.err_kind, SCST_CDB_ERR_NONE);
		/* the vendor specific and obsolete CONTROL bits are ignored */
		cdb[e->cdb_len - 1] = 0xc3;
		CHECK_EQ_INT(parse(cdb, e->cdb_len, 9), 0);
		/* NACA is not */
		cdb[e->cdb_len - 1] = 0x04;
		CHECK_FIELD_ERR(parse(cdb, e->cdb_len, 9), e->cdb_len - 1, 2);
		/* one byte short */
		cdb[e->cdb_len - 1] = 0;
		CHECK_FIELD_ERR(parse(cdb, e->cdb_len - 1, 9), 0, -1);
	}
}

/* Every bit outside the usage data and tolerated bits is rejected */
TEST(table_entries_reserved_bits)
{
	const struct scst_cdb_info *e;
	unsigned int i, byte, bit, rejected = 0;
	u8 cdb[16];

	for (i = 0; (e = scst_cdb_table_iter(i)); i++) {
		for (byte = 1; byte < e->cdb_len - 1u; byte++) {
			u8 ok = e->usage[byte] | e->ign[byte];

			if (byte == 1 && e->sa != SCST_CDB_NO_SA)
				ok |= 0x1f;
			for (bit = 0; bit < 8; bit++) {
				memset(cdb, 0, sizeof(cdb));
				cdb[0] = e->opcode;
				if (e->sa != SCST_CDB_NO_SA)
					cdb[1] = e->sa;
				if (ok & (1u << bit))
					continue;
				cdb[byte] |= 1u << bit;
				CHECK_FIELD_ERR(parse16(cdb), (int)byte,
						(int)bit);
				rejected++;
			}
			/* tolerated bits are accepted */
			if (e->ign[byte]) {
				memset(cdb, 0, sizeof(cdb));
				cdb[0] = e->opcode;
				cdb[byte] = e->ign[byte];
				CHECK_EQ_INT(parse16(cdb), 0);
			}
		}
	}
	CHECK(rejected > 500);
}

TEST(required_opcodes_present)
{
	static const u8 ops[] = {
		TEST_UNIT_READY, REQUEST_SENSE, FORMAT_UNIT, READ_6, WRITE_6,
		INQUIRY, MODE_SELECT, RESERVE, RELEASE, MODE_SENSE,
		START_STOP, SEND_DIAGNOSTIC, ALLOW_MEDIUM_REMOVAL,
		READ_CAPACITY, READ_10, WRITE_10, WRITE_VERIFY, VERIFY,
		SYNCHRONIZE_CACHE, WRITE_SAME, UNMAP, READ_TOC, LOG_SELECT,
		LOG_SENSE, MODE_SELECT_10, RESERVE_10, RELEASE_10,
		MODE_SENSE_10, READ_16, COMPARE_AND_WRITE, WRITE_16,
		WRITE_VERIFY_16, VERIFY_16, SYNCHRONIZE_CACHE_16,
		WRITE_SAME_16, REPORT_LUNS, READ_12, WRITE_12,
		WRITE_VERIFY_12, VERIFY_12, PRE_FETCH, PRE_FETCH_16,
	};
	static const u8 sa_cmds[][2] = {
		{ PERSISTENT_RESERVE_IN, 0 }, { PERSISTENT_RESERVE_IN, 3 },
		{ PERSISTENT_RESERVE_OUT, 0 }, { PERSISTENT_RESERVE_OUT, 7 },
		{ EXTENDED_COPY, 0 }, { RECEIVE_COPY_RESULTS, 3 },
		{ SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 },
		{ SERVICE_ACTION_IN_16, SAI_GET_LBA_STATUS },
		{ MAINTENANCE_IN, MI_REPORT_TARGET_PGS },
		{ MAINTENANCE_IN, MI_REPORT_SUPPORTED_OPERATION_CODES },
		{ MAINTENANCE_IN,
		  MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS },
		{ MAINTENANCE_OUT, MO_SET_TARGET_PGS },
	};
	unsigned int i;
	u8 cdb[16];

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = ops[i];
		if (!scst_cdb_lookup(cdb, 16))
			fprintf(stderr, "missing opcode 0x%02x\n", ops[i]);
		CHECK(scst_cdb_lookup(cdb, 16));
	}
	for (i = 0; i < ARRAY_SIZE(sa_cmds); i++) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = sa_cmds[i][0];
		cdb[1] = sa_cmds[i][1];
		CHECK(scst_cdb_lookup(cdb, 16));
	}
}

TEST(group_len)
{
	CHECK_EQ_INT(scst_cdb_group_len(0x00), 6);
	CHECK_EQ_INT(scst_cdb_group_len(0x1f), 6);
	CHECK_EQ_INT(scst_cdb_group_len(0x28), 10);
	CHECK_EQ_INT(scst_cdb_group_len(0x5f), 10);
	CHECK_EQ_INT(scst_cdb_group_len(0x7f), 0);
	CHECK_EQ_INT(scst_cdb_group_len(0x88), 16);
	CHECK_EQ_INT(scst_cdb_group_len(0xa0), 12);
	CHECK_EQ_INT(scst_cdb_group_len(0xc0), 0);
	CHECK_EQ_INT(scst_cdb_group_len(0xff), 0);
}

TEST(read_write_6)
{
	u8 r6[16] = { READ_6, 0x1f, 0xff, 0xfe, 0x00, 0x00 };
	u8 w6[16] = { WRITE_6, 0x01, 0x02, 0x03, 0x05, 0x00 };

	CHECK_EQ_INT(parse16(r6), 0);
	CHECK_EQ_U64(p.lba, 0x1ffffe);
	CHECK_EQ_INT(p.nr_blocks, 256);
	CHECK_EQ_U64(p.data_len, 256 * 512);
	CHECK_EQ_INT(p.direction, SCST_DATA_READ);
	CHECK(!p.fua);
	CHECK(p.flags & SCST_CDB_LBA);
	CHECK(!(p.flags & SCST_CDB_WRITE_MEDIUM));

	CHECK_EQ_INT(parse(w6, 6, 12), 0);
	CHECK_EQ_U64(p.lba, 0x010203);
	CHECK_EQ_INT(p.nr_blocks, 5);
	CHECK_EQ_U64(p.data_len, 5 * 4096);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);

	/* WRITE(6) transfer length 0 is 256 blocks as well */
	w6[4] = 0;
	CHECK_EQ_INT(parse16(w6), 0);
	CHECK_EQ_INT(p.nr_blocks, 256);
	/* byte 1 bits 7-5 are reserved */
	r6[1] = 0x20;
	CHECK_FIELD_ERR(parse16(r6), 1, 5);
}

TEST(read_write_10_12_16)
{
	const u8 r10[16] = { READ_10, 0x18, 0x12, 0x34, 0x56, 0x78, 0x00,
			     0x01, 0x00, 0x00 };
	const u8 w10[16] = { WRITE_10, 0x00, 0x00, 0x00, 0x00, 0x10, 0x05,
			     0x00, 0x08, 0x00 };
	const u8 r12[16] = { READ_12, 0x02, 0xff, 0xff, 0xff, 0xff, 0x00,
			     0x01, 0x00, 0x00, 0x80, 0x00 };
	const u8 w12[16] = { WRITE_12, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00,
			     0x00, 0x00, 0x02, 0x00, 0x00 };
	const u8 r16[16] = { READ_16, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a,
			     0xbc, 0xde, 0xf0, 0x00, 0x01, 0x00, 0x00, 0x00,
			     0x00 };
	const u8 w16[16] = { WRITE_16, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
			     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
			     0x00 };

	CHECK_EQ_INT(parse16(r10), 0);
	CHECK_EQ_U64(p.lba, 0x12345678);
	CHECK_EQ_INT(p.nr_blocks, 256);
	CHECK_EQ_U64(p.data_len, 256 * 512);
	CHECK(p.fua);
	CHECK_EQ_INT(p.direction, SCST_DATA_READ);
	CHECK_EQ_INT(p.cdb_len, 10);

	CHECK_EQ_INT(parse(w10, 10, 12), 0);
	CHECK_EQ_U64(p.lba, 0x10);
	CHECK_EQ_INT(p.nr_blocks, 8);
	CHECK_EQ_U64(p.data_len, 8 * 4096);
	CHECK(!p.fua);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);

	CHECK_EQ_INT(parse16(r12), 0);
	CHECK_EQ_U64(p.lba, 0xffffffff);
	CHECK_EQ_INT(p.nr_blocks, 0x10000);
	CHECK_EQ_U64(p.data_len, 0x10000ULL * 512);
	CHECK(!p.fua);

	CHECK_EQ_INT(parse16(w12), 0);
	CHECK_EQ_U64(p.lba, 1);
	CHECK_EQ_INT(p.nr_blocks, 2);
	CHECK(p.fua);

	CHECK_EQ_INT(parse(r16, 16, 12), 0);
	CHECK_EQ_U64(p.lba, 0x123456789abcdef0ULL);
	CHECK_EQ_INT(p.nr_blocks, 0x10000);
	CHECK_EQ_U64(p.data_len, 0x10000000ULL);

	CHECK_EQ_INT(parse16(w16), 0);
	CHECK_EQ_U64(p.lba, 0xffffffffffffffffULL);
	CHECK_EQ_U64(p.nr_blocks, 0xffffffffU);
	CHECK_EQ_U64(p.data_len, 0xffffffffULL << 9);
	CHECK(p.fua);
}

TEST(zero_length_transfer)
{
	const u8 r10[16] = { READ_10, 0, 0, 0, 0, 9 };

	CHECK_EQ_INT(parse16(r10), 0);
	CHECK_EQ_U64(p.lba, 9);
	CHECK_EQ_INT(p.nr_blocks, 0);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
}

TEST(reserved_and_tolerated_bits)
{
	u8 c[16];

	/* RDPROTECT: no protection information support */
	memset(c, 0, sizeof(c));
	c[0] = READ_10;
	c[1] = 0x20;
	CHECK_FIELD_ERR(parse16(c), 1, 5);
	/* RARC */
	c[1] = 0x04;
	CHECK_FIELD_ERR(parse16(c), 1, 2);
	/* DPO, FUA_NV, obsolete RELADR, group number: accepted */
	c[1] = 0x13;
	c[6] = 0x1f;
	CHECK_EQ_INT(parse16(c), 0);
	/* byte 6 bits 7-5 reserved */
	c[6] = 0x40;
	CHECK_FIELD_ERR(parse16(c), 6, 6);
	/* the first offending byte is reported */
	c[1] = 0x80;
	CHECK_FIELD_ERR(parse16(c), 1, 7);

	memset(c, 0, sizeof(c));
	c[0] = TEST_UNIT_READY;
	c[3] = 0x01;
	CHECK_FIELD_ERR(parse16(c), 3, 0);
	c[3] = 0;
	c[1] = 0xe0;	/* SCSI-2 LUN */
	CHECK_EQ_INT(parse16(c), 0);
	c[1] = 0x10;
	CHECK_FIELD_ERR(parse16(c), 1, 4);

	memset(c, 0, sizeof(c));
	c[0] = INQUIRY;
	c[1] = 0x02;	/* CMDDT */
	CHECK_FIELD_ERR(parse16(c), 1, 1);

	/* WRITE SAME(10): ANCHOR and LBDATA are not supported, UNMAP is */
	memset(c, 0, sizeof(c));
	c[0] = WRITE_SAME;
	c[1] = 0x08;
	CHECK_EQ_INT(parse16(c), 0);
	c[1] = 0x10;
	CHECK_FIELD_ERR(parse16(c), 1, 4);
	c[1] = 0x02;
	CHECK_FIELD_ERR(parse16(c), 1, 1);
	/* WRITE SAME(16): NDOB is, ANCHOR and PBDATA are not */
	memset(c, 0, sizeof(c));
	c[0] = WRITE_SAME_16;
	c[1] = 0x01;
	CHECK_EQ_INT(parse16(c), 0);
	c[1] = 0x14;
	CHECK_FIELD_ERR(parse16(c), 1, 4);
	c[1] = 0x04;
	CHECK_FIELD_ERR(parse16(c), 1, 2);

	/* UNMAP ANCHOR */
	memset(c, 0, sizeof(c));
	c[0] = UNMAP;
	c[1] = 0x01;
	CHECK_FIELD_ERR(parse16(c), 1, 0);
}

TEST(control_byte)
{
	u8 c[16] = { TEST_UNIT_READY, 0, 0, 0, 0, 0x04 };
	u8 r16[16] = { READ_16 };

	CHECK_FIELD_ERR(parse16(c), 5, 2);
	c[5] = 0xc0;
	CHECK_EQ_INT(parse16(c), 0);
	c[5] = 0x38;	/* reserved bits 5-3 are tolerated */
	CHECK_EQ_INT(parse16(c), 0);
	r16[15] = 0x04;
	CHECK_FIELD_ERR(parse16(r16), 15, 2);
	/* a 6 byte CDB in a 16 byte field: bytes past the CDB are ignored */
	c[5] = 0;
	c[6] = 0xff;
	CHECK_EQ_INT(parse16(c), 0);
}

TEST(verify_bytchk)
{
	u8 v10[16] = { VERIFY, 0x00, 0, 0, 0, 0x20, 0, 0, 0x08, 0 };
	u8 v16[16] = { VERIFY_16, 0x00, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4 };
	u8 v12[16] = { VERIFY_12, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	CHECK_EQ_INT(parse16(v10), 0);
	CHECK_EQ_U64(p.lba, 0x20);
	CHECK_EQ_INT(p.nr_blocks, 8);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
	CHECK(p.flags & SCST_CDB_LBA);
	CHECK(!(p.flags & SCST_CDB_WRITE_MEDIUM));

	v10[1] = 0x02;	/* BYTCHK 01b */
	CHECK_EQ_INT(parse16(v10), 0);
	CHECK_EQ_U64(p.data_len, 8 * 512);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);

	v10[1] = 0x06;	/* BYTCHK 11b: one block */
	CHECK_EQ_INT(parse(v10, 10, 12), 0);
	CHECK_EQ_INT(p.nr_blocks, 8);
	CHECK_EQ_U64(p.data_len, 4096);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);

	v10[1] = 0x04;	/* BYTCHK 10b: reserved */
	CHECK_FIELD_ERR(parse16(v10), 1, 2);
	/* VERIFY has no FUA */
	v10[1] = 0x08;
	CHECK_FIELD_ERR(parse16(v10), 1, 3);

	CHECK_EQ_INT(parse16(v16), 0);
	CHECK_EQ_U64(p.lba, 1);
	CHECK_EQ_INT(p.nr_blocks, 4);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
	v16[1] = 0x02;
	CHECK_EQ_INT(parse16(v16), 0);
	CHECK_EQ_U64(p.data_len, 4 * 512);

	/* BYTCHK 11b with no blocks: no data */
	CHECK_EQ_INT(parse16(v12), 0);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
}

TEST(write_and_verify)
{
	const u8 wv10[16] = { WRITE_VERIFY, 0x02, 0, 0, 0, 1, 0, 0, 3, 0 };
	const u8 wv16[16] = { WRITE_VERIFY_16, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
			      0, 0, 0, 2, 0, 0 };

	CHECK_EQ_INT(parse16(wv10), 0);
	CHECK_EQ_U64(p.data_len, 3 * 512);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);
	CHECK_EQ_INT(parse16(wv16), 0);
	CHECK_EQ_U64(p.data_len, 2 * 512);
}

TEST(write_same)
{
	u8 ws10[16] = { WRITE_SAME, 0x08, 0, 0, 0x10, 0, 0, 0x01, 0x00, 0 };
	u8 ws16[16] = { WRITE_SAME_16 };

	CHECK_EQ_INT(parse(ws10, 10, 12), 0);
	CHECK_EQ_U64(p.lba, 0x1000);
	CHECK_EQ_INT(p.nr_blocks, 256);
	CHECK_EQ_U64(p.data_len, 4096);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);

	/* NUMBER OF LOGICAL BLOCKS 0: still one block of data */
	CHECK_EQ_INT(parse16(ws16), 0);
	CHECK_EQ_INT(p.nr_blocks, 0);
	CHECK_EQ_U64(p.data_len, 512);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);

	/* NDOB: no Data-Out buffer */
	ws16[1] = 0x09;
	ws16[13] = 8;
	CHECK_EQ_INT(parse16(ws16), 0);
	CHECK_EQ_INT(p.nr_blocks, 8);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);
}

TEST(pre_fetch)
{
	u8 pf10[16] = { PRE_FETCH, 0x02, 0, 0, 0, 0x20, 0, 0, 0x10, 0 };
	u8 pf16[16] = { PRE_FETCH_16, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x30,
			0, 0, 0, 0x04, 0, 0 };

	CHECK_EQ_INT(parse16(pf10), 0);
	CHECK_EQ_U64(p.lba, 0x20);
	CHECK_EQ_INT(p.nr_blocks, 16);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
	CHECK(p.flags & SCST_CDB_LBA);
	CHECK(!(p.flags & SCST_CDB_WRITE_MEDIUM));
	CHECK_EQ_INT(parse16(pf16), 0);
	CHECK_EQ_U64(p.lba, 0x30);
	CHECK_EQ_INT(p.nr_blocks, 4);
	/* bit 2 of byte 1 is reserved */
	pf16[1] = 0x04;
	CHECK_FIELD_ERR(parse16(pf16), 1, 2);
}

TEST(compare_and_write)
{
	u8 c[16] = { COMPARE_AND_WRITE, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0,
		     0, 1, 0, 0 };

	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.lba, 0x40);
	CHECK_EQ_INT(p.nr_blocks, 1);
	CHECK_EQ_U64(p.data_len, 1024);
	CHECK(p.fua);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	c[13] = 0;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
	/* bytes 10-12 are reserved */
	c[11] = 1;
	CHECK_FIELD_ERR(parse16(c), 11, 0);
}

TEST(xdwriteread_10)
{
	u8 c[16] = { XDWRITEREAD_10, 0x08, 0, 0, 0, 0x10, 0, 0, 8, 0 };

	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.lba, 0x10);
	CHECK_EQ_INT(p.nr_blocks, 8);
	CHECK_EQ_U64(p.data_len, 4096);
	CHECK(p.fua);
	CHECK_EQ_INT(p.direction, SCST_DATA_BIDI);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);
	/* DISABLE WRITE: the medium is only read */
	c[1] = 0x04;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(!(p.flags & SCST_CDB_WRITE_MEDIUM));
	/* WRPROTECT: no protection information */
	c[1] = 0x20;
	CHECK_FIELD_ERR(parse16(c), 1, 5);
}

TEST(synchronize_cache)
{
	const u8 c10[16] = { SYNCHRONIZE_CACHE, 0x02, 0, 0, 0, 8, 0, 0, 16, 0 };
	const u8 c16[16] = { SYNCHRONIZE_CACHE_16, 0x00, 0, 0, 0, 0, 0, 0,
			     0, 1 };

	CHECK_EQ_INT(parse16(c10), 0);
	CHECK_EQ_U64(p.lba, 8);
	CHECK_EQ_INT(p.nr_blocks, 16);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
	CHECK(p.flags & SCST_CDB_LBA);
	CHECK(!(p.flags & SCST_CDB_WRITE_MEDIUM));
	CHECK_EQ_INT(parse16(c16), 0);
	CHECK_EQ_U64(p.lba, 1);
	CHECK_EQ_INT(p.nr_blocks, 0);
}

TEST(allocation_and_parameter_lengths)
{
	u8 inq[16] = { INQUIRY, 0x01, 0x83, 0x01, 0x00, 0x00 };
	const u8 ms6[16] = { MODE_SENSE, 0x08, 0x3f, 0x00, 0xfc, 0x00 };
	const u8 msel10[16] = { MODE_SELECT_10, 0x10, 0, 0, 0, 0, 0, 0x01,
				0x02, 0 };
	const u8 rs[16] = { REQUEST_SENSE, 0x01, 0, 0, 252, 0 };
	const u8 rl[16] = { REPORT_LUNS, 0, 0x02, 0, 0, 0, 0x00, 0x01, 0x00,
			    0x00, 0, 0 };
	const u8 unmap[16] = { UNMAP, 0, 0, 0, 0, 0, 0, 0, 24, 0 };
	const u8 ls[16] = { LOG_SENSE, 0, 0x40, 0, 0, 0, 0, 0x10, 0x00, 0 };
	const u8 sd[16] = { SEND_DIAGNOSTIC, 0x04, 0, 0, 0, 0 };

	CHECK_EQ_INT(parse16(inq), 0);
	CHECK_EQ_U64(p.data_len, 256);
	CHECK_EQ_INT(p.direction, SCST_DATA_READ);
	CHECK_EQ_INT(p.nr_blocks, 0);
	/* standard INQUIRY data with a page code */
	inq[1] = 0;
	CHECK_FIELD_ERR(parse16(inq), 2, -1);

	CHECK_EQ_INT(parse16(ms6), 0);
	CHECK_EQ_U64(p.data_len, 0xfc);
	CHECK_EQ_INT(p.direction, SCST_DATA_READ);

	CHECK_EQ_INT(parse16(msel10), 0);
	CHECK_EQ_U64(p.data_len, 0x102);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);

	CHECK_EQ_INT(parse16(rs), 0);
	CHECK_EQ_U64(p.data_len, 252);

	CHECK_EQ_INT(parse16(rl), 0);
	CHECK_EQ_U64(p.data_len, 0x10000);

	CHECK_EQ_INT(parse16(unmap), 0);
	CHECK_EQ_U64(p.data_len, 24);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);
	CHECK(!(p.flags & SCST_CDB_LBA));

	CHECK_EQ_INT(parse16(ls), 0);
	CHECK_EQ_U64(p.data_len, 0x1000);

	/* SELFTEST with no parameter list */
	CHECK_EQ_INT(parse16(sd), 0);
	CHECK_EQ_U64(p.data_len, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
}

TEST(format_unit)
{
	u8 c[16] = { FORMAT_UNIT, 0x00 };

	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_NONE);
	CHECK(p.flags & SCST_CDB_WRITE_MEDIUM);
	c[1] = 0x10;	/* FMTDATA */
	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.data_len, 4);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	c[1] = 0x30;	/* + LONGLIST */
	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.data_len, 8);
	c[1] = 0x40;	/* FMTPINFO */
	CHECK_FIELD_ERR(parse16(c), 1, 6);
	/* vendor specific and obsolete interleave bytes */
	c[1] = 0;
	c[2] = 0x55;
	c[4] = 0x01;
	CHECK_EQ_INT(parse16(c), 0);
}

TEST(read_capacity)
{
	u8 rc10[16] = { READ_CAPACITY, 0, 0, 0, 0, 1, 0, 0, 0, 0 };
	u8 rc16[16] = { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0 };

	/* PMI=0 requires LBA 0 */
	CHECK_FIELD_ERR(parse16(rc10), 2, -1);
	rc10[8] = 1;
	CHECK_EQ_INT(parse16(rc10), 0);
	CHECK_EQ_U64(p.data_len, 8);
	CHECK_EQ_U64(p.lba, 1);
	CHECK_EQ_INT(p.nr_blocks, 0);
	CHECK_EQ_INT(p.direction, SCST_DATA_READ);
	CHECK(!(p.flags & SCST_CDB_LBA));

	CHECK_EQ_INT(parse16(rc16), 0);
	CHECK_EQ_U64(p.data_len, 32);
	CHECK_EQ_INT(p.sa, SAI_READ_CAPACITY_16);
	CHECK_STR(p.info->name, "READ CAPACITY(16)");
	rc16[9] = 5;
	CHECK_FIELD_ERR(parse16(rc16), 2, -1);
	rc16[14] = 1;
	CHECK_EQ_INT(parse16(rc16), 0);
	/* bits 7-5 of the service action byte are reserved */
	rc16[1] |= 0x40;
	CHECK_FIELD_ERR(parse16(rc16), 1, 6);
}

TEST(service_actions)
{
	u8 c[16];

	memset(c, 0, sizeof(c));
	c[0] = SERVICE_ACTION_IN_16;
	c[1] = SAI_GET_LBA_STATUS;
	c[9] = 0x42;
	c[13] = 24;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK_STR(p.info->name, "GET LBA STATUS");
	CHECK_EQ_U64(p.lba, 0x42);
	CHECK_EQ_U64(p.data_len, 24);

	/* unknown service action: INVALID FIELD IN CDB at the SA field */
	c[1] = 0x13;
	CHECK_FIELD_ERR(parse16(c), 1, 4);
	CHECK_EQ_INT(p.opcode, SERVICE_ACTION_IN_16);
	CHECK_EQ_INT(p.sa, 0x13);
	CHECK(!scst_cdb_lookup(c, 16));
	CHECK_STR(scst_cdb_name(c, 16), "UNKNOWN");

	memset(c, 0, sizeof(c));
	c[0] = MAINTENANCE_IN;
	c[1] = MI_REPORT_TARGET_PGS | 0x20;	/* extended header format */
	c[9] = 0xff;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.data_len, 0xff);
	c[1] = MI_REPORT_TARGET_PGS | 0x40;
	CHECK_FIELD_ERR(parse16(c), 1, 7);
	c[1] = 0x05;	/* REPORT IDENTIFYING INFORMATION */
	CHECK_FIELD_ERR(parse16(c), 1, 4);

	memset(c, 0, sizeof(c));
	c[0] = PERSISTENT_RESERVE_OUT;
	c[1] = 0x06;
	c[2] = 0x00;
	c[8] = 24;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.data_len, 24);
	CHECK_EQ_INT(p.direction, SCST_DATA_WRITE);
	CHECK_EQ_INT(p.sa, 6);
	c[1] = 0x08;
	CHECK_FIELD_ERR(parse16(c), 1, 4);

	memset(c, 0, sizeof(c));
	c[0] = PERSISTENT_RESERVE_IN;
	c[1] = 0x04;
	CHECK_FIELD_ERR(parse16(c), 1, 4);
	c[1] = 0x00;
	c[7] = 0x20;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK_EQ_U64(p.data_len, 0x2000);
	CHECK(p.flags & SCST_CDB_PR_ALLOWED);
	CHECK(!(p.flags & SCST_CDB_RES_ALLOWED));

	/* RSOC REPORTING OPTIONS above 011b */
	memset(c, 0, sizeof(c));
	c[0] = MAINTENANCE_IN;
	c[1] = MI_REPORT_SUPPORTED_OPERATION_CODES;
	c[2] = 0x83;
	CHECK_EQ_INT(parse16(c), 0);
	c[2] = 0x04;
	CHECK_FIELD_ERR(parse16(c), 2, 2);
}

TEST(invalid_opcodes)
{
	static const u8 ops[] = { 0x02, 0x07, 0x7f, 0x9f, 0xc0, 0xff, 0x85 };
	unsigned int i;
	u8 c[16];

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		memset(c, 0, sizeof(c));
		c[0] = ops[i];
		CHECK_EQ_INT(parse16(c), -EOPNOTSUPP);
		CHECK_EQ_INT(p.err_kind, SCST_CDB_ERR_INVALID_OPCODE);
		CHECK_EQ_INT(p.err_field, 0);
		CHECK_EQ_INT(p.err_bit, -1);
		CHECK_EQ_INT(p.opcode, ops[i]);
		CHECK(!p.info);
		CHECK(!scst_cdb_lookup(c, 16));
	}
}

TEST(short_cdbs)
{
	const u8 r10[16] = { READ_10 };
	const u8 sai[16] = { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 };

	CHECK_FIELD_ERR(parse(r10, 9, 9), 0, -1);
	CHECK_FIELD_ERR(parse(r10, 0, 9), 0, -1);
	CHECK_FIELD_ERR(parse(NULL, 16, 9), 0, -1);
	CHECK_FIELD_ERR(parse(sai, 1, 9), 0, -1);
	CHECK_FIELD_ERR(parse(sai, 15, 9), 0, -1);
	CHECK_EQ_INT(parse(r10, 10, 9), 0);
	CHECK(!scst_cdb_lookup(sai, 1));
	CHECK(!scst_cdb_lookup(NULL, 16));
	CHECK(scst_cdb_lookup(r10, 1));
}

TEST(flags)
{
	u8 c[16];

	memset(c, 0, sizeof(c));
	c[0] = INQUIRY;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_UA_EXEMPT);
	CHECK(p.flags & SCST_CDB_IMPLICIT_HQ);
	CHECK(p.flags & SCST_CDB_RES_ALLOWED);
	CHECK(!(p.flags & SCST_CDB_LOCAL));

	c[0] = REPORT_LUNS;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_LOCAL);
	CHECK(p.flags & SCST_CDB_UA_EXEMPT);

	c[0] = REQUEST_SENSE;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_LOCAL);
	CHECK(p.flags & SCST_CDB_UA_EXEMPT);

	c[0] = TEST_UNIT_READY;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(!(p.flags & SCST_CDB_UA_EXEMPT));
	CHECK(!(p.flags & SCST_CDB_RES_ALLOWED));
	CHECK(p.flags & SCST_CDB_PR_ALLOWED);

	c[0] = RESERVE;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_LOCAL);
	CHECK(!(p.flags & SCST_CDB_RES_ALLOWED));
	c[0] = RELEASE_10;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_LOCAL);
	CHECK(p.flags & SCST_CDB_RES_ALLOWED);

	/* PREVENT ALLOW MEDIUM REMOVAL: only PREVENT=0 is allowed */
	c[0] = ALLOW_MEDIUM_REMOVAL;
	c[4] = 1;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(!(p.flags & SCST_CDB_RES_ALLOWED));
	CHECK(!(p.flags & SCST_CDB_PR_ALLOWED));
	c[4] = 0;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_RES_ALLOWED);
	CHECK(p.flags & SCST_CDB_PR_ALLOWED);

	/* START STOP UNIT: START=1 with POWER CONDITION 0 only */
	memset(c, 0, sizeof(c));
	c[0] = START_STOP;
	c[4] = 0x01;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_PR_ALLOWED);
	c[4] = 0x00;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(!(p.flags & SCST_CDB_PR_ALLOWED));
	c[4] = 0x11;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(!(p.flags & SCST_CDB_PR_ALLOWED));
	c[4] = 0x08;
	CHECK_FIELD_ERR(parse16(c), 4, 3);

	memset(c, 0, sizeof(c));
	c[0] = READ_10;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(p.flags & SCST_CDB_PR_READ);
	CHECK(!(p.flags & SCST_CDB_PR_ALLOWED));
	CHECK(p.flags & SCST_CDB_CDROM);
	c[0] = WRITE_10;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(!(p.flags & (SCST_CDB_PR_READ | SCST_CDB_PR_ALLOWED)));
	CHECK(!(p.flags & SCST_CDB_CDROM));
	CHECK(p.flags & SCST_CDB_DISK);
	c[0] = READ_TOC;
	CHECK_EQ_INT(parse16(c), 0);
	CHECK(!(p.flags & SCST_CDB_DISK));
	CHECK(p.flags & SCST_CDB_CDROM);
}

TEST(cdb_err_sense)
{
	static const u8 exp_field[18] = {
		0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00,
		0x00, 0x00, 0x24, 0x00, 0x00, 0xcd, 0x00, 0x01,
	};
	static const u8 exp_opcode[16] = {
		0x72, 0x05, 0x20, 0x00, 0x00, 0x00, 0x00, 0x08,
		0x02, 0x06, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00,
	};
	u8 c[16] = { READ_10, 0x20 };
	u8 sense[SCST_SENSE_BUFFERSIZE];

	CHECK_EQ_INT(parse16(c), -EINVAL);
	CHECK_EQ_INT(scst_build_cdb_err_sense(sense, sizeof(sense), false,
					      &p), 18);
	CHECK_MEM(sense, exp_field, sizeof(exp_field));

	c[0] = 0x02;
	CHECK_EQ_INT(parse16(c), -EOPNOTSUPP);
	CHECK_EQ_INT(scst_build_cdb_err_sense(sense, sizeof(sense), true, &p),
		     16);
	CHECK_MEM(sense, exp_opcode, sizeof(exp_opcode));
}

/*
 * REPORT SUPPORTED OPERATION CODES
 */

static u8 rsoc_buf[4096];

static int rsoc(u8 opts, u8 op, u16 sa, bool (*cb)(const struct scst_cdb_info *,
						    void *), int *err)
{
	u8 cdb[12] = { MAINTENANCE_IN, MI_REPORT_SUPPORTED_OPERATION_CODES };

	cdb[2] = opts;
	cdb[3] = op;
	cdb[4] = sa >> 8;
	cdb[5] = sa & 0xff;
	memset(rsoc_buf, FILLER, sizeof(rsoc_buf));
	return scst_build_rsoc(rsoc_buf, sizeof(rsoc_buf), cdb, cb, NULL, err);
}

static bool only_disk_non_local(const struct scst_cdb_info *e, void *ctx)
{
	(void)ctx;
	return (e->flags & SCST_CDB_DISK) && !(e->flags & SCST_CDB_LOCAL);
}

static bool no_read10(const struct scst_cdb_info *e, void *ctx)
{
	(void)ctx;
	return e->opcode != READ_10;
}

/* Find the descriptor of opcode/sa in all_commands data */
static const u8 *rsoc_find(const u8 *data, unsigned int desc_len, u8 op,
			   u16 sa)
{
	unsigned int len = get_unaligned_be32(data), off;

	for (off = 4; off + desc_len <= len + 4; off += desc_len) {
		const u8 *d = data + off;

		if (d[0] == op && ((d[5] & 1) ? get_unaligned_be16(&d[2]) :
				   SCST_CDB_NO_SA) == sa)
			return d;
	}
	return NULL;
}

TEST(rsoc_all_commands)
{
	static const u8 tur_desc[8] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					0x00, 0x06 };
	static const u8 rc16_desc[8] = { 0x9e, 0x00, 0x00, 0x10, 0x00, 0x01,
					 0x00, 0x10 };
	unsigned int n = table_size();
	const u8 *d;
	int err = -1;

	CHECK_EQ_INT(rsoc(0, 0, 0, NULL, &err), 4 + 8 * n);
	CHECK_EQ_INT(get_unaligned_be32(rsoc_buf), 8 * n);
	CHECK_MEM(rsoc_buf + 4, tur_desc, 8);
	CHECK_EQ_INT(rsoc_buf[4 + 8 * n], FILLER);
	d = rsoc_find(rsoc_buf, 8, SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16);
	CHECK(d);
	if (d)
		CHECK_MEM(d, rc16_desc, 8);
	d = rsoc_find(rsoc_buf, 8, WRITE_16, SCST_CDB_NO_SA);
	CHECK(d);
	if (d) {
		CHECK_EQ_INT(d[5], 0);
		CHECK_EQ_INT(get_unaligned_be16(&d[6]), 16);
	}
	/* the requested opcode / SA fields are ignored */
	CHECK_EQ_INT(rsoc(0, READ_10, 7, NULL, &err), 4 + 8 * n);
	CHECK_EQ_INT(err, -1);
}

TEST(rsoc_all_commands_rctd)
{
	static const u8 exp[20] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x06,
		0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
	};
	unsigned int n = table_size();
	const u8 *d;

	CHECK_EQ_INT(rsoc(0x80, 0, 0, NULL, NULL), 4 + 20 * n);
	CHECK_EQ_INT(get_unaligned_be32(rsoc_buf), 20 * n);
	CHECK_MEM(rsoc_buf + 4, exp, sizeof(exp));
	d = rsoc_find(rsoc_buf, 20, PERSISTENT_RESERVE_OUT, 7);
	CHECK(d);
	if (d) {
		CHECK_EQ_INT(d[5], 0x03);
		CHECK_EQ_INT(get_unaligned_be16(&d[8]), 0x0a);
	}
}

TEST(rsoc_all_commands_filtered_and_truncated)
{
	const struct scst_cdb_info *e;
	unsigned int i, n = 0;
	u8 full[4096], cdb[12] = { MAINTENANCE_IN, 0x0c, 0x00 };
	u8 small[16];
	int total;

	for (i = 0; (e = scst_cdb_table_iter(i)); i++)
		n += only_disk_non_local(e, NULL);
	CHECK(n < table_size());
	CHECK_EQ_INT(rsoc(0, 0, 0, only_disk_non_local, NULL), 4 + 8 * n);
	CHECK(!rsoc_find(rsoc_buf, 8, REPORT_LUNS, SCST_CDB_NO_SA));
	CHECK(!rsoc_find(rsoc_buf, 8, READ_TOC, SCST_CDB_NO_SA));
	CHECK(rsoc_find(rsoc_buf, 8, READ_10, SCST_CDB_NO_SA));

	total = scst_build_rsoc(full, sizeof(full), cdb, NULL, NULL, NULL);
	memset(small, FILLER, sizeof(small));
	CHECK_EQ_INT(scst_build_rsoc(small, 10, cdb, NULL, NULL, NULL),
		     total);
	CHECK_MEM(small, full, 10);
	CHECK_EQ_INT(small[10], FILLER);
	CHECK_EQ_INT(scst_build_rsoc(small, 0, cdb, NULL, NULL, NULL), total);
}

TEST(rsoc_one_command)
{
	static const u8 exp_r10[14] = {
		0x00, 0x03, 0x00, 0x0a,
		0x28, 0x1a, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00,
	};
	static const u8 exp_r10_rctd[26] = {
		0x00, 0x83, 0x00, 0x0a,
		0x28, 0x1a, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x00,
		0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00,
	};
	static const u8 exp_none[4] = { 0x00, 0x01, 0x00, 0x00 };
	int err = -1;

	CHECK_EQ_INT(rsoc(1, READ_10, 0, NULL, &err), 14);
	CHECK_MEM(rsoc_buf, exp_r10, sizeof(exp_r10));
	CHECK_EQ_INT(rsoc_buf[14], FILLER);
	/* REQUESTED SERVICE ACTION is ignored for option 1 */
	CHECK_EQ_INT(rsoc(1, READ_10, 0x1234, NULL, &err), 14);
	CHECK_EQ_INT(rsoc(0x81, READ_10, 0, NULL, &err), 26);
	CHECK_MEM(rsoc_buf, exp_r10_rctd, sizeof(exp_r10_rctd));

	/* unsupported opcode, and opcode filtered out */
	CHECK_EQ_INT(rsoc(1, 0x02, 0, NULL, &err), 4);
	CHECK_MEM(rsoc_buf, exp_none, sizeof(exp_none));
	CHECK_EQ_INT(rsoc(0x81, 0x02, 0, NULL, &err), 4);
	CHECK_MEM(rsoc_buf, exp_none, sizeof(exp_none));
	CHECK_EQ_INT(rsoc(1, READ_10, 0, no_read10, &err), 4);
	CHECK_MEM(rsoc_buf, exp_none, sizeof(exp_none));
	CHECK_EQ_INT(err, -1);

	/* the opcode has service actions */
	CHECK_EQ_INT(rsoc(1, SERVICE_ACTION_IN_16, 0x10, NULL, &err),
		     -EINVAL);
	CHECK_EQ_INT(err, 2);
}

TEST(rsoc_one_command_sa)
{
	static const u8 exp_rc16[20] = {
		0x00, 0x03, 0x00, 0x10,
		0x9e, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0x01, 0x00,
	};
	static const u8 exp_rtpg[16] = {
		0x00, 0x03, 0x00, 0x0c,
		0xa3, 0xea, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x00,
	};
	static const u8 exp_none[4] = { 0x00, 0x01, 0x00, 0x00 };
	int err = -1;

	CHECK_EQ_INT(rsoc(2, SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16, NULL,
			  &err), 20);
	CHECK_MEM(rsoc_buf, exp_rc16, sizeof(exp_rc16));
	CHECK_EQ_INT(rsoc(2, MAINTENANCE_IN, MI_REPORT_TARGET_PGS, NULL, &err),
		     16);
	CHECK_MEM(rsoc_buf, exp_rtpg, sizeof(exp_rtpg));

	/* unknown service actions, and a SA beyond the 5 bit field */
	CHECK_EQ_INT(rsoc(2, SERVICE_ACTION_IN_16, 0x13, NULL, &err), 4);
	CHECK_MEM(rsoc_buf, exp_none, sizeof(exp_none));
	CHECK_EQ_INT(rsoc(2, SERVICE_ACTION_IN_16, 0x110, NULL, &err), 4);
	CHECK_MEM(rsoc_buf, exp_none, sizeof(exp_none));
	/* unknown opcode */
	CHECK_EQ_INT(rsoc(2, 0x9f, 0x10, NULL, &err), 4);
	CHECK_EQ_INT(err, -1);

	/* the opcode has no service actions */
	CHECK_EQ_INT(rsoc(2, READ_10, 0, NULL, &err), -EINVAL);
	CHECK_EQ_INT(err, 2);
}

TEST(rsoc_option_3_and_invalid)
{
	int err = -1, opts;

	CHECK_EQ_INT(rsoc(3, READ_16, 0x55, NULL, &err), 4 + 16);
	CHECK_EQ_INT(rsoc_buf[1], 0x03);
	CHECK_EQ_INT(rsoc_buf[4], READ_16);
	CHECK_EQ_INT(rsoc(3, PERSISTENT_RESERVE_IN, 2, NULL, &err), 4 + 10);
	CHECK_EQ_INT(rsoc_buf[4], PERSISTENT_RESERVE_IN);
	CHECK_EQ_INT(rsoc_buf[5], 0x02);
	CHECK_EQ_INT(rsoc(3, PERSISTENT_RESERVE_IN, 9, NULL, &err), 4);
	CHECK_EQ_INT(rsoc_buf[1], 0x01);
	CHECK_EQ_INT(err, -1);

	for (opts = 4; opts < 8; opts++) {
		err = -1;
		CHECK_EQ_INT(rsoc(opts, READ_10, 0, NULL, &err), -EINVAL);
		CHECK_EQ_INT(err, 2);
	}
	/* err_field may be NULL */
	CHECK_EQ_INT(rsoc(5, READ_10, 0, NULL, NULL), -EINVAL);
}
