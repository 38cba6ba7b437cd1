/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iscsi_dp.h - private structures of the iSCSI data path (nthread.c,
 * iscsi.c, digest.c).  Nothing here is used by the management half.
 *
 * Objects and lifetimes:
 *
 *  struct iscsi_conn_io  One per connection in full feature phase.  Holds
 *      the receive thread, the transmit queue and thread, the task table
 *      and the housekeeping timer.  Reference counted: the connection owns
 *      one reference (dropped by iscsi_conn_io_release()), every task and
 *      every pending task management request own one.  Code reachable from
 *      SCST callbacks only touches the io, never struct iscsi_conn or its
 *      socket once the connection was torn down.
 *
 *  struct iscsi_cmnd  One per SCSI task.  References: the task table
 *      (while the ITT is live), the SCST command (from scst_rx_cmd() until
 *      on_free_cmd()), the transmit queue / acknowledgement list (while the
 *      response is queued or its pages may still be referenced by the
 *      socket), and temporary ones of the receive thread.
 *
 *  struct iscsi_pdu  Any other PDU we send (R2T, NOP-In, Reject, TMF,
 *      Logout and Text responses, Async Message).
 *
 * Locks (never taken from hard or soft interrupt context):
 *  io->task_lock  task table, every cmnd's receive state, data_wait_list,
 *                 next_ttt, rx_closed.
 *  io->tx_lock    transmit queue, tx ownership, tx_closed, ack_list.
 *  session->sn_lock  ExpCmdSN / MaxCmdSN / window slots (iscsi.h).
 *  The order is task_lock -> tx_lock -> sn_lock; no path needs two of them.
 */
#ifndef __ISCSI_DP_H
#define __ISCSI_DP_H

#include <linux/kref.h>
#include <linux/hashtable.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/bvec.h>
#include <linux/scatterlist.h>

#include "iscsi.h"

#define ISCSI_ITT_HASH_BITS	7
/* Outstanding R2Ts per task we ever issue (MaxOutstandingR2T caps it) */
#define ISCSI_MAX_R2T_PER_CMD	8
#define ISCSI_SCRATCH_LEN	(4 * PAGE_SIZE)
/* Largest (accumulated) Text Request we accept in full feature phase */
#define ISCSI_MAX_TEXT_LEN	(64 * 1024)
/* Async logout request: Parameter3, then the grace until we close */
#define ISCSI_LOGOUT_REQ_WAIT	2
#define ISCSI_LOGOUT_REQ_GRACE	(5 * HZ)
/* How long a Reject or Logout Response may take to leave before close */
#define ISCSI_CLOSE_FLUSH_TIME	(3 * HZ)
/* Housekeeping timer; faster while responses wait for acknowledgement */
#define ISCSI_TICK		HZ
#define ISCSI_FAST_TICK		(HZ / 20)
/* Data-In shorter than this is copied into the socket (not held) */
#define ISCSI_ZC_MIN_LEN	2048

enum iscsi_tx_type {
	ISCSI_TX_PDU,
	ISCSI_TX_RSP,
};

/* Something on the transmit queue */
struct iscsi_tx_item {
	struct list_head entry;
	u8 type;			/* enum iscsi_tx_type */
};

/* A PDU other than a SCSI response; StatSN etc. are filled at send time */
struct iscsi_pdu {
	struct iscsi_tx_item tx;
	u8 bhs[ISCSI_BHS_LEN];
	void *data;			/* kvmalloc()ed, owned; or NULL */
	u32 data_len;
	unsigned inc_statsn:1;		/* a response: takes the next StatSN */
	unsigned no_statsn:1;		/* StatSN field reserved */
	unsigned close_after:1;		/* end the connection once sent */
};

/* Receive state of a task (under io->task_lock) */
enum iscsi_rx_state {
	ISCSI_RX_INIT,		/* not yet handed to SCST */
	ISCSI_RX_NO_DATA,	/* no Data-Out accepted for it */
	ISCSI_RX_WAIT_DATA,	/* rdy_to_xfer() called, receiving */
	ISCSI_RX_DRAIN,		/* failed or aborted: later data dropped */
	ISCSI_RX_DONE,		/* all data in, scst_rx_data() called */
};

/* One R2T we issued and whose data has not fully arrived */
struct iscsi_r2t {
	u32 ttt;
	u32 offset;
	u32 len;
	u32 done;
	u32 datasn;		/* next expected DataSN of this sequence */
	bool sent;		/* R2T PDU queued */
	u32 r2tsn;
};

/* A position in a scatterlist, for sequential walks */
struct iscsi_sg_pos {
	struct scatterlist *head;
	struct scatterlist *sg;
	u32 start;		/* buffer offset of sg's first byte */
};

struct iscsi_cmnd {
	struct iscsi_tx_item tx;	/* response; also ack_list entry */
	struct kref ref;
	struct iscsi_conn_io *io;
	struct scst_cmd *scst_cmd;	/* NULL: we answer ourselves */
	struct hlist_node hash_entry;	/* io->itt_hash */
	struct list_head wait_entry;	/* io->data_wait_list */
	struct list_head tmf_entry;	/* scst_tm thread only */
	u32 itt;
	u8 lun[8];
	bool hashed;
	bool counted;			/* holds a CmdSN window slot */
	bool has_data_out;

