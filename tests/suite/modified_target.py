"""Run the suite against a modified emulator: ``python modified_target.py KIND PROFILE PYTEST-ARGS...``.

A subprocess of ``tests/suite`` (several at a time). KIND is ``fault:NAME`` — the reference emulator
with ``--fault NAME`` on —, ``variant:A,B,...`` — the emulator with those variants on (other
legitimate readings of the documents) —, or ``no-browse`` — the faithful emulator behind a front
that answers 404 to both browse operations, as a target without the browse endpoints would; parts
combine with ``+`` (``fault:reorder-ignored+variant:hyphenated-codes``). The emulator is served
on a free loopback port in a thread (as the plugin serves the embedded one) and pytest runs against
it as a foreign target. The credentials are made up here and travel in the ``GROOVE_*`` environment
variables only, never on a command line. Exit status: pytest's.
"""

from __future__ import annotations

import os
import secrets
import sys
from typing import Any

import pytest

from conformance.emulator import EmulatorConfig, create_app, start_in_thread
from conformance.emulator.server import serve_in_thread


def without_browse(app: Any) -> Any:
    """An ASGI app that answers 404 (no body) to GET .../browse and passes everything else to ``app``."""

    async def front(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith("/browse"):
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return front


def parse_kind(kind: str) -> tuple[str | None, tuple[str, ...], bool]:
    """(fault, variants, no_browse) of a KIND argument; ValueError for anything else."""
    fault: str | None = None
    variants: tuple[str, ...] = ()
    no_browse = False
    for part in kind.split("+"):
        if part.startswith("fault:") and fault is None:
            fault = part.removeprefix("fault:")
        elif part.startswith("variant:") and not variants:
            variants = tuple(v for v in part.removeprefix("variant:").split(",") if v)
        elif part == "no-browse":
            no_browse = True
        else:
            raise ValueError(f"unknown KIND part {part!r} in {kind!r}")
    return fault, variants, no_browse


def main(argv: list[str]) -> int:
    kind, profile, *pytest_args = argv
    users = {"user": secrets.token_urlsafe(18), "other": secrets.token_urlsafe(18)}
    developer = secrets.token_urlsafe(18)
    fault, variants, no_browse = parse_kind(kind)
    config = EmulatorConfig(
        profile=profile, users=users, developer_token=developer, fault=fault, variants=variants
    )
    if no_browse:
        url, server, thread, _sock = serve_in_thread(without_browse(create_app(config)))

        def stop() -> None:
            server.should_exit = True
            thread.join(timeout=10)

    else:
        emulator = start_in_thread(config)
        url, stop = emulator.url, emulator.stop
    os.environ.update(
        GROOVE_TARGET=url,
        GROOVE_PROFILE=profile,
        GROOVE_USER_TOKEN=users["user"],
        GROOVE_OTHER_USER_TOKEN=users["other"],
        GROOVE_DEVELOPER_TOKEN=developer,
    )
    try:
        return int(pytest.main(pytest_args))
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
