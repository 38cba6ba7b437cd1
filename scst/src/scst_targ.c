// SPDX-License-Identifier: GPL-2.0
/*
 * The command state machine of the data plane: command
 * allocation, the processing threads, SAM task ordering, device blocking
 * and global suspension, and the per session / device / I_T_L nexus data
 * plane state.
 *
 * Design in short:
 *  - Every active state has one function; scst_process_cmd() runs them in
 *    a loop for as long as the current context allows.  A state function
 *    that needs to sleep while running in atomic context returns
 *    SCST_RES_NEED_THREAD and the command is queued to a thread.
 *  - Thread pools (global "scstd", or per device) have one queue per CPU;
 *    a command is always queued to the queue of the CPU it arrived on, so
 *    the I/O path only ever takes per-CPU, per-nexus or per-device locks.
 *  - SAM ordering (TST=001b: one task set per I_T nexus): every command of
 *    a tgt_dev is appended to tgt_dev->dp_sn_list in scst_cmd_init_done()
 *    order and leaves it when it can no longer execute.  A SIMPLE command
 *    may execute when no ORDERED command precedes it on the list, an
 *    ORDERED one when it is the first, HEAD OF QUEUE always.
 *  - Task management never races with execution thanks to a handshake on
 *    two atomic bits: before exec the command sets EXEC_STARTED then tests
 *    ABORTED, task management sets ABORTED then tests EXEC_STARTED; with a
 *    full barrier between each pair at least one side sees the other (see
 *    scst_tm.c).
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>
#include <linux/scatterlist.h>
#include "scst_dataplane.h"

static struct kmem_cache *scst_cmd_cachep;

struct scst_cmd_threads scst_main_threads;
DECLARE_WAIT_QUEUE_HEAD(scst_tm_waitq);

/* tgt_dev drains wait here for tgt_dev_cmd_count to reach zero */
static DECLARE_WAIT_QUEUE_HEAD(scst_drain_waitq);
DEFINE_MUTEX(scst_dev_threads_mutex);

/* Global suspension ("suspend" attribute) */
static DEFINE_MUTEX(scst_suspend_mutex);
static DEFINE_SPINLOCK(scst_suspend_lock);
static LIST_HEAD(scst_suspended_cmd_list);	/* under scst_suspend_lock */
/* commands swallowed by black_hole, see scst_park_black_hole() */
static DEFINE_SPINLOCK(scst_black_hole_lock);
static LIST_HEAD(scst_black_hole_list);
static DECLARE_WAIT_QUEUE_HEAD(scst_suspend_waitq);
static int scst_suspend_count;			/* under scst_suspend_mutex */
static bool scst_suspended;			/* READ_ONCE() on the I/O path */
/* Commands between EXEC_CHECK_BLOCKING and exec completion, per CPU */
static DEFINE_PER_CPU(long, scst_exec_cnt);

/* Commands whose driver asked to retry rdy_to_xfer()/xmit_response() */
#define SCST_RETRY_DELAY	(HZ / 50)
static DEFINE_SPINLOCK(scst_retry_lock);
static LIST_HEAD(scst_retry_list);
static void scst_retry_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(scst_retry_work, scst_retry_work_fn);

/* All sessions, for target wide task management functions */
static DEFINE_SPINLOCK(scst_dp_sess_lock);
static LIST_HEAD(scst_dp_sess_list);

static void scst_process_cmd(struct scst_cmd *cmd, bool atomic);

/* ---------------------------------------------------------------------
 * Processing threads
 */

struct scst_cmd_thread {
	struct list_head entry;		/* in pool->threads */
	struct task_struct *task;
	struct scst_cmd_queue *q;
};

static struct scst_cmd *scst_dequeue_cmd(struct scst_cmd_queue *q)
{
	struct scst_cmd *cmd = NULL;

	spin_lock_irq(&q->lock);
	if (!list_empty(&q->cmd_list)) {
		cmd = list_first_entry(&q->cmd_list, struct scst_cmd,
				       cmd_list_entry);
		list_del(&cmd->cmd_list_entry);
	}
	spin_unlock_irq(&q->lock);
	return cmd;
}

static int scst_cmd_thread_fn(void *arg)
{
	struct scst_cmd_thread *t = arg;
	struct scst_cmd_queue *q = t->q;
	struct scst_cmd *cmd;

	while (!kthread_should_stop()) {
		cmd = scst_dequeue_cmd(q);
		if (cmd) {
			scst_process_cmd(cmd, false);
			cond_resched();
			continue;
		}
		if (scst_poll_for_work(&q->cmd_list))
			continue;
		/* exclusive: one queued command wakes one thread */
		wait_event_interruptible_exclusive(q->waitq,
			!list_empty_careful(&q->cmd_list) ||
			kthread_should_stop());
	}
	return 0;
}

/*
 * Queue a command to a thread of its pool.  Any context.  The queue is the
 * one of the CPU the command arrived on; a queue left without threads by a
 * pool shrink redirects to queue 0, which always keeps thread 0.
 */
void scst_queue_cmd_thread(struct scst_cmd *cmd)
{
	struct scst_cmd_threads *pool = cmd->cmd_threads;
	unsigned int n = max(READ_ONCE(pool->nr_active_queues), 1);
	struct scst_cmd_queue *q = &pool->queues[(unsigned int)cmd->dp_cpu % n];
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (unlikely(!q->nr_threads && q != &pool->queues[0])) {
		spin_unlock_irqrestore(&q->lock, flags);
		q = &pool->queues[0];
		spin_lock_irqsave(&q->lock, flags);
	}
	list_add_tail(&cmd->cmd_list_entry, &q->cmd_list);
	spin_unlock_irqrestore(&q->lock, flags);
	wake_up(&q->waitq);
}

static int scst_pool_add_thread(struct scst_cmd_threads *pool)
{
	int idx = pool->nr_threads;
	struct scst_cmd_thread *t;
	struct task_struct *task;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->q = &pool->queues[idx % pool->nr_queues];
	task = kthread_create(scst_cmd_thread_fn, t, "%s%d", pool->name, idx);
	if (IS_ERR(task)) {
		kfree(t);
		return PTR_ERR(task);
	}
	t->task = task;
	if (pool->bound)
		set_cpus_allowed_ptr(task, &pool->cpu_mask);
	spin_lock_irq(&t->q->lock);
	t->q->nr_threads++;
	spin_unlock_irq(&t->q->lock);
	list_add_tail(&t->entry, &pool->threads);
	pool->nr_threads++;
	wake_up_process(task);
	return 0;
}

/* Stop the newest thread; orphaned commands move to a living queue */
static void scst_pool_del_thread(struct scst_cmd_threads *pool)
{
	struct scst_cmd_thread *t;
	struct scst_cmd *cmd, *tmp;
	LIST_HEAD(orphans);

	t = list_last_entry(&pool->threads, struct scst_cmd_thread, entry);
	list_del(&t->entry);
	pool->nr_threads--;
	kthread_stop(t->task);

	spin_lock_irq(&t->q->lock);
	if (--t->q->nr_threads == 0)
		list_splice_init(&t->q->cmd_list, &orphans);
	spin_unlock_irq(&t->q->lock);
	kfree(t);

	list_for_each_entry_safe(cmd, tmp, &orphans, cmd_list_entry) {
		list_del(&cmd->cmd_list_entry);
		if (WARN_ON_ONCE(!pool->nr_threads))
			continue;	/* pool teardown with live commands */
		scst_queue_cmd_thread(cmd);
	}
}

static int scst_pool_resize(struct scst_cmd_threads *pool, int nr)
{
	int rc = 0;

	mutex_lock(&pool->mutex);
	while (pool->nr_threads < nr) {
		rc = scst_pool_add_thread(pool);
		if (rc)
			break;
	}
	/* Shrink: stop using the queues that lose their threads first */
	WRITE_ONCE(pool->nr_active_queues,
		   max(min(min(nr, pool->nr_threads), pool->nr_queues), 1));
	while (pool->nr_threads > nr)
		scst_pool_del_thread(pool);
	mutex_unlock(&pool->mutex);
	return rc;
}

void scst_pool_destroy(struct scst_cmd_threads *pool)
{
	if (!pool->queues)
		return;
	scst_pool_resize(pool, 0);
	kfree(pool->queues);
	pool->queues = NULL;
}

/* mask: the CPUs the threads may run on; NULL: any */
int scst_pool_init(struct scst_cmd_threads *pool, const char *name, int nr,
		   const struct cpumask *mask)
{
	int i, rc;

	strscpy(pool->name, name, sizeof(pool->name));
	pool->bound = mask != NULL;
	if (mask)
		cpumask_copy(&pool->cpu_mask, mask);
	mutex_init(&pool->mutex);
	INIT_LIST_HEAD(&pool->threads);
	atomic_set(&pool->nr_cmds, 0);
	pool->nr_threads = 0;
	pool->nr_queues = nr_cpu_ids;
	pool->nr_active_queues = 1;
	pool->queues = kcalloc(pool->nr_queues, sizeof(*pool->queues),
			       GFP_KERNEL);
	if (!pool->queues)
		return -ENOMEM;
	for (i = 0; i < pool->nr_queues; i++) {
		spin_lock_init(&pool->queues[i].lock);
		INIT_LIST_HEAD(&pool->queues[i].cmd_list);
		init_waitqueue_head(&pool->queues[i].waitq);
	}
	rc = scst_pool_resize(pool, max(nr, 1));
	if (rc)
		scst_pool_destroy(pool);
	return rc;
}

