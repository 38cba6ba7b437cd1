// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/iscsi-scst-ctl, the interface to the login daemon
 * iscsi-scstd (ABI in iscsi_scst.h).
 *
 * One daemon at a time registers on an open file; the registration ends
 * when that file is closed, so a restarted daemon can register again.
 * Established sessions do not depend on the daemon.  Every ioctl but
 * ISCSI_IOC_REGISTER needs the registered file (-EPERM otherwise).
 *
 * Events are queued (at most ISCSI_EV_QUEUE_LEN, the oldest dropped on
 * overflow) only while a daemon is registered, and read() in whole
 * struct iscsi_event records.
 */
#define pr_fmt(fmt) "iscsi-scst: " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/uaccess.h>
#include <linux/slab.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "mgmt.h"

/* Protects the event ring and the registration */
static DEFINE_SPINLOCK(iscsi_ev_lock);
static struct iscsi_event iscsi_ev_ring[ISCSI_EV_QUEUE_LEN];
static unsigned int iscsi_ev_head, iscsi_ev_count;
static bool iscsi_ev_lost;			/* flag the next record read */
static struct file *iscsi_ctl_owner;		/* the registered daemon */
static DECLARE_WAIT_QUEUE_HEAD(iscsi_ev_wq);

bool iscsi_ctl_daemon_attached(void)
{
	return READ_ONCE(iscsi_ctl_owner) != NULL;
}

static bool iscsi_ctl_is_owner(struct file *f)
{
	return READ_ONCE(iscsi_ctl_owner) == f;
}

/* Caller holds iscsi_ev_lock */
static void iscsi_ev_clear(void)
{
	iscsi_ev_head = 0;
	iscsi_ev_count = 0;
	iscsi_ev_lost = false;
}

void iscsi_post_event(u32 code, u32 tid, u16 tsih, u16 cid, const char *name)
{
	struct iscsi_event *ev;
	unsigned long flags;

	spin_lock_irqsave(&iscsi_ev_lock, flags);
	if (!iscsi_ctl_owner) {
		spin_unlock_irqrestore(&iscsi_ev_lock, flags);
		return;
	}
	if (iscsi_ev_count == ISCSI_EV_QUEUE_LEN) {
		iscsi_ev_head = (iscsi_ev_head + 1) % ISCSI_EV_QUEUE_LEN;
		iscsi_ev_count--;
		iscsi_ev_lost = true;
	}
	ev = &iscsi_ev_ring[(iscsi_ev_head + iscsi_ev_count) %
			    ISCSI_EV_QUEUE_LEN];
	memset(ev, 0, sizeof(*ev));
	ev->code = code;
	ev->tid = tid;
	ev->tsih = tsih;
	ev->cid = cid;
	strscpy(ev->name, name ? name : "", sizeof(ev->name));
	iscsi_ev_count++;
	spin_unlock_irqrestore(&iscsi_ev_lock, flags);
	wake_up_interruptible(&iscsi_ev_wq);
}

/* Take the oldest event for f; -EAGAIN if none, -EPERM if not owner */
static int iscsi_ev_pop(struct file *f, struct iscsi_event *ev)
{
	unsigned long flags;
	int rc = 0;

	spin_lock_irqsave(&iscsi_ev_lock, flags);
	if (iscsi_ctl_owner != f) {
		rc = -EPERM;
	} else if (!iscsi_ev_count) {
		rc = -EAGAIN;
	} else {
		*ev = iscsi_ev_ring[iscsi_ev_head];
		iscsi_ev_head = (iscsi_ev_head + 1) % ISCSI_EV_QUEUE_LEN;
		iscsi_ev_count--;
		if (iscsi_ev_lost) {
			ev->flags |= ISCSI_EV_OVERFLOW;
			iscsi_ev_lost = false;
		}
	}
	spin_unlock_irqrestore(&iscsi_ev_lock, flags);
	return rc;
}

static bool iscsi_ev_ready(struct file *f)
{
	return !iscsi_ctl_is_owner(f) || READ_ONCE(iscsi_ev_count);
}

