#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The project's main job (README "The two commands"). Until the DPDK data
# plane lands, that is the core demo: two tcpe stacks in one process over
# a simulated wire (apps/demo/tcpe_demo.c).
#
#   ./scripts/run.sh [tcpe-demo options: --seed N --bytes N --quiet]
#
# Installs missing Debian packages, builds in build/, runs the demo and
# exits with its status.
set -euo pipefail

cd "$(dirname "$0")/.."

./scripts/deps.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [[ ! -f build/build.ninja ]] && ! meson setup build >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
if ! ninja -C build apps/demo/tcpe-demo >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
rm -f "$log"
trap - EXIT
exec ./build/apps/demo/tcpe-demo "$@"
