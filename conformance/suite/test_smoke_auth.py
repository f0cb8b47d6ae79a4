"""Smoke: an add without user authentication is refused and adds nothing (000, E19).

The body is a valid add of one catalog track; sent without the user credential it must be
answered 401 with INVALID_AUTHORIZATION_HEADER in an Error envelope. Where the target can be
browsed, the collection is read before and after to show that nothing was added. The full
matrix of credential problems per operation lives in test_auth_rejection.py.
"""

from __future__ import annotations

import pytest

from conformance.client import NONE
from conformance.ownership import browse_all


def _track_ids(client) -> set[str] | None:
    items = browse_all(client, "tracks")
    return None if items is None else {i.get("Id") for i in items}


@pytest.mark.requirement("AUTH-MISSING-ADD", "ERR-ENVELOPE")
def test_add_without_authorization_is_refused(client, catalog, capabilities, verify):
    before = _track_ids(client) if capabilities.browse else None
    r = client.collection_add(catalog.take(1), auth=NONE)

    verify.status("AUTH-MISSING-ADD", r, 401)
    verify.error_code("AUTH-MISSING-ADD", r, "INVALID_AUTHORIZATION_HEADER")
    verify.schema("ERR-ENVELOPE", r, "ErrorResponse")
    if before is not None:
        after = _track_ids(client)
        verify.equal(
            "AUTH-MISSING-ADD",
            sorted(after - before) if after is not None else None,
            [],
            "collection tracks added by the refused request",
        )
