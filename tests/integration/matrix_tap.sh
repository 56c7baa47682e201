#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The loss matrix against the kernel over net_tap (issue 5 item 8): every
# byte must arrive intact in every cell, and the goodput of each cell is
# recorded so that regressions show.
#
#   tests/integration/matrix_tap.sh [--quick] [--bytes N] [--out FILE]
#                                   [--cells a,b] [--httpd PATH]
#
# Creates its own network namespace (tcpe-mx-<pid>) and runs, once per
# cell, tcpe-httpd in it on a net_tap port (198.18.0.2; the kernel side
# 198.18.0.1/24, offloads off) with the cell's fault injection on its port
# (--set fault.rx_*: frames from the kernel, fault.tx_*: frames to it;
# probabilities in ppm, a fixed seed per cell). From the namespace, curl
#  - downloads GET /bytes/N: the sha256 of the body must be the pattern's
#    (byte i = i mod 251), generated locally;
#  - POSTs N random bytes to /echo (tcpe-httpd --max-body N): the sha256
#    of the reply must be the input's. The echo streams both ways at once.
# N is 64 MiB (full profile, every cell) or 4 MiB (--quick: the cells
# marked quick). A cell fails on a wrong status or hash, a transfer that
# stalls (under 1000 B/s for 60 s) or exceeds its bound (--max-time), or
# tcpe-httpd not exiting 0 after SIGTERM; the other cells still run. For
# a failed cell the capture of its segments (tcpdump, headers only), the
# server's log and its curl logs are kept in <out>-failures/<cell>/.
#
# Recorded per cell in a TSV file (--out, default build/matrix-tap.tsv)
# and a table on stdout: seconds and Mbit/s of the download and of the
# echo (N bytes each way), the engine's counters (RetransSegs,
# TCPFastRetrans, TCPSackRecovery, TCPRenoRecovery, TCPTimeouts,
# TCPOFOQueue, TCPDSACKOldSent, TCPDSACKRecv, DropOutOfWindow, faults
# injected, TCPLossProbes, TCPLostRetransmit, TCPRackReoTimeouts)
# and the kernel's (nstat in the namespace: TcpRetransSegs,
# TcpExtTCPTimeouts, TcpExtTCPSackRecovery, TcpExtTCPFastRetrans,
# TcpExtTCPOFOQueue).
#
# Needs root (exits 77, skipped, otherwise). Every step is bounded by
# timeout(1), the whole script by a watchdog (--budget, default 3000 s
# full, 150 s quick); the EXIT trap stops tcpdump and the server by PID,
# deletes the namespace and /var/run/dpdk/<prefix>. Addresses only from
# 198.18.0.0/15. TCPE_IT_KEEP=1 keeps the work directory.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
HTTPD=$HERE/../../build/apps/httpd/tcpe-httpd
OUT=
QUICK=0
BYTES=
CELLS=
BUDGET=
MAX_TIME=

usage() {
	sed -n '3,40p' "$0" | sed 's/^# \{0,1\}//'
}

while [[ $# -gt 0 ]]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--bytes) BYTES=$2; shift ;;
	--out) OUT=$2; shift ;;
	--cells) CELLS=$2; shift ;;
	--httpd) HTTPD=$2; shift ;;
	--budget) BUDGET=$2; shift ;;
	--max-time) MAX_TIME=$2; shift ;;
	-h | --help) usage; exit 0 ;;
	*)
		# meson passes the binary as the only positional argument.
		if [[ -x "$1" && -z "${HTTPD_SET:-}" ]]; then
			HTTPD=$1
			HTTPD_SET=1
		else
			echo "matrix_tap: unknown argument $1" >&2
			exit 2
		fi
		;;
	esac
	shift
done
if [[ $QUICK -eq 1 ]]; then
	BYTES=${BYTES:-$((4 << 20))}
	BUDGET=${BUDGET:-150}
	MAX_TIME=${MAX_TIME:-60}
	OUT=${OUT:-$HERE/../../build/matrix-tap-quick.tsv}
else
	BYTES=${BYTES:-$((64 << 20))}
	BUDGET=${BUDGET:-3000}
	MAX_TIME=${MAX_TIME:-420}
	OUT=${OUT:-$HERE/../../build/matrix-tap.tsv}
fi

# 4M, 64Mi, 1G: bytes (powers of 1024).
if [[ "$BYTES" =~ ^[0-9]+[KMG]i?$ ]]; then
	BYTES=$(numfmt --from=iec "${BYTES%i}")
