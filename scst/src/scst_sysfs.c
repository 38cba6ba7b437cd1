// SPDX-License-Identifier: GPL-2.0
/*
 * The /sys/kernel/scst_tgt tree and its management grammar.
 *
 * Writes to "mgmt" files and to attributes whose change calls into a
 * driver or may take long are packaged as work and executed one at a time
 * by the "scst_uid" kernel thread.  The writer waits up to 15 seconds; if
 * the work is still running then, the write fails with EAGAIN and the
 * result can be polled in last_sysfs_mgmt_res, which fails with EAGAIN as
 * long as any work is pending.
 *
 * A work item never holds a pointer to the object it addresses: it stores
 * the object's names and looks the object up again under scst_mutex when
 * it runs, because the object may be gone by then (the writer stops
 * pinning it when it gives up waiting).  Work on a target increments
 * tgt->mgmt_busy while it runs, and scst_unregister_target() waits for
 * that, so the target, its groups and the driver stay valid meanwhile.
 *
 * Work on a device (block, threads_num, threads_pool_type, the
 * long-running attributes of handlers through scst_dev_sysfs_work())
 * likewise increments
 * dev->mgmt_busy, which scst_unregister_virtual_device() waits for.
 *
 * The rule for attribute stores: a write that can block for long (waits
 * for commands or I/O, drains, flushes, opens or closes a backing store,
 * starts or stops threads) goes through the work thread, so that it is
 * serialised with the management commands and the writer gets EAGAIN
 * instead of hanging.  Quick, purely in-memory changes (counters, masks,
 * identification strings, tunables) run synchronously in the writer's
 * context, under scst_mutex where they touch shared lists.  Values are
 * always validated synchronously, so that a bad one fails at once with
 * EINVAL.  show() callbacks never wait for the work thread.
 */

#include <linux/module.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <linux/kernfs.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/cpumask.h>
#include <linux/nodemask.h>
#include <linux/numa.h>
#include <linux/sched.h>

#include "scst_priv.h"

#define SCST_SYSFS_WAIT_SEC		15
#define SCST_MAX_PARAMS			32
#define SCST_DEF_MAX_TGT_DEV_CMDS	64
#define SCST_MAX_BLACK_HOLE		4

static struct kobject *scst_root_kobj;
static struct kobject *scst_handlers_kobj;
static struct kobject *scst_devices_kobj;
static struct kobject *scst_targets_kobj;
static struct kobject *scst_dg_kobj;
static struct kobject *scst_sgv_kobj;

static int scst_threads_default;

/*
 * For tests only: how long a writer waits for its work before EAGAIN, so
 * that a test need not keep a command stuck for 15 s.  Never above 15 s,
 * the limit management tools are written for.
 */
static unsigned int scst_sysfs_wait_sec = SCST_SYSFS_WAIT_SEC;
module_param_named(sysfs_wait_sec, scst_sysfs_wait_sec, uint, 0644);
MODULE_PARM_DESC(sysfs_wait_sec,
		 "seconds a sysfs writer waits before EAGAIN (test only, 1..15)");

static unsigned long scst_sysfs_wait(void)
{
	return clamp_val(READ_ONCE(scst_sysfs_wait_sec), 1,
			 SCST_SYSFS_WAIT_SEC) * HZ;
}

struct kobject *scst_get_main_kobj(void)
{
	return scst_root_kobj;
}
EXPORT_SYMBOL_GPL(scst_get_main_kobj);

/* ---------------------------------------------------------------------
 * Small helpers
 */

static ssize_t scst_emit_key(char *buf, ssize_t len, bool key)
{
	if (key)
		len += sysfs_emit_at(buf, len, "%s\n", SCST_SYSFS_KEY_MARK);
	return len;
}

/*
 * Copy a one-word attribute value without the surrounding white space.
 * Returns -EINVAL if it does not fit in @outlen (terminator included).
 */
int scst_get_word(const char *buf, size_t count, char *out, size_t outlen)
{
	while (count && isspace((unsigned char)*buf)) {
		buf++;
		count--;
	}
	while (count && isspace((unsigned char)buf[count - 1]))
		count--;
	if (count >= outlen)
		return -EINVAL;
	memcpy(out, buf, count);
	out[count] = '\0';
	return 0;
}
EXPORT_SYMBOL_GPL(scst_get_word);

static int scst_get_bool(const char *buf, size_t count, bool *val)
{
	char w[8];

	if (scst_get_word(buf, count, w, sizeof(w)) ||
	    scst_parse_bool(w, val))
		return -EINVAL;
	return 0;
}

static int scst_get_int(const char *buf, size_t count, int *val)
{
	char w[24];

	if (scst_get_word(buf, count, w, sizeof(w)) || kstrtoint(w, 0, val))
		return -EINVAL;
	return 0;
}

/*
 * Is name already used in directory dir (file, link or subdirectory)?
 * Callers have already checked for objects of the same kind, so a hit
 * means the name is reserved by a fixed file such as "mgmt".
 */
static bool scst_sysfs_name_taken(struct kobject *dir, const char *name)
{
	struct kernfs_node *kn;

	kn = kernfs_find_and_get(dir->sd, name);
	if (!kn)
		return false;
	kernfs_put(kn);
	return true;
}

/* Is attr (possibly with a numeric suffix) in the list "a, b, c"? */
static bool scst_attr_listed(const char *list, const char *attr)
{
	size_t len = strlen(attr), n;
	const char *p = list;

	while (len && isdigit((unsigned char)attr[len - 1]))
		len--;
	while (p && *p) {
		p += strspn(p, ", \t\n");
		n = strcspn(p, ", \t\n");
		if (n && (n == len || n == strlen(attr)) &&
		    !strncmp(p, attr, n))
			return true;
		p += n;
	}
	return false;
}

static bool scst_no_more_lexems(char **pos, const char *what)
{
	char *extra = scst_next_lexem(pos);

	if (!*extra)
		return true;
	PRINT_ERROR("%s: unexpected argument \"%s\"", what, extra);
	return false;
}

/*
 * Remove a kobject embedded in an object and wait until its release()
 * ran; afterwards the object may be freed.  in_sysfs is false after a
 * failed kobject_init_and_add().
 */
static void scst_kobj_remove(struct kobject *kobj, struct completion **cmpl,
			     bool in_sysfs)
{
	DECLARE_COMPLETION_ONSTACK(c);

	*cmpl = &c;
	if (in_sysfs)
		kobject_del(kobj);
	kobject_put(kobj);
	wait_for_completion(&c);
	*cmpl = NULL;
	memset(kobj, 0, sizeof(*kobj));
}

static void scst_put_subdir(struct kobject **kobj)
{
	if (!*kobj)
		return;
	kobject_del(*kobj);
	kobject_put(*kobj);
	*kobj = NULL;
}

/* ---------------------------------------------------------------------
 * Management work and the scst_uid thread
 */

struct scst_sysfs_work {
	struct list_head entry;
	struct kref kref;
	struct completion done;
	int (*fn)(struct scst_sysfs_work *w);
	int res;
	char *buf;		/* what was written, trailing white space cut */
	char *name[3];		/* names of the addressed object */
	long arg;
	/* scst_dev_sysfs_work(): fn of handler devt (compared, not used) */
	struct scst_dev_type *devt;
	scst_dev_work_fn dev_fn;
	u64 dev_arg;
};

static LIST_HEAD(scst_work_list);
static DEFINE_SPINLOCK(scst_work_lock);
static DECLARE_WAIT_QUEUE_HEAD(scst_work_waitq);
static DECLARE_WAIT_QUEUE_HEAD(scst_work_idle_waitq);
static unsigned int scst_work_pending;	/* queued or running, work_lock */
static int scst_last_mgmt_res;		/* under scst_work_lock */
static struct task_struct *scst_uid_task;
/* handler whose work the thread runs now, under scst_work_lock */
static struct scst_dev_type *scst_work_cur_devt;

static void scst_work_release(struct kref *kref)
{
	struct scst_sysfs_work *w = container_of(kref, struct scst_sysfs_work,
						 kref);
	int i;

	for (i = 0; i < ARRAY_SIZE(w->name); i++)
		kfree(w->name[i]);
	kfree(w->buf);
	kfree(w);
}

static void scst_work_put(struct scst_sysfs_work *w)
{
	kref_put(&w->kref, scst_work_release);
}

static struct scst_sysfs_work *
scst_work_alloc(int (*fn)(struct scst_sysfs_work *w), const char *buf,
		size_t count, const char *n0, const char *n1, const char *n2)
{
	const char *names[3] = { n0, n1, n2 };
	struct scst_sysfs_work *w;
	int i;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return NULL;
	kref_init(&w->kref);
	init_completion(&w->done);
	INIT_LIST_HEAD(&w->entry);
	w->fn = fn;
	if (buf) {
		while (count && isspace((unsigned char)buf[count - 1]))
			count--;
		w->buf = kmemdup_nul(buf, count, GFP_KERNEL);
		if (!w->buf)
			goto fail;
	}
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!names[i])
			continue;
		w->name[i] = kstrdup(names[i], GFP_KERNEL);
		if (!w->name[i])
			goto fail;
	}
	return w;
fail:
	scst_work_put(w);
	return NULL;
}

/* Queue w, wait for it up to the wait limit and drop the caller's ref */
static ssize_t scst_work_run(struct scst_sysfs_work *w, size_t count)
{
	int res;

	kref_get(&w->kref);	/* for the thread */
	spin_lock(&scst_work_lock);
	list_add_tail(&w->entry, &scst_work_list);
	scst_work_pending++;
	spin_unlock(&scst_work_lock);
	wake_up(&scst_work_waitq);

	if (wait_for_completion_timeout(&w->done, scst_sysfs_wait())) {
		res = w->res;
	} else {
		PRINT_INFO("management command still running; its result will be in last_sysfs_mgmt_res");
		res = -EAGAIN;
	}
	scst_work_put(w);
	return res ? res : count;
}

/* Allocate, run and wait; the usual store tail */
static ssize_t scst_queue_work(int (*fn)(struct scst_sysfs_work *w),
			       const char *buf, size_t count, const char *n0,
			       const char *n1, const char *n2, long arg)
{
	struct scst_sysfs_work *w;

	w = scst_work_alloc(fn, buf, count, n0, n1, n2);
	if (!w)
		return -ENOMEM;
	w->arg = arg;
	return scst_work_run(w, count);
}

static struct scst_sysfs_work *scst_work_next(void)
{
	struct scst_sysfs_work *w;

	spin_lock(&scst_work_lock);
	w = list_first_entry_or_null(&scst_work_list, struct scst_sysfs_work,
				     entry);
	if (w) {
		list_del_init(&w->entry);
		scst_work_cur_devt = w->devt;
	}
	spin_unlock(&scst_work_lock);
	return w;
}

/*
 * Publish the result of w and drop the list's ref; ran says whether the
 * thread ran it (rather than a cancellation).
 */
static void scst_work_finish(struct scst_sysfs_work *w, int res, bool ran)
{
	w->res = res < 0 ? res : 0;
	spin_lock(&scst_work_lock);
	scst_last_mgmt_res = w->res;
	scst_work_pending--;
	if (ran)
		scst_work_cur_devt = NULL;
	spin_unlock(&scst_work_lock);
	complete(&w->done);
	wake_up_all(&scst_work_idle_waitq);
	scst_work_put(w);
}

/*
 * The handler devt unregisters: its queued work must not call into the
 * module any more (it may be unloaded next), so fail it with -ENOENT, and
 * wait for the one the thread may be running.
 */
void scst_sysfs_cancel_devt_work(struct scst_dev_type *devt)
{
	struct scst_sysfs_work *w, *tmp;
	LIST_HEAD(list);

	spin_lock(&scst_work_lock);
	list_for_each_entry_safe(w, tmp, &scst_work_list, entry)
		if (w->devt == devt)
			list_move_tail(&w->entry, &list);
	spin_unlock(&scst_work_lock);
	list_for_each_entry_safe(w, tmp, &list, entry) {
		list_del_init(&w->entry);
		PRINT_ERROR("handler %s unregistered before its queued work ran",
			    devt->name);
		scst_work_finish(w, -ENOENT, false);
	}
	if (current != scst_uid_task)
		wait_event(scst_work_idle_waitq,
			   READ_ONCE(scst_work_cur_devt) != devt);
}

static int scst_uid_thread(void *arg)
{
	struct scst_sysfs_work *w;
	int res;

	for (;;) {
		wait_event_interruptible(scst_work_waitq,
					 !list_empty_careful(&scst_work_list) ||
					 kthread_should_stop());
		w = scst_work_next();
		if (!w) {
			if (kthread_should_stop())
				break;
			continue;
		}
		res = w->fn(w);
		/* the verb only: arguments may carry credentials */
		SCST_TRACE(SCST_TRACE_MGMT, "mgmt %.*s (%s) result %d",
			   w->buf ? (int)strcspn(w->buf, " \t") : 0,
			   w->buf ? w->buf : "",
			   w->name[0] ? w->name[0] : "", res < 0 ? res : 0);
		scst_work_finish(w, res, true);
	}
	return 0;
}

