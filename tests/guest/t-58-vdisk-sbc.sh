#!/bin/bash
# scst_vdisk SBC commands over scst_local: WRITE SAME(10)/(16) (plain,
# UNMAP, NDOB, limits and errors), GET LBA STATUS (holes of a thin file,
# blockio/nullio all mapped), PRE-FETCH(10)/(16), LOG SELECT, and the
# Linux initiator's own use of them (BLKZEROOUT, blkdiscard, fstrim) on
# vdisk_fileio (thin), vdisk_blockio (loop device) and vdisk_nullio.
set -euo pipefail
. "$TOP/tests/lib/scst-test-lib.sh"

W=/tmp/t58
T=t58_tgt
mkdir -p "$W"

step "backing storage"
truncate -s 64M "$W/thin.img"
truncate -s 32M "$W/bio.img"
check modprobe loop
loopdev=$(losetup -f --show "$W/bio.img") || fail "losetup"
head -c 512 /dev/urandom >"$W/pat"
head -c 512 /dev/zero >"$W/zero"

step "load SCST, create devices"
scst_test_init
scst_add_dev vdisk_fileio fthin "filename=$W/thin.img; thin_provisioned=1"
scst_add_dev vdisk_blockio bio0 "filename=$loopdev; thin_provisioned=1"
scst_add_dev vdisk_nullio nul0 "size_mb=128"
scst_add_dev vdisk_nullio nulro "size_mb=8; read_only=1"
scst_add_local_target "$T"
scst_add_lun "$T" 0 fthin
scst_add_lun "$T" 1 bio0
scst_add_lun "$T" 2 nul0
scst_add_lun "$T" 3 nulro
scst_add_session "$T" s1
for l in 0 1 2 3; do
	wait_lun_disk "$T" s1 $l >/dev/null
done
scan_settle "$(sess_host "$T" s1)"

