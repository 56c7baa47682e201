#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Raw-socket HTTP/1.1 checks of tcpe-httpd, run by httpd_tap.sh inside the
test's network namespace.

    httpd_client.py HOST PORT CHECK...

Checks: pipeline, split, pipeline-big, halfclose, reuse, keepalive, close,
http10, errors, expect (or all). Each prints one "ok: ..." line per assertion and raises (exit 1)
on the first mismatch. Every socket has a timeout, so nothing hangs.
"""
import http.client
import os
import socket
import subprocess
import sys
import time

TIMEOUT = 20.0


def pattern(n):
    """The body of GET /bytes/n: byte i is i mod 251."""
    period = bytes(range(251))
    return (period * (n // 251 + 1))[:n]


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)
    print("ok: " + what, flush=True)


def connect(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Reads HTTP/1.1 responses (Content-Length framed) off a socket."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b""
        self.eof = False

    def fill(self):
        d = self.s.recv(262144)
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def response(self):
        """(status, headers dict lowercased, body) or None at EOF."""
        while b"\r\n\r\n" not in self.buf:
            if not self.fill():
                if self.buf:
                    raise Fail("EOF inside a response head: %r" % self.buf[:200])
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise Fail("bad status line %r" % lines[0])
        status = int(parts[1])
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        if status < 200:
            return (status, hdrs, b"")
        n = int(hdrs.get("content-length", "0"))
        while len(self.buf) < n:
            if not self.fill():
                raise Fail("EOF inside a body (%d of %d)" % (len(self.buf), n))
        body, self.buf = self.buf[:n], self.buf[n:]
        return (status, hdrs, body)

    def expect_eof(self, what):
        """The server closes: no more bytes, then EOF (not a reset)."""
        try:
            while self.fill():
                pass
        except ConnectionResetError:
            raise Fail(what + ": connection reset instead of FIN")
        check(self.eof and not self.buf, what + ": server closed (FIN), nothing extra")


def port_state(lport):
    """The kernel's TCP state of the socket on local port lport, from ss
    in this namespace ("NONE" when there is none)."""
    out = subprocess.run(["ss", "-tanH", "sport", "= :%d" % lport],
                         capture_output=True, text=True, timeout=10).stdout
    return out.split()[0] if out.split() else "NONE"


def tcp_state(sock):
    """The kernel's TCP state of sock."""
    return port_state(sock.getsockname()[1])


def get(path, extra="", version="HTTP/1.1"):
    return ("GET %s %s\r\nHost: t\r\n%s\r\n" % (path, version, extra)).encode()


def post(path, body, extra=""):
    return ("POST %s HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n%s\r\n"
            % (path, len(body), extra)).encode() + body


def chk_pipeline(host, port):
    """Several requests in one segment, answered in order."""
    s = connect(host, port)
    body = os.urandom(3000)
    reqs = [get("/bytes/10"), get("/"), post("/echo", body), get("/nope"),
            get("/bytes/70000"), get("/bytes/5", "Connection: close\r\n")]
    s.sendall(b"".join(reqs))
    r = Reader(s)
    exp = [(200, pattern(10)), (200, None), (200, body), (404, None),
           (200, pattern(70000)), (200, pattern(5))]
    for i, (st, b) in enumerate(exp):
        resp = r.response()
        check(resp is not None, "pipeline: response %d present" % i)
        check(resp[0] == st, "pipeline: response %d status %d (got %d)" % (i, st, resp[0]))
        if b is not None:
            check(resp[2] == b, "pipeline: response %d body (%d bytes)" % (i, len(b)))
    check(resp[1].get("connection") == "close", "pipeline: last response says Connection: close")
    r.expect_eof("pipeline")
    check(tcp_state(s) == "CLOSE-WAIT", "pipeline: client in CLOSE-WAIT (server closed first)")
    s.close()


def chk_split(host, port):
    """Requests cut at every few bytes, across segments."""
    s = connect(host, port)
    body = bytes(range(256)) * 4
    stream = get("/bytes/300") + post("/echo", body) + get("/", "Connection: close\r\n")
    for i in range(0, len(stream), 7):
        s.sendall(stream[i:i + 7])
        time.sleep(0.002)
    r = Reader(s)
    a, b, c = r.response(), r.response(), r.response()
    check(a[0] == 200 and a[2] == pattern(300), "split: GET /bytes/300")
    check(b[0] == 200 and b[2] == body, "split: POST /echo 1024 bytes")
    check(c[0] == 200 and b"tcpe-httpd" in c[2], "split: GET / with Connection: close")
    r.expect_eof("split")
    s.close()


