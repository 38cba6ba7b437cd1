/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iscsid.h - the protocol engine of iscsi-scstd: one struct iconn per TCP
 * connection, fed with received bytes, producing bytes to send and an
 * action for the socket layer.  The engine never touches a socket itself
 * and reaches the kernel only through login_env.kcall (the ioctls of
 * iscsi_scst.h), so the unit tests can drive complete logins with a fake
 * kernel.
 *
 * A connection goes through the login phase (login.c) and then either
 * hands its socket to the kernel (normal session: ISCSI_IOC_LOGIN_DONE) or
 * stays with the daemon as a discovery session (disc.c).  The engine reads
 * exactly one PDU at a time and no byte past the final Login Request, so
 * nothing the kernel must see is ever consumed by the daemon.
 */
#ifndef ISCSID_H
#define ISCSID_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "../include/iscsi_proto.h"
#include "../include/iscsi_scst.h"
#include "hash.h"
#include "param.h"
#include "text.h"

#define LOGIN_MAX_DSL		8192	/* data segment of a login PDU */
#define DISC_MAX_RECV_DSL	8192	/* ours in a discovery session */
#define DISC_MAX_XMIT_DSL	65536	/* cap of our discovery text PDUs */
#define TEXT_IN_MAX		65536	/* one request's text (C bit) */
#define TEXT_OUT_MAX		(4 << 20)	/* one response's text */
#define MAX_PAIRS		512	/* key=value pairs in one request */
#define RX_BUF_LEN		(ISCSI_BHS_LEN + ISCSI_DIGEST_LEN + \
				 LOGIN_MAX_DSL + ISCSI_PAD_LEN + \
				 ISCSI_DIGEST_LEN)
#define TX_MAX			(ISCSI_BHS_LEN + 2 * ISCSI_DIGEST_LEN + \
				 DISC_MAX_XMIT_DSL + ISCSI_PAD_LEN)
#define TPGT			1	/* our only portal group */

/* A portal: numeric address and port */
struct portal {
	int family;			/* AF_INET or AF_INET6 */
	char addr[ISCSI_ADDR_LEN];	/* numeric, no brackets, no port */
	uint16_t port;
};

/* Shared by all connections of the daemon */
struct login_env {
	/* an ioctl of iscsi_scst.h: 0 or a negative errno */
	int (*kcall)(void *kctx, unsigned long req, void *arg);
	void *kctx;
	/* fill buf with unpredictable bytes: 0 or a negative errno */
	int (*random)(void *buf, size_t len);
	uint32_t kmax_dsl;		/* ISCSI_IOC_REGISTER results */
	uint32_t kmax_queued;
	/* specific (not wildcard) listening portals, for SendTargets */
	const struct portal *portals;
	int nportals;
	uint16_t next_disc_tsih;	/* TSIHs of discovery sessions */
};

enum iconn_phase {
	PH_LOGIN,
	PH_DISCOVERY,			/* full feature phase, discovery */
	PH_DONE,			/* closing or handed off */
};

/*
 * What the socket layer does after iconn_rx():
 * IA_CONTINUE    send tx, then keep reading;
 * IA_CLOSE       send tx (best effort), then close;
 * IA_LOGIN_DONE  stop reading; run ISCSI_IOC_LOGIN_DONE with
 *                iconn_login_done_arg(), then call login_done_complete();
 * IA_HANDOFF     the kernel owns the connection: send tx fully, close our
 *                descriptor, never read again.
 */
enum iconn_action {
	IA_CONTINUE,
	IA_CLOSE,
	IA_LOGIN_DONE,
	IA_HANDOFF,
};

enum auth_state {
	AUTH_START,		/* nothing negotiated yet */
	AUTH_CHAP_WAIT_A,	/* AuthMethod=CHAP answered, want CHAP_A */
	AUTH_CHAP_WAIT_R,	/* challenge sent, want CHAP_N/CHAP_R */
	AUTH_DONE,		/* None chosen or CHAP verified */
};

