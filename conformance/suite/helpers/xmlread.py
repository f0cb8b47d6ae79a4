"""Reading an XML answer for the XML checks, and writing XML requests in the namespace answers use.

The client decodes an XML answer in the profile's namespace; the XML requirements need more: which
namespace the answer used (groove-2016 accepts either documented one, E22, so its content must still
be read), whether the members stood in DataContract order (reported on its own, the content read
anyway), where a TrackActionResult's Id stands against its InputId (the one order 000 shows, E28),
how booleans are written, and whether the document is DataContract XML at all.

Requests (E22): in groove-2016 only a request written in the namespace the service *answers* in
must be read, and the pages show both namespaces for that edition. So every XML request of the suite
is written in the dialect (namespace and TrackIds item form) of the target's first XML answer:
:func:`request_dialect` learns it once per target and process (one pytest session, or one xdist
worker) and every XML test shares it. In xbox-2013 it is the profile's own (XML-NS-XBOX).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conformance import contract, xml_codec
from conformance.profiles import GROOVE_2016, PROFILES, Profile

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.plugin import TrackAllocator


DOCUMENTED_NAMESPACES = {p.xml_namespace: p for p in PROFILES.values()}
XS_BOOLEAN = ("true", "false", "1", "0")  # the lexical forms of xs:boolean


@dataclass
class XmlAnswer:
    is_xml: bool
    root: str | None = None
    namespace: str | None = None
    profile: Profile | None = None  # the dialect whose namespace the answer is in
    body: dict[str, Any] | None = None
    problem: str | None = None  # not DataContract XML of a known type (content unreadable)
    problem_kind: str | None = None
    order_problem: str | None = None  # members out of DataContract order (content read anyway)
    element: Any = None  # the parsed root element (None when not well-formed XML)

    def texts(self, local: str) -> list[str]:
        """The text of every element named ``local`` (any namespace), in document order."""
        if self.element is None:
            return []
        return [el.text or "" for el in self.element.iter() if _local(el.tag) == local]

    def id_orders(self) -> list[list[str]]:
        """The child names of each TrackActionResult that carries both an Id and an InputId."""
        if self.element is None:
            return []
        out = []
        for el in self.element.iter():
            if _local(el.tag) == "TrackActionResult":
                names = [_local(child.tag) for child in el]
                if "Id" in names and "InputId" in names:
                    out.append(names)
        return out

    @property
    def id_order_problem(self) -> str | None:
        """A TrackActionResult writing InputId before Id (000 writes Id first), or None."""
        for i, names in enumerate(self.id_orders(), 1):
            if names.index("InputId") < names.index("Id"):
                return f"TrackActionResult {i} writes InputId before Id: <{'>, <'.join(names)}>"
        return None


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def read(r: Any, profile: Profile) -> XmlAnswer:
    """What an answer is as XML (``is_xml`` False when it is not XML at all)."""
    if r.format != "xml":
        return XmlAnswer(
            False,
            problem=f"the answer is {r.format or 'not readable'}, not XML "
            f"(Content-Type {r.content_type or 'absent'})",
        )
    try:
        root_el = xml_codec.parse(r.raw)
    except xml_codec.XmlCodecError as exc:
        return XmlAnswer(True, problem=str(exc), problem_kind=exc.kind)
    tag = root_el.tag if isinstance(root_el.tag, str) else ""
    ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    answer = XmlAnswer(True, root=local, namespace=ns, element=root_el)
    dialect = profile if ns == profile.xml_namespace else DOCUMENTED_NAMESPACES.get(ns)
    if dialect is None:
        answer.problem, answer.problem_kind = (
            f"the root element is in an undocumented namespace {ns!r}",
            "namespace",
        )
        return answer
    answer.profile = dialect
    try:
        _, answer.body = xml_codec.decode(r.raw, dialect)
    except xml_codec.XmlCodecError as exc:
        if exc.kind != "order":
            answer.problem, answer.problem_kind = str(exc), exc.kind
            return answer
        answer.order_problem = str(exc)
        try:
            _, answer.body = xml_codec.decode(r.raw, dialect, strict_order=False)
        except xml_codec.XmlCodecError as again:
            answer.problem, answer.problem_kind = str(again), again.kind
    return answer


# --- the dialect XML requests are written in (E22) ------------------------------------------------
_LEARNED: dict[tuple[str, str], Profile] = {}  # (target URL, profile) -> the answers' dialect


def _key(client: Client, profile: Profile) -> tuple[str, str]:
    return (str(client.config.base_url), profile.name)


def remember(client: Client, profile: Profile, answer: XmlAnswer) -> None:
    """Note the dialect of an XML answer, when it is the first one in a documented namespace."""
    if answer.profile is not None:
        _LEARNED.setdefault(_key(client, profile), answer.profile)


def request_dialect(client: Client, profile: Profile, catalog: TrackAllocator) -> Profile:
    """E22: the dialect to write an XML request in.

    xbox-2013: the profile's. groove-2016: the one of the target's first XML answer; when no XML
    test has read one yet, an add of one catalog track asking for XML finds out (it shows in the
    calling test's transcript). A target whose answers are in no documented namespace gets the
    profile's dialect (its answers fail XML-NS-ANY on their own).
    """
    if profile.name != GROOVE_2016.name:
        return profile
    key = _key(client, profile)
    if key not in _LEARNED:
        probe = client.collection_add(catalog.take(1), accept="application/xml")
        remember(client, profile, read(probe, profile))
    return _LEARNED.get(key, profile)


def xml_body(op: str, body: dict[str, Any], dialect: Profile) -> dict[str, Any]:
    """Client options that send ``body`` as DataContract XML of ``op``'s request type in ``dialect``.

    The body still goes to the client (``body`` is passed alongside ``content`` by the caller), so
    the run's registry sees what the request names; only the bytes are written here."""
    type_name = contract.request_schema(op)
    if not type_name:
        raise ValueError(f"{op} has no request body")
    return {
        "fmt": "xml",
        "content": xml_codec.encode(type_name, body, dialect),
        "content_type": "application/xml",
    }
