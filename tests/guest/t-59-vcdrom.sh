#!/bin/bash
# vcdrom: a CD-ROM drive on ISO images, seen through scst_local by the
# Linux sr driver and by sg3_utils: identity, READ TOC, GET CONFIGURATION,
# GET EVENT STATUS NOTIFICATION, READ DISC INFORMATION, MECHANISM STATUS,
# MODE SENSE page 2Ah, REPORT SUPPORTED OPERATION CODES, reads and the
# sense of writes; media changes through the filename attribute (unit
# attention, media events, new content after a remount), unloading,
# eject/load, PREVENT, bad images, deletion and unload.
#
# Two I_T nexuses: host0's sr device is mounted and must notice media
# changes on its own; host1's sg node is used for the raw commands, so
# that the unit attentions of host0 are left for the sr driver.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
T=$D/lt0
H=$S/handlers/vcdrom
CD=$S/devices/cd0
W=/tmp/vcdrom

# sense DEV CDB...: the decoded result of a CDB without data
sense() {
	sg_raw "$@" 2>&1 || true
}

# expect WHAT PATTERN DEV CDB...: the CDB's result matches PATTERN
expect() {
	local what=$1 pat=$2 out
	shift 2
	out=$(sense "$@")
	echo "$out" | grep -qi -- "$pat" || fail "$what: expected '$pat', got: $out"
}

# rawin LEN DEV CDB...: the Data-In of a CDB as hex bytes on one line
rawin() {
	local n=$1
	shift
	rm -f $W/raw.bin
	sg_raw -r "$n" -o $W/raw.bin "$@" >$W/raw.log 2>&1 ||
		{ cat $W/raw.log >&2; return 1; }
	[ -f $W/raw.bin ] || return 0
	od -An -tx1 -v $W/raw.bin | tr -s ' \n' ' ' | sed 's/^ //;s/ $//'
}

# be32 N: N as 4 big-endian hex bytes
be32() {
	printf '%02x %02x %02x %02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) \
		$(($1 >> 8 & 255)) $(($1 & 255))
}

# TUR through host1 until it stops reporting unit attentions
consume_ua() {
	local i
	for i in 1 2 3 4 5; do
		sg_turs "$g1" >/dev/null 2>&1 && return 0
		sense "$g1" 00 00 00 00 00 00 | grep -qi "unit attention" ||
			return 0
	done
}

gesn() {
	rawin 8 "$g1" 4a 01 00 00 10 00 00 00 08 00
}

command -v genisoimage >/dev/null ||
	fail "genisoimage is not installed (tests/lib/install-deps.sh)"

info "ISO images"
rm -rf $W
mkdir -p $W/a $W/b /mnt/cd
head -c 3000000 /dev/urandom >$W/a/data.bin
echo "image A" >$W/a/name.txt
head -c 1000000 /dev/urandom >$W/b/other.bin
echo "image B" >$W/b/name.txt
check genisoimage -quiet -r -V CDA -o $W/a.iso $W/a
check genisoimage -quiet -r -V CDB -o $W/b.iso $W/b
asize=$(stat -c %s $W/a.iso)
bsize=$(stat -c %s $W/b.iso)
[ $((asize % 2048)) -eq 0 ] && [ $((bsize % 2048)) -eq 0 ] ||
	fail "ISO sizes $asize $bsize"
ablocks=$((asize / 2048))
bblocks=$((bsize / 2048))
truncate -s 100001 $W/odd.img
info "a.iso: $ablocks blocks, b.iso: $bblocks blocks"

info "load"
LOCAL_PARAMS="add_default_tgt=0" load_scst
check modprobe sr_mod
modprobe -q isofs 2>/dev/null

info "handler and device"
[ -f $H/mgmt ] || fail "no vcdrom handler"
grep -q "add_device" $H/mgmt || fail "no help text: $(cat $H/mgmt)"
must_fail $H/mgmt "$EINVAL" "add_device cd1 filename=$W/a.iso"
must_fail $H/mgmt "$EINVAL" "add_device cd1 tst=2"
must_fail $H/mgmt "$EINVAL" "add_device cd1 blocksize=512"
[ -e $S/devices/cd1 ] && fail "cd1 created"
check mgmt $H/mgmt "add_device cd0"
check mgmt $H/mgmt "add_device cd1 tst=1"
check_eq "$(cat $CD/filename)" none "empty drive"
check_eq "$(head -n1 $CD/blocksize)" 2048 blocksize
check_eq "$(head -n1 $CD/t10_vend_id)" SCST_FIO vendor
check_eq "$(head -n1 $CD/prod_id)" cd0 prod_id
check_eq "$(head -n1 $S/devices/cd1/tst)" 1 "cd1 tst"
check_eq "$(sed -n 2p $S/devices/cd1/tst)" "[key]" "cd1 tst key"
echo $W/a.iso >$CD/filename || fail "load a.iso"
check_eq "$(head -n1 $CD/filename)" $W/a.iso filename
check_eq "$(sed -n 2p $CD/filename)" "[key]" "filename key"
check_eq "$(head -n1 $CD/size)" "$asize" size

