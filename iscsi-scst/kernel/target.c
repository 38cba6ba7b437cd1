// SPDX-License-Identifier: GPL-2.0
/*
 * iSCSI targets and their configuration.
 *
 * Targets are created and deleted through targets/iscsi/mgmt (the core
 * parses add_target/del_target and calls us from its management thread).
 * Each target carries the iSCSI parameters it offers at login
 * (targets/iscsi/<target>/<Key>), its CHAP accounts and its allowed_portal
 * patterns; the driver itself carries the discovery CHAP accounts.  The
 * daemon reads all of it through the control device at every login, and
 * parameter changes apply to new sessions only.  Targets, accounts and
 * portals live under iscsi_mutex, parameter values under iscsi_param_lock.
 */
#define pr_fmt(fmt) "iscsi-scst: " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "mgmt.h"

/* ------------------------------------------------------------------
 * Per-target parameters: table, parsing, sysfs attributes
 */

enum iscsi_ptype {
	ISCSI_PT_BOOL,		/* Yes / No */
	ISCSI_PT_NUM,		/* decimal (or 0x hex) in [min, max] */
	ISCSI_PT_DIGEST,	/* None, CRC32C, CRC32C,None, None,CRC32C */
};

struct iscsi_param_attr {
	struct kobj_attribute kattr;	/* name = the iSCSI key */
	enum iscsi_param idx;
	enum iscsi_ptype type;
	u32 def, min, max;
};

static ssize_t iscsi_tgt_param_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf);
static ssize_t iscsi_tgt_param_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count);

#define ISCSI_PARAM(_key, _idx, _type, _def, _min, _max) {		\
	.kattr = __ATTR(_key, 0644, iscsi_tgt_param_show,		\
			iscsi_tgt_param_store),				\
	.idx = (_idx), .type = (_type),					\
	.def = (_def), .min = (_min), .max = (_max) }

#define ISCSI_MAX_DSL	ISCSI_MAX_DATA_SEG_LEN

/* Defaults and ranges: reference §4, "Per-target parameters" */
static const struct iscsi_param_attr iscsi_tgt_params[] = {
	ISCSI_PARAM(InitialR2T, ISCSI_P_INITIAL_R2T, ISCSI_PT_BOOL, 0, 0, 1),
	ISCSI_PARAM(ImmediateData, ISCSI_P_IMMEDIATE_DATA, ISCSI_PT_BOOL,
		    1, 0, 1),
	ISCSI_PARAM(MaxRecvDataSegmentLength,
		    ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH, ISCSI_PT_NUM,
		    ISCSI_MAX_DSL, 512, ISCSI_MAX_DSL),
	ISCSI_PARAM(MaxXmitDataSegmentLength,
		    ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH, ISCSI_PT_NUM,
		    ISCSI_MAX_DSL, 512, ISCSI_MAX_DSL),
	ISCSI_PARAM(MaxBurstLength, ISCSI_P_MAX_BURST_LENGTH, ISCSI_PT_NUM,
		    ISCSI_MAX_DSL, 512, ISCSI_MAX_DSL),
	ISCSI_PARAM(FirstBurstLength, ISCSI_P_FIRST_BURST_LENGTH,
		    ISCSI_PT_NUM, 65536, 512, ISCSI_MAX_DSL),
	ISCSI_PARAM(MaxOutstandingR2T, ISCSI_P_MAX_OUTSTANDING_R2T,
		    ISCSI_PT_NUM, 32, 1, 65535),
	ISCSI_PARAM(HeaderDigest, ISCSI_P_HEADER_DIGEST, ISCSI_PT_DIGEST,
		    ISCSI_DIGEST_NONE, 0, 0),
	ISCSI_PARAM(DataDigest, ISCSI_P_DATA_DIGEST, ISCSI_PT_DIGEST,
		    ISCSI_DIGEST_NONE, 0, 0),
	ISCSI_PARAM(QueuedCommands, ISCSI_P_QUEUED_COMMANDS, ISCSI_PT_NUM,
		    32, 1, ISCSI_MAX_QUEUED_CMDS),
	ISCSI_PARAM(RspTimeout, ISCSI_P_RSP_TIMEOUT, ISCSI_PT_NUM,
		    90, 2, 65535),
	ISCSI_PARAM(NopInInterval, ISCSI_P_NOP_IN_INTERVAL, ISCSI_PT_NUM,
		    30, 0, 65535),
	ISCSI_PARAM(NopInTimeout, ISCSI_P_NOP_IN_TIMEOUT, ISCSI_PT_NUM,
		    30, 2, 65535),
	ISCSI_PARAM(MaxSessions, ISCSI_P_MAX_SESSIONS, ISCSI_PT_NUM,
		    0, 0, 65535),
};

