#!/bin/bash
# A target without LUN 0: the LUN is still discovered (REPORT LUNS works on
# LUN 0 with no LU behind it), REPORT LUNS lists exactly the mapped LUN,
# and D_SENSE=1 in the control mode page switches errors to descriptor sense.
. "$TOP/tests/lib/guest-helpers.sh"
S=$SCST_SYSFS
D=$S/targets/scst_local
LOCAL_PARAMS="add_default_tgt=0" load_scst
check mgmt "$S/handlers/vdisk_nullio/mgmt" "add_device n2 size_mb=16"
check mgmt "$D/mgmt" "add_target lt"
check mgmt "$D/lt/luns/mgmt" "add n2 2"
check mgmt "$D/mgmt" "add_session lt s"
h=$(basename "$(readlink -f "$D/lt/sessions/s/host")"); h=${h#host}
for _ in $(seq 1 60); do
	[ -e "/sys/bus/scsi/devices/$h:0:0:2/block" ] && break
	sleep 0.5
done
[ -e "/sys/bus/scsi/devices/$h:0:0:2/block" ] || { lsscsi; fail "LUN 2 not found without LUN 0"; }
[ -e "/sys/bus/scsi/devices/$h:0:0:0" ] && fail "LUN 0 device exists"
sg=/dev/$(ls "/sys/bus/scsi/devices/$h:0:0:2/scsi_generic/")

out=$(sg_luns "$sg") || fail "sg_luns failed"
echo "$out"
echo "$out" | grep -q '^ *0002000000000000' || fail "REPORT LUNS does not list LUN 2"
n=$(echo "$out" | grep -c '^ *[0-9a-f]\{16\}' || true)
check_eq "$n" 1 "REPORT LUNS entries"

info "fixed sense before D_SENSE"
out=$(sg_raw -r 64 "$sg" 28 00 ff ff ff ff 00 00 01 00 2>&1 || true)
echo "$out"
echo "$out" | grep -qi 'Fixed format' || fail "expected fixed-format sense"
echo "$out" | grep -qi 'Logical block address out of range' || fail "expected LBA OUT OF RANGE"

info "MODE SELECT(6) control page with D_SENSE=1 (read-modify-write)"
# MODE SENSE(6), DBD=1, control page: 4-byte header + 12-byte page.
check sg_raw -o /tmp/cur -r 16 "$sg" 1a 08 0a 00 10 00
python3 - <<'PY' || fail "cannot build MODE SELECT data"
d = bytearray(open("/tmp/cur", "rb").read())
assert len(d) == 16 and d[4] & 0x3f == 0x0a, d.hex()
d[0] = 0                  # mode data length is reserved in MODE SELECT
d[4] &= 0x3f              # PS bit is reserved in MODE SELECT
d[6] |= 0x04              # D_SENSE
open("/tmp/ms", "wb").write(bytes(d))
PY
check sg_raw -s 16 -i /tmp/ms "$sg" 15 10 00 00 10 00
check sg_raw -o /tmp/new -r 16 "$sg" 1a 08 0a 00 10 00
dsense=$(od -An -tu1 -j6 -N1 /tmp/new | tr -d ' ')
check_eq $((dsense & 4)) 4 "D_SENSE after MODE SELECT"

out=$(sg_raw -r 64 "$sg" 28 00 ff ff ff ff 00 00 01 00 2>&1 || true)
echo "$out"
echo "$out" | grep -qi 'Descriptor format' || fail "expected descriptor-format sense after D_SENSE=1"
echo "$out" | grep -qi 'Logical block address out of range' || fail "expected LBA OUT OF RANGE"

check mgmt "$D/mgmt" "del_target lt"
check mgmt "$S/handlers/vdisk_nullio/mgmt" "del_device n2"
unload_scst
info PASS
