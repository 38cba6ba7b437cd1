# Helpers for the SCST functional guest tests (t-4x), on top of
# guest-helpers.sh.  Source it with
#	. "$TOP/tests/lib/scst-test-lib.sh"
#
# Conventions:
#  - scst_* functions configure SCST through sysfs and verify that the
#    change is visible in the tree; they fail the test when it is not.
#  - Everything created through scst_add_* is recorded so that
#    scst_teardown can delete it in reverse order and then unload the
#    modules; tests call it at the end and it must succeed.
#  - A session of scst_local is a SCSI host of this kernel; the helpers
#    find a session's host through sessions/<s>/host (or, failing that,
#    the host that appeared when the session was added) and its disks by
#    LUN number, so disks of different sessions are never confused.
#  - SCSI commands are sent with sg_raw through /dev/sgN so that the sense
#    data the target returned is seen unmodified (no retries, no UA
#    consumption by sd).  scsi_cmd leaves the result in SCSI_STATUS
#    ("good", "cc", or the raw text) and SCSI_SENSE ("K ASC ASCQ", hex).
#  - Starting a dynamically linked program costs 0.2-0.7 s in the TCG
#    guest, so the helpers use bash builtins wherever they can (no cat,
#    readlink, sleep, grep ... in loops).
# shellcheck shell=bash

# shellcheck source=tests/lib/guest-helpers.sh
. "$TOP/tests/lib/guest-helpers.sh"

S=$SCST_SYSFS
LOCAL=$S/targets/scst_local
TLIB_STATE=/tmp/scst-test-lib
mkdir -p "$TLIB_STATE"

# Objects created by the scst_add_* helpers, for scst_teardown.
TLIB_DEVS=()		# device names
TLIB_TGTS=()		# scst_local target names
TLIB_SESS=()		# "tgt/session"
TLIB_GROUPS=()		# "tgt/group"
declare -A TLIB_HOST=()	# "tgt/session" -> SCSI host number

# A FIFO nobody writes to: "read -t" on it is a sleep without a process.
[ -p "$TLIB_STATE/nap" ] || mkfifo "$TLIB_STATE/nap"
exec {TLIB_NAPFD}<>"$TLIB_STATE/nap"

# ---------------------------------------------------------------------------
# Generic helpers

# nap SECONDS: sleep (fractions allowed) without starting a process.
nap() {
	read -r -t "$1" -u "$TLIB_NAPFD" _ || true
}

# step TEXT: progress message with the time since the test started.
step() {
	info "[${SECONDS}s] $*"
}

# wait_until TIMEOUT CMD...: poll CMD (every 0.25 s) until it succeeds;
# returns 1 after TIMEOUT seconds.
wait_until() {
	local tmo=$1 end
	shift
	end=$((SECONDS + tmo))
	while ! "$@"; do
		[ $SECONDS -lt $end ] || return 1
		nap 0.25
	done
	return 0
}

# proc_alive PID: the process exists and is not a zombie.
proc_alive() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# soft_fail MSG: record a failure but let the test go on (so that one
# deviation does not hide the results of later checks); finish_test fails
# the test at the end if any was recorded.
TLIB_SOFT_FAILS=()
soft_fail() {
	echo "FAIL (deferred): $*" >&2
	echo "test: FAIL (deferred): $*" >/dev/kmsg 2>/dev/null || true
	TLIB_SOFT_FAILS+=("$*")
}

