// SPDX-License-Identifier: GPL-2.0
/*
 * INQUIRY/VPD, READ CAPACITY, MODE SENSE/SELECT, LOG SENSE
 * and UNMAP data of scst_vdisk, written from SPC-4 and SBC-3.
 *
 * Pure code: no kernel object is touched, so the same file is built into
 * scst_vdisk.ko and into tests/unit/test_vdisk_pages.  Every builder zeroes
 * its output buffer first so that no uninitialised byte can reach the wire.
 */
#include "vdisk_pages.h"

/* Fake geometry reported in the format and rigid disk geometry pages */
#define VDISK_HEADS		64
#define VDISK_SECTORS		32

static int set_err(struct vdisk_err *err, enum vdisk_err_kind kind,
		   u16 field, int bit)
{
	err->kind = kind;
	err->field = field;
	err->bit = bit;
	return -1;
}

static int cdb_err(struct vdisk_err *err, u16 field, int bit)
{
	return set_err(err, VDISK_ERR_INVALID_CDB, field, bit);
}

static int parm_err(struct vdisk_err *err, u16 field, int bit)
{
	return set_err(err, VDISK_ERR_INVALID_PARM, field, bit);
}

/* Index of the most significant bit set in a non-zero byte */
static int msb(u8 v)
{
	int bit = 7;

	while (bit > 0 && !(v & (1 << bit)))
		bit--;
	return bit;
}

/* Reserved bits of cdb[byte] selected by mask must be zero */
static bool reserved_ok(const u8 *cdb, int byte, u8 mask,
			struct vdisk_err *err)
{
	if (!(cdb[byte] & mask))
		return true;
	cdb_err(err, byte, msb(cdb[byte] & mask));
	return false;
}

/* Copy s into a fixed size field, padded with spaces (SPC-4 4.4.1) */
static void put_ascii(u8 *dst, const char *s, size_t len)
{
	size_t i, n = strlen(s);

	for (i = 0; i < len; i++)
		dst[i] = i < n ? s[i] : ' ';
}

static const char hex_digits[] = "0123456789abcdef";

static void put_hex(char *p, u64 v, int digits)
{
	while (digits-- > 0) {
		p[digits] = hex_digits[v & 0xf];
		v >>= 4;
	}
}

/*
 * Identifiers.  The defaults must survive a reboot and differ between the
 * devices of one setup and between setups, so they are derived from the
 * device name and the SCST setup id by FNV-1a.
 */
u64 vdisk_name_hash(const char *name, u64 setup_id)
{
	u64 h = 0xcbf29ce484222325ULL;
	int i;

	for (; *name; name++) {
		h ^= (u8)*name;
		h *= 0x100000001b3ULL;
	}
	for (i = 0; i < 8; i++) {
		h ^= (u8)(setup_id >> (8 * i));
		h *= 0x100000001b3ULL;
	}
	return h;
}

void vdisk_gen_usn(char *usn, size_t size, u64 hash)
{
	if (size < 17) {
		if (size)
			usn[0] = '\0';
		return;
	}
	put_hex(usn, hash, 16);
	usn[16] = '\0';
}

/*
 * NAA 3h "locally assigned": we own no IEEE company identifier, so a
 * generated identifier must not claim one (SPC-4 7.8.6.6.3).  An
 * administrator who owns one sets naa_id to an NAA 5h or 6h value.
 */
void vdisk_gen_naa(u8 *naa, u64 hash)
{
	put_unaligned_be64((3ULL << 60) | (hash & ((1ULL << 60) - 1)), naa);
}

void vdisk_gen_t10_dev_id(char *id, size_t size, const char *name,
			  u64 setup_id)
{
	size_t n = strlen(name), pos = 0;
	int digits = 0;
	u64 v;

	if (size < 17) {
		if (size)
			id[0] = '\0';
		return;
	}
	for (v = setup_id; v; v >>= 4)
		digits++;
	if (digits + (digits ? 1 : 0) + n + 1 > size) {
		/* Too long to be readable: fall back to the hash */
		put_hex(id, vdisk_name_hash(name, setup_id), 16);
		id[16] = '\0';
		return;
	}
	if (digits) {
		put_hex(id, setup_id, digits);
		pos = digits;
		id[pos++] = '-';
	}
	memcpy(id + pos, name, n + 1);
}

/* n hex digits (optionally after 0x) into bytes; the length or -EINVAL */
static int parse_hex_id(const char *s, u8 *id, size_t max_len)
{
	size_t n, i;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (!n || (n & 1) || n > 2 * max_len)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		int hi = hex_to_bin(s[i]);

		if (hi < 0)
			return -EINVAL;
		if (i & 1)
			id[i / 2] |= hi;
		else
			id[i / 2] = hi << 4;
	}
	return n / 2;
}

int vdisk_parse_naa_id(const char *s, u8 *naa, u8 *len)
{
	int n = parse_hex_id(s, naa, VDISK_NAA_MAX_LEN);
	u8 type;

	if (n != 8 && n != 16)
		return -EINVAL;
	/* NAA 2h, 3h, 5h are 8 bytes long, 6h is 16 (SPC-4 7.8.6.6) */
	type = naa[0] >> 4;
	if (n == 8 && type != 2 && type != 3 && type != 5)
		return -EINVAL;
	if (n == 16 && type != 6)
		return -EINVAL;
	*len = n;
	return 0;
}

/*
 * EUI-64 (8 bytes), EUI-64 based 12-byte and 16-byte designators
 * (SPC-4 7.8.6.5): the length alone tells the format apart.
 */
int vdisk_parse_eui64_id(const char *s, u8 *eui, u8 *len)
{
	int n = parse_hex_id(s, eui, VDISK_EUI64_MAX_LEN);

	if (n != 8 && n != 12 && n != 16)
		return -EINVAL;
	*len = n;
	return 0;
}