fi
if ! [[ "$BYTES" =~ ^[0-9]+$ ]] || [[ "$BYTES" -eq 0 ]]; then
	echo "matrix_tap: --bytes: '$BYTES' is not a number of bytes" >&2
	exit 2
fi

NS=tcpe-mx-$$
IFACE=tmx$$
PREFIX=tcpe-mx-$$
SRV=198.18.0.2
CLI=198.18.0.1
SRV_MAC=02:00:00:00:00:02
CLI_MAC=02:00:00:00:00:01
URL=http://$SRV
NSX=(ip netns exec "$NS")
SERVER_TIMEOUT=$((MAX_TIME * 2 + 120))

# say ok bad check, start_server stop_server stop_pid, cleanup, counter.
# shellcheck source=lib.sh
. "$HERE/lib.sh"

WATCHDOG=
cleanup_hook() {
	[[ -n "$WATCHDOG" ]] && kill "$WATCHDOG" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $(id -u) -ne 0 ]]; then
	echo "matrix_tap: needs root for network namespaces: skipped"
	exit 77
fi
if [[ ! -x "$HTTPD" ]]; then
	echo "matrix_tap: $HTTPD not built"
	exit 1
fi
for t in ip curl python3 tcpdump ethtool sha256sum timeout nstat; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "matrix_tap: $t not found (./scripts/deps.sh installs it)"
		exit 1
	fi
done
mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
FAILDIR=${OUT%.tsv}-failures
WORK=$(mktemp -d /tmp/tcpe-mx.XXXXXX)

# The whole script's bound: SIGTERM to ourselves, so the trap cleans up.
(
	trap 'kill "$sp" 2>/dev/null; exit 0' TERM
	sleep "$BUDGET" >/dev/null 2>&1 &
	sp=$!
	wait "$sp" || exit 0
	echo "matrix_tap: budget of $BUDGET s exceeded: stopping"
	kill -TERM $$
) &
WATCHDOG=$!

# name|quick|description|fault settings (the engine's port, both ways)
CELL_TABLE=(
	"clean|1|no fault|"
	"loss1|0|1% loss each way (rx 1%, tx 1%)|fault.rx_loss=10000 fault.tx_loss=10000"
	"loss2|1|2% loss each way (rx 2%, tx 2%)|fault.rx_loss=20000 fault.tx_loss=20000"
	"loss5|0|5% loss each way (rx 5%, tx 5%)|fault.rx_loss=50000 fault.tx_loss=50000"
	"loss10|0|10% loss each way (rx 10%, tx 10%)|fault.rx_loss=100000 fault.tx_loss=100000"
	"loss5-rx|0|5% loss kernel to engine only (rx)|fault.rx_loss=50000"
	"loss5-tx|0|5% loss engine to kernel only (tx)|fault.tx_loss=50000"
	"reorder5|1|5% reordered, depth 3, each way|fault.rx_reorder=50000 fault.rx_reorder_depth=3 fault.tx_reorder=50000 fault.tx_reorder_depth=3"
	"dup2|1|2% duplicated each way|fault.rx_dup=20000 fault.tx_dup=20000"
	"corrupt1|1|1% with a bit flipped each way|fault.rx_corrupt=10000 fault.tx_corrupt=10000"
	"mix|0|each way: loss 1%, reorder 3% depth 4, dup 1%, corrupt 0.5%|fault.rx_loss=10000 fault.tx_loss=10000 fault.rx_reorder=30000 fault.rx_reorder_depth=4 fault.tx_reorder=30000 fault.tx_reorder_depth=4 fault.rx_dup=10000 fault.tx_dup=10000 fault.rx_corrupt=5000 fault.tx_corrupt=5000"
)

selected() {
	local name=$1 quick=$2
	if [[ -n "$CELLS" ]]; then
		[[ ",$CELLS," == *",$name,"* ]]
	else
		[[ $QUICK -eq 0 || $quick -eq 1 ]]
	fi
}

# The body of GET /bytes/N (byte i = i mod 251): its sha256.
pattern_sha() {
	python3 -c 'import hashlib, sys
n = int(sys.argv[1])
p = bytes(range(251)) * (1 << 16)
h = hashlib.sha256()
while n > 0:
    k = min(n, len(p) - len(p) % 251)
    h.update(p[:k])
    n -= k
print(h.hexdigest())' "$1"
}

