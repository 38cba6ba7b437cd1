// SPDX-License-Identifier: GPL-2.0
/*
 * iscsi-scstd protocol engine (pdu.c, login.c, disc.c) driven PDU by PDU
 * against a fake kernel: discovery and normal logins, CHAP and mutual
 * CHAP, every login failure and its status, text continuation in both
 * directions, SendTargets with access rules and long answers, discovery
 * digests, ISCSI_IOC_LOGIN_DONE arguments and error mapping, and a fuzz
 * run over malformed input.
 */
#include <arpa/inet.h>
#include <errno.h>
#include "chap.h"
#include "iscsid.h"
#include "log.h"
#include "unit.h"

/* ---- fake kernel ---- */

struct ut_account {
	const char *user, *secret;
};

struct ut_target {
	uint32_t tid;
	const char *name, *alias;
	bool enabled;
	uint32_t params[ISCSI_P_COUNT];
	struct ut_account in[4];
	struct ut_account out;
	int access_err;			/* ISCSI_IOC_ACCESS result */
	const char *portal_only;	/* -EACCES for other local addresses */
};

static struct {
	bool drv_enabled;
	struct ut_account din[4];
	struct ut_account dout;
	int dis_access_err;
	struct ut_target tg[300];
	int ntg;
	int by_name_err, auth_err, login_err, random_err, next_err;
	bool next_stuck;		/* TARGET_NEXT returns the same tid */
	uint16_t login_tsih;		/* returned by LOGIN_DONE */
	int nlogin_done;
	struct iscsi_ioc_login_done ld;	/* last LOGIN_DONE */
	uint8_t rnd;
} K;

static void tgt_params(uint32_t *p)
{
	memset(p, 0, ISCSI_P_COUNT * sizeof(*p));
	p[ISCSI_P_IMMEDIATE_DATA] = 1;
	p[ISCSI_P_MAX_BURST_LENGTH] = 1048576;
	p[ISCSI_P_FIRST_BURST_LENGTH] = 65536;
	p[ISCSI_P_MAX_OUTSTANDING_R2T] = 32;
	p[ISCSI_P_DATA_PDU_IN_ORDER] = 1;
	p[ISCSI_P_DATA_SEQUENCE_IN_ORDER] = 1;
	p[ISCSI_P_MAX_CONNECTIONS] = 1;
	p[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_NONE;
	p[ISCSI_P_DATA_DIGEST] = ISCSI_DIGEST_NONE;
	p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] = 1048576;
	p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = 1048576;
	p[ISCSI_P_QUEUED_COMMANDS] = 32;
	p[ISCSI_P_RSP_TIMEOUT] = 90;
}

static struct ut_target *add_target(const char *name)
{
	struct ut_target *t = &K.tg[K.ntg++];

	memset(t, 0, sizeof(*t));
	t->tid = K.ntg;
	t->name = name;
	t->enabled = true;
	tgt_params(t->params);
	return t;
}

static struct ut_target *find_tid(uint32_t tid)
{
	for (int i = 0; i < K.ntg; i++)
		if (K.tg[i].tid == tid)
			return &K.tg[i];
	return NULL;
}

static void fill_target(const struct ut_target *t, struct iscsi_ioc_target *o)
{
	memset(o, 0, sizeof(*o));
	o->tid = t->tid;
	o->enabled = t->enabled;
	o->drv_enabled = K.drv_enabled;
	snprintf(o->name, sizeof(o->name), "%s", t->name);
	snprintf(o->alias, sizeof(o->alias), "%s", t->alias ? t->alias : "");
	memcpy(o->params, t->params, sizeof(o->params));
}

static int k_auth(struct iscsi_ioc_auth *a)
{
	const struct ut_account *list, *one;
	struct ut_target *t = NULL;

	if (K.auth_err)
		return K.auth_err;
	if (a->tid && !(t = find_tid(a->tid)))
		return -ENOENT;
	list = t ? t->in : K.din;
	one = t ? &t->out : &K.dout;
	if (a->dir == ISCSI_AUTH_INCOMING) {
		if (a->index >= 4 || !list[a->index].user)
			return -ENOENT;
		one = &list[a->index];
	} else if (a->index || !one->user) {
		return -ENOENT;
	}
	snprintf(a->user, sizeof(a->user), "%s", one->user);
	snprintf(a->secret, sizeof(a->secret), "%s", one->secret);
	return 0;
}

static int ut_kcall(void *ctx, unsigned long req, void *arg)
{
	struct iscsi_ioc_target *o = arg;
	struct iscsi_ioc_access *a = arg;
	struct iscsi_ioc_login_done *ld = arg;
	struct ut_target *t, *best = NULL;

	(void)ctx;
	switch (req) {
	case ISCSI_IOC_TARGET_NEXT:
		if (K.next_err)
			return K.next_err;
		if (K.next_stuck && o->tid) {
			fill_target(find_tid(o->tid), o);
			return 0;
		}
		for (int i = 0; i < K.ntg; i++)
			if (K.tg[i].tid > o->tid &&
			    (!best || K.tg[i].tid < best->tid))
				best = &K.tg[i];
		if (!best)
			return -ENOENT;
		fill_target(best, o);
		return 0;
	case ISCSI_IOC_TARGET_BY_NAME:
		CHECK(memchr(o->name, 0, sizeof(o->name)) != NULL);
		if (K.by_name_err)
			return K.by_name_err;
		for (int i = 0; i < K.ntg; i++)
			if (!strcmp(K.tg[i].name, o->name)) {
				fill_target(&K.tg[i], o);
				return 0;
			}
		return -ENOENT;
	case ISCSI_IOC_ACCESS:
		if (!a->tid)
			return !K.drv_enabled ? -ENODEV : K.dis_access_err;
		t = find_tid(a->tid);
		if (!t)
			return -ENOENT;
		if (!K.drv_enabled || !t->enabled)
			return -ENODEV;
		if (t->portal_only && strcmp(t->portal_only, a->local_addr))
			return -EACCES;
		return t->access_err;
	case ISCSI_IOC_AUTH:
		return k_auth(arg);
	case ISCSI_IOC_LOGIN_DONE:
		K.nlogin_done++;
		K.ld = *ld;
		if (K.login_err)
			return K.login_err;
		ld->tsih = K.login_tsih;
		return 0;
	}
	return -ENOTTY;
}

static int ut_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	if (K.random_err)
		return K.random_err;
	while (len--)
		*p++ = K.rnd++;
	return 0;
}

/* ---- connection and PDUs ---- */

static struct login_env E;
static struct iconn C;
static struct portal extra_portals[2];

struct lreq {
	uint8_t op;
	uint8_t isid[6];
	uint16_t tsih, cid;
	uint32_t itt, cmdsn, exp_statsn;
	uint8_t vmax, vmin;
	uint8_t ahs;
};

static struct lreq L;

__attribute__((constructor)) static void quiet(void)
{
	if (!getenv("UNIT_VERBOSE"))
		log_init("test", false, false, 0);
}

static void reset_kernel(void)
{
	memset(&K, 0, sizeof(K));
	K.drv_enabled = true;
	K.login_tsih = 0x1234;
	K.rnd = 0x10;
}

static void conn_open(const char *local, int family)
{
	struct portal p;

	iconn_free(&C);
	memset(&E, 0, sizeof(E));
	E.kcall = ut_kcall;
	E.random = ut_random;
	E.kmax_dsl = 1048576;
	E.kmax_queued = 2048;
	E.next_disc_tsih = 0xfffe;
	memset(&p, 0, sizeof(p));
	p.family = family;
	snprintf(p.addr, sizeof(p.addr), "%s", local);
	p.port = 3260;
	iconn_init(&C, &E, 42, &p, "peer");
	memset(&L, 0, sizeof(L));
	L.op = ISCSI_OP_LOGIN_CMD | ISCSI_OP_IMMEDIATE;
	memcpy(L.isid, "\x80\x01\x02\x03\x04\x05", 6);
	L.itt = 7;
	L.cmdsn = 100;
	L.cid = 3;
}

/* Feed bytes the way the socket layer does: at most what is wanted */
static enum iconn_action feed(const uint8_t *p, size_t len, size_t step)
{
	enum iconn_action act = IA_CONTINUE;

	while (len) {
		uint32_t want = iconn_rx_want(&C);
		size_t n = len < want ? len : want;

		if (step && n > step)
			n = step;
		CHECK(want > 0);
		memcpy(C.rx + C.rx_len, p, n);
		act = iconn_rx(&C, n);
		p += n;
		len -= n;
		if (act != IA_CONTINUE)
			break;
	}
	return act;
}

/* text: pairs separated by '|'; returns the length with NULs */
static size_t mk_text(const char *text, uint8_t *out)
{
	size_t n = strlen(text), i;

	for (i = 0; i < n; i++)
		out[i] = text[i] == '|' ? '\0' : text[i];
	if (n)
		out[n++] = '\0';
	return n;
}

static uint8_t pdu[70000];

static size_t mk_login(uint8_t flags, const uint8_t *data, size_t dlen)
{
	struct iscsi_login_req_hdr *h = (void *)pdu;

	memset(pdu, 0, ISCSI_BHS_LEN);
	h->opcode = L.op;
	h->flags = flags;
	h->max_version = L.vmax;
	h->min_version = L.vmin;
	h->hlength = L.ahs;
	iscsi_set_dlength(h->dlength, dlen);
	memcpy(h->isid, L.isid, 6);
	h->tsih = htons(L.tsih);
	h->itt = htonl(L.itt);
	h->cid = htons(L.cid);
	h->cmdsn = htonl(L.cmdsn);
	h->exp_statsn = htonl(L.exp_statsn);
	memcpy(pdu + ISCSI_BHS_LEN, data, dlen);
	memset(pdu + ISCSI_BHS_LEN + dlen, 0, iscsi_pad_len(dlen));
	return ISCSI_BHS_LEN + dlen + iscsi_pad_len(dlen);
}

