"""report.md: the run in a few lines, for a README or a pull-request comment.

Overall line first, then one table per operation (requirements grouped by their verdict on that
operation, from that operation's checks alone), then the
failures with their requirement IDs and a one-line reason, advisory failures apart, then the
requirements that tests name but never check, and those of another profile (not applicable).  Text that
came from the target (messages, actual values) is escaped: a PR comment renders HTML and
Markdown, and a hostile server must not be able to inject either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from conformance.report.verdicts import (
    ADVISORY_FAILED,
    EXPECTED_FAILURE,
    FAILED,
    NOT_TESTED,
    VERDICTS,
    verdicts_by_operation,
)

REASON_MAX = 160
STATEMENT_MAX = 240  # the requirement's statement under its failure line, for a reader without the catalogue
_MD_SPECIAL = re.compile(r"([\\`*\[\]|~])")


def md_escape(text: str, limit: int | None = None) -> str:
    """One line of inert Markdown: no HTML, no links, no table breaks."""
    line = " ".join(str(text).split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", line)


def one_line_reason(req: Mapping[str, Any]) -> str:
    """The first failure of a requirement as one line: its message, or expected vs actual."""
    failures = req.get("failures") or []
    if not failures:
        return "no failure recorded"
    f = failures[0]
    text = f.get("message") or ""
    if f.get("kind") == "test":
        text = f"{f.get('actual')}: {text}"
    elif (f.get("expected") is not None or f.get("actual") is not None) and not (
        str(f.get("expected")) in text and str(f.get("actual")) in text
    ):  # add expected vs actual unless the message already says both
        text = f"{text} (expected {f.get('expected')}, got {f.get('actual')})".strip()
    more = f" [+{len(failures) - 1} more]" if len(failures) > 1 else ""
    return md_escape(text, REASON_MAX) + more


def _ids(reqs: list[Mapping[str, Any]]) -> str:
    return ", ".join(f"`{r['id']}`" for r in reqs)


def headline(report: Mapping[str, Any]) -> list[str]:
    """The verdict heading and the run line (target, profile, tool, times), each followed by a blank."""
    mark = "❌" if report["overall"]["verdict"] == FAILED else "⚠️" if report.get("stopped") else "✅"
    return [
        f"## Groove conformance: {mark} {md_escape(report['overall']['line'])}",
        "",
        f"Target `{md_escape(report['target'])}`{' (embedded emulator)' if report.get('embedded') else ''}, "
        f"profile `{report['profile']}`, {report['tool']['name']} {md_escape(report['tool']['version'])}"
        f"{', strict' if report.get('strict') else ''}, {report['started_at']} – {report['finished_at']}.",
        "",
    ]


def render_markdown(report: Mapping[str, Any]) -> str:
    reqs = list(report.get("requirements", []))
    by_verdict = report["summary"]["by_verdict"]
    out: list[str] = headline(report)
    out.append(" · ".join(f"{v}: **{by_verdict.get(v, 0)}**" for v in VERDICTS if by_verdict.get(v, 0)))
    out.append("")

    out.append("| Level | " + " | ".join(VERDICTS) + " |")
    out.append("|---|" + "---:|" * len(VERDICTS))
    for level, counts in report["summary"]["by_level"].items():
        if any(counts.values()):
            out.append(f"| {level} | " + " | ".join(str(counts.get(v, 0)) for v in VERDICTS) + " |")
    out.append("")

    per_op = {r["id"]: verdicts_by_operation(r) for r in reqs}
    for op in report["summary"]["by_operation"]:
        members = [r for r in reqs if op in per_op[r["id"]]]
        out.append(f"### {op}")
        out.append("")
        out.append("| Verdict on this operation | # | Requirements |")
        out.append("|---|---:|---|")
        for v in VERDICTS:
            group = [r for r in members if per_op[r["id"]][op] == v]
            if group:
                out.append(f"| {v} | {len(group)} | {_ids(group)} |")
        out.append("")

    for title, verdict in (
        ("Failures", FAILED),
        ("Expected failures (baseline)", EXPECTED_FAILURE),
        ("Advisory failures (SHOULD/MAY, do not fail the run)", ADVISORY_FAILED),
    ):
        group = [r for r in reqs if r["verdict"] == verdict]
        if not group:
            continue
        out.append(f"### {title}")
        out.append("")
        for r in group:
            extra = ""
            if verdict == EXPECTED_FAILURE and r.get("baseline"):
                extra = f" — baseline: {md_escape(r['baseline']['reason'], REASON_MAX)}"
            where = [op for op, v in per_op[r["id"]].items() if v == verdict] or list(per_op[r["id"]])
            out.append(
                f"- **`{r['id']}`** ({r['level']}, {verdict} on {', '.join(where)}): "
                f"{one_line_reason(r)}{extra}"
            )
            out.append(f"  - Requirement: {md_escape(r['statement'], STATEMENT_MAX)}")
        out.append("")

    unchecked = [r for r in reqs if r["verdict"] == NOT_TESTED and r.get("note")]
    if unchecked:
        out.append("### Named by tests, checked by none (not-tested)")
        out.append("")
        for r in unchecked:
            out.append(f"- `{r['id']}` ({r['level']}): {md_escape(r['note'], REASON_MAX)}")
        out.append("")
    not_applicable = list(report.get("not_applicable") or [])
    if not_applicable:
        out.append(
            f"Not applicable to profile `{report['profile']}` (another dialect: not judged, not counted): "
            + ", ".join(f"`{rid}`" for rid in not_applicable)
            + "."
        )
        out.append("")

    stale = [r for r in reqs if (r.get("baseline") or {}).get("status") == "stale"]
    if stale:
        out.append("### Stale baseline entries (these now pass; remove them)")
        out.append("")
        out.append("- " + _ids(stale))
        out.append("")
    for w in report.get("warnings", []):
        out.append(f"> ⚠️ {md_escape(w)}")
    return "\n".join(out).rstrip() + "\n"
