#!/bin/bash
# SAM task attributes (SIMPLE / ORDERED / HEAD OF QUEUE) on one I_T_L nexus.
# Linux initiators only send SIMPLE, so the test-only module
# tests/kmod/scst_order_test.ko is both initiator and logical unit; writing
# "run" to its driver's mgmt file runs the scenarios and fails on a
# violation.
. "$TOP/tests/lib/guest-helpers.sh"
S=$SCST_SYSFS
D=$S/targets/order_test_tgt
KO=$TOP/tests/kmod/scst_order_test.ko
[ -f "$KO" ] || fail "module not built: $KO"
load_scst
check insmod "$KO"
check mgmt "$S/handlers/order_test/mgmt" "add_device od0"
check mgmt "$D/ot0/luns/mgmt" "add od0 0"

info "running the ordering scenarios"
mgmt "$D/mgmt" run
rc=$?
dmesg | grep 'order_test:' | tail -n 20
[ $rc -eq 0 ] || fail "order_test run failed (see dmesg above)"
for n in 1 2 3; do
	dmesg | grep -q "order_test: scenario $n pass" ||
		fail "no pass line for scenario $n"
done

check mgmt "$D/ot0/luns/mgmt" "del 0"
check mgmt "$S/handlers/order_test/mgmt" "del_device od0"
check rmmod scst_order_test
unload_scst
info PASS
