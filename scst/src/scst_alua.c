// SPDX-License-Identifier: GPL-2.0
/*
 * ALUA device groups (SPC-4 5.16): /sys/kernel/scst_tgt/device_groups.
 *
 * A device group holds devices (at most one group per device) and target
 * groups; a target group is a SCSI target port group with a group_id, a
 * preferred bit, an asymmetric access state and a set of target ports:
 * local targets (a symlink to the target) or targets of another node
 * (a directory with their rel_tgt_id).  A target is in at most one target
 * group of a device group.  The administrator sets the states (implicit
 * ALUA); a device whose expl_alua attribute is 1 also lets initiators set
 * them with SET TARGET PORT GROUPS (explicit ALUA).
 *
 * Locking: the management plane serialises itself with scst_mutex.  The
 * data plane reads the lists and the fields it needs (state, group_id,
 * preferred, rel_tgt_id, tgt) under scst_alua_lock, so writers hold both.
 *
 * Objects are removed, sysfs directories included, under scst_mutex.
 * Removing a directory waits for the stores running on its files, so every
 * store of this file only tries to take scst_mutex and, if it is busy,
 * restarts the write system call (as the network stack does with the rtnl
 * lock) instead of blocking.
 *
 * Deleting a device or a target removes it from its groups.
 */

#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include "scst_dataplane.h"
#include "scst_alua_pure.h"

struct scst_dg {
	struct kobject kobj;			/* device_groups/<dg> */
	char *name;
	struct list_head entry;			/* in scst_dg_list */
	struct list_head dev_list;		/* struct scst_dg_dev */
	struct list_head tg_list;		/* struct scst_tg */
	struct kobject *devs_kobj;
	struct kobject *tgs_kobj;
};

struct scst_dg_dev {
	struct list_head entry;
	struct scst_device *dev;
	char *name;
};

struct scst_tg {
	struct kobject kobj;			/* target_groups/<tg> */
	struct scst_dg *dg;
	char *name;
	struct list_head entry;			/* in dg->tg_list */
	struct list_head tgt_list;		/* struct scst_tg_tgt */
	u16 group_id;
	bool preferred;
	u8 state;
	u8 status;
};

struct scst_tg_tgt {
	struct kobject kobj;			/* remote target directory */
	struct scst_tg *tg;
	char *name;
	struct list_head entry;			/* in tg->tgt_list */
	struct scst_tgt *tgt;			/* NULL: remote target */
	u16 rel_tgt_id;				/* of a remote target */
};

/* One mgmt file of the device_groups tree: its "add" and "del" */
struct scst_alua_verbs {
	const char *what;	/* what NAME names, for messages */
	bool create;		/* "create" is an alias of "add" */
	int (*add)(void *obj, const char *name);
	int (*del)(void *obj, const char *name);
};

static LIST_HEAD(scst_dg_list);
static DEFINE_SPINLOCK(scst_alua_lock);
static struct kobject *scst_alua_root;
/* Devices in a device group: lets the I/O path skip the lookup */
static int scst_alua_ndevs;

/* scst_mutex for a store; see the comment at the top */
static int scst_alua_lock_mgmt(void)
{
	if (!mutex_trylock(&scst_mutex))
		return restart_syscall();
	return 0;
}

