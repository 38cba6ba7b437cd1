// SPDX-License-Identifier: GPL-2.0
/*
 * Module init/exit and the registration API: target
 * templates, targets, sessions, device handlers and virtual devices.
 *
 * All registries are protected by scst_mutex.  Objects are unlinked under
 * it, then their sysfs directory is removed without it (removal waits for
 * running show()/store() callbacks, which may take scst_mutex), then they
 * are freed.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/cpumask.h>
#include <linux/numa.h>

#include "scst_priv.h"

DEFINE_MUTEX(scst_mutex);
LIST_HEAD(scst_template_list);
LIST_HEAD(scst_dev_type_list);
LIST_HEAD(scst_dev_list);
u64 scst_setup_id;

int scst_threads;
module_param_named(scst_threads, scst_threads, int, 0444);
MODULE_PARM_DESC(scst_threads,
		 "Size of the global command processing thread pool (default: number of CPUs)");

#define SCST_MAX_REL_TGT_ID		65535
#define SCST_DEF_MAX_TGT_DEV_CMDS	64

/* ---------------------------------------------------------------------
 * Lookups (scst_mutex held)
 */

struct scst_tgt_template *scst_find_tgtt(const char *name)
{
	struct scst_tgt_template *tgtt;

	list_for_each_entry(tgtt, &scst_template_list, tgtt_list_entry)
		if (!strcmp(tgtt->name, name))
			return tgtt;
	return NULL;
}

struct scst_tgt *scst_find_tgt(struct scst_tgt_template *tgtt,
			       const char *name)
{
	struct scst_tgt *tgt;

	list_for_each_entry(tgt, &tgtt->tgt_list, tgt_list_entry)
		if (!strcmp(tgt->tgt_name, name))
			return tgt;
	return NULL;
}

struct scst_dev_type *scst_find_devt(const char *name)
{
	struct scst_dev_type *devt;

	list_for_each_entry(devt, &scst_dev_type_list, dev_type_list_entry)
		if (!strcmp(devt->name, name))
			return devt;
	return NULL;
}

struct scst_device *scst_find_dev(const char *name)
{
	struct scst_device *dev;

	list_for_each_entry(dev, &scst_dev_list, dev_list_entry)
		if (!strcmp(dev->virt_name, name))
			return dev;
	return NULL;
}

static bool scst_tgtt_registered(struct scst_tgt_template *tgtt)
{
	struct scst_tgt_template *t;

	list_for_each_entry(t, &scst_template_list, tgtt_list_entry)
		if (t == tgtt)
			return true;
	return false;
}