int scst_wait_info_completion(void)
{
	/* Waiting from the work thread itself would never end */
	if (current == scst_uid_task)
		return 0;
	return wait_event_interruptible(scst_work_idle_waitq,
					!READ_ONCE(scst_work_pending));
}
EXPORT_SYMBOL_GPL(scst_wait_info_completion);

/* Look up the target a work item addresses and pin it (mgmt_busy) */
static struct scst_tgt *scst_work_get_tgt(struct scst_sysfs_work *w)
{
	struct scst_tgt_template *tgtt;
	struct scst_tgt *tgt = NULL;

	lockdep_assert_held(&scst_mutex);
	tgtt = scst_find_tgtt(w->name[0]);
	if (tgtt)
		tgt = scst_find_tgt(tgtt, w->name[1]);
	if (!tgt) {
		PRINT_ERROR("target %s/%s no longer exists", w->name[0],
			    w->name[1]);
		return NULL;
	}
	tgt->mgmt_busy++;
	return tgt;
}

static void scst_work_put_tgt(struct scst_tgt *tgt)
{
	mutex_lock(&scst_mutex);
	tgt->mgmt_busy--;
	mutex_unlock(&scst_mutex);
	wake_up_all(&scst_mgmt_waitq);
}

/*
 * Look up the device a work item addresses and pin it (mgmt_busy).  Work
 * of a handler (w->devt set) also pins the handler module, whose function
 * it calls; the lookup fails once the module started unloading.
 */
static struct scst_device *scst_work_get_dev(struct scst_sysfs_work *w)
{
	struct scst_device *dev;

	mutex_lock(&scst_mutex);
	dev = scst_find_dev(w->name[0]);
	if (dev && w->devt &&
	    (dev->handler != w->devt || !try_module_get(w->devt->owner)))
		dev = NULL;
	if (dev)
		dev->mgmt_busy++;
	mutex_unlock(&scst_mutex);
	if (!dev)
		PRINT_ERROR("device %s no longer exists", w->name[0]);
	return dev;
}

static void scst_work_put_dev(struct scst_sysfs_work *w,
			      struct scst_device *dev)
{
	mutex_lock(&scst_mutex);
	dev->mgmt_busy--;
	mutex_unlock(&scst_mutex);
	wake_up_all(&scst_mgmt_waitq);
	if (w->devt)
		module_put(w->devt->owner);
}

static int scst_dev_fn_work(struct scst_sysfs_work *w)
{
	struct scst_device *dev = scst_work_get_dev(w);
	int rc;

	if (!dev)
		return -ENOENT;
	rc = w->dev_fn(dev, w->dev_arg);
	scst_work_put_dev(w, dev);
	return rc;
}

/*
 * Run fn(dev, arg) in the work thread.  devt is NULL for the core's own
 * device attributes (fn is in scst.ko, no module to pin).
 */
static ssize_t scst_queue_dev_work(struct scst_device *dev,
				   struct scst_dev_type *devt,
				   scst_dev_work_fn fn, u64 arg, size_t count)
{
	struct scst_sysfs_work *w;

	w = scst_work_alloc(scst_dev_fn_work, NULL, count, dev->virt_name,
			    NULL, NULL);
	if (!w)
		return -ENOMEM;
	w->devt = devt;
	w->dev_fn = fn;
	w->dev_arg = arg;
	return scst_work_run(w, count);
}

ssize_t scst_dev_sysfs_work(struct scst_device *dev, scst_dev_work_fn fn,
			    u64 arg, size_t count)
{
	return scst_queue_dev_work(dev, dev->handler, fn, arg, count);
}
EXPORT_SYMBOL_GPL(scst_dev_sysfs_work);

/* ---------------------------------------------------------------------
 * kobject types: release() only signals the waiting *_sysfs_del()
 */

#define SCST_DEFINE_RELEASE(fn, type, member, cmpl)			\
static void fn(struct kobject *kobj)					\
{									\
	type *p = container_of(kobj, type, member);			\
									\
	if (p->cmpl)							\
		complete_all(p->cmpl);					\
}

SCST_DEFINE_RELEASE(scst_tgtt_release, struct scst_tgt_template, tgtt_kobj,
		    tgtt_kobj_release_cmpl)
SCST_DEFINE_RELEASE(scst_tgt_release, struct scst_tgt, tgt_kobj,
		    tgt_kobj_release_cmpl)
SCST_DEFINE_RELEASE(scst_devt_release, struct scst_dev_type, devt_kobj,
		    devt_kobj_release_cmpl)
SCST_DEFINE_RELEASE(scst_dev_release, struct scst_device, dev_kobj,
		    dev_kobj_release_cmpl)
SCST_DEFINE_RELEASE(scst_sess_release, struct scst_session, sess_kobj,
		    sess_kobj_release_cmpl)
SCST_DEFINE_RELEASE(scst_acg_release, struct scst_acg, acg_kobj,
		    acg_kobj_release_cmpl)
SCST_DEFINE_RELEASE(scst_acg_dev_release, struct scst_acg_dev, acg_dev_kobj,
		    acg_dev_kobj_release_cmpl)

/* ---------------------------------------------------------------------
 * Shared value formats
 */

static const char *const scst_addr_method_names[] = {
	[SCST_LUN_ADDR_METHOD_PERIPHERAL] = "PERIPHERAL",
	[SCST_LUN_ADDR_METHOD_FLAT] = "FLAT",
	[SCST_LUN_ADDR_METHOD_LUN] = "LUN",
};

static ssize_t scst_addr_method_show_val(char *buf, int m)
{
	ssize_t n;

	if (m < 0 || m >= ARRAY_SIZE(scst_addr_method_names))
		m = SCST_LUN_ADDR_METHOD_PERIPHERAL;
	n = sysfs_emit(buf, "%s\n", scst_addr_method_names[m]);
	return scst_emit_key(buf, n, m != SCST_LUN_ADDR_METHOD_PERIPHERAL);
}

static int scst_addr_method_parse(const char *buf, size_t count, int *m)
{
	char w[16];
	int i;

	if (!scst_get_word(buf, count, w, sizeof(w)))
		for (i = 0; i < ARRAY_SIZE(scst_addr_method_names); i++)
			if (!strcasecmp(w, scst_addr_method_names[i])) {
				*m = i;
				return 0;
			}
	PRINT_ERROR("addr_method must be PERIPHERAL, FLAT or LUN");
	return -EINVAL;
}

static ssize_t scst_io_grouping_show_val(char *buf, int t)
{
	ssize_t n;

	switch (t) {
	case SCST_IO_GROUPING_AUTO:
		n = sysfs_emit(buf, "auto\n");
		break;
	case SCST_IO_GROUPING_THIS_ONLY:
		n = sysfs_emit(buf, "this_group_only\n");
		break;
	case SCST_IO_GROUPING_NEVER:
		n = sysfs_emit(buf, "never\n");
		break;
	default:
		n = sysfs_emit(buf, "%d\n", t);
		break;
	}
	return scst_emit_key(buf, n, t != SCST_IO_GROUPING_AUTO);
}

static int scst_io_grouping_parse(const char *buf, size_t count, int *t)
{
	char w[24];
	u32 v;

	if (scst_get_word(buf, count, w, sizeof(w)))
		goto bad;
	if (!strcasecmp(w, "auto"))
		*t = SCST_IO_GROUPING_AUTO;
	else if (!strcasecmp(w, "this_group_only"))
		*t = SCST_IO_GROUPING_THIS_ONLY;
	else if (!strcasecmp(w, "never"))
		*t = SCST_IO_GROUPING_NEVER;
	else if (!scst_parse_u32(w, &v) && v >= 1 && v <= INT_MAX)
		*t = v;
	else
		goto bad;
	return 0;
bad:
	PRINT_ERROR("io_grouping_type must be auto, this_group_only, never or a positive number");
	return -EINVAL;
}

static ssize_t scst_cpu_mask_show_val(char *buf, const struct cpumask *m)
{
	ssize_t n = sysfs_emit(buf, "%*pb\n", cpumask_pr_args(m));

	return scst_emit_key(buf, n, !cpumask_equal(m, cpu_possible_mask));
}

static int scst_cpu_mask_parse(const char *buf, size_t count,
			       struct cpumask *m)
{
	cpumask_var_t mask;
	int rc;

	if (!alloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	rc = cpumask_parse(buf, mask);
	if (!rc && !cpumask_intersects(mask, cpu_online_mask))
		rc = -EINVAL;
	if (rc)
		PRINT_ERROR("cpu_mask must be a hexadecimal CPU mask with at least one online CPU");
	else
		cpumask_copy(m, mask);
	free_cpumask_var(mask);
	return rc ? -EINVAL : 0;
}

static int scst_black_hole_parse(const char *buf, size_t count, int *v)
{
	if (scst_get_int(buf, count, v) || *v < 0 ||
	    *v > SCST_MAX_BLACK_HOLE) {
		PRINT_ERROR("black_hole must be 0..%d", SCST_MAX_BLACK_HOLE);
		return -EINVAL;
	}
	return 0;
}

static const char *scst_type_name(int type)
{
	switch (type) {
	case TYPE_DISK:
		return "Direct-access device (e.g. disk)";
	case TYPE_TAPE:
		return "Sequential-access device (e.g. tape)";
	case TYPE_PROCESSOR:
		return "Processor device";
	case TYPE_ROM:
		return "CD/DVD device";
	case TYPE_MOD:
		return "Optical memory device";
	case TYPE_ENCLOSURE:
		return "Enclosure services device";
	default:
		return "Unknown device type";
	}
}

/* ---------------------------------------------------------------------
 * Root directory
 */

static ssize_t scst_version_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	ssize_t n = sysfs_emit(buf, "%s\n", SCST_VERSION_STRING);

#ifdef DEBUG
	n += sysfs_emit_at(buf, n, "DEBUG\n");
#endif
#ifdef CONFIG_DYNAMIC_DEBUG
	n += sysfs_emit_at(buf, n, "TRACING\n");
#endif
#ifdef CONFIG_PROVE_LOCKING
	n += sysfs_emit_at(buf, n, "LOCKDEP\n");
#endif
	return n;
}

static ssize_t scst_last_res_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	int res, pending;

	spin_lock(&scst_work_lock);
	pending = scst_work_pending;
	res = scst_last_mgmt_res;
	spin_unlock(&scst_work_lock);
	if (pending)
		return -EAGAIN;
	return sysfs_emit(buf, "%d\n", res);
}

static ssize_t scst_setup_id_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	u64 id = READ_ONCE(scst_setup_id);

	return scst_emit_key(buf, sysfs_emit(buf, "0x%llx\n", id), id != 0);
}

static ssize_t scst_setup_id_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	char w[24];
	u64 id;

	if (scst_get_word(buf, count, w, sizeof(w)) ||
	    scst_parse_u64(w, &id)) {
		PRINT_ERROR("setup_id must be a number (decimal or 0x hex)");
		return -EINVAL;
	}
	WRITE_ONCE(scst_setup_id, id);
	return count;
}

/*
 * cluster_name: the name of the cluster this node belongs to, kept for
 * scst.conf compatibility.  It has no effect yet: nothing in this SCST
 * shares state between nodes (classic SCST names its DLM lockspaces
 * after it for cluster_mode persistent reservations).  A DLM lockspace
 * name is at most 64 bytes; only printable characters without blanks.
 */
#define SCST_CLUSTER_NAME_MAX 64
static char scst_cluster_name[SCST_CLUSTER_NAME_MAX + 1];
static DEFINE_SPINLOCK(scst_cluster_name_lock);

static ssize_t scst_cluster_name_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	char name[SCST_CLUSTER_NAME_MAX + 1];

	spin_lock(&scst_cluster_name_lock);
	strscpy(name, scst_cluster_name, sizeof(name));
	spin_unlock(&scst_cluster_name_lock);
	return scst_emit_key(buf, sysfs_emit(buf, "%s\n", name), name[0]);
}

static ssize_t scst_cluster_name_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	char w[SCST_CLUSTER_NAME_MAX + 1];
	const char *p;

	if (scst_get_word(buf, count, w, sizeof(w))) {
		PRINT_ERROR("cluster_name: at most %d characters",
			    SCST_CLUSTER_NAME_MAX);
		return -EINVAL;
	}
	for (p = w; *p; p++) {
		if (!isgraph((unsigned char)*p)) {
			PRINT_ERROR("cluster_name: only printable characters without blanks");
			return -EINVAL;
		}
	}
	spin_lock(&scst_cluster_name_lock);
	strscpy(scst_cluster_name, w, sizeof(scst_cluster_name));
	spin_unlock(&scst_cluster_name_lock);
	return count;
}

static int scst_threads_work(struct scst_sysfs_work *w)
{
	int rc = scst_set_global_threads(w->arg);

	/* scst_set_global_threads() updates scst_threads itself */
	if (rc)
		PRINT_ERROR("cannot set the number of threads to %ld: %d",
			    w->arg, rc);
	return rc;
}

static ssize_t scst_threads_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	int n = READ_ONCE(scst_threads);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", n),
			     n != scst_threads_default);
}

