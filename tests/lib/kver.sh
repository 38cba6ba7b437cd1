#!/bin/bash
# Print the kernel release (e.g. 6.1.0-NN-amd64) of the Debian kernel that
# the installed linux-image-amd64 metapackage points at.  The version is
# derived from the metapackage's Depends field, never hard-coded.
set -euo pipefail

deps=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null) || {
	echo "kver.sh: linux-image-amd64 is not installed" >&2
	exit 1
}

# Depends looks like "linux-image-6.1.0-56-amd64 (= 6.1.192-2)"; it may
# list alternatives or several packages, so pick the first linux-image-*.
kver=$(printf '%s\n' "$deps" | tr ',|' '\n' | sed -e 's/^ *//' -e 's/ .*//' |
	sed -n 's/^linux-image-\(.*\)$/\1/p' | grep -v -e '-unsigned$' | head -n1)

if [ -z "$kver" ]; then
	echo "kver.sh: cannot derive kernel release from '$deps'" >&2
	exit 1
fi
printf '%s\n' "$kver"