bool vdisk_valid_id_string(const char *s, size_t max_len, bool allow_space)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		if (*s < 0x20 || *s > 0x7e)
			return false;
		if (*s == ' ' && !allow_space)
			return false;
	}
	return n <= max_len;
}

/*
 * INQUIRY
 */
static int std_inquiry(const struct vdisk_pg_dev *d, u8 *buf)
{
	/* Version descriptors: SAM-5, SPC-4, SBC-3 (no version claimed) */
	static const u16 versions[] = { 0x00a0, 0x0460, 0x04c0 };
	unsigned int i;

	buf[0] = d->type;
	buf[1] = d->removable ? 0x80 : 0;
	buf[2] = 0x06;			/* SPC-4 */
	buf[3] = 0x12;			/* HISUP, response data format 2 */
	buf[4] = VDISK_STD_INQ_LEN - 5;
	buf[7] = 0x02;			/* CMDQUE */
	put_ascii(buf + 8, d->vend_id, VDISK_VEND_ID_LEN);
	put_ascii(buf + 16, d->prod_id, VDISK_PROD_ID_LEN);
	put_ascii(buf + 32, d->prod_rev, VDISK_PROD_REV_LEN);
	/* Vendor specific bytes: zero unless inq_vend_specific is set */
	if (d->inq_vend_spec[0])
		put_ascii(buf + 36, d->inq_vend_spec, VDISK_INQ_VEND_SPEC_LEN);
	for (i = 0; i < ARRAY_SIZE(versions); i++)
		put_unaligned_be16(versions[i], buf + 58 + 2 * i);
	return VDISK_STD_INQ_LEN;
}

static int vpd_hdr(const struct vdisk_pg_dev *d, u8 *buf, u8 page, int len)
{
	buf[0] = d->type;
	buf[1] = page;
	put_unaligned_be16(len - 4, buf + 2);
	return len;
}

static int vpd_supported(const struct vdisk_pg_dev *d, u8 *buf)
{
	static const u8 pages[] = { 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2 };
	unsigned int n = ARRAY_SIZE(pages);

	/* The logical block provisioning page is last */
	if (!d->thin_provisioned)
		n--;
	memcpy(buf + 4, pages, n);
	return vpd_hdr(d, buf, 0x00, 4 + n);
}

static int vpd_usn(const struct vdisk_pg_dev *d, u8 *buf)
{
	size_t n = strlen(d->usn);

	memcpy(buf + 4, d->usn, n);
	return vpd_hdr(d, buf, 0x80, 4 + n);
}

/* Designation descriptor header (SPC-4 7.8.6.1) */
static u8 *desig(u8 *p, u8 proto_codeset, u8 piv_assoc_type, u8 len)
{
	p[0] = proto_codeset;
	p[1] = piv_assoc_type;
	p[3] = len;
	return p + 4;
}

static u8 *desig_lu(const struct vdisk_pg_dev *d, u8 *p)
{
	size_t n;

	/* NAA, binary, associated with the logical unit */
	p = desig(p, 0x01, 0x03, d->naa_id_len);
	memcpy(p, d->naa_id, d->naa_id_len);
	p += d->naa_id_len;

	if (d->eui64_id_len) {
		/* EUI-64 based, binary, associated with the logical unit */
		p = desig(p, 0x01, 0x02, d->eui64_id_len);
		memcpy(p, d->eui64_id, d->eui64_id_len);
		p += d->eui64_id_len;
	}

	/* T10 vendor ID based: vendor id + t10_dev_id, ASCII */
	n = strlen(d->t10_dev_id);
	p = desig(p, 0x02, 0x01, VDISK_VEND_ID_LEN + n);
	put_ascii(p, d->vend_id, VDISK_VEND_ID_LEN);
	memcpy(p + VDISK_VEND_ID_LEN, d->t10_dev_id, n);
	p += VDISK_VEND_ID_LEN + n;

	n = strlen(d->vend_spec_id);
	if (n) {
		/* Vendor specific designator, ASCII */
		p = desig(p, 0x02, 0x00, n);
		memcpy(p, d->vend_spec_id, n);
		p += n;
	}

	n = strlen(d->scsi_dev_name);
	if (n) {
		/*
		 * SCSI name string, UTF-8, associated with the logical unit:
		 * NUL terminated and padded with NULs to a multiple of 4
		 * bytes (SPC-4 7.8.6.11); n <= 251 keeps it within 252.
		 */
		size_t padded = (n + 4) & ~(size_t)3;

		p = desig(p, 0x03, 0x08, padded);
		memcpy(p, d->scsi_dev_name, n);
		memset(p + n, 0, padded - n);
		p += padded;
	}
	return p;
}

static u8 *desig_port(const struct vdisk_port *port, u8 *p)
{
	/* PIV is only meaningful with a real protocol identifier */
	u8 piv = port->protocol_id != 0x0f ? 0x80 : 0;
	u8 proto = port->protocol_id << 4;
	size_t n, padded;

	if (port->rel_tgt_id) {
		/* Relative target port identifier, binary, target port */
		p = desig(p, proto | 0x01, piv | 0x10 | 0x04, 4);
		put_unaligned_be16(port->rel_tgt_id, p + 2);
		p += 4;
	}
	if (port->tpg_id) {
		/* Target port group, binary, target port (ALUA) */
		p = desig(p, 0x01, 0x10 | 0x05, 4);
		put_unaligned_be16(port->tpg_id, p + 2);
		p += 4;
	}
	if (!port->tgt_name)
		return p;
	/* SCSI name string: UTF-8, NUL terminated, multiple of 4 bytes */
	n = strlen(port->tgt_name);
	padded = (n + 4) & ~(size_t)3;
	if (!n || padded > 252)
		return p;
	p = desig(p, proto | 0x03, piv | 0x10 | 0x08, padded);
	memcpy(p, port->tgt_name, n);
	return p + padded;
}

