// SPDX-License-Identifier: GPL-2.0
/*
 * Data buffers of commands: a cache of scatter-gather vectors.
 *
 * A vector is a scatterlist plus the pages it describes.  Vectors of up
 * to 2^SGV_MAX_ORDER pages are kept, after use, in per-CPU lists bucketed
 * by the power of two page count they were allocated with, and handed out
 * again to any command of the same bucket: a command only needs its
 * scatterlist shortened (and restored when it is returned).  Pages are
 * allocated in compound chunks of up to 2^SGV_CHUNK_MAX_ORDER pages when
 * memory allows, which keeps vectors short.
 *
 * Memory accounting: every page owned by a vector (in use or cached)
 * counts against scst_max_cmd_mem.  Each CPU caches at most a share of it;
 * idle vectors are freed by a periodic purge and under memory pressure by
 * a shrinker.  Cache hits do not touch any global variable.
 *
 * Allocation may be called in atomic context: then only cache hits and
 * small allocations are tried, and the caller retries in a thread.
 *
 * force_global_sgv_pool=1 makes all CPUs share one cache ("sgv") instead:
 * it trades the per-CPU locality for a single lock and a single set of
 * warm vectors, which is what an administrator asks for with it.
 *
 * Statistics (sgv/global_stats, sgv/<pool>/stats) are kept per cache under
 * the cache's own lock, so they cost no extra lock or shared cache line.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/log2.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include "scst_dataplane.h"

#define SGV_MAX_ORDER		10	/* largest cached vector: 4 MiB */
#define SGV_NR_BUCKETS		(SGV_MAX_ORDER + 1)
#define SGV_CHUNK_MAX_ORDER	4	/* 64 KiB chunks with 4 KiB pages */
#define SGV_ATOMIC_MAX_PAGES	8	/* try GFP_ATOMIC up to this size */
#define SGV_PURGE_INTERVAL	(30 * HZ)
#define SGV_IDLE_TIME		(60 * HZ)
#define SGV_MIN_CPU_CACHE_PAGES	(4096 * 1024 / PAGE_SIZE)

static unsigned long scst_max_cmd_mem;
module_param(scst_max_cmd_mem, ulong, 0444);
MODULE_PARM_DESC(scst_max_cmd_mem,
		 "Memory for command data buffers in MiB, cached ones included (default: a quarter of RAM)");

struct scst_sgv {
	struct list_head entry;		/* in a cache bucket */
	unsigned long last_used;	/* jiffies, when cached */
	int bucket;			/* -1: too big to cache */
	int nents;
	unsigned int nr_pages;
	int trim_idx;			/* entry shortened for the user */
	unsigned int trim_len;		/* its full length */
	struct scatterlist *sg;
};

struct scst_sgv_cache {
	spinlock_t lock;
	struct list_head buckets[SGV_NR_BUCKETS];
	unsigned long cached_pages;
	/* statistics, under lock */
	unsigned long hits;		/* vectors reused from the cache */
	unsigned long misses;		/* cacheable sizes not found */
	unsigned long cached[SGV_NR_BUCKETS];	/* vectors per bucket */
	unsigned long releases;		/* vectors put back */
};

static struct scst_sgv_cache __percpu *scst_sgv_caches;
static struct scst_sgv_cache scst_sgv_global;
static int scst_sgv_force_global;
static atomic_long_t scst_sgv_big_allocs = ATOMIC_LONG_INIT(0);
static atomic_long_t scst_sgv_total_pages = ATOMIC_LONG_INIT(0);
static unsigned long scst_sgv_max_pages;
static unsigned long scst_sgv_cpu_max_pages;

static void scst_sgv_purge_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(scst_sgv_purge_work, scst_sgv_purge_fn);

/* vectors with a vmalloc()ed scatterlist released in atomic context */
static DEFINE_SPINLOCK(scst_sgv_deferred_lock);
static LIST_HEAD(scst_sgv_deferred_list);
static void scst_sgv_deferred_fn(struct work_struct *work);
static DECLARE_WORK(scst_sgv_deferred_work, scst_sgv_deferred_fn);

/* ---------------------------------------------------------------------
 * Vectors
 */

