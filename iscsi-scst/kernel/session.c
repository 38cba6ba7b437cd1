// SPDX-License-Identifier: GPL-2.0
/*
 * iSCSI sessions and connections: creation at the end of a
 * login (ISCSI_IOC_LOGIN_DONE), session reinstatement, teardown after the
 * data path is done with a connection, and their sysfs attributes.
 *
 * We run at ErrorRecoveryLevel 0 with MaxConnections 1, so a session has
 * exactly one connection and ends with it (RFC 7143 7.1.1: no connection
 * recovery).  A session stays in its target's session_list until its
 * SCST session is unregistered, i.e. until none of its tasks can execute
 * any more; reinstatement, del_target and module unload wait for that.
 *
 * Teardown (a work item, after the data path called iscsi_conn_closed()):
 *   1. unlink the connection (iscsi_mutex) and remove its sysfs directory,
 *      which must go before the session's directory it lives in;
 *   2. scst_unregister_session() (no iscsi_mutex: it waits for every
 *      command, whose release may need the data path);
 *   3. iscsi_conn_io_release(), drop the socket, free the connection;
 *   4. unlink and free the session, wake up whoever waits for it.
 */
#define pr_fmt(fmt) "iscsi-scst: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/net.h>
#include <linux/file.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kernfs.h>
#include <linux/socket.h>
#include <net/sock.h>
#include <net/ipv6.h>
#include <net/tcp_states.h>
#include <scsi/scsi_proto.h>
#include <asm/unaligned.h>

#include "mgmt.h"

/* What we keep per session beyond the struct the data path sees */
struct iscsi_session_priv {
	struct iscsi_session sess;
	/*
	 * Threads of the session's connection, for the thread_pid attribute,
	 * whose show() must not take iscsi_mutex: the core may wait for it
	 * while we hold the mutex (failure path of scst_register_session()).
	 */
	pid_t rx_pid, tx_pid;
};

static struct iscsi_session_priv *iscsi_sess_priv(struct iscsi_session *sess)
{
	return container_of(sess, struct iscsi_session_priv, sess);
}

/* ------------------------------------------------------------------
 * Negotiated parameters handed over by the daemon
 */

struct iscsi_neg_rule {
	const char *key;
	enum iscsi_param idx;
	u32 min, max;
};

/* What we can run with; anything else is a daemon bug */
static const struct iscsi_neg_rule iscsi_neg_rules[] = {
	{ "InitialR2T", ISCSI_P_INITIAL_R2T, 0, 1 },
	{ "ImmediateData", ISCSI_P_IMMEDIATE_DATA, 0, 1 },
	{ "MaxBurstLength", ISCSI_P_MAX_BURST_LENGTH, 512,
	  ISCSI_MAX_DATA_SEG_LEN },
	{ "FirstBurstLength", ISCSI_P_FIRST_BURST_LENGTH, 512,
	  ISCSI_MAX_DATA_SEG_LEN },
	{ "MaxOutstandingR2T", ISCSI_P_MAX_OUTSTANDING_R2T, 1, 65535 },
	{ "DataPDUInOrder", ISCSI_P_DATA_PDU_IN_ORDER, 0, 1 },
	{ "DataSequenceInOrder", ISCSI_P_DATA_SEQUENCE_IN_ORDER, 0, 1 },
	{ "ErrorRecoveryLevel", ISCSI_P_ERROR_RECOVERY_LEVEL, 0, 0 },
	{ "MaxConnections", ISCSI_P_MAX_CONNECTIONS, 1, 1 },
	{ "DefaultTime2Wait", ISCSI_P_DEFAULT_TIME2WAIT, 0, 3600 },
	{ "DefaultTime2Retain", ISCSI_P_DEFAULT_TIME2RETAIN, 0, 3600 },
	{ "HeaderDigest", ISCSI_P_HEADER_DIGEST, ISCSI_DIGEST_NONE,
	  ISCSI_DIGEST_CRC32C },
	{ "DataDigest", ISCSI_P_DATA_DIGEST, ISCSI_DIGEST_NONE,
	  ISCSI_DIGEST_CRC32C },
	/* the initiator's MaxRecvDataSegmentLength */
	{ "MaxXmitDataSegmentLength", ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH,
	  512, ISCSI_MAX_DSL_WIRE },
	/* ours, as declared to the initiator */
	{ "MaxRecvDataSegmentLength", ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH,
	  512, ISCSI_MAX_DATA_SEG_LEN },
};

