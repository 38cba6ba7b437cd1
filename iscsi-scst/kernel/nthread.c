// SPDX-License-Identifier: GPL-2.0
/*
 * nthread.c - connection threads of the iSCSI data path: receiving PDUs,
 * the transmit queue, the housekeeping timer and connection teardown.
 *
 * Threading design.  Every connection has a receive thread and a transmit
 * thread, and they are deliberately not in a shared pool:
 *
 *  - Receiving is a strictly sequential walk through a TCP byte stream,
 *    and SAM ordering requires commands to reach SCST in CmdSN order, so
 *    one connection can never use more than one receiver at a time.  A
 *    blocking kernel_recvmsg() in a thread of its own is the cheapest way
 *    to do that: data segments are received straight into the command's
 *    pages (the copy out of the socket buffers is the only one), WRITE
 *    commands are set up inline (scst_cmd_init_done(SCST_CONTEXT_DIRECT)
 *    runs parse, buffer allocation and rdy_to_xfer() here), and execution
 *    is handed to SCST's per-CPU threads.  Scaling over CPUs comes from
 *    having one such thread per connection, which the scheduler spreads;
 *    a pool would add a hand-off per PDU for nothing.
 *
 *  - Transmitting is done, whenever the socket accepts the data, by
 *    whoever produced the PDU: xmit_response() in an SCST thread, the
 *    receive thread (R2Ts), the TM thread (TMF responses).  The producer
 *    appends to the connection's queue and, if nobody else is writing,
 *    becomes the writer and sends with MSG_DONTWAIT.  Only when the socket
 *    is full is the rest handed to the connection's transmit thread, which
 *    sends blocking.  So the common case costs no context switch and a
 *    slow initiator never blocks an SCST thread.
 *
 *  - StatSN is assigned when a PDU is actually serialized, by the single
 *    writer, so StatSN order equals wire order.
 *
 * Zero copy on transmit: Data-In payload is given to TCP with
 * kernel_sendpage(), so the socket keeps references to the command's
 * pages after the send returns - on loopback even the receiving socket
 * does.  SCST recycles data buffers, so a command whose pages went out
 * that way is only released to SCST (scst_tgt_cmd_done()) once the
 * initiator acknowledged its StatSN through ExpStatSN - it then consumed
 * the data - or once TCP dropped its page references; both are checked on
 * every received PDU and by the housekeeping timer.
 */

#define pr_fmt(fmt) "iscsi-scst: " fmt

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/net.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "iscsi_dp.h"

/* ------------------------------------------------------------------
 * Lifetime
 */

static void iscsi_io_free(struct kref *kref)
{
	struct iscsi_conn_io *io = container_of(kref, struct iscsi_conn_io,
						ref);

	/* any context: only kfree() here */
	kfree(io->scratch);
	kfree(io->rx_bvec);
	kfree(io);
}

void iscsi_io_get(struct iscsi_conn_io *io)
{
	kref_get(&io->ref);
}

void iscsi_io_put(struct iscsi_conn_io *io)
{
	kref_put(&io->ref, iscsi_io_free);
}

bool iscsi_io_closing(struct iscsi_conn_io *io)
{
	return test_bit(ISCSI_IO_CLOSING, &io->flags);
}

static const char *iscsi_io_peer(struct iscsi_conn_io *io)
{
	return io->conn ? io->conn->peer_addr : "?";
}

/*
 * Stop all network I/O of the connection: the receive thread sees EOF and
 * tears the connection down, blocked senders fail.  Process context; never
 * called once the connection was released.
 */
void iscsi_io_request_close(struct iscsi_conn_io *io)
{
	if (test_and_set_bit(ISCSI_IO_CLOSING, &io->flags))
		return;
	kernel_sock_shutdown(io->sock, SHUT_RDWR);
	wake_up(&io->tx_waitq);
	wake_up_all(&io->tx_idle_waitq);
}

/* ------------------------------------------------------------------
 * Receiving
 */

static int iscsi_rx_msg(struct iscsi_conn_io *io, struct msghdr *msg)
{
	int rc;

	while (msg_data_left(msg)) {
		rc = sock_recvmsg(io->sock, msg, MSG_WAITALL | MSG_NOSIGNAL);
		if (rc <= 0)
			return rc ? rc : -ECONNRESET;
	}
	return 0;
}

int iscsi_rx_buf(struct iscsi_conn_io *io, void *buf, u32 len)
{
	struct msghdr msg = { };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &iov, 1, len);
	return iscsi_rx_msg(io, &msg);
}

