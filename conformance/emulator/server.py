"""Running the emulator under uvicorn in a background thread (embedded target, tests, benchmark).

The socket is bound here, before uvicorn starts, so that port 0 works and the URL is known before
``start_in_thread`` returns; it returns only once uvicorn has finished its startup (lifespan run,
database open) and accepts connections. ``stop()`` asks uvicorn to exit, waits for the thread, and
leaves no database open (a temporary database is deleted).

uvicorn parses HTTP with ``httptools`` and runs ``uvloop`` (both dependencies of the project; uvloop
where the platform has it): replaying a quick run's requests, httptools takes about 40 % off the
emulator's time per request against h11 (uvloop adds little), the floor under every suite run
(``bench/embedded_speed.py``). The loop is made by a factory per server, so a thread running one
changes nothing for the rest of the process.

httptools' parser (llhttp) is stricter than h11 in one place a hand-written client meets: a line
ended by a bare LF. RFC 9112 (section 2.2) lets a recipient take a single LF as a line end, and
h11 did, so ``LenientLineEnds`` turns that leniency on. What llhttp still refuses with a 400 the
RFCs let a server refuse: obs-fold (RFC 9112 section 5.2), control characters in a field value
(RFC 9110 section 5.5), a method it does not know (lower-case ``get`` is not ``GET``: methods are
case-sensitive); ``tests/emulator/test_http_framing.py`` pins each.

The thread shares the caller's interpreter lock: the plugin's embedded target runs in a process of
its own instead (``conformance.emulator.child``), which uses this module inside the child.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from conformance.emulator.app import build_app
from conformance.emulator.config import EmulatorConfig

STARTUP_TIMEOUT_S = 30.0


@dataclass
class RunningEmulator:
    """A started emulator: its base URL (no trailing slash), its config and app, and ``stop()``."""

    url: str
    config: EmulatorConfig
    app: Starlette
    _server: uvicorn.Server
    _thread: threading.Thread
    _socket: socket.socket

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():  # pending connections kept it busy: force the exit
            self._server.force_exit = True
            self._thread.join(timeout)
        self._socket.close()

    @property
    def pid(self) -> int:
        """The process serving it: this one (``child.ChildEmulator`` has the same attribute)."""
        return os.getpid()

    @property
    def internal_errors(self) -> int:
        """How many requests reached the last-resort 500 handler (should stay 0)."""
        return int(self.app.state.internal_errors)

    def __enter__(self) -> RunningEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only when the proto
    # says TCP; with proto 0 every response would wait ~40 ms for delayed ACKs (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def server_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class LenientLineEnds(HttpToolsProtocol):
    """uvicorn's httptools protocol, taking a bare LF as a line end (RFC 9112 section 2.2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            # both: llhttp reads the request line's end with the second, the fields' with the first;
            # a bare CR still ends nothing (tests/emulator/test_http_framing.py)
            self.parser.set_dangerous_leniencies(
                lenient_optional_cr_before_lf=True, lenient_optional_lf_after_cr=True
            )
        except (AttributeError, TypeError):  # an httptools without it: CRLF only, as the RFC allows
            pass


def uvicorn_config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration of every server started here and by ``groove-conformance serve``
    (the sandbox real clients use): the same parser and leniency whichever way it starts."""
    return uvicorn.Config(app, http=LenientLineEnds, log_level="warning", lifespan="on", **options)


class _Server(uvicorn.Server):
    """uvicorn's server, telling an event once its startup is over (started, or failed)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.startup_over = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.startup_over.set()


def serve_in_thread(
    app: Starlette, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, uvicorn.Server, threading.Thread, socket.socket]:
    """Serve any ASGI app with uvicorn in a daemon thread; return once it accepts connections.

    The emulator uses it, and so does the benchmark for its bare endpoint (same stack, same settings).
    Readiness is an event set when uvicorn's startup ends, or when the thread ends without one.
    """
    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    server = _Server(uvicorn_config(app, access_log=False))

    def run() -> None:
        try:
            server.run(sockets=[sock])
        finally:
            server.startup_over.set()  # a failure before the startup must not leave the caller waiting

    thread = threading.Thread(target=run, name="groove-emulator", daemon=True)
    thread.start()
    if not server.startup_over.wait(STARTUP_TIMEOUT_S):
        server.should_exit = True
        sock.close()
        raise RuntimeError("the server did not start in time")
    if not server.started:
        thread.join(STARTUP_TIMEOUT_S)
        sock.close()
        raise RuntimeError("the server failed to start (see the log above)")
    return server_url(host, actual_port), server, thread, sock


def start_in_thread(config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0) -> RunningEmulator:
    app = build_app(config)
    url, server, thread, sock = serve_in_thread(app, host, port)
    return RunningEmulator(url, config, app, server, thread, sock)
