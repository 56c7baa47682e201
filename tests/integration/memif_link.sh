#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The port's behaviour on a memif link whose peer comes and goes, and the
# trusted checksums engine to engine (meson test 'memif-link', suite
# 'integration'; no root):
#
#  1. no peer: tcpe-httpd alone on its memif socket; its gratuitous ARP is
#     refused by the down link and held: tx_link_down counts a few holds
#     per second of backoff (100 us doubling to 10 ms), tx_refused stays 0
#     (it used to count millions of retries a second); at SIGTERM the held
#     frame is freed (tx_down_dropped) and the mbufs in use at exit are the
#     idle baseline of this test;
#  2. csum = trust on both ends (config/memif-*.conf): tcpe-load keep-alive,
#     POST /echo and bulk GET /bytes/N against tcpe-httpd, every answer
#     complete, and neither engine computed or verified a TCP checksum
#     (tx_csum_sw, rx_tcp_csum_sw 0; tx_csum_trust, rx_tcp_csum_trust
#     counting; rx_tcp_csum 0); the ARP held before the peer came went out
#     (tx_link_up);
#  3. the peer vanishes mid-transfer (tcpe-load -d 1 on a 1 GB body): the
#     server's retransmissions meet a down link: over 2 s tx_refused does
#     not move and tx_link_down grows by at most ~100 a second;
#  4. the peer comes back: a new tcpe-load run completes (the server's
#     held frames go out, the dead connections are reset), tx_link_up grows;
#     at SIGTERM, no connection left, the mbufs in use are the baseline;
#  5. csum = trust with [fault] corruption: refused at start with the
#     message naming both keys.
#
#   tests/integration/memif_link.sh [tcpe-load] [tcpe-httpd]
#
# Addresses 198.18.1.0/24 (config/memif-*.conf). About 20 s, bounded at
# 70 s by a watchdog; the EXIT trap stops the server by PID and removes
# /var/run/dpdk/<prefixes> and the work directory. Exits 0 when every check passed, 1 otherwise.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOAD=${1:-$ROOT/build/apps/load/tcpe-load}
HTTPD=${2:-$ROOT/build/apps/httpd/tcpe-httpd}
CONF=$ROOT/config

ID=$$
PFX_SRV=tcpe-ml-srv-$ID
PFX_CLI=tcpe-ml-cli-$ID
WORK=$(mktemp -d /tmp/tcpe-ml.XXXXXX)
SOCK=$WORK/memif.sock
SPID=
passed=0
failed=0
DEADLINE=$((SECONDS + 58))
U=http://198.18.1.2

ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
say() { printf '\n=== %s\n' "$*"; }

