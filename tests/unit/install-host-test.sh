#!/bin/bash
# make install / make uninstall into a scratch DESTDIR on the host: every
# installed piece lands where the units and scstadmin expect it, the units
# name the installed programs, the installed scstadmin runs from there, and
# uninstall leaves nothing of ours behind (depmod's index files may stay).
# Also checks that dkms.conf names every module the build produces.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
kver=$(tests/lib/kver.sh) || exit 1
kdir=/usr/src/linux-headers-$kver
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
npass=0
nfail=0
ok() { npass=$((npass + 1)); }
bad() { echo "FAIL: $*"; nfail=$((nfail + 1)); }
expect() { if "$@"; then ok; else bad "$*"; fi; }

if ! make -s install DESTDIR="$dest" KDIR="$kdir" >"$dest.log" 2>&1; then
	tail -20 "$dest.log"
	bad "make install DESTDIR=$dest failed"
fi
rm -f "$dest.log"

mods=$dest/lib/modules/$kver/extra
for f in "$mods/scst.ko" "$mods/scst_local.ko" \
	 "$mods/dev_handlers/scst_vdisk.ko" "$mods/iscsi-scst.ko" \
	 "$dest/usr/local/sbin/iscsi-scstd" "$dest/usr/local/sbin/scstadmin" \
	 "$dest/usr/local/share/man/man8/scstadmin.8" \
	 "$dest/usr/local/share/man/man5/scst.conf.5" \
	 "$dest/usr/local/share/doc/scst/scst.conf.example"; do
	expect test -s "$f"
done
expect test -x "$dest/usr/local/sbin/iscsi-scstd"
expect test -x "$dest/usr/local/sbin/scstadmin"

# The units exist, have no placeholder left, and name installed programs.
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
unitdir=${unitdir:-/lib/systemd/system}
for u in scst.service iscsi-scstd.service; do
	f=$dest$unitdir/$u
	expect test -s "$f"
	expect test "$(grep -c '@[A-Z]*@' "$f" 2>/dev/null)" = 0
	while read -r prog; do
		case $prog in
		/usr/local/sbin/*) expect test -x "$dest$prog" ;;
		esac
	done < <(grep -o '/usr/local/sbin/[a-z-]*' "$f" 2>/dev/null | sort -u)
done
expect grep -q '^ExecStart=/usr/local/sbin/iscsi-scstd' \
	"$dest$unitdir/iscsi-scstd.service"

# The installed scstadmin runs with the installed library (no tree paths).
perllib=$(find "$dest" -name ConfParser.pm -path '*/SCST/*' | head -n 1)
if [ -n "$perllib" ]; then
	lib=$(dirname "$(dirname "$perllib")")
	out=$(cd / && PERL5LIB=$lib perl "$dest/usr/local/sbin/scstadmin" \
		-check_config "$dest/usr/local/share/doc/scst/scst.conf.example" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || ! grep -q "syntax OK" <<<"$out"; then
		bad "installed scstadmin -check_config of the example: $out"
	else
		ok
	fi
else
	bad "SCST/ConfParser.pm not installed"
fi

if ! make -s uninstall DESTDIR="$dest" KDIR="$kdir" >/dev/null 2>&1; then
	bad "make uninstall failed"
fi
left=$(cd "$dest" && find . \( -type f -o -type l \) ! -name 'modules.*' | sort)
expect test -z "$left"
[ -z "$left" ] || echo "left behind: $left"

# dkms.conf: every module the build makes, at its built location.
for ko in scst/src/scst.ko scst/src/scst_local.ko \
	  scst/src/dev_handlers/scst_vdisk.ko iscsi-scst/kernel/iscsi-scst.ko; do
	name=$(basename "$ko" .ko)
	loc=$(dirname "$ko")/
	n=$(grep -E "^BUILT_MODULE_NAME\[([0-9]+)\]=\"$name\"" dkms.conf |
	    sed -E 's/^BUILT_MODULE_NAME\[([0-9]+)\].*/\1/')
	if [ -z "$n" ]; then
		bad "dkms.conf does not build $name"
		continue
	fi
	expect grep -qx "BUILT_MODULE_LOCATION\[$n\]=\"$loc\"" dkms.conf
done
ver=$(sed -n 's/^#define SCST_VERSION_STRING[[:space:]]*"\(.*\)".*/\1/p' scst/include/scst*.h | head -n 1)
expect grep -qx "PACKAGE_VERSION=\"$ver\"" dkms.conf

echo "install-host-test: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
