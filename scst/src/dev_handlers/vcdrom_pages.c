// SPDX-License-Identifier: GPL-2.0
/*
 * MMC-6 data of the vcdrom handler: READ TOC/PMA/ATIP, GET
 * CONFIGURATION, GET EVENT STATUS NOTIFICATION, READ DISC INFORMATION,
 * MECHANISM STATUS, MODE SENSE page 2Ah and INQUIRY.
 *
 * Pure code (see vcdrom_pages.h).  Every builder zeroes what it returns.
 * The CDB fields the core's table (scst_cdb.c) marks reserved were checked
 * before these run; what is checked here are field values.
 */
#include "vcdrom_pages.h"

/* Frames per second and the 2 second pregap before LBA 0 (MMC-6 4.2) */
#define VCDROM_FRAMES		75
#define VCDROM_PREGAP		150
/* Track number of the lead-out area */
#define VCDROM_LEADOUT		0xaa
/* ADR 1 (current position), CONTROL 4 (data track, uninterrupted) */
#define VCDROM_ADR_CTL		0x14
/* MMC-6 version descriptor, no version claimed */
#define VCDROM_MMC6_VERSION	0x04e0
/* Read speed reported in page 2Ah, kB/s (48x; obsolete fields) */
#define VCDROM_READ_SPEED	(48 * 176)

static int vc_err(struct vdisk_err *err, enum vdisk_err_kind kind,
		  u16 field, int bit)
{
	err->kind = kind;
	err->field = field;
	err->bit = bit;
	return -1;
}

static int vc_cdb_err(struct vdisk_err *err, u16 field, int bit)
{
	return vc_err(err, VDISK_ERR_INVALID_CDB, field, bit);
}

/*
 * INQUIRY
 */
int vcdrom_inquiry(const struct vdisk_pg_dev *d, const struct vdisk_port *port,
		   const u8 *cdb, u8 *buf, int size, struct vdisk_err *err)
{
	static const u8 pages[] = { 0x00, 0x80, 0x83 };
	bool evpd = cdb[1] & 0x01;
	int len;

	/* The block device pages (86h, B0h-B2h) do not apply to MMC */
	if (evpd && cdb[2] != 0x00 && cdb[2] != 0x80 && cdb[2] != 0x83)
		return vc_cdb_err(err, 2, 7);
	len = vdisk_inquiry(d, port, cdb, buf, size, err);
	if (len < 0)
		return len;
	if (!evpd) {
		/* Version descriptors: SAM-5, SPC-4, MMC-6 */
		put_unaligned_be16(VCDROM_MMC6_VERSION, buf + 62);
		return len;
	}
	if (cdb[2] == 0x00) {
		memset(buf + 4, 0, len - 4);
		memcpy(buf + 4, pages, sizeof(pages));
		put_unaligned_be16(sizeof(pages), buf + 2);
		len = 4 + sizeof(pages);
	}
	return len;
}

/*
 * READ TOC/PMA/ATIP (MMC-6 6.38)
 */
void vcdrom_put_msf(u8 *p, u64 lba)
{
	u64 f = lba + VCDROM_PREGAP;

	p[0] = 0;
	p[1] = f / (60 * VCDROM_FRAMES);
	p[2] = (f / VCDROM_FRAMES) % 60;
	p[3] = f % VCDROM_FRAMES;
}

static void toc_addr(u8 *p, u64 lba, bool msf)
{
	if (msf)
		vcdrom_put_msf(p, lba);
	else
		put_unaligned_be32((u32)lba, p);
}

/* One track descriptor (8 bytes) */
static u8 *toc_track(u8 *p, u8 track, u64 lba, bool msf)
{
	p[1] = VCDROM_ADR_CTL;
	p[2] = track;
	toc_addr(p + 4, lba, msf);
	return p + 8;
}

/* Format 0000b: the TOC, from track cdb[6] on, then the lead-out */
static int toc_format0(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		       bool msf, struct vdisk_err *err)
{
	u8 track = cdb[6];
	u8 *p = buf + 4;

	if (track > 1 && track != VCDROM_LEADOUT)
		return vc_cdb_err(err, 6, 7);
	if (track != VCDROM_LEADOUT)
		p = toc_track(p, 1, 0, msf);
	p = toc_track(p, VCDROM_LEADOUT, d->nr_blocks, msf);
	buf[2] = 1;			/* first track */
	buf[3] = 1;			/* last track */
	put_unaligned_be16(p - buf - 2, buf);
	return p - buf;
}