#define ISCSI_NR_TGT_PARAMS	ARRAY_SIZE(iscsi_tgt_params)

static const struct {
	const char *text;
	u32 mask;
} iscsi_digest_forms[] = {
	{ "None", ISCSI_DIGEST_NONE },
	{ "CRC32C", ISCSI_DIGEST_CRC32C },
	{ "CRC32C,None", ISCSI_DIGEST_CRC32C | ISCSI_DIGEST_NONE },
	{ "None,CRC32C", ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C },
};

/* add_target parameters and the target's sysfs files, filled at init */
const char *iscsi_tgt_param_names[ISCSI_NR_TGT_PARAMS + 1];
const struct attribute *iscsi_tgt_attrs[ISCSI_NR_TGT_PARAMS + 2];

static u32 iscsi_next_tid;		/* under iscsi_mutex */

/*
 * Protects the parameter values of every target (params, params_set,
 * digest_text) and iscsi_drv_enabled.  Innermost lock, never held while
 * waiting for anything.
 */
DEFINE_SPINLOCK(iscsi_param_lock);

static int iscsi_digest_slot(enum iscsi_param idx)
{
	return idx == ISCSI_P_HEADER_DIGEST ? 0 : 1;
}

static void iscsi_param_complain(const struct iscsi_param_attr *pa,
				 const char *val)
{
	switch (pa->type) {
	case ISCSI_PT_BOOL:
		pr_err("%s: invalid value \"%.64s\" (Yes or No)\n",
		       pa->kattr.attr.name, val);
		break;
	case ISCSI_PT_DIGEST:
		pr_err("%s: invalid value \"%.64s\" (None, CRC32C, CRC32C,None or None,CRC32C)\n",
		       pa->kattr.attr.name, val);
		break;
	case ISCSI_PT_NUM:
		pr_err("%s: invalid value \"%.64s\" (a number %u..%u)\n",
		       pa->kattr.attr.name, val, pa->min, pa->max);
		break;
	}
}

static int iscsi_param_parse(const struct iscsi_param_attr *pa,
			     const char *val, u32 *out)
{
	unsigned int i;
	u32 v;

	switch (pa->type) {
	case ISCSI_PT_BOOL:
		if (!strcasecmp(val, "Yes")) {
			*out = 1;
			return 0;
		}
		if (!strcasecmp(val, "No")) {
			*out = 0;
			return 0;
		}
		break;
	case ISCSI_PT_DIGEST:
		for (i = 0; i < ARRAY_SIZE(iscsi_digest_forms); i++)
			if (!strcasecmp(val, iscsi_digest_forms[i].text)) {
				*out = iscsi_digest_forms[i].mask;
				return 0;
			}
		break;
	case ISCSI_PT_NUM:
		if (!scst_parse_u32(val, &v) && v >= pa->min && v <= pa->max) {
			*out = v;
			return 0;
		}
		break;
	}
	iscsi_param_complain(pa, val);
	return -EINVAL;
}

/* val has been accepted by iscsi_param_parse(); iscsi_param_lock held */
static void iscsi_param_set(struct iscsi_target *t,
			    const struct iscsi_param_attr *pa, u32 v,
			    const char *val)
{
	t->params[pa->idx] = v;
	t->params_set |= BIT(pa->idx);
	if (pa->type == ISCSI_PT_DIGEST)
		strscpy(t->digest_text[iscsi_digest_slot(pa->idx)], val,
			sizeof(t->digest_text[0]));
}

/*
 * The target whose sysfs directory kobj is; NULL until add_target has
 * linked it.  The memory stays valid while the directory exists: we free
 * a target only after scst_unregister_target() removed it.
 */
static struct iscsi_target *iscsi_kobj_target(struct kobject *kobj)
{
	struct scst_tgt *scst_tgt = container_of(kobj, struct scst_tgt,
						 tgt_kobj);

	/* Pairs with smp_store_release() in iscsi_add_target() */
	return smp_load_acquire(&scst_tgt->tgt_priv);
}

/*
 * The show()/store() functions of the target parameters take only
 * iscsi_param_lock, never iscsi_mutex: the core creates and removes
 * these files, waiting for running callbacks, with its scst_mutex held,
 * and iscsi_mutex is taken before scst_mutex.
 */