/* Target-local values the kernel owns: taken from the target, not the daemon */
static const enum iscsi_param iscsi_local_params[] = {
	ISCSI_P_QUEUED_COMMANDS,
	ISCSI_P_RSP_TIMEOUT,
	ISCSI_P_NOP_IN_INTERVAL,
	ISCSI_P_NOP_IN_TIMEOUT,
	ISCSI_P_MAX_SESSIONS,
};

static int iscsi_session_params(struct iscsi_target *t,
				const struct iscsi_ioc_login_done *ld, u32 *p)
{
	const struct iscsi_neg_rule *r;
	u32 tp[ISCSI_P_COUNT];
	unsigned int i;

	iscsi_target_offer(t, tp);

	memcpy(p, ld->params, sizeof(ld->params));
	for (i = 0; i < ARRAY_SIZE(iscsi_neg_rules); i++) {
		r = &iscsi_neg_rules[i];
		if (p[r->idx] < r->min || p[r->idx] > r->max)
			goto bad;
		/* exactly one digest: NONE or CRC32C, not the mask of both */
		if ((r->idx == ISCSI_P_HEADER_DIGEST ||
		     r->idx == ISCSI_P_DATA_DIGEST) &&
		    p[r->idx] == (ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C))
			goto bad;
	}
	if (p[ISCSI_P_FIRST_BURST_LENGTH] > p[ISCSI_P_MAX_BURST_LENGTH]) {
		pr_err("login of %s to %s: FirstBurstLength %u > MaxBurstLength %u\n",
		       ld->initiator, t->name, p[ISCSI_P_FIRST_BURST_LENGTH],
		       p[ISCSI_P_MAX_BURST_LENGTH]);
		return -EINVAL;
	}
	/* A declarative limit: we may always send less than allowed */
	p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] =
		min(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH],
		    tp[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH]);
	for (i = 0; i < ARRAY_SIZE(iscsi_local_params); i++)
		p[iscsi_local_params[i]] = tp[iscsi_local_params[i]];
	return 0;
bad:
	pr_err("login of %s to %s: invalid negotiated %s %u\n", ld->initiator,
	       t->name, r->key, p[r->idx]);
	return -EINVAL;
}

/* ------------------------------------------------------------------
 * Sessions: sysfs attributes (targets/iscsi/<tgt>/sessions/<ini>/)
 */

enum iscsi_sattr_type { ISCSI_SA_BOOL, ISCSI_SA_NUM, ISCSI_SA_DIGEST };

struct iscsi_sess_param_attr {
	struct kobj_attribute kattr;
	enum iscsi_param idx;
	enum iscsi_sattr_type type;
};

/*
 * The core removes these files in scst_unregister_session(), before we
 * free the session, and sets tgt_priv before creating them.  Their show()
 * functions take no lock (see struct iscsi_session_priv) and read values
 * that never change or single words.
 */
static struct iscsi_session *iscsi_kobj_session(struct kobject *kobj)
{
	return scst_sess_get_tgt_priv(container_of(kobj, struct scst_session,
						   sess_kobj));
}

static ssize_t iscsi_sess_param_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	const struct iscsi_sess_param_attr *pa =
		container_of(attr, struct iscsi_sess_param_attr, kattr);
	u32 v = iscsi_kobj_session(kobj)->params[pa->idx];

	switch (pa->type) {
	case ISCSI_SA_BOOL:
		return sysfs_emit(buf, "%s\n", v ? "Yes" : "No");
	case ISCSI_SA_DIGEST:
		return sysfs_emit(buf, "%s\n", v == ISCSI_DIGEST_CRC32C ?
				  "CRC32C" : "None");
	default:
		return sysfs_emit(buf, "%u\n", v);
	}
}

#define ISCSI_SESS_PARAM(_key, _idx, _type) {				\
	.kattr = __ATTR(_key, 0444, iscsi_sess_param_show, NULL),	\
	.idx = (_idx), .type = (_type) }

