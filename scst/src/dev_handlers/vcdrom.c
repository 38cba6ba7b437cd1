// SPDX-License-Identifier: GPL-2.0
/*
 * The vcdrom handler of scst_vdisk: a read-only CD-ROM drive (MMC-6,
 * peripheral device type 05h) whose medium is an image file.
 *
 * The drive starts empty.  Writing a path to the "filename" attribute
 * inserts that image, writing "none" (or nothing) removes it.  Either is
 * a media event for GET EVENT STATUS NOTIFICATION, and a new medium
 * raises NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED on every I_T
 * nexus.  The image is
 * read through the fileio backend.
 *
 * vdev->active means "a medium is in the drive": io_ref is live exactly
 * then, and commands that read the medium hold it, so a medium change
 * kills io_ref and waits for them before it closes the old image (as the
 * "active" attribute of vdisk_fileio does).  vdev->ejected is the tray
 * opened by START STOP UNIT LOEJ=1: the image stays open but the medium is
 * not present until the tray is closed again.
 */
#include <linux/slab.h>
#include <linux/file.h>
#include <linux/string.h>

#include "vdisk.h"
#include "vcdrom_pages.h"

struct vcdrom_op {
	u8 opcode;
	bool media;		/* needs a medium in the drive */
	/* true: a backend completes the command later */
	bool (*fn)(struct scst_cmd *cmd, struct vdisk_dev *vdev);
};

/* Snapshot of the device state plus a response buffer */
struct vcdrom_resp {
	struct vdisk_pg_dev pg;
	struct vdisk_port port;
	struct vcdrom_pg cd;
	u8 buf[VDISK_RESP_BUF_SIZE];
};

typedef int (*vcdrom_builder_t)(const struct vcdrom_pg *d, const u8 *cdb,
				u8 *buf, int size, struct vdisk_err *err);

/* Called by vdisk_alloc() for a new vcdrom device */
void vcdrom_setup(struct vdisk_dev *vdev)
{
	vdev->block_shift = VCDROM_BLOCK_SHIFT;
	vdev->read_only = true;
	/* No medium until the administrator inserts one */
	vdev->active = false;
	vdev->pg.type = TYPE_ROM;
	vdev->pg.removable = true;
}

static bool vcdrom_present(struct vdisk_dev *vdev)
{
	return READ_ONCE(vdev->active) && !READ_ONCE(vdev->ejected);
}

static void vcdrom_no_medium(struct scst_cmd *cmd)
{
	scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_medium_not_present));
}

static struct vcdrom_resp *vcdrom_get_resp(struct scst_cmd *cmd,
					   struct vdisk_dev *vdev)
{
	struct vcdrom_resp *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r) {
		scst_set_busy(cmd);
		return NULL;
	}
	spin_lock(&vdev->lock);
	r->pg = vdev->pg;
	spin_unlock(&vdev->lock);
	r->cd.nr_blocks = r->pg.nr_blocks;
	r->cd.present = vcdrom_present(vdev);
	r->cd.tray_open = READ_ONCE(vdev->ejected);
	r->cd.prevented = scst_dev_removal_prevented(cmd->dev);
	r->cd.event = READ_ONCE(vdev->cd_event);
	return r;
}

static bool vcdrom_check(struct scst_cmd *cmd, int ret,
			 const struct vdisk_err *err)
{
	if (ret >= 0)
		return true;
	vdisk_set_err(cmd, err);
	return false;
}

static bool vcdrom_build(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			 vcdrom_builder_t fn)
{
	struct vcdrom_resp *r = vcdrom_get_resp(cmd, vdev);
	struct vdisk_err err = {};
	int len;

	if (!r)
		return false;
	len = fn(&r->cd, cmd->cdb, r->buf, sizeof(r->buf), &err);
	if (vcdrom_check(cmd, len, &err))
		vdisk_send(cmd, r->buf, len);
	kfree(r);
	return false;
}

/*
 * Media events for GET EVENT STATUS NOTIFICATION.  One per device, not
 * per I_T nexus: a CD-ROM drive has one event queue, and the initiators
 * also learn of the change from the unit attention every nexus gets.
 */
static void vcdrom_media_event(struct vdisk_dev *vdev, int event)
{
	WRITE_ONCE(vdev->cd_event, event);
}

/*
 * Commands answered from the drive state
 */
static bool vcdrom_tur(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	if (!vcdrom_present(vdev))
		vcdrom_no_medium(cmd);
	return false;
}

