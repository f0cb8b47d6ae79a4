"""Collection add and delete as the documents show them: results, generated Ids, the effect.

Batch sizes live in ``test_batch_limits.py`` and mixes of valid and invalid IDs in
``test_partial_failures.py``; this file holds the plain successful cases and repeats.
"""

from __future__ import annotations

import pytest

from conformance import readback
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import add_tracks


@pytest.mark.requirement(
    "ADD-OK", "ADD-RESULT-ID", "ID-PREFIX", "ERR-OK-200", "ADD-READBACK", "BATCH-RESULTS-LIST", "BATCH-ORDER"
)
def test_add_then_read_back(client, catalog, capabilities, verify):
    ids = catalog.take(3)
    r = client.collection_add(ids)
    expect.ok(verify, "ADD-OK", r, "collection_add")
    verify.status("ERR-OK-200", r, 200)
    verify.that(
        "BATCH-RESULTS-LIST",
        isinstance((r.body or {}).get("TrackActionResults"), list),
        "TrackActionResults is a list",
    )
    got = expect.one_result_per_input(verify, "ADD-OK", r, ids)
    verify.that(
        "ADD-OK",
        all(expect.item_error(x) is None for x in got),
        "no result carries an Error",
        actual=[expect.item_error(x) for x in got],
    )
    new_ids = [x.get("Id") for x in got]
    verify.that(
        "ADD-RESULT-ID",
        all(isinstance(i, str) and i for i in new_ids),
        "every successful add result carries an Id",
        actual=new_ids,
    )
    verify.that(
        "ID-PREFIX",
        all(isinstance(i, str) and i.startswith("music.") for i in new_ids),
        "every returned Id starts with the namespace 'music.'",
        actual=new_ids,
    )

    readback.need_browse(verify, capabilities, "the added tracks")
    listed = readback.collection_track_ids(client)
    missing = [i for i in new_ids if i not in listed]
    verify.that(
        "ADD-READBACK",
        not missing,
        "a tracks browse lists every Id the add returned",
        expected=new_ids,
        actual=f"missing {missing}",
    )
    verify.that(
        "ID-PREFIX",
        all(i.startswith("music.") for i in listed),
        "every browsed track Id starts with 'music.'",
        actual=[i for i in listed if not i.startswith("music.")],
    )


@pytest.mark.requirement("ADD-REPEAT", "BATCH-ONE-RESULT", "BATCH-ORDER")
def test_add_a_track_already_in_the_collection(client, catalog, verify):
    ids = catalog.take(1)
    first = client.collection_add(ids)
    assert first.status == 200, f"precondition: the first add failed: {first!r}"
    again = client.collection_add(ids)
    # E17: the repeat may succeed (the Id the track has) or fail on its own; failing, it makes the
    # batch one whose every entry failed, which E12 lets a server answer 4xx (results in the body).
    verify.status("ADD-REPEAT", again, (200, *expect.CLIENT_ERRORS))
    expect.body(verify, "ADD-REPEAT", again, "collection_add")
    got = expect.one_result_per_input(verify, "BATCH-ONE-RESULT", again, ids)
    verify.that(
        "ADD-REPEAT",
        len(got) == 1 and expect.same_id(got[0].get("InputId"), ids[0]),
        "one result carrying the InputId",
        expected=ids,
        actual=[g.get("InputId") for g in got],
    )


@pytest.mark.requirement(
    "CDEL-OK",
    "CDEL-NO-ID",
    "ERR-OK-200",
    "CDEL-READBACK",
    "BATCH-RESULTS-LIST",
    "ID-INPUTID-EXACT",
    "BATCH-ORDER",
)
def test_delete_then_read_back(client, catalog, capabilities, verify):
    keep, gone = add_tracks(client, catalog, 2)
    r = client.collection_delete([gone])
    expect.ok(verify, "CDEL-OK", r, "collection_delete")
    verify.status("ERR-OK-200", r, 200)
    verify.that(
        "BATCH-RESULTS-LIST",
        isinstance((r.body or {}).get("TrackActionResults"), list),
        "TrackActionResults is a list",
    )
    got = expect.one_result_per_input(verify, "CDEL-OK", r, [gone])
    verify.that(
        "CDEL-OK",
        all(expect.item_error(x) is None for x in got),
        "the result carries no Error",
        actual=[expect.item_error(x) for x in got],
    )
    expect.input_ids_echoed(verify, "ID-INPUTID-EXACT", got, [gone])
    verify.that(
        "CDEL-NO-ID",
        all(not expect.has_value(x, "Id") for x in got),
        "a delete result carries no Id",
        actual=[x.get("Id") for x in got],
    )

    readback.need_browse(verify, capabilities, "the collection after the delete")
    listed = readback.collection_track_ids(client)
    verify.that("CDEL-READBACK", gone not in listed, "the deleted Id is no longer listed", actual=gone)
    verify.that(
        "CDEL-READBACK", keep in listed, "a track the request did not name is still listed", actual=keep
    )


@pytest.mark.requirement("CDEL-GONE-ID")
def test_delete_an_id_already_deleted(client, catalog, verify):
    (cid,) = add_tracks(client, catalog, 1)
    first = client.collection_delete([cid])
    assert first.status == 200 and first.error is None, f"precondition: the first delete failed: {first!r}"
    again = client.collection_delete([cid])
    verify.status("CDEL-GONE-ID", again, 200)
    expect.body(verify, "CDEL-GONE-ID", again, "collection_delete")
    got = expect.results(again) or []
    verify.that(
        "CDEL-GONE-ID",
        len(got) == 1 and expect.item_error(got[0]) is not None,
        "deleting an Id no longer in the collection fails per item",
        actual=got,
    )
    if got:
        verify.error_code("CDEL-GONE-ID", got[0], "COLLECTION_INVALID_ID")
