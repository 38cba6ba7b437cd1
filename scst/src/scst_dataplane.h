/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by the data plane files only
 * (scst_targ.c, scst_tm.c, scst_ua.c, scst_local_cmd.c, scst_mem.c).
 *
 * Command life cycle (one state function per active state, see scst_targ.c):
 *
 *   INIT -> PARSE -> PREPARE_SPACE -> RDY_TO_XFER -> [DATA_WAIT] ->
 *   EXEC_CHECK_SN -> EXEC_CHECK_BLOCKING -> EXEC -> [EXEC_WAIT] ->
 *   DEV_DONE -> PRE_XMIT_RESP -> XMIT_RESP -> [XMIT_WAIT] -> FINISHED
 *
 * States in brackets are passive: the command belongs to the target driver
 * or the handler until it calls scst_rx_data(), scst_cmd_done() or
 * scst_tgt_cmd_done().  Any failure before EXEC jumps to PRE_XMIT_RESP.
 *
 * Locking order (all data plane spinlocks are irq-safe, since completions
 * arrive from bio end_io in hard or soft irq context):
 *
 *   dev->dev_lock -> sess->sess_list_lock -> tgt_dev->tgt_dev_lock
 *
 * Thread queue locks, scst_suspend_lock, the retry list lock, the TM list
 * lock, scst_dp_sess_lock and the sg cache locks are leaves: nothing else is
 * taken under them.  Nothing is ever called back into a driver or handler
 * with one of these locks held.
 */
#ifndef __SCST_DATAPLANE_H
#define __SCST_DATAPLANE_H

#include <linux/kthread.h>
#include "scst_priv.h"

enum scst_cmd_state {
	SCST_CMD_STATE_INIT_WAIT = 0,	/* allocated, before init_done */
	SCST_CMD_STATE_INIT,		/* LUN -> tgt_dev, SN assignment */
	SCST_CMD_STATE_PARSE,
	SCST_CMD_STATE_PREPARE_SPACE,
	SCST_CMD_STATE_RDY_TO_XFER,
	SCST_CMD_STATE_DATA_WAIT,	/* waiting for scst_rx_data() */
	SCST_CMD_STATE_EXEC_CHECK_SN,
	SCST_CMD_STATE_EXEC_CHECK_BLOCKING,
	SCST_CMD_STATE_EXEC,
	SCST_CMD_STATE_EXEC_WAIT,	/* waiting for scst_cmd_done() */
	SCST_CMD_STATE_DEV_DONE,
	SCST_CMD_STATE_PRE_XMIT_RESP,
	SCST_CMD_STATE_XMIT_RESP,
	SCST_CMD_STATE_XMIT_WAIT,	/* waiting for scst_tgt_cmd_done() */
	SCST_CMD_STATE_FINISHED,
};

/* What a state function tells the state machine loop */
enum scst_state_res {
	SCST_RES_CONT,		/* go on with cmd->state */
	SCST_RES_STOP,		/* command handed off; do not touch it */
	SCST_RES_NEED_THREAD,	/* requeue to a thread, same state */
};

/*
 * Data plane cmd_flags bits (scst.h owns bits 0-15).  All flags that may
 * change while someone else looks at the command are atomic bits.
 */
#define SCST_CMD_EXEC_STARTED	16	/* passed the abort/exec handshake */
#define SCST_CMD_IN_EXEC_CNT	17	/* counted in the exec counters */
#define SCST_CMD_HANDLER_EXEC	18	/* handler exec() was called */
#define SCST_CMD_TM_LISTED	19	/* on the TM thread's work list */
#define SCST_CMD_LOCAL_EXEC	20	/* executed by the core itself */
#define SCST_CMD_WRITE_OVERFLOW	21	/* fetch data, then fail the cmd */
#define SCST_CMD_SN_LISTED	22	/* on tgt_dev->dp_sn_list */
#define SCST_CMD_ORDERED	23	/* ORDERED task attribute */
#define SCST_CMD_HOQ		24	/* HEAD OF QUEUE task attribute */
#define SCST_CMD_IN_SESS_LIST	25	/* on sess->sess_cmd_list */
#define SCST_CMD_EXCL		26	/* holds a block of its device */

/* Where a command is parked (cmd->dp_parked), protected by that list's lock */
enum scst_park {
	SCST_PARK_NONE = 0,
	SCST_PARK_SN,		/* tgt_dev->deferred_cmd_list, tgt_dev_lock */
	SCST_PARK_DEV_BLOCK,	/* dev->dp_blocked_cmd_list, dev_lock */
	SCST_PARK_SUSPEND,	/* global suspend list, scst_suspend_lock */
	SCST_PARK_BLACK_HOLE,	/* black_hole list, scst_black_hole_lock */
	SCST_PARK_EXCL,		/* dev->dp_excl_wait_list, dev_lock */
};

