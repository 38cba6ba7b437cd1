#!/bin/bash
# Attribute writes that may block run as sysfs work (scst-interfaces.md
# 2.7): with the wait limit lowered to 2 s (scst.ko sysfs_wait_sec, a test
# knob), "block 1", "suspend", vdisk "active 0" and device "threads_num" /
# "threads_pool_type" waiting for a READ that dm-delay holds for 20 s fail
# with EAGAIN, last_sysfs_mgmt_res fails with
# EAGAIN while the work is pending and reports 0 afterwards, and mgmt
# commands queued behind them wait their turn.  The moved attributes still
# work (values, [key], errors of the work itself), bad values fail at once
# with EINVAL, a kernel message and no change, scstadmin applies a config
# that sets them.  Per-handler and per-driver trace_level masks gate the
# handler's and the driver's own messages.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
T=$D/t
NH=$S/handlers/vdisk_nullio
BH=$S/handlers/vdisk_blockio
DV=$S/devices/bd
NV=$S/devices/nd0
EAGAIN="Resource temporarily unavailable"
SECTORS=65536	# 32 MiB

# dm_node NAME: /dev node of a device-mapper device (no udev in the guest)
dm_node() {
	local d
	for d in /sys/block/dm-*; do
		if [ "$(cat "$d/dm/name" 2>/dev/null)" = "$1" ]; then
			echo "/dev/${d##*/}"
			return 0
		fi
	done
	return 1
}

# set_delay MS: every I/O of the blockio backing device takes MS ms
set_delay() {
	check dmsetup suspend s4a
	check dmsetup load s4a --table "0 $SECTORS delay $ZDEV 0 $1"
	check dmsetup resume s4a
}

# shellcheck disable=SC2317  # called through wait_for
last_res_ready() {
	cat "$S/last_sysfs_mgmt_res" >/dev/null 2>&1
}

# pending_eagain: last_sysfs_mgmt_res must fail with EAGAIN now
pending_eagain() {
	local r
	if r=$(cat "$S/last_sysfs_mgmt_res" 2>&1); then
		fail "last_sysfs_mgmt_res readable while work is pending: $r"
	fi
	[[ $r == *"$EAGAIN"* ]] ||
		fail "last_sysfs_mgmt_res while pending: '$r', expected EAGAIN"
}

# finished_ok: the pending work ends within 30 s with result 0
finished_ok() {
	wait_for 30 last_res_ready || fail "work still pending after 30 s"
	check_eq "$(cat "$S/last_sysfs_mgmt_res")" 0 "last_sysfs_mgmt_res"
}

# slow_read SKIP: start a 4k direct READ of the blockio LUN in the
# background (BG) and wait until the target executes it
slow_read() {
	timeout 60 dd if="$db" of=/dev/null bs=4k count=1 skip="$1" \
		iflag=direct status=none &
	BG=$!
	wait_for 15 in_flight ||
		fail "READ not in flight: $(cat "$T/sessions/hA/active_commands")"
}

# shellcheck disable=SC2317  # called through wait_for
in_flight() {
	[ "$(cat "$T/sessions/hA/active_commands")" -ge 1 ]
}

# eagain_write PATH VALUE: the write fails with EAGAIN after the 2 s limit
eagain_write() {
	local t0=$SECONDS
	must_fail "$1" "$EAGAIN" "$2"
	[ $((SECONDS - t0)) -ge 1 ] || fail "$1: EAGAIN before the wait limit"
	pending_eagain
}

# attr_snapshot: the values of every device attribute and of suspend, in
# one process (sysfs_snapshot forks per file: far too slow here)
attr_snapshot() {
	grep -r . "$S/devices" "$S/suspend" 2>/dev/null | sort
}

# kmsg_count ERE: kernel log lines matching ERE
kmsg_count() {
	dmesg | grep -Ec -- "$1" || true
}

# bad_write PATH VALUE ERE: EINVAL at once and a new kernel line matching ERE
bad_write() {
	local n0
	n0=$(kmsg_count "$3")
	must_fail "$1" "$EINVAL" "$2"
	[ "$(kmsg_count "$3")" -gt "$n0" ] ||
		fail "echo $2 >$1: no kernel message matching '$3'"
}

