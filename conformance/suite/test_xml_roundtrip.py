"""DataContract XML round-trips for the five edit operations, in the profile's dialect.

Each operation is sent as XML with an XML answer, as JSON with an XML answer (Accept, and the
``contentType`` parameter) and as XML with a JSON answer. An XML answer must have the response type
as its root, the dialect's namespace (xbox-2013: the 2013 one; groove-2016: either documented one,
the same throughout, and requests in it accepted — E22), a TrackActionResult's Id before its InputId
(000; every object in DataContract order is the SHOULD XML-ORDER-ALPHA, E28), list items named after
their type and booleans as xs:boolean literals (whether the value is the one sent is PUPD-PUBLISHED's).
An XML request — written in DataContract order, in the dialect of the target's first XML answer
(``xmlread.request_dialect``, E22: in groove-2016 that is the namespace and TrackIds item form it
answers in, not necessarily the SDK's), IsPublished written "true" in one and "false" in another —
must be accepted and have the effect of its JSON twin; and the XML and JSON answers to the same kind
of request (each twin on fresh data: new catalog tracks, a new name) carry the same information.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from conformance import judging, readback
from conformance.profiles import GROOVE_2016, XBOX_2013, Profile
from conformance.suite.helpers import builders, expect, xmlread
from conformance.suite.helpers.subjects import EDITS, Subject

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.plugin import Capabilities
    from conformance.verify import Verify


# mode -> (body format, client options, answer format)
MODES: dict[str, tuple[str, dict[str, Any], str]] = {
    "xml-request-xml-answer": ("xml", {}, "xml"),
    "json-request-accept-xml": ("json", {"accept": "application/xml"}, "xml"),
    "json-request-content-type-param-xml": ("json", {"accept": None, "content_type_param": "xml"}, "xml"),
    "xml-request-json-answer": ("xml", {"accept": "application/json"}, "json"),
}
LISTS = ("collection_add", "collection_delete", "playlist_create", "playlist_update")
# answers holding a TrackActionResult with both Id and InputId (the successful adds of Subject's bodies)
WITH_RESULT_IDS = ("collection_add", "playlist_create", "playlist_update")
BOOLEANS = ("playlist_create", "playlist_update")
TRACK_IDS = ("collection_add", "collection_delete")
NAMESPACE_REQS = ("XML-NS-XBOX", "XML-NS-ANY", "XML-NS-2016")


def _reqs(op: str, mode: str) -> list[str]:
    body_fmt, _, answer_fmt = MODES[mode]
    reqs = []
    if answer_fmt == "xml":
        reqs += ["XML-ROOT", "XML-ORDER-ALPHA", *NAMESPACE_REQS]
        reqs += ["XML-ORDER"] if op in WITH_RESULT_IDS else []
        reqs += ["XML-LIST-ITEMS"] if op in LISTS else []
        reqs += ["XML-BOOLEAN"] if op in BOOLEANS else []
    if body_fmt == "xml":
        reqs += ["FMT-XML-REQUEST", "XML-ORDER", *NAMESPACE_REQS]
        reqs += ["XML-TRACKIDS-XBOX", "XML-TRACKIDS-2016"] if op in TRACK_IDS else []
        reqs += ["XML-BOOLEAN"] if op in BOOLEANS else []
    return list(dict.fromkeys(reqs))


CASES = [
    pytest.param(op, mode, id=f"{op}-{mode}", marks=pytest.mark.requirement(*_reqs(op, mode)))
    for op in EDITS
    for mode in MODES
]


def _namespace_checks(verify: Verify, profile: Profile, answer: xmlread.XmlAnswer, what: str) -> None:
    """The answer's namespace: the 2013 one in xbox-2013; either documented one in groove-2016 (E22)."""
    if profile.name == XBOX_2013.name:
        verify.equal("XML-NS-XBOX", answer.namespace, XBOX_2013.xml_namespace, f"{what}: namespace")
        return
    verify.that(
        "XML-NS-ANY",
        answer.profile is not None and answer.problem_kind != "namespace",
        f"{what}: one documented API namespace, the same throughout",
        expected=" or ".join(xmlread.DOCUMENTED_NAMESPACES),
        actual=answer.problem or answer.namespace,
    )
    verify.equal("XML-NS-2016", answer.namespace, GROOVE_2016.xml_namespace, f"{what}: the SDK's namespace")