# finish_test NAME: fail if soft_fail was called, else report success.
finish_test() {
	local m
	if [ ${#TLIB_SOFT_FAILS[@]} -gt 0 ]; then
		for m in "${TLIB_SOFT_FAILS[@]}"; do
			echo "FAIL: $m" >&2
		done
		exit 1
	fi
	info "$1 passed"
	exit 0
}

# expect_fail CMD...: CMD must fail (nonzero exit status).
expect_fail() {
	if "$@"; then
		fail "command unexpectedly succeeded: $*"
	fi
	return 0
}

# first_line FILE: first line of a sysfs attribute (the value without the
# "[key]" marker line).
first_line() {
	local l=
	IFS= read -r l <"$1" || [ -n "$l" ] || return 1
	printf '%s\n' "$l"
}

# attr_is FILE VALUE [WHAT]: the attribute's first line must be VALUE.
attr_is() {
	[ -e "$1" ] || fail "${3:-attribute} $1 does not exist"
	check_eq "$(first_line "$1")" "$2" "${3:-$1}"
}

# link_name PATH: last component of the directory a symlink points to.
link_name() {
	local t
	t=$(cd -P "$1" 2>/dev/null && pwd) || return 1
	printf '%s\n' "${t##*/}"
}

# link_path PATH: physical path of a directory (symlinks resolved).
link_path() {
	(cd -P "$1" 2>/dev/null && pwd)
}

# has_line TEXT ERE: some line of TEXT matches ERE (^ and $ anchor at the
# line).  A builtin replacement for grep -Eq <<<TEXT.
has_line() {
	local l lines
	mapfile -t lines <<<"$1"
	for l in "${lines[@]}"; do
		[[ $l =~ $2 ]] && return 0
	done
	return 1
}

# rtrim STRING: remove trailing blanks.
rtrim() {
	printf '%s\n' "${1%"${1##*[! ]}"}"
}

# dmesg_mark: print a mark for dmesg_since (number of lines so far).
dmesg_mark() {
	local log
	log=$(dmesg)
	mapfile -t _tlib_lines <<<"$log"
	echo "${#_tlib_lines[@]}"
}

# dmesg_since MARK: kernel log lines printed after dmesg_mark.
dmesg_since() {
	dmesg | tail -n +$(($1 + 1))
}

# dmesg_has MARK ERE: a kernel log line since MARK matches ERE.  (Not a
# pipe into grep -q: with pipefail its early exit can fail the pipeline.)
dmesg_has() {
	local log
	log=$(dmesg_since "$1")
	grep -Eq -- "$2" <<<"$log"
}

# Kernel log lines that mean an I/O to a disk failed or had to be
# recovered by the SCSI error handler.
IO_ERROR_RE='I/O error|critical (medium|target|nexus|space allocation|protection) error|Buffer I/O error|rejecting I/O|timing out command|FAILED Result|device offlined|Medium Error|Hardware Error|Aborted Command|Illegal Request|hostbyte=|end_request'

# sd logs this when it removes the disk of a LUN that was deleted on the
# target (and ignores the error by design): not an I/O error.
# shellcheck disable=SC2034
SYNC_GONE_RE='Synchronize Cache\(10\) failed: Result: hostbyte=DID_NO_CONNECT'

# check_no_io_errors MARK [WHAT [IGNORE_ERE]]: no I/O error line in dmesg
# since MARK (lines matching IGNORE_ERE excepted).
check_no_io_errors() {
	local bad
	bad=$(dmesg_since "$1" | grep -E -- "$IO_ERROR_RE" | grep -Ev -- "${3:-^\$}" || true)
	if [ -n "$bad" ]; then
		head -n 30 <<<"$bad" >&2
		fail "${2:-I/O} produced I/O errors in the kernel log (above)"
	fi
}

# ---------------------------------------------------------------------------
# sysfs management

# scst_mgmt FILE CMD...: write CMD to a mgmt file.  A write that fails with
# EAGAIN was queued (async protocol, reference §2.7): poll
# last_sysfs_mgmt_res until the result is known.  Returns 0 on success;
# on failure prints the error and returns 1.
scst_mgmt() {
	local f=$1 err res i
	shift
	if err=$( { mgmt "$f" "$@"; } 2>&1 ); then
		return 0
	fi
	if [[ $err == *"Resource temporarily unavailable"* ]]; then
		for ((i = 0; i < 300; i++)); do
			if { read -r res <"$S/last_sysfs_mgmt_res"; } 2>/dev/null; then
				[ "$res" = 0 ] && return 0
				echo "scst_mgmt: '$*' >$f: result $res" >&2
				return 1
			fi
			nap 1
		done
	fi
	echo "scst_mgmt: '$*' >$f: ${err##*: }" >&2
	return 1
}

# smgmt FILE CMD...: scst_mgmt that fails the test on error.
smgmt() {
	scst_mgmt "$@" || fail "mgmt command rejected: echo '${*:2}' >$1"
}

# scst_add_dev HANDLER NAME [PARAMS]: add_device and verify the device
# directory and its handler link.
scst_add_dev() {
	local h=$1 name=$2 params=${3:-}
	smgmt "$S/handlers/$h/mgmt" "add_device $name${params:+ $params}"
	[ -d "$S/devices/$name" ] || fail "device $name: no $S/devices/$name after add_device"
	check_eq "$(link_name "$S/devices/$name/handler")" "$h" "handler link of device $name"
	[ -e "$S/handlers/$h/$name" ] || fail "no $S/handlers/$h/$name link"
	TLIB_DEVS+=("$name")
}

# scst_del_dev NAME
scst_del_dev() {
	local name=$1 h
	h=$(link_name "$S/devices/$name/handler") || fail "device $name has no handler link"
	smgmt "$S/handlers/$h/mgmt" "del_device $name"
	[ ! -e "$S/devices/$name" ] || fail "device $name still exists after del_device"
	_tlib_forget TLIB_DEVS "$name"
}

# scst_add_local_target NAME: add a scst_local target and enable it if the
# driver has an "enabled" attribute.
scst_add_local_target() {
	local t=$1
	smgmt "$LOCAL/mgmt" "add_target $t"
	[ -d "$LOCAL/$t" ] || fail "target $t: no $LOCAL/$t after add_target"
	[ -d "$LOCAL/$t/luns" ] || fail "target $t has no luns/ directory"
	[ -d "$LOCAL/$t/sessions" ] || fail "target $t has no sessions/ directory"
	[ -d "$LOCAL/$t/ini_groups" ] || fail "target $t has no ini_groups/ directory"
	if [ -e "$LOCAL/$t/enabled" ] && [ "$(first_line "$LOCAL/$t/enabled")" != 1 ]; then
		smgmt "$LOCAL/$t/enabled" 1
	fi
	TLIB_TGTS+=("$t")
}

# scst_del_local_target NAME
scst_del_local_target() {
	smgmt "$LOCAL/mgmt" "del_target $1"
	[ ! -e "$LOCAL/$1" ] || fail "target $1 still exists after del_target"
	_tlib_forget TLIB_TGTS "$1"
}

# _luns_dir TGT [GROUP]
_luns_dir() {
	if [ -n "${2:-}" ]; then
		echo "$LOCAL/$1/ini_groups/$2/luns"
	else
		echo "$LOCAL/$1/luns"
	fi
}

# scst_add_lun TGT LUN DEV [read_only]: add DEV as LUN to the target's
# default LUN set.  GROUP=g scst_add_lun ... adds to ini group g instead.
scst_add_lun() {
	local t=$1 lun=$2 dev=$3 ro=${4:-} dir cmd
	dir=$(_luns_dir "$t" "${GROUP:-}")
	cmd="add $dev $lun"
	case $ro in
	"" | 0 | rw) ro=0 ;;
	read_only | ro | 1) ro=1; cmd+=" read_only=1" ;;
	*) fail "scst_add_lun: bad read_only argument '$ro'" ;;
	esac
	smgmt "$dir/mgmt" "$cmd"
	[ -d "$dir/$lun" ] || fail "LUN $lun: no $dir/$lun after '$cmd'"
	check_eq "$(link_name "$dir/$lun/device")" "$dev" "device link of $dir/$lun"
	attr_is "$dir/$lun/read_only" "$ro" "read_only of $dir/$lun"
}

