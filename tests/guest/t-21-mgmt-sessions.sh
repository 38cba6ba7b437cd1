#!/bin/bash
# Management changes while sessions exist: initiator groups and patterns
# move sessions between LUN sets, LUN add/del/replace reach the running
# sessions, busy groups and exported devices cannot be deleted, and
# force_close ends a session.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
H=$S/handlers/vdisk_nullio
T=$D/t
G=$T/ini_groups/g


sess_host() {
	local h
	h=$(basename "$(readlink -f "$T/sessions/$1/host")")
	[[ $h =~ ^host[0-9]+$ ]] || fail "no SCSI host for session $1"
	echo "${h#host}"
}

# shellcheck disable=SC2317  # called through wait_for
no_sdev() {
	[ ! -e "/sys/bus/scsi/devices/$1:0:0:$2" ]
}

# shellcheck disable=SC2317
gone() {
	[ ! -e "$1" ]
}

# luns_of SESSION: the LUN directory the session's "luns" link points to
luns_of() {
	readlink -f "$T/sessions/$1/luns"
}

# blocks DISK: capacity in blocks, retried past unit attentions
blocks() {
	local i out
	for i in 1 2 3 4 5 6; do
		out=$(sg_readcap "$1" 2>/dev/null) &&
			{ sed -n 's/.*Number of logical blocks=\([0-9]*\).*/\1/p' <<<"$out"; return 0; }
		sleep 0.2
	done
	return 1
}

info "load, two devices, target t with LUN 0, sessions hA and hB"
LOCAL_PARAMS="add_default_tgt=0" load_scst
check mgmt "$H/mgmt" "add_device nd0 size_mb=16"
check mgmt "$H/mgmt" "add_device nd1 size_mb=8"
check mgmt "$D/mgmt" "add_target t"
check mgmt "$T/luns/mgmt" "add nd0 0"
check mgmt "$D/mgmt" "add_session t hA"
check mgmt "$D/mgmt" "add_session t hB"
ha=$(sess_host hA)
hb=$(sess_host hB)
da=$(wait_disk "$ha" 0)
db=$(wait_disk "$hb" 0)
check_eq "$(cat "$T/sessions/hA/initiator_name")" hA "initiator_name"
check_eq "$(luns_of hA)" "$(readlink -f "$T/luns")" "luns link of hA"
grep -Eq '^[0-9]+$' "$T/sessions/hA/commands" || fail "commands not a number"
grep -Eq '^[0-9]+$' "$T/sessions/hA/active_commands" || fail "active_commands"
check_eq "$(blocks "$da")" 32768 "capacity of LUN 0 of hA"

info "group g: LUN 0 = nd1, LUN 5 = nd0; hA joins it"
check mgmt "$T/ini_groups/mgmt" "create g"
check mgmt "$G/luns/mgmt" "add nd1 0"

info "io_grouping_type, cpu_mask, black_hole: per target and per group"
for o in "$T" "$G"; do
	check_eq "$(head -n1 "$o/io_grouping_type")" auto "$o io_grouping_type default"
	check_eq "$(cat "$o/black_hole")" 0 "$o black_hole default"
done
check mgmt "$G/io_grouping_type" "this_group_only"
check mgmt "$G/black_hole" 2
check mgmt "$T/io_grouping_type" 3
check_eq "$(cat "$G/io_grouping_type")" "this_group_only
[key]" "group io_grouping_type"
check_eq "$(cat "$G/black_hole")" "2
[key]" "group black_hole"
check_eq "$(head -n1 "$T/io_grouping_type")" 3 "target io_grouping_type"
check_eq "$(cat "$T/black_hole")" 0 "target black_hole untouched by the group's"
check mgmt "$G/cpu_mask" 1
check_eq "$(head -n1 "$G/cpu_mask" | tr -d ' ,' | sed 's/^0*//')" 1 "group cpu_mask"
[ "$(head -n1 "$T/cpu_mask")" != "$(head -n1 "$G/cpu_mask")" ] ||
	fail "target cpu_mask changed with the group's"