static const struct iscsi_sess_param_attr iscsi_sess_params[] = {
	ISCSI_SESS_PARAM(InitialR2T, ISCSI_P_INITIAL_R2T, ISCSI_SA_BOOL),
	ISCSI_SESS_PARAM(ImmediateData, ISCSI_P_IMMEDIATE_DATA,
			 ISCSI_SA_BOOL),
	ISCSI_SESS_PARAM(MaxRecvDataSegmentLength,
			 ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH, ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(MaxXmitDataSegmentLength,
			 ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH, ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(MaxBurstLength, ISCSI_P_MAX_BURST_LENGTH,
			 ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(FirstBurstLength, ISCSI_P_FIRST_BURST_LENGTH,
			 ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(MaxOutstandingR2T, ISCSI_P_MAX_OUTSTANDING_R2T,
			 ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(HeaderDigest, ISCSI_P_HEADER_DIGEST,
			 ISCSI_SA_DIGEST),
	ISCSI_SESS_PARAM(DataDigest, ISCSI_P_DATA_DIGEST, ISCSI_SA_DIGEST),
	ISCSI_SESS_PARAM(QueuedCommands, ISCSI_P_QUEUED_COMMANDS,
			 ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(RspTimeout, ISCSI_P_RSP_TIMEOUT, ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(NopInInterval, ISCSI_P_NOP_IN_INTERVAL,
			 ISCSI_SA_NUM),
	ISCSI_SESS_PARAM(NopInTimeout, ISCSI_P_NOP_IN_TIMEOUT, ISCSI_SA_NUM),
};

static ssize_t iscsi_sess_sid_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llx\n", iscsi_kobj_session(kobj)->sid);
}

static ssize_t iscsi_sess_reinstating_show(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(iscsi_kobj_session(kobj)->reinstating));
}

/* "<receive thread pid> <transmit thread pid>" of the connection */
static ssize_t iscsi_sess_thread_pid_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	struct iscsi_session_priv *priv =
		iscsi_sess_priv(iscsi_kobj_session(kobj));

	return sysfs_emit(buf, "%d %d\n", READ_ONCE(priv->rx_pid),
			  READ_ONCE(priv->tx_pid));
}

static const struct kobj_attribute iscsi_sess_sid_attr =
	__ATTR(sid, 0444, iscsi_sess_sid_show, NULL);
static const struct kobj_attribute iscsi_sess_reinstating_attr =
	__ATTR(reinstating, 0444, iscsi_sess_reinstating_show, NULL);
static const struct kobj_attribute iscsi_sess_thread_pid_attr =
	__ATTR(thread_pid, 0444, iscsi_sess_thread_pid_show, NULL);

const struct attribute *iscsi_sess_attrs[ARRAY_SIZE(iscsi_sess_params) + 4];

void iscsi_session_tables_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(iscsi_sess_params); i++)
		iscsi_sess_attrs[i] = &iscsi_sess_params[i].kattr.attr;
	iscsi_sess_attrs[i++] = &iscsi_sess_sid_attr.attr;
	iscsi_sess_attrs[i++] = &iscsi_sess_reinstating_attr.attr;
	iscsi_sess_attrs[i++] = &iscsi_sess_thread_pid_attr.attr;
	iscsi_sess_attrs[i] = NULL;
}

/* ------------------------------------------------------------------
 * Connections: sysfs directory <session>/<peer IP>/
 */

static struct iscsi_conn *iscsi_kobj_conn(struct kobject *kobj)
{
	return container_of(kobj, struct iscsi_conn, conn_kobj);
}

static ssize_t iscsi_conn_cid_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", iscsi_kobj_conn(kobj)->cid);
}

static ssize_t iscsi_conn_ip_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", iscsi_kobj_conn(kobj)->peer_addr);
}

static ssize_t iscsi_conn_target_ip_show(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%s\n", iscsi_kobj_conn(kobj)->local_addr);
}

static ssize_t iscsi_conn_state_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	int state = READ_ONCE(iscsi_kobj_conn(kobj)->state);

	return sysfs_emit(buf, "%s\n", state == ISCSI_CONN_ACTIVE ?
			  "established" : "closing");
}

static struct kobj_attribute iscsi_conn_cid_attr =
	__ATTR(cid, 0444, iscsi_conn_cid_show, NULL);
static struct kobj_attribute iscsi_conn_ip_attr =
	__ATTR(ip, 0444, iscsi_conn_ip_show, NULL);
static struct kobj_attribute iscsi_conn_target_ip_attr =
	__ATTR(target_ip, 0444, iscsi_conn_target_ip_show, NULL);
static struct kobj_attribute iscsi_conn_state_attr =
	__ATTR(state, 0444, iscsi_conn_state_show, NULL);