static ssize_t iscsi_tgt_param_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	const struct iscsi_param_attr *pa =
		container_of(attr, struct iscsi_param_attr, kattr);
	struct iscsi_target *t = iscsi_kobj_target(kobj);
	char dtext[sizeof(t->digest_text[0])];
	ssize_t n;
	u32 v;

	if (!t)
		return -ENOENT;
	spin_lock(&iscsi_param_lock);
	v = t->params[pa->idx];
	if (pa->type == ISCSI_PT_DIGEST)
		memcpy(dtext, t->digest_text[iscsi_digest_slot(pa->idx)],
		       sizeof(dtext));
	spin_unlock(&iscsi_param_lock);

	switch (pa->type) {
	case ISCSI_PT_BOOL:
		n = sysfs_emit(buf, "%s\n", v ? "Yes" : "No");
		break;
	case ISCSI_PT_DIGEST:
		n = sysfs_emit(buf, "%s\n", dtext);
		break;
	default:
		n = sysfs_emit(buf, "%u\n", v);
		break;
	}
	if (v != pa->def)
		n += sysfs_emit_at(buf, n, "%s\n", SCST_SYSFS_KEY_MARK);
	return n;
}

#define ISCSI_PARAM_VAL_LEN	32

static ssize_t iscsi_tgt_param_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	const struct iscsi_param_attr *pa =
		container_of(attr, struct iscsi_param_attr, kattr);
	struct iscsi_target *t = iscsi_kobj_target(kobj);
	char val[ISCSI_PARAM_VAL_LEN];
	int rc;
	u32 v;

	if (!t)
		return -ENOENT;
	if (scst_get_word(buf, count, val, sizeof(val))) {
		pr_err("%s: invalid value \"%.*s\" (too long)\n",
		       attr->attr.name, (int)min_t(size_t, count, 64), buf);
		return -EINVAL;
	}
	rc = iscsi_param_parse(pa, val, &v);
	if (rc)
		return rc;
	spin_lock(&iscsi_param_lock);
	iscsi_param_set(t, pa, v, val);
	spin_unlock(&iscsi_param_lock);
	/* tid and name never change */
	iscsi_post_event(ISCSI_EV_TARGET_CHANGED, t->tid, 0, 0, t->name);
	return count;
}

static ssize_t iscsi_tgt_tid_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct iscsi_target *t = iscsi_kobj_target(kobj);

	return t ? sysfs_emit(buf, "%u\n", t->tid) : -ENOENT;
}

static const struct kobj_attribute iscsi_tgt_tid_attr =
	__ATTR(tid, 0444, iscsi_tgt_tid_show, NULL);

void iscsi_target_tables_init(void)
{
	unsigned int i;

	for (i = 0; i < ISCSI_NR_TGT_PARAMS; i++) {
		iscsi_tgt_param_names[i] = iscsi_tgt_params[i].kattr.attr.name;
		iscsi_tgt_attrs[i] = &iscsi_tgt_params[i].kattr.attr;
	}
	iscsi_tgt_param_names[i] = NULL;
	iscsi_tgt_attrs[i++] = &iscsi_tgt_tid_attr.attr;
	iscsi_tgt_attrs[i] = NULL;
}

/* ------------------------------------------------------------------
 * CHAP accounts and allowed_portal patterns
 */

static const char *const iscsi_cfg_base[ISCSI_CFG_KINDS] = {
	[ISCSI_CFG_INCOMING] = "IncomingUser",
	[ISCSI_CFG_OUTGOING] = "OutgoingUser",
	[ISCSI_CFG_PORTAL] = "allowed_portal",
};

static ssize_t iscsi_cfg_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	struct iscsi_cfg_entry *e = container_of(attr, struct iscsi_cfg_entry,
						 kattr);

	if (e->acc.secret)
		return sysfs_emit(buf, "%s %s\n%s\n", e->acc.user,
				  e->acc.secret, SCST_SYSFS_KEY_MARK);
	return sysfs_emit(buf, "%s\n%s\n", e->acc.user, SCST_SYSFS_KEY_MARK);
}

void iscsi_target_owner(struct iscsi_target *t, struct iscsi_cfg_owner *o)
{
	o->lists[ISCSI_CFG_INCOMING] = &t->incoming_users;
	o->lists[ISCSI_CFG_OUTGOING] = &t->outgoing_users;
	o->lists[ISCSI_CFG_PORTAL] = &t->allowed_portals;
	o->kobj = &t->scst_tgt->tgt_kobj;
	o->tid = t->tid;
	o->name = t->name;
}

