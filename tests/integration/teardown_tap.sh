#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Integration test of connection teardown (issue 4): tcpe-httpd on net_tap
# against the kernel's TCP, with short timers (meson test 'teardown-tap',
# suite 'integration').
#
#   tests/integration/teardown_tap.sh [path/to/tcpe-httpd]
#
# Creates its own network namespace (tcpe-td-<pid>), tap (tdt<pid>) and
# EAL file prefix (tcpe-td-<pid>); the engine is 198.18.0.2, the kernel
# side 198.18.0.1/24. The engine's states are read while it runs from the
# report tcpe-httpd prints on SIGUSR1 (tcpe_print_states() and the
# counters); the kernel's with ss in the namespace (teardown_client.py).
# Three runs of the server, all with tcp_timewait_len=$TW_LEN,
# tcp_fin_timeout=$FIN_TIMEOUT and --lingering-timeout $LINGERING:
#
#  run 1 (defaults otherwise):
#   (a) the engine closes first: N_CLOSE clients send "Connection: close"
#       and read to EOF: the engine holds exactly N_CLOSE TIME_WAIT and
#       nothing else, no orphan; the kernel none; tcp_timewait_len later
#       the engine holds none.
#   (b) the kernel closes first: N_KA keep-alive clients close after their
#       response: the engine ends with no TIME_WAIT, LAST_ACK, CLOSE_WAIT;
#       the kernel holds the N_KA TIME-WAITs.
#   (h) the kernel resets N_RESET keep-alive connections: tcpe-httpd sees
#       errors (resets), not ends of stream; nothing left on either side.
#   (f) CLOSE_WAIT on the engine: a client sends a request for a body
#       larger than the buffers and shuts its side down at once, then
#       reads nothing for a while: the engine (the application still
#       holding the socket, sending the body) stays in CLOSE_WAIT, the
#       kernel in FIN-WAIT-2; once the client reads, the engine closes
#       (LAST_ACK, then nothing) and the kernel ends in TIME-WAIT.
#   (c) FIN_WAIT_2: a client reads the response to "Connection: close" and
#       then neither sends nor closes: the engine is in FIN_WAIT_2, held
#       by tcpe-httpd's lingering close, then an orphan once the lingering
#       close is given up, still there before tcp_fin_timeout, gone after
#       it (silently: the kernel socket stays in CLOSE-WAIT, no RST).
#   The capture of run 1 holds no RST from the engine.
#  run 2 (--linger 0):
#   (d) an abortive close: the whole response, then an RST from the engine
#       (tcpdump), TCPAbortOnData, no TIME_WAIT on either side.
#  run 3 (tcp_max_tw_buckets=10, --linger $LINGER_N):
#   (e) N_TW engine-closed connections: TIME_WAIT stays at 10,
#       TCPTimeWaitOverflow counts the other N_TW - 10.
#   (g) SO_LINGER {1, n}: a client with a small receive buffer that reads
#       nothing: the response and FIN stuck behind its zero window, the
#       lingering close given up, the orphan in FIN_WAIT_1 is reset n s
#       after tcpe_close() (TCPAbortOnLinger); the client reads part of the
#       body, then the reset.
#  After each run: SIGTERM, exit status 0, no connection left open by the
#  server, no internal error, no frame dropped, mbufs in use back to the
#  count of the idle engine (its first report, before any traffic).
#
# Needs root. Every step is bounded by timeout(1) (the whole script by
# about 120 s); the EXIT trap stops tcpdump and the server by PID, deletes
# the namespace and /var/run/dpdk/<prefix>. Exits 0 when every check
# passed, 1 otherwise, 77 (skip) when not root. TCPE_IT_KEEP=1 keeps the
# work directory.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=${1:-$HERE/../../build/apps/httpd/tcpe-httpd}
CLIENT=$HERE/teardown_client.py

NS=tcpe-td-$$
IFACE=tdt$$
PREFIX=tcpe-td-$$
SRV=198.18.0.2
CLI=198.18.0.1
SRV_MAC=02:00:00:00:00:02
CLI_MAC=02:00:00:00:00:01
SERVER_TIMEOUT=100

