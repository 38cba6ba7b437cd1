/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scst_priv.h - declarations internal to scst.ko.
 *
 * The core is split in two planes that meet only through this header:
 *
 *  - the management plane (scst_main.c, scst_config.c, scst_sysfs.c):
 *    registration of templates, targets, handlers and devices, initiator
 *    groups, LUN mappings, sessions, and the sysfs tree.  It runs in
 *    process context and serialises itself with scst_mutex.
 *
 *  - the data plane (scst_targ.c, scst_tm.c, scst_ua.c, scst_local_cmd.c,
 *    scst_mem.c): the command state machine, processing threads, SAM task
 *    ordering, task management, unit attentions and the commands the
 *    core executes itself.  It never takes scst_mutex: it finds LUNs in
 *    sess->tgt_devs under RCU and pins them with tgt_dev_cmd_count.
 *
 * Locking order: scst_mutex -> tgt_dev->tgt_dev_lock / dev->dev_lock /
 * sess->sess_list_lock.  Lists the data plane must walk without scst_mutex
 * (task management, UA broadcast) are modified under scst_mutex AND a
 * spinlock, so readers may hold either:
 *   dev->dev_tgt_dev_list        scst_mutex + dev->dev_lock
 *   sess->sess_tgt_dev_list      scst_mutex + sess->sess_list_lock
 *   sess->tgt_devs (xarray)      scst_mutex for writers, RCU for readers
 * The data plane never waits for scst_mutex, and the management plane
 * never calls a data plane function that waits (abort_all_and_wait,
 * drain_and_exit, suspend) while holding scst_mutex.  Callbacks into target drivers and device handlers
 * (add_target, add_device, ...) are made without scst_mutex held, so they
 * may call back into the registration API, which takes it itself.
 *
 * Object teardown rule (to avoid sysfs/kernfs drain deadlocks): unlink the
 * object under scst_mutex, drop scst_mutex, then remove its sysfs
 * directory (which waits for running show/store callbacks), then free.
 */
#ifndef __SCST_PRIV_H
#define __SCST_PRIV_H

#include <linux/printk.h>
#include <linux/timekeeping.h>
#include "scst.h"

#define PRINT_ERROR(fmt, args...)  pr_err("scst: " fmt "\n", ##args)
#define PRINT_WARNING(fmt, args...) pr_warn("scst: " fmt "\n", ##args)
#define PRINT_INFO(fmt, args...)   pr_info("scst: " fmt "\n", ##args)
#define TRACE_DBG(fmt, args...)    pr_debug("scst: " fmt "\n", ##args)

/* ---------------------------------------------------------------------
 * Global state (scst_main.c)
 */
extern struct mutex scst_mutex;		/* management plane */
extern struct list_head scst_template_list;
extern struct list_head scst_dev_type_list;
extern struct list_head scst_dev_list;
extern u64 scst_setup_id;
extern int scst_threads;		/* size of the global thread pool */

/* ---------------------------------------------------------------------
 * Access control: initiator groups, LUN mappings (scst_config.c)
 */

/* A LUN set: the target's default one or a named initiator group */
struct scst_acg {
	struct scst_tgt *tgt;
	char *acg_name;			/* NULL/tgt name for the default acg */
	bool is_default;
	struct list_head acg_list_entry;	/* in tgt->acg_list */
	struct list_head acg_dev_list;		/* struct scst_acg_dev, by LUN */
	struct list_head acn_list;		/* struct scst_acn */
	struct list_head acg_sess_list;		/* sessions using this acg */
	int addr_method;

	struct kobject acg_kobj;		/* ini_groups/<name> */
	struct kobject *luns_kobj;
	struct kobject *initiators_kobj;
	struct completion *acg_kobj_release_cmpl;
	/* mgmt */
	struct scst_io_opts io_opts;
};

/* One LUN of an acg */
struct scst_acg_dev {
	struct scst_acg *acg;
	struct scst_device *dev;
	u64 lun;
	bool rd_only;
	struct list_head acg_dev_list_entry;	/* in acg->acg_dev_list */
	struct list_head dev_acg_dev_list_entry; /* in dev->dev_acg_dev_list */

	struct kobject acg_dev_kobj;		/* luns/<lun> */
	struct completion *acg_dev_kobj_release_cmpl;
	char exp_link_name[32];			/* devices/<d>/exported/exportN */
};

