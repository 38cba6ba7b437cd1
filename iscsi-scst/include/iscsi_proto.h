/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iscsi_proto.h - iSCSI wire format (RFC 7143 chapter 11).
 *
 * Shared by the kernel module, the login daemon and the test tools, so it
 * only uses <linux/types.h> types and compiles in user space as well.
 * Every PDU starts with a 48-byte Basic Header Segment; multi-byte fields
 * are big-endian on the wire.
 */
#ifndef __ISCSI_PROTO_H
#define __ISCSI_PROTO_H

#include <linux/types.h>

#define ISCSI_BHS_LEN			48
#define ISCSI_DIGEST_LEN		4
#define ISCSI_PAD_LEN			4
#define ISCSI_LISTEN_PORT		3260
/* AHS length is in 4-byte words, one byte wide: at most 255 * 4 bytes */
#define ISCSI_MAX_AHS_LEN		(255 * 4)
/* DataSegmentLength is 24 bits wide */
#define ISCSI_MAX_DSL_WIRE		((1U << 24) - 1)

/* Byte 0: immediate bit and opcode */
#define ISCSI_OP_IMMEDIATE		0x40
#define ISCSI_OPCODE_MASK		0x3f

/* Initiator opcodes */
#define ISCSI_OP_NOP_OUT		0x00
#define ISCSI_OP_SCSI_CMD		0x01
#define ISCSI_OP_SCSI_TASK_MGT_MSG	0x02
#define ISCSI_OP_LOGIN_CMD		0x03
#define ISCSI_OP_TEXT_CMD		0x04
#define ISCSI_OP_SCSI_DATA_OUT		0x05
#define ISCSI_OP_LOGOUT_CMD		0x06
#define ISCSI_OP_SNACK_CMD		0x10

/* Target opcodes */
#define ISCSI_OP_NOP_IN			0x20
#define ISCSI_OP_SCSI_RSP		0x21
#define ISCSI_OP_SCSI_TASK_MGT_RSP	0x22
#define ISCSI_OP_LOGIN_RSP		0x23
#define ISCSI_OP_TEXT_RSP		0x24
#define ISCSI_OP_SCSI_DATA_IN		0x25
#define ISCSI_OP_LOGOUT_RSP		0x26
#define ISCSI_OP_R2T			0x31
#define ISCSI_OP_ASYNC_MSG		0x32
#define ISCSI_OP_REJECT			0x3f

/* Byte 1 flags */
#define ISCSI_FLG_FINAL			0x80

/* SCSI Command flags */
#define ISCSI_CMD_READ			0x40
#define ISCSI_CMD_WRITE			0x20
#define ISCSI_CMD_ATTR_MASK		0x07
#define ISCSI_CMD_ATTR_UNTAGGED		0
#define ISCSI_CMD_ATTR_SIMPLE		1
#define ISCSI_CMD_ATTR_ORDERED		2
#define ISCSI_CMD_ATTR_HEAD_OF_QUEUE	3
#define ISCSI_CMD_ATTR_ACA		4

/* SCSI Response / Data-In flags */
#define ISCSI_FLG_DATA_ACK		0x40	/* Data-In A bit */
#define ISCSI_FLG_BIDI_OVERFLOW		0x10	/* o */
#define ISCSI_FLG_BIDI_UNDERFLOW	0x08	/* u */
#define ISCSI_FLG_RESID_OVERFLOW	0x04	/* O */
#define ISCSI_FLG_RESID_UNDERFLOW	0x02	/* U */
#define ISCSI_FLG_DATA_STATUS		0x01	/* Data-In S bit */

/* SCSI Response byte 2 */
#define ISCSI_RSP_CMD_COMPLETED		0x00
#define ISCSI_RSP_TARGET_FAILURE	0x01

/* Login flags (byte 1) */
#define ISCSI_LOGIN_TRANSIT		0x80
#define ISCSI_LOGIN_CONTINUE		0x40
#define ISCSI_LOGIN_CSG_MASK		0x0c
#define ISCSI_LOGIN_CSG_SHIFT		2
#define ISCSI_LOGIN_NSG_MASK		0x03
#define ISCSI_STAGE_SECURITY		0
#define ISCSI_STAGE_OPERATIONAL		1
#define ISCSI_STAGE_FULL_FEATURE	3

