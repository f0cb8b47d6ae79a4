"""The scenario suite run for real, in a subprocess: what the end-to-end report tests share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

RUN_TIMEOUT_S = 600


def run_suite(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``pytest --pyargs conformance.suite -q ARGS`` in ``cwd``, with no GROOVE_* variable of
    this process (only ``env``'s), its output captured."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance.suite",
            "-p",
            "no:cacheprovider",
            "-q",
            *args,
        ],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
