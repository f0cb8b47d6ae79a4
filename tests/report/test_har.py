"""HAR 1.2 files of a run (conformance/report/har.py): valid by the spec, complete, credential-free.

``har_problems`` is a small validator written from the HAR 1.2 specification (Jan Odvarko's
"HAR 1.2 Spec", softwareishard.com, as kept in ahmadnassri/har-spec versions/1.2.md): every
object's required fields and their JSON types, no field outside the spec unless it is a custom
one (a leading underscore), ``send``/``wait``/``receive`` non-negative, ``time`` the sum of the
timings that are not -1, ISO 8601 dates, ``pageref`` naming a page, and postData holding ``text``
or ``params`` (one of them).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.records import NOT_IN_REPORT, Exchange
from conformance.report import build_report, write_reports
from conformance.report.har import har_from_records, har_from_report, render_har

from .fakes import DEV_TOKEN, TOKENS, USER_TOKEN, USERHASH, fake_catalogue, fake_records, fake_run

# type name -> Python check
_TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    # cache.beforeRequest / afterRequest: an object, or null for "no entry" (spec examples 2-4)
    "object-or-null": lambda v: v is None or isinstance(v, dict),
}
# object -> field -> (type, required, the object type of the value or of each array element)
SPEC: dict[str, dict[str, tuple[str, bool, str | None]]] = {
    "har": {"log": ("object", True, "log")},
    "log": {
        "version": ("string", True, None),
        "creator": ("object", True, "creator"),
        "browser": ("object", False, "creator"),
        "pages": ("array", False, "page"),
        "entries": ("array", True, "entry"),
        "comment": ("string", False, None),
    },
    "creator": {
        "name": ("string", True, None),
        "version": ("string", True, None),
        "comment": ("string", False, None),
    },
    "page": {
        "startedDateTime": ("string", True, None),
        "id": ("string", True, None),
        "title": ("string", True, None),
        "pageTimings": ("object", True, "pageTimings"),
        "comment": ("string", False, None),
    },
    "pageTimings": {
        "onContentLoad": ("number", False, None),
        "onLoad": ("number", False, None),
        "comment": ("string", False, None),
    },
    "entry": {
        "pageref": ("string", False, None),
        "startedDateTime": ("string", True, None),
        "time": ("number", True, None),
        "request": ("object", True, "request"),
        "response": ("object", True, "response"),
        "cache": ("object", True, "cache"),
        "timings": ("object", True, "timings"),
        "serverIPAddress": ("string", False, None),
        "connection": ("string", False, None),
        "comment": ("string", False, None),
    },
    "request": {
        "method": ("string", True, None),
        "url": ("string", True, None),
        "httpVersion": ("string", True, None),
        "cookies": ("array", True, "cookie"),
        "headers": ("array", True, "pair"),
        "queryString": ("array", True, "pair"),
        "postData": ("object", False, "postData"),
        "headersSize": ("number", True, None),
        "bodySize": ("number", True, None),
        "comment": ("string", False, None),
    },
    "response": {
        "status": ("number", True, None),
        "statusText": ("string", True, None),
        "httpVersion": ("string", True, None),
        "cookies": ("array", True, "cookie"),
        "headers": ("array", True, "pair"),
        "content": ("object", True, "content"),
        "redirectURL": ("string", True, None),
        "headersSize": ("number", True, None),
        "bodySize": ("number", True, None),
        "comment": ("string", False, None),
    },
    "cookie": {
        "name": ("string", True, None),
        "value": ("string", True, None),
        "path": ("string", False, None),
        "domain": ("string", False, None),
        "expires": ("string", False, None),
        "httpOnly": ("boolean", False, None),
        "secure": ("boolean", False, None),
        "comment": ("string", False, None),
    },
    "pair": {  # headers and queryString items
        "name": ("string", True, None),
        "value": ("string", True, None),
        "comment": ("string", False, None),
    },
    "postData": {
        "mimeType": ("string", True, None),
        "params": ("array", False, "param"),
        "text": ("string", False, None),
        "comment": ("string", False, None),
    },
    "param": {
        "name": ("string", True, None),
        "value": ("string", False, None),
        "fileName": ("string", False, None),
        "contentType": ("string", False, None),
        "comment": ("string", False, None),
    },
    "content": {
        "size": ("number", True, None),
        "compression": ("number", False, None),
        "mimeType": ("string", True, None),
        "text": ("string", False, None),
        "encoding": ("string", False, None),
        "comment": ("string", False, None),
    },
    "cache": {
        "beforeRequest": ("object-or-null", False, "cacheState"),
        "afterRequest": ("object-or-null", False, "cacheState"),
        "comment": ("string", False, None),
    },
    "cacheState": {
        "expires": ("string", False, None),
        "lastAccess": ("string", True, None),
        "eTag": ("string", True, None),
        "hitCount": ("number", True, None),
        "comment": ("string", False, None),
    },
    "timings": {
        "blocked": ("number", False, None),
        "dns": ("number", False, None),
        "connect": ("number", False, None),
        "send": ("number", True, None),
        "wait": ("number", True, None),
        "receive": ("number", True, None),
        "ssl": ("number", False, None),
        "comment": ("string", False, None),
    },
}


def _iso8601(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def _check(kind: str, value: Any, where: str, problems: list[str]) -> None:
    if not isinstance(value, dict):
        problems.append(f"{where}: {kind} is not an object")
        return
    fields = SPEC[kind]
    for name in value:
        if name not in fields and not name.startswith("_"):
            problems.append(f"{where}.{name}: not a HAR 1.2 field (custom fields start with '_')")
    for name, (type_name, required, child) in fields.items():
        if name not in value:
            if required:
                problems.append(f"{where}.{name}: required, missing")
            continue
        v = value[name]
        if not _TYPES[type_name](v):
            problems.append(f"{where}.{name}: {v!r} is not of type {type_name}")
            continue
        if child and isinstance(v, list):
            for i, item in enumerate(v):
                _check(child, item, f"{where}.{name}[{i}]", problems)
        elif child and isinstance(v, dict):
            _check(child, v, f"{where}.{name}", problems)


def har_problems(har: Any) -> list[str]:
    """Every way ``har`` departs from the HAR 1.2 structure (empty: it is a HAR 1.2 file)."""
    problems: list[str] = []
    _check("har", har, "har", problems)
    if problems:
        return problems
    log = har["log"]
    if log["version"] != "1.2":
        problems.append(f"log.version: {log['version']!r}, expected '1.2'")
    page_ids = [p["id"] for p in log.get("pages", [])]
    if len(set(page_ids)) != len(page_ids):
        problems.append("log.pages: page ids are not unique")
    for i, page in enumerate(log.get("pages", [])):
        if not _iso8601(page["startedDateTime"]):
            problems.append(f"log.pages[{i}].startedDateTime: not ISO 8601")
    for i, e in enumerate(log["entries"]):
        where = f"log.entries[{i}]"
        if not _iso8601(e["startedDateTime"]):
            problems.append(f"{where}.startedDateTime: not ISO 8601")
        if "pageref" in e and e["pageref"] not in page_ids:
            problems.append(f"{where}.pageref: {e['pageref']!r} names no page")
        t = e["timings"]
        for name in ("send", "wait", "receive"):
            if t[name] < 0:
                problems.append(f"{where}.timings.{name}: must be non-negative")
        for name in ("blocked", "dns", "connect", "ssl"):
            if name in t and t[name] < 0 and t[name] != -1:
                problems.append(f"{where}.timings.{name}: negative and not -1")
        total = sum(v for k, v in t.items() if k != "comment" and k != "ssl" and v != -1)
        if abs(total - e["time"]) > 1e-6:
            problems.append(f"{where}.time: {e['time']} is not the sum of its timings ({total})")
        post = e["request"].get("postData")
        if post is not None and ("text" in post) == ("params" in post):
            problems.append(f"{where}.request.postData: needs text or params, not both or neither")
    return problems


def test_the_validator_finds_what_the_spec_forbids() -> None:
    """The validator itself: a missing required field, a wrong type, a stray field, bad timings."""
    good = har_from_records(fake_run(), fake_records(), secrets=TOKENS)
    assert har_problems(good) == []
    bad = json.loads(json.dumps(good))
    entry = bad["log"]["entries"][0]
    del entry["request"]["httpVersion"]
    entry["response"]["status"] = "200"
    entry["extra"] = 1
    problems = har_problems(bad)
    assert any("httpVersion: required" in p for p in problems)
    assert any("status: '200' is not of type number" in p for p in problems)
    assert any("extra: not a HAR 1.2 field" in p for p in problems)
    # Well-formed, but against the spec's rules: checked once the structure holds.
    bad = json.loads(json.dumps(good))
    bad["log"]["entries"][0]["timings"]["wait"] = -3
    bad["log"]["entries"][1]["pageref"] = "no such page"
    bad["log"]["version"] = "1.1"
    problems = har_problems(bad)
    assert any("wait: must be non-negative" in p for p in problems)
    assert any("not the sum of its timings" in p for p in problems)
    assert any("names no page" in p for p in problems)
    assert any("log.version" in p for p in problems)
    assert har_problems({"log": {"version": "1.2", "entries": []}}) == ["har.log.creator: required, missing"]


def test_a_run_har_holds_every_exchange_with_its_test() -> None:
    records = fake_records()
    har = har_from_records(fake_run(), records, secrets=TOKENS)
    assert har_problems(har) == []
    entries = har["log"]["entries"]
    sent = [(rec.nodeid, x) for rec in records for x in rec.exchanges]
    assert len(entries) == len(sent) > 0
    for entry, (nodeid, x) in zip(entries, sent, strict=True):
        assert nodeid in entry["comment"] and entry["pageref"] == nodeid
        assert entry["request"]["method"] == x.method
        assert entry["response"]["status"] == x.status
        assert entry["request"]["postData"]["text"] == x.request_body
        assert entry["response"]["content"]["text"] == x.response_body
        assert entry["time"] == x.elapsed_ms
    assert [p["id"] for p in har["log"]["pages"]] == [r.nodeid for r in records if r.exchanges]
    assert har["log"]["creator"] == {"name": "groove-conformance", "version": "0.1.0"}


def test_an_unanswered_or_cut_exchange_is_still_valid_and_says_so() -> None:
    recs = fake_records()
    x = recs[0].exchanges[0]
    lost = dataclasses.replace(
        x, status=None, response_headers={}, response_body=None, error="ReadTimeout", elapsed_ms=30000.0
    )
    cut = dataclasses.replace(x, response_body="A" * 50, truncated=True, request_body=None)
    recs[0] = dataclasses.replace(recs[0], exchanges=[lost, cut])
    har = har_from_records(fake_run(), recs)
    assert har_problems(har) == []
    first, second = har["log"]["entries"][:2]
    assert first["response"]["status"] == 0 and "ReadTimeout" in first["response"]["comment"]
    assert first["response"]["_error"] == "ReadTimeout"
    assert "text" not in first["response"]["content"]
    assert second["response"]["bodySize"] == -1 and "cut" in second["response"]["content"]["comment"]
    assert "postData" not in second["request"]


def _leaky_report() -> dict:
    return build_report(
        fake_run(leaky=True),
        fake_records(leaky=True),
        strict=False,
        baseline=None,
        catalogue=fake_catalogue(),
        secrets=TOKENS,
    )


def _assert_no_credential(text: str) -> None:
    for secret in (*TOKENS, f"{USERHASH};{USER_TOKEN}"):
        assert secret not in text
    assert DEV_TOKEN.split("-")[-1] not in text and USER_TOKEN.split("-")[-1] not in text


def test_no_token_given_to_the_run_appears_in_its_har() -> None:
    """Tokens in headers, the query, a body echoing a header, a message and the target URL."""
    har = har_from_records(fake_run(leaky=True), fake_records(leaky=True), secrets=TOKENS)
    text = render_har(har)
    assert har_problems(json.loads(text)) == []
    _assert_no_credential(text)
    assert "Bearer [REDACTED]" in text and "accessToken" in text  # redacted where it stood, not dropped


def test_a_har_from_report_json_holds_the_failures_exchanges_once_per_test() -> None:
    report = _leaky_report()
    har = har_from_report(report)
    assert har_problems(har) == []
    _assert_no_credential(render_har(har))
    failing_tests = {f["test"] for r in report["requirements"] for f in r["failures"] if f["exchanges"]}
    assert {p["id"] for p in har["log"]["pages"]} == failing_tests
    by_test = {e["pageref"]: e for e in har["log"]["entries"]}
    first = by_test["conformance/suite/test_add.py::test_add_101_rejected"]
    assert "ADD-LIMIT-101" in first["comment"]  # the requirement the exchange is evidence against


def test_a_hand_edited_report_gets_redacted_again() -> None:
    report = json.loads(json.dumps(_leaky_report()))
    x = next(x for r in report["requirements"] for f in r["failures"] for x in f["exchanges"])
    x["request_headers"]["Authorization"] = "Bearer hand-put-secret-value"
    x["url"] += "&accessToken=another-secret-value"
    text = render_har(har_from_report(report))
    assert "hand-put-secret-value" not in text and "another-secret-value" not in text


def test_report_command_writes_the_har(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    write_reports(_leaky_report(), out)
    assert main(["report", str(out / "report.json"), "--har", str(tmp_path / "f.har")]) == 0
    text = (tmp_path / "f.har").read_text(encoding="utf-8")
    assert har_problems(json.loads(text)) == []
    _assert_no_credential(text)
    # A bad input: exit 2, nothing written.
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    assert main(["report", str(tmp_path / "bad.json"), "--har", str(tmp_path / "g.har")]) == 2
    assert not (tmp_path / "g.har").exists()
    assert "not a groove-conformance report.json" in capsys.readouterr().err


def test_exchange_fields_survive_the_report_round_trip() -> None:
    """har_from_report rebuilds Exchange objects from report.json: every field must be there."""
    report = _leaky_report()
    x = next(x for r in report["requirements"] for f in r["failures"] for x in f["exchanges"])
    assert {f.name for f in dataclasses.fields(Exchange)} - set(NOT_IN_REPORT) <= set(x)
