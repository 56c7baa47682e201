#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The benchmark's own Debian packages, beyond the project's
# (scripts/deps.sh): nginx for the kernel baseline, valgrind for the
# instruction counts, dpdk-dev's dpdk-testpmd for the packet-rate limit.
# Installs only what is missing; silent when nothing is.
set -euo pipefail

PKGS=(nginx-light wrk valgrind dpdk-dev python3 util-linux iproute2)
missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	# Any nginx flavour serves the baseline.
	if [[ $p == nginx-light ]] && command -v nginx >/dev/null 2>&1; then
		continue
	fi
	[[ "$st" == ii* ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1; then
	SUDO=(sudo)
else
	echo "bench/deps.sh: missing ${missing[*]}, not root, no sudo" >&2
	exit 1
fi
echo "bench/deps.sh: installing ${missing[*]}"
"${SUDO[@]}" apt-get update -q >/dev/null
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "${missing[@]}" >/dev/null
