"""The suite passes against the faithful reference emulator, in both profiles, with nothing failed.

The whole suite as shipped (``pytest --pyargs conformance.suite``, generated files included, at
``--conformance-level quick``) against its embedded emulator: exit 0, no requirement failed, no test
failed, and a large share of the catalogue actually judged (passed), so that "nothing failed" is
not the result of nothing running. The run is given user tokens (``GROOVE_USER_TOKEN``,
``GROOVE_OTHER_USER_TOKEN``), which the embedded emulator then takes: neither shows in the terminal
output or in any file the run wrote.
"""

from __future__ import annotations

import pytest

from conformance.catalogue import load_catalogue
from conformance.profiles import PROFILES

from .runs import RunSpec, _leaks

MIN_PASSED_SHARE = 0.8  # of the catalogue's requirements that apply to the profile


@pytest.mark.parametrize("suite_run", [RunSpec(p) for p in sorted(PROFILES)], ids=sorted(PROFILES))
def test_suite_passes_against_the_faithful_emulator(suite_run, suite_runs):
    result = suite_runs.result(suite_run)
    assert result.report is not None, result.describe()
    assert result.exit_status == 0, result.describe()
    assert result.report["embedded"] is True, result.describe()
    assert result.leaked == (), f"a token shows in {result.leaked}"
    assert result.verdicts("failed") == [], result.describe()
    tests = result.tests
    assert tests.get("failed", 0) == 0 and tests.get("error", 0) == 0, result.describe()
    applicable = [r for r in load_catalogue().values() if suite_run.profile in r.profiles]
    passed = result.verdicts("passed")
    assert len(passed) >= MIN_PASSED_SHARE * len(applicable), (
        f"only {len(passed)} of {len(applicable)} requirements passed\n{result.describe()}"
    )
    assert tests.get("passed", 0) >= 300, result.describe()


def test_a_token_in_the_output_or_any_written_file_is_found(tmp_path):
    """The leak check above has teeth: a token in the terminal output or in any file is named."""
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "report.json").write_text('{"note": "Bearer s3cr3t-token"}')
    (tmp_path / "clean.txt").write_text("nothing here")
    assert _leaks(["s3cr3t-token"], "all fine", tmp_path) == ("report/report.json",)
    assert _leaks(["s3cr3t-token"], "... s3cr3t-token ...", tmp_path)[0] == "terminal output"
    assert _leaks(["other"], "all fine", tmp_path) == ()