/* Free pages, scatterlist and descriptor; no accounting */
static void scst_sgv_free(struct scst_sgv *sgv)
{
	unsigned long flags;
	int i;

	/*
	 * vfree() may sleep and vfree_atomic() is not exported.  The caller's
	 * context cannot be detected reliably (PREEMPT_RCU read sections do
	 * not show in preempt_count()), so the rare vmalloc'ed table is
	 * always freed from a work item.
	 */
	if (is_vmalloc_addr(sgv->sg)) {
		spin_lock_irqsave(&scst_sgv_deferred_lock, flags);
		list_add_tail(&sgv->entry, &scst_sgv_deferred_list);
		spin_unlock_irqrestore(&scst_sgv_deferred_lock, flags);
		schedule_work(&scst_sgv_deferred_work);
		return;
	}
	for (i = 0; i < sgv->nents; i++)
		__free_pages(sg_page(&sgv->sg[i]),
			     get_order(sgv->sg[i].length));
	kvfree(sgv->sg);
	kfree(sgv);
}

static void scst_sgv_deferred_fn(struct work_struct *work)
{
	struct scst_sgv *sgv, *tmp;
	LIST_HEAD(list);

	spin_lock_irq(&scst_sgv_deferred_lock);
	list_splice_init(&scst_sgv_deferred_list, &list);
	spin_unlock_irq(&scst_sgv_deferred_lock);
	list_for_each_entry_safe(sgv, tmp, &list, entry) {
		list_del(&sgv->entry);
		scst_sgv_free(sgv);
	}
}

static void scst_sgv_destroy(struct scst_sgv *sgv)
{
	atomic_long_sub(sgv->nr_pages, &scst_sgv_total_pages);
	scst_sgv_free(sgv);
}

static struct page *scst_sgv_alloc_chunk(gfp_t gfp, unsigned int *order)
{
	struct page *page;

	for (;;) {
		gfp_t g = gfp | __GFP_NOWARN;

		if (*order)
			g |= __GFP_COMP | __GFP_NORETRY;
		page = alloc_pages(g, *order);
		if (page || !*order)
			return page;
		(*order)--;
	}
}

static int scst_sgv_fill(struct scst_sgv *sgv, gfp_t gfp)
{
	unsigned int left = sgv->nr_pages, order = SGV_CHUNK_MAX_ORDER;
	struct page *page;

	while (left) {
		order = min_t(unsigned int, order, ilog2(left));
		page = scst_sgv_alloc_chunk(gfp, &order);
		if (!page)
			return -ENOMEM;
		sg_set_page(&sgv->sg[sgv->nents++], page, PAGE_SIZE << order,
			    0);
		left -= 1U << order;
	}
	sg_mark_end(&sgv->sg[sgv->nents - 1]);
	return 0;
}

/* A new vector of nr_pages pages; the caller charges and uncharges */
static struct scst_sgv *scst_sgv_create(unsigned int nr_pages, int bucket,
					gfp_t gfp)
{
	struct scst_sgv *sgv = kzalloc(sizeof(*sgv), gfp);

	if (!sgv)
		return NULL;
	sgv->bucket = bucket;
	sgv->nr_pages = nr_pages;
	sgv->trim_idx = -1;
	/* kvmalloc falls back to kmalloc for non-GFP_KERNEL masks */
	sgv->sg = kvmalloc_array(nr_pages, sizeof(*sgv->sg), gfp);
	if (!sgv->sg) {
		kfree(sgv);
		return NULL;
	}
	sg_init_table(sgv->sg, nr_pages);
	if (scst_sgv_fill(sgv, gfp)) {
		scst_sgv_free(sgv);
		return NULL;
	}
	return sgv;
}

/* Shorten the vector to len bytes; returns the entry count */
static int scst_sgv_trim(struct scst_sgv *sgv, u32 len)
{
	u32 done = 0;
	int i;

	for (i = 0; i < sgv->nents; i++) {
		if (done + sgv->sg[i].length >= len)
			break;
		done += sgv->sg[i].length;
	}
	if (i == sgv->nents)		/* cannot happen: vector too short */
		i = sgv->nents - 1;
	sgv->trim_idx = i;
	sgv->trim_len = sgv->sg[i].length;
	sgv->sg[i].length = len - done;
	sg_mark_end(&sgv->sg[i]);
	return i + 1;
}

