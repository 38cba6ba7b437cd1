/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scst.h - the interface between the SCST core, target drivers and device
 * handlers.
 *
 * A target driver registers a struct scst_tgt_template, creates targets
 * with scst_register_target() and I_T nexuses with scst_register_session().
 * It hands every received SCSI command to the core with scst_rx_cmd() +
 * scst_cmd_init_done(), moves WRITE data when the core calls rdy_to_xfer()
 * (answering with scst_rx_data()), sends the response when the core calls
 * xmit_response() and finally releases the command with scst_tgt_cmd_done().
 *
 * A device handler registers a struct scst_dev_type, creates devices with
 * scst_register_virtual_device() and executes commands in exec(), reporting
 * completion with scst_cmd_done().  The CDB has already been decoded and
 * checked against the device when exec() runs: cmd->lba, cmd->nr_blocks,
 * cmd->data_direction and cmd->bufflen are valid.
 *
 * Everything not declared here is internal to the core (scst_priv.h).
 */
#ifndef __SCST_H
#define __SCST_H

#include <linux/types.h>
#include <linux/printk.h>
#include <linux/list.h>
#include <linux/kobject.h>
#include <linux/cpumask.h>
#include <linux/completion.h>
#include <linux/spinlock.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/scatterlist.h>
#include <linux/xarray.h>
#include <linux/percpu-refcount.h>
#include <linux/workqueue.h>

#include "scst_pure.h"

#define SCST_VERSION_STRING	"0.1.0"

/* Name length limits (names are sysfs directory names) */
#define SCST_MAX_NAME		256

/* sysfs marker appended to attributes holding a non-default value */
#define SCST_SYSFS_KEY_MARK	"[key]"

/* Default SCSI identification */
#define SCST_DEFAULT_VENDOR	"SCST"
#define SCST_MAX_CDB_SIZE	32

struct scst_tgt_template;
struct scst_tgt;
struct scst_session;
struct scst_dev_type;
struct scst_device;
struct scst_tgt_dev;
struct scst_acg;
struct scst_cmd;
struct scst_mgmt_cmd;
struct scst_cmd_threads;
struct scst_io_stats;

/*
 * Where a core entry point may continue processing.  A caller passes the
 * most direct context it can tolerate; the core falls back to a thread
 * whenever the next step must sleep.
 */
enum scst_exec_context {
	SCST_CONTEXT_DIRECT_ATOMIC,	/* caller's context, may not sleep */
	SCST_CONTEXT_DIRECT,		/* caller's context, may sleep */
	SCST_CONTEXT_THREAD,		/* an SCST thread */
	/*
	 * There is deliberately no "detect it" context: with PREEMPT_RCU an
	 * RCU read-side section (blk-mq dispatch holds one) is invisible to
	 * preemptible(), so only the caller knows whether it may sleep.
	 */
};

/* Return values of dev_type->exec() */
enum scst_exec_res {
	/* The handler took the command; it will call scst_cmd_done(). */
	SCST_EXEC_COMPLETED,
	/* The handler cannot run here; retry in thread context. */
	SCST_EXEC_NEED_THREAD,
};

/* Return values of tgtt->xmit_response() and tgtt->rdy_to_xfer() */
#define SCST_TGT_RES_SUCCESS		0
#define SCST_TGT_RES_QUEUE_FULL		-1	/* retry later */
#define SCST_TGT_RES_NEED_THREAD_CTX	-2	/* retry in thread context */
#define SCST_TGT_RES_FATAL_ERROR	-3	/* abort the command */

/* scst_rx_data() status values */
#define SCST_RX_STATUS_SUCCESS		0
#define SCST_RX_STATUS_ERROR		1	/* data transfer failed */
#define SCST_RX_STATUS_ERROR_SENSE_SET	2	/* ditto, sense already set */
#define SCST_RX_STATUS_ERROR_FATAL	3	/* drop the command silently */

/*
 * Target driver template.
 */
struct scst_tgt_template {
	const char *name;

	/* Max SG entries the driver can transfer in one command (0: any) */
	int sg_tablesize;

	/* xmit_response()/rdy_to_xfer() may be called in atomic context */
	unsigned xmit_response_atomic:1;
	unsigned rdy_to_xfer_atomic:1;

	/* No "enabled" attribute even though enable_target is defined */
	unsigned enabled_attr_not_needed:1;

	/* Required.  Send status, sense and cmd->resp_data_len bytes of data
	 * (unless scst_cmd_aborted_on_xmit()), then call scst_tgt_cmd_done().
	 */
	int (*xmit_response)(struct scst_cmd *cmd);