static bool scst_devt_registered(struct scst_dev_type *devt)
{
	struct scst_dev_type *d;

	list_for_each_entry(d, &scst_dev_type_list, dev_type_list_entry)
		if (d == devt)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * Target templates
 */

int __scst_register_target_template(struct scst_tgt_template *tgtt,
				    struct module *owner)
{
	int rc;

	if (!tgtt->name || !scst_is_valid_name(tgtt->name)) {
		PRINT_ERROR("target template with invalid name \"%s\"",
			    tgtt->name ?: "(null)");
		return -EINVAL;
	}
	if (!tgtt->xmit_response || !tgtt->release) {
		PRINT_ERROR("target template %s lacks xmit_response() or release()",
			    tgtt->name);
		return -EINVAL;
	}
	INIT_LIST_HEAD(&tgtt->tgt_list);
	tgtt->owner = owner;
	memset(&tgtt->tgtt_kobj, 0, sizeof(tgtt->tgtt_kobj));

	mutex_lock(&scst_mutex);
	if (scst_find_tgtt(tgtt->name)) {
		PRINT_ERROR("target template %s is already registered",
			    tgtt->name);
		rc = -EEXIST;
		goto out;
	}
	rc = scst_tgtt_sysfs_add(tgtt);
	if (rc)
		goto out;
	list_add_tail(&tgtt->tgtt_list_entry, &scst_template_list);
	PRINT_INFO("target template %s registered", tgtt->name);
out:
	mutex_unlock(&scst_mutex);
	return rc;
}
EXPORT_SYMBOL_GPL(__scst_register_target_template);

void scst_unregister_target_template(struct scst_tgt_template *tgtt)
{
	struct scst_tgt *tgt;

	mutex_lock(&scst_mutex);
	if (!scst_tgtt_registered(tgtt)) {
		mutex_unlock(&scst_mutex);
		PRINT_ERROR("target template %s is not registered", tgtt->name);
		return;
	}
	while ((tgt = list_first_entry_or_null(&tgtt->tgt_list,
					       struct scst_tgt,
					       tgt_list_entry))) {
		mutex_unlock(&scst_mutex);
		PRINT_ERROR("target %s of driver %s still registered; unregistering it",
			    tgt->tgt_name, tgtt->name);
		scst_unregister_target(tgt);
		mutex_lock(&scst_mutex);
	}
	list_del(&tgtt->tgtt_list_entry);
	mutex_unlock(&scst_mutex);

	scst_tgtt_sysfs_del(tgtt);
	PRINT_INFO("target template %s unregistered", tgtt->name);
}
EXPORT_SYMBOL_GPL(scst_unregister_target_template);

/* ---------------------------------------------------------------------
 * Targets
 */

static bool scst_rel_tgt_id_used(unsigned long id, struct scst_tgt *except)
{
	struct scst_tgt_template *tgtt;
	struct scst_tgt *tgt;

	list_for_each_entry(tgtt, &scst_template_list, tgtt_list_entry)
		list_for_each_entry(tgt, &tgtt->tgt_list, tgt_list_entry)
			if (tgt != except && tgt->rel_tgt_id == id)
				return true;
	return false;
}

/* Lowest free RELATIVE TARGET PORT IDENTIFIER, 0 if none (scst_mutex) */
u16 scst_alloc_rel_tgt_id(void)
{
	unsigned long id;

	for (id = 1; id <= SCST_MAX_REL_TGT_ID; id++)
		if (!scst_rel_tgt_id_used(id, NULL))
			return id;
	return 0;
}

int scst_tgt_set_rel_tgt_id(struct scst_tgt *tgt, unsigned long id)
{
	int rc = 0;

	if (id < 1 || id > SCST_MAX_REL_TGT_ID) {
		PRINT_ERROR("rel_tgt_id %lu of target %s out of range 1..%d",
			    id, tgt->tgt_name, SCST_MAX_REL_TGT_ID);
		return -EINVAL;
	}
	mutex_lock(&scst_mutex);
	if (scst_rel_tgt_id_used(id, tgt)) {
		PRINT_ERROR("rel_tgt_id %lu is already used by another target",
			    id);
		rc = -EEXIST;
	} else {
		tgt->rel_tgt_id = id;
		tgt->rel_tgt_id_set = 1;
	}
	mutex_unlock(&scst_mutex);
	return rc;
}

static struct scst_tgt *scst_tgt_alloc(struct scst_tgt_template *tgtt,
				       const char *name)
{
	struct scst_tgt *tgt;

	tgt = kzalloc(sizeof(*tgt), GFP_KERNEL);
	if (!tgt)
		return NULL;
	tgt->tgt_name = kstrdup(name, GFP_KERNEL);
	if (!tgt->tgt_name) {
		kfree(tgt);
		return NULL;
	}
	tgt->tgtt = tgtt;
	INIT_LIST_HEAD(&tgt->tgt_list_entry);
	INIT_LIST_HEAD(&tgt->sess_list);
	INIT_LIST_HEAD(&tgt->acg_list);
	tgt->addr_method = SCST_LUN_ADDR_METHOD_PERIPHERAL;
	tgt->sg_tablesize = tgtt->sg_tablesize;
	scst_io_opts_init(&tgt->io_opts);
	if (scst_tgt_stats_alloc(tgt)) {
		kfree(tgt->tgt_name);
		kfree(tgt);
		return NULL;
	}
	if (scst_tgt_init_default_acg(tgt)) {
		scst_tgt_stats_free(tgt);
		kfree(tgt->tgt_name);
		kfree(tgt);
		return NULL;
	}
	return tgt;
}

static void scst_tgt_free(struct scst_tgt *tgt)
{
	if (tgt->default_acg)
		scst_tgt_cleanup_acgs(tgt);
	kfree(tgt->comment);
	scst_tgt_stats_free(tgt);
	kfree(tgt->tgt_name);
	kfree(tgt);
}

static int scst_tgt_link(struct scst_tgt *tgt)
{
	struct scst_tgt_template *tgtt = tgt->tgtt;
	int rc;

	if (!scst_tgtt_registered(tgtt)) {
		PRINT_ERROR("target driver %s is not registered", tgtt->name);
		return -ENOENT;
	}
	if (scst_find_tgt(tgtt, tgt->tgt_name)) {
		PRINT_ERROR("target %s already exists in driver %s",
			    tgt->tgt_name, tgtt->name);
		return -EEXIST;
	}
	tgt->rel_tgt_id = scst_alloc_rel_tgt_id();
	if (!tgt->rel_tgt_id) {
		PRINT_ERROR("no free relative target port identifier for %s",
			    tgt->tgt_name);
		return -ENOSPC;
	}
	rc = scst_tgt_sysfs_add(tgt);
	if (rc)
		return rc;
	list_add_tail(&tgt->tgt_list_entry, &tgtt->tgt_list);
	return 0;
}

struct scst_tgt *scst_register_target(struct scst_tgt_template *tgtt,
				      const char *target_name)
{
	struct scst_tgt *tgt;
	int rc;

	if (!target_name || !scst_is_valid_name(target_name)) {
		PRINT_ERROR("invalid target name \"%s\"",
			    target_name ?: "(null)");
		return ERR_PTR(-EINVAL);
	}
	tgt = scst_tgt_alloc(tgtt, target_name);
	if (!tgt)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&scst_mutex);
	rc = scst_tgt_link(tgt);
	mutex_unlock(&scst_mutex);
	if (rc) {
		scst_tgt_free(tgt);
		return ERR_PTR(rc);
	}
	PRINT_INFO("target %s of driver %s registered (rel_tgt_id %u)",
		   tgt->tgt_name, tgtt->name, tgt->rel_tgt_id);
	return tgt;
}
EXPORT_SYMBOL_GPL(scst_register_target);

