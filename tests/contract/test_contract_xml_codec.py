"""DataContract XML: 000's documents, round trips in both profiles, strictness and safe parsing."""

from __future__ import annotations

import re
import socket

import pytest
from defusedxml.ElementTree import fromstring

from conformance import contract, xml_codec
from conformance.profiles import ARRAYS_NS, GROOVE_2016, PROFILES, XBOX_2013, XSI_NS, Profile
from conformance.xml_codec import XmlCodecError, decode, encode

from .pages import PageExample, all_examples

SEED_000 = "seeds/000_49ef52240da7cdbc.txt"
XML_HEADING = "Add a track using XML instead of JSON"

# The JSON equivalents of 000's XML request and response (same members, same values).
XML_000_JSON = {
    "request": ("TrackActionRequest", {"TrackIds": ["music.873FB507-0100-11DB-89CA-0019B92A3933"]}),
    "response": (
        "TrackActionResponse",
        {
            "TrackActionResults": [
                {
                    "Id": "music.AQQfuiqlXWaDzk-j0Ht9qB6EWwe1P4cAAQ",
                    "InputId": "music.873FB507-0100-11DB-89CA-0019B92A3933",
                }
            ]
        },
    ),
}

PROFILE_PARAMS = pytest.mark.parametrize("profile", list(PROFILES.values()), ids=list(PROFILES))


def _compact(xml: bytes | str) -> bytes:
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    return re.sub(rb">\s+<", b"><", data.strip())


def _page_xml(role: str) -> PageExample:
    return next(
        e
        for e in all_examples()
        if e.file == SEED_000 and e.heading == XML_HEADING and e.fmt == "xml" and e.role == role
    )


# --- 000's documents -------------------------------------------------------------------------------


def test_xml_examples_of_the_pages_decode_under_xbox_2013(xml_example: PageExample) -> None:
    root, value = decode(str(xml_example.body), XBOX_2013)
    assert root == XML_000_JSON[xml_example.role][0]
    assert value == XML_000_JSON[xml_example.role][1]
    if xml_example.role == "request":
        assert xml_example.operation
        assert contract.validate_request(xml_example.operation, value) == []
    else:
        assert contract.validate(contract.response_schema("collection_add", 200) or "", value) == []


@pytest.mark.parametrize("role", ["request", "response"])
def test_encode_writes_000s_documents(role: str) -> None:
    type_name, value = XML_000_JSON[role]
    assert _compact(encode(type_name, value, XBOX_2013)) == _compact(str(_page_xml(role).body))


def test_groove_2016_writes_track_ids_as_track_id_elements() -> None:
    xml = encode("TrackActionRequest", {"TrackIds": ["a", "b"]}, GROOVE_2016).decode()
    assert f'xmlns="{GROOVE_2016.xml_namespace}"' in xml
    assert "<TrackIds><TrackId>a</TrackId><TrackId>b</TrackId></TrackIds>" in xml
    assert ARRAYS_NS not in xml


def test_xsi_namespace_is_declared_as_i() -> None:
    for profile in PROFILES.values():
        assert f'xmlns:i="{XSI_NS}"' in encode("TrackAction", {"Id": "x", "Action": "Add"}, profile).decode()


# --- structure from the schemas ------------------------------------------------------------------


EDIT_TYPES = {
    "Error",
    "PlaylistAction",
    "PlaylistActionResponse",
    "PlaylistActionResult",
    "TrackAction",
    "TrackActionRequest",
    "TrackActionResponse",
    "TrackActionResult",
}
BROWSE_TYPES = {"ContentResponse", "PaginatedList", "Playlist", "Track"}


def test_xml_types_are_the_edit_and_browse_types() -> None:
    assert set(xml_codec.xml_types()) == EDIT_TYPES | BROWSE_TYPES
    assert set(contract.schema_names()) - set(xml_codec.xml_types()) == {"ErrorResponse", "report"}


