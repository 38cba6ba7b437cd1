#!/bin/bash
# Build (or reuse from cache) the busybox initramfs used to boot the test
# guest.  Prints the path of the initramfs on stdout.
#
# usage: tests/guest/mkinitramfs.sh [KVER]
#
# Boot flow inside the guest:
#   stage 1 (/init, busybox sh, in the initramfs): insmod virtio/9p/overlay
#     modules, mount host "/" read-only over virtio-9p (tag "hostroot"),
#     overlay a tmpfs on top of it and switch_root into the overlay.
#   stage 2 (/.guest/init2, bash of the host, PID 1 in the overlay): mount
#     proc/sys/dev/pts/tmp/run/configfs/debugfs, bring up lo, mount the
#     writable 9p share "results" at /results and run /results/run.sh (made by
#     run-guest.sh), then save status + dmesg to /results and power off.
#   With "scstdisk=1" on the kernel command line (run-guest.sh, tests marked
#   "# run-guest: reboot-systemd") the overlay's upper layer is the ext4 disk
#   /dev/vda instead of a tmpfs, so it persists across boots; with
#   "scstinit=systemd" stage 1 starts /lib/systemd/systemd instead of stage
#   2, booting scst-guest.target (multi-user.target minus the host's own
#   services), whose scst-guest-test.service runs stage 2's test part.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KVER=${1:-$("$top/tests/lib/kver.sh")}
moddir=/lib/modules/$KVER
outdir=$top/build/guest
out=$outdir/initramfs-$KVER.cpio.gz
BUSYBOX=${BUSYBOX:-/bin/busybox}

# Modules needed before the switch; their dependencies come from modules.dep.
WANT="virtio_pci 9pnet_virtio 9p overlay configfs virtio_blk crc32c_generic ext4"

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ -f "$moddir/modules.dep" ] || die "$moddir/modules.dep missing (kernel $KVER not installed?)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (install busybox-static)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic' || die "$BUSYBOX is not static"

# --- resolve module list (dependencies first) from modules.dep ----------
declare -A seen=()
order=()

dep_line() {	# module name -> "path: deps..." line of modules.dep
	local n=${1//-/_}
	awk -v n="$n" -F: '{
		b = $1; sub(/.*\//, "", b); sub(/\.ko(\.(xz|gz|zst))?$/, "", b);
		gsub(/-/, "_", b); if (b == n) { print; exit } }' "$moddir/modules.dep"
}

add_path() {
	local p=$1
	[ -n "${seen[$p]:-}" ] && return 0
	seen[$p]=1
	order+=("$p")
}

for m in $WANT; do
	line=$(dep_line "$m")
	if [ -z "$line" ]; then
		# Built in?  Then nothing to load.
		n=${m//-/_}
		grep -Eq "/${m}\.ko|/${n}\.ko" "$moddir/modules.builtin" 2>/dev/null && continue
		die "module $m not found in $moddir/modules.dep"
	fi
	path=${line%%:*}
	read -r -a deps <<<"${line#*:}"
	# modules.dep lists the full transitive closure; modprobe loads it
	# from the end backwards, so do the same.
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		add_path "${deps[$i]}"
	done
	add_path "$path"
done

# --- cache check ----------------------------------------------------------
self=$(readlink -f "${BASH_SOURCE[0]}")
inputs=$( {
	echo "kver=$KVER"
	sha256sum "$self" "$BUSYBOX"
	for p in "${order[@]}"; do stat -c '%n %s %Y' "$moddir/$p"; done
} | sha256sum | cut -d' ' -f1)

if [ -s "$out" ] && [ "$(cat "$out.inputs" 2>/dev/null)" = "$inputs" ]; then
	echo "$out"
	exit 0
fi

# --- build ----------------------------------------------------------------
mkdir -p "$outdir"
tmp=$(mktemp -d "$outdir/initramfs.XXXXXX")
trap 'rm -rf "$tmp" "$tmp.cpio.gz"' EXIT

mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,mnt/lower,mnt/rw,newroot,lib/modules,guest}
cp "$BUSYBOX" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"

: >"$tmp/lib/modules/load.list"
for p in "${order[@]}"; do
	src=$moddir/$p
	base=${p##*/}
	case "$base" in
	*.ko)     cp "$src" "$tmp/lib/modules/$base" ;;
	*.ko.xz)  base=${base%.xz};  xz -dc "$src" >"$tmp/lib/modules/$base" ;;
	*.ko.gz)  base=${base%.gz};  gzip -dc "$src" >"$tmp/lib/modules/$base" ;;
	*.ko.zst) base=${base%.zst}; zstd -qdc "$src" >"$tmp/lib/modules/$base" ;;
	*) die "unknown module file type: $p" ;;
	esac
	echo "$base" >>"$tmp/lib/modules/load.list"