/*
 * Conditions for wait_event() on scst_mgmt_waitq: the fields change under
 * scst_mutex, followed by wake_up_all(), so a lock-free read suffices (and
 * a sleeping lock is not allowed there).
 */
static bool scst_tgt_no_sessions(struct scst_tgt *tgt)
{
	return list_empty_careful(&tgt->sess_list);
}

static bool scst_tgt_mgmt_idle(struct scst_tgt *tgt)
{
	return READ_ONCE(tgt->mgmt_busy) == 0;
}

/*
 * The target driver must unregister the target's sessions itself, before
 * calling this function or from its release() callback (synchronously or
 * not): we wait until the last one is gone.
 */
void scst_unregister_target(struct scst_tgt *tgt)
{
	struct scst_tgt_template *tgtt = tgt->tgtt;

	mutex_lock(&scst_mutex);
	tgt->tgt_dead = 1;
	list_del_init(&tgt->tgt_list_entry);
	scst_alua_tgt_gone(tgt);
	mutex_unlock(&scst_mutex);

	tgtt->release(tgt);

	while (!wait_event_timeout(scst_mgmt_waitq, scst_tgt_no_sessions(tgt),
				   30 * HZ))
		PRINT_WARNING("target %s: waiting for driver %s to unregister its sessions",
			      tgt->tgt_name, tgtt->name);
	/* sysfs work on this target (driver callbacks, LUN changes) */
	wait_event(scst_mgmt_waitq, scst_tgt_mgmt_idle(tgt));

	scst_tgt_cleanup_acgs(tgt);
	scst_tgt_sysfs_del(tgt);
	PRINT_INFO("target %s of driver %s unregistered", tgt->tgt_name,
		   tgtt->name);
	scst_tgt_free(tgt);
}
EXPORT_SYMBOL_GPL(scst_unregister_target);

