#!/bin/bash
# scst_vdisk: INQUIRY/VPD, READ CAPACITY, MODE SENSE/SELECT, LOG SENSE,
# VERIFY, SYNCHRONIZE CACHE, UNMAP, data integrity, attributes, resize,
# activation, deletion and unload, for fileio, blockio and nullio.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
T=$D/lt0
H=$S/handlers

attr() {
	head -n1 "$S/devices/$1/$2"
}

must_fail() {
	local path=$1
	shift
	if echo "$*" >"$path" 2>/dev/null; then
		fail "accepted: echo '$*' >$path"
	fi
}

info "load"
LOCAL_PARAMS="add_default_tgt=0" load_scst
modprobe -q loop

info "bad add_device parameters"
must_fail "$H/vdisk_fileio/mgmt" "add_device x1"
must_fail "$H/vdisk_fileio/mgmt" "add_device x1 filename=/nonexistent"
must_fail "$H/vdisk_nullio/mgmt" "add_device x1 blocksize=513"
must_fail "$H/vdisk_nullio/mgmt" "add_device x1 bogus=1"
must_fail "$H/vdisk_nullio/mgmt" "add_device x1 read_only=2"
must_fail "$H/vdisk_nullio/mgmt" "add_device x1 size=100;size_mb=1"
must_fail "$H/vdisk_nullio/mgmt" "add_device x1 cluster_mode=1"
must_fail "$H/vdisk_nullio/mgmt" "add_device x1 filename=/tmp/x"
[ -e "$S/devices/x1" ] && fail "x1 created"

info "devices"
img=/tmp/fd0.img
truncate -s 64M $img
bimg=/tmp/bd0.img
truncate -s 32M $bimg
loopdev=$(losetup -f --show $bimg) || fail "losetup"
aimg=/tmp/fa0.img
truncate -s 16M $aimg
loopa=$(losetup -f --show $aimg) || fail "losetup"
check mgmt "$H/vdisk_nullio/mgmt" "add_device nd0 size_mb=64"
check mgmt "$H/vdisk_fileio/mgmt" "add_device fd0 filename=$img; thin_provisioned=1; rotational=0"
check mgmt "$H/vdisk_blockio/mgmt" "add_device bd0 filename=$loopdev; blocksize=4096"
check mgmt "$H/vdisk_fileio/mgmt" "add_device fa0 filename=$loopa; o_direct=1; async=1; write_through=1"
check mgmt "$D/mgmt" "add_target lt0"
check mgmt "$T/luns/mgmt" "add nd0 0"
check mgmt "$T/luns/mgmt" "add fd0 1"
check mgmt "$T/luns/mgmt" "add bd0 2"
check mgmt "$T/luns/mgmt" "add fa0 3"
check mgmt "$D/mgmt" "add_session lt0 host0"
h=$(local_host lt0 host0)
n0=$(wait_disk "$h" 0); f0=$(wait_disk "$h" 1); b0=$(wait_disk "$h" 2)
a0=$(wait_disk "$h" 3)
info "nd0=$n0 fd0=$f0 bd0=$b0 fa0=$a0"

info "attributes"
check_eq "$(attr fd0 blocksize)" 512 blocksize
check_eq "$(attr bd0 blocksize)" 4096 "bd0 blocksize"
check_eq "$(sed -n 2p $S/devices/bd0/blocksize)" "[key]" "bd0 blocksize key"
check_eq "$(attr fd0 t10_vend_id)" SCST_FIO vend
check_eq "$(attr bd0 t10_vend_id)" SCST_BIO vend
check_eq "$(attr fd0 prod_id)" fd0 prod_id
check_eq "$(attr fd0 opt_trans_len)" 524288 opt_trans_len
check_eq "$(attr fd0 filename)" "$img" filename
check_eq "$(attr fd0 thin_provisioned)" 1 thin
check_eq "$(attr fd0 size)" 67108864 size
check_eq "$(attr nd0 size_mb)" 64 size_mb
check_eq "$(attr fd0 active)" 1 active
for a in usn t10_dev_id naa_id prod_rev_lvl write_through nv_cache o_direct \
	 read_only removable rotational tst resync_size sync; do
	[ -e "$S/devices/fd0/$a" ] || fail "no attribute $a"