/* One initiator name or pattern of a named acg */
struct scst_acn {
	struct scst_acg *acg;
	char *name;
	struct list_head acn_list_entry;
	struct kobj_attribute *acn_attr;	/* initiators/<name> file */
};

/* Lookups; caller holds scst_mutex */
struct scst_tgt_template *scst_find_tgtt(const char *name);
struct scst_tgt *scst_find_tgt(struct scst_tgt_template *tgtt,
			       const char *name);
struct scst_dev_type *scst_find_devt(const char *name);
struct scst_device *scst_find_dev(const char *name);
struct scst_acg *scst_find_acg(struct scst_tgt *tgt, const char *name);
struct scst_acg_dev *scst_find_acg_dev(struct scst_acg *acg, u64 lun);

/*
 * Mutators used by the sysfs mgmt parsers.  Each takes scst_mutex itself,
 * validates completely before changing anything, logs a PRINT_ERROR line
 * naming what is wrong on failure and returns a negative errno.
 */
struct scst_acg *scst_acg_create(struct scst_tgt *tgt, const char *name);
int scst_acg_destroy(struct scst_acg *acg);	/* -EBUSY if sessions use it */
int scst_acg_add_lun(struct scst_acg *acg, struct scst_device *dev, u64 lun,
		     bool read_only, bool replace, bool gen_ua);
int scst_acg_del_lun(struct scst_acg *acg, u64 lun, bool gen_ua);
int scst_acg_clear_luns(struct scst_acg *acg);
int scst_acg_add_acn(struct scst_acg *acg, const char *name);
int scst_acg_del_acn(struct scst_acg *acg, const char *name);
int scst_acg_move_acn(struct scst_acg *from, struct scst_acg *to,
		      const char *name);
int scst_acg_clear_acns(struct scst_acg *acg);
/* Re-evaluate which acg each session of tgt belongs to (scst_mutex held) */
void scst_check_reassign_sessions(struct scst_tgt *tgt);
int scst_tgt_set_rel_tgt_id(struct scst_tgt *tgt, unsigned long id);

/* mgmt-internal helpers shared by scst_main.c / scst_config.c / sysfs */
static inline void scst_io_opts_init(struct scst_io_opts *o)
{
	o->io_grouping_type = SCST_IO_GROUPING_AUTO;
	o->black_hole = 0;
	cpumask_copy(&o->cpu_mask, cpu_possible_mask);
}
extern wait_queue_head_t scst_mgmt_waitq;	/* tgt_dev/tgt teardown */
int scst_tgt_init_default_acg(struct scst_tgt *tgt);
/* Remove every LUN and group of an unlinked target; no scst_mutex */
void scst_tgt_cleanup_acgs(struct scst_tgt *tgt);
struct scst_acg *scst_select_acg(struct scst_tgt *tgt, const char *ini);
/* Give sess the LUNs of acg (scst_mutex held, sess not yet in an acg) */
int scst_sess_join_acg(struct scst_session *sess, struct scst_acg *acg);
/* Take sess out of its acg; its tgt_devs go to the reaper (scst_mutex) */
void scst_sess_leave_acg(struct scst_session *sess);
/* Destroy tgt_devs queued for teardown; call without scst_mutex */
void scst_reap_tgt_devs(void);
void scst_sess_put(struct scst_session *sess);
void scst_sess_sysfs_luns_link_update(struct scst_session *sess);
u16 scst_alloc_rel_tgt_id(void);
/* Point luns/<N> at new_dev (device and exported/ links), scst_mutex held */
int scst_acg_dev_sysfs_replace(struct scst_acg_dev *acg_dev,
			       struct scst_device *new_dev);

/* ---------------------------------------------------------------------
 * I/O groups: thread sets of per_initiator devices (scst_iogrp.c)
 */
#define SCST_THREADS_POOL_PER_INITIATOR	0	/* device threads_pool_type */
#define SCST_THREADS_POOL_SHARED	1

struct scst_io_group;
/* The io_grouping_type and cpu_mask in force for the nexuses of acg */
const struct scst_io_opts *scst_acg_io_opts(const struct scst_acg *acg);
/*
 * Give a new nexus of initiator group acg its threads (scst_mutex held,
 * nexus not yet visible)
 */
int scst_io_group_attach(struct scst_tgt_dev *tgt_dev, struct scst_acg *acg);
/*
 * Drop a drained nexus from its group (scst_mutex held); returns the group
 * to pass to scst_io_group_free() without scst_mutex when it was the last.
 */
