"""Running the emulator under uvicorn in a background thread (embedded target, tests, benchmark).

The socket is bound here, before uvicorn starts, so that port 0 works and the URL is known before
``start_in_thread`` returns; it returns only once uvicorn has finished its startup (lifespan run,
database open) and accepts connections. ``stop()`` asks uvicorn to exit, waits for the thread, and
leaves no database open (a temporary database is deleted).
"""

from __future__ import annotations

import socket
import threading
import time
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


def serve_in_thread(
    app: Starlette, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, uvicorn.Server, threading.Thread, socket.socket]:
    """Serve any ASGI app with uvicorn in a daemon thread; return once it accepts connections.

    The emulator uses it, and so does the benchmark for its bare endpoint (same stack, same settings).
    """
    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="groove-emulator", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive():
            sock.close()
            raise RuntimeError("the server failed to start (see the log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the server did not start in time")
        time.sleep(0.01)
    return server_url(host, actual_port), server, thread, sock


def start_in_thread(config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0) -> RunningEmulator:
    app = build_app(config)
    url, server, thread, sock = serve_in_thread(app, host, port)
    return RunningEmulator(url, config, app, server, thread, sock)
