// SPDX-License-Identifier: GPL-2.0
/*
 * fake.c - a stand-in for iscsi-scst.ko, for testing the daemon on a host
 * that cannot load the module (ISCSI_SCSTD_FAKE_KERNEL=<file>).  It
 * answers the ioctls of iscsi_scst.h from a small text file, re-read
 * whenever it changes, so a test can enable/disable targets on the fly.
 * ISCSI_IOC_LOGIN_DONE only logs its arguments; the daemon then closes the
 * connection after the final Login Response.
 *
 * File format, one directive per line, '#' starts a comment:
 *
 * Global directives come before the first target.
 *
 *   driver_enabled 0|1            (default 1)
 *   max_data_seg_len N            (ISCSI_IOC_REGISTER, default 1048576)
 *   max_queued_cmds N             (default 2048)
 *   discovery_incoming USER SECRET
 *   discovery_outgoing USER SECRET
 *   discovery_deny INITIATOR      (ISCSI_IOC_ACCESS tid 0: -EACCES)
 *   target NAME [TID]             (the following lines belong to it)
 *     enabled 0|1                 (default 1)
 *     alias TEXT
 *     param KEY VALUE             (HeaderDigest CRC32C,None / numbers /
 *                                  Yes, No)
 *     incoming USER SECRET
 *     outgoing USER SECRET
 *     allow INITIATOR             (if any: only these may log in)
 *     deny INITIATOR              (-EACCES, like "no LUN for it")
 *     portal ADDR                 (allowed_portal: local address must match)
 *     login_errno N               (ISCSI_IOC_LOGIN_DONE fails with -N)
 *     login_delay_ms N            (ISCSI_IOC_LOGIN_DONE takes that long,
 *                                  like a session reinstatement)
 *
 * ISCSI_IOC_LOGIN_DONE runs in a thread of the daemon, so every call is
 * serialised by fake_lock (the delay is spent outside it).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "../include/iscsi_scst.h"
#include "kern.h"
#include "log.h"

#define FAKE_MAX_LIST	16

struct fake_account {
	char user[ISCSI_CHAP_NAME_LEN];
	char secret[ISCSI_CHAP_SECRET_LEN];
};

struct fake_names {
	char name[FAKE_MAX_LIST][ISCSI_NAME_LEN];
	int n;
};

struct fake_target {
	struct iscsi_ioc_target t;
	struct fake_account in[FAKE_MAX_LIST];
	int nin;
	struct fake_account out;
	bool has_out;
	struct fake_names allow, deny, portals;
	int login_errno;
	int login_delay_ms;
};

struct fake_config {
	bool drv_enabled;
	uint32_t max_dsl, max_queued;
	struct fake_account din[FAKE_MAX_LIST];
	int ndin;
	struct fake_account dout;
	bool has_dout;
	struct fake_names ddeny;
	struct fake_target *tg;
	int ntg;
};

struct fake_kernel {
	char *path;
	struct stat st;
	struct fake_config cfg;
	uint16_t next_tsih;
};

static void default_params(uint32_t *p, uint32_t max_dsl)
{
	memset(p, 0, ISCSI_P_COUNT * sizeof(*p));
	/* the defaults of the classic iscsi-scst */
	p[ISCSI_P_INITIAL_R2T] = 0;
	p[ISCSI_P_IMMEDIATE_DATA] = 1;
	p[ISCSI_P_MAX_BURST_LENGTH] = max_dsl;
	p[ISCSI_P_FIRST_BURST_LENGTH] = 65536;
	p[ISCSI_P_MAX_OUTSTANDING_R2T] = 32;
	p[ISCSI_P_DATA_PDU_IN_ORDER] = 1;
	p[ISCSI_P_DATA_SEQUENCE_IN_ORDER] = 1;
	p[ISCSI_P_MAX_CONNECTIONS] = 1;
	p[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_NONE;
	p[ISCSI_P_DATA_DIGEST] = ISCSI_DIGEST_NONE;
	p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] = max_dsl;
	p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = max_dsl;
	p[ISCSI_P_QUEUED_COMMANDS] = 32;
	p[ISCSI_P_RSP_TIMEOUT] = 90;
	p[ISCSI_P_NOP_IN_INTERVAL] = 30;
	p[ISCSI_P_NOP_IN_TIMEOUT] = 30;
}

