""".NET DataContract XML for the collection-edit types, with the structure read from the schemas.

The service is a .NET one: besides JSON it reads and writes the XML of ``DataContractSerializer``
(000's "Add a track using XML instead of JSON").  That XML is:

* a root element named after the type, in the dialect's namespace (``profile.xml_namespace``),
  declaring ``xmlns:i`` as the XML Schema instance namespace (as 000 does);
* one element per member, in the same namespace, in ordinal alphabetical order (000's response
  writes ``Id`` before ``InputId``); null members are left out;
* a list member holds one element per item, named after the item type (``TrackActionResults``
  holds ``TrackActionResult`` elements); the items of the string list ``TrackIds`` are written as
  the profile says (xbox-2013: ``<d2p1:string>`` in the Arrays namespace, declared on the list
  element; groove-2016: ``<TrackId>``);
* booleans are ``true`` / ``false``.

Which member is a string, a boolean, an integer, an object of which type or a list of which
type is derived from ``schemas/*.json`` (``$ref`` names and ``type``), never restated here.  A
member whose form the codec cannot derive (ContentResponse's paginated lists of tracks with
their generic objects and dictionaries) is refused with an ``unsupported`` error when it is
present: browse answers are spoken in JSON only, but a browse Error document still has its XML
form (``<ContentResponse><Error>…</Error></ContentResponse>``).

Error documents use the operation's response type as the root
(``<TrackActionResponse><Error>…</Error></TrackActionResponse>``): ``Error`` is a member of every
response type, so they encode and decode like any other instance.  ``ErrorResponse`` itself is
marked ``"x-dataContract": false`` in its schema and has no XML form.

Decoding is strict, as the .NET reader is: a wrong root, a wrong namespace, an unknown or
repeated element, text where elements belong, or a malformed value raise :class:`XmlCodecError`.
The .NET reader is also order-sensitive (a member out of order is not read), so members out of
DataContract order raise an error of kind ``"order"`` — unless ``strict_order=False``, which reads
them in any order.  A caller that must both report the order problem and look at the content
(the suite) catches the ``"order"`` error and decodes again with ``strict_order=False``.

Parsing never loads a DTD, never expands an entity and never fetches anything (defusedxml with
every ``forbid_*`` on): a document with a DOCTYPE is refused before any expansion.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden, NotSupportedError
from defusedxml.ElementTree import fromstring

from conformance import contract
from conformance.profiles import PROFILES, XSI_NS, Profile

ErrorKind = Literal[
    "syntax",  # not well-formed XML, text where elements belong, or no document at all
    "forbidden",  # DTD, entity declaration or external reference
    "root",  # the root element is not the expected type, or no known type
    "namespace",  # an element in another namespace than the profile's
    "unknown",  # an element (or, when encoding, a key) the type does not define
    "duplicate",  # a member given twice
    "order",  # members out of DataContract order (strict_order=True)
    "type",  # a value of the wrong type, e.g. a boolean that is not true/false
    "unsupported",  # a type whose structure the codec cannot derive from its schema
]

MemberKind = Literal["string", "boolean", "integer", "object", "list", "string_list", "unsupported"]

_XSI_NIL = f"{{{XSI_NS}}}nil"
_TAG = re.compile(r"^(?:\{(?P<ns>[^}]*)\})?(?P<local>.+)$")
# Characters XML 1.0 can carry (https://www.w3.org/TR/xml/#charsets).
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class XmlCodecError(ValueError):
    """XML that is not the DataContract form of a known type, or an object that cannot be written.

    ``kind`` tells the reason apart (see :data:`ErrorKind`); ``path`` is where, as element names
    from the root (``TrackActionResponse/TrackActionResults/TrackActionResult[1]/InputId``).
    """

    def __init__(self, kind: ErrorKind, message: str, path: str = "") -> None:
        self.kind: ErrorKind = kind
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class Member:
    """One DataContract member of a type, as derived from the type's schema."""

    name: str
    kind: MemberKind
    type_name: str | None = None  # the object type ("object") or the item type ("list")


# --- structure, from the schemas ----------------------------------------------------------------


