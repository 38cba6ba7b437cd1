// SPDX-License-Identifier: GPL-2.0
/*
 * Module init/exit and the SCST target template of the
 * iSCSI target driver, plus the driver-level sysfs attributes
 * (targets/iscsi/{enabled,version,open_state}).
 *
 * The management half owns all configuration and the session life cycle;
 * the data path (nthread.c, iscsi.c, digest.c) owns everything that moves
 * PDUs.  The login daemon iscsi-scstd talks to us through the control
 * device (ctldev.c).
 */
#define pr_fmt(fmt) "iscsi-scst: " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/workqueue.h>
#include <linux/sysfs.h>
#include <scsi/scsi_proto.h>

#include "mgmt.h"

DEFINE_MUTEX(iscsi_mutex);
LIST_HEAD(iscsi_targets);
bool iscsi_drv_enabled;		/* written under iscsi_param_lock */
struct list_head iscsi_drv_accounts[2] = {
	LIST_HEAD_INIT(iscsi_drv_accounts[0]),
	LIST_HEAD_INIT(iscsi_drv_accounts[1]),
};
struct workqueue_struct *iscsi_mgmt_wq;
DECLARE_WAIT_QUEUE_HEAD(iscsi_sess_gone_wq);
unsigned long iscsi_sess_gone_seq;

/* ------------------------------------------------------------------
 * targets/iscsi/{enabled,version,open_state}
 */

static ssize_t iscsi_drv_enabled_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	bool en = READ_ONCE(iscsi_drv_enabled);
	ssize_t n = sysfs_emit(buf, "%d\n", en);

	if (en)
		n += sysfs_emit_at(buf, n, "%s\n", SCST_SYSFS_KEY_MARK);
	return n;
}

/* The daemon refuses logins (and discovery) while this is 0 */
static ssize_t iscsi_drv_enabled_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	bool en, changed;
	char w[8];

	if (scst_get_word(buf, count, w, sizeof(w)) ||
	    scst_parse_bool(w, &en)) {
		pr_err("enabled: invalid value \"%.*s\" (0 or 1)\n",
		       (int)min_t(size_t, count, 64), buf);
		return -EINVAL;
	}
	/* Not iscsi_mutex: see iscsi_tgt_param_show() */
	spin_lock(&iscsi_param_lock);
	changed = iscsi_drv_enabled != en;
	WRITE_ONCE(iscsi_drv_enabled, en);
	spin_unlock(&iscsi_param_lock);
	if (changed) {
		iscsi_post_event(ISCSI_EV_TARGET_CHANGED, 0, 0, 0,
				 ISCSI_DRV_NAME);
		pr_info("driver %s\n", en ? "enabled" : "disabled");
	}
	return count;
}

static ssize_t iscsi_version_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", ISCSI_VERSION_STRING);
}

static ssize_t iscsi_open_state_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  iscsi_ctl_daemon_attached() ? "open" : "closed");
}

static const struct kobj_attribute iscsi_drv_enabled_attr =
	__ATTR(enabled, 0644, iscsi_drv_enabled_show, iscsi_drv_enabled_store);
static const struct kobj_attribute iscsi_version_attr =
	__ATTR(version, 0444, iscsi_version_show, NULL);
static const struct kobj_attribute iscsi_open_state_attr =
	__ATTR(open_state, 0444, iscsi_open_state_show, NULL);

static const struct attribute *iscsi_tgtt_attrs[] = {
	&iscsi_drv_enabled_attr.attr,
	&iscsi_version_attr.attr,
	&iscsi_open_state_attr.attr,
	NULL,
};

/* ------------------------------------------------------------------
 * The target template
 */

/*
 * Called from scst_unregister_target().  Every caller of that function
 * (del_target, module exit) has already ended the target's sessions and
 * frees struct iscsi_target itself afterwards.
 */
static int iscsi_release(struct scst_tgt *scst_tgt)
{
	return 0;
}

