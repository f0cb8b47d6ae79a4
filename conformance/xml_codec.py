""".NET DataContract XML for the API types, with the structure read from the schemas.

The service is a .NET one: besides JSON it reads and writes the XML of ``DataContractSerializer``
(000's "Add a track using XML instead of JSON").  That XML is:

* a root element named after the type, in the dialect's namespace (``profile.xml_namespace``),
  declaring ``xmlns:i`` as the XML Schema instance namespace (as 000 does);
* one element per member, in the same namespace, in ordinal alphabetical order (000's response
  writes ``Id`` before ``InputId``); null members are left out;
* a list member holds one element per item, named after the item type (``TrackActionResults``
  holds ``TrackActionResult`` elements, a browse answer's ``Tracks/Items`` holds ``Track``
  elements);
* a list of strings is .NET's ``List<string>``: ``<d2p1:string>`` items in the Arrays namespace,
  declared on the list element (``Track.Genres``, ``Track.Rights``).  The one exception is
  ``TrackIds``, whose item form is a difference between the dialects (``profile.trackid_item``:
  xbox-2013 writes ``<d2p1:string>``, groove-2016 ``<TrackId>`` in the API namespace);
* a string-to-string map (``OtherIds``) is .NET's ``Dictionary<string, string>``: one
  ``<d2p1:KeyValueOfstringstring>`` per entry holding ``<d2p1:Key>`` and ``<d2p1:Value>``, all in
  the Arrays namespace;
* booleans are ``true`` / ``false``, integers decimal.

Which member is a string, a boolean, an integer, a map, an object of which type or a list of
which type is derived from ``schemas/*.json`` (``$ref`` names and ``type``), never restated here.
A paginated list is ``allOf [PaginatedList, {Items: {items: Track}}]`` in the schemas: the codec
reads that as the object type PaginatedList whose ``Items`` hold ``Track`` elements.

Some members have a JSON type but no type the schemas name: a generic object (``Track.Album``)
or the items of a list whose item type is left open (``Track.Artists``, the ``Items`` of
``ContentResponse.Albums`` / ``.Artists``, a bare ``PaginatedList``).  Their XML element names
cannot be derived, so such a member is refused with an ``unsupported`` error when it holds
something (a present generic object, a non-empty list); an empty list is written and read as an
empty element.  A type whose members all have a form (up to these) is in :func:`xml_types`.

Error documents use the operation's response type as the root
(``<TrackActionResponse><Error>…</Error></TrackActionResponse>``,
``<ContentResponse><Error>…</Error></ContentResponse>``): ``Error`` is a member of every response
type, so they encode and decode like any other instance.  ``ErrorResponse`` itself is marked
``"x-dataContract": false`` in its schema and has no XML form.

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
from conformance.profiles import ARRAYS_NS, PROFILES, XSI_NS, Profile

ErrorKind = Literal[
    "syntax",  # not well-formed XML, text where elements belong, or no document at all
    "forbidden",  # DTD, entity declaration or external reference
    "root",  # the root element is not the expected type, or no known type
    "namespace",  # an element in another namespace than the profile's
    "unknown",  # an element (or, when encoding, a key) the type does not define
    "duplicate",  # a member (or a map key) given twice
    "order",  # members out of DataContract order (strict_order=True)
    "type",  # a value of the wrong type, e.g. a boolean that is not true/false
    "unsupported",  # a type or member whose structure the codec cannot derive from its schema
]

MemberKind = Literal[
    "string",
    "boolean",
    "integer",
    "object",  # an object of the type ``type_name``
    "list",  # items of the type ``type_name``; None: the schema names no item type (empty lists only)
    "string_list",  # List<string>
    "string_map",  # Dictionary<string, string>
    "opaque",  # a JSON object of no named type: refused when present
    "unsupported",  # no DataContract form at all; the type is not in xml_types()
]

_XSI_NIL = f"{{{XSI_NS}}}nil"
_TAG = re.compile(r"^(?:\{(?P<ns>[^}]*)\})?(?P<local>.+)$")
# Characters XML 1.0 can carry (https://www.w3.org/TR/xml/#charsets).
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")

# The string list whose item form the dialects write differently (``Profile.trackid_item``); every
# other list of strings is written as .NET writes a List<string>.
_PROFILE_ITEM_LIST = "TrackIds"
# The prefix under which the Arrays namespace is declared on a List<string> or a dictionary
# (000 declares it as d2p1; any prefix is read).
_ARRAYS_PREFIX = "d2p1"
_MAP_ENTRY, _MAP_KEY, _MAP_VALUE = "KeyValueOfstringstring", "Key", "Value"


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
    # For an "object": the item types this use binds to list members of the object type, as
    # (member, item type or None) pairs -- ``Tracks: allOf [PaginatedList, {Items: {items: Track}}]``
    # gives ``(("Items", "Track"),)``.
    item_types: tuple[tuple[str, str | None], ...] = ()


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


def _is_generic_object(schema: dict[str, Any]) -> bool:
    """A JSON object whose type the schema does not name or describe (``{"type": "object"}``)."""
    return schema.get("type") == "object" and not {"$ref", "properties", "additionalProperties"} & set(schema)


def _item_type(items: dict[str, Any] | None) -> tuple[bool, str | None]:
    """(has a form, item type) of a list's ``items``: a named type, or None for unnamed objects."""
    if items is None or _is_generic_object(items):
        return True, None
    ref = _ref_name(items)
    return (True, ref) if ref else (False, None)


