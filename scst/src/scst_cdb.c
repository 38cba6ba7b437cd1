// SPDX-License-Identifier: GPL-2.0
/*
 * CDB decoding for direct-access block devices (SBC-3), the MMC-6
 * commands of CD-ROM devices and the SPC-4 commands the core executes,
 * and REPORT SUPPORTED OPERATION CODES parameter data (SPC-4 6.35).
 *
 * The table lists, per operation code and service action, the CDB layout
 * and the CDB USAGE DATA reported to initiators.  Parsing rejects any bit
 * set in the CDB that is neither in the usage data nor in the list of
 * tolerated obsolete bits (INVALID FIELD IN CDB, with the field pointer of
 * the first offending byte and bit).  In the CONTROL byte only NACA is
 * checked: ACA is not supported, the other bits are vendor specific or
 * obsolete.
 */

#include "scst_pure.h"

/* Common flag sets */
#define SPC		(SCST_CDB_DISK | SCST_CDB_CDROM)
#define SBC		SCST_CDB_DISK
#define DISK_READ	(SCST_CDB_DISK | SCST_CDB_LBA | SCST_CDB_PR_READ)
#define DISK_WRITE	(SCST_CDB_DISK | SCST_CDB_LBA | SCST_CDB_WRITE_MEDIUM)
/* Commands about the device itself, never blocked */
#define INFO_CMD	(SCST_CDB_RES_ALLOWED | SCST_CDB_PR_ALLOWED)

/* Length field initializers */
#define LEN_BYTES(off, size) \
	.len_off = (off), .len_size = (size), .len_unit = SCST_CDB_UNIT_BYTES
#define LEN_BLOCKS(off, size) \
	.len_off = (off), .len_size = (size), .len_unit = SCST_CDB_UNIT_BLOCKS
#define LEN_FIXED(len) \
	.len_unit = SCST_CDB_UNIT_FIXED, .fixed_len = (len)
#define LBA(off, size) \
	.lba_off = (off), .lba_size = (size)

/* Service action field: byte 1 bits 4-0 in all table entries */
#define SA_MASK		0x1f
/* CONTROL byte NACA bit */
#define CONTROL_NACA	0x04
/* FUA bit, byte 1 */
#define CDB_FUA_BIT	0x08

/*
 * SCSI-2 LUN field (byte 1 bits 7-5) of 6 byte CDBs, still set by some old
 * initiators.
 */
#define IGN_LUN		{ [1] = 0xe0 }
/* Obsolete RELADR bit (byte 1 bit 0) */
#define IGN_RELADR	{ [1] = 0x01 }

