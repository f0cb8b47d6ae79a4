"""HAR 1.2 (HTTP Archive) files of a run's exchanges: open a failure in a browser's network panel.

Two sources, one writer:

* ``har_from_records(run, records, secrets=...)``: every exchange of every test, as the plugin
  holds them at the end of a run (``TestRecord.exchanges``), for a full ``--har FILE``;
* ``har_from_report(report)``: the exchanges report.json keeps, those of failed checks and
  tests (the last ``MAX_EXCHANGES_PER_FAILURE`` of each failing test), for
  ``groove-conformance report report.json --har out.har``.

Both scrub with the report's one scrubber (``conformance.report.run_scrubber`` and
``redacted_exchange``): the transcripts are redacted when recorded and again when the report is
built, and a HAR made from report.json is scrubbed once more (structurally: credential headers,
query parameters, user-info, and the values they carried wherever else they appear), so a
hand-edited report.json cannot bring a credential back in.

Each test is a HAR *page* (``pageref``), and each entry names its test (and, from report.json,
the requirements whose failure it is evidence of) in its ``comment``.  What the records do not
hold is not made up: an entry starts when its request was sent (``Exchange.started_at``, which
the records keep but report.json does not, so an entry made from report.json, or an exchange
without it, starts at the run's start), a page with its first entry; only the total round trip is
known, so it is all ``timings.wait`` (``send`` and ``receive`` 0, the others -1, "not
available").  A test keeps its latest ``MAX_EXCHANGES_PER_TEST`` exchanges only: a test that
reached that cap may have sent earlier ones, and ``log.comment`` says which tests did.  Header sizes are
-1 (unknown); body sizes are the UTF-8 length of the recorded text, -1 when it was cut at the
transcript cap.  A request that got no answer has status 0 and its error in ``response.comment``
(and the ``_error`` custom field, which Chromium's HAR import reads).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conformance.records import MAX_EXCHANGES_PER_TEST, Exchange, RunInfo, TestRecord

HAR_VERSION = "1.2"
CREATOR = "groove-conformance"
# What the suite's client speaks (httpx without HTTP/2): the records do not say it per exchange.
HTTP_VERSION = "HTTP/1.1"
_EXCHANGE_FIELDS = tuple(f.name for f in fields(Exchange))


def _header_list(headers: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": str(k), "value": str(v)} for k, v in headers.items()]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((str(v) for k, v in headers.items() if str(k).lower() == name), None)


def _size(text: str | None, truncated: bool) -> int:
    if text is None:
        return 0
    return -1 if truncated else len(text.encode("utf-8"))


def _query(url: str) -> list[dict[str, str]]:
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    return [{"name": n, "value": v} for n, v in parse_qsl(query, keep_blank_values=True)]


def har_entry(x: Mapping[str, Any], *, started: str, comment: str, pageref: str) -> dict[str, Any]:
    """One HAR entry from one exchange as report.json holds it (already redacted)."""
    request_headers = dict(x.get("request_headers") or {})
    response_headers = dict(x.get("response_headers") or {})
    truncated = bool(x.get("truncated"))
    elapsed = max(0.0, round(float(x.get("elapsed_ms") or 0.0), 3))
    request: dict[str, Any] = {
        "method": str(x["method"]),
        "url": str(x["url"]),
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _header_list(request_headers),
        "queryString": _query(str(x["url"])),
        "headersSize": -1,
        "bodySize": _size(x.get("request_body"), truncated),
    }
    if x.get("request_body") is not None:
        request["postData"] = {
            "mimeType": _header(request_headers, "content-type") or "",
            "text": x["request_body"],
        }
    body = x.get("response_body")
    content: dict[str, Any] = {
        "size": len(body.encode("utf-8")) if body is not None else 0,
        "mimeType": _header(response_headers, "content-type") or "",
    }
    if body is not None:
        content["text"] = body
    if truncated:
        content["comment"] = "cut at the transcript cap: the body was longer"
    status = x.get("status")
    response: dict[str, Any] = {
        "status": int(status) if status is not None else 0,
        "statusText": "",  # the client does not record the reason phrase
        "httpVersion": HTTP_VERSION if status is not None else "",
        "cookies": [],
        "headers": _header_list(response_headers),
        "content": content,
        "redirectURL": _header(response_headers, "location") or "",
        "headersSize": -1,
        "bodySize": _size(body, truncated),
    }
    if x.get("error"):
        response["comment"] = f"no answer: {x['error']}"
        response["_error"] = str(x["error"])
    return {
        "pageref": pageref,
        "startedDateTime": started,
        "time": elapsed,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": -1,
            "connect": -1,
            "ssl": -1,
            "send": 0,
            "wait": elapsed,
            "receive": 0,
            "comment": "only the whole round trip is recorded: it is shown as wait",
        },
        "comment": comment,
    }


def _log(
    *, version: str, started: str, comment: str, pages: list[dict[str, Any]], entries: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": CREATOR, "version": version},
            "pages": pages,
            "entries": entries,
            "comment": comment,
        }
    }


def _page(nodeid: str, started: str, comment: str) -> dict[str, Any]:
    return {"startedDateTime": started, "id": nodeid, "title": nodeid, "pageTimings": {}, "comment": comment}


def har_from_records(
    run: RunInfo, records: Iterable[TestRecord], *, secrets: Iterable[str] = ()
) -> dict[str, Any]:
    """Every exchange of the run, one page per test that sent any, redacted like the report."""
    from conformance.report import redacted_exchange, run_scrubber

    records = list(records)
    scrub = run_scrubber(run, records, secrets)
    pages: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    capped: list[str] = []
    for rec in records:
        if not rec.exchanges:
            continue
        nodeid = scrub.text(rec.nodeid)
        first = rec.exchanges[0].started_at or run.started_at
        pages.append(_page(nodeid, first, f"{rec.outcome}; names {', '.join(rec.requirements)}"))
        if len(rec.exchanges) >= MAX_EXCHANGES_PER_TEST:
            capped.append(nodeid)
        for x in rec.exchanges:
            entries.append(
                har_entry(
                    redacted_exchange(x, scrub),
                    started=x.started_at or run.started_at,
                    comment=f"sent by {nodeid}",
                    pageref=nodeid,
                )
            )
    target = scrub.url(run.target)
    cap_note = (
        f"; {len(capped)} test(s) reached the cap of {MAX_EXCHANGES_PER_TEST} exchanges kept per test, "
        f"and any they sent before their last {MAX_EXCHANGES_PER_TEST} are not here: {', '.join(capped)}"
        if capped
        else f"; no test reached the cap of {MAX_EXCHANGES_PER_TEST} exchanges kept per test: none is missing"
    )
    return _log(
        version=scrub.text(run.tool_version),
        started=run.started_at,
        comment=(
            f"every exchange of the run against {target} (profile {run.profile}), "
            f"{run.started_at} – {run.finished_at}{cap_note}"
        ),
        pages=pages,
        entries=entries,
    )


def har_from_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """The exchanges report.json keeps (those of failures), once per test, scrubbed again.

    A test failing several requirements is evidence against each of them with the same
    exchanges: they are written once, and the entry's comment names every such requirement.
    """
    from conformance.report import redacted_exchange
    from conformance.report.redact import Scrubber

    by_test: dict[str, tuple[list[Exchange], list[str]]] = {}
    for req in report.get("requirements", ()):
        for failure in req.get("failures", ()):
            exchanges, rids = by_test.setdefault(
                failure["test"],
                (
                    [Exchange(**{k: x[k] for k in _EXCHANGE_FIELDS if k in x}) for x in failure["exchanges"]],
                    [],
                ),
            )
            if req["id"] not in rids:
                rids.append(req["id"])
    scrub = Scrubber()
    scrub.learn(x for exchanges, _ in by_test.values() for x in exchanges)
    started = str(report["started_at"])
    pages: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for nodeid, (exchanges, rids) in by_test.items():
        if not exchanges:
            continue
        nodeid = scrub.text(nodeid)
        why = f"evidence of the failure of {', '.join(rids)}"
        pages.append(_page(nodeid, started, why))
        for x in exchanges:
            entries.append(
                har_entry(
                    redacted_exchange(x, scrub),
                    started=started,
                    comment=f"sent by {nodeid}; {why}",
                    pageref=nodeid,
                )
            )
    return _log(
        version=str(report["tool"]["version"]),
        started=started,
        comment=(
            f"the exchanges of failed checks and tests of the run against {scrub.url(str(report['target']))} "
            f"(profile {report['profile']}), {report['started_at']} – {report['finished_at']}; "
            "report.json keeps the last exchanges of each failing test only"
        ),
        pages=pages,
        entries=entries,
    )


def render_har(har: Mapping[str, Any]) -> str:
    """The HAR file's text: JSON in UTF-8 (the spec forbids other encodings)."""
    return json.dumps(har, indent=2, ensure_ascii=False) + "\n"