void iscsi_drv_owner(struct iscsi_cfg_owner *o)
{
	o->lists[ISCSI_CFG_INCOMING] = &iscsi_drv_accounts[ISCSI_AUTH_INCOMING];
	o->lists[ISCSI_CFG_OUTGOING] = &iscsi_drv_accounts[ISCSI_AUTH_OUTGOING];
	o->lists[ISCSI_CFG_PORTAL] = NULL;
	o->kobj = &iscsi_template.tgtt_kobj;
	o->tid = 0;
	o->name = ISCSI_DRV_NAME;
}

static bool iscsi_cfg_same(enum iscsi_cfg_kind kind, const char *a,
			   const char *b)
{
	/* Portal patterns match addresses case-insensitively */
	return kind == ISCSI_CFG_PORTAL ? !strcasecmp(a, b) : !strcmp(a, b);
}

static struct iscsi_cfg_entry *iscsi_cfg_find(struct list_head *list,
					      enum iscsi_cfg_kind kind,
					      const char *user)
{
	struct iscsi_cfg_entry *e;

	list_for_each_entry(e, list, acc.entry)
		if (iscsi_cfg_same(kind, e->acc.user, user))
			return e;
	return NULL;
}

/* Is fname used by one of our entries or by any other file of dir? */
static bool iscsi_cfg_fname_used(struct iscsi_cfg_owner *o,
				 const char *fname)
{
	struct iscsi_cfg_entry *e;
	struct kernfs_node *kn;
	int k;

	for (k = 0; k < ISCSI_CFG_KINDS; k++) {
		if (!o->lists[k])
			continue;
		list_for_each_entry(e, o->lists[k], acc.entry)
			if (!strcmp(e->fname, fname))
				return true;
	}
	kn = kernfs_find_and_get(o->kobj->sd, fname);
	if (!kn)
		return false;
	kernfs_put(kn);
	return true;
}

/* IncomingUser, IncomingUser1, IncomingUser2, ...: the first free one */
static int iscsi_cfg_pick_fname(struct iscsi_cfg_owner *o,
				struct iscsi_cfg_entry *e)
{
	const char *base = iscsi_cfg_base[e->kind];
	unsigned int i;

	for (i = 0; i < 100000; i++) {
		if (i)
			snprintf(e->fname, sizeof(e->fname), "%s%u", base, i);
		else
			strscpy(e->fname, base, sizeof(e->fname));
		if (!iscsi_cfg_fname_used(o, e->fname))
			return 0;
	}
	return -ENOSPC;
}

static void iscsi_cfg_free(struct iscsi_cfg_entry *e)
{
	kfree(e->acc.user);
	kfree_sensitive(e->acc.secret);
	kfree(e);
}

static int iscsi_cfg_add_locked(struct iscsi_cfg_owner *o,
				enum iscsi_cfg_kind kind, const char *user,
				const char *secret)
{
	struct list_head *list = o->lists[kind];
	const char *base = iscsi_cfg_base[kind];
	struct iscsi_cfg_entry *e;
	int rc;

	lockdep_assert_held(&iscsi_mutex);
	e = iscsi_cfg_find(list, kind, user);
	if (e) {
		pr_err("%s: %s %s already exists\n", o->name, base, user);
		return -EEXIST;
	}
	if (kind == ISCSI_CFG_OUTGOING && !list_empty(list)) {
		e = list_first_entry(list, struct iscsi_cfg_entry, acc.entry);
		pr_err("%s: only one OutgoingUser is allowed and %s exists; delete it first\n",
		       o->name, e->acc.user);
		return -EEXIST;
	}

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->kind = kind;
	e->acc.user = kstrdup(user, GFP_KERNEL);
	e->acc.secret = secret ? kstrdup(secret, GFP_KERNEL) : NULL;
	rc = -ENOMEM;
	if (!e->acc.user || (secret && !e->acc.secret))
		goto fail;
	rc = iscsi_cfg_pick_fname(o, e);
	if (rc)
		goto fail;
	sysfs_attr_init(&e->kattr.attr);
	e->kattr.attr.name = e->fname;
	/* Secrets are for root only */
	e->kattr.attr.mode = secret ? 0400 : 0444;
	e->kattr.show = iscsi_cfg_show;
	rc = sysfs_create_file(o->kobj, &e->kattr.attr);
	if (rc) {
		pr_err("%s: cannot create %s: %d\n", o->name, e->fname, rc);
		goto fail;
	}
	list_add_tail(&e->acc.entry, list);
	return 0;
fail:
	iscsi_cfg_free(e);
	return rc;
}

