# shellcheck shell=bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Shared helpers of the net_tap integration tests (httpd_tap.sh,
# synflood_tap.sh), sourced, never run. The sourcing script sets first:
#
#   HTTPD      the tcpe-httpd binary
#   NS, NSX    its network namespace and (ip netns exec "$NS")
#   IFACE      the tap's kernel interface name
#   PREFIX     the EAL file prefix (/var/run/dpdk/$PREFIX)
#   SRV, SRV_MAC  the engine's address and MAC
#   CLI, CLI_MAC  the kernel side's address (/24) and MAC
#
# and may set SERVER_TIMEOUT (seconds tcpe-httpd may run, default 280),
# FAIL_LOG (the log whose tail cleanup prints when the script fails,
# default $WORK/server.log) and COUNTERS (the log counter reads, default
# $WORK/server.log). It installs the traps itself:
#
#   trap cleanup EXIT
#   trap 'exit 130' INT TERM

SPID=
TPID=
WORK=
passed=0
failed=0
failures=()

say() {
	printf '\n=== %s\n' "$*"
}

ok() {
	passed=$((passed + 1))
	echo "ok: $*"
}

bad() {
	failed=$((failed + 1))
	failures+=("$*")
	echo "FAILED: $*"
}

# check NAME CMD...: one check, passed when CMD exits 0.
check() {
	local name=$1
	shift
	if "$@"; then
		ok "$name"
	else
		bad "$name"
	fi
}

server_alive() {
	[[ -n "$SPID" ]] && kill -0 "$SPID" 2>/dev/null
}

stop_pid() {
	local pid=$1 sig=$2 secs=$3 i
	kill "-$sig" "$pid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	# timeout(1) runs the server in its own process group.
	kill -KILL -- "-$pid" 2>/dev/null
	kill -KILL "$pid" 2>/dev/null
	return 1
}

# The EXIT trap: stops what the script started (tcpdump in TPID, the
# server in SPID, then anything left in the namespace, which only the
# script put there), deletes the namespace and the EAL runtime directory,
# prints the server log's tail on failure, removes WORK unless
# TCPE_IT_KEEP=1. A function cleanup_hook, if the script defines one,
# runs first.
cleanup() {
	local rc=$? pids log
	trap - EXIT INT TERM
	if declare -F cleanup_hook >/dev/null; then
		cleanup_hook
	fi
	[[ -n "$TPID" ]] && stop_pid "$TPID" INT 5
	if server_alive; then
		echo "cleanup: stopping tcpe-httpd (pid $SPID)"
		stop_pid "$SPID" TERM 10 || echo "cleanup: tcpe-httpd killed"
	fi
	if ip netns list 2>/dev/null | grep -qw "$NS"; then
		# Anything still running in our namespace was started here.
		pids=$(ip netns pids "$NS" 2>/dev/null)
		for p in $pids; do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$NS" 2>/dev/null || echo "cleanup: ip netns del $NS failed"
	fi
	rm -rf "/var/run/dpdk/$PREFIX"
	if [[ -n "$WORK" ]]; then
		log=${FAIL_LOG:-$WORK/server.log}
		if [[ $rc -ne 0 && -f "$log" ]]; then
			echo "--- server log (last 80 lines)"
			tail -n 80 "$log"
		fi
		if [[ "${TCPE_IT_KEEP:-0}" == 1 ]]; then
			echo "work directory kept: $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$rc"
}

# start_server LOG [ARGS...]: run tcpe-httpd in the namespace on the tap
# (ARGS after the port, address, MAC and file prefix: more --set options,
# then -- and the server's own), configure the kernel side of its tap,
# wait for "ready". Returns non-zero (after a FAILED line) if it does not
# come up.
start_server() {
	local log=$1 i
	shift
	"${NSX[@]}" timeout -k 10 "${SERVER_TIMEOUT:-280}" "$HTTPD" \
		--set "port.vdev=net_tap0,iface=$IFACE" \
		--set "port.addr=$SRV" \
		--set "port.mac=$SRV_MAC" \
		--set "eal.file_prefix=$PREFIX" \
		"$@" >"$log" 2>&1 &
	SPID=$!
	# The tap PMD creates the kernel interface while the EAL probes it.
	for ((i = 0; i < 150; i++)); do
		"${NSX[@]}" ip link show "$IFACE" >/dev/null 2>&1 && break
		server_alive || break
		sleep 0.2
	done
	if ! "${NSX[@]}" ip link show "$IFACE" >/dev/null 2>&1; then
		cat "$log"
		bad "tap interface $IFACE did not appear"
		return 1
	fi
	# Kernel side: its own MAC (the PMD gives it the port's), our
	# address, no offloads (segments on the wire as sent), no IPv6.
	"${NSX[@]}" sysctl -qw "net.ipv6.conf.$IFACE.disable_ipv6=1" || true
	if ! { timeout 10 "${NSX[@]}" ip link set "$IFACE" address "$CLI_MAC" &&
	    timeout 10 "${NSX[@]}" ip addr add "$CLI/24" dev "$IFACE" &&
	    timeout 10 "${NSX[@]}" ip link set "$IFACE" up; }; then
		bad "configure $IFACE"
		return 1
	fi
	timeout 10 "${NSX[@]}" ethtool -K "$IFACE" gro off gso off tso off \
		tx off >/dev/null 2>&1 || echo "note: ethtool -K $IFACE partly refused"
	for ((i = 0; i < 600; i++)); do
		grep -q ': ready$' "$log" && break
		server_alive || break
		sleep 0.1
	done
	if ! grep -q ': ready$' "$log"; then
		cat "$log"
		bad "tcpe-httpd did not print ready"
		return 1
	fi
	grep -E '^tcpe: port|: ready$' "$log"
}

# stop_server: SIGTERM, wait up to 30 s; fails unless it exits 0.
stop_server() {
	local i rc
	if ! server_alive; then
		bad "tcpe-httpd died before SIGTERM"
		wait "$SPID"
		echo "exit status $?"
		SPID=
		return 1
	fi
	kill -TERM "$SPID"
	for ((i = 0; i < 300; i++)); do
		server_alive || break
		sleep 0.1
	done
	if server_alive; then
		bad "tcpe-httpd still running 30 s after SIGTERM"
		return 1
	fi
	wait "$SPID"
	rc=$?
	SPID=
	check "tcpe-httpd exits 0 after SIGTERM (rc $rc)" test "$rc" -eq 0
}

# counter GROUP NAME: the value of "    NAME: value" under "GROUP:" in the
# server's final counters (tcpe_print_counters and httpd's own) in
# $COUNTERS (default $WORK/server.log), empty if absent.
counter() {
	awk -v g="$1:" -v n="$2:" '
		/^[A-Za-z]+:$/ { grp = $1; next }
		grp == g && $1 == n && $2 ~ /^[0-9]+$/ { print $2; exit }
	' "${COUNTERS:-$WORK/server.log}"
}

# expect_counter GROUP NAME OP VALUE
expect_counter() {
	local v
	v=$(counter "$1" "$2")
	if [[ -z "$v" ]]; then
		bad "counter $1 $2 not printed"
	elif test "$v" "-$3" "$4"; then
		ok "counter $1 $2 = $v ($3 $4)"
	else
		bad "counter $1 $2 = $v, expected $3 $4"
	fi
}
