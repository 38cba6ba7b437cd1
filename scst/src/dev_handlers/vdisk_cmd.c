// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI command execution of scst_vdisk (SPC-4, SBC-3).
 *
 * The core has decoded the CDB and checked LBA range, transfer length,
 * write protection, reservations and unit attentions before exec() runs,
 * so this file validates only what is specific to the command (page codes,
 * BYTCHK, protection fields, parameter lists) and executes it.  exec()
 * always runs in an SCST thread (exec_atomic is 0) and may sleep.
 */
#include <linux/slab.h>
#include <linux/gfp.h>
#include <linux/scatterlist.h>

#include "vdisk.h"

/* Whether exec() should complete the command or the handler already did */
enum vdisk_res {
	VDISK_DONE,		/* complete now */
	VDISK_PENDING,		/* a backend completes it later */
};

struct vdisk_op {
	u8 opcode;
	bool media;		/* needs the backing store (active device) */
	enum vdisk_res (*fn)(struct scst_cmd *cmd, struct vdisk_dev *vdev);
};

/* Snapshot of the device state plus a response buffer */
struct vdisk_resp {
	struct vdisk_pg_dev pg;
	struct vdisk_port port;
	u8 buf[VDISK_RESP_BUF_SIZE];
};

/* Granularity of VERIFY reads */
#define VDISK_VERIFY_ORDER	4

void vdisk_cmd_done(struct scst_cmd *cmd, enum scst_exec_context ctx)
{
	struct vdisk_dev *vdev = cmd->dh_priv;

	/* Drop the backing store reference before the command goes away */
	if (vdev) {
		cmd->dh_priv = NULL;
		percpu_ref_put(&vdev->io_ref);
	}
	scst_cmd_done(cmd, ctx);
}

void vdisk_set_err(struct scst_cmd *cmd, const struct vdisk_err *err)
{
	switch (err->kind) {
	case VDISK_ERR_INVALID_CDB:
		scst_set_invalid_field_in_cdb(cmd, err->field, err->bit);
		break;
	case VDISK_ERR_INVALID_PARM:
		scst_set_invalid_field_in_parm_list(cmd, err->field, err->bit);
		break;
	case VDISK_ERR_PARM_LIST_LEN:
		scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_parameter_list_length_invalid));
		break;
	case VDISK_ERR_SAVING_UNSUP:
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_saving_params_unsup));
		break;
	case VDISK_ERR_LBA_RANGE:
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_lba_out_of_range));
		break;
	case VDISK_ERR_INVALID_OPCODE:
	case VDISK_ERR_NONE:
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_internal_failure));
		break;
	}
}

/*
 * Map a backend errno to sense data.  Nothing but a SAM status and sense
 * data ever leaves the handler: unknown errors become medium errors.
 */
void vdisk_set_io_error(struct scst_cmd *cmd, int err, bool write, u64 lba)
{
	switch (err) {
	case -ENOMEM:
	case -EAGAIN:
		scst_set_busy(cmd);
		return;
	case -ENOSPC:
	case -EDQUOT:
		/* SPACE ALLOCATION FAILED WRITE PROTECT (SBC-3 4.7.3.6) */
		scst_set_cmd_error(cmd, DATA_PROTECT, 0x27, 0x07);
		break;
	case -EROFS:
	case -EPERM:
	case -EACCES:
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_write_protected));
		return;
	default:
		if (write)
			scst_set_cmd_error(cmd,
					   SCST_LOAD_SENSE(scst_sense_write_error));
		else
			scst_set_cmd_error(cmd,
					   SCST_LOAD_SENSE(scst_sense_read_error));
		break;
	}
	scst_set_cmd_sense_info(cmd, lba);
}

static struct vdisk_resp *vdisk_get_resp(struct scst_cmd *cmd,
					 struct vdisk_dev *vdev)
{
	struct vdisk_resp *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r) {
		scst_set_busy(cmd);
		return NULL;
	}
	spin_lock(&vdev->lock);
	r->pg = vdev->pg;
	spin_unlock(&vdev->lock);
	/* Write protected for this I_T nexus: device, LUN or SWP */
	r->pg.wp = cmd->dev->rd_only || r->pg.mode.swp ||
		   (cmd->tgt_dev && cmd->tgt_dev->rd_only);
	return r;
}

/* Return up to the allocation length (the core sized bufflen from it) */
void vdisk_send(struct scst_cmd *cmd, const u8 *buf, int len)
{
	size_t n = min_t(size_t, len, cmd->bufflen);

	n = scst_copy_to_cmd(cmd, buf, n);
	scst_set_resp_data_len(cmd, n);
}

/* Deactivated device: the backing store is closed */
static void vdisk_not_ready(struct scst_cmd *cmd)
{
	scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_not_ready_manual_intervention));
}

static bool vdisk_get_media(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	if (!percpu_ref_tryget_live(&vdev->io_ref)) {
		vdisk_not_ready(cmd);
		return false;
	}
	cmd->dh_priv = vdev;
	return true;
}

static bool vdisk_check(struct scst_cmd *cmd, int ret,
			const struct vdisk_err *err)
{
	if (ret >= 0)
		return true;
	vdisk_set_err(cmd, err);
	return false;
}