	/* Fetch WRITE data into cmd->sg, then call scst_rx_data(). */
	int (*rdy_to_xfer)(struct scst_cmd *cmd);

	/* Called just before the core frees the command. */
	void (*on_free_cmd)(struct scst_cmd *cmd);

	/* Called once a task management function is done (see
	 * scst_mgmt_cmd_get_status()); every affected command has completed
	 * or can no longer execute.
	 */
	void (*task_mgmt_fn_done)(struct scst_mgmt_cmd *mcmd);

	/* Called on command abort so the driver can stop a pending transfer */
	void (*on_abort_cmd)(struct scst_cmd *cmd);

	/* Required.  Called from scst_unregister_target(). */
	int (*release)(struct scst_tgt *tgt);

	/* Optional target enable/disable (creates the "enabled" attribute) */
	int (*enable_target)(struct scst_tgt *tgt, bool enable);
	bool (*is_target_enabled)(struct scst_tgt *tgt);

	/* Optional sysfs management: targets/<driver>/mgmt */
	ssize_t (*add_target)(const char *target_name, char *params);
	ssize_t (*del_target)(const char *target_name);
	ssize_t (*mgmt_cmd)(char *cmd);	/* any other verb */

	/* Optional: the LUN inventory of sess changed (REPORTED LUNS DATA
	 * HAS CHANGED was queued).  Called in process context, possibly with
	 * scst_mutex held: only schedule work (e.g. a rescan) from here.
	 */
	void (*luns_changed)(struct scst_session *sess);

	/* Optional: close a session on request (sessions/<s>/force_close) */
	int (*close_session)(struct scst_session *sess);

	/* Optional: SPC-4 TransportID of the initiator port (for PR) */
	int (*get_initiator_port_transport_id)(struct scst_tgt *tgt,
					       struct scst_session *sess,
					       uint8_t **transport_id);

	/* SPC-4 protocol identifier reported in VPD 0x83 / PR (e.g. 5 for
	 * iSCSI, 0xf for "none")
	 */
	u8 protocol_id;

	/* sysfs hooks */
	const char *mgmt_cmd_help;
	const char *const *add_target_parameters;
	const char *tgtt_optional_attributes;
	const char *tgt_optional_attributes;
	const struct attribute **tgtt_attrs;
	const struct attribute **tgt_attrs;
	const struct attribute **sess_attrs;

	/* ---- private to the core ---- */
	struct list_head tgtt_list_entry;
	struct list_head tgt_list;		/* protected by scst_mutex */
	struct kobject tgtt_kobj;
	struct completion *tgtt_kobj_release_cmpl;
	struct module *owner;
	unsigned long trace_mask;		/* targets/<drv>/trace_level */
};

/*
 * I/O placement and fault-injection knobs a target and each of its initiator
 * groups carry (sysfs io_grouping_type, cpu_mask, black_hole).
 */
struct scst_io_opts {
	int io_grouping_type;
	int black_hole;
	struct cpumask cpu_mask;
};

/*
 * A target (SCSI target port).  The default LUN set lives in tgt->default_acg.
 */
struct scst_tgt {
	struct scst_tgt_template *tgtt;
	char *tgt_name;
	void *tgt_priv;

	/* ---- private to the core ---- */
	struct list_head tgt_list_entry;	/* in tgtt->tgt_list */
	struct list_head sess_list;		/* protected by scst_mutex */
	struct list_head acg_list;		/* named initiator groups */
	struct scst_acg *default_acg;
	u16 rel_tgt_id;
	unsigned rel_tgt_id_set:1;
	char *comment;
	int addr_method;
	struct scst_io_opts io_opts;
	int sg_tablesize;
	/* I/O statistics left behind by closed sessions (scst_mutex) */
	struct scst_io_stats *dp_stats_done;

	struct kobject tgt_kobj;
	struct kobject *tgt_sess_kobj;
	struct kobject *tgt_luns_kobj;
	struct kobject *tgt_ini_grp_kobj;
	struct completion *tgt_kobj_release_cmpl;
	/* mgmt */
	unsigned aen_disabled:1;
	unsigned tgt_dead:1;			/* being unregistered */
	int mgmt_busy;				/* driver callbacks running */
};

static inline void *scst_tgt_get_tgt_priv(struct scst_tgt *tgt)
{
	return tgt->tgt_priv;
}

static inline void scst_tgt_set_tgt_priv(struct scst_tgt *tgt, void *priv)
{
	tgt->tgt_priv = priv;
}

