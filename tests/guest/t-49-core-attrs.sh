#!/bin/bash
# Core attributes that must have an effect, not just be stored:
# per-session and per-target I/O counters (exact byte counts, unaligned,
# none and unknown commands, reset by writing 0, target totals surviving
# the session), measure_latency with the session latency/ files, sgv/
# statistics and force_global_sgv_pool, black_hole 2 and 1 (commands held
# until aborted, other targets unaffected, 0 restores), the session's
# lun<N>/ directories, trace_cmds,
# trace_mcmds, trace_level (root, handler and driver; scsi and debug_tm
# output in dmesg), and rejected values that leave the tree unchanged.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
H=$S/handlers/vdisk_nullio
T=$D/t
SA=$T/sessions/hA
T2=$D/t2

CNT="read_cmd_count read_io_count_kb read_unaligned_cmd_count
write_cmd_count write_io_count_kb write_unaligned_cmd_count
bidi_cmd_count bidi_io_count_kb bidi_unaligned_cmd_count
none_cmd_count unknown_cmd_count"

# reset_all DIR: write 0 to every counter of DIR and check they read 0
reset_all() {
	local c
	for c in $CNT; do
		check mgmt "$1/$c" 0
		check_eq "$(cat "$1/$c")" 0 "$1/$c after reset"
	done
}

# lat FILE FIELD: one field (count, min_ns, avg_ns, max_ns) of a latency file
lat() {
	awk -v k="$2" '{ for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1) }' \
		"$SA/latency/$1"
}

# sgv_field POOL FIELD: one line of sgv/POOL/stats
sgv_field() {
	awk -v k="$2" '$1 == k { print $2 }' "$S/sgv/$1/stats"
}

# thread_ticks: user+system clock ticks of the command processing threads
# (the global scstd pool and nd0's own threads)
thread_ticks() {
	local d c t=0
	for d in /proc/[0-9]*; do
		c=$(cat "$d/comm" 2>/dev/null) || continue
		case $c in
		scstd* | nd0_*)
			t=$((t + $(awk '{ print $14 + $15 }' "$d/stat" 2>/dev/null || echo 0)))
			;;
		esac
	done
	echo $t
}

info "load, nullio device nd0 as LUN 0 of target t, session hA"
LOCAL_PARAMS="add_default_tgt=0" load_scst
check mgmt "$H/mgmt" "add_device nd0 size_mb=16"
check mgmt "$D/mgmt" "add_target t"
check mgmt "$T/luns/mgmt" "add nd0 0"
check mgmt "$D/mgmt" "add_session t hA"
ha=$(local_host t hA)
da=$(wait_disk "$ha" 0)
udev_settle

info "every counter exists on the session and the target"
for c in $CNT; do
	[ -f "$SA/$c" ] || fail "no session counter $c"
	[ -f "$T/$c" ] || fail "no target counter $c"
done
# the SCSI scan already read from the disk
[ "$(cat "$SA/read_cmd_count")" -gt 0 ] || fail "scan reads not counted"

info "counters match dd byte counts exactly"
reset_all "$SA"
reset_all "$T"
check dd if="$da" of=/dev/null bs=64k count=10 iflag=direct status=none
check dd if=/dev/zero of="$da" bs=4k count=5 oflag=direct status=none
check_eq "$(cat "$SA/read_io_count_kb")" 640 "session read_io_count_kb"
check_eq "$(cat "$SA/write_io_count_kb")" 20 "session write_io_count_kb"
[ "$(cat "$SA/read_cmd_count")" -ge 10 ] || fail "read_cmd_count < 10"
[ "$(cat "$SA/write_cmd_count")" -ge 5 ] || fail "write_cmd_count < 5"
check_eq "$(cat "$SA/write_unaligned_cmd_count")" 0 "4k writes unaligned"
check_eq "$(cat "$SA/read_unaligned_cmd_count")" 0 "64k reads unaligned"
check_eq "$(cat "$T/read_io_count_kb")" 640 "target read_io_count_kb"
check_eq "$(cat "$T/write_io_count_kb")" 20 "target write_io_count_kb"
check_eq "$(cat "$T/read_cmd_count")" "$(cat "$SA/read_cmd_count")" \
	"target read_cmd_count"