done
echo "$KVER" >"$tmp/lib/modules/kver"

# ---- stage 1: /init --------------------------------------------------------
cat >"$tmp/init" <<'STAGE1'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

log() { echo "guest-init: $*"; }
die() {
	log "FATAL: $*"
	dmesg | tail -n 30
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 5
}

[ "$(uname -r)" = "$(cat /lib/modules/kver)" ] ||
	log "WARNING: kernel $(uname -r) but initramfs built for $(cat /lib/modules/kver)"

for m in $(cat /lib/modules/load.list); do
	insmod "/lib/modules/$m" || die "insmod $m failed"
done

MSIZE=512000
ok=
for i in 1 2 3 4 5 6 7 8 9 10; do
	if mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=$MSIZE,cache=loose \
		hostroot /mnt/lower 2>/dev/null; then
		ok=1
		break
	fi
	sleep 0.5
done
[ -n "$ok" ] || die "cannot mount 9p hostroot"

if grep -qw scstdisk=1 /proc/cmdline; then
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -b /dev/vda ] && break
		sleep 0.5
	done
	mount -t ext4 /dev/vda /mnt/rw || die "cannot mount /dev/vda (scstdisk=1)"
else
	mount -t tmpfs -o mode=0755 tmpfs /mnt/rw || die "tmpfs"
fi
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work \
	overlay /newroot || die "cannot mount overlay"

mkdir -p /newroot/.guest || die "overlay not writable"
log "root overlay mounted at $(cut -d' ' -f1 /proc/uptime)s"
cp /bin/busybox /guest/init2 /newroot/.guest/ || die "copy stage 2"
chmod 0755 /newroot/.guest/init2

log "stage 2 copied at $(cut -d' ' -f1 /proc/uptime)s"
mount --move /dev /newroot/dev || die "move /dev"
if grep -qw scstinit=systemd /proc/cmdline; then
	sh /guest/systemd-setup /newroot || die "systemd setup"
	# else systemd-tmpfiles would empty the host's /tmp (lower layer)
	mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp || die "tmpfs /tmp"
	umount /proc /sys
	exec switch_root /newroot /lib/systemd/systemd --unit=scst-guest.target
fi
umount /proc /sys
exec switch_root /newroot /.guest/init2
die "switch_root failed"
STAGE1

# ---- stage 2: /.guest/init2 (runs on the host's userland) ---------------
cat >"$tmp/guest/init2" <<'STAGE2'
#!/bin/bash
# PID 1 in the guest after switch_root: the host's "/" (read-only 9p) with a
# tmpfs overlay, so every tool of the host is available.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LC_ALL=C.UTF-8 LANG=C.UTF-8
BB=/.guest/busybox
umask 022

log() { echo "guest-init2: $*"; }