/* Login status class / detail (RFC 7143 11.13.5) */
#define ISCSI_LOGIN_STATUS_SUCCESS		0x0000
#define ISCSI_LOGIN_STATUS_TGT_MOVED_TEMP	0x0101
#define ISCSI_LOGIN_STATUS_TGT_MOVED_PERM	0x0102
#define ISCSI_LOGIN_STATUS_INIT_ERR		0x0200
#define ISCSI_LOGIN_STATUS_AUTH_FAILED		0x0201
#define ISCSI_LOGIN_STATUS_TGT_FORBIDDEN	0x0202
#define ISCSI_LOGIN_STATUS_TGT_NOT_FOUND	0x0203
#define ISCSI_LOGIN_STATUS_TGT_REMOVED		0x0204
#define ISCSI_LOGIN_STATUS_NO_VERSION		0x0205
#define ISCSI_LOGIN_STATUS_TOO_MANY_CONN	0x0206
#define ISCSI_LOGIN_STATUS_MISSING_FIELDS	0x0207
#define ISCSI_LOGIN_STATUS_CONN_ADD_FAILED	0x0208
#define ISCSI_LOGIN_STATUS_INV_SESSION_TYPE	0x0209
#define ISCSI_LOGIN_STATUS_NO_SESSION		0x020a
#define ISCSI_LOGIN_STATUS_INVALID_REQUEST	0x020b
#define ISCSI_LOGIN_STATUS_TARGET_ERROR		0x0300
#define ISCSI_LOGIN_STATUS_SVC_UNAVAILABLE	0x0301
#define ISCSI_LOGIN_STATUS_NO_RESOURCES		0x0302

/* Task management functions (byte 1, low 7 bits) */
#define ISCSI_TM_FUNC_MASK		0x7f
#define ISCSI_TM_ABORT_TASK		1
#define ISCSI_TM_ABORT_TASK_SET		2
#define ISCSI_TM_CLEAR_ACA		3
#define ISCSI_TM_CLEAR_TASK_SET		4
#define ISCSI_TM_LOGICAL_UNIT_RESET	5
#define ISCSI_TM_TARGET_WARM_RESET	6
#define ISCSI_TM_TARGET_COLD_RESET	7
#define ISCSI_TM_TASK_REASSIGN		8

/* Task management responses */
#define ISCSI_TMF_RSP_COMPLETE		0
#define ISCSI_TMF_RSP_NO_TASK		1
#define ISCSI_TMF_RSP_NO_LUN		2
#define ISCSI_TMF_RSP_TASK_ALLEGIANT	3
#define ISCSI_TMF_RSP_NO_FAILOVER	4
#define ISCSI_TMF_RSP_NOT_SUPPORTED	5
#define ISCSI_TMF_RSP_AUTH_FAILED	6
#define ISCSI_TMF_RSP_REJECTED		255

/* Logout reasons (byte 1, low 7 bits) and responses */
#define ISCSI_LOGOUT_REASON_MASK	0x7f
#define ISCSI_LOGOUT_CLOSE_SESSION	0
#define ISCSI_LOGOUT_CLOSE_CONNECTION	1
#define ISCSI_LOGOUT_REMOVE_FOR_RECOVERY 2
#define ISCSI_LOGOUT_RSP_SUCCESS	0
#define ISCSI_LOGOUT_RSP_CID_NOT_FOUND	1
#define ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED 2
#define ISCSI_LOGOUT_RSP_CLEANUP_FAILED	3

/* Async events */
#define ISCSI_ASYNC_SCSI_EVENT		0
#define ISCSI_ASYNC_LOGOUT_REQUEST	1
#define ISCSI_ASYNC_DROP_CONNECTION	2
#define ISCSI_ASYNC_DROP_SESSION	3
#define ISCSI_ASYNC_PARAM_NEGOTIATION	4

/* Reject reasons (RFC 7143 11.17.1) */
#define ISCSI_REJECT_DATA_DIGEST_ERROR	0x02
#define ISCSI_REJECT_SNACK_REJECT	0x03
#define ISCSI_REJECT_PROTOCOL_ERROR	0x04
#define ISCSI_REJECT_CMD_NOT_SUPPORTED	0x05
#define ISCSI_REJECT_IMM_CMD_REJECT	0x06
#define ISCSI_REJECT_TASK_IN_PROGRESS	0x07
#define ISCSI_REJECT_INVALID_DATA_ACK	0x08
#define ISCSI_REJECT_INVALID_PDU_FIELD	0x09
#define ISCSI_REJECT_LONG_OP_REJECT	0x0a
#define ISCSI_REJECT_NEGOTIATION_RESET	0x0b
#define ISCSI_REJECT_WAITING_FOR_LOGOUT	0x0c

