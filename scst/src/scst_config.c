// SPDX-License-Identifier: GPL-2.0
/*
 * Access control: initiator groups (acg), LUN mappings
 * (acg_dev), initiator names (acn) and the per-session I_T_L nexuses
 * (tgt_dev) derived from them.
 *
 * Life cycle of a tgt_dev, all steps of which change lists under
 * scst_mutex:
 *   prepared  - allocated, attach_tgt() done, on dev->dev_tgt_dev_list and
 *               counted in sess->nr_tgt_devs, but not yet visible to the
 *               data plane;
 *   published - stored in sess->tgt_devs and on sess->sess_tgt_dev_list;
 *   doomed    - erased from both and queued on scst_reap_list;
 *   reaped    - after an RCU grace period, drained, detached, taken off
 *               the device list and freed by scst_reap_tgt_devs(), which
 *               runs without scst_mutex because draining waits for
 *               commands.
 * sess->nr_tgt_devs and dev->dev_tgt_dev_list count doomed tgt_devs too,
 * so that session and device teardown can wait for every reaper.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "scst_priv.h"

DECLARE_WAIT_QUEUE_HEAD(scst_mgmt_waitq);

/* Doomed tgt_devs (linked by sess_tgt_dev_list_entry), under scst_mutex */
static LIST_HEAD(scst_reap_list);

/* ---------------------------------------------------------------------
 * Lookups (scst_mutex held)
 */

struct scst_acg *scst_find_acg(struct scst_tgt *tgt, const char *name)
{
	struct scst_acg *acg;

	list_for_each_entry(acg, &tgt->acg_list, acg_list_entry)
		if (!strcmp(acg->acg_name, name))
			return acg;
	return NULL;
}

struct scst_acg_dev *scst_find_acg_dev(struct scst_acg *acg, u64 lun)
{
	struct scst_acg_dev *acg_dev;

	list_for_each_entry(acg_dev, &acg->acg_dev_list, acg_dev_list_entry)
		if (acg_dev->lun == lun)
			return acg_dev;
	return NULL;
}

static struct scst_acn *scst_find_acn(struct scst_acg *acg, const char *name)
{
	struct scst_acn *acn;

	list_for_each_entry(acn, &acg->acn_list, acn_list_entry)
		if (!strcmp(acn->name, name))
			return acn;
	return NULL;
}