/* Move the threads of pool to the CPUs of mask, now and for new threads */
void scst_pool_set_cpumask(struct scst_cmd_threads *pool,
			   const struct cpumask *mask)
{
	struct scst_cmd_thread *t;

	mutex_lock(&pool->mutex);
	cpumask_copy(&pool->cpu_mask, mask);
	pool->bound = true;
	list_for_each_entry(t, &pool->threads, entry)
		set_cpus_allowed_ptr(t->task, mask);
	mutex_unlock(&pool->mutex);
}

void scst_pool_wait_idle(struct scst_cmd_threads *pool)
{
	might_sleep();
	while (!wait_event_timeout(scst_drain_waitq,
				   atomic_read(&pool->nr_cmds) == 0, 60 * HZ))
		PRINT_WARNING("threads %s: still waiting for %d commands",
			      pool->name, atomic_read(&pool->nr_cmds));
}

/* A command releases the pool it was processed on (scst_pool_wait_idle) */
static void scst_cmd_pool_put(struct scst_cmd *cmd)
{
	struct scst_cmd_threads *pool = cmd->cmd_threads;

	if (pool != &scst_main_threads &&
	    atomic_dec_and_test(&pool->nr_cmds) &&
	    wq_has_sleeper(&scst_drain_waitq))
		wake_up_all(&scst_drain_waitq);
}

/* thread_pid of sessions/<sess>/lun<N>: the pids of the nexus's pool */
int scst_tgt_dev_thread_pids(struct scst_tgt_dev *tgt_dev, char *buf)
{
	struct scst_cmd_threads *pool;
	struct scst_cmd_thread *t;
	int n = 0;

	mutex_lock(&scst_dev_threads_mutex);
	pool = tgt_dev->active_cmd_threads;
	mutex_lock(&pool->mutex);
	list_for_each_entry(t, &pool->threads, entry)
		n += sysfs_emit_at(buf, n, "%s%d", n ? " " : "",
				   task_pid_nr(t->task));
	mutex_unlock(&pool->mutex);
	mutex_unlock(&scst_dev_threads_mutex);
	return n + sysfs_emit_at(buf, n, "\n");
}

/*
 * -1: the global pool; 0: the device's shared pool; n >= 1: the I/O group
 * n of the device (threads_pool_type per_initiator).
 */
int scst_tgt_dev_thread_index(struct scst_tgt_dev *tgt_dev)
{
	int idx;

	mutex_lock(&scst_dev_threads_mutex);
	if (tgt_dev->io_group)
		idx = scst_io_group_index(tgt_dev->io_group);
	else
		idx = tgt_dev->active_cmd_threads == &scst_main_threads ?
		      -1 : 0;
	mutex_unlock(&scst_dev_threads_mutex);
	return idx;
}

int scst_set_global_threads(int nr)
{
	int rc;

	if (nr < 1)
		return -EINVAL;
	rc = scst_pool_resize(&scst_main_threads, nr);
	scst_threads = scst_main_threads.nr_threads;
	return rc;
}

/* ---------------------------------------------------------------------
 * Command allocation and release
 */

bool scst_cmd_get_not_zero(struct scst_cmd *cmd)
{
	return atomic_inc_not_zero(&cmd->cmd_ref);
}

void scst_tgt_dev_unpin(struct scst_tgt_dev *tgt_dev)
{
	if (atomic_dec_and_test(&tgt_dev->tgt_dev_cmd_count) &&
	    wq_has_sleeper(&scst_drain_waitq))
		wake_up_all(&scst_drain_waitq);
}

static void scst_sn_done(struct scst_cmd *cmd);

static void scst_free_cmd(struct scst_cmd *cmd)
{
	struct scst_session *sess = cmd->sess;
	struct scst_tgt_dev *tgt_dev = cmd->tgt_dev;
	unsigned long flags;

	scst_stats_cmd_lat(cmd);
	if (sess->tgt->tgtt->on_free_cmd)
		sess->tgt->tgtt->on_free_cmd(cmd);
	if (cmd->dev && cmd->dev->handler->on_free_cmd)
		cmd->dev->handler->on_free_cmd(cmd);
	scst_sn_done(cmd);
	scst_free_cmd_bufs(cmd);

	if (test_bit(SCST_CMD_IN_SESS_LIST, &cmd->cmd_flags)) {
		spin_lock_irqsave(&sess->sess_list_lock, flags);
		list_del(&cmd->sess_cmd_list_entry);
		spin_unlock_irqrestore(&sess->sess_list_lock, flags);
		atomic_dec(&sess->active_cmds);
	}
	if (tgt_dev) {
		/* before the unpin: a drained nexus's group may be freed */
		scst_cmd_pool_put(cmd);
		atomic_dec(&cmd->dev->dev_cmd_count);
		scst_tgt_dev_unpin(tgt_dev);
	}
	kfree(cmd->ext_cdb);
	kmem_cache_free(scst_cmd_cachep, cmd);
	/* Last: the session may go away as soon as this is dropped */
	percpu_ref_put(&sess->refcnt);
}

void scst_cmd_put(struct scst_cmd *cmd)
{
	if (atomic_dec_and_test(&cmd->cmd_ref))
		scst_free_cmd(cmd);
}

int scst_cmd_set_ext_cdb(struct scst_cmd *cmd, const u8 *cdb,
			 unsigned int len, gfp_t gfp)
{
	u8 *ext;

	if (len <= SCST_MAX_CDB_SIZE) {
		memcpy(cmd->cdb_buf, cdb, len);
		cmd->cdb = cmd->cdb_buf;
		cmd->cdb_len = len;
		return 0;
	}
	ext = kmemdup(cdb, len, gfp);
	if (!ext)
		return -ENOMEM;
	kfree(cmd->ext_cdb);
	cmd->ext_cdb = ext;
	cmd->cdb = ext;
	cmd->cdb_len = len;
	return 0;
}
EXPORT_SYMBOL_GPL(scst_cmd_set_ext_cdb);

struct scst_cmd *scst_rx_cmd(struct scst_session *sess,
			     const u8 *lun, unsigned int lun_len,
			     const u8 *cdb, unsigned int cdb_len, bool atomic)
{
	gfp_t gfp = atomic ? GFP_ATOMIC : GFP_KERNEL;
	struct scst_cmd *cmd;
	bool ok = false;

	cmd = kmem_cache_zalloc(scst_cmd_cachep, gfp | __GFP_NOWARN);
	if (!cmd)
		return NULL;
	/* Fails once scst_unregister_session() started */
	if (!percpu_ref_tryget_live(&sess->refcnt)) {
		kmem_cache_free(scst_cmd_cachep, cmd);
		return NULL;
	}
	cmd->sess = sess;
	cmd->tgt = sess->tgt;
	cmd->cmd_threads = &scst_main_threads;
	atomic_set(&cmd->cmd_ref, 1);
	INIT_LIST_HEAD(&cmd->cmd_list_entry);
	INIT_LIST_HEAD(&cmd->sess_cmd_list_entry);
	INIT_LIST_HEAD(&cmd->dp_sn_list_entry);
	INIT_LIST_HEAD(&cmd->dp_tm_list_entry);
	cmd->queue_type = SCST_CMD_QUEUE_SIMPLE;
	cmd->expected_data_direction = SCST_DATA_UNKNOWN;
	cmd->data_direction = SCST_DATA_NONE;
	cmd->status = SAM_STAT_GOOD;
	cmd->state = SCST_CMD_STATE_INIT_WAIT;
	cmd->start_time = jiffies;
	cmd->dp_lat_start_ns = scst_lat_start();
	cmd->cdb = cmd->cdb_buf;
	if (lun)
		cmd->lun = scst_unpack_lun(lun, lun_len, &ok);
	if (!ok)
		cmd->lun = U64_MAX;	/* never mapped: LUN NOT SUPPORTED */
	if (scst_cmd_set_ext_cdb(cmd, cdb, cdb_len, gfp)) {
		kmem_cache_free(scst_cmd_cachep, cmd);
		percpu_ref_put(&sess->refcnt);
		return NULL;
	}
	return cmd;
}
EXPORT_SYMBOL_GPL(scst_rx_cmd);

/* ---------------------------------------------------------------------
 * Parking places: SN deferral, device blocking, global suspension.  A
 * parked command keeps its state and is requeued to a thread when it is
 * released; task management unparks aborted commands.
 */

/*
 * Called with the lock of the parking place held.  Pairs with the
 * set ABORTED / read dp_parked sequence of task management: either it sees
 * the command parked and unparks it, or we see ABORTED and do not park.
 */
static bool scst_park_locked(struct scst_cmd *cmd, struct list_head *list,
			     u8 where)
{
	list_add_tail(&cmd->cmd_list_entry, list);
	WRITE_ONCE(cmd->dp_parked, where);
	/* pairs with the barrier after set ABORTED in scst_tm_abort_cmd() */
	smp_mb();
	if (unlikely(test_bit(SCST_CMD_ABORTED, &cmd->cmd_flags))) {
		list_del(&cmd->cmd_list_entry);
		WRITE_ONCE(cmd->dp_parked, SCST_PARK_NONE);
		return false;
	}
	return true;
}

static void scst_requeue_list(struct list_head *list)
{
	struct scst_cmd *cmd, *tmp;

	list_for_each_entry_safe(cmd, tmp, list, cmd_list_entry) {
		list_del(&cmd->cmd_list_entry);
		scst_queue_cmd_thread(cmd);
	}
}

/* Move the commands of a parking list to "out" (lock held) */
static void scst_unpark_all_locked(struct list_head *parked,
				   struct list_head *out)
{
	struct scst_cmd *cmd;