def test_structure_follows_the_schema() -> None:
    for name in xml_codec.xml_types():
        members = xml_codec.structure(name)
        assert [m.name for m in members] == sorted(contract.load_schema(name)["properties"])
    kinds = {m.name: (m.kind, m.type_name) for m in xml_codec.structure("PlaylistAction")}
    assert kinds["TrackActions"] == ("list", "TrackAction")
    assert kinds["IsPublished"] == ("boolean", None)
    assert {m.name: m.kind for m in xml_codec.structure("TrackActionRequest")} == {"TrackIds": "string_list"}
    assert ("object", "Error") in [(m.kind, m.type_name) for m in xml_codec.structure("TrackActionResult")]


def test_structure_of_the_browse_types() -> None:
    """Paginated lists are PaginatedList objects whose Items are bound to the item type of the use."""
    content = {m.name: m for m in xml_codec.structure("ContentResponse")}
    assert (content["Tracks"].kind, content["Tracks"].type_name) == ("object", "PaginatedList")
    assert content["Tracks"].item_types == (("Items", "Track"),)
    assert content["Playlists"].item_types == (("Items", "Playlist"),)
    assert content["Albums"].item_types == (("Items", None),)  # generic objects: empty lists only
    items = {m.name: m for m in xml_codec.members_of("PaginatedList", (("Items", "Track"),))}["Items"]
    assert (items.kind, items.type_name) == ("list", "Track")
    bare = {m.name: m for m in xml_codec.structure("PaginatedList")}["Items"]
    assert (bare.kind, bare.type_name) == ("list", None)
    track = {m.name: (m.kind, m.type_name) for m in xml_codec.structure("Track")}
    assert track["Genres"] == track["Rights"] == track["Subgenres"] == ("string_list", None)
    assert track["OtherIds"] == ("string_map", None)
    assert track["TrackNumber"] == ("integer", None)
    assert track["IsExplicit"] == ("boolean", None)
    assert track["Album"] == ("opaque", None)
    assert track["Artists"] == ("list", None)
    playlist = {m.name: m for m in xml_codec.structure("Playlist")}
    assert playlist["Tracks"].item_types == (("Items", "Track"),)


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("ErrorResponse", {"Error": {"ErrorCode": "X", "Description": "d"}}, "unsupported"),
        ("NoSuchType", {}, "root"),
        ("report", {}, "unsupported"),  # an object schema, but not a DataContract type
    ],
)
def test_types_without_an_xml_form_are_refused(name: str, value: dict, kind: str) -> None:
    with pytest.raises(XmlCodecError) as info:
        encode(name, value, GROOVE_2016)
    assert info.value.kind == kind


@pytest.mark.parametrize(
    ("value", "path"),
    [
        ({"Tracks": {"Items": [{"Id": "t", "Album": {"Id": "a"}}]}}, "Tracks/Items/Track[0]/Album"),
        ({"Tracks": {"Items": [{"Id": "t", "Artists": [{"Role": "Main"}]}]}}, "Track[0]/Artists"),
        ({"Albums": {"Items": [{"Id": "music.AQEPB-rrJgABM-vDUQcGa74"}]}}, "ContentResponse/Albums/Items"),
        ({"Artists": {"Items": [{"Id": "x"}]}}, "ContentResponse/Artists/Items"),
    ],
)
def test_generic_members_are_refused_when_they_hold_something(value: dict, path: str) -> None:
    """Members of no named type (Album, Artists, the items of Albums) have no element names to derive."""
    with pytest.raises(XmlCodecError) as info:
        encode("ContentResponse", value, XBOX_2013)
    assert info.value.kind == "unsupported" and path in info.value.path


