#!/bin/bash
# run-guest: reboot-systemd
#
# A target that survives a reboot: scst.service, /etc/scst.conf, scstadmin.
#
# The line above makes run-guest.sh run this script in two boots of one
# guest whose root overlay persists on a disk image (GUEST_BOOT=1, 2):
#   boot 1 (busybox init): install the modules, iscsi-scstd, scstadmin and
#     the systemd units from the build tree (the units with "make
#     install-init", scstadmin with its own "make install"); write
#     /etc/scst.conf (iSCSI target, LUNs, an initiator group, CHAP
#     IncomingUser, non-default attributes); apply it once by hand to record
#     what -write_config gives for it, clear and unload again;
#     "systemctl enable scst.service".
#   boot 2 (systemd as init): scst.service and iscsi-scstd.service came up
#     by themselves; -write_config equals the record of boot 1; CHAP user,
#     group and attributes are there; open-iscsi logs in with CHAP and
#     does verified I/O; "systemctl restart iscsi-scstd" keeps the session;
#     "systemctl stop scst.service" ends the session, removes everything
#     and unloads every module; a start with a broken /etc/scst.conf shows
#     as failed in systemctl.
set -euo pipefail
. "$TOP/tests/lib/iscsi-helpers.sh"

SA=/usr/local/sbin/scstadmin
REC=/var/lib/scst-test		# on the persistent overlay
IMG=/var/lib/scst/t71disk.img
IQN=$IQN_BASE:t71
CHAP_USER=t71user
CHAP_SECRET=t71-secret-4321
PORTAL=127.0.0.1
OUR_MODS="iscsi_scst scst_local scst_vdisk scst"
W=/tmp/t71
mkdir -p "$W"

# sa ARGS...: scstadmin (installed copy); fails the test on error.
sa() {
	"$SA" "$@" >"$W/sa.out" 2>&1 || {
		cat "$W/sa.out" >&2
		fail "scstadmin $* failed"
	}
}

# no_modules: none of our modules is loaded.
no_modules() {
	local m
	for m in $OUR_MODS; do
		! grep -q "^$m " /proc/modules || fail "module $m still loaded"
	done
	[ ! -e "$S" ] || fail "$S still exists"
}

# unit_is UNIT STATE: systemctl is-active UNIT prints STATE.
unit_is() {
	[ "$(systemctl is-active "$1" 2>/dev/null)" = "$2" ]
}

phase1() {
	local x=/lib/modules/$KVER/extra f

	step "boot 1: install from the build tree"
	for f in scst/src/scst.ko scst/src/scst_local.ko \
		scst/src/dev_handlers/scst_vdisk.ko iscsi-scst/kernel/iscsi-scst.ko \
		iscsi-scst/usr/iscsi-scstd; do
		[ -f "$TOP/$f" ] || fail "not built: $f"
	done
	check install -D -m 0644 scst/src/scst.ko "$x/scst.ko"
	check install -D -m 0644 scst/src/scst_local.ko "$x/scst_local.ko"
	check install -D -m 0644 scst/src/dev_handlers/scst_vdisk.ko "$x/dev_handlers/scst_vdisk.ko"
	check install -D -m 0644 iscsi-scst/kernel/iscsi-scst.ko "$x/iscsi-scst.ko"
	check depmod -a "$KVER"
	info "depmod done"
	check install -D -m 0755 iscsi-scst/usr/iscsi-scstd /usr/local/sbin/iscsi-scstd
	make -s -C "$TOP/scstadmin" install >"$W/make.log" 2>&1 ||
		{ cat "$W/make.log" >&2; fail "make -C scstadmin install"; }
	info "scstadmin installed"
	make -s -C "$TOP" install-init >"$W/make.log" 2>&1 ||
		{ cat "$W/make.log" >&2; fail "make install-init"; }
	for f in /lib/systemd/system/scst.service /lib/systemd/system/iscsi-scstd.service \
		/usr/local/share/doc/scst/scst.conf.example "$SA"; do
		[ -f "$f" ] || fail "$f not installed"
	done
	grep -qF "$SA -config /etc/scst.conf" /lib/systemd/system/scst.service ||
		fail "scst.service does not name the installed scstadmin"
	[ ! -e /etc/scst.conf ] || fail "/etc/scst.conf exists before the test wrote it"

	step "boot 1: /etc/scst.conf"
	check mkdir -p /var/lib/scst "$REC"
	check truncate -s 64M "$IMG"
	cat >/etc/scst.conf <<-EOF
	# t-71: written by the test in boot 1
	HANDLER vdisk_fileio {
		DEVICE t71disk {
			filename $IMG
			t10_vend_id T71BOOT
		}
	}

	HANDLER vdisk_nullio {
		DEVICE t71null {
			size_mb 32
		}
	}

	TARGET_DRIVER iscsi {
		enabled 1

		TARGET $IQN {
			IncomingUser "$CHAP_USER $CHAP_SECRET"
			QueuedCommands 16
			enabled 1

			LUN 0 t71null

			GROUP g71 {
				LUN 0 t71disk
				LUN 1 t71null
				INITIATOR $INI_A
			}
		}
	}
	EOF

	step "boot 1: apply it once by hand (installed modules), record -write_config"
	check modprobe scst
	check modprobe scst_vdisk
	check modprobe iscsi-scst
	# the installed example (doc/scst.conf.example) is valid as well
	sa -check_config /usr/local/share/doc/scst/scst.conf.example
	sa -config /etc/scst.conf -noprompt
	sa -write_config "$REC/expected.conf"
	cat "$REC/expected.conf"
	for f in "IncomingUser \"$CHAP_USER $CHAP_SECRET\"" 'QueuedCommands 16' \
		'GROUP g71' "INITIATOR $INI_A" 't10_vend_id T71BOOT'; do
		grep -qF "$f" "$REC/expected.conf" || fail "-write_config has no '$f'"
	done
	sa -clear_config -force -noprompt
	check modprobe -r iscsi-scst scst_vdisk scst
	no_modules

	step "boot 1: systemctl enable scst.service"
	check systemctl enable scst.service
	[ -L /etc/systemd/system/multi-user.target.wants/scst.service ] ||
		fail "systemctl enable made no multi-user.target.wants link"
	info "boot 1 done; rebooting into systemd"
}

