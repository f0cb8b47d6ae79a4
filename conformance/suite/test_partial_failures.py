"""Partial failure, "the HTTP 200 error": valid and invalid entries mixed in every position.

For each batch operation (collection add and delete, playlist create, playlist update with Add and
with Delete actions) and each arrangement of valid (V) and invalid (I) entries — none invalid, all
invalid, one invalid first, last or in the middle, and invalid in the majority — the answer is
HTTP 200 with one result per entry (matched by InputId, E27; in request order is BATCH-ORDER's, a
SHOULD), a per-item COLLECTION_INVALID_ID on each failed entry, a top-level
COLLECTION_SOME_OPERATIONS_FAILED exactly when something failed (E12), InputId echoed (E13), an Id
exactly on successful adds; and read back, the valid entries took effect and the invalid ones did
not. A batch whose every entry fails may also be refused 4xx (E12, the 200 is a SHOULD), and whether
a create whose every Add fails still creates the playlist is not judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import judging, readback
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import add_tracks, make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator


SOME_FAILED = "COLLECTION_SOME_OPERATIONS_FAILED"
INVALID_ID = "COLLECTION_INVALID_ID"

# operation case -> (operationId, requirement of a failed item, requirement of the effect when
# something failed, requirement of the effect when nothing failed)
OPS: dict[str, tuple[str, str, str, str]] = {
    "collection_add": ("collection_add", "ADD-INVALID-ID", "ADD-PARTIAL-APPLIED", "ADD-READBACK"),
    "collection_delete": ("collection_delete", "CDEL-RANDOM", "CDEL-PARTIAL-APPLIED", "CDEL-READBACK"),
    "playlist_create": ("playlist_create", "PCRE-PARTIAL", "PCRE-PARTIAL", "PCRE-TRACKS-READBACK"),
    "playlist_update-add": ("playlist_update", "PUPD-INVALID-ITEM", "PUPD-INVALID-ITEM", "PUPD-ADD"),
    "playlist_update-delete": ("playlist_update", "PUPD-INVALID-ITEM", "PUPD-INVALID-ITEM", "PUPD-DELETE"),
}
ADDS = ("collection_add", "playlist_create", "playlist_update-add")
POSITIONS: dict[str, str] = {
    "none-invalid": "VVV",
    "all-invalid": "II",
    "invalid-first": "IVV",
    "invalid-last": "VVI",
    "invalid-middle": "VIV",
    "invalid-majority": "IVIVI",
}


def _untested(case: str, pattern: str) -> bool:
    """E12: a create whose every Add fails is silent (is the playlist created?): PCRE-PARTIAL, about
    a create whose actions *partly* fail, is not judged on it; PARTIAL-ALL-FAIL's rules still are."""
    return case == "playlist_create" and "V" not in pattern


def _requirements(case: str, pattern: str) -> list[str]:
    _op, item_req, partial_req, full_req = OPS[case]
    reqs = ["BATCH-ONE-RESULT", "BATCH-ORDER", "ID-INPUTID-EXACT"]
    if "V" in pattern:
        reqs += ["BATCH-ITEM-OK"]
        reqs += ["ADD-RESULT-ID"] if case == "collection_add" else ["PCRE-TRACK-ID"] if case in ADDS else []
    if case == "collection_delete":
        reqs.append("CDEL-NO-ID")
    if "I" in pattern:
        judged = [] if _untested(case, pattern) else [item_req, partial_req]
        reqs += [*judged, "PARTIAL-ITEM-ERROR"] + (["ADD-FAILED-NOID"] if case in ADDS else [])
    else:
        reqs += [full_req, "PARTIAL-NO-ERROR"]
    if "V" not in pattern:
        reqs += ["PARTIAL-ALL-FAIL", "PARTIAL-ALL-200"]
    elif "I" in pattern:
        reqs += ["PARTIAL-200", "PARTIAL-TOP-ERROR"]
    return list(dict.fromkeys(reqs))


CASES = [
    pytest.param(
        case, pattern, id=f"{case}-{name}", marks=pytest.mark.requirement(*_requirements(case, pattern))
    )
    for case in OPS
    for name, pattern in POSITIONS.items()
]