static const struct {
	const char *name;
	int idx;
} fake_param_names[] = {
	{ "InitialR2T", ISCSI_P_INITIAL_R2T },
	{ "ImmediateData", ISCSI_P_IMMEDIATE_DATA },
	{ "MaxBurstLength", ISCSI_P_MAX_BURST_LENGTH },
	{ "FirstBurstLength", ISCSI_P_FIRST_BURST_LENGTH },
	{ "MaxOutstandingR2T", ISCSI_P_MAX_OUTSTANDING_R2T },
	{ "DataPDUInOrder", ISCSI_P_DATA_PDU_IN_ORDER },
	{ "DataSequenceInOrder", ISCSI_P_DATA_SEQUENCE_IN_ORDER },
	{ "ErrorRecoveryLevel", ISCSI_P_ERROR_RECOVERY_LEVEL },
	{ "MaxConnections", ISCSI_P_MAX_CONNECTIONS },
	{ "DefaultTime2Wait", ISCSI_P_DEFAULT_TIME2WAIT },
	{ "DefaultTime2Retain", ISCSI_P_DEFAULT_TIME2RETAIN },
	{ "HeaderDigest", ISCSI_P_HEADER_DIGEST },
	{ "DataDigest", ISCSI_P_DATA_DIGEST },
	{ "MaxXmitDataSegmentLength", ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH },
	{ "MaxRecvDataSegmentLength", ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH },
	{ "QueuedCommands", ISCSI_P_QUEUED_COMMANDS },
	{ "RspTimeout", ISCSI_P_RSP_TIMEOUT },
	{ "NopInInterval", ISCSI_P_NOP_IN_INTERVAL },
	{ "NopInTimeout", ISCSI_P_NOP_IN_TIMEOUT },
	{ "MaxSessions", ISCSI_P_MAX_SESSIONS },
};

static int parse_param(uint32_t *p, const char *key, const char *val)
{
	size_t i;
	int idx = -1;

	for (i = 0; i < sizeof(fake_param_names) / sizeof(fake_param_names[0]);
	     i++)
		if (!strcmp(fake_param_names[i].name, key))
			idx = fake_param_names[i].idx;
	if (idx < 0)
		return -1;
	if (idx == ISCSI_P_HEADER_DIGEST || idx == ISCSI_P_DATA_DIGEST) {
		p[idx] = (strstr(val, "None") ? ISCSI_DIGEST_NONE : 0) |
			 (strstr(val, "CRC32C") ? ISCSI_DIGEST_CRC32C : 0);
		return p[idx] ? 0 : -1;
	}
	if (!strcmp(val, "Yes") || !strcmp(val, "No")) {
		p[idx] = val[0] == 'Y';
		return 0;
	}
	p[idx] = strtoul(val, NULL, 0);
	return 0;
}

static int add_name(struct fake_names *l, const char *name)
{
	if (!name || l->n >= FAKE_MAX_LIST)
		return -1;
	snprintf(l->name[l->n++], ISCSI_NAME_LEN, "%s", name);
	return 0;
}

static bool has_name(const struct fake_names *l, const char *name)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return true;
	return false;
}

static int set_account(struct fake_account *a, const char *u, const char *s)
{
	if (!u || !s)
		return -1;
	snprintf(a->user, sizeof(a->user), "%s", u);
	snprintf(a->secret, sizeof(a->secret), "%s", s);
	return 0;
}

static int parse_target_line(struct fake_config *cfg, struct fake_target *t,
			     const char *kw, char *a1, char *a2, char *rest)
{
	if (!strcmp(kw, "enabled") && a1) {
		t->t.enabled = atoi(a1);
	} else if (!strcmp(kw, "alias") && rest) {
		snprintf(t->t.alias, sizeof(t->t.alias), "%s", rest);
	} else if (!strcmp(kw, "param") && a1 && a2) {
		return parse_param(t->t.params, a1, a2);
	} else if (!strcmp(kw, "incoming")) {
		if (t->nin >= FAKE_MAX_LIST)
			return -1;
		return set_account(&t->in[t->nin++], a1, a2);
	} else if (!strcmp(kw, "outgoing")) {
		t->has_out = true;
		return set_account(&t->out, a1, a2);
	} else if (!strcmp(kw, "allow")) {
		return add_name(&t->allow, a1);
	} else if (!strcmp(kw, "deny")) {
		return add_name(&t->deny, a1);
	} else if (!strcmp(kw, "portal")) {
		return add_name(&t->portals, a1);
	} else if (!strcmp(kw, "login_errno") && a1) {
		t->login_errno = atoi(a1);
	} else if (!strcmp(kw, "login_delay_ms") && a1) {
		t->login_delay_ms = atoi(a1);
	} else {
		return -1;
	}
	(void)cfg;
	return 0;
}

