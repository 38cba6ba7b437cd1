// SPDX-License-Identifier: GPL-2.0
/*
 * iscsi-scstd operational parameter negotiation (param.c): every RFC 7143
 * key with its result function, ranges, malformed values, session type
 * and leading-connection rules, target proposals and the values handed to
 * the kernel.
 */
#include <errno.h>
#include "log.h"
#include "param.h"
#include "unit.h"

static struct neg n;
static uint32_t tp[ISCSI_P_COUNT];
static char rsp[8192];
static int last_err;

__attribute__((constructor)) static void quiet(void)
{
	if (!getenv("UNIT_VERBOSE"))
		log_init("test", false, false, 0);
}

/* The classic iscsi-scst defaults with a 1 MiB kernel limit */
static void tgt_defaults(void)
{
	memset(tp, 0, sizeof(tp));
	tp[ISCSI_P_INITIAL_R2T] = 0;
	tp[ISCSI_P_IMMEDIATE_DATA] = 1;
	tp[ISCSI_P_MAX_BURST_LENGTH] = 1048576;
	tp[ISCSI_P_FIRST_BURST_LENGTH] = 65536;
	tp[ISCSI_P_MAX_OUTSTANDING_R2T] = 32;
	tp[ISCSI_P_DATA_PDU_IN_ORDER] = 1;
	tp[ISCSI_P_DATA_SEQUENCE_IN_ORDER] = 1;
	tp[ISCSI_P_MAX_CONNECTIONS] = 1;
	tp[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_NONE;
	tp[ISCSI_P_DATA_DIGEST] = ISCSI_DIGEST_NONE;
	tp[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] = 1048576;
	tp[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = 1048576;
	tp[ISCSI_P_QUEUED_COMMANDS] = 32;
	tp[ISCSI_P_RSP_TIMEOUT] = 90;
	tp[ISCSI_P_NOP_IN_INTERVAL] = 30;
	tp[ISCSI_P_NOP_IN_TIMEOUT] = 30;
}

static void normal(void)
{
	neg_init(&n, false, true, tp, 1048576);
}

/* Text of a tbuf with the NULs shown as '|' */
static const char *show(const struct tbuf *t)
{
	size_t i;

	for (i = 0; i < t->len && i < sizeof(rsp) - 1; i++)
		rsp[i] = t->buf[i] ? t->buf[i] : '|';
	rsp[i] = '\0';
	return rsp;
}

/*
 * One request: "Key=Value|Key=Value" through neg_key(); returns the
 * answers as "Key=Value|..." and sets last_err.
 */
static const char *req(const char *text)
{
	static char copy[8192];
	char *p = copy, *bar, *eq;
	struct tbuf out;

	snprintf(copy, sizeof(copy), "%s", text);
	last_err = 0;
	neg_begin(&n);
	while (p && *p) {
		bar = strchr(p, '|');
		if (bar)
			*bar = '\0';
		eq = strchr(p, '=');
		if (!eq) {
			fprintf(stderr, "bad test request %s\n", p);
			exit(2);
		}
		*eq = '\0';
		if (!last_err)
			last_err = neg_key(&n, key_lookup(p), p, eq + 1);
		p = bar ? bar + 1 : NULL;
	}
	tbuf_init(&out, 65536);
	neg_emit(&n, &out);
	show(&out);
	tbuf_free(&out);
	return rsp;
}

static const char *offer(int *ret)
{
	struct tbuf out;

	tbuf_init(&out, 65536);
	*ret = neg_offer(&n, &out);
	show(&out);
	tbuf_free(&out);
	return rsp;
}

static const char *declare(void)
{
	struct tbuf out;

	tbuf_init(&out, 65536);
	neg_declare(&n, &out);
	show(&out);
	tbuf_free(&out);
	return rsp;
}

TEST(key_table)
{
	CHECK(key_lookup("HeaderDigest") &&
	      key_lookup("HeaderDigest")->id == K_HEADER_DIGEST);
	CHECK(key_lookup("MaxRecvDataSegmentLength")->cls == KC_OP);
	CHECK(key_lookup("InitiatorName")->cls == KC_DECL);
	CHECK(key_lookup("TargetName")->cls == KC_DECL);
	CHECK(key_lookup("SessionType")->cls == KC_DECL);
	CHECK(key_lookup("AuthMethod")->cls == KC_AUTH);
	CHECK(key_lookup("CHAP_R")->cls == KC_AUTH);
	CHECK(key_lookup("TargetAlias")->cls == KC_TARGET);
	CHECK(key_lookup("SendTargets")->cls == KC_FFP);
	/* case-sensitive, no prefixes */
	CHECK(!key_lookup("headerdigest"));
	CHECK(!key_lookup("HeaderDigest2"));
	CHECK(!key_lookup("Header"));
	CHECK(!key_lookup("X-com.example.foo"));
	CHECK(!key_lookup(""));
	for (int i = 0; i < K_COUNT; i++) {
		const struct key_def *d = NULL;

		for (const char *const *p = (const char *const[]){
			"HeaderDigest", "DataDigest", "MaxConnections",
			"SendTargets", "TargetName", "InitiatorName",
			"TargetAlias", "InitiatorAlias", "TargetAddress",
			"TargetPortalGroupTag", "InitialR2T", "ImmediateData",
			"MaxRecvDataSegmentLength", "MaxBurstLength",
			"FirstBurstLength", "DefaultTime2Wait",
			"DefaultTime2Retain", "MaxOutstandingR2T",
			"DataPDUInOrder", "DataSequenceInOrder",
			"ErrorRecoveryLevel", "SessionType", "OFMarker",
			"IFMarker", "OFMarkInt", "IFMarkInt", "RDMAExtensions",
			"TargetRecvDataSegmentLength",
			"InitiatorRecvDataSegmentLength",
			"MaxOutstandingUnexpectedPDUs", "iSCSIProtocolLevel",
			"TaskReporting", "AuthMethod", "CHAP_A", "CHAP_I",
			"CHAP_C", "CHAP_N", "CHAP_R", NULL }; *p; p++) {
			const struct key_def *k = key_lookup(*p);

			if (k && (int)k->id == i)
				d = k;
		}
		CHECK(d != NULL);
	}
}

TEST(digests_normal)
{
	tgt_defaults();
	normal();
	CHECK_STR(req("HeaderDigest=CRC32C,None|DataDigest=None"),
		  "HeaderDigest=None|DataDigest=None|");
	CHECK_EQ_INT(n.val[K_HEADER_DIGEST], ISCSI_DIGEST_NONE);

	tp[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C;
	tp[ISCSI_P_DATA_DIGEST] = ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C;
	normal();
	/* the initiator's order decides */
	CHECK_STR(req("HeaderDigest=CRC32C,None|DataDigest=None,CRC32C"),
		  "HeaderDigest=CRC32C|DataDigest=None|");
	CHECK_EQ_INT(n.val[K_HEADER_DIGEST], ISCSI_DIGEST_CRC32C);
	CHECK_EQ_INT(n.val[K_DATA_DIGEST], ISCSI_DIGEST_NONE);

	/* unknown values are skipped, an empty item is malformed */
	normal();
	CHECK_STR(req("HeaderDigest=Foo,CRC32C|DataDigest=CRC32C,,None"),
		  "HeaderDigest=CRC32C|DataDigest=Reject|");
	CHECK_EQ_INT(last_err, 0);
	normal();
	CHECK_STR(req("HeaderDigest=Foo"), "HeaderDigest=Reject|");
	CHECK_STR(req("DataDigest=none"), "DataDigest=Reject|");

	/* the target requires CRC32C */
	tp[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_CRC32C;
	normal();
	CHECK_STR(req("HeaderDigest=None,CRC32C"), "HeaderDigest=CRC32C|");
	normal();
	req("HeaderDigest=None");
	CHECK(last_err < 0);
	CHECK(n.why != NULL);
	normal();
	req("HeaderDigest=Bar");
	CHECK(last_err < 0);

	/* a configured mask of 0 means None */
	tp[ISCSI_P_HEADER_DIGEST] = 0;
	normal();
	CHECK_STR(req("HeaderDigest=CRC32C,None"), "HeaderDigest=None|");
}

TEST(digests_discovery)
{
	neg_init(&n, true, true, NULL, 1048576);
	/* the daemon prefers not to compute CRC32C when it may */
	CHECK_STR(req("HeaderDigest=CRC32C,None|DataDigest=None"),
		  "HeaderDigest=None|DataDigest=None|");
	neg_init(&n, true, true, NULL, 1048576);
	CHECK_STR(req("HeaderDigest=CRC32C|DataDigest=CRC32C"),
		  "HeaderDigest=CRC32C|DataDigest=CRC32C|");
	CHECK_EQ_INT(n.val[K_HEADER_DIGEST], ISCSI_DIGEST_CRC32C);
	CHECK_EQ_INT(n.val[K_DATA_DIGEST], ISCSI_DIGEST_CRC32C);
	neg_init(&n, true, true, NULL, 1048576);
	CHECK_STR(req("HeaderDigest=Foo"), "HeaderDigest=Reject|");
	CHECK_EQ_INT(last_err, 0);
}

TEST(max_recv_dsl)
{
	uint32_t p[ISCSI_P_COUNT];

	tgt_defaults();
	normal();
	/* declarative: the answer is our own value */
	CHECK_STR(req("MaxRecvDataSegmentLength=65536"),
		  "MaxRecvDataSegmentLength=1048576|");
	CHECK_EQ_INT(n.ini_mrdsl, 65536);
	CHECK(n.declared_mrdsl);
	CHECK_STR(declare(), "");
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 65536);
	CHECK_EQ_INT(p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], 1048576);

	/* our sending is also capped by the target's MaxXmitDSL */
	tp[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH] = 32768;
	tp[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = 16384;
	normal();
	CHECK_STR(req("MaxRecvDataSegmentLength=262144"),
		  "MaxRecvDataSegmentLength=16384|");
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 32768);
	CHECK_EQ_INT(p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], 16384);

	/* and by the kernel's limit */
	tgt_defaults();
	neg_init(&n, false, true, tp, 262144);
	CHECK_STR(req("MaxRecvDataSegmentLength=16777215"),
		  "MaxRecvDataSegmentLength=262144|");
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 262144);

	/* out of range: rejected, the default 8192 stays */
	normal();
	CHECK_STR(req("MaxRecvDataSegmentLength=511"),
		  "MaxRecvDataSegmentLength=Reject|");
	CHECK_STR(req("MaxRecvDataSegmentLength=16777216"),
		  "MaxRecvDataSegmentLength=Reject|");
	CHECK_STR(req("MaxRecvDataSegmentLength=abc"),
		  "MaxRecvDataSegmentLength=Reject|");
	CHECK_EQ_INT(n.ini_mrdsl, 8192);
	CHECK(!n.declared_mrdsl);
	/* then declared on its own */
	CHECK_STR(declare(), "MaxRecvDataSegmentLength=1048576|");
	CHECK_STR(declare(), "");
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 8192);

	/* never declared: the kernel is told the RFC default */
	normal();
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], 8192);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 8192);

	/* discovery: 8192 */
	neg_init(&n, true, true, NULL, 1048576);
	CHECK_STR(req("MaxRecvDataSegmentLength=32768"),
		  "MaxRecvDataSegmentLength=8192|");
	CHECK_EQ_INT(n.ini_mrdsl, 32768);
	/* target values below 512 are raised */
	tgt_defaults();
	tp[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = 0;
	normal();
	CHECK_STR(declare(), "MaxRecvDataSegmentLength=512|");
}