class Scenario:
    """Entries of one operation case, the request, and what the target looks like before and after."""

    def __init__(
        self, case: str, client: Client, catalog: TrackAllocator, created: Ownership,
        capabilities: Capabilities,
    ) -> None:
        self.case = case
        self.client = client
        self.catalog = catalog
        self.created = created
        self.caps = capabilities
        self.op = OPS[case][0]
        self.playlist = None

    def entries(self, pattern: str) -> list[str]:
        valid_n = pattern.count("V")
        if self.case == "collection_delete":
            valid = add_tracks(self.client, self.catalog, valid_n) if valid_n else []
        elif self.case == "playlist_update-delete":
            self.playlist = make_playlist(
                self.client, self.created, self.catalog, "partial-delete", valid_n + 1, capabilities=self.caps
            )
            valid = self.playlist.entries[:valid_n]  # the last track is never named: it must stay
        else:
            valid = self.catalog.take(valid_n) if valid_n else []
            if self.case == "playlist_update-add":
                self.playlist = make_playlist(
                    self.client, self.created, self.catalog, "partial-add", 1, capabilities=self.caps
                )
        invalid = self.catalog.invalid(pattern.count("I"))
        pools = {"V": iter(valid), "I": iter(invalid)}
        return [next(pools[c]) for c in pattern]

    def send(self, entries: list[str]) -> Any:
        if self.op == "collection_add":
            return self.client.collection_add(entries)
        if self.op == "collection_delete":
            return self.client.collection_delete(entries)
        verb = "Delete" if self.case == "playlist_update-delete" else "Add"
        actions = [{"Id": e, "Action": verb} for e in entries]
        if self.op == "playlist_create":
            return self.client.playlist_create(
                {"Name": self.created.name("partial-create"), "TrackActions": actions}
            )
        assert self.playlist is not None
        return self.client.playlist_update({"Id": self.playlist.id, "TrackActions": actions})

    def collection(self) -> set[str]:
        return set(readback.collection_track_ids(self.client))


@pytest.mark.parametrize(("case", "pattern"), CASES)
def test_mixed_valid_and_invalid_entries(case, pattern, client, catalog, created, capabilities, verify):
    sc = Scenario(case, client, catalog, created, capabilities)
    op, item_req, partial_req, full_req = OPS[case]
    entries = sc.entries(pattern)
    before = sc.collection() if capabilities.browse and op.startswith("collection") else None
    r = sc.send(entries)
    failed_n = pattern.count("I")

    # --- status and top-level Error ----------------------------------------------------------
    if "V" not in pattern:
        verify.status("PARTIAL-ALL-200", r, 200)
        verify.error_code("PARTIAL-ALL-200", r, SOME_FAILED)
        verify.that(
            "PARTIAL-ALL-FAIL", r.error is not None, "a top-level Error when every item failed", actual=r.body
        )
        expect.body(verify, "PARTIAL-ALL-FAIL", r, op)
        if r.status != 200:
            return  # rejected as a whole (allowed, E12): no per-item results to judge
    elif failed_n:
        verify.status("PARTIAL-200", r, 200)
        # ADD-INVALID-ID, CDEL-RANDOM, PUPD-INVALID-ITEM: the failed entry fails on its own, inside
        # an HTTP 200 answer, when another entry succeeds (an all-failed batch is E12's)
        verify.status(item_req, r, 200)
        expect.body(verify, "PARTIAL-200", r, op)
        verify.error_code("PARTIAL-TOP-ERROR", r, SOME_FAILED)
    else:
        expect.ok(verify, "PARTIAL-NO-ERROR", r, op)
        verify.that(
            "PARTIAL-NO-ERROR",
            r.error is None,
            "no top-level Error when every item succeeded",
            actual=r.error,
        )

    # --- per-item results ----------------------------------------------------------------------
    got = expect.one_result_per_input(verify, "BATCH-ONE-RESULT", r, entries)
    expect.input_ids_echoed(verify, "ID-INPUTID-EXACT", got, entries)
    pairs = list(zip(pattern, got, strict=False))
    ok_items = [g for c, g in pairs if c == "V"]
    bad_items = [g for c, g in pairs if c == "I"]
    if ok_items:
        verify.that(
            "BATCH-ITEM-OK",
            all(expect.item_error(g) is None for g in ok_items),
            "no valid entry's result carries an Error",
            actual=[expect.item_error(g) for g in ok_items],
        )
    untested = _untested(case, pattern)
    for g in bad_items:
        err = expect.item_error(g)
        if not untested:
            verify.that(item_req, err is not None, "a failed entry's result carries an Error", actual=g)
        verify.that(
            "PARTIAL-ITEM-ERROR",
            err is not None and bool(err.get("ErrorCode")) and bool(err.get("Description")),
            "a failed entry's result carries InputId and an Error with ErrorCode and Description",
            actual=g,
        )
        if err is not None and case != "playlist_create":
            verify.error_code(item_req, err, INVALID_ID)
    if "V" not in pattern:
        verify.that(
            "PARTIAL-ALL-FAIL",
            all(expect.item_error(g) is not None for g in got),
            "every result carries an Error",
            actual=got,
        )
    if case in ADDS:
        id_req = "ADD-RESULT-ID" if case == "collection_add" else "PCRE-TRACK-ID"
        if ok_items:
            verify.that(
                id_req,
                all(isinstance(g.get("Id"), str) and g["Id"] for g in ok_items),
                "every successful add result carries an Id",
                actual=[g.get("Id") for g in ok_items],
            )
        if bad_items:
            verify.that(
                "ADD-FAILED-NOID",
                all(not expect.has_value(g, "Id") for g in bad_items),
                "a failed add result carries no Id",
                actual=[g.get("Id") for g in bad_items],
            )
    if case == "collection_delete":
        verify.that(
            "CDEL-NO-ID",
            all(not expect.has_value(g, "Id") for g in got),
            "a delete result carries no Id",
            actual=[g.get("Id") for g in got],
        )

    # --- the effect ----------------------------------------------------------------------------
    if untested:
        return  # E12: whether an all-failed create creates the playlist is not stated
    effect_req = partial_req if failed_n else full_req
    valid_entries = [e for c, e in zip(pattern, entries, strict=True) if c == "V"]
    if op == "collection_add":
        readback.need_browse(verify, capabilities, "the collection")
        after = sc.collection()
        added = {g.get("Id") for g in ok_items}
        verify.that(
            effect_req, added <= after, "every successfully added Id is listed", actual=sorted(added - after)
        )
        verify.that(
            effect_req,
            after - before <= added,
            "nothing else was added (the failed entries add nothing)",
            actual=sorted(after - before - added),
        )
    elif op == "collection_delete":
        readback.need_browse(verify, capabilities, "the collection")
        after = sc.collection()
        verify.that(
            effect_req,
            not after & set(valid_entries),
            "every deleted Id is gone",
            actual=sorted(after & set(valid_entries)),
        )
        untouched = before - set(valid_entries)
        verify.that(
            effect_req,
            untouched <= after,
            "every track the request did not delete is still listed",
            actual=sorted(untouched - after)[:5],
        )
    else:
        readback.need_tracks_browse(verify, capabilities)
        pid = sc.playlist.id if sc.playlist else expect.playlist_result(r).get("Id")
        verify.that(
            effect_req, isinstance(pid, str), "the playlist was created (its Id answered)", actual=r.body
        )
        listed = sorted(readback.playlist_track_ids(client, pid))
        added = [g.get("Id") for g in ok_items]
        if case == "playlist_create":
            expected = sorted(added)
        elif case == "playlist_update-add":
            expected = sorted(sc.playlist.entries + added)
        else:
            expected = sorted(set(sc.playlist.entries) - set(valid_entries))
        verify.equal(effect_req, listed, expected, "the playlist's tracks after the request")