static struct attribute *iscsi_conn_attrs[] = {
	&iscsi_conn_cid_attr.attr,
	&iscsi_conn_ip_attr.attr,
	&iscsi_conn_target_ip_attr.attr,
	&iscsi_conn_state_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(iscsi_conn);

/* The last reference to a connection frees it */
static void iscsi_conn_kobj_release(struct kobject *kobj)
{
	kfree(iscsi_kobj_conn(kobj));
}

static const struct kobj_type iscsi_conn_ktype = {
	.release	= iscsi_conn_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= iscsi_conn_groups,
};

/* Named by the peer address; a suffix if that name is taken */
static int iscsi_conn_sysfs_add(struct iscsi_conn *conn)
{
	struct kobject *parent = &conn->session->scst_sess->sess_kobj;
	char name[ISCSI_ADDR_LEN + 8];
	struct kernfs_node *kn;
	unsigned int i;
	int rc;

	for (i = 0; ; i++) {
		if (i)
			snprintf(name, sizeof(name), "%s_%u", conn->peer_addr,
				 i);
		else
			strscpy(name, conn->peer_addr, sizeof(name));
		kn = kernfs_find_and_get(parent->sd, name);
		if (!kn)
			break;
		kernfs_put(kn);
	}
	rc = kobject_add(&conn->conn_kobj, parent, "%s", name);
	if (rc) {
		pr_err("cannot create the sysfs directory of connection %s: %d\n",
		       name, rc);
		return rc;
	}
	conn->kobj_added = true;
	return 0;
}

static void iscsi_conn_sysfs_del(struct iscsi_conn *conn)
{
	if (conn->kobj_added) {
		/* Drops the reference on the session's kobject */
		kobject_del(&conn->conn_kobj);
		conn->kobj_added = false;
	}
}

/* ------------------------------------------------------------------
 * Connections: creation and teardown
 */

/* Numeric address without port; IPv4-mapped IPv6 shown as IPv4 */
static int iscsi_sock_addr(struct socket *sock, bool peer, char *buf,
			   size_t len)
{
	struct sockaddr_storage ss = { };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	int rc;

	rc = peer ? kernel_getpeername(sock, (struct sockaddr *)&ss) :
		    kernel_getsockname(sock, (struct sockaddr *)&ss);
	if (rc < 0)
		return rc;
	switch (ss.ss_family) {
	case AF_INET:
		snprintf(buf, len, "%pI4", &s4->sin_addr);
		return 0;
	case AF_INET6:
		if (ipv6_addr_v4mapped(&s6->sin6_addr))
			snprintf(buf, len, "%pI4", &s6->sin6_addr.s6_addr32[3]);
		else
			snprintf(buf, len, "%pI6c", &s6->sin6_addr);
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
}

/* The connected TCP socket behind fd, with a file reference */
static struct socket *iscsi_get_socket(int fd, int *err)
{
	struct socket *sock;
	struct sock *sk;

	sock = sockfd_lookup(fd, err);
	if (!sock)
		return NULL;
	sk = sock->sk;
	if (sock->type != SOCK_STREAM || !sk ||
	    sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		pr_err("login: fd %d is not a TCP socket\n", fd);
		*err = -EINVAL;
		goto put;
	}
	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED) {
		pr_err("login: socket fd %d is not connected\n", fd);
		*err = -ENOTCONN;
		goto put;
	}
	return sock;
put:
	sockfd_put(sock);
	return NULL;
}

static void iscsi_conn_teardown(struct work_struct *work);

/* Takes over the socket reference, also on failure */
static struct iscsi_conn *iscsi_conn_alloc(struct socket *sock,
					   const struct iscsi_ioc_login_done *ld,
					   int *err)
{
	struct iscsi_conn *conn;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn) {
		sockfd_put(sock);
		*err = -ENOMEM;
		return NULL;
	}
	kobject_init(&conn->conn_kobj, &iscsi_conn_ktype);
	INIT_LIST_HEAD(&conn->conn_list_entry);
	INIT_WORK(&conn->release_work, iscsi_conn_teardown);
	conn->sock = sock;
	conn->file = sock->file;
	conn->cid = ld->cid;
	conn->stat_sn = ld->stat_sn;
	conn->exp_stat_sn = ld->exp_stat_sn;
	conn->state = ISCSI_CONN_ACTIVE;
	*err = iscsi_sock_addr(sock, true, conn->peer_addr,
			       sizeof(conn->peer_addr));
	if (!*err)
		*err = iscsi_sock_addr(sock, false, conn->local_addr,
				       sizeof(conn->local_addr));
	if (*err) {
		pr_err("login: cannot get the addresses of socket fd %d: %d\n",
		       ld->fd, *err);
		fput(conn->file);
		kobject_put(&conn->conn_kobj);
		return NULL;
	}
	return conn;
}