info "load with a 2 s sysfs wait limit; blockio bd on dm-delay, nullio nd0"
LOCAL_PARAMS="add_default_tgt=0" load_scst sysfs_wait_sec=2
check_eq "$(cat /sys/module/scst/parameters/sysfs_wait_sec)" 2 "sysfs_wait_sec"
check modprobe -q dm-mod
check modprobe -q dm-zero
check modprobe -q dm-delay
check dmsetup create --noudevsync z4a --table "0 $SECTORS zero"
ZDEV=$(dm_node z4a) || fail "no node for dm device z4a"
check dmsetup create --noudevsync s4a --table "0 $SECTORS delay $ZDEV 0 0"
SDEV=$(dm_node s4a) || fail "no node for dm device s4a"
check mgmt "$BH/mgmt" "add_device bd filename=$SDEV"
check mgmt "$NH/mgmt" "add_device nd0 size_mb=16"
check mgmt "$D/mgmt" "add_target t"
check mgmt "$T/luns/mgmt" "add nd0 0"
check mgmt "$T/luns/mgmt" "add bd 1"
check mgmt "$D/mgmt" "add_session t hA"
ha=$(local_host t hA)
dn=$(wait_disk "$ha" 0)
db=$(wait_disk "$ha" 1)
udev_settle

info "block 1 waits for a READ held 20 s: EAGAIN, queued mgmt waits too"
set_delay 20000
slow_read 100
eagain_write "$DV/block" 1
# a management command is queued behind the block and times out as well
must_fail "$NH/mgmt" "$EAGAIN" "add_device nq size_mb=8"
[ -e "$S/devices/nq" ] && fail "nq added while the block work was pending"
pending_eagain
finished_ok
wait $BG || fail "the held READ failed"
check_eq "$(cat "$DV/block")" "1 0" "block after the work"
[ -d "$S/devices/nq" ] || fail "queued add_device nq did not run"
check mgmt "$DV/block" 0
check_eq "$(cat "$DV/block")" "0 0" "block after 0"
check mgmt "$NH/mgmt" "del_device nq"

info "suspend waits for the READ: EAGAIN, then suspended; -1 resumes"
slow_read 200
# suspend waits up to 60 s, longer than the READ takes
eagain_write "$S/suspend" 60
finished_ok
wait $BG || fail "the held READ failed"
check_eq "$(cat "$S/suspend")" 1 "suspend count"
check mgmt "$S/suspend" -1
check_eq "$(cat "$S/suspend")" 0 "suspend count after -1"

info "vdisk active 0 waits for the READ's I/O: EAGAIN, then inactive"
slow_read 300
eagain_write "$DV/active" 0
finished_ok
wait $BG || fail "the READ in flight during active 0 failed"
check_eq "$(cat "$DV/active")" "0
[key]" "active after 0"
set_delay 0
check mgmt "$DV/active" 1
check_eq "$(cat "$DV/active")" 1 "active after 1"
check dd if="$db" of=/dev/null bs=4k count=4 iflag=direct status=none

# lun1_comms: the command names of the threads of bd's LUN in session hA
lun1_comms() {
	local p
	# shellcheck disable=SC2013  # one line of pids
	for p in $(cat "$T/sessions/hA/lun1/thread_pid"); do
		cat "/proc/$p/comm" || fail "thread $p of lun1 is not running"
	done
}

# shellcheck disable=SC2317  # called through wait_for
pids_gone() {
	local p
	for p in "$@"; do
		[ -e "/proc/$p" ] && return 1
	done
	return 0
}

# alive PID...: every PID is a running process
alive() {
	local p
	for p in "$@"; do
		[ -e "/proc/$p" ] || fail "thread $p ended too early"
	done
}

info "threads_num / threads_pool_type of an exported device"
check_eq "$(cat "$T/sessions/hA/lun1/thread_index")" -1 "bd thread_index"
glob=$(cat "$T/sessions/hA/lun1/thread_pid")
# from the global pool nothing waits: done at once
check mgmt "$DV/threads_num" 3
check_eq "$(cat "$DV/threads_num")" "3
[key]" "threads_num after 3"
# per_initiator: an I/O group of 3 threads named bd<group>_<n>
grp=$(cat "$T/sessions/hA/lun1/thread_index")
[ "$grp" -ge 1 ] || fail "thread_index $grp with threads_num 3"
check_eq "$(lun1_comms | sort | tr '\n' ' ')" "bd${grp}_0 bd${grp}_1 bd${grp}_2 " \
	"lun1 threads after threads_num 3"
