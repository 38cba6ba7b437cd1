// SPDX-License-Identifier: GPL-2.0
/*
 * scst_local.c - local loopback target driver.
 *
 * Every session of a scst_local target is presented to this very kernel as a
 * SCSI host (a Linux SCSI midlayer low level driver), so the LUNs that SCST
 * exports to that session show up as ordinary /dev/sdX and /dev/sgN devices.
 *
 * Data movement: the core allocates its own data buffer for every command
 * and this driver copies between it and the midlayer's scatterlist, WRITE
 * data in rdy_to_xfer() and READ data in xmit_response().  Both copies work
 * in atomic context.
 *
 * Ownership of a scsi_cmnd: while the core processes a command, the
 * scst_cmd and the scsi_cmnd point at each other (cmd->tgt_priv and the
 * scsi_cmnd's private data).  Both links are changed only under sess->lock,
 * and whoever breaks them first owns the scsi_cmnd: xmit_response() to
 * complete it, or an error handler to hand it back to the midlayer.  A
 * detached scst_cmd never touches its former scsi_cmnd again.  Every access
 * to a scsi_cmnd's data buffer or its completion happens inside an RCU read
 * side critical section, and the error handlers call synchronize_rcu()
 * after detaching, so once they return the midlayer may reuse the command.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/blk-mq.h>
#include <linux/device.h>
#include <linux/sysfs.h>

#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>

#include "scst.h"

#define SCST_LOCAL_NAME		"scst_local"
#define SCST_LOCAL_VERSION	"0.1.0"
#define SCST_LOCAL_DEF_TGT	"scst_local_tgt"
#define SCST_LOCAL_DEF_SESS	"scst_local_host"

/* How long an error handler waits for the core to finish a TM function */
#define SCST_LOCAL_TM_TIMEOUT	(60 * HZ)

/*
 * Linux numbers a flat space addressed LUN N (SAM-5, used by SCST for LUNs
 * from 256 to SCST_MAX_LUN) as 0x4000 | N, so the highest LUN the
 * midlayer must accept is 0x7fff.
 */
#define SCST_LOCAL_MAX_LUN	0x7fff

/* SAS address of session n: NAA 5, locally administered OUI 02-00-00 */
#define SCST_LOCAL_SAS_ADDR	0x5020000000000000ULL
#define SCST_LOCAL_TID_LEN	24	/* SAS TransportID (SPC-4) */

static bool add_default_tgt = true;
module_param(add_default_tgt, bool, 0444);
MODULE_PARM_DESC(add_default_tgt,
		 "Create target " SCST_LOCAL_DEF_TGT " with session "
		 SCST_LOCAL_DEF_SESS " at load time (default: true)");

struct scst_local_tgt {
	struct scst_tgt *scst_tgt;
	struct list_head sess_list;	/* under scst_local_mutex */
	struct list_head tgt_entry;	/* in scst_local_tgts */
};

struct scst_local_sess {
	struct scst_local_tgt *tgt;
	struct scst_session *scst_sess;
	struct Scsi_Host *shost;
	struct list_head sess_entry;	/* in tgt->sess_list */
	unsigned int number;

	/*
	 * Protects the scst_cmd <-> scsi_cmnd links of all commands of this
	 * session, and rescan_allowed.  Taken from any context, up to hard
	 * IRQ (xmit_response() may run in a bio completion).
	 */
	spinlock_t lock;
	bool rescan_allowed;
	struct work_struct rescan_work;

	bool host_link;			/* sessions/<s>/host exists */
	unsigned long flags;
#define SCST_LOCAL_SESS_CLOSE	0	/* close_session() requested */
};

/* Per scsi_cmnd private data (host template cmd_size) */
struct scst_local_cmd_priv {
	struct scst_cmd *scst_cmd;	/* under sess->lock; NULL: detached */
};

/* A task management function an error handler waits for */
struct scst_local_tm {
	struct completion done;
	refcount_t ref;		/* the waiter and task_mgmt_fn_done() */
	int status;
};

static LIST_HEAD(scst_local_tgts);
static DEFINE_MUTEX(scst_local_mutex);
static bool scst_local_exiting;		/* under scst_local_mutex */
static struct device *scst_local_root;
static atomic_t scst_local_sess_nr = ATOMIC_INIT(0);

static atomic_t scst_local_nr_aborts = ATOMIC_INIT(0);
static atomic_t scst_local_nr_dev_resets = ATOMIC_INIT(0);
static atomic_t scst_local_nr_tgt_resets = ATOMIC_INIT(0);
static atomic_t scst_local_nr_host_resets = ATOMIC_INIT(0);

static void scst_local_close_work_fn(struct work_struct *work);
static DECLARE_WORK(scst_local_close_work, scst_local_close_work_fn);

static struct scst_tgt_template scst_local_tgtt;

static struct scst_local_sess *shost_to_sess(struct Scsi_Host *shost)
{
	return *(struct scst_local_sess **)shost_priv(shost);
}

static struct scst_local_cmd_priv *sc_priv(struct scsi_cmnd *sc)
{
	return scsi_cmd_priv(sc);
}

/* ------------------------------------------------------------------
 * Data movement
 */

/* A position in a scatterlist that is being filled */
struct scst_local_sg_pos {
	struct scatterlist *sg;
	unsigned int nents;		/* entries left, including sg */
	unsigned int off;		/* offset in sg */
};

