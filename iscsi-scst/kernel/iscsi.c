// SPDX-License-Identifier: GPL-2.0
/*
 * iscsi.c - full feature phase of RFC 7143 (one connection per session,
 * ErrorRecoveryLevel 0): every PDU an initiator may send, the SCST target
 * callbacks that move data and responses, task management, NOP-In pings,
 * logout and text requests.
 *
 * Error handling policy (ERL 0):
 *  - A PDU whose framing can be trusted (header digest fine, lengths
 *    within limits) but whose content is wrong is answered with a Reject
 *    (RFC 7143 11.17.1 reason) and the session goes on.
 *  - A data segment larger than our MaxRecvDataSegmentLength gets a
 *    Reject, then the connection is closed; a header digest error closes
 *    it at once (nothing after the header can be trusted).
 *  - A data digest error in immediate data or a Data-Out PDU is answered
 *    with a Reject "Data (payload) digest error", and - since ERL 0 cannot
 *    ask for the data again - the task is terminated with CHECK CONDITION,
 *    ABORTED COMMAND / PROTOCOL SERVICE CRC ERROR (RFC 7143 7.8 option b).
 *    The connection stays up: the framing is intact.
 *  - Data-Out PDUs that violate the sequence rules (offset, DataSN, TTT,
 *    length) get a Reject and terminate their task with a data phase
 *    error; Data-Out for tasks that are gone (aborted, failed, answered)
 *    is dropped silently, as RFC 7143 expects for aborted tasks.
 *  - Non-immediate commands outside [ExpCmdSN, MaxCmdSN] are dropped
 *    silently (RFC 7143 4.2.2.1).  On one connection commands arrive in
 *    CmdSN order, so a command ahead of ExpCmdSN inside the window can only
 *    follow a command the initiator never sent: it is accepted and
 *    ExpCmdSN moves past it.
 *
 * DataPDUInOrder and DataSequenceInOrder are always Yes on our side (the
 * keys are ORed at login and we offer Yes), so Data-Out must arrive in
 * order within each sequence; that is what makes a simple byte count a
 * proof that the buffer was filled completely.
 */

#define pr_fmt(fmt) "iscsi-scst: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <net/ipv6.h>
#include <asm/unaligned.h>
#include <scsi/scsi_proto.h>

#include "iscsi_dp.h"

static struct kmem_cache *iscsi_cmnd_cache;

/* Actions decided under task_lock and carried out after dropping it */
enum iscsi_rx_act {
	ISCSI_ACT_NONE,
	ISCSI_ACT_R2T,
	ISCSI_ACT_COMPLETE,
	ISCSI_ACT_FAIL_ABORT,
	ISCSI_ACT_FAIL_DIGEST,
	ISCSI_ACT_FAIL_PROTO,
};

/* CmdSN check results */
enum {
	ISCSI_SN_OK,
	ISCSI_SN_DROP,
	ISCSI_SN_NO_SLOT,
};

/* What the SCSI Command header announced */
struct iscsi_cmd_info {
	u32 itt;
	u32 edtl;
	u32 read_len;
	unsigned int cdb_len;
	bool bidi_ahs;
	enum scst_data_direction dir;
};

/* ------------------------------------------------------------------
 * CmdSN window (session->sn_lock)
 */

/* MaxCmdSN so that at most QueuedCommands tasks hold a slot; monotonic */
static void __iscsi_window_advance(struct iscsi_conn_io *io)
{
	struct iscsi_session *s = io->session;
	u32 max = s->exp_cmd_sn + io->queued_cmds - s->cmds_in_window - 1;

	if (iscsi_sn_after(max, s->max_cmd_sn))
		s->max_cmd_sn = max;
}

void iscsi_window_update(struct iscsi_conn_io *io, bool reset)
{
	struct iscsi_session *s = io->session;

	spin_lock(&s->sn_lock);
	/* a MaxCmdSN not in [ExpCmdSN - 1, ExpCmdSN + 2Q] was never valid */
	if (reset && s->max_cmd_sn - (s->exp_cmd_sn - 1) >
		     2 * ISCSI_MAX_QUEUED_CMDS)
		s->max_cmd_sn = s->exp_cmd_sn - 1;
	__iscsi_window_advance(io);
	spin_unlock(&s->sn_lock);
}

static int iscsi_cmd_sn_check(struct iscsi_conn_io *io, u32 cmd_sn, bool imm,
			      bool slot)
{
	struct iscsi_session *s = io->session;
	int rc = ISCSI_SN_OK;

	spin_lock(&s->sn_lock);
	__iscsi_window_advance(io);
	if (imm) {
		/* not numbered, but they must not flood the target either */
		if (slot && s->cmds_in_window >= io->queued_cmds)
			rc = ISCSI_SN_NO_SLOT;
	} else if (iscsi_sn_before(cmd_sn, s->exp_cmd_sn) ||
		   iscsi_sn_after(cmd_sn, s->max_cmd_sn)) {
		rc = ISCSI_SN_DROP;
	} else {
		s->exp_cmd_sn = cmd_sn + 1;
	}
	if (rc == ISCSI_SN_OK && slot)
		s->cmds_in_window++;
	spin_unlock(&s->sn_lock);
	if (rc == ISCSI_SN_DROP)
		SCST_TGTT_TRACE(&iscsi_template, SCST_TRACE_DEBUG,
				"dropping CmdSN %u outside the window",
				cmd_sn);
	return rc;
}

static void iscsi_slot_put(struct iscsi_conn_io *io)
{
	struct iscsi_session *s = io->session;

	spin_lock(&s->sn_lock);
	s->cmds_in_window--;
	__iscsi_window_advance(io);
	spin_unlock(&s->sn_lock);
}

/* StatSN (optionally taking the next one), ExpCmdSN and MaxCmdSN */
u32 iscsi_fill_sn(struct iscsi_conn_io *io, u8 *bhs, bool inc, bool statsn)
{
	struct iscsi_hdr *h = (struct iscsi_hdr *)bhs;
	struct iscsi_session *s = io->session;
	u32 sn = io->stat_sn;

	if (statsn) {
		h->statsn = cpu_to_be32(sn);
		if (inc)
			io->stat_sn++;
	}
	spin_lock(&s->sn_lock);
	h->exp_statsn = cpu_to_be32(s->exp_cmd_sn);
	h->max_cmdsn = cpu_to_be32(s->max_cmd_sn);
	spin_unlock(&s->sn_lock);
	return sn;
}

/* ------------------------------------------------------------------
 * PDUs and tasks
 */

struct iscsi_pdu *iscsi_pdu_alloc(u8 opcode, u32 data_len)
{
	struct iscsi_pdu *pdu = kzalloc(sizeof(*pdu), GFP_KERNEL);

	if (!pdu)
		return NULL;
	if (data_len) {
		pdu->data = kvzalloc(data_len, GFP_KERNEL);
		if (!pdu->data) {
			kfree(pdu);
			return NULL;
		}
	}
	INIT_LIST_HEAD(&pdu->tx.entry);
	pdu->tx.type = ISCSI_TX_PDU;
	pdu->bhs[0] = opcode;
	pdu->data_len = data_len;
	return pdu;
}

void iscsi_pdu_free(struct iscsi_pdu *pdu)
{
	kvfree(pdu->data);
	kfree(pdu);
}

static void iscsi_pdu_send(struct iscsi_conn_io *io, struct iscsi_pdu *pdu)
{
	iscsi_tx_queue(io, &pdu->tx, true);
}

void iscsi_send_reject(struct iscsi_conn_io *io, const u8 *bhs, u8 reason,
		       bool close_after)
{
	struct iscsi_reject_hdr *r;
	struct iscsi_pdu *pdu;

	SCST_TGTT_TRACE(&iscsi_template, SCST_TRACE_DEBUG,
			"Reject reason 0x%02x for opcode 0x%02x",
			reason, bhs[0] & ISCSI_OPCODE_MASK);
	pdu = iscsi_pdu_alloc(ISCSI_OP_REJECT, ISCSI_BHS_LEN);
	if (!pdu) {
		if (close_after)
			iscsi_io_request_close(io);
		return;
	}
	r = (struct iscsi_reject_hdr *)pdu->bhs;
	r->flags = ISCSI_FLG_FINAL;
	r->reason = reason;
	r->ffffffff = cpu_to_be32(ISCSI_RESERVED_TAG);
	memcpy(pdu->data, bhs, ISCSI_BHS_LEN);
	pdu->inc_statsn = 1;
	pdu->close_after = close_after;
	iscsi_pdu_send(io, pdu);
}

static struct iscsi_cmnd *iscsi_cmnd_alloc(struct iscsi_conn_io *io)
{
	struct iscsi_cmnd *cmnd;

	cmnd = kmem_cache_zalloc(iscsi_cmnd_cache, GFP_KERNEL);
	if (!cmnd)
		return NULL;
	kref_init(&cmnd->ref);
	cmnd->io = io;
	iscsi_io_get(io);
	cmnd->tx.type = ISCSI_TX_RSP;
	INIT_LIST_HEAD(&cmnd->tx.entry);
	INIT_LIST_HEAD(&cmnd->wait_entry);
	INIT_LIST_HEAD(&cmnd->tmf_entry);
	return cmnd;
}

