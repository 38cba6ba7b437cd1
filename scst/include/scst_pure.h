/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCST "pure" logic: code without any kernel object dependency that is built
 * into scst.ko and, unchanged, into the host unit tests.
 *
 *  - sense data building, parsing and conversion (SPC-4 4.5)
 *  - the CDB decoding table and parser for direct-access devices (SBC-3) and
 *    the SPC-4 commands executed by the core, plus REPORT SUPPORTED
 *    OPERATION CODES parameter data
 *  - the management interface tokenizer and number/name parsing
 *  - initiator name wildcards and LUN encoding (SAM-5)
 *  - which I_T_L nexuses share a thread set (io_grouping_type)
 */
#ifndef __SCST_PURE_H
#define __SCST_PURE_H

#include "scst_pure_types.h"
#include "scst_const.h"

/*
 * Sense data
 *
 * Buffer lengths are int to match the SCST sense buffer conventions; a
 * negative or zero length is treated as an empty buffer.
 */

/*
 * Build current sense data in fixed (d_sense false: 18 bytes, response code
 * 70h, additional sense length 10) or descriptor (d_sense true: 8 byte
 * header, response code 72h, no descriptors) format.  If buflen is smaller
 * than the sense data, the sense data is truncated to buflen bytes.
 * Returns the number of bytes written.
 */
int scst_build_sense(u8 *buf, int buflen, bool d_sense, u8 key, u8 asc,
		     u8 ascq);

/*
 * As scst_build_sense(), plus a sense key specific FIELD POINTER (SKSV=1):
 * C/D set if in_cdb, FIELD POINTER = field, and if bit >= 0 BPV=1 and
 * BIT POINTER = bit.  Fixed format: bytes 15-17.  Descriptor format: a sense
 * key specific descriptor (02h) is appended (16 bytes in total).
 */
int scst_build_sense_sks(u8 *buf, int buflen, bool d_sense, u8 key, u8 asc,
			 u8 ascq, bool in_cdb, u16 field, int bit);

/*
 * Set the INFORMATION field of the sense data in buf, where buflen is the
 * size of the buffer (its current content length is taken from the sense
 * data header).  Fixed format: VALID bit and bytes 3-6; an info that does
 * not fit in 32 bits leaves the sense data unchanged and returns -ERANGE.
 * Descriptor format: the information descriptor (00h) is updated, or
 * appended if absent (-ENOSPC if it does not fit).
 * Returns the new length of the sense data, or a negative errno
 * (-EINVAL if buf does not hold fixed or descriptor sense data).
 */
int scst_sense_set_info(u8 *buf, int buflen, u64 info);

/*
 * Parse fixed or descriptor format sense data (current or deferred).
 * Returns false if buf does not hold valid sense data.  ASC and ASCQ are 0 if
 * the (fixed format) sense data is too short to contain them.  Any of the
 * output pointers may be NULL.
 */
bool scst_sense_parse(const u8 *buf, int len, u8 *key, u8 *asc, u8 *ascq);

/* The INFORMATION field, if present and valid. */
bool scst_sense_get_info(const u8 *buf, int len, u64 *info);

/*
 * Length of the valid sense data in buf: 8 + ADDITIONAL SENSE LENGTH, limited
 * to len.  Returns 0 if buf does not hold valid sense data.
 */
int scst_sense_length(const u8 *buf, int len);

/*
 * Convert sense data to fixed (to_d_sense false) or descriptor format,
 * preserving current/deferred, sense key, ASC, ASCQ, INFORMATION,
 * COMMAND-SPECIFIC INFORMATION and sense key specific data (values that
 * do not fit the fixed format are dropped).  Sense data already in the
 * requested format is copied unchanged.  in and out may be the same buffer.
 * Returns the number of bytes written to out, or -EINVAL if in does not hold
 * valid sense data.
 */
int scst_sense_convert(const u8 *in, int inlen, u8 *out, int outlen,
		       bool to_d_sense);

