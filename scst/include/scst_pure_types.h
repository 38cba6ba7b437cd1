/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility layer for the "pure" SCST logic (sense data, CDB decoding,
 * management tokenizer, LUN and name helpers).
 *
 * These sources are built both as part of scst.ko and in user space for the
 * host unit tests.  In the kernel this header only pulls in the regular
 * kernel headers.  In user space it provides the small subset of kernel
 * types, helpers and SCSI protocol constants the pure code relies on, with
 * the same names and values as the kernel's <scsi/scsi_proto.h>.
 */
#ifndef __SCST_PURE_TYPES_H
#define __SCST_PURE_TYPES_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/ctype.h>
#include <linux/limits.h>
#include <linux/export.h>
#include <asm/unaligned.h>
#include <scsi/scsi_proto.h>

#else /* __KERNEL__ */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <ctype.h>

/* Same definitions as the kernel's (u64 is unsigned long long: %llu) */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef signed short s16;
typedef signed int s32;
typedef signed long long s64;

#ifndef U8_MAX
#define U8_MAX		((u8)~0U)
#endif
#ifndef U16_MAX
#define U16_MAX		((u16)~0U)
#endif
#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif

#ifndef __KERNEL__
/* The kernel's hex_to_bin(): value of a hex digit, or -1 */
static inline int hex_to_bin(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(arr)	(sizeof(arr) / sizeof((arr)[0]))
#endif

#ifndef min_t
#define min_t(type, x, y) ({			\
	type __min1 = (x);			\
	type __min2 = (y);			\
	__min1 < __min2 ? __min1 : __min2; })
#endif

#ifndef max_t
#define max_t(type, x, y) ({			\
	type __max1 = (x);			\
	type __max2 = (y);			\
	__max1 > __max2 ? __max1 : __max2; })
#endif

/* Exports only mean something inside the kernel. */
#ifndef EXPORT_SYMBOL_GPL
#define EXPORT_SYMBOL_GPL(sym)	extern int scst_pure_no_export
#endif
#ifndef EXPORT_SYMBOL
#define EXPORT_SYMBOL(sym)	extern int scst_pure_no_export
#endif

static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = p;

	return (u16)((b[0] << 8) | b[1]);
}

static inline u32 get_unaligned_be24(const void *p)
{
	const u8 *b = p;

	return ((u32)b[0] << 16) | ((u32)b[1] << 8) | b[2];
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return ((u32)b[0] << 24) | ((u32)b[1] << 16) |
	       ((u32)b[2] << 8) | b[3];
}

static inline u64 get_unaligned_be64(const void *p)
{
	const u8 *b = p;

	return ((u64)get_unaligned_be32(b) << 32) | get_unaligned_be32(b + 4);
}

static inline void put_unaligned_be16(u16 val, void *p)
{
	u8 *b = p;

	b[0] = val >> 8;
	b[1] = val;
}

static inline void put_unaligned_be24(u32 val, void *p)
{
	u8 *b = p;

	b[0] = val >> 16;
	b[1] = val >> 8;
	b[2] = val;
}

static inline void put_unaligned_be32(u32 val, void *p)
{
	u8 *b = p;

	b[0] = val >> 24;
	b[1] = val >> 16;
	b[2] = val >> 8;
	b[3] = val;
}

static inline void put_unaligned_be64(u64 val, void *p)
{
	u8 *b = p;

	put_unaligned_be32(val >> 32, b);
	put_unaligned_be32(val, b + 4);
}