/* Any context: SCST may drop the last reference from anywhere */
static void iscsi_cmnd_free(struct kref *kref)
{
	struct iscsi_cmnd *cmnd = container_of(kref, struct iscsi_cmnd, ref);
	struct iscsi_conn_io *io = cmnd->io;

	kmem_cache_free(iscsi_cmnd_cache, cmnd);
	iscsi_io_put(io);
}

void iscsi_cmnd_put(struct iscsi_cmnd *cmnd)
{
	kref_put(&cmnd->ref, iscsi_cmnd_free);
}

/* task_lock held */
static struct iscsi_cmnd *iscsi_itt_find(struct iscsi_conn_io *io, u32 itt)
{
	struct iscsi_cmnd *cmnd;

	hash_for_each_possible(io->itt_hash, cmnd, hash_entry, itt)
		if (cmnd->itt == itt)
			return cmnd;
	return NULL;
}

static void iscsi_itt_unhash(struct iscsi_cmnd *cmnd)
{
	struct iscsi_conn_io *io = cmnd->io;
	bool put = false;

	spin_lock(&io->task_lock);
	if (cmnd->hashed) {
		hash_del(&cmnd->hash_entry);
		cmnd->hashed = false;
		put = true;
	}
	spin_unlock(&io->task_lock);
	if (put)
		iscsi_cmnd_put(cmnd);
}

/*
 * The task's response is final (being sent or dropped): its window slot
 * and its ITT are free again.  Done before the final PDU goes out, so that
 * the initiator can never reuse the ITT before we forgot it.
 */
static void iscsi_cmnd_rsp_final(struct iscsi_cmnd *cmnd)
{
	/* xmit_response() and task management may race here */
	if (test_and_set_bit(0, &cmnd->rsp_final_done))
		return;
	if (cmnd->counted) {
		cmnd->counted = false;
		iscsi_slot_put(cmnd->io);
	}
	iscsi_itt_unhash(cmnd);
}

/* Drop the response reference, releasing the SCST command */
void iscsi_cmnd_release_held(struct iscsi_cmnd *cmnd)
{
	struct scst_cmd *cmd = cmnd->scst_cmd;

	if (cmd)
		scst_tgt_cmd_done(cmd, SCST_CONTEXT_DIRECT);
	iscsi_cmnd_put(cmnd);
}

/* Does TCP still hold references to the pages we sent from? */
bool iscsi_cmnd_pages_idle(struct iscsi_cmnd *cmnd)
{
	struct scatterlist *sg;
	u32 len = cmnd->tx_len;

	for (sg = cmnd->tx_sg; sg && len; sg = sg_next(sg)) {
		if (page_count(sg_page(sg)) > 1)
			return false;
		len -= min(len, sg->length);
	}
	return true;
}

/* ------------------------------------------------------------------
 * Task management helpers shared by the receive side
 */

/* task_lock held: the task leaves the data phase for good */
static void iscsi_rx_fail_locked(struct iscsi_cmnd *cmnd)
{
	cmnd->rx_state = ISCSI_RX_DRAIN;
	cmnd->nr_r2t = 0;
	list_del_init(&cmnd->wait_entry);
}

/* task_lock held */
static u32 iscsi_next_ttt(struct iscsi_conn_io *io)
{
	u32 ttt = io->next_ttt++;

	if (ttt == ISCSI_RESERVED_TAG)
		ttt = io->next_ttt++;
	return ttt;
}

static u32 iscsi_alloc_ttt(struct iscsi_conn_io *io)
{
	u32 ttt;

	spin_lock(&io->task_lock);
	ttt = iscsi_next_ttt(io);
	spin_unlock(&io->task_lock);
	return ttt;
}

/*
 * task_lock held.  After progress in the data phase: complete it, or issue
 * R2Ts for what is still missing (copied to new[] for sending).
 */
static int iscsi_rx_progress(struct iscsi_conn_io *io,
			     struct iscsi_cmnd *cmnd,
			     struct iscsi_r2t *new, int *nr_new)
{
	struct iscsi_r2t *r;

	cmnd->rx_activity = jiffies;
	if (!cmnd->unsol_done)
		return ISCSI_ACT_NONE;
	if (cmnd->received >= cmnd->buf_len && !cmnd->nr_r2t) {
		cmnd->rx_state = ISCSI_RX_DONE;
		list_del_init(&cmnd->wait_entry);
		return ISCSI_ACT_COMPLETE;
	}
	while (cmnd->nr_r2t < io->max_r2t && cmnd->r2t_next < cmnd->buf_len) {
		r = &cmnd->r2t[cmnd->nr_r2t++];
		r->ttt = iscsi_next_ttt(io);
		r->offset = cmnd->r2t_next;
		r->len = min(io->max_burst, cmnd->buf_len - cmnd->r2t_next);
		r->done = 0;
		r->datasn = 0;
		r->r2tsn = cmnd->data_sn++;
		cmnd->r2t_next += r->len;
		new[(*nr_new)++] = *r;
	}
	return *nr_new ? ISCSI_ACT_R2T : ISCSI_ACT_NONE;
}

static void iscsi_send_r2ts(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
			    const struct iscsi_r2t *r2t, int n)
{
	struct iscsi_r2t_hdr *h;
	struct iscsi_pdu *pdu;
	int i;

	for (i = 0; i < n; i++) {
		pdu = iscsi_pdu_alloc(ISCSI_OP_R2T, 0);
		if (!pdu) {
			/* the task could never complete: give up the link */
			iscsi_io_request_close(io);
			return;
		}
		h = (struct iscsi_r2t_hdr *)pdu->bhs;
		h->flags = ISCSI_FLG_FINAL;
		memcpy(h->lun, cmnd->lun, sizeof(h->lun));
		h->itt = cpu_to_be32(cmnd->itt);
		h->ttt = cpu_to_be32(r2t[i].ttt);
		h->r2tsn = cpu_to_be32(r2t[i].r2tsn);
		h->buffer_offset = cpu_to_be32(r2t[i].offset);
		h->data_length = cpu_to_be32(r2t[i].len);
		iscsi_pdu_send(io, pdu);
	}
}

/* Carry out a receive-side decision; no lock held */
static void iscsi_rx_act(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
			 int act, const struct iscsi_r2t *r2t, int nr_r2t)
{
	struct scst_cmd *cmd = cmnd->scst_cmd;

	switch (act) {
	case ISCSI_ACT_R2T:
		iscsi_send_r2ts(io, cmnd, r2t, nr_r2t);
		break;
	case ISCSI_ACT_COMPLETE:
		scst_rx_data(cmd, SCST_RX_STATUS_SUCCESS, SCST_CONTEXT_THREAD);
		break;
	case ISCSI_ACT_FAIL_ABORT:
		/* task management decides whether anything is sent */
		scst_rx_data(cmd, SCST_RX_STATUS_ERROR_SENSE_SET,
			     SCST_CONTEXT_THREAD);
		break;
	case ISCSI_ACT_FAIL_DIGEST:
		iscsi_send_reject(io, io->rx_bhs,
				  ISCSI_REJECT_DATA_DIGEST_ERROR, false);
		/* PROTOCOL SERVICE CRC ERROR */
		scst_set_cmd_error(cmd, ABORTED_COMMAND, 0x47, 0x05);
		scst_rx_data(cmd, SCST_RX_STATUS_ERROR_SENSE_SET,
			     SCST_CONTEXT_THREAD);
		break;
	case ISCSI_ACT_FAIL_PROTO:
		scst_rx_data(cmd, SCST_RX_STATUS_ERROR, SCST_CONTEXT_THREAD);
		break;
	default:
		break;
	}
}

/*
 * task_lock held, rx_busy just cleared.  Account dsl bytes received at
 * off (r2t_idx < 0: unsolicited or immediate data).
 */
static int iscsi_rx_data_in(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
			    int digest_err, int r2t_idx, u32 off, u32 dsl,
			    bool final, bool immediate,
			    struct iscsi_r2t *new, int *nr_new)
{
	struct iscsi_r2t *r;

	if (cmnd->rx_abort) {
		iscsi_rx_fail_locked(cmnd);
		return ISCSI_ACT_FAIL_ABORT;
	}
	if (digest_err) {
		iscsi_rx_fail_locked(cmnd);
		return ISCSI_ACT_FAIL_DIGEST;
	}
	if (off < cmnd->buf_len)
		cmnd->received += min(dsl, cmnd->buf_len - off);
	if (r2t_idx < 0) {
		cmnd->unsol_next = off + dsl;
		if (!immediate)
			cmnd->unsol_datasn++;
		if (!cmnd->unsol_expected || final ||
		    cmnd->unsol_next >= cmnd->unsol_limit)
			cmnd->unsol_done = true;
		if (cmnd->unsol_done)
			cmnd->r2t_next = max(cmnd->r2t_next, cmnd->unsol_next);
	} else {
		r = &cmnd->r2t[r2t_idx];
		r->done += dsl;
		r->datasn++;
		if (r->done == r->len) {
			cmnd->nr_r2t--;
			memmove(r, r + 1, (cmnd->nr_r2t - r2t_idx) * sizeof(*r));
		}
	}
	return iscsi_rx_progress(io, cmnd, new, nr_new);
}

