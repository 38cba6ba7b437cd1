#!/bin/bash
# Install (idempotently) everything the build and the QEMU guest test rig
# need.  Does nothing, not even "apt-get update", when all is present.
set -euo pipefail

PKGS=(
	linux-image-amd64 linux-headers-amd64
	qemu-system-x86 busybox-static cpio gzip xz-utils zstd
	sg3-utils fio lsscsi sparse e2fsprogs kmod util-linux procps dmsetup
	genisoimage
	gcc make libc6-dev
	open-iscsi libiscsi-bin tgt iproute2 python3
	systemd
)

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
logdir="$top/build/logs"
mkdir -p "$logdir"
log="$logdir/install-deps.log"

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Wait up to 20 min for a concurrent apt/dpkg to release its locks.
aptopts=(-o DPkg::Lock::Timeout=1200 -o Dpkg::Use-Pty=0 -q -y)

echo "install-deps: installing ${missing[*]} (log: $log)"
start=$(date +%s)
{
	echo "=== $(date) installing: ${missing[*]}"
	$SUDO apt-get "${aptopts[@]}" update
	$SUDO apt-get "${aptopts[@]}" install --no-install-recommends "${missing[@]}"
} >>"$log" 2>&1 || {
	echo "install-deps: apt-get failed; last lines of $log:" >&2
	tail -n 30 "$log" >&2
	exit 1
}
echo "install-deps: done in $(( $(date +%s) - start )) s"
