#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the fuzz targets that need built inputs.

    tests/fuzz/mkcorpus.py [OUTDIR]     (default: tests/fuzz/corpus)

fuzz_wire/: Linux-style IPv4+TCP packets (a SYN with MSS, SACK-permitted,
timestamps and window scale; a SYN-ACK; a data segment with timestamps; a
FIN; an RST; one with SACK blocks), the bare TCP segments and the options
areas alone.

fuzz_conn/: scripts for fuzz_conn.c (the layout is documented there):
handshakes, data both ways, closes from either side, losses and
retransmissions, simultaneous open, zero windows, TIME_WAIT, injected
SYNs and segments, a raw Linux SYN, corruption, rx bursts, a small output
array, the destroy-at-once ending, and finding_*: one reproducer per core
defect fuzz_conn found.

The files are deterministic: rerunning rewrites the same bytes.
"""
import os
import struct
import sys

# --- wire ------------------------------------------------------------------


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def opts_syn(mss=1460, tsval=0x1234567, ws=7):
    # Linux tcp_options_write(): MSS, SACK_PERM+TS, NOP, WS.
    return (struct.pack("!BBH", 2, 4, mss) +
            struct.pack("!BBBBII", 4, 2, 8, 10, tsval, 0) +
            struct.pack("!BBBB", 1, 3, 3, ws))


def opts_ts(tsval, tsecr):
    return struct.pack("!BBBBII", 1, 1, 8, 10, tsval, tsecr)


def opts_sack(blocks):
    o = struct.pack("!BBBB", 1, 1, 5, 2 + 8 * len(blocks))
    for left, right in blocks:
        o += struct.pack("!II", left, right)
    return o


def tcp(src, dst, sport, dport, seq, ack, flags, wnd, opts=b"", data=b""):
    assert len(opts) % 4 == 0
    doff = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4,
                      flags, wnd, 0, 0) + opts
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6,
                                                len(hdr) + len(data))
    c = csum(pseudo + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def ipv4(src, dst, payload, ident=0x4d2, ttl=64):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      0x4000, ttl, 6, 0, ip4(src), ip4(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# 198.18.0.0/15 only (RFC 2544), as everywhere in the tests.
CLI, SRVA = "198.18.0.2", "198.18.0.1"
HTTP = b"GET / HTTP/1.1\r\nHost: 198.18.0.1\r\nUser-Agent: curl/7.88.1\r\n" \
       b"Accept: */*\r\n\r\n"


def wire_seeds():
    isn_c, isn_s = 0x5EED0001, 0x7A7A0000
    syn_tcp = tcp(CLI, SRVA, 43210, 80, isn_c, 0, SYN, 64240,
                  opts_syn(1460, 0x01020304, 7))
    synack_tcp = tcp(SRVA, CLI, 80, 43210, isn_s, isn_c + 1, SYN | ACK,
                     65160, opts_syn(1460, 0x0a0b0c0d, 7))
    data_tcp = tcp(CLI, SRVA, 43210, 80, isn_c + 1, isn_s + 1, PSH | ACK,
                   502, opts_ts(0x01020310, 0x0a0b0c0d), HTTP)
    fin_tcp = tcp(CLI, SRVA, 43210, 80, isn_c + 1 + len(HTTP), isn_s + 1,
                  FIN | ACK, 502, opts_ts(0x01020320, 0x0a0b0c20))
    rst_tcp = tcp(SRVA, CLI, 80, 43210, isn_s + 1, 0, RST, 0)
    sack_tcp = tcp(SRVA, CLI, 80, 43210, isn_s + 1, isn_c + 1, ACK, 509,
                   opts_ts(0x0a0b0c30, 0x01020320) +
                   opts_sack([(isn_c + 1001, isn_c + 2001),
                              (isn_c + 3001, isn_c + 4001)]))
    seeds = {
        "ip_syn_linux": ipv4(CLI, SRVA, syn_tcp),
        "ip_synack_linux": ipv4(SRVA, CLI, synack_tcp),
        "ip_data_http": ipv4(CLI, SRVA, data_tcp),
        "ip_fin": ipv4(CLI, SRVA, fin_tcp),
        "ip_rst": ipv4(SRVA, CLI, rst_tcp),
        "ip_sack": ipv4(SRVA, CLI, sack_tcp),
        # Ethernet pads short frames to 60 bytes: tot_len < len.
        "ip_rst_padded": ipv4(SRVA, CLI, rst_tcp) + b"\0" * 6,
        "tcp_syn_linux": syn_tcp,
        "tcp_data_http": data_tcp,
        "opts_syn_linux": opts_syn(1460, 0x01020304, 7),
        "opts_ts_sack": opts_ts(1, 2) + opts_sack([(1, 2), (3, 4), (5, 6)]),
    }
    return seeds


# --- fuzz_conn scripts -----------------------------------------------------

(OP_RAW, OP_SEG, OP_SEND, OP_RECV, OP_SHUT, OP_CLOSE, OP_ABORT, OP_ACCEPT,
 OP_CONNECT, OP_LISTEN, OP_TIME, OP_TIME_NEXT, OP_NET_DELIVER, OP_NET_DROP,
 OP_NET_DUP, OP_NET_FLUSH, OP_NET_CORRUPT, OP_PUMP, OP_EVENTS,
 OP_NET_BURST) = range(20)

SRV, PEER = 0, 1


def cfg(ws=1, rmem=1, wmem=1, small_out=False, destroy=False, mtu576=False,
        syn_retries=3, synack_retries=2, retries2=5, tw=5, rto_init=0,
        max_conns=15, somax=7, out_cap=0, backlog=7, rto_max=1,
        no_retry=False, fin_timeout=9):
    """The 6 configuration bytes (see LLVMFuzzerTestOneInput)."""
    c0 = (ws | rmem << 1 | wmem << 3 | (0x20 if small_out else 0) |
          (0x40 if destroy else 0) | (0x80 if mtu576 else 0))
    c1 = (syn_retries - 1) | synack_retries << 2 | retries2 << 4
    c2 = (tw - 1) | rto_init << 6
    c3 = max_conns | somax << 4
    c4 = out_cap | backlog << 3 | (0x40 if no_retry else 0)
    c5 = rto_max | (fin_timeout - 1) << 2
    return bytes([c0, c1, c2, c3, c4, c5])


def h(node, idx):
    """Handle selector: node bit, then the index in its handle list."""
    return node | idx << 1


def connect(node, lport=0, mode=0, rport=0):
    return bytes([OP_CONNECT, node | lport << 1 | mode << 3 | rport << 5])


def flush(n=255):
    return bytes([OP_NET_FLUSH, n])


def send(sel, lb):
    return bytes([OP_SEND, sel, lb])


def recv(sel, m=3):
    return bytes([OP_RECV, sel, m])


def shut(sel, how):
    return bytes([OP_SHUT, sel, how])


def close(sel):
    return bytes([OP_CLOSE, sel])


def abort(sel):
    return bytes([OP_ABORT, sel])


def accept(node, n=0):
    return bytes([OP_ACCEPT, node | n << 1])


def time(unit, v):
    return bytes([OP_TIME, unit, v])


def tnext():
    return bytes([OP_TIME_NEXT])


def pump(node):
    return bytes([OP_PUMP, node])


def net(op, node, idx=0):
    return bytes([op, node | idx << 1])


def seg(tgt, flags, sm=0, am=0, sd=0, ad=0, wnd=65535, ob=0x20, pl=0,
        extra=b""):
    return bytes([OP_SEG, tgt, flags, sm, am, sd & 0xFF, ad & 0xFF,
                  wnd >> 8, wnd & 0xFF, ob, pl]) + extra


def raw(sel, pkt):
    return bytes([OP_RAW, sel, len(pkt) >> 8, len(pkt) & 0xFF]) + pkt


# Handles: SRV starts with [listener], PEER with [listener]; connect and
# accept append.
PC = h(PEER, 1)     # PEER's first connection
SC = h(SRV, 1)      # SRV's first connection (accepted or connected)


def conn_seeds():
    s = {}
    base = cfg()
    hand = connect(PEER) + flush() + accept(SRV)

    s["handshake_close"] = (base + hand +
                            send(PC, 100) + flush() + recv(SC) +
                            send(SC, 120) + flush() + recv(PC) +
                            shut(SC, 2) + flush() + recv(PC) + close(PC) +
                            flush() + time(4, 10) + tnext() + close(SC))
    s["peer_closes_first"] = (base + hand + send(PC, 127) + flush() +
                              shut(PC, 2) + flush() + recv(SC) +
                              send(SC, 50) + close(SC) + flush() +
                              recv(PC) + time(4, 20) + close(PC) + flush())
    s["simultaneous_close"] = (base + hand + shut(PC, 2) + shut(SC, 2) +
                               flush() + time(4, 10) + tnext())
    s["loss_retransmit"] = (base + hand + send(PC, 127) +
                            net(OP_NET_DROP, SRV) + tnext() + flush() +
                            recv(SC) + send(SC, 129) +
                            net(OP_NET_DUP, PEER) + net(OP_NET_DELIVER,
                                                        PEER, 1) +
                            flush() + tnext() + tnext() + flush() +
                            recv(PC) + close(SC) + close(PC) + flush())
    s["bulk_zero_window"] = (cfg(rmem=0, wmem=2) + hand +
                             send(PC, 140) + flush() + flush() + flush() +
                             tnext() + flush() + tnext() + flush() +
                             recv(SC, 0) + recv(SC, 3) + flush() +
                             tnext() + flush() + pump(SRV) + flush() +
                             close(PC) + flush())
    s["syn_timeout_hole"] = (base + connect(SRV, 0, 3) + tnext() + tnext() +
                             tnext() + tnext() + tnext() + tnext())
    s["connect_refused"] = base + connect(SRV, 1, 2) + flush()
    s["simultaneous_open"] = (base + connect(SRV, 0, 1, 0) +
                              connect(PEER, 0, 1, 0) + flush() +
                              send(SC, 10) + send(PC, 20) + flush() +
                              pump(SRV) + pump(PEER) + close(SC) +
                              close(PC) + flush())
    s["time_wait_reuse"] = (base + connect(PEER, 2) + flush() + accept(SRV) +
                            close(PC) + flush() + close(SC) + flush() +
                            connect(PEER, 2) + flush() + time(4, 3) +
                            connect(PEER, 2) + flush() + accept(SRV))
    s["listen_overflow"] = (cfg(backlog=0, somax=0) + connect(PEER, 0) +
                            connect(PEER, 1) + connect(PEER, 2) + flush() +
                            tnext() + flush() + accept(SRV, 3) +
                            close(h(SRV, 0)) + flush())
    s["abort_both"] = (base + hand + send(PC, 100) + flush() + abort(SC) +
                       flush() + recv(PC) + abort(PC))
    s["close_unread_rst"] = (base + hand + send(PC, 100) + flush() +
                             close(SC) + flush() + recv(PC))
    s["shutdown_rd"] = (base + hand + shut(SC, 1) + send(PC, 30) + flush() +
                        recv(SC) + shut(SC, 3) + shut(SC, 0) + flush())
    s["small_out_array"] = (cfg(small_out=True, out_cap=0, wmem=2, rmem=2) +
                            hand + send(PC, 160) + flush() + flush() +
                            recv(SC) + flush() + tnext() + flush())
    s["destroy_live"] = (cfg(destroy=True) + hand + send(PC, 200) +
                         send(SC, 60) + connect(SRV, 1, 3))
    s["mtu576_ws_off"] = (cfg(ws=0, mtu576=True, rmem=3, wmem=3) + hand +
                          send(PC, 200) + flush() + pump(SRV) + flush() +
                          close(PC) + close(SC) + flush())
    s["corrupt"] = (base + hand + send(PC, 100) +
                    bytes([OP_NET_CORRUPT, SRV, 24, 0x40]) +
                    bytes([OP_NET_CORRUPT, SRV, 200, 0x01]) + flush())

    # Injected segments: a SYN to SRV's listener from a tuple nobody
    # else knows, the handshake's ACK, data, the FIN, all relative to
    # the child's sequence space.
    inj_syn = seg(0x80, SYN, ob=0x20 | 1 | 2 | 4, extra=bytes([5, 0xB4, 7]))
    inj = (base + inj_syn + seg(0, ACK, 0, 2) + accept(SRV) +
           seg(0, PSH | ACK, 0, 2, pl=100) + recv(SC) + send(SC, 50) +
           seg(0, ACK, 0, 2) + seg(0, FIN | ACK, 0, 2) + recv(SC) +
           close(SC) + seg(0, ACK, 0, 2) + time(4, 10) + tnext())
    s["inject_handshake"] = inj
    s["inject_out_of_window"] = (base + inj_syn + seg(0, ACK, 0, 2) +
                                 seg(0, ACK, 4, 2, pl=10) +
                                 seg(0, RST, 0, 0, 5) + seg(0, RST) +
                                 seg(0, SYN, 0, 0) + seg(0, ACK, 0, 6) +
                                 seg(0, ACK, 0, 4, 0, -1) +
                                 seg(0, PSH | ACK, 1, 2, pl=200) +
                                 seg(0, FIN | ACK, 0, 2, 1))
    s["inject_synack_to_client"] = (base + connect(SRV, 0, 3) +
                                    seg(0, SYN | ACK, 0, 5,
                                        ob=0x20 | 1, extra=b"\x02\x18") +
                                    send(SC, 40) + seg(0, ACK, 0, 2) +
                                    seg(0, ACK, 0, 2, wnd=0) + send(SC, 40) +
                                    tnext() + tnext() +
                                    seg(0, ACK, 0, 2, wnd=3000))
    s["inject_garbage"] = (base + inj_syn + seg(0, ACK, 0, 2) +
                           seg(0, PSH | ACK, 0, 2, ob=0, pl=30) +
                           accept(SRV) + recv(SC))

    # A raw Linux SYN from the peer's address, then the raw ACK is left
    # to the fuzzer; the SYN-ACK goes to PEER, which answers RST.
    syn = ipv4(CLI, SRVA, tcp(CLI, SRVA, 43210, 80, 0x5EED0001, 0, SYN,
                              64240, opts_syn()))
    s["raw_linux_syn"] = base + raw(0, syn) + flush() + raw(0, syn)
    bare = tcp(CLI, SRVA, 43211, 80, 0x1000, 0, SYN, 1000,
               struct.pack("!BBH", 2, 4, 536))
    s["raw_bare_syn"] = (base + raw(8, bare) + seg(0, ACK, 0, 2) +
                         accept(SRV) + close(SC))

    # Minimal reproducers of the core defects fuzz_conn found (F1-F7 of its
    # findings report), all fixed since: regression tests.
    blackhole = (base + connect(SRV, 0, 3) +
                 seg(0, SYN | ACK, 0, 5, ob=0x21, extra=b"\x02\x18") +
                 send(SC, 40))
    s["finding_evq_orphan"] = base + hand + close(SC)
    s["finding_persist_forever"] = (blackhole + seg(0, ACK, 0, 2, wnd=0) +
                                    send(SC, 40) + bytes([OP_EVENTS, SRV]))
    s["finding_full_out_timer"] = (cfg(small_out=True, out_cap=0) +
                                   connect(PEER, 0, 3) + connect(PEER, 1, 3) +
                                   tnext())
    s["finding_rto_zero_window"] = (blackhole + seg(0, ACK, 0, 0, wnd=0) +
                                    tnext())
    # A SYN (or SYN-ACK) resend that did not fit in a full out, then the
    # ACK of the SYN: snd_nxt was left one below snd_una.
    s["finding_synack_nxt_active"] = (cfg(small_out=True, no_retry=True) +
                                      connect(PEER, 0) + connect(PEER, 1) +
                                      tnext() + flush())
    s["finding_synack_nxt_passive"] = (cfg(small_out=True, no_retry=True) +
                                       connect(PEER, 0) +
                                       net(OP_NET_DUP, SRV) +
                                       connect(PEER, 1) +
                                       bytes([OP_NET_BURST, SRV | 2 << 1]) +
                                       flush())
    # Window scaling (shift 2), the window rounded up: then 1-byte
    # segments each pushed the receive queue one byte further past rcv_buf.
    creep = (cfg(rmem=3) + connect(SRV, 0, 3) +
             seg(0, SYN | ACK, 0, 5, ob=0x20 | 1 | 2,
                 extra=b"\x05\xb4\x07") + seg(0, PSH | ACK, 0, 2, pl=1))
    creep += seg(0, PSH | ACK, 0, 2, pl=255) * 15
    creep += seg(0, PSH | ACK, 0, 2, pl=254) + seg(0, PSH | ACK, 0, 2, pl=127)
    creep += seg(0, PSH | ACK, 0, 2, pl=1) * 8
    s["finding_wscale_creep"] = creep
    # The same towards a black hole, then close: the wedged orphan never
    # sent its FIN and never gave up.
    s["finding_synack_nxt_orphan"] = (cfg(small_out=True, no_retry=True) +
                                      connect(SRV, 0, 3) + connect(SRV, 1, 3) +
                                      tnext() +
                                      seg(2, SYN | ACK, 0, 5, ob=0x21,
                                          extra=b"\x02\x18") +
                                      close(h(SRV, 1)) + close(h(SRV, 1)))
    s["burst"] = (cfg(small_out=True, out_cap=3) + connect(PEER, 0) +
                  connect(PEER, 1) + connect(PEER, 2) +
                  bytes([OP_NET_BURST, SRV | 7 << 1]) + flush() +
                  accept(SRV, 3) + send(h(PEER, 1), 130) +
                  send(h(PEER, 2), 130) + bytes([OP_NET_BURST, SRV | 9 << 1]) +
                  flush() + pump(SRV) + flush())
    s["finding_wscale_shrink"] = (cfg(rmem=3) + connect(PEER) + flush() +
                                  send(PC, 10) + flush() + send(PC, 10) +
                                  flush())
    return s


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    for name, seeds in (("fuzz_wire", wire_seeds()),
                        ("fuzz_conn", conn_seeds())):
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        for k, v in seeds.items():
            with open(os.path.join(d, k), "wb") as f:
                f.write(v)
        print("%s: %d seeds in %s" % (name, len(seeds), d))


if __name__ == "__main__":
    main()