info "unaligned, none and unknown commands"
check dd if=/dev/zero of="$da" bs=512 seek=1 count=1 oflag=direct status=none
check_eq "$(cat "$SA/write_unaligned_cmd_count")" 1 "512-byte write at 512"
check_eq "$(cat "$SA/write_io_count_kb")" 20 "KiB count of 20.5 KiB"
n0=$(cat "$SA/none_cmd_count")
check sg_turs -n 3 "$da"
check_eq "$(cat "$SA/none_cmd_count")" $((n0 + 3)) "none_cmd_count after 3 TURs"
u0=$(cat "$SA/unknown_cmd_count")
sg_raw -n "$da" c5 00 00 00 00 00 >/dev/null 2>&1
check_eq "$(cat "$SA/unknown_cmd_count")" $((u0 + 1)) "unknown_cmd_count"
check_eq "$(cat "$T/unknown_cmd_count")" $((u0 + 1)) "target unknown_cmd_count"

info "a session reset leaves other counters alone; a target reset clears both"
check mgmt "$SA/write_io_count_kb" 0
check_eq "$(cat "$SA/write_io_count_kb")" 0 "session write_io_count_kb reset"
check_eq "$(cat "$SA/read_io_count_kb")" 640 "session read_io_count_kb kept"
check mgmt "$T/read_io_count_kb" 0
check_eq "$(cat "$T/read_io_count_kb")" 0 "target read_io_count_kb reset"
check_eq "$(cat "$SA/read_io_count_kb")" 0 "session read_io_count_kb reset"

info "latency/: 44 files, counted only while measure_latency is 1"
check_eq "$(cat "$S/measure_latency")" 0 "measure_latency default"
check_eq "$(find "$SA/latency" -type f | wc -l)" 44 "latency files"
for f in n512 r4096 w524288 b65536; do
	[ -f "$SA/latency/$f" ] || fail "no latency/$f"
done
check dd if="$da" of=/dev/null bs=4k count=8 iflag=direct status=none
check_eq "$(lat r4096 count)" 0 "r4096 count with measure_latency 0"
check mgmt "$S/measure_latency" 1
check_eq "$(cat "$S/measure_latency")" "1
[key]" "measure_latency"
check dd if="$da" of=/dev/null bs=4k count=8 iflag=direct status=none
check dd if=/dev/zero of="$da" bs=64k count=2 oflag=direct status=none
check_eq "$(lat r4096 count)" 8 "r4096 count after 8 4k reads"
[ "$(lat r4096 avg_ns)" -gt 0 ] || fail "r4096 avg_ns is 0"
[ "$(lat r4096 max_ns)" -ge "$(lat r4096 min_ns)" ] || fail "r4096 max < min"
check_eq "$(lat w65536 count)" 2 "w65536 count after 2 64k writes"
check_eq "$(lat r8192 count)" 0 "r8192 count"
check mgmt "$SA/latency/r4096" 0
check_eq "$(lat r4096 count)" 0 "r4096 count after reset"
check_eq "$(lat w65536 count)" 2 "w65536 kept by the r4096 reset"
check mgmt "$S/measure_latency" 0
check dd if="$da" of=/dev/null bs=4k count=8 iflag=direct status=none
check_eq "$(lat r4096 count)" 0 "r4096 count after measure_latency 0"
# switching measurement on again starts from zero
check mgmt "$S/measure_latency" 1
check_eq "$(lat w65536 count)" 0 "w65536 after re-enabling"
check mgmt "$S/measure_latency" 0

check_eq "$(cat "$S/trace_cmds")" "" "trace_cmds while idle"

info "poll_us: processing threads spin for work before sleeping"
check_eq "$(cat "$S/poll_us")" 0 "poll_us default"
c0=$(thread_ticks)
check dd if="$da" of=/dev/null bs=4k count=4 iflag=direct status=none
sleep 1
c1=$(thread_ticks)
check mgmt "$S/poll_us" 500000
check dd if="$da" of=/dev/null bs=4k count=4 iflag=direct status=none
sleep 1
c2=$(thread_ticks)
check mgmt "$S/poll_us" 0
info "thread CPU ticks: $((c1 - c0)) without polling, $((c2 - c1)) with 0.5 s"
[ $((c2 - c1)) -ge $((c1 - c0 + 20)) ] ||
	fail "poll_us 500000 did not make the threads spin ($c0 $c1 $c2)"

