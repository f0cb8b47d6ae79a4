"""Bytes on the wire: reading request bodies, choosing the answer's format, encoding it.

Request formats (000; common-parameters.md): ``application/json`` (also ``text/json``) and
``application/xml`` (also ``text/xml``), in any letter case and with parameters (RFC 9110 section
8.3.1; ``application/json; charset=utf-8`` is what .NET clients send); a body without Content-Type
is read as JSON; any other type, or a charset other than UTF-8, is 400 INVALID_INPUT_PARAMETER
(E10). A body over ``MAX_BODY_BYTES`` is answered 413 with an Error body, read no further.

JSON is parsed strictly: UTF-8 only (a BOM is tolerated), no NaN/Infinity, no duplicate member,
an object at the top, nesting no deeper than the interpreter allows. XML is decoded by
``conformance.xml_codec`` (defusedxml: no DTD, no entity expansion, no network), in the dialect's
namespace or, leniently (E22), in the other documented one: the groove-2016 add page's own example
is in the 2013 namespace.

Query parameter names are matched ignoring case (``query_values``): the official client sends
``maxitems``, ``orderby`` and ``page`` in lower case (spec notes section 7).

Answer format (E11): the ``contentType`` query parameter (xml|json), else the ``Accept`` header
(``*/*`` counts as absent), else the request's own format (not under the variant
``xml-request-answers-json``), else JSON. Browse answers are
written as ``<ContentResponse>`` in the profile's namespace (XML-CONTENT-ROOT); only path-level
errors (ErrorResponse, which has no DataContract XML form in the codec) are always JSON.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from starlette.requests import Request

from conformance import xml_codec
from conformance.emulator.errors import ApiError
from conformance.emulator.limits import MAX_BODY_BYTES
from conformance.profiles import Profile

# The query parameter that chooses the answer's format (common-parameters.md; every operation's).
FORMAT_PARAMETER = "contentType"
JSON_TYPES = {"application/json", "text/json"}
XML_TYPES = {"application/xml", "text/xml"}
JSON_MEDIA = "application/json; charset=utf-8"
XML_MEDIA = "application/xml; charset=utf-8"


def query_values(request: Request, name: str, *, exact: bool = False) -> list[str]:
    """Every value of the query parameter ``name``, its name matched ignoring letter case (every
    spelling counts, so ``maxItems=1&maxitems=2`` is two values); ``exact``: letter for letter."""
    if exact:
        return request.query_params.getlist(name)
    key = name.lower()
    return [value for k, value in request.query_params.multi_items() if k.lower() == key]


def _media_type(header: str, exact: bool = False) -> tuple[str, dict[str, str]]:
    """(media type in lower case, parameters); ``exact``: a type with parameters or not in lower
    case comes back unrecognisable (the fault ``media-type-params-refused``)."""
    if exact and header.strip() != header.strip().lower().split(";")[0]:
        return header, {}
    parts = [p.strip() for p in header.split(";")]
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return parts[0].lower(), params


def request_format(request: Request, exact_media: bool = False) -> str | None:
    """'json' / 'xml' for the body's declared type, None when undeclared, 'other' otherwise."""
    header = request.headers.get("content-type")
    if header is None or not header.strip():
        return None
    media, _ = _media_type(header, exact_media)
    if media in JSON_TYPES:
        return "json"
    if media in XML_TYPES:
        return "xml"
    return "other"


def _accept_format(header: str | None, exact_media: bool = False) -> str | None:
    """The preferred of json/xml in an Accept header, None when it states no preference."""
    if not header:
        return None
    best: tuple[float, int, str] | None = None
    for index, item in enumerate(header.split(",")):
        media, params = _media_type(item, exact_media)
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        fmt = "json" if media in JSON_TYPES else "xml" if media in XML_TYPES else None
        if fmt is None or q <= 0:
            continue
        key = (q, -index, fmt)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def negotiate(
    request: Request,
    xml_ignored: bool = False,
    follow_request: bool = True,
    *,
    exact_names: bool = False,
    exact_media: bool = False,
) -> tuple[str, ApiError | None]:
    """(format of the answer, an error to report for a bad ``contentType``, raised after auth).

    ``follow_request=False``: without contentType and Accept the answer is JSON, whatever the
    request's own format. ``exact_names`` / ``exact_media``: the query parameter name and the
    media types letter for letter, without parameters (the interop faults)."""
    error = None
    chosen = None
    values = query_values(request, FORMAT_PARAMETER, exact=exact_names)
    if values:
        value = values[0].strip().lower()
        if len(values) == 1 and value in ("json", "xml"):
            chosen = value
        else:
            error = ApiError("INVALID_INPUT_PARAMETER", "Parameter contentType must be xml or json")
    if chosen is None:
        chosen = _accept_format(request.headers.get("accept"), exact_media)
    if xml_ignored and chosen == "xml":
        chosen = None
    if chosen is None:
        own = request_format(request, exact_media) if follow_request else None
        chosen = own if own in ("json", "xml") else "json"
    return chosen, error


