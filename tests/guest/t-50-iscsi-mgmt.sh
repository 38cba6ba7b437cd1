#!/bin/bash
# iscsi-scst.ko, management half: the targets/iscsi/ tree and its mgmt
# verbs (targets, per-target parameters, CHAP accounts, allowed_portal,
# enable/disable, del_target); malformed commands and values must fail and
# leave the whole /sys/kernel/scst_tgt tree unchanged; the control device
# /dev/iscsi-scst-ctl and sessions handed over on loopback TCP sockets
# (tests/tools/iscsi_ctl.py plays the daemon); rmmod with a live session.
#
# ISCSI_KO may point at another build of the module (GUEST_ENV=ISCSI_KO).
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/iscsi
H=$S/handlers/vdisk_nullio
ISCSI_KO=${ISCSI_KO:-$TOP/iscsi-scst/kernel/iscsi-scst.ko}
CTL=$TOP/tests/tools/iscsi_ctl.py
PY=/usr/bin/python3
T1=iqn.2024-01.org.example:t1
T2=iqn.2024-01.org.example:t2
MAXDSL=1048576

# val FILE: the content with new lines shown as '|'
val() {
	tr '\n' '|' <"$1"
}

# check_val FILE EXPECTED ('|' for new lines)
check_val() {
	[ -e "$1" ] || fail "$1 does not exist"
	check_eq "$(val "$1")" "$2" "$1"
}

info "load scst, scst_vdisk and iscsi-scst"
LOCAL_PARAMS="add_default_tgt=0" load_scst
[ -f "$ISCSI_KO" ] || fail "module not built: $ISCSI_KO"
# insmod does not load dependencies: the digests need crc32c()
modprobe -q libcrc32c 2>/dev/null
check insmod "$ISCSI_KO"
[ -c /dev/iscsi-scst-ctl ] || fail "no /dev/iscsi-scst-ctl"
check_eq "$(stat -c %a /dev/iscsi-scst-ctl)" 600 "mode of /dev/iscsi-scst-ctl"
check mgmt "$H/mgmt" "add_device nd1 size_mb=16"

info "driver directory"
check_val "$D/enabled" "0|"
check_val "$D/open_state" "closed|"
[ -n "$(cat "$D/version")" ] || fail "empty version"
help=$(cat "$D/mgmt")
for want in "add_target NAME" "del_target NAME" \
	"add_target_attribute TARGET allowed_portal PATTERN" \
	"del_attribute IncomingUser|OutgoingUser USER" \
	"The following parameters available: InitialR2T, ImmediateData, MaxRecvDataSegmentLength, MaxXmitDataSegmentLength, MaxBurstLength, FirstBurstLength, MaxOutstandingR2T, HeaderDigest, DataDigest, QueuedCommands, RspTimeout, NopInInterval, NopInTimeout, MaxSessions" \
	"The following target driver attributes available: IncomingUser, OutgoingUser" \
	"The following target attributes available: IncomingUser, OutgoingUser, allowed_portal"; do
	[[ $help == *"$want"* ]] || fail "mgmt help lacks '$want': $help"
done
check mgmt "$D/enabled" 1
check_val "$D/enabled" "1|[key]|"
check mgmt "$D/enabled" 0
check_val "$D/enabled" "0|"

info "add_target with defaults"
check mgmt "$D/mgmt" "add_target $T1"
[ -d "$D/$T1/sessions" ] || fail "target $T1 has no sessions/"
check_val "$D/$T1/tid" "1|"
check_val "$D/$T1/enabled" "0|"
for kv in InitialR2T=No ImmediateData=Yes MaxRecvDataSegmentLength=$MAXDSL \
	MaxXmitDataSegmentLength=$MAXDSL MaxBurstLength=$MAXDSL \
	FirstBurstLength=65536 MaxOutstandingR2T=32 HeaderDigest=None \
	DataDigest=None QueuedCommands=32 RspTimeout=90 NopInInterval=30 \
	NopInTimeout=30 MaxSessions=0; do
	check_val "$D/$T1/${kv%%=*}" "${kv#*=}|"
done
check_eq "$(stat -c %a "$D/$T1/MaxSessions")" 644 "mode of MaxSessions"
check_eq "$(stat -c %a "$D/$T1/tid")" 444 "mode of tid"
check mgmt "$D/$T1/luns/mgmt" "add nd1 0"