done
info "usn=$(attr fd0 usn) t10_dev_id=$(attr fd0 t10_dev_id) naa=$(attr fd0 naa_id)"

info "INQUIRY / VPD"
sg_inq "$f0" | tee /tmp/inq
grep -q "Vendor identification: SCST_FIO" /tmp/inq || fail "vendor"
grep -q "Product identification: fd0" /tmp/inq || fail "product"
grep -q "version=0x06" /tmp/inq || grep -q "\[SPC-4\]" /tmp/inq || fail "version"
sg_vpd -p sv "$f0" | tee /tmp/vpd
grep -qi "logical block provisioning" /tmp/vpd || fail "no LBP page listed"
sg_vpd -p di "$f0" | tee /tmp/di || fail "vpd 83"
grep -qi "designator type: NAA" /tmp/di || fail "no NAA"
grep -qi "T10 vendor identification" /tmp/di || fail "no T10 id"
grep -qi "Relative target port" /tmp/di || fail "no rel port"
sg_vpd -p sn "$f0" | grep -q "$(attr fd0 usn)" || fail "usn"
sg_vpd -p bl "$f0" | tee /tmp/bl || fail "vpd b0"
grep -qi "Maximum unmap LBA count" /tmp/bl || fail "b0 unmap"
sg_vpd -p bdc "$f0" | grep -qi "Non-rotating" || fail "b1"
sg_vpd -p lbpv "$f0" | tee /tmp/lbp || fail "b2"
grep -qi "Unmap command supported (LBPU): 1" /tmp/lbp || fail "LBPU"
sg_vpd -p ei "$f0" || fail "vpd 86"
check_fails sg_vpd -p lbpv "$n0"
sg_vpd -p 0x99 "$n0" && fail "vpd 0x99 accepted"
check_fails sg_raw -r 64 "$n0" 12 02 00 00 40 00

info "READ CAPACITY"
sg_readcap -l "$f0" | tee /tmp/rc
grep -q "Number of logical blocks=131072" /tmp/rc || fail "rc16 blocks"
grep -qi "lbpme=1" /tmp/rc || fail "lbpme"
sg_readcap "$b0" | grep -q "Logical block length=4096" || fail "bd0 block len"
sg_readcap "$b0" | grep -q "Number of logical blocks=8192" || fail "bd0 blocks"

info "MODE SENSE"
sg_modes -a "$f0" | tee /tmp/modes || fail "sg_modes -a"
grep -qi "Caching" /tmp/modes || fail "no caching page"
grep -qi "Control" /tmp/modes || fail "no control page"
sg_modes -6 -a "$n0" >/dev/null || fail "mode sense 6"
sg_modes -c 3 -p 8 "$n0" && fail "saved values accepted"
sg_modes -c 1 -p 8 "$n0" || fail "changeable values"
sg_modes -p 0x05 "$n0" && fail "page 5 accepted"
sdisk=$(basename "$(readlink -f /sys/block/${n0#/dev/}/device)")
ct=/sys/class/scsi_disk/$sdisk/cache_type
check_eq "$(cat $ct)" "write back" "cache_type"
info "MODE SELECT: write through"
echo "write through" >"$ct" || fail "MODE SELECT caching"
check_eq "$(cat $ct)" "write through" "cache_type after select"
sg_modes -p 8 "$n0" | tee /tmp/m8
echo "write back" >"$ct" || fail "MODE SELECT caching back"
check_eq "$(cat "/sys/class/scsi_disk/$(basename "$(readlink -f /sys/block/${a0#/dev/}/device)")/cache_type")" \
	"write through" "fa0 write_through=1"

info "LOG SENSE"
sg_logs "$f0" | tee /tmp/logs || fail "log sense"
sg_logs -p 0x2f "$f0" || fail "IE log page"
sg_logs -p 0x0d "$f0" && fail "temperature page accepted"

