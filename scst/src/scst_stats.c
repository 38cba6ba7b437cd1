// SPDX-License-Identifier: GPL-2.0
/*
 * Per-session I/O counters and latency statistics.
 *
 * Every session owns a per-CPU struct scst_io_stats.  The I/O path updates
 * the copy of the CPU it runs on with local interrupts disabled (commands
 * complete in interrupt context too), so it takes no lock and writes no
 * shared cache line.  Readers add up the copies of all CPUs.  A reset
 * clears a field on each online CPU from that CPU itself (on_each_cpu()),
 * which makes it atomic with respect to the updates.
 *
 * A target's counters are the sum over its sessions plus what its closed
 * sessions left behind in tgt->dp_stats_done; both are read and reset
 * under scst_mutex, which the I/O path never takes.
 */
#include <linux/cpu.h>
#include <linux/kobject.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "scst_priv.h"
#include "scst_stats_pure.h"

int scst_measure_latency;

int scst_sess_stats_alloc(struct scst_session *sess)
{
	sess->dp_stats = alloc_percpu(struct scst_io_stats);
	return sess->dp_stats ? 0 : -ENOMEM;
}

void scst_sess_stats_free(struct scst_session *sess)
{
	free_percpu(sess->dp_stats);
	sess->dp_stats = NULL;
}

int scst_tgt_stats_alloc(struct scst_tgt *tgt)
{
	tgt->dp_stats_done = kzalloc(sizeof(*tgt->dp_stats_done), GFP_KERNEL);
	return tgt->dp_stats_done ? 0 : -ENOMEM;
}

void scst_tgt_stats_free(struct scst_tgt *tgt)
{
	kfree(tgt->dp_stats_done);
	tgt->dp_stats_done = NULL;
}

static u64 *scst_stats_field(struct scst_io_stats *s, size_t off)
{
	return (u64 *)((char *)s + off);
}

static u64 scst_stats_sum(struct scst_io_stats __percpu *stats, size_t off)
{
	u64 v = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		v += READ_ONCE(*scst_stats_field(per_cpu_ptr(stats, cpu), off));
	return v;
}

/* Counter fields only: the latency slots of a closed session are dropped */
void scst_sess_stats_retire(struct scst_session *sess)
{
	struct scst_io_stats *done = sess->tgt->dp_stats_done;
	size_t off;

	lockdep_assert_held(&scst_mutex);
	if (!done || !sess->dp_stats)
		return;
	for (off = 0; off < offsetof(struct scst_io_stats, lat);
	     off += sizeof(u64))
		*scst_stats_field(done, off) += scst_stats_sum(sess->dp_stats,
							       off);
}

struct scst_stats_reset {
	struct scst_io_stats __percpu *stats;
	size_t off;
	size_t len;
};

static void scst_stats_reset_local(void *arg)
{
	struct scst_stats_reset *r = arg;

	memset((char *)this_cpu_ptr(r->stats) + r->off, 0, r->len);
}

static void scst_stats_reset(struct scst_io_stats __percpu *stats,
			     size_t off, size_t len)
{
	struct scst_stats_reset r = { .stats = stats, .off = off, .len = len };
	int cpu;

	cpus_read_lock();
	on_each_cpu(scst_stats_reset_local, &r, 1);
	for_each_possible_cpu(cpu)
		if (!cpu_online(cpu))
			memset((char *)per_cpu_ptr(stats, cpu) + off, 0, len);
	cpus_read_unlock();
}

/* ---------------------------------------------------------------------
 * I/O path hooks
 */

static u64 scst_stats_bytes(const struct scst_cmd *cmd)
{
	switch (cmd->data_direction) {
	case SCST_DATA_READ:
		return cmd->resp_data_len;
	case SCST_DATA_WRITE:
		return cmd->bufflen;
	case SCST_DATA_BIDI:
		return (u64)cmd->resp_data_len + cmd->out_bufflen;
	default:
		return 0;
	}
}

