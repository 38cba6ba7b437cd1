// SPDX-License-Identifier: GPL-2.0
/*
 * Task management functions (SAM-5 clause 7).
 *
 * All task management functions, including the internal one used when a
 * session is unregistered, are executed one at a time by one kernel thread
 * ("scst_tm").  That makes the TM state of a command (dp_tm_list_entry,
 * SCST_CMD_TM_LISTED) single-owner and every function easy to reason about.
 *
 * A function runs in two phases:
 *
 *  1. Under the session / device spinlocks, every affected command gets
 *     SCST_CMD_ABORTED (plus NO_RESP or ABORTED_OTHER).  Commands that need
 *     more than the flag -- parked, waiting for data, or executing -- are
 *     referenced and put on a local list.
 *  2. Without locks: the driver's on_abort_cmd() is called for commands
 *     waiting for data, parked commands are requeued (they will see
 *     ABORTED and go straight to the response), and the thread waits until
 *     every executing one has passed scst_cmd_done().
 *
 * Only then is the function reported complete.  Why nothing can start
 * executing behind our back: before calling exec() a command sets
 * EXEC_STARTED, issues a full barrier and tests ABORTED; here we set
 * ABORTED, issue a full barrier and test EXEC_STARTED.  At least one side
 * sees the other's store, so either the command does not execute or we
 * wait for it.  The same pairing exists for parking (dp_parked).
 *
 * The wait has no time limit (a command inside the handler cannot be
 * taken back), but it only ever waits for commands that are executing, and
 * warns periodically.  Everything else completes without waiting, so
 * storms of ABORT TASK and LUN RESET make progress.
 */

#include <linux/slab.h>
#include "scst_dataplane.h"

static struct kmem_cache *scst_mcmd_cachep;
static struct task_struct *scst_tm_thread;
static DEFINE_SPINLOCK(scst_tm_lock);
static LIST_HEAD(scst_tm_list);			/* queued mcmds */
static struct scst_mgmt_cmd *scst_tm_active;	/* under scst_tm_lock */
static DECLARE_WAIT_QUEUE_HEAD(scst_tm_thread_waitq);

#define SCST_TM_WAIT_WARN	(30 * HZ)

/* ---------------------------------------------------------------------
 * Phase 1: mark
 */

static bool scst_tm_fn_is_nexus_wide(int fn)
{
	switch (fn) {
	case SCST_NEXUS_LOSS_SESS:
	case SCST_ABORT_ALL_TASKS_SESS:
	case SCST_NEXUS_LOSS:
	case SCST_ABORT_ALL_TASKS:
	case SCST_UNREG_SESS_TM:
		return true;
	}
	return false;
}

/* Mark one command; the lock of cmd->sess's command list is held */
static void scst_tm_abort_cmd(struct scst_mgmt_cmd *mcmd,
			      struct scst_cmd *cmd, struct list_head *work)
{
	/*
	 * No response on the nexus that asked (its TMF response covers the
	 * command) or whose nexus is gone; a command aborted on behalf of
	 * another nexus gets TASK ABORTED or nothing, per TAS.
	 */
	if (cmd->sess == mcmd->sess || scst_tm_fn_is_nexus_wide(mcmd->fn))
		set_bit(SCST_CMD_NO_RESP, &cmd->cmd_flags);
	else
		set_bit(SCST_CMD_ABORTED_OTHER, &cmd->cmd_flags);
	/* whoever sees ABORTED must see how to answer */
	smp_mb__before_atomic();
	set_bit(SCST_CMD_ABORTED, &cmd->cmd_flags);
	/* pairs with scst_exec(), scst_exec_finished(), scst_park_locked() */
	smp_mb__after_atomic();

	if (!scst_cmd_in_exec(cmd) &&
	    READ_ONCE(cmd->dp_parked) == SCST_PARK_NONE &&
	    READ_ONCE(cmd->state) != SCST_CMD_STATE_DATA_WAIT)
		return;
	if (test_bit(SCST_CMD_TM_LISTED, &cmd->cmd_flags) ||
	    !scst_cmd_get_not_zero(cmd))
		return;		/* already listed, or being freed */
	set_bit(SCST_CMD_TM_LISTED, &cmd->cmd_flags);
	list_add_tail(&cmd->dp_tm_list_entry, work);
}

