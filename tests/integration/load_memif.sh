#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Integration test of tcpe-load (meson test 'load', suite 'integration'):
#
#  1. engine to engine: tcpe-httpd and tcpe-load as two processes joined
#     by net_memif (config/memif-server.conf and memif-client.conf, with
#     this test's own socket and --file-prefix): keep-alive with a request
#     count, short connections closed by the server and by the client,
#     POST bodies to /echo, bulk GET /bytes/N, 404s counted as status
#     errors, pacing (--rate), explicit local and server port ranges
#     (tcpe_connect_from()), and the JSON summary of each run read back;
#  2. against the kernel (root only): tcpe-load on net_tap in a network
#     namespace of its own loads nginx on the kernel side of the tap
#     (198.18.0.1:8080), or Python's http.server when nginx is not
#     installed, keep-alive and short connections.
#
#   tests/integration/load_memif.sh [tcpe-load] [tcpe-httpd]
#
# Addresses: 198.18.1.0/24 on memif, 198.18.0.0/24 on the tap. Bounded
# at 60 s (every step under timeout(1)); the EXIT trap stops what it
# started by PID, deletes the namespace and /var/run/dpdk/<prefixes>.
# Exits 0 when every check passed, 1 otherwise.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOAD=${1:-$ROOT/build/apps/load/tcpe-load}
HTTPD=${2:-$ROOT/build/apps/httpd/tcpe-httpd}
CONF=$ROOT/config

ID=$$
NS=tcpe-lt-$ID
IFACE=tlt$ID
PFX_SRV=tcpe-lt-srv-$ID
PFX_CLI=tcpe-lt-cli-$ID
PFX_TAP=tcpe-lt-tap-$ID
WORK=$(mktemp -d /tmp/tcpe-lt.XXXXXX)
SOCK=$WORK/memif.sock
SPID=
KPID=
passed=0
failed=0
DEADLINE=$((SECONDS + 58))

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
	stop_pid "$KPID"
	if ip netns list 2>/dev/null | grep -qw "$NS"; then
		for p in $(ip netns pids "$NS" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$NS" 2>/dev/null
	fi
	rm -rf "/var/run/dpdk/$PFX_SRV" "/var/run/dpdk/$PFX_CLI" \
		"/var/run/dpdk/$PFX_TAP"
	if [[ $rc -ne 0 && -f "$WORK/server.log" ]]; then
		echo "--- tcpe-httpd log (last 30 lines)"
		tail -n 30 "$WORK/server.log"
	fi
	[[ "${TCPE_IT_KEEP:-0}" == 1 ]] && echo "kept $WORK" || rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for f in "$LOAD" "$HTTPD"; do
	[[ -x "$f" ]] || { echo "load_memif: $f not built"; exit 1; }
done

# left: seconds before the overall deadline, at most $1.
left() {
	local l=$((DEADLINE - SECONDS))
	((l > $1)) && l=$1
	((l < 1)) && l=1
	echo "$l"
}

# json FILE EXPR: a value of tcpe-load's JSON summary (python3 expression
# on j).
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}

# expect NAME FILE EXPR: passes when the python3 expression is true.
expect() {
	local v
	v=$(json "$2" "$3")
	if [[ "$v" == True ]]; then
		ok "$1"
	else
		bad "$1 ($3 is $v; $(json "$2" 'j["counters"]'))"
	fi
}

# load NAME ARGS...: tcpe-load over memif, JSON to $WORK/NAME.json.
load() {
	local name=$1
	shift
	timeout -k 5 "$(left 15)" "$LOAD" --config "$CONF/memif-client.conf" \
		--set "port.vdev=net_memif0,role=client,socket=$SOCK" \
		--set "eal.file_prefix=$PFX_CLI" --set eal.log_level=error \
		-- "$@" --quiet --json "$WORK/$name.json" >"$WORK/$name.log" 2>&1
	local rc=$?
	grep -A6 '^tcpe-load: summary' "$WORK/$name.log" | sed 's/^/    /'
	if [[ $rc -ne 0 || ! -s "$WORK/$name.json" ]]; then
		bad "$name: tcpe-load exited $rc"
		tail -n 20 "$WORK/$name.log"
		return 1
	fi
	rm -rf "/var/run/dpdk/$PFX_CLI"
	return 0
}

# ---------------------------------------------------------------------------
say "tcpe-httpd <-> tcpe-load over net_memif ($SOCK)"
timeout -k 5 50 "$HTTPD" --config "$CONF/memif-server.conf" \
	--set "port.vdev=net_memif0,role=server,socket=$SOCK" \
	--set "eal.file_prefix=$PFX_SRV" --set eal.log_level=error \
	--set tcp.tcp_timewait_len=5 -- --port 80 >"$WORK/server.log" 2>&1 &