TEST(booleans_or_and)
{
	tgt_defaults();		/* InitialR2T=No, ImmediateData=Yes */
	normal();
	CHECK_STR(req("InitialR2T=No|ImmediateData=Yes"),
		  "InitialR2T=No|ImmediateData=Yes|");
	normal();
	CHECK_STR(req("InitialR2T=Yes|ImmediateData=No"),
		  "InitialR2T=Yes|ImmediateData=No|");
	tp[ISCSI_P_INITIAL_R2T] = 1;
	tp[ISCSI_P_IMMEDIATE_DATA] = 0;
	normal();
	CHECK_STR(req("InitialR2T=No|ImmediateData=Yes"),
		  "InitialR2T=Yes|ImmediateData=No|");
	CHECK_EQ_INT(n.val[K_INITIAL_R2T], 1);
	CHECK_EQ_INT(n.val[K_IMMEDIATE_DATA], 0);
	normal();
	CHECK_STR(req("InitialR2T=yes|ImmediateData=1|DataPDUInOrder="),
		  "InitialR2T=Reject|ImmediateData=Reject|DataPDUInOrder=Reject|");
	/* rejected keys keep the RFC defaults */
	CHECK_EQ_INT(n.val[K_INITIAL_R2T], 1);
	CHECK_EQ_INT(n.val[K_IMMEDIATE_DATA], 1);

	tgt_defaults();
	normal();
	CHECK_STR(req("DataPDUInOrder=No|DataSequenceInOrder=No"),
		  "DataPDUInOrder=Yes|DataSequenceInOrder=Yes|");
	tp[ISCSI_P_DATA_PDU_IN_ORDER] = 0;
	tp[ISCSI_P_DATA_SEQUENCE_IN_ORDER] = 0;
	normal();
	CHECK_STR(req("DataPDUInOrder=No|DataSequenceInOrder=Yes"),
		  "DataPDUInOrder=No|DataSequenceInOrder=Yes|");
	normal();
	CHECK_STR(req("OFMarker=Yes|IFMarker=No|RDMAExtensions=Yes"),
		  "OFMarker=No|IFMarker=No|RDMAExtensions=No|");
}