static int new_target(struct fake_config *cfg, const char *name,
		      const char *tid)
{
	struct fake_target *t;

	if (!name || strlen(name) >= ISCSI_NAME_LEN)
		return -1;
	t = realloc(cfg->tg, (cfg->ntg + 1) * sizeof(*t));
	if (!t)
		return -1;
	cfg->tg = t;
	t = &cfg->tg[cfg->ntg];
	memset(t, 0, sizeof(*t));
	t->t.tid = tid ? strtoul(tid, NULL, 0) : (uint32_t)cfg->ntg + 1;
	t->t.enabled = 1;
	strcpy(t->t.name, name);
	default_params(t->t.params, cfg->max_dsl);
	cfg->ntg++;
	return 0;
}

/* Split a line: keyword, first two words and the rest after the keyword */
static int split_line(char *line, char **kw, char **rest)
{
	char *p = line, *hash = strchr(line, '#'), *e;

	if (hash)
		*hash = '\0';
	e = line + strlen(line);
	while (e > line && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
			    e[-1] == '\t'))
		*--e = '\0';
	*kw = *rest = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	*kw = p;
	p += strcspn(p, " \t");
	if (!*p)
		return 1;
	*p++ = '\0';
	p += strspn(p, " \t");
	if (!*p)
		return 1;
	*rest = p;
	return 1;
}

/* The first two words of rest, split in a copy (rest stays whole) */
static void parse_words(const char *rest, char *copy, size_t len, char **a1,
			char **a2)
{
	char *save;

	*a1 = *a2 = NULL;
	if (!rest)
		return;
	snprintf(copy, len, "%s", rest);
	*a1 = strtok_r(copy, " \t", &save);
	if (*a1)
		*a2 = strtok_r(NULL, " \t", &save);
}

static int parse_global(struct fake_config *cfg, const char *kw, char *a1,
			char *a2)
{
	if (!strcmp(kw, "driver_enabled") && a1)
		cfg->drv_enabled = atoi(a1);
	else if (!strcmp(kw, "max_data_seg_len") && a1)
		cfg->max_dsl = strtoul(a1, NULL, 0);
	else if (!strcmp(kw, "max_queued_cmds") && a1)
		cfg->max_queued = strtoul(a1, NULL, 0);
	else if (!strcmp(kw, "discovery_incoming") && cfg->ndin < FAKE_MAX_LIST)
		return set_account(&cfg->din[cfg->ndin++], a1, a2);
	else if (!strcmp(kw, "discovery_outgoing")) {
		cfg->has_dout = true;
		return set_account(&cfg->dout, a1, a2);
	} else if (!strcmp(kw, "discovery_deny"))
		return add_name(&cfg->ddeny, a1);
	else
		return -1;
	return 0;
}

static int fake_parse(const char *path, struct fake_config *cfg)
{
	char line[1024], words[1024], *kw, *a1, *a2, *rest;
	struct fake_target *cur = NULL;
	int lineno = 0, err = 0;
	FILE *f = fopen(path, "r");

	memset(cfg, 0, sizeof(*cfg));
	cfg->drv_enabled = true;
	cfg->max_dsl = 1048576;
	cfg->max_queued = 2048;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		if (!split_line(line, &kw, &rest))
			continue;
		parse_words(rest, words, sizeof(words), &a1, &a2);
		if (!strcmp(kw, "target")) {
			err = new_target(cfg, a1, a2);
			cur = err ? NULL : &cfg->tg[cfg->ntg - 1];
		} else if (cur) {
			err = parse_target_line(cfg, cur, kw, a1, a2, rest);
		} else {
			err = parse_global(cfg, kw, a1, a2);
		}
		if (err) {
			log_err("%s:%d: cannot parse \"%s\"", path, lineno, kw);
			err = -EINVAL;
			break;
		}
	}
	fclose(f);
	if (err) {
		free(cfg->tg);
		cfg->tg = NULL;
		cfg->ntg = 0;
	}
	return err;
}

