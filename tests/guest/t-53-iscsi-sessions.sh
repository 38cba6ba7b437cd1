#!/bin/bash
# iSCSI sessions (ISCSI_IMPL=scst|lio).  The target listens in the peer
# network namespace (10.99.0.2); open-iscsi reaches it over the veth pair.
#  - three initiators with different names on one target at once:
#    open-iscsi's default iface (A) running verified fio, a second iface
#    (B), and libiscsi's iscsi-perf (C) reading from the peer namespace;
#  - twenty logout/login cycles of B while A's fio and C go on;
#  - C killed with SIGKILL mid-I/O: the target drops its session;
#  - session reinstatement: A's host "dies" mid-I/O (link down, iscsid
#    killed, its connection destroyed without the target noticing), then
#    iscsid comes back and logs in again with the same ISID; the target
#    must replace the old session, and fio must complete without errors.
set -euo pipefail
. "$TOP/tests/lib/iscsi-helpers.sh"

T=$IQN_BASE:t53
ISCSI_PORTAL_NS=peer
P=$PEER_IP
CYCLES=${LOGIN_CYCLES:-20}

sess_state() {
	iscsi_sess_attr "$1" state 2>/dev/null || echo gone
}

# shellcheck disable=SC2317  # called by wait_until
_state_is() {
	[ "$(sess_state "$1")" = "$2" ]
}

# tgt_conns: the initiator-side ports of the target's established iSCSI
# connections (in the peer namespace), sorted.
tgt_conns() {
	in_peer ss -Htn state established "( sport = :$ISCSI_PORT )" |
		awk '{ sub(/.*:/, "", $NF); print $NF }' | sort -n | tr '\n' ' '
}

# shellcheck disable=SC2317  # called by wait_until
_new_conn() {
	local c
	c=$(tgt_conns)
	[ -n "$c" ] && [ "$c" != "$1" ] && [ "${c% }" = "${c%% *}" ]
}

# iscsi_perf_start URL: libiscsi's iscsi-perf as initiator C in the peer
# namespace (random 4 KiB reads, 2 outstanding), in the background.
iscsi_perf_start() {
	_nsx peer
	bg_start "${NSX[@]}" iscsi-perf -i "$INI_C" -m 2 -b 8 -r -t 600 "$1"
	PERF_PID=$BG_PID
}

iscsi_test_init
iscsi_net_up
step "target $T in the peer namespace: d53f (fileio 64 MiB) LUN 0, d53n (nullio 64 MiB) LUN 1"
iscsi_target_up "$T" d53
iscsid_start
iscsi_iface_add ifb "$INI_B"
iscsi_discover "$P" || fail "discovery at $P failed: $ISCSI_OUT"
iscsi_discover "$P" ifb || fail "discovery at $P by $INI_B failed: $ISCSI_OUT"

# --------------------------------------------------------------------------
step "three initiators at once"
iscsi_login_ok "$T" "$P"
FD=$(iscsi_disk "$T" "$P" 0)
# throttled: under TCG the cycles share two vCPUs with this I/O
fio_loop_start fa "$FD" --rate=6m
iscsi_perf_start "$(iscsi_url "$P" "$T" 1)"
wait_tgt_nsess "$T" 1 "$INI_C" 60
in_peer iscsi-ls -i "$INI_C" -s "iscsi://$P" >"$IW/ls.out" 2>&1 ||
	fail "iscsi-ls failed: $(cat "$IW/ls.out")"
grep -q "Target:$T " "$IW/ls.out" || fail "iscsi-ls does not list $T: $(cat "$IW/ls.out")"
mark=$(dmesg_mark)

