# Helpers for the iSCSI guest tests (t-5x), on top of scst-test-lib.sh.
# Source it with
#	. "$TOP/tests/lib/iscsi-helpers.sh"
#
# The target under test is chosen with ISCSI_IMPL (pass it into the guest
# with GUEST_ENV):
#   ISCSI_IMPL=scst (default)  our iscsi-scst.ko + iscsi-scstd over SCST
#   ISCSI_IMPL=lio             the guest kernel's LIO (target_core_mod +
#                              iscsi_target_mod), configured via configfs;
#                              used to prove the scripts and the initiator
#                              side against a known-good target.
# e.g.  GUEST_ENV=ISCSI_IMPL ISCSI_IMPL=lio TESTS=t-51-iscsi-data \
#           SKIP_UNIT=1 tests/run-all.sh
#
# The tests describe the target in one model that both implementations
# map onto:
#   devices      iscsi_add_fileio NAME MB, iscsi_add_nullio NAME MB
#   targets      iscsi_add_target IQN, iscsi_enable_target IQN ...
#   default LUNs iscsi_add_lun IQN LUN DEV: seen by every initiator that is
#                in no group (LIO: "demo mode", generate_node_acls=1)
#   groups       iscsi_group_create/add_ini/add_lun: the LUNs of a group are
#                seen by its initiators only.  Tests that use groups leave
#                the default LUN set empty, so that an initiator in no group
#                has no LUNs and must be refused at login (SCST refuses an
#                initiator without LUNs; LIO, with generate_node_acls=0,
#                refuses an initiator without an ACL).
#   CHAP         iscsi_chap_in/out (per target), iscsi_disc_chap_in/out
#                (discovery sessions)
#
# Network.  open-iscsi (iscsid + iscsi_tcp) only works in the initial
# network namespace (the iSCSI netlink socket exists only there), so the
# kernel initiator always runs in the root namespace.  iscsi_net_up makes a
# second namespace ("peer") joined to the root one by a veth pair:
#   root: v-root 10.99.0.1/24   <-- veth -->   peer: v-peer 10.99.0.2/24
# The target listens in ISCSI_PORTAL_NS (root or peer; default root):
#   root: portals 127.0.0.1 (and 10.99.0.1 for a libiscsi initiator that
#         runs in the peer namespace);
#   peer: portal 10.99.0.2, reached by open-iscsi over the veth pair.
# iscsi_move_portal NS moves it later (ours: the daemon is restarted in NS,
# which is also a daemon-restart test; LIO: a portal is added in NS).
# Commands run in the peer namespace with in_peer (nsenter, which keeps
# this /sys and configfs visible, unlike "ip netns exec").
#
# Background programs (iscsid, iscsi-scstd, fio loops) never write to the
# test's stdout: the guest waits for every writer of that pipe before it
# powers off.  Their logs are in $IW and copied to /results/iscsi-logs/.
#
# Never put the words the dmesg checker looks for into messages (info()
# writes to the kernel log).
# shellcheck shell=bash

# shellcheck source=tests/lib/scst-test-lib.sh
. "$TOP/tests/lib/scst-test-lib.sh"

ISCSI_IMPL=${ISCSI_IMPL:-scst}
case $ISCSI_IMPL in
scst | lio) ;;
*) fail "ISCSI_IMPL must be scst or lio, not '$ISCSI_IMPL'" ;;
esac

ISCSI_KO=$TOP/iscsi-scst/kernel/iscsi-scst.ko
ISCSI_DAEMON=$TOP/iscsi-scst/usr/iscsi-scstd
ISYS=$S/targets/iscsi
LIO=/sys/kernel/config/target
IW=/tmp/iscsi
mkdir -p "$IW"

# Initiator names: A is the default iface of open-iscsi, B and C are
# extra ifaces ("ifb", "ifc") with their own iface.initiatorname.
INI_A=iqn.2024-01.org.example.ini:alpha
# shellcheck disable=SC2034  # used by the tests
INI_B=iqn.2024-01.org.example.ini:beta
# shellcheck disable=SC2034
INI_C=iqn.2024-01.org.example.ini:gamma
# shellcheck disable=SC2034  # used by the tests
IQN_BASE=iqn.2024-01.org.example.tgt

PEER_NS=iscsipeer
ROOT_IP=10.99.0.1
PEER_IP=10.99.0.2
ISCSI_PORT=3260
ISCSI_PORTAL_NS=${ISCSI_PORTAL_NS:-root}

# State for teardown.
ISCSI_TGTS=()			# targets created by iscsi_add_target
ISCSI_LIO_DEVS=()		# "hba/name" of LIO backstores
ISCSI_BG_PIDS=()		# background jobs of the test
ISCSI_DAEMON_PID=
ISCSI_DAEMON_NS=
ISCSID_PID=
ISCSI_NET=0
declare -A ISCSI_DEV_PATH=()	# device -> LIO configfs dir
declare -A ISCSI_GROUP_INIS=()	# "iqn/group" -> initiator names
declare -A ISCSI_GROUP_LUNS=()	# "iqn/group" -> "lun:dev ..."
declare -A ISCSI_CHAP=()	# LIO: "iqn/in" "iqn/out" -> "user secret"
ISCSI_DISC_USERS=()		# scst: "IncomingUser user" ...
declare -A ISCSI_TGT_USERS=()	# scst: iqn -> "IncomingUser user;..."

# ---------------------------------------------------------------------------
# Generic

# in_ns NS CMD...: run CMD in namespace NS (root or peer).
in_ns() {
	local ns=$1
	shift
	if [ "$ns" = root ]; then
		"$@"
	else
		nsenter --net="/run/netns/$PEER_NS" "$@"
	fi
}

# _nsx NS: NSX = the command prefix that runs a program in NS (for
# background jobs, whose $! must be the program itself, not a subshell).
_nsx() {
	NSX=()
	[ "$1" = root ] || NSX=(nsenter --net="/run/netns/$PEER_NS")
}

# in_peer CMD...: run CMD in the peer namespace.
in_peer() {
	nsenter --net="/run/netns/$PEER_NS" "$@"
}

# portal_ip: the address open-iscsi uses to reach the target's portal.
portal_ip() {
	if [ "$ISCSI_PORTAL_NS" = root ]; then
		echo 127.0.0.1
	else
		echo "$PEER_IP"
	fi
}

# bg_start CMD...: start CMD in the background (output to $IW/bg.log),
# remember its pid in BG_PID and for the exit handler.  CMD must be a
# program (a shell function would run in a subshell with another pid).
bg_start() {
	"$@" >>"$IW/bg.log" 2>&1 </dev/null &
	BG_PID=$!
	ISCSI_BG_PIDS+=("$BG_PID")
}

# bg_wait PID: wait for a job started with bg_start; returns its status.
bg_wait() {
	local rc=0
	wait "$1" || rc=$?
	_tlib_forget ISCSI_BG_PIDS "$1"
	return $rc
}

# _listening NS: something listens on the iSCSI port in NS.
_listening() {
	local out
	out=$(in_ns "$1" ss -Hltn "sport = :$ISCSI_PORT" 2>/dev/null) || return 1
	[ -n "$out" ]
}