/* True if buf holds valid sense data with exactly this key/ASC/ASCQ. */
bool scst_sense_matches(const u8 *buf, int len, u8 key, u8 asc, u8 ascq);

/*
 * CDB decoding
 */

/* scst_cdb_info.sa value of commands without service action */
#define SCST_CDB_NO_SA			0xffff
/* Largest CDB described by the table */
#define SCST_CDB_INFO_MAX_LEN		16

/* scst_cdb_info.flags */
/* Has LBA and TRANSFER LENGTH (or NUMBER OF BLOCKS) in logical blocks */
#define SCST_CDB_LBA			0x00000001
/* Modifies the medium: refused on read-only LUNs (DATA PROTECT) */
#define SCST_CDB_WRITE_MEDIUM		0x00000002
/* Executed by the core for every device type */
#define SCST_CDB_LOCAL			0x00000004
/* Not failed by a pending unit attention condition (SAM-5 5.14) */
#define SCST_CDB_UA_EXEMPT		0x00000008
/* Allowed when another I_T nexus holds an SPC-2 (RESERVE) reservation */
#define SCST_CDB_RES_ALLOWED		0x00000010
/* Has a FUA bit (byte 1 bit 3) */
#define SCST_CDB_FUA			0x00000020
/* Processed as a HEAD OF QUEUE task whatever its task attribute */
#define SCST_CDB_IMPLICIT_HQ		0x00000040
/*
 * Persistent reservations (SPC-4 5.12.1 and the SBC-3 command tables):
 * PR_ALLOWED: allowed from any I_T nexus under any reservation type;
 * PR_READ: allowed from a non-holder under the Write Exclusive types only
 * (conflicts with the Exclusive Access types).  Neither: conflicts with all
 * types.  PERSISTENT RESERVE OUT is marked PR_ALLOWED: its own rules apply.
 */
#define SCST_CDB_PR_ALLOWED		0x00000080
#define SCST_CDB_PR_READ		0x00000100
/* Valid for direct-access block devices (peripheral device type 00h) */
#define SCST_CDB_DISK			0x00000200
/* Valid for CD/DVD devices (peripheral device type 05h) */
#define SCST_CDB_CDROM			0x00000400
/*
 * Executed alone on its device: SBC-3 makes the read-compare-write of
 * COMPARE AND WRITE (and the read-modify-write of XDWRITEREAD and ORWRITE)
 * atomic against every other command, not just against each other.
 */
#define SCST_CDB_EXCLUSIVE		0x00100000

/* Unit of the length field of a CDB */
enum scst_cdb_len_unit {
	SCST_CDB_UNIT_NONE = 0,	/* no data, or computed specially */
	SCST_CDB_UNIT_BYTES,	/* allocation / parameter list length */
	SCST_CDB_UNIT_BLOCKS,	/* logical blocks */
	SCST_CDB_UNIT_FIXED,	/* always fixed_len bytes */
};

struct scst_cdb_info {
	const char *name;
	u32 flags;		/* SCST_CDB_* */
	u16 sa;			/* service action (byte 1 bits 4-0) or NO_SA */
	u8 opcode;
	u8 cdb_len;
	/* Data direction; parsing may refine it (e.g. VERIFY BYTCHK) */
	enum scst_data_direction direction;
	/* Length field: byte offset and size, 0 if none */
	u8 len_off;
	u8 len_size;
	enum scst_cdb_len_unit len_unit;
	u32 fixed_len;		/* data length for SCST_CDB_UNIT_FIXED */
	/* LOGICAL BLOCK ADDRESS field: byte offset and size, 0 if none */
	u8 lba_off;
	u8 lba_size;
	/*
	 * CDB USAGE DATA as returned by REPORT SUPPORTED OPERATION CODES
	 * (SPC-4 6.35.3): byte 0 is the operation code, the service action
	 * field holds the service action, other bits are 1 if supported.
	 */
	u8 usage[SCST_CDB_INFO_MAX_LEN];
	/*
	 * Bits that are not used but tolerated when set (obsolete fields that
	 * some initiators still set, e.g. the SCSI-2 LUN field).
	 */
	u8 ign[SCST_CDB_INFO_MAX_LEN];
};

