#!/bin/bash
# Data integrity through scst_local: ext4 on a vdisk_fileio LUN (files
# survive umount/remount, the image in the backing file is consistent),
# fio random writes with crc32c verification at 4k and 128k on
# vdisk_fileio and vdisk_blockio (over brd), followed by a byte-for-byte
# comparison of what the initiator reads with the backing storage, and
# read jobs on vdisk_nullio (which must return zeros).
set -euo pipefail
. "$TOP/tests/lib/scst-test-lib.sh"

W=/tmp/t41
T=t41_tgt
MNT=/mnt/t41
SZ4K=${FIO_4K_SIZE:-32M}
SZ128K=${FIO_128K_SIZE:-32M}
mkdir -p "$W" "$MNT"

# size_bytes 16M -> 16777216
size_bytes() {
	numfmt --from=iec "$1"
}

step "backing storage"
truncate -s 64M "$W/f41.img"
check modprobe brd rd_nr=1 rd_size=65536
wait_until 10 test -b /dev/ram0 || fail "/dev/ram0 did not appear"

step "load SCST and export f41 (fileio), b41 (blockio), n41 (nullio)"
scst_test_init
scst_add_dev vdisk_fileio f41 "filename=$W/f41.img"
scst_add_dev vdisk_blockio b41 "filename=/dev/ram0"
scst_add_dev vdisk_nullio n41 "size_mb=256"
scst_add_local_target "$T"
scst_add_lun "$T" 0 f41
scst_add_lun "$T" 1 b41
scst_add_lun "$T" 2 n41
scst_add_session "$T" s1
fdisk=$(wait_lun_disk "$T" s1 0)
bdisk=$(wait_lun_disk "$T" s1 1)
ndisk=$(wait_lun_disk "$T" s1 2)
check_eq "$(disk_model "$fdisk")" f41 "model of LUN 0"
check_eq "$(disk_model "$bdisk")" b41 "model of LUN 1"
check_eq "$(disk_model "$ndisk")" n41 "model of LUN 2"
mark=$(dmesg_mark)