phase2() {
	local sid sid2 disk

	step "boot 2: systemd brought the target up"
	[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is $(cat /proc/1/comm), not systemd"
	wait_until 120 unit_is scst.service active ||
		fail "scst.service not active: $(systemctl status scst.service 2>&1 | tail -n 20)"
	wait_until 60 unit_is iscsi-scstd.service active ||
		fail "iscsi-scstd.service not active: $(systemctl status iscsi-scstd.service 2>&1 | tail -n 20)"
	wait_until 20 _listening root || fail "nothing listens on port $ISCSI_PORT"
	! grep -q '^scst_local ' /proc/modules ||
		fail "scst_local loaded although /etc/scst.conf does not use it"

	step "the configuration came back"
	sa -write_config "$W/now.conf"
	if ! diff -u "$REC/expected.conf" "$W/now.conf" >&2; then
		fail "-write_config after the reboot differs from boot 1 (above)"
	fi
	_scst_has_user "$ISYS/$IQN" IncomingUser "$CHAP_USER" ||
		fail "CHAP user $CHAP_USER missing on $IQN"
	[ -e "$ISYS/$IQN/ini_groups/g71/initiators/$INI_A" ] || fail "initiator $INI_A not in group g71"
	attr_is "$ISYS/$IQN/QueuedCommands" 16 "QueuedCommands of $IQN"
	attr_is "$S/devices/t71disk/t10_vend_id" T71BOOT "t10_vend_id of t71disk"
	attr_is "$ISYS/$IQN/enabled" 1 "enabled of $IQN"

	step "open-iscsi: CHAP login and I/O"
	iscsi_test_init
	iscsid_start
	iscsi_node_new "$IQN" "$PORTAL"
	iscsi_node_chap "$IQN" "$PORTAL" "" "$CHAP_USER" "$CHAP_SECRET"
	iscsi_login_ok "$IQN" "$PORTAL"
	sid=$(iscsi_sid "$IQN" "$PORTAL")
	disk=$(iscsi_disk "$IQN" "$PORTAL" 0)
	iscsi_disk "$IQN" "$PORTAL" 1 >/dev/null
	check_eq "$(iscsi_luns "$IQN" "$PORTAL")" "0 1" "LUNs of the group"
	check_eq "$(disk_mb "$disk")" 64 "size of LUN 0 (t71disk)"
	fio_verify t71 "$disk" 64k 8M

	step "systemctl restart iscsi-scstd keeps the session"
	timeout 60 systemctl restart iscsi-scstd.service || fail "restart of iscsi-scstd failed"
	unit_is iscsi-scstd.service active || fail "iscsi-scstd.service not active after restart"
	wait_until 20 _listening root || fail "nothing listens after the daemon restart"
	sid2=$(iscsi_sid "$IQN" "$PORTAL")
	check_eq "$sid2" "$sid" "session after the daemon restart"
	check dd if="$disk" of=/dev/null bs=1M count=8 iflag=direct status=none
	check_eq "$(iscsi_tgt_nsess "$IQN")" 1 "target sessions after the daemon restart"

	step "systemctl stop scst.service: sessions end, modules unload"
	# The initiator would keep reconnecting: log out first, then stop.
	iscsi_initiator_down
	timeout 120 systemctl stop scst.service || fail "systemctl stop scst.service failed"
	unit_is scst.service inactive ||
		fail "scst.service is $(systemctl is-active scst.service) after stop: $(systemctl status scst.service 2>&1 | tail -n 20)"
	unit_is iscsi-scstd.service inactive || fail "iscsi-scstd.service still $(systemctl is-active iscsi-scstd.service)"
	no_modules

	step "a broken /etc/scst.conf shows as a failed scst.service"
	check cp /etc/scst.conf "$W/good.conf"
	sed "s|$IMG|/var/lib/scst/no-such-file.img|" "$W/good.conf" >/etc/scst.conf
	if timeout 120 systemctl start scst.service; then
		fail "scst.service started with a broken /etc/scst.conf"
	fi
	unit_is scst.service failed || fail "scst.service is $(systemctl is-active scst.service), not failed"
	systemctl status scst.service >"$W/status.txt" 2>&1 || true
	grep -q scstadmin "$W/status.txt" || { cat "$W/status.txt" >&2; fail "systemctl status does not show the failing step"; }
	info "failed start as expected: $(grep -m1 'status=[1-9]' "$W/status.txt" || true)"
	# A failed start runs no ExecStop: clean up by hand.
	check cp "$W/good.conf" /etc/scst.conf
	sa -clear_config -force -noprompt
	check modprobe -r iscsi-scst scst_vdisk scst
	check systemctl reset-failed scst.service
	no_modules
	finish_test t-71-reboot
}

case ${GUEST_BOOT:-} in
1) phase1 ;;
2) phase2 ;;
*) fail "GUEST_BOOT is '${GUEST_BOOT:-}': run this test with run-guest.sh" ;;
esac
