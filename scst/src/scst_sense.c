// SPDX-License-Identifier: GPL-2.0
/*
 * Sense data building, parsing and format conversion (SPC-4 4.5).
 *
 * Fixed format (response codes 70h/71h):
 *   byte 0 VALID | RESPONSE CODE, byte 2 SENSE KEY, bytes 3-6 INFORMATION,
 *   byte 7 ADDITIONAL SENSE LENGTH, bytes 8-11 COMMAND-SPECIFIC INFORMATION,
 *   byte 12 ASC, byte 13 ASCQ, byte 14 FRU, bytes 15-17 sense key specific.
 * Descriptor format (response codes 72h/73h):
 *   byte 1 SENSE KEY, byte 2 ASC, byte 3 ASCQ, byte 7 ADDITIONAL SENSE
 *   LENGTH, descriptors from byte 8.
 */

#include "scst_pure.h"

#define SENSE_DESC_INFO		0x00
#define SENSE_DESC_CSI		0x01
#define SENSE_DESC_SKS		0x02
/* Information and command-specific information descriptors */
#define SENSE_DESC_INFO_LEN	12
#define SENSE_DESC_SKS_LEN	8

#define SENSE_SKSV		0x80
#define SENSE_SKS_CD		0x40
#define SENSE_SKS_BPV		0x08

/* Decoded contents of sense data, the subset that survives a conversion. */
struct scst_sense_fields {
	bool deferred;
	u8 key;
	u8 asc;
	u8 ascq;
	bool info_valid;
	bool csi_valid;
	bool sks_valid;
	u64 info;
	u64 csi;
	u8 sks[3];
};

static bool sense_is_fixed(u8 rc)
{
	return rc == SCST_SENSE_FIXED_CURRENT || rc == SCST_SENSE_FIXED_DEFERRED;
}

static bool sense_is_desc(u8 rc)
{
	return rc == SCST_SENSE_DESC_CURRENT || rc == SCST_SENSE_DESC_DEFERRED;
}

/* Bytes of valid sense data: header + ADDITIONAL SENSE LENGTH, within len */
static int sense_avail(const u8 *buf, int len)
{
	if (len < 8)
		return len;
	return min_t(int, len, 8 + buf[7]);
}

static int sense_encode(u8 *buf, int buflen, bool d_sense,
			const struct scst_sense_fields *f)
{
	u8 tmp[SCST_SENSE_BUFFERSIZE];
	int len;

	if (!buf || buflen <= 0)
		return 0;

	memset(tmp, 0, sizeof(tmp));
	if (!d_sense) {
		tmp[0] = f->deferred ? SCST_SENSE_FIXED_DEFERRED :
				       SCST_SENSE_FIXED_CURRENT;
		tmp[2] = f->key & 0x0f;
		tmp[7] = SCST_STANDARD_SENSE_LEN - 8;
		tmp[12] = f->asc;
		tmp[13] = f->ascq;
		if (f->info_valid && f->info <= U32_MAX) {
			tmp[0] |= 0x80;
			put_unaligned_be32(f->info, &tmp[3]);
		}
		if (f->csi_valid && f->csi <= U32_MAX)
			put_unaligned_be32(f->csi, &tmp[8]);
		if (f->sks_valid)
			memcpy(&tmp[15], f->sks, 3);
		len = SCST_STANDARD_SENSE_LEN;
	} else {
		tmp[0] = f->deferred ? SCST_SENSE_DESC_DEFERRED :
				       SCST_SENSE_DESC_CURRENT;
		tmp[1] = f->key & 0x0f;
		tmp[2] = f->asc;
		tmp[3] = f->ascq;
		len = SCST_DESC_SENSE_HDR_LEN;
		if (f->info_valid) {
			tmp[len] = SENSE_DESC_INFO;
			tmp[len + 1] = SENSE_DESC_INFO_LEN - 2;
			tmp[len + 2] = 0x80;	/* VALID */
			put_unaligned_be64(f->info, &tmp[len + 4]);
			len += SENSE_DESC_INFO_LEN;
		}
		if (f->csi_valid) {
			tmp[len] = SENSE_DESC_CSI;
			tmp[len + 1] = SENSE_DESC_INFO_LEN - 2;
			put_unaligned_be64(f->csi, &tmp[len + 4]);
			len += SENSE_DESC_INFO_LEN;
		}
		if (f->sks_valid) {
			tmp[len] = SENSE_DESC_SKS;
			tmp[len + 1] = SENSE_DESC_SKS_LEN - 2;
			memcpy(&tmp[len + 4], f->sks, 3);
			len += SENSE_DESC_SKS_LEN;
		}
		tmp[7] = len - SCST_DESC_SENSE_HDR_LEN;
	}

	len = min_t(int, len, buflen);
	memcpy(buf, tmp, len);
	return len;
}

