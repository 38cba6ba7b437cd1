// SPDX-License-Identifier: GPL-2.0
/*
 * Unit attention conditions (SAM-5 5.14, SPC-4 5.14) and the
 * helpers that set a command's status and sense data.
 *
 * Each I_T_L nexus (tgt_dev) has a short FIFO of pending unit attentions,
 * protected by tgt_dev->tgt_dev_lock.  tgt_dev->ua_count is the queue
 * length, or -1 once the nexus is being destroyed (nothing may be queued
 * any more, so nothing can leak).
 */

#include <linux/slab.h>
#include "scst_dataplane.h"

struct scst_ua {
	struct list_head entry;
	u8 key;
	u8 asc;
	u8 ascq;
};

static struct kmem_cache *scst_ua_cachep;

int scst_ua_init(void)
{
	scst_ua_cachep = KMEM_CACHE(scst_ua, 0);
	return scst_ua_cachep ? 0 : -ENOMEM;
}

void scst_ua_exit(void)
{
	kmem_cache_destroy(scst_ua_cachep);
}

static void scst_ua_free_list(struct list_head *list)
{
	struct scst_ua *ua, *tmp;

	list_for_each_entry_safe(ua, tmp, list, entry) {
		list_del(&ua->entry);
		kmem_cache_free(scst_ua_cachep, ua);
	}
}

static bool scst_ua_pending_locked(struct scst_tgt_dev *tgt_dev, u8 key,
				   u8 asc, u8 ascq)
{
	struct scst_ua *ua;

	list_for_each_entry(ua, &tgt_dev->ua_list, entry)
		if (ua->key == key && ua->asc == asc && ua->ascq == ascq)
			return true;
	return false;
}

static void scst_ua_add_locked(struct scst_tgt_dev *tgt_dev,
			       struct scst_ua *ua, u8 key, u8 asc, u8 ascq)
{
	ua->key = key;
	ua->asc = asc;
	ua->ascq = ascq;
	list_add_tail(&ua->entry, &tgt_dev->ua_list);
	WRITE_ONCE(tgt_dev->ua_count, tgt_dev->ua_count + 1);
}

/*
 * The queue is full (or memory is short): SAM-5 allows replacing the
 * pending unit attentions with a more general one.  POWER ON, RESET, OR
 * BUS DEVICE RESET OCCURRED makes the initiator re-validate everything it
 * knows about the logical unit.  Dropped entries go to "garbage"; returns
 * the entry that is still unused, if any.
 */
static struct scst_ua *scst_ua_overflow_locked(struct scst_tgt_dev *tgt_dev,
					       struct scst_ua *ua,
					       struct list_head *garbage)
{
	list_splice_init(&tgt_dev->ua_list, garbage);
	WRITE_ONCE(tgt_dev->ua_count, 0);
	if (!ua && !list_empty(garbage)) {
		ua = list_first_entry(garbage, struct scst_ua, entry);
		list_del(&ua->entry);
	}
	if (!ua) {
		pr_warn_ratelimited("scst: out of memory, unit attention lost\n");
		return NULL;
	}
	scst_ua_add_locked(tgt_dev, ua, SCST_LOAD_SENSE(scst_sense_reset_UA));
	return NULL;
}

/* Any context; nests tgt_dev_lock inside whatever the caller holds */
void scst_tgt_dev_queue_ua(struct scst_tgt_dev *tgt_dev, u8 key, u8 asc,
			   u8 ascq)
{
	struct scst_ua *ua = kmem_cache_alloc(scst_ua_cachep,
					      GFP_ATOMIC | __GFP_NOWARN);
	unsigned long flags;
	LIST_HEAD(garbage);

	spin_lock_irqsave(&tgt_dev->tgt_dev_lock, flags);
	if (tgt_dev->ua_count < 0 ||
	    scst_ua_pending_locked(tgt_dev, key, asc, ascq)) {
		/* nexus going away, or this UA is already pending */
	} else if (ua && tgt_dev->ua_count < SCST_MAX_UA_PER_TGT_DEV) {
		scst_ua_add_locked(tgt_dev, ua, key, asc, ascq);
		ua = NULL;
	} else {
		ua = scst_ua_overflow_locked(tgt_dev, ua, &garbage);
	}
	spin_unlock_irqrestore(&tgt_dev->tgt_dev_lock, flags);
	if (ua)
		kmem_cache_free(scst_ua_cachep, ua);
	scst_ua_free_list(&garbage);
}

void scst_sess_queue_ua(struct scst_session *sess, u8 key, u8 asc, u8 ascq)
{
	struct scst_tgt_dev *tgt_dev;
	unsigned long flags;

	spin_lock_irqsave(&sess->sess_list_lock, flags);
	list_for_each_entry(tgt_dev, &sess->sess_tgt_dev_list,
			    sess_tgt_dev_list_entry)
		scst_tgt_dev_queue_ua(tgt_dev, key, asc, ascq);
	spin_unlock_irqrestore(&sess->sess_list_lock, flags);
}