/* SCSI operation codes (SPC-4, SBC-3, MMC), same values as the kernel. */
#ifndef TEST_UNIT_READY
#define TEST_UNIT_READY		0x00
#endif
#ifndef REQUEST_SENSE
#define REQUEST_SENSE		0x03
#endif
#ifndef FORMAT_UNIT
#define FORMAT_UNIT		0x04
#endif
#ifndef READ_6
#define READ_6			0x08
#endif
#ifndef WRITE_6
#define WRITE_6			0x0a
#endif
#ifndef INQUIRY
#define INQUIRY			0x12
#endif
#ifndef MODE_SELECT
#define MODE_SELECT		0x15
#endif
#ifndef RESERVE
#define RESERVE			0x16
#endif
#ifndef RELEASE
#define RELEASE			0x17
#endif
#ifndef MODE_SENSE
#define MODE_SENSE		0x1a
#endif
#ifndef START_STOP
#define START_STOP		0x1b
#endif
#ifndef RECEIVE_DIAGNOSTIC
#define RECEIVE_DIAGNOSTIC	0x1c
#endif
#ifndef SEND_DIAGNOSTIC
#define SEND_DIAGNOSTIC		0x1d
#endif
#ifndef ALLOW_MEDIUM_REMOVAL
#define ALLOW_MEDIUM_REMOVAL	0x1e
#endif
#ifndef READ_CAPACITY
#define READ_CAPACITY		0x25
#endif
#ifndef READ_10
#define READ_10			0x28
#endif
#ifndef WRITE_10
#define WRITE_10		0x2a
#endif
#ifndef WRITE_VERIFY
#define WRITE_VERIFY		0x2e
#endif
#ifndef VERIFY
#define VERIFY			0x2f
#endif
#ifndef PRE_FETCH
#define PRE_FETCH		0x34
#endif
#ifndef SYNCHRONIZE_CACHE
#define SYNCHRONIZE_CACHE	0x35
#endif
#ifndef WRITE_BUFFER
#define WRITE_BUFFER		0x3b
#endif
#ifndef READ_BUFFER
#define READ_BUFFER		0x3c
#endif
#ifndef WRITE_SAME
#define WRITE_SAME		0x41
#endif
#ifndef UNMAP
#define UNMAP			0x42
#endif
#ifndef READ_TOC
#define READ_TOC		0x43
#endif
#ifndef GET_EVENT_STATUS_NOTIFICATION
#define GET_EVENT_STATUS_NOTIFICATION 0x4a
#endif
#ifndef LOG_SELECT
#define LOG_SELECT		0x4c
#endif
#ifndef LOG_SENSE
#define LOG_SENSE		0x4d
#endif
#ifndef MODE_SELECT_10
#define MODE_SELECT_10		0x55
#endif
#ifndef RESERVE_10
#define RESERVE_10		0x56
#endif
#ifndef RELEASE_10
#define RELEASE_10		0x57
#endif
#ifndef MODE_SENSE_10
#define MODE_SENSE_10		0x5a
#endif
#ifndef PERSISTENT_RESERVE_IN
#define PERSISTENT_RESERVE_IN	0x5e
#endif
#ifndef PERSISTENT_RESERVE_OUT
#define PERSISTENT_RESERVE_OUT	0x5f
#endif
#ifndef VARIABLE_LENGTH_CMD
#define VARIABLE_LENGTH_CMD	0x7f
#endif
#ifndef EXTENDED_COPY
#define EXTENDED_COPY		0x83
#endif
#ifndef RECEIVE_COPY_RESULTS
#define RECEIVE_COPY_RESULTS	0x84
#endif
#ifndef READ_16
#define READ_16			0x88
#endif
#ifndef XDWRITEREAD_10
#define XDWRITEREAD_10		0x53
#endif
#ifndef COMPARE_AND_WRITE
#define COMPARE_AND_WRITE	0x89
#endif
#ifndef WRITE_16
#define WRITE_16		0x8a
#endif
#ifndef WRITE_VERIFY_16
#define WRITE_VERIFY_16		0x8e
#endif
#ifndef VERIFY_16
#define VERIFY_16		0x8f
#endif
#ifndef SYNCHRONIZE_CACHE_16
#define SYNCHRONIZE_CACHE_16	0x91
#endif
#ifndef WRITE_SAME_16
#define WRITE_SAME_16		0x93
#endif
#ifndef SERVICE_ACTION_IN_16
#define SERVICE_ACTION_IN_16	0x9e
#endif
#ifndef SERVICE_ACTION_OUT_16
#define SERVICE_ACTION_OUT_16	0x9f
#endif
#ifndef REPORT_LUNS
#define REPORT_LUNS		0xa0
#endif
#ifndef MAINTENANCE_IN
#define MAINTENANCE_IN		0xa3
#endif
#ifndef MAINTENANCE_OUT
#define MAINTENANCE_OUT		0xa4
#endif
#ifndef READ_12
#define READ_12			0xa8
#endif
#ifndef WRITE_12
#define WRITE_12		0xaa
#endif
#ifndef WRITE_VERIFY_12
#define WRITE_VERIFY_12		0xae
#endif
#ifndef VERIFY_12
#define VERIFY_12		0xaf
#endif

