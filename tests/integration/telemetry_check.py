#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The output format of tcpe's telemetry commands (lib/port/tcpe_telemetry.c,
tcpe_capture.c), over the engine's real DPDK telemetry socket.

  telemetry_check.py SOCKET MIN_PASSIVE MIN_CONNS

SOCKET is /var/run/dpdk/<prefix>/dpdk_telemetry.v2 of a running engine
(tcpe-httpd) that has accepted at least MIN_PASSIVE connections,
holds at least MIN_CONNS (TIME_WAIT included) and runs a capture. Every
answer must be one JSON object {command: value} with the documented keys
and types; counters summed over workers must equal the sum of the
per-worker answers; the connection dump must page consistently; bad
parameters must give {"error": "..."}. Prints ok:/FAILED: lines, exits 1
on any failure.
"""
import ipaddress
import json
import re
import socket
import sys

STATES = ["CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
          "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2",
          "TIME_WAIT"]
TCP = ["ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets",
       "CurrEstab", "InSegs", "OutSegs", "RetransSegs", "InErrs", "OutRsts"]
TCPEXT = ["ListenOverflows", "ListenDrops", "SyncookiesSent",
          "SyncookiesRecv", "SyncookiesFailed", "TCPAbortOnData",
          "TCPAbortOnClose", "TCPAbortOnMemory", "TCPAbortOnTimeout",
          "TCPTimeWaitOverflow", "TWRecycled", "TCPChallengeACK",
          "DelayedACKs", "TCPSackRecovery"]
ENGINE = ["Workers", "Conns", "TCBs", "ConnTable", "ConnTableMax",
          "TimeWaitRecords", "TimeWaitMax", "Orphans", "TimersPending",
          "MbufsInUse", "MbufPoolSize", "FramesHeld"]
CONN_ALL = ["state", "local", "remote", "recvq", "sendq", "timer",
            "timer_ms", "worker", "lcore", "kind"]
CONN_TCB = ["rto_us", "srtt_us", "rttvar_us", "mss", "cwnd", "ssthresh",
            "snd_wnd", "rcv_wnd", "retrans"]
PAGE = 32

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok: %s" % name)
    else:
        failed += 1
        print("FAILED: %s%s" % (name, " (%s)" % detail if detail else ""))


class Tel:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(10)
        self.s.connect(path)
        self.hello = json.loads(self.s.recv(16384).decode())

    def __call__(self, cmd):
        self.s.send(cmd.encode())
        raw = self.s.recv(self.hello["max_output_len"] + 1024).decode()
        try:
            out = json.loads(raw)
        except ValueError as e:
            check("%s: the answer is JSON" % cmd, False, "%s: %r" % (e, raw))
            return None
        key = cmd.split(",", 1)[0]
        ok = isinstance(out, dict) and list(out.keys()) == [key]
        check("%s: one object {\"%s\": ...}" % (cmd, key), ok, raw[:200])
        return out.get(key) if ok else None


def is_u(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def dict_of_u(name, d, keys):
    check("%s: a dict" % name, isinstance(d, dict), repr(d)[:200])
    if not isinstance(d, dict):
        return False
    missing = [k for k in keys if k not in d]
    check("%s: has %s" % (name, ", ".join(keys)), not missing,
          "missing %s" % missing)
    bad = [k for k, v in d.items() if not is_u(v)]
    check("%s: every value an unsigned integer" % name, not bad,
          "not: %s" % bad)
    return not missing and not bad


def is_error(v):
    return isinstance(v, dict) and list(v.keys()) == ["error"] and \
        isinstance(v["error"], str) and v["error"] != ""


def addr_port(s):
    m = re.fullmatch(r"(\d+\.\d+\.\d+\.\d+):(\d+)", s or "")
    if not m:
        return False
    ipaddress.IPv4Address(m.group(1))
    return 0 <= int(m.group(2)) <= 65535


def main():
    path = sys.argv[1]
    min_passive, min_conns = int(sys.argv[2]), int(sys.argv[3])
    tel = Tel(path)
    pid = tel.hello.get("pid")

    # /tcpe/info
    info = tel("/tcpe/info")
    if isinstance(info, dict):
        check("/tcpe/info: app tcpe-httpd, pid %d" % pid,
              info.get("app") == "tcpe-httpd" and info.get("pid") == pid,
              repr(info))
        check("/tcpe/info: running, workers >= 1, one lcore each",
              info.get("running") == "yes" and is_u(info.get("workers"))
              and info["workers"] >= 1 and
              isinstance(info.get("lcores"), list) and
              len(info["lcores"]) == info["workers"] and
              all(is_u(x) for x in info["lcores"]), repr(info))
        check("/tcpe/info: addr, mac, mtu, device",
              info.get("addr") == "198.18.0.2" and
              re.fullmatch(r"([0-9a-f]{2}:){5}[0-9a-f]{2}",
                           info.get("mac", "")) and
              is_u(info.get("mtu")) and
              isinstance(info.get("device"), str), repr(info))
    nw = info.get("workers", 1) if isinstance(info, dict) else 1

    # /tcpe/snmp, summed and per worker
    before = tel("/tcpe/snmp")
    per = [tel("/tcpe/snmp,%d" % w) for w in range(nw)]
    after = tel("/tcpe/snmp")
    if isinstance(before, dict) and isinstance(after, dict):
        check("/tcpe/snmp: groups Tcp, TcpExt, Tcpe",
              list(before.keys()) == ["Tcp", "TcpExt", "Tcpe"],
              repr(list(before.keys())))
        dict_of_u("/tcpe/snmp Tcp", before.get("Tcp"), TCP)
        dict_of_u("/tcpe/snmp TcpExt", before.get("TcpExt"), TCPEXT)
        dict_of_u("/tcpe/snmp Tcpe", before.get("Tcpe"), [])
        check("/tcpe/snmp: Tcp PassiveOpens >= %d" % min_passive,
              before["Tcp"].get("PassiveOpens", -1) >= min_passive,
              repr(before["Tcp"]))
        ok = all(isinstance(p, dict) for p in per)
        for g in ("Tcp", "TcpExt", "Tcpe"):
            for k in before.get(g, {}):
                s = sum(p[g][k] for p in per) if ok else -1
                if not before[g][k] <= s <= after[g][k]:
                    ok = False
                    print("  %s %s: %d <= %d <= %d ?" % (
                        g, k, before[g][k], s, after[g][k]))
        check("/tcpe/snmp: the sum = the sum of /tcpe/snmp,W over %d "
              "worker(s)" % nw, ok)
    check("/tcpe/snmp,%d: an error (no such worker)" % (nw + 7),
          is_error(tel("/tcpe/snmp,%d" % (nw + 7))))
    check("/tcpe/snmp,x: an error", is_error(tel("/tcpe/snmp,x")))

    # /tcpe/stats
    st = tel("/tcpe/stats")
    if isinstance(st, dict):
        check("/tcpe/stats: groups Tcp TcpExt Tcpe Port Fault Engine",
              list(st.keys()) == ["Tcp", "TcpExt", "Tcpe", "Port", "Fault",
                                  "Engine"], repr(list(st.keys())))
        dict_of_u("/tcpe/stats Port", st.get("Port"),
                  ["rx_pkts", "tx_pkts", "rx_bad_ip", "rx_tcp_csum",
                   "tx_dropped", "arp_unresolved"])
        dict_of_u("/tcpe/stats Fault", st.get("Fault"), ["fault_seed"])
        if dict_of_u("/tcpe/stats Engine", st.get("Engine"), ENGINE):
            e = st["Engine"]
            check("/tcpe/stats Engine: 0 < MbufsInUse <= MbufPoolSize, "
                  "Workers %d" % nw, 0 < e["MbufsInUse"] <= e["MbufPoolSize"]
                  and e["Workers"] == nw, repr(e))
            check("/tcpe/stats Engine: Conns = TCBs + TimeWaitRecords >= %d"
                  % min_conns, e["Conns"] == e["TCBs"] + e["TimeWaitRecords"]
                  and e["Conns"] >= min_conns, repr(e))

    # /tcpe/states
    states = tel("/tcpe/states")
    if dict_of_u("/tcpe/states", states,
                 STATES + ["Total", "TimeWaitRecords", "Orphans"]):
        check("/tcpe/states: Total = the sum over the states",
              states["Total"] == sum(states[s] for s in STATES),
              repr(states))
        check("/tcpe/states: LISTEN 1, ESTABLISHED >= 1",
              states["LISTEN"] == 1 and states["ESTABLISHED"] >= 1,
              repr(states))

    # /tcpe/workers
    ws = tel("/tcpe/workers")
    check("/tcpe/workers: {w0: {...}, ...} for %d worker(s)" % nw,
          isinstance(ws, dict) and
          list(ws.keys()) == ["w%d" % i for i in range(nw)], repr(ws)[:200])
    if isinstance(ws, dict):
        for i, w in enumerate(ws.values()):
            dict_of_u("/tcpe/workers w%d" % i, w,
                      ["worker", "lcore", "conns", "established",
                       "time_wait", "timers", "mbufs_in_use",
                       "mbuf_pool_size", "in_segs", "out_segs", "rx_pkts",
                       "tx_pkts"])

    # /tcpe/conns, every page of one dump
    page = tel("/tcpe/conns")
    conns = []
    pages = 0
    while isinstance(page, dict):
        pages += 1
        head = ["dump", "total", "not_dumped", "offset", "count", "next"]
        check("/tcpe/conns page %d: %s, then c0..c<count-1>" % (
            pages, " ".join(head)),
            list(page.keys()) == head + ["c%d" % i
                                         for i in range(page.get("count",
                                                                 0))],
            repr(list(page.keys()))[:300])
        check("/tcpe/conns page %d: count = min(%d, total - offset)" % (
            pages, PAGE), page.get("count") == min(
                PAGE, page.get("total", 0) - page.get("offset", 0)),
            repr({k: page.get(k) for k in head}))
        for i in range(page.get("count", 0)):
            conns.append(page.get("c%d" % i))
        if not page.get("next"):
            break
        nxt = tel("/tcpe/conns,%d,%d" % (page["next"], page["dump"]))
        if isinstance(nxt, dict):
            check("/tcpe/conns page %d: same dump, offset = next" % (
                pages + 1), nxt.get("dump") == page["dump"] and
                nxt.get("offset") == page["next"] and
                nxt.get("total") == page["total"])
        page = nxt
    check("/tcpe/conns: %d connection(s) >= %d over %d page(s), more than "
          "one page" % (len(conns), min_conns, pages),
          len(conns) >= min_conns and pages >= 2 and
          isinstance(states, dict) and len(conns) == states.get("Total"),
          "states Total %s" % (states.get("Total")
                               if isinstance(states, dict) else "?"))
    bad = []
    for c in conns:
        if not isinstance(c, dict) or any(k not in c for k in CONN_ALL) or \
                c["state"] not in STATES or not addr_port(c["local"]) or \
                not addr_port(c["remote"]) or \
                c["kind"] not in ("tcb", "orphan", "tw", "listen") or \
                c["timer"] not in ("off", "on", "timewait", "delack",
                                   "keepalive") or \
                (c["kind"] in ("tcb", "orphan") and
                 any(not is_u(c.get(k)) for k in CONN_TCB)):
            bad.append(c)
    check("/tcpe/conns: every connection has %s (and %s for a TCB)" % (
        ", ".join(CONN_ALL), ", ".join(CONN_TCB)), not bad, repr(bad[:2]))
    tw = [c for c in conns if c.get("kind") == "tw"]
    check("/tcpe/conns: TIME_WAIT records with a timewait timer",
          tw and all(c["state"] == "TIME_WAIT" and c["timer"] == "timewait"
                     and 0 < c["timer_ms"] <= 60000 for c in tw),
          repr(tw[:2]))
    est = [c for c in conns if c.get("state") == "ESTABLISHED"]
    check("/tcpe/conns: ESTABLISHED TCBs with an RTT sample, cwnd, mss",
          est and all(c["srtt_us"] > 0 and c["cwnd"] >= c["mss"] > 0
                      for c in est), repr(est[:2]))
    lis = [c for c in conns if c.get("state") == "LISTEN"]
    check("/tcpe/conns: the listener on port 80",
          len(lis) == 1 and lis[0]["local"].endswith(":80") and
          lis[0]["kind"] == "listen", repr(lis))
    check("/tcpe/conns,5,999999: an error (dump gone)",
          is_error(tel("/tcpe/conns,5,999999")))
    check("/tcpe/conns,a: an error", is_error(tel("/tcpe/conns,a")))

    # /tcpe/log
    lv = tel("/tcpe/log")
    check("/tcpe/log: {\"level\": \"debug\"} (the test sets tcpe:debug)",
          lv == {"level": "debug"}, repr(lv))
    check("/tcpe/log,loud: an error", is_error(tel("/tcpe/log,loud")))
    check("/tcpe/log,debug: level debug",
          tel("/tcpe/log,debug") == {"level": "debug"})

    # /tcpe/capture/status (a capture runs)
    cs = tel("/tcpe/capture/status")
    if isinstance(cs, dict):
        check("/tcpe/capture/status: active, file, filter, counters",
              cs.get("active") == "yes" and isinstance(cs.get("file"), str)
              and isinstance(cs.get("filter"), str) and
              all(is_u(cs.get(k)) for k in ("rx", "tx", "filtered",
                                             "dropped", "written",
                                             "write_errors", "rx_queues",
                                             "tx_queues", "snaplen")),
              repr(cs))
    cs = tel("/tcpe/capture/start,/nonexistent-dir/x.pcapng")
    check("/tcpe/capture/start while one runs: an error", is_error(cs),
          repr(cs))

    print("telemetry_check: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