/* ------------------------------------------------------------------
 * SCSI Command
 */

static int iscsi_parse_ahs(struct iscsi_conn_io *io,
			   const struct iscsi_scsi_cmd_hdr *req,
			   struct iscsi_cmd_info *ci)
{
	const u8 *ahs = io->rx_ahs;
	u32 off = 0, len = io->rx_ahs_len, total;
	u16 alen;

	memcpy(io->rx_cdb, req->cdb, sizeof(req->cdb));
	ci->cdb_len = sizeof(req->cdb);
	while (off < len) {
		alen = get_unaligned_be16(ahs + off);
		total = ALIGN(3 + (u32)alen, 4);
		if (!alen || total > len - off)
			return ISCSI_REJECT_PROTOCOL_ERROR;
		switch (ahs[off + 2]) {
		case ISCSI_AHS_EXTENDED_CDB:
			if (ci->cdb_len > sizeof(req->cdb) || alen < 2)
				return ISCSI_REJECT_PROTOCOL_ERROR;
			memcpy(io->rx_cdb + ci->cdb_len, ahs + off + 4,
			       alen - 1);
			ci->cdb_len += alen - 1;
			break;
		case ISCSI_AHS_BIDI_READ_LEN:
			if (ci->bidi_ahs || alen != 5)
				return ISCSI_REJECT_PROTOCOL_ERROR;
			ci->read_len = get_unaligned_be32(ahs + off + 4);
			ci->bidi_ahs = true;
			break;
		default:
			return ISCSI_REJECT_PROTOCOL_ERROR;
		}
		off += total;
	}
	return 0;
}

/* Returns 0 or a Reject reason */
static int iscsi_scsi_cmd_parse(struct iscsi_conn_io *io,
				const struct iscsi_scsi_cmd_hdr *req,
				struct iscsi_cmd_info *ci)
{
	bool r = req->flags & ISCSI_CMD_READ;
	bool w = req->flags & ISCSI_CMD_WRITE;
	bool f = req->flags & ISCSI_FLG_FINAL;
	u32 dsl = io->rx_dsl;
	int reason;

	ci->itt = be32_to_cpu(req->itt);
	ci->edtl = be32_to_cpu(req->data_length);
	if (ci->itt == ISCSI_RESERVED_TAG)
		return ISCSI_REJECT_INVALID_PDU_FIELD;
	reason = iscsi_parse_ahs(io, req, ci);
	if (reason)
		return reason;
	if (r && w && !ci->bidi_ahs)
		return ISCSI_REJECT_PROTOCOL_ERROR;
	/* immediate data: only for writes, if negotiated, within limits */
	if (dsl && (!w || !io->immediate_data || dsl > ci->edtl ||
		    dsl > io->first_burst))
		return ISCSI_REJECT_PROTOCOL_ERROR;
	/* F = 0: unsolicited Data-Out follows, needs InitialR2T=No */
	if (!f && (!w || io->initial_r2t))
		return ISCSI_REJECT_PROTOCOL_ERROR;
	if (r && w)
		ci->dir = SCST_DATA_BIDI;
	else if (w)
		ci->dir = SCST_DATA_WRITE;
	else if (r)
		ci->dir = SCST_DATA_READ;
	else
		ci->dir = SCST_DATA_NONE;
	return 0;
}

static enum scst_cmd_queue_type iscsi_queue_type(u8 flags)
{
	switch (flags & ISCSI_CMD_ATTR_MASK) {
	case ISCSI_CMD_ATTR_UNTAGGED:
		return SCST_CMD_QUEUE_UNTAGGED;
	case ISCSI_CMD_ATTR_ORDERED:
		return SCST_CMD_QUEUE_ORDERED;
	case ISCSI_CMD_ATTR_HEAD_OF_QUEUE:
		return SCST_CMD_QUEUE_HEAD_OF_QUEUE;
	case ISCSI_CMD_ATTR_ACA:
		return SCST_CMD_QUEUE_ACA;
	default:
		/* SIMPLE, and the reserved values 5-7 */
		return SCST_CMD_QUEUE_SIMPLE;
	}
}

static void iscsi_cmnd_queue_rsp(struct iscsi_conn_io *io,
				 struct iscsi_cmnd *cmnd)
{
	kref_get(&cmnd->ref);		/* the transmit queue's */
	iscsi_tx_queue(io, &cmnd->tx, true);
}

/* SCST could not take the command: answer BUSY ourselves */
static int iscsi_cmnd_busy(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd)
{
	int rc;

	cmnd->rx_state = ISCSI_RX_NO_DATA;
	rc = iscsi_rx_discard(io, io->rx_dsl);
	cmnd->status = SAM_STAT_BUSY;
	cmnd->rsp_pdu = true;
	iscsi_cmnd_queue_rsp(io, cmnd);
	return rc;
}

/*
 * After scst_cmd_init_done(DIRECT) of a command with Data-Out: receive
 * its immediate data into the buffer rdy_to_xfer() provided (or drop it
 * if the core answered without asking for data), then solicit the rest.
 */
static int iscsi_rx_imm_data(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd)
{
	struct iscsi_r2t new[ISCSI_MAX_R2T_PER_CMD];
	struct scatterlist *sg = NULL;
	u32 dsl = io->rx_dsl, buf_len = 0;
	int rc, act, nr_new = 0;

	spin_lock(&io->task_lock);
	if (cmnd->rx_state == ISCSI_RX_WAIT_DATA) {
		cmnd->rx_busy = true;
		sg = cmnd->sg;
		buf_len = cmnd->buf_len;
	} else if (cmnd->rx_state == ISCSI_RX_INIT) {
		cmnd->rx_state = ISCSI_RX_NO_DATA;
	}
	spin_unlock(&io->task_lock);

	if (!sg)
		return iscsi_rx_discard(io, dsl);
	rc = iscsi_rx_cmd_data(io, cmnd, sg, buf_len, 0, dsl);

	spin_lock(&io->task_lock);
	cmnd->rx_busy = false;
	if (rc < 0) {
		/* the connection is going down; teardown fails the task */
		spin_unlock(&io->task_lock);
		return rc;
	}
	act = iscsi_rx_data_in(io, cmnd, rc == 1, -1, 0, dsl, false, true,
			       new, &nr_new);
	spin_unlock(&io->task_lock);
	iscsi_rx_act(io, cmnd, act, new, nr_new);
	return 0;
}

static void iscsi_cmd_set_expected(struct scst_cmd *cmd,
				   const struct iscsi_cmd_info *ci)
{
	switch (ci->dir) {
	case SCST_DATA_BIDI:
		scst_cmd_set_expected(cmd, SCST_DATA_BIDI, ci->read_len);
		scst_cmd_set_expected_out_transfer_len(cmd, ci->edtl);
		break;
	case SCST_DATA_READ:
	case SCST_DATA_WRITE:
		scst_cmd_set_expected(cmd, ci->dir, ci->edtl);
		break;
	default:
		scst_cmd_set_expected(cmd, SCST_DATA_NONE, 0);
		break;
	}
}

static int iscsi_scsi_cmd_start(struct iscsi_conn_io *io,
				const struct iscsi_scsi_cmd_hdr *req,
				const struct iscsi_cmd_info *ci)
{
	struct iscsi_cmnd *cmnd, *dup;
	struct scst_cmd *cmd;
	int rc = 0;

	cmnd = iscsi_cmnd_alloc(io);
	if (!cmnd) {
		iscsi_slot_put(io);
		return -ENOMEM;
	}
	cmnd->counted = true;
	cmnd->itt = ci->itt;
	memcpy(cmnd->lun, req->lun, sizeof(cmnd->lun));
	cmnd->edtl = ci->edtl;

	spin_lock(&io->task_lock);
	dup = iscsi_itt_find(io, ci->itt);
	if (!dup) {
		kref_get(&cmnd->ref);	/* the table's */
		hash_add(io->itt_hash, &cmnd->hash_entry, ci->itt);
		cmnd->hashed = true;
	}
	spin_unlock(&io->task_lock);
	if (dup) {
		cmnd->counted = false;
		iscsi_slot_put(io);
		iscsi_cmnd_put(cmnd);
		iscsi_send_reject(io, io->rx_bhs,
				  ISCSI_REJECT_TASK_IN_PROGRESS, false);
		return iscsi_rx_discard(io, io->rx_dsl);
	}

	cmd = scst_rx_cmd(io->scst_sess, req->lun, sizeof(req->lun),
			  io->rx_cdb, ci->cdb_len, false);
	if (!cmd) {
		rc = iscsi_cmnd_busy(io, cmnd);
		iscsi_cmnd_put(cmnd);
		return rc;
	}
	scst_cmd_set_tag(cmd, ci->itt);
	scst_cmd_set_queue_type(cmd, iscsi_queue_type(req->flags));
	iscsi_cmd_set_expected(cmd, ci);
	kref_get(&cmnd->ref);		/* SCST's, until on_free_cmd() */
	scst_cmd_set_tgt_priv(cmd, cmnd);
	WRITE_ONCE(cmnd->scst_cmd, cmd);

	if ((ci->dir == SCST_DATA_WRITE || ci->dir == SCST_DATA_BIDI) &&
	    ci->edtl) {
		cmnd->has_data_out = true;
		cmnd->rx_state = ISCSI_RX_INIT;
		cmnd->unsol_limit = io->initial_r2t ? io->rx_dsl :
				    min(ci->edtl, io->first_burst);
		cmnd->unsol_limit = max(cmnd->unsol_limit, io->rx_dsl);
		cmnd->unsol_expected = !(req->flags & ISCSI_FLG_FINAL) &&
				       cmnd->unsol_limit > io->rx_dsl;
		/* parse, buffer and rdy_to_xfer() run here, in order */
		scst_cmd_init_done(cmd, SCST_CONTEXT_DIRECT);
		rc = iscsi_rx_imm_data(io, cmnd);
	} else {
		cmnd->rx_state = ISCSI_RX_NO_DATA;
		rc = iscsi_rx_discard(io, io->rx_dsl);
		scst_cmd_init_done(cmd, SCST_CONTEXT_THREAD);
	}
	iscsi_cmnd_put(cmnd);
	return rc;
}

