"""How long does the conformance suite take, and how do its generated tests compare with schemathesis' CLI?

Run: ``python bench/suite_speed.py`` (a few minutes on two cores). It prints, from one run:

1. the wall time of the whole suite (``pytest conformance/suite``) against the embedded emulator at
   ``--conformance-level quick`` and ``standard``, and of its two generated test files alone
   (``test_generated_contract.py`` and ``test_state_machine.py``), against the targets for the
   whole suite (8 s at quick, 20 s at standard, two cores);
2. the wall time of ``schemathesis run`` over the same ``openapi.yaml``, with the same number of
   examples per operation (the level's ``examples_per_operation``, positive and negative data,
   fuzzing and stateful phases, deterministic), against an emulator started the same way, and the
   ratios schemathesis-tests / CLI and generated-tests / CLI: what judging every answer by the
   catalogue (custom checks, an auth probe, replay scripts; plus the model-based state machine with
   its read-backs) costs over plain schemathesis. The CLI runs for groove-2016 only: xbox-2013's
   developer token travels in the query string, which the CLI cannot add to every request.

Each run is also given in CPU seconds: its whole process tree (pytest and the emulator process it
starts, or the CLI) plus this process's own (the CLI's emulator runs in one of its threads; the
pytest side also pays for starting its emulator, the CLI's is started before the clock). On a
shared machine whose speed drifts, CPU seconds are the steadier figure; ``--repeat N`` alternates
the contract-file and CLI runs N times and prints every ratio and their median.

Numbers are wall-clock on a shared machine: compare the ratios, not the absolute values.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from conformance.emulator import EmulatorConfig, start_in_thread
from conformance.plugin import EFFORTS
from conformance.profiles import get_profile

REPO = Path(__file__).resolve().parents[1]
GENERATED = ["conformance/suite/test_generated_contract.py", "conformance/suite/test_state_machine.py"]
TARGET_S = {"quick": 8.0, "standard": 20.0}  # issue 15's targets for the whole suite, 2 cores


class Timing(NamedTuple):
    wall: float  # seconds
    cpu: float  # CPU seconds of everything the run cost: its process tree and this process's threads
    returncode: int
    tail: str  # the last line of the output


def _cpu() -> float:
    """CPU seconds so far of this process (an emulator in one of its threads) and of its waited-for
    children and their children (pytest and the emulator process it starts; the CLI)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> Timing:
    started, cpu = time.monotonic(), _cpu()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return Timing(time.monotonic() - started, _cpu() - cpu, done.returncode, tail[0])


def pytest_suite(paths: list[str], level: str, profile: str) -> Timing:
    return timed(
        [
            sys.executable,
            "-m",
            "pytest",
            *paths,
            "-q",
            "-p",
            "no:cacheprovider",
            "--conformance-level",
            level,
            "--profile",
            profile,
        ]
    )


def schemathesis_cli(level: str, profile: str) -> Timing:
    users = {"user": secrets.token_urlsafe(16)}
    emulator = start_in_thread(EmulatorConfig(profile=profile, users=users))
    try:
        prof = get_profile(profile)
        cmd = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            str(REPO / "openapi.yaml"),
            "--url",
            emulator.url,
            "--max-examples",
            str(EFFORTS[level].examples_per_operation),
            "--mode",
            "all",
            "--phases",
            "fuzzing,stateful",
            "--generation-deterministic",
            "--workers",
            "1",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance,negative_data_rejection",
            "--warnings",
            "off",
        ]
        for name, value in prof.auth_headers(users["user"]).items():
            cmd += ["-H", f"{name}: {value}"]
        env = dict(os.environ)
        if prof.needs_developer_token:  # the developer token travels in the query: not a CLI option
            return Timing(float("nan"), float("nan"), -1, "xbox-2013 needs accessToken in the query; not run")
        # In a scratch directory: the CLI leaves its cache (.schemathesis/) where it runs.
        with tempfile.TemporaryDirectory() as scratch:
            return timed(cmd, env, Path(scratch))
    finally:
        emulator.stop()


def show(what: str, t: Timing) -> None:
    print(f"{what:<44}{t.wall:7.1f} s  CPU {t.cpu:6.1f} s  exit {t.returncode}  {t.tail[:100]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="groove-2016")
    parser.add_argument("--levels", default="quick,standard")
    parser.add_argument(
        "--repeat", type=int, default=1, help="contract-file / CLI pairs per level, alternated (median ratio)"
    )
    args = parser.parse_args()
    levels = args.levels.split(",")
    print(f"profile {args.profile}; {os.cpu_count()} CPUs; wall-clock seconds, and CPU seconds of each run")
    for level in levels:
        lv = EFFORTS[level]
        print(
            f"\n== level {level}: {lv.examples_per_operation} examples per operation and mode, "
            f"collection machine {lv.state_machine_examples} runs x {lv.state_machine_steps} steps, "
            f"links {lv.links_examples} runs x {lv.links_steps} steps"
        )
        whole = pytest_suite(["conformance/suite"], level, args.profile)
        show("whole suite (pytest conformance/suite)", whole)
        generated = pytest_suite(GENERATED, level, args.profile)
        show("generated tests alone (2 files)", generated)
        pairs = []
        for _ in range(args.repeat):  # alternated: a machine whose speed drifts drifts for both
            contract_only = pytest_suite(GENERATED[:1], level, args.profile)
            show("schemathesis tests alone (contract file)", contract_only)
            cli = schemathesis_cli(level, args.profile)
            show("schemathesis run (CLI, same examples)", cli)
            pairs.append((contract_only, cli))
        for what, pick in (("wall", lambda t: t.wall), ("CPU", lambda t: t.cpu)):
            ratios = sorted(pick(c) / pick(k) for c, k in pairs)
            listed = " ".join(f"{r:.2f}" for r in ratios)
            median = statistics.median(ratios)
            print(f"ratio schemathesis tests / CLI, {what:<4}        {median:7.2f}  ({listed})")
        both = generated.wall / pairs[-1][1].wall
        print(f"ratio generated tests (both files) / CLI    {both:7.2f}  (wall)")
        if level in TARGET_S:
            target = TARGET_S[level]
            verdict = "meets" if whole.wall <= target else "MISSES"
            share = whole.wall / target
            print(f"whole {level} suite vs the {target:.0f} s target: {share:.2f} ({verdict} it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