/* A connection that never reached the data path */
static void iscsi_conn_discard(struct iscsi_conn *conn)
{
	fput(conn->file);
	kobject_put(&conn->conn_kobj);
}

static bool iscsi_sock_in_use_locked(struct socket *sock)
{
	struct iscsi_session *sess;
	struct iscsi_conn *conn;
	struct iscsi_target *t;

	list_for_each_entry(t, &iscsi_targets, target_list_entry)
		list_for_each_entry(sess, &t->session_list, session_list_entry)
			list_for_each_entry(conn, &sess->conn_list,
					    conn_list_entry)
				if (conn->sock == sock)
					return true;
	return false;
}

/* Link conn to sess and hand it to the data path */
static int iscsi_conn_start_locked(struct iscsi_session *sess,
				   struct iscsi_conn *conn)
{
	pid_t rx = 0, tx = 0;
	int rc;

	lockdep_assert_held(&iscsi_mutex);
	conn->session = sess;
	conn->hdigest = sess->params[ISCSI_P_HEADER_DIGEST] ==
			ISCSI_DIGEST_CRC32C;
	conn->ddigest = sess->params[ISCSI_P_DATA_DIGEST] ==
			ISCSI_DIGEST_CRC32C;
	conn->max_xmit_dsl = sess->params[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH];
	conn->max_recv_dsl = sess->params[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH];
	rc = iscsi_conn_sysfs_add(conn);
	if (rc)
		return rc;
	list_add_tail(&conn->conn_list_entry, &sess->conn_list);
	rc = iscsi_conn_io_start(conn);
	if (rc) {
		pr_err("cannot start connection %u of %s: %d\n", conn->cid,
		       sess->initiator_name, rc);
		list_del_init(&conn->conn_list_entry);
		iscsi_conn_sysfs_del(conn);
		return rc;
	}
	iscsi_conn_thread_pids(conn, &rx, &tx);
	WRITE_ONCE(iscsi_sess_priv(sess)->rx_pid, rx);
	WRITE_ONCE(iscsi_sess_priv(sess)->tx_pid, tx);
	return 0;
}

void iscsi_conn_closed(struct iscsi_conn *conn)
{
	/* The data path may hold its own locks here: defer everything */
	queue_work(iscsi_mgmt_wq, &conn->release_work);
}

static void iscsi_session_free(struct iscsi_session *sess)
{
	kfree(sess->initiator_name);
	kfree(sess->initiator_alias);
	kfree(iscsi_sess_priv(sess));
}

/* Step 4 of the teardown: the session is gone for everybody */
static void iscsi_session_remove(struct iscsi_session *sess)
{
	mutex_lock(&iscsi_mutex);
	iscsi_post_event(ISCSI_EV_SESSION_REMOVED, sess->target->tid,
			 sess->tsih, 0, sess->initiator_name);
	/*
	 * del_target may see the list empty as soon as we unlink (it checks
	 * without the mutex) and free the target: no access to it after this.
	 */
	list_del_init(&sess->session_list_entry);
	iscsi_sess_gone_seq++;
	mutex_unlock(&iscsi_mutex);
	wake_up_all(&iscsi_sess_gone_wq);
	pr_info("session %llx of %s removed\n", sess->sid,
		sess->initiator_name);
	iscsi_session_free(sess);
}

static void iscsi_conn_teardown(struct work_struct *work)
{
	struct iscsi_conn *conn = container_of(work, struct iscsi_conn,
					       release_work);
	struct iscsi_session *sess = conn->session;
	bool last;

	mutex_lock(&iscsi_mutex);
	list_del_init(&conn->conn_list_entry);
	last = list_empty(&sess->conn_list);
	if (last)
		sess->closing = true;
	iscsi_post_event(ISCSI_EV_CONN_CLOSED, sess->target->tid, sess->tsih,
			 conn->cid, sess->initiator_name);
	mutex_unlock(&iscsi_mutex);

	iscsi_conn_sysfs_del(conn);
	if (last)
		scst_unregister_session(sess->scst_sess);
	iscsi_conn_io_release(conn);
	fput(conn->file);
	kobject_put(&conn->conn_kobj);
	if (last)
		iscsi_session_remove(sess);
}