void scst_stats_count_cmd(struct scst_cmd *cmd)
{
	unsigned int dir = cmd->data_direction & 3;
	unsigned int shift = cmd->dev ? cmd->dev->block_shift : 9;
	struct scst_io_stats *s;
	unsigned long flags;
	bool unaligned;

	unaligned = scst_stats_is_unaligned(cmd->lba, cmd->nr_blocks, shift);
	local_irq_save(flags);
	s = this_cpu_ptr(cmd->sess->dp_stats);
	/* an opcode the core could not decode has no direction */
	if (!cmd->cdb_info) {
		s->unknown++;
	} else {
		s->cmd_count[dir]++;
		s->io_bytes[dir] += scst_stats_bytes(cmd);
		s->unaligned[dir] += unaligned;
	}
	local_irq_restore(flags);
}

void scst_stats_cmd_lat(struct scst_cmd *cmd)
{
	unsigned int dir = cmd->data_direction & 3;
	struct scst_lat_slot *slot;
	unsigned long flags;
	u64 ns, len;

	if (!cmd->dp_lat_start_ns)
		return;
	ns = ktime_get_ns() - cmd->dp_lat_start_ns;
	len = cmd->bufflen;
	if (cmd->data_direction == SCST_DATA_BIDI)
		len = max(len, (u64)cmd->out_bufflen);
	local_irq_save(flags);
	slot = &this_cpu_ptr(cmd->sess->dp_stats)->lat[dir]
						[scst_lat_size_idx(len)];
	if (!slot->count || ns < slot->min_ns)
		slot->min_ns = ns;
	if (ns > slot->max_ns)
		slot->max_ns = ns;
	slot->count++;
	slot->sum_ns += ns;
	local_irq_restore(flags);
}

/* ---------------------------------------------------------------------
 * measure_latency: switching it on starts every session from zero
 */

static void scst_sess_lat_reset_all(struct scst_session *sess)
{
	scst_stats_reset(sess->dp_stats, offsetof(struct scst_io_stats, lat),
			 sizeof_field(struct scst_io_stats, lat));
}

void scst_stats_set_measure_latency(int v)
{
	struct scst_tgt_template *tgtt;
	struct scst_session *sess;
	struct scst_tgt *tgt;

	mutex_lock(&scst_mutex);
	if (v && !READ_ONCE(scst_measure_latency))
		list_for_each_entry(tgtt, &scst_template_list, tgtt_list_entry)
			list_for_each_entry(tgt, &tgtt->tgt_list,
					    tgt_list_entry)
				list_for_each_entry(sess, &tgt->sess_list,
						    sess_list_entry)
					scst_sess_lat_reset_all(sess);
	WRITE_ONCE(scst_measure_latency, v);
	mutex_unlock(&scst_mutex);
}

/* ---------------------------------------------------------------------
 * sysfs: {read,write,bidi}_{cmd_count,io_count_kb,unaligned_cmd_count},
 * none_cmd_count and unknown_cmd_count of sessions and targets.  Reading
 * shows the value; writing 0 resets that counter.
 */

struct scst_cnt_attr {
	struct kobj_attribute kattr;
	size_t off;
	bool kb;
};

#define SCST_CNT_OFF(f)	offsetof(struct scst_io_stats, f)

static struct scst_session *scst_stats_sess(struct kobject *kobj)
{
	return container_of(kobj, struct scst_session, sess_kobj);
}

static struct scst_tgt *scst_stats_tgt(struct kobject *kobj)
{
	return container_of(kobj, struct scst_tgt, tgt_kobj);
}

static int scst_stats_parse_reset(struct kobj_attribute *attr,
				  const char *buf)
{
	int v;

	if (kstrtoint(buf, 0, &v) || v) {
		PRINT_ERROR("%s: only 0 (reset) can be written",
			    attr->attr.name);
		return -EINVAL;
	}
	return 0;
}