/*
 * An ejected medium (START STOP UNIT LOEJ=1 START=0) stays absent until
 * it is loaded again or the device stops being removable.
 */
static bool vdisk_no_medium(struct vdisk_dev *vdev)
{
	return READ_ONCE(vdev->ejected) && READ_ONCE(vdev->pg.removable);
}

/*
 * Commands answered from the device state
 */
static enum vdisk_res vdisk_tur(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	if (!READ_ONCE(vdev->active))
		vdisk_not_ready(cmd);
	else if (vdisk_no_medium(vdev))
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_medium_not_present));
	return VDISK_DONE;
}

/*
 * INQUIRY target port information.  rel_tgt_id is in the core private part
 * of struct scst_tgt; it is only read here, and it cannot change while the
 * target has sessions.
 */
void vdisk_fill_port(struct scst_cmd *cmd, struct vdisk_port *port)
{
	struct scst_tgt *tgt = cmd->tgt;

	if (!tgt)
		return;
	port->rel_tgt_id = tgt->rel_tgt_id;
	port->tgt_name = tgt->tgt_name;
	port->protocol_id = tgt->tgtt->protocol_id;
	port->tpgs = scst_alua_get_port_info(cmd, &port->tpg_id);
}

static enum vdisk_res vdisk_inquiry_cmd(struct scst_cmd *cmd,
					struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};
	struct vdisk_resp *r = vdisk_get_resp(cmd, vdev);
	int len;

	if (!r)
		return VDISK_DONE;
	vdisk_fill_port(cmd, &r->port);
	len = vdisk_inquiry(&r->pg, &r->port, cmd->cdb, r->buf,
			    sizeof(r->buf), &err);
	if (vdisk_check(cmd, len, &err))
		vdisk_send(cmd, r->buf, len);
	kfree(r);
	return VDISK_DONE;
}

typedef int (*vdisk_builder_t)(const struct vdisk_pg_dev *d, const u8 *cdb,
			       u8 *buf, int size, struct vdisk_err *err);

static enum vdisk_res vdisk_build(struct scst_cmd *cmd,
				  struct vdisk_dev *vdev, vdisk_builder_t fn)
{
	struct vdisk_err err = {};
	struct vdisk_resp *r = vdisk_get_resp(cmd, vdev);
	int len;

	if (!r)
		return VDISK_DONE;
	len = fn(&r->pg, cmd->cdb, r->buf, sizeof(r->buf), &err);
	if (vdisk_check(cmd, len, &err))
		vdisk_send(cmd, r->buf, len);
	kfree(r);
	return VDISK_DONE;
}

static enum vdisk_res vdisk_read_cap10(struct scst_cmd *cmd,
				       struct vdisk_dev *vdev)
{
	return vdisk_build(cmd, vdev, vdisk_read_capacity10);
}

/*
 * Fill ext[] with the provisioning status from lba on.  Deallocated
 * extents shrink to whole blocks, mapped ones grow to whole blocks: a
 * partly deallocated block is mapped.
 */
static int vdisk_map_extents(struct vdisk_dev *vdev, u64 lba, u64 nr_blocks,
			     struct vdisk_lba_extent *ext, int max)
{
	unsigned int shift = vdev->block_shift;
	loff_t end = vdisk_pos(vdev, nr_blocks), next;
	bool thin = vdev->pg.thin_provisioned && vdev->vt->ops->map_status;
	bool mapped = true;
	u64 nr;
	int n = 0;

	while (lba < nr_blocks) {
		next = end;
		if (thin)
			vdev->vt->ops->map_status(vdev, vdisk_pos(vdev, lba),
						  end, &mapped, &next);
		nr = mapped ? DIV_ROUND_UP_ULL(next, 1U << shift) - lba :
			      (next >> shift) - lba;
		if (!nr) {
			/* a hole smaller than a block: that block is mapped */
			mapped = true;
			nr = 1;
		}
		nr = min(nr, nr_blocks - lba);
		if (!vdisk_lba_extent_add(ext, &n, max, lba, nr,
					  mapped ? VDISK_LBA_MAPPED :
						   VDISK_LBA_DEALLOCATED))
			break;
		lba += nr;
		if (fatal_signal_pending(current))
			break;
	}
	return n;
}

/* GET LBA STATUS (SBC-3 5.6): descriptors up to the allocation length */
static enum vdisk_res vdisk_get_lba_status(struct scst_cmd *cmd,
					   struct vdisk_dev *vdev)
{
	struct vdisk_lba_extent *ext;
	struct vdisk_err err = {};
	struct vdisk_resp *r;
	int max, n, len;
	u64 lba;

	BUILD_BUG_ON(VDISK_LBA_STATUS_HDR_LEN + VDISK_MAX_LBA_STATUS_DESC *
		     VDISK_LBA_STATUS_DESC_LEN > VDISK_RESP_BUF_SIZE);
	r = vdisk_get_resp(cmd, vdev);
	if (!r)
		return VDISK_DONE;
	if (!vdisk_check(cmd, vdisk_get_lba_status_cdb(&r->pg, cmd->cdb, &lba,
						       &err), &err))
		goto out;
	/* No more descriptors than the initiator asked room for */
	max = cmd->bufflen > VDISK_LBA_STATUS_HDR_LEN ?
	      (cmd->bufflen - VDISK_LBA_STATUS_HDR_LEN) /
	      VDISK_LBA_STATUS_DESC_LEN : 0;
	max = clamp(max, 1, VDISK_MAX_LBA_STATUS_DESC);
	ext = kcalloc(max, sizeof(*ext), GFP_KERNEL);
	if (!ext) {
		scst_set_busy(cmd);
		goto out;
	}
	n = vdisk_map_extents(vdev, lba, r->pg.nr_blocks, ext, max);
	len = vdisk_lba_status(ext, n, r->buf, sizeof(r->buf));
	vdisk_send(cmd, r->buf, len);
	kfree(ext);
out:
	kfree(r);
	return VDISK_DONE;
}

