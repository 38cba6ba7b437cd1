#!/bin/bash
# Host half of "make bench": boot one deterministic benchmark guest
# (QEMU TCG, -icount shift=0,sleep=off,align=off, one vCPU), run
# tests/bench/bench-guest.sh in it (ours vs LIO vs tgt, interleaved
# rounds), then build the table with bench-report.py into
# build/bench/results.txt.
#
# Not part of "make check".  Environment: BENCH_STACKS (default "ours lio
# tgt"; "ours" is dropped with a note if iscsi-scst is not built),
# BENCH_ROUNDS, BENCH_RUNTIME, BENCH_RAMP, BENCH_FILE_MB, BENCH_NULL_MB,
# BENCH_WORKLOADS, BENCH_BACKENDS (see bench-guest.sh), BENCH_TIMEOUT
# (seconds of wall time for the whole guest, default 7200), BENCH_ICOUNT
# (QEMU -icount argument, default shift=0,sleep=off,align=off).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
out=$top/build/bench
mkdir -p "$out"

BENCH_STACKS=${BENCH_STACKS:-ours lio tgt}
if [[ " $BENCH_STACKS " == *" ours "* ]] &&
	{ [ ! -f iscsi-scst/kernel/iscsi-scst.ko ] || [ ! -x iscsi-scst/usr/iscsi-scstd ]; }; then
	echo "run-bench: iscsi-scst is not built; measuring the other stacks only" >&2
	BENCH_STACKS=$(echo " $BENCH_STACKS " | sed 's/ ours / /; s/^ *//; s/ *$//')
fi
export BENCH_STACKS

start=$(date +%s)
GUEST_SMP=1 GUEST_ACCEL=tcg GUEST_ICOUNT=${BENCH_ICOUNT:-shift=0,sleep=off,align=off} \
GUEST_TIMEOUT=${BENCH_TIMEOUT:-7200} \
GUEST_ENV="BENCH_STACKS BENCH_ROUNDS BENCH_RUNTIME BENCH_RAMP BENCH_FILE_MB BENCH_NULL_MB BENCH_WORKLOADS BENCH_BACKENDS" \
	tests/guest/run-guest.sh tests/bench/bench-guest.sh
rc=$?
secs=$(($(date +%s) - start))

res=$top/build/guest/results/bench-guest/bench
rm -rf "$out/raw"
if [ -d "$res" ]; then
	cp -a "$res" "$out/raw"
fi
{
	echo "make bench: $(date -u '+%Y-%m-%d %H:%M UTC'), guest run ${secs}s wall time, exit status $rc"
	echo "guest: QEMU TCG -icount ${BENCH_ICOUNT:-shift=0,sleep=off,align=off} -smp 1" \
		"(guest seconds are virtual: 1 ns per instruction)"
} >"$out/header.txt"
/usr/bin/python3 tests/bench/bench-report.py "$out/raw" "$out/header.txt" >"$out/results.txt"
prc=$?
cat "$out/results.txt"
echo "(saved to $out/results.txt)"
[ $rc -eq 0 ] && [ $prc -eq 0 ]