static int iscsi_rx_scsi_cmd(struct iscsi_conn_io *io)
{
	const struct iscsi_scsi_cmd_hdr *req = (void *)io->rx_bhs;
	bool imm = req->opcode & ISCSI_OP_IMMEDIATE;
	struct iscsi_cmd_info ci = { };
	int sn, reason;

	sn = iscsi_cmd_sn_check(io, be32_to_cpu(req->cmdsn), imm, true);
	if (sn == ISCSI_SN_DROP)
		return iscsi_rx_discard(io, io->rx_dsl);
	if (sn == ISCSI_SN_NO_SLOT) {
		iscsi_send_reject(io, io->rx_bhs, ISCSI_REJECT_IMM_CMD_REJECT,
				  false);
		return iscsi_rx_discard(io, io->rx_dsl);
	}
	reason = iscsi_scsi_cmd_parse(io, req, &ci);
	if (reason) {
		iscsi_slot_put(io);
		iscsi_send_reject(io, io->rx_bhs, reason, false);
		return iscsi_rx_discard(io, io->rx_dsl);
	}
	return iscsi_scsi_cmd_start(io, req, &ci);
}

/* ------------------------------------------------------------------
 * Data-Out
 */

/* task_lock held.  Returns 0 or a Reject reason; *idx: R2T or -1 */
static int iscsi_data_out_check(struct iscsi_cmnd *cmnd, u32 ttt, u32 off,
				u32 dsl, u32 datasn, bool final, int *idx)
{
	struct iscsi_r2t *r;
	int i;

	*idx = -1;
	if (ttt == ISCSI_RESERVED_TAG) {
		if (!cmnd->unsol_expected || cmnd->unsol_done ||
		    off != cmnd->unsol_next || datasn != cmnd->unsol_datasn ||
		    dsl > cmnd->unsol_limit - off)
			return ISCSI_REJECT_PROTOCOL_ERROR;
		return 0;
	}
	for (i = 0; i < cmnd->nr_r2t; i++)
		if (cmnd->r2t[i].ttt == ttt)
			break;
	if (i == cmnd->nr_r2t)
		return ISCSI_REJECT_INVALID_PDU_FIELD;
	r = &cmnd->r2t[i];
	if (off != r->offset + r->done || datasn != r->datasn ||
	    dsl > r->len - r->done || (final && r->done + dsl != r->len))
		return ISCSI_REJECT_PROTOCOL_ERROR;
	*idx = i;
	return 0;
}

static int iscsi_rx_data_out(struct iscsi_conn_io *io)
{
	const struct iscsi_data_out_hdr *d = (void *)io->rx_bhs;
	struct iscsi_r2t new[ISCSI_MAX_R2T_PER_CMD];
	u32 off = be32_to_cpu(d->buffer_offset), dsl = io->rx_dsl;
	bool final = d->flags & ISCSI_FLG_FINAL;
	struct iscsi_cmnd *cmnd;
	struct scatterlist *sg;
	int reason, idx, rc, act, nr_new = 0;
	u32 buf_len;

	spin_lock(&io->task_lock);
	cmnd = iscsi_itt_find(io, be32_to_cpu(d->itt));
	if (!cmnd || cmnd->rx_state != ISCSI_RX_WAIT_DATA) {
		/* aborted, failed or finished task: drop the data */
		spin_unlock(&io->task_lock);
		return iscsi_rx_discard(io, dsl);
	}
	kref_get(&cmnd->ref);
	reason = iscsi_data_out_check(cmnd, be32_to_cpu(d->ttt), off, dsl,
				      be32_to_cpu(d->datasn), final, &idx);
	if (reason) {
		iscsi_rx_fail_locked(cmnd);
		spin_unlock(&io->task_lock);
		iscsi_send_reject(io, io->rx_bhs, reason, false);
		iscsi_rx_act(io, cmnd, ISCSI_ACT_FAIL_PROTO, NULL, 0);
		iscsi_cmnd_put(cmnd);
		return iscsi_rx_discard(io, dsl);
	}
	cmnd->rx_busy = true;
	sg = cmnd->sg;
	buf_len = cmnd->buf_len;
	spin_unlock(&io->task_lock);

	rc = iscsi_rx_cmd_data(io, cmnd, sg, buf_len, off, dsl);

	spin_lock(&io->task_lock);
	cmnd->rx_busy = false;
	if (rc < 0) {
		spin_unlock(&io->task_lock);
		iscsi_cmnd_put(cmnd);
		return rc;
	}
	act = iscsi_rx_data_in(io, cmnd, rc == 1, idx, off, dsl, final, false,
			       new, &nr_new);
	spin_unlock(&io->task_lock);
	iscsi_rx_act(io, cmnd, act, new, nr_new);
	iscsi_cmnd_put(cmnd);
	return 0;
}

/* ------------------------------------------------------------------
 * NOP-Out
 */

static int iscsi_rx_nop_out(struct iscsi_conn_io *io)
{
	const struct iscsi_nop_hdr *req = (void *)io->rx_bhs;
	bool imm = req->opcode & ISCSI_OP_IMMEDIATE;
	u32 itt = be32_to_cpu(req->itt), ttt = be32_to_cpu(req->ttt);
	u32 dsl = io->rx_dsl;
	struct iscsi_nop_hdr *h;
	struct iscsi_pdu *pdu;
	int rc;

	if (ttt != ISCSI_RESERVED_TAG && READ_ONCE(io->ping_outstanding) &&
	    ttt == io->ping_ttt)
		WRITE_ONCE(io->ping_outstanding, false);
	/* ITT 0xffffffff: no answer wanted (e.g. a reply to our ping) */
	if (itt == ISCSI_RESERVED_TAG)
		return iscsi_rx_discard(io, dsl);
	if (iscsi_cmd_sn_check(io, be32_to_cpu(req->sn), imm, false) ==
	    ISCSI_SN_DROP)
		return iscsi_rx_discard(io, dsl);

	pdu = iscsi_pdu_alloc(ISCSI_OP_NOP_IN, dsl);
	if (!pdu)
		return -ENOMEM;
	rc = iscsi_rx_kbuf(io, pdu->data, dsl);
	if (rc) {
		iscsi_pdu_free(pdu);
		if (rc < 0)
			return rc;
		iscsi_send_reject(io, io->rx_bhs,
				  ISCSI_REJECT_DATA_DIGEST_ERROR, false);
		return 0;
	}
	h = (struct iscsi_nop_hdr *)pdu->bhs;
	h->flags = ISCSI_FLG_FINAL;
	memcpy(h->lun, req->lun, sizeof(h->lun));
	h->itt = req->itt;
	h->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
	/* echo the ping data, as much as the initiator may receive */
	pdu->data_len = min(dsl, io->max_xmit_dsl);
	pdu->inc_statsn = 1;
	iscsi_pdu_send(io, pdu);
	return 0;
}

void iscsi_send_nop_in_ping(struct iscsi_conn_io *io)
{
	struct iscsi_nop_hdr *h;
	struct iscsi_pdu *pdu;
	u32 ttt;

	pdu = iscsi_pdu_alloc(ISCSI_OP_NOP_IN, 0);
	if (!pdu)
		return;
	ttt = iscsi_alloc_ttt(io);
	h = (struct iscsi_nop_hdr *)pdu->bhs;
	h->flags = ISCSI_FLG_FINAL;
	h->itt = cpu_to_be32(ISCSI_RESERVED_TAG);
	h->ttt = cpu_to_be32(ttt);
	io->ping_ttt = ttt;
	io->ping_sent = jiffies;
	WRITE_ONCE(io->ping_outstanding, true);
	iscsi_pdu_send(io, pdu);
}

