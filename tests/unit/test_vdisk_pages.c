// SPDX-License-Identifier: GPL-2.0
/*
 * scst_vdisk data builders and parsers: INQUIRY/VPD, READ CAPACITY,
 * MODE SENSE/SELECT, LOG SENSE, UNMAP and the CDB checks.
 */

#include "../../scst/src/dev_handlers/vdisk_pages.h"
#include "unit.h"

static u8 buf[VDISK_RESP_BUF_SIZE];

/* A 512 byte block disk of 2 GiB with the defaults of a fileio device */
static void dev_init(struct vdisk_pg_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->type = TYPE_DISK;
	strcpy(d->vend_id, "SCST_FIO");
	strcpy(d->prod_id, "disk01");
	strcpy(d->prod_rev, " 010");
	strcpy(d->t10_dev_id, "1a-disk01");
	strcpy(d->usn, "0123456789abcdef");
	vdisk_gen_naa(d->naa_id, 0x0123456789abcdefULL);
	d->naa_id_len = 8;
	d->block_shift = 9;
	d->nr_blocks = 4194304;
	d->max_xfer_blocks = 8192;
	d->opt_xfer_blocks = 1024;
	d->rotational = true;
	vdisk_default_mode(d, &d->def_mode, false);
	d->mode = d->def_mode;
}

static int inquiry(const struct vdisk_pg_dev *d, const struct vdisk_port *p,
		   u8 evpd, u8 page, struct vdisk_err *err)
{
	u8 cdb[6] = { INQUIRY, evpd, page, 0x10, 0x00, 0 };

	memset(err, 0, sizeof(*err));
	return vdisk_inquiry(d, p, cdb, buf, sizeof(buf), err);
}

#define CHECK_ERR(err, k, f, b)						\
	do {								\
		CHECK_EQ_INT((err).kind, (k));				\
		CHECK_EQ_INT((err).field, (f));				\
		CHECK_EQ_INT((err).bit, (b));				\
	} while (0)

TEST(std_inquiry)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	int len;

	dev_init(&d);
	len = inquiry(&d, NULL, 0, 0, &err);
	CHECK_EQ_INT(len, 74);
	CHECK_EQ_INT(buf[0], 0x00);
	CHECK_EQ_INT(buf[1], 0x00);		/* not removable */
	CHECK_EQ_INT(buf[2], 0x06);		/* SPC-4 */
	/* vendor specific bytes 36..55 are zero by default */
	for (len = 36; len < 56; len++)
		CHECK_EQ_INT(buf[len], 0);
	strcpy(d.inq_vend_spec, "v s");
	CHECK_EQ_INT(inquiry(&d, NULL, 0, 0, &err), 74);
	CHECK_MEM(buf + 32, " 010v s                 ", 24);
	CHECK_EQ_INT(buf[56], 0);
	CHECK_EQ_INT(get_unaligned_be16(buf + 58), 0x00a0);
	strcpy(d.inq_vend_spec, "01234567890123456789");
	inquiry(&d, NULL, 0, 0, &err);
	CHECK_MEM(buf + 36, "01234567890123456789", 20);
	CHECK_EQ_INT(buf[56], 0);
	d.inq_vend_spec[0] = '\0';
	CHECK_EQ_INT(buf[3], 0x12);		/* HISUP, format 2, NORMACA 0 */
	CHECK_EQ_INT(buf[4], 74 - 5);
	CHECK_EQ_INT(buf[7], 0x02);		/* CMDQUE */
	CHECK_MEM(buf + 8, "SCST_FIO", 8);
	CHECK_MEM(buf + 16, "disk01          ", 16);
	CHECK_MEM(buf + 32, " 010", 4);
	CHECK_EQ_INT(get_unaligned_be16(buf + 60), 0x0460);
	CHECK_EQ_INT(buf[73], 0);

	d.removable = true;
	inquiry(&d, NULL, 0, 0, &err);
	CHECK_EQ_INT(buf[1], 0x80);
}

TEST(inquiry_cdb_errors)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	/* CMDDT */
	CHECK_EQ_INT(inquiry(&d, NULL, 0x02, 0, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 1);
	/* reserved bit */
	CHECK_EQ_INT(inquiry(&d, NULL, 0x81, 0, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 7);
	/* page code without EVPD */
	CHECK_EQ_INT(inquiry(&d, NULL, 0, 0x80, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 2, 7);
	/* unsupported VPD pages */
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x99, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 2, 7);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0xb2, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 2, 7);
}

TEST(vpd_supported_pages)
{
	static const u8 pages[] = { 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2 };
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x00, &err), 4 + 6);
	CHECK_EQ_INT(buf[1], 0x00);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 6);
	CHECK_MEM(buf + 4, pages, 6);

	d.thin_provisioned = true;
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x00, &err), 4 + 7);
	CHECK_MEM(buf + 4, pages, 7);
}

TEST(vpd_usn)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x80, &err), 4 + 16);
	CHECK_EQ_INT(buf[1], 0x80);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 16);
	CHECK_MEM(buf + 4, "0123456789abcdef", 16);
}