static bool sense_decode(const u8 *buf, int len, struct scst_sense_fields *f)
{
	int avail, pos;
	u8 rc;

	memset(f, 0, sizeof(*f));
	if (!buf || len < 1)
		return false;

	rc = buf[0] & 0x7f;
	avail = sense_avail(buf, len);
	if (sense_is_fixed(rc)) {
		if (len < 3)
			return false;
		f->deferred = rc == SCST_SENSE_FIXED_DEFERRED;
		f->key = buf[2] & 0x0f;
		if (avail > 12)
			f->asc = buf[12];
		if (avail > 13)
			f->ascq = buf[13];
		if ((buf[0] & 0x80) && avail >= 7) {
			f->info_valid = true;
			f->info = get_unaligned_be32(&buf[3]);
		}
		if (avail >= 12 && get_unaligned_be32(&buf[8])) {
			f->csi_valid = true;
			f->csi = get_unaligned_be32(&buf[8]);
		}
		if (avail >= 18 && (buf[15] & SENSE_SKSV)) {
			f->sks_valid = true;
			memcpy(f->sks, &buf[15], 3);
		}
		return true;
	}

	if (!sense_is_desc(rc) || len < 4)
		return false;

	f->deferred = rc == SCST_SENSE_DESC_DEFERRED;
	f->key = buf[1] & 0x0f;
	f->asc = buf[2];
	f->ascq = buf[3];
	for (pos = SCST_DESC_SENSE_HDR_LEN; pos + 2 <= avail;
	     pos += 2 + buf[pos + 1]) {
		const u8 *d = &buf[pos];

		if (pos + 2 + d[1] > avail)
			break;
		switch (d[0]) {
		case SENSE_DESC_INFO:
			if (d[1] >= SENSE_DESC_INFO_LEN - 2) {
				f->info_valid = true;
				f->info = get_unaligned_be64(&d[4]);
			}
			break;
		case SENSE_DESC_CSI:
			if (d[1] >= SENSE_DESC_INFO_LEN - 2) {
				f->csi_valid = true;
				f->csi = get_unaligned_be64(&d[4]);
			}
			break;
		case SENSE_DESC_SKS:
			if (d[1] >= SENSE_DESC_SKS_LEN - 2 &&
			    (d[4] & SENSE_SKSV)) {
				f->sks_valid = true;
				memcpy(f->sks, &d[4], 3);
			}
			break;
		default:
			break;
		}
	}
	return true;
}

int scst_build_sense(u8 *buf, int buflen, bool d_sense, u8 key, u8 asc,
		     u8 ascq)
{
	struct scst_sense_fields f = {
		.key = key,
		.asc = asc,
		.ascq = ascq,
	};

	return sense_encode(buf, buflen, d_sense, &f);
}
EXPORT_SYMBOL_GPL(scst_build_sense);

int scst_build_sense_sks(u8 *buf, int buflen, bool d_sense, u8 key, u8 asc,
			 u8 ascq, bool in_cdb, u16 field, int bit)
{
	struct scst_sense_fields f = {
		.key = key,
		.asc = asc,
		.ascq = ascq,
		.sks_valid = true,
	};

	f.sks[0] = SENSE_SKSV;
	if (in_cdb)
		f.sks[0] |= SENSE_SKS_CD;
	if (bit >= 0)
		f.sks[0] |= SENSE_SKS_BPV | (bit & 0x07);
	put_unaligned_be16(field, &f.sks[1]);

	return sense_encode(buf, buflen, d_sense, &f);
}
EXPORT_SYMBOL_GPL(scst_build_sense_sks);