static inline const char *scst_get_tgt_name(const struct scst_tgt *tgt)
{
	return tgt->tgt_name;
}

/*
 * A session: one I_T nexus.  The LUNs it sees come from sess->acg.
 */
struct scst_session {
	struct scst_tgt *tgt;
	char *initiator_name;
	void *tgt_priv;

	/* ---- private to the core ---- */
	struct list_head sess_list_entry;	/* in tgt->sess_list */
	struct list_head acg_sess_list_entry;	/* in acg->acg_sess_list */
	struct scst_acg *acg;			/* protected by scst_mutex */
	/* LUN -> struct scst_tgt_dev, RCU-safe lookups on the I/O path */
	struct xarray tgt_devs;
	struct list_head sess_tgt_dev_list;	/* protected by scst_mutex */
	struct percpu_ref refcnt;		/* one per live command */
	struct completion *shutdown_cmpl;
	unsigned shutting_down:1;
	char *sess_name;			/* unique sysfs name */
	atomic_t active_cmds;
	atomic64_t cmd_count;
	struct scst_io_stats __percpu *dp_stats;	/* scst_stats.c */
	/* every live command of the session, for task management */
	spinlock_t sess_list_lock;
	struct list_head sess_cmd_list;
	/* dataplane-private fields below (owned by scst_targ.c/scst_tm.c) */
	struct list_head dp_sess_list_entry;	/* in the data plane's list */
	struct completion dp_refs_done;		/* refcnt dropped to zero */
	bool dp_aborting;			/* under sess_list_lock */
	bool dp_refs_killed;
	/* mgmt-private fields below (owned by scst_main.c/scst_config.c) */
	struct kref mgmt_ref;		/* memory; sysfs work holds one */
	int nr_tgt_devs;		/* incl. ones being torn down */
	int dp_black_hole;		/* of sess->acg; written under scst_mutex */

	struct kobject sess_kobj;
	struct completion *sess_kobj_release_cmpl;
};

static inline void *scst_sess_get_tgt_priv(struct scst_session *sess)
{
	return sess->tgt_priv;
}

static inline void scst_sess_set_tgt_priv(struct scst_session *sess, void *p)
{
	sess->tgt_priv = p;
}

/*
 * Device handler.
 */
struct scst_dev_type {
	const char *name;
	int type;			/* SCSI peripheral device type */

	/* >0: per-device threads by default; 0: global pool; <0: never */
	int threads_num;

	/* callbacks that may run in atomic context */
	unsigned parse_atomic:1;
	unsigned exec_atomic:1;
	unsigned dev_done_atomic:1;

	/* Optional: device specific parsing after the core decoded the CDB
	 * (adjust data length, reject opcodes).  Returns 0 or sets an error
	 * with scst_set_cmd_error() and returns -EINVAL.
	 */
	int (*parse)(struct scst_cmd *cmd);

	/* Required.  Execute; finish with scst_cmd_done(). */
	enum scst_exec_res (*exec)(struct scst_cmd *cmd);

	/* Optional: called after exec completion, before the response. */
	void (*dev_done)(struct scst_cmd *cmd);

	void (*on_free_cmd)(struct scst_cmd *cmd);

	/* Optional: notification of a task management function for a device
	 * (LUN RESET, TARGET RESET, ...).
	 */
	void (*task_mgmt_fn_received)(struct scst_mgmt_cmd *mcmd,
				      struct scst_tgt_dev *tgt_dev);
	void (*task_mgmt_fn_done)(struct scst_mgmt_cmd *mcmd,
				  struct scst_tgt_dev *tgt_dev);

	/* Device and I_T_L nexus life cycle */
	int (*attach)(struct scst_device *dev);
	void (*detach)(struct scst_device *dev);
	int (*attach_tgt)(struct scst_tgt_dev *tgt_dev);
	void (*detach_tgt)(struct scst_tgt_dev *tgt_dev);

	/*
	 * Optional: the ALUA state of the device on this node may have
	 * changed.  state (SCST_ALUA_*, scst_alua_pure.h) is the most
	 * accessible state of the target groups of the device's device
	 * group that hold a local target, SCST_ALUA_OPTIMIZED if none does
	 * or the device left its group.  Called in process context with
	 * scst_mutex held and no spinlock, between attach() and detach();
	 * it must not wait for commands (queue work for that).  It may be
	 * called again with an unchanged state.
	 */
	void (*on_alua_state_change)(struct scst_device *dev, u8 state);

	/* Optional: is this opcode supported (REPORT SUPPORTED OPCODES) */
	bool (*opcode_supported)(struct scst_device *dev,
				 const struct scst_cdb_info *info);