static void scst_local_sg_pos_advance(struct scst_local_sg_pos *pos)
{
	pos->off = 0;
	pos->nents--;
	pos->sg = pos->nents ? sg_next(pos->sg) : NULL;
}

/*
 * Copy len bytes from buf to pos, one page at a time (an entry may span
 * several pages).  Returns the number of bytes copied, less than len only
 * at the end of the list.
 */
static size_t scst_local_buf_to_sg(struct scst_local_sg_pos *pos,
				   const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len && pos->sg) {
		size_t at = pos->sg->offset + pos->off;
		struct page *page = nth_page(sg_page(pos->sg), at >> PAGE_SHIFT);
		size_t n = min3(len - done, (size_t)(pos->sg->length - pos->off),
				PAGE_SIZE - offset_in_page(at));

		memcpy_to_page(page, offset_in_page(at), buf + done, n);
		done += n;
		pos->off += n;
		if (pos->off >= pos->sg->length)
			scst_local_sg_pos_advance(pos);
	}
	return done;
}

/*
 * Copy up to len bytes between two scatterlists; returns the number of
 * bytes copied.  Usable in any context: the source is mapped by an atomic
 * sg_miter and each destination page by kmap_local_page() nested inside
 * that mapping, so the mappings are released in reverse order.
 */
static size_t scst_local_sg_copy(struct scatterlist *dst,
				 unsigned int dst_nents,
				 struct scatterlist *src,
				 unsigned int src_nents, size_t len)
{
	struct scst_local_sg_pos pos = { .sg = dst, .nents = dst_nents };
	struct sg_mapping_iter miter;
	size_t copied = 0;

	if (!dst || !dst_nents || !src || !src_nents)
		return 0;

	sg_miter_start(&miter, src, src_nents,
		       SG_MITER_ATOMIC | SG_MITER_FROM_SG);
	while (copied < len && pos.sg && sg_miter_next(&miter)) {
		size_t n = min(miter.length, len - copied);

		n = scst_local_buf_to_sg(&pos, miter.addr, n);
		copied += n;
		if (n < miter.length)
			break;
	}
	sg_miter_stop(&miter);
	return copied;
}

/* ------------------------------------------------------------------
 * scst_cmd <-> scsi_cmnd links
 */

/*
 * Link a new scst_cmd and sc.  Under the lock so that an error handler that
 * sees the link also sees that sc is no longer SCMD_STATE_COMPLETE (the
 * midlayer clears that bit before calling queuecommand()).
 */
static void scst_local_attach(struct scst_local_sess *sess,
			      struct scst_cmd *cmd, struct scsi_cmnd *sc)
{
	struct scst_local_cmd_priv *priv = sc_priv(sc);
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	/*
	 * The error handler resends its own commands through a scsi_cmnd it
	 * owns and has normally detached it first; if not, never let two
	 * scst_cmds point at one scsi_cmnd.
	 */
	if (unlikely(priv->scst_cmd))
		scst_cmd_set_tgt_priv(priv->scst_cmd, NULL);
	priv->scst_cmd = cmd;
	scst_cmd_set_tgt_priv(cmd, sc);
	spin_unlock_irqrestore(&sess->lock, flags);
}

/*
 * Called by the core side: take the scsi_cmnd away from cmd.  Returns NULL
 * if an error handler already took it back.  Caller holds rcu_read_lock()
 * for as long as it uses the returned scsi_cmnd.
 */
static struct scsi_cmnd *scst_local_detach_cmd(struct scst_cmd *cmd)
{
	struct scst_local_sess *sess = scst_sess_get_tgt_priv(cmd->sess);
	struct scsi_cmnd *sc;
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	sc = scst_cmd_get_tgt_priv(cmd);
	if (sc) {
		sc_priv(sc)->scst_cmd = NULL;
		scst_cmd_set_tgt_priv(cmd, NULL);
	}
	spin_unlock_irqrestore(&sess->lock, flags);
	return sc;
}

/* As above, without detaching (rdy_to_xfer() needs the link afterwards) */
static struct scsi_cmnd *scst_local_peek_cmd(struct scst_cmd *cmd)
{
	struct scst_local_sess *sess = scst_sess_get_tgt_priv(cmd->sess);
	struct scsi_cmnd *sc;
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	sc = scst_cmd_get_tgt_priv(cmd);
	spin_unlock_irqrestore(&sess->lock, flags);
	return sc;
}

/*
 * Called by the midlayer side: take sc away from its scst_cmd, if any (and,
 * if timed_out_only, only if sc timed out).  The caller must
 * synchronize_rcu() before letting the midlayer reuse sc.
 */
static void scst_local_detach_sc(struct scst_local_sess *sess,
				 struct scsi_cmnd *sc, bool timed_out_only)
{
	struct scst_local_cmd_priv *priv = sc_priv(sc);
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	if (priv->scst_cmd && (!timed_out_only ||
			       test_bit(SCMD_STATE_COMPLETE, &sc->state))) {
		scst_cmd_set_tgt_priv(priv->scst_cmd, NULL);
		priv->scst_cmd = NULL;
	}
	spin_unlock_irqrestore(&sess->lock, flags);
}

static bool scst_local_sc_attached(struct scst_local_sess *sess,
				   struct scsi_cmnd *sc)
{
	unsigned long flags;
	bool res;