static ssize_t scst_threads_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	int n;

	if (scst_get_int(buf, count, &n) || n < 1 || n > 1024) {
		PRINT_ERROR("threads must be 1..1024");
		return -EINVAL;
	}
	return scst_queue_work(scst_threads_work, NULL, count, NULL, NULL,
			       NULL, n);
}

static ssize_t scst_suspend_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", scst_get_suspend_count());
}

static int scst_suspend_work(struct scst_sysfs_work *w)
{
	/* a timeout of 0 jiffies waits as long as it takes */
	int rc = scst_suspend_activity((unsigned long)w->arg * HZ);

	if (rc)
		PRINT_ERROR("suspend: failed to suspend activity: %d", rc);
	return rc;
}

/*
 * Suspending waits for the executing commands: it runs as work.  Resuming
 * is quick and must stay possible while a suspend waits (or while other
 * work is stuck), so it runs synchronously.
 */
static ssize_t scst_suspend_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	int v;

	if (scst_get_int(buf, count, &v)) {
		PRINT_ERROR("suspend: write seconds to wait (>0), 0 to wait forever or <0 to resume");
		return -EINVAL;
	}
	if (v < 0) {
		if (scst_get_suspend_count() <= 0) {
			PRINT_ERROR("suspend: activity is not suspended");
			return -EINVAL;
		}
		scst_resume_activity();
		return count;
	}
	return scst_queue_work(scst_suspend_work, NULL, count, NULL, NULL,
			       NULL, v);
}

/* Tunables kept for compatibility: accepted, checked and stored */
struct scst_int_attr {
	struct kobj_attribute kattr;
	int val;
	int def;
	int min;
	int max;
	void (*set)(int v);	/* optional: applies the new value */
};

static ssize_t scst_int_attr_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct scst_int_attr *a = container_of(attr, struct scst_int_attr,
					       kattr);
	int v = READ_ONCE(a->val);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", v), v != a->def);
}

static ssize_t scst_int_attr_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct scst_int_attr *a = container_of(attr, struct scst_int_attr,
					       kattr);
	int v;

	if (scst_get_int(buf, count, &v) || v < a->min || v > a->max) {
		PRINT_ERROR("%s must be %d..%d", attr->attr.name, a->min,
			    a->max);
		return -EINVAL;
	}
	WRITE_ONCE(a->val, v);
	if (a->set)
		a->set(v);
	return count;
}

#define SCST_INT_ATTR(_name, _def, _min, _max)				\
static struct scst_int_attr scst_##_name##_attr = {			\
	.kattr = __ATTR(_name, 0644, scst_int_attr_show,		\
			scst_int_attr_store),				\
	.val = _def, .def = _def, .min = _min, .max = _max,		\
}

static struct scst_int_attr scst_poll_us_attr = {
	.kattr = __ATTR(poll_us, 0644, scst_int_attr_show,
			scst_int_attr_store),
	.val = 0, .def = 0, .min = 0, .max = 1000000,
	.set = scst_set_poll_us,
};
SCST_INT_ATTR(max_tasklet_cmd, 10, 0, 1000000);
static struct scst_int_attr scst_measure_latency_attr = {
	.kattr = __ATTR(measure_latency, 0644, scst_int_attr_show,
			scst_int_attr_store),
	.val = 0, .def = 0, .min = 0, .max = 1,
	.set = scst_stats_set_measure_latency,
};
static struct scst_int_attr scst_force_global_sgv_pool_attr = {
	.kattr = __ATTR(force_global_sgv_pool, 0644, scst_int_attr_show,
			scst_int_attr_store),
	.val = 0, .def = 0, .min = 0, .max = 1,
	.set = scst_mem_set_force_global,
};
SCST_INT_ATTR(async_lun_replace, 0, 0, 1);

static struct kobj_attribute scst_version_attr =
	__ATTR(version, 0444, scst_version_show, NULL);
static struct kobj_attribute scst_last_res_attr =
	__ATTR(last_sysfs_mgmt_res, 0444, scst_last_res_show, NULL);
static struct kobj_attribute scst_setup_id_attr =
	__ATTR(setup_id, 0644, scst_setup_id_show, scst_setup_id_store);
static struct kobj_attribute scst_threads_attr =
	__ATTR(threads, 0644, scst_threads_show, scst_threads_store);
static struct kobj_attribute scst_suspend_attr =
	__ATTR(suspend, 0644, scst_suspend_show, scst_suspend_store);
static struct kobj_attribute scst_cluster_name_attr =
	__ATTR(cluster_name, 0644, scst_cluster_name_show,
	       scst_cluster_name_store);

static struct attribute *scst_root_attrs[] = {
	&scst_version_attr.attr,
	&scst_last_res_attr.attr,
	&scst_setup_id_attr.attr,
	&scst_threads_attr.attr,
	&scst_suspend_attr.attr,
	&scst_poll_us_attr.kattr.attr,
	&scst_max_tasklet_cmd_attr.kattr.attr,
	&scst_measure_latency_attr.kattr.attr,
	&scst_force_global_sgv_pool_attr.kattr.attr,
	&scst_async_lun_replace_attr.kattr.attr,
	&scst_trace_cmds_attr.attr,	/* scst_stats.c */
	&scst_trace_mcmds_attr.attr,	/* scst_stats.c */
	&scst_trace_level_attr.attr,	/* scst_stats.c */
	&scst_cluster_name_attr.attr,
	NULL,
};

static const struct attribute_group scst_root_group = {
	.attrs = scst_root_attrs,
};

/* ---------------------------------------------------------------------
 * Device handlers: handlers/<name>/
 */

static ssize_t scst_devt_type_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct scst_dev_type *devt = container_of(kobj, struct scst_dev_type,
						  devt_kobj);

	return sysfs_emit(buf, "%d - %s\n", devt->type,
			  scst_type_name(devt->type));
}

static ssize_t scst_emit_list(char *buf, ssize_t n, const char *title,
			      const char *const *list)
{
	int i;

	if (!list || !list[0])
		return n;
	n += sysfs_emit_at(buf, n, "%s", title);
	for (i = 0; list[i]; i++)
		n += sysfs_emit_at(buf, n, "%s%s", i ? ", " : "", list[i]);
	return n + sysfs_emit_at(buf, n, "\n");
}

static ssize_t scst_devt_mgmt_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct scst_dev_type *devt = container_of(kobj, struct scst_dev_type,
						  devt_kobj);
	ssize_t n;

	n = sysfs_emit(buf, "Usage: echo \"add_device NAME [PARAM=VALUE[;PARAM=VALUE...]]\" >mgmt\n"
			    "       echo \"del_device NAME\" >mgmt\n");
	if (devt->devt_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"       echo \"add_attribute ATTRIBUTE VALUE\" >mgmt\n"
			"       echo \"del_attribute ATTRIBUTE VALUE\" >mgmt\n");
	if (devt->dev_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"       echo \"add_device_attribute NAME ATTRIBUTE VALUE\" >mgmt\n"
			"       echo \"del_device_attribute NAME ATTRIBUTE VALUE\" >mgmt\n");
	if (devt->mgmt_cmd_help)
		n += sysfs_emit_at(buf, n, "%s", devt->mgmt_cmd_help);
	n = scst_emit_list(buf, n, "\nThe following parameters available: ",
			   devt->add_device_parameters);
	if (devt->devt_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"The following handler attributes available: %s\n",
			devt->devt_optional_attributes);
	if (devt->dev_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"The following device attributes available: %s\n",
			devt->dev_optional_attributes);
	return n;
}

/* Check "NAME=VALUE;..." against the allowed names, on a copy */
static int scst_check_params(const char *params,
			     const char *const *allowed, const char *what)
{
	struct scst_param *p;
	const char *bad = NULL;
	char *copy;
	int rc;

	copy = kstrdup(params, GFP_KERNEL);
	p = kcalloc(SCST_MAX_PARAMS, sizeof(*p), GFP_KERNEL);
	if (!copy || !p) {
		rc = -ENOMEM;
		goto out;
	}
	rc = scst_parse_params(copy, allowed, p, SCST_MAX_PARAMS, &bad);
	if (rc < 0) {
		PRINT_ERROR("%s: invalid, unknown or repeated parameter \"%s\"",
			    what, bad ?: "");
		rc = -EINVAL;
		goto out;
	}
	rc = 0;
out:
	kfree(p);
	kfree(copy);
	return rc;
}

static int scst_devt_add_device(struct scst_dev_type *devt, char *p)
{
	char *name = scst_next_lexem(&p);
	ssize_t res;

	if (!*name) {
		PRINT_ERROR("add_device: device name missing");
		return -EINVAL;
	}
	if (!scst_is_valid_name(name)) {
		PRINT_ERROR("add_device: invalid device name \"%s\"", name);
		return -EINVAL;
	}
	if (!devt->add_device) {
		PRINT_ERROR("handler %s cannot add devices", devt->name);
		return -EINVAL;
	}
	p = skip_spaces(p);
	if (scst_check_params(p, devt->add_device_parameters, "add_device"))
		return -EINVAL;
	mutex_lock(&scst_mutex);
	res = scst_find_dev(name) ? -EEXIST : 0;
	mutex_unlock(&scst_mutex);
	if (res) {
		PRINT_ERROR("add_device: device %s already exists", name);
		return res;
	}
	res = devt->add_device(name, p);
	return res < 0 ? res : 0;
}

/* Does dev exist, belong to devt and is it unexported?  (-errno) */
static int scst_devt_check_dev(struct scst_dev_type *devt, const char *name,
			       bool unexported)
{
	struct scst_device *dev;
	int rc = 0;

	mutex_lock(&scst_mutex);
	dev = scst_find_dev(name);
	if (!dev || dev->handler != devt) {
		PRINT_ERROR("handler %s has no device %s", devt->name, name);
		rc = -ENOENT;
	} else if (unexported && !list_empty(&dev->dev_acg_dev_list)) {
		PRINT_ERROR("device %s is exported (has LUNs); delete its LUNs first",
			    name);
		rc = -EBUSY;
	}
	mutex_unlock(&scst_mutex);
	return rc;
}

static int scst_devt_del_device(struct scst_dev_type *devt, char *p)
{
	char *name = scst_next_lexem(&p);
	ssize_t res;

	if (!*name) {
		PRINT_ERROR("del_device: device name missing");
		return -EINVAL;
	}
	if (!scst_no_more_lexems(&p, "del_device"))
		return -EINVAL;
	if (!devt->del_device) {
		PRINT_ERROR("handler %s cannot delete devices", devt->name);
		return -EINVAL;
	}
	res = scst_devt_check_dev(devt, name, true);
	if (res)
		return res;
	res = devt->del_device(name);
	return res < 0 ? res : 0;
}

/*
 * Check "[OBJ] ATTRIBUTE VALUE" of the (add|del)_*attribute verbs; the
 * command itself is executed by the driver's mgmt_cmd().
 */
static int scst_check_opt_attr(char *p, const char *list, const char *verb)
{
	char *attr = scst_next_lexem(&p), *val = scst_next_lexem(&p);

	if (!list) {
		PRINT_ERROR("%s is not supported here", verb);
		return -EINVAL;
	}
	if (!*attr || !*val) {
		PRINT_ERROR("%s: attribute name or value missing", verb);
		return -EINVAL;
	}
	if (!scst_attr_listed(list, attr)) {
		PRINT_ERROR("%s: unknown attribute %s (known: %s)", verb, attr,
			    list);
		return -EINVAL;
	}
	return 0;
}

static int scst_call_mgmt_cmd(ssize_t (*mgmt_cmd)(char *cmd),
			      const char *cmd, const char *verb,
			      const char *owner)
{
	ssize_t res;
	char *copy;

	if (!mgmt_cmd) {
		PRINT_ERROR("unknown command \"%s\" for %s", verb, owner);
		return -EINVAL;
	}
	copy = kstrdup(cmd, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	res = mgmt_cmd(copy);
	kfree(copy);
	return res < 0 ? res : 0;
}

static int scst_devt_mgmt_exec(struct scst_dev_type *devt, const char *cmd,
			       char *p)
{
	char *verb = scst_next_lexem(&p), *name;
	int rc;

	if (!*verb) {
		PRINT_ERROR("handler %s: empty command", devt->name);
		return -EINVAL;
	}
	if (!strcasecmp(verb, "add_device"))
		return scst_devt_add_device(devt, p);
	if (!strcasecmp(verb, "del_device"))
		return scst_devt_del_device(devt, p);
	if (!strcasecmp(verb, "add_attribute") ||
	    !strcasecmp(verb, "del_attribute")) {
		rc = scst_check_opt_attr(p, devt->devt_optional_attributes,
					 verb);
		if (rc)
			return rc;
	} else if (!strcasecmp(verb, "add_device_attribute") ||
		   !strcasecmp(verb, "del_device_attribute")) {
		name = scst_next_lexem(&p);
		if (!*name || !devt->dev_optional_attributes) {
			PRINT_ERROR("%s: not supported or device name missing",
				    verb);
			return -EINVAL;
		}
		rc = scst_devt_check_dev(devt, name, false);
		if (!rc)
			rc = scst_check_opt_attr(p,
					devt->dev_optional_attributes, verb);
		if (rc)
			return rc;
	}
	return scst_call_mgmt_cmd(devt->mgmt_cmd, cmd, verb, devt->name);
}

static int scst_devt_mgmt_work(struct scst_sysfs_work *w)
{
	struct scst_dev_type *devt;
	char *copy;
	int rc;

	mutex_lock(&scst_mutex);
	devt = scst_find_devt(w->name[0]);
	if (devt && !try_module_get(devt->owner))
		devt = NULL;
	mutex_unlock(&scst_mutex);
	if (!devt) {
		PRINT_ERROR("handler %s is being unregistered", w->name[0]);
		return -ENOENT;
	}
	copy = kstrdup(w->buf, GFP_KERNEL);
	rc = copy ? scst_devt_mgmt_exec(devt, w->buf, copy) : -ENOMEM;
	kfree(copy);
	module_put(devt->owner);
	return rc;
}

static ssize_t scst_devt_mgmt_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct scst_dev_type *devt = container_of(kobj, struct scst_dev_type,
						  devt_kobj);

	return scst_queue_work(scst_devt_mgmt_work, buf, count, devt->name,
			       NULL, NULL, 0);
}