/* The commands of sess, or only those of tgt_dev; returns the count */
static int scst_tm_mark_sess(struct scst_mgmt_cmd *mcmd,
			     struct scst_session *sess,
			     struct scst_tgt_dev *tgt_dev,
			     struct list_head *work)
{
	struct scst_cmd *cmd;
	unsigned long flags;
	int n = 0;

	spin_lock_irqsave(&sess->sess_list_lock, flags);
	list_for_each_entry(cmd, &sess->sess_cmd_list, sess_cmd_list_entry) {
		if (tgt_dev && cmd->tgt_dev != tgt_dev)
			continue;
		scst_tm_abort_cmd(mcmd, cmd, work);
		n++;
	}
	spin_unlock_irqrestore(&sess->sess_list_lock, flags);
	return n;
}

/*
 * The commands of every I_T nexus of dev.  With ua_other, nexuses other
 * than the requester's that lost commands get COMMANDS CLEARED BY ANOTHER
 * INITIATOR when TAS is 0 (SAM-5 5.6).
 */
static void scst_tm_mark_dev(struct scst_mgmt_cmd *mcmd,
			     struct scst_device *dev, bool ua_other,
			     struct list_head *work)
{
	struct scst_tgt_dev *tgt_dev;
	unsigned long flags;
	int n;

	spin_lock_irqsave(&dev->dev_lock, flags);
	list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
			    dev_tgt_dev_list_entry) {
		n = scst_tm_mark_sess(mcmd, tgt_dev->sess, tgt_dev, work);
		if (n && ua_other && !dev->tas && tgt_dev->sess != mcmd->sess)
			scst_tgt_dev_queue_ua(tgt_dev,
				SCST_LOAD_SENSE(scst_sense_cleared_by_another_ini_UA));
	}
	spin_unlock_irqrestore(&dev->dev_lock, flags);
}

/* ---------------------------------------------------------------------
 * Phase 2: make sure none of the marked commands can still execute
 */

static void scst_tm_wait_exec(struct scst_mgmt_cmd *mcmd,
			      struct scst_cmd *cmd)
{
	if (!scst_cmd_in_exec(cmd))
		return;
	atomic_inc(&mcmd->cmd_wait_count);
	while (!wait_event_timeout(scst_tm_waitq, !scst_cmd_in_exec(cmd),
				   SCST_TM_WAIT_WARN))
		PRINT_WARNING("TM function %d: still waiting for command tag %llu (LUN %llu, op 0x%02x) to finish executing",
			      mcmd->fn, cmd->tag, cmd->lun,
			      cmd->cdb_len ? cmd->cdb[0] : 0);
	atomic_dec(&mcmd->cmd_wait_count);
}

static void scst_tm_finish_aborts(struct scst_mgmt_cmd *mcmd,
				  struct list_head *work)
{
	struct scst_cmd *cmd, *tmp;

	list_for_each_entry(cmd, work, dp_tm_list_entry) {
		struct scst_tgt_template *tgtt = cmd->tgt->tgtt;

		/* a hint: the transfer may have finished meanwhile */
		if (READ_ONCE(cmd->state) == SCST_CMD_STATE_DATA_WAIT &&
		    tgtt->on_abort_cmd)
			tgtt->on_abort_cmd(cmd);
		scst_unpark_cmd(cmd);
	}
	list_for_each_entry_safe(cmd, tmp, work, dp_tm_list_entry) {
		scst_tm_wait_exec(mcmd, cmd);
		list_del_init(&cmd->dp_tm_list_entry);
		clear_bit(SCST_CMD_TM_LISTED, &cmd->cmd_flags);
		scst_cmd_put(cmd);
	}
}

/* ---------------------------------------------------------------------
 * Functions
 */

/* The issuer's tgt_dev for mcmd->lun, pinned; NULL: LUN_NOT_EXIST set */
static struct scst_tgt_dev *scst_tm_get_tgt_dev(struct scst_mgmt_cmd *mcmd)
{
	struct scst_tgt_dev *tgt_dev = NULL;

