#!/bin/bash
# LUN masking and unit attentions through scst_local:
#  - initiator groups: default LUN set vs. groups selected by initiator name
#    patterns (wildcard and "!" negation); sessions land in the right group
#    and see exactly that group's LUNs; moving a session between groups by
#    adding/removing an initiator pattern changes the LU behind its LUN 0;
#  - LUN add/del while fio reads another LUN: the disk appears/disappears
#    on the initiator (scst_local rescans) and fio sees no error;
#  - REPORTED LUNS DATA HAS CHANGED (3F/0E) is reported for LUN add and del,
#    once per I_T nexus (SPC-4 LUICLR), and the Linux SCSI layer logs it;
#  - resync_size after growing the backing file: CAPACITY DATA HAS CHANGED
#    (2A/09) on every I_T nexus of the device, READ CAPACITY and the Linux
#    disk size (after rescan) show the new size.
#
# The unit attention checks run with scsi_mod scan=manual so that no
# automatic rescan (whose REPORT LUNS may legitimately consume the UA) runs
# between the change and the TEST UNIT READY that must report it; the
# commands are sent through /dev/sgN, which never retries or hides a UA.
set -euo pipefail
. "$TOP/tests/lib/scst-test-lib.sh"

W=/tmp/t42
T=t42_tgt
mkdir -p "$W"
SCAN=/sys/module/scsi_mod/parameters/scan

step "backing storage and devices"
truncate -s 64M "$W/a.img"
scst_test_init
scst_add_dev vdisk_fileio devA "filename=$W/a.img"
scst_add_dev vdisk_nullio devB "size_mb=48"
scst_add_dev vdisk_nullio devC "size_mb=32"
scst_add_dev vdisk_nullio devD "size_mb=16"
scst_add_dev vdisk_nullio devE "size_mb=8"

step "target: default LUN 0 = devA; g1 (host_b*) LUN 0 = devB; gneg (!host_*) LUN 0 = devC"
scst_add_local_target "$T"
scst_add_lun "$T" 0 devA
scst_add_group "$T" g1 'host_b*'
GROUP=g1 scst_add_lun "$T" 0 devB
scst_add_group "$T" gneg '!host_*'
GROUP=gneg scst_add_lun "$T" 0 devC

# lun_list SG_LUNS_OUTPUT: the 16-digit LUNs listed by sg_luns, each
# followed by a blank.
lun_list() {
	local l lines out=''
	mapfile -t lines <<<"$1"
	for l in "${lines[@]}"; do
		[[ $l =~ ^\ +([0-9a-f]{16})$ ]] && out+="${BASH_REMATCH[1]} "
	done
	echo "$out"
}

# luns_of TGT SESS: the LUN set (directory) a session uses.
luns_of() {
	link_path "$LOCAL/$1/sessions/$2/luns"
}

# expect_view SESS GROUP|- MODELS: the session uses the LUN set of GROUP
# (- = default) and its disks are exactly MODELS ("LUN:product ...").
expect_view() {
	local s=$1 g=$2 models=$3 want
	if [ "$g" = - ]; then
		want=$(link_path "$LOCAL/$T/luns")
	else
		want=$(link_path "$LOCAL/$T/ini_groups/$g/luns")
	fi
	[ -L "$LOCAL/$T/sessions/$s/luns" ] || fail "session $s has no luns link"
	check_eq "$(luns_of "$T" "$s")" "$want" "LUN set used by session $s"
	check_eq "$(sess_models "$T" "$s")" "$models" "disks of session $s (LUN:product)"
}

step "sessions host_a, host_b1, other1, host_c1"
for s in host_a host_b1 other1 host_c1; do
	scst_add_session "$T" $s
	attr_is "$LOCAL/$T/sessions/$s/initiator_name" $s "initiator_name of session $s"
	wait_lun_disk "$T" $s 0 >/dev/null
	scan_settle "$(sess_host "$T" $s)"
done
expect_view host_a - "0:devA"
expect_view host_b1 g1 "0:devB"
expect_view other1 gneg "0:devC"
expect_view host_c1 - "0:devA"
# The sd view could be stale; ask the target itself as well.
for s in host_a:devA host_b1:devB other1:devC host_c1:devA; do
	out=$(sg_inq "$(sg_for_lun "$T" "${s%%:*}" 0)") || fail "sg_inq failed: $out"
	has_line "$out" "Product identification: ${s#*:} *$" ||
		fail "session ${s%%:*} LUN 0 is not ${s#*:}: $out"
done

step "moving host_c1 into g1 by adding the initiator pattern host_c*"
scst_add_initiator "$T" g1 'host_c*'
check_eq "$(luns_of "$T" host_c1)" "$(link_path "$LOCAL/$T/ini_groups/g1/luns")" \
	"LUN set of host_c1 after adding host_c* to g1"