def test_generic_lists_read_and_write_when_empty() -> None:
    value = {"Albums": {"Items": [], "TotalItemCount": 0}, "Tracks": {"Items": [{"Id": "t", "Artists": []}]}}
    data = encode("ContentResponse", value, GROOVE_2016)
    assert b"<Albums><Items></Items><TotalItemCount>0</TotalItemCount></Albums>" in data
    assert decode(data, GROOVE_2016) == ("ContentResponse", value)
    album = _doc(
        "<Tracks><Items><Track><Album><Id>a</Id></Album><Id>t</Id></Track></Items></Tracks>",
        "ContentResponse",
    )
    assert _kind(album) == "unsupported"
    albums = _doc("<Albums><Items><Album><Id>a</Id></Album></Items></Albums>", "ContentResponse")
    assert _kind(albums) == "unsupported"


def test_browse_error_documents_have_an_xml_form() -> None:
    """An Error rooted at ContentResponse reads and writes, as for every response type (E23)."""
    error = {"Error": {"Description": "Invalid parameter value", "ErrorCode": "INVALID_INPUT_PARAMETER"}}
    for profile in PROFILES.values():
        data = encode("ContentResponse", error, profile)
        assert decode(data, profile, expected_root="ContentResponse") == ("ContentResponse", error)


# --- round trips -----------------------------------------------------------------------------------


def _full_members(members: tuple[xml_codec.Member, ...], depth: int = 0) -> dict:
    """An instance with every member that has a form set, lists of two, strings that need escaping."""
    out: dict = {}
    for m in members:
        if m.kind == "string":
            out[m.name] = f"{m.name} <&> \"'\t\r\n é \U0001d11e"
        elif m.kind == "boolean":
            out[m.name] = depth % 2 == 0
        elif m.kind == "integer":
            out[m.name] = -7 if depth % 2 else 2_147_483_648
        elif m.kind == "string_list":
            out[m.name] = ["music.A83EB907-0100-11DB-89CA-0019B92A3933", "  spaced  ", ""]
        elif m.kind == "string_map":
            out[m.name] = {"amg": "P  123 <&>", "": "", "é \U0001d11e": "\r\n"}
        elif m.kind == "object":
            assert m.type_name
            out[m.name] = _full_members(xml_codec.members_of(m.type_name, m.item_types), depth + 1)
        elif m.kind == "list" and m.type_name:
            out[m.name] = [_full(m.type_name, depth + 1), _full(m.type_name, depth + 2)]
        elif m.kind == "list":
            out[m.name] = []  # items of no named type: only an empty list has a form
        else:
            assert m.kind == "opaque"  # left out: no form
    return out


def _full(type_name: str, depth: int = 0) -> dict:
    return _full_members(xml_codec.structure(type_name), depth)


@PROFILE_PARAMS
@pytest.mark.parametrize("name", xml_codec.xml_types())
def test_round_trip_of_every_type(profile: Profile, name: str) -> None:
    value = _full(name)
    data = encode(name, value, profile)
    assert decode(data, profile, expected_root=name) == (name, value)
    assert decode(data.decode("utf-8"), profile) == (name, value)


def _describable(members: tuple[xml_codec.Member, ...], value: dict) -> dict:
    """``value`` without what the schemas leave undescribed: unknown and generic members, open items.

    The browse pages' examples carry members the schemas tolerate but do not describe (a playlist's
    Duration, a track's Album and Artists); XML can carry only the described part.
    """
    out: dict = {}
    by_name = {m.name: m for m in members}
    for key, item in value.items():
        m = by_name.get(key)
        if m is None or m.kind == "opaque":
            continue
        if m.kind == "object" and isinstance(item, dict):
            assert m.type_name
            item = _describable(xml_codec.members_of(m.type_name, m.item_types), item)
        elif m.kind == "list" and isinstance(item, list):
            if m.type_name is None:
                item = []
            else:
                item = [_describable(xml_codec.structure(m.type_name), x) for x in item]
        out[key] = item
    return out


def _xml_round_trip_cases() -> list[tuple[str, str, dict]]:
    cases = []
    for e in all_examples():
        if e.fmt != "json" or not e.operation or not isinstance(e.body, dict):
            continue
        if e.role == "request":
            type_name = contract.request_schema(e.operation)
        else:
            type_name = contract.response_schema(e.operation, 200)  # error bodies too: same root
        if type_name in xml_codec.xml_types():
            cases.append((e.id, type_name, _describable(xml_codec.structure(type_name), e.body)))
    return cases


