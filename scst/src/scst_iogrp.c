// SPDX-License-Identifier: GPL-2.0
/*
 * I/O groups: the thread sets of devices whose threads_pool_type is
 * per_initiator.
 *
 * A device with threads_num > 0 processes its commands on its own threads
 * instead of the global pool: one pool for all its I_T_L nexuses
 * (threads_pool_type shared, scst_targ.c) or one pool per I/O group
 * (per_initiator, here).  The io_grouping_type of the nexus's initiator
 * group -- of its target for the default LUN set -- decides which nexuses
 * form a group (scst_io_group_key_match()): by default those of one
 * initiator name, so that the sessions of one initiator share threads and
 * one initiator cannot starve another of them.
 *
 * A group's threads run on the cpu_mask of the initiator group (or target)
 * of the nexus that created it; writing cpu_mask rebinds them at once.
 * The grouping itself is decided when a nexus is created: a new
 * io_grouping_type applies to nexuses created afterwards (the next login
 * or LUN addition).  Moving a live nexus to other threads would first have
 * to drain it, which is what an admin changing a knob must not cause.
 *
 * Groups are created, joined and left under scst_mutex, by the
 * management plane only; the I/O path just follows
 * tgt_dev->active_cmd_threads.  A group outlives its nexuses' commands
 * because a nexus leaves it only after it was drained.
 *
 * Writing threads_num or threads_pool_type (scst_dev_set_threads(), run
 * as sysfs work) replaces the pools of live nexuses without draining
 * them: the nexuses get new pools, new commands are processed there, and
 * the old pools are stopped once the commands that still use them
 * (counted in pool->nr_cmds) are gone.
 */

#include <linux/slab.h>
#include "scst_dataplane.h"

struct scst_io_group {
	struct list_head entry;		/* in dev->io_groups */
	int refs;			/* nexuses in the group */
	int index;			/* sessions/<s>/lun<N>/thread_index */
	struct scst_io_group_key key;	/* key.initiator is owned */
	struct scst_cmd_threads pool;
};

const struct scst_io_opts *scst_acg_io_opts(const struct scst_acg *acg)
{
	return acg->is_default ? &acg->tgt->io_opts : &acg->io_opts;
}

int scst_io_group_index(const struct scst_io_group *grp)
{
	return grp->index;
}

static void scst_io_group_nexus_key(const struct scst_tgt_dev *tgt_dev,
				    const struct scst_acg *acg,
				    struct scst_io_group_key *key)
{
	key->type = READ_ONCE(scst_acg_io_opts(acg)->io_grouping_type);
	key->initiator = tgt_dev->sess->initiator_name;
	key->acg_id = (unsigned long)acg;
}

static struct scst_io_group *scst_io_group_find(struct scst_device *dev,
					const struct scst_io_group_key *key)
{
	struct scst_io_group *grp;

	list_for_each_entry(grp, &dev->io_groups, entry)
		if (scst_io_group_key_match(&grp->key, key))
			return grp;
	return NULL;
}

static struct scst_io_group *scst_io_group_create(struct scst_device *dev,
					const struct scst_io_group_key *key,
					const struct cpumask *mask)
{
	struct scst_io_group *grp;
	char name[sizeof(grp->pool.name)];
	int rc;

	grp = kzalloc(sizeof(*grp), GFP_KERNEL);
	if (!grp)
		return ERR_PTR(-ENOMEM);
	grp->key = *key;
	grp->key.initiator = kstrdup(key->initiator ?: "", GFP_KERNEL);
	if (!grp->key.initiator) {
		kfree(grp);
		return ERR_PTR(-ENOMEM);
	}
	grp->index = ++dev->io_group_seq;
	/* threads <device><group>_<n>, cut by the kernel to 15 characters */
	snprintf(name, sizeof(name), "%s%d_", dev->virt_name ?: "dev",
		 grp->index);
	rc = scst_pool_init(&grp->pool, name, dev->threads_num, mask);
	if (rc) {
		kfree(grp->key.initiator);
		kfree(grp);
		return ERR_PTR(rc);
	}
	list_add_tail(&grp->entry, &dev->io_groups);
	return grp;
}

int scst_io_group_attach(struct scst_tgt_dev *tgt_dev, struct scst_acg *acg)
{
	struct scst_device *dev = tgt_dev->dev;
	struct scst_io_group_key key;
	struct scst_io_group *grp;

	lockdep_assert_held(&scst_mutex);
	if (dev->threads_num <= 0 ||
	    dev->threads_pool_type != SCST_THREADS_POOL_PER_INITIATOR)
		return 0;
	scst_io_group_nexus_key(tgt_dev, acg, &key);
	grp = scst_io_group_find(dev, &key);
	if (!grp) {
		grp = scst_io_group_create(dev, &key,
				&scst_acg_io_opts(acg)->cpu_mask);
		if (IS_ERR(grp)) {
			PRINT_ERROR("device %s: cannot create %d threads for initiator %s: %ld",
				    dev->virt_name, dev->threads_num,
				    tgt_dev->sess->initiator_name,
				    PTR_ERR(grp));
			return PTR_ERR(grp);
		}
	}
	grp->refs++;
	tgt_dev->io_group = grp;
	WRITE_ONCE(tgt_dev->active_cmd_threads, &grp->pool);
	return 0;
}

