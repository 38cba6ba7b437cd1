#!/bin/bash
# iSCSI data path protocol test: open-iscsi over loopback in four
# negotiation modes (plain, CRC32C digests, R2T-heavy with small bursts,
# unsolicited data) with pattern and fio crc32c verification, then a raw
# PDU client (tests/tools/iscsi-proto.py) checking NOP echo, residuals,
# Rejects, CmdSN window, duplicate ITTs, every TMF, Text/SendTargets,
# Logout reasons, digest errors, oversized segments, bidirectional
# XDWRITEREAD(10) (Bidirectional Read AHS), target NOP-In pings,
# RspTimeout and the Async logout request.
. "$TOP/tests/lib/guest-helpers.sh"
_info() { echo "INFO: $*"; echo "test: $*" >/dev/kmsg; touch /tmp/progress; }

S=$SCST_SYSFS
TGT=iqn.2024-01.org.example:k2
TD=$S/targets/iscsi/$TGT
ISCSI_KO=$TOP/iscsi-scst/kernel/iscsi-scst.ko
DAEMON=${DAEMON:-$TOP/iscsi-scst/usr/iscsi-scstd}
IPROTO=$TOP/tests/tools/iscsi-proto.py

load_scst
check modprobe libcrc32c
check insmod "$ISCSI_KO"
modprobe iscsi_tcp
# watchdog: dump state when the test makes no progress for 60 s
touch /tmp/progress
(
	while sleep 10; do
		age=$(( $(date +%s) - $(stat -c %Y /tmp/progress) ))
		[ $age -lt 60 ] && continue
		echo "=== WATCHDOG: no progress for $age s"
		ps -eo pid,stat,wchan:30,cmd | grep -v "\[" | head -40
		for p in $(pgrep -f iscsi-scstd) $(pgrep iscsid) $(pgrep iscsiadm); do
			for t in /proc/$p/task/*; do
				echo "--- $t $(cat $t/comm) $(cat $t/wchan)"; cat $t/stack
			done
		done
		tail -20 /tmp/scstd.log
		echo w >/proc/sysrq-trigger
		touch /tmp/progress
	done
) &
WDPID=$!
trap 'kill $WDPID 2>/dev/null' EXIT
start_daemon() {
	$DAEMON -f -d 1 >>/tmp/scstd.log 2>&1 &
	DPID=$!
	sleep 1
}
restart_daemon() {
	# (a second discovery hung in the first version of the daemon)
	kill $DPID
	timeout 10 tail --pid=$DPID -f /dev/null || { echo "daemon did not exit"; kill -9 $DPID; }
	wait $DPID
	start_daemon
}
start_daemon

check dd if=/dev/zero of=/tmp/d0.img bs=1M count=96 status=none
echo "add_device d0 filename=/tmp/d0.img" >$S/handlers/vdisk_fileio/mgmt || fail add_device
echo "add_target $TGT" >$S/targets/iscsi/mgmt || fail add_target
echo "add d0 0" >$TD/luns/mgmt || fail add lun
echo 1 >$TD/enabled || fail enable tgt
echo 1 >$S/targets/iscsi/enabled || fail enable drv

mkdir -p /run/lock/iscsi /var/lib/iscsi /etc/iscsi/nodes /etc/iscsi/send_targets
iscsid || fail iscsid
sleep 1

login() {
	restart_daemon
	iscsiadm -m discovery -t st -p 127.0.0.1 >/tmp/disc.log 2>&1 || { cat /tmp/disc.log; cat /tmp/scstd.log; fail discovery; }
	cat /tmp/disc.log
	for kv in "$@"; do
		iscsiadm -m node -T $TGT -p 127.0.0.1 -o update -n "${kv%%=*}" -v "${kv#*=}" || fail "update $kv"
	done
	iscsiadm -m node -T $TGT -p 127.0.0.1 --login || { cat /tmp/scstd.log; dmesg | tail -30; fail login; }
	for i in $(seq 1 40); do
		DEV=$(ls -d /sys/class/iscsi_session/session*/device/target*/*/block/* 2>/dev/null | head -1)
		[ -n "$DEV" ] && break
		sleep 0.5
	done
	[ -n "$DEV" ] || fail "no disk"
	DEV=/dev/${DEV##*/}
	_info "disk $DEV"
	cat $TD/sessions/*/* 2>/dev/null | head -40 || true
}
logout() {
	iscsiadm -m node -T $TGT -p 127.0.0.1 --logout || fail logout
	iscsiadm -m node -T $TGT -p 127.0.0.1 -o delete
	sleep 1
}
io_test() {
	local tag=$1
	_info "[$tag] dd pattern"
	check dd if=/dev/urandom of=/tmp/pat bs=1M count=16 status=none
	check dd if=/tmp/pat of=$DEV bs=1M oflag=direct status=none
	check dd if=$DEV of=/tmp/back bs=1M count=16 iflag=direct status=none
	cmp /tmp/pat /tmp/back || fail "[$tag] data mismatch"
	check dd if=/tmp/pat of=$DEV bs=4k seek=5000 count=300 oflag=direct status=none
	check dd if=$DEV of=/tmp/back bs=4k skip=5000 count=300 iflag=direct status=none
	cmp <(head -c $((300*4096)) /tmp/pat) /tmp/back || fail "[$tag] 4k mismatch"
	_info "[$tag] fio verify"
	fio --name=v --filename=$DEV --direct=1 --ioengine=libaio --iodepth=16 \
	    --rw=randwrite --bsrange=512-256k --size=24m --verify=crc32c \
	    --verify_fatal=1 --do_verify=1 --runtime=${FIO_T:-20} --time_based=0 \
	    --output=/tmp/fio.log >/dev/null 2>&1 || { tail -30 /tmp/fio.log; fail "[$tag] fio"; }
	grep -E "WRITE|READ|err" /tmp/fio.log | head -5
	fio --name=r --filename=$DEV --direct=1 --ioengine=libaio --iodepth=32 \
	    --rw=randread --bs=4k --size=64m --runtime=5 --time_based \
	    --output=/tmp/fio2.log >/dev/null 2>&1 || { tail -30 /tmp/fio2.log; fail "[$tag] fio read"; }
	grep -E "READ:" /tmp/fio2.log | head -2
}

if [ -z "${SKIP_OPENISCSI:-}" ]; then
_info "=== plain"
login
io_test plain
logout

_info "=== digests"
echo CRC32C >$TD/HeaderDigest
echo CRC32C >$TD/DataDigest
login node.conn[0].iscsi.HeaderDigest=CRC32C node.conn[0].iscsi.DataDigest=CRC32C
io_test digest
logout
echo None >$TD/HeaderDigest
echo None >$TD/DataDigest

_info "=== R2T heavy"
echo Yes >$TD/InitialR2T
echo No >$TD/ImmediateData
echo 8192 >$TD/MaxBurstLength
echo 4096 >$TD/FirstBurstLength
echo 2 >$TD/MaxOutstandingR2T
echo 4096 >$TD/MaxRecvDataSegmentLength
login node.session.iscsi.InitialR2T=Yes node.session.iscsi.ImmediateData=No
io_test r2t
logout

_info "=== unsolicited"
echo No >$TD/InitialR2T
echo Yes >$TD/ImmediateData
echo 65536 >$TD/MaxBurstLength
echo 65536 >$TD/FirstBurstLength
echo 8192 >$TD/MaxRecvDataSegmentLength
login node.session.iscsi.InitialR2T=No node.session.iscsi.ImmediateData=Yes node.session.iscsi.FirstBurstLength=65536
io_test unsol
logout

fi

if [ -z "${SKIP_RAW:-}" ]; then
_info "=== raw protocol"
echo 65536 >$TD/FirstBurstLength
echo 1048576 >$TD/MaxBurstLength
echo 1048576 >$TD/MaxRecvDataSegmentLength
echo CRC32C,None >$TD/HeaderDigest
echo CRC32C,None >$TD/DataDigest
restart_daemon
/usr/bin/python3 "$IPROTO" ${IPROTO_TESTS:-nop rw rejects window dup tmf text logout digests bigdsl bidi} || RAWFAIL=1
echo 2 >$TD/NopInInterval
echo 2 >$TD/NopInTimeout
/usr/bin/python3 "$IPROTO" nopin:2 || RAWFAIL=1
echo 30 >$TD/NopInInterval
echo 30 >$TD/NopInTimeout
echo 3 >$TD/RspTimeout
/usr/bin/python3 "$IPROTO" rsptimeout:3 || RAWFAIL=1
echo 90 >$TD/RspTimeout
/usr/bin/python3 "$IPROTO" fuzz:${FUZZ_N:-60} || RAWFAIL=1
/usr/bin/python3 "$IPROTO" nop rw || RAWFAIL=1
dmesg | grep -i iscsi | tail -20
fi

if [ -n "${STRESS:-}" ]; then
_info "=== async logout"
for ans in 1 0; do
	rm -f /tmp/k2-async-ready
	/usr/bin/python3 "$IPROTO" asynclogout:$ans &
	PY=$!
	for i in $(seq 1 100); do [ -e /tmp/k2-async-ready ] && break; sleep 0.2; done
	echo 0 >$TD/enabled
	wait $PY || RAWFAIL=1
	echo 1 >$TD/enabled
done

_info "=== stress: resets and forced close under I/O"
restart_daemon
login
fio --name=s --filename=$DEV --direct=1 --ioengine=libaio --iodepth=32 \
    --rw=randrw --bsrange=4k-128k --size=48m --runtime=40 --time_based \
    --output=/tmp/fio3.log >/dev/null 2>&1 &
FIO=$!
sleep 4
sg_reset -d $DEV; echo "device reset rc $?"
sleep 3
sg_reset -t $DEV; echo "target reset rc $?"
sleep 3
for f in $TD/sessions/*/force_close; do echo 1 >$f; done
echo "forced close"
sleep 8
for f in $TD/sessions/*/force_close; do echo 1 >$f; done
sleep 8
wait $FIO; echo "fio rc $?"
grep -E "READ:|WRITE:|err" /tmp/fio3.log | head -5
logout
ls $TD/sessions/
fi

_info "=== teardown"
echo 0 >$S/targets/iscsi/enabled
echo "del_target $TGT" >$S/targets/iscsi/mgmt || fail del_target
echo "del_device d0" >$S/handlers/vdisk_fileio/mgmt || fail del_device
kill $DPID
timeout 10 tail --pid=$DPID -f /dev/null || { echo "daemon did not exit"; kill -9 $DPID; }
iscsiadm -m session 2>/dev/null
rmmod iscsi-scst || fail "rmmod iscsi-scst"
unload_scst
tail -20 /tmp/scstd.log
[ -z "${RAWFAIL:-}" ] || fail "raw protocol tests failed"
info PASS
