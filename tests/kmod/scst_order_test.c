// SPDX-License-Identifier: GPL-2.0
/*
 * scst_order_test.c - test-only module: checks that the SCST core honours
 * the SAM task attributes (SIMPLE, ORDERED, HEAD OF QUEUE) of one I_T_L
 * nexus.  No Linux initiator can exercise this, as Linux only sends SIMPLE
 * tasks, so this module is both the initiator and the logical unit:
 *
 *  - device handler "order_test": exec() records when each command starts,
 *    then completes it from a delayed work item after a per-command delay,
 *    recording when it completes.  Commands are READ(10) of one block whose
 *    LBA encodes the command id and the delay (LBA = id << 10 | delay_ms).
 *  - target driver "order_test_tgt" with target "ot0": writing "run" to
 *    targets/order_test_tgt/mgmt opens a session, runs the scenarios on
 *    LUN 0 and fails the write with EIO if the core broke an ordering rule.
 *
 * Start and completion share one event counter, so "A completed before B
 * started" is simply done(A) < start(B).  The completion event is taken
 * before scst_cmd_done(), which is what releases the commands an ORDERED
 * one holds up, so the comparison is exact.
 */

#define pr_fmt(fmt) "order_test: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/random.h>
#include <linux/delay.h>
#include <linux/string.h>
#include <linux/mutex.h>
#include <linux/completion.h>
#include <asm/unaligned.h>
#include <scsi/scsi_proto.h>

#include "scst.h"

#define OT_MAX_CMDS	64
#define OT_PRIME	OT_MAX_CMDS		/* record of priming commands */
#define OT_DELAY_BITS	10			/* LBA = id << 10 | delay */
#define OT_NR_BLOCKS	((u64)(OT_MAX_CMDS + 1) << OT_DELAY_BITS)
#define OT_BLOCK_SHIFT	9
#define OT_TIMEOUT	(10 * HZ)		/* sysfs writers wait 15 s */
#define OT_SLOW_MS	300
#define OT_FAST_MS	10
#define OT_LINE_LEN	1024

struct ot_rec {
	struct scst_cmd *cmd;
	struct delayed_work dwork;
	enum scst_cmd_queue_type qt;
	int start;		/* event number of exec start; 0: not started */
	int done;		/* event number of exec completion */
	u8 status;
	bool xmitted;
};

struct ot_spec {
	enum scst_cmd_queue_type qt;
	unsigned int delay_ms;
};

static struct ot_rec ot_recs[OT_MAX_CMDS + 1];
static atomic_t ot_event;
static atomic_t ot_pending;		/* commands not yet released + 1 */
static DECLARE_COMPLETION(ot_all_done);
static struct workqueue_struct *ot_wq;
static DEFINE_MUTEX(ot_dev_mutex);
static struct scst_device *ot_dev;	/* under ot_dev_mutex */
static struct scst_tgt *ot_tgt;
static const u8 ot_zero[1 << OT_BLOCK_SHIFT];

/* ------------------------------------------------------------------
 * Device handler
 */

static void ot_exec_done_fn(struct work_struct *work)
{
	struct ot_rec *r = container_of(to_delayed_work(work), struct ot_rec,
					dwork);
	struct scst_cmd *cmd = r->cmd;

	/* no uninitialised bytes in the Data-In buffer */
	scst_copy_to_cmd(cmd, ot_zero, sizeof(ot_zero));
	scst_set_resp_data_len(cmd, min_t(u32, cmd->bufflen, sizeof(ot_zero)));
	r->done = atomic_inc_return(&ot_event);
	scst_cmd_done(cmd, SCST_CONTEXT_THREAD);
}

static enum scst_exec_res ot_exec(struct scst_cmd *cmd)
{
	u64 id = cmd->lba >> OT_DELAY_BITS;
	unsigned int delay_ms = cmd->lba & ((1 << OT_DELAY_BITS) - 1);
	struct ot_rec *r;

	if (cmd->cdb[0] != READ_10 || cmd->nr_blocks != 1 || id > OT_PRIME) {
		/* not one of ours: complete at once without data */
		scst_set_resp_data_len(cmd, 0);
		scst_cmd_done(cmd, SCST_CONTEXT_THREAD);
		return SCST_EXEC_COMPLETED;
	}
	r = &ot_recs[id];
	r->cmd = cmd;
	r->start = atomic_inc_return(&ot_event);
	queue_delayed_work(ot_wq, &r->dwork, msecs_to_jiffies(delay_ms));
	return SCST_EXEC_COMPLETED;
}

static int ot_attach(struct scst_device *dev)
{
	dev->block_shift = OT_BLOCK_SHIFT;
	dev->nr_blocks = OT_NR_BLOCKS;
	return 0;
}

