#!/bin/bash
# vdisk identity and geometry as a Linux initiator sees it through
# scst_local: standard INQUIRY, VPD pages 00h/80h/83h/B0h, READ CAPACITY
# (10)/(16), MODE SENSE (caching and control pages, block descriptor, WP),
# REPORT SUPPORTED OPERATION CODES, for vdisk_fileio (512 and 4096 byte
# blocks), vdisk_blockio (brd) and vdisk_nullio; a second target port;
# read-only LUNs and read-only devices refuse writes with DATA PROTECT;
# the attributes scsi_device_name, eui64_id, inq_vend_specific (VPD 83h
# designators, INQUIRY vendor specific bytes, INQUIRY DATA HAS CHANGED),
# lb_per_pb_exp (READ CAPACITY(16), CAPACITY DATA HAS CHANGED) and nullio's
# read_zero, including refused values.
set -euo pipefail
. "$TOP/tests/lib/scst-test-lib.sh"

W=/tmp/t40
T=t40_tgt
T2=t40_tgt2
mkdir -p "$W"

step "backing storage"
truncate -s 64M "$W/fio0.img"
truncate -s 64M "$W/fio4k.img"
# Read-only export: a recognisable pattern, so that reads are checked too.
{ yes 'SCST read-only LUN pattern 0123456789' || true; } | head -c 8M >"$W/ro.img"
ro_sum=$(sha256sum <"$W/ro.img")
check modprobe brd rd_nr=1 rd_size=65536
wait_until 10 test -b /dev/ram0 || fail "/dev/ram0 did not appear"
check dd if=/dev/zero of=/dev/ram0 bs=1M count=64 status=none

step "load SCST, create devices"
scst_test_init
scst_add_dev vdisk_fileio fio0 "filename=$W/fio0.img"
scst_add_dev vdisk_fileio fio4k "filename=$W/fio4k.img; blocksize=4096"
scst_add_dev vdisk_blockio bio0 "filename=/dev/ram0"
scst_add_dev vdisk_nullio nul0 "size_mb=128"
scst_add_dev vdisk_fileio fioro "filename=$W/ro.img"
scst_add_dev vdisk_nullio nulro "size_mb=8; read_only=1"
attr_is "$S/devices/fio4k/blocksize" 4096 "fio4k blocksize"
attr_is "$S/devices/fio0/blocksize" 512 "fio0 blocksize"
attr_is "$S/devices/nulro/read_only" 1 "nulro read_only"

step "targets, LUNs, sessions"
scst_add_local_target "$T"
scst_add_local_target "$T2"
scst_add_lun "$T" 0 fio0
scst_add_lun "$T" 1 fio4k
scst_add_lun "$T" 2 bio0
scst_add_lun "$T" 3 nul0
scst_add_lun "$T" 4 fioro read_only
scst_add_lun "$T" 5 nulro
scst_add_lun "$T2" 0 nul0
scst_add_session "$T" s1
scst_add_session "$T2" s2
for l in 0 1 2 3 4 5; do
	wait_lun_disk "$T" s1 $l >/dev/null
done
wait_lun_disk "$T2" s2 0 >/dev/null
scan_settle "$(sess_host "$T" s1)"
check_eq "$(sess_luns "$T" s1)" "0 1 2 3 4 5" "LUNs seen by session $T/s1"
check_eq "$(sess_luns "$T2" s2)" "0" "LUNs seen by session $T2/s2"
check_eq "$(disk_for fio4k "$T" s1)" "$(disk_for_lun "$T" s1 1)" "disk_for fio4k"

rel1=$(first_line "$LOCAL/$T/rel_tgt_id")
rel2=$(first_line "$LOCAL/$T2/rel_tgt_id")
for r in "$rel1" "$rel2"; do
	if ! [[ $r =~ ^[0-9]+$ ]] || [ "$r" -lt 1 ] || [ "$r" -gt 65535 ]; then
		fail "rel_tgt_id '$r' of a target is not in 1..65535"
	fi
done
[ "$rel1" != "$rel2" ] || fail "targets $T and $T2 have the same rel_tgt_id $rel1"

declare -A SERIAL=() NAA=()	# "tgt/dev" -> unit serial number / NAA designator

# dev_attr DEV ATTR: first line of a device attribute, empty if absent.
dev_attr() {
	if [ -e "$S/devices/$1/$2" ]; then
		first_line "$S/devices/$1/$2"
	fi
	return 0
}

# --------------------------------------------------------------------------
# Standard INQUIRY.  check_inquiry SG DEV VENDOR
check_inquiry() {
	local sg=$1 dev=$2 vendor=$3 f=$W/inq.$2 out want v
	scsi_in "$sg" 96 "$f" 12 00 00 00 60 00
	expect_good "$dev: INQUIRY"
	load_bytes "$f"
	[ "$NB" -ge 36 ] || fail "$dev: standard INQUIRY returned only $NB bytes"
	want=$(($(be 4 1) + 5))
	[ "$want" -le 96 ] || want=96
	check_eq "$NB" "$want" "$dev: INQUIRY bytes transferred vs ADDITIONAL LENGTH+5 (residual)"
	check_eq "${B[0]}" 00 "$dev: INQUIRY byte 0 (PQ 0, PDT 0 = disk)"
	case ${B[2]} in
	05 | 06 | 07) ;;
	*) fail "$dev: INQUIRY VERSION is 0x${B[2]}, expected SPC-3..5 (05h..07h)" ;;
	esac
	check_eq "$((16#${B[3]} & 15))" 2 "$dev: RESPONSE DATA FORMAT"
	check_eq "$(((16#${B[7]} >> 1) & 1))" 1 "$dev: CMDQUE"
	check_eq "$(str 8 8)" "$(printf '%-8s' "$vendor")" "$dev: T10 VENDOR IDENTIFICATION"
	check_eq "$(str 16 16)" "$(printf '%-16s' "$dev")" "$dev: PRODUCT IDENTIFICATION"
	v=$(dev_attr "$dev" t10_vend_id)
	[ -z "$v" ] || check_eq "$(rtrim "$v")" "$vendor" "$dev: t10_vend_id attribute"
	v=$(dev_attr "$dev" prod_id)
	[ -z "$v" ] || check_eq "$(rtrim "$v")" "$dev" "$dev: prod_id attribute"
	v=$(dev_attr "$dev" prod_rev_lvl)
	[ -z "$v" ] || check_eq "$(rtrim "$(str 32 4)")" "$(rtrim "$v")" "$dev: PRODUCT REVISION LEVEL vs prod_rev_lvl"
	out=$(sg_inq "$sg") || fail "$dev: sg_inq failed: $out"
	for want in "Vendor identification: $vendor" "Product identification: $dev" \
		"Peripheral device type: disk"; do
		[[ $out == *"$want"* ]] || fail "$dev: sg_inq output lacks '$want': $out"
	done
}

