// SPDX-License-Identifier: GPL-2.0
/*
 * param.c - login keys and operational parameter negotiation (RFC 7143
 * chapter 13, RFC 7144 for iSCSIProtocolLevel, RFC 7145 for the iSER keys).
 *
 * The target only answers what the initiator proposes, with one exception:
 * when the initiator wants to leave the operational stage without having
 * proposed a key whose RFC default the target's configuration does not
 * allow (a required CRC32C digest, ImmediateData=No, a smaller burst
 * length), the target proposes it itself (neg_offer()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "param.h"

enum neg_kind {
	NK_NONE,	/* not negotiated here */
	NK_DIGEST,	/* list of None, CRC32C */
	NK_OR,		/* boolean, result is OR */
	NK_AND,		/* boolean, result is AND */
	NK_MIN,		/* number, result is the minimum */
	NK_MAX,		/* number, result is the maximum */
	NK_MRDSL,	/* MaxRecvDataSegmentLength: declarative both ways */
	NK_MARKINT,	/* OFMarkInt/IFMarkInt: Irrelevant (markers are No) */
	NK_ISER,	/* iSER keys: Irrelevant (RDMAExtensions=No) */
	NK_TASKREP,	/* TaskReporting list: we only do RFC3720 */
};

#define KF_LO		0x1	/* leading connection only */
#define KF_NODISC	0x2	/* irrelevant in a discovery session */

struct key_info {
	struct key_def def;
	enum neg_kind kind;
	uint32_t min, max;	/* valid range of numbers */
	uint32_t dflt;		/* RFC default */
	int param;		/* enum iscsi_param, -1 if none */
	unsigned int flags;
};

#define KEY(n, i, c, k, mn, mx, d, p, f) \
	[i] = { { n, i, c }, k, mn, mx, d, p, f }

