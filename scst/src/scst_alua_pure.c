// SPDX-License-Identifier: GPL-2.0
/*
 * ALUA (SPC-4 5.16) logic shared by scst.ko and the host unit tests.
 *
 * Only implicit ALUA is offered (TPGS 01b): the administrator changes
 * the asymmetric access states through sysfs; SET TARGET PORT GROUPS is
 * not supported.
 */

#include "scst_alua_pure.h"

/* SPC-4 asymmetric access state -> sysfs name (as classic SCST spells it) */
static const struct {
	u8 state;
	const char *name;
} scst_alua_states[] = {
	{ SCST_ALUA_OPTIMIZED, "active" },
	{ SCST_ALUA_NONOPTIMIZED, "nonoptimized" },
	{ SCST_ALUA_STANDBY, "standby" },
	{ SCST_ALUA_UNAVAILABLE, "unavailable" },
	{ SCST_ALUA_OFFLINE, "offline" },
	{ SCST_ALUA_TRANSITIONING, "transitioning" },
};

const char *scst_alua_state_name(u8 state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scst_alua_states); i++)
		if (scst_alua_states[i].state == state)
			return scst_alua_states[i].name;
	return NULL;
}
EXPORT_SYMBOL_GPL(scst_alua_state_name);

int scst_alua_state_parse(const char *name, u8 *state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scst_alua_states); i++) {
		if (!strcmp(scst_alua_states[i].name, name)) {
			*state = scst_alua_states[i].state;
			return 0;
		}
	}
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(scst_alua_state_parse);

#define SCST_SA(cdb)		((cdb)[1] & 0x1f)
/* READ BUFFER / WRITE BUFFER MODE field: echo buffer */
#define SCST_BUF_MODE_ECHO	0x0a

/* Commands every state except the active ones must still execute */
static bool scst_alua_always_allowed(const u8 *cdb, unsigned int cdb_len)
{
	switch (cdb[0]) {
	case INQUIRY:
	case REPORT_LUNS:
	case REQUEST_SENSE:
		return true;
	case MAINTENANCE_IN:
		return cdb_len > 1 && SCST_SA(cdb) == MI_REPORT_TARGET_PGS;
	default:
		return false;
	}
}

/* SPC-4 5.16.2.4.5: unavailable also allows STPG and the echo buffer */
static bool scst_alua_unavail_allowed(const u8 *cdb, unsigned int cdb_len)
{
	switch (cdb[0]) {
	case MAINTENANCE_OUT:
		return cdb_len > 1 && SCST_SA(cdb) == MO_SET_TARGET_PGS;
	case READ_BUFFER:
	case WRITE_BUFFER:
		return cdb_len > 1 && (cdb[1] & 0x1f) == SCST_BUF_MODE_ECHO;
	default:
		return false;
	}
}

/* SPC-4 5.16.2.4.4: standby additionally allows these */
static bool scst_alua_standby_allowed(const u8 *cdb)
{
	switch (cdb[0]) {
	case LOG_SELECT:
	case LOG_SENSE:
	case MODE_SELECT:
	case MODE_SELECT_10:
	case MODE_SENSE:
	case MODE_SENSE_10:
	case RECEIVE_DIAGNOSTIC:
	case SEND_DIAGNOSTIC:
	case PERSISTENT_RESERVE_IN:
	case PERSISTENT_RESERVE_OUT:
		return true;
	default:
		return false;
	}
}

