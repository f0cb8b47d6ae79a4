"""Whole runs of the conformance suite, as a user would start them, each in its own process.

A :class:`RunSpec` is one run: the faithful embedded emulator (the suite as shipped, every file),
an emulator with one fault on, or the faithful one without its browse endpoints
(``modified_target.py``; the scenario files only), or an emulator with variants on — other
legitimate readings of the documents, possibly with a fault too (``modified_target.py``; the whole
suite, generated files included, since false alarms hide there too). Runs are at
``--conformance-level quick`` unless the spec says otherwise. :class:`RunPool` starts the runs the
selected tests need, as many at a time as there are CPUs, longest first, and hands each test its
:class:`RunResult` (exit status, report.json).

Under pytest-xdist every worker has a pool of its own and submits every run its session collected;
the workers of one session share one directory in which each run is locked (``fcntl.flock``) by
the first worker to reach it and done once: the others wait on that lock, then read the result.
Odd-numbered workers take the runs in the opposite order (shortest first), so that the workers do
different runs until they meet instead of waiting on each other's locks.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: every pool runs its own runs
    fcntl = None  # type: ignore[assignment]

import conformance.suite
from conformance.emulator import builtin_catalog
from tests.unused_plugins import ADDOPTS

SUITE_DIR = Path(conformance.suite.__file__).resolve().parent
# The suite's fuzzing files (schemathesis over openapi.yaml, the state machine): not scenarios.
GENERATED = frozenset({"test_generated_contract.py", "test_state_machine.py"})
MODIFIED_TARGET = Path(__file__).with_name("modified_target.py")
RUN_TIMEOUT_S = 600


def scenario_files() -> list[Path]:
    return sorted(p for p in SUITE_DIR.glob("test_*.py") if p.name not in GENERATED)


LEVEL_COST = {"quick": 3, "standard": 6, "thorough": 20}  # relative to a scenario-only quick run


@dataclass(frozen=True)
class RunSpec:
    profile: str
    fault: str | None = None  # an emulator fault (scenario files only, unless variants are on too)
    no_browse: bool = False  # the faithful emulator without browse endpoints (scenario files only)
    variants: tuple[str, ...] = ()  # emulator variants (the whole suite runs)
    level: str = "quick"  # --conformance-level
    label: str | None = None  # a short name for the variants part (e.g. "all-variants")
    # requirement IDs: only the tests marked with one of them run (a fault run needs only the tests
    # of the requirements the fault breaks; the name stays the fault's, as it is the only form used)
    only: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        parts = [self.fault] if self.fault else []
        if self.variants:
            parts.append(self.label or "+".join(self.variants))
        if self.no_browse:
            parts.append("no-browse")
        suffix = "" if self.level == "quick" else f"-{self.level}"
        return f"{'+'.join(parts) or 'faithful'}-{self.profile}{suffix}"

    @property
    def embedded(self) -> bool:
        return self.fault is None and not self.no_browse and not self.variants

    @property
    def whole_suite(self) -> bool:
        """Every file of the suite (generated ones included), or the scenario files only."""
        return self.embedded or bool(self.variants)

    @property
    def kind(self) -> str:
        """The KIND argument of modified_target.py: ``fault:NAME``, ``variant:A,B``, ``no-browse``,
        joined by ``+`` when combined."""
        parts = [f"fault:{self.fault}"] if self.fault else []
        if self.variants:
            parts.append("variant:" + ",".join(self.variants))
        if self.no_browse:
            parts.append("no-browse")
        if self.only:
            parts.append("only:" + ",".join(self.only))
        return "+".join(parts)

    @property
    def cost(self) -> int:
        """Relative duration, to start the long runs first."""
        if self.whole_suite:
            return LEVEL_COST.get(self.level, 3)
        return 0 if self.only else 1


@dataclass
class RunResult:
    spec: RunSpec
    exit_status: int
    report: dict[str, Any] | None
    seconds: float
    output: str  # the run's last lines, for a failure message
    # Embedded runs: where the tokens the run was given (GROOVE_USER_TOKEN, ...) showed up (the
    # terminal output, files the run wrote); empty when nowhere.
    leaked: tuple[str, ...] = ()

    def verdicts(self, verdict: str) -> list[str]:
        return [r["id"] for r in (self.report or {}).get("requirements", []) if r.get("verdict") == verdict]

    @property
    def tests(self) -> dict[str, int]:
        return (self.report or {}).get("summary", {}).get("tests", {})

    @property
    def advisory_fault(self) -> bool:
        """A fault run whose fault breaks no MUST requirement (the interop faults): it cannot fail
        a run, only leave advisory findings."""
        from conformance.catalogue import load_catalogue
        from conformance.emulator import FAULTS

        breaks = FAULTS[self.spec.fault].breaks if self.spec.fault else ()
        return bool(breaks) and all(load_catalogue()[r].level != "MUST" for r in breaks)

    def caught(self) -> bool:
        """For a fault run: the run failed, and for a requirement the fault breaks; for an
        ``advisory_fault``: the run passed (exit 0) with one of its requirements advisory-failed."""
        from conformance.emulator import FAULTS

        breaks = set(FAULTS[self.spec.fault].breaks) if self.spec.fault else set()
        if self.advisory_fault:
            return self.exit_status == 0 and bool(breaks & set(self.verdicts("advisory-failed")))
        return self.exit_status == 1 and bool(breaks & set(self.verdicts("failed")))

    def findings(self, verdict: str) -> list[tuple[str, str]]:
        """(requirement ID, one line on why) for every requirement with ``verdict``: the first
        failing check (test, what it checked, expected, actual) or the failing test's message."""
        out = []
        for req in (self.report or {}).get("requirements", []):
            if req.get("verdict") != verdict:
                continue
            out.append((req["id"], _why(req)))
        return out

    def describe(self) -> str:
        return (
            f"{self.spec.name}: exit {self.exit_status} in {self.seconds:.1f} s; tests {self.tests}; "
            f"failed requirements {self.verdicts('failed')}\n{self.output}"
        )