static enum vdisk_res vdisk_sai16(struct scst_cmd *cmd,
				  struct vdisk_dev *vdev)
{
	switch (cmd->cdb[1] & 0x1f) {
	case SAI_READ_CAPACITY_16:
		return vdisk_build(cmd, vdev, vdisk_read_capacity16);
	case SAI_GET_LBA_STATUS:
		return vdisk_get_lba_status(cmd, vdev);
	}
	scst_set_invalid_field_in_cdb(cmd, 1, 4);
	return VDISK_DONE;
}

static enum vdisk_res vdisk_mode_sense_cmd(struct scst_cmd *cmd,
					   struct vdisk_dev *vdev)
{
	return vdisk_build(cmd, vdev, vdisk_mode_sense);
}

static int vdisk_log_builder(const struct vdisk_pg_dev *d, const u8 *cdb,
			     u8 *buf, int size, struct vdisk_err *err)
{
	return vdisk_log_sense(cdb, buf, size, err);
}

static enum vdisk_res vdisk_log_sense_cmd(struct scst_cmd *cmd,
					  struct vdisk_dev *vdev)
{
	return vdisk_build(cmd, vdev, vdisk_log_builder);
}

/* Read a parameter list of at most len bytes; NULL on error (sense set) */
static u8 *vdisk_get_parm(struct scst_cmd *cmd, u32 *len)
{
	u8 *buf;

	*len = min(*len, cmd->bufflen);
	buf = kzalloc(max_t(u32, *len, 1), GFP_KERNEL);
	if (!buf) {
		scst_set_busy(cmd);
		return NULL;
	}
	*len = scst_copy_from_cmd(cmd, buf, *len);
	return buf;
}

/* LOG SELECT: nothing can change, so it only validates (vdisk_pages.c) */
static enum vdisk_res vdisk_log_select_cmd(struct scst_cmd *cmd,
					   struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};
	u32 len = get_unaligned_be16(cmd->cdb + 7);
	u8 *parm = NULL;

	if (len) {
		parm = vdisk_get_parm(cmd, &len);
		if (!parm)
			return VDISK_DONE;
	}
	vdisk_check(cmd, vdisk_log_select(cmd->cdb, parm, len, &err), &err);
	kfree(parm);
	return VDISK_DONE;
}

/* Make the new mode parameters visible to the core and the I/O path */
static bool vdisk_commit_mode(struct vdisk_dev *vdev,
			      const struct vdisk_mode_state *ms)
{
	struct scst_device *dev = vdev->dev;
	bool changed;

	spin_lock(&vdev->lock);
	changed = memcmp(&vdev->pg.mode, ms, sizeof(*ms)) != 0;
	vdev->pg.mode = *ms;
	spin_unlock(&vdev->lock);

	WRITE_ONCE(vdev->write_through, !ms->wce);
	dev->d_sense = ms->d_sense;
	dev->swp = ms->swp;
	dev->tas = ms->tas;
	dev->qerr = ms->qerr;
	dev->queue_alg = ms->queue_alg;
	return changed;
}

static enum vdisk_res vdisk_mode_select_cmd(struct scst_cmd *cmd,
					    struct vdisk_dev *vdev)
{
	struct vdisk_mode_state ms;
	struct vdisk_err err = {};
	struct vdisk_resp *r;
	bool changed = false;
	u8 *parm;
	u32 len;
	int ret;

	if (!vdisk_check(cmd, vdisk_mode_select_cdb(cmd->cdb, &len, &err),
			 &err))
		return VDISK_DONE;
	parm = vdisk_get_parm(cmd, &len);
	if (!parm)
		return VDISK_DONE;
	/* Validate against and update the same state: no lost updates */
	mutex_lock(&vdev->mutex);
	r = vdisk_get_resp(cmd, vdev);
	if (r) {
		ret = vdisk_mode_select(&r->pg, cmd->cdb, parm, len, &ms, &err);
		if (vdisk_check(cmd, ret, &err))
			changed = vdisk_commit_mode(vdev, &ms);
		kfree(r);
	}
	mutex_unlock(&vdev->mutex);
	kfree(parm);
	/* SPC-4 7.5.3: tell the other I_T nexuses */
	if (changed)
		scst_dev_queue_ua(cmd->dev, cmd->sess,
				  SCST_LOAD_SENSE(scst_sense_mode_parameters_changed));
	return VDISK_DONE;
}

static enum vdisk_res vdisk_start_stop(struct scst_cmd *cmd,
				       struct vdisk_dev *vdev)
{
	bool start, loej, flush;
	struct vdisk_err err = {};
	int ret;