SPID=$!
for ((i = 0; i < 100; i++)); do
	grep -q ': ready$' "$WORK/server.log" && break
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q ': ready$' "$WORK/server.log"; then
	cat "$WORK/server.log"
	bad "tcpe-httpd did not start"
	exit 1
fi
U=http://198.18.1.2

if load ka "$U/" -c 20 -n 20000; then
	expect "keep-alive: 20000 answers, all 2xx" "$WORK/ka.json" \
		'j["counters"]["responses"] == 20000 and j["counters"]["2xx"] == 20000'
	expect "keep-alive: no error, 20 connections" "$WORK/ka.json" \
		'j["errors"] == 0 and j["counters"]["established"] == 20'
	expect "keep-alive: latency percentiles ordered" "$WORK/ka.json" \
		'0 < j["latency_ns"]["p50"] <= j["latency_ns"]["p90"] <= j["latency_ns"]["p99"] <= j["latency_ns"]["p99_9"] <= j["latency_ns"]["max"]'
fi
if load short_srv "$U/" -c 20 -n 3000 --short; then
	expect "short, server closes: 3000 connections, 3000 answers" \
		"$WORK/short_srv.json" \
		'j["counters"]["responses"] == 3000 and j["counters"]["server_closes"] == 3000 and j["errors"] == 0'
fi
if load short_cli "$U/" -c 20 -n 2000 --short --close client; then
	expect "short, client closes: 2000 answers, client first" \
		"$WORK/short_cli.json" \
		'j["counters"]["responses"] == 2000 and j["counters"]["client_closes"] == 2000 and j["errors"] == 0'
fi
if load kar "$U/" -c 10 -n 1000 -r 10; then
	expect "keep-alive, 10 requests per connection: 100 connections" \
		"$WORK/kar.json" \
		'100 <= j["counters"]["established"] <= 110 and j["counters"]["responses"] == 1000 and j["errors"] == 0'
fi
if load echo "$U/echo" -c 4 -n 400 --body 5000; then
	expect "POST /echo 5000 bytes: bodies echoed" "$WORK/echo.json" \
		'j["counters"]["body_bytes"] == 400 * 5000 and j["counters"]["tx_bytes"] > 400 * 5000 and j["errors"] == 0'
fi
if load bulk "$U/bytes/10000000" -c 1 -n 3; then
	expect "GET /bytes/10000000 x3: 30 MB of body" "$WORK/bulk.json" \
		'j["counters"]["body_bytes"] == 30000000 and j["errors"] == 0'
fi
if load notfound "$U/nothing" -c 2 -n 100; then
	expect "404s counted as status errors" "$WORK/notfound.json" \
		'j["counters"]["4xx"] == 100 and j["counters"]["status"] == 100'
fi
if load rate "$U/" -c 5 -d 2 --warmup 0.5 --rate 2000; then
	expect "--rate 2000 for 2 s: 2000 req/s within 10 %" "$WORK/rate.json" \
		'1800 <= j["req_per_s"] <= 2200 and j["errors"] == 0'
fi
if load ports "$U/" -c 10 -n 300 -r 3 --close client --lport 40000-40199 \
	--rport 80-80 --src 198.18.1.1; then
	expect "--lport 40000-40199 --src: connections through tcpe_connect_from()" \
		"$WORK/ports.json" \
		'100 <= j["counters"]["established"] <= 110 and j["counters"]["responses"] == 300 and j["errors"] == 0'
fi
timeout -k 5 "$(left 15)" "$LOAD" --config "$CONF/memif-client.conf" \
	--set "port.vdev=net_memif0,role=client,socket=$SOCK" \
	--set "eal.file_prefix=$PFX_CLI" --set eal.log_level=error \
	-- "$U/" -c 1 -n 1 --src 198.18.1.77 >"$WORK/noport.log" 2>&1
rc=$?
if [[ $rc -ne 2 ]]; then
	bad "--src with an address not the port's: exit $rc, expected 2"
elif grep -q 'not the port' "$WORK/noport.log"; then
	ok "--src an address not the port's: refused at start"
else
	bad "--src 198.18.1.77: no message"
fi
rm -rf "/var/run/dpdk/$PFX_CLI"

stop_pid "$SPID"
wait "$SPID" 2>/dev/null
SPID=
if grep -q '^    Responses500: 0$' "$WORK/server.log"; then
	ok "tcpe-httpd: no internal error"
else
	bad "tcpe-httpd: Responses500 not 0"
fi

# ---------------------------------------------------------------------------
say "tcpe-load on net_tap against the kernel's HTTP server"
if [[ $(id -u) -ne 0 ]]; then
	echo "not root: the net_tap part is skipped"
elif ((DEADLINE - SECONDS < 12)); then
	bad "no time left for the net_tap part"
