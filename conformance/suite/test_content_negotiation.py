"""Which format an answer comes in (common-parameters.md, 000's XML example; E11).

JSON without Accept or contentType; XML for ``Accept: application/xml`` and for ``contentType=xml``;
JSON for ``Accept: application/json`` and ``contentType=json`` whatever the body's format (an XML
body written in the dialect the target answers XML in, ``xmlread.request_dialect``, E22); and,
advisory, XML for an XML body without Accept, a Content-Type naming the format, no null members,
and errors in the format that was asked for.

Browse answers in XML are judged on their format only (and, in test_xml_roundtrip.py, on their
root): a real service's browse items carry members the schemas do not describe.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.ids import unknown_playlist_id
from conformance.suite.helpers import expect, xmlread
from conformance.suite.helpers.subjects import BROWSES, EDITS, OPERATIONS, Subject

# way -> (requirement, body format, options, expected answer format)
WAYS: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "json-body-no-accept": ("FMT-JSON-DEFAULT", "json", {"accept": None}, "json"),
    "accept-xml": ("FMT-ACCEPT-XML", "json", {"accept": "application/xml"}, "xml"),
    "content-type-param-xml": ("FMT-PARAM-XML", "json", {"accept": None, "content_type_param": "xml"}, "xml"),
    "xml-body-accept-json": ("FMT-JSON-EXPLICIT", "xml", {"accept": "application/json"}, "json"),
    "xml-body-content-type-param-json": (
        "FMT-JSON-EXPLICIT",
        "xml",
        {"accept": None, "content_type_param": "json"},
        "json",
    ),
    "xml-body-no-accept": ("FMT-XML-DEFAULT", "xml", {"accept": None}, "xml"),
    "accept-json": ("FMT-JSON-EXPLICIT", "json", {"accept": "application/json"}, "json"),
    "content-type-param-json": (
        "FMT-JSON-EXPLICIT",
        "json",
        {"accept": None, "content_type_param": "json"},
        "json",
    ),
}
BROWSE_WAYS = (
    "json-body-no-accept",
    "accept-json",
    "content-type-param-json",
    "accept-xml",
    "content-type-param-xml",
)
EDIT_WAYS = tuple(w for w in WAYS if w not in ("accept-json", "content-type-param-json"))


def _cases() -> list[Any]:
    out = []
    for op in OPERATIONS:
        for way in BROWSE_WAYS if op in BROWSES else EDIT_WAYS:
            out.append(
                pytest.param(
                    op,
                    way,
                    id=f"{op}-{way}",
                    marks=pytest.mark.requirement(WAYS[way][0], "FMT-MEDIA-TYPE", "FMT-NULL-OMITTED"),
                )
            )
    return out


def _nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path or "(body)"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize(("op", "way"), _cases())
def test_answer_format(op, way, client, catalog, created, capabilities, profile, verify):
    req, body_fmt, opts, wanted = WAYS[way]
    subject = Subject(op, client, catalog, created, capabilities, label=f"format-{way}")
    if body_fmt == "xml":  # E22: XML written in the dialect the target answers XML in
        dialect = xmlread.request_dialect(client, profile, catalog)
        body = subject.body()
        r = subject.send(body, **xmlread.xml_body(op, body, dialect), **opts)
    else:
        r = subject.send(fmt=body_fmt, **opts)
    verify.equal(req, r.format, wanted, "the answer's format")
    verify.status(req, r, 200)
    if wanted == "json":
        expect.body(verify, req, r, op)
    elif op not in BROWSES:
        answer = xmlread.read(r, profile)
        xmlread.remember(client, profile, answer)
        verify.that(req, answer.problem is None, "the answer is DataContract XML", actual=answer.problem)
        if answer.body is not None:
            verify.schema(req, answer.body, expect.schema_for(op, r.status))
    media = r.content_type.split(";", 1)[0].strip().lower()
    verify.that(
        "FMT-MEDIA-TYPE",
        media in (f"application/{r.format}", f"text/{r.format}"),
        "the Content-Type names the answer's format",
        expected=f"application/{r.format}",
        actual=r.content_type,
    )
    if r.format == "json":
        verify.equal("FMT-NULL-OMITTED", _nulls(json.loads(r.raw)), [], "JSON members that are null")
    elif r.format == "xml":
        verify.that(
            "FMT-NULL-OMITTED", b"nil=" not in r.raw, "no element is marked i:nil", actual=r.raw[:300]
        )


@pytest.mark.requirement("FMT-ERROR-FORMAT", "XML-ERROR-ROOT")
@pytest.mark.parametrize("op", EDITS)
@pytest.mark.parametrize("way", ["accept-xml", "content-type-param-xml"])
def test_error_in_the_requested_format(way, op, client, catalog, profile, verify):
    unknown = unknown_playlist_id()
    body = {
        "collection_add": {"TrackIds": catalog.invalid(101)},
        "collection_delete": {"TrackIds": catalog.invalid(101)},
        "playlist_create": {"Name": ""},
        "playlist_update": {"Id": unknown, "Name": "x"},
        "playlist_delete": {"Id": unknown},
    }[op]
    r = client.operation(op, body=body, **WAYS[way][2])
    verify.that("FMT-ERROR-FORMAT", 400 <= r.status < 500, "an error answer", actual=r.status)
    verify.equal("FMT-ERROR-FORMAT", r.format, "xml", "the error answer's format")
    answer = xmlread.read(r, profile)
    root = expect.schema_for(op, 200)
    verify.equal(
        "XML-ERROR-ROOT", answer.root, root, "the error document's root is the operation's response type"
    )
    verify.that(
        "XML-ERROR-ROOT",
        answer.body is not None and isinstance(answer.body.get("Error"), dict),
        "it holds the Error",
        actual=answer.body or answer.problem,
    )