	spin_lock_irqsave(&sess->lock, flags);
	res = sc_priv(sc)->scst_cmd;
	spin_unlock_irqrestore(&sess->lock, flags);
	return res;
}

/* ------------------------------------------------------------------
 * Target driver callbacks (core -> driver)
 */

/* WRITE data of sc into the core's buffer; returns an SCST_RX_STATUS_* */
static int scst_local_fetch_data(struct scst_cmd *cmd, struct scsi_cmnd *sc)
{
	unsigned int have = sc->sc_data_direction == DMA_TO_DEVICE ?
			    scsi_bufflen(sc) : 0;

	if (unlikely(have < cmd->bufflen)) {
		pr_warn_ratelimited("%s: %u bytes of WRITE data needed, the initiator has %u\n",
				    dev_name(&sc->device->sdev_gendev),
				    cmd->bufflen, have);
		return SCST_RX_STATUS_ERROR;
	}
	if (scst_local_sg_copy(cmd->sg, cmd->sg_cnt, scsi_sglist(sc),
			       scsi_sg_count(sc), cmd->bufflen) != cmd->bufflen)
		return SCST_RX_STATUS_ERROR;
	return SCST_RX_STATUS_SUCCESS;
}

static int scst_local_rdy_to_xfer(struct scst_cmd *cmd)
{
	int status = SCST_RX_STATUS_ERROR;
	struct scsi_cmnd *sc;

	rcu_read_lock();
	/* NULL: the error handler took sc back, the core aborts cmd anyway */
	sc = scst_local_peek_cmd(cmd);
	if (sc)
		status = scst_local_fetch_data(cmd, sc);
	rcu_read_unlock();

	/* Our caller may be atomic; the core moves on to a thread if needed */
	scst_rx_data(cmd, status, SCST_CONTEXT_DIRECT_ATOMIC);
	return SCST_TGT_RES_SUCCESS;
}

/* Status, sense, residual and READ data of cmd into sc */
static void scst_local_set_response(struct scst_cmd *cmd,
				    struct scsi_cmnd *sc)
{
	unsigned int bufflen = scsi_bufflen(sc);
	int resid, bidi_resid;
	size_t len;

	if (sc->sc_data_direction == DMA_FROM_DEVICE) {
		len = scst_local_sg_copy(scsi_sglist(sc), scsi_sg_count(sc),
					 cmd->sg, cmd->sg_cnt,
					 min(cmd->resp_data_len, bufflen));
		scsi_set_resid(sc, bufflen - len);
	} else if (scst_get_resid(cmd, &resid, &bidi_resid) && resid > 0) {
		/* WRITE underflow; Linux cannot express an overflow */
		scsi_set_resid(sc, min_t(unsigned int, resid, bufflen));
	}

	if (cmd->sense && cmd->sense_valid_len)
		memcpy(sc->sense_buffer, cmd->sense,
		       min_t(unsigned int, cmd->sense_valid_len,
			     SCSI_SENSE_BUFFERSIZE));
	sc->result = (cmd->host_status << 16) | cmd->status;
}

static int scst_local_xmit_response(struct scst_cmd *cmd)
{
	struct scsi_cmnd *sc;

	rcu_read_lock();
	sc = scst_local_detach_cmd(cmd);
	if (sc) {
		/*
		 * Aborted by a task management function (a reset from this or
		 * another initiator) while the midlayer still waits for it:
		 * DID_RESET makes the midlayer retry block I/O.
		 */
		if (unlikely(scst_cmd_aborted_on_xmit(cmd)))
			sc->result = DID_RESET << 16;
		else
			scst_local_set_response(cmd, sc);
		scsi_done(sc);
	}
	rcu_read_unlock();

	scst_tgt_cmd_done(cmd, SCST_CONTEXT_DIRECT_ATOMIC);
	return SCST_TGT_RES_SUCCESS;
}

static void scst_local_tm_put(struct scst_local_tm *tm)
{
	if (refcount_dec_and_test(&tm->ref))
		kfree(tm);
}

static void scst_local_task_mgmt_fn_done(struct scst_mgmt_cmd *mcmd)
{
	struct scst_local_tm *tm = scst_mgmt_cmd_get_tgt_priv(mcmd);

	tm->status = scst_mgmt_cmd_get_status(mcmd);
	complete(&tm->done);
	scst_local_tm_put(tm);
}

static int scst_local_release(struct scst_tgt *scst_tgt)
{
	/* struct scst_local_tgt is freed by whoever unregistered the target */
	return 0;
}

static void scst_local_luns_changed(struct scst_session *scst_sess)
{
	struct scst_local_sess *sess = scst_sess_get_tgt_priv(scst_sess);
	unsigned long flags;

	spin_lock_irqsave(&sess->lock, flags);
	if (sess->rescan_allowed)
		queue_work(system_long_wq, &sess->rescan_work);
	spin_unlock_irqrestore(&sess->lock, flags);
}

static int scst_local_close_session(struct scst_session *scst_sess)
{
	struct scst_local_sess *sess = scst_sess_get_tgt_priv(scst_sess);

	/* Removing the host sleeps and deletes this session's sysfs dir */
	set_bit(SCST_LOCAL_SESS_CLOSE, &sess->flags);
	queue_work(system_long_wq, &scst_local_close_work);
	return 0;
}

/*
 * SAS TransportID (SPC-4 7.6.4.7).  Without a session, the protocol
 * identifier is returned, as the classic driver interface does.
 */
