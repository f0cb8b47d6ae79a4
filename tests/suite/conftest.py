"""One pool of suite runs for the session: started once, for the runs the selected tests need.

Tests ask for a run by parametrising over ``suite_run`` (a ``runs.RunSpec``); the fixture looks at
every selected test first and starts all their runs at once, so that they share the CPUs instead of
running one after another. The terminal summary reports each run's duration and the kill rate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .runs import RunPool, RunSpec, cpus

POOL_KEY = pytest.StashKey[RunPool]()


@pytest.fixture(scope="session")
def suite_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunPool]:
    wanted: list[RunSpec] = []
    for item in request.session.items:
        spec = getattr(getattr(item, "callspec", None), "params", {}).get("suite_run")
        if isinstance(spec, RunSpec):
            wanted.append(spec)
    pool = RunPool(tmp_path_factory.mktemp("suite-runs"), workers=cpus())
    request.config.stash[POOL_KEY] = pool
    pool.submit(wanted)
    yield pool
    pool.shutdown()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    pool = config.stash.get(POOL_KEY, None)
    if pool is None:
        return
    results = pool.finished()
    if not results:
        return
    tr = terminalreporter
    tr.section("conformance suite runs")
    for r in sorted(results, key=lambda r: r.spec.name):
        verdict = ("caught" if r.caught() else "NOT caught") if r.spec.fault else f"exit {r.exit_status}"
        tr.write_line(f"{r.spec.name:<40} {r.seconds:6.1f} s  {verdict}  tests {r.tests}")
    faults = [r for r in results if r.spec.fault]
    if faults:
        caught = sum(r.caught() for r in faults)
        tr.write_line(f"kill rate: {caught}/{len(faults)} faults caught")