/* ---------------------------------------------------------------------
 * Sessions
 */

static void scst_sess_release(struct kref *kref)
{
	struct scst_session *sess = container_of(kref, struct scst_session,
						 mgmt_ref);

	xa_destroy(&sess->tgt_devs);
	scst_sess_stats_free(sess);
	kfree(sess->sess_name);
	kfree(sess->initiator_name);
	kfree(sess);
}

void scst_sess_put(struct scst_session *sess)
{
	kref_put(&sess->mgmt_ref, scst_sess_release);
}

static bool scst_sess_name_used(struct scst_tgt *tgt, const char *name)
{
	struct scst_session *s;

	list_for_each_entry(s, &tgt->sess_list, sess_list_entry)
		if (!strcmp(s->sess_name, name))
			return true;
	return false;
}

/* "<initiator>" or "<initiator>_<n>" for further sessions (scst_mutex) */
static int scst_sess_alloc_name(struct scst_session *sess)
{
	struct scst_tgt *tgt = sess->tgt;
	char *name, *p;
	int n;

	name = kstrdup(sess->initiator_name, GFP_KERNEL);
	if (!name)
		return -ENOMEM;
	/* '/' cannot appear in a sysfs name */
	for (p = name; *p; p++)
		if (*p == '/')
			*p = '_';
	for (n = 1; scst_sess_name_used(tgt, name); n++) {
		kfree(name);
		name = kasprintf(GFP_KERNEL, "%s_%d", sess->initiator_name, n);
		if (!name)
			return -ENOMEM;
		for (p = name; *p; p++)
			if (*p == '/')
				*p = '_';
	}
	sess->sess_name = name;
	return 0;
}

static struct scst_session *scst_sess_alloc(struct scst_tgt *tgt,
					    const char *initiator_name,
					    void *tgt_priv)
{
	struct scst_session *sess;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return NULL;
	sess->initiator_name = kstrdup(initiator_name, GFP_KERNEL);
	if (!sess->initiator_name || scst_sess_stats_alloc(sess)) {
		kfree(sess->initiator_name);
		kfree(sess);
		return NULL;
	}
	sess->tgt = tgt;
	sess->tgt_priv = tgt_priv;
	kref_init(&sess->mgmt_ref);
	INIT_LIST_HEAD(&sess->sess_list_entry);
	INIT_LIST_HEAD(&sess->acg_sess_list_entry);
	xa_init(&sess->tgt_devs);
	INIT_LIST_HEAD(&sess->sess_tgt_dev_list);
	spin_lock_init(&sess->sess_list_lock);
	INIT_LIST_HEAD(&sess->sess_cmd_list);
	atomic_set(&sess->active_cmds, 0);
	atomic64_set(&sess->cmd_count, 0);
	return sess;
}

static bool scst_sess_tgt_devs_gone(struct scst_session *sess)
{
	return READ_ONCE(sess->nr_tgt_devs) == 0;
}

/* Link a new session (scst_mutex held) */
static int scst_sess_link(struct scst_session *sess)
{
	struct scst_tgt *tgt = sess->tgt;
	int rc;

	if (tgt->tgt_dead) {
		PRINT_ERROR("target %s is being unregistered", tgt->tgt_name);
		return -ENOENT;
	}
	rc = scst_sess_alloc_name(sess);
	if (rc)
		return rc;
	rc = scst_sess_join_acg(sess, scst_select_acg(tgt,
						      sess->initiator_name));
	if (rc)
		return rc;
	list_add_tail(&sess->sess_list_entry, &tgt->sess_list);
	rc = scst_sess_sysfs_add(sess);
	if (rc) {
		list_del_init(&sess->sess_list_entry);
		scst_sess_leave_acg(sess);
		return rc;
	}
	PRINT_INFO("session %s registered on target %s (LUN set %s)",
		   sess->sess_name, tgt->tgt_name, sess->acg->acg_name);
	return 0;
}