static int vpd_devid(const struct vdisk_pg_dev *d,
		     const struct vdisk_port *port, u8 *buf)
{
	u8 *p = desig_lu(d, buf + 4);

	if (port)
		p = desig_port(port, p);
	return vpd_hdr(d, buf, 0x83, p - buf);
}

static int vpd_ext_inquiry(const struct vdisk_pg_dev *d, u8 *buf)
{
	buf[5] = 0x07;			/* HEADSUP, ORDSUP, SIMPSUP */
	/* NV_SUP / V_SUP: which kind of write cache we have */
	buf[6] = d->nv_cache ? 0x02 : 0x01;
	/* LUICLR: the core clears REPORTED LUNS DATA HAS CHANGED nexus-wide */
	buf[7] = 0x01;
	return vpd_hdr(d, buf, 0x86, 64);
}

static int vpd_block_limits(const struct vdisk_pg_dev *d, u8 *buf)
{
	buf[5] = VDISK_MAX_CAW_BLOCKS;
	put_unaligned_be16(1U << d->lb_per_pb_exp, buf + 6);
	put_unaligned_be32(d->max_xfer_blocks, buf + 8);
	put_unaligned_be32(d->opt_xfer_blocks, buf + 12);
	if (d->thin_provisioned && d->unmap) {
		put_unaligned_be32(U32_MAX, buf + 20);
		put_unaligned_be32(VDISK_MAX_UNMAP_DESC, buf + 24);
		put_unaligned_be32(1U << d->lb_per_pb_exp, buf + 28);
	}
	/*
	 * WSNZ: NUMBER OF LOGICAL BLOCKS 0 ("to the end of the medium") is
	 * refused, so that MAXIMUM WRITE SAME LENGTH bounds every command.
	 */
	buf[4] = 0x01;
	put_unaligned_be64(vdisk_max_ws_blocks(d), buf + 36);
	return vpd_hdr(d, buf, 0xb0, 64);
}

static int vpd_bdc(const struct vdisk_pg_dev *d, u8 *buf)
{
	/* MEDIUM ROTATION RATE: 1 = non-rotating, 0 = not reported */
	put_unaligned_be16(d->rotational ? 0 : 1, buf + 4);
	return vpd_hdr(d, buf, 0xb1, 64);
}

static int vpd_lbp(const struct vdisk_pg_dev *d, u8 *buf)
{
	/* LBPU, LBPWS, LBPWS10: UNMAP and WRITE SAME with UNMAP=1 */
	buf[5] = d->unmap ? 0xe0 : 0;
	buf[6] = 0x02;			/* PROVISIONING TYPE: thin */
	return vpd_hdr(d, buf, 0xb2, 8);
}

static int vpd_page(const struct vdisk_pg_dev *d,
		    const struct vdisk_port *port, u8 page, u8 *buf)
{
	switch (page) {
	case 0x00:
		return vpd_supported(d, buf);
	case 0x80:
		return vpd_usn(d, buf);
	case 0x83:
		return vpd_devid(d, port, buf);
	case 0x86:
		return vpd_ext_inquiry(d, buf);
	case 0xb0:
		return vpd_block_limits(d, buf);
	case 0xb1:
		return vpd_bdc(d, buf);
	case 0xb2:
		if (d->thin_provisioned)
			return vpd_lbp(d, buf);
		break;
	}
	return -1;
}

int vdisk_inquiry(const struct vdisk_pg_dev *d, const struct vdisk_port *port,
		  const u8 *cdb, u8 *buf, int size, struct vdisk_err *err)
{
	int len;

	if (size < VDISK_RESP_BUF_SIZE)
		return set_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, size);
	/* CMDDT (bit 1) is obsolete and must be zero like the reserved bits */
	if (!reserved_ok(cdb, 1, 0xfe, err))
		return -1;
	if (!(cdb[1] & 0x01)) {
		if (cdb[2])
			return cdb_err(err, 2, 7);
		len = std_inquiry(d, buf);
		if (port)
			buf[5] |= port->tpgs;
		return len;
	}
	len = vpd_page(d, port, cdb[2], buf);
	if (len < 0)
		return cdb_err(err, 2, 7);
	return len;
}

/*
 * READ CAPACITY
 */
int vdisk_read_capacity10(const struct vdisk_pg_dev *d, const u8 *cdb,
			  u8 *buf, int size, struct vdisk_err *err)
{
	u64 last = d->nr_blocks ? d->nr_blocks - 1 : 0;

	if (size < 8)
		return set_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 8);
	/* RELADR, LBA and PMI are obsolete (SBC-3): ignored, not checked */
	if (!reserved_ok(cdb, 1, 0xfe, err) || !reserved_ok(cdb, 8, 0xfe, err))
		return -1;
	/* 0xffffffff tells the initiator to use READ CAPACITY(16) */
	put_unaligned_be32(last > 0xfffffffeULL ? 0xffffffff : (u32)last, buf);
	put_unaligned_be32(1U << d->block_shift, buf + 4);
	return 8;
}

int vdisk_read_capacity16(const struct vdisk_pg_dev *d, const u8 *cdb,
			  u8 *buf, int size, struct vdisk_err *err)
{
	if (size < 32)
		return set_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 32);
	if (!reserved_ok(cdb, 1, 0xe0, err) || !reserved_ok(cdb, 14, 0xfe, err))
		return -1;
	put_unaligned_be64(d->nr_blocks ? d->nr_blocks - 1 : 0, buf);
	put_unaligned_be32(1U << d->block_shift, buf + 8);
	buf[13] = d->lb_per_pb_exp & 0x0f;
	if (d->thin_provisioned)
		buf[14] = 0x80;		/* LBPME */
	return 32;
}