TEST(vpd_device_id)
{
	struct vdisk_port port = {
		.rel_tgt_id = 3, .protocol_id = 5, .tgt_name = "iqn.x:t1",
	};
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	const u8 *p;
	int len;

	dev_init(&d);
	len = inquiry(&d, &port, 1, 0x83, &err);
	CHECK_EQ_INT(buf[1], 0x83);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), len - 4);

	/* NAA, binary, LU */
	p = buf + 4;
	CHECK_EQ_INT(p[0], 0x01);
	CHECK_EQ_INT(p[1], 0x03);
	CHECK_EQ_INT(p[3], 8);
	CHECK_EQ_INT(p[4] >> 4, 3);		/* locally assigned */
	CHECK_MEM(p + 4, d.naa_id, 8);

	/* T10 vendor ID, ASCII, LU */
	p += 12;
	CHECK_EQ_INT(p[0], 0x02);
	CHECK_EQ_INT(p[1], 0x01);
	CHECK_EQ_INT(p[3], 8 + 9);
	CHECK_MEM(p + 4, "SCST_FIO1a-disk01", 17);

	/* relative target port, PIV, target port association */
	p += 4 + 17;
	CHECK_EQ_INT(p[0], 0x51);
	CHECK_EQ_INT(p[1], 0x94);
	CHECK_EQ_INT(p[3], 4);
	CHECK_EQ_INT(get_unaligned_be16(p + 6), 3);

	/* SCSI name string of the target port: NUL padded to 12 bytes */
	p += 8;
	CHECK_EQ_INT(p[0], 0x53);
	CHECK_EQ_INT(p[1], 0x98);
	CHECK_EQ_INT(p[3], 12);
	CHECK_MEM(p + 4, "iqn.x:t1\0\0\0\0", 12);
	CHECK_EQ_INT(p + 16 - buf, len);

	/* vendor specific designator, no port info */
	strcpy(d.vend_spec_id, "abc");
	len = inquiry(&d, NULL, 1, 0x83, &err);
	CHECK_EQ_INT(len, 4 + 12 + 21 + 7);
	CHECK_EQ_INT(buf[4 + 12 + 21 + 1], 0x00);
	CHECK_MEM(buf + 4 + 12 + 21 + 4, "abc", 3);
}

/* The optional LU designators: EUI-64 and the SCSI name string */
TEST(vpd_device_id_optional)
{
	static const u8 eui[16] = {
		0x00, 0x14, 0x05, 0xab, 0xcd, 0xef, 0x01, 0x23,
		0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
	};
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	char name[VDISK_SCSI_NAME_LEN + 1];
	const u8 *p;
	int len, base;

	dev_init(&d);
	/* Neither is reported by default: NAA and T10 only */
	base = inquiry(&d, NULL, 1, 0x83, &err);
	CHECK_EQ_INT(base, 4 + 12 + 21);

	memcpy(d.eui64_id, eui, 8);
	d.eui64_id_len = 8;
	len = inquiry(&d, NULL, 1, 0x83, &err);
	CHECK_EQ_INT(len, base + 12);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), len - 4);
	/* right after the NAA designator: binary, LU, EUI-64 */
	p = buf + 4 + 12;
	CHECK_EQ_INT(p[0], 0x01);
	CHECK_EQ_INT(p[1], 0x02);
	CHECK_EQ_INT(p[3], 8);
	CHECK_MEM(p + 4, eui, 8);
	/* the T10 designator follows it */
	CHECK_EQ_INT(p[12], 0x02);
	CHECK_EQ_INT(p[13], 0x01);

	d.eui64_id_len = 12;
	memcpy(d.eui64_id, eui, 12);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x83, &err), base + 16);
	CHECK_EQ_INT(p[3], 12);
	CHECK_MEM(p + 4, eui, 12);
	d.eui64_id_len = 16;
	memcpy(d.eui64_id, eui, 16);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x83, &err), base + 20);
	CHECK_EQ_INT(p[3], 16);
	CHECK_MEM(p + 4, eui, 16);
	d.eui64_id_len = 0;

	/* "naa.x": 5 characters, NUL terminated and padded to 8 */
	strcpy(d.scsi_dev_name, "naa.x");
	len = inquiry(&d, NULL, 1, 0x83, &err);
	CHECK_EQ_INT(len, base + 12);
	p = buf + base;
	CHECK_EQ_INT(p[0], 0x03);		/* UTF-8 */
	CHECK_EQ_INT(p[1], 0x08);		/* LU, SCSI name string */
	CHECK_EQ_INT(p[3], 8);
	CHECK_MEM(p + 4, "naa.x\0\0\0", 8);

	/* 4 characters still need a terminator: 8 bytes */
	strcpy(d.scsi_dev_name, "abcd");
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x83, &err), base + 12);
	CHECK_EQ_INT(p[3], 8);
	CHECK_MEM(p + 4, "abcd\0\0\0\0", 8);
	strcpy(d.scsi_dev_name, "abc");
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x83, &err), base + 8);
	CHECK_EQ_INT(p[3], 4);
	CHECK_MEM(p + 4, "abc", 4);

	/* The longest name: 251 characters in 252 bytes */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	strcpy(d.scsi_dev_name, name);
	memcpy(d.eui64_id, eui, 16);
	d.eui64_id_len = 16;
	strcpy(d.vend_spec_id, "abc");
	len = inquiry(&d, NULL, 1, 0x83, &err);
	CHECK_EQ_INT(len, base + 20 + 7 + 4 + 252);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), len - 4);
	/* after NAA, EUI-64, T10 and the vendor specific designator */
	p = buf + base + 20 + 7;
	CHECK_EQ_INT(p[0], 0x03);
	CHECK_EQ_INT(p[1], 0x08);
	CHECK_EQ_INT(p[3], 252);
	CHECK_MEM(p + 4, name, 251);
	CHECK_EQ_INT(p[4 + 251], 0);
}

TEST(vpd_ext_inquiry)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0x86, &err), 64);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 60);
	CHECK_EQ_INT(buf[5], 0x07);
	CHECK_EQ_INT(buf[6], 0x01);		/* V_SUP */
	CHECK_EQ_INT(buf[7], 0x01);		/* LUICLR */
	d.nv_cache = true;
	inquiry(&d, NULL, 1, 0x86, &err);
	CHECK_EQ_INT(buf[6], 0x02);		/* NV_SUP */
}

TEST(vpd_block_limits)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0xb0, &err), 64);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 60);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 1);
	CHECK_EQ_INT(get_unaligned_be32(buf + 8), 8192);
	CHECK_EQ_INT(get_unaligned_be32(buf + 12), 1024);
	CHECK_EQ_INT(get_unaligned_be32(buf + 20), 0);
	CHECK_EQ_INT(get_unaligned_be32(buf + 24), 0);

	d.thin_provisioned = true;
	d.unmap = true;
	d.lb_per_pb_exp = 3;
	inquiry(&d, NULL, 1, 0xb0, &err);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 8);
	CHECK_EQ_U64(get_unaligned_be32(buf + 20), 0xffffffff);
	CHECK_EQ_INT(get_unaligned_be32(buf + 24), VDISK_MAX_UNMAP_DESC);
	CHECK_EQ_INT(get_unaligned_be32(buf + 28), 8);
}