	/* A medium that cannot be removed cannot be loaded or ejected */
	if (!vdev->pg.removable && !(cmd->cdb[4] & 0xf0) &&
	    (cmd->cdb[4] & 0x02)) {
		scst_set_invalid_field_in_cdb(cmd, 4, 1);
		return VDISK_DONE;
	}
	ret = vdisk_check_start_stop(cmd->cdb, vdev->pg.removable, &start,
				     &loej, &flush, &err);
	if (!vdisk_check(cmd, ret, &err))
		return VDISK_DONE;
	/* SBC-3: loading and ejecting both count as medium removal */
	if (loej && scst_dev_removal_prevented(cmd->dev)) {
		scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_medium_removal_prevented));
		return VDISK_DONE;
	}
	/* Stopping writes the cache back unless NO_FLUSH (SBC-3 5.25) */
	if (flush && !vdev->nv_cache && !vdisk_no_medium(vdev) &&
	    percpu_ref_tryget_live(&vdev->io_ref)) {
		ret = vdev->vt->ops->flush_sync(vdev);
		percpu_ref_put(&vdev->io_ref);
		if (ret) {
			vdisk_set_io_error(cmd, ret, true, 0);
			return VDISK_DONE;
		}
	}
	/*
	 * The medium of a removable vdisk is "unloaded" by refusing medium
	 * access with MEDIUM NOT PRESENT until it is loaded again; the
	 * backing store stays open.
	 */
	if (loej)
		WRITE_ONCE(vdev->ejected, !start);
	return VDISK_DONE;
}

/*
 * SPC-4: the prevention is per I_T nexus (the core keeps it in the
 * tgt_dev and ends it on nexus loss and logical unit reset); removal is
 * prevented while any nexus prevents it.
 */
static enum vdisk_res vdisk_prevent_allow(struct scst_cmd *cmd,
					  struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};
	bool prevent;

	if (vdisk_check(cmd, vdisk_check_prevent_allow(cmd->cdb, &prevent,
						       &err), &err))
		scst_tgt_dev_set_prevent(cmd->tgt_dev, prevent);
	return VDISK_DONE;
}

static enum vdisk_res vdisk_format_unit(struct scst_cmd *cmd,
					struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};

	/* Nothing to format: the medium is always ready */
	vdisk_check(cmd, vdisk_check_format_unit(cmd->cdb, &err), &err);
	return VDISK_DONE;
}

static enum vdisk_res vdisk_send_diag(struct scst_cmd *cmd,
				      struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};

	/* No component can fail a self-test: it passes at once */
	vdisk_check(cmd, vdisk_check_send_diag(cmd->cdb, &err), &err);
	return VDISK_DONE;
}

/*
 * Media access
 */
static bool vdisk_is_write(u8 opcode)
{
	switch (opcode) {
	case WRITE_6:
	case WRITE_10:
	case WRITE_12:
	case WRITE_16:
		return true;
	}
	return false;
}

static enum vdisk_res vdisk_rw(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	bool write = vdisk_is_write(cmd->cdb[0]);
	struct vdisk_err err = {};
	bool sync;

	if (!vdisk_check(cmd, vdisk_check_rw(cmd->cdb, &err), &err))
		return VDISK_DONE;
	if (!vdisk_xfer_len(cmd, vdev))
		return VDISK_DONE;
	/* FUA or WCE=0: the data must be on stable storage before GOOD */
	sync = write && !vdev->nv_cache &&
	       (cmd->fua || READ_ONCE(vdev->write_through));
	vdev->vt->ops->rw(cmd, vdev, write, sync);
	return VDISK_PENDING;
}

/* The verification of WRITE AND VERIFY is the write being durable */
static enum vdisk_res vdisk_write_verify(struct scst_cmd *cmd,
					 struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};

	if (!vdisk_check(cmd, vdisk_check_verify(cmd->cdb, &err), &err))
		return VDISK_DONE;
	if (!vdisk_xfer_len(cmd, vdev))
		return VDISK_DONE;
	vdev->vt->ops->rw(cmd, vdev, true, !vdev->nv_cache);
	return VDISK_PENDING;
}

/* Offset of the first byte that differs, or -1 */
static long vdisk_memdiff(const u8 *a, const u8 *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

/*
 * Compare len bytes read from the medium at byte offset done of the range
 * with the Data-Out buffer: all of it (BYTCHK 01b) or its single logical
 * block against every block (BYTCHK 11b).  Returns the offset of the first
 * miscompare or -1.
 */
static long vdisk_compare(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			  int bytchk, const u8 *data, u8 *cmp, size_t len,
			  size_t done)
{
	size_t bs = 1U << vdev->block_shift, i;
	long diff;

	if (bytchk == 1) {
		sg_pcopy_to_buffer(cmd->sg, cmd->sg_cnt, cmp, len, done);
		diff = vdisk_memdiff(data, cmp, len);
		return diff < 0 ? -1 : (long)done + diff;
	}
	for (i = 0; i < len; i += bs) {
		diff = vdisk_memdiff(data + i, cmp, bs);
		if (diff >= 0)
			return done + i + diff;
	}
	return -1;
}

static void vdisk_verify_range(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			       int bytchk, u8 *data, u8 *cmp)
{
	size_t chunk = PAGE_SIZE << VDISK_VERIFY_ORDER, total, done, n;
	loff_t pos = vdisk_pos(vdev, cmd->lba);
	long diff;
	int ret;

	total = (size_t)cmd->nr_blocks << vdev->block_shift;
	if (bytchk == 3)
		sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, cmp,
				  1U << vdev->block_shift);
	for (done = 0; done < total; done += n) {
		n = min(chunk, total - done);
		ret = vdev->vt->ops->read_sync(vdev, pos + done, data, n);
		if (ret) {
			vdisk_set_io_error(cmd, ret, false, cmd->lba +
					   (done >> vdev->block_shift));
			return;
		}
		if (!bytchk)
			continue;
		diff = vdisk_compare(cmd, vdev, bytchk, data, cmp, n, done);
		if (diff >= 0) {
			scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_miscompare_error));
			scst_set_cmd_sense_info(cmd, diff);
			return;
		}
	}
}