/* The device may have been unregistered since the caller looked it up */
static bool scst_dev_registered(struct scst_device *dev)
{
	struct scst_device *d;

	list_for_each_entry(d, &scst_dev_list, dev_list_entry)
		if (d == dev)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * tgt_dev life cycle
 */

/*
 * Allocate and attach an I_T_L nexus.  The tgt_dev is not published yet,
 * so draining it on failure cannot wait for anything.
 */
static struct scst_tgt_dev *scst_tgt_dev_prepare(struct scst_session *sess,
						 struct scst_acg *acg,
						 struct scst_device *dev,
						 u64 lun, bool rd_only)
{
	struct scst_tgt_dev *tgt_dev;
	int rc;

	tgt_dev = kzalloc(sizeof(*tgt_dev), GFP_KERNEL);
	if (!tgt_dev)
		return ERR_PTR(-ENOMEM);
	tgt_dev->sess = sess;
	tgt_dev->dev = dev;
	tgt_dev->lun = lun;
	tgt_dev->rd_only = rd_only || dev->rd_only;
	INIT_LIST_HEAD(&tgt_dev->sess_tgt_dev_list_entry);
	INIT_LIST_HEAD(&tgt_dev->dev_tgt_dev_list_entry);
	spin_lock_init(&tgt_dev->tgt_dev_lock);
	INIT_LIST_HEAD(&tgt_dev->ua_list);
	INIT_LIST_HEAD(&tgt_dev->deferred_cmd_list);
	atomic_set(&tgt_dev->tgt_dev_cmd_count, 0);
	scst_tgt_dev_dataplane_init(tgt_dev);
	scst_alua_init_tgt_dev(tgt_dev);
	rc = scst_io_group_attach(tgt_dev, acg);
	if (rc)
		goto out_free;

	if (dev->handler->attach_tgt) {
		rc = dev->handler->attach_tgt(tgt_dev);
		if (rc) {
			PRINT_ERROR("handler %s refused LUN %llu of device %s for initiator %s: %d",
				    dev->handler->name, lun, dev->virt_name,
				    sess->initiator_name, rc);
			rc = rc < 0 ? rc : -EINVAL;
			goto out_group;
		}
	}

	spin_lock_irq(&dev->dev_lock);
	list_add_tail(&tgt_dev->dev_tgt_dev_list_entry,
		      &dev->dev_tgt_dev_list);
	spin_unlock_irq(&dev->dev_lock);
	sess->nr_tgt_devs++;
	return tgt_dev;

out_group:
	/* nothing ran on a group's threads yet if this nexus created it */
	scst_io_group_free(scst_io_group_detach(tgt_dev));
out_free:
	scst_tgt_dev_drain_and_exit(tgt_dev);
	kfree(tgt_dev);
	return ERR_PTR(rc);
}

/* Remove a published tgt_dev from its session's list and doom it */
static void scst_tgt_dev_unlist(struct scst_tgt_dev *tgt_dev)
{
	struct scst_session *sess = tgt_dev->sess;

	scst_tgt_dev_sysfs_del(tgt_dev);
	spin_lock_irq(&sess->sess_list_lock);
	list_del(&tgt_dev->sess_tgt_dev_list_entry);
	spin_unlock_irq(&sess->sess_list_lock);
	list_add_tail(&tgt_dev->sess_tgt_dev_list_entry, &scst_reap_list);
}

static void scst_tgt_dev_doom(struct scst_tgt_dev *tgt_dev)
{
	xa_erase(&tgt_dev->sess->tgt_devs, tgt_dev->lun);
	scst_tgt_dev_unlist(tgt_dev);
}

/*
 * Make a prepared tgt_dev visible.  Its slot was reserved, so xa_store()
 * does not allocate; whatever occupied the slot (LUN replacement) is
 * doomed.
 */
static void scst_tgt_dev_publish(struct scst_tgt_dev *tgt_dev)
{
	struct scst_session *sess = tgt_dev->sess;
	struct scst_tgt_dev *old;

	list_del(&tgt_dev->sess_tgt_dev_list_entry);
	old = xa_store(&sess->tgt_devs, tgt_dev->lun, tgt_dev, GFP_KERNEL);
	if (xa_is_err(old)) {
		/* Cannot happen after xa_reserve(); never leak the nexus */
		PRINT_ERROR("cannot publish LUN %llu of session %s: %d",
			    tgt_dev->lun, sess->sess_name, xa_err(old));
		list_add_tail(&tgt_dev->sess_tgt_dev_list_entry,
			      &scst_reap_list);
		return;
	}
	spin_lock_irq(&sess->sess_list_lock);
	list_add_tail(&tgt_dev->sess_tgt_dev_list_entry,
		      &sess->sess_tgt_dev_list);
	spin_unlock_irq(&sess->sess_list_lock);
	if (old)
		scst_tgt_dev_unlist(old);	/* frees the name lun<N> */
	scst_tgt_dev_sysfs_add(tgt_dev);
}

/* Give up prepared tgt_devs; their reserved slots are released */
static void scst_tgt_devs_unprepare(struct list_head *prep)
{
	struct scst_tgt_dev *tgt_dev, *t;

	list_for_each_entry_safe(tgt_dev, t, prep, sess_tgt_dev_list_entry) {
		xa_release(&tgt_dev->sess->tgt_devs, tgt_dev->lun);
		list_move_tail(&tgt_dev->sess_tgt_dev_list_entry,
			       &scst_reap_list);
	}
}

static int scst_tgt_dev_prepare_list(struct scst_session *sess,
				     struct scst_acg *acg,
				     struct scst_device *dev, u64 lun,
				     bool rd_only, struct list_head *prep)
{
	struct scst_tgt_dev *tgt_dev;
	int rc;

	rc = xa_reserve(&sess->tgt_devs, lun, GFP_KERNEL);
	if (rc)
		return rc;
	tgt_dev = scst_tgt_dev_prepare(sess, acg, dev, lun, rd_only);
	if (IS_ERR(tgt_dev)) {
		xa_release(&sess->tgt_devs, lun);
		return PTR_ERR(tgt_dev);
	}
	list_add_tail(&tgt_dev->sess_tgt_dev_list_entry, prep);
	return 0;
}

static void scst_tgt_devs_publish(struct list_head *prep)
{
	struct scst_tgt_dev *tgt_dev, *t;

	list_for_each_entry_safe(tgt_dev, t, prep, sess_tgt_dev_list_entry)
		scst_tgt_dev_publish(tgt_dev);
}

static void scst_tgt_dev_free(struct scst_tgt_dev *tgt_dev)
{
	struct scst_device *dev = tgt_dev->dev;
	struct scst_io_group *grp;

	/* normally gone when it was unlisted; never outlive the nexus */
	scst_tgt_dev_sysfs_del(tgt_dev);
	scst_tgt_dev_drain_and_exit(tgt_dev);
	if (dev->handler->detach_tgt)
		dev->handler->detach_tgt(tgt_dev);

	mutex_lock(&scst_mutex);
	spin_lock_irq(&dev->dev_lock);
	list_del(&tgt_dev->dev_tgt_dev_list_entry);
	spin_unlock_irq(&dev->dev_lock);
	tgt_dev->sess->nr_tgt_devs--;
	grp = scst_io_group_detach(tgt_dev);
	mutex_unlock(&scst_mutex);
	/* stopping threads can wait for a command step: not under the mutex */
	scst_io_group_free(grp);
	kfree(tgt_dev);
}

void scst_reap_tgt_devs(void)
{
	struct scst_tgt_dev *tgt_dev, *t;
	LIST_HEAD(list);

	mutex_lock(&scst_mutex);
	list_splice_init(&scst_reap_list, &list);
	mutex_unlock(&scst_mutex);
	if (list_empty(&list))
		return;

	/* Lookups under RCU may still hand out the erased tgt_devs */
	synchronize_rcu();
	list_for_each_entry_safe(tgt_dev, t, &list, sess_tgt_dev_list_entry) {
		list_del(&tgt_dev->sess_tgt_dev_list_entry);
		scst_tgt_dev_free(tgt_dev);
	}
	wake_up_all(&scst_mgmt_waitq);
}

/* ---------------------------------------------------------------------
 * Sessions and their acg
 */

/* Unit attentions and driver notification after a LUN inventory change */
static void scst_sess_luns_changed(struct scst_session *sess)
{
	if (sess->shutting_down)
		return;
	scst_sess_queue_ua(sess,
		SCST_LOAD_SENSE(scst_sense_reported_luns_data_changed));
	if (sess->tgt->tgtt->luns_changed)
		sess->tgt->tgtt->luns_changed(sess);
}

static bool scst_acg_matches(struct scst_acg *acg, const char *ini)
{
	const char *stack[8], **pat = stack;
	struct scst_acn *acn;
	unsigned int n = 0;
	bool res;

	list_for_each_entry(acn, &acg->acn_list, acn_list_entry)
		n++;
	if (!n)
		return false;
	if (n > ARRAY_SIZE(stack)) {
		pat = kmalloc_array(n, sizeof(*pat), GFP_KERNEL);
		if (!pat) {
			PRINT_ERROR("out of memory matching initiator %s against group %s",
				    ini, acg->acg_name);
			return false;
		}
	}
	n = 0;
	list_for_each_entry(acn, &acg->acn_list, acn_list_entry)
		pat[n++] = acn->name;
	res = scst_initiator_matches(ini, pat, n);
	if (pat != stack)
		kfree(pat);
	return res;
}

struct scst_acg *scst_select_acg(struct scst_tgt *tgt, const char *ini)
{
	struct scst_acg *acg;

	list_for_each_entry(acg, &tgt->acg_list, acg_list_entry)
		if (scst_acg_matches(acg, ini))
			return acg;
	return tgt->default_acg;
}

/*
 * Would a session of initiator ini on tgt see at least one LUN?  Lets a
 * target driver refuse logins that could do nothing, and hide targets
 * from discovery for initiators that have no access.
 */
bool scst_initiator_has_luns(struct scst_tgt *tgt, const char *ini)
{
	bool res;

	mutex_lock(&scst_mutex);
	res = !list_empty(&scst_select_acg(tgt, ini)->acg_dev_list);
	mutex_unlock(&scst_mutex);
	return res;
}
EXPORT_SYMBOL_GPL(scst_initiator_has_luns);

static int scst_sess_prepare_acg(struct scst_session *sess,
				 struct scst_acg *acg, struct list_head *prep)
{
	struct scst_acg_dev *acg_dev;
	int rc;

	list_for_each_entry(acg_dev, &acg->acg_dev_list, acg_dev_list_entry) {
		rc = scst_tgt_dev_prepare_list(sess, acg, acg_dev->dev,
					       acg_dev->lun, acg_dev->rd_only,
					       prep);
		if (rc) {
			scst_tgt_devs_unprepare(prep);
			return rc;
		}
	}
	return 0;
}

int scst_sess_join_acg(struct scst_session *sess, struct scst_acg *acg)
{
	LIST_HEAD(prep);
	int rc;

	lockdep_assert_held(&scst_mutex);
	rc = scst_sess_prepare_acg(sess, acg, &prep);
	if (rc)
		return rc;
	scst_tgt_devs_publish(&prep);
	sess->acg = acg;
	list_add_tail(&sess->acg_sess_list_entry, &acg->acg_sess_list);
	scst_sess_sysfs_luns_link_update(sess);
	return 0;
}

static void scst_sess_doom_all(struct scst_session *sess)
{
	struct scst_tgt_dev *tgt_dev, *t;

	list_for_each_entry_safe(tgt_dev, t, &sess->sess_tgt_dev_list,
				 sess_tgt_dev_list_entry)
		scst_tgt_dev_doom(tgt_dev);
}

void scst_sess_leave_acg(struct scst_session *sess)
{
	lockdep_assert_held(&scst_mutex);
	if (!sess->acg)
		return;
	scst_sess_doom_all(sess);
	list_del(&sess->acg_sess_list_entry);
	sess->acg = NULL;
	scst_sess_sysfs_luns_link_update(sess);
}

/* Move sess to acg; on failure it stays where it is */
static void scst_sess_move_acg(struct scst_session *sess,
			       struct scst_acg *acg)
{
	struct scst_acg *old = sess->acg;
	LIST_HEAD(prep);
	int rc;

	/* Prepared tgt_devs must not collide with the old LUN slots */
	scst_sess_doom_all(sess);
	rc = scst_sess_prepare_acg(sess, acg, &prep);
	if (rc) {
		PRINT_ERROR("cannot move session %s of target %s to group %s (%d); it keeps no LUNs until the next change",
			    sess->sess_name, sess->tgt->tgt_name,
			    acg->acg_name, rc);
		acg = old;
		rc = scst_sess_prepare_acg(sess, acg, &prep);
		if (rc)
			INIT_LIST_HEAD(&prep);
	}
	scst_tgt_devs_publish(&prep);
	list_move_tail(&sess->acg_sess_list_entry, &acg->acg_sess_list);
	sess->acg = acg;
	scst_sess_sysfs_luns_link_update(sess);
	scst_sess_luns_changed(sess);
	PRINT_INFO("session %s of target %s now uses LUN set %s",
		   sess->sess_name, sess->tgt->tgt_name, acg->acg_name);
}

void scst_check_reassign_sessions(struct scst_tgt *tgt)
{
	struct scst_session *sess;
	struct scst_acg *acg;

	lockdep_assert_held(&scst_mutex);
	list_for_each_entry(sess, &tgt->sess_list, sess_list_entry) {
		if (sess->shutting_down || !sess->acg)
			continue;
		acg = scst_select_acg(tgt, sess->initiator_name);
		if (acg != sess->acg)
			scst_sess_move_acg(sess, acg);
	}
}

/* ---------------------------------------------------------------------
 * Initiator groups
 */

static struct scst_acg *scst_acg_alloc(struct scst_tgt *tgt,
				       const char *name, bool is_default)
{
	struct scst_acg *acg;

	acg = kzalloc(sizeof(*acg), GFP_KERNEL);
	if (!acg)
		return NULL;
	acg->acg_name = kstrdup(name, GFP_KERNEL);
	if (!acg->acg_name) {
		kfree(acg);
		return NULL;
	}
	acg->tgt = tgt;
	acg->is_default = is_default;
	INIT_LIST_HEAD(&acg->acg_list_entry);
	INIT_LIST_HEAD(&acg->acg_dev_list);
	INIT_LIST_HEAD(&acg->acn_list);
	INIT_LIST_HEAD(&acg->acg_sess_list);
	acg->addr_method = SCST_LUN_ADDR_METHOD_PERIPHERAL;
	scst_io_opts_init(&acg->io_opts);
	return acg;
}

static void scst_acg_free(struct scst_acg *acg)
{
	kfree(acg->acg_name);
	kfree(acg);
}

int scst_tgt_init_default_acg(struct scst_tgt *tgt)
{
	tgt->default_acg = scst_acg_alloc(tgt, tgt->tgt_name, true);
	return tgt->default_acg ? 0 : -ENOMEM;
}

struct scst_acg *scst_acg_create(struct scst_tgt *tgt, const char *name)
{
	struct scst_acg *acg;
	int rc;

	if (!scst_is_valid_name(name)) {
		PRINT_ERROR("invalid initiator group name \"%s\"", name);
		return ERR_PTR(-EINVAL);
	}
	acg = scst_acg_alloc(tgt, name, false);
	if (!acg)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&scst_mutex);
	if (scst_find_acg(tgt, name)) {
		PRINT_ERROR("initiator group %s already exists in target %s",
			    name, tgt->tgt_name);
		rc = -EEXIST;
		goto out_free;
	}
	rc = scst_acg_sysfs_add(acg);
	if (rc) {
		if (rc != -EINVAL)	/* reserved names are logged already */
			PRINT_ERROR("cannot create sysfs entries of group %s: %d",
				    name, rc);
		goto out_free;
	}
	list_add_tail(&acg->acg_list_entry, &tgt->acg_list);
	mutex_unlock(&scst_mutex);
	PRINT_INFO("created initiator group %s of target %s", name,
		   tgt->tgt_name);
	return acg;

out_free:
	mutex_unlock(&scst_mutex);
	scst_acg_free(acg);
	return ERR_PTR(rc);
}