info "add_target with parameters"
check mgmt "$D/mgmt" "add_target $T2 InitialR2T=yes; MaxSessions=5; HeaderDigest=crc32c,NONE;DataDigest CRC32C ;QueuedCommands=0x40"
check_val "$D/$T2/tid" "2|"
check_val "$D/$T2/InitialR2T" "Yes|[key]|"
check_val "$D/$T2/MaxSessions" "5|[key]|"
check_val "$D/$T2/HeaderDigest" "crc32c,NONE|[key]|"
check_val "$D/$T2/DataDigest" "CRC32C|[key]|"
check_val "$D/$T2/QueuedCommands" "64|[key]|"
check_val "$D/$T2/ImmediateData" "Yes|"

info "parameter values: ranges, read back, [key] only when not the default"
p=$D/$T1
for t in "InitialR2T Yes Yes|[key]|" "InitialR2T no No|" \
	"ImmediateData NO No|[key]|" "ImmediateData Yes Yes|" \
	"MaxRecvDataSegmentLength 512 512|[key]|" \
	"MaxRecvDataSegmentLength $MAXDSL $MAXDSL|" \
	"MaxXmitDataSegmentLength 8192 8192|[key]|" \
	"MaxBurstLength 0x40000 262144|[key]|" \
	"FirstBurstLength $MAXDSL $MAXDSL|[key]|" \
	"FirstBurstLength 65536 65536|" \
	"MaxOutstandingR2T 1 1|[key]|" "MaxOutstandingR2T 65535 65535|[key]|" \
	"HeaderDigest CRC32C CRC32C|[key]|" \
	"HeaderDigest None,CRC32C None,CRC32C|[key]|" \
	"HeaderDigest crc32c,none crc32c,none|[key]|" \
	"HeaderDigest none none|" \
	"DataDigest cRc32C cRc32C|[key]|" "DataDigest None None|" \
	"QueuedCommands 1 1|[key]|" "QueuedCommands 2048 2048|[key]|" \
	"RspTimeout 2 2|[key]|" "RspTimeout 65535 65535|[key]|" \
	"NopInInterval 0 0|[key]|" "NopInInterval 65535 65535|[key]|" \
	"NopInTimeout 2 2|[key]|" "NopInTimeout 65535 65535|[key]|" \
	"MaxSessions 65535 65535|[key]|" "MaxSessions 0 0|"; do
	read -r attr value want <<<"$t"
	check mgmt "$p/$attr" "$value"
	check_val "$p/$attr" "$want"
done
# back to the defaults for the rest of the test
for kv in MaxXmitDataSegmentLength=$MAXDSL MaxBurstLength=$MAXDSL \
	MaxOutstandingR2T=32 QueuedCommands=32 RspTimeout=90 NopInInterval=30 \
	NopInTimeout=30; do
	check mgmt "$p/${kv%%=*}" "${kv#*=}"
	check_val "$p/${kv%%=*}" "${kv#*=}|"
done
check mgmt "$p/MaxSessions" "  7  "
check_val "$p/MaxSessions" "7|[key]|"
check mgmt "$p/MaxSessions" 0

info "CHAP accounts: driver level"
check mgmt "$D/mgmt" "add_attribute IncomingUser joe secret1"
check mgmt "$D/mgmt" "add_attribute IncomingUser bob secret2"
check_val "$D/IncomingUser" "joe secret1|[key]|"
check_val "$D/IncomingUser1" "bob secret2|[key]|"
check_eq "$(stat -c %a "$D/IncomingUser")" 400 "mode of an account file"
check mgmt "$D/mgmt" "del_attribute IncomingUser joe"
[ -e "$D/IncomingUser" ] && fail "IncomingUser still there after del"
check mgmt "$D/mgmt" "add_attribute IncomingUser amy secret3"
check_val "$D/IncomingUser" "amy secret3|[key]|"
check_val "$D/IncomingUser1" "bob secret2|[key]|"
# the value read back from the file deletes the account as well
check mgmt "$D/mgmt" "del_attribute IncomingUser1 bob secret2"
[ -e "$D/IncomingUser1" ] && fail "IncomingUser1 still there after del"
check mgmt "$D/mgmt" "ADD_ATTRIBUTE OutgoingUser out osecret"
check_val "$D/OutgoingUser" "out osecret|[key]|"
long=$(printf 's%.0s' $(seq 255))
check mgmt "$D/mgmt" "add_attribute IncomingUser u255 $long"
check_val "$D/IncomingUser1" "u255 $long|[key]|"
check mgmt "$D/mgmt" "del_attribute IncomingUser u255"