static enum vdisk_res vdisk_verify(struct scst_cmd *cmd,
				   struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};
	u8 *data, *cmp = NULL;
	u64 need;
	int bytchk;

	bytchk = vdisk_check_verify(cmd->cdb, &err);
	if (!vdisk_check(cmd, bytchk, &err) || !cmd->nr_blocks)
		return VDISK_DONE;
	need = bytchk == 3 ? 1ULL << vdev->block_shift :
	       bytchk ? (u64)cmd->nr_blocks << vdev->block_shift : 0;
	if (cmd->bufflen < need) {
		/* The core did not transfer the data to compare with */
		scst_set_invalid_field_in_cdb(cmd, 1, 2);
		return VDISK_DONE;
	}
	data = (u8 *)__get_free_pages(GFP_KERNEL, VDISK_VERIFY_ORDER);
	if (bytchk)
		cmp = (u8 *)__get_free_pages(GFP_KERNEL, VDISK_VERIFY_ORDER);
	if (!data || (bytchk && !cmp))
		scst_set_busy(cmd);
	else
		vdisk_verify_range(cmd, vdev, bytchk, data, cmp);
	free_pages((unsigned long)data, VDISK_VERIFY_ORDER);
	free_pages((unsigned long)cmp, VDISK_VERIFY_ORDER);
	return VDISK_DONE;
}

/* FUA or WCE=0: the data must be on stable storage before GOOD */
static bool vdisk_write_sync(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	return !vdev->nv_cache &&
	       (cmd->fua || READ_ONCE(vdev->write_through));
}

/* Read, compare and write under caw_mutex; len bytes in each buffer */
static void vdisk_caw_io(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			 u8 *media, u8 *data, size_t len)
{
	loff_t pos = vdisk_pos(vdev, cmd->lba);
	long diff;
	int ret;

	mutex_lock(&vdev->caw_mutex);
	ret = vdev->vt->ops->read_sync(vdev, pos, media, len);
	if (ret) {
		vdisk_set_io_error(cmd, ret, false, cmd->lba);
		goto out;
	}
	sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, data, len);
	diff = vdisk_memdiff(media, data, len);
	if (diff >= 0) {
		/* INFORMATION: offset of the first differing byte */
		scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_miscompare_error));
		scst_set_cmd_sense_info(cmd, diff);
		goto out;
	}
	sg_pcopy_to_buffer(cmd->sg, cmd->sg_cnt, data, len, len);
	ret = vdev->vt->ops->write_sync(vdev, pos, data, len,
					vdisk_write_sync(cmd, vdev));
	if (ret)
		vdisk_set_io_error(cmd, ret, true, cmd->lba);
out:
	mutex_unlock(&vdev->caw_mutex);
}

/*
 * COMPARE AND WRITE (SBC-3 5.2).  The Data-Out buffer holds the verify
 * data then the write data, NUMBER OF LOGICAL BLOCKS each.  caw_mutex
 * makes it atomic against other COMPARE AND WRITE commands of the device
 * (VMware ATS locks); the core checked write protection and LBA range.
 */
static enum vdisk_res vdisk_caw(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	size_t len = (size_t)cmd->nr_blocks << vdev->block_shift;
	unsigned int order;
	u8 *media, *data;

	if (cmd->nr_blocks > VDISK_MAX_CAW_BLOCKS) {
		scst_set_invalid_field_in_cdb(cmd, 13, -1);
		return VDISK_DONE;
	}
	/*
	 * Both halves must be there, and nothing more (SBC-3 5.2); a Data-Out
	 * buffer with NUMBER OF LOGICAL BLOCKS 0 contradicts the CDB too.
	 */
	if ((len && cmd->bufflen != 2 * len) ||
	    (cmd->expected_values_set &&
	     cmd->expected_data_direction == SCST_DATA_WRITE &&
	     cmd->expected_transfer_len != 2 * len)) {
		scst_set_invalid_field_in_cdb(cmd, 13, -1);
		return VDISK_DONE;
	}
	if (!len)
		return VDISK_DONE;
	/* read_sync()/write_sync() need page aligned contiguous buffers */
	order = get_order(len);
	media = (u8 *)__get_free_pages(GFP_KERNEL, order);
	data = (u8 *)__get_free_pages(GFP_KERNEL, order);
	if (!media || !data)
		scst_set_busy(cmd);
	else
		vdisk_caw_io(cmd, vdev, media, data, len);
	free_pages((unsigned long)media, order);
	free_pages((unsigned long)data, order);
	return VDISK_DONE;
}

