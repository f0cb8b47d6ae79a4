"""Every fault switches on and changes behaviour; each breaks a MUST requirement, or (the interop
faults, what real clients send) SHOULD requirements only.

A probe per fault performs the few requests that show the deviation and returns whether it saw
it. The same probe must see nothing on a faithful emulator and the deviation on the faulty one.
(That the conformance suite itself catches each fault is proved by the harness's own tests.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from defusedxml.ElementTree import fromstring

from conformance import xml_codec
from conformance.catalogue import load_catalogue
from conformance.emulator import FAULTS, INTEROP_FAULTS, RunningEmulator
from conformance.profiles import XBOX_2013

from .conftest import BASE, CATALOG, Api, make_users, start

RANDOM = "music.9bb2c5c5-455c-4c15-827c-f9bfd759a458"


def _reorder(api: Api) -> bool:
    pid, ids = api.new_playlist(CATALOG[:3])
    api.move(pid, [ids[0]], ids[2])
    return api.order(pid) != [ids[1], ids[0], ids[2]]


def _update_limit(api: Api) -> bool:
    pid, _ = api.new_playlist()
    api.update({"Id": pid, "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[:101]]})
    return api.order(pid) != []


def _cross_user(api: Api) -> bool:
    owner = Api(api.emulator, next(u for u in api.config.users if u != api.user))
    pid, _ = owner.new_playlist(name="owner's")
    api.update({"Id": pid, "Name": "taken"})
    names = {p["Id"]: p["Name"] for p in owner.browse("playlists").json()["Playlists"]["Items"]}
    owner.close()
    return names[pid] != "owner's"


def _delete_nothing(api: Api) -> bool:
    owned = api.add([CATALOG[0]]).json()["TrackActionResults"][0]["Id"]
    api.delete([owned])
    return api.collection() != []


def _trackcount(api: Api) -> bool:
    pid, _ = api.new_playlist(CATALOG[:2])
    api.update({"Id": pid, "TrackActions": [{"Id": CATALOG[2], "Action": "Add"}]})
    counts = {p["Id"]: p["TrackCount"] for p in api.browse("playlists").json()["Playlists"]["Items"]}
    return counts[pid] != 3


def _wrong_namespace(api: Api) -> bool:
    r = api.add([CATALOG[0]], headers={"Accept": "application/xml"})
    return not fromstring(r.content).tag.startswith("{" + api.profile.xml_namespace + "}")


def _scheme_lowered(api: Api) -> bool:
    scheme, _, rest = api.auth()["Authorization"].partition(" ")
    return api.add([CATALOG[0]], headers={"Authorization": f"{scheme.lower()} {rest}"}).status_code != 200


def _lower_case_maxitems(api: Api) -> bool:
    api.add(CATALOG[:3])
    return len(api.browse("tracks", maxitems=1).json()["Tracks"]["Items"]) != 1


def _other_namespace(api: Api) -> bool:  # groove-2016: the 2013 namespace its add page shows
    body = xml_codec.encode("TrackActionRequest", {"TrackIds": [CATALOG[0]]}, XBOX_2013)
    return (
        api.post(f"{BASE}/add", content=body, headers={"Content-Type": "application/xml"}).status_code != 200
    )


PROBES: dict[str, Callable[[Api], bool]] = {
    "batch-limit-ignored": lambda api: api.add([CATALOG[0]] * 101).status_code == 200,
    "batch-limit-partial": lambda api: api.add(CATALOG[:101]).status_code == 400 and api.collection() != [],
    "batch-limit-off-by-one": lambda api: api.add(CATALOG[:100]).status_code != 200,
    "update-limit-partial": _update_limit,
    "partial-no-top-error": lambda api: "Error" not in api.add([RANDOM, CATALOG[0]]).json(),
    "partial-failure-400": lambda api: api.add([RANDOM, CATALOG[0]]).status_code != 200,
    "top-error-on-success": lambda api: "Error" in api.add([CATALOG[0]]).json(),
    "results-unmatched": lambda api: (
        sorted(
            x["InputId"]
            for x in api.add([CATALOG[0], CATALOG[1].lower(), RANDOM.upper()]).json()["TrackActionResults"]
        )
        != sorted([CATALOG[0], CATALOG[1], RANDOM.upper()])
    ),
    "inputid-altered": lambda api: (
        api.add([CATALOG[0]]).json()["TrackActionResults"][0]["InputId"] != CATALOG[0]
    ),
    "auth-missing-accepted": lambda api: api.add([CATALOG[0]], auth=False).status_code != 401,
    "developer-token-ignored": lambda api: (
        api.http.post(f"{BASE}/add", json={"TrackIds": [CATALOG[0]]}, headers=api.auth()).status_code != 401
    ),
    "xml-accept-ignored": lambda api: (
        not api.add([CATALOG[0]], headers={"Accept": "application/xml"})
        .headers["content-type"]
        .startswith("application/xml")
    ),
    "xml-wrong-namespace": _wrong_namespace,
    "reorder-ignored": _reorder,
    "reorder-appends": _reorder,
    "reorder-mixed-accepted": lambda api: (
        api.update(
            {
                "Id": (p := api.new_playlist(CATALOG[:2]))[0],
                "TrackActions": [{"Id": p[1][1], "Action": "Move"}, {"Id": CATALOG[5], "Action": "Add"}],
            }
        ).status_code
        == 200
    ),
    "name-length-unchecked": lambda api: api.create({"Name": "n" * 257}).status_code == 200,
    "empty-name-accepted": lambda api: api.create({"Name": ""}).status_code == 200,
    "cross-user-update": _cross_user,
    "delete-removes-nothing": _delete_nothing,
    "error-envelope-bare": lambda api: "Error" not in api.add([CATALOG[0]] * 101).json(),
    "browse-maxitems-unbounded": lambda api: api.browse("tracks", maxItems=42).status_code == 200,
    "maxitems-25-refused": lambda api: api.browse("tracks", maxItems=25).status_code != 200,
    "token-on-full-last-page": lambda api: (
        api.add(CATALOG[:5]).status_code == 200
        and "ContinuationToken" in api.browse("tracks", maxItems=5).json()["Tracks"]
    ),
    "trackcount-stale": _trackcount,
    "path-case-strict": lambda api: api.post(f"{BASE}/Add", {"TrackIds": [CATALOG[0]]}).status_code != 200,
    "query-names-case-strict": _lower_case_maxitems,
    "auth-scheme-case-strict": _scheme_lowered,
    "access-token-beside-bearer-refused": lambda api: (
        api.add([CATALOG[0]], params={"accessToken": "Bearer x"}).status_code != 200
    ),
    "media-type-params-refused": lambda api: (
        api.post(
            f"{BASE}/add",
            content=b'{"TrackIds": ["%s"]}' % CATALOG[0].encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        ).status_code
        != 200
    ),
    "xml-other-namespace-refused": _other_namespace,
    "ispublished-ignored-on-create": lambda api: (
        api.create({"Name": "published", "IsPublished": True}).json()["PlaylistActionResult"]["IsPublished"]
        is not True
    ),
}


@pytest.fixture(scope="module")
def faithful() -> Iterator[dict[str, RunningEmulator]]:
    ems = {p: start(p, users=make_users(len(FAULTS) + 1)) for p in ("groove-2016", "xbox-2013")}
    yield ems
    for em in ems.values():
        em.stop()
        assert em.internal_errors == 0


def test_every_fault_has_a_probe() -> None:
    assert set(PROBES) == set(FAULTS)
    assert len(FAULTS) >= 15


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_breaks_must_requirements(name: str) -> None:
    catalogue = load_catalogue()
    fault = FAULTS[name]
    assert fault.breaks, name
    assert all(req in catalogue for req in fault.breaks), [r for r in fault.breaks if r not in catalogue]
    if name in INTEROP_FAULTS:  # advisory: caught as an advisory-failed SHOULD (tests/suite/test_faults.py)
        assert all(catalogue[req].level == "SHOULD" for req in fault.breaks)
    else:
        assert any(catalogue[req].level == "MUST" for req in fault.breaks)
    assert all(any(p in catalogue[req].profiles for req in fault.breaks) for p in fault.profiles)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_changes_behaviour(name: str, faithful: dict[str, RunningEmulator]) -> None:
    profile = FAULTS[name].profiles[-1]
    good = Api(faithful[profile], f"user{sorted(FAULTS).index(name)}")  # a fresh user per fault
    assert PROBES[name](good) is False, f"the probe for {name} sees a deviation on the faithful emulator"
    good.close()
    em = start(profile, fault=name)
    try:
        bad = Api(em, list(em.config.users)[0])
        assert PROBES[name](bad) is True, f"fault {name} is on but the probe sees no deviation"
        bad.close()
        assert em.internal_errors == 0
    finally:
        em.stop()