info "data integrity fileio/blockio/async-direct"
head -c 8M /dev/urandom >/tmp/pat
for d in $f0 $b0 $a0; do
	check dd if=/tmp/pat of="$d" bs=128k oflag=direct conv=fsync status=none
	dd if="$d" of=/tmp/back bs=1M count=8 iflag=direct status=none || fail "read $d"
	check cmp /tmp/pat /tmp/back
done
check cmp -n 8388608 /tmp/pat $img
check cmp -n 8388608 /tmp/pat $bimg
check cmp -n 8388608 /tmp/pat $aimg
check dd if=/tmp/pat of="$f0" bs=4k count=16 oflag=direct,dsync status=none
check dd if="$n0" of=/tmp/z bs=1M count=4 iflag=direct status=none
head -c 4M /dev/zero >/tmp/z4
check cmp /tmp/z /tmp/z4

info "VERIFY / SYNC CACHE / UNMAP"
sg_verify --lba=0 --count=64 "$f0" || fail "verify bytchk=0"
dd if=/tmp/pat of=/tmp/blk bs=512 count=8 status=none
sg_verify --ndo=4096 --lba=0 --count=8 --in=/tmp/blk "$f0" ||
	fail "verify bytchk=1 should match"
dd if=/dev/zero of=/tmp/blk2 bs=512 count=8 status=none
sg_verify --ndo=4096 --lba=0 --count=8 --in=/tmp/blk2 "$f0" 2>&1 | tee /tmp/mc
grep -qi "miscompare" /tmp/mc || fail "no miscompare"
sg_sync "$f0" || fail "sync cache fileio"
sg_sync "$b0" || fail "sync cache blockio"
sg_sync --lba=10 --count=10 "$f0" || fail "sync range"
sg_sync --lba=200000 "$f0" && fail "sync out of range accepted"
before=$(du -k $img | cut -f1)
sg_unmap --lba=0 --num=16384 "$f0" || fail "unmap"
after=$(du -k $img | cut -f1)
info "file usage $before KiB -> $after KiB"
[ "$after" -lt "$before" ] || fail "unmap did not punch a hole"
sg_unmap --lba=131070 --num=8 "$f0" && fail "unmap beyond end accepted"
check_fails sg_unmap --lba=0 --num=8 "$n0"
blkdiscard "$f0" || fail "blkdiscard via linux"
sg_opcodes "$f0" | tee /tmp/opc || fail "RSOC"
grep -qi "unmap" /tmp/opc || fail "UNMAP not listed"
sg_opcodes "$n0" | grep -qi "unmap" && fail "UNMAP listed for nullio"

info "large transfers, FUA, WRITE AND VERIFY"
check dd if=/dev/urandom of=/tmp/big bs=1M count=16 status=none
check dd if=/tmp/big of="$b0" bs=8M oflag=direct status=none
dd if="$b0" of=/tmp/big2 bs=8M count=2 iflag=direct status=none || fail "8M reads"
check cmp /tmp/big /tmp/big2
sg_dd if=/tmp/pat of="$f0" bs=512 count=64 fua=1 2>/dev/null || sg_raw -s 4096 -i /tmp/pat "$f0" 2a 08 00 00 00 00 00 00 08 00 || fail "FUA write"
sg_write_verify --lba=100 --num=8 --in=/tmp/blk "$f0" 2>/dev/null || sg_raw -s 4096 -i /tmp/blk "$f0" 2e 00 00 00 00 64 00 00 08 00 || fail "WRITE AND VERIFY"
dd if="$f0" of=/tmp/wv bs=512 skip=100 count=8 iflag=direct status=none
check cmp /tmp/wv /tmp/blk

info "file system on fileio and blockio"
for d in $f0 $b0; do
	check mkfs.ext4 -q -F "$d"
	mkdir -p /mnt/t
	check mount "$d" /mnt/t
	check cp /tmp/big /mnt/t/big
	check sync
	check umount /mnt/t
	check fsck.ext4 -fn "$d"
	check mount "$d" /mnt/t
	check cmp /tmp/big /mnt/t/big
	check umount /mnt/t