/* Receive len bytes and drop them, folding them into *crc if crc */
static int iscsi_rx_skip(struct iscsi_conn_io *io, u32 len, u32 *crc)
{
	int rc;

	while (len) {
		u32 n = min_t(u32, len, ISCSI_SCRATCH_LEN);

		rc = iscsi_rx_buf(io, io->scratch, n);
		if (rc)
			return rc;
		if (crc)
			*crc = iscsi_crc_buf(*crc, io->scratch, n);
		len -= n;
	}
	return 0;
}

/*
 * Padding and data digest of a data segment of dsl bytes whose digest so
 * far is crc.  Returns 0, 1 on a digest mismatch (the stream is still in
 * sync), or a negative errno.
 */
static int iscsi_rx_trailer(struct iscsi_conn_io *io, u32 dsl, u32 crc)
{
	u8 buf[ISCSI_PAD_LEN + ISCSI_DIGEST_LEN];
	u32 pad = iscsi_pad_len(dsl);
	u32 n = pad + (io->ddigest ? ISCSI_DIGEST_LEN : 0);
	int rc;

	if (!dsl || !n)
		return 0;
	rc = iscsi_rx_buf(io, buf, n);
	if (rc)
		return rc;
	if (!io->ddigest)
		return 0;
	crc = iscsi_crc_buf(crc, buf, pad);
	return iscsi_digest_ok(buf + pad, crc) ? 0 : 1;
}

/* Drop a whole data segment; its digest does not matter */
int iscsi_rx_discard(struct iscsi_conn_io *io, u32 dsl)
{
	int rc;

	if (!dsl)
		return 0;
	rc = iscsi_rx_skip(io, dsl, NULL);
	if (!rc)
		rc = iscsi_rx_trailer(io, dsl, 0);
	return rc < 0 ? rc : 0;
}

/* Data segment into a linear buffer: 0, 1 (digest error) or -errno */
int iscsi_rx_kbuf(struct iscsi_conn_io *io, void *buf, u32 dsl)
{
	int rc;

	if (!dsl)
		return 0;
	rc = iscsi_rx_buf(io, buf, dsl);
	if (rc)
		return rc;
	return iscsi_rx_trailer(io, dsl,
				io->ddigest ? iscsi_crc_buf(~0U, buf, dsl) : 0);
}