# --------------------------------------------------------------------------
# VPD pages.  vpd_page SG DEV PAGE: fetch a VPD page into B[]; checks the
# header and that exactly PAGE LENGTH + 4 bytes were transferred.
vpd_page() {
	local sg=$1 dev=$2 p=$3 f=$W/vpd.$2.$3
	scsi_in "$sg" 1020 "$f" 12 01 "$p" 03 fc 00
	expect_good "$dev: INQUIRY VPD page 0x$p"
	load_bytes "$f"
	[ "$NB" -ge 4 ] || fail "$dev: VPD page 0x$p: only $NB bytes"
	check_eq "${B[1]}" "$p" "$dev: VPD page 0x$p: PAGE CODE"
	check_eq "$NB" "$(($(be 2 2) + 4))" "$dev: VPD page 0x$p: bytes transferred vs PAGE LENGTH+4 (residual)"
}

# check_vpd SG DEV VENDOR BS TGT REL
check_vpd() {
	local sg=$1 dev=$2 vendor=$3 bs=$4 tgt=$5 rel=$6
	local i p pages off end a t cs l naa id v out usn lu_naa lu_t10 tp_rel tp_name
	local max opt

	# 00h: supported pages, each listed page must be retrievable
	vpd_page "$sg" "$dev" 00
	pages=()
	for ((i = 4; i < NB; i++)); do pages+=("${B[$i]}"); done
	for p in 00 80 83 b0; do
		[[ " ${pages[*]} " == *" $p "* ]] || fail "$dev: VPD 00h does not list page ${p}h (lists: ${pages[*]})"
	done
	for ((i = 1; i < ${#pages[@]}; i++)); do
		[ $((16#${pages[$i]})) -gt $((16#${pages[$((i - 1))]})) ] ||
			fail "$dev: VPD 00h page list not in ascending order: ${pages[*]}"
	done
	for p in "${pages[@]}"; do
		case $p in
		00 | 80 | 83 | b0) ;;	# fetched and checked below
		*) vpd_page "$sg" "$dev" "$p" ;;
		esac
	done

	# 80h: unit serial number
	vpd_page "$sg" "$dev" 80
	usn=$(rtrim "$(str 4 $(($(be 2 2))))")
	usn=${usn#"${usn%%[! ]*}"}
	[ -n "$usn" ] || fail "$dev: empty unit serial number"
	[[ $usn =~ ^[[:print:]]+$ ]] || fail "$dev: unit serial number '$usn' not printable ASCII"
	v=$(dev_attr "$dev" usn)
	[ -z "$v" ] || check_eq "$usn" "$v" "$dev: VPD 80h serial vs usn attribute"
	out=$(sg_vpd -p 0x80 "$sg") || fail "$dev: sg_vpd -p 0x80 failed: $out"
	[[ $out == *"Unit serial number: $usn"* ]] || fail "$dev: sg_vpd -p 0x80 output: $out"
	SERIAL[$tgt/$dev]=$usn

	# 83h: device identification
	vpd_page "$sg" "$dev" 83
	off=4
	end=$NB
	lu_naa='' lu_t10='' tp_rel='' tp_name=''
	while [ $off -lt "$end" ]; do
		[ $((off + 4)) -le "$end" ] || fail "$dev: VPD 83h: truncated designator header at $off"
		cs=$((16#${B[$off]} & 15))
		a=$(((16#${B[$((off + 1))]} >> 4) & 3))
		t=$((16#${B[$((off + 1))]} & 15))
		l=$((16#${B[$((off + 3))]}))
		[ $((off + 4 + l)) -le "$end" ] || fail "$dev: VPD 83h: designator at $off overruns the page"
		id=
		for ((i = off + 4; i < off + 4 + l; i++)); do id+=${B[$i]}; done
		case "$a/$t" in
		0/3)	# NAA, logical unit
			check_eq "$cs" 1 "$dev: NAA designator code set (binary)"
			naa=${id:0:1}
			case "$naa/$l" in
			2/8 | 3/8 | 5/8 | 6/16) ;;
			*) fail "$dev: NAA designator: NAA $naa with length $l ($id)" ;;
			esac
			lu_naa=$id ;;
		0/1)	# T10 vendor ID based, logical unit
			check_eq "$cs" 2 "$dev: T10 vendor designator code set (ASCII)"
			[ "$l" -gt 8 ] || fail "$dev: T10 vendor designator too short ($l)"
			check_eq "$(str $((off + 4)) 8)" "$(printf '%-8s' "$vendor")" "$dev: T10 vendor designator vendor"
			lu_t10=$(rtrim "$(str $((off + 12)) $((l - 8)))") ;;
		1/4)	# relative target port
			check_eq "$l" 4 "$dev: relative target port designator length"
			tp_rel=$(be $((off + 6)) 2) ;;
		1/8)	# SCSI name string of the target port
			check_eq "$cs" 3 "$dev: SCSI name string designator code set (UTF-8)"
			[ $((l % 4)) -eq 0 ] || fail "$dev: SCSI name string length $l not a multiple of 4"
			tp_name=$(str $((off + 4)) "$l") ;;
		esac
		off=$((off + 4 + l))
	done
	[ -n "$lu_naa" ] || fail "$dev: VPD 83h has no NAA designator for the logical unit"
	[ -n "$lu_t10" ] || fail "$dev: VPD 83h has no T10 vendor ID designator for the logical unit"
	v=$(dev_attr "$dev" t10_dev_id)
	[ -z "$v" ] || check_eq "$lu_t10" "$v" "$dev: T10 vendor designator vs t10_dev_id attribute"
	[ -n "$tp_rel" ] || fail "$dev: VPD 83h has no relative target port designator"
	check_eq "$tp_rel" "$rel" "$dev: relative target port identifier vs $tgt/rel_tgt_id"
	[ -n "$tp_name" ] || fail "$dev: VPD 83h has no SCSI name string designator for the target port"
	[ "$tp_name" = "$tgt" ] || [[ $tp_name == "$tgt,t,0x"* ]] ||
		fail "$dev: target port name designator '$tp_name', expected '$tgt'"
	NAA[$tgt/$dev]=$lu_naa
	out=$(sg_vpd -p 0x83 "$sg") || fail "$dev: sg_vpd -p 0x83 failed: $out"
	[[ $out == *"designator type: NAA"* ]] || fail "$dev: sg_vpd 0x83: no NAA: $out"
	has_line "$out" "Relative target port: 0x0*$(printf '%x' "$rel")\$" ||
		fail "$dev: sg_vpd 0x83 relative target port is not $rel: $out"

	# B0h: block limits
	vpd_page "$sg" "$dev" b0
	[ "$(be 2 2)" -ge 60 ] || fail "$dev: block limits page length $(be 2 2) < 3Ch"
	max=$(be 8 4)
	opt=$(be 12 4)
	[ "$max" -gt 0 ] || fail "$dev: block limits MAXIMUM TRANSFER LENGTH is 0"
	v=$(dev_attr "$dev" opt_trans_len)
	[ -z "$v" ] || check_eq "$opt" "$((v / bs))" "$dev: OPTIMAL TRANSFER LENGTH (blocks) vs opt_trans_len $v / $bs"
	out=$(sg_vpd -p 0xb0 "$sg") || fail "$dev: sg_vpd -p 0xb0 failed: $out"
	[[ $out == *"Maximum transfer length: $max blocks"* ]] || fail "$dev: sg_vpd 0xb0: $out"
	info "$dev via $tgt: VPD pages ${pages[*]}; serial '$usn'; NAA $lu_naa; T10 id '$vendor$lu_t10'; port $tp_rel '$tp_name'; max/opt transfer $max/$opt blocks"
}

# --------------------------------------------------------------------------
# READ CAPACITY.  check_capacity SG DISK DEV BS BLOCKS
check_capacity() {
	local sg=$1 disk=$2 dev=$3 bs=$4 blocks=$5 out
	out=$(sg_readcap -l "$sg") || fail "$dev: sg_readcap -l failed: $out"
	has_line "$out" "Number of logical blocks=$blocks\$" ||
		fail "$dev: READ CAPACITY(16): expected $blocks blocks: $out"
	[[ $out == *"Logical block length=$bs bytes"* ]] ||
		fail "$dev: READ CAPACITY(16): expected block length $bs: $out"
	[[ $out == *"prot_en=0"* ]] || fail "$dev: READ CAPACITY(16): protection enabled? $out"
	out=$(sg_readcap "$sg") || fail "$dev: sg_readcap failed: $out"
	has_line "$out" "Number of logical blocks=$blocks\$" ||
		fail "$dev: READ CAPACITY(10): expected $blocks blocks: $out"
	[[ $out == *"Logical block length=$bs bytes"* ]] ||
		fail "$dev: READ CAPACITY(10): expected block length $bs: $out"
	attr_is "/sys/block/${disk#/dev/}/queue/logical_block_size" "$bs" "$dev: Linux logical_block_size"
	attr_is "/sys/block/${disk#/dev/}/size" "$((blocks * bs / 512))" "$dev: Linux disk size (512-byte sectors)"
}

# --------------------------------------------------------------------------
# MODE SENSE.  check_modes SG DISK DEV BS BLOCKS WP WCE(0/1/-)
check_modes() {
	local sg=$1 disk=$2 dev=$3 bs=$4 blocks=$5 wp=$6 wce=$7 f=$W/ms.$3
	local len bdl off pc pl cache='' ctrl='' v nb out sdev
	scsi_in "$sg" 4096 "$f" 5a 00 3f 00 00 00 00 10 00 00
	expect_good "$dev: MODE SENSE(10) all pages"
	load_bytes "$f"
	len=$(($(be 0 2) + 2))
	check_eq "$NB" "$len" "$dev: MODE SENSE(10) bytes transferred vs MODE DATA LENGTH+2"
	check_eq "$(((16#${B[3]} >> 7) & 1))" "$wp" "$dev: MODE SENSE WP bit"
	bdl=$(be 6 2)
	check_eq "$bdl" 8 "$dev: block descriptor length"
	nb=$blocks
	[ "$nb" -le 4294967294 ] || nb=4294967295
	check_eq "$(be 8 4)" "$nb" "$dev: block descriptor NUMBER OF LOGICAL BLOCKS"
	check_eq "$(be 13 3)" "$bs" "$dev: block descriptor LOGICAL BLOCK LENGTH"
	off=$((8 + bdl))
	while [ $off -lt $len ]; do
		pc=$((16#${B[$off]} & 63))
		if (((16#${B[$off]} & 64) != 0)); then	# subpage format
			pl=$(($(be $((off + 2)) 2) + 4))
		else
			pl=$((16#${B[$((off + 1))]} + 2))
		fi
		case $pc in
		8) cache=$off
		   check_eq "${B[$((off + 1))]}" 12 "$dev: caching page length" ;;
		10) ctrl=$off
		    check_eq "${B[$((off + 1))]}" 0a "$dev: control page length" ;;
		esac
		off=$((off + pl))
	done
	check_eq "$off" "$len" "$dev: mode pages do not add up to the mode data length"
	[ -n "$cache" ] || fail "$dev: no caching mode page (08h)"
	[ -n "$ctrl" ] || fail "$dev: no control mode page (0Ah)"
	check_eq "$((16#${B[$((cache + 2))]} & 1))" 0 "$dev: caching page RCD"
	if [ "$wce" != - ]; then
		check_eq "$(((16#${B[$((cache + 2))]} >> 2) & 1))" "$wce" "$dev: caching page WCE"
		# (sd treats a write-protected disk as write through)
		if [ "$wp" = 0 ]; then
			sdev=$(link_name "/sys/block/${disk#/dev/}/device")
			if [ "$wce" = 1 ]; then v="write back"; else v="write through"; fi
			attr_is "/sys/class/scsi_disk/$sdev/cache_type" "$v" "$dev: Linux cache_type"
		fi
	fi
	check_eq "$(((16#${B[$((ctrl + 2))]} >> 2) & 1))" 0 "$dev: control page D_SENSE (default 0)"
	v=$(dev_attr "$dev" tst)
	[ -z "$v" ] || check_eq "$((16#${B[$((ctrl + 2))]} >> 5))" "$v" "$dev: control page TST vs tst attribute"
	attr_is "/sys/block/${disk#/dev/}/ro" "$wp" "$dev: Linux read-only flag of $disk"

	out=$(sg_modes -a "$sg") || fail "$dev: sg_modes -a failed: $out"
	has_line "$out" '^>> Caching' || fail "$dev: sg_modes -a shows no caching page: $out"
	[[ $out == *"WP=$wp"* ]] || fail "$dev: sg_modes -a: WP is not $wp: $out"
	out=$(sg_modes -p 0x0a "$sg") || fail "$dev: sg_modes -p 0x0a failed: $out"
	has_line "$out" '^>> Control' || fail "$dev: sg_modes -p 0x0a shows no control page: $out"
	out=$(sg_modes -6 -p 0x08 "$sg") || fail "$dev: MODE SENSE(6) caching page failed: $out"
	has_line "$out" '^>> Caching' || fail "$dev: MODE SENSE(6) shows no caching page: $out"
}

# --------------------------------------------------------------------------
# REPORT SUPPORTED OPERATION CODES.  check_rsoc SG DEV
check_rsoc() {
	local sg=$1 dev=$2 f=$W/rsoc.$2 len off op sa fl cl list=" " want out
	scsi_in "$sg" 8192 "$f" a3 0c 00 00 00 00 00 00 20 00 00 00
	expect_good "$dev: REPORT SUPPORTED OPERATION CODES (all)"
	load_bytes "$f"
	len=$(($(be 0 4) + 4))
	check_eq "$NB" "$len" "$dev: RSOC bytes transferred vs COMMAND DATA LENGTH+4"
	off=4
	while [ $off -lt $len ]; do
		op=${B[$off]}
		sa=$(be $((off + 2)) 2)
		fl=$((16#${B[$((off + 5))]}))
		cl=$(be $((off + 6)) 2)
		if ((fl & 1)); then
			list+="$op/$(printf '%x' "$sa"):$cl "
		else
			list+="$op:$cl "
		fi
		off=$((off + 8))
		if ((fl & 2)); then
			off=$((off + 12))	# command timeouts descriptor
		fi
	done
	check_eq "$off" "$len" "$dev: RSOC descriptors do not add up to the data length"
	for want in 00:6 12:6 25:10 28:10 2a:10 88:16 8a:16 9e/10:16 a0:12; do
		[[ $list == *" $want "* ]] || fail "$dev: RSOC does not list $want (opcode[/sa]:cdb length); got:$list"
	done
	# one command: READ(10) supported per standard, CDB usage data
	scsi_in "$sg" 64 "$f.1" a3 0c 01 28 00 00 00 00 00 40 00 00
	expect_good "$dev: RSOC one command READ(10)"
	load_bytes "$f.1"
	check_eq "$((16#${B[1]} & 7))" 3 "$dev: RSOC READ(10) SUPPORT"
	check_eq "$(be 2 2)" 10 "$dev: RSOC READ(10) CDB SIZE"
	check_eq "${B[4]}" 28 "$dev: RSOC READ(10) CDB USAGE DATA byte 0"
	# with service action: READ CAPACITY(16)
	scsi_in "$sg" 64 "$f.2" a3 0c 02 9e 00 10 00 00 00 40 00 00
	expect_good "$dev: RSOC one command READ CAPACITY(16)"
	load_bytes "$f.2"
	check_eq "$((16#${B[1]} & 7))" 3 "$dev: RSOC READ CAPACITY(16) SUPPORT"
	check_eq "$(be 2 2)" 16 "$dev: RSOC READ CAPACITY(16) CDB SIZE"
	# an opcode no disk implements (obsolete 02h)
	scsi_in "$sg" 64 "$f.3" a3 0c 01 02 00 00 00 00 00 40 00 00
	expect_good "$dev: RSOC one command 02h"
	load_bytes "$f.3"
	check_eq "$((16#${B[1]} & 7))" 1 "$dev: RSOC SUPPORT of unimplemented opcode 02h"

	out=$(sg_opcodes "$sg") || fail "$dev: sg_opcodes failed: $out"
	has_line "$out" '^ 28 .*Read\(10\)' || fail "$dev: sg_opcodes does not list Read(10): $out"
	has_line "$out" '^ 2a .*Write\(10\)' || fail "$dev: sg_opcodes does not list Write(10): $out"
}

# check_lun TGT SESS LUN DEV VENDOR BS BLOCKS WP WCE [LEVEL]
# LEVEL full (default): everything; ro: INQUIRY, capacity, mode pages;
# port: INQUIRY and VPD pages (a second path to an LU checked in full).
check_lun() {
	local tgt=$1 sess=$2 lun=$3 dev=$4 vendor=$5 bs=$6 blocks=$7 wp=$8 wce=$9
	local level=${10:-full} disk sg rel
	disk=$(disk_for_lun "$tgt" "$sess" "$lun")
	sg=$(sg_for_lun "$tgt" "$sess" "$lun")
	step "identity of $dev ($tgt/$sess LUN $lun = $disk $sg)"
	check_eq "$(disk_model "$disk")" "$dev" "$dev: model of $disk"
	check_eq "$(disk_vendor "$disk")" "$vendor" "$dev: vendor of $disk"
	tur_until_good "$sg" >/dev/null
	rel=$(first_line "$LOCAL/$tgt/rel_tgt_id")
	check_inquiry "$sg" "$dev" "$vendor"
	[ "$level" = ro ] || check_vpd "$sg" "$dev" "$vendor" "$bs" "$tgt" "$rel"
	[ "$level" = port ] && return 0
	check_capacity "$sg" "$disk" "$dev" "$bs" "$blocks"
	check_modes "$sg" "$disk" "$dev" "$bs" "$blocks" "$wp" "$wce"
	[ "$level" = ro ] || check_rsoc "$sg" "$dev"
}

nul_vendor=$(rtrim "$(dev_attr nul0 t10_vend_id)")
[ -n "$nul_vendor" ] || nul_vendor=$(disk_vendor "$(disk_for_lun "$T" s1 3)")
[[ $nul_vendor == SCST_* ]] || fail "nullio vendor '$nul_vendor' does not start with SCST_"

check_lun "$T" s1 0 fio0 SCST_FIO 512 131072 0 1
check_lun "$T" s1 1 fio4k SCST_FIO 4096 16384 0 1
check_lun "$T" s1 2 bio0 SCST_BIO 512 131072 0 1
check_lun "$T" s1 3 nul0 "$nul_vendor" 512 262144 0 -
check_lun "$T" s1 4 fioro SCST_FIO 512 16384 1 1 ro
check_lun "$T" s1 5 nulro "$nul_vendor" 512 16384 1 - ro
check_lun "$T2" s2 0 nul0 "$nul_vendor" 512 262144 0 - port

step "identifiers are unique per logical unit and equal across ports"
declare -A seen_sn=() seen_naa=()
for k in "${!SERIAL[@]}"; do
	[ "${k%%/*}" = "$T" ] || continue
	[ -z "${seen_sn[${SERIAL[$k]}]:-}" ] ||
		fail "unit serial number ${SERIAL[$k]} of ${k#*/} also used by ${seen_sn[${SERIAL[$k]}]}"
	seen_sn[${SERIAL[$k]}]=${k#*/}
	[ -z "${seen_naa[${NAA[$k]}]:-}" ] ||
		fail "NAA designator ${NAA[$k]} of ${k#*/} also used by ${seen_naa[${NAA[$k]}]}"
	seen_naa[${NAA[$k]}]=${k#*/}
done
check_eq "${SERIAL[$T2/nul0]}" "${SERIAL[$T/nul0]}" "nul0 serial number through $T2 vs $T"
check_eq "${NAA[$T2/nul0]}" "${NAA[$T/nul0]}" "nul0 NAA designator through $T2 vs $T"

# --------------------------------------------------------------------------
# Identity and geometry attributes of the classic contract: scsi_device_name,
# eui64_id, inq_vend_specific, lb_per_pb_exp and nullio's read_zero.

# lu_desig SG DEV TYPE: "CODESET LENGTH HEX" of the designator of TYPE
# associated with the logical unit in VPD 83h; empty if there is none.
lu_desig() {
	local off=4 a t l i id r=''
	vpd_page "$1" "$2" 83
	while [ $off -lt "$NB" ]; do
		a=$(((16#${B[$((off + 1))]} >> 4) & 3))
		t=$((16#${B[$((off + 1))]} & 15))
		l=$((16#${B[$((off + 3))]}))
		[ $((off + 4 + l)) -le "$NB" ] || fail "$2: VPD 83h: designator at $off overruns the page"
		if [ "$a/$t" = "0/$3" ]; then
			[ -z "$r" ] || fail "$2: VPD 83h: two LU designators of type $3"
			id=
			for ((i = off + 4; i < off + 4 + l; i++)); do id+=${B[$i]}; done
			r="$((16#${B[$off]} & 15)) $l $id"
		fi
		off=$((off + 4 + l))
	done
	echo "$r"
}

# desig_is SG DEV TYPE WANT WHAT: lu_desig must print WANT (the
# assignment makes a failure inside lu_desig end the test)
desig_is() {
	local r
	r=$(lu_desig "$1" "$2" "$3")
	check_eq "$r" "$4" "$5"
}

# vend_bytes SG DEV: bytes 36..55 of the standard INQUIRY data, as hex
vend_bytes() {
	local i s=
	scsi_in "$1" 96 "$W/inqv.$2" 12 00 00 00 60 00
	expect_good "$2: INQUIRY"
	load_bytes "$W/inqv.$2"
	[ "$NB" -ge 56 ] || fail "$2: standard INQUIRY returned only $NB bytes"
	for ((i = 36; i < 56; i++)); do s+=${B[$i]}; done
	echo "$s"
}

vend_is() {
	local r
	r=$(vend_bytes "$1" "$2")
	check_eq "$r" "$3" "$4"
}

# hexstr STRING: the bytes of STRING as lower case hex
hexstr() {
	local LC_ALL=C s=$1 i h=
	for ((i = 0; i < ${#s}; i++)); do printf -v h '%s%02x' "$h" "'${s:i:1}"; done
	echo "$h"
}

# sg3_hex CMD...: the response data an sg3_utils command prints with -HH
# (hex bytes only, no offsets or ASCII) as one lower case hex string
sg3_hex() {
	local out
	out=$("$@" -HH) || fail "$* -HH failed: $out"
	grep -E '^[0-9a-f]{2}( |$)' <<<"$out" | tr -d ' \n'
}

# expect_ua WHAT SENSE SG...: the next command of every SG gets the UA
# (once), then TEST UNIT READY is GOOD again.
expect_ua() {
	local what=$1 sense=$2 sg
	shift 2
	for sg in "$@"; do
		scsi_cmd "$sg" 00 00 00 00 00 00
		expect_sense "$what: UA on $sg" "$sense"
		scsi_cmd "$sg" 00 00 00 00 00 00
		expect_good "$what: TUR on $sg after the UA"
	done
}

# no_ua WHAT SG...: nothing pending
no_ua() {
	local what=$1 sg
	shift
	for sg in "$@"; do
		scsi_cmd "$sg" 00 00 00 00 00 00
		expect_good "$what: no UA on $sg"
	done
}

# key_is ATTR 0|1: whether the "[key]" marker line is there
key_is() {
	local k=0
	[ "$(sed -n 2p "$1")" != "[key]" ] || k=1
	check_eq "$k" "$2" "[key] mark of $1"
}

# rejected ATTR VALUE DEV NAME SG...: the write fails with EINVAL and a
# kernel message naming the device and attribute, the attribute and the
# [key] mark stay, no UA is queued.
rejected() {
	local attr=$1 val=$2 dev=$3 name=$4 old mark
	shift 4
	old=$(cat "$attr")
	mark=$(dmesg_mark)
	must_fail "$attr" "$EINVAL" "$val"
	check_eq "$(cat "$attr")" "$old" "$attr after refused '$val'"
	dmesg_has "$mark" "vdisk: $dev: invalid $name" ||
		fail "no kernel message naming $dev and $name for '$val'"
	no_ua "$name '$val' refused" "$@"
}

sgN=$(sg_for_lun "$T" s1 3)
sgN2=$(sg_for_lun "$T2" s2 0)
sgF=$(sg_for_lun "$T" s1 0)
sgB=$(sg_for_lun "$T" s1 2)
for sg in "$sgN" "$sgN2" "$sgF" "$sgB"; do tur_until_good "$sg" >/dev/null; done
zero20=$(printf '%040d' 0)

step "new attributes: defaults"
for d in fio0 bio0 nul0; do
	for a in scsi_device_name eui64_id inq_vend_specific; do
		attr_is "$S/devices/$d/$a" "" "$d: default $a"
		key_is "$S/devices/$d/$a" 0
	done
	[ -e "$S/devices/$d/lb_per_pb_exp" ] || fail "$d has no lb_per_pb_exp"
done
attr_is "$S/devices/nul0/read_zero" 0 "nul0: default read_zero"
key_is "$S/devices/nul0/read_zero" 0
for d in fio0 bio0; do
	[ ! -e "$S/devices/$d/read_zero" ] || fail "$d has read_zero (nullio only)"
done
desig_is "$sgN" nul0 2 "" "nul0: no EUI-64 designator by default"
desig_is "$sgN" nul0 8 "" "nul0: no LU SCSI name string by default"
vend_is "$sgN" nul0 "$zero20" "nul0: INQUIRY bytes 36..55 by default"
vend_is "$sgF" fio0 "$zero20" "fio0: INQUIRY bytes 36..55 by default"

step "scsi_device_name"
A=$S/devices/nul0/scsi_device_name
name=iqn.2026-11.org.example:nul0
echo "$name" >"$A"
attr_is "$A" "$name" "nul0 scsi_device_name"
key_is "$A" 1
expect_ua "scsi_device_name" "6 3f 03" "$sgN" "$sgN2"
# 28 characters + NUL: 29 bytes padded to 32
want="3 32 $(hexstr "$name")00000000"
desig_is "$sgN" nul0 8 "$want" "nul0: SCSI name string designator (code set, length, bytes)"
desig_is "$sgN2" nul0 8 "$want" "nul0: SCSI name string designator through $T2"
desig_is "$sgF" fio0 8 "" "fio0: no LU SCSI name string"
out=$(sg_vpd -p 0x83 "$sgN") || fail "sg_vpd -p 0x83 failed: $out"
[[ $out == *"SCSI name string"*"$name"* ]] || fail "sg_vpd -p 0x83 does not show the name: $out"
out=$(sg3_hex sg_vpd -p 0x83 "$sgN")
[[ $out == *"03080020$(hexstr "$name")00000000"* ]] ||
	fail "sg_vpd -p 0x83 -HH lacks the SCSI name string designator: $out"
long=$(printf 'n%.0s' {1..251})
echo "$long" >"$A"
attr_is "$A" "$long" "nul0 scsi_device_name of 251 characters"
expect_ua "scsi_device_name 251" "6 3f 03" "$sgN" "$sgN2"
desig_is "$sgN" nul0 8 "3 252 $(hexstr "$long")00" "nul0: longest SCSI name string designator"
echo "$name" >"$A"
expect_ua "scsi_device_name" "6 3f 03" "$sgN" "$sgN2"
rejected "$A" "iqn.x y" nul0 scsi_device_name "$sgN" "$sgN2"
rejected "$A" "${long}n" nul0 scsi_device_name "$sgN" "$sgN2"
rejected "$A" $'iqn.\x01x' nul0 scsi_device_name "$sgN" "$sgN2"
desig_is "$sgN" nul0 8 "$want" "nul0: SCSI name string after refused writes"
echo >"$A"
attr_is "$A" "" "nul0 scsi_device_name cleared"
key_is "$A" 0
expect_ua "scsi_device_name cleared" "6 3f 03" "$sgN" "$sgN2"
desig_is "$sgN" nul0 8 "" "nul0: no LU SCSI name string once cleared"

step "eui64_id"
A=$S/devices/nul0/eui64_id
echo 0x001405ABCDEF0123 >"$A"
attr_is "$A" 001405abcdef0123 "nul0 eui64_id (8 bytes)"
key_is "$A" 1
expect_ua "eui64_id" "6 3f 03" "$sgN" "$sgN2"
desig_is "$sgN" nul0 2 "1 8 001405abcdef0123" "nul0: EUI-64 designator"
desig_is "$sgN2" nul0 2 "1 8 001405abcdef0123" "nul0: EUI-64 designator through $T2"
out=$(sg_vpd -p 0x83 "$sgN") || fail "sg_vpd -p 0x83 failed: $out"
[[ $out == *"designator type: EUI-64 based"* && $out == *"0x001405abcdef0123"* ]] ||
	fail "sg_vpd -p 0x83 does not show the EUI-64 designator: $out"
out=$(sg3_hex sg_vpd -p 0x83 "$sgN")
[[ $out == *"01020008001405abcdef0123"* ]] ||
	fail "sg_vpd -p 0x83 -HH lacks the EUI-64 designator: $out"
echo 001405abcdef012345678901 >"$A"
expect_ua "eui64_id 12" "6 3f 03" "$sgN" "$sgN2"
desig_is "$sgN" nul0 2 "1 12 001405abcdef012345678901" "nul0: EUI-64 based 12-byte designator"
e16=001405abcdef0123456789abcdef0123
echo "$e16" >"$A"
attr_is "$A" "$e16" "nul0 eui64_id (16 bytes)"
expect_ua "eui64_id 16" "6 3f 03" "$sgN" "$sgN2"
desig_is "$sgN" nul0 2 "1 16 $e16" "nul0: EUI-64 based 16-byte designator"
rejected "$A" 001405abcdef01 nul0 eui64_id "$sgN" "$sgN2"
rejected "$A" 001405abcdef01234567 nul0 eui64_id "$sgN" "$sgN2"
rejected "$A" 001405abcdef012g nul0 eui64_id "$sgN" "$sgN2"
rejected "$A" "${e16}00" nul0 eui64_id "$sgN" "$sgN2"
desig_is "$sgN" nul0 2 "1 16 $e16" "nul0: EUI-64 designator after refused writes"
# the other designators are still there
v=$(lu_desig "$sgN" nul0 3)
[ -n "$v" ] || fail "nul0: NAA designator gone with eui64_id"
echo >"$A"
attr_is "$A" "" "nul0 eui64_id cleared"
key_is "$A" 0
expect_ua "eui64_id cleared" "6 3f 03" "$sgN" "$sgN2"
desig_is "$sgN" nul0 2 "" "nul0: no EUI-64 designator once cleared"

step "inq_vend_specific"
A=$S/devices/nul0/inq_vend_specific
echo "VS bytes 01" >"$A"
attr_is "$A" "VS bytes 01" "nul0 inq_vend_specific"
key_is "$A" 1
expect_ua "inq_vend_specific" "6 3f 03" "$sgN" "$sgN2"
want=$(hexstr "VS bytes 01         ")
vend_is "$sgN" nul0 "$want" "nul0: INQUIRY bytes 36..55 (space padded)"
vend_is "$sgN2" nul0 "$want" "nul0: INQUIRY bytes 36..55 through $T2"
vend_is "$sgF" fio0 "$zero20" "fio0: INQUIRY bytes 36..55 unchanged"
check_inquiry "$sgN" nul0 "$nul_vendor"
out=$(sg3_hex sg_inq "$sgN")
check_eq "${out:72:40}" "$want" "nul0: bytes 36..55 per sg_inq -HH"
echo "01234567890123456789" >"$A"
expect_ua "inq_vend_specific 20" "6 3f 03" "$sgN" "$sgN2"
vend_is "$sgN" nul0 "$(hexstr 01234567890123456789)" "nul0: 20 vendor specific bytes"
rejected "$A" "012345678901234567890" nul0 inq_vend_specific "$sgN" "$sgN2"
rejected "$A" $'a\tb' nul0 inq_vend_specific "$sgN" "$sgN2"
attr_is "$A" "01234567890123456789" "nul0 inq_vend_specific after refused writes"
echo >"$A"
attr_is "$A" "" "nul0 inq_vend_specific cleared"
key_is "$A" 0
expect_ua "inq_vend_specific cleared" "6 3f 03" "$sgN" "$sgN2"
vend_is "$sgN" nul0 "$zero20" "nul0: INQUIRY bytes 36..55 zero once cleared"

step "lb_per_pb_exp"
# readcap_exp SG: LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT per sg_readcap
readcap_exp() {
	local out
	out=$(sg_readcap -l "$1") || fail "sg_readcap -l $1 failed: $out"
	[[ $out =~ Logical\ blocks\ per\ physical\ block\ exponent=([0-9]+) ]] ||
		fail "sg_readcap -l $1 shows no exponent: $out"
	echo "${BASH_REMATCH[1]}"
}
exp_is() {
	local r
	r=$(readcap_exp "$1")
	check_eq "$r" "$2" "$3"
}
A=$S/devices/fio0/lb_per_pb_exp
attr_is "$A" 0 "fio0 default lb_per_pb_exp"
key_is "$A" 0
exp_is "$sgF" 0 "fio0: exponent by default"
echo 3 >"$A"
attr_is "$A" 3 "fio0 lb_per_pb_exp"
key_is "$A" 1
expect_ua "lb_per_pb_exp" "6 2a 09" "$sgF"
exp_is "$sgF" 3 "fio0: exponent after the write"
echo 15 >"$A"
expect_ua "lb_per_pb_exp 15" "6 2a 09" "$sgF"
exp_is "$sgF" 15 "fio0: exponent 15"
rejected "$A" 16 fio0 lb_per_pb_exp "$sgF"
rejected "$A" -1 fio0 lb_per_pb_exp "$sgF"
rejected "$A" x fio0 lb_per_pb_exp "$sgF"
exp_is "$sgF" 15 "fio0: exponent after refused writes"
echo >"$A"
attr_is "$A" 0 "fio0 lb_per_pb_exp back to the default"
key_is "$A" 0
expect_ua "lb_per_pb_exp default" "6 2a 09" "$sgF"
exp_is "$sgF" 0 "fio0: exponent back to 0"
# blockio: the default follows the physical block size of the bdev, an
# explicit value overrides it, also across re-activation
pbs=$(cat /sys/block/ram0/queue/physical_block_size)
dexp=0
while [ $((512 << dexp)) -lt "$pbs" ]; do dexp=$((dexp + 1)); done
info "bio0: ram0 physical block size $pbs, default exponent $dexp"
A=$S/devices/bio0/lb_per_pb_exp
attr_is "$A" "$dexp" "bio0 default lb_per_pb_exp (ram0 physical block $pbs)"
key_is "$A" 0
exp_is "$sgB" "$dexp" "bio0: exponent by default"
ex=$(((dexp + 1) % 16))
echo "$ex" >"$A"
key_is "$A" 1
expect_ua "bio0 lb_per_pb_exp" "6 2a 09" "$sgB"
exp_is "$sgB" "$ex" "bio0: explicit exponent"
check mgmt "$S/devices/bio0/active" 0
check mgmt "$S/devices/bio0/active" 1
attr_is "$A" "$ex" "bio0 explicit lb_per_pb_exp after re-activation"
tur_until_good "$sgB" >/dev/null
exp_is "$sgB" "$ex" "bio0: explicit exponent after re-activation"
echo >"$A"
attr_is "$A" "$dexp" "bio0 lb_per_pb_exp back to the bdev's"
key_is "$A" 0
expect_ua "bio0 lb_per_pb_exp default" "6 2a 09" "$sgB"
exp_is "$sgB" "$dexp" "bio0: exponent of the bdev again"

step "nullio read_zero: reads return zeros whatever its value"
A=$S/devices/nul0/read_zero
# Dirty pooled buffers first: write and read back a pattern on fio0
{ yes 'stale buffer data' || true; } | head -c 65536 >"$W/pat"
scsi_out "$sgF" 65536 "$W/pat" 2a 00 00 00 01 00 00 00 80 00
expect_good "fio0: WRITE(10) of a pattern"
head -c 65536 /dev/zero >"$W/zero64k"
for v in 0 1 0; do
	if [ "$v" != "$(first_line "$A")" ]; then echo "$v" >"$A"; fi
	attr_is "$A" "$v" "nul0 read_zero"
	key_is "$A" "$v"
	scsi_in "$sgF" 65536 "$W/rd" 28 00 00 00 01 00 00 00 80 00
	expect_good "fio0: READ(10) of the pattern"
	cmp "$W/rd" "$W/pat" || fail "fio0: pattern not read back"
	scsi_in "$sgN" 65536 "$W/rdn" 28 00 00 00 01 00 00 00 80 00
	expect_good "nul0: READ(10) with read_zero $v"
	cmp "$W/rdn" "$W/zero64k" || fail "nul0: READ(10) with read_zero $v returned non-zero data"
done
rejected "$A" 2 nul0 "read_zero" "$sgN"
rejected "$A" x nul0 "read_zero" "$sgN"

# --------------------------------------------------------------------------
step "writable LUN: WRITE(10) reaches the backing file"
sg=$(sg_for_lun "$T" s1 0)
{ yes 'fio0 block 7' || true; } | head -c 512 >"$W/blk"
scsi_out "$sg" 512 "$W/blk" 2a 00 00 00 00 07 00 00 01 00
expect_good "fio0: WRITE(10) LBA 7"
scsi_in "$sg" 512 "$W/rd" 28 00 00 00 00 07 00 00 01 00
expect_good "fio0: READ(10) LBA 7"
cmp "$W/blk" "$W/rd" || fail "fio0: READ(10) of LBA 7 returned other data than written"
cmp -n 512 -i 0:3584 "$W/blk" "$W/fio0.img" ||
	fail "fio0: written block not in the backing file at offset 3584"

step "read-only LUN (LUN read_only=1): reads work, writes get DATA PROTECT"
disk=$(disk_for_lun "$T" s1 4)
sg=$(sg_for_lun "$T" s1 4)
scsi_in "$sg" 4096 "$W/rd" 28 00 00 00 00 00 00 00 08 00
expect_good "fioro: READ(10)"
check_eq "$(stat -c %s "$W/rd")" 4096 "fioro: READ(10) data length"
cmp -n 4096 "$W/rd" "$W/ro.img" || fail "fioro: READ(10) data differs from the backing file"
scsi_out "$sg" 512 "$W/blk" 2a 00 00 00 00 00 00 00 01 00
expect_sense "fioro: WRITE(10) to read-only LUN" "7 27 00"
scsi_out "$sg" 512 "$W/blk" 8a 00 00 00 00 00 00 00 00 10 00 00 00 01 00 00
expect_sense "fioro: WRITE(16) to read-only LUN" "7 27 00"
scsi_out "$sg" 512 "$W/blk" 2e 00 00 00 00 00 00 00 01 00
expect_sense "fioro: WRITE AND VERIFY(10) to read-only LUN" "7 27 00"
scsi_out "$sg" 512 "$W/blk" 41 00 00 00 00 00 00 00 01 00
expect_sense "fioro: WRITE SAME(10) to read-only LUN" "7 27 00"
scsi_cmd "$sg" 93 01 00 00 00 00 00 00 00 00 00 00 00 01 00 00
expect_sense "fioro: WRITE SAME(16) NDOB to read-only LUN" "7 27 00"
scsi_cmd "$sg" 00 00 00 00 00 00
expect_good "fioro: TEST UNIT READY after refused writes"
out=$(sg_dd if=/dev/zero of="$sg" bs=512 count=8 2>&1) &&
	fail "fioro: sg_dd write to the read-only LUN succeeded: $out"
[[ ${out,,} == *"data protect"* ]] || fail "fioro: sg_dd failed without DATA PROTECT: $out"
# sd marked the disk read-only because of the WP bit: dd cannot open it.
out=$(dd if=/dev/zero of="$disk" bs=4096 count=1 oflag=direct 2>&1) &&
	fail "fioro: dd oflag=direct to $disk succeeded: $out"
[[ $out == *"Read-only file system"* ]] || fail "fioro: dd to $disk failed in an unexpected way: $out"
check_eq "$(sha256sum <"$W/ro.img")" "$ro_sum" "fioro: backing file checksum after refused writes"
scsi_in "$sg" 4096 "$W/rd" 28 00 00 00 00 00 00 00 08 00
expect_good "fioro: READ(10) after refused writes"
cmp -n 4096 "$W/rd" "$W/ro.img" || fail "fioro: data changed after refused writes"

step "read-only device (read_only=1): writes get DATA PROTECT"
sg=$(sg_for_lun "$T" s1 5)
scsi_out "$sg" 512 "$W/blk" 2a 00 00 00 00 00 00 00 01 00
expect_sense "nulro: WRITE(10) to read-only device" "7 27 00"
scsi_in "$sg" 512 "$W/rd" 28 00 00 00 00 00 00 00 01 00
expect_good "nulro: READ(10)"

step "teardown"
scst_teardown
check rmmod brd
finish_test t-40
