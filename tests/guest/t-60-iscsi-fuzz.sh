#!/bin/bash
# iSCSI PDU fuzzing of the target (tests/tools/iscsi-fuzz.py): malformed
# PDUs before login, during security/operational negotiation and in full
# feature phase, connection drops mid-PDU; first >= 10,000 PDUs without
# digests, then a shorter run with CRC32C header and data digests and CHAP
# required.  After
# each run the fuzzer itself logs in cleanly and checks a WRITE/READ
# pattern; then the test checks that no session is left on the target,
# that libiscsi (iscsi-inq) and open-iscsi still get a working session
# (data written through the kernel initiator reads back), and that
# everything unloads.  The dmesg checker fails the test on any kernel
# complaint.
#
# Replay a failure with the seed printed in the log, e.g. on the guest's
# target: iscsi-fuzz.py --portal ... --target ... --seed S --count N, or a
# single case: --seed S --first CASE --count 1 --debug.  The fuzzer has a
# --login-only mode for the daemon alone (ISCSI_SCSTD_FAKE_KERNEL on the
# host).  LIO can be fuzzed with ISCSI_IMPL=lio FUZZ_ARGS="--exclude
# ffp.tmf_reset" (Debian 6.1's LIO hangs on TARGET WARM RESET).
#
# Environment (GUEST_ENV): ISCSI_IMPL (scst|lio, see iscsi-helpers.sh),
# FUZZ_SEED (default: random, printed), FUZZ_COUNT (default 10000),
# FUZZ_DIGEST_COUNT (default 2000), FUZZ_JOBS (parallel fuzzers, default
# 2), FUZZ_ARGS (extra fuzzer options).
set -euo pipefail
. "$TOP/tests/lib/iscsi-helpers.sh"