	/* receive side, under io->task_lock */
	u8 rx_state;			/* enum iscsi_rx_state */
	bool rx_busy;			/* receive thread copying into sg */
	bool rx_abort;			/* aborted while rx_busy */
	bool unsol_expected;		/* unsolicited Data-Out may follow */
	bool unsol_done;
	struct scatterlist *sg;		/* Data-Out buffer */
	u32 buf_len;
	u32 edtl;			/* Expected Data Transfer Length */
	u32 unsol_limit;		/* min(EDTL, FirstBurstLength) */
	u32 unsol_next;			/* next unsolicited offset */
	u32 unsol_datasn;
	u32 r2t_next;			/* next offset to solicit */
	u32 received;			/* bytes of [0, buf_len) received */
	int nr_r2t;
	struct iscsi_r2t r2t[ISCSI_MAX_R2T_PER_CMD];
	u32 data_sn;			/* next R2TSN / Data-In DataSN */
	unsigned long rx_activity;	/* jiffies, for RspTimeout */
	struct iscsi_sg_pos rx_pos;	/* receive thread only */

	/* response, set by xmit_response(); then transmit owner only */
	u8 status;
	u8 rsp_flags;			/* O/U/o/u */
	bool collapse;			/* status in the last Data-In */
	bool rsp_pdu;			/* a SCSI Response follows the data */
	bool zero_copy;			/* pages were given to the socket */
	unsigned long rsp_final_done;	/* bit 0: slot and ITT released */
	/*
	 * Who decides about the response: xmit_response() sending it
	 * (ISCSI_RSP_QUEUED) or ABORT TASK claiming the task
	 * (ISCSI_RSP_ABORTED), whichever comes first (cmpxchg).
	 */
	atomic_t rsp_claim;
	u32 resid;
	u32 bidi_resid;
	struct scatterlist *tx_sg;
	u32 tx_len;
	u32 tx_off;
	u32 stat_sn;			/* of the final PDU */
	u32 sense_len;			/* bytes in rsp_data incl. length */
	u8 rsp_data[2 + SCST_SENSE_BUFFERSIZE];
	struct iscsi_sg_pos tx_pos;
};

/* The PDU the transmit owner is sending (transmit owner only) */
struct iscsi_tx_cur {
	bool valid;
	bool item_done;			/* last PDU of the queue head */
	bool more;			/* the same item has more PDUs */
	struct iscsi_cmnd *cmnd;	/* data from cmnd->tx_sg */
	u8 hdr[ISCSI_BHS_LEN + ISCSI_DIGEST_LEN];
	u32 hdr_len;
	void *kbuf;			/* linear data, or NULL */
	u32 data_off;			/* buffer offset of sg data */
	u32 data_len;
	bool copy;			/* copy sg data, do not sendpage */
	u8 trailer[ISCSI_PAD_LEN + ISCSI_DIGEST_LEN];
	u32 trailer_len;
	u32 pos;			/* bytes sent */
	struct scatterlist *sg;		/* send cursor */
	u32 sg_off;
};

enum {
	ISCSI_RSP_OPEN,
	ISCSI_RSP_QUEUED,
	ISCSI_RSP_ABORTED,
};

/* A task management request waiting for task_mgmt_fn_done() */
struct iscsi_tmf {
	struct iscsi_conn_io *io;
	struct iscsi_cmnd *cmnd;	/* ABORT TASK: the live task, or NULL */
	u32 itt;
	u8 function;
	bool ref_received;		/* RFC 7143 11.5.1 b): treat as done */
};

/* io->flags bits */
enum {
	ISCSI_IO_CLOSING,		/* close requested, socket shut down */
	ISCSI_IO_TICK,			/* timer fired */
	ISCSI_IO_TX_KICK,		/* tx thread must take over sending */
	ISCSI_IO_LOGOUT_REQ,		/* async logout request sent */
	ISCSI_IO_NO_NOTIFY,		/* teardown must not report closure */
};

struct iscsi_conn_io {
	struct kref ref;
	struct iscsi_conn *conn;	/* NULL after release */
	struct iscsi_session *session;
	struct scst_session *scst_sess;
	struct socket *sock;
	u16 cid;
	unsigned long flags;

	/* negotiated / configured values, copied at start */
	bool hdigest;
	bool ddigest;
	bool initial_r2t;
	bool immediate_data;
	u32 max_xmit_dsl;
	u32 max_recv_dsl;
	u32 max_burst;
	u32 first_burst;
	u32 max_r2t;
	u32 queued_cmds;
	unsigned long rsp_timeout;	/* jiffies */
	unsigned long nop_interval;	/* jiffies, 0: no pings */
	unsigned long nop_timeout;

	struct task_struct *rx_task;
	struct task_struct *tx_task;
	bool torn_down;			/* teardown ran */