int scst_sense_set_info(u8 *buf, int buflen, u64 info)
{
	int cur, pos;
	u8 rc;

	if (!buf || buflen < 1)
		return -EINVAL;

	rc = buf[0] & 0x7f;
	if (sense_is_fixed(rc)) {
		if (buflen < 7)
			return -EINVAL;
		if (info > U32_MAX)
			return -ERANGE;
		buf[0] |= 0x80;
		put_unaligned_be32(info, &buf[3]);
		return sense_avail(buf, buflen);
	}

	if (!sense_is_desc(rc) || buflen < SCST_DESC_SENSE_HDR_LEN)
		return -EINVAL;

	cur = SCST_DESC_SENSE_HDR_LEN + buf[7];
	if (cur > buflen)
		return -EINVAL;

	for (pos = SCST_DESC_SENSE_HDR_LEN; pos + 2 <= cur;
	     pos += 2 + buf[pos + 1]) {
		u8 *d = &buf[pos];

		if (pos + 2 + d[1] > cur)
			break;
		if (d[0] == SENSE_DESC_INFO &&
		    d[1] == SENSE_DESC_INFO_LEN - 2) {
			d[2] |= 0x80;
			put_unaligned_be64(info, &d[4]);
			return cur;
		}
	}

	if (cur + SENSE_DESC_INFO_LEN > buflen ||
	    cur + SENSE_DESC_INFO_LEN - SCST_DESC_SENSE_HDR_LEN > U8_MAX)
		return -ENOSPC;

	memset(&buf[cur], 0, SENSE_DESC_INFO_LEN);
	buf[cur] = SENSE_DESC_INFO;
	buf[cur + 1] = SENSE_DESC_INFO_LEN - 2;
	buf[cur + 2] = 0x80;
	put_unaligned_be64(info, &buf[cur + 4]);
	buf[7] += SENSE_DESC_INFO_LEN;
	return cur + SENSE_DESC_INFO_LEN;
}
EXPORT_SYMBOL_GPL(scst_sense_set_info);

bool scst_sense_parse(const u8 *buf, int len, u8 *key, u8 *asc, u8 *ascq)
{
	struct scst_sense_fields f;

	if (!sense_decode(buf, len, &f))
		return false;
	if (key)
		*key = f.key;
	if (asc)
		*asc = f.asc;
	if (ascq)
		*ascq = f.ascq;
	return true;
}
EXPORT_SYMBOL_GPL(scst_sense_parse);

bool scst_sense_get_info(const u8 *buf, int len, u64 *info)
{
	struct scst_sense_fields f;

	if (!sense_decode(buf, len, &f) || !f.info_valid)
		return false;
	if (info)
		*info = f.info;
	return true;
}
EXPORT_SYMBOL_GPL(scst_sense_get_info);

int scst_sense_length(const u8 *buf, int len)
{
	struct scst_sense_fields f;

	if (!sense_decode(buf, len, &f))
		return 0;
	return sense_avail(buf, len);
}
EXPORT_SYMBOL_GPL(scst_sense_length);

int scst_sense_convert(const u8 *in, int inlen, u8 *out, int outlen,
		       bool to_d_sense)
{
	struct scst_sense_fields f;
	int len;

	if (!sense_decode(in, inlen, &f))
		return -EINVAL;

	if (sense_is_desc(in[0] & 0x7f) == to_d_sense) {
		if (!out || outlen <= 0)
			return 0;
		len = min_t(int, sense_avail(in, inlen), outlen);
		memmove(out, in, len);
		return len;
	}

	return sense_encode(out, outlen, to_d_sense, &f);
}
EXPORT_SYMBOL_GPL(scst_sense_convert);

bool scst_sense_matches(const u8 *buf, int len, u8 key, u8 asc, u8 ascq)
{
	u8 k, a, q;

	if (!scst_sense_parse(buf, len, &k, &a, &q))
		return false;
	return k == key && a == asc && q == ascq;
}
EXPORT_SYMBOL_GPL(scst_sense_matches);
