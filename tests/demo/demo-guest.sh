#!/bin/bash
# The guest half of "make demo" (run by tests/guest/run-guest.sh from
# tests/demo/demo.sh; TOP, KVER and DEMO_PORT come from there): network
# up (QEMU user-mode: 10.0.2.15/24, gateway 10.0.2.2), SCST + iscsi-scst
# loaded, iscsi-scstd started, the example configuration applied with
# scstadmin; then it waits until the guest is stopped.
set -euo pipefail

PORT=${DEMO_PORT:-3260}
CONF=${DEMO_CONF:-$TOP/doc/scst.conf.example}
GUEST_IP=10.0.2.15
L=/tmp/demo
mkdir -p "$L"

say() { echo "demo-guest: $*"; }
die() { echo "demo-guest: FAILED: $*"; tail -n 20 "$L"/*.log 2>/dev/null; exit 1; }

say "network"
modprobe virtio_net || die "modprobe virtio_net"
ifc=
for n in /sys/class/net/*; do
	[ -e "$n/device/driver" ] || continue
	[ "$(basename "$(readlink -f "$n/device/driver")")" = virtio_net ] && ifc=${n##*/}
done
[ -n "$ifc" ] || die "no virtio_net interface (run-guest.sh without GUEST_NET?)"
ip link set "$ifc" up
ip addr add "$GUEST_IP/24" dev "$ifc"
ip route add default via 10.0.2.2

say "modules"
modprobe -q sd_mod || true
insmod "$TOP/scst/src/scst.ko" || die "insmod scst"
insmod "$TOP/scst/src/dev_handlers/scst_vdisk.ko" || die "insmod scst_vdisk"
ko=$TOP/iscsi-scst/kernel/iscsi-scst.ko
for m in $(modinfo -F depends "$ko" | tr ',' ' '); do
	case $m in scst | scst_*) ;; *) modprobe "$m" || die "modprobe $m" ;; esac
done
insmod "$ko" || die "insmod iscsi-scst"

# The daemon listens on the guest's 127.0.0.1 only, so that the portal it
# announces is the host-side address of the port forward (see relay.py).
say "iscsi-scstd on 127.0.0.1:$PORT"
setsid "$TOP/iscsi-scst/usr/iscsi-scstd" -f -a 127.0.0.1 -p "$PORT" \
	>"$L/iscsi-scstd.log" 2>&1 </dev/null &
for _ in $(seq 40); do
	[ -n "$(ss -Hltn "sport = :$PORT")" ] && break
	sleep 0.25
done
[ -n "$(ss -Hltn "sport = :$PORT")" ] || die "iscsi-scstd does not listen"

# Backing files of the file-backed devices (tmpfs: sparse, 64 MiB).
while read -r k f; do
	[ "$k" = filename ] || continue
	case $f in /dev/*) continue ;; esac
	[ -e "$f" ] && continue
	mkdir -p "$(dirname "$f")"
	truncate -s 64M "$f" || die "cannot create $f"
done <"$CONF"

say "scstadmin -config $CONF"
"$TOP/scstadmin/scstadmin" -config "$CONF" -noprompt >"$L/scstadmin.log" 2>&1 ||
	die "scstadmin -config $CONF"
cat "$L/scstadmin.log"

/usr/bin/python3 "$TOP/tests/demo/relay.py" "$GUEST_IP" 127.0.0.1 "$PORT" \
	>"$L/relay.log" 2>&1 </dev/null &
say "READY"
# Stay up until QEMU is stopped from the host (tests/demo/demo.sh).
while :; do
	sleep 3600
done