static const struct key_info keys[K_COUNT] = {
	KEY("HeaderDigest", K_HEADER_DIGEST, KC_OP, NK_DIGEST, 0, 0,
	    ISCSI_DIGEST_NONE, ISCSI_P_HEADER_DIGEST, 0),
	KEY("DataDigest", K_DATA_DIGEST, KC_OP, NK_DIGEST, 0, 0,
	    ISCSI_DIGEST_NONE, ISCSI_P_DATA_DIGEST, 0),
	KEY("MaxConnections", K_MAX_CONNECTIONS, KC_OP, NK_MIN, 1, 65535, 1,
	    ISCSI_P_MAX_CONNECTIONS, KF_LO | KF_NODISC),
	KEY("SendTargets", K_SEND_TARGETS, KC_FFP, NK_NONE, 0, 0, 0, -1, 0),
	KEY("TargetName", K_TARGET_NAME, KC_DECL, NK_NONE, 0, 0, 0, -1, 0),
	KEY("InitiatorName", K_INITIATOR_NAME, KC_DECL, NK_NONE, 0, 0, 0, -1,
	    0),
	KEY("TargetAlias", K_TARGET_ALIAS, KC_TARGET, NK_NONE, 0, 0, 0, -1,
	    0),
	KEY("InitiatorAlias", K_INITIATOR_ALIAS, KC_DECL, NK_NONE, 0, 0, 0,
	    -1, 0),
	KEY("TargetAddress", K_TARGET_ADDRESS, KC_TARGET, NK_NONE, 0, 0, 0,
	    -1, 0),
	KEY("TargetPortalGroupTag", K_TARGET_PORTAL_GROUP_TAG, KC_TARGET,
	    NK_NONE, 0, 0, 0, -1, 0),
	KEY("InitialR2T", K_INITIAL_R2T, KC_OP, NK_OR, 0, 1, 1,
	    ISCSI_P_INITIAL_R2T, KF_LO | KF_NODISC),
	KEY("ImmediateData", K_IMMEDIATE_DATA, KC_OP, NK_AND, 0, 1, 1,
	    ISCSI_P_IMMEDIATE_DATA, KF_LO | KF_NODISC),
	KEY("MaxRecvDataSegmentLength", K_MAX_RECV_DSL, KC_OP, NK_MRDSL,
	    MIN_DSL, MAX_DSL, DEF_MAX_RECV_DSL, -1, 0),
	KEY("MaxBurstLength", K_MAX_BURST_LENGTH, KC_OP, NK_MIN, MIN_DSL,
	    MAX_DSL, DEF_MAX_BURST, ISCSI_P_MAX_BURST_LENGTH,
	    KF_LO | KF_NODISC),
	KEY("FirstBurstLength", K_FIRST_BURST_LENGTH, KC_OP, NK_MIN, MIN_DSL,
	    MAX_DSL, DEF_FIRST_BURST, ISCSI_P_FIRST_BURST_LENGTH,
	    KF_LO | KF_NODISC),
	KEY("DefaultTime2Wait", K_DEFAULT_TIME2WAIT, KC_OP, NK_MAX, 0, 3600,
	    DEF_TIME2WAIT, ISCSI_P_DEFAULT_TIME2WAIT, KF_LO),
	KEY("DefaultTime2Retain", K_DEFAULT_TIME2RETAIN, KC_OP, NK_MIN, 0,
	    3600, DEF_TIME2RETAIN, ISCSI_P_DEFAULT_TIME2RETAIN, KF_LO),
	KEY("MaxOutstandingR2T", K_MAX_OUTSTANDING_R2T, KC_OP, NK_MIN, 1,
	    65535, 1, ISCSI_P_MAX_OUTSTANDING_R2T, KF_LO | KF_NODISC),
	KEY("DataPDUInOrder", K_DATA_PDU_IN_ORDER, KC_OP, NK_OR, 0, 1, 1,
	    ISCSI_P_DATA_PDU_IN_ORDER, KF_LO | KF_NODISC),
	KEY("DataSequenceInOrder", K_DATA_SEQUENCE_IN_ORDER, KC_OP, NK_OR, 0,
	    1, 1, ISCSI_P_DATA_SEQUENCE_IN_ORDER, KF_LO | KF_NODISC),
	KEY("ErrorRecoveryLevel", K_ERROR_RECOVERY_LEVEL, KC_OP, NK_MIN, 0, 2,
	    0, ISCSI_P_ERROR_RECOVERY_LEVEL, KF_LO),
	KEY("SessionType", K_SESSION_TYPE, KC_DECL, NK_NONE, 0, 0, 0, -1, 0),
	KEY("OFMarker", K_OF_MARKER, KC_OP, NK_AND, 0, 1, 0, -1, 0),
	KEY("IFMarker", K_IF_MARKER, KC_OP, NK_AND, 0, 1, 0, -1, 0),
	KEY("OFMarkInt", K_OF_MARK_INT, KC_OP, NK_MARKINT, 1, 65535, 0, -1,
	    0),
	KEY("IFMarkInt", K_IF_MARK_INT, KC_OP, NK_MARKINT, 1, 65535, 0, -1,
	    0),
	KEY("RDMAExtensions", K_RDMA_EXTENSIONS, KC_OP, NK_AND, 0, 1, 0, -1,
	    KF_LO),
	KEY("TargetRecvDataSegmentLength", K_TARGET_RECV_DSL, KC_OP, NK_ISER,
	    0, 0, 0, -1, 0),
	KEY("InitiatorRecvDataSegmentLength", K_INITIATOR_RECV_DSL, KC_OP,
	    NK_ISER, 0, 0, 0, -1, 0),
	KEY("MaxOutstandingUnexpectedPDUs", K_MAX_OUTSTANDING_UNEXP_PDUS,
	    KC_OP, NK_ISER, 0, 0, 0, -1, KF_LO),
	KEY("iSCSIProtocolLevel", K_PROTOCOL_LEVEL, KC_OP, NK_MIN, 0, 31, 0,
	    -1, KF_LO),
	KEY("TaskReporting", K_TASK_REPORTING, KC_OP, NK_TASKREP, 0, 0, 0, -1,
	    KF_LO),
	KEY("AuthMethod", K_AUTH_METHOD, KC_AUTH, NK_NONE, 0, 0, 0, -1, 0),
	KEY("CHAP_A", K_CHAP_A, KC_AUTH, NK_NONE, 0, 0, 0, -1, 0),
	KEY("CHAP_I", K_CHAP_I, KC_AUTH, NK_NONE, 0, 0, 0, -1, 0),
	KEY("CHAP_C", K_CHAP_C, KC_AUTH, NK_NONE, 0, 0, 0, -1, 0),
	KEY("CHAP_N", K_CHAP_N, KC_AUTH, NK_NONE, 0, 0, 0, -1, 0),
	KEY("CHAP_R", K_CHAP_R, KC_AUTH, NK_NONE, 0, 0, 0, -1, 0),
};

