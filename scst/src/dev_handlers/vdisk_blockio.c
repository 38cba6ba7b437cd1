// SPDX-License-Identifier: GPL-2.0
/*
 * Block device backend of scst_vdisk.
 *
 * Zero copy: the bios are built straight on the pages of the command's
 * scatterlist.  A command may need several bios; they all point at one
 * struct vdisk_bio_ctx that counts them and remembers the lowest failing
 * sector for the sense INFORMATION field.
 */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/slab.h>
#include <linux/log2.h>
#include <linux/scatterlist.h>

#include "vdisk.h"

struct vdisk_bio_ctx {
	struct scst_cmd *cmd;
	struct vdisk_dev *vdev;
	/* One per bio in flight plus one for the submitter */
	atomic_t pending;
	spinlock_t lock;		/* protects status and err_pos */
	blk_status_t status;
	loff_t err_pos;			/* byte offset of the failed bio */
	size_t len;
	bool write;
};

/* Per bio data, in the front pad of vdisk_bio_set */
struct vdisk_bio {
	loff_t pos;
	struct vdisk_bio_ctx *ctx;
	struct bio bio;
};

static struct bio_set vdisk_bio_set;

static int vdisk_blockio_get_size(struct vdisk_dev *vdev, loff_t *size)
{
	*size = bdev_nr_bytes(vdev->bdev);
	return 0;
}

static int vdisk_blockio_open(struct vdisk_dev *vdev)
{
	unsigned int bs = 1U << vdev->block_shift, pbs;
	struct block_device *bdev;

	vdev->bdev_mode = FMODE_READ | FMODE_EXCL |
			  (vdev->read_only ? 0 : FMODE_WRITE);
	bdev = blkdev_get_by_path(vdev->filename, vdev->bdev_mode, vdev);
	if (IS_ERR(bdev)) {
		pr_err("vdisk: %s: cannot open block device %s: %ld\n",
		       vdev->name, vdev->filename, PTR_ERR(bdev));
		return PTR_ERR(bdev);
	}
	/* A logical block smaller than the device's cannot be written */
	if (bdev_logical_block_size(bdev) > bs) {
		pr_err("vdisk: %s: blocksize %u is smaller than the logical block size %u of %s\n",
		       vdev->name, bs, bdev_logical_block_size(bdev),
		       vdev->filename);
		blkdev_put(bdev, vdev->bdev_mode);
		return -EINVAL;
	}
	vdev->bdev = bdev;
	/*
	 * The default lb_per_pb_exp follows the physical block size of the
	 * bdev, re-read whenever the device is activated; an explicit
	 * lb_per_pb_exp write (VDISK_KEY_LB_PER_PB_EXP) overrides it for
	 * good, also across re-activations, until an empty value restores
	 * this default.
	 */
	pbs = bdev_physical_block_size(bdev);
	vdev->lb_per_pb_exp_dflt = pbs > bs ? ilog2(pbs / bs) : 0;
	if (!test_bit(VDISK_KEY_LB_PER_PB_EXP, vdev->keys)) {
		spin_lock(&vdev->lock);
		vdev->pg.lb_per_pb_exp = vdev->lb_per_pb_exp_dflt;
		spin_unlock(&vdev->lock);
	}
	vdev->pg.unmap = bdev_max_discard_sectors(bdev) > 0;
	return vdisk_blockio_get_size(vdev, &vdev->size);
}

static void vdisk_blockio_close(struct vdisk_dev *vdev)
{
	if (vdev->bdev) {
		blkdev_put(vdev->bdev, vdev->bdev_mode);
		vdev->bdev = NULL;
	}
}

static void vdisk_bio_ctx_finish(struct vdisk_bio_ctx *ctx,
				 enum scst_exec_context ec)
{
	struct scst_cmd *cmd = ctx->cmd;

	if (ctx->status)
		vdisk_set_io_error(cmd, blk_status_to_errno(ctx->status),
				   ctx->write,
				   ctx->err_pos >> ctx->vdev->block_shift);
	else if (!ctx->write)
		scst_set_resp_data_len(cmd, ctx->len);
	kfree(ctx);
	vdisk_cmd_done(cmd, ec);
}

static void vdisk_bio_ctx_put(struct vdisk_bio_ctx *ctx,
			      enum scst_exec_context ec)
{
	if (atomic_dec_and_test(&ctx->pending))
		vdisk_bio_ctx_finish(ctx, ec);
}

