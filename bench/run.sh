#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The benchmark command: tcpe side by side with the Linux kernel and with
# the packet-rate limit of the link, in one run on this machine.
#
#   ./bench/run.sh            (root; about 3 minutes with the defaults)
#
# Environment: TCPE_BENCH_SECS (seconds per measured run, default 10),
# TCPE_BENCH_CONNS (connections of the throughput runs, default 100),
# TCPE_BENCH_MILLION (connections of the memory run, default 1000000),
# TCPE_BENCH_OUT (directory of the results, default build/bench).
#
# Steps, each printing what it measured:
#  (a) limit: dpdk-testpmd txonly -> rxonly over net_memif, 64-byte
#      frames, one lcore each: the packet rate of the link (frames/s, one
#      direction);
#  (b) kernel: nginx (1 worker, pinned to CPU 1) and wrk (1 thread, CPU
#      0) on loopback in a network namespace of our own: keep-alive
#      req/s, "Connection: close" conn/s, and the latency of one
#      connection (wrk -c1 --latency); same body as (c);
#  (c) tcpe: tcpe-httpd (lcore 1) <-> tcpe-load (lcore 0) over net_memif
#      (config/memif-*.conf): keep-alive req/s, short conn/s (server closes
#      first, as wrk's "Connection: close"), bulk Gbit/s of one connection
#      (GET /bytes/1 GiB), and the latency of one connection ping-pong;
#  (d) memory: bench/conn_mem.c on the protocol core: bytes per idle
#      established connection and per TIME_WAIT record at 1 M connections
#      (malloc's count of bytes in use, per side; see the file);
#  (e) instructions: tcpe-httpd under callgrind, collecting only inside
#      tcpe_dp_input() (frames received: parsing, the core, the HTTP
#      server's callbacks, the reply's frames), for 20000 keep-alive
#      requests of one connection: instructions per request. The idle
#      polling of the loop is left out on purpose (it depends on how
#      idle the loop is, which valgrind's slowdown changes).
# Then one table with the ratios tcpe/kernel and tcpe/limit, and the same
# as JSON in $TCPE_BENCH_OUT/bench.json.
#
# Everything runs in a work directory under /tmp, with file prefixes and
# a namespace named after this PID; servers are stopped by PID, the
# namespace and /var/run/dpdk/<prefix> removed at exit. Figures move
# from run to run (and with whatever else the two cores run): compare
# the ratios of one run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
SECS=${TCPE_BENCH_SECS:-10}
CONNS=${TCPE_BENCH_CONNS:-100}
MILLION=${TCPE_BENCH_MILLION:-1000000}
OUT=${TCPE_BENCH_OUT:-$ROOT/build/bench}
ID=$$
NS=tcpe-bench-$ID
PIDS=()
PREFIXES=()
WORK=

if [[ $(id -u) -ne 0 ]]; then
	echo "bench: needs root (network namespace, DPDK without hugepages)"
	exit 1
fi

cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.5
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	if ip netns list 2>/dev/null | grep -qw "$NS"; then
		for p in $(ip netns pids "$NS" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$NS" 2>/dev/null
	fi
	for p in "${PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	[[ -n "$WORK" && "${TCPE_BENCH_KEEP:-0}" != 1 ]] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n=== %s\n' "$*"; }

# --- dependencies and build ---------------------------------------------------
./scripts/deps.sh || exit 1
./bench/deps.sh || exit 1
if [[ ! -f build/build.ninja ]]; then
	meson setup build >/dev/null || exit 1
fi
ninja -C build >/dev/null || { ninja -C build; exit 1; }
HTTPD=$ROOT/build/apps/httpd/tcpe-httpd
LOAD=$ROOT/build/apps/load/tcpe-load
mkdir -p "$OUT"
CONN_MEM=$OUT/conn_mem
cc -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib/core \
	bench/conn_mem.c build/lib/core/libtcpe_core.a -o "$CONN_MEM" || exit 1
WORK=$(mktemp -d /tmp/tcpe-bench.XXXXXX)
DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
NCPU=$(nproc)
MEM=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
KERNEL=$(uname -r)
echo "bench: $DATE, $CPU, $NCPU CPUs, $MEM, Linux $KERNEL, ${SECS} s per run"

# The same small page as tcpe-httpd's GET / (its root_page), for nginx.
python3 - "$ROOT/apps/httpd/httpd.c" "$WORK/www/index.html" <<'PY' || exit 1
import os, re, sys
src = open(sys.argv[1]).read()
m = re.search(r'root_page\[\] =\s*((?:"(?:[^"\\]|\\.)*"\s*)+);', src)
body = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
body = body.encode().decode("unicode_escape")
os.makedirs(os.path.dirname(sys.argv[2]), exist_ok=True)
open(sys.argv[2], "w").write(body)
PY
BODY=$(stat -c %s "$WORK/www/index.html")

# --- (a) the link's packet rate ------------------------------------------------
say "(a) limit: dpdk-testpmd txonly -> rxonly over net_memif, 64-byte frames"
TP_SOCK=$WORK/testpmd.sock
PREFIXES+=("tcpe-bench-tp-s-$ID" "tcpe-bench-tp-c-$ID")
timeout -s INT $((SECS + 20)) dpdk-testpmd --no-huge -m 1024 --no-pci \
	--file-prefix="tcpe-bench-tp-s-$ID" --log-level=error \
	--vdev="net_memif0,role=server,socket=$TP_SOCK" -l 0,1 --main-lcore 0 -- \
	--total-num-mbufs 16384 --forward-mode=rxonly --stats-period 1 \
	>"$WORK/tp-rx.log" 2>&1 </dev/null &
TPS=$!
PIDS+=("$TPS")
for ((i = 0; i < 150; i++)); do
	grep -q 'Rx-pps' "$WORK/tp-rx.log" && break
	sleep 0.1
done
timeout -s INT $((SECS + 3)) dpdk-testpmd --no-huge -m 1024 --no-pci \
	--file-prefix="tcpe-bench-tp-c-$ID" --log-level=error \
	--vdev="net_memif0,role=client,socket=$TP_SOCK" -l 0,1 --main-lcore 1 -- \
	--total-num-mbufs 16384 --forward-mode=txonly --txpkts=64 \
	--stats-period 1 >"$WORK/tp-tx.log" 2>&1 </dev/null
kill -INT "$TPS" 2>/dev/null
wait "$TPS" 2>/dev/null
# The median of the per-second receive rates while traffic flowed.
LIMIT_PPS=$(awk '/Rx-pps:/ && $2 > 0 { print $2 }' "$WORK/tp-rx.log" |
	sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : 0 }')
echo "memif limit: $LIMIT_PPS frames/s (median of $(awk '/Rx-pps:/ && $2 > 0' "$WORK/tp-rx.log" | wc -l) one-second samples)"

# --- (b) the kernel ------------------------------------------------------------
say "(b) kernel: nginx 1 worker (CPU 1) + wrk 1 thread (CPU 0) on loopback"
ip netns add "$NS" && ip -n "$NS" link set lo up || exit 1
mkdir -p "$WORK/tmp"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
worker_cpu_affinity 10;
daemon off;
master_process off;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
	access_log off;
	client_body_temp_path $WORK/tmp;
	proxy_temp_path $WORK/tmp;
	fastcgi_temp_path $WORK/tmp;
	uwsgi_temp_path $WORK/tmp;
	scgi_temp_path $WORK/tmp;
	keepalive_requests 1000000;
	tcp_nodelay on;
	server {
		listen 127.0.0.1:8089 backlog=4096 reuseport;
		root $WORK/www;
	}
}
EOF
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_tw_reuse=1
ip netns exec "$NS" taskset -c 1 nginx -c "$WORK/nginx.conf" -p "$WORK" \
	>"$WORK/nginx.log" 2>&1 &
PIDS+=("$!")
for ((i = 0; i < 50; i++)); do
	ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8089' 2>/dev/null && break
	sleep 0.1