struct scst_io_group *scst_io_group_detach(struct scst_tgt_dev *tgt_dev);
void scst_io_group_free(struct scst_io_group *grp);
int scst_io_group_index(const struct scst_io_group *grp);
/* Rebind the group threads of acg's nexuses to its cpu_mask (scst_mutex) */
void scst_acg_apply_cpu_mask(struct scst_acg *acg);
/*
 * New threads_num / threads_pool_type for dev and its live nexuses; waits
 * for the commands on the old threads (sysfs work, without scst_mutex)
 */
int scst_dev_set_threads(struct scst_device *dev, int num, int type);

/* ---------------------------------------------------------------------
 * Data plane services used by the management plane (scst_targ.c etc.)
 */
int scst_dataplane_init(void);		/* threads, caches */
void scst_dataplane_exit(void);
int scst_set_global_threads(int nr);

int scst_sess_dataplane_init(struct scst_session *sess);
/* I_T NEXUS LOSS for the whole session; returns when no command of sess
 * can execute any more and all were released by the target driver.
 */
void scst_sess_abort_all_and_wait(struct scst_session *sess);
void scst_sess_dataplane_exit(struct scst_session *sess);

int scst_dev_dataplane_init(struct scst_device *dev);
void scst_dev_dataplane_exit(struct scst_device *dev);

void scst_tgt_dev_dataplane_init(struct scst_tgt_dev *tgt_dev);
/* After the tgt_dev was erased from sess->tgt_devs and an RCU grace period
 * passed: wait until its in-flight commands are gone, drop its UAs and any
 * SPC-2 reservation it holds.
 */
void scst_tgt_dev_drain_and_exit(struct scst_tgt_dev *tgt_dev);

/* Unit attentions (scst_ua.c) */
void scst_tgt_dev_queue_ua(struct scst_tgt_dev *tgt_dev, u8 key, u8 asc,
			   u8 ascq);
void scst_sess_queue_ua(struct scst_session *sess, u8 key, u8 asc, u8 ascq);

/* Global activity suspension (root "suspend" attribute) */
int scst_suspend_activity(unsigned long timeout_jiffies);
void scst_resume_activity(void);
int scst_get_suspend_count(void);

/* Device "block" attribute */
int scst_block_dev(struct scst_device *dev, bool wait);
void scst_unblock_dev(struct scst_device *dev);

/* ---------------------------------------------------------------------
 * I/O counters and latency statistics (scst_stats.c)
 */
#define SCST_LAT_NR_SIZES	11	/* 512, 1024, ... 524288 bytes */

struct scst_lat_slot {
	u64 count;
	u64 sum_ns;
	u64 min_ns;
	u64 max_ns;
};

/* Indexed by enum scst_data_direction (NONE, WRITE, READ, BIDI) */
struct scst_io_stats {
	u64 cmd_count[4];
	u64 io_bytes[4];
	u64 unaligned[4];
	u64 unknown;
	struct scst_lat_slot lat[4][SCST_LAT_NR_SIZES];
};

extern int scst_measure_latency;
extern const struct attribute_group scst_sess_stats_group;
extern const struct attribute_group scst_sess_lat_group;
extern const struct attribute_group scst_tgt_stats_group;
extern struct kobj_attribute scst_trace_cmds_attr;
extern struct kobj_attribute scst_trace_mcmds_attr;
extern struct kobj_attribute scst_trace_level_attr;
extern struct kobj_attribute scst_tgtt_trace_level_attr;
extern struct kobj_attribute scst_devt_trace_level_attr;

static inline bool scst_tracing(unsigned long bits)
{
	return scst_trace_on(NULL, bits);
}