static void iscsi_session_close_conns_locked(struct iscsi_session *sess,
					     enum iscsi_close_how how)
{
	struct iscsi_conn *conn;

	lockdep_assert_held(&iscsi_mutex);
	sess->closing = true;
	list_for_each_entry(conn, &sess->conn_list, conn_list_entry)
		iscsi_conn_close(conn, how);
}

void iscsi_target_close_conns_locked(struct iscsi_target *t,
				     enum iscsi_close_how how)
{
	struct iscsi_session *sess;

	lockdep_assert_held(&iscsi_mutex);
	list_for_each_entry(sess, &t->session_list, session_list_entry)
		iscsi_session_close_conns_locked(sess, how);
}

/* sessions/<s>/force_close */
int iscsi_close_session(struct scst_session *scst_sess)
{
	struct iscsi_target *t = scst_tgt_get_tgt_priv(scst_sess->tgt);
	struct iscsi_session *sess;
	int rc = -ENOENT;

	/* The core holds scst_sess and keeps the target for the duration */
	mutex_lock(&iscsi_mutex);
	list_for_each_entry(sess, &t->session_list, session_list_entry)
		if (sess->scst_sess == scst_sess) {
			pr_info("closing session %llx of %s on request\n",
				sess->sid, sess->initiator_name);
			iscsi_session_close_conns_locked(sess, ISCSI_CLOSE_NOW);
			rc = 0;
			break;
		}
	mutex_unlock(&iscsi_mutex);
	return rc;
}

/* ------------------------------------------------------------------
 * Login
 */

static struct iscsi_session *
iscsi_session_by_isid_locked(struct iscsi_target *t, const char *initiator,
			     const u8 *isid)
{
	struct iscsi_session *sess;

	list_for_each_entry(sess, &t->session_list, session_list_entry)
		if (!memcmp(sess->isid, isid, sizeof(sess->isid)) &&
		    !strcmp(sess->initiator_name, initiator))
			return sess;
	return NULL;
}

static struct iscsi_session *
iscsi_session_by_tsih_locked(struct iscsi_target *t, u16 tsih)
{
	struct iscsi_session *sess;

	list_for_each_entry(sess, &t->session_list, session_list_entry)
		if (sess->tsih == tsih)
			return sess;
	return NULL;
}

/* Unique among the target's sessions (closing ones included), never 0 */
static int iscsi_tsih_alloc_locked(struct iscsi_target *t)
{
	unsigned int i;

	for (i = 0; i <= U16_MAX; i++) {
		if (!++t->next_tsih)
			continue;
		if (!iscsi_session_by_tsih_locked(t, t->next_tsih))
			return t->next_tsih;
	}
	return -EBUSY;
}

static int iscsi_target_usable_locked(struct iscsi_target *t)
{
	if (!t)
		return -ENOENT;
	if (!READ_ONCE(iscsi_drv_enabled) || !t->enabled)
		return -ENODEV;
	return 0;
}

static int iscsi_max_sessions_check_locked(struct iscsi_target *t,
					   const char *initiator)
{
	u32 max = READ_ONCE(t->params[ISCSI_P_MAX_SESSIONS]);
	struct iscsi_session *sess;
	u32 n = 0;

	if (!max)
		return 0;
	list_for_each_entry(sess, &t->session_list, session_list_entry)
		if (!sess->closing)
			n++;
	if (n < max)
		return 0;
	pr_info("login of %s to %s refused: MaxSessions %u reached\n",
		initiator, t->name, max);
	return -EBUSY;
}