/* SERVICE ACTION IN(16) service actions */
#ifndef SAI_READ_CAPACITY_16
#define SAI_READ_CAPACITY_16	0x10
#endif
#ifndef SAI_GET_LBA_STATUS
#define SAI_GET_LBA_STATUS	0x12
#endif

/* MAINTENANCE IN / OUT service actions */
#ifndef MI_REPORT_TARGET_PGS
#define MI_REPORT_TARGET_PGS	0x0a
#endif
#ifndef MI_REPORT_SUPPORTED_OPERATION_CODES
#define MI_REPORT_SUPPORTED_OPERATION_CODES 0x0c
#endif
#ifndef MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS
#define MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS 0x0d
#endif
#ifndef MO_SET_TARGET_PGS
#define MO_SET_TARGET_PGS	0x0a
#endif

/* SAM status codes (an enum in the kernel) */
#ifndef SAM_STAT_GOOD
#define SAM_STAT_GOOD			0x00
#define SAM_STAT_CHECK_CONDITION	0x02
#define SAM_STAT_CONDITION_MET		0x04
#define SAM_STAT_BUSY			0x08
#define SAM_STAT_INTERMEDIATE		0x10
#define SAM_STAT_INTERMEDIATE_CONDITION_MET 0x14
#define SAM_STAT_RESERVATION_CONFLICT	0x18
#define SAM_STAT_COMMAND_TERMINATED	0x22
#define SAM_STAT_TASK_SET_FULL		0x28
#define SAM_STAT_ACA_ACTIVE		0x30
#define SAM_STAT_TASK_ABORTED		0x40
#endif

/* Sense keys */
#ifndef NO_SENSE
#define NO_SENSE		0x00
#endif
#ifndef RECOVERED_ERROR
#define RECOVERED_ERROR		0x01
#endif
#ifndef NOT_READY
#define NOT_READY		0x02
#endif
#ifndef MEDIUM_ERROR
#define MEDIUM_ERROR		0x03
#endif
#ifndef HARDWARE_ERROR
#define HARDWARE_ERROR		0x04
#endif
#ifndef ILLEGAL_REQUEST
#define ILLEGAL_REQUEST		0x05
#endif
#ifndef UNIT_ATTENTION
#define UNIT_ATTENTION		0x06
#endif
#ifndef DATA_PROTECT
#define DATA_PROTECT		0x07
#endif
#ifndef BLANK_CHECK
#define BLANK_CHECK		0x08
#endif
#ifndef VENDOR_SPECIFIC
#define VENDOR_SPECIFIC		0x09
#endif
#ifndef COPY_ABORTED
#define COPY_ABORTED		0x0a
#endif
#ifndef ABORTED_COMMAND
#define ABORTED_COMMAND		0x0b
#endif
#ifndef VOLUME_OVERFLOW
#define VOLUME_OVERFLOW		0x0d
#endif
#ifndef MISCOMPARE
#define MISCOMPARE		0x0e
#endif

/* Peripheral device types */
#ifndef TYPE_DISK
#define TYPE_DISK		0x00
#endif
#ifndef TYPE_TAPE
#define TYPE_TAPE		0x01
#endif
#ifndef TYPE_PROCESSOR
#define TYPE_PROCESSOR		0x03
#endif
#ifndef TYPE_ROM
#define TYPE_ROM		0x05
#endif
#ifndef TYPE_MOD
#define TYPE_MOD		0x07
#endif
#ifndef TYPE_ENCLOSURE
#define TYPE_ENCLOSURE		0x0d
#endif
#ifndef TYPE_WLUN
#define TYPE_WLUN		0x1e
#endif
#ifndef TYPE_NO_LUN
#define TYPE_NO_LUN		0x7f
#endif

#endif /* __KERNEL__ */

/* Operation codes the kernel's scsi_proto.h lacks */
#ifndef PRE_FETCH_16
#define PRE_FETCH_16		0x90
#endif
/* MMC operation codes that <scsi/scsi_proto.h> does not name */
#ifndef GET_CONFIGURATION
#define GET_CONFIGURATION	0x46
#endif
#ifndef READ_DISC_INFORMATION
#define READ_DISC_INFORMATION	0x51
#endif
#ifndef MECHANISM_STATUS
#define MECHANISM_STATUS	0xbd
#endif

#endif /* __SCST_PURE_TYPES_H */