const struct key_def *key_lookup(const char *name)
{
	int i;

	/* key names are case-sensitive (RFC 7143 6.1) */
	for (i = 0; i < K_COUNT; i++)
		if (!strcmp(keys[i].def.name, name))
			return &keys[i].def;
	return NULL;
}

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Our largest receivable data segment, as declared to the initiator */
static uint32_t our_mrdsl(const struct neg *n)
{
	if (n->discovery)
		return DEF_MAX_RECV_DSL;
	return n->tgt[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH];
}

/* The target's side of a negotiation */
static uint32_t tgt_value(const struct neg *n, int id)
{
	const struct key_info *ki = &keys[id];

	switch (id) {
	case K_ERROR_RECOVERY_LEVEL:
		return 0;		/* ERL 0 only */
	case K_MAX_CONNECTIONS:
		return 1;		/* no MC/S */
	case K_OF_MARKER:
	case K_IF_MARKER:
	case K_RDMA_EXTENSIONS:
		return 0;
	case K_PROTOCOL_LEVEL:
		return OUR_PROTOCOL_LEVEL;
	}
	if (ki->param >= 0)
		return n->tgt[ki->param];
	return ki->dflt;
}

static void sanitize_target(struct neg *n, const uint32_t *p)
{
	uint32_t dmax = n->kmax_dsl ? clamp(n->kmax_dsl, MIN_DSL, MAX_DSL) :
				      MAX_DSL;
	uint32_t *t = n->tgt;
	int i;

	memcpy(t, p, sizeof(n->tgt));
	for (i = ISCSI_P_HEADER_DIGEST; i <= ISCSI_P_DATA_DIGEST; i++) {
		t[i] &= ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C;
		if (!t[i])
			t[i] = ISCSI_DIGEST_NONE;
	}
	t[ISCSI_P_INITIAL_R2T] = !!t[ISCSI_P_INITIAL_R2T];
	t[ISCSI_P_IMMEDIATE_DATA] = !!t[ISCSI_P_IMMEDIATE_DATA];
	t[ISCSI_P_DATA_PDU_IN_ORDER] = !!t[ISCSI_P_DATA_PDU_IN_ORDER];
	t[ISCSI_P_DATA_SEQUENCE_IN_ORDER] =
		!!t[ISCSI_P_DATA_SEQUENCE_IN_ORDER];
	t[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] =
		clamp(t[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], MIN_DSL, dmax);
	t[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] =
		clamp(t[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], MIN_DSL, dmax);
	t[ISCSI_P_MAX_BURST_LENGTH] =
		clamp(t[ISCSI_P_MAX_BURST_LENGTH], MIN_DSL, MAX_DSL);
	t[ISCSI_P_FIRST_BURST_LENGTH] =
		clamp(t[ISCSI_P_FIRST_BURST_LENGTH], MIN_DSL, MAX_DSL);
	t[ISCSI_P_MAX_OUTSTANDING_R2T] =
		clamp(t[ISCSI_P_MAX_OUTSTANDING_R2T], 1, 65535);
	t[ISCSI_P_DEFAULT_TIME2WAIT] =
		clamp(t[ISCSI_P_DEFAULT_TIME2WAIT], 0, 3600);
	t[ISCSI_P_DEFAULT_TIME2RETAIN] =
		clamp(t[ISCSI_P_DEFAULT_TIME2RETAIN], 0, 3600);
	t[ISCSI_P_ERROR_RECOVERY_LEVEL] = 0;
	t[ISCSI_P_MAX_CONNECTIONS] = 1;
}