done
KURL=http://127.0.0.1:8089/index.html
wrk_run() {	# wrk_run NAME ARGS...: wrk output to $WORK/NAME.wrk
	local name=$1
	shift
	ip netns exec "$NS" taskset -c 0 timeout $((SECS + 20)) wrk -t1 \
		-d"${SECS}s" "$@" "$KURL" >"$WORK/$name.wrk" 2>&1
	grep -E 'Requests/sec|Latency|50%|99%|requests in|Socket errors|Non-2xx' \
		"$WORK/$name.wrk" | sed 's/^/    /'
}
echo "keep-alive, -c $CONNS:"
wrk_run k_ka -c"$CONNS"
echo "Connection: close, -c $CONNS:"
wrk_run k_close -c"$CONNS" -H 'Connection: close'
echo "one connection, latency:"
wrk_run k_lat -c1 --latency
# wrk's latency distribution: "50%  12.00us" -> ns.
wrk_pct() {
	awk -v p="$2" '$1 == p {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		m = (u == "us") ? 1e3 : (u == "ms") ? 1e6 : (u == "s") ? 1e9 : 1;
		printf "%.0f\n", v * m; exit }' "$WORK/$1.wrk"
}
wrk_rps() {
	awk '/^Requests\/sec:/ { print $2; exit }' "$WORK/$1.wrk"
}

# --- (c) tcpe over memif -------------------------------------------------------
say "(c) tcpe-httpd (lcore 1) <-> tcpe-load (lcore 0) over net_memif"
M_SOCK=$WORK/memif.sock
SRV_PFX=tcpe-bench-srv-$ID
CLI_PFX=tcpe-bench-cli-$ID
PREFIXES+=("$SRV_PFX" "$CLI_PFX")
start_httpd() {	# start_httpd LOG [--set ...]
	local log=$1 i
	shift
	"$HTTPD" --config config/memif-server.conf \
		--set "port.vdev=net_memif0,role=server,socket=$M_SOCK" \
		--set "eal.file_prefix=$SRV_PFX" --set eal.log_level=error "$@" \
		-- --port 80 >"$log" 2>&1 &
	SRV=$!
	PIDS+=("$SRV")
	for ((i = 0; i < 150; i++)); do
		grep -q ': ready$' "$log" 2>/dev/null && return 0
		kill -0 "$SRV" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: tcpe-httpd did not start"; cat "$log"
	return 1
}
stop_httpd() {
	kill -INT "$SRV" 2>/dev/null
	wait "$SRV" 2>/dev/null
	rm -rf "/var/run/dpdk/$SRV_PFX"
}
# tload NAME URL ARGS...: JSON in $WORK/NAME.json. The SYN that finds the
# memif link not up yet is retried after tcp_rto_initial_ms: 200 ms, not 1 s.
tload() {
	local name=$1 url=$2 rc
	shift 2
	timeout -k 5 $((SECS + ${TLOAD_SLACK:-40})) "$LOAD" \
		--config config/memif-client.conf \
		--set "port.vdev=net_memif0,role=client,socket=$M_SOCK" \
		--set "eal.file_prefix=$CLI_PFX" --set eal.log_level=error \
		--set tcp.tcp_rto_initial_ms=200 \
		-- "$url" "$@" --quiet --counters --json "$WORK/$name.json" \
		>"$WORK/$name.log" 2>&1
	rc=$?
	grep -A6 '^tcpe-load: summary' "$WORK/$name.log" | sed 's/^/    /'
	if ! grep -q '^tcpe-load: summary' "$WORK/$name.log"; then
		echo "    tcpe-load exited $rc without a summary:"
		tail -n 5 "$WORK/$name.log" | sed 's/^/    /'
	fi
	rm -rf "/var/run/dpdk/$CLI_PFX"
}
U=http://198.18.1.2
# A fresh server for each run: nothing left over from the one before (a
# bulk reply cut at the end of its run keeps being retransmitted).
trun() {	# trun NAME URL ARGS...
	start_httpd "$WORK/$1-srv.log" || return 1
	tload "$@"
	stop_httpd
	grep -E '^States|TCPTimeWaitOverflow|RetransSegs|tx_refused' \
		"$WORK/$1-srv.log" | sed 's/^ */    server: /'
}
echo "keep-alive, -c $CONNS, GET / ($BODY bytes):"
trun t_ka "$U/" -c "$CONNS" -d "$SECS" --warmup 2
echo "one connection, ping-pong latency:"
trun t_lat "$U/" -c 1 -d "$SECS" --warmup 1
echo "bulk, one connection, GET /bytes/1073741824:"
trun t_bulk "$U/bytes/1073741824" -c 1 -d "$SECS" --warmup 1
echo "short connections (server closes first), -c $CONNS:"
trun t_short "$U/" -c "$CONNS" -d "$SECS" --warmup 2 --short

