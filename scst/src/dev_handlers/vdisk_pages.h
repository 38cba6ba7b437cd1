/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure SCSI data builders and parsers of scst_vdisk.
 *
 * Everything declared here depends only on scst_pure_types.h so that it can
 * be compiled into the kernel module and into the host unit tests alike.
 * The functions build INQUIRY/VPD, READ CAPACITY, MODE SENSE and LOG SENSE
 * data from a snapshot of the device state and parse MODE SELECT and UNMAP
 * parameter lists.  Errors are returned as a struct vdisk_err that the
 * kernel side converts into sense data; nothing here touches a command.
 */
#ifndef __VDISK_PAGES_H
#define __VDISK_PAGES_H

#include "scst_pure_types.h"

/* Field sizes of the standard INQUIRY data (SPC-4 6.6.2) */
#define VDISK_VEND_ID_LEN	8
#define VDISK_PROD_ID_LEN	16
#define VDISK_PROD_REV_LEN	4
/* Our limits for the identification strings (designator length <= 255) */
#define VDISK_T10_DEV_ID_LEN	64
#define VDISK_USN_LEN		32
#define VDISK_VEND_SPEC_ID_LEN	64
#define VDISK_NAA_MAX_LEN	16
#define VDISK_EUI64_MAX_LEN	16
/*
 * SCSI name string designator of the logical unit: the designator
 * (NUL terminated, padded to a multiple of 4) must fit the one byte
 * DESIGNATOR LENGTH, so 252 bytes hold at most 251 characters.
 */
#define VDISK_SCSI_NAME_LEN	251
/* Vendor specific bytes 36..55 of the standard INQUIRY data */
#define VDISK_INQ_VEND_SPEC_LEN	20

/* Largest response any builder produces; callers allocate this much */
#define VDISK_RESP_BUF_SIZE	1024

/* Standard INQUIRY data length we return */
#define VDISK_STD_INQ_LEN	74

/* MODE SENSE/SELECT page control values */
#define VDISK_PC_CURRENT	0
#define VDISK_PC_CHANGEABLE	1
#define VDISK_PC_DEFAULT	2
#define VDISK_PC_SAVED		3

/* Most UNMAP block descriptors we accept in one command */
#define VDISK_MAX_UNMAP_DESC	256
/* MAXIMUM COMPARE AND WRITE LENGTH: one block, as VMware ATS uses */
#define VDISK_MAX_CAW_BLOCKS	1
/*
 * MAXIMUM WRITE SAME LENGTH in bytes: WRITE SAME runs synchronously in an
 * SCST thread, so bound the time one command can take.  The same as the
 * maximum transfer length: initiators (libiscsi) write MAXIMUM WRITE SAME
 * LENGTH blocks with WRITE before unmapping them.
 */
#define VDISK_MAX_WS_BYTES	(4U << 20)
/* Most LBA status descriptors one GET LBA STATUS returns (fits the buf) */
#define VDISK_MAX_LBA_STATUS_DESC	32
/* GET LBA STATUS parameter data: 8 byte header, 16 byte descriptors */
#define VDISK_LBA_STATUS_HDR_LEN	8
#define VDISK_LBA_STATUS_DESC_LEN	16
/* PROVISIONING STATUS values (SBC-3 5.6.2) */
#define VDISK_LBA_MAPPED	0
#define VDISK_LBA_DEALLOCATED	1

/* What went wrong, in terms the kernel side turns into sense data */
enum vdisk_err_kind {
	VDISK_ERR_NONE = 0,
	VDISK_ERR_INVALID_CDB,		/* 05/24/00 with field pointer */
	VDISK_ERR_INVALID_PARM,		/* 05/26/00 with field pointer */
	VDISK_ERR_PARM_LIST_LEN,	/* 05/1A/00 */
	VDISK_ERR_SAVING_UNSUP,		/* 05/39/00 */
	VDISK_ERR_LBA_RANGE,		/* 05/21/00 */
	VDISK_ERR_INVALID_OPCODE,	/* 05/20/00 */
};

struct vdisk_err {
	enum vdisk_err_kind kind;
	u16 field;			/* byte offset in CDB/parameter list */
	s8 bit;				/* bit in that byte, -1: none */
};