ROUND_TRIP_CASES = _xml_round_trip_cases()


def test_page_examples_of_both_kinds_round_trip() -> None:
    """The cases hold the edit examples whole and the browse answers' described part."""
    by_type = {c[1] for c in ROUND_TRIP_CASES}
    assert {"TrackActionRequest", "PlaylistActionResponse", "ContentResponse"} <= by_type
    for case_id, type_name, body in ROUND_TRIP_CASES:
        if type_name in EDIT_TYPES:
            original = next(e.body for e in all_examples() if e.id == case_id and e.fmt == "json")
            assert body == original, case_id  # edit examples are fully described: nothing left out
    sub_items = [c[2] for c in ROUND_TRIP_CASES if "uri-browse-sub-items.md" in c[0] and "Playlists" in c[2]]
    track = sub_items[0]["Playlists"]["Items"][0]["Tracks"]["Items"][0]
    assert track["Rights"] and track["Genres"] and isinstance(track["TrackNumber"], int)


@PROFILE_PARAMS
@pytest.mark.parametrize(
    ("type_name", "body"), [c[1:] for c in ROUND_TRIP_CASES], ids=[c[0] for c in ROUND_TRIP_CASES]
)
def test_round_trip_of_page_examples(profile: Profile, type_name: str, body: dict) -> None:
    assert decode(encode(type_name, body, profile), profile, expected_root=type_name) == (type_name, body)


# --- browse answers ------------------------------------------------------------------------------------

# A playlist tracks browse answer as the emulator writes one, with the optional members a real
# service adds (reference uri-browse-sub-items.md): lists of strings, a map, booleans, integers.
BROWSE_ANSWER = {
    "Playlists": {
        "Items": [
            {
                "Id": "music.playlist.0d7c4c2a-6f5e-4c8e-9d0e-1f2a3b4c5d6e",
                "IsPublished": False,
                "Name": "Road <trip> & more",
                "OtherIds": {"music.amg": "P 123", "music.alt": "x"},
                "Source": "Collection",
                "TrackCount": 3,
                "Tracks": {
                    "ContinuationToken": "ASQ6p3IBCQQADQcDAgABMQ",
                    "Items": [
                        {
                            "Genres": ["Pop", "Electronic / Dance"],
                            "Id": "music.AQQfj5Lz-MSn2025RlcuS6VkDge5PqgAAQ",
                            "IsExplicit": False,
                            "Name": "Get Lucky",
                            "Rights": ["Purchase", "FreeStream"],
                            "Source": "Collection",
                            "Subgenres": [],
                            "TrackNumber": 8,
                        },
                        {"Id": "music.AQQfuiqlXWaDzk-j0Ht9qB6EWwe1P4cAAQ", "Name": "Track 2"},
                    ],
                    "TotalItemCount": 3,
                },
                "UserIsOwner": True,
            }
        ]
    }
}


