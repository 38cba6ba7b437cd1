// SPDX-License-Identifier: GPL-2.0
/*
 * Commands the core executes itself, for every device
 * and, where SPC-4 requires it, for LUNs without a logical unit:
 * REPORT LUNS, REQUEST SENSE, INQUIRY (unmapped LUN only), SPC-2 RESERVE
 * and RELEASE, REPORT SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK
 * MANAGEMENT FUNCTIONS.
 *
 * The data buffer of a Data-In command is zeroed when it is allocated, and
 * everything is copied with scst_copy_to_cmd(), which truncates to the
 * buffer length (the allocation length, or less).  These functions run in
 * thread context.
 */

#include <linux/slab.h>
#include <linux/mm.h>
#include "scst_dataplane.h"

#define SCST_SA_MASK		0x1f
#define SCST_INQ_STD_LEN	36
/* Peripheral qualifier 011b, device type 1Fh: no logical unit here */
#define SCST_INQ_NO_LUN		0x7f

bool scst_local_cmd_supported(const u8 *cdb, unsigned int cdb_len)
{
	if (!cdb_len)
		return false;
	switch (cdb[0]) {
	case REPORT_LUNS:
	case REQUEST_SENSE:
	case RESERVE:
	case RESERVE_10:
	case RELEASE:
	case RELEASE_10:
		return true;
	case MAINTENANCE_IN:
		if (cdb_len < 2)
			return false;
		switch (cdb[1] & SCST_SA_MASK) {
		case MI_REPORT_SUPPORTED_OPERATION_CODES:
		case MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS:
			return true;
		}
		return false;
	}
	return false;
}

static void scst_resp_data(struct scst_cmd *cmd, const void *buf, size_t len)
{
	cmd->resp_data_len = scst_copy_to_cmd(cmd, buf, len);
}

/* SPC-4 6.33 */
static void scst_report_luns(struct scst_cmd *cmd)
{
	int addr_method = READ_ONCE(cmd->tgt->addr_method);
	u32 alloc_len = get_unaligned_be32(&cmd->cdb[6]);
	struct scst_tgt_dev *tgt_dev;
	u8 select = cmd->cdb[2];
	u8 hdr[8] = { 0 };
	unsigned long lun;
	u8 entry[8];
	u32 n = 0;

	if (select > 2) {
		scst_set_invalid_field_in_cdb(cmd, 2, -1);
		return;
	}
	if (alloc_len < 16) {
		scst_set_invalid_field_in_cdb(cmd, 6, -1);
		return;
	}
	/* SELECT REPORT 01h lists well known LUNs only: we have none */
	if (select != 1 && cmd->sg) {
		rcu_read_lock();
		xa_for_each(&cmd->sess->tgt_devs, lun, tgt_dev) {
			size_t off = 8 + (size_t)n * 8;

			if (off + 8 <= cmd->bufflen) {
				scst_pack_lun(lun, addr_method, entry);
				sg_pcopy_from_buffer(cmd->sg, cmd->sg_cnt,
						     entry, 8, off);
			}
			n++;
		}
		rcu_read_unlock();
	}
	put_unaligned_be32(n * 8, hdr);
	scst_resp_data(cmd, hdr, sizeof(hdr));
	cmd->resp_data_len = min_t(u32, 8 + n * 8, cmd->bufflen);
	/* SPC-4: REPORT LUNS clears REPORTED LUNS DATA HAS CHANGED */
	scst_sess_clear_ua(cmd->sess,
			   SCST_LOAD_SENSE(scst_sense_reported_luns_data_changed));
}

/* SPC-4 6.39: sense data as parameter data; a pending UA is consumed */
static void scst_request_sense(struct scst_cmd *cmd)
{
	bool desc = cmd->cdb[1] & 0x01;
	u8 buf[SCST_SENSE_BUFFERSIZE] = { 0 };
	u8 key = NO_SENSE, asc = 0, ascq = 0;
	int len;

	if (!cmd->tgt_dev) {
		key = ILLEGAL_REQUEST;
		asc = 0x25;	/* LOGICAL UNIT NOT SUPPORTED */
	} else {
		scst_tgt_dev_dequeue_ua(cmd->tgt_dev, &key, &asc, &ascq);
	}
	len = scst_build_sense(buf, sizeof(buf), desc, key, asc, ascq);
	scst_resp_data(cmd, buf, max(len, 0));
}

/* INQUIRY to a LUN without logical unit (SPC-4 6.6.2) */
static void scst_inquiry_no_lun(struct scst_cmd *cmd)
{
	u8 buf[SCST_INQ_STD_LEN] = { 0 };

	buf[0] = SCST_INQ_NO_LUN;
	if (cmd->cdb[1] & 0x01) {
		/* EVPD: the page header with an empty page */
		buf[1] = cmd->cdb[2];
		scst_resp_data(cmd, buf, 4);
		return;
	}
	if (cmd->cdb[2]) {
		scst_set_invalid_field_in_cdb(cmd, 2, -1);
		return;
	}
	buf[2] = 0x06;			/* SPC-4 */
	buf[3] = 0x02;			/* response data format 2 */
	buf[4] = SCST_INQ_STD_LEN - 5;
	memset(&buf[8], ' ', 28);
	memcpy(&buf[8], SCST_DEFAULT_VENDOR,
	       min_t(size_t, strlen(SCST_DEFAULT_VENDOR), 8));
	scst_resp_data(cmd, buf, sizeof(buf));
}

