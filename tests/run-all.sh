#!/bin/bash
# Top-level test driver.
#
#  1. host unit tests: "make -C tests/unit" (if tests/unit/Makefile exists),
#     then every executable under build/unit/ is one test, plus the
#     scstadmin prove suite (scstadmin/t/run.sh);
#  2. guest tests: tests/guest/t-*.sh in sorted order, each in its own guest
#     boot (tests/guest/run-guest.sh), or only those named in
#     TESTS="t-00-boot t-10-foo".
#
# Environment: TESTS (guest tests to run), SKIP_UNIT=1, SKIP_GUEST=1,
# UNIT_TIMEOUT (s, default 300), GUEST_JOBS (guests run at once, default
# 2; 1 runs them one by one), plus run-guest.sh's GUEST_* variables.
# Logs: build/logs/.  The last line is "N passed, N failed"; the exit status
# is nonzero if anything failed.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
logdir=$top/build/logs
mkdir -p "$logdir"

start=$(date +%s)
pass=0
fail=0
failed=()

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); failed+=("$1"); }

# ---- 1. host unit tests ---------------------------------------------------
if [ "${SKIP_UNIT:-0}" != 1 ] && [ -f tests/unit/Makefile ]; then
	mkdir -p "$logdir/unit"
	echo "== unit tests"
	if make -C tests/unit >"$logdir/unit-build.log" 2>&1; then
		while IFS= read -r -d '' t; do
			name=unit/${t#build/unit/}
			log=$logdir/unit/$(echo "${t#build/unit/}" | tr / _).log
			timeout -k 5 "${UNIT_TIMEOUT:-300}" "$t" </dev/null 2>&1 | tee "$log"
			rc=${PIPESTATUS[0]}
			if [ "$rc" -eq 0 ]; then
				echo "PASS $name"
				ok
			else
				echo "FAIL $name (exit status $rc)"
				ko "$name"
			fi
		done < <(find build/unit -type f -perm -u+x -print0 2>/dev/null | sort -z)
	else
		echo "FAIL unit build (make -C tests/unit); last lines of $logdir/unit-build.log:"
		tail -n 30 "$logdir/unit-build.log"
		ko unit-build
	fi
fi

# ---- 1b. host script tests (scstadmin prove suite, ...) ------------------
if [ "${SKIP_UNIT:-0}" != 1 ]; then
	for t in scstadmin/t/run.sh tests/unit/iscsi-daemon-host-test.sh \
		 tests/unit/install-host-test.sh; do
		[ -f "$t" ] || continue
		case $t in
		*/run.sh) name=unit/${t%%/*} ;;
		*) name=unit/$(basename "$t" .sh) ;;
		esac
		log=$logdir/unit/$(echo "$name" | tr / _).log
		mkdir -p "$logdir/unit"
		if timeout -k 5 "${UNIT_TIMEOUT:-300}" bash "$t" </dev/null >"$log" 2>&1; then
			echo "PASS $name"
			ok
		else
			echo "FAIL $name; last lines of $log:"
			tail -n 30 "$log"
			ko "$name"
		fi
	done
fi

# ---- 2. guest tests -------------------------------------------------------
if [ "${SKIP_GUEST:-0}" != 1 ]; then
	scripts=()
	if [ -n "${TESTS:-}" ]; then
		for n in $TESTS; do
			n=${n##*/}
			n=${n%.sh}
			scripts+=("tests/guest/$n.sh")
		done
	else
		for s in tests/guest/t-*.sh; do
			[ -f "$s" ] && scripts+=("$s")
		done
	fi
	[ ${#scripts[@]} -gt 0 ] && echo "== guest tests (${#scripts[@]})"
	# Up to GUEST_JOBS guests at a time: much of a guest test's time is
	# spent waiting (timeouts, reconnects, sleeps), so two guests share
	# two host cores well.  Each test's output is shown when it ends.
	jobs_max=${GUEST_JOBS:-2}
	running=0
	finish_one() {
		local name rc rcf n=0 wrc=0
		wait -n || wrc=$?
		for rcf in "$logdir"/*.rc; do
			[ -f "$rcf" ] || continue
			name=$(basename "$rcf" .rc)
			rc=$(cat "$rcf")
			rm -f "$rcf"
			n=$((n + 1))
			cat "$logdir/$name.log"
			if [ "$rc" -eq 0 ]; then
				ok
			else
				ko "$name"
			fi
		done
		running=$((running - n))
		# 127: no child left (cannot happen unless a job died unseen)
		[ "$wrc" -ne 127 ] || running=0
	}
	rm -f "$logdir"/*.rc
	for s in "${scripts[@]}"; do
		name=$(basename "$s" .sh)
		if [ ! -f "$s" ]; then
			echo "FAIL $name: no such test $s"
			ko "$name"
			continue
		fi
		if [ "$jobs_max" -le 1 ]; then
			tests/guest/run-guest.sh "$s" 2>&1 | tee "$logdir/$name.log"
			if [ "${PIPESTATUS[0]}" -eq 0 ]; then
				ok
			else
				ko "$name"
			fi
			continue
		fi
		while [ "$running" -ge "$jobs_max" ]; do
			finish_one
		done
		( tests/guest/run-guest.sh "$s" >"$logdir/$name.log" 2>&1
		  echo $? >"$logdir/$name.rc.tmp"
		  mv "$logdir/$name.rc.tmp" "$logdir/$name.rc" ) &
		running=$((running + 1))
	done
	while [ "$running" -gt 0 ]; do
		finish_one
	done
fi

secs=$(( $(date +%s) - start ))
echo "== total wall time: $((secs / 60))m$((secs % 60))s"
[ $fail -eq 0 ] || echo "== failed: ${failed[*]}"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
