# Helpers for guest tests that drive scstadmin (bash).  Source after
# guest-helpers.sh; the caller sets W (a scratch directory) and may set SA
# (the scstadmin to run, default the one in the tree).
# shellcheck shell=bash

SA=${SA:-$TOP/scstadmin/scstadmin}

# sa ARGS...: run scstadmin; output in $W/sa.out/$W/sa.err, status returned.
sa() {
	local rc=0
	"$SA" "$@" >"$W/sa.out" 2>"$W/sa.err" || rc=$?
	return $rc
}

# sa_ok ARGS...: scstadmin must succeed.
sa_ok() {
	sa "$@" || { cat "$W/sa.out" "$W/sa.err" >&2; fail "scstadmin $* failed"; }
}

# same_file EXPECTED ACTUAL WHAT: the two files must be identical.
same_file() {
	if ! diff -u "$1" "$2" >"$W/diff" 2>&1; then
		cat "$W/diff" >&2
		fail "$3: files differ (above)"
	fi
}