@PROFILE_PARAMS
def test_round_trip_of_a_browse_answer(profile: Profile) -> None:
    assert contract.validate("ContentResponse", BROWSE_ANSWER) == []
    data = encode("ContentResponse", BROWSE_ANSWER, profile)
    assert decode(data, profile, expected_root="ContentResponse") == ("ContentResponse", BROWSE_ANSWER)
    root = fromstring(data)
    ns = f"{{{profile.xml_namespace}}}"
    assert root.tag == f"{ns}ContentResponse"
    playlist = root.find(f"{ns}Playlists/{ns}Items/{ns}Playlist")
    assert playlist is not None
    assert [child.tag for child in playlist] == [
        f"{ns}{name}"
        for name in ("Id", "IsPublished", "Name", "OtherIds", "Source", "TrackCount", "Tracks", "UserIsOwner")
    ]
    assert playlist.find(f"{ns}IsPublished").text == "false"  # type: ignore[union-attr]
    tracks = playlist.findall(f"{ns}Tracks/{ns}Items/{ns}Track")
    assert [t.find(f"{ns}Id").text for t in tracks] == [  # type: ignore[union-attr]
        t["Id"]
        for t in BROWSE_ANSWER["Playlists"]["Items"][0]["Tracks"]["Items"]  # type: ignore[index]
    ]
    # List<string> in both dialects: d2p1:string in the Arrays namespace (unlike TrackIds in groove-2016).
    genres = tracks[0].find(f"{ns}Genres")
    assert genres is not None
    assert [(g.tag, g.text) for g in genres] == [
        (f"{{{ARRAYS_NS}}}string", "Pop"),
        (f"{{{ARRAYS_NS}}}string", "Electronic / Dance"),
    ]
    assert b'<Genres xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">' in data
    assert b"<d2p1:string>Pop</d2p1:string>" in data
    # Dictionary<string, string>: KeyValueOfstringstring entries of Key and Value, in the Arrays namespace.
    entries = playlist.findall(f"{ns}OtherIds/{{{ARRAYS_NS}}}KeyValueOfstringstring")
    assert [[(c.tag, c.text) for c in e] for e in entries] == [
        [(f"{{{ARRAYS_NS}}}Key", "music.amg"), (f"{{{ARRAYS_NS}}}Value", "P 123")],
        [(f"{{{ARRAYS_NS}}}Key", "music.alt"), (f"{{{ARRAYS_NS}}}Value", "x")],
    ]
    assert b"<TrackCount>3</TrackCount>" in data and b"<TotalItemCount>3</TotalItemCount>" in data


_GENRES = f'<Genres xmlns:d2p1="{ARRAYS_NS}"><d2p1:string>Pop</d2p1:string>'
_AMG = "<d2p1:Key>music.amg</d2p1:Key><d2p1:Value>P 123</d2p1:Value>"


@pytest.mark.parametrize(
    ("old", "new", "kind", "where"),
    [
        # List<string> items: the Arrays namespace and the name "string", in both dialects
        (
            _GENRES,
            '<Genres xmlns:d2p1="urn:x"><d2p1:string>Pop</d2p1:string>',
            "namespace",
            "Genres/string[0]",
        ),
        (_GENRES, f'<Genres xmlns:d2p1="{ARRAYS_NS}"><TrackId>Pop</TrackId>', "unknown", "Genres/TrackId[0]"),
        # Items of Tracks are Track elements
        ("Track>", "Playlist>", "unknown", "Tracks/Items/Playlist[0]"),  # every <Track> and </Track>
        ("<Items><Track>", "<Items>x<Track>", "syntax", "Tracks/Items"),
        # map entries: Key then Value, each once, keys unique, nothing else
        (_AMG, "<d2p1:Value>P 123</d2p1:Value><d2p1:Key>music.amg</d2p1:Key>", "order", "OtherIds/"),
        ("music.alt", "music.amg", "duplicate", "KeyValueOfstringstring[1]/Key"),
        (_AMG, "<d2p1:Key>music.amg</d2p1:Key>", "syntax", "KeyValueOfstringstring[0]"),
        (_AMG, _AMG + "<d2p1:Value>again</d2p1:Value>", "duplicate", "KeyValueOfstringstring[0]/Value"),
        ("<d2p1:Key>music.alt</d2p1:Key>", "<d2p1:Other>y</d2p1:Other>", "unknown", "[1]/Other"),
        ("<d2p1:Key>music.alt</d2p1:Key>", "<Key>music.alt</Key>", "namespace", "[1]/Key"),
        ("d2p1:KeyValueOfstringstring>", "d2p1:Pair>", "unknown", "OtherIds/Pair[0]"),  # every entry
        # integers and booleans
        ("<TrackCount>3</TrackCount>", "<TrackCount>three</TrackCount>", "type", "Playlist[0]/TrackCount"),
        ("<IsExplicit>false</IsExplicit>", "<IsExplicit>no</IsExplicit>", "type", "Track[0]/IsExplicit"),
        # members of PaginatedList, in order
        (
            "<TotalItemCount>3</TotalItemCount>",
            "<TotalItemCount>3</TotalItemCount><Extra/>",
            "unknown",
            "Extra",
        ),
    ],
)
@pytest.mark.parametrize("profile", list(PROFILES.values()), ids=list(PROFILES))
def test_browse_answers_are_read_strictly(
    profile: Profile, old: str, new: str, kind: str, where: str
) -> None:
    """The browse forms are read as strictly as the edit types: namespaces, item names, keys, order."""
    data = encode("ContentResponse", BROWSE_ANSWER, profile).decode()
    assert old in data
    # a tag without its "<" is renamed everywhere (start and end tags); anything else once
    changed = (
        data.replace(old, new) if not old.startswith("<") and old.endswith(">") else data.replace(old, new, 1)
    )
    with pytest.raises(XmlCodecError) as info:
        decode(changed, profile)
    assert info.value.kind == kind
    assert where in info.value.path