# scst_del_lun TGT LUN   (GROUP=g for an ini group)
scst_del_lun() {
	local dir
	dir=$(_luns_dir "$1" "${GROUP:-}")
	smgmt "$dir/mgmt" "del $2"
	[ ! -e "$dir/$2" ] || fail "LUN $2 still exists in $dir after del"
}

# scst_add_group TGT GROUP [INITIATOR_PATTERN...]
scst_add_group() {
	local t=$1 g=$2 p
	shift 2
	smgmt "$LOCAL/$t/ini_groups/mgmt" "create $g"
	[ -d "$LOCAL/$t/ini_groups/$g/luns" ] || fail "group $g: no luns/ after create"
	[ -d "$LOCAL/$t/ini_groups/$g/initiators" ] || fail "group $g: no initiators/ after create"
	TLIB_GROUPS+=("$t/$g")
	for p in "$@"; do
		scst_add_initiator "$t" "$g" "$p"
	done
}

# scst_add_initiator TGT GROUP NAME_OR_PATTERN
scst_add_initiator() {
	local d=$LOCAL/$1/ini_groups/$2/initiators
	smgmt "$d/mgmt" "add $3"
	[ -e "$d/$3" ] || fail "initiator '$3': no file $d/$3 after add"
}

# scst_del_group TGT GROUP
scst_del_group() {
	smgmt "$LOCAL/$1/ini_groups/mgmt" "del $2"
	[ ! -e "$LOCAL/$1/ini_groups/$2" ] || fail "group $2 still exists after del"
	_tlib_forget TLIB_GROUPS "$1/$2"
}