static int scst_local_get_transport_id(struct scst_tgt *scst_tgt,
				       struct scst_session *scst_sess,
				       uint8_t **transport_id)
{
	struct scst_local_sess *sess;
	u8 *tid;

	if (!scst_sess)
		return SCSI_PROTOCOL_SAS;

	sess = scst_sess_get_tgt_priv(scst_sess);
	tid = kzalloc(SCST_LOCAL_TID_LEN, GFP_KERNEL);
	if (!tid)
		return -ENOMEM;
	tid[0] = SCSI_PROTOCOL_SAS;
	put_unaligned_be64(SCST_LOCAL_SAS_ADDR + sess->number, &tid[4]);
	*transport_id = tid;
	return 0;
}

/* ------------------------------------------------------------------
 * SCSI host template callbacks (midlayer -> driver)
 */

static bool scst_local_data_dir(struct scsi_cmnd *sc,
				enum scst_data_direction *dir)
{
	switch (sc->sc_data_direction) {
	case DMA_NONE:
		*dir = SCST_DATA_NONE;
		return true;
	case DMA_TO_DEVICE:
		*dir = SCST_DATA_WRITE;
		return true;
	case DMA_FROM_DEVICE:
		*dir = SCST_DATA_READ;
		return true;
	default:
		/* The midlayer has no bidirectional commands any more */
		return false;
	}
}

/*
 * sdev->hostdata of a device whose LUN is no longer mapped and which is
 * being removed (see scst_local_rescan_work_fn()).
 */
static char scst_local_lun_gone;

/*
 * Nothing may reach the target through a device whose LUN is gone: the LUN
 * number may already address another device.  Everything fails as for a
 * vanished LU, including the SYNCHRONIZE CACHE sd sends while removing
 * the disk (it logs that failure; the backing device itself is untouched).
 */
static void scst_local_lun_gone_done(struct scsi_cmnd *sc)
{
	sc->result = DID_NO_CONNECT << 16;
	scsi_done(sc);
}

/*
 * Called from the block layer's dispatch, under its RCU read lock (which
 * preempt_count() does not show with PREEMPT_RCU): must not sleep.
 */
static int scst_local_queuecommand(struct Scsi_Host *shost,
				   struct scsi_cmnd *sc)
{
	struct scst_local_sess *sess = shost_to_sess(shost);
	enum scst_data_direction dir;
	struct scsi_lun lun;
	struct scst_cmd *cmd;

	if (unlikely(READ_ONCE(sc->device->hostdata) == &scst_local_lun_gone)) {
		scst_local_lun_gone_done(sc);
		return 0;
	}
	if (unlikely(!scst_local_data_dir(sc, &dir))) {
		sc->result = DID_ERROR << 16;
		scsi_done(sc);
		return 0;
	}

	SCST_TGTT_TRACE(&scst_local_tgtt, SCST_TRACE_SCSI,
			"%s lun %llu cdb %*phN",
			dev_name(&shost->shost_gendev), sc->device->lun,
			(int)min_t(unsigned int, sc->cmd_len, 16), sc->cmnd);
	int_to_scsilun(sc->device->lun, &lun);
	cmd = scst_rx_cmd(sess->scst_sess, lun.scsi_lun, sizeof(lun),
			  sc->cmnd, sc->cmd_len, true);
	if (unlikely(!cmd))
		return SCSI_MLQUEUE_HOST_BUSY;

	scst_cmd_set_tag(cmd, blk_mq_unique_tag(scsi_cmd_to_rq(sc)));
	/* Linux only sends SIMPLE tasks */
	scst_cmd_set_queue_type(cmd, SCST_CMD_QUEUE_SIMPLE);
	scst_cmd_set_expected(cmd, dir, scsi_bufflen(sc));

	scst_local_attach(sess, cmd, sc);

	/* The core may complete the command (scsi_done()) before returning */
	scst_cmd_init_done(cmd, SCST_CONTEXT_DIRECT_ATOMIC);
	return 0;
}

static int scst_local_init_cmd_priv(struct Scsi_Host *shost,
				    struct scsi_cmnd *sc)
{
	sc_priv(sc)->scst_cmd = NULL;
	return 0;
}

/*
 * Run a task management function for sess and wait for the core to finish
 * it.  Returns an SCST_MGMT_STATUS_* value.
 */
static int scst_local_run_tm(struct scst_local_sess *sess, int fn,
			     struct scsi_device *sdev, u64 tag)
{
	const char *host = dev_name(&sess->shost->shost_gendev);
	int status = SCST_MGMT_STATUS_FAILED;
	struct scst_local_tm *tm;
	struct scsi_lun lun;
	unsigned int noio;
	int res;

	/* The error handler must not recurse into I/O to allocate memory */
	noio = memalloc_noio_save();
	tm = kzalloc(sizeof(*tm), GFP_KERNEL);
	if (!tm)
		goto out;
	init_completion(&tm->done);
	refcount_set(&tm->ref, 2);

	if (sdev)
		int_to_scsilun(sdev->lun, &lun);
	res = scst_rx_mgmt_fn(sess->scst_sess, fn, sdev ? lun.scsi_lun : NULL,
			      sdev ? sizeof(lun) : 0, tag, false, tm);
	if (res) {
		pr_err("%s: task management function %d rejected: %d\n",
		       host, fn, res);
		kfree(tm);
		goto out;
	}