static bool scst_alua_reserved(const char *name)
{
	static const char *const names[] = {
		"mgmt", "group_id", "preferred", "state", "devices",
		"target_groups", "rel_tgt_id",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static int scst_alua_check_name(const char *what, const char *name)
{
	if (!*name) {
		PRINT_ERROR("%s name missing", what);
		return -EINVAL;
	}
	if (!scst_is_valid_name(name) || scst_alua_reserved(name)) {
		PRINT_ERROR("invalid %s name \"%s\"", what, name);
		return -EINVAL;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Lookups: scst_mutex or scst_alua_lock held
 */

static struct scst_dg *scst_dg_find(const char *name)
{
	struct scst_dg *dg;

	list_for_each_entry(dg, &scst_dg_list, entry)
		if (!strcmp(dg->name, name))
			return dg;
	return NULL;
}

static struct scst_dg_dev *scst_dg_dev_find(struct scst_dg *dg,
					    const struct scst_device *dev)
{
	struct scst_dg_dev *dd;

	list_for_each_entry(dd, &dg->dev_list, entry)
		if (dd->dev == dev)
			return dd;
	return NULL;
}

/* The live device group of dev */
static struct scst_dg *scst_dg_of_dev(const struct scst_device *dev,
				      struct scst_dg_dev **ddp)
{
	struct scst_dg_dev *dd;
	struct scst_dg *dg;

	list_for_each_entry(dg, &scst_dg_list, entry) {
		dd = scst_dg_dev_find(dg, dev);
		if (dd) {
			if (ddp)
				*ddp = dd;
			return dg;
		}
	}
	return NULL;
}

static struct scst_tg *scst_tg_find(struct scst_dg *dg, const char *name)
{
	struct scst_tg *tg;

	list_for_each_entry(tg, &dg->tg_list, entry)
		if (!strcmp(tg->name, name))
			return tg;
	return NULL;
}

static struct scst_tg_tgt *scst_tg_tgt_find(struct scst_tg *tg,
					    const char *name)
{
	struct scst_tg_tgt *t;

	list_for_each_entry(t, &tg->tgt_list, entry)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* The live target group of dg that holds the target named name */
static struct scst_tg *scst_tg_of_name(struct scst_dg *dg, const char *name)
{
	struct scst_tg_tgt *t;
	struct scst_tg *tg;

	list_for_each_entry(tg, &dg->tg_list, entry) {
		t = scst_tg_tgt_find(tg, name);
		if (t)
			return tg;
	}
	return NULL;
}

static struct scst_tg *scst_tg_of_tgt(struct scst_dg *dg,
				      const struct scst_tgt *tgt)
{
	struct scst_tg_tgt *t;
	struct scst_tg *tg;

	list_for_each_entry(tg, &dg->tg_list, entry)
		list_for_each_entry(t, &tg->tgt_list, entry)
			if (t->tgt == tgt)
				return tg;
	return NULL;
}

static struct scst_tgt *scst_alua_find_local_tgt(const char *name)
{
	struct scst_tgt_template *tgtt;
	struct scst_tgt *tgt;

	list_for_each_entry(tgtt, &scst_template_list, tgtt_list_entry)
		list_for_each_entry(tgt, &tgtt->tgt_list, tgt_list_entry)
			if (!tgt->tgt_dead && !strcmp(tgt->tgt_name, name))
				return tgt;
	return NULL;
}

/* ---------------------------------------------------------------------
 * Data plane
 */

/*
 * The I/O path does not walk the groups: every I_T_L nexus caches its ALUA
 * port in one word (tgt_dev->alua_port), recomputed under scst_mutex by
 * every change of the groups and when the nexus is created.
 */
#define SCST_ALUA_PORT_IN_DG	BIT(31)	/* device is in a device group */
#define SCST_ALUA_PORT_IN_TG	BIT(30)	/* ... and the target in one of its TGs */
#define SCST_ALUA_PORT_STATE_SHIFT 16	/* bits 23-16: ALUA state */
					/* bits 15-0: target port group id */

static u32 scst_alua_port_word(const struct scst_device *dev,
			       const struct scst_tgt *tgt)
{
	struct scst_dg *dg;
	struct scst_tg *tg;
	unsigned long flags;
	u32 w = 0;

	spin_lock_irqsave(&scst_alua_lock, flags);
	dg = scst_dg_of_dev(dev, NULL);
	if (dg) {
		w = SCST_ALUA_PORT_IN_DG;
		tg = scst_tg_of_tgt(dg, tgt);
		if (tg)
			w |= SCST_ALUA_PORT_IN_TG |
			     tg->state << SCST_ALUA_PORT_STATE_SHIFT |
			     tg->group_id;
	}
	spin_unlock_irqrestore(&scst_alua_lock, flags);
	return w;
}

/* A new nexus (scst_mutex held, not yet visible to commands) */
void scst_alua_init_tgt_dev(struct scst_tgt_dev *tgt_dev)
{
	lockdep_assert_held(&scst_mutex);
	tgt_dev->alua_port = scst_alua_port_word(tgt_dev->dev,
						 tgt_dev->sess->tgt);
}

/* Recompute the cached port of every nexus after a change of the groups */
static void scst_alua_refresh(void)
{
	struct scst_tgt_dev *tgt_dev;
	struct scst_device *dev;

	lockdep_assert_held(&scst_mutex);
	list_for_each_entry(dev, &scst_dev_list, dev_list_entry)
		list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
				    dev_tgt_dev_list_entry)
			WRITE_ONCE(tgt_dev->alua_port,
				   scst_alua_port_word(dev,
						       tgt_dev->sess->tgt));
}

/* End of a store that may have changed the groups */
static void scst_alua_unlock_mgmt(void)
{
	scst_alua_refresh();
	mutex_unlock(&scst_mutex);
}

/* State of the target port group cmd came through; false if none */
static bool scst_alua_cmd_tg(struct scst_cmd *cmd, u8 *state, u16 *id)
{
	u32 w;

	if (!cmd->tgt_dev)
		return false;
	w = READ_ONCE(cmd->tgt_dev->alua_port);
	if (!(w & SCST_ALUA_PORT_IN_TG))
		return false;
	*state = (w >> SCST_ALUA_PORT_STATE_SHIFT) & 0xff;
	*id = w & 0xffff;
	return true;
}

static bool scst_alua_cmd_in_dg(const struct scst_cmd *cmd)
{
	return cmd->tgt_dev &&
	       (READ_ONCE(cmd->tgt_dev->alua_port) & SCST_ALUA_PORT_IN_DG);
}

static bool scst_alua_dev_in_dg(const struct scst_device *dev)
{
	unsigned long flags;
	bool res;

	if (!READ_ONCE(scst_alua_ndevs) || !dev)
		return false;
	spin_lock_irqsave(&scst_alua_lock, flags);
	res = scst_dg_of_dev(dev, NULL);
	spin_unlock_irqrestore(&scst_alua_lock, flags);
	return res;
}

bool scst_alua_check_cmd(struct scst_cmd *cmd)
{
	u8 state, asc, ascq;
	u16 id;

	if (!scst_alua_cmd_tg(cmd, &state, &id))
		return false;
	if (scst_alua_cmd_allowed(state, cmd->cdb, cmd->cdb_len, &asc, &ascq))
		return false;
	scst_set_cmd_error(cmd, NOT_READY, asc, ascq);
	return true;
}

/*
 * REPORT TARGET PORT GROUPS of a grouped device, and SET TARGET PORT
 * GROUPS of any device: without explicit ALUA the latter is answered
 * INVALID COMMAND OPERATION CODE (SPC-4 6.44) by scst_alua_stpg().
 */
bool scst_alua_local_cmd(struct scst_cmd *cmd)
{
	if (cmd->cdb_len < 2)
		return false;
	if (cmd->cdb[0] == MAINTENANCE_OUT)
		return (cmd->cdb[1] & 0x1f) == MO_SET_TARGET_PGS;
	return cmd->cdb[0] == MAINTENANCE_IN &&
	       (cmd->cdb[1] & 0x1f) == MI_REPORT_TARGET_PGS &&
	       scst_alua_cmd_in_dg(cmd);
}

bool scst_alua_rtpg_supported(const struct scst_device *dev)
{
	return scst_alua_dev_in_dg(dev);
}

bool scst_alua_stpg_supported(const struct scst_device *dev)
{
	return READ_ONCE(dev->expl_alua) && scst_alua_dev_in_dg(dev);
}

u8 scst_alua_get_port_info(struct scst_cmd *cmd, u16 *tpg_id)
{
	u8 state;

	*tpg_id = 0;
	if (!scst_alua_cmd_in_dg(cmd))
		return 0;
	scst_alua_cmd_tg(cmd, &state, tpg_id);
	return SCST_ALUA_TPGS_IMPLICIT |
	       (READ_ONCE(cmd->dev->expl_alua) ? SCST_ALUA_TPGS_EXPLICIT : 0);
}
EXPORT_SYMBOL_GPL(scst_alua_get_port_info);

static u16 scst_tg_tgt_rel_id(const struct scst_tg_tgt *t)
{
	return t->tgt ? READ_ONCE(t->tgt->rel_tgt_id) : t->rel_tgt_id;
}

/* Count the live groups and ports of dev's device group */
static void scst_alua_count(const struct scst_device *dev,
			    unsigned int *ntg, unsigned int *nports)
{
	struct scst_tg_tgt *t;
	struct scst_dg *dg;
	struct scst_tg *tg;

	*ntg = 0;
	*nports = 0;
	dg = scst_dg_of_dev(dev, NULL);
	if (!dg)
		return;
	list_for_each_entry(tg, &dg->tg_list, entry) {
		(*ntg)++;
		list_for_each_entry(t, &tg->tgt_list, entry)
			(*nports)++;
	}
}

/* Snapshot at most ntg groups and nports ports; returns the groups */
static unsigned int scst_alua_snapshot(const struct scst_device *dev,
				       struct scst_alua_tpg_info *info,
				       unsigned int ntg, u16 *ids,
				       unsigned int nports)
{
	unsigned int n = 0, p = 0;
	struct scst_tg_tgt *t;
	struct scst_dg *dg;
	struct scst_tg *tg;

	dg = scst_dg_of_dev(dev, NULL);
	if (!dg)
		return 0;
	list_for_each_entry(tg, &dg->tg_list, entry) {
		if (n == ntg)
			break;
		info[n].group_id = tg->group_id;
		info[n].state = tg->state;
		info[n].status = tg->status;
		info[n].preferred = tg->preferred;
		info[n].rel_tgt_ids = ids + p;
		list_for_each_entry(t, &tg->tgt_list, entry) {
			if (p == nports ||
			    info[n].nports == SCST_ALUA_MAX_PORTS_PER_TPG)
				continue;
			ids[p++] = scst_tg_tgt_rel_id(t);
			info[n].nports++;
		}
		n++;
	}
	return n;
}

/* SPC-4 6.36 REPORT TARGET PORT GROUPS; thread context */
void scst_alua_rtpg(struct scst_cmd *cmd)
{
	bool ext = (cmd->cdb[1] >> 5) == 1;
	struct scst_alua_tpg_info *info;
	unsigned int ntg, nports;
	u32 len, buflen = cmd->bufflen;
	unsigned long flags;
	u16 *ids;
	u8 *buf;

	spin_lock_irqsave(&scst_alua_lock, flags);
	scst_alua_count(cmd->dev, &ntg, &nports);
	spin_unlock_irqrestore(&scst_alua_lock, flags);

	info = kcalloc(ntg + 1, sizeof(*info), GFP_KERNEL);
	ids = kcalloc(nports + 1, sizeof(*ids), GFP_KERNEL);
	buf = kvzalloc(max_t(u32, buflen, 1), GFP_KERNEL);
	if (!info || !ids || !buf) {
		scst_set_busy(cmd);
		goto out;
	}
	spin_lock_irqsave(&scst_alua_lock, flags);
	ntg = scst_alua_snapshot(cmd->dev, info, ntg, ids, nports);
	spin_unlock_irqrestore(&scst_alua_lock, flags);

	len = scst_alua_build_rtpg(buf, buflen, ext, info, ntg);
	cmd->resp_data_len = scst_copy_to_cmd(cmd, buf, min(len, buflen));
out:
	kvfree(buf);
	kfree(ids);
	kfree(info);
}

/*
 * SPC-4 5.16.2.7: a state change is reported to every I_T nexus, except,
 * for SET TARGET PORT GROUPS, the one that requested it (except_nexus).
 */
static void __scst_dg_raise_ua(struct scst_dg *dg,
			       const struct scst_tgt_dev *except_nexus)
{
	struct scst_tgt_dev *tgt_dev;
	struct scst_dg_dev *dd;

	lockdep_assert_held(&scst_mutex);
	list_for_each_entry(dd, &dg->dev_list, entry)
		list_for_each_entry(tgt_dev, &dd->dev->dev_tgt_dev_list,
				    dev_tgt_dev_list_entry)
			if (tgt_dev != except_nexus)
				scst_tgt_dev_queue_ua(tgt_dev, UNIT_ATTENTION,
						      0x2a, 0x06);
}

static void scst_dg_raise_ua(struct scst_dg *dg)
{
	__scst_dg_raise_ua(dg, NULL);
}

/* How well the medium can be accessed in an ALUA state: higher is better */
static int scst_alua_state_rank(u8 state)
{
	switch (state) {
	case SCST_ALUA_OPTIMIZED:
		return 3;
	case SCST_ALUA_NONOPTIMIZED:
		return 2;
	case SCST_ALUA_TRANSITIONING:
		return 1;
	default:
		return 0;
	}
}

/*
 * The ALUA state of dg's devices on this node: the most accessible state
 * of the target groups holding a local target.  A device that is exported
 * through a local target port in an accessible group must stay usable;
 * without any local target group the ALUA states do not concern this node
 * (its ports are not in a group) and the device counts as accessible.
 */
static u8 scst_dg_local_state(const struct scst_dg *dg)
{
	const struct scst_tg_tgt *t;
	const struct scst_tg *tg;
	bool found = false;
	u8 state = SCST_ALUA_OPTIMIZED;

	list_for_each_entry(tg, &dg->tg_list, entry) {
		list_for_each_entry(t, &tg->tgt_list, entry) {
			if (!t->tgt)
				continue;
			if (!found || scst_alua_state_rank(tg->state) >
				      scst_alua_state_rank(state))
				state = tg->state;
			found = true;
			break;
		}
	}
	return state;
}

/* Tell dev's handler its ALUA state on this node (scst_mutex held) */
static void scst_dev_alua_notify(struct scst_device *dev, u8 state)
{
	lockdep_assert_held(&scst_mutex);
	if (dev->handler->on_alua_state_change)
		dev->handler->on_alua_state_change(dev, state);
}

/* After a change of dg's target groups: tell the handlers of its devices */
static void scst_dg_alua_notify(struct scst_dg *dg)
{
	struct scst_dg_dev *dd;
	u8 state;

	lockdep_assert_held(&scst_mutex);
	state = scst_dg_local_state(dg);
	list_for_each_entry(dd, &dg->dev_list, entry)
		scst_dev_alua_notify(dd->dev, state);
}

static struct scst_tg *scst_tg_of_id(struct scst_dg *dg, u16 id)
{
	struct scst_tg *tg;

	list_for_each_entry(tg, &dg->tg_list, entry)
		if (tg->group_id == id)
			return tg;
	return NULL;
}

/* Apply validated STPG descriptors to dg (scst_mutex held) */
static int scst_alua_stpg_apply(struct scst_cmd *cmd, struct scst_dg *dg,
				const struct scst_alua_stpg_desc *d,
				unsigned int n)
{
	struct scst_tg *tg;
	unsigned int i;
	bool changed = false;

	/* all or nothing: check every group before changing one */
	for (i = 0; i < n; i++) {
		if (!scst_tg_of_id(dg, d[i].group_id)) {
			scst_set_invalid_field_in_parm_list(cmd,
				SCST_STPG_DESC_OFF(i) + SCST_STPG_GROUP_ID_OFF,
				-1);
			return -EINVAL;
		}
	}
	spin_lock_irq(&scst_alua_lock);
	for (i = 0; i < n; i++) {
		tg = scst_tg_of_id(dg, d[i].group_id);
		changed |= tg->state != d[i].state;
		tg->state = d[i].state;
		tg->status = SCST_ALUA_STATUS_EXPLICIT;
	}
	spin_unlock_irq(&scst_alua_lock);
	for (i = 0; i < n; i++)
		PRINT_INFO("device group %s target group %s: ALUA state %s (SET TARGET PORT GROUPS from %s)",
			   dg->name, scst_tg_of_id(dg, d[i].group_id)->name,
			   scst_alua_state_name(d[i].state),
			   cmd->sess->initiator_name);
	if (changed) {
		scst_alua_refresh();
		__scst_dg_raise_ua(dg, cmd->tgt_dev);
		scst_dg_alua_notify(dg);
	}
	return 0;
}

/*
 * SPC-4 6.44 SET TARGET PORT GROUPS; thread context.  It takes scst_mutex
 * like a state change by the administrator: no holder of scst_mutex waits
 * for commands to complete.
 */
void scst_alua_stpg(struct scst_cmd *cmd)
{
	u32 len = min_t(u32, get_unaligned_be32(&cmd->cdb[6]), cmd->bufflen);
	struct scst_alua_stpg_desc *d = NULL;
	unsigned int max, off = 0;
	struct scst_dg *dg;
	u8 *buf = NULL;
	int n;

	if (!scst_alua_stpg_supported(cmd->dev)) {
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_invalid_opcode));
		return;
	}
	max = len > 4 ? (len - 4) / 4 + 1 : 1;
	buf = kvzalloc(max_t(u32, len, 1), GFP_KERNEL);
	d = kvcalloc(max, sizeof(*d), GFP_KERNEL);
	if (!buf || !d) {
		scst_set_busy(cmd);
		goto out;
	}
	len = scst_copy_from_cmd(cmd, buf, len);
	n = scst_alua_parse_stpg(buf, len, d, max, &off);
	if (n == -EINVAL) {
		scst_set_invalid_field_in_parm_list(cmd, off, 3);
		goto out;
	} else if (n < 0) {
		scst_set_cmd_error(cmd,
			SCST_LOAD_SENSE(scst_sense_parameter_list_length_invalid));
		goto out;
	}
	mutex_lock(&scst_mutex);
	dg = scst_dg_of_dev(cmd->dev, NULL);
	if (!dg)	/* left its group since the command was parsed */
		scst_set_cmd_error(cmd,
				   SCST_LOAD_SENSE(scst_sense_invalid_opcode));
	else
		scst_alua_stpg_apply(cmd, dg, d, n);
	mutex_unlock(&scst_mutex);
out:
	kvfree(d);
	kvfree(buf);
}

/*
 * devices/<dev>/expl_alua.  The TPGS field of INQUIRY changes with it, so
 * the device's nexuses get INQUIRY DATA HAS CHANGED.
 */
int scst_alua_set_explicit(struct scst_device *dev, bool on)
{
	struct scst_tgt_dev *tgt_dev;
	int rc;

	rc = scst_alua_lock_mgmt();
	if (rc)
		return rc;
	if (READ_ONCE(dev->expl_alua) != on) {
		WRITE_ONCE(dev->expl_alua, on);
		list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
				    dev_tgt_dev_list_entry)
			scst_tgt_dev_queue_ua(tgt_dev,
				SCST_LOAD_SENSE(scst_sense_inquiry_data_changed));
	}
	mutex_unlock(&scst_mutex);
	return 0;
}

/* ---------------------------------------------------------------------
 * kobject types
 */

static void scst_dg_release(struct kobject *kobj)
{
	struct scst_dg *dg = container_of(kobj, struct scst_dg, kobj);

	kfree(dg->name);
	kfree(dg);
}

static void scst_tg_release(struct kobject *kobj)
{
	struct scst_tg *tg = container_of(kobj, struct scst_tg, kobj);

	kfree(tg->name);
	kfree(tg);
}

static void scst_tg_tgt_free(struct scst_tg_tgt *t)
{
	kfree(t->name);
	kfree(t);
}

static void scst_tg_tgt_release(struct kobject *kobj)
{
	scst_tg_tgt_free(container_of(kobj, struct scst_tg_tgt, kobj));
}

/* A value and, if it is not the default, the [key] mark */
static ssize_t scst_emit_key(char *buf, ssize_t len, bool key)
{
	if (key)
		len += sysfs_emit_at(buf, len, "%s\n", SCST_SYSFS_KEY_MARK);
	return len;
}

static ssize_t scst_emit_val(char *buf, unsigned long val, bool key)
{
	return scst_emit_key(buf, sysfs_emit(buf, "%lu\n", val), key);
}

static int scst_alua_get_num(const char *buf, size_t count, unsigned long max,
			     unsigned long *val)
{
	char w[24];
	u64 v;

	if (scst_get_word(buf, count, w, sizeof(w)) || scst_parse_u64(w, &v) ||
	    v > max) {
		PRINT_ERROR("invalid value \"%.*s\" (0..%lu expected)",
			    (int)min_t(size_t, count, 24), buf, max);
		return -EINVAL;
	}
	*val = v;
	return 0;
}

/* device_groups/<dg>/target_groups/<tg>/<remote>/rel_tgt_id */
static ssize_t scst_rel_id_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct scst_tg_tgt *t = container_of(kobj, struct scst_tg_tgt, kobj);
	u16 v = READ_ONCE(t->rel_tgt_id);

	return scst_emit_val(buf, v, v);
}

