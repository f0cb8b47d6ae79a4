"""Request bodies, checked and turned into typed values before anything is touched.

The emulator is strict where the documents leave room (erratum E10): a member that is not one of
the request type's members is rejected with 400 INVALID_INPUT_PARAMETER, as is a wrong type, a
string holding a character that XML 1.0 cannot carry (NUL and other control characters, lone
surrogates, U+FFFE/U+FFFF: such text could not be answered in XML and is never a valid ID or name),
or an Action that is not a known verb. A missing or empty mandatory member is 400
MISSING_INPUT_PARAMETER. Absent and null are the same thing (DataContract omits nulls).

Known members: the ``properties`` of the request types' schemas (``schemas/*.json``), which include
``IsReadOnly`` in a PlaylistAction: a page names it, so it is accepted and ignored (E04). The
schemas are not used as the gate itself because the emulator accepts more than their valid space
on purpose (lower-case Action spellings and "remove", E03; a null member as absent).

Variants (``variants.py``) that read requests otherwise: ``unknown-members-ignored``,
``no-action-lowercase`` and ``empty-batch-200``; the parse functions take the emulator's
``VariantSet``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance import contract
from conformance.emulator.errors import NOT_XML_CHAR, ApiError
from conformance.emulator.variants import VariantSet


def _members(type_name: str) -> frozenset[str]:
    return frozenset(contract.load_schema(type_name)["properties"])


TRACK_ACTION_REQUEST_MEMBERS = _members("TrackActionRequest")
PLAYLIST_ACTION_MEMBERS = _members("PlaylistAction")
TRACK_ACTION_MEMBERS = _members("TrackAction")

# Action spellings (E03): matched case-insensitively; "remove" is an alias of Delete.
ACTIONS = {"add": "Add", "delete": "Delete", "remove": "Delete", "move": "Move"}


@dataclass(frozen=True)
class TrackActionRequest:
    track_ids: list[str]


@dataclass(frozen=True)
class TrackAction:
    id: str
    action: str  # "Add" | "Delete" | "Move"


@dataclass(frozen=True)
class PlaylistAction:
    id: str | None
    name: str | None
    is_published: bool | None
    insert_before: str | None
    track_actions: list[TrackAction] | None


def _invalid(message: str) -> ApiError:
    return ApiError("INVALID_INPUT_PARAMETER", message)


def _check_members(
    obj: object, allowed: frozenset[str], type_name: str, variants: VariantSet
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _invalid(f"{type_name} must be an object")
    unknown = sorted(k for k in obj if k not in allowed)
    if unknown and variants.on("unknown-members-ignored"):
        return {k: v for k, v in obj.items() if k in allowed}
    if unknown:
        raise _invalid(f"Unknown member(s) in {type_name}: {', '.join(_printable(k) for k in unknown)}")
    return obj


def _printable(text: str) -> str:
    """A member name safe to quote back in a Message (XML-safe, short)."""
    return NOT_XML_CHAR.sub("?", text)[:64]


def _string(value: object, member: str) -> str:
    if not isinstance(value, str):
        raise _invalid(f"{member} must be a string")
    if NOT_XML_CHAR.search(value):
        raise _invalid(f"{member} holds a character that is not allowed")
    return value


def _optional_string(obj: dict[str, Any], member: str) -> str | None:
    value = obj.get(member)
    return None if value is None else _string(value, member)


def _optional_bool(obj: dict[str, Any], member: str) -> bool | None:
    value = obj.get(member)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _invalid(f"{member} must be a boolean")
    return value


def parse_track_action_request(obj: object, variants: VariantSet) -> TrackActionRequest:
    obj = _check_members(obj, TRACK_ACTION_REQUEST_MEMBERS, "TrackActionRequest", variants)
    ids = obj.get("TrackIds")
    if (ids is None or ids == []) and variants.on("empty-batch-200"):
        return TrackActionRequest([])
    if ids is None or ids == []:
        raise ApiError("MISSING_INPUT_PARAMETER", "TrackIds must list at least one track ID")
    if not isinstance(ids, list):
        raise _invalid("TrackIds must be a list of strings")
    return TrackActionRequest([_string(v, "TrackIds item") for v in ids])


def parse_playlist_action(obj: object, variants: VariantSet) -> PlaylistAction:
    obj = _check_members(obj, PLAYLIST_ACTION_MEMBERS, "PlaylistAction", variants)
    _optional_string(obj, "CollectionStateToken")  # accepted, type-checked, not used
    _optional_bool(obj, "IsReadOnly")  # E04: accepted and ignored
    actions_raw = obj.get("TrackActions")
    actions: list[TrackAction] | None = None
    if actions_raw is not None:
        if not isinstance(actions_raw, list):
            raise _invalid("TrackActions must be a list of TrackAction")
        actions = [_parse_track_action(a, variants) for a in actions_raw]
    return PlaylistAction(
        id=_optional_string(obj, "Id"),
        name=_optional_string(obj, "Name"),
        is_published=_optional_bool(obj, "IsPublished"),
        insert_before=_optional_string(obj, "InsertBeforeTrackId"),
        track_actions=actions,
    )


def _parse_track_action(obj: object, variants: VariantSet) -> TrackAction:
    obj = _check_members(obj, TRACK_ACTION_MEMBERS, "TrackAction", variants)
    track_id = _optional_string(obj, "Id")
    action = _optional_string(obj, "Action")
    if not track_id:
        raise ApiError("MISSING_INPUT_PARAMETER", "Every TrackAction needs an Id")
    if not action:
        raise ApiError("MISSING_INPUT_PARAMETER", "Every TrackAction needs an Action")
    canonical = ACTIONS.get(action.lower())
    if canonical != action and variants.on("no-action-lowercase"):  # only Add, Delete, Move (E03)
        canonical = None
    if canonical is None:
        raise _invalid(f"Unknown Action {_printable(action)!r}; expected Add, Delete or Move")
    return TrackAction(track_id, canonical)
