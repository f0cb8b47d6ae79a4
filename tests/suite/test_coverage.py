"""Every MUST requirement of the catalogue is named by at least one test of the suite's scenario files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("requirement_coverage.py")


def test_every_must_requirement_has_a_scenario():
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", "--scenarios"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("COVERAGE-JSON "))
    result = json.loads(line.removeprefix("COVERAGE-JSON "))
    assert result["must_not_covered"] == [], result
    assert result["by_level"]["MUST"]["covered"] == result["by_level"]["MUST"]["total"] > 0