info "cluster_name: stored and shown with [key], cleared by an empty write"
check_eq "$(cat "$S/cluster_name" | tr '\n' ' ')" " " "cluster_name default"
check mgmt "$S/cluster_name" "  ha-pair.1 "
check_eq "$(cat "$S/cluster_name" | tr '\n' ' ')" "ha-pair.1 [key] " \
	"cluster_name after a write"
check mgmt "$S/cluster_name" ""
check_eq "$(cat "$S/cluster_name" | tr '\n' ' ')" " " "cluster_name cleared"
check mgmt "$S/cluster_name" "c$(printf 'x%.0s' $(seq 63))"
check_eq "$(head -n1 "$S/cluster_name" | wc -c)" 65 "64-character cluster_name"
check mgmt "$S/cluster_name" "ha-pair.1"

info "bad values are rejected and change nothing"
before=$(sysfs_snapshot)
must_fail "$S/cluster_name" "$EINVAL" "c$(printf 'x%.0s' $(seq 64))"
must_fail "$S/cluster_name" "$EINVAL" "two words"
must_fail "$S/cluster_name" "$EINVAL" $'tab\there'
must_fail "$SA/read_cmd_count" "$EINVAL" 5
must_fail "$T/write_io_count_kb" "$EINVAL" -1
must_fail "$T/none_cmd_count" "$EINVAL" abc
must_fail "$SA/latency/n512" "$EINVAL" 1
must_fail "$S/measure_latency" "$EINVAL" 2
must_fail "$S/force_global_sgv_pool" "$EINVAL" 2
must_fail "$S/poll_us" "$EINVAL" 1000001
must_fail "$T/black_hole" "$EINVAL" 5
must_fail "$T/black_hole" "$EINVAL" -1
after=$(sysfs_snapshot)
[ "$after" = "$before" ] ||
	fail "tree changed by rejected writes: $(diff <(echo "$before") <(echo "$after") | head -20)"

info "trace_level: round trip, bad values rejected, per handler and driver"
DEF="out_of_mem | minor | pid | line | function | special"
for f in "$S/trace_level" "$H/trace_level" "$D/trace_level"; do
	check_eq "$(head -n1 "$f")" "$DEF" "$f default"
	grep -q '^Usage:' "$f" || fail "$f: no usage text"
	check mgmt "$f" "add mgmt"
	check_eq "$(head -n1 "$f")" "$DEF | mgmt" "$f after add mgmt"
	check mgmt "$f" "del pid"
	check_eq "$(head -n1 "$f")" \
		"out_of_mem | minor | line | function | special | mgmt" \
		"$f after del pid"
	check mgmt "$f" "none"
	check_eq "$(head -n1 "$f")" "none" "$f after none"
	check mgmt "$f" "value 0x1800"
	check_eq "$(head -n1 "$f")" "scsi | mgmt" "$f after value 0x1800"
	check mgmt "$f" "all"
	head -n1 "$f" | grep -q 'mgmt_dbg | flow_control .*debug_tm$' ||
		fail "$f after all: $(head -n1 "$f")"
	check mgmt "$f" "default"
	check_eq "$(head -n1 "$f")" "$DEF" "$f after default"
done
levels() { cat "$S/trace_level" "$H/trace_level" "$D/trace_level"; }
check mgmt "$H/trace_level" "add scsi"
before=$(levels)
for f in "$S/trace_level" "$H/trace_level" "$D/trace_level"; do
	must_fail "$f" "$EINVAL" add bogus
	must_fail "$f" "$EINVAL" del bogus
	must_fail "$f" "$EINVAL" add
	must_fail "$f" "$EINVAL" add scsi mgmt
	must_fail "$f" "$EINVAL" value 0x80000000
	must_fail "$f" "$EINVAL" value zz
	must_fail "$f" "$EINVAL" everything
	must_fail "$f" "$EINVAL" none now