/* One response PDU taken from the engine's transmit buffer */
struct rsp {
	uint8_t bhs[ISCSI_BHS_LEN];
	char text[70000];	/* NULs shown as '|' */
	uint8_t data[70000];
	uint32_t dlen;
	bool ok;
	bool hd_ok, dd_ok;
};

static struct rsp R;

static uint32_t get_crc(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_crc(uint8_t *p, uint32_t crc)
{
	p[0] = crc;
	p[1] = crc >> 8;
	p[2] = crc >> 16;
	p[3] = crc >> 24;
}

/* Pop one PDU; digests: as negotiated for what the engine sends */
static bool pop(bool hd, bool dd)
{
	const uint8_t *p = (const uint8_t *)C.tx.buf + C.tx_off;
	size_t left = iconn_tx_pending(&C), need, off;
	uint32_t dlen;

	memset(&R, 0, sizeof(R));
	if (left < ISCSI_BHS_LEN)
		return false;
	memcpy(R.bhs, p, ISCSI_BHS_LEN);
	dlen = iscsi_get_dlength(R.bhs + 5);
	need = ISCSI_BHS_LEN + (hd ? 4 : 0) + dlen + iscsi_pad_len(dlen) +
	       (dd && dlen ? 4 : 0);
	CHECK(left >= need);
	if (left < need)
		return false;
	off = ISCSI_BHS_LEN;
	R.hd_ok = R.dd_ok = true;
	if (hd) {
		R.hd_ok = crc32c(0, p, ISCSI_BHS_LEN) == get_crc(p + off);
		off += 4;
	}
	memcpy(R.data, p + off, dlen);
	for (uint32_t i = 0; i < dlen; i++)
		R.text[i] = p[off + i] ? p[off + i] : '|';
	/* padding is zero */
	for (uint32_t i = 0; i < iscsi_pad_len(dlen); i++)
		CHECK_EQ_INT(p[off + dlen + i], 0);
	if (dd && dlen)
		R.dd_ok = crc32c(0, p + off, dlen + iscsi_pad_len(dlen)) ==
			  get_crc(p + off + dlen + iscsi_pad_len(dlen));
	R.dlen = dlen;
	R.ok = true;
	iconn_tx_consumed(&C, need);
	return true;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

#define R_OPCODE	(R.bhs[0])
#define R_FLAGS		(R.bhs[1])
#define R_STATUS	((R.bhs[36] << 8) | R.bhs[37])
#define R_TSIH		((R.bhs[14] << 8) | R.bhs[15])
#define R_ITT		be32_at(R.bhs + 16)
#define R_TTT		be32_at(R.bhs + 20)
#define R_STATSN	be32_at(R.bhs + 24)
#define R_EXPCMDSN	be32_at(R.bhs + 28)
#define R_MAXCMDSN	be32_at(R.bhs + 32)

/*
 * Send a login request with text and take the response; a pending
 * ISCSI_IOC_LOGIN_DONE is run at once like the daemon does.
 */
static enum iconn_action login(uint8_t flags, const char *text)
{
	static uint8_t data[70000];
	enum iconn_action act;
	size_t dlen = mk_text(text, data);
	size_t len = mk_login(flags, data, dlen);

	act = feed(pdu, len, 0);
	if (act == IA_LOGIN_DONE) {
		struct iscsi_ioc_login_done *ld = iconn_login_done_arg(&C);

		CHECK(ld != NULL);
		CHECK(!iconn_tx_pending(&C));
		act = login_done_complete(&C, ut_kcall(NULL,
						       ISCSI_IOC_LOGIN_DONE,
						       ld));
	}
	pop(false, false);
	L.exp_statsn = R_STATSN + 1;
	return act;
}

/* A request longer than one PDU: C-bit parts, then the last one */
static enum iconn_action login_long(uint8_t flags, const char *text)
{
	static uint8_t data[70000];
	size_t dlen = mk_text(text, data), off = 0;
	enum iconn_action act;

	while (dlen - off > LOGIN_MAX_DSL) {
		act = feed(pdu, mk_login((flags & ISCSI_LOGIN_CSG_MASK) |
					 ISCSI_LOGIN_CONTINUE, data + off,
					 LOGIN_MAX_DSL), 0);
		CHECK_EQ_INT(act, IA_CONTINUE);
		pop(false, false);
		CHECK_EQ_INT(R_STATUS, 0);
		CHECK_EQ_INT(R.dlen, 0);
		off += LOGIN_MAX_DSL;
	}
	act = feed(pdu, mk_login(flags, data + off, dlen - off), 0);
	pop(false, false);
	return act;
}

#define T_SEC_OP	0x81	/* T, CSG 0, NSG 1 */
#define T_SEC_FFP	0x83	/* T, CSG 0, NSG 3 */
#define T_OP_FFP	0x87	/* T, CSG 1, NSG 3 */
#define SEC		0x00
#define OP		0x04

static const char *INI = "InitiatorName=iqn.2024-01.test:ini";

/* A login that fails with status in its first request */
static uint16_t first_fails(uint8_t flags, const char *text)
{
	enum iconn_action act = login(flags, text);

	CHECK_EQ_INT(act, IA_CLOSE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_LOGIN_RSP);
	CHECK_EQ_INT(R.dlen, 0);
	CHECK(!iconn_tx_pending(&C));
	return R_STATUS;
}

/* ---- discovery ---- */

static void discovery_login(const char *op_keys)
{
	char t[512];

	snprintf(t, sizeof(t), "%s|SessionType=Discovery|AuthMethod=None", INI);
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_STR(R.text, "AuthMethod=None|");
	CHECK_EQ_INT(login(T_OP_FFP, op_keys), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_EQ_INT(R_FLAGS, T_OP_FFP);
	CHECK(R_TSIH != 0);
	CHECK_EQ_INT(C.phase, PH_DISCOVERY);
}

static uint32_t cmdsn;

/* Text Request in the discovery session; takes the response */
static enum iconn_action text_req(uint8_t flags, uint32_t itt, uint32_t ttt,
				  const char *text, bool hd, bool dd)
{
	static uint8_t data[70000];
	struct iscsi_text_hdr *h = (void *)pdu;
	size_t dlen = mk_text(text, data), off = ISCSI_BHS_LEN;
	enum iconn_action act;

	memset(pdu, 0, ISCSI_BHS_LEN);
	h->opcode = ISCSI_OP_TEXT_CMD;
	h->flags = flags;
	iscsi_set_dlength(h->dlength, dlen);
	h->itt = htonl(itt);
	h->ttt = htonl(ttt);
	h->sn = htonl(cmdsn++);
	if (hd) {
		put_crc(pdu + off, crc32c(0, pdu, ISCSI_BHS_LEN));
		off += 4;
	}
	memcpy(pdu + off, data, dlen);
	memset(pdu + off + dlen, 0, iscsi_pad_len(dlen));
	if (dd && dlen) {
		put_crc(pdu + off + dlen + iscsi_pad_len(dlen),
			crc32c(0, pdu + off, dlen + iscsi_pad_len(dlen)));
		off += 4;
	}
	act = feed(pdu, off + dlen + iscsi_pad_len(dlen), 0);
	pop(hd, dd);
	return act;
}

static void std_targets(void)
{
	struct ut_target *t;

	reset_kernel();
	t = add_target("iqn.2024-01.test:a");
	t->alias = "Disk A";
	add_target("iqn.2024-01.test:off")->enabled = false;
	add_target("iqn.2024-01.test:denied")->access_err = -EACCES;
	add_target("iqn.2024-01.test:b");
}

TEST(discovery_basic)
{
	uint32_t s0;

	std_targets();
	conn_open("192.0.2.1", AF_INET);
	discovery_login("HeaderDigest=CRC32C,None|DataDigest=None|"
			"MaxRecvDataSegmentLength=32768|MaxBurstLength=1|"
			"X-foo=bar");
	CHECK_STR(R.text, "HeaderDigest=None|DataDigest=None|"
		  "MaxRecvDataSegmentLength=8192|MaxBurstLength=Irrelevant|"
		  "X-foo=NotUnderstood|");
	/* login responses: ExpCmdSN = MaxCmdSN = the login CmdSN */
	CHECK_EQ_INT(R_EXPCMDSN, 100);
	CHECK_EQ_INT(R_MAXCMDSN, 100);
	CHECK_EQ_INT(R_ITT, 7);
	CHECK_EQ_INT(R_TSIH, 0xfffe);
	s0 = R_STATSN;
	CHECK_EQ_INT(K.nlogin_done, 0);

	cmdsn = 100;
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 9, ISCSI_RESERVED_TAG,
			      "SendTargets=All", false, false), IA_CONTINUE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_TEXT_RSP);
	CHECK_EQ_INT(R_FLAGS, ISCSI_FLG_FINAL);
	CHECK_EQ_INT(R_ITT, 9);
	CHECK_EQ_U64(R_TTT, ISCSI_RESERVED_TAG);
	CHECK_EQ_INT(R_STATSN, s0 + 1);
	CHECK_EQ_INT(R_EXPCMDSN, 101);
	CHECK_EQ_INT(R_MAXCMDSN, 101);
	CHECK_STR(R.text, "TargetName=iqn.2024-01.test:a|"
		  "TargetAddress=192.0.2.1:3260,1|"
		  "TargetName=iqn.2024-01.test:b|"
		  "TargetAddress=192.0.2.1:3260,1|");

	/* one target by name; unknown, disabled or denied: nothing */
	text_req(ISCSI_FLG_FINAL, 10, ISCSI_RESERVED_TAG,
		 "SendTargets=iqn.2024-01.test:b", false, false);
	CHECK_STR(R.text, "TargetName=iqn.2024-01.test:b|"
		  "TargetAddress=192.0.2.1:3260,1|");
	text_req(ISCSI_FLG_FINAL, 11, ISCSI_RESERVED_TAG,
		 "SendTargets=iqn.2024-01.test:off", false, false);
	CHECK_EQ_INT(R.dlen, 0);
	CHECK_EQ_INT(R_FLAGS, ISCSI_FLG_FINAL);
	text_req(ISCSI_FLG_FINAL, 12, ISCSI_RESERVED_TAG,
		 "SendTargets=iqn.2024-01.test:denied", false, false);
	CHECK_EQ_INT(R.dlen, 0);
	text_req(ISCSI_FLG_FINAL, 13, ISCSI_RESERVED_TAG,
		 "SendTargets=iqn.nope", false, false);
	CHECK_EQ_INT(R.dlen, 0);
	/* the current target: none in a discovery session */
	text_req(ISCSI_FLG_FINAL, 14, ISCSI_RESERVED_TAG,
		 "SendTargets=|X-y=1|MaxBurstLength=512", false, false);
	CHECK_STR(R.text, "SendTargets=Reject|X-y=NotUnderstood|"
		  "MaxBurstLength=Irrelevant|");
	CHECK_EQ_INT(R_STATSN, s0 + 6);
	CHECK_EQ_INT(R_EXPCMDSN, 106);
}

TEST(discovery_portals_ipv6)
{
	std_targets();
	K.tg[3].portal_only = "2001:db8::1";
	conn_open("2001:db8::1", AF_INET6);
	/* specific listening addresses are offered too, if allowed */
	extra_portals[0] = C.local;		/* same as the connection */
	extra_portals[1].family = AF_INET;
	snprintf(extra_portals[1].addr, sizeof(extra_portals[1].addr),
		 "198.51.100.7");
	extra_portals[1].port = 3261;
	E.portals = extra_portals;
	E.nportals = 2;
	discovery_login("");
	CHECK_STR(R.text, "MaxRecvDataSegmentLength=8192|");
	cmdsn = 100;
	text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG, "SendTargets=All",
		 false, false);
	CHECK_STR(R.text, "TargetName=iqn.2024-01.test:a|"
		  "TargetAddress=[2001:db8::1]:3260,1|"
		  "TargetAddress=198.51.100.7:3261,1|"
		  "TargetName=iqn.2024-01.test:b|"
		  "TargetAddress=[2001:db8::1]:3260,1|");
	/* driver disabled: nothing is offered */
	K.drv_enabled = false;
	text_req(ISCSI_FLG_FINAL, 2, ISCSI_RESERVED_TAG, "SendTargets=All",
		 false, false);
	CHECK_EQ_INT(R.dlen, 0);
}