/* AHS types */
#define ISCSI_AHS_EXTENDED_CDB		1
#define ISCSI_AHS_BIDI_READ_LEN		2

#define ISCSI_RESERVED_TAG		0xffffffffU

/* Generic BHS: the fields every PDU has at the same place */
struct iscsi_hdr {
	__u8 opcode;		/* I bit + opcode */
	__u8 flags;
	__u8 rsvd2[2];
	__u8 hlength;		/* TotalAHSLength in 4-byte words */
	__u8 dlength[3];	/* DataSegmentLength, big-endian 24 bit */
	__u8 lun[8];
	__be32 itt;		/* Initiator Task Tag */
	__be32 ttt;		/* opcode specific (TTT, CmdRN, ...) */
	__be32 statsn;		/* CmdSN (initiator) / StatSN (target) */
	__be32 exp_statsn;	/* ExpStatSN (initiator) / ExpCmdSN (target) */
	__be32 max_cmdsn;	/* MaxCmdSN on target PDUs */
	__u8 other[12];
} __attribute__((packed));

/* SCSI Command (0x01) */
struct iscsi_scsi_cmd_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 rsvd2[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 data_length;	/* Expected Data Transfer Length */
	__be32 cmdsn;
	__be32 exp_statsn;
	__u8 cdb[16];
} __attribute__((packed));

/* AHS header; the extended CDB AHS carries CDB bytes 16.. after rsvd */
struct iscsi_ahs_hdr {
	__be16 ahslength;	/* bytes after this field, excluding padding */
	__u8 ahstype;
	__u8 ahspec;
} __attribute__((packed));

struct iscsi_rlength_ahdr {
	__be16 ahslength;	/* 5 */
	__u8 ahstype;		/* ISCSI_AHS_BIDI_READ_LEN */
	__u8 reserved;
	__be32 read_length;
} __attribute__((packed));

/* SCSI Response (0x21) */
struct iscsi_scsi_rsp_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 response;
	__u8 cmd_status;
	__u8 hlength;
	__u8 dlength[3];
	__u8 rsvd[8];
	__be32 itt;
	__be32 snack;		/* SNACK Tag */
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__be32 exp_datasn;
	__be32 bi_residual_count;
	__be32 residual_count;
} __attribute__((packed));

/* Data-Out (0x05) */
struct iscsi_data_out_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 rsvd2[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 ttt;
	__be32 rsvd3;
	__be32 exp_statsn;
	__be32 rsvd4;
	__be32 datasn;
	__be32 buffer_offset;
	__be32 rsvd5;
} __attribute__((packed));

/* Data-In (0x25) */
struct iscsi_data_in_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 rsvd2;
	__u8 cmd_status;
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 ttt;
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__be32 datasn;
	__be32 buffer_offset;
	__be32 residual_count;
} __attribute__((packed));

/* R2T (0x31) */
struct iscsi_r2t_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 rsvd2[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 ttt;
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__be32 r2tsn;
	__be32 buffer_offset;
	__be32 data_length;
} __attribute__((packed));

/* NOP-Out (0x00) / NOP-In (0x20) */
struct iscsi_nop_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 rsvd2[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 ttt;
	__be32 sn;		/* CmdSN (out) / StatSN (in) */
	__be32 exp_sn;		/* ExpStatSN (out) / ExpCmdSN (in) */
	__be32 max_cmdsn;	/* NOP-In only */
	__u8 rsvd3[12];
} __attribute__((packed));

/* Task Management Function Request (0x02) */
struct iscsi_tm_req_hdr {
	__u8 opcode;
	__u8 function;		/* F bit + function */
	__u8 rsvd1[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 rtt;		/* Referenced Task Tag */
	__be32 cmdsn;
	__be32 exp_statsn;
	__be32 ref_cmdsn;
	__be32 exp_datasn;
	__u8 rsvd2[8];
} __attribute__((packed));

/* Task Management Function Response (0x22) */
struct iscsi_tm_rsp_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 response;
	__u8 rsvd2;
	__u8 hlength;
	__u8 dlength[3];
	__u8 rsvd3[8];
	__be32 itt;
	__be32 rsvd4;
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__u8 rsvd5[12];
} __attribute__((packed));

