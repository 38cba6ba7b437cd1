#!/bin/bash
# Boot the Debian kernel in a QEMU (TCG) guest and run one test script in it.
#
# usage: tests/guest/run-guest.sh SCRIPT [ARGS...]
#
# The guest sees the host's "/" read-only (9p) under a tmpfs overlay, so the
# project tree, the built modules and all host tools are available at the
# same paths (except /tmp, /run, /dev, /proc, /sys: the guest's own).
# SCRIPT runs as root with cwd = $TOP (the project root); TOP and KVER are
# exported.
#
# Environment:
#   GUEST_TIMEOUT  seconds for boot + test, then QEMU is killed (default 900;
#                  0: no limit and no in-guest watchdog, e.g. for make demo)
#   GUEST_SMP      number of vCPUs (default 2)
#   GUEST_MEM      memory in MiB (default 3072)
#   GUEST_CPU      QEMU CPU model (default max)
#   GUEST_APPEND   extra kernel command line (e.g. slub_debug=FZPU)
#   GUEST_ENV      names of host variables to pass to the test script
#   GUEST_VERBOSE  1: also stream the serial console to stdout
#   GUEST_TAIL     lines of log tails to show on failure (default 40)
#   GUEST_ACCEL    QEMU -accel argument (default tcg; the benchmark uses
#                  "tcg" with GUEST_ICOUNT)
#   GUEST_ICOUNT   QEMU -icount argument, e.g. "shift=0,sleep=off,align=off"
#                  (deterministic guest clock; use with GUEST_SMP=1)
#   GUEST_NET      QEMU network options (default "-nic none"), e.g.
#                  "-nic user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:3260-:3260"
#                  (the guest script loads virtio_net and sets the address)
#   DMESG_IGNORE   extra ERE of dmesg lines to ignore (see dmesg-check.sh)
#
# A SCRIPT with the line "# run-guest: reboot-systemd" runs in two boots of
# one guest (GUEST_BOOT=1, then 2, in its environment): the root overlay's
# upper layer is then a scratch ext4 disk image (/dev/vda; deleted at the
# end) that persists from boot 1 to boot 2.  Boot 1 is as usual; boot 2
# starts systemd as init (scst-guest.target, see mkinitramfs.sh), which
# runs SCRIPT from a unit.  Boot 2 only follows a passing boot 1; each boot
# has the whole GUEST_TIMEOUT.  Boot 1's files are kept in the results as
# boot1-{status,output.log,dmesg.txt,console}.
#
# Output: build/guest/logs/<test>.console (serial console),
#         build/guest/results/<test>/{status,dmesg.txt,output.log,run.sh}
# (a run works in private copies and moves them there at the end, so that
# concurrent runs of the same test do not clobber each other).
# Exit status: the test's exit status; nonzero also when the guest produced
# no status (panic, hang, timeout) or the dmesg check found a problem.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ $# -lt 1 ]; then
	echo "usage: $0 SCRIPT [ARGS...]" >&2
	exit 2