/* The table, sorted by operation code then service action. */
static const struct scst_cdb_info scst_cdb_table[] = {
	{
		.opcode = TEST_UNIT_READY, .sa = SCST_CDB_NO_SA,
		.name = "TEST UNIT READY", .cdb_len = 6,
		.direction = SCST_DATA_NONE,
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { TEST_UNIT_READY, 0x00, 0x00, 0x00, 0x00, 0x00 },
		.ign = IGN_LUN,
	}, {
		.opcode = REQUEST_SENSE, .sa = SCST_CDB_NO_SA,
		.name = "REQUEST SENSE", .cdb_len = 6,
		.direction = SCST_DATA_READ, LEN_BYTES(4, 1),
		.flags = SPC | SCST_CDB_LOCAL | SCST_CDB_UA_EXEMPT |
			 SCST_CDB_IMPLICIT_HQ | INFO_CMD,
		.usage = { REQUEST_SENSE, 0x01, 0x00, 0x00, 0xff, 0x00 },
		.ign = IGN_LUN,
	}, {
		/*
		 * The parameter list length is not in the CDB: data_len is
		 * the length of the parameter list header (FMTDATA=1).
		 */
		.opcode = FORMAT_UNIT, .sa = SCST_CDB_NO_SA,
		.name = "FORMAT UNIT", .cdb_len = 6,
		.direction = SCST_DATA_WRITE,
		.flags = SBC | SCST_CDB_WRITE_MEDIUM,
		.usage = { FORMAT_UNIT, 0x3f, 0x00, 0x00, 0x00, 0x00 },
		/* vendor specific byte 2, obsolete bytes 3-4 */
		.ign = { [2] = 0xff, [3] = 0xff, [4] = 0xff },
	}, {
		.opcode = READ_6, .sa = SCST_CDB_NO_SA,
		.name = "READ(6)", .cdb_len = 6,
		.direction = SCST_DATA_READ, LEN_BLOCKS(4, 1), LBA(1, 3),
		.flags = DISK_READ,
		.usage = { READ_6, 0x1f, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = WRITE_6, .sa = SCST_CDB_NO_SA,
		.name = "WRITE(6)", .cdb_len = 6,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(4, 1), LBA(1, 3),
		.flags = DISK_WRITE,
		.usage = { WRITE_6, 0x1f, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = INQUIRY, .sa = SCST_CDB_NO_SA,
		.name = "INQUIRY", .cdb_len = 6,
		.direction = SCST_DATA_READ, LEN_BYTES(3, 2),
		.flags = SPC | SCST_CDB_UA_EXEMPT | SCST_CDB_IMPLICIT_HQ |
			 INFO_CMD,
		.usage = { INQUIRY, 0x01, 0xff, 0xff, 0xff, 0x00 },
		.ign = IGN_LUN,
	}, {
		.opcode = MODE_SELECT, .sa = SCST_CDB_NO_SA,
		.name = "MODE SELECT(6)", .cdb_len = 6,
		.direction = SCST_DATA_WRITE, LEN_BYTES(4, 1),
		.flags = SPC,
		.usage = { MODE_SELECT, 0x11, 0x00, 0x00, 0xff, 0x00 },
		.ign = IGN_LUN,
	}, {
		.opcode = RESERVE, .sa = SCST_CDB_NO_SA,
		.name = "RESERVE(6)", .cdb_len = 6,
		.direction = SCST_DATA_NONE,
		.flags = SPC | SCST_CDB_LOCAL,
		.usage = { RESERVE, 0x00, 0x00, 0x00, 0x00, 0x00 },
		.ign = IGN_LUN,
	}, {
		.opcode = RELEASE, .sa = SCST_CDB_NO_SA,
		.name = "RELEASE(6)", .cdb_len = 6,
		.direction = SCST_DATA_NONE,
		.flags = SPC | SCST_CDB_LOCAL | SCST_CDB_RES_ALLOWED,
		.usage = { RELEASE, 0x00, 0x00, 0x00, 0x00, 0x00 },
		.ign = IGN_LUN,
	}, {
		.opcode = MODE_SENSE, .sa = SCST_CDB_NO_SA,
		.name = "MODE SENSE(6)", .cdb_len = 6,
		.direction = SCST_DATA_READ, LEN_BYTES(4, 1),
		.flags = SPC,
		.usage = { MODE_SENSE, 0x08, 0xff, 0xff, 0xff, 0x00 },
		.ign = IGN_LUN,
	}, {
		/* PR_ALLOWED is added for START=1 and POWER CONDITION=0 */
		.opcode = START_STOP, .sa = SCST_CDB_NO_SA,
		.name = "START STOP UNIT", .cdb_len = 6,
		.direction = SCST_DATA_NONE,
		.flags = SPC,
		.usage = { START_STOP, 0x01, 0x00, 0x0f, 0xf7, 0x00 },
		.ign = IGN_LUN,
	}, {
		.opcode = SEND_DIAGNOSTIC, .sa = SCST_CDB_NO_SA,
		.name = "SEND DIAGNOSTIC", .cdb_len = 6,
		.direction = SCST_DATA_WRITE, LEN_BYTES(3, 2),
		.flags = SPC,
		.usage = { SEND_DIAGNOSTIC, 0xf7, 0x00, 0xff, 0xff, 0x00 },
	}, {
		/* RES_ALLOWED and PR_ALLOWED are added for PREVENT=0 */
		.opcode = ALLOW_MEDIUM_REMOVAL, .sa = SCST_CDB_NO_SA,
		.name = "PREVENT ALLOW MEDIUM REMOVAL", .cdb_len = 6,
		.direction = SCST_DATA_NONE,
		.flags = SPC,
		.usage = { ALLOW_MEDIUM_REMOVAL, 0x00, 0x00, 0x00, 0x03, 0x00 },
		.ign = IGN_LUN,
	}, {
		.opcode = READ_CAPACITY, .sa = SCST_CDB_NO_SA,
		.name = "READ CAPACITY(10)", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_FIXED(8), LBA(2, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { READ_CAPACITY, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00,
			   0x00, 0x01, 0x00 },
		.ign = IGN_RELADR,
	}, {
		.opcode = READ_10, .sa = SCST_CDB_NO_SA,
		.name = "READ(10)", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = DISK_READ | SCST_CDB_CDROM | SCST_CDB_FUA,
		.usage = { READ_10, 0x1a, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0xff, 0xff, 0x00 },
		.ign = IGN_RELADR,
	}, {
		.opcode = WRITE_10, .sa = SCST_CDB_NO_SA,
		.name = "WRITE(10)", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = DISK_WRITE | SCST_CDB_FUA,
		.usage = { WRITE_10, 0x1a, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0xff, 0xff, 0x00 },
		.ign = IGN_RELADR,
	}, {
		.opcode = WRITE_VERIFY, .sa = SCST_CDB_NO_SA,
		.name = "WRITE AND VERIFY(10)", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = DISK_WRITE,
		.usage = { WRITE_VERIFY, 0x12, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0xff, 0xff, 0x00 },
		.ign = IGN_RELADR,
	}, {
		/* BYTCHK (byte 1 bits 2-1) selects the data transfer */
		.opcode = VERIFY, .sa = SCST_CDB_NO_SA,
		.name = "VERIFY(10)", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = DISK_READ,
		.usage = { VERIFY, 0x16, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0xff, 0xff, 0x00 },
		.ign = IGN_RELADR,
	}, {
		/* Reads into the cache: range checked, no data transfer */
		.opcode = PRE_FETCH, .sa = SCST_CDB_NO_SA,
		.name = "PRE-FETCH(10)", .cdb_len = 10,
		.direction = SCST_DATA_NONE, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = SBC | SCST_CDB_LBA | SCST_CDB_PR_READ,
		.usage = { PRE_FETCH, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0xff, 0xff, 0x00 },
		.ign = IGN_RELADR,
	}, {
		.opcode = SYNCHRONIZE_CACHE, .sa = SCST_CDB_NO_SA,
		.name = "SYNCHRONIZE CACHE(10)", .cdb_len = 10,
		.direction = SCST_DATA_NONE, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = SPC | SCST_CDB_LBA,
		.usage = { SYNCHRONIZE_CACHE, 0x06, 0xff, 0xff, 0xff, 0xff,
			   0x1f, 0xff, 0xff, 0x00 },
		.ign = IGN_RELADR,
	}, {
		/* One logical block of data whatever the number of blocks */
		.opcode = WRITE_SAME, .sa = SCST_CDB_NO_SA,
		.name = "WRITE SAME(10)", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = DISK_WRITE,
		.usage = { WRITE_SAME, 0x08, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0xff, 0xff, 0x00 },
		.ign = IGN_RELADR,
	}, {
		.opcode = UNMAP, .sa = SCST_CDB_NO_SA,
		.name = "UNMAP", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(7, 2),
		.flags = SBC | SCST_CDB_WRITE_MEDIUM,
		.usage = { UNMAP, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f,
			   0xff, 0xff, 0x00 },
	}, {
		.opcode = READ_TOC, .sa = SCST_CDB_NO_SA,
		.name = "READ TOC/PMA/ATIP", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SCST_CDB_CDROM | SCST_CDB_PR_READ,
		.usage = { READ_TOC, 0x02, 0x0f, 0x00, 0x00, 0x00, 0xff,
			   0xff, 0xff, 0x00 },
	}, {
		/*
		 * MMC-6 6.6.  Like GET EVENT STATUS NOTIFICATION it neither
		 * reports nor clears a unit attention (MMC-6 4.1.6.1).
		 */
		.opcode = GET_CONFIGURATION, .sa = SCST_CDB_NO_SA,
		.name = "GET CONFIGURATION", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SCST_CDB_CDROM | SCST_CDB_UA_EXEMPT | INFO_CMD,
		.usage = { GET_CONFIGURATION, 0x03, 0xff, 0xff, 0x00, 0x00,
			   0x00, 0xff, 0xff, 0x00 },
	}, {
		/* MMC-6 6.7: POLLED bit, NOTIFICATION CLASS REQUEST */
		.opcode = GET_EVENT_STATUS_NOTIFICATION, .sa = SCST_CDB_NO_SA,
		.name = "GET EVENT STATUS NOTIFICATION", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SCST_CDB_CDROM | SCST_CDB_UA_EXEMPT | INFO_CMD,
		.usage = { GET_EVENT_STATUS_NOTIFICATION, 0x01, 0x00, 0x00,
			   0xff, 0x00, 0x00, 0xff, 0xff, 0x00 },
	}, {
		.opcode = LOG_SELECT, .sa = SCST_CDB_NO_SA,
		.name = "LOG SELECT", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(7, 2),
		.flags = SPC,
		.usage = { LOG_SELECT, 0x03, 0xff, 0xff, 0x00, 0x00, 0x00,
			   0xff, 0xff, 0x00 },
	}, {
		.opcode = LOG_SENSE, .sa = SCST_CDB_NO_SA,
		.name = "LOG SENSE", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SPC | INFO_CMD,
		.usage = { LOG_SENSE, 0x01, 0xff, 0xff, 0x00, 0xff, 0xff,
			   0xff, 0xff, 0x00 },
		/* obsolete PPC bit */
		.ign = { [1] = 0x02 },
	}, {
		/* MMC-6 6.22: DATA TYPE, byte 1 bits 2-0 */
		.opcode = READ_DISC_INFORMATION, .sa = SCST_CDB_NO_SA,
		.name = "READ DISC INFORMATION", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SCST_CDB_CDROM | SCST_CDB_PR_READ,
		.usage = { READ_DISC_INFORMATION, 0x07, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0xff, 0xff, 0x00 },
	}, {
		/* Data-Out and Data-In of TRANSFER LENGTH blocks each */
		.opcode = XDWRITEREAD_10, .sa = SCST_CDB_NO_SA,
		.name = "XDWRITEREAD(10)", .cdb_len = 10,
		.direction = SCST_DATA_BIDI, LEN_BLOCKS(7, 2), LBA(2, 4),
		.flags = DISK_WRITE | SCST_CDB_FUA | SCST_CDB_EXCLUSIVE,
		.usage = { XDWRITEREAD_10, 0x1e, 0xff, 0xff, 0xff, 0xff,
			   0x1f, 0xff, 0xff, 0x00 },
	}, {
		.opcode = MODE_SELECT_10, .sa = SCST_CDB_NO_SA,
		.name = "MODE SELECT(10)", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(7, 2),
		.flags = SPC,
		.usage = { MODE_SELECT_10, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00,
			   0xff, 0xff, 0x00 },
	}, {
		/* Third-party reservations and extents are not supported */
		.opcode = RESERVE_10, .sa = SCST_CDB_NO_SA,
		.name = "RESERVE(10)", .cdb_len = 10,
		.direction = SCST_DATA_NONE,
		.flags = SPC | SCST_CDB_LOCAL,
		.usage = { RESERVE_10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00 },
	}, {
		.opcode = RELEASE_10, .sa = SCST_CDB_NO_SA,
		.name = "RELEASE(10)", .cdb_len = 10,
		.direction = SCST_DATA_NONE,
		.flags = SPC | SCST_CDB_LOCAL | SCST_CDB_RES_ALLOWED,
		.usage = { RELEASE_10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00 },
	}, {
		.opcode = MODE_SENSE_10, .sa = SCST_CDB_NO_SA,
		.name = "MODE SENSE(10)", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SPC,
		.usage = { MODE_SENSE_10, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00,
			   0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_IN, .sa = 0x00,
		.name = "PERSISTENT RESERVE IN READ KEYS", .cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_IN, 0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_IN, .sa = 0x01,
		.name = "PERSISTENT RESERVE IN READ RESERVATION",
		.cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_IN, 0x01, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_IN, .sa = 0x02,
		.name = "PERSISTENT RESERVE IN REPORT CAPABILITIES",
		.cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_IN, 0x02, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_IN, .sa = 0x03,
		.name = "PERSISTENT RESERVE IN READ FULL STATUS",
		.cdb_len = 10,
		.direction = SCST_DATA_READ, LEN_BYTES(7, 2),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_IN, 0x03, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x00,
		.name = "PERSISTENT RESERVE OUT REGISTER", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x00, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x01,
		.name = "PERSISTENT RESERVE OUT RESERVE", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x01, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x02,
		.name = "PERSISTENT RESERVE OUT RELEASE", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x02, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x03,
		.name = "PERSISTENT RESERVE OUT CLEAR", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x03, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x04,
		.name = "PERSISTENT RESERVE OUT PREEMPT", .cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x04, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x05,
		.name = "PERSISTENT RESERVE OUT PREEMPT AND ABORT",
		.cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x05, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x06,
		.name = "PERSISTENT RESERVE OUT REGISTER AND IGNORE EXISTING KEY",
		.cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x06, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = PERSISTENT_RESERVE_OUT, .sa = 0x07,
		.name = "PERSISTENT RESERVE OUT REGISTER AND MOVE",
		.cdb_len = 10,
		.direction = SCST_DATA_WRITE, LEN_BYTES(5, 4),
		.flags = SPC | SCST_CDB_PR_ALLOWED,
		.usage = { PERSISTENT_RESERVE_OUT, 0x07, 0xff, 0x00, 0x00,
			   0xff, 0xff, 0xff, 0xff, 0x00 },
	}, {
		.opcode = EXTENDED_COPY, .sa = 0x00,
		.name = "EXTENDED COPY(LID1)", .cdb_len = 16,
		.direction = SCST_DATA_WRITE, LEN_BYTES(10, 4),
		.flags = SBC,
		.usage = { EXTENDED_COPY, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00,
			   0x00 },
	}, {
		.opcode = RECEIVE_COPY_RESULTS, .sa = 0x00,
		.name = "RECEIVE COPY STATUS(LID1)", .cdb_len = 16,
		.direction = SCST_DATA_READ, LEN_BYTES(10, 4),
		.flags = SBC,
		.usage = { RECEIVE_COPY_RESULTS, 0x00, 0xff, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
			   0x00, 0x00 },
	}, {
		.opcode = RECEIVE_COPY_RESULTS, .sa = 0x01,
		.name = "RECEIVE COPY DATA(LID1)", .cdb_len = 16,
		.direction = SCST_DATA_READ, LEN_BYTES(10, 4),
		.flags = SBC,
		.usage = { RECEIVE_COPY_RESULTS, 0x01, 0xff, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
			   0x00, 0x00 },
	}, {
		.opcode = RECEIVE_COPY_RESULTS, .sa = 0x03,
		.name = "RECEIVE COPY OPERATING PARAMETERS", .cdb_len = 16,
		.direction = SCST_DATA_READ, LEN_BYTES(10, 4),
		.flags = SBC,
		.usage = { RECEIVE_COPY_RESULTS, 0x03, 0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
			   0x00, 0x00 },
	}, {
		.opcode = RECEIVE_COPY_RESULTS, .sa = 0x04,
		.name = "RECEIVE COPY FAILURE DETAILS(LID1)", .cdb_len = 16,
		.direction = SCST_DATA_READ, LEN_BYTES(10, 4),
		.flags = SBC,
		.usage = { RECEIVE_COPY_RESULTS, 0x04, 0xff, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
			   0x00, 0x00 },
	}, {
		.opcode = READ_16, .sa = SCST_CDB_NO_SA,
		.name = "READ(16)", .cdb_len = 16,
		.direction = SCST_DATA_READ, LEN_BLOCKS(10, 4), LBA(2, 8),
		.flags = DISK_READ | SCST_CDB_FUA,
		.usage = { READ_16, 0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00 },
		/* SBC-4 DLD bits */
		.ign = { [1] = 0x01, [14] = 0xe0 },
	}, {
		/* Data: the verify then the write data, 2 * NUMBER OF BLOCKS */
		.opcode = COMPARE_AND_WRITE, .sa = SCST_CDB_NO_SA,
		.name = "COMPARE AND WRITE", .cdb_len = 16,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(13, 1), LBA(2, 8),
		.flags = DISK_WRITE | SCST_CDB_FUA | SCST_CDB_EXCLUSIVE,
		.usage = { COMPARE_AND_WRITE, 0x1a, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff,
			   0x1f, 0x00 },
	}, {
		.opcode = WRITE_16, .sa = SCST_CDB_NO_SA,
		.name = "WRITE(16)", .cdb_len = 16,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(10, 4), LBA(2, 8),
		.flags = DISK_WRITE | SCST_CDB_FUA,
		.usage = { WRITE_16, 0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00 },
		.ign = { [1] = 0x01, [14] = 0xe0 },
	}, {
		.opcode = WRITE_VERIFY_16, .sa = SCST_CDB_NO_SA,
		.name = "WRITE AND VERIFY(16)", .cdb_len = 16,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(10, 4), LBA(2, 8),
		.flags = DISK_WRITE,
		.usage = { WRITE_VERIFY_16, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0x00 },
	}, {
		.opcode = VERIFY_16, .sa = SCST_CDB_NO_SA,
		.name = "VERIFY(16)", .cdb_len = 16,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(10, 4), LBA(2, 8),
		.flags = DISK_READ,
		.usage = { VERIFY_16, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00 },
	}, {
		.opcode = PRE_FETCH_16, .sa = SCST_CDB_NO_SA,
		.name = "PRE-FETCH(16)", .cdb_len = 16,
		.direction = SCST_DATA_NONE, LEN_BLOCKS(10, 4), LBA(2, 8),
		.flags = SBC | SCST_CDB_LBA | SCST_CDB_PR_READ,
		.usage = { PRE_FETCH_16, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0x00 },
	}, {
		.opcode = SYNCHRONIZE_CACHE_16, .sa = SCST_CDB_NO_SA,
		.name = "SYNCHRONIZE CACHE(16)", .cdb_len = 16,
		.direction = SCST_DATA_NONE, LEN_BLOCKS(10, 4), LBA(2, 8),
		.flags = SBC | SCST_CDB_LBA,
		.usage = { SYNCHRONIZE_CACHE_16, 0x06, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0x1f, 0x00 },
	}, {
		/* UNMAP (bit 3) and NDOB (bit 0, no Data-Out buffer) */
		.opcode = WRITE_SAME_16, .sa = SCST_CDB_NO_SA,
		.name = "WRITE SAME(16)", .cdb_len = 16,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(10, 4), LBA(2, 8),
		.flags = DISK_WRITE,
		.usage = { WRITE_SAME_16, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f,
			   0x00 },
	}, {
		.opcode = SERVICE_ACTION_IN_16, .sa = SAI_READ_CAPACITY_16,
		.name = "READ CAPACITY(16)", .cdb_len = 16,
		.direction = SCST_DATA_READ, LEN_BYTES(10, 4), LBA(2, 8),
		.flags = SBC | SCST_CDB_PR_ALLOWED,
		.usage = { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0x01, 0x00 },
	}, {
		.opcode = SERVICE_ACTION_IN_16, .sa = SAI_GET_LBA_STATUS,
		.name = "GET LBA STATUS", .cdb_len = 16,
		.direction = SCST_DATA_READ, LEN_BYTES(10, 4), LBA(2, 8),
		.flags = SBC | SCST_CDB_PR_READ,
		.usage = { SERVICE_ACTION_IN_16, SAI_GET_LBA_STATUS, 0xff,
			   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0x00, 0x00 },
	}, {
		.opcode = REPORT_LUNS, .sa = SCST_CDB_NO_SA,
		.name = "REPORT LUNS", .cdb_len = 12,
		.direction = SCST_DATA_READ, LEN_BYTES(6, 4),
		.flags = SPC | SCST_CDB_LOCAL | SCST_CDB_UA_EXEMPT |
			 SCST_CDB_IMPLICIT_HQ | INFO_CMD,
		.usage = { REPORT_LUNS, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff,
			   0xff, 0xff, 0xff, 0x00, 0x00 },
	}, {
		/* PARAMETER DATA FORMAT: byte 1 bits 7-5 */
		.opcode = MAINTENANCE_IN, .sa = MI_REPORT_TARGET_PGS,
		.name = "REPORT TARGET PORT GROUPS", .cdb_len = 12,
		.direction = SCST_DATA_READ, LEN_BYTES(6, 4),
		.flags = SPC | INFO_CMD,
		.usage = { MAINTENANCE_IN, 0xe0 | MI_REPORT_TARGET_PGS, 0x00,
			   0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00,
			   0x00 },
	}, {
		.opcode = MAINTENANCE_IN,
		.sa = MI_REPORT_SUPPORTED_OPERATION_CODES,
		.name = "REPORT SUPPORTED OPERATION CODES", .cdb_len = 12,
		.direction = SCST_DATA_READ, LEN_BYTES(6, 4),
		.flags = SPC | SCST_CDB_LOCAL | INFO_CMD,
		.usage = { MAINTENANCE_IN, MI_REPORT_SUPPORTED_OPERATION_CODES,
			   0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0x00, 0x00 },
	}, {
		.opcode = MAINTENANCE_IN,
		.sa = MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS,
		.name = "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS",
		.cdb_len = 12,
		.direction = SCST_DATA_READ, LEN_BYTES(6, 4),
		.flags = SPC | SCST_CDB_LOCAL | INFO_CMD,
		.usage = { MAINTENANCE_IN,
			   MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS,
			   0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
			   0x00, 0x00 },
	}, {
		.opcode = MAINTENANCE_OUT, .sa = MO_SET_TARGET_PGS,
		.name = "SET TARGET PORT GROUPS", .cdb_len = 12,
		.direction = SCST_DATA_WRITE, LEN_BYTES(6, 4),
		.flags = SPC,
		.usage = { MAINTENANCE_OUT, MO_SET_TARGET_PGS, 0x00, 0x00,
			   0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 },
	}, {
		.opcode = READ_12, .sa = SCST_CDB_NO_SA,
		.name = "READ(12)", .cdb_len = 12,
		.direction = SCST_DATA_READ, LEN_BLOCKS(6, 4), LBA(2, 4),
		.flags = DISK_READ | SCST_CDB_CDROM | SCST_CDB_FUA,
		.usage = { READ_12, 0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0x1f, 0x00 },
		/* RELADR, MMC streaming bit */
		.ign = { [1] = 0x01, [10] = 0x80 },
	}, {
		.opcode = WRITE_12, .sa = SCST_CDB_NO_SA,
		.name = "WRITE(12)", .cdb_len = 12,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(6, 4), LBA(2, 4),
		.flags = DISK_WRITE | SCST_CDB_FUA,
		.usage = { WRITE_12, 0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0x1f, 0x00 },
		.ign = { [1] = 0x01, [10] = 0x80 },
	}, {
		.opcode = WRITE_VERIFY_12, .sa = SCST_CDB_NO_SA,
		.name = "WRITE AND VERIFY(12)", .cdb_len = 12,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(6, 4), LBA(2, 4),
		.flags = DISK_WRITE,
		.usage = { WRITE_VERIFY_12, 0x12, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0xff, 0x1f, 0x00 },
		.ign = IGN_RELADR,
	}, {
		.opcode = VERIFY_12, .sa = SCST_CDB_NO_SA,
		.name = "VERIFY(12)", .cdb_len = 12,
		.direction = SCST_DATA_WRITE, LEN_BLOCKS(6, 4), LBA(2, 4),
		.flags = DISK_READ,
		.usage = { VERIFY_12, 0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			   0xff, 0xff, 0x1f, 0x00 },
		.ign = IGN_RELADR,
	}, {
		/* MMC-6 6.11 */
		.opcode = MECHANISM_STATUS, .sa = SCST_CDB_NO_SA,
		.name = "MECHANISM STATUS", .cdb_len = 12,
		.direction = SCST_DATA_READ, LEN_BYTES(8, 2),
		.flags = SCST_CDB_CDROM | INFO_CMD,
		.usage = { MECHANISM_STATUS, 0x00, 0x00, 0x00, 0x00, 0x00,
			   0x00, 0x00, 0xff, 0xff, 0x00, 0x00 },
	},
};

unsigned int scst_cdb_group_len(u8 opcode)
{
	switch (opcode >> 5) {
	case 0:
		return 6;
	case 1:
	case 2:
		return 10;
	case 4:
		return 16;
	case 5:
		return 12;
	default:
		/* 3: reserved / variable length; 6, 7: vendor specific */
		return 0;
	}
}
EXPORT_SYMBOL_GPL(scst_cdb_group_len);

/* First table entry for opcode, or NULL */
static const struct scst_cdb_info *cdb_find_opcode(u8 opcode)
{
	unsigned int lo = 0, hi = ARRAY_SIZE(scst_cdb_table);

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (scst_cdb_table[mid].opcode < opcode)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ARRAY_SIZE(scst_cdb_table) &&
	    scst_cdb_table[lo].opcode == opcode)
		return &scst_cdb_table[lo];
	return NULL;
}

/* Entry for opcode/sa starting at the first entry of the opcode */
static const struct scst_cdb_info *cdb_find_sa(const struct scst_cdb_info *e,
					       u16 sa)
{
	const struct scst_cdb_info *end =
		scst_cdb_table + ARRAY_SIZE(scst_cdb_table);
	u8 opcode = e->opcode;

	for (; e < end && e->opcode == opcode; e++)
		if (e->sa == sa)
			return e;
	return NULL;
}

const struct scst_cdb_info *scst_cdb_lookup(const u8 *cdb,
					    unsigned int cdb_len)
{
	const struct scst_cdb_info *e;

	if (!cdb || cdb_len < 1)
		return NULL;
	e = cdb_find_opcode(cdb[0]);
	if (!e || e->sa == SCST_CDB_NO_SA)
		return e;
	if (cdb_len < 2)
		return NULL;
	return cdb_find_sa(e, cdb[1] & SA_MASK);
}
EXPORT_SYMBOL_GPL(scst_cdb_lookup);

const char *scst_cdb_name(const u8 *cdb, unsigned int cdb_len)
{
	const struct scst_cdb_info *e = scst_cdb_lookup(cdb, cdb_len);

	return e ? e->name : "UNKNOWN";
}
EXPORT_SYMBOL_GPL(scst_cdb_name);

const struct scst_cdb_info *scst_cdb_table_iter(unsigned int idx)
{
	if (idx >= ARRAY_SIZE(scst_cdb_table))
		return NULL;
	return &scst_cdb_table[idx];
}
EXPORT_SYMBOL_GPL(scst_cdb_table_iter);

static u64 cdb_get_field(const u8 *cdb, unsigned int off, unsigned int size)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v = (v << 8) | cdb[off + i];
	return v;
}

static int cdb_err(struct scst_cdb_parsed *p, enum scst_cdb_err_kind kind,
		   int field, int bit)
{
	p->info = NULL;
	p->err_kind = kind;
	p->err_field = field;
	p->err_bit = bit;
	return kind == SCST_CDB_ERR_INVALID_OPCODE ? -EOPNOTSUPP : -EINVAL;
}

static int cdb_field_err(struct scst_cdb_parsed *p, int field, int bit)
{
	return cdb_err(p, SCST_CDB_ERR_INVALID_FIELD, field, bit);
}

/* Highest set bit of a non-zero byte */
static int cdb_top_bit(u8 v)
{
	int bit = 7;

	while (bit > 0 && !(v & (1 << bit)))
		bit--;
	return bit;
}

/* Reserved bits, NACA, and field values the standards define as invalid */
static int cdb_check(const struct scst_cdb_info *e, const u8 *cdb,
		     struct scst_cdb_parsed *p)
{
	unsigned int i, ctl = e->cdb_len - 1;
	u8 bad;

	for (i = 1; i < ctl; i++) {
		u8 ok = e->usage[i] | e->ign[i];

		if (i == 1 && e->sa != SCST_CDB_NO_SA)
			ok |= SA_MASK;
		bad = cdb[i] & ~ok;
		if (bad)
			return cdb_field_err(p, i, cdb_top_bit(bad));
	}
	if (cdb[ctl] & CONTROL_NACA)
		return cdb_field_err(p, ctl, 2);

	switch (e->opcode) {
	case INQUIRY:
		/* A page code requires EVPD (SPC-4 6.6) */
		if (!(cdb[1] & 0x01) && cdb[2])
			return cdb_field_err(p, 2, -1);
		break;
	case READ_CAPACITY:
		/* PMI=0 requires LBA 0 (SBC-3 5.15) */
		if (!(cdb[8] & 0x01) && get_unaligned_be32(&cdb[2]))
			return cdb_field_err(p, 2, -1);
		break;
	case SERVICE_ACTION_IN_16:
		if (e->sa == SAI_READ_CAPACITY_16 && !(cdb[14] & 0x01) &&
		    get_unaligned_be64(&cdb[2]))
			return cdb_field_err(p, 2, -1);
		break;
	case VERIFY:
	case VERIFY_12:
	case VERIFY_16:
		/* BYTCHK 10b is reserved */
		if (((cdb[1] >> 1) & 0x03) == 0x02)
			return cdb_field_err(p, 1, 2);
		break;
	case MAINTENANCE_IN:
		/* RTPG PARAMETER DATA FORMAT: 000b and 001b defined */
		if (e->sa == MI_REPORT_TARGET_PGS && (cdb[1] >> 5) > 1)
			return cdb_field_err(p, 1, 7);
		/* RSOC REPORTING OPTIONS: 000b to 011b */
		if (e->sa == MI_REPORT_SUPPORTED_OPERATION_CODES &&
		    (cdb[2] & 0x07) > 3)
			return cdb_field_err(p, 2, 2);
		break;
	default:
		break;
	}
	return 0;
}

int scst_cdb_parse(const u8 *cdb, unsigned int cdb_len,
		   unsigned int block_shift, struct scst_cdb_parsed *p)
{
	const struct scst_cdb_info *e;
	u64 len = 0;
	u32 nr = 0;
	int res;

	memset(p, 0, sizeof(*p));
	p->sa = SCST_CDB_NO_SA;
	p->err_bit = -1;
	p->direction = SCST_DATA_NONE;

	if (!cdb || cdb_len < 1)
		return cdb_field_err(p, 0, -1);
	p->opcode = cdb[0];

	e = cdb_find_opcode(cdb[0]);
	if (!e)
		return cdb_err(p, SCST_CDB_ERR_INVALID_OPCODE, 0, -1);
	if (cdb_len < e->cdb_len)
		return cdb_field_err(p, 0, -1);
	if (e->sa != SCST_CDB_NO_SA) {
		p->sa = cdb[1] & SA_MASK;
		e = cdb_find_sa(e, p->sa);
		if (!e)
			return cdb_field_err(p, 1, 4);
	}

	res = cdb_check(e, cdb, p);
	if (res)
		return res;

	p->info = e;
	p->flags = e->flags;
	p->cdb_len = e->cdb_len;
	p->direction = e->direction;

	if (e->lba_size == 3)
		p->lba = get_unaligned_be24(&cdb[e->lba_off]) & 0x1fffff;
	else if (e->lba_size)
		p->lba = cdb_get_field(cdb, e->lba_off, e->lba_size);

	if (e->len_size)
		len = cdb_get_field(cdb, e->len_off, e->len_size);

	switch (e->len_unit) {
	case SCST_CDB_UNIT_BYTES:
		p->data_len = len;
		break;
	case SCST_CDB_UNIT_FIXED:
		p->data_len = e->fixed_len;
		break;
	case SCST_CDB_UNIT_BLOCKS:
		nr = len;
		/* READ(6) / WRITE(6): 0 means 256 blocks */
		if (e->len_size == 1 && e->cdb_len == 6 && !nr)
			nr = 256;
		p->nr_blocks = nr;
		if (e->direction != SCST_DATA_NONE)
			p->data_len = (u64)nr << block_shift;
		break;
	case SCST_CDB_UNIT_NONE:
		break;
	}

	switch (e->opcode) {
	case FORMAT_UNIT:
		/* FMTDATA: parameter list header, long with LONGLIST */
		if (cdb[1] & 0x10)
			p->data_len = (cdb[1] & 0x20) ? 8 : 4;
		break;
	case START_STOP:
		/* START=1 with POWER CONDITION=0: allowed under any PR */
		if ((cdb[4] & 0x01) && !(cdb[4] & 0xf0))
			p->flags |= SCST_CDB_PR_ALLOWED;
		break;
	case ALLOW_MEDIUM_REMOVAL:
		if (!(cdb[4] & 0x03))
			p->flags |= SCST_CDB_RES_ALLOWED |
				    SCST_CDB_PR_ALLOWED;
		break;
	case VERIFY:
	case VERIFY_12:
	case VERIFY_16:
		switch ((cdb[1] >> 1) & 0x03) {
		case 0:
			/* Medium verification only */
			p->data_len = 0;
			break;
		case 3:
			/* One block compared with each block of the range */
			p->data_len = nr ? 1ULL << block_shift : 0;
			break;
		default:
			break;
		}
		break;
	case WRITE_SAME:
		p->data_len = 1ULL << block_shift;
		break;
	case WRITE_SAME_16:
		/* NDOB: the device server writes zeros, nothing is sent */
		p->data_len = (cdb[1] & 0x01) ? 0 : 1ULL << block_shift;
		break;
	case COMPARE_AND_WRITE:
		p->data_len = 2 * ((u64)nr << block_shift);
		break;
	case XDWRITEREAD_10:
		/* DISABLE WRITE: the medium is only read */
		if (cdb[1] & 0x04)
			p->flags &= ~SCST_CDB_WRITE_MEDIUM;
		break;
	default:
		break;
	}

	if (!(e->flags & SCST_CDB_LBA))
		p->nr_blocks = 0;
	if ((e->flags & SCST_CDB_FUA) && (cdb[1] & CDB_FUA_BIT))
		p->fua = true;
	if (!p->data_len)
		p->direction = SCST_DATA_NONE;
	return 0;
}
EXPORT_SYMBOL_GPL(scst_cdb_parse);

int scst_build_cdb_err_sense(u8 *buf, int buflen, bool d_sense,
			     const struct scst_cdb_parsed *p)
{
	if (p->err_kind == SCST_CDB_ERR_INVALID_OPCODE)
		return scst_build_sense_sks(buf, buflen, d_sense,
				SCST_LOAD_SENSE(scst_sense_invalid_opcode),
				true, p->err_field, p->err_bit);
	return scst_build_sense_sks(buf, buflen, d_sense,
			SCST_LOAD_SENSE(scst_sense_invalid_field_in_cdb),
			true, p->err_field, p->err_bit);
}
EXPORT_SYMBOL_GPL(scst_build_cdb_err_sense);

/*
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35)
 */

#define RSOC_OPT_ALL		0
#define RSOC_OPT_OPCODE		1
#define RSOC_OPT_OPCODE_SA	2
#define RSOC_OPT_OPCODE_ANY	3

#define RSOC_RCTD		0x80
#define RSOC_CTDP		0x02
#define RSOC_SERVACTV		0x01
#define RSOC_ONE_CTDP		0x80
#define RSOC_SUPPORT_NONE	0x01
#define RSOC_SUPPORT_STD	0x03

#define RSOC_ALL_HDR_LEN	4
#define RSOC_DESC_LEN		8
#define RSOC_ONE_HDR_LEN	4
#define RSOC_TIMEOUTS_LEN	12

/* Copy the part of data that fits below buflen at offset off */
static void rsoc_put(u8 *buf, unsigned int buflen, unsigned int off,
		     const u8 *data, unsigned int len)
{
	if (off >= buflen)
		return;
	memcpy(buf + off, data, min_t(unsigned int, len, buflen - off));
}

/* Command timeouts descriptor: no timeout values are reported */
static void rsoc_timeouts(u8 *d)
{
	memset(d, 0, RSOC_TIMEOUTS_LEN);
	put_unaligned_be16(RSOC_TIMEOUTS_LEN - 2, d);
}

static bool rsoc_supported(const struct scst_cdb_info *e,
			   bool (*supported)(const struct scst_cdb_info *,
					     void *),
			   void *ctx)
{
	return e && (!supported || supported(e, ctx));
}

static int rsoc_all(u8 *buf, unsigned int buflen, bool rctd,
		    bool (*supported)(const struct scst_cdb_info *, void *),
		    void *ctx)
{
	u8 d[RSOC_DESC_LEN + RSOC_TIMEOUTS_LEN];
	unsigned int i, off = RSOC_ALL_HDR_LEN, dlen;
	u8 hdr[RSOC_ALL_HDR_LEN];

	for (i = 0; i < ARRAY_SIZE(scst_cdb_table); i++) {
		const struct scst_cdb_info *e = &scst_cdb_table[i];

		if (!rsoc_supported(e, supported, ctx))
			continue;
		memset(d, 0, sizeof(d));
		d[0] = e->opcode;
		if (e->sa != SCST_CDB_NO_SA) {
			put_unaligned_be16(e->sa, &d[2]);
			d[5] |= RSOC_SERVACTV;
		}
		put_unaligned_be16(e->cdb_len, &d[6]);
		dlen = RSOC_DESC_LEN;
		if (rctd) {
			d[5] |= RSOC_CTDP;
			rsoc_timeouts(&d[RSOC_DESC_LEN]);
			dlen += RSOC_TIMEOUTS_LEN;
		}
		rsoc_put(buf, buflen, off, d, dlen);
		off += dlen;
	}

	put_unaligned_be32(off - RSOC_ALL_HDR_LEN, hdr);
	rsoc_put(buf, buflen, 0, hdr, sizeof(hdr));
	return off;
}

static int rsoc_one(u8 *buf, unsigned int buflen, bool rctd,
		    const struct scst_cdb_info *e)
{
	u8 d[RSOC_ONE_HDR_LEN + SCST_CDB_INFO_MAX_LEN + RSOC_TIMEOUTS_LEN];
	unsigned int len = RSOC_ONE_HDR_LEN;

	memset(d, 0, sizeof(d));
	if (!e) {
		d[1] = RSOC_SUPPORT_NONE;
	} else {
		d[1] = RSOC_SUPPORT_STD;
		put_unaligned_be16(e->cdb_len, &d[2]);
		memcpy(&d[len], e->usage, e->cdb_len);
		len += e->cdb_len;
		if (rctd) {
			d[1] |= RSOC_ONE_CTDP;
			rsoc_timeouts(&d[len]);
			len += RSOC_TIMEOUTS_LEN;
		}
	}
	rsoc_put(buf, buflen, 0, d, len);
	return len;
}

int scst_build_rsoc(u8 *buf, unsigned int buflen, const u8 *cdb,
		    bool (*supported)(const struct scst_cdb_info *, void *),
		    void *ctx, int *err_field)
{
	const struct scst_cdb_info *first, *e = NULL;
	bool rctd = cdb[2] & RSOC_RCTD;
	u8 opts = cdb[2] & 0x07;
	u16 sa = get_unaligned_be16(&cdb[4]);
	bool has_sa;

	if (opts == RSOC_OPT_ALL)
		return rsoc_all(buf, buflen, rctd, supported, ctx);

	first = cdb_find_opcode(cdb[3]);
	has_sa = first && first->sa != SCST_CDB_NO_SA;

	switch (opts) {
	case RSOC_OPT_OPCODE:
		if (has_sa)
			goto invalid;
		e = first;
		break;
	case RSOC_OPT_OPCODE_SA:
		if (first && !has_sa)
			goto invalid;
		if (first && sa <= SA_MASK)
			e = cdb_find_sa(first, sa);
		break;
	case RSOC_OPT_OPCODE_ANY:
		if (has_sa && sa <= SA_MASK)
			e = cdb_find_sa(first, sa);
		else if (!has_sa)
			e = first;
		break;
	default:
		goto invalid;
	}

	if (!rsoc_supported(e, supported, ctx))
		e = NULL;
	return rsoc_one(buf, buflen, rctd, e);

invalid:
	if (err_field)
		*err_field = 2;
	return -EINVAL;
}
EXPORT_SYMBOL_GPL(scst_build_rsoc);