struct scst_session *scst_register_session(struct scst_tgt *tgt,
					   const char *initiator_name,
					   void *tgt_priv)
{
	struct scst_session *sess;
	int rc;

	might_sleep();
	if (!initiator_name || !*initiator_name ||
	    strlen(initiator_name) > SCST_MAX_NAME_LEN) {
		PRINT_ERROR("target %s: invalid initiator name", tgt->tgt_name);
		return ERR_PTR(-EINVAL);
	}
	sess = scst_sess_alloc(tgt, initiator_name, tgt_priv);
	if (!sess)
		return ERR_PTR(-ENOMEM);
	rc = scst_sess_dataplane_init(sess);
	if (rc) {
		scst_sess_put(sess);
		return ERR_PTR(rc);
	}

	mutex_lock(&scst_mutex);
	rc = scst_sess_link(sess);
	mutex_unlock(&scst_mutex);
	if (rc) {
		scst_reap_tgt_devs();
		wait_event(scst_mgmt_waitq, scst_sess_tgt_devs_gone(sess));
		scst_sess_dataplane_exit(sess);
		scst_sess_put(sess);
		return ERR_PTR(rc);
	}
	return sess;
}
EXPORT_SYMBOL_GPL(scst_register_session);

void scst_unregister_session(struct scst_session *sess)
{
	struct scst_tgt *tgt = sess->tgt;

	might_sleep();
	mutex_lock(&scst_mutex);
	sess->shutting_down = 1;
	mutex_unlock(&scst_mutex);

	scst_sess_abort_all_and_wait(sess);

	mutex_lock(&scst_mutex);
	scst_sess_leave_acg(sess);
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	/* tgt_devs doomed by a concurrent LUN change are reaped elsewhere */
	wait_event(scst_mgmt_waitq, scst_sess_tgt_devs_gone(sess));

	scst_sess_sysfs_del(sess);
	scst_sess_dataplane_exit(sess);

	mutex_lock(&scst_mutex);
	scst_sess_stats_retire(sess);
	list_del_init(&sess->sess_list_entry);
	mutex_unlock(&scst_mutex);
	wake_up_all(&scst_mgmt_waitq);
	PRINT_INFO("session %s unregistered from target %s", sess->sess_name,
		   tgt->tgt_name);
	scst_sess_put(sess);
}
EXPORT_SYMBOL_GPL(scst_unregister_session);

/* ---------------------------------------------------------------------
 * Device handlers
 */

int __scst_register_virtual_dev_driver(struct scst_dev_type *devt,
				       struct module *owner)
{
	int rc;

	if (!devt->name || !scst_is_valid_name(devt->name)) {
		PRINT_ERROR("device handler with invalid name \"%s\"",
			    devt->name ?: "(null)");
		return -EINVAL;
	}
	if (!devt->exec) {
		PRINT_ERROR("device handler %s lacks exec()", devt->name);
		return -EINVAL;
	}
	devt->owner = owner;
	memset(&devt->devt_kobj, 0, sizeof(devt->devt_kobj));

	mutex_lock(&scst_mutex);
	if (scst_find_devt(devt->name)) {
		PRINT_ERROR("device handler %s is already registered",
			    devt->name);
		rc = -EEXIST;
		goto out;
	}
	rc = scst_devt_sysfs_add(devt);
	if (rc)
		goto out;
	list_add_tail(&devt->dev_type_list_entry, &scst_dev_type_list);
	PRINT_INFO("device handler %s registered", devt->name);
out:
	mutex_unlock(&scst_mutex);
	return rc;
}
EXPORT_SYMBOL_GPL(__scst_register_virtual_dev_driver);

static struct scst_device *scst_devt_first_dev(struct scst_dev_type *devt)
{
	struct scst_device *dev;

	list_for_each_entry(dev, &scst_dev_list, dev_list_entry)
		if (dev->handler == devt)
			return dev;
	return NULL;
}

