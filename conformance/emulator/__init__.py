"""The reference emulator: a Groove collection-edit server that behaves as the documents say.

A Starlette application served by uvicorn, storing users' collections and playlists in SQLite. It is
the suite's embedded target (``start_in_process``; ``start_in_thread`` serves it from a thread, for
tests), the proof that the suite has no false alarms, and a sandbox for client developers
(``groove-conformance serve``). Where the documents disagree it does what
``conformance/requirements.yaml`` enforces; where they are silent it makes the choice written in
``conformance/emulator/README.md`` ("Choices on silences"). ``--fault NAME`` turns on one named
deviation (``faults.FAULTS``) so that the project can prove the suite catches it; ``--variant NAME``
(any number) turns on another legitimate reading (``variants.VARIANTS``), which the suite must pass.
"""

from __future__ import annotations

from starlette.applications import Starlette

from conformance.emulator.app import build_app
from conformance.emulator.catalog import builtin_catalog
from conformance.emulator.child import ChildEmulator, PendingEmulator, spawn_in_process, start_in_process
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.faults import FAULTS, INTEROP_FAULTS, Fault
from conformance.emulator.server import RunningEmulator, start_in_thread
from conformance.emulator.variants import VARIANTS, Variant, VariantSet


def create_app(config: EmulatorConfig) -> Starlette:
    """The ASGI application for ``config`` (its database opens at startup, closes at shutdown)."""
    return build_app(config)


__all__ = [
    "ChildEmulator",
    "EmulatorConfig",
    "FAULTS",
    "INTEROP_FAULTS",
    "Fault",
    "PendingEmulator",
    "RunningEmulator",
    "VARIANTS",
    "Variant",
    "VariantSet",
    "builtin_catalog",
    "create_app",
    "spawn_in_process",
    "start_in_process",
    "start_in_thread",
]