static struct scst_dev_type ot_devt;

static ssize_t ot_add_device(const char *name, char *params)
{
	int rc;

	mutex_lock(&ot_dev_mutex);
	if (ot_dev)
		rc = -EBUSY;	/* one device is all the test needs */
	else
		rc = scst_register_virtual_device(&ot_devt, name, NULL,
						  &ot_dev);
	mutex_unlock(&ot_dev_mutex);
	return rc;
}

static ssize_t ot_del_device(const char *name)
{
	int rc;

	mutex_lock(&ot_dev_mutex);
	if (!ot_dev || strcmp(ot_dev->virt_name, name)) {
		rc = -ENOENT;
	} else {
		rc = scst_unregister_virtual_device(ot_dev);
		if (!rc)
			ot_dev = NULL;
	}
	mutex_unlock(&ot_dev_mutex);
	return rc;
}

static struct scst_dev_type ot_devt = {
	.name		= "order_test",
	.type		= TYPE_DISK,
	.exec_atomic	= 0,
	.exec		= ot_exec,
	.attach		= ot_attach,
	.add_device	= ot_add_device,
	.del_device	= ot_del_device,
};

/* ------------------------------------------------------------------
 * Target driver: the initiator side
 */

static int ot_xmit_response(struct scst_cmd *cmd)
{
	struct ot_rec *r = scst_cmd_get_tgt_priv(cmd);

	r->status = cmd->status;
	r->xmitted = true;
	scst_tgt_cmd_done(cmd, SCST_CONTEXT_DIRECT);
	if (atomic_dec_and_test(&ot_pending))
		complete(&ot_all_done);
	return SCST_TGT_RES_SUCCESS;
}

static int ot_release(struct scst_tgt *tgt)
{
	return 0;
}

static int ot_submit(struct scst_session *sess, unsigned int id,
		     enum scst_cmd_queue_type qt, unsigned int delay_ms)
{
	static const u8 lun0[8];	/* LUN 0 in SAM wire format */
	u8 cdb[10] = { READ_10 };
	struct scst_cmd *cmd;

	put_unaligned_be32(id << OT_DELAY_BITS | delay_ms, &cdb[2]);
	put_unaligned_be16(1, &cdb[7]);
	cmd = scst_rx_cmd(sess, lun0, sizeof(lun0), cdb, sizeof(cdb), false);
	if (!cmd)
		return -ENOMEM;
	ot_recs[id].qt = qt;
	scst_cmd_set_tag(cmd, id);
	scst_cmd_set_queue_type(cmd, qt);
	scst_cmd_set_expected(cmd, SCST_DATA_READ, sizeof(ot_zero));
	scst_cmd_set_tgt_priv(cmd, &ot_recs[id]);
	scst_cmd_init_done(cmd, SCST_CONTEXT_THREAD);
	return 0;
}

static void ot_reset_recs(void)
{
	int i;

	for (i = 0; i <= OT_MAX_CMDS; i++) {
		ot_recs[i].cmd = NULL;
		ot_recs[i].start = 0;
		ot_recs[i].done = 0;
		ot_recs[i].status = 0xff;
		ot_recs[i].xmitted = false;
	}
	atomic_set(&ot_event, 0);
}

/* Submit cmds (first_id..) in order and wait until all were released */
static int ot_issue(struct scst_session *sess, unsigned int first_id,
		    const struct ot_spec *spec, int n)
{
	int i, rc = 0;

	reinit_completion(&ot_all_done);
	atomic_set(&ot_pending, n + 1);	/* +1: no completion mid-submit */
	for (i = 0; i < n; i++) {
		rc = ot_submit(sess, first_id + i, spec[i].qt,
			       spec[i].delay_ms);
		if (rc)
			break;
	}
	if (atomic_sub_and_test(n - i + 1, &ot_pending))
		complete(&ot_all_done);
	if (!wait_for_completion_timeout(&ot_all_done, OT_TIMEOUT)) {
		pr_info("commands still outstanding after %d s\n",
			OT_TIMEOUT / HZ);
		return -ETIMEDOUT;
	}
	if (rc)
		pr_info("cannot allocate a command: %d\n", rc);
	return rc;
}

/* The first command of a new I_T_L nexus reports the reset UA */
static int ot_prime(struct scst_session *sess)
{
	static const struct ot_spec spec = { SCST_CMD_QUEUE_SIMPLE, 0 };
	int i, rc;

	for (i = 0; i < 5; i++) {
		ot_reset_recs();
		rc = ot_issue(sess, OT_PRIME, &spec, 1);
		if (rc)
			return rc;
		if (ot_recs[OT_PRIME].status == SAM_STAT_GOOD)
			return 0;
	}
	pr_info("priming READ keeps failing, status %#x\n",
		ot_recs[OT_PRIME].status);
	return -EIO;
}