sg=$(sg_for_lun "$T" host_c1 0)
uas=$(tur_until_good "$sg")
info "host_c1 LUN 0 unit attentions after the move: ${uas:-none}"
out=$(sg_inq "$sg") || fail "sg_inq failed: $out"
has_line "$out" "Product identification: devB *$" || fail "host_c1 LUN 0 is not devB after the move: $out"
out=$(sg_readcap -l "$sg") || fail "sg_readcap failed: $out"
has_line "$out" "Number of logical blocks=98304\$" || fail "host_c1 LUN 0 capacity is not devB's: $out"

step "and back to the default LUN set by deleting it"
smgmt "$LOCAL/$T/ini_groups/g1/initiators/mgmt" 'del host_c*'
[ ! -e "$LOCAL/$T/ini_groups/g1/initiators/host_c*" ] || fail "initiator host_c* still listed after del"
check_eq "$(luns_of "$T" host_c1)" "$(link_path "$LOCAL/$T/luns")" \
	"LUN set of host_c1 after deleting host_c* from g1"
tur_until_good "$sg" >/dev/null
out=$(sg_inq "$sg") || fail "sg_inq failed: $out"
has_line "$out" "Product identification: devA *$" || fail "host_c1 LUN 0 is not devA again: $out"

# --------------------------------------------------------------------------
step "LUN 1 add/del while fio reads LUN 0 of host_a"
adisk=$(disk_for_lun "$T" host_a 0)
mark=$(dmesg_mark)
timeout -s KILL 240 fio --name=bg --filename="$adisk" --direct=1 --rw=randread --bs=4k --iodepth=8 \
	--ioengine=libaio --time_based --runtime=60 --output-format=json \
	--output="$W/bg.json" >"$W/bg.json.log" 2>&1 &
fio_pid=$!
nap 3
proc_alive $fio_pid || fail "background fio exited early: $(cat "$W/bg.json.log")"
cycles=0
while [ $cycles -lt 3 ] && proc_alive $fio_pid; do
	scst_add_lun "$T" 1 devD
	d=$(wait_lun_disk "$T" host_a 1 90)
	check_eq "$(disk_model "$d")" devD "model of the new LUN 1 of host_a"
	# host_c1 uses the default LUN set too: let its sd probe finish so
	# that the deletion does not race the probe inside the initiator
	d=$(wait_lun_disk "$T" host_c1 1 90)
	check_eq "$(disk_model "$d")" devD "model of the new LUN 1 of host_c1"
	scan_settle "$(sess_host "$T" host_c1)"
	scst_del_lun "$T" 1
	wait_lun_gone "$T" host_a 1 90
	wait_lun_gone "$T" host_c1 1 90
	proc_alive $fio_pid || break
	cycles=$((cycles + 1))
	info "add/del cycle $cycles done while fio was running"
done
[ $cycles -ge 1 ] || fail "fio finished before one LUN add/del cycle completed"
rc=0
wait $fio_pid || rc=$?
[ $rc -ne 137 ] || fail "background fio hung (killed after 240 s)"
res=$(fio_result "background fio" "$W/bg.json" $rc)
read -r rb _ <<<"$res"
[ "$rb" -gt 0 ] || fail "background fio read nothing"
check_no_io_errors "$mark" "LUN add/del under I/O" "$SYNC_GONE_RE"
check_eq "$(sess_luns "$T" host_b1)" 0 "LUNs of host_b1 (g1 must not see default LUN changes)"
check_eq "$(sess_luns "$T" other1)" 0 "LUNs of other1"
check_eq "$(sess_luns "$T" host_a)" 0 "LUNs of host_a after the cycles"

# --------------------------------------------------------------------------
step "REPORTED LUNS DATA HAS CHANGED on LUN add (scan=manual)"
printf manual >"$SCAN" || fail "cannot set scsi_mod scan=manual"
check_eq "$(cat "$SCAN")" manual "scsi_mod scan"
sga=$(sg_for_lun "$T" host_a 0)
sgc=$(sg_for_lun "$T" host_c1 0)
check sg_luns "$sga" >/dev/null	# resets the midlayer's expecting_lun_change
tur_until_good "$sga" >/dev/null
tur_until_good "$sgc" >/dev/null
mark=$(dmesg_mark)
scst_add_lun "$T" 2 devD
scsi_cmd "$sga" 00 00 00 00 00 00
expect_sense "host_a LUN 0 TUR after adding LUN 2" "6 3f 0e"
scsi_cmd "$sga" 00 00 00 00 00 00
expect_good "host_a LUN 0 second TUR after adding LUN 2"
scsi_cmd "$sgc" 00 00 00 00 00 00
expect_sense "host_c1 LUN 0 TUR after adding LUN 2 (other I_T nexus)" "6 3f 0e"
dmesg_has "$mark" "LUN assignments on this target have changed" ||
	fail "the SCSI layer did not log the LUN change: $(dmesg_since "$mark" | tail -n 5)"
out=$(sg_luns "$sga") || fail "REPORT LUNS failed: $out"
check_eq "$(lun_list "$out")" \
	"0000000000000000 0002000000000000 " "REPORT LUNS of host_a after adding LUN 2"