T=$IQN_BASE:fuzz
FUZZ=$TOP/tests/tools/iscsi-fuzz.py
SEED=${FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
COUNT=${FUZZ_COUNT:-10000}
DCOUNT=${FUZZ_DIGEST_COUNT:-2000}
JOBS=${FUZZ_JOBS:-2}
# Our target must not send malformed PDUs itself (nonzero reserved fields
# or padding, Data-In beyond the EDTL, ...): --strict makes that fatal.
# Peers used to prove the test (ISCSI_IMPL=lio) do, so only for ours.
STRICT=--strict
[ "$ISCSI_IMPL" = scst ] || STRICT=
PORTAL=127.0.0.1:$ISCSI_PORT

# fuzz TAG SEED COUNT ARGS...: run JOBS fuzzers in parallel against the
# target (seeds SEED, SEED+1, ...; initiator names ...:fuzz0, ...:fuzz1;
# COUNT malformed PDUs in total), each logging to $IW/fuzz-TAG-J.log; the
# summaries go to the test output.  Parallel runs use both vCPUs and make
# the target handle two hostile initiators at once.
fuzz() {
	local tag=$1 seed=$2 count=$3 j n pids=() rc=0 failed=()
	shift 3
	n=$(((count + JOBS - 1) / JOBS))
	step "fuzz run '$tag': $JOBS x $n PDUs, seeds $seed..$((seed + JOBS - 1)) $*"
	for ((j = 0; j < JOBS; j++)); do
		# shellcheck disable=SC2086  # FUZZ_ARGS: word splitting wanted
		/usr/bin/python3 "$FUZZ" --portal "$PORTAL" --target "$T" --lun 0 \
			--initiator "iqn.2024-01.org.example:fuzz$j" --seed $((seed + j)) \
			--count "$n" --progress 2000 --details $STRICT ${FUZZ_ARGS:-} "$@" \
			>"$IW/fuzz-$tag-$j.log" 2>&1 </dev/null &
		pids+=($!)
	done
	for ((j = 0; j < JOBS; j++)); do
		wait "${pids[$j]}" || { rc=$?; failed+=("$((seed + j)):$rc"); }
	done
	for ((j = 0; j < JOBS; j++)); do
		# summary lines only: the per-kind tables stay in the log file
		grep -E '^iscsi-fuzz:|^  (per state|target PDUs|connections silent|note|ANOMALY)' \
			"$IW/fuzz-$tag-$j.log" || true
		cp -f "$IW/fuzz-$tag-$j.log" /results/ 2>/dev/null || true
	done
	if [ $rc -ne 0 ]; then
		for ((j = 0; j < JOBS; j++)); do
			tail -n 40 "$IW/fuzz-$tag-$j.log" >&2
		done
		fail "fuzz run '$tag' failed (seed:exit ${failed[*]}); replay one with:" \
			"iscsi-fuzz.py --seed SEED --count $n --initiator ... $*"
	fi
}

# tgt_sessions_gone: the target has no session left.
tgt_sessions_gone() {
	[ "$(iscsi_tgt_nsess "$T")" = 0 ]
}

iscsi_test_init
check ip link set lo up
# the fuzzer computes CRC32C digests through AF_ALG when it can (fast)
modprobe -q algif_hash || true
iscsi_target_load
iscsi_add_fileio fz0 64
iscsi_add_target "$T"
iscsi_add_lun "$T" 0 fz0
iscsi_enable_target "$T"
info "fuzz seed $SEED"

# ---------------------------------------------------------------------------
fuzz plain "$SEED" "$COUNT"
wait_until 60 tgt_sessions_gone ||
	fail "sessions left on the target after the fuzz run: $(iscsi_tgt_sessions "$T" | tr '\n' ' ')"
if [ "$ISCSI_IMPL" = scst ]; then
	iscsi_daemon_alive || fail "iscsi-scstd is gone after the fuzz run"
fi

# Second run: CRC32C digests, and CHAP required, so that every login of
# the fuzzer goes through a real CHAP-MD5 exchange and the CHAP mutations
# meet a real challenge.
step "CRC32C digests and CHAP"
iscsi_target_param "$T" HeaderDigest "CRC32C,None"
iscsi_target_param "$T" DataDigest "CRC32C,None"
iscsi_chap_in "$T" fuzzuser fuzzsecret12
fuzz crc32c "$((SEED + 100))" "$DCOUNT" --digest --chap-user fuzzuser --chap-secret fuzzsecret12
if grep -q 'did not accept CRC32C' "$IW"/fuzz-crc32c-*.log; then
	fail "the target did not negotiate CRC32C digests although configured to"
fi
wait_until 60 tgt_sessions_gone ||
	fail "sessions left on the target after the digest run: $(iscsi_tgt_sessions "$T" | tr '\n' ' ')"
iscsi_chap_clear "$T"

# ---------------------------------------------------------------------------
step "normal sessions still work: libiscsi"
out=$(timeout 60 iscsi-inq "$(iscsi_url 127.0.0.1 "$T" 0)" 2>&1) ||
	fail "iscsi-inq after fuzzing failed: $out"
has_line "$out" 'Peripheral Device Type:DIRECT_ACCESS' ||
	fail "iscsi-inq after fuzzing: unexpected answer: $out"

step "normal sessions still work: open-iscsi, data through the kernel initiator"
iscsid_start
iscsi_login_ok "$T" "$PORTAL"
disk=$(iscsi_disk "$T" "$PORTAL" 0)
mark=$(dmesg_mark)
check dd if=/dev/urandom of="$IW/pat" bs=64k count=32 status=none
check dd if="$IW/pat" of="$disk" bs=64k oflag=direct status=none
check dd if="$disk" of="$IW/back" bs=64k count=32 iflag=direct status=none
cmp -s "$IW/pat" "$IW/back" || fail "data read back through open-iscsi differ from what was written"
check_no_io_errors "$mark" "open-iscsi I/O after fuzzing"
iscsi_logout "$T" "$PORTAL"

step "teardown"
iscsi_cleanup
finish_test t-60-iscsi-fuzz