/*
 * Mode pages.  Each page has a fill function that writes the current,
 * changeable or default values into a zeroed page; the current and default
 * values come from a struct vdisk_mode_state, the changeable values are
 * masks.  Pages without a fill function are all zero (nothing to report,
 * nothing changeable).
 */
struct mode_ctx {
	const struct vdisk_pg_dev *d;
	const struct vdisk_mode_state *ms;
	bool mask;			/* changeable values wanted */
};

struct mode_page {
	u8 code;
	u8 len;				/* including the 2 byte header */
	void (*fill)(const struct mode_ctx *c, u8 *p);
};

static void fill_format(const struct mode_ctx *c, u8 *p)
{
	u32 bs = 1U << c->d->block_shift;

	if (c->mask)
		return;
	put_unaligned_be16(VDISK_SECTORS, p + 10);
	put_unaligned_be16(bs > 0xffff ? 0xffff : bs, p + 12);
	p[20] = 0x40 | (c->d->removable ? 0x20 : 0);	/* HSEC, RMB */
}

static void fill_geometry(const struct mode_ctx *c, u8 *p)
{
	u64 cyl = c->d->nr_blocks / (VDISK_HEADS * VDISK_SECTORS);

	if (c->mask)
		return;
	put_unaligned_be24(cyl > 0xffffff ? 0xffffff : (u32)cyl, p + 2);
	p[5] = VDISK_HEADS;
	put_unaligned_be16(c->d->rotational ? 0 : 1, p + 20);
}

static void fill_caching(const struct mode_ctx *c, u8 *p)
{
	if (c->mask) {
		/* A non-volatile cache is never written through */
		if (!c->d->nv_cache)
			p[2] = 0x04;
		return;
	}
	p[2] = c->ms->wce ? 0x04 : 0;
}

static void fill_control(const struct mode_ctx *c, u8 *p)
{
	const struct vdisk_mode_state *ms = c->ms;

	if (c->mask) {
		p[2] = 0x04;			/* D_SENSE */
		p[3] = 0xf0 | 0x06;		/* QUEUE ALG MODIFIER, QERR */
		p[4] = 0x08;			/* SWP */
		p[5] = 0x40;			/* TAS */
		return;
	}
	/* GLTSD: no log parameter is ever saved */
	p[2] = (c->d->tst << 5) | (ms->d_sense ? 0x04 : 0) | 0x02;
	p[3] = (ms->queue_alg << 4) | (ms->qerr << 1);
	p[4] = ms->swp ? 0x08 : 0;
	p[5] = ms->tas ? 0x40 : 0;
	put_unaligned_be16(0xffff, p + 8);	/* BUSY TIMEOUT: unlimited */
}

static void fill_iec(const struct mode_ctx *c, u8 *p)
{
	if (!c->mask)
		p[2] = 0x08;		/* DEXCPT: no exception reporting */
}

static const struct mode_page mode_pages[] = {
	{ 0x01, 12, NULL },		/* read-write error recovery */
	{ 0x02, 16, NULL },		/* disconnect-reconnect */
	{ 0x03, 24, fill_format },
	{ 0x04, 24, fill_geometry },
	{ 0x08, 20, fill_caching },
	{ 0x0a, 12, fill_control },
	{ 0x1c, 12, fill_iec },
};

static const struct mode_page *find_mode_page(u8 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mode_pages); i++)
		if (mode_pages[i].code == code)
			return &mode_pages[i];
	return NULL;
}

/* Fill a zeroed page: header, then current/default values or the mask */
static int fill_page(const struct mode_page *pg,
		     const struct vdisk_pg_dev *d,
		     const struct vdisk_mode_state *ms, bool mask, u8 *p)
{
	struct mode_ctx c = { .d = d, .ms = ms, .mask = mask };

	p[0] = pg->code;
	p[1] = pg->len - 2;
	if (pg->fill)
		pg->fill(&c, p);
	return pg->len;
}

static int put_mode_page(const struct vdisk_pg_dev *d,
			 const struct mode_page *pg, u8 pc, u8 *p)
{
	return fill_page(pg, d, pc == VDISK_PC_DEFAULT ? &d->def_mode :
			 &d->mode, pc == VDISK_PC_CHANGEABLE, p);
}

/* Block descriptor (SBC-3 6.4.2): short 8 bytes or long LBA 16 bytes */
static int put_block_desc(const struct vdisk_pg_dev *d, bool longlba, u8 *p)
{
	u32 bs = 1U << d->block_shift;

	if (longlba) {
		put_unaligned_be64(d->nr_blocks, p);
		put_unaligned_be32(bs, p + 12);
		return 16;
	}
	put_unaligned_be32(d->nr_blocks > 0xffffffffULL ? 0xffffffff :
			   (u32)d->nr_blocks, p);
	put_unaligned_be24(bs, p + 5);
	return 8;
}

static int mode_sense_cdb(const u8 *cdb, bool ten, struct vdisk_err *err)
{
	if (ten) {
		/* LLBAA bit 4, DBD bit 3 */
		if (!reserved_ok(cdb, 1, 0xe7, err) ||
		    !reserved_ok(cdb, 4, 0xff, err) ||
		    !reserved_ok(cdb, 5, 0xff, err) ||
		    !reserved_ok(cdb, 6, 0xff, err))
			return -1;
	} else if (!reserved_ok(cdb, 1, 0xf7, err)) {
		return -1;
	}
	if ((cdb[2] >> 6) == VDISK_PC_SAVED)
		return set_err(err, VDISK_ERR_SAVING_UNSUP, 2, 7);
	/* We have no subpages: only 00h and FFh (all subpages) are valid */
	if (cdb[3] != 0x00 && cdb[3] != 0xff)
		return cdb_err(err, 3, 7);
	return 0;
}

