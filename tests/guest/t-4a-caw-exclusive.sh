#!/bin/bash
# COMPARE AND WRITE executes alone on its device (SBC-3: atomic against
# every other command, not only against other CAWs).  A blockio LUN over a
# dm-delay device whose writes take seconds: a CAW sent while a WRITE to
# the same block is still executing must wait for it and compare against
# the data that WRITE stored (MISCOMPARE), not against the old data.  A
# CAW on a blocked device waits for the unblock.  Plain I/O keeps working.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
H=$S/handlers/vdisk_blockio
DM=t4aslow
DELAY_MS=4000
SG_MISCOMPARE=14	# sg3_utils exit status of a MISCOMPARE

# blk CHAR: a 512-byte block of CHAR
blk() { head -c 512 /dev/zero | tr '\0' "$1"; }
# lba0: the distinct characters of the first block
lba0() {
	dd if="$disk" bs=512 count=1 iflag=direct status=none |
		fold -w1 | sort -u | tr -d '\n'
}
active() { cat "$D/t/sessions/i0/lun0/active_commands"; }
busy() { [ "$(active)" -ge 1 ]; }
# caw OLD NEW: COMPARE AND WRITE of LBA 0, prints the exit status
caw() {
	{ blk "$1"; blk "$2"; } >/tmp/t4a.caw
	sg_compare_and_write --in=/tmp/t4a.caw --lba=0 --num=1 "$sg" \
		>/dev/null 2>&1
	echo $?
}

info "load; blockio LUN over dm-delay (writes take ${DELAY_MS} ms)"
modprobe -q dm-delay || fail "no dm-delay module"
check modprobe brd rd_nr=1 rd_size=8192
ramdev=/dev/ram0
sectors=$(blockdev --getsz "$ramdev")
echo "0 $sectors delay $ramdev 0 0 $ramdev 0 $DELAY_MS" |
	dmsetup create $DM || fail "dmsetup create"
# no udev in the guest: let dmsetup make the node itself
dmsetup mknodes $DM
[ -b /dev/mapper/$DM ] || fail "no /dev/mapper/$DM"
LOCAL_PARAMS="add_default_tgt=0" load_scst
check mgmt "$H/mgmt" "add_device b0 filename=/dev/mapper/$DM"
check mgmt "$D/mgmt" "add_target t"
check mgmt "$D/t/luns/mgmt" "add b0 0"
check mgmt "$D/mgmt" "add_session t i0"
h=$(local_host t i0)
disk=$(wait_disk "$h" 0)
sg=$(lun_sg "$h" 0) || fail "no sg device"
udev_settle

info "CAW alone: GOOD on a match, MISCOMPARE otherwise"
blk A | check dd of="$disk" bs=512 count=1 oflag=direct status=none
check_eq "$(lba0)" A "LBA 0 after the first write"
check_eq "$(caw A C)" 0 "CAW A->C"
check_eq "$(lba0)" C "LBA 0 after CAW A->C"
check_eq "$(caw A D)" $SG_MISCOMPARE "CAW A->D on C"
check_eq "$(lba0)" C "LBA 0 after a miscompare"

info "CAW sent while a WRITE of the same block executes waits for it"
blk B | dd of="$disk" bs=512 count=1 oflag=direct status=none &
wpid=$!
wait_for 20 busy || fail "the WRITE never became active"
# the WRITE is held by dm-delay for seconds; a CAW that did not wait
# would read C (the write has not landed) and succeed
rc=$(caw C E)
wait $wpid || fail "the delayed WRITE failed"
check_eq "$rc" $SG_MISCOMPARE "CAW C->E issued during the WRITE of B"
check_eq "$(lba0)" B "LBA 0 after WRITE B and the CAW"

info "CAW on a blocked device waits for the unblock"
check mgmt "$S/devices/b0/block" 11
caw B F >/tmp/t4a.rc &
cpid=$!
wait_for 20 busy || fail "the CAW never arrived"
sleep 2
kill -0 $cpid 2>/dev/null || fail "CAW executed on a blocked device"
check mgmt "$S/devices/b0/block" 0
wait $cpid
check_eq "$(cat /tmp/t4a.rc)" 0 "CAW B->F after unblock"
check_eq "$(lba0)" F "LBA 0 after the unblocked CAW"
check_eq "$(head -c1 "$S/devices/b0/block")" 0 "block count after CAWs"

info "plain I/O still flows around CAWs"
check fio --name=mix --filename="$disk" --rw=randwrite --bs=4k --size=64k \
	--offset=1m --iodepth=4 --ioengine=libaio --direct=1 \
	--verify=crc32c --output=/dev/null &
fpid=$!
for c in G H I; do
	prev=$(lba0)
	check_eq "$(caw "$prev" $c)" 0 "CAW $prev->$c during fio"
done
wait $fpid || fail "fio beside CAWs failed"

info "teardown"
check mgmt "$D/mgmt" "del_session t i0"
wait_for 30 host_gone "$h" || fail "host$h still exists"
check mgmt "$D/t/luns/mgmt" "clear"
check mgmt "$D/mgmt" "del_target t"
check mgmt "$H/mgmt" "del_device b0"
unload_scst
dmsetup remove $DM || fail "dmsetup remove"
check rmmod brd
rm -f /tmp/t4a.caw /tmp/t4a.rc
info "t-4a-caw-exclusive done"
exit 0