static ssize_t iscsi_ctl_read(struct file *f, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct iscsi_event ev;
	size_t done = 0;
	int rc;

	if (count < sizeof(ev))
		return -EINVAL;
	while (done + sizeof(ev) <= count) {
		rc = iscsi_ev_pop(f, &ev);
		if (rc == -EAGAIN && !done && !(f->f_flags & O_NONBLOCK)) {
			if (wait_event_interruptible(iscsi_ev_wq,
						     iscsi_ev_ready(f)))
				return -ERESTARTSYS;
			continue;
		}
		if (rc)
			return done ? done : rc;
		if (copy_to_user(ubuf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;
}

static __poll_t iscsi_ctl_poll(struct file *f, poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(f, &iscsi_ev_wq, wait);
	spin_lock_irq(&iscsi_ev_lock);
	if (iscsi_ctl_owner != f)
		mask = EPOLLERR;
	else if (iscsi_ev_count)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&iscsi_ev_lock);
	return mask;
}

static int iscsi_ctl_open(struct inode *inode, struct file *f)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return stream_open(inode, f);
}

static int iscsi_ctl_release(struct inode *inode, struct file *f)
{
	bool was_owner = false;

	spin_lock_irq(&iscsi_ev_lock);
	if (iscsi_ctl_owner == f) {
		iscsi_ctl_owner = NULL;
		iscsi_ev_clear();
		was_owner = true;
	}
	spin_unlock_irq(&iscsi_ev_lock);
	if (was_owner)
		pr_info("daemon detached\n");
	return 0;
}

/* ------------------------------------------------------------------
 * ioctls
 */

static int iscsi_ioc_register(struct file *f, void __user *uarg)
{
	struct iscsi_ioc_register r;
	bool newly;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if (r.version != ISCSI_SCST_IFACE_VERSION) {
		pr_err("daemon uses interface version %u, the kernel %u\n",
		       r.version, ISCSI_SCST_IFACE_VERSION);
		return -EINVAL;
	}
	spin_lock_irq(&iscsi_ev_lock);
	if (iscsi_ctl_owner && iscsi_ctl_owner != f) {
		spin_unlock_irq(&iscsi_ev_lock);
		pr_err("another daemon is already registered\n");
		return -EBUSY;
	}
	newly = !iscsi_ctl_owner;
	if (newly) {
		iscsi_ctl_owner = f;
		iscsi_ev_clear();
	}
	spin_unlock_irq(&iscsi_ev_lock);

	memset(&r, 0, sizeof(r));
	r.version = ISCSI_SCST_IFACE_VERSION;
	r.max_data_seg_len = ISCSI_MAX_DATA_SEG_LEN;
	r.max_queued_cmds = ISCSI_MAX_QUEUED_CMDS;
	if (copy_to_user(uarg, &r, sizeof(r))) {
		if (newly)
			iscsi_ctl_release(NULL, f);
		return -EFAULT;
	}
	if (newly)
		pr_info("daemon registered (pid %d)\n", task_pid_nr(current));
	return 0;
}

static void iscsi_target_info_locked(struct iscsi_target *t,
				     struct iscsi_ioc_target *out)
{
	out->tid = t->tid;
	out->enabled = t->enabled;
	out->drv_enabled = READ_ONCE(iscsi_drv_enabled);
	strscpy(out->name, t->name, sizeof(out->name));
	iscsi_target_offer(t, out->params);
}

static int iscsi_ioc_target(void __user *uarg, bool by_name)
{
	struct iscsi_ioc_target *in, *out;
	struct iscsi_target *t;
	int rc = 0;

	in = memdup_user(uarg, sizeof(*in));
	if (IS_ERR(in))
		return PTR_ERR(in);
	if (by_name && !iscsi_str_valid(in->name, sizeof(in->name), false)) {
		rc = -EINVAL;
		goto free_in;
	}
	/* Built from scratch: no byte of the caller's or our stack leaks */
	out = kzalloc(sizeof(*out), GFP_KERNEL);
	if (!out) {
		rc = -ENOMEM;
		goto free_in;
	}
	mutex_lock(&iscsi_mutex);
	t = by_name ? iscsi_target_by_name_locked(in->name) :
		      iscsi_target_next_locked(in->tid);
	if (t)
		iscsi_target_info_locked(t, out);
	else
		rc = -ENOENT;
	mutex_unlock(&iscsi_mutex);
	if (!rc && copy_to_user(uarg, out, sizeof(*out)))
		rc = -EFAULT;
	kfree(out);
free_in:
	kfree(in);
	return rc;
}

static int iscsi_access_locked(const struct iscsi_ioc_access *a)
{
	struct iscsi_target *t;

	lockdep_assert_held(&iscsi_mutex);
	if (!READ_ONCE(iscsi_drv_enabled))
		return -ENODEV;
	if (!a->tid)
		return 0;	/* discovery session */
	t = iscsi_target_lookup_locked(a->tid);
	if (!t)
		return -ENOENT;
	if (!t->enabled)
		return -ENODEV;
	if (!iscsi_portal_allowed_locked(t, a->local_addr))
		return -EACCES;
	if (!scst_initiator_has_luns(t->scst_tgt, a->initiator))
		return -EACCES;
	return 0;
}

static int iscsi_ioc_access(void __user *uarg)
{
	struct iscsi_ioc_access a;
	int rc;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.pad ||
	    !iscsi_str_valid(a.initiator, sizeof(a.initiator), !a.tid) ||
	    !iscsi_str_valid(a.local_addr, sizeof(a.local_addr), true))
		return -EINVAL;
	mutex_lock(&iscsi_mutex);
	rc = iscsi_access_locked(&a);
	mutex_unlock(&iscsi_mutex);
	return rc;
}