	rcu_read_lock();
	if (mcmd->lun_set && mcmd->lun <= SCST_MAX_LUN)
		tgt_dev = xa_load(&mcmd->sess->tgt_devs, mcmd->lun);
	if (tgt_dev)
		atomic_inc(&tgt_dev->tgt_dev_cmd_count);
	rcu_read_unlock();
	if (!tgt_dev)
		mcmd->status = SCST_MGMT_STATUS_LUN_NOT_EXIST;
	return tgt_dev;
}

static void scst_tm_abort_task(struct scst_mgmt_cmd *mcmd)
{
	struct scst_session *sess = mcmd->sess;
	struct scst_cmd *cmd;
	unsigned long flags;
	bool found = false;
	LIST_HEAD(work);

	spin_lock_irqsave(&sess->sess_list_lock, flags);
	list_for_each_entry(cmd, &sess->sess_cmd_list, sess_cmd_list_entry) {
		if (cmd->tag != mcmd->tag ||
		    (mcmd->lun_set && cmd->lun != mcmd->lun))
			continue;
		scst_tm_abort_cmd(mcmd, cmd, &work);
		found = true;
	}
	spin_unlock_irqrestore(&sess->sess_list_lock, flags);
	scst_tm_finish_aborts(mcmd, &work);
	/*
	 * SAM-5 answers FUNCTION COMPLETE whether or not the task was in the
	 * task set.  We say TASK_NOT_EXIST so that transports with a distinct
	 * response (iSCSI "task does not exist") can use it; drivers of
	 * SAM-only transports map it to FUNCTION COMPLETE.
	 */
	mcmd->status = found ? SCST_MGMT_STATUS_SUCCESS :
			       SCST_MGMT_STATUS_TASK_NOT_EXIST;
}

static void scst_tm_abort_task_set(struct scst_mgmt_cmd *mcmd)
{
	struct scst_tgt_dev *tgt_dev = scst_tm_get_tgt_dev(mcmd);
	LIST_HEAD(work);

	if (!tgt_dev)
		return;
	scst_tm_mark_sess(mcmd, mcmd->sess, tgt_dev, &work);
	scst_tm_finish_aborts(mcmd, &work);
	scst_tgt_dev_unpin(tgt_dev);
}

/*
 * CLEAR TASK SET clears "the task set": with TST=000b (one task set shared
 * by all nexuses) that is every nexus's commands, with TST=001b (our
 * ordering model, one task set per I_T nexus) only the requester's.
 */
static void scst_tm_clear_task_set(struct scst_mgmt_cmd *mcmd)
{
	struct scst_tgt_dev *tgt_dev = scst_tm_get_tgt_dev(mcmd);
	LIST_HEAD(work);

	if (!tgt_dev)
		return;
	if (tgt_dev->dev->tst == 0)
		scst_tm_mark_dev(mcmd, tgt_dev->dev, true, &work);
	else
		scst_tm_mark_sess(mcmd, mcmd->sess, tgt_dev, &work);
	scst_tm_finish_aborts(mcmd, &work);
	scst_tgt_dev_unpin(tgt_dev);
}

static void scst_tm_reset_notify(struct scst_mgmt_cmd *mcmd,
				 struct scst_tgt_dev *tgt_dev, bool done)
{
	struct scst_dev_type *handler = tgt_dev->dev->handler;

	if (!done && handler->task_mgmt_fn_received)
		handler->task_mgmt_fn_received(mcmd, tgt_dev);
	if (done && handler->task_mgmt_fn_done)
		handler->task_mgmt_fn_done(mcmd, tgt_dev);
}

/*
 * The flag is a single bool written with WRITE_ONCE(): nexus loss clears
 * it under sess_list_lock, which nests inside dev_lock, so dev_lock only
 * protects walking the device's nexus list.
 */
void scst_tgt_dev_set_prevent(struct scst_tgt_dev *tgt_dev, bool prevent)
{
	WRITE_ONCE(tgt_dev->prevent_removal, prevent);
}
EXPORT_SYMBOL_GPL(scst_tgt_dev_set_prevent);

