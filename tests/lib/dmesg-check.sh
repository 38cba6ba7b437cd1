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

# Whole warning reports (from "cut here" to "end trace") raised by the stock
# kernel's own code, never ours, that we cannot fix and must not let fail a
# test.  A report is dropped only if its text matches one of these AND none
# of its stack frames is in one of our modules.
#  - Debian 6.1's iSCSI initiator: __iscsi_unbind_session on the
#    WQ_MEM_RECLAIM iscsi_ctrl workqueue removes the SCSI target, and
#    device_del() flushes a pending pm_runtime_work on the
#    !WQ_MEM_RECLAIM pm workqueue.  It fires at random on initiator logout,
#    whatever the target is.
foreign_warn=(
	'iscsi_ctrl_[0-9:]+:__iscsi_unbind_session .*is flushing !WQ_MEM_RECLAIM pm:pm_runtime_work'
)
ours_re='\[(scst|scst_[a-z_]+|iscsi_scst|ib_srpt|fcst|qla2x00tgt)\]'

# Print the log with the reports listed in foreign_warn left out.
drop_foreign() {
	local IFS='|'
	awk -v fw="${foreign_warn[*]}" -v ours="$ours_re" '
	function flush(keep,   i) {
		for (i = 1; i <= n; i++)
			if (keep)
				print blk[i]
		n = 0; inblk = 0; foreign = 0; mine = 0
	}
	/-+\[ cut here \]-+/ { flush(1); inblk = 1 }
	inblk {
		blk[++n] = $0
		if ($0 ~ fw) foreign = 1
		if ($0 ~ ours) mine = 1
		if ($0 ~ /---\[ end trace/) flush(!(foreign && !mine))
		next
	}
	{ print }
	END { flush(1) }'
}

[ -n "${DMESG_EXTRA:-}" ] && bad+=("$DMESG_EXTRA")
[ -n "${DMESG_IGNORE:-}" ] && benign+=("$DMESG_IGNORE")

join() { local IFS='|'; echo "$*"; }
bad_re=$(join "${bad[@]}")
benign_re=$(join "${benign[@]}")

[ $# -eq 0 ] && set -- -
for f in "$@"; do
	[ "$f" = - ] || [ -r "$f" ] || { echo "dmesg-check: cannot read $f" >&2; exit 2; }
done
hits=$(cat -- "$@" | tr -d '\r' | drop_foreign | grep -E -- "$bad_re" | grep -Ev -- "$benign_re")
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed 's/^/dmesg-check: /'
	exit 1
fi
exit 0