static bool vcdrom_inquiry_cmd(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	struct vcdrom_resp *r = vcdrom_get_resp(cmd, vdev);
	struct vdisk_err err = {};
	int len;

	if (!r)
		return false;
	vdisk_fill_port(cmd, &r->port);
	len = vcdrom_inquiry(&r->pg, &r->port, cmd->cdb, r->buf,
			     sizeof(r->buf), &err);
	if (vcdrom_check(cmd, len, &err))
		vdisk_send(cmd, r->buf, len);
	kfree(r);
	return false;
}

static bool vcdrom_read_cap(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	struct vcdrom_resp *r = vcdrom_get_resp(cmd, vdev);
	struct vdisk_err err = {};
	int len;

	if (!r)
		return false;
	len = vdisk_read_capacity10(&r->pg, cmd->cdb, r->buf, sizeof(r->buf),
				    &err);
	if (vcdrom_check(cmd, len, &err))
		vdisk_send(cmd, r->buf, len);
	kfree(r);
	return false;
}

static bool vcdrom_mode_sense_cmd(struct scst_cmd *cmd,
				  struct vdisk_dev *vdev)
{
	return vcdrom_build(cmd, vdev, vcdrom_mode_sense);
}

static bool vcdrom_read_toc_cmd(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	return vcdrom_build(cmd, vdev, vcdrom_read_toc);
}

static bool vcdrom_get_config_cmd(struct scst_cmd *cmd,
				  struct vdisk_dev *vdev)
{
	return vcdrom_build(cmd, vdev, vcdrom_get_config);
}

static bool vcdrom_disc_info_cmd(struct scst_cmd *cmd,
				 struct vdisk_dev *vdev)
{
	return vcdrom_build(cmd, vdev, vcdrom_disc_info);
}

static bool vcdrom_mech_status_cmd(struct scst_cmd *cmd,
				   struct vdisk_dev *vdev)
{
	return vcdrom_build(cmd, vdev, vcdrom_mech_status);
}

/*
 * A reported media event is cleared (MMC-6 6.7.1), unless a newer one
 * replaced it meanwhile or the initiator did not take the descriptor.
 */
static bool vcdrom_gesn_cmd(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	struct vcdrom_resp *r = vcdrom_get_resp(cmd, vdev);
	struct vdisk_err err = {};
	bool reported;
	int len;

	if (!r)
		return false;
	len = vcdrom_event_status(&r->cd, cmd->cdb, r->buf, sizeof(r->buf),
				  &reported, &err);
	if (vcdrom_check(cmd, len, &err)) {
		vdisk_send(cmd, r->buf, len);
		if (reported && cmd->bufflen >= len)
			cmpxchg(&vdev->cd_event, r->cd.event, VCDROM_EV_NONE);
	}
	kfree(r);
	return false;
}

/*
 * START STOP UNIT: LOEJ opens (START=0) or closes (START=1) the tray.
 * Only ejecting is medium removal; closing the tray is always allowed.
 */
static bool vcdrom_start_stop(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	bool start, loej, flush, changed;
	struct vdisk_err err = {};

	if (!vcdrom_check(cmd, vdisk_check_start_stop(cmd->cdb, true, &start,
						      &loej, &flush, &err),
			  &err) || !loej)
		return false;
	if (!start && scst_dev_removal_prevented(cmd->dev)) {
		scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_medium_removal_prevented));
		return false;
	}
	mutex_lock(&vdev->mutex);
	changed = vdev->ejected == start && vdev->active;
	WRITE_ONCE(vdev->ejected, !start);
	if (changed)
		vcdrom_media_event(vdev, start ? VCDROM_EV_NEW_MEDIA :
				   VCDROM_EV_MEDIA_REMOVAL);
	mutex_unlock(&vdev->mutex);
	/* The medium became ready again: tell the other I_T nexuses */
	if (changed && start)
		scst_dev_queue_ua(cmd->dev, cmd->sess,
				  SCST_LOAD_SENSE(scst_sense_medium_changed_UA));
	return false;
}

/* Per I_T nexus in the core; removal is prevented while any nexus asks */
static bool vcdrom_prevent_allow(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};
	bool prevent;

	/* Persistent prevent (10b, 11b) is not supported */
	if (vcdrom_check(cmd, vdisk_check_prevent_allow(cmd->cdb, &prevent,
							&err), &err))
		scst_tgt_dev_set_prevent(cmd->tgt_dev, prevent);
	return false;
}

