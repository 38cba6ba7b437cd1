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

# strerror() texts of the errors mgmt writes return, for must_fail
# shellcheck disable=SC2034  # used by the test scripts
EINVAL="Invalid argument"
# shellcheck disable=SC2034
EEXIST="File exists"
# shellcheck disable=SC2034
ENOENT="No such file or directory"
# shellcheck disable=SC2034
EBUSY="Device or resource busy"

# sysfs_snapshot: every path under the SCST tree plus the content of every
# readable attribute except the help texts, the last mgmt result and the
# live statistics that change on their own (sgv/ cache statistics, the
# command dump), so that two snapshots are equal when a rejected command
# changed nothing.
sysfs_snapshot() {
	local f
	find "$SCST_SYSFS" | sort
	find "$SCST_SYSFS" -type f | sort | while read -r f; do
		case ${f##*/} in
		mgmt | last_sysfs_mgmt_res | global_stats | stats | trace_cmds | \
		trace_mcmds)
			continue ;;
		esac
		printf '%s=' "$f"
		cat "$f" 2>/dev/null | tr '\n' '|'
		echo
	done
}

MUST_FAIL_COUNT=0
# must_fail PATH EXPECTED_ERRNO_TEXT CMD...: writing CMD to PATH must fail;
# if the expected text is not empty, strerror() of the failure must
# contain it.  MUST_FAIL_COUNT counts the calls.
must_fail() {
	local path=$1 want=$2 err
	shift 2
	MUST_FAIL_COUNT=$((MUST_FAIL_COUNT + 1))
	if err=$( { echo "$*" >"$path"; } 2>&1 ); then
		fail "accepted: echo '$*' >$path"
	fi
	if [ -n "$want" ] && [[ $err != *"$want"* ]]; then
		fail "echo '$*' >$path: got '$err', expected '$want'"
	fi
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

# wait_for SECONDS CMD...: poll CMD every 0.25 s until it succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.25
	done
}

# local_host TGT SESS: SCSI host number of an scst_local session.
local_host() {
	local l=$SCST_SYSFS/targets/scst_local/$1/sessions/$2/host h
	[ -L "$l" ] || fail "no host link $l"
	h=$(basename "$(readlink -f "$l")")
	[[ $h =~ ^host[0-9]+$ ]] || fail "host link $l points to '$h'"
	check_eq "$(cat "/sys/class/scsi_host/$h/proc_name")" scst_local "proc_name of $h"
	echo "${h#host}"
}

# lun_disk HOST LUN / lun_sg HOST LUN: /dev node of a LUN, if present.
lun_disk() {
	local b
	for b in /sys/bus/scsi/devices/"$1":0:0:"$2"/block/*; do
		[ -b "/dev/${b##*/}" ] && { echo "/dev/${b##*/}"; return 0; }
	done
	return 1
}

lun_sg() {
	local b
	for b in /sys/bus/scsi/devices/"$1":0:0:"$2"/scsi_generic/*; do
		[ -c "/dev/${b##*/}" ] && { echo "/dev/${b##*/}"; return 0; }
	done
	return 1
}

# wait_disk HOST LUN: wait up to 60 s for the LUN's disk and print it.
wait_disk() {
	wait_for 60 lun_disk "$1" "$2" >/dev/null ||
		fail "no disk for LUN $2 of host$1: $(lsscsi 2>&1 | tr '\n' ';')"
	lun_disk "$1" "$2"
}

host_gone() {
	[ ! -e "/sys/class/scsi_host/host$1" ]
}