/* SPC-4: removal is prevented while any I_T nexus asked for it */
bool scst_dev_removal_prevented(struct scst_device *dev)
{
	struct scst_tgt_dev *tgt_dev;
	unsigned long flags;
	bool res = false;

	spin_lock_irqsave(&dev->dev_lock, flags);
	list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
			    dev_tgt_dev_list_entry) {
		if (READ_ONCE(tgt_dev->prevent_removal)) {
			res = true;
			break;
		}
	}
	spin_unlock_irqrestore(&dev->dev_lock, flags);
	return res;
}
EXPORT_SYMBOL_GPL(scst_dev_removal_prevented);

/* A logical unit reset ends the prevention of every I_T nexus */
static void scst_tm_dev_clear_prevent(struct scst_device *dev)
{
	struct scst_tgt_dev *tgt_dev;
	unsigned long flags;

	spin_lock_irqsave(&dev->dev_lock, flags);
	list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
			    dev_tgt_dev_list_entry)
		WRITE_ONCE(tgt_dev->prevent_removal, false);
	spin_unlock_irqrestore(&dev->dev_lock, flags);
}

/*
 * Logical unit reset of each device of tgt_devs[] (the requester's nexuses
 * to them): abort every command of every nexus, release the SPC-2
 * reservation and establish BUS DEVICE RESET FUNCTION OCCURRED on every
 * I_T nexus (SAM-5 7.7 / 6.3.3; SAM-3 specified the same UA for TARGET
 * RESET, which it defined last).  The UA is queued right after marking so
 * that no command marked aborted can consume it.
 */
static void scst_tm_reset_devs(struct scst_mgmt_cmd *mcmd,
			       struct scst_tgt_dev **tgt_devs, int n)
{
	LIST_HEAD(work);
	int i;

	for (i = 0; i < n; i++)
		scst_tm_reset_notify(mcmd, tgt_devs[i], false);
	for (i = 0; i < n; i++) {
		struct scst_device *dev = tgt_devs[i]->dev;

		scst_tm_mark_dev(mcmd, dev, false, &work);
		WRITE_ONCE(dev->reserved_by, NULL);
		scst_tm_dev_clear_prevent(dev);
		scst_dev_queue_ua(dev, NULL,
				  SCST_LOAD_SENSE(scst_sense_bus_device_reset_UA));
	}
	scst_tm_finish_aborts(mcmd, &work);
	for (i = 0; i < n; i++)
		scst_tm_reset_notify(mcmd, tgt_devs[i], true);
}

static void scst_tm_lun_reset(struct scst_mgmt_cmd *mcmd)
{
	struct scst_tgt_dev *tgt_dev = scst_tm_get_tgt_dev(mcmd);

	if (!tgt_dev)
		return;
	scst_tm_reset_devs(mcmd, &tgt_dev, 1);
	scst_tgt_dev_unpin(tgt_dev);
}

/* Pin every tgt_dev of sess; returns the count or -ENOMEM */
static int scst_tm_snapshot_tgt_devs(struct scst_session *sess,
				     struct scst_tgt_dev ***out)
{
	struct scst_tgt_dev **arr, *tgt_dev;
	int n, total, cap = 16;

	for (;;) {
		arr = kcalloc(cap, sizeof(*arr), GFP_KERNEL);
		if (!arr)
			return -ENOMEM;
		n = 0;
		total = 0;
		spin_lock_irq(&sess->sess_list_lock);
		list_for_each_entry(tgt_dev, &sess->sess_tgt_dev_list,
				    sess_tgt_dev_list_entry) {
			if (n < cap) {
				atomic_inc(&tgt_dev->tgt_dev_cmd_count);
				arr[n++] = tgt_dev;
			}
			total++;
		}
		spin_unlock_irq(&sess->sess_list_lock);
		if (total <= cap)
			break;
		/* the list grew meanwhile: drop the pins and retry */
		while (n)
			scst_tgt_dev_unpin(arr[--n]);
		kfree(arr);
		cap = total * 2;
	}
	*out = arr;
	return n;
}