fi
script=$(readlink -f "$1")
shift
[ -f "$script" ] || { echo "run-guest: no such script: $script" >&2; exit 2; }
case "$script" in
/tmp/* | /run/* | /dev/* | /proc/* | /sys/*)
	echo "run-guest: $script is not visible in the guest (own /tmp,/run,...)" >&2
	exit 2 ;;
esac

name=$(basename "$script" .sh)
GUEST_TIMEOUT=${GUEST_TIMEOUT:-900}
GUEST_SMP=${GUEST_SMP:-2}
GUEST_MEM=${GUEST_MEM:-3072}
tail_n=${GUEST_TAIL:-40}

KVER=$("$top/tests/lib/kver.sh") || exit 1
kernel=/boot/vmlinuz-$KVER
[ -r "$kernel" ] || { echo "run-guest: $kernel missing" >&2; exit 1; }
initrd=$("$top/tests/guest/mkinitramfs.sh" "$KVER") || exit 1

logdir=$top/build/guest/logs
resdir=$top/build/guest/results
mkdir -p "$logdir" "$resdir"
final_res=$resdir/$name
final_console=$logdir/$name.console
res=$(mktemp -d "$resdir/.$name.XXXXXX") || exit 1
chmod 0755 "$res"
console=$res.console
: >"$console"

boots=1
grep -qx '# run-guest: reboot-systemd' "$script" && boots=2
disk=
if [ "$boots" = 2 ]; then
	disk=$res.disk
	if ! { truncate -s 4G "$disk" && mkfs.ext4 -q -F "$disk" >/dev/null; }; then
		echo "run-guest: cannot make the guest disk $disk" >&2
		rm -rf "$res" "$console" "$disk"
		exit 1
	fi
fi

# Move this run's files to their canonical places (on any exit).
publish() {
	rm -rf "$final_res"
	mv -T "$res" "$final_res" 2>/dev/null || cp -a "$res/." "$final_res/"
	mv -f "$console" "$final_console"
	rm -rf "$res" "$console"
	[ -z "$disk" ] || rm -f "$disk"
}

# The command the guest runs (via stage 2 of the initramfs).
{
	echo '#!/bin/bash'
	printf 'export TOP=%q\n' "$top"
	printf 'export KVER=%q\n' "$KVER"
	echo 'export GUEST_BOOT=1'
	for v in ${GUEST_ENV:-}; do
		[ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	echo 'cd "$TOP" || exit 99'
	if [ -x "$script" ]; then
		printf 'exec %q' "$script"
	else
		printf 'exec bash %q' "$script"
	fi
	for a in "$@"; do printf ' %q' "$a"; done
	echo
} >"$res/run.sh"

# The in-guest watchdog (counted from the start of the test, i.e. after the
# boot) fires well before QEMU is killed, so that dmesg and blocked-task
# traces still reach the results directory.
if [ "$GUEST_TIMEOUT" -gt 240 ]; then
	gtmo=$((GUEST_TIMEOUT - 120))
else
	gtmo=$((GUEST_TIMEOUT / 2))
fi

append="console=ttyS0,115200 panic=-1 log_buf_len=8M printk.devkmsg=on"
append+=" mitigations=off no_hash_pointers sysctl.kernel.hung_task_timeout_secs=60"
append+=" scsttimeout=$gtmo ${GUEST_APPEND:-}"
[ "$boots" = 2 ] && append+=" scstdisk=1"

qemu=(
	qemu-system-x86_64 -accel "${GUEST_ACCEL:-tcg}" -cpu "${GUEST_CPU:-max}"
	-m "$GUEST_MEM" -smp "$GUEST_SMP"
	-nographic -no-reboot
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	-fsdev "local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot"
	-fsdev "local,id=fsres,path=$res,security_model=none,multidevs=remap"
	-device "virtio-9p-pci,fsdev=fsres,mount_tag=results"
)
[ -n "${GUEST_ICOUNT:-}" ] && qemu+=(-icount "$GUEST_ICOUNT")
# shellcheck disable=SC2206  # several options, split on blanks
qemu+=(${GUEST_NET:--nic none})
[ -n "$disk" ] && qemu+=(-drive "file=$disk,if=virtio,format=raw")

start=$(date +%s)
boot=1
while :; do	# once per boot (see "reboot-systemd" above)
# timeout(1) runs in its own process group, so forward our signals to it:
# an interrupted run must not leave a QEMU behind.
if [ "${GUEST_VERBOSE:-0}" = 1 ]; then
	timeout -k 10 "$GUEST_TIMEOUT" "${qemu[@]}" </dev/null > >(tee "$console") 2>&1 &
else
	timeout -k 10 "$GUEST_TIMEOUT" "${qemu[@]}" </dev/null >"$console" 2>&1 &
fi
qpid=$!
trap 'kill -TERM $qpid 2>/dev/null; wait $qpid; publish; echo "run-guest: interrupted" >&2; exit 130' INT TERM HUP
wait $qpid
qrc=$?
trap - INT TERM HUP
if [ "$boot" -lt "$boots" ] && [ "$(tr -dc '0-9' 2>/dev/null <"$res/status")" = 0 ]; then
	boot=$((boot + 1))
	for f in status output.log dmesg.txt; do
		mv -f "$res/$f" "$res/boot1-$f"
	done
	mv -f "$console" "$res/boot1-console"
	: >"$console"
	sed -i 's/^export GUEST_BOOT=1$/export GUEST_BOOT=2/' "$res/run.sh"
	for i in "${!qemu[@]}"; do
		[ "${qemu[$i]}" = "$append" ] &&
			qemu[i]="$append scstinit=systemd systemd.unit=scst-guest.target"
	done
	continue
fi
break
done
secs=$(( $(date +%s) - start ))
publish
res=$final_res
console=$final_console

why=
rc=0
if [ -s "$res/status" ]; then
	rc=$(tr -dc '0-9' <"$res/status")
	[ -n "$rc" ] || rc=1
	[ "$rc" -eq 0 ] || why="exit status $rc"
else
	rc=1
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		why="guest timed out after ${GUEST_TIMEOUT}s (QEMU killed)"
	elif [ -e "$res/timeout" ]; then
		why="test timed out in the guest after ${gtmo}s"
	elif grep -q 'Kernel panic' "$console"; then
		why="kernel panic"
	else
		why="no status from guest (qemu rc $qrc)"
	fi
fi

# Kernel log check: the full dmesg if the guest saved it, else the console.
klog=$res/dmesg.txt
[ -s "$klog" ] || klog=$console
hits=$(DMESG_IGNORE=${DMESG_IGNORE:-} "$top/tests/lib/dmesg-check.sh" "$klog")
if [ -s "$res/boot1-dmesg.txt" ]; then
	hits=$( { DMESG_IGNORE=${DMESG_IGNORE:-} "$top/tests/lib/dmesg-check.sh" \
		"$res/boot1-dmesg.txt"; printf '%s\n' "$hits"; } | sed '/^$/d')
fi
if [ -n "$hits" ]; then
	[ "$rc" -ne 0 ] || rc=1
	why="${why:+$why; }kernel log has $(printf '%s\n' "$hits" | wc -l) bad line(s)"
fi

if [ -z "$why" ]; then
	echo "PASS $name (${secs}s)"
	exit 0
fi

echo "FAIL $name (${secs}s): $why"
if [ -n "$hits" ]; then
	echo "---- offending kernel log lines ($klog) ----"
	printf '%s\n' "$hits" | head -n "$tail_n"
fi
if [ -s "$res/output.log" ]; then
	if grep -qE '^(FAIL|ERROR)' "$res/output.log"; then
		echo "---- FAIL lines of the test output ----"
		grep -m 10 -E '^(FAIL|ERROR)' "$res/output.log"
	fi
	echo "---- tail of the test output ($res/output.log) ----"
	tail -n "$tail_n" "$res/output.log" | tr -d '\r'
fi
if [ ! -s "$res/status" ] || [ ! -s "$res/output.log" ]; then
	echo "---- tail of the console ($console) ----"
	tail -n "$tail_n" "$console" | tr -d '\r'
fi
echo "----"
exit "$rc"