LOWER_CASES = ["collection_add", "collection_delete", "playlist_create", "playlist_update-add"]


@pytest.mark.requirement("ID-INPUTID-CASE", "ID-INPUTID-UPPER")
@pytest.mark.parametrize("case", LOWER_CASES)
def test_input_id_of_a_lower_case_guid(case, client, catalog, created, capabilities, verify):
    """E13: a GUID-form ID sent in lower case is echoed equal ignoring case (MUST), upper-cased (SHOULD).

    The delete case sends one invalid ID only: a batch whose every entry fails, which E12 lets a
    server refuse with a 4xx (the per-item results in the body, or none). Its InputIds are judged
    whenever the answer carries results; the status is not ID-INPUTID-CASE's."""
    sc = Scenario(case, client, catalog, created, capabilities)
    entries = [i.lower() for i in catalog.invalid(1)]
    if case != "collection_delete":
        valid = sc.entries("V")[0]
        if expect.is_guid_id(valid):  # a GUID-form catalog ID: send it in lower case too
            entries.append(valid.lower())
    else:
        sc.entries("")
    r = sc.send(entries)
    got = expect.results(r)
    if r.status in expect.CLIENT_ERRORS and got is None:
        pytest.skip(
            f"HTTP {r.status} without per-item results (a batch refused whole, E12): no InputId to judge"
        )
    verify.status("ID-INPUTID-CASE", r, (200, *expect.CLIENT_ERRORS))
    expect.body(verify, "ID-INPUTID-CASE", r, sc.op)
    matching = judging.match_results(entries, got)  # as IDs, so ignoring the GUID's case (E13)
    echoed = [g.get("InputId") if isinstance(g, dict) else None for g in matching.by_entry]
    verify.that(
        "ID-INPUTID-CASE",
        matching.complete,
        "InputId equals the lower-case input ignoring case",
        entries,
        [g.get("InputId") if isinstance(g, dict) else g for g in got or []],
    )
    verify.equal(
        "ID-INPUTID-UPPER", echoed, [expect.canonical(i) for i in entries], "InputId in canonical upper case"
    )
