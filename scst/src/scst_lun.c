// SPDX-License-Identifier: GPL-2.0
/*
 * Initiator name patterns of access control groups, the encoding of
 * LUNs (SAM-5 4.7) and the I/O grouping rule of nexuses.
 */

#include "scst_pure.h"

static bool scst_char_eq(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

bool scst_wildcard_match(const char *pattern, const char *name)
{
	const char *p = pattern, *n = name;
	const char *star = NULL, *retry = NULL;

	while (*n) {
		if (*p == '*') {
			/* Try an empty match first, extend it on mismatch */
			star = ++p;
			retry = n;
		} else if (*p && (*p == '?' || scst_char_eq(*p, *n))) {
			p++;
			n++;
		} else if (star) {
			p = star;
			n = ++retry;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}
EXPORT_SYMBOL_GPL(scst_wildcard_match);

bool scst_initiator_matches(const char *name, const char *const *patterns,
			    unsigned int n)
{
	bool pos_match = false, has_pos = false, has_neg = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const char *pat = patterns[i];

		if (pat[0] == '!') {
			has_neg = true;
			if (scst_wildcard_match(pat + 1, name))
				return false;
		} else {
			has_pos = true;
			if (!pos_match && scst_wildcard_match(pat, name))
				pos_match = true;
		}
	}
	return pos_match || (!has_pos && has_neg);
}
EXPORT_SYMBOL_GPL(scst_initiator_matches);

/* Address methods, LUN byte 0 bits 7-6 */
#define LUN_AM_PERIPHERAL	0x00
#define LUN_AM_FLAT		0x01

u64 scst_unpack_lun(const u8 *lun, unsigned int len, bool *ok)
{
	u8 b[8] = { 0 };
	unsigned int i;
	u64 res;

	if (!lun || len < 1)
		goto bad;
	memcpy(b, lun, min_t(unsigned int, len, sizeof(b)));

	/* Only a single level: the second to fourth levels must be zero */
	for (i = 2; i < sizeof(b); i++)
		if (b[i])
			goto bad;

	switch (b[0] >> 6) {
	case LUN_AM_PERIPHERAL:
		/* Bus identifier 0 only: no hierarchical addressing */
		if (b[0] & 0x3f)
			goto bad;
		res = b[1];
		break;
	case LUN_AM_FLAT:
		res = ((b[0] & 0x3f) << 8) | b[1];
		break;
	default:
		/* Logical unit and extended addressing are not supported */
		goto bad;
	}
	if (ok)
		*ok = true;
	return res;

bad:
	if (ok)
		*ok = false;
	return U64_MAX;
}
EXPORT_SYMBOL_GPL(scst_unpack_lun);

void scst_pack_lun(u64 lun, unsigned int addr_method, u8 out[8])
{
	memset(out, 0, 8);
	if (addr_method != SCST_LUN_ADDR_METHOD_FLAT && lun < 256) {
		out[1] = lun;
	} else {
		out[0] = (LUN_AM_FLAT << 6) | ((lun >> 8) & 0x3f);
		out[1] = lun & 0xff;
	}
}
EXPORT_SYMBOL_GPL(scst_pack_lun);

bool scst_io_group_key_match(const struct scst_io_group_key *group,
			     const struct scst_io_group_key *nexus)
{
	if (group->type != nexus->type)
		return false;
	switch (nexus->type) {
	case SCST_IO_GROUPING_AUTO:
		return group->initiator && nexus->initiator &&
		       !strcmp(group->initiator, nexus->initiator);
	case SCST_IO_GROUPING_THIS_ONLY:
		return group->acg_id == nexus->acg_id;
	case SCST_IO_GROUPING_NEVER:
		return false;
	default:
		return nexus->type > 0;
	}
}
