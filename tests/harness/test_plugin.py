"""The plugin inside pytest (pytester): markers, verify verdicts, exit status, records, no leaks.

Each run here is a small throw-away suite against the embedded emulator, using real IDs of the
requirement catalogue: ADD-OK is a MUST requirement, PCRE-ECHO a SHOULD one.
"""

from __future__ import annotations

import json
import os

import pytest

from conformance.catalogue import load_catalogue

pytest_plugins = ["pytester"]

MUST, SHOULD = "ADD-OK", "PCRE-ECHO"
TOKEN = "recognisable-user-token-4f1c"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in list(os.environ):
        if var.startswith("GROOVE_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("GROOVE_STATE_DIR", str(tmp_path / "state"))


def test_the_ids_used_here_have_the_levels_assumed():
    cat = load_catalogue()
    assert cat[MUST].level == "MUST" and cat[SHOULD].level == "SHOULD"


def run(pytester, source: str, *args: str, **kwargs):
    pytester.makepyfile(test_suite=source)
    return pytester.runpytest("-p", "no:cacheprovider", *args, **kwargs)


def test_unknown_requirement_id_is_a_collection_error(pytester):
    result = run(
        pytester,
        """
import pytest
@pytest.mark.requirement("NOPE-NOT-THERE")
def test_x(verify):
    pass
""",
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*unknown requirement ID 'NOPE-NOT-THERE'*not in the requirement catalogue*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_suite_test_without_marker_is_a_collection_error(pytester):
    pytester.makeini("[pytest]\nconformance_suite_packages = mysuite\n")
    pkg = pytester.mkpydir("mysuite")
    (pkg / "test_a.py").write_text("def test_unmarked():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "mysuite")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*test_unmarked: every test of the conformance suite needs @pytest.mark.requirement*"]
    )


def test_other_tests_are_left_alone(pytester):
    result = run(pytester, "def test_plain():\n    assert True\n")
    assert result.ret == 0
    out = result.stdout.str()
    assert "groove-conformance:" not in out and "= groove-conformance =" not in out  # no target, no summary


def test_failed_must_check_fails_the_test_with_expected_and_actual(pytester):
    result = run(
        pytester,
        f"""
import pytest
@pytest.mark.requirement("{MUST}")
def test_x(verify):
    verify.equal("{MUST}", 200, 400, "HTTP status")
""",
    )
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            f"*{MUST} [[]MUST[]] HTTP status*",
            "*expected: 400*",
            "*actual:   200*",
            "*FAILED: 1 requirement not met*",
        ]
    )


def test_failed_should_check_is_advisory_unless_strict(pytester):
    source = f"""
import pytest
@pytest.mark.requirement("{SHOULD}")
def test_x(verify):
    verify.that("{SHOULD}", False, "echo", expected="a", actual="b")
"""
    result = run(pytester, source)
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"*advisory failures*{SHOULD}*", "*1 passed*"])
    strict = pytester.runpytest("-p", "no:cacheprovider", "--conformance-strict")
    assert strict.ret == 1
    strict.stdout.fnmatch_lines([f"*{SHOULD} [[]SHOULD[]] echo*"])


def test_plain_assert_and_wrong_verify_use_fail(pytester):
    result = run(
        pytester,
        f"""
import pytest
@pytest.mark.requirement("{MUST}")
def test_assert():
    assert 1 == 2
@pytest.mark.requirement("{MUST}")
def test_wrong_requirement(verify):
    verify.that("{SHOULD}", True, "x")
""",
    )
    assert result.ret == 1
    result.stdout.fnmatch_lines([f"*VerifyUsageError: verify names {SHOULD}*", "*2 failed*"])