static ssize_t scst_rel_id_store(struct kobject *kobj,
				 struct kobj_attribute *attr,
				 const char *buf, size_t count)
{
	struct scst_tg_tgt *t = container_of(kobj, struct scst_tg_tgt, kobj);
	unsigned long v;
	int rc;

	rc = scst_alua_get_num(buf, count, U16_MAX, &v);
	if (rc)
		return rc;
	rc = scst_alua_lock_mgmt();
	if (rc)
		return rc;
	spin_lock_irq(&scst_alua_lock);
	t->rel_tgt_id = v;
	spin_unlock_irq(&scst_alua_lock);
	mutex_unlock(&scst_mutex);
	return count;
}

static struct kobj_attribute scst_rel_id_attr =
	__ATTR(rel_tgt_id, 0644, scst_rel_id_show, scst_rel_id_store);

static struct attribute *scst_tg_tgt_attrs[] = {
	&scst_rel_id_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(scst_tg_tgt);

static const struct kobj_type scst_tg_tgt_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = scst_tg_tgt_release,
	.default_groups = scst_tg_tgt_groups,
};

/* ---------------------------------------------------------------------
 * target_groups/<tg>/: mgmt, group_id, preferred, state
 */

static struct scst_tg *scst_kobj_tg(struct kobject *kobj)
{
	return container_of(kobj, struct scst_tg, kobj);
}

