#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Raw-socket clients of the teardown test (teardown_tap.sh), run inside
the test's network namespace against tcpe-httpd.

    teardown_client.py HOST PORT MODE [ARG]

Modes (each prints "ok: ..." per assertion, "info: ..." lines the script
reads, and raises (exit 1) on the first mismatch; every socket has a
timeout):

  close N       N connections one after the other, each "GET /" with
                Connection: close, read to the server's FIN, then closed:
                the server closed first, so no kernel socket may be left
                in TIME-WAIT (they end in LAST-ACK, then nothing).
  keepalive N   N keep-alive connections, one request each; the client
                closes first: every kernel socket ends in TIME-WAIT.
  reset N       N keep-alive connections, one request each, then reset by
                the client (SO_LINGER {1, 0}): the server must see resets,
                not ends of stream; no kernel socket left.
  hold SECS     "GET /" with Connection: close, read to the server's FIN,
                then neither send nor close for SECS s: the kernel socket
                stays in CLOSE-WAIT all along (no RST from the server);
                then closed with SO_LINGER {1, 0} (an RST from us: the
                server has forgotten the connection).
  abort N       N connections "GET /" with Connection: close to a server
                with SO_LINGER {1, 0}: the whole response, then a reset
                (not a FIN); then one keep-alive request after which the
                client shuts its side down: a reset again. No kernel
                socket left.
  halfclose SECS  a small receive buffer, "GET /bytes/200000" (keep-alive)
                then shutdown(SHUT_WR) at once; reads nothing for SECS s
                (the kernel socket stays in FIN-WAIT-2), then reads the
                whole body and the server's FIN; the kernel socket ends in
                TIME-WAIT.
  stall SECS    a small receive buffer, "GET /bytes/12000" with
                Connection: close, reads nothing for SECS s (the server's
                data and FIN are stuck behind our zero window), then
                reads: part of the body, then a reset (SO_LINGER {1, n}
                on the server).
"""
import socket
import struct
import subprocess
import sys
import time

TIMEOUT = 20.0
SMALL_RCVBUF = 2048


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok: " + what, flush=True)


def info(what):
    print("info: " + what, flush=True)


def pattern(n):
    period = bytes(range(251))
    return (period * (n // 251 + 1))[:n]


def connect(host, port, rcvbuf=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect((host, port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def get(path, close):
    return ("GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n"
            % (path, "Connection: close\r\n" if close else "")).encode()


def kernel_states():
    """{local port: state} of every TCP socket of this namespace."""
    out = subprocess.run(["ss", "-tanH"], capture_output=True, text=True,
                         timeout=10).stdout
    st = {}
    for ln in out.splitlines():
        f = ln.split()
        if len(f) >= 4 and ":" in f[3]:
            st[int(f[3].rsplit(":", 1)[1])] = f[0]
    return st


def port_state(lport):
    return kernel_states().get(lport, "NONE")


def wait_states(ports, want, secs):
    """Wait up to secs for every port to be in state want; return the
    final {port: state}."""
    deadline = time.time() + secs
    while True:
        st = kernel_states()
        cur = {p: st.get(p, "NONE") for p in ports}
        if all(v == want for v in cur.values()) or time.time() > deadline:
            return cur
        time.sleep(0.05)


def tally(states):
    t = {}
    for v in states.values():
        t[v] = t.get(v, 0) + 1
    return " ".join("%s=%d" % kv for kv in sorted(t.items()))


def split_response(data):
    """(status, headers, body) of one Content-Length framed response."""
    if b"\r\n\r\n" not in data:
        raise Fail("no complete response head in %r" % data[:200])
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, rest


def read_until_end(s):
    """Everything until the end of the stream: (data, 'eof'|'reset')."""
    data = b""
    while True:
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            return data, "reset"
        if not d:
            return data, "eof"
        data += d


def read_one(s):
    """One whole response off a keep-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        d = s.recv(65536)
        if not d:
            raise Fail("EOF before a response head")
        data += d
    st, h, body = split_response(data)
    n = int(h.get("content-length", "0"))
    while len(body) < n:
        d = s.recv(65536)
        if not d:
            raise Fail("EOF inside a body")
        body += d
    return st, h, body


def mode_close(host, port, n):
    t0 = time.time()
    ports = []
    for i in range(n):
        s = connect(host, port)
        ports.append(s.getsockname()[1])
        s.sendall(get("/", True))
        data, how = read_until_end(s)
        if how != "eof":
            raise Fail("close %d: reset instead of the server's FIN" % i)
        st, h, body = split_response(data)
        if st != 200 or b"tcpe-httpd" not in body or \
                h.get("connection") != "close":
            raise Fail("close %d: bad response %r" % (i, data[:200]))
        s.close()
    info("close: %d connections in %.2f s" % (n, time.time() - t0))
    check(len(set(ports)) == n, "close: %d distinct source ports" % n)
    check(True, "close: %d responses, each followed by the server's FIN" % n)
    st = wait_states(ports, "NONE", 5)
    info("close: kernel states of our ports: %s" % (tally(st) or "none"))
    check(all(v == "NONE" for v in st.values()),
          "close: no kernel socket left (none in TIME-WAIT): the server "
          "closed first")


def mode_keepalive(host, port, n):
    socks = []
    for i in range(n):
        s = connect(host, port)
        s.sendall(get("/", False))
        socks.append(s)
    for i, s in enumerate(socks):
        st, h, body = read_one(s)
        if st != 200 or h.get("connection") != "keep-alive":
            raise Fail("keepalive %d: status %d, connection %r"
                       % (i, st, h.get("connection")))
    check(True, "keepalive: %d keep-alive responses" % n)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    st = wait_states(ports, "TIME-WAIT", 5)
    info("keepalive: kernel states of our ports: %s" % tally(st))
    check(all(v == "TIME-WAIT" for v in st.values()),
          "keepalive: the client closed first: all %d kernel sockets in "
          "TIME-WAIT" % n)


