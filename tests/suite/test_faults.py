"""Proof of power: the suite fails against every faulty emulator, and for a reason the fault gives.

For each fault of ``conformance/emulator/faults.py`` the scenario tests of the requirements it breaks
(those whose requirement marker names one; quick level) run against an emulator with that fault on,
in a profile where the deviation shows (``Fault.profiles``); the run must exit 1 with at least one
failed requirement among those the fault ``breaks``. An interop fault (``INTEROP_FAULTS``) breaks
only SHOULD requirements, which never fail a run: it must exit 0 with one of its requirements
advisory-failed. The kill rate (faults caught / faults) is printed in the terminal
summary of the session.
"""

from __future__ import annotations

import pytest

from conformance.catalogue import load_catalogue
from conformance.emulator import FAULTS, INTEROP_FAULTS

from .runs import RunSpec

# Only the tests of the requirements the fault breaks run: the others cannot make it caught.
FAULT_RUNS = [RunSpec(f.profiles[0], f.name, only=f.breaks) for f in FAULTS.values()]


@pytest.mark.parametrize("suite_run", FAULT_RUNS, ids=[s.fault for s in FAULT_RUNS])
def test_suite_catches_the_fault(suite_run, suite_runs):
    fault = FAULTS[suite_run.fault]
    result = suite_runs.result(suite_run)
    assert result.report is not None, result.describe()
    assert result.exit_status == (0 if result.advisory_fault else 1), result.describe()
    failed = result.verdicts("advisory-failed" if result.advisory_fault else "failed")
    assert result.caught(), f"none of {fault.breaks} failed; failed: {failed}\n{result.describe()}"


def test_the_interop_faults_break_only_should_requirements():
    """What makes a fault an interop one: it breaks SHOULD requirements only (its run is cheap)."""
    catalogue = load_catalogue()
    only_should = {f.name for f in FAULTS.values() if all(catalogue[r].level == "SHOULD" for r in f.breaks)}
    assert only_should == INTEROP_FAULTS
