#!/bin/bash
# "make demo": boot the QEMU guest with our modules, export the example
# configuration (doc/scst.conf.example: a file-backed disk and a NULLIO
# disk) over iSCSI, forward the guest's iSCSI port to the host's
# 127.0.0.1:DEMO_PORT, and stay up until Ctrl-C.
#
# Environment: DEMO_PORT (default 3260), DEMO_CONF (default
# doc/scst.conf.example), DEMO_BOOT_TIMEOUT (s to wait for the target,
# default 600), and run-guest.sh's GUEST_* variables (GUEST_MEM defaults
# to 1024 here).  The modules must be built ("make demo" does it).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
export DEMO_PORT=${DEMO_PORT:-3260}
export DEMO_CONF=${DEMO_CONF:-$top/doc/scst.conf.example}
url=iscsi://127.0.0.1:$DEMO_PORT

[ -r "$DEMO_CONF" ] || { echo "demo: no $DEMO_CONF" >&2; exit 1; }
iqn=$(awk '$1 == "TARGET" { print $2; exit }' "$DEMO_CONF")
[ -n "$iqn" ] || { echo "demo: no TARGET in $DEMO_CONF" >&2; exit 1; }
if [ -n "$(ss -Hltn "sport = :$DEMO_PORT" 2>/dev/null)" ]; then
	echo "demo: port $DEMO_PORT is in use on this host; try DEMO_PORT=3261 make demo" >&2
	exit 1
fi
command -v iscsi-ls >/dev/null || { echo "demo: iscsi-ls missing (libiscsi-bin)" >&2; exit 1; }

echo "demo: booting the guest (QEMU TCG: a minute or two; its logs go to build/guest/results/demo-guest/ when it stops)"
# GUEST_TIMEOUT=0: no time limit (run-guest.sh); stopped with Ctrl-C.
GUEST_TIMEOUT=0 GUEST_MEM=${GUEST_MEM:-1024} \
	GUEST_NET="-nic user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$DEMO_PORT-:$DEMO_PORT" \
	GUEST_ENV="${GUEST_ENV:-} DEMO_PORT DEMO_CONF" \
	tests/guest/run-guest.sh tests/demo/demo-guest.sh &
gpid=$!

# A background job of a script ignores SIGINT, so on Ctrl-C tell
# run-guest.sh with SIGTERM: it stops QEMU and waits for it.
# shellcheck disable=SC2317  # a trap handler
stop() {
	trap '' INT TERM HUP
	echo "demo: stopping the guest"
	kill -TERM "$gpid" 2>/dev/null
	wait "$gpid" 2>/dev/null
	echo "demo: guest stopped"
	exit 0
}
trap stop INT TERM HUP

# Ready when the target answers discovery from the host.
end=$((SECONDS + ${DEMO_BOOT_TIMEOUT:-600}))
out=
while :; do
	if ! kill -0 "$gpid" 2>/dev/null; then
		wait "$gpid"
		echo "demo: the guest stopped before the target was up; see build/guest/results/demo-guest/output.log" >&2
		exit 1
	fi
	out=$(timeout 20 iscsi-ls -s "$url" 2>&1) && [[ $out == *"$iqn"* ]] && break
	if [ $SECONDS -ge $end ]; then
		echo "demo: no iSCSI target at $url after ${DEMO_BOOT_TIMEOUT:-600}s: $out" >&2
		kill -TERM "$gpid" 2>/dev/null
		wait "$gpid"
		exit 1
	fi
	sleep 3
done

cat <<BANNER

==================== SCST demo: the target is up ====================
iSCSI target $iqn
(config: ${DEMO_CONF#"$top"/}) is exported by iscsi-scst in a QEMU
guest and forwarded to 127.0.0.1:$DEMO_PORT on this host.

\$ iscsi-ls -s $url
$out

Try, from this host:
  iscsi-ls -s $url
  iscsi-inq $url/$iqn/0
  iscsi-readcapacity16 $url/$iqn/0
  iscsi-inq $url/$iqn/1
(or open-iscsi: iscsiadm -m discovery -t st -p 127.0.0.1:$DEMO_PORT)

Press Ctrl-C to stop the guest.
=====================================================================
BANNER

wait "$gpid"
rc=$?
echo "demo: guest exited (status $rc)"
exit $rc
