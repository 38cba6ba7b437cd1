/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iscsi_scst.h - the interface between iscsi-scst.ko and iscsi-scstd.
 *
 * Design: the kernel owns all configuration and all sessions.  Targets,
 * their parameters, CHAP users and portal filters are created through
 * /sys/kernel/scst_tgt/targets/iscsi/... and live in the kernel; the daemon
 * reads them when it needs them (at every login and discovery), so it keeps
 * no state of its own and can be restarted at any time without touching
 * established sessions.
 *
 * The daemon opens ISCSI_SCST_CTL_DEV (CAP_SYS_ADMIN; one registered daemon
 * at a time), calls ISCSI_IOC_REGISTER, and then:
 *   - looks up targets, access rights and CHAP secrets with the GET ioctls;
 *   - after a successful login hands the connected socket to the kernel with
 *     ISCSI_IOC_LOGIN_DONE, which creates (or reinstates) the session and
 *     the connection and returns the TSIH the daemon puts into the final
 *     Login Response.  The kernel then owns the connection: it reads nothing
 *     more than the PDUs that follow the final Login Response;
 *   - read()s struct iscsi_event records (poll()able) telling it about
 *     configuration and session changes, for logging and bookkeeping only.
 *
 * All structures have fixed sizes and explicit padding so that a 64-bit
 * kernel and a 32-bit daemon agree; every string is NUL-terminated and the
 * kernel rejects unterminated ones with -EINVAL.
 */
#ifndef __ISCSI_SCST_H
#define __ISCSI_SCST_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define ISCSI_SCST_CTL_DEV		"/dev/iscsi-scst-ctl"
#define ISCSI_SCST_CTL_NAME		"iscsi-scst-ctl"
#define ISCSI_SCST_IFACE_VERSION	1

#define ISCSI_NAME_LEN			224	/* RFC 7143: at most 223 bytes */
#define ISCSI_ALIAS_LEN			256
#define ISCSI_CHAP_NAME_LEN		256
#define ISCSI_CHAP_SECRET_LEN		256
#define ISCSI_ADDR_LEN			64	/* textual IPv4/IPv6 address */

/*
 * Negotiated (and target-local) parameters, indices into params[] arrays.
 * Values are numbers; booleans are 0/1; digests use ISCSI_DIGEST_* bits.
 */
enum iscsi_param {
	/* session-wide keys negotiated at login */
	ISCSI_P_INITIAL_R2T,
	ISCSI_P_IMMEDIATE_DATA,
	ISCSI_P_MAX_BURST_LENGTH,
	ISCSI_P_FIRST_BURST_LENGTH,
	ISCSI_P_MAX_OUTSTANDING_R2T,
	ISCSI_P_DATA_PDU_IN_ORDER,
	ISCSI_P_DATA_SEQUENCE_IN_ORDER,
	ISCSI_P_ERROR_RECOVERY_LEVEL,
	ISCSI_P_MAX_CONNECTIONS,
	ISCSI_P_DEFAULT_TIME2WAIT,
	ISCSI_P_DEFAULT_TIME2RETAIN,
	/* connection keys */
	ISCSI_P_HEADER_DIGEST,
	ISCSI_P_DATA_DIGEST,
	/* what we may send: the initiator's MaxRecvDataSegmentLength */
	ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH,
	/* what we accept: our declared MaxRecvDataSegmentLength */
	ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH,
	/* target-local, not negotiated */
	ISCSI_P_QUEUED_COMMANDS,
	ISCSI_P_RSP_TIMEOUT,
	ISCSI_P_NOP_IN_INTERVAL,
	ISCSI_P_NOP_IN_TIMEOUT,
	ISCSI_P_MAX_SESSIONS,
	ISCSI_P_COUNT
};

/*
 * Digest values.  In a target's configured parameters the value is the set
 * of acceptable digests (bit mask); in negotiated parameters exactly one
 * bit is set.
 */
#define ISCSI_DIGEST_NONE		0x1
#define ISCSI_DIGEST_CRC32C		0x2

struct iscsi_ioc_register {
	__u32 version;			/* in: ISCSI_SCST_IFACE_VERSION */
	__u32 max_data_seg_len;		/* out: largest MaxRecvDSL we take */
	__u32 max_queued_cmds;		/* out: largest QueuedCommands */
	__u32 pad;
};

/*
 * One target.  ISCSI_IOC_TARGET_NEXT: in tid = 0 returns the first target,
 * otherwise the target with the smallest tid greater than the given one;
 * -ENOENT at the end.  ISCSI_IOC_TARGET_BY_NAME: in name.
 */
struct iscsi_ioc_target {
	__u32 tid;			/* in/out: target id, never 0 */
	__u32 enabled;			/* out: target enabled */
	__u32 drv_enabled;		/* out: targets/iscsi/enabled */
	__u32 pad;
	char name[ISCSI_NAME_LEN];	/* in/out */
	char alias[ISCSI_ALIAS_LEN];	/* out: TargetAlias, may be empty */
	__u32 params[ISCSI_P_COUNT];	/* out: configured (offer) values */
};