/* Output enabled by trace_level; costs one load when the bit is clear */
#define SCST_TRACE(bits, fmt, args...)				\
	do {							\
		if (scst_tracing(bits))				\
			pr_info("scst: " fmt "\n", ##args);	\
	} while (0)

int scst_tm_trace_mcmds(char *buf, int n, int *left);

/* Unregistering handler: fail its queued sysfs work, wait for the running */
void scst_sysfs_cancel_devt_work(struct scst_dev_type *devt);

/* sessions/<sess>/lun<N>/ of a published tgt_dev; scst_mutex held */
void scst_tgt_dev_sysfs_add(struct scst_tgt_dev *tgt_dev);
void scst_tgt_dev_sysfs_del(struct scst_tgt_dev *tgt_dev);
/* The threads serving a nexus (scst_targ.c) */
int scst_tgt_dev_thread_pids(struct scst_tgt_dev *tgt_dev, char *buf);
int scst_tgt_dev_thread_index(struct scst_tgt_dev *tgt_dev);

void scst_stats_init(void);
int scst_sess_stats_alloc(struct scst_session *sess);
void scst_sess_stats_free(struct scst_session *sess);
/* Add a closed session's numbers to its target's (scst_mutex held) */
void scst_sess_stats_retire(struct scst_session *sess);
int scst_tgt_stats_alloc(struct scst_tgt *tgt);
void scst_tgt_stats_free(struct scst_tgt *tgt);
void scst_stats_set_measure_latency(int v);
void scst_set_poll_us(int v);
/* Processing threads: busy-wait up to poll_us for list to fill */
bool scst_poll_for_work(struct list_head *list);
/* I/O path, any context: count a command once, when its response is built */
void scst_stats_count_cmd(struct scst_cmd *cmd);
/* I/O path, any context: record the latency of a command being freed */
void scst_stats_cmd_lat(struct scst_cmd *cmd);

/* sgv/ statistics and force_global_sgv_pool (scst_mem.c) */
int scst_mem_sysfs_add(struct kobject *sgv_kobj);
void scst_mem_sysfs_del(void);
void scst_mem_set_force_global(int v);

static inline u64 scst_lat_start(void)
{
	return READ_ONCE(scst_measure_latency) ? ktime_get_ns() : 0;
}

/* ---------------------------------------------------------------------
 * sysfs (scst_sysfs.c).  *_sysfs_add() are called after the object is
 * linked, with scst_mutex held; *_sysfs_del() without scst_mutex, and
 * return only when the kobject is released.
 */
int scst_sysfs_init(void);
void scst_sysfs_cleanup(void);
int scst_tgtt_sysfs_add(struct scst_tgt_template *tgtt);
void scst_tgtt_sysfs_del(struct scst_tgt_template *tgtt);
int scst_tgt_sysfs_add(struct scst_tgt *tgt);
void scst_tgt_sysfs_del(struct scst_tgt *tgt);
int scst_devt_sysfs_add(struct scst_dev_type *devt);
void scst_devt_sysfs_del(struct scst_dev_type *devt);
int scst_dev_sysfs_add(struct scst_device *dev);
void scst_dev_sysfs_del(struct scst_device *dev);
int scst_sess_sysfs_add(struct scst_session *sess);
void scst_sess_sysfs_del(struct scst_session *sess);
int scst_acg_sysfs_add(struct scst_acg *acg);
void scst_acg_sysfs_del(struct scst_acg *acg);
int scst_acg_dev_sysfs_add(struct scst_acg_dev *acg_dev);
void scst_acg_dev_sysfs_del(struct scst_acg_dev *acg_dev);
int scst_acn_sysfs_add(struct scst_acn *acn);
void scst_acn_sysfs_del(struct scst_acn *acn);
/* ALUA device groups (scst_alua.c) */
int scst_alua_sysfs_init(struct kobject *dg_kobj);
void scst_alua_sysfs_cleanup(void);
/* A device or target being unregistered leaves its groups (scst_mutex) */
void scst_alua_dev_gone(struct scst_device *dev);
void scst_alua_tgt_gone(struct scst_tgt *tgt);
void scst_alua_init_tgt_dev(struct scst_tgt_dev *tgt_dev);
/* Data plane: NOT READY for a port group state; true if cmd failed */
bool scst_alua_check_cmd(struct scst_cmd *cmd);
/* REPORT / SET TARGET PORT GROUPS of a device in a device group */
bool scst_alua_local_cmd(struct scst_cmd *cmd);
bool scst_alua_rtpg_supported(const struct scst_device *dev);
bool scst_alua_stpg_supported(const struct scst_device *dev);
void scst_alua_rtpg(struct scst_cmd *cmd);
void scst_alua_stpg(struct scst_cmd *cmd);
/* devices/<dev>/expl_alua */
int scst_alua_set_explicit(struct scst_device *dev, bool on);

/*
 * Exception to the rule above: luns/<N> and initiators/<name> only have
 * lock-free show() callbacks, so scst_acg_dev_sysfs_del() and
 * scst_acn_sysfs_del() may (and do) run with scst_mutex held.
 */

#endif /* __SCST_PRIV_H */