/* One chunk of XDWRITEREAD: Data-In = medium XOR Data-Out, then write */
static int vdisk_xdwr_chunk(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			    u8 *media, u8 *data, size_t done, size_t n)
{
	loff_t pos = vdisk_pos(vdev, cmd->lba) + done;
	u64 lba = cmd->lba + (done >> vdev->block_shift);
	size_t i;
	int ret;

	ret = vdev->vt->ops->read_sync(vdev, pos, media, n);
	if (ret) {
		vdisk_set_io_error(cmd, ret, false, lba);
		return ret;
	}
	sg_pcopy_to_buffer(cmd->out_sg, cmd->out_sg_cnt, data, n, done);
	if (!(cmd->cdb[1] & 0x04)) {
		ret = vdev->vt->ops->write_sync(vdev, pos, data, n,
						vdisk_write_sync(cmd, vdev));
		if (ret) {
			vdisk_set_io_error(cmd, ret, true, lba);
			return ret;
		}
	}
	for (i = 0; i < n; i++)
		media[i] ^= data[i];
	sg_pcopy_from_buffer(cmd->sg, cmd->sg_cnt, media, n, done);
	return 0;
}

/*
 * XDWRITEREAD(10) (SBC-3): bidirectional.  Returns the XOR of the blocks
 * read and the Data-Out, and writes the Data-Out unless DISABLE WRITE.
 */
static enum vdisk_res vdisk_xdwriteread(struct scst_cmd *cmd,
					struct vdisk_dev *vdev)
{
	size_t chunk = PAGE_SIZE << VDISK_VERIFY_ORDER, total, done, n;
	u8 *media, *data;

	total = (size_t)cmd->nr_blocks << vdev->block_shift;
	if (!total)
		return VDISK_DONE;
	/* The core sized both buffers from the CDB */
	if (cmd->data_direction != SCST_DATA_BIDI || !cmd->out_sg ||
	    cmd->bufflen < total || cmd->out_bufflen < total) {
		scst_set_invalid_field_in_cdb(cmd, 7, -1);
		return VDISK_DONE;
	}
	media = (u8 *)__get_free_pages(GFP_KERNEL, VDISK_VERIFY_ORDER);
	data = (u8 *)__get_free_pages(GFP_KERNEL, VDISK_VERIFY_ORDER);
	if (!media || !data) {
		scst_set_busy(cmd);
		goto out;
	}
	for (done = 0; done < total; done += n) {
		n = min(chunk, total - done);
		if (vdisk_xdwr_chunk(cmd, vdev, media, data, done, n))
			goto out;
	}
	scst_set_resp_data_len(cmd, total);
out:
	free_pages((unsigned long)media, VDISK_VERIFY_ORDER);
	free_pages((unsigned long)data, VDISK_VERIFY_ORDER);
	return VDISK_DONE;
}

static enum vdisk_res vdisk_sync_cache(struct scst_cmd *cmd,
				       struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};
	const u8 *cdb = cmd->cdb;
	u64 lba, nr;

	if (!vdisk_check(cmd, vdisk_check_sync_cache(cdb, &err), &err))
		return VDISK_DONE;
	if (cdb[0] == SYNCHRONIZE_CACHE) {
		lba = get_unaligned_be32(cdb + 2);
		nr = get_unaligned_be16(cdb + 7);
	} else {
		lba = get_unaligned_be64(cdb + 2);
		nr = get_unaligned_be32(cdb + 10);
	}
	if (lba > cmd->dev->nr_blocks || nr > cmd->dev->nr_blocks - lba) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_lba_out_of_range));
		return VDISK_DONE;
	}
	/* A non-volatile cache is as good as the medium */
	if (vdev->nv_cache)
		return VDISK_DONE;
	/* IMMED is allowed to be ignored: we report after the flush */
	vdev->vt->ops->flush(cmd, vdev, vdisk_pos(vdev, lba),
			     vdisk_pos(vdev, nr));
	return VDISK_PENDING;
}

static bool vdisk_unmap_supported(struct vdisk_dev *vdev)
{
	return vdev->pg.thin_provisioned && vdev->pg.unmap;
}

/*
 * PRE-FETCH(10)/(16) (SBC-3 5.9).  The page cache is not ours to
 * reserve, so we never know that the blocks will stay cached: GOOD, the
 * status for "the cache may not hold them all" (libiscsi and the Linux
 * initiator expect it too).  IMMED makes no difference: readahead is
 * asynchronous anyway.
 */
static enum vdisk_res vdisk_prefetch(struct scst_cmd *cmd,
				     struct vdisk_dev *vdev)
{
	u64 cap = cmd->dev->nr_blocks, nr = cmd->nr_blocks;

	/* The core checked lba + nr <= capacity; 0 blocks: up to the end */
	if (cmd->lba >= cap) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_lba_out_of_range));
		return VDISK_DONE;
	}
	if (!nr)
		nr = cap - cmd->lba;
	/* More than the largest transfer would only evict other data */
	nr = min_t(u64, nr, VDISK_MAX_XFER_BYTES >> vdev->block_shift);
	if (vdev->vt->ops->prefetch)
		vdev->vt->ops->prefetch(vdev, vdisk_pos(vdev, cmd->lba),
					vdisk_pos(vdev, nr));
	return VDISK_DONE;
}