/*
 * Command processing threads.  A pool has one queue per possible CPU; only
 * the first nr_active_queues queues are used, each served by at least one
 * thread, so that queueing a command takes the lock of one queue only and
 * the commands of a CPU are processed by the threads of "its" queue.
 */
struct scst_cmd_queue {
	spinlock_t lock;
	struct list_head cmd_list;
	wait_queue_head_t waitq;
	int nr_threads;			/* under lock */
} ____cacheline_aligned_in_smp;

struct scst_cmd_threads {
	char name[32];
	struct mutex mutex;		/* serialises resizing */
	int nr_threads;			/* under mutex */
	int nr_active_queues;		/* READ_ONCE() on the I/O path */
	int nr_queues;
	struct scst_cmd_queue *queues;
	struct list_head threads;	/* struct scst_cmd_thread, under mutex */
	bool bound;			/* threads run on cpu_mask only */
	struct cpumask cpu_mask;	/* under mutex */
	/* live commands whose cmd_threads is this pool (not the global one) */
	atomic_t nr_cmds;
};

/* Thresholds and limits */
#define SCST_MAX_UA_PER_TGT_DEV		16
/* Largest buffer for an allocation length (not for block data) */
#define SCST_MAX_ALLOC_LEN_BUF		(1024 * 1024)

/* ---- scst_targ.c ---- */
extern struct scst_cmd_threads scst_main_threads;
extern wait_queue_head_t scst_tm_waitq;

void scst_queue_cmd_thread(struct scst_cmd *cmd);
int scst_pool_init(struct scst_cmd_threads *pool, const char *name, int nr,
		   const struct cpumask *mask);
void scst_pool_destroy(struct scst_cmd_threads *pool);
/*
 * Wait until no command uses pool any more.  The caller made it
 * unreachable (no tgt_dev points at it) and let an RCU grace period pass.
 */
void scst_pool_wait_idle(struct scst_cmd_threads *pool);
/* dev->dev_cmd_threads for threads_pool_type shared (scst_mutex held) */
int scst_dev_shared_pool_create(struct scst_device *dev);
void scst_dev_shared_pool_free(struct scst_cmd_threads *pool);
/*
 * Serialises the readers of tgt_dev->active_cmd_threads and
 * tgt_dev->io_group outside scst_mutex (sysfs show) with
 * scst_dev_set_threads(), which replaces the pools of live nexuses.
 */
extern struct mutex scst_dev_threads_mutex;
void scst_pool_set_cpumask(struct scst_cmd_threads *pool,
			   const struct cpumask *mask);
bool scst_cmd_get_not_zero(struct scst_cmd *cmd);
void scst_cmd_put(struct scst_cmd *cmd);
bool scst_unpark_cmd(struct scst_cmd *cmd);
bool scst_cmd_in_exec(struct scst_cmd *cmd);
void scst_tgt_dev_unpin(struct scst_tgt_dev *tgt_dev);
/* Session registry for target wide task management functions */
int scst_get_tgt_sessions(struct scst_tgt *tgt,
			  struct scst_session ***sessp);

/* ---- scst_tm.c ---- */
int scst_tm_init(void);
void scst_tm_exit(void);
void scst_tm_sess_unreg(struct scst_session *sess);

/* ---- scst_ua.c ---- */
int scst_ua_init(void);
void scst_ua_exit(void);
bool scst_check_deliver_ua(struct scst_cmd *cmd);
bool scst_tgt_dev_dequeue_ua(struct scst_tgt_dev *tgt_dev, u8 *key, u8 *asc,
			     u8 *ascq);
void scst_sess_clear_ua(struct scst_session *sess, u8 key, u8 asc, u8 ascq);
void scst_tgt_dev_free_uas(struct scst_tgt_dev *tgt_dev);
void scst_set_cmd_sense(struct scst_cmd *cmd, const u8 *sense, int len);
void scst_set_parse_error(struct scst_cmd *cmd,
			  const struct scst_cdb_parsed *p);

/* ---- scst_local_cmd.c ---- */
bool scst_local_cmd_supported(const u8 *cdb, unsigned int cdb_len);
void scst_local_exec(struct scst_cmd *cmd);

/* ---- scst_mem.c ---- */
int scst_mem_init(void);
void scst_mem_exit(void);
/* 0, -EAGAIN (retry in a thread), -ENOMEM (busy), -E2BIG (never fits) */
int scst_alloc_cmd_bufs(struct scst_cmd *cmd, bool atomic);
/* Any context */
void scst_free_cmd_bufs(struct scst_cmd *cmd);

static inline bool scst_cmd_has_data_out(const struct scst_cmd *cmd)
{
	return cmd->data_direction == SCST_DATA_WRITE ||
	       cmd->data_direction == SCST_DATA_BIDI;
}

static inline bool scst_cmd_has_data_in(const struct scst_cmd *cmd)
{
	return cmd->data_direction == SCST_DATA_READ ||
	       cmd->data_direction == SCST_DATA_BIDI;
}

#endif /* __SCST_DATAPLANE_H */
