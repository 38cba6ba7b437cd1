#!/bin/bash
# Data plane stress: integrity under LUN/target/host resets, aborts of
# blocked commands, suspend/resume, thread resizing, SPC-2 reservations,
# REPORT LUNS / REQUEST SENSE / RSOC / RSTMF, LUN and session removal under I/O.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
NULLIO=$S/handlers/vdisk_nullio
FILEIO=$S/handlers/vdisk_fileio
BLOCKIO=$S/handlers/vdisk_blockio
T=$D/lt0


load_scst
info "threads: $(cat $S/threads)"

check truncate -s 64M /tmp/f0.img
check truncate -s 64M /tmp/b0.img
modprobe loop 2>/dev/null; loopdev=$(losetup -f --show /tmp/b0.img) || fail "losetup"
check mgmt "$FILEIO/mgmt" "add_device f0 filename=/tmp/f0.img"
check mgmt "$BLOCKIO/mgmt" "add_device b0 filename=$loopdev"
check mgmt "$NULLIO/mgmt" "add_device n0 size_mb=64"
check mgmt "$D/mgmt" "add_target lt0"
check mgmt "$T/luns/mgmt" "add f0 0"
check mgmt "$T/luns/mgmt" "add b0 1"
check mgmt "$T/luns/mgmt" "add n0 3"
check mgmt "$D/mgmt" "add_session lt0 h0"
h0=$(local_host lt0 h0)
df0=$(wait_disk "$h0" 0)
db0=$(wait_disk "$h0" 1)
dn0=$(wait_disk "$h0" 3)
sg0=$(lun_sg "$h0" 0)
info "disks $df0 $db0 $dn0 sg $sg0"

info "REPORT LUNS / REQUEST SENSE / RSOC / RSTMF"
sg_luns "$sg0" || fail "sg_luns"
sg_luns "$sg0" | grep -c "^    000[0-9]" | grep -q 3 || fail "REPORT LUNS count"
sg_luns -s 1 "$sg0" || fail "sg_luns select 1"
sg_raw -r 64 "$sg0" a0 00 03 00 00 00 00 00 00 40 00 00 2>&1 | grep -q "Illegal Request" ||
	fail "REPORT LUNS select 3 not rejected"
sg_raw -r 8 "$sg0" a0 00 00 00 00 00 00 00 00 08 00 00 2>&1 | grep -q "Illegal Request" ||
	fail "REPORT LUNS alloc 8 not rejected"
sg_requests "$sg0" || fail "sg_requests"
sg_requests -d "$sg0" || fail "sg_requests desc"
sg_opcodes "$sg0" | head -5 || fail "sg_opcodes"
sg_opcodes -a "$sg0" >/dev/null || fail "sg_opcodes -a"
sg_opcodes -o 0x28 "$sg0" || fail "sg_opcodes -o 28"
sg_opcodes -t "$sg0" || fail "sg_opcodes --tmf"
sg_raw -r 512 "$sg0" 12 00 00 02 00 00 || fail "INQUIRY"
info "unmapped LUN 5 probe"
echo "0 0 5" >"/sys/class/scsi_host/host$h0/scan"
sleep 1
[ -e "/sys/bus/scsi/devices/$h0:0:0:5" ] && fail "LUN 5 appeared"

info "data integrity fileio + blockio"
check head -c 16M /dev/urandom >/tmp/pat
for d in "$df0" "$db0"; do
	check dd if=/tmp/pat of="$d" bs=256k oflag=direct conv=fsync status=none
	check dd if="$d" of=/tmp/back bs=1M count=16 iflag=direct status=none
	check cmp /tmp/pat /tmp/back
done

fio_job() {
	local v="--verify=crc32c --verify_fatal=1"
	[ "$3" = n ] || [ "$3" = s ] && v=
	# shellcheck disable=SC2086
	fio --name=dp --filename="$1" --direct=1 --rw=randrw --bs=4k-256k \
		--iodepth=32 --ioengine=libaio --numjobs=2 --offset_increment=32M --runtime="$2" \
		--time_based $v --size=32M \
		--group_reporting --minimal >/tmp/fio.$3 2>&1
}

info "fio verify under LUN/target/host resets"
fio_job "$df0" 40 f &
pf=$!
fio_job "$db0" 40 b &
pb=$!
sleep 3
for i in $(seq 1 6); do
	sg_reset -d "$df0" || info "sg_reset -d rc $?"
	sleep 1
	sg_reset -d "$db0" || info "sg_reset -d rc $?"
	sleep 1
	sg_reset -t "$df0" || info "sg_reset -t rc $?"
	sleep 1
	sg_reset -H "$df0" || info "sg_reset -H rc $?"
	sleep 2
done
wait $pf || { cat /tmp/fio.f; fail "fio fileio failed"; }
wait $pb || { cat /tmp/fio.b; fail "fio blockio failed"; }