# _scst_local_hosts: numbers of the SCSI hosts of scst_local.
_scst_local_hosts() {
	local h p
	for h in /sys/class/scsi_host/host*; do
		{ read -r p <"$h/proc_name"; } 2>/dev/null || continue
		[ "$p" = scst_local ] && echo "${h##*/host}"
	done
	return 0
}

# scst_add_session TGT SESS: add a session (a SCSI host of this kernel),
# find its host number and wait until the host's initial scan is done.
scst_add_session() {
	local t=$1 s=$2 before h='' new p
	before=" $(_scst_local_hosts | tr '\n' ' ') "
	smgmt "$LOCAL/mgmt" "add_session $t $s"
	[ -d "$LOCAL/$t/sessions/$s" ] || fail "session $s: no $LOCAL/$t/sessions/$s after add_session"
	if [ -L "$LOCAL/$t/sessions/$s/host" ]; then
		h=$(link_name "$LOCAL/$t/sessions/$s/host")
		h=${h#host}
	else
		for new in $(_scst_local_hosts); do
			[[ $before == *" $new "* ]] || h=$new
		done
	fi
	[[ $h =~ ^[0-9]+$ ]] || fail "session $t/$s: cannot find its SCSI host"
	read -r p <"/sys/class/scsi_host/host$h/proc_name"
	[ "$p" = scst_local ] || fail "session $t/$s: host$h is not a scst_local host"
	TLIB_HOST[$t/$s]=$h
	TLIB_SESS+=("$t/$s")
	scan_settle "$h"
}

# scst_del_session TGT SESS: the session and its SCSI host must go away.
scst_del_session() {
	local t=$1 s=$2 h
	h=$(sess_host "$t" "$s")
	smgmt "$LOCAL/mgmt" "del_session $t $s"
	[ ! -e "$LOCAL/$t/sessions/$s" ] || fail "session $s still exists after del_session"
	wait_until 30 _host_gone "$h" || fail "SCSI host$h of session $t/$s still exists after del_session"
	_tlib_forget TLIB_SESS "$t/$s"
}

_host_gone() {
	[ ! -e "/sys/class/scsi_host/host$1" ]
}

# sess_host TGT SESS: the SCSI host number of a session.
sess_host() {
	[ -n "${TLIB_HOST[$1/$2]:-}" ] || fail "sess_host: unknown session $1/$2"
	echo "${TLIB_HOST[$1/$2]}"
}

# scan_settle HOST: wait (max 60 s) until the set of the host's SCSI
# devices and disks has not changed for 2 s (the midlayer does not show
# whether a scan is running).
scan_settle() {
	local h=$1 prev cur n=0 end=$((SECONDS + 60))
	prev=$(_host_state "$h")
	while [ $SECONDS -lt $end ]; do
		nap 0.5
		cur=$(_host_state "$h")
		if [ "$cur" = "$prev" ]; then
			n=$((n + 1))
			[ $n -ge 4 ] && return 0
		else
			n=0
			prev=$cur
		fi
	done
	return 0
}

_host_state() {
	local d
	for d in /sys/bus/scsi/devices/"$1":* /sys/bus/scsi/devices/"$1":*/block/*; do
		[ -e "$d" ] && echo "$d"
	done
	return 0
}

# lun_sdev TGT SESS LUN: the H:C:T:L name of the SCSI device of that LUN
# of the session (empty if there is none).
lun_sdev() {
	local d
	for d in /sys/bus/scsi/devices/"${TLIB_HOST[$1/$2]:?unknown session $1/$2}":*:*:"$3"; do
		[ -e "$d" ] && { echo "${d##*/}"; return 0; }
	done
	return 0
}