void iscsi_send_async_logout(struct iscsi_conn_io *io)
{
	struct iscsi_async_msg_hdr *h;
	struct iscsi_pdu *pdu;

	pdu = iscsi_pdu_alloc(ISCSI_OP_ASYNC_MSG, 0);
	if (!pdu) {
		iscsi_io_request_close(io);
		return;
	}
	h = (struct iscsi_async_msg_hdr *)pdu->bhs;
	h->flags = ISCSI_FLG_FINAL;
	h->ffffffff = cpu_to_be32(ISCSI_RESERVED_TAG);
	h->async_event = ISCSI_ASYNC_LOGOUT_REQUEST;
	h->param3 = cpu_to_be16(ISCSI_LOGOUT_REQ_WAIT);
	pdu->inc_statsn = 1;
	/* from management context: let the transmit thread send it */
	iscsi_tx_queue(io, &pdu->tx, false);
}

/* ------------------------------------------------------------------
 * Task management
 */

static void iscsi_send_tmf_rsp(struct iscsi_conn_io *io, u32 itt, u8 response,
			       bool close_after)
{
	struct iscsi_tm_rsp_hdr *h;
	struct iscsi_pdu *pdu;

	pdu = iscsi_pdu_alloc(ISCSI_OP_SCSI_TASK_MGT_RSP, 0);
	if (!pdu) {
		iscsi_io_request_close(io);
		return;
	}
	h = (struct iscsi_tm_rsp_hdr *)pdu->bhs;
	h->flags = ISCSI_FLG_FINAL;
	h->response = response;
	h->itt = cpu_to_be32(itt);
	pdu->inc_statsn = 1;
	pdu->close_after = close_after;
	iscsi_pdu_send(io, pdu);
}

static void iscsi_tmf_free(struct iscsi_tmf *tmf)
{
	if (tmf->cmnd)
		iscsi_cmnd_put(tmf->cmnd);
	iscsi_io_put(tmf->io);
	kfree(tmf);
}

/*
 * ABORT TASK (RFC 7143 11.5.1): a task whose ITT is live goes to SCST;
 * for one that is not (never seen, or its response already left), the
 * answer is "Task does not exist" - unless RefCmdSN lies in the CmdSN
 * window and before the request's own CmdSN, i.e. the task was sent but
 * has not arrived: then it counts as received and "Function complete".
 * On one connection commands arrive in CmdSN order, so that cannot
 * happen to a well-behaved initiator; such a late command is then not
 * recognised as aborted.  Returns false if the TMF was answered here.
 */
static bool iscsi_tmf_find_task(struct iscsi_conn_io *io,
				struct iscsi_tmf *tmf, u32 rtt, u32 ref_cmd_sn,
				u32 cmd_sn, const u32 *win)
{
	struct iscsi_cmnd *cmnd;

	spin_lock(&io->task_lock);
	cmnd = rtt == ISCSI_RESERVED_TAG ? NULL : iscsi_itt_find(io, rtt);
	if (cmnd && cmnd->scst_cmd)
		kref_get(&cmnd->ref);
	else
		cmnd = NULL;
	spin_unlock(&io->task_lock);
	if (cmnd) {
		tmf->cmnd = cmnd;
		return true;
	}
	tmf->ref_received = !iscsi_sn_before(ref_cmd_sn, win[0]) &&
			    !iscsi_sn_after(ref_cmd_sn, win[1]) &&
			    iscsi_sn_before(ref_cmd_sn, cmd_sn);
	iscsi_send_tmf_rsp(io, tmf->itt, tmf->ref_received ?
			   ISCSI_TMF_RSP_COMPLETE : ISCSI_TMF_RSP_NO_TASK,
			   false);
	return false;
}

static int iscsi_tmf_scst_fn(u8 function, bool *lun_scoped)
{
	*lun_scoped = true;
	switch (function) {
	case ISCSI_TM_ABORT_TASK:
		*lun_scoped = false;	/* the tag is unique in the session */
		return SCST_ABORT_TASK;
	case ISCSI_TM_ABORT_TASK_SET:
		return SCST_ABORT_TASK_SET;
	case ISCSI_TM_CLEAR_TASK_SET:
		return SCST_CLEAR_TASK_SET;
	case ISCSI_TM_LOGICAL_UNIT_RESET:
		return SCST_LUN_RESET;
	case ISCSI_TM_TARGET_WARM_RESET:
	case ISCSI_TM_TARGET_COLD_RESET:
		*lun_scoped = false;
		return SCST_TARGET_RESET;
	default:
		return -1;
	}
}

static int iscsi_rx_tmf(struct iscsi_conn_io *io)
{
	const struct iscsi_tm_req_hdr *req = (void *)io->rx_bhs;
	bool imm = req->opcode & ISCSI_OP_IMMEDIATE, lun_scoped;
	u8 function = req->function & ISCSI_TM_FUNC_MASK;
	u32 itt = be32_to_cpu(req->itt);
	u32 cmd_sn = be32_to_cpu(req->cmdsn), win[2];
	struct iscsi_session *s = io->session;
	struct iscsi_tmf *tmf;
	int fn, rc;

	/* the CmdSN window as it was when the request was sent */
	spin_lock(&s->sn_lock);
	win[0] = s->exp_cmd_sn;
	win[1] = s->max_cmd_sn;
	spin_unlock(&s->sn_lock);
	if (iscsi_cmd_sn_check(io, cmd_sn, imm, false) == ISCSI_SN_DROP)
		return iscsi_rx_discard(io, io->rx_dsl);
	rc = iscsi_rx_discard(io, io->rx_dsl);
	if (rc)
		return rc;

	switch (function) {
	case ISCSI_TM_CLEAR_ACA:
		/* no ACA condition is ever established (NACA is refused) */
		iscsi_send_tmf_rsp(io, itt, ISCSI_TMF_RSP_NOT_SUPPORTED, false);
		return 0;
	case ISCSI_TM_TASK_REASSIGN:
		/* ERL 0: there is no connection to reassign tasks to */
		iscsi_send_tmf_rsp(io, itt, ISCSI_TMF_RSP_NO_FAILOVER, false);
		return 0;
	}
	fn = iscsi_tmf_scst_fn(function, &lun_scoped);
	if (fn < 0) {
		iscsi_send_tmf_rsp(io, itt, ISCSI_TMF_RSP_NOT_SUPPORTED, false);
		return 0;
	}

	tmf = kzalloc(sizeof(*tmf), GFP_KERNEL);
	if (!tmf)
		return -ENOMEM;
	tmf->io = io;
	iscsi_io_get(io);
	tmf->itt = itt;
	tmf->function = function;
	if (function == ISCSI_TM_ABORT_TASK &&
	    !iscsi_tmf_find_task(io, tmf, be32_to_cpu(req->rtt),
				 be32_to_cpu(req->ref_cmdsn), cmd_sn, win)) {
		/* answered already (no such task, or its response left) */
		iscsi_tmf_free(tmf);
		return 0;
	}

	rc = scst_rx_mgmt_fn(io->scst_sess, fn, lun_scoped ? req->lun : NULL,
			     lun_scoped ? sizeof(req->lun) : 0,
			     be32_to_cpu(req->rtt), false, tmf);
	if (rc) {
		iscsi_send_tmf_rsp(io, itt, ISCSI_TMF_RSP_REJECTED,
				   function == ISCSI_TM_TARGET_COLD_RESET);
		iscsi_tmf_free(tmf);
	}
	return 0;
}

static u8 iscsi_tmf_response(struct iscsi_tmf *tmf, int status)
{
	switch (status) {
	case SCST_MGMT_STATUS_SUCCESS:
		/* ABORT TASK: too late if the response is on its way */
		if (tmf->cmnd && atomic_cmpxchg(&tmf->cmnd->rsp_claim,
						ISCSI_RSP_OPEN,
						ISCSI_RSP_ABORTED) ==
				 ISCSI_RSP_QUEUED)
			return ISCSI_TMF_RSP_NO_TASK;
		return ISCSI_TMF_RSP_COMPLETE;
	case SCST_MGMT_STATUS_TASK_NOT_EXIST:
		return tmf->ref_received ? ISCSI_TMF_RSP_COMPLETE :
					   ISCSI_TMF_RSP_NO_TASK;
	case SCST_MGMT_STATUS_LUN_NOT_EXIST:
		return ISCSI_TMF_RSP_NO_LUN;
	case SCST_MGMT_STATUS_FN_NOT_SUPPORTED:
		return ISCSI_TMF_RSP_NOT_SUPPORTED;
	default:
		return ISCSI_TMF_RSP_REJECTED;
	}
}

/*
 * After a TMF response the initiator reuses the ITTs of the tasks it
 * aborted at once, while SCST may not have passed those tasks to
 * xmit_response() yet: free the ITTs (and window slots) of every task that
 * will get no response before the TMF response is queued.  A task in the
 * table still holds its SCST command (the table entry goes first).  Runs
 * in the (single) scst_tm thread, which owns cmnd->tmf_entry.
 */