static struct kobj_attribute scst_devt_type_attr =
	__ATTR(type, 0444, scst_devt_type_show, NULL);
static struct kobj_attribute scst_devt_mgmt_attr =
	__ATTR(mgmt, 0644, scst_devt_mgmt_show, scst_devt_mgmt_store);

static struct attribute *scst_devt_attrs[] = {
	&scst_devt_type_attr.attr,
	&scst_devt_trace_level_attr.attr,	/* scst_stats.c */
	NULL,
};
ATTRIBUTE_GROUPS(scst_devt);

static const struct kobj_type scst_devt_ktype = {
	.release = scst_devt_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_devt_groups,
};

int scst_devt_sysfs_add(struct scst_dev_type *devt)
{
	int rc;

	devt->trace_mask = SCST_TRACE_DEFAULT;
	rc = kobject_init_and_add(&devt->devt_kobj, &scst_devt_ktype,
				  scst_handlers_kobj, "%s", devt->name);
	if (rc)
		goto fail_put;
	if (devt->add_device || devt->mgmt_cmd) {
		rc = sysfs_create_file(&devt->devt_kobj,
				       &scst_devt_mgmt_attr.attr);
		if (rc)
			goto fail_del;
	}
	if (devt->devt_attrs) {
		rc = sysfs_create_files(&devt->devt_kobj, devt->devt_attrs);
		if (rc)
			goto fail_del;
	}
	return 0;

fail_del:
	scst_kobj_remove(&devt->devt_kobj, &devt->devt_kobj_release_cmpl,
			 true);
	return rc;
fail_put:
	scst_kobj_remove(&devt->devt_kobj, &devt->devt_kobj_release_cmpl,
			 false);
	return rc;
}

void scst_devt_sysfs_del(struct scst_dev_type *devt)
{
	scst_kobj_remove(&devt->devt_kobj, &devt->devt_kobj_release_cmpl,
			 true);
}

/* ---------------------------------------------------------------------
 * Devices: devices/<name>/
 */

static struct scst_device *scst_kobj_dev(struct kobject *kobj)
{
	return container_of(kobj, struct scst_device, dev_kobj);
}

static ssize_t scst_dev_type_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct scst_device *dev = scst_kobj_dev(kobj);

	return sysfs_emit(buf, "%d - %s\n", dev->type,
			  scst_type_name(dev->type));
}

static ssize_t scst_dev_max_cmds_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	int v = READ_ONCE(scst_kobj_dev(kobj)->max_tgt_dev_commands);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", v),
			     v != SCST_DEF_MAX_TGT_DEV_CMDS);
}

static ssize_t scst_dev_max_cmds_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	int v;

	if (scst_get_int(buf, count, &v) || v < 1 || v > 65536) {
		PRINT_ERROR("max_tgt_dev_commands must be 1..65536");
		return -EINVAL;
	}
	WRITE_ONCE(scst_kobj_dev(kobj)->max_tgt_dev_commands, v);
	return count;
}

static ssize_t scst_dev_numa_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	int v = READ_ONCE(scst_kobj_dev(kobj)->numa_node_id);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", v),
			     v != NUMA_NO_NODE);
}

static ssize_t scst_dev_numa_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	int v;

	if (scst_get_int(buf, count, &v) ||
	    (v != NUMA_NO_NODE && (v < 0 || v >= nr_node_ids ||
				   !node_online(v)))) {
		PRINT_ERROR("numa_node_id must be -1 or an online NUMA node");
		return -EINVAL;
	}
	WRITE_ONCE(scst_kobj_dev(kobj)->numa_node_id, v);
	return count;
}

static ssize_t scst_dev_threads_num_show(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 char *buf)
{
	struct scst_device *dev = scst_kobj_dev(kobj);
	int v = READ_ONCE(dev->threads_num);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", v),
			     v != dev->handler->threads_num);
}

/*
 * threads_num and threads_pool_type stop and start threads and wait for
 * the commands on the old ones (scst_dev_set_threads()): sysfs work.
 */
static int scst_dev_threads_num_work(struct scst_device *dev, u64 arg)
{
	return scst_dev_set_threads(dev, (int)arg,
				    READ_ONCE(dev->threads_pool_type));
}

static int scst_dev_pool_type_work(struct scst_device *dev, u64 arg)
{
	return scst_dev_set_threads(dev, READ_ONCE(dev->threads_num),
				    (int)arg);
}

static ssize_t scst_dev_threads_num_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	int v;

	if (scst_get_int(buf, count, &v) || v < 0 || v > 1024) {
		PRINT_ERROR("threads_num must be 0..1024");
		return -EINVAL;
	}
	return scst_queue_dev_work(scst_kobj_dev(kobj), NULL,
				   scst_dev_threads_num_work, v, count);
}

static ssize_t scst_dev_pool_type_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	int v = READ_ONCE(scst_kobj_dev(kobj)->threads_pool_type);

	return scst_emit_key(buf, sysfs_emit(buf, "%s\n",
			v == SCST_THREADS_POOL_SHARED ? "shared" :
							"per_initiator"),
			v != SCST_THREADS_POOL_PER_INITIATOR);
}

static ssize_t scst_dev_pool_type_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	char w[16];
	int t;

	if (scst_get_word(buf, count, w, sizeof(w)))
		w[0] = '\0';
	if (!strcasecmp(w, "per_initiator")) {
		t = SCST_THREADS_POOL_PER_INITIATOR;
	} else if (!strcasecmp(w, "shared")) {
		t = SCST_THREADS_POOL_SHARED;
	} else {
		PRINT_ERROR("threads_pool_type must be per_initiator or shared");
		return -EINVAL;
	}
	return scst_queue_dev_work(scst_kobj_dev(kobj), NULL,
				   scst_dev_pool_type_work, t, count);
}

static ssize_t scst_dev_block_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d 0\n",
			  READ_ONCE(scst_kobj_dev(kobj)->block_count));
}

static int scst_dev_block_work(struct scst_device *dev, u64 arg)
{
	return scst_block_dev(dev, true);
}

/*
 * "1": block and wait for the executing commands (as work, it may take
 * long), "11": block without waiting, "0": unblock (both quick, and
 * unblocking must remain possible while work is stuck).
 */
static ssize_t scst_dev_block_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct scst_device *dev = scst_kobj_dev(kobj);
	char w[8];
	int rc = 0;

	if (scst_get_word(buf, count, w, sizeof(w)))
		w[0] = '\0';
	if (!strcmp(w, "1"))
		return scst_queue_dev_work(dev, NULL, scst_dev_block_work, 0,
					   count);
	if (!strcmp(w, "11")) {
		rc = scst_block_dev(dev, false);
	} else if (!strcmp(w, "0")) {
		if (READ_ONCE(dev->block_count) <= 0) {
			PRINT_ERROR("device %s is not blocked", dev->virt_name);
			return -EINVAL;
		}
		scst_unblock_dev(dev);
	} else {
		PRINT_ERROR("block: write 1 (block and wait), 11 (block) or 0 (unblock)");
		return -EINVAL;
	}
	return rc ? rc : count;
}

static ssize_t scst_dev_expl_alua_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	bool v = READ_ONCE(scst_kobj_dev(kobj)->expl_alua);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", v), v);
}

static ssize_t scst_dev_expl_alua_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	bool v;
	int rc;

	if (scst_get_bool(buf, count, &v)) {
		PRINT_ERROR("expl_alua must be 0 or 1");
		return -EINVAL;
	}
	rc = scst_alua_set_explicit(scst_kobj_dev(kobj), v);
	return rc ? rc : count;
}

static struct kobj_attribute scst_dev_type_attr =
	__ATTR(type, 0444, scst_dev_type_show, NULL);
static struct kobj_attribute scst_dev_max_cmds_attr =
	__ATTR(max_tgt_dev_commands, 0644, scst_dev_max_cmds_show,
	       scst_dev_max_cmds_store);
static struct kobj_attribute scst_dev_numa_attr =
	__ATTR(numa_node_id, 0644, scst_dev_numa_show, scst_dev_numa_store);
static struct kobj_attribute scst_dev_block_attr =
	__ATTR(block, 0644, scst_dev_block_show, scst_dev_block_store);
static struct kobj_attribute scst_dev_expl_alua_attr =
	__ATTR(expl_alua, 0644, scst_dev_expl_alua_show,
	       scst_dev_expl_alua_store);
static struct kobj_attribute scst_dev_threads_num_attr =
	__ATTR(threads_num, 0644, scst_dev_threads_num_show,
	       scst_dev_threads_num_store);
static struct kobj_attribute scst_dev_pool_type_attr =
	__ATTR(threads_pool_type, 0644, scst_dev_pool_type_show,
	       scst_dev_pool_type_store);

static struct attribute *scst_dev_attrs[] = {
	&scst_dev_type_attr.attr,
	&scst_dev_max_cmds_attr.attr,
	&scst_dev_numa_attr.attr,
	&scst_dev_block_attr.attr,
	&scst_dev_expl_alua_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(scst_dev);

static struct attribute *scst_dev_threads_attrs[] = {
	&scst_dev_threads_num_attr.attr,
	&scst_dev_pool_type_attr.attr,
	NULL,
};

static const struct kobj_type scst_dev_ktype = {
	.release = scst_dev_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_dev_groups,
};

static int scst_dev_sysfs_links(struct scst_device *dev)
{
	struct scst_dev_type *devt = dev->handler;
	int rc;

	dev->dev_exp_kobj = kobject_create_and_add("exported", &dev->dev_kobj);
	if (!dev->dev_exp_kobj)
		return -ENOMEM;
	rc = sysfs_create_link(&dev->dev_kobj, &devt->devt_kobj, "handler");
	if (rc)
		return rc;
	rc = sysfs_create_link(&devt->devt_kobj, &dev->dev_kobj,
			       dev->virt_name);
	if (rc)
		return rc;
	if (devt->threads_num >= 0) {
		rc = sysfs_create_files(&dev->dev_kobj,
			(const struct attribute * const *)scst_dev_threads_attrs);
		if (rc)
			return rc;
	}
	if (devt->dev_attrs)
		rc = sysfs_create_files(&dev->dev_kobj, devt->dev_attrs);
	return rc;
}

int scst_dev_sysfs_add(struct scst_device *dev)
{
	int rc;

	if (scst_sysfs_name_taken(&dev->handler->devt_kobj, dev->virt_name)) {
		PRINT_ERROR("device name %s clashes with a file of handler %s",
			    dev->virt_name, dev->handler->name);
		return -EINVAL;
	}
	rc = kobject_init_and_add(&dev->dev_kobj, &scst_dev_ktype,
				  scst_devices_kobj, "%s", dev->virt_name);
	if (rc) {
		scst_kobj_remove(&dev->dev_kobj, &dev->dev_kobj_release_cmpl,
				 false);
		return rc;
	}
	rc = scst_dev_sysfs_links(dev);
	if (rc) {
		PRINT_ERROR("cannot create sysfs entries of device %s: %d",
			    dev->virt_name, rc);
		scst_dev_sysfs_del(dev);
	}
	return rc;
}

void scst_dev_sysfs_del(struct scst_device *dev)
{
	sysfs_remove_link(&dev->handler->devt_kobj, dev->virt_name);
	scst_put_subdir(&dev->dev_exp_kobj);
	scst_kobj_remove(&dev->dev_kobj, &dev->dev_kobj_release_cmpl, true);
}

/* ---------------------------------------------------------------------
 * Target drivers: targets/<driver>/
 */

static ssize_t scst_tgtt_mgmt_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct scst_tgt_template *tgtt =
		container_of(kobj, struct scst_tgt_template, tgtt_kobj);
	ssize_t n;