	list_for_each_entry(cmd, parked, cmd_list_entry)
		WRITE_ONCE(cmd->dp_parked, SCST_PARK_NONE);
	list_splice_init(parked, out);
}

bool scst_unpark_cmd(struct scst_cmd *cmd)
{
	u8 where = READ_ONCE(cmd->dp_parked);
	unsigned long flags;
	spinlock_t *lock;
	bool found = false;

	switch (where) {
	case SCST_PARK_SN:
		lock = &cmd->tgt_dev->tgt_dev_lock;
		break;
	case SCST_PARK_DEV_BLOCK:
	case SCST_PARK_EXCL:
		lock = &cmd->dev->dev_lock;
		break;
	case SCST_PARK_SUSPEND:
		lock = &scst_suspend_lock;
		break;
	case SCST_PARK_BLACK_HOLE:
		lock = &scst_black_hole_lock;
		break;
	default:
		return false;
	}
	spin_lock_irqsave(lock, flags);
	if (cmd->dp_parked == where) {
		list_del(&cmd->cmd_list_entry);
		WRITE_ONCE(cmd->dp_parked, SCST_PARK_NONE);
		found = true;
	}
	spin_unlock_irqrestore(lock, flags);
	if (found)
		scst_queue_cmd_thread(cmd);
	return found;
}

static void scst_retry_later(struct scst_cmd *cmd)
{
	unsigned long flags;

	spin_lock_irqsave(&scst_retry_lock, flags);
	list_add_tail(&cmd->cmd_list_entry, &scst_retry_list);
	spin_unlock_irqrestore(&scst_retry_lock, flags);
	schedule_delayed_work(&scst_retry_work, SCST_RETRY_DELAY);
}

static void scst_retry_work_fn(struct work_struct *work)
{
	LIST_HEAD(list);

	spin_lock_irq(&scst_retry_lock);
	list_splice_init(&scst_retry_list, &list);
	spin_unlock_irq(&scst_retry_lock);
	scst_requeue_list(&list);
}

/* ---------------------------------------------------------------------
 * SAM task ordering (per I_T_L nexus)
 */

static void scst_sn_assign(struct scst_cmd *cmd)
{
	struct scst_tgt_dev *tgt_dev = cmd->tgt_dev;
	const struct scst_cdb_info *info;
	unsigned long flags;
	bool ordered = false;

	info = scst_cdb_lookup(cmd->cdb, cmd->cdb_len);
	if (info && (info->flags & SCST_CDB_IMPLICIT_HQ)) {
		set_bit(SCST_CMD_HOQ, &cmd->cmd_flags);
	} else {
		switch (cmd->queue_type) {
		case SCST_CMD_QUEUE_ORDERED:
			ordered = true;
			set_bit(SCST_CMD_ORDERED, &cmd->cmd_flags);
			break;
		case SCST_CMD_QUEUE_HEAD_OF_QUEUE:
			set_bit(SCST_CMD_HOQ, &cmd->cmd_flags);
			break;
		default:
			/*
			 * UNTAGGED and SIMPLE are SIMPLE.  NACA=1 is refused
			 * by the CDB parser, so no ACA condition ever exists;
			 * an ACA task is run as SIMPLE rather than rejected,
			 * which is what initiators that set it expect.
			 */
			break;
		}
	}

	spin_lock_irqsave(&tgt_dev->tgt_dev_lock, flags);
	cmd->sn = tgt_dev->next_sn++;
	list_add_tail(&cmd->dp_sn_list_entry, &tgt_dev->dp_sn_list);
	if (ordered)
		tgt_dev->ordered_pending++;
	set_bit(SCST_CMD_SN_LISTED, &cmd->cmd_flags);
	spin_unlock_irqrestore(&tgt_dev->tgt_dev_lock, flags);
}

/* May cmd execute now?  tgt_dev_lock held. */
static bool scst_sn_may_exec(struct scst_cmd *cmd)
{
	struct scst_tgt_dev *tgt_dev = cmd->tgt_dev;
	struct scst_cmd *c;

	if (!test_bit(SCST_CMD_SN_LISTED, &cmd->cmd_flags) ||
	    test_bit(SCST_CMD_HOQ, &cmd->cmd_flags))
		return true;
	if (test_bit(SCST_CMD_ORDERED, &cmd->cmd_flags))
		return list_first_entry(&tgt_dev->dp_sn_list, struct scst_cmd,
					dp_sn_list_entry) == cmd;
	if (!tgt_dev->ordered_pending)
		return true;
	list_for_each_entry(c, &tgt_dev->dp_sn_list, dp_sn_list_entry) {
		if (c == cmd)
			return true;
		if (test_bit(SCST_CMD_ORDERED, &c->cmd_flags))
			return false;
	}
	return true;
}

/* The command can no longer execute: release the commands it held up */
static void scst_sn_done(struct scst_cmd *cmd)
{
	struct scst_tgt_dev *tgt_dev = cmd->tgt_dev;
	struct scst_cmd *c, *tmp;
	unsigned long flags;
	LIST_HEAD(ready);

	if (!test_bit(SCST_CMD_SN_LISTED, &cmd->cmd_flags))
		return;
	spin_lock_irqsave(&tgt_dev->tgt_dev_lock, flags);
	if (test_and_clear_bit(SCST_CMD_SN_LISTED, &cmd->cmd_flags)) {
		list_del_init(&cmd->dp_sn_list_entry);
		if (test_bit(SCST_CMD_ORDERED, &cmd->cmd_flags))
			tgt_dev->ordered_pending--;
		list_for_each_entry_safe(c, tmp, &tgt_dev->deferred_cmd_list,
					 cmd_list_entry) {
			if (!scst_sn_may_exec(c))
				continue;
			list_move_tail(&c->cmd_list_entry, &ready);
			WRITE_ONCE(c->dp_parked, SCST_PARK_NONE);
		}
	}
	spin_unlock_irqrestore(&tgt_dev->tgt_dev_lock, flags);
	/* Never inline: we may be deep inside another command's completion */
	scst_requeue_list(&ready);
}

/* ---------------------------------------------------------------------
 * Exec accounting, device blocking and global suspension
 */

static long scst_exec_cnt_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(scst_exec_cnt, cpu));
	return sum;
}

/*
 * The per-CPU counters may be incremented on one CPU and decremented on
 * another; only their sum is meaningful.  Incrementers test scst_suspended
 * after a full barrier, and the suspender sets it before summing, so a sum
 * of zero seen by the suspender is exact (no increment can be missed).
 */
static void scst_exec_cnt_dec(void)
{
	this_cpu_dec(scst_exec_cnt);
	/* pairs with the barrier after setting scst_suspended */
	smp_mb();
	if (unlikely(READ_ONCE(scst_suspended)))
		wake_up_all(&scst_suspend_waitq);
}

static void scst_excl_wake(struct scst_device *dev);
static void scst_excl_release(struct scst_cmd *cmd);

static void scst_dev_exec_dec(struct scst_device *dev)
{
	if (!atomic_dec_and_test(&dev->on_dev_cmd_count))
		return;
	if (wq_has_sleeper(&dev->on_dev_waitq))
		wake_up_all(&dev->on_dev_waitq);
	/*
	 * An exclusive command that saw us still counted may not be on
	 * dp_excl_wait_list yet, so test the block (taken before it
	 * counted itself; ordered by the atomic RMWs on on_dev_cmd_count),
	 * not the list: scst_excl_wake() takes dev_lock, so it runs after
	 * that command has parked.
	 */
	if (unlikely(READ_ONCE(dev->block_count)))
		scst_excl_wake(dev);
}

/* Drop the exec counters, release SN followers and flag "done" */
static void scst_exec_finished(struct scst_cmd *cmd)
{
	if (test_and_clear_bit(SCST_CMD_IN_EXEC_CNT, &cmd->cmd_flags)) {
		if (cmd->dev)
			scst_dev_exec_dec(cmd->dev);
		scst_exec_cnt_dec();
	}
	if (unlikely(test_bit(SCST_CMD_EXCL, &cmd->cmd_flags)))
		scst_excl_release(cmd);
	scst_sn_done(cmd);
	set_bit(SCST_CMD_DONE, &cmd->cmd_flags);
	/* pairs with the barrier after set ABORTED in scst_tm_abort_cmd() */
	smp_mb__after_atomic();
	/* task management may be waiting for this command */
	if (unlikely(test_bit(SCST_CMD_ABORTED, &cmd->cmd_flags)))
		wake_up_all(&scst_tm_waitq);
}

bool scst_cmd_in_exec(struct scst_cmd *cmd)
{
	return test_bit(SCST_CMD_EXEC_STARTED, &cmd->cmd_flags) &&
	       !test_bit(SCST_CMD_DONE, &cmd->cmd_flags);
}

static int scst_park_suspended(struct scst_cmd *cmd)
{
	unsigned long flags;
	bool parked = false;

	spin_lock_irqsave(&scst_suspend_lock, flags);
	if (scst_suspended)
		parked = scst_park_locked(cmd, &scst_suspended_cmd_list,
					  SCST_PARK_SUSPEND);
	spin_unlock_irqrestore(&scst_suspend_lock, flags);
	/* not parked: the state machine retries (or sees ABORTED) */
	return parked ? SCST_RES_STOP : SCST_RES_CONT;
}

/*
 * black_hole fault injection (target / initiator group attribute, copied
 * to sess->dp_black_hole): 1 and 3 swallow every command, 2 and 4 only
 * those that transfer data.  A swallowed command is neither executed nor
 * answered; only task management (ABORT TASK, LUN/target reset, nexus
 * loss), which aborts and unparks it, releases it.  The global lock is only
 * taken while an administrator has turned black_hole on.
 */
