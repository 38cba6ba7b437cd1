#!/bin/bash
# Scan a kernel log for signs of kernel bugs.
#
# usage: dmesg-check.sh FILE...      (or "-" / no argument for stdin)
#
# Prints every offending line (prefixed with "dmesg-check: ") and exits 1 if
# any is found, 0 if the log is clean.  Extra patterns to ignore (ERE) may be
# given in DMESG_IGNORE, extra patterns to flag in DMESG_EXTRA.
set -uo pipefail

# Things that must never appear in the log of a passing test.  Kept as
# extended regexes; "WARNING" and "BUG" only as whole words in upper case so
# that e.g. "debug", "CONFIG_DEBUG_...", "WARNINGS" do not match.
bad=(
	'(^|[^[:alnum:]_])WARNING([^[:alnum:]_]|$)'
	'(^|[^[:alnum:]_])BUG([^[:alnum:]_]|$)'
	'kernel BUG'
	'Oops'
	'general protection'
	'soft lockup'
	'hard LOCKUP'
	'hung task'
	'blocked for more than'
	'Objects remaining'
	'[Ll]eak'
	'KASAN'
	'UBSAN'
	'KFENCE'
	'refcount_t'
	'list_(add|del) corruption'
	'Call Trace'
	'Kernel panic'
	'detected stalls? on CPU'
	'self-detected stall'
	'scheduling while atomic'
	'sleeping function called from invalid context'
	'possible recursive locking'
	'possible circular locking'
	'inconsistent lock state'
	'Poison overwritten'
	'Redzone'
	'double free'
	'use-after-free'
)

# Known-harmless lines that could otherwise trip a pattern above.
benign=(
	'module verification failed: signature and/or required key missing'
	'loading out-of-tree module taints kernel'
)

[ -n "${DMESG_EXTRA:-}" ] && bad+=("$DMESG_EXTRA")
[ -n "${DMESG_IGNORE:-}" ] && benign+=("$DMESG_IGNORE")

join() { local IFS='|'; echo "$*"; }
bad_re=$(join "${bad[@]}")
benign_re=$(join "${benign[@]}")

[ $# -eq 0 ] && set -- -
for f in "$@"; do
	[ "$f" = - ] || [ -r "$f" ] || { echo "dmesg-check: cannot read $f" >&2; exit 2; }
done
hits=$(cat -- "$@" | tr -d '\r' | grep -E -- "$bad_re" | grep -Ev -- "$benign_re")
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed 's/^/dmesg-check: /'
	exit 1
fi
exit 0