TW_LEN=5		# tcp_timewait_len, s
FIN_TIMEOUT=3		# tcp_fin_timeout, s
LINGERING=1		# tcpe-httpd --lingering-timeout, s
LINGER_N=2		# SO_LINGER {1, n} of run 3
N_CLOSE=200
N_KA=50
N_ABORT=5
N_RESET=5
N_TW=50
TW_MAX=10

NSX=(ip netns exec "$NS")
. "$HERE/lib.sh"

trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
	echo "teardown_tap: needs root for network namespaces: skipped"
	exit 77
fi
if [[ ! -x "$HTTPD" ]]; then
	echo "teardown_tap: $HTTPD not built"
	exit 1
fi
for t in ip python3 tcpdump ethtool ss timeout pgrep awk; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "teardown_tap: $t not found (./scripts/deps.sh installs it)"
		exit 1
	fi
done
WORK=$(mktemp -d /tmp/tcpe-td.XXXXXX)
T0=$SECONDS
# The whole script is bounded: past TD_LIMIT s, SIGTERM to ourselves (the
# INT/TERM trap exits, the EXIT trap cleans up).
TD_LIMIT=${TD_LIMIT:-115}
(
	trap 'kill "$sp" 2>/dev/null; exit 0' TERM
	sleep "$TD_LIMIT" &
	sp=$!
	wait "$sp" || exit 0
	echo "teardown_tap: still running after $TD_LIMIT s: giving up"
	kill -TERM $$
) &
WPID=$!

# ---------------------------------------------------------------------------
# The running server: its log, the PID of tcpe-httpd itself (SPID is
# timeout(1)'s, which would die of SIGUSR1), its reports.
LOG=
HPID=
NREP=0
REP=

# run_server NAME ARGS...: start the server (tcpe options, -- and its
# own), find its PID, take the idle report.
run_server() {
	local name=$1 i
	shift
	LOG=$WORK/server_$name.log
	FAIL_LOG=$LOG
	NREP=0
	start_server "$LOG" --set "tcp.tcp_timewait_len=$TW_LEN" \
		--set "tcp.tcp_fin_timeout=$FIN_TIMEOUT" "$@" || return 1
	HPID=
	for ((i = 0; i < 50; i++)); do
		HPID=$(pgrep -P "$SPID" 2>/dev/null | head -n 1)
		[[ -n "$HPID" ]] && break
		sleep 0.1
	done
	if [[ -z "$HPID" ]]; then
		bad "$name: no tcpe-httpd process under timeout (pid $SPID)"
		return 1
	fi
	report idle || return 1
	IDLE_INUSE=$(COUNTERS=$REP counter Mbufs InUse)
	echo "idle engine: $IDLE_INUSE mbufs in use"
}

# report TAG: SIGUSR1, wait for the report, keep it in REP
# ($WORK/<run>_<n>_<tag>.txt) and print its States line.
report() {
	local i
	NREP=$((NREP + 1))
	REP=$WORK/$(basename "$LOG" .log)_${NREP}_$1.txt
	kill -USR1 "$HPID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		grep -q "^tcpe-httpd: end of report $NREP\$" "$LOG" && break
		sleep 0.1
	done
	sed -n "/^tcpe-httpd: report $NREP\$/,/^tcpe-httpd: end of report $NREP\$/p" \
		"$LOG" >"$REP"
	if ! grep -q '^States:' "$REP"; then
		bad "report $NREP ($1): no States line after SIGUSR1"
		return 1
	fi
	echo "[$(date +%T.%N | cut -c1-12)] $1: $(grep '^States:' "$REP")"
}

# wait_st NAME VALUE SECS TAG: reports until NAME is VALUE, for at most
# SECS s (what the kernel sends may lag what the client saw: a delayed
# ACK); the caller checks the last report.
wait_st() {
	local end=$((SECONDS + $3))
	while :; do
		report "$4" || return 1
		[[ "$(st "$1")" == "$2" ]] && return 0
		((SECONDS >= end)) && return 0
		sleep 0.1
	done
}