TEST(numbers_min_max)
{
	tgt_defaults();
	normal();
	CHECK_STR(req("MaxBurstLength=262144|FirstBurstLength=262144|"
		      "MaxOutstandingR2T=64|DefaultTime2Wait=2|"
		      "DefaultTime2Retain=20|ErrorRecoveryLevel=2|"
		      "MaxConnections=8"),
		  "MaxBurstLength=262144|FirstBurstLength=65536|"
		  "MaxOutstandingR2T=32|DefaultTime2Wait=2|"
		  "DefaultTime2Retain=0|ErrorRecoveryLevel=0|"
		  "MaxConnections=1|");
	tp[ISCSI_P_DEFAULT_TIME2WAIT] = 5;
	tp[ISCSI_P_DEFAULT_TIME2RETAIN] = 10;
	tp[ISCSI_P_MAX_BURST_LENGTH] = 65536;
	normal();
	CHECK_STR(req("MaxBurstLength=0x40000|DefaultTime2Wait=0|"
		      "DefaultTime2Retain=3600|MaxOutstandingR2T=1"),
		  "MaxBurstLength=65536|DefaultTime2Wait=5|"
		  "DefaultTime2Retain=10|MaxOutstandingR2T=1|");
	/* ranges */
	normal();
	CHECK_STR(req("MaxBurstLength=511|FirstBurstLength=16777216|"
		      "MaxOutstandingR2T=0|DefaultTime2Wait=3601|"
		      "DefaultTime2Retain=-1|ErrorRecoveryLevel=3|"
		      "MaxConnections=0"),
		  "MaxBurstLength=Reject|FirstBurstLength=Reject|"
		  "MaxOutstandingR2T=Reject|DefaultTime2Wait=Reject|"
		  "DefaultTime2Retain=Reject|ErrorRecoveryLevel=Reject|"
		  "MaxConnections=Reject|");
	normal();
	CHECK_STR(req("MaxOutstandingR2T=65535|MaxConnections=65535|"
		      "DefaultTime2Wait=3600|MaxBurstLength=16777215"),
		  "MaxOutstandingR2T=32|MaxConnections=1|"
		  "DefaultTime2Wait=3600|MaxBurstLength=65536|");
	normal();
	CHECK_STR(req("MaxOutstandingR2T=65536|MaxConnections=65536"),
		  "MaxOutstandingR2T=Reject|MaxConnections=Reject|");
}

