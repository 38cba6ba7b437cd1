#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py RAWDIR [HEADER]: the benchmark table from the fio JSON
files that tests/bench/bench-guest.sh left in RAWDIR/fio
(ROUND-STACK-BACKEND-WORKLOAD.json).

One row per (backend, workload); per stack the median over the rounds of
IOPS and MB/s (10^6 bytes/s, guest time), then ours/LIO and ours/tgt
(ratio of the medians; > 1 means ours is faster).  Below the table: every
round's value, so that the spread is visible, and the conditions the
guest recorded (negotiated parameters, disks, errors).
Exit status 1 if no measurement was found at all.
"""

import collections
import glob
import json
import os
import statistics
import sys

STACKS = ["ours", "lio", "tgt"]
NAMES = {"ours": "ours", "lio": "LIO", "tgt": "tgt"}
WL_NAMES = {"randread4k": "4k randread QD32", "seqread128k": "128k seqread QD8",
            "seqwrite128k": "128k seqwrite QD8"}
BACKENDS = ["nullio", "fileio"]
WORKLOADS = ["randread4k", "seqread128k", "seqwrite128k"]


def load(rawdir):
    vals = collections.defaultdict(list)     # (backend, wl, stack) -> [(round, iops, bw)]
    for f in sorted(glob.glob(os.path.join(rawdir, "fio", "*.json"))):
        base = os.path.basename(f)[:-5]
        try:
            rnd, stack, backend, wl = base.split("-", 3)
            j = json.load(open(f))
        except (ValueError, OSError):
            continue
        job = j["jobs"][0]
        if job.get("error"):
            continue
        d = job["write"] if wl.startswith("seqwrite") else job["read"]
        vals[(backend, wl, stack)].append((int(rnd), d["iops"], d["bw_bytes"] / 1e6))
    return vals


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, w, p=0):
    return ("%*.*f" % (w, p, x)) if x is not None else "%*s" % (w, "n/a")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "%8s" % "n/a"
    return "%8.2f" % (a / b)


def table(vals):
    out = []
    hdr = "%-7s %-18s" % ("backend", "workload")
    for s in STACKS:
        hdr += " | %10s %8s" % (NAMES[s] + " IOPS", "MB/s")
    hdr += " | %8s %8s" % ("ours/LIO", "ours/tgt")
    out.append(hdr)
    out.append("-" * len(hdr))
    for b in BACKENDS:
        for wl in WORKLOADS:
            row = "%-7s %-18s" % (b, WL_NAMES.get(wl, wl))
            m = {}
            for s in STACKS:
                v = vals.get((b, wl, s), [])
                m[s] = med([x[1] for x in v])
                row += " | %10s %8s" % (fmt(m[s], 10), fmt(med([x[2] for x in v]), 8, 1))
            row += " | %s %s" % (ratio(m["ours"], m["lio"]), ratio(m["ours"], m["tgt"]))
            out.append(row)
    return out


def rounds(vals):
    out = ["", "Per round (IOPS):"]
    for b in BACKENDS:
        for wl in WORKLOADS:
            for s in STACKS:
                v = sorted(vals.get((b, wl, s), []))
                if v:
                    out.append("  %-7s %-18s %-5s %s" % (b, WL_NAMES.get(wl, wl), NAMES[s],
                                                        "  ".join("r%d %.0f" % (r, i) for r, i, _ in v)))
    return out


def negotiated(rawdir):
    out = []
    keys = ("HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength", "MaxXmitDataSegmentLength",
            "FirstBurstLength", "MaxBurstLength", "ImmediateData", "InitialR2T",
            "MaxOutstandingR2T")
    for s in STACKS:
        f = os.path.join(rawdir, "negotiated-%s.txt" % s)
        if not os.path.exists(f):
            continue
        got = []
        for line in open(f):
            line = line.strip()
            k, _, v = line.partition(": ")
            if k in keys:
                got.append("%s=%s" % (k, v))
        out.append("  %-5s %s" % (NAMES[s], " ".join(got)))
    return ["", "Negotiated (iscsiadm -m session -P 2):"] + out if out else []


def text_file(rawdir, name, title):
    f = os.path.join(rawdir, name)
    if not os.path.exists(f) or not os.path.getsize(f):
        return []
    return ["", title] + ["  " + line.rstrip() for line in open(f)]


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    rawdir = sys.argv[1]
    lines = []
    if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
        lines += [line.rstrip() for line in open(sys.argv[2])]
    lines += text_file(rawdir, "conditions.txt", "Conditions:")
    vals = load(rawdir)
    lines += ["", "Median of the rounds; MB/s = 10^6 bytes per guest second; "
              "ours/X = ratio of the IOPS medians.", ""]
    lines += table(vals)
    lines += rounds(vals)
    lines += negotiated(rawdir)
    lines += text_file(rawdir, "disks.txt", "Disks seen by the initiator:")
    lines += text_file(rawdir, "notes.txt", "Notes:")
    lines += text_file(rawdir, "errors.txt", "Errors:")
    print("\n".join(lines))
    return 0 if vals else 1


if __name__ == "__main__":
    sys.exit(main())