static void __scst_acg_del_lun(struct scst_acg_dev *acg_dev, bool gen_ua);
static void __scst_acg_del_acn(struct scst_acn *acn);

int scst_acg_destroy(struct scst_acg *acg)
{
	struct scst_acg_dev *acg_dev, *ad;
	struct scst_acn *acn, *an;

	mutex_lock(&scst_mutex);
	if (!list_empty(&acg->acg_sess_list)) {
		PRINT_ERROR("initiator group %s of target %s is used by sessions; remove its initiators first",
			    acg->acg_name, acg->tgt->tgt_name);
		mutex_unlock(&scst_mutex);
		return -EBUSY;
	}
	list_del(&acg->acg_list_entry);
	list_for_each_entry_safe(acg_dev, ad, &acg->acg_dev_list,
				 acg_dev_list_entry)
		__scst_acg_del_lun(acg_dev, false);
	list_for_each_entry_safe(acn, an, &acg->acn_list, acn_list_entry)
		__scst_acg_del_acn(acn);
	mutex_unlock(&scst_mutex);

	/* Its attribute stores take scst_mutex: remove without it */
	scst_acg_sysfs_del(acg);
	PRINT_INFO("deleted initiator group %s of target %s", acg->acg_name,
		   acg->tgt->tgt_name);
	scst_acg_free(acg);
	return 0;
}

