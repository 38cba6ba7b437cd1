#!/bin/bash
# iSCSI access control with open-iscsi (ISCSI_IMPL=scst|lio):
#  - initiator groups: two initiator names (open-iscsi's default iface and
#    a second iface with its own iface.initiatorname) see different LUN
#    sets of one target, at the same time; an initiator in no group (and
#    so without LUNs) is refused at login;
#  - CHAP one-way: the right secret logs in; no CHAP, a wrong secret, an
#    unknown user are refused; CHAP does not let an initiator without LUNs
#    in;
#  - CHAP mutual: right target secret logs in, a wrong one is refused by
#    the initiator; each CHAP algorithm (SHA3-256, SHA256, SHA1, MD5) alone;
#  - discovery CHAP (discovery.sendtargets.auth.*), one-way and mutual;
#  - removing the CHAP users opens the target again.
set -euo pipefail
. "$TOP/tests/lib/iscsi-helpers.sh"

T=$IQN_BASE:t52
P=127.0.0.1
IN_USER=t52-ini-user
IN_SECRET=t52-in-secret-0123
OUT_USER=t52-tgt-user
OUT_SECRET=t52-out-secret-4567
D_USER=t52-disc-user
D_SECRET=t52-disc-secret-89
D_OUT_USER=t52-disc-tgt
D_OUT_SECRET=t52-disc-out-secret

# chap_node IFACE [USER SECRET [USER_IN SECRET_IN]]
chap_node() {
	local i=$1
	shift
	iscsi_node_new "$T" "$P" "$i"
	iscsi_node_chap "$T" "$P" "$i" "$@"
}

# login_luns WHAT IFACE LUNS: the login succeeds and the session sees LUNS.
login_luns() {
	iscsi_login_ok "$T" "$P" "$2"
	iscsi_disk "$T" "$P" "${3%% *}" "$2" >/dev/null
	scan_wait "$2" "$3"
	check_eq "$(iscsi_luns "$T" "$P" "$2")" "$3" "$1: LUNs seen"
}

# scan_wait IFACE LUNS: wait (10 s) for the session's scan to show LUNS.
scan_wait() {
	wait_until 10 _luns_are "$@" || true
}

# shellcheck disable=SC2317  # called by wait_until
_luns_are() {
	[ "$(iscsi_luns "$T" "$P" "$1")" = "$2" ]
}

# ini_of IFACE: the initiator name of an iface.
ini_of() {
	case $1 in
	default) echo "$INI_A" ;;
	ifb) echo "$INI_B" ;;
	ifc) echo "$INI_C" ;;
	*) fail "ini_of: unknown iface $1" ;;
	esac
}

# refused WHAT IFACE: login refused, no session on either side.
refused() {
	iscsi_login_refused "$1" "$T" "$P" "$2"
	check_eq "$(iscsi_tgt_nsess "$T" "$(ini_of "$2")")" 0 "$1: sessions of $(ini_of "$2") on the target"
}

logout_all() {
	local i
	for i in "$@"; do
		iscsi_logout "$T" "$P" "$i"
	done
	wait_tgt_nsess "$T" 0
}

# discover_ok WHAT [KEY=VALUE...]: discovery with those auth settings
# lists the target.
discover_ok() {
	local what=$1
	shift
	iscsi_discover_chap "$P" default "$@" || fail "$what: discovery failed: $ISCSI_OUT"
	has_line "$ISCSI_OUT" "^[^ ]+,[0-9]+ $T\$" || fail "$what: discovery does not list $T: $ISCSI_OUT"
	info "$what: discovery ok"
}

# discover_refused WHAT [KEY=VALUE...]
discover_refused() {
	local what=$1
	shift
	if iscsi_discover_chap "$P" default "$@"; then
		fail "$what: discovery succeeded: $ISCSI_OUT"
	fi
	info "$what: discovery refused as expected (${ISCSI_OUT//$'\n'/ | })"
}

iscsi_test_init
iscsi_net_up
step "target $T without default LUNs; group ga: $INI_A -> LUN 0 f52; group gb: $INI_B -> LUN 0 n52, LUN 1 f52"
iscsi_target_load
iscsi_add_fileio f52 32
iscsi_add_nullio n52 64
iscsi_add_target "$T"
iscsi_group_create "$T" ga
iscsi_group_add_ini "$T" ga "$INI_A"
iscsi_group_add_lun "$T" ga 0 f52
iscsi_group_create "$T" gb
iscsi_group_add_lun "$T" gb 0 n52
iscsi_group_add_lun "$T" gb 1 f52
iscsi_group_add_ini "$T" gb "$INI_B"
iscsi_enable_target "$T"
iscsid_start
iscsi_iface_add ifb "$INI_B"
iscsi_iface_add ifc "$INI_C"

# --------------------------------------------------------------------------
step "initiator groups"
iscsi_discover "$P" || fail "discovery failed: $ISCSI_OUT"
has_line "$ISCSI_OUT" "^[^ ]+,[0-9]+ $T\$" || fail "discovery does not list $T: $ISCSI_OUT"
if iscsi_discover "$P" ifc; then
	info "discovery by $INI_C (no LUNs): ${ISCSI_OUT//$'\n'/ | }"