static void scst_sgv_untrim(struct scst_sgv *sgv)
{
	int i = sgv->trim_idx;

	if (i < 0)
		return;
	sgv->sg[i].length = sgv->trim_len;
	if (i != sgv->nents - 1)
		sg_unmark_end(&sgv->sg[i]);
	sgv->trim_idx = -1;
}

/* ---------------------------------------------------------------------
 * The cache
 */

/* The cache this CPU uses now */
static struct scst_sgv_cache *scst_sgv_cur_cache(void)
{
	if (READ_ONCE(scst_sgv_force_global))
		return &scst_sgv_global;
	return raw_cpu_ptr(scst_sgv_caches);
}

static struct scst_sgv *scst_sgv_cache_pop(int bucket, int max_nents)
{
	struct scst_sgv_cache *c = scst_sgv_cur_cache();
	struct scst_sgv *sgv = NULL;
	unsigned long flags;

	spin_lock_irqsave(&c->lock, flags);
	if (!list_empty(&c->buckets[bucket])) {
		sgv = list_first_entry(&c->buckets[bucket], struct scst_sgv,
				       entry);
		if (max_nents && sgv->nents > max_nents) {
			sgv = NULL;	/* too fragmented for this driver */
		} else {
			list_del(&sgv->entry);
			c->cached_pages -= sgv->nr_pages;
			c->cached[bucket]--;
		}
	}
	if (sgv)
		c->hits++;
	else
		c->misses++;
	spin_unlock_irqrestore(&c->lock, flags);
	return sgv;
}

static void scst_sgv_put(struct scst_sgv *sgv)
{
	struct scst_sgv_cache *c = scst_sgv_cur_cache();
	unsigned long flags;

	scst_sgv_untrim(sgv);
	if (sgv->bucket >= 0) {
		spin_lock_irqsave(&c->lock, flags);
		c->releases++;
		if (c->cached_pages + sgv->nr_pages <= scst_sgv_cpu_max_pages) {
			sgv->last_used = jiffies;
			/* LIFO: the warmest vector is reused first */
			list_add(&sgv->entry, &c->buckets[sgv->bucket]);
			c->cached_pages += sgv->nr_pages;
			c->cached[sgv->bucket]++;
			sgv = NULL;
		}
		spin_unlock_irqrestore(&c->lock, flags);
	}
	if (sgv)
		scst_sgv_destroy(sgv);
}

/*
 * Free cached vectors of one CPU: those idle since before "before" (all
 * if before is 0), at most max_pages pages.  Oldest first.
 */
static unsigned long scst_sgv_purge_cache(struct scst_sgv_cache *c,
					  unsigned long before,
					  unsigned long max_pages)
{
	struct scst_sgv *sgv, *tmp;
	unsigned long freed = 0;
	LIST_HEAD(victims);
	int b;

	spin_lock_irq(&c->lock);
	for (b = SGV_MAX_ORDER; b >= 0 && freed < max_pages; b--) {
		list_for_each_entry_safe_reverse(sgv, tmp, &c->buckets[b],
						 entry) {
			if (freed >= max_pages)
				break;
			if (before && !time_before(sgv->last_used, before))
				break;	/* the rest is younger */
			list_move(&sgv->entry, &victims);
			c->cached_pages -= sgv->nr_pages;
			c->cached[b]--;
			freed += sgv->nr_pages;
		}
	}
	spin_unlock_irq(&c->lock);
	list_for_each_entry_safe(sgv, tmp, &victims, entry) {
		list_del(&sgv->entry);
		scst_sgv_destroy(sgv);
	}
	return freed;
}

static unsigned long scst_sgv_purge_all(unsigned long before,
					unsigned long max_pages)
{
	unsigned long freed;
	int cpu;

	freed = scst_sgv_purge_cache(&scst_sgv_global, before, max_pages);
	for_each_possible_cpu(cpu) {
		if (freed >= max_pages)
			break;
		freed += scst_sgv_purge_cache(per_cpu_ptr(scst_sgv_caches, cpu),
					      before, max_pages - freed);
	}
	return freed;
}

static void scst_sgv_purge_fn(struct work_struct *work)
{
	scst_sgv_purge_all(jiffies - SGV_IDLE_TIME, ULONG_MAX);
	schedule_delayed_work(&scst_sgv_purge_work, SGV_PURGE_INTERVAL);
}

