// SPDX-License-Identifier: GPL-2.0
/*
 * login.c - the login phase (RFC 7143 6.3, 11.12, 11.13): header checks,
 * text with continuation both ways, security negotiation (AuthMethod,
 * CHAP, mutual CHAP), operational negotiation (param.c) and the end of the
 * login: a discovery session stays here (disc.c), a normal session is
 * handed to the kernel with ISCSI_IOC_LOGIN_DONE.
 *
 * Any failure sends one Login Response with the status class and detail
 * of iscsi_proto.h and closes the connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "chap.h"
#include "iscsid.h"
#include "log.h"

#define ST_NSG(f)	((f) & ISCSI_LOGIN_NSG_MASK)
#define ST_CSG(f)	(((f) & ISCSI_LOGIN_CSG_MASK) >> ISCSI_LOGIN_CSG_SHIFT)
#define MAX_ACCOUNTS	4096	/* IncomingUser accounts we look at */

/* The security keys of one request, indexed by key_id - K_AUTH_METHOD */
#define AUTH_KEYS	(K_CHAP_R - K_AUTH_METHOD + 1)
struct auth_keys {
	const char *v[AUTH_KEYS];
};

#define AK(ak, id)	((ak)->v[(id) - K_AUTH_METHOD])

const char *login_status_str(uint16_t status)
{
	switch (status) {
	case ISCSI_LOGIN_STATUS_SUCCESS:
		return "success";
	case ISCSI_LOGIN_STATUS_INIT_ERR:
		return "initiator error";
	case ISCSI_LOGIN_STATUS_AUTH_FAILED:
		return "authentication failure";
	case ISCSI_LOGIN_STATUS_TGT_FORBIDDEN:
		return "authorization failure";
	case ISCSI_LOGIN_STATUS_TGT_NOT_FOUND:
		return "target not found";
	case ISCSI_LOGIN_STATUS_TGT_REMOVED:
		return "target removed";
	case ISCSI_LOGIN_STATUS_NO_VERSION:
		return "unsupported version";
	case ISCSI_LOGIN_STATUS_TOO_MANY_CONN:
		return "too many connections";
	case ISCSI_LOGIN_STATUS_MISSING_FIELDS:
		return "missing parameter";
	case ISCSI_LOGIN_STATUS_INV_SESSION_TYPE:
		return "unsupported session type";
	case ISCSI_LOGIN_STATUS_NO_SESSION:
		return "session does not exist";
	case ISCSI_LOGIN_STATUS_TARGET_ERROR:
		return "target error";
	case ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE:
		return "service unavailable";
	case ISCSI_LOGIN_STATUS_NO_RESOURCES:
		return "out of resources";
	default:
		return "error";
	}
}

static void login_rsp_hdr(struct iconn *c, const struct iscsi_login_req_hdr *req,
			  struct iscsi_login_rsp_hdr *rsp, uint8_t flags)
{
	memset(rsp, 0, sizeof(*rsp));
	rsp->opcode = ISCSI_OP_LOGIN_RSP;
	rsp->flags = flags;
	rsp->max_version = 0;
	rsp->active_version = 0;
	memcpy(rsp->isid, req->isid, sizeof(rsp->isid));
	/* only the final response of a new session carries a new TSIH */
	rsp->tsih = req->tsih;
	rsp->itt = req->itt;
	rsp->statsn = htonl(c->stat_sn++);
	/* login requests are immediate: the CmdSN is not consumed */
	rsp->exp_cmdsn = req->cmdsn;
	rsp->max_cmdsn = req->cmdsn;
}

/* Send a failure response and close */
static enum iconn_action login_fail(struct iconn *c,
				    const struct iscsi_login_req_hdr *req,
				    uint16_t status, const char *why)
{
	struct iscsi_login_rsp_hdr rsp;

	log_notice("%s: login of %s%s%s failed: %s (0x%04x)%s%s", c->peer,
		   c->ls.initiator[0] ? c->ls.initiator : "?",
		   c->ls.tgt.name[0] ? " to " : "", c->ls.tgt.name,
		   login_status_str(status), status, why ? ": " : "",
		   why ? why : "");
	login_rsp_hdr(c, req, &rsp, c->ls.stage << ISCSI_LOGIN_CSG_SHIFT);
	rsp.status_class = status >> 8;
	rsp.status_detail = status & 0xff;
	pdu_send(c, &rsp, NULL, 0);
	c->phase = PH_DONE;
	return IA_CLOSE;
}

enum iconn_action login_reject_frame(struct iconn *c, const uint8_t *bhs,
				     uint16_t status)
{
	const struct iscsi_login_req_hdr *req = (const void *)bhs;

	if ((req->opcode & ISCSI_OPCODE_MASK) != ISCSI_OP_LOGIN_CMD) {
		c->phase = PH_DONE;
		return IA_CLOSE;
	}
	return login_fail(c, req, status, "PDU cannot be received");
}