static ssize_t scst_tg_group_id_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	u16 v = READ_ONCE(scst_kobj_tg(kobj)->group_id);

	return scst_emit_val(buf, v, v);
}

static bool scst_tg_id_used(struct scst_tg *tg, u16 id)
{
	struct scst_tg *o;

	list_for_each_entry(o, &tg->dg->tg_list, entry)
		if (o != tg && o->group_id == id)
			return true;
	return false;
}

static ssize_t scst_tg_group_id_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	struct scst_tg *tg = scst_kobj_tg(kobj);
	unsigned long v;
	int rc;

	rc = scst_alua_get_num(buf, count, U16_MAX, &v);
	if (rc)
		return rc;
	rc = scst_alua_lock_mgmt();
	if (rc)
		return rc;
	if (v && scst_tg_id_used(tg, v)) {
		PRINT_ERROR("group_id %lu is already used in device group %s",
			    v, tg->dg->name);
		rc = -EEXIST;
	} else {
		spin_lock_irq(&scst_alua_lock);
		tg->group_id = v;
		spin_unlock_irq(&scst_alua_lock);
	}
	scst_alua_unlock_mgmt();
	return rc ? rc : count;
}

static ssize_t scst_tg_pref_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	bool v = READ_ONCE(scst_kobj_tg(kobj)->preferred);

	return scst_emit_val(buf, v, v);
}