/* Re-read the file when it changed */
static int fake_refresh(struct fake_kernel *f)
{
	struct fake_config cfg;
	struct stat st;
	int err;

	if (stat(f->path, &st))
		return -errno;
	if (st.st_ino == f->st.st_ino && st.st_size == f->st.st_size &&
	    st.st_mtim.tv_sec == f->st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == f->st.st_mtim.tv_nsec)
		return 0;
	err = fake_parse(f->path, &cfg);
	if (err)
		return err;
	free(f->cfg.tg);
	f->cfg = cfg;
	f->st = st;
	return 0;
}

struct fake_kernel *fake_open(const char *path, int *err)
{
	struct fake_kernel *f = calloc(1, sizeof(*f));

	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->path = strdup(path);
	f->next_tsih = 1;
	*err = f->path ? fake_refresh(f) : -ENOMEM;
	if (*err) {
		log_err("fake kernel %s: %s", path, strerror(-*err));
		fake_close(f);
		return NULL;
	}
	return f;
}

void fake_close(struct fake_kernel *f)
{
	free(f->cfg.tg);
	free(f->path);
	free(f);
}

uint32_t fake_max_data_seg_len(struct fake_kernel *f)
{
	return f->cfg.max_dsl;
}

uint32_t fake_max_queued_cmds(struct fake_kernel *f)
{
	return f->cfg.max_queued;
}

static struct fake_target *find_tid(struct fake_config *cfg, uint32_t tid)
{
	int i;

	for (i = 0; i < cfg->ntg; i++)
		if (cfg->tg[i].t.tid == tid)
			return &cfg->tg[i];
	return NULL;
}

static void fill_target(const struct fake_config *cfg,
			const struct fake_target *t, struct iscsi_ioc_target *o)
{
	*o = t->t;
	o->drv_enabled = cfg->drv_enabled;
}

static int f_target_next(struct fake_config *cfg, struct iscsi_ioc_target *o)
{
	struct fake_target *best = NULL;
	int i;

	for (i = 0; i < cfg->ntg; i++)
		if (cfg->tg[i].t.tid > o->tid &&
		    (!best || cfg->tg[i].t.tid < best->t.tid))
			best = &cfg->tg[i];
	if (!best)
		return -ENOENT;
	fill_target(cfg, best, o);
	return 0;
}

static int f_target_by_name(struct fake_config *cfg,
			    struct iscsi_ioc_target *o)
{
	int i;

	if (!memchr(o->name, '\0', sizeof(o->name)))
		return -EINVAL;
	for (i = 0; i < cfg->ntg; i++)
		if (!strcmp(cfg->tg[i].t.name, o->name)) {
			fill_target(cfg, &cfg->tg[i], o);
			return 0;
		}
	return -ENOENT;
}

static int f_access(struct fake_config *cfg, struct iscsi_ioc_access *a)
{
	struct fake_target *t;

	if (!memchr(a->initiator, '\0', sizeof(a->initiator)) ||
	    !memchr(a->local_addr, '\0', sizeof(a->local_addr)))
		return -EINVAL;
	if (!a->tid) {
		if (!cfg->drv_enabled)
			return -ENODEV;
		return has_name(&cfg->ddeny, a->initiator) ? -EACCES : 0;
	}
	t = find_tid(cfg, a->tid);
	if (!t)
		return -ENOENT;
	if (!cfg->drv_enabled || !t->t.enabled)
		return -ENODEV;
	if (t->portals.n && !has_name(&t->portals, a->local_addr))
		return -EACCES;
	if (t->allow.n && !has_name(&t->allow, a->initiator))
		return -EACCES;
	if (has_name(&t->deny, a->initiator))
		return -EACCES;
	return 0;
}

static int f_auth(struct fake_config *cfg, struct iscsi_ioc_auth *a)
{
	const struct fake_account *list, *one;
	struct fake_target *t = NULL;
	int n;

	if (a->tid) {
		t = find_tid(cfg, a->tid);
		if (!t)
			return -ENOENT;
	}
	list = t ? t->in : cfg->din;
	n = t ? t->nin : cfg->ndin;
	one = t ? (t->has_out ? &t->out : NULL) :
		  (cfg->has_dout ? &cfg->dout : NULL);
	if (a->dir == ISCSI_AUTH_INCOMING) {
		if (a->index >= (uint32_t)n)
			return -ENOENT;
		one = &list[a->index];
	} else if (a->dir != ISCSI_AUTH_OUTGOING) {
		return -EINVAL;
	} else if (a->index || !one) {
		return -ENOENT;
	}
	memcpy(a->user, one->user, sizeof(a->user));
	memcpy(a->secret, one->secret, sizeof(a->secret));
	return 0;
}

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

