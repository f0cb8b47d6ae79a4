"""Running the generated conformance tests as a user would: pytest in a subprocess, against an emulator.

The emulator runs in the test's process (a real uvicorn server on a free loopback port) with known
tokens and, where a test asks for it, one fault switched on; the suite runs in a child ``pytest``
with ``--target`` and the tokens in the environment, and writes its report.json, which the test
reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.emulator import RunningEmulator

REPO = Path(__file__).resolve().parents[2]
CONTRACT = "conformance/suite/test_generated_contract.py"
MACHINE = "conformance/suite/test_state_machine.py"


@dataclass
class SuiteRun:
    returncode: int
    output: str
    report: dict[str, Any]

    def verdicts(self) -> dict[str, str]:
        return {r["id"]: r["verdict"] for r in self.report.get("requirements", [])}

    def failed(self) -> list[str]:
        return sorted(r for r, v in self.verdicts().items() if v == "failed")

    def tests(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for req in self.report.get("requirements", []):
            for t in req["tests"]:
                out[t["nodeid"]] = t
        return out

    def checks(self) -> list[dict[str, Any]]:
        """Every check of every test (the report lists a test's checks under each requirement)."""
        return [
            {**c, "requirement": req["id"]}
            for req in self.report.get("requirements", [])
            for t in req["tests"]
            for c in t["checks"]
        ]

    def failing_checks(self) -> list[dict[str, Any]]:
        return [c for c in self.checks() if not c["passed"]]


@dataclass
class Target:
    """An emulator and the credentials a run needs for it."""

    emulator: RunningEmulator
    users: dict[str, str]

    @property
    def url(self) -> str:
        return self.emulator.url

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("GROOVE_TARGET", None)
        env.update(GROOVE_USER_TOKEN=self.users["user"], GROOVE_OTHER_USER_TOKEN=self.users["other"])
        if self.emulator.config.developer_token:
            env["GROOVE_DEVELOPER_TOKEN"] = self.emulator.config.developer_token
        return env


def run_suite(
    paths: list[str],
    *,
    target: Target | None,
    profile: str,
    level: str,
    report_dir: Path,
    catalog: Path | None = None,
    extra: list[str] | None = None,
) -> SuiteRun:
    """The suite in a child pytest (embedded emulator when ``target`` is None)."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *paths,
        "-q",
        "-p",
        "no:cacheprovider",
        "--profile",
        profile,
        "--conformance-level",
        level,
        "--report-dir",
        str(report_dir),
        *(extra or []),
    ]
    env = dict(os.environ)
    if target is not None:
        cmd += ["--target", target.url]
        env = target.env()
        if catalog is not None:
            cmd += ["--catalog", str(catalog)]
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    report_file = report_dir / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    return SuiteRun(done.returncode, done.stdout + done.stderr, report)