# disk_for_lun TGT SESS LUN: /dev/sdX of that LUN of the session (empty if
# there is no disk yet).
disk_for_lun() {
	local b
	for b in /sys/bus/scsi/devices/"${TLIB_HOST[$1/$2]:?unknown session $1/$2}":*:*:"$3"/block/*; do
		[ -e "$b" ] && [ -b "/dev/${b##*/}" ] && { echo "/dev/${b##*/}"; return 0; }
	done
	return 0
}

# sg_for_lun TGT SESS LUN: /dev/sgN of that LUN (empty if none).
sg_for_lun() {
	local g
	for g in /sys/bus/scsi/devices/"${TLIB_HOST[$1/$2]:?unknown session $1/$2}":*:*:"$3"/scsi_generic/*; do
		[ -e "$g" ] && [ -c "/dev/${g##*/}" ] && { echo "/dev/${g##*/}"; return 0; }
	done
	return 0
}

# sg_of_disk /dev/sdX: the sg node of a disk.
sg_of_disk() {
	local g
	for g in /sys/block/"${1#/dev/}"/device/scsi_generic/*; do
		[ -e "$g" ] && { echo "/dev/${g##*/}"; return 0; }
	done
	fail "no sg node for $1"
}

_has_disk() {
	local h=${TLIB_HOST[$1/$2]} b g
	for b in /sys/bus/scsi/devices/"$h":*:*:"$3"/block/*; do
		[ -b "/dev/${b##*/}" ] || continue
		for g in /sys/bus/scsi/devices/"$h":*:*:"$3"/scsi_generic/*; do
			[ -c "/dev/${g##*/}" ] && return 0
		done
	done
	return 1
}

_no_sdev() {
	local d
	for d in /sys/bus/scsi/devices/"${TLIB_HOST[$1/$2]}":*:*:"$3"; do
		[ -e "$d" ] && return 1
	done
	return 0
}

# wait_lun_disk TGT SESS LUN [TIMEOUT]: wait for the disk of the LUN and
# print /dev/sdX.
wait_lun_disk() {
	[ -n "${TLIB_HOST[$1/$2]:-}" ] || fail "wait_lun_disk: unknown session $1/$2"
	wait_until "${4:-60}" _has_disk "$1" "$2" "$3" ||
		fail "no disk for LUN $3 of session $1/$2 (host${TLIB_HOST[$1/$2]}) after ${4:-60}s: $(lsscsi 2>&1 | tr '\n' ';')"
	disk_for_lun "$1" "$2" "$3"
}

# wait_lun_gone TGT SESS LUN [TIMEOUT]: wait until the SCSI device of the
# LUN is gone.
wait_lun_gone() {
	[ -n "${TLIB_HOST[$1/$2]:-}" ] || fail "wait_lun_gone: unknown session $1/$2"
	wait_until "${4:-60}" _no_sdev "$1" "$2" "$3" ||
		fail "SCSI device $(lun_sdev "$1" "$2" "$3") of LUN $3 of session $1/$2 still present after ${4:-60}s"
}