enum scst_cdb_err_kind {
	SCST_CDB_ERR_NONE = 0,
	/* ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE (20h/00h) */
	SCST_CDB_ERR_INVALID_OPCODE,
	/* ILLEGAL REQUEST, INVALID FIELD IN CDB (24h/00h) */
	SCST_CDB_ERR_INVALID_FIELD,
};

struct scst_cdb_parsed {
	const struct scst_cdb_info *info;	/* NULL on error */
	/* info->flags adjusted for this CDB (e.g. PREVENT=0) */
	u32 flags;
	u8 opcode;
	u16 sa;			/* SCST_CDB_NO_SA if none */
	u8 cdb_len;		/* length of the CDB of this command */
	enum scst_data_direction direction;	/* NONE if data_len is 0 */
	bool fua;
	u64 lba;		/* if the CDB has an LBA field, else 0 */
	u32 nr_blocks;		/* if SCST_CDB_LBA, else 0 */
	u64 data_len;		/* expected data transfer length in bytes */
	/* Error details; err_bit is -1 if no bit pointer applies */
	enum scst_cdb_err_kind err_kind;
	int err_field;
	int err_bit;
};

/* CDB length implied by the group code of opcode, 0 if not fixed */
unsigned int scst_cdb_group_len(u8 opcode);

/*
 * The table entry for the command in cdb, or NULL if the operation code or
 * the service action is not in the table.
 */
const struct scst_cdb_info *scst_cdb_lookup(const u8 *cdb,
					    unsigned int cdb_len);

/* Command name for logging, "UNKNOWN" if not in the table */
const char *scst_cdb_name(const u8 *cdb, unsigned int cdb_len);

/*
 * Decode and validate a CDB of cdb_len bytes (cdb_len may exceed the
 * command's CDB length, e.g. a 16 byte transport field) for a logical block
 * size of 1 << block_shift bytes (9 to 20).  Returns 0 on success, or, with
 * p->err_kind, p->err_field and p->err_bit set:
 *  -EOPNOTSUPP: operation code not supported (SCST_CDB_ERR_INVALID_OPCODE),
 *  -EINVAL: invalid field in CDB (SCST_CDB_ERR_INVALID_FIELD), including an
 *           unsupported service action, a CDB shorter than the command's,
 *           reserved bits set and NACA=1.
 */
int scst_cdb_parse(const u8 *cdb, unsigned int cdb_len,
		   unsigned int block_shift, struct scst_cdb_parsed *p);

/*
 * Build the CHECK CONDITION sense data for a failed scst_cdb_parse():
 * ILLEGAL REQUEST with INVALID COMMAND OPERATION CODE or INVALID FIELD IN
 * CDB and the field pointer.  Returns the sense length.
 */
int scst_build_cdb_err_sense(u8 *buf, int buflen, bool d_sense,
			     const struct scst_cdb_parsed *p);

/* Table entries in (opcode, service action) order; NULL after the last */
const struct scst_cdb_info *scst_cdb_table_iter(unsigned int idx);

/*
 * Build REPORT SUPPORTED OPERATION CODES parameter data for cdb, a
 * REPORT SUPPORTED OPERATION CODES CDB (12 bytes) already validated by
 * scst_cdb_parse() (REPORTING OPTIONS 000b to 011b, RCTD; the allocation
 * length is the caller's business).  Only table entries for which
 * supported(info, ctx) returns true are reported (all if supported is NULL).
 * At most buflen bytes are stored.  Returns the full length of the parameter
 * data, or -EINVAL with *err_field set to the invalid CDB byte.
 */
int scst_build_rsoc(u8 *buf, unsigned int buflen, const u8 *cdb,
		    bool (*supported)(const struct scst_cdb_info *, void *),
		    void *ctx, int *err_field);

/*
 * Management interface tokenizer
 */

/*
 * Longest object name: the longest file name of sysfs and configfs
 * (NAME_MAX).
 */
#define SCST_MAX_NAME_LEN		255

