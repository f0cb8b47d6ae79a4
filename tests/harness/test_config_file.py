"""Options from the project's config: ``[tool.groove-conformance]`` in the rootdir's pyproject.toml
and pytest ini keys, with the command line over the environment over the file; never a token.

Each run is one test (``ADD-LIMIT-100``, selected in the file itself) against the embedded
emulator, from a project directory of its own; what the run used is read from report.json.
"""

from __future__ import annotations

import json
from pathlib import Path

from conformance.plugin import EXIT_USAGE_ERROR

from .test_suite_runs import pytest_suite, run

PROJECT = """\
[tool.groove-conformance]
profile = "xbox-2013"
level = "quick"
requirement = ["ADD-LIMIT-100"]
report-dir = "rep"
"""


def used(project: Path) -> tuple[str, str]:
    report = json.loads((project / "rep" / "report.json").read_text())
    return report["profile"], report["options"]["level"]


def test_the_config_file_gives_the_options_and_env_then_cli_win(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    proc = run(pytest_suite(), tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout and used(tmp_path) == ("xbox-2013", "quick")
    proc = run(pytest_suite(), tmp_path, GROOVE_PROFILE="groove-2016")
    assert proc.returncode == 0 and used(tmp_path) == ("groove-2016", "quick")
    proc = run(
        pytest_suite("--profile", "xbox-2013", "--conformance-level", "standard"),
        tmp_path,
        GROOVE_PROFILE="groove-2016",
        GROOVE_CONFORMANCE_LEVEL="thorough",
    )
    assert proc.returncode == 0 and used(tmp_path) == ("xbox-2013", "standard")


def test_pytest_ini_keys_give_them_too_under_the_table(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ngroove_level = quick\ngroove_profile = xbox-2013\ngroove_requirement = ADD-LIMIT-100\n"
        "groove_report_dir = rep\n"
    )
    (tmp_path / "pyproject.toml").write_text('[tool.groove-conformance]\nprofile = "groove-2016"\n')
    proc = run(pytest_suite(), tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert used(tmp_path) == ("groove-2016", "quick")


def test_a_token_in_a_config_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT + 'user-token = "not-here"\n')
    proc = run(pytest_suite(), tmp_path)
    assert proc.returncode == EXIT_USAGE_ERROR
    assert "put it in the environment" in proc.stderr and "not-here" not in proc.stderr + proc.stdout
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "pytest.ini").write_text("[pytest]\ngroove_developer_token = not-here\n")
    proc = run(pytest_suite(), tmp_path)
    assert proc.returncode == EXIT_USAGE_ERROR and "put it in the environment" in proc.stderr


def test_an_unknown_key_is_a_usage_error_listing_the_keys(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT + 'profil = "xbox-2013"\n')
    proc = run(pytest_suite(), tmp_path)
    assert proc.returncode == EXIT_USAGE_ERROR
    assert "unknown key 'profil'" in proc.stderr
    assert "the keys are target, profile, catalog, report-dir, level, baseline, requirement" in proc.stderr
