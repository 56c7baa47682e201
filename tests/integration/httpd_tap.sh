#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Integration test of tcpe-httpd on net_tap against the kernel's TCP
# clients (meson test 'httpd-tap', suite 'integration').
#
#   tests/integration/httpd_tap.sh [path/to/tcpe-httpd]
#
# Creates its own network namespace (tcpe-it-<pid>), runs tcpe-httpd in it
# on a net_tap port (198.18.0.2, MAC 02:00:00:00:00:02) and configures the
# kernel side of the tap (198.18.0.1/24, MAC 02:00:00:00:00:01, offloads
# and IPv6 off). Then, from inside the namespace: ping, curl (GET /, GET
# /bytes/N up to 10 MB compared by sha256 with a locally generated
# pattern, POST /echo, HTTP/1.0, Connection: close, 413), the raw-socket
# checks of httpd_client.py (pipelining, split requests, half-close,
# keep-alive, errors 400/404/405/413/414/431/501/505/417, the server
# closing first),
# ab with and without keep-alive, then wrk. tcpdump captures every TCP
# segment until wrk starts: there must be no RST in it. At the end the
# server gets SIGTERM and must exit 0 with counters showing no
# connection left, no failed response, no dropped frame and every mbuf
# back in the pool.
#
# Needs root (namespaces). Every step is bounded by timeout(1); the EXIT
# trap always stops the server (SIGTERM, SIGKILL after 10 s), deletes the
# namespace and /var/run/dpdk/<prefix>. Exits 0 when every check passed,
# 1 otherwise, 77 (skip) when not root. TCPE_IT_KEEP=1 keeps the work
# directory (logs, capture) for inspection.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=${1:-$HERE/../../build/apps/httpd/tcpe-httpd}
CLIENT=$HERE/httpd_client.py

NS=tcpe-it-$$
IFACE=tit$$
PREFIX=tcpe-it-$$
SRV=198.18.0.2
CLI=198.18.0.1
SRV_MAC=02:00:00:00:00:02
CLI_MAC=02:00:00:00:00:01
MAX_BODY=1048576
URL=http://$SRV

NSX=(ip netns exec "$NS")
# say ok bad check, start_server stop_server stop_pid, cleanup, counter
# expect_counter.
# shellcheck source=lib.sh
. "$HERE/lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
	echo "httpd_tap: needs root for network namespaces: skipped"
	exit 77
fi
if [[ ! -x "$HTTPD" ]]; then
	echo "httpd_tap: $HTTPD not built"
	exit 1
fi
for t in ip curl python3 ab wrk tcpdump ethtool ping ss sha256sum timeout; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "httpd_tap: $t not found (./scripts/deps.sh installs it)"
		exit 1
	fi
done
WORK=$(mktemp -d /tmp/tcpe-it.XXXXXX)

# ---------------------------------------------------------------------------
say "namespace $NS, tcpe-httpd on net_tap0,iface=$IFACE"
timeout 10 ip netns add "$NS" || exit 1
timeout 10 "${NSX[@]}" ip link set lo up || exit 1

# A first run with no traffic gives the engine's idle mbuf count (the
# RX ring's), which the real run must be back to at exit.
start_server "$WORK/baseline.log" -- --port 80 --max-body "$MAX_BODY" || exit 1
stop_server || exit 1
BASE_INUSE=$(awk '/^Mbufs:$/ { m = 1; next } m && $1 == "InUse:" { print $2; exit }' \
	"$WORK/baseline.log")
if [[ -z "$BASE_INUSE" ]]; then
	cat "$WORK/baseline.log"
	bad "no Mbufs InUse in the idle run's counters"
	exit 1
fi
echo "idle run: $BASE_INUSE mbufs in use at exit"

start_server "$WORK/server.log" -- --port 80 --max-body "$MAX_BODY" || exit 1
ok "tcpe-httpd ready"

# Capture every TCP segment of the normal exchanges (everything before wrk).
"${NSX[@]}" timeout -s INT 250 tcpdump -i "$IFACE" -nn -U -s 128 \
	-w "$WORK/cap.pcap" tcp >"$WORK/tcpdump.log" 2>&1 &
TPID=$!
for ((i = 0; i < 50; i++)); do
	grep -q 'listening on' "$WORK/tcpdump.log" && break
	sleep 0.1
done

# ---------------------------------------------------------------------------
say "ping"
check "ping $SRV answers" timeout 20 "${NSX[@]}" ping -c 3 -i 0.2 -W 2 "$SRV"
# The engine answers ARP with its configured MAC (not a zero one).
check "ARP: $SRV is at $SRV_MAC" sh -c "ip -n '$NS' neigh show '$SRV' | grep -qi 'lladdr $SRV_MAC'"

# curl_get NAME PATH OUT [curl options]: status 200 and body saved in OUT.
curl_get() {
	local name=$1 path=$2 out=$3 code
	shift 3
	code=$(timeout 60 "${NSX[@]}" curl -sS --max-time 50 -o "$out" \
		-w '%{http_code}' "$@" "$URL$path")
	if [[ "$code" != 200 ]]; then
		echo "$name: status '$code'"
		return 1
	fi
}