struct scst_param {
	char *name;		/* in the parsed string */
	char *value;		/* in the parsed string */
	int idx;		/* index in the allowed list, -1 if no list */
};

/*
 * Return the next lexeme of *pos and advance *pos past it.  Lexemes are
 * separated by white space and '='; the separator that follows the lexeme
 * is overwritten with NUL.  Returns an empty string at the end.
 */
char *scst_next_lexem(char **pos);

/*
 * Parse "name=value[;name=value...]" (groups are separated by ';' or new
 * line, and "name value" works as well) in place.  allowed is a NULL
 * terminated list of accepted names, or NULL to accept any name.
 * Returns the number of parameters stored in params, or -EINVAL (unknown
 * or repeated name, missing value, extra lexeme) or -E2BIG (more than max
 * parameters) with *bad, if bad is not NULL, pointing at the offending
 * lexeme.
 */
int scst_parse_params(char *str, const char *const *allowed,
		      struct scst_param *params, unsigned int max,
		      const char **bad);

/*
 * Strict number parsing: decimal, or hexadecimal with a 0x/0X prefix, no
 * sign, no white space, no trailing characters.  Return 0, -EINVAL or
 * -ERANGE.
 */
int scst_parse_u64(const char *s, u64 *val);
int scst_parse_u32(const char *s, u32 *val);
/* Only "0" and "1" */
int scst_parse_bool(const char *s, bool *val);

/*
 * Object names: 1 to SCST_MAX_NAME_LEN printable ASCII characters other than
 * space and '/', and not "." or "..".
 */
bool scst_is_valid_name(const char *name);

/*
 * Initiator names and LUNs
 */

/*
 * Case-insensitive match of name against pattern, where '*' matches any
 * (possibly empty) sequence of characters and '?' exactly one character.
 */
bool scst_wildcard_match(const char *pattern, const char *name);

/*
 * Initiator group membership: name matches when no "!pattern" of the list
 * matches it, and either a positive pattern matches it or the list only has
 * negated patterns (at least one).
 */
bool scst_initiator_matches(const char *name, const char *const *patterns,
			    unsigned int n);

/*
 * Decode a single level SAM-5 LUN (peripheral device addressing with bus 0,
 * or flat space addressing).  len is the length of the LUN field (normally
 * 8; missing bytes count as zero).  On an unsupported address method or a
 * non-zero second level, *ok is set to false and U64_MAX returned.
 */
u64 scst_unpack_lun(const u8 *lun, unsigned int len, bool *ok);

/*
 * Encode lun (<= SCST_MAX_LUN) as an 8 byte SAM-5 LUN: peripheral device
 * addressing for LUNs below 256 unless addr_method is
 * SCST_LUN_ADDR_METHOD_FLAT, flat space addressing otherwise.
 * SCST_LUN_ADDR_METHOD_LUN is not supported and handled as peripheral.
 */
void scst_pack_lun(u64 lun, unsigned int addr_method, u8 out[8]);

/*
 * I/O grouping (devices with threads_pool_type per_initiator): the nexuses
 * of one device that share a set of threads form an I/O group.  A key
 * describes a nexus by the io_grouping_type in force for its initiator
 * group (or its target, for the default LUN set), its initiator name and
 * an identifier of its initiator group.
 */
#define SCST_IO_GROUPING_AUTO		-1	/* same initiator name */
#define SCST_IO_GROUPING_THIS_ONLY	-2	/* same initiator group */
#define SCST_IO_GROUPING_NEVER		-3	/* every nexus alone */
/* values >= 1: every nexus whose group has that number */

struct scst_io_group_key {
	int type;
	const char *initiator;
	unsigned long acg_id;
};

/*
 * May the nexus described by nexus join the group created for group?
 * Both must have been formed under the same rule: a group created for
 * "auto" is not joined by a nexus whose group says "this_group_only".
 */
bool scst_io_group_key_match(const struct scst_io_group_key *group,
			     const struct scst_io_group_key *nexus);

#endif /* __SCST_PURE_H */