static int put_mode_pages(const struct vdisk_pg_dev *d, u8 code, u8 pc,
			  u8 *p, struct vdisk_err *err)
{
	const struct mode_page *pg;
	unsigned int i;
	int len = 0;

	if (code == 0x3f) {
		for (i = 0; i < ARRAY_SIZE(mode_pages); i++)
			len += put_mode_page(d, &mode_pages[i], pc, p + len);
		return len;
	}
	pg = find_mode_page(code);
	if (!pg)
		return cdb_err(err, 2, 5);
	return put_mode_page(d, pg, pc, p);
}

int vdisk_mode_sense(const struct vdisk_pg_dev *d, const u8 *cdb,
		     u8 *buf, int size, struct vdisk_err *err)
{
	bool ten = cdb[0] == MODE_SENSE_10;
	bool dbd = cdb[1] & 0x08;
	bool longlba = ten && (cdb[1] & 0x10);
	int hdr = ten ? 8 : 4, bd_len = 0, len;

	if (size < VDISK_RESP_BUF_SIZE)
		return set_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, size);
	if (mode_sense_cdb(cdb, ten, err))
		return -1;
	if (!dbd)
		bd_len = put_block_desc(d, longlba, buf + hdr);
	len = put_mode_pages(d, cdb[2] & 0x3f, cdb[2] >> 6, buf + hdr + bd_len,
			     err);
	if (len < 0)
		return -1;
	len += hdr + bd_len;
	/* Device-specific parameter: WP, DPOFUA (SBC-3 6.4.1) */
	if (ten) {
		put_unaligned_be16(len - 2, buf);
		buf[3] = (d->wp ? 0x80 : 0) | 0x10;
		buf[4] = bd_len == 16 ? 0x01 : 0;	/* LONGLBA */
		put_unaligned_be16(bd_len, buf + 6);
	} else {
		buf[0] = len - 1;
		buf[2] = (d->wp ? 0x80 : 0) | 0x10;
		buf[3] = bd_len;
	}
	return len;
}

/*
 * MODE SELECT
 */
int vdisk_mode_select_cdb(const u8 *cdb, u32 *parm_len, struct vdisk_err *err)
{
	bool ten = cdb[0] == MODE_SELECT_10;

	/* PF bit 4, SP bit 0 */
	if (!reserved_ok(cdb, 1, 0xee, err))
		return -1;
	if (ten) {
		if (!reserved_ok(cdb, 2, 0xff, err) ||
		    !reserved_ok(cdb, 3, 0xff, err) ||
		    !reserved_ok(cdb, 4, 0xff, err) ||
		    !reserved_ok(cdb, 5, 0xff, err) ||
		    !reserved_ok(cdb, 6, 0xff, err))
			return -1;
		*parm_len = get_unaligned_be16(cdb + 7);
	} else {
		if (!reserved_ok(cdb, 2, 0xff, err) ||
		    !reserved_ok(cdb, 3, 0xff, err))
			return -1;
		*parm_len = cdb[4];
	}
	/* Mode pages are never saved, so SP=1 cannot be honoured */
	if (cdb[1] & 0x01)
		return cdb_err(err, 1, 0);
	return 0;
}

/* Check the block descriptor: only the current geometry is accepted */
static int check_block_desc(const struct vdisk_pg_dev *d, const u8 *p,
			    u16 off, bool longlba, struct vdisk_err *err)
{
	u32 bs = 1U << d->block_shift;
	u64 nr;
	int i;

	if (longlba) {
		for (i = 8; i < 12; i++)
			if (p[i])
				return parm_err(err, off + i, msb(p[i]));
		nr = get_unaligned_be64(p);
		if (nr && nr != d->nr_blocks)
			return parm_err(err, off, 7);
		if (get_unaligned_be32(p + 12) != bs)
			return parm_err(err, off + 12, 7);
		return 0;
	}
	nr = get_unaligned_be32(p);
	if (nr && nr != (d->nr_blocks > 0xffffffffULL ? 0xffffffffULL :
			 d->nr_blocks))
		return parm_err(err, off, 7);
	if (p[4])
		return parm_err(err, off + 4, msb(p[4]));
	if (get_unaligned_be24(p + 5) != bs)
		return parm_err(err, off + 5, 7);
	return 0;
}

/* Take over the changeable fields of a validated page into *ms */
static void apply_page(u8 code, const u8 *p, struct vdisk_mode_state *ms)
{
	switch (code) {
	case 0x08:
		ms->wce = p[2] & 0x04;
		break;
	case 0x0a:
		ms->d_sense = p[2] & 0x04;
		ms->queue_alg = p[3] >> 4;
		ms->qerr = (p[3] >> 1) & 0x03;
		ms->swp = p[4] & 0x08;
		ms->tas = p[5] & 0x40;
		break;
	}
}

/* Values the masks allow but we do not implement */
static int check_page_values(u8 code, const u8 *p, u16 off,
			     struct vdisk_err *err)
{
	if (code != 0x0a)
		return 0;
	/* QUEUE ALGORITHM MODIFIER: restricted (0) or unrestricted (1) */
	if ((p[3] >> 4) > 1)
		return parm_err(err, off + 3, 7);
	/* QERR 10b is reserved and 11b (per I_T nexus) is not supported */
	if (((p[3] >> 1) & 0x03) > 1)
		return parm_err(err, off + 3, 2);
	return 0;
}

static int select_page(const struct vdisk_pg_dev *d, const u8 *p, u32 avail,
		       u16 off, struct vdisk_mode_state *ms,
		       struct vdisk_err *err)
{
	const struct mode_page *pg;
	u8 cur[32], chg[32];
	int i;