info "aborts of parked commands: block device, short timeout"
sdn=${df0#/dev/}
echo 3 >"/sys/block/$sdn/device/timeout"
dd if="$df0" of=/dev/null bs=64k count=100 iflag=direct status=none &
sleep 1
echo 1 >"$S/devices/f0/block" || fail "block f0"
info "blocked: $(cat $S/devices/f0/block)"
dd if="$df0" of=/dev/null bs=4k count=16 iflag=direct status=none &
pd=$!
sleep 12
info "unblock"
echo 0 >"$S/devices/f0/block" || fail "unblock f0"
wait $pd || info "dd during block failed (expected possibly)"
echo 30 >"/sys/block/$sdn/device/timeout"
check dd if="$df0" of=/dev/null bs=1M count=8 iflag=direct status=none

info "timeouts so far on $sdn: $(cat /sys/block/$sdn/device/iotmo_cnt)"
info "abort storm: parked commands, 2s timeouts, concurrent LUN resets"
echo 2 >"/sys/block/$sdn/device/timeout"
echo 1 >"$S/devices/f0/block" || fail "block f0"
pids=()
for i in $(seq 1 24); do
	dd if="$df0" of=/dev/null bs=4k skip=$((i * 8)) count=4 iflag=direct status=none &
	pids+=($!)
done
for i in $(seq 1 8); do
	sg_reset -d "$df0" >/dev/null 2>&1 &
	sleep 1
done
wait_for 20 true
echo 0 >"$S/devices/f0/block" || fail "unblock f0"
end=$((SECONDS + 120))
for p in "${pids[@]}"; do
	while kill -0 "$p" 2>/dev/null; do
		[ $SECONDS -lt $end ] || fail "reader $p still running 120s after unblock"
		sleep 0.5
	done
done
wait
info "timeouts now on $sdn: $(cat /sys/block/$sdn/device/iotmo_cnt)"
echo 30 >"/sys/block/$sdn/device/timeout"
check dd if="$df0" of=/dev/null bs=1M count=8 iflag=direct status=none
info "sessions: $(cat $T/sessions/h0/active_commands 2>/dev/null) active"

info "suspend / resume under I/O"
fio_job "$dn0" 15 n &
pn=$!
sleep 3
echo 5 >"$S/suspend" || fail "suspend"
info "suspend count $(cat $S/suspend)"
sleep 2
echo -1 >"$S/suspend" || fail "resume"
wait $pn || { cat /tmp/fio.n; fail "fio nullio failed"; }

info "threads resize under I/O"
fio_job "$dn0" 12 n &
pn=$!
for n in 1 4 2 3 1 2; do
	echo $n >"$S/threads" || fail "threads $n"
	sleep 1
done
wait $pn || { cat /tmp/fio.n; fail "fio nullio (threads) failed"; }

info "SPC-2 reservations between two sessions"
check mgmt "$D/mgmt" "add_session lt0 h1"
h1=$(local_host lt0 h1)
wait_disk "$h1" 3 >/dev/null
sgA=$(lun_sg "$h0" 3)
sgB=$(lun_sg "$h1" 3)
sg_raw "$sgB" 00 00 00 00 00 00 >/dev/null 2>&1	# eat UAs
sg_raw "$sgB" 00 00 00 00 00 00 >/dev/null 2>&1
sg_raw "$sgA" 00 00 00 00 00 00 >/dev/null 2>&1
sg_raw "$sgA" 16 00 00 00 00 00 || fail "RESERVE A"
sg_raw "$sgA" 16 00 00 00 00 00 || fail "RESERVE A again"
sg_raw "$sgB" 16 00 00 00 00 00 2>&1 | grep -qi "reservation conflict" ||
	fail "RESERVE B did not conflict"
sg_raw -r 512 "$sgB" 28 00 00 00 00 00 00 00 01 00 2>&1 | grep -qi "reservation conflict" ||
	fail "READ B did not conflict"
sg_raw -r 36 "$sgB" 12 00 00 00 24 00 || fail "INQUIRY B under reservation"
sg_raw "$sgB" 17 00 00 00 00 00 || fail "RELEASE by non-holder must be GOOD"
sg_raw -r 512 "$sgB" 28 00 00 00 00 00 00 00 01 00 2>&1 | grep -qi "reservation conflict" ||
	fail "READ B after foreign RELEASE did not conflict"
sg_raw "$sgA" 17 00 00 00 00 00 || fail "RELEASE A"
sg_raw -r 512 "$sgB" 28 00 00 00 00 00 00 00 01 00 || fail "READ B after release"
sg_raw "$sgA" 16 10 00 00 00 00 2>&1 | grep -q "Illegal Request" ||
	fail "third-party RESERVE not rejected"

info "session removal under I/O"
dn1=$(lun_disk "$h1" 3)
fio_job "$dn1" 30 s &
ps=$!
sleep 4
check mgmt "$D/mgmt" "del_session lt0 h1"
wait_for 30 host_gone "$h1" || fail "host$h1 still there"
wait $ps
info "fio after session removal exited with $?"

info "LUN removal under I/O"
fio_job "$dn0" 30 n &
pn=$!
sleep 4
check mgmt "$T/luns/mgmt" "del 3"
wait $pn
info "fio after LUN removal exited with $?"

info "teardown"
check mgmt "$D/mgmt" "del_target lt0"
wait_for 30 host_gone "$h0" || fail "host$h0 still there"
check mgmt "$FILEIO/mgmt" "del_device f0"
check mgmt "$BLOCKIO/mgmt" "del_device b0"
check mgmt "$NULLIO/mgmt" "del_device n0"
losetup -d "$loopdev"
unload_scst
info "PASS"