TEST(discovery_long_answer_split)
{
	static char expect[200000], got[200000];
	static char names[250][64];
	size_t elen = 0, glen = 0;
	uint32_t ttt;
	int parts = 0;

	reset_kernel();
	for (int i = 0; i < 250; i++) {
		char *name = names[i];

		snprintf(name, sizeof(names[i]), "iqn.2024-01.test:target-%04d",
			 i);
		add_target(name);
		elen += sprintf(expect + elen, "TargetName=%s|"
				"TargetAddress=192.0.2.1:3260,1|", name);
	}
	conn_open("192.0.2.1", AF_INET);
	discovery_login("MaxRecvDataSegmentLength=512");
	cmdsn = 100;
	text_req(ISCSI_FLG_FINAL, 5, ISCSI_RESERVED_TAG, "SendTargets=All",
		 false, false);
	for (;;) {
		parts++;
		CHECK(R.ok);
		CHECK(R.dlen <= 512);
		/* pairs are not cut when they fit */
		CHECK(R.dlen == 0 || R.text[R.dlen - 1] == '|');
		memcpy(got + glen, R.text, R.dlen);
		glen += R.dlen;
		if (R_FLAGS & ISCSI_FLG_FINAL) {
			CHECK(!(R_FLAGS & ISCSI_TEXT_CONTINUE));
			CHECK_EQ_U64(R_TTT, ISCSI_RESERVED_TAG);
			break;
		}
		CHECK_EQ_INT(R_FLAGS, ISCSI_TEXT_CONTINUE);
		ttt = R_TTT;
		CHECK(ttt != ISCSI_RESERVED_TAG);
		if (parts > 200)
			break;
		/* a wrong TTT is rejected, the sequence goes on */
		if (parts == 3) {
			CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 5, ttt + 1, "",
					      false, false), IA_CONTINUE);
			CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
			CHECK_EQ_INT(R.bhs[2], ISCSI_REJECT_INVALID_PDU_FIELD);
			CHECK_EQ_INT(R.dlen, ISCSI_BHS_LEN);
			cmdsn--;
		}
		text_req(ISCSI_FLG_FINAL, 5, ttt, "", false, false);
	}
	CHECK(parts > 20);
	CHECK_EQ_INT(glen, elen);
	CHECK(!memcmp(got, expect, elen));

	/* a new request abandons a sequence in progress */
	text_req(ISCSI_FLG_FINAL, 6, ISCSI_RESERVED_TAG, "SendTargets=All",
		 false, false);
	CHECK(R_FLAGS & ISCSI_TEXT_CONTINUE);
	text_req(ISCSI_FLG_FINAL, 7, ISCSI_RESERVED_TAG,
		 "SendTargets=iqn.2024-01.test:target-0001", false, false);
	CHECK_EQ_INT(R_FLAGS, ISCSI_FLG_FINAL);
	CHECK_STR(R.text, "TargetName=iqn.2024-01.test:target-0001|"
		  "TargetAddress=192.0.2.1:3260,1|");
	/* text during the target's continuation is a protocol error */
	text_req(ISCSI_FLG_FINAL, 8, ISCSI_RESERVED_TAG, "SendTargets=All",
		 false, false);
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 8, R_TTT, "X=1", false, false),
		     IA_CLOSE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
}

TEST(discovery_request_continuation)
{
	uint32_t ttt;

	std_targets();
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	cmdsn = 100;
	/* "SendTargets=All" in two parts, cut inside the key */
	text_req(ISCSI_TEXT_CONTINUE, 3, ISCSI_RESERVED_TAG, "", false, false);
	{
		/* raw part without the NUL terminator */
		struct iscsi_text_hdr *h = (void *)pdu;

		memset(pdu, 0, ISCSI_BHS_LEN);
		h->opcode = ISCSI_OP_TEXT_CMD;
		h->flags = ISCSI_TEXT_CONTINUE;
		iscsi_set_dlength(h->dlength, 6);
		h->itt = htonl(3);
		h->ttt = htonl(R_TTT);
		h->sn = htonl(cmdsn++);
		memcpy(pdu + ISCSI_BHS_LEN, "SendTa\0\0", 8);
		CHECK_EQ_INT(feed(pdu, ISCSI_BHS_LEN + 8, 0), IA_CONTINUE);
		pop(false, false);
	}
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_TEXT_RSP);
	CHECK_EQ_INT(R.dlen, 0);
	CHECK(!(R_FLAGS & ISCSI_FLG_FINAL));
	ttt = R_TTT;
	CHECK(ttt != ISCSI_RESERVED_TAG);
	text_req(ISCSI_FLG_FINAL, 3, ttt, "rgets=iqn.2024-01.test:a", false,
		 false);
	CHECK_EQ_INT(R_FLAGS, ISCSI_FLG_FINAL);
	CHECK_STR(R.text, "TargetName=iqn.2024-01.test:a|"
		  "TargetAddress=192.0.2.1:3260,1|");
	/* F and C together */
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL | ISCSI_TEXT_CONTINUE, 4,
			      ISCSI_RESERVED_TAG, "", false, false), IA_CLOSE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
}

TEST(discovery_cmdsn_window)
{
	std_targets();
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	/* out of the window: ignored, no answer */
	cmdsn = 101;
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG,
			      "SendTargets=All", false, false), IA_CONTINUE);
	CHECK(!R.ok);
	cmdsn = 100;
	text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG, "SendTargets=All",
		 false, false);
	CHECK(R.ok);
	CHECK_EQ_INT(R_EXPCMDSN, 101);
}

static enum iconn_action simple_pdu(uint8_t op, uint8_t flags, uint32_t itt,
				    const void *data, uint32_t dlen,
				    uint16_t cid)
{
	struct iscsi_hdr *h = (void *)pdu;

	memset(pdu, 0, sizeof(pdu));
	h->opcode = op;
	h->flags = flags;
	iscsi_set_dlength(h->dlength, dlen);
	h->itt = htonl(itt);
	h->ttt = htonl(ISCSI_RESERVED_TAG);
	((struct iscsi_logout_req_hdr *)h)->cid = htons(cid);
	h->statsn = htonl(cmdsn);
	if (dlen)
		memcpy(pdu + ISCSI_BHS_LEN, data, dlen);
	return feed(pdu, ISCSI_BHS_LEN + dlen + iscsi_pad_len(dlen), 0);
}

TEST(discovery_nop_logout_reject)
{
	std_targets();
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	cmdsn = 100;
	/* ping, immediate */
	CHECK_EQ_INT(simple_pdu(ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE, 0x80,
				21, "ping", 4, 0), IA_CONTINUE);
	pop(false, false);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_NOP_IN);
	CHECK_EQ_INT(R_ITT, 21);
	CHECK_EQ_U64(R_TTT, ISCSI_RESERVED_TAG);
	CHECK_EQ_INT(R.dlen, 4);
	CHECK_MEM(R.data, "ping", 4);
	CHECK_EQ_INT(R_EXPCMDSN, 100);
	/* NOP-Out answering nothing: no response */
	CHECK_EQ_INT(simple_pdu(ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE, 0x80,
				ISCSI_RESERVED_TAG, NULL, 0, 0), IA_CONTINUE);
	CHECK(!iconn_tx_pending(&C));
	/* logout of another CID */
	CHECK_EQ_INT(simple_pdu(ISCSI_OP_LOGOUT_CMD | ISCSI_OP_IMMEDIATE,
				0x80 | ISCSI_LOGOUT_CLOSE_CONNECTION, 22,
				NULL, 0, 9), IA_CLOSE);
	pop(false, false);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_LOGOUT_RSP);
	CHECK_EQ_INT(R.bhs[2], ISCSI_LOGOUT_RSP_CID_NOT_FOUND);

	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	cmdsn = 100;
	CHECK_EQ_INT(simple_pdu(ISCSI_OP_LOGOUT_CMD, 0x80, 23, NULL, 0, 0),
		     IA_CLOSE);
	pop(false, false);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_LOGOUT_RSP);
	CHECK_EQ_INT(R_FLAGS, 0x80);
	CHECK_EQ_INT(R.bhs[2], ISCSI_LOGOUT_RSP_SUCCESS);
	CHECK_EQ_INT(R_ITT, 23);
	CHECK_EQ_INT(R_EXPCMDSN, 101);
	CHECK_EQ_INT(C.phase, PH_DONE);

	/* SCSI commands have no place in a discovery session */
	for (int op = 1; op < 0x3f; op++) {
		if (op == ISCSI_OP_TEXT_CMD || op == ISCSI_OP_LOGOUT_CMD)
			continue;
		conn_open("192.0.2.1", AF_INET);
		discovery_login("");
		cmdsn = 100;
		CHECK_EQ_INT(simple_pdu(op, 0x80, 24, NULL, 0, 0), IA_CLOSE);
		pop(false, false);
		CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
		CHECK_EQ_INT(R.bhs[2], ISCSI_REJECT_PROTOCOL_ERROR);
		CHECK_EQ_INT(R.dlen, ISCSI_BHS_LEN);
		CHECK_EQ_INT(R.data[0], op);
	}
}