def _non_null(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The one non-null alternative of a member schema (``anyOf [X, null]`` or ``type [T, null]``)."""
    if "anyOf" in schema or "oneOf" in schema:
        branches = [b for b in schema.get("anyOf", schema.get("oneOf", ())) if b.get("type") != "null"]
        if len(branches) != 1:
            return None
        schema = branches[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        if len(kinds) != 1:
            return None
        schema = {**schema, "type": kinds[0]}
    return schema


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.endswith(".json"):
        return ref.rsplit("/", 1)[-1][: -len(".json")]
    return None


def _member(type_name: str, name: str, schema: dict[str, Any]) -> Member:
    sub = _non_null(schema)
    if sub is not None:
        ref = _ref_name(sub)
        if ref:
            return Member(name, "object", ref)
        kind = sub.get("type")
        if kind in ("string", "boolean", "integer"):
            return Member(name, kind)
        if kind == "array":
            items = sub.get("items", {})
            item_ref = _ref_name(items)
            if item_ref:
                return Member(name, "list", item_ref)
            if items.get("type") == "string":
                return Member(name, "string_list")
    return Member(name, "unsupported")  # refused when present, so that the rest of the type still works


@functools.cache
def structure(type_name: str) -> tuple[Member, ...]:
    """The members of ``type_name`` in DataContract order (ordinal, alphabetical).

    A member whose schema gives no DataContract form (a generic object, a dictionary, a
    paginated list of ...) has kind ``"unsupported"``: an instance or a document that holds it
    is refused, one without it is fine (an Error document rooted at ContentResponse, say).
    """
    try:
        schema = contract.load_schema(type_name)
    except contract.ContractError as exc:
        raise XmlCodecError("root", str(exc)) from None
    if schema.get("x-dataContract") is False:
        raise XmlCodecError(
            "unsupported",
            f"{type_name} has no XML form of its own; write the Error under the operation's response type",
        )
    if schema.get("type") != "object" or "properties" not in schema:
        raise XmlCodecError("unsupported", f"{type_name} is not an object type")
    members = [_member(type_name, name, sub) for name, sub in schema["properties"].items()]
    for m in members:
        if m.kind in ("object", "list"):
            assert m.type_name is not None
            structure(m.type_name)  # fails now, not halfway through a document
    return tuple(sorted(members, key=lambda m: m.name))


def _fully_supported(type_name: str) -> bool:
    try:
        members = structure(type_name)
    except XmlCodecError:
        return False
    return all(
        m.kind != "unsupported" and (m.type_name is None or _fully_supported(m.type_name)) for m in members
    )


def xml_types() -> tuple[str, ...]:
    """Every schema name whose every member has a DataContract XML form."""
    return tuple(name for name in contract.schema_names() if _fully_supported(name))


def _unsupported(type_name: str, member: str, path: str) -> XmlCodecError:
    return XmlCodecError("unsupported", f"{type_name}.{member} has no DataContract form (JSON only)", path)


# --- encoding ----------------------------------------------------------------------------------


def _text(value: str, path: str) -> str:
    bad = _NOT_XML_CHAR.search(value)
    if bad:
        raise XmlCodecError("type", f"character U+{ord(bad.group()):04X} cannot be written in XML 1.0", path)
    # \r would come back as \n after end-of-line normalisation; write it as a reference.
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#xD;")


def _scalar(member: Member, value: Any, path: str) -> str:
    if member.kind == "string":
        if not isinstance(value, str):
            raise XmlCodecError("type", f"expected a string, got {type(value).__name__}", path)
        return _text(value, path)
    if member.kind == "boolean":
        if not isinstance(value, bool):
            raise XmlCodecError("type", f"expected a boolean, got {type(value).__name__}", path)
        return "true" if value else "false"
    if isinstance(value, bool) or not isinstance(value, int):
        raise XmlCodecError("type", f"expected an integer, got {type(value).__name__}", path)
    return str(value)


def _write_members(out: list[str], type_name: str, obj: Any, profile: Profile, path: str) -> None:
    if not isinstance(obj, dict):
        raise XmlCodecError("type", f"expected an object ({type_name}), got {type(obj).__name__}", path)
    members = structure(type_name)
    known = {m.name for m in members}
    unknown = sorted(k for k in obj if k not in known)
    if unknown:
        raise XmlCodecError("unknown", f"{type_name} has no member {', '.join(map(repr, unknown))}", path)
    for m in members:
        value = obj.get(m.name)
        if value is None:
            continue  # EmitDefaultValue = false: null members are left out
        here = f"{path}/{m.name}"
        if m.kind == "unsupported":
            raise _unsupported(type_name, m.name, here)
        if m.kind == "object":
            assert m.type_name is not None
            out.append(f"<{m.name}>")
            _write_members(out, m.type_name, value, profile, here)
            out.append(f"</{m.name}>")
        elif m.kind == "list":
            assert m.type_name is not None
            if not isinstance(value, list):
                raise XmlCodecError("type", f"expected a list, got {type(value).__name__}", here)
            out.append(f"<{m.name}>")
            for i, item in enumerate(value):
                out.append(f"<{m.type_name}>")
                _write_members(out, m.type_name, item, profile, f"{here}/{m.type_name}[{i}]")
                out.append(f"</{m.type_name}>")
            out.append(f"</{m.name}>")
        elif m.kind == "string_list":
            if not isinstance(value, list):
                raise XmlCodecError("type", f"expected a list, got {type(value).__name__}", here)
            item_ns, item_local = profile.trackid_item
            if item_ns == profile.xml_namespace:
                out.append(f"<{m.name}>")
                item_tag = item_local
            else:
                if not profile.trackid_prefix:
                    raise XmlCodecError("unsupported", f"{profile.name} names no prefix for {item_ns}", here)
                out.append(f'<{m.name} xmlns:{profile.trackid_prefix}="{item_ns}">')
                item_tag = f"{profile.trackid_prefix}:{item_local}"
            for i, item in enumerate(value):
                text = _scalar(Member(m.name, "string"), item, f"{here}[{i}]")
                out.append(f"<{item_tag}>{text}</{item_tag}>")
            out.append(f"</{m.name}>")
        else:
            out.append(f"<{m.name}>{_scalar(m, value, here)}</{m.name}>")


def encode(type_name: str, obj: dict, profile: Profile) -> bytes:
    """``obj`` (the JSON form of a ``type_name``) as DataContract XML of ``profile``, UTF-8, compact.

    Null members are left out; a key the type does not define, or a value of the wrong type,
    raises :class:`XmlCodecError` (nothing is guessed).
    """
    out = [f'<{type_name} xmlns:i="{XSI_NS}" xmlns="{profile.xml_namespace}">']
    _write_members(out, type_name, obj, profile, type_name)
    out.append(f"</{type_name}>")
    return "".join(out).encode("utf-8")


# --- decoding ----------------------------------------------------------------------------------


def _split(tag: Any) -> tuple[str, str]:
    if not isinstance(tag, str):  # comments and processing instructions are not kept by the parser
        raise XmlCodecError("syntax", "unexpected node")
    m = _TAG.match(tag)
    assert m is not None
    return m.group("ns") or "", m.group("local")


def _describe_ns(ns: str) -> str:
    names = [p.name for p in PROFILES.values() if p.xml_namespace == ns]
    where = f" (the {names[0]} namespace)" if names else ""
    return f"{ns!r}{where}" if ns else "no namespace"


def _only_whitespace(text: str | None) -> bool:
    return text is None or not text.strip()


def _check_no_text(el: Element, path: str) -> None:
    if not _only_whitespace(el.text):
        raise XmlCodecError("syntax", f"unexpected text {el.text.strip()[:40]!r}", path)
    for child in el:
        if not _only_whitespace(child.tail):
            raise XmlCodecError("syntax", f"unexpected text {child.tail.strip()[:40]!r}", path)


def _is_nil(el: Element, path: str) -> bool:
    nil = el.get(_XSI_NIL)
    if nil is None:
        return False
    if nil.strip() not in ("true", "1", "false", "0"):
        raise XmlCodecError("type", f"i:nil must be true or false, got {nil!r}", path)
    if nil.strip() in ("true", "1"):
        if len(el) or not _only_whitespace(el.text):
            raise XmlCodecError("syntax", "an element with i:nil=\"true\" must be empty", path)
        return True
    return False


def _leaf_text(el: Element, path: str) -> str:
    if len(el):
        raise XmlCodecError("syntax", f"unexpected element <{_split(el[0].tag)[1]}> inside a value", path)
    return el.text or ""


def _read_scalar(member: Member, el: Element, path: str) -> Any:
    text = _leaf_text(el, path)
    if member.kind == "string":
        return text
    value = text.strip()
    if member.kind == "boolean":
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        raise XmlCodecError("type", f"expected true or false, got {text[:40]!r}", path)
    if not _INTEGER.match(value):
        raise XmlCodecError("type", f"expected an integer, got {text[:40]!r}", path)
    return int(value)


def _read_members(el: Element, type_name: str, profile: Profile, path: str, strict_order: bool) -> dict:
    members = {m.name: (i, m) for i, m in enumerate(structure(type_name))}
    _check_no_text(el, path)
    result: dict[str, Any] = {}
    last_index, last_name = -1, ""
    for child in el:
        ns, local = _split(child.tag)
        here = f"{path}/{local}"
        if ns != profile.xml_namespace:
            expected = _describe_ns(profile.xml_namespace)
            raise XmlCodecError("namespace", f"<{local}> is in {_describe_ns(ns)}, expected {expected}", here)
        if local not in members:
            raise XmlCodecError("unknown", f"{type_name} has no member {local!r}", here)
        if local in result:
            raise XmlCodecError("duplicate", f"member {local!r} appears twice", here)
        index, member = members[local]
        if member.kind == "unsupported":
            raise _unsupported(type_name, local, here)
        if strict_order and index < last_index:
            raise XmlCodecError(
                "order", f"<{local}> comes after <{last_name}>; DataContract order is alphabetical", here
            )
        if index > last_index:
            last_index, last_name = index, local
        nil = _is_nil(child, here)
        result[local] = None if nil else _read_value(member, child, profile, here, strict_order)
    return result


def _read_value(member: Member, el: Element, profile: Profile, path: str, strict_order: bool) -> Any:
    if member.kind == "object":
        assert member.type_name is not None
        return _read_members(el, member.type_name, profile, path, strict_order)
    if member.kind == "list":
        assert member.type_name is not None
        _check_no_text(el, path)
        items = []
        for i, child in enumerate(el):
            ns, local = _split(child.tag)
            here = f"{path}/{local}[{i}]"
            if (ns, local) != (profile.xml_namespace, member.type_name):
                raise XmlCodecError(
                    "namespace" if local == member.type_name else "unknown",
                    f"expected <{member.type_name}> in {_describe_ns(profile.xml_namespace)}, "
                    f"got <{local}> in {_describe_ns(ns)}",
                    here,
                )
            nil = _is_nil(child, here)
            items.append(None if nil else _read_members(child, member.type_name, profile, here, strict_order))
        return items
    if member.kind == "string_list":
        _check_no_text(el, path)
        item_ns, item_local = profile.trackid_item
        values = []
        for i, child in enumerate(el):
            ns, local = _split(child.tag)
            here = f"{path}/{local}[{i}]"
            if (ns, local) != (item_ns, item_local):
                raise XmlCodecError(
                    "namespace" if local == item_local else "unknown",
                    f"expected <{item_local}> in {_describe_ns(item_ns)} ({profile.name}), "
                    f"got <{local}> in {_describe_ns(ns)}",
                    here,
                )
            values.append(None if _is_nil(child, here) else _leaf_text(child, here))
        return values
    return _read_scalar(member, el, path)


def parse(data: bytes | str) -> Element:
    """Parse ``data`` safely: no DTD, no entity, no external reference, no network."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise XmlCodecError("syntax", "empty document")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        raise XmlCodecError("forbidden", "document type declarations (DTDs) are not accepted") from None
    except EntitiesForbidden:
        raise XmlCodecError("forbidden", "entity declarations are not accepted") from None
    except ExternalReferenceForbidden:
        raise XmlCodecError("forbidden", "external references are not accepted") from None
    except NotSupportedError as exc:
        raise XmlCodecError("forbidden", f"unsupported XML feature: {exc}") from None
    except ParseError as exc:
        raise XmlCodecError("syntax", f"not well-formed XML: {exc}") from None


def decode(
    data: bytes | str, profile: Profile, expected_root: str | None = None, *, strict_order: bool = True
) -> tuple[str, dict]:
    """Read a DataContract document of ``profile``: ``(root type name, JSON form)``.

    ``expected_root`` (a type name) makes any other root an error of kind ``"root"``.  Elements
    marked ``i:nil="true"`` decode to None.  Required members are not checked here: validate
    the result against the schema (``contract.validate``) for that.  With ``strict_order=False``
    members are accepted in any order (see the module docstring).
    """
    root = parse(data)
    ns, local = _split(root.tag)
    if expected_root is not None and local != expected_root:
        raise XmlCodecError("root", f"the root element is <{local}>, expected <{expected_root}>", local)
    if ns != profile.xml_namespace:
        raise XmlCodecError(
            "namespace",
            f"the root element is in {_describe_ns(ns)}, expected {_describe_ns(profile.xml_namespace)}",
            local,
        )
    try:
        structure(local)
    except XmlCodecError as exc:
        if exc.kind == "root":
            raise XmlCodecError("root", f"<{local}> is not a type of the contract", local) from None
        raise
    if _is_nil(root, local):
        raise XmlCodecError("type", "the root element is nil", local)
    return local, _read_members(root, local, profile, local, strict_order)
