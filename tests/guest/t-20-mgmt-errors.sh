#!/bin/bash
# Malformed management commands: every one must be rejected by the write
# and must leave the whole /sys/kernel/scst_tgt tree unchanged.
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
H=$S/handlers/vdisk_nullio
D=$S/targets/scst_local
T=$D/t1
G=$T/ini_groups/g1

info "load modules"
LOCAL_PARAMS="add_default_tgt=0" load_scst

info "setup"
check mgmt "$H/mgmt" "add_device nd1 size_mb=16"
check mgmt "$H/mgmt" "add_device nd2 size_mb=8"
check mgmt "$D/mgmt" "add_target t1"
check mgmt "$D/mgmt" "add_target t2"
check mgmt "$T/luns/mgmt" "add nd1 0"
check mgmt "$T/ini_groups/mgmt" "create g1"
check mgmt "$G/initiators/mgmt" "add iqn.1993-08.org.debian:01:x*"
check mgmt "$G/luns/mgmt" "add nd2 3 read_only=1"
check mgmt "$T/rel_tgt_id" "7"
check_eq "$(cat "$S/last_sysfs_mgmt_res")" "0" "last_sysfs_mgmt_res"

# A few positive checks of the tree itself
[ -L "$S/devices/nd1/exported/export0" ] || fail "no export link of nd1"
[ -L "$T/luns/0/device" ] || fail "no device link of LUN 0"
[ -L "$H/nd1" ] || fail "no handler link of nd1"
[ -f "$G/initiators/iqn.1993-08.org.debian:01:x*" ] || fail "no initiator file"
check_eq "$(cat "$G/luns/3/read_only" | tr '\n' ' ')" "1 [key] " "LUN 3 read_only"
check_eq "$(cat "$T/luns/0/read_only" | tr '\n' ' ')" "0 " "LUN 0 read_only"
check_eq "$(cat "$T/rel_tgt_id" | tr '\n' ' ')" "7 [key] " "rel_tgt_id"
check_eq "$(head -n1 "$D/t2/rel_tgt_id")" "2" "auto rel_tgt_id of t2"
grep -q "The following parameters available:.*size_mb" "$H/mgmt" ||
	fail "handler help does not list its parameters"

before=$(sysfs_snapshot)

info "handler mgmt"
must_fail "$H/mgmt" "" "frobnicate nd3"
must_fail "$H/mgmt" "$EINVAL" "add_device"
must_fail "$H/mgmt" "$EEXIST" "add_device nd1 size_mb=16"
must_fail "$H/mgmt" "$EINVAL" "add_device nd3 size_mb=16;bogus_param=1"
must_fail "$H/mgmt" "$EINVAL" "add_device nd3 size_mb=16 bogus"
must_fail "$H/mgmt" "" "add_device nd3 size_mb=16;blocksize=1000"
must_fail "$H/mgmt" "$EINVAL" "add_device bad/name size_mb=16"
must_fail "$H/mgmt" "$EINVAL" "add_device nd3 size_mb=16;size_mb=16"
must_fail "$H/mgmt" "$ENOENT" "del_device nosuchdev"
must_fail "$H/mgmt" "$EBUSY" "del_device nd1"
must_fail "$H/mgmt" "$EINVAL" "del_device"
must_fail "$H/mgmt" "$EINVAL" ""

info "target driver mgmt"
must_fail "$D/mgmt" "$EINVAL" "add_target"
must_fail "$D/mgmt" "$EEXIST" "add_target t1"
must_fail "$D/mgmt" "$EINVAL" "add_target t3 nosuchparam=1"
must_fail "$D/mgmt" "$ENOENT" "del_target nosuch"
must_fail "$D/mgmt" "" "frobnicate t1"