static ssize_t scst_cnt_emit(char *buf, const struct scst_cnt_attr *a,
			     u64 v)
{
	return sysfs_emit(buf, "%llu\n", a->kb ? v >> 10 : v);
}

static ssize_t scst_sess_cnt_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct scst_cnt_attr *a = container_of(attr, struct scst_cnt_attr,
					       kattr);

	return scst_cnt_emit(buf, a, scst_stats_sum(scst_stats_sess(kobj)->dp_stats,
						    a->off));
}

static ssize_t scst_sess_cnt_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct scst_cnt_attr *a = container_of(attr, struct scst_cnt_attr,
					       kattr);

	if (scst_stats_parse_reset(attr, buf))
		return -EINVAL;
	scst_stats_reset(scst_stats_sess(kobj)->dp_stats, a->off,
			 sizeof(u64));
	return count;
}

static ssize_t scst_tgt_cnt_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct scst_cnt_attr *a = container_of(attr, struct scst_cnt_attr,
					       kattr);
	struct scst_tgt *tgt = scst_stats_tgt(kobj);
	struct scst_session *sess;
	u64 v;

	mutex_lock(&scst_mutex);
	v = *scst_stats_field(tgt->dp_stats_done, a->off);
	list_for_each_entry(sess, &tgt->sess_list, sess_list_entry)
		v += scst_stats_sum(sess->dp_stats, a->off);
	mutex_unlock(&scst_mutex);
	return scst_cnt_emit(buf, a, v);
}

/* Resetting a target counter resets it in all its sessions too */
static ssize_t scst_tgt_cnt_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	struct scst_cnt_attr *a = container_of(attr, struct scst_cnt_attr,
					       kattr);
	struct scst_tgt *tgt = scst_stats_tgt(kobj);
	struct scst_session *sess;

	if (scst_stats_parse_reset(attr, buf))
		return -EINVAL;
	mutex_lock(&scst_mutex);
	*scst_stats_field(tgt->dp_stats_done, a->off) = 0;
	list_for_each_entry(sess, &tgt->sess_list, sess_list_entry)
		scst_stats_reset(sess->dp_stats, a->off, sizeof(u64));
	mutex_unlock(&scst_mutex);
	return count;
}

/* The counters, in the order of the files of a directory listing */
static const struct {
	const char *name;
	size_t off;
	bool kb;
} scst_cnt_defs[] = {
	{ "read_cmd_count", SCST_CNT_OFF(cmd_count[SCST_DATA_READ]) },
	{ "read_io_count_kb", SCST_CNT_OFF(io_bytes[SCST_DATA_READ]), true },
	{ "read_unaligned_cmd_count", SCST_CNT_OFF(unaligned[SCST_DATA_READ]) },
	{ "write_cmd_count", SCST_CNT_OFF(cmd_count[SCST_DATA_WRITE]) },
	{ "write_io_count_kb", SCST_CNT_OFF(io_bytes[SCST_DATA_WRITE]), true },
	{ "write_unaligned_cmd_count",
	  SCST_CNT_OFF(unaligned[SCST_DATA_WRITE]) },
	{ "bidi_cmd_count", SCST_CNT_OFF(cmd_count[SCST_DATA_BIDI]) },
	{ "bidi_io_count_kb", SCST_CNT_OFF(io_bytes[SCST_DATA_BIDI]), true },
	{ "bidi_unaligned_cmd_count", SCST_CNT_OFF(unaligned[SCST_DATA_BIDI]) },
	{ "none_cmd_count", SCST_CNT_OFF(cmd_count[SCST_DATA_NONE]) },
	{ "unknown_cmd_count", SCST_CNT_OFF(unknown) },
};

#define SCST_NR_CNT	ARRAY_SIZE(scst_cnt_defs)

static struct scst_cnt_attr scst_sess_cnt_attrs[SCST_NR_CNT];
static struct scst_cnt_attr scst_tgt_cnt_attrs[SCST_NR_CNT];
static struct attribute *scst_sess_stats_attrs[SCST_NR_CNT + 1];
static struct attribute *scst_tgt_stats_attrs[SCST_NR_CNT + 1];