	n = sysfs_emit(buf, "Usage: echo \"add_target NAME [PARAM=VALUE[;PARAM=VALUE...]]\" >mgmt\n"
			    "       echo \"del_target NAME\" >mgmt\n");
	if (tgtt->tgtt_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"       echo \"add_attribute ATTRIBUTE VALUE\" >mgmt\n"
			"       echo \"del_attribute ATTRIBUTE VALUE\" >mgmt\n");
	if (tgtt->tgt_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"       echo \"add_target_attribute TARGET ATTRIBUTE VALUE\" >mgmt\n"
			"       echo \"del_target_attribute TARGET ATTRIBUTE VALUE\" >mgmt\n");
	if (tgtt->mgmt_cmd_help)
		n += sysfs_emit_at(buf, n, "%s", tgtt->mgmt_cmd_help);
	n = scst_emit_list(buf, n, "\nThe following parameters available: ",
			   tgtt->add_target_parameters);
	if (tgtt->tgtt_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"The following target driver attributes available: %s\n",
			tgtt->tgtt_optional_attributes);
	if (tgtt->tgt_optional_attributes)
		n += sysfs_emit_at(buf, n,
			"The following target attributes available: %s\n",
			tgtt->tgt_optional_attributes);
	return n;
}

static bool scst_tgt_exists(struct scst_tgt_template *tgtt, const char *name)
{
	bool res;

	mutex_lock(&scst_mutex);
	res = scst_find_tgt(tgtt, name);
	mutex_unlock(&scst_mutex);
	return res;
}

static int scst_tgtt_add_target(struct scst_tgt_template *tgtt, char *p)
{
	char *name = scst_next_lexem(&p);
	ssize_t res;

	if (!*name) {
		PRINT_ERROR("add_target: target name missing");
		return -EINVAL;
	}
	if (!scst_is_valid_name(name)) {
		PRINT_ERROR("add_target: invalid target name \"%s\"", name);
		return -EINVAL;
	}
	if (!tgtt->add_target) {
		PRINT_ERROR("driver %s cannot add targets", tgtt->name);
		return -EINVAL;
	}
	p = skip_spaces(p);
	if (*p && !tgtt->add_target_parameters) {
		PRINT_ERROR("add_target: driver %s takes no parameters",
			    tgtt->name);
		return -EINVAL;
	}
	if (scst_check_params(p, tgtt->add_target_parameters, "add_target"))
		return -EINVAL;
	if (scst_tgt_exists(tgtt, name)) {
		PRINT_ERROR("add_target: target %s already exists", name);
		return -EEXIST;
	}
	res = tgtt->add_target(name, p);
	return res < 0 ? res : 0;
}

static int scst_tgtt_del_target(struct scst_tgt_template *tgtt, char *p)
{
	char *name = scst_next_lexem(&p);
	ssize_t res;

	if (!*name) {
		PRINT_ERROR("del_target: target name missing");
		return -EINVAL;
	}
	if (!scst_no_more_lexems(&p, "del_target"))
		return -EINVAL;
	if (!tgtt->del_target) {
		PRINT_ERROR("driver %s cannot delete targets", tgtt->name);
		return -EINVAL;
	}
	if (!scst_tgt_exists(tgtt, name)) {
		PRINT_ERROR("del_target: driver %s has no target %s",
			    tgtt->name, name);
		return -ENOENT;
	}
	res = tgtt->del_target(name);
	return res < 0 ? res : 0;
}

static int scst_tgtt_mgmt_exec(struct scst_tgt_template *tgtt,
			       const char *cmd, char *p)
{
	char *verb = scst_next_lexem(&p), *name;
	int rc;

	if (!*verb) {
		PRINT_ERROR("driver %s: empty command", tgtt->name);
		return -EINVAL;
	}
	if (!strcasecmp(verb, "add_target"))
		return scst_tgtt_add_target(tgtt, p);
	if (!strcasecmp(verb, "del_target"))
		return scst_tgtt_del_target(tgtt, p);
	if (!strcasecmp(verb, "add_attribute") ||
	    !strcasecmp(verb, "del_attribute")) {
		rc = scst_check_opt_attr(p, tgtt->tgtt_optional_attributes,
					 verb);
		if (rc)
			return rc;
	} else if (!strcasecmp(verb, "add_target_attribute") ||
		   !strcasecmp(verb, "del_target_attribute")) {
		name = scst_next_lexem(&p);
		if (!*name || !tgtt->tgt_optional_attributes) {
			PRINT_ERROR("%s: not supported or target name missing",
				    verb);
			return -EINVAL;
		}
		if (!scst_tgt_exists(tgtt, name)) {
			PRINT_ERROR("%s: driver %s has no target %s", verb,
				    tgtt->name, name);
			return -ENOENT;
		}
		rc = scst_check_opt_attr(p, tgtt->tgt_optional_attributes,
					 verb);
		if (rc)
			return rc;
	}
	return scst_call_mgmt_cmd(tgtt->mgmt_cmd, cmd, verb, tgtt->name);
}

static int scst_tgtt_mgmt_work(struct scst_sysfs_work *w)
{
	struct scst_tgt_template *tgtt;
	char *copy;
	int rc;

	mutex_lock(&scst_mutex);
	tgtt = scst_find_tgtt(w->name[0]);
	if (tgtt && !try_module_get(tgtt->owner))
		tgtt = NULL;
	mutex_unlock(&scst_mutex);
	if (!tgtt) {
		PRINT_ERROR("target driver %s is being unregistered",
			    w->name[0]);
		return -ENOENT;
	}
	copy = kstrdup(w->buf, GFP_KERNEL);
	rc = copy ? scst_tgtt_mgmt_exec(tgtt, w->buf, copy) : -ENOMEM;
	kfree(copy);
	module_put(tgtt->owner);
	return rc;
}

static ssize_t scst_tgtt_mgmt_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	struct scst_tgt_template *tgtt =
		container_of(kobj, struct scst_tgt_template, tgtt_kobj);

	return scst_queue_work(scst_tgtt_mgmt_work, buf, count, tgtt->name,
			       NULL, NULL, 0);
}

static struct kobj_attribute scst_tgtt_mgmt_attr =
	__ATTR(mgmt, 0644, scst_tgtt_mgmt_show, scst_tgtt_mgmt_store);

static struct attribute *scst_tgtt_attrs[] = {
	&scst_tgtt_trace_level_attr.attr,	/* scst_stats.c */
	NULL,
};
ATTRIBUTE_GROUPS(scst_tgtt);

static const struct kobj_type scst_tgtt_ktype = {
	.release = scst_tgtt_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_tgtt_groups,
};

int scst_tgtt_sysfs_add(struct scst_tgt_template *tgtt)
{
	int rc;

	tgtt->trace_mask = SCST_TRACE_DEFAULT;
	rc = kobject_init_and_add(&tgtt->tgtt_kobj, &scst_tgtt_ktype,
				  scst_targets_kobj, "%s", tgtt->name);
	if (rc) {
		scst_kobj_remove(&tgtt->tgtt_kobj,
				 &tgtt->tgtt_kobj_release_cmpl, false);
		return rc;
	}
	if (tgtt->add_target || tgtt->mgmt_cmd)
		rc = sysfs_create_file(&tgtt->tgtt_kobj,
				       &scst_tgtt_mgmt_attr.attr);
	if (!rc && tgtt->tgtt_attrs)
		rc = sysfs_create_files(&tgtt->tgtt_kobj, tgtt->tgtt_attrs);
	if (rc)
		scst_tgtt_sysfs_del(tgtt);
	return rc;
}

void scst_tgtt_sysfs_del(struct scst_tgt_template *tgtt)
{
	scst_kobj_remove(&tgtt->tgtt_kobj, &tgtt->tgtt_kobj_release_cmpl,
			 true);
}

/* ---------------------------------------------------------------------
 * LUN mappings: .../luns/mgmt and .../luns/<N>/
 */

static const char scst_luns_help[] =
	"Usage: echo \"add DEVICE LUN [read_only=0|1]\" >mgmt\n"
	"       echo \"replace DEVICE LUN [read_only=0|1]\" >mgmt\n"
	"       echo \"replace_no_ua DEVICE LUN [read_only=0|1]\" >mgmt\n"
	"       echo \"del LUN\" >mgmt\n"
	"       echo \"clear\" >mgmt\n"
	"\n"
	"LUN is a number from 0 to 16383.  \"replace\" maps another device to an\n"
	"existing LUN (or adds the LUN) and reports INQUIRY DATA HAS CHANGED to\n"
	"the initiators; \"replace_no_ua\" does the same silently.";

static ssize_t scst_luns_mgmt_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", scst_luns_help);
}

static int scst_parse_lun(const char *s, u64 *lun)
{
	if (!*s) {
		PRINT_ERROR("LUN number missing");
		return -EINVAL;
	}
	if (scst_parse_u64(s, lun) || *lun > SCST_MAX_LUN) {
		PRINT_ERROR("invalid LUN \"%s\" (must be 0..%d)", s,
			    SCST_MAX_LUN);
		return -EINVAL;
	}
	return 0;
}

static int scst_parse_read_only(char *p, bool *ro)
{
	static const char *const allowed[] = { "read_only", NULL };
	struct scst_param param;
	const char *bad = NULL;
	int n;

	*ro = false;
	n = scst_parse_params(p, allowed, &param, 1, &bad);
	if (n < 0) {
		PRINT_ERROR("LUN parameters: invalid or unknown \"%s\" (only read_only=0|1)",
			    bad ?: "");
		return -EINVAL;
	}
	if (n == 1 && scst_parse_bool(param.value, ro)) {
		PRINT_ERROR("read_only must be 0 or 1, not \"%s\"", param.value);
		return -EINVAL;
	}
	return 0;
}

static struct scst_device *scst_lookup_dev(const char *name)
{
	struct scst_device *dev;

	mutex_lock(&scst_mutex);
	dev = scst_find_dev(name);
	mutex_unlock(&scst_mutex);
	if (!dev)
		PRINT_ERROR("device %s does not exist", name);
	return dev;
}

static int scst_luns_add(struct scst_acg *acg, char *p, bool replace,
			 bool gen_ua)
{
	char *devname = scst_next_lexem(&p), *slun;
	struct scst_device *dev;
	bool ro;
	u64 lun;

	if (!*devname) {
		PRINT_ERROR("device name missing");
		return -EINVAL;
	}
	slun = scst_next_lexem(&p);
	if (scst_parse_lun(slun, &lun) || scst_parse_read_only(p, &ro))
		return -EINVAL;
	dev = scst_lookup_dev(devname);
	if (!dev)
		return -ENOENT;
	return scst_acg_add_lun(acg, dev, lun, ro, replace, gen_ua);
}

static int scst_luns_mgmt_exec(struct scst_acg *acg, char *p)
{
	char *verb = scst_next_lexem(&p);
	u64 lun;

	if (!strcasecmp(verb, "add"))
		return scst_luns_add(acg, p, false, true);
	if (!strcasecmp(verb, "replace"))
		return scst_luns_add(acg, p, true, true);
	if (!strcasecmp(verb, "replace_no_ua"))
		return scst_luns_add(acg, p, true, false);
	if (!strcasecmp(verb, "del")) {
		if (scst_parse_lun(scst_next_lexem(&p), &lun) ||
		    !scst_no_more_lexems(&p, "del"))
			return -EINVAL;
		return scst_acg_del_lun(acg, lun, true);
	}
	if (!strcasecmp(verb, "clear")) {
		if (!scst_no_more_lexems(&p, "clear"))
			return -EINVAL;
		return scst_acg_clear_luns(acg);
	}
	PRINT_ERROR("unknown LUN command \"%s\"", verb);
	return -EINVAL;
}

/* Resolve names {driver, target, group or NULL} to an acg, tgt pinned */
static struct scst_acg *scst_work_get_acg(struct scst_sysfs_work *w,
					  const char *group,
					  struct scst_tgt **tgtp)
{
	struct scst_tgt *tgt;
	struct scst_acg *acg;

	mutex_lock(&scst_mutex);
	tgt = scst_work_get_tgt(w);
	if (!tgt) {
		mutex_unlock(&scst_mutex);
		return NULL;
	}
	acg = group ? scst_find_acg(tgt, group) : tgt->default_acg;
	mutex_unlock(&scst_mutex);
	if (!acg) {
		PRINT_ERROR("group %s of target %s does not exist", group,
			    tgt->tgt_name);
		scst_work_put_tgt(tgt);
		return NULL;
	}
	*tgtp = tgt;
	return acg;
}

static int scst_luns_mgmt_work(struct scst_sysfs_work *w)
{
	struct scst_tgt *tgt;
	struct scst_acg *acg;
	int rc;

	acg = scst_work_get_acg(w, w->name[2], &tgt);
	if (!acg)
		return -ENOENT;
	rc = scst_luns_mgmt_exec(acg, w->buf);
	scst_work_put_tgt(tgt);
	return rc;
}

static ssize_t scst_tgt_luns_mgmt_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	struct scst_tgt *tgt = container_of(kobj->parent, struct scst_tgt,
					    tgt_kobj);

	return scst_queue_work(scst_luns_mgmt_work, buf, count,
			       tgt->tgtt->name, tgt->tgt_name, NULL, 0);
}

static ssize_t scst_acg_luns_mgmt_store(struct kobject *kobj,
					struct kobj_attribute *attr,
					const char *buf, size_t count)
{
	struct scst_acg *acg = container_of(kobj->parent, struct scst_acg,
					    acg_kobj);
	struct scst_tgt *tgt = acg->tgt;

	return scst_queue_work(scst_luns_mgmt_work, buf, count,
			       tgt->tgtt->name, tgt->tgt_name, acg->acg_name,
			       0);
}