static void iscsi_tmf_release_itts(struct iscsi_conn_io *io)
{
	struct iscsi_cmnd *cmnd, *tmp;
	struct scst_cmd *cmd;
	LIST_HEAD(done);
	int bkt;

	spin_lock(&io->task_lock);
	hash_for_each(io->itt_hash, bkt, cmnd, hash_entry) {
		cmd = READ_ONCE(cmnd->scst_cmd);
		if (!cmd || !scst_cmd_aborted_on_xmit(cmd))
			continue;
		kref_get(&cmnd->ref);
		list_add_tail(&cmnd->tmf_entry, &done);
	}
	spin_unlock(&io->task_lock);
	list_for_each_entry_safe(cmnd, tmp, &done, tmf_entry) {
		list_del_init(&cmnd->tmf_entry);
		iscsi_cmnd_rsp_final(cmnd);
		iscsi_cmnd_put(cmnd);
	}
}

void iscsi_task_mgmt_fn_done(struct scst_mgmt_cmd *mcmd)
{
	struct iscsi_tmf *tmf = scst_mgmt_cmd_get_tgt_priv(mcmd);

	if (!tmf)
		return;
	iscsi_tmf_release_itts(tmf->io);
	/* a cold reset ends the connection once the initiator knows */
	iscsi_send_tmf_rsp(tmf->io, tmf->itt,
			   iscsi_tmf_response(tmf,
					      scst_mgmt_cmd_get_status(mcmd)),
			   tmf->function == ISCSI_TM_TARGET_COLD_RESET);
	iscsi_tmf_free(tmf);
}

/* ------------------------------------------------------------------
 * Logout
 */

static int iscsi_rx_logout(struct iscsi_conn_io *io)
{
	const struct iscsi_logout_req_hdr *req = (void *)io->rx_bhs;
	bool imm = req->opcode & ISCSI_OP_IMMEDIATE, close = false;
	struct iscsi_logout_rsp_hdr *h;
	struct iscsi_pdu *pdu;
	u8 response;
	int rc;

	if (iscsi_cmd_sn_check(io, be32_to_cpu(req->cmdsn), imm, false) ==
	    ISCSI_SN_DROP)
		return iscsi_rx_discard(io, io->rx_dsl);
	rc = iscsi_rx_discard(io, io->rx_dsl);
	if (rc)
		return rc;

	switch (req->flags & ISCSI_LOGOUT_REASON_MASK) {
	case ISCSI_LOGOUT_CLOSE_SESSION:
		response = ISCSI_LOGOUT_RSP_SUCCESS;
		close = true;
		break;
	case ISCSI_LOGOUT_CLOSE_CONNECTION:
		close = be16_to_cpu(req->cid) == io->cid;
		response = close ? ISCSI_LOGOUT_RSP_SUCCESS :
				   ISCSI_LOGOUT_RSP_CID_NOT_FOUND;
		break;
	case ISCSI_LOGOUT_REMOVE_FOR_RECOVERY:
		response = ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED;
		break;
	default:
		iscsi_send_reject(io, io->rx_bhs,
				  ISCSI_REJECT_INVALID_PDU_FIELD, false);
		return 0;
	}

	pdu = iscsi_pdu_alloc(ISCSI_OP_LOGOUT_RSP, 0);
	if (!pdu)
		return -ENOMEM;
	h = (struct iscsi_logout_rsp_hdr *)pdu->bhs;
	h->flags = ISCSI_FLG_FINAL;
	h->response = response;
	h->itt = req->itt;
	/* Time2Wait and Time2Retain 0: nothing to wait for at ERL 0 */
	pdu->inc_statsn = 1;
	pdu->close_after = close;
	iscsi_pdu_send(io, pdu);
	/* after a successful logout nothing more is read */
	return close ? -ESHUTDOWN : 0;
}

/* ------------------------------------------------------------------
 * Text Request (SendTargets in a normal session)
 */

struct iscsi_text_buf {
	char *buf;
	u32 len;
	u32 cap;
};

/* Append "key=value\0"; what does not fit completely is left out */
static void iscsi_text_add(struct iscsi_text_buf *t, const char *key,
			   const char *value)
{
	int n;

	if (t->len >= t->cap)
		return;
	n = snprintf(t->buf + t->len, t->cap - t->len, "%s=%s", key, value);
	if (n < 0 || n >= t->cap - t->len) {
		t->cap = t->len;	/* full: no partial pair on the wire */
		return;
	}
	t->len += n + 1;
}

/* <local address>:<port>,1 as the initiator connected to it */
static void iscsi_text_portal(struct iscsi_conn_io *io, char *buf, size_t len)
{
	struct sockaddr_storage ss = { };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	buf[0] = '\0';
	if (kernel_getsockname(io->sock, (struct sockaddr *)&ss) < 0)
		return;
	if (ss.ss_family == AF_INET)
		snprintf(buf, len, "%pI4:%u,1", &sin->sin_addr,
			 ntohs(sin->sin_port));
	else if (ss.ss_family == AF_INET6 &&
		 ipv6_addr_v4mapped(&sin6->sin6_addr))
		snprintf(buf, len, "%pI4:%u,1", &sin6->sin6_addr.s6_addr32[3],
			 ntohs(sin6->sin6_port));
	else if (ss.ss_family == AF_INET6)
		snprintf(buf, len, "[%pI6c]:%u,1", &sin6->sin6_addr,
			 ntohs(sin6->sin6_port));
}

static void iscsi_text_send_targets(struct iscsi_conn_io *io,
				    struct iscsi_text_buf *t, const char *value)
{
	const char *name = io->session->target->name;
	char portal[ISCSI_ADDR_LEN + 16];

	/* a normal session only ever sees its own target */
	if (*value && strcmp(value, "All") && strcmp(value, name))
		return;
	iscsi_text_add(t, "TargetName", name);
	iscsi_text_portal(io, portal, sizeof(portal));
	if (portal[0])
		iscsi_text_add(t, "TargetAddress", portal);
}

/* Answer the accumulated request into io->text_rsp */
static int iscsi_text_build(struct iscsi_conn_io *io)
{
	struct iscsi_text_buf t = { .cap = 2 * ISCSI_MAX_TEXT_LEN };
	char *p = io->text_req, *end = p + io->text_req_len, *eq, *next;

	t.buf = kvmalloc(t.cap, GFP_KERNEL);
	if (!t.buf)
		return -ENOMEM;
	while (p < end) {
		next = memchr(p, '\0', end - p);
		if (!next) {
			/* unterminated last pair: the spare byte ends it */
			*end = '\0';
			next = end;
		}
		eq = strchr(p, '=');
		if (eq && eq != p) {
			*eq = '\0';
			if (!strcmp(p, "SendTargets"))
				iscsi_text_send_targets(io, &t, eq + 1);
			else
				iscsi_text_add(&t, p, "NotUnderstood");
		}
		p = next + 1;
	}
	kvfree(io->text_rsp);
	io->text_rsp = t.buf;
	io->text_rsp_len = t.len;
	io->text_rsp_off = 0;
	return 0;
}

static void iscsi_text_reset(struct iscsi_conn_io *io)
{
	kvfree(io->text_rsp);
	io->text_rsp = NULL;
	io->text_rsp_len = 0;
	io->text_rsp_off = 0;
	io->text_req_len = 0;
	io->text_req_active = false;
	io->text_ttt = ISCSI_RESERVED_TAG;
}

/*
 * One Text Response.  To a request that continues (C bit) an empty one
 * asking for the rest; otherwise the next chunk of io->text_rsp, with the
 * C bit while more chunks follow.  The exchange ends (F bit, TTT
 * 0xffffffff) when everything was sent and the initiator set F.
 */
static int iscsi_text_send(struct iscsi_conn_io *io, u32 itt, bool req_final,
			   bool req_continues)
{
	u32 len = 0, left = io->text_rsp_len - io->text_rsp_off;
	struct iscsi_text_hdr *h;
	struct iscsi_pdu *pdu;

	if (!req_continues)
		len = min(left, io->max_xmit_dsl);
	pdu = iscsi_pdu_alloc(ISCSI_OP_TEXT_RSP, len);
	if (!pdu)
		return -ENOMEM;
	if (len)
		memcpy(pdu->data, io->text_rsp + io->text_rsp_off, len);
	io->text_rsp_off += len;
	h = (struct iscsi_text_hdr *)pdu->bhs;
	h->itt = cpu_to_be32(itt);
	if (req_continues || len < left || !req_final) {
		/* the initiator goes on with this TTT */
		io->text_ttt = iscsi_alloc_ttt(io);
		h->ttt = cpu_to_be32(io->text_ttt);
		if (!req_continues && len < left)
			h->flags = ISCSI_TEXT_CONTINUE;
	} else {
		h->flags = ISCSI_FLG_FINAL;
		h->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
		iscsi_text_reset(io);
	}
	pdu->inc_statsn = 1;
	iscsi_pdu_send(io, pdu);
	return 0;
}

static int iscsi_text_reject(struct iscsi_conn_io *io, u8 reason)
{
	iscsi_text_reset(io);
	iscsi_send_reject(io, io->rx_bhs, reason, false);
	return iscsi_rx_discard(io, io->rx_dsl);
}