static bool scst_black_holed(struct scst_cmd *cmd)
{
	int mode = READ_ONCE(cmd->sess->dp_black_hole);

	if (mode == 2 || mode == 4)
		return cmd->data_direction != SCST_DATA_NONE;
	return mode != 0;
}

static int scst_park_black_hole(struct scst_cmd *cmd)
{
	unsigned long flags;
	bool parked;

	spin_lock_irqsave(&scst_black_hole_lock, flags);
	parked = scst_park_locked(cmd, &scst_black_hole_list,
				  SCST_PARK_BLACK_HOLE);
	spin_unlock_irqrestore(&scst_black_hole_lock, flags);
	/* not parked: already aborted, which the state machine handles */
	return parked ? SCST_RES_STOP : SCST_RES_CONT;
}

static int scst_park_blocked(struct scst_cmd *cmd)
{
	struct scst_device *dev = cmd->dev;
	unsigned long flags;
	bool parked = false;

	spin_lock_irqsave(&dev->dev_lock, flags);
	if (dev->block_count)
		parked = scst_park_locked(cmd, &dev->dp_blocked_cmd_list,
					  SCST_PARK_DEV_BLOCK);
	spin_unlock_irqrestore(&dev->dev_lock, flags);
	return parked ? SCST_RES_STOP : SCST_RES_CONT;
}

/*
 * Exclusive commands (SCST_CDB_EXCLUSIVE) execute alone on their device.
 * Such a command first takes a block of the device like the "block"
 * attribute does, so that later commands park before exec, then waits,
 * parked on dev->dp_excl_wait_list, until the commands already executing
 * have left exec.  Nothing sleeps: the last command to leave requeues it.
 * Other commands pay for this only while a block is in effect.
 */
static bool scst_cmd_exclusive(const struct scst_cmd *cmd)
{
	return cmd->cdb_info &&
	       (cmd->cdb_info->flags & SCST_CDB_EXCLUSIVE);
}

/*
 * Take the device block for cmd.  False if the device is blocked already:
 * then *res says what the state machine does (parked: STOP; aborted
 * meanwhile: CONT, which ends the command).
 */
static bool scst_excl_take(struct scst_cmd *cmd, int *res)
{
	struct scst_device *dev = cmd->dev;
	unsigned long flags;
	bool taken = false;

	spin_lock_irqsave(&dev->dev_lock, flags);
	if (!dev->block_count) {
		dev->block_count++;
		set_bit(SCST_CMD_EXCL, &cmd->cmd_flags);
		taken = true;
	} else if (scst_park_locked(cmd, &dev->dp_blocked_cmd_list,
				    SCST_PARK_DEV_BLOCK)) {
		*res = SCST_RES_STOP;
	} else {
		*res = SCST_RES_CONT;
	}
	spin_unlock_irqrestore(&dev->dev_lock, flags);
	return taken;
}

/*
 * cmd holds the block and is counted in on_dev_cmd_count.  True if it is
 * alone in exec.  Otherwise it stops being counted and parks until the
 * last other command leaves (scst_excl_wake()); *res as for
 * scst_excl_take().
 */
static bool scst_excl_alone(struct scst_cmd *cmd, int *res)
{
	struct scst_device *dev = cmd->dev;
	unsigned long flags;
	bool alone = false;

	spin_lock_irqsave(&dev->dev_lock, flags);
	if (atomic_dec_return(&dev->on_dev_cmd_count) == 0) {
		atomic_inc(&dev->on_dev_cmd_count);
		alone = true;
	} else if (scst_park_locked(cmd, &dev->dp_excl_wait_list,
				    SCST_PARK_EXCL)) {
		*res = SCST_RES_STOP;
	} else {
		*res = SCST_RES_CONT;	/* aborted; releases the block */
	}
	spin_unlock_irqrestore(&dev->dev_lock, flags);
	return alone;
}

static void scst_excl_wake(struct scst_device *dev)
{
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&dev->dev_lock, flags);
	scst_unpark_all_locked(&dev->dp_excl_wait_list, &list);
	spin_unlock_irqrestore(&dev->dev_lock, flags);
	scst_requeue_list(&list);
}

/* Any context: the exclusive command executed or will never execute */
static void scst_excl_release(struct scst_cmd *cmd)
{
	struct scst_device *dev = cmd->dev;
	unsigned long flags;
	LIST_HEAD(list);

	if (!test_and_clear_bit(SCST_CMD_EXCL, &cmd->cmd_flags))
		return;
	spin_lock_irqsave(&dev->dev_lock, flags);
	if (dev->block_count > 0 && --dev->block_count == 0)
		scst_unpark_all_locked(&dev->dp_blocked_cmd_list, &list);
	spin_unlock_irqrestore(&dev->dev_lock, flags);
	scst_requeue_list(&list);
}

/* Can exec() (or the core's own implementation) run in atomic context? */
static bool scst_exec_may_be_atomic(struct scst_cmd *cmd)
{
	return !test_bit(SCST_CMD_LOCAL_EXEC, &cmd->cmd_flags) &&
	       cmd->dev && cmd->dev->handler->exec_atomic;
}

static int scst_exec_check_blocking(struct scst_cmd *cmd, bool atomic)
{
	struct scst_device *dev = cmd->dev;
	int res;

	/* switch context before counting the command as executing */
	if (atomic && !scst_exec_may_be_atomic(cmd))
		return SCST_RES_NEED_THREAD;

	this_cpu_inc(scst_exec_cnt);
	/* pairs with the barrier in scst_suspend_activity() */
	smp_mb();
	if (unlikely(READ_ONCE(scst_suspended))) {
		scst_exec_cnt_dec();
		return scst_park_suspended(cmd);
	}
	if (dev) {
		if (unlikely(scst_cmd_exclusive(cmd)) &&
		    !test_bit(SCST_CMD_EXCL, &cmd->cmd_flags) &&
		    !scst_excl_take(cmd, &res)) {
			scst_exec_cnt_dec();
			return res;
		}
		atomic_inc(&dev->on_dev_cmd_count);
		/* pairs with the barriers in scst_block_dev(), scst_excl_take() */
		smp_mb__after_atomic();
		if (unlikely(READ_ONCE(dev->block_count))) {
			if (test_bit(SCST_CMD_EXCL, &cmd->cmd_flags)) {
				if (!scst_excl_alone(cmd, &res)) {
					scst_exec_cnt_dec();
					return res;
				}
			} else {
				scst_dev_exec_dec(dev);
				scst_exec_cnt_dec();
				return scst_park_blocked(cmd);
			}
		}
	}
	set_bit(SCST_CMD_IN_EXEC_CNT, &cmd->cmd_flags);
	cmd->state = SCST_CMD_STATE_EXEC;
	return SCST_RES_CONT;
}

int scst_suspend_activity(unsigned long timeout_jiffies)
{
	long rc;

	mutex_lock(&scst_suspend_mutex);
	if (scst_suspend_count++ == 0) {
		spin_lock_irq(&scst_suspend_lock);
		WRITE_ONCE(scst_suspended, true);
		spin_unlock_irq(&scst_suspend_lock);
	}
	mutex_unlock(&scst_suspend_mutex);
	/* pairs with the one in scst_exec_check_blocking() */
	smp_mb();

	/* timeout 0: wait until every executing command finished */
	if (timeout_jiffies)
		rc = wait_event_interruptible_timeout(scst_suspend_waitq,
					scst_exec_cnt_sum() == 0,
					timeout_jiffies);
	else
		rc = wait_event_interruptible(scst_suspend_waitq,
					      scst_exec_cnt_sum() == 0) ?: 1;
	if (rc > 0)
		return 0;
	scst_resume_activity();
	return rc < 0 ? -EINTR : -EBUSY;
}

void scst_resume_activity(void)
{
	LIST_HEAD(list);

	mutex_lock(&scst_suspend_mutex);
	if (WARN_ON_ONCE(scst_suspend_count == 0)) {
		mutex_unlock(&scst_suspend_mutex);
		return;
	}
	if (--scst_suspend_count == 0) {
		spin_lock_irq(&scst_suspend_lock);
		WRITE_ONCE(scst_suspended, false);
		scst_unpark_all_locked(&scst_suspended_cmd_list, &list);
		spin_unlock_irq(&scst_suspend_lock);
	}
	mutex_unlock(&scst_suspend_mutex);
	scst_requeue_list(&list);
}

int scst_get_suspend_count(void)
{
	return READ_ONCE(scst_suspend_count);
}

int scst_block_dev(struct scst_device *dev, bool wait)
{
	spin_lock_irq(&dev->dev_lock);
	dev->block_count++;
	spin_unlock_irq(&dev->dev_lock);
	/* pairs with the one in scst_exec_check_blocking() */
	smp_mb();
	if (!wait)
		return 0;
	if (wait_event_interruptible(dev->on_dev_waitq,
			atomic_read(&dev->on_dev_cmd_count) == 0)) {
		scst_unblock_dev(dev);
		return -EINTR;
	}
	return 0;
}

void scst_unblock_dev(struct scst_device *dev)
{
	LIST_HEAD(list);

	spin_lock_irq(&dev->dev_lock);
	if (dev->block_count > 0 && --dev->block_count == 0)
		scst_unpark_all_locked(&dev->dp_blocked_cmd_list, &list);
	spin_unlock_irq(&dev->dev_lock);
	scst_requeue_list(&list);
}

/* ---------------------------------------------------------------------
 * State functions
 */

static u16 scst_len_field(const struct scst_cmd *cmd)
{
	return cmd->cdb_info ? cmd->cdb_info->len_off : 0;
}

