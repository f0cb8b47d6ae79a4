"""Misbehaving HTTP servers on 127.0.0.1, written on raw sockets so that every byte is ours.

A conformance suite is pointed at servers that are not yet right; these are the worst of them.
A real HTTP framework would refuse to produce most of these answers (a reset mid-body, invalid
UTF-8 under a UTF-8 charset, a chunked body that never ends), hence plain sockets: a
``ThreadingTCPServer`` reads one request, hands the connection to a *behaviour* and closes it.
Every request's head is kept, so a test can prove what did (or did not) reach a server.
"""

from __future__ import annotations

import itertools
import socket
import socketserver
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

HEAD_LIMIT = 64 * 1024
TICK_S = 0.05  # pace of the slow behaviours; each checks for shutdown between writes


@dataclass
class Request:
    """One request as received: the raw head (request line + headers) and the body."""

    head: bytes
    body: bytes

    @property
    def path(self) -> str:
        return self.head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")

    def header(self, name: str) -> str | None:
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == name.lower().encode():
                return value.strip().decode("latin-1")
        return None


Behaviour = Callable[["HostileServer", socket.socket, Request], None]


def read_request(conn: socket.socket) -> Request | None:
    """Read one request head and its Content-Length body; None when the peer sent nothing usable."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk or len(data) > HEAD_LIMIT:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    request = Request(head, b"")
    length = int(request.header("content-length") or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    request.body = body
    return request


@dataclass
class HostileServer:
    """A socket server in a daemon thread answering every request with ``behaviour``."""

    behaviour: Behaviour
    requests: list[Request] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def __post_init__(self) -> None:
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.settimeout(30)
                try:
                    request = read_request(conn)
                    if request is None:
                        return
                    owner.requests.append(request)
                    owner.behaviour(owner, conn, request)
                except OSError:
                    pass  # the client gave up (timeout, reset): exactly what is being tested

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="hostile")
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def respond(conn: socket.socket, status: str, body: bytes, content_type: str, extra: str = "") -> None:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        f"{extra}Connection: close\r\n\r\n"
    )
    conn.sendall(head.encode("latin-1") + body)


# --- behaviours: each one way a server can be wrong ----------------------------------------------
def never_answers(server: HostileServer, conn: socket.socket, request: Request) -> None:
    server.stopping.wait(60)


def slow_bytes(server: HostileServer, conn: socket.socket, request: Request) -> None:
    body = b'{"Playlists": {"Items": []}}' * 50
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    for byte in answer + body:
        if server.stopping.wait(TICK_S):
            return
        conn.sendall(bytes([byte]))


def reset_mid_body(server: HostileServer, conn: socket.socket, request: Request) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n")
    conn.sendall(b'{"Playlists": {"Items": [' + b"0," * 100)
    # SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def garbage(server: HostileServer, conn: socket.socket, request: Request) -> None:
    conn.sendall(bytes((i * 37 + 11) % 256 for i in range(4096)))


def non_json_200(server: HostileServer, conn: socket.socket, request: Request) -> None:
    respond(conn, "200 OK", b"<html><body>It works!</body></html>", "application/json")


def huge_body(server: HostileServer, conn: socket.socket, request: Request) -> None:
    size = 512 * 1024 * 1024
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
    block = b" " * 65536
    for _ in range(size // len(block)):
        if server.stopping.is_set():
            return
        conn.sendall(block)


def wrong_content_type(server: HostileServer, conn: socket.socket, request: Request) -> None:
    respond(conn, "200 OK", b'{"Playlists": {"Items": []}}', "image/png")


def server_error(server: HostileServer, conn: socket.socket, request: Request) -> None:
    respond(conn, "500 Internal Server Error", b"Internal Server Error", "text/plain")


def invalid_utf8(server: HostileServer, conn: socket.socket, request: Request) -> None:
    body = b'{"Playlists": {"Items": ["\xff\xfe\xc3\x28"]}}'
    respond(conn, "200 OK", body, "application/json; charset=utf-8")


def chunked_forever(server: HostileServer, conn: socket.socket, request: Request) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    conn.sendall(b"1\r\n[\r\n")
    for _ in itertools.count():
        if server.stopping.wait(TICK_S):
            return
        conn.sendall(b"2\r\n0,\r\n")


def redirect_to(other: HostileServer) -> Behaviour:
    """Answer every request with a 307 to the same path on ``other`` (another origin)."""

    def redirect(server: HostileServer, conn: socket.socket, request: Request) -> None:
        respond(conn, "307 Temporary Redirect", b"", "text/plain", f"Location: {other.url}{request.path}\r\n")

    return redirect


def record_only(server: HostileServer, conn: socket.socket, request: Request) -> None:
    """The "other host": answers 200 to anything so that a client following it would carry on."""
    respond(conn, "200 OK", b'{"Playlists": {"Items": []}}', "application/json")


def proxy_then(upstream: str, faithful: int, hostile: Behaviour) -> Behaviour:
    """Relay the first ``faithful`` requests to ``upstream`` byte for byte, then turn ``hostile``.

    The capability probe sees a correct server, so the suite starts; every later request meets the
    hostile behaviour, which exercises the suite's per-request handling instead of the probe's.
    """
    counter = itertools.count()
    lock = threading.Lock()
    host, port = upstream.removeprefix("http://").split(":")

    def behaviour(server: HostileServer, conn: socket.socket, request: Request) -> None:
        with lock:
            n = next(counter)
        if n >= faithful:
            hostile(server, conn, request)
            return
        lines = [line for line in request.head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
        with socket.create_connection((host, int(port)), timeout=30) as up:
            up.sendall(b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + request.body)
            while chunk := up.recv(65536):
                conn.sendall(chunk)

    return behaviour