/* Remember the failure at the lowest offset */
static void vdisk_bio_ctx_fail(struct vdisk_bio_ctx *ctx, blk_status_t status,
			       loff_t pos)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	if (!ctx->status || pos < ctx->err_pos) {
		ctx->status = status;
		ctx->err_pos = pos;
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/* Runs in interrupt or softirq context */
static void vdisk_bio_end_io(struct bio *bio)
{
	struct vdisk_bio *vb = container_of(bio, struct vdisk_bio, bio);
	struct vdisk_bio_ctx *ctx = vb->ctx;

	if (bio->bi_status)
		vdisk_bio_ctx_fail(ctx, bio->bi_status, vb->pos);
	bio_put(bio);
	vdisk_bio_ctx_put(ctx, SCST_CONTEXT_THREAD);
}

static struct vdisk_bio_ctx *vdisk_bio_ctx_alloc(struct scst_cmd *cmd,
						 struct vdisk_dev *vdev,
						 bool write)
{
	struct vdisk_bio_ctx *ctx = kzalloc(sizeof(*ctx), GFP_NOIO);

	if (!ctx) {
		scst_set_busy(cmd);
		vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
		return NULL;
	}
	ctx->cmd = cmd;
	ctx->vdev = vdev;
	ctx->write = write;
	spin_lock_init(&ctx->lock);
	atomic_set(&ctx->pending, 1);
	return ctx;
}

static struct bio *vdisk_bio_alloc(struct vdisk_bio_ctx *ctx,
				   unsigned short nr_vecs, blk_opf_t opf,
				   loff_t pos)
{
	struct bio *bio;
	struct vdisk_bio *vb;

	/* GFP_NOIO from the bioset mempool cannot fail */
	bio = bio_alloc_bioset(ctx->vdev->bdev, nr_vecs, opf, GFP_NOIO,
			       &vdisk_bio_set);
	vb = container_of(bio, struct vdisk_bio, bio);
	vb->pos = pos;
	vb->ctx = ctx;
	bio->bi_iter.bi_sector = pos >> SECTOR_SHIFT;
	bio->bi_end_io = vdisk_bio_end_io;
	bio->bi_private = ctx;
	return bio;
}

static void vdisk_bio_submit(struct vdisk_bio_ctx *ctx, struct bio *bio)
{
	atomic_inc(&ctx->pending);
	submit_bio(bio);
}

/* Bytes the sg entries cover, capped at len */
static size_t vdisk_sg_bytes(struct scst_cmd *cmd, size_t len)
{
	struct scatterlist *sg;
	size_t total = 0;
	int i;

	for_each_sg(cmd->sg, sg, cmd->sg_cnt, i)
		total += sg->length;
	return min(total, len);
}

static void vdisk_blockio_map(struct vdisk_bio_ctx *ctx, blk_opf_t opf,
			      loff_t pos)
{
	struct scst_cmd *cmd = ctx->cmd;
	size_t left = ctx->len;
	struct scatterlist *sg;
	struct bio *bio = NULL;
	unsigned short nr_vecs;
	int i;

	for_each_sg(cmd->sg, sg, cmd->sg_cnt, i) {
		unsigned int l = min_t(size_t, sg->length, left);

		if (!l)
			break;
		if (bio && bio_add_page(bio, sg_page(sg), l, sg->offset) == l)
			goto added;
		/* Full (or none yet): start the next bio */
		if (bio)
			vdisk_bio_submit(ctx, bio);
		nr_vecs = min_t(int, cmd->sg_cnt - i, BIO_MAX_VECS);
		bio = vdisk_bio_alloc(ctx, nr_vecs, opf, pos);
		/* An empty bio takes any single segment; be safe anyway */
		if (bio_add_page(bio, sg_page(sg), l, sg->offset) != l) {
			bio_put(bio);
			bio = NULL;
			vdisk_bio_ctx_fail(ctx, BLK_STS_IOERR, pos);
			break;
		}
added:
		pos += l;
		left -= l;
	}
	if (bio)
		vdisk_bio_submit(ctx, bio);
}

static void vdisk_blockio_rw(struct scst_cmd *cmd, struct vdisk_dev *vdev,
			     bool write, bool sync)
{
	size_t len = vdisk_xfer_len(cmd, vdev);
	blk_opf_t opf = write ? REQ_OP_WRITE : REQ_OP_READ;
	struct vdisk_bio_ctx *ctx;
	struct blk_plug plug;

	if (vdisk_sg_bytes(cmd, len) != len) {
		/* Never let the device run past the buffer */
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_internal_failure));
		vdisk_cmd_done(cmd, SCST_CONTEXT_DIRECT);
		return;
	}
	ctx = vdisk_bio_ctx_alloc(cmd, vdev, write);
	if (!ctx)
		return;
	ctx->len = len;
	if (sync)
		opf |= REQ_FUA | REQ_SYNC;
	blk_start_plug(&plug);
	vdisk_blockio_map(ctx, opf, vdisk_pos(vdev, cmd->lba));
	blk_finish_plug(&plug);
	vdisk_bio_ctx_put(ctx, SCST_CONTEXT_DIRECT);
}

