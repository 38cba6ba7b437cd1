#!/bin/sh
# Host tests of scstadmin: syntax of every file, the POD manual pages,
# then the prove suite.  Run from anywhere; exit status nonzero on failure.
set -e
cd "$(dirname "$0")/.."
for f in lib/SCST/*.pm; do
	perl -Ilib -c "$f" 2>&1 | grep -v 'syntax OK$' || true
	perl -Ilib -c "$f" >/dev/null 2>&1 || { echo "FAIL: $f does not compile"; exit 1; }
done
perl -Ilib -c scstadmin >/dev/null 2>&1 || { echo "FAIL: scstadmin does not compile"; perl -Ilib -c scstadmin; exit 1; }
podchecker man/*.pod
exec prove -I lib -I t/lib t/
