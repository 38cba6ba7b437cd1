#!/bin/bash
# iSCSI data path with open-iscsi (ISCSI_IMPL=scst|lio, see
# tests/lib/iscsi-helpers.sh):
#  - SendTargets discovery and login over 127.0.0.1, then over a veth pair
#    between two network namespaces (the target listening in the peer
#    namespace; for ours that means a daemon restart there);
#  - fio random writes with crc32c verification at 4k and 256k, iodepth
#    32, without digests and with HeaderDigest+DataDigest CRC32C; 256k
#    again over the veth pair with HeaderDigest only;
#  - ext4: mkfs, files written, umount, fsck, remount and checksums, and
#    again after moving to the veth portal;
#  - the nullio LUN: size, and zeros on read (ours).
set -euo pipefail
. "$TOP/tests/lib/iscsi-helpers.sh"

T=$IQN_BASE:t51
MNT=/mnt/t51
SZ4K=${FIO_4K_SIZE:-16M}
SZ256K=${FIO_256K_SIZE:-32M}
mkdir -p "$MNT"

# check_digests SID HDR DATA: negotiated digests, as the initiator and (if
# it shows them) the target see them.
check_digests() {
	local sid=$1 f v
	check_eq "$(iscsi_negotiated "$sid" HeaderDigest)" "$2" "negotiated HeaderDigest (initiator)"
	check_eq "$(iscsi_negotiated "$sid" DataDigest)" "$3" "negotiated DataDigest (initiator)"
	[ "$ISCSI_IMPL" = scst ] || return 0
	for f in "$ISYS/$T"/sessions/*/HeaderDigest "$ISYS/$T"/sessions/*/DataDigest; do
		[ -e "$f" ] || continue
		v=$(first_line "$f")
		case $f in
		*HeaderDigest) check_eq "$v" "$2" "negotiated HeaderDigest (target, $f)" ;;
		*) check_eq "$v" "$3" "negotiated DataDigest (target, $f)" ;;
		esac
	done
}

# login_disks PORTAL: log in and set FD (fileio LUN 0) and ND (nullio LUN 1).
login_disks() {
	iscsi_login_ok "$T" "$1"
	FD=$(iscsi_disk "$T" "$1" 0)
	ND=$(iscsi_disk "$T" "$1" 1)
	check_eq "$(iscsi_luns "$T" "$1")" "0 1" "LUNs seen over $1"
	check_eq "$(disk_mb "$FD")" 64 "size of LUN 0 ($FD)"
	check_eq "$(disk_mb "$ND")" 128 "size of LUN 1 ($ND)"
	wait_tgt_nsess "$T" 1 "$INI_A"
	SID=$(iscsi_sid "$T" "$1")
}

# discover PORTAL: the target must be listed.
discover() {
	step "SendTargets discovery at $1"
	iscsi_discover "$1" || fail "discovery at $1 failed: $ISCSI_OUT"
	info "discovery: ${ISCSI_OUT//$'\n'/ | }"
	has_line "$ISCSI_OUT" "^[^ ]+,[0-9]+ $T\$" || fail "discovery at $1 does not list $T: $ISCSI_OUT"
}

