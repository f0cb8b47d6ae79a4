"""``TrackAllocator``: the valid catalog track IDs of the target, handed out to the tests.

The suite can only add tracks the target's catalog holds; which those are comes from ``--catalog``,
the emulator's built-in catalog or the IDs the documents show (``Harness._tracks``). Tests take
them round-robin so that they rarely share one, and an ID the user already had before the run is
retired: what an add of it answers belongs to the user, and a test could not delete it. IDs are
compared case-insensitively, under ``conformance.ids.key``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from conformance.ids import key, unknown_track_id


class TrackAllocator:
    """Valid catalog track IDs of the target, handed out so tests rarely share one."""

    def __init__(self, ids: Iterable[str], source: str) -> None:
        seen: set[str] = set()
        self.ids: list[str] = []
        for i in ids:
            if key(i) not in seen:
                seen.add(key(i))
                self.ids.append(i)
        self.source = source
        self.retired = 0  # IDs dropped because the user already had them (``retire``)
        self._cursor = 0

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"<TrackAllocator {len(self.ids)} IDs from {self.source}>"

    def retire(self, track_id: str) -> None:
        """Hand ``track_id`` out no more: the user had it in their collection before the run, so
        what an add of it answers is theirs, and a test could not delete it (see ``add_tracks``)."""
        k = key(track_id)
        for n, i in enumerate(self.ids):
            if key(i) == k:
                del self.ids[n]
                self.retired += 1
                if n < self._cursor:
                    self._cursor -= 1
                self._cursor = self._cursor % len(self.ids) if self.ids else 0
                return

    def take(self, n: int) -> list[str]:
        """``n`` distinct valid IDs; the test is skipped when the catalog holds fewer."""
        if n > len(self.ids) or not self.ids:
            had = f", {self.retired} more the user already has" if self.retired else ""
            pytest.skip(f"needs {n} catalog IDs (have {len(self.ids)}{had}; give more with --catalog FILE)")
        out = [self.ids[(self._cursor + k) % len(self.ids)] for k in range(n)]
        self._cursor = (self._cursor + n) % len(self.ids)
        return out

    @staticmethod
    def invalid(n: int = 1, *, lower: bool = False) -> list[str]:
        """Random GUID track IDs (``music.<guid>``) that no catalog holds, like the documents' examples."""
        return [unknown_track_id(upper=not lower) for _ in range(n)]