TEST(discovery_digests)
{
	std_targets();
	conn_open("192.0.2.1", AF_INET);
	discovery_login("HeaderDigest=CRC32C|DataDigest=CRC32C");
	CHECK_STR(R.text, "HeaderDigest=CRC32C|DataDigest=CRC32C|"
		  "MaxRecvDataSegmentLength=8192|");
	CHECK(C.hdigest && C.ddigest);
	cmdsn = 100;
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG,
			      "SendTargets=iqn.2024-01.test:a", true, true),
		     IA_CONTINUE);
	CHECK(R.ok && R.hd_ok && R.dd_ok);
	CHECK_STR(R.text, "TargetName=iqn.2024-01.test:a|"
		  "TargetAddress=192.0.2.1:3260,1|");
	/* a bad data digest is rejected, the session goes on */
	{
		size_t dlen, off;
		uint8_t data[64];

		dlen = mk_text("SendTargets=All", data);
		memset(pdu, 0, ISCSI_BHS_LEN);
		pdu[0] = ISCSI_OP_TEXT_CMD;
		pdu[1] = ISCSI_FLG_FINAL;
		iscsi_set_dlength(pdu + 5, dlen);
		memset(pdu + 20, 0xff, 4);
		pdu[27] = 101;
		put_crc(pdu + 48, crc32c(0, pdu, 48));
		off = 52;
		memcpy(pdu + off, data, dlen);
		memset(pdu + off + dlen, 0, iscsi_pad_len(dlen));
		put_crc(pdu + off + dlen + iscsi_pad_len(dlen), 0x12345678);
		CHECK_EQ_INT(feed(pdu, off + dlen + iscsi_pad_len(dlen) + 4, 0),
			     IA_CONTINUE);
		pop(true, true);
		CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
		CHECK_EQ_INT(R.bhs[2], ISCSI_REJECT_DATA_DIGEST_ERROR);
		CHECK(R.hd_ok && R.dd_ok);
		/* a bad header digest closes */
		put_crc(pdu + 48, 0);
		CHECK_EQ_INT(feed(pdu, off + dlen + iscsi_pad_len(dlen) + 4, 0),
			     IA_CLOSE);
	}
}

/* ---- normal sessions ---- */

static void std_normal(void)
{
	struct ut_target *t;

	reset_kernel();
	t = add_target("iqn.2024-01.test:disk");
	t->alias = "The Disk";
	t->params[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_NONE |
					   ISCSI_DIGEST_CRC32C;
	t->params[ISCSI_P_DATA_DIGEST] = ISCSI_DIGEST_NONE |
					 ISCSI_DIGEST_CRC32C;
	t->params[ISCSI_P_QUEUED_COMMANDS] = 4096;	/* over the kernel */
	t = add_target("iqn.2024-01.test:chap");
	t->in[0] = (struct ut_account){ "bob", "bobsecret1234" };
	t->in[1] = (struct ut_account){ "alice", "wrongsecret1" };
	t->in[2] = (struct ut_account){ "alice", "alicesecret12" };
	t->in[3] = (struct ut_account){ "carol", "" };
	t->out = (struct ut_account){ "target", "targetsecret1" };
	t = add_target("iqn.2024-01.test:chap-noout");
	t->in[0] = (struct ut_account){ "alice", "alicesecret12" };
	t = add_target("iqn.2024-01.test:chap-same");
	t->in[0] = (struct ut_account){ "alice", "alicesecret12" };
	t->out = (struct ut_account){ "target", "alicesecret12" };
}

static const char *OPKEYS =
	"HeaderDigest=CRC32C,None|DataDigest=None|"
	"MaxRecvDataSegmentLength=262144|MaxBurstLength=16776192|"
	"FirstBurstLength=262144|InitialR2T=No|ImmediateData=Yes|"
	"DefaultTime2Wait=2|DefaultTime2Retain=0|MaxOutstandingR2T=1|"
	"DataPDUInOrder=Yes|DataSequenceInOrder=Yes|ErrorRecoveryLevel=0|"
	"MaxConnections=1|IFMarker=No|OFMarker=No";

TEST(normal_login_none)
{
	char t[512];
	uint32_t s0, sfinal;
	const uint32_t *p;

	std_normal();
	conn_open("192.0.2.1", AF_INET);
	L.exp_statsn = 0;
	snprintf(t, sizeof(t), "%s|InitiatorAlias=host one|SessionType=Normal|"
		 "TargetName=iqn.2024-01.test:disk|AuthMethod=None,CHAP", INI);
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
	CHECK_STR(R.text, "AuthMethod=None|TargetPortalGroupTag=1|"
		  "TargetAlias=The Disk|");
	CHECK_EQ_INT(R_TSIH, 0);
	CHECK_EQ_INT(R.bhs[2], 0);	/* Version-max */
	CHECK_EQ_INT(R.bhs[3], 0);	/* Version-active */
	CHECK_MEM(R.bhs + 8, L.isid, 6);
	s0 = R_STATSN;
	CHECK_EQ_INT(s0, 0x13121110);	/* from the fake random bytes */

	L.itt = 8;
	CHECK_EQ_INT(login(T_OP_FFP, OPKEYS), IA_HANDOFF);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_EQ_INT(R_FLAGS, T_OP_FFP);
	CHECK_EQ_INT(R_TSIH, 0x1234);
	CHECK_EQ_INT(R_ITT, 8);
	sfinal = R_STATSN;
	CHECK_EQ_INT(sfinal, s0 + 1);
	CHECK_STR(R.text, "HeaderDigest=CRC32C|DataDigest=None|"
		  "MaxRecvDataSegmentLength=1048576|MaxBurstLength=1048576|"
		  "FirstBurstLength=65536|InitialR2T=No|ImmediateData=Yes|"
		  "DefaultTime2Wait=2|DefaultTime2Retain=0|"
		  "MaxOutstandingR2T=1|DataPDUInOrder=Yes|"
		  "DataSequenceInOrder=Yes|ErrorRecoveryLevel=0|"
		  "MaxConnections=1|IFMarker=No|OFMarker=No|");
	CHECK_EQ_INT(C.phase, PH_DONE);

	CHECK_EQ_INT(K.nlogin_done, 1);
	CHECK_EQ_INT(K.ld.tid, 1);
	CHECK_EQ_INT(K.ld.fd, 42);
	CHECK_MEM(K.ld.isid, L.isid, 6);
	CHECK_EQ_INT(K.ld.tsih, 0);
	CHECK_EQ_INT(K.ld.cid, 3);
	CHECK_EQ_INT(K.ld.exp_cmd_sn, 100);
	CHECK_EQ_INT(K.ld.stat_sn, sfinal + 1);
	CHECK_EQ_INT(K.ld.exp_stat_sn, s0 + 1);
	CHECK_STR(K.ld.initiator, "iqn.2024-01.test:ini");
	CHECK_STR(K.ld.initiator_alias, "host one");
	p = K.ld.params;
	CHECK_EQ_INT(p[ISCSI_P_HEADER_DIGEST], ISCSI_DIGEST_CRC32C);
	CHECK_EQ_INT(p[ISCSI_P_DATA_DIGEST], ISCSI_DIGEST_NONE);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 262144);
	CHECK_EQ_INT(p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], 1048576);
	CHECK_EQ_INT(p[ISCSI_P_MAX_BURST_LENGTH], 1048576);
	CHECK_EQ_INT(p[ISCSI_P_FIRST_BURST_LENGTH], 65536);
	CHECK_EQ_INT(p[ISCSI_P_QUEUED_COMMANDS], 2048);
	CHECK_EQ_INT(p[ISCSI_P_RSP_TIMEOUT], 90);
}

TEST(normal_login_op_stage_only)
{
	char t[2048];

	std_normal();
	conn_open("192.0.2.1", AF_INET);
	/* security skipped: everything in one request */
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|%s", INI,
		 OPKEYS);
	CHECK_EQ_INT(login(T_OP_FFP, t), IA_HANDOFF);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK(strstr(R.text, "|TargetPortalGroupTag=1|TargetAlias=The Disk|"));
	CHECK(strstr(R.text, "MaxRecvDataSegmentLength=1048576|"));
	CHECK_EQ_INT(K.nlogin_done, 1);
	CHECK_EQ_INT(K.ld.initiator_alias[0], 0);
}