ha=$(sess_host "$T" host_a)
echo "- - -" >"/sys/class/scsi_host/host$ha/scan"
d=$(wait_lun_disk "$T" host_a 2 90)
check_eq "$(disk_model "$d")" devD "model of LUN 2 of host_a after a manual scan"
sg2=$(sg_for_lun "$T" host_a 2)
tur_until_good "$sg2" >/dev/null
tur_until_good "$sga" >/dev/null

step "the UA is reported once per I_T nexus (LUICLR): add LUN 3, TUR LUN 0, then LUN 2"
scst_add_lun "$T" 3 devE
scsi_cmd "$sga" 00 00 00 00 00 00
expect_sense "host_a LUN 0 TUR after adding LUN 3" "6 3f 0e"
scsi_cmd "$sg2" 00 00 00 00 00 00
if [ "$SCSI_STATUS" != good ]; then
	got="$SCSI_STATUS $SCSI_SENSE"
	scsi_in "$sg2" 64 "$W/vpd86" 12 01 86 00 40 00
	load_bytes "$W/vpd86"
	luiclr='?'
	[ "$NB" -gt 7 ] && luiclr=$((16#${B[7]} & 1))
	soft_fail "host_a LUN 2 still reports [$got] after REPORTED LUNS DATA HAS CHANGED was reported on LUN 0 of the same I_T nexus (SPC-4: LUICLR shall be one; VPD 86h LUICLR bit = $luiclr)"
	tur_until_good "$sg2" >/dev/null
fi

step "REPORTED LUNS DATA HAS CHANGED on LUN del"
check sg_luns "$sga" >/dev/null
tur_until_good "$sga" >/dev/null
tur_until_good "$sg2" >/dev/null
mark=$(dmesg_mark)
scst_del_lun "$T" 3
scst_del_lun "$T" 2
scsi_cmd "$sga" 00 00 00 00 00 00
expect_sense "host_a LUN 0 TUR after deleting LUNs 2 and 3" "6 3f 0e"
scsi_cmd "$sga" 00 00 00 00 00 00
expect_good "host_a LUN 0 second TUR after deleting LUNs"
wait_lun_gone "$T" host_a 2 60
out=$(sg_luns "$sga") || fail "REPORT LUNS failed: $out"
check_eq "$(lun_list "$out")" \
	"0000000000000000 " "REPORT LUNS of host_a after deleting LUNs 2 and 3"
printf sync >"$SCAN"

# --------------------------------------------------------------------------
step "CAPACITY DATA HAS CHANGED after growing devA's file and resync_size"
check sg_luns "$sga" >/dev/null
tur_until_good "$sga" >/dev/null
tur_until_good "$sgc" >/dev/null
check_eq "$(cat "/sys/block/${adisk#/dev/}/size")" 131072 "size of $adisk before the resize"
truncate -s +16M "$W/a.img"
mark=$(dmesg_mark)
smgmt "$S/devices/devA/resync_size" 1
if [ -e "$S/devices/devA/size_mb" ]; then
	attr_is "$S/devices/devA/size_mb" 80 "devA size_mb after resync_size"
fi
scsi_cmd "$sga" 00 00 00 00 00 00
expect_sense "host_a LUN 0 TUR after resync_size" "6 2a 09"
scsi_cmd "$sga" 00 00 00 00 00 00
expect_good "host_a LUN 0 second TUR after resync_size"
scsi_cmd "$sgc" 00 00 00 00 00 00
expect_sense "host_c1 LUN 0 TUR after resync_size (other I_T nexus)" "6 2a 09"
dmesg_has "$mark" "Capacity data has changed" ||
	fail "the SCSI layer did not log the capacity change: $(dmesg_since "$mark" | tail -n 5)"
out=$(sg_readcap -l "$sga") || fail "sg_readcap failed: $out"
has_line "$out" "Number of logical blocks=163840\$" || fail "READ CAPACITY(16) after resync_size: $out"
out=$(sg_readcap "$sga") || fail "sg_readcap failed: $out"
has_line "$out" "Number of logical blocks=163840\$" || fail "READ CAPACITY(10) after resync_size: $out"
echo 1 >"/sys/block/${adisk#/dev/}/device/rescan"
check_eq "$(cat "/sys/block/${adisk#/dev/}/size")" 163840 "size of $adisk after rescan"
# the new blocks are usable
check dd if=/dev/urandom of="$W/tail" bs=1M count=1 status=none
check dd if="$W/tail" of="$adisk" bs=1M seek=79 count=1 oflag=direct status=none
check dd if="$adisk" of="$W/tail.rd" bs=1M skip=79 count=1 iflag=direct status=none
cmp "$W/tail" "$W/tail.rd" || fail "data written to the grown area reads back differently"
cmp -n 1048576 -i 0:$((79 << 20)) "$W/tail" "$W/a.img" || fail "grown area: data not in the backing file"
check_no_io_errors "$mark" "resize"

step "teardown"
scst_teardown
finish_test t-42