TEST(first_burst_rules)
{
	uint32_t p[ISCSI_P_COUNT];

	tgt_defaults();
	/* not more than MaxBurstLength, whatever the order */
	normal();
	CHECK_STR(req("FirstBurstLength=65536|MaxBurstLength=16384"),
		  "FirstBurstLength=16384|MaxBurstLength=16384|");
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_FIRST_BURST_LENGTH], 16384);
	CHECK_EQ_INT(p[ISCSI_P_MAX_BURST_LENGTH], 16384);

	/* irrelevant with InitialR2T=Yes and ImmediateData=No */
	normal();
	CHECK_STR(req("FirstBurstLength=4096|InitialR2T=Yes|ImmediateData=No"),
		  "FirstBurstLength=Irrelevant|InitialR2T=Yes|ImmediateData=No|");
	normal();
	CHECK_STR(req("InitialR2T=Yes|ImmediateData=Yes|FirstBurstLength=4096"),
		  "InitialR2T=Yes|ImmediateData=Yes|FirstBurstLength=4096|");
	/* earlier requests count too */
	normal();
	req("InitialR2T=Yes|ImmediateData=No");
	CHECK_STR(req("FirstBurstLength=4096"), "FirstBurstLength=Irrelevant|");
}

TEST(markers_iser_levels)
{
	tgt_defaults();
	normal();
	CHECK_STR(req("OFMarkInt=2048~8192|IFMarkInt=1~65535"),
		  "OFMarkInt=Irrelevant|IFMarkInt=Irrelevant|");
	CHECK_STR(req("OFMarkInt=0~5|IFMarkInt=8192~2048"),
		  "OFMarkInt=Reject|IFMarkInt=Reject|");
	normal();
	CHECK_STR(req("OFMarkInt=abc|IFMarkInt=2048"),
		  "OFMarkInt=Reject|IFMarkInt=Irrelevant|");
	normal();
	CHECK_STR(req("TargetRecvDataSegmentLength=8192|"
		      "InitiatorRecvDataSegmentLength=8192|"
		      "MaxOutstandingUnexpectedPDUs=0"),
		  "TargetRecvDataSegmentLength=Irrelevant|"
		  "InitiatorRecvDataSegmentLength=Irrelevant|"
		  "MaxOutstandingUnexpectedPDUs=Irrelevant|");
	normal();
	CHECK_STR(req("iSCSIProtocolLevel=2|TaskReporting=ResponseFence,RFC3720"),
		  "iSCSIProtocolLevel=1|TaskReporting=RFC3720|");
	normal();
	CHECK_STR(req("iSCSIProtocolLevel=0|TaskReporting=FastAbort"),
		  "iSCSIProtocolLevel=0|TaskReporting=Reject|");
	normal();
	CHECK_STR(req("iSCSIProtocolLevel=32|TaskReporting=RFC3720,"),
		  "iSCSIProtocolLevel=Reject|TaskReporting=Reject|");
}

