/* SPDX-License-Identifier: GPL-2.0 */
/*
 * param.h - RFC 7143 login key table and operational parameter
 * negotiation.  Pure: no sockets, no ioctls; the login state machine feeds
 * it one request's key=value pairs at a time and it produces the answers.
 */
#ifndef ISCSID_PARAM_H
#define ISCSID_PARAM_H

#include <stdbool.h>
#include <stdint.h>
#include "../include/iscsi_scst.h"
#include "text.h"

enum key_id {
	K_HEADER_DIGEST,
	K_DATA_DIGEST,
	K_MAX_CONNECTIONS,
	K_SEND_TARGETS,
	K_TARGET_NAME,
	K_INITIATOR_NAME,
	K_TARGET_ALIAS,
	K_INITIATOR_ALIAS,
	K_TARGET_ADDRESS,
	K_TARGET_PORTAL_GROUP_TAG,
	K_INITIAL_R2T,
	K_IMMEDIATE_DATA,
	K_MAX_RECV_DSL,
	K_MAX_BURST_LENGTH,
	K_FIRST_BURST_LENGTH,
	K_DEFAULT_TIME2WAIT,
	K_DEFAULT_TIME2RETAIN,
	K_MAX_OUTSTANDING_R2T,
	K_DATA_PDU_IN_ORDER,
	K_DATA_SEQUENCE_IN_ORDER,
	K_ERROR_RECOVERY_LEVEL,
	K_SESSION_TYPE,
	K_OF_MARKER,
	K_IF_MARKER,
	K_OF_MARK_INT,
	K_IF_MARK_INT,
	K_RDMA_EXTENSIONS,
	K_TARGET_RECV_DSL,		/* iSER (RFC 7145) */
	K_INITIATOR_RECV_DSL,		/* iSER */
	K_MAX_OUTSTANDING_UNEXP_PDUS,	/* iSER */
	K_PROTOCOL_LEVEL,		/* RFC 7144 */
	K_TASK_REPORTING,
	K_AUTH_METHOD,
	K_CHAP_A,
	K_CHAP_I,
	K_CHAP_C,
	K_CHAP_N,
	K_CHAP_R,
	K_COUNT
};

/* Who handles a key during login */
enum key_class {
	KC_DECL,	/* login state machine: InitiatorName, TargetName, ... */
	KC_AUTH,	/* security negotiation: AuthMethod, CHAP_* */
	KC_OP,		/* operational negotiation (this file) */
	KC_TARGET,	/* only a target may send it: Irrelevant */
	KC_FFP,		/* full feature phase only (SendTargets): Irrelevant */
};

struct key_def {
	const char *name;
	enum key_id id;
	enum key_class cls;
};

/* NULL for an unknown key (including X- and X# extension keys) */
const struct key_def *key_lookup(const char *name);

/* Our protocol level: RFC 7143 */
#define OUR_PROTOCOL_LEVEL	1

/* RFC 7143 defaults */
#define DEF_MAX_RECV_DSL	8192
#define DEF_MAX_BURST		262144
#define DEF_FIRST_BURST		65536
#define DEF_TIME2WAIT		2
#define DEF_TIME2RETAIN		20
#define MIN_DSL			512
#define MAX_DSL			16777215

/* What happened to one key of the current request */
enum neg_answer {
	NA_VALUE,		/* answer with the negotiated value */
	NA_REJECT,
	NA_IRRELEVANT,
	NA_NOT_UNDERSTOOD,
	NA_NONE,		/* no answer (declaration, reply to our offer) */
};

#define NEG_MAX_ANSWERS	256

struct neg_item {
	enum neg_answer ans;
	int id;			/* enum key_id, or -1 for an unknown key */
	const char *key;	/* the initiator's spelling, for NotUnderstood */
};

struct neg {
	bool discovery;
	bool leading;		/* TSIH 0: session-wide keys may be negotiated */
	uint32_t tgt[ISCSI_P_COUNT];	/* target's values, sanitised */
	uint32_t kmax_dsl;	/* kernel limit from ISCSI_IOC_REGISTER */
	/* results so far, indexed by enum key_id (defaults until negotiated) */
	uint32_t val[K_COUNT];
	uint64_t negotiated;	/* keys the initiator sent (bit per key_id) */
	uint64_t offered;	/* keys we proposed, awaiting the answer */
	uint32_t ini_mrdsl;	/* initiator's MaxRecvDataSegmentLength */
	bool declared_mrdsl;	/* we declared ours */
	/* answers of the current request, emitted in order */
	struct neg_item items[NEG_MAX_ANSWERS];
	int nitems;
	const char *why;	/* reason of the last failure, for the log */
};

/*
 * tgt_params: the target's configured values (ISCSI_IOC_TARGET_BY_NAME),
 * NULL for a discovery session.  kmax_dsl: the kernel's largest data
 * segment (0: no limit beyond the 24-bit field).
 */
void neg_init(struct neg *n, bool discovery, bool leading,
	      const uint32_t *tgt_params, uint32_t kmax_dsl);

/* Start a new request's answers */
void neg_begin(struct neg *n);

/*
 * Handle one operational, target-only or FFP-only key (key class != DECL
 * and != AUTH) or an unknown key (def == NULL).  Returns 0 or a negative
 * value if the login must fail with ISCSI_LOGIN_STATUS_INIT_ERR (n->why
 * says why).  The caller rejects keys sent twice before calling this.
 */
int neg_key(struct neg *n, const struct key_def *def, const char *key,
	    const char *val);

/* Queue an answer for a key handled elsewhere (Irrelevant, ...) */
void neg_answer(struct neg *n, const struct key_def *def, const char *key,
		enum neg_answer ans);

/* Append the answers of the current request to out */
void neg_emit(struct neg *n, struct tbuf *out);

/*
 * Declare our MaxRecvDataSegmentLength if not done yet (first response of
 * the operational stage).
 */
void neg_declare(struct neg *n, struct tbuf *out);

/*
 * The initiator wants to leave the operational stage.  Returns 1 if keys
 * whose defaults the target cannot accept were never negotiated: they are
 * proposed in out and the target must stay in the stage until the
 * initiator answers; 0 if the stage may end; negative if an earlier offer
 * was not answered acceptably (login fails, n->why).
 */
int neg_offer(struct neg *n, struct tbuf *out);

/*
 * Would leaving the security stage straight to full feature phase skip a
 * declaration or an offer the target needs (so the target must answer
 * NSG=1 instead)?
 */
bool neg_needs_op_stage(const struct neg *n);

/*
 * Final values for ISCSI_IOC_LOGIN_DONE: params[] starts as the target's
 * values and gets the negotiated ones; digests hold exactly one bit.
 */
void neg_result(const struct neg *n, uint32_t *params);

/* Text for a value of key id as negotiated (for logs and tests) */
const char *neg_value_str(const struct neg *n, int id, char *buf,
			  size_t len);

#endif /* ISCSID_PARAM_H */