struct scst_io_group *scst_io_group_detach(struct scst_tgt_dev *tgt_dev)
{
	struct scst_io_group *grp = tgt_dev->io_group;

	lockdep_assert_held(&scst_mutex);
	if (!grp)
		return NULL;
	tgt_dev->io_group = NULL;
	WRITE_ONCE(tgt_dev->active_cmd_threads, &scst_main_threads);
	if (--grp->refs)
		return NULL;
	list_del(&grp->entry);
	return grp;
}

void scst_io_group_free(struct scst_io_group *grp)
{
	if (!grp)
		return;
	scst_pool_destroy(&grp->pool);
	kfree(grp->key.initiator);
	kfree(grp);
}

void scst_acg_apply_cpu_mask(struct scst_acg *acg)
{
	const struct cpumask *mask = &scst_acg_io_opts(acg)->cpu_mask;
	struct scst_session *sess;
	struct scst_tgt_dev *tgt_dev;

	lockdep_assert_held(&scst_mutex);
	list_for_each_entry(sess, &acg->acg_sess_list, acg_sess_list_entry)
		list_for_each_entry(tgt_dev, &sess->sess_tgt_dev_list,
				    sess_tgt_dev_list_entry)
			if (tgt_dev->io_group)
				scst_pool_set_cpumask(&tgt_dev->io_group->pool,
						      mask);
}

/*
 * Move every nexus of dev to the global pool and hand the device's pools
 * to the caller: the shared pool is returned, the groups are moved to
 * old_groups.  scst_mutex and scst_dev_threads_mutex held.
 */
static struct scst_cmd_threads *
scst_dev_threads_detach(struct scst_device *dev, struct list_head *old_groups)
{
	struct scst_cmd_threads *shared = dev->dev_cmd_threads;
	struct scst_tgt_dev *tgt_dev;

	list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
			    dev_tgt_dev_list_entry) {
		tgt_dev->io_group = NULL;
		WRITE_ONCE(tgt_dev->active_cmd_threads, &scst_main_threads);
	}
	list_splice_tail_init(&dev->io_groups, old_groups);
	dev->dev_cmd_threads = NULL;
	return shared;
}

/*
 * Create the pools that dev->threads_num and threads_pool_type ask for and
 * move the nexuses there.  On failure the nexuses not moved stay on the
 * global pool.  scst_mutex and scst_dev_threads_mutex held.
 */
static int scst_dev_threads_attach(struct scst_device *dev)
{
	struct scst_tgt_dev *tgt_dev;
	int rc;

	rc = scst_dev_shared_pool_create(dev);
	if (rc)
		return rc;
	list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
			    dev_tgt_dev_list_entry) {
		if (dev->dev_cmd_threads)
			WRITE_ONCE(tgt_dev->active_cmd_threads,
				   dev->dev_cmd_threads);
		rc = scst_io_group_attach(tgt_dev, tgt_dev->sess->acg);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * threads_num (num) and threads_pool_type (type) of devices/<dev>/: give
 * the device and its live nexuses new pools.  Sysfs work: it waits for the
 * commands still running on the old pools, without scst_mutex.  If the new
 * threads cannot be created, the old settings are restored (with new
 * threads of their own) and the error returned.
 */
int scst_dev_set_threads(struct scst_device *dev, int num, int type)
{
	struct scst_cmd_threads *old_shared[2] = { NULL, NULL };
	int old_num, old_type, rc, i;
	struct scst_io_group *grp, *tmp;
	LIST_HEAD(old_groups);

	mutex_lock(&scst_mutex);
	old_num = dev->threads_num;
	old_type = dev->threads_pool_type;
	if (num == old_num && type == old_type) {
		mutex_unlock(&scst_mutex);
		return 0;
	}
	mutex_lock(&scst_dev_threads_mutex);
	old_shared[0] = scst_dev_threads_detach(dev, &old_groups);
	WRITE_ONCE(dev->threads_num, num);
	WRITE_ONCE(dev->threads_pool_type, type);
	rc = scst_dev_threads_attach(dev);
	if (rc) {
		PRINT_ERROR("device %s: cannot create %d %s threads: %d",
			    dev->virt_name, num,
			    type == SCST_THREADS_POOL_SHARED ? "shared" :
							       "per_initiator",
			    rc);
		old_shared[1] = scst_dev_threads_detach(dev, &old_groups);
		WRITE_ONCE(dev->threads_num, old_num);
		WRITE_ONCE(dev->threads_pool_type, old_type);
		if (scst_dev_threads_attach(dev))
			PRINT_ERROR("device %s: some of its LUNs now use the global threads",
				    dev->virt_name);
	}
	mutex_unlock(&scst_dev_threads_mutex);
	mutex_unlock(&scst_mutex);

	/* commands that picked an old pool have counted themselves there */
	synchronize_rcu();
	for (i = 0; i < ARRAY_SIZE(old_shared); i++) {
		if (!old_shared[i])
			continue;
		scst_pool_wait_idle(old_shared[i]);
		scst_dev_shared_pool_free(old_shared[i]);
	}
	list_for_each_entry_safe(grp, tmp, &old_groups, entry) {
		list_del(&grp->entry);
		scst_pool_wait_idle(&grp->pool);
		scst_io_group_free(grp);
	}
	return rc;
}
