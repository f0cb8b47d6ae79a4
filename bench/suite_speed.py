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

Numbers are wall-clock on a shared machine: compare the ratios, not the absolute values.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.emulator import EmulatorConfig, start_in_thread
from conformance.plugin import EFFORTS
from conformance.profiles import get_profile

REPO = Path(__file__).resolve().parents[1]
GENERATED = ["conformance/suite/test_generated_contract.py", "conformance/suite/test_state_machine.py"]
TARGET_S = {"quick": 8.0, "standard": 20.0}  # issue 15's targets for the whole suite, 2 cores


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> tuple[float, int, str]:
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return time.monotonic() - started, done.returncode, tail[0]


def pytest_suite(paths: list[str], level: str, profile: str) -> tuple[float, int, str]:
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


def schemathesis_cli(level: str, profile: str) -> tuple[float, int, str]:
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
            return float("nan"), -1, "xbox-2013 needs accessToken in the query; not run"
        # In a scratch directory: the CLI leaves its cache (.schemathesis/) where it runs.
        with tempfile.TemporaryDirectory() as scratch:
            return timed(cmd, env, Path(scratch))
    finally:
        emulator.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="groove-2016")
    parser.add_argument("--levels", default="quick,standard")
    args = parser.parse_args()
    levels = args.levels.split(",")
    print(f"profile {args.profile}; {os.cpu_count()} CPUs; wall-clock seconds")
    for level in levels:
        lv = EFFORTS[level]
        print(
            f"\n== level {level}: {lv.examples_per_operation} examples per operation and mode, "
            f"collection machine {lv.state_machine_examples} runs x {lv.state_machine_steps} steps, "
            f"links {lv.links_examples} runs x {lv.links_steps} steps"
        )
        whole, rc, line = pytest_suite(["conformance/suite"], level, args.profile)
        print(f"whole suite (pytest conformance/suite)      {whole:7.1f} s  exit {rc}  {line}")
        generated, rc, line = pytest_suite(GENERATED, level, args.profile)
        print(f"generated tests alone (2 files)             {generated:7.1f} s  exit {rc}  {line}")
        contract_only, rc, line = pytest_suite(GENERATED[:1], level, args.profile)
        print(f"schemathesis tests alone (contract file)    {contract_only:7.1f} s  exit {rc}  {line}")
        cli, rc, line = schemathesis_cli(level, args.profile)
        print(f"schemathesis run (CLI, same examples)       {cli:7.1f} s  exit {rc}  {line[:100]}")
        print(f"ratio schemathesis tests / CLI              {contract_only / cli:7.2f}")
        print(f"ratio generated tests (both files) / CLI    {generated / cli:7.2f}")
        if level in TARGET_S:
            target = TARGET_S[level]
            verdict = "meets" if whole <= target else "MISSES"
            print(f"whole {level} suite vs the {target:.0f} s target: {whole / target:.2f} ({verdict} it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