TEST(vpd_block_limits_write_same)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	inquiry(&d, NULL, 1, 0xb0, &err);
	CHECK_EQ_INT(buf[4] & 0x01, 1);			/* WSNZ */
	CHECK_EQ_U64(get_unaligned_be64(buf + 36), (4U << 20) / 512);
	d.block_shift = 12;
	inquiry(&d, NULL, 1, 0xb0, &err);
	CHECK_EQ_U64(get_unaligned_be64(buf + 36), (4U << 20) / 4096);
	CHECK_EQ_INT(vdisk_max_ws_blocks(&d), 1024);
}

TEST(vpd_bdc_lbp)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0xb1, &err), 64);
	CHECK_EQ_INT(get_unaligned_be16(buf + 4), 0);
	d.rotational = false;
	inquiry(&d, NULL, 1, 0xb1, &err);
	CHECK_EQ_INT(get_unaligned_be16(buf + 4), 1);

	d.thin_provisioned = true;
	CHECK_EQ_INT(inquiry(&d, NULL, 1, 0xb2, &err), 8);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 4);
	CHECK_EQ_INT(buf[5], 0x00);
	CHECK_EQ_INT(buf[6], 0x02);
	d.unmap = true;
	inquiry(&d, NULL, 1, 0xb2, &err);
	/* LBPU, LBPWS, LBPWS10; no LBPRZ, no ANC_SUP */
	CHECK_EQ_INT(buf[5], 0xe0);
}