off() {
	sync
	$BB poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

# Under systemd (scstinit=systemd, scst-guest-test.service runs
# "init2 --systemd") the system is already set up: only run the test.
if [ "${1:-}" != --systemd ]; then
mount -t proc proc /proc
mount -t sysfs sysfs /sys
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
# devtmpfs has no /dev/fd: bash process substitution needs it
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/lock
read -r up _ </proc/uptime
log "stage 2 started at ${up}s"
# configfs is loaded from the initramfs; debugfs is built in.
[ -d /sys/kernel/config ] && mount -t configfs configfs /sys/kernel/config
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug
$BB ip link set lo up 2>/dev/null || $BB ifconfig lo 127.0.0.1 up
echo guest >/proc/sys/kernel/hostname
fi

mkdir -p /results
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none \
	results /results; then
	log "FATAL: cannot mount 9p results share"
	dmesg | tail -n 30
	off
fi

read -r -a cmdline </proc/cmdline
TMO=0
for w in "${cmdline[@]}"; do
	case "$w" in scsttimeout=*) TMO=${w#*=} ;; esac
done
read -r up _ </proc/uptime
log "kernel $(uname -r), $(nproc) cpus, up ${up}s, timeout ${TMO}s"

if [ ! -f /results/run.sh ]; then
	log "FATAL: /results/run.sh missing"
	off
fi

# Watchdog: if the test does not finish in time, still collect dmesg
# (with blocked-task backtraces) and power off; no status file => failure.
if [ "$TMO" -gt 0 ]; then
	(
		sleep "$TMO"
		log "TIMEOUT: test did not finish in ${TMO}s"
		echo w >/proc/sysrq-trigger
		echo timeout >/results/timeout
		dmesg >/results/dmesg.txt
		off
	) &
	wdog=$!
fi

set -o pipefail
bash /results/run.sh </dev/null 2>&1 | tee /results/output.log
status=${PIPESTATUS[0]}
[ -n "${wdog:-}" ] && kill "$wdog" 2>/dev/null
log "test exit status $status"

dmesg >/results/dmesg.txt
echo "$status" >/results/status
sync
umount /results
off
STAGE2

# ---- scstinit=systemd: prepare the root for systemd (run by stage 1) -----
cat >"$tmp/guest/systemd-setup" <<'SDSETUP'
# usage: sh systemd-setup ROOT
# Boot target scst-guest.target = multi-user.target + the test unit; the
# host's own services (everything enabled in its /etc/systemd/system, e.g.
# tgt, iscsid, postgresql) and gettys are masked.  Units of the project
# (scst*, iscsi-scstd*) enabled by a test are kept.
d=$1/etc/systemd/system
mkdir -p "$d" || exit 1
# The host root may be a container's: systemd must not think it runs in one
# (it would ignore the kernel command line).
rm -f "$1/.dockerenv" "$1/run/.containerenv"
for w in "$d"/*.wants/*; do
	[ -e "$w" ] || [ -L "$w" ] || continue
	u=${w##*/}
	case $u in scst* | iscsi-scstd*) continue ;; esac
	ln -sfn /dev/null "$d/$u"
done
for u in getty.target console-getty.service serial-getty@ttyS0.service \
	systemd-logind.service systemd-remount-fs.service \
	systemd-firstboot.service tgt.service iscsid.service iscsid.socket \
	open-iscsi.service rtslib-fb-targetctl.service; do
	ln -sfn /dev/null "$d/$u"
done
cat >"$d/scst-guest.target" <<EOF
[Unit]
Description=Guest test boot (run-guest.sh)
Requires=multi-user.target
After=multi-user.target
Wants=scst-guest-test.service
AllowIsolate=yes
EOF
cat >"$d/scst-guest-test.service" <<EOF
[Unit]
Description=Guest test (run-guest.sh)
After=multi-user.target

[Service]
Type=oneshot
ExecStart=/.guest/init2 --systemd
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
EOF
SDSETUP

# ---- pack ------------------------------------------------------------------
chmod 0755 "$tmp/init" "$tmp/guest/init2"
(cd "$tmp" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$tmp.cpio.gz"
mv -f "$tmp.cpio.gz" "$out"
echo "$inputs" >"$out.inputs"
echo "mkinitramfs: built $out ($(du -k "$out" | cut -f1) KiB, modules: $(tr '\n' ' ' <"$tmp/lib/modules/load.list"))" >&2
echo "$out"