/* Checks of every Login Request header; returns a status or 0 */
static uint16_t login_check_hdr(struct iconn *c,
				const struct iscsi_login_req_hdr *req,
				const char **why)
{
	struct login_state *ls = &c->ls;
	uint8_t f = req->flags;
	int csg = ST_CSG(f), nsg = ST_NSG(f);
	bool t = f & ISCSI_LOGIN_TRANSIT;

	*why = "malformed Login Request";
	if (!(req->opcode & ISCSI_OP_IMMEDIATE))
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	if (t && (f & ISCSI_LOGIN_CONTINUE))
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	if (csg != ISCSI_STAGE_SECURITY && csg != ISCSI_STAGE_OPERATIONAL)
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	if (t && (nsg <= csg || nsg == 2))
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	if (req->itt == htonl(ISCSI_RESERVED_TAG))
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	if (!ls->started) {
		if (req->max_version < req->min_version)
			return ISCSI_LOGIN_STATUS_INIT_ERR;
		if (req->min_version > 0) {
			*why = "only version 0 is supported";
			return ISCSI_LOGIN_STATUS_NO_VERSION;
		}
		memcpy(ls->isid, req->isid, sizeof(ls->isid));
		ls->tsih = ntohs(req->tsih);
		ls->cid = ntohs(req->cid);
		ls->cmd_sn = ntohl(req->cmdsn);
		ls->ver_max = req->max_version;
		ls->ver_min = req->min_version;
		ls->stage = csg;
		ls->started = true;
		return 0;
	}
	*why = "Login Request fields changed during the login";
	if (memcmp(ls->isid, req->isid, sizeof(ls->isid)) ||
	    ls->tsih != ntohs(req->tsih) || ls->cid != ntohs(req->cid) ||
	    ls->cmd_sn != ntohl(req->cmdsn) ||
	    ls->ver_max != req->max_version || ls->ver_min != req->min_version)
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	if (csg != ls->stage) {
		*why = "unexpected current stage";
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	}
	return 0;
}

static const char *kv_find(struct kv *kv, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].val;
	return NULL;
}

static uint16_t access_status(int err, bool discovery)
{
	switch (err) {
	case 0:
		return 0;
	case -ENOENT:
		return discovery ? ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE :
				   ISCSI_LOGIN_STATUS_TGT_NOT_FOUND;
	case -ENODEV:
		return ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE;
	case -EACCES:
		return ISCSI_LOGIN_STATUS_TGT_FORBIDDEN;
	default:
		return ISCSI_LOGIN_STATUS_TARGET_ERROR;
	}
}

static int kcall(struct iconn *c, unsigned long req, void *arg)
{
	return c->env->kcall(c->env->kctx, req, arg);
}

static int check_access(struct iconn *c, uint32_t tid, const char *local)
{
	struct iscsi_ioc_access a;

	memset(&a, 0, sizeof(a));
	a.tid = tid;
	snprintf(a.initiator, sizeof(a.initiator), "%s", c->ls.initiator);
	snprintf(a.local_addr, sizeof(a.local_addr), "%s", local);
	return kcall(c, ISCSI_IOC_ACCESS, &a);
}

/* Does tid have IncomingUser accounts?  1, 0 or a negative errno */
static int has_incoming_users(struct iconn *c, uint32_t tid)
{
	struct iscsi_ioc_auth a;
	int err;

	memset(&a, 0, sizeof(a));
	a.tid = tid;
	a.dir = ISCSI_AUTH_INCOMING;
	err = kcall(c, ISCSI_IOC_AUTH, &a);
	explicit_bzero(&a, sizeof(a));
	if (err == -ENOENT)
		return 0;
	return err ? err : 1;
}

static void terminate_target(struct iscsi_ioc_target *t)
{
	t->name[sizeof(t->name) - 1] = '\0';
	t->alias[sizeof(t->alias) - 1] = '\0';
}

/* Find the target of a normal session; returns a status or 0 */
static uint16_t lookup_target(struct iconn *c, const char *tname,
			      const char **why)
{
	struct login_state *ls = &c->ls;
	int err;

	if (!tname) {
		*why = "no TargetName";
		return ISCSI_LOGIN_STATUS_MISSING_FIELDS;
	}
	if (!text_name_ok(tname, ISCSI_NAME_LEN, false)) {
		*why = "invalid TargetName";
		return ISCSI_LOGIN_STATUS_TGT_NOT_FOUND;
	}
	memset(&ls->tgt, 0, sizeof(ls->tgt));
	strcpy(ls->tgt.name, tname);
	err = kcall(c, ISCSI_IOC_TARGET_BY_NAME, &ls->tgt);
	terminate_target(&ls->tgt);
	if (err == -ENOENT) {
		*why = NULL;
		return ISCSI_LOGIN_STATUS_TGT_NOT_FOUND;
	}
	if (err) {
		*why = "ISCSI_IOC_TARGET_BY_NAME failed";
		return ISCSI_LOGIN_STATUS_TARGET_ERROR;
	}
	if (!ls->tgt.enabled || !ls->tgt.drv_enabled) {
		*why = "target disabled";
		return ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE;
	}
	return 0;
}