TEST(write_same_checks)
{
	u8 ws10[10] = { WRITE_SAME };
	u8 ws16[16] = { WRITE_SAME_16 };
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	bool unmap;

	dev_init(&d);
	CHECK_EQ_INT(vdisk_check_write_same(&d, ws10, 1, &unmap, &err), 0);
	CHECK(!unmap);
	CHECK_EQ_INT(vdisk_check_write_same(&d, ws16, 8192, &unmap, &err),
		     0);
	/* WSNZ: 0 blocks refused, field pointer on NUMBER OF LOGICAL BLOCKS */
	CHECK_EQ_INT(vdisk_check_write_same(&d, ws10, 0, &unmap, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_INVALID_CDB);
	CHECK_EQ_INT(err.field, 7);
	CHECK_EQ_INT(err.bit, -1);
	CHECK_EQ_INT(vdisk_check_write_same(&d, ws16, 8193, &unmap, &err),
		     -1);
	CHECK_EQ_INT(err.field, 10);
	/* UNMAP=1 without logical block provisioning */
	ws16[1] = 0x08;
	CHECK_EQ_INT(vdisk_check_write_same(&d, ws16, 1, &unmap, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_INVALID_CDB);
	CHECK_EQ_INT(err.field, 1);
	CHECK_EQ_INT(err.bit, 3);
	d.thin_provisioned = true;
	CHECK_EQ_INT(vdisk_check_write_same(&d, ws16, 1, &unmap, &err), -1);
	d.unmap = true;
	CHECK_EQ_INT(vdisk_check_write_same(&d, ws16, 1, &unmap, &err), 0);
	CHECK(unmap);
}

TEST(get_lba_status)
{
	u8 cdb[16] = { SERVICE_ACTION_IN_16, SAI_GET_LBA_STATUS };
	struct vdisk_lba_extent ext[3];
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	u64 lba;
	int n = 0;

	dev_init(&d);
	put_unaligned_be64(4194303, cdb + 2);
	CHECK_EQ_INT(vdisk_get_lba_status_cdb(&d, cdb, &lba, &err), 0);
	CHECK_EQ_U64(lba, 4194303);
	put_unaligned_be64(4194304, cdb + 2);
	CHECK_EQ_INT(vdisk_get_lba_status_cdb(&d, cdb, &lba, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_LBA_RANGE);

	/* Adjacent extents of one status merge; long ones split */
	CHECK(vdisk_lba_extent_add(ext, &n, 3, 10, 5, VDISK_LBA_MAPPED));
	CHECK(vdisk_lba_extent_add(ext, &n, 3, 15, 5, VDISK_LBA_MAPPED));
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(ext[0].nr, 10);
	CHECK(vdisk_lba_extent_add(ext, &n, 3, 20, 0x100000000ULL,
				   VDISK_LBA_DEALLOCATED));
	CHECK_EQ_INT(n, 3);
	CHECK_EQ_U64(ext[1].lba, 20);
	CHECK_EQ_U64(ext[1].nr, 0xffffffffULL);
	CHECK_EQ_U64(ext[2].lba, 20 + 0xffffffffULL);
	CHECK_EQ_INT(ext[2].nr, 1);
	CHECK(!vdisk_lba_extent_add(ext, &n, 3, 0x100000014ULL, 1,
				    VDISK_LBA_MAPPED));
	CHECK_EQ_INT(n, 3);

	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ_INT(vdisk_lba_status(ext, 2, buf, sizeof(buf)), 40);
	CHECK_EQ_INT(get_unaligned_be32(buf), 36);
	CHECK_EQ_INT(get_unaligned_be32(buf + 4), 0);
	CHECK_EQ_U64(get_unaligned_be64(buf + 8), 10);
	CHECK_EQ_INT(get_unaligned_be32(buf + 16), 10);
	CHECK_EQ_INT(buf[20], VDISK_LBA_MAPPED);
	CHECK_EQ_INT(buf[21] | buf[22] | buf[23], 0);
	CHECK_EQ_U64(get_unaligned_be64(buf + 24), 20);
	CHECK_EQ_INT(buf[36], VDISK_LBA_DEALLOCATED);
	/* A buffer for fewer descriptors: those that fit, no overrun */
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ_INT(vdisk_lba_status(ext, 2, buf, 30), 24);
	CHECK_EQ_INT(get_unaligned_be32(buf), 20);
	CHECK_EQ_INT(buf[20], VDISK_LBA_MAPPED);
	CHECK_EQ_INT(buf[24], 0xaa);
	CHECK_EQ_INT(vdisk_lba_status(ext, 2, buf, 7), 0);
	/* The most descriptors fit the response buffer */
	CHECK(VDISK_LBA_STATUS_HDR_LEN + VDISK_MAX_LBA_STATUS_DESC *
	      VDISK_LBA_STATUS_DESC_LEN <= VDISK_RESP_BUF_SIZE);
}

TEST(log_select)
{
	u8 cdb[10] = { LOG_SELECT };
	u8 parm[16] = { 0x2f, 0x00, 0x00, 0x00 };
	struct vdisk_err err;

	/* PCR=1, no list: reset, GOOD */
	cdb[1] = 0x02;
	CHECK_EQ_INT(vdisk_log_select(cdb, NULL, 0, &err), 0);
	/* PCR=1 with a list */
	cdb[8] = 4;
	CHECK_EQ_INT(vdisk_log_select(cdb, parm, 4, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_INVALID_CDB);
	CHECK_EQ_INT(err.field, 7);
	/* SP=1: saving not supported */
	cdb[1] = 0x03;
	cdb[8] = 0;
	CHECK_EQ_INT(vdisk_log_select(cdb, NULL, 0, &err), -1);
	CHECK_EQ_INT(err.field, 1);
	CHECK_EQ_INT(err.bit, 0);
	/* PCR=0, no list: defaults of a known page, or an unknown page */
	cdb[1] = 0;
	cdb[2] = 0x40 | 0x2f;
	CHECK_EQ_INT(vdisk_log_select(cdb, NULL, 0, &err), 0);
	cdb[2] = 0x40 | 0x30;
	CHECK_EQ_INT(vdisk_log_select(cdb, NULL, 0, &err), -1);
	CHECK_EQ_INT(err.field, 2);
	CHECK_EQ_INT(err.bit, 5);
	/* A list with a page code in the CDB */
	cdb[2] = 0x2f;
	cdb[8] = 4;
	CHECK_EQ_INT(vdisk_log_select(cdb, parm, 4, &err), -1);
	CHECK_EQ_INT(err.field, 2);
	/* An empty IEC page changes nothing; a parameter cannot be set */
	cdb[2] = 0;
	CHECK_EQ_INT(vdisk_log_select(cdb, parm, 4, &err), 0);
	parm[3] = 4;
	cdb[8] = 8;
	CHECK_EQ_INT(vdisk_log_select(cdb, parm, 8, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_INVALID_PARM);
	CHECK_EQ_INT(err.field, 4);
	/* An unsupported page in the list */
	parm[0] = 0x0d;
	CHECK_EQ_INT(vdisk_log_select(cdb, parm, 8, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_INVALID_PARM);
	CHECK_EQ_INT(err.field, 0);
	CHECK_EQ_INT(err.bit, 5);
	/* A truncated page */
	parm[0] = 0x2f;
	cdb[8] = 6;
	CHECK_EQ_INT(vdisk_log_select(cdb, parm, 6, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_INVALID_CDB);
	CHECK_EQ_INT(err.field, 7);
}

TEST(read_capacity)
{
	u8 rc10[10] = { READ_CAPACITY };
	u8 rc16[16] = { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 };
	struct vdisk_pg_dev d;
	struct vdisk_err err = {};

	dev_init(&d);
	CHECK_EQ_INT(vdisk_read_capacity10(&d, rc10, buf, sizeof(buf), &err),
		     8);
	CHECK_EQ_INT(get_unaligned_be32(buf), 4194303);
	CHECK_EQ_INT(get_unaligned_be32(buf + 4), 512);

	d.nr_blocks = 0x100000000ULL;
	vdisk_read_capacity10(&d, rc10, buf, sizeof(buf), &err);
	CHECK_EQ_U64(get_unaligned_be32(buf), 0xffffffff);
	d.nr_blocks = 0xffffffffULL;
	vdisk_read_capacity10(&d, rc10, buf, sizeof(buf), &err);
	CHECK_EQ_U64(get_unaligned_be32(buf), 0xfffffffe);

	d.nr_blocks = 0x100000000ULL;
	d.block_shift = 12;
	d.lb_per_pb_exp = 0;
	d.thin_provisioned = true;
	CHECK_EQ_INT(vdisk_read_capacity16(&d, rc16, buf, sizeof(buf), &err),
		     32);
	CHECK_EQ_U64(get_unaligned_be64(buf), 0xffffffffULL);
	CHECK_EQ_INT(get_unaligned_be32(buf + 8), 4096);
	CHECK_EQ_INT(buf[13], 0);
	CHECK_EQ_INT(buf[14], 0x80);
	/* LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT: bits 3..0 of byte 13 */
	d.lb_per_pb_exp = 15;
	vdisk_read_capacity16(&d, rc16, buf, sizeof(buf), &err);
	CHECK_EQ_INT(buf[13], 0x0f);
	CHECK_EQ_INT(buf[14], 0x80);
	d.lb_per_pb_exp = 3;
	vdisk_read_capacity16(&d, rc16, buf, sizeof(buf), &err);
	CHECK_EQ_INT(buf[13], 3);
	d.lb_per_pb_exp = 0;

	rc10[8] = 0x02;
	CHECK_EQ_INT(vdisk_read_capacity10(&d, rc10, buf, sizeof(buf), &err),
		     -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 8, 1);
	rc10[8] = 0x01;			/* PMI: obsolete, ignored */
	CHECK_EQ_INT(vdisk_read_capacity10(&d, rc10, buf, sizeof(buf), &err),
		     8);
}

static int mode_sense6(const struct vdisk_pg_dev *d, u8 b1, u8 b2, u8 b3,
		       struct vdisk_err *err)
{
	u8 cdb[6] = { MODE_SENSE, b1, b2, b3, 0xff, 0 };

	memset(err, 0, sizeof(*err));
	return vdisk_mode_sense(d, cdb, buf, sizeof(buf), err);
}

static int mode_sense10(const struct vdisk_pg_dev *d, u8 b1, u8 b2,
			struct vdisk_err *err)
{
	u8 cdb[10] = { MODE_SENSE_10, b1, b2, 0, 0, 0, 0, 0x10, 0, 0 };

	memset(err, 0, sizeof(*err));
	return vdisk_mode_sense(d, cdb, buf, sizeof(buf), err);
}

/* Find page code in MODE SENSE data after hdr + bd bytes */
static const u8 *find_page(int len, int start, u8 code)
{
	int off = start;

	while (off + 2 <= len) {
		if ((buf[off] & 0x3f) == code)
			return buf + off;
		off += 2 + buf[off + 1];
	}
	return NULL;
}

TEST(mode_sense_all_pages)
{
	static const u8 codes[] = { 0x01, 0x02, 0x03, 0x04, 0x08, 0x0a, 0x1c };
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	unsigned int i;
	const u8 *p;
	int len;

	dev_init(&d);
	len = mode_sense6(&d, 0, 0x3f, 0, &err);
	CHECK_EQ_INT(len, 4 + 8 + 12 + 16 + 24 + 24 + 20 + 12 + 12);
	CHECK_EQ_INT(buf[0], len - 1);
	CHECK_EQ_INT(buf[2], 0x10);		/* DPOFUA, not WP */
	CHECK_EQ_INT(buf[3], 8);
	CHECK_EQ_INT(get_unaligned_be32(buf + 4), 4194304);
	CHECK_EQ_INT(get_unaligned_be24(buf + 9), 512);
	for (i = 0; i < ARRAY_SIZE(codes); i++)
		CHECK(find_page(len, 12, codes[i]) != NULL);

	p = find_page(len, 12, 0x08);
	CHECK_EQ_INT(p[1], 0x12);
	CHECK_EQ_INT(p[2], 0x04);		/* WCE */
	p = find_page(len, 12, 0x0a);
	CHECK_EQ_INT(p[1], 0x0a);
	CHECK_EQ_INT(p[2], 0x02);		/* GLTSD */
	CHECK_EQ_INT(p[3], 0x10);		/* unrestricted reordering */
	p = find_page(len, 12, 0x03);
	CHECK_EQ_INT(get_unaligned_be16(p + 12), 512);
	p = find_page(len, 12, 0x04);
	CHECK_EQ_INT(get_unaligned_be24(p + 2), 4194304 / (64 * 32));

	/* all subpages: the same, we have none */
	CHECK_EQ_INT(mode_sense6(&d, 0, 0x3f, 0xff, &err), len);
}

TEST(mode_sense_variants)
{
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	int len;

	dev_init(&d);
	/* DBD, one page, write protected, write through */
	d.wp = true;
	d.mode.wce = false;
	len = mode_sense6(&d, 0x08, 0x08, 0, &err);
	CHECK_EQ_INT(len, 4 + 20);
	CHECK_EQ_INT(buf[2], 0x90);
	CHECK_EQ_INT(buf[3], 0);
	CHECK_EQ_INT(buf[4], 0x08);
	CHECK_EQ_INT(buf[6], 0x00);

	/* changeable values */
	mode_sense6(&d, 0x08, 0x48, 0, &err);
	CHECK_EQ_INT(buf[6], 0x04);
	mode_sense6(&d, 0x08, 0x4a, 0, &err);
	CHECK_EQ_INT(buf[6], 0x04);
	CHECK_EQ_INT(buf[7], 0xf6);
	CHECK_EQ_INT(buf[8], 0x08);
	CHECK_EQ_INT(buf[9], 0x40);
	CHECK_EQ_INT(get_unaligned_be16(buf + 12), 0);

	/* default values: WCE as created */
	mode_sense6(&d, 0x08, 0x88, 0, &err);
	CHECK_EQ_INT(buf[6], 0x04);

	/* nv_cache: WCE not changeable */
	d.nv_cache = true;
	mode_sense6(&d, 0x08, 0x48, 0, &err);
	CHECK_EQ_INT(buf[6], 0x00);

	/* MODE SENSE(10) with a long LBA block descriptor */
	d.wp = false;
	len = mode_sense10(&d, 0x10, 0x0a, &err);
	CHECK_EQ_INT(len, 8 + 16 + 12);
	CHECK_EQ_INT(get_unaligned_be16(buf), len - 2);
	CHECK_EQ_INT(buf[3], 0x10);
	CHECK_EQ_INT(buf[4], 0x01);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 16);
	CHECK_EQ_U64(get_unaligned_be64(buf + 8), 4194304);
	CHECK_EQ_INT(get_unaligned_be32(buf + 20), 512);
	CHECK_EQ_INT(buf[24], 0x0a);

	/* short descriptor with a huge capacity */
	d.nr_blocks = 0x200000000ULL;
	len = mode_sense10(&d, 0, 0x0a, &err);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 8);
	CHECK_EQ_U64(get_unaligned_be32(buf + 8), 0xffffffff);
}

TEST(mode_sense_errors)
{
	u8 cdb[10] = { MODE_SENSE_10, 0, 0x3f, 0, 1, 0, 0, 0, 0xff, 0 };
	struct vdisk_pg_dev d;
	struct vdisk_err err;

	dev_init(&d);
	CHECK_EQ_INT(mode_sense6(&d, 0, 0xc8, 0, &err), -1);
	CHECK_ERR(err, VDISK_ERR_SAVING_UNSUP, 2, 7);
	CHECK_EQ_INT(mode_sense6(&d, 0, 0x05, 0, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 2, 5);
	CHECK_EQ_INT(mode_sense6(&d, 0, 0x0a, 0x01, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 3, 7);
	CHECK_EQ_INT(mode_sense6(&d, 0x10, 0x0a, 0, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 4);	/* LLBAA in (6) */
	memset(&err, 0, sizeof(err));
	CHECK_EQ_INT(vdisk_mode_sense(&d, cdb, buf, sizeof(buf), &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 4, 0);
}

/* MODE SELECT(6) of the data a MODE SENSE(6) DBD returned for page */
static int select6(struct vdisk_pg_dev *d, u8 b1, u8 *parm, u32 len,
		   struct vdisk_mode_state *ms, struct vdisk_err *err)
{
	u8 cdb[6] = { MODE_SELECT, b1, 0, 0, (u8)len, 0 };

	memset(err, 0, sizeof(*err));
	CHECK_EQ_INT(vdisk_mode_select_cdb(cdb, &len, err), 0);
	return vdisk_mode_select(d, cdb, parm, len, ms, err);
}

TEST(mode_select_caching)
{
	struct vdisk_mode_state ms;
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	u8 parm[64];
	int len;

	dev_init(&d);
	len = mode_sense6(&d, 0x08, 0x08, 0, &err);
	memcpy(parm, buf, len);
	parm[0] = 0;			/* mode data length: reserved */
	parm[4 + 2] &= ~0x04;		/* WCE=0 */
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), 0);
	CHECK(!ms.wce);
	CHECK(ms.queue_alg == d.mode.queue_alg);

	/* the MODE DATA LENGTH sent back unchanged is tolerated */
	parm[0] = len - 1;
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), 0);

	/* RCD is not changeable */
	parm[4 + 2] |= 0x01;
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 6, 0);
	parm[4 + 2] &= ~0x01;

	/* wrong page length */
	parm[4 + 1] = 0x10;
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 5, 7);
	parm[4 + 1] = 0x12;

	/* truncated page */
	CHECK_EQ_INT(select6(&d, 0x10, parm, len - 1, &ms, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_PARM_LIST_LEN);
	/* truncated header */
	CHECK_EQ_INT(select6(&d, 0x10, parm, 3, &ms, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_PARM_LIST_LEN);

	/* PF=0 with a page */
	CHECK_EQ_INT(select6(&d, 0x00, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 4);
	/* header only, PF=0: fine */
	CHECK_EQ_INT(select6(&d, 0x00, parm, 4, &ms, &err), 0);
	/* empty list */
	CHECK_EQ_INT(select6(&d, 0x10, parm, 0, &ms, &err), 0);

	/* unknown page, subpage format */
	parm[4] = 0x05;
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 4, 5);
	parm[4] = 0x48;
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 4, 6);
	/* PS is ignored */
	parm[4] = 0x88;
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), 0);

	/* medium type */
	parm[1] = 1;
	CHECK_EQ_INT(select6(&d, 0x10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 1, 0);
}

TEST(mode_select_cdb)
{
	u8 cdb6[6] = { MODE_SELECT, 0x11, 0, 0, 12, 0 };
	u8 cdb10[10] = { MODE_SELECT_10, 0x10, 0, 0, 0, 0, 0, 0x01, 0x02, 0 };
	struct vdisk_err err = {};
	u32 len;

	CHECK_EQ_INT(vdisk_mode_select_cdb(cdb6, &len, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 0);
	cdb6[1] = 0x12;
	CHECK_EQ_INT(vdisk_mode_select_cdb(cdb6, &len, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 1);
	cdb6[1] = 0x10;
	CHECK_EQ_INT(vdisk_mode_select_cdb(cdb6, &len, &err), 0);
	CHECK_EQ_INT(len, 12);
	CHECK_EQ_INT(vdisk_mode_select_cdb(cdb10, &len, &err), 0);
	CHECK_EQ_INT(len, 0x102);
	cdb10[3] = 4;
	CHECK_EQ_INT(vdisk_mode_select_cdb(cdb10, &len, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 3, 2);
}

TEST(mode_select_control_and_bd)
{
	u8 cdb10[10] = { MODE_SELECT_10, 0x10 };
	struct vdisk_mode_state ms;
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	u8 parm[64];
	int len;

	dev_init(&d);
	len = mode_sense10(&d, 0x10, 0x0a, &err);
	memcpy(parm, buf, len);
	parm[0] = parm[1] = 0;
	parm[24 + 2] |= 0x04;		/* D_SENSE */
	parm[24 + 3] = 0x02;		/* QAM 0, QErr 1 */
	parm[24 + 4] |= 0x08;		/* SWP */
	parm[24 + 5] |= 0x40;		/* TAS */
	memset(&err, 0, sizeof(err));
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), 0);
	CHECK(ms.d_sense && ms.swp && ms.tas);
	CHECK_EQ_INT(ms.qerr, 1);
	CHECK_EQ_INT(ms.queue_alg, 0);
	CHECK(ms.wce);

	/* QErr 10b is reserved, QAM 2 not supported */
	parm[24 + 3] = 0x04;
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 27, 2);
	parm[24 + 3] = 0x20;
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 27, 7);
	parm[24 + 3] = 0x10;

	/* TST is not changeable */
	parm[24 + 2] |= 0x20;
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 26, 5);
	parm[24 + 2] &= ~0x20;

	/* zero NUMBER OF LOGICAL BLOCKS keeps the capacity */
	put_unaligned_be64(0, parm + 8);
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), 0);
	/* another capacity or block size is refused */
	put_unaligned_be64(100, parm + 8);
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 8, 7);
	put_unaligned_be64(4194304, parm + 8);
	put_unaligned_be32(4096, parm + 20);
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 20, 7);
	put_unaligned_be32(512, parm + 20);

	/* block descriptor length must match LONGLBA */
	put_unaligned_be16(8, parm + 6);
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_PARM, 6, 7);
}