/* Mode parameters that MODE SELECT can change (all device wide) */
struct vdisk_mode_state {
	bool wce;			/* caching page WCE */
	bool d_sense;			/* control page D_SENSE */
	bool swp;			/* control page SWP */
	bool tas;			/* control page TAS */
	u8 qerr;			/* control page QErr (0 or 1) */
	u8 queue_alg;			/* control page QUEUE ALGORITHM MOD */
};

/* Snapshot of everything the builders need to know about a device */
struct vdisk_pg_dev {
	u8 type;			/* peripheral device type */
	char vend_id[VDISK_VEND_ID_LEN + 1];
	char prod_id[VDISK_PROD_ID_LEN + 1];
	char prod_rev[VDISK_PROD_REV_LEN + 1];
	char t10_dev_id[VDISK_T10_DEV_ID_LEN + 1];
	char usn[VDISK_USN_LEN + 1];
	char vend_spec_id[VDISK_VEND_SPEC_ID_LEN + 1];
	u8 naa_id[VDISK_NAA_MAX_LEN];
	u8 naa_id_len;			/* 8 or 16 */
	u8 eui64_id[VDISK_EUI64_MAX_LEN];
	u8 eui64_id_len;		/* 0 (none), 8, 12 or 16 */
	char scsi_dev_name[VDISK_SCSI_NAME_LEN + 1];	/* "": none */
	char inq_vend_spec[VDISK_INQ_VEND_SPEC_LEN + 1];	/* "": zeros */

	unsigned int block_shift;
	u64 nr_blocks;
	u8 lb_per_pb_exp;
	u32 max_xfer_blocks;		/* 0: no limit reported */
	u32 opt_xfer_blocks;

	bool removable;
	bool rotational;
	bool thin_provisioned;		/* LBPME, LBP VPD page */
	bool unmap;			/* UNMAP supported by the backend */
	bool nv_cache;
	bool wp;			/* report the medium write protected */
	u8 tst;				/* control page TST (creation time) */

	struct vdisk_mode_state mode;		/* current values */
	struct vdisk_mode_state def_mode;	/* default values */
};

/* The target port a command came through (VPD 0x83) */
struct vdisk_port {
	u16 rel_tgt_id;			/* 0: unknown, not reported */
	u8 protocol_id;			/* SPC-4 protocol identifier */
	const char *tgt_name;		/* NULL: not reported */
	u8 tpgs;			/* standard INQUIRY byte 5 TPGS bits */
	u16 tpg_id;			/* target port group; 0: none */
};

/* Stable 64-bit hash of a device name and the SCST setup id */
u64 vdisk_name_hash(const char *name, u64 setup_id);
/* Default identifiers derived from that hash */
void vdisk_gen_usn(char *usn, size_t size, u64 hash);
void vdisk_gen_naa(u8 *naa, u64 hash);
void vdisk_gen_t10_dev_id(char *id, size_t size, const char *name,
			  u64 setup_id);
/* Parse a user supplied naa_id (hex, 16 or 32 digits, optional 0x) */
int vdisk_parse_naa_id(const char *s, u8 *naa, u8 *len);
/* Parse a user supplied eui64_id (hex, 16, 24 or 32 digits, optional 0x) */
int vdisk_parse_eui64_id(const char *s, u8 *eui, u8 *len);
/* Check an ASCII identification string: printable, no blanks inside */
bool vdisk_valid_id_string(const char *s, size_t max_len, bool allow_space);

/* INQUIRY: validates the CDB, returns the full data length or -1 */
int vdisk_inquiry(const struct vdisk_pg_dev *d, const struct vdisk_port *port,
		  const u8 *cdb, u8 *buf, int size, struct vdisk_err *err);

/* READ CAPACITY(10) and (16); return the data length or -1 */
int vdisk_read_capacity10(const struct vdisk_pg_dev *d, const u8 *cdb,
			  u8 *buf, int size, struct vdisk_err *err);
int vdisk_read_capacity16(const struct vdisk_pg_dev *d, const u8 *cdb,
			  u8 *buf, int size, struct vdisk_err *err);

/* MODE SENSE(6)/(10); returns the data length or -1 */
int vdisk_mode_sense(const struct vdisk_pg_dev *d, const u8 *cdb,
		     u8 *buf, int size, struct vdisk_err *err);

