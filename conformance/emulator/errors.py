"""The error codes the emulator answers with: code -> (HTTP status, Description), in one table.

The Description texts and statuses are those of the error table in
``reference/groove-docs/json-error.md``, read from ``conformance/error_table.py`` (the one copy).
Every Error body the emulator writes is built here, so a reader finds in one place which codes
exist and what they say. Codes are written with underscores (erratum E01; the variant
``hyphenated-codes`` writes hyphens), with a Message where there is one (the variant
``message-omitted`` leaves it out, E06).

``ApiError`` is raised anywhere in the request path and turned into an Error body by the app;
``ErrorWriter`` (one per emulator, it knows the variants) writes every Error object: the top-level
ones and the per-item Error of a partial failure (inside an HTTP 200).
"""

from __future__ import annotations

import re
from typing import Any

from conformance.emulator.variants import VariantSet
from conformance.error_table import ERROR_TABLE as PAGE_ERROR_TABLE

# The codes the emulator can emit; their status and Description come from the one copy of the
# page's error table (conformance/error_table.py). Adding a code here is all it takes to use it.
EMITTED_CODES: tuple[str, ...] = (
    "MISSING_INPUT_PARAMETER",
    "INVALID_INPUT_PARAMETER",
    "INCOMPATIBLE_INPUT_PARAMETERS",
    "CONTINUATION_TOKEN_INVALID_ERROR",
    "ACCESS_TOKEN_MISSING",
    "ACCESS_TOKEN_INVALID",
    "INVALID_AUTHORIZATION_HEADER",
    "UNAUTHORIZED_API_METHOD",
    "COLLECTION_SOME_OPERATIONS_FAILED",
    "COLLECTION_INVALID_PLAYLIST_REORDER",
    "COLLECTION_INVALID_OPERATION",
    "COLLECTION_INVALID_ID",
    "COLLECTION_INVALID_PLAYLIST_INFO",
    "COLLECTION_NO_RESULT",
    "COLLECTION_CONCURRENT_UPDATE",
    "INTERNAL_SERVER_ERROR",
)
ERROR_TABLE: dict[str, tuple[int, str]] = {code: PAGE_ERROR_TABLE[code] for code in EMITTED_CODES}

# Messages the pages print for particular situations (000's examples), kept next to the table.
MSG_BATCH_LIMIT = "Number of tracks for this operation is limited to {limit}"
MSG_NO_USER_AUTH = "You need user authentication to use this API"
MSG_INVALID_CONTENT_ID = "Collection ErrorCode=ArgumentInvalid, Details=ContentId"
# The emulator's own messages (no page shows these cases; variants repeat-add-fails and
# playlist-repeat-add-fails).
MSG_ALREADY_IN_COLLECTION = "The track is already in the collection"
MSG_ALREADY_IN_PLAYLIST = "The track is already in the playlist"


# Characters XML 1.0 cannot carry: a Message quoting client input must stay writable in XML.
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ErrorWriter:
    """Writes every Error object the emulator sends: the one place where a code is spelled."""

    def __init__(self, variants: VariantSet):
        self.variants = variants

    def error(self, code: str, message: str | None = None) -> dict[str, Any]:
        """An Error object: ErrorCode and Description always, Message when there is one."""
        _status, description = ERROR_TABLE[code]
        spelled = code.replace("_", "-") if self.variants.on("hyphenated-codes") else code
        err: dict[str, Any] = {"ErrorCode": spelled, "Description": description}
        if message and not self.variants.on("message-omitted"):
            err["Message"] = NOT_XML_CHAR.sub("?", message)[:300]
        return err

    def item(self, code: str = "COLLECTION_INVALID_ID", message: str | None = None) -> dict[str, Any]:
        """The Error of one failed item inside a partial failure."""
        return self.error(code, message)

    def body(self, err: ApiError) -> dict[str, Any]:
        """The answer to a rejected request: the response type holding only its Error."""
        return {"Error": self.error(err.code, err.message)}


class ApiError(Exception):
    """A request-level failure: answered with the table's status and an Error body, nothing changed."""

    def __init__(self, code: str, message: str | None = None, *, status: int | None = None):
        super().__init__(f"{code}: {message or ''}")
        if code not in ERROR_TABLE:
            raise KeyError(f"error code {code!r} is not in errors.ERROR_TABLE")
        self.code = code
        self.message = message
        self.status = status if status is not None else ERROR_TABLE[code][0]
        # Set only by a fault: the transaction is committed although the request is rejected.
        self.keep_changes = False
