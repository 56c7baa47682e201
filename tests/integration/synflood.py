#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SYN flood, legitimate clients and forged segments against tcpe-httpd,
run by synflood_tap.sh inside the test's network namespace, on the kernel
side of the engine's tap. Needs root (packet sockets) and, for `forge`,
scapy (Debian python3-scapy: run it with /usr/bin/python3).

    synflood.py flood IFACE --src-mac M --dst-mac M --dst IP [--dport P]
                [--net CIDR] [--count N] [--time S] [--rate PPS]
                [--burst N] [--stop-file F] [--seed N]
        SYNs from random addresses of --net (default 198.19.0.0/16) and
        random ports, with Linux's SYN options (MSS, SACK-permitted, TS,
        WS), as prebuilt Ethernet frames written to a packet socket on
        IFACE. Stops after --count frames, --time seconds or when
        --stop-file exists, whichever first; the first --burst frames are
        sent as fast as the socket goes (the top rate, printed apart), the
        rest at no more than --rate SYN/s (0: unpaced). Prints "flood:
        started" once the first frames are out, then how many were sent,
        how many the tap dropped (its queue to the engine full) and the
        rates.

    synflood.py clients HOST PORT [-n N] [-c C] [--timeout S] [--spread S]
                [--deadline S]
        N connections, C at a time, each GET / with Connection: close and
        a check of the answer (200 and the page) within --timeout;
        connection i starts no earlier than i * spread / N seconds and not
        at all after --deadline seconds (it counts as failed). Prints
        "clients: ok X of N".

    synflood.py options HOST PORT [--hold S]
        One connection, GET / on it, then the kernel's TCP_INFO: which
        options it negotiated (timestamps, SACK, window scaling). Prints
        "options: ts=0|1 sack=0|1 wscale=SND,RCV", then "held" and keeps
        the connection open --hold seconds.

    synflood.py forge IFACE --src IP --src-mac M --dst IP --dst-mac M
                [--dport P] [-n N]
        N ACKs with random SEQ and ACK from unused ports of --src (a real
        address of the kernel side) to the listener: each must be answered
        by an RST with SEQ = the forged ACK. Prints "forge: rst X of N".

    synflood.py overflow IFACE --src-mac M --dst-mac M --dst IP [--dport P]
                [--net CIDR] [-n N]
        N SYNs from spoofed addresses, collects the SYN-ACKs (the engine
        sends them to its gateway, the kernel side), then sends the N
        completing ACKs back to back so that several reach the engine in
        one receive burst, before the application accepts. Counts the RSTs
        that answer them (tcp_abort_on_overflow = 1). Prints
        "overflow: synacks X rsts Y of N".