/*
 * May initiator connect to target tid (tid 0: discovery session) through
 * the local address local_addr?  Returns 0 or a negative errno:
 *   -ENOENT target gone; -ENODEV driver or target disabled;
 *   -EACCES allowed_portal does not match local_addr, or the initiator
 *           would see no LUN (no initiator group matches it and the target
 *           has no default LUNs).
 */
struct iscsi_ioc_access {
	__u32 tid;
	__u32 pad;
	char initiator[ISCSI_NAME_LEN];
	char local_addr[ISCSI_ADDR_LEN];	/* numeric, no port */
};

/*
 * CHAP accounts.  tid 0 selects the driver-level (discovery) accounts.
 * dir is ISCSI_AUTH_INCOMING (initiator authenticates to us) or
 * ISCSI_AUTH_OUTGOING (mutual CHAP: we authenticate to the initiator).
 * index enumerates accounts 0, 1, ... until -ENOENT.
 */
#define ISCSI_AUTH_INCOMING		0
#define ISCSI_AUTH_OUTGOING		1

struct iscsi_ioc_auth {
	__u32 tid;
	__u32 dir;
	__u32 index;
	__u32 pad;
	char user[ISCSI_CHAP_NAME_LEN];		/* out */
	char secret[ISCSI_CHAP_SECRET_LEN];	/* out */
};

/*
 * Hand a logged-in connection to the kernel.
 *
 * tsih == 0: a new session.  If the target already has a session with the
 * same initiator name and ISID, it is reinstated: its connections are
 * closed, its tasks aborted, and only when they can no longer execute is
 * the new session created (RFC 7143 6.3.5).  MaxSessions is enforced here
 * (-EBUSY).
 *
 * tsih != 0: a connection for an existing session (-ENOENT if there is
 * none).  With MaxConnections 1 only connection reinstatement is possible:
 * same cid as the existing connection; otherwise -EBUSY.
 *
 * fd is the connected TCP socket; the kernel takes its own reference, so
 * the daemon closes its descriptor after sending the final Login Response.
 * exp_cmd_sn is the CmdSN of the last Login Request (the first CmdSN of
 * full feature phase); stat_sn is the StatSN the kernel uses for its first
 * response, i.e. one more than the final Login Response's StatSN.
 */
struct iscsi_ioc_login_done {
	__u32 tid;
	__s32 fd;
	__u8 isid[6];
	__u16 tsih;			/* in: 0 or existing; out: session's */
	__u16 cid;
	__u16 pad;
	__u32 exp_cmd_sn;
	__u32 stat_sn;
	__u32 exp_stat_sn;
	__u32 pad2;
	char initiator[ISCSI_NAME_LEN];
	char initiator_alias[ISCSI_ALIAS_LEN];
	__u32 params[ISCSI_P_COUNT];	/* negotiated values */
};

#define ISCSI_IOC_MAGIC			'i'
#define ISCSI_IOC_REGISTER	_IOWR(ISCSI_IOC_MAGIC, 0, struct iscsi_ioc_register)
#define ISCSI_IOC_TARGET_NEXT	_IOWR(ISCSI_IOC_MAGIC, 1, struct iscsi_ioc_target)
#define ISCSI_IOC_TARGET_BY_NAME _IOWR(ISCSI_IOC_MAGIC, 2, struct iscsi_ioc_target)
#define ISCSI_IOC_ACCESS	_IOW(ISCSI_IOC_MAGIC, 3, struct iscsi_ioc_access)
#define ISCSI_IOC_AUTH		_IOWR(ISCSI_IOC_MAGIC, 4, struct iscsi_ioc_auth)
#define ISCSI_IOC_LOGIN_DONE	_IOWR(ISCSI_IOC_MAGIC, 5, struct iscsi_ioc_login_done)

/*
 * Events, read() from the control device in whole records (a short buffer
 * gets -EINVAL).  The queue is bounded; on overflow the oldest events are
 * dropped and the next record read has ISCSI_EV_OVERFLOW set in flags.
 */
enum iscsi_event_code {
	ISCSI_EV_TARGET_ADDED = 1,
	ISCSI_EV_TARGET_REMOVED,
	ISCSI_EV_TARGET_CHANGED,	/* enabled or parameters changed */
	ISCSI_EV_SESSION_ADDED,
	ISCSI_EV_SESSION_REMOVED,
	ISCSI_EV_CONN_CLOSED,
};

#define ISCSI_EV_OVERFLOW		0x1

struct iscsi_event {
	__u32 code;			/* enum iscsi_event_code */
	__u32 flags;
	__u32 tid;
	__u16 tsih;
	__u16 cid;
	char name[ISCSI_NAME_LEN];	/* target or initiator name */
};

#endif /* __ISCSI_SCST_H */
