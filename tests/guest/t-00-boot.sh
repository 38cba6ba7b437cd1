#!/bin/bash
# Smoke test of the guest rig: kernel, 9p root, writable overlay, stock
# modules (loop, brd) and the SCSI tools.
. "$TOP/tests/lib/guest-helpers.sh"

info "kernel $(uname -r), cwd $(pwd)"
check_eq "$(uname -r)" "$KVER" "guest kernel release"
check_eq "$(pwd)" "$TOP" "cwd"

grep -qw 9p /proc/filesystems || fail "no 9p in /proc/filesystems"
grep -qw configfs /proc/filesystems || fail "no configfs"
mountpoint -q /sys/kernel/config || fail "configfs not mounted"
mountpoint -q /results || fail "/results not mounted"

# tmpfs and the overlay are writable
check sh -c 'echo tmpfs-ok >/tmp/x && [ "$(cat /tmp/x)" = tmpfs-ok ]'
check sh -c 'echo overlay-ok >/etc/guest-test && [ "$(cat /etc/guest-test)" = overlay-ok ]'
check sh -c 'echo top-ok >"$TOP/.guest-write-test" && rm "$TOP/.guest-write-test"'

check modprobe loop
check modprobe brd rd_nr=1 rd_size=65536
for _ in $(seq 20); do [ -b /dev/ram0 ] && break; sleep 0.1; done
[ -b /dev/ram0 ] || fail "/dev/ram0 did not appear"
check dd if=/dev/zero of=/dev/ram0 bs=1M count=4 status=none
check mkfs.ext4 -q -F /dev/ram0
check mkdir -p /mnt/ram
check mount /dev/ram0 /mnt/ram
check sh -c 'echo data >/mnt/ram/f && sync'
check umount /mnt/ram
check rmmod brd

# SCSI stack + helpers: a scsi_debug disk must show up as /dev/sdX.
# No udev in the guest: nothing autoloads modules by modalias, so load
# sd_mod and sg explicitly (load_scst does the same).
check modprobe sd_mod
check modprobe sg
check modprobe scsi_debug dev_size_mb=16
udev_settle
disk=$(wait_for_disk 'scsi_debug' 60) || fail "scsi_debug disk did not appear"
info "scsi_debug disk is $disk"
lsscsi || fail "lsscsi failed"
check sg_inq "$disk"
check dd if="$disk" of=/dev/null bs=64k count=16 status=none
check rmmod scsi_debug
info "t-00-boot done"
exit 0