Every wait is bounded; the exit status is 0 unless the tool itself failed
(the shell script judges the numbers).
"""
import argparse
import ipaddress
import os
import random
import select
import socket
import struct
import sys
import threading
import time

ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def ip_int(a):
    return int(ipaddress.IPv4Address(a))


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def words(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


# Linux's SYN options: MSS 1460, SACK-permitted, TS (TSval, TSecr 0), NOP,
# WS 7. The TSval sits at offset 8 of the options.
SYN_OPTS = bytes([2, 4, 0x05, 0xB4, 4, 2, 8, 10]) + b"\0" * 8 + bytes([1, 3, 3, 7])


def tcp_frame(src_mac, dst_mac, src, dst, sport, dport, seq, ack, flags,
              opts=b"", win=64240, ip_id=0):
    """One Ethernet + IPv4 + TCP frame with correct checksums."""
    thl = 20 + len(opts)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (thl // 4) << 4,
                      flags, win, 0, 0) + opts
    pseudo = struct.pack("!IIBBH", src, dst, 0, 6, thl)
    tcp = tcp[:16] + struct.pack("!H", fold(words(pseudo) + words(tcp))) + tcp[18:]
    iph = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + thl, ip_id, 0x4000, 64, 6,
                      0, src, dst)
    iph = iph[:10] + struct.pack("!H", fold(words(iph))) + iph[12:]
    return dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + iph + tcp


def syn_frames(a, n, rng):
    """n SYN frames from random sources of a.net, checksums computed from
    precomputed partial sums (the template with the varying fields 0)."""
    net = ipaddress.IPv4Network(a.net)
    base_src, nhosts = int(net.network_address), net.num_addresses
    dst = ip_int(a.dst)
    tmpl = bytearray(tcp_frame(mac_bytes(a.src_mac), mac_bytes(a.dst_mac),
                               0, dst, 0, a.dport, 0, 0, 0x02, SYN_OPTS))
    # Offsets: IP at 14 (checksum 24, src 26), TCP at 34 (sport 34, seq 38,
    # checksum 50, TSval 54+8).
    struct.pack_into("!H", tmpl, 24, 0)
    struct.pack_into("!H", tmpl, 50, 0)
    ip_base = words(bytes(tmpl[14:34]))
    tcp_base = (words(struct.pack("!IIBBH", 0, dst, 0, 6, 40)) +
                words(bytes(tmpl[34:74])))
    frames = []
    for _ in range(n):
        src = base_src + rng.randrange(1, nhosts - 1)
        sport = rng.randrange(1024, 65536)
        seq = rng.getrandbits(32)
        tsv = rng.getrandbits(32)
        f = bytearray(tmpl)
        struct.pack_into("!I", f, 26, src)
        struct.pack_into("!H", f, 34, sport)
        struct.pack_into("!I", f, 38, seq)
        struct.pack_into("!I", f, 62, tsv)
        sh, sl = src >> 16, src & 0xFFFF
        struct.pack_into("!H", f, 24, fold(ip_base + sh + sl))
        struct.pack_into("!H", f, 50, fold(tcp_base + sh + sl + sport +
                                           (seq >> 16) + (seq & 0xFFFF) +
                                           (tsv >> 16) + (tsv & 0xFFFF)))
        frames.append(bytes(f))
    return frames


def tap_dropped(iface):
    """Frames the tap dropped on the way to the engine (its tx_dropped)."""
    try:
        with open("/sys/class/net/%s/statistics/tx_dropped" % iface) as f:
            return int(f.read())
    except OSError:
        return 0


def packet_socket(iface, proto=ETH_P_ALL):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    s.bind((iface, proto))
    return s


def send_frames(s, frames):
    """Sends frames as fast as the packet socket goes: (sent, refused)."""
    sent = refused = 0
    for f in frames:
        try:
            s.send(f)
            sent += 1
        except OSError:
            # ENOBUFS: the tap's queue is full; the frame is lost.
            refused += 1
    return sent, refused


def report(what, iface, sent, refused, drop0, secs, extra=""):
    # The tap drops what the engine has not read yet when its queue is
    # full (the send still succeeds): count those too.
    dropped = tap_dropped(iface) - drop0
    got = sent - dropped
    print("%s: sent %d SYNs in %.2f s: %.0f SYN/s; %d dropped by the tap "
          "(its queue full), %d refused: %d reached the engine, %.0f SYN/s%s" %
          (what, sent, secs, sent / max(secs, 1e-9), dropped, refused, got,
           got / max(secs, 1e-9), extra), flush=True)
    return got


def cmd_flood(a):
    rng = random.Random(a.seed)
    t0 = time.monotonic()
    frames = syn_frames(a, a.count, rng)
    print("flood: %d frames built in %.2f s (seed %d)" %
          (len(frames), time.monotonic() - t0, a.seed), flush=True)
    s = packet_socket(a.iface)
    drop0 = tap_dropped(a.iface)
    start = time.monotonic()
    end = start + a.time
    sent = refused = 0
    i = 0
    if a.burst > 0:
        # The packet socket's (and the engine's) top rate, unpaced.
        sent, refused = send_frames(s, frames[:a.burst])
        i = min(a.burst, len(frames))
        print("flood: started", flush=True)
        report("burst", a.iface, sent, refused, drop0,
               time.monotonic() - start, " (unpaced)")
    batch = 32
    stop_reason = "count"
    paced, paced_i = time.monotonic(), i
    while i < len(frames):
        k, r = send_frames(s, frames[i:i + batch])
        sent, refused = sent + k, refused + r
        i += batch
        if i == batch:
            print("flood: started", flush=True)
        now = time.monotonic()
        if now >= end:
            stop_reason = "time"
            break
        if (i // batch) % 8 == 0 and a.stop_file and os.path.exists(a.stop_file):
            stop_reason = "stop file"
            break
        if a.rate > 0:
            ahead = paced + (i - paced_i) / a.rate - now
            if ahead > 0:
                time.sleep(ahead)
    secs = time.monotonic() - start
    got = report("flood", a.iface, sent, refused, drop0, secs,
                 " (%sat most %s SYN/s; stopped by %s)" %
                 ("the first %d unpaced, then " % a.burst if a.burst > 0 else "",
                  "%.0f" % a.rate if a.rate > 0 else "unpaced", stop_reason))
    print("flood_sent=%d flood_got=%d flood_secs=%.2f flood_pps=%.0f" %
          (sent, got, secs, got / max(secs, 1e-9)), flush=True)
    return 0


def one_client(host, port, timeout):
    """None on success, else a short reason."""
    t0 = time.monotonic()
    try:
        s = socket.create_connection((host, port), timeout=timeout)
    except OSError as e:
        return "connect: %s" % (e.__class__.__name__,), time.monotonic() - t0
    try:
        s.settimeout(max(timeout - (time.monotonic() - t0), 0.1))
        s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
    except OSError as e:
        return "exchange: %s" % (e.__class__.__name__,), time.monotonic() - t0
    finally:
        s.close()
    if not data.startswith(b"HTTP/1.1 200 ") or b"tcpe-httpd" not in data:
        return "answer: %r" % (data[:40],), time.monotonic() - t0
    return None, time.monotonic() - t0


def cmd_clients(a):
    results = [None] * a.n
    nxt = [0]
    lock = threading.Lock()
    start = time.monotonic()

    def worker():
        while True:
            with lock:
                i = nxt[0]
                if i >= a.n:
                    return
                nxt[0] += 1
            due = start + i * a.spread / a.n
            d = due - time.monotonic()
            if d > 0:
                time.sleep(d)
            if time.monotonic() - start > a.deadline:
                results[i] = ("not started before the deadline", 0.0)
                continue
            results[i] = one_client(a.host, a.port, a.timeout)

    th = [threading.Thread(target=worker, daemon=True) for _ in range(a.c)]
    for t in th:
        t.start()
    for t in th:
        t.join(max(start + a.deadline + a.timeout + 1 - time.monotonic(), 0))
    secs = time.monotonic() - start
    good = [r for r in results if r is not None and r[0] is None]
    reasons = {}
    for r in results:
        why = "not run" if r is None else r[0]
        if why is not None:
            reasons[why] = reasons.get(why, 0) + 1
    lat = sorted(r[1] for r in results if r is not None and r[1] > 0)
    if lat:
        print("clients: latency ms p50 %.1f p99 %.1f max %.1f" %
              (1e3 * lat[len(lat) // 2], 1e3 * lat[min(len(lat) - 1, len(lat) * 99 // 100)],
               1e3 * lat[-1]))
    for why, k in sorted(reasons.items()):
        print("clients: %d failed: %s" % (k, why))
    print("clients: ok %d of %d in %.2f s" % (len(good), a.n, secs), flush=True)
    return 0


def cmd_options(a):
    s = socket.create_connection((a.host, a.port), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(65536)
        if not d:
            break
        data += d
    head, _, body = data.partition(b"\r\n\r\n")
    n = 0
    for ln in head.split(b"\r\n")[1:]:
        k, _, v = ln.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        d = s.recv(65536)
        if not d:
            break
        body += d
    ti = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    opts, ws = ti[5], ti[6]
    print("options: status %r body %d of %d" %
          (head.split(b"\r\n")[0].decode("latin-1"), len(body), n))
    # tcpi_options: TCPI_OPT_TIMESTAMPS 1, TCPI_OPT_SACK 2, TCPI_OPT_WSCALE 4;
    # then snd_wscale:4, rcv_wscale:4.
    print("options: ts=%d sack=%d wscale=%s" %
          (opts & 1, (opts >> 1) & 1,
           "%d,%d" % (ws & 15, ws >> 4) if opts & 4 else "none"), flush=True)
    print("held", flush=True)
    time.sleep(a.hold)
    s.close()
    return 0


def cmd_forge(a):
    from scapy.all import AsyncSniffer, Ether, IP, TCP, sendp, conf
    conf.verb = 0
    rng = random.Random()
    started = threading.Event()
    sn = AsyncSniffer(iface=a.iface, store=True,
                      filter="tcp and src host %s and tcp[tcpflags] & tcp-rst != 0" % a.dst,
                      started_callback=started.set)
    sn.start()
    if not started.wait(5):
        print("forge: sniffer did not start")
        return 1
    sent = []
    for _ in range(a.n):
        # Below the ephemeral range: no kernel socket uses these ports.
        sport = rng.randrange(20000, 30000)
        seq, ack = rng.getrandbits(32), rng.getrandbits(32)
        sendp(Ether(src=a.src_mac, dst=a.dst_mac) /
              IP(src=a.src, dst=a.dst) /
              TCP(sport=sport, dport=a.dport, flags="A", seq=seq, ack=ack,
                  window=502), iface=a.iface)
        sent.append((sport, seq, ack))
        time.sleep(0.05)
    time.sleep(1.0)
    pkts = sn.stop() or []
    got = 0
    for sport, seq, ack in sent:
        match = [p for p in pkts if TCP in p and p[TCP].dport == sport]
        if not match:
            print("forge: ACK from port %d seq %u ack %u: no RST" % (sport, seq, ack))
            continue
        r = match[0][TCP]
        okseq = r.seq == ack
        print("forge: ACK from port %d seq %u ack %u: %s seq %u ack %u%s" %
              (sport, seq, ack, r.sprintf("%flags%"), r.seq, r.ack,
               "" if okseq else " (SEQ is not the forged ACK)"))
        if okseq and "R" in r.sprintf("%flags%"):
            got += 1
    print("forge: rst %d of %d" % (got, a.n), flush=True)
    return 0


def parse_tcp(frame):
    """(src, dst, sport, dport, seq, ack, flags) of an IPv4/TCP frame."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 15) * 4
    src, dst = struct.unpack_from("!II", frame, 26)
    t = 14 + ihl
    sport, dport, seq, ack = struct.unpack_from("!HHII", frame, t)
    return src, dst, sport, dport, seq, ack, frame[t + 13]