/* len bytes at buffer offset off of a scatterlist, straight into its pages */
static int iscsi_rx_sg(struct iscsi_conn_io *io, struct iscsi_sg_pos *pos,
		       u32 off, u32 len, u32 *crc)
{
	struct bio_vec *bv = io->rx_bvec;
	struct msghdr msg = { };
	int rc;

	while (len) {
		unsigned int n = 0;
		u32 chunk = 0;

		while (chunk < len && n < io->rx_bvec_cnt) {
			struct scatterlist *sg = iscsi_sg_seek(pos, off + chunk);
			u32 in, l, po;

			if (!sg)
				return -EIO;	/* buffer shorter than promised */
			in = off + chunk - pos->start;
			l = min(len - chunk, sg->length - in);
			po = sg->offset + in;
			bv[n].bv_page = nth_page(sg_page(sg), po >> PAGE_SHIFT);
			bv[n].bv_offset = po & ~PAGE_MASK;
			bv[n].bv_len = l;
			n++;
			chunk += l;
		}
		iov_iter_bvec(&msg.msg_iter, ITER_DEST, bv, n, chunk);
		rc = iscsi_rx_msg(io, &msg);
		if (rc)
			return rc;
		if (io->ddigest)
			*crc = iscsi_crc_bvec(*crc, bv, n);
		off += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * A data segment of dsl bytes for buffer offset off of a task: the part
 * inside [0, buf_len) goes into sg (if sg), the rest is dropped.  Returns
 * 0, 1 on a data digest error, or a negative errno.
 */
int iscsi_rx_cmd_data(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd,
		      struct scatterlist *sg, u32 buf_len, u32 off, u32 dsl)
{
	u32 in = 0, crc = ~0U;
	int rc;

	if (!dsl)
		return 0;
	if (sg && off < buf_len)
		in = min(dsl, buf_len - off);
	if (in) {
		rc = iscsi_rx_sg(io, &cmnd->rx_pos, off, in, &crc);
		if (rc)
			return rc;
	}
	if (dsl > in) {
		rc = iscsi_rx_skip(io, dsl - in, io->ddigest ? &crc : NULL);
		if (rc)
			return rc;
	}
	return iscsi_rx_trailer(io, dsl, crc);
}

/* One PDU: header, AHS, header digest, then the opcode's handler */
static int iscsi_rx_one(struct iscsi_conn_io *io)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)io->rx_bhs;
	u8 digest[ISCSI_DIGEST_LEN];
	int rc;

	rc = iscsi_rx_buf(io, io->rx_bhs, ISCSI_BHS_LEN);
	if (rc)
		return rc;
	io->rx_ahs_len = hdr->hlength * 4;	/* at most ISCSI_MAX_AHS_LEN */
	if (io->rx_ahs_len) {
		rc = iscsi_rx_buf(io, io->rx_ahs, io->rx_ahs_len);
		if (rc)
			return rc;
	}
	if (io->hdigest) {
		u32 crc;

		rc = iscsi_rx_buf(io, digest, sizeof(digest));
		if (rc)
			return rc;
		crc = iscsi_crc_buf(~0U, io->rx_bhs, ISCSI_BHS_LEN);
		crc = iscsi_crc_buf(crc, io->rx_ahs, io->rx_ahs_len);
		if (!iscsi_digest_ok(digest, crc)) {
			/* ERL 0: the framing cannot be trusted any more */
			pr_info_ratelimited("%s: header digest error, closing the connection\n",
					    iscsi_io_peer(io));
			return -EBADMSG;
		}
	}
	io->rx_dsl = iscsi_get_dlength(hdr->dlength);
	WRITE_ONCE(io->last_rx, jiffies);
	if (io->rx_dsl > io->max_recv_dsl) {
		pr_info_ratelimited("%s: data segment of %u bytes exceeds MaxRecvDataSegmentLength %u, closing the connection\n",
				    iscsi_io_peer(io), io->rx_dsl,
				    io->max_recv_dsl);
		iscsi_send_reject(io, io->rx_bhs, ISCSI_REJECT_PROTOCOL_ERROR,
				  true);
		return -ESHUTDOWN;
	}
	iscsi_ack_release(io, be32_to_cpu(hdr->exp_statsn));
	return iscsi_rx_handle_pdu(io);
}

static void iscsi_io_teardown(struct iscsi_conn_io *io);