	if (avail < 2)
		return set_err(err, VDISK_ERR_PARM_LIST_LEN, 0, -1);
	/* PS (bit 7) is reserved in MODE SELECT: ignored */
	if (p[0] & 0x40)			/* SPF: we have no subpages */
		return parm_err(err, off, 6);
	pg = find_mode_page(p[0] & 0x3f);
	if (!pg)
		return parm_err(err, off, 5);
	if (p[1] != pg->len - 2)
		return parm_err(err, off + 1, 7);
	if (avail < pg->len)
		return set_err(err, VDISK_ERR_PARM_LIST_LEN, 0, -1);
	memset(cur, 0, sizeof(cur));
	memset(chg, 0, sizeof(chg));
	fill_page(pg, d, ms, false, cur);
	fill_page(pg, d, ms, true, chg);
	for (i = 2; i < pg->len; i++) {
		u8 diff = (p[i] ^ cur[i]) & ~chg[i];

		if (diff)
			return parm_err(err, off + i, msb(diff));
	}
	if (check_page_values(pg->code, p, off, err))
		return -1;
	apply_page(pg->code, p, ms);
	return pg->len;
}

static int select_header(const struct vdisk_pg_dev *d, bool ten,
			 const u8 *parm, u32 len, u32 *bd_len, bool *longlba,
			 struct vdisk_err *err)
{
	u32 hdr = ten ? 8 : 4;
	u32 unit;

	if (len < hdr)
		return set_err(err, VDISK_ERR_PARM_LIST_LEN, 0, -1);
	/*
	 * MODE DATA LENGTH is reserved; ignored because initiators
	 * commonly send back what MODE SENSE returned.  Same for the
	 * device-specific parameter (WP and DPOFUA are ignored).
	 */
	if (parm[1])
		return parm_err(err, 1, msb(parm[1]));
	if (ten) {
		if (parm[4] & 0xfe)
			return parm_err(err, 4, msb(parm[4] & 0xfe));
		if (parm[5])
			return parm_err(err, 5, msb(parm[5]));
		*longlba = parm[4] & 0x01;
		*bd_len = get_unaligned_be16(parm + 6);
	} else {
		*longlba = false;
		*bd_len = parm[3];
	}
	unit = *longlba ? 16 : 8;
	if (*bd_len && *bd_len != unit)
		return parm_err(err, ten ? 6 : 3, 7);
	if (hdr + *bd_len > len)
		return set_err(err, VDISK_ERR_PARM_LIST_LEN, 0, -1);
	if (*bd_len && check_block_desc(d, parm + hdr, hdr, *longlba, err))
		return -1;
	return hdr + *bd_len;
}

int vdisk_mode_select(const struct vdisk_pg_dev *d, const u8 *cdb,
		      const u8 *parm, u32 len, struct vdisk_mode_state *ms,
		      struct vdisk_err *err)
{
	bool ten = cdb[0] == MODE_SELECT_10;
	bool pf = cdb[1] & 0x10;
	u32 bd_len, off;
	bool longlba;
	int ret;

	*ms = d->mode;
	if (!len)
		return 0;
	ret = select_header(d, ten, parm, len, &bd_len, &longlba, err);
	if (ret < 0)
		return -1;
	off = ret;
	/* Without PF the pages would be vendor specific: we have none */
	if (off < len && !pf)
		return cdb_err(err, 1, 4);
	while (off < len) {
		ret = select_page(d, parm + off, len - off, off, ms, err);
		if (ret < 0)
			return -1;
		off += ret;
	}
	return 0;
}

void vdisk_default_mode(const struct vdisk_pg_dev *d,
			struct vdisk_mode_state *ms, bool write_through)
{
	memset(ms, 0, sizeof(*ms));
	ms->wce = !write_through && !d->nv_cache;
	/* Unrestricted reordering: the core orders by task attribute */
	ms->queue_alg = 1;
}

/*
 * LOG SENSE: the supported pages page and the informational exceptions
 * page (never an exception to report).
 */
static int log_supported(u8 subpage, u8 *buf)
{
	if (subpage == 0xff) {
		static const u8 list[] = { 0x00, 0x00, 0x00, 0xff, 0x2f, 0x00 };

		buf[0] = 0x40;			/* SPF */
		buf[1] = 0xff;
		memcpy(buf + 4, list, sizeof(list));
		put_unaligned_be16(sizeof(list), buf + 2);
		return 4 + sizeof(list);
	}
	buf[4] = 0x00;
	buf[5] = 0x2f;
	put_unaligned_be16(2, buf + 2);
	return 6;
}

static int log_iec(u8 *buf)
{
	buf[0] = 0x2f;
	put_unaligned_be16(7, buf + 2);
	/* Parameter 0000h, binary format, ASC/ASCQ 0: no exception */
	buf[6] = 0x03;
	buf[7] = 3;
	buf[10] = 0xff;			/* no temperature reading */
	return 11;
}

int vdisk_log_sense(const u8 *cdb, u8 *buf, int size, struct vdisk_err *err)
{
	u8 page = cdb[2] & 0x3f, subpage = cdb[3];

	if (size < 64)
		return set_err(err, VDISK_ERR_INVALID_OPCODE, 0, -1);
	memset(buf, 0, 64);
	/* PPC (bit 1) is not supported; SP (bit 0) would need saving */
	if (!reserved_ok(cdb, 1, 0xff, err) || !reserved_ok(cdb, 4, 0xff, err))
		return -1;
	/* Every page has a single parameter 0000h */
	if (get_unaligned_be16(cdb + 5))
		return cdb_err(err, 5, 7);
	if (page == 0x00 && (subpage == 0x00 || subpage == 0xff))
		return log_supported(subpage, buf);
	if (page == 0x2f && subpage == 0x00)
		return log_iec(buf);
	if (page == 0x00 || page == 0x2f)
		return cdb_err(err, 3, 7);
	return cdb_err(err, 2, 5);
}

/*
 * UNMAP (SBC-3 5.28)
 */