# --- (d) memory ----------------------------------------------------------------
say "(d) memory per connection at $MILLION connections (lib/core, malloc's count)"
"$CONN_MEM" "$MILLION" | tee "$WORK/conn_mem.log"

# --- (e) instructions ----------------------------------------------------------
say "(e) callgrind: instructions per keep-alive request (tcpe-httpd, receive path)"
CG_N=20000
valgrind --tool=callgrind --toggle-collect=tcpe_dp_input \
	--callgrind-out-file="$WORK/callgrind.out" "$HTTPD" \
	--config config/memif-server.conf \
	--set "port.vdev=net_memif0,role=server,socket=$M_SOCK" \
	--set "eal.file_prefix=$SRV_PFX" --set eal.log_level=error \
	-- --port 80 >"$WORK/cg-srv.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for ((i = 0; i < 600; i++)); do
	grep -q ': ready$' "$WORK/cg-srv.log" && break
	sleep 0.1
done
TLOAD_SLACK=240 tload t_cg "$U/" -c 1 -n "$CG_N"
stop_httpd
CG_IR=$(awk '/Collected :/ { print $NF; exit }' "$WORK/cg-srv.log")
CG_REQ=$(awk '/^    Requests:/ { print $2; exit }' "$WORK/cg-srv.log")
echo "instructions in tcpe_dp_input: ${CG_IR:-?} for ${CG_REQ:-?} requests"
callgrind_annotate "$WORK/callgrind.out" 2>/dev/null | sed -n '/file:function/,$p' |
	sed -n 2,16p | sed 's/^/    /'
cp "$WORK/callgrind.out" "$OUT/callgrind.out" 2>/dev/null

# --- the table -----------------------------------------------------------------
say "results ($DATE; $CPU, $NCPU CPUs, $MEM; ${SECS} s runs)"
python3 - "$WORK" "$OUT/bench.json" <<PY
import json, re, sys
w, out = sys.argv[1], sys.argv[2]
def tj(n):
    try: return json.load(open(f"{w}/{n}.json"))
    except Exception: return None
def counter(n, group, name):
    g = None
    try:
        for l in open(f"{w}/{n}.log"):
            if re.match(r"^[A-Za-z]+:$", l.strip()): g = l.strip()[:-1]; continue
            m = re.match(r"^\s+(\w+):\s+(\d+)$", l)
            if m and g == group and m.group(1) == name: return int(m.group(2))
    except Exception: pass
    return None
def num(s):
    try: return float(s)
    except Exception: return None
limit = num("$LIMIT_PPS") or None
k_ka, k_close, k_lat = num("$(wrk_rps k_ka)"), num("$(wrk_rps k_close)"), num("$(wrk_rps k_lat)")
k_p50, k_p99 = num("$(wrk_pct k_lat 50%)"), num("$(wrk_pct k_lat 99%)")
t_ka, t_lat, t_bulk, t_short = tj("t_ka"), tj("t_lat"), tj("t_bulk"), tj("t_short")
mem = {}
for l in open(f"{w}/conn_mem.log"):
    if l.startswith("json: "): mem = json.loads(l[6:])
cg_ir, cg_req = num("${CG_IR:-}"), num("${CG_REQ:-}")
rows = []
def row(name, unit, tcpe, kernel=None, limit_v=None, target=None, note=""):
    rows.append({"metric": name, "unit": unit, "tcpe": tcpe, "kernel": kernel,
         "tcpe_per_kernel": (tcpe / kernel) if tcpe and kernel else None,
         "limit": limit_v, "tcpe_per_limit": (tcpe / limit_v) if tcpe and limit_v else None,
         "target": target, "note": note})