info "CHAP accounts and allowed_portal: target level"
check mgmt "$D/mgmt" "add_target_attribute $T1 IncomingUser tjoe tsecret"
check mgmt "$D/mgmt" "add_target_attribute $T1 IncomingUser tbob tsecret2"
check mgmt "$D/mgmt" "add_target_attribute $T1 OutgoingUser tout tosecret"
check mgmt "$D/mgmt" "add_target_attribute $T1 allowed_portal 192.168.1.*"
check mgmt "$D/mgmt" "add_target_attribute $T1 allowed_portal fe80::*"
check_val "$D/$T1/IncomingUser" "tjoe tsecret|[key]|"
check_val "$D/$T1/IncomingUser1" "tbob tsecret2|[key]|"
check_val "$D/$T1/OutgoingUser" "tout tosecret|[key]|"
check_val "$D/$T1/allowed_portal" "192.168.1.*|[key]|"
check_val "$D/$T1/allowed_portal1" "fe80::*|[key]|"
check_eq "$(stat -c %a "$D/$T1/allowed_portal")" 444 "mode of allowed_portal"
check mgmt "$D/mgmt" "add_target_attribute $T2 IncomingUser tjoe other"
check_val "$D/$T2/IncomingUser" "tjoe other|[key]|"

info "enable / disable"
check mgmt "$D/$T1/enabled" 1
check_val "$D/$T1/enabled" "1|[key]|"
check mgmt "$D/$T2/enabled" 1
check mgmt "$D/$T2/enabled" 0
check_val "$D/$T2/enabled" "0|"
check mgmt "$D/enabled" 1

before=$(sysfs_snapshot)