static const char iscsi_mgmt_help[] =
	"       echo \"add_attribute IncomingUser|OutgoingUser USER SECRET\" >mgmt\n"
	"       echo \"del_attribute IncomingUser|OutgoingUser USER\" >mgmt\n"
	"       echo \"add_target_attribute TARGET IncomingUser|OutgoingUser USER SECRET\" >mgmt\n"
	"       echo \"del_target_attribute TARGET IncomingUser|OutgoingUser USER\" >mgmt\n"
	"       echo \"add_target_attribute TARGET allowed_portal PATTERN\" >mgmt\n"
	"       echo \"del_target_attribute TARGET allowed_portal PATTERN\" >mgmt\n";

struct scst_tgt_template iscsi_template = {
	.name			= ISCSI_DRV_NAME,
	/* Responses and R2Ts are sent by the connection threads */
	.xmit_response_atomic	= 0,
	.rdy_to_xfer_atomic	= 0,
	.xmit_response		= iscsi_xmit_response,
	.rdy_to_xfer		= iscsi_rdy_to_xfer,
	.on_free_cmd		= iscsi_on_free_cmd,
	.task_mgmt_fn_done	= iscsi_task_mgmt_fn_done,
	.on_abort_cmd		= iscsi_on_abort_cmd,
	.release		= iscsi_release,
	.enable_target		= iscsi_enable_target,
	.is_target_enabled	= iscsi_is_target_enabled,
	.add_target		= iscsi_add_target,
	.del_target		= iscsi_del_target,
	.mgmt_cmd		= iscsi_mgmt_cmd,
	.close_session		= iscsi_close_session,
	.get_initiator_port_transport_id = iscsi_get_transport_id,
	.protocol_id		= SCSI_PROTOCOL_ISCSI,
	.mgmt_cmd_help		= iscsi_mgmt_help,
	.add_target_parameters	= iscsi_tgt_param_names,
	.tgtt_optional_attributes = "IncomingUser, OutgoingUser",
	.tgt_optional_attributes = "IncomingUser, OutgoingUser, allowed_portal",
	.tgtt_attrs		= iscsi_tgtt_attrs,
	.tgt_attrs		= iscsi_tgt_attrs,
	.sess_attrs		= iscsi_sess_attrs,
};

/* ------------------------------------------------------------------
 * Module
 */

static int __init iscsi_init(void)
{
	int rc;

	iscsi_target_tables_init();
	iscsi_session_tables_init();

	/* Session teardown waits for commands: keep it off system_wq */
	iscsi_mgmt_wq = alloc_workqueue("iscsi_mgmt", WQ_UNBOUND, 0);
	if (!iscsi_mgmt_wq)
		return -ENOMEM;
	rc = iscsi_dp_init();
	if (rc) {
		pr_err("cannot initialise the data path: %d\n", rc);
		goto destroy_wq;
	}
	rc = iscsi_ctl_init();
	if (rc) {
		pr_err("cannot register %s: %d\n", ISCSI_SCST_CTL_DEV, rc);
		goto dp_exit;
	}
	rc = scst_register_target_template(&iscsi_template);
	if (rc) {
		pr_err("cannot register the target template: %d\n", rc);
		goto ctl_exit;
	}
	pr_info("iSCSI target driver %s loaded\n", ISCSI_VERSION_STRING);
	return 0;

ctl_exit:
	iscsi_ctl_exit();
dp_exit:
	iscsi_dp_exit();
destroy_wq:
	destroy_workqueue(iscsi_mgmt_wq);
	return rc;
}

/*
 * The daemon keeps the module pinned through the control device, so we
 * get here with no daemon; sessions may still exist and are dropped.
 */
static void __exit iscsi_exit(void)
{
	iscsi_target_destroy_all();
	mutex_lock(&iscsi_mutex);
	iscsi_drv_cfg_cleanup();
	mutex_unlock(&iscsi_mutex);
	scst_unregister_target_template(&iscsi_template);
	iscsi_ctl_exit();
	/* Every session is gone; let the last teardown items return */
	destroy_workqueue(iscsi_mgmt_wq);
	iscsi_dp_exit();
	pr_info("iSCSI target driver unloaded\n");
}

module_init(iscsi_init);
module_exit(iscsi_exit);

MODULE_DESCRIPTION("SCST iSCSI target driver");
MODULE_LICENSE("GPL");
MODULE_VERSION(ISCSI_VERSION_STRING);