static unsigned long scst_sgv_shrink_count(struct shrinker *s,
					   struct shrink_control *sc)
{
	unsigned long n = READ_ONCE(scst_sgv_global.cached_pages);
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(scst_sgv_caches, cpu)->cached_pages);
	return n;
}

static unsigned long scst_sgv_shrink_scan(struct shrinker *s,
					  struct shrink_control *sc)
{
	unsigned long freed = scst_sgv_purge_all(0, sc->nr_to_scan);

	return freed ?: SHRINK_STOP;
}

static struct shrinker scst_sgv_shrinker = {
	.count_objects = scst_sgv_shrink_count,
	.scan_objects = scst_sgv_shrink_scan,
	.seeks = DEFAULT_SEEKS,
};

static bool scst_sgv_charge(unsigned long nr_pages)
{
	if (atomic_long_add_return(nr_pages, &scst_sgv_total_pages) <=
	    scst_sgv_max_pages)
		return true;
	atomic_long_sub(nr_pages, &scst_sgv_total_pages);
	return false;
}

static struct scst_sgv *scst_sgv_get(unsigned int nr_pages, bool atomic,
				     int max_nents)
{
	int bucket = order_base_2(nr_pages);
	struct scst_sgv *sgv;

	if (bucket <= SGV_MAX_ORDER) {
		sgv = scst_sgv_cache_pop(bucket, max_nents);
		if (sgv)
			return sgv;
		nr_pages = 1U << bucket;	/* reusable by the bucket */
	} else {
		bucket = -1;
		atomic_long_inc(&scst_sgv_big_allocs);
	}
	if (atomic && nr_pages > SGV_ATOMIC_MAX_PAGES)
		return ERR_PTR(-EAGAIN);
	if (!scst_sgv_charge(nr_pages)) {
		if (atomic)
			return ERR_PTR(-EAGAIN);
		/* over the limit: give back what sits idle in the caches */
		scst_sgv_purge_all(0, ULONG_MAX);
		if (!scst_sgv_charge(nr_pages))
			return ERR_PTR(-ENOMEM);
	}
	sgv = scst_sgv_create(nr_pages, bucket,
			      atomic ? GFP_ATOMIC : GFP_KERNEL);
	if (!sgv) {
		atomic_long_sub(nr_pages, &scst_sgv_total_pages);
		return ERR_PTR(atomic ? -EAGAIN : -ENOMEM);
	}
	if (max_nents && sgv->nents > max_nents) {
		scst_sgv_put(sgv);
		return ERR_PTR(-ENOMEM);
	}
	return sgv;
}

/* ---------------------------------------------------------------------
 * Command buffers
 */

static int scst_alloc_buf(u32 len, bool atomic, int max_nents, bool zero,
			  struct scatterlist **sg, int *cnt, void **handle)
{
	unsigned int nr_pages = DIV_ROUND_UP(len, PAGE_SIZE);
	struct scst_sgv *sgv;

	if (!len || *handle)
		return 0;	/* nothing to do, or done before a retry */
	if (nr_pages > scst_sgv_max_pages)
		return -E2BIG;
	sgv = scst_sgv_get(nr_pages, atomic, max_nents);
	if (IS_ERR(sgv))
		return PTR_ERR(sgv);
	*cnt = scst_sgv_trim(sgv, len);
	/* no stale bytes from a previous user may reach the wire */
	if (zero)
		sg_zero_buffer(sgv->sg, *cnt, len, 0);
	*sg = sgv->sg;
	*handle = sgv;
	return 0;
}

/*
 * Cached vectors hold other commands' data, so nothing stale may reach the
 * wire.  Emulated responses are often shorter than the buffer: zero those.
 * LBA-addressed reads are not zeroed, since that would double the memory
 * traffic of every READ: their handler reports in resp_data_len only the
 * bytes it filled (see struct scst_cmd).
 */
static bool scst_cmd_needs_zeroed_buf(const struct scst_cmd *cmd)
{
	return scst_cmd_has_data_in(cmd) &&
	       !(cmd->cdb_info && (cmd->cdb_info->flags & SCST_CDB_LBA));
}