static void scst_set_parsed(struct scst_cmd *cmd,
			    const struct scst_cdb_parsed *p)
{
	u32 len = (u32)p->data_len;

	cmd->cdb_info = p->info;
	cmd->data_direction = p->direction;
	cmd->lba = p->lba;
	cmd->nr_blocks = p->nr_blocks;
	cmd->fua = p->fua;
	cmd->dp_cdb_data_len = len;
	/*
	 * An allocation length only bounds what the device returns; do not
	 * let an initiator make us allocate gigabytes for a few bytes.
	 */
	if (p->info->len_unit == SCST_CDB_UNIT_BYTES &&
	    p->direction == SCST_DATA_READ && len > SCST_MAX_ALLOC_LEN_BUF)
		len = SCST_MAX_ALLOC_LEN_BUF;
	cmd->bufflen = len;
	if (p->direction == SCST_DATA_BIDI)
		cmd->out_bufflen = len;
}

/*
 * Compare the CDB with what the transport announced.  Returns true if the
 * command failed.  The buffer is sized by the CDB; a Data-Out transfer is
 * limited to what the initiator will send.
 */
static bool scst_check_expected(struct scst_cmd *cmd)
{
	enum scst_data_direction dir = cmd->data_direction;
	enum scst_data_direction exp_dir = cmd->expected_data_direction;
	u32 exp_len = cmd->expected_transfer_len;

	if (!cmd->expected_values_set || exp_dir == SCST_DATA_UNKNOWN)
		return false;
	if (exp_len == 0 && exp_dir != SCST_DATA_BIDI)
		exp_dir = SCST_DATA_NONE;
	/*
	 * A Data-In command sent with a Data-Out buffer only (iSCSI W bit
	 * instead of R): the initiator has no room for Data-In, which is the
	 * same as an expected length of 0.  It executes, returns no data and
	 * reports all of it as overflow; the Data-Out is never asked for, so
	 * the transport drops it.  The reverse cannot work: a Data-Out
	 * command without Data-Out fails below.
	 */
	if (dir == SCST_DATA_READ && exp_dir == SCST_DATA_WRITE) {
		cmd->expected_data_direction = SCST_DATA_NONE;
		cmd->expected_transfer_len = 0;
		return false;
	}
	if (dir != SCST_DATA_NONE && exp_dir != SCST_DATA_NONE &&
	    dir != exp_dir) {
		scst_set_invalid_field_in_cdb(cmd, scst_len_field(cmd), -1);
		return true;
	}
	if (dir == SCST_DATA_WRITE && exp_len < cmd->bufflen) {
		cmd->bufflen = exp_len;
		set_bit(SCST_CMD_WRITE_OVERFLOW, &cmd->cmd_flags);
	} else if (dir == SCST_DATA_BIDI &&
		   cmd->expected_out_transfer_len < cmd->out_bufflen) {
		cmd->out_bufflen = cmd->expected_out_transfer_len;
		set_bit(SCST_CMD_WRITE_OVERFLOW, &cmd->cmd_flags);
	}
	return false;
}

/*
 * A write to a write-protected LUN: DATA PROTECT only if the handler
 * implements the command at all, else INVALID COMMAND OPERATION CODE (an
 * initiator probing for the command must learn that it is missing).
 */
static void scst_set_write_protected(struct scst_cmd *cmd)
{
	struct scst_device *dev = cmd->dev;

	if (cmd->cdb_info && dev->handler->opcode_supported &&
	    !dev->handler->opcode_supported(dev, cmd->cdb_info))
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_invalid_opcode));
	else
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_write_protected));
}

/* Device checks after decoding; returns true if the command failed */
static bool scst_check_dev(struct scst_cmd *cmd, u32 flags)
{
	struct scst_device *dev = cmd->dev;
	struct scst_session *holder = READ_ONCE(dev->reserved_by);
	u64 cap = READ_ONCE(dev->nr_blocks);

	if (holder && holder != cmd->sess &&
	    !(flags & SCST_CDB_RES_ALLOWED)) {
		scst_set_cmd_error_status(cmd, SAM_STAT_RESERVATION_CONFLICT);
		return true;
	}
	if ((flags & SCST_CDB_WRITE_MEDIUM) &&
	    (cmd->tgt_dev->rd_only || dev->rd_only || dev->swp)) {
		scst_set_write_protected(cmd);
		return true;
	}
	if (!(flags & SCST_CDB_LBA))
		return false;
	/* no capacity (e.g. no medium): the handler reports NOT READY */
	if (cap && (cmd->lba > cap || cmd->nr_blocks > cap - cmd->lba)) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_lba_out_of_range));
		return true;
	}
	/*
	 * MAXIMUM TRANSFER LENGTH limits commands that transfer their
	 * blocks, not WRITE SAME, SYNCHRONIZE CACHE or VERIFY with BYTCHK=0.
	 */
	if (dev->max_xfer_blocks && cmd->nr_blocks > dev->max_xfer_blocks &&
	    cmd->dp_cdb_data_len ==
			(u64)cmd->nr_blocks << dev->block_shift) {
		scst_set_invalid_field_in_cdb(cmd, scst_len_field(cmd), -1);
		return true;
	}
	return false;
}

static bool scst_ua_exempt(struct scst_cmd *cmd, int rc,
			   const struct scst_cdb_parsed *p)
{
	const struct scst_cdb_info *info;

	if (!rc)
		return p->flags & SCST_CDB_UA_EXEMPT;
	info = scst_cdb_lookup(cmd->cdb, cmd->cdb_len);
	return info && (info->flags & SCST_CDB_UA_EXEMPT);
}

/*
 * SPC-4: to a LUN without logical unit, INQUIRY reports peripheral
 * qualifier 011b, REQUEST SENSE returns LOGICAL UNIT NOT SUPPORTED as data
 * and REPORT LUNS works; everything else fails.
 */
static int scst_parse_unmapped(struct scst_cmd *cmd, int rc,
			       const struct scst_cdb_parsed *p)
{
	u8 op = cmd->cdb_len ? cmd->cdb[0] : TEST_UNIT_READY;

	if (!cmd->cdb_len ||
	    (op != INQUIRY && op != REQUEST_SENSE && op != REPORT_LUNS)) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_lun_not_supported));
		return SCST_RES_CONT;
	}
	if (rc) {
		scst_set_parse_error(cmd, p);
		return SCST_RES_CONT;
	}
	scst_set_parsed(cmd, p);
	if (scst_check_expected(cmd))
		return SCST_RES_CONT;
	set_bit(SCST_CMD_LOCAL_EXEC, &cmd->cmd_flags);
	cmd->state = SCST_CMD_STATE_PREPARE_SPACE;
	return SCST_RES_CONT;
}

static int scst_parse(struct scst_cmd *cmd, bool atomic)
{
	struct scst_device *dev = cmd->dev;
	struct scst_cdb_parsed p;
	int rc;

	/* Decide on the context first: the UA check below is destructive */
	if (atomic && dev && dev->handler->parse && !dev->handler->parse_atomic)
		return SCST_RES_NEED_THREAD;

	memset(&p, 0, sizeof(p));
	rc = scst_cdb_parse(cmd->cdb, cmd->cdb_len,
			    dev ? dev->block_shift : 9, &p);
	/* any failure below goes straight to the response */
	cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
	if (!dev)
		return scst_parse_unmapped(cmd, rc, &p);
	if (!scst_ua_exempt(cmd, rc, &p) && scst_check_deliver_ua(cmd))
		return SCST_RES_CONT;
	if (rc) {
		scst_set_parse_error(cmd, &p);
		return SCST_RES_CONT;
	}
	if (p.data_len > U32_MAX) {
		cmd->cdb_info = p.info;
		scst_set_invalid_field_in_cdb(cmd, scst_len_field(cmd), -1);
		return SCST_RES_CONT;
	}
	scst_set_parsed(cmd, &p);
	if (scst_check_expected(cmd) || scst_alua_check_cmd(cmd) ||
	    scst_check_dev(cmd, p.flags))
		return SCST_RES_CONT;
	if (((p.flags & SCST_CDB_LOCAL) &&
	     scst_local_cmd_supported(cmd->cdb, cmd->cdb_len)) ||
	    scst_alua_local_cmd(cmd))
		set_bit(SCST_CMD_LOCAL_EXEC, &cmd->cmd_flags);
	else if (dev->handler->parse && dev->handler->parse(cmd)) {
		if (cmd->status == SAM_STAT_GOOD)
			scst_set_cmd_error(cmd,
				SCST_LOAD_SENSE(scst_sense_hardw_error));
		return SCST_RES_CONT;
	}
	cmd->state = SCST_CMD_STATE_PREPARE_SPACE;
	return SCST_RES_CONT;
}

static int scst_prepare_space(struct scst_cmd *cmd, bool atomic)
{
	int rc = 0;

	if (cmd->bufflen || cmd->out_bufflen)
		rc = scst_alloc_cmd_bufs(cmd, atomic);
	if (rc == -EAGAIN && atomic)
		return SCST_RES_NEED_THREAD;
	if (rc == -E2BIG) {
		scst_set_invalid_field_in_cdb(cmd, scst_len_field(cmd), -1);
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		return SCST_RES_CONT;
	}
	if (rc) {
		scst_set_busy(cmd);
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		return SCST_RES_CONT;
	}
	cmd->state = SCST_CMD_STATE_RDY_TO_XFER;
	return SCST_RES_CONT;
}