TEST(unknown_and_foreign_keys)
{
	tgt_defaults();
	normal();
	CHECK_STR(req("X-com.example.foo=1|X#bar=2|Unknown=3|headerdigest=None"),
		  "X-com.example.foo=NotUnderstood|X#bar=NotUnderstood|"
		  "Unknown=NotUnderstood|headerdigest=NotUnderstood|");
	CHECK_EQ_INT(last_err, 0);
	/* keys only a target sends, and full feature phase keys */
	normal();
	CHECK_STR(req("TargetAlias=x|TargetAddress=1.2.3.4|"
		      "TargetPortalGroupTag=1|SendTargets=All"),
		  "TargetAlias=Irrelevant|TargetAddress=Irrelevant|"
		  "TargetPortalGroupTag=Irrelevant|SendTargets=Irrelevant|");
}

TEST(long_values)
{
	char big[600];

	tgt_defaults();
	normal();
	strcpy(big, "MaxBurstLength=");
	memset(big + 15, '1', 300);
	big[315] = '\0';
	CHECK_STR(req(big), "MaxBurstLength=Reject|");
	strcpy(big, "HeaderDigest=");
	for (int i = 0; i < 60; i++)
		strcat(big, "None,");
	strcat(big, "None");
	CHECK_STR(req(big), "HeaderDigest=Reject|");
}