static char ot_qt_char(enum scst_cmd_queue_type qt)
{
	switch (qt) {
	case SCST_CMD_QUEUE_ORDERED:
		return 'O';
	case SCST_CMD_QUEUE_HEAD_OF_QUEUE:
		return 'H';
	default:
		return 'S';
	}
}

/*
 * Describe the run in buf: the event timeline ("S1+" = S1 started, "S1-" =
 * S1 completed) if full, else the start order only.
 */
static void ot_describe(char *buf, int n, bool full)
{
	int ev, i, len = 0, nev = atomic_read(&ot_event);

	buf[0] = '\0';
	for (ev = 1; ev <= nev && len < OT_LINE_LEN - 16; ev++) {
		for (i = 0; i < n; i++) {
			if (ot_recs[i].start == ev)
				len += scnprintf(buf + len, OT_LINE_LEN - len,
						 " %c%d%s",
						 ot_qt_char(ot_recs[i].qt),
						 i + 1, full ? "+" : "");
			else if (full && ot_recs[i].done == ev)
				len += scnprintf(buf + len, OT_LINE_LEN - len,
						 " %c%d-",
						 ot_qt_char(ot_recs[i].qt),
						 i + 1);
		}
	}
}

/* Every command got GOOD and has start and completion events */
static bool ot_all_good(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct ot_rec *r = &ot_recs[i];

		if (!r->xmitted || r->status != SAM_STAT_GOOD || !r->start ||
		    !r->done) {
			pr_info("command %c%d: status %#x, started %d, completed %d\n",
				ot_qt_char(r->qt), i + 1, r->status, r->start,
				r->done);
			return false;
		}
	}
	return true;
}

static int ot_run_scenario(struct scst_session *sess, int nr,
			   const struct ot_spec *spec, int n,
			   bool (*check)(int n), char *buf)
{
	bool ok;
	int rc;

	/* a fresh, quiescent LUN: let the previous commands be freed */
	msleep(20);
	ot_reset_recs();
	rc = ot_issue(sess, 0, spec, n);
	if (rc == -ETIMEDOUT)
		return rc;
	ok = !rc && ot_all_good(n) && check(n);
	ot_describe(buf, n, n <= 8);
	pr_info("scenario %d %s: %s%s\n", nr, ok ? "pass" : "fail",
		n <= 8 ? "events" : "start order", buf);
	return ok ? 0 : -EIO;
}

#define START(i)	(ot_recs[i].start)
#define DONE(i)		(ot_recs[i].done)

/*
 * S1(slow) S2 O3 S4: O3 waits for S1 and S2 to complete, S4 for O3; the
 * two SIMPLE commands before the barrier run concurrently.
 */
static bool ot_check_1(int n)
{
	bool ok = true;

	if (START(2) < DONE(0) || START(2) < DONE(1)) {
		pr_info("scenario 1: O3 started before S1 and S2 completed\n");
		ok = false;
	}
	if (START(3) < DONE(2)) {
		pr_info("scenario 1: S4 started before O3 completed\n");
		ok = false;
	}
	if (DONE(0) < DONE(1) || DONE(0) < START(1)) {
		pr_info("scenario 1: S2 did not run concurrently with S1\n");
		ok = false;
	}
	return ok;
}

/* S1(slow) O2 H3: H3 does not wait for the ORDERED barrier */
static bool ot_check_2(int n)
{
	bool ok = true;

	if (START(1) < START(2) || DONE(0) < START(2)) {
		pr_info("scenario 2: H3 waited for the ORDERED barrier\n");
		ok = false;
	}
	if (START(1) < DONE(0)) {
		pr_info("scenario 2: O2 started before S1 completed\n");
		ok = false;
	}
	return ok;
}

/*
 * Every ORDERED command starts after all older ones completed and
 * completes before any newer one starts.
 */
static bool ot_check_ordered(int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		if (ot_recs[i].qt != SCST_CMD_QUEUE_ORDERED)
			continue;
		for (j = 0; j < n; j++) {
			if (j < i && DONE(j) > START(i)) {
				pr_info("O%d started (event %d) before older %c%d completed (event %d)\n",
					i + 1, START(i), ot_qt_char(ot_recs[j].qt),
					j + 1, DONE(j));
				return false;
			}
			if (j > i && START(j) < DONE(i)) {
				pr_info("newer %c%d started (event %d) before O%d completed (event %d)\n",
					ot_qt_char(ot_recs[j].qt), j + 1,
					START(j), i + 1, DONE(i));
				return false;
			}
		}
	}
	return true;
}