static ssize_t scst_tg_pref_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	struct scst_tg *tg = scst_kobj_tg(kobj);
	unsigned long v;
	int rc;

	rc = scst_alua_get_num(buf, count, 1, &v);
	if (rc)
		return rc;
	rc = scst_alua_lock_mgmt();
	if (rc)
		return rc;
	spin_lock_irq(&scst_alua_lock);
	tg->preferred = v;
	spin_unlock_irq(&scst_alua_lock);
	mutex_unlock(&scst_mutex);
	return count;
}

static ssize_t scst_tg_state_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	u8 st = READ_ONCE(scst_kobj_tg(kobj)->state);

	return scst_emit_key(buf, sysfs_emit(buf, "%s\n",
					     scst_alua_state_name(st)),
			     st != SCST_ALUA_OPTIMIZED);
}

static ssize_t scst_tg_state_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct scst_tg *tg = scst_kobj_tg(kobj);
	char w[24];
	u8 st;
	int rc = 0;

	if (scst_get_word(buf, count, w, sizeof(w)) ||
	    scst_alua_state_parse(w, &st)) {
		PRINT_ERROR("invalid ALUA state \"%.*s\" (active, nonoptimized, standby, unavailable, offline or transitioning)",
			    (int)min_t(size_t, count, 24), buf);
		return -EINVAL;
	}
	rc = scst_alua_lock_mgmt();
	if (rc)
		return rc;
	if (tg->state != st) {
		spin_lock_irq(&scst_alua_lock);
		tg->state = st;
		tg->status = SCST_ALUA_STATUS_IMPLICIT;
		spin_unlock_irq(&scst_alua_lock);
		PRINT_INFO("device group %s target group %s: ALUA state %s",
			   tg->dg->name, tg->name, w);
		/* commands after the UA must see the new state */
		scst_alua_refresh();
		scst_dg_raise_ua(tg->dg);
		scst_dg_alua_notify(tg->dg);
	}
	mutex_unlock(&scst_mutex);
	return rc ? rc : count;
}

static ssize_t scst_tg_mgmt_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
		"Usage: echo \"add TARGET\" >mgmt\n"
		"       echo \"del TARGET\" >mgmt\n"
		"\n"
		"A TARGET that is not a local target is a target of another node;\n"
		"set its relative target port identifier in TARGET/rel_tgt_id.\n");
}