/* Format 0001b: multi-session information, one complete session */
static int toc_format1(u8 *buf, bool msf)
{
	buf[2] = 1;			/* first complete session */
	buf[3] = 1;			/* last complete session */
	toc_track(buf + 4, 1, 0, msf);
	put_unaligned_be16(10, buf);
	return 12;
}

int vcdrom_read_toc(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		    int size, struct vdisk_err *err)
{
	bool msf = cdb[1] & 0x02;
	u8 format = cdb[2] & 0x0f;
	u16 field = 2;

	if (size < 32)
		return vc_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 32);
	/* SFF-8020 initiators (Linux sr) put the format in CONTROL bits 7-6 */
	if (!format && (cdb[9] & 0xc0)) {
		format = cdb[9] >> 6;
		field = 9;
	}
	switch (format) {
	case 0:
		return toc_format0(d, cdb, buf, msf, err);
	case 1:
		return toc_format1(buf, msf);
	default:
		/* No full TOC, PMA, ATIP or CD-TEXT on an ISO image */
		return vc_cdb_err(err, field, field == 9 ? 7 : 3);
	}
}

/*
 * GET CONFIGURATION (MMC-6 6.6)
 */
#define FEAT_PROFILE_LIST	0x0000
#define FEAT_CORE		0x0001
#define FEAT_MORPHING		0x0002
#define FEAT_REMOVABLE		0x0003
#define FEAT_RANDOM_READ	0x0010

/* Loading mechanism tray (001b), Eject, Lock: page 2Ah and feature 3 */
#define VCDROM_MECH_BITS	0x29

struct vc_feature {
	u16 code;
	u8 version;
	bool persistent;
	u8 add_len;
};

static const struct vc_feature vc_features[] = {
	{ FEAT_PROFILE_LIST, 0, true, 4 },
	{ FEAT_CORE, 2, true, 8 },
	{ FEAT_MORPHING, 1, true, 4 },
	{ FEAT_REMOVABLE, 0, true, 4 },
	{ FEAT_RANDOM_READ, 0, false, 8 },
};

/* Persistent features are always current; the others need a medium */
static bool feature_current(const struct vcdrom_pg *d,
			    const struct vc_feature *f)
{
	return f->persistent || d->present;
}

/* The feature dependent data, bytes 4 and up of the descriptor */
static void feature_data(const struct vcdrom_pg *d, u16 code, u8 *p)
{
	switch (code) {
	case FEAT_PROFILE_LIST:
		put_unaligned_be16(VCDROM_PROFILE_CDROM, p);
		p[2] = d->present ? 0x01 : 0;	/* CurrentP */
		break;
	case FEAT_CORE:
		/* Physical interface standard 1: SCSI family; DBE */
		put_unaligned_be32(1, p);
		p[4] = 0x01;
		break;
	case FEAT_MORPHING:
		/* No asynchronous events, no operational change events */
		break;
	case FEAT_REMOVABLE:
		p[0] = VCDROM_MECH_BITS;
		break;
	case FEAT_RANDOM_READ:
		put_unaligned_be32(1U << VCDROM_BLOCK_SHIFT, p);
		put_unaligned_be16(1, p + 4);	/* blocking */
		break;
	}
}

static bool feature_wanted(const struct vcdrom_pg *d,
			   const struct vc_feature *f, u8 rt, u16 start)
{
	switch (rt) {
	case 0:
		return f->code >= start;
	case 1:
		return f->code >= start && feature_current(d, f);
	default:
		return f->code == start;
	}
}

int vcdrom_get_config(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		      int size, struct vdisk_err *err)
{
	u16 start = get_unaligned_be16(cdb + 2);
	u8 rt = cdb[1] & 0x03;
	unsigned int i;
	u8 *p = buf + 8;

	if (size < 128)
		return vc_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 128);
	/* RT 11b is reserved */
	if (rt == 3)
		return vc_cdb_err(err, 1, 1);
	for (i = 0; i < ARRAY_SIZE(vc_features); i++) {
		const struct vc_feature *f = &vc_features[i];

		if (!feature_wanted(d, f, rt, start))
			continue;
		put_unaligned_be16(f->code, p);
		p[2] = f->version << 2 | (f->persistent ? 0x02 : 0) |
		       (feature_current(d, f) ? 0x01 : 0);
		p[3] = f->add_len;
		feature_data(d, f->code, p + 4);
		p += 4 + f->add_len;
	}
	put_unaligned_be32(p - buf - 4, buf);
	put_unaligned_be16(d->present ? VCDROM_PROFILE_CDROM : 0, buf + 6);
	return p - buf;
}