/* READ(10)/(12); io_ref is held, so the medium cannot change under us */
static bool vcdrom_read(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	struct vdisk_err err = {};
	u64 cap = READ_ONCE(vdev->dev->nr_blocks);

	if (!vcdrom_check(cmd, vdisk_check_rw(cmd->cdb, &err), &err))
		return false;
	/* The core checked against the medium loaded when it parsed */
	if (cmd->lba > cap || cmd->nr_blocks > cap - cmd->lba) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_lba_out_of_range));
		return false;
	}
	if (!vdisk_xfer_len(cmd, vdev))
		return false;
	vdev->vt->ops->rw(cmd, vdev, false, false);
	return true;
}

/* Sorted by operation code; every other one is INVALID OPCODE */
static const struct vcdrom_op vcdrom_ops[] = {
	{ TEST_UNIT_READY,		false,	vcdrom_tur },
	{ INQUIRY,			false,	vcdrom_inquiry_cmd },
	{ MODE_SENSE,			false,	vcdrom_mode_sense_cmd },
	{ START_STOP,			false,	vcdrom_start_stop },
	{ ALLOW_MEDIUM_REMOVAL,		false,	vcdrom_prevent_allow },
	{ READ_CAPACITY,		true,	vcdrom_read_cap },
	{ READ_10,			true,	vcdrom_read },
	{ READ_TOC,			true,	vcdrom_read_toc_cmd },
	{ GET_CONFIGURATION,		false,	vcdrom_get_config_cmd },
	{ GET_EVENT_STATUS_NOTIFICATION, false,	vcdrom_gesn_cmd },
	{ READ_DISC_INFORMATION,	true,	vcdrom_disc_info_cmd },
	{ MODE_SENSE_10,		false,	vcdrom_mode_sense_cmd },
	{ READ_12,			true,	vcdrom_read },
	{ MECHANISM_STATUS,		false,	vcdrom_mech_status_cmd },
};

static const struct vcdrom_op *vcdrom_find_op(u8 opcode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vcdrom_ops); i++)
		if (vcdrom_ops[i].opcode == opcode)
			return &vcdrom_ops[i];
	return NULL;
}

/* A medium to read: hold io_ref until vdisk_cmd_done() */
static bool vcdrom_get_media(struct scst_cmd *cmd, struct vdisk_dev *vdev)
{
	if (READ_ONCE(vdev->ejected) ||
	    !percpu_ref_tryget_live(&vdev->io_ref)) {
		vcdrom_no_medium(cmd);
		return false;
	}
	cmd->dh_priv = vdev;
	return true;
}

enum scst_exec_res vcdrom_exec(struct scst_cmd *cmd)
{
	struct vdisk_dev *vdev = vdisk_from_cmd(cmd);
	const struct vcdrom_op *op = vcdrom_find_op(cmd->cdb[0]);

	cmd->dh_priv = NULL;
	if (!op)
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_invalid_opcode));
	else if ((!op->media || vcdrom_get_media(cmd, vdev)) &&
		 op->fn(cmd, vdev))
		return SCST_EXEC_COMPLETED;
	vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
	return SCST_EXEC_COMPLETED;
}

/* For REPORT SUPPORTED OPERATION CODES: exactly what exec() implements */
bool vcdrom_opcode_supported(struct scst_device *dev,
			     const struct scst_cdb_info *info)
{
	return vcdrom_find_op(info->opcode);
}

/*
 * Media changes through the "filename" attribute
 */
static struct vdisk_dev *vcdrom_kobj_vdev(struct kobject *kobj)
{
	return container_of(kobj, struct scst_device, dev_kobj)->dh_priv;
}

/* Open and check an image before anything changes */
static int vcdrom_open_image(struct vdisk_dev *vdev, const char *path,
			     struct file **fdp, loff_t *sizep)
{
	struct file *fd = filp_open(path, O_RDONLY | O_LARGEFILE, 0);
	umode_t mode;
	loff_t size;

	if (IS_ERR(fd)) {
		pr_err("vcdrom: %s: cannot open %s: %ld\n", vdev->name, path,
		       PTR_ERR(fd));
		return PTR_ERR(fd);
	}
	mode = file_inode(fd)->i_mode;
	size = i_size_read(fd->f_mapping->host);
	if ((!S_ISREG(mode) && !S_ISBLK(mode)) ||
	    !(fd->f_mode & FMODE_CAN_READ)) {
		pr_err("vcdrom: %s: %s is not a readable file or block device\n",
		       vdev->name, path);
		goto bad;
	}
	if (!size || size & ((1 << VCDROM_BLOCK_SHIFT) - 1)) {
		pr_err("vcdrom: %s: size %lld of %s is not a positive multiple of %u\n",
		       vdev->name, size, path, 1U << VCDROM_BLOCK_SHIFT);
		goto bad;
	}
	*fdp = fd;
	*sizep = size;
	return 0;
bad:
	filp_close(fd, NULL);
	return -EINVAL;
}