static int scst_tg_add_tgt(struct scst_tg *tg, const char *name)
{
	struct scst_tg_tgt *t;
	struct scst_tg *other;
	int rc;

	other = scst_tg_of_name(tg->dg, name);
	if (other || scst_tg_tgt_find(tg, name)) {
		PRINT_ERROR("target %s is already in target group %s of device group %s",
			    name, other ? other->name : tg->name, tg->dg->name);
		return -EEXIST;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->name = kstrdup(name, GFP_KERNEL);
	if (!t->name) {
		kfree(t);
		return -ENOMEM;
	}
	t->tg = tg;
	t->tgt = scst_alua_find_local_tgt(name);
	if (t->tgt) {
		rc = sysfs_create_link(&tg->kobj, &t->tgt->tgt_kobj, name);
		if (rc) {
			scst_tg_tgt_free(t);
			return rc;
		}
	} else {
		rc = kobject_init_and_add(&t->kobj, &scst_tg_tgt_ktype,
					  &tg->kobj, "%s", name);
		if (rc) {
			kobject_put(&t->kobj);
			return rc;
		}
	}
	spin_lock_irq(&scst_alua_lock);
	list_add_tail(&t->entry, &tg->tgt_list);
	spin_unlock_irq(&scst_alua_lock);
	if (t->tgt)
		scst_dg_alua_notify(tg->dg);
	return 0;
}

/* Unlink, remove from sysfs and free t; scst_mutex held */
static void scst_tg_tgt_remove(struct scst_tg_tgt *t)
{
	lockdep_assert_held(&scst_mutex);
	spin_lock_irq(&scst_alua_lock);
	list_del(&t->entry);
	spin_unlock_irq(&scst_alua_lock);
	if (t->tgt) {
		sysfs_remove_link(&t->tg->kobj, t->name);
		scst_tg_tgt_free(t);
		return;
	}
	kobject_del(&t->kobj);
	kobject_put(&t->kobj);
}

static int scst_tg_del_tgt(void *obj, const char *name)
{
	struct scst_tg *tg = obj;
	struct scst_tg_tgt *t = scst_tg_tgt_find(tg, name);
	bool local;

	if (!t) {
		PRINT_ERROR("target %s is not in target group %s", name,
			    tg->name);
		return -ENOENT;
	}
	local = t->tgt;
	scst_tg_tgt_remove(t);
	if (local)
		scst_dg_alua_notify(tg->dg);
	return 0;
}

static int scst_tg_add_tgt_fn(void *obj, const char *name)
{
	return scst_tg_add_tgt(obj, name);
}

static const struct scst_alua_verbs scst_tg_verbs = {
	.what = "target", .add = scst_tg_add_tgt_fn, .del = scst_tg_del_tgt,
};

/*
 * "add NAME" (or "create NAME" where create is true) and "del NAME", the
 * grammar of every mgmt file of the device_groups tree.
 */
static int scst_alua_mgmt_exec(void *obj, char *p,
			       const struct scst_alua_verbs *v)
{
	char *verb = scst_next_lexem(&p), *name = scst_next_lexem(&p);
	bool add = !strcasecmp(verb, "add") ||
		   (v->create && !strcasecmp(verb, "create"));
	int rc;

	if (!add && strcasecmp(verb, "del")) {
		PRINT_ERROR("unknown %s command \"%s\"", v->what, verb);
		return -EINVAL;
	}
	rc = scst_alua_check_name(v->what, name);
	if (rc)
		return rc;
	if (*scst_next_lexem(&p)) {
		PRINT_ERROR("%s: too many arguments", verb);
		return -EINVAL;
	}
	rc = scst_alua_lock_mgmt();
	if (rc)
		return rc;
	rc = add ? v->add(obj, name) : v->del(obj, name);
	scst_alua_unlock_mgmt();
	return rc;
}

/* Run a mgmt command on a private copy of buf */
static ssize_t scst_alua_mgmt(const char *buf, size_t count, void *obj,
			      const struct scst_alua_verbs *v)
{
	char *copy = kmemdup_nul(buf, count, GFP_KERNEL);
	int rc;

	if (!copy)
		return -ENOMEM;
	rc = scst_alua_mgmt_exec(obj, copy, v);
	kfree(copy);
	return rc ? rc : count;
}

static ssize_t scst_tg_mgmt_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	return scst_alua_mgmt(buf, count, scst_kobj_tg(kobj), &scst_tg_verbs);
}

static struct kobj_attribute scst_tg_mgmt_attr =
	__ATTR(mgmt, 0644, scst_tg_mgmt_show, scst_tg_mgmt_store);
static struct kobj_attribute scst_tg_group_id_attr =
	__ATTR(group_id, 0644, scst_tg_group_id_show, scst_tg_group_id_store);
static struct kobj_attribute scst_tg_pref_attr =
	__ATTR(preferred, 0644, scst_tg_pref_show, scst_tg_pref_store);
static struct kobj_attribute scst_tg_state_attr =
	__ATTR(state, 0644, scst_tg_state_show, scst_tg_state_store);

static struct attribute *scst_tg_attrs[] = {
	&scst_tg_mgmt_attr.attr,
	&scst_tg_group_id_attr.attr,
	&scst_tg_pref_attr.attr,
	&scst_tg_state_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(scst_tg);

static const struct kobj_type scst_tg_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = scst_tg_release,
	.default_groups = scst_tg_groups,
};

static const struct kobj_type scst_dg_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = scst_dg_release,
};

/* ---------------------------------------------------------------------
 * <dg>/target_groups/mgmt
 */

static ssize_t scst_tgs_mgmt_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
		"Usage: echo \"create TARGET_GROUP\" >mgmt\n"
		"       echo \"add TARGET_GROUP\" >mgmt\n"
		"       echo \"del TARGET_GROUP\" >mgmt\n");
}