void scst_tgt_cleanup_acgs(struct scst_tgt *tgt)
{
	struct scst_acg *acg;

	for (;;) {
		mutex_lock(&scst_mutex);
		acg = list_first_entry_or_null(&tgt->acg_list, struct scst_acg,
					       acg_list_entry);
		mutex_unlock(&scst_mutex);
		if (!acg)
			break;
		if (scst_acg_destroy(acg))
			break;	/* logged; cannot happen without sessions */
	}
	if (tgt->default_acg) {
		scst_acg_clear_luns(tgt->default_acg);
		scst_acg_free(tgt->default_acg);
		tgt->default_acg = NULL;
	}
}

/* ---------------------------------------------------------------------
 * LUN mappings
 */

static void scst_acg_dev_insert(struct scst_acg *acg,
				struct scst_acg_dev *acg_dev)
{
	struct scst_acg_dev *pos;

	list_for_each_entry(pos, &acg->acg_dev_list, acg_dev_list_entry)
		if (pos->lun > acg_dev->lun)
			break;
	list_add_tail(&acg_dev->acg_dev_list_entry, &pos->acg_dev_list_entry);
}

/*
 * Remove one mapping (scst_mutex held).  The luns/<N> directory only has
 * lock-free show() callbacks, so it may be removed under scst_mutex; the
 * tgt_devs are reaped by the caller after dropping it.
 */