const struct attribute_group scst_sess_stats_group = {
	.attrs = scst_sess_stats_attrs,
};

const struct attribute_group scst_tgt_stats_group = {
	.attrs = scst_tgt_stats_attrs,
};

static void scst_cnt_attr_init(struct scst_cnt_attr *a, unsigned int i,
			       bool tgt)
{
	sysfs_attr_init(&a->kattr.attr);
	a->kattr.attr.name = scst_cnt_defs[i].name;
	a->kattr.attr.mode = 0644;
	a->kattr.show = tgt ? scst_tgt_cnt_show : scst_sess_cnt_show;
	a->kattr.store = tgt ? scst_tgt_cnt_store : scst_sess_cnt_store;
	a->off = scst_cnt_defs[i].off;
	a->kb = scst_cnt_defs[i].kb;
}

/* ---------------------------------------------------------------------
 * sysfs: sessions/<s>/latency/{n,r,w,b}<size>.  Each file shows the
 * commands of that direction and size class completed while
 * measure_latency was 1, as
 *   count <n> min_ns <ns> avg_ns <ns> max_ns <ns> total_ns <ns>
 * measured from the arrival of the command to the moment it is freed
 * (response sent).  Writing 0 resets the file.
 */

struct scst_lat_attr {
	struct kobj_attribute kattr;
	u8 dir;
	u8 idx;
};

static size_t scst_lat_off(const struct scst_lat_attr *a)
{
	return offsetof(struct scst_io_stats, lat) +
	       (a->dir * SCST_LAT_NR_SIZES + a->idx) *
	       sizeof(struct scst_lat_slot);
}

static ssize_t scst_lat_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct scst_lat_attr *a = container_of(attr, struct scst_lat_attr,
					       kattr);
	struct scst_session *sess = scst_stats_sess(kobj);
	struct scst_lat_slot sum = { }, *s;
	int cpu;

	for_each_possible_cpu(cpu) {
		s = &per_cpu_ptr(sess->dp_stats, cpu)->lat[a->dir][a->idx];
		if (!READ_ONCE(s->count))
			continue;
		if (!sum.count || READ_ONCE(s->min_ns) < sum.min_ns)
			sum.min_ns = READ_ONCE(s->min_ns);
		sum.max_ns = max(sum.max_ns, READ_ONCE(s->max_ns));
		sum.count += READ_ONCE(s->count);
		sum.sum_ns += READ_ONCE(s->sum_ns);
	}
	return sysfs_emit(buf,
			  "count %llu min_ns %llu avg_ns %llu max_ns %llu total_ns %llu\n",
			  sum.count, sum.min_ns,
			  sum.count ? div64_u64(sum.sum_ns, sum.count) : 0,
			  sum.max_ns, sum.sum_ns);
}

static ssize_t scst_lat_store(struct kobject *kobj,
			      struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	struct scst_lat_attr *a = container_of(attr, struct scst_lat_attr,
					       kattr);

	if (scst_stats_parse_reset(attr, buf))
		return -EINVAL;
	scst_stats_reset(scst_stats_sess(kobj)->dp_stats, scst_lat_off(a),
			 sizeof(struct scst_lat_slot));
	return count;
}

/* File name prefix per enum scst_data_direction */
static const char scst_lat_dir_names[4] = { 'n', 'w', 'r', 'b' };

#define SCST_NR_LAT	(4 * SCST_LAT_NR_SIZES)

static struct scst_lat_attr scst_lat_attrs[SCST_NR_LAT];
static char scst_lat_names[SCST_NR_LAT][8];
static struct attribute *scst_sess_lat_attrs[SCST_NR_LAT + 1];

const struct attribute_group scst_sess_lat_group = {
	.name = "latency",
	.attrs = scst_sess_lat_attrs,
};