/*
 * MODE SELECT(6)/(10): validate the CDB (check_cdb) and then the
 * parameter list against the current values and the changeable masks.
 * On success *ms holds the new mode state; nothing is applied here.
 */
int vdisk_mode_select_cdb(const u8 *cdb, u32 *parm_len,
			  struct vdisk_err *err);
int vdisk_mode_select(const struct vdisk_pg_dev *d, const u8 *cdb,
		      const u8 *parm, u32 len, struct vdisk_mode_state *ms,
		      struct vdisk_err *err);

/* LOG SENSE; returns the data length or -1 */
int vdisk_log_sense(const u8 *cdb, u8 *buf, int size, struct vdisk_err *err);

/* UNMAP parameter list */
struct vdisk_unmap_desc {
	u64 lba;
	u32 nr;
};

int vdisk_unmap_cdb(const u8 *cdb, u32 *parm_len, struct vdisk_err *err);
/* Returns the number of descriptors stored in desc[] (<= max) or -1 */
int vdisk_parse_unmap(const struct vdisk_pg_dev *d, const u8 *parm, u32 len,
		      struct vdisk_unmap_desc *desc, int max,
		      struct vdisk_err *err);

/* WRITE SAME(10)/(16) (SBC-3 5.42, 5.43) */
u32 vdisk_max_ws_blocks(const struct vdisk_pg_dev *d);
/*
 * Check UNMAP and NUMBER OF LOGICAL BLOCKS (nr, decoded by the core)
 * against what VPD B0/B2 advertise; *unmap is the UNMAP bit.
 */
int vdisk_check_write_same(const struct vdisk_pg_dev *d, const u8 *cdb,
			   u32 nr, bool *unmap, struct vdisk_err *err);

/* GET LBA STATUS (SBC-3 5.6): one extent of the same provisioning status */
struct vdisk_lba_extent {
	u64 lba;
	u32 nr;
	u8 status;			/* VDISK_LBA_* */
};

/* Starting LBA of a GET LBA STATUS CDB; -1 if past the last LBA */
int vdisk_get_lba_status_cdb(const struct vdisk_pg_dev *d, const u8 *cdb,
			     u64 *lba, struct vdisk_err *err);
/*
 * Append nr blocks of status at lba to ext[0..*n), merging with the last
 * extent if it continues it; false when ext[] is full (nothing added).
 * Extents longer than a descriptor can express are split.
 */
bool vdisk_lba_extent_add(struct vdisk_lba_extent *ext, int *n, int max,
			  u64 lba, u64 nr, u8 status);
/*
 * Build the parameter data of ext[0..n) into buf (size bytes, the
 * descriptors that fit); returns the length built, at most size.
 */
int vdisk_lba_status(const struct vdisk_lba_extent *ext, int n, u8 *buf,
		     int size);

/*
 * LOG SELECT (SPC-4 6.5).  No log parameter of ours can be changed or
 * saved: resets and settings to the defaults succeed, anything else fails.
 */
int vdisk_log_select(const u8 *cdb, const u8 *parm, u32 len,
		     struct vdisk_err *err);

/* CDB checks of the commands without data built here */
int vdisk_check_start_stop(const u8 *cdb, bool removable,
			   bool *start, bool *loej, bool *flush,
			   struct vdisk_err *err);
int vdisk_check_prevent_allow(const u8 *cdb, bool *prevent,
			      struct vdisk_err *err);
/* VERIFY/WRITE AND VERIFY: returns BYTCHK (0, 1 or 3) or -1 */
int vdisk_check_verify(const u8 *cdb, struct vdisk_err *err);
/* RDPROTECT/WRPROTECT must be 0: we have no protection information */
int vdisk_check_rw(const u8 *cdb, struct vdisk_err *err);
int vdisk_check_sync_cache(const u8 *cdb, struct vdisk_err *err);
int vdisk_check_format_unit(const u8 *cdb, struct vdisk_err *err);
int vdisk_check_send_diag(const u8 *cdb, struct vdisk_err *err);

/* The default mode state of a device (nv_cache, tst set in *d) */
void vdisk_default_mode(const struct vdisk_pg_dev *d,
			struct vdisk_mode_state *ms, bool write_through);

#endif /* __VDISK_PAGES_H */