else
	info "discovery by $INI_C (no LUNs) failed: ${ISCSI_OUT//$'\n'/ | }"
fi
login_luns "$INI_A" default 0
check_eq "$(disk_mb "$(iscsi_disk "$T" "$P" 0)")" 32 "$INI_A: size of LUN 0"
login_luns "$INI_B" ifb "0 1"
check_eq "$(disk_mb "$(iscsi_disk "$T" "$P" 0 ifb)")" 64 "$INI_B: size of LUN 0"
check_eq "$(disk_mb "$(iscsi_disk "$T" "$P" 1 ifb)")" 32 "$INI_B: size of LUN 1"
check_eq "$(iscsi_tgt_sessions "$T" | tr '\n' ' ')" "$INI_A $INI_B " "sessions on the target"
step "the two initiators see the same data through their own LUN numbers"
check dd if=/dev/urandom of="$IW/blk" bs=64k count=4 status=none
check dd if="$IW/blk" of="$(iscsi_disk "$T" "$P" 0)" bs=64k oflag=direct status=none
check dd if="$(iscsi_disk "$T" "$P" 1 ifb)" of="$IW/blk2" bs=64k count=4 iflag=direct status=none
cmp "$IW/blk" "$IW/blk2" || fail "$INI_B does not read what $INI_A wrote to f52"
refused "$INI_C (in no group)" ifc
logout_all default ifb

# --------------------------------------------------------------------------
step "CHAP one-way (IncomingUser $IN_USER)"
iscsi_chap_in "$T" "$IN_USER" "$IN_SECRET"
chap_node default
refused "no CHAP on the initiator" default
chap_node default "$IN_USER" "$IN_SECRET"
login_luns "right secret" default 0
logout_all default
chap_node default "$IN_USER" "$IN_SECRET-x"
refused "wrong secret" default
chap_node default "$IN_USER-x" "$IN_SECRET"
refused "unknown user" default
chap_node ifc "$IN_USER" "$IN_SECRET"
refused "$INI_C with the right secret (no LUNs)" ifc
chap_node ifb "$IN_USER" "$IN_SECRET"
login_luns "$INI_B with the right secret" ifb "0 1"
logout_all ifb

# --------------------------------------------------------------------------
step "CHAP mutual (OutgoingUser $OUT_USER)"
iscsi_chap_out "$T" "$OUT_USER" "$OUT_SECRET"
chap_node default "$IN_USER" "$IN_SECRET" "$OUT_USER" "$OUT_SECRET"
login_luns "mutual, right secrets" default 0
logout_all default
chap_node default "$IN_USER" "$IN_SECRET" "$OUT_USER" "$OUT_SECRET-x"
refused "mutual, wrong target secret" default
chap_node default "$IN_USER" "$IN_SECRET-x" "$OUT_USER" "$OUT_SECRET"
refused "mutual, wrong initiator secret" default
for alg in SHA3-256 SHA256 SHA1 MD5; do
	chap_node default "$IN_USER" "$IN_SECRET" "$OUT_USER" "$OUT_SECRET"
	iscsi_node_set "$T" "$P" default node.session.auth.chap_algs "$alg"
	login_luns "mutual, CHAP_A $alg only" default 0
	logout_all default
done

step "CHAP removed: logins without CHAP work again"
iscsi_chap_clear "$T"
chap_node default
login_luns "no CHAP" default 0
logout_all default

# --------------------------------------------------------------------------
step "discovery CHAP one-way (IncomingUser $D_USER)"
iscsi_disc_chap_in "$D_USER" "$D_SECRET"
discover_refused "discovery without CHAP"
discover_ok "discovery, right secret" authmethod=CHAP username="$D_USER" password="$D_SECRET"
discover_refused "discovery, wrong secret" authmethod=CHAP username="$D_USER" password="$D_SECRET-x"
discover_refused "discovery, unknown user" authmethod=CHAP username="$D_USER-x" password="$D_SECRET"
step "discovery CHAP mutual (OutgoingUser $D_OUT_USER)"
iscsi_disc_chap_out "$D_OUT_USER" "$D_OUT_SECRET"
discover_ok "discovery, mutual" authmethod=CHAP username="$D_USER" password="$D_SECRET" \
	username_in="$D_OUT_USER" password_in="$D_OUT_SECRET"
discover_refused "discovery, mutual, wrong target secret" authmethod=CHAP username="$D_USER" \
	password="$D_SECRET" username_in="$D_OUT_USER" password_in="$D_OUT_SECRET-x"
step "discovery CHAP does not apply to normal sessions"
login_luns "normal session while discovery needs CHAP" default 0
logout_all default
iscsi_disc_chap_clear
discover_ok "discovery after removing discovery CHAP" authmethod=None

step "teardown"
iscsi_cleanup
finish_test t-52