	/* sysfs management: handlers/<name>/mgmt */
	ssize_t (*add_device)(const char *device_name, char *params);
	ssize_t (*del_device)(const char *device_name);
	ssize_t (*mgmt_cmd)(char *cmd);
	const char *mgmt_cmd_help;
	const char *const *add_device_parameters;
	const char *devt_optional_attributes;
	const char *dev_optional_attributes;
	const struct attribute **devt_attrs;
	const struct attribute **dev_attrs;

	/* ---- private to the core ---- */
	struct module *owner;
	struct list_head dev_type_list_entry;
	struct kobject devt_kobj;
	struct completion *devt_kobj_release_cmpl;
	unsigned long trace_mask;		/* handlers/<h>/trace_level */
};

/*
 * A SCSI logical unit.
 */
struct scst_device {
	struct scst_dev_type *handler;
	char *virt_name;
	void *dh_priv;
	int type;

	/* Set by the handler: geometry and mode state the core relies on */
	unsigned int block_shift;	/* log2(logical block size) */
	u64 nr_blocks;			/* capacity in logical blocks */
	unsigned rd_only:1;		/* device read_only: DATA PROTECT */
	unsigned d_sense:1;		/* control mode page D_SENSE */
	unsigned swp:1;			/* control mode page SWP */
	unsigned tst:3;			/* control mode page TST */
	unsigned queue_alg:4;		/* control mode page QUEUE ALG MOD */
	unsigned tas:1;			/* control mode page TAS */
	unsigned qerr:2;
	u32 max_xfer_blocks;		/* block limits VPD MAXIMUM TRANSFER */

	/* ---- private to the core ---- */
	struct list_head dev_list_entry;	/* in scst_dev_list */
	struct list_head dev_tgt_dev_list;	/* protected by scst_mutex */
	struct list_head dev_acg_dev_list;	/* LUN mappings */
	spinlock_t dev_lock;
	/* SPC-2 RESERVE/RELEASE: the holding session, under dev_lock */
	struct scst_session *reserved_by;
	int max_tgt_dev_commands;
	int threads_num;
	int threads_pool_type;
	struct scst_cmd_threads *dev_cmd_threads;
	struct list_head io_groups;	/* per_initiator, under scst_mutex */
	int io_group_seq;		/* last I/O group number given */
	atomic_t dev_cmd_count;
	atomic_t on_dev_cmd_count;		/* commands in exec */
	int block_count;			/* device "block" attribute */
	wait_queue_head_t on_dev_waitq;
	unsigned long dev_flags;

	struct kobject dev_kobj;
	struct kobject *dev_exp_kobj;
	struct completion *dev_kobj_release_cmpl;
	/* dataplane: commands held by "block", under dev_lock */
	struct list_head dp_blocked_cmd_list;
	/* an exclusive command waiting for the others to leave exec */
	struct list_head dp_excl_wait_list;
	/* mgmt */
	int numa_node_id;
	unsigned int dev_exp_next;		/* next exported/exportN */
	/* expl_alua: SET TARGET PORT GROUPS accepted (READ/WRITE_ONCE) */
	bool expl_alua;
	int mgmt_busy;		/* sysfs work running on it, scst_mutex */
};

static inline unsigned int scst_dev_block_size(const struct scst_device *dev)
{
	return 1U << dev->block_shift;
}

/*
 * I_T_L nexus: one LUN as seen by one session.
 */
struct scst_tgt_dev {
	struct scst_session *sess;
	struct scst_device *dev;
	u64 lun;
	unsigned rd_only:1;		/* LUN or device is read-only */
	void *dh_priv;

	/* ---- private to the core ---- */
	struct list_head sess_tgt_dev_list_entry;
	struct list_head dev_tgt_dev_list_entry;
	struct rcu_head rcu;
	spinlock_t tgt_dev_lock;
	/* pending unit attentions, protected by tgt_dev_lock */
	struct list_head ua_list;
	int ua_count;
	/* SAM task ordering, protected by tgt_dev_lock */
	u64 next_sn;			/* next sequence number to hand out */
	u64 ordered_sn;			/* sn of the blocking ORDERED cmd */
	int simple_in_flight;		/* SIMPLE commands executing */
	int ordered_pending;		/* ORDERED commands not yet done */
	struct list_head deferred_cmd_list;
	atomic_t tgt_dev_cmd_count;
	struct scst_cmd_threads *active_cmd_threads;
	struct scst_io_group *io_group;	/* per_initiator threads or NULL */
	/* dataplane: unfinished sequenced commands, under tgt_dev_lock */
	struct list_head dp_sn_list;
	/* PREVENT ALLOW MEDIUM REMOVAL of this nexus (READ/WRITE_ONCE) */
	bool prevent_removal;
	/* ALUA port of this nexus, cached by scst_alua.c (READ/WRITE_ONCE) */
	u32 alua_port;
	/* sessions/<sess>/lun<N>/, under scst_mutex (scst_sysfs.c) */
	struct kobject *tgt_dev_kobj;
};

