#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tcpe-stat: netstat -s and ss for a running tcpe engine.

Linux's netstat and ss cannot see a userspace stack. tcpe-stat reads the
engine's counters, states and connections from its DPDK telemetry socket
(/var/run/dpdk/<file-prefix>/dpdk_telemetry.v2, the /tcpe/... commands of
lib/port/tcpe_telemetry.c) and prints them as netstat -s and ss do:

  tcpe-stat -f PREFIX            counters (Tcp, TcpExt, Tcpe, Port, Engine)
  tcpe-stat -f PREFIX -s         summary of the states (ss -s)
  tcpe-stat -f PREFIX -t         connections (ss -tino), -l listeners,
                                 -a both
  tcpe-stat -f PREFIX -w [-c N]  any of the above, refreshed every second
  tcpe-stat -f PREFIX --capture-start FILE [FILTER] | --capture-stop
  tcpe-stat -f PREFIX --json /tcpe/snmp   one raw command, as JSON

PREFIX is the engine's EAL --file-prefix ([eal] file_prefix, default tcpe).
Exit status: 0, 1 on an error from the engine, 2 when it cannot be reached.
"""

import argparse
import json
import os
import socket
import sys
import time

SOCKET_NAME = "dpdk_telemetry.v2"

SS_STATE = {
    "CLOSED": "UNCONN", "LISTEN": "LISTEN", "SYN_SENT": "SYN-SENT",
    "SYN_RECEIVED": "SYN-RECV", "ESTABLISHED": "ESTAB",
    "CLOSE_WAIT": "CLOSE-WAIT", "FIN_WAIT_1": "FIN-WAIT-1",
    "CLOSING": "CLOSING", "LAST_ACK": "LAST-ACK",
    "FIN_WAIT_2": "FIN-WAIT-2", "TIME_WAIT": "TIME-WAIT",
}


class Unreachable(Exception):
    pass


class EngineError(Exception):
    pass


def runtime_dir(prefix):
    """The EAL's runtime directory for prefix (eal_get_runtime_dir())."""
    if os.getuid() == 0:
        base = "/var/run"
    else:
        base = os.environ.get("XDG_RUNTIME_DIR", "/tmp")
    return os.path.join(base, "dpdk", prefix)


def page_conns(page):
    """The connections of a /tcpe/conns page: the dicts c0, c1, ..."""
    return [page["c%d" % i] for i in range(page["count"])]


class Telemetry:
    """One connection to a DPDK telemetry socket (protocol v2)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(10)
        try:
            self.sock.connect(path)
        except OSError as e:
            self.sock.close()
            raise Unreachable("%s: %s (is the engine running with this "
                              "--file-prefix?)" % (path, e.strerror))
        hello = json.loads(self.sock.recv(16384).decode())
        self.max_len = int(hello.get("max_output_len", 16384))
        self.pid = hello.get("pid")

    def raw(self, cmd):
        self.sock.send(cmd.encode())
        data = self.sock.recv(self.max_len + 1024)
        if not data:
            raise Unreachable("%s: connection closed" % self.path)
        return json.loads(data.decode())

    def cmd(self, cmd):
        """The value of cmd's answer; EngineError on {"error": ...}."""
        out = self.raw(cmd)
        key = cmd.split(",", 1)[0]
        val = out.get(key)
        if val is None:
            raise EngineError("%s: no answer (unknown command?)" % cmd)
        if isinstance(val, dict) and "error" in val and len(val) == 1:
            raise EngineError("%s: %s" % (cmd, val["error"]))
        return val

    def conns(self):
        """Every connection of one dump, page by page."""
        page = self.cmd("/tcpe/conns")
        out = page_conns(page)
        dump = page["dump"]
        while page["next"]:
            page = self.cmd("/tcpe/conns,%d,%d" % (page["next"], dump))
            out.extend(page_conns(page))
        return out, page

    def close(self):
        self.sock.close()


# --- netstat -s -------------------------------------------------------------

def print_counters(stats, prev, dt, out):
    for group in ("Tcp", "TcpExt", "Tcpe", "Port", "Fault", "Engine"):
        vals = stats.get(group)
        if vals is None:
            continue
        if group == "Fault" and not vals.get("fault_seed"):
            continue
        out.append("%s:" % group)
        for name, v in vals.items():
            line = "    %s: %s" % (name, v)
            if prev is not None and dt > 0 and group != "Engine":
                d = v - prev.get(group, {}).get(name, v)
                if d:
                    line += "  (%+.0f/s)" % (d / dt)
            out.append(line)