stop_pid() {
	local pid=$1 i
	[[ -z "$pid" ]] && return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_pid "$SPID"
	if [[ -n "${WATCHDOG:-}" ]]; then
		# The subshell first (else its sleep's end sends the TERM),
		# then its sleep, found by parent PID.
		local sp
		sp=$(pgrep -P "$WATCHDOG" 2>/dev/null)
		kill "$WATCHDOG" 2>/dev/null
		[[ -n "$sp" ]] && kill "$sp" 2>/dev/null
	fi
	rm -rf "/var/run/dpdk/$PFX_SRV" "/var/run/dpdk/$PFX_CLI"
	if [[ $rc -ne 0 && -n "${SLOG:-}" && -f "$SLOG" ]]; then
		echo "--- tcpe-httpd log (last 30 lines)"
		tail -n 30 "$SLOG"
	fi
	if [[ "${TCPE_IT_KEEP:-0}" == 1 ]]; then
		echo "kept $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for f in "$LOAD" "$HTTPD"; do
	[[ -x "$f" ]] || { echo "memif_link: $f not built"; exit 1; }
done
# The whole test in 70 s: past that, TERM to this script (its trap stops
# the server).
# (Its output to /dev/null: meson waits for every holder of the pipe.)
( sleep 70; kill -TERM $$ ) >/dev/null 2>&1 &
WATCHDOG=$!

left() {
	local l=$((DEADLINE - SECONDS))
	((l > $1)) && l=$1
	((l < 1)) && l=1
	echo "$l"
}

# start_server LOG [--set ...]: tcpe-httpd on this test's memif socket.
start_server() {
	local log=$1 i
	shift
	SLOG=$log
	rm -f "$SOCK"
	# Not under timeout(1): SIGUSR1 must reach the server itself. The
	# watchdog below and the EXIT trap bound it.
	"$HTTPD" --config "$CONF/memif-server.conf" \
		--set "port.vdev=net_memif0,role=server,socket=$SOCK" \
		--set "eal.file_prefix=$PFX_SRV" --set eal.log_level=error \
		"$@" -- --port 80 >"$log" 2>&1 &
	SPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -qs ': ready$' "$log" && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log"
	bad "tcpe-httpd did not start"
	exit 1
}

stop_server() {
	stop_pid "$SPID"
	SPID=
	rm -rf "/var/run/dpdk/$PFX_SRV"
}

# report N: SIGUSR1, wait for the server's report N.
report() {
	local i
	kill -USR1 "$SPID"
	for ((i = 0; i < 50; i++)); do
		grep -q "^tcpe-httpd: end of report $1\$" "$SLOG" && return 0
		sleep 0.1
	done
	bad "no report $1 from tcpe-httpd"
	return 1
}

# ctr FILE GROUP NAME [N]: a counter of the engine's printout; with N, of
# report N (the lines between "report N" and "end of report N"), else of
# the last block printed (at exit).
ctr() {
	awk -v g="$2:" -v k="$3:" -v n="${4:-}" '
		n != "" && $0 == "tcpe-httpd: report " n { in_r = 1; next }
		n != "" && $0 == "tcpe-httpd: end of report " n { in_r = 0 }
		n != "" && !in_r { next }
		/^[A-Za-z]+:$/ { grp = $1; next }
		grp == g && $1 == k { v = $2 }
		END { print (v == "" ? "?" : v) }' "$1"
}

# check NAME VALUE OP WANT: integer comparison (OP: eq, le, ge, gt).
check() {
	local name=$1 v=$2 op=$3 want=$4
	local r=1
	if [[ "$v" =~ ^[0-9]+$ ]]; then
		case $op in
		eq) ((v == want)) && r=0 ;;
		le) ((v <= want)) && r=0 ;;
		ge) ((v >= want)) && r=0 ;;
		gt) ((v > want)) && r=0 ;;
		esac
	fi
	if ((r == 0)); then
		ok "$name ($v)"
	else
		bad "$name: $v, expected $op $want"
	fi
}

# load NAME ARGS...: tcpe-load over memif with its counters, JSON summary.
load() {
	local name=$1 rc
	shift
	timeout -k 5 "$(left 15)" "$LOAD" --config "$CONF/memif-client.conf" \
		--set "port.vdev=net_memif0,role=client,socket=$SOCK" \
		--set "eal.file_prefix=$PFX_CLI" --set eal.log_level=error \
		--set tcp.tcp_rto_initial_ms=200 \
		-- "$@" --quiet --counters --json "$WORK/$name.json" \
		>"$WORK/$name.log" 2>&1
	rc=$?
	rm -rf "/var/run/dpdk/$PFX_CLI"
	if [[ $rc -ne 0 || ! -s "$WORK/$name.json" ]]; then
		bad "$name: tcpe-load exited $rc"
		tail -n 20 "$WORK/$name.log"
		return 1
	fi
	return 0
}

expect() {
	local v
	v=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$2" "$3" 2>/dev/null)
	if [[ "$v" == True ]]; then
		ok "$1"
	else
		bad "$1 ($3 is $v)"
	fi
}

# ---------------------------------------------------------------------------
say "1. no peer: the announce is held, not spun on; freed at stop"
start_server "$WORK/idle.log"
sleep 1.5
report 1
sleep 2
report 2
stop_server
c1=$(ctr "$WORK/idle.log" Port tx_link_down 1)
c2=$(ctr "$WORK/idle.log" Port tx_link_down 2)
check "no peer: tx_link_down counts holds" "$c1" ge 1
check "no peer: tx_refused stays 0 (no retry per loop)" \
	"$(ctr "$WORK/idle.log" Port tx_refused 2)" eq 0
