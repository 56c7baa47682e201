#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Observability of tcpe-httpd on net_tap (meson test 'obs-tap', suite
# 'integration', issue 8): telemetry, tcpe-stat, live capture, logs.
#
#   tests/integration/obs_tap.sh [tcpe-httpd [tcpe-stat]]
#
# In its own namespace (tcpe-ob-<pid>, tap tob<pid>, EAL prefix
# tcpe-ob-<pid>), with tcpe's log level at debug, it
#  1. starts tcpdump on the kernel side of the tap and a capture in the
#     engine (tcpe-stat --capture-start, filter "host 198.18.0.1 and port
#     80"), then makes an exchange: ping, GET /bytes/100000, POST /echo,
#     40 HTTP/1.0 requests (the server closes first: 40 TIME_WAIT
#     records), and holds two connections open, one idle, one that does
#     not read a 8 MB reply;
#  2. checks what a user would expect to see: tcpe-stat -t shows every
#     connection the kernel's ss shows (4-tuple swapped), ESTAB with rtt,
#     cwnd, the unread one with Send-Q > 0 and a retransmission timer, the
#     TIME-WAIT records with their timer; tcpe-stat -s the state counts;
#     tcpe-stat the counters (PassiveOpens, CurrEstab, Port, Engine);
#     tcpe-stat -w refreshes; dpdk-telemetry.py reads /tcpe/ commands;
#  3. telemetry_check.py: the JSON format of every /tcpe/ command;
#  4. closes the held connections, stops both captures and compares them:
#     tcpdump -r of the engine's pcapng must show, in each direction, the
#     same segments (flags, seq, ack, window, options, length) as the
#     kernel's capture, and no ARP or ICMP (the filter);
#  5. SIGTERM: the final counters agree with what tcpe-stat read, and the
#     log traces the state transitions (tcpe:debug).
#
# Needs root (skipped otherwise: 77). Bounded (the server by timeout(1),
# every client step by timeout); the EXIT trap of lib.sh stops everything
# and deletes the namespace and /var/run/dpdk/<prefix>.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=${1:-$HERE/../../build/apps/httpd/tcpe-httpd}
STAT=${2:-$HERE/../../build/apps/stat/tcpe-stat}

NS=tcpe-ob-$$
IFACE=tob$$
PREFIX=tcpe-ob-$$
SRV=198.18.0.2
CLI=198.18.0.1
SRV_MAC=02:00:00:00:00:02
CLI_MAC=02:00:00:00:00:01
URL=http://$SRV
SERVER_TIMEOUT=150

NSX=(ip netns exec "$NS")
# shellcheck source=lib.sh
. "$HERE/lib.sh"