def test_map_entries_out_of_order_read_when_order_is_not_strict() -> None:
    data = encode("ContentResponse", BROWSE_ANSWER, XBOX_2013).decode()
    swapped = data.replace(_AMG, "<d2p1:Value>P 123</d2p1:Value><d2p1:Key>music.amg</d2p1:Key>")
    assert decode(swapped, XBOX_2013, strict_order=False)[1] == BROWSE_ANSWER


def test_report_has_no_xml_form() -> None:
    doc = f'<report xmlns="{GROOVE_2016.xml_namespace}"/>'
    assert _kind(doc, GROOVE_2016) == "unsupported"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ({"Tracks": {"Items": [{"Id": "t", "Genres": "Pop"}]}}, "type"),
        ({"Tracks": {"Items": [{"Id": "t", "Genres": [1]}]}}, "type"),
        ({"Tracks": {"Items": [{"Id": "t", "OtherIds": ["x"]}]}}, "type"),
        ({"Tracks": {"Items": [{"Id": "t", "OtherIds": {"k": 1}}]}}, "type"),
        ({"Tracks": {"Items": [{"Id": "t", "TrackNumber": "8"}]}}, "type"),
        ({"Tracks": {"Items": [{"Id": "t", "Duration2": "x"}]}}, "unknown"),
        ({"Tracks": {"Items": {"Id": "t"}}}, "type"),
        ({"Tracks": {"Items": [], "Extra": 1}}, "unknown"),
    ],
)
def test_encode_rejects_malformed_browse_answers(value: dict, kind: str) -> None:
    with pytest.raises(XmlCodecError) as info:
        encode("ContentResponse", value, GROOVE_2016)
    assert info.value.kind == kind


def test_error_documents_use_the_response_type_as_root() -> None:
    body = {
        "Error": {
            "ErrorCode": "COLLECTION_INVALID_OPERATION",
            "Description": "This operation is not supported",
        }
    }
    for type_name in ("TrackActionResponse", "PlaylistActionResponse"):
        data = encode(type_name, body, XBOX_2013)
        assert data.startswith(f"<{type_name} ".encode())
        root, value = decode(data, XBOX_2013, expected_root=type_name)
        assert (root, value) == (type_name, body)
        assert contract.validate("ErrorResponse", value) == []


def test_null_members_are_left_out_and_nil_reads_as_null() -> None:
    data = encode("TrackActionResult", {"InputId": "a", "Id": None, "Error": None}, GROOVE_2016)
    assert b"<Id" not in data and b"<Error" not in data
    nil = (
        f'<TrackActionResult xmlns:i="{XSI_NS}" xmlns="{GROOVE_2016.xml_namespace}">'
        '<Error i:nil="true"/><InputId>a</InputId></TrackActionResult>'
    )
    assert decode(nil, GROOVE_2016) == ("TrackActionResult", {"Error": None, "InputId": "a"})