# iscsi_test_init: common start of every iSCSI test.
iscsi_test_init() {
	modprobe -q sd_mod || true
	modprobe -q sg || true
	step "iSCSI target implementation: $ISCSI_IMPL"
	trap _iscsi_on_exit EXIT
}

# ---------------------------------------------------------------------------
# Network

# iscsi_net_up: lo up; veth pair root <-> peer namespace.
iscsi_net_up() {
	check ip link set lo up
	check modprobe veth
	check ip netns add "$PEER_NS"
	ISCSI_NET=1
	check ip link add v-root type veth peer name v-peer netns "$PEER_NS"
	check ip addr add "$ROOT_IP/24" dev v-root
	check ip link set v-root up
	check ip -n "$PEER_NS" link set lo up
	check ip -n "$PEER_NS" addr add "$PEER_IP/24" dev v-peer
	check ip -n "$PEER_NS" link set v-peer up
	wait_until 10 _link_up || fail "veth pair did not come up: $(ip -br link 2>&1)"
}

_link_up() {
	local a b
	a=$(ip -br link show v-root 2>/dev/null)
	b=$(ip -n "$PEER_NS" -br link show v-peer 2>/dev/null)
	[[ $a == *" UP "* && $b == *" UP "* ]]
}

iscsi_net_down() {
	[ "$ISCSI_NET" = 1 ] || return 0
	ip netns del "$PEER_NS" || return 1
	ip link del v-root 2>/dev/null || true
	ISCSI_NET=0
	return 0
}

# ---------------------------------------------------------------------------
# Target: load / daemon / unload

# iscsi_target_load: load the target modules (and start our daemon).
iscsi_target_load() {
	local m
	if [ "$ISCSI_IMPL" = lio ]; then
		check modprobe target_core_mod
		check modprobe iscsi_target_mod
		check modprobe target_core_file
		# the fabric's directory appears when it is made
		[ -d "$LIO/iscsi" ] || check mkdir "$LIO/iscsi"
		[ -d "$LIO/iscsi" ] || fail "$LIO/iscsi missing after loading iscsi_target_mod"
		return 0
	fi
	[ -f "$ISCSI_KO" ] || fail "our iSCSI target is not built: no $ISCSI_KO"
	[ -x "$ISCSI_DAEMON" ] || fail "our iSCSI target is not built: no $ISCSI_DAEMON"
	scst_test_init
	trap _iscsi_on_exit EXIT	# scst_test_init installed its own
	# insmod does not load dependencies: the kernel's (libcrc32c ...)
	for m in $(modinfo -F depends "$ISCSI_KO" | tr ',' ' '); do
		case $m in scst | scst_*) ;; *) check modprobe "$m" ;; esac
	done
	check insmod "$ISCSI_KO"
	wait_until 10 test -e "$ISYS/mgmt" || fail "no $ISYS/mgmt after loading iscsi-scst"
	iscsi_daemon_start
}

# iscsi_daemon_start [NS]: start iscsi-scstd (foreground mode, in the
# background) in namespace NS (default ISCSI_PORTAL_NS); wait until it
# listens.
iscsi_daemon_start() {
	local ns=${1:-$ISCSI_PORTAL_NS}
	[ "$ISCSI_IMPL" = scst ] || return 0
	echo "---- start in $ns at ${SECONDS}s" >>"$IW/iscsi-scstd.log"
	_nsx "$ns"
	"${NSX[@]}" setsid "$ISCSI_DAEMON" -f >>"$IW/iscsi-scstd.log" 2>&1 </dev/null &
	ISCSI_DAEMON_PID=$!
	ISCSI_DAEMON_NS=$ns
	wait_until 20 _listening "$ns" ||
		fail "iscsi-scstd does not listen on port $ISCSI_PORT in $ns: $(tail -n 5 "$IW/iscsi-scstd.log")"
}

# iscsi_daemon_stop [-9]: stop the daemon (SIGTERM, or SIGKILL with -9).
iscsi_daemon_stop() {
	local sig=TERM pid=$ISCSI_DAEMON_PID
	[ "${1:-}" = -9 ] && sig=KILL
	[ -n "$pid" ] || return 0
	kill -s "$sig" "$pid" 2>/dev/null || true
	if ! wait_until 15 _gone "$pid"; then
		echo "iscsi-scstd ignored SIG$sig for 15 s" >&2
		kill -9 "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	ISCSI_DAEMON_PID=
	wait_until 10 _not_listening "$ISCSI_DAEMON_NS" ||
		fail "port $ISCSI_PORT still listening after the daemon exited"
}

_gone() {
	! proc_alive "$1"
}

_not_listening() {
	! _listening "$1"
}

# iscsi_daemon_alive: the daemon is still running.
iscsi_daemon_alive() {
	[ -n "$ISCSI_DAEMON_PID" ] && proc_alive "$ISCSI_DAEMON_PID"
}

# iscsi_move_portal NS: make the target listen in NS instead (ours: restart
# the daemon there; LIO: add a portal in NS).
iscsi_move_portal() {
	local ns=$1 t
	[ "$ns" = "$ISCSI_PORTAL_NS" ] && return 0
	ISCSI_PORTAL_NS=$ns
	if [ "$ISCSI_IMPL" = scst ]; then
		iscsi_daemon_stop TERM
		iscsi_daemon_start "$ns"
		return 0
	fi
	for t in "${ISCSI_TGTS[@]}"; do
		_lio_add_np "$t"
	done
}

# ---------------------------------------------------------------------------
# Devices

# iscsi_add_fileio NAME MB [OPTS]: a file-backed device on a tmpfs file of
# MB MiB.  OPTS, comma-separated: thin (thin provisioned: UNMAP, WRITE SAME
# with UNMAP), removable, read_only.  LIO has no removable or read-only
# fileio device: there those options are ignored.
iscsi_add_fileio() {
	local name=$1 mb=$2 opts=,${3:-}, f=$IW/$1.img d p=
	check truncate -s "${mb}M" "$f"
	if [ "$ISCSI_IMPL" = scst ]; then
		[[ $opts == *,thin,* ]] && p+="; thin_provisioned=1"
		[[ $opts == *,removable,* ]] && p+="; removable=1"
		[[ $opts == *,read_only,* ]] && p+="; read_only=1"
		scst_add_dev vdisk_fileio "$name" "filename=$f$p"
		return 0
	fi
	d=$LIO/core/fileio_0/$name
	check mkdir -p "$d"
	mgmt "$d/control" "fd_dev_name=$f,fd_dev_size=$((mb << 20))" ||
		fail "LIO: cannot configure fileio $name"
	mgmt "$d/enable" 1 || fail "LIO: cannot enable fileio $name"
	if [[ $opts == *,thin,* ]]; then
		mgmt "$d/attrib/emulate_tpu" 1 || fail "LIO: emulate_tpu"
		mgmt "$d/attrib/emulate_tpws" 1 || fail "LIO: emulate_tpws"
	fi
	ISCSI_DEV_PATH[$name]=$d
	ISCSI_LIO_DEVS+=("fileio_0/$name")
}

