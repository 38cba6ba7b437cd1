/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure data builders of the vcdrom handler (MMC-6): READ TOC/PMA/ATIP,
 * GET CONFIGURATION, GET EVENT STATUS NOTIFICATION, READ DISC
 * INFORMATION, MECHANISM STATUS, MODE SENSE (page 2Ah) and the INQUIRY
 * differences from a disk.
 *
 * Like vdisk_pages.c this depends only on scst_pure_types.h, so that it
 * is built into scst_vdisk.ko and into tests/unit/test_vcdrom_pages alike.
 * The medium is always one complete session with one data track (an ISO
 * 9660 image).
 */
#ifndef __VCDROM_PAGES_H
#define __VCDROM_PAGES_H

#include "vdisk_pages.h"

/* Logical block size of CD-ROM media (Mode 1 user data) */
#define VCDROM_BLOCK_SHIFT	11

/* MMC profile of the loaded medium (GET CONFIGURATION) */
#define VCDROM_PROFILE_CDROM	0x0008

/* Media event codes (GET EVENT STATUS NOTIFICATION, media class) */
#define VCDROM_EV_NONE		0
#define VCDROM_EV_NEW_MEDIA	2
#define VCDROM_EV_MEDIA_REMOVAL	3

/* Snapshot of the drive state the builders report */
struct vcdrom_pg {
	u64 nr_blocks;			/* medium capacity, 2048 byte blocks */
	bool present;			/* a medium is loaded and not ejected */
	bool tray_open;			/* ejected by START STOP UNIT LOEJ */
	bool prevented;			/* PREVENT MEDIUM REMOVAL in effect */
	u8 event;			/* pending media event code */
};

/*
 * INQUIRY of a CD-ROM device: VPD pages 00h, 80h and 83h only, and the
 * MMC-6 version descriptor instead of SBC-3.  Returns the length or -1.
 */
int vcdrom_inquiry(const struct vdisk_pg_dev *d, const struct vdisk_port *port,
		   const u8 *cdb, u8 *buf, int size, struct vdisk_err *err);

/* Each returns the full data length (before allocation length) or -1 */
int vcdrom_read_toc(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		    int size, struct vdisk_err *err);
int vcdrom_get_config(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		      int size, struct vdisk_err *err);
/* *reported: the media event was returned (the caller clears it) */
int vcdrom_event_status(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
			int size, bool *reported, struct vdisk_err *err);
int vcdrom_disc_info(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		     int size, struct vdisk_err *err);
int vcdrom_mech_status(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		       int size, struct vdisk_err *err);
int vcdrom_mode_sense(const struct vcdrom_pg *d, const u8 *cdb, u8 *buf,
		      int size, struct vdisk_err *err);

/* LBA to MSF (minutes, seconds, frames; 2 s of pregap) in a 4 byte field */
void vcdrom_put_msf(u8 *p, u64 lba);

#endif /* __VCDROM_PAGES_H */
