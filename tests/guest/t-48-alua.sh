#!/bin/bash
# ALUA device groups (SPC-4 5.16) through scst_local:
#  - device_groups/ sysfs tree: create/del of device groups, devices,
#    target groups, local (symlink) and remote (rel_tgt_id) targets,
#    group_id/preferred/state with [key] markers;
#  - standard INQUIRY TPGS=1 (implicit ALUA) for a device in a group, 0
#    for one outside; VPD 83h target port group designator; REPORT TARGET
#    PORT GROUPS in both formats, checked byte by byte;
#  - explicit ALUA (devices/<dev>/expl_alua): TPGS=3, SET TARGET PORT
#    GROUPS changes states (all or nothing, UA on the other nexuses only,
#    RTPG status 01h), refused without expl_alua, for offline, unknown
#    groups and partial descriptors; sg_stpg works;
#  - a state change raises ASYMMETRIC ACCESS STATE CHANGED (6/2A/06) on the
#    I_T nexuses of the device; standby/unavailable/transitioning give
#    NOT READY 04/0B, 04/0C, 04/0A to media commands while INQUIRY, REPORT
#    LUNS, REPORT TARGET PORT GROUPS still work;
#  - bind_alua_state: a bound vdisk_fileio device closes its backing store
#    (active 0) when its local target group becomes standby/unavailable
#    and reopens it (active 1, the file opened anew) when it becomes
#    active again; an unbound one and one the administrator deactivated
#    are left alone; defaults 0 (fileio) / 1 (blockio), [key] marks, bad
#    values rejected;
#  - malformed mgmt commands fail with the right errno and change nothing;
#  - deleting a device or a target removes it from its group;
#  - scstadmin -write_config / -config round trip of DEVICE_GROUP blocks;
#  - the Linux scsi_dh_alua handler attaches (soft check);
#  - a device group left over is removed when scst is unloaded.
set -euo pipefail
. "$TOP/tests/lib/scst-test-lib.sh"

W=/tmp/t48
mkdir -p "$W"
DG=$S/device_groups
SA=$TOP/scstadmin/scstadmin

step "devices d0 (grouped), d1 (not grouped); targets tA, tB; sessions"
scst_test_init
scst_add_dev vdisk_nullio d0 "size_mb=16"
scst_add_dev vdisk_nullio d1 "size_mb=8"
scst_add_local_target tA
scst_add_local_target tB
scst_add_lun tA 0 d0
scst_add_lun tA 1 d1
scst_add_lun tB 0 d0
scst_add_session tA sA
scst_add_session tB sB
wait_lun_disk tA sA 0 >/dev/null
wait_lun_disk tA sA 1 >/dev/null
wait_lun_disk tB sB 0 >/dev/null
ridA=$(first_line "$LOCAL/tA/rel_tgt_id")
ridB=$(first_line "$LOCAL/tB/rel_tgt_id")
info "rel_tgt_id: tA=$ridA tB=$ridB"

step "help texts"
grep -q "create DEVICE_GROUP" "$DG/mgmt" || fail "device_groups/mgmt help: $(cat "$DG/mgmt")"
if grep -qi "not supported" "$DG/mgmt"; then fail "device_groups/mgmt still says not supported"; fi