/*
 * SPC-2 RESERVE(6)/(10): reservations of the whole logical unit by one
 * I_T nexus.  dev->reserved_by is only changed with cmpxchg() / by
 * resets, so no lock is needed.  Third-party and extent reservations are
 * refused by the CDB parser already (their bits are not in the usage
 * data); the check below is a second line of defence.
 */
static void scst_reserve(struct scst_cmd *cmd)
{
	struct scst_session *holder;

	if (cmd->cdb[1] & SCST_SA_MASK) {
		scst_set_invalid_field_in_cdb(cmd, 1, -1);
		return;
	}
	holder = cmpxchg(&cmd->dev->reserved_by, NULL, cmd->sess);
	if (holder && holder != cmd->sess)
		scst_set_cmd_error_status(cmd, SAM_STAT_RESERVATION_CONFLICT);
}

/* RELEASE by a non-holder is GOOD and has no effect (SPC-2 7.17) */
static void scst_release(struct scst_cmd *cmd)
{
	if (cmd->cdb[1] & SCST_SA_MASK) {
		scst_set_invalid_field_in_cdb(cmd, 1, -1);
		return;
	}
	cmpxchg(&cmd->dev->reserved_by, cmd->sess, NULL);
}

static bool scst_rsoc_supported(const struct scst_cdb_info *info, void *ctx)
{
	struct scst_device *dev = ctx;
	u8 cdb[2] = { info->opcode,
		      info->sa == SCST_CDB_NO_SA ? 0 : (u8)info->sa };

	if ((info->flags & SCST_CDB_LOCAL) && scst_local_cmd_supported(cdb, 2))
		return true;
	if (info->opcode == MAINTENANCE_IN && info->sa == MI_REPORT_TARGET_PGS &&
	    scst_alua_rtpg_supported(dev))
		return true;
	if (info->opcode == MAINTENANCE_OUT && info->sa == MO_SET_TARGET_PGS)
		return scst_alua_stpg_supported(dev);
	if (dev->handler->opcode_supported)
		return dev->handler->opcode_supported(dev, info);
	switch (dev->type) {
	case TYPE_DISK:
		return info->flags & SCST_CDB_DISK;
	case TYPE_ROM:
		return info->flags & SCST_CDB_CDROM;
	default:
		return true;
	}
}

/* SPC-4 6.35 REPORT SUPPORTED OPERATION CODES */
static void scst_rsoc(struct scst_cmd *cmd)
{
	u32 buflen = cmd->bufflen;
	int err_field = 0, len;
	u8 *buf;

	buf = kvzalloc(max_t(u32, buflen, 1), GFP_KERNEL);
	if (!buf) {
		scst_set_busy(cmd);
		return;
	}
	len = scst_build_rsoc(buf, buflen, cmd->cdb, scst_rsoc_supported,
			      cmd->dev, &err_field);
	if (len < 0)
		scst_set_invalid_field_in_cdb(cmd, err_field, -1);
	else
		scst_resp_data(cmd, buf, min_t(u32, len, buflen));
	kvfree(buf);
}

/* SPC-4 6.37 REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (REPCD=0) */
static void scst_rstmf(struct scst_cmd *cmd)
{
	u8 buf[4] = { 0 };

	if (get_unaligned_be32(&cmd->cdb[6]) < sizeof(buf)) {
		scst_set_invalid_field_in_cdb(cmd, 6, -1);
		return;
	}
	/* ATS, ATSS, CTSS, LURS, TRS; no ACA, no QUERY functions */
	buf[0] = 0x80 | 0x40 | 0x10 | 0x08 | 0x02;
	scst_resp_data(cmd, buf, sizeof(buf));
}

static void scst_maintenance_in(struct scst_cmd *cmd)
{
	switch (cmd->cdb[1] & SCST_SA_MASK) {
	case MI_REPORT_SUPPORTED_OPERATION_CODES:
		scst_rsoc(cmd);
		break;
	case MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS:
		scst_rstmf(cmd);
		break;
	case MI_REPORT_TARGET_PGS:
		scst_alua_rtpg(cmd);
		break;
	default:
		scst_set_invalid_field_in_cdb(cmd, 1, 4);
		break;
	}
}

/*
 * Execute a core command.  cmd->tgt_dev is NULL for a LUN without logical
 * unit; the parse step only lets INQUIRY, REQUEST SENSE and REPORT LUNS
 * through in that case.
 */
void scst_local_exec(struct scst_cmd *cmd)
{
	switch (cmd->cdb[0]) {
	case REPORT_LUNS:
		scst_report_luns(cmd);
		return;
	case REQUEST_SENSE:
		scst_request_sense(cmd);
		return;
	case INQUIRY:
		if (!cmd->tgt_dev) {
			scst_inquiry_no_lun(cmd);
			return;
		}
		break;
	}
	if (!cmd->dev) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_lun_not_supported));
		return;
	}
	switch (cmd->cdb[0]) {
	case RESERVE:
	case RESERVE_10:
		scst_reserve(cmd);
		break;
	case RELEASE:
	case RELEASE_10:
		scst_release(cmd);
		break;
	case MAINTENANCE_IN:
		scst_maintenance_in(cmd);
		break;
	case MAINTENANCE_OUT:
		/* only SET TARGET PORT GROUPS is marked local (parse) */
		scst_alua_stpg(cmd);
		break;
	default:
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_invalid_opcode));
		break;
	}
}