static int scst_rdy_to_xfer(struct scst_cmd *cmd, bool atomic)
{
	struct scst_tgt_template *tgtt = cmd->tgt->tgtt;
	u32 len = cmd->data_direction == SCST_DATA_BIDI ? cmd->out_bufflen :
							   cmd->bufflen;
	int rc;

	if (!scst_cmd_has_data_out(cmd) || !len) {
		cmd->state = SCST_CMD_STATE_EXEC_CHECK_SN;
		return SCST_RES_CONT;
	}
	if (unlikely(!tgtt->rdy_to_xfer)) {
		/* never write uninitialised buffer contents to the medium */
		pr_err_ratelimited("scst: target driver %s cannot receive data\n",
				   tgtt->name);
		scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_hardw_error));
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		return SCST_RES_CONT;
	}
	if (atomic && !tgtt->rdy_to_xfer_atomic)
		return SCST_RES_NEED_THREAD;

	WRITE_ONCE(cmd->state, SCST_CMD_STATE_DATA_WAIT);
	rc = tgtt->rdy_to_xfer(cmd);
	if (likely(rc == SCST_TGT_RES_SUCCESS))
		return SCST_RES_STOP;	/* scst_rx_data() may have run */

	cmd->state = SCST_CMD_STATE_RDY_TO_XFER;
	if (rc == SCST_TGT_RES_NEED_THREAD_CTX && atomic)
		return SCST_RES_NEED_THREAD;
	if (rc == SCST_TGT_RES_QUEUE_FULL ||
	    rc == SCST_TGT_RES_NEED_THREAD_CTX) {
		scst_retry_later(cmd);
		return SCST_RES_STOP;
	}
	scst_set_cmd_error(cmd, SCST_LOAD_SENSE(scst_sense_hardw_error));
	cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
	return SCST_RES_CONT;
}

/* Commands whose Data-Out is the logical blocks they write, one by one */
static bool scst_data_out_is_blocks(const struct scst_cmd *cmd)
{
	switch (cmd->cdb[0]) {
	case WRITE_6:
	case WRITE_10:
	case WRITE_12:
	case WRITE_16:
	case WRITE_VERIFY:
	case WRITE_VERIFY_12:
	case WRITE_VERIFY_16:
		return cmd->dev && cmd->dp_cdb_data_len ==
			(u64)cmd->nr_blocks << cmd->dev->block_shift;
	}
	return false;
}

/*
 * The initiator sent less Data-Out than the CDB describes (bufflen was cut
 * to its expected transfer length and that much was drained).  A write of
 * logical blocks executes on the whole blocks that arrived, as iSCSI
 * initiators expect (RFC 7143 11.4.5.2); the residual reports the
 * overflow.  A partial block cannot be written: INVALID FIELD IN
 * INFORMATION UNIT.  Other commands (parameter lists) fail as before.
 * Returns true if the command failed.
 */
static bool scst_write_overflow_failed(struct scst_cmd *cmd)
{
	u32 len = cmd->bufflen;

	if (!scst_data_out_is_blocks(cmd)) {
		scst_set_invalid_field_in_cdb(cmd, scst_len_field(cmd), -1);
		return true;
	}
	if (len & (scst_dev_block_size(cmd->dev) - 1)) {
		scst_set_cmd_error(cmd,
			SCST_LOAD_SENSE(scst_sense_invalid_field_in_command_info_unit));
		return true;
	}
	cmd->nr_blocks = len >> cmd->dev->block_shift;
	return false;
}

static int scst_exec_check_sn(struct scst_cmd *cmd, bool atomic)
{
	struct scst_tgt_dev *tgt_dev = cmd->tgt_dev;
	unsigned long flags;
	bool may_exec;

	if (unlikely(test_bit(SCST_CMD_WRITE_OVERFLOW, &cmd->cmd_flags)) &&
	    scst_write_overflow_failed(cmd)) {
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		return SCST_RES_CONT;
	}
	if (!tgt_dev || test_bit(SCST_CMD_HOQ, &cmd->cmd_flags) ||
	    (!test_bit(SCST_CMD_ORDERED, &cmd->cmd_flags) &&
	     !READ_ONCE(tgt_dev->ordered_pending)))
		goto exec;

	spin_lock_irqsave(&tgt_dev->tgt_dev_lock, flags);
	may_exec = scst_sn_may_exec(cmd) ||
		   !scst_park_locked(cmd, &tgt_dev->deferred_cmd_list,
				     SCST_PARK_SN);
	spin_unlock_irqrestore(&tgt_dev->tgt_dev_lock, flags);
	if (!may_exec)
		return SCST_RES_STOP;	/* scst_sn_done() requeues it */
	/* may also be "aborted while parking": the loop checks that */
	if (test_bit(SCST_CMD_ABORTED, &cmd->cmd_flags))
		return SCST_RES_CONT;
exec:
	cmd->state = SCST_CMD_STATE_EXEC_CHECK_BLOCKING;
	return SCST_RES_CONT;
}

static int scst_exec(struct scst_cmd *cmd, bool atomic)
{
	bool local = test_bit(SCST_CMD_LOCAL_EXEC, &cmd->cmd_flags);
	struct scst_dev_type *handler = cmd->dev ? cmd->dev->handler : NULL;
	enum scst_exec_res res;

	if (atomic && !scst_exec_may_be_atomic(cmd))
		return SCST_RES_NEED_THREAD;

	/* The exec side of the abort handshake, see scst_tm.c */
	set_bit(SCST_CMD_EXEC_STARTED, &cmd->cmd_flags);
	/* pairs with the barrier after set ABORTED in scst_tm_abort_cmd() */
	smp_mb__after_atomic();
	if (unlikely(test_bit(SCST_CMD_ABORTED, &cmd->cmd_flags))) {
		scst_exec_finished(cmd);
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		return SCST_RES_CONT;
	}
	if (local) {
		scst_local_exec(cmd);
		scst_exec_finished(cmd);
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		return SCST_RES_CONT;
	}

	set_bit(SCST_CMD_HANDLER_EXEC, &cmd->cmd_flags);
	WRITE_ONCE(cmd->state, SCST_CMD_STATE_EXEC_WAIT);
	res = handler->exec(cmd);
	if (likely(res != SCST_EXEC_NEED_THREAD))
		return SCST_RES_STOP;	/* scst_cmd_done() may have run */

	cmd->state = SCST_CMD_STATE_EXEC;
	if (atomic)
		return SCST_RES_NEED_THREAD;
	WARN_ONCE(1, "scst: handler %s asked for a thread from a thread\n",
		  handler->name);
	scst_retry_later(cmd);
	return SCST_RES_STOP;
}

static int scst_dev_done(struct scst_cmd *cmd, bool atomic)
{
	struct scst_dev_type *handler = cmd->dev ? cmd->dev->handler : NULL;

	if (handler && handler->dev_done &&
	    test_bit(SCST_CMD_HANDLER_EXEC, &cmd->cmd_flags)) {
		if (atomic && !handler->dev_done_atomic)
			return SCST_RES_NEED_THREAD;
		handler->dev_done(cmd);
	}
	cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
	return SCST_RES_CONT;
}

/*
 * Aborted commands: no response to the nexus that aborted them (the TMF
 * response covers them); commands aborted from another nexus get TASK
 * ABORTED if the control mode page TAS bit is set, otherwise no response
 * (a COMMANDS CLEARED BY ANOTHER INITIATOR UA was queued where SAM-5
 * requires it).
 */
static void scst_set_abort_resp(struct scst_cmd *cmd)
{
	if (test_bit(SCST_CMD_NO_RESP, &cmd->cmd_flags))
		return;
	if (test_bit(SCST_CMD_ABORTED_OTHER, &cmd->cmd_flags) &&
	    cmd->dev && cmd->dev->tas) {
		scst_set_cmd_error_status(cmd, SAM_STAT_TASK_ABORTED);
		return;
	}
	set_bit(SCST_CMD_NO_RESP, &cmd->cmd_flags);
}

static void scst_fix_resp_len(struct scst_cmd *cmd)
{
	u32 len = cmd->resp_data_len;

	if (!scst_cmd_has_data_in(cmd) || !cmd->sg)
		len = 0;
	len = min(len, cmd->bufflen);
	cmd->dp_full_resp_len = len;
	/* Data-In transfer = min(resp_data_len, expected_transfer_len) */
	if (cmd->expected_values_set)
		len = min(len, cmd->expected_transfer_len);
	cmd->resp_data_len = len;
}

/* trace_level "scsi": one line per command with its CDB and status */
static void scst_trace_cmd_done(struct scst_cmd *cmd)
{
	pr_info("scst: %s lun %lld tag %llu cdb %*phN status 0x%02x resp_len %u\n",
		cmd->sess->sess_name, (s64)cmd->lun, cmd->tag,
		min_t(int, cmd->cdb_len, 32), cmd->cdb, cmd->status,
		cmd->resp_data_len);
}

static int scst_pre_xmit_resp(struct scst_cmd *cmd, bool atomic)
{
	/* whatever happened, it can no longer execute */
	scst_exec_finished(cmd);
	if (unlikely(test_bit(SCST_CMD_ABORTED, &cmd->cmd_flags)))
		scst_set_abort_resp(cmd);
	scst_fix_resp_len(cmd);
	scst_stats_count_cmd(cmd);
	if (scst_tracing(SCST_TRACE_SCSI))
		scst_trace_cmd_done(cmd);
	cmd->state = SCST_CMD_STATE_XMIT_RESP;
	return SCST_RES_CONT;
}

