"""Credentials appear nowhere: the whole scenario suite, run for real, leaks no token.

The suite runs in a subprocess against a reference emulator that accepts recognisable tokens in the
xbox-2013 profile (the dialect with the most credential forms: a user token with its userhash in the
Authorization header, and a developer token in the ``accessToken`` query parameter). Afterwards every
file the run wrote (report.json, report.html, report.md, junit.xml, pytest's own JUnit) and everything
it printed is searched for each token, raw and URL-encoded.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, quote_plus

from conformance.emulator import EmulatorConfig, builtin_catalog, start_in_thread

from .suite_run import run_suite

USER = "LEAKCHECK-user-9f3a1c"
USERHASH = "80808017"
OTHER = "LEAKCHECK-other-4d27be"
DEVELOPER = "LEAKCHECK-dev-c0ffee"
GENERATED = ("test_generated_contract.py", "test_state_machine.py")


def forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), quote_plus(f"Bearer {secret}")}


def test_no_token_in_any_output_of_a_real_run(tmp_path: Path) -> None:
    emu = start_in_thread(
        EmulatorConfig(profile="xbox-2013", users={"alice": USER, "bob": OTHER}, developer_token=DEVELOPER)
    )
    out = tmp_path / "report"
    catalog = tmp_path / "catalog.txt"
    catalog.write_text("\n".join(builtin_catalog()) + "\n")
    ignores = [f"--deselect=conformance/suite/{name}" for name in GENERATED]
    try:
        proc = run_suite(
            [
                "-rA",
                "--profile",
                "xbox-2013",
                "--conformance-level",
                "quick",
                "--target",
                emu.url,
                "--report-dir",
                str(out),
                "--catalog",
                str(catalog),
                f"--junitxml={tmp_path / 'pytest-junit.xml'}",
                f"--har={out / 'run.har'}",
                "-k",
                "not generated and not state_machine",
                *ignores,
            ],
            tmp_path,
            GROOVE_USER_TOKEN=f"{USERHASH};{USER}",
            GROOVE_OTHER_USER_TOKEN=OTHER,
            GROOVE_DEVELOPER_TOKEN=DEVELOPER,
            GROOVE_STATE_DIR=str(tmp_path / "state"),
        )
    finally:
        emu.stop()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and int(proc.stdout.rsplit(" passed", 1)[0].split()[-1]) >= 300
    written = sorted(
        p for p in tmp_path.rglob("*") if p.is_file() and p != catalog and "state" not in p.parts
    )
    assert {p.name for p in written} >= {"report.json", "report.html", "report.md", "junit.xml", "run.har"}
    # The run did send the credentials (else this test proves nothing): the emulator accepted the
    # user token in the XBL3.0 header and the developer token as accessToken, which it accepts from
    # no one else. (A passing run records no transcript, so there is no redaction to point at; the
    # catalogue's "Authorization: Bearer {token}" is text, not a redaction.)
    verdicts = {q["id"]: q["verdict"] for q in json.loads((out / "report.json").read_text())["requirements"]}
    assert verdicts["AUTH-XBL"] == "passed" and verdicts["AUTH-ATOKEN"] == "passed", verdicts
    texts = {"stdout": proc.stdout, "stderr": proc.stderr}
    texts.update({str(p.relative_to(tmp_path)): p.read_text(errors="replace") for p in written})
    for secret in (USER, OTHER, DEVELOPER):
        for form in forms(secret):
            leaks = [name for name, text in texts.items() if form in text]
            assert not leaks, f"{form!r} found in {leaks}"
