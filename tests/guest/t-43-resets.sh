#!/bin/bash
# Task management through scst_local (SG_SCSI_RESET -> eh_device_reset /
# eh_target_reset -> LOGICAL UNIT RESET / TARGET RESET):
#  - on idle LUNs: the reset succeeds and establishes a unit attention
#    (ASC 29h) on the reset LU(s) only;
#  - under load: fio randrw with crc32c verification, queue depth 16, on a
#    vdisk_fileio and a vdisk_blockio LUN while LUN and target resets are
#    issued repeatedly; fio must finish in time without any error, the
#    kernel log must show no I/O error or command timeout, and both disks
#    must still read and write correctly afterwards.
set -euo pipefail
. "$TOP/tests/lib/scst-test-lib.sh"

W=/tmp/t43
T=t43_tgt
RUNTIME=${RESET_FIO_RUNTIME:-30}
mkdir -p "$W"

step "backing storage, devices, target"
truncate -s 64M "$W/r43f.img"
check modprobe brd rd_nr=1 rd_size=65536
wait_until 10 test -b /dev/ram0 || fail "/dev/ram0 did not appear"
scst_test_init
scst_add_dev vdisk_fileio r43f "filename=$W/r43f.img"
scst_add_dev vdisk_blockio r43b "filename=/dev/ram0"
scst_add_local_target "$T"
scst_add_lun "$T" 0 r43f
scst_add_lun "$T" 1 r43b
scst_add_session "$T" s1
fdisk=$(wait_lun_disk "$T" s1 0)
bdisk=$(wait_lun_disk "$T" s1 1)
fsg=$(sg_for_lun "$T" s1 0)
bsg=$(sg_for_lun "$T" s1 1)
check_eq "$(disk_model "$fdisk")" r43f "model of LUN 0"
check_eq "$(disk_model "$bdisk")" r43b "model of LUN 1"

# ua29 WHAT SG: the next TEST UNIT READY reports a reset unit attention
# (sense key 6, ASC 29h), the one after it is GOOD.
ua29() {
	scsi_cmd "$2" 00 00 00 00 00 00
	if [ "$SCSI_STATUS" != cc ] || [[ $SCSI_SENSE != "6 29 "* ]]; then
		fail "$1: expected UNIT ATTENTION 29h/xx, got status $SCSI_STATUS sense $SCSI_SENSE"
	fi
	scsi_cmd "$2" 00 00 00 00 00 00
	expect_good "$1: second TEST UNIT READY"
}

# --------------------------------------------------------------------------
step "LUN reset on idle LUN 0: UA on LUN 0 only"
mark=$(dmesg_mark)
tur_until_good "$fsg" >/dev/null
tur_until_good "$bsg" >/dev/null
check sg_reset -d "$fdisk"
ua29 "LUN 0 after LUN reset of LUN 0" "$fsg"
scsi_cmd "$bsg" 00 00 00 00 00 00
expect_good "LUN 1 after LUN reset of LUN 0 (LU reset must not affect other LUs)"

step "target reset on idle LUNs: UA on both"
check sg_reset -t "$bdisk"
ua29 "LUN 0 after target reset" "$fsg"
ua29 "LUN 1 after target reset" "$bsg"
check_no_io_errors "$mark" "idle resets"

# --------------------------------------------------------------------------
step "fio randrw verify qd16 for ${RUNTIME}s on $fdisk and $bdisk with resets"
mark=$(dmesg_mark)
timeout -s KILL $((RUNTIME + 150)) fio --output-format=json --output="$W/fio.json" \
	--direct=1 --ioengine=libaio --iodepth=16 --rw=randrw --bs=8k \
	--size=32M --verify=crc32c --verify_backlog=64 --verify_fatal=1 \
	--time_based --runtime="$RUNTIME" \
	--name=fileio --filename="$fdisk" \
	--name=blockio --filename="$bdisk" >"$W/fio.json.log" 2>&1 &
fio_pid=$!
nap 4
n=0
end=$((SECONDS + RUNTIME - 8))
while [ $SECONDS -lt $end ] && proc_alive $fio_pid; do
	check sg_reset -d "$fdisk"
	nap 1
	check sg_reset -d "$bdisk"
	nap 1
	check sg_reset -t "$fdisk"
	nap 2
	n=$((n + 1))
done
[ $n -ge 2 ] || fail "only $n reset rounds happened while fio was running"
info "$n rounds of LUN/LUN/target resets issued during fio"
proc_alive $fio_pid || fail "fio ended before the last reset (runtime ${RUNTIME}s): $(cat "$W/fio.json.log")"
last_reset=$(dmesg_mark)
rc=0
wait $fio_pid || rc=$?
[ $rc -ne 137 ] || fail "fio did not finish within 150 s after its ${RUNTIME}s runtime (I/O hung after resets?)"
res=$(fio_result "fio under resets" "$W/fio.json" $rc)
python3 - "$W/fio.json" <<-'EOF' || fail "a fio job did no reads or no writes (above)"
	import json, sys
	ok = True
	for jb in json.load(open(sys.argv[1]))["jobs"]:
	    r, w = jb["read"]["io_bytes"], jb["write"]["io_bytes"]
	    print("fio job %s: read %d bytes, wrote %d bytes" % (jb["jobname"], r, w))
	    ok = ok and r > 0 and w > 0
	sys.exit(0 if ok else 1)
EOF
info "fio totals (read write): $res"
check_no_io_errors "$mark" "fio with LUN/target resets"
if [ -n "$(dmesg_since "$last_reset" | grep -E -- "$IO_ERROR_RE" || true)" ]; then
	fail "I/O errors after the last reset"
fi

# --------------------------------------------------------------------------
step "both disks still work"
mark=$(dmesg_mark)
for d in "$fdisk" "$bdisk"; do
	check dd if="$d" of=/dev/null bs=1M count=32 iflag=direct status=none
	check dd if=/dev/urandom of="$W/pat" bs=64k count=4 status=none
	check dd if="$W/pat" of="$d" bs=64k seek=100 count=4 oflag=direct status=none
	check dd if="$d" of="$W/pat.rd" bs=64k skip=100 count=4 iflag=direct status=none
	cmp "$W/pat" "$W/pat.rd" || fail "$d: data read back after the resets differs"
done
cmp -n $((256 << 10)) -i 0:$((100 << 16)) "$W/pat" /dev/ram0 ||
	fail "$bdisk: data not on the backing device"
for g in "$fsg" "$bsg"; do
	tur_until_good "$g" >/dev/null
	scsi_in "$g" 512 "$W/blk" 28 00 00 00 00 00 00 00 01 00
	expect_good "READ(10) on $g after the resets"
done
check_no_io_errors "$mark" "I/O after the resets"

step "teardown"
scst_teardown
check rmmod brd
finish_test t-43