int scst_alloc_cmd_bufs(struct scst_cmd *cmd, bool atomic)
{
	int max_nents = cmd->tgt->sg_tablesize ?: cmd->tgt->tgtt->sg_tablesize;
	bool bidi = cmd->data_direction == SCST_DATA_BIDI;
	int rc;

	rc = scst_alloc_buf(cmd->bufflen, atomic, max_nents,
			    scst_cmd_needs_zeroed_buf(cmd), &cmd->sg,
			    &cmd->sg_cnt, &cmd->dp_sgv);
	if (rc || !bidi)
		return rc;
	return scst_alloc_buf(cmd->out_bufflen, atomic, max_nents, false,
			      &cmd->out_sg, &cmd->out_sg_cnt,
			      &cmd->dp_out_sgv);
}

/* Any context */
void scst_free_cmd_bufs(struct scst_cmd *cmd)
{
	if (cmd->dp_sgv) {
		scst_sgv_put(cmd->dp_sgv);
		cmd->dp_sgv = NULL;
		cmd->sg = NULL;
		cmd->sg_cnt = 0;
	}
	if (cmd->dp_out_sgv) {
		scst_sgv_put(cmd->dp_out_sgv);
		cmd->dp_out_sgv = NULL;
		cmd->out_sg = NULL;
		cmd->out_sg_cnt = 0;
	}
}

/* ---------------------------------------------------------------------
 * force_global_sgv_pool and statistics (sgv/ in sysfs)
 */

void scst_mem_set_force_global(int v)
{
	WRITE_ONCE(scst_sgv_force_global, !!v);
}

struct scst_sgv_totals {
	unsigned long hits, misses, releases, cached_pages;
	unsigned long cached[SGV_NR_BUCKETS];
};

static void scst_sgv_cache_add(struct scst_sgv_cache *c,
			       struct scst_sgv_totals *t)
{
	int b;

	spin_lock_irq(&c->lock);
	t->hits += c->hits;
	t->misses += c->misses;
	t->releases += c->releases;
	t->cached_pages += c->cached_pages;
	for (b = 0; b < SGV_NR_BUCKETS; b++)
		t->cached[b] += c->cached[b];
	spin_unlock_irq(&c->lock);
}

static int scst_sgv_emit_totals(char *buf, int n,
				const struct scst_sgv_totals *t)
{
	int b;

	n += sysfs_emit_at(buf, n,
			   "hits %lu\nmisses %lu\nreleases %lu\ncached_pages %lu\n",
			   t->hits, t->misses, t->releases, t->cached_pages);
	for (b = 0; b < SGV_NR_BUCKETS; b++)
		n += sysfs_emit_at(buf, n, "cached_vectors_%lu_pages %lu\n",
				   1UL << b, t->cached[b]);
	return n;
}

static ssize_t scst_sgv_global_stats_show(struct kobject *kobj,
					  struct kobj_attribute *attr,
					  char *buf)
{
	struct scst_sgv_totals t = { };
	int cpu, n;

	scst_sgv_cache_add(&scst_sgv_global, &t);
	for_each_possible_cpu(cpu)
		scst_sgv_cache_add(per_cpu_ptr(scst_sgv_caches, cpu), &t);
	n = sysfs_emit(buf,
		       "pool %s\ntotal_pages %ld\nmax_pages %lu\nmax_cached_pages_per_pool %lu\nbig_allocs %ld\n",
		       READ_ONCE(scst_sgv_force_global) ? "sgv" : "per-cpu",
		       atomic_long_read(&scst_sgv_total_pages),
		       scst_sgv_max_pages, scst_sgv_cpu_max_pages,
		       atomic_long_read(&scst_sgv_big_allocs));
	return scst_sgv_emit_totals(buf, n, &t);
}

/* sgv/sgv is the shared pool, sgv/sgv-cpu<N> the pool of CPU N */
static struct kobject **scst_sgv_pool_kobjs;	/* [nr_cpu_ids + 1] */

static ssize_t scst_sgv_pool_stats_show(struct kobject *kobj,
					struct kobj_attribute *attr,
					char *buf)
{
	struct scst_sgv_totals t = { };
	unsigned int i;

	for (i = 0; i <= nr_cpu_ids; i++)
		if (scst_sgv_pool_kobjs[i] == kobj)
			break;
	if (i > nr_cpu_ids)
		return -ENOENT;
	scst_sgv_cache_add(i == nr_cpu_ids ? &scst_sgv_global :
			   per_cpu_ptr(scst_sgv_caches, i), &t);
	return scst_sgv_emit_totals(buf, 0, &t);
}