else
	timeout 10 ip netns add "$NS" && timeout 10 ip -n "$NS" link set lo up
	mkdir -p "$WORK/www"
	printf 'hello tcpe\n' >"$WORK/www/index.html"
	if command -v nginx >/dev/null 2>&1; then
		KSRV=nginx
		cat >"$WORK/nginx.conf" <<-NGX
		worker_processes 1;
		daemon off;
		master_process off;
		pid $WORK/nginx.pid;
		error_log $WORK/nginx.err warn;
		events { worker_connections 4096; }
		http {
			access_log off;
			client_body_temp_path $WORK/tmp;
			proxy_temp_path $WORK/tmp;
			fastcgi_temp_path $WORK/tmp;
			uwsgi_temp_path $WORK/tmp;
			scgi_temp_path $WORK/tmp;
			keepalive_requests 1000000;
			server {
				listen 198.18.0.1:8080 backlog=4096;
				root $WORK/www;
			}
		}
		NGX
		mkdir -p "$WORK/tmp"
	else
		KSRV=python3
	fi
	# The tap appears when tcpe-load starts: start it paced, waiting
	# for the server to be there (its first connects are refused).
	timeout -k 5 "$(left 20)" ip netns exec "$NS" "$LOAD" \
		--set "port.vdev=net_tap0,iface=$IFACE" --set port.addr=198.18.0.2 \
		--set port.mac=02:00:00:00:00:02 --set "eal.file_prefix=$PFX_TAP" \
		--set eal.log_level=error \
		-- http://198.18.0.1:8080/index.html -c 10 -n 3000 --warmup 0 \
		--quiet --json "$WORK/tap_ka.json" >"$WORK/tap_ka.log" 2>&1 &
	LPID=$!
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$NS" ip link show "$IFACE" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$IFACE.disable_ipv6=1" || true
	ip -n "$NS" link set "$IFACE" address 02:00:00:00:00:01
	ip -n "$NS" addr add 198.18.0.1/24 dev "$IFACE"
	ip -n "$NS" link set "$IFACE" up
	if [[ $KSRV == nginx ]]; then
		ip netns exec "$NS" nginx -c "$WORK/nginx.conf" -p "$WORK" \
			>"$WORK/ksrv.log" 2>&1 &
	else
		(cd "$WORK/www" && exec ip netns exec "$NS" python3 -c '
import http.server, socketserver
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("198.18.0.1", 8080), H).serve_forever()
') >"$WORK/ksrv.log" 2>&1 &
	fi
	KPID=$!
	wait "$LPID"
	rc=$?
	grep -A6 '^tcpe-load: summary' "$WORK/tap_ka.log" | sed 's/^/    /'
	if [[ $rc -eq 0 && -s "$WORK/tap_ka.json" ]]; then
		expect "$KSRV on the tap, keep-alive: 3000 answers, 2xx" \
			"$WORK/tap_ka.json" \
			'j["counters"]["responses"] == 3000 and j["counters"]["2xx"] == 3000 and j["counters"]["body_bytes"] == 3000 * 11'
	else
		bad "tcpe-load on the tap exited $rc"
		tail -n 20 "$WORK/tap_ka.log"
	fi
	rm -rf "/var/run/dpdk/$PFX_TAP"
	# Second run: the server is up; short connections.
	timeout -k 5 "$(left 20)" ip netns exec "$NS" "$LOAD" \
		--set "port.vdev=net_tap0,iface=$IFACE" --set port.addr=198.18.0.2 \
		--set port.mac=02:00:00:00:00:02 --set "eal.file_prefix=$PFX_TAP" \
		--set eal.log_level=error \
		-- http://198.18.0.1:8080/index.html -c 10 -n 1000 --short \
		--quiet --json "$WORK/tap_short.json" >"$WORK/tap_short.log" 2>&1 &
	LPID=$!
	# The new tap needs its address again.
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$NS" ip link show "$IFACE" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip -n "$NS" link set "$IFACE" address 02:00:00:00:00:01
	ip -n "$NS" addr add 198.18.0.1/24 dev "$IFACE" 2>/dev/null
	ip -n "$NS" link set "$IFACE" up
	wait "$LPID"
	rc=$?
	grep -A6 '^tcpe-load: summary' "$WORK/tap_short.log" | sed 's/^/    /'
	if [[ $rc -eq 0 && -s "$WORK/tap_short.json" ]]; then
		expect "$KSRV on the tap, short connections: 1000 answers" \
			"$WORK/tap_short.json" \
			'j["counters"]["responses"] == 1000 and j["counters"]["2xx"] == 1000 and j["counters"]["server_closes"] == 1000'
	else
		bad "tcpe-load --short on the tap exited $rc"
		tail -n 20 "$WORK/tap_short.log"
	fi
fi

echo
echo "load: $passed passed, $failed failed ($SECONDS s)"
[[ $failed -eq 0 ]]