async def read_body(request: Request) -> bytes:
    """The request body, at most MAX_BODY_BYTES; 413 beyond that (not read further)."""
    too_big = ApiError(
        "INVALID_INPUT_PARAMETER", f"The request body is limited to {MAX_BODY_BYTES} bytes", status=413
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError("INVALID_INPUT_PARAMETER", "Invalid Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise too_big
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate member {key!r}")
        out[key] = value
    return out


def decode_body(
    request: Request,
    body: bytes,
    type_name: str,
    profile: Profile,
    *,
    other_namespaces: tuple[Profile, ...] = (),
    exact_media: bool = False,
) -> Any:
    """The request object (a dict) from the body, or a 400 ApiError.

    XML is read in ``profile``'s dialect, else in the first of ``other_namespaces`` whose
    namespace the document's root is in (the leniency of E22)."""
    header = request.headers.get("content-type") or ""
    fmt = request_format(request, exact_media)
    if fmt == "other":
        raise ApiError(
            "INVALID_INPUT_PARAMETER", "Unsupported Content-Type; send application/json or application/xml"
        )
    charset = _media_type(header)[1].get("charset")
    if charset not in (None, "utf-8", "utf8"):
        raise ApiError("INVALID_INPUT_PARAMETER", "Only UTF-8 request bodies are accepted")
    if not body.strip():
        raise ApiError("MISSING_INPUT_PARAMETER", f"The request body must hold a {type_name}")
    if fmt == "xml":
        return _decode_xml(body, type_name, profile, other_namespaces)
    try:
        text = body.decode("utf-8-sig")
        obj = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise ApiError(
            "INVALID_INPUT_PARAMETER", f"The body is not valid JSON: {type(exc).__name__}"
        ) from None
    if not isinstance(obj, dict):
        raise ApiError("INVALID_INPUT_PARAMETER", f"The body must be a JSON object ({type_name})")
    return obj


def _decode_in(body: bytes, type_name: str, profile: Profile, others: tuple[Profile, ...]) -> Any:
    """The document read in ``profile``'s dialect, else in the first of ``others`` whose namespace
    its root is in; a document in none of them keeps ``profile``'s namespace error."""
    try:
        return xml_codec.decode(body, profile, expected_root=type_name)[1]
    except xml_codec.XmlCodecError as exc:
        if exc.kind != "namespace":
            raise
        mismatch = exc
    for other in others:
        try:
            return xml_codec.decode(body, other, expected_root=type_name)[1]
        except xml_codec.XmlCodecError as exc:
            if exc.kind != "namespace":
                raise
    raise mismatch


def _decode_xml(body: bytes, type_name: str, profile: Profile, others: tuple[Profile, ...] = ()) -> Any:
    try:
        obj = _decode_in(body, type_name, profile, others)
    except RecursionError:
        raise ApiError("INVALID_INPUT_PARAMETER", "The XML body is nested too deeply") from None
    except xml_codec.XmlCodecError as exc:
        raise ApiError(
            "INVALID_INPUT_PARAMETER", f"The body is not a valid {type_name} XML document: {exc}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - any failure to read untrusted XML is the client's error
        raise ApiError(
            "INVALID_INPUT_PARAMETER",
            f"The body is not a valid {type_name} XML document: {type(exc).__name__}",
        ) from None
    return obj


@functools.cache
def has_xml_form(type_name: str) -> bool:
    """Whether the codec can write ``type_name`` (ErrorResponse has no XML form)."""
    return type_name in xml_codec.xml_types()


def encode(fmt: str, type_name: str, body: dict[str, Any], profile: Profile) -> tuple[bytes, str]:
    """(bytes, media type) of a response object; JSON for a type that has no XML form."""
    if fmt == "xml" and has_xml_form(type_name):
        return xml_codec.encode(type_name, body, profile), XML_MEDIA
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), JSON_MEDIA
