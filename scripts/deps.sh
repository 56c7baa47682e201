#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install the Debian packages tcpe needs, only those that are missing.
# Silent when nothing is missing; otherwise prints one line naming what it
# installs, runs `apt-get update` once and installs without recommends.
# Works as root, or through sudo when it is available.
set -euo pipefail

PKGS=(
	build-essential pkg-config meson ninja-build
	libdpdk-dev dpdk-dev libnuma-dev libcmocka-dev
	clang libclang-rt-14-dev
	python3 python3-scapy
	iproute2 iputils-ping ethtool curl wrk apache2-utils tcpdump
)

missing=()
for p in "${PKGS[@]}"; do
	# "ii " = desired install, currently installed, no error.
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	if [[ "$st" != ii* ]]; then
		missing+=("$p")
	fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	echo "deps.sh: missing packages (${missing[*]}) and not root, no sudo" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { "${SUDO[@]}" apt-get update -q &&
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
	cat "$log" >&2
	echo "deps.sh: apt-get failed" >&2
	exit 1
fi