def chk_pipeline_big(host, port):
    """Pipelined requests whose answers overflow the send buffer: the
    server stops parsing, holds the request bytes, resumes on writable."""
    s = connect(host, port)
    n, size = 40, 200000
    s.sendall(b"".join(get("/bytes/%d" % (size + i)) for i in range(n)))
    r = Reader(s)
    for i in range(n):
        resp = r.response()
        if resp is None or resp[0] != 200 or resp[2] != pattern(size + i):
            raise Fail("pipeline-big: response %d wrong" % i)
    check(True, "pipeline-big: %d responses of ~%d bytes in order" % (n, size))
    s.close()


def chk_halfclose(host, port):
    """The client sends its requests and shuts its side down: every
    request is still answered, then the server closes."""
    s = connect(host, port)
    body = os.urandom(20000)
    s.sendall(get("/bytes/100000") + post("/echo", body) + get("/"))
    s.shutdown(socket.SHUT_WR)
    r = Reader(s)
    a, b, c = r.response(), r.response(), r.response()
    check(a[0] == 200 and a[2] == pattern(100000), "halfclose: GET /bytes/100000")
    check(b[0] == 200 and b[2] == body, "halfclose: POST /echo 20000 bytes")
    check(c[0] == 200 and b"tcpe-httpd" in c[2], "halfclose: GET /")
    r.expect_eof("halfclose")
    s.close()


def chk_reuse(host, port):
    """A new connection from the source port of one the server just
    closed first (the server holds its TIME_WAIT): it must be served."""
    lport = 40000 + os.getpid() % 20000
    for i in range(3):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(TIMEOUT)
        s.bind(("", lport))
        s.connect((host, port))
        s.sendall(get("/bytes/777", "Connection: close\r\n"))
        r = Reader(s)
        resp = r.response()
        check(resp[0] == 200 and resp[2] == pattern(777),
              "reuse: connection %d from port %d served" % (i, lport))
        r.expect_eof("reuse %d" % i)
        s.close()
        # Our side closes second (LAST_ACK): wait for the last ACK.
        deadline = time.time() + 5
        while port_state(lport) != "NONE" and time.time() < deadline:
            time.sleep(0.01)


def chk_keepalive(host, port):
    """http.client over one persistent connection."""
    c = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    c.connect()
    first = c.sock.getsockname()
    for i in range(30):
        n = (i * 7919) % 100000
        c.request("GET", "/bytes/%d" % n)
        resp = c.getresponse()
        data = resp.read()
        if resp.status != 200 or data != pattern(n):
            raise Fail("keepalive: GET /bytes/%d" % n)
        body = os.urandom(i * 1000)
        c.request("POST", "/echo", body=body)
        resp = c.getresponse()
        if resp.status != 200 or resp.read() != body:
            raise Fail("keepalive: POST /echo %d bytes" % len(body))
        if c.sock is None or c.sock.getsockname() != first:
            raise Fail("keepalive: connection was not kept")
    check(True, "keepalive: 60 requests on one connection %s:%d" % first)
    c.request("HEAD", "/bytes/12345")
    resp = c.getresponse()
    check(resp.status == 200 and resp.getheader("content-length") == "12345"
          and resp.read() == b"", "keepalive: HEAD /bytes/12345 has no body")
    c.close()


def chk_close(host, port):
    """Connection: close: answer, then the server closes first."""
    s = connect(host, port)
    s.sendall(get("/bytes/1000", "Connection: close\r\n"))
    r = Reader(s)
    resp = r.response()
    check(resp[0] == 200 and resp[2] == pattern(1000), "close: GET /bytes/1000")
    check(resp[1].get("connection") == "close", "close: response says Connection: close")
    r.expect_eof("close")
    check(tcp_state(s) == "CLOSE-WAIT", "close: client in CLOSE-WAIT (server closed first)")
    s.close()


def chk_http10(host, port):
    """HTTP/1.0: close by default, keep-alive when asked."""
    s = connect(host, port)
    s.sendall(get("/bytes/100", version="HTTP/1.0"))
    r = Reader(s)
    resp = r.response()
    check(resp[0] == 200 and resp[2] == pattern(100), "http10: GET /bytes/100")
    check(resp[1].get("connection") == "close", "http10: Connection: close")
    r.expect_eof("http10")
    check(tcp_state(s) == "CLOSE-WAIT", "http10: client in CLOSE-WAIT (server closed first)")
    s.close()
    s = connect(host, port)
    r = Reader(s)
    for i in range(3):
        s.sendall(get("/", "Connection: keep-alive\r\n", version="HTTP/1.0"))
        resp = r.response()
        check(resp[0] == 200 and resp[1].get("connection") == "keep-alive",
              "http10: keep-alive request %d kept" % i)
    s.sendall(get("/", version="HTTP/1.0"))
    check(r.response()[0] == 200, "http10: last request without keep-alive")
    r.expect_eof("http10 keep-alive")
    s.close()


