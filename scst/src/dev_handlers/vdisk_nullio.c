// SPDX-License-Identifier: GPL-2.0
/*
 * The backend without backing store: writes are
 * discarded, reads return zeros.
 */
#include <linux/string.h>
#include <linux/scatterlist.h>

#include "vdisk.h"

static int vdisk_nullio_open(struct vdisk_dev *vdev)
{
	/* vdev->size was set from the size/size_mb parameter */
	return 0;
}

static void vdisk_nullio_close(struct vdisk_dev *vdev)
{
}

static int vdisk_nullio_get_size(struct vdisk_dev *vdev, loff_t *size)
{
	*size = vdev->size;
	return 0;
}

static void vdisk_nullio_rw(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			    bool write, bool sync)
{
	size_t len = vdisk_xfer_len(cmd, vdev);

	/*
	 * The core does not zero LBA read buffers: they may hold old data,
	 * so zero them whatever read_zero says (see vdisk_sysfs.c)
	 */
	if (!write) {
		len = sg_zero_buffer(cmd->sg, cmd->sg_cnt, len, 0);
		scst_set_resp_data_len(cmd, len);
	}
	vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
}

static void vdisk_nullio_flush(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			       loff_t start, loff_t len)
{
	vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
}

static int vdisk_nullio_read_sync(struct vdisk_dev *vdev, loff_t pos,
				  void *buf, size_t len)
{
	memset(buf, 0, len);
	return 0;
}

static int vdisk_nullio_write_sync(struct vdisk_dev *vdev, loff_t pos,
				   const void *buf, size_t len, bool sync)
{
	return 0;
}

static int vdisk_nullio_flush_sync(struct vdisk_dev *vdev)
{
	return 0;
}

static int vdisk_nullio_zero_sync(struct vdisk_dev *vdev, loff_t pos,
				  loff_t len, bool unmap, bool sync)
{
	return 0;
}

const struct vdisk_backend_ops vdisk_nullio_ops = {
	.open		= vdisk_nullio_open,
	.close		= vdisk_nullio_close,
	.get_size	= vdisk_nullio_get_size,
	.rw		= vdisk_nullio_rw,
	.flush		= vdisk_nullio_flush,
	.read_sync	= vdisk_nullio_read_sync,
	.write_sync	= vdisk_nullio_write_sync,
	.flush_sync	= vdisk_nullio_flush_sync,
	.zero_sync	= vdisk_nullio_zero_sync,
};