static void __scst_acg_del_lun(struct scst_acg_dev *acg_dev, bool gen_ua)
{
	struct scst_acg *acg = acg_dev->acg;
	struct scst_device *dev = acg_dev->dev;
	struct scst_tgt_dev *tgt_dev;
	struct scst_session *sess;

	list_del(&acg_dev->acg_dev_list_entry);
	list_for_each_entry(sess, &acg->acg_sess_list, acg_sess_list_entry) {
		tgt_dev = xa_load(&sess->tgt_devs, acg_dev->lun);
		if (tgt_dev)
			scst_tgt_dev_doom(tgt_dev);
		if (gen_ua)
			scst_sess_luns_changed(sess);
	}
	scst_acg_dev_sysfs_del(acg_dev);
	list_del(&acg_dev->dev_acg_dev_list_entry);
	module_put(dev->handler->owner);
	kfree(acg_dev);
}

/* A new LUN (scst_mutex held, mapping already on dev's list) */
static int scst_acg_new_lun(struct scst_acg_dev *acg_dev, bool gen_ua)
{
	struct scst_acg *acg = acg_dev->acg;
	struct scst_session *sess;
	LIST_HEAD(prep);
	int rc;

	rc = scst_acg_dev_sysfs_add(acg_dev);
	if (rc) {
		PRINT_ERROR("cannot create sysfs entries of LUN %llu: %d",
			    acg_dev->lun, rc);
		return rc;
	}
	list_for_each_entry(sess, &acg->acg_sess_list, acg_sess_list_entry) {
		rc = scst_tgt_dev_prepare_list(sess, acg, acg_dev->dev,
					       acg_dev->lun, acg_dev->rd_only,
					       &prep);
		if (rc) {
			scst_tgt_devs_unprepare(&prep);
			scst_acg_dev_sysfs_del(acg_dev);
			return rc;
		}
	}
	scst_acg_dev_insert(acg, acg_dev);
	scst_tgt_devs_publish(&prep);
	if (gen_ua)
		list_for_each_entry(sess, &acg->acg_sess_list,
				    acg_sess_list_entry)
			scst_sess_luns_changed(sess);
	return 0;
}