void scst_unregister_virtual_dev_driver(struct scst_dev_type *devt)
{
	struct scst_device *dev;

	mutex_lock(&scst_mutex);
	if (!scst_devt_registered(devt)) {
		mutex_unlock(&scst_mutex);
		PRINT_ERROR("device handler %s is not registered", devt->name);
		return;
	}
	/* Unlinked first, so that no new device can be added to it */
	list_del(&devt->dev_type_list_entry);
	while ((dev = scst_devt_first_dev(devt))) {
		mutex_unlock(&scst_mutex);
		PRINT_ERROR("device %s of handler %s still registered; unregistering it",
			    dev->virt_name, devt->name);
		if (scst_unregister_virtual_device(dev)) {
			/* exported: LUN mappings pin the handler module */
			mutex_lock(&scst_mutex);
			break;
		}
		mutex_lock(&scst_mutex);
	}
	mutex_unlock(&scst_mutex);

	/* no attribute work may call into the handler module any more */
	scst_sysfs_cancel_devt_work(devt);
	scst_devt_sysfs_del(devt);
	PRINT_INFO("device handler %s unregistered", devt->name);
}
EXPORT_SYMBOL_GPL(scst_unregister_virtual_dev_driver);

/* ---------------------------------------------------------------------
 * Virtual devices
 */

static struct scst_device *scst_dev_alloc(struct scst_dev_type *devt,
					  const char *name, void *dev_priv)
{
	struct scst_device *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	dev->virt_name = kstrdup(name, GFP_KERNEL);
	if (!dev->virt_name) {
		kfree(dev);
		return NULL;
	}
	dev->handler = devt;
	dev->dh_priv = dev_priv;
	dev->type = devt->type;
	dev->block_shift = 9;
	INIT_LIST_HEAD(&dev->dev_list_entry);
	INIT_LIST_HEAD(&dev->dev_tgt_dev_list);
	INIT_LIST_HEAD(&dev->dev_acg_dev_list);
	spin_lock_init(&dev->dev_lock);
	init_waitqueue_head(&dev->on_dev_waitq);
	dev->max_tgt_dev_commands = SCST_DEF_MAX_TGT_DEV_CMDS;
	dev->threads_num = devt->threads_num;
	dev->threads_pool_type = 0;
	dev->numa_node_id = NUMA_NO_NODE;
	return dev;
}

static void scst_dev_free(struct scst_device *dev)
{
	kfree(dev->virt_name);
	kfree(dev);
}

static bool scst_dev_name_free(const char *name)
{
	bool res;

	mutex_lock(&scst_mutex);
	res = !scst_find_dev(name);
	mutex_unlock(&scst_mutex);
	if (!res)
		PRINT_ERROR("device %s already exists", name);
	return res;
}

/* Link an attached device (scst_mutex held) */
static int scst_dev_link(struct scst_device *dev)
{
	int rc;

	if (!scst_devt_registered(dev->handler)) {
		PRINT_ERROR("device handler %s is not registered",
			    dev->handler->name);
		return -ENOENT;
	}
	if (scst_find_dev(dev->virt_name)) {
		PRINT_ERROR("device %s already exists", dev->virt_name);
		return -EEXIST;
	}
	rc = scst_dev_sysfs_add(dev);
	if (rc)
		return rc;
	list_add_tail(&dev->dev_list_entry, &scst_dev_list);
	return 0;
}

int scst_register_virtual_device(struct scst_dev_type *devt,
				 const char *dev_name, void *dev_priv,
				 struct scst_device **out_dev)
{
	struct scst_device *dev;
	int rc;

	if (!dev_name || !scst_is_valid_name(dev_name)) {
		PRINT_ERROR("invalid device name \"%s\"", dev_name ?: "(null)");
		return -EINVAL;
	}
	if (!scst_dev_name_free(dev_name))
		return -EEXIST;
	dev = scst_dev_alloc(devt, dev_name, dev_priv);
	if (!dev)
		return -ENOMEM;
	rc = scst_dev_dataplane_init(dev);
	if (rc)
		goto out_free;
	if (devt->attach) {
		rc = devt->attach(dev);
		if (rc) {
			PRINT_ERROR("handler %s failed to attach device %s: %d",
				    devt->name, dev_name, rc);
			goto out_dp;
		}
	}