# --------------------------------------------------------------------------
step "ext4 on $fdisk (fileio)"
check mkfs.ext4 -q -F -b 4096 -L t41fs "$fdisk"
check mount -t ext4 "$fdisk" "$MNT"
mkdir -p "$MNT/dir/sub"
check dd if=/dev/urandom of="$MNT/big1" bs=1M count=6 status=none
check dd if=/dev/urandom of="$MNT/big2" bs=64k count=37 status=none
check dd if=/dev/urandom of="$MNT/odd" bs=1 count=12345 status=none
# 200 small files of different sizes and contents (one process only:
# starting programs is slow in the guest)
check dd if=/dev/urandom of="$W/rnd" bs=1M count=2 status=none
(cd "$MNT/dir/sub" && split -b 9973 -a 3 "$W/rnd" f) || fail "split failed"
echo "small text file" >"$MNT/dir/t.txt"
# a file written with O_DIRECT as well
check dd if=/dev/urandom of="$MNT/direct" bs=256k count=8 oflag=direct status=none
(cd "$MNT" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$W/sums"
check_eq "$(wc -l <"$W/sums")" 216 "number of files written"
check sync
check umount "$MNT"
check blockdev --flushbufs "$fdisk"
echo 3 >/proc/sys/vm/drop_caches

step "fsck and remount, verify checksums"
out=$(e2fsck -fn "$fdisk" 2>&1) || fail "e2fsck of $fdisk found problems: $out"
check mount -t ext4 -o ro "$fdisk" "$MNT"
(cd "$MNT" && sha256sum --quiet -c "$W/sums") || fail "checksums differ after remount"
check umount "$MNT"

step "the backing file holds the same file system"
out=$(e2fsck -fn "$W/f41.img" 2>&1) || fail "e2fsck of the backing file found problems: $out"
check debugfs -R "dump /big1 $W/big1.out" "$W/f41.img"
check_eq "$(sha256sum <"$W/big1.out" | cut -d' ' -f1)" "$(grep ' ./big1$' "$W/sums" | cut -d' ' -f1)" \
	"big1 read from the backing file"
check_no_io_errors "$mark" "file system phase"

# --------------------------------------------------------------------------
# fio_verify WHAT DISK BS SIZE: random writes with verification.
fio_verify() {
	local what=$1 disk=$2 bs=$3 size=$4 res rb wb n
	n=$(size_bytes "$size")
	step "fio $what: randwrite bs=$bs size=$size qd16 verify=crc32c on $disk"
	res=$(run_fio "$what" "$W/fio-$what.json" --name="$what" --filename="$disk" \
		--direct=1 --rw=randwrite --bs="$bs" --iodepth=16 --ioengine=libaio \
		--size="$size" --verify=crc32c --do_verify=1 --verify_fatal=1)
	read -r rb wb <<<"$res"
	check_eq "$wb" "$n" "fio $what: bytes written"
	check_eq "$rb" "$n" "fio $what: bytes read back for verification"
}

# same_data WHAT DISK BACKING BYTES: direct reads through the initiator
# equal the backing storage.
same_data() {
	local what=$1 disk=$2 back=$3 n=$4
	check dd if="$disk" of="$W/ini.bin" bs=1M count=$((n / 1048576)) iflag=direct status=none
	check dd if="$back" of="$W/back.bin" bs=1M count=$((n / 1048576)) status=none
	cmp "$W/ini.bin" "$W/back.bin" ||
		fail "$what: data read through $disk differs from the backing storage $back"
	rm -f "$W/ini.bin" "$W/back.bin"
}

mark=$(dmesg_mark)
fio_verify fileio-4k "$fdisk" 4k "$SZ4K"
fio_verify fileio-128k "$fdisk" 128k "$SZ128K"
same_data fileio "$fdisk" "$W/f41.img" "$(size_bytes "$SZ128K")"
fio_verify blockio-4k "$bdisk" 4k "$SZ4K"
fio_verify blockio-128k "$bdisk" 128k "$SZ128K"
same_data blockio "$bdisk" /dev/ram0 "$(size_bytes "$SZ128K")"
check_no_io_errors "$mark" "fio on fileio/blockio"

# --------------------------------------------------------------------------
step "fio on $ndisk (nullio): sequential and random reads"
mark=$(dmesg_mark)
res=$(run_fio nullio-seq "$W/fio-nseq.json" --name=nseq --filename="$ndisk" \
	--direct=1 --rw=read --bs=64k --iodepth=16 --ioengine=libaio --size=64M)
read -r rb wb <<<"$res"
check_eq "$rb" $((64 << 20)) "fio nullio-seq: bytes read"
check_eq "$wb" 0 "fio nullio-seq: bytes written"
res=$(run_fio nullio-rand "$W/fio-nrand.json" --name=nrand --filename="$ndisk" \
	--direct=1 --rw=randread --bs=4k --iodepth=16 --ioengine=libaio \
	--time_based --runtime=8)
read -r rb wb <<<"$res"
[ "$rb" -gt 0 ] || fail "fio nullio-rand read nothing"
step "nullio reads return zeros, also after writes"
check dd if=/dev/urandom of="$W/rnd" bs=64k count=16 status=none
check dd if="$W/rnd" of="$ndisk" bs=64k count=16 oflag=direct status=none
check dd if="$ndisk" of="$W/nread" bs=64k count=16 iflag=direct status=none
cmp -n $((1 << 20)) "$W/nread" /dev/zero || fail "nullio read returned non-zero data"
check dd if="$ndisk" of="$W/nread" bs=4k count=1 skip=$(((256 << 20) / 4096 - 1)) iflag=direct status=none
cmp -n 4096 "$W/nread" /dev/zero || fail "nullio read of the last block returned non-zero data"
check_no_io_errors "$mark" "nullio I/O"

step "teardown"
scst_teardown
check rmmod brd
finish_test t-41
