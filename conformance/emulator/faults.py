"""Named deviations from the documents, switched on one at a time with ``--fault NAME``.

A fault is data: its name, what the server then does wrong, and the requirement IDs of
``conformance/requirements.yaml`` it violates. Most lists hold a MUST requirement, so the suite
fails against the fault; the interop faults (``INTEROP_FAULTS``: what real clients send, spec notes
section 7) break only SHOULD requirements, which a run reports as advisory findings without
failing. The project's tests prove both: a failed MUST, or an advisory-failed SHOULD of the
fault's own ``breaks``. The emulator implements each fault as
one flag check at the place where the faithful behaviour lives (``FaultSwitch.on(name)``), never as
a second copy of a code path.

Their mirror image are the variants (``variants.py``): other legitimate readings of the documents,
which the suite must pass. A behaviour that some reasonable reading allows is a variant, not a fault.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    description: str  # what the server does wrong when the fault is on
    breaks: tuple[str, ...]  # requirement IDs (conformance/requirements.yaml) it violates
    # the profiles in which the deviation shows (a suite run in another profile cannot see it)
    profiles: tuple[str, ...] = ("groove-2016", "xbox-2013")


_FAULTS: tuple[Fault, ...] = (
    Fault(
        "batch-limit-ignored",
        "collection add/delete and playlist create accept more than 100 entries and apply them all",
        ("ADD-LIMIT-101", "ADD-LIMIT-DUPS", "PCRE-LIMIT-101"),
    ),
    Fault(
        "batch-limit-partial",
        "an over-limit collection add answers 400 COLLECTION_INVALID_OPERATION but has already added "
        "the first 100 entries (not atomic)",
        ("ADD-LIMIT-ATOMIC",),
    ),
    Fault(
        "batch-limit-off-by-one",
        "a batch of exactly 100 entries is rejected as over the limit",
        ("ADD-LIMIT-100", "CDEL-LIMIT-100", "PCRE-LIMIT-100", "PUPD-LIMIT-100"),
    ),
    Fault(
        "update-limit-partial",
        "a playlist update with more than 100 TrackActions applies the first 100, then answers 400",
        ("PUPD-LIMIT-101",),
    ),
    Fault(
        "partial-no-top-error",
        "a partial failure answers 200 without the top-level COLLECTION_SOME_OPERATIONS_FAILED Error",
        ("PARTIAL-TOP-ERROR", "PARTIAL-ALL-FAIL"),
    ),
    Fault(
        "partial-failure-400",
        "a partial failure answers HTTP 400 instead of 200 (the results are still in the body)",
        ("PARTIAL-200", "ADD-INVALID-ID", "CDEL-RANDOM", "PUPD-INVALID-ITEM"),
    ),
    Fault(
        "top-error-on-success",
        "the top-level COLLECTION_SOME_OPERATIONS_FAILED Error is sent even when every item succeeded",
        ("PARTIAL-NO-ERROR",),
    ),
    Fault(
        "results-unmatched",
        "in a batch of two or more entries the last entry gets no result and the first entry's result "
        "is listed twice (the InputIds of the results are not those of the request)",
        ("BATCH-ONE-RESULT",),
    ),
    Fault(
        "inputid-altered",
        "InputId is written in lower case instead of as the input (canonical upper case)",
        ("ID-INPUTID-EXACT",),
    ),
    Fault(
        "auth-missing-accepted",
        "a request without an Authorization header is served as the first configured user",
        (
            "AUTH-MISSING-ADD",
            "AUTH-MISSING-CDEL",
            "AUTH-MISSING-PCRE",
            "AUTH-MISSING-PUPD",
            "AUTH-MISSING-PDEL",
            "AUTH-MISSING-BROWSE",
            "AUTH-MISSING-TRACKS",
        ),
    ),
    Fault(
        "developer-token-ignored",
        "xbox-2013: a missing or wrong accessToken developer token is accepted",
        ("AUTH-ATOKEN-MISSING", "AUTH-ATOKEN-INVALID"),
        profiles=("xbox-2013",),
    ),
    Fault(
        "xml-accept-ignored",
        "Accept: application/xml (and contentType=xml) is ignored: the answer is JSON",
        ("FMT-ACCEPT-XML", "FMT-PARAM-XML"),
    ),
    Fault(
        "xml-wrong-namespace",
        "XML answers are written in the other profile's DataContract namespace (in xbox-2013: the 2016 "
        "one; in groove-2016 the 2013 one is a documented reading, E22, since requests in it are read)",
        ("XML-NS-XBOX",),
        profiles=("xbox-2013",),
    ),
    Fault(
        "reorder-ignored",
        "a Move reorder answers 200 but leaves the playlist order unchanged",
        ("REORDER-ONE", "REORDER-TO-END", "REORDER-MULTI", "REORDER-UNSORTED"),
    ),
    Fault(
        "reorder-appends",
        "a Move reorder ignores InsertBeforeTrackId and appends the moved tracks at the end",
        ("REORDER-ONE", "REORDER-MULTI", "REORDER-UNSORTED"),
    ),
    Fault(
        "reorder-mixed-accepted",
        "Move mixed with Add/Delete in one update is accepted and every action applied",
        ("REORDER-MIXED",),
    ),
    Fault("name-length-unchecked", "playlist names longer than 256 characters are accepted", ("NAME-OVER",)),
    Fault("empty-name-accepted", "an empty playlist name is accepted on create and update", ("NAME-EMPTY",)),
    Fault(
        "cross-user-update",
        "playlist update finds playlists of every user, so one user can change another's playlist",
        ("ISO-UPDATE",),
    ),
    Fault(
        "delete-removes-nothing",
        "collection delete reports success for owned collection IDs but removes nothing",
        ("CDEL-READBACK", "CDEL-PARTIAL-APPLIED"),
    ),
    Fault(
        "error-envelope-bare",
        'error bodies are the bare Error object ({"ErrorCode": ...}) without the Error wrapper',
        ("ERR-ENVELOPE",),
    ),
    Fault(
        "browse-maxitems-unbounded",
        "collection browse accepts maxItems above 25 (and returns that many items)",
        ("BROWSE-MAXITEMS-OVER",),
    ),
    Fault(
        "maxitems-25-refused",
        "maxItems=25, the largest value allowed, is refused with 400 like 26 (an off-by-one limit)",
        ("BROWSE-MAXITEMS-25",),
    ),
    Fault(
        "token-on-full-last-page",
        "a last page that is exactly full still carries a ContinuationToken (its continuation is empty)",
        ("BROWSE-TOKEN-END",),
    ),
    Fault(
        "trackcount-stale",
        "a playlist's TrackCount counts the tracks it was created with: adds and deletes by update "
        "leave it unchanged",
        ("BROWSE-TRACKCOUNT-LIVE",),
    ),
    Fault(
        "ispublished-ignored-on-create",
        "a create stores and reports IsPublished false whatever was sent",
        ("PUPD-PUBLISHED",),
    ),
)

# What real clients send (spec notes section 7), refused as a stricter server would: each breaks
# one SHOULD requirement only. The faithful emulator accepts all of it.
_INTEROP: tuple[Fault, ...] = (
    Fault(
        "path-case-strict",
        "paths are matched letter for letter: the official client's enum-cased paths "
        "(collection/Add, Collection/Tracks/browse, the namespace Music) are 404 (or 400)",
        ("IOP-PATH-CASE",),
    ),
    Fault(
        "query-names-case-strict",
        "query parameter names are matched letter for letter: maxitems, orderby and page are ignored",
        ("IOP-QUERY-CASE",),
    ),
    Fault(
        "auth-scheme-case-strict",
        "the authentication scheme is matched letter for letter: Authorization: bearer (xbl3.0) is 401",
        ("IOP-SCHEME-CASE",),
    ),
    Fault(
        "access-token-beside-bearer-refused",
        "groove-2016: a request carrying accessToken beside its Authorization: Bearer header is 401 "
        "ACCESS_TOKEN_INVALID",
        ("IOP-ATOKEN-BESIDE",),
        profiles=("groove-2016",),
    ),
    Fault(
        "media-type-params-refused",
        "a Content-Type or Accept media type with parameters or in another letter case is not "
        "recognised: such a body is 400, such an Accept is ignored",
        ("IOP-MEDIA-PARAMS",),
    ),
    Fault(
        "xml-other-namespace-refused",
        "an XML request in the other documented namespace (groove-2016: the 2013 one its own add page "
        "shows) is 400",
        ("XML-NS-EITHER",),
        profiles=("groove-2016",),
    ),
)
INTEROP_FAULTS: frozenset[str] = frozenset(f.name for f in _INTEROP)

FAULTS: dict[str, Fault] = {f.name: f for f in (*_FAULTS, *_INTEROP)}


class FaultSwitch:
    """The one active fault (or none); ``on(name)`` is the flag check used in the code."""

    def __init__(self, name: str | None):
        if name is not None and name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; see --list-faults")
        self.name = name

    def on(self, name: str) -> bool:
        if name not in FAULTS:  # a typo in a flag check must not silently never fire
            raise KeyError(f"fault {name!r} is not defined in faults.FAULTS")
        return self.name == name

    def switch(self, name: str | None) -> None:
        """Turn on ``name`` (or none) while the emulator runs: the project's tests use it to
        inject a fault midway through a run, as a server that breaks under load would."""
        if name is not None and name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; see --list-faults")
        self.name = name
