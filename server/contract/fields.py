"""Field types shared by the request shapes: ids, sequence numbers, bounded text.

Bounds that never change are msgspec ``Meta`` constraints, checked while decoding and
written into the OpenAPI document as they are. Bounds an operator configures
(``MAX_MESSAGE_CHARS``, ``MAX_TITLE_CHARS``) cannot be: msgspec fixes constraints when
a class is defined, and one process may serve apps with different Settings (the
tests do). Those fields carry a ``configured(...)`` marker instead, naming the
Settings attribute; ``server.contract.limits`` checks every marked field after
decoding, in one place that names the field, and ``server.contract.schema`` turns the
marker into ``maxLength`` from the app's Settings. So the number lives only in Settings.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Annotated, Final

from msgspec import Meta

from server.config import Settings

# Ids and sequence numbers are INTEGER columns: 32-bit signed on PostgreSQL, so a
# larger value cannot name anything stored and must not reach a query (asyncpg
# refuses to bind it). Paths answer 404 beyond it, bodies and queries 400.
MAX_ID: Final = 2**31 - 1

# Deeper JSON than this is refused before parsing (no shape nests beyond four).
MAX_DEPTH: Final = 32

SETTING_KEY: Final = "x-convene-max-length-setting"
_SETTING_NAMES = {f.name for f in dataclass_fields(Settings)}


def configured(setting: str, description: str) -> Meta:
    """A string whose maximum length is ``Settings.<setting>`` (see the module doc)."""
    if setting not in _SETTING_NAMES:
        raise AssertionError(f"Settings has no {setting!r}")
    return Meta(description=description, extra_json_schema={SETTING_KEY: setting})


# Text that must say something: at least one character that is not white space (the
# domain trims it). A regular expression in both msgspec and JSON Schema matches
# anywhere in the text, so ``\S`` reads "not blank" in the document as well.
NOT_BLANK: Final = r"\S"

Id = Annotated[int, Meta(ge=1, le=MAX_ID, description="an id")]
Seq = Annotated[int, Meta(ge=0, le=MAX_ID, description="a room sequence number; 0 before the first event")]

# Markdown source of a message: length from MAX_MESSAGE_CHARS, never blank.
Body = Annotated[str, Meta(pattern=NOT_BLANK), configured("max_message_chars", "Markdown source, not blank")]
# A draft to preview may be blank.
Draft = Annotated[str, configured("max_message_chars", "Markdown source")]
# A room or thread title: length from MAX_TITLE_CHARS (surrounding space is trimmed).
Title = Annotated[str, Meta(pattern=NOT_BLANK), configured("max_title_chars", "a room or thread title, not blank")]

CLIENT_ID_PATTERN: Final = r"^[A-Za-z0-9_.:-]{1,64}$"
ClientId = Annotated[
    str,
    Meta(
        pattern=CLIENT_ID_PATTERN,
        max_length=64,
        description="the sender's own id for this message: 1 to 64 letters, digits or . _ : -; a retry reuses it",
    ),
]

Email = Annotated[str, Meta(max_length=254, description="an email address")]
Token = Annotated[str, Meta(max_length=200, description="the token from an emailed link")]
PASSWORD_MIN_CHARS: Final = 10
PASSWORD_MAX_CHARS: Final = 1000
Password = Annotated[str, Meta(max_length=PASSWORD_MAX_CHARS)]
NewPassword = Annotated[str, Meta(min_length=PASSWORD_MIN_CHARS, max_length=PASSWORD_MAX_CHARS)]
DisplayName = Annotated[str, Meta(max_length=100, pattern=NOT_BLANK, description="not blank; trimmed")]
OrganisationName = Annotated[str, Meta(max_length=200, pattern=NOT_BLANK, description="not blank; trimmed")]
DomainName = Annotated[str, Meta(max_length=253, description="an email domain like camden.gov.uk")]
Slug = Annotated[str, Meta(max_length=80, description="a-z, 0-9 and single hyphens, not only digits")]
Tag = Annotated[str, Meta(max_length=40)]
MAX_TAGS: Final = 20
SUMMARY_MAX_CHARS: Final = 20_000
Summary = Annotated[str, Meta(max_length=SUMMARY_MAX_CHARS, description="Markdown source")]
SearchText = Annotated[str, Meta(max_length=200)]
PAGE_MAX: Final = 200
PageSize = Annotated[int, Meta(ge=1, le=PAGE_MAX)]
