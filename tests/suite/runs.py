"""Whole runs of the conformance suite, as a user would start them, each in its own process.

A :class:`RunSpec` is one run: the faithful embedded emulator (the suite as shipped, every file),
an emulator with one fault on, or the faithful one without its browse endpoints
(``modified_target.py``; the scenario files only). Every run is at ``--conformance-level quick``.
:class:`RunPool` starts the runs the selected tests need, as many at a time as there are CPUs,
longest first, and hands each test its :class:`RunResult` (exit status, report.json).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import conformance.suite
from conformance.emulator import builtin_catalog

SUITE_DIR = Path(conformance.suite.__file__).resolve().parent
# Files of the suite generated from openapi.yaml (schemathesis, state machine): not scenarios.
GENERATED = frozenset({"test_generated_contract.py", "test_state_machine.py"})
MODIFIED_TARGET = Path(__file__).with_name("modified_target.py")
RUN_TIMEOUT_S = 600


def scenario_files() -> list[Path]:
    return sorted(p for p in SUITE_DIR.glob("test_*.py") if p.name not in GENERATED)


@dataclass(frozen=True)
class RunSpec:
    profile: str
    fault: str | None = None  # an emulator fault (scenario files only)
    no_browse: bool = False  # the faithful emulator without browse endpoints (scenario files only)

    @property
    def name(self) -> str:
        return f"{self.fault or ('no-browse' if self.no_browse else 'faithful')}-{self.profile}"

    @property
    def embedded(self) -> bool:
        return self.fault is None and not self.no_browse

    @property
    def cost(self) -> int:
        """Relative duration, to start the long runs first."""
        return 3 if self.embedded else 1


@dataclass
class RunResult:
    spec: RunSpec
    exit_status: int
    report: dict[str, Any] | None
    seconds: float
    output: str  # the run's last lines, for a failure message

    def verdicts(self, verdict: str) -> list[str]:
        return [r["id"] for r in (self.report or {}).get("requirements", []) if r.get("verdict") == verdict]

    @property
    def tests(self) -> dict[str, int]:
        return (self.report or {}).get("summary", {}).get("tests", {})

    def caught(self) -> bool:
        """For a fault run: the run failed, and for a requirement the fault breaks."""
        from conformance.emulator import FAULTS

        breaks = set(FAULTS[self.spec.fault].breaks) if self.spec.fault else set()
        return self.exit_status == 1 and bool(breaks & set(self.verdicts("failed")))

    def describe(self) -> str:
        return (
            f"{self.spec.name}: exit {self.exit_status} in {self.seconds:.1f} s; tests {self.tests}; "
            f"failed requirements {self.verdicts('failed')}\n{self.output}"
        )


def _clean_env(state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_") and k != "PYTEST_ADDOPTS"}
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_XDIST_WORKER_COUNT", None)
    env["GROOVE_STATE_DIR"] = str(state_dir)  # journals of foreign-target runs stay in the temporary dir
    return env


def run(spec: RunSpec, workdir: Path, catalog_file: Path) -> RunResult:
    """One run of the suite in a subprocess; its report.json read back."""
    out = workdir / spec.name
    out.mkdir(parents=True, exist_ok=True)
    common = [
        "-q",
        "-p",
        "no:cacheprovider",
        "--report-dir",
        str(out / "report"),
        "--conformance-level",
        "quick",
    ]
    if spec.embedded:
        cmd = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "--profile", spec.profile]
    else:
        kind = f"fault:{spec.fault}" if spec.fault else "no-browse"
        files = [str(f) for f in scenario_files()]
        cmd = [
            sys.executable,
            str(MODIFIED_TARGET),
            kind,
            spec.profile,
            *files,
            "--catalog",
            str(catalog_file),
        ]
    cmd += common
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            cwd=out,
            env=_clean_env(out / "state"),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        status, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        status, output = -1, f"timed out after {RUN_TIMEOUT_S} s\n{exc.stdout or ''}"
    seconds = time.monotonic() - started
    report_file = out / "report" / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else None
    tail = "\n".join(str(output).splitlines()[-25:])
    return RunResult(spec, status, report, seconds, tail)


class RunPool:
    """Runs specs concurrently (one per CPU); ``result(spec)`` waits for that one."""

    def __init__(self, workdir: Path, workers: int) -> None:
        self.workdir = workdir
        self.catalog_file = workdir / "catalog.txt"
        self.catalog_file.write_text("\n".join(builtin_catalog()) + "\n", encoding="utf-8")
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers))
        self._futures: dict[RunSpec, Future[RunResult]] = {}

    def submit(self, specs: list[RunSpec]) -> None:
        for spec in sorted(dict.fromkeys(specs), key=lambda s: -s.cost):
            if spec not in self._futures:
                self._futures[spec] = self._executor.submit(run, spec, self.workdir, self.catalog_file)

    def result(self, spec: RunSpec) -> RunResult:
        self.submit([spec])
        return self._futures[spec].result()

    def finished(self) -> list[RunResult]:
        return [
            f.result() for f in self._futures.values() if f.done() and not f.cancelled() and not f.exception()
        ]

    def shutdown(self) -> None:
        for future in self._futures.values():
            future.cancel()
        self._executor.shutdown(wait=True)


def cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 2
