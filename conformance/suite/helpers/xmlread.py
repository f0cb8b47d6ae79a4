"""Reading an XML answer for the XML checks: root, namespace, member order and content, separately.

The client decodes an XML answer in the profile's namespace; the XML requirements need more: which
namespace the answer used (groove-2016 accepts either documented one, E22, so its content must still
be read), whether the members stood in DataContract order (reported on its own, the content read
anyway), and whether the document is DataContract XML at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance import xml_codec
from conformance.profiles import PROFILES, Profile

DOCUMENTED_NAMESPACES = {p.xml_namespace: p for p in PROFILES.values()}


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
    answer = XmlAnswer(True, root=local, namespace=ns)
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