static struct kobj_attribute scst_tgt_luns_mgmt_attr =
	__ATTR(mgmt, 0644, scst_luns_mgmt_show, scst_tgt_luns_mgmt_store);
static struct kobj_attribute scst_acg_luns_mgmt_attr =
	__ATTR(mgmt, 0644, scst_luns_mgmt_show, scst_acg_luns_mgmt_store);

static ssize_t scst_lun_ro_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct scst_acg_dev *acg_dev =
		container_of(kobj, struct scst_acg_dev, acg_dev_kobj);
	bool ro = READ_ONCE(acg_dev->rd_only);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", ro), ro);
}

static struct kobj_attribute scst_lun_ro_attr =
	__ATTR(read_only, 0444, scst_lun_ro_show, NULL);

static struct attribute *scst_acg_dev_attrs[] = {
	&scst_lun_ro_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(scst_acg_dev);

static const struct kobj_type scst_acg_dev_ktype = {
	.release = scst_acg_dev_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_acg_dev_groups,
};

static int scst_acg_dev_export(struct scst_acg_dev *acg_dev,
			       struct scst_device *dev, char *name,
			       size_t len)
{
	int rc;

	snprintf(name, len, "export%u", dev->dev_exp_next);
	rc = sysfs_create_link(dev->dev_exp_kobj, &acg_dev->acg_dev_kobj,
			       name);
	if (!rc)
		dev->dev_exp_next++;
	return rc;
}

int scst_acg_dev_sysfs_add(struct scst_acg_dev *acg_dev)
{
	int rc;

	rc = kobject_init_and_add(&acg_dev->acg_dev_kobj, &scst_acg_dev_ktype,
				  acg_dev->acg->luns_kobj, "%llu",
				  acg_dev->lun);
	if (rc) {
		scst_kobj_remove(&acg_dev->acg_dev_kobj,
				 &acg_dev->acg_dev_kobj_release_cmpl, false);
		return rc;
	}
	rc = sysfs_create_link(&acg_dev->acg_dev_kobj, &acg_dev->dev->dev_kobj,
			       "device");
	if (!rc)
		rc = scst_acg_dev_export(acg_dev, acg_dev->dev,
					 acg_dev->exp_link_name,
					 sizeof(acg_dev->exp_link_name));
	if (rc) {
		acg_dev->exp_link_name[0] = '\0';
		scst_acg_dev_sysfs_del(acg_dev);
	}
	return rc;
}

int scst_acg_dev_sysfs_replace(struct scst_acg_dev *acg_dev,
			       struct scst_device *new_dev)
{
	char name[sizeof(acg_dev->exp_link_name)];
	int rc;

	rc = scst_acg_dev_export(acg_dev, new_dev, name, sizeof(name));
	if (rc)
		return rc;
	sysfs_remove_link(&acg_dev->acg_dev_kobj, "device");
	rc = sysfs_create_link(&acg_dev->acg_dev_kobj, &new_dev->dev_kobj,
			       "device");
	if (rc)
		PRINT_ERROR("LUN %llu: cannot link to device %s: %d",
			    acg_dev->lun, new_dev->virt_name, rc);
	sysfs_remove_link(acg_dev->dev->dev_exp_kobj, acg_dev->exp_link_name);
	strscpy(acg_dev->exp_link_name, name, sizeof(acg_dev->exp_link_name));
	return 0;
}

void scst_acg_dev_sysfs_del(struct scst_acg_dev *acg_dev)
{
	if (acg_dev->exp_link_name[0])
		sysfs_remove_link(acg_dev->dev->dev_exp_kobj,
				  acg_dev->exp_link_name);
	scst_kobj_remove(&acg_dev->acg_dev_kobj,
			 &acg_dev->acg_dev_kobj_release_cmpl, true);
}

/* ---------------------------------------------------------------------
 * Initiator groups: ini_groups/mgmt, ini_groups/<g>/
 */

static ssize_t scst_ini_groups_mgmt_show(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf,
		"Usage: echo \"create GROUP\" >mgmt\n"
		"       echo \"del GROUP\" >mgmt\n"
		"\n"
		"A group can only be deleted while no session uses it.\n");
}

static int scst_ini_groups_exec(struct scst_tgt *tgt, char *p)
{
	char *verb = scst_next_lexem(&p), *name = scst_next_lexem(&p);
	struct scst_acg *acg;

	if (strcasecmp(verb, "create") && strcasecmp(verb, "del")) {
		PRINT_ERROR("unknown group command \"%s\"", verb);
		return -EINVAL;
	}
	if (!*name) {
		PRINT_ERROR("%s: group name missing", verb);
		return -EINVAL;
	}
	if (!scst_no_more_lexems(&p, verb))
		return -EINVAL;
	if (!strcasecmp(verb, "create")) {
		acg = scst_acg_create(tgt, name);
		return IS_ERR(acg) ? PTR_ERR(acg) : 0;
	}
	mutex_lock(&scst_mutex);
	acg = scst_find_acg(tgt, name);
	mutex_unlock(&scst_mutex);
	if (!acg) {
		PRINT_ERROR("group %s of target %s does not exist", name,
			    tgt->tgt_name);
		return -ENOENT;
	}
	return scst_acg_destroy(acg);
}

static int scst_ini_groups_work(struct scst_sysfs_work *w)
{
	struct scst_tgt *tgt;
	int rc;

	mutex_lock(&scst_mutex);
	tgt = scst_work_get_tgt(w);
	mutex_unlock(&scst_mutex);
	if (!tgt)
		return -ENOENT;
	rc = scst_ini_groups_exec(tgt, w->buf);
	scst_work_put_tgt(tgt);
	return rc;
}

static ssize_t scst_ini_groups_mgmt_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	struct scst_tgt *tgt = container_of(kobj->parent, struct scst_tgt,
					    tgt_kobj);

	return scst_queue_work(scst_ini_groups_work, buf, count,
			       tgt->tgtt->name, tgt->tgt_name, NULL, 0);
}

static struct kobj_attribute scst_ini_groups_mgmt_attr =
	__ATTR(mgmt, 0644, scst_ini_groups_mgmt_show,
	       scst_ini_groups_mgmt_store);

/* initiators/mgmt */
static ssize_t scst_acn_mgmt_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
		"Usage: echo \"add INITIATOR\" >mgmt\n"
		"       echo \"del INITIATOR\" >mgmt\n"
		"       echo \"move INITIATOR DEST_GROUP\" >mgmt\n"
		"       echo \"clear\" >mgmt\n"
		"\n"
		"INITIATOR may be a pattern: '*' matches any characters, '?' one\n"
		"character, and a leading '!' excludes the matching names.\n");
}

static int scst_acn_move(struct scst_acg *acg, char *name, char *p)
{
	char *dest = scst_next_lexem(&p);
	struct scst_acg *to;

	if (!*dest) {
		PRINT_ERROR("move: destination group missing");
		return -EINVAL;
	}
	if (!scst_no_more_lexems(&p, "move"))
		return -EINVAL;
	mutex_lock(&scst_mutex);
	to = scst_find_acg(acg->tgt, dest);
	mutex_unlock(&scst_mutex);
	if (!to) {
		PRINT_ERROR("move: group %s does not exist", dest);
		return -ENOENT;
	}
	return scst_acg_move_acn(acg, to, name);
}

static int scst_acn_mgmt_exec(struct scst_acg *acg, char *p)
{
	char *verb = scst_next_lexem(&p), *name;

	if (!strcasecmp(verb, "clear")) {
		if (!scst_no_more_lexems(&p, "clear"))
			return -EINVAL;
		return scst_acg_clear_acns(acg);
	}
	if (strcasecmp(verb, "add") && strcasecmp(verb, "del") &&
	    strcasecmp(verb, "move")) {
		PRINT_ERROR("unknown initiator command \"%s\"", verb);
		return -EINVAL;
	}
	name = scst_next_lexem(&p);
	if (!*name) {
		PRINT_ERROR("%s: initiator name missing", verb);
		return -EINVAL;
	}
	if (!strcasecmp(verb, "move"))
		return scst_acn_move(acg, name, p);
	if (!scst_no_more_lexems(&p, verb))
		return -EINVAL;
	if (!strcasecmp(verb, "add"))
		return scst_acg_add_acn(acg, name);
	return scst_acg_del_acn(acg, name);
}

static int scst_acn_mgmt_work(struct scst_sysfs_work *w)
{
	struct scst_tgt *tgt;
	struct scst_acg *acg;
	int rc;

	acg = scst_work_get_acg(w, w->name[2], &tgt);
	if (!acg)
		return -ENOENT;
	rc = scst_acn_mgmt_exec(acg, w->buf);
	scst_work_put_tgt(tgt);
	return rc;
}

static ssize_t scst_acn_mgmt_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct scst_acg *acg = container_of(kobj->parent, struct scst_acg,
					    acg_kobj);

	return scst_queue_work(scst_acn_mgmt_work, buf, count,
			       acg->tgt->tgtt->name, acg->tgt->tgt_name,
			       acg->acg_name, 0);
}

static struct kobj_attribute scst_acn_mgmt_attr =
	__ATTR(mgmt, 0644, scst_acn_mgmt_show, scst_acn_mgmt_store);

/* One file per initiator name; its content is the name */
static ssize_t scst_acn_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", attr->attr.name);
}

int scst_acn_sysfs_add(struct scst_acn *acn)
{
	struct kobject *dir = acn->acg->initiators_kobj;
	struct kobj_attribute *a;
	int rc;

	if (scst_sysfs_name_taken(dir, acn->name)) {
		PRINT_ERROR("initiator name %s is reserved", acn->name);
		return -EINVAL;
	}
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	sysfs_attr_init(&a->attr);
	a->attr.name = acn->name;
	a->attr.mode = 0444;
	a->show = scst_acn_show;
	rc = sysfs_create_file(dir, &a->attr);
	if (rc) {
		kfree(a);
		return rc;
	}
	acn->acn_attr = a;
	return 0;
}

void scst_acn_sysfs_del(struct scst_acn *acn)
{
	if (!acn->acn_attr)
		return;
	sysfs_remove_file(acn->acg->initiators_kobj, &acn->acn_attr->attr);
	kfree(acn->acn_attr);
	acn->acn_attr = NULL;
}

/*
 * io_grouping_type, cpu_mask and black_hole: the same knobs on a target
 * (for its default LUN set) and on each of its initiator groups.
 *
 * black_hole takes effect through sess->dp_black_hole (scst_targ.c).
 * io_grouping_type and cpu_mask shape the I/O groups of devices with
 * threads_pool_type per_initiator (scst_iogrp.c): cpu_mask rebinds their
 * threads at once, io_grouping_type applies to nexuses created afterwards.
 * The global pool and shared device pools serve every target and stay
 * unbound.
 */
static const struct kobj_type scst_acg_ktype;

static struct scst_acg *scst_kobj_io_acg(struct kobject *kobj)
{
	if (kobj->ktype == &scst_acg_ktype)
		return container_of(kobj, struct scst_acg, acg_kobj);
	return container_of(kobj, struct scst_tgt, tgt_kobj)->default_acg;
}

static struct scst_io_opts *scst_kobj_io_opts(struct kobject *kobj)
{
	if (kobj->ktype == &scst_acg_ktype)
		return &container_of(kobj, struct scst_acg, acg_kobj)->io_opts;
	return &container_of(kobj, struct scst_tgt, tgt_kobj)->io_opts;
}

static ssize_t scst_io_grouping_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return scst_io_grouping_show_val(buf,
			READ_ONCE(scst_kobj_io_opts(kobj)->io_grouping_type));
}

static ssize_t scst_io_grouping_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	struct scst_acg *acg;
	int t;

	if (scst_io_grouping_parse(buf, count, &t))
		return -EINVAL;
	mutex_lock(&scst_mutex);
	WRITE_ONCE(scst_kobj_io_opts(kobj)->io_grouping_type, t);
	acg = scst_kobj_io_acg(kobj);
	if (acg && !list_empty(&acg->acg_sess_list))
		PRINT_INFO("io_grouping_type of %s applies to sessions and LUNs created from now on",
			   kobject_name(kobj));
	mutex_unlock(&scst_mutex);
	return count;
}

static ssize_t scst_cpu_mask_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	ssize_t n;

	mutex_lock(&scst_mutex);
	n = scst_cpu_mask_show_val(buf, &scst_kobj_io_opts(kobj)->cpu_mask);
	mutex_unlock(&scst_mutex);
	return n;
}

static ssize_t scst_cpu_mask_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct scst_acg *acg;
	int rc;

	mutex_lock(&scst_mutex);
	rc = scst_cpu_mask_parse(buf, count,
				 &scst_kobj_io_opts(kobj)->cpu_mask);
	acg = scst_kobj_io_acg(kobj);
	if (!rc && acg)
		scst_acg_apply_cpu_mask(acg);
	mutex_unlock(&scst_mutex);
	return rc ? rc : count;
}

static ssize_t scst_black_hole_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	int v = READ_ONCE(scst_kobj_io_opts(kobj)->black_hole);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", v), v != 0);
}