static struct iscsi_session *
iscsi_session_alloc(struct iscsi_target *t,
		    const struct iscsi_ioc_login_done *ld, const u32 *params,
		    u16 tsih)
{
	struct iscsi_session_priv *priv;
	struct iscsi_session *sess;
	unsigned int i;

	priv = kzalloc(sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return NULL;
	sess = &priv->sess;
	sess->initiator_name = kstrdup(ld->initiator, GFP_KERNEL);
	sess->initiator_alias = kstrdup(ld->initiator_alias, GFP_KERNEL);
	if (!sess->initiator_name || !sess->initiator_alias) {
		iscsi_session_free(sess);
		return NULL;
	}
	sess->target = t;
	INIT_LIST_HEAD(&sess->session_list_entry);
	INIT_LIST_HEAD(&sess->conn_list);
	memcpy(sess->isid, ld->isid, sizeof(sess->isid));
	sess->tsih = tsih;
	for (i = 0; i < sizeof(sess->isid); i++)
		sess->sid = (sess->sid << 8) | sess->isid[i];
	sess->sid = (sess->sid << 16) | tsih;
	memcpy(sess->params, params, sizeof(sess->params));
	spin_lock_init(&sess->sn_lock);
	sess->exp_cmd_sn = ld->exp_cmd_sn;
	sess->max_cmd_sn = ld->exp_cmd_sn + params[ISCSI_P_QUEUED_COMMANDS] - 1;
	return sess;
}

/*
 * Create the session and start its first connection.  On a failure after
 * the SCST session was registered, *undo is the session the caller must
 * unregister and free once iscsi_mutex is dropped.
 */
static int iscsi_session_create_locked(struct iscsi_target *t,
				       const struct iscsi_ioc_login_done *ld,
				       const u32 *params,
				       struct iscsi_conn *conn,
				       struct iscsi_session **undo)
{
	struct scst_session *scst_sess;
	struct iscsi_session *sess;
	int tsih, rc;

	tsih = iscsi_tsih_alloc_locked(t);
	if (tsih < 0)
		return tsih;
	sess = iscsi_session_alloc(t, ld, params, tsih);
	if (!sess)
		return -ENOMEM;
	/* iscsi_mutex -> scst_mutex is the lock order */
	scst_sess = scst_register_session(t->scst_tgt, ld->initiator, sess);
	if (IS_ERR(scst_sess)) {
		iscsi_session_free(sess);
		return PTR_ERR(scst_sess);
	}
	sess->scst_sess = scst_sess;
	rc = iscsi_conn_start_locked(sess, conn);
	if (rc) {
		*undo = sess;
		return rc;
	}
	list_add_tail(&sess->session_list_entry, &t->session_list);
	iscsi_post_event(ISCSI_EV_SESSION_ADDED, t->tid, sess->tsih, conn->cid,
			 sess->initiator_name);
	pr_info("session %llx of %s (%s) on %s created\n", sess->sid,
		sess->initiator_name, conn->peer_addr, t->name);
	return tsih;
}

/* RFC 7143 6.3.5: the old session's tasks end before the new one starts */
static void iscsi_session_reinstate_locked(struct iscsi_session *old)
{
	if (old->reinstating)
		return;
	pr_info("reinstating session %llx of %s on %s\n", old->sid,
		old->initiator_name, old->target->name);
	old->reinstating = true;
	iscsi_session_close_conns_locked(old, ISCSI_CLOSE_NOW);
}

/* A new session (TSIH 0); may drop iscsi_mutex to wait for reinstatement */
static int iscsi_login_new_locked(const struct iscsi_ioc_login_done *ld,
				  struct iscsi_conn *conn,
				  struct iscsi_session **undo)
{
	u32 params[ISCSI_P_COUNT];
	struct iscsi_session *old;
	struct iscsi_target *t;
	unsigned long seq;
	int rc;

	lockdep_assert_held(&iscsi_mutex);
	for (;;) {
		/* Everything is checked again after waiting */
		t = iscsi_target_lookup_locked(ld->tid);
		rc = iscsi_target_usable_locked(t);
		if (rc)
			return rc;
		if (iscsi_sock_in_use_locked(conn->sock))
			return -EBUSY;
		rc = iscsi_session_params(t, ld, params);
		if (rc)
			return rc;
		old = iscsi_session_by_isid_locked(t, ld->initiator, ld->isid);
		if (!old)
			break;
		iscsi_session_reinstate_locked(old);
		seq = iscsi_sess_gone_seq;
		mutex_unlock(&iscsi_mutex);
		rc = wait_event_interruptible(iscsi_sess_gone_wq,
					      READ_ONCE(iscsi_sess_gone_seq) != seq);
		mutex_lock(&iscsi_mutex);
		if (rc)
			return rc;
	}
	rc = iscsi_max_sessions_check_locked(t, ld->initiator);
	if (rc)
		return rc;
	return iscsi_session_create_locked(t, ld, params, conn, undo);
}

/*
 * TSIH != 0: a connection for an existing session.  With MaxConnections 1
 * only connection reinstatement (same CID) is possible, and at
 * ErrorRecoveryLevel 0 that ends the whole session (RFC 7143 6.3.4): the
 * daemon then answers "session does not exist" and the initiator logs in
 * again with TSIH 0.
 */
static int iscsi_login_existing_locked(const struct iscsi_ioc_login_done *ld)
{
	struct iscsi_session *sess;
	struct iscsi_conn *conn;
	struct iscsi_target *t;
	int rc;

	lockdep_assert_held(&iscsi_mutex);
	t = iscsi_target_lookup_locked(ld->tid);
	rc = iscsi_target_usable_locked(t);
	if (rc)
		return rc;
	sess = iscsi_session_by_tsih_locked(t, ld->tsih);
	if (!sess || sess->closing ||
	    memcmp(sess->isid, ld->isid, sizeof(sess->isid)) ||
	    strcmp(sess->initiator_name, ld->initiator))
		return -ENOENT;
	list_for_each_entry(conn, &sess->conn_list, conn_list_entry)
		if (conn->cid == ld->cid) {
			pr_info("connection reinstatement (cid %u) ends session %llx of %s\n",
				ld->cid, sess->sid, sess->initiator_name);
			iscsi_session_close_conns_locked(sess, ISCSI_CLOSE_NOW);
			return -ENOENT;
		}
	pr_info("login of %s: session %llx already has its connection (MaxConnections 1)\n",
		ld->initiator, sess->sid);
	return -EBUSY;
}

static int iscsi_login_check(const struct iscsi_ioc_login_done *ld)
{
	if (ld->pad || ld->pad2 || !ld->tid ||
	    !iscsi_str_valid(ld->initiator, sizeof(ld->initiator), false) ||
	    !iscsi_str_valid(ld->initiator_alias, sizeof(ld->initiator_alias),
			     true)) {
		pr_err("login: malformed ISCSI_IOC_LOGIN_DONE request\n");
		return -EINVAL;
	}
	return 0;
}

/* Returns the session's TSIH or a negative errno */
int iscsi_login_done(struct iscsi_ioc_login_done *ld)
{
	struct iscsi_session *undo = NULL;
	struct iscsi_conn *conn;
	struct socket *sock;
	int rc;

	rc = iscsi_login_check(ld);
	if (rc)
		return rc;
	sock = iscsi_get_socket(ld->fd, &rc);
	if (!sock)
		return rc;
	conn = iscsi_conn_alloc(sock, ld, &rc);
	if (!conn)
		return rc;

	mutex_lock(&iscsi_mutex);
	if (ld->tsih)
		rc = iscsi_login_existing_locked(ld);
	else
		rc = iscsi_login_new_locked(ld, conn, &undo);
	mutex_unlock(&iscsi_mutex);

	if (undo) {
		scst_unregister_session(undo->scst_sess);
		iscsi_session_free(undo);
	}
	if (rc < 0)
		iscsi_conn_discard(conn);
	return rc;
}

/* ------------------------------------------------------------------
 * SPC-4 TransportID of an iSCSI initiator port (7.6.4.6, format 01b):
 * "<iSCSI name>,i,0x<ISID>", NUL-terminated, padded to a multiple of 4
 * (at least 20 bytes).  Without a session, the protocol identifier.
 */
int iscsi_get_transport_id(struct scst_tgt *tgt, struct scst_session *scst_sess,
			   u8 **transport_id)
{
	struct iscsi_session *sess;
	size_t len;
	u8 *tid;

	if (!scst_sess)
		return SCSI_PROTOCOL_ISCSI;
	sess = scst_sess_get_tgt_priv(scst_sess);
	/* name + ",i,0x" + 12 hex digits + NUL */
	len = strlen(sess->initiator_name) + 5 + 12 + 1;
	len = max_t(size_t, round_up(len, 4), 20);
	tid = kzalloc(4 + len, GFP_KERNEL);
	if (!tid)
		return -ENOMEM;
	tid[0] = 0x40 | SCSI_PROTOCOL_ISCSI;
	put_unaligned_be16(len, &tid[2]);
	snprintf((char *)&tid[4], len, "%s,i,0x%6phN", sess->initiator_name,
		 sess->isid);
	*transport_id = tid;
	return 0;
}
