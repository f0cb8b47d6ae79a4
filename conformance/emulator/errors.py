"""The error codes the emulator answers with: code -> (HTTP status, Description), in one table.

The Description texts are those of the error table in ``reference/groove-docs/json-error.md``
(verbatim, trailing period included where the table has one); the status is the table's
"Default HTTP code". Every Error body the emulator writes is built here, so a reader finds in
one place which codes exist and what they say. Codes are written with underscores (erratum E01).

``ApiError`` is raised anywhere in the request path and turned into an Error body by the app;
``item_error`` builds the per-item Error of a partial failure (inside an HTTP 200).
"""

from __future__ import annotations

import re
from typing import Any

# code -> (default HTTP status, Description from json-error.md). Only the codes the emulator can
# emit are listed; adding one here is all it takes to use it.
ERROR_TABLE: dict[str, tuple[int, str]] = {
    "MISSING_INPUT_PARAMETER": (400, "Missing or empty mandatory parameter."),
    "INVALID_INPUT_PARAMETER": (400, "Invalid parameter value."),
    "INCOMPATIBLE_INPUT_PARAMETERS": (400, "Incompatible parameters."),
    "CONTINUATION_TOKEN_INVALID_ERROR": (400, "The continuation token provided is incorrect."),
    "ACCESS_TOKEN_MISSING": (401, "Groove MSA access token required."),
    "ACCESS_TOKEN_INVALID": (401, "Invalid Azure Marketplace token."),
    "INVALID_AUTHORIZATION_HEADER": (401, "Missing or invalid authorization header"),
    "UNAUTHORIZED_API_METHOD": (403, "Unauthorized API method"),
    "COLLECTION_SOME_OPERATIONS_FAILED": (200, "Some of the operations failed"),
    "COLLECTION_INVALID_PLAYLIST_REORDER": (400, "Invalid playlist reorder operation"),
    "COLLECTION_INVALID_OPERATION": (400, "This operation is not supported"),
    "COLLECTION_INVALID_ID": (400, "Invalid collection id for this operation"),
    "COLLECTION_INVALID_PLAYLIST_INFO": (400, "Required playlist information is missing"),
    "COLLECTION_NO_RESULT": (404, "No result in the user's collection"),
    "COLLECTION_CONCURRENT_UPDATE": (409, "Concurrent update of the collection."),
    "INTERNAL_SERVER_ERROR": (500, "Oops, something went seriously wrong."),
}

# Messages the pages print for particular situations (000's examples), kept next to the table.
MSG_BATCH_LIMIT = "Number of tracks for this operation is limited to {limit}"
MSG_NO_USER_AUTH = "You need user authentication to use this API"
MSG_INVALID_CONTENT_ID = "Collection ErrorCode=ArgumentInvalid, Details=ContentId"


# Characters XML 1.0 cannot carry: a Message quoting client input must stay writable in XML.
NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def error_object(code: str, message: str | None = None) -> dict[str, Any]:
    """An Error object: ErrorCode and Description always, Message when there is one."""
    _status, description = ERROR_TABLE[code]
    err: dict[str, Any] = {"ErrorCode": code, "Description": description}
    if message:
        err["Message"] = NOT_XML_CHAR.sub("?", message)[:300]
    return err


def item_error(code: str = "COLLECTION_INVALID_ID", message: str | None = None) -> dict[str, Any]:
    """The Error of one failed item inside a partial failure."""
    return error_object(code, message)


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

    def body(self) -> dict[str, Any]:
        return {"Error": error_object(self.code, self.message)}