def error_case(host, port, name, data, status, closes=True, allow=None):
    s = connect(host, port)
    s.sendall(data)
    r = Reader(s)
    resp = r.response()
    check(resp is not None and resp[0] == status, "errors: %s -> %d (got %s)"
          % (name, status, resp and resp[0]))
    if allow is not None:
        check(resp[1].get("allow") == allow, "errors: %s Allow: %s" % (name, allow))
    if closes:
        check(resp[1].get("connection") == "close", "errors: %s says close" % name)
        r.expect_eof("errors: " + name)
    else:
        s.sendall(get("/bytes/3", "Connection: close\r\n"))
        nxt = r.response()
        check(nxt[0] == 200 and nxt[2] == pattern(3), "errors: %s keeps the connection" % name)
        r.expect_eof("errors: " + name + " then close")
    s.close()


def chk_errors(host, port):
    error_case(host, port, "garbage", b"GARBAGE\r\n\r\n", 400)
    error_case(host, port, "no Host", b"GET / HTTP/1.1\r\n\r\n", 400)
    error_case(host, port, "bare CR", b"GET / HTTP/1.1\rHost: t\r\n\r\n", 400)
    error_case(host, port, "404", get("/nope"), 404, closes=False)
    error_case(host, port, "405 DELETE /", b"DELETE / HTTP/1.1\r\nHost: t\r\n\r\n",
               405, closes=False, allow="GET, HEAD")
    error_case(host, port, "405 GET /echo", get("/echo"), 405, closes=False, allow="POST")
    error_case(host, port, "413", b"POST /echo HTTP/1.1\r\nHost: t\r\n"
               b"Content-Length: 2000000\r\n\r\n" + b"x" * 5000, 413)
    error_case(host, port, "414", get("/" + "a" * 3000), 414)
    error_case(host, port, "431 long line", get("/", "X-Big: " + "b" * 5000 + "\r\n"), 431)
    error_case(host, port, "431 long head",
               get("/", "".join("X-H%d: %s\r\n" % (i, "c" * 100) for i in range(100))), 431)
    error_case(host, port, "501 method", b"BREW / HTTP/1.1\r\nHost: t\r\n\r\n", 501,
               closes=False)
    error_case(host, port, "501 chunked", b"POST /echo HTTP/1.1\r\nHost: t\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501)
    error_case(host, port, "505", get("/", version="HTTP/2.0"), 505)
    error_case(host, port, "417", get("/", "Expect: teapot\r\n"), 417)


def chk_expect(host, port):
    """Expect: 100-continue: 100 first, then the echo."""
    s = connect(host, port)
    body = os.urandom(50000)
    s.sendall(("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n"
               "Expect: 100-continue\r\nConnection: close\r\n\r\n" % len(body)).encode())
    r = Reader(s)
    resp = r.response()
    check(resp[0] == 100, "expect: 100 Continue before the body")
    s.sendall(body)
    resp = r.response()
    check(resp[0] == 200 and resp[2] == body, "expect: echo of 50000 bytes")
    r.expect_eof("expect")
    s.close()
    # A refused resource answers at once and closes.
    s = connect(host, port)
    s.sendall(b"POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n"
              b"Expect: 100-continue\r\n\r\n")
    r = Reader(s)
    resp = r.response()
    check(resp[0] == 404, "expect: 404 without waiting for the body")
    r.expect_eof("expect 404")
    s.close()


CHECKS = {
    "pipeline": chk_pipeline,
    "split": chk_split,
    "pipeline-big": chk_pipeline_big,
    "halfclose": chk_halfclose,
    "reuse": chk_reuse,
    "keepalive": chk_keepalive,
    "close": chk_close,
    "http10": chk_http10,
    "errors": chk_errors,
    "expect": chk_expect,
}


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    names = sys.argv[3:]
    if names == ["all"]:
        names = list(CHECKS)
    for name in names:
        try:
            CHECKS[name](host, port)
        except (Fail, OSError, ValueError, http.client.HTTPException) as e:
            print("FAIL: %s: %s: %s" % (name, type(e).__name__, e), flush=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
