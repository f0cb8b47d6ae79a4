"""Every variant switches on, does what its description says, and changes nothing else it names.

A variant is another legitimate reading of the documents (``conformance/emulator/variants.py``).
For each one a probe makes the few requests that show the difference and returns what it observed;
the same probe must observe the default on the default emulator and the variant's behaviour on an
emulator with the variant on, in every profile where the variant applies. (That the conformance
suite passes against each variant is what ``tests/suite/test_variants.py`` checks.)
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring

from conformance import xml_codec
from conformance.emulator import FAULTS, VARIANTS, EmulatorConfig, RunningEmulator, VariantSet
from conformance.emulator import cli as serve_cli
from conformance.profiles import GROOVE_2016, PROFILES, XBOX_2013

from .conftest import BASE, CATALOG, Api, make_users, start

ERRATA = Path(__file__).resolve().parents[2] / "docs" / "errata.md"
RANDOM = "music.9bb2c5c5-455c-4c15-827c-f9bfd759a458"  # a GUID-form ID that is in no catalog
RANDOM2 = "music.0E8AEDB0-23D6-4659-9916-2349BE9F9C26"
XML = {"Content-Type": "application/xml"}
ACCEPT_XML = {"Accept": "application/xml"}


def other_user(api: Api) -> Api:
    """The user after the probe's own (user2k is a probe's, user2k+1 its other user)."""
    return Api(api.emulator, f"user{int(api.user.removeprefix('user')) + 1}")


def code(r: Any) -> str | None:
    return (r.json().get("Error") or {}).get("ErrorCode")


def collection_size(api: Api) -> int:
    """How many tracks the user's collection holds (a 404 of an empty one counts 0: empty-browse-404)."""
    r = api.browse("tracks")
    if r.status_code == 404 and (code(r) or "").replace("-", "_") == "COLLECTION_NO_RESULT":
        return 0
    return len(api.collection())


def input_ids(r: Any) -> list[str]:
    return [x["InputId"] for x in r.json()["TrackActionResults"]]


# ----------------------------------------------------------------------------------------- probes
def _hyphens(api: Api) -> Any:
    partial = api.add([RANDOM, CATALOG[0]]).json()
    unauthenticated = api.add([CATALOG[0]], auth=False)
    return (
        partial["Error"]["ErrorCode"],
        partial["TrackActionResults"][0]["Error"]["ErrorCode"],
        code(unauthenticated),
    )


def _message(api: Api) -> Any:
    item = api.add([RANDOM]).json()["TrackActionResults"][0]["Error"]
    top = api.add([CATALOG[0]], auth=False).json()["Error"]
    return "Message" in item, "Message" in top, "Description" in item and "Description" in top


def _lowercase_action(api: Api) -> Any:
    pid, _ = api.new_playlist()
    lower = api.update({"Id": pid, "TrackActions": [{"Id": CATALOG[0], "Action": "add"}]})
    exact = api.update({"Id": pid, "TrackActions": [{"Id": CATALOG[1], "Action": "Add"}]})
    return lower.status_code, code(lower), exact.status_code, len(api.order(pid))


def _reorder_unsorted(api: Api) -> Any:
    pid, ids = api.new_playlist(CATALOG[:4])
    label = dict(zip(ids, "abcd", strict=True))
    r = api.move(pid, [ids[2], ids[0]], ids[3])  # c and a, listed out of order, before d
    return r.status_code, "".join(label[t] for t in api.order(pid))


