#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# SYN flood test of tcpe-httpd on net_tap: the SYN queue, SYN cookies and
# the accept queue (meson test 'synflood-tap', suite 'integration').
#
#   tests/integration/synflood_tap.sh [path/to/tcpe-httpd]
#
# Creates its own network namespace (tcpe-sf-<pid>) with forwarding off,
# runs tcpe-httpd in it on a net_tap port (198.18.0.2/24, gateway
# 198.18.0.1: the kernel side of the tap), and from the kernel side
# (synflood.py, /usr/bin/python3 with scapy) sends SYNs as raw Ethernet
# frames from random addresses of 198.19.0.0/16, outside the engine's
# subnet: the engine's SYN-ACKs go to the gateway, which drops them, so
# no handshake of the flood ever completes. Bounded: at most FLOOD_COUNT
# SYNs or FLOOD_TIME seconds. One tcpe-httpd run per case:
#
#  A  tcp_syncookies=1, tcp_max_syn_backlog=64, under the flood: kernel
#     clients (GET /, each bounded) succeed >= 99 %, pings >= 90 %; then
#     SyncookiesSent > 0 and as many TCPReqQFullDoCookies, SyncookiesRecv
#     >= 90 % of the clients, SyncookiesFailed 0.
#  B  tcp_syncookies=0, same flood, its first BURST SYNs sent unpaced (the
#     top rate, printed): ListenDrops > 0, TCPReqQFullDrop > 0,
#     SyncookiesSent 0; the clients' success rate is only reported.
#  C  tcp_syncookies=2, no flood: every client succeeds through a cookie
#     (SyncookiesSent and SyncookiesRecv >= their number), the kernel
#     negotiated timestamps, SACK and window scaling through the cookie
#     (its TCP_INFO, the SYN-ACK's options in a capture, TS on all the
#     engine's later segments), and forged ACKs to the listener each get
#     an RST with SEQ = their ACK and count in SyncookiesFailed.
#  D  tcp_abort_on_overflow=1 with somaxconn=1, tcp_syncookies=0: spoofed
#     handshakes whose final ACKs arrive back to back, in one receive
#     burst, overflow the accept queue before tcpe-httpd accepts; each
#     overflow is answered by an RST (SEQ = the ACK's ACK) and counted
#     (ListenOverflows, EmbryonicRsts). D2: the same with
#     tcp_syncookies=2: an overflowing cookie ACK is dropped without an RST.
#     When no ACK overflowed (the burst was read one frame at a time) the
#     overflow checks are skipped.
#
# Every run must exit 0 after SIGTERM. Needs root. Every step is bounded
# by timeout(1); the EXIT trap stops everything started, deletes the
# namespace and /var/run/dpdk/<prefix>. Exits 0 when every check passed,
# 1 otherwise, 77 (skip) when not root. TCPE_IT_KEEP=1 keeps the work
# directory (logs, captures). TCPE_SF_RATE sets the flood's rate cap in
# SYN/s (default 8000; 0: as fast as the packet socket goes).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=${1:-$HERE/../../build/apps/httpd/tcpe-httpd}
FLOODER=$HERE/synflood.py
# Debian's python3 has python3-scapy; a python3 earlier on PATH may not.
PY=/usr/bin/python3

NS=tcpe-sf-$$
IFACE=tsf$$
PREFIX=tcpe-sf-$$
SRV=198.18.0.2
CLI=198.18.0.1
SRV_MAC=02:00:00:00:00:02
CLI_MAC=02:00:00:00:00:01
SERVER_TIMEOUT=120

FLOOD_COUNT=50000
FLOOD_TIME=15
FLOOD_RATE=${TCPE_SF_RATE:-8000}
SYN_BACKLOG=64
BURST=10000		# B's first SYNs, unpaced
NCLI=400		# legitimate connections under the flood (A) and in C
FORGED=5		# forged ACKs in C
NOVF=100		# handshakes of D

NSX=(ip netns exec "$NS")
# shellcheck source=lib.sh
. "$HERE/lib.sh"
FPID=