TEST(too_many_keys)
{
	static char text[NEG_MAX_ANSWERS * 8 + 64];
	char *p = text;

	tgt_defaults();
	normal();
	for (int i = 0; i < NEG_MAX_ANSWERS; i++)
		p += sprintf(p, "X-%d=1|", i);
	p[-1] = '\0';
	req(text);
	CHECK_EQ_INT(last_err, 0);
	strcat(text, "|X-last=1");
	req(text);
	CHECK_EQ_INT(last_err, -E2BIG);
}

TEST(discovery_irrelevant)
{
	neg_init(&n, true, true, NULL, 1048576);
	CHECK_STR(req("MaxBurstLength=262144|FirstBurstLength=65536|"
		      "InitialR2T=No|ImmediateData=Yes|MaxConnections=1|"
		      "MaxOutstandingR2T=1|DataPDUInOrder=Yes|"
		      "DataSequenceInOrder=Yes"),
		  "MaxBurstLength=Irrelevant|FirstBurstLength=Irrelevant|"
		  "InitialR2T=Irrelevant|ImmediateData=Irrelevant|"
		  "MaxConnections=Irrelevant|MaxOutstandingR2T=Irrelevant|"
		  "DataPDUInOrder=Irrelevant|DataSequenceInOrder=Irrelevant|");
	/* these still matter */
	CHECK_STR(req("ErrorRecoveryLevel=1|DefaultTime2Wait=2|"
		      "DefaultTime2Retain=20|IFMarker=No"),
		  "ErrorRecoveryLevel=0|DefaultTime2Wait=2|"
		  "DefaultTime2Retain=0|IFMarker=No|");
	CHECK(!neg_needs_op_stage(&n));
	{
		int r;

		CHECK_STR(offer(&r), "");
		CHECK_EQ_INT(r, 0);
	}
}

TEST(non_leading_connection)
{
	uint32_t p[ISCSI_P_COUNT];

	tgt_defaults();
	neg_init(&n, false, false, tp, 1048576);
	CHECK_STR(req("MaxBurstLength=4096|InitialR2T=Yes|MaxConnections=1|"
		      "ErrorRecoveryLevel=0|HeaderDigest=None|"
		      "MaxRecvDataSegmentLength=4096"),
		  "MaxBurstLength=Irrelevant|InitialR2T=Irrelevant|"
		  "MaxConnections=Irrelevant|ErrorRecoveryLevel=Irrelevant|"
		  "HeaderDigest=None|MaxRecvDataSegmentLength=1048576|");
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 4096);
}