# iscsi_add_nullio NAME MB: a device without storage.
iscsi_add_nullio() {
	local name=$1 mb=$2 d
	if [ "$ISCSI_IMPL" = scst ]; then
		scst_add_dev vdisk_nullio "$name" "size_mb=$mb"
		return 0
	fi
	d=$LIO/core/rd_mcp_0/$name
	check mkdir -p "$d"
	mgmt "$d/control" "rd_pages=$((mb * 256)),rd_nullio=1" ||
		fail "LIO: cannot configure ramdisk $name"
	mgmt "$d/enable" 1 || fail "LIO: cannot enable ramdisk $name"
	ISCSI_DEV_PATH[$name]=$d
	ISCSI_LIO_DEVS+=("rd_mcp_0/$name")
}

# ---------------------------------------------------------------------------
# Targets and LUNs

_lio_tpg() {
	echo "$LIO/iscsi/$1/tpgt_1"
}

# _lio_add_np IQN: a network portal in ISCSI_PORTAL_NS.
_lio_add_np() {
	local tpg np
	tpg=$(_lio_tpg "$1")
	if [ "$ISCSI_PORTAL_NS" = root ]; then
		np=0.0.0.0:$ISCSI_PORT
	else
		np=$PEER_IP:$ISCSI_PORT
	fi
	[ -d "$tpg/np/$np" ] && return 0
	in_ns "$ISCSI_PORTAL_NS" mkdir "$tpg/np/$np" ||
		fail "LIO: cannot create portal $np in $ISCSI_PORTAL_NS"
}

# iscsi_add_target IQN: a new target (disabled; LUNs to be added).
iscsi_add_target() {
	local t=$1 tpg d
	if [ "$ISCSI_IMPL" = scst ]; then
		smgmt "$ISYS/mgmt" "add_target $t"
		[ -d "$ISYS/$t" ] || fail "target $t: no $ISYS/$t after add_target"
		for d in luns ini_groups sessions; do
			[ -d "$ISYS/$t/$d" ] || fail "target $t has no $d/ directory"
		done
		ISCSI_TGTS+=("$t")
		return 0
	fi
	tpg=$(_lio_tpg "$t")
	check mkdir -p "$tpg"
	ISCSI_TGTS+=("$t")
	_lio_add_np "$t"
	mgmt "$tpg/attrib/authentication" 0 || fail "LIO: cannot set ${1}: authentication 0"
	mgmt "$tpg/attrib/generate_node_acls" 1 || fail "LIO: cannot set ${1}: generate_node_acls 1"
	mgmt "$tpg/attrib/cache_dynamic_acls" 1 || fail "LIO: cannot set ${1}: cache_dynamic_acls 1"
	mgmt "$tpg/attrib/demo_mode_write_protect" 0 || fail "LIO: cannot set ${1}: demo_mode_write_protect 0"
}

# iscsi_target_dir IQN: sysfs/configfs directory of a target.
iscsi_target_dir() {
	if [ "$ISCSI_IMPL" = scst ]; then
		echo "$ISYS/$1"
	else
		_lio_tpg "$1"
	fi
}

# iscsi_enable_target IQN / iscsi_disable_target IQN
iscsi_enable_target() {
	if [ "$ISCSI_IMPL" = scst ]; then
		if [ "$(first_line "$ISYS/enabled")" != 1 ]; then
			smgmt "$ISYS/enabled" 1
		fi
		smgmt "$ISYS/$1/enabled" 1
		attr_is "$ISYS/$1/enabled" 1 "enabled of target $1"
	else
		mgmt "$(_lio_tpg "$1")/enable" 1 || fail "LIO: cannot enable $1"
	fi
}

iscsi_disable_target() {
	if [ "$ISCSI_IMPL" = scst ]; then
		smgmt "$ISYS/$1/enabled" 0
		attr_is "$ISYS/$1/enabled" 0 "enabled of target $1"
	else
		mgmt "$(_lio_tpg "$1")/enable" 0 || fail "LIO: cannot disable $1"
	fi
}

# iscsi_target_param IQN KEY VALUE: set a per-target iSCSI parameter
# (HeaderDigest "CRC32C,None", MaxRecvDataSegmentLength ...).  Ours takes
# it through the target's attribute file of that name.
iscsi_target_param() {
	local t=$1 k=$2 v=$3 f
	if [ "$ISCSI_IMPL" = scst ]; then
		f=$ISYS/$t/$k
		[ -e "$f" ] || fail "target $t has no attribute $k"
		smgmt "$f" "$v"
		attr_is "$f" "$v" "$k of target $t"
	else
		f=$(_lio_tpg "$t")/param/$k
		[ -e "$f" ] || fail "LIO: no parameter $f"
		mgmt "$f" "$v" || fail "LIO: cannot set $k=$v"
	fi
}

# _lio_tpg_lun IQN DEV [INDEX]: the TPG LUN index that exports DEV
# (created on first use: INDEX if given, else the first free from 100).
_lio_tpg_lun() {
	local t=$1 dev=$2 idx=${3:-} tpg l
	tpg=$(_lio_tpg "$t")
	for l in "$tpg"/lun/lun_*; do
		[ -L "$l/$dev" ] && { echo "${l##*_}"; return 0; }
	done
	if [ -z "$idx" ]; then
		idx=100
		while [ -e "$tpg/lun/lun_$idx" ]; do idx=$((idx + 1)); done
	fi
	mkdir "$tpg/lun/lun_$idx" || return 1
	ln -s "${ISCSI_DEV_PATH[$dev]}" "$tpg/lun/lun_$idx/$dev" || return 1
	echo "$idx"
}

# iscsi_add_lun IQN LUN DEV: DEV as LUN in the default LUN set.
iscsi_add_lun() {
	local t=$1 lun=$2 dev=$3 idx
	if [ "$ISCSI_IMPL" = scst ]; then
		smgmt "$ISYS/$t/luns/mgmt" "add $dev $lun"
		[ -d "$ISYS/$t/luns/$lun" ] || fail "LUN $lun: no $ISYS/$t/luns/$lun after add"
		check_eq "$(link_name "$ISYS/$t/luns/$lun/device")" "$dev" "device of LUN $lun of $t"
		return 0
	fi
	idx=$(_lio_tpg_lun "$t" "$dev" "$lun") || fail "LIO: cannot export $dev as LUN $lun"
	check_eq "$idx" "$lun" "LIO: TPG LUN of $dev"
}

# iscsi_del_target IQN: delete a target (sessions, if any, must end).
iscsi_del_target() {
	local t=$1
	if [ "$ISCSI_IMPL" = scst ]; then
		smgmt "$ISYS/mgmt" "del_target $t"
		[ ! -e "$ISYS/$t" ] || fail "target $t still exists after del_target"
		unset "ISCSI_TGT_USERS[$t]"
	else
		_lio_del_target "$t"
	fi
	_tlib_forget ISCSI_TGTS "$t"
}