static int iscsi_auth_locked(const struct iscsi_ioc_auth *in,
			     struct iscsi_ioc_auth *out)
{
	struct iscsi_account *acc;
	struct list_head *list;
	struct iscsi_target *t;

	lockdep_assert_held(&iscsi_mutex);
	if (!in->tid) {
		list = &iscsi_drv_accounts[in->dir];
	} else {
		t = iscsi_target_lookup_locked(in->tid);
		if (!t)
			return -ENOENT;
		list = in->dir == ISCSI_AUTH_OUTGOING ? &t->outgoing_users :
							&t->incoming_users;
	}
	acc = iscsi_account_nth_locked(list, in->index);
	if (!acc)
		return -ENOENT;
	strscpy(out->user, acc->user, sizeof(out->user));
	strscpy(out->secret, acc->secret, sizeof(out->secret));
	return 0;
}

static int iscsi_ioc_auth(void __user *uarg)
{
	struct iscsi_ioc_auth *in, *out;
	int rc;

	in = memdup_user(uarg, sizeof(*in));
	if (IS_ERR(in))
		return PTR_ERR(in);
	if (in->dir != ISCSI_AUTH_INCOMING && in->dir != ISCSI_AUTH_OUTGOING) {
		rc = -EINVAL;
		goto free_in;
	}
	out = kzalloc(sizeof(*out), GFP_KERNEL);
	if (!out) {
		rc = -ENOMEM;
		goto free_in;
	}
	out->tid = in->tid;
	out->dir = in->dir;
	out->index = in->index;
	mutex_lock(&iscsi_mutex);
	rc = iscsi_auth_locked(in, out);
	mutex_unlock(&iscsi_mutex);
	if (!rc && copy_to_user(uarg, out, sizeof(*out)))
		rc = -EFAULT;
	kfree_sensitive(out);
free_in:
	kfree_sensitive(in);
	return rc;
}

static int iscsi_ioc_login_done(void __user *uarg)
{
	struct iscsi_ioc_login_done __user *u = uarg;
	struct iscsi_ioc_login_done *ld;
	int rc;

	ld = memdup_user(uarg, sizeof(*ld));
	if (IS_ERR(ld))
		return PTR_ERR(ld);
	/*
	 * Make sure the TSIH can be returned before creating anything: a
	 * session the daemon does not know about would linger.
	 */
	if (put_user(ld->tsih, &u->tsih)) {
		rc = -EFAULT;
		goto out;
	}
	rc = iscsi_login_done(ld);
	if (rc > 0) {
		if (put_user((u16)rc, &u->tsih))
			pr_err("cannot return TSIH %d to the daemon\n", rc);
		rc = 0;
	}
out:
	kfree(ld);
	return rc;
}

static long iscsi_ctl_ioctl(struct file *f, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case ISCSI_IOC_REGISTER:
		return iscsi_ioc_register(f, uarg);
	case ISCSI_IOC_TARGET_NEXT:
	case ISCSI_IOC_TARGET_BY_NAME:
	case ISCSI_IOC_ACCESS:
	case ISCSI_IOC_AUTH:
	case ISCSI_IOC_LOGIN_DONE:
		break;
	default:
		return -ENOTTY;
	}
	if (!iscsi_ctl_is_owner(f))
		return -EPERM;

	switch (cmd) {
	case ISCSI_IOC_TARGET_NEXT:
		return iscsi_ioc_target(uarg, false);
	case ISCSI_IOC_TARGET_BY_NAME:
		return iscsi_ioc_target(uarg, true);
	case ISCSI_IOC_ACCESS:
		return iscsi_ioc_access(uarg);
	case ISCSI_IOC_AUTH:
		return iscsi_ioc_auth(uarg);
	default:
		return iscsi_ioc_login_done(uarg);
	}
}

static const struct file_operations iscsi_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= iscsi_ctl_open,
	.release	= iscsi_ctl_release,
	.read		= iscsi_ctl_read,
	.poll		= iscsi_ctl_poll,
	.unlocked_ioctl	= iscsi_ctl_ioctl,
	/* Fixed-size structures, identical for 32-bit daemons */
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice iscsi_ctl_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= ISCSI_SCST_CTL_NAME,
	.fops	= &iscsi_ctl_fops,
	.mode	= 0600,
};

int iscsi_ctl_init(void)
{
	return misc_register(&iscsi_ctl_misc);
}

void iscsi_ctl_exit(void)
{
	misc_deregister(&iscsi_ctl_misc);
}