bool scst_alua_cmd_allowed(u8 state, const u8 *cdb, unsigned int cdb_len,
			   u8 *asc, u8 *ascq)
{
	bool ok;

	if (state == SCST_ALUA_OPTIMIZED || state == SCST_ALUA_NONOPTIMIZED)
		return true;
	if (!cdb_len)
		return true;
	ok = scst_alua_always_allowed(cdb, cdb_len);
	*asc = 0x04;		/* LOGICAL UNIT NOT ACCESSIBLE, ... */
	switch (state) {
	case SCST_ALUA_STANDBY:
		ok = ok || scst_alua_unavail_allowed(cdb, cdb_len) ||
		     scst_alua_standby_allowed(cdb);
		*ascq = 0x0b;	/* TARGET PORT IN STANDBY STATE */
		break;
	case SCST_ALUA_UNAVAILABLE:
		ok = ok || scst_alua_unavail_allowed(cdb, cdb_len);
		*ascq = 0x0c;	/* TARGET PORT IN UNAVAILABLE STATE */
		break;
	case SCST_ALUA_TRANSITIONING:
		*ascq = 0x0a;	/* ASYMMETRIC ACCESS STATE TRANSITION */
		break;
	default:
		/* offline: the port is not usable; answer as unavailable */
		*ascq = 0x0c;
		break;
	}
	return ok;
}
EXPORT_SYMBOL_GPL(scst_alua_cmd_allowed);

/* SUPPORTED STATES: T_SUP, O_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP */
#define SCST_ALUA_SUP_STATES	0xcf
#define SCST_RTPG_DESC_LEN	8
#define SCST_RTPG_PORT_LEN	4

static void scst_put(u8 *buf, u32 buflen, u32 off, u8 val)
{
	if (off < buflen)
		buf[off] = val;
}

static void scst_put16(u8 *buf, u32 buflen, u32 off, u16 val)
{
	scst_put(buf, buflen, off, val >> 8);
	scst_put(buf, buflen, off + 1, val & 0xff);
}

int scst_alua_parse_stpg(const u8 *buf, unsigned int len,
			 struct scst_alua_stpg_desc *descs, unsigned int max,
			 unsigned int *err_off)
{
	unsigned int i, n, off;
	u8 st;

	/* a list without descriptors (even without header) changes nothing */
	if (len <= 4)
		return 0;
	if ((len - 4) % 4)
		return -EMSGSIZE;
	n = (len - 4) / 4;
	if (n > max)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		off = SCST_STPG_DESC_OFF(i);
		st = buf[off] & 0x0f;
		switch (st) {
		case SCST_ALUA_OPTIMIZED:
		case SCST_ALUA_NONOPTIMIZED:
		case SCST_ALUA_STANDBY:
		case SCST_ALUA_UNAVAILABLE:
			break;
		default:
			*err_off = off;
			return -EINVAL;
		}
		descs[i].state = st;
		descs[i].group_id = buf[off + 2] << 8 | buf[off + 3];
	}
	return n;
}
EXPORT_SYMBOL_GPL(scst_alua_parse_stpg);

u32 scst_alua_build_rtpg(u8 *buf, u32 buflen, bool extended,
			 const struct scst_alua_tpg_info *tpgs,
			 unsigned int ntpgs)
{
	u32 off = extended ? 8 : 4, data_len;
	unsigned int i, j, n;

	for (i = 0; i < ntpgs; i++) {
		const struct scst_alua_tpg_info *t = &tpgs[i];

		n = t->nports < SCST_ALUA_MAX_PORTS_PER_TPG ?
		    t->nports : SCST_ALUA_MAX_PORTS_PER_TPG;
		scst_put(buf, buflen, off,
			 (t->preferred ? 0x80 : 0) | (t->state & 0x0f));
		scst_put(buf, buflen, off + 1, SCST_ALUA_SUP_STATES);
		scst_put16(buf, buflen, off + 2, t->group_id);
		scst_put(buf, buflen, off + 5, t->status);
		scst_put(buf, buflen, off + 7, n);
		off += SCST_RTPG_DESC_LEN;
		for (j = 0; j < n; j++) {
			scst_put16(buf, buflen, off + 2, t->rel_tgt_ids[j]);
			off += SCST_RTPG_PORT_LEN;
		}
	}
	/* RETURN DATA LENGTH: the bytes after itself */
	data_len = off - 4;
	scst_put16(buf, buflen, 0, data_len >> 16);
	scst_put16(buf, buflen, 2, data_len & 0xffff);
	if (extended) {
		/* FORMAT TYPE 001b; IMPLICIT TRANSITION TIME 0: unspecified */
		scst_put(buf, buflen, 4, 0x10);
	}
	return off;
}
EXPORT_SYMBOL_GPL(scst_alua_build_rtpg);
