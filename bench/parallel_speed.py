"""The whole conformance suite at ``standard``: one pytest-xdist worker against two.

Run: ``python bench/parallel_speed.py`` (a minute or two on two cores). It runs the whole suite
against the embedded emulator with ``-n 1`` and then ``-n 2`` (each worker its own emulator, the
records merged into one report) and prints both wall times and the speed-up (time -n 1 / time -n 2;
2.0 would be perfect on two cores). Both runs must pass: a speed-up of a failing run means nothing.

Numbers are wall-clock on a shared machine: compare the ratio, not the absolute values.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(workers: int, level: str, state: Path, report_dir: Path) -> tuple[float, int, int]:
    """Wall seconds, exit status and number of tests of one whole-suite run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}
    env["GROOVE_STATE_DIR"] = str(state)
    cmd = [
        sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-q", "-p", "no:cacheprovider",
        "-n", str(workers), "--conformance-level", level, "--report-dir", str(report_dir),
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(cmd, env=env, cwd=state, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        print((done.stdout + done.stderr)[-3000:], file=sys.stderr)
    report = json.loads((report_dir / "report.json").read_text())
    return elapsed, done.returncode, int(report["summary"]["tests"]["total"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="standard", choices=("quick", "standard", "thorough"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        results = {}
        for n in (1, 2):
            state = base / f"n{n}"
            state.mkdir()
            results[n] = run(n, args.level, state, state / "report")
    print(f"Whole suite at {args.level} against the embedded emulator (pytest-xdist)")
    print(f"{'workers':<10}{'seconds':>10}{'exit':>6}{'tests':>8}")
    for n, (secs, rc, tests) in results.items():
        print(f"{'-n ' + str(n):<10}{secs:>10.1f}{rc:>6}{tests:>8}")
    print(f"speed-up -n 1 / -n 2: {results[1][0] / results[2][0]:.2f}")


if __name__ == "__main__":
    main()
