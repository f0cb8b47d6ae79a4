"""Acceptance of the generated tests (issue 6), proven by running them as a user would.

* Against the faithful emulator they find nothing, in both profiles (``standard`` for groove-2016
  and ``quick`` for xbox-2013 here; ``thorough`` under ``GROOVE_THOROUGH=1``), and they leave the
  user's own data exactly as it was.
* Each emulator fault that breaks state is found by the state machine alone at ``quick``, under
  a requirement the fault breaks; the failure carries a replay script without any credential, and
  that script runs, against the same faulty server, with the tokens from the environment.
* Faults in the answers themselves are found by the schemathesis tests alone at ``quick``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.emulator import FAULTS, builtin_catalog
from conformance.profiles import PROFILES, get_profile

from .runner import CONTRACT, MACHINE, REPO, SuiteRun, Target, run_suite

# Faults that leave the server's state wrong while its answers look right, and the requirements
# under which the state machine must report each (any one of them).
STATE_FAULTS = {
    "batch-limit-partial": {"ADD-LIMIT-ATOMIC"},
    "update-limit-partial": {"PUPD-LIMIT-101"},
    "delete-removes-nothing": {"CDEL-READBACK", "CDEL-PARTIAL-APPLIED", "CDEL-LIMIT-101"},
    "reorder-ignored": {"REORDER-ONE", "REORDER-TO-END", "REORDER-MULTI", "REORDER-UNSORTED"},
    "reorder-appends": {"REORDER-ONE", "REORDER-MULTI", "REORDER-UNSORTED"},
    "cross-user-update": {"ISO-UPDATE"},
}
# Faults in the answers, and what the schemathesis tests must report for each.
ANSWER_FAULTS = {
    "error-envelope-bare": {"ERR-ENVELOPE"},
    "partial-no-top-error": {"PARTIAL-TOP-ERROR", "PARTIAL-ALL-FAIL"},
    "inputid-altered": {"ID-INPUTID-EXACT"},
}
BASE = "/1/content/music/collection"


def _generated_tests(run: SuiteRun) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in run.tests().items() if "generated" in k or "state_machine" in k}


def _assert_clean(run: SuiteRun) -> None:
    tests = _generated_tests(run)
    assert run.returncode == 0, run.output[-3000:]
    assert len(tests) == 16, sorted(tests)
    assert all(t["outcome"] == "passed" for t in tests.values()), {k: v["message"] for k, v in tests.items()}
    assert run.failed() == []
    passed = [r for r, v in run.verdicts().items() if v == "passed"]
    assert len(passed) >= 90, passed  # the generated tests judged most of the catalogue (by checks of each)


class UserData:
    """Data the user had before the run, made outside it, and read back afterwards."""

    def __init__(self, target: Target) -> None:
        profile = get_profile(target.emulator.config.profile)
        self.http = httpx.Client(
            base_url=target.url,
            headers=profile.auth_headers(target.users["user"]),
            params=profile.auth_query(target.emulator.config.developer_token),
            timeout=30,
        )
        catalog = builtin_catalog()
        r = self.http.post(f"{BASE}/add", json={"TrackIds": catalog[-3:]})
        assert r.status_code == 200, r.text
        for n in range(2):
            r = self.http.post(
                f"{BASE}/playlists/create",
                json={
                    "Name": f"my own playlist {n}",
                    "TrackActions": [{"Id": t, "Action": "Add"} for t in catalog[-6:-3]],
                },
            )
            assert r.status_code == 200, r.text
        self.before = self.state()

    def state(self) -> dict[str, Any]:
        tracks = self.http.get(f"{BASE}/tracks/browse").json()["Tracks"]["Items"]
        playlists = self.http.get(f"{BASE}/playlists/browse").json()["Playlists"]["Items"]
        out: dict[str, Any] = {"tracks": sorted(t["Id"] for t in tracks), "playlists": {}}
        for p in playlists:
            items = self.http.get(f"/1/content/{p['Id']}/collection/playlist/tracks/browse").json()
            entries = [t["Id"] for t in items["Playlists"]["Items"][0]["Tracks"]["Items"]]
            out["playlists"][p["Id"]] = (p["Name"], entries)
        return out


# groove-2016 at standard; xbox-2013 at quick, for the CI budget: its generated tests run at
# standard in tests/suite/test_variants.py (all variants at once), and at quick in test_faithful.py.
FAITHFUL_LEVELS = {"groove-2016": "standard", "xbox-2013": "quick"}


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_faithful_emulator_finds_nothing_and_touches_nothing(
    profile: str, start_target: Any, catalog_file: Path, tmp_path: Path
) -> None:
    target = start_target(profile)
    mine = UserData(target)
    run = run_suite(
        [CONTRACT, MACHINE],
        target=target,
        profile=profile,
        level=FAITHFUL_LEVELS[profile],
        report_dir=tmp_path,
        catalog=catalog_file,
    )
    _assert_clean(run)
    assert mine.state() == mine.before
    assert target.emulator.internal_errors == 0


@pytest.mark.thorough
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_faithful_emulator_at_thorough_finds_nothing(profile: str, tmp_path: Path) -> None:
    run = run_suite([CONTRACT, MACHINE], target=None, profile=profile, level="thorough", report_dir=tmp_path)
    _assert_clean(run)


def _state_fault_cases() -> list[Any]:
    cases = []
    for fault in STATE_FAULTS:
        cases.append(pytest.param(fault, "groove-2016", id=f"{fault}-groove-2016"))
        cases.append(pytest.param(fault, "xbox-2013", id=f"{fault}-xbox-2013", marks=pytest.mark.thorough))
    return cases


@pytest.mark.parametrize(("fault", "profile"), _state_fault_cases())
def test_state_fault_found_by_the_state_machine_alone(
    fault: str, profile: str, start_target: Any, catalog_file: Path, tmp_path: Path
) -> None:
    target = start_target(profile, fault)
    run = run_suite(
        [MACHINE], target=target, profile=profile, level="quick", report_dir=tmp_path, catalog=catalog_file
    )
    assert run.returncode == 1, run.output[-3000:]
    assert set(run.failed()) & STATE_FAULTS[fault], (run.failed(), run.output[-3000:])
    if FAULTS[fault].breaks:  # when the fault names what it breaks, the finding is one of those
        assert set(run.failed()) & set(FAULTS[fault].breaks), (run.failed(), FAULTS[fault].breaks)
    # The failure carries a replay script; it runs against the same server with the environment's tokens.
    failing = [c for c in run.failing_checks() if c["requirement"] in STATE_FAULTS[fault]]
    assert failing, run.failing_checks()
    script = _script(failing[0]["message"])
    assert target.users["user"] not in failing[0]["message"]
    replay = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**target.env(), "GROOVE_TARGET": target.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert replay.returncode == 0, replay.stderr[-2000:]
    assert re.search(r"-> \d{3}", replay.stdout), replay.stdout


def _script(message: str) -> str:
    marker = "Replay (Python; tokens come from $GROOVE_USER_TOKEN etc.):\n"
    assert marker in message, message[:500]
    return message.split(marker, 1)[1]


@pytest.mark.parametrize("fault", sorted(ANSWER_FAULTS))
def test_answer_fault_found_by_the_schemathesis_tests(
    fault: str, start_target: Any, catalog_file: Path, tmp_path: Path
) -> None:
    target = start_target("groove-2016", fault)
    run = run_suite(
        [CONTRACT],
        target=target,
        profile="groove-2016",
        level="quick",
        report_dir=tmp_path,
        catalog=catalog_file,
        extra=["-k", "not links"],
    )
    assert run.returncode == 1, run.output[-3000:]
    assert set(run.failed()) & ANSWER_FAULTS[fault], run.failed()
