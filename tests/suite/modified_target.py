"""Run the suite against a modified emulator: ``python modified_target.py KIND PROFILE PYTEST-ARGS...``.

A subprocess of ``tests/suite`` (several at a time). KIND is ``fault:NAME`` — the reference emulator
with ``--fault NAME`` on —, ``variant:A,B,...`` — the emulator with those variants on (other
legitimate readings of the documents) —, or ``no-browse`` — the faithful emulator behind a front
that answers 404 to both browse operations, as a target without the browse endpoints would; parts
combine with ``+`` (``fault:reorder-ignored+variant:hyphenated-codes``). A part ``only:ID1,ID2``
keeps only the tests whose requirement marker names one of those IDs (a fault run needs only the
tests of the requirements the fault breaks). The emulator is served
on a free loopback port in a thread (as the plugin serves the embedded one) and pytest runs against
it as a foreign target. The credentials are made up here and travel in the ``GROOVE_*`` environment
variables only, never on a command line. Exit status: pytest's.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.emulator import EmulatorConfig, create_app, start_in_thread
from conformance.emulator.server import serve_in_thread
from conformance.plugin import MARKER


def without_browse(app: Any) -> Any:
    """An ASGI app that answers 404 (no body) to GET .../browse and passes everything else to ``app``."""

    async def front(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith("/browse"):
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return front


@dataclass(frozen=True)
class Kind:
    fault: str | None = None
    variants: tuple[str, ...] = ()
    no_browse: bool = False
    only: tuple[str, ...] = ()  # requirement IDs: keep only the tests marked with one of them


def parse_kind(kind: str) -> Kind:
    """The parts of a KIND argument; ValueError for anything else."""
    fault: str | None = None
    variants: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    no_browse = False
    for part in kind.split("+"):
        if part.startswith("fault:") and fault is None:
            fault = part.removeprefix("fault:")
        elif part.startswith("variant:") and not variants:
            variants = tuple(v for v in part.removeprefix("variant:").split(",") if v)
        elif part.startswith("only:") and not only:
            only = tuple(v for v in part.removeprefix("only:").split(",") if v)
        elif part == "no-browse":
            no_browse = True
        else:
            raise ValueError(f"unknown KIND part {part!r} in {kind!r}")
    return Kind(fault, variants, no_browse, only)


class OnlyRequirements:
    """A pytest plugin object: deselects the tests whose requirement marker names none of ``ids``."""

    def __init__(self, ids: tuple[str, ...]):
        self.ids = set(ids)

    def pytest_collection_modifyitems(self, config: Any, items: list[Any]) -> None:
        keep, drop = [], []
        for item in items:
            named = {rid for mark in item.iter_markers(MARKER) for rid in mark.args}
            (keep if named & self.ids else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep


def main(argv: list[str]) -> int:
    kind, profile, *pytest_args = argv
    users = {"user": secrets.token_urlsafe(18), "other": secrets.token_urlsafe(18)}
    developer = secrets.token_urlsafe(18)
    parsed = parse_kind(kind)
    fault, variants, no_browse = parsed.fault, parsed.variants, parsed.no_browse
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
        plugins = [OnlyRequirements(parsed.only)] if parsed.only else []
        return int(pytest.main(pytest_args, plugins=plugins))
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