# The body of /bytes/N, generated locally.
pattern() {
	python3 -c 'import sys
n = int(sys.argv[1])
p = bytes(range(251))
sys.stdout.buffer.write((p * (n // 251 + 1))[:n])' "$1"
}

say "curl GET /"
check "GET / is 200" curl_get "GET /" / "$WORK/root.html"
check "GET / is the page" grep -q 'tcpe-httpd' "$WORK/root.html"

say "curl GET /bytes/N"
for n in 0 1 250 251 252 1448 1460 65535 65536 100000 1000000 10485760; do
	if ! curl_get "GET /bytes/$n" "/bytes/$n" "$WORK/got"; then
		bad "GET /bytes/$n status"
		continue
	fi
	pattern "$n" >"$WORK/exp"
	g=$(sha256sum <"$WORK/got" | cut -d' ' -f1)
	e=$(sha256sum <"$WORK/exp" | cut -d' ' -f1)
	if [[ "$g" == "$e" ]]; then
		ok "GET /bytes/$n sha256 $g"
	else
		bad "GET /bytes/$n: sha256 $g, expected $e ($(stat -c %s "$WORK/got") bytes)"
	fi
done

say "curl POST /echo"
printf 'hello, tcpe\n' >"$WORK/b_small"
head -c 100000 /dev/urandom >"$WORK/b_100k"
head -c "$MAX_BODY" /dev/urandom >"$WORK/b_max"
: >"$WORK/b_empty"
for b in b_empty b_small b_100k b_max; do
	if curl_get "POST /echo $b" /echo "$WORK/echo" \
	    -H 'Content-Type: application/octet-stream' \
	    --data-binary "@$WORK/$b" && cmp -s "$WORK/echo" "$WORK/$b"; then
		ok "POST /echo $(stat -c %s "$WORK/$b") bytes echoed"
	else
		bad "POST /echo $b: echo differs"
	fi
done
head -c $((MAX_BODY + 1)) /dev/urandom >"$WORK/b_big"
code=$(timeout 60 "${NSX[@]}" curl -sS --max-time 50 -o /dev/null \
	-w '%{http_code}' --data-binary "@$WORK/b_big" "$URL/echo")
check "POST /echo $((MAX_BODY + 1)) bytes is 413 (got $code)" test "$code" = 413

say "curl HTTP/1.0 and Connection: close"
# hdr_has FILE REGEX: a response header matches (case-insensitive).
hdr_has() {
	tr -d '\r' <"$1" | grep -qiE "$2"
}
check "HTTP/1.0 GET /bytes/5000" curl_get http10 /bytes/5000 "$WORK/got" \
	-0 -D "$WORK/hdr"
check "HTTP/1.0 reply says Connection: close" hdr_has "$WORK/hdr" '^connection: close$'
check "HTTP/1.0 body" cmp -s "$WORK/got" <(pattern 5000)
check "Connection: close GET /" curl_get close / "$WORK/got" \
	-H 'Connection: close' -D "$WORK/hdr"
check "Connection: close reply says close" hdr_has "$WORK/hdr" '^connection: close$'
check "keep-alive by default" curl_get ka / "$WORK/got" -D "$WORK/hdr"
check "HTTP/1.1 reply says keep-alive" hdr_has "$WORK/hdr" '^connection: keep-alive$'
# Two URLs on one curl command reuse the connection.
out=$(timeout 60 "${NSX[@]}" curl -sS --max-time 50 -o /dev/null -o /dev/null \
	-w '%{num_connects} ' "$URL/bytes/10" "$URL/")
check "curl reuses the connection (new connections per URL: $out)" \
	test "$out" = "1 0 "

say "raw-socket checks (httpd_client.py)"
for c in pipeline split pipeline-big halfclose reuse keepalive close http10 \
    errors expect; do
	if timeout 120 "${NSX[@]}" python3 "$CLIENT" "$SRV" 80 "$c" \
	    >"$WORK/client_$c.log" 2>&1; then
		ok "httpd_client $c ($(grep -c '^ok:' "$WORK/client_$c.log") assertions)"
	else
		cat "$WORK/client_$c.log"
		bad "httpd_client $c"
	fi
done

# ab_run NAME ARGS...: every request complete, none failed, none non-2xx.
ab_run() {
	local name=$1 log=$WORK/ab_$1.log
	shift
	if ! timeout 120 "${NSX[@]}" ab -q -s 20 "$@" >"$log" 2>&1; then
		cat "$log"
		bad "ab $name: exit status"
		return
	fi
	grep -E '^(Complete requests|Failed requests|Non-2xx|Requests per second|Keep-Alive requests)' "$log" |
		sed "s/^/ab $name: /"
	local want=$2 done failed
	done=$(awk '/^Complete requests:/ { print $3 }' "$log")
	failed=$(awk '/^Failed requests:/ { print $3 }' "$log")
	if [[ "$done" == "$want" && "$failed" == 0 ]] &&
	    ! grep -q '^Non-2xx' "$log"; then
		ok "ab $name: $done requests, 0 failed, 0 non-2xx"
	else
		bad "ab $name: complete '$done' of $want, failed '$failed'"
	fi
}

say "ab"
ab_run close -n 2000 -c 100 "$URL/"
ab_run keepalive -n 5000 -c 50 -k "$URL/bytes/1000"

say "no RST in the normal exchanges"
sleep 1
stop_pid "$TPID" INT 5
TPID=
nsyn=$(tcpdump -nn -r "$WORK/cap.pcap" \
	'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null | wc -l)
nseg=$(tcpdump -nn -r "$WORK/cap.pcap" 2>/dev/null | wc -l)
# Any RST fails. A client reusing a port the server still holds in
# TIME_WAIT (the server closed first) must be taken as a new connection
# (RFC 1122 4.2.2.13, as Linux does), not answered with an old ACK that
# the client would reset; the 'reuse' check above drives that case.
nrst=$(tcpdump -nn -r "$WORK/cap.pcap" 'tcp[tcpflags] & tcp-rst != 0' \
	2>/dev/null | tee >(head -n 20 | sed 's/^/RST: /' >&2) | wc -l)
echo "capture: $nseg segments, $nsyn connections, $nrst RST"
if [[ "$nseg" -gt 0 && "$nrst" -eq 0 ]]; then
	ok "no RST in $nseg segments of $nsyn connections"
else
	bad "$nrst RST segments (of $nseg)"
fi
# The server closed first on every HTTP/1.0 ab connection: the client
# side then never enters TIME_WAIT (it closes second).
ss_tw=$(timeout 10 "${NSX[@]}" ss -tanH state time-wait | wc -l)
echo "kernel sockets in TIME_WAIT (client closed first: keep-alive runs): $ss_tw"

say "wrk"
if timeout 60 "${NSX[@]}" wrk -t1 -c100 -d5s "$URL/" >"$WORK/wrk.log" 2>&1; then
	sed 's/^/wrk: /' "$WORK/wrk.log"
	reqs=$(awk '/requests in/ { print $1 }' "$WORK/wrk.log")
	if [[ -n "$reqs" && "$reqs" -gt 0 ]] &&
	    ! grep -q 'Non-2xx' "$WORK/wrk.log" &&
	    ! grep -qE 'Socket errors: .*(connect [1-9]|timeout [1-9])' "$WORK/wrk.log"; then
		ok "wrk: $reqs requests, 0 non-2xx, no connect error or timeout"
	else
		bad "wrk: failures"
	fi
else
	cat "$WORK/wrk.log"
	bad "wrk: exit status"
fi

# ---------------------------------------------------------------------------
say "SIGTERM and the final counters"
# Let the last closes finish (FIN exchanges of wrk's connections).
sleep 2
stop_server
sed -n '/stopping/,$p' "$WORK/server.log"

# The server's own: every connection freed, no internal error.
expect_counter Httpd OpenAtExit eq 0
expect_counter Httpd Responses500 eq 0
expect_counter Httpd NoBufs eq 0
expect_counter Httpd NoConnMem eq 0
expect_counter Httpd Requests gt 7000
expect_counter Httpd Responses2xx gt 7000
expect_counter Httpd ServerCloses gt 2000
# The engine: nothing malformed, nothing dropped for lack of resources,
# every connection either gone or in TIME_WAIT (the server closed first
# on most), and every mbuf back: as many in use as with no traffic (the
# RX ring's).
for c in rx_bad_eth rx_bad_ip rx_ip_csum rx_frag rx_not_local rx_bad_tcp \
    rx_tcp_csum rx_bad_icmp arp_bad arp_conflict arp_pending_drop \
    arp_unresolved arp_table_full tx_no_route tx_nombuf tx_dropped; do
	expect_counter Port "$c" eq 0
done
expect_counter Port icmp_echo ge 3
for c in ListenOverflows ListenDrops TCPAbortOnTimeout; do
	expect_counter TcpExt "$c" eq 0
done
for c in DropNoConnMem DropTableFull DropBadAck DropRcvbufFull; do
	expect_counter Tcpe "$c" eq 0
done
expect_counter Tcp InErrs eq 0
echo "Tcp RetransSegs: $(counter Tcp RetransSegs), EstabResets: $(counter Tcp EstabResets) (wrk resets its connections at the end), Tcpe DropOutOfWindow: $(counter Tcpe DropOutOfWindow)"
live=$(counter Conns Live)
tw=$(counter Conns TIME_WAIT)
lis=$(counter Conns LISTEN)
check "engine connections left: $live = LISTEN ${lis:-0} + TIME_WAIT ${tw:-0}" \
	test "${live:-x}" = "$((${lis:-0} + ${tw:-0}))"
expect_counter Mbufs InUse eq "$BASE_INUSE"

say "httpd-tap summary"
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "httpd-tap: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