def check_xml_answer(verify: Verify, op: str, r: Any, profile: Profile, sent: dict[str, Any] | None) -> Any:
    """The XML rules on one successful answer; its content (JSON form) or None."""
    answer = xmlread.read(r, profile)
    root = expect.schema_for(op, 200)
    verify.that("XML-ROOT", answer.is_xml, "the answer is XML", actual=answer.problem)
    if not answer.is_xml:
        return None
    verify.equal("XML-ROOT", answer.root, root, "the root element")
    _namespace_checks(verify, profile, answer, "the answer")
    if answer.id_orders():  # E28: the one order 000 shows
        verify.that(
            "XML-ORDER",
            answer.id_order_problem is None,
            "each TrackActionResult writes Id before InputId (000)",
            actual=answer.id_order_problem,
        )
    verify.that(
        "XML-ORDER-ALPHA",
        answer.order_problem is None,
        "members in DataContract order",
        actual=answer.order_problem,
    )
    if answer.body is not None:
        verify.schema("XML-ROOT", answer.body, root)
    if op in LISTS:
        results = expect.results(answer.body) if answer.body is not None else None
        inputs = _inputs(op, sent)
        verify.that(
            "XML-LIST-ITEMS",
            answer.problem_kind not in ("unknown", "namespace")
            and results is not None
            and len(results) == len(inputs),
            "one <TrackActionResult> per entry inside <TrackActionResults>",
            expected=len(inputs),
            actual=answer.problem or (None if results is None else len(results)),
        )
    literals = answer.texts("IsPublished") if op in BOOLEANS else []
    if literals:  # only the form: whether it is the value sent is PUPD-PUBLISHED's
        verify.that(
            "XML-BOOLEAN",
            all(t.strip() in xmlread.XS_BOOLEAN for t in literals),
            "IsPublished is written as an xs:boolean literal",
            expected=" or ".join(xmlread.XS_BOOLEAN),
            actual=literals,
        )
    return answer.body


def _inputs(op: str, sent: dict[str, Any] | None) -> list[str]:
    if not sent:
        return []
    if op in TRACK_IDS:
        return list(sent["TrackIds"])
    return [a["Id"] for a in sent.get("TrackActions") or []]


def _effect(
    op: str, client: Client, sent: dict[str, Any], content: dict[str, Any], capabilities: Capabilities
) -> tuple[str, Any]:
    """(what, holds) for the effect of a request, read back."""
    if op == "collection_add":
        got = [g.get("Id") for g in expect.results(content) or []]
        listed = readback.collection_track_ids(client)
        return "the added track is listed", bool(got) and all(i in listed for i in got)
    if op == "collection_delete":
        listed = readback.collection_track_ids(client)
        return "the deleted track is gone", not set(sent["TrackIds"]) & set(listed)
    if op == "playlist_delete":
        return "the playlist is gone", readback.playlist(client, sent["Id"]) is None
    pid = sent.get("Id") or (content.get("PlaylistActionResult") or {}).get("Id")
    # by Id, else by the unique name sent (E15: a browse may list another form of the Id)
    item = readback.playlist(client, pid, sent["Name"]) if isinstance(pid, str) else None
    return "the playlist is listed with the name sent", item is not None and item.get("Name") == sent["Name"]


def _send(subject: Subject, body: dict[str, Any], fmt: str, dialect: Profile | None, **opts: Any) -> Any:
    """Send ``body`` as JSON, or as XML in ``dialect`` (the learned one, E22)."""
    if fmt == "xml":
        assert dialect is not None
        return subject.send(body, **xmlread.xml_body(subject.op, body, dialect), **opts)
    return subject.send(body, fmt=fmt, **opts)