/* Largest WRITE SAME buffer (bio_alloc() takes up to 256 pages) */
#define VDISK_WS_ORDER	8

/* A buffer for len bytes, smaller if memory is fragmented */
static u8 *vdisk_ws_alloc(size_t len, size_t bs, unsigned int *order)
{
	int o = min_t(int, get_order(len), VDISK_WS_ORDER);
	u8 *buf;

	for (; o >= 0 && (PAGE_SIZE << o) >= bs; o--) {
		buf = (u8 *)__get_free_pages(GFP_KERNEL | __GFP_NORETRY |
					     __GFP_NOWARN, o);
		if (buf) {
			*order = o;
			return buf;
		}
	}
	return NULL;
}

/* Write the block in buf[0, bs) over the whole range, size bytes a time */
static void vdisk_ws_write(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			   u8 *buf, size_t size, bool sync)
{
	size_t bs = 1U << vdev->block_shift, total, done, n;
	loff_t pos = vdisk_pos(vdev, cmd->lba);
	int ret;

	total = (size_t)cmd->nr_blocks << vdev->block_shift;
	size = min(size, total);
	for (n = bs; n < size; n += bs)
		memcpy(buf + n, buf, bs);
	for (done = 0; done < total; done += n) {
		n = min(size, total - done);
		ret = vdev->vt->ops->write_sync(vdev, pos + done, buf, n, sync);
		if (ret) {
			vdisk_set_io_error(cmd, ret, true, cmd->lba +
					   (done >> vdev->block_shift));
			return;
		}
	}
}

/*
 * A block of zeros: let the backend zero (and with UNMAP=1 deallocate)
 * the range, since our deallocated blocks read as zeros too.  Returns
 * false if the range still has to be written.
 */
static bool vdisk_ws_zero(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			  bool unmap, bool sync)
{
	loff_t len = vdisk_pos(vdev, cmd->nr_blocks);
	int ret;

	if (!vdev->vt->ops->zero_sync)
		return false;
	ret = vdev->vt->ops->zero_sync(vdev, vdisk_pos(vdev, cmd->lba), len,
				       unmap && vdisk_unmap_supported(vdev),
				       sync);
	if (ret == -EOPNOTSUPP)
		return false;
	if (ret)
		vdisk_set_io_error(cmd, ret, true, cmd->lba);
	return true;
}

/*
 * WRITE SAME(10)/(16) (SBC-3 5.42, 5.43).  The core decoded the range,
 * checked it and write protection, and refused ANCHOR, LBDATA/PBDATA and
 * WRPROTECT; NDOB (16 only) means a block of zeros and no Data-Out.
 */
static enum vdisk_res vdisk_write_same(struct scst_cmd *cmd,
				       struct vdisk_dev *vdev)
{
	size_t bs = 1U << vdev->block_shift;
	bool ndob = cmd->cdb[0] == WRITE_SAME_16 && (cmd->cdb[1] & 0x01);
	struct vdisk_err err = {};
	unsigned int order;
	bool unmap, zero;
	u8 *buf;

	if (!vdisk_check(cmd, vdisk_check_write_same(&vdev->pg, cmd->cdb,
						     cmd->nr_blocks, &unmap,
						     &err), &err))
		return VDISK_DONE;
	if (!ndob && cmd->bufflen < bs) {
		/* Less than one logical block of Data-Out */
		scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_invalid_field_in_cdb));
		return VDISK_DONE;
	}
	buf = vdisk_ws_alloc(vdisk_pos(vdev, cmd->nr_blocks), bs, &order);
	if (!buf) {
		scst_set_busy(cmd);
		return VDISK_DONE;
	}
	if (ndob)
		memset(buf, 0, bs);
	else
		sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, buf, bs);
	/*
	 * UNMAP=1 with data other than zeros is written: deallocating
	 * would make the blocks read back as zeros (SBC-3 5.43).
	 */
	zero = !memchr_inv(buf, 0, bs);
	if (!zero || !vdisk_ws_zero(cmd, vdev, unmap,
				    vdisk_write_sync(cmd, vdev)))
		vdisk_ws_write(cmd, vdev, buf, PAGE_SIZE << order,
			       vdisk_write_sync(cmd, vdev));
	free_pages((unsigned long)buf, order);
	return VDISK_DONE;
}

static void vdisk_unmap_descs(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			      const struct vdisk_unmap_desc *desc, int n)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		if (!desc[i].nr)
			continue;
		ret = vdev->vt->ops->unmap_sync(vdev,
						vdisk_pos(vdev, desc[i].lba),
						vdisk_pos(vdev, desc[i].nr));
		if (ret) {
			vdisk_set_io_error(cmd, ret, true, desc[i].lba);
			return;
		}
	}
}

static enum vdisk_res vdisk_unmap(struct scst_cmd *cmd,
				  struct vdisk_dev *vdev)
{
	struct vdisk_unmap_desc *desc = NULL;
	struct vdisk_err err = {};
	struct vdisk_resp *r = NULL;
	u8 *parm = NULL;
	u32 len;
	int n;

