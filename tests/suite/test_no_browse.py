"""Against a target without the browse endpoints, the scenarios still judge what the wire shows.

The faithful emulator behind a front that answers 404 to both browse operations: the run must
pass, every check of a read-back be skipped with a reason that says so, and the wire-level checks
of the same scenarios still be made (a requirement like ADD-LIMIT-101 passes, its read-back half
ADD-LIMIT-ATOMIC is skipped).
"""

from __future__ import annotations

import pytest

from .runs import RunSpec

NO_BROWSE = RunSpec("groove-2016", no_browse=True)


def _requirement(result, rid):
    return next(r for r in result.report["requirements"] if r["id"] == rid)


@pytest.mark.parametrize("suite_run", [NO_BROWSE], ids=["groove-2016"])
def test_scenarios_without_browse(suite_run, suite_runs):
    result = suite_runs.result(suite_run)
    assert result.report is not None, result.describe()
    assert result.exit_status == 0, result.describe()
    assert result.verdicts("failed") == [], result.describe()
    assert result.report["capabilities"].get("browse") is False, result.report["capabilities"]
    for wire_level in (
        "ADD-LIMIT-101",
        "PARTIAL-TOP-ERROR",
        "AUTH-MISSING-ADD",
        "REORDER-RESPONSE",
        "NAME-OVER",
    ):
        assert _requirement(result, wire_level)["verdict"] == "passed", wire_level
    for read_back in ("ADD-LIMIT-ATOMIC", "ADD-READBACK", "REORDER-ONE", "BROWSE-CONTINUE"):
        req = _requirement(result, read_back)
        assert req["verdict"] == "skipped", (read_back, req["verdict"])
        assert req["skip_reasons"] and all("browse" in r["reason"] for r in req["skip_reasons"]), req[
            "skip_reasons"
        ]
    assert result.tests.get("skipped", 0) > 50 and result.tests.get("passed", 0) > 100, result.tests