@pytest.mark.parametrize(("op", "mode"), CASES)
def test_round_trip(op, mode, client, catalog, created, capabilities, profile, verify):
    body_fmt, opts, answer_fmt = MODES[mode]
    published = mode != "xml-request-json-answer"  # XML requests write "true" once and "false" once
    subject = Subject(op, client, catalog, created, capabilities, label=f"xml-{mode}", published=published)
    dialect = xmlread.request_dialect(client, profile, catalog) if body_fmt == "xml" else None
    sent = subject.body()
    r = _send(subject, sent, body_fmt, dialect, **opts)
    main = "FMT-XML-REQUEST" if body_fmt == "xml" else "XML-ROOT"
    verify.status(main, r, 200)
    if dialect is not None:
        accepted = r.status == 200
        where = f"in {dialect.xml_namespace}"
        verify.that(
            "XML-ORDER",
            accepted,
            f"a request {where} with its members in DataContract order is accepted",
            actual=r.status,
        )
        if profile.name == XBOX_2013.name:
            verify.that(
                "XML-NS-XBOX", accepted, "a request in the 2013 namespace is accepted", actual=r.status
            )
        else:
            verify.that(
                "XML-NS-ANY",
                accepted,
                f"a request in the namespace the answers use ({where}) is accepted",
                actual=r.status,
            )
            if dialect.name == GROOVE_2016.name:
                verify.that(
                    "XML-NS-2016", accepted, "a request in the SDK's namespace is accepted", actual=r.status
                )
        if op in TRACK_IDS:
            item = f"TrackIds items as <{dialect.trackid_item[1]}> are accepted"
            if profile.name == XBOX_2013.name:
                verify.that("XML-TRACKIDS-XBOX", accepted, item, actual=r.status)
            elif dialect.name == GROOVE_2016.name:
                verify.that("XML-TRACKIDS-2016", accepted, item, actual=r.status)
        if op in BOOLEANS:
            literal = "true" if published else "false"
            verify.that(
                "XML-BOOLEAN", accepted, f"IsPublished written {literal!r} is accepted", actual=r.status
            )
    if answer_fmt == "xml":
        content = check_xml_answer(verify, op, r, profile, sent)
        xmlread.remember(client, profile, xmlread.read(r, profile))
    else:
        verify.equal("FMT-XML-REQUEST", r.format, "json", "the answer's format")
        expect.body(verify, "FMT-XML-REQUEST", r, op)
        content = r.body
    if body_fmt != "xml" or r.status != 200:
        return
    readback.need_browse(verify, capabilities, "the effect of the XML request")
    what, holds = _effect(op, client, sent, content or {}, capabilities)
    verify.that("FMT-XML-REQUEST", holds, f"same effect as JSON: {what}", actual=content)


def _projection(op: str, body: Any, sent: dict[str, Any]) -> Any:
    """The information of an answer, without what differs between twins by design: the Ids a
    server mints afresh, and the values each twin sent (compared as "the one sent")."""
    if not isinstance(body, dict):
        return body
    top = (body.get("Error") or {}).get("ErrorCode") if isinstance(body.get("Error"), dict) else None
    inputs = _inputs(op, sent)
    items = []
    matching = judging.match_results(inputs, expect.results(body))  # E27: results matched by InputId
    for i, g in enumerate([*matching.by_entry, *matching.unmatched]):
        g = g if isinstance(g, dict) else {}
        items.append(
            {
                "InputId is the entry": i < len(inputs) and g.get("InputId") == inputs[i],
                "has Id": expect.has_value(g, "Id"),
                "ErrorCode": (expect.item_error(g) or {}).get("ErrorCode"),
            }
        )
    result = body.get("PlaylistActionResult")
    playlist = None
    if isinstance(result, dict):
        answered = {k: result.get(k) for k in ("Name", "IsPublished") if result.get(k) is not None}
        playlist = {
            "has Id": expect.has_value(result, "Id"),
            # present or not, and when present the value this twin sent (E26: each twin its own name)
            **{f"{k} is the one sent": v == sent.get(k) for k, v in answered.items()},
            "has results": "TrackActionResults" in result,
        }
    return {"Error": top, "results": items, "PlaylistActionResult": playlist}