TEST(mode_select_two_pages)
{
	u8 cdb10[10] = { MODE_SELECT_10, 0x10 };
	struct vdisk_mode_state ms;
	struct vdisk_pg_dev d;
	struct vdisk_err err;
	u8 parm[128];
	int len, l2;

	/* caching page followed by the control page, no block descriptor */
	dev_init(&d);
	len = mode_sense10(&d, 0x08, 0x08, &err);
	memcpy(parm, buf, len);
	l2 = mode_sense10(&d, 0x08, 0x0a, &err);
	memcpy(parm + len, buf + 8, l2 - 8);
	len += l2 - 8;
	parm[0] = parm[1] = 0;
	parm[8 + 2] = 0;		/* WCE=0 */
	parm[28 + 2] |= 0x04;		/* D_SENSE */
	memset(&err, 0, sizeof(err));
	CHECK_EQ_INT(vdisk_mode_select(&d, cdb10, parm, len, &ms, &err), 0);
	CHECK(!ms.wce);
	CHECK(ms.d_sense);
}

TEST(log_sense)
{
	u8 cdb[10] = { LOG_SENSE, 0, 0x40, 0, 0, 0, 0, 0, 0xff, 0 };
	struct vdisk_err err = {};

	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), 6);
	CHECK_EQ_INT(buf[0], 0x00);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 2);
	CHECK_EQ_INT(buf[4], 0x00);
	CHECK_EQ_INT(buf[5], 0x2f);

	cdb[3] = 0xff;
	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), 10);
	CHECK_EQ_INT(buf[0], 0x40);
	CHECK_EQ_INT(buf[1], 0xff);

	cdb[2] = 0x6f;
	cdb[3] = 0;
	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), 11);
	CHECK_EQ_INT(buf[0], 0x2f);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 7);
	CHECK_EQ_INT(buf[7], 3);
	CHECK_EQ_INT(buf[8], 0);		/* no exception */
	CHECK_EQ_INT(buf[10], 0xff);

	cdb[2] = 0x4d;
	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 2, 5);
	cdb[2] = 0x6f;
	cdb[3] = 1;
	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 3, 7);
	cdb[3] = 0;
	cdb[1] = 0x02;
	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 1);
	cdb[1] = 0x01;
	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 0);
	cdb[1] = 0;
	cdb[6] = 1;
	CHECK_EQ_INT(vdisk_log_sense(cdb, buf, sizeof(buf), &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 5, 7);
}