def test_records_reach_the_report_and_no_token_leaks(pytester, monkeypatch):
    monkeypatch.setenv("GROOVE_USER_TOKEN", TOKEN)
    report_dir = pytester.path / "out"
    result = run(
        pytester,
        f"""
import pytest
@pytest.mark.requirement("{MUST}")
def test_add(client, catalog, verify):
    r = client.collection_add(catalog.take(2))
    verify.status("{MUST}", r, 200)
@pytest.mark.requirement("{MUST}")
def test_skipped(catalog):
    catalog.take(10**6)
""",
        "--report-dir",
        str(report_dir),
        "-v",
    )
    assert result.ret == 0
    report = json.loads((report_dir / "report.json").read_text())
    entry = next(r for r in report["requirements"] if r["id"] == MUST)
    assert entry["verdict"] == "passed"
    outcomes = {t["nodeid"].split("::")[-1]: t for t in entry["tests"]}
    assert outcomes["test_add"]["outcome"] == "passed" and outcomes["test_add"]["checks"][0]["passed"]
    assert outcomes["test_skipped"]["outcome"] == "skipped"
    assert any("needs 1000000 catalog IDs" in s["reason"] for s in entry["skip_reasons"])
    everything = result.stdout.str() + result.stderr.str()
    for name in ("report.json", "report.html", "report.md", "junit.xml"):
        everything += (report_dir / name).read_text()
    assert TOKEN not in everything


def test_exchanges_are_recorded_per_test(pytester):
    report_dir = pytester.path / "out"
    result = run(
        pytester,
        f"""
import pytest
@pytest.mark.requirement("{MUST}")
def test_fail(client, catalog, verify):
    r = client.collection_add(catalog.take(1))
    verify.status("{MUST}", r, 418)
""",
        "--report-dir",
        str(report_dir),
    )
    assert result.ret == 1
    report = json.loads((report_dir / "report.json").read_text())
    failure = next(r for r in report["requirements"] if r["id"] == MUST)["failures"][0]
    assert failure["expected"] == "418" and failure["actual"] == "200"
    (x,) = failure["exchanges"]
    assert x["method"] == "POST" and x["url"].endswith("/collection/add") and x["status"] == 200
    assert x["request_headers"]["authorization"] == "Bearer [REDACTED]"


def test_interrupted_run_still_removes_what_it_created(pytester, monkeypatch):
    from conformance.client import Client, ClientConfig
    from conformance.emulator import EmulatorConfig, start_in_thread
    from conformance.ownership import browse_all
    from conformance.profiles import GROOVE_2016

    emu = start_in_thread(EmulatorConfig(users={"alice": TOKEN}))
    try:
        monkeypatch.setenv("GROOVE_USER_TOKEN", TOKEN)
        result = run(
            pytester,
            f"""
import pytest
@pytest.mark.requirement("{MUST}")
def test_creates_then_is_interrupted(client, created):
    r = client.playlist_create({{"Name": created.name("interrupted")}})
    assert r.status == 200
    raise KeyboardInterrupt
@pytest.mark.requirement("{MUST}")
def test_never_runs(client):
    raise AssertionError("not reached")
""",
            "--target",
            emu.url,
            no_reraise_ctrlc=True,
        )
        assert result.ret == pytest.ExitCode.INTERRUPTED
        probe = Client(ClientConfig(emu.url, GROOVE_2016), TOKEN)
        assert browse_all(probe, "playlists") == []
        probe.close()
    finally:
        emu.stop()


def test_baseline_turns_a_listed_failure_into_an_expected_one(pytester):
    pytester.makefile(".yaml", baseline=f"- id: {MUST}\n  reason: known gateway bug\n")
    source = f"""
import pytest
@pytest.mark.requirement("{MUST}")
def test_x(verify):
    verify.equal("{MUST}", 200, 400, "HTTP status")
"""
    result = run(pytester, source, "--baseline", "baseline.yaml")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*1 failed*"])
    assert run(pytester, source).ret == 1


def test_transport_failure_is_reported_as_one_line(pytester):
    result = run(
        pytester,
        f"""
import pytest
from conformance.client import TransportError
def deep():
    raise TransportError("no complete answer from http://t/x within 10 s (ReadTimeout)")
@pytest.mark.requirement("{MUST}")
def test_x(client):
    deep()
""",
    )
    assert result.ret == 1
    out = result.stdout.str()
    assert "TransportError: no complete answer from http://t/x within 10 s (ReadTimeout)" in out
    assert "def deep" not in out and "Traceback" not in out