	if (wait_for_completion_timeout(&tm->done, SCST_LOCAL_TM_TIMEOUT))
		status = tm->status;
	else	/* task_mgmt_fn_done() will drop the last reference */
		pr_err("%s: task management function %d timed out\n",
		       host, fn);
	scst_local_tm_put(tm);
out:
	memalloc_noio_restore(noio);
	return status;
}

static int scst_local_eh_abort(struct scsi_cmnd *sc)
{
	struct scst_local_sess *sess = shost_to_sess(sc->device->host);
	int status = SCST_MGMT_STATUS_TASK_NOT_EXIST;

	atomic_inc(&scst_local_nr_aborts);
	/* Not attached: xmit_response() took it, and SCST is done with it */
	if (scst_local_sc_attached(sess, sc)) {
		u64 tag = blk_mq_unique_tag(scsi_cmd_to_rq(sc));

		status = scst_local_run_tm(sess, SCST_ABORT_TASK, sc->device,
					   tag);
	}
	/*
	 * Even if the abort failed the midlayer may give sc back to the
	 * block layer after escalating: never touch it again.
	 */
	scst_local_detach_sc(sess, sc, false);
	synchronize_rcu();

	return status == SCST_MGMT_STATUS_SUCCESS ||
	       status == SCST_MGMT_STATUS_TASK_NOT_EXIST ? SUCCESS : FAILED;
}

struct scst_local_reset_scope {
	struct scst_local_sess *sess;
	struct scsi_device *sdev;	/* NULL: the whole host */
};

/*
 * Commands the error handler owns (they timed out: SCMD_STATE_COMPLETE is
 * set and scsi_done() is a no-op for them) are detached so that it can
 * retry or fail them.  Commands still owned by the block layer (a reset
 * from the SG_SCSI_RESET ioctl does not time anything out) stay attached:
 * the core completes them, with DID_RESET if the reset aborted them.
 */
static bool scst_local_detach_timed_out(struct scsi_cmnd *sc, void *data)
{
	struct scst_local_reset_scope *scope = data;

	if (!scope->sdev || sc->device == scope->sdev)
		scst_local_detach_sc(scope->sess, sc, true);
	return true;
}

static int scst_local_reset(struct scsi_cmnd *sc, int fn, bool lun_scope)
{
	struct Scsi_Host *shost = sc->device->host;
	struct scst_local_reset_scope scope = {
		.sess = shost_to_sess(shost),
		.sdev = lun_scope ? sc->device : NULL,
	};
	int status;

	status = scst_local_run_tm(scope.sess, fn, scope.sdev, 0);
	scsi_host_busy_iter(shost, scst_local_detach_timed_out, &scope);
	synchronize_rcu();

	/* A LUN that no longer exists has nothing left to reset */
	return status == SCST_MGMT_STATUS_SUCCESS ||
	       (lun_scope && status == SCST_MGMT_STATUS_LUN_NOT_EXIST) ?
	       SUCCESS : FAILED;
}

static int scst_local_eh_device_reset(struct scsi_cmnd *sc)
{
	atomic_inc(&scst_local_nr_dev_resets);
	return scst_local_reset(sc, SCST_LUN_RESET, true);
}

static int scst_local_eh_target_reset(struct scsi_cmnd *sc)
{
	atomic_inc(&scst_local_nr_tgt_resets);
	return scst_local_reset(sc, SCST_TARGET_RESET, false);
}

/* A host reset is the loss of this host's I_T nexus only */
static int scst_local_eh_host_reset(struct scsi_cmnd *sc)
{
	atomic_inc(&scst_local_nr_host_resets);
	return scst_local_reset(sc, SCST_NEXUS_LOSS_SESS, false);
}

static struct scsi_host_template scst_local_sht = {
	.module			= THIS_MODULE,
	.name			= SCST_LOCAL_NAME,
	.proc_name		= SCST_LOCAL_NAME,
	.queuecommand		= scst_local_queuecommand,
	.init_cmd_priv		= scst_local_init_cmd_priv,
	.eh_abort_handler	= scst_local_eh_abort,
	.eh_device_reset_handler = scst_local_eh_device_reset,
	.eh_target_reset_handler = scst_local_eh_target_reset,
	.eh_host_reset_handler	= scst_local_eh_host_reset,
	.change_queue_depth	= scsi_change_queue_depth,
	.can_queue		= 256,
	.cmd_per_lun		= 64,
	.this_id		= -1,
	/* Data is copied by the CPU: no DMA or segment restrictions */
	.sg_tablesize		= 2048,
	.max_sectors		= 1024,
	.dma_boundary		= ~0UL,
	.cmd_size		= sizeof(struct scst_local_cmd_priv),
	.skip_settle_delay	= 1,
	.track_queue_depth	= 1,
	.host_tagset		= 1,
};

/* ------------------------------------------------------------------
 * LUN changes
 */

/*
 * Whether the core still maps Linux LUN linux_lun for sess.  This reads the
 * core-private sess->tgt_devs (LUN number -> tgt_dev) with xa_load() under
 * RCU, the same way the core's data plane looks LUNs up; there is no
 * public API that lists a session's LUNs.
 */
