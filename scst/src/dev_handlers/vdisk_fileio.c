// SPDX-License-Identifier: GPL-2.0
/*
 * File backend of scst_vdisk: a regular file or a block
 * device opened with filp_open().
 *
 * I/O goes through a kiocb on a bio_vec iterator built straight from the
 * command's scatterlist.  With async=1 the kiocb gets a completion callback:
 * file systems that can (O_DIRECT on most of them) then return
 * -EIOCBQUEUED and complete later, so the SCST thread does not wait; the
 * others complete in the call like the synchronous path.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/uio.h>
#include <linux/bvec.h>
#include <linux/slab.h>
#include <linux/falloc.h>
#include <linux/fadvise.h>
#include <linux/scatterlist.h>

#include "vdisk.h"

struct vdisk_fio_req {
	struct kiocb iocb;
	struct scst_cmd *cmd;
	struct vdisk_dev *vdev;
	/* The submitter and the completion both drop one reference */
	atomic_t ref;
	long ret;
	size_t len;
	bool write;
	unsigned int nr_bvec;
	struct bio_vec bvec[];
};

static int vdisk_fileio_get_size(struct vdisk_dev *vdev, loff_t *size)
{
	/* f_mapping->host is the bdev inode for block device files too */
	*size = i_size_read(vdev->fd->f_mapping->host);
	return 0;
}

static int vdisk_fileio_open(struct vdisk_dev *vdev)
{
	int flags = O_LARGEFILE | (vdev->read_only ? O_RDONLY : O_RDWR);
	struct file *fd;
	umode_t mode;

	if (vdev->o_direct)
		flags |= O_DIRECT;
	fd = filp_open(vdev->filename, flags, 0600);
	if (IS_ERR(fd)) {
		pr_err("vdisk: %s: cannot open %s: %ld\n", vdev->name,
		       vdev->filename, PTR_ERR(fd));
		return PTR_ERR(fd);
	}
	mode = file_inode(fd)->i_mode;
	if (!S_ISREG(mode) && !S_ISBLK(mode)) {
		pr_err("vdisk: %s: %s is not a regular file or block device\n",
		       vdev->name, vdev->filename);
		filp_close(fd, NULL);
		return -EINVAL;
	}
	if (!(fd->f_mode & FMODE_CAN_READ) ||
	    (!vdev->read_only && !(fd->f_mode & FMODE_CAN_WRITE))) {
		pr_err("vdisk: %s: %s does not support read/write\n",
		       vdev->name, vdev->filename);
		filp_close(fd, NULL);
		return -EINVAL;
	}
	vdev->fd = fd;
	/* Hole punching (or nothing, see unmap_sync) implements UNMAP */
	vdev->pg.unmap = true;
	return vdisk_fileio_get_size(vdev, &vdev->size);
}

static void vdisk_fileio_close(struct vdisk_dev *vdev)
{
	if (vdev->fd) {
		filp_close(vdev->fd, NULL);
		vdev->fd = NULL;
	}
}

/*
 * Fill bvec[] from the command's sg, limited to len bytes.  Returns the
 * number of bytes the entries cover, less than len only if the buffer is
 * shorter than the transfer.
 */
static size_t vdisk_fill_bvec(struct scst_cmd *cmd, struct bio_vec *bv,
			      unsigned int *nr, size_t len)
{
	struct scatterlist *sg;
	size_t total = 0;
	unsigned int n = 0;
	int i;

	for_each_sg(cmd->sg, sg, cmd->sg_cnt, i) {
		size_t l = min_t(size_t, sg->length, len - total);

		if (!l)
			break;
		bv[n].bv_page = sg_page(sg);
		bv[n].bv_offset = sg->offset;
		bv[n].bv_len = l;
		n++;
		total += l;
	}
	*nr = n;
	return total;
}

static void vdisk_fio_finish(struct vdisk_fio_req *req,
			     enum scst_exec_context ctx)
{
	struct scst_cmd *cmd = req->cmd;
	long ret = req->ret;