def _update_limit(api: Api) -> Any:
    pid, _ = api.new_playlist()
    r = api.update({"Id": pid, "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[:101]]})
    return r.status_code, len(api.order(pid))


def _code_points(api: Api) -> Any:
    astral = "\U0001f3b5"  # one code point, two UTF-16 code units
    return tuple(api.create({"Name": name}).status_code for name in (astral * 128, astral * 129, "n" * 257))


def _unknown_playlist(api: Api) -> Any:
    unknown = f"music.playlist.{uuid.uuid4()}"
    answers = [
        api.update({"Id": unknown, "Name": "x"}),
        api.delete_playlist(unknown),
        api.playlist_tracks(unknown),
    ]
    return [(r.status_code, code(r)) for r in answers]


def _empty_batch(api: Api) -> Any:
    answers = [api.add([]), api.delete([]), api.post(f"{BASE}/add", {})]
    return [(r.status_code, code(r), r.json().get("TrackActionResults")) for r in answers]


def _unknown_members(api: Api) -> Any:
    add = api.post(f"{BASE}/add", {"TrackIds": [CATALOG[0]], "Extra": 1})
    create = api.create(
        {"Name": "p", "Colour": "red", "TrackActions": [{"Id": CATALOG[1], "Action": "Add", "X": 2}]}
    )
    return add.status_code, create.status_code, collection_size(api)


def _xml_request_format(api: Api) -> Any:
    body = xml_codec.encode("TrackActionRequest", {"TrackIds": [CATALOG[0]]}, api.profile)
    bare = api.post(f"{BASE}/add", content=body, headers=XML)
    asked = api.post(f"{BASE}/add", content=body, headers={**XML, **ACCEPT_XML})
    return (
        bare.status_code,
        bare.headers["content-type"].split(";")[0],
        asked.headers["content-type"].split(";")[0],
    )


def _all_failed(api: Api) -> Any:
    every = api.add([RANDOM, RANDOM2])
    some = api.add([RANDOM, CATALOG[0]])
    pid, _ = api.new_playlist()
    update = api.update({"Id": pid, "TrackActions": [{"Id": RANDOM, "Action": "Delete"}]})  # 003: 200
    return (
        every.status_code,
        code(every),
        ["Error" in x for x in every.json()["TrackActionResults"]],
        some.status_code,
        update.status_code,
    )


def _inputid_case(api: Api) -> Any:
    return input_ids(api.add([CATALOG[1].lower(), CATALOG[2], RANDOM]))


def _playlist_id_case(api: Api) -> Any:
    pid, _ = api.new_playlist()
    other_case = api.update({"Id": pid.upper(), "Name": "renamed"})
    exact = api.update({"Id": pid, "IsPublished": True})
    return other_case.status_code, exact.status_code


def _delete_by_catalog_id(api: Api) -> Any:
    api.add([CATALOG[0]])
    r = api.delete([CATALOG[0]])
    return r.status_code, "Error" in r.json()["TrackActionResults"][0], collection_size(api)


def _repeat_add(api: Api) -> Any:
    first = api.add([CATALOG[3], CATALOG[3]]).json()["TrackActionResults"]
    again = api.add([CATALOG[3]]).json()["TrackActionResults"]
    return (
        [("Error" in x, "Id" in x) for x in first + again],
        (again[0].get("Error") or {}).get("ErrorCode"),
        collection_size(api),
    )


def _continued_page_size(api: Api) -> Any:
    api.add(CATALOG[:40])
    first = api.browse("tracks", maxItems=5).json()["Tracks"]
    second = api.browse("tracks", continuationToken=first["ContinuationToken"]).json()["Tracks"]
    sized = api.browse("tracks", continuationToken=first["ContinuationToken"], maxItems=3).json()["Tracks"]
    return len(first["Items"]), len(second["Items"]), len(sized["Items"])


def _body_before_auth(api: Api) -> Any:
    bad_body = api.post(f"{BASE}/add", content=b"{", auth=False)
    good_body = api.post(f"{BASE}/add", {"TrackIds": [CATALOG[0]]}, auth=False)
    bad_query = api.http.get(f"{BASE}/tracks/browse", params={**api.query(), "maxItems": "42"})
    bad_tracks_query = api.http.get(
        f"/1/content/music.playlist.{uuid.uuid4()}/collection/playlist/tracks/browse",
        params={**api.query(), "maxItems": "0"},
    )
    bad_namespace = api.http.post(
        "/1/content/video/collection/add", json={"TrackIds": [CATALOG[0]]}, params=api.query()
    )
    authenticated_bad_body = api.post(f"{BASE}/add", content=b"{")
    return [
        r.status_code
        for r in (bad_body, good_body, bad_query, bad_tracks_query, bad_namespace, authenticated_bad_body)
    ]


def _two_auth_headers(api: Api) -> Any:
    header = next(iter(api.auth().items()))
    r = api.http.post(
        f"{BASE}/add", json={"TrackIds": [CATALOG[0]]}, headers=[header, header], params=api.query()
    )
    return r.status_code, code(r), collection_size(api)


def _playlist_adds_to_collection(api: Api) -> Any:
    api.new_playlist([CATALOG[5], CATALOG[6]])
    pid, _ = api.new_playlist()
    api.update({"Id": pid, "TrackActions": [{"Id": CATALOG[5], "Action": "Add"}]})
    return collection_size(api)


def _delete_limit(api: Api) -> Any:
    owned = [x["Id"] for x in api.add(CATALOG[:100]).json()["TrackActionResults"]]
    owned += [x["Id"] for x in api.add([CATALOG[100]]).json()["TrackActionResults"]]
    r = api.delete(owned)
    return r.status_code, collection_size(api)


def _xml_namespace(api: Api) -> Any:
    answer = fromstring(api.add([CATALOG[0]], headers=ACCEPT_XML).content)
    requests = []
    for dialect in (GROOVE_2016, XBOX_2013):  # a request in each dialect's forms
        body = xml_codec.encode("TrackActionRequest", {"TrackIds": [CATALOG[1]]}, dialect)
        requests.append(api.post(f"{BASE}/add", content=body, headers={**XML, **ACCEPT_XML}).status_code)
    return answer.tag.split("}")[0][1:], requests


def _errors_format(api: Api) -> Any:
    error = api.add([CATALOG[0]] * 101, headers=ACCEPT_XML)
    ok = api.add([CATALOG[0]], headers=ACCEPT_XML)
    param = api.add([CATALOG[0]], auth=False, params={"contentType": "xml"})
    return [r.headers["content-type"].split(";")[0] for r in (error, ok, param)]


def _added_at_top(api: Api) -> Any:
    pid, ids = api.new_playlist(CATALOG[:2])
    r = api.update({"Id": pid, "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[2:4]]})
    added = [x["Id"] for x in r.json()["PlaylistActionResult"]["TrackActionResults"]]
    label = dict(zip(ids + added, "abCD", strict=True))
    created, created_ids = api.new_playlist(CATALOG[4:7])
    return "".join(label[t] for t in api.order(pid)), api.order(created) == created_ids


def _foreign_ids(api: Api) -> Any:
    owner = other_user(api)
    pid, _ = owner.new_playlist([CATALOG[0]], name="owner's")
    owned = owner.add([CATALOG[1]]).json()["TrackActionResults"][0]["Id"]
    mine = api.add([CATALOG[2]]).json()["TrackActionResults"][0]["Id"]
    update = api.update({"Id": pid, "Name": "taken"})
    tracks = api.playlist_tracks(pid)
    delete = api.delete([mine, owned])
    names = [p["Name"] for p in owner.browse("playlists").json()["Playlists"]["Items"]]
    observed = (
        [(r.status_code, code(r)) for r in (update, tracks, delete)],
        names,
        collection_size(owner),
        collection_size(api),  # the whole delete refused: my own track stays too
    )
    owner.close()
    return observed


def _published_default(api: Api) -> Any:
    created = api.create({"Name": "p"}).json()["PlaylistActionResult"]
    explicit = api.create({"Name": "q", "IsPublished": False}).json()["PlaylistActionResult"]
    return created["IsPublished"], explicit["IsPublished"]


def _blank_name(api: Api) -> Any:
    blank = api.create({"Name": "   "})
    return blank.status_code, code(blank), api.create({"Name": " x "}).status_code


def _delete_with_actions(api: Api) -> Any:
    pid, _ = api.new_playlist([CATALOG[0]])
    r = api.post(
        f"{BASE}/playlists/delete", {"Id": pid, "TrackActions": [{"Id": CATALOG[1], "Action": "Add"}]}
    )
    return r.status_code, code(r), api.playlist_tracks(pid).status_code


def _empty_browse(api: Api) -> Any:
    tracks = api.browse("tracks")
    albums = api.browse("albums")
    api.add([CATALOG[0]])
    return tracks.status_code, code(tracks), albums.status_code, api.browse("tracks").status_code


def _playlist_repeat_add(api: Api) -> Any:
    pid, _ = api.new_playlist([CATALOG[0]])
    r = api.update({"Id": pid, "TrackActions": [{"Id": CATALOG[0], "Action": "Add"}]})
    item = r.json()["PlaylistActionResult"]["TrackActionResults"][0]
    return r.status_code, (item.get("Error") or {}).get("ErrorCode"), len(api.order(pid))


def _results_order(api: Api) -> Any:
    added = api.add([CATALOG[0], RANDOM, CATALOG[1], RANDOM2])
    owned = next(x["Id"] for x in added.json()["TrackActionResults"] if "Id" in x)
    deleted = api.delete([owned, RANDOM, owned]).json()["TrackActionResults"]  # the repeat fails
    return input_ids(added), [(x["InputId"] == owned, "Error" in x) for x in deleted]


@dataclass(frozen=True)
class Expect:
    probe: Callable[[Api], Any]
    default: Any
    variant: Any


def hyphen(c: str) -> str:
    return c.replace("_", "-")


NS_2016, NS_2013 = GROOVE_2016.xml_namespace, XBOX_2013.xml_namespace
UP = "music.9BB2C5C5-455C-4C15-827C-F9BFD759A458"

EXPECT: dict[str, Expect] = {
    "hyphenated-codes": Expect(
        _hyphens,
        ("COLLECTION_SOME_OPERATIONS_FAILED", "COLLECTION_INVALID_ID", "INVALID_AUTHORIZATION_HEADER"),
        ("COLLECTION-SOME-OPERATIONS-FAILED", "COLLECTION-INVALID-ID", "INVALID-AUTHORIZATION-HEADER"),
    ),
    "message-omitted": Expect(_message, (True, True, True), (False, False, True)),
    "no-action-lowercase": Expect(
        _lowercase_action, (200, None, 200, 2), (400, "INVALID_INPUT_PARAMETER", 200, 1)
    ),
    "reorder-original-order": Expect(_reorder_unsorted, (200, "bcad"), (200, "bacd")),
    "no-update-limit": Expect(_update_limit, (400, 0), (200, 101)),
    "code-points": Expect(_code_points, (200, 400, 400), (200, 200, 400)),
    "unknown-playlist-400": Expect(
        _unknown_playlist,
        [(404, "COLLECTION_NO_RESULT")] * 3,
        [(400, "INVALID_INPUT_PARAMETER")] * 3,
    ),
    "empty-batch-200": Expect(
        _empty_batch,
        [(400, "MISSING_INPUT_PARAMETER", None)] * 3,
        [(200, None, [])] * 3,
    ),
    "unknown-members-ignored": Expect(_unknown_members, (400, 400, 0), (200, 200, 1)),
    "xml-request-answers-json": Expect(
        _xml_request_format,
        (200, "application/xml", "application/xml"),
        (200, "application/json", "application/xml"),
    ),
    "all-failed-400": Expect(
        _all_failed,
        (200, "COLLECTION_SOME_OPERATIONS_FAILED", [True, True], 200, 200),
        (400, "COLLECTION_SOME_OPERATIONS_FAILED", [True, True], 200, 200),
    ),
    "inputid-as-sent": Expect(
        _inputid_case, [CATALOG[1], CATALOG[2], UP], [CATALOG[1].lower(), CATALOG[2], RANDOM]
    ),
    "playlist-id-case-sensitive": Expect(_playlist_id_case, (200, 200), (404, 200)),
    "delete-by-catalog-id": Expect(_delete_by_catalog_id, (200, True, 1), (200, False, 0)),
    "repeat-add-fails": Expect(
        _repeat_add,
        ([(False, True), (False, True), (False, True)], None, 1),
        ([(False, True), (True, False), (True, False)], "COLLECTION_INVALID_ID", 1),
    ),
    "continued-page-default-size": Expect(_continued_page_size, (5, 5, 3), (5, 25, 3)),
    "body-before-auth": Expect(
        _body_before_auth, [401, 401, 401, 401, 401, 400], [400, 401, 400, 400, 400, 400]
    ),
    "two-auth-headers-400": Expect(
        _two_auth_headers, (401, "INVALID_AUTHORIZATION_HEADER", 0), (400, "INVALID_INPUT_PARAMETER", 0)
    ),
    "playlist-adds-to-collection": Expect(_playlist_adds_to_collection, 0, 2),
    "no-delete-limit": Expect(_delete_limit, (400, 101), (200, 0)),
    # the faithful emulator reads either namespace (E22, leniently); the variant only the 2013 one
    "xml-2013-namespace": Expect(_xml_namespace, (NS_2016, [200, 200]), (NS_2013, [400, 200])),
    "errors-in-json": Expect(
        _errors_format,
        ["application/xml", "application/xml", "application/xml"],
        ["application/json", "application/xml", "application/json"],
    ),
    "added-at-top": Expect(_added_at_top, ("abCD", True), ("CDab", True)),
    "foreign-ids-403": Expect(
        _foreign_ids,
        (
            [
                (404, "COLLECTION_NO_RESULT"),
                (404, "COLLECTION_NO_RESULT"),
                (200, "COLLECTION_SOME_OPERATIONS_FAILED"),
            ],
            ["owner's"],
            1,
            0,
        ),
        ([(403, "UNAUTHORIZED_API_METHOD")] * 3, ["owner's"], 1, 1),
    ),
    "published-by-default": Expect(_published_default, (False, False), (True, False)),
    "blank-name-empty": Expect(_blank_name, (200, None, 200), (400, "COLLECTION_INVALID_PLAYLIST_INFO", 200)),
    "delete-with-actions-refused": Expect(
        _delete_with_actions, (200, None, 404), (400, "INVALID_INPUT_PARAMETER", 200)
    ),
    "empty-browse-404": Expect(_empty_browse, (200, None, 200, 200), (404, "COLLECTION_NO_RESULT", 404, 200)),
    "playlist-repeat-add-fails": Expect(
        _playlist_repeat_add, (200, None, 2), (200, "COLLECTION_INVALID_ID", 1)
    ),
    "results-reordered": Expect(
        _results_order,
        ([CATALOG[0], UP, CATALOG[1], RANDOM2], [(True, False), (False, True), (True, True)]),
        # failures first, reversed; the two results of the repeated ID keep their order
        ([RANDOM2, UP, CATALOG[1], CATALOG[0]], [(True, False), (False, True), (True, True)]),
    ),
}

CASES = [(name, profile) for name, v in sorted(VARIANTS.items()) for profile in v.profiles]


@pytest.fixture(scope="module")
def defaults() -> Iterator[dict[str, RunningEmulator]]:
    """The default emulator of each profile; every probe gets fresh users of it."""
    ems = {p: start(p, users=make_users(3 * len(CASES) + 10)) for p in sorted(PROFILES)}
    yield ems
    for em in ems.values():
        em.stop()
        assert em.internal_errors == 0


_fresh = itertools.count()


def default_api(ems: dict[str, RunningEmulator], profile: str) -> Api:
    """A fresh user of the default emulator: user2k (its other user is user2k+1)."""
    em = ems[profile]
    index = 2 * next(_fresh)
    assert f"user{index + 1}" in em.config.users
    return Api(em, f"user{index}")


# ----------------------------------------------------------------------------------------- tests
def test_every_variant_has_a_probe() -> None:
    assert set(EXPECT) == set(VARIANTS)
    assert len(VARIANTS) >= 18
    assert all(e.default != e.variant for e in EXPECT.values())


def test_variants_are_documented() -> None:
    """Each names an erratum of docs/errata.md (or a silence), says what it does, and is no fault."""
    sections = set(re.findall(r"^## (E\d\d) ", ERRATA.read_text(encoding="utf-8"), re.MULTILINE))
    for variant in VARIANTS.values():
        assert variant.erratum is None or variant.erratum in sections, variant
        assert variant.description and variant.profiles and set(variant.profiles) <= set(PROFILES)
    assert not set(VARIANTS) & set(FAULTS)


@pytest.mark.parametrize(("name", "profile"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_variant_changes_behaviour(name: str, profile: str, defaults: dict[str, RunningEmulator]) -> None:
    expect = EXPECT[name]
    api = default_api(defaults, profile)
    assert expect.probe(api) == expect.default, f"the default emulator does not show the default ({name})"
    api.close()
    em = start(profile, variants=(name,))
    try:
        api = Api(em, "user0")
        assert expect.probe(api) == expect.variant, f"variant {name} is on but does not show"
        api.close()
        assert em.internal_errors == 0
    finally:
        em.stop()


def applicable(profile: str) -> tuple[str, ...]:
    return tuple(n for n, v in VARIANTS.items() if profile in v.profiles)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_all_variants_at_once(profile: str) -> None:
    """Every variant that applies to the profile on together: the server starts and serves."""
    em = start(profile, users=make_users(2 * len(EXPECT) + 2), variants=applicable(profile))
    try:
        assert em.app.state.emulator.variants.names == applicable(profile)
        api = Api(em, "user0")
        results = api.add([CATALOG[0], RANDOM]).json()["TrackActionResults"]
        assert [x["InputId"] for x in results] == [RANDOM, CATALOG[0]]  # failures first
        assert results[0]["Error"] == {
            "ErrorCode": "COLLECTION-INVALID-ID",
            "Description": results[0]["Error"]["Description"],
        }
        pid, _ = api.new_playlist(CATALOG[1:4])
        ids = api.order(pid)
        assert api.move(pid, [ids[2], ids[0]], ids[1]).status_code == 200
        assert api.order(pid) == [ids[0], ids[2], ids[1]]  # original order, before the target
        assert (
            api.update({"Id": pid, "TrackActions": [{"Id": CATALOG[4], "Action": "Add"}]}).status_code == 200
        )
        assert len(api.order(pid)) == 4 and collection_size(api) == 5  # playlist adds collect too
        assert api.post(f"{BASE}/add", content=b"{", auth=False).status_code == 400
        for k, expect in enumerate(EXPECT.values(), 1):  # every probe runs (values interact)
            expect.probe(Api(em, f"user{2 * k}"))
        api.close()
        assert em.internal_errors == 0
    finally:
        em.stop()


def test_variants_combine_with_a_fault() -> None:
    em = start("groove-2016", fault="inputid-altered", variants=("hyphenated-codes", "results-reordered"))
    try:
        api = Api(em, "user0")
        r = api.add([CATALOG[0], RANDOM]).json()
        assert [x["InputId"] for x in r["TrackActionResults"]] == [RANDOM, CATALOG[0].lower()]
        assert r["Error"]["ErrorCode"] == "COLLECTION-SOME-OPERATIONS-FAILED"
        api.close()
    finally:
        em.stop()


def test_unknown_or_misplaced_variant_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown variant 'no-such-variant'; see --list-variants"):
        EmulatorConfig(variants=("hyphenated-codes", "no-such-variant"))
    with pytest.raises(ValueError, match="not the string"):
        EmulatorConfig(variants="hyphenated-codes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="applies only to groove-2016, not to xbox-2013"):
        EmulatorConfig(profile="xbox-2013", variants=("xml-2013-namespace",))
    assert EmulatorConfig(variants=["inputid-as-sent", "inputid-as-sent"]).variants == ("inputid-as-sent",)
    with pytest.raises(KeyError, match="not defined"):
        VariantSet(("inputid-as-sent",)).on("inputid-as-snet")  # a typo in a flag check
    assert VariantSet(("inputid-as-sent",)).on("inputid-as-sent") and not VariantSet().on("code-points")
    with pytest.raises(SystemExit):
        parse(["--variant", "no-such-variant"])


def parse(argv: list[str]) -> Any:
    import argparse

    parser = argparse.ArgumentParser()
    serve_cli.add_arguments(parser)
    return parser.parse_args(argv)


def test_list_variants(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_cli.main(parse(["--list-variants"])) == 0
    lines = capsys.readouterr().out.splitlines()
    for variant in VARIANTS.values():
        (line,) = [x for x in lines if x.split()[:1] == [variant.name]]
        assert (variant.erratum or "silence") in line.split() and variant.description[:40] in line
    assert any("only: groove-2016" in x for x in lines)


def test_serve_banner_names_the_variants() -> None:
    cmd = [sys.executable, "-m", "conformance.cli", "serve", "--port", "0", "--fault", "reorder-ignored"]
    cmd += ["--variant", "hyphenated-codes", "--variant", "results-reordered"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        banner = []
        for line in proc.stdout:  # the banner ends with the users' lines
            banner.append(line.rstrip("\n"))
            if line.startswith("users"):
                break
        text = "\n".join(banner)
        assert "FAULT ON: reorder-ignored" in text, text
        assert "variant on: hyphenated-codes (E01)" in text and "variant on: results-reordered (E27)" in text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