info "malformed driver mgmt commands"
M=$D/mgmt
long224=iqn.2024-01.org.example:$(printf 'x%.0s' $(seq 200))
must_fail "$M" "$EINVAL" ""
must_fail "$M" "$EINVAL" "frobnicate $T1"
must_fail "$M" "$EINVAL" "add_target"
must_fail "$M" "$EEXIST" "add_target $T1"
must_fail "$M" "$EINVAL" "add_target bad/name"
must_fail "$M" "$EINVAL" "add_target enabled"
must_fail "$M" "$EINVAL" "add_target version"
must_fail "$M" "$EINVAL" "add_target $long224"
must_fail "$M" "$EINVAL" "add_target t3 InitialR2T=maybe"
must_fail "$M" "$EINVAL" "add_target t3 InitialR2T=1"
must_fail "$M" "$EINVAL" "add_target t3 InitialR2T"
must_fail "$M" "$EINVAL" "add_target t3 InitialR2T=Yes;InitialR2T=No"
must_fail "$M" "$EINVAL" "add_target t3 ImmediateData=Yes extra"
must_fail "$M" "$EINVAL" "add_target t3 MaxRecvDataSegmentLength=511"
must_fail "$M" "$EINVAL" "add_target t3 MaxRecvDataSegmentLength=1048577"
must_fail "$M" "$EINVAL" "add_target t3 MaxXmitDataSegmentLength=0"
must_fail "$M" "$EINVAL" "add_target t3 MaxBurstLength=abc"
must_fail "$M" "$EINVAL" "add_target t3 FirstBurstLength=-1"
must_fail "$M" "$EINVAL" "add_target t3 MaxOutstandingR2T=0"
must_fail "$M" "$EINVAL" "add_target t3 MaxOutstandingR2T=65536"
must_fail "$M" "$EINVAL" "add_target t3 HeaderDigest=MD5"
must_fail "$M" "$EINVAL" "add_target t3 HeaderDigest=CRC32C,,None"
must_fail "$M" "$EINVAL" "add_target t3 DataDigest=CRC32C,None,CRC32C"
must_fail "$M" "$EINVAL" "add_target t3 QueuedCommands=0"
must_fail "$M" "$EINVAL" "add_target t3 QueuedCommands=2049"
must_fail "$M" "$EINVAL" "add_target t3 RspTimeout=1"
must_fail "$M" "$EINVAL" "add_target t3 RspTimeout=65536"
must_fail "$M" "$EINVAL" "add_target t3 NopInInterval=65536"
must_fail "$M" "$EINVAL" "add_target t3 NopInTimeout=1"
must_fail "$M" "$EINVAL" "add_target t3 MaxSessions=65536"
must_fail "$M" "$EINVAL" "add_target t3 MaxSessions=99999999999999999999"
must_fail "$M" "$EINVAL" "add_target t3 tid=5"
must_fail "$M" "$EINVAL" "add_target t3 Bogus=1"
must_fail "$M" "$EINVAL" "add_target t3 InitialR2T=Yes;MaxSessions=-1"
must_fail "$M" "$EINVAL" "del_target"
must_fail "$M" "$ENOENT" "del_target nosuch"
must_fail "$M" "$EINVAL" "del_target $T1 extra"
must_fail "$M" "$EINVAL" "add_attribute"
must_fail "$M" "$EINVAL" "add_attribute IncomingUser"
must_fail "$M" "$EINVAL" "add_attribute IncomingUser joe"
must_fail "$M" "$EINVAL" "add_attribute IncomingUser joe secret extra"
must_fail "$M" "$EINVAL" "add_attribute IncomingUserX joe secret"
must_fail "$M" "$EINVAL" "add_attribute Bogus joe secret"
must_fail "$M" "$EINVAL" "add_attribute allowed_portal 1.2.3.4"
must_fail "$M" "$EINVAL" "add_attribute IncomingUser u$long secret"
must_fail "$M" "$EINVAL" "add_attribute IncomingUser joe s$long"
must_fail "$M" "$EEXIST" "add_attribute IncomingUser amy othersecret"
must_fail "$M" "$EEXIST" "add_attribute OutgoingUser other osecret"
must_fail "$M" "$EEXIST" "add_attribute OutgoingUser out osecret"
must_fail "$M" "$ENOENT" "del_attribute IncomingUser nosuch"
must_fail "$M" "$ENOENT" "del_attribute OutgoingUser nosuch"
must_fail "$M" "$ENOENT" "del_attribute IncomingUser AMY"
must_fail "$M" "$EINVAL" "del_attribute IncomingUser amy secret3 extra"
must_fail "$M" "$EINVAL" "del_attribute IncomingUser"
must_fail "$M" "$EINVAL" "add_target_attribute"
must_fail "$M" "$EINVAL" "add_target_attribute $T1"
must_fail "$M" "$EINVAL" "add_target_attribute $T1 IncomingUser"
must_fail "$M" "$EINVAL" "add_target_attribute $T1 IncomingUser u"
must_fail "$M" "$ENOENT" "add_target_attribute nosuch IncomingUser u s"
must_fail "$M" "$EINVAL" "add_target_attribute $T1 Bogus u s"
must_fail "$M" "$EINVAL" "add_target_attribute $T1 InitialR2T Yes"
must_fail "$M" "$EINVAL" "add_target_attribute $T1 allowed_portal"
must_fail "$M" "$EINVAL" "add_target_attribute $T1 allowed_portal 1.2.3.4 extra"
must_fail "$M" "$EINVAL" "add_target_attribute $T1 allowed_portal $(printf '1%.0s' $(seq 70))"
must_fail "$M" "$EEXIST" "add_target_attribute $T1 allowed_portal 192.168.1.*"
must_fail "$M" "$EEXIST" "add_target_attribute $T1 allowed_portal FE80::*"
must_fail "$M" "$EEXIST" "add_target_attribute $T1 IncomingUser tjoe x"
must_fail "$M" "$EEXIST" "add_target_attribute $T1 OutgoingUser other x"
must_fail "$M" "$ENOENT" "del_target_attribute $T1 allowed_portal 10.*"
must_fail "$M" "$ENOENT" "del_target_attribute $T1 IncomingUser nosuch"
must_fail "$M" "$ENOENT" "del_target_attribute $T2 OutgoingUser tout"
must_fail "$M" "$ENOENT" "del_target_attribute nosuch IncomingUser tjoe"
must_fail "$M" "$EINVAL" "del_target_attribute $T1 allowed_portal 192.168.1.* x"

info "malformed attribute values"
for t in "InitialR2T maybe" "InitialR2T 1" "InitialR2T Yes_" "ImmediateData ''" \
	"MaxRecvDataSegmentLength 511" "MaxRecvDataSegmentLength 1048577" \
	"MaxRecvDataSegmentLength abc" "MaxRecvDataSegmentLength -1" \
	"MaxRecvDataSegmentLength 0x" "MaxRecvDataSegmentLength 4096x" \
	"MaxRecvDataSegmentLength 99999999999" "MaxXmitDataSegmentLength 100" \
	"MaxBurstLength 1048577" "FirstBurstLength 0" "MaxOutstandingR2T 0" \
	"MaxOutstandingR2T 65536" "HeaderDigest MD5" "HeaderDigest crc32" \
	"HeaderDigest CRC32C,None,CRC32C" "HeaderDigest None;CRC32C" \
	"DataDigest none,none" "DataDigest ''" "QueuedCommands 0" \
	"QueuedCommands 2049" "RspTimeout 1" "RspTimeout 65536" \
	"NopInInterval 65536" "NopInTimeout 0" "NopInTimeout 1" \
	"MaxSessions 65536" "MaxSessions 1.5"; do
	read -r attr value <<<"$t"
	[ "$value" = "''" ] && value=
	must_fail "$D/$T1/$attr" "$EINVAL" "$value"