static int iscsi_rx_text(struct iscsi_conn_io *io)
{
	const struct iscsi_text_hdr *req = (void *)io->rx_bhs;
	bool imm = req->opcode & ISCSI_OP_IMMEDIATE;
	bool final = req->flags & ISCSI_FLG_FINAL;
	bool cont = req->flags & ISCSI_TEXT_CONTINUE;
	u32 itt = be32_to_cpu(req->itt), ttt = be32_to_cpu(req->ttt);
	u32 dsl = io->rx_dsl;
	int rc;

	if (iscsi_cmd_sn_check(io, be32_to_cpu(req->sn), imm, false) ==
	    ISCSI_SN_DROP)
		return iscsi_rx_discard(io, dsl);
	if ((final && cont) || itt == ISCSI_RESERVED_TAG)
		return iscsi_text_reject(io, ISCSI_REJECT_PROTOCOL_ERROR);
	if (ttt == ISCSI_RESERVED_TAG)
		iscsi_text_reset(io);		/* a new exchange */
	else if (ttt != io->text_ttt || itt != io->text_itt)
		return iscsi_text_reject(io, ISCSI_REJECT_INVALID_PDU_FIELD);
	if (dsl > ISCSI_MAX_TEXT_LEN - io->text_req_len)
		return iscsi_text_reject(io, ISCSI_REJECT_PROTOCOL_ERROR);
	if (!io->text_req) {
		/* one spare byte to terminate an unterminated last pair */
		io->text_req = kvmalloc(ISCSI_MAX_TEXT_LEN + 1, GFP_KERNEL);
		if (!io->text_req)
			return -ENOMEM;
	}
	rc = iscsi_rx_kbuf(io, io->text_req + io->text_req_len, dsl);
	if (rc < 0)
		return rc;
	if (rc)
		return iscsi_text_reject(io, ISCSI_REJECT_DATA_DIGEST_ERROR);
	io->text_req_len += dsl;
	io->text_itt = itt;
	io->text_req_active = true;
	if (cont)
		return iscsi_text_send(io, itt, false, true);
	if (io->text_req_len) {
		rc = iscsi_text_build(io);
		io->text_req_len = 0;
		if (rc)
			return rc;
	}
	return iscsi_text_send(io, itt, final, false);
}

/* ------------------------------------------------------------------
 * Receive dispatcher
 */

int iscsi_rx_handle_pdu(struct iscsi_conn_io *io)
{
	u8 op = io->rx_bhs[0] & ISCSI_OPCODE_MASK;

	/* AHS are only defined for SCSI Command PDUs */
	if (io->rx_ahs_len && op != ISCSI_OP_SCSI_CMD) {
		iscsi_send_reject(io, io->rx_bhs, ISCSI_REJECT_PROTOCOL_ERROR,
				  false);
		return iscsi_rx_discard(io, io->rx_dsl);
	}
	switch (op) {
	case ISCSI_OP_SCSI_CMD:
		return iscsi_rx_scsi_cmd(io);
	case ISCSI_OP_SCSI_DATA_OUT:
		return iscsi_rx_data_out(io);
	case ISCSI_OP_NOP_OUT:
		return iscsi_rx_nop_out(io);
	case ISCSI_OP_SCSI_TASK_MGT_MSG:
		return iscsi_rx_tmf(io);
	case ISCSI_OP_TEXT_CMD:
		return iscsi_rx_text(io);
	case ISCSI_OP_LOGOUT_CMD:
		return iscsi_rx_logout(io);
	case ISCSI_OP_SNACK_CMD:	/* ERL 0: nothing to recover */
	case ISCSI_OP_LOGIN_CMD:	/* not in full feature phase */
		iscsi_send_reject(io, io->rx_bhs, ISCSI_REJECT_PROTOCOL_ERROR,
				  false);
		return iscsi_rx_discard(io, io->rx_dsl);
	default:
		iscsi_send_reject(io, io->rx_bhs,
				  ISCSI_REJECT_CMD_NOT_SUPPORTED, false);
		return iscsi_rx_discard(io, io->rx_dsl);
	}
}

/* ------------------------------------------------------------------
 * Responses
 */

static void iscsi_set_resid(struct iscsi_cmnd *cmnd, int resid, u32 *field,
			    u8 over, u8 under)
{
	if (resid > 0) {
		cmnd->rsp_flags |= under;
		*field = resid;
	} else if (resid < 0) {
		cmnd->rsp_flags |= over;
		*field = -(s64)resid;
	}
}

static void iscsi_rsp_prepare(struct iscsi_cmnd *cmnd, struct scst_cmd *cmd)
{
	bool bidi = cmd->data_direction == SCST_DATA_BIDI;
	int resid, out_resid;
	u32 n;

	cmnd->status = cmd->status;
	cmnd->tx_sg = cmd->sg;
	cmnd->tx_len = cmd->sg ? cmd->resp_data_len : 0;
	cmnd->tx_off = 0;
	iscsi_sg_pos_init(&cmnd->tx_pos, cmnd->tx_sg);
	cmnd->sense_len = 0;
	if (cmd->sense && cmd->sense_valid_len) {
		n = min_t(u32, cmd->sense_valid_len, SCST_SENSE_BUFFERSIZE);
		put_unaligned_be16(n, cmnd->rsp_data);
		memcpy(cmnd->rsp_data + 2, cmd->sense, n);
		cmnd->sense_len = n + 2;
	}
	cmnd->rsp_flags = 0;
	cmnd->resid = 0;
	cmnd->bidi_resid = 0;
	if (scst_get_resid(cmd, &resid, &out_resid)) {
		if (bidi) {
			/* Residual Count is the write part, o/u the read */
			iscsi_set_resid(cmnd, out_resid, &cmnd->resid,
					ISCSI_FLG_RESID_OVERFLOW,
					ISCSI_FLG_RESID_UNDERFLOW);
			iscsi_set_resid(cmnd, resid, &cmnd->bidi_resid,
					ISCSI_FLG_BIDI_OVERFLOW,
					ISCSI_FLG_BIDI_UNDERFLOW);
		} else {
			iscsi_set_resid(cmnd, resid, &cmnd->resid,
					ISCSI_FLG_RESID_OVERFLOW,
					ISCSI_FLG_RESID_UNDERFLOW);
		}
	}
	/* phase collapse: status in the last Data-In unless sense follows */
	cmnd->collapse = cmnd->tx_len && !cmnd->sense_len && !bidi;
	cmnd->rsp_pdu = !cmnd->collapse;
}

static void iscsi_build_data_in(struct iscsi_conn_io *io,
				struct iscsi_cmnd *cmnd,
				struct iscsi_tx_cur *cur)
{
	struct iscsi_data_in_hdr *h = (struct iscsi_data_in_hdr *)cur->hdr;
	u32 off = cmnd->tx_off;
	/* each MaxBurstLength of Data-In is a sequence ending with F */
	u64 burst_end = ((u64)off / io->max_burst + 1) * io->max_burst;
	u32 len = min3(io->max_xmit_dsl, cmnd->tx_len - off,
		       (u32)(burst_end - off));
	bool last = off + len == cmnd->tx_len;
	bool status = last && cmnd->collapse;

	h->opcode = ISCSI_OP_SCSI_DATA_IN;
	if (last || off + len == burst_end)
		h->flags = ISCSI_FLG_FINAL;
	memcpy(h->lun, cmnd->lun, sizeof(h->lun));
	h->itt = cpu_to_be32(cmnd->itt);
	h->ttt = cpu_to_be32(ISCSI_RESERVED_TAG);
	h->datasn = cpu_to_be32(cmnd->data_sn++);
	h->buffer_offset = cpu_to_be32(off);
	iscsi_set_dlength(h->dlength, len);
	if (status) {
		h->flags |= ISCSI_FLG_DATA_STATUS | cmnd->rsp_flags;
		h->cmd_status = cmnd->status;
		h->residual_count = cpu_to_be32(cmnd->resid);
		iscsi_cmnd_rsp_final(cmnd);
		cmnd->stat_sn = iscsi_fill_sn(io, cur->hdr, true, true);
	} else {
		iscsi_fill_sn(io, cur->hdr, false, false);
	}
	cur->cmnd = cmnd;
	cur->data_off = off;
	cur->data_len = len;
	/* small payloads: copying beats holding the command for TCP */
	cur->copy = cmnd->tx_len < ISCSI_ZC_MIN_LEN;
	cur->item_done = status;
	cur->more = !status;
	cmnd->tx_off += len;
}

static void iscsi_build_scsi_rsp(struct iscsi_conn_io *io,
				 struct iscsi_cmnd *cmnd,
				 struct iscsi_tx_cur *cur)
{
	struct iscsi_scsi_rsp_hdr *h = (struct iscsi_scsi_rsp_hdr *)cur->hdr;