static int scst_tg_create(struct scst_dg *dg, const char *name)
{
	struct scst_tg *tg;
	int rc;

	if (scst_tg_find(dg, name)) {
		PRINT_ERROR("target group %s already exists in device group %s",
			    name, dg->name);
		return -EEXIST;
	}
	tg = kzalloc(sizeof(*tg), GFP_KERNEL);
	if (!tg)
		return -ENOMEM;
	tg->name = kstrdup(name, GFP_KERNEL);
	if (!tg->name) {
		kfree(tg);
		return -ENOMEM;
	}
	tg->dg = dg;
	tg->state = SCST_ALUA_OPTIMIZED;
	INIT_LIST_HEAD(&tg->tgt_list);
	rc = kobject_init_and_add(&tg->kobj, &scst_tg_ktype, dg->tgs_kobj,
				  "%s", name);
	if (rc) {
		kobject_put(&tg->kobj);
		return rc;
	}
	spin_lock_irq(&scst_alua_lock);
	list_add_tail(&tg->entry, &dg->tg_list);
	spin_unlock_irq(&scst_alua_lock);
	return 0;
}

/* Remove tg, its targets and its directory; scst_mutex held */
static void scst_tg_destroy(struct scst_tg *tg)
{
	struct scst_tg_tgt *t;

	lockdep_assert_held(&scst_mutex);
	spin_lock_irq(&scst_alua_lock);
	list_del(&tg->entry);
	spin_unlock_irq(&scst_alua_lock);
	while ((t = list_first_entry_or_null(&tg->tgt_list,
					     struct scst_tg_tgt, entry)))
		scst_tg_tgt_remove(t);
	kobject_del(&tg->kobj);
	kobject_put(&tg->kobj);
}

static int scst_tg_create_fn(void *obj, const char *name)
{
	return scst_tg_create(obj, name);
}

static int scst_tg_del(void *obj, const char *name)
{
	struct scst_dg *dg = obj;
	struct scst_tg *tg = scst_tg_find(dg, name);

	if (!tg) {
		PRINT_ERROR("target group %s does not exist in device group %s",
			    name, dg->name);
		return -ENOENT;
	}
	scst_tg_destroy(tg);
	scst_dg_alua_notify(dg);
	return 0;
}

static const struct scst_alua_verbs scst_tgs_verbs = {
	.what = "target group", .create = true,
	.add = scst_tg_create_fn, .del = scst_tg_del,
};

static ssize_t scst_tgs_mgmt_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct scst_dg *dg = container_of(kobj->parent, struct scst_dg, kobj);

	return scst_alua_mgmt(buf, count, dg, &scst_tgs_verbs);
}

static struct kobj_attribute scst_tgs_mgmt_attr =
	__ATTR(mgmt, 0644, scst_tgs_mgmt_show, scst_tgs_mgmt_store);

/* ---------------------------------------------------------------------
 * <dg>/devices/mgmt
 */

static ssize_t scst_dg_devs_mgmt_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
		"Usage: echo \"add DEVICE\" >mgmt\n"
		"       echo \"del DEVICE\" >mgmt\n"
		"\n"
		"A device can be in one device group only.\n");
}

static int scst_dg_add_dev(struct scst_dg *dg, const char *name)
{
	struct scst_device *dev = scst_find_dev(name);
	struct scst_dg_dev *dd;
	struct scst_dg *other;
	int rc;

	if (!dev) {
		PRINT_ERROR("device %s does not exist", name);
		return -ENOENT;
	}
	other = scst_dg_of_dev(dev, NULL);
	if (other) {
		PRINT_ERROR("device %s is already in device group %s", name,
			    other->name);
		return -EEXIST;
	}
	dd = kzalloc(sizeof(*dd), GFP_KERNEL);
	if (!dd)
		return -ENOMEM;
	dd->name = kstrdup(name, GFP_KERNEL);
	if (!dd->name) {
		kfree(dd);
		return -ENOMEM;
	}
	dd->dev = dev;
	rc = sysfs_create_link(dg->devs_kobj, &dev->dev_kobj, name);
	if (rc) {
		kfree(dd->name);
		kfree(dd);
		return rc;
	}
	spin_lock_irq(&scst_alua_lock);
	list_add_tail(&dd->entry, &dg->dev_list);
	WRITE_ONCE(scst_alua_ndevs, scst_alua_ndevs + 1);
	spin_unlock_irq(&scst_alua_lock);
	scst_dev_alua_notify(dev, scst_dg_local_state(dg));
	return 0;
}

/* Links have no callbacks: this may run under scst_mutex */
static void scst_dg_dev_remove(struct scst_dg *dg, struct scst_dg_dev *dd)
{
	spin_lock_irq(&scst_alua_lock);
	list_del(&dd->entry);
	WRITE_ONCE(scst_alua_ndevs, scst_alua_ndevs - 1);
	spin_unlock_irq(&scst_alua_lock);
	sysfs_remove_link(dg->devs_kobj, dd->name);
	kfree(dd->name);
	kfree(dd);
}

static int scst_dg_add_dev_fn(void *obj, const char *name)
{
	return scst_dg_add_dev(obj, name);
}

static int scst_dg_del_dev(void *obj, const char *name)
{
	struct scst_dg *dg = obj;
	struct scst_dg_dev *dd;

	list_for_each_entry(dd, &dg->dev_list, entry) {
		if (!strcmp(dd->name, name)) {
			struct scst_device *dev = dd->dev;

			scst_dg_dev_remove(dg, dd);
			/* out of the group, ALUA does not restrict it */
			scst_dev_alua_notify(dev, SCST_ALUA_OPTIMIZED);
			return 0;
		}
	}
	PRINT_ERROR("device %s is not in device group %s", name, dg->name);
	return -ENOENT;
}

static const struct scst_alua_verbs scst_dg_devs_verbs = {
	.what = "device", .add = scst_dg_add_dev_fn, .del = scst_dg_del_dev,
};

static ssize_t scst_dg_devs_mgmt_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	struct scst_dg *dg = container_of(kobj->parent, struct scst_dg, kobj);

	return scst_alua_mgmt(buf, count, dg, &scst_dg_devs_verbs);
}

static struct kobj_attribute scst_dg_devs_mgmt_attr =
	__ATTR(mgmt, 0644, scst_dg_devs_mgmt_show, scst_dg_devs_mgmt_store);

/* ---------------------------------------------------------------------
 * device_groups/mgmt
 */