static int ot_scenarios(struct scst_session *sess, char *buf)
{
	static const struct ot_spec s1[] = {
		{ SCST_CMD_QUEUE_SIMPLE, OT_SLOW_MS },
		{ SCST_CMD_QUEUE_SIMPLE, OT_FAST_MS },
		{ SCST_CMD_QUEUE_ORDERED, OT_FAST_MS },
		{ SCST_CMD_QUEUE_SIMPLE, OT_FAST_MS },
	};
	static const struct ot_spec s2[] = {
		{ SCST_CMD_QUEUE_SIMPLE, OT_SLOW_MS },
		{ SCST_CMD_QUEUE_ORDERED, OT_FAST_MS },
		{ SCST_CMD_QUEUE_HEAD_OF_QUEUE, OT_FAST_MS },
	};
	struct ot_spec s3[OT_MAX_CMDS];
	int i, rc, res = 0;

	rc = ot_run_scenario(sess, 1, s1, ARRAY_SIZE(s1), ot_check_1, buf);
	if (rc == -ETIMEDOUT)
		return rc;
	res = res ?: rc;
	rc = ot_run_scenario(sess, 2, s2, ARRAY_SIZE(s2), ot_check_2, buf);
	if (rc == -ETIMEDOUT)
		return rc;
	res = res ?: rc;
	/* one in four ORDERED, delays 0..15 ms */
	for (i = 0; i < OT_MAX_CMDS; i++) {
		u32 r = get_random_u32();

		s3[i].qt = (r & 3) ? SCST_CMD_QUEUE_SIMPLE :
				     SCST_CMD_QUEUE_ORDERED;
		s3[i].delay_ms = (r >> 2) & 15;
	}
	rc = ot_run_scenario(sess, 3, s3, OT_MAX_CMDS, ot_check_ordered, buf);
	return res ?: rc;
}

static int ot_run(void)
{
	struct scst_session *sess;
	char *buf;
	int rc;

	buf = kmalloc(OT_LINE_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	sess = scst_register_session(ot_tgt, "order_test_ini", NULL);
	if (IS_ERR(sess)) {
		kfree(buf);
		return PTR_ERR(sess);
	}
	rc = ot_prime(sess);
	if (!rc)
		rc = ot_scenarios(sess, buf);
	scst_unregister_session(sess);
	kfree(buf);
	pr_info("run %s (%d)\n", rc ? "failed" : "passed", rc);
	return rc ? -EIO : 0;
}

static ssize_t ot_mgmt_cmd(char *cmd)
{
	if (strcmp(strim(cmd), "run")) {
		pr_info("unknown command \"%s\"\n", cmd);
		return -EINVAL;
	}
	return ot_run();
}

static struct scst_tgt_template ot_tgtt = {
	.name			= "order_test_tgt",
	.xmit_response		= ot_xmit_response,
	.release		= ot_release,
	.mgmt_cmd		= ot_mgmt_cmd,
	.mgmt_cmd_help		= "run\n",
	.protocol_id		= 0xf,
};

/* ------------------------------------------------------------------
 * Module
 */

static int __init ot_init(void)
{
	int i, rc;

	for (i = 0; i <= OT_MAX_CMDS; i++)
		INIT_DELAYED_WORK(&ot_recs[i].dwork, ot_exec_done_fn);
	ot_wq = alloc_workqueue("order_test", WQ_UNBOUND, 0);
	if (!ot_wq)
		return -ENOMEM;
	rc = scst_register_virtual_dev_driver(&ot_devt);
	if (rc)
		goto out_wq;
	rc = scst_register_target_template(&ot_tgtt);
	if (rc)
		goto out_devt;
	ot_tgt = scst_register_target(&ot_tgtt, "ot0");
	if (IS_ERR_OR_NULL(ot_tgt)) {
		rc = ot_tgt ? PTR_ERR(ot_tgt) : -ENOMEM;
		goto out_tgtt;
	}
	return 0;

out_tgtt:
	scst_unregister_target_template(&ot_tgtt);
out_devt:
	scst_unregister_virtual_dev_driver(&ot_devt);
out_wq:
	destroy_workqueue(ot_wq);
	return rc;
}

static void __exit ot_exit(void)
{
	scst_unregister_target(ot_tgt);
	scst_unregister_target_template(&ot_tgtt);
	mutex_lock(&ot_dev_mutex);
	if (ot_dev && !scst_unregister_virtual_device(ot_dev))
		ot_dev = NULL;
	mutex_unlock(&ot_dev_mutex);
	scst_unregister_virtual_dev_driver(&ot_devt);
	destroy_workqueue(ot_wq);
}

module_init(ot_init);
module_exit(ot_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SCST SAM task attribute ordering test");
