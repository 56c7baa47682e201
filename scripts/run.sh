#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The project's main job (README "The two commands").
#
#   ./scripts/run.sh            tcpe-httpd serving a real client: build,
#                               create a network namespace, run tcpe-httpd
#                               in it on net_tap with the default
#                               configuration (config/tcpe.conf), curl it
#                               from the namespace (the responses are
#                               printed), stop it with SIGINT (it prints
#                               its final counters), clean up
#   ./scripts/run.sh demo [--seed N --bytes N --quiet]
#                               the core demo: two tcpe stacks in one
#                               process over a simulated wire (no DPDK)
#
# Installs missing Debian packages first and builds in build/. The httpd
# run needs root (network namespace, tap device); it uses 198.18.0.2 for
# tcpe and 198.18.0.1 for the kernel side, only inside its own namespace
# (tcpe-run-<pid>), which it always deletes.
set -euo pipefail

cd "$(dirname "$0")/.."

build() {
	local log
	log=$(mktemp)
	if [[ ! -f build/build.ninja ]] && ! meson setup build >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	if ! ninja -C build "$@" >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}

./scripts/deps.sh

if [[ "${1:-}" == demo ]]; then
	shift
	build apps/demo/tcpe-demo
	exec ./build/apps/demo/tcpe-demo "$@"
fi
if [[ $# -gt 0 ]]; then
	echo "usage: $0 [demo [tcpe-demo options]]" >&2
	exit 2
fi

build apps/httpd/tcpe-httpd
if [[ $(id -u) -ne 0 ]]; then
	echo "run.sh: tcpe-httpd on net_tap needs root (network namespace," \
	    "tap device); ./scripts/run.sh demo runs without" >&2
	exit 1
fi

CONF=config/tcpe.conf
NS=tcpe-run-$$
# From config/tcpe.conf: [port] vdev = net_tap0,iface=tcpe0, addr.
IFACE=tcpe0
SRV=198.18.0.2
CLI=198.18.0.1
NSX=(ip netns exec "$NS")
LOG=$(mktemp /tmp/tcpe-run.XXXXXX)
SPID=

cleanup() {
	local i
	trap - EXIT INT TERM
	if [[ -n "$SPID" ]] && kill -0 "$SPID" 2>/dev/null; then
		kill -INT "$SPID" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SPID" 2>/dev/null || true
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -f "$LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() {
	if [[ -t 1 ]]; then
		printf '\n\033[1m$ %s\033[0m\n' "$*"
	else
		printf '\n$ %s\n' "$*"
	fi
}

ip netns add "$NS"
"${NSX[@]}" ip link set lo up
say "ip netns exec $NS ./build/apps/httpd/tcpe-httpd --config $CONF &"
"${NSX[@]}" ./build/apps/httpd/tcpe-httpd --config "$CONF" >"$LOG" 2>&1 &
SPID=$!

# The tap PMD creates tcpe0 while the EAL starts; the kernel side gets
# the port's MAC: give it its own, the client address, and bring it up.
for ((i = 0; i < 150; i++)); do
	"${NSX[@]}" ip link show "$IFACE" >/dev/null 2>&1 && break
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.2
done
if ! "${NSX[@]}" ip link show "$IFACE" >/dev/null 2>&1; then
	cat "$LOG"
	echo "run.sh: tcpe-httpd did not create $IFACE" >&2
	exit 1
fi
"${NSX[@]}" sysctl -qw "net.ipv6.conf.$IFACE.disable_ipv6=1" || true
"${NSX[@]}" ip link set "$IFACE" address 02:00:00:00:00:01
"${NSX[@]}" ip addr add "$CLI/24" dev "$IFACE"
"${NSX[@]}" ip link set "$IFACE" up
for ((i = 0; i < 300; i++)); do
	grep -q ': ready$' "$LOG" && break
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.1
done
cat "$LOG"
if ! grep -q ': ready$' "$LOG"; then
	echo "run.sh: tcpe-httpd did not start" >&2
	exit 1
fi
shown=$(wc -l <"$LOG")

CURL=("${NSX[@]}" timeout 30 curl -sS --max-time 20)
say "ping -c 2 $SRV"
"${NSX[@]}" timeout 10 ping -c 2 -i 0.2 -W 2 "$SRV"
say "curl -i http://$SRV/"
"${CURL[@]}" -i "http://$SRV/"
say "curl -s http://$SRV/bytes/20 | od -A d -t u1   (byte i is i mod 251)"
"${CURL[@]}" "http://$SRV/bytes/20" | od -A d -t u1
say "curl -o /dev/null http://$SRV/bytes/10000000   (10 MB from attached static memory)"
"${CURL[@]}" -o /dev/null -w '%{size_download} bytes in %{time_total} s\n' \
	"http://$SRV/bytes/10000000"
say "curl -i --data-binary 'hello, tcpe' http://$SRV/echo"
"${CURL[@]}" -i --data-binary 'hello, tcpe' "http://$SRV/echo"
echo
say "curl -i -0 http://$SRV/nope   (HTTP/1.0: the server closes first)"
"${CURL[@]}" -i -0 "http://$SRV/nope"
if command -v ab >/dev/null 2>&1; then
	say "ab -n 2000 -c 50 -k http://$SRV/"
	"${NSX[@]}" timeout 60 ab -q -n 2000 -c 50 -k "http://$SRV/" |
		grep -E '^(Complete|Failed|Non-2xx|Keep-Alive|Requests per second|Time per request)'
fi

say "kill -INT tcpe-httpd"
sleep 0.5
kill -INT "$SPID"
rc=0
wait "$SPID" || rc=$?
SPID=
tail -n +"$((shown + 1))" "$LOG"
echo
echo "run.sh: tcpe-httpd exited with status $rc"
exit "$rc"