/*
 * A SCSI command.  Fields are either set by the target driver before
 * scst_cmd_init_done() (through the setters below) or by the core.
 */
struct scst_cmd {
	/* ---- set by the target driver ---- */
	struct scst_session *sess;
	u64 tag;
	u8 cdb_buf[SCST_MAX_CDB_SIZE];
	u8 *cdb;			/* points at cdb_buf or ext_cdb */
	unsigned int cdb_len;
	u64 lun;
	enum scst_cmd_queue_type queue_type;
	enum scst_data_direction expected_data_direction;
	u32 expected_transfer_len;	/* Data-In length for BIDI: in_len */
	u32 expected_out_transfer_len;	/* BIDI only */
	unsigned expected_values_set:1;
	void *tgt_priv;

	/* ---- decoded by the core ---- */
	const struct scst_cdb_info *cdb_info;
	enum scst_data_direction data_direction;
	u64 lba;
	u32 nr_blocks;
	u32 bufflen;			/* data buffer length (in buffer) */
	u32 out_bufflen;		/* BIDI Data-Out length */
	unsigned fua:1;

	/* ---- data buffers ---- */
	struct scatterlist *sg;
	int sg_cnt;
	struct scatterlist *out_sg;	/* BIDI Data-Out */
	int out_sg_cnt;
	unsigned tgt_data_buf_alloced:1;

	/* ---- result ---- */
	u8 status;			/* SAM status */
	u8 host_status;
	/*
	 * Valid Data-In bytes in sg.  The core zeroes Data-In buffers of
	 * emulated commands but not of LBA-addressed reads: for those the
	 * handler must count only bytes it actually filled.
	 */
	u32 resp_data_len;
	u8 sense_buf[SCST_SENSE_BUFFERSIZE];
	u8 *sense;			/* NULL or sense_buf */
	unsigned int sense_valid_len;

	/* ---- set by the core ---- */
	struct scst_tgt *tgt;
	struct scst_tgt_dev *tgt_dev;
	struct scst_device *dev;
	void *dh_priv;

	/* ---- private to the core ---- */
	int state;
	unsigned long cmd_flags;	/* SCST_CMD_FLAG_* bits */
	u64 sn;
	unsigned sn_set:1;
	unsigned ordered_counted:1;
	unsigned simple_counted:1;
	unsigned inc_expected_sn_on_done:1;
	unsigned data_buf_alloced:1;
	unsigned atomic:1;		/* being processed in atomic context */
	struct list_head cmd_list_entry;	/* in a thread or deferred list */
	struct list_head sess_cmd_list_entry;
	struct scst_cmd_threads *cmd_threads;
	struct scst_mgmt_cmd *mgmt_cmnd;	/* TM waiting for this cmd */
	atomic_t cmd_ref;
	unsigned long start_time;
	u8 *ext_cdb;
	unsigned int alloc_sg_order;
	/* dataplane */
	struct list_head dp_sn_list_entry;	/* in tgt_dev->dp_sn_list */
	struct list_head dp_tm_list_entry;	/* TM thread work list */
	void *dp_sgv;				/* sg cache object of sg */
	void *dp_out_sgv;			/* ... of out_sg */
	u32 dp_cdb_data_len;			/* transfer length per CDB */
	u32 dp_full_resp_len;			/* resp_data_len, unclamped */
	int dp_cpu;				/* CPU the command arrived on */
	u8 dp_parked;				/* enum scst_park */
	u64 dp_lat_start_ns;			/* 0: latency not measured */
};

/* cmd_flags bits */
#define SCST_CMD_ABORTED		0	/* aborted by a TM function */
#define SCST_CMD_ABORTED_OTHER		1	/* aborted on another I_T nexus */
#define SCST_CMD_NO_RESP		2	/* send no response */
#define SCST_CMD_DONE			3	/* exec done */
#define SCST_CMD_XMITTING		4	/* xmit_response called */

/*
 * Task management command.
 */