TEST(normal_login_security_to_ffp)
{
	char t[512];

	/* our MaxRecvDSL must be declared: the target goes through op */
	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|"
		 "AuthMethod=None", INI);
	CHECK_EQ_INT(login(T_SEC_FFP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
	CHECK_EQ_INT(login(T_OP_FFP, ""), IA_HANDOFF);
	CHECK_STR(R.text, "MaxRecvDataSegmentLength=1048576|");
	CHECK_EQ_INT(K.ld.params[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 8192);
	CHECK_EQ_INT(K.ld.params[ISCSI_P_HEADER_DIGEST], ISCSI_DIGEST_NONE);

	/* nothing to declare or propose: straight to full feature phase */
	K.tg[0].params[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = 8192;
	conn_open("192.0.2.1", AF_INET);
	CHECK_EQ_INT(login(T_SEC_FFP, t), IA_HANDOFF);
	CHECK_EQ_INT(R_FLAGS, T_SEC_FFP);
	CHECK_EQ_INT(K.ld.params[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], 8192);

	/* staying in the security stage with T=0 is fine */
	conn_open("192.0.2.1", AF_INET);
	CHECK_EQ_INT(login(SEC, t), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, 0);
	CHECK_EQ_INT(login(T_SEC_OP, ""), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
	/* and in the operational stage */
	CHECK_EQ_INT(login(OP, "MaxBurstLength=8192"), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, OP);
	CHECK_EQ_INT(login(T_OP_FFP, "FirstBurstLength=4096"), IA_HANDOFF);
	CHECK_EQ_INT(K.ld.params[ISCSI_P_MAX_BURST_LENGTH], 8192);
	CHECK_EQ_INT(K.ld.params[ISCSI_P_FIRST_BURST_LENGTH], 4096);
}

TEST(normal_login_target_proposes)
{
	char t[512];

	std_normal();
	K.tg[0].params[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_CRC32C;
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|"
		 "AuthMethod=None", INI);
	CHECK_EQ_INT(login(T_SEC_FFP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
	CHECK_EQ_INT(login(T_OP_FFP, "DataDigest=None"), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, OP);
	CHECK_STR(R.text, "DataDigest=None|MaxRecvDataSegmentLength=1048576|"
		  "HeaderDigest=CRC32C|");
	CHECK_EQ_INT(login(T_OP_FFP, "HeaderDigest=CRC32C"), IA_HANDOFF);
	CHECK_EQ_INT(R.dlen, 0);
	CHECK_EQ_INT(K.ld.params[ISCSI_P_HEADER_DIGEST], ISCSI_DIGEST_CRC32C);

	conn_open("192.0.2.1", AF_INET);
	login(T_SEC_OP, t);
	login(T_OP_FFP, "");
	CHECK_EQ_INT(R_FLAGS, OP);
	CHECK_EQ_INT(login(T_OP_FFP, "HeaderDigest=None"), IA_CLOSE);
	CHECK_EQ_INT(R_STATUS, ISCSI_LOGIN_STATUS_INIT_ERR);
	/* the initiator must answer */
	conn_open("192.0.2.1", AF_INET);
	login(T_SEC_OP, t);
	login(T_OP_FFP, "");
	CHECK_EQ_INT(login(T_OP_FFP, ""), IA_CLOSE);
	CHECK_EQ_INT(R_STATUS, ISCSI_LOGIN_STATUS_INIT_ERR);
}

/* ---- CHAP ---- */

/* Parse CHAP_I and CHAP_C out of R.text */
static int chap_params(uint8_t *id, uint8_t *chal, size_t *clen)
{
	char *i = strstr(R.text, "CHAP_I="), *c = strstr(R.text, "CHAP_C=");
	char buf[600];
	ssize_t n;

	if (!i || !c)
		return -1;
	*id = atoi(i + 7);
	snprintf(buf, sizeof(buf), "%s", c + 7);
	*strchr(buf, '|') = '\0';
	n = text_bin_decode(buf, chal, 512);
	if (n <= 0)
		return -1;
	*clen = n;
	return 0;
}

static void chap_answer(char *out, size_t len, int alg, const char *user,
			const char *secret, const char *extra)
{
	uint8_t id, chal[512], r[HASH_MAX_LEN];
	char hex[2 * HASH_MAX_LEN + 3];
	size_t clen = 0;
	int rl;

	CHECK_EQ_INT(chap_params(&id, chal, &clen), 0);
	rl = chap_response(alg, id, secret, chal, clen, r);
	text_hex_encode(r, rl, hex);
	snprintf(out, len, "CHAP_N=%s|CHAP_R=%s%s", user, hex, extra);
}

static void chap_start(const char *target, const char *chap_a)
{
	char t[512];

	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|SessionType=%s|%s%s|AuthMethod=CHAP,None",
		 INI, target ? "Normal" : "Discovery",
		 target ? "TargetName=" : "", target ? target : "");
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, 0);	/* no transit before CHAP is done */
	CHECK(strstr(R.text, "AuthMethod=CHAP|") == R.text);
	snprintf(t, sizeof(t), "CHAP_A=%s", chap_a);
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_FLAGS, 0);
}

TEST(chap_all_algorithms)
{
	static const struct {
		const char *offer;
		int alg;
		size_t clen;
	} v[] = {
		{ "5", 5, 16 }, { "6,5", 6, 20 }, { "5,6,7", 7, 32 },
		{ "7,8", 8, 32 }, { "99,5", 5, 16 },
	};
	char a[512], want[16];
	uint8_t id, chal[512];
	size_t clen;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		std_normal();
		chap_start("iqn.2024-01.test:chap", v[i].offer);
		snprintf(want, sizeof(want), "CHAP_A=%d|", v[i].alg);
		CHECK(strstr(R.text, want) == R.text);
		CHECK_EQ_INT(chap_params(&id, chal, &clen), 0);
		CHECK_EQ_INT(clen, v[i].clen);
		chap_answer(a, sizeof(a), v[i].alg, "alice", "alicesecret12",
			    "");
		CHECK_EQ_INT(login(T_SEC_OP, a), IA_CONTINUE);
		CHECK_EQ_INT(R_STATUS, 0);
		CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
		CHECK_EQ_INT(R.dlen, 0);
		CHECK_STR(C.ls.chap_user, "alice");
		CHECK_EQ_INT(login(T_OP_FFP, ""), IA_HANDOFF);
		CHECK_EQ_INT(K.ld.tid, 2);
	}
}

TEST(chap_base64_and_accounts)
{
	uint8_t id, chal[512], r[16];
	char t[512], b64[64];
	size_t clen;
	static const char tbl[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int i, o = 0;

	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	CHECK_EQ_INT(chap_params(&id, chal, &clen), 0);
	chap_response(5, id, "bobsecret1234", chal, clen, r);
	/* 16 bytes in base64 */
	for (i = 0; i < 15; i += 3) {
		uint32_t v = r[i] << 16 | r[i + 1] << 8 | r[i + 2];

		b64[o++] = tbl[v >> 18];
		b64[o++] = tbl[(v >> 12) & 63];
		b64[o++] = tbl[(v >> 6) & 63];
		b64[o++] = tbl[v & 63];
	}
	b64[o++] = tbl[r[15] >> 2];
	b64[o++] = tbl[(r[15] & 3) << 4];
	b64[o++] = '=';
	b64[o++] = '=';
	b64[o] = '\0';
	snprintf(t, sizeof(t), "CHAP_N=bob|CHAP_R=0b%s", b64);
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_STR(C.ls.chap_user, "bob");

	/* an account with an empty secret never matches */
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	chap_answer(t, sizeof(t), 5, "carol", "", "");
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CLOSE);
	CHECK_EQ_INT(R_STATUS, ISCSI_LOGIN_STATUS_AUTH_FAILED);
}

static uint16_t chap_fails(const char *target, const char *answer)
{
	std_normal();
	chap_start(target, "5");
	return first_fails(T_SEC_OP, answer);
}

TEST(chap_failures)
{
	char t[512];

	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	chap_answer(t, sizeof(t), 5, "alice", "nottheone123", "");
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);

	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	chap_answer(t, sizeof(t), 5, "mallory", "alicesecret12", "");
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);

	/* an answer computed with another algorithm */
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	chap_answer(t, sizeof(t), 7, "alice", "alicesecret12", "");
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);

	CHECK_EQ_INT(chap_fails("iqn.2024-01.test:chap",
				"CHAP_N=alice|CHAP_R=0x00"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	CHECK_EQ_INT(chap_fails("iqn.2024-01.test:chap",
				"CHAP_N=alice|CHAP_R=garbage"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	CHECK_EQ_INT(chap_fails("iqn.2024-01.test:chap", "CHAP_N=alice"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	CHECK_EQ_INT(chap_fails("iqn.2024-01.test:chap", ""),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	CHECK_EQ_INT(chap_fails("iqn.2024-01.test:chap",
				"CHAP_R=0x00112233445566778899aabbccddeeff"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);

	/* CHAP required */
	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:chap|"
		 "AuthMethod=None", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:chap", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	conn_open("192.0.2.1", AF_INET);
	CHECK_EQ_INT(first_fails(T_OP_FFP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	/* CHAP offered where nobody can be verified */
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|"
		 "AuthMethod=CHAP", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|"
		 "AuthMethod=KRB5,SRP", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|"
		 "AuthMethod=None,", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);

	/* no algorithm of ours, keys out of order */
	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:chap|"
		 "AuthMethod=CHAP", INI);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(first_fails(T_SEC_OP, "CHAP_A=1,2,3"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	conn_open("192.0.2.1", AF_INET);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(first_fails(T_SEC_OP, "CHAP_N=alice|CHAP_R=0x00"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	conn_open("192.0.2.1", AF_INET);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(first_fails(T_SEC_OP, "CHAP_A=5|CHAP_N=alice"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:chap|"
		 "CHAP_A=5", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	/* CHAP_A twice */
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	CHECK_EQ_INT(first_fails(T_SEC_OP, "CHAP_A=5"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	/* CHAP after None */
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|"
		 "AuthMethod=None", INI);
	login(SEC, t);
	CHECK_EQ_INT(first_fails(T_SEC_OP, "CHAP_A=5"),
		     ISCSI_LOGIN_STATUS_AUTH_FAILED);
	/* CHAP keys in the operational stage */
	conn_open("192.0.2.1", AF_INET);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(first_fails(T_OP_FFP, "CHAP_N=x"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk", INI);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(login(OP, "AuthMethod=CHAP"), IA_CONTINUE);
	CHECK_STR(R.text, "AuthMethod=Irrelevant|"
		  "MaxRecvDataSegmentLength=1048576|");
	/* CHAP_A with AuthMethod in one request works */
	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:chap|"
		 "AuthMethod=CHAP|CHAP_A=7", INI);
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK(strstr(R.text, "AuthMethod=CHAP|CHAP_A=7|CHAP_I="));
	/* no random bytes */
	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:chap|"
		 "AuthMethod=CHAP", INI);
	login(T_SEC_OP, t);
	K.random_err = -EIO;
	CHECK_EQ_INT(first_fails(T_SEC_OP, "CHAP_A=5"),
		     ISCSI_LOGIN_STATUS_TARGET_ERROR);
}

static void mutual_answer(char *t, size_t len, const char *cc, int id)
{
	static char extra[3000];

	snprintf(extra, sizeof(extra), "|CHAP_I=%d|CHAP_C=%s", id, cc);
	chap_answer(t, len, 5, "alice", "alicesecret12", extra);
}

TEST(chap_mutual)
{
	uint8_t chal[16], r[HASH_MAX_LEN], id, ours[64];
	static char t[4096];
	char hex[80], want[200];
	size_t olen;

	for (int i = 0; i < 16; i++)
		chal[i] = 0xa0 + i;
	text_hex_encode(chal, 16, hex);

	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	mutual_answer(t, sizeof(t), hex, 77);
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
	chap_response(5, 77, "targetsecret1", chal, 16, r);
	text_hex_encode(r, 16, hex);
	snprintf(want, sizeof(want), "CHAP_N=target|CHAP_R=%s|", hex);
	CHECK_STR(R.text, want);
	CHECK_EQ_INT(login(T_OP_FFP, ""), IA_HANDOFF);

	/* SHA-256, base64 challenge */
	std_normal();
	chap_start("iqn.2024-01.test:chap", "7");
	{
		char extra[100];

		snprintf(extra, sizeof(extra), "|CHAP_I=0x05|CHAP_C=0bAAECAw==");
		chap_answer(t, sizeof(t), 7, "alice", "alicesecret12", extra);
	}
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	chap_response(7, 5, "targetsecret1", (const uint8_t *)"\0\1\2\3", 4, r);
	text_hex_encode(r, 32, hex);
	snprintf(want, sizeof(want), "CHAP_N=target|CHAP_R=%s|", hex);
	CHECK_STR(R.text, want);

	/* our own challenge reflected */
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	CHECK_EQ_INT(chap_params(&id, ours, &olen), 0);
	text_hex_encode(ours, olen, hex);
	mutual_answer(t, sizeof(t), hex, id);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);

	/* no OutgoingUser; the same secret both ways */
	std_normal();
	chap_start("iqn.2024-01.test:chap-noout", "5");
	text_hex_encode(chal, 16, hex);
	mutual_answer(t, sizeof(t), hex, 1);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	std_normal();
	chap_start("iqn.2024-01.test:chap-same", "5");
	mutual_answer(t, sizeof(t), hex, 1);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);

	/* malformed mutual keys */
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	chap_answer(t, sizeof(t), 5, "alice", "alicesecret12", "|CHAP_I=1");
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	mutual_answer(t, sizeof(t), hex, 256);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	mutual_answer(t, sizeof(t), "0x", 1);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	/* a challenge over 1024 bytes */
	std_normal();
	chap_start("iqn.2024-01.test:chap", "5");
	{
		static char big[2100 + 3];

		strcpy(big, "0x");
		memset(big + 2, 'a', 2050);
		big[2052] = '\0';
		mutual_answer(t, sizeof(t), big, 1);
	}
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
}

TEST(chap_discovery)
{
	char t[512];

	std_normal();
	K.din[0] = (struct ut_account){ "disc", "discsecret12" };
	K.dout = (struct ut_account){ "dtarget", "dtargetsecret" };
	chap_start(NULL, "6");
	chap_answer(t, sizeof(t), 6, "disc", "discsecret12", "");
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_EQ_INT(login(T_OP_FFP, ""), IA_CONTINUE);
	CHECK_EQ_INT(C.phase, PH_DISCOVERY);
	/* target accounts do not open discovery */
	std_normal();
	K.din[0] = (struct ut_account){ "disc", "discsecret12" };
	chap_start(NULL, "5");
	chap_answer(t, sizeof(t), 5, "alice", "alicesecret12", "");
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
	/* and None is refused when discovery has accounts */
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|SessionType=Discovery|AuthMethod=None", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_AUTH_FAILED);
}

/* ---- failures of the first request and of the headers ---- */

static uint16_t start_fails(const char *text)
{
	conn_open("192.0.2.1", AF_INET);
	return first_fails(T_SEC_OP, text);
}

TEST(first_request_failures)
{
	char t[512];

	std_normal();
	CHECK_EQ_INT(start_fails("SessionType=Discovery|AuthMethod=None"),
		     ISCSI_LOGIN_STATUS_MISSING_FIELDS);
	CHECK_EQ_INT(start_fails("InitiatorName=iqn.x|AuthMethod=None"),
		     ISCSI_LOGIN_STATUS_MISSING_FIELDS);
	CHECK_EQ_INT(start_fails("InitiatorName=iqn.x|SessionType=Normal"),
		     ISCSI_LOGIN_STATUS_MISSING_FIELDS);
	CHECK_EQ_INT(start_fails("InitiatorName=|SessionType=Discovery"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	CHECK_EQ_INT(start_fails("InitiatorName=a b|SessionType=Discovery"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	CHECK_EQ_INT(start_fails("InitiatorName=iqn.x|SessionType=Foo"),
		     ISCSI_LOGIN_STATUS_INV_SESSION_TYPE);
	CHECK_EQ_INT(start_fails("InitiatorName=iqn.x|TargetName=iqn.nope"),
		     ISCSI_LOGIN_STATUS_TGT_NOT_FOUND);
	CHECK_EQ_INT(start_fails("InitiatorName=iqn.x|TargetName=bad name"),
		     ISCSI_LOGIN_STATUS_TGT_NOT_FOUND);
	{
		char big[400];

		memset(big, 'a', sizeof(big));
		big[300] = '\0';
		snprintf(t, sizeof(t), "InitiatorName=%s|SessionType=Discovery",
			 big);
		CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_INIT_ERR);
		snprintf(t, sizeof(t), "InitiatorName=iqn.x|TargetName=%s", big);
		CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TGT_NOT_FOUND);
	}
	/* a disabled target, driver and access rules */
	K.tg[0].enabled = false;
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk", INI);
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE);
	K.tg[0].enabled = true;
	K.tg[0].access_err = -EACCES;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TGT_FORBIDDEN);
	K.tg[0].access_err = -ENODEV;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE);
	K.tg[0].access_err = -ENOENT;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TGT_NOT_FOUND);
	K.tg[0].access_err = -EIO;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TARGET_ERROR);
	K.tg[0].access_err = 0;
	K.tg[0].portal_only = "192.0.2.99";
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TGT_FORBIDDEN);
	K.tg[0].portal_only = NULL;
	K.drv_enabled = false;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE);
	snprintf(t, sizeof(t), "%s|SessionType=Discovery", INI);
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE);
	K.drv_enabled = true;
	K.dis_access_err = -EACCES;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TGT_FORBIDDEN);
	K.dis_access_err = 0;
	/* kernel errors */
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk", INI);
	K.by_name_err = -EIO;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TARGET_ERROR);
	K.by_name_err = 0;
	K.auth_err = -EIO;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TARGET_ERROR);
	K.auth_err = 0;
	K.random_err = -EIO;
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_TARGET_ERROR);
	K.random_err = 0;
	/* a discovery session cannot be joined */
	conn_open("192.0.2.1", AF_INET);
	L.tsih = 5;
	snprintf(t, sizeof(t), "%s|SessionType=Discovery", INI);
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_NO_SESSION);
	/* malformed text */
	CHECK_EQ_INT(start_fails("InitiatorName=iqn.x|garbage"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	CHECK_EQ_INT(start_fails("=x|InitiatorName=iqn.x"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	/* a key twice, in one request or across requests */
	snprintf(t, sizeof(t), "%s|SessionType=Discovery|AuthMethod=None|"
		 "AuthMethod=None", INI);
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_INIT_ERR);
	snprintf(t, sizeof(t), "%s|%s|SessionType=Discovery", INI, INI);
	CHECK_EQ_INT(start_fails(t), ISCSI_LOGIN_STATUS_INIT_ERR);
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|SessionType=Discovery|AuthMethod=None|"
		 "MaxRecvDataSegmentLength=4096", INI);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(first_fails(T_OP_FFP, "MaxRecvDataSegmentLength=4096"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	conn_open("192.0.2.1", AF_INET);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(first_fails(T_OP_FFP, INI), ISCSI_LOGIN_STATUS_INIT_ERR);
	conn_open("192.0.2.1", AF_INET);
	login(T_SEC_OP, t);
	CHECK_EQ_INT(first_fails(T_OP_FFP, "TargetName=iqn.2024-01.test:disk"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
	/* too many pairs */
	{
		static char many[20000];
		int o = sprintf(many, "%s|SessionType=Discovery", INI);

		for (int i = 0; i < MAX_PAIRS; i++)
			o += sprintf(many + o, "|X-%d=1", i);
		CHECK_EQ_INT(start_fails(many), ISCSI_LOGIN_STATUS_INIT_ERR);
	}
}

static uint16_t hdr_fails(void)
{
	char t[256];

	snprintf(t, sizeof(t), "%s|SessionType=Discovery", INI);
	return first_fails(L.op == 0xff ? 0 : pdu[1], t);
}

TEST(header_failures)
{
	char t[256];
	static const uint8_t bad_flags[] = {
		0xc1,	/* T and C */
		0x08,	/* CSG 2 */
		0x8b,	/* CSG 2 */
		0x0c,	/* CSG 3 */
		0x80,	/* T, NSG 0 from CSG 0 */
		0x82,	/* NSG 2 */
		0x85,	/* T, CSG 1, NSG 1 */
		0x84,	/* T, CSG 1, NSG 0 */
	};

	std_normal();
	snprintf(t, sizeof(t), "%s|SessionType=Discovery", INI);
	for (size_t i = 0; i < sizeof(bad_flags); i++) {
		conn_open("192.0.2.1", AF_INET);
		CHECK_EQ_INT(first_fails(bad_flags[i], t),
			     ISCSI_LOGIN_STATUS_INIT_ERR);
	}
	/* the I bit */
	conn_open("192.0.2.1", AF_INET);
	L.op = ISCSI_OP_LOGIN_CMD;
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_INIT_ERR);
	/* versions */
	conn_open("192.0.2.1", AF_INET);
	L.vmax = 2;
	L.vmin = 1;
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_NO_VERSION);
	CHECK_EQ_INT(R.bhs[2], 0);
	CHECK_EQ_INT(R.bhs[3], 0);
	conn_open("192.0.2.1", AF_INET);
	L.vmax = 0;
	L.vmin = 1;
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_INIT_ERR);
	conn_open("192.0.2.1", AF_INET);
	L.vmax = 5;
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	CHECK_EQ_INT(R_STATUS, 0);
	/* the reserved ITT */
	conn_open("192.0.2.1", AF_INET);
	L.itt = ISCSI_RESERVED_TAG;
	CHECK_EQ_INT(first_fails(T_SEC_OP, t), ISCSI_LOGIN_STATUS_INIT_ERR);
	(void)hdr_fails;
}

static void second_request_fails(void (*change)(void), uint8_t flags)
{
	char t[256];

	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|SessionType=Discovery|AuthMethod=None", INI);
	CHECK_EQ_INT(login(T_SEC_OP, t), IA_CONTINUE);
	change();
	CHECK_EQ_INT(first_fails(flags, ""), ISCSI_LOGIN_STATUS_INIT_ERR);
}

static void ch_isid(void) { L.isid[5]++; }
static void ch_tsih(void) { L.tsih = 1; }
static void ch_cid(void) { L.cid++; }
static void ch_cmdsn(void) { L.cmdsn++; }
static void ch_ver(void) { L.vmax = 1; }
static void ch_none(void) { }

TEST(fields_change_during_login)
{
	second_request_fails(ch_isid, T_OP_FFP);
	second_request_fails(ch_tsih, T_OP_FFP);
	second_request_fails(ch_cid, T_OP_FFP);
	second_request_fails(ch_cmdsn, T_OP_FFP);
	second_request_fails(ch_ver, T_OP_FFP);
	/* the stage we are not in */
	second_request_fails(ch_none, T_SEC_OP);
	second_request_fails(ch_none, SEC);
	/* the ITT and ExpStatSN may change */
	std_normal();
	conn_open("192.0.2.1", AF_INET);
	{
		char t[256];

		snprintf(t, sizeof(t), "%s|SessionType=Discovery|"
			 "AuthMethod=None", INI);
		login(T_SEC_OP, t);
		L.itt = 99;
		L.exp_statsn = 12345;
		CHECK_EQ_INT(login(T_OP_FFP, ""), IA_CONTINUE);
		CHECK_EQ_INT(R_STATUS, 0);
		CHECK_EQ_INT(R_ITT, 99);
	}
}

TEST(frame_failures)
{
	uint8_t data[16] = "InitiatorName=x";

	std_normal();
	/* not a login request first: closed without an answer */
	conn_open("192.0.2.1", AF_INET);
	L.op = ISCSI_OP_SCSI_CMD;
	CHECK_EQ_INT(feed(pdu, mk_login(0, data, 0), 0), IA_CLOSE);
	CHECK(!iconn_tx_pending(&C));
	conn_open("192.0.2.1", AF_INET);
	L.op = ISCSI_OP_TEXT_CMD | ISCSI_OP_IMMEDIATE;
	CHECK_EQ_INT(feed(pdu, mk_login(0, data, 0), 0), IA_CLOSE);
	CHECK(!iconn_tx_pending(&C));
	/* data segment over 8192 bytes: refused before it is read */
	conn_open("192.0.2.1", AF_INET);
	mk_login(T_SEC_OP, data, 16);
	iscsi_set_dlength(pdu + 5, 8193);
	CHECK_EQ_INT(feed(pdu, ISCSI_BHS_LEN, 0), IA_CLOSE);
	pop(false, false);
	CHECK_EQ_INT(R_STATUS, ISCSI_LOGIN_STATUS_INIT_ERR);
	/* the largest one is fine */
	conn_open("192.0.2.1", AF_INET);
	{
		static uint8_t big[8192];
		size_t o = mk_text("InitiatorName=iqn.x|SessionType=Discovery|"
				   "X-pad=", big);

		memset(big + o - 1, 'a', 8191 - o);
		big[8191] = '\0';
		CHECK_EQ_INT(feed(pdu, mk_login(T_SEC_OP, big, 8192), 0),
			     IA_CONTINUE);
		pop(false, false);
		CHECK_EQ_INT(R_STATUS, 0);
	}
	/* AHS */
	conn_open("192.0.2.1", AF_INET);
	L.ahs = 1;
	CHECK_EQ_INT(feed(pdu, mk_login(T_SEC_OP, data, 16), 0), IA_CLOSE);
	pop(false, false);
	CHECK_EQ_INT(R_STATUS, ISCSI_LOGIN_STATUS_INIT_ERR);
}

TEST(login_done_errors)
{
	static const struct {
		int err;
		uint16_t tsih;
		uint16_t status;
	} v[] = {
		{ -EBUSY, 0, ISCSI_LOGIN_STATUS_NO_RESOURCES },
		{ -EBUSY, 7, ISCSI_LOGIN_STATUS_TOO_MANY_CONN },
		{ -ENOENT, 7, ISCSI_LOGIN_STATUS_NO_SESSION },
		{ -ENOENT, 0, ISCSI_LOGIN_STATUS_TGT_REMOVED },
		{ -ENODEV, 0, ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE },
		{ -EACCES, 0, ISCSI_LOGIN_STATUS_TGT_FORBIDDEN },
		{ -EIO, 0, ISCSI_LOGIN_STATUS_TARGET_ERROR },
		{ -EINVAL, 7, ISCSI_LOGIN_STATUS_TARGET_ERROR },
		{ 0, 0, ISCSI_LOGIN_STATUS_TARGET_ERROR },	/* TSIH 0 */
	};
	char t[2048];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		std_normal();
		K.login_err = v[i].err;
		if (!v[i].err)
			K.login_tsih = 0;
		conn_open("192.0.2.1", AF_INET);
		L.tsih = v[i].tsih;
		snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|%s",
			 INI, OPKEYS);
		CHECK_EQ_INT(login(T_OP_FFP, t), IA_CLOSE);
		CHECK_EQ_INT(R_STATUS, v[i].status);
		CHECK_EQ_INT(K.nlogin_done, 1);
		CHECK_EQ_INT(K.ld.tsih, v[i].tsih);
		CHECK_EQ_INT(R_TSIH, v[i].tsih);
	}
	/* a second connection: session-wide keys are irrelevant */
	std_normal();
	conn_open("192.0.2.1", AF_INET);
	L.tsih = 0x1234;
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|%s", INI,
		 OPKEYS);
	CHECK_EQ_INT(login(T_OP_FFP, t), IA_HANDOFF);
	CHECK(strstr(R.text, "|MaxBurstLength=Irrelevant|"));
	CHECK_EQ_INT(K.ld.tsih, 0x1234);
	CHECK_EQ_INT(R_TSIH, 0x1234);
}

TEST(initiator_text_continuation)
{
	char t[512];
	uint8_t data[512];
	size_t len, cut1, cut2;
	uint32_t s0;

	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|SessionType=Discovery|AuthMethod=None", INI);
	len = mk_text(t, data);
	cut1 = 5;			/* inside "InitiatorName" */
	cut2 = len - 8;			/* inside "AuthMethod=None" */
	CHECK_EQ_INT(feed(pdu, mk_login(ISCSI_LOGIN_CONTINUE, data, cut1), 0),
		     IA_CONTINUE);
	pop(false, false);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_EQ_INT(R_FLAGS, 0);
	CHECK_EQ_INT(R.dlen, 0);
	s0 = R_STATSN;
	CHECK_EQ_INT(feed(pdu, mk_login(ISCSI_LOGIN_CONTINUE, data + cut1,
					cut2 - cut1), 0), IA_CONTINUE);
	pop(false, false);
	CHECK_EQ_INT(R.dlen, 0);
	CHECK_EQ_INT(R_STATSN, s0 + 1);
	CHECK_EQ_INT(feed(pdu, mk_login(T_SEC_OP, data + cut2, len - cut2), 0),
		     IA_CONTINUE);
	pop(false, false);
	CHECK_EQ_INT(R_STATUS, 0);
	CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
	CHECK_STR(R.text, "AuthMethod=None|");
	CHECK_EQ_INT(R_STATSN, s0 + 2);

	/* more than 64 KiB of text */
	conn_open("192.0.2.1", AF_INET);
	memset(data, 'a', sizeof(data));
	data[0] = 'X';
	data[1] = '=';
	for (int i = 0; i < 8; i++) {
		static uint8_t chunk[8192];

		memset(chunk, 'a', sizeof(chunk));
		CHECK_EQ_INT(feed(pdu, mk_login(ISCSI_LOGIN_CONTINUE, chunk,
						8192), 0), IA_CONTINUE);
		pop(false, false);
	}
	CHECK_EQ_INT(feed(pdu, mk_login(ISCSI_LOGIN_CONTINUE, data, 1), 0),
		     IA_CLOSE);
	pop(false, false);
	CHECK_EQ_INT(R_STATUS, ISCSI_LOGIN_STATUS_INIT_ERR);
}

TEST(target_text_continuation)
{
	static char t[30000];
	static char got[40000];
	size_t glen = 0;
	int o, parts = 0;

	std_normal();
	conn_open("192.0.2.1", AF_INET);
	/* 250 unknown keys with long names: about 12 KB of NotUnderstood */
	o = sprintf(t, "%s|SessionType=Discovery|AuthMethod=None", INI);
	for (int i = 0; i < 250; i++)
		o += sprintf(t + o, "|X-com.example.a-rather-long-key-name-%03d=1",
			     i);
	CHECK_EQ_INT(login_long(T_SEC_OP, t), IA_CONTINUE);
	for (;;) {
		parts++;
		CHECK_EQ_INT(R_STATUS, 0);
		CHECK(R.dlen <= LOGIN_MAX_DSL);
		memcpy(got + glen, R.text, R.dlen);
		glen += R.dlen;
		if (!(R_FLAGS & ISCSI_LOGIN_CONTINUE))
			break;
		CHECK_EQ_INT(R_FLAGS, ISCSI_LOGIN_CONTINUE);	/* T=0 */
		CHECK_EQ_INT(login(T_SEC_OP, ""), IA_CONTINUE);
		if (parts > 5)
			break;
	}
	CHECK_EQ_INT(parts, 2);
	CHECK_EQ_INT(R_FLAGS, T_SEC_OP);
	got[glen] = '\0';
	CHECK(!strncmp(got, "AuthMethod=None|X-com.example.a-rather-long-key"
		       "-name-000=NotUnderstood|", 60));
	CHECK(strstr(got, "-name-249=NotUnderstood|"));
	CHECK_EQ_INT(login(T_OP_FFP, ""), IA_CONTINUE);
	CHECK_EQ_INT(C.phase, PH_DISCOVERY);

	/* text from the initiator while ours continues */
	conn_open("192.0.2.1", AF_INET);
	CHECK_EQ_INT(login_long(T_SEC_OP, t), IA_CONTINUE);
	CHECK(R_FLAGS & ISCSI_LOGIN_CONTINUE);
	CHECK_EQ_INT(first_fails(T_SEC_OP, "X-more=1"),
		     ISCSI_LOGIN_STATUS_INIT_ERR);
}

TEST(byte_by_byte)
{
	char t[2048];
	uint8_t data[2048];
	size_t len;

	std_normal();
	conn_open("192.0.2.1", AF_INET);
	snprintf(t, sizeof(t), "%s|TargetName=iqn.2024-01.test:disk|%s", INI,
		 OPKEYS);
	len = mk_text(t, data);
	len = mk_login(T_OP_FFP, data, len);
	CHECK_EQ_INT(feed(pdu, len - 1, 1), IA_CONTINUE);
	CHECK_EQ_INT(iconn_rx_want(&C), 1);
	CHECK(!iconn_tx_pending(&C));
	CHECK_EQ_INT(feed(pdu + len - 1, 1, 1), IA_LOGIN_DONE);
	/* nothing read past the final request */
	CHECK_EQ_INT(C.rx_len, 0);
	CHECK_EQ_INT(login_done_complete(&C, ut_kcall(NULL,
						      ISCSI_IOC_LOGIN_DONE,
						      iconn_login_done_arg(&C))),
		     IA_HANDOFF);
	CHECK(iconn_login_done_arg(&C) == NULL);
	CHECK_EQ_INT(login_done_complete(&C, 0), IA_CLOSE);
}

/* ---- fuzz ---- */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Random and mutated PDUs: the engine must answer sanely, never crash */
TEST(fuzz)
{
	static uint8_t buf[ISCSI_BHS_LEN + 9000];
	char t[2048];
	uint8_t data[2048];
	size_t base_len;

	std_normal();
	K.tg[1].in[0] = (struct ut_account){ "alice", "alicesecret12" };
	snprintf(t, sizeof(t), "%s|SessionType=Discovery|AuthMethod=None,CHAP|"
		 "HeaderDigest=None|X-a=b", INI);
	base_len = mk_login(T_SEC_OP, data, mk_text(t, data));
	memcpy(buf, pdu, base_len);
	for (int iter = 0; iter < 20000; iter++) {
		enum iconn_action act = IA_CONTINUE;
		int steps = 1 + rnd() % 6;

		conn_open("192.0.2.1", AF_INET);
		for (int s = 0; s < steps && act == IA_CONTINUE; s++) {
			size_t len;

			if (rnd() % 3 == 0) {
				/* random header, random data */
				len = ISCSI_BHS_LEN + rnd() % 300;
				for (size_t i = 0; i < len; i++)
					pdu[i] = rnd();
				if (rnd() % 2)
					pdu[0] = rnd() % 2 ?
						 0x43 : (rnd() % 0x40);
				if (rnd() % 2)
					pdu[4] = 0;
				if (rnd() % 2) {
					pdu[5] = 0;
					pdu[6] %= 2;
				}
			} else {
				/* a valid request with a few bytes changed */
				memcpy(pdu, buf, base_len);
				len = base_len;
				for (int m = rnd() % 4; m >= 0; m--)
					pdu[rnd() % len] ^= 1 << (rnd() % 8);
			}
			act = feed(pdu, len, rnd() % 2 ? 0 : 1 + rnd() % 64);
			if (act == IA_LOGIN_DONE)
				act = login_done_complete(&C, -EIO);
			while (iconn_tx_pending(&C)) {
				CHECK(pop(C.hdigest, C.ddigest));
				if (!R.ok)
					break;
			}
		}
		CHECK(act == IA_CONTINUE || act == IA_CLOSE ||
		      act == IA_HANDOFF);
	}
	iconn_free(&C);
}

/* The same in the full feature phase of a discovery session */
TEST(fuzz_discovery)
{
	static uint8_t base[512];
	size_t base_len;

	std_targets();
	for (int iter = 0; iter < 5000; iter++) {
		enum iconn_action act = IA_CONTINUE;
		bool dig = rnd() % 4 == 0;

		conn_open("192.0.2.1", AF_INET);
		discovery_login(dig ? "HeaderDigest=CRC32C|DataDigest=CRC32C" :
			       "MaxRecvDataSegmentLength=512");
		cmdsn = 100;
		/* a valid SendTargets request to mutate */
		text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG,
			 "SendTargets=All", dig, dig);
		base_len = ISCSI_BHS_LEN + (dig ? 8 : 0) + 16;
		memcpy(base, pdu, base_len);
		for (int s = 0; s < 6 && act == IA_CONTINUE; s++) {
			size_t len;

			if (rnd() % 3 == 0) {
				len = ISCSI_BHS_LEN + rnd() % 200;
				for (size_t i = 0; i < len; i++)
					pdu[i] = rnd();
				pdu[0] = rnd() % 2 ? ISCSI_OP_TEXT_CMD :
					 rnd() % 0x40;
				pdu[4] = rnd() % 4 ? 0 : pdu[4];
				pdu[5] = 0;
				pdu[6] %= 2;
			} else {
				memcpy(pdu, base, base_len);
				len = base_len;
				for (int m = rnd() % 3; m >= 0; m--)
					pdu[rnd() % len] ^= 1 << (rnd() % 8);
				/* keep the CmdSN in the window sometimes */
				if (rnd() % 2) {
					uint32_t sn = htonl(C.ds.exp_cmd_sn);

					memcpy(pdu + 24, &sn, 4);
				}
			}
			act = feed(pdu, len, rnd() % 2 ? 0 : 1 + rnd() % 32);
			while (iconn_tx_pending(&C))
				if (!pop(C.hdigest, C.ddigest) || !R.ok)
					break;
		}
		CHECK(act == IA_CONTINUE || act == IA_CLOSE);
	}
	iconn_free(&C);
}

