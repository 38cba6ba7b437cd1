/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interfaces of the management half of iscsi-scst.ko
 * (iscsi_main.c, ctldev.c, target.c, session.c).  The data path does not
 * include this file.
 *
 * Lock order: iscsi_mutex -> scst_mutex (the core's) -> iscsi_param_lock
 * -> iscsi_ev_lock (the last two are spinlocks).  Never hold iscsi_mutex
 * while calling scst_unregister_session() or scst_unregister_target(), or
 * while waiting for sessions to go away: session teardown needs it.
 * No sysfs show()/store() of ours takes iscsi_mutex, because the core
 * creates and removes our files (waiting for running callbacks) with its
 * scst_mutex held, or while we hold iscsi_mutex.
 */
#ifndef __ISCSI_MGMT_H
#define __ISCSI_MGMT_H

#include <linux/wait.h>
#include <linux/sysfs.h>
#include <linux/string.h>

#include "iscsi.h"

/* Bounded event queue of the control device */
#define ISCSI_EV_QUEUE_LEN	256

/* How long del_target/disable let initiators log out before cutting */
#define ISCSI_LOGOUT_GRACE	(5 * HZ)

/* One IncomingUser / OutgoingUser account or allowed_portal pattern */
enum iscsi_cfg_kind {
	ISCSI_CFG_INCOMING,
	ISCSI_CFG_OUTGOING,
	ISCSI_CFG_PORTAL,
	ISCSI_CFG_KINDS
};

/*
 * The sysfs file of an account or portal.  acc.user holds the user name
 * or the portal pattern, acc.secret the CHAP secret (NULL for portals).
 * The content never changes after creation, so show() needs no lock.
 */
struct iscsi_cfg_entry {
	struct iscsi_account acc;
	enum iscsi_cfg_kind kind;
	struct kobj_attribute kattr;
	char fname[32];			/* IncomingUser, IncomingUser1, ... */
};

/* Where a set of accounts/portals lives: the driver or one target */
struct iscsi_cfg_owner {
	struct list_head *lists[ISCSI_CFG_KINDS];	/* NULL: not allowed */
	struct kobject *kobj;		/* directory of the sysfs files */
	u32 tid;			/* 0 for the driver */
	const char *name;		/* for messages and events */
};

/* A NUL-terminated string in a fixed-size ABI field (empty if empty_ok) */
static inline bool iscsi_str_valid(const char *s, size_t size, bool empty_ok)
{
	size_t n = strnlen(s, size);

	return n < size && (empty_ok || n);
}

/* iscsi_main.c */
extern struct list_head iscsi_targets;	/* struct iscsi_target, sorted by tid */
extern bool iscsi_drv_enabled;		/* targets/iscsi/enabled */
extern struct list_head iscsi_drv_accounts[2];	/* in, out */
extern struct workqueue_struct *iscsi_mgmt_wq;
/* Woken whenever a session has been removed from its target */
extern wait_queue_head_t iscsi_sess_gone_wq;
extern unsigned long iscsi_sess_gone_seq;	/* under iscsi_mutex */

/* ctldev.c */
int iscsi_ctl_init(void);
void iscsi_ctl_exit(void);
bool iscsi_ctl_daemon_attached(void);

/* target.c */
extern spinlock_t iscsi_param_lock;
extern const struct attribute *iscsi_tgt_attrs[];
extern const char *iscsi_tgt_param_names[];
void iscsi_target_tables_init(void);
struct iscsi_target *iscsi_target_by_name_locked(const char *name);
struct iscsi_target *iscsi_target_next_locked(u32 tid);
ssize_t iscsi_add_target(const char *name, char *params);
ssize_t iscsi_del_target(const char *name);
int iscsi_enable_target(struct scst_tgt *scst_tgt, bool enable);
bool iscsi_is_target_enabled(struct scst_tgt *scst_tgt);
ssize_t iscsi_mgmt_cmd(char *cmd);
void iscsi_target_destroy_all(void);
void iscsi_drv_cfg_cleanup(void);
void iscsi_target_owner(struct iscsi_target *target,
			struct iscsi_cfg_owner *o);
void iscsi_drv_owner(struct iscsi_cfg_owner *o);
struct iscsi_account *iscsi_account_nth_locked(struct list_head *list,
						unsigned int n);
bool iscsi_portal_allowed_locked(struct iscsi_target *target,
				 const char *local_addr);
void iscsi_target_offer(struct iscsi_target *target, u32 *params);
bool iscsi_target_closed_wait(struct iscsi_target *target, long timeout);

/* session.c */
extern const struct attribute *iscsi_sess_attrs[];
void iscsi_session_tables_init(void);
int iscsi_login_done(struct iscsi_ioc_login_done *ld);
int iscsi_close_session(struct scst_session *scst_sess);
void iscsi_target_close_conns_locked(struct iscsi_target *target,
				     enum iscsi_close_how how);
int iscsi_get_transport_id(struct scst_tgt *tgt, struct scst_session *sess,
			   u8 **transport_id);

#endif /* __ISCSI_MGMT_H */
