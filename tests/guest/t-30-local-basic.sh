#!/bin/bash
# scst_local basics: a session is a SCSI host of this kernel whose LUNs show
# up as disks; data moves correctly both ways; LUNs added and deleted while
# I/O runs appear and disappear; the driver's mgmt verbs and their errors;
# clean teardown and unload, and the default target of add_default_tgt.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
NULLIO=$S/handlers/vdisk_nullio
FILEIO=$S/handlers/vdisk_fileio
T=$D/lt0

# wait_for SECONDS CMD...: poll CMD until it succeeds.
# local_host TGT SESS: SCSI host number of a session (sessions/<s>/host).
# lun_disk HOST LUN: /dev/sdX of that LUN (fails if none).
# shellcheck disable=SC2317  # called through wait_for
no_sdev() {
	[ ! -e "/sys/bus/scsi/devices/$1:0:0:$2" ]
}

# shellcheck disable=SC2317
# wait_disk HOST LUN: wait for the disk of a LUN, print /dev/sdX.
trim() {
	local s
	s=$(cat "$1")
	printf '%s\n' "${s%"${s##*[! ]}"}"
}

info "load modules (no default target)"
# shellcheck disable=SC2119
LOCAL_PARAMS="add_default_tgt=0" load_scst
[ -e "$D/mgmt" ] || fail "no $D/mgmt"
grep -q "add_session" "$D/mgmt" || fail "mgmt help does not mention add_session"
grep -q "session_name" "$D/mgmt" || fail "mgmt help does not list session_name"
[ -e "$D/scst_local_tgt" ] && fail "default target created with add_default_tgt=0"

info "target lt0, LUN 0 = nullio nd0, session host0"
check mgmt "$NULLIO/mgmt" "add_device nd0 size_mb=64"
check mgmt "$D/mgmt" "add_target lt0"
check mgmt "$T/luns/mgmt" "add nd0 0"
check mgmt "$D/mgmt" "add_session lt0 host0"
[ -d "$T/sessions/host0" ] || fail "no session directory host0"
h0=$(local_host lt0 host0)
disk0=$(wait_disk "$h0" 0)
info "host$h0 LUN 0 is $disk0"
check_eq "$(trim "/sys/block/${disk0#/dev/}/device/model")" nd0 "model of $disk0"
check_eq "$(wait_for_disk '^SCST[^ ]* +nd0 *$')" "$disk0" "disk found by vendor/model"

info "INQUIRY, READ CAPACITY"
out=$(sg_inq "$disk0") || fail "sg_inq $disk0 failed"
grep -Eq "Product identification: *nd0" <<<"$out" || fail "sg_inq: $out"
out=$(sg_readcap "$disk0") || fail "sg_readcap $disk0 failed"
grep -q "Number of logical blocks=131072" <<<"$out" || fail "sg_readcap: $out"
grep -q "Logical block length=512 bytes" <<<"$out" || fail "sg_readcap: $out"
check_eq "$(blockdev --getsize64 "$disk0")" 67108864 "size of $disk0"

info "reads and writes on nullio"
check dd if="$disk0" of=/dev/null bs=1M iflag=direct status=none
check dd if="$disk0" of=/dev/null bs=4k count=2048 status=none
check dd if=/dev/zero of="$disk0" bs=256k count=64 oflag=direct status=none

info "background reads on LUN 0 while LUN 1 is added and deleted"
(
	end=$((SECONDS + 25))
	while [ $SECONDS -lt $end ]; do
		dd if="$disk0" of=/dev/null bs=64k count=512 iflag=direct status=none || exit 1
	done
) &
bg=$!

img=/tmp/fd1.img
check truncate -s 32M "$img"
check mgmt "$FILEIO/mgmt" "add_device fd1 filename=$img"
check mgmt "$T/luns/mgmt" "add fd1 1"
disk1=$(wait_disk "$h0" 1)
info "LUN 1 appeared as $disk1"
check_eq "$(trim "/sys/block/${disk1#/dev/}/device/model")" fd1 "model of $disk1"

info "data integrity through fileio LUN 1"
check head -c 8M /dev/urandom >/tmp/pat
check dd if=/tmp/pat of="$disk1" bs=128k oflag=direct conv=fsync status=none
check cmp -n 8388608 /tmp/pat "$img"
dd if="$disk1" of=/tmp/back bs=1M count=8 iflag=direct status=none ||
	fail "reading back $disk1 failed"
check cmp /tmp/pat /tmp/back
# small transfers at an odd sector offset (no /dev/fd in the guest: files)
dd if="$disk1" of=/tmp/back2 bs=512 skip=9 count=1000 iflag=direct \
	status=none || fail "512-byte reads from $disk1 failed"
check dd if=/tmp/pat of=/tmp/pat2 bs=512 skip=9 count=1000 status=none
check cmp /tmp/pat2 /tmp/back2

check mgmt "$T/luns/mgmt" "del 1"
wait_for 60 no_sdev "$h0" 1 || fail "LUN 1 still present on host$h0 after del"
# The bus link goes first; sd's remove() then deletes the disk.
disk_gone() { [ ! -e "/sys/block/${disk1#/dev/}" ]; }
wait_for 60 disk_gone || fail "$disk1 still exists"
check mgmt "$FILEIO/mgmt" "del_device fd1"
wait "$bg" || fail "background reads on $disk0 failed"
lun_disk "$h0" 0 >/dev/null || fail "LUN 0 disappeared"

info "mgmt verbs and errors"
must_fail "$D/mgmt" "$EEXIST" "add_session lt0 host0"
must_fail "$D/mgmt" "$ENOENT" "add_session nosuch s1"
must_fail "$D/mgmt" "$ENOENT" "del_session lt0 nosuch"
must_fail "$D/mgmt" "$ENOENT" "del_session nosuch host0"
must_fail "$D/mgmt" "$EINVAL" "add_session lt0"
must_fail "$D/mgmt" "$EINVAL" "add_session lt0 s1 extra"
must_fail "$D/mgmt" "$EINVAL" "add_session lt0 bad/name"
must_fail "$D/mgmt" "$EINVAL" "frobnicate lt0 s1"
must_fail "$D/mgmt" "$EINVAL" "add_target lt9 session_name"
[ -e "$D/lt9" ] && fail "target lt9 created by a rejected add_target"
check_eq "$(ls "$T/sessions")" host0 "sessions of lt0 after rejected commands"

check mgmt "$D/mgmt" "ADD_SESSION lt0 host1"
h1=$(local_host lt0 host1)
[ "$h1" != "$h0" ] || fail "sessions host0 and host1 share host$h0"
disk01=$(wait_disk "$h1" 0)
info "second session: host$h1 LUN 0 is $disk01"
check dd if="$disk01" of=/dev/null bs=1M count=8 iflag=direct status=none
check mgmt "$D/mgmt" "Del_Session lt0 host1"
wait_for 30 host_gone "$h1" || fail "host$h1 still exists after del_session"

info "force_close"
check mgmt "$D/mgmt" "add_session lt0 fc"
hf=$(local_host lt0 fc)
[ -e "$T/sessions/fc/force_close" ] || fail "session fc has no force_close"
check mgmt "$T/sessions/fc/force_close" 1
wait_for 30 host_gone "$hf" || fail "host$hf still exists after force_close"
# shellcheck disable=SC2317
sess_gone() { [ ! -e "$T/sessions/fc" ]; }
wait_for 30 sess_gone || fail "session fc still exists after force_close"

info "add_target with session_name"
check mgmt "$D/mgmt" "add_target lt1 session_name=ini1"
[ -d "$D/lt1/sessions/ini1" ] || fail "no session ini1 in target lt1"
h2=$(local_host lt1 ini1)
check mgmt "$D/mgmt" "del_target lt1"
[ -e "$D/lt1" ] && fail "target lt1 still exists"
wait_for 30 host_gone "$h2" || fail "host$h2 still exists after del_target"

info "teardown"
check mgmt "$D/mgmt" "del_session lt0 host0"
[ -e "$T/sessions/host0" ] && fail "session host0 still exists"
wait_for 30 host_gone "$h0" || fail "host$h0 still exists after del_session"
[ -e "/sys/block/${disk0#/dev/}" ] && fail "$disk0 still exists after del_session"
check mgmt "$D/mgmt" "add_session lt0 host2"
h3=$(local_host lt0 host2)
wait_disk "$h3" 0 >/dev/null
# del_target with a live session and LUN: removes the host too
check mgmt "$D/mgmt" "del_target lt0"
wait_for 30 host_gone "$h3" || fail "host$h3 still exists after del_target"
check mgmt "$NULLIO/mgmt" "del_device nd0"
unload_scst
[ -e "$S" ] && fail "$S still exists after unload"

info "default target"
# shellcheck disable=SC2119
load_scst
[ -d "$D/scst_local_tgt/sessions/scst_local_host" ] ||
	fail "no default target scst_local_tgt with session scst_local_host"
hd=$(local_host scst_local_tgt scst_local_host)
info "default session is host$hd"
check mgmt "$NULLIO/mgmt" "add_device nd2 size_mb=8"
check mgmt "$D/scst_local_tgt/luns/mgmt" "add nd2 0"
disk2=$(wait_disk "$hd" 0)
check dd if="$disk2" of=/dev/null bs=1M iflag=direct status=none
# rmmod with a LUN still mapped and the default session alive
check rmmod scst_local
host_gone "$hd" || fail "host$hd still exists after rmmod scst_local"
check mgmt "$NULLIO/mgmt" "del_device nd2"
unload_scst
info "t-30-local-basic done"
exit 0