/*
 * Replace the device (and read-only flag) of an existing LUN in place
 * (scst_mutex held).  The new I_T_L nexuses get INQUIRY DATA HAS CHANGED
 * before they become visible, unless gen_ua is false.
 */
static int scst_acg_repl_lun(struct scst_acg_dev *old, struct scst_device *dev,
			     bool rd_only, bool gen_ua)
{
	struct scst_acg *acg = old->acg;
	struct scst_device *old_dev = old->dev;
	struct scst_tgt_dev *tgt_dev;
	struct scst_session *sess;
	LIST_HEAD(prep);
	int rc;

	list_for_each_entry(sess, &acg->acg_sess_list, acg_sess_list_entry) {
		rc = scst_tgt_dev_prepare_list(sess, acg, dev, old->lun,
					       rd_only, &prep);
		if (rc) {
			scst_tgt_devs_unprepare(&prep);
			return rc;
		}
	}
	rc = scst_acg_dev_sysfs_replace(old, dev);
	if (rc) {
		PRINT_ERROR("cannot update sysfs entries of LUN %llu: %d",
			    old->lun, rc);
		scst_tgt_devs_unprepare(&prep);
		return rc;
	}
	if (gen_ua)
		list_for_each_entry(tgt_dev, &prep, sess_tgt_dev_list_entry)
			scst_tgt_dev_queue_ua(tgt_dev,
				SCST_LOAD_SENSE(scst_sense_inquiry_data_changed));
	list_move_tail(&old->dev_acg_dev_list_entry, &dev->dev_acg_dev_list);
	old->dev = dev;
	old->rd_only = rd_only;
	scst_tgt_devs_publish(&prep);
	if (gen_ua)
		list_for_each_entry(sess, &acg->acg_sess_list,
				    acg_sess_list_entry)
			if (!sess->shutting_down && sess->tgt->tgtt->luns_changed)
				sess->tgt->tgtt->luns_changed(sess);
	module_put(old_dev->handler->owner);
	return 0;
}