TEST(target_proposals)
{
	uint32_t p[ISCSI_P_COUNT];
	int r;

	tgt_defaults();
	tp[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_CRC32C;
	tp[ISCSI_P_IMMEDIATE_DATA] = 0;
	tp[ISCSI_P_MAX_BURST_LENGTH] = 65536;
	tp[ISCSI_P_FIRST_BURST_LENGTH] = 16384;
	normal();
	CHECK(neg_needs_op_stage(&n));
	CHECK_STR(offer(&r), "HeaderDigest=CRC32C|ImmediateData=No|"
		  "MaxBurstLength=65536|FirstBurstLength=16384|");
	CHECK_EQ_INT(r, 1);
	/* answers produce no text */
	CHECK_STR(req("HeaderDigest=CRC32C|ImmediateData=No|"
		      "MaxBurstLength=32768|FirstBurstLength=16384"), "");
	CHECK_EQ_INT(last_err, 0);
	CHECK_STR(offer(&r), "");
	CHECK_EQ_INT(r, 0);
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_HEADER_DIGEST], ISCSI_DIGEST_CRC32C);
	CHECK_EQ_INT(p[ISCSI_P_IMMEDIATE_DATA], 0);
	CHECK_EQ_INT(p[ISCSI_P_MAX_BURST_LENGTH], 32768);
	CHECK_EQ_INT(p[ISCSI_P_FIRST_BURST_LENGTH], 16384);

	/* unacceptable answers fail the login */
	normal();
	offer(&r);
	req("HeaderDigest=None");
	CHECK(last_err < 0);
	normal();
	offer(&r);
	req("MaxBurstLength=131072");
	CHECK(last_err < 0);
	normal();
	offer(&r);
	req("ImmediateData=Yes");
	CHECK(last_err < 0);
	normal();
	offer(&r);
	req("FirstBurstLength=Reject");
	CHECK(last_err < 0);
	/* no answer at all */
	normal();
	offer(&r);
	CHECK_EQ_INT(r, 1);
	req("HeaderDigest=CRC32C");
	offer(&r);
	CHECK(r < 0);

	/* what the initiator already negotiated is not proposed */
	normal();
	req("HeaderDigest=CRC32C|ImmediateData=Yes|MaxBurstLength=8192|"
	    "FirstBurstLength=8192");
	CHECK(!neg_needs_op_stage(&n) || !n.declared_mrdsl);
	CHECK_STR(offer(&r), "");
	CHECK_EQ_INT(r, 0);

	/* with the defaults nothing but the declaration is needed */
	tgt_defaults();
	normal();
	CHECK(neg_needs_op_stage(&n));		/* MaxRecvDSL 1 MiB */
	declare();
	CHECK(!neg_needs_op_stage(&n));
	tp[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH] = 8192;
	normal();
	CHECK(!neg_needs_op_stage(&n));
}

