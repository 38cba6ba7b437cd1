/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iscsi.h - internals of iscsi-scst.ko.
 *
 * Two halves meet here:
 *
 *  - the management half (iscsi_main.c, ctldev.c, target.c, session.c):
 *    module init, the SCST target template, targets and their parameters,
 *    CHAP accounts and portal filters, sysfs, the control device used by
 *    iscsi-scstd, session/connection creation, reinstatement and teardown;
 *
 *  - the data path (nthread.c, iscsi.c, digest.c): per-connection receive
 *    and transmit, every full-feature-phase PDU, the SCST callbacks that move
 *    data and responses, task management, NOP-In pings, logout.
 *
 * Locking:
 *  - iscsi_mutex (management half) protects the target list, each target's
 *    session list, each session's connection list and all configuration.
 *    The data path never takes it.
 *  - session->sn_lock protects the command numbering of a session
 *    (exp_cmd_sn, max_cmd_sn); the data path owns these fields.
 *  - Everything inside struct iscsi_conn_io is private to the data path.
 *
 * Lifetime: a connection is created by the management half (LOGIN_DONE),
 * started with iscsi_conn_io_start(), and ends when the data path calls
 * iscsi_conn_closed() (exactly once per connection).  The management half
 * then, from a work item, unlinks the connection, unregisters the SCST
 * session if it was the last connection (ERL 0: no connection recovery),
 * calls iscsi_conn_io_release() and frees the connection.
 */
#ifndef __ISCSI_H
#define __ISCSI_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/kobject.h>
#include <linux/net.h>
#include <linux/workqueue.h>
#include <linux/completion.h>

#include <scst.h>
#include "../include/iscsi_proto.h"
#include "../include/iscsi_scst.h"

#define ISCSI_DRV_NAME		"iscsi"
#define ISCSI_VERSION_STRING	SCST_VERSION_STRING

/*
 * Largest data segment we accept or send, and largest QueuedCommands.  Data
 * segments are received straight into command buffers, so the limit only
 * bounds the per-PDU bookkeeping.
 */
#define ISCSI_MAX_DATA_SEG_LEN	(1024 * 1024)
#define ISCSI_MAX_QUEUED_CMDS	2048

extern struct mutex iscsi_mutex;
extern struct scst_tgt_template iscsi_template;

/* ------------------------------------------------------------------ */
/* Management half                                                     */
/* ------------------------------------------------------------------ */

/* A CHAP account (IncomingUser / OutgoingUser) */
struct iscsi_account {
	struct list_head entry;
	char *user;
	char *secret;
};

struct iscsi_target {
	struct scst_tgt *scst_tgt;
	u32 tid;
	char name[ISCSI_NAME_LEN];
	struct list_head target_list_entry;	/* in the global list */
	struct list_head session_list;		/* struct iscsi_session */
	bool enabled;
	/* configured values; digests are ISCSI_DIGEST_* masks */
	u32 params[ISCSI_P_COUNT];
	/* which params were set by the admin (sysfs [key] mark) */
	unsigned long params_set;
	/* the text written for HeaderDigest/DataDigest, for read-back */
	char digest_text[2][32];
	struct list_head incoming_users;	/* struct iscsi_account */
	struct list_head outgoing_users;	/* at most one */
	struct list_head allowed_portals;	/* struct iscsi_account .user */
	struct list_head attr_list;		/* management-private */
	u16 next_tsih;
};

struct iscsi_session {
	struct iscsi_target *target;
	struct scst_session *scst_sess;
	struct list_head session_list_entry;	/* in target->session_list */
	struct list_head conn_list;		/* struct iscsi_conn */
	char *initiator_name;
	char *initiator_alias;
	u8 isid[6];
	u16 tsih;
	u64 sid;				/* (isid << 16) | tsih */
	/* negotiated values; digests hold exactly one ISCSI_DIGEST_* bit */
	u32 params[ISCSI_P_COUNT];
	bool reinstating;			/* replacing an older session */
	bool closing;				/* no new connections */

	/* command numbering, owned by the data path, under sn_lock */
	spinlock_t sn_lock;
	u32 exp_cmd_sn;
	u32 max_cmd_sn;
	int cmds_in_window;			/* commands holding a slot */