/* Files n512..n524288, r..., w..., b... in that order */
static void scst_lat_attrs_init(void)
{
	static const u8 dirs[4] = { SCST_DATA_NONE, SCST_DATA_READ,
				    SCST_DATA_WRITE, SCST_DATA_BIDI };
	unsigned int d, i, n = 0;

	for (d = 0; d < 4; d++) {
		for (i = 0; i < SCST_LAT_NR_SIZES; i++, n++) {
			struct scst_lat_attr *a = &scst_lat_attrs[n];

			snprintf(scst_lat_names[n], sizeof(scst_lat_names[n]),
				 "%c%u", scst_lat_dir_names[dirs[d]],
				 512U << i);
			sysfs_attr_init(&a->kattr.attr);
			a->kattr.attr.name = scst_lat_names[n];
			a->kattr.attr.mode = 0644;
			a->kattr.show = scst_lat_show;
			a->kattr.store = scst_lat_store;
			a->dir = dirs[d];
			a->idx = i;
			scst_sess_lat_attrs[n] = &a->kattr.attr;
		}
	}
}

/* Build the attribute tables; before any session or target exists */
void scst_stats_init(void)
{
	unsigned int i;

	for (i = 0; i < SCST_NR_CNT; i++) {
		scst_cnt_attr_init(&scst_sess_cnt_attrs[i], i, false);
		scst_cnt_attr_init(&scst_tgt_cnt_attrs[i], i, true);
		scst_sess_stats_attrs[i] = &scst_sess_cnt_attrs[i].kattr.attr;
		scst_tgt_stats_attrs[i] = &scst_tgt_cnt_attrs[i].kattr.attr;
	}
	scst_lat_attrs_init();
}

/* ---------------------------------------------------------------------
 * trace_cmds: the live commands of every session, one line each, as many
 * as fit in a page.  scst_mutex keeps the sessions and each session's
 * sess_list_lock its commands from going away while they are printed.
 */

#define SCST_TRACE_LINE_MAX	200

static int scst_trace_sess_cmds(struct scst_session *sess, char *buf, int n,
				int *left)
{
	struct scst_cmd *cmd;

	spin_lock_irq(&sess->sess_list_lock);
	list_for_each_entry(cmd, &sess->sess_cmd_list, sess_cmd_list_entry) {
		if (n > PAGE_SIZE - SCST_TRACE_LINE_MAX) {
			(*left)++;
			continue;
		}
		n += sysfs_emit_at(buf, n,
				   "%s/%s/%s tag %llu lun %lld op 0x%02x state %d flags 0x%lx age_ms %u\n",
				   sess->tgt->tgtt->name, sess->tgt->tgt_name,
				   sess->sess_name, cmd->tag, (s64)cmd->lun,
				   cmd->cdb_len ? cmd->cdb[0] : 0,
				   READ_ONCE(cmd->state), READ_ONCE(cmd->cmd_flags),
				   jiffies_to_msecs(jiffies - cmd->start_time));
	}
	spin_unlock_irq(&sess->sess_list_lock);
	return n;
}

static ssize_t scst_trace_cmds_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct scst_tgt_template *tgtt;
	struct scst_session *sess;
	struct scst_tgt *tgt;
	int n = 0, left = 0;

	mutex_lock(&scst_mutex);
	list_for_each_entry(tgtt, &scst_template_list, tgtt_list_entry)
		list_for_each_entry(tgt, &tgtt->tgt_list, tgt_list_entry)
			list_for_each_entry(sess, &tgt->sess_list,
					    sess_list_entry)
				n = scst_trace_sess_cmds(sess, buf, n, &left);
	mutex_unlock(&scst_mutex);
	if (left)
		n += sysfs_emit_at(buf, n, "... %d more\n", left);
	return n;
}

struct kobj_attribute scst_trace_cmds_attr =
	__ATTR(trace_cmds, 0444, scst_trace_cmds_show, NULL);

static ssize_t scst_trace_mcmds_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	int left = 0;
	int n = scst_tm_trace_mcmds(buf, 0, &left);

	if (left)
		n += sysfs_emit_at(buf, n, "... %d more\n", left);
	return n;
}

