// SPDX-License-Identifier: GPL-2.0
/*
 * pdu.c - PDU framing of a connection: reading one PDU at a time,
 * validating its lengths and digests before anything looks at it, and
 * building the PDUs we send.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "hash.h"
#include "iscsid.h"
#include "log.h"

void iconn_init(struct iconn *c, struct login_env *env, int fd,
		const struct portal *local, const char *peer)
{
	memset(c, 0, sizeof(*c));
	c->env = env;
	c->fd = fd;
	if (local)
		c->local = *local;
	snprintf(c->peer, sizeof(c->peer), "%s", peer ? peer : "?");
	c->phase = PH_LOGIN;
	tbuf_init(&c->tx, TX_MAX);
	tbuf_init(&c->in, TEXT_IN_MAX);
	tbuf_init(&c->out, TEXT_OUT_MAX);
}

void iconn_free(struct iconn *c)
{
	tbuf_free(&c->tx);
	tbuf_free(&c->in);
	tbuf_free(&c->out);
	/* the challenge and names are not secret, but do not linger */
	memset(&c->ls, 0, sizeof(c->ls));
	c->phase = PH_DONE;
}

size_t iconn_tx_pending(const struct iconn *c)
{
	return c->tx.len - c->tx_off;
}

void iconn_tx_consumed(struct iconn *c, size_t n)
{
	c->tx_off += n;
	if (c->tx_off >= c->tx.len) {
		c->tx_off = 0;
		tbuf_reset(&c->tx);
	}
}

uint32_t iconn_rx_want(const struct iconn *c)
{
	uint32_t want = c->rx_want ? c->rx_want : ISCSI_BHS_LEN;

	return want - c->rx_len;
}

static uint32_t pdu_max_dsl(const struct iconn *c)
{
	return c->phase == PH_LOGIN ? LOGIN_MAX_DSL : DISC_MAX_RECV_DSL;
}

/* A whole BHS is in: how long is the PDU?  0 if it cannot be accepted. */
static uint32_t pdu_total_len(const struct iconn *c, uint16_t *status)
{
	const struct iscsi_hdr *h = (const void *)c->rx;
	uint32_t dlen = iscsi_get_dlength(h->dlength);
	uint32_t total = ISCSI_BHS_LEN;

	*status = ISCSI_LOGIN_STATUS_INIT_ERR;
	if (h->hlength) {
		log_warn("%s: AHS in a %s PDU", c->peer,
			 opcode_name(h->opcode));
		return 0;
	}
	if (dlen > pdu_max_dsl(c)) {
		log_warn("%s: data segment of %u bytes in a %s PDU (max %u)",
			 c->peer, dlen, opcode_name(h->opcode),
			 pdu_max_dsl(c));
		return 0;
	}
	if (c->hdigest)
		total += ISCSI_DIGEST_LEN;
	if (dlen) {
		total += dlen + iscsi_pad_len(dlen);
		if (c->ddigest)
			total += ISCSI_DIGEST_LEN;
	}
	return total;
}

static void put_crc(uint8_t *p, uint32_t crc)
{
	/* iSCSI digests are sent least significant byte first */
	p[0] = crc;
	p[1] = crc >> 8;
	p[2] = crc >> 16;
	p[3] = crc >> 24;
}

static uint32_t get_crc(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static enum iconn_action pdu_dispatch(struct iconn *c)
{
	const struct iscsi_hdr *h = (const void *)c->rx;
	uint32_t dlen = iscsi_get_dlength(h->dlength);
	const uint8_t *data = c->rx + ISCSI_BHS_LEN;
	uint32_t off;

	if (c->hdigest) {
		if (crc32c(0, c->rx, ISCSI_BHS_LEN) !=
		    get_crc(c->rx + ISCSI_BHS_LEN)) {
			/* the header cannot be trusted: nothing to answer */
			log_warn("%s: header digest error, closing", c->peer);
			return IA_CLOSE;
		}
		data += ISCSI_DIGEST_LEN;
	}
	if (dlen && c->ddigest) {
		off = (data - c->rx) + dlen + iscsi_pad_len(dlen);
		if (crc32c(0, data, dlen + iscsi_pad_len(dlen)) !=
		    get_crc(c->rx + off)) {
			log_warn("%s: data digest error", c->peer);
			return disc_digest_error(c, c->rx);
		}
	}
	if (c->phase == PH_LOGIN)
		return login_rx(c, c->rx, data, dlen);
	if (c->phase == PH_DISCOVERY)
		return disc_rx(c, c->rx, data, dlen);
	return IA_CLOSE;
}

enum iconn_action iconn_rx(struct iconn *c, uint32_t n)
{
	enum iconn_action act;
	uint16_t status;

	c->rx_len += n;
	if (!c->rx_want) {
		if (c->rx_len < ISCSI_BHS_LEN)
			return IA_CONTINUE;
		c->rx_want = pdu_total_len(c, &status);
		if (!c->rx_want) {
			if (c->phase == PH_LOGIN)
				return login_reject_frame(c, c->rx, status);
			return IA_CLOSE;
		}
	}
	if (c->rx_len < c->rx_want)
		return IA_CONTINUE;
	act = pdu_dispatch(c);
	c->rx_len = 0;
	c->rx_want = 0;
	return act;
}

int pdu_send(struct iconn *c, void *bhs, const void *data, uint32_t len)
{
	static const uint8_t zero[ISCSI_PAD_LEN];
	struct iscsi_hdr *h = bhs;
	uint32_t pad = iscsi_pad_len(len);
	uint8_t dig[ISCSI_DIGEST_LEN];
	size_t save = c->tx.len;
	uint32_t crc;
	int err = 0;

	h->hlength = 0;
	iscsi_set_dlength(h->dlength, len);
	err |= tbuf_put(&c->tx, bhs, ISCSI_BHS_LEN);
	if (c->hdigest) {
		put_crc(dig, crc32c(0, bhs, ISCSI_BHS_LEN));
		err |= tbuf_put(&c->tx, dig, sizeof(dig));
	}
	if (len) {
		err |= tbuf_put(&c->tx, data, len);
		err |= tbuf_put(&c->tx, zero, pad);
		if (c->ddigest) {
			crc = crc32c(0, data, len);
			crc = crc32c(crc, zero, pad);
			put_crc(dig, crc);
			err |= tbuf_put(&c->tx, dig, sizeof(dig));
		}
	}
	if (err) {
		c->tx.len = save;
		c->tx.overflow = false;
		log_err("%s: cannot queue a %u byte PDU", c->peer, len);
		return -ENOMEM;
	}
	return 0;
}

const char *opcode_name(uint8_t op)
{
	switch (op & ISCSI_OPCODE_MASK) {
	case ISCSI_OP_NOP_OUT:
		return "NOP-Out";
	case ISCSI_OP_SCSI_CMD:
		return "SCSI Command";
	case ISCSI_OP_SCSI_TASK_MGT_MSG:
		return "Task Management";
	case ISCSI_OP_LOGIN_CMD:
		return "Login Request";
	case ISCSI_OP_TEXT_CMD:
		return "Text Request";
	case ISCSI_OP_SCSI_DATA_OUT:
		return "Data-Out";
	case ISCSI_OP_LOGOUT_CMD:
		return "Logout Request";
	case ISCSI_OP_SNACK_CMD:
		return "SNACK";
	default:
		return "unknown";
	}
}