# --- ss -s ------------------------------------------------------------------

def print_summary(states, info, out):
    tw = states.get("TIME_WAIT", 0)
    estab = states.get("ESTABLISHED", 0)
    closed = states.get("CLOSED", 0)
    out.append("Total: %d (TIME-WAIT records %d, orphans %d), "
               "%d worker(s) on %s %s" % (
                   states["Total"], states["TimeWaitRecords"],
                   states["Orphans"], info.get("workers", 0),
                   info.get("device", "?"), info.get("addr", "?")))
    out.append("TCP:   %d (estab %d, closed %d, orphaned %d, timewait %d)"
               % (states["Total"], estab, closed, states["Orphans"], tw))
    out.append("")
    out.append("%-13s %s" % ("State", "Count"))
    for name in ("ESTABLISHED", "SYN_SENT", "SYN_RECEIVED", "FIN_WAIT_1",
                 "FIN_WAIT_2", "TIME_WAIT", "CLOSE_WAIT", "LAST_ACK",
                 "CLOSING", "LISTEN", "CLOSED"):
        out.append("%-13s %d" % (SS_STATE[name], states.get(name, 0)))


# --- ss -tino ---------------------------------------------------------------

def fmt_ms(ms):
    if ms >= 1000:
        return "%.1fsec" % (ms / 1000.0)
    return "%dms" % ms


def fmt_timer(c):
    if c["timer"] == "off":
        return ""
    return "timer:(%s,%s,%d)" % (c["timer"], fmt_ms(c["timer_ms"]),
                                 c.get("retrans", 0))