TEST(discovery_odd_requests)
{
	std_targets();
	conn_open("192.0.2.1", AF_INET);
	discovery_login("MaxRecvDataSegmentLength=512");
	cmdsn = 100;
	/* SendTargets twice, malformed text, reserved ITT */
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG,
			      "SendTargets=All|SendTargets=All", false, false),
		     IA_CLOSE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	cmdsn = 100;
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG,
			      "SendTargets", false, false), IA_CLOSE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	cmdsn = 100;
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, ISCSI_RESERVED_TAG,
			      ISCSI_RESERVED_TAG, "SendTargets=All", false,
			      false), IA_CLOSE);
	CHECK_EQ_INT(R.bhs[2], ISCSI_REJECT_INVALID_PDU_FIELD);
	/* a kernel that does not move forward */
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	cmdsn = 100;
	K.next_stuck = true;
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG,
			      "SendTargets=All", false, false), IA_CLOSE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
	K.next_stuck = false;
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	cmdsn = 100;
	K.next_err = -EIO;
	CHECK_EQ_INT(text_req(ISCSI_FLG_FINAL, 1, ISCSI_RESERVED_TAG,
			      "SendTargets=All", false, false), IA_CLOSE);
	CHECK_EQ_INT(R_OPCODE, ISCSI_OP_REJECT);
	K.next_err = 0;
	/* logout for recovery: not with ERL 0 */
	conn_open("192.0.2.1", AF_INET);
	discovery_login("MaxRecvDataSegmentLength=512");
	cmdsn = 100;
	{
		static uint8_t ping[1000];

		memset(ping, 'p', sizeof(ping));
		/* the echo is cut to the initiator's MaxRecvDSL */
		CHECK_EQ_INT(simple_pdu(ISCSI_OP_NOP_OUT | ISCSI_OP_IMMEDIATE,
					0x80, 3, ping, sizeof(ping), 0),
			     IA_CONTINUE);
		pop(false, false);
		CHECK_EQ_INT(R.dlen, 512);
	}
	CHECK_EQ_INT(simple_pdu(ISCSI_OP_LOGOUT_CMD | ISCSI_OP_IMMEDIATE,
				0x80 | ISCSI_LOGOUT_REMOVE_FOR_RECOVERY, 4,
				NULL, 0, 3), IA_CLOSE);
	pop(false, false);
	CHECK_EQ_INT(R.bhs[2], ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED);
	/* a data segment over our 8192 bytes in the session */
	conn_open("192.0.2.1", AF_INET);
	discovery_login("");
	memset(pdu, 0, ISCSI_BHS_LEN);
	pdu[0] = ISCSI_OP_TEXT_CMD;
	iscsi_set_dlength(pdu + 5, 8193);
	CHECK_EQ_INT(feed(pdu, ISCSI_BHS_LEN, 0), IA_CLOSE);
}
