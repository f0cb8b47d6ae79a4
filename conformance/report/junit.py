"""junit.xml: one test case per requirement, so CI systems show requirement verdicts.

* ``classname`` is the requirement's (first) operation, ``general`` when it names none; ``name``
  is the ID and a short statement.  Properties: ``level``, ``source``, ``operations``, ``verdict``
  (and ``erratum`` when there is one).
* ``failed`` -> ``<failure>`` with expected vs actual, the transcript and the repro command.
* ``skipped`` and ``not-tested`` -> ``<skipped>`` with the reasons (the skip reasons, or the note
  that the tests naming it made no check of it).
* a requirement of another profile (report.json ``not_applicable``) -> a case of classname
  ``not-applicable`` with ``<skipped>`` saying so and the property ``verdict=not-applicable``: a CI
  page shows it as not run, rather than losing it; it is never a failure.
* ``expected-failure`` (baselined) -> ``<skipped>`` saying so: it does not fail the run, and
  this is how pytest's own xfail shows in JUnit.
* ``advisory-failed`` -> a *passing* test case with a ``<system-out>`` note and the property
  ``advisory-failure=true``.  JUnit has no "warning" state: a ``<failure>`` would turn the CI page
  red while the run itself exits 0 (SHOULD failures are advisory unless ``--strict``), and
  ``<skipped>`` would hide that the requirement was tested and not met.  The note keeps it
  visible to anyone who opens the case, the property to tools.

Everything is built with ElementTree (which escapes), after removing the characters XML 1.0
cannot carry at all (a hostile body may contain NULs).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from conformance.report.text import failure_text
from conformance.report.verdicts import (
    ADVISORY_FAILED,
    EXPECTED_FAILURE,
    FAILED,
    NOT_APPLICABLE,
    NOT_TESTED,
    SKIPPED,
)

_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
STATEMENT_MAX = 80


def xml_safe(text: Any) -> str:
    return _XML_INVALID.sub("\ufffd", str(text))


def short(text: str, limit: int = STATEMENT_MAX) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def render_junit(report: Mapping[str, Any]) -> bytes:
    reqs = list(report.get("requirements", []))
    not_applicable = list(report.get("not_applicable") or [])
    profile = report["profile"]
    by_verdict = report["summary"]["by_verdict"]
    failures = by_verdict.get(FAILED, 0)
    skipped = sum(1 for r in reqs if r["verdict"] in (SKIPPED, NOT_TESTED, EXPECTED_FAILURE)) + len(
        not_applicable
    )
    cases = len(reqs) + len(not_applicable)
    # A test names several requirements: count each test once in the suite's time.
    duration = sum({t["nodeid"]: t["duration_s"] for r in reqs for t in r["tests"]}.values())
    suites = ET.Element(
        "testsuites",
        {
            "name": "groove-conformance",
            "tests": str(cases),
            "failures": str(failures),
            "errors": "0",
            "skipped": str(skipped),
        },
    )
    suite = _sub(
        suites,
        "testsuite",
        name=f"groove-conformance {report['profile']}",
        tests=str(cases),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{duration:.3f}",
        timestamp=report["started_at"],
    )
    props = _sub(suite, "properties")
    for name, value in (
        ("target", report["target"]),
        ("profile", report["profile"]),
        ("tool_version", report["tool"]["version"]),
        ("strict", str(report["strict"]).lower()),
        ("overall", report["overall"]["line"]),
    ):
        _sub(props, "property", name=name, value=value)

    for r in reqs:
        ops = r["operations"] or ["general"]
        case_time = sum(t["duration_s"] for t in r["tests"])
        case = _sub(
            suite,
            "testcase",
            classname=ops[0],
            name=f"{r['id']}: {short(r['statement'])}",
            time=f"{case_time:.3f}",
        )
        p = _sub(case, "properties")
        src = r["source"]
        source = src["file"] + (f" § {src['heading']}" if src["heading"] else "")
        for name, value in (
            ("level", r["level"]),
            ("source", source),
            ("operations", " ".join(ops)),
            ("verdict", r["verdict"]),
        ):
            _sub(p, "property", name=name, value=value)
        if r.get("erratum"):
            _sub(p, "property", name="erratum", value=r["erratum"])
        verdict = r["verdict"]
        if verdict == FAILED:
            first = r["failures"][0] if r["failures"] else {}
            _sub(
                case,
                "failure",
                "\n\n".join(failure_text(f) for f in r["failures"]),
                message=short(first.get("message") or "requirement not met", 200),
                type=r["level"],
            )
        elif verdict in (SKIPPED, NOT_TESTED):
            reasons = "; ".join(f"{s['test']}: {s['reason']}" for s in r["skip_reasons"])
            note = r.get("note")
            if not reasons:
                reasons = note or "no test names this requirement"
            elif note:
                reasons = f"{reasons}; {note}"
            _sub(case, "skipped", message=short(reasons, 500))
        elif verdict == EXPECTED_FAILURE:
            reason = (r.get("baseline") or {}).get("reason", "")
            _sub(case, "skipped", message=short(f"expected failure (baseline): {reason}", 500))
            _sub(case, "system-out", "\n\n".join(failure_text(f) for f in r["failures"]))
        elif verdict == ADVISORY_FAILED:
            _sub(p, "property", name="advisory-failure", value="true")
            _sub(
                case,
                "system-out",
                f"ADVISORY FAILURE: this {r['level']} requirement is not met; it does not fail the run "
                "(only --strict makes it fail).\n\n" + "\n\n".join(failure_text(f) for f in r["failures"]),
            )
        if (r.get("baseline") or {}).get("status") == "stale":
            _sub(
                case, "system-out", "STALE BASELINE ENTRY: listed as an expected failure, but it passes now."
            )
    for rid in not_applicable:
        case = _sub(
            suite,
            "testcase",
            classname=NOT_APPLICABLE,
            name=f"{rid}: not applicable to {profile}",
            time="0.000",
        )
        p = _sub(case, "properties")
        _sub(p, "property", name="verdict", value=NOT_APPLICABLE)
        _sub(
            case,
            "skipped",
            message=f"not applicable: {rid} belongs to another profile than {profile} (not judged)",
        )
    ET.indent(suites)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"