info "LUN mgmt"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1 16384"
must_fail "$T/luns/mgmt" "$EEXIST" "add nd1 0"
check_eq "$(cat "$S/last_sysfs_mgmt_res")" "-17" "last_sysfs_mgmt_res after EEXIST"
must_fail "$T/luns/mgmt" "$EEXIST" "ADD nd2 0"
must_fail "$T/luns/mgmt" "$ENOENT" "add nosuchdev 1"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1 abc"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1 -1"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1"
must_fail "$T/luns/mgmt" "$EINVAL" "add"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1 1 read_only=2"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1 1 read_only"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1 1 foo=1"
must_fail "$T/luns/mgmt" "$EINVAL" "add nd1 1 read_only=1 read_only=0"
must_fail "$T/luns/mgmt" "$ENOENT" "replace nosuchdev 0"
must_fail "$T/luns/mgmt" "$ENOENT" "del 5"
must_fail "$T/luns/mgmt" "$EINVAL" "del"
must_fail "$T/luns/mgmt" "$EINVAL" "del 0 1"
must_fail "$T/luns/mgmt" "$EINVAL" "clear now"
must_fail "$T/luns/mgmt" "$EINVAL" "frob 1"
must_fail "$G/luns/mgmt" "$EEXIST" "add nd1 3"

info "group mgmt"
must_fail "$T/ini_groups/mgmt" "$ENOENT" "del nogroup"
must_fail "$T/ini_groups/mgmt" "$EEXIST" "create g1"
must_fail "$T/ini_groups/mgmt" "$EINVAL" "create"
must_fail "$T/ini_groups/mgmt" "$EINVAL" "create bad/name"
must_fail "$T/ini_groups/mgmt" "$EINVAL" "create mgmt"
must_fail "$T/ini_groups/mgmt" "$EINVAL" "destroy g1"

info "initiator mgmt"
must_fail "$G/initiators/mgmt" "$ENOENT" "del iqn.nosuch"
must_fail "$G/initiators/mgmt" "$EEXIST" "add iqn.1993-08.org.debian:01:x*"
must_fail "$G/initiators/mgmt" "$ENOENT" "move iqn.1993-08.org.debian:01:x* nogroup"
must_fail "$G/initiators/mgmt" "$EINVAL" "move iqn.1993-08.org.debian:01:x*"
must_fail "$G/initiators/mgmt" "$EINVAL" "add"
must_fail "$G/initiators/mgmt" "$EINVAL" "add mgmt"
must_fail "$G/initiators/mgmt" "$EINVAL" "add a/b"

info "attributes"
must_fail "$T/rel_tgt_id" "$EINVAL" "0"
must_fail "$T/rel_tgt_id" "$EINVAL" "65536"
must_fail "$T/rel_tgt_id" "$EINVAL" "x"
must_fail "$D/t2/rel_tgt_id" "$EEXIST" "7"
must_fail "$T/addr_method" "$EINVAL" "FOO"
must_fail "$T/black_hole" "$EINVAL" "7"
must_fail "$T/io_grouping_type" "$EINVAL" "sometimes"
must_fail "$G/addr_method" "$EINVAL" "SIDEWAYS"
must_fail "$S/setup_id" "$EINVAL" "abc"
must_fail "$S/threads" "$EINVAL" "0"
must_fail "$S/devices/nd1/max_tgt_dev_commands" "$EINVAL" "0"
must_fail "$S/devices/nd1/block" "$EINVAL" "0"
must_fail "$S/device_groups/mgmt" "$EINVAL" "create"
must_fail "$S/device_groups/mgmt" "$ENOENT" "del dg1"
must_fail "$S/device_groups/mgmt" "$EINVAL" "frob dg1"

after=$(sysfs_snapshot)
if [ "$before" != "$after" ]; then
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2
	fail "the tree changed after rejected commands"
fi
info "$MUST_FAIL_COUNT malformed commands rejected, tree unchanged"

info "cleanup"
check mgmt "$G/luns/mgmt" "del 3"
check mgmt "$G/initiators/mgmt" "clear"
check mgmt "$T/ini_groups/mgmt" "del g1"
check mgmt "$T/luns/mgmt" "clear"
[ -e "$S/devices/nd1/exported/export0" ] && fail "export link left behind"
check mgmt "$H/mgmt" "del_device nd1"
check mgmt "$D/mgmt" "del_target t1"
check mgmt "$D/mgmt" "del_target t2"
check_eq "$(cat "$S/last_sysfs_mgmt_res")" "0" "last_sysfs_mgmt_res"
unload_scst
[ -e "$S" ] && fail "$S still exists after unload"
info "t-20-mgmt-errors done"
exit 0