def test_empty_list_and_empty_string() -> None:
    value = {"TrackActionResults": [], "Error": {"ErrorCode": "X", "Description": ""}}
    assert decode(encode("TrackActionResponse", value, XBOX_2013), XBOX_2013)[1] == value


# --- strictness ------------------------------------------------------------------------------------


def _doc(body: str, root: str = "TrackActionResponse", profile: Profile = XBOX_2013) -> str:
    return f'<{root} xmlns:i="{XSI_NS}" xmlns="{profile.xml_namespace}">{body}</{root}>'


def _kind(data: str | bytes, profile: Profile = XBOX_2013, **kw: object) -> str:
    with pytest.raises(XmlCodecError) as info:
        decode(data, profile, **kw)  # type: ignore[arg-type]
    return info.value.kind


def test_member_order_is_enforced() -> None:
    swapped = (
        str(_page_xml("response").body)
        .replace("<Id>music.AQQfuiqlXWaDzk-j0Ht9qB6EWwe1P4cAAQ</Id>", "#ID#")
        .replace("</InputId>", "</InputId><Id>music.AQQfuiqlXWaDzk-j0Ht9qB6EWwe1P4cAAQ</Id>")
        .replace("#ID#", "")
    )
    assert swapped.index("<InputId>") < swapped.index("<Id>")
    with pytest.raises(XmlCodecError) as info:
        decode(swapped, XBOX_2013)
    assert info.value.kind == "order"
    assert "TrackActionResult[0]/Id" in info.value.path
    assert decode(swapped, XBOX_2013, strict_order=False) == XML_000_JSON["response"]


def test_order_is_checked_at_the_top_level_too() -> None:
    body = "<TrackActionResults/><Error><Description>d</Description><ErrorCode>E</ErrorCode></Error>"
    assert _kind(_doc(body)) == "order"
    assert decode(_doc(body), XBOX_2013, strict_order=False)[1]["Error"] == {
        "Description": "d",
        "ErrorCode": "E",
    }


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (_doc("<TrackActionResults/>", profile=GROOVE_2016), "namespace"),  # the other profile's namespace
        ('<TrackActionResponse xmlns="urn:other"><TrackActionResults/></TrackActionResponse>', "namespace"),
        ("<TrackActionResponse><TrackActionResults/></TrackActionResponse>", "namespace"),  # no namespace
        (_doc('<TrackActionResults xmlns="urn:other"/>'), "namespace"),
        (_doc("<TrackActionResults/><Bogus/>"), "unknown"),
        (_doc("<TrackActionResults><TrackAction/></TrackActionResults>"), "unknown"),
        (_doc("<TrackActionResults/><TrackActionResults/>"), "duplicate"),
        (_doc("stray text<TrackActionResults/>"), "syntax"),
        (_doc("<TrackActionResults>text</TrackActionResults>"), "syntax"),
        (_doc("<Error><Description><b/></Description></Error>"), "syntax"),
        (_doc("<TrackActionResults/>", root="Nope"), "root"),
        ("<TrackActionResponse", "syntax"),
        ("", "syntax"),
        (
            _doc(
                "<PlaylistActionResult><Id>p</Id><IsPublished>yes</IsPublished></PlaylistActionResult>",
                root="PlaylistActionResponse",
            ),
            "type",
        ),
        (_doc("<Error i:nil='maybe'/>"), "type"),
    ],
)
def test_decode_rejects(data: str, kind: str) -> None:
    assert _kind(data) == kind


def test_decode_checks_the_expected_root() -> None:
    data = encode("TrackActionRequest", {"TrackIds": ["x"]}, XBOX_2013)
    with pytest.raises(XmlCodecError, match="expected <PlaylistAction>") as info:
        decode(data, XBOX_2013, expected_root="PlaylistAction")
    assert info.value.kind == "root"