HOLD_PID=
cleanup_hook() {
	[[ -n "$HOLD_PID" ]] && kill "$HOLD_PID" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
	echo "obs_tap: needs root for network namespaces: skipped"
	exit 77
fi
for t in ip curl python3 tcpdump ethtool ping ss timeout dpdk-telemetry.py; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "obs_tap: $t not found (./scripts/deps.sh installs it)"
		exit 1
	fi
done
if [[ ! -x "$HTTPD" || ! -x "$STAT" ]]; then
	echo "obs_tap: $HTTPD or $STAT not built"
	exit 1
fi
WORK=$(mktemp -d /tmp/tcpe-ob.XXXXXX)
SOCK=/var/run/dpdk/$PREFIX/dpdk_telemetry.v2
stat_() {
	timeout 20 "${NSX[@]}" "$STAT" -f "$PREFIX" "$@"
}

ip netns add "$NS" || exit 1
"${NSX[@]}" ip link set lo up

say "start tcpe-httpd (log level tcpe:debug)"
start_server "$WORK/server.log" --set eal.log_level=tcpe:debug || exit 1
"${NSX[@]}" ping -c 1 -W 2 "$SRV" >/dev/null 2>&1 # ARP both ways

say "1. captures on both sides, an exchange"
"${NSX[@]}" timeout 100 tcpdump -i "$IFACE" -nn -U -w "$WORK/kernel.pcap" \
	'tcp port 80' 2>"$WORK/tcpdump.err" &
TPID=$!
for ((i = 0; i < 50; i++)); do
	grep -q "listening on" "$WORK/tcpdump.err" && break
	sleep 0.1
done
check "tcpe-stat --capture-start" stat_ --capture-start \
	"$WORK/engine.pcapng" host "$CLI" and port 80
check "ping (not captured: filter)" \
	timeout 10 "${NSX[@]}" ping -c 3 -i 0.2 -W 2 "$SRV"
python3 -c 'import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(100000)))' >"$WORK/pattern"
check "GET /bytes/100000" sh -c "timeout 20 ${NSX[*]} curl -sf $URL/bytes/100000 | cmp -s - $WORK/pattern"
check "POST /echo 3000 bytes" bash -c "head -c 3000 $WORK/pattern | timeout 20 ${NSX[*]} curl -sf --data-binary @- $URL/echo | cmp -s - <(head -c 3000 $WORK/pattern)"
urls=()
for ((i = 0; i < 40; i++)); do
	urls+=("$URL/bytes/$i")
done
check "40 HTTP/1.0 requests (the server closes first)" \
	timeout 30 "${NSX[@]}" curl -sf --http1.0 -o /dev/null "${urls[@]}"

# Two connections held: one idle after a reply, one not reading 8 MB.
"${NSX[@]}" timeout 60 python3 - "$SRV" "$WORK/held" "$WORK/release" <<'EOF' &
import os, socket, sys, time
srv, out, release = sys.argv[1:4]
idle = socket.create_connection((srv, 80))
idle.sendall(b"GET /bytes/10 HTTP/1.1\r\nHost: t\r\n\r\n")
got = b""
while not got.endswith(b"\r\n\r\n" + bytes(range(10))):
    got += idle.recv(4096)
stuck = socket.socket()
stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
stuck.connect((srv, 80))
stuck.sendall(b"GET /bytes/8000000 HTTP/1.1\r\nHost: t\r\n\r\n")
with open(out + ".tmp", "w") as f:
    f.write("%d %d\n" % (idle.getsockname()[1], stuck.getsockname()[1]))
os.rename(out + ".tmp", out)
while not os.path.exists(release):
    time.sleep(0.05)
idle.close()
stuck.close()
EOF
HOLD_PID=$!
for ((i = 0; i < 100; i++)); do
	[[ -f "$WORK/held" ]] && break
	sleep 0.1
done
read -r IDLE_PORT STUCK_PORT <"$WORK/held" || { bad "held connections"; exit 1; }
echo "held: idle from port $IDLE_PORT, not reading from port $STUCK_PORT"
sleep 1 # the unread reply fills the windows

say "2. tcpe-stat shows what a user expects"
stat_ -a >"$WORK/ss.txt"
head -12 "$WORK/ss.txt"
echo "..."
"${NSX[@]}" ss -tnH state established "( dport = :80 )" >"$WORK/kernel_ss.txt"
n=0
while read -r _ _ l r _; do
	n=$((n + 1))
	lp=${l##*:}
	if grep -Eq "^ESTAB +[0-9]+ +[0-9]+ +$SRV:80 +$CLI:$lp +worker:[0-9]+ lcore:[0-9]+" "$WORK/ss.txt"; then
		ok "kernel's $l -> $r is tcpe-stat's ESTAB $SRV:80 $CLI:$lp"
	else
		bad "kernel's $l -> $r not in tcpe-stat -a as ESTAB"
	fi
done <"$WORK/kernel_ss.txt"
check "the kernel has 2 established connections to port 80 ($n)" test "$n" -eq 2
line=$(grep -A1 -E "^ESTAB .* $CLI:$STUCK_PORT " "$WORK/ss.txt")
echo "$line"
sendq=$(awk 'NR == 1 { print $3 }' <<<"$line")
check "the unread reply: Send-Q $sendq > 0" test "${sendq:-0}" -gt 0
check "the unread reply: a retransmission/persist timer, rto, rtt, cwnd" \
	grep -Eq "timer:\(on,[0-9.]+(ms|sec),[0-9]+\) rto:[0-9.]+ rtt:[0-9.]+/[0-9.]+ mss:1460 cwnd:[0-9]+" <<<"$line"
line=$(grep -A1 -E "^ESTAB .* $CLI:$IDLE_PORT " "$WORK/ss.txt")
check "the idle connection: Recv-Q 0 Send-Q 0, rtt > 0" \
	grep -Eq "^ESTAB +0 +0 .*|rtt:0*[1-9.]" <<<"$line"
ntw=$(grep -Ec "^TIME-WAIT .* tw$" "$WORK/ss.txt")
check "40 TIME-WAIT records ($ntw), each with timer:(timewait,...)" \
	sh -c "test $ntw -eq 40 && test \$(grep -Ec 'timer:\\(timewait,[0-9.]+(ms|sec),0\\)' $WORK/ss.txt) -ge 40"
check "the listener: LISTEN 0 4096 *:80" grep -Eq "^LISTEN +0 +[0-9]+ +\*:80 " "$WORK/ss.txt"

stat_ -s >"$WORK/summary.txt"
cat "$WORK/summary.txt"
check "tcpe-stat -s: ESTAB 2, TIME-WAIT 40, LISTEN 1" \
	sh -c "grep -Eq '^ESTAB +2$' $WORK/summary.txt && grep -Eq '^TIME-WAIT +40$' $WORK/summary.txt && grep -Eq '^LISTEN +1$' $WORK/summary.txt"

stat_ >"$WORK/stat.txt"
COUNTERS=$WORK/stat.txt
expect_counter Tcp PassiveOpens ge 44
expect_counter Tcp CurrEstab eq 2
expect_counter Tcp InErrs eq 0
expect_counter Port rx_pkts gt 100
expect_counter Port icmp_echo ge 4
expect_counter Engine Conns eq 43
expect_counter Engine TimeWaitRecords eq 40
expect_counter Engine MbufsInUse gt 0
expect_counter Engine TimersPending ge 1
STAT_PASSIVE=$(counter Tcp PassiveOpens)
unset COUNTERS

t0=$(date +%s.%N)
stat_ -w -c 2 -s >"$WORK/watch.txt"
t1=$(date +%s.%N)
check "tcpe-stat -w -c 2: two refreshes, about 1 s apart" \
	sh -c "test \$(grep -c '^--- tcpe-stat' $WORK/watch.txt) -eq 2 && python3 -c 'import sys; sys.exit(not 0.9 <= $t1 - $t0 < 5)'"
echo /tcpe/states | timeout 20 "${NSX[@]}" dpdk-telemetry.py -f "$PREFIX" >"$WORK/dt.txt" 2>&1
check "dpdk-telemetry.py -f $PREFIX reads /tcpe/states" \
	grep -q '"/tcpe/states": {"CLOSED": 0, "LISTEN": 1' "$WORK/dt.txt"

say "3. telemetry output format (JSON)"
check "telemetry_check.py" timeout 60 "${NSX[@]}" python3 "$HERE/telemetry_check.py" \
	"$SOCK" 44 43

say "4. the engine's capture against the kernel's"
touch "$WORK/release"
wait "$HOLD_PID"
HOLD_PID=
sleep 1 # the closes' segments, both ways
stat_ --capture-stop | tee "$WORK/capstop.txt"
check "capture stopped, nothing dropped" grep -q "dropped 0," "$WORK/capstop.txt"
stop_pid "$TPID" INT 5
TPID=
# Segments without their times, per direction.
norm() {
	tcpdump -nn -S -r "$1" 'tcp port 80' 2>/dev/null | cut -d' ' -f2- >"$2"
	grep "^IP $CLI\." "$2" >"$2.c2s"
	grep "^IP $SRV\." "$2" >"$2.s2c"
}
norm "$WORK/engine.pcapng" "$WORK/engine.txt"
norm "$WORK/kernel.pcap" "$WORK/kernel.txt"
ne=$(wc -l <"$WORK/engine.txt")
nk=$(wc -l <"$WORK/kernel.txt")
echo "engine capture: $ne segments, kernel capture: $nk segments"
head -3 "$WORK/engine.txt"
check "the engine's capture holds the exchange ($ne > 200 segments)" test "$ne" -gt 200
check "client -> server: the same segments in both captures" \
	diff -u "$WORK/kernel.txt.c2s" "$WORK/engine.txt.c2s"
check "server -> client: the same segments in both captures" \
	diff -u "$WORK/kernel.txt.s2c" "$WORK/engine.txt.s2c"
nother=$(tcpdump -nn -r "$WORK/engine.pcapng" 'not (tcp port 80)' 2>/dev/null | wc -l)
check "the filter kept out ARP and ICMP ($nother frames)" test "$nother" -eq 0
if command -v tshark >/dev/null 2>&1; then
	check "tshark reads the pcapng" sh -c "tshark -r $WORK/engine.pcapng 2>/dev/null | wc -l | grep -qx $ne"
fi

say "5. final counters and the debug trace"
stop_server
expect_counter Tcp PassiveOpens eq "$STAT_PASSIVE"
check "the log traces transitions: SYN_RECEIVED => ESTABLISHED" \
	grep -Eq "TCPE: w[0-9]+ $SRV:80 $CLI:[0-9]+ SYN_RECEIVED => ESTABLISHED" "$WORK/server.log"
check "the log traces transitions: ... => TIME_WAIT" \
	grep -Eq "TCPE: w[0-9]+ $SRV:80 $CLI:[0-9]+ [A-Z_0-9]+ => TIME_WAIT" "$WORK/server.log"
check "the log names the capture" grep -q "TCPE: capture: stopped" "$WORK/server.log"

say "obs-tap summary"
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "obs-tap: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
