/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ALUA (SPC-4 5.16) logic without kernel object dependencies, built into
 * scst.ko and into the host unit tests: asymmetric access state names,
 * which commands a target port group in a given state still executes,
 * and REPORT TARGET PORT GROUPS parameter data.
 */
#ifndef __SCST_ALUA_PURE_H
#define __SCST_ALUA_PURE_H

#include "scst_pure_types.h"

/* ASYMMETRIC ACCESS STATE values (SPC-4 table 166) */
#define SCST_ALUA_OPTIMIZED		0x0
#define SCST_ALUA_NONOPTIMIZED		0x1
#define SCST_ALUA_STANDBY		0x2
#define SCST_ALUA_UNAVAILABLE		0x3
#define SCST_ALUA_OFFLINE		0xe
#define SCST_ALUA_TRANSITIONING		0xf

/* Standard INQUIRY byte 5 TPGS field bits */
#define SCST_ALUA_TPGS_IMPLICIT		0x10
#define SCST_ALUA_TPGS_EXPLICIT		0x20

/* RTPG STATUS CODE: why the state last changed */
#define SCST_ALUA_STATUS_NONE		0x00
#define SCST_ALUA_STATUS_EXPLICIT	0x01	/* SET TARGET PORT GROUPS */
#define SCST_ALUA_STATUS_IMPLICIT	0x02	/* the administrator */

/* Largest TARGET PORT COUNT of one descriptor */
#define SCST_ALUA_MAX_PORTS_PER_TPG	255

/* The sysfs name of a state ("active", "standby", ...), NULL if unknown */
const char *scst_alua_state_name(u8 state);
/* Parse a sysfs state name; returns 0 or -EINVAL */
int scst_alua_state_parse(const char *name, u8 *state);

/*
 * May a command run through a target port of a group in this state?
 * Returns true if so; otherwise sets *asc / *ascq of the NOT READY
 * (LOGICAL UNIT NOT ACCESSIBLE, ...) answer and returns false.
 */
bool scst_alua_cmd_allowed(u8 state, const u8 *cdb, unsigned int cdb_len,
			   u8 *asc, u8 *ascq);

/* One target port group as reported by REPORT TARGET PORT GROUPS */
struct scst_alua_tpg_info {
	u16 group_id;
	u8 state;
	u8 status;
	bool preferred;
	unsigned int nports;		/* <= SCST_ALUA_MAX_PORTS_PER_TPG */
	const u16 *rel_tgt_ids;		/* nports relative target port ids */
};

/*
 * Build REPORT TARGET PORT GROUPS parameter data (SPC-4 6.36) for ntpgs
 * groups in buf (buflen bytes, zeroed by the caller), in the length-only
 * (extended false) or the extended header format.  Returns the full length
 * of the parameter data, which may exceed buflen: what does not fit is
 * left out.
 */
u32 scst_alua_build_rtpg(u8 *buf, u32 buflen, bool extended,
			 const struct scst_alua_tpg_info *tpgs,
			 unsigned int ntpgs);

/* One descriptor of SET TARGET PORT GROUPS */
struct scst_alua_stpg_desc {
	u8 state;
	u16 group_id;
};

/* Offset of descriptor i in the STPG parameter list, and of its fields */
#define SCST_STPG_DESC_OFF(i)		(4 + 4 * (i))
#define SCST_STPG_GROUP_ID_OFF		2

/*
 * Decode the SET TARGET PORT GROUPS parameter list (SPC-4 6.44) of len
 * bytes into at most max descriptors.  Returns the number of descriptors;
 * -EMSGSIZE if len does not end on a descriptor boundary (PARAMETER LIST
 * LENGTH ERROR) or holds more than max; -EINVAL with *err_off set to the
 * byte of an ASYMMETRIC ACCESS STATE an initiator may not request
 * (offline, transitioning, reserved values: INVALID FIELD IN PARAMETER
 * LIST).
 */
int scst_alua_parse_stpg(const u8 *buf, unsigned int len,
			 struct scst_alua_stpg_desc *descs, unsigned int max,
			 unsigned int *err_off);

#endif /* __SCST_ALUA_PURE_H */