if [[ "$c1" =~ ^[0-9]+$ && "$c2" =~ ^[0-9]+$ ]]; then
	check "no peer: holds in 2 s bounded by the 10 ms backoff" \
		$((c2 - c1)) le 300
fi
check "no peer: the held announce freed at stop (tx_down_dropped)" \
	"$(ctr "$WORK/idle.log" Port tx_down_dropped)" ge 1
check "no peer: tx_dropped 0" "$(ctr "$WORK/idle.log" Port tx_dropped)" eq 0
BASE=$(ctr "$WORK/idle.log" Mbufs InUse)
echo "idle run: $BASE mbufs in use at exit"

# ---------------------------------------------------------------------------
say "2. csum = trust engine to engine"
start_server "$WORK/srv.log"
if load ka "$U/" -c 10 -n 5000; then
	expect "trust, keep-alive: 5000 answers, 2xx, no error" "$WORK/ka.json" \
		'j["counters"]["responses"] == 5000 and j["counters"]["2xx"] == 5000 and j["errors"] == 0'
	L=$WORK/ka.log
	check "client: tx_csum_sw 0" "$(ctr "$L" Port tx_csum_sw)" eq 0
	check "client: rx_tcp_csum_sw 0" "$(ctr "$L" Port rx_tcp_csum_sw)" eq 0
	check "client: rx_tcp_csum 0" "$(ctr "$L" Port rx_tcp_csum)" eq 0
	check "client: tx_csum_trust counts" "$(ctr "$L" Port tx_csum_trust)" ge 5000
	check "client: rx_tcp_csum_trust counts" \
		"$(ctr "$L" Port rx_tcp_csum_trust)" ge 5000
fi
if load echo "$U/echo" -c 4 -n 200 --body 20000; then
	expect "trust, POST /echo 20000 bytes: every body back" "$WORK/echo.json" \
		'j["counters"]["body_bytes"] == 200 * 20000 and j["errors"] == 0'
fi
if load bulk "$U/bytes/20000000" -c 2 -n 4; then
	expect "trust, GET /bytes/20000000 x4: 80 MB of body" "$WORK/bulk.json" \
		'j["counters"]["body_bytes"] == 80000000 and j["errors"] == 0'
fi
sleep 0.5
report 1
check "server: tx_csum_sw 0" "$(ctr "$SLOG" Port tx_csum_sw 1)" eq 0
check "server: rx_tcp_csum_sw 0" "$(ctr "$SLOG" Port rx_tcp_csum_sw 1)" eq 0
check "server: rx_tcp_csum 0" "$(ctr "$SLOG" Port rx_tcp_csum 1)" eq 0
check "server: tx_csum_trust counts" "$(ctr "$SLOG" Port tx_csum_trust 1)" ge 10000
check "server: rx_tcp_csum_trust counts" \
	"$(ctr "$SLOG" Port rx_tcp_csum_trust 1)" ge 5000
check "server: the announce held before the peer went out (tx_link_up)" \
	"$(ctr "$SLOG" Port tx_link_up 1)" ge 1

# ---------------------------------------------------------------------------
say "3. the peer vanishes mid-transfer"
# Its connections end unfinished (maybe with a non-zero exit): not checked.
timeout -k 5 "$(left 15)" "$LOAD" --config "$CONF/memif-client.conf" \
	--set "port.vdev=net_memif0,role=client,socket=$SOCK" \
	--set "eal.file_prefix=$PFX_CLI" --set eal.log_level=error \
	--set tcp.tcp_rto_initial_ms=200 \
	-- "$U/bytes/1000000000" -c 2 -d 1 --warmup 0 --quiet \
	>"$WORK/gone.log" 2>&1
