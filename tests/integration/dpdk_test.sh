#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Run a DPDK test program, then remove its EAL runtime directory
# (/var/run/dpdk/PREFIX), which rte_eal_cleanup() leaves behind, even when
# the program failed or crashed.
#
# Usage: dpdk_test.sh PREFIX PROGRAM [ARGS...]
prefix=$1
shift
"$@"
rc=$?
rm -rf "/var/run/dpdk/$prefix" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/$prefix"
exit $rc