step "device group dg1 { d0; tgA { tA }; tgB { tB, remote1 } }"
smgmt "$DG/mgmt" "create dg1"
[ -d "$DG/dg1/devices" ] && [ -d "$DG/dg1/target_groups" ] || fail "dg1 lacks devices/ or target_groups/"
grep -q "add DEVICE" "$DG/dg1/devices/mgmt" || fail "devices/mgmt help"
grep -q "create TARGET_GROUP" "$DG/dg1/target_groups/mgmt" || fail "target_groups/mgmt help"
smgmt "$DG/dg1/devices/mgmt" "add d0"
check_eq "$(link_name "$DG/dg1/devices/d0")" d0 "device link d0"
smgmt "$DG/dg1/target_groups/mgmt" "create tgA"
smgmt "$DG/dg1/target_groups/mgmt" "add tgB"
TGA=$DG/dg1/target_groups/tgA
TGB=$DG/dg1/target_groups/tgB
grep -q "add TARGET" "$TGA/mgmt" || fail "tg mgmt help"
attr_is "$TGA/group_id" 0 "default group_id"
attr_is "$TGA/preferred" 0 "default preferred"
attr_is "$TGA/state" active "default state"
[ "$(wc -l <"$TGA/state")" = 1 ] || fail "default state has a [key] mark"
smgmt "$TGA/mgmt" "add tA"
smgmt "$TGB/mgmt" "add tB"
smgmt "$TGB/mgmt" "add remote1"
check_eq "$(link_name "$TGA/tA")" tA "target link tA"
[ -L "$TGA/tA" ] || fail "tA is not a symlink"
[ -d "$TGB/remote1" ] && [ ! -L "$TGB/remote1" ] || fail "remote1 is not a directory"
attr_is "$TGB/remote1/rel_tgt_id" 0 "default rel_tgt_id of remote1"
echo 9 >"$TGB/remote1/rel_tgt_id"
echo 10 >"$TGA/group_id"
echo 0x11 >"$TGB/group_id"
echo 1 >"$TGA/preferred"
attr_is "$TGB/remote1/rel_tgt_id" 9 "rel_tgt_id of remote1"
attr_is "$TGB/group_id" 17 "group_id of tgB"
for f in "$TGA/group_id" "$TGA/preferred" "$TGB/remote1/rel_tgt_id"; do
	check_eq "$(sed -n 2p "$f")" "[key]" "[key] mark of $f"
done

sgA=$(sg_for_lun tA sA 0)
sgA1=$(sg_for_lun tA sA 1)
sgB=$(sg_for_lun tB sB 0)
tur_until_good "$sgA" >/dev/null
tur_until_good "$sgA1" >/dev/null
tur_until_good "$sgB" >/dev/null

step "INQUIRY TPGS, VPD 83h target port group"
out=$(sg_inq "$sgA") || fail "sg_inq: $out"
[[ $out == *"TPGS=1"* ]] || fail "grouped device: TPGS is not 1: $out"
out=$(sg_inq "$sgA1") || fail "sg_inq: $out"
[[ $out == *"TPGS=0"* ]] || fail "ungrouped device: TPGS is not 0: $out"
out=$(sg_vpd -p 0x83 "$sgA") || fail "sg_vpd: $out"
[[ $out == *"Target port group: 0xa"* ]] || fail "VPD 83h of tA: no target port group 0xa: $out"
out=$(sg_vpd -p 0x83 "$sgB") || fail "sg_vpd: $out"
[[ $out == *"Target port group: 0x11"* ]] || fail "VPD 83h of tB: no target port group 0x11: $out"
out=$(sg_vpd -p 0x83 "$sgA1") || fail "sg_vpd: $out"
[[ $out == *"Target port group"* ]] && fail "ungrouped device reports a target port group: $out"

# rtpg_check FILE HDRLEN: the RTPG data of dg1 (tgA then tgB).
rtpg_check() {
	local h=$2 n
	load_bytes "$1"
	n=$((h + 8 + 4 + 8 + 8))
	check_eq "$NB" "$n" "RTPG data length"
	check_eq "$(be 0 4)" $((n - 4)) "RETURN DATA LENGTH"
	if [ "$h" = 8 ]; then
		check_eq "${B[4]}" 10 "extended header FORMAT TYPE byte"
	fi
	check_eq "${B[h]}" 80 "tgA PREF/state byte"
	check_eq "${B[h + 1]}" cf "tgA supported states"
	check_eq "$(be $((h + 2)) 2)" 10 "tgA group id"
	check_eq "$(be $((h + 7)) 1)" 1 "tgA port count"
	check_eq "$(be $((h + 10)) 2)" "$ridA" "tgA port rel id"
	h=$((h + 12))
	check_eq "$(be "$h" 1)" "${3:-0}" "tgB state"
	check_eq "$(be $((h + 2)) 2)" 17 "tgB group id"
	check_eq "$(be $((h + 7)) 1)" 2 "tgB port count"
	check_eq "$(be $((h + 10)) 2)" "$ridB" "tgB port 1 rel id"
	check_eq "$(be $((h + 14)) 2)" 9 "tgB port 2 (remote1) rel id"
}

