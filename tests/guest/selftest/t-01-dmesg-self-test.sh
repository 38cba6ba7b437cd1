#!/bin/bash
# Self-test of the rig's kernel log check; NOT run by tests/run-all.sh.
# The test itself exits 0, but it writes a fake kernel warning, so
#	tests/guest/run-guest.sh tests/guest/selftest/t-01-dmesg-self-test.sh
# must FAIL with "kernel log has ... bad line(s)".
. "$TOP/tests/lib/guest-helpers.sh"

# These must not trip the check.
echo 'selftest: loading out-of-tree module taints kernel.' >/dev/kmsg
echo 'selftest: module verification failed: signature and/or required key missing - tainting kernel' >/dev/kmsg
echo 'selftest: harmless words: debug DEBUG_BUGVERBOSE warnings' >/dev/kmsg
# This one must.
echo 'WARNING: test' >/dev/kmsg
exit 0