	mutex_lock(&scst_mutex);
	rc = scst_dev_link(dev);
	mutex_unlock(&scst_mutex);
	if (rc)
		goto out_detach;
	if (out_dev)
		*out_dev = dev;
	PRINT_INFO("device %s of handler %s registered", dev_name, devt->name);
	return 0;

out_detach:
	if (devt->detach)
		devt->detach(dev);
out_dp:
	scst_dev_dataplane_exit(dev);
out_free:
	scst_dev_free(dev);
	return rc;
}
EXPORT_SYMBOL_GPL(scst_register_virtual_device);

static bool scst_dev_tgt_devs_gone(struct scst_device *dev)
{
	bool res;

	spin_lock_irq(&dev->dev_lock);
	res = list_empty(&dev->dev_tgt_dev_list);
	spin_unlock_irq(&dev->dev_lock);
	return res;
}

static bool scst_dev_mgmt_idle(struct scst_device *dev)
{
	return READ_ONCE(dev->mgmt_busy) == 0;
}

int scst_unregister_virtual_device(struct scst_device *dev)
{
	mutex_lock(&scst_mutex);
	if (!list_empty(&dev->dev_acg_dev_list)) {
		mutex_unlock(&scst_mutex);
		PRINT_ERROR("device %s is exported (has LUNs); delete its LUNs first",
			    dev->virt_name);
		return -EBUSY;
	}
	list_del_init(&dev->dev_list_entry);
	scst_alua_dev_gone(dev);
	mutex_unlock(&scst_mutex);

	/* I_T_L nexuses of deleted LUNs may still be being reaped */
	wait_event(scst_mgmt_waitq, scst_dev_tgt_devs_gone(dev));
	/* attribute work that found the device before it was unlinked */
	wait_event(scst_mgmt_waitq, scst_dev_mgmt_idle(dev));
	scst_dev_sysfs_del(dev);
	if (dev->handler->detach)
		dev->handler->detach(dev);
	scst_dev_dataplane_exit(dev);
	PRINT_INFO("device %s unregistered", dev->virt_name);
	scst_dev_free(dev);
	return 0;
}
EXPORT_SYMBOL_GPL(scst_unregister_virtual_device);

/* ---------------------------------------------------------------------
 * Misc API
 */

u64 scst_get_setup_id(void)
{
	return READ_ONCE(scst_setup_id);
}
EXPORT_SYMBOL_GPL(scst_get_setup_id);

const char *scst_get_version(void)
{
	return SCST_VERSION_STRING;
}
EXPORT_SYMBOL_GPL(scst_get_version);

/* ---------------------------------------------------------------------
 * Module init/exit
 */

static int __init scst_init(void)
{
	int rc;

	if (scst_threads <= 0)
		scst_threads = num_online_cpus();
	scst_stats_init();
	rc = scst_dataplane_init();
	if (rc) {
		PRINT_ERROR("data plane initialisation failed: %d", rc);
		return rc;
	}
	rc = scst_sysfs_init();
	if (rc) {
		PRINT_ERROR("sysfs initialisation failed: %d", rc);
		scst_dataplane_exit();
		return rc;
	}
	PRINT_INFO("SCST version %s loaded (%d threads)", SCST_VERSION_STRING,
		   scst_threads);
	return 0;
}

static void __exit scst_exit(void)
{
	scst_sysfs_cleanup();
	scst_dataplane_exit();
	PRINT_INFO("SCST unloaded");
}

module_init(scst_init);
module_exit(scst_exit);

MODULE_DESCRIPTION("SCSI target core");
MODULE_LICENSE("GPL");
MODULE_VERSION(SCST_VERSION_STRING);