/* Login Request (0x03) */
struct iscsi_login_req_hdr {
	__u8 opcode;
	__u8 flags;		/* T, C, CSG, NSG */
	__u8 max_version;
	__u8 min_version;
	__u8 hlength;
	__u8 dlength[3];
	__u8 isid[6];
	__be16 tsih;
	__be32 itt;
	__be16 cid;
	__be16 rsvd3;
	__be32 cmdsn;
	__be32 exp_statsn;
	__u8 rsvd5[16];
} __attribute__((packed));

/* Login Response (0x23) */
struct iscsi_login_rsp_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 max_version;
	__u8 active_version;
	__u8 hlength;
	__u8 dlength[3];
	__u8 isid[6];
	__be16 tsih;
	__be32 itt;
	__be32 rsvd3;
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__u8 status_class;
	__u8 status_detail;
	__u8 rsvd5[10];
} __attribute__((packed));

/* Text Request (0x04) / Text Response (0x24) */
struct iscsi_text_hdr {
	__u8 opcode;
	__u8 flags;		/* F, C */
	__u8 rsvd2[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 ttt;
	__be32 sn;		/* CmdSN (req) / StatSN (rsp) */
	__be32 exp_sn;		/* ExpStatSN (req) / ExpCmdSN (rsp) */
	__be32 max_cmdsn;	/* rsp only */
	__u8 rsvd3[12];
} __attribute__((packed));

#define ISCSI_TEXT_CONTINUE		0x40

/* Logout Request (0x06) */
struct iscsi_logout_req_hdr {
	__u8 opcode;
	__u8 flags;		/* F + reason code */
	__u8 rsvd1[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 rsvd2[8];
	__be32 itt;
	__be16 cid;
	__u8 rsvd3[2];
	__be32 cmdsn;
	__be32 exp_statsn;
	__u8 rsvd4[16];
} __attribute__((packed));

/* Logout Response (0x26) */
struct iscsi_logout_rsp_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 response;
	__u8 rsvd2;
	__u8 hlength;
	__u8 dlength[3];
	__u8 rsvd3[8];
	__be32 itt;
	__be32 rsvd4;
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__be32 rsvd5;
	__be16 t2wait;
	__be16 t2retain;
	__be32 rsvd6;
} __attribute__((packed));

/* Asynchronous Message (0x32) */
struct iscsi_async_msg_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 rsvd2[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 ffffffff;
	__be32 rsvd3;
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__u8 async_event;
	__u8 async_vcode;
	__be16 param1;
	__be16 param2;
	__be16 param3;
	__u8 rsvd4[4];
} __attribute__((packed));

/* Reject (0x3f); the data segment carries the rejected BHS */
struct iscsi_reject_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 reason;
	__u8 rsvd2;
	__u8 hlength;
	__u8 dlength[3];
	__u8 rsvd3[8];
	__be32 ffffffff;
	__be32 rsvd4;
	__be32 statsn;
	__be32 exp_cmdsn;
	__be32 max_cmdsn;
	__be32 datasn;
	__u8 rsvd5[8];
} __attribute__((packed));

/* SNACK Request (0x10) */
struct iscsi_snack_hdr {
	__u8 opcode;
	__u8 flags;
	__u8 rsvd2[2];
	__u8 hlength;
	__u8 dlength[3];
	__u8 lun[8];
	__be32 itt;
	__be32 ttt;
	__be32 rsvd3;
	__be32 exp_statsn;
	__be32 rsvd4;
	__be32 begrun;
	__be32 runlength;
	__u8 rsvd5[4];
} __attribute__((packed));

static inline __u32 iscsi_get_dlength(const __u8 *dl)
{
	return ((__u32)dl[0] << 16) | ((__u32)dl[1] << 8) | dl[2];
}

static inline void iscsi_set_dlength(__u8 *dl, __u32 len)
{
	dl[0] = (len >> 16) & 0xff;
	dl[1] = (len >> 8) & 0xff;
	dl[2] = len & 0xff;
}

static inline __u32 iscsi_pad_len(__u32 len)
{
	return (ISCSI_PAD_LEN - (len & (ISCSI_PAD_LEN - 1))) &
	       (ISCSI_PAD_LEN - 1);
}

/* Serial number arithmetic (RFC 1982, 32 bit) for CmdSN/StatSN windows */
static inline int iscsi_sn_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static inline int iscsi_sn_after(__u32 a, __u32 b)
{
	return (__s32)(a - b) > 0;
}

#endif /* __ISCSI_PROTO_H */