struct scst_mgmt_cmd {
	struct scst_session *sess;
	int fn;				/* SCST_ABORT_TASK ... */
	u64 lun;
	unsigned lun_set:1;
	u64 tag;			/* ABORT TASK: tag of the task */
	void *tgt_priv;
	int status;			/* SCST_MGMT_STATUS_* */

	/* ---- private to the core ---- */
	int state;
	struct list_head mgmt_cmd_list_entry;
	atomic_t cmd_wait_count;	/* affected cmds not yet finished */
	struct completion *done_cmpl;
	struct scst_tgt_dev *tgt_dev;	/* for LUN-scoped functions */
	struct scst_cmd *cmd_to_abort;
	unsigned long start_time;	/* jiffies at arrival, trace_mcmds */
};

static inline int scst_mgmt_cmd_get_status(struct scst_mgmt_cmd *mcmd)
{
	return mcmd->status;
}

static inline void *scst_mgmt_cmd_get_tgt_priv(struct scst_mgmt_cmd *mcmd)
{
	return mcmd->tgt_priv;
}

static inline int scst_mgmt_cmd_get_fn(struct scst_mgmt_cmd *mcmd)
{
	return mcmd->fn;
}

/*
 * Registration
 */
int __scst_register_target_template(struct scst_tgt_template *tgtt,
				    struct module *owner);
#define scst_register_target_template(t) \
	__scst_register_target_template((t), THIS_MODULE)
void scst_unregister_target_template(struct scst_tgt_template *tgtt);

struct scst_tgt *scst_register_target(struct scst_tgt_template *tgtt,
				      const char *target_name);
void scst_unregister_target(struct scst_tgt *tgt);

/*
 * Create an I_T nexus.  Process context only.  The session's LUNs are
 * those of the first initiator group of tgt whose patterns match
 * initiator_name, else the target's default LUNs.  Returns ERR_PTR().
 */
struct scst_session *scst_register_session(struct scst_tgt *tgt,
					   const char *initiator_name,
					   void *tgt_priv);
/*
 * True if a session of initiator_name on tgt would see at least one LUN
 * (a matching initiator group with LUNs, or default LUNs).  Process
 * context; takes the core's management mutex.
 */
bool scst_initiator_has_luns(struct scst_tgt *tgt, const char *initiator_name);
/*
 * Tear down an I_T nexus: aborts every command of the session (I_T NEXUS
 * LOSS), waits until none can execute any more and until the driver has
 * released all of them with scst_tgt_cmd_done(), then frees the session.
 * Process context only; must not be called from a callback of this
 * session's commands.
 */
void scst_unregister_session(struct scst_session *sess);

/* trace_level bits; "value <hex>" takes the same numbers */
#define SCST_TRACE_OUT_OF_MEM		0x00000001UL
#define SCST_TRACE_MINOR		0x00000002UL
#define SCST_TRACE_SG			0x00000004UL
#define SCST_TRACE_MEM			0x00000008UL
#define SCST_TRACE_BUFF			0x00000010UL
#define SCST_TRACE_ENTRYEXIT		0x00000020UL
#define SCST_TRACE_PID			0x00000040UL
#define SCST_TRACE_LINE			0x00000080UL
#define SCST_TRACE_FUNCTION		0x00000100UL
#define SCST_TRACE_DEBUG		0x00000200UL
#define SCST_TRACE_SPECIAL		0x00000400UL
#define SCST_TRACE_SCSI			0x00000800UL
#define SCST_TRACE_MGMT			0x00001000UL
#define SCST_TRACE_MGMT_DBG		0x00002000UL
#define SCST_TRACE_FLOW_CONTROL		0x00004000UL
#define SCST_TRACE_PRES			0x00008000UL
#define SCST_TRACE_RETRY		0x00010000UL
#define SCST_TRACE_SCSI_SERIALIZING	0x00020000UL
#define SCST_TRACE_DEBUG_TM		0x00040000UL
#define SCST_TRACE_ALL			0x0007ffffUL
/* no per-command or per-TMF output by default: dmesg stays quiet */
#define SCST_TRACE_DEFAULT	(SCST_TRACE_OUT_OF_MEM | SCST_TRACE_MINOR | \
				 SCST_TRACE_PID | SCST_TRACE_LINE | \
				 SCST_TRACE_FUNCTION | SCST_TRACE_SPECIAL)


/*
 * Optional kernel log output.  The root trace_level mask controls the core;
 * every device handler and target driver template has a mask of its own
 * (handlers/<h>/trace_level, targets/<drv>/trace_level, same grammar).
 * Handlers and drivers pass their template so that an administrator can
 * debug one of them without flooding the log with the others' output; code
 * without a template in reach passes NULL and follows the root mask.
 */
