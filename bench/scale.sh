#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Multi-core scaling of tcpe-httpd (issue 6): the same load against 1, 2,
# ... worker lcores, reporting requests/s (keep-alive) and connections/s
# (Connection: close) in total and per lcore, with each worker's share.
#
#   bench/scale.sh [-w "1 2"] [-d SECS] [-c CONNS] [-t WRK_THREADS]
#                  [-s auto|software|dispatch] [-k default|symmetric]
#                  [--httpd path/to/tcpe-httpd]
#
# -w takes any list of worker counts (lcores 0..N-1 must exist). The load
# is wrk from the kernel side of a net_tap, inside a namespace the script
# creates (198.18.0.0/15 only), as the other tap tests; the tap cannot
# steer, so the engine runs in software steering (or dispatch) mode and
# the misdirected frames it forwarded are reported too. On a machine with
# few cores wrk and the kernel share them with the engine's busy-polling
# lcores: compare the rows of one run, never absolute figures across
# machines. (apps/load's tcpe-load over net_memif is the engine-to-engine
# alternative once a machine has cores to spare for it.)
#
# Needs root. Every step is bounded by timeout(1); the server is stopped
# by PID; the namespace and /var/run/dpdk/<prefix> are removed at exit.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=$HERE/../build/apps/httpd/tcpe-httpd
WORKERS="1 2"
DUR=10
CONNS=100
THREADS=1
STEER=auto
KEY=default

while [[ $# -gt 0 ]]; do
	case $1 in
	-w) WORKERS=$2; shift 2 ;;
	-d) DUR=$2; shift 2 ;;
	-c) CONNS=$2; shift 2 ;;
	-t) THREADS=$2; shift 2 ;;
	-s) STEER=$2; shift 2 ;;
	-k) KEY=$2; shift 2 ;;
	--httpd) HTTPD=$2; shift 2 ;;
	-h|--help) sed -n '3,24p' "$0"; exit 0 ;;
	*) echo "scale.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

if [[ $(id -u) -ne 0 ]]; then
	echo "scale.sh: needs root (network namespace)" >&2
	exit 1
fi
for t in ip wrk ethtool timeout awk; do
	command -v "$t" >/dev/null || { echo "scale.sh: $t not found" >&2; exit 1; }
done
[[ -x "$HTTPD" ]] || { echo "scale.sh: $HTTPD not built (ninja -C build)" >&2; exit 1; }

NS=tcpe-bench-$$
IFACE=tbs$$
PREFIX=tcpe-bench-$$
WORK=$(mktemp -d /tmp/tcpe-bench.XXXXXX)
NSX=(ip netns exec "$NS")
SPID=