# sess_luns TGT SESS: LUN numbers of the session's SCSI devices, ascending.
sess_luns() {
	local d l luns=() out=
	for d in /sys/bus/scsi/devices/"${TLIB_HOST[$1/$2]:?unknown session $1/$2}":*; do
		[ -e "$d" ] && luns[${d##*:}]=1
	done
	for l in "${!luns[@]}"; do	# indexed arrays iterate in index order
		out+="${out:+ }$l"
	done
	echo "$out"
}

# disk_model /dev/sdX: the INQUIRY product id Linux saw (trailing blanks
# removed).
disk_model() {
	local m
	IFS= read -r m <"/sys/block/${1#/dev/}/device/model"
	rtrim "$m"
}

# disk_vendor /dev/sdX
disk_vendor() {
	local v
	IFS= read -r v <"/sys/block/${1#/dev/}/device/vendor"
	rtrim "$v"
}

# disk_for NAME [TGT SESS]: the one /dev/sdX of a scst_local host whose
# product id is NAME (vdisk's default product id is the device name);
# restricted to one session's host if given.  Fails unless exactly one.
disk_for() {
	local name=$1 hosts d sd h m found=()
	if [ $# -ge 3 ]; then
		hosts=$(sess_host "$2" "$3")
	else
		hosts=$(_scst_local_hosts)
	fi
	for h in $hosts; do
		for sd in /sys/bus/scsi/devices/"$h":*/block/*; do
			[ -e "$sd" ] || continue
			IFS= read -r m <"${sd%/block/*}/model"
			[ "$(rtrim "$m")" = "$name" ] && found+=("/dev/${sd##*/}")
		done
	done
	[ ${#found[@]} -eq 1 ] ||
		fail "disk_for $*: ${#found[@]} disks with product id '$name' (${found[*]:-none})"
	echo "${found[0]}"
}

# sess_models TGT SESS: "LUN:product" of each disk of the session.
sess_models() {
	local l d out=
	for l in $(sess_luns "$1" "$2"); do
		d=$(disk_for_lun "$1" "$2" "$l")
		if [ -n "$d" ]; then
			out+="${out:+ }$l:$(disk_model "$d")"
		else
			out+="${out:+ }$l:(no disk)"
		fi
	done
	echo "$out"
}

# ---------------------------------------------------------------------------
# SCSI commands and their results

# parse_sense TEXT: from sg3_utils output, the sense of the first "Raw
# sense data" dump as "K ASC ASCQ" (hex, lower case, K one digit), or
# "none".  Needs the tool's verbose raw dump (sg_raw -v, sg_turs -vv ...).
parse_sense() {
	local line grab=0 b=() w rc
	while IFS= read -r line; do
		if [[ $line == *"Raw sense data"* ]]; then
			grab=1
			continue
		fi
		[ $grab = 1 ] || continue
		if [[ $line =~ ^[[:space:]]*([0-9a-fA-F]{2}[[:space:]]*)+$ ]]; then
			for w in $line; do b+=("${w,,}"); done
		else
			break
		fi
	done <<<"$1"
	if [ ${#b[@]} -lt 4 ]; then
		echo none
		return 0
	fi
	rc=$((16#${b[0]} & 127))
	case $rc in
	112 | 113)	# fixed format 70h/71h
		if [ ${#b[@]} -lt 14 ]; then echo none; return 0; fi
		printf '%x %s %s\n' $((16#${b[2]} & 15)) "${b[12]}" "${b[13]}" ;;
	114 | 115)	# descriptor format 72h/73h
		printf '%x %s %s\n' $((16#${b[1]} & 15)) "${b[2]}" "${b[3]}" ;;
	*) echo none ;;
	esac
}

# sense_of CMD...: run an sg3_utils command (with the verbose option that
# makes it dump raw sense) and print its sense as "K ASC ASCQ" or "none".
sense_of() {
	local out
	out=$("$@" 2>&1) || true
	parse_sense "$out"
}

# scsi_cmd SGDEV CDB_BYTES...: non-data command.  Sets SCSI_STATUS to
# "good", "cc" (CHECK CONDITION) or the status text, SCSI_SENSE to
# "K ASC ASCQ" or "none", SCSI_OUT to the sg_raw output.
scsi_cmd() {
	local dev=$1
	shift
	_scsi_run sg_raw -v "$dev" "$@"
}

# scsi_in SGDEV LEN OUTFILE CDB_BYTES...: data-in command, data to OUTFILE.
scsi_in() {
	local dev=$1 len=$2 out=$3
	shift 3
	: >"$out"
	_scsi_run sg_raw -v -r "$len" -o "$out" "$dev" "$@"
}

# scsi_out SGDEV LEN INFILE CDB_BYTES...: data-out command.
scsi_out() {
	local dev=$1 len=$2 in=$3
	shift 3
	_scsi_run sg_raw -v -s "$len" -i "$in" "$dev" "$@"
}

_scsi_run() {
	local st
	SCSI_OUT=$("$@" 2>&1) || true
	st=
	if [[ $SCSI_OUT =~ SCSI\ Status:\ *([A-Za-z][A-Za-z ]*[A-Za-z]) ]]; then
		st=${BASH_REMATCH[1]}
	fi
	case $st in
	Good) SCSI_STATUS=good ;;
	"Check Condition") SCSI_STATUS=cc ;;
	"") SCSI_STATUS="no status (${SCSI_OUT//$'\n'/ })" ;;
	*) SCSI_STATUS=$st ;;
	esac
	SCSI_SENSE=$(parse_sense "$SCSI_OUT")
}

# expect_good WHAT: the last scsi_cmd/scsi_in/scsi_out returned GOOD.
expect_good() {
	[ "$SCSI_STATUS" = good ] ||
		fail "$1: status $SCSI_STATUS, sense $SCSI_SENSE; sg_raw said: ${SCSI_OUT//$'\n'/ }"
}

# expect_sense WHAT "K ASC ASCQ": the last command returned CHECK
# CONDITION with exactly that sense.
expect_sense() {
	[ "$SCSI_STATUS" = cc ] ||
		fail "$1: expected CHECK CONDITION with sense $2, got status $SCSI_STATUS"
	[ "$SCSI_SENSE" = "$2" ] ||
		fail "$1: expected sense $2, got $SCSI_SENSE; sg_raw said: ${SCSI_OUT//$'\n'/ }"
}

# tur_until_good SGDEV [MAX]: TEST UNIT READY until GOOD (consumes pending
# unit attentions); prints the senses seen.  Fails if never GOOD.
tur_until_good() {
	local i seen=()
	for ((i = 0; i < ${2:-8}; i++)); do
		scsi_cmd "$1" 00 00 00 00 00 00
		if [ "$SCSI_STATUS" = good ]; then
			echo "${seen[*]:-}"
			return 0
		fi
		seen+=("[$SCSI_STATUS $SCSI_SENSE]")
	done
	fail "TEST UNIT READY on $1 never returned GOOD: ${seen[*]}"
}

# load_bytes FILE: the bytes of FILE as two-digit hex strings in B[], the
# count in NB.  Pure bash (read handles NUL as an empty delimited read).
load_bytes() {
	local c i=0 LC_ALL=C
	B=()
	while IFS= read -r -n1 -d '' c; do
		if [ -z "$c" ]; then
			B[i]=00
		else
			printf -v 'B[i]' '%02x' "'$c"
		fi
		i=$((i + 1))
	done <"$1"
	NB=$i
}

# be OFFSET LEN: big-endian number from B[] (decimal).
be() {
	local i v=0
	for ((i = $1; i < $1 + $2; i++)); do
		[ "$i" -lt "$NB" ] || fail "be: offset $i beyond data of $NB bytes"
		v=$((v * 256 + 16#${B[$i]}))
	done
	echo "$v"
}

# str OFFSET LEN: the bytes of B[] as a string (NULs dropped).
str() {
	local i s='' c
	for ((i = $1; i < $1 + $2 && i < NB; i++)); do
		[ "${B[$i]}" = 00 ] && continue
		# shellcheck disable=SC2059
		printf -v c "\\x${B[$i]}"
		s+=$c
	done
	printf '%s\n' "$s"
}

# ---------------------------------------------------------------------------
# fio

# run_fio WHAT JSONFILE FIO_ARGS...: run fio (JSON output to JSONFILE),
# fail on a nonzero exit status or a nonzero job error.  Prints
# "read_bytes write_bytes" summed over the jobs.
run_fio() {
	local what=$1 json=$2 rc
	shift 2
	rc=0
	fio --output-format=json --output="$json" "$@" >"$json.log" 2>&1 || rc=$?
	fio_result "$what" "$json" "$rc"
}

# fio_result WHAT JSONFILE RC: check a finished fio run (RC = its exit
# status); prints "read_bytes write_bytes".
fio_result() {
	local what=$1 json=$2 rc=$3 res log err rb wb
	log=$(<"$json.log")
	if [ "$rc" -ne 0 ]; then
		echo "$log" >&2
		fail "$what: fio exit status $rc"
	fi
	if [[ $log =~ (verify:|fio: |err=) ]]; then
		echo "$log" >&2
		fail "$what: fio reported errors (above)"
	fi
	res=$(python3 - "$json" <<-'EOF'
	import json, sys
	j = json.load(open(sys.argv[1]))
	errs = [jb["error"] for jb in j["jobs"]]
	r = sum(jb["read"]["io_bytes"] for jb in j["jobs"])
	w = sum(jb["write"]["io_bytes"] for jb in j["jobs"])
	print(max(errs), r, w)
	EOF
	) || fail "$what: cannot parse fio output $json"
	read -r err rb wb <<<"$res"
	[ "$err" = 0 ] || fail "$what: fio job error $err (err=$err)"
	echo "$rb $wb"
}

# ---------------------------------------------------------------------------
# Setup and teardown

# scst_test_init: load the modules (no default scst_local target) and the
# SCSI upper level drivers.
scst_test_init() {
	local h
	modprobe -q sd_mod || true
	modprobe -q sg || true
	# Deterministic scanning: scsi_scan_host() finishes inside add_session.
	printf sync >/sys/module/scsi_mod/parameters/scan ||
		fail "cannot set scsi_mod scan=sync"
	# shellcheck disable=SC2119
	LOCAL_PARAMS="${LOCAL_PARAMS:-add_default_tgt=0}" load_scst
	[ -d "$S" ] || fail "$S missing after loading the modules"
	[ -d "$LOCAL" ] || fail "$LOCAL missing after loading scst_local"
	for h in vdisk_fileio vdisk_blockio vdisk_nullio; do
		[ -e "$S/handlers/$h/mgmt" ] || fail "handler $h missing after loading scst_vdisk"
	done
	trap _tlib_on_exit EXIT
}

# On a failed exit, dump state useful for the bug report.
_tlib_on_exit() {
	local rc=$?
	[ $rc -eq 0 ] && return 0
	{
		echo "---- state at failure (exit $rc) ----"
		lsscsi -g 2>&1
		if [ -d "$S" ]; then
			find "$S/targets/scst_local" -maxdepth 5 \( -name luns -o -name initiators \
				-o -name sessions -o -path '*/luns/*' -o -path '*/sessions/*' \) 2>/dev/null | head -n 80
		fi
		echo "---- last kernel messages ----"
		dmesg | tail -n 40
	} >&2
	return $rc
}

_tlib_forget() {
	local -n arr=$1
	local i
	for i in "${!arr[@]}"; do
		[ "${arr[$i]}" = "$2" ] && unset 'arr[i]'
	done
	arr=("${arr[@]}")
}

# scst_teardown: delete every session, group, target and device that the
# scst_add_* helpers created (each deletion verified), then unload the
# modules; the SCST sysfs tree must be gone afterwards.
scst_teardown() {
	local i x e
	for ((i = ${#TLIB_SESS[@]} - 1; i >= 0; i--)); do
		x=${TLIB_SESS[$i]}
		scst_del_session "${x%%/*}" "${x#*/}"
	done
	for ((i = ${#TLIB_GROUPS[@]} - 1; i >= 0; i--)); do
		x=${TLIB_GROUPS[$i]}
		smgmt "$LOCAL/${x%%/*}/ini_groups/${x#*/}/luns/mgmt" clear
		scst_del_group "${x%%/*}" "${x#*/}"
	done
	for ((i = ${#TLIB_TGTS[@]} - 1; i >= 0; i--)); do
		x=${TLIB_TGTS[$i]}
		smgmt "$LOCAL/$x/luns/mgmt" clear
		scst_del_local_target "$x"
	done
	for ((i = ${#TLIB_DEVS[@]} - 1; i >= 0; i--)); do
		x=${TLIB_DEVS[$i]}
		for e in "$S/devices/$x/exported"/*; do
			[ -e "$e" ] && fail "device $x still exported after all targets were deleted: $e"
		done
		scst_del_dev "$x"
	done
	[ -z "$(_scst_local_hosts)" ] || fail "scst_local SCSI hosts left: $(_scst_local_hosts | tr '\n' ' ')"
	unload_scst
	[ ! -e "$S" ] || fail "$S still exists after unloading"
	trap - EXIT
}