struct kobj_attribute scst_trace_mcmds_attr =
	__ATTR(trace_mcmds, 0444, scst_trace_mcmds_show, NULL);

/* ---------------------------------------------------------------------
 * trace_level: which optional messages reach the kernel log.  The root
 * attribute controls the core; handlers and target drivers keep a mask
 * of their own with the same syntax.
 */
unsigned long scst_trace_mask = SCST_TRACE_DEFAULT;
EXPORT_SYMBOL_GPL(scst_trace_mask);

static const struct {
	const char *name;
	unsigned long bit;
} scst_trace_tokens[] = {
	{ "out_of_mem",		SCST_TRACE_OUT_OF_MEM },
	{ "minor",		SCST_TRACE_MINOR },
	{ "sg",			SCST_TRACE_SG },
	{ "mem",		SCST_TRACE_MEM },
	{ "buff",		SCST_TRACE_BUFF },
	{ "entryexit",		SCST_TRACE_ENTRYEXIT },
	{ "pid",		SCST_TRACE_PID },
	{ "line",		SCST_TRACE_LINE },
	{ "function",		SCST_TRACE_FUNCTION },
	{ "debug",		SCST_TRACE_DEBUG },
	{ "special",		SCST_TRACE_SPECIAL },
	{ "scsi",		SCST_TRACE_SCSI },
	{ "mgmt",		SCST_TRACE_MGMT },
	{ "mgmt_dbg",		SCST_TRACE_MGMT_DBG },
	{ "flow_control",	SCST_TRACE_FLOW_CONTROL },
	{ "pr",			SCST_TRACE_PRES },
	{ "retry",		SCST_TRACE_RETRY },
	{ "scsi_serializing",	SCST_TRACE_SCSI_SERIALIZING },
	{ "debug_tm",		SCST_TRACE_DEBUG_TM },
};

static DEFINE_MUTEX(scst_trace_mutex);	/* serialises read-modify-write */

static ssize_t scst_trace_mask_show(unsigned long mask, char *buf)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(scst_trace_tokens); i++)
		if (mask & scst_trace_tokens[i].bit)
			n += sysfs_emit_at(buf, n, "%s%s", n ? " | " : "",
					   scst_trace_tokens[i].name);
	if (!n)
		n = sysfs_emit(buf, "none");
	n += sysfs_emit_at(buf, n,
			   "\n\n\nUsage:\n"
			   "\techo \"all|none|default\" >trace_level\n"
			   "\techo \"value DEC|0xHEX|0OCT\" >trace_level\n"
			   "\techo \"add|del TOKEN\" >trace_level\n"
			   "\nwhere TOKEN is one of [");
	for (i = 0; i < ARRAY_SIZE(scst_trace_tokens); i++)
		n += sysfs_emit_at(buf, n, "%s%s", i ? ", " : "",
				   scst_trace_tokens[i].name);
	return n + sysfs_emit_at(buf, n, "]\n");
}

static int scst_trace_token_bit(const char *name, unsigned long *bit)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(scst_trace_tokens); i++) {
		if (!strcmp(name, scst_trace_tokens[i].name)) {
			*bit = scst_trace_tokens[i].bit;
			return 0;
		}
	}
	return -EINVAL;
}