def collect(s, want, secs, pred):
    """Frames from packet socket s matching pred, until want or secs."""
    out = []
    end = time.monotonic() + secs
    while len(out) < want:
        left = end - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            break
        f, addr = s.recvfrom(65536)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        p = parse_tcp(f)
        if p is not None and pred(p):
            out.append(p)
    return out


def cmd_overflow(a):
    rng = random.Random()
    smac, dmac = mac_bytes(a.src_mac), mac_bytes(a.dst_mac)
    dst = ip_int(a.dst)
    net = ipaddress.IPv4Network(a.net)
    rx = packet_socket(a.iface)
    tx = packet_socket(a.iface)
    peers = {}
    syns = []
    for _ in range(a.n):
        src = int(net.network_address) + rng.randrange(1, net.num_addresses - 1)
        sport = rng.randrange(1024, 65536)
        isn = rng.getrandbits(32)
        peers[(src, sport)] = isn
        # Only MSS: no timestamps, so a cookie carries no options.
        syns.append(tcp_frame(smac, dmac, src, dst, sport, a.dport, isn, 0,
                              0x02, bytes([2, 4, 0x05, 0xB4])))
    for f in syns:
        tx.send(f)
    synacks = collect(rx, a.n, 5.0, lambda p: p[0] == dst and p[6] & 0x12 == 0x12
                      and (p[1], p[3]) in peers)
    acks = []
    seen = set()
    for p in synacks:
        key = (p[1], p[3])
        if key in seen:
            continue
        seen.add(key)
        isn = peers[key]
        acks.append((key, p[4] + 1 & 0xFFFFFFFF,
                     tcp_frame(smac, dmac, p[1], dst, p[3], a.dport,
                               isn + 1 & 0xFFFFFFFF, p[4] + 1 & 0xFFFFFFFF,
                               0x10, b"", win=502)))
    for _, _, f in acks:
        tx.send(f)
    want = {(k[0], k[1]): ack for k, ack, _ in acks}
    rsts = collect(rx, len(acks), 2.0, lambda p: p[0] == dst and p[6] & 0x04
                   and (p[1], p[3]) in want)
    good = sum(1 for p in rsts if p[4] == want[(p[1], p[3])])
    print("overflow: synacks %d rsts %d of %d (%d with SEQ = the ACK's ACK)" %
          (len(acks), len(rsts), a.n, good), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    def l2(p, src_ip=False):
        p.add_argument("iface")
        p.add_argument("--src-mac", required=True)
        p.add_argument("--dst-mac", required=True)
        p.add_argument("--dst", required=True)
        p.add_argument("--dport", type=int, default=80)
        if src_ip:
            p.add_argument("--src", required=True)
        else:
            p.add_argument("--net", default="198.19.0.0/16")

    p = sub.add_parser("flood")
    l2(p)
    p.add_argument("--count", type=int, default=50000)
    p.add_argument("--time", type=float, default=15.0)
    p.add_argument("--rate", type=float, default=0.0)
    p.add_argument("--burst", type=int, default=0)
    p.add_argument("--stop-file")
    p.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "big"))
    p = sub.add_parser("clients")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("-n", type=int, default=400)
    p.add_argument("-c", type=int, default=8)
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--spread", type=float, default=0.0)
    p.add_argument("--deadline", type=float, default=20.0)
    p = sub.add_parser("options")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--hold", type=float, default=2.0)
    p = sub.add_parser("forge")
    l2(p, src_ip=True)
    p.add_argument("-n", type=int, default=5)
    p = sub.add_parser("overflow")
    l2(p)
    p.add_argument("-n", type=int, default=200)
    a = ap.parse_args()
    return {"flood": cmd_flood, "clients": cmd_clients, "options": cmd_options,
            "forge": cmd_forge, "overflow": cmd_overflow}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