static bool scst_local_lun_mapped(struct scst_local_sess *sess, u64 linux_lun)
{
	struct scsi_lun lun;
	bool ok, res;
	u64 nr;

	int_to_scsilun(linux_lun, &lun);
	nr = scst_unpack_lun(lun.scsi_lun, sizeof(lun), &ok);
	if (!ok || nr > ULONG_MAX)
		return false;

	rcu_read_lock();
	res = xa_load(&sess->scst_sess->tgt_devs, nr);
	rcu_read_unlock();
	return res;
}

/* Remove the disks of unmapped LUNs, then let REPORT LUNS find new ones */
static void scst_local_rescan_work_fn(struct work_struct *work)
{
	struct scst_local_sess *sess =
		container_of(work, struct scst_local_sess, rescan_work);
	struct Scsi_Host *shost = sess->shost;
	struct scsi_device *sdev;

	shost_for_each_device(sdev, shost) {
		if (scst_local_lun_mapped(sess, sdev->lun))
			continue;
		WRITE_ONCE(sdev->hostdata, &scst_local_lun_gone);
		scsi_remove_device(sdev);
	}
	scsi_scan_target(&shost->shost_gendev, 0, 0, SCAN_WILD_CARD,
			 SCSI_SCAN_RESCAN);
}

/* ------------------------------------------------------------------
 * Sessions and targets.  All under scst_local_mutex.
 */

static struct scst_local_tgt *scst_local_find_tgt(const char *name)
{
	struct scst_local_tgt *tgt;

	list_for_each_entry(tgt, &scst_local_tgts, tgt_entry)
		if (!strcmp(scst_get_tgt_name(tgt->scst_tgt), name))
			return tgt;
	return NULL;
}

static struct scst_local_sess *scst_local_find_sess(struct scst_local_tgt *tgt,
						    const char *name)
{
	struct scst_local_sess *sess;

	list_for_each_entry(sess, &tgt->sess_list, sess_entry)
		if (!strcmp(sess->scst_sess->initiator_name, name))
			return sess;
	return NULL;
}

/*
 * sessions/<s>/host -> the SCSI host, as the classic driver has it.  The
 * session kobject belongs to the core; the link is only a convenience.
 */
static void scst_local_add_host_link(struct scst_local_sess *sess)
{
	struct kobject *kobj = &sess->scst_sess->sess_kobj;

	if (kobj->state_in_sysfs &&
	    !sysfs_create_link(kobj, &sess->shost->shost_dev.kobj, "host"))
		sess->host_link = true;
}

static void scst_local_del_host_link(struct scst_local_sess *sess)
{
	if (sess->host_link)
		sysfs_remove_link(&sess->scst_sess->sess_kobj, "host");
	sess->host_link = false;
}

static struct Scsi_Host *scst_local_alloc_host(struct scst_local_sess *sess)
{
	struct Scsi_Host *shost;

	shost = scsi_host_alloc(&scst_local_sht, sizeof(sess));
	if (!shost)
		return NULL;
	*(struct scst_local_sess **)shost_priv(shost) = sess;
	shost->max_channel = 0;
	shost->max_id = 1;
	shost->max_lun = SCST_LOCAL_MAX_LUN;
	shost->max_cmd_len = SCST_MAX_CDB_SIZE;
	shost->nr_hw_queues = num_online_cpus();
	return shost;
}

static int scst_local_add_session(struct scst_local_tgt *tgt, const char *name)
{
	struct scst_local_sess *sess;
	int res;

	if (!scst_is_valid_name(name)) {
		pr_err("invalid session name \"%s\"\n", name);
		return -EINVAL;
	}
	if (scst_local_find_sess(tgt, name)) {
		pr_err("session %s already exists in target %s\n", name,
		       scst_get_tgt_name(tgt->scst_tgt));
		return -EEXIST;
	}

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return -ENOMEM;
	sess->tgt = tgt;
	sess->number = atomic_inc_return(&scst_local_sess_nr);
	spin_lock_init(&sess->lock);
	INIT_WORK(&sess->rescan_work, scst_local_rescan_work_fn);

	res = -ENOMEM;
	sess->shost = scst_local_alloc_host(sess);
	if (!sess->shost)
		goto free_sess;

	/* Before scsi_add_host(): queuecommand() needs the SCST session */
	sess->scst_sess = scst_register_session(tgt->scst_tgt, name, sess);
	if (IS_ERR_OR_NULL(sess->scst_sess)) {
		res = sess->scst_sess ? PTR_ERR(sess->scst_sess) : -ENOMEM;
		pr_err("cannot register session %s of target %s: %d\n", name,
		       scst_get_tgt_name(tgt->scst_tgt), res);
		goto put_host;
	}

	res = scsi_add_host(sess->shost, scst_local_root);
	if (res) {
		pr_err("cannot add the SCSI host of session %s: %d\n", name,
		       res);
		goto unreg_sess;
	}

	scst_local_add_host_link(sess);
	SCST_TGTT_TRACE(&scst_local_tgtt, SCST_TRACE_MGMT,
			"session %s of target %s added (%s)", name,
			scst_get_tgt_name(tgt->scst_tgt),
			dev_name(&sess->shost->shost_gendev));
	list_add_tail(&sess->sess_entry, &tgt->sess_list);
	spin_lock_irq(&sess->lock);
	sess->rescan_allowed = true;
	spin_unlock_irq(&sess->lock);
	scsi_scan_host(sess->shost);
	return 0;

unreg_sess:
	scst_unregister_session(sess->scst_sess);
put_host:
	scsi_host_put(sess->shost);
free_sess:
	kfree(sess);
	return res;
}

