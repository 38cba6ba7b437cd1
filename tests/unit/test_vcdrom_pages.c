// SPDX-License-Identifier: GPL-2.0
/*
 * vcdrom data builders: INQUIRY, READ TOC/PMA/ATIP, GET CONFIGURATION,
 * GET EVENT STATUS NOTIFICATION, READ DISC INFORMATION, MECHANISM STATUS
 * and MODE SENSE page 2Ah.
 */

#include "../../scst/src/dev_handlers/vcdrom_pages.h"
#include "unit.h"

static u8 buf[VDISK_RESP_BUF_SIZE];
static struct vdisk_err err;

/* A loaded 700 MB-ish image: 333000 blocks of 2048 bytes */
static void cd_init(struct vcdrom_pg *d)
{
	memset(d, 0, sizeof(*d));
	d->nr_blocks = 333000;
	d->present = true;
	memset(&err, 0, sizeof(err));
	memset(buf, 0xa5, sizeof(buf));
}

#define CHECK_ERR(k, f, b)						\
	do {								\
		CHECK_EQ_INT(err.kind, (k));				\
		CHECK_EQ_INT(err.field, (f));				\
		CHECK_EQ_INT(err.bit, (b));				\
	} while (0)

static int toc(const struct vcdrom_pg *d, u8 msf, u8 fmt, u8 track, u8 ctl)
{
	u8 cdb[10] = { READ_TOC, msf, fmt, 0, 0, 0, track, 0x03, 0x24, ctl };

	return vcdrom_read_toc(d, cdb, buf, sizeof(buf), &err);
}

TEST(toc_format0_lba)
{
	struct vcdrom_pg d;

	cd_init(&d);
	CHECK_EQ_INT(toc(&d, 0, 0, 0, 0), 20);
	CHECK_EQ_INT(get_unaligned_be16(buf), 18);
	CHECK_EQ_INT(buf[2], 1);
	CHECK_EQ_INT(buf[3], 1);
	/* track 1 at LBA 0, data track */
	CHECK_EQ_INT(buf[5], 0x14);
	CHECK_EQ_INT(buf[6], 1);
	CHECK_EQ_INT(get_unaligned_be32(buf + 8), 0);
	/* lead-out at the capacity */
	CHECK_EQ_INT(buf[13], 0x14);
	CHECK_EQ_INT(buf[14], 0xaa);
	CHECK_EQ_INT(get_unaligned_be32(buf + 16), 333000);
	/* starting track 1: the same */
	CHECK_EQ_INT(toc(&d, 0, 0, 1, 0), 20);
	/* starting at the lead-out: only the lead-out */
	CHECK_EQ_INT(toc(&d, 0, 0, 0xaa, 0), 12);
	CHECK_EQ_INT(get_unaligned_be16(buf), 10);
	CHECK_EQ_INT(buf[6], 0xaa);
	/* a track the disc does not have */
	CHECK_EQ_INT(toc(&d, 0, 0, 2, 0), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 6, 7);
}

TEST(toc_format0_msf)
{
	struct vcdrom_pg d;
	u8 msf[4];

	cd_init(&d);
	CHECK_EQ_INT(toc(&d, 0x02, 0, 0, 0), 20);
	/* LBA 0 is 00:02:00 */
	CHECK_EQ_INT(get_unaligned_be32(buf + 8), 0x00000200);
	/* 333000 + 150 = 333150 frames = 74:02:00 */
	CHECK_EQ_INT(buf[17], 74);
	CHECK_EQ_INT(buf[18], 2);
	CHECK_EQ_INT(buf[19], 0);
	vcdrom_put_msf(msf, 4500 * 60 - 150 + 75 * 7 + 3);
	CHECK_EQ_INT(msf[1], 60);
	CHECK_EQ_INT(msf[2], 7);
	CHECK_EQ_INT(msf[3], 3);
}