# expect_field WHAT BYTE [BIT]: the sense of the last command has a field
# pointer to that CDB/parameter byte (and bit), as sg_raw decodes it.
expect_field() {
	local pat="byte $2"
	if [ $# -ge 3 ]; then
		pat+=" bit $3"
		grep -qE "$pat" <<<"$SCSI_OUT" ||
			fail "$1: no field pointer '$pat': ${SCSI_OUT//$'\n'/ }"
	else
		grep -qE "$pat([^0-9]|$)" <<<"$SCSI_OUT" &&
			! grep -qE "$pat bit" <<<"$SCSI_OUT" ||
			fail "$1: no field pointer '$pat' (no bit): ${SCSI_OUT//$'\n'/ }"
	fi
}

# repeat FILE COUNT OUT: COUNT copies of FILE (COUNT a power of 2)
repeat() {
	local n=1
	cp "$1" "$3"
	while [ "$n" -lt "$2" ]; do
		cat "$3" "$3" >"$3.tmp"
		mv "$3.tmp" "$3"
		n=$((n * 2))
	done
}

# read_blocks DISK LBA COUNT OUT: read 512 byte blocks, bypassing the cache
read_blocks() {
	dd if="$1" of="$4" bs=1M skip=$(($2 * 512)) count=$(($3 * 512)) \
		iflag=direct,skip_bytes,count_bytes status=none ||
		fail "read $3 blocks at $2 from $1"
}

# lba_status SG LBA [ALLOC]: GET LBA STATUS; first descriptor in D_LBA,
# D_NR, D_ST; parameter data length in D_LEN, bytes received in NB.
lba_status() {
	local alloc=${3:-4096} l
	printf -v l '%016x' "$2"
	scsi_in "$1" "$alloc" "$W/lbas" 9e 12 ${l:0:2} ${l:2:2} ${l:4:2} \
		${l:6:2} ${l:8:2} ${l:10:2} ${l:12:2} ${l:14:2} \
		$(printf '%02x %02x %02x %02x' $((alloc >> 24 & 255)) \
		  $((alloc >> 16 & 255)) $((alloc >> 8 & 255)) $((alloc & 255))) 00 00
	expect_good "GET LBA STATUS at $2 on $1"
	load_bytes "$W/lbas"
	D_LEN=$(be 0 4)
	[ "$NB" -ge 24 ] || return 0
	D_LBA=$(be 8 8)
	D_NR=$(be 16 4)
	D_ST=$((16#${B[20]} & 15))
}

check_ws_data() {	# SG DISK WHAT: plain WRITE SAME, read back
	local sg=$1 disk=$2 what=$3
	sg_write_same --10 --in="$W/pat" --lba=100 --num=50 "$sg" ||
		fail "$what: WRITE SAME(10)"
	read_blocks "$disk" 100 50 "$W/rd"
	repeat "$W/pat" 64 "$W/exp"
	cmp -n $((50 * 512)) "$W/rd" "$W/exp" || fail "$what: WRITE SAME(10) data"
	read_blocks "$disk" 99 1 "$W/rd"
	cmp -s "$W/rd" "$W/pat" && fail "$what: WRITE SAME(10) wrote before its LBA"
	read_blocks "$disk" 150 1 "$W/rd"
	cmp -s "$W/rd" "$W/pat" && fail "$what: WRITE SAME(10) wrote past its range"
	# 4096 blocks: more than one 1 MiB buffer
	sg_write_same --16 --in="$W/pat" --lba=8192 --num=4096 "$sg" ||
		fail "$what: WRITE SAME(16)"
	read_blocks "$disk" 8192 4096 "$W/rd"
	repeat "$W/pat" 4096 "$W/exp"
	cmp "$W/rd" "$W/exp" || fail "$what: WRITE SAME(16) data"
	# NDOB: zeros, no Data-Out buffer
	sg_write_same --16 --ndob --lba=8192 --num=2048 "$sg" ||
		fail "$what: WRITE SAME(16) NDOB"
	read_blocks "$disk" 8192 4096 "$W/rd"
	cmp -n $((2048 * 512)) "$W/rd" /dev/zero || fail "$what: NDOB did not zero"
	cmp -i $((2048 * 512)) "$W/rd" "$W/exp" || fail "$what: NDOB zeroed too much"
}

step "VPD: block limits (WSNZ, MAXIMUM WRITE SAME LENGTH), LBP (LBPWS)"
sg0=$(sg_for_lun "$T" s1 0); d0=$(disk_for_lun "$T" s1 0)
sg1=$(sg_for_lun "$T" s1 1); d1=$(disk_for_lun "$T" s1 1)
sg2=$(sg_for_lun "$T" s1 2); d2=$(disk_for_lun "$T" s1 2)
sg3=$(sg_for_lun "$T" s1 3)
scsi_in "$sg0" 64 "$W/b0" 12 01 b0 00 40 00
expect_good "INQUIRY VPD B0"
load_bytes "$W/b0"
check_eq "$((16#${B[4]} & 1))" 1 "WSNZ"
check_eq "$(be 36 8)" 8192 "MAXIMUM WRITE SAME LENGTH"
scsi_in "$sg0" 64 "$W/b2" 12 01 b2 00 40 00
expect_good "INQUIRY VPD B2"
load_bytes "$W/b2"
check_eq "${B[5]}" e0 "fthin: LBPU LBPWS LBPWS10"
scsi_in "$sg1" 64 "$W/b2" 12 01 b2 00 40 00
expect_good "INQUIRY VPD B2 bio0"
load_bytes "$W/b2"
check_eq "${B[5]}" e0 "bio0 (loop device discards): LBPU LBPWS LBPWS10"
out=$(sg_opcodes "$sg0") || fail "sg_opcodes: $out"
for op in '^ 41 ' '^ 93 ' '^ 34 ' '^ 90 ' '^ 4c ' '^ 9e +12 '; do
	has_line "$out" "$op" || fail "RSOC does not list $op: $out"
done
has_line "$out" '^ 8b ' && fail "RSOC lists ORWRITE, which is not implemented"

step "WRITE SAME data: fileio, blockio, nullio"
check_ws_data "$sg0" "$d0" fthin
check_ws_data "$sg1" "$d1" bio0
sg_write_same --10 --in="$W/pat" --lba=100 --num=50 "$sg2" || fail "nul0: WRITE SAME(10)"
sg_write_same --16 --ndob --lba=0 --num=8192 "$sg2" || fail "nul0: WRITE SAME(16) NDOB at MWSL"

step "WRITE SAME UNMAP and GET LBA STATUS on the thin file"
dd if=/dev/urandom of="$d0" bs=1M seek=4 count=1 oflag=direct status=none || fail "write 1 MiB"
lba_status "$sg0" 8192
check_eq "$D_ST" 0 "written range mapped"
check_eq "$D_LBA" 8192 "first descriptor starts at the requested LBA"
sg_write_same --16 --unmap --in="$W/zero" --lba=8192 --num=2048 "$sg0" ||
	fail "WRITE SAME(16) UNMAP"
read_blocks "$d0" 8192 2048 "$W/rd"
cmp "$W/rd" <(head -c 1M /dev/zero) || fail "WRITE SAME UNMAP: not zeros"
lba_status "$sg0" 8192
check_eq "$D_ST" 1 "WRITE SAME UNMAP range deallocated"
check_eq "$D_LBA" 8192 "deallocated descriptor LBA"
[ "$D_NR" -ge 2048 ] || fail "deallocated extent $D_NR blocks < 2048"
alloc=$(du -k "$W/thin.img" | cut -f1)
# UNMAP with data other than zeros writes it (reads must return it)
sg_write_same --10 --unmap --in="$W/pat" --lba=8192 --num=16 "$sg0" ||
	fail "WRITE SAME(10) UNMAP non-zero"
read_blocks "$d0" 8192 16 "$W/rd"
repeat "$W/pat" 16 "$W/exp"
cmp "$W/rd" "$W/exp" || fail "WRITE SAME UNMAP with a pattern lost the data"
lba_status "$sg0" 8192
check_eq "$D_ST" 0 "pattern written with UNMAP=1 is mapped"
# NDOB + UNMAP deallocates too
sg_write_same --16 --ndob --unmap --lba=8192 --num=16 "$sg0" || fail "NDOB UNMAP"
lba_status "$sg0" 8192
check_eq "$D_ST" 1 "NDOB UNMAP deallocated"
# the rest of a fresh sparse file is deallocated up to the end
lba_status "$sg0" 131071
check_eq "$D_ST" 1 "last block of the sparse file"
check_eq "$D_NR" 1 "last block extent"
# allocation length 24: one descriptor, header and data truncated to it
lba_status "$sg0" 0 24
check_eq "$NB" 24 "GET LBA STATUS allocation length 24"
check_eq "$D_LEN" 20 "PARAMETER DATA LENGTH with one descriptor"
lba_status "$sg0" 0 16
check_eq "$NB" 16 "GET LBA STATUS allocation length 16"
check_eq "$D_LEN" 20 "PARAMETER DATA LENGTH, allocation length 16"
info "thin.img uses ${alloc} KiB after WRITE SAME UNMAP"

step "GET LBA STATUS on blockio and nullio: all mapped"
lba_status "$sg1" 100
check_eq "$D_ST" 0 "bio0 mapped"
check_eq "$D_NR" $((65536 - 100)) "bio0 extent up to the end"
lba_status "$sg2" 0
check_eq "$D_ST" 0 "nul0 mapped"
check_eq "$D_NR" 262144 "nul0 extent"
scsi_in "$sg0" 64 "$W/lbas" 9e 12 00 00 00 00 00 02 00 00 00 00 00 40 00 00
expect_sense "GET LBA STATUS at the capacity" "5 21 00"

step "WRITE SAME errors"
scsi_out "$sg0" 512 "$W/pat" 41 10 00 00 00 00 00 00 01 00
expect_sense "WRITE SAME(10) ANCHOR" "5 24 00"
expect_field "WRITE SAME(10) ANCHOR" 1 4
scsi_out "$sg0" 512 "$W/pat" 41 02 00 00 00 00 00 00 01 00
expect_sense "WRITE SAME(10) LBDATA" "5 24 00"
expect_field "WRITE SAME(10) LBDATA" 1 1
scsi_out "$sg0" 512 "$W/pat" 93 04 00 00 00 00 00 00 00 00 00 00 00 01 00 00
expect_sense "WRITE SAME(16) PBDATA" "5 24 00"
expect_field "WRITE SAME(16) PBDATA" 1 2
scsi_out "$sg0" 512 "$W/pat" 93 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
expect_sense "WRITE SAME(16) 0 blocks (WSNZ=1)" "5 24 00"
expect_field "WRITE SAME(16) 0 blocks" 10
scsi_out "$sg0" 512 "$W/pat" 41 00 00 00 00 00 00 00 00 00
expect_sense "WRITE SAME(10) 0 blocks (WSNZ=1)" "5 24 00"
expect_field "WRITE SAME(10) 0 blocks" 7
# (nul0 is larger than MAXIMUM WRITE SAME LENGTH)
scsi_out "$sg2" 512 "$W/pat" 93 00 00 00 00 00 00 00 00 00 00 00 20 01 00 00
expect_sense "WRITE SAME(16) above MAXIMUM WRITE SAME LENGTH" "5 24 00"
expect_field "WRITE SAME(16) above MWSL" 10
scsi_out "$sg0" 512 "$W/pat" 93 00 00 00 00 00 00 01 ff ff 00 00 00 02 00 00
expect_sense "WRITE SAME(16) past the end" "5 21 00"
scsi_out "$sg2" 512 "$W/zero" 93 08 00 00 00 00 00 00 00 00 00 00 00 01 00 00
expect_sense "WRITE SAME(16) UNMAP on a LUN without provisioning" "5 24 00"
expect_field "WRITE SAME(16) UNMAP without LBP" 1 3
scsi_out "$sg3" 512 "$W/pat" 41 00 00 00 00 00 00 00 01 00
expect_sense "WRITE SAME(10) on a read-only device" "7 27 00"
scsi_cmd "$sg3" 93 01 00 00 00 00 00 00 00 00 00 00 00 01 00 00
expect_sense "WRITE SAME(16) NDOB on a read-only device" "7 27 00"

step "PRE-FETCH"
for sg in "$sg0" "$sg1" "$sg2"; do
	scsi_cmd "$sg" 34 00 00 00 00 00 00 01 00 00
	expect_good "PRE-FETCH(10) on $sg"
	scsi_cmd "$sg" 34 02 00 00 00 00 00 01 00 00
	expect_good "PRE-FETCH(10) IMMED on $sg"
	scsi_cmd "$sg" 90 00 00 00 00 00 00 00 00 10 00 00 10 00 00 00
	expect_good "PRE-FETCH(16) on $sg"
	scsi_cmd "$sg" 90 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	expect_good "PRE-FETCH(16) to the end of the medium on $sg"
done
scsi_cmd "$sg0" 34 00 00 01 ff ff 00 00 02 00
expect_sense "PRE-FETCH(10) past the end" "5 21 00"
scsi_cmd "$sg0" 90 00 00 00 00 00 00 02 00 00 00 00 00 00 00 00
expect_sense "PRE-FETCH(16) 0 blocks at the capacity" "5 21 00"
scsi_cmd "$sg0" 34 04 00 00 00 00 00 00 01 00
expect_sense "PRE-FETCH(10) reserved bit" "5 24 00"
expect_field "PRE-FETCH(10) reserved bit" 1 2
scsi_cmd "$sg3" 34 00 00 00 00 00 00 00 01 00
expect_good "PRE-FETCH(10) on a read-only device"

step "LOG SELECT"
scsi_cmd "$sg0" 4c 02 00 00 00 00 00 00 00 00
expect_good "LOG SELECT PCR=1"
scsi_cmd "$sg0" 4c 00 40 00 00 00 00 00 00 00
expect_good "LOG SELECT PC=01b, no list (defaults)"
scsi_cmd "$sg0" 4c 03 00 00 00 00 00 00 00 00
expect_sense "LOG SELECT SP=1" "5 24 00"
expect_field "LOG SELECT SP=1" 1 0
printf '\x2f\x00\x00\x04\x00\x00\x03\x00' >"$W/lp"
scsi_out "$sg0" 8 "$W/lp" 4c 02 00 00 00 00 00 00 08 00
expect_sense "LOG SELECT PCR=1 with a parameter list" "5 24 00"
expect_field "LOG SELECT PCR=1 with a list" 7
scsi_out "$sg0" 8 "$W/lp" 4c 00 00 00 00 00 00 00 08 00
expect_sense "LOG SELECT setting an IEC parameter" "5 26 00"
expect_field "LOG SELECT IEC parameter" 4 7
printf '\x0d\x00\x00\x00' >"$W/lp"
scsi_out "$sg0" 4 "$W/lp" 4c 00 00 00 00 00 00 00 04 00
expect_sense "LOG SELECT unsupported page" "5 26 00"
expect_field "LOG SELECT unsupported page" 0 5
scsi_cmd "$sg0" 4c 00 70 00 00 00 00 00 00 00
expect_sense "LOG SELECT unsupported page code in the CDB" "5 24 00"
expect_field "LOG SELECT page code" 2 5

step "the Linux initiator: BLKZEROOUT, blkdiscard, fstrim"
b0=${d0##*/}
check_eq "$(cat /sys/block/$b0/device/scsi_disk/*/provisioning_mode)" unmap "sd provisioning_mode"
wz=$(cat /sys/block/$b0/queue/write_zeroes_max_bytes)
[ "$wz" -gt 0 ] || fail "sd does not use WRITE SAME for write zeroes"
dd if=/dev/urandom of="$d0" bs=1M seek=8 count=2 oflag=direct status=none || fail "write 2 MiB"
blkdiscard -z -o 8M -l 2M "$d0" || fail "blkdiscard -z (BLKZEROOUT)"
read_blocks "$d0" 16384 4096 "$W/rd"
cmp "$W/rd" <(head -c 2M /dev/zero) || fail "BLKZEROOUT did not zero"
dd if=/dev/urandom of="$d0" bs=1M seek=8 count=2 oflag=direct status=none || fail "write 2 MiB"
blkdiscard -o 8M -l 2M "$d0" || fail "blkdiscard"
lba_status "$sg0" 16384
check_eq "$D_ST" 1 "blkdiscard range deallocated"
b1=${d1##*/}
blkdiscard -z -o 1M -l 1M "$d1" || fail "bio0: blkdiscard -z"
read_blocks "$d1" 2048 2048 "$W/rd"
cmp "$W/rd" <(head -c 1M /dev/zero) || fail "bio0: BLKZEROOUT did not zero"
[ "$(cat /sys/block/$b1/queue/discard_max_bytes)" -gt 0 ] || fail "bio0: no discard"
check mkfs.ext4 -q -F -E nodiscard "$d0"
mkdir -p "$W/mnt"
check mount "$d0" "$W/mnt"
dd if=/dev/urandom of="$W/mnt/f" bs=1M count=8 status=none || fail "write a file"
sync
used=$(du -k "$W/thin.img" | cut -f1)
rm "$W/mnt/f"
# ext4 trims freed blocks only once the freeing transaction committed
sync
out=$(fstrim -v "$W/mnt") || fail "fstrim: $out"
info "fstrim: $out"
check umount "$W/mnt"
after=$(du -k "$W/thin.img" | cut -f1)
[ "$after" -lt $((used - 4096)) ] ||
	fail "fstrim did not deallocate: $used KiB before, $after KiB after"

step "teardown"
scst_teardown
losetup -d "$loopdev"
finish_test t-58