def _bound_object(name: str, branches: list[dict[str, Any]]) -> Member:
    """``allOf [{$ref: T}, {properties: {M: {items: I}}}]``: a T whose list member M holds I items."""
    bases = [_ref_name(b) for b in branches if "$ref" in b]
    if len(bases) != 1 or bases[0] is None:
        return Member(name, "unsupported")
    bound: dict[str, str | None] = {}
    for branch in branches:
        if "$ref" in branch:
            continue
        if set(branch) != {"properties"}:
            return Member(name, "unsupported")
        for member, sub in branch["properties"].items():
            ok, item = _item_type(sub.get("items")) if set(sub) == {"items"} else (False, None)
            if not ok:
                return Member(name, "unsupported")
            bound[member] = item
    return Member(name, "object", bases[0], tuple(sorted(bound.items())))


def _member(name: str, schema: dict[str, Any]) -> Member:
    sub = _non_null(schema)
    if sub is None:
        return Member(name, "unsupported")
    if "allOf" in sub and set(sub) == {"allOf"}:
        return _bound_object(name, sub["allOf"])
    ref = _ref_name(sub)
    if ref:
        return Member(name, "object", ref)
    kind = sub.get("type")
    if kind in ("string", "boolean", "integer"):
        return Member(name, kind)
    if kind == "array":
        items = sub.get("items")
        if items is not None and items.get("type") == "string" and "$ref" not in items:
            return Member(name, "string_list")
        ok, item = _item_type(items)
        if ok:
            return Member(name, "list", item)
    if kind == "object" and "properties" not in sub:
        extra = sub.get("additionalProperties")
        if extra is None:
            return Member(name, "opaque")
        if isinstance(extra, dict) and extra.get("type") == "string":
            return Member(name, "string_map")
    return Member(name, "unsupported")  # refused when present, so that the rest of the type still works