cleanup_hook() {
	[[ -n "$FPID" ]] && stop_pid "$FPID" TERM 3
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
	echo "synflood_tap: needs root for network namespaces: skipped"
	exit 77
fi
if [[ ! -x "$HTTPD" ]]; then
	echo "synflood_tap: $HTTPD not built"
	exit 1
fi
for t in ip ping ss tcpdump ethtool timeout "$PY"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "synflood_tap: $t not found (./scripts/deps.sh installs it)"
		exit 1
	fi
done
if ! "$PY" -c 'import scapy.all' 2>/dev/null; then
	echo "synflood_tap: $PY has no scapy (apt-get install python3-scapy)"
	exit 1
fi
WORK=$(mktemp -d /tmp/tcpe-sf.XXXXXX)
T0=$(date +%s)

# Every case: the kernel side is the engine's gateway, a small SYN queue.
# start_case NAME [--set ...]: tcpe-httpd for case NAME, log $WORK/NAME.log.
start_case() {
	local name=$1
	shift
	FAIL_LOG=$WORK/$name.log
	COUNTERS=$WORK/$name.log
	start_server "$WORK/$name.log" --set "port.gateway=$CLI" \
		--set "tcp.tcp_max_syn_backlog=$SYN_BACKLOG" "$@" -- --port 80
}

# engine_mac: ping the engine once, then ENGINE_MAC is the MAC its ARP
# reply gave the kernel: the flood and the forged segments go to it, as a
# real host's would.
engine_mac() {
	timeout 10 "${NSX[@]}" ping -c 1 -W 2 "$SRV" >/dev/null
	ENGINE_MAC=$("${NSX[@]}" ip neigh show "$SRV" dev "$IFACE" |
		sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p')
	if [[ -z "$ENGINE_MAC" ]]; then
		bad "$CASE: the kernel did not resolve $SRV"
		return 1
	fi
	if [[ "$ENGINE_MAC" != "$SRV_MAC" ]]; then
		echo "note: the engine answers ARP with $ENGINE_MAC, not port.mac $SRV_MAC"
	fi
}

# ctr NAME: a counter of the current case's final print, whatever its
# group (Tcp, TcpExt, Tcpe, Httpd ...); empty if absent.
ctr() {
	awk -v n="$1:" '
		/^[A-Za-z]+:$/ { grp = $1; next }
		grp != "" && $1 == n && $2 ~ /^[0-9]+$/ { print $2; exit }
	' "$COUNTERS"
}

# expect NAME OP VALUE: a counter check, group-independent.
expect() {
	local v
	v=$(ctr "$1")
	if [[ -z "$v" ]]; then
		bad "$CASE: counter $1 not printed"
	elif test "$v" "-$2" "$3"; then
		ok "$CASE: counter $1 = $v ($2 $3)"
	else
		bad "$CASE: counter $1 = $v, expected $2 $3"
	fi
}

# show NAME...: print counters, no check.
show() {
	local n out=
	for n in "$@"; do
		out+="$n=$(ctr "$n") "
	done
	echo "$CASE counters: $out"
}

# flood_start [BURST]: the flood in the background (FPID), its first
# BURST SYNs unpaced; waits until it sends.
flood_start() {
	local i
	rm -f "$WORK/stop"
	"${NSX[@]}" timeout -k 5 $((FLOOD_TIME + 20)) "$PY" "$FLOODER" flood "$IFACE" \
		--src-mac "$CLI_MAC" --dst-mac "$ENGINE_MAC" --dst "$SRV" --dport 80 \
		--net 198.19.0.0/16 --count "$FLOOD_COUNT" --time "$FLOOD_TIME" \
		--rate "$FLOOD_RATE" --burst "${1:-0}" --stop-file "$WORK/stop" \
		>"$WORK/$CASE.flood.log" 2>&1 &
	FPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -qs '^flood: started' "$WORK/$CASE.flood.log" && break
		kill -0 "$FPID" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^flood: started' "$WORK/$CASE.flood.log"; then
		cat "$WORK/$CASE.flood.log"
		bad "$CASE: the flood did not start"
		return 1
	fi
	# Let the SYN queue fill before the clients come.
	sleep 0.5
}

# flood_stop: require the flood to be still on (it covered the clients),
# stop it, print its rate.
flood_stop() {
	local i
	if kill -0 "$FPID" 2>/dev/null; then
		ok "$CASE: the flood lasted as long as the clients and pings"
	else
		bad "$CASE: the flood ended before the clients and pings (raise FLOOD_COUNT or FLOOD_TIME)"
	fi
	touch "$WORK/stop"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$FPID" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$FPID" TERM 3
	wait "$FPID" 2>/dev/null
	FPID=
	grep -E '^(burst|flood): sent' "$WORK/$CASE.flood.log" | sed "s/^/$CASE /"
	FLOOD_PPS=$(sed -n 's/.*flood_pps=\([0-9]*\).*/\1/p' "$WORK/$CASE.flood.log")
}

# clients N C TIMEOUT SPREAD DEADLINE: legitimate connections from the
# kernel (none started after DEADLINE s); sets CLI_OK.
clients() {
	local log=$WORK/$CASE.clients.log
	timeout -k 5 $(($5 + $3 + 10)) "${NSX[@]}" "$PY" "$FLOODER" \
		clients "$SRV" 80 -n "$1" -c "$2" --timeout "$3" --spread "$4" \
		--deadline "$5" >"$log" 2>&1
	sed "s/^/$CASE /" "$log"
	CLI_OK=$(sed -n 's/^clients: ok \([0-9]*\) of.*/\1/p' "$log")
	CLI_OK=${CLI_OK:-0}
}

# ---------------------------------------------------------------------------
say "namespace $NS, tcpe-httpd on net_tap0,iface=$IFACE, gateway $CLI"
timeout 10 ip netns add "$NS" || exit 1
timeout 10 "${NSX[@]}" ip link set lo up || exit 1
# The kernel side must drop the SYN-ACKs to the spoofed sources.
timeout 10 "${NSX[@]}" sysctl -qw net.ipv4.ip_forward=0 || exit 1

# ---------------------------------------------------------------------------
CASE=A
say "A: tcp_syncookies=1, tcp_max_syn_backlog=$SYN_BACKLOG, under a SYN flood"
if start_case A --set tcp.tcp_syncookies=1; then
	if engine_mac && flood_start; then
		timeout 20 "${NSX[@]}" ping -c 20 -i 0.2 -W 1 "$SRV" >"$WORK/A.ping.log" 2>&1 &
		PPID_=$!
		clients "$NCLI" 8 5 3 8
		wait "$PPID_"
		flood_stop
		echo "A flood rate: ${FLOOD_PPS:-?} SYN/s"
		check "A: $CLI_OK of $NCLI connections under the flood (>= 99 %)" \
			test $((CLI_OK * 100)) -ge $((NCLI * 99))
		rcv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$WORK/A.ping.log")
		tail -n 2 "$WORK/A.ping.log" | sed 's/^/A ping: /'
		check "A: ${rcv:-0} of 20 pings answered under the flood (>= 18)" \
			test "${rcv:-0}" -ge 18
	fi
	sleep 0.5
	stop_server
	show PassiveOpens ListenOverflows ListenDrops SyncookiesSent \
		SyncookiesRecv SyncookiesFailed TCPReqQFullDoCookies \
		TCPReqQFullDrop EmbryonicRsts Accepted rx_pkts tx_pkts
	expect SyncookiesSent gt 0
	# Linux's tcp_syn_flood_action: both counted for every cookie.
	expect TCPReqQFullDoCookies eq "$(ctr SyncookiesSent)"
	expect SyncookiesRecv ge $((NCLI * 9 / 10))
	expect SyncookiesFailed eq 0
	expect TCPReqQFullDrop eq 0
fi

# ---------------------------------------------------------------------------
CASE=B
say "B: tcp_syncookies=0, tcp_max_syn_backlog=$SYN_BACKLOG, under a SYN flood"
if start_case B --set tcp.tcp_syncookies=0; then
	# B starts with BURST SYNs unpaced: the top rate of the flooder
	# and of the engine (the tap drops what the engine does not read).
	if engine_mac && flood_start "$BURST"; then
		# Without cookies most of these time out (3 s: the SYN and
		# its retransmission at 1 s): few, all at once.
		clients 40 40 3 0 1
		flood_stop
		echo "B flood rate: ${FLOOD_PPS:-?} SYN/s"
		echo "B: $CLI_OK of 40 connections under the flood without cookies (reported, not checked)"
	fi
	sleep 0.5
	stop_server
	show PassiveOpens ListenOverflows ListenDrops SyncookiesSent \
		SyncookiesRecv SyncookiesFailed TCPReqQFullDoCookies \
		TCPReqQFullDrop EmbryonicRsts Accepted
	expect ListenDrops gt 0
	expect TCPReqQFullDrop gt 0
	expect SyncookiesSent eq 0
	expect TCPReqQFullDoCookies eq 0
fi

# ---------------------------------------------------------------------------
CASE=C
say "C: tcp_syncookies=2 (always), no flood"
if start_case C --set tcp.tcp_syncookies=2; then
	engine_mac
	"${NSX[@]}" timeout -s INT 60 tcpdump -i "$IFACE" -nn -U -s 160 \
		-w "$WORK/C.pcap" "tcp port 80 and host $CLI" >"$WORK/C.tcpdump.log" 2>&1 &
	TPID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$WORK/C.tcpdump.log" && break
		sleep 0.1
	done
	# One connection held open: the options the kernel negotiated.
	timeout 30 "${NSX[@]}" "$PY" "$FLOODER" options "$SRV" 80 --hold 2 \
		>"$WORK/C.options.log" 2>&1 &
	OPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -qs '^held' "$WORK/C.options.log" && break
		kill -0 "$OPID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/C /' "$WORK/C.options.log"
	timeout 10 "${NSX[@]}" ss -tniH state established dst "$SRV" \
		>"$WORK/C.ss.log" 2>&1
	sed 's/^/C ss: /' "$WORK/C.ss.log"
	wait "$OPID"
	check "C: TCP_INFO shows ts sack wscale through the cookie" \
		grep -qE '^options: ts=1 sack=1 wscale=[0-9]+,[0-9]+$' "$WORK/C.options.log"
	# ss (iproute2 6.1 here) prints no ts or sack even between two
	# Linux sockets: TCP_INFO above and the capture below check those.
	check "C: ss -tni shows the connection with wscale" \
		grep -qE 'wscale:[0-9]+,[0-9]+' "$WORK/C.ss.log"

	clients "$NCLI" 8 5 0 10
	check "C: $CLI_OK of $NCLI connections through cookies (all)" \
		test "$CLI_OK" -eq "$NCLI"

	# Forged ACKs from unused ports of the kernel side's real address.
	timeout 30 "${NSX[@]}" "$PY" "$FLOODER" forge "$IFACE" --src "$CLI" \
		--src-mac "$CLI_MAC" --dst "$SRV" --dst-mac "$ENGINE_MAC" --dport 80 \
		-n "$FORGED" >"$WORK/C.forge.log" 2>&1
	sed 's/^/C /' "$WORK/C.forge.log"
	check "C: each of $FORGED forged ACKs answered by an RST with SEQ = its ACK" \
		grep -q "^forge: rst $FORGED of $FORGED\$" "$WORK/C.forge.log"

	sleep 0.5
	stop_pid "$TPID" INT 5
	TPID=
	tcpdump -nn -v -r "$WORK/C.pcap" 2>/dev/null | tr -s ' \n' ' ' |
		sed 's/ \([0-9][0-9:.]* IP \)/\n\1/g' >"$WORK/C.pcap.txt"
	nsa=$(grep -c "$SRV\.80 > .*Flags \[S\.\]" "$WORK/C.pcap.txt")
	nsa_opt=$(grep "$SRV\.80 > .*Flags \[S\.\]" "$WORK/C.pcap.txt" |
		grep 'mss ' | grep 'sackOK' | grep 'TS val' | grep -c 'wscale ')
	grep -m 1 "$SRV\.80 > .*Flags \[S\.\]" "$WORK/C.pcap.txt" | sed 's/^/C SYN-ACK: /'
	check "C: $nsa_opt of $nsa SYN-ACKs carry mss, sackOK, TS, wscale (all, > $NCLI)" \
		test "$nsa" -gt "$NCLI" -a "$nsa_opt" -eq "$nsa"
	# After the handshake the engine keeps timestamps on (it recovered
	# them from the cookie): every later segment but RST carries TS.
	ndat=$(grep "$SRV\.80 > " "$WORK/C.pcap.txt" | grep -v 'Flags \[S' |
		grep -vc 'Flags \[R')
	ndat_ts=$(grep "$SRV\.80 > " "$WORK/C.pcap.txt" | grep -v 'Flags \[S' |
		grep -v 'Flags \[R' | grep -c 'TS val')
	check "C: $ndat_ts of $ndat later segments of the engine carry TS (all, > 0)" \
		test "$ndat" -gt 0 -a "$ndat_ts" -eq "$ndat"

	stop_server
	show PassiveOpens ListenOverflows ListenDrops SyncookiesSent \
		SyncookiesRecv SyncookiesFailed TCPReqQFullDoCookies \
		TCPReqQFullDrop EmbryonicRsts OutRsts Accepted
	expect SyncookiesSent ge $((NCLI + 1))
	expect SyncookiesRecv ge $((NCLI + 1))
	expect SyncookiesFailed eq "$FORGED"
	expect PassiveOpens ge $((NCLI + 1))
	# With syncookies=2 too (Linux's tcp_syn_flood_action).
	expect TCPReqQFullDoCookies eq "$(ctr SyncookiesSent)"
fi

# ---------------------------------------------------------------------------
# overflow_case NAME COOKIES: tcp_abort_on_overflow=1, somaxconn=1,
# NOVF spoofed handshakes completed back to back. With COOKIES=0 the
# children wait in the SYN queue and an overflowing ACK gets an RST; with
# COOKIES=2 an overflowing cookie ACK is dropped silently (no child to
# free, as Linux).
overflow_case() {
	local name=$1 cookies=$2 nsyna nrst nrst_ok ovf acc
	CASE=$name
	if ! start_case "$name" --set "tcp.tcp_syncookies=$cookies" \
	    --set tcp.somaxconn=1 --set tcp.tcp_abort_on_overflow=1 \
	    --set tcp.tcp_max_syn_backlog=1024; then
		return
	fi
	engine_mac
	timeout 30 "${NSX[@]}" "$PY" "$FLOODER" overflow "$IFACE" \
		--src-mac "$CLI_MAC" --dst-mac "$ENGINE_MAC" --dst "$SRV" --dport 80 \
		-n "$NOVF" >"$WORK/$name.overflow.log" 2>&1
	sed "s/^/$name /" "$WORK/$name.overflow.log"
	read -r nsyna nrst nrst_ok < <(sed -n \
		's/^overflow: synacks \([0-9]*\) rsts \([0-9]*\) of [0-9]* (\([0-9]*\) .*/\1 \2 \3/p' \
		"$WORK/$name.overflow.log")
	sleep 0.5
	stop_server
	show PassiveOpens ListenOverflows ListenDrops EmbryonicRsts OutRsts \
		SyncookiesSent SyncookiesRecv Accepted
	check "$name: a SYN-ACK for each of the $NOVF SYNs (${nsyna:-0})" \
		test "${nsyna:-0}" -eq "$NOVF"
	ovf=$(ctr ListenOverflows)
	acc=$(ctr Accepted)
	if [[ "${ovf:-0}" -eq 0 && "${nrst:-0}" -eq 0 ]]; then
		echo "$name: skipped: no final ACK overflowed the accept queue (each was read and accepted alone)"
		return
	fi
	if [[ $cookies -eq 0 ]]; then
		check "$name: each of ${ovf:-0} overflows answered by an RST with SEQ = the ACK's ACK (${nrst_ok:-0} of ${nrst:-0} RSTs)" \
			test "${ovf:-0}" -gt 0 -a "${nrst:-0}" -eq "${ovf:-0}" -a "${nrst_ok:-0}" -eq "${nrst:-0}"
		expect EmbryonicRsts eq "${ovf:-0}"
	else
		check "$name: ${ovf:-0} overflowing cookie ACKs dropped without an RST (${nrst:-0} RSTs)" \
			test "${ovf:-0}" -gt 0 -a "${nrst:-0}" -eq 0
		expect EmbryonicRsts eq 0
		expect SyncookiesRecv eq "$NOVF"
	fi
	check "$name: accepted ${acc:-?} + overflowed ${ovf:-0} = $NOVF handshakes" \
		test "$((${acc:-0} + ${ovf:-0}))" -eq "$NOVF"
}

say "D: tcp_abort_on_overflow=1, somaxconn=1, tcp_syncookies=0: accept queue overflow"
overflow_case D 0
say "D2: the same with tcp_syncookies=2: cookie ACKs overflowing"
overflow_case D2 2

say "synflood-tap summary ($(($(date +%s) - T0)) s)"
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "synflood-tap: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