step "REPORT TARGET PORT GROUPS: length-only and extended formats"
scsi_in "$sgA" 1024 "$W/rtpg0" a3 0a 00 00 00 00 00 00 04 00 00 00
expect_good "RTPG"
rtpg_check "$W/rtpg0" 4
scsi_in "$sgB" 1024 "$W/rtpg1" a3 2a 00 00 00 00 00 00 04 00 00 00
expect_good "RTPG extended"
rtpg_check "$W/rtpg1" 8
scsi_in "$sgA" 6 "$W/rtpg2" a3 0a 00 00 00 00 00 00 00 06 00 00
expect_good "RTPG with a short allocation length"
load_bytes "$W/rtpg2"
check_eq "$NB" 6 "truncated RTPG length"
check_eq "$(be 0 4)" 28 "RETURN DATA LENGTH of truncated RTPG"
scsi_in "$sgA" 64 "$W/rtpg3" a3 4a 00 00 00 00 00 00 00 40 00 00
expect_sense "RTPG format 010b" "5 24 00"
out=$(sg_rtpg -d "$sgA") || fail "sg_rtpg: $out"
[[ $out == *"target port group id : 0xa , Pref=1"* ]] || fail "sg_rtpg: $out"
[[ $out == *"target port group id : 0x11 , Pref=0"* ]] || fail "sg_rtpg: $out"
out=$(sg_rtpg -e -d "$sgB") || fail "sg_rtpg -e: $out"
[[ $out == *"target port group id : 0x11"* ]] || fail "sg_rtpg -e: $out"
scsi_in "$sgA1" 64 "$W/rtpg4" a3 0a 00 00 00 00 00 00 00 40 00 00
[ "$SCSI_STATUS" = cc ] || fail "ungrouped device accepted RTPG"

step "state change: unit attention 2A/06, then NOT READY per state"
mark=$(dmesg_mark)
echo standby >"$TGB/state"
attr_is "$TGB/state" standby "state of tgB"
check_eq "$(sed -n 2p "$TGB/state")" "[key]" "[key] mark of state"
dmesg_has "$mark" "target group tgB: ALUA state standby" || fail "no dmesg line for the state change"
for sg in "$sgB" "$sgA"; do
	scsi_cmd "$sg" 00 00 00 00 00 00
	expect_sense "TUR after state change ($sg)" "6 2a 06"
done
scsi_cmd "$sgA1" 00 00 00 00 00 00
expect_good "TUR of the ungrouped LUN"
read10="28 00 00 00 00 00 00 00 01 00"
# shellcheck disable=SC2086
scsi_in "$sgB" 512 "$W/rd" $read10
expect_sense "READ in standby" "2 04 0b"
scsi_cmd "$sgB" 00 00 00 00 00 00
expect_sense "TUR in standby" "2 04 0b"
scsi_in "$sgB" 96 "$W/inq" 12 00 00 00 60 00
expect_good "INQUIRY in standby"
scsi_in "$sgB" 64 "$W/rl" a0 00 00 00 00 00 00 00 00 40 00 00
expect_good "REPORT LUNS in standby"
scsi_in "$sgB" 64 "$W/ms" 1a 00 3f 00 40 00
expect_good "MODE SENSE in standby"
scsi_in "$sgB" 1024 "$W/rtpg5" a3 0a 00 00 00 00 00 00 04 00 00 00
expect_good "RTPG in standby"
rtpg_check "$W/rtpg5" 4 2
# shellcheck disable=SC2086
scsi_in "$sgA" 512 "$W/rd" $read10
expect_good "READ through the active port"
echo unavailable >"$TGB/state"
tur_until_good "$sgA" >/dev/null
# shellcheck disable=SC2086
scsi_in "$sgB" 512 "$W/rd" $read10
expect_sense "unit attention before READ in unavailable" "6 2a 06"
# shellcheck disable=SC2086
scsi_in "$sgB" 512 "$W/rd" $read10
expect_sense "READ in unavailable" "2 04 0c"
scsi_in "$sgB" 64 "$W/ms" 1a 00 3f 00 40 00
expect_sense "MODE SENSE in unavailable" "2 04 0c"
echo transitioning >"$TGB/state"
scsi_cmd "$sgB" 00 00 00 00 00 00
expect_sense "UA on transitioning" "6 2a 06"
# shellcheck disable=SC2086
scsi_in "$sgB" 512 "$W/rd" $read10
expect_sense "READ in transitioning" "2 04 0a"
echo nonoptimized >"$TGB/state"
tur_until_good "$sgB" >/dev/null
tur_until_good "$sgA" >/dev/null
# shellcheck disable=SC2086
scsi_in "$sgB" 512 "$W/rd" $read10
expect_good "READ in active/non-optimized"

