"""Baselines: the failures a CI gate already knows about.

A baseline file (``--baseline FILE``, YAML or JSON) is a list of entries ``{id, reason}``::

    - id: ADD-LIMIT-101
      reason: our gateway answers 413 before the service sees the batch (ticket OPS-12)

A listed requirement that fails becomes ``expected-failure`` and does not fail the run; a listed
requirement that now passes is reported as ``stale`` (the entry can go).  A malformed file is a
``BaselineError`` naming the file and the entry, raised before anything runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import yaml

STALE = "stale"
EXPECTED = "expected-failure"
UNUSED = "unused"  # listed, but neither failed nor passed (skipped, not tested, advisory, ...)
UNKNOWN = "unknown"  # listed, but not in the catalogue (a typo, or a requirement that was removed)


class BaselineError(ValueError):
    """A baseline file that cannot be used; the message says where and why."""


def parse_baseline(
    data: object, where: str = "baseline", known_ids: Iterable[str] | None = None
) -> dict[str, str]:
    """Validated ``{requirement ID: reason}`` from the parsed content of a baseline file."""
    if data is None:
        return {}
    if not isinstance(data, list):
        raise BaselineError(f"{where}: expected a list of {{id, reason}} entries, got {type(data).__name__}")
    known = set(known_ids) if known_ids is not None else None
    entries: dict[str, str] = {}
    for i, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise BaselineError(f"{where}: entry {i} is not a mapping with 'id' and 'reason'")
        extra = set(entry) - {"id", "reason"}
        if extra:
            raise BaselineError(f"{where}: entry {i} has unknown keys: {', '.join(sorted(map(str, extra)))}")
        rid, reason = entry.get("id"), entry.get("reason")
        if not isinstance(rid, str) or not rid.strip():
            raise BaselineError(f"{where}: entry {i} has no requirement 'id'")
        if not isinstance(reason, str) or not reason.strip():
            raise BaselineError(
                f"{where}: entry {i} ({rid}) has no 'reason'; say why the failure is expected"
            )
        if rid in entries:
            raise BaselineError(f"{where}: {rid} is listed twice (entries are unique)")
        if known is not None and rid not in known:
            raise BaselineError(
                f"{where}: entry {i} names {rid}, which is not a requirement of the catalogue"
            )
        entries[rid] = reason.strip()
    return entries


def load_baseline(path: str | Path, known_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Read and validate a baseline file; ``known_ids`` (the catalogue's IDs) rejects typos."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise BaselineError(
            f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}"
        ) from None
    return parse_baseline(data, str(path), known_ids)


STATUS_HELP: dict[str, str] = {
    EXPECTED: "expected failure (it failed, as the baseline says)",
    STALE: "stale (it passes now: the entry can be removed)",
    UNUSED: "unused (neither failed nor passed in this run)",
    UNKNOWN: "unknown (this run does not judge that requirement)",
}