/* Take the medium out once no command reads it; vdev->mutex held */
static void vcdrom_unload(struct vdisk_dev *vdev)
{
	lockdep_assert_held(&vdev->mutex);
	if (!vdev->active)
		return;
	WRITE_ONCE(vdev->active, false);
	reinit_completion(&vdev->io_drained);
	percpu_ref_kill(&vdev->io_ref);
	wait_for_completion(&vdev->io_drained);
	vdev->vt->ops->close(vdev);
	kfree(vdev->filename);
	vdev->filename = NULL;
	vdisk_update_geometry(vdev, 0);
}

/* Insert an opened image (closing the tray); vdev->mutex held */
static void vcdrom_load(struct vdisk_dev *vdev, struct file *fd, loff_t size,
			char *path)
{
	lockdep_assert_held(&vdev->mutex);
	vdev->fd = fd;
	vdev->filename = path;
	vdisk_update_geometry(vdev, size);
	WRITE_ONCE(vdev->ejected, false);
	WRITE_ONCE(vdev->active, true);
	percpu_ref_reinit(&vdev->io_ref);
}

/*
 * Change the medium; path NULL removes it.  The administrator wins over
 * PREVENT MEDIUM REMOVAL: the prevention stops the initiators' own
 * ejects, but a host that must swap an image (or free the file) cannot be
 * blocked by an initiator, and the initiators learn of the change from
 * the unit attention and the media event like after a forced eject.
 */
static int vcdrom_change_media(struct vdisk_dev *vdev, const char *path)
{
	struct file *fd = NULL;
	char *name = NULL;
	loff_t size = 0;
	bool changed;
	int ret;

	if (path) {
		ret = vcdrom_open_image(vdev, path, &fd, &size);
		if (ret)
			return ret;
		name = kstrdup(path, GFP_KERNEL);
		if (!name) {
			filp_close(fd, NULL);
			return -ENOMEM;
		}
	}
	mutex_lock(&vdev->mutex);
	changed = vdev->active || fd;
	vcdrom_unload(vdev);
	if (fd)
		vcdrom_load(vdev, fd, size, name);
	if (changed)
		vcdrom_media_event(vdev, fd ? VCDROM_EV_NEW_MEDIA :
				   VCDROM_EV_MEDIA_REMOVAL);
	mutex_unlock(&vdev->mutex);
	/*
	 * A new medium is a transition to ready (MMC-6 4.1.6.1); a removal
	 * is reported by NOT READY, MEDIUM NOT PRESENT itself.
	 */
	if (fd && vdev->dev)
		scst_dev_queue_ua(vdev->dev, NULL,
				  SCST_LOAD_SENSE(scst_sense_medium_changed_UA));
	if (changed)
		pr_info("vcdrom: %s: medium %s%s\n", vdev->name,
			path ? "changed to " : "removed", path ? path : "");
	return 0;
}

static ssize_t vcdrom_filename_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct vdisk_dev *vdev = vcdrom_kobj_vdev(kobj);
	ssize_t len;

	/* Saved by scstadmin (key) only while a medium is loaded */
	mutex_lock(&vdev->mutex);
	if (vdev->filename)
		len = sysfs_emit(buf, "%s\n%s\n", vdev->filename,
				 SCST_SYSFS_KEY_MARK);
	else
		len = sysfs_emit(buf, "none\n");
	mutex_unlock(&vdev->mutex);
	return len;
}

static ssize_t vcdrom_filename_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct vdisk_dev *vdev = vcdrom_kobj_vdev(kobj);
	char *val, *path;
	int ret;

	if (count >= PATH_MAX)
		return -ENAMETOOLONG;
	val = kstrndup(buf, count, GFP_KERNEL);
	if (!val)
		return -ENOMEM;
	path = strim(val);
	if (!*path || !strcmp(path, "none")) {
		ret = vcdrom_change_media(vdev, NULL);
	} else if (path[0] != '/') {
		pr_err("vcdrom: %s: %s is not an absolute path\n", vdev->name,
		       path);
		ret = -EINVAL;
	} else {
		ret = vcdrom_change_media(vdev, path);
	}
	kfree(val);
	return ret ? ret : count;
}

struct kobj_attribute vcdrom_attr_filename =
	__ATTR(filename, 0644, vcdrom_filename_show, vcdrom_filename_store);
