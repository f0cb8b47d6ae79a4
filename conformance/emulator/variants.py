"""Named variants: legitimate other readings of the documents, switched on with ``--variant NAME``.

A variant is the mirror image of a fault (``faults.py``). A fault deviates from every reasonable
reading of the documents and the conformance suite must catch it; a variant follows another
reasonable reading than the one the emulator picks by default — the other side of an erratum of
``docs/errata.md``, or another choice where the documents are silent — and the suite must PASS
against it (no failed MUST requirement), since a real server could behave that way. Variants are
composable: any number can be on at once, and they can be combined with a fault.

A variant is data: its name, the erratum whose other reading it follows (None for a silence the
description names), what the server then does differently, and the profiles where it applies. The
emulator implements each one as one flag check at the place where the default behaviour lives
(``VariantSet.on(name)``), never as a second copy of a code path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BOTH_PROFILES = ("groove-2016", "xbox-2013")


@dataclass(frozen=True)
class Variant:
    name: str
    erratum: str | None  # the docs/errata.md section whose other reading this is; None: a silence
    description: str  # what the server does differently when the variant is on
    # the profiles in which the variant applies (in another one it would change nothing)
    profiles: tuple[str, ...] = BOTH_PROFILES


_VARIANTS: tuple[Variant, ...] = (
    Variant(
        "hyphenated-codes",
        "E01",
        "every ErrorCode, top-level and per item, is spelled with hyphens (COLLECTION-INVALID-ID, "
        "INVALID-AUTHORIZATION-HEADER), as the groove-2016 pages print them",
    ),
    Variant(
        "message-omitted",
        "E06",
        "Error objects carry ErrorCode and Description only, never a Message (as 003's example)",
    ),
    Variant(
        "no-action-lowercase",
        "E03",
        "only the exact Action names Add, Delete and Move are accepted; add, delete, remove and any "
        "other spelling are 400 INVALID_INPUT_PARAMETER",
    ),
    Variant(
        "reorder-original-order",
        "E07",
        "several moved tracks listed out of playlist order end up contiguous before the target in the "
        "order they stood in the playlist, not in the listed order",
    ),
    Variant(
        "no-update-limit",
        "E08",
        "a playlist update with more than 100 TrackActions is applied in full (no batch limit on update)",
    ),
    Variant(
        "code-points",
        "E09",
        "playlist name length is counted in Unicode code points, not UTF-16 code units (129 astral "
        "characters are accepted; 257 are not)",
    ),
    Variant(
        "unknown-playlist-400",
        "E10",
        "an unknown playlist Id (update, delete, tracks browse) is answered 400 INVALID_INPUT_PARAMETER "
        "instead of 404 COLLECTION_NO_RESULT",
    ),
    Variant(
        "empty-batch-200",
        "E10",
        "an add or delete with empty or missing TrackIds is answered 200 with zero results instead of "
        "400 MISSING_INPUT_PARAMETER",
    ),
    Variant(
        "unknown-members-ignored",
        "E10",
        "members a request type does not define are ignored (as DataContract readers do) instead of "
        "answered 400 INVALID_INPUT_PARAMETER",
    ),
    Variant(
        "xml-request-answers-json",
        "E11",
        "an XML request with neither Accept nor contentType is answered in JSON (the documented default), "
        "not in the request's format",
    ),
    Variant(
        "all-failed-400",
        "E12",
        "a collection add or delete, or a playlist create, whose every item fails is answered HTTP 400 "
        "(same body: the per-item results and the top-level COLLECTION_SOME_OPERATIONS_FAILED Error) "
        "instead of 200; an update stays 200, as 003's example answers one",
    ),
    Variant(
        "inputid-as-sent",
        "E13",
        "InputId is echoed exactly as sent: a lower-case GUID-form input stays lower case",
    ),
    Variant(
        "playlist-id-case-sensitive",
        "E15",
        "playlist IDs are compared exactly: the Id create returned works, the same Id in another letter "
        "case is an unknown playlist",
    ),
    Variant(
        "delete-by-catalog-id",
        "E16",
        "collection delete also takes the catalog ID of a track in the collection and removes that track",
    ),
    Variant(
        "repeat-add-fails",
        "E17",
        "adding a track already in the collection (also earlier in the same batch) fails per item with "
        "COLLECTION_INVALID_ID and no Id, instead of succeeding with the existing collection Id",
    ),
    Variant(
        "continued-page-default-size",
        "E18",
        "a continuation request (token only: json-paginatedlist.md removes every other optional "
        "parameter) returns pages of the default 25 items, not the first page's maxItems",
    ),
    Variant(
        "body-before-auth",
        "E19",
        "the request (query parameters, path, body) is validated before authentication, so an "
        "unauthenticated bad request is answered 400, not 401",
    ),
    Variant(
        "two-auth-headers-400",
        "E19",
        "a request with two Authorization headers is answered 400 INVALID_INPUT_PARAMETER instead of "
        "401 INVALID_AUTHORIZATION_HEADER",
    ),
    Variant(
        "playlist-adds-to-collection",
        "E20",
        "a track added to a playlist is also added to the user's collection (when not there yet)",
    ),
    Variant(
        "no-delete-limit",
        "E21",
        "a collection delete of more than 100 TrackIds is applied in full (no batch limit on delete)",
    ),
    Variant(
        "xml-2013-namespace",
        "E22",
        "XML is answered and read in the 2013 namespace with <d2p1:string> TrackIds items, as "
        "uri-add-track-collection.md shows for the 2016 edition",
        profiles=("groove-2016",),
    ),
    Variant(
        "errors-in-json",
        "E23",
        "error answers (HTTP 4xx/5xx) are always JSON, even when XML was asked for",
    ),
    Variant(
        "added-at-top",
        "E24",
        "tracks added by create or update go to the top of the playlist (in action order), not the end",
    ),
    Variant(
        "foreign-ids-403",
        "E25",
        "another user's playlist Id (update, delete, tracks browse) or collection ID (collection delete) "
        "is recognised and the whole request refused 403 UNAUTHORIZED_API_METHOD, nothing changed",
    ),
    Variant(
        "published-by-default",
        "E26",
        "a playlist created without IsPublished is published (IsPublished defaults to true)",
    ),
    Variant(
        "blank-name-empty",
        "E26",
        "a playlist name of only white space counts as empty: 400 COLLECTION_INVALID_PLAYLIST_INFO",
    ),
    Variant(
        "delete-with-actions-refused",
        "E29",
        "a playlist delete that carries TrackActions is refused 400 INVALID_INPUT_PARAMETER and the "
        "playlist stays, instead of the actions being ignored",
    ),
    Variant(
        "empty-browse-404",
        "E30",
        "a collection browse of a type the user has nothing of is answered 404 COLLECTION_NO_RESULT "
        "instead of 200 with an empty list",
    ),
    Variant(
        "playlist-repeat-add-fails",
        "E31",
        "an Add of a track already in the playlist fails per item with COLLECTION_INVALID_ID instead of "
        "making a second entry",
    ),
    Variant(
        "results-reordered",
        "E27",
        "per-item results (TrackActionResults of add, delete, create, update) are listed failures "
        "first, each group in reverse request order, InputIds intact; results of one repeated InputId "
        "keep their order among themselves (no page states the order; InputId is how a client matches)",
    ),
)

VARIANTS: dict[str, Variant] = {v.name: v for v in _VARIANTS}


def check_variants(names: Iterable[str], profile: str | None = None) -> tuple[str, ...]:
    """``names`` as a tuple without repeats; ValueError for an unknown name or one that does not apply."""
    out: list[str] = []
    for name in names:
        variant = VARIANTS.get(name)
        if variant is None:
            raise ValueError(f"unknown variant {name!r}; see --list-variants")
        if profile is not None and profile not in variant.profiles:
            raise ValueError(
                f"variant {name!r} applies only to {', '.join(variant.profiles)}, not to {profile}"
            )
        if name not in out:
            out.append(name)
    return tuple(out)


class VariantSet:
    """The variants that are on (any number); ``on(name)`` is the flag check used in the code."""

    def __init__(self, names: Iterable[str] = (), profile: str | None = None):
        self.names: tuple[str, ...] = check_variants(names, profile)

    def on(self, name: str) -> bool:
        if name not in VARIANTS:  # a typo in a flag check must not silently never fire
            raise KeyError(f"variant {name!r} is not defined in variants.VARIANTS")
        return name in self.names

    def __bool__(self) -> bool:
        return bool(self.names)

    def __repr__(self) -> str:
        return f"VariantSet({list(self.names)!r})"