static int iscsi_cfg_del_locked(struct iscsi_cfg_owner *o,
				enum iscsi_cfg_kind kind, const char *user)
{
	struct iscsi_cfg_entry *e;

	lockdep_assert_held(&iscsi_mutex);
	e = iscsi_cfg_find(o->lists[kind], kind, user);
	if (!e) {
		pr_err("%s: no %s %s\n", o->name, iscsi_cfg_base[kind], user);
		return -ENOENT;
	}
	list_del(&e->acc.entry);
	/* Waits for a running show(), which takes no lock */
	sysfs_remove_file(o->kobj, &e->kattr.attr);
	iscsi_cfg_free(e);
	return 0;
}

static void iscsi_cfg_del_all_locked(struct iscsi_cfg_owner *o)
{
	struct iscsi_cfg_entry *e, *tmp;
	int k;

	for (k = 0; k < ISCSI_CFG_KINDS; k++) {
		if (!o->lists[k])
			continue;
		list_for_each_entry_safe(e, tmp, o->lists[k], acc.entry) {
			list_del(&e->acc.entry);
			sysfs_remove_file(o->kobj, &e->kattr.attr);
			iscsi_cfg_free(e);
		}
	}
}

void iscsi_drv_cfg_cleanup(void)
{
	struct iscsi_cfg_owner o;

	lockdep_assert_held(&iscsi_mutex);
	iscsi_drv_owner(&o);
	iscsi_cfg_del_all_locked(&o);
}

struct iscsi_account *iscsi_account_nth_locked(struct list_head *list,
						unsigned int n)
{
	struct iscsi_account *acc;

	lockdep_assert_held(&iscsi_mutex);
	list_for_each_entry(acc, list, entry)
		if (!n--)
			return acc;
	return NULL;
}

/* A target without allowed_portal accepts every portal */
bool iscsi_portal_allowed_locked(struct iscsi_target *t,
				 const char *local_addr)
{
	struct iscsi_account *p;

	lockdep_assert_held(&iscsi_mutex);
	if (list_empty(&t->allowed_portals))
		return true;
	list_for_each_entry(p, &t->allowed_portals, entry)
		if (scst_wildcard_match(p->user, local_addr))
			return true;
	return false;
}

/* ------------------------------------------------------------------
 * Driver management verbs: the (add|del)_(target_)attribute family
 */

/* "IncomingUser", "IncomingUser3", ... -> kind; -1 if unknown here */
static int iscsi_cfg_kind_parse(const char *attr, bool tgt_level)
{
	int k, last = tgt_level ? ISCSI_CFG_PORTAL : ISCSI_CFG_OUTGOING;
	size_t len;

	for (k = 0; k <= last; k++) {
		len = strlen(iscsi_cfg_base[k]);
		if (strncmp(attr, iscsi_cfg_base[k], len))
			continue;
		/* A numeric suffix (a file name read back) is accepted */
		while (isdigit((unsigned char)attr[len]))
			len++;
		if (!attr[len])
			return k;
	}
	return -1;
}

/* 1..max-1 bytes without blanks or control characters */
static bool iscsi_cfg_word_ok(const char *s, size_t max)
{
	size_t len = strnlen(s, max), i;

	if (!len || len >= max)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return false;
	return true;
}

struct iscsi_cfg_cmd {
	bool add;
	bool tgt_level;
	const char *verb;
	const char *tgt_name;
	const char *attr;
	enum iscsi_cfg_kind kind;
	const char *value;	/* user name or portal pattern */
	const char *secret;
};

static int iscsi_cfg_cmd_check(struct iscsi_cfg_cmd *c, const char *v2,
			       const char *extra)
{
	bool user = c->kind != ISCSI_CFG_PORTAL;

	if (*extra || (!user && *v2) || (user && c->add && !*v2)) {
		pr_err("%s: usage: %s %s%s%s\n", c->verb, c->verb,
		       c->tgt_level ? "TARGET " : "", c->attr,
		       !user ? " PATTERN" : c->add ? " USER SECRET" : " USER");
		return -EINVAL;
	}
	if (!user) {
		if (!iscsi_cfg_word_ok(c->value, ISCSI_ADDR_LEN)) {
			pr_err("%s: invalid portal pattern \"%.64s\"\n",
			       c->verb, c->value);
			return -EINVAL;
		}
		return 0;
	}
	if (!iscsi_cfg_word_ok(c->value, ISCSI_CHAP_NAME_LEN)) {
		pr_err("%s: invalid user name \"%.64s\" (1..%d characters, no blanks)\n",
		       c->verb, c->value, ISCSI_CHAP_NAME_LEN - 1);
		return -EINVAL;
	}
	/* del accepts "USER SECRET" too, as read back from the file */
	if (c->add) {
		if (!iscsi_cfg_word_ok(v2, ISCSI_CHAP_SECRET_LEN)) {
			pr_err("%s: invalid secret for %s (1..%d characters, no blanks)\n",
			       c->verb, c->value, ISCSI_CHAP_SECRET_LEN - 1);
			return -EINVAL;
		}
		c->secret = v2;
	}
	return 0;
}