	h->opcode = ISCSI_OP_SCSI_RSP;
	h->flags = ISCSI_FLG_FINAL | cmnd->rsp_flags;
	h->response = ISCSI_RSP_CMD_COMPLETED;
	h->cmd_status = cmnd->status;
	iscsi_set_dlength(h->dlength, cmnd->sense_len);
	h->itt = cpu_to_be32(cmnd->itt);
	h->exp_datasn = cpu_to_be32(cmnd->data_sn);
	h->residual_count = cpu_to_be32(cmnd->resid);
	h->bi_residual_count = cpu_to_be32(cmnd->bidi_resid);
	iscsi_cmnd_rsp_final(cmnd);
	cmnd->stat_sn = iscsi_fill_sn(io, cur->hdr, true, true);
	cur->cmnd = cmnd;
	cur->kbuf = cmnd->sense_len ? cmnd->rsp_data : NULL;
	cur->data_len = cmnd->sense_len;
	cur->item_done = true;
}

/* The next PDU of a response (transmit owner) */
void iscsi_tx_build_rsp(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
			struct iscsi_tx_cur *cur)
{
	if (cmnd->tx_off < cmnd->tx_len)
		iscsi_build_data_in(io, cmnd, cur);
	else
		iscsi_build_scsi_rsp(io, cmnd, cur);
}

/* The response left (or will never leave): release or hold the command */
void iscsi_tx_rsp_done(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
		       bool sent)
{
	iscsi_cmnd_rsp_final(cmnd);
	if (sent && cmnd->zero_copy && cmnd->scst_cmd &&
	    iscsi_ack_hold(io, cmnd))
		return;
	iscsi_cmnd_release_held(cmnd);
}

/* ------------------------------------------------------------------
 * SCST target template callbacks
 */

int iscsi_xmit_response(struct scst_cmd *cmd)
{
	struct iscsi_cmnd *cmnd = scst_cmd_get_tgt_priv(cmd);
	struct iscsi_conn_io *io = cmnd->io;

	if (unlikely(scst_cmd_aborted_on_xmit(cmd) ||
		     READ_ONCE(io->tx_closed) ||
		     atomic_cmpxchg(&cmnd->rsp_claim, ISCSI_RSP_OPEN,
				    ISCSI_RSP_QUEUED) == ISCSI_RSP_ABORTED)) {
		/* aborted, or the connection is gone: nothing to send */
		iscsi_cmnd_rsp_final(cmnd);
		scst_tgt_cmd_done(cmd, SCST_CONTEXT_DIRECT);
		return SCST_TGT_RES_SUCCESS;
	}
	iscsi_rsp_prepare(cmnd, cmd);
	iscsi_cmnd_queue_rsp(io, cmnd);
	return SCST_TGT_RES_SUCCESS;
}

int iscsi_rdy_to_xfer(struct scst_cmd *cmd)
{
	struct iscsi_cmnd *cmnd = scst_cmd_get_tgt_priv(cmd);
	struct iscsi_conn_io *io = cmnd->io;
	bool bidi = cmd->data_direction == SCST_DATA_BIDI;
	struct scatterlist *sg = bidi ? cmd->out_sg : cmd->sg;
	u32 len = bidi ? cmd->out_bufflen : cmd->bufflen;
	int status = SCST_RX_STATUS_SUCCESS;

	spin_lock(&io->task_lock);
	if (io->rx_closed) {
		status = SCST_RX_STATUS_ERROR_FATAL;
	} else if (cmnd->rx_state != ISCSI_RX_INIT || !sg || !len) {
		/*
		 * Not called from scst_cmd_init_done() in the receive thread:
		 * the immediate and unsolicited data were dropped already.
		 */
		status = SCST_RX_STATUS_ERROR;
	} else {
		cmnd->rx_state = ISCSI_RX_WAIT_DATA;
		cmnd->sg = sg;
		cmnd->buf_len = len;
		iscsi_sg_pos_init(&cmnd->rx_pos, sg);
		cmnd->rx_activity = jiffies;
		list_add_tail(&cmnd->wait_entry, &io->data_wait_list);
	}
	if (status != SCST_RX_STATUS_SUCCESS &&
	    cmnd->rx_state != ISCSI_RX_WAIT_DATA)
		cmnd->rx_state = ISCSI_RX_DRAIN;
	spin_unlock(&io->task_lock);
	if (status != SCST_RX_STATUS_SUCCESS) {
		scst_rx_data(cmd, status, SCST_CONTEXT_THREAD);
		return SCST_TGT_RES_SUCCESS;
	}
	/*
	 * Task management sets ABORTED, then calls on_abort_cmd() if the
	 * command is in DATA_WAIT; that may have happened before we entered
	 * WAIT_DATA above and found nothing to do.  Pairs with the barrier
	 * after setting ABORTED: either on_abort_cmd() sees WAIT_DATA or we
	 * see ABORTED.
	 */
	smp_mb();
	if (scst_cmd_aborted(cmd))
		iscsi_on_abort_cmd(cmd);
	return SCST_TGT_RES_SUCCESS;
}

void iscsi_on_free_cmd(struct scst_cmd *cmd)
{
	struct iscsi_cmnd *cmnd = scst_cmd_get_tgt_priv(cmd);

	if (!cmnd)
		return;
	scst_cmd_set_tgt_priv(cmd, NULL);
	WRITE_ONCE(cmnd->scst_cmd, NULL);
	iscsi_cmnd_put(cmnd);
}

/* Task management aborted a command that may be waiting for Data-Out */
void iscsi_on_abort_cmd(struct scst_cmd *cmd)
{
	struct iscsi_cmnd *cmnd = scst_cmd_get_tgt_priv(cmd);
	struct iscsi_conn_io *io;
	bool fail = false;

	if (!cmnd)
		return;
	io = cmnd->io;
	spin_lock(&io->task_lock);
	if (cmnd->rx_state == ISCSI_RX_WAIT_DATA) {
		if (cmnd->rx_busy) {
			/* the receive thread finishes the PDU, then fails it */
			cmnd->rx_abort = true;
		} else {
			iscsi_rx_fail_locked(cmnd);
			fail = true;
		}
	}
	spin_unlock(&io->task_lock);
	if (fail)
		scst_rx_data(cmd, SCST_RX_STATUS_ERROR_SENSE_SET,
			     SCST_CONTEXT_THREAD);
}

/* ------------------------------------------------------------------
 * Connection end (nthread.c calls these)
 */

/* Teardown: no more Data-Out will arrive; fail who waits for it */
void iscsi_rx_teardown_tasks(struct iscsi_conn_io *io)
{
	struct iscsi_cmnd *cmnd, *tmp;
	LIST_HEAD(fail);

	spin_lock(&io->task_lock);
	io->rx_closed = true;
	list_for_each_entry_safe(cmnd, tmp, &io->data_wait_list, wait_entry) {
		kref_get(&cmnd->ref);
		cmnd->rx_state = ISCSI_RX_DRAIN;
		cmnd->nr_r2t = 0;
		list_move_tail(&cmnd->wait_entry, &fail);
	}
	spin_unlock(&io->task_lock);

	list_for_each_entry_safe(cmnd, tmp, &fail, wait_entry) {
		list_del_init(&cmnd->wait_entry);
		scst_rx_data(cmnd->scst_cmd, SCST_RX_STATUS_ERROR_FATAL,
			     SCST_CONTEXT_THREAD);
		iscsi_cmnd_put(cmnd);
	}
}

/* Release: drop the table's references to whatever is left */
void iscsi_rx_free_leftovers(struct iscsi_conn_io *io)
{
	struct iscsi_cmnd *cmnd;
	struct hlist_node *tmp;
	HLIST_HEAD(list);
	int bkt;

	spin_lock(&io->task_lock);
	hash_for_each_safe(io->itt_hash, bkt, tmp, cmnd, hash_entry) {
		hash_del(&cmnd->hash_entry);
		cmnd->hashed = false;
		hlist_add_head(&cmnd->hash_entry, &list);
	}
	spin_unlock(&io->task_lock);
	hlist_for_each_entry_safe(cmnd, tmp, &list, hash_entry) {
		hlist_del(&cmnd->hash_entry);
		iscsi_cmnd_put(cmnd);
	}
}

/* A task waiting for Data-Out longer than RspTimeout ends the connection */
void iscsi_rsp_timeout_check(struct iscsi_conn_io *io)
{
	unsigned long now = jiffies;
	struct iscsi_cmnd *cmnd;
	u32 itt = 0;
	bool expired = false;

	spin_lock(&io->task_lock);
	list_for_each_entry(cmnd, &io->data_wait_list, wait_entry) {
		if (time_after(now, cmnd->rx_activity + io->rsp_timeout)) {
			expired = true;
			itt = cmnd->itt;
			break;
		}
	}
	spin_unlock(&io->task_lock);
	if (expired) {
		pr_info("%s: task 0x%x waited more than %lu s for Data-Out, closing the connection\n",
			io->conn ? io->conn->peer_addr : "?", itt,
			io->rsp_timeout / HZ);
		iscsi_io_request_close(io);
	}
}

/* ------------------------------------------------------------------
 * Module init / exit of the data path
 */

int iscsi_dp_init(void)
{
	iscsi_cmnd_cache = KMEM_CACHE(iscsi_cmnd, 0);
	return iscsi_cmnd_cache ? 0 : -ENOMEM;
}

void iscsi_dp_exit(void)
{
	kmem_cache_destroy(iscsi_cmnd_cache);
}