@functools.cache
def structure(type_name: str) -> tuple[Member, ...]:
    """The members of ``type_name`` in DataContract order (ordinal, alphabetical).

    A member whose schema gives no DataContract form (see :data:`MemberKind`) is refused when an
    instance or a document holds it; one without it is fine (an Error document rooted at
    ContentResponse, say).
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
    members = [_member(name, sub) for name, sub in schema["properties"].items()]
    for m in members:
        if m.kind == "object":
            assert m.type_name is not None
            members_of(m.type_name, m.item_types)  # fails now, not halfway through a document
        elif m.kind == "list" and m.type_name is not None:
            structure(m.type_name)
    return tuple(sorted(members, key=lambda m: m.name))


@functools.cache
def members_of(type_name: str, item_types: tuple[tuple[str, str | None], ...] = ()) -> tuple[Member, ...]:
    """The members of ``type_name`` as one use of it sees them: ``item_types`` bound to its lists."""
    members = structure(type_name)
    if not item_types:
        return members
    bound = dict(item_types)
    names = {m.name: m for m in members}
    for name, item in bound.items():
        if name not in names or names[name].kind != "list":
            raise XmlCodecError(
                "unsupported", f"{type_name}.{name} is not a list whose item type can be bound"
            )
        if item is not None:
            structure(item)
    return tuple(Member(m.name, "list", bound[m.name]) if m.name in bound else m for m in members)


@functools.cache
def _has_form(type_name: str, item_types: tuple[tuple[str, str | None], ...] = ()) -> bool:
    try:
        members = members_of(type_name, item_types)
    except XmlCodecError:
        return False
    for m in members:
        if m.kind == "unsupported":
            return False
        if m.kind == "object" and not _has_form(m.type_name or "", m.item_types):
            return False
        if m.kind == "list" and m.type_name is not None and not _has_form(m.type_name):
            return False
    return True


def xml_types() -> tuple[str, ...]:
    """Every schema name with a DataContract XML form: each member has one (generic members aside).

    Generic members (kind ``"opaque"``, and lists whose item type the schema leaves open) have no
    element names to derive; they are refused when they hold something, but do not keep their
    type out of this list: ContentResponse is here although its ``Albums`` items are generic.
    """
    return tuple(name for name in contract.schema_names() if _has_form(name))


def _root_structure(type_name: str) -> tuple[Member, ...]:
    """The members of a document root; a type outside :func:`xml_types` (``report``) is refused."""
    members = structure(type_name)
    if not _has_form(type_name):
        raise XmlCodecError("unsupported", f"{type_name} has no DataContract XML form", type_name)
    return members


def _unsupported(type_name: str, member: str, path: str, what: str = "has") -> XmlCodecError:
    return XmlCodecError("unsupported", f"{type_name}.{member} {what} no DataContract form (JSON only)", path)


def _string_items(member: str, profile: Profile) -> tuple[str, str, str | None]:
    """(namespace, local name, prefix to declare) of the items of the string list ``member``."""
    if member == _PROFILE_ITEM_LIST:
        ns, local = profile.trackid_item
        return ns, local, profile.trackid_prefix
    return ARRAYS_NS, "string", _ARRAYS_PREFIX


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


_STRING = Member("", "string")


def _open_foreign(out: list[str], name: str, ns: str, prefix: str | None, profile: Profile, path: str) -> str:
    """Open the element ``name``, declaring ``ns`` when it is not the profile's; the item tag prefix."""
    if ns == profile.xml_namespace:
        out.append(f"<{name}>")
        return ""
    if not prefix:
        raise XmlCodecError("unsupported", f"{profile.name} names no prefix for {ns}", path)
    out.append(f'<{name} xmlns:{prefix}="{ns}">')
    return f"{prefix}:"


def _write_list(out: list[str], type_name: str, m: Member, value: Any, profile: Profile, here: str) -> None:
    if not isinstance(value, list):
        raise XmlCodecError("type", f"expected a list, got {type(value).__name__}", here)
    if m.kind == "list":
        if m.type_name is None:
            if value:
                raise _unsupported(type_name, m.name, here, "items have")
            out.append(f"<{m.name}></{m.name}>")
            return
        out.append(f"<{m.name}>")
        for i, item in enumerate(value):
            out.append(f"<{m.type_name}>")
            _write_members(
                out, m.type_name, structure(m.type_name), item, profile, f"{here}/{m.type_name}[{i}]"
            )
            out.append(f"</{m.type_name}>")
        out.append(f"</{m.name}>")
        return
    ns, local, prefix = _string_items(m.name, profile)
    tag = _open_foreign(out, m.name, ns, prefix, profile, here) + local
    for i, item in enumerate(value):
        out.append(f"<{tag}>{_scalar(_STRING, item, f'{here}[{i}]')}</{tag}>")
    out.append(f"</{m.name}>")