void neg_init(struct neg *n, bool discovery, bool leading,
	      const uint32_t *tgt_params, uint32_t kmax_dsl)
{
	int i;

	memset(n, 0, sizeof(*n));
	n->discovery = discovery;
	n->leading = leading;
	n->kmax_dsl = kmax_dsl;
	if (tgt_params) {
		sanitize_target(n, tgt_params);
	} else {
		/* discovery: only what the daemon itself can do */
		for (i = 0; i < K_COUNT; i++)
			if (keys[i].param >= 0)
				n->tgt[keys[i].param] = keys[i].dflt;
		n->tgt[ISCSI_P_HEADER_DIGEST] =
			ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C;
		n->tgt[ISCSI_P_DATA_DIGEST] =
			ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C;
		n->tgt[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = DEF_MAX_RECV_DSL;
		n->tgt[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] =
			kmax_dsl ? clamp(kmax_dsl, MIN_DSL, MAX_DSL) : MAX_DSL;
		/* no task state to keep after a discovery session */
		n->tgt[ISCSI_P_DEFAULT_TIME2WAIT] = 0;
		n->tgt[ISCSI_P_DEFAULT_TIME2RETAIN] = 0;
	}
	for (i = 0; i < K_COUNT; i++)
		n->val[i] = keys[i].dflt;
	n->ini_mrdsl = DEF_MAX_RECV_DSL;
}

void neg_begin(struct neg *n)
{
	n->nitems = 0;
	n->why = NULL;
}

static int queue_answer(struct neg *n, int id, const char *key,
			enum neg_answer ans)
{
	if (ans == NA_NONE)
		return 0;
	if (n->nitems >= NEG_MAX_ANSWERS) {
		n->why = "too many keys";
		return -E2BIG;
	}
	n->items[n->nitems].ans = ans;
	n->items[n->nitems].id = id;
	n->items[n->nitems].key = key;
	n->nitems++;
	return 0;
}

void neg_answer(struct neg *n, const struct key_def *def, const char *key,
		enum neg_answer ans)
{
	queue_answer(n, def ? (int)def->id : -1, key, ans);
}

static const char *digest_name(uint32_t bit)
{
	return bit == ISCSI_DIGEST_CRC32C ? "CRC32C" : "None";
}

/* Digest mask the target accepts for this initiator's list */
static uint32_t digest_acceptable(const struct neg *n, int id,
				  const char *list)
{
	const char *pos = list, *item;
	size_t len;

	if (!n->discovery)
		return n->tgt[keys[id].param];
	/*
	 * The daemon computes CRC32C for discovery PDUs but avoids the
	 * work when the initiator can live without it.
	 */
	while ((item = text_list_next(&pos, &len)))
		if (text_item_is(item, len, "None"))
			return ISCSI_DIGEST_NONE;
	return ISCSI_DIGEST_CRC32C;
}

/* A list value: no empty item */
static bool list_ok(const char *val)
{
	const char *pos = val;
	size_t len;

	while (text_list_next(&pos, &len))
		if (!len)
			return false;
	return true;
}

static enum neg_answer neg_digest(struct neg *n, int id, const char *val,
				  int *err)
{
	uint32_t ok = digest_acceptable(n, id, val);
	const char *pos = val, *item;
	size_t len;

	if (!list_ok(val))
		return NA_REJECT;
	while ((item = text_list_next(&pos, &len))) {
		uint32_t bit = 0;

		if (text_item_is(item, len, "None"))
			bit = ISCSI_DIGEST_NONE;
		else if (text_item_is(item, len, "CRC32C"))
			bit = ISCSI_DIGEST_CRC32C;
		/* other (vendor) values are legal, just not ours */
		if (bit & ok) {
			n->val[id] = bit;
			return NA_VALUE;
		}
	}
	/* Reject leaves the default None: fatal if we cannot accept it */
	if (!n->discovery && !(ok & ISCSI_DIGEST_NONE)) {
		n->why = "no acceptable digest offered";
		*err = -EINVAL;
	}
	return NA_REJECT;
}

static enum neg_answer neg_bool(struct neg *n, int id, const char *val)
{
	int b = text_bool(val);
	uint32_t ours = tgt_value(n, id);

	if (b < 0)
		return NA_REJECT;
	n->val[id] = keys[id].kind == NK_OR ? (b || ours) : (b && ours);
	return NA_VALUE;
}

static enum neg_answer neg_number(struct neg *n, int id, const char *val)
{
	const struct key_info *ki = &keys[id];
	uint32_t ours = tgt_value(n, id);
	uint64_t v;

	if (text_num(val, ki->max, &v) || v < ki->min)
		return NA_REJECT;
	if (ki->kind == NK_MIN)
		n->val[id] = v < ours ? v : ours;
	else
		n->val[id] = v > ours ? v : ours;
	return NA_VALUE;
}

static enum neg_answer neg_mrdsl(struct neg *n, const char *val)
{
	uint64_t v;

	if (text_num(val, MAX_DSL, &v) || v < MIN_DSL)
		return NA_REJECT;
	n->ini_mrdsl = v;
	return NA_VALUE;	/* answered with our own declaration */
}

/* "<from>~<to>" (RFC 7143 13.25, obsolete marker keys) */
static bool markint_ok(const char *val)
{
	char buf[VALUE_MAX + 1], *tilde;
	uint64_t a, b;

	if (strlen(val) > VALUE_MAX)
		return false;
	strcpy(buf, val);
	tilde = strchr(buf, '~');
	if (!tilde)
		return !text_num(buf, 65535, &a) && a >= 1;
	*tilde = '\0';
	return !text_num(buf, 65535, &a) && !text_num(tilde + 1, 65535, &b) &&
	       a >= 1 && a <= b;
}

static enum neg_answer neg_taskrep(struct neg *n, const char *val)
{
	const char *pos = val, *item;
	size_t len;

	(void)n;
	if (!list_ok(val))
		return NA_REJECT;
	while ((item = text_list_next(&pos, &len))) {
		if (text_item_is(item, len, "RFC3720"))
			return NA_VALUE;
	}
	return NA_REJECT;
}

/* The initiator's answer to a key we proposed */
static int offer_answer(struct neg *n, int id, const char *val)
{
	const struct key_info *ki = &keys[id];
	uint32_t ours = tgt_value(n, id);
	uint64_t v;
	int b;

	n->offered &= ~(1ULL << id);
	switch (ki->kind) {
	case NK_DIGEST:
		if (!strcmp(val, "CRC32C") && (ours & ISCSI_DIGEST_CRC32C)) {
			n->val[id] = ISCSI_DIGEST_CRC32C;
			return 0;
		}
		if (!strcmp(val, "None") && (ours & ISCSI_DIGEST_NONE)) {
			n->val[id] = ISCSI_DIGEST_NONE;
			return 0;
		}
		break;
	case NK_AND:
		b = text_bool(val);
		if (b >= 0 && b == (int)ours) {
			n->val[id] = b;
			return 0;
		}
		break;
	case NK_MIN:
		if (!text_num(val, ki->max, &v) && v >= ki->min && v <= ours) {
			n->val[id] = v;
			return 0;
		}
		break;
	default:
		break;
	}
	n->why = "unacceptable answer to the target's proposal";
	return -EINVAL;
}

int neg_key(struct neg *n, const struct key_def *def, const char *key,
	    const char *val)
{
	const struct key_info *ki;
	enum neg_answer ans;
	int err = 0;

	if (!def)
		return queue_answer(n, -1, key, NA_NOT_UNDERSTOOD);
	ki = &keys[def->id];
	if (def->cls == KC_TARGET || def->cls == KC_FFP || ki->kind == NK_NONE)
		return queue_answer(n, def->id, key, NA_IRRELEVANT);
	n->negotiated |= 1ULL << def->id;
	if (n->offered & (1ULL << def->id))
		return offer_answer(n, def->id, val);
	if (((ki->flags & KF_LO) && !n->leading) ||
	    ((ki->flags & KF_NODISC) && n->discovery))
		return queue_answer(n, def->id, key, NA_IRRELEVANT);
	if (strlen(val) > VALUE_MAX)
		return queue_answer(n, def->id, key, NA_REJECT);

	switch (ki->kind) {
	case NK_DIGEST:
		ans = neg_digest(n, def->id, val, &err);
		break;
	case NK_OR:
	case NK_AND:
		ans = neg_bool(n, def->id, val);
		break;
	case NK_MIN:
	case NK_MAX:
		ans = neg_number(n, def->id, val);
		break;
	case NK_MRDSL:
		ans = neg_mrdsl(n, val);
		break;
	case NK_MARKINT:
		ans = markint_ok(val) ? NA_IRRELEVANT : NA_REJECT;
		break;
	case NK_ISER:
		ans = NA_IRRELEVANT;
		break;
	case NK_TASKREP:
		ans = neg_taskrep(n, val);
		break;
	default:
		ans = NA_IRRELEVANT;
		break;
	}
	if (err)
		return err;
	return queue_answer(n, def->id, key, ans);
}

/* FirstBurstLength does not matter with InitialR2T=Yes, ImmediateData=No */
static bool first_burst_irrelevant(const struct neg *n)
{
	return n->val[K_INITIAL_R2T] && !n->val[K_IMMEDIATE_DATA];
}

const char *neg_value_str(const struct neg *n, int id, char *buf,
			  size_t len)
{
	uint32_t v = n->val[id];

	switch (keys[id].kind) {
	case NK_DIGEST:
		return digest_name(v);
	case NK_OR:
	case NK_AND:
		return v ? "Yes" : "No";
	case NK_MRDSL:
		v = our_mrdsl(n);
		break;
	case NK_TASKREP:
		return "RFC3720";
	case NK_MIN:
	case NK_MAX:
		if (id == K_FIRST_BURST_LENGTH)
			v = min_u32(v, n->val[K_MAX_BURST_LENGTH]);
		break;
	default:
		return "Irrelevant";
	}
	snprintf(buf, len, "%u", v);
	return buf;
}

void neg_emit(struct neg *n, struct tbuf *out)
{
	char num[16];
	int i;

	for (i = 0; i < n->nitems; i++) {
		const struct neg_item *it = &n->items[i];
		const char *name = it->id >= 0 ? keys[it->id].def.name : it->key;
		enum neg_answer ans = it->ans;

		if (ans == NA_VALUE && it->id == K_FIRST_BURST_LENGTH &&
		    first_burst_irrelevant(n))
			ans = NA_IRRELEVANT;
		switch (ans) {
		case NA_VALUE:
			if (it->id == K_MAX_RECV_DSL) {
				if (n->declared_mrdsl)
					break;
				n->declared_mrdsl = true;
			}
			tbuf_add(out, name,
				 neg_value_str(n, it->id, num, sizeof(num)));
			break;
		case NA_REJECT:
			tbuf_add(out, name, "Reject");
			break;
		case NA_IRRELEVANT:
			tbuf_add(out, name, "Irrelevant");
			break;
		case NA_NOT_UNDERSTOOD:
			tbuf_add(out, name, "NotUnderstood");
			break;
		case NA_NONE:
			break;
		}
	}
	n->nitems = 0;
}

void neg_declare(struct neg *n, struct tbuf *out)
{
	if (n->declared_mrdsl)
		return;
	n->declared_mrdsl = true;
	tbuf_addf(out, keys[K_MAX_RECV_DSL].def.name, "%u", our_mrdsl(n));
}

static bool was_negotiated(const struct neg *n, int id)
{
	return n->negotiated & (1ULL << id);
}

/* Keys to propose because their defaults do not fit the target */
static uint64_t offers_needed(const struct neg *n)
{
	uint64_t need = 0;
	int id;

	if (n->discovery)
		return 0;
	for (id = K_HEADER_DIGEST; id <= K_DATA_DIGEST; id++)
		if (!was_negotiated(n, id) &&
		    !(n->tgt[keys[id].param] & ISCSI_DIGEST_NONE))
			need |= 1ULL << id;
	if (!n->leading)
		return need;
	if (!was_negotiated(n, K_IMMEDIATE_DATA) &&
	    !n->tgt[ISCSI_P_IMMEDIATE_DATA])
		need |= 1ULL << K_IMMEDIATE_DATA;
	if (!was_negotiated(n, K_MAX_BURST_LENGTH) &&
	    n->tgt[ISCSI_P_MAX_BURST_LENGTH] < DEF_MAX_BURST)
		need |= 1ULL << K_MAX_BURST_LENGTH;
	if (!was_negotiated(n, K_FIRST_BURST_LENGTH) &&
	    n->tgt[ISCSI_P_FIRST_BURST_LENGTH] < DEF_FIRST_BURST)
		need |= 1ULL << K_FIRST_BURST_LENGTH;
	return need;
}

int neg_offer(struct neg *n, struct tbuf *out)
{
	uint64_t need;
	int id;

	if (n->offered) {
		n->why = "no answer to the target's proposal";
		return -EINVAL;
	}
	need = offers_needed(n);
	for (id = 0; id < K_COUNT; id++) {
		const struct key_info *ki = &keys[id];

		if (!(need & (1ULL << id)))
			continue;
		if (ki->kind == NK_DIGEST)
			tbuf_add(out, ki->def.name, "CRC32C");
		else if (ki->kind == NK_AND)
			tbuf_add(out, ki->def.name, "No");
		else
			tbuf_addf(out, ki->def.name, "%u",
				  tgt_value(n, id));
	}
	n->offered = need;
	return need ? 1 : 0;
}

bool neg_needs_op_stage(const struct neg *n)
{
	if (n->discovery)
		return false;
	if (!n->declared_mrdsl && our_mrdsl(n) != DEF_MAX_RECV_DSL)
		return true;
	return offers_needed(n) != 0;
}

void neg_result(const struct neg *n, uint32_t *p)
{
	uint32_t xmit;
	int id;

	memcpy(p, n->tgt, sizeof(n->tgt));
	for (id = 0; id < K_COUNT; id++)
		if (keys[id].param >= 0)
			p[keys[id].param] = n->val[id];
	p[ISCSI_P_FIRST_BURST_LENGTH] = min_u32(n->val[K_FIRST_BURST_LENGTH],
						n->val[K_MAX_BURST_LENGTH]);
	xmit = min_u32(n->ini_mrdsl, n->tgt[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH]);
	p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] = xmit;
	p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] =
		n->declared_mrdsl ? our_mrdsl(n) : DEF_MAX_RECV_DSL;
}