# st NAME: the count of NAME (a state, or Orphans) in the last report.
st() {
	awk -v k="$1" '/^States:/ {
		for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit }
	}' "$REP"
}

# expect_st NAME OP VALUE [WHAT]
expect_st() {
	local v
	v=$(st "$1")
	if [[ -z "$v" ]]; then
		bad "${4:-}: $1 not in the States line"
	elif test "$v" "-$2" "$3"; then
		ok "${4:+$4: }engine $1 = $v ($2 $3)"
	else
		bad "${4:+$4: }engine $1 = $v, expected $2 $3"
	fi
}

# expect_rep GROUP NAME OP VALUE: a counter of the last report.
expect_rep() {
	COUNTERS=$REP expect_counter "$@"
}

# only_states WHAT S...: every state of the report not named is 0.
only_states() {
	local what=$1 s
	shift
	for s in ESTABLISHED SYN_SENT SYN_RECEIVED FIN_WAIT_1 FIN_WAIT_2 \
	    TIME_WAIT CLOSE_WAIT LAST_ACK CLOSING; do
		[[ " $* " == *" $s "* ]] && continue
		expect_st "$s" eq 0 "$what"
	done
}

# client NAME MODE ARG: run teardown_client.py in the namespace (bounded).
client() {
	local name=$1
	shift
	if timeout 60 "${NSX[@]}" python3 "$CLIENT" "$SRV" 80 "$@" \
	    >"$WORK/client_$name.log" 2>&1; then
		grep '^info:' "$WORK/client_$name.log"
		ok "client $name ($(grep -c '^ok:' "$WORK/client_$name.log") assertions)"
		return 0
	fi
	cat "$WORK/client_$name.log"
	bad "client $name"
	return 1
}

# client_bg NAME MODE ARG: the same in the background (CPID); wait_line
# PATTERN waits for its log to show PATTERN.
client_bg() {
	local name=$1
	shift
	CLOG=$WORK/client_$name.log
	CNAME=$name
	timeout 60 "${NSX[@]}" python3 "$CLIENT" "$SRV" 80 "$@" >"$CLOG" 2>&1 &
	CPID=$!
}

wait_line() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q "$1" "$CLOG" && return 0
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q "$1" "$CLOG"
}

client_wait() {
	if wait "$CPID"; then
		grep '^info:' "$CLOG"
		ok "client $CNAME ($(grep -c '^ok:' "$CLOG") assertions)"
	else
		cat "$CLOG"
		bad "client $CNAME"
	fi
	CPID=
}

cleanup_hook() {
	[[ -n "${CPID:-}" ]] && kill "$CPID" 2>/dev/null
	[[ -n "${WPID:-}" ]] && kill "$WPID" 2>/dev/null
	return 0
}

# Kernel sockets of the namespace in TIME-WAIT.
kernel_tw() {
	timeout 10 "${NSX[@]}" ss -tanH state time-wait | wc -l
}

# capture_start NAME / capture_stop: tcpdump of the tap (TPID).
capture_start() {
	local i
	CAP=$WORK/$1.pcap
	"${NSX[@]}" timeout -s INT 100 tcpdump -i "$IFACE" -nn -U --immediate-mode -s 128 \
		-w "$CAP" tcp >"$WORK/$1.tcpdump.log" 2>&1 &
	TPID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q 'listening on' "$WORK/$1.tcpdump.log" && break
		sleep 0.1
	done
}

capture_stop() {
	sleep 0.3
	stop_pid "$TPID" INT 5
	TPID=
}