check mgmt "$G/black_hole" 0
check mgmt "$G/io_grouping_type" auto
check mgmt "$T/io_grouping_type" auto
check mgmt "$G/luns/mgmt" "add nd0 5 read_only=1"
check mgmt "$G/initiators/mgmt" "add hA"
check_eq "$(luns_of hA)" "$(readlink -f "$G/luns")" "luns link of hA in g"
check_eq "$(luns_of hB)" "$(readlink -f "$T/luns")" "luns link of hB"
wait_disk "$ha" 5 >/dev/null
check_eq "$(blocks "$da")" 16384 "LUN 0 of hA is nd1 now"
check_eq "$(blocks "$db")" 32768 "LUN 0 of hB is still nd0"
no_sdev "$hb" 5 || fail "hB sees LUN 5"
must_fail_busy() {
	local err
	if err=$( { echo "$2" >"$1"; } 2>&1 ); then
		fail "accepted: echo '$2' >$1"
	fi
	[[ $err == *"$EBUSY"* ]] || fail "echo '$2' >$1: '$err', expected EBUSY"
}
must_fail_busy "$T/ini_groups/mgmt" "del g"
must_fail_busy "$H/mgmt" "del_device nd1"

info "patterns: h* takes both, !hB excludes hB again"
check mgmt "$G/initiators/mgmt" "del hA"
wait_for 30 no_sdev "$ha" 5 || fail "LUN 5 still visible to hA"
check_eq "$(luns_of hA)" "$(readlink -f "$T/luns")" "hA back in default"
check mgmt "$G/initiators/mgmt" "add h*"
check_eq "$(luns_of hA)" "$(readlink -f "$G/luns")" "hA matched by h*"
check_eq "$(luns_of hB)" "$(readlink -f "$G/luns")" "hB matched by h*"
check mgmt "$G/initiators/mgmt" "add !hB"
check_eq "$(luns_of hA)" "$(readlink -f "$G/luns")" "hA still in g"
check_eq "$(luns_of hB)" "$(readlink -f "$T/luns")" "hB excluded by !hB"
check mgmt "$T/ini_groups/mgmt" "create g2"
check mgmt "$G/initiators/mgmt" "del !hB"
check mgmt "$G/initiators/mgmt" "move h* g2"
check_eq "$(luns_of hA)" "$(readlink -f "$T/ini_groups/g2/luns")" "hA moved to g2"
check_eq "$(luns_of hB)" "$(readlink -f "$T/ini_groups/g2/luns")" "hB moved to g2"
check mgmt "$T/ini_groups/g2/initiators/mgmt" "clear"
check mgmt "$G/initiators/mgmt" "clear"
check_eq "$(luns_of hA)" "$(readlink -f "$T/luns")" "hA in default after clear"
check mgmt "$T/ini_groups/mgmt" "del g2"
check mgmt "$T/ini_groups/mgmt" "del g"
check_eq "$(ls "$S/devices/nd1/exported" | wc -l)" 0 "exports of nd1"

info "replace LUN 0 by nd1 for both sessions, then back without UA"
check mgmt "$T/luns/mgmt" "replace nd1 0"
check_eq "$(basename "$(readlink -f "$T/luns/0/device")")" nd1 "device of LUN 0"
[ -L "$S/devices/nd1/exported/export1" ] || ls -l "$S/devices/nd1/exported"
check_eq "$(ls "$S/devices/nd0/exported" | wc -l)" 0 "exports of nd0"
check_eq "$(blocks "$da")" 16384 "hA LUN 0 after replace"
check_eq "$(blocks "$db")" 16384 "hB LUN 0 after replace"
check mgmt "$T/luns/mgmt" "replace_no_ua nd0 0 read_only=1"
check_eq "$(cat "$T/luns/0/read_only" | head -n1)" 1 "read_only after replace"
check_eq "$(blocks "$db")" 32768 "hB LUN 0 after replace_no_ua"

info "LUN deletion reaches the sessions"
check mgmt "$T/luns/mgmt" "del 0"
wait_for 30 no_sdev "$ha" 0 || fail "hA still has LUN 0"
wait_for 30 no_sdev "$hb" 0 || fail "hB still has LUN 0"
check mgmt "$T/luns/mgmt" "add nd1 2"
wait_disk "$hb" 2 >/dev/null

info "force_close hB"
check mgmt "$T/sessions/hB/force_close" 1
wait_for 30 gone "$T/sessions/hB" || fail "session hB still exists"
wait_for 30 gone "/sys/class/scsi_host/host$hb" || fail "host$hb still exists"
check_eq "$(cat "$S/last_sysfs_mgmt_res")" 0 "last_sysfs_mgmt_res"

info "teardown"
check mgmt "$T/luns/mgmt" "clear"
check mgmt "$D/mgmt" "del_target t"
check mgmt "$H/mgmt" "del_device nd0"
check mgmt "$H/mgmt" "del_device nd1"
unload_scst
info "t-21-mgmt-sessions done"
exit 0
