"""The error table of ``reference/groove-docs/json-error.md``: code -> (default HTTP status, Description).

The suite and the emulator need it while they run, on any machine, without the source documents
beside it (a user pointing the suite at a server has only the installed package), so the table is
restated here once, verbatim; ``tests/suite/test_error_table.py`` compares it with the page so that the two
cannot drift apart. Codes are written with underscores, as the table writes them; a hyphenated
spelling (E01) is looked up through :func:`normalise`.
"""

from __future__ import annotations

# code -> (default HTTP status, Description), in the table's order.
ERROR_TABLE: dict[str, tuple[int, str]] = {
    "MISSING_INPUT_PARAMETER": (400, "Missing or empty mandatory parameter."),
    "INVALID_INPUT_PARAMETER": (400, "Invalid parameter value."),
    "INCOMPATIBLE_INPUT_PARAMETERS": (400, "Incompatible parameters."),
    "INVALID_COUNTRY": (400, "The requested functionality is not available in this region"),
    "CONTINUATION_TOKEN_INVALID_ERROR": (400, "The continuation token provided is incorrect."),
    "UNAUTHORIZED_INPUT_PARAMETER": (200, "Unauthorized input parameter"),
    "UNAUTHORIZED_API_METHOD": (403, "Unauthorized API method"),
    "ACCESS_TOKEN_MISSING": (401, "Groove MSA access token required."),
    "ACCESS_TOKEN_INVALID": (401, "Invalid Azure Marketplace token."),
    "ACCESS_TOKEN_EXPIRED": (401, "Expired Azure Marketplace token."),
    "ACCESS_TOKEN_INVALID_SUBSCRIPTION": (
        401,
        "Azure Marketplace client ID is not a subscriber to the Groove data offer.",
    ),
    "ACCESS_TOKEN_VALIDATION_ERROR": (500, "Unexpected error while validating Azure Marketplace token."),
    "ACCESS_TOKEN_SUBSCRIPTION_VALIDATION_ERROR": (
        500,
        "Unexpected error while validating Azure Marketplace subscription status.",
    ),
    "INVALID_AUTHORIZATION_HEADER": (401, "Missing or invalid authorization header"),
    "AUTHORIZATION_TOKEN_EXPIRED": (401, "User's authorization token expired. You need to obtain a new one."),
    "MSA_SCOPE_REQUIRES_USER_CONSENT": (
        401,
        "User hasn't accepted the necessary Microsoft account scopes. Force the user to sign-in again.",
    ),
    "NO_MUSIC_PASS_SUBSCRIPTION": (403, "The user does not have a Groove Music subscription"),
    "CATALOG_INVALID_DATA": (200, "Error while reading catalog data; some results may be missing."),
    "CATALOG_NO_RESULT": (404, "Item does not exist."),
    "CATALOG_UNAVAILABLE": (502, "No response from catalog."),
    "COLLECTION_INVALID_DATA": (
        200,
        "Error while reading collection data, some results may be missing or incomplete",
    ),
    "COLLECTION_SOME_OPERATIONS_FAILED": (200, "Some of the operations failed"),
    "COLLECTION_INVALID_PLAYLIST_REORDER": (400, "Invalid playlist reorder operation"),
    "COLLECTION_FULL": (400, "User's collection is full"),
    "COLLECTION_PLAYLIST_FULL": (400, "This playlist is full"),
    "COLLECTION_INVALID_OPERATION": (400, "This operation is not supported"),
    "COLLECTION_INVALID_ID": (400, "Invalid collection id for this operation"),
    "COLLECTION_INVALID_PLAYLIST_INFO": (400, "Required playlist information is missing"),
    "COLLECTION_NO_RESULT": (404, "No result in the user's collection"),
    "COLLECTION_CONCURRENT_UPDATE": (409, "Concurrent update of the collection."),
    "COLLECTION_INVALID_RESPONSE": (502, "Invalid response from the user's collection"),
    "COLLECTION_OPERATION_UNKNOWN_ERROR": (502, "The operation failed"),
    "DISCOVERY_INVALID_DATA": (
        200,
        "Error while reading new releases or spotlight data, some results may be missing or incomplete",
    ),
    "DISCOVERY_NO_RESULT": (404, "No result from Discovery (New Releases and Spotlight)"),
    "DISCOVERY_INVALID_GENRE": (
        404,
        "No result from Discovery (New Releases and Spotlight), you might want to check if genre is "
        "well formatted",
    ),
    "DISCOVERY_INVALID_RESPONSE": (502, "Invalid response from Discovery (New Releases and Spotlight)"),
    "DELIVERY_3RD_PARTY_CANNOT_STREAM_PURCHASES": (
        403,
        "Purchases are not available for streaming through the Groove Developer APIs.",
    ),
    "DELIVERY_UNAVAILABLE_CONTENT": (404, "Content is not available for streaming"),
    "DELIVERY_ERROR": (404, "Unknown error when trying to stream content"),
    "DELIVERY_CONCURRENT_STREAMING": (409, "The user is already streaming on another device"),
    "DELIVERY_INVALID_RESPONSE": (502, "Invalid response when trying to stream content"),
    "SUBSCRIPTION_INVALID_RESPONSE": (502, "Invalid response when trying to get user's subscription"),
    "TOO_MANY_REQUESTS": (429, "Too Many Requests"),
    "INTERNAL_SERVER_ERROR": (500, "Oops, something went seriously wrong."),
}


def normalise(code: str) -> str:
    """E01: both spellings of a code name the same table entry."""
    return code.replace("-", "_")


def is_documented(code: str) -> bool:
    return normalise(code) in ERROR_TABLE


def default_status(code: str) -> int | None:
    entry = ERROR_TABLE.get(normalise(code))
    return entry[0] if entry else None


def description(code: str) -> str | None:
    entry = ERROR_TABLE.get(normalise(code))
    return entry[1] if entry else None


def same_description(actual: str, code: str) -> bool:
    """ERR-DESCRIPTION: the table's text for ``code``, a final full stop aside."""
    expected = description(code)
    return expected is not None and actual.strip().rstrip(".") == expected.rstrip(".")