done
check_eq "$(levels)" "$before" "trace_level after rejected writes"
check mgmt "$H/trace_level" "default"

info "trace_level scsi logs each command's CDB; none stops it"
cdb_lines() {
	dmesg | grep -c 'scst: hA lun 0 tag [0-9]* cdb 28[0-9a-f]* status 0x00' || true
}
n0=$(cdb_lines)
check mgmt "$S/trace_level" "add scsi"
check dd if="$da" of=/dev/null bs=4k count=4 iflag=direct status=none
n1=$(cdb_lines)
[ $((n1 - n0)) -ge 4 ] || fail "trace_level scsi: $((n1 - n0)) READ lines in dmesg"
check mgmt "$S/trace_level" "none"
check dd if="$da" of=/dev/null bs=4k count=4 iflag=direct status=none
check_eq "$(cdb_lines)" "$n1" "READ lines in dmesg after trace_level none"
check mgmt "$S/trace_level" "default"

info "trace_mcmds: empty while idle; debug_tm logs a LUN reset"
check_eq "$(cat "$S/trace_mcmds")" "" "trace_mcmds while idle"
check mgmt "$S/trace_level" "add debug_tm"
tm0=$(dmesg | grep -c 'scst: TMF fn [0-9]* sess hA .* done' || true)
check sg_reset -d "$da"
tm1=$(dmesg | grep -c 'scst: TMF fn [0-9]* sess hA .* done' || true)
[ "$tm1" -gt "$tm0" ] || fail "debug_tm: no TMF line in dmesg for a LUN reset"
check mgmt "$S/trace_level" "default"
check_eq "$(cat "$S/trace_mcmds")" "" "trace_mcmds after the reset"
check dd if="$da" of=/dev/null bs=4k count=4 iflag=direct status=none

info "sessions/<sess>/lun<N>/: one per LUN of the session, gone with it"
L0=$SA/lun0
[ -d "$L0" ] || fail "no $L0"
check_eq "$(cat "$L0/active_commands")" 0 "lun0 active_commands while idle"
pids=$(cat "$L0/thread_pid")
[ -n "$pids" ] || fail "lun0 thread_pid is empty"
for p in $pids; do
	case $(cat "/proc/$p/comm" 2>/dev/null) in
	scstd* | nd0_*) ;;
	*) fail "thread_pid $p is not a live processing thread" ;;
	esac
done
case $(cat "$L0/thread_index") in
-1 | 0) ;;
*) fail "thread_index '$(cat "$L0/thread_index")'" ;;
esac
check mgmt "$H/mgmt" "add_device nd2 size_mb=8"
check mgmt "$T/luns/mgmt" "add nd2 5"
[ -d "$SA/lun5" ] || fail "no lun5/ after LUN add: $(ls "$SA")"
# The guest's SCSI layer scans the new LUN on its own; its INQUIRYs may be
# in flight right now, so the counter must drain to 0 rather than be 0.
wait_for 30 grep -qx 0 "$SA/lun5/active_commands" ||
	fail "lun5 active_commands stays at $(cat "$SA/lun5/active_commands")"
check mgmt "$T/luns/mgmt" "del 5"
[ ! -e "$SA/lun5" ] || fail "lun5/ still there after LUN del"
[ -d "$L0" ] || fail "lun0/ vanished with LUN 5"
check mgmt "$H/mgmt" "del_device nd2"

info "sgv/: pool statistics; force_global_sgv_pool selects the shared pool"
[ -f "$S/sgv/global_stats" ] || fail "no sgv/global_stats"
[ -f "$S/sgv/sgv/stats" ] || fail "no sgv/sgv/stats"
[ -f "$S/sgv/sgv-cpu0/stats" ] || fail "no sgv/sgv-cpu0/stats"
grep -q '^pool per-cpu$' "$S/sgv/global_stats" || fail "default pool mode"
g0=$(sgv_field sgv hits)
check dd if="$da" of=/dev/null bs=64k count=20 iflag=direct status=none
check_eq "$(sgv_field sgv hits)" "$g0" "shared pool hits while per-CPU"
check mgmt "$S/force_global_sgv_pool" 1
grep -q '^pool sgv$' "$S/sgv/global_stats" || fail "pool mode after 1"
check dd if="$da" of=/dev/null bs=64k count=20 iflag=direct status=none
g1=$(sgv_field sgv hits)
[ "$g1" -ge $((g0 + 10)) ] || fail "shared pool hits $g0 -> $g1 after 20 reads"
check mgmt "$S/force_global_sgv_pool" 0
check dd if="$da" of=/dev/null bs=64k count=20 iflag=direct status=none
check_eq "$(sgv_field sgv hits)" "$g1" "shared pool hits after 0"