	/* management-private */
	struct kobject *conns_kobj_unused;
	struct completion *unreg_done;
};

enum iscsi_conn_state {
	ISCSI_CONN_ACTIVE,			/* full feature phase */
	ISCSI_CONN_CLOSING,			/* close requested */
	ISCSI_CONN_CLOSED,			/* iscsi_conn_closed() called */
};

/* How the management half asks the data path to end a connection */
enum iscsi_close_how {
	/* drop the TCP connection now (force_close, reinstatement, rmmod) */
	ISCSI_CLOSE_NOW,
	/*
	 * Ask the initiator to log out (Async Message, event 1) and drop the
	 * connection if it has not done so within a few seconds (target
	 * disable, del_target).
	 */
	ISCSI_CLOSE_LOGOUT_REQUEST,
};

struct iscsi_conn_io;

struct iscsi_conn {
	struct iscsi_session *session;
	struct list_head conn_list_entry;	/* in session->conn_list */
	u16 cid;
	struct socket *sock;
	struct file *file;			/* holds the socket */
	char peer_addr[ISCSI_ADDR_LEN];		/* numeric, no port */
	char local_addr[ISCSI_ADDR_LEN];
	/* initial numbering handed over by the daemon */
	u32 stat_sn;
	u32 exp_stat_sn;
	/* negotiated connection values (copy of the session's) */
	bool hdigest;				/* CRC32C header digest */
	bool ddigest;				/* CRC32C data digest */
	u32 max_xmit_dsl;			/* initiator's MaxRecvDSL */
	u32 max_recv_dsl;			/* ours */
	/* written by the data path, read by sysfs */
	int state;				/* enum iscsi_conn_state */

	/* data path state, allocated by iscsi_conn_io_start() */
	struct iscsi_conn_io *io;

	/* management-private */
	struct kobject conn_kobj;
	bool kobj_added;
	struct work_struct release_work;
	struct completion *released;
};

/* iscsi_main.c / target.c / session.c / ctldev.c */
struct iscsi_target *iscsi_target_lookup_locked(u32 tid);
void iscsi_post_event(u32 code, u32 tid, u16 tsih, u16 cid,
		      const char *name);
/*
 * Called by the data path, exactly once per connection, when the
 * connection is finished (EOF, socket error, protocol error, logout done,
 * or after iscsi_conn_close()).  Any context that may sleep, including the
 * connection's own threads; teardown runs in a work item.
 */
void iscsi_conn_closed(struct iscsi_conn *conn);

/* ------------------------------------------------------------------ */
/* Data path                                                           */
/* ------------------------------------------------------------------ */

int iscsi_dp_init(void);
void iscsi_dp_exit(void);

/*
 * Start full feature phase on conn: conn->session, sock, file, numbering
 * and negotiated values are filled in.  Allocates conn->io and starts the
 * receive and transmit machinery.  Returns 0 or a negative errno (nothing
 * started, conn->io NULL).
 */
int iscsi_conn_io_start(struct iscsi_conn *conn);

/* Ask the data path to end conn (asynchronous; see iscsi_conn_closed()) */
void iscsi_conn_close(struct iscsi_conn *conn, enum iscsi_close_how how);

/*
 * Free the data path state of a closed connection: stops its threads,
 * completes or drops every PDU and command it still holds (commands are
 * released to SCST with scst_tgt_cmd_done()).  Process context, never from
 * the connection's own threads.  Safe if conn->io is NULL.
 */
void iscsi_conn_io_release(struct iscsi_conn *conn);

/* Receive/transmit thread pids for the session's thread_pid attribute */
void iscsi_conn_thread_pids(struct iscsi_conn *conn, pid_t *rx, pid_t *tx);

/* SCST target template callbacks (iscsi.c) */
int iscsi_xmit_response(struct scst_cmd *cmd);
int iscsi_rdy_to_xfer(struct scst_cmd *cmd);
void iscsi_on_free_cmd(struct scst_cmd *cmd);
void iscsi_task_mgmt_fn_done(struct scst_mgmt_cmd *mcmd);
void iscsi_on_abort_cmd(struct scst_cmd *cmd);

#endif /* __ISCSI_H */