_lio_del_target() {
	local tpg a l
	tpg=$(_lio_tpg "$1")
	[ -d "$tpg" ] || return 0
	mgmt "$tpg/enable" 0 2>/dev/null || true
	for a in "$tpg"/acls/*/; do
		[ -d "$a" ] || continue
		for l in "$a"lun_*/; do
			[ -d "$l" ] || continue
			find "$l" -maxdepth 1 -type l -exec rm {} +
			rmdir "$l" || fail "LIO: rmdir $l"
		done
		rmdir "$a" || fail "LIO: rmdir $a"
	done
	for l in "$tpg"/lun/lun_*/; do
		[ -d "$l" ] || continue
		find "$l" -maxdepth 1 -type l -exec rm {} +
		rmdir "$l" || fail "LIO: rmdir $l"
	done
	for l in "$tpg"/np/*/; do
		[ -d "$l" ] && { rmdir "$l" || fail "LIO: rmdir $l"; }
	done
	rmdir "$tpg" || fail "LIO: rmdir $tpg"
	rmdir "$LIO/iscsi/$1" || fail "LIO: rmdir $LIO/iscsi/$1"
}

# iscsi_target_up IQN NAME [FILE_MB [NULL_MB]]: the usual single-target
# setup: load the target, a fileio device NAMEf (FILE_MB, default 64) as
# LUN 0 and a nullio device NAMEn (NULL_MB, default 64) as LUN 1, enable.
iscsi_target_up() {
	local t=$1 n=$2
	iscsi_target_load
	iscsi_add_fileio "${n}f" "${3:-64}"
	iscsi_add_nullio "${n}n" "${4:-64}"
	iscsi_add_target "$t"
	iscsi_add_lun "$t" 0 "${n}f"
	iscsi_add_lun "$t" 1 "${n}n"
	iscsi_enable_target "$t"
}

# ---------------------------------------------------------------------------
# Initiator groups

# iscsi_group_create IQN GROUP
iscsi_group_create() {
	local t=$1 g=$2
	ISCSI_GROUP_INIS[$t/$g]=
	ISCSI_GROUP_LUNS[$t/$g]=
	if [ "$ISCSI_IMPL" = scst ]; then
		smgmt "$ISYS/$t/ini_groups/mgmt" "create $g"
		[ -d "$ISYS/$t/ini_groups/$g/luns" ] || fail "group $g of $t: no luns/ after create"
		[ -d "$ISYS/$t/ini_groups/$g/initiators" ] || fail "group $g of $t: no initiators/ after create"
	else
		# Only initiators with an ACL may log in from now on.
		mgmt "$(_lio_tpg "$t")/attrib/generate_node_acls" 0 ||
			fail "LIO: generate_node_acls=0"
	fi
}

# iscsi_group_add_ini IQN GROUP INITIATOR
iscsi_group_add_ini() {
	local t=$1 g=$2 ini=$3 d a x
	ISCSI_GROUP_INIS[$t/$g]+=" $ini"
	if [ "$ISCSI_IMPL" = scst ]; then
		d=$ISYS/$t/ini_groups/$g/initiators
		smgmt "$d/mgmt" "add $ini"
		[ -e "$d/$ini" ] || fail "initiator $ini: no $d/$ini after add"
		return 0
	fi
	a=$(_lio_tpg "$t")/acls/$ini
	check mkdir -p "$a"
	_lio_acl_auth "$t" "$a"
	for x in ${ISCSI_GROUP_LUNS[$t/$g]}; do
		_lio_map_lun "$t" "$ini" "${x%%:*}" "${x#*:}"
	done
}

# iscsi_group_add_lun IQN GROUP LUN DEV
iscsi_group_add_lun() {
	local t=$1 g=$2 lun=$3 dev=$4 d ini
	ISCSI_GROUP_LUNS[$t/$g]+=" $lun:$dev"
	if [ "$ISCSI_IMPL" = scst ]; then
		d=$ISYS/$t/ini_groups/$g/luns
		smgmt "$d/mgmt" "add $dev $lun"
		[ -d "$d/$lun" ] || fail "LUN $lun: no $d/$lun after add"
		return 0
	fi
	for ini in ${ISCSI_GROUP_INIS[$t/$g]}; do
		_lio_map_lun "$t" "$ini" "$lun" "$dev"
	done
}

_lio_map_lun() {
	local t=$1 ini=$2 lun=$3 dev=$4 tpg idx
	tpg=$(_lio_tpg "$t")
	idx=$(_lio_tpg_lun "$t" "$dev") || fail "LIO: cannot export $dev"
	check mkdir "$tpg/acls/$ini/lun_$lun"
	check ln -s "$tpg/lun/lun_$idx" "$tpg/acls/$ini/lun_$lun/map"
}

# ---------------------------------------------------------------------------
# CHAP

# iscsi_chap_in IQN USER SECRET: initiators must authenticate (one-way).
# iscsi_chap_out IQN USER SECRET: the target authenticates itself (mutual).
iscsi_chap_in() {
	_iscsi_chap "$1" in IncomingUser "$2" "$3"
}

iscsi_chap_out() {
	_iscsi_chap "$1" out OutgoingUser "$2" "$3"
}

_iscsi_chap() {
	local t=$1 dir=$2 attr=$3 user=$4 secret=$5 tpg a
	if [ "$ISCSI_IMPL" = scst ]; then
		smgmt "$ISYS/mgmt" "add_target_attribute $t $attr $user $secret"
		ISCSI_TGT_USERS[$t]+="$attr $user;"
		_scst_has_user "$ISYS/$t" "$attr" "$user" ||
			fail "target $t: no $attr attribute for $user after add_target_attribute"
		return 0
	fi
	ISCSI_CHAP[$t/$dir]="$user $secret"
	tpg=$(_lio_tpg "$t")
	mgmt "$tpg/attrib/authentication" 1 || fail "LIO: authentication=1"
	_lio_auth_dir "$t" "$tpg/auth"
	for a in "$tpg"/acls/*/; do
		[ -d "$a" ] && _lio_acl_auth "$t" "${a%/}"
	done
	return 0
}

# _scst_has_user DIR ATTR USER: one of DIR/ATTR, DIR/ATTR1 ... names USER.
_scst_has_user() {
	local f l
	for f in "$1/$2" "$1/$2"[0-9]*; do
		[ -e "$f" ] || continue
		l=$(first_line "$f") || continue
		[ "${l%% *}" = "$3" ] && return 0
	done
	return 1
}

_lio_acl_auth() {
	_lio_auth_dir "$1" "$2/auth"
}

_lio_auth_dir() {
	local t=$1 d=$2 u s
	if [ -n "${ISCSI_CHAP[$t/in]:-}" ]; then
		read -r u s <<<"${ISCSI_CHAP[$t/in]}"
		if ! _lio_put "$d/userid" "$u" || ! _lio_put "$d/password" "$s"; then
			fail "LIO: CHAP in $d"
		fi
	fi
	if [ -n "${ISCSI_CHAP[$t/out]:-}" ]; then
		read -r u s <<<"${ISCSI_CHAP[$t/out]}"
		if ! _lio_put "$d/userid_mutual" "$u" || ! _lio_put "$d/password_mutual" "$s"; then
			fail "LIO: CHAP out $d"
		fi
	fi
	return 0
}

# _lio_put FILE VALUE: LIO keeps a trailing newline in CHAP names and
# secrets, so write them without one.
_lio_put() {
	printf '%s' "$2" >"$1"
}