	if (ret >= 0 && (size_t)ret == req->len) {
		if (!req->write)
			scst_set_resp_data_len(cmd, ret);
	} else {
		/* A short transfer means the file shrank under us */
		int err = ret < 0 ? ret : -EIO;
		u64 lba = cmd->lba;

		if (ret > 0)
			lba += ret >> req->vdev->block_shift;
		vdisk_set_io_error(cmd, err, req->write, lba);
	}
	kfree(req);
	vdisk_cmd_done(cmd, ctx);
}

static void vdisk_fio_put(struct vdisk_fio_req *req,
			  enum scst_exec_context ctx)
{
	if (atomic_dec_and_test(&req->ref))
		vdisk_fio_finish(req, ctx);
}

/* ki_complete: may run in interrupt context */
static void vdisk_fio_complete(struct kiocb *iocb, long ret)
{
	struct vdisk_fio_req *req = container_of(iocb, struct vdisk_fio_req,
						 iocb);

	req->ret = ret;
	vdisk_fio_put(req, SCST_CONTEXT_THREAD);
}

static ssize_t vdisk_fio_submit(struct vdisk_fio_req *req,
				struct iov_iter *iter)
{
	struct file *fd = req->vdev->fd;
	ssize_t ret;

	if (!req->write)
		return vfs_iocb_iter_read(fd, &req->iocb, iter);
	/* Freeze protection for the submission, as for any writer */
	if (S_ISREG(file_inode(fd)->i_mode))
		file_start_write(fd);
	ret = vfs_iocb_iter_write(fd, &req->iocb, iter);
	if (S_ISREG(file_inode(fd)->i_mode))
		file_end_write(fd);
	return ret;
}

/* Synchronous path: loop over short transfers */
static void vdisk_fio_sync(struct vdisk_fio_req *req, struct iov_iter *iter)
{
	ssize_t ret;

	req->ret = 0;
	while (iov_iter_count(iter)) {
		ret = vdisk_fio_submit(req, iter);
		if (ret <= 0) {
			if (ret < 0 || !req->ret)
				req->ret = ret ? ret : -EIO;
			break;
		}
		req->ret += ret;
	}
}

static void vdisk_fileio_rw(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			    bool write, bool sync)
{
	size_t len = vdisk_xfer_len(cmd, vdev);
	struct vdisk_fio_req *req;
	struct iov_iter iter;
	ssize_t ret;

	req = kmalloc(struct_size(req, bvec, cmd->sg_cnt), GFP_KERNEL);
	if (!req) {
		scst_set_busy(cmd);
		vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
		return;
	}
	req->cmd = cmd;
	req->vdev = vdev;
	req->write = write;
	req->len = vdisk_fill_bvec(cmd, req->bvec, &req->nr_bvec, len);
	if (req->len != len) {
		/* Never let the file system run past the buffer */
		kfree(req);
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_internal_failure));
		vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
		return;
	}
	iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, req->bvec,
		      req->nr_bvec, len);

	init_sync_kiocb(&req->iocb, vdev->fd);
	req->iocb.ki_pos = vdisk_pos(vdev, cmd->lba);
	if (sync)
		req->iocb.ki_flags |= IOCB_DSYNC;

	if (!vdev->async) {
		vdisk_fio_sync(req, &iter);
		vdisk_fio_finish(req, SCST_CONTEXT_DIRECT);
		return;
	}
	req->iocb.ki_complete = vdisk_fio_complete;
	atomic_set(&req->ref, 2);
	ret = vdisk_fio_submit(req, &iter);
	if (ret != -EIOCBQUEUED)
		req->ret = ret;
	vdisk_fio_put(req, SCST_CONTEXT_DIRECT);
}

static int vdisk_fileio_flush_range(struct vdisk_dev *vdev, loff_t start,
				    loff_t len)
{
	loff_t end = len ? start + len - 1 : LLONG_MAX;

	return vfs_fsync_range(vdev->fd, start, end, 1);
}

static void vdisk_fileio_flush(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			       loff_t start, loff_t len)
{
	int ret = vdisk_fileio_flush_range(vdev, start, len);

	if (ret)
		vdisk_set_io_error(cmd, ret, true, start >> vdev->block_shift);
	vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
}