stop_server() {
	local i
	[[ -n "$SPID" ]] || return 0
	kill -INT "$SPID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}

cleanup() {
	stop_server
	ip netns del "$NS" 2>/dev/null
	rm -rf "/var/run/dpdk/$PREFIX" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server N LOG: a fresh namespace each run (the kernel clients'
# TIME_WAIT sockets of one run would exhaust the next one's ports).
start_server() {
	local n=$1 log=$2 i
	ip netns del "$NS" 2>/dev/null
	timeout 10 ip netns add "$NS" || return 1
	timeout 10 "${NSX[@]}" ip link set lo up
	"${NSX[@]}" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
	"${NSX[@]}" sysctl -qw net.ipv4.tcp_tw_reuse=1
	"${NSX[@]}" timeout -k 5 $((DUR * 4 + 60)) "$HTTPD" \
		--set "port.vdev=net_tap0,iface=$IFACE" --set port.addr=198.18.0.2 \
		--set port.mac=02:00:00:00:00:02 --set "eal.file_prefix=$PREFIX" \
		--set "eal.lcores=0-$((n - 1))" --set "lcores.workers=$n" \
		--set eal.memory_mb=1024 --set "lcores.steering=$STEER" \
		--set "port.rss_key=$KEY" --set tcp.tcp_max_tw_buckets=1048576 \
		-- --port 80 >"$log" 2>&1 &
	SPID=$!
	for ((i = 0; i < 100; i++)); do
		"${NSX[@]}" ip link show "$IFACE" >/dev/null 2>&1 && break
		sleep 0.1
	done
	"${NSX[@]}" ip link set "$IFACE" address 02:00:00:00:00:01
	"${NSX[@]}" ip addr add 198.18.0.1/24 dev "$IFACE"
	"${NSX[@]}" ip link set "$IFACE" up
	"${NSX[@]}" ethtool -K "$IFACE" gro off gso off tso off tx off >/dev/null 2>&1
	for ((i = 0; i < 200; i++)); do
		grep -q ': ready$' "$log" && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "scale.sh: tcpe-httpd with $n workers did not start:" >&2
	tail -20 "$log" >&2
	return 1
}

# wrk_rate ARGS...: requests/s of one wrk run (0 when it failed).
wrk_rate() {
	local out=$WORK/wrk.txt
	timeout $((DUR + 30)) "${NSX[@]}" wrk -t"$THREADS" -c"$CONNS" \
		-d"${DUR}s" "$@" >"$out" 2>&1
	awk '/^Requests\/sec:/ { print int($2); found = 1 } END { if (!found) print 0 }' "$out"
	grep -q 'Socket errors' "$out" && sed -n 's/^ */  wrk: /p' "$out" | grep 'Socket errors' >&2
}

# fwd_pct LOG: frames handed to another lcore, % of the frames received.
fwd_pct() {
	awk '$1 == "steer_fwd:" && !f { f = $2 } $1 == "rx_pkts:" && !x { x = $2 }
		END { printf "%.1f", x ? 100 * f / x : 0 }' "$1"
}

# share LOG NAME: each worker's NAME as "w0 51% w1 49%".
share() {
	awk -v n="$2" '
		$1 ~ /^w[0-9]+:$/ { for (i = 2; i < NF; i++) if ($i == n) { v[$1] = $(i + 1); s += $(i + 1) } }
		END { for (w in v) { printf "%s%s %.0f%%", sep, substr(w, 1, length(w) - 1), s ? 100 * v[w] / s : 0; sep = " " } }
	' "$1"
}

printf 'tcpe-httpd on net_tap, wrk -t%s -c%s -d%ss from the kernel side, steering %s, rss_key %s, %s cores\n' \
	"$THREADS" "$CONNS" "$DUR" "$STEER" "$KEY" "$(nproc)"
printf '%-8s %12s %12s %14s %14s %10s  %s\n' lcores req/s req/s/lcore conn/s conn/s/lcore fwd%ka/cl "shares (keep-alive tx_pkts; close PassiveOpens)"
base_r=0
base_c=0
for n in $WORKERS; do
	log=$WORK/ka-$n.log
	start_server "$n" "$log" || exit 1
	r=$(wrk_rate "http://198.18.0.2/")
	stop_server
	sh_r=$(share "$log" tx_pkts)
	fwd_r=$(fwd_pct "$log")
	log=$WORK/close-$n.log
	start_server "$n" "$log" || exit 1
	c=$(wrk_rate -H 'Connection: close' "http://198.18.0.2/")
	stop_server
	sh_c=$(share "$log" PassiveOpens)
	fwd_r="$fwd_r/$(fwd_pct "$log")"
	printf '%-8s %12s %12s %14s %14s %10s  %s; %s\n' "$n" "$r" $((r / n)) "$c" $((c / n)) "$fwd_r" \
		"${sh_r:-w0 100%}" "${sh_c:-w0 100%}"
	[[ $base_r -eq 0 ]] && base_r=$r && base_c=$c
done
if [[ $base_r -gt 0 && $base_c -gt 0 ]]; then
	echo "(ratios to the first row: compute from the columns; absolute figures vary run to run)"
fi