# finish NAME: SIGTERM, exit 0, the final counters in $WORK/final_NAME.txt
# (COUNTERS) and the checks every run shares.
finish() {
	local name=$1 live lis tw c
	stop_server
	sed -n '/stopping/,$p' "$LOG" >"$WORK/final_$name.txt"
	COUNTERS=$WORK/final_$name.txt
	grep -E '^States:' "$COUNTERS"
	expect_counter Httpd OpenAtExit eq 0
	expect_counter Httpd Responses500 eq 0
	expect_counter Httpd NoBufs eq 0
	expect_counter Httpd NoConnMem eq 0
	for c in rx_bad_ip rx_ip_csum rx_bad_tcp rx_tcp_csum tx_nombuf \
	    tx_dropped arp_pending_drop arp_unresolved; do
		expect_counter Port "$c" eq 0
	done
	expect_counter Tcp InErrs eq 0
	live=$(counter Conns Live)
	lis=$(counter Conns LISTEN)
	tw=$(counter Conns TIME_WAIT)
	check "$name: engine connections left at exit: Live $live = LISTEN ${lis:-0} + TIME_WAIT ${tw:-0}" \
		test "${live:-x}" = "$((${lis:-0} + ${tw:-0}))"
	expect_counter Conns Orphans eq 0
	expect_counter Mbufs InUse eq "$IDLE_INUSE"
}

timeout 10 ip netns add "$NS" || exit 1
timeout 10 "${NSX[@]}" ip link set lo up || exit 1

# ===========================================================================
run1() {
	say "run 1: tcp_timewait_len=$TW_LEN tcp_fin_timeout=$FIN_TIMEOUT --lingering-timeout $LINGERING"
	run_server run1 -- --port 80 --lingering-timeout "$LINGERING" || exit 1
	only_states "idle"
	expect_st LISTEN eq 1 "idle"
	capture_start run1

	say "(a) the engine closes first: $N_CLOSE x Connection: close"
	t=$SECONDS
	client close close "$N_CLOSE"
	report after_close
	if ((SECONDS - t >= TW_LEN)); then
		echo "note: the clients took $((SECONDS - t)) s, TIME_WAIT may have begun to expire"
	fi
	expect_st TIME_WAIT eq "$N_CLOSE" "(a)"
	only_states "(a)" TIME_WAIT
	expect_st Orphans eq 0 "(a) TIME_WAIT records are not orphans"
	expect_rep Httpd ServerCloses eq "$N_CLOSE"
	n=$(kernel_tw)
	check "(a) kernel sockets in TIME-WAIT: $n (expected 0)" test "$n" -eq 0
	sleep $((TW_LEN + 2))
	report after_timewait_len
	only_states "(a) $((TW_LEN + 2)) s later"
	expect_rep Conns Live eq 1

	say "(b) the kernel closes first: $N_KA keep-alive clients"
	ktw0=$(kernel_tw)
	client keepalive keepalive "$N_KA"
	sleep 0.5
	report after_keepalive
	only_states "(b)"
	expect_st Orphans eq 0 "(b)"
	expect_rep Httpd ClientCloses eq "$N_KA"
	n=$(($(kernel_tw) - ktw0))
	check "(b) new kernel sockets in TIME-WAIT: $n (expected $N_KA)" test "$n" -eq "$N_KA"

	say "(h) the client resets $N_RESET keep-alive connections"
	client reset reset "$N_RESET"
	sleep 0.3
	report after_reset
	only_states "(h)"
	expect_st Orphans eq 0 "(h)"
	# A reset reaches the application as an error, never as an EOF.
	expect_rep Httpd Failed eq "$N_RESET"
	expect_rep Httpd ClientCloses eq "$N_KA"
	expect_rep Tcp EstabResets eq "$N_RESET"

	say "(f) CLOSE_WAIT: the client shuts its side down, then reads late"
	client_bg halfclose halfclose 2
	if wait_line '^info: halfclosed'; then
		wait_st CLOSE_WAIT 1 1 halfclosed
		expect_st CLOSE_WAIT eq 1 "(f) client FIN received, body still queued"
		expect_st Orphans eq 0 "(f) held by the application"
		sleep 1.5
		report halfclosed_later
		expect_st CLOSE_WAIT eq 1 "(f) 1.5 s later"
	fi
	client_wait
	sleep 0.3
	report after_halfclose
	only_states "(f) after the client read"

	say "(c) FIN_WAIT_2: the client reads to EOF and then does nothing"
	HOLD=$((LINGERING + FIN_TIMEOUT + 3))
	client_bg hold hold "$HOLD"
	if wait_line '^info: holding'; then
		t0=$(date +%s.%N)
		wait_st FIN_WAIT_2 1 1 holding
		expect_st FIN_WAIT_2 eq 1 "(c) our FIN acknowledged"
		expect_st Orphans eq 0 "(c) the lingering close holds it"
		# The lingering close is given up at LINGERING s: an orphan then,
		# tcp_fin_timeout more.
		sleep "$(awk -v t0="$t0" -v d="$LINGERING" -v now="$(date +%s.%N)" \
			'BEGIN { s = t0 + d + 0.7 - now; print (s > 0 ? s : 0) }')"
		report orphan
		expect_st FIN_WAIT_2 eq 1 "(c) after the lingering timeout"
		expect_st Orphans eq 1 "(c) after the lingering timeout"
		expect_rep Httpd LingerTimeouts eq 1
		sleep "$(awk -v t0="$t0" -v d="$((LINGERING + FIN_TIMEOUT))" -v now="$(date +%s.%N)" \
			'BEGIN { s = t0 + d - 1 - now; print (s > 0 ? s : 0) }')"
		report before_fin_timeout
		expect_st FIN_WAIT_2 eq 1 "(c) 1 s before tcp_fin_timeout"
		sleep "$(awk -v t0="$t0" -v d="$((LINGERING + FIN_TIMEOUT))" -v now="$(date +%s.%N)" \
			'BEGIN { s = t0 + d + 1.5 - now; print (s > 0 ? s : 0) }')"
		report after_fin_timeout
		expect_st FIN_WAIT_2 eq 0 "(c) 1.5 s after tcp_fin_timeout"
		expect_st Orphans eq 0 "(c) 1.5 s after tcp_fin_timeout"
		only_states "(c) 1.5 s after tcp_fin_timeout"
	fi
	# The client checks its socket stayed in CLOSE-WAIT (no RST), then resets.
	client_wait
	capture_stop
	nrst=$(tcpdump -nn -r "$CAP" "src host $SRV and tcp[tcpflags] & tcp-rst != 0" 2>/dev/null | wc -l)
	nseg=$(tcpdump -nn -r "$CAP" 2>/dev/null | wc -l)
	check "run 1: no RST from the engine in $nseg segments ($nrst)" test "$nrst" -eq 0
	finish run1
	expect_counter TcpExt TCPAbortOnData eq 0
	expect_counter TcpExt TCPAbortOnClose eq 0
	expect_counter TcpExt TCPAbortOnTimeout eq 0
	expect_counter TcpExt TCPAbortOnLinger eq 0
	expect_counter TcpExt TCPTimeWaitOverflow eq 0
	expect_counter Httpd Failed eq "$N_RESET"
}