ENGINE_CTRS=(Tcp:RetransSegs TcpExt:TCPFastRetrans TcpExt:TCPSackRecovery
	TcpExt:TCPRenoRecovery TcpExt:TCPTimeouts TcpExt:TCPOFOQueue
	TcpExt:TCPDSACKOldSent TcpExt:TCPDSACKRecv Tcpe:DropOutOfWindow
	Tcp:EstabResets Port:rx_fault_loss Port:tx_fault_loss
	Port:rx_fault_dup Port:tx_fault_dup Port:rx_fault_reorder
	Port:tx_fault_reorder Port:rx_fault_corrupt Port:tx_fault_corrupt
	Port:rx_tcp_csum TcpExt:TCPLossProbes TcpExt:TCPLostRetransmit
	Tcpe:TCPRackReoTimeouts)
KERNEL_CTRS=(TcpRetransSegs TcpExtTCPFastRetrans TcpExtTCPSackRecovery
	TcpExtTCPRenoRecovery TcpExtTCPTimeouts TcpExtTCPOFOQueue
	TcpExtTCPDSACKOldSent TcpExtTCPLossProbes TcpInCsumErrors)

# curl_xfer OUTFILE LOG [curl args]: prints "status seconds curl-exit-code"
# (28: the --max-time bound or the stall bound was hit).
curl_xfer() {
	local out=$1 log=$2 w rc
	shift 2
	w=$(timeout $((MAX_TIME + 20)) "${NSX[@]}" curl -sS --max-time "$MAX_TIME" \
		--speed-limit 1000 --speed-time 60 -o "$out" \
		-w '%{http_code} %{time_total}' "$@" 2>"$log")
	rc=$?
	echo "${w:-000 0} $rc"
}

# xfer_check WHAT STATUS CURL_RC OUTFILE EXPECTED_SHA: appends to why[].
xfer_check() {
	local what=$1 code=$2 crc=$3 out=$4 exp=$5 g size
	size=$(stat -c %s "$out" 2>/dev/null || echo 0)
	got_bytes=$size
	if [[ "$crc" != 0 ]]; then
		why+=("$what: curl exit $crc after $size of $BYTES bytes ($(tr '\n' ' ' <"$WORK/$name.$6.log"))")
	elif [[ "$code" != 200 ]]; then
		why+=("$what: status $code")
	else
		g=$(sha256sum <"$out" | cut -d' ' -f1)
		[[ "$g" == "$exp" ]] || why+=("$what: sha256 $g ($size bytes), want $exp")
	fi
}

mbps() {
	awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b * 8 / s / 1e6; else print "0" }'
}

{
	printf '# matrix_tap %s: %s bytes each transfer, tcpe-httpd on net_tap against the kernel (curl), %s profile\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$BYTES" "$([[ $QUICK -eq 1 ]] && echo quick || echo full)"
	printf 'cell\tresult\tbytes\tget_bytes\tget_s\tget_mbps\techo_bytes\techo_s\techo_mbps'
	for c in "${ENGINE_CTRS[@]}"; do printf '\tengine_%s' "${c#*:}"; done
	for c in "${KERNEL_CTRS[@]}"; do printf '\tkernel_%s' "$c"; done
	printf '\tdescription\tfaults\treason\n'
} >"$OUT.tmp"

say "matrix_tap: namespace $NS, $BYTES bytes per transfer, bound $MAX_TIME s per transfer"
timeout 10 ip netns add "$NS" || exit 1
timeout 10 "${NSX[@]}" ip link set lo up || exit 1

say "inputs"
EXP_GET=$(pattern_sha "$BYTES")
head -c "$BYTES" /dev/urandom >"$WORK/body"
EXP_ECHO=$(sha256sum <"$WORK/body" | cut -d' ' -f1)
echo "GET /bytes/$BYTES sha256 $EXP_GET; echo body sha256 $EXP_ECHO"

