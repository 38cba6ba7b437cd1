#!/bin/bash
# In-guest half of "make bench" (tests/bench/run-bench.sh boots a
# single-CPU icount guest with tests/guest/run-guest.sh and runs this).
#
# Three iSCSI target stacks are set up side by side, each exporting a
# NULLIO LUN and a FILEIO LUN, and reached by the same kernel initiator
# (open-iscsi over 127.0.0.1):
#   ours  scst + scst_vdisk + iscsi-scst + iscsi-scstd   port 3260
#         vdisk_nullio / vdisk_fileio
#   lio   target_core_mod + iscsi_target_mod (configfs)  port 3261
#         rd_mcp with rd_nullio=1 / fileio with fd_buffered_io=1
#   tgt   tgtd (user space)                               port 3262
#         bs-type null / bs-type rdwr
# The FILEIO LUN of every stack is the same file on a tmpfs (filled once,
# so that no stack reads holes), all LUNs have 512-byte blocks, the page
# cache is used by all three (buffered file I/O, write-back), and every
# target is told the same negotiation limits (FAIR_PARAMS); what was
# actually negotiated is saved per stack.  fio's range is the same for all
# stacks (tgt's null LUN is 1 TiB, the others NULL_MB).
#
# For ROUNDS rounds, for each stack in turn (ours, lio, tgt, ours, ...):
# for each backend and workload one time-based fio run (RAMP s warm-up,
# then RUNTIME s).  fio's JSON goes to /results/bench/fio/; the host side
# (bench-report.py) builds the table.  A stack that fails to come up or a
# failing fio run is recorded in /results/bench/errors.txt and skipped, so
# that the other stacks are still measured.
#
# Environment (GUEST_ENV): BENCH_STACKS ("ours lio tgt"), BENCH_ROUNDS (3),
# BENCH_RUNTIME (5), BENCH_RAMP (1), BENCH_FILE_MB (256),
# BENCH_NULL_MB (1024), BENCH_WORKLOADS ("randread4k seqread128k
# seqwrite128k"), BENCH_BACKENDS ("nullio fileio").
# shellcheck disable=SC2317  # the up_/down_ functions are called as "up_$s"
set -uo pipefail
export ISCSI_IMPL=scst
# shellcheck source=tests/lib/iscsi-helpers.sh
. "$TOP/tests/lib/iscsi-helpers.sh"
set +e

STACKS=${BENCH_STACKS:-ours lio tgt}
ROUNDS=${BENCH_ROUNDS:-3}
RUNTIME=${BENCH_RUNTIME:-5}
RAMP=${BENCH_RAMP:-1}
FILE_MB=${BENCH_FILE_MB:-256}
NULL_MB=${BENCH_NULL_MB:-1024}
WORKLOADS=${BENCH_WORKLOADS:-randread4k seqread128k seqwrite128k}
BACKENDS=${BENCH_BACKENDS:-nullio fileio}

BW=/tmp/bench			# tmpfs with the shared backing file
IMG=$BW/disk.img
RES=/results/bench
IQN=iqn.2024-01.org.example.bench
declare -A PORT=([ours]=3260 [lio]=3261 [tgt]=3262)
# LUN numbers per stack and backend (tgt's LUN 0 is its controller)
declare -A LUN=([ours/nullio]=0 [ours/fileio]=1 [lio/nullio]=0 [lio/fileio]=1
	[tgt/nullio]=1 [tgt/fileio]=2)
declare -A DISK=()		# stack/backend -> /dev/sdX
declare -A UP=()		# stack -> 1 once set up and logged in
# The same limits for every target (RFC 7143 key names).
FAIR_PARAMS=(MaxRecvDataSegmentLength=262144 MaxXmitDataSegmentLength=262144
	MaxBurstLength=1048576 FirstBurstLength=65536 InitialR2T=No
	ImmediateData=Yes HeaderDigest=None DataDigest=None)
TGTD_PID=

mkdir -p "$RES/fio"
: >"$RES/errors.txt"

# err MSG: record a problem (the run goes on).
err() {
	echo "ERROR: $*" >&2
	echo "$*" >>"$RES/errors.txt"
}

# ---------------------------------------------------------------------------
# ours

