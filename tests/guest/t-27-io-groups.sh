#!/bin/bash
# Device threads: threads_pool_type per_initiator gives each I/O group its
# own threads; io_grouping_type (auto, never, this_group_only, a number)
# decides which I_T_L nexuses share a group; cpu_mask binds a group's
# threads and rebinds them live; threads_pool_type shared gives one pool
# per device; threads_num 0 uses the global pool.  Threads of a group go
# away with its last nexus.  Verified I/O runs on grouped threads.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
D=$S/targets/scst_local
H=$S/handlers/vdisk_fileio
DEV=$S/devices/f0
IMG=/tmp/t27.img

# idx TGT SESS: thread_index of LUN 0 of a session
idx() { cat "$D/$1/sessions/$2/lun0/thread_index"; }
# pids TGT SESS: the thread pids of LUN 0 of a session, one line
pids() { cat "$D/$1/sessions/$2/lun0/thread_pid"; }
# allowed PID: the CPUs a thread may run on
allowed() { awk '$1 == "Cpus_allowed_list:" { print $2 }' "/proc/$1/status"; }

# check_group TGT SESS NAME_RE: 2 threads named NAME_RE<index>_<n>
check_group() {
	local p n=0 c
	for p in $(pids "$1" "$2"); do
		c=$(cat "/proc/$p/comm") || fail "thread $p of $1/$2 is gone"
		[[ $c =~ ^$3_[0-9]+$ ]] || fail "thread $p of $1/$2 is named '$c', expected $3_<n>"
		n=$((n + 1))
	done
	check_eq $n 2 "threads of $1/$2"
}

# check_allowed TGT SESS CPUS: every thread of the session's group
check_allowed() {
	local p
	for p in $(pids "$1" "$2"); do
		check_eq "$(allowed "$p")" "$3" "CPUs of thread $p ($1/$2)"
	done
}

add_sess() {
	check mgmt "$D/mgmt" "add_session $1 $2"
	wait_for 30 test -e "$D/$1/sessions/$2/lun0/thread_index" ||
		fail "no lun0/ for session $1/$2"
}

del_sess() {
	local h
	h=$(local_host "$1" "$2")
	check mgmt "$D/mgmt" "del_session $1 $2"
	wait_for 30 host_gone "$h" || fail "host$h still exists"
}

info "load; fileio device f0 with 2 per_initiator threads"
LOCAL_PARAMS="add_default_tgt=0" load_scst
check dd if=/dev/zero of=$IMG bs=1M count=16 status=none
check mgmt "$H/mgmt" "add_device f0 filename=$IMG"
check_eq "$(head -n1 "$DEV/threads_pool_type")" per_initiator "default pool type"
check mgmt "$DEV/threads_num" 2
check mgmt "$D/mgmt" "add_target t1"
check mgmt "$D/mgmt" "add_target t2"
check mgmt "$D/t1/luns/mgmt" "add f0 0"
check mgmt "$D/t2/luns/mgmt" "add f0 0"

info "auto: one group per initiator name, shared across targets"
add_sess t1 iniA
add_sess t1 iniB
add_sess t2 iniA
a=$(idx t1 iniA)
b=$(idx t1 iniB)
[ "$a" -ge 1 ] && [ "$b" -ge 1 ] || fail "thread_index $a/$b: not an I/O group"
[ "$a" != "$b" ] || fail "initiators iniA and iniB share group $a"
check_eq "$(idx t2 iniA)" "$a" "group of iniA on t2"
check_eq "$(pids t2 iniA)" "$(pids t1 iniA)" "threads of iniA on t1 and t2"
check_group t1 iniA "f0$a"
check_group t1 iniB "f0$b"
for p in $(pids t1 iniA); do
	for q in $(pids t1 iniB); do
		[ "$p" != "$q" ] || fail "thread $p serves iniA and iniB"
	done
done

info "verified I/O through a group's threads"
h=$(local_host t1 iniA)
disk=$(wait_disk "$h" 0)
before=$(awk '{ print $14 + $15 }' "/proc/$(pids t1 iniA | cut -d' ' -f1)/stat")
check fio --name=grp --filename="$disk" --rw=randwrite --bs=4k --size=4m \
	--iodepth=8 --ioengine=libaio --direct=1 --verify=crc32c \
	--output=/dev/null