static int iscsi_cfg_cmd_parse(char *p, struct iscsi_cfg_cmd *c)
{
	char *v2, *extra;
	int kind;

	c->verb = scst_next_lexem(&p);
	if (!strcasecmp(c->verb, "add_attribute")) {
		c->add = true;
	} else if (!strcasecmp(c->verb, "del_attribute")) {
		c->add = false;
	} else if (!strcasecmp(c->verb, "add_target_attribute")) {
		c->add = true;
		c->tgt_level = true;
	} else if (!strcasecmp(c->verb, "del_target_attribute")) {
		c->tgt_level = true;
	} else {
		pr_err("unknown command \"%.64s\"\n", c->verb);
		return -EINVAL;
	}
	if (c->tgt_level)
		c->tgt_name = scst_next_lexem(&p);
	c->attr = scst_next_lexem(&p);
	c->value = scst_next_lexem(&p);
	v2 = scst_next_lexem(&p);
	extra = scst_next_lexem(&p);

	kind = iscsi_cfg_kind_parse(c->attr, c->tgt_level);
	if (kind < 0 || (c->tgt_level && !*c->tgt_name)) {
		pr_err("%s: unknown attribute \"%.64s\" or target name missing\n",
		       c->verb, c->attr);
		return -EINVAL;
	}
	c->kind = kind;
	return iscsi_cfg_cmd_check(c, v2, extra);
}

ssize_t iscsi_mgmt_cmd(char *cmd)
{
	struct iscsi_cfg_cmd c = { };
	struct iscsi_cfg_owner o;
	struct iscsi_target *t;
	int rc;

	rc = iscsi_cfg_cmd_parse(cmd, &c);
	if (rc)
		return rc;

	mutex_lock(&iscsi_mutex);
	if (c.tgt_level) {
		t = iscsi_target_by_name_locked(c.tgt_name);
		if (!t) {
			pr_err("%s: no target %s\n", c.verb, c.tgt_name);
			rc = -ENOENT;
			goto out;
		}
		iscsi_target_owner(t, &o);
	} else {
		iscsi_drv_owner(&o);
	}
	if (c.add)
		rc = iscsi_cfg_add_locked(&o, c.kind, c.value, c.secret);
	else
		rc = iscsi_cfg_del_locked(&o, c.kind, c.value);
	if (!rc)
		iscsi_post_event(ISCSI_EV_TARGET_CHANGED, o.tid, 0, 0, o.name);
out:
	mutex_unlock(&iscsi_mutex);
	return rc;
}

/* ------------------------------------------------------------------
 * Targets
 */

struct iscsi_target *iscsi_target_lookup_locked(u32 tid)
{
	struct iscsi_target *t;

	lockdep_assert_held(&iscsi_mutex);
	list_for_each_entry(t, &iscsi_targets, target_list_entry)
		if (t->tid == tid)
			return t;
	return NULL;
}

struct iscsi_target *iscsi_target_by_name_locked(const char *name)
{
	struct iscsi_target *t;

	lockdep_assert_held(&iscsi_mutex);
	list_for_each_entry(t, &iscsi_targets, target_list_entry)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* The target with the smallest tid above tid (the list is sorted) */
struct iscsi_target *iscsi_target_next_locked(u32 tid)
{
	struct iscsi_target *t;