TEST(toc_format1_and_legacy)
{
	struct vcdrom_pg d;

	cd_init(&d);
	CHECK_EQ_INT(toc(&d, 0, 1, 0, 0), 12);
	CHECK_EQ_INT(get_unaligned_be16(buf), 10);
	CHECK_EQ_INT(buf[2], 1);
	CHECK_EQ_INT(buf[3], 1);
	CHECK_EQ_INT(buf[5], 0x14);
	CHECK_EQ_INT(buf[6], 1);
	CHECK_EQ_INT(get_unaligned_be32(buf + 8), 0);
	/* MSF: 00:02:00 */
	CHECK_EQ_INT(toc(&d, 0x02, 1, 0, 0), 12);
	CHECK_EQ_INT(get_unaligned_be32(buf + 8), 0x00000200);
	/* Linux sr: session info asked with CONTROL bits 7-6 = 01b */
	CHECK_EQ_INT(toc(&d, 0, 0, 0, 0x40), 12);
	CHECK_EQ_INT(get_unaligned_be16(buf), 10);
	/* full TOC, PMA, ATIP, CD-TEXT: not on an ISO image */
	CHECK_EQ_INT(toc(&d, 0, 2, 0, 0), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 2, 3);
	CHECK_EQ_INT(toc(&d, 0, 5, 0, 0), -1);
	CHECK_EQ_INT(toc(&d, 0, 0, 0, 0x80), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 9, 7);
}

static int get_config(const struct vcdrom_pg *d, u8 rt, u16 start)
{
	u8 cdb[10] = { GET_CONFIGURATION, rt, start >> 8, start & 0xff, 0, 0,
		       0, 0x02, 0x00, 0 };

	return vcdrom_get_config(d, cdb, buf, sizeof(buf), &err);
}

/* Offset of the descriptor of feature code in buf, or -1 */
static int find_feature(int len, u16 code)
{
	int off = 8;

	while (off + 4 <= len) {
		if (get_unaligned_be16(buf + off) == code)
			return off;
		off += 4 + buf[off + 3];
	}
	return -1;
}

TEST(get_config_all)
{
	struct vcdrom_pg d;
	int len, off;

	cd_init(&d);
	len = get_config(&d, 0, 0);
	/* header 8 + 8 + 12 + 8 + 8 + 12 */
	CHECK_EQ_INT(len, 56);
	CHECK_EQ_INT(get_unaligned_be32(buf), len - 4);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 0x0008);
	off = find_feature(len, 0x0000);
	CHECK_EQ_INT(off, 8);
	CHECK_EQ_INT(buf[off + 2], 0x03);
	CHECK_EQ_INT(buf[off + 3], 4);
	CHECK_EQ_INT(get_unaligned_be16(buf + off + 4), 0x0008);
	CHECK_EQ_INT(buf[off + 6], 0x01);		/* CurrentP */
	off = find_feature(len, 0x0001);
	CHECK_EQ_INT(buf[off + 2], 0x0b);		/* version 2, P, C */
	CHECK_EQ_INT(get_unaligned_be32(buf + off + 4), 1);
	off = find_feature(len, 0x0002);
	CHECK_EQ_INT(buf[off + 2], 0x07);
	off = find_feature(len, 0x0003);
	CHECK_EQ_INT(buf[off + 2], 0x03);
	CHECK_EQ_INT(buf[off + 4], 0x29);		/* tray, eject, lock */
	off = find_feature(len, 0x0010);
	CHECK_EQ_INT(buf[off + 2], 0x01);		/* current */
	CHECK_EQ_INT(get_unaligned_be32(buf + off + 4), 2048);
	CHECK_EQ_INT(get_unaligned_be16(buf + off + 8), 1);
}

TEST(get_config_no_medium)
{
	struct vcdrom_pg d;
	int len, off;

	cd_init(&d);
	d.present = false;
	len = get_config(&d, 0, 0);
	CHECK_EQ_INT(len, 56);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 0);	/* no profile */
	CHECK_EQ_INT(buf[8 + 6], 0x00);			/* CurrentP */
	off = find_feature(len, 0x0010);
	CHECK_EQ_INT(buf[off + 2], 0x00);		/* not current */
	/* RT 01b: current features only */
	len = get_config(&d, 1, 0);
	CHECK_EQ_INT(len, 44);
	CHECK_EQ_INT(find_feature(len, 0x0010), -1);
}

TEST(get_config_rt)
{
	struct vcdrom_pg d;
	int len;

	cd_init(&d);
	/* RT 01b from feature 2 on */
	len = get_config(&d, 1, 2);
	CHECK_EQ_INT(len, 8 + 8 + 8 + 12);
	CHECK_EQ_INT(get_unaligned_be16(buf + 8), 0x0002);
	/* RT 10b: exactly one feature */
	len = get_config(&d, 2, 0x0010);
	CHECK_EQ_INT(len, 20);
	CHECK_EQ_INT(get_unaligned_be16(buf + 8), 0x0010);
	CHECK_EQ_INT(get_unaligned_be32(buf), 16);
	/* ... or none: header only */
	len = get_config(&d, 2, 0x001e);
	CHECK_EQ_INT(len, 8);
	CHECK_EQ_INT(get_unaligned_be32(buf), 4);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 0x0008);
	/* RT 11b is reserved */
	CHECK_EQ_INT(get_config(&d, 3, 0), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 1, 1);
}

