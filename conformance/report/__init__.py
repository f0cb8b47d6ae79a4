"""Conformance reports: verdicts per requirement, and report.json / .html / .md / junit.xml.

The plugin calls, at the end of a run::

    report = build_report(run_info, records, strict=..., baseline=..., secrets=[user_token, ...])
    write_reports(report, report_dir)
    session.exitstatus = exit_status(report)

``report`` is a plain JSON-able dict (its shape is ``schemas/report.json``); every renderer works
from that dict alone, so ``groove-conformance report report.json --html ...`` re-renders a
published run without the records.  Credentials are redacted once, here, when the dict is
built: the renderers never see them. Only credentials are (``redact.Scrubber``): the catalogue's
text is the project's own and stays exactly as written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from conformance.catalogue import LEVELS, blocks
from conformance.records import NOT_IN_REPORT, Exchange, RunInfo, TestRecord
from conformance.report import baseline as _baseline
from conformance.report.baseline import BaselineError, load_baseline
from conformance.report.redact import Scrubber
from conformance.report.repro import curl_command
from conformance.report.verdicts import (
    ADVISORY_FAILED,
    EXPECTED_FAILURE,
    FAILED,
    PASSED,
    VERDICTS,
    count,
    judge,
    operation_scope,
)

__all__ = [
    "BaselineError",
    "GENERAL",
    "REPORT_FILES",
    "SCHEMA_VERSION",
    "VERDICTS",
    "build_report",
    "exit_status",
    "load_baseline",
    "write_reports",
]

SCHEMA_VERSION = 1
# The operation column of a requirement that names no operation (it holds for all of them).
GENERAL = "general"
# Exchanges kept per failure: the last ones, which are the ones the failing check looked at.
MAX_EXCHANGES_PER_FAILURE = 8
REPORT_FILES = ("report.json", "report.html", "report.md", "junit.xml")


def _requirement_fields(req: Any) -> dict[str, Any]:
    """What the report says about a catalogue entry, read by attribute (duck-typed for tests)."""
    source = getattr(req, "source", None)
    return {
        "id": req.id,
        "level": req.level,
        "operations": list(getattr(req, "operations", ()) or ()),
        "profiles": list(getattr(req, "profiles", ()) or ()),
        "statement": req.statement,
        "source": {
            "file": getattr(source, "file", "") or "",
            "heading": getattr(source, "heading", "") or "",
            "quote": getattr(source, "quote", "") or "",
        },
        "erratum": getattr(req, "erratum", None),
    }


def run_scrubber(run: RunInfo, records: Iterable[TestRecord], secrets: Iterable[str] = ()) -> Scrubber:
    """The one scrubber of a run: the given ``secrets``, and what else the run used as a credential
    (transcript header and query values, options under credential-like keys, URL user-info).

    The catalogue's own text is never scrubbed: it is the project's, quotes the documents
    ("Authorization: Bearer {token}") and holds no secret.  Every output made from the run's
    records (the report, a HAR file) scrubs with this one, so they redact alike.
    """
    scrub = Scrubber(secrets)
    scrub.learn(x for rec in records for x in rec.exchanges)
    scrub.learn_options([run.target, dict(run.options), dict(run.capabilities)])
    return scrub


def redacted_exchange(exchange: Exchange, scrub: Scrubber) -> dict[str, Any]:
    """One exchange as report.json holds it: every credential scrubbed, plus its curl repro."""
    data = exchange.to_dict()
    for key in NOT_IN_REPORT:
        del data[key]
    data["url"] = scrub.url(exchange.url)
    data["request_headers"] = scrub.headers(exchange.request_headers)
    data["response_headers"] = scrub.headers(exchange.response_headers)
    for key in ("request_body", "response_body", "error"):
        if data[key] is not None:
            data[key] = scrub.text(data[key])
    data["method"] = scrub.text(exchange.method)
    data["repro"] = curl_command(exchange, scrub)
    return data


def _test_entry(record: TestRecord, checks: list, scrub: Scrubber) -> dict[str, Any]:
    return {
        "nodeid": record.nodeid,
        "outcome": record.outcome,
        "duration_s": round(float(record.duration_s or 0.0), 3),
        "message": scrub.text(record.message) if record.message else None,
        "checks": [
            {
                "passed": c.passed,
                "message": scrub.text(c.message or ""),
                "expected": scrub.text(c.expected) if c.expected is not None else None,
                "actual": scrub.text(c.actual) if c.actual is not None else None,
                "operation": c.operation,
            }
            for c in checks
        ],
    }


def _summary(requirements: list[dict[str, Any]], records: list[TestRecord]) -> dict[str, Any]:
    by_level: dict[str, dict[str, int]] = {}
    by_operation: dict[str, dict[str, int]] = {}
    for level in LEVELS:
        by_level[level] = count(r["verdict"] for r in requirements if r["level"] == level)
    for r in requirements:
        by_level.setdefault(r["level"], count(()))
        for op, verdict in r["by_operation"].items():
            by_operation.setdefault(op, count(()))[verdict] += 1
    for r in requirements:
        if r["level"] not in LEVELS:
            by_level[r["level"]][r["verdict"]] += 1
    tests = {"total": len(records), "passed": 0, "failed": 0, "skipped": 0, "error": 0}
    for rec in records:
        tests[rec.outcome] = tests.get(rec.outcome, 0) + 1
    return {
        "requirements": len(requirements),
        "by_verdict": count(r["verdict"] for r in requirements),
        "by_level": by_level,
        "by_operation": dict(sorted(by_operation.items(), key=lambda kv: (kv[0] == GENERAL, kv[0]))),
        "tests": tests,
    }


def _overall(
    by_verdict: dict[str, int],
    strict: bool,
    by_level: Mapping[str, Mapping[str, int]] | None = None,
    stopped: str | None = None,
    selection: str | None = None,
) -> dict[str, Any]:
    """The verdict line; a run stopped early (``stopped``) is not a pass, whatever it met, and a
    run of selected requirements only (``selection``) says so."""
    failed = by_verdict.get(FAILED, 0)
    advisory = by_verdict.get(ADVISORY_FAILED, 0)
    expected = by_verdict.get(EXPECTED_FAILURE, 0)
    if failed:
        line = f"FAILED: {failed} requirement{'s' if failed != 1 else ''} not met"
    else:
        line = _passed_line(by_verdict if strict else (by_level or {}).get("MUST", by_verdict), strict)
    notes = []
    if expected:
        notes.append(f"{expected} expected failure{'s' if expected != 1 else ''} (baseline)")
    if advisory:
        notes.append(f"{advisory} advisory failure{'s' if advisory != 1 else ''} (SHOULD/MAY)")
    if notes:
        line += "; " + ", ".join(notes)
    if selection:
        line += f" ({selection})"
    if stopped:
        # Named first: a stopped run is no pass, whatever the tests that ran found.
        line = f"RUN STOPPED EARLY, not every test ran: {stopped}. Of what ran: {line}"
    return {
        "verdict": FAILED if failed else PASSED,
        "exit_status": 1 if failed or stopped else 0,
        "strict": strict,
        "line": line,
    }


def _operation_verdicts(
    judged: Mapping[str, str],
    operations: Mapping[str, list[str]],
    records: list[TestRecord],
    *,
    strict: bool,
    not_applicable: list[str],
) -> dict[str, dict[str, str]]:
    """Requirement ID -> operation -> the verdict from the evidence of that operation alone.

    ``judged`` maps each judged ID to its level.  A requirement of several operations that failed
    on one is failed there, and elsewhere whatever that operation's own checks say (not-tested
    where none was made): see ``verdicts.operations_of`` for which evidence bears on which.
    """
    out: dict[str, dict[str, str]] = {rid: {} for rid in judged}
    for op in sorted({o for ops in operations.values() for o in ops}):
        scoped = judge(
            dict(judged),
            records,
            strict=strict,
            not_applicable=not_applicable,
            scope=operation_scope(op, operations),
        )
        for rid in judged:
            if op in operations.get(rid, ()):
                out[rid][op] = scoped[rid].verdict
    # In the catalogue's order of each requirement's operations.
    return {
        rid: {op: by_op[op] for op in operations.get(rid, ()) if op in by_op} for rid, by_op in out.items()
    }


def _passed_line(counts: Mapping[str, int], strict: bool) -> str:
    """What a pass claims: every requirement that can fail the run (MUST, or every level under
    --strict) and was tested was met, and how many that is; expected failures are named apart."""
    which = "requirement tested, SHOULD and MAY included (--strict)," if strict else "MUST requirement tested"
    met = counts.get(PASSED, 0)
    tested = met + counts.get(EXPECTED_FAILURE, 0)
    if not tested:
        return f"PASSED: no {'requirement' if strict else 'MUST requirement'} was tested, so none failed"
    but = " but the expected failures" if met < tested else ""
    return f"PASSED: every {which} was met{but} ({met} of {tested})"


def applies(req: Any, profile: str) -> bool:
    """Whether a catalogue requirement holds in ``profile``: its ``profiles`` name it, or are empty."""
    profiles = tuple(getattr(req, "profiles", ()) or ())
    return not profiles or profile in profiles


def build_report(
    run: RunInfo,
    records: list[TestRecord],
    *,
    strict: bool,
    baseline: Mapping[str, str] | None,
    catalogue: Mapping[str, Any] | None = None,
    secrets: Iterable[str] = (),
    stopped: str | None = None,
    selection: str | None = None,
) -> dict[str, Any]:
    """The report of one run, as the JSON-able dict that ``schemas/report.json`` describes.

    ``baseline`` maps requirement IDs to the reason their failure is expected (``load_baseline``).
    ``catalogue`` defaults to ``conformance.catalogue.load_catalogue()``; tests pass a small one.
    ``secrets`` are credential values (user and developer tokens) to blank out wherever they
    appear, on top of the structural redaction of headers, query parameters and option keys.

    The run's profile (``run.profile``) splits the catalogue: requirements whose ``profiles`` do
    not include it are listed under ``not_applicable`` and judged by nothing, not even by tests
    that name or check them (checks of them are reported in a warning and ignored).

    ``stopped`` is why the run ended before every test ran (``--max-transport-failures``,
    ``--run-deadline``); such a run exits 1 even when no requirement failed.

    ``selection`` says which requirements a partial run was asked to check (``--requirement``,
    ``--rerun-failed``); the verdict line names it, the others are ``not-tested``.
    """
    if catalogue is None:
        from conformance.catalogue import load_catalogue

        catalogue = load_catalogue()
    records = list(records)
    scrub = run_scrubber(run, records, secrets)
    named = {rid for rec in records for rid in rec.requirements} | {
        c.requirement for rec in records for c in rec.checks
    }
    warnings: list[str] = []
    applicable: dict[str, Any] = {}
    not_applicable: list[str] = []
    for rid, req in catalogue.items():
        # The catalogue decides, whatever tests name it: a requirement of another dialect is not
        # judged in this run (a test of both dialects naming it must not make it "passed").
        if applies(req, run.profile):
            applicable[rid] = req
        else:
            not_applicable.append(rid)
    for rid in sorted(named - set(catalogue)):
        warnings.append(f"tests name {rid}, which is not in the requirement catalogue")
    for rid in not_applicable:
        made = [c for rec in records for c in rec.checks if c.requirement == rid]
        if made:
            failed = sum(1 for c in made if not c.passed)
            warnings.append(
                f"tests made {len(made)} check{'s' if len(made) != 1 else ''} of {rid} "
                f"({failed} failed), which does not apply to profile {run.profile}: ignored"
            )

    judgements = judge(
        {rid: req.level for rid, req in applicable.items()},
        records,
        strict=strict,
        not_applicable=not_applicable,
    )
    baseline = dict(baseline or {})
    operations = {rid: list(getattr(applicable.get(rid), "operations", ()) or ()) for rid in judgements}
    per_operation = _operation_verdicts(
        {rid: j.level for rid, j in judgements.items()},
        operations,
        records,
        strict=strict,
        not_applicable=not_applicable,
    )

    requirements: list[dict[str, Any]] = []
    for rid, j in judgements.items():
        req = applicable.get(rid)
        entry = (
            _requirement_fields(req)
            if req is not None
            else {
                "id": rid,
                "level": j.level,
                "operations": [],
                "profiles": [],
                "statement": "(not in the requirement catalogue)",
                "source": {"file": "", "heading": "", "quote": ""},
                "erratum": None,
            }
        )
        verdict = j.verdict
        if rid in baseline and verdict == FAILED:
            verdict = EXPECTED_FAILURE
        entry["verdict"] = verdict
        entry["by_operation"] = {
            op: EXPECTED_FAILURE if rid in baseline and v == FAILED else v
            for op, v in (per_operation[rid] or {GENERAL: verdict}).items()
        }
        entry["baseline"] = None
        if rid in baseline:
            status = {FAILED: _baseline.EXPECTED, PASSED: _baseline.STALE}.get(j.verdict, _baseline.UNUSED)
            entry["baseline"] = {"reason": scrub.text(baseline[rid]), "status": status}
        entry["tests"] = [_test_entry(rec, checks, scrub) for rec, checks in j.tests]
        entry["skip_reasons"] = [
            {"test": node, "reason": scrub.text(reason)} for node, reason in j.skip_reasons
        ]
        failures = []
        for f in j.failures:
            exchanges = f.record.exchanges
            kept = exchanges[-MAX_EXCHANGES_PER_FAILURE:]
            failures.append(
                {
                    "test": f.record.nodeid,
                    "kind": f.kind,
                    "operation": f.operation,
                    "blocking": blocks(entry["level"], strict),
                    "message": scrub.text(f.message or ""),
                    "expected": scrub.text(f.expected) if f.expected is not None else None,
                    "actual": scrub.text(f.actual) if f.actual is not None else None,
                    "exchanges": [redacted_exchange(x, scrub) for x in kept],
                    "exchanges_omitted": len(exchanges) - len(kept),
                }
            )
        entry["failures"] = failures
        entry["note"] = j.note
        requirements.append(entry)

    known = set(judgements)
    baseline_section = None
    if baseline:
        baseline_section = {
            "entries": [
                {
                    "id": rid,
                    "reason": scrub.text(reason),
                    "status": next(
                        (r["baseline"]["status"] for r in requirements if r["id"] == rid), _baseline.UNKNOWN
                    ),
                }
                for rid, reason in baseline.items()
            ],
        }
        for e in baseline_section["entries"]:
            if e["id"] in not_applicable:
                warnings.append(
                    f"the baseline lists {e['id']}, which does not apply to profile {run.profile}"
                )
            elif e["id"] not in known:
                warnings.append(f"the baseline lists {e['id']}, which this run does not judge")

    summary = _summary(requirements, records)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "groove-conformance", "version": scrub.text(run.tool_version)},
        "target": scrub.url(run.target),
        "embedded": bool(run.embedded),
        "profile": run.profile,
        "strict": bool(strict),
        "options": scrub.deep(dict(run.options), drop_secret_keys=True),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "capabilities": scrub.deep(dict(run.capabilities), drop_secret_keys=True),
        "stopped": scrub.text(stopped) if stopped else None,
        "overall": _overall(summary["by_verdict"], strict, summary["by_level"], stopped, selection),
        "summary": summary,
        "baseline": baseline_section,
        "requirements": requirements,
        "not_applicable": not_applicable,
        "warnings": warnings,
    }


def exit_status(report: Mapping[str, Any]) -> int:
    """1 when a requirement is ``failed`` (not covered by the baseline) or the run was stopped
    early (not every test ran), else 0.

    Read from the requirements themselves rather than ``overall``, so a hand-edited or
    re-rendered report cannot claim a pass it does not show.
    """
    failed = any(r.get("verdict") == FAILED for r in report.get("requirements", ()))
    return 1 if failed or report.get("stopped") else 0


def write_reports(report: Mapping[str, Any], report_dir: Path) -> None:
    """Write report.json, report.html, report.md and junit.xml into ``report_dir`` (created)."""
    from conformance.report.html import render_html
    from conformance.report.junit import render_junit
    from conformance.report.markdown import render_markdown

    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (report_dir / "report.html").write_text(render_html(report), encoding="utf-8")
    (report_dir / "report.md").write_text(render_markdown(report), encoding="utf-8")
    (report_dir / "junit.xml").write_bytes(render_junit(report))
