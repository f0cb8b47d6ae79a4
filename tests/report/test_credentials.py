"""Credentials appear in no output, and the repro commands replay exchanges with placeholders.

The records put recognisable tokens where the client should already have redacted them
(Authorization, accessToken, the target's user-info, option keys) and where it might not have
(message text, a body echoing a header).  The report layer must catch them all.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from conformance import records
from conformance.records import CheckResult, Exchange
from conformance.report import REPORT_FILES, build_report, write_reports
from conformance.report.redact import REDACTED, Scrubber, redact_url
from conformance.report.repro import curl_command

from .fakes import DEV_TOKEN, TOKENS, USER_TOKEN, USERHASH, fake_catalogue, fake_records, fake_run


def _forms(token: str) -> set[str]:
    return {token, quote(token, safe=""), quote_plus(token), token.upper(), token.lower()}


def _leaks(directory: Path, tokens) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in REPORT_FILES:
        text = (directory / name).read_text(encoding="utf-8")
        hits = [form for t in tokens for form in _forms(t) if form in text]
        if hits:
            found[name] = hits
    return found


def test_tokens_appear_in_no_output_when_passed_as_secrets(tmp_path: Path) -> None:
    recs = fake_records(leaky=True)
    report = build_report(
        fake_run(leaky=True), recs, strict=False, baseline=None, catalogue=fake_catalogue(), secrets=TOKENS
    )
    write_reports(report, tmp_path)
    assert _leaks(tmp_path, TOKENS) == {}
    # ... while the records did carry them (the test can fail), and the report still says things.
    assert USER_TOKEN in json.dumps([r.to_dict() for r in recs])
    assert "alice" not in (tmp_path / "report.json").read_text()  # user-info of the target URL
    assert "ADD-LIMIT-101" in (tmp_path / "report.md").read_text()


def test_structural_redaction_without_being_told_the_secrets(tmp_path: Path) -> None:
    """Headers, query parameters, user-info and option keys are redacted by name alone."""
    xbl = f"XBL3.0 x={USERHASH};{USER_TOKEN}"
    exchange = Exchange(
        "POST",
        f"https://bob:{USER_TOKEN}@groove.example/1/content/music/collection/add?accessToken=Bearer+{DEV_TOKEN}"
        "&continuationToken=page-2",
        {"Authorization": xbl, "Cookie": f"session={USER_TOKEN}", "Content-Type": "application/json"},
        "{}",
        401,
        {"Set-Cookie": f"s={DEV_TOKEN}", "WWW-Authenticate": "XBL3.0"},
        '{"Error":{"ErrorCode":"INVALID_AUTHORIZATION_HEADER",'
        '"Description":"Missing or invalid authorization header"}}',
        3.0,
    )
    rec = records.TestRecord(
        "t.py::auth",
        ["AUTH-MISSING"],
        "failed",
        0.1,
        f"AssertionError: sent Authorization: {xbl} and got 401",
        checks=[
            CheckResult("AUTH-MISSING", False, f"header was Authorization: Bearer {USER_TOKEN}", "200", "401")
        ],
        exchanges=[exchange],
    )
    # Secrets under credential-like option keys; none in free text (only ``secrets`` can catch those).
    run = dataclasses.replace(
        fake_run(leaky=True),
        options={
            "workers": 2,
            "user_token": USER_TOKEN,
            "developer-token": DEV_TOKEN,
            "target": f"http://carol:{USER_TOKEN}@10.0.0.1:8080/",
            "nested": {"Authorization": f"Bearer {USER_TOKEN}", "api_key": DEV_TOKEN, "note": "none"},
        },
    )
    report = build_report(run, [rec], strict=False, baseline=None, catalogue=fake_catalogue())
    write_reports(report, tmp_path)
    assert _leaks(tmp_path, TOKENS) == {}
    x = {q["id"]: q for q in report["requirements"]}["AUTH-MISSING"]["failures"][0]["exchanges"][0]
    assert x["request_headers"]["Authorization"] == f"XBL3.0 {REDACTED}"  # the scheme stays visible
    assert "continuationToken=page-2" in x["url"]  # a paging cursor is not a credential
    assert x["response_headers"]["WWW-Authenticate"] == "XBL3.0"
    assert "Missing or invalid authorization header" in x["response_body"]
    assert "user_token" not in report["options"] and "developer-token" not in report["options"]
    assert report["options"]["nested"] == {"note": "none"}
    assert report["options"]["target"] == "http://10.0.0.1:8080/"
    assert report["target"] == f"https://groove.example/api?accessToken={REDACTED}"


def test_redact_url_keeps_what_is_not_secret() -> None:
    url = "http://h:1/1/content/music/collection/songs/browse?maxItems=5&continuationToken=abc&accessToken=x"
    assert redact_url(url) == (
        "http://h:1/1/content/music/collection/songs/browse?maxItems=5"
        "&continuationToken=abc&accessToken=[REDACTED]"
    )
    assert redact_url("http://h/x") == "http://h/x"


def test_secret_variants_cover_the_xbox_user_token_parts() -> None:
    scrub = Scrubber([f"{USERHASH};{USER_TOKEN}"])
    assert USER_TOKEN not in scrub.text(f"x={USERHASH};{USER_TOKEN}")
    assert USERHASH not in scrub.text(f"userhash {USERHASH}")


# --- repro commands -----------------------------------------------------------------------------


def _exchange(auth: str | None, url: str = "http://h/1/content/music/collection/add") -> Exchange:
    headers = {"Content-Type": "application/json", "Content-Length": "2"}
    if auth is not None:
        headers["Authorization"] = auth
    return Exchange("POST", url, headers, "{'x': \"$HOME\"}", 200, {}, "{}", 1.0)


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        ("Bearer [REDACTED]", '"Authorization: Bearer $GROOVE_USER_TOKEN"'),
        (f"Bearer {USER_TOKEN}", '"Authorization: Bearer $GROOVE_USER_TOKEN"'),  # leftover value
        (
            f"XBL3.0 x={USERHASH};{USER_TOKEN}",
            '"Authorization: XBL3.0 x=$GROOVE_USERHASH;$GROOVE_USER_TOKEN"',
        ),
        ("Basic [REDACTED]", '"Authorization: Basic $GROOVE_USER_TOKEN"'),  # a wrong-scheme test stays wrong
        ("Bearer ", '"Authorization: Bearer "'),  # an empty-token test stays empty
    ],
)
def test_repro_puts_placeholders_where_the_token_goes(auth: str, expected: str) -> None:
    cmd = curl_command(_exchange(auth))
    assert expected in cmd
    assert USER_TOKEN not in cmd and USERHASH not in cmd
    assert "Content-Length" not in cmd


def test_repro_developer_token_placeholder() -> None:
    cmd = curl_command(_exchange("Bearer x", f"http://h/1/x?accessToken=Bearer+{DEV_TOKEN}&contentType=json"))
    assert '"http://h/1/x?accessToken=Bearer+$GROOVE_DEVELOPER_TOKEN&contentType=json"' in cmd
    assert DEV_TOKEN not in cmd


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.seen.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "type": self.headers.get("Content-Type"),
                "body": body.decode(),
            }
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_repro_command_replays_the_exchange_through_a_shell(tmp_path: Path) -> None:
    """The command really runs: placeholders expand, nothing else does ($HOME stays literal)."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    _Recorder.seen.clear()
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        exchange = _exchange(
            f"XBL3.0 x={USERHASH};[REDACTED]",
            f"{base}/1/content/music/collection/add?accessToken=Bearer+[REDACTED]&contentType=json",
        )
        cmd = curl_command(exchange)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": "/nonexistent",
            "GROOVE_USER_TOKEN": "tok-123",
            "GROOVE_USERHASH": "42",
            "GROOVE_DEVELOPER_TOKEN": "dev-9",
        }
        done = subprocess.run(["sh", "-c", cmd], env=env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
        server.server_close()
    [seen] = _Recorder.seen
    assert seen["auth"] == "XBL3.0 x=42;tok-123"
    assert seen["path"] == "/1/content/music/collection/add?accessToken=Bearer+dev-9&contentType=json"
    assert seen["type"] == "application/json"
    assert seen["body"] == "{'x': \"$HOME\"}"


# --- the catalogue's own text is not a credential -------------------------------------------------


def test_catalogue_text_survives_while_the_run_token_does_not(tmp_path: Path) -> None:
    """ "Authorization: Bearer {token}" is the catalogue quoting the documents: report.json, .html
    and .md show it exactly as written, while the token the run was given, quoted in the very
    same failure, is blanked everywhere."""
    from markupsafe import escape

    from conformance.catalogue import load_catalogue
    from conformance.report.markdown import md_escape

    catalogue = {
        rid: req for rid, req in load_catalogue().items() if rid in ("AUTH-BEARER", "FMT-ACCEPT-XML")
    }
    bearer = catalogue["AUTH-BEARER"]
    assert "{token}" in bearer.statement and "{token}" in bearer.source.quote  # what the test is about
    sent = f"Bearer {USER_TOKEN}"
    rec = records.TestRecord(
        "conformance/suite/test_auth_rejection.py::test_bearer[collection_add]",
        ["AUTH-BEARER"],
        "failed",
        0.1,
        f"sent Authorization: {sent}",
        checks=[
            CheckResult(
                "AUTH-BEARER", False, f"Authorization: {sent} was refused", "200", "401", "collection_add"
            )
        ],
        exchanges=[_exchange(sent)],
    )
    report = build_report(
        fake_run(), [rec], strict=False, baseline=None, catalogue=catalogue, secrets=[USER_TOKEN]
    )
    write_reports(report, tmp_path)
    entry = {q["id"]: q for q in report["requirements"]}["AUTH-BEARER"]
    assert entry["statement"] == bearer.statement
    assert entry["source"]["quote"] == bearer.source.quote
    saved = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert {q["id"]: q for q in saved["requirements"]}["AUTH-BEARER"]["statement"] == bearer.statement
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert str(escape(bearer.statement)) in html and str(escape(bearer.source.quote)) in html
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert md_escape(bearer.statement) in md and "{token}" in md
    for name in REPORT_FILES:
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert f"Bearer {REDACTED}}}" not in text, name  # the old mangling
    assert _leaks(tmp_path, [USER_TOKEN]) == {}
    failure = entry["failures"][0]
    assert failure["message"].startswith("Authorization: ") and failure["message"].endswith(
        f"{REDACTED} was refused"
    )
    assert USER_TOKEN not in failure["exchanges"][0]["repro"]


def test_one_redaction_for_transcripts_and_reports_and_it_leaves_shapes_alone() -> None:
    from conformance import client

    assert client.Redactor is Scrubber and client.REDACTED == REDACTED
    scrub = Scrubber([USER_TOKEN])
    for text in (
        "Authorization: Bearer {token}",
        "Authorization: XBL3.0 x={userhash};{token}",
        "accessToken=Bearer+x",
    ):
        assert scrub.text(text) == text
    assert scrub.text(f"Authorization: Bearer {USER_TOKEN}") == f"Authorization: Bearer {REDACTED}"