def rst_close(s):
    """Close with SO_LINGER {1, 0}: an RST, no FIN."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 struct.pack("ii", 1, 0))
    s.close()


def mode_reset(host, port, n):
    socks = []
    for i in range(n):
        s = connect(host, port)
        s.sendall(get("/", False))
        st, h, body = read_one(s)
        if st != 200 or h.get("connection") != "keep-alive":
            raise Fail("reset %d: status %d" % (i, st))
        socks.append(s)
    check(True, "reset: %d keep-alive responses" % n)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        rst_close(s)
    st = wait_states(ports, "NONE", 5)
    check(all(v == "NONE" for v in st.values()),
          "reset: %d connections reset by us, no kernel socket left" % n)


def mode_hold(host, port, secs):
    s = connect(host, port)
    lport = s.getsockname()[1]
    s.sendall(get("/bytes/1000", True))
    data, how = read_until_end(s)
    check(how == "eof", "hold: the server's FIN after the response")
    st, h, body = split_response(data)
    check(st == 200 and body == pattern(1000), "hold: GET /bytes/1000")
    check(port_state(lport) == "CLOSE-WAIT",
          "hold: kernel socket in CLOSE-WAIT")
    info("holding port %d" % lport)
    time.sleep(secs)
    check(port_state(lport) == "CLOSE-WAIT",
          "hold: kernel socket still in CLOSE-WAIT after %g s (no RST came)"
          % secs)
    try:
        d = s.recv(100)
        check(d == b"", "hold: still at end of stream, nothing more")
    except ConnectionResetError:
        raise Fail("hold: the connection was reset")
    rst_close(s)


def mode_abort(host, port, n):
    ports = []
    for i in range(n):
        s = connect(host, port)
        ports.append(s.getsockname()[1])
        s.sendall(get("/", True))
        data, how = read_until_end(s)
        st, h, body = split_response(data)
        n_body = int(h.get("content-length", "-1"))
        if st != 200 or len(body) != n_body or b"tcpe-httpd" not in body:
            raise Fail("abort %d: incomplete response (%d of %d body bytes)"
                       % (i, len(body), n_body))
        if how != "reset":
            raise Fail("abort %d: FIN instead of a reset" % i)
        s.close()
    check(True, "abort: %d whole responses, each followed by a reset" % n)
    # The client closes first: the server's close from CLOSE_WAIT resets.
    s = connect(host, port)
    ports.append(s.getsockname()[1])
    s.sendall(get("/", False))
    st, h, body = read_one(s)
    check(st == 200 and h.get("connection") == "keep-alive",
          "abort: keep-alive response")
    s.shutdown(socket.SHUT_WR)
    data, how = read_until_end(s)
    check(how == "reset" and data == b"",
          "abort: our FIN is answered by a reset (server closed from "
          "CLOSE_WAIT)")
    s.close()
    st = wait_states(ports, "NONE", 5)
    info("abort: kernel states of our ports: %s" % (tally(st) or "none"))
    check(all(v == "NONE" for v in st.values()),
          "abort: no kernel socket left, none in TIME-WAIT")


def mode_halfclose(host, port, secs):
    n = 200000
    s = connect(host, port, SMALL_RCVBUF)
    lport = s.getsockname()[1]
    s.sendall(get("/bytes/%d" % n, False))
    s.shutdown(socket.SHUT_WR)
    time.sleep(0.3)
    check(port_state(lport) == "FIN-WAIT-2",
          "halfclose: our FIN acknowledged: kernel socket in FIN-WAIT-2")
    info("halfclosed port %d" % lport)
    time.sleep(secs)
    check(port_state(lport) == "FIN-WAIT-2",
          "halfclose: still FIN-WAIT-2 after %g s" % secs)
    data, how = read_until_end(s)
    check(how == "eof", "halfclose: the server's FIN after the body")
    st, h, body = split_response(data)
    check(st == 200 and body == pattern(n),
          "halfclose: GET /bytes/%d whole and right" % n)
    s.close()
    st = wait_states([lport], "TIME-WAIT", 5)
    check(st[lport] == "TIME-WAIT",
          "halfclose: the client closed first: kernel socket in TIME-WAIT "
          "(%s)" % st[lport])


def mode_stall(host, port, secs):
    n = 12000
    s = connect(host, port, SMALL_RCVBUF)
    lport = s.getsockname()[1]
    s.sendall(get("/bytes/%d" % n, True))
    info("stalled port %d" % lport)
    time.sleep(secs)
    data, how = read_until_end(s)
    info("stall: read %d bytes, then %s" % (len(data), how))
    check(how == "reset", "stall: the server reset the connection")
    check(len(data) < n, "stall: only part of the response arrived "
          "(%d bytes)" % len(data))
    s.close()
    check(port_state(lport) == "NONE", "stall: no kernel socket left")


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, mode, arg = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
        sys.argv[4]
    modes = {
        "close": (mode_close, int),
        "keepalive": (mode_keepalive, int),
        "reset": (mode_reset, int),
        "hold": (mode_hold, float),
        "abort": (mode_abort, int),
        "halfclose": (mode_halfclose, float),
        "stall": (mode_stall, float),
    }
    if mode not in modes:
        print("unknown mode %s" % mode, file=sys.stderr)
        return 2
    fn, conv = modes[mode]
    try:
        fn(host, port, conv(arg))
    except (Fail, OSError) as e:
        print("FAIL: %s: %s" % (mode, e), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