static int gesn(const struct vcdrom_pg *d, u8 polled, u8 classes,
		bool *reported)
{
	u8 cdb[10] = { GET_EVENT_STATUS_NOTIFICATION, polled, 0, 0, classes,
		       0, 0, 0, 8, 0 };

	return vcdrom_event_status(d, cdb, buf, sizeof(buf), reported, &err);
}

TEST(event_status)
{
	struct vcdrom_pg d;
	bool rep;

	cd_init(&d);
	/* no event, medium present */
	CHECK_EQ_INT(gesn(&d, 1, 0x10, &rep), 8);
	CHECK(!rep);
	CHECK_EQ_INT(get_unaligned_be16(buf), 6);
	CHECK_EQ_INT(buf[2], 0x04);			/* media class */
	CHECK_EQ_INT(buf[3], 0x10);
	CHECK_EQ_INT(buf[4], 0);
	CHECK_EQ_INT(buf[5], 0x02);			/* present */
	/* new media */
	d.event = VCDROM_EV_NEW_MEDIA;
	CHECK_EQ_INT(gesn(&d, 1, 0x10 | 0x02, &rep), 8);
	CHECK(rep);
	CHECK_EQ_INT(buf[4], 2);
	/* media removal, tray open */
	d.event = VCDROM_EV_MEDIA_REMOVAL;
	d.present = false;
	d.tray_open = true;
	CHECK_EQ_INT(gesn(&d, 1, 0x10, &rep), 8);
	CHECK(rep);
	CHECK_EQ_INT(buf[4], 3);
	CHECK_EQ_INT(buf[5], 0x01);
	/* a class we do not support: no event available */
	CHECK_EQ_INT(gesn(&d, 1, 0x02, &rep), 4);
	CHECK(!rep);
	CHECK_EQ_INT(get_unaligned_be16(buf), 2);
	CHECK_EQ_INT(buf[2], 0x80);
	CHECK_EQ_INT(buf[3], 0x10);
	/* asynchronous operation is not supported */
	CHECK_EQ_INT(gesn(&d, 0, 0x10, &rep), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 1, 0);
	CHECK(!rep);
}

TEST(disc_info)
{
	u8 cdb[10] = { READ_DISC_INFORMATION, 0, 0, 0, 0, 0, 0, 0, 34, 0 };
	struct vcdrom_pg d;

	cd_init(&d);
	CHECK_EQ_INT(vcdrom_disc_info(&d, cdb, buf, sizeof(buf), &err), 34);
	CHECK_EQ_INT(get_unaligned_be16(buf), 32);
	CHECK_EQ_INT(buf[2], 0x0e);			/* complete */
	CHECK_EQ_INT(buf[3], 1);
	CHECK_EQ_INT(buf[4], 1);
	CHECK_EQ_INT(buf[5], 1);
	CHECK_EQ_INT(buf[6], 1);
	CHECK_EQ_INT(buf[8], 0);
	CHECK_EQ_INT(get_unaligned_be32(buf + 16), 0xffffffff);
	CHECK_EQ_INT(buf[33], 0);
	cdb[1] = 0x01;
	CHECK_EQ_INT(vcdrom_disc_info(&d, cdb, buf, sizeof(buf), &err), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 1, 2);
}

TEST(mech_status)
{
	u8 cdb[12] = { MECHANISM_STATUS, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0 };
	struct vcdrom_pg d;

	cd_init(&d);
	CHECK_EQ_INT(vcdrom_mech_status(&d, cdb, buf, sizeof(buf), &err), 8);
	CHECK_EQ_INT(buf[1], 0);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 0);
	d.tray_open = true;
	CHECK_EQ_INT(vcdrom_mech_status(&d, cdb, buf, sizeof(buf), &err), 8);
	CHECK_EQ_INT(buf[1], 0x10);
}

static int msense(const struct vcdrom_pg *d, u8 op, u8 page, u8 sub)
{
	u8 cdb[10] = { op, 0, page, sub, 0xff, 0, 0, 0x00, 0xff, 0 };

	return vcdrom_mode_sense(d, cdb, buf, sizeof(buf), &err);
}