/* Compute the new mask from *mask and a command; *mask changes only on 0 */
static int scst_trace_mask_parse(const char *buf, size_t count,
				 unsigned long *mask)
{
	char *copy, *p, *cmd, *arg, *extra;
	unsigned long v = *mask, bit;
	int rc = -EINVAL;

	copy = kmemdup_nul(buf, count, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	p = strim(copy);
	cmd = strsep(&p, " \t");
	arg = p ? strim(p) : NULL;
	extra = arg ? strpbrk(arg, " \t") : NULL;
	if (extra)
		goto out;
	if (!arg || !*arg) {
		if (!strcmp(cmd, "all"))
			v = SCST_TRACE_ALL;
		else if (!strcmp(cmd, "none"))
			v = 0;
		else if (!strcmp(cmd, "default"))
			v = SCST_TRACE_DEFAULT;
		else
			goto out;
	} else if (!strcmp(cmd, "add") || !strcmp(cmd, "del")) {
		if (scst_trace_token_bit(arg, &bit))
			goto out;
		if (cmd[0] == 'a')
			v |= bit;
		else
			v &= ~bit;
	} else if (!strcmp(cmd, "value")) {
		if (kstrtoul(arg, 0, &v) || (v & ~SCST_TRACE_ALL))
			goto out;
	} else {
		goto out;
	}
	*mask = v;
	rc = 0;
out:
	kfree(copy);
	return rc;
}

static ssize_t scst_trace_mask_store(unsigned long *mask, const char *buf,
				     size_t count)
{
	unsigned long v;
	int rc;

	mutex_lock(&scst_trace_mutex);
	v = *mask;
	rc = scst_trace_mask_parse(buf, count, &v);
	if (!rc)
		WRITE_ONCE(*mask, v);
	mutex_unlock(&scst_trace_mutex);
	return rc ? rc : count;
}

static ssize_t scst_trace_level_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return scst_trace_mask_show(READ_ONCE(scst_trace_mask), buf);
}

static ssize_t scst_trace_level_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	return scst_trace_mask_store(&scst_trace_mask, buf, count);
}

struct kobj_attribute scst_trace_level_attr =
	__ATTR(trace_level, 0644, scst_trace_level_show,
	       scst_trace_level_store);

static ssize_t scst_tgtt_trace_level_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	struct scst_tgt_template *tgtt =
		container_of(kobj, struct scst_tgt_template, tgtt_kobj);

	return scst_trace_mask_show(READ_ONCE(tgtt->trace_mask), buf);
}

static ssize_t scst_tgtt_trace_level_store(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   const char *buf, size_t count)
{
	struct scst_tgt_template *tgtt =
		container_of(kobj, struct scst_tgt_template, tgtt_kobj);

	return scst_trace_mask_store(&tgtt->trace_mask, buf, count);
}

struct kobj_attribute scst_tgtt_trace_level_attr =
	__ATTR(trace_level, 0644, scst_tgtt_trace_level_show,
	       scst_tgtt_trace_level_store);

static ssize_t scst_devt_trace_level_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	struct scst_dev_type *devt =
		container_of(kobj, struct scst_dev_type, devt_kobj);

	return scst_trace_mask_show(READ_ONCE(devt->trace_mask), buf);
}

static ssize_t scst_devt_trace_level_store(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   const char *buf, size_t count)
{
	struct scst_dev_type *devt =
		container_of(kobj, struct scst_dev_type, devt_kobj);

	return scst_trace_mask_store(&devt->trace_mask, buf, count);
}

struct kobj_attribute scst_devt_trace_level_attr =
	__ATTR(trace_level, 0644, scst_devt_trace_level_show,
	       scst_devt_trace_level_store);

/* ---------------------------------------------------------------------
 * poll_us: a processing thread whose queue ran empty keeps looking at it
 * for up to poll_us microseconds before it sleeps, trading CPU time for
 * the wake-up latency of the next command.  It yields the CPU to anyone
 * who needs it meanwhile, so polling delays no other task.
 */
static unsigned int scst_poll_us;

void scst_set_poll_us(int v)
{
	WRITE_ONCE(scst_poll_us, v);
}

bool scst_poll_for_work(struct list_head *list)
{
	unsigned int us = READ_ONCE(scst_poll_us);
	u64 end;

	if (!us)
		return false;
	end = ktime_get_ns() + (u64)us * NSEC_PER_USEC;
	do {
		if (!list_empty_careful(list))
			return true;
		if (need_resched())
			cond_resched();
		else
			cpu_relax();
	} while (ktime_get_ns() < end && !kthread_should_stop());
	return false;
}
