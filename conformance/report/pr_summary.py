"""summary.md: the run for a pull request or ``$GITHUB_STEP_SUMMARY``, what needs reading first.

Sections, in this order: the verdict heading and run line (report.md's own, ``headline``); the
failures, each with its message, the requirement and the source quote it rests on; the expected
failures (with the baseline's reason); the advisory failures (SHOULD/MAY); then, collapsed in
``<details>`` blocks, the requirements that were skipped or not tested and those that passed
(report.md lists every ID in tables, which buries a failure in a long pull-request comment).

GitHub refuses a step summary over 1 MiB ("supports content up to a size of 1024k") and then
shows nothing at all; the summary is cut at a line to stay under ``STEP_SUMMARY_LIMIT`` bytes,
with a line saying so and where the rest is (report.md / report.html), and an open
``<details>`` block is closed first so the cut page still renders.  Text from the target is
escaped as in report.md (``md_escape``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.catalogue import LEVELS
from conformance.report.markdown import REASON_MAX, STATEMENT_MAX, headline, md_escape, one_line_reason
from conformance.report.verdicts import (
    ADVISORY_FAILED,
    EXPECTED_FAILURE,
    FAILED,
    NOT_TESTED,
    PASSED,
    SKIPPED,
    verdicts_by_operation,
)

STEP_SUMMARY_LIMIT = 1024 * 1024  # bytes of UTF-8, GitHub's cap for one step's summary
QUOTE_MAX = 400
TRUNCATED = (
    "> ⚠️ This summary was cut here to stay under GitHub's 1 MiB step-summary limit; "
    "report.md and report.html have all of it."
)
DETAILS_OPEN, DETAILS_CLOSE = "<details>", "</details>"


def _level_order(req: Mapping[str, Any]) -> int:
    return LEVELS.index(req["level"]) if req["level"] in LEVELS else len(LEVELS)


def _failure_block(req: Mapping[str, Any], verdict: str) -> list[str]:
    """One failed requirement: what failed where, the statement, and the source it rests on."""
    per_op = verdicts_by_operation(req)
    where = [op for op, v in per_op.items() if v == verdict] or list(per_op)
    first = (req.get("failures") or [{}])[0]
    lines = [
        f"- **`{req['id']}`** ({req['level']}, {verdict} on {', '.join(where)}): {one_line_reason(req)}",
    ]
    if first.get("test"):
        lines.append(f"  - Test: `{md_escape(first['test'])}`")
    if verdict == EXPECTED_FAILURE and req.get("baseline"):
        lines.append(f"  - Baseline: {md_escape(req['baseline']['reason'], REASON_MAX)}")
    lines.append(f"  - Requirement: {md_escape(req['statement'], STATEMENT_MAX)}")
    source = req.get("source") or {}
    heading = f" § {md_escape(source['heading'])}" if source.get("heading") else ""
    if source.get("file") or source.get("quote"):
        lines.append(f"  - Source: `{md_escape(source.get('file', ''))}`{heading}")
    if source.get("quote"):
        lines.append(f"    > {md_escape(source['quote'], QUOTE_MAX)}")
    return lines


def _collapsed(title: str, reqs: list[Mapping[str, Any]], detail) -> list[str]:
    """A ``<details>`` block listing ``reqs``, one line each, MUST first."""
    lines = [DETAILS_OPEN, f"<summary>{title} ({len(reqs)})</summary>", ""]
    for r in sorted(reqs, key=_level_order):
        lines.append(f"- `{r['id']}` ({r['level']}): {detail(r)}")
    lines += ["", DETAILS_CLOSE, ""]
    return lines


def summary_lines(report: Mapping[str, Any]) -> list[str]:
    """Every line of the summary, before any cut."""
    reqs = list(report.get("requirements", []))
    out = headline(report)
    sections = (
        (FAILED, "❌ Failures"),
        (EXPECTED_FAILURE, "Expected failures (baseline: they do not fail the run)"),
        (ADVISORY_FAILED, "⚠️ Advisory failures (SHOULD/MAY: they do not fail the run)"),
    )
    for verdict, title in sections:
        group = sorted((r for r in reqs if r["verdict"] == verdict), key=_level_order)
        if not group:
            continue
        out += [f"### {title} ({len(group)})", ""]
        for r in group:
            out += _failure_block(r, verdict)
        out.append("")
    if not any(r["verdict"] in (FAILED, EXPECTED_FAILURE, ADVISORY_FAILED) for r in reqs):
        out += ["No requirement failed.", ""]

    unjudged = [r for r in reqs if r["verdict"] in (SKIPPED, NOT_TESTED)]
    if unjudged:
        out += _collapsed(
            "Skipped or not tested",
            unjudged,
            lambda r: md_escape(
                r.get("note") or "; ".join(s["reason"] for s in r.get("skip_reasons") or ()) or r["verdict"],
                REASON_MAX,
            ),
        )
    passed = [r for r in reqs if r["verdict"] == PASSED]
    if passed:
        out += _collapsed("✅ Passed", passed, lambda r: md_escape(r["statement"], REASON_MAX))
    not_applicable = list(report.get("not_applicable") or [])
    if not_applicable:
        out += [
            f"Not applicable to profile `{report['profile']}` (another dialect, not judged): "
            + ", ".join(f"`{rid}`" for rid in not_applicable)
            + ".",
            "",
        ]
    for w in report.get("warnings", []):
        out.append(f"> ⚠️ {md_escape(w)}")
    return out


def render_summary(report: Mapping[str, Any], limit: int = STEP_SUMMARY_LIMIT) -> str:
    """summary.md's text, at most ``limit`` bytes of UTF-8."""
    lines = summary_lines(report)
    text = "\n".join(lines).rstrip() + "\n"
    if len(text.encode("utf-8")) <= limit:
        return text
    # The notice and a closing tag always fit: reserve them, then keep whole lines while they do.
    reserve = len(f"\n{DETAILS_CLOSE}\n\n{TRUNCATED}\n".encode())
    kept: list[str] = []
    used, inside = 0, False
    for line in lines:
        size = len(line.encode("utf-8")) + 1
        if used + size + reserve > limit:
            break
        kept.append(line)
        used += size
        if line == DETAILS_OPEN:
            inside = True
        elif line == DETAILS_CLOSE:
            inside = False
    if inside:
        kept += ["", DETAILS_CLOSE]
    return "\n".join([*kept, "", TRUNCATED]) + "\n"