extern unsigned long scst_trace_mask;

static inline bool scst_trace_on(const unsigned long *own_mask,
				 unsigned long bits)
{
	unsigned long m = READ_ONCE(*(own_mask ? own_mask : &scst_trace_mask));

	return unlikely(m & bits);
}

#define SCST_DEVT_TRACE(devt, bits, fmt, args...)			\
	do {								\
		const struct scst_dev_type *__t = (devt);		\
									\
		if (scst_trace_on(__t ? &__t->trace_mask : NULL, bits))	\
			pr_info(fmt "\n", ##args);			\
	} while (0)

#define SCST_TGTT_TRACE(tgtt, bits, fmt, args...)			\
	do {								\
		const struct scst_tgt_template *__t = (tgtt);		\
									\
		if (scst_trace_on(__t ? &__t->trace_mask : NULL, bits))	\
			pr_info(fmt "\n", ##args);			\
	} while (0)

int __scst_register_virtual_dev_driver(struct scst_dev_type *devt,
				       struct module *owner);
#define scst_register_virtual_dev_driver(d) \
	__scst_register_virtual_dev_driver((d), THIS_MODULE)
void scst_unregister_virtual_dev_driver(struct scst_dev_type *devt);

/*
 * Register a virtual device.  Calls devt->attach().  Returns a negative
 * errno or 0.  dev_priv is stored in dev->dh_priv before attach().
 */
int scst_register_virtual_device(struct scst_dev_type *devt,
				 const char *dev_name, void *dev_priv,
				 struct scst_device **out_dev);
/* Fails with -EBUSY while the device is exported (has LUNs) */
int scst_unregister_virtual_device(struct scst_device *dev);

/*
 * Attribute writes that may block for long (wait for commands, flush,
 * open or close a backing store, resize) must not run in the writer's
 * context: a handler's store() validates the value, then hands the change
 * to scst_dev_sysfs_work(), which runs fn(dev, arg) in the sysfs work
 * thread, serialised with the management commands, so the device cannot
 * be deleted meanwhile.  The writer waits for the result up to the sysfs
 * wait limit (15 s); later, the write fails with -EAGAIN and the result
 * appears in last_sysfs_mgmt_res.  The device stays valid while fn runs,
 * even if the writer gave up; queued work of a handler that unregisters
 * is cancelled.  Returns count or a negative errno (fn's error included).
 * Quick, purely in-memory changes stay synchronous.
 */
typedef int (*scst_dev_work_fn)(struct scst_device *dev, u64 arg);
ssize_t scst_dev_sysfs_work(struct scst_device *dev, scst_dev_work_fn fn,
			    u64 arg, size_t count);

/*
 * Commands: target driver side
 */

/* Allocate a command for sess; atomic says whether the caller may sleep.
 * Returns NULL on memory shortage; the driver then answers BUSY/TASK SET
 * FULL itself.
 */
struct scst_cmd *scst_rx_cmd(struct scst_session *sess,
			     const u8 *lun, unsigned int lun_len,
			     const u8 *cdb, unsigned int cdb_len, bool atomic);

static inline void scst_cmd_set_tag(struct scst_cmd *cmd, u64 tag)
{
	cmd->tag = tag;
}

static inline void scst_cmd_set_queue_type(struct scst_cmd *cmd,
					   enum scst_cmd_queue_type qt)
{
	cmd->queue_type = qt;
}

static inline void scst_cmd_set_expected(struct scst_cmd *cmd,
					 enum scst_data_direction dir,
					 u32 transfer_len)
{
	cmd->expected_data_direction = dir;
	cmd->expected_transfer_len = transfer_len;
	cmd->expected_values_set = 1;
}

static inline void scst_cmd_set_expected_out_transfer_len(struct scst_cmd *c,
							  u32 len)
{
	c->expected_out_transfer_len = len;
}

static inline void *scst_cmd_get_tgt_priv(struct scst_cmd *cmd)
{
	return cmd->tgt_priv;
}

static inline void scst_cmd_set_tgt_priv(struct scst_cmd *cmd, void *priv)
{
	cmd->tgt_priv = priv;
}

/* Attach an extended CDB (> SCST_MAX_CDB_SIZE bytes); copied. */
int scst_cmd_set_ext_cdb(struct scst_cmd *cmd, const u8 *cdb,
			 unsigned int len, gfp_t gfp);

/*
 * Hand the command to the core.  Commands of one session must be passed
 * in the order the initiator sent them: that order defines SAM ordering.
 */
void scst_cmd_init_done(struct scst_cmd *cmd, enum scst_exec_context ctx);

/* WRITE data transfer finished (after rdy_to_xfer()) */
void scst_rx_data(struct scst_cmd *cmd, int status,
		  enum scst_exec_context ctx);

/* Response sent (after xmit_response()); the command is freed. */
void scst_tgt_cmd_done(struct scst_cmd *cmd, enum scst_exec_context ctx);

/* True if the command was aborted and xmit_response() must send nothing */
static inline bool scst_cmd_aborted_on_xmit(struct scst_cmd *cmd)
{
	return test_bit(SCST_CMD_NO_RESP, &cmd->cmd_flags);
}

static inline bool scst_cmd_aborted(struct scst_cmd *cmd)
{
	return test_bit(SCST_CMD_ABORTED, &cmd->cmd_flags);
}

/*
 * Residual relative to the transport's expected transfer length:
 * positive = underflow (less data than expected), negative = overflow.
 * Returns false when there is no residual.
 */
bool scst_get_resid(struct scst_cmd *cmd, int *resid, int *bidi_out_resid);

/*
 * Task management: target driver side.  lun is in SAM-5 wire format for
 * LUN-scoped functions (NULL otherwise); tag is used by ABORT TASK.
 * Returns 0 if accepted (task_mgmt_fn_done() will be called), or a
 * negative errno.
 */
int scst_rx_mgmt_fn(struct scst_session *sess, int fn, const u8 *lun,
		    unsigned int lun_len, u64 tag, bool atomic, void *tgt_priv);

/*
 * Commands: device handler side
 */

/* Completion of exec(): status/sense/resp_data_len already set */
void scst_cmd_done(struct scst_cmd *cmd, enum scst_exec_context ctx);

void scst_set_cmd_error_status(struct scst_cmd *cmd, u8 status);
/* CHECK CONDITION with sense in the format the device's D_SENSE selects */
void scst_set_cmd_error(struct scst_cmd *cmd, u8 key, u8 asc, u8 ascq);
/* ILLEGAL REQUEST, INVALID FIELD IN CDB/PARAMETER LIST with SKS pointer */
void scst_set_invalid_field_in_cdb(struct scst_cmd *cmd, u16 field, int bit);
void scst_set_invalid_field_in_parm_list(struct scst_cmd *cmd, u16 field,
					 int bit);
/* Set the sense INFORMATION field (e.g. failing LBA) of the current sense */
void scst_set_cmd_sense_info(struct scst_cmd *cmd, u64 info);
void scst_set_busy(struct scst_cmd *cmd);

static inline void scst_set_resp_data_len(struct scst_cmd *cmd, u32 len)
{
	cmd->resp_data_len = len;
}

/* Copy between the command's data buffer and a linear buffer */
size_t scst_copy_to_cmd(struct scst_cmd *cmd, const void *buf, size_t len);
size_t scst_copy_from_cmd(struct scst_cmd *cmd, void *buf, size_t len);

/*
 * Unit attentions: queue key/asc/ascq on every I_T_L nexus of dev (all
 * sessions), except optionally one session.
 */
void scst_dev_queue_ua(struct scst_device *dev, struct scst_session *except,
		       u8 key, u8 asc, u8 ascq);
/* Capacity changed: handler updated dev->nr_blocks; queue the UA */
void scst_capacity_data_changed(struct scst_device *dev);

/*
 * ALUA: for INQUIRY.  Returns the standard INQUIRY TPGS bits (byte 5) of
 * cmd's device (0 if it is in no device group) and sets *tpg_id to the
 * group_id of the target port group cmd came through (0: none).
 */
u8 scst_alua_get_port_info(struct scst_cmd *cmd, u16 *tpg_id);

/*
 * Medium removal prevention (SPC-4 PREVENT ALLOW MEDIUM REMOVAL): kept per
 * I_T_L nexus; the core clears it on nexus loss and logical unit reset.
 */
void scst_tgt_dev_set_prevent(struct scst_tgt_dev *tgt_dev, bool prevent);
bool scst_dev_removal_prevented(struct scst_device *dev);

/*
 * sysfs helpers for drivers and handlers
 */
struct kobject *scst_get_main_kobj(void);
int scst_wait_info_completion(void);
int scst_get_word(const char *buf, size_t count, char *out, size_t outlen);

/*
 * Internal helpers shared with handlers
 */
u64 scst_get_setup_id(void);
const char *scst_get_version(void);

#endif /* __SCST_H */