done

info "read-only, nv_cache"
check mgmt "$H/vdisk_fileio/mgmt" "add_device ro0 filename=$img; read_only=1; nv_cache=1; blocksize=4096"
check mgmt "$T/luns/mgmt" "add ro0 4"
r0=$(wait_disk "$h" 4)
dd if=/dev/zero of="$r0" bs=4k count=1 oflag=direct status=none && fail "write to read-only accepted"
sg_modes -p 8 "$r0" | tee /tmp/ro8
sg_modes "$r0" | grep -q "WP=1" || fail "WP not set"
sg_raw -R "$r0" 35 00 00 00 00 00 00 00 00 00 || fail "sync nv_cache"
sg_raw -R -s 4096 -i /tmp/blk "$r0" 2a 00 00 00 00 00 00 00 01 00 2>&1 | tee /tmp/dp
grep -qi "data protect" /tmp/dp || fail "no DATA PROTECT"
sg_vpd -p ei "$r0" | grep -qi "NV_SUP=1" || fail "NV_SUP"
head -c 8192 /dev/zero >/tmp/caw_ro
# sd opens a write-protected disk read-only: use its sg node
r0sg=$(lun_sg "$h" 4) || fail "no sg node for ro0"
sg_compare_and_write --in=/tmp/caw_ro --lba=0 --xferlen=8192 "$r0sg" \
	>/tmp/caw_ro.out 2>&1 && fail "COMPARE AND WRITE on read-only accepted"
grep -qi "data protect" /tmp/caw_ro.out ||
	fail "CAW: no DATA PROTECT: $(cat /tmp/caw_ro.out)"
check dd if="$r0" of=/dev/null bs=1M count=4 iflag=direct status=none
check mgmt "$T/luns/mgmt" "del 4"
wait_for 60 sh -c "! ls /sys/bus/scsi/devices/$h:0:0:4 >/dev/null 2>&1" || fail "LUN 4 still there"
check mgmt "$H/vdisk_fileio/mgmt" "del_device ro0"

info "COMPARE AND WRITE"
# blk C: one 512 byte block of character C
blk() {
	head -c 512 /dev/zero | tr '\0' "$1"
}
blk A >/tmp/cawA
blk B >/tmp/cawB
check dd if=/tmp/cawA of="$f0" bs=512 seek=100 oflag=direct status=none
cat /tmp/cawA /tmp/cawB >/tmp/caw_ok
check sg_compare_and_write --in=/tmp/caw_ok --lba=100 "$f0"
dd if="$f0" bs=512 skip=100 count=1 iflag=direct status=none | cmp - /tmp/cawB ||
	fail "CAW did not write"
# verify data differs from the medium from byte 7 on: nothing written
{ head -c 7 /tmp/cawB; blk X | head -c 505; blk C; } >/tmp/caw_bad
rc=0
sg_compare_and_write -v --in=/tmp/caw_bad --lba=100 "$f0" >/tmp/caw.out 2>&1 || rc=$?
cat /tmp/caw.out
check_eq "$rc" 14 "miscompare exit status"
grep -qi "miscompare during verify" /tmp/caw.out || fail "no 1D/00 sense"
grep -qi "info fld=0x7 " /tmp/caw.out || fail "INFORMATION is not 7"
dd if="$f0" bs=512 skip=100 count=1 iflag=direct status=none | cmp - /tmp/cawB ||
	fail "CAW wrote after a miscompare"
# blockio, 4096 byte blocks: compare with what is there, write B
check dd if="$b0" of=/tmp/cawb bs=4096 skip=10 count=1 iflag=direct status=none
for i in 1 2 3 4 5 6 7 8; do cat /tmp/cawB; done >>/tmp/cawb
check sg_compare_and_write --in=/tmp/cawb --lba=10 --xferlen=8192 "$b0"
dd if="$b0" bs=4096 skip=10 count=1 iflag=direct status=none |
	cmp - <(tail -c 4096 /tmp/cawb) || fail "blockio CAW did not write"