ticks=0
for p in $(pids t1 iniA); do
	ticks=$((ticks + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
done
[ "$ticks" -gt 0 ] || fail "iniA's group threads did no work (before: $before)"

info "cpu_mask binds a target's groups and rebinds them live"
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
	check_allowed t1 iniB "0-$((ncpu - 1))"
	check mgmt "$D/t1/cpu_mask" 2
	check_allowed t1 iniB 1
	check mgmt "$D/t1/cpu_mask" 1
	check_allowed t1 iniB 0
	grep -q '^\[key\]' "$D/t1/cpu_mask" || fail "cpu_mask not marked [key]"
	# the global pool serves every target and stays unbound
	for p in $(pgrep '^scstd'); do
		check_eq "$(allowed "$p")" "0-$((ncpu - 1))" "CPUs of scstd thread $p"
	done
	must_fail "$D/t1/cpu_mask" "$EINVAL" "zz"
	check_allowed t1 iniB 0
else
	info "one CPU: cpu_mask binding not checked"
fi

info "a group's threads end with its last nexus"
old=$(pids t1 iniB)
del_sess t1 iniB
for p in $old; do
	wait_for 30 test ! -e "/proc/$p" || fail "thread $p of iniB's group survived"
done
del_sess t2 iniA
for p in $(pids t1 iniA); do
	[ -e "/proc/$p" ] || fail "iniA's group lost thread $p with a nexus left"
done

info "never: every nexus alone; new value applies to new nexuses"
check mgmt "$D/t2/io_grouping_type" never
grep -q '^\[key\]' "$D/t2/io_grouping_type" || fail "io_grouping_type not marked [key]"
add_sess t2 iniA
add_sess t2 iniC
[ "$(idx t2 iniA)" != "$a" ] || fail "never: iniA on t2 joined t1's group"
[ "$(idx t2 iniA)" != "$(idx t2 iniC)" ] || fail "never: two nexuses share a group"
check_eq "$(idx t1 iniA)" "$a" "existing nexus kept its group"
del_sess t2 iniA
del_sess t2 iniC

info "a number: initiator groups with the same number share"
check mgmt "$D/t1/ini_groups/mgmt" "create g1"
check mgmt "$D/t1/ini_groups/g1/initiators/mgmt" "add iniX"
check mgmt "$D/t1/ini_groups/g1/luns/mgmt" "add f0 0"
check mgmt "$D/t2/ini_groups/mgmt" "create g2"
check mgmt "$D/t2/ini_groups/g2/initiators/mgmt" "add iniY"
check mgmt "$D/t2/ini_groups/g2/luns/mgmt" "add f0 0"
check mgmt "$D/t1/ini_groups/g1/io_grouping_type" 7
check mgmt "$D/t2/ini_groups/g2/io_grouping_type" 7
add_sess t1 iniX
add_sess t2 iniY
check_eq "$(idx t2 iniY)" "$(idx t1 iniX)" "group 7 on t1/g1 and t2/g2"
[ "$(idx t1 iniX)" != "$a" ] || fail "group 7 is iniA's auto group"
if [ "$ncpu" -ge 2 ]; then
	# an initiator group's own cpu_mask, not the target's
	check mgmt "$D/t1/ini_groups/g1/cpu_mask" 2
	check_allowed t1 iniX 1
	check_allowed t1 iniA 0
fi
must_fail "$D/t1/ini_groups/g1/io_grouping_type" "$EINVAL" "0"
must_fail "$D/t1/ini_groups/g1/io_grouping_type" "$EINVAL" "sometimes"
check_eq "$(head -n1 "$D/t1/ini_groups/g1/io_grouping_type")" 7 "after bad values"
del_sess t1 iniX
del_sess t2 iniY

info "this_group_only: initiators of one group share, not across groups"
check mgmt "$D/t1/ini_groups/g1/initiators/mgmt" "add iniZ"
check mgmt "$D/t1/ini_groups/g1/io_grouping_type" this_group_only
check mgmt "$D/t2/io_grouping_type" this_group_only
add_sess t1 iniX
add_sess t1 iniZ
add_sess t2 iniX
check_eq "$(idx t1 iniZ)" "$(idx t1 iniX)" "iniX and iniZ in g1"
[ "$(idx t2 iniX)" != "$(idx t1 iniX)" ] || fail "this_group_only: t2 joined t1/g1's group"
del_sess t1 iniX
del_sess t1 iniZ
del_sess t2 iniX

info "a bad pool type fails at once (live changes: t-4b-async-attrs)"
must_fail "$DEV/threads_pool_type" "$EINVAL" private
check mgmt "$D/t1/ini_groups/g1/luns/mgmt" "clear"
check mgmt "$D/t2/ini_groups/g2/luns/mgmt" "clear"
check mgmt "$D/t2/luns/mgmt" "clear"
del_sess t1 iniA
check mgmt "$D/t1/luns/mgmt" "clear"

info "shared: one pool for every nexus of the device"
# the last nexuses are torn down in the background
wait_for 30 mgmt "$DEV/threads_pool_type" shared 2>/dev/null ||
	fail "threads_pool_type shared refused after all LUNs were removed"
grep -q '^\[key\]' "$DEV/threads_pool_type" || fail "shared not marked [key]"
check mgmt "$D/t1/luns/mgmt" "add f0 0"
check mgmt "$D/t2/luns/mgmt" "add f0 0"
add_sess t1 iniA
add_sess t2 iniB
check_eq "$(idx t1 iniA)" 0 "thread_index of a shared pool"
check_eq "$(pids t2 iniB)" "$(pids t1 iniA)" "shared pool threads"
check_group t1 iniA "f0"

info "threads_num 0: the global pool"
del_sess t1 iniA
del_sess t2 iniB
check mgmt "$D/t1/luns/mgmt" "clear"
check mgmt "$D/t2/luns/mgmt" "clear"
wait_for 30 mgmt "$DEV/threads_num" 0 2>/dev/null ||
	fail "threads_num 0 refused after all LUNs were removed"
check mgmt "$D/t1/luns/mgmt" "add f0 0"
add_sess t1 iniA
check_eq "$(idx t1 iniA)" -1 "thread_index with threads_num 0"
for p in $(pids t1 iniA); do
	[[ $(cat "/proc/$p/comm") == scstd* ]] || fail "thread $p is not a global one"
done
del_sess t1 iniA

info "teardown"
check mgmt "$D/t1/luns/mgmt" "clear"
check mgmt "$D/mgmt" "del_target t1"
check mgmt "$D/mgmt" "del_target t2"
check mgmt "$H/mgmt" "del_device f0"
unload_scst
if pgrep '^f0' >/dev/null; then
	fail "threads of f0 left after unload: $(pgrep -l '^f0' | tr '\n' ' ')"
fi
rm -f $IMG
info "t-27-io-groups done"
exit 0