@pytest.mark.requirement("XML-SAME-INFO")
@pytest.mark.parametrize("op", EDITS)
def test_xml_and_json_answers_carry_the_same_information(
    op, client, catalog, created, capabilities, profile, verify
):
    """Twins: the same kind of request, once in JSON and once in XML, each on fresh data (new catalog
    tracks, which a repeat could make fail, E17; a new name, E26; a new invalid entry), so that
    the two answers can only differ by their encoding."""
    subject = Subject(op, client, catalog, created, capabilities, label="xml-same", invalid_item=True)
    dialect = xmlread.request_dialect(client, profile, catalog)
    as_json = subject.body()
    as_xml = subject.body()
    if as_xml and "Name" in as_xml and as_xml["Name"] == as_json["Name"]:
        as_xml["Name"] = created.name("xml-same")  # E26: never two playlists of one name
    j = subject.send(as_json, fmt="json", accept="application/json")
    x = _send(subject, as_xml, "xml", dialect, accept="application/xml")
    verify.equal("XML-SAME-INFO", x.status, j.status, "the same HTTP status")
    answer = xmlread.read(x, profile)
    verify.that("XML-SAME-INFO", answer.body is not None, "the XML answer is readable", actual=answer.problem)
    verify.equal(
        "XML-SAME-INFO",
        _projection(op, answer.body, as_xml),
        _projection(op, j.body, as_json),
        "results, InputIds, Ids present, error codes, Name and IsPublished",
    )


@pytest.mark.requirement("XML-NS-ANY")
@pytest.mark.parametrize("op", EDITS)
def test_request_in_the_namespace_the_answers_use(
    op, client, catalog, created, capabilities, profile, verify
):
    """E22 (groove-2016): whichever documented namespace the service answers in, it reads requests in it."""
    subject = Subject(op, client, catalog, created, capabilities, label="xml-ns")
    first = subject.send(fmt="json", accept="application/xml")
    answer = xmlread.read(first, profile)
    verify.that(
        "XML-NS-ANY",
        answer.profile is not None,
        "the answer is in a documented namespace",
        actual=answer.problem or answer.namespace,
    )
    xmlread.remember(client, profile, answer)  # the dialect every XML test writes requests in
    dialect = answer.profile or profile
    sent = subject.body()
    r = _send(subject, sent, "xml", dialect, accept="application/xml")
    verify.status("XML-NS-ANY", r, 200)
    error = (xmlread.read(r, profile).body or {}).get("Error")
    verify.that("XML-NS-ANY", error is None, f"a request in {dialect.xml_namespace} is read", actual=error)


@pytest.mark.requirement("XML-CONTENT-ROOT")
@pytest.mark.parametrize("op", ["collection_browse", "playlist_tracks_browse"])
def test_xml_browse_answer_is_a_content_response(op, client, catalog, created, capabilities, profile, verify):
    """E22: an XML browse answer is rooted at ContentResponse in the dialect's namespace.

    Only the root and its namespace are judged: a real service's browse items carry members
    (Album, Artists, ...) that the schemas do not describe, so a full decode would be unfair.
    """
    if op == "collection_browse":
        capabilities.require_browse()
        builders.make_playlist(client, created, catalog, "xml-content")  # E30: none may be a 404
        r = client.collection_browse("playlists", max_items=1, accept="application/xml")
    else:
        capabilities.require_tracks_browse()
        made = builders.make_playlist(client, created, catalog, "xml-content", 1)
        r = client.playlist_tracks_browse(made.id, accept="application/xml")
    answer = xmlread.read(r, profile)
    verify.that(
        "XML-CONTENT-ROOT",
        answer.is_xml and (answer.root, answer.namespace) == ("ContentResponse", profile.xml_namespace),
        "the XML browse answer is a ContentResponse in the profile's namespace",
        expected=f"ContentResponse in {profile.xml_namespace}",
        actual=f"{answer.root} in {answer.namespace}" if answer.is_xml else answer.problem,
    )