write_fs() {
	local d=$1 w=$IW/fs
	mkdir -p "$w"
	step "ext4 on $d"
	check mkfs.ext4 -q -F -b 4096 -L t51fs "$d"
	check mount -t ext4 "$d" "$MNT"
	mkdir -p "$MNT/dir/sub"
	check dd if=/dev/urandom of="$MNT/big1" bs=1M count=6 status=none
	check dd if=/dev/urandom of="$MNT/odd" bs=1 count=12345 status=none
	check dd if=/dev/urandom of="$w/rnd" bs=1M count=2 status=none
	(cd "$MNT/dir/sub" && split -b 9973 -a 3 "$w/rnd" f) || fail "split failed"
	check dd if=/dev/urandom of="$MNT/direct" bs=256k count=8 oflag=direct status=none
	(cd "$MNT" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$w/sums"
	check_eq "$(wc -l <"$w/sums")" 214 "number of files written"
	check sync
	check umount "$MNT"
}

check_fs() {
	local d=$1 out
	check blockdev --flushbufs "$d"
	echo 3 >/proc/sys/vm/drop_caches
	out=$(e2fsck -fn "$d" 2>&1) || fail "e2fsck of $d found problems: $out"
	check mount -t ext4 -o ro "$d" "$MNT"
	(cd "$MNT" && sha256sum --quiet -c "$IW/fs/sums") || fail "checksums differ on $d"
	check umount "$MNT"
}

# link_bytes: bytes sent + received on the root end of the veth pair.
link_bytes() {
	local rx tx
	read -r rx </sys/class/net/v-root/statistics/rx_bytes
	read -r tx </sys/class/net/v-root/statistics/tx_bytes
	echo $((rx + tx))
}

iscsi_test_init
iscsi_net_up
step "target $T: f51 (fileio 64 MiB) as LUN 0, n51 (nullio 128 MiB) as LUN 1"
iscsi_target_load
iscsi_add_fileio f51 64
iscsi_add_nullio n51 128
iscsi_add_target "$T"
iscsi_add_lun "$T" 0 f51
iscsi_add_lun "$T" 1 n51
iscsi_target_param "$T" HeaderDigest "CRC32C,None"
iscsi_target_param "$T" DataDigest "CRC32C,None"
iscsi_enable_target "$T"
iscsid_start
mark=$(dmesg_mark)

# --------------------------------------------------------------------------
P=127.0.0.1
discover "$P"
step "login over $P, no digests"
login_disks "$P"
check_digests "$SID" None None
fio_verify lo-4k "$FD" 4k "$SZ4K"
fio_verify lo-256k "$FD" 256k "$SZ256K"
if [ "$ISCSI_IMPL" = scst ]; then
	step "nullio LUN reads zeros"
	check dd if="$ND" of="$IW/nread" bs=64k count=16 iflag=direct status=none
	cmp -n $((1 << 20)) "$IW/nread" /dev/zero || fail "nullio read returned non-zero data"
fi
iscsi_logout "$T" "$P"
wait_tgt_nsess "$T" 0

step "login over $P with HeaderDigest and DataDigest CRC32C"
iscsi_node_set "$T" "$P" "" "node.conn[0].iscsi.HeaderDigest" CRC32C
iscsi_node_set "$T" "$P" "" "node.conn[0].iscsi.DataDigest" CRC32C
login_disks "$P"
check_digests "$SID" CRC32C CRC32C
fio_verify lo-crc-4k "$FD" 4k "$SZ4K"
fio_verify lo-crc-256k "$FD" 256k "$SZ256K"
write_fs "$FD"
check_fs "$FD"
iscsi_logout "$T" "$P"
wait_tgt_nsess "$T" 0
check_no_io_errors "$mark" "I/O over 127.0.0.1"

# --------------------------------------------------------------------------
step "target portal moves into the peer namespace ($PEER_IP, over veth)"
iscsi_move_portal peer
P=$PEER_IP
discover "$P"
bytes0=$(link_bytes)
step "login over $P with HeaderDigest CRC32C, DataDigest None"
iscsi_node_new "$T" "$P"
iscsi_node_set "$T" "$P" "" "node.conn[0].iscsi.HeaderDigest" CRC32C
iscsi_node_set "$T" "$P" "" "node.conn[0].iscsi.DataDigest" None
login_disks "$P"
check_eq "$(iscsi_sess_attr "$SID" address)" "$PEER_IP" "target address of the connection"
check_digests "$SID" CRC32C None
check_fs "$FD"
fio_verify veth-256k "$FD" 256k "$SZ256K"
bytes=$(($(link_bytes) - bytes0))
[ "$bytes" -gt $((2 * $(numfmt --from=iec "$SZ256K"))) ] ||
	fail "only $bytes bytes crossed the veth pair"
info "$bytes bytes crossed the veth pair"
iscsi_logout "$T" "$P"
wait_tgt_nsess "$T" 0
check_no_io_errors "$mark" "I/O over the veth pair"

step "teardown"
iscsi_cleanup
finish_test t-51
