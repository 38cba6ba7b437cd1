// SPDX-License-Identifier: GPL-2.0
/*
 * disc.c - the full feature phase of a discovery session (RFC 7143 4.3,
 * appendix C): Text Requests with SendTargets, NOP-Out pings and Logout.
 * Anything else is rejected and the connection closed.
 *
 * Command numbering: the window is one command wide (MaxCmdSN ==
 * ExpCmdSN), which is all a discovery initiator needs; a non-immediate
 * request outside it is ignored as RFC 7143 4.2.2.1 asks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "iscsid.h"
#include "log.h"

#define MAX_TARGETS	65536	/* loop guard over ISCSI_IOC_TARGET_NEXT */

void portal_str(const struct portal *p, char *buf, size_t len)
{
	if (p->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", p->addr, p->port);
	else
		snprintf(buf, len, "%s:%u", p->addr, p->port);
}

void disc_start(struct iconn *c)
{
	struct disc_state *ds = &c->ds;
	const struct neg *n = &c->ls.neg;

	memset(ds, 0, sizeof(*ds));
	ds->exp_cmd_sn = c->ls.cmd_sn;
	ds->ttt = ISCSI_RESERVED_TAG;
	ds->max_xmit = n->ini_mrdsl < DISC_MAX_XMIT_DSL ? n->ini_mrdsl :
							 DISC_MAX_XMIT_DSL;
	c->hdigest = n->val[K_HEADER_DIGEST] == ISCSI_DIGEST_CRC32C;
	c->ddigest = n->val[K_DATA_DIGEST] == ISCSI_DIGEST_CRC32C;
	tbuf_reset(&c->in);
	tbuf_reset(&c->out);
	c->phase = PH_DISCOVERY;
}

/* StatSN, ExpCmdSN, MaxCmdSN: at the same place in every response */
static void fill_sn(struct iconn *c, void *bhs)
{
	struct iscsi_hdr *h = bhs;

	h->statsn = htonl(c->stat_sn++);
	h->exp_statsn = htonl(c->ds.exp_cmd_sn);
	h->max_cmdsn = htonl(c->ds.exp_cmd_sn);
}

static enum iconn_action send_reject(struct iconn *c, const uint8_t *bhs,
				     uint8_t reason, bool close)
{
	struct iscsi_reject_hdr rej;

	memset(&rej, 0, sizeof(rej));
	rej.opcode = ISCSI_OP_REJECT;
	rej.flags = ISCSI_FLG_FINAL;
	rej.reason = reason;
	rej.ffffffff = htonl(ISCSI_RESERVED_TAG);
	fill_sn(c, &rej);
	if (pdu_send(c, &rej, bhs, ISCSI_BHS_LEN) || close) {
		c->phase = PH_DONE;
		return IA_CLOSE;
	}
	return IA_CONTINUE;
}

enum iconn_action disc_digest_error(struct iconn *c, const uint8_t *bhs)
{
	/* RFC 7143 7.8: reject, the initiator may retry */
	return send_reject(c, bhs, ISCSI_REJECT_DATA_DIGEST_ERROR, false);
}

/*
 * Command numbering of a request: false if it must be ignored.
 * Immediate requests do not take a CmdSN.
 */
static bool take_cmd_sn(struct iconn *c, const struct iscsi_hdr *h)
{
	uint32_t sn = ntohl(h->statsn);

	if (h->opcode & ISCSI_OP_IMMEDIATE)
		return true;
	if (sn != c->ds.exp_cmd_sn) {
		log_notice("%s: CmdSN %u outside the window (expected %u), "
			   "ignored", c->peer, sn, c->ds.exp_cmd_sn);
		return false;
	}
	c->ds.exp_cmd_sn++;
	return true;
}

/* Append the portals of one target the initiator may use */
static int add_portals(struct iconn *c, uint32_t tid, struct tbuf *out,
		       bool *any)
{
	const struct login_env *env = c->env;
	struct iscsi_ioc_access a;
	char buf[ISCSI_ADDR_LEN + 16];
	int i, err;

	/* the address the initiator reached us on first, then the others */
	for (i = -1; i < env->nportals; i++) {
		const struct portal *p = i < 0 ? &c->local : &env->portals[i];

		if (i >= 0 && p->family == c->local.family &&
		    !strcmp(p->addr, c->local.addr) &&
		    p->port == c->local.port)
			continue;
		memset(&a, 0, sizeof(a));
		a.tid = tid;
		snprintf(a.initiator, sizeof(a.initiator), "%s",
			 c->ls.initiator);
		snprintf(a.local_addr, sizeof(a.local_addr), "%s", p->addr);
		err = env->kcall(env->kctx, ISCSI_IOC_ACCESS, &a);
		if (err)
			continue;
		portal_str(p, buf, sizeof(buf));
		if (!*any)
			*any = true;
		if (tbuf_addf(out, "TargetAddress", "%s,%u", buf, TPGT))
			return -ENOSPC;
	}
	return 0;
}

/* One target of the SendTargets answer, if enabled and accessible */
static int add_target(struct iconn *c, const struct iscsi_ioc_target *t,
		      struct tbuf *out)
{
	size_t save = out->len;
	bool any = false;

	if (!t->enabled || !t->drv_enabled)
		return 0;
	if (tbuf_add(out, "TargetName", t->name))
		return -ENOSPC;
	if (add_portals(c, t->tid, out, &any))
		return -ENOSPC;
	if (!any)
		out->len = save;	/* no usable portal: not listed */
	return 0;
}

int disc_send_targets(struct iconn *c, const char *value, struct tbuf *out)
{
	const struct login_env *env = c->env;
	struct iscsi_ioc_target t;
	bool all = !strcmp(value, "All");
	uint32_t prev = 0;
	int i, err;

	if (!all && !text_name_ok(value, ISCSI_NAME_LEN, false))
		return 0;	/* no such target: an empty answer */
	memset(&t, 0, sizeof(t));
	for (i = 0; i < MAX_TARGETS; i++) {
		t.tid = prev;
		err = env->kcall(env->kctx, ISCSI_IOC_TARGET_NEXT, &t);
		if (err == -ENOENT)
			break;
		if (err)
			return err;
		if (t.tid <= prev)	/* the kernel must move forward */
			return -EPROTO;
		prev = t.tid;
		t.name[sizeof(t.name) - 1] = '\0';
		if (!all && strcmp(t.name, value))
			continue;
		if (add_target(c, &t, out))
			return -ENOSPC;
	}
	return 0;
}

/* The text of a complete Text Request */
static int text_answer(struct iconn *c)
{
	struct kv kv[MAX_PAIRS];
	int n, i, err;
	bool st = false;

	if (tbuf_put(&c->in, "", 1))
		return -EINVAL;
	n = text_parse(c->in.buf, c->in.len - 1, kv, MAX_PAIRS);
	if (n < 0)
		return n;
	tbuf_reset(&c->out);
	for (i = 0; i < n; i++) {
		const struct key_def *def = key_lookup(kv[i].key);

		if (!def) {
			tbuf_add(&c->out, kv[i].key, "NotUnderstood");
		} else if (def->id != K_SEND_TARGETS) {
			tbuf_add(&c->out, def->name, "Irrelevant");
		} else if (st) {
			return -EINVAL;		/* twice */
		} else if (!kv[i].val[0]) {
			/* the current target: none in a discovery session */
			tbuf_add(&c->out, def->name, "Reject");
			st = true;
		} else {
			st = true;
			err = disc_send_targets(c, kv[i].val, &c->out);
			if (err)
				return err;
			log_dbg(1, "%s: SendTargets=%s for %s: %zu bytes",
				c->peer, kv[i].val, c->ls.initiator,
				c->out.len);
		}
	}
	return c->out.overflow ? -ENOSPC : 0;
}

/* Send the next part of c->out as a Text Response */
static enum iconn_action send_text_part(struct iconn *c,
					const struct iscsi_text_hdr *req)
{
	struct disc_state *ds = &c->ds;
	struct iscsi_text_hdr rsp;
	const char *text = c->out.buf ? c->out.buf + ds->out_off : "";
	size_t left = c->out.len - ds->out_off;
	size_t chunk = text_chunk_len(text, left, ds->max_xmit);

	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_TEXT_RSP;
	rsp.itt = req->itt;
	fill_sn(c, &rsp);
	if (chunk < left) {
		/* more to come when the initiator asks with our TTT */
		rsp.flags = ISCSI_TEXT_CONTINUE;
		ds->ttt++;
		if (ds->ttt == ISCSI_RESERVED_TAG)
			ds->ttt = 1;
		rsp.ttt = htonl(ds->ttt);
		ds->out_off += chunk;
		ds->out_more = true;
		ds->in_seq = true;
	} else {
		rsp.flags = ISCSI_FLG_FINAL;
		rsp.ttt = htonl(ISCSI_RESERVED_TAG);
		ds->out_more = false;
		ds->in_seq = false;
	}
	if (pdu_send(c, &rsp, text, chunk)) {
		c->phase = PH_DONE;
		return IA_CLOSE;
	}
	return IA_CONTINUE;
}

static enum iconn_action disc_text(struct iconn *c, const uint8_t *bhs,
				   const uint8_t *data, uint32_t dlen)
{
	const struct iscsi_text_hdr *req = (const void *)bhs;
	struct disc_state *ds = &c->ds;
	uint32_t ttt = ntohl(req->ttt);
	struct iscsi_text_hdr rsp;

	if ((req->flags & ISCSI_FLG_FINAL) && (req->flags & ISCSI_TEXT_CONTINUE))
		return send_reject(c, bhs, ISCSI_REJECT_PROTOCOL_ERROR, true);
	if (req->itt == htonl(ISCSI_RESERVED_TAG))
		return send_reject(c, bhs, ISCSI_REJECT_INVALID_PDU_FIELD, true);
	if (ttt == ISCSI_RESERVED_TAG) {
		/* a new request; one in progress is abandoned */
		ds->in_seq = false;
		ds->out_more = false;
		ds->out_off = 0;
		ds->itt = req->itt;
		tbuf_reset(&c->in);
	} else if (!ds->in_seq || ttt != ds->ttt || req->itt != ds->itt) {
		return send_reject(c, bhs, ISCSI_REJECT_INVALID_PDU_FIELD, false);
	}
	if (!take_cmd_sn(c, (const void *)bhs))
		return IA_CONTINUE;
	if (ds->out_more) {
		if (dlen)
			return send_reject(c, bhs, ISCSI_REJECT_PROTOCOL_ERROR,
					   true);
		return send_text_part(c, req);
	}
	if (tbuf_put(&c->in, data, dlen))
		return send_reject(c, bhs, ISCSI_REJECT_PROTOCOL_ERROR, true);
	if (req->flags & ISCSI_TEXT_CONTINUE) {
		/* more request text follows: ask for it */
		memset(&rsp, 0, sizeof(rsp));
		rsp.opcode = ISCSI_OP_TEXT_RSP;
		rsp.itt = req->itt;
		ds->ttt++;
		if (ds->ttt == ISCSI_RESERVED_TAG)
			ds->ttt = 1;
		rsp.ttt = htonl(ds->ttt);
		ds->in_seq = true;
		fill_sn(c, &rsp);
		return pdu_send(c, &rsp, NULL, 0) ? IA_CLOSE : IA_CONTINUE;
	}
	if (text_answer(c)) {
		log_notice("%s: malformed or oversized Text Request", c->peer);
		return send_reject(c, bhs, ISCSI_REJECT_PROTOCOL_ERROR, true);
	}
	tbuf_reset(&c->in);
	ds->out_off = 0;
	return send_text_part(c, req);
}

static enum iconn_action disc_logout(struct iconn *c, const uint8_t *bhs)
{
	const struct iscsi_logout_req_hdr *req = (const void *)bhs;
	struct iscsi_logout_rsp_hdr rsp;
	uint8_t reason = req->flags & ISCSI_LOGOUT_REASON_MASK;

	take_cmd_sn(c, (const void *)bhs);
	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_LOGOUT_RSP;
	rsp.flags = ISCSI_FLG_FINAL;
	rsp.itt = req->itt;
	if (reason == ISCSI_LOGOUT_REMOVE_FOR_RECOVERY)
		rsp.response = ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED;
	else if (reason == ISCSI_LOGOUT_CLOSE_CONNECTION &&
		 ntohs(req->cid) != c->ls.cid)
		rsp.response = ISCSI_LOGOUT_RSP_CID_NOT_FOUND;
	else
		rsp.response = ISCSI_LOGOUT_RSP_SUCCESS;
	fill_sn(c, &rsp);
	pdu_send(c, &rsp, NULL, 0);
	log_dbg(1, "%s: discovery session of %s logged out", c->peer,
		c->ls.initiator);
	c->phase = PH_DONE;
	return IA_CLOSE;
}

static enum iconn_action disc_nop(struct iconn *c, const uint8_t *bhs,
				  const uint8_t *data, uint32_t dlen)
{
	const struct iscsi_nop_hdr *req = (const void *)bhs;
	struct iscsi_nop_hdr rsp;

	if (!take_cmd_sn(c, (const void *)bhs))
		return IA_CONTINUE;
	if (req->itt == htonl(ISCSI_RESERVED_TAG))
		return IA_CONTINUE;	/* not a ping: nothing to answer */
	/* the echo must fit the initiator's MaxRecvDataSegmentLength */
	if (dlen > c->ds.max_xmit)
		dlen = c->ds.max_xmit;
	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_NOP_IN;
	rsp.flags = ISCSI_FLG_FINAL;
	memcpy(rsp.lun, req->lun, sizeof(rsp.lun));
	rsp.itt = req->itt;
	rsp.ttt = htonl(ISCSI_RESERVED_TAG);
	fill_sn(c, &rsp);
	return pdu_send(c, &rsp, data, dlen) ? IA_CLOSE : IA_CONTINUE;
}

enum iconn_action disc_rx(struct iconn *c, const uint8_t *bhs,
			  const uint8_t *data, uint32_t dlen)
{
	uint8_t op = bhs[0] & ISCSI_OPCODE_MASK;

	switch (op) {
	case ISCSI_OP_TEXT_CMD:
		return disc_text(c, bhs, data, dlen);
	case ISCSI_OP_LOGOUT_CMD:
		return disc_logout(c, bhs);
	case ISCSI_OP_NOP_OUT:
		return disc_nop(c, bhs, data, dlen);
	default:
		log_notice("%s: %s in a discovery session, closing", c->peer,
			   opcode_name(op));
		return send_reject(c, bhs, ISCSI_REJECT_PROTOCOL_ERROR, true);
	}
}
