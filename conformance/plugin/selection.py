"""Which requirements a run is asked to check: ``--requirement`` and ``--rerun-failed``.

``--requirement ID`` (repeatable, comma-separated lists and globs such as ``AUTH-*`` allowed)
names requirements of the catalogue; ``--rerun-failed report.json`` names those whose verdict is
``failed`` in an earlier run's report (not ``expected-failure``: the baseline covers those, nor
``advisory-failed``: they did not fail that run). Both together select the union. The selection
is resolved once, in ``Settings``, against the whole catalogue: an ID or a glob that names nothing
there is a usage error that suggests close IDs, and so is a report that cannot be read or was made
for another profile.

After collection the suite tests none of whose ``@pytest.mark.requirement`` IDs is selected are
deselected (pytest counts them "deselected", not skipped); every xdist worker makes the same
choice from the same options. The requirements that are not selected are reported ``not-tested``
by the report, whose headline says the run was partial (``Selection.line``).
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.plugin.options import OPTION_BY_FLAG, SettingsError

REQUIREMENT = OPTION_BY_FLAG["--requirement"]
RERUN_FAILED = OPTION_BY_FLAG["--rerun-failed"]
FAILED = "failed"  # the one verdict --rerun-failed re-runs (conformance.report.verdicts.FAILED)
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Selection:
    """The requirement IDs a run checks (catalogue order) and how they were asked for."""

    ids: tuple[str, ...]
    how: tuple[str, ...]  # e.g. ("--requirement AUTH-*", "--rerun-failed out/report.json")

    @property
    def line(self) -> str:
        """What the report's headline says of a partial run."""
        n = len(self.ids)
        return f"partial run: {n} requirement{'s' if n != 1 else ''} selected via {' and '.join(self.how)}"

    def to_dict(self) -> dict[str, Any]:
        return {"requirements": list(self.ids), "via": list(self.how)}


def split_patterns(value: str | Iterable[str] | None) -> list[str]:
    """``--requirement`` values (each may be a comma-separated list) as a flat list of patterns."""
    if value is None:
        return []
    parts = [value] if isinstance(value, str) else list(value)
    return [p.strip() for part in parts for p in part.split(",") if p.strip()]


def _suggest(pattern: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(pattern.upper(), list(known), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def resolve(patterns: Iterable[str], catalogue: Mapping[str, Any]) -> list[str]:
    """The catalogue IDs the patterns name, in catalogue order; a usage error for one naming none."""
    known = list(catalogue)
    chosen: set[str] = set()
    for pattern in patterns:
        if _GLOB_CHARS & set(pattern):
            hits = [rid for rid in known if fnmatch.fnmatchcase(rid.upper(), pattern.upper())]
            what = "matches no requirement ID of the catalogue"
        else:
            hits = [rid for rid in known if rid.upper() == pattern.upper()]
            what = "is not a requirement ID of the catalogue"
        if not hits:
            stem = pattern.rstrip("*?[]")
            raise SettingsError(
                f"{REQUIREMENT.where}: {pattern!r} {what} (conformance/requirements.yaml)"
                f"{_suggest(stem or pattern, known)}"
            )
        chosen.update(hits)
    return [rid for rid in known if rid in chosen]


def failed_in_report(path: Path, profile: str) -> list[str]:
    """The requirements ``failed`` in the report.json at ``path``, which must be of ``profile``."""
    from conformance.report.reportfile import ReportFileError, load_report_file

    try:
        report = load_report_file(path)
    except ReportFileError as exc:
        raise SettingsError(f"{RERUN_FAILED.where}: {exc}") from None
    if report.get("profile") != profile:
        raise SettingsError(
            f"{RERUN_FAILED.where}: {path} is a report of profile {report.get('profile')}, and this run "
            f"is of profile {profile}; give --profile {report.get('profile')} to re-run its failures"
        )
    failed = [r["id"] for r in report.get("requirements", ()) if r.get("verdict") == FAILED]
    if not failed:
        raise SettingsError(
            f"{RERUN_FAILED.where}: no requirement failed in {path} (verdict {FAILED!r}): nothing to re-run"
        )
    return failed


def selection(
    patterns: list[str], rerun_failed: Path | None, profile: str, catalogue: Mapping[str, Any]
) -> Selection | None:
    """The run's selection, or None for a full run (neither option given)."""
    if not patterns and rerun_failed is None:
        return None
    ids = set(resolve(patterns, catalogue))
    how: list[str] = []
    if patterns:
        how.append(f"{REQUIREMENT.flag} {','.join(patterns)}")
    if rerun_failed is not None:
        ids.update(failed_in_report(rerun_failed, profile))
        how.append(f"{RERUN_FAILED.flag} {rerun_failed}")
    return Selection(ids=tuple(rid for rid in catalogue if rid in ids), how=tuple(how))