static struct kobj_attribute scst_sgv_global_stats_attr =
	__ATTR(global_stats, 0444, scst_sgv_global_stats_show, NULL);
static struct kobj_attribute scst_sgv_pool_stats_attr =
	__ATTR(stats, 0444, scst_sgv_pool_stats_show, NULL);

static int scst_sgv_pool_add(struct kobject *parent, unsigned int i)
{
	char name[24];

	if (i == nr_cpu_ids)
		strscpy(name, "sgv", sizeof(name));
	else
		snprintf(name, sizeof(name), "sgv-cpu%u", i);
	scst_sgv_pool_kobjs[i] = kobject_create_and_add(name, parent);
	if (!scst_sgv_pool_kobjs[i])
		return -ENOMEM;
	return sysfs_create_file(scst_sgv_pool_kobjs[i],
				 &scst_sgv_pool_stats_attr.attr);
}

void scst_mem_sysfs_del(void)
{
	unsigned int i;

	if (!scst_sgv_pool_kobjs)
		return;
	for (i = 0; i <= nr_cpu_ids; i++)
		kobject_put(scst_sgv_pool_kobjs[i]);
	kfree(scst_sgv_pool_kobjs);
	scst_sgv_pool_kobjs = NULL;
}

int scst_mem_sysfs_add(struct kobject *parent)
{
	unsigned int cpu;
	int rc;

	scst_sgv_pool_kobjs = kcalloc(nr_cpu_ids + 1,
				      sizeof(*scst_sgv_pool_kobjs),
				      GFP_KERNEL);
	if (!scst_sgv_pool_kobjs)
		return -ENOMEM;
	rc = sysfs_create_file(parent, &scst_sgv_global_stats_attr.attr);
	if (!rc)
		rc = scst_sgv_pool_add(parent, nr_cpu_ids);
	for_each_possible_cpu(cpu)
		if (!rc)
			rc = scst_sgv_pool_add(parent, cpu);
	if (rc)
		scst_mem_sysfs_del();
	return rc;
}

/* ---------------------------------------------------------------------
 * Init / exit
 */

static void scst_sgv_cache_init(struct scst_sgv_cache *c)
{
	int b;

	memset(c, 0, sizeof(*c));
	spin_lock_init(&c->lock);
	for (b = 0; b < SGV_NR_BUCKETS; b++)
		INIT_LIST_HEAD(&c->buckets[b]);
}

int scst_mem_init(void)
{
	int cpu, rc;

	if (scst_max_cmd_mem)
		scst_sgv_max_pages = scst_max_cmd_mem << (20 - PAGE_SHIFT);
	else
		scst_sgv_max_pages = totalram_pages() / 4;
	scst_sgv_max_pages = max_t(unsigned long, scst_sgv_max_pages,
				   SGV_MIN_CPU_CACHE_PAGES);
	scst_sgv_cpu_max_pages = max_t(unsigned long, scst_sgv_max_pages / 2 /
				       num_possible_cpus(),
				       SGV_MIN_CPU_CACHE_PAGES);

	scst_sgv_caches = alloc_percpu(struct scst_sgv_cache);
	if (!scst_sgv_caches)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		scst_sgv_cache_init(per_cpu_ptr(scst_sgv_caches, cpu));
	scst_sgv_cache_init(&scst_sgv_global);
	rc = register_shrinker(&scst_sgv_shrinker, "scst-sgv");
	if (rc) {
		free_percpu(scst_sgv_caches);
		return rc;
	}
	schedule_delayed_work(&scst_sgv_purge_work, SGV_PURGE_INTERVAL);
	return 0;
}

void scst_mem_exit(void)
{
	unregister_shrinker(&scst_sgv_shrinker);
	cancel_delayed_work_sync(&scst_sgv_purge_work);
	scst_sgv_purge_all(0, ULONG_MAX);
	flush_work(&scst_sgv_deferred_work);
	WARN_ON_ONCE(atomic_long_read(&scst_sgv_total_pages));
	free_percpu(scst_sgv_caches);
}