	if (!vdisk_unmap_supported(vdev)) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_invalid_opcode));
		return VDISK_DONE;
	}
	if (!vdisk_check(cmd, vdisk_unmap_cdb(cmd->cdb, &len, &err), &err))
		return VDISK_DONE;
	parm = vdisk_get_parm(cmd, &len);
	if (!parm)
		return VDISK_DONE;
	r = vdisk_get_resp(cmd, vdev);
	desc = kcalloc(VDISK_MAX_UNMAP_DESC, sizeof(*desc), GFP_KERNEL);
	if (!r || !desc) {
		scst_set_busy(cmd);
		goto out;
	}
	/* Validate every descriptor before deallocating anything */
	n = vdisk_parse_unmap(&r->pg, parm, len, desc, VDISK_MAX_UNMAP_DESC,
			      &err);
	if (vdisk_check(cmd, n, &err))
		vdisk_unmap_descs(cmd, vdev, desc, n);
out:
	kfree(desc);
	kfree(r);
	kfree(parm);
	return VDISK_DONE;
}

static const struct vdisk_op vdisk_ops[] = {
	{ TEST_UNIT_READY,	false,	vdisk_tur },
	{ FORMAT_UNIT,		true,	vdisk_format_unit },
	{ READ_6,		true,	vdisk_rw },
	{ WRITE_6,		true,	vdisk_rw },
	{ INQUIRY,		false,	vdisk_inquiry_cmd },
	{ MODE_SELECT,		false,	vdisk_mode_select_cmd },
	{ MODE_SENSE,		false,	vdisk_mode_sense_cmd },
	{ START_STOP,		false,	vdisk_start_stop },
	{ SEND_DIAGNOSTIC,	false,	vdisk_send_diag },
	{ ALLOW_MEDIUM_REMOVAL,	false,	vdisk_prevent_allow },
	{ READ_CAPACITY,	true,	vdisk_read_cap10 },
	{ READ_10,		true,	vdisk_rw },
	{ WRITE_10,		true,	vdisk_rw },
	{ WRITE_VERIFY,		true,	vdisk_write_verify },
	{ VERIFY,		true,	vdisk_verify },
	{ PRE_FETCH,		true,	vdisk_prefetch },
	{ SYNCHRONIZE_CACHE,	true,	vdisk_sync_cache },
	{ WRITE_SAME,		true,	vdisk_write_same },
	{ UNMAP,		true,	vdisk_unmap },
	{ LOG_SELECT,		false,	vdisk_log_select_cmd },
	{ LOG_SENSE,		false,	vdisk_log_sense_cmd },
	{ XDWRITEREAD_10,	true,	vdisk_xdwriteread },
	{ MODE_SELECT_10,	false,	vdisk_mode_select_cmd },
	{ MODE_SENSE_10,	false,	vdisk_mode_sense_cmd },
	{ READ_16,		true,	vdisk_rw },
	{ COMPARE_AND_WRITE,	true,	vdisk_caw },
	{ WRITE_16,		true,	vdisk_rw },
	{ WRITE_VERIFY_16,	true,	vdisk_write_verify },
	{ VERIFY_16,		true,	vdisk_verify },
	{ PRE_FETCH_16,		true,	vdisk_prefetch },
	{ SYNCHRONIZE_CACHE_16,	true,	vdisk_sync_cache },
	{ WRITE_SAME_16,	true,	vdisk_write_same },
	{ SERVICE_ACTION_IN_16,	true,	vdisk_sai16 },
	{ READ_12,		true,	vdisk_rw },
	{ WRITE_12,		true,	vdisk_rw },
	{ WRITE_VERIFY_12,	true,	vdisk_write_verify },
	{ VERIFY_12,		true,	vdisk_verify },
};

static const struct vdisk_op *vdisk_find_op(u8 opcode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vdisk_ops); i++)
		if (vdisk_ops[i].opcode == opcode)
			return &vdisk_ops[i];
	return NULL;
}

enum scst_exec_res vdisk_exec(struct scst_cmd *cmd)
{
	struct vdisk_dev *vdev = vdisk_from_cmd(cmd);
	const struct vdisk_op *op = vdisk_find_op(cmd->cdb[0]);

	cmd->dh_priv = NULL;
	if (!op)
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_invalid_opcode));
	else if (op->media && vdisk_no_medium(vdev))
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_medium_not_present));
	else if ((!op->media || vdisk_get_media(cmd, vdev)) &&
		 op->fn(cmd, vdev) == VDISK_PENDING)
		return SCST_EXEC_COMPLETED;
	vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
	return SCST_EXEC_COMPLETED;
}

/* For REPORT SUPPORTED OPERATION CODES: exactly what exec() implements */
bool vdisk_opcode_supported(struct scst_device *dev,
			    const struct scst_cdb_info *info)
{
	struct vdisk_dev *vdev = dev->dh_priv;

	if (!vdisk_find_op(info->opcode))
		return false;
	switch (info->opcode) {
	case SERVICE_ACTION_IN_16:
		return info->sa == SAI_READ_CAPACITY_16 ||
		       info->sa == SAI_GET_LBA_STATUS;
	case UNMAP:
		return vdisk_unmap_supported(vdev);
	}
	return true;
}