struct login_state {
	bool started;			/* first request seen */
	uint8_t isid[6];
	uint16_t tsih;
	uint16_t cid;
	uint32_t cmd_sn;
	uint32_t exp_stat_sn;		/* of the latest request */
	uint8_t ver_max, ver_min;
	int stage;			/* current stage (CSG) */
	bool discovery;
	bool rsp_sent;			/* a response with text was sent */
	char initiator[ISCSI_NAME_LEN];
	char alias[ISCSI_ALIAS_LEN];
	struct iscsi_ioc_target tgt;	/* tid 0 for discovery */
	uint64_t seen;			/* known keys received (bit/key) */
	struct neg neg;
	/* security */
	enum auth_state auth;
	bool chap_required;
	int chap_alg;
	uint8_t chap_id;
	uint8_t chap_chal[HASH_MAX_LEN];
	size_t chap_chal_len;
	char chap_user[ISCSI_CHAP_NAME_LEN];	/* who authenticated */
	/* response text still to send (split by the C bit) */
	size_t out_off;
	bool out_more;
	uint8_t final_flags;		/* T/CSG/NSG for the last part */
	/* end of a normal login, while ISCSI_IOC_LOGIN_DONE runs */
	bool ld_pending;
	struct iscsi_ioc_login_done ld;
	struct iscsi_login_req_hdr final_req;
	size_t final_off, final_len;	/* text of the final response */
};

struct disc_state {
	uint32_t exp_cmd_sn;
	uint32_t ttt;			/* of the sequence in progress */
	bool in_seq;			/* a Text sequence is in progress */
	bool out_more;			/* response text still to send */
	size_t out_off;
	uint32_t itt;
	uint32_t max_xmit;		/* initiator's MaxRecvDSL, capped */
};

struct iconn {
	struct login_env *env;
	int fd;
	struct portal local;		/* our end of the connection */
	char peer[ISCSI_ADDR_LEN + 8];	/* for logs */
	enum iconn_phase phase;
	uint32_t stat_sn;		/* of the next response */
	/* receive: exactly one PDU at a time */
	uint8_t rx[RX_BUF_LEN];
	uint32_t rx_len;
	uint32_t rx_want;		/* total of the current PDU, 0: BHS */
	bool hdigest, ddigest;		/* in effect (discovery FFP) */
	/* transmit */
	struct tbuf tx;
	size_t tx_off;
	/* text of the request / response in progress */
	struct tbuf in;
	struct tbuf out;
	struct login_state ls;
	struct disc_state ds;
};

/* pdu.c */
void iconn_init(struct iconn *c, struct login_env *env, int fd,
		const struct portal *local, const char *peer);
void iconn_free(struct iconn *c);
/* How many more bytes to read into c->rx + c->rx_len (always > 0) */
uint32_t iconn_rx_want(const struct iconn *c);
/* n bytes were read; processes a PDU once complete */
enum iconn_action iconn_rx(struct iconn *c, uint32_t n);
/* Bytes waiting in c->tx (from c->tx.buf + c->tx_off) */
size_t iconn_tx_pending(const struct iconn *c);
void iconn_tx_consumed(struct iconn *c, size_t n);
/*
 * Queue a PDU: bhs (48 bytes, its dlength is set here) and data; adds
 * padding and, in discovery FFP, the negotiated digests.
 */
int pdu_send(struct iconn *c, void *bhs, const void *data, uint32_t len);
const char *opcode_name(uint8_t op);

/* login.c */
enum iconn_action login_rx(struct iconn *c, const uint8_t *bhs,
			   const uint8_t *data, uint32_t dlen);
/* Send a failure Login Response for a frame that cannot be read */
enum iconn_action login_reject_frame(struct iconn *c, const uint8_t *bhs,
				     uint16_t status);
const char *login_status_str(uint16_t status);
/* The argument of the pending ISCSI_IOC_LOGIN_DONE (NULL if none) */
struct iscsi_ioc_login_done *iconn_login_done_arg(struct iconn *c);
/* err: the ioctl's result (0 or a negative errno) */
enum iconn_action login_done_complete(struct iconn *c, int err);

/* disc.c */
void disc_start(struct iconn *c);
enum iconn_action disc_rx(struct iconn *c, const uint8_t *bhs,
			  const uint8_t *data, uint32_t dlen);
/* Answer a PDU whose data digest is wrong */
enum iconn_action disc_digest_error(struct iconn *c, const uint8_t *bhs);
/* SendTargets=<value> text for this connection (appended to out) */
int disc_send_targets(struct iconn *c, const char *value, struct tbuf *out);
/* "addr:port" with IPv6 in brackets */
void portal_str(const struct portal *p, char *buf, size_t len);

#endif /* ISCSID_H */
