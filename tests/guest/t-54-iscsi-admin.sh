#!/bin/bash
# iSCSI target administration with sessions up (ISCSI_IMPL=scst|lio):
#  - daemon restart (SIGTERM, then SIGKILL) while fio runs: the sessions
#    stay, logins are refused while no daemon runs and work again after
#    the restart (ours only: LIO has no daemon);
#  - force_close of a session: the initiator logs in again by itself (ours
#    only);
#  - target disable while fio runs: the target's sessions end, the other
#    target's session stays, new logins are refused; after enable the
#    initiator recovers and fio completes without errors;
#  - del_target with a session up and I/O in flight: the mgmt command
#    returns, the session ends, nothing hangs, the other target goes on;
#  - del_target of a target with an idle session.
set -euo pipefail
. "$TOP/tests/lib/iscsi-helpers.sh"

T1=$IQN_BASE:t54a
T2=$IQN_BASE:t54b
P=127.0.0.1

sess_state() {
	iscsi_sess_attr "$1" state 2>/dev/null || echo gone
}

# shellcheck disable=SC2317  # called by wait_until
_state_is() {
	[ "$(sess_state "$1")" = "$2" ]
}

# logged_in_again SID: wait until the initiator's session is logged in.
logged_in_again() {
	wait_until 60 _state_is "$1" LOGGED_IN ||
		fail "session $1 not logged in after 60 s (state $(sess_state "$1")): $(tail -n 5 "$IW/iscsid.log")"
}