static int vdisk_fileio_flush_sync(struct vdisk_dev *vdev)
{
	return vdisk_fileio_flush_range(vdev, 0, 0);
}

static int vdisk_fileio_read_sync(struct vdisk_dev *vdev, loff_t pos,
				  void *buf, size_t len)
{
	ssize_t ret;

	while (len) {
		ret = kernel_read(vdev->fd, buf, len, &pos);
		if (ret <= 0)
			return ret ? ret : -EIO;
		buf += ret;
		len -= ret;
	}
	return 0;
}

static int vdisk_fileio_write_sync(struct vdisk_dev *vdev, loff_t pos,
				   const void *buf, size_t len, bool sync)
{
	loff_t start = pos;
	size_t total = len;
	ssize_t ret;

	while (len) {
		ret = kernel_write(vdev->fd, buf, len, &pos);
		if (ret <= 0)
			return ret ? ret : -EIO;
		buf += ret;
		len -= ret;
	}
	return sync ? vdisk_fileio_flush_range(vdev, start, total) : 0;
}

static int vdisk_fileio_unmap_sync(struct vdisk_dev *vdev, loff_t pos,
				   loff_t len)
{
	int ret;

	ret = vfs_fallocate(vdev->fd, FALLOC_FL_PUNCH_HOLE |
			    FALLOC_FL_KEEP_SIZE, pos, len);
	/*
	 * UNMAP is advisory: a file system without hole punching keeps
	 * the blocks allocated, which LBPRZ=0 allows.
	 */
	if (ret == -EOPNOTSUPP)
		ret = 0;
	return ret;
}

static int vdisk_fileio_zero_sync(struct vdisk_dev *vdev, loff_t pos,
				  loff_t len, bool unmap, bool sync)
{
	int mode = FALLOC_FL_KEEP_SIZE |
		   (unmap ? FALLOC_FL_PUNCH_HOLE : FALLOC_FL_ZERO_RANGE);
	int ret;

	/* A hole or an unwritten extent reads as zeros */
	ret = vfs_fallocate(vdev->fd, mode, pos, len);
	if (ret)
		return ret;
	return sync ? vdisk_fileio_flush_range(vdev, pos, len) : 0;
}

/*
 * Holes of a sparse file are the deallocated blocks.  A file system (or
 * block device) without SEEK_DATA support reports everything as data.
 */
static void vdisk_fileio_map_status(struct vdisk_dev *vdev, loff_t pos,
				    loff_t end, bool *mapped, loff_t *next)
{
	loff_t data, hole;

	*mapped = true;
	*next = end;
	data = vfs_llseek(vdev->fd, pos, SEEK_DATA);
	if (data == -ENXIO) {
		*mapped = false;		/* a hole up to the end */
		return;
	}
	if (data < 0)
		return;
	if (data > pos) {
		*mapped = false;
		*next = min(data, end);
		return;
	}
	hole = vfs_llseek(vdev->fd, pos, SEEK_HOLE);
	if (hole > pos)
		*next = min(hole, end);
}

static void vdisk_fileio_prefetch(struct vdisk_dev *vdev, loff_t pos,
				  loff_t len)
{
	/* Asynchronous readahead into the page cache; a hint only */
	vfs_fadvise(vdev->fd, pos, len, POSIX_FADV_WILLNEED);
}

const struct vdisk_backend_ops vdisk_fileio_ops = {
	.open		= vdisk_fileio_open,
	.close		= vdisk_fileio_close,
	.get_size	= vdisk_fileio_get_size,
	.rw		= vdisk_fileio_rw,
	.flush		= vdisk_fileio_flush,
	.read_sync	= vdisk_fileio_read_sync,
	.write_sync	= vdisk_fileio_write_sync,
	.flush_sync	= vdisk_fileio_flush_sync,
	.unmap_sync	= vdisk_fileio_unmap_sync,
	.zero_sync	= vdisk_fileio_zero_sync,
	.map_status	= vdisk_fileio_map_status,
	.prefetch	= vdisk_fileio_prefetch,
};