int scst_acg_add_lun(struct scst_acg *acg, struct scst_device *dev, u64 lun,
		     bool read_only, bool replace, bool gen_ua)
{
	struct scst_acg_dev *acg_dev, *old;
	int rc;

	if (lun > SCST_MAX_LUN) {
		PRINT_ERROR("LUN %llu is out of range (0..%d)", lun,
			    SCST_MAX_LUN);
		return -EINVAL;
	}
	acg_dev = kzalloc(sizeof(*acg_dev), GFP_KERNEL);
	if (!acg_dev)
		return -ENOMEM;
	acg_dev->acg = acg;
	acg_dev->dev = dev;
	acg_dev->lun = lun;
	acg_dev->rd_only = read_only;

	mutex_lock(&scst_mutex);
	old = scst_find_acg_dev(acg, lun);
	if (old && !replace) {
		PRINT_ERROR("LUN %llu already exists in group %s (device %s)",
			    lun, acg->acg_name, old->dev->virt_name);
		rc = -EEXIST;
		goto out_unlock;
	}
	if (!scst_dev_registered(dev) || !try_module_get(dev->handler->owner)) {
		PRINT_ERROR("device for LUN %llu is being unregistered", lun);
		rc = -ENOENT;
		goto out_unlock;
	}
	if (old) {
		rc = scst_acg_repl_lun(old, dev, read_only, gen_ua);
		if (rc)
			module_put(dev->handler->owner);
		goto out_unlock;
	}
	list_add_tail(&acg_dev->dev_acg_dev_list_entry, &dev->dev_acg_dev_list);
	rc = scst_acg_new_lun(acg_dev, gen_ua);
	if (rc) {
		list_del(&acg_dev->dev_acg_dev_list_entry);
		module_put(dev->handler->owner);
	} else {
		acg_dev = NULL;	/* now owned by acg */
	}

out_unlock:
	if (!rc)
		PRINT_INFO("%s LUN %llu of group %s -> device %s%s",
			   old ? "replaced" : "added", lun, acg->acg_name,
			   dev->virt_name, read_only ? " (read-only)" : "");
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	kfree(acg_dev);
	return rc;
}

int scst_acg_del_lun(struct scst_acg *acg, u64 lun, bool gen_ua)
{
	struct scst_acg_dev *acg_dev;

	mutex_lock(&scst_mutex);
	acg_dev = scst_find_acg_dev(acg, lun);
	if (!acg_dev) {
		mutex_unlock(&scst_mutex);
		PRINT_ERROR("LUN %llu does not exist in group %s", lun,
			    acg->acg_name);
		return -ENOENT;
	}
	__scst_acg_del_lun(acg_dev, gen_ua);
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	PRINT_INFO("deleted LUN %llu of group %s", lun, acg->acg_name);
	return 0;
}

int scst_acg_clear_luns(struct scst_acg *acg)
{
	struct scst_acg_dev *acg_dev, *t;
	struct scst_session *sess;
	bool any;

	mutex_lock(&scst_mutex);
	any = !list_empty(&acg->acg_dev_list);
	list_for_each_entry_safe(acg_dev, t, &acg->acg_dev_list,
				 acg_dev_list_entry)
		__scst_acg_del_lun(acg_dev, false);
	if (any) {
		list_for_each_entry(sess, &acg->acg_sess_list,
				    acg_sess_list_entry)
			scst_sess_luns_changed(sess);
		PRINT_INFO("deleted all LUNs of group %s", acg->acg_name);
	}
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	return 0;
}

/* ---------------------------------------------------------------------
 * Initiator names
 */

static bool scst_acn_name_ok(const char *name)
{
	if (scst_is_valid_name(name))
		return true;
	PRINT_ERROR("invalid initiator name \"%s\"", name);
	return false;
}