static void scst_tm_target_reset(struct scst_mgmt_cmd *mcmd)
{
	struct scst_tgt_dev **tgt_devs;
	int i, n;

	n = scst_tm_snapshot_tgt_devs(mcmd->sess, &tgt_devs);
	if (n < 0) {
		mcmd->status = SCST_MGMT_STATUS_FAILED;
		return;
	}
	scst_tm_reset_devs(mcmd, tgt_devs, n);
	for (i = 0; i < n; i++)
		scst_tgt_dev_unpin(tgt_devs[i]);
	kfree(tgt_devs);
}

/*
 * I_T nexus loss releases the SPC-2 reservations the nexus holds and ends
 * its medium removal prevention (SPC-4).
 */
static void scst_tm_sess_release_reservations(struct scst_session *sess)
{
	struct scst_tgt_dev *tgt_dev;

	spin_lock_irq(&sess->sess_list_lock);
	list_for_each_entry(tgt_dev, &sess->sess_tgt_dev_list,
			    sess_tgt_dev_list_entry) {
		cmpxchg(&tgt_dev->dev->reserved_by, sess, NULL);
		WRITE_ONCE(tgt_dev->prevent_removal, false);
	}
	spin_unlock_irq(&sess->sess_list_lock);
}

/* After abort, for nexus loss: reservations and the I_T NEXUS LOSS UA */
static void scst_tm_sess_nexus_loss(struct scst_session *sess, bool ua)
{
	scst_tm_sess_release_reservations(sess);
	if (ua)
		scst_sess_queue_ua(sess,
				   SCST_LOAD_SENSE(scst_sense_nexus_loss_UA));
}

static void scst_tm_sess_all(struct scst_mgmt_cmd *mcmd)
{
	LIST_HEAD(work);

	scst_tm_mark_sess(mcmd, mcmd->sess, NULL, &work);
	scst_tm_finish_aborts(mcmd, &work);
	if (mcmd->fn == SCST_NEXUS_LOSS_SESS)
		scst_tm_sess_nexus_loss(mcmd->sess, true);
	else if (mcmd->fn == SCST_UNREG_SESS_TM)
		scst_tm_sess_nexus_loss(mcmd->sess, false);
}

static void scst_tm_tgt_all(struct scst_mgmt_cmd *mcmd)
{
	struct scst_session **sessions;
	LIST_HEAD(work);
	int i, n;

	n = scst_get_tgt_sessions(mcmd->sess->tgt, &sessions);
	if (n < 0) {
		mcmd->status = SCST_MGMT_STATUS_FAILED;
		return;
	}
	for (i = 0; i < n; i++)
		scst_tm_mark_sess(mcmd, sessions[i], NULL, &work);
	scst_tm_finish_aborts(mcmd, &work);
	for (i = 0; i < n; i++) {
		if (mcmd->fn == SCST_NEXUS_LOSS)
			scst_tm_sess_nexus_loss(sessions[i], true);
		percpu_ref_put(&sessions[i]->refcnt);
	}
	kfree(sessions);
}

static void scst_tm_clear_aca(struct scst_mgmt_cmd *mcmd)
{
	struct scst_tgt_dev *tgt_dev = scst_tm_get_tgt_dev(mcmd);

	/*
	 * NACA=1 is refused when CDBs are parsed, so an ACA condition never
	 * exists; SAM-5 completes CLEAR ACA without one as FUNCTION COMPLETE.
	 */
	if (tgt_dev)
		scst_tgt_dev_unpin(tgt_dev);
}

static void scst_tm_exec(struct scst_mgmt_cmd *mcmd)
{
	mcmd->status = SCST_MGMT_STATUS_SUCCESS;
	switch (mcmd->fn) {
	case SCST_ABORT_TASK:
		scst_tm_abort_task(mcmd);
		break;
	case SCST_ABORT_TASK_SET:
		scst_tm_abort_task_set(mcmd);
		break;
	case SCST_CLEAR_TASK_SET:
		scst_tm_clear_task_set(mcmd);
		break;
	case SCST_CLEAR_ACA:
		scst_tm_clear_aca(mcmd);
		break;
	case SCST_LUN_RESET:
		scst_tm_lun_reset(mcmd);
		break;
	case SCST_TARGET_RESET:
		scst_tm_target_reset(mcmd);
		break;
	case SCST_NEXUS_LOSS_SESS:
	case SCST_ABORT_ALL_TASKS_SESS:
	case SCST_UNREG_SESS_TM:
		scst_tm_sess_all(mcmd);
		break;
	case SCST_NEXUS_LOSS:
	case SCST_ABORT_ALL_TASKS:
		scst_tm_tgt_all(mcmd);
		break;
	default:
		mcmd->status = SCST_MGMT_STATUS_FN_NOT_SUPPORTED;
		break;
	}
}