def _one_line(text: object, limit: int = 160) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _why(req: dict[str, Any]) -> str:
    for test in req.get("tests", []):
        name = test.get("nodeid", "?").rsplit("/", 1)[-1]
        for check in test.get("checks", []):
            if check.get("passed") is False:
                detail = f"expected {check.get('expected')}, got {check.get('actual')}"
                return _one_line(f"{name}: {check.get('message')} ({detail})", 300)
        if test.get("outcome") in ("failed", "error") and test.get("message"):
            return _one_line(f"{name}: {test['message']}", 300)
    return "no failing check recorded"


# Read once, when this module is imported (collection, in pytest's main thread): the pool's
# threads build each run's environment while the main thread sets and deletes PYTEST_CURRENT_TEST,
# and iterating os.environ meanwhile raises KeyError (it did, in CI).
_LEFT_OUT = ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT")
_BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_") and k not in _LEFT_OUT}


def _clean_env(state_dir: Path) -> dict[str, str]:
    env = dict(_BASE_ENV)
    env["GROOVE_STATE_DIR"] = str(state_dir)  # journals of foreign-target runs stay in the temporary dir
    env["PYTEST_ADDOPTS"] = ADDOPTS  # none of the outer session's options; no unused plugins
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
        spec.level,
    ]
    if spec.embedded:
        cmd = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "--profile", spec.profile]
    else:
        files = ["--pyargs", "conformance.suite"] if spec.whole_suite else [str(f) for f in scenario_files()]
        cmd = [
            sys.executable,
            str(MODIFIED_TARGET),
            spec.kind,
            spec.profile,
            *files,
            "--catalog",
            str(catalog_file),
        ]
    cmd += common
    env = _clean_env(out / "state")
    tokens = {}
    if spec.embedded:  # the embedded emulator takes the tokens it is given: none may show anywhere
        tokens = {f"GROOVE_{who}_TOKEN": secrets.token_urlsafe(18) for who in ("USER", "OTHER_USER")}
        env.update(tokens)
    started = time.monotonic()
    try:
        proc = subprocess.run(
            cmd,
            cwd=out,
            env=env,
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
    return RunResult(spec, status, report, seconds, tail, _leaks(tokens.values(), str(output), out))


def _leaks(tokens: Iterable[str], output: str, out: Path) -> tuple[str, ...]:
    """Where any of ``tokens`` shows: ``output`` (the terminal's) or a file under ``out``."""
    wanted = list(tokens)
    if not wanted:
        return ()
    texts = {"terminal output": output}
    for path in (p for p in out.rglob("*") if p.is_file()):
        texts[str(path.relative_to(out))] = path.read_text(errors="replace")
    return tuple(name for name, text in texts.items() if any(t in text for t in wanted))


def shared_dir(workdir: Path) -> Path | None:
    """The directory the xdist workers of this session share (None when not under xdist).

    A worker's temporary directories are ``<session root>/popen-gwN/...``; the root is per session.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or fcntl is None:
        return None
    for parent in workdir.parents:
        if parent.name == f"popen-{worker}":
            return parent.parent / "suite-runs-shared"
    return None


def run_once(spec: RunSpec, workdir: Path, catalog_file: Path, shared: Path | None) -> RunResult:
    """``run``, done once per session even when several xdist workers ask for the same spec: under
    the spec's lock in ``shared``, reuse the result a worker saved there, or run it and save it."""
    if shared is None:
        return run(spec, workdir, catalog_file)
    shared.mkdir(parents=True, exist_ok=True)
    with open(shared / f"{spec.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # blocks while another worker runs it
        saved = shared / spec.name / "result.json"
        if saved.is_file():
            data = json.loads(saved.read_text(encoding="utf-8"))
            report_file = shared / spec.name / "report" / "report.json"
            report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else None
            return RunResult(
                spec, data["exit_status"], report, data["seconds"], data["output"], tuple(data["leaked"])
            )
        result = run(spec, shared, catalog_file)
        keep = {
            "exit_status": result.exit_status,
            "seconds": result.seconds,
            "output": result.output,
            "leaked": list(result.leaked),
        }
        saved.write_text(json.dumps(keep), encoding="utf-8")
        return result


class RunPool:
    """Runs specs concurrently (one per CPU); ``result(spec)`` waits for that one."""

    def __init__(self, workdir: Path, workers: int) -> None:
        self.workdir = workdir
        self.catalog_file = workdir / "catalog.txt"
        self.catalog_file.write_text("\n".join(builtin_catalog()) + "\n", encoding="utf-8")
        self.shared = shared_dir(workdir)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        self._shortest_first = self.shared is not None and worker[2:].isdigit() and int(worker[2:]) % 2 == 1
        self._executor = ThreadPoolExecutor(max_workers=max(1, workers))
        self._futures: dict[RunSpec, Future[RunResult]] = {}

    def submit(self, specs: list[RunSpec]) -> None:
        order = 1 if self._shortest_first else -1
        for spec in sorted(dict.fromkeys(specs), key=lambda s: order * s.cost):
            if spec not in self._futures:
                self._futures[spec] = self._executor.submit(
                    run_once, spec, self.workdir, self.catalog_file, self.shared
                )

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