def _write_map(out: list[str], m: Member, value: Any, profile: Profile, here: str) -> None:
    if not isinstance(value, dict):
        raise XmlCodecError("type", f"expected an object (a map), got {type(value).__name__}", here)
    p = _open_foreign(out, m.name, ARRAYS_NS, _ARRAYS_PREFIX, profile, here)
    for key, item in value.items():
        at = f"{here}[{key!r}]"
        key_text, item_text = _scalar(_STRING, key, at), _scalar(_STRING, item, at)
        out.append(
            f"<{p}{_MAP_ENTRY}><{p}{_MAP_KEY}>{key_text}</{p}{_MAP_KEY}>"
            f"<{p}{_MAP_VALUE}>{item_text}</{p}{_MAP_VALUE}></{p}{_MAP_ENTRY}>"
        )
    out.append(f"</{m.name}>")


def _write_members(
    out: list[str], type_name: str, members: tuple[Member, ...], obj: Any, profile: Profile, path: str
) -> None:
    if not isinstance(obj, dict):
        raise XmlCodecError("type", f"expected an object ({type_name}), got {type(obj).__name__}", path)
    known = {m.name for m in members}
    unknown = sorted(k for k in obj if k not in known)
    if unknown:
        raise XmlCodecError("unknown", f"{type_name} has no member {', '.join(map(repr, unknown))}", path)
    for m in members:
        value = obj.get(m.name)
        if value is None:
            continue  # EmitDefaultValue = false: null members are left out
        here = f"{path}/{m.name}"
        if m.kind in ("unsupported", "opaque"):
            raise _unsupported(type_name, m.name, here)
        if m.kind == "object":
            assert m.type_name is not None
            out.append(f"<{m.name}>")
            _write_members(out, m.type_name, members_of(m.type_name, m.item_types), value, profile, here)
            out.append(f"</{m.name}>")
        elif m.kind in ("list", "string_list"):
            _write_list(out, type_name, m, value, profile, here)
        elif m.kind == "string_map":
            _write_map(out, m, value, profile, here)
        else:
            out.append(f"<{m.name}>{_scalar(m, value, here)}</{m.name}>")


def encode(type_name: str, obj: dict, profile: Profile) -> bytes:
    """``obj`` (the JSON form of a ``type_name``) as DataContract XML of ``profile``, UTF-8, compact.

    Null members are left out; a key the type does not define, or a value of the wrong type,
    raises :class:`XmlCodecError` (nothing is guessed).
    """
    members = _root_structure(type_name)
    out = [f'<{type_name} xmlns:i="{XSI_NS}" xmlns="{profile.xml_namespace}">']
    _write_members(out, type_name, members, obj, profile, type_name)
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
            raise XmlCodecError("syntax", 'an element with i:nil="true" must be empty', path)
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


def _read_members(
    el: Element, type_name: str, members: tuple[Member, ...], profile: Profile, path: str, strict_order: bool
) -> dict:
    by_name = {m.name: (i, m) for i, m in enumerate(members)}
    _check_no_text(el, path)
    result: dict[str, Any] = {}
    last_index, last_name = -1, ""
    for child in el:
        ns, local = _split(child.tag)
        here = f"{path}/{local}"
        if ns != profile.xml_namespace:
            expected = _describe_ns(profile.xml_namespace)
            raise XmlCodecError("namespace", f"<{local}> is in {_describe_ns(ns)}, expected {expected}", here)
        if local not in by_name:
            raise XmlCodecError("unknown", f"{type_name} has no member {local!r}", here)
        if local in result:
            raise XmlCodecError("duplicate", f"member {local!r} appears twice", here)
        index, member = by_name[local]
        if strict_order and index < last_index:
            raise XmlCodecError(
                "order", f"<{local}> comes after <{last_name}>; DataContract order is alphabetical", here
            )
        if index > last_index:
            last_index, last_name = index, local
        nil = _is_nil(child, here)
        if member.kind in ("unsupported", "opaque") and not nil:
            raise _unsupported(type_name, local, here)
        result[local] = None if nil else _read_value(type_name, member, child, profile, here, strict_order)
    return result