ROWS=()
T0=$SECONDS
seed=100
for entry in "${CELL_TABLE[@]}"; do
	IFS='|' read -r name quick desc faults <<<"$entry"
	seed=$((seed + 1))
	selected "$name" "$quick" || continue
	say "cell $name: $desc"
	why=()
	log=$WORK/$name.server.log
	sets=(--set "fault.seed=$seed")
	for f in $faults; do
		sets+=(--set "$f")
	done
	get_s=0 echo_s=0 get_b=0 echo_b=0
	if ! start_server "$log" "${sets[@]}" -- --port 80 --max-body "$BYTES"; then
		why+=("server did not start")
	else
		"${NSX[@]}" timeout -s INT $((MAX_TIME * 2 + 60)) tcpdump -i "$IFACE" \
			-nn -U -s 96 -w "$WORK/$name.pcap" tcp >"$WORK/$name.tcpdump.log" 2>&1 &
		TPID=$!
		for ((i = 0; i < 50; i++)); do
			grep -q 'listening on' "$WORK/$name.tcpdump.log" 2>/dev/null && break
			sleep 0.1
		done
		# The kernel's counters of the namespace, before and after.
		"${NSX[@]}" nstat -az "${KERNEL_CTRS[@]}" >"$WORK/$name.nstat0" 2>&1

		read -r code get_s crc < <(curl_xfer "$WORK/got" "$WORK/$name.get.log" "$URL/bytes/$BYTES")
		xfer_check "GET /bytes/$BYTES" "$code" "$crc" "$WORK/got" "$EXP_GET" get
		get_b=$got_bytes
		rm -f "$WORK/got"
		echo "GET /bytes/$BYTES: status $code, $get_b bytes in $get_s s, $(mbps "$get_b" "$get_s") Mbit/s"

		read -r code echo_s crc < <(curl_xfer "$WORK/got" "$WORK/$name.echo.log" \
			-H 'Expect:' -H 'Content-Type: application/octet-stream' \
			--data-binary "@$WORK/body" "$URL/echo")
		xfer_check "POST /echo" "$code" "$crc" "$WORK/got" "$EXP_ECHO" echo
		echo_b=$got_bytes
		rm -f "$WORK/got"
		echo "POST /echo $BYTES: status $code, $echo_b bytes back in $echo_s s, $(mbps "$echo_b" "$echo_s") Mbit/s each way"

		"${NSX[@]}" nstat -az "${KERNEL_CTRS[@]}" >"$WORK/$name.nstat" 2>&1
		stop_pid "$TPID" INT 5
		TPID=
		f0=$failed
		stop_server
		[[ $failed -eq $f0 ]] || why+=("tcpe-httpd did not exit 0 after SIGTERM")
	fi

	row="$name"
	if [[ ${#why[@]} -eq 0 ]]; then
		row+=$'\tok'
		ok "cell $name"
	else
		row+=$'\tFAIL'
		bad "cell $name: ${why[*]}"
		mkdir -p "$FAILDIR/$name"
		cp "$WORK/$name".* "$FAILDIR/$name/" 2>/dev/null
		echo "evidence (capture, server log, curl logs) in $FAILDIR/$name"
	fi
	row+=$'\t'"$BYTES"$'\t'"$get_b"$'\t'"$get_s"$'\t'"$(mbps "$get_b" "$get_s")"
	row+=$'\t'"$echo_b"$'\t'"$echo_s"$'\t'"$(mbps "$echo_b" "$echo_s")"
	for c in "${ENGINE_CTRS[@]}"; do
		v=$(COUNTERS=$log counter "${c%%:*}" "${c#*:}" 2>/dev/null)
		row+=$'\t'"${v:--}"
	done
	for c in "${KERNEL_CTRS[@]}"; do
		v=$(awk -v n="$c" 'FNR == NR && $1 == n { a = $2 }
			FNR != NR && $1 == n { b = $2 }
			END { if (b != "") print b - a }' \
			"$WORK/$name.nstat0" "$WORK/$name.nstat" 2>/dev/null)
		row+=$'\t'"${v:--}"
	done
	row+=$'\t'"$desc"$'\t'"${faults:-none}"$'\t'"${why[*]:-}"
	printf '%s\n' "$row" >>"$OUT.tmp"
	ROWS+=("$row")
	rm -f "$WORK/$name.pcap"
done
mv "$OUT.tmp" "$OUT"

say "matrix_tap: $((SECONDS - T0)) s"
printf '%-10s %-4s %9s %9s %9s %9s %8s %7s %6s %6s %7s %8s %8s\n' cell res get_s get_Mbps \
	echo_s echo_Mbps Retrans FastRx SackR RTOs OFOQ k_Retr k_RTOs
for r in "${ROWS[@]}"; do
	IFS=$'\t' read -r -a f <<<"$r"
	# engine counters start at field 9; kernel ones after them.
	k=$((9 + ${#ENGINE_CTRS[@]}))
	printf '%-10s %-4s %9s %9s %9s %9s %8s %7s %6s %6s %7s %8s %8s\n' "${f[0]}" "${f[1]}" \
		"${f[4]}" "${f[5]}" "${f[7]}" "${f[8]}" "${f[9]}" "${f[10]}" "${f[11]}" \
		"${f[13]}" "${f[14]}" "${f[$k]}" "${f[$((k + 4))]}"
done
echo "table: $OUT"

say "summary"
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "matrix_tap: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