check mgmt $D/mgmt "add_target lt0"
check mgmt $T/luns/mgmt "add cd0 0"
check mgmt $D/mgmt "add_session lt0 host0"
check mgmt $D/mgmt "add_session lt0 host1"
h0=$(local_host lt0 host0)
h1=$(local_host lt0 host1)
sr0=$(wait_disk "$h0" 0)
wait_disk "$h1" 0 >/dev/null
g1=$(lun_sg "$h1" 0) || fail "no sg node on host1"
info "sr0=$sr0 g1=$g1"
[[ $sr0 == /dev/sr* ]] || fail "$sr0 is not an sr device"
# no media event polling by the block layer: the test reads the events
for b in /sys/bus/scsi/devices/"$h0":0:0:0/block/* \
	 /sys/bus/scsi/devices/"$h1":0:0:0/block/*; do
	echo 0 >"$b/events_poll_msecs" 2>/dev/null
done
lsscsi | tee $W/lsscsi
grep -q "cd/dvd *SCST_FIO *cd0" $W/lsscsi || fail "lsscsi: no cd/dvd"
consume_ua

info "INQUIRY"
sg_inq "$g1" | tee $W/inq
grep -qi "PDT=5" $W/inq || fail "not a CD/DVD device"
grep -q "RMB=1" $W/inq || fail "not removable"
grep -q "Vendor identification: SCST_FIO" $W/inq || fail vendor
sg_vpd -p 0 "$g1" | tee $W/vpd
grep -qi "Unit serial number" $W/vpd || fail "no VPD 80h"
grep -qi "Device identification" $W/vpd || fail "no VPD 83h"
grep -qi "Block limits" $W/vpd && fail "VPD B0h listed"
sg_vpd -p di "$g1" >/dev/null || fail "VPD 83h"
check_fails sg_vpd -p bl "$g1"

info "READ CAPACITY and reads"
sg_readcap "$g1" | tee $W/rc
grep -q "Logical block length=2048" $W/rc || fail "block length"
grep -q "Number of logical blocks=$ablocks" $W/rc || fail "capacity"
# READ(12) of the primary volume descriptor (LBA 16): "\x01CD001"
check_eq "$(rawin 2048 "$g1" a8 00 00 00 00 10 00 00 00 01 00 00 | cut -c1-17)" \
	"01 43 44 30 30 31" "PVD by READ(12)"
check_eq "$(rawin 2048 "$g1" 28 00 00 00 00 10 00 00 01 00 | cut -c1-17)" \
	"01 43 44 30 30 31" "PVD by READ(10)"
expect "READ beyond the medium" "out of range" "$g1" \
	28 00 $(be32 $ablocks) 00 00 01 00

info "writes, other opcodes, bad fields"
dd if=/dev/zero of=$W/blk bs=2048 count=1 status=none
out=$(sg_raw -s 2048 -i $W/blk "$g1" 2a 00 00 00 00 10 00 00 01 00 2>&1)
echo "$out" | grep -qi "invalid command operation code" ||
	fail "WRITE(10): $out"
out=$(sg_raw -s 2048 -i $W/blk "$g1" aa 00 00 00 00 10 00 00 00 01 00 00 2>&1)
echo "$out" | grep -qi "invalid command operation code" ||
	fail "WRITE(12): $out"
expect "READ(6)" "invalid command operation code" "$g1" 08 00 00 10 01 00
expect "SYNCHRONIZE CACHE" "invalid command operation code" "$g1" \
	35 00 00 00 00 00 00 00 00 00
expect "MODE SELECT(10)" "invalid command operation code" "$g1" \
	55 10 00 00 00 00 00 00 00 00
expect "TOC format 2" "byte 2 bit 3" "$g1" 43 00 02 00 00 00 00 00 20 00
expect "TOC track 2" "byte 6" "$g1" 43 00 00 00 00 00 02 00 20 00
expect "GET CONFIGURATION RT 3" "byte 1 bit 1" "$g1" \
	46 03 00 00 00 00 00 00 20 00
expect "async GESN" "byte 1 bit 0" "$g1" 4a 00 00 00 10 00 00 00 08 00
expect "DISC INFO type 1" "byte 1 bit 2" "$g1" 51 01 00 00 00 00 00 00 20 00
expect "mode page 8" "byte 2 bit 5" "$g1" 5a 00 08 00 00 00 00 00 40 00
expect "saved mode page" "saving parameters not supported" "$g1" \
	5a 00 ea 00 00 00 00 00 40 00
expect "reserved READ TOC bit" "invalid field in cdb" "$g1" \
	43 04 00 00 00 00 00 00 20 00

info "READ TOC"
lead=$(be32 $ablocks)
check_eq "$(rawin 20 "$g1" 43 00 00 00 00 00 00 00 14 00)" \
	"00 12 01 01 00 14 01 00 00 00 00 00 00 14 aa 00 $lead" "TOC"
check_eq "$(rawin 4 "$g1" 43 00 00 00 00 00 00 00 04 00)" \
	"00 12 01 01" "TOC truncated"
check_eq "$(rawin 12 "$g1" 43 00 00 00 00 00 aa 00 0c 00)" \
	"00 0a 01 01 00 14 aa 00 $lead" "TOC from the lead-out"
f=$((ablocks + 150))
msf=$(printf '00 %02x %02x %02x' $((f / 4500)) $((f / 75 % 60)) $((f % 75)))
check_eq "$(rawin 20 "$g1" 43 02 00 00 00 00 00 00 14 00)" \
	"00 12 01 01 00 14 01 00 00 00 02 00 00 14 aa 00 $msf" "TOC MSF"
check_eq "$(rawin 12 "$g1" 43 00 01 00 00 00 00 00 0c 00)" \
	"00 0a 01 01 00 14 01 00 00 00 00 00" "session info"
check_eq "$(rawin 12 "$g1" 43 02 01 00 00 00 00 00 0c 00)" \
	"00 0a 01 01 00 14 01 00 00 00 02 00" "session info MSF"
# the SFF-8020 form Linux sr uses: format in CONTROL bits 7-6
check_eq "$(rawin 12 "$g1" 43 00 00 00 00 00 00 00 0c 40)" \
	"00 0a 01 01 00 14 01 00 00 00 00 00" "session info (CONTROL)"

info "GET CONFIGURATION"
sg_get_config "$g1" | tee $W/gc
grep -qi "Current profile: CD-ROM" $W/gc || fail "current profile"
for f in "Profile list" "Core" "Morphing" "Removable media" \
	 "Random readable"; do
	grep -qi "$f" $W/gc || fail "no feature $f"
done
hdr=$(rawin 8 "$g1" 46 00 00 00 00 00 00 00 08 00)
check_eq "${hdr:18:5}" "00 08" "profile in header"
check_eq "$(rawin 20 "$g1" 46 02 00 10 00 00 00 00 14 00)" \
	"00 00 00 10 00 00 00 08 00 10 01 08 00 00 08 00 00 01 00 00" \
	"RT 2 Random Readable"

info "READ DISC INFORMATION, MECHANISM STATUS, MODE SENSE"
di=$(rawin 34 "$g1" 51 00 00 00 00 00 00 00 22 00)
check_eq "${di:0:20}" "00 20 0e 01 01 01 01" "disc information"
check_eq "$(rawin 8 "$g1" bd 00 00 00 00 00 00 00 00 08 00 00)" \
	"00 00 00 00 00 00 00 00" "mechanism status"
ms=$(rawin 40 "$g1" 5a 00 2a 00 00 00 00 00 28 00)
check_eq "${ms:0:35}" "00 26 00 00 00 00 00 00 2a 1e 00 00" "page 2Ah"
check_eq "${ms:42:2}" "29" "page 2Ah mechanism"
sg_modes -6 -p 0x2a "$g1" >/dev/null || fail "MODE SENSE(6) page 2Ah"
sg_modes -c 1 -p 0x2a "$g1" >/dev/null || fail "changeable page 2Ah"

info "REPORT SUPPORTED OPERATION CODES"
len=$(rawin 4 "$g1" a3 0c 00 00 00 00 00 00 00 04 00 00 | tr -d ' ')
len=$((16#$len + 4))
ops=$(rawin $len "$g1" a3 0c 00 00 00 00 00 00 $(printf '%02x %02x' \
	$((len >> 8)) $((len & 255))) 00 00 | awk '{
	for (i = 5; i <= NF; i += 8) print $i }' | sort -u | tr '\n' ' ')
info "opcodes: $ops"
for op in 00 03 12 1a 1b 1e 25 28 43 46 4a 51 5a a8 bd; do
	[[ " $ops" == *" $op "* ]] || fail "opcode $op not reported"
done
for op in 08 0a 15 2a 2e 2f 35 41 42 55 88 8a 9e aa; do
	[[ " $ops" == *" $op "* ]] && fail "opcode $op reported"
done
one=$(rawin 16 "$g1" a3 0c 01 43 00 00 00 00 00 10 00 00)
check_eq "${one:3:2}" "03" "READ TOC supported"
check_eq "${one:12:17}" "43 02 0f 00 00 00" "READ TOC usage"
one=$(rawin 16 "$g1" a3 0c 01 2a 00 00 00 00 00 10 00 00)
check_eq "${one:3:2}" "01" "WRITE(10) not supported"

info "GET EVENT STATUS NOTIFICATION"
# whatever the loading left, then nothing
gesn >/dev/null || fail "GESN"
check_eq "$(gesn)" "00 06 04 10 00 02 00 00" "no event"
check_eq "$(rawin 8 "$g1" 4a 01 00 00 02 00 00 00 08 00)" \
	"00 02 80 10" "unsupported class"

info "mount and checksum"
check mount -t iso9660 -o ro "$sr0" /mnt/cd
check_eq "$(cat /mnt/cd/name.txt)" "image A" "name.txt"
check cmp /mnt/cd/data.bin $W/a/data.bin
check umount /mnt/cd

info "media change"
echo $W/b.iso >$CD/filename || fail "change to b.iso"
check_eq "$(head -n1 $CD/filename)" $W/b.iso filename
check_eq "$(head -n1 $CD/size)" "$bsize" size
check_eq "$(gesn)" "00 06 04 10 02 02 00 00" "new media event"
check_eq "$(gesn)" "00 06 04 10 00 02 00 00" "event cleared"
out=$(sense "$g1" 00 00 00 00 00 00)
echo "$out" | grep -qi "medium may have changed" || fail "no UA 28/00: $out"
sg_turs "$g1" || fail "UA reported twice"
sg_readcap "$g1" | grep -q "Number of logical blocks=$bblocks" ||
	fail "capacity of b.iso"
check mount -t iso9660 -o ro "$sr0" /mnt/cd
check_eq "$(cat /mnt/cd/name.txt)" "image B" "name.txt after change"
check cmp /mnt/cd/other.bin $W/b/other.bin
[ -e /mnt/cd/data.bin ] && fail "old content after media change"
check umount /mnt/cd

info "unload"
echo none >$CD/filename || fail "unload"
check_eq "$(cat $CD/filename)" none filename
check_eq "$(head -n1 $CD/size)" 0 size
check_eq "$(gesn)" "00 06 04 10 03 00 00 00" "media removal event"
out=$(sense "$g1" 00 00 00 00 00 00)
echo "$out" | grep -qi "not ready" && echo "$out" | grep -qi "medium not present" ||
	fail "TUR without medium: $out"
sg_turs -v "$g1" 2>&1 | grep -qi "asc=3a\|medium not present" || true
expect "READ CAPACITY without medium" "medium not present" "$g1" \
	25 00 00 00 00 00 00 00 00 00
expect "READ TOC without medium" "medium not present" "$g1" \
	43 00 00 00 00 00 00 00 14 00
expect "READ without medium" "medium not present" "$g1" \
	28 00 00 00 00 10 00 00 01 00
hdr=$(rawin 8 "$g1" 46 00 00 00 00 00 00 00 08 00)
check_eq "${hdr:18:5}" "00 00" "no current profile"
echo "" >$CD/filename || fail "empty filename"
check_eq "$(cat $CD/filename)" none "still none"
check_fails mount -t iso9660 -o ro "$sr0" /mnt/cd

info "bad images change nothing"
echo $W/a.iso >$CD/filename || fail "reload a.iso"
consume_ua
gesn >/dev/null
# (the attributes of cd0: a whole sysfs_snapshot takes minutes under TCG)
cd_attrs() {
	grep -r . $CD/ 2>/dev/null | grep -v "/mgmt:\|/stats\|_cmd_count\|commands:"
}
before=$(cd_attrs)
must_fail $CD/filename "$ENOENT" $W/missing.iso
must_fail $CD/filename "$EINVAL" $W/odd.img
must_fail $CD/filename "$EINVAL" relative.iso
must_fail $CD/filename "$EINVAL" $W
check_eq "$(cd_attrs)" "$before" "cd0 after rejected filenames"
sg_turs "$g1" || fail "UA or no medium after rejected filenames"
check_eq "$(gesn)" "00 06 04 10 00 02 00 00" "event after rejected filenames"

info "eject, load, PREVENT"
sg_start --eject "$g1" || fail "eject"
expect "TUR after eject" "medium not present" "$g1" 00 00 00 00 00 00
check_eq "$(gesn)" "00 06 04 10 03 01 00 00" "eject event, tray open"
check_eq "$(rawin 8 "$g1" bd 00 00 00 00 00 00 00 00 08 00 00 | cut -c1-5)" \
	"00 10" "door open"
sg_start --load "$g1" || fail "load"
sg_turs "$g1" || fail "TUR after load"
check_eq "$(gesn)" "00 06 04 10 02 02 00 00" "load event"
sg_raw "$g1" 1e 00 00 00 01 00 || fail "prevent"
ms=$(rawin 40 "$g1" 5a 00 2a 00 00 00 00 00 28 00)
check_eq "${ms:42:2}" "2b" "page 2Ah lock state"
expect "eject while prevented" "removal prevented" "$g1" 1b 00 00 00 02 00
sg_turs "$g1" || fail "medium gone after refused eject"
expect "persistent prevent" "invalid field in cdb" "$g1" 1e 00 00 00 02 00
# the administrator wins over PREVENT
echo $W/b.iso >$CD/filename || fail "admin change while prevented"
consume_ua
sg_readcap "$g1" | grep -q "Number of logical blocks=$bblocks" ||
	fail "b.iso not loaded while prevented"
sg_raw "$g1" 1e 00 00 00 00 00 || fail "allow"
sg_start --eject "$g1" || fail "eject after allow"
sg_start --load "$g1" || fail "load after allow"
sg_turs "$g1" || fail "TUR after reload"

info "media changes under reads"
(
	for i in $(seq 1 60); do
		sg_dd if="$g1" of=/dev/null bs=2048 count=64 blk_sgio=1 \
			>/dev/null 2>&1
	done
) &
rd=$!
for i in $(seq 1 15); do
	echo $W/a.iso >$CD/filename || fail "change $i"
	echo none >$CD/filename || fail "unload $i"
	echo $W/b.iso >$CD/filename || fail "change $i"
done
wait $rd
consume_ua
sg_readcap "$g1" | grep -q "Number of logical blocks=$bblocks" ||
	fail "capacity after the changes"

info "scstadmin: -write_config and -config"
# shellcheck source=tests/lib/scstadmin-helpers.sh
. "$TOP/tests/lib/scstadmin-helpers.sh"
sa_ok -write_config $W/scst.conf
awk '/^HANDLER vcdrom/,/^}/' $W/scst.conf | tee $W/cd.conf
grep -q "DEVICE cd0 {" $W/cd.conf || fail "no DEVICE cd0 in the saved file"
grep -q "filename $W/b.iso" $W/cd.conf || fail "filename not saved"
grep -q "tst 1" $W/cd.conf || fail "tst of cd1 not saved"
# the saved medium is put back
echo none >$CD/filename || fail "unload before -config"
sa_ok -config $W/scst.conf -noprompt
check_eq "$(head -n1 $CD/filename)" $W/b.iso "filename after -config"
sa_ok -write_config $W/scst2.conf
same_file $W/scst.conf $W/scst2.conf "-write_config after -config"
# a new vcdrom device: add_device, then its medium
sed "/^HANDLER vcdrom {/a\\\tDEVICE cd2 {\\n\\t\\tfilename $W/a.iso\\n\\t}" \
	$W/scst.conf >$W/scst3.conf
sa_ok -config $W/scst3.conf -noprompt
check_eq "$(head -n1 $S/devices/cd2/filename)" $W/a.iso "cd2 filename"
check_eq "$(head -n1 $S/devices/cd2/size)" "$asize" "cd2 size"
consume_ua

info "teardown"
must_fail $H/mgmt "" "del_device cd0"
check mgmt $D/mgmt "del_target lt0"
wait_for 30 host_gone "$h0" || fail "host$h0 still there"
check mgmt $H/mgmt "del_device cd0"
must_fail $H/mgmt "" "del_device cd0"
[ -e $CD ] && fail "cd0 still there"
# cd1 (empty) and cd2 (loaded) go with the module
check rmmod scst_local
check rmmod scst_vdisk
[ -e $S/devices/cd1 ] && fail "cd1 still there after rmmod"
[ -e $S/devices/cd2 ] && fail "cd2 still there after rmmod"
check rmmod scst
info "t-59-vcdrom done"
exit 0