static struct scst_acn *scst_acn_alloc(struct scst_acg *acg,
				       const char *name)
{
	struct scst_acn *acn;

	acn = kzalloc(sizeof(*acn), GFP_KERNEL);
	if (!acn)
		return NULL;
	acn->name = kstrdup(name, GFP_KERNEL);
	if (!acn->name) {
		kfree(acn);
		return NULL;
	}
	acn->acg = acg;
	return acn;
}

static void scst_acn_free(struct scst_acn *acn)
{
	kfree(acn->name);
	kfree(acn);
}

/* Link acn into acg (scst_mutex held); the caller reassigns sessions */
static int __scst_acg_add_acn(struct scst_acg *acg, struct scst_acn *acn)
{
	int rc;

	acn->acg = acg;
	rc = scst_acn_sysfs_add(acn);
	if (rc) {
		if (rc != -EINVAL)	/* reserved names are logged already */
			PRINT_ERROR("cannot create sysfs file of initiator %s: %d",
				    acn->name, rc);
		return rc;
	}
	list_add_tail(&acn->acn_list_entry, &acg->acn_list);
	return 0;
}

/* The initiators/<name> file has a lock-free show(): fine under the mutex */
static void __scst_acg_del_acn(struct scst_acn *acn)
{
	list_del(&acn->acn_list_entry);
	scst_acn_sysfs_del(acn);
	scst_acn_free(acn);
}

int scst_acg_add_acn(struct scst_acg *acg, const char *name)
{
	struct scst_acn *acn;
	int rc;

	if (!scst_acn_name_ok(name))
		return -EINVAL;
	acn = scst_acn_alloc(acg, name);
	if (!acn)
		return -ENOMEM;

	mutex_lock(&scst_mutex);
	if (scst_find_acn(acg, name)) {
		PRINT_ERROR("initiator %s is already in group %s", name,
			    acg->acg_name);
		rc = -EEXIST;
	} else {
		rc = __scst_acg_add_acn(acg, acn);
	}
	if (rc)
		scst_acn_free(acn);
	else
		scst_check_reassign_sessions(acg->tgt);
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	return rc;
}

int scst_acg_del_acn(struct scst_acg *acg, const char *name)
{
	struct scst_acn *acn;

	mutex_lock(&scst_mutex);
	acn = scst_find_acn(acg, name);
	if (!acn) {
		mutex_unlock(&scst_mutex);
		PRINT_ERROR("initiator %s is not in group %s", name,
			    acg->acg_name);
		return -ENOENT;
	}
	__scst_acg_del_acn(acn);
	scst_check_reassign_sessions(acg->tgt);
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	return 0;
}

int scst_acg_move_acn(struct scst_acg *from, struct scst_acg *to,
		      const char *name)
{
	struct scst_acn *acn, *new_acn;
	int rc = 0;

	if (from == to) {
		PRINT_ERROR("initiator %s: source and destination group are both %s",
			    name, from->acg_name);
		return -EINVAL;
	}
	new_acn = scst_acn_alloc(to, name);
	if (!new_acn)
		return -ENOMEM;

	mutex_lock(&scst_mutex);
	acn = scst_find_acn(from, name);
	if (!acn) {
		PRINT_ERROR("initiator %s is not in group %s", name,
			    from->acg_name);
		rc = -ENOENT;
	} else if (scst_find_acn(to, name)) {
		PRINT_ERROR("initiator %s is already in group %s", name,
			    to->acg_name);
		rc = -EEXIST;
	} else {
		rc = __scst_acg_add_acn(to, new_acn);
	}
	if (rc) {
		mutex_unlock(&scst_mutex);
		scst_acn_free(new_acn);
		return rc;
	}
	__scst_acg_del_acn(acn);
	scst_check_reassign_sessions(from->tgt);
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	return 0;
}

int scst_acg_clear_acns(struct scst_acg *acg)
{
	struct scst_acn *acn, *t;

	mutex_lock(&scst_mutex);
	list_for_each_entry_safe(acn, t, &acg->acn_list, acn_list_entry)
		__scst_acg_del_acn(acn);
	scst_check_reassign_sessions(acg->tgt);
	mutex_unlock(&scst_mutex);
	scst_reap_tgt_devs();
	return 0;
}