echo "    tcpe-load exited $? after 1 s of a 1 GB body"
rm -rf "/var/run/dpdk/$PFX_CLI"
sleep 1
report 2
sleep 2
report 3
r2=$(ctr "$SLOG" Port tx_refused 2)
r3=$(ctr "$SLOG" Port tx_refused 3)
d1=$(ctr "$SLOG" Port tx_link_down 1)
d2=$(ctr "$SLOG" Port tx_link_down 2)
d3=$(ctr "$SLOG" Port tx_link_down 3)
echo "    server: tx_refused $r2 -> $r3, tx_link_down $d1 -> $d2 -> $d3," \
	"tx_down_dropped $(ctr "$SLOG" Port tx_down_dropped 3)," \
	"RetransSegs $(ctr "$SLOG" Tcp RetransSegs 3)"
if [[ "$r2" =~ ^[0-9]+$ && "$r3" =~ ^[0-9]+$ && "$d2" =~ ^[0-9]+$ &&
	"$d3" =~ ^[0-9]+$ && "$d1" =~ ^[0-9]+$ ]]; then
	check "link down: tx_refused does not move in 2 s" $((r3 - r2)) eq 0
	check "link down: the server held its frames (tx_link_down grew)" \
		$((d3 - d1)) gt 0
	check "link down: holds in 2 s bounded by the 10 ms backoff" \
		$((d3 - d2)) le 300
fi
check "link down: tx_dropped 0" "$(ctr "$SLOG" Port tx_dropped 3)" eq 0

# ---------------------------------------------------------------------------
say "4. the peer comes back"
u3=$(ctr "$SLOG" Port tx_link_up 3)
if load back "$U/" -c 4 -n 2000; then
	expect "link back: 2000 answers, no error" "$WORK/back.json" \
		'j["counters"]["responses"] == 2000 and j["errors"] == 0'
fi
sleep 0.5
report 4
u4=$(ctr "$SLOG" Port tx_link_up 4)
[[ "$u3" =~ ^[0-9]+$ ]] && check "link back: tx_link_up grew" "$u4" gt "$u3"
# Whatever the vanished peer's connections still had is reset or given up
# by now or at stop; the staging is empty.
stop_server
grep '^States' "$WORK/srv.log" | tail -n 1 | sed 's/^/    at exit: /'
live=$(ctr "$WORK/srv.log" Conns Live)
inuse=$(ctr "$WORK/srv.log" Mbufs InUse)
echo "    server at exit: $live connection(s) (the listener among them)," \
	"$inuse mbufs in use (idle: $BASE)"
# Orphans in LAST_ACK hold no data (the client read every answer and the
# vanished peer's connections were reset by the new one): every mbuf back.
check "at exit: every mbuf back (in use = idle baseline)" "$inuse" eq "$BASE"
# tx_refused may count here: a full ring with the link up (a bulk reply
# faster than the client drains it) is retried, as it should be.
echo "    server at exit: tx_refused $(ctr "$WORK/srv.log" Port tx_refused)" \
	"(ring full, link up), tx_link_down $(ctr "$WORK/srv.log" Port tx_link_down)," \
	"tx_down_dropped $(ctr "$WORK/srv.log" Port tx_down_dropped)"

# ---------------------------------------------------------------------------
say "5. csum = trust with corruption faults: refused"
timeout -k 5 10 "$HTTPD" --config "$CONF/memif-server.conf" \
	--set "port.vdev=net_memif0,role=server,socket=$SOCK" \
	--set "eal.file_prefix=$PFX_SRV" --set eal.log_level=error \
	--set fault.tx_corrupt=10000 -- --port 80 >"$WORK/corrupt.log" 2>&1
rc=$?
rm -rf "/var/run/dpdk/$PFX_SRV"
if [[ $rc -ne 0 ]] && grep -q 'csum = trust cannot be combined with \[fault\] tx_corrupt' \
	"$WORK/corrupt.log"; then
	ok "trust + tx_corrupt refused at start (exit $rc)"
else
	bad "trust + tx_corrupt: exit $rc: $(head -c 300 "$WORK/corrupt.log")"
fi

echo
echo "memif-link: $passed passed, $failed failed ($SECONDS s)"
[[ $failed -eq 0 ]]
