"""The reference emulator in a process of its own: the plugin's embedded target.

Why a process: served from a thread of the pytest process, the emulator and the suite share one
interpreter lock, and on two cores the second one idles (``bench/suite_speed.py`` measures both).

The contract between the two sides, all on pipes (nothing on the command line, which other users
of the machine can read):

* the parent writes the configuration as one JSON line on the child's stdin (the users' tokens and
  the developer token travel there, never in ``argv`` or the environment);
* the child binds a free loopback port, starts uvicorn (``server.start_in_thread``) and, once it
  accepts connections, writes one JSON line on its stdout: ``{"url": ..., "pid": ...}``; the parent
  waits for that line (a ``select`` with a deadline, no polling);
* the child then reads its stdin until end of file: the parent closes it to stop the child, and
  the kernel closes it when the parent dies, however it dies, so no child outlives its parent.
  On the way out the child writes ``{"internal_errors": N}`` and exits 0.

The child ignores SIGINT: a Ctrl-C in the terminal reaches the whole process group, and the parent,
which is interrupted too, stops the child at the end of its session.
"""

from __future__ import annotations

import dataclasses
import json
import os
import selectors
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.emulator.config import EmulatorConfig

STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


@dataclass
class ChildEmulator:
    """A started emulator process: its base URL (no trailing slash), its config, pid and ``stop()``."""

    url: str
    config: EmulatorConfig
    pid: int
    _proc: subprocess.Popen[str] = field(repr=False)
    internal_errors: int | None = None  # known once stopped (the child tells it on its way out)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Close the child's stdin (its signal to stop), wait for it; terminate, then kill, if it hangs."""
        proc = self._proc
        if proc.poll() is None and proc.stdin is not None and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None and not proc.stdout.closed:
            last = _json_line(proc.stdout.read())
            if isinstance(last.get("internal_errors"), int):
                self.internal_errors = last["internal_errors"]
            proc.stdout.close()

    @property
    def running(self) -> bool:
        return self._proc.poll() is None

    def __enter__(self) -> ChildEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _json_line(text: str) -> dict[str, Any]:
    for line in reversed(text.splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def _read_line(stream: IO[str], timeout: float) -> str | None:
    """One line from ``stream`` within ``timeout`` seconds, or None (the select is the wait)."""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        if not sel.select(timeout):
            return None
    return stream.readline()


@dataclass
class PendingEmulator:
    """An emulator process that was started and told its config, not yet known to be serving.

    Its start-up (Python, Starlette, uvicorn, SQLite: most of a second) runs while the parent
    does something else, such as collecting the suite; :meth:`ready` then waits for its URL.
    """

    config: EmulatorConfig
    _proc: subprocess.Popen[str] = field(repr=False)
    _line: str | None = field(default=None, repr=False)  # what the write of the config gave

    def ready(self, timeout: float = STARTUP_TIMEOUT_S) -> ChildEmulator:
        """Wait until the child accepts connections; RuntimeError when it did not start."""
        proc = self._proc
        assert proc.stdout is not None
        line = self._line if self._line is not None else _read_line(proc.stdout, timeout)
        ready = _json_line(line or "")
        if not ready.get("url"):
            self.abandon()
            if line is None:
                raise RuntimeError("the emulator process did not start in time")
            raise RuntimeError(
                f"the emulator process failed to start (exit {proc.returncode}; see the log above)"
            )
        return ChildEmulator(str(ready["url"]), self.config, int(ready["pid"]), proc)

    def abandon(self) -> None:
        """Stop a child that will not be used (or did not start)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def start_in_process(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0, *, record: str | None = None
) -> ChildEmulator:
    """Start the emulator for ``config`` in a child process; return once it accepts connections.

    ``record`` (for ``bench/embedded_speed.py``): a file where the child writes, when it stops, one
    JSON line per request it received (method, path, query, headers, body), every credential of
    the config replaced by ``SECRET_MARK`` and its index in ``secrets_of(config)``.
    """
    return spawn_in_process(config, host, port, record=record).ready()


def spawn_in_process(
    config: EmulatorConfig, host: str = "127.0.0.1", port: int = 0, *, record: str | None = None
) -> PendingEmulator:
    """Start the emulator's process and hand it ``config``, without waiting for it to serve."""
    # The child imports this package from where the parent did, installed or not.
    package_root = str(Path(__file__).resolve().parents[2])
    # Nothing of the harness's own settings (GROOVE_*: tokens among them): the child needs none.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    proc = subprocess.Popen(
        # -c, not -m: the package imports this module, which runpy would then execute a second time
        [sys.executable, "-c", "import sys; from conformance.emulator.child import main; sys.exit(main())"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None,  # the child's log goes where the parent's goes, as in a thread
        text=True,
        bufsize=1,
    )
    assert proc.stdin is not None and proc.stdout is not None
    request = {"config": dataclasses.asdict(config), "host": host, "port": port, "record": record}
    try:
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
    except BrokenPipeError:
        return PendingEmulator(config, proc, "")  # it died at once: ready() says so
    return PendingEmulator(config, proc)


SECRET_MARK = "<<secret:{}>>"


def secrets_of(config: EmulatorConfig) -> list[str]:
    """The credentials a config holds, longest first (so that none is replaced inside another)."""
    found = [*config.users.values(), *([config.developer_token] if config.developer_token else [])]
    return sorted(set(found), key=len, reverse=True)


class _Recorder:
    """ASGI wrapper keeping every HTTP request it passes on (method, path, query, headers, body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = bytearray()
        entry = {
            "method": scope["method"],
            "path": scope["raw_path"].decode("latin-1"),
            "query": scope["query_string"].decode("latin-1"),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]],
        }
        self.requests.append(entry)

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                entry["body"] = body.decode("utf-8", "replace")
            return message

        await self.app(scope, receive_and_keep, send)

    def write(self, path: str, secrets: list[str]) -> None:
        with open(path, "w", encoding="utf-8") as f:
            for entry in self.requests:
                line = json.dumps(entry)
                for i, secret in enumerate(secrets):
                    line = line.replace(secret, SECRET_MARK.format(i))
                f.write(line + "\n")


def main() -> int:
    """The child's side: read the config, serve, say where, serve until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from conformance.emulator.app import build_app
    from conformance.emulator.server import RunningEmulator, serve_in_thread

    request = json.loads(sys.stdin.readline())
    config = EmulatorConfig(**request["config"])
    app = build_app(config)
    recorder = _Recorder(app) if request.get("record") else None
    url, server, thread, sock = serve_in_thread(
        recorder or app, request.get("host", "127.0.0.1"), int(request.get("port", 0))
    )
    emulator = RunningEmulator(url, config, app, server, thread, sock)
    try:
        print(json.dumps({"url": emulator.url, "pid": os.getpid()}), flush=True)
        sys.stdin.read()  # until the parent closes it, or dies
    finally:
        emulator.stop()
        if recorder is not None:
            recorder.write(request["record"], secrets_of(config))
    print(json.dumps({"internal_errors": emulator.internal_errors}), flush=True)
    return 0