def print_conns(conns, page, which, info_line, out):
    rows = []
    for c in conns:
        listen = c["state"] == "LISTEN"
        if which == "listen" and not listen:
            continue
        if which == "conn" and listen:
            continue
        rows.append(c)
    rows.sort(key=lambda c: (c["state"] != "LISTEN", c["local"],
                             c["remote"]))
    out.append("%-11s %6s %6s %22s %22s  %s" % (
        "State", "Recv-Q", "Send-Q", "Local Address:Port",
        "Peer Address:Port", "Process"))
    for c in rows:
        remote = "*:*" if c["state"] == "LISTEN" else c["remote"]
        local = c["local"]
        if local.startswith("0.0.0.0:"):
            local = "*:" + local.split(":", 1)[1]
        out.append("%-11s %6d %6d %22s %22s  worker:%d lcore:%d%s" % (
            SS_STATE.get(c["state"], c["state"]), c["recvq"], c["sendq"],
            local, remote, c["worker"], c["lcore"],
            " orphan" if c.get("kind") == "orphan" else
            " tw" if c.get("kind") == "tw" else ""))
        extra = []
        t = fmt_timer(c)
        if t:
            extra.append(t)
        if c.get("kind") in ("tcb", "orphan"):
            mss = c["mss"] or 1
            # As ss: no ssthresh while it is still "infinite".
            ssthresh = "" if c["ssthresh"] >= 1 << 30 else \
                " ssthresh:%d" % (c["ssthresh"] // mss)
            extra.append("rto:%g rtt:%g/%g mss:%d cwnd:%d%s snd_wnd:%d "
                         "rcv_wnd:%d retrans:%d" % (
                             c["rto_us"] / 1000.0, c["srtt_us"] / 1000.0,
                             c["rttvar_us"] / 1000.0, c["mss"],
                             (c["cwnd"] + mss - 1) // mss, ssthresh,
                             c["snd_wnd"], c["rcv_wnd"], c["retrans"]))
        if extra:
            out.append("\t " + " ".join(extra))
    out.append("%d connection(s) shown of %d dumped%s%s" % (
        len(rows), page["total"],
        ", %d not dumped (over the limit)" % page["not_dumped"]
        if page["not_dumped"] else "", info_line))


# --- main -------------------------------------------------------------------

def snapshot(tel, args, prev, dt):
    out = []
    worker = "" if args.worker is None else ",%d" % args.worker
    if args.summary:
        info = tel.cmd("/tcpe/info")
        print_summary(tel.cmd("/tcpe/states" + worker), info, out)
        return out, None
    if args.tcp or args.listening or args.all:
        conns, page = tel.conns()
        if args.worker is not None:
            conns = [c for c in conns if c["worker"] == args.worker]
        which = "all" if args.all else "listen" if args.listening and \
            not args.tcp else "conn"
        print_conns(conns, page, which, "", out)
        return out, None
    stats = tel.cmd("/tcpe/stats" + worker)
    print_counters(stats, prev, dt, out)
    return out, stats


def main():
    p = argparse.ArgumentParser(
        prog="tcpe-stat",
        description="netstat -s and ss for a running tcpe engine, through "
        "its DPDK telemetry socket.")
    p.add_argument("-f", "--file-prefix", default="tcpe",
                   help="the engine's EAL --file-prefix (default: tcpe)")
    p.add_argument("--socket", help="the telemetry socket's path "
                   "(default: <runtime dir>/<prefix>/%s)" % SOCKET_NAME)
    p.add_argument("-s", "--summary", action="store_true",
                   help="connections per state, as ss -s")
    p.add_argument("-t", "--tcp", action="store_true",
                   help="connections (not listeners), as ss -tino")
    p.add_argument("-l", "--listening", action="store_true",
                   help="listeners only")
    p.add_argument("-a", "--all", action="store_true",
                   help="listeners and connections")
    p.add_argument("-W", "--worker", type=int,
                   help="one worker's counters or connections")
    p.add_argument("-w", "--watch", nargs="?", const=1.0, type=float,
                   metavar="SECS", help="refresh every SECS (default 1)")
    p.add_argument("-c", "--count", type=int, default=0,
                   help="with --watch: stop after N refreshes")
    p.add_argument("--json", metavar="CMD",
                   help="run one telemetry command, print its JSON")
    p.add_argument("--capture-start", nargs="+", metavar=("FILE", "FILTER"),
                   help="start a pcapng capture of the port into FILE "
                   "(a path the engine can write), optional filter words "
                   "such as: host 198.18.0.1 and port 80")
    p.add_argument("--capture-stop", action="store_true",
                   help="stop the capture")
    p.add_argument("--capture-status", action="store_true")
    p.add_argument("--log", metavar="LEVEL",
                   help="set tcpe's log level (debug traces every state "
                   "transition)")
    args = p.parse_args()

    path = args.socket or os.path.join(runtime_dir(args.file_prefix),
                                       SOCKET_NAME)
    try:
        tel = Telemetry(path)
    except Unreachable as e:
        print("tcpe-stat: %s" % e, file=sys.stderr)
        return 2
    try:
        if args.json:
            print(json.dumps(tel.raw(args.json), indent=1))
            return 0
        if args.capture_start:
            f = os.path.abspath(args.capture_start[0])
            filt = " ".join(args.capture_start[1:])
            st = tel.cmd("/tcpe/capture/start,%s%s" % (
                f, " " + filt if filt else ""))
            print("capture: %s, filter '%s'" % (st["file"], st["filter"]))
            return 0
        if args.capture_stop or args.capture_status:
            st = tel.cmd("/tcpe/capture/stop" if args.capture_stop
                         else "/tcpe/capture/status")
            print("capture: %s %s: rx %d, tx %d, written %d, dropped %d, "
                  "filtered out %d" % (
                      "active" if st["active"] == "yes" else "stopped",
                      st["file"], st["rx"], st["tx"], st["written"],
                      st["dropped"], st["filtered"]))
            return 0
        if args.log:
            print("tcpe log level: %s" % tel.cmd("/tcpe/log," +
                                                  args.log)["level"])
            return 0
        if args.watch is None:
            out, _ = snapshot(tel, args, None, 0)
            print("\n".join(out))
            return 0
        prev, t_prev, n = None, None, 0
        tty = sys.stdout.isatty()
        while True:
            t = time.monotonic()
            out, stats = snapshot(tel, args, prev,
                                  t - t_prev if t_prev else 0)
            head = "tcpe-stat -f %s  %s  (every %gs)" % (
                args.file_prefix, time.strftime("%H:%M:%S"), args.watch)
            if tty:
                sys.stdout.write("\033[H\033[2J")
            print(head if tty else "--- " + head)
            print("\n".join(out))
            sys.stdout.flush()
            prev, t_prev = stats, t
            n += 1
            if args.count and n >= args.count:
                return 0
            time.sleep(max(0.0, args.watch - (time.monotonic() - t)))
    except EngineError as e:
        print("tcpe-stat: %s" % e, file=sys.stderr)
        return 1
    except (Unreachable, OSError) as e:
        print("tcpe-stat: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        tel.close()


if __name__ == "__main__":
    sys.exit(main())