# ===========================================================================
run2() {
	say "run 2: --linger 0"
	run_server run2 -- --port 80 --lingering-timeout "$LINGERING" --linger 0 || exit 1
	capture_start run2

	say "(d) abortive close: response, then RST"
	ktw0=$(kernel_tw)
	client abort abort "$N_ABORT"
	sleep 0.3
	report after_abort
	only_states "(d)"
	expect_rep TcpExt TCPAbortOnData ge $((N_ABORT + 1))
	expect_rep Httpd AbortiveCloses eq $((N_ABORT + 1))
	n=$(($(kernel_tw) - ktw0))
	check "(d) new kernel sockets in TIME-WAIT: $n (expected 0)" test "$n" -eq 0
	capture_stop
	tcpdump -nn -r "$CAP" "src host $SRV" 2>/dev/null | tail -n 4 | sed 's/^/(d) last segments: /'
	# The abortive close is an RST+ACK <SEQ=SND.NXT> right after the
	# response; a bare RST <SEQ=SEG.ACK> may follow, the answer to the
	# client's ACK of the response arriving once the connection is gone.
	nrst=$(tcpdump -nn -r "$CAP" "src host $SRV and tcp[tcpflags] & (tcp-rst|tcp-ack) == (tcp-rst|tcp-ack)" \
		2>/dev/null | wc -l)
	check "(d) RST+ACK from the engine: $nrst (expected $((N_ABORT + 1)))" test "$nrst" -eq $((N_ABORT + 1))
	# Each comes after the response on its connection, at the sequence
	# number that follows it.
	nbad=$(tcpdump -nn -r "$CAP" "src host $SRV" 2>/dev/null | awk '
		{ c = $5; sub(/:$/, "", c) }
		/Flags \[R\.\]/ {
			s = $0; sub(/.* seq /, "", s); sub(/,.*/, "", s)
			if (!(c in end) || end[c] != s) bad++
			next
		}
		/Flags \[P?\.\], seq [0-9]+:[0-9]+/ {
			s = $0; sub(/.* seq [0-9]+:/, "", s); sub(/,.*/, "", s)
			end[c] = s
		}
		END { print bad + 0 }')
	check "(d) every RST+ACK of the engine follows the response, at its end ($nbad not)" test "$nbad" -eq 0
	finish run2
	expect_counter TcpExt TCPAbortOnData ge $((N_ABORT + 1))
}

# ===========================================================================
run3() {
	say "run 3: tcp_max_tw_buckets=$TW_MAX, --linger $LINGER_N"
	run_server run3 --set "tcp.tcp_max_tw_buckets=$TW_MAX" -- --port 80 \
		--lingering-timeout "$LINGERING" --linger "$LINGER_N" || exit 1

	say "(e) $N_TW engine-closed connections, $TW_MAX TIME_WAIT buckets"
	client tw close "$N_TW"
	report after_close
	expect_st TIME_WAIT le "$TW_MAX" "(e)"
	expect_st TIME_WAIT eq "$TW_MAX" "(e)"
	only_states "(e)" TIME_WAIT
	expect_rep TcpExt TCPTimeWaitOverflow ge $((N_TW - TW_MAX))
	expect_rep TcpExt TCPTimeWaitOverflow eq $((N_TW - TW_MAX))

	say "(g) SO_LINGER {1, $LINGER_N}: FIN stuck behind a zero window"
	client_bg stall stall $((LINGERING + LINGER_N + 2))
	if wait_line '^info: stalled'; then
		t0=$(date +%s.%N)
		wait_st FIN_WAIT_1 1 1 stalled
		expect_st FIN_WAIT_1 eq 1 "(g) response and FIN queued"
		sleep "$(awk -v t0="$t0" -v d="$LINGERING" -v now="$(date +%s.%N)" \
			'BEGIN { s = t0 + d + 0.7 - now; print (s > 0 ? s : 0) }')"
		report orphan
		expect_st FIN_WAIT_1 eq 1 "(g) closed by the application"
		expect_st Orphans eq 1 "(g) closed by the application"
		sleep "$(awk -v t0="$t0" -v d="$((LINGERING + LINGER_N))" -v now="$(date +%s.%N)" \
			'BEGIN { s = t0 + d + 1 - now; print (s > 0 ? s : 0) }')"
		report after_linger
		expect_st FIN_WAIT_1 eq 0 "(g) $LINGER_N s after the close"
		expect_st Orphans eq 0 "(g) $LINGER_N s after the close"
		expect_rep TcpExt TCPAbortOnLinger eq 1
	fi
	client_wait
	finish run3
	expect_counter TcpExt TCPAbortOnLinger eq 1
	expect_counter TcpExt TCPTimeWaitOverflow eq $((N_TW - TW_MAX))
}

# ===========================================================================
# TD_RUNS picks runs (default all): TD_RUNS="2 3" tests/integration/...
for r in ${TD_RUNS:-1 2 3}; do
	case $r in
	1 | 2 | 3) "run$r" ;;
	*) echo "teardown_tap: TD_RUNS: no run $r"; exit 1 ;;
	esac
done

say "teardown-tap summary ($((SECONDS - T0)) s)"
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "teardown-tap: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