# The limit in requests (connections) per second: the link's frames/s over
# the frames per answer in the busier direction (tcpe-load's Port counters).
def lim_for(t, n):
    if t is None or not limit: return None
    rx, tx = counter(n, "Port", "rx_pkts"), counter(n, "Port", "tx_pkts")
    ans = t.get("ended_with_warmup") or t["counters"]["responses"]
    if not rx or not tx or not ans: return None
    return limit / (max(rx, tx) / ans)
def g(t, *k):
    for x in k:
        if t is None: return None
        t = t.get(x)
    return t
row("keep-alive requests/s, -c $CONNS", "req/s", g(t_ka, "req_per_s"), k_ka,
    lim_for(t_ka, "t_ka"), ">= 40x kernel", "limit: link frames/s over frames per request (busier direction)")
row("short connections/s, -c $CONNS", "conn/s", g(t_short, "conn_per_s"), k_close,
    lim_for(t_short, "t_short"), ">= 40x kernel", "server closes first; limit as above")
row("bulk, one connection", "Gbit/s", g(t_bulk, "rx_gbit_per_s"), None,
    (limit * 1514 * 8 / 1e9) if limit else None, "", "limit: link frames/s x 1514-byte frames")
for p, kp, tgt in (("p50", k_p50, ""), ("p99", k_p99, "<= 10 us")):
    v = g(t_lat, "latency_ns", p)
    row(f"one connection latency {p}", "us", v / 1e3 if v else None,
        kp / 1e3 if kp else None, None, tgt, "lower is better; kernel: wrk -c1")
v = g(t_lat, "latency_ns", "p99_9")
row("one connection latency p99.9", "us", v / 1e3 if v else None, None, None, "", "")
row("one connection requests/s", "req/s", g(t_lat, "req_per_s"), k_lat, None, "", "kernel: wrk -c1")
row("idle established connection", "bytes", mem.get("established_server_bytes"), None, None, "<= 256", "malloc'd per connection at $MILLION, lib/core")
row("TIME_WAIT record", "bytes", mem.get("timewait_bytes"), None, None, "<= 64", "malloc'd per record at $MILLION, lib/core")
row("instructions per keep-alive request", "instr", cg_ir / cg_req if cg_ir and cg_req else None,
    None, None, "", "callgrind, tcpe-httpd receive path (tcpe_dp_input)")
row("memif limit (testpmd)", "frames/s", limit, None, None, "", "64-byte frames, one direction")
def f(v, d=1):
    if v is None: return "-"
    if abs(v) >= 1000: return f"{v:,.0f}"
    return f"{v:.{d}f}"
hdr = f"{'metric':38} {'unit':8} {'tcpe':>12} {'kernel':>12} {'tcpe/kern':>9} {'limit':>12} {'tcpe/lim':>8}  target"
print(hdr); print("-" * len(hdr))
for r in rows:
    print(f"{r['metric']:38} {r['unit']:8} {f(r['tcpe'])+'':>12} {f(r['kernel']):>12} "
          f"{(f(r['tcpe_per_kernel'],2)+'x') if r['tcpe_per_kernel'] else '-':>9} {f(r['limit']):>12} "
          f"{(f(r['tcpe_per_limit'],2)) if r['tcpe_per_limit'] else '-':>8}  {r['target']}")
doc = {"date": "$DATE", "machine": {"cpu": "$CPU", "cpus": $NCPU, "memory": "$MEM", "kernel": "$KERNEL"},
       "seconds_per_run": $SECS, "connections": $CONNS, "body_bytes": $BODY, "rows": rows,
       "raw": {"tcpe_keepalive": t_ka, "tcpe_latency": t_lat, "tcpe_bulk": t_bulk, "tcpe_short": t_short,
               "conn_mem": mem, "callgrind_ir": cg_ir, "callgrind_requests": cg_req,
               "kernel": {"keepalive_rps": k_ka, "close_rps": k_close, "one_conn_rps": k_lat, "latency_p50_ns": k_p50, "latency_p99_ns": k_p99},
               "limit_pps": limit}}
json.dump(doc, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
PY