TEST(mode_sense_caps)
{
	struct vcdrom_pg d;

	cd_init(&d);
	CHECK_EQ_INT(msense(&d, MODE_SENSE_10, 0x2a, 0), 40);
	CHECK_EQ_INT(get_unaligned_be16(buf), 38);
	CHECK_EQ_INT(get_unaligned_be16(buf + 6), 0);	/* no descriptors */
	CHECK_EQ_INT(buf[8], 0x2a);
	CHECK_EQ_INT(buf[9], 30);
	CHECK_EQ_INT(buf[8 + 6], 0x29);			/* tray, eject, lock */
	CHECK_EQ_INT(get_unaligned_be16(buf + 8 + 8), 48 * 176);
	d.prevented = true;
	CHECK_EQ_INT(msense(&d, MODE_SENSE, 0x3f, 0), 36);
	CHECK_EQ_INT(buf[0], 35);
	CHECK_EQ_INT(buf[3], 0);
	CHECK_EQ_INT(buf[4], 0x2a);
	CHECK_EQ_INT(buf[4 + 6], 0x2b);			/* lock state */
	/* changeable: nothing */
	CHECK_EQ_INT(msense(&d, MODE_SENSE, 0x40 | 0x2a, 0), 36);
	CHECK_EQ_INT(buf[4], 0x2a);
	CHECK_EQ_INT(buf[4 + 6], 0);
	/* all subpages */
	CHECK_EQ_INT(msense(&d, MODE_SENSE_10, 0x3f, 0xff), 40);
	/* saved values, other pages, subpages */
	CHECK_EQ_INT(msense(&d, MODE_SENSE, 0xc0 | 0x2a, 0), -1);
	CHECK_EQ_INT(err.kind, VDISK_ERR_SAVING_UNSUP);
	CHECK_EQ_INT(msense(&d, MODE_SENSE, 0x08, 0), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 2, 5);
	CHECK_EQ_INT(msense(&d, MODE_SENSE, 0x2a, 1), -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 3, 7);
}

static void rom_init(struct vdisk_pg_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->type = TYPE_ROM;
	d->removable = true;
	strcpy(d->vend_id, "SCST_FIO");
	strcpy(d->prod_id, "cd0");
	strcpy(d->prod_rev, " 010");
	strcpy(d->t10_dev_id, "cd0");
	strcpy(d->usn, "0123456789abcdef");
	d->naa_id_len = 8;
	d->block_shift = 11;
}

TEST(inquiry_rom)
{
	u8 cdb[6] = { INQUIRY, 0, 0, 0, 0xff, 0 };
	struct vdisk_pg_dev d;

	rom_init(&d);
	memset(&err, 0, sizeof(err));
	CHECK_EQ_INT(vcdrom_inquiry(&d, NULL, cdb, buf, sizeof(buf), &err),
		     74);
	CHECK_EQ_INT(buf[0], 0x05);
	CHECK_EQ_INT(buf[1], 0x80);			/* RMB */
	CHECK_EQ_INT(get_unaligned_be16(buf + 62), 0x04e0);	/* MMC-6 */
	/* VPD: 00h, 80h, 83h only */
	cdb[1] = 1;
	CHECK_EQ_INT(vcdrom_inquiry(&d, NULL, cdb, buf, sizeof(buf), &err),
		     7);
	CHECK_EQ_INT(buf[0], 0x05);
	CHECK_EQ_INT(get_unaligned_be16(buf + 2), 3);
	CHECK_EQ_INT(buf[4], 0x00);
	CHECK_EQ_INT(buf[5], 0x80);
	CHECK_EQ_INT(buf[6], 0x83);
	CHECK_EQ_INT(buf[7], 0x00);
	cdb[2] = 0x80;
	CHECK(vcdrom_inquiry(&d, NULL, cdb, buf, sizeof(buf), &err) > 4);
	cdb[2] = 0x83;
	CHECK(vcdrom_inquiry(&d, NULL, cdb, buf, sizeof(buf), &err) > 4);
	cdb[2] = 0xb0;
	CHECK_EQ_INT(vcdrom_inquiry(&d, NULL, cdb, buf, sizeof(buf), &err),
		     -1);
	CHECK_ERR(VDISK_ERR_INVALID_CDB, 2, 7);
	cdb[2] = 0x86;
	CHECK_EQ_INT(vcdrom_inquiry(&d, NULL, cdb, buf, sizeof(buf), &err),
		     -1);
}