info "START STOP, PREVENT ALLOW, TUR, FORMAT"
sg_start --stop "$n0" || fail "stop"
sg_start --start "$n0" || fail "start"
sg_prevent --prevent=1 "$n0" || fail "prevent"
sg_prevent --allow "$n0" || fail "allow"
sg_turs "$f0" || fail "tur"

# sense ROOT CDB...: run a CDB through the sg node (sd would send its own
# PREVENT/ALLOW on open) and print the decoded sense, if any.
sense() {
	local dev=$1
	shift
	sg_raw "$dev" "$@" 2>&1 || true
}

# expect WHAT PATTERN DEV CDB...: the CDB's result matches PATTERN
expect() {
	local what=$1 pat=$2 out
	shift 2
	out=$(sense "$@")
	echo "$out" | grep -qi "$pat" || fail "$what: expected '$pat', got: $out"
}

info "removable medium: eject, load, PREVENT per I_T nexus"
check mgmt "$H/vdisk_nullio/mgmt" "add_device rm0 size_mb=16; removable=1"
check mgmt "$T/luns/mgmt" "add rm0 5"
check mgmt "$D/mgmt" "add_session lt0 host1"
h1=$(local_host lt0 host1)
wait_disk "$h" 5 >/dev/null
wait_disk "$h1" 5 >/dev/null
m0=$(lun_sg "$h" 5) || fail "no sg node for rm0 on host0"
m1=$(lun_sg "$h1" 5) || fail "no sg node for rm0 on host1"
sense "$m0" 00 00 00 00 00 00 >/dev/null	# consume unit attentions
sense "$m1" 00 00 00 00 00 00 >/dev/null
# non-removable: LOEJ is refused
expect "LOEJ on fixed medium" "invalid field in cdb" "$n0" 1b 00 00 00 02 00
# eject (LOEJ=1 START=0): NOT READY, MEDIUM NOT PRESENT
sg_raw "$m0" 1b 00 00 00 02 00 || fail "eject"
expect "TUR after eject" "medium not present" "$m0" 00 00 00 00 00 00
expect "READ CAPACITY after eject" "medium not present" "$m1" 25 00 00 00 00 00 00 00 00 00
expect "READ after eject" "medium not present" "$m0" 28 00 00 00 00 00 00 00 01 00
sg_raw "$m0" 1b 00 00 00 03 00 || fail "load"
sg_raw "$m0" 00 00 00 00 00 00 || fail "TUR after load"
# a PREVENT of one nexus blocks the other; its ALLOW does not clear it
sg_raw "$m0" 1e 00 00 00 01 00 || fail "prevent host0"
expect "eject while prevented" "removal prevented" "$m1" 1b 00 00 00 02 00
sg_raw "$m1" 1e 00 00 00 00 00 || fail "allow host1"
expect "eject after other allow" "removal prevented" "$m1" 1b 00 00 00 02 00
sg_raw "$m0" 00 00 00 00 00 00 || fail "medium gone while prevented"
# a LOGICAL UNIT RESET ends the prevention of every nexus
sg_reset -d "$m1" || fail "LUN reset"
sense "$m0" 00 00 00 00 00 00 >/dev/null
sense "$m1" 00 00 00 00 00 00 >/dev/null
sg_raw "$m1" 1b 00 00 00 02 00 || fail "eject after LUN reset"
sg_raw "$m1" 1b 00 00 00 03 00 || fail "load after LUN reset"
# I_T nexus loss ends the prevention of that nexus
sg_raw "$m1" 1e 00 00 00 01 00 || fail "prevent host1"
expect "eject while host1 prevents" "removal prevented" "$m0" 1b 00 00 00 02 00
check mgmt "$D/mgmt" "del_session lt0 host1"
wait_for 30 host_gone "$h1" || fail "host$h1 still exists after del_session"
sg_raw "$m0" 1b 00 00 00 02 00 || fail "eject after nexus loss"
sg_raw "$m0" 1b 00 00 00 03 00 || fail "load after nexus loss"
check mgmt "$T/luns/mgmt" "del 5"
wait_for 60 sh -c "! ls /sys/bus/scsi/devices/$h:0:0:5 >/dev/null 2>&1" || fail "LUN 5 still there"
check mgmt "$H/vdisk_nullio/mgmt" "del_device rm0"

