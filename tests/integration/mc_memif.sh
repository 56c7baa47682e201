#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Engine to engine over net_memif with 2 queues, 2 workers on each side
# (meson test 'mc-memif', suite 'integration'; issue 6).
#
#   tests/integration/mc_memif.sh [tcpe-httpd] [tcpe-mc-client]
#
# tcpe-httpd (memif server role, 198.18.1.2) and tcpe-mc-client (memif
# client role, 198.18.1.1), each with 2 workers on lcores 0-1 and one
# memif queue pair per worker. memif cannot steer: a frame arrives on the
# queue its sender transmitted on, i.e. the lcore that owns the flow on
# the *other* engine. The client's workers open connections from ports
# whose Toeplitz hash maps back to themselves (ip_local_port_range split
# per worker); each SYN-ACK lands on the queue of the server's owner.
#
#  1. rss_key = default (asymmetric): the two engines disagree on owners
#     for about half the flows: those SYN-ACKs arrive on the wrong client
#     lcore and must be forwarded (synack_fwd > 0), yet every one is
#     handled on its owner (synack_owned = connections, steer_wrong 0),
#     no frame dropped, no RST, every connection completes.
#  2. rss_key = symmetric: both engines agree: nothing is misdirected
#     (steer_fwd 0 on both sides, synack_fwd 0).
#
# Runs in its own network namespace (the memif socket lives in the work
# directory), bounded by timeout(1) everywhere (about 20 s), stops both
# processes by PID and removes the namespace and both /var/run/dpdk
# prefixes. Exits 0, 1, or 77 when not root.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=${1:-$HERE/../../build/apps/httpd/tcpe-httpd}
CLIENT=${2:-$HERE/../../build/tests/integration/tcpe-mc-client}

NS=tcpe-mcm-$$
PREFIX=tcpe-mcm-srv-$$
CPREFIX=tcpe-mcm-cli-$$
CONNS=${TCPE_MC_CONNS:-1500}	# per client worker
SERVER_TIMEOUT=90

NSX=(ip netns exec "$NS")
# shellcheck source=lib.sh
. "$HERE/lib.sh"

