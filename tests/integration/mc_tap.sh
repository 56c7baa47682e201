#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Several workers on net_tap against the kernel's clients (meson test
# 'mc-tap', suite 'integration'; issue 6).
#
#   tests/integration/mc_tap.sh [path/to/tcpe-httpd]
#
# tcpe-httpd runs with 2 workers on lcores 0-1 in its own namespace. The
# tap has no RSS: each worker polls its own queue of a multi-queue tap
# and hands the frames of flows it does not own (Toeplitz hash, RETA) to
# their owner over an SPSC ring. The kernel opens thousands of short
# connections (ab without keep-alive, several clients at once) and a few
# long ones (wrk with keep-alive); every one must complete. Then the same
# with one queue (the dispatch mode: worker 0 receives for both, worker 1
# transmits through worker 0's queue). At the end of each run: both
# workers accepted connections, the misdirected frames were forwarded
# (steer_fwd, reported), none was dropped (steer_drop 0), none was
# handled off its owner (steer_wrong 0), no RST, nothing left open.
#
# Needs root; bounded by timeout(1) everywhere (about 40 s); the EXIT trap
# stops the server by PID, deletes the namespace and the EAL runtime
# directory. Exits 0, 1, or 77 when not root.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=${1:-$HERE/../../build/apps/httpd/tcpe-httpd}

NS=tcpe-mct-$$
IFACE=tmc$$
PREFIX=tcpe-mct-$$
SRV=198.18.0.2
CLI=198.18.0.1
SRV_MAC=02:00:00:00:00:02
CLI_MAC=02:00:00:00:00:01
URL=http://$SRV
CONNS=${TCPE_MC_CONNS:-3000}
SERVER_TIMEOUT=120

NSX=(ip netns exec "$NS")
# shellcheck source=lib.sh
. "$HERE/lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
	echo "mc_tap: needs root for network namespaces: skipped"
	exit 77
fi
for t in ip ab wrk ethtool timeout awk; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "mc_tap: $t not found (./scripts/deps.sh installs it)"
		exit 1
	fi
done
if [[ ! -x "$HTTPD" ]]; then
	echo "mc_tap: $HTTPD not built"
	exit 1
fi
WORK=$(mktemp -d /tmp/tcpe-mct.XXXXXX)

timeout 10 ip netns add "$NS" || exit 1
timeout 10 "${NSX[@]}" ip link set lo up || exit 1

# wval W NAME: the value after NAME on the Workers: line of worker W.
wval() {
	awk -v w="w$1:" -v n="$2" '
		$1 == w { for (i = 2; i < NF; i++) if ($i == n) { print $(i + 1); exit } }
	' "${COUNTERS:-$WORK/server.log}"
}

# ab_run NAME N ARGS...: N requests of ab from the namespace; every one
# must complete.
ab_run() {
	local name=$1 n=$2 out
	shift 2
	out=$WORK/ab-$name.txt
	timeout 60 "${NSX[@]}" ab -q -r -s 10 -n "$n" "$@" >"$out" 2>&1
	local complete failed
	complete=$(awk '/^Complete requests:/ { print $3 }' "$out")
	failed=$(awk '/^Failed requests:/ { print $3 }' "$out")
	echo "ab $name: complete ${complete:-?} failed ${failed:-?}" \
		"$(awk '/^Requests per second:/ { print $4 " req/s" }' "$out")"
	[[ "$complete" == "$n" && "$failed" == 0 ]]
}

# run_case NAME SETS...: one server run with --set options SETS.
run_case() {
	local name=$1 i pids=() rc
	shift
	say "$name: tcpe-httpd, 2 workers, $*"
	COUNTERS=$WORK/server-$name.log
	FAIL_LOG=$COUNTERS
	start_server "$COUNTERS" --set eal.lcores=0-1 --set lcores.workers=2 \
		--set eal.memory_mb=1024 "$@" -- --port 80 || return 1
	grep '^tcpe: steering' "$COUNTERS"
	check "$name: 2 workers, not reduced" grep -q '2 workers: ready' "$COUNTERS"
	# Thousands of short connections, three kernel clients at once.
	for i in 1 2 3; do
		ab_run "$name-$i" "$CONNS" -c 32 "$URL/" &
		pids+=($!)
	done
	rc=0
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	check "$name: ab x3, $((3 * CONNS)) connections, every one completed" test "$rc" -eq 0
	check "$name: keep-alive ab" ab_run "$name-k" 20000 -k -c 64 "$URL/bytes/100"
	timeout 30 "${NSX[@]}" wrk -t1 -c64 -d3s "$URL/" >"$WORK/wrk-$name.txt" 2>&1
	awk '/Requests\/sec|requests in|Socket errors/' "$WORK/wrk-$name.txt"
	check "$name: wrk without socket errors" \
		bash -c "! grep -q 'Socket errors' '$WORK/wrk-$name.txt'"
	stop_server || return 1
	grep -E '^    w[0-9]+:' "$COUNTERS"
	expect_counter Port steer_drop eq 0
	expect_counter Port steer_wrong eq 0
	expect_counter Port steer_fwd gt 0
	expect_counter Tcp OutRsts eq 0
	expect_counter Httpd OpenAtExit eq 0
	expect_counter Httpd Responses2xx ge $((3 * CONNS + 20000))
	for i in 0 1; do
		local po
		po=$(wval "$i" PassiveOpens)
		check "$name: worker $i accepted ($po) and handled its own flows" \
			test "${po:-0}" -gt 100
	done
	echo "$name: misdirected frames forwarded to their owner:" \
		"$(counter Port steer_fwd) (of $(counter Port rx_pkts) received)"
}

run_case software --set lcores.steering=auto
run_case dispatch --set port.queues=1

echo
echo "mc_tap: $passed passed, $failed failed"
for f in "${failures[@]}"; do
	echo "  FAILED: $f"
done
[[ $failed -eq 0 ]]