static void scst_tm_complete(struct scst_mgmt_cmd *mcmd)
{
	struct scst_session *sess = mcmd->sess;
	struct scst_tgt_template *tgtt = sess->tgt->tgtt;

	if (mcmd->done_cmpl) {
		/* internal: the waiter owns mcmd */
		complete(mcmd->done_cmpl);
		return;
	}
	if (tgtt->task_mgmt_fn_done)
		tgtt->task_mgmt_fn_done(mcmd);
	kmem_cache_free(scst_mcmd_cachep, mcmd);
	percpu_ref_put(&sess->refcnt);
}

/* ---------------------------------------------------------------------
 * The TM thread and the entry points
 */

static struct scst_mgmt_cmd *scst_tm_dequeue(void)
{
	struct scst_mgmt_cmd *mcmd = NULL;

	spin_lock_irq(&scst_tm_lock);
	if (!list_empty(&scst_tm_list)) {
		mcmd = list_first_entry(&scst_tm_list, struct scst_mgmt_cmd,
					mgmt_cmd_list_entry);
		list_del(&mcmd->mgmt_cmd_list_entry);
	}
	scst_tm_active = mcmd;
	spin_unlock_irq(&scst_tm_lock);
	return mcmd;
}

static void scst_tm_set_inactive(void)
{
	spin_lock_irq(&scst_tm_lock);
	scst_tm_active = NULL;
	spin_unlock_irq(&scst_tm_lock);
}

static int scst_tm_trace_one(struct scst_mgmt_cmd *mcmd, const char *what,
			     char *buf, int n, int *left)
{
	struct scst_session *sess = mcmd->sess;

	if (n > PAGE_SIZE - 200) {
		(*left)++;
		return n;
	}
	return n + sysfs_emit_at(buf, n,
				 "%s/%s/%s fn %d lun %lld tag %llu %s waiting %d age_ms %u\n",
				 sess->tgt->tgtt->name, sess->tgt->tgt_name,
				 sess->sess_name, mcmd->fn,
				 mcmd->lun_set ? (s64)mcmd->lun : -1LL,
				 mcmd->tag, what,
				 atomic_read(&mcmd->cmd_wait_count),
				 jiffies_to_msecs(jiffies - mcmd->start_time));
}

/*
 * trace_mcmds: the TMFs being executed or queued, one line each.  A
 * queued or executing mcmd holds a session reference (or its issuer
 * waits for it), so its session and target stay while scst_tm_lock is held.
 */
int scst_tm_trace_mcmds(char *buf, int n, int *left)
{
	struct scst_mgmt_cmd *mcmd;

	spin_lock_irq(&scst_tm_lock);
	if (scst_tm_active)
		n = scst_tm_trace_one(scst_tm_active, "executing", buf, n,
				      left);
	list_for_each_entry(mcmd, &scst_tm_list, mgmt_cmd_list_entry)
		n = scst_tm_trace_one(mcmd, "queued", buf, n, left);
	spin_unlock_irq(&scst_tm_lock);
	return n;
}

static int scst_tm_thread_fn(void *arg)
{
	struct scst_mgmt_cmd *mcmd;

	while (!kthread_should_stop()) {
		mcmd = scst_tm_dequeue();
		if (mcmd) {
			scst_tm_exec(mcmd);
			scst_tm_set_inactive();
			SCST_TRACE(SCST_TRACE_MGMT | SCST_TRACE_DEBUG_TM,
				   "TMF fn %d sess %s lun %lld tag %llu done, status %d",
				   mcmd->fn, mcmd->sess->sess_name,
				   mcmd->lun_set ? (s64)mcmd->lun : -1LL,
				   mcmd->tag, mcmd->status);
			scst_tm_complete(mcmd);
			cond_resched();
			continue;
		}
		wait_event_interruptible(scst_tm_thread_waitq,
					 !list_empty_careful(&scst_tm_list) ||
					 kthread_should_stop());
	}
	return 0;
}