done
must_fail "$D/$T1/HeaderDigest" "$EINVAL" "CRC32C, None"
must_fail "$D/$T1/InitialR2T" "$EINVAL" "Yes No"
must_fail "$D/$T1/MaxSessions" "$EINVAL" "$(printf '1%.0s' $(seq 100))"
must_fail "$D/$T1/tid" "" "5"
must_fail "$D/$T1/enabled" "$EINVAL" "2"
must_fail "$D/enabled" "$EINVAL" "2"
must_fail "$D/enabled" "$EINVAL" "yes"
must_fail "$D/enabled" "$EINVAL" ""
must_fail "$D/version" "" "1"
must_fail "$D/open_state" "" "open"
must_fail "$D/IncomingUser" "" "x y"

after=$(sysfs_snapshot)
if [ "$before" != "$after" ]; then
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2
	fail "the tree changed after rejected commands"
fi
info "$MUST_FAIL_COUNT malformed commands rejected, tree unchanged"
dmesg | grep -q 'iscsi-scst: MaxSessions: invalid value "65536"' ||
	fail "no error message naming the attribute and the value"

info "delete accounts, portals and targets"
check mgmt "$D/mgmt" "del_target_attribute $T1 IncomingUser tjoe"
check mgmt "$D/mgmt" "del_target_attribute $T1 OutgoingUser tout tosecret"
check mgmt "$D/mgmt" "del_target_attribute $T1 allowed_portal 192.168.1.*"
[ -e "$D/$T1/IncomingUser" ] && fail "IncomingUser of $T1 left behind"
[ -e "$D/$T1/allowed_portal" ] && fail "allowed_portal of $T1 left behind"
check_val "$D/$T1/IncomingUser1" "tbob tsecret2|[key]|"
check_val "$D/$T1/allowed_portal1" "fe80::*|[key]|"
check mgmt "$D/mgmt" "del_attribute IncomingUser amy"
check mgmt "$D/mgmt" "del_attribute OutgoingUser out"
[ -e "$D/OutgoingUser" ] && fail "OutgoingUser left behind"
# targets with accounts, portals and LUNs go in one step
check mgmt "$D/mgmt" "del_target $T2"
[ -e "$D/$T2" ] && fail "$T2 still exists"
check mgmt "$D/$T1/enabled" 0
check mgmt "$D/enabled" 0

info "control device"
check "$PY" "$CTL" ctl nd1
info "sessions"
check "$PY" "$CTL" sessions nd1

info "tids are not reused"
check mgmt "$D/mgmt" "add_target $T2"
tid=$(head -n1 "$D/$T2/tid")
[ "$tid" -gt 2 ] || fail "tid $tid of a re-added target was used before"

info "del_target of an enabled target with accounts and LUNs"
check mgmt "$D/$T1/enabled" 1
check mgmt "$D/mgmt" "del_target $T1"
[ -e "$D/$T1" ] && fail "$T1 still exists"
[ -e "$S/devices/nd1/exported/export0" ] && fail "nd1 still exported"

info "rmmod with a live session and no daemon"
out=$("$PY" "$CTL" hold nd1) || { echo "$out"; fail "hold scenario failed"; }
echo "$out"
holder=$(sed -n 's/^holder_pid //p' <<<"$out")
[ -d "$D/iqn.2024-01.test:hold/sessions/iqn.1994-05.com.test:ini1" ] ||
	fail "no live session before rmmod"
check rmmod iscsi_scst
[ -e "$D" ] && fail "$D still exists after rmmod"
[ -e /dev/iscsi-scst-ctl ] && fail "/dev/iscsi-scst-ctl still exists"
[ -n "$holder" ] && kill "$holder" 2>/dev/null
[ -e "$S/devices/nd1/exported/export0" ] && fail "nd1 still exported"

info "cleanup"
check mgmt "$H/mgmt" "del_device nd1"
unload_scst
[ -e "$S" ] && fail "$S still exists after unload"
info "t-50-iscsi-mgmt done"
exit 0
