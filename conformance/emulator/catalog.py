"""The emulator's track catalog: which catalog IDs exist.

The built-in catalog is every ID the documents add successfully (``conformance.catalog_ids``)
plus a deterministic generated set of GUID-form IDs, enough for batch tests (101 distinct IDs and
more). Generated IDs come from SHA-256 of a fixed label and an index, so every run, every machine
and every Python version sees the same list, and the suite learns it by calling
``builtin_catalog()`` instead of restating it. ``--catalog FILE`` (one ID per line) replaces it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path

from conformance.catalog_ids import DOCUMENT_INVALID_TRACK_IDS, DOCUMENT_VALID_TRACK_IDS
from conformance.ids import canonical, guid_track_id, is_guid_id

GENERATED_COUNT = 1200
_LABEL = "groove-conformance/emulator/catalog"


def _generated_ids(count: int) -> list[str]:
    invalid = {canonical(i) for i in DOCUMENT_INVALID_TRACK_IDS}
    out: list[str] = []
    index = 0
    while len(out) < count:
        digest = hashlib.sha256(f"{_LABEL}/{index}".encode()).digest()[:16]
        index += 1
        track_id = guid_track_id(str(uuid.UUID(bytes=digest)))
        if track_id not in invalid:
            out.append(track_id)
    return out


def builtin_catalog() -> list[str]:
    """Every documented valid track ID, then the generated ones (canonical upper-case form)."""
    documented = [canonical(i) for i in DOCUMENT_VALID_TRACK_IDS]
    return documented + [i for i in _generated_ids(GENERATED_COUNT) if i not in documented]


def load_catalog_file(path: str | Path) -> list[str]:
    """IDs from a file, one per line; blank lines and ``#`` comments are skipped."""
    ids: list[str] = []
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            ids.append(line)
    if not ids:
        raise ValueError(f"catalog file {path} holds no track ID")
    return ids


class Catalog:
    """Membership test with GUID IDs matched case-insensitively (erratum E13)."""

    def __init__(self, ids: Iterable[str]):
        self._ids = {canonical(i) for i in ids}

    def __contains__(self, track_id: object) -> bool:
        return isinstance(track_id, str) and canonical(track_id) in self._ids

    def has_canonical(self, track_id: str) -> bool:
        """Membership of an ID already in canonical form (saves re-canonicalising in hot loops)."""
        return track_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def track_name(self, track_id: str) -> str:
        """A stable display name for browse results (the emulator has no real metadata)."""
        canon = canonical(track_id)
        if is_guid_id(canon):
            return f"Track {canon.partition('.')[2][:8]}"  # the GUID's first group
        return f"Track {canon}"