/*
 * GET EVENT STATUS NOTIFICATION (MMC-6 6.7), polled mode, media class
 */
#define GESN_CLASS_MEDIA	4
#define GESN_MEDIA_BIT		(1 << GESN_CLASS_MEDIA)

int vcdrom_event_status(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
			int size, bool *reported, struct vdisk_err *err)
{
	*reported = false;
	if (size < 8)
		return vc_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 8);
	/* Asynchronous notification is not supported */
	if (!(cdb[1] & 0x01))
		return vc_cdb_err(err, 1, 0);
	buf[3] = GESN_MEDIA_BIT;		/* supported event classes */
	if (!(cdb[4] & GESN_MEDIA_BIT)) {
		/* No event of a requested class can ever be available */
		buf[2] = 0x80;			/* NEA */
		put_unaligned_be16(2, buf);
		return 4;
	}
	buf[2] = GESN_CLASS_MEDIA;
	buf[4] = d->event;
	buf[5] = (d->present ? 0x02 : 0) | (d->tray_open ? 0x01 : 0);
	put_unaligned_be16(6, buf);
	*reported = d->event != VCDROM_EV_NONE;
	return 8;
}

/*
 * READ DISC INFORMATION (MMC-6 6.22), standard disc information
 */
int vcdrom_disc_info(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		     int size, struct vdisk_err *err)
{
	(void)d;			/* the disc is always the same */
	if (size < 34)
		return vc_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 34);
	/* Track and POW resources information only exist on writable media */
	if (cdb[1] & 0x07)
		return vc_cdb_err(err, 1, 2);
	put_unaligned_be16(32, buf);
	/* Not erasable, last session complete, disc finalized */
	buf[2] = 0x0e;
	buf[3] = 1;			/* first track on disc */
	buf[4] = 1;			/* sessions (LSB) */
	buf[5] = 1;			/* first track in last session (LSB) */
	buf[6] = 1;			/* last track in last session (LSB) */
	buf[8] = 0x00;			/* disc type: CD-DA or CD-ROM */
	/* A complete disc has no next lead-in or lead-out to report */
	put_unaligned_be32(0xffffffff, buf + 16);
	put_unaligned_be32(0xffffffff, buf + 20);
	return 34;
}

/*
 * MECHANISM STATUS (MMC-6 6.11): a single-slot drive, idle
 */
int vcdrom_mech_status(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		       int size, struct vdisk_err *err)
{
	(void)cdb;			/* only the allocation length */
	if (size < 8)
		return vc_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 8);
	buf[1] = d->tray_open ? 0x10 : 0;	/* door open */
	return 8;
}

/*
 * MODE SENSE(6)/(10): the CD capabilities and mechanical status page
 */
#define PAGE_CAPS		0x2a
#define PAGE_CAPS_LEN		32
#define PAGE_ALL		0x3f

static int caps_page(const struct vcdrom_pg *d, u8 pc, u8 *p)
{
	p[0] = PAGE_CAPS;
	p[1] = PAGE_CAPS_LEN - 2;
	/* Nothing is changeable */
	if (pc == VDISK_PC_CHANGEABLE)
		return PAGE_CAPS_LEN;
	p[4] = 0x40;			/* multi-session */
	p[6] = VCDROM_MECH_BITS | (d->prevented ? 0x02 : 0);
	put_unaligned_be16(VCDROM_READ_SPEED, p + 8);
	put_unaligned_be16(VCDROM_READ_SPEED, p + 14);
	return PAGE_CAPS_LEN;
}

int vcdrom_mode_sense(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		      int size, struct vdisk_err *err)
{
	bool ten = cdb[0] == MODE_SENSE_10;
	int hdr = ten ? 8 : 4, len;
	u8 pc = cdb[2] >> 6, page = cdb[2] & 0x3f, sub = cdb[3];

	if (size < 8 + PAGE_CAPS_LEN)
		return vc_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 8 + PAGE_CAPS_LEN);
	if (page != PAGE_CAPS && page != PAGE_ALL)
		return vc_cdb_err(err, 2, 5);
	if (sub && !(page == PAGE_ALL && sub == 0xff))
		return vc_cdb_err(err, 3, 7);
	if (pc == VDISK_PC_SAVED)
		return vc_err(err, VDISK_ERR_SAVING_UNSUP, 0, -1);
	/* No block descriptors: MMC drives have none to report */
	len = hdr + caps_page(d, pc, buf + hdr);
	if (ten)
		put_unaligned_be16(len - 2, buf);
	else
		buf[0] = len - 1;
	return len;
}