/* An empty preflush bio: the block layer drops it if there is no cache */
static void vdisk_blockio_flush(struct scst_cmd *cmd, struct vdisk_dev *vdev,
				loff_t start, loff_t len)
{
	struct vdisk_bio_ctx *ctx = vdisk_bio_ctx_alloc(cmd, vdev, true);

	if (!ctx)
		return;
	vdisk_bio_submit(ctx, vdisk_bio_alloc(ctx, 0, REQ_OP_WRITE |
					      REQ_PREFLUSH | REQ_SYNC, start));
	vdisk_bio_ctx_put(ctx, SCST_CONTEXT_DIRECT);
}

static int vdisk_blockio_flush_sync(struct vdisk_dev *vdev)
{
	return blkdev_issue_flush(vdev->bdev);
}

/* buf must be physically contiguous (from __get_free_pages()) */
static int vdisk_blockio_sync_io(struct vdisk_dev *vdev, blk_opf_t opf,
				 loff_t pos, void *buf, size_t len)
{
	unsigned int nr = DIV_ROUND_UP(len, PAGE_SIZE);
	struct bio *bio;
	size_t off;
	int ret;

	bio = bio_alloc(vdev->bdev, nr, opf, GFP_KERNEL);
	bio->bi_iter.bi_sector = pos >> SECTOR_SHIFT;
	for (off = 0; off < len; off += PAGE_SIZE)
		bio_add_page(bio, virt_to_page(buf + off),
			     min_t(size_t, PAGE_SIZE, len - off), 0);
	ret = submit_bio_wait(bio);
	bio_put(bio);
	return ret;
}

static int vdisk_blockio_read_sync(struct vdisk_dev *vdev, loff_t pos,
				   void *buf, size_t len)
{
	return vdisk_blockio_sync_io(vdev, REQ_OP_READ, pos, buf, len);
}

static int vdisk_blockio_write_sync(struct vdisk_dev *vdev, loff_t pos,
				    const void *buf, size_t len, bool sync)
{
	blk_opf_t opf = REQ_OP_WRITE | REQ_SYNC | (sync ? REQ_FUA : 0);

	/* the bio only reads from buf */
	return vdisk_blockio_sync_io(vdev, opf, pos, (void *)buf, len);
}

static int vdisk_blockio_unmap_sync(struct vdisk_dev *vdev, loff_t pos,
				    loff_t len)
{
	return blkdev_issue_discard(vdev->bdev, pos >> SECTOR_SHIFT,
				    len >> SECTOR_SHIFT, GFP_KERNEL);
}

/*
 * WRITE ZEROES when the device has it (deallocating if allowed and the
 * device then reads zeros), else the block layer writes zero pages.
 */
static int vdisk_blockio_zero_sync(struct vdisk_dev *vdev, loff_t pos,
				   loff_t len, bool unmap, bool sync)
{
	int ret;

	ret = blkdev_issue_zeroout(vdev->bdev, pos >> SECTOR_SHIFT,
				   len >> SECTOR_SHIFT, GFP_KERNEL,
				   unmap ? 0 : BLKDEV_ZERO_NOUNMAP);
	if (ret || !sync)
		return ret;
	return blkdev_issue_flush(vdev->bdev);
}

const struct vdisk_backend_ops vdisk_blockio_ops = {
	.open		= vdisk_blockio_open,
	.close		= vdisk_blockio_close,
	.get_size	= vdisk_blockio_get_size,
	.rw		= vdisk_blockio_rw,
	.flush		= vdisk_blockio_flush,
	.read_sync	= vdisk_blockio_read_sync,
	.write_sync	= vdisk_blockio_write_sync,
	.flush_sync	= vdisk_blockio_flush_sync,
	.unmap_sync	= vdisk_blockio_unmap_sync,
	.zero_sync	= vdisk_blockio_zero_sync,
};

int vdisk_blockio_init(void)
{
	return bioset_init(&vdisk_bio_set, BIO_POOL_SIZE,
			   offsetof(struct vdisk_bio, bio), BIOSET_NEED_BVECS);
}

void vdisk_blockio_exit(void)
{
	bioset_exit(&vdisk_bio_set);
}
