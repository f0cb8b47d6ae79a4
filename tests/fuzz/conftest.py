"""Fixtures of the generated tests' own tests: a catalog file, emulators started per test.

``GROOVE_THOROUGH=1`` also runs the tests marked ``thorough`` (the acceptance runs at
``--conformance-level thorough``; minutes rather than seconds, so not part of a default run).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.emulator import EmulatorConfig, RunningEmulator, builtin_catalog, start_in_thread

from .runner import Target


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "thorough: acceptance run at --conformance-level thorough (GROOVE_THOROUGH=1)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("GROOVE_THOROUGH") == "1":
        return
    skip = pytest.mark.skip(reason="thorough acceptance run: set GROOVE_THOROUGH=1")
    for item in items:
        if item.get_closest_marker("thorough"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "catalog.txt"
    path.write_text("\n".join(builtin_catalog()) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def start_target() -> Iterator[Any]:
    """``start_target(profile, fault=None)``: an emulator for one run, stopped after the test."""
    started: list[RunningEmulator] = []

    def start(profile: str, fault: str | None = None) -> Target:
        users = {"user": secrets.token_urlsafe(18), "other": secrets.token_urlsafe(18)}
        em = start_in_thread(EmulatorConfig(profile=profile, users=users, fault=fault))
        started.append(em)
        return Target(em, users)

    yield start
    for em in started:
        em.stop()
