"""What changed between two runs (two report.json files), regressions first.

Verdicts are ranked by what they say about the target: ``failed`` and ``expected-failure``
(a failure either way) < ``advisory-failed`` < ``passed``.  ``skipped``, ``not-tested``,
``not-applicable`` (listed in a report's ``not_applicable``: another profile) and a requirement
missing from one report (``absent``) say nothing about the target, so moves to or from them are
"other changes", never regressions or fixes.

* regression: the rank went down (passed -> failed, passed -> advisory-failed,
  advisory-failed -> failed);
* fix: the rank went up;
* other: any other change of verdict (skipped -> failed, passed -> not-tested, failed ->
  expected-failure through a baseline, a requirement added to or removed from the catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.report.verdicts import ADVISORY_FAILED, EXPECTED_FAILURE, FAILED, NOT_APPLICABLE, PASSED

_RANK = {FAILED: 0, EXPECTED_FAILURE: 0, ADVISORY_FAILED: 1, PASSED: 2}
ABSENT = "absent"


@dataclass(frozen=True)
class Change:
    id: str
    level: str
    old: str
    new: str
    statement: str


@dataclass
class Comparison:
    regressions: list[Change] = field(default_factory=list)
    fixes: list[Change] = field(default_factory=list)
    other: list[Change] = field(default_factory=list)
    context: list[str] = field(default_factory=list)  # differences of target, profile, tool, strict

    @property
    def unchanged(self) -> bool:
        return not (self.regressions or self.fixes or self.other)


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Comparison:
    result = Comparison()
    for label, key in (("target", "target"), ("profile", "profile"), ("strict", "strict")):
        if old.get(key) != new.get(key):
            result.context.append(f"{label}: {old.get(key)} -> {new.get(key)}")
    if old["tool"]["version"] != new["tool"]["version"]:
        result.context.append(f"tool version: {old['tool']['version']} -> {new['tool']['version']}")

    old_reqs = {r["id"]: r for r in old["requirements"]}
    new_reqs = {r["id"]: r for r in new["requirements"]}
    old_na = set(old.get("not_applicable") or ())
    new_na = set(new.get("not_applicable") or ())
    for rid in [*new_reqs, *(i for i in old_reqs if i not in new_reqs)]:
        o, n = old_reqs.get(rid), new_reqs.get(rid)
        ov = o["verdict"] if o else (NOT_APPLICABLE if rid in old_na else ABSENT)
        nv = n["verdict"] if n else (NOT_APPLICABLE if rid in new_na else ABSENT)
        if ov == nv:
            continue
        src = n or o
        assert src is not None
        change = Change(rid, src["level"], ov, nv, src["statement"])
        if ov in _RANK and nv in _RANK and _RANK[nv] < _RANK[ov]:
            result.regressions.append(change)
        elif ov in _RANK and nv in _RANK and _RANK[nv] > _RANK[ov]:
            result.fixes.append(change)
        else:
            result.other.append(change)
    return result


def render_text(result: Comparison, old_name: str = "old", new_name: str = "new") -> str:
    lines = [f"Comparing {old_name} -> {new_name}"]
    for c in result.context:
        lines.append(f"  note: {c}")
    if result.unchanged:
        lines.append("No requirement changed verdict.")
        return "\n".join(lines) + "\n"
    for title, changes in (
        ("Regressions", result.regressions),
        ("Fixes", result.fixes),
        ("Other changes", result.other),
    ):
        lines.append("")
        lines.append(f"{title} ({len(changes)}):")
        if not changes:
            lines.append("  none")
        for c in changes:
            lines.append(f"  {c.id} [{c.level}]: {c.old} -> {c.new}  {_short(c.statement)}")
    return "\n".join(lines) + "\n"


def _short(text: str, limit: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