info "identification attributes"
echo NEWVEND >$S/devices/fd0/t10_vend_id || fail "t10_vend_id"
check_eq "$(sed -n 2p $S/devices/fd0/t10_vend_id)" "[key]" "key"
sg_inq "$f0" 2>/dev/null | grep -q "Vendor identification: NEWVEND" || sg_inq "$f0" | grep -q NEWVEND || fail "vendor not changed"
echo >$S/devices/fd0/t10_vend_id || fail "reset"
check_eq "$(cat $S/devices/fd0/t10_vend_id)" SCST_FIO "vend reset"
must_fail $S/devices/fd0/t10_vend_id "TOOLONGVENDOR"
must_fail $S/devices/fd0/naa_id "1234"
echo 0x5001405abcdef012 >$S/devices/fd0/naa_id || fail "naa_id"
sg_vpd -p di "$f0" | grep -qi "5001405abcdef012" || sg_vpd -p di "$f0" | grep -qi "0x5001405abcdef012" || fail "naa not in vpd"
echo 1048576 >$S/devices/fd0/opt_trans_len || fail "opt_trans_len"
must_fail $S/devices/fd0/opt_trans_len 1000

info "resize"
truncate -s 128M $img
echo 1 >$S/devices/fd0/resync_size || fail "resync_size"
check_eq "$(attr fd0 size_mb)" 128 "size after resync"
sg_readcap "$f0" >/dev/null 2>&1
sg_readcap "$f0" | grep -q "Number of logical blocks=262144" || fail "capacity after resync"
echo 32 >$S/devices/nd0/size_mb || fail "nullio size_mb"
sg_readcap "$n0" >/dev/null 2>&1
sg_readcap "$n0" | grep -q "Number of logical blocks=65536" || fail "nullio capacity"

info "backend errors"
truncate -s 32M $img
sg_raw -r 512 "$f0" 28 00 00 01 11 70 00 00 01 00 2>&1 | tee /tmp/me
grep -qi "medium error" /tmp/me || fail "no MEDIUM ERROR"
grep -qi "Unrecovered read error" /tmp/me || fail "not an unrecovered read error"
grep -qi "0x11170" /tmp/me || fail "INFORMATION is not the failing LBA"
truncate -s 128M $img

info "active"
echo 0 >$S/devices/fd0/active || fail "deactivate"
sg_turs "$f0" && fail "TUR on inactive device succeeded"
dd if="$f0" of=/dev/null bs=4k count=1 iflag=direct status=none && fail "read from inactive"
echo 1 >$S/devices/fd0/active || fail "activate"
sg_turs "$f0" >/dev/null 2>&1
sg_turs "$f0" || fail "TUR after activate"
check dd if="$f0" of=/dev/null bs=1M count=4 iflag=direct status=none

info "teardown"
must_fail "$H/vdisk_fileio/mgmt" "del_device fd0"
check mgmt "$D/mgmt" "del_target lt0"
check mgmt "$H/vdisk_fileio/mgmt" "del_device fd0"
must_fail "$H/vdisk_fileio/mgmt" "del_device fd0"
must_fail "$H/vdisk_fileio/mgmt" "del_device bd0"
check mgmt "$H/vdisk_blockio/mgmt" "del_device bd0"
# nd0 and fa0 are left for module unload
check rmmod scst_local
check rmmod scst_vdisk
[ -e "$S/devices/nd0" ] && fail "nd0 still there after rmmod"
check rmmod scst
losetup -d "$loopdev" "$loopa"
info "t-40-vdisk done"
exit 0
