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


# White space as both Python (``str.strip``, msgspec) and JSON Schema (ECMA-262 ``\s``)
# know it: their union, written out, so a pattern means the same on both sides.
SPACE_CLASS: Final = r"\t\n\x0b\x0c\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Text that must say something: at least one character that is not white space (the
# domain trims it), and no NUL anywhere (no database stores it).
NOT_BLANK: Final = rf"^[^\x00]*[^\x00{SPACE_CLASS}][^\x00]*$"
# Any other text a request carries: no NUL (stated in the document for every string).
STORABLE: Final = r"^[^\x00]*$"
# An email address as the domain accepts it (``server.vocabulary.EMAIL_RE``): no white
# space of either kind in the local part.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Space around it is trimmed (what ``str.strip`` removes: SPACE_CLASS but U+FEFF).
_TRIMMED = SPACE_CLASS.removesuffix(r"\ufeff")
EMAIL_PATTERN: Final = rf"^[{_TRIMMED}]*[^@<>(),;:\"\[\]\x00{SPACE_CLASS}]+@{_LABEL}(?:\.{_LABEL})+[{_TRIMMED}]*$"
DOMAIN_PATTERN: Final = rf"^@?{_LABEL}(?:\.{_LABEL})+$"

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

EMAIL_MAX_CHARS: Final = 254
Email = Annotated[str, Meta(max_length=EMAIL_MAX_CHARS, pattern=EMAIL_PATTERN, description="an email address")]
Token = Annotated[str, Meta(max_length=200, description="the token from an emailed link")]
PASSWORD_MIN_CHARS: Final = 10
PASSWORD_MAX_CHARS: Final = 1000
Password = Annotated[str, Meta(max_length=PASSWORD_MAX_CHARS)]
NewPassword = Annotated[str, Meta(min_length=PASSWORD_MIN_CHARS, max_length=PASSWORD_MAX_CHARS)]
DISPLAY_NAME_MAX_CHARS: Final = 100
DisplayName = Annotated[str, Meta(max_length=DISPLAY_NAME_MAX_CHARS, pattern=NOT_BLANK, description="not blank; trimmed")]
ORGANISATION_NAME_MAX_CHARS: Final = 200
OrganisationName = Annotated[str, Meta(max_length=ORGANISATION_NAME_MAX_CHARS, pattern=NOT_BLANK, description="not blank; trimmed")]
DomainName = Annotated[str, Meta(max_length=253, pattern=DOMAIN_PATTERN, description="an email domain like camden.gov.uk")]
# Letters a-z, digits and single hyphens, not only digits (so it has a letter or a hyphen).
SLUG_PATTERN: Final = r"^(?:[a-z0-9]*[a-z][a-z0-9]*|[a-z0-9]+(?:-[a-z0-9]+)+)$"
Slug = Annotated[str, Meta(max_length=80, pattern=SLUG_PATTERN, description="a-z, 0-9 and single hyphens, not only digits")]
TAG_MAX_CHARS: Final = 40
Tag = Annotated[str, Meta(max_length=TAG_MAX_CHARS, pattern=NOT_BLANK, description="not blank; trimmed and lower-cased")]
MAX_TAGS: Final = 20
SUMMARY_MAX_CHARS: Final = 20_000
Summary = Annotated[str, Meta(max_length=SUMMARY_MAX_CHARS, description="Markdown source")]
SearchText = Annotated[str, Meta(max_length=200)]
PAGE_MAX: Final = 200
PageSize = Annotated[int, Meta(ge=1, le=PAGE_MAX)]