step "explicit ALUA: SET TARGET PORT GROUPS only with expl_alua"
# stpg_data FILE STATE GROUP...: an STPG parameter list, one descriptor
# per group
stpg_data() {
	local f=$1 st=$2 g
	shift 2
	printf '\0\0\0\0' >"$f"
	for g; do
		# shellcheck disable=SC2059
		printf "\\x$(printf %02x "$st")\\x00\\x$(printf %02x $((g >> 8)))\\x$(printf %02x $((g & 255)))" >>"$f"
	done
}
# stpg SGDEV FILE [LEN]: SET TARGET PORT GROUPS with FILE as parameter list
stpg() {
	local n=${3:-$(stat -c %s "$2")}
	# shellcheck disable=SC2046
	scsi_out "$1" "$n" "$2" a4 0a 00 00 00 00 \
		$(printf '%02x %02x %02x %02x' 0 0 $((n >> 8)) $((n & 255))) 00 00
}
# tpgs SGDEV: the TPGS field of the standard INQUIRY data
tpgs() {
	scsi_in "$1" 96 "$W/inq" 12 00 00 00 60 00
	expect_good "INQUIRY for TPGS"
	load_bytes "$W/inq"
	echo $(((16#${B[5]} >> 4) & 3))
}
# rtpg_status SGDEV: STATUS CODE of tgB in REPORT TARGET PORT GROUPS
rtpg_status() {
	scsi_in "$1" 1024 "$W/rtpgs" a3 0a 00 00 00 00 00 00 04 00 00 00
	expect_good "RTPG for the status code"
	load_bytes "$W/rtpgs"
	be $((4 + 12 + 5)) 1
}
EA=$S/devices/d0/expl_alua
attr_is "$EA" 0 "default expl_alua"
check_eq "$(tpgs "$sgA")" 1 "TPGS without expl_alua"
stpg_data "$W/stpg" 2 17
stpg "$sgA" "$W/stpg"
expect_sense "STPG without expl_alua" "5 20 00"
attr_is "$TGB/state" nonoptimized "tgB after a refused STPG"
must_fail "$EA" "$EINVAL" 2
echo 1 >"$EA"
attr_is "$EA" 1 "expl_alua"
check_eq "$(sed -n 2p "$EA")" "[key]" "[key] mark of expl_alua"
scsi_cmd "$sgA" 00 00 00 00 00 00
expect_sense "UA after expl_alua" "6 3f 03"
tur_until_good "$sgB" >/dev/null
check_eq "$(tpgs "$sgA")" 3 "TPGS with expl_alua"
mark=$(dmesg_mark)
stpg "$sgA" "$W/stpg"
expect_good "STPG tgB -> standby"
attr_is "$TGB/state" standby "tgB after STPG"
dmesg_has "$mark" "SET TARGET PORT GROUPS from" || fail "no dmesg line for STPG"
scsi_cmd "$sgA" 00 00 00 00 00 00
expect_good "TUR on the nexus that sent STPG (no UA)"
scsi_cmd "$sgB" 00 00 00 00 00 00
expect_sense "TUR on the other nexus" "6 2a 06"
check_eq "$(rtpg_status "$sgA")" 1 "RTPG status: altered by STPG"
# from the standby port itself, with sg3_utils' own tool
out=$(sg_stpg --optimized --tp=17 "$sgB" 2>&1) || fail "sg_stpg from standby: $out"
attr_is "$TGB/state" active "tgB after sg_stpg --optimized"
tur_until_good "$sgA" >/dev/null
stpg_data "$W/stpg" 14 17
stpg "$sgA" "$W/stpg"
expect_sense "STPG to offline" "5 26 00"
stpg_data "$W/stpg" 2 10 99
stpg "$sgA" "$W/stpg"
expect_sense "STPG of an unknown group" "5 26 00"
attr_is "$TGA/state" active "tgA after a refused STPG (all or nothing)"
stpg_data "$W/stpg" 2 17
stpg "$sgA" "$W/stpg" 6
expect_sense "STPG with a partial descriptor" "5 1a 00"
attr_is "$TGB/state" active "tgB after refused STPGs"
echo nonoptimized >"$TGB/state"
echo 0 >"$EA"
tur_until_good "$sgA" >/dev/null
tur_until_good "$sgB" >/dev/null
check_eq "$(tpgs "$sgA")" 1 "TPGS after expl_alua 0"

step "bind_alua_state: defaults, [key] marks, bad values"
FH=$S/handlers/vdisk_fileio
printf 'OLD-DATA' >"$W/fb1.img"
truncate -s 8M "$W/fb1.img"
truncate -s 8M "$W/fb0.img"
scst_add_dev vdisk_fileio fb1 "filename=$W/fb1.img; bind_alua_state=1"
scst_add_dev vdisk_fileio fb0 "filename=$W/fb0.img"
FB1=$S/devices/fb1
FB0=$S/devices/fb0
check_eq "$(cat "$FB1/bind_alua_state")" "1
[key]" "bind_alua_state of fb1"
check_eq "$(cat "$FB0/bind_alua_state")" 0 "default bind_alua_state of fileio"
mark=$(dmesg_mark)
must_fail "$FH/mgmt" "$EINVAL" "add_device fbx filename=$W/fb0.img; bind_alua_state=2"
dmesg_has "$mark" 'fbx: invalid value "2" of parameter bind_alua_state' ||
	fail "no kernel message for bind_alua_state=2"
must_fail "$S/handlers/vdisk_nullio/mgmt" "$EINVAL" "add_device nbx bind_alua_state=1"
[ -e "$S/devices/fbx" ] || [ -e "$S/devices/nbx" ] && fail "a device with a bad bind_alua_state was added"
must_fail "$FB0/bind_alua_state" "$EINVAL" 2
dmesg_has "$mark" "fb0: invalid bind_alua_state value" ||
	fail "no kernel message for bind_alua_state 2"
if modprobe -q dm-mod && modprobe -q dm-zero &&
	dmsetup create --noudevsync z48 --table "0 16384 zero"; then
	zn=
	for d in /sys/block/dm-*; do
		[ "$(cat "$d/dm/name" 2>/dev/null)" = z48 ] && zn=/dev/${d##*/}
	done
	[ -n "$zn" ] || fail "no node for dm device z48"
	# (blockio opens the device exclusively: one at a time)
	scst_add_dev vdisk_blockio bb0 "filename=$zn; read_only=1"
	check_eq "$(cat "$S/devices/bb0/bind_alua_state")" 1 "default bind_alua_state of blockio"
	scst_del_dev bb0
	scst_add_dev vdisk_blockio bb1 "filename=$zn; read_only=1; bind_alua_state=0"
	check_eq "$(cat "$S/devices/bb1/bind_alua_state")" "0
[key]" "bind_alua_state=0 of blockio"
	scst_del_dev bb1
	dmsetup remove z48 || fail "dmsetup remove z48"
else
	soft_fail "dm-zero not available: blockio defaults not checked"
fi

step "bind_alua_state: the bound device follows its target group"
scst_add_lun tA 2 fb1
scst_add_lun tA 3 fb0
wait_lun_disk tA sA 2 >/dev/null
wait_lun_disk tA sA 3 >/dev/null
sgF1=$(sg_for_lun tA sA 2)
sgF0=$(sg_for_lun tA sA 3)
tur_until_good "$sgF1" >/dev/null
tur_until_good "$sgF0" >/dev/null
smgmt "$DG/mgmt" "create dg3"
smgmt "$DG/dg3/devices/mgmt" "add fb1"
smgmt "$DG/dg3/devices/mgmt" "add fb0"
smgmt "$DG/dg3/target_groups/mgmt" "create tg3"
TG3=$DG/dg3/target_groups/tg3
smgmt "$TG3/mgmt" "add tA"
# active_is DEV VALUE: the first line of devices/DEV/active is VALUE
# shellcheck disable=SC2317  # called through wait_until
active_is() { [ "$(first_line "$S/devices/$1/active")" = "$2" ]; }
# read0 SG: READ(10) of LBA 0 into $W/rd
read0() {
	# shellcheck disable=SC2086
	scsi_in "$1" 512 "$W/rd" $read10
}
attr_is "$FB1/active" 1 "fb1 active in an active group"
mark=$(dmesg_mark)
echo standby >"$TG3/state"
wait_until 20 active_is fb1 0 || fail "fb1 still active in standby"
check_eq "$(cat "$FB1/active")" "0
[key]" "active of fb1 in standby"
dmesg_has "$mark" "vdisk: fb1: ALUA state standby: closing the backing store" ||
	fail "no kernel message for closing fb1"
scsi_cmd "$sgF1" 00 00 00 00 00 00
expect_sense "UA on fb1 after standby" "6 2a 06"
read0 "$sgF1"
expect_sense "READ of the closed fb1 in standby" "2 04 0b"
# the unbound device keeps its backing store (ALUA still refuses media
# access through the standby port)
attr_is "$FB0/active" 1 "unbound fb0 in standby"
scsi_cmd "$sgF0" 00 00 00 00 00 00
expect_sense "UA on fb0 after standby" "6 2a 06"
read0 "$sgF0"
expect_sense "READ of fb0 in standby" "2 04 0b"
echo unavailable >"$TG3/state"
read0 "$sgF1"
expect_sense "UA on fb1 after unavailable" "6 2a 06"
read0 "$sgF1"
expect_sense "READ of fb1 in unavailable" "2 04 0c"
attr_is "$FB1/active" 0 "fb1 in unavailable"
# the closed file is replaced: reopening must open the new one
rm -f "$W/fb1.img"
printf 'NEW-DATA' >"$W/fb1.img"
truncate -s 8M "$W/fb1.img"
mark=$(dmesg_mark)
echo active >"$TG3/state"
wait_until 20 active_is fb1 1 || fail "fb1 not reopened in active"
check_eq "$(cat "$FB1/active")" 1 "active of fb1 after reopening (no [key])"
dmesg_has "$mark" "vdisk: fb1: ALUA state active: backing store reopened" ||
	fail "no kernel message for reopening fb1"
tur_until_good "$sgF1" >/dev/null
read0 "$sgF1"
expect_good "READ of fb1 after reopening"
check_eq "$(head -c 8 "$W/rd")" NEW-DATA "data of fb1 after reopening"
attr_is "$FB0/active" 1 "fb0 after active"
tur_until_good "$sgF0" >/dev/null
read0 "$sgF0"
expect_good "READ of fb0 after active"

step "bind_alua_state: nonoptimized keeps it open, a deactivated one stays so"
echo nonoptimized >"$TG3/state"
tur_until_good "$sgF1" >/dev/null
read0 "$sgF1"
expect_good "READ of fb1 in nonoptimized"
attr_is "$FB1/active" 1 "fb1 in nonoptimized"
echo 0 >"$FB1/active"
echo standby >"$TG3/state"
echo active >"$TG3/state"
nap 2
attr_is "$FB1/active" 0 "fb1 deactivated by the administrator"
echo 1 >"$FB1/active"
attr_is "$FB1/active" 1 "fb1 after active 1"
# unbinding: standby no longer closes it
echo 0 >"$FB1/bind_alua_state"
check_eq "$(cat "$FB1/bind_alua_state")" "0" "bind_alua_state of fb1 after 0"
echo standby >"$TG3/state"
nap 2
attr_is "$FB1/active" 1 "unbound fb1 in standby"
# binding again applies the current state at once
echo 1 >"$FB1/bind_alua_state"
wait_until 20 active_is fb1 0 || fail "fb1 not closed when bound in standby"
echo active >"$TG3/state"
wait_until 20 active_is fb1 1 || fail "fb1 not reopened after binding again"
tur_until_good "$sgF1" >/dev/null
read0 "$sgF1"
expect_good "READ of fb1 at the end"
smgmt "$DG/mgmt" "del dg3"
scst_del_lun tA 2
scst_del_lun tA 3
wait_lun_gone tA sA 2
wait_lun_gone tA sA 3
scst_del_dev fb1
scst_del_dev fb0

step "malformed commands are rejected and change nothing"
smgmt "$DG/mgmt" "create dg2"
smgmt "$DG/dg2/target_groups/mgmt" "create tg2"
smgmt "$DG/dg2/target_groups/tg2/mgmt" "add remote2"
sysfs_snapshot >"$W/before" || true
must_fail "$DG/mgmt" "$EINVAL" "frobnicate dg3"
must_fail "$DG/mgmt" "$EINVAL" "create"
must_fail "$DG/mgmt" "$EINVAL" "create dg3 extra"
must_fail "$DG/mgmt" "$EINVAL" "create mgmt"
must_fail "$DG/mgmt" "$EEXIST" "create dg1"
must_fail "$DG/mgmt" "$ENOENT" "del nosuch"
must_fail "$DG/dg2/devices/mgmt" "$ENOENT" "add nosuchdev"
must_fail "$DG/dg2/devices/mgmt" "$EEXIST" "add d0"
must_fail "$DG/dg2/devices/mgmt" "$ENOENT" "del d0"
must_fail "$DG/dg2/devices/mgmt" "$EINVAL" "move d0"
must_fail "$DG/dg1/devices/mgmt" "$EEXIST" "add d0"
must_fail "$DG/dg1/target_groups/mgmt" "$EEXIST" "create tgA"
must_fail "$DG/dg1/target_groups/mgmt" "$ENOENT" "del tgZ"
must_fail "$DG/dg1/target_groups/mgmt" "$EINVAL" "create state"
must_fail "$TGA/mgmt" "$EEXIST" "add tA"
must_fail "$TGA/mgmt" "$EEXIST" "add tB"
must_fail "$TGA/mgmt" "$ENOENT" "del tB"
must_fail "$TGA/mgmt" "$EINVAL" "add"
must_fail "$TGA/mgmt" "$EINVAL" "add group_id"
must_fail "$TGA/group_id" "$EINVAL" 65536
must_fail "$TGA/group_id" "$EINVAL" -1
must_fail "$TGA/group_id" "$EINVAL" abc
must_fail "$TGA/group_id" "$EEXIST" 17
must_fail "$TGA/preferred" "$EINVAL" 2
must_fail "$TGA/state" "$EINVAL" optimized
must_fail "$TGA/state" "$EINVAL" ""
must_fail "$TGB/remote1/rel_tgt_id" "$EINVAL" 65536
sysfs_snapshot >"$W/after" || true
# (only device_groups/: the sgv cache statistics age on their own)
if ! diff -u <(grep /device_groups "$W/before") <(grep /device_groups "$W/after") \
	>"$W/snapdiff"; then
	cat "$W/snapdiff" >&2
	fail "rejected commands changed the tree"
fi
info "$MUST_FAIL_COUNT malformed commands rejected, tree unchanged"

step "deleting a device or a target removes it from its group"
scst_add_dev vdisk_nullio d2 "size_mb=4"
smgmt "$DG/dg2/devices/mgmt" "add d2"
[ -L "$DG/dg2/devices/d2" ] || fail "d2 link missing"
mark=$(dmesg_mark)
scst_del_dev d2
[ -e "$DG/dg2/devices/d2" ] || [ -L "$DG/dg2/devices/d2" ] && fail "d2 still in dg2 after del_device"
dmesg_has "$mark" "device d2 removed from device group dg2" || fail "no dmesg line for d2"
scst_add_local_target tC
smgmt "$DG/dg2/target_groups/tg2/mgmt" "add tC"
[ -L "$DG/dg2/target_groups/tg2/tC" ] || fail "tC link missing"
scst_del_local_target tC
[ -L "$DG/dg2/target_groups/tg2/tC" ] && fail "tC still in tg2 after del_target"
smgmt "$DG/dg2/target_groups/tg2/mgmt" "del remote2"
smgmt "$DG/dg2/target_groups/tg2/mgmt" "add remote2"
echo 33 >"$DG/dg2/target_groups/tg2/remote2/rel_tgt_id"

step "scstadmin: -write_config / -config round trip of DEVICE_GROUP"
"$SA" -write_config "$W/a.conf" >"$W/sa.out" 2>&1 || { cat "$W/sa.out" >&2; fail "scstadmin -write_config"; }
sed -n '/^DEVICE_GROUP/,$p' "$W/a.conf"
grep -q "^DEVICE_GROUP dg1" "$W/a.conf" || fail "no DEVICE_GROUP dg1 in -write_config"
grep -q "TARGET remote1" "$W/a.conf" || fail "no remote1 in -write_config"
grep -q "state nonoptimized" "$W/a.conf" || fail "no state in -write_config"
smgmt "$DG/mgmt" "del dg1"
smgmt "$DG/mgmt" "del dg2"
[ -e "$DG/dg1" ] && fail "dg1 still exists after del"
"$SA" -config "$W/a.conf" -noprompt >"$W/sa.out" 2>&1 || { cat "$W/sa.out" >&2; fail "scstadmin -config"; }
attr_is "$TGB/state" nonoptimized "state of tgB after -config"
attr_is "$TGB/remote1/rel_tgt_id" 9 "rel_tgt_id of remote1 after -config"
[ -L "$TGA/tA" ] || fail "tA not in tgA after -config"
"$SA" -write_config "$W/b.conf" >"$W/sa.out" 2>&1 || fail "scstadmin -write_config (2)"
if ! diff -u "$W/a.conf" "$W/b.conf" >&2; then fail "-write_config after -config differs"; fi
"$SA" -config "$W/a.conf" -noprompt >"$W/sa.out" 2>&1 || fail "scstadmin -config (2)"
grep -q "nothing to change" "$W/sa.out" || fail "re-applying: $(cat "$W/sa.out")"
tur_until_good "$sgA" >/dev/null

step "Linux scsi_dh_alua (soft check)"
if modprobe -q scsi_dh_alua 2>/dev/null; then
	mark=$(dmesg_mark)
	scst_add_session tA sA2
	wait_lun_disk tA sA2 0 >/dev/null
	if dmesg_has "$mark" "alua: .*port group 0*a state"; then
		info "scsi_dh_alua attached: $(dmesg_since "$mark" | grep -m1 'port group')"
	else
		soft_fail "scsi_dh_alua did not report the port group: $(dmesg_since "$mark" | grep -i alua | head -3)"
	fi
else
	info "scsi_dh_alua not available; skipped"
fi

step "teardown: dg1 deleted, dg2 left for the module unload"
smgmt "$DG/mgmt" "del dg1"
mark=$(dmesg_mark)
scst_teardown
if dmesg_has "$mark" "BUG:|WARNING:|kmemleak|refcount"; then
	dmesg_since "$mark" >&2
	fail "kernel complained during teardown/unload"
fi
finish_test t-48-alua