	/* receive thread only */
	u8 rx_bhs[ISCSI_BHS_LEN];
	u8 rx_ahs[ISCSI_MAX_AHS_LEN];
	u32 rx_ahs_len;
	u32 rx_dsl;
	u8 rx_cdb[16 + ISCSI_MAX_AHS_LEN];
	void *scratch;
	struct bio_vec *rx_bvec;
	unsigned int rx_bvec_cnt;
	/* Text Request accumulation and Text Response continuation */
	char *text_req;
	u32 text_req_len;
	u32 text_itt;
	bool text_req_active;
	char *text_rsp;
	u32 text_rsp_len;
	u32 text_rsp_off;
	u32 text_ttt;			/* ISCSI_RESERVED_TAG: none */

	/* task table */
	spinlock_t task_lock;
	DECLARE_HASHTABLE(itt_hash, ISCSI_ITT_HASH_BITS);
	struct list_head data_wait_list;	/* cmnds in RX_WAIT_DATA */
	u32 next_ttt;
	bool rx_closed;

	/* transmit */
	spinlock_t tx_lock;
	struct list_head tx_queue;	/* struct iscsi_tx_item */
	bool tx_owned;			/* somebody is writing the socket */
	bool tx_closed;			/* nothing is sent any more */
	struct list_head ack_list;	/* cmnds waiting for ExpStatSN */
	wait_queue_head_t tx_waitq;	/* tx thread */
	wait_queue_head_t tx_idle_waitq; /* tx ownership released */
	struct iscsi_tx_cur cur;	/* owner only */
	u32 stat_sn;			/* next StatSN; owner only */

	/* housekeeping (tx thread) */
	struct timer_list timer;
	unsigned long last_rx;		/* jiffies of the last PDU */
	bool ping_outstanding;
	u32 ping_ttt;
	unsigned long ping_sent;
	unsigned long logout_deadline;
};

/* ---- nthread.c ---- */
void iscsi_io_get(struct iscsi_conn_io *io);
void iscsi_io_put(struct iscsi_conn_io *io);
void iscsi_io_request_close(struct iscsi_conn_io *io);
bool iscsi_io_closing(struct iscsi_conn_io *io);

int iscsi_rx_buf(struct iscsi_conn_io *io, void *buf, u32 len);
int iscsi_rx_discard(struct iscsi_conn_io *io, u32 dsl);
int iscsi_rx_kbuf(struct iscsi_conn_io *io, void *buf, u32 dsl);
int iscsi_rx_cmd_data(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
		      struct scatterlist *sg, u32 buf_len, u32 off, u32 dsl);

void iscsi_tx_queue(struct iscsi_conn_io *io, struct iscsi_tx_item *item,
		    bool direct);
void iscsi_tx_kick(struct iscsi_conn_io *io);
bool iscsi_ack_hold(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd);
void iscsi_ack_release(struct iscsi_conn_io *io, u32 exp_stat_sn);

/* ---- iscsi.c ---- */
int iscsi_rx_handle_pdu(struct iscsi_conn_io *io);
void iscsi_tx_build_rsp(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
			struct iscsi_tx_cur *cur);
void iscsi_tx_rsp_done(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
		       bool sent);
void iscsi_cmnd_put(struct iscsi_cmnd *cmnd);
void iscsi_cmnd_release_held(struct iscsi_cmnd *cmnd);
bool iscsi_cmnd_pages_idle(struct iscsi_cmnd *cmnd);
void iscsi_pdu_free(struct iscsi_pdu *pdu);
struct iscsi_pdu *iscsi_pdu_alloc(u8 opcode, u32 data_len);
void iscsi_send_reject(struct iscsi_conn_io *io, const u8 *bhs, u8 reason,
		       bool close_after);
void iscsi_send_nop_in_ping(struct iscsi_conn_io *io);
void iscsi_send_async_logout(struct iscsi_conn_io *io);
void iscsi_rx_teardown_tasks(struct iscsi_conn_io *io);
void iscsi_rx_free_leftovers(struct iscsi_conn_io *io);
void iscsi_rsp_timeout_check(struct iscsi_conn_io *io);
void iscsi_window_update(struct iscsi_conn_io *io, bool reset);
u32 iscsi_fill_sn(struct iscsi_conn_io *io, u8 *bhs, bool inc, bool statsn);

/* ---- digest.c ---- */
u32 iscsi_crc_buf(u32 crc, const void *buf, u32 len);
u32 iscsi_crc_sg(u32 crc, struct iscsi_sg_pos *pos, u32 off, u32 len);
u32 iscsi_crc_bvec(u32 crc, const struct bio_vec *bv, unsigned int n);
u32 iscsi_crc_pad(u32 crc, u32 len);
void iscsi_put_digest(u8 *p, u32 crc);
bool iscsi_digest_ok(const u8 *p, u32 crc);
void iscsi_sg_pos_init(struct iscsi_sg_pos *pos, struct scatterlist *sg);
struct scatterlist *iscsi_sg_seek(struct iscsi_sg_pos *pos, u32 off);

#endif /* __ISCSI_DP_H */