g3=$(cat "$T/sessions/hA/lun1/thread_pid")
[ "$g3" != "$glob" ] || fail "lun1 still runs on the global threads"
check dd if="$db" of=/dev/null bs=4k count=4 skip=8 iflag=direct status=none

info "threads_pool_type shared waits for a READ on the group threads"
set_delay 20000
slow_read 400
eagain_write "$DV/threads_pool_type" shared
# new commands go to the new pool at once, the old one serves the READ
check_eq "$(cat "$T/sessions/hA/lun1/thread_index")" 0 "thread_index while pending"
# shellcheck disable=SC2086
alive $g3
finished_ok
wait $BG || fail "the READ in flight during threads_pool_type shared failed"
check_eq "$(cat "$DV/threads_pool_type")" "shared
[key]" "threads_pool_type after shared"
check_eq "$(lun1_comms | sort | tr '\n' ' ')" "bd_0 bd_1 bd_2 " \
	"lun1 threads after shared"
# shellcheck disable=SC2086
wait_for 10 pids_gone $g3 || fail "group threads $g3 still running"
sh3=$(cat "$T/sessions/hA/lun1/thread_pid")

info "threads_num 2 waits for a READ on the shared threads"
slow_read 500
eagain_write "$DV/threads_num" 2
# shellcheck disable=SC2086
alive $sh3
finished_ok
wait $BG || fail "the READ in flight during threads_num 2 failed"
check_eq "$(head -n1 "$DV/threads_num")" 2 "threads_num after 2"
check_eq "$(lun1_comms | sort | tr '\n' ' ')" "bd_0 bd_1 " \
	"lun1 threads after threads_num 2"
# shellcheck disable=SC2086
wait_for 10 pids_gone $sh3 || fail "shared threads $sh3 still running"
set_delay 0
check dd if="$db" of=/dev/null bs=4k count=4 skip=16 iflag=direct status=none
check mgmt "$DV/threads_num" 0
check_eq "$(cat "$DV/threads_num")" 0 "threads_num after 0"
check_eq "$(cat "$T/sessions/hA/lun1/thread_index")" -1 "thread_index after 0"
for c in $(lun1_comms); do
	[[ $c == scstd* ]] || fail "lun1 thread $c is not a global one"
done
check mgmt "$DV/threads_pool_type" per_initiator
check_eq "$(cat "$DV/threads_pool_type")" per_initiator "threads_pool_type back"
check dd if="$db" of=/dev/null bs=4k count=4 iflag=direct status=none

info "sync, resync_size and nullio size through the work thread"
check mgmt "$DV/sync" 1
check_eq "$(head -n1 "$DV/size")" $((SECTORS * 512)) "bd size"
# grow the zero device first: the delay table must fit on it
check dmsetup load z4a --table "0 $((SECTORS * 2)) zero"
check dmsetup resume z4a
check dmsetup suspend s4a
check dmsetup load s4a --table "0 $((SECTORS * 2)) delay $ZDEV 0 0"
check dmsetup resume s4a
check mgmt "$DV/resync_size" 1
check_eq "$(head -n1 "$DV/size")" $((SECTORS * 1024)) "bd size after resync"
check mgmt "$NV/size_mb" 32
check_eq "$(cat "$NV/size_mb")" "32
[key]" "nd0 size_mb"
check_eq "$(head -n1 "$NV/size")" 33554432 "nd0 size"
check mgmt "$NV/size" 16777216
check_eq "$(head -n1 "$NV/size_mb")" 16 "nd0 size_mb after size"
# errors of the work itself reach the writer
check mgmt "$DV/active" 0
n0=$(kmsg_count 'vdisk: bd: not active')
must_fail "$DV/sync" "$EBUSY" 1
must_fail "$DV/resync_size" "$EBUSY" 1
[ "$(kmsg_count 'vdisk: bd: not active')" -ge $((n0 + 2)) ] ||
	fail "no 'not active' kernel messages"
check_eq "$(cat "$S/last_sysfs_mgmt_res")" -16 "last result after EBUSY"
check mgmt "$DV/active" 1

info "bad values: EINVAL at once, a kernel message, nothing changed"
before=$(attr_snapshot)
bad_write "$DV/active" 2 'bd: invalid active value'
bad_write "$NV/size_mb" abc 'nd0: invalid size'
bad_write "$NV/size" -1 'nd0: invalid size'
bad_write "$DV/block" 2 'block: write 1'
bad_write "$S/suspend" x 'suspend: write seconds'
bad_write "$DV/threads_num" -1 'threads_num must be 0..1024'
bad_write "$DV/threads_num" 1025 'threads_num must be 0..1024'
bad_write "$DV/threads_pool_type" private 'threads_pool_type must be'
check_eq "$(cat "$S/last_sysfs_mgmt_res")" 0 "last result after EINVAL"
after=$(attr_snapshot)
[ "$after" = "$before" ] ||
	fail "tree changed by rejected writes: $(diff <(echo "$before") <(echo "$after") | head -20)"