int vdisk_unmap_cdb(const u8 *cdb, u32 *parm_len, struct vdisk_err *err)
{
	/* ANCHOR (byte 1 bit 0) is not supported */
	if (!reserved_ok(cdb, 1, 0xff, err) || !reserved_ok(cdb, 2, 0xff, err) ||
	    !reserved_ok(cdb, 3, 0xff, err) || !reserved_ok(cdb, 4, 0xff, err) ||
	    !reserved_ok(cdb, 5, 0xff, err) || !reserved_ok(cdb, 6, 0xe0, err))
		return -1;
	*parm_len = get_unaligned_be16(cdb + 7);
	return 0;
}

int vdisk_parse_unmap(const struct vdisk_pg_dev *d, const u8 *parm, u32 len,
		      struct vdisk_unmap_desc *desc, int max,
		      struct vdisk_err *err)
{
	u32 bd_len, n, i;

	if (!len)
		return 0;
	if (len < 8)
		return set_err(err, VDISK_ERR_PARM_LIST_LEN, 0, -1);
	bd_len = get_unaligned_be16(parm + 2);
	if (bd_len > len - 8)
		bd_len = len - 8;
	/* An incomplete last descriptor is ignored (SBC-3 5.28.2) */
	n = bd_len / 16;
	if (n > (u32)max)
		return parm_err(err, 2, 7);
	for (i = 0; i < n; i++) {
		const u8 *p = parm + 8 + 16 * i;

		desc[i].lba = get_unaligned_be64(p);
		desc[i].nr = get_unaligned_be32(p + 8);
		if (desc[i].lba > d->nr_blocks ||
		    desc[i].nr > d->nr_blocks - desc[i].lba)
			return set_err(err, VDISK_ERR_LBA_RANGE, 8 + 16 * i,
				       -1);
	}
	return n;
}

/*
 * WRITE SAME (SBC-3 5.42, 5.43).  ANCHOR, PBDATA/LBDATA and WRPROTECT
 * were refused by the core's CDB decoding (not in the usage data).
 */
u32 vdisk_max_ws_blocks(const struct vdisk_pg_dev *d)
{
	return VDISK_MAX_WS_BYTES >> d->block_shift;
}

int vdisk_check_write_same(const struct vdisk_pg_dev *d, const u8 *cdb,
			   u32 nr, bool *unmap, struct vdisk_err *err)
{
	int len_field = cdb[0] == WRITE_SAME ? 7 : 10;

	*unmap = cdb[1] & 0x08;
	/* LBPWS/LBPWS10 are only reported when we can deallocate */
	if (*unmap && !(d->thin_provisioned && d->unmap))
		return cdb_err(err, 1, 3);
	/* WSNZ=1 and MAXIMUM WRITE SAME LENGTH in the block limits VPD */
	if (!nr || nr > vdisk_max_ws_blocks(d))
		return cdb_err(err, len_field, -1);
	return 0;
}

/*
 * GET LBA STATUS (SBC-3 5.6)
 */
int vdisk_get_lba_status_cdb(const struct vdisk_pg_dev *d, const u8 *cdb,
			     u64 *lba, struct vdisk_err *err)
{
	*lba = get_unaligned_be64(cdb + 2);
	if (*lba >= d->nr_blocks)
		return set_err(err, VDISK_ERR_LBA_RANGE, 2, -1);
	return 0;
}

bool vdisk_lba_extent_add(struct vdisk_lba_extent *ext, int *n, int max,
			  u64 lba, u64 nr, u8 status)
{
	struct vdisk_lba_extent *last = *n ? &ext[*n - 1] : NULL;
	u64 room;

	while (nr) {
		if (last && last->status == status &&
		    last->lba + last->nr == lba && last->nr < U32_MAX) {
			room = min_t(u64, nr, U32_MAX - last->nr);
			last->nr += room;
		} else {
			if (*n >= max)
				return false;
			last = &ext[(*n)++];
			room = min_t(u64, nr, U32_MAX);
			last->lba = lba;
			last->nr = room;
			last->status = status;
		}
		lba += room;
		nr -= room;
	}
	return true;
}

int vdisk_lba_status(const struct vdisk_lba_extent *ext, int n, u8 *buf,
		     int size)
{
	int i, off = VDISK_LBA_STATUS_HDR_LEN;

	if (size < VDISK_LBA_STATUS_HDR_LEN)
		return 0;
	memset(buf, 0, VDISK_LBA_STATUS_HDR_LEN);
	for (i = 0; i < n && off + VDISK_LBA_STATUS_DESC_LEN <= size; i++) {
		memset(buf + off, 0, VDISK_LBA_STATUS_DESC_LEN);
		put_unaligned_be64(ext[i].lba, buf + off);
		put_unaligned_be32(ext[i].nr, buf + off + 8);
		buf[off + 12] = ext[i].status & 0x0f;
		off += VDISK_LBA_STATUS_DESC_LEN;
	}
	/* PARAMETER DATA LENGTH: the bytes that follow it */
	put_unaligned_be32(off - 4, buf);
	return off;
}

/*
 * LOG SELECT (SPC-4 6.5)
 */
static bool log_page_known(u8 page, u8 subpage)
{
	return (page == 0x00 && (subpage == 0x00 || subpage == 0xff)) ||
	       (page == 0x2f && subpage == 0x00);
}

/* Every log page in the list must be ours and change nothing */
static int log_select_parm(const u8 *parm, u32 len, struct vdisk_err *err)
{
	u32 off = 0, plen;
	u8 page, subpage;

	while (off < len) {
		if (len - off < 4)
			return cdb_err(err, 7, -1);	/* truncated page */
		page = parm[off] & 0x3f;
		subpage = (parm[off] & 0x40) ? parm[off + 1] : 0;
		plen = get_unaligned_be16(parm + off + 2);
		if (plen > len - off - 4)
			return cdb_err(err, 7, -1);
		/* The "supported log pages" pages hold no parameters */
		if (page != 0x2f || subpage)
			return parm_err(err, off, 5);
		/* The IEC page's only parameter is not changeable */
		if (plen)
			return parm_err(err, off + 4, 7);
		off += 4 + plen;
	}
	return 0;
}