static void scst_local_del_session(struct scst_local_sess *sess)
{
	list_del(&sess->sess_entry);

	spin_lock_irq(&sess->lock);
	sess->rescan_allowed = false;
	spin_unlock_irq(&sess->lock);
	cancel_work_sync(&sess->rescan_work);

	scst_local_del_host_link(sess);
	/*
	 * Removing the disks first lets sd flush its cache and waits for all
	 * of the host's commands; only then is the I_T nexus dropped.
	 */
	scsi_remove_host(sess->shost);
	scst_unregister_session(sess->scst_sess);
	scsi_host_put(sess->shost);
	kfree(sess);
}

static int scst_local_add_tgt(const char *name, struct scst_local_tgt **out)
{
	struct scst_local_tgt *tgt;
	struct scst_tgt *scst_tgt;

	if (scst_local_exiting)
		return -ESHUTDOWN;
	if (!scst_is_valid_name(name)) {
		pr_err("invalid target name \"%s\"\n", name);
		return -EINVAL;
	}
	if (scst_local_find_tgt(name)) {
		pr_err("target %s already exists\n", name);
		return -EEXIST;
	}

	tgt = kzalloc(sizeof(*tgt), GFP_KERNEL);
	if (!tgt)
		return -ENOMEM;
	INIT_LIST_HEAD(&tgt->sess_list);

	scst_tgt = scst_register_target(&scst_local_tgtt, name);
	if (IS_ERR_OR_NULL(scst_tgt)) {
		kfree(tgt);
		pr_err("cannot register target %s\n", name);
		return scst_tgt ? PTR_ERR(scst_tgt) : -ENOMEM;
	}
	tgt->scst_tgt = scst_tgt;
	scst_tgt_set_tgt_priv(scst_tgt, tgt);
	list_add_tail(&tgt->tgt_entry, &scst_local_tgts);
	SCST_TGTT_TRACE(&scst_local_tgtt, SCST_TRACE_MGMT,
			"target %s added", name);
	*out = tgt;
	return 0;
}

static void scst_local_del_tgt(struct scst_local_tgt *tgt)
{
	struct scst_local_sess *sess, *tmp;

	list_for_each_entry_safe(sess, tmp, &tgt->sess_list, sess_entry)
		scst_local_del_session(sess);
	list_del(&tgt->tgt_entry);
	scst_unregister_target(tgt->scst_tgt);
	kfree(tgt);
}

/* A target with an optional first session; all or nothing */
static int scst_local_add_tgt_sess(const char *tgt_name, const char *sess_name)
{
	struct scst_local_tgt *tgt;
	int res;

	res = scst_local_add_tgt(tgt_name, &tgt);
	if (res || !sess_name)
		return res;

	res = scst_local_add_session(tgt, sess_name);
	if (res)
		scst_local_del_tgt(tgt);
	return res;
}

static void scst_local_close_work_fn(struct work_struct *work)
{
	struct scst_local_sess *sess, *tmp_sess;
	struct scst_local_tgt *tgt;

	mutex_lock(&scst_local_mutex);
	list_for_each_entry(tgt, &scst_local_tgts, tgt_entry)
		list_for_each_entry_safe(sess, tmp_sess, &tgt->sess_list,
					 sess_entry)
			if (test_bit(SCST_LOCAL_SESS_CLOSE, &sess->flags))
				scst_local_del_session(sess);
	mutex_unlock(&scst_local_mutex);
}

/* ------------------------------------------------------------------
 * Management interface: targets/scst_local/mgmt
 */

static const char *const scst_local_add_target_params[] = {
	"session_name", NULL
};

static ssize_t scst_local_mgmt_add_target(const char *target_name,
					  char *params)
{
	struct scst_param param;
	const char *sess_name = NULL;
	const char *bad = NULL;
	int res = 0;

	if (params)
		res = scst_parse_params(params, scst_local_add_target_params,
					&param, 1, &bad);
	if (res < 0) {
		pr_err("add_target %s: invalid parameter \"%s\"\n",
		       target_name, bad ? bad : "");
		return res;
	}
	if (res == 1)
		sess_name = param.value;

	mutex_lock(&scst_local_mutex);
	res = scst_local_add_tgt_sess(target_name, sess_name);
	mutex_unlock(&scst_local_mutex);
	return res;
}

static ssize_t scst_local_mgmt_del_target(const char *target_name)
{
	struct scst_local_tgt *tgt;
	int res = 0;

	mutex_lock(&scst_local_mutex);
	tgt = scst_local_find_tgt(target_name);
	if (tgt) {
		scst_local_del_tgt(tgt);
	} else {
		pr_err("del_target: target %s not found\n", target_name);
		res = -ENOENT;
	}
	mutex_unlock(&scst_local_mutex);
	return res;
}

/* add_session/del_session TARGET SESSION; scst_local_mutex held */
static int scst_local_mgmt_session(const char *verb, const char *tgt_name,
				   const char *sess_name)
{
	struct scst_local_sess *sess;
	struct scst_local_tgt *tgt;

	tgt = scst_local_find_tgt(tgt_name);
	if (!tgt) {
		pr_err("%s: target %s not found\n", verb, tgt_name);
		return -ENOENT;
	}
	if (!strcasecmp(verb, "add_session"))
		return scst_local_add_session(tgt, sess_name);

	sess = scst_local_find_sess(tgt, sess_name);
	if (!sess) {
		pr_err("%s: session %s not found in target %s\n", verb,
		       sess_name, tgt_name);
		return -ENOENT;
	}
	scst_local_del_session(sess);
	return 0;
}