static int f_login_done(struct fake_kernel *f,
			struct iscsi_ioc_login_done *ld, int *delay_ms)
{
	struct fake_target *t = find_tid(&f->cfg, ld->tid);
	const uint32_t *p = ld->params;

	log_info("fake kernel: LOGIN_DONE tid=%u fd=%d isid=%02x%02x%02x%02x%02x%02x "
		 "tsih=%u cid=%u exp_cmd_sn=%u stat_sn=%u exp_stat_sn=%u "
		 "initiator=%s alias=%s", ld->tid, ld->fd, ld->isid[0],
		 ld->isid[1], ld->isid[2], ld->isid[3], ld->isid[4],
		 ld->isid[5], ld->tsih, ld->cid, ld->exp_cmd_sn, ld->stat_sn,
		 ld->exp_stat_sn, ld->initiator, ld->initiator_alias);
	log_info("fake kernel: params InitialR2T=%u ImmediateData=%u "
		 "MaxBurstLength=%u FirstBurstLength=%u MaxOutstandingR2T=%u "
		 "DataPDUInOrder=%u DataSequenceInOrder=%u "
		 "ErrorRecoveryLevel=%u MaxConnections=%u DefaultTime2Wait=%u "
		 "DefaultTime2Retain=%u HeaderDigest=%u DataDigest=%u "
		 "MaxXmitDSL=%u MaxRecvDSL=%u QueuedCommands=%u",
		 p[ISCSI_P_INITIAL_R2T], p[ISCSI_P_IMMEDIATE_DATA],
		 p[ISCSI_P_MAX_BURST_LENGTH], p[ISCSI_P_FIRST_BURST_LENGTH],
		 p[ISCSI_P_MAX_OUTSTANDING_R2T], p[ISCSI_P_DATA_PDU_IN_ORDER],
		 p[ISCSI_P_DATA_SEQUENCE_IN_ORDER],
		 p[ISCSI_P_ERROR_RECOVERY_LEVEL], p[ISCSI_P_MAX_CONNECTIONS],
		 p[ISCSI_P_DEFAULT_TIME2WAIT], p[ISCSI_P_DEFAULT_TIME2RETAIN],
		 p[ISCSI_P_HEADER_DIGEST], p[ISCSI_P_DATA_DIGEST],
		 p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH],
		 p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH],
		 p[ISCSI_P_QUEUED_COMMANDS]);
	if (!t)
		return -ENOENT;
	*delay_ms = t->login_delay_ms;
	if (t->login_errno)
		return -t->login_errno;
	if (ld->tsih)
		return -ENOENT;		/* the fake keeps no sessions */
	ld->tsih = f->next_tsih++;
	if (!f->next_tsih)
		f->next_tsih = 1;
	return 0;
}

static int fake_call_locked(struct fake_kernel *f, unsigned long req,
			    void *arg, int *delay_ms)
{
	int err = fake_refresh(f);

	if (err)
		log_warn("fake kernel: %s unusable (%s), using the last "
			 "good version", f->path, strerror(-err));
	switch (req) {
	case ISCSI_IOC_TARGET_NEXT:
		return f_target_next(&f->cfg, arg);
	case ISCSI_IOC_TARGET_BY_NAME:
		return f_target_by_name(&f->cfg, arg);
	case ISCSI_IOC_ACCESS:
		return f_access(&f->cfg, arg);
	case ISCSI_IOC_AUTH:
		return f_auth(&f->cfg, arg);
	case ISCSI_IOC_LOGIN_DONE:
		return f_login_done(f, arg, delay_ms);
	default:
		return -ENOTTY;
	}
}

int fake_call(struct fake_kernel *f, unsigned long req, void *arg)
{
	struct timespec ts;
	int delay_ms = 0, ret;

	pthread_mutex_lock(&fake_lock);
	ret = fake_call_locked(f, req, arg, &delay_ms);
	pthread_mutex_unlock(&fake_lock);
	if (delay_ms > 0) {
		ts.tv_sec = delay_ms / 1000;
		ts.tv_nsec = (delay_ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
	}
	return ret;
}