cleanup_hook() {
	[[ -n "${CPID:-}" ]] && stop_pid "$CPID" TERM 5
	rm -rf "/var/run/dpdk/$CPREFIX"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
	echo "mc_memif: needs root for network namespaces: skipped"
	exit 77
fi
for b in "$HTTPD" "$CLIENT"; do
	if [[ ! -x "$b" ]]; then
		echo "mc_memif: $b not built"
		exit 1
	fi
done
WORK=$(mktemp -d /tmp/tcpe-mcm.XXXXXX)
timeout 10 ip netns add "$NS" || exit 1
timeout 10 "${NSX[@]}" ip link set lo up || exit 1

# wsum LOG NAME: NAME summed over the Workers: lines of LOG.
wsum() {
	awk -v n="$2" '
		$1 ~ /^w[0-9]+:$/ { for (i = 2; i < NF; i++) if ($i == n) s += $(i + 1) }
		END { print s + 0 }
	' "$1"
}

# wval LOG W NAME
wval() {
	awk -v w="w$2:" -v n="$3" '
		$1 == w { for (i = 2; i < NF; i++) if ($i == n) { print $(i + 1); exit } }
	' "$1"
}

run_case() {
	local key=$1 slog=$WORK/server-$1.log clog=$WORK/client-$1.log i rc
	local total=$((2 * CONNS)) sock=$WORK/memif-$1.sock
	say "rss_key = $key: tcpe-httpd and tcpe-mc-client, 2 workers each, memif 2 queues"
	FAIL_LOG=$clog
	"${NSX[@]}" timeout -k 5 "$SERVER_TIMEOUT" "$HTTPD" \
		--set eal.lcores=0-1 --set lcores.workers=2 \
		--set eal.memory_mb=1024 --set "eal.file_prefix=$PREFIX" \
		--set "port.vdev=net_memif0,role=server,socket=$sock" \
		--set port.addr=198.18.1.2 --set port.mac=02:00:00:00:01:02 \
		--set "port.rss_key=$key" --set tcp.tcp_max_tw_buckets=1048576 \
		-- --port 80 >"$slog" 2>&1 &
	SPID=$!
	for ((i = 0; i < 200; i++)); do
		grep -q ': ready$' "$slog" && break
		server_alive || break
		sleep 0.1
	done
	if ! grep -q ': ready$' "$slog"; then
		cat "$slog"
		bad "$key: tcpe-httpd did not print ready"
		return 1
	fi
	"${NSX[@]}" timeout -k 5 60 "$CLIENT" \
		--set eal.lcores=0-1 --set lcores.workers=2 \
		--set eal.memory_mb=1024 --set "eal.file_prefix=$CPREFIX" \
		--set "port.vdev=net_memif0,role=client,socket=$sock" \
		--set port.addr=198.18.1.1 --set port.mac=02:00:00:00:01:01 \
		--set "port.rss_key=$key" --set tcp.tcp_tw_reuse=1 \
		-- --server 198.18.1.2 --conns "$CONNS" --parallel 16 \
		--timeout 45 >"$clog" 2>&1 &
	CPID=$!
	wait "$CPID"
	rc=$?
	CPID=
	grep -E '^tcpe: steering|^mc-client:' "$clog"
	check "$key: tcpe-mc-client exits 0 (rc $rc): every connection completed" test "$rc" -eq 0
	COUNTERS=$slog
	FAIL_LOG=$slog
	stop_server
	COUNTERS=$clog
	grep -E '^    w[0-9]+:' "$clog" | sed 's/^/client /'
	grep -E '^    w[0-9]+:' "$slog" | sed 's/^/server /'
	check "$key: client completed $total" \
		grep -q "^mc-client: total opened $total connected $total completed $total failed 0 .* notmine 0 " "$clog"
	expect_counter Tcp ActiveOpens eq "$total"
	expect_counter Tcp OutRsts eq 0
	expect_counter Port synack_rx eq "$total"
	expect_counter Port synack_owned eq "$total"
	expect_counter Port steer_wrong eq 0
	expect_counter Port steer_drop eq 0
	for i in 0 1; do
		check "$key: client worker $i opened $(wval "$clog" "$i" ActiveOpens) connections" \
			test "$(wval "$clog" "$i" ActiveOpens)" -eq "$CONNS"
		check "$key: client worker $i handled its SYN-ACKs ($(wval "$clog" "$i" synack_owned))" \
			test "$(wval "$clog" "$i" synack_owned)" -eq "$CONNS"
	done
	# Every SYN-ACK that arrived on the wrong lcore was forwarded: per
	# worker, received - forwarded + forwarded to it = owned.
	check "$key: SYN-ACKs received = owned locally + forwarded" \
		test "$(wsum "$clog" synack_rx)" -eq "$(($(wsum "$clog" synack_owned)))"
	if [[ $key == default ]]; then
		expect_counter Port synack_fwd gt 0
		expect_counter Port steer_fwd gt 0
	else
		expect_counter Port synack_fwd eq 0
		expect_counter Port steer_fwd eq 0
	fi
	echo "client: misdirected SYN-ACKs forwarded $(counter Port synack_fwd)," \
		"frames $(counter Port steer_fwd)"
	COUNTERS=$slog
	expect_counter Httpd Accepted eq "$total"
	expect_counter Httpd Responses2xx eq "$total"
	expect_counter Tcp OutRsts eq 0
	expect_counter Port steer_wrong eq 0
	expect_counter Port steer_drop eq 0
	if [[ $key == symmetric ]]; then
		expect_counter Port steer_fwd eq 0
	fi
	echo "server: misdirected frames forwarded $(counter Port steer_fwd)"
}

run_case default
run_case symmetric

echo
echo "mc_memif: $passed passed, $failed failed"
for f in "${failures[@]}"; do
	echo "  FAILED: $f"
done
[[ $failed -eq 0 ]]