static int scst_xmit_resp(struct scst_cmd *cmd, bool atomic)
{
	struct scst_tgt_template *tgtt = cmd->tgt->tgtt;
	int rc;

	if (atomic && !tgtt->xmit_response_atomic)
		return SCST_RES_NEED_THREAD;

	set_bit(SCST_CMD_XMITTING, &cmd->cmd_flags);
	WRITE_ONCE(cmd->state, SCST_CMD_STATE_XMIT_WAIT);
	rc = tgtt->xmit_response(cmd);
	if (likely(rc == SCST_TGT_RES_SUCCESS))
		return SCST_RES_STOP;	/* scst_tgt_cmd_done() may have run */

	if (rc == SCST_TGT_RES_QUEUE_FULL ||
	    rc == SCST_TGT_RES_NEED_THREAD_CTX) {
		clear_bit(SCST_CMD_XMITTING, &cmd->cmd_flags);
		cmd->state = SCST_CMD_STATE_XMIT_RESP;
		if (rc == SCST_TGT_RES_NEED_THREAD_CTX && atomic)
			return SCST_RES_NEED_THREAD;
		scst_retry_later(cmd);
		return SCST_RES_STOP;
	}
	/* fatal: the driver cannot send anything; just free the command */
	pr_err_ratelimited("scst: %s: xmit_response() failed (%d), dropping command tag %llu\n",
			   tgtt->name, rc, cmd->tag);
	cmd->state = SCST_CMD_STATE_FINISHED;
	return SCST_RES_CONT;
}

static bool scst_state_before_exec(int state)
{
	return state >= SCST_CMD_STATE_PARSE &&
	       state <= SCST_CMD_STATE_EXEC_CHECK_BLOCKING;
}

static int scst_run_state(struct scst_cmd *cmd, bool atomic)
{
	switch (cmd->state) {
	case SCST_CMD_STATE_PARSE:
		return scst_parse(cmd, atomic);
	case SCST_CMD_STATE_PREPARE_SPACE:
		return scst_prepare_space(cmd, atomic);
	case SCST_CMD_STATE_RDY_TO_XFER:
		return scst_rdy_to_xfer(cmd, atomic);
	case SCST_CMD_STATE_EXEC_CHECK_SN:
		if (unlikely(scst_black_holed(cmd)))
			return scst_park_black_hole(cmd);
		return scst_exec_check_sn(cmd, atomic);
	case SCST_CMD_STATE_EXEC_CHECK_BLOCKING:
		return scst_exec_check_blocking(cmd, atomic);
	case SCST_CMD_STATE_EXEC:
		return scst_exec(cmd, atomic);
	case SCST_CMD_STATE_DEV_DONE:
		return scst_dev_done(cmd, atomic);
	case SCST_CMD_STATE_PRE_XMIT_RESP:
		return scst_pre_xmit_resp(cmd, atomic);
	case SCST_CMD_STATE_XMIT_RESP:
		return scst_xmit_resp(cmd, atomic);
	case SCST_CMD_STATE_FINISHED:
		scst_cmd_put(cmd);
		return SCST_RES_STOP;
	default:
		WARN_ONCE(1, "scst: command in unexpected state %d\n",
			  cmd->state);
		return SCST_RES_STOP;
	}
}

static void scst_process_cmd(struct scst_cmd *cmd, bool atomic)
{
	int res;

	for (;;) {
		/* An aborted command that has not started never starts */
		if (unlikely(test_bit(SCST_CMD_ABORTED, &cmd->cmd_flags)) &&
		    scst_state_before_exec(cmd->state))
			cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		res = scst_run_state(cmd, atomic);
		if (res == SCST_RES_CONT)
			continue;
		if (res == SCST_RES_NEED_THREAD)
			scst_queue_cmd_thread(cmd);
		return;
	}
}

/* Continue processing in the context a driver or handler offered */
static void scst_process_in_ctx(struct scst_cmd *cmd,
				enum scst_exec_context ctx)
{
	switch (ctx) {
	case SCST_CONTEXT_DIRECT_ATOMIC:
		scst_process_cmd(cmd, true);
		break;
	case SCST_CONTEXT_DIRECT:
		/* The caller promises it may sleep (see enum scst_exec_context) */
		scst_process_cmd(cmd, false);
		break;
	default:
		scst_queue_cmd_thread(cmd);
		break;
	}
}

/* ---------------------------------------------------------------------
 * Entry points of drivers and handlers
 */

/* INIT: LUN -> tgt_dev, pinned; SN in init_done order */
static void scst_cmd_init_lun(struct scst_cmd *cmd)
{
	struct scst_tgt_dev *tgt_dev = NULL;
	struct scst_cmd_threads *pool;
	int max;

	cmd->state = SCST_CMD_STATE_PARSE;
	rcu_read_lock();
	if (cmd->lun <= SCST_MAX_LUN)
		tgt_dev = xa_load(&cmd->sess->tgt_devs, cmd->lun);
	if (tgt_dev) {
		atomic_inc(&tgt_dev->tgt_dev_cmd_count);
		/*
		 * In the RCU section: scst_dev_set_threads() replaces the
		 * pool, waits for a grace period, then for nr_cmds.
		 */
		pool = READ_ONCE(tgt_dev->active_cmd_threads);
		if (pool != &scst_main_threads)
			atomic_inc(&pool->nr_cmds);
		cmd->cmd_threads = pool;
	}
	rcu_read_unlock();
	if (!tgt_dev)
		return;

	cmd->tgt_dev = tgt_dev;
	cmd->dev = tgt_dev->dev;
	atomic_inc(&cmd->dev->dev_cmd_count);
	scst_sn_assign(cmd);

	max = READ_ONCE(cmd->dev->max_tgt_dev_commands);
	if (max > 0 && atomic_read(&tgt_dev->tgt_dev_cmd_count) > max) {
		scst_set_busy(cmd);
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
	}
}

void scst_cmd_init_done(struct scst_cmd *cmd, enum scst_exec_context ctx)
{
	struct scst_session *sess = cmd->sess;
	unsigned long flags;
	bool aborting;

	cmd->dp_cpu = raw_smp_processor_id();
	cmd->state = SCST_CMD_STATE_INIT;
	atomic64_inc(&sess->cmd_count);
	atomic_inc(&sess->active_cmds);
	/* before the command is visible to LUN-scoped task management */
	scst_cmd_init_lun(cmd);

	spin_lock_irqsave(&sess->sess_list_lock, flags);
	list_add_tail(&cmd->sess_cmd_list_entry, &sess->sess_cmd_list);
	set_bit(SCST_CMD_IN_SESS_LIST, &cmd->cmd_flags);
	aborting = sess->dp_aborting;
	spin_unlock_irqrestore(&sess->sess_list_lock, flags);
	if (unlikely(aborting)) {
		/* the nexus is going away; missed by the abort scan */
		set_bit(SCST_CMD_NO_RESP, &cmd->cmd_flags);
		set_bit(SCST_CMD_ABORTED, &cmd->cmd_flags);
	}
	scst_process_in_ctx(cmd, ctx);
}
EXPORT_SYMBOL_GPL(scst_cmd_init_done);

void scst_rx_data(struct scst_cmd *cmd, int status,
		  enum scst_exec_context ctx)
{
	if (WARN_ON_ONCE(cmd->state != SCST_CMD_STATE_DATA_WAIT))
		return;
	switch (status) {
	case SCST_RX_STATUS_SUCCESS:
		cmd->state = SCST_CMD_STATE_EXEC_CHECK_SN;
		break;
	case SCST_RX_STATUS_ERROR_SENSE_SET:
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		break;
	case SCST_RX_STATUS_ERROR_FATAL:
		/* nothing can be sent: xmit_response() sees NO_RESP */
		set_bit(SCST_CMD_NO_RESP, &cmd->cmd_flags);
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		break;
	default:
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_data_phase_error));
		cmd->state = SCST_CMD_STATE_PRE_XMIT_RESP;
		break;
	}
	scst_process_in_ctx(cmd, ctx);
}
EXPORT_SYMBOL_GPL(scst_rx_data);

void scst_cmd_done(struct scst_cmd *cmd, enum scst_exec_context ctx)
{
	if (WARN_ON_ONCE(cmd->state != SCST_CMD_STATE_EXEC_WAIT))
		return;
	scst_exec_finished(cmd);
	cmd->state = SCST_CMD_STATE_DEV_DONE;
	scst_process_in_ctx(cmd, ctx);
}
EXPORT_SYMBOL_GPL(scst_cmd_done);

void scst_tgt_cmd_done(struct scst_cmd *cmd, enum scst_exec_context ctx)
{
	if (WARN_ON_ONCE(cmd->state != SCST_CMD_STATE_XMIT_WAIT))
		return;
	cmd->state = SCST_CMD_STATE_FINISHED;
	if (ctx == SCST_CONTEXT_THREAD)
		scst_queue_cmd_thread(cmd);
	else
		scst_cmd_put(cmd);
}
EXPORT_SYMBOL_GPL(scst_tgt_cmd_done);

/* ---------------------------------------------------------------------
 * Data buffer helpers
 */

bool scst_get_resid(struct scst_cmd *cmd, int *resid, int *bidi_out_resid)
{
	s64 in = 0, out = 0;

	if (resid)
		*resid = 0;
	if (bidi_out_resid)
		*bidi_out_resid = 0;
	if (!cmd->expected_values_set)
		return false;

	/* positive: underflow (less than expected), negative: overflow */
	switch (cmd->data_direction) {
	case SCST_DATA_READ:
		in = (s64)cmd->expected_transfer_len - cmd->dp_full_resp_len;
		break;
	case SCST_DATA_WRITE:
		in = (s64)cmd->expected_transfer_len - cmd->dp_cdb_data_len;
		break;
	case SCST_DATA_BIDI:
		in = (s64)cmd->expected_transfer_len - cmd->dp_full_resp_len;
		out = (s64)cmd->expected_out_transfer_len -
		      cmd->dp_cdb_data_len;
		break;
	default:
		in = cmd->expected_transfer_len;
		break;
	}
	in = clamp_t(s64, in, INT_MIN, INT_MAX);
	out = clamp_t(s64, out, INT_MIN, INT_MAX);
	if (resid)
		*resid = (int)in;
	if (bidi_out_resid)
		*bidi_out_resid = (int)out;
	return in || out;
}
EXPORT_SYMBOL_GPL(scst_get_resid);