static ssize_t scst_local_mgmt_cmd(char *line)
{
	char *verb, *tgt_name, *sess_name;
	int res;

	verb = scst_next_lexem(&line);
	if (strcasecmp(verb, "add_session") && strcasecmp(verb, "del_session")) {
		pr_err("unknown command \"%s\"\n", verb);
		return -EINVAL;
	}
	tgt_name = scst_next_lexem(&line);
	sess_name = scst_next_lexem(&line);
	if (!*tgt_name || !*sess_name || *scst_next_lexem(&line)) {
		pr_err("usage: %s TARGET SESSION\n", verb);
		return -EINVAL;
	}

	mutex_lock(&scst_local_mutex);
	res = scst_local_exiting ? -ESHUTDOWN :
	      scst_local_mgmt_session(verb, tgt_name, sess_name);
	mutex_unlock(&scst_local_mutex);
	return res;
}

/* ------------------------------------------------------------------
 * sysfs: targets/scst_local/{version,stats}
 */

static ssize_t scst_local_version_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", SCST_LOCAL_VERSION);
}

static ssize_t scst_local_stats_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
			  "Aborts: %d, Device Resets: %d, Target Resets: %d, Host Resets: %d\n",
			  atomic_read(&scst_local_nr_aborts),
			  atomic_read(&scst_local_nr_dev_resets),
			  atomic_read(&scst_local_nr_tgt_resets),
			  atomic_read(&scst_local_nr_host_resets));
}

static struct kobj_attribute scst_local_version_attr =
	__ATTR(version, 0444, scst_local_version_show, NULL);
static struct kobj_attribute scst_local_stats_attr =
	__ATTR(stats, 0444, scst_local_stats_show, NULL);

static const struct attribute *scst_local_tgtt_attrs[] = {
	&scst_local_version_attr.attr,
	&scst_local_stats_attr.attr,
	NULL,
};

static struct scst_tgt_template scst_local_tgtt = {
	.name			= SCST_LOCAL_NAME,
	/* The core's buffer is copied by the CPU: any layout will do */
	.sg_tablesize		= 0,
	.xmit_response_atomic	= 1,
	.rdy_to_xfer_atomic	= 1,
	.enabled_attr_not_needed = 1,
	.xmit_response		= scst_local_xmit_response,
	.rdy_to_xfer		= scst_local_rdy_to_xfer,
	.task_mgmt_fn_done	= scst_local_task_mgmt_fn_done,
	.release		= scst_local_release,
	.add_target		= scst_local_mgmt_add_target,
	.del_target		= scst_local_mgmt_del_target,
	.mgmt_cmd		= scst_local_mgmt_cmd,
	.luns_changed		= scst_local_luns_changed,
	.close_session		= scst_local_close_session,
	.get_initiator_port_transport_id = scst_local_get_transport_id,
	.protocol_id		= SCSI_PROTOCOL_SAS,
	.mgmt_cmd_help		=
		"       echo \"add_session target_name session_name\" >mgmt\n"
		"       echo \"del_session target_name session_name\" >mgmt\n",
	.add_target_parameters	= scst_local_add_target_params,
	.tgtt_attrs		= scst_local_tgtt_attrs,
};

/* ------------------------------------------------------------------
 * Module
 */

static void scst_local_del_all(void)
{
	struct scst_local_tgt *tgt, *tmp;

	mutex_lock(&scst_local_mutex);
	scst_local_exiting = true;
	list_for_each_entry_safe(tgt, tmp, &scst_local_tgts, tgt_entry)
		scst_local_del_tgt(tgt);
	mutex_unlock(&scst_local_mutex);
	cancel_work_sync(&scst_local_close_work);
}

static int __init scst_local_init(void)
{
	int res;

	scst_local_root = root_device_register(SCST_LOCAL_NAME);
	if (IS_ERR(scst_local_root))
		return PTR_ERR(scst_local_root);

	res = scst_register_target_template(&scst_local_tgtt);
	if (res) {
		pr_err("cannot register the target template: %d\n", res);
		goto unreg_root;
	}

	if (add_default_tgt) {
		mutex_lock(&scst_local_mutex);
		res = scst_local_add_tgt_sess(SCST_LOCAL_DEF_TGT,
					      SCST_LOCAL_DEF_SESS);
		mutex_unlock(&scst_local_mutex);
		if (res)
			goto unreg_tgtt;
	}
	return 0;

unreg_tgtt:
	scst_local_del_all();
	scst_unregister_target_template(&scst_local_tgtt);
unreg_root:
	root_device_unregister(scst_local_root);
	return res;
}

static void __exit scst_local_exit(void)
{
	scst_local_del_all();
	scst_unregister_target_template(&scst_local_tgtt);
	root_device_unregister(scst_local_root);
}

module_init(scst_local_init);
module_exit(scst_local_exit);

MODULE_DESCRIPTION("SCST local loopback target driver (SCSI host per session)");
MODULE_LICENSE("GPL");
MODULE_VERSION(SCST_LOCAL_VERSION);