# tgt_sids IQN: the sid attributes of the target's sessions (ours).
tgt_sids() {
	local f out=
	for f in "$ISYS/$1"/sessions/*/sid; do
		[ -e "$f" ] && out+="$(first_line "$f") "
	done
	echo "$out"
}

# shellcheck disable=SC2317  # called by wait_until
_sids_changed() {
	local now
	now=$(tgt_sids "$1")
	[ -n "$now" ] && [ "$now" != "$2" ]
}

# timed WHAT MAX CMD...: run CMD, fail if it takes more than MAX seconds.
timed() {
	local what=$1 max=$2 t0=$SECONDS
	shift 2
	"$@"
	[ $((SECONDS - t0)) -le "$max" ] || fail "$what took $((SECONDS - t0)) s (more than $max s)"
	info "$what took $((SECONDS - t0)) s"
}

iscsi_test_init
iscsi_net_up
step "targets $T1 (f54, fileio 32 MiB) and $T2 (n54, nullio 64 MiB)"
iscsi_target_load
iscsi_add_fileio f54 32
iscsi_add_nullio n54 64
iscsi_add_target "$T1"
iscsi_add_lun "$T1" 0 f54
iscsi_add_target "$T2"
iscsi_add_lun "$T2" 0 n54
iscsi_enable_target "$T1"
iscsi_enable_target "$T2"
iscsid_start
iscsi_iface_add ifb "$INI_B"
iscsi_discover "$P" || fail "discovery failed: $ISCSI_OUT"
iscsi_login_ok "$T1" "$P"
iscsi_login_ok "$T2" "$P"
D1=$(iscsi_disk "$T1" "$P" 0)
D2=$(iscsi_disk "$T2" "$P" 0)
S1=$(iscsi_sid "$T1" "$P")
S2=$(iscsi_sid "$T2" "$P")
wait_tgt_nsess "$T1" 1 "$INI_A"
wait_tgt_nsess "$T2" 1 "$INI_A"

# --------------------------------------------------------------------------
if [ "$ISCSI_IMPL" = scst ]; then
	for sig in TERM KILL; do
		step "daemon stopped with SIG$sig while fio runs: sessions stay"
		mark=$(dmesg_mark)
		fio_loop_start fd "$D1"
		nap 2
		if [ $sig = KILL ]; then iscsi_daemon_stop -9; else iscsi_daemon_stop TERM; fi
		nap 3
		check_eq "$(sess_state "$S1")" LOGGED_IN "initiator session to $T1 without daemon"
		check_eq "$(iscsi_tgt_nsess "$T1" "$INI_A")" 1 "target sessions of $T1 without daemon"
		check_eq "$(iscsi_tgt_nsess "$T2" "$INI_A")" 1 "target sessions of $T2 without daemon"
		iscsi_login_refused "login without daemon" "$T1" "$P" ifb
		iscsi_daemon_start
		check_eq "$(sess_state "$S1")" LOGGED_IN "initiator session to $T1 after the restart"
		check_eq "$(iscsi_tgt_nsess "$T1" "$INI_A")" 1 "target sessions of $T1 after the restart"
		iscsi_login_ok "$T1" "$P" ifb
		check dd if="$(iscsi_disk "$T1" "$P" 0 ifb)" of=/dev/null bs=64k count=16 iflag=direct status=none
		iscsi_logout "$T1" "$P" ifb
		runs=$(fio_loop_stop fd)
		info "fio: $runs verified passes across the daemon restart"
		check_no_io_errors "$mark" "I/O across the daemon restart"
	done

	step "force_close of $INI_A's session to $T2: the initiator logs in again"
	old=$(tgt_sids "$T2")
	[ -n "$old" ] || fail "no sid of the session of $T2"
	iscsi_force_close "$T2" "$INI_A"
	wait_until 60 _sids_changed "$T2" "$old" ||
		fail "session of $T2 not replaced after force_close: sids '$(tgt_sids "$T2")', before '$old'"
	wait_tgt_nsess "$T2" 1 "$INI_A" 60
	logged_in_again "$S2"
	check dd if="$D2" of=/dev/null bs=64k count=16 iflag=direct status=none
	info "target session of $T2: sid $old closed, now $(tgt_sids "$T2")"
else
	info "LIO has no daemon and no force_close: restart and force_close checks skipped"
fi

# --------------------------------------------------------------------------
step "disable $T1 while fio runs on it"
mark=$(dmesg_mark)
fio_loop_start fd "$D1"
nap 2
timed "disable of $T1" 30 iscsi_disable_target "$T1"
wait_tgt_nsess "$T1" 0 "" 30
check_eq "$(iscsi_tgt_nsess "$T2" "$INI_A")" 1 "sessions of $T2 while $T1 is disabled"
check dd if="$D2" of=/dev/null bs=64k count=16 iflag=direct status=none
iscsi_login_refused "login to the disabled target" "$T1" "$P" ifb
if iscsi_discover "$P"; then
	info "discovery with $T1 disabled: ${ISCSI_OUT//$'\n'/ | }"
fi
nap 2
iscsi_enable_target "$T1"
logged_in_again "$S1"
wait_tgt_nsess "$T1" 1 "$INI_A" 30
runs=$(fio_loop_stop fd)
info "fio: $runs verified passes across disable/enable"
check_no_io_errors "$mark" "I/O across disable/enable of the target"

# --------------------------------------------------------------------------
step "del_target $T2 with a session up and reads in flight"
bg_start fio --name=del --filename="$D2" --direct=1 --rw=randread --bs=4k --iodepth=8 \
	--ioengine=libaio --time_based --runtime=300
fio_pid=$BG_PID
nap 3
proc_alive "$fio_pid" || fail "reader on $D2 ended early: $(tail -n 5 "$IW/bg.log")"
timed "del_target of $T2" 60 iscsi_del_target "$T2"
check_eq "$(iscsi_tgt_nsess "$T1" "$INI_A")" 1 "sessions of $T1 after del_target $T2"
check dd if=/dev/urandom of="$IW/blk" bs=64k count=4 status=none
check dd if="$IW/blk" of="$D1" bs=64k oflag=direct status=none
check dd if="$D1" of="$IW/blk2" bs=64k count=4 iflag=direct status=none
cmp "$IW/blk" "$IW/blk2" || fail "$T1 does not read back what was written after del_target $T2"
timed "logout of the session to the deleted target" 90 iscsi_logout "$T2" "$P"
wait_until 60 _gone "$fio_pid" || { kill -9 "$fio_pid"; fail "reader on the deleted target still running 60 s after logout"; }
bg_wait "$fio_pid" || true

step "del_target $T1 with an idle session"
timed "del_target of $T1" 60 iscsi_del_target "$T1"
timed "logout of the session to the deleted target" 90 iscsi_logout "$T1" "$P"

step "teardown"
iscsi_cleanup
finish_test t-54