# iscsi_chap_clear IQN: no CHAP on the target any more.
iscsi_chap_clear() {
	local t=$1 e tpg a d f
	if [ "$ISCSI_IMPL" = scst ]; then
		IFS=';' read -r -a e <<<"${ISCSI_TGT_USERS[$t]:-}"
		for a in "${e[@]}"; do
			[ -n "$a" ] || continue
			smgmt "$ISYS/mgmt" "del_target_attribute $t $a"
			# shellcheck disable=SC2086  # "ATTR USER"
			! _scst_has_user "$ISYS/$t" $a ||
				fail "target $t: $a still there after del_target_attribute"
		done
		unset "ISCSI_TGT_USERS[$t]"
		return 0
	fi
	unset "ISCSI_CHAP[$t/in]" "ISCSI_CHAP[$t/out]"
	tpg=$(_lio_tpg "$t")
	mgmt "$tpg/attrib/authentication" 0 || fail "LIO: authentication=0"
	for d in "$tpg/auth" "$tpg"/acls/*/auth; do
		[ -d "$d" ] || continue
		for f in userid password userid_mutual password_mutual; do
			_lio_put "$d/$f" NULL 2>/dev/null || true
		done
	done
	return 0
}

# iscsi_disc_chap_in USER SECRET / iscsi_disc_chap_out USER SECRET: CHAP
# for discovery sessions.  iscsi_disc_chap_clear: none again.
iscsi_disc_chap_in() {
	_iscsi_disc_chap IncomingUser userid password "$1" "$2"
}

iscsi_disc_chap_out() {
	_iscsi_disc_chap OutgoingUser userid_mutual password_mutual "$1" "$2"
}

_iscsi_disc_chap() {
	local attr=$1 fu=$2 fs=$3 user=$4 secret=$5 d=$LIO/iscsi/discovery_auth
	if [ "$ISCSI_IMPL" = scst ]; then
		smgmt "$ISYS/mgmt" "add_attribute $attr $user $secret"
		ISCSI_DISC_USERS+=("$attr $user")
		_scst_has_user "$ISYS" "$attr" "$user" ||
			fail "no driver attribute $attr for $user after add_attribute"
		return 0
	fi
	if ! _lio_put "$d/$fu" "$user" || ! _lio_put "$d/$fs" "$secret"; then
		fail "LIO: discovery_auth $fu"
	fi
	mgmt "$d/enforce_discovery_auth" 1 || fail "LIO: enforce_discovery_auth"
}

iscsi_disc_chap_clear() {
	local a d=$LIO/iscsi/discovery_auth f
	if [ "$ISCSI_IMPL" = scst ]; then
		for a in "${ISCSI_DISC_USERS[@]}"; do
			smgmt "$ISYS/mgmt" "del_attribute $a"
		done
		ISCSI_DISC_USERS=()
		return 0
	fi
	[ -d "$d" ] || return 0
	mgmt "$d/enforce_discovery_auth" 0 || fail "LIO: enforce_discovery_auth=0"
	for f in userid password userid_mutual password_mutual; do
		_lio_put "$d/$f" NULL 2>/dev/null || true
	done
	return 0
}

# ---------------------------------------------------------------------------
# Target-side sessions

# _tgt_session_names IQN: TGT_SESS = initiator names of the target's
# sessions, a name once per session, unsorted.  (Ours: no process started,
# which matters in loops under TCG.)
_tgt_session_names() {
	local t=$1 d n tpg l
	TGT_SESS=()
	if [ "$ISCSI_IMPL" = scst ]; then
		for d in "$ISYS/$t"/sessions/*/; do
			[ -d "$d" ] || continue
			{ IFS= read -r n <"$d/initiator_name"; } 2>/dev/null || n=${d%/}
			TGT_SESS+=("${n##*/}")
		done
		return 0
	fi
	tpg=$(_lio_tpg "$t")
	[ -d "$tpg" ] || return 0
	# one name a line, NUL padded
	while IFS= read -r l; do
		[ -n "$l" ] && TGT_SESS+=("$l")
	done < <(tr -d '\000' <"$tpg/dynamic_sessions" 2>/dev/null)
	for d in "$tpg"/acls/*/; do
		[ -e "$d/info" ] || continue
		while IFS= read -r l; do
			[[ $l == "InitiatorName: "* ]] && TGT_SESS+=("${l#InitiatorName: }")
		done <"$d/info"
	done
	return 0
}

# iscsi_tgt_sessions IQN: initiator names of the target's sessions, one a
# line, sorted (a name appears once per session).
iscsi_tgt_sessions() {
	_tgt_session_names "$1"
	[ ${#TGT_SESS[@]} -gt 0 ] || return 0
	printf '%s\n' "${TGT_SESS[@]}" | sort
}

# iscsi_tgt_nsess IQN [INITIATOR]: number of the target's sessions (of
# INITIATOR).
iscsi_tgt_nsess() {
	_tgt_nsess "$@"
	echo "$NSESS"
}

# _tgt_nsess IQN [INITIATOR]: NSESS = that number, without a subshell.
_tgt_nsess() {
	local l
	NSESS=0
	_tgt_session_names "$1"
	for l in "${TGT_SESS[@]}"; do
		if [ -z "${2:-}" ] || [ "$l" = "$2" ]; then
			NSESS=$((NSESS + 1))
		fi
	done
}

_tgt_nsess_is() {
	_tgt_nsess "$1" "${3:-}"
	[ "$NSESS" = "$2" ]
}

# wait_tgt_nsess IQN N [INITIATOR] [TIMEOUT]: wait until the target has N
# sessions (of INITIATOR).
wait_tgt_nsess() {
	wait_until "${4:-30}" _tgt_nsess_is "$1" "$2" "${3:-}" ||
		fail "target $1: expected $2 session(s)${3:+ of $3}, have: $(iscsi_tgt_sessions "$1" | tr '\n' ' ')"
}

# iscsi_force_close IQN INITIATOR: close the session(s) of INITIATOR from
# the target side (ours only).
iscsi_force_close() {
	local d n nclosed=0
	for d in "$ISYS/$1"/sessions/*/; do
		[ -d "$d" ] || continue
		n=$(first_line "$d/initiator_name" 2>/dev/null) || continue
		[ "$n" = "$2" ] || continue
		[ -e "$d/force_close" ] || fail "session $d has no force_close"
		smgmt "$d/force_close" 1
		nclosed=$((nclosed + 1))
	done
	[ $nclosed -gt 0 ] || fail "target $1 has no session of $2 to close"
}

# ---------------------------------------------------------------------------
# Target teardown