size_t scst_copy_to_cmd(struct scst_cmd *cmd, const void *buf, size_t len)
{
	if (!cmd->sg)
		return 0;
	return sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, buf,
				   min_t(size_t, len, cmd->bufflen));
}
EXPORT_SYMBOL_GPL(scst_copy_to_cmd);

size_t scst_copy_from_cmd(struct scst_cmd *cmd, void *buf, size_t len)
{
	struct scatterlist *sg = cmd->sg;
	int cnt = cmd->sg_cnt;
	u32 avail = cmd->bufflen;

	if (cmd->data_direction == SCST_DATA_BIDI) {
		sg = cmd->out_sg;
		cnt = cmd->out_sg_cnt;
		avail = cmd->out_bufflen;
	}
	if (!sg)
		return 0;
	return sg_copy_to_buffer(sg, cnt, buf, min_t(size_t, len, avail));
}
EXPORT_SYMBOL_GPL(scst_copy_from_cmd);

/* ---------------------------------------------------------------------
 * Session, device and I_T_L nexus data plane state
 */

static void scst_sess_refs_release(struct percpu_ref *ref)
{
	struct scst_session *sess = container_of(ref, struct scst_session,
						 refcnt);

	/* complete_all(): a repeated abort_all_and_wait() must not block */
	complete_all(&sess->dp_refs_done);
}

int scst_sess_dataplane_init(struct scst_session *sess)
{
	int rc;

	INIT_LIST_HEAD(&sess->sess_cmd_list);
	init_completion(&sess->dp_refs_done);
	sess->dp_aborting = false;
	sess->dp_refs_killed = false;
	rc = percpu_ref_init(&sess->refcnt, scst_sess_refs_release, 0,
			     GFP_KERNEL);
	if (rc)
		return rc;
	spin_lock_irq(&scst_dp_sess_lock);
	list_add_tail(&sess->dp_sess_list_entry, &scst_dp_sess_list);
	spin_unlock_irq(&scst_dp_sess_lock);
	return 0;
}

void scst_sess_abort_all_and_wait(struct scst_session *sess)
{
	might_sleep();
	if (!sess->dp_refs_killed) {
		sess->dp_refs_killed = true;
		/* scst_rx_cmd() fails from now on */
		percpu_ref_kill(&sess->refcnt);
	}
	scst_tm_sess_unreg(sess);
	while (!wait_for_completion_timeout(&sess->dp_refs_done, 60 * HZ))
		PRINT_WARNING("session %s: still waiting for %d commands to be released by target driver %s",
			      sess->sess_name ?: sess->initiator_name,
			      atomic_read(&sess->active_cmds),
			      sess->tgt->tgtt->name);
}

void scst_sess_dataplane_exit(struct scst_session *sess)
{
	spin_lock_irq(&scst_dp_sess_lock);
	list_del(&sess->dp_sess_list_entry);
	spin_unlock_irq(&scst_dp_sess_lock);
	WARN_ON_ONCE(!list_empty(&sess->sess_cmd_list));
	percpu_ref_exit(&sess->refcnt);
}

/*
 * Snapshot the sessions of tgt with a reference on each; the caller drops
 * them with percpu_ref_put() and frees the array.  Returns the count or a
 * negative errno.
 */
int scst_get_tgt_sessions(struct scst_tgt *tgt, struct scst_session ***sessp)
{
	struct scst_session **arr, *sess;
	int n = 0, cap = 8;

	for (;;) {
		arr = kcalloc(cap, sizeof(*arr), GFP_KERNEL);
		if (!arr)
			return -ENOMEM;
		n = 0;
		spin_lock_irq(&scst_dp_sess_lock);
		list_for_each_entry(sess, &scst_dp_sess_list,
				    dp_sess_list_entry) {
			if (sess->tgt != tgt)
				continue;
			if (n == cap)
				break;
			if (percpu_ref_tryget(&sess->refcnt))
				arr[n++] = sess;
		}
		if (n < cap || list_entry_is_head(sess, &scst_dp_sess_list,
						  dp_sess_list_entry)) {
			spin_unlock_irq(&scst_dp_sess_lock);
			*sessp = arr;
			return n;
		}
		spin_unlock_irq(&scst_dp_sess_lock);
		while (n)
			percpu_ref_put(&arr[--n]->refcnt);
		kfree(arr);
		cap *= 2;
	}
}

int scst_dev_dataplane_init(struct scst_device *dev)
{
	INIT_LIST_HEAD(&dev->dp_blocked_cmd_list);
	INIT_LIST_HEAD(&dev->dp_excl_wait_list);
	init_waitqueue_head(&dev->on_dev_waitq);
	atomic_set(&dev->dev_cmd_count, 0);
	atomic_set(&dev->on_dev_cmd_count, 0);
	dev->dev_cmd_threads = NULL;
	INIT_LIST_HEAD(&dev->io_groups);
	return scst_dev_shared_pool_create(dev);
}

int scst_dev_shared_pool_create(struct scst_device *dev)
{
	struct scst_cmd_threads *pool;
	int rc;

	/* per_initiator: the threads belong to I/O groups (scst_iogrp.c) */
	if (dev->threads_num <= 0 ||
	    dev->threads_pool_type != SCST_THREADS_POOL_SHARED)
		return 0;

	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return -ENOMEM;
	/* thread names: <device>_<n>, truncated by the kernel to 15 chars */
	snprintf(pool->name, sizeof(pool->name), "%s_",
		 dev->virt_name ?: "dev");
	rc = scst_pool_init(pool, pool->name, dev->threads_num, NULL);
	if (rc) {
		kfree(pool);
		return rc;
	}
	dev->dev_cmd_threads = pool;
	return 0;
}

void scst_dev_shared_pool_free(struct scst_cmd_threads *pool)
{
	if (!pool)
		return;
	scst_pool_destroy(pool);
	kfree(pool);
}

void scst_dev_dataplane_exit(struct scst_device *dev)
{
	WARN_ON_ONCE(!list_empty(&dev->dp_blocked_cmd_list));
	WARN_ON_ONCE(!list_empty(&dev->io_groups));
	WARN_ON_ONCE(!list_empty(&dev->dp_excl_wait_list));
	scst_dev_shared_pool_free(dev->dev_cmd_threads);
	dev->dev_cmd_threads = NULL;
}

void scst_tgt_dev_dataplane_init(struct scst_tgt_dev *tgt_dev)
{
	INIT_LIST_HEAD(&tgt_dev->dp_sn_list);
	tgt_dev->next_sn = 0;
	tgt_dev->ordered_pending = 0;
	tgt_dev->ua_count = 0;
	tgt_dev->active_cmd_threads = tgt_dev->dev->dev_cmd_threads ?:
				      &scst_main_threads;
	/* SAM-5: a new I_T nexus starts with a reset unit attention */
	scst_tgt_dev_queue_ua(tgt_dev, SCST_LOAD_SENSE(scst_sense_reset_UA));
}

void scst_tgt_dev_drain_and_exit(struct scst_tgt_dev *tgt_dev)
{
	might_sleep();
	while (!wait_event_timeout(scst_drain_waitq,
			atomic_read(&tgt_dev->tgt_dev_cmd_count) == 0,
			60 * HZ))
		PRINT_WARNING("LUN %llu of session %s: still waiting for %d commands",
			      tgt_dev->lun, tgt_dev->sess->sess_name ?: "?",
			      atomic_read(&tgt_dev->tgt_dev_cmd_count));
	scst_tgt_dev_free_uas(tgt_dev);
	/* SPC-2: LUN removal releases the reservation of this nexus */
	cmpxchg(&tgt_dev->dev->reserved_by, tgt_dev->sess, NULL);
	WRITE_ONCE(tgt_dev->prevent_removal, false);
}

/* ---------------------------------------------------------------------
 * Module init / exit
 */

int scst_dataplane_init(void)
{
	int rc;

	scst_cmd_cachep = KMEM_CACHE(scst_cmd, SLAB_HWCACHE_ALIGN);
	if (!scst_cmd_cachep)
		return -ENOMEM;
	rc = scst_ua_init();
	if (rc)
		goto out_cmd;
	rc = scst_mem_init();
	if (rc)
		goto out_ua;
	rc = scst_pool_init(&scst_main_threads, "scstd",
			    scst_threads > 0 ? scst_threads :
					       num_online_cpus(), NULL);
	if (rc)
		goto out_mem;
	scst_threads = scst_main_threads.nr_threads;
	rc = scst_tm_init();
	if (rc)
		goto out_pool;
	return 0;

out_pool:
	scst_pool_destroy(&scst_main_threads);
out_mem:
	scst_mem_exit();
out_ua:
	scst_ua_exit();
out_cmd:
	kmem_cache_destroy(scst_cmd_cachep);
	return rc;
}

void scst_dataplane_exit(void)
{
	scst_tm_exit();
	cancel_delayed_work_sync(&scst_retry_work);
	WARN_ON_ONCE(!list_empty(&scst_retry_list));
	scst_pool_destroy(&scst_main_threads);
	scst_mem_exit();
	scst_ua_exit();
	kmem_cache_destroy(scst_cmd_cachep);
}
