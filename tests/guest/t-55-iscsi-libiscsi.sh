#!/bin/bash
# libiscsi conformance (iscsi-test-cu) against the iSCSI target
# (ISCSI_IMPL=scst|lio) over 127.0.0.1, with two initiator names for the
# tests that need a second I_T nexus (-i/-I).  The target has three LUNs,
# each for the suites that need that kind of logical unit:
#   LUN 0  fileio, thin provisioned: everything else;
#   LUN 1  fileio, removable: StartStopUnit, PreventAllow, NoMedia;
#   LUN 2  fileio, read-only: ReadOnly.
# (LIO has no removable or read-only fileio device; there these suites
# find an ordinary LUN and skip.)
#
# The iSCSI and SCSI families are run in two parts (each a guest boot of
# about 2-3 minutes under TCG): part 1 (this test) the iSCSI family and the
# basic block commands, part 2 (t-56, LIBISCSI_PART=2) VERIFY, PRE-FETCH,
# removable media, provisioning, persistent reservations, copy offload and
# the rest.  LIBISCSI_TESTS (comma-separated FAMILY[.SUITE[.TEST]] patterns)
# replaces the part's selection (all run on LUN 0).
# Every test's result (PASS, SKIP, FAIL) is compared with
# tests/guest/libiscsi-expected.txt (or LIBISCSI_EXPECTED), as far as the
# expected tests were selected to run:
#   NAME          must PASS (a skip is a regression too);
#   skip NAME     must PASS or SKIP (the target correctly reports that it
#                 lacks the feature the test needs);
#   # comments    known failures, each with its reason.
# The test fails when an expected test fails or is missing from the run.
# Against LIO only a small baseline (below) is checked: the expected list
# describes our target.  Results: /results/libiscsi-results.txt (every test
# and its status), /results/libiscsi.log (the tool's output).
set -euo pipefail
. "$TOP/tests/lib/iscsi-helpers.sh"

T=$IQN_BASE:t55
P=127.0.0.1
PART=${LIBISCSI_PART:-1}

# suites SUITE...: "SCSI.SUITE,..."
suites() {
	local s out=
	for s in "$@"; do out+="${out:+,}SCSI.$s"; done
	echo "$out"
}

# Selection per LUN: L0 (thin), L1 (removable), L2 (read-only).
case $PART in
1)
	L0=iSCSI,$(suites TestUnitReady Inquiry Mandatory ModeSense6 ReadCapacity10 \
		ReadCapacity16 Read6 Read10 Read12 Read16 Write10 Write12 Write16 \
		WriteVerify10 WriteVerify12 WriteVerify16 ReportSupportedOpcodes Reserve6 \
		ReadDefectData10 ReadDefectData12)
	L1=
	L2=$(suites ReadOnly) ;;
2)
	L0=$(suites Verify10 Verify12 Verify16 Prefetch10 Prefetch16 CompareAndWrite \
		ExtendedCopy ReceiveCopyResults GetLBAStatus OrWrite 'Prin*' 'Prout*' \
		Sanitize Unmap WriteAtomic16 WriteSame10 WriteSame16 MultipathIO)
	L1=$(suites StartStopUnit PreventAllow NoMedia)
	L2= ;;
*) fail "LIBISCSI_PART must be 1 or 2" ;;
esac
if [ -n "${LIBISCSI_TESTS:-}" ]; then
	L0=$LIBISCSI_TESTS
	L1=
	L2=
fi
EXPECTED=${LIBISCSI_EXPECTED:-$TOP/tests/guest/libiscsi-expected.txt}
RES=/results/libiscsi-results.txt
LOG=/results/libiscsi.log
[ -d /results ] || { RES=$IW/libiscsi-results.txt; LOG=$IW/libiscsi.log; }

# Tests any working target passes (checked against LIO).
LIO_BASELINE="SCSI.TestUnitReady.Simple SCSI.Inquiry.Standard SCSI.ReadCapacity10.Simple
SCSI.ReadCapacity16.Simple SCSI.Read10.Simple SCSI.Read16.Simple SCSI.Write10.Simple
SCSI.Write16.Simple SCSI.Verify10.Simple iSCSI.iSCSIcmdsn.iSCSICmdSnTooHigh
iSCSI.iSCSIcmdsn.iSCSICmdSnTooLow iSCSI.iSCSIResiduals.Read10Residuals"