int vdisk_log_select(const u8 *cdb, const u8 *parm, u32 len,
		     struct vdisk_err *err)
{
	bool pcr = cdb[1] & 0x02, sp = cdb[1] & 0x01;
	u8 page = cdb[2] & 0x3f, subpage = cdb[3];
	u32 plen = get_unaligned_be16(cdb + 7);

	/* Nothing can be saved */
	if (sp)
		return cdb_err(err, 1, 0);
	/* PCR=1 resets every parameter and takes no parameter list */
	if (pcr) {
		if (plen)
			return cdb_err(err, 7, -1);
		return 0;
	}
	/* No list: set the page(s) to the defaults, which they hold */
	if (!plen) {
		if ((page || subpage) && !log_page_known(page, subpage))
			return subpage ? cdb_err(err, 3, 7) : cdb_err(err, 2, 5);
		return 0;
	}
	/* With a list, the pages are named in the list, not the CDB */
	if (page)
		return cdb_err(err, 2, 5);
	if (subpage)
		return cdb_err(err, 3, 7);
	return log_select_parm(parm, min_t(u32, len, plen), err);
}

/*
 * CDB checks of commands that do not build data
 */
int vdisk_check_start_stop(const u8 *cdb, bool removable,
			   bool *start, bool *loej, bool *flush,
			   struct vdisk_err *err)
{
	u8 pc = cdb[4] >> 4;

	if (!reserved_ok(cdb, 1, 0xfe, err) || !reserved_ok(cdb, 2, 0xff, err) ||
	    !reserved_ok(cdb, 3, 0xf0, err) || !reserved_ok(cdb, 4, 0x08, err))
		return -1;
	/* START_VALID, ACTIVE, IDLE, STANDBY, LU_CONTROL, FORCE_* (SBC-3) */
	if (pc != 0x0 && pc != 0x1 && pc != 0x2 && pc != 0x3 && pc != 0x7 &&
	    pc != 0xa && pc != 0xb)
		return cdb_err(err, 4, 7);
	if (pc == 0 && (cdb[3] & 0x0f))
		return cdb_err(err, 3, 3);
	/* START and LOEJ only count with POWER CONDITION START_VALID */
	*start = pc ? true : cdb[4] & 0x01;
	*loej = !pc && removable && (cdb[4] & 0x02);
	*flush = !pc && !(cdb[4] & 0x01) && !(cdb[4] & 0x04);
	return 0;
}

int vdisk_check_prevent_allow(const u8 *cdb, bool *prevent,
			      struct vdisk_err *err)
{
	if (!reserved_ok(cdb, 1, 0xff, err) || !reserved_ok(cdb, 2, 0xff, err) ||
	    !reserved_ok(cdb, 3, 0xff, err) || !reserved_ok(cdb, 4, 0xfc, err))
		return -1;
	/* 10b and 11b are obsolete for direct-access devices */
	if (cdb[4] & 0x02)
		return cdb_err(err, 4, 1);
	*prevent = cdb[4] & 0x01;
	return 0;
}

static bool is_verify(u8 opcode)
{
	return opcode == VERIFY || opcode == VERIFY_12 || opcode == VERIFY_16;
}

int vdisk_check_verify(const u8 *cdb, struct vdisk_err *err)
{
	int bytchk = (cdb[1] >> 1) & 0x03;

	/* VRPROTECT/WRPROTECT: we have no protection information */
	if (cdb[1] & 0xe0)
		return cdb_err(err, 1, 7);
	/* BYTCHK 10b is reserved; WRITE AND VERIFY knows 00b and 01b only */
	if (bytchk == 2 || (bytchk == 3 && !is_verify(cdb[0])))
		return cdb_err(err, 1, 2);
	return bytchk;
}

int vdisk_check_rw(const u8 *cdb, struct vdisk_err *err)
{
	/* READ(6)/WRITE(6) have no protection field */
	if (cdb[0] == READ_6 || cdb[0] == WRITE_6)
		return 0;
	if (cdb[1] & 0xe0)
		return cdb_err(err, 1, 7);
	return 0;
}

int vdisk_check_sync_cache(const u8 *cdb, struct vdisk_err *err)
{
	/* SYNC_NV (bit 2) and RELADR (bit 0) are obsolete; IMMED is bit 1 */
	if (!reserved_ok(cdb, 1, 0xf8, err))
		return -1;
	return 0;
}

int vdisk_check_format_unit(const u8 *cdb, struct vdisk_err *err)
{
	/* No protection information and no parameter list */
	if (cdb[1] & 0xc0)
		return cdb_err(err, 1, 7);
	if (cdb[1] & 0x10)
		return cdb_err(err, 1, 4);
	return 0;
}

int vdisk_check_send_diag(const u8 *cdb, struct vdisk_err *err)
{
	u8 code = cdb[1] >> 5;

	if (!reserved_ok(cdb, 1, 0x08, err) || !reserved_ok(cdb, 2, 0xff, err))
		return -1;
	/* No diagnostic pages */
	if (get_unaligned_be16(cdb + 3))
		return cdb_err(err, 3, 7);
	/*
	 * Only the default self-test and the foreground self-tests, which
	 * have nothing to test and complete at once.
	 */
	if (code && code != 5 && code != 6)
		return cdb_err(err, 1, 7);
	if (code && (cdb[1] & 0x04))
		return cdb_err(err, 1, 2);
	return 0;
}