info "black_hole 2: data commands swallowed until aborted, TUR answered"
check mgmt "$H/mgmt" "add_device nd1 size_mb=8"
check mgmt "$D/mgmt" "add_target t2"
check mgmt "$T2/luns/mgmt" "add nd1 0"
check mgmt "$D/mgmt" "add_session t2 hB"
hb=$(local_host t2 hB)
db=$(wait_disk "$hb" 0)
[ -d "$T2/sessions/hB/lun0" ] || fail "no lun0/ in session hB"
check mgmt "$T/black_hole" 2
check_eq "$(head -n1 "$T/black_hole")" 2 "black_hole"
check sg_turs "$da"
t0=$SECONDS
if timeout 120 sg_raw -t 5 -r 4096 "$da" 28 00 00 00 00 00 00 00 08 00 \
	>/dev/null 2>&1; then
	fail "READ answered under black_hole 2"
fi
[ $((SECONDS - t0)) -ge 4 ] || fail "READ failed before its timeout"
# another target is not affected
check dd if="$db" of=/dev/null bs=64k count=4 iflag=direct status=none
check mgmt "$T/black_hole" 0
check timeout 60 dd if="$da" of=/dev/null bs=4k count=4 iflag=direct status=none

info "black_hole 1 on t2: a READ hangs; after 0, the abort and retry succeed"
echo 10 >"/sys/block/${db#/dev/}/device/timeout"
check mgmt "$T2/black_hole" 1
timeout 150 dd if="$db" of=/dev/null bs=4k count=1 skip=7 iflag=direct \
	status=none &
bg=$!
sleep 3
kill -0 $bg 2>/dev/null || fail "READ through black_hole 1 finished"
[ "$(cat "$T2/sessions/hB/active_commands")" -ge 1 ] ||
	fail "no command held by black_hole 1"
grep -q '^scst_local/t2/hB tag [0-9]* lun 0 op 0x28 ' "$S/trace_cmds" ||
	fail "held READ not in trace_cmds: $(cat "$S/trace_cmds")"
# target t still works meanwhile
check timeout 60 dd if="$da" of=/dev/null bs=4k count=4 iflag=direct status=none
check mgmt "$T2/black_hole" 0
wait $bg || fail "READ did not succeed after black_hole 0 (rc $?)"
wait_for 10 grep -qx 0 "$T2/sessions/hB/active_commands" ||
	fail "t2 active_commands stays at $(cat "$T2/sessions/hB/active_commands")"
check mgmt "$D/mgmt" "del_session t2 hB"
wait_for 30 test ! -e "$T2/sessions/hB/lun0" ||
	fail "hB/lun0 outlived its session"
wait_for 30 host_gone "$hb" || fail "host$hb still exists"
check mgmt "$T2/luns/mgmt" "clear"
check mgmt "$D/mgmt" "del_target t2"
check mgmt "$H/mgmt" "del_device nd1"

info "target counters keep what a closed session counted"
reset_all "$T"
check dd if="$da" of=/dev/null bs=16k count=4 iflag=direct status=none
check_eq "$(cat "$T/read_io_count_kb")" 64 "target before del_session"
check mgmt "$D/mgmt" "del_session t hA"
wait_for 30 host_gone "$ha" || fail "host$ha still exists"
check_eq "$(cat "$T/read_io_count_kb")" 64 "target after del_session"

info "teardown"
check mgmt "$T/luns/mgmt" "clear"
check mgmt "$D/mgmt" "del_target t"
check mgmt "$H/mgmt" "del_device nd0"
unload_scst
info "t-49-core-attrs done"
exit 0