/*
 * First request: the declarations that select the session (RFC 7143
 * 6.3: InitiatorName, SessionType and TargetName come first), the target,
 * access rights and whether CHAP is required.  Returns a status or 0.
 */
static uint16_t login_start(struct iconn *c, struct kv *kv, int n,
			    const char **why)
{
	struct login_state *ls = &c->ls;
	const char *iname = kv_find(kv, n, "InitiatorName");
	const char *ialias = kv_find(kv, n, "InitiatorAlias");
	const char *stype = kv_find(kv, n, "SessionType");
	uint16_t status;
	int err;

	*why = NULL;
	if (!iname) {
		*why = "no InitiatorName";
		return ISCSI_LOGIN_STATUS_MISSING_FIELDS;
	}
	if (!text_name_ok(iname, ISCSI_NAME_LEN, false)) {
		*why = "invalid InitiatorName";
		return ISCSI_LOGIN_STATUS_INIT_ERR;
	}
	strcpy(ls->initiator, iname);
	if (ialias && text_name_ok(ialias, ISCSI_ALIAS_LEN, true))
		strcpy(ls->alias, ialias);
	if (stype && !strcmp(stype, "Discovery")) {
		ls->discovery = true;
	} else if (stype && strcmp(stype, "Normal")) {
		*why = "unknown SessionType";
		return ISCSI_LOGIN_STATUS_INV_SESSION_TYPE;
	}

	if (ls->discovery) {
		if (ls->tsih) {
			*why = "discovery sessions have no second connection";
			return ISCSI_LOGIN_STATUS_NO_SESSION;
		}
		memset(&ls->tgt, 0, sizeof(ls->tgt));
	} else {
		status = lookup_target(c, kv_find(kv, n, "TargetName"), why);
		if (status)
			return status;
	}
	err = check_access(c, ls->tgt.tid, c->local.addr);
	status = access_status(err, ls->discovery);
	if (status) {
		*why = "access denied by the target's configuration";
		return status;
	}
	err = has_incoming_users(c, ls->tgt.tid);
	if (err < 0) {
		*why = "ISCSI_IOC_AUTH failed";
		return ISCSI_LOGIN_STATUS_TARGET_ERROR;
	}
	ls->chap_required = err;
	if (ls->chap_required && ls->stage != ISCSI_STAGE_SECURITY) {
		*why = "CHAP required but security negotiation skipped";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	neg_init(&ls->neg, ls->discovery, ls->tsih == 0,
		 ls->discovery ? NULL : ls->tgt.params, c->env->kmax_dsl);
	log_dbg(1, "%s: login of %s to %s (tid %u), %s session, CHAP %s",
		c->peer, ls->initiator,
		ls->discovery ? "discovery" : ls->tgt.name, ls->tgt.tid,
		ls->discovery ? "discovery" : "normal",
		ls->chap_required ? "required" : "not required");
	return 0;
}

/* ---- security negotiation ---- */

static uint16_t auth_method(struct iconn *c, const char *am, const char **why)
{
	struct login_state *ls = &c->ls;
	const char *pos = am, *item;
	bool chap = false, none = false;
	size_t len;

	while ((item = text_list_next(&pos, &len))) {
		if (!len) {
			*why = "malformed AuthMethod";
			return ISCSI_LOGIN_STATUS_AUTH_FAILED;
		}
		if (text_item_is(item, len, "CHAP"))
			chap = true;
		else if (text_item_is(item, len, "None"))
			none = true;
	}
	if (ls->chap_required) {
		if (!chap) {
			*why = "CHAP required, initiator did not offer it";
			return ISCSI_LOGIN_STATUS_AUTH_FAILED;
		}
		ls->auth = AUTH_CHAP_WAIT_A;
		tbuf_add(&c->out, "AuthMethod", "CHAP");
		return 0;
	}
	if (none) {
		ls->auth = AUTH_DONE;
		tbuf_add(&c->out, "AuthMethod", "None");
		return 0;
	}
	*why = chap ? "CHAP offered but no IncomingUser is configured" :
		      "no acceptable AuthMethod";
	return ISCSI_LOGIN_STATUS_AUTH_FAILED;
}

static uint16_t chap_challenge(struct iconn *c, const char *ca,
			       const char **why)
{
	struct login_state *ls = &c->ls;
	char hex[2 * HASH_MAX_LEN + 3];
	int alg = chap_select_alg(ca);

	if (alg < 0) {
		*why = "no supported CHAP_A offered";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	ls->chap_alg = alg;
	ls->chap_chal_len = chap_challenge_len(alg);
	if (c->env->random(&ls->chap_id, 1) ||
	    c->env->random(ls->chap_chal, ls->chap_chal_len)) {
		*why = "no random bytes for the challenge";
		return ISCSI_LOGIN_STATUS_TARGET_ERROR;
	}
	text_hex_encode(ls->chap_chal, ls->chap_chal_len, hex);
	tbuf_addf(&c->out, "CHAP_A", "%d", alg);
	tbuf_addf(&c->out, "CHAP_I", "%u", ls->chap_id);
	tbuf_add(&c->out, "CHAP_C", hex);
	ls->auth = AUTH_CHAP_WAIT_R;
	return 0;
}

/*
 * Check CHAP_N/CHAP_R against every IncomingUser account of the target;
 * on success the matching secret is left in secret.
 */
static uint16_t chap_check_response(struct iconn *c, const char *cn,
				    const uint8_t *resp, size_t rlen,
				    char *secret, const char **why)
{
	struct login_state *ls = &c->ls;
	uint8_t expect[HASH_MAX_LEN];
	struct iscsi_ioc_auth a;
	uint16_t status = ISCSI_LOGIN_STATUS_AUTH_FAILED;
	uint32_t idx;
	int err;

	*why = "CHAP response does not match any IncomingUser";
	for (idx = 0; idx < MAX_ACCOUNTS; idx++) {
		memset(&a, 0, sizeof(a));
		a.tid = ls->tgt.tid;
		a.dir = ISCSI_AUTH_INCOMING;
		a.index = idx;
		err = kcall(c, ISCSI_IOC_AUTH, &a);
		if (err == -ENOENT)
			break;
		if (err) {
			*why = "ISCSI_IOC_AUTH failed";
			status = ISCSI_LOGIN_STATUS_TARGET_ERROR;
			break;
		}
		a.user[sizeof(a.user) - 1] = '\0';
		a.secret[sizeof(a.secret) - 1] = '\0';
		if (strcmp(a.user, cn) || !a.secret[0])
			continue;
		if (chap_response(ls->chap_alg, ls->chap_id, a.secret,
				  ls->chap_chal, ls->chap_chal_len,
				  expect) != (int)rlen)
			continue;
		if (chap_equal(expect, resp, rlen)) {
			strcpy(secret, a.secret);
			status = 0;
			break;
		}
	}
	explicit_bzero(&a, sizeof(a));
	explicit_bzero(expect, sizeof(expect));
	return status;
}

/* Mutual CHAP: answer the initiator's challenge as the OutgoingUser */
static uint16_t chap_mutual(struct iconn *c, const char *ci, const char *cc,
			    const char *in_secret, const char **why)
{
	struct login_state *ls = &c->ls;
	uint8_t chal[CHAP_CHALLENGE_MAX], resp[HASH_MAX_LEN];
	char hex[2 * HASH_MAX_LEN + 3];
	struct iscsi_ioc_auth o;
	ssize_t clen;
	uint64_t id;
	int err, rlen;

	clen = text_bin_decode(cc, chal, sizeof(chal));
	if (text_num(ci, 255, &id) || clen <= 0) {
		*why = "malformed CHAP_I or CHAP_C";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	if ((size_t)clen == ls->chap_chal_len &&
	    !memcmp(chal, ls->chap_chal, clen)) {
		*why = "initiator reflected our CHAP challenge";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	memset(&o, 0, sizeof(o));
	o.tid = ls->tgt.tid;
	o.dir = ISCSI_AUTH_OUTGOING;
	err = kcall(c, ISCSI_IOC_AUTH, &o);
	o.user[sizeof(o.user) - 1] = '\0';
	o.secret[sizeof(o.secret) - 1] = '\0';
	if (err || !o.secret[0]) {
		explicit_bzero(&o, sizeof(o));
		*why = err && err != -ENOENT ? "ISCSI_IOC_AUTH failed" :
		       "mutual CHAP requested but no OutgoingUser is set";
		return err && err != -ENOENT ?
		       ISCSI_LOGIN_STATUS_TARGET_ERROR :
		       ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	/* RFC 7143 12.1.3: never one secret for both directions */
	if (!strcmp(o.secret, in_secret)) {
		explicit_bzero(&o, sizeof(o));
		*why = "OutgoingUser has the initiator's secret";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	rlen = chap_response(ls->chap_alg, id, o.secret, chal, clen, resp);
	text_hex_encode(resp, rlen, hex);
	tbuf_add(&c->out, "CHAP_N", o.user);
	tbuf_add(&c->out, "CHAP_R", hex);
	explicit_bzero(&o, sizeof(o));
	return 0;
}

static uint16_t chap_verify(struct iconn *c, const struct auth_keys *ak,
			    const char **why)
{
	struct login_state *ls = &c->ls;
	const struct hash_alg *h = hash_by_chap_a(ls->chap_alg);
	const char *cn = AK(ak, K_CHAP_N), *cr = AK(ak, K_CHAP_R);
	const char *ci = AK(ak, K_CHAP_I), *cc = AK(ak, K_CHAP_C);
	char secret[ISCSI_CHAP_SECRET_LEN];
	uint8_t resp[HASH_MAX_LEN];
	ssize_t rlen;
	uint16_t status;

	rlen = text_bin_decode(cr, resp, sizeof(resp));
	if (!h || rlen != (ssize_t)h->len) {
		*why = "malformed CHAP_R";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	if (!text_name_ok(cn, ISCSI_CHAP_NAME_LEN, true)) {
		*why = "malformed CHAP_N";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	if (!ci != !cc) {
		*why = "CHAP_I and CHAP_C must come together";
		return ISCSI_LOGIN_STATUS_AUTH_FAILED;
	}
	status = chap_check_response(c, cn, resp, rlen, secret, why);
	if (!status && ci)
		status = chap_mutual(c, ci, cc, secret, why);
	explicit_bzero(secret, sizeof(secret));
	if (status)
		return status;
	snprintf(ls->chap_user, sizeof(ls->chap_user), "%s", cn);
	log_dbg(1, "%s: %s authenticated as %s with CHAP %s%s", c->peer,
		ls->initiator, cn, h->name, ci ? ", mutual" : "");
	ls->auth = AUTH_DONE;
	return 0;
}

static bool any_key(const struct auth_keys *ak, int from, int to)
{
	int id;

	for (id = from; id <= to; id++)
		if (AK(ak, id))
			return true;
	return false;
}

/* One request's security keys; returns a status or 0 */
static uint16_t auth_step(struct iconn *c, const struct auth_keys *ak,
			  const char **why)
{
	struct login_state *ls = &c->ls;
	const char *am = AK(ak, K_AUTH_METHOD), *ca = AK(ak, K_CHAP_A);
	uint16_t status;

	*why = "CHAP keys out of sequence";
	switch (ls->auth) {
	case AUTH_START:
		if (!am)
			return any_key(ak, K_CHAP_A, K_CHAP_R) ?
			       ISCSI_LOGIN_STATUS_AUTH_FAILED : 0;
		if (any_key(ak, K_CHAP_I, K_CHAP_R))
			return ISCSI_LOGIN_STATUS_AUTH_FAILED;
		status = auth_method(c, am, why);
		if (status || !ca)
			return status;
		/* CHAP_A may come with AuthMethod */
		if (ls->auth != AUTH_CHAP_WAIT_A)
			return ISCSI_LOGIN_STATUS_AUTH_FAILED;
		return chap_challenge(c, ca, why);
	case AUTH_CHAP_WAIT_A:
		if (!ca || any_key(ak, K_CHAP_I, K_CHAP_R))
			return ISCSI_LOGIN_STATUS_AUTH_FAILED;
		return chap_challenge(c, ca, why);
	case AUTH_CHAP_WAIT_R:
		if (!AK(ak, K_CHAP_N) || !AK(ak, K_CHAP_R) || ca)
			return ISCSI_LOGIN_STATUS_AUTH_FAILED;
		return chap_verify(c, ak, why);
	case AUTH_DONE:
	default:
		return any_key(ak, K_CHAP_A, K_CHAP_R) ?
		       ISCSI_LOGIN_STATUS_AUTH_FAILED : 0;
	}
}

static bool auth_complete(const struct login_state *ls)
{
	return ls->auth == AUTH_DONE ||
	       (ls->auth == AUTH_START && !ls->chap_required);
}

/* ---- end of login ---- */

static uint16_t login_done_status(int err, uint16_t tsih)
{
	switch (err) {
	case -EBUSY:
		/* a new session can only fail on MaxSessions */
		return tsih ? ISCSI_LOGIN_STATUS_TOO_MANY_CONN :
			      ISCSI_LOGIN_STATUS_NO_RESOURCES;
	case -ENOENT:
		return tsih ? ISCSI_LOGIN_STATUS_NO_SESSION :
			      ISCSI_LOGIN_STATUS_TGT_REMOVED;
	case -ENODEV:
		return ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE;
	case -EACCES:
		return ISCSI_LOGIN_STATUS_TGT_FORBIDDEN;
	case -ENOMEM:
		return ISCSI_LOGIN_STATUS_NO_RESOURCES;
	default:
		return ISCSI_LOGIN_STATUS_TARGET_ERROR;
	}
}

static void log_params(struct iconn *c, const struct iscsi_ioc_login_done *ld)
{
	const uint32_t *p = ld->params;

	log_info("%s: %s logged in to %s (tid %u), tsih %u cid %u%s%s, "
		 "HeaderDigest=%s DataDigest=%s MaxRecvDSL=%u MaxXmitDSL=%u "
		 "InitialR2T=%u ImmediateData=%u MaxBurst=%u FirstBurst=%u "
		 "MaxOutstandingR2T=%u", c->peer, ld->initiator, c->ls.tgt.name,
		 ld->tid, ld->tsih, ld->cid,
		 c->ls.chap_user[0] ? ", CHAP user " : "", c->ls.chap_user,
		 p[ISCSI_P_HEADER_DIGEST] == ISCSI_DIGEST_CRC32C ? "CRC32C" :
		 "None",
		 p[ISCSI_P_DATA_DIGEST] == ISCSI_DIGEST_CRC32C ? "CRC32C" :
		 "None",
		 p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH],
		 p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH],
		 p[ISCSI_P_INITIAL_R2T], p[ISCSI_P_IMMEDIATE_DATA],
		 p[ISCSI_P_MAX_BURST_LENGTH], p[ISCSI_P_FIRST_BURST_LENGTH],
		 p[ISCSI_P_MAX_OUTSTANDING_R2T]);
}

static enum iconn_action finish_discovery(struct iconn *c,
					  const struct iscsi_login_req_hdr *req,
					  uint8_t flags, const char *data,
					  size_t len)
{
	struct iscsi_login_rsp_hdr rsp;
	uint16_t tsih = c->env->next_disc_tsih++;

	if (!tsih)
		tsih = c->env->next_disc_tsih++;
	login_rsp_hdr(c, req, &rsp, flags);
	rsp.tsih = htons(tsih);
	if (pdu_send(c, &rsp, data, len))
		return IA_CLOSE;
	log_dbg(1, "%s: discovery session of %s, tsih %u", c->peer,
		c->ls.initiator, tsih);
	disc_start(c);
	return IA_CONTINUE;
}

/*
 * The final response of a normal session: the kernel must accept the
 * session first.  ISCSI_IOC_LOGIN_DONE may take a while (session
 * reinstatement waits for the old tasks), so the socket layer runs it
 * outside the event loop and calls login_done_complete() afterwards.
 */
static enum iconn_action finish_normal(struct iconn *c,
				       const struct iscsi_login_req_hdr *req,
				       uint8_t flags, const char *data,
				       size_t len)
{
	struct login_state *ls = &c->ls;
	struct iscsi_ioc_login_done *ld = &ls->ld;
	uint32_t *q;

	memset(ld, 0, sizeof(*ld));
	ld->tid = ls->tgt.tid;
	ld->fd = c->fd;
	memcpy(ld->isid, ls->isid, sizeof(ld->isid));
	ld->tsih = ls->tsih;
	ld->cid = ls->cid;
	ld->exp_cmd_sn = ls->cmd_sn;
	/* the final response takes c->stat_sn, the kernel goes on from +1 */
	ld->stat_sn = c->stat_sn + 1;
	ld->exp_stat_sn = ls->exp_stat_sn;
	strcpy(ld->initiator, ls->initiator);
	strcpy(ld->initiator_alias, ls->alias);
	neg_result(&ls->neg, ld->params);
	q = &ld->params[ISCSI_P_QUEUED_COMMANDS];
	if (c->env->kmax_queued && *q > c->env->kmax_queued)
		*q = c->env->kmax_queued;

	memcpy(&ls->final_req, req, sizeof(ls->final_req));
	ls->final_flags = flags;
	ls->final_off = len ? (size_t)(data - c->out.buf) : 0;
	ls->final_len = len;
	ls->ld_pending = true;
	return IA_LOGIN_DONE;
}

struct iscsi_ioc_login_done *iconn_login_done_arg(struct iconn *c)
{
	return c->ls.ld_pending ? &c->ls.ld : NULL;
}

enum iconn_action login_done_complete(struct iconn *c, int err)
{
	struct login_state *ls = &c->ls;
	struct iscsi_ioc_login_done *ld = &ls->ld;
	const struct iscsi_login_req_hdr *req = &ls->final_req;
	struct iscsi_login_rsp_hdr rsp;

	if (!ls->ld_pending)
		return IA_CLOSE;
	ls->ld_pending = false;
	if (!err && !ld->tsih)
		err = -EPROTO;
	if (err) {
		log_err("%s: ISCSI_IOC_LOGIN_DONE: %s", c->peer, strerror(-err));
		return login_fail(c, req, login_done_status(err, ls->tsih),
				  "the kernel refused the session");
	}
	login_rsp_hdr(c, req, &rsp, ls->final_flags);
	rsp.tsih = htons(ld->tsih);
	if (pdu_send(c, &rsp, ls->final_len ? c->out.buf + ls->final_off :
			 NULL, ls->final_len))
		return IA_CLOSE;
	log_params(c, ld);
	c->phase = PH_DONE;
	return IA_HANDOFF;
}

/* Send one part of the response text; flags are those of this part */
static enum iconn_action send_part(struct iconn *c,
				   const struct iscsi_login_req_hdr *req,
				   uint8_t flags, const char *data, size_t len)
{
	struct iscsi_login_rsp_hdr rsp;

	if ((flags & ISCSI_LOGIN_TRANSIT) &&
	    ST_NSG(flags) == ISCSI_STAGE_FULL_FEATURE) {
		if (c->ls.discovery)
			return finish_discovery(c, req, flags, data, len);
		return finish_normal(c, req, flags, data, len);
	}
	login_rsp_hdr(c, req, &rsp, flags);
	if (pdu_send(c, &rsp, data, len))
		return IA_CLOSE;
	if (flags & ISCSI_LOGIN_TRANSIT)
		c->ls.stage = ST_NSG(flags);
	return IA_CONTINUE;
}

/* Send c->out from ls->out_off, in parts of at most LOGIN_MAX_DSL bytes */
static enum iconn_action send_text(struct iconn *c,
				   const struct iscsi_login_req_hdr *req)
{
	struct login_state *ls = &c->ls;
	const char *text = c->out.buf ? c->out.buf + ls->out_off : "";
	size_t left = c->out.len - ls->out_off;
	size_t chunk = text_chunk_len(text, left, LOGIN_MAX_DSL);

	if (chunk < left) {
		ls->out_more = true;
		ls->out_off += chunk;
		return send_part(c, req, (ls->stage << ISCSI_LOGIN_CSG_SHIFT) |
				 ISCSI_LOGIN_CONTINUE, text, chunk);
	}
	ls->out_more = false;
	return send_part(c, req, ls->final_flags, text, chunk);
}

/* T, CSG and NSG of the answer to a complete request */
static uint16_t decide_flags(struct iconn *c,
			     const struct iscsi_login_req_hdr *req,
			     uint8_t *flags, const char **why)
{
	struct login_state *ls = &c->ls;
	int nsg = ST_NSG(req->flags);
	int r;

	*flags = ls->stage << ISCSI_LOGIN_CSG_SHIFT;
	if (!(req->flags & ISCSI_LOGIN_TRANSIT))
		return 0;
	if (ls->stage == ISCSI_STAGE_SECURITY) {
		if (!auth_complete(ls)) {
			if (ls->auth != AUTH_START)
				return 0;	/* CHAP goes on */
			*why = "CHAP required but AuthMethod not negotiated";
			return ISCSI_LOGIN_STATUS_AUTH_FAILED;
		}
		if (nsg == ISCSI_STAGE_FULL_FEATURE &&
		    neg_needs_op_stage(&ls->neg))
			nsg = ISCSI_STAGE_OPERATIONAL;
	} else {
		r = neg_offer(&ls->neg, &c->out);
		if (r < 0) {
			*why = ls->neg.why;
			return ISCSI_LOGIN_STATUS_INIT_ERR;
		}
		if (r > 0)
			return 0;	/* wait for the answers */
	}
	*flags |= ISCSI_LOGIN_TRANSIT | nsg;
	return 0;
}

/* Handle the keys of a complete request; returns a status or 0 */
static uint16_t process_keys(struct iconn *c, struct kv *kv, int n,
			     bool first, const char **why)
{
	struct login_state *ls = &c->ls;
	struct auth_keys ak;
	int i;

	memset(&ak, 0, sizeof(ak));
	for (i = 0; i < n; i++) {
		const struct key_def *def = key_lookup(kv[i].key);

		if (def) {
			if (ls->seen & (1ULL << def->id)) {
				log_notice("%s: key %s sent twice", c->peer,
					   def->name);
				*why = "key sent twice";
				return ISCSI_LOGIN_STATUS_INIT_ERR;
			}
			ls->seen |= 1ULL << def->id;
		}
		if (def && def->cls == KC_DECL) {
			if (!first) {
				*why = "declaration after the first request";
				return ISCSI_LOGIN_STATUS_INIT_ERR;
			}
			continue;
		}
		if (def && def->cls == KC_AUTH) {
			if (ls->stage == ISCSI_STAGE_SECURITY) {
				AK(&ak, def->id) = kv[i].val;
			} else if (def->id == K_AUTH_METHOD) {
				neg_answer(&ls->neg, def, kv[i].key,
					   NA_IRRELEVANT);
			} else {
				*why = "CHAP key in the operational stage";
				return ISCSI_LOGIN_STATUS_INIT_ERR;
			}
			continue;
		}
		log_dbg(2, "%s: key %s=%s", c->peer, kv[i].key, kv[i].val);
		if (neg_key(&ls->neg, def, kv[i].key, kv[i].val) < 0) {
			*why = ls->neg.why;
			return ISCSI_LOGIN_STATUS_INIT_ERR;
		}
	}
	if (ls->stage == ISCSI_STAGE_SECURITY)
		return auth_step(c, &ak, why);
	return 0;
}

/* A complete request (all its C-bit parts received) */
static enum iconn_action login_process(struct iconn *c,
				       const struct iscsi_login_req_hdr *req)
{
	struct login_state *ls = &c->ls;
	struct kv kv[MAX_PAIRS];
	bool first = !ls->rsp_sent;
	const char *why = NULL;
	uint16_t status;
	uint8_t flags;
	size_t len;
	int n;

	/* NUL after the text for text_parse() */
	if (tbuf_put(&c->in, "", 1))
		return login_fail(c, req, ISCSI_LOGIN_STATUS_INIT_ERR,
				  "request text too long");
	len = c->in.len - 1;
	n = text_parse(c->in.buf, len, kv, MAX_PAIRS);
	if (n < 0)
		return login_fail(c, req, ISCSI_LOGIN_STATUS_INIT_ERR,
				  n == -E2BIG ? "too many keys" :
				  "malformed text");
	tbuf_reset(&c->out);
	ls->out_off = 0;
	if (first) {
		status = login_start(c, kv, n, &why);
		if (status)
			return login_fail(c, req, status, why);
	}
	neg_begin(&ls->neg);
	status = process_keys(c, kv, n, first, &why);
	if (status)
		return login_fail(c, req, status, why);
	neg_emit(&ls->neg, &c->out);
	if (first && !ls->discovery) {
		/* RFC 7143 13.9: TPGT in the first response */
		tbuf_addf(&c->out, "TargetPortalGroupTag", "%u", TPGT);
		if (ls->tgt.alias[0])
			tbuf_add(&c->out, "TargetAlias", ls->tgt.alias);
	}
	if (ls->stage == ISCSI_STAGE_OPERATIONAL)
		neg_declare(&ls->neg, &c->out);
	status = decide_flags(c, req, &flags, &why);
	if (status)
		return login_fail(c, req, status, why);
	if (c->out.overflow)
		return login_fail(c, req, ISCSI_LOGIN_STATUS_NO_RESOURCES,
				  "response too long");
	tbuf_reset(&c->in);
	ls->rsp_sent = true;
	ls->final_flags = flags;
	return send_text(c, req);
}

enum iconn_action login_rx(struct iconn *c, const uint8_t *bhs,
			   const uint8_t *data, uint32_t dlen)
{
	const struct iscsi_login_req_hdr *req = (const void *)bhs;
	struct login_state *ls = &c->ls;
	bool started = ls->started;
	const char *why;
	uint16_t status;

	if ((req->opcode & ISCSI_OPCODE_MASK) != ISCSI_OP_LOGIN_CMD) {
		log_notice("%s: %s during login, closing", c->peer,
			   opcode_name(req->opcode));
		c->phase = PH_DONE;
		return IA_CLOSE;
	}
	status = login_check_hdr(c, req, &why);
	if (!started && ls->started &&
	    c->env->random(&c->stat_sn, sizeof(c->stat_sn)))
		return login_fail(c, req, ISCSI_LOGIN_STATUS_TARGET_ERROR,
				  "no random bytes");
	if (status)
		return login_fail(c, req, status, why);
	ls->exp_stat_sn = ntohl(req->exp_statsn);

	if (ls->out_more) {
		/* the initiator asks for the rest of our text */
		if (dlen || (req->flags & ISCSI_LOGIN_CONTINUE))
			return login_fail(c, req, ISCSI_LOGIN_STATUS_INIT_ERR,
					  "text while the target's continues");
		return send_text(c, req);
	}
	if (tbuf_put(&c->in, data, dlen))
		return login_fail(c, req, ISCSI_LOGIN_STATUS_INIT_ERR,
				  "request text too long");
	if (req->flags & ISCSI_LOGIN_CONTINUE) {
		struct iscsi_login_rsp_hdr rsp;

		/* more text follows: acknowledge with an empty response */
		login_rsp_hdr(c, req, &rsp,
			      ls->stage << ISCSI_LOGIN_CSG_SHIFT);
		return pdu_send(c, &rsp, NULL, 0) ? IA_CLOSE : IA_CONTINUE;
	}
	return login_process(c, req);
}