static ssize_t scst_dgs_mgmt_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf,
		"Usage: echo \"create DEVICE_GROUP\" >mgmt\n"
		"       echo \"add DEVICE_GROUP\" >mgmt\n"
		"       echo \"del DEVICE_GROUP\" >mgmt\n");
}

static int scst_dg_sysfs(struct scst_dg *dg)
{
	dg->devs_kobj = kobject_create_and_add("devices", &dg->kobj);
	dg->tgs_kobj = kobject_create_and_add("target_groups", &dg->kobj);
	if (!dg->devs_kobj || !dg->tgs_kobj)
		return -ENOMEM;
	if (sysfs_create_file(dg->devs_kobj, &scst_dg_devs_mgmt_attr.attr) ||
	    sysfs_create_file(dg->tgs_kobj, &scst_tgs_mgmt_attr.attr))
		return -ENOMEM;
	return 0;
}

static void scst_put_kobj(struct kobject **kobj)
{
	if (!*kobj)
		return;
	kobject_del(*kobj);
	kobject_put(*kobj);
	*kobj = NULL;
}

/* Remove dg, its groups and its directory; scst_mutex held */
static void scst_dg_destroy(struct scst_dg *dg)
{
	struct scst_dg_dev *dd;
	struct scst_tg *tg;

	lockdep_assert_held(&scst_mutex);
	spin_lock_irq(&scst_alua_lock);
	list_del(&dg->entry);
	spin_unlock_irq(&scst_alua_lock);
	while ((tg = list_first_entry_or_null(&dg->tg_list, struct scst_tg,
					      entry)))
		scst_tg_destroy(tg);
	while ((dd = list_first_entry_or_null(&dg->dev_list,
					      struct scst_dg_dev, entry))) {
		scst_dev_alua_notify(dd->dev, SCST_ALUA_OPTIMIZED);
		scst_dg_dev_remove(dg, dd);
	}
	scst_put_kobj(&dg->devs_kobj);
	scst_put_kobj(&dg->tgs_kobj);
	kobject_del(&dg->kobj);
	kobject_put(&dg->kobj);
}

static int scst_dg_create(const char *name)
{
	struct scst_dg *dg;
	int rc;

	if (scst_dg_find(name)) {
		PRINT_ERROR("device group %s already exists", name);
		return -EEXIST;
	}
	dg = kzalloc(sizeof(*dg), GFP_KERNEL);
	if (!dg)
		return -ENOMEM;
	dg->name = kstrdup(name, GFP_KERNEL);
	if (!dg->name) {
		kfree(dg);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&dg->dev_list);
	INIT_LIST_HEAD(&dg->tg_list);
	rc = kobject_init_and_add(&dg->kobj, &scst_dg_ktype, scst_alua_root,
				  "%s", name);
	if (rc) {
		kobject_put(&dg->kobj);
		return rc;
	}
	/* listed (and its name reserved) from here on */
	spin_lock_irq(&scst_alua_lock);
	list_add_tail(&dg->entry, &scst_dg_list);
	spin_unlock_irq(&scst_alua_lock);
	rc = scst_dg_sysfs(dg);
	if (rc)
		scst_dg_destroy(dg);
	return rc;
}

static int scst_dg_create_fn(void *obj, const char *name)
{
	return scst_dg_create(name);
}

static int scst_dg_del(void *obj, const char *name)
{
	struct scst_dg *dg = scst_dg_find(name);

	if (!dg) {
		PRINT_ERROR("device group %s does not exist", name);
		return -ENOENT;
	}
	scst_dg_destroy(dg);
	return 0;
}

static const struct scst_alua_verbs scst_dgs_verbs = {
	.what = "device group", .create = true,
	.add = scst_dg_create_fn, .del = scst_dg_del,
};

static ssize_t scst_dgs_mgmt_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	return scst_alua_mgmt(buf, count, NULL, &scst_dgs_verbs);
}

static struct kobj_attribute scst_dgs_mgmt_attr =
	__ATTR(mgmt, 0644, scst_dgs_mgmt_show, scst_dgs_mgmt_store);

/* ---------------------------------------------------------------------
 * Hooks of the management plane
 */

/* dev is being unregistered (scst_mutex held): leave its device group */
void scst_alua_dev_gone(struct scst_device *dev)
{
	struct scst_dg_dev *dd;
	struct scst_dg *dg;

	lockdep_assert_held(&scst_mutex);
	dg = scst_dg_of_dev(dev, &dd);
	if (!dg)
		return;
	PRINT_INFO("device %s removed from device group %s", dd->name,
		   dg->name);
	scst_dg_dev_remove(dg, dd);
}

/* tgt is being unregistered (scst_mutex held): leave its target groups */
void scst_alua_tgt_gone(struct scst_tgt *tgt)
{
	struct scst_tg_tgt *t, *tmp;
	struct scst_dg *dg;
	struct scst_tg *tg;
	bool found;

	lockdep_assert_held(&scst_mutex);
	list_for_each_entry(dg, &scst_dg_list, entry) {
		found = false;
		list_for_each_entry(tg, &dg->tg_list, entry) {
			list_for_each_entry_safe(t, tmp, &tg->tgt_list, entry) {
				if (t->tgt != tgt)
					continue;
				PRINT_INFO("target %s removed from target group %s of device group %s",
					   t->name, tg->name, dg->name);
				scst_tg_tgt_remove(t);
				found = true;
			}
		}
		if (found)
			scst_dg_alua_notify(dg);
	}
}

int scst_alua_sysfs_init(struct kobject *dg_kobj)
{
	scst_alua_root = dg_kobj;
	return sysfs_create_file(dg_kobj, &scst_dgs_mgmt_attr.attr);
}

void scst_alua_sysfs_cleanup(void)
{
	struct scst_dg *dg;

	if (!scst_alua_root)
		return;
	sysfs_remove_file(scst_alua_root, &scst_dgs_mgmt_attr.attr);
	mutex_lock(&scst_mutex);
	while ((dg = list_first_entry_or_null(&scst_dg_list, struct scst_dg,
					      entry)))
		scst_dg_destroy(dg);
	mutex_unlock(&scst_mutex);
	scst_alua_root = NULL;
}