static void iscsi_rx_wait_stop(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int iscsi_rx_thread(void *arg)
{
	struct iscsi_conn_io *io = arg;
	int rc = 0;

	while (!kthread_should_stop() && !iscsi_io_closing(io)) {
		rc = iscsi_rx_one(io);
		if (rc)
			break;
	}
	if (rc == -ESHUTDOWN) {
		/* a Reject or Logout Response that ends the connection */
		wait_event_interruptible_timeout(io->tx_idle_waitq,
						 iscsi_io_closing(io) ||
						 kthread_should_stop(),
						 ISCSI_CLOSE_FLUSH_TIME);
	} else if (rc && rc != -ECONNRESET && rc != -EBADMSG &&
		   !iscsi_io_closing(io)) {
		pr_info_ratelimited("%s: receive failed (%d), closing the connection\n",
				    iscsi_io_peer(io), rc);
	}
	iscsi_io_teardown(io);
	iscsi_rx_wait_stop();
	return 0;
}

/* ------------------------------------------------------------------
 * Transmitting
 */

static int iscsi_tx_kvec(struct iscsi_conn_io *io, void *buf, u32 len,
			 int flags)
{
	struct msghdr msg = { .msg_flags = flags };
	struct kvec iov = { .iov_base = buf, .iov_len = len };

	return kernel_sendmsg(io->sock, &msg, &iov, 1, len);
}

/* At most one page of the current PDU's command data */
static int iscsi_tx_sg_piece(struct iscsi_conn_io *io,
			     struct iscsi_tx_cur *cur, u32 left, int flags)
{
	struct scatterlist *sg = cur->sg;
	struct page *page;
	u32 off, poff, n;
	int rc;

	if (!sg)
		return -EIO;
	off = sg->offset + cur->sg_off;
	page = nth_page(sg_page(sg), off >> PAGE_SHIFT);
	poff = off & ~PAGE_MASK;
	n = min3(left, sg->length - cur->sg_off, (u32)PAGE_SIZE - poff);
	if (n < left)
		flags |= MSG_MORE;
	if (cur->copy) {
		void *addr = kmap_local_page(page);

		rc = iscsi_tx_kvec(io, addr + poff, n, flags);
		kunmap_local(addr);
	} else {
		if (flags & MSG_MORE)
			flags |= MSG_SENDPAGE_NOTLAST;
		rc = kernel_sendpage(io->sock, page, poff, n, flags);
		if (rc > 0)
			cur->cmnd->zero_copy = true;
	}
	if (rc > 0) {
		cur->sg_off += rc;
		if (cur->sg_off >= sg->length) {
			cur->sg = sg_next(sg);
			cur->sg_off = 0;
		}
	}
	return rc;
}

/* Send (the rest of) the current PDU: 0, -EAGAIN (non-blocking) or -errno */
static int iscsi_tx_send(struct iscsi_conn_io *io, bool blocking)
{
	struct iscsi_tx_cur *cur = &io->cur;
	u32 data_end = cur->hdr_len + cur->data_len;
	u32 total = data_end + cur->trailer_len;
	int base = MSG_NOSIGNAL | (blocking ? 0 : MSG_DONTWAIT);
	int flags, rc;

	while (cur->pos < total) {
		flags = base | (cur->more ? MSG_MORE : 0);
		if (cur->pos < cur->hdr_len) {
			if (total > cur->hdr_len)
				flags |= MSG_MORE;
			rc = iscsi_tx_kvec(io, cur->hdr + cur->pos,
					   cur->hdr_len - cur->pos, flags);
		} else if (cur->pos < data_end) {
			u32 left = data_end - cur->pos;

			if (cur->trailer_len)
				flags |= MSG_MORE;
			if (cur->kbuf)
				rc = iscsi_tx_kvec(io, cur->kbuf +
						   (cur->pos - cur->hdr_len),
						   left, flags);
			else
				rc = iscsi_tx_sg_piece(io, cur, left, flags);
		} else {
			rc = iscsi_tx_kvec(io, cur->trailer +
					   (cur->pos - data_end),
					   total - cur->pos, flags);
		}
		if (rc <= 0)
			return rc ? rc : -EPIPE;
		cur->pos += rc;
	}
	return 0;
}

/* Serialize the next PDU of item into io->cur */
static void iscsi_tx_build(struct iscsi_conn_io *io, struct iscsi_tx_item *item)
{
	struct iscsi_tx_cur *cur = &io->cur;
	struct iscsi_sg_pos pos;
	u32 crc, pad;

	memset(cur, 0, sizeof(*cur));
	if (item->type == ISCSI_TX_PDU) {
		struct iscsi_pdu *pdu = container_of(item, struct iscsi_pdu, tx);

		memcpy(cur->hdr, pdu->bhs, ISCSI_BHS_LEN);
		iscsi_set_dlength(((struct iscsi_hdr *)cur->hdr)->dlength,
				  pdu->data_len);
		iscsi_fill_sn(io, cur->hdr, pdu->inc_statsn, !pdu->no_statsn);
		cur->kbuf = pdu->data;
		cur->data_len = pdu->data_len;
		cur->item_done = true;
	} else {
		iscsi_tx_build_rsp(io, container_of(item, struct iscsi_cmnd,
						    tx), cur);
	}
	cur->hdr_len = ISCSI_BHS_LEN;
	if (io->hdigest) {
		crc = iscsi_crc_buf(~0U, cur->hdr, ISCSI_BHS_LEN);
		iscsi_put_digest(cur->hdr + ISCSI_BHS_LEN, crc);
		cur->hdr_len += ISCSI_DIGEST_LEN;
	}
	if (cur->data_len) {
		if (!cur->kbuf) {
			cur->sg = iscsi_sg_seek(&cur->cmnd->tx_pos,
						cur->data_off);
			cur->sg_off = cur->data_off - cur->cmnd->tx_pos.start;
		}
		pad = iscsi_pad_len(cur->data_len);
		cur->trailer_len = pad;		/* zeroed by the memset */
		if (io->ddigest) {
			if (cur->kbuf) {
				crc = iscsi_crc_buf(~0U, cur->kbuf,
						    cur->data_len);
			} else {
				pos = cur->cmnd->tx_pos;
				crc = iscsi_crc_sg(~0U, &pos, cur->data_off,
						   cur->data_len);
			}
			crc = iscsi_crc_pad(crc, cur->data_len);
			iscsi_put_digest(cur->trailer + pad, crc);
			cur->trailer_len += ISCSI_DIGEST_LEN;
		}
	}
	cur->valid = true;
}

static void iscsi_tx_item_done(struct iscsi_conn_io *io,
			       struct iscsi_tx_item *item, bool sent)
{
	struct iscsi_pdu *pdu;

	if (item->type == ISCSI_TX_RSP) {
		iscsi_tx_rsp_done(io, container_of(item, struct iscsi_cmnd, tx),
				  sent);
		return;
	}
	pdu = container_of(item, struct iscsi_pdu, tx);
	if (sent && pdu->close_after)
		iscsi_io_request_close(io);
	iscsi_pdu_free(pdu);
}

/* Give up transmit ownership (tx_lock not held) */
static void iscsi_tx_release_owner(struct iscsi_conn_io *io, bool kick)
{
	spin_lock(&io->tx_lock);
	io->tx_owned = false;
	if (kick)
		set_bit(ISCSI_IO_TX_KICK, &io->flags);
	spin_unlock(&io->tx_lock);
	if (kick)
		wake_up(&io->tx_waitq);
	wake_up_all(&io->tx_idle_waitq);
}

/* The transmit owner's loop: send until the queue is empty */
static void iscsi_tx_run(struct iscsi_conn_io *io, bool blocking)
{
	struct iscsi_tx_item *item;
	bool done;
	int rc;

	for (;;) {
		spin_lock(&io->tx_lock);
		if (io->tx_closed || list_empty(&io->tx_queue)) {
			io->tx_owned = false;
			done = io->tx_closed;
			spin_unlock(&io->tx_lock);
			if (done)
				wake_up_all(&io->tx_idle_waitq);
			return;
		}
		item = list_first_entry(&io->tx_queue, struct iscsi_tx_item,
					entry);
		spin_unlock(&io->tx_lock);

		if (!io->cur.valid)
			iscsi_tx_build(io, item);
		rc = iscsi_tx_send(io, blocking);
		if (rc == -EAGAIN && !blocking) {
			/* socket full: the transmit thread waits for room */
			iscsi_tx_release_owner(io, true);
			return;
		}
		if (rc && rc != -EAGAIN) {
			if (!iscsi_io_closing(io))
				pr_info_ratelimited("%s: send failed (%d), closing the connection\n",
						    iscsi_io_peer(io), rc);
			iscsi_io_request_close(io);
			iscsi_tx_release_owner(io, false);
			return;
		}
		if (rc) {
			/* blocking send without progress: do not spin */
			schedule_timeout_interruptible(1);
			continue;
		}
		done = io->cur.item_done;
		io->cur.valid = false;
		if (done) {
			spin_lock(&io->tx_lock);
			list_del_init(&item->entry);
			spin_unlock(&io->tx_lock);
			iscsi_tx_item_done(io, item, true);
		}
	}
}

/*
 * Queue a PDU or response.  With direct, the caller sends it right away
 * (non-blocking) if nobody else is writing; otherwise the transmit thread
 * is woken.  Process context, no data path lock held.  After the
 * connection was closed the item is completed without being sent.
 */
void iscsi_tx_queue(struct iscsi_conn_io *io, struct iscsi_tx_item *item,
		    bool direct)
{
	spin_lock(&io->tx_lock);
	if (io->tx_closed) {
		spin_unlock(&io->tx_lock);
		iscsi_tx_item_done(io, item, false);
		return;
	}
	list_add_tail(&item->entry, &io->tx_queue);
	if (io->tx_owned) {
		spin_unlock(&io->tx_lock);
		return;
	}
	if (!direct) {
		set_bit(ISCSI_IO_TX_KICK, &io->flags);
		spin_unlock(&io->tx_lock);
		wake_up(&io->tx_waitq);
		return;
	}
	io->tx_owned = true;
	spin_unlock(&io->tx_lock);
	iscsi_tx_run(io, false);
}

void iscsi_tx_kick(struct iscsi_conn_io *io)
{
	set_bit(ISCSI_IO_TX_KICK, &io->flags);
	wake_up(&io->tx_waitq);
}

static void iscsi_tx_take_over(struct iscsi_conn_io *io)
{
	spin_lock(&io->tx_lock);
	if (io->tx_owned || io->tx_closed || list_empty(&io->tx_queue)) {
		spin_unlock(&io->tx_lock);
		return;
	}
	io->tx_owned = true;
	spin_unlock(&io->tx_lock);
	iscsi_tx_run(io, true);
}

/* ------------------------------------------------------------------
 * Responses whose pages the socket may still reference
 */

/* Keep a sent response until it is acknowledged; false if closed */
bool iscsi_ack_hold(struct iscsi_conn_io *io, struct iscsi_cmnd *cmnd)
{
	bool held = false;

	spin_lock(&io->tx_lock);
	if (!io->tx_closed) {
		list_add_tail(&cmnd->tx.entry, &io->ack_list);
		held = true;
	}
	spin_unlock(&io->tx_lock);
	return held;
}

static void iscsi_ack_release_list(struct list_head *list)
{
	struct iscsi_cmnd *cmnd, *tmp;

	list_for_each_entry_safe(cmnd, tmp, list, tx.entry) {
		list_del_init(&cmnd->tx.entry);
		iscsi_cmnd_release_held(cmnd);
	}
}

/* The initiator acknowledged every StatSN before exp_stat_sn */
void iscsi_ack_release(struct iscsi_conn_io *io, u32 exp_stat_sn)
{
	struct iscsi_cmnd *cmnd;
	LIST_HEAD(done);

	if (list_empty_careful(&io->ack_list))
		return;
	spin_lock(&io->tx_lock);
	while (!list_empty(&io->ack_list)) {
		cmnd = list_first_entry(&io->ack_list, struct iscsi_cmnd,
					tx.entry);
		if (!iscsi_sn_before(cmnd->stat_sn, exp_stat_sn))
			break;
		list_move_tail(&cmnd->tx.entry, &done);
	}
	spin_unlock(&io->tx_lock);
	iscsi_ack_release_list(&done);
}

/* Release held responses whose pages TCP no longer references */
static void iscsi_ack_release_idle(struct iscsi_conn_io *io)
{
	struct iscsi_cmnd *cmnd, *tmp;
	LIST_HEAD(done);

	spin_lock(&io->tx_lock);
	list_for_each_entry_safe(cmnd, tmp, &io->ack_list, tx.entry) {
		if (iscsi_cmnd_pages_idle(cmnd))
			list_move_tail(&cmnd->tx.entry, &done);
	}
	spin_unlock(&io->tx_lock);
	iscsi_ack_release_list(&done);
}

/* ------------------------------------------------------------------
 * Housekeeping: NOP-In pings, RspTimeout, logout request deadline
 */

static void iscsi_io_timer_fn(struct timer_list *t)
{
	struct iscsi_conn_io *io = from_timer(io, t, timer);

	set_bit(ISCSI_IO_TICK, &io->flags);
	wake_up(&io->tx_waitq);
}

static void iscsi_nop_check(struct iscsi_conn_io *io, unsigned long now)
{
	if (!io->nop_interval)
		return;
	if (READ_ONCE(io->ping_outstanding)) {
		if (time_after(now, io->ping_sent + io->nop_timeout)) {
			pr_info("%s: no reply to NOP-In within %lu s, closing the connection\n",
				iscsi_io_peer(io), io->nop_timeout / HZ);
			iscsi_io_request_close(io);
		}
		return;
	}
	/* only an idle connection needs proof that the initiator lives */
	if (time_after(now, READ_ONCE(io->last_rx) + io->nop_interval) &&
	    time_after(now, io->ping_sent + io->nop_interval))
		iscsi_send_nop_in_ping(io);
}

static void iscsi_io_tick(struct iscsi_conn_io *io)
{
	unsigned long now = jiffies;

	iscsi_ack_release_idle(io);
	if (!iscsi_io_closing(io)) {
		iscsi_nop_check(io, now);
		iscsi_rsp_timeout_check(io);
		if (test_bit(ISCSI_IO_LOGOUT_REQ, &io->flags) &&
		    time_after(now, io->logout_deadline)) {
			pr_info("%s: no logout after the target asked for it, closing the connection\n",
				iscsi_io_peer(io));
			iscsi_io_request_close(io);
		}
	}
	if (!kthread_should_stop())
		mod_timer(&io->timer, now + (list_empty_careful(&io->ack_list) ?
					     ISCSI_TICK : ISCSI_FAST_TICK));
}

static int iscsi_tx_thread(void *arg)
{
	struct iscsi_conn_io *io = arg;

	while (!kthread_should_stop()) {
		wait_event_interruptible(io->tx_waitq,
			kthread_should_stop() ||
			test_bit(ISCSI_IO_TICK, &io->flags) ||
			test_bit(ISCSI_IO_TX_KICK, &io->flags));
		if (test_and_clear_bit(ISCSI_IO_TX_KICK, &io->flags))
			iscsi_tx_take_over(io);
		if (test_and_clear_bit(ISCSI_IO_TICK, &io->flags))
			iscsi_io_tick(io);
	}
	return 0;
}

/* ------------------------------------------------------------------
 * Teardown
 */

/*
 * End the connection (receive thread, or release if that never ran):
 * no more network I/O, every queued or held response released to SCST,
 * tasks waiting for Data-Out failed, and the management half told.
 */
static void iscsi_io_teardown(struct iscsi_conn_io *io)
{
	struct iscsi_tx_item *item, *tmp;
	LIST_HEAD(items);
	LIST_HEAD(held);

	if (io->torn_down)
		return;
	io->torn_down = true;
	iscsi_io_request_close(io);
	if (io->conn)
		WRITE_ONCE(io->conn->state, ISCSI_CONN_CLOSING);

	/* wait for the current writer, then keep ownership for good */
	spin_lock(&io->tx_lock);
	io->tx_closed = true;
	while (io->tx_owned) {
		spin_unlock(&io->tx_lock);
		wait_event_interruptible(io->tx_idle_waitq,
					 !READ_ONCE(io->tx_owned));
		spin_lock(&io->tx_lock);
	}
	io->tx_owned = true;
	list_splice_init(&io->tx_queue, &items);
	list_splice_init(&io->ack_list, &held);
	spin_unlock(&io->tx_lock);
	io->cur.valid = false;

	list_for_each_entry_safe(item, tmp, &items, entry) {
		list_del_init(&item->entry);
		iscsi_tx_item_done(io, item, false);
	}
	iscsi_ack_release_list(&held);
	iscsi_rx_teardown_tasks(io);

	if (io->conn && !test_bit(ISCSI_IO_NO_NOTIFY, &io->flags)) {
		WRITE_ONCE(io->conn->state, ISCSI_CONN_CLOSED);
		iscsi_conn_closed(io->conn);
	}
}

/* ------------------------------------------------------------------
 * Interface to the management half
 */

static void iscsi_io_params(struct iscsi_conn_io *io, struct iscsi_conn *conn)
{
	const u32 *p = conn->session->params;

	io->hdigest = conn->hdigest;
	io->ddigest = conn->ddigest;
	io->max_xmit_dsl = clamp_t(u32, conn->max_xmit_dsl, 512,
				   ISCSI_MAX_DATA_SEG_LEN);
	io->max_recv_dsl = clamp_t(u32, conn->max_recv_dsl, 512,
				   ISCSI_MAX_DATA_SEG_LEN);
	io->initial_r2t = p[ISCSI_P_INITIAL_R2T];
	io->immediate_data = p[ISCSI_P_IMMEDIATE_DATA];
	io->max_burst = clamp_t(u32, p[ISCSI_P_MAX_BURST_LENGTH], 512,
				ISCSI_MAX_DSL_WIRE);
	io->first_burst = clamp_t(u32, p[ISCSI_P_FIRST_BURST_LENGTH], 512,
				  ISCSI_MAX_DSL_WIRE);
	io->max_r2t = clamp_t(u32, p[ISCSI_P_MAX_OUTSTANDING_R2T], 1,
			      ISCSI_MAX_R2T_PER_CMD);
	io->queued_cmds = clamp_t(u32, p[ISCSI_P_QUEUED_COMMANDS], 1,
				  ISCSI_MAX_QUEUED_CMDS);
	io->rsp_timeout = clamp_t(u32, p[ISCSI_P_RSP_TIMEOUT], 2, 65535) * HZ;
	io->nop_interval = min_t(u32, p[ISCSI_P_NOP_IN_INTERVAL], 65535) * HZ;
	io->nop_timeout = clamp_t(u32, p[ISCSI_P_NOP_IN_TIMEOUT], 1, 65535) *
			  HZ;
}

static struct iscsi_conn_io *iscsi_io_alloc(struct iscsi_conn *conn)
{
	struct iscsi_conn_io *io;

	io = kzalloc(sizeof(*io), GFP_KERNEL);
	if (!io)
		return NULL;
	kref_init(&io->ref);
	io->conn = conn;
	io->session = conn->session;
	io->scst_sess = conn->session->scst_sess;
	io->sock = conn->sock;
	io->cid = conn->cid;
	iscsi_io_params(io, conn);
	spin_lock_init(&io->task_lock);
	spin_lock_init(&io->tx_lock);
	hash_init(io->itt_hash);
	INIT_LIST_HEAD(&io->data_wait_list);
	INIT_LIST_HEAD(&io->tx_queue);
	INIT_LIST_HEAD(&io->ack_list);
	init_waitqueue_head(&io->tx_waitq);
	init_waitqueue_head(&io->tx_idle_waitq);
	timer_setup(&io->timer, iscsi_io_timer_fn, 0);
	io->stat_sn = conn->stat_sn;
	io->next_ttt = 1;
	io->text_ttt = ISCSI_RESERVED_TAG;
	io->last_rx = jiffies;
	io->ping_sent = jiffies;
	io->scratch = kmalloc(ISCSI_SCRATCH_LEN, GFP_KERNEL);
	io->rx_bvec_cnt = io->max_recv_dsl / PAGE_SIZE + 2;
	io->rx_bvec = kcalloc(io->rx_bvec_cnt, sizeof(*io->rx_bvec),
			      GFP_KERNEL);
	if (!io->scratch || !io->rx_bvec) {
		iscsi_io_put(io);
		return NULL;
	}
	return io;
}

int iscsi_conn_io_start(struct iscsi_conn *conn)
{
	struct iscsi_conn_io *io;
	struct sock *sk = conn->sock->sk;
	int rc;

	io = iscsi_io_alloc(conn);
	if (!io)
		return -ENOMEM;
	io->rx_task = kthread_create(iscsi_rx_thread, io, "iscsird%u_%u",
				     conn->session->tsih, conn->cid);
	if (IS_ERR(io->rx_task)) {
		rc = PTR_ERR(io->rx_task);
		goto out_free;
	}
	io->tx_task = kthread_create(iscsi_tx_thread, io, "iscsiwr%u_%u",
				     conn->session->tsih, conn->cid);
	if (IS_ERR(io->tx_task)) {
		rc = PTR_ERR(io->tx_task);
		kthread_stop(io->rx_task);
		goto out_free;
	}

	/* the daemon may have left login time-outs on the socket */
	WRITE_ONCE(sk->sk_rcvtimeo, MAX_SCHEDULE_TIMEOUT);
	WRITE_ONCE(sk->sk_sndtimeo, MAX_SCHEDULE_TIMEOUT);
	if (sk->sk_protocol == IPPROTO_TCP)
		tcp_sock_set_nodelay(sk);

	iscsi_window_update(io, true);
	WRITE_ONCE(conn->state, ISCSI_CONN_ACTIVE);
	conn->io = io;
	mod_timer(&io->timer, jiffies + ISCSI_TICK);
	wake_up_process(io->rx_task);
	wake_up_process(io->tx_task);
	return 0;

out_free:
	iscsi_io_put(io);
	return rc;
}

void iscsi_conn_close(struct iscsi_conn *conn, enum iscsi_close_how how)
{
	struct iscsi_conn_io *io = conn->io;

	if (!io || iscsi_io_closing(io))
		return;
	if (how == ISCSI_CLOSE_LOGOUT_REQUEST) {
		if (test_bit(ISCSI_IO_LOGOUT_REQ, &io->flags))
			return;
		io->logout_deadline = jiffies + ISCSI_LOGOUT_REQ_GRACE;
		/* the tick reads the deadline after seeing the bit */
		smp_mb__before_atomic();
		if (!test_and_set_bit(ISCSI_IO_LOGOUT_REQ, &io->flags))
			iscsi_send_async_logout(io);
		return;
	}
	iscsi_io_request_close(io);
}

void iscsi_conn_io_release(struct iscsi_conn *conn)
{
	struct iscsi_conn_io *io = conn->io;

	if (!io)
		return;
	/* closure was reported already (or must not be, if it was not) */
	set_bit(ISCSI_IO_NO_NOTIFY, &io->flags);
	iscsi_io_request_close(io);
	kthread_stop(io->rx_task);
	kthread_stop(io->tx_task);
	del_timer_sync(&io->timer);
	/* a receive thread stopped before it ran did not tear down */
	iscsi_io_teardown(io);
	iscsi_rx_free_leftovers(io);
	kvfree(io->text_req);
	kvfree(io->text_rsp);
	io->text_req = NULL;
	io->text_rsp = NULL;
	conn->io = NULL;
	io->conn = NULL;
	io->sock = NULL;
	iscsi_io_put(io);
}

void iscsi_conn_thread_pids(struct iscsi_conn *conn, pid_t *rx, pid_t *tx)
{
	struct iscsi_conn_io *io = conn->io;

	*rx = io ? task_pid_nr(io->rx_task) : 0;
	*tx = io ? task_pid_nr(io->tx_task) : 0;
}