def _expect(child: Element, ns: str, local: str, profile: Profile, path: str, index: int) -> str:
    """The path of ``child``, item ``index`` of ``path``, which must be ``local`` in ``ns``."""
    got_ns, got = _split(child.tag)
    if (got_ns, got) != (ns, local):
        raise XmlCodecError(
            "namespace" if got == local else "unknown",
            f"expected <{local}> in {_describe_ns(ns)} ({profile.name}), "
            f"got <{got}> in {_describe_ns(got_ns)}",
            f"{path}/{got}[{index}]",
        )
    return f"{path}/{got}[{index}]"


def _read_map(el: Element, profile: Profile, path: str, strict_order: bool) -> dict[str, Any]:
    _check_no_text(el, path)
    out: dict[str, Any] = {}
    for i, entry in enumerate(el):
        here = _expect(entry, ARRAYS_NS, _MAP_ENTRY, profile, path, i)
        _check_no_text(entry, here)
        parts: dict[str, Element] = {}
        for part in entry:
            part_ns, local = _split(part.tag)
            if (part_ns, local) not in ((ARRAYS_NS, _MAP_KEY), (ARRAYS_NS, _MAP_VALUE)):
                raise XmlCodecError(
                    "namespace" if local in (_MAP_KEY, _MAP_VALUE) else "unknown",
                    f"expected <{_MAP_KEY}> and <{_MAP_VALUE}> in {_describe_ns(ARRAYS_NS)}, "
                    f"got <{local}> in {_describe_ns(part_ns)}",
                    f"{here}/{local}",
                )
            if local in parts:
                raise XmlCodecError("duplicate", f"<{local}> appears twice", f"{here}/{local}")
            if strict_order and local == _MAP_KEY and parts:
                raise XmlCodecError("order", f"<{_MAP_KEY}> comes after <{_MAP_VALUE}>", f"{here}/{local}")
            parts[local] = part
        if set(parts) != {_MAP_KEY, _MAP_VALUE}:
            raise XmlCodecError("syntax", f"an entry holds one <{_MAP_KEY}> and one <{_MAP_VALUE}>", here)
        key = _leaf_text(parts[_MAP_KEY], f"{here}/{_MAP_KEY}")
        if key in out:
            raise XmlCodecError("duplicate", f"key {key[:40]!r} appears twice", f"{here}/{_MAP_KEY}")
        value = parts[_MAP_VALUE]
        nil = _is_nil(value, f"{here}/{_MAP_VALUE}")
        out[key] = None if nil else _leaf_text(value, f"{here}/{_MAP_VALUE}")
    return out


def _read_value(
    type_name: str, member: Member, el: Element, profile: Profile, path: str, strict_order: bool
) -> Any:
    if member.kind == "object":
        assert member.type_name is not None
        members = members_of(member.type_name, member.item_types)
        return _read_members(el, member.type_name, members, profile, path, strict_order)
    if member.kind == "list":
        _check_no_text(el, path)
        if member.type_name is None:
            if len(el):
                raise _unsupported(type_name, member.name, f"{path}/{_split(el[0].tag)[1]}[0]", "items have")
            return []
        items = []
        for i, child in enumerate(el):
            here = _expect(child, profile.xml_namespace, member.type_name, profile, path, i)
            nil = _is_nil(child, here)
            members = structure(member.type_name)
            items.append(
                None if nil else _read_members(child, member.type_name, members, profile, here, strict_order)
            )
        return items
    if member.kind == "string_list":
        _check_no_text(el, path)
        item_ns, item_local, _prefix = _string_items(member.name, profile)
        values = []
        for i, child in enumerate(el):
            here = _expect(child, item_ns, item_local, profile, path, i)
            values.append(None if _is_nil(child, here) else _leaf_text(child, here))
        return values
    if member.kind == "string_map":
        return _read_map(el, profile, path, strict_order)
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
        members = _root_structure(local)
    except XmlCodecError as exc:
        if exc.kind == "root":
            raise XmlCodecError("root", f"<{local}> is not a type of the contract", local) from None
        raise
    if _is_nil(root, local):
        raise XmlCodecError("type", "the root element is nil", local)
    return local, _read_members(root, local, members, profile, local, strict_order)