up_ours() {
	local kv k v f
	[ -f "$ISCSI_KO" ] && [ -x "$ISCSI_DAEMON" ] || { err "ours: not built"; return 1; }
	( iscsi_target_load ) || { err "ours: cannot load the target"; return 1; }
	# iscsi_target_load ran in a subshell (it fails by exiting): redo the
	# bookkeeping the teardown needs and find the daemon.
	TLIB_DEVS=()
	ISCSI_DAEMON_PID=$(pgrep -x iscsi-scstd | head -n 1)
	ISCSI_DAEMON_NS=root
	trap _iscsi_on_exit EXIT
	scst_mgmt "$S/handlers/vdisk_nullio/mgmt" "add_device bn_ours size_mb=$NULL_MB" || return 1
	TLIB_DEVS+=(bn_ours)
	scst_mgmt "$S/handlers/vdisk_fileio/mgmt" "add_device bf_ours filename=$IMG" || return 1
	TLIB_DEVS+=(bf_ours)
	scst_mgmt "$ISYS/mgmt" "add_target $IQN:ours" || return 1
	ISCSI_TGTS+=("$IQN:ours")
	scst_mgmt "$ISYS/$IQN:ours/luns/mgmt" "add bn_ours 0" || return 1
	scst_mgmt "$ISYS/$IQN:ours/luns/mgmt" "add bf_ours 1" || return 1
	for kv in "${FAIR_PARAMS[@]}"; do
		k=${kv%%=*} v=${kv#*=}
		f=$ISYS/$IQN:ours/$k
		if [ -e "$f" ]; then
			scst_mgmt "$f" "$v" || err "ours: cannot set $k=$v"
		else
			echo "ours: no target attribute $k (left at its default)" >>"$RES/notes.txt"
		fi
	done
	if [ "$(first_line "$ISYS/enabled")" != 1 ]; then
		scst_mgmt "$ISYS/enabled" 1 || return 1
	fi
	scst_mgmt "$ISYS/$IQN:ours/enabled" 1
}

down_ours() {
	( iscsi_target_down ) || err "ours: teardown failed"
}

# ---------------------------------------------------------------------------
# LIO

up_lio() {
	local nd=$LIO/core/rd_mcp_7/bn_lio fd=$LIO/core/fileio_7/bf_lio tpg kv k v
	modprobe target_core_mod && modprobe iscsi_target_mod && modprobe target_core_file ||
		{ err "lio: modules"; return 1; }
	[ -d "$LIO/iscsi" ] || mkdir "$LIO/iscsi" || return 1
	mkdir -p "$nd" "$fd" || return 1
	echo "rd_pages=$((NULL_MB * 256)),rd_nullio=1" >"$nd/control" || return 1
	echo 1 >"$nd/enable" || return 1
	# no flushes happen in these workloads, but report the same cache mode
	echo 1 >"$nd/attrib/emulate_write_cache" 2>/dev/null ||
		echo "lio: rd_mcp emulate_write_cache stays $(cat "$nd/attrib/emulate_write_cache")" >>"$RES/notes.txt"
	echo "fd_dev_name=$IMG,fd_dev_size=$((FILE_MB << 20)),fd_buffered_io=1" >"$fd/control" || return 1
	echo 1 >"$fd/enable" || return 1
	echo 1 >"$fd/attrib/emulate_write_cache" 2>/dev/null ||
		echo "lio: emulate_write_cache stays $(cat "$fd/attrib/emulate_write_cache")" >>"$RES/notes.txt"
	tpg=$LIO/iscsi/$IQN:lio/tpgt_1
	mkdir -p "$tpg" || return 1
	mkdir "$tpg/np/127.0.0.1:${PORT[lio]}" || return 1
	mkdir "$tpg/lun/lun_0" "$tpg/lun/lun_1" || return 1
	ln -s "$nd" "$tpg/lun/lun_0/bn_lio" || return 1
	ln -s "$fd" "$tpg/lun/lun_1/bf_lio" || return 1
	for kv in authentication=0 generate_node_acls=1 cache_dynamic_acls=1 demo_mode_write_protect=0; do
		echo "${kv#*=}" >"$tpg/attrib/${kv%%=*}" || return 1
	done
	for kv in "${FAIR_PARAMS[@]}"; do
		k=${kv%%=*} v=${kv#*=}
		echo "$v" >"$tpg/param/$k" 2>/dev/null || err "lio: cannot set $k=$v"
	done
	echo 1 >"$tpg/enable"
}

down_lio() {
	local tpg=$LIO/iscsi/$IQN:lio/tpgt_1 d
	[ -d "$LIO" ] || return 0
	if [ -d "$tpg" ]; then
		echo 0 >"$tpg/enable" 2>/dev/null
		for d in "$tpg"/lun/lun_*; do
			[ -d "$d" ] || continue
			find "$d" -maxdepth 1 -type l -exec rm {} +
			rmdir "$d"
		done
		for d in "$tpg"/np/*; do [ -d "$d" ] && { rmdir "$d" || err "lio: rmdir $d"; }; done
		rmdir "$tpg" "$LIO/iscsi/$IQN:lio" || err "lio: cannot remove the target"
	fi
	for d in "$LIO"/core/rd_mcp_7/bn_lio "$LIO"/core/fileio_7/bf_lio "$LIO"/core/rd_mcp_7 "$LIO"/core/fileio_7; do
		[ -d "$d" ] && { rmdir "$d" || err "lio: rmdir $d"; }
	done
	[ -d "$LIO/iscsi" ] && rmdir "$LIO/iscsi" 2>/dev/null
	if ! wait_until 30 _mod_unused iscsi_target_mod; then
		err "lio: iscsi_target_mod still in use: $(grep '^iscsi_target_mod ' /proc/modules)" \
			"$(find "$LIO" -maxdepth 4 | head -n 20 | tr '\n' ' ')"
	fi
	for d in iscsi_target_mod target_core_file target_core_iblock target_core_pscsi target_core_user target_core_mod; do
		grep -q "^$d " /proc/modules && { rmmod "$d" || err "lio: rmmod $d"; }
	done
	return 0
}

# ---------------------------------------------------------------------------
# tgt

TGTADM=(tgtadm --lld iscsi)

up_tgt() {
	local kv i
	command -v tgtd >/dev/null || { err "tgt: no tgtd"; return 1; }
	setsid tgtd -f --iscsi "portal=127.0.0.1:${PORT[tgt]}" >>"$BW/tgtd.log" 2>&1 </dev/null &
	TGTD_PID=$!
	for ((i = 0; i < 40; i++)); do
		"${TGTADM[@]}" --op show --mode target >/dev/null 2>&1 && break
		nap 0.25
	done
	"${TGTADM[@]}" --op new --mode target --tid 1 -T "$IQN:tgt" || return 1
	"${TGTADM[@]}" --op new --mode logicalunit --tid 1 --lun 1 --bstype null \
		--backing-store /dev/null || return 1
	"${TGTADM[@]}" --op new --mode logicalunit --tid 1 --lun 2 --bstype rdwr \
		--backing-store "$IMG" || return 1
	"${TGTADM[@]}" --op bind --mode target --tid 1 -I ALL || return 1
	for kv in "${FAIR_PARAMS[@]}"; do
		"${TGTADM[@]}" --op update --mode target --tid 1 -n "${kv%%=*}" -v "${kv#*=}" ||
			err "tgt: cannot set $kv"
	done
}

down_tgt() {
	[ -n "$TGTD_PID" ] || return 0
	"${TGTADM[@]}" --op delete --mode target --tid 1 --force >/dev/null 2>&1
	# tgtd ignores SIGTERM while it has targets; it has none now
	kill "$TGTD_PID" 2>/dev/null
	wait_until 10 _gone "$TGTD_PID" || kill -9 "$TGTD_PID" 2>/dev/null
	wait "$TGTD_PID" 2>/dev/null
	TGTD_PID=
}

# ---------------------------------------------------------------------------
# initiator side

# login_stack STACK: log in to its target, find the disks, save the
# negotiated parameters.
login_stack() {
	local s=$1 p=127.0.0.1:${PORT[$1]} b sid d
	iscsi_login "$IQN:$s" "$p" || { err "$s: login failed: $ISCSI_OUT"; return 1; }
	sid=$(iscsi_sid "$IQN:$s" "$p")
	[ -n "$sid" ] || { err "$s: no session after login"; return 1; }
	iscsiadm -m session -r "$sid" -P 2 >"$RES/negotiated-$s.txt" 2>&1
	for b in $BACKENDS; do
		d=$( (iscsi_disk "$IQN:$s" "$p" "${LUN[$s/$b]}") 2>>"$RES/errors.txt") ||
			{ err "$s: no disk for $b (LUN ${LUN[$s/$b]})"; return 1; }
		echo none >"/sys/block/${d#/dev/}/queue/scheduler" 2>/dev/null
		DISK[$s/$b]=$d
		echo "$s $b LUN ${LUN[$s/$b]} $d $(blockdev --getsize64 "$d") bytes," \
			"$(cat "/sys/block/${d#/dev/}/queue/logical_block_size")-byte blocks," \
			"cache: $(cat "/sys/block/${d#/dev/}/device/scsi_disk/"*/cache_type 2>/dev/null)" \
			>>"$RES/disks.txt"
	done
}

# fio_run ROUND STACK BACKEND WORKLOAD
fio_run() {
	local round=$1 s=$2 b=$3 wl=$4 mb args out rc=0
	case $b in
	nullio) mb=$NULL_MB ;;
	*) mb=$FILE_MB ;;
	esac
	case $wl in
	randread4k) args=(--rw=randread --bs=4k --iodepth=32 --norandommap --randseed=4242) ;;
	seqread128k) args=(--rw=read --bs=128k --iodepth=8) ;;
	seqwrite128k) args=(--rw=write --bs=128k --iodepth=8) ;;
	*) err "unknown workload $wl"; return 1 ;;
	esac
	out=$RES/fio/$round-$s-$b-$wl.json
	fio --name="$wl" --filename="${DISK[$s/$b]}" --direct=1 --ioengine=libaio \
		--size="${mb}M" --time_based --runtime="$RUNTIME" --ramp_time="$RAMP" \
		"${args[@]}" --output-format=json --output="$out" >"$out.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		err "fio $round $s $b $wl: exit status $rc: $(tail -n 3 "$out.log" | tr '\n' ' ')"
		rm -f "$out"
	fi
}