	lockdep_assert_held(&iscsi_mutex);
	list_for_each_entry(t, &iscsi_targets, target_list_entry)
		if (t->tid > tid)
			return t;
	return NULL;
}

/* What the target offers at login, plus the keys we do not negotiate */
void iscsi_target_offer(struct iscsi_target *t, u32 *params)
{
	spin_lock(&iscsi_param_lock);
	memcpy(params, t->params, sizeof(t->params));
	spin_unlock(&iscsi_param_lock);
}

static struct iscsi_target *iscsi_target_alloc(const char *name)
{
	struct iscsi_target *t;
	unsigned int i;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	if (strscpy(t->name, name, sizeof(t->name)) < 0) {
		pr_err("add_target: target name %.64s... is longer than %d bytes\n",
		       name, ISCSI_NAME_LEN - 1);
		kfree(t);
		return ERR_PTR(-EINVAL);
	}
	INIT_LIST_HEAD(&t->target_list_entry);
	INIT_LIST_HEAD(&t->session_list);
	INIT_LIST_HEAD(&t->incoming_users);
	INIT_LIST_HEAD(&t->outgoing_users);
	INIT_LIST_HEAD(&t->allowed_portals);
	INIT_LIST_HEAD(&t->attr_list);
	for (i = 0; i < ISCSI_NR_TGT_PARAMS; i++)
		t->params[iscsi_tgt_params[i].idx] = iscsi_tgt_params[i].def;
	strscpy(t->digest_text[0], "None", sizeof(t->digest_text[0]));
	strscpy(t->digest_text[1], "None", sizeof(t->digest_text[1]));
	/* Offered as is; the daemon negotiates them (RFC 7143 13) */
	t->params[ISCSI_P_DATA_PDU_IN_ORDER] = 1;
	t->params[ISCSI_P_DATA_SEQUENCE_IN_ORDER] = 1;
	t->params[ISCSI_P_ERROR_RECOVERY_LEVEL] = 0;
	t->params[ISCSI_P_MAX_CONNECTIONS] = 1;
	t->params[ISCSI_P_DEFAULT_TIME2WAIT] = 0;
	t->params[ISCSI_P_DEFAULT_TIME2RETAIN] = 0;
	return t;
}

/* Apply "Key=Value; ..." of add_target to a new target */
static int iscsi_target_apply_params(struct iscsi_target *t, char *params)
{
	struct scst_param pv[ISCSI_NR_TGT_PARAMS];
	const char *bad = NULL;
	int n, i, rc;
	u32 v;

	if (!params)
		return 0;
	n = scst_parse_params(params, iscsi_tgt_param_names, pv,
			      ARRAY_SIZE(pv), &bad);
	if (n < 0) {
		pr_err("add_target %s: invalid parameter \"%.64s\"\n", t->name,
		       bad ? bad : "");
		return n;
	}
	/* Validate everything before changing anything */
	for (i = 0; i < n; i++) {
		rc = iscsi_param_parse(&iscsi_tgt_params[pv[i].idx],
				       pv[i].value, &v);
		if (rc)
			return rc;
	}
	for (i = 0; i < n; i++) {
		iscsi_param_parse(&iscsi_tgt_params[pv[i].idx], pv[i].value,
				  &v);
		iscsi_param_set(t, &iscsi_tgt_params[pv[i].idx], v,
				pv[i].value);
	}
	return 0;
}

static u32 iscsi_tid_alloc_locked(void)
{
	do {
		iscsi_next_tid++;
	} while (!iscsi_next_tid || iscsi_target_lookup_locked(iscsi_next_tid));
	return iscsi_next_tid;
}

ssize_t iscsi_add_target(const char *name, char *params)
{
	struct scst_tgt *scst_tgt;
	struct iscsi_target *t;
	int rc;

	t = iscsi_target_alloc(name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	rc = iscsi_target_apply_params(t, params);
	if (rc)
		goto free;

	/*
	 * Not under iscsi_mutex: on failure the core removes the directory,
	 * waiting for our show() callbacks, which take the mutex.  The core
	 * refuses duplicate names, and add_target/del_target run one at a
	 * time in its management thread.
	 */
	scst_tgt = scst_register_target(&iscsi_template, name);
	if (IS_ERR(scst_tgt)) {
		rc = PTR_ERR(scst_tgt);
		goto free;
	}
	mutex_lock(&iscsi_mutex);
	t->scst_tgt = scst_tgt;
	t->tid = iscsi_tid_alloc_locked();
	/* tids only grow: appending keeps the list sorted */
	list_add_tail(&t->target_list_entry, &iscsi_targets);
	/* Publishes t to the lock-free sysfs callbacks */
	smp_store_release(&scst_tgt->tgt_priv, t);
	iscsi_post_event(ISCSI_EV_TARGET_ADDED, t->tid, 0, 0, t->name);
	pr_info("target %s added (tid %u)\n", t->name, t->tid);
	mutex_unlock(&iscsi_mutex);
	return 0;

free:
	kfree(t);
	return rc;
}

bool iscsi_target_closed_wait(struct iscsi_target *t, long timeout)
{
	return wait_event_timeout(iscsi_sess_gone_wq,
				  list_empty_careful(&t->session_list),
				  timeout) != 0;
}

/*
 * End every session of t: ask the initiators to log out first if
 * graceful, then drop what is left, and wait until all are gone.  t must
 * not accept new sessions any more (disabled or unlisted).
 */
static void iscsi_target_close_sessions(struct iscsi_target *t, bool graceful)
{
	if (graceful) {
		mutex_lock(&iscsi_mutex);
		iscsi_target_close_conns_locked(t, ISCSI_CLOSE_LOGOUT_REQUEST);
		mutex_unlock(&iscsi_mutex);
		if (iscsi_target_closed_wait(t, ISCSI_LOGOUT_GRACE))
			return;
	}
	mutex_lock(&iscsi_mutex);
	iscsi_target_close_conns_locked(t, ISCSI_CLOSE_NOW);
	mutex_unlock(&iscsi_mutex);
	while (!iscsi_target_closed_wait(t, 30 * HZ))
		pr_info("target %s: still waiting for its sessions to end\n",
			t->name);
}

/* t is no longer listed; its sysfs files of accounts are gone */
static void iscsi_target_destroy(struct iscsi_target *t, bool graceful)
{
	iscsi_target_close_sessions(t, graceful);
	scst_unregister_target(t->scst_tgt);
	iscsi_post_event(ISCSI_EV_TARGET_REMOVED, t->tid, 0, 0, t->name);
	pr_info("target %s removed (tid %u)\n", t->name, t->tid);
	kfree(t);
}

/* Unlist t so that no login, lookup or mgmt command finds it any more */
static void iscsi_target_unlist_locked(struct iscsi_target *t)
{
	struct iscsi_cfg_owner o;

	lockdep_assert_held(&iscsi_mutex);
	list_del_init(&t->target_list_entry);
	WRITE_ONCE(t->enabled, false);
	iscsi_target_owner(t, &o);
	iscsi_cfg_del_all_locked(&o);
}

ssize_t iscsi_del_target(const char *name)
{
	struct iscsi_target *t;

	mutex_lock(&iscsi_mutex);
	t = iscsi_target_by_name_locked(name);
	if (t)
		iscsi_target_unlist_locked(t);
	mutex_unlock(&iscsi_mutex);
	if (!t) {
		pr_err("del_target: no target %s\n", name);
		return -ENOENT;
	}
	iscsi_target_destroy(t, true);
	return 0;
}

/* Module unload: drop every connection at once, then remove targets */
void iscsi_target_destroy_all(void)
{
	struct iscsi_target *t;

	mutex_lock(&iscsi_mutex);
	list_for_each_entry(t, &iscsi_targets, target_list_entry)
		iscsi_target_close_conns_locked(t, ISCSI_CLOSE_NOW);
	mutex_unlock(&iscsi_mutex);

	for (;;) {
		mutex_lock(&iscsi_mutex);
		t = list_first_entry_or_null(&iscsi_targets,
					     struct iscsi_target,
					     target_list_entry);
		if (t)
			iscsi_target_unlist_locked(t);
		mutex_unlock(&iscsi_mutex);
		if (!t)
			break;
		iscsi_target_destroy(t, false);
	}
}

/*
 * The core calls enable_target() from its management thread and waits for
 * the target's management work before unregistering it, so t stays valid
 * here even while we wait for sessions with iscsi_mutex dropped.
 */
int iscsi_enable_target(struct scst_tgt *scst_tgt, bool enable)
{
	struct iscsi_target *t;

	mutex_lock(&iscsi_mutex);
	t = scst_tgt_get_tgt_priv(scst_tgt);
	if (!t || list_empty(&t->target_list_entry)) {
		mutex_unlock(&iscsi_mutex);
		return -ENOENT;
	}
	if (t->enabled != enable) {
		WRITE_ONCE(t->enabled, enable);
		iscsi_post_event(ISCSI_EV_TARGET_CHANGED, t->tid, 0, 0,
				 t->name);
		pr_info("target %s %s\n", t->name,
			enable ? "enabled" : "disabled");
	}
	mutex_unlock(&iscsi_mutex);

	if (!enable)
		iscsi_target_close_sessions(t, true);
	return 0;
}

bool iscsi_is_target_enabled(struct scst_tgt *scst_tgt)
{
	struct iscsi_target *t;

	/* Pairs with smp_store_release() in iscsi_add_target() */
	t = smp_load_acquire(&scst_tgt->tgt_priv);
	return t && READ_ONCE(t->enabled);
}