void scst_dev_queue_ua(struct scst_device *dev, struct scst_session *except,
		       u8 key, u8 asc, u8 ascq)
{
	struct scst_tgt_dev *tgt_dev;
	unsigned long flags;

	spin_lock_irqsave(&dev->dev_lock, flags);
	list_for_each_entry(tgt_dev, &dev->dev_tgt_dev_list,
			    dev_tgt_dev_list_entry)
		if (tgt_dev->sess != except)
			scst_tgt_dev_queue_ua(tgt_dev, key, asc, ascq);
	spin_unlock_irqrestore(&dev->dev_lock, flags);
}
EXPORT_SYMBOL_GPL(scst_dev_queue_ua);

void scst_capacity_data_changed(struct scst_device *dev)
{
	scst_dev_queue_ua(dev, NULL,
			  SCST_LOAD_SENSE(scst_sense_capacity_data_changed));
}
EXPORT_SYMBOL_GPL(scst_capacity_data_changed);

static bool scst_sense_matches_ua(u8 key, u8 asc, u8 ascq, u8 k, u8 a, u8 q)
{
	return key == k && asc == a && ascq == q;
}

/* Take the oldest pending unit attention */
bool scst_tgt_dev_dequeue_ua(struct scst_tgt_dev *tgt_dev, u8 *key, u8 *asc,
			     u8 *ascq)
{
	struct scst_ua *ua = NULL;
	unsigned long flags;

	if (READ_ONCE(tgt_dev->ua_count) <= 0)
		return false;
	spin_lock_irqsave(&tgt_dev->tgt_dev_lock, flags);
	if (tgt_dev->ua_count > 0) {
		ua = list_first_entry(&tgt_dev->ua_list, struct scst_ua,
				      entry);
		list_del(&ua->entry);
		WRITE_ONCE(tgt_dev->ua_count, tgt_dev->ua_count - 1);
	}
	spin_unlock_irqrestore(&tgt_dev->tgt_dev_lock, flags);
	if (!ua)
		return false;
	*key = ua->key;
	*asc = ua->asc;
	*ascq = ua->ascq;
	kmem_cache_free(scst_ua_cachep, ua);
	/*
	 * We report LUICLR=1 (Extended INQUIRY VPD, as SPC-4 requires): once
	 * REPORTED LUNS DATA HAS CHANGED is reported on one LUN, it is
	 * cleared on every LUN of the I_T nexus.
	 */
	if (scst_sense_matches_ua(*key, *asc, *ascq,
			SCST_LOAD_SENSE(scst_sense_reported_luns_data_changed)))
		scst_sess_clear_ua(tgt_dev->sess, *key, *asc, *ascq);
	return true;
}

/* PARSE: report a pending UA as CHECK CONDITION (and clear it) */
bool scst_check_deliver_ua(struct scst_cmd *cmd)
{
	u8 key, asc, ascq;

	if (!scst_tgt_dev_dequeue_ua(cmd->tgt_dev, &key, &asc, &ascq))
		return false;
	scst_set_cmd_error(cmd, key, asc, ascq);
	return true;
}

static void scst_tgt_dev_clear_ua(struct scst_tgt_dev *tgt_dev, u8 key,
				  u8 asc, u8 ascq, struct list_head *garbage)
{
	struct scst_ua *ua, *tmp;

	spin_lock(&tgt_dev->tgt_dev_lock);
	list_for_each_entry_safe(ua, tmp, &tgt_dev->ua_list, entry) {
		if (ua->key != key || ua->asc != asc || ua->ascq != ascq)
			continue;
		list_move_tail(&ua->entry, garbage);
		WRITE_ONCE(tgt_dev->ua_count, tgt_dev->ua_count - 1);
	}
	spin_unlock(&tgt_dev->tgt_dev_lock);
}

/* Clear one kind of UA on every LUN of an I_T nexus */
void scst_sess_clear_ua(struct scst_session *sess, u8 key, u8 asc, u8 ascq)
{
	struct scst_tgt_dev *tgt_dev;
	unsigned long flags;
	LIST_HEAD(garbage);

	spin_lock_irqsave(&sess->sess_list_lock, flags);
	list_for_each_entry(tgt_dev, &sess->sess_tgt_dev_list,
			    sess_tgt_dev_list_entry)
		scst_tgt_dev_clear_ua(tgt_dev, key, asc, ascq, &garbage);
	spin_unlock_irqrestore(&sess->sess_list_lock, flags);
	scst_ua_free_list(&garbage);
}