static void scst_tm_queue(struct scst_mgmt_cmd *mcmd)
{
	unsigned long flags;

	mcmd->start_time = jiffies;
	SCST_TRACE(SCST_TRACE_DEBUG_TM,
		   "TMF fn %d sess %s lun %lld tag %llu received",
		   mcmd->fn, mcmd->sess->sess_name,
		   mcmd->lun_set ? (s64)mcmd->lun : -1LL, mcmd->tag);
	spin_lock_irqsave(&scst_tm_lock, flags);
	list_add_tail(&mcmd->mgmt_cmd_list_entry, &scst_tm_list);
	spin_unlock_irqrestore(&scst_tm_lock, flags);
	wake_up(&scst_tm_thread_waitq);
}

int scst_rx_mgmt_fn(struct scst_session *sess, int fn, const u8 *lun,
		    unsigned int lun_len, u64 tag, bool atomic, void *tgt_priv)
{
	struct scst_mgmt_cmd *mcmd;
	bool ok = false;

	if (fn < SCST_ABORT_TASK || fn > SCST_ABORT_ALL_TASKS)
		return -EINVAL;
	mcmd = kmem_cache_zalloc(scst_mcmd_cachep,
				 atomic ? GFP_ATOMIC : GFP_KERNEL);
	if (!mcmd)
		return -ENOMEM;
	/* not _live: a TMF may still arrive while the session goes away */
	if (!percpu_ref_tryget(&sess->refcnt)) {
		kmem_cache_free(scst_mcmd_cachep, mcmd);
		return -ESHUTDOWN;
	}
	mcmd->sess = sess;
	mcmd->fn = fn;
	mcmd->tag = tag;
	mcmd->tgt_priv = tgt_priv;
	if (lun) {
		mcmd->lun = scst_unpack_lun(lun, lun_len, &ok);
		mcmd->lun_set = 1;
		if (!ok)
			mcmd->lun = U64_MAX;	/* LUN_NOT_EXIST */
	}
	atomic_set(&mcmd->cmd_wait_count, 0);
	scst_tm_queue(mcmd);
	return 0;
}
EXPORT_SYMBOL_GPL(scst_rx_mgmt_fn);

/*
 * I_T nexus loss for a session being unregistered: new commands of the
 * session are aborted on arrival (dp_aborting), the existing ones are
 * aborted by the TM thread.  Returns when none of them can execute.
 */
void scst_tm_sess_unreg(struct scst_session *sess)
{
	DECLARE_COMPLETION_ONSTACK(done);
	struct scst_mgmt_cmd mcmd = {
		.sess = sess,
		.fn = SCST_UNREG_SESS_TM,
		.done_cmpl = &done,
	};

	spin_lock_irq(&sess->sess_list_lock);
	sess->dp_aborting = true;
	spin_unlock_irq(&sess->sess_list_lock);
	scst_tm_queue(&mcmd);
	wait_for_completion(&done);
}

int scst_tm_init(void)
{
	scst_mcmd_cachep = KMEM_CACHE(scst_mgmt_cmd, 0);
	if (!scst_mcmd_cachep)
		return -ENOMEM;
	scst_tm_thread = kthread_run(scst_tm_thread_fn, NULL, "scst_tm");
	if (IS_ERR(scst_tm_thread)) {
		int rc = PTR_ERR(scst_tm_thread);

		scst_tm_thread = NULL;
		kmem_cache_destroy(scst_mcmd_cachep);
		return rc;
	}
	return 0;
}

void scst_tm_exit(void)
{
	if (scst_tm_thread)
		kthread_stop(scst_tm_thread);
	scst_tm_thread = NULL;
	WARN_ON_ONCE(!list_empty(&scst_tm_list));
	kmem_cache_destroy(scst_mcmd_cachep);
}