TEST(unmap)
{
	u8 cdb[10] = { UNMAP, 0, 0, 0, 0, 0, 0, 0, 40, 0 };
	struct vdisk_unmap_desc desc[4];
	struct vdisk_pg_dev d;
	struct vdisk_err err = {};
	u8 parm[40] = { 0 };
	u32 len;

	dev_init(&d);
	CHECK_EQ_INT(vdisk_unmap_cdb(cdb, &len, &err), 0);
	CHECK_EQ_INT(len, 40);
	cdb[1] = 1;
	CHECK_EQ_INT(vdisk_unmap_cdb(cdb, &len, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 0);

	put_unaligned_be16(38, parm);
	put_unaligned_be16(32, parm + 2);
	put_unaligned_be64(100, parm + 8);
	put_unaligned_be32(8, parm + 16);
	put_unaligned_be64(4194300, parm + 24);
	put_unaligned_be32(4, parm + 32);
	CHECK_EQ_INT(vdisk_parse_unmap(&d, parm, 40, desc, 4, &err), 2);
	CHECK_EQ_U64(desc[0].lba, 100);
	CHECK_EQ_INT(desc[0].nr, 8);
	CHECK_EQ_U64(desc[1].lba, 4194300);
	/* incomplete last descriptor ignored */
	CHECK_EQ_INT(vdisk_parse_unmap(&d, parm, 39, desc, 4, &err), 1);
	CHECK_EQ_INT(vdisk_parse_unmap(&d, parm, 0, desc, 4, &err), 0);
	CHECK_EQ_INT(vdisk_parse_unmap(&d, parm, 7, desc, 4, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_PARM_LIST_LEN);
	CHECK_EQ_INT(vdisk_parse_unmap(&d, parm, 40, desc, 1, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_INVALID_PARM);
	put_unaligned_be32(5, parm + 32);
	CHECK_EQ_INT(vdisk_parse_unmap(&d, parm, 40, desc, 4, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_LBA_RANGE);
	put_unaligned_be64(~0ULL, parm + 24);
	put_unaligned_be32(2, parm + 32);
	CHECK_EQ_INT(vdisk_parse_unmap(&d, parm, 40, desc, 4, &err), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_LBA_RANGE);
}

TEST(start_stop_prevent)
{
	u8 cdb[6] = { START_STOP, 0, 0, 0, 0x00, 0 };
	bool start, loej, flush, prevent;
	struct vdisk_err err = {};

	CHECK_EQ_INT(vdisk_check_start_stop(cdb, true, &start, &loej, &flush,
					    &err), 0);
	CHECK(!start && !loej && flush);
	cdb[4] = 0x06;			/* LOEJ, NO_FLUSH, stop */
	vdisk_check_start_stop(cdb, true, &start, &loej, &flush, &err);
	CHECK(!start && loej && !flush);
	vdisk_check_start_stop(cdb, false, &start, &loej, &flush, &err);
	CHECK(!loej);
	cdb[4] = 0x01;
	vdisk_check_start_stop(cdb, true, &start, &loej, &flush, &err);
	CHECK(start && !flush);
	cdb[4] = 0x30;			/* STANDBY */
	CHECK_EQ_INT(vdisk_check_start_stop(cdb, true, &start, &loej, &flush,
					    &err), 0);
	CHECK(start && !flush);
	cdb[4] = 0x50;
	CHECK_EQ_INT(vdisk_check_start_stop(cdb, true, &start, &loej, &flush,
					    &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 4, 7);
	cdb[4] = 0;
	cdb[3] = 1;
	CHECK_EQ_INT(vdisk_check_start_stop(cdb, true, &start, &loej, &flush,
					    &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 3, 3);

	cdb[0] = ALLOW_MEDIUM_REMOVAL;
	cdb[3] = 0;
	cdb[4] = 1;
	CHECK_EQ_INT(vdisk_check_prevent_allow(cdb, &prevent, &err), 0);
	CHECK(prevent);
	cdb[4] = 2;
	CHECK_EQ_INT(vdisk_check_prevent_allow(cdb, &prevent, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 4, 1);
}

TEST(verify_rw_checks)
{
	u8 v10[10] = { VERIFY, 0x02 };
	u8 wv10[10] = { WRITE_VERIFY, 0x06 };
	u8 r16[16] = { READ_16, 0x08 };
	u8 r6[6] = { READ_6, 0xff };
	struct vdisk_err err = {};

	CHECK_EQ_INT(vdisk_check_verify(v10, &err), 1);
	v10[1] = 0x06;
	CHECK_EQ_INT(vdisk_check_verify(v10, &err), 3);
	v10[1] = 0x04;
	CHECK_EQ_INT(vdisk_check_verify(v10, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 2);
	v10[1] = 0x20;
	CHECK_EQ_INT(vdisk_check_verify(v10, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 7);
	CHECK_EQ_INT(vdisk_check_verify(wv10, &err), -1);
	wv10[1] = 0x02;
	CHECK_EQ_INT(vdisk_check_verify(wv10, &err), 1);

	CHECK_EQ_INT(vdisk_check_rw(r16, &err), 0);
	r16[1] = 0x28;
	CHECK_EQ_INT(vdisk_check_rw(r16, &err), -1);
	CHECK_EQ_INT(vdisk_check_rw(r6, &err), 0);
}

TEST(misc_cdb_checks)
{
	u8 sc[10] = { SYNCHRONIZE_CACHE, 0x02 };
	u8 fu[6] = { FORMAT_UNIT, 0 };
	u8 sd[6] = { SEND_DIAGNOSTIC, 0x04 };
	struct vdisk_err err = {};

	CHECK_EQ_INT(vdisk_check_sync_cache(sc, &err), 0);
	sc[1] = 0x08;
	CHECK_EQ_INT(vdisk_check_sync_cache(sc, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 3);

	CHECK_EQ_INT(vdisk_check_format_unit(fu, &err), 0);
	fu[1] = 0x10;
	CHECK_EQ_INT(vdisk_check_format_unit(fu, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 1, 4);

	CHECK_EQ_INT(vdisk_check_send_diag(sd, &err), 0);
	sd[1] = 0xa0;			/* foreground short self-test */
	CHECK_EQ_INT(vdisk_check_send_diag(sd, &err), 0);
	sd[1] = 0x20;			/* background: no results log */
	CHECK_EQ_INT(vdisk_check_send_diag(sd, &err), -1);
	sd[1] = 0x04;
	sd[4] = 4;
	CHECK_EQ_INT(vdisk_check_send_diag(sd, &err), -1);
	CHECK_ERR(err, VDISK_ERR_INVALID_CDB, 3, 7);
}

TEST(identifiers)
{
	char s[VDISK_T10_DEV_ID_LEN + 1];
	char name[100];
	u8 naa[16], eui[16], len;
	u64 h1, h2;

	h1 = vdisk_name_hash("disk01", 0);
	h2 = vdisk_name_hash("disk01", 1);
	CHECK(h1 != h2);
	CHECK_EQ_U64(h1, vdisk_name_hash("disk01", 0));
	CHECK(h1 != vdisk_name_hash("disk02", 0));

	vdisk_gen_usn(s, sizeof(s), 0x0123456789abcdefULL);
	CHECK_STR(s, "0123456789abcdef");
	vdisk_gen_naa(naa, ~0ULL);
	CHECK_EQ_U64(get_unaligned_be64(naa), 0x3fffffffffffffffULL);

	vdisk_gen_t10_dev_id(s, sizeof(s), "disk01", 0);
	CHECK_STR(s, "disk01");
	vdisk_gen_t10_dev_id(s, sizeof(s), "disk01", 0x1a);
	CHECK_STR(s, "1a-disk01");
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	vdisk_gen_t10_dev_id(s, sizeof(s), name, 0x1a);
	CHECK_EQ_INT(strlen(s), 16);

	CHECK_EQ_INT(vdisk_parse_naa_id("0x5001405abcdef012", naa, &len), 0);
	CHECK_EQ_INT(len, 8);
	CHECK_EQ_U64(get_unaligned_be64(naa), 0x5001405abcdef012ULL);
	CHECK_EQ_INT(vdisk_parse_naa_id("6001405ABCDEF0123456789abcdef012",
					naa, &len), 0);
	CHECK_EQ_INT(len, 16);
	CHECK_EQ_INT(naa[15], 0x12);
	CHECK(vdisk_parse_naa_id("1001405abcdef012", naa, &len) < 0);
	CHECK(vdisk_parse_naa_id("6001405abcdef012", naa, &len) < 0);
	CHECK(vdisk_parse_naa_id("5001405abcdef01", naa, &len) < 0);
	CHECK(vdisk_parse_naa_id("5001405abcdef01g", naa, &len) < 0);
	CHECK(vdisk_parse_naa_id("", naa, &len) < 0);
	CHECK(vdisk_parse_naa_id("0x", naa, &len) < 0);
	CHECK(vdisk_parse_naa_id("6001405ABCDEF0123456789abcdef01200",
				 naa, &len) < 0);

	CHECK_EQ_INT(vdisk_parse_eui64_id("0x001405abcdef0123", eui, &len), 0);
	CHECK_EQ_INT(len, 8);
	CHECK_EQ_U64(get_unaligned_be64(eui), 0x001405abcdef0123ULL);
	CHECK_EQ_INT(vdisk_parse_eui64_id("001405abcdef012345678901", eui,
					  &len), 0);
	CHECK_EQ_INT(len, 12);
	CHECK_EQ_INT(eui[11], 0x01);
	CHECK_EQ_INT(vdisk_parse_eui64_id("001405ABCDEF0123456789abcdef0123",
					  eui, &len), 0);
	CHECK_EQ_INT(len, 16);
	CHECK_EQ_INT(eui[15], 0x23);
	len = 99;
	CHECK(vdisk_parse_eui64_id("001405abcdef01", eui, &len) < 0);
	CHECK(vdisk_parse_eui64_id("001405abcdef012", eui, &len) < 0);
	CHECK(vdisk_parse_eui64_id("001405abcdef01234567", eui, &len) < 0);
	CHECK(vdisk_parse_eui64_id("001405abcdef0123456789abcdef012345",
				   eui, &len) < 0);
	CHECK(vdisk_parse_eui64_id("001405abcdef012x", eui, &len) < 0);
	CHECK(vdisk_parse_eui64_id("", eui, &len) < 0);
	CHECK_EQ_INT(len, 99);

	CHECK(vdisk_valid_id_string("SCST FIO", 8, true));
	CHECK(!vdisk_valid_id_string("SCST FIO", 8, false));
	CHECK(!vdisk_valid_id_string("SCST_FIO1", 8, true));
	CHECK(!vdisk_valid_id_string("a\tb", 8, true));
	CHECK(vdisk_valid_id_string("", 8, false));
}