/* The nexus is going away: drop its UAs and refuse new ones */
void scst_tgt_dev_free_uas(struct scst_tgt_dev *tgt_dev)
{
	unsigned long flags;
	LIST_HEAD(garbage);

	spin_lock_irqsave(&tgt_dev->tgt_dev_lock, flags);
	list_splice_init(&tgt_dev->ua_list, &garbage);
	WRITE_ONCE(tgt_dev->ua_count, -1);
	spin_unlock_irqrestore(&tgt_dev->tgt_dev_lock, flags);
	scst_ua_free_list(&garbage);
}

/* ---------------------------------------------------------------------
 * Status and sense data
 */

/* Descriptor sense if the device's control mode page says so */
static bool scst_cmd_d_sense(const struct scst_cmd *cmd)
{
	return cmd->dev && cmd->dev->d_sense;
}

void scst_set_cmd_error_status(struct scst_cmd *cmd, u8 status)
{
	cmd->status = status;
	cmd->resp_data_len = 0;
	if (status != SAM_STAT_CHECK_CONDITION) {
		cmd->sense = NULL;
		cmd->sense_valid_len = 0;
	}
}
EXPORT_SYMBOL_GPL(scst_set_cmd_error_status);

/* CHECK CONDITION with len bytes of sense already built in sense_buf */
static void scst_sense_built(struct scst_cmd *cmd, int len)
{
	scst_set_cmd_error_status(cmd, SAM_STAT_CHECK_CONDITION);
	cmd->sense = cmd->sense_buf;
	cmd->sense_valid_len = max(len, 0);
}

void scst_set_cmd_sense(struct scst_cmd *cmd, const u8 *sense, int len)
{
	len = clamp(len, 0, SCST_SENSE_BUFFERSIZE);
	memset(cmd->sense_buf, 0, sizeof(cmd->sense_buf));
	memcpy(cmd->sense_buf, sense, len);
	scst_sense_built(cmd, len);
}

void scst_set_cmd_error(struct scst_cmd *cmd, u8 key, u8 asc, u8 ascq)
{
	memset(cmd->sense_buf, 0, sizeof(cmd->sense_buf));
	scst_sense_built(cmd, scst_build_sense(cmd->sense_buf,
					       sizeof(cmd->sense_buf),
					       scst_cmd_d_sense(cmd),
					       key, asc, ascq));
}
EXPORT_SYMBOL_GPL(scst_set_cmd_error);

static void scst_set_invalid_field(struct scst_cmd *cmd, u8 asc,
				   bool in_cdb, u16 field, int bit)
{
	memset(cmd->sense_buf, 0, sizeof(cmd->sense_buf));
	scst_sense_built(cmd, scst_build_sense_sks(cmd->sense_buf,
						   sizeof(cmd->sense_buf),
						   scst_cmd_d_sense(cmd),
						   ILLEGAL_REQUEST, asc, 0,
						   in_cdb, field, bit));
}

void scst_set_invalid_field_in_cdb(struct scst_cmd *cmd, u16 field, int bit)
{
	scst_set_invalid_field(cmd, 0x24, true, field, bit);
}
EXPORT_SYMBOL_GPL(scst_set_invalid_field_in_cdb);

void scst_set_invalid_field_in_parm_list(struct scst_cmd *cmd, u16 field,
					 int bit)
{
	scst_set_invalid_field(cmd, 0x26, false, field, bit);
}
EXPORT_SYMBOL_GPL(scst_set_invalid_field_in_parm_list);

void scst_set_parse_error(struct scst_cmd *cmd,
			  const struct scst_cdb_parsed *p)
{
	memset(cmd->sense_buf, 0, sizeof(cmd->sense_buf));
	scst_sense_built(cmd, scst_build_cdb_err_sense(cmd->sense_buf,
						       sizeof(cmd->sense_buf),
						       scst_cmd_d_sense(cmd),
						       p));
}

void scst_set_cmd_sense_info(struct scst_cmd *cmd, u64 info)
{
	int len;

	if (!cmd->sense || !cmd->sense_valid_len)
		return;
	len = scst_sense_set_info(cmd->sense_buf, sizeof(cmd->sense_buf),
				  info);
	if (len > 0)
		cmd->sense_valid_len = len;
}
EXPORT_SYMBOL_GPL(scst_set_cmd_sense_info);

/*
 * SAM-5: TASK SET FULL when the initiator has other commands in the task
 * set (it can wait for one of them to finish), BUSY when it has none.
 */
void scst_set_busy(struct scst_cmd *cmd)
{
	if (atomic_read(&cmd->sess->active_cmds) > 1)
		scst_set_cmd_error_status(cmd, SAM_STAT_TASK_SET_FULL);
	else
		scst_set_cmd_error_status(cmd, SAM_STAT_BUSY);
}
EXPORT_SYMBOL_GPL(scst_set_busy);