info "handler trace_level: scsi on vdisk_nullio logs its commands only"
nl() { kmsg_count 'vdisk: nd0: vdisk_nullio cdb 28'; }
bl() { kmsg_count 'vdisk: bd: vdisk_blockio cdb 28'; }
check mgmt "$S/trace_level" "add scsi"
n0=$(nl)
b0=$(bl)
check dd if="$dn" of=/dev/null bs=4k count=4 iflag=direct status=none
check dd if="$db" of=/dev/null bs=4k count=4 iflag=direct status=none
check_eq "$(nl)" "$n0" "nullio lines with only the root mask"
check mgmt "$S/trace_level" "default"
check mgmt "$NH/trace_level" "add scsi"
check dd if="$dn" of=/dev/null bs=4k count=4 iflag=direct status=none
check dd if="$db" of=/dev/null bs=4k count=4 iflag=direct status=none
[ "$(nl)" -ge $((n0 + 4)) ] || fail "handler scsi: $(($(nl) - n0)) nullio lines"
check_eq "$(bl)" "$b0" "blockio lines with scsi on vdisk_nullio only"
check mgmt "$NH/trace_level" "default"
n1=$(nl)
check dd if="$dn" of=/dev/null bs=4k count=4 iflag=direct status=none
check_eq "$(nl)" "$n1" "nullio lines after default"

info "driver trace_level: mgmt on scst_local logs its targets and sessions"
tl() { kmsg_count "scst_local: target $1 added"; }
check mgmt "$D/mgmt" "add_target t4a1"
check_eq "$(tl t4a1)" 0 "target line with the default mask"
check mgmt "$D/trace_level" "add mgmt"
check mgmt "$D/mgmt" "add_target t4a2"
check_eq "$(tl t4a2)" 1 "target line with mgmt on scst_local"
# the handler masks are separate
n0=$(kmsg_count 'vdisk: nq2: added')
check mgmt "$NH/mgmt" "add_device nq2 size_mb=8"
check_eq "$(kmsg_count 'vdisk: nq2: added')" "$n0" "vdisk mgmt line"
check mgmt "$NH/trace_level" "add mgmt"
check mgmt "$NH/mgmt" "del_device nq2"
[ "$(kmsg_count 'vdisk: nq2: deleted: 0')" -ge 1 ] ||
	fail "no vdisk mgmt line with mgmt on vdisk_nullio"
check mgmt "$NH/trace_level" "default"
check mgmt "$D/trace_level" "default"
check mgmt "$D/mgmt" "del_target t4a1"
check mgmt "$D/mgmt" "del_target t4a2"

info "delete the LUNs, devices and target"
check mgmt "$D/mgmt" "del_session t hA"
wait_for 30 host_gone "$ha" || fail "host$ha still exists"
check mgmt "$T/luns/mgmt" "clear"
check mgmt "$D/mgmt" "del_target t"
check mgmt "$NH/mgmt" "del_device nd0"
check mgmt "$BH/mgmt" "del_device bd"

info "scstadmin applies a config that sets the moved attributes"
# (on an otherwise empty tree: -config removes what the file lacks)
W=$(mktemp -d)
cat >"$W/a.conf" <<EOF
HANDLER vdisk_nullio {
	DEVICE n4a {
		size_mb 24
	}
}
EOF
check "$TOP/scstadmin/scstadmin" -config "$W/a.conf" -noprompt
check_eq "$(cat "$S/devices/n4a/size_mb")" "24
[key]" "n4a size_mb from the config"
sed -i 's/size_mb 24/size_mb 40/' "$W/a.conf"
check "$TOP/scstadmin/scstadmin" -config "$W/a.conf" -force -noprompt
check_eq "$(head -n1 "$S/devices/n4a/size_mb")" 40 "n4a size_mb after -force"
check mgmt "$NH/mgmt" "del_device n4a"

unload_scst
check dmsetup remove s4a
check dmsetup remove z4a
info "t-4b-async-attrs done"
exit 0