# iscsi_target_down: delete every target and device, stop the daemon and
# unload the target modules (verified).
iscsi_target_down() {
	local t i d
	for ((i = ${#ISCSI_TGTS[@]} - 1; i >= 0; i--)); do
		t=${ISCSI_TGTS[$i]}
		iscsi_del_target "$t"
	done
	if [ "$ISCSI_IMPL" = scst ]; then
		[ ${#ISCSI_DISC_USERS[@]} -eq 0 ] || iscsi_disc_chap_clear
		if [ -e "$ISYS/enabled" ] && [ "$(first_line "$ISYS/enabled")" = 1 ]; then
			smgmt "$ISYS/enabled" 0
		fi
		iscsi_daemon_stop TERM
		wait_until 30 _mod_unused iscsi_scst || fail "iscsi-scst still in use: $(grep '^iscsi_scst ' /proc/modules)"
		check rmmod iscsi_scst
		scst_teardown
		trap _iscsi_on_exit EXIT	# scst_teardown removed it
		return 0
	fi
	iscsi_disc_chap_clear
	for ((i = ${#ISCSI_LIO_DEVS[@]} - 1; i >= 0; i--)); do
		d=${ISCSI_LIO_DEVS[$i]}
		rmdir "$LIO/core/$d" || fail "LIO: rmdir core/$d"
	done
	ISCSI_LIO_DEVS=()
	for d in "$LIO"/core/*_[0-9]*/; do
		[ -d "$d" ] && { rmdir "$d" || fail "LIO: rmdir $d"; }
	done
	# the fabric's directory holds a reference on the module
	rmdir "$LIO/iscsi" || fail "LIO: rmdir $LIO/iscsi"
	wait_until 30 _mod_unused iscsi_target_mod ||
		fail "iscsi_target_mod still in use: $(grep '^iscsi_target_mod ' /proc/modules)"
	check rmmod iscsi_target_mod
	for d in target_core_file target_core_iblock target_core_pscsi target_core_user target_core_mod; do
		if grep -q "^$d " /proc/modules; then
			check rmmod "$d"
		fi
	done
}

# _mod_unused MOD: the module's use count is 0.
_mod_unused() {
	local n
	n=$(awk -v m="$1" '$1 == m { print $3 }' /proc/modules)
	[ "${n:-0}" = 0 ]
}

# ---------------------------------------------------------------------------
# Initiator: open-iscsi

# The test configuration of open-iscsi: short timeouts (a refused login
# must fail fast; a lost connection is noticed within ~10 s) and queueing
# across recovery for up to 30 s.
_iscsid_conf() {
	cat <<-EOF
	node.startup = manual
	node.leading_login = No
	node.session.timeo.replacement_timeout = ${ISCSI_REPLACEMENT_TIMEOUT:-30}
	node.conn[0].timeo.login_timeout = 15
	node.conn[0].timeo.logout_timeout = 15
	node.conn[0].timeo.noop_out_interval = 5
	node.conn[0].timeo.noop_out_timeout = 10
	node.session.err_timeo.abort_timeout = 15
	node.session.err_timeo.lu_reset_timeout = 30
	node.session.err_timeo.tgt_reset_timeout = 30
	node.session.err_timeo.host_reset_timeout = 60
	node.session.initial_login_retry_max = 1
	node.session.cmds_max = 128
	node.session.queue_depth = 32
	node.session.iscsi.InitialR2T = No
	node.session.iscsi.ImmediateData = Yes
	node.session.iscsi.FirstBurstLength = 262144
	node.session.iscsi.MaxBurstLength = 16776192
	node.conn[0].iscsi.MaxRecvDataSegmentLength = 262144
	node.conn[0].iscsi.MaxXmitDataSegmentLength = 0
	discovery.sendtargets.iscsi.MaxRecvDataSegmentLength = 32768
	node.session.nr_sessions = 1
	node.session.reopen_max = 0
	node.session.iscsi.FastAbort = Yes
	node.session.scan = auto
	EOF
}

_iscsid_up() {
	grep -q '@ISCSIADM_ABSTRACT_NAMESPACE' /proc/net/unix
}

# iscsid_start: configure open-iscsi (initiator name INI_A) and start
# iscsid in the root namespace.
iscsid_start() {
	check modprobe iscsi_tcp
	if [ ! -e "$IW/iscsid.configured" ]; then
		check mkdir -p /etc/iscsi /run/lock/iscsi
		rm -rf /etc/iscsi/nodes /etc/iscsi/send_targets /etc/iscsi/ifaces
		printf 'InitiatorName=%s\n' "$INI_A" >/etc/iscsi/initiatorname.iscsi
		_iscsid_conf >/etc/iscsi/iscsid.conf
		: >"$IW/iscsid.configured"
	fi
	echo "---- start at ${SECONDS}s" >>"$IW/iscsid.log"
	# Own session: on SIGTERM iscsid signals its whole process group.
	setsid iscsid -f >>"$IW/iscsid.log" 2>&1 </dev/null &
	ISCSID_PID=$!
	wait_until 20 _iscsid_up || fail "iscsid did not start: $(tail -n 5 "$IW/iscsid.log")"
}

# iscsid_stop [-9]: stop iscsid (sessions stay in the kernel).
iscsid_stop() {
	local sig=TERM
	[ "${1:-}" = -9 ] && sig=KILL
	[ -n "$ISCSID_PID" ] || return 0
	kill -s "$sig" "$ISCSID_PID" 2>/dev/null || true
	wait_until 15 _gone "$ISCSID_PID" || kill -9 "$ISCSID_PID" 2>/dev/null
	wait "$ISCSID_PID" 2>/dev/null || true
	ISCSID_PID=
	wait_until 10 _iscsid_down || fail "iscsid socket still there after iscsid exited"
}

_iscsid_down() {
	! _iscsid_up
}

# iscsi_iface_add IFACE INITIATOR: an open-iscsi iface with its own
# initiator name (a second initiator on this host).
iscsi_iface_add() {
	check iscsiadm -m iface -I "$1" -o new >/dev/null
	check iscsiadm -m iface -I "$1" -o update -n iface.initiatorname -v "$2" >/dev/null
}

# _ifopt IFACE: the iscsiadm option selecting an iface ("" = default).
# Always given: without it iscsiadm acts on the records of every iface.
_ifopt() {
	printf '%s\n' -I "${1:-default}"
}

# iscsi_discover PORTAL [IFACE]: SendTargets discovery; output in
# ISCSI_OUT, returns iscsiadm's status.
iscsi_discover() {
	local rc=0
	# shellcheck disable=SC2046
	# "-o new": never delete the records of targets that are not listed
	ISCSI_OUT=$(timeout 120 iscsiadm -m discovery -t st -p "$1" $(_ifopt "${2:-}") -o new 2>&1) || rc=$?
	return $rc
}

# iscsi_discover_chap PORTAL [IFACE] [KEY=VALUE...]: discovery through a
# discoverydb record with discovery.sendtargets.auth.KEY settings.
iscsi_discover_chap() {
	local p=$1 i=${2:-} kv rc=0 ifo
	shift 2 || shift $#
	ifo=$(_ifopt "$i")
	# shellcheck disable=SC2086
	iscsiadm -m discoverydb -t st -p "$p" $ifo -o delete >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	check iscsiadm -m discoverydb -t st -p "$p" $ifo -o new >/dev/null
	for kv in "$@"; do
		# shellcheck disable=SC2086
		check iscsiadm -m discoverydb -t st -p "$p" $ifo -o update \
			-n "discovery.sendtargets.auth.${kv%%=*}" -v "${kv#*=}" >/dev/null
	done
	# shellcheck disable=SC2086
	ISCSI_OUT=$(timeout 120 iscsiadm -m discoverydb -t st -p "$p" $ifo --discover -o new 2>&1) || rc=$?
	return $rc
}

# iscsi_node_new IQN PORTAL [IFACE]: make sure a node record exists (the
# target may announce other addresses than the one we want to use).
iscsi_node_new() {
	local r
	# the record's file, to spare an iscsiadm run when it exists
	for r in /etc/iscsi/nodes/"$1"/"${2%:*}",*/"${3:-default}"; do
		[ -e "$r" ] && return 0
	done
	# shellcheck disable=SC2046
	iscsiadm -m node -T "$1" -p "$2" $(_ifopt "${3:-}") >/dev/null 2>&1 && return 0
	# shellcheck disable=SC2046
	check iscsiadm -m node -o new -T "$1" -p "$2" $(_ifopt "${3:-}") >/dev/null
}

# iscsi_node_set IQN PORTAL IFACE KEY VALUE: update a node record.
iscsi_node_set() {
	# shellcheck disable=SC2046
	check iscsiadm -m node -T "$1" -p "$2" $(_ifopt "$3") -o update -n "$4" -v "$5" >/dev/null
}

# iscsi_node_chap IQN PORTAL IFACE [USER SECRET [USER_IN SECRET_IN]]:
# CHAP settings of a node record (none without USER).
iscsi_node_chap() {
	local t=$1 p=$2 i=$3 k
	if [ $# -lt 5 ]; then
		# open-iscsi offers CHAP whenever a username is set
		iscsi_node_set "$t" "$p" "$i" node.session.auth.authmethod None
		for k in username password username_in password_in; do
			iscsi_node_set "$t" "$p" "$i" "node.session.auth.$k" ""
		done
		return 0
	fi
	iscsi_node_set "$t" "$p" "$i" node.session.auth.authmethod CHAP
	iscsi_node_set "$t" "$p" "$i" node.session.auth.username "$4"
	iscsi_node_set "$t" "$p" "$i" node.session.auth.password "$5"
	iscsi_node_set "$t" "$p" "$i" node.session.auth.username_in "${6:-}"
	iscsi_node_set "$t" "$p" "$i" node.session.auth.password_in "${7:-}"
}

# iscsi_login IQN PORTAL [IFACE]: log in; output in ISCSI_OUT, returns
# iscsiadm's status.
iscsi_login() {
	local rc=0
	iscsi_node_new "$1" "$2" "${3:-}"
	# shellcheck disable=SC2046
	ISCSI_OUT=$(timeout 120 iscsiadm -m node -T "$1" -p "$2" $(_ifopt "${3:-}") --login 2>&1) || rc=$?
	return $rc
}

# iscsi_login_ok IQN PORTAL [IFACE]: log in, fail the test if refused.
iscsi_login_ok() {
	iscsi_login "$@" || fail "login to $1 at $2 (iface ${3:-default}) failed: $ISCSI_OUT"
	[ -n "$(iscsi_sid "$@")" ] || fail "login to $1 at $2 succeeded but no session is there"
}

# iscsi_login_refused WHAT IQN PORTAL [IFACE]: the login must fail and
# leave no session.
iscsi_login_refused() {
	local what=$1
	shift
	if iscsi_login "$@"; then
		fail "$what: login to $1 (iface ${3:-default}) was accepted"
	fi
	[ -z "$(iscsi_sid "$@")" ] || fail "$what: login failed but a session exists"
	info "$what: refused as expected (${ISCSI_OUT//$'\n'/ | })"
}

# iscsi_logout IQN PORTAL [IFACE]
iscsi_logout() {
	local rc=0
	# shellcheck disable=SC2046
	ISCSI_OUT=$(timeout 120 iscsiadm -m node -T "$1" -p "$2" $(_ifopt "${3:-}") --logout 2>&1) || rc=$?
	[ $rc -eq 0 ] || fail "logout of $1 at $2 (iface ${3:-default}) failed: $ISCSI_OUT"
	[ -z "$(iscsi_sid "$@")" ] || fail "session of $1 at $2 still there after logout"
}

# iscsi_sid IQN PORTAL [IFACE]: number N of /sys/class/iscsi_session/sessionN
# of that node ("" if none).
iscsi_sid() {
	local t=$1 ip=${2%:*} ifc=${3:-default} s n v
	[ "$ifc" = "" ] && ifc=default
	for s in /sys/class/iscsi_session/session*; do
		[ -e "$s" ] || continue
		n=${s##*session}
		read -r v <"$s/targetname" 2>/dev/null || continue
		[ "$v" = "$t" ] || continue
		read -r v <"$s/ifacename" 2>/dev/null || v=default
		[ "$v" = "$ifc" ] || continue
		read -r v <"/sys/class/iscsi_connection/connection$n:0/persistent_address" 2>/dev/null || continue
		[ "$v" = "$ip" ] || continue
		echo "$n"
		return 0
	done
	return 0
}

# iscsi_sess_attr SID ATTR: attribute of the session (or of its connection
# if the session has none by that name).
iscsi_sess_attr() {
	local v f=/sys/class/iscsi_session/session$1/$2
	[ -e "$f" ] || f=/sys/class/iscsi_connection/connection$1:0/$2
	read -r v <"$f" || return 1
	echo "$v"
}

# iscsi_negotiated SID KEY: a negotiated parameter as iscsiadm shows it
# (HeaderDigest, DataDigest, MaxRecvDataSegmentLength, ...).
iscsi_negotiated() {
	local out l
	out=$(iscsiadm -m session -r "$1" -P 2 2>&1) || fail "iscsiadm -m session -r $1: $out"
	while IFS= read -r l; do
		l=${l#"${l%%[! 	]*}"}
		if [[ $l == "$2: "* ]]; then
			echo "${l#*: }"
			return 0
		fi
	done <<<"$out"
	fail "session $1: no negotiated $2 in: $out"
}

# iscsi_sess_host SID: SCSI host number of a session.
iscsi_sess_host() {
	local p
	p=$(link_path "/sys/class/iscsi_session/session$1/device") || fail "no device of session $1"
	p=${p%/session*}
	p=${p##*/host}
	[[ $p =~ ^[0-9]+$ ]] || fail "cannot find the SCSI host of session $1"
	echo "$p"
}

# iscsi_disk IQN PORTAL LUN [IFACE]: wait for the disk of LUN of that
# session and print /dev/sdX.
iscsi_disk() {
	local sid h
	sid=$(iscsi_sid "$1" "$2" "${4:-}")
	[ -n "$sid" ] || fail "no session of $1 at $2 (iface ${4:-default})"
	h=$(iscsi_sess_host "$sid")
	wait_until 60 lun_disk "$h" "$3" >/dev/null ||
		fail "no disk for LUN $3 of session $sid (host$h): $(lsscsi 2>&1 | tr '\n' ';')"
	lun_disk "$h" "$3"
}

# iscsi_luns IQN PORTAL [IFACE]: LUN numbers the session sees, ascending.
iscsi_luns() {
	local sid h d out='' l luns=()
	sid=$(iscsi_sid "$@")
	[ -n "$sid" ] || fail "no session of $1 at $2"
	h=$(iscsi_sess_host "$sid")
	for d in /sys/bus/scsi/devices/"$h":*:*:*; do
		[ -e "$d" ] && luns[${d##*:}]=1
	done
	for l in "${!luns[@]}"; do out+="${out:+ }$l"; done
	echo "$out"
}

# disk_mb /dev/sdX: size in MiB.
disk_mb() {
	echo $(($(blockdev --getsize64 "$1") >> 20))
}

# iscsi_logout_all: log out every session (no failure).
iscsi_logout_all() {
	timeout 120 iscsiadm -m node --logoutall=all >/dev/null 2>&1 || true
}

# iscsi_initiator_down: log out, delete the records, stop iscsid, unload
# the initiator modules (verified).
iscsi_initiator_down() {
	local m
	iscsi_logout_all
	[ -z "$(ls /sys/class/iscsi_session/ 2>/dev/null)" ] ||
		fail "sessions left after logout: $(ls /sys/class/iscsi_session/)"
	iscsiadm -m node -o delete >/dev/null 2>&1 || true
	iscsid_stop TERM
	for m in iscsi_tcp libiscsi_tcp libiscsi scsi_transport_iscsi; do
		if grep -q "^$m " /proc/modules; then
			wait_until 20 _mod_unused "$m" || fail "$m still in use"
			check rmmod "$m"
		fi
	done
}

# ---------------------------------------------------------------------------
# libiscsi (user-space initiator; works in any namespace)

# iscsi_url IP IQN LUN: a libiscsi URL.
iscsi_url() {
	echo "iscsi://$1/$2/$3"
}

# ---------------------------------------------------------------------------
# fio

# fio_verify WHAT DISK BS SIZE [FIO ARGS...]: random writes with crc32c
# verification at iodepth 32; fails the test on any error or short count.
fio_verify() {
	local what=$1 disk=$2 bs=$3 size=$4 n res rb wb
	shift 4
	n=$(numfmt --from=iec "$size")
	step "fio $what: randwrite bs=$bs size=$size qd32 verify=crc32c on $disk"
	res=$(run_fio "$what" "$IW/fio-$what.json" --name="$what" --filename="$disk" \
		--direct=1 --rw=randwrite --bs="$bs" --iodepth=32 --ioengine=libaio \
		--size="$size" --verify=crc32c --do_verify=1 --verify_fatal=1 "$@")
	read -r rb wb <<<"$res"
	check_eq "$wb" "$n" "fio $what: bytes written"
	check_eq "$rb" "$n" "fio $what: bytes read back for verification"
}

declare -A ISCSI_FIO_LOOP=()	# name -> pid

# fio_loop_start NAME DISK [FIO ARGS...]: in the background, run verified
# fio passes (64k random writes, iodepth 16, 16 MiB, crc32c) on DISK one
# after the other until fio_loop_stop NAME.
fio_loop_start() {
	local name=$1 disk=$2
	shift 2
	rm -f "$IW/$name".{stop,runs,fails}
	: >"$IW/$name.runs"
	: >"$IW/$name.fails"
	(
		set +e
		n=0
		until [ -e "$IW/$name.stop" ]; do
			fio --output-format=json --output="$IW/$name-$n.json" --name="$name" \
				--filename="$disk" --direct=1 --rw=randwrite --bs=64k --iodepth=16 \
				--ioengine=libaio --size=16M --verify=crc32c --do_verify=1 \
				--verify_fatal=1 "$@" >"$IW/$name-$n.log" 2>&1
			rc=$?
			if [ $rc -eq 0 ]; then
				echo "$n" >>"$IW/$name.runs"
			else
				echo "$n rc=$rc" >>"$IW/$name.fails"
			fi
			n=$((n + 1))
		done
	) >>"$IW/bg.log" 2>&1 </dev/null &
	ISCSI_FIO_LOOP[$name]=$!
	ISCSI_BG_PIDS+=("$!")
}

# fio_loop_stop NAME: let the current pass finish, then fail if any pass
# failed or none completed; prints the number of passes.
fio_loop_stop() {
	local name=$1 pid=${ISCSI_FIO_LOOP[$1]} runs f
	: >"$IW/$name.stop"
	wait_until 180 _gone "$pid" || fail "fio loop $name did not stop within 180 s"
	bg_wait "$pid" || true
	if [ -s "$IW/$name.fails" ]; then
		while read -r f _; do
			echo "---- $name pass $f ----" >&2
			tail -n 20 "$IW/$name-$f.log" >&2
		done <"$IW/$name.fails"
		fail "fio loop $name: failed passes: $(tr '\n' ' ' <"$IW/$name.fails")"
	fi
	runs=$(wc -l <"$IW/$name.runs")
	[ "$runs" -gt 0 ] || fail "fio loop $name completed no pass"
	echo "$runs"
}

# ---------------------------------------------------------------------------
# Teardown and failure handling

# iscsi_cleanup: the normal end of a test: initiator down, target down,
# network down, all verified.
iscsi_cleanup() {
	local p
	for p in "${ISCSI_BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	ISCSI_BG_PIDS=()
	iscsi_initiator_down
	iscsi_target_down
	iscsi_net_down || fail "cannot delete the peer namespace"
	_iscsi_save_logs
}

_iscsi_save_logs() {
	[ -d /results ] || return 0
	mkdir -p /results/iscsi-logs 2>/dev/null || return 0
	cp -f "$IW"/*.log /results/iscsi-logs/ 2>/dev/null || true
	return 0
}

# On a failed exit: dump what helps, then stop the background programs
# (best effort, bounded in time) so that the guest can power off.
_iscsi_on_exit() {
	local rc=$? p
	[ $rc -eq 0 ] && return 0
	trap - EXIT
	set +e +o pipefail
	{
		echo "---- iSCSI state at failure (exit $rc, impl $ISCSI_IMPL) ----"
		timeout 10 iscsiadm -m session -P 3 2>&1 | head -n 80
		lsscsi 2>&1
		if [ "$ISCSI_IMPL" = scst ]; then
			find "$ISYS" -maxdepth 3 2>/dev/null | head -n 80
			echo "---- iscsi-scstd log (tail) ----"
			tail -n 40 "$IW/iscsi-scstd.log" 2>/dev/null
			iscsi_daemon_alive || echo "iscsi-scstd is not running"
		else
			find "$LIO/iscsi" -maxdepth 5 \( -path '*/np/*' -o -path '*/lun/*' \
				-o -path '*/acls/*' \) 2>/dev/null | head -n 80
		fi
		echo "---- iscsid log (tail) ----"
		tail -n 30 "$IW/iscsid.log" 2>/dev/null
		echo "---- background jobs log (tail) ----"
		tail -n 30 "$IW/bg.log" 2>/dev/null
		echo "---- last kernel messages ----"
		dmesg | tail -n 50
	} >&2
	_iscsi_save_logs
	for p in "${ISCSI_BG_PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	timeout 60 iscsiadm -m node --logoutall=all >/dev/null 2>&1
	[ -n "$ISCSID_PID" ] && kill -9 "$ISCSID_PID" 2>/dev/null
	[ -n "$ISCSI_DAEMON_PID" ] && kill -9 "$ISCSI_DAEMON_PID" 2>/dev/null
	return $rc
}