/*
 * The data plane reads black_hole from the session (sess->acg may change
 * under it): the value of its LUN set, the target's for the default one.
 * scst_mutex held.
 */
static void scst_sess_black_hole_update(struct scst_session *sess)
{
	struct scst_acg *acg = sess->acg;
	int v = 0;

	if (acg)
		v = acg->is_default ? sess->tgt->io_opts.black_hole :
				      acg->io_opts.black_hole;
	WRITE_ONCE(sess->dp_black_hole, v);
}

static ssize_t scst_black_hole_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	int v;

	struct scst_session *sess;
	struct scst_tgt *tgt;

	if (scst_black_hole_parse(buf, count, &v))
		return -EINVAL;
	if (kobj->ktype == &scst_acg_ktype)
		tgt = container_of(kobj, struct scst_acg, acg_kobj)->tgt;
	else
		tgt = container_of(kobj, struct scst_tgt, tgt_kobj);
	mutex_lock(&scst_mutex);
	WRITE_ONCE(scst_kobj_io_opts(kobj)->black_hole, v);
	list_for_each_entry(sess, &tgt->sess_list, sess_list_entry)
		scst_sess_black_hole_update(sess);
	mutex_unlock(&scst_mutex);
	return count;
}

static struct kobj_attribute scst_io_grouping_attr =
	__ATTR(io_grouping_type, 0644, scst_io_grouping_show,
	       scst_io_grouping_store);
static struct kobj_attribute scst_cpu_mask_attr =
	__ATTR(cpu_mask, 0644, scst_cpu_mask_show, scst_cpu_mask_store);
static struct kobj_attribute scst_black_hole_attr =
	__ATTR(black_hole, 0644, scst_black_hole_show, scst_black_hole_store);

/* Group attributes */
static struct scst_acg *scst_kobj_acg(struct kobject *kobj)
{
	return container_of(kobj, struct scst_acg, acg_kobj);
}

static ssize_t scst_acg_addr_method_show(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 char *buf)
{
	return scst_addr_method_show_val(buf,
				READ_ONCE(scst_kobj_acg(kobj)->addr_method));
}

static ssize_t scst_acg_addr_method_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	int m;

	if (scst_addr_method_parse(buf, count, &m))
		return -EINVAL;
	WRITE_ONCE(scst_kobj_acg(kobj)->addr_method, m);
	return count;
}

static struct kobj_attribute scst_acg_addr_method_attr =
	__ATTR(addr_method, 0644, scst_acg_addr_method_show,
	       scst_acg_addr_method_store);

static struct attribute *scst_acg_attrs[] = {
	&scst_acg_addr_method_attr.attr,
	&scst_io_grouping_attr.attr,
	&scst_cpu_mask_attr.attr,
	&scst_black_hole_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(scst_acg);

static const struct kobj_type scst_acg_ktype = {
	.release = scst_acg_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_acg_groups,
};

int scst_acg_sysfs_add(struct scst_acg *acg)
{
	struct kobject *dir = acg->tgt->tgt_ini_grp_kobj;
	int rc;

	if (scst_sysfs_name_taken(dir, acg->acg_name)) {
		PRINT_ERROR("group name %s is reserved", acg->acg_name);
		return -EINVAL;
	}
	rc = kobject_init_and_add(&acg->acg_kobj, &scst_acg_ktype, dir, "%s",
				  acg->acg_name);
	if (rc) {
		scst_kobj_remove(&acg->acg_kobj, &acg->acg_kobj_release_cmpl,
				 false);
		return rc;
	}
	rc = -ENOMEM;
	acg->luns_kobj = kobject_create_and_add("luns", &acg->acg_kobj);
	if (!acg->luns_kobj)
		goto fail;
	rc = sysfs_create_file(acg->luns_kobj, &scst_acg_luns_mgmt_attr.attr);
	if (rc)
		goto fail;
	rc = -ENOMEM;
	acg->initiators_kobj = kobject_create_and_add("initiators",
						      &acg->acg_kobj);
	if (!acg->initiators_kobj)
		goto fail;
	rc = sysfs_create_file(acg->initiators_kobj, &scst_acn_mgmt_attr.attr);
	if (rc)
		goto fail;
	return 0;
fail:
	scst_acg_sysfs_del(acg);
	return rc;
}

void scst_acg_sysfs_del(struct scst_acg *acg)
{
	scst_put_subdir(&acg->luns_kobj);
	scst_put_subdir(&acg->initiators_kobj);
	scst_kobj_remove(&acg->acg_kobj, &acg->acg_kobj_release_cmpl, true);
}

/* ---------------------------------------------------------------------
 * Targets: targets/<driver>/<target>/
 */

static struct scst_tgt *scst_kobj_tgt(struct kobject *kobj)
{
	return container_of(kobj, struct scst_tgt, tgt_kobj);
}

static ssize_t scst_tgt_enabled_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	struct scst_tgt *tgt = scst_kobj_tgt(kobj);
	bool en = tgt->tgtt->is_target_enabled(tgt);

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", en), en);
}

static int scst_tgt_enable_work(struct scst_sysfs_work *w)
{
	struct scst_tgt *tgt;
	int rc;

	mutex_lock(&scst_mutex);
	tgt = scst_work_get_tgt(w);
	mutex_unlock(&scst_mutex);
	if (!tgt)
		return -ENOENT;
	rc = tgt->tgtt->enable_target(tgt, w->arg);
	if (rc)
		PRINT_ERROR("driver %s failed to %s target %s: %d",
			    tgt->tgtt->name, w->arg ? "enable" : "disable",
			    tgt->tgt_name, rc);
	scst_work_put_tgt(tgt);
	return rc;
}

static ssize_t scst_tgt_enabled_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	struct scst_tgt *tgt = scst_kobj_tgt(kobj);
	bool en;

	if (scst_get_bool(buf, count, &en)) {
		PRINT_ERROR("enabled must be 0 or 1");
		return -EINVAL;
	}
	return scst_queue_work(scst_tgt_enable_work, NULL, count,
			       tgt->tgtt->name, tgt->tgt_name, NULL, en);
}

static ssize_t scst_tgt_rel_id_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct scst_tgt *tgt = scst_kobj_tgt(kobj);

	return scst_emit_key(buf, sysfs_emit(buf, "%u\n", tgt->rel_tgt_id),
			     tgt->rel_tgt_id_set);
}

static ssize_t scst_tgt_rel_id_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	char w[24];
	u32 id;
	int rc;

	if (scst_get_word(buf, count, w, sizeof(w)) ||
	    scst_parse_u32(w, &id)) {
		PRINT_ERROR("rel_tgt_id must be a number 1..65535");
		return -EINVAL;
	}
	rc = scst_tgt_set_rel_tgt_id(scst_kobj_tgt(kobj), id);
	return rc ? rc : count;
}

static ssize_t scst_tgt_comment_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	struct scst_tgt *tgt = scst_kobj_tgt(kobj);
	ssize_t n = 0;

	mutex_lock(&scst_mutex);
	if (tgt->comment)
		n = scst_emit_key(buf, sysfs_emit(buf, "%s\n", tgt->comment),
				  true);
	mutex_unlock(&scst_mutex);
	return n;
}

static ssize_t scst_tgt_comment_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	struct scst_tgt *tgt = scst_kobj_tgt(kobj);
	size_t len = count;
	char *c = NULL;

	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	if (memchr(buf, '\n', len)) {
		PRINT_ERROR("comment must be a single line");
		return -EINVAL;
	}
	if (len) {
		c = kmemdup_nul(buf, len, GFP_KERNEL);
		if (!c)
			return -ENOMEM;
	}
	mutex_lock(&scst_mutex);
	swap(tgt->comment, c);
	mutex_unlock(&scst_mutex);
	kfree(c);
	return count;
}

static ssize_t scst_tgt_addr_method_show(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 char *buf)
{
	return scst_addr_method_show_val(buf,
				READ_ONCE(scst_kobj_tgt(kobj)->addr_method));
}

static ssize_t scst_tgt_addr_method_store(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  const char *buf, size_t count)
{
	struct scst_tgt *tgt = scst_kobj_tgt(kobj);
	int m;

	if (scst_addr_method_parse(buf, count, &m))
		return -EINVAL;
	/* The default LUN set follows the target's addressing method */
	mutex_lock(&scst_mutex);
	tgt->addr_method = m;
	if (tgt->default_acg)
		tgt->default_acg->addr_method = m;
	mutex_unlock(&scst_mutex);
	return count;
}

static ssize_t scst_tgt_aen_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	bool v = scst_kobj_tgt(kobj)->aen_disabled;

	return scst_emit_key(buf, sysfs_emit(buf, "%d\n", v), v);
}

static ssize_t scst_tgt_aen_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	bool v;

	if (scst_get_bool(buf, count, &v)) {
		PRINT_ERROR("aen_disabled must be 0 or 1");
		return -EINVAL;
	}
	mutex_lock(&scst_mutex);
	scst_kobj_tgt(kobj)->aen_disabled = v;
	mutex_unlock(&scst_mutex);
	return count;
}

static ssize_t scst_tgt_sg_tablesize_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	return sysfs_emit(buf, "%d\n", scst_kobj_tgt(kobj)->sg_tablesize);
}

static struct kobj_attribute scst_tgt_enabled_attr =
	__ATTR(enabled, 0644, scst_tgt_enabled_show, scst_tgt_enabled_store);
static struct kobj_attribute scst_tgt_rel_id_attr =
	__ATTR(rel_tgt_id, 0644, scst_tgt_rel_id_show, scst_tgt_rel_id_store);
static struct kobj_attribute scst_tgt_comment_attr =
	__ATTR(comment, 0644, scst_tgt_comment_show, scst_tgt_comment_store);
static struct kobj_attribute scst_tgt_addr_method_attr =
	__ATTR(addr_method, 0644, scst_tgt_addr_method_show,
	       scst_tgt_addr_method_store);
static struct kobj_attribute scst_tgt_aen_attr =
	__ATTR(aen_disabled, 0644, scst_tgt_aen_show, scst_tgt_aen_store);
static struct kobj_attribute scst_tgt_sg_tablesize_attr =
	__ATTR(sg_tablesize, 0444, scst_tgt_sg_tablesize_show, NULL);

static struct attribute *scst_tgt_attrs[] = {
	&scst_tgt_rel_id_attr.attr,
	&scst_tgt_comment_attr.attr,
	&scst_tgt_addr_method_attr.attr,
	&scst_io_grouping_attr.attr,
	&scst_black_hole_attr.attr,
	&scst_cpu_mask_attr.attr,
	&scst_tgt_aen_attr.attr,
	&scst_tgt_sg_tablesize_attr.attr,
	NULL,
};
static const struct attribute_group scst_tgt_group = {
	.attrs = scst_tgt_attrs,
};

/* I/O counters: scst_stats.c */
static const struct attribute_group *scst_tgt_groups[] = {
	&scst_tgt_group,
	&scst_tgt_stats_group,
	NULL,
};

static const struct kobj_type scst_tgt_ktype = {
	.release = scst_tgt_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_tgt_groups,
};

static int scst_tgt_sysfs_subdirs(struct scst_tgt *tgt)
{
	struct scst_tgt_template *tgtt = tgt->tgtt;
	int rc;

	if (tgtt->enable_target && tgtt->is_target_enabled &&
	    !tgtt->enabled_attr_not_needed) {
		rc = sysfs_create_file(&tgt->tgt_kobj,
				       &scst_tgt_enabled_attr.attr);
		if (rc)
			return rc;
	}
	tgt->tgt_sess_kobj = kobject_create_and_add("sessions", &tgt->tgt_kobj);
	tgt->tgt_luns_kobj = kobject_create_and_add("luns", &tgt->tgt_kobj);
	tgt->tgt_ini_grp_kobj = kobject_create_and_add("ini_groups",
						       &tgt->tgt_kobj);
	if (!tgt->tgt_sess_kobj || !tgt->tgt_luns_kobj ||
	    !tgt->tgt_ini_grp_kobj)
		return -ENOMEM;
	rc = sysfs_create_file(tgt->tgt_luns_kobj,
			       &scst_tgt_luns_mgmt_attr.attr);
	if (!rc)
		rc = sysfs_create_file(tgt->tgt_ini_grp_kobj,
				       &scst_ini_groups_mgmt_attr.attr);
	if (!rc && tgtt->tgt_attrs)
		rc = sysfs_create_files(&tgt->tgt_kobj, tgtt->tgt_attrs);
	if (!rc)
		tgt->default_acg->luns_kobj = tgt->tgt_luns_kobj;
	return rc;
}

int scst_tgt_sysfs_add(struct scst_tgt *tgt)
{
	struct kobject *dir = &tgt->tgtt->tgtt_kobj;
	int rc;

	if (scst_sysfs_name_taken(dir, tgt->tgt_name)) {
		PRINT_ERROR("target name %s clashes with a file of driver %s",
			    tgt->tgt_name, tgt->tgtt->name);
		return -EINVAL;
	}
	rc = kobject_init_and_add(&tgt->tgt_kobj, &scst_tgt_ktype, dir, "%s",
				  tgt->tgt_name);
	if (rc) {
		scst_kobj_remove(&tgt->tgt_kobj, &tgt->tgt_kobj_release_cmpl,
				 false);
		return rc;
	}
	rc = scst_tgt_sysfs_subdirs(tgt);
	if (rc) {
		PRINT_ERROR("cannot create sysfs entries of target %s: %d",
			    tgt->tgt_name, rc);
		scst_tgt_sysfs_del(tgt);
	}
	return rc;
}