def test_track_id_items_follow_the_profile() -> None:
    groove = encode("TrackActionRequest", {"TrackIds": ["x"]}, GROOVE_2016)
    xbox = encode("TrackActionRequest", {"TrackIds": ["x"]}, XBOX_2013)
    # the same items under the other profile's namespace and item form are refused
    assert (
        _kind(groove.replace(GROOVE_2016.xml_namespace.encode(), XBOX_2013.xml_namespace.encode()))
        == "unknown"
    )
    assert (
        _kind(xbox.replace(XBOX_2013.xml_namespace.encode(), GROOVE_2016.xml_namespace.encode()), GROOVE_2016)
        == "unknown"
    )
    wrong_ns = xbox.replace(ARRAYS_NS.encode(), b"urn:not-arrays")
    assert _kind(wrong_ns) == "namespace"


def test_booleans() -> None:
    base = "<PlaylistActionResult><Id>p</Id><IsPublished>{}</IsPublished></PlaylistActionResult>"
    for text, value in (("true", True), ("false", False), (" 1 ", True), ("0", False)):
        doc = _doc(base.format(text), root="PlaylistActionResponse")
        assert decode(doc, XBOX_2013)[1]["PlaylistActionResult"]["IsPublished"] is value
    assert b"<IsPublished>false</IsPublished>" in encode("PlaylistAction", {"IsPublished": False}, XBOX_2013)


@pytest.mark.parametrize(
    ("type_name", "value", "kind"),
    [
        ("TrackAction", {"Id": "x", "Action": "Add", "Extra": 1}, "unknown"),
        ("PlaylistActionResult", {"TrackActions": []}, "unknown"),  # E02's table name is not a member
        ("TrackAction", {"Id": 5}, "type"),
        ("PlaylistAction", {"IsPublished": "true"}, "type"),
        ("PlaylistAction", {"TrackActions": {"Id": "x"}}, "type"),
        ("TrackActionRequest", {"TrackIds": [1]}, "type"),
        ("TrackAction", {"Id": "bell \x07"}, "type"),  # not representable in XML 1.0
        ("TrackAction", {"Id": "lone \ud800"}, "type"),
        ("TrackAction", ["not", "an", "object"], "type"),
    ],
)
def test_encode_rejects(type_name: str, value: object, kind: str) -> None:
    with pytest.raises(XmlCodecError) as info:
        encode(type_name, value, GROOVE_2016)  # type: ignore[arg-type]
    assert info.value.kind == kind


# --- safe parsing ------------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<TrackActionRequest xmlns="http://schemas.microsoft.com/xboxmusic/2013/10/platform"
 xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
 <TrackIds><d2p1:string>&lol9;</d2p1:string></TrackIds></TrackActionRequest>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>
<TrackActionRequest xmlns="http://schemas.microsoft.com/xboxmusic/2013/10/platform"
 xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
 <TrackIds><d2p1:string>&xxe;</d2p1:string></TrackIds></TrackActionRequest>"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE TrackActionRequest SYSTEM "http://127.0.0.1:9/evil.dtd">
<TrackActionRequest xmlns="http://schemas.microsoft.com/xboxmusic/2013/10/platform"/>"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>
<TrackActionRequest xmlns="http://schemas.microsoft.com/xboxmusic/2013/10/platform"/>"""

UNDECLARED_ENTITY = _doc("<TrackActionResults/><Bogus>&undeclared;</Bogus>")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and refuse) any attempt to open a connection while the test runs."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network use during XML parsing")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.mark.parametrize(
    "data",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity"],
)
def test_dangerous_documents_are_refused_unexpanded(data: str, no_network: list[object]) -> None:
    with pytest.raises(XmlCodecError) as info:
        decode(data, XBOX_2013)
    assert info.value.kind == "forbidden"
    assert "lol" not in str(info.value) and "secret" not in str(info.value)
    assert no_network == []


def test_undeclared_entity_is_a_syntax_error() -> None:
    assert _kind(UNDECLARED_ENTITY) == "syntax"