TEST(result_defaults)
{
	uint32_t p[ISCSI_P_COUNT];

	/* nothing negotiated: RFC defaults, local values untouched */
	tgt_defaults();
	tp[ISCSI_P_QUEUED_COMMANDS] = 77;
	tp[ISCSI_P_MAX_SESSIONS] = 5;
	normal();
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_INITIAL_R2T], 1);
	CHECK_EQ_INT(p[ISCSI_P_IMMEDIATE_DATA], 1);
	CHECK_EQ_INT(p[ISCSI_P_MAX_BURST_LENGTH], 262144);
	CHECK_EQ_INT(p[ISCSI_P_FIRST_BURST_LENGTH], 65536);
	CHECK_EQ_INT(p[ISCSI_P_MAX_OUTSTANDING_R2T], 1);
	CHECK_EQ_INT(p[ISCSI_P_DATA_PDU_IN_ORDER], 1);
	CHECK_EQ_INT(p[ISCSI_P_DATA_SEQUENCE_IN_ORDER], 1);
	CHECK_EQ_INT(p[ISCSI_P_ERROR_RECOVERY_LEVEL], 0);
	CHECK_EQ_INT(p[ISCSI_P_MAX_CONNECTIONS], 1);
	CHECK_EQ_INT(p[ISCSI_P_DEFAULT_TIME2WAIT], 2);
	CHECK_EQ_INT(p[ISCSI_P_DEFAULT_TIME2RETAIN], 20);
	CHECK_EQ_INT(p[ISCSI_P_HEADER_DIGEST], ISCSI_DIGEST_NONE);
	CHECK_EQ_INT(p[ISCSI_P_DATA_DIGEST], ISCSI_DIGEST_NONE);
	CHECK_EQ_INT(p[ISCSI_P_QUEUED_COMMANDS], 77);
	CHECK_EQ_INT(p[ISCSI_P_MAX_SESSIONS], 5);
	CHECK_EQ_INT(p[ISCSI_P_RSP_TIMEOUT], 90);

	/* a typical open-iscsi login */
	tp[ISCSI_P_HEADER_DIGEST] = ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C;
	normal();
	req("HeaderDigest=CRC32C,None|DataDigest=None|"
	    "MaxRecvDataSegmentLength=262144|MaxBurstLength=16776192|"
	    "FirstBurstLength=262144|InitialR2T=No|ImmediateData=Yes|"
	    "DefaultTime2Wait=2|DefaultTime2Retain=0|MaxOutstandingR2T=1|"
	    "DataPDUInOrder=Yes|DataSequenceInOrder=Yes|ErrorRecoveryLevel=0|"
	    "MaxConnections=1|IFMarker=No|OFMarker=No");
	CHECK_EQ_INT(last_err, 0);
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_HEADER_DIGEST], ISCSI_DIGEST_CRC32C);
	CHECK_EQ_INT(p[ISCSI_P_DATA_DIGEST], ISCSI_DIGEST_NONE);
	CHECK_EQ_INT(p[ISCSI_P_MAX_XMIT_DATA_SEGMENT_LENGTH], 262144);
	CHECK_EQ_INT(p[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], 1048576);
	CHECK_EQ_INT(p[ISCSI_P_MAX_BURST_LENGTH], 1048576);
	CHECK_EQ_INT(p[ISCSI_P_FIRST_BURST_LENGTH], 65536);
	CHECK_EQ_INT(p[ISCSI_P_INITIAL_R2T], 0);
	CHECK_EQ_INT(p[ISCSI_P_IMMEDIATE_DATA], 1);
	CHECK_EQ_INT(p[ISCSI_P_DEFAULT_TIME2WAIT], 2);
	CHECK_EQ_INT(p[ISCSI_P_DEFAULT_TIME2RETAIN], 0);
	CHECK_EQ_INT(p[ISCSI_P_MAX_OUTSTANDING_R2T], 1);

	/* garbage in the configured values is sanitised */
	memset(tp, 0xff, sizeof(tp));
	normal();
	neg_result(&n, p);
	CHECK_EQ_INT(p[ISCSI_P_HEADER_DIGEST], ISCSI_DIGEST_NONE);
	CHECK_EQ_INT(n.tgt[ISCSI_P_HEADER_DIGEST],
		     ISCSI_DIGEST_NONE | ISCSI_DIGEST_CRC32C);
	CHECK_EQ_INT(n.tgt[ISCSI_P_MAX_RECV_DATA_SEGMENT_LENGTH], 1048576);
	CHECK_EQ_INT(n.tgt[ISCSI_P_MAX_BURST_LENGTH], 16777215);
	CHECK_EQ_INT(n.tgt[ISCSI_P_MAX_OUTSTANDING_R2T], 65535);
	CHECK_EQ_INT(n.tgt[ISCSI_P_DEFAULT_TIME2WAIT], 3600);
	CHECK_EQ_INT(n.tgt[ISCSI_P_INITIAL_R2T], 1);
}

TEST(value_strings)
{
	char b[16];

	tgt_defaults();
	normal();
	req("HeaderDigest=None|InitialR2T=Yes|MaxBurstLength=4096");
	CHECK_STR(neg_value_str(&n, K_HEADER_DIGEST, b, sizeof(b)), "None");
	CHECK_STR(neg_value_str(&n, K_INITIAL_R2T, b, sizeof(b)), "Yes");
	CHECK_STR(neg_value_str(&n, K_MAX_BURST_LENGTH, b, sizeof(b)), "4096");
	CHECK_STR(neg_value_str(&n, K_FIRST_BURST_LENGTH, b, sizeof(b)), "4096");
	CHECK_STR(neg_value_str(&n, K_MAX_RECV_DSL, b, sizeof(b)), "1048576");
}