void scst_tgt_sysfs_del(struct scst_tgt *tgt)
{
	if (tgt->default_acg)
		tgt->default_acg->luns_kobj = NULL;
	scst_put_subdir(&tgt->tgt_sess_kobj);
	scst_put_subdir(&tgt->tgt_luns_kobj);
	scst_put_subdir(&tgt->tgt_ini_grp_kobj);
	scst_kobj_remove(&tgt->tgt_kobj, &tgt->tgt_kobj_release_cmpl, true);
}

/* ---------------------------------------------------------------------
 * Sessions: targets/<driver>/<target>/sessions/<name>/
 */

static struct scst_session *scst_kobj_sess(struct kobject *kobj)
{
	return container_of(kobj, struct scst_session, sess_kobj);
}

static ssize_t scst_sess_ini_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", scst_kobj_sess(kobj)->initiator_name);
}

static ssize_t scst_sess_cmds_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  atomic_read(&scst_kobj_sess(kobj)->active_cmds));
}

static ssize_t scst_sess_active_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	struct scst_session *sess = scst_kobj_sess(kobj);
	struct scst_tgt_dev *tgt_dev;
	int n = 0;

	spin_lock_irq(&sess->sess_list_lock);
	list_for_each_entry(tgt_dev, &sess->sess_tgt_dev_list,
			    sess_tgt_dev_list_entry)
		n += atomic_read(&tgt_dev->tgt_dev_cmd_count);
	spin_unlock_irq(&sess->sess_list_lock);
	return sysfs_emit(buf, "%d\n", n);
}

static int scst_sess_close_work(struct scst_sysfs_work *w)
{
	struct scst_session *sess = NULL, *s;
	struct scst_tgt *tgt;
	int rc;

	mutex_lock(&scst_mutex);
	tgt = scst_work_get_tgt(w);
	if (tgt)
		list_for_each_entry(s, &tgt->sess_list, sess_list_entry)
			if (!s->shutting_down &&
			    !strcmp(s->sess_name, w->name[2])) {
				sess = s;
				kref_get(&sess->mgmt_ref);
				break;
			}
	mutex_unlock(&scst_mutex);
	if (!tgt)
		return -ENOENT;
	if (sess) {
		rc = tgt->tgtt->close_session(sess);
		scst_sess_put(sess);
	} else {
		PRINT_ERROR("session %s of target %s no longer exists",
			    w->name[2], w->name[1]);
		rc = -ENOENT;
	}
	scst_work_put_tgt(tgt);
	return rc;
}

/*
 * Closing may remove the session's directory, and with it this file,
 * before the work finishes: stop pinning the file while waiting.
 */
static ssize_t scst_sess_force_close_store(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   const char *buf, size_t count)
{
	struct scst_session *sess = scst_kobj_sess(kobj);
	struct scst_sysfs_work *w;
	struct kernfs_node *kn;
	ssize_t res;

	w = scst_work_alloc(scst_sess_close_work, NULL, 0,
			    sess->tgt->tgtt->name, sess->tgt->tgt_name,
			    sess->sess_name);
	if (!w)
		return -ENOMEM;
	kn = sysfs_break_active_protection(kobj, &attr->attr);
	res = scst_work_run(w, count);
	if (kn)
		sysfs_unbreak_active_protection(kn);
	return res;
}

static struct kobj_attribute scst_sess_ini_attr =
	__ATTR(initiator_name, 0444, scst_sess_ini_show, NULL);
static struct kobj_attribute scst_sess_cmds_attr =
	__ATTR(commands, 0444, scst_sess_cmds_show, NULL);
static struct kobj_attribute scst_sess_active_attr =
	__ATTR(active_commands, 0444, scst_sess_active_show, NULL);
static struct kobj_attribute scst_sess_force_close_attr =
	__ATTR(force_close, 0200, NULL, scst_sess_force_close_store);

static struct attribute *scst_sess_attrs[] = {
	&scst_sess_ini_attr.attr,
	&scst_sess_cmds_attr.attr,
	&scst_sess_active_attr.attr,
	NULL,
};
static const struct attribute_group scst_sess_group = {
	.attrs = scst_sess_attrs,
};

/* I/O counters and latency/: scst_stats.c */
static const struct attribute_group *scst_sess_groups[] = {
	&scst_sess_group,
	&scst_sess_stats_group,
	&scst_sess_lat_group,
	NULL,
};

static const struct kobj_type scst_sess_ktype = {
	.release = scst_sess_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_sess_groups,
};

void scst_sess_sysfs_luns_link_update(struct scst_session *sess)
{
	int rc;

	scst_sess_black_hole_update(sess);
	if (!sess->sess_kobj.state_in_sysfs)
		return;
	sysfs_remove_link(&sess->sess_kobj, "luns");
	if (!sess->acg || !sess->acg->luns_kobj)
		return;
	rc = sysfs_create_link(&sess->sess_kobj, sess->acg->luns_kobj, "luns");
	if (rc)
		PRINT_ERROR("session %s: cannot link its LUNs: %d",
			    sess->sess_name, rc);
}

/* ---------------------------------------------------------------------
 * Nexus: targets/<driver>/<target>/sessions/<name>/lun<N>/
 *
 * The directory lives in its own allocation.  It is removed, under
 * scst_mutex, when the tgt_dev leaves its session; kobject_del() waits
 * for running show() calls, so none of them can see a freed tgt_dev, and
 * the shows take no scst_mutex.
 */

struct scst_tgt_dev_sysfs {
	struct kobject kobj;
	struct scst_tgt_dev *tgt_dev;
};

static struct scst_tgt_dev *scst_kobj_tgt_dev(struct kobject *kobj)
{
	return container_of(kobj, struct scst_tgt_dev_sysfs, kobj)->tgt_dev;
}

static ssize_t scst_tgt_dev_active_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	struct scst_tgt_dev *tgt_dev = scst_kobj_tgt_dev(kobj);

	return sysfs_emit(buf, "%d\n",
			  atomic_read(&tgt_dev->tgt_dev_cmd_count));
}

static ssize_t scst_tgt_dev_pid_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return scst_tgt_dev_thread_pids(scst_kobj_tgt_dev(kobj), buf);
}

static ssize_t scst_tgt_dev_index_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  scst_tgt_dev_thread_index(scst_kobj_tgt_dev(kobj)));
}

static struct kobj_attribute scst_tgt_dev_active_attr =
	__ATTR(active_commands, 0444, scst_tgt_dev_active_show, NULL);
static struct kobj_attribute scst_tgt_dev_pid_attr =
	__ATTR(thread_pid, 0444, scst_tgt_dev_pid_show, NULL);
static struct kobj_attribute scst_tgt_dev_index_attr =
	__ATTR(thread_index, 0444, scst_tgt_dev_index_show, NULL);

static struct attribute *scst_tgt_dev_attrs[] = {
	&scst_tgt_dev_active_attr.attr,
	&scst_tgt_dev_pid_attr.attr,
	&scst_tgt_dev_index_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(scst_tgt_dev);

static void scst_tgt_dev_kobj_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct scst_tgt_dev_sysfs, kobj));
}

static const struct kobj_type scst_tgt_dev_ktype = {
	.release = scst_tgt_dev_kobj_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scst_tgt_dev_groups,
};

/*
 * A missing directory only costs visibility, so failures are logged and
 * the nexus works on.  Sessions not yet in sysfs get their directories
 * from scst_sess_sysfs_add().
 */
void scst_tgt_dev_sysfs_add(struct scst_tgt_dev *tgt_dev)
{
	struct scst_session *sess = tgt_dev->sess;
	struct scst_tgt_dev_sysfs *d;
	int rc;

	lockdep_assert_held(&scst_mutex);
	if (tgt_dev->tgt_dev_kobj || !sess->sess_kobj.state_in_sysfs)
		return;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		PRINT_ERROR("session %s: no memory for lun%llu/",
			    sess->sess_name, tgt_dev->lun);
		return;
	}
	d->tgt_dev = tgt_dev;
	rc = kobject_init_and_add(&d->kobj, &scst_tgt_dev_ktype,
				  &sess->sess_kobj, "lun%llu", tgt_dev->lun);
	if (rc) {
		PRINT_ERROR("session %s: cannot add lun%llu/ (%d)",
			    sess->sess_name, tgt_dev->lun, rc);
		kobject_put(&d->kobj);
		return;
	}
	tgt_dev->tgt_dev_kobj = &d->kobj;
}

void scst_tgt_dev_sysfs_del(struct scst_tgt_dev *tgt_dev)
{
	struct kobject *kobj = tgt_dev->tgt_dev_kobj;

	if (!kobj)
		return;
	tgt_dev->tgt_dev_kobj = NULL;
	kobject_del(kobj);
	kobject_put(kobj);
}

/* Directories for the LUNs the session got before it had its own */
static void scst_sess_sysfs_add_luns(struct scst_session *sess)
{
	struct scst_tgt_dev *tgt_dev;

	list_for_each_entry(tgt_dev, &sess->sess_tgt_dev_list,
			    sess_tgt_dev_list_entry)
		scst_tgt_dev_sysfs_add(tgt_dev);
}

int scst_sess_sysfs_add(struct scst_session *sess)
{
	struct scst_tgt_template *tgtt = sess->tgt->tgtt;
	int rc;

	rc = kobject_init_and_add(&sess->sess_kobj, &scst_sess_ktype,
				  sess->tgt->tgt_sess_kobj, "%s",
				  sess->sess_name);
	if (rc) {
		scst_kobj_remove(&sess->sess_kobj,
				 &sess->sess_kobj_release_cmpl, false);
		return rc;
	}
	if (tgtt->close_session)
		rc = sysfs_create_file(&sess->sess_kobj,
				       &scst_sess_force_close_attr.attr);
	if (!rc && tgtt->sess_attrs)
		rc = sysfs_create_files(&sess->sess_kobj, tgtt->sess_attrs);
	if (rc) {
		scst_sess_sysfs_del(sess);
		return rc;
	}
	scst_sess_sysfs_luns_link_update(sess);
	scst_sess_sysfs_add_luns(sess);
	return 0;
}

void scst_sess_sysfs_del(struct scst_session *sess)
{
	scst_kobj_remove(&sess->sess_kobj, &sess->sess_kobj_release_cmpl,
			 true);
}

/* ---------------------------------------------------------------------
 * Init / cleanup
 */

static void scst_sysfs_remove_dirs(void)
{
	scst_mem_sysfs_del();
	scst_put_subdir(&scst_sgv_kobj);
	scst_put_subdir(&scst_dg_kobj);
	scst_put_subdir(&scst_targets_kobj);
	scst_put_subdir(&scst_devices_kobj);
	scst_put_subdir(&scst_handlers_kobj);
	scst_put_subdir(&scst_root_kobj);
}

static int scst_sysfs_create_dirs(void)
{
	scst_root_kobj = kobject_create_and_add("scst_tgt", kernel_kobj);
	if (!scst_root_kobj)
		return -ENOMEM;
	if (sysfs_create_group(scst_root_kobj, &scst_root_group))
		return -ENOMEM;
	scst_handlers_kobj = kobject_create_and_add("handlers",
						    scst_root_kobj);
	scst_devices_kobj = kobject_create_and_add("devices", scst_root_kobj);
	scst_targets_kobj = kobject_create_and_add("targets", scst_root_kobj);
	scst_dg_kobj = kobject_create_and_add("device_groups", scst_root_kobj);
	scst_sgv_kobj = kobject_create_and_add("sgv", scst_root_kobj);
	if (!scst_handlers_kobj || !scst_devices_kobj || !scst_targets_kobj ||
	    !scst_dg_kobj || !scst_sgv_kobj)
		return -ENOMEM;
	/* sgv/ statistics: scst_mem.c */
	if (scst_mem_sysfs_add(scst_sgv_kobj))
		return -ENOMEM;
	/* device_groups/ is filled by scst_alua.c */
	return scst_alua_sysfs_init(scst_dg_kobj);
}

int scst_sysfs_init(void)
{
	int rc;

	scst_threads_default = scst_threads;
	scst_uid_task = kthread_run(scst_uid_thread, NULL, "scst_uid");
	if (IS_ERR(scst_uid_task)) {
		rc = PTR_ERR(scst_uid_task);
		scst_uid_task = NULL;
		return rc;
	}
	rc = scst_sysfs_create_dirs();
	if (rc) {
		scst_sysfs_remove_dirs();
		kthread_stop(scst_uid_task);
		scst_uid_task = NULL;
	}
	return rc;
}

void scst_sysfs_cleanup(void)
{
	/* Removing the files first guarantees no new work can be queued */
	scst_alua_sysfs_cleanup();
	scst_sysfs_remove_dirs();
	kthread_stop(scst_uid_task);
	scst_uid_task = NULL;
}