# parse_results LOG: "FAMILY.SUITE.TEST STATUS" lines from iscsi-test-cu's
# verbose output.  A test is SKIP if it passed after printing [SKIPPED].
parse_results() {
	/usr/bin/python3 - "$1" <<-'EOF'
	import re, sys
	text = open(sys.argv[1], errors="replace").read().splitlines()
	suite = test = None
	skipped = False
	out = []
	def done(status):
	    global test
	    fam = "iSCSI" if suite.startswith("iSCSI") else "SCSI"
	    if status == "PASS" and skipped:
	        status = "SKIP"
	    out.append("%s.%s.%s %s" % (fam, suite, test, status))
	    test = None
	def status_of(s):
	    s = s.lstrip()
	    if s.startswith("passed"):
	        return "PASS"
	    if s.startswith("FAILED"):
	        return "FAIL"
	    return None
	for line in text:
	    m = re.match(r"^Suite: (\S+)", line)
	    if m:
	        suite = m.group(1)
	        continue
	    m = re.match(r"^  Test: (\S+) \.\.\.(.*)$", line)
	    if m and suite:
	        # whatever follows the status word is suite cleanup output
	        test = m.group(1)
	        rest = m.group(2)
	        st = status_of(rest) if not rest.startswith(" ") else None
	        skipped = st is None and "[SKIPPED]" in rest
	        if st:
	            done(st)
	        continue
	    if test is None:
	        continue
	    st = status_of(line) if line[:1] in ("p", "F") else None
	    if st:
	        done(st)
	    elif "[SKIPPED]" in line:
	        skipped = True
	print("\n".join(out))
	EOF
}

# selected LIST PATTERNS: the test names of LIST (iscsi-test-cu --list)
# that PATTERNS select, as iscsi-test-cu matches them.
selected() {
	/usr/bin/python3 - "$1" "$2" <<-'EOF'
	import fnmatch, sys
	names = [l.strip() for l in open(sys.argv[1]) if l.count(".") == 2]
	pats = []
	for p in sys.argv[2].split(","):
	    f = (p.split(".", 2) + ["*", "*"])[:3]
	    pats.append(f)
	for n in names:
	    parts = n.split(".")
	    if any(all(fnmatch.fnmatchcase(a, b) for a, b in zip(parts, f)) for f in pats):
	        print(n)
	EOF
}

# compare RESULTS EXPECTED SELECTED ALL: check the results against the
# expected tests that were SELECTED; prints a summary, returns 1 if one of
# them failed or is missing, or if EXPECTED names a test not in ALL.
compare() {
	/usr/bin/python3 - "$1" "$2" "$3" "$4" <<-'EOF'
	import sys
	res = {}
	for l in open(sys.argv[1]):
	    p = l.split()
	    if len(p) == 2:
	        res[p[0]] = p[1]
	sel = set(l.strip() for l in open(sys.argv[3]))
	every = set(l.strip() for l in open(sys.argv[4]))
	must, may, known = [], [], {}
	for l in open(sys.argv[2]):
	    s = l.strip()
	    if not s:
	        continue
	    if s.startswith("#"):
	        w = s[1:].split()
	        # "# FAMILY.SUITE.TEST: reason" documents a known failure
	        if w and w[0].endswith(":") and w[0].count(".") == 2:
	            known[w[0][:-1]] = " ".join(w[1:])
	        continue
	    w = s.split()
	    if w[0] == "skip" and len(w) > 1:
	        may.append(w[1])
	    else:
	        must.append(w[0])
	bad = ["%s: no such test in iscsi-test-cu --list" % t
	       for t in must + may + list(known) if t not in every]
	must = [t for t in must if t in sel]
	may = [t for t in may if t in sel]
	known = dict((t, r) for t, r in known.items() if t in sel)
	for t in must:
	    st = res.get(t, "MISSING")
	    if st != "PASS":
	        bad.append("%s: expected PASS, got %s" % (t, st))
	for t in may:
	    st = res.get(t, "MISSING")
	    if st not in ("PASS", "SKIP"):
	        bad.append("%s: expected PASS or SKIP, got %s" % (t, st))
	listed = set(must) | set(may)
	for t in sorted(known):
	    if res.get(t) == "PASS":
	        print("note: known failure %s now passes" % t)
	other = [t for t in sorted(res) if t not in listed and t not in known]
	for t in sorted(sel - set(res)):
	    if t not in listed:
	        print("note: %s selected but not run" % t)
	for t in other:
	    print("note: %s %s (not in the expected list)" % (t, res[t]))
	n = {}
	for st in res.values():
	    n[st] = n.get(st, 0) + 1
	print("results: " + ", ".join("%s %d" % kv for kv in sorted(n.items())) +
	      "; expected: %d pass, %d pass-or-skip, %d known failures" %
	      (len(must), len(may), len(known)))
	for b in bad:
	    print("MISMATCH " + b)
	sys.exit(1 if bad else 0)
	EOF
}

