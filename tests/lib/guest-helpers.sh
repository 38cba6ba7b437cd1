# Shell library for guest test scripts (bash).  Source it with
#	. "$TOP/tests/lib/guest-helpers.sh"
# TOP (project root) is set by the guest init; the cwd is $TOP.
# shellcheck shell=bash

set -u

: "${TOP:?TOP is not set (run this script through tests/guest/run-guest.sh)}"

SCST_KO=$TOP/scst/src/scst.ko
VDISK_KO=$TOP/scst/src/dev_handlers/scst_vdisk.ko
LOCAL_KO=$TOP/scst/src/scst_local.ko
# shellcheck disable=SC2034  # used by the test scripts
SCST_SYSFS=/sys/kernel/scst_tgt

# Print a message and exit 1.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Progress message, also to the kernel log so it lines up with dmesg.
info() {
	echo "INFO: $*"
	echo "test: $*" >/dev/kmsg 2>/dev/null || true
}

# check CMD...: run CMD, fail the test if it fails.
check() {
	"$@" || fail "command failed (rc $?): $*"
}

# check_fails CMD...: run CMD, fail the test if it succeeds.
check_fails() {
	if "$@"; then
		fail "command unexpectedly succeeded: $*"
	fi
	return 0
}

# check_eq ACTUAL EXPECTED [WHAT]
check_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

# load_scst [PARAMS for scst.ko...]: insmod scst, vdisk and scst_local.
# Per-module parameters can be given in VDISK_PARAMS / LOCAL_PARAMS.
load_scst() {
	local ko
	for ko in "$SCST_KO" "$VDISK_KO" "$LOCAL_KO"; do
		[ -f "$ko" ] || fail "module not built: $ko"
	done
	modprobe -q scsi_mod 2>/dev/null
	modprobe -q sd_mod 2>/dev/null
	modprobe -q sg 2>/dev/null
	modprobe -q configfs 2>/dev/null
	check insmod "$SCST_KO" "$@"
	# shellcheck disable=SC2086  # word splitting wanted
	check insmod "$VDISK_KO" ${VDISK_PARAMS:-}
	# shellcheck disable=SC2086
	check insmod "$LOCAL_KO" ${LOCAL_PARAMS:-}
}

# unload_scst: rmmod in reverse order; fails if any rmmod fails.
unload_scst() {
	local m rc=0
	sync
	for m in scst_local scst_vdisk scst; do
		if grep -q "^$m " /proc/modules; then
			rmmod "$m" || { echo "rmmod $m failed" >&2; rc=1; }
		fi
	done
	[ $rc -eq 0 ] || fail "unload_scst failed"
}

# mgmt PATH CMD...: write CMD to a sysfs/configfs management file; returns
# the status of the write (nonzero if the kernel rejected it).
mgmt() {
	local path=$1
	shift
	echo "$*" >"$path"
}

# udev_settle: there is no udevd in the guest; devtmpfs creates /dev nodes
# itself, so just wait for pending SCSI scans and a short while.
udev_settle() {
	command -v udevadm >/dev/null && udevadm settle -t 5 2>/dev/null
	sleep 0.2
	return 0
}

# wait_for_disk PATTERN [TIMEOUT]: wait until a SCSI disk whose vendor or
# model matches PATTERN (grep -E) appears; print its /dev/sdX.
wait_for_disk() {
	local pat=$1 tmo=${2:-30} end d dir v m
	end=$((SECONDS + tmo))
	while [ $SECONDS -le $end ]; do
		for d in /sys/class/scsi_device/*/device/block/sd*; do
			[ -e "$d" ] || continue
			dir=${d%/block/*}
			v=$(cat "$dir/vendor" 2>/dev/null)
			m=$(cat "$dir/model" 2>/dev/null)
			if printf '%s %s\n' "$v" "$m" | grep -Eq -- "$pat"; then
				d=/dev/${d##*/}
				if [ -b "$d" ]; then
					echo "$d"
					return 0
				fi
			fi
		done
		sleep 0.5
	done
	echo "wait_for_disk: no disk matching '$pat' after ${tmo}s" >&2
	lsscsi >&2 2>/dev/null
	return 1
}
