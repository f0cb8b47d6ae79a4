"""Running the emulator under uvicorn in a background thread (embedded target, tests, benchmark).

The socket is bound here, before uvicorn starts, so that port 0 works and the URL is known before
``start_in_thread`` returns; it returns only once uvicorn has finished its startup (lifespan run,
database open) and accepts connections. ``stop()`` asks uvicorn to exit, waits for the thread, and
leaves no database open (a temporary database is deleted).

uvicorn parses HTTP with ``httptools`` and runs ``uvloop`` (its "auto" choices, both dependencies of
the project; uvloop where the platform has it): against its pure-Python defaults (h11, asyncio)
they take about a third off the emulator's time per request, the floor under every suite run
(``bench/embedded_speed.py``). The loop is made by a factory per server, so a thread running one
changes nothing for the rest of the process.

The thread shares the caller's interpreter lock: the plugin's embedded target runs in a process of
its own instead (``conformance.emulator.child``), which uses this module inside the child.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

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
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))

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