step "$CYCLES logout/login cycles of $INI_B while fio runs on $INI_A"
for ((i = 1; i <= CYCLES; i++)); do
	iscsi_login_ok "$T" "$P" ifb
	d=$(iscsi_disk "$T" "$P" $((i % 2)) ifb)
	check dd if="$d" of=/dev/null bs=64k count=8 iflag=direct status=none
	# builtins only: counted, not listed
	for ini in "$INI_A" "$INI_B" "$INI_C"; do
		_tgt_nsess "$T" "$ini"
		[ "$NSESS" = 1 ] || fail "cycle $i: $NSESS sessions of $ini on the target: $(iscsi_tgt_sessions "$T" | tr '\n' ' ')"
	done
	iscsi_logout "$T" "$P" ifb
	wait_tgt_nsess "$T" 0 "$INI_B"
	proc_alive "$PERF_PID" || fail "iscsi-perf ($INI_C) died during cycle $i: $(tail -n 5 "$IW/bg.log")"
	[ $((i % 5)) -ne 0 ] || info "cycle $i done"
done
runs=$(fio_loop_stop fa)
info "fio on $INI_A: $runs verified passes during the cycles"
check_no_io_errors "$mark" "I/O during the login cycles"

step "SIGKILL to iscsi-perf ($INI_C) mid-I/O"
check_eq "$(iscsi_tgt_nsess "$T" "$INI_C")" 1 "sessions of $INI_C"
kill -9 "$PERF_PID"
bg_wait "$PERF_PID" || true
wait_tgt_nsess "$T" 0 "$INI_C" 30
check_eq "$(iscsi_tgt_nsess "$T" "$INI_A")" 1 "sessions of $INI_A"

# --------------------------------------------------------------------------
step "session reinstatement: $INI_A dies mid-I/O and logs in again"
sid=$(iscsi_sid "$T" "$P")
old_conn=$(tgt_conns)
[[ $old_conn =~ ^[0-9]+\ $ ]] || fail "expected one connection on the target, have ports: '$old_conn'"
mark=$(dmesg_mark)
fio_loop_start fr "$FD"
nap 3
# The link goes down first, so that the target sees neither the reset of
# the destroyed socket nor anything else: its session stays as it was.
# Once the link is back, the target's retransmissions on the old connection
# would be answered with a reset by the initiator host (which closes the
# target's session before the new login can reinstate it), so drop them on
# arrival.
check tc qdisc add dev v-root ingress
check tc filter add dev v-root parent ffff: protocol ip prio 1 u32 \
	match ip sport "$ISCSI_PORT" 0xffff match ip dport "${old_conn% }" 0xffff \
	action drop
check ip link set v-root down
iscsid_stop -9
modprobe -q tcp_diag 2>/dev/null || true
check ss -K dst "$PEER_IP" dport = ":$ISCSI_PORT" >/dev/null
nap 1
check ip link set v-root up
wait_until 10 _link_up || fail "veth did not come up again"
check_eq "$(iscsi_tgt_nsess "$T" "$INI_A")" 1 "target sessions of $INI_A while the initiator is away"
iscsid_start
wait_until 60 _state_is "$sid" LOGGED_IN ||
	fail "session $sid not logged in again after 60 s (state $(sess_state "$sid")): $(tail -n 5 "$IW/iscsid.log")"
wait_tgt_nsess "$T" 1 "$INI_A" 30
# the target closed the old connection itself (nothing reached it)
wait_until 30 _new_conn "$old_conn" ||
	fail "target connections: '$(tgt_conns)', before: '$old_conn' (old one not replaced)"
info "target connection from port ${old_conn% } replaced by $(tgt_conns)"
check tc qdisc del dev v-root ingress
info "iscsid: $(tail -n 2 "$IW/iscsid.log" | tr '\n' ' ')"
nap 3
runs=$(fio_loop_stop fr)
info "fio on $INI_A: $runs verified passes across the reinstatement"
check_eq "$(iscsi_tgt_nsess "$T")" 1 "sessions on the target after reinstatement"
# a connection error and the recovery are logged, but no I/O error
check_no_io_errors "$mark" "I/O across the reinstatement"
iscsi_logout "$T" "$P"
wait_tgt_nsess "$T" 0

step "teardown"
iscsi_cleanup
finish_test t-53