# warm_cache: read the programs the benchmark starts and their libraries.
warm_cache() {
	local b p l
	for b in iscsid iscsiadm fio tgtd tgtadm modprobe insmod rmmod ss ip blockdev; do
		p=$(command -v "$b") || continue
		cat "$p" >/dev/null
		for l in $(ldd "$p" 2>/dev/null | awk '/=>/ { print $3 }'); do
			cat "$l" >/dev/null
		done
	done
	[ -x "$ISCSI_DAEMON" ] && cat "$ISCSI_DAEMON" >/dev/null
	return 0
}

cleanup() {
	iscsi_logout_all
	for s in $STACKS; do
		"down_$s"
	done
	( iscsi_initiator_down ) || err "initiator teardown failed"
	umount "$BW" 2>/dev/null
	_iscsi_save_logs
	cp -f "$BW"/*.log "$RES/" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------------------

step "benchmark: stacks '$STACKS', $ROUNDS rounds, ${RAMP}+${RUNTIME}s per run," \
	"backends '$BACKENDS', workloads '$WORKLOADS'"
{
	echo "kernel $(uname -r), $(nproc) CPU(s), $(grep -c ^processor /proc/cpuinfo) online"
	echo "cmdline: $(cat /proc/cmdline)"
	echo "stacks: $STACKS; rounds $ROUNDS; ramp ${RAMP}s; runtime ${RUNTIME}s"
	echo "fileio: shared ${FILE_MB} MiB file on tmpfs; nullio range ${NULL_MB} MiB"
	echo "fair params: ${FAIR_PARAMS[*]}"
} >"$RES/conditions.txt"
check ip link set lo up
modprobe -q sd_mod
modprobe -q sg
mkdir -p "$BW"
check mount -t tmpfs -o size=$((FILE_MB + 64))M bench "$BW"
step "fill the ${FILE_MB} MiB backing file"
check dd if=/dev/zero of="$IMG" bs=1M count="$FILE_MB" status=none
# With -icount sleep=off the guest clock jumps ahead while the guest idles
# waiting for the host (9p reads of programs and libraries), so timeouts
# in guest time can expire after almost no real time: load the programs
# into the page cache before anything waits for them.
step "warm the page cache"
warm_cache
step "start iscsid"
iscsid_start

for s in $STACKS; do
	step "set up $s"
	if "up_$s" && login_stack "$s"; then
		UP[$s]=1
	else
		err "$s: set-up failed, not measured"
	fi
done
cat "$RES/disks.txt" 2>/dev/null

for ((r = 1; r <= ROUNDS; r++)); do
	for s in $STACKS; do
		[ "${UP[$s]:-}" = 1 ] || continue
		for b in $BACKENDS; do
			for wl in $WORKLOADS; do
				step "round $r: $s $b $wl"
				fio_run "$r" "$s" "$b" "$wl"
			done
		done
	done
done

step "teardown"
cleanup
trap - EXIT
info "benchmark done; errors: $(wc -l <"$RES/errors.txt")"
exit 0