iscsi_test_init
step "libiscsi $(dpkg-query -W -f '${Version}' libiscsi-bin 2>/dev/null || echo '?'): suites"
list=$(iscsi-test-cu --list) || fail "iscsi-test-cu --list failed"
for s in iSCSI.iSCSIcmdsn iSCSI.iSCSIdatasn iSCSI.iSCSIResiduals iSCSI.iSCSITMF \
	SCSI.TestUnitReady SCSI.Inquiry SCSI.ReadCapacity10 SCSI.ReadCapacity16 SCSI.Read6 \
	SCSI.Read10 SCSI.Read12 SCSI.Read16 SCSI.Write10 SCSI.Write12 SCSI.Write16 \
	SCSI.WriteVerify10 SCSI.WriteVerify12 SCSI.WriteVerify16 SCSI.Verify10 SCSI.Verify12 \
	SCSI.Verify16 SCSI.ModeSense6 SCSI.ReportSupportedOpcodes SCSI.Reserve6 \
	SCSI.StartStopUnit SCSI.PreventAllow SCSI.Prefetch10 SCSI.Prefetch16 \
	SCSI.WriteSame10 SCSI.WriteSame16 SCSI.Unmap SCSI.GetLBAStatus SCSI.CompareAndWrite \
	SCSI.PrinReadKeys SCSI.ProutRegister SCSI.ProutReserve SCSI.ExtendedCopy; do
	has_line "$list" "^${s//./\\.}\$" || fail "iscsi-test-cu --list does not show $s"
done
info "iscsi-test-cu --list: $(grep -c '^[A-Za-z]*\.[A-Za-z0-9]*$' <<<"$list") suites"
printf '%s\n' "$list" >"$IW/all-tests"
selected "$IW/all-tests" "$L0${L1:+,$L1}${L2:+,$L2}" >"$IW/selected" ||
	fail "cannot select the tests"
info "part $PART: $(wc -l <"$IW/selected") tests selected"

step "target $T: LUN 0 f55 (thin), LUN 1 r55 (removable), LUN 2 o55 (read-only)"
iscsi_target_load
iscsi_add_fileio f55 64 thin
iscsi_add_fileio r55 16 removable
iscsi_add_fileio o55 16 read_only
iscsi_add_target "$T"
iscsi_add_lun "$T" 0 f55
iscsi_add_lun "$T" 1 r55
iscsi_add_lun "$T" 2 o55
iscsi_enable_target "$T"
url=$(iscsi_url "$P" "$T" 0)
in_out=$(iscsi-inq -i "$INI_A" "$url" 2>&1) || fail "iscsi-inq $url failed: $in_out"

# run_cu LUN TESTS: run iscsi-test-cu on LUN, append its output to LOG and
# the parsed results to RES.
run_cu() {
	local lun=$1 tests=$2 u rc=0 log=$IW/cu-$1.log
	[ -n "$tests" ] || return 0
	u=$(iscsi_url "$P" "$T" "$lun")
	step "iscsi-test-cu -d -V -t $tests $u"
	# -V: libiscsi prints some [SKIPPED] notes only at its verbose level
	timeout 900 iscsi-test-cu -d -V -i "$INI_A" -I "$INI_B" -t "$tests" "$u" >"$log" 2>&1 || rc=$?
	info "LUN $lun: iscsi-test-cu exit status $rc;" \
		"$(grep -a -A3 'Run Summary' "$log" | tr -s ' ' | tr '\n' ';')"
	{ echo "==== LUN $lun: $tests"; cat "$log"; } >>"$LOG"
	parse_results "$log" >>"$RES" || fail "cannot parse $log"
}

: >"$LOG"
: >"$RES"
run_cu 0 "$L0"
run_cu 1 "$L1"
run_cu 2 "$L2"
[ -s "$RES" ] || fail "no test results in $LOG: $(tail -n 20 "$LOG")"
grep ' PASS$' "$RES" | cut -d' ' -f1 >"${RES%.txt}-pass.txt" || true
info "$(wc -l <"$RES") tests: $(grep -c ' PASS$' "$RES" || true) passed," \
	"$(grep -c ' SKIP$' "$RES" || true) skipped, $(grep -c ' FAIL$' "$RES" || true) failed"
wait_tgt_nsess "$T" 0 "" 60

if [ "$ISCSI_IMPL" = lio ]; then
	tr ' ' '\n' <<<"$LIO_BASELINE" | grep -v '^$' >"$IW/expected"
else
	[ -f "$EXPECTED" ] || fail "no expected list $EXPECTED"
	cp "$EXPECTED" "$IW/expected"
fi
step "compare with $([ "$ISCSI_IMPL" = lio ] && echo "the LIO baseline" || echo "$EXPECTED")"
if ! out=$(compare "$RES" "$IW/expected" "$IW/selected" "$IW/all-tests"); then
	awk '!/^note:/' <<<"$out" >&2
	awk '/ FAIL$/ && ++n <= 40' "$RES" >&2
	fail "libiscsi results differ from the expected list (all results in $RES)"
fi
# the summary, then the notes (unlisted results, known failures that pass)
awk '!/^note:/' <<<"$out"
awk '/^note:/ && !/ PASS \(not in/ && ++n <= 60' <<<"$out"

step "teardown"
iscsi_cleanup
finish_test "libiscsi part $PART"
