"""The checks msgspec cannot make while decoding, made in one place for every door.

* Configured lengths: fields marked ``configured("max_message_chars", ...)`` (see
  ``server.contract.fields``) must be at most ``Settings.max_message_chars`` long.
  Only top-level fields of a shape carry the marker; nested shapes do not need it.
* Storable text: no string anywhere in the value may hold a NUL character (PostgreSQL
  text cannot) or a lone surrogate (no encoder can write it). msgspec's JSON decoder
  already refuses lone surrogates; shapes converted from Python objects (Socket.IO
  payloads, query strings) may still carry them.

Both raise ``Invalid`` naming the top-level field.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, get_args, get_origin, get_type_hints

import msgspec

from server.config import Settings
from server.contract.errors import top_field
from server.contract.fields import (
    DISPLAY_NAME_MAX_CHARS,
    EMAIL_MAX_CHARS,
    MAX_TAGS,
    ORGANISATION_NAME_MAX_CHARS,
    PASSWORD_MAX_CHARS,
    PASSWORD_MIN_CHARS,
    SETTING_KEY,
    SUMMARY_MAX_CHARS,
    TAG_MAX_CHARS,
)
from server.contract.invitations import MAX_INVITEES
from server.contract.jsontext import has_unstorable, unstorable_path
from server.domain.errors import Invalid
from server.vocabulary import EMAIL_RE


def _setting_of(hint: Any) -> str | None:
    """The Settings attribute bounding a field's length, from its ``configured`` marker
    (found inside ``Annotated``, also within ``X | None``)."""
    if get_origin(hint) is Annotated:
        for meta in hint.__metadata__:
            if isinstance(meta, msgspec.Meta) and meta.extra_json_schema and SETTING_KEY in meta.extra_json_schema:
                return str(meta.extra_json_schema[SETTING_KEY])
        return None
    for arg in get_args(hint):
        if (found := _setting_of(arg)) is not None:
            return found
    return None


@functools.cache
def configured_fields(shape: type[msgspec.Struct]) -> tuple[tuple[str, str], ...]:
    """(field, Settings attribute) for each configured-length field of ``shape``."""
    hints = get_type_hints(shape, include_extras=True)
    found = ((name, _setting_of(hints[name])) for name in shape.__struct_fields__)
    return tuple((name, setting) for name, setting in found if setting is not None)


def check(value: msgspec.Struct, settings: Settings) -> None:
    """Raise ``Invalid`` unless every string in ``value`` is storable and every
    configured length holds."""
    for name in value.__struct_fields__:
        item = getattr(value, name)
        if isinstance(item, str):
            if has_unstorable(item):
                raise unstorable(name)
        elif isinstance(item, (list, dict, tuple, msgspec.Struct)):
            where = unstorable_path(msgspec.to_builtins(item) if isinstance(item, msgspec.Struct) else item, path=f"$.{name}")
            if where is not None:
                raise unstorable(top_field(where[1:]) or name)
    for name, setting in configured_fields(type(value)):
        item = getattr(value, name)
        bound: int = getattr(settings, setting)
        if isinstance(item, str) and len(item) > bound:
            raise Invalid(f"{name} must be at most {bound} characters", name)


def unstorable(field: str) -> Invalid:
    return Invalid(f"{field} contains a character that cannot be stored (a NUL or an unpaired UTF-16 surrogate)", field)


def published_limits(settings: Settings) -> dict[str, int | str]:
    """The bounds a browser checks before sending (``envelopes.Limits``), from the same
    constants and Settings the server checks with, so the two cannot disagree."""
    return {
        "message_chars": settings.max_message_chars,
        "title_chars": settings.max_title_chars,
        "summary_chars": SUMMARY_MAX_CHARS,
        "display_name_chars": DISPLAY_NAME_MAX_CHARS,
        "organisation_chars": ORGANISATION_NAME_MAX_CHARS,
        "tag_chars": TAG_MAX_CHARS,
        "tags": MAX_TAGS,
        "email_chars": EMAIL_MAX_CHARS,
        "email_pattern": EMAIL_RE.pattern,
        "password_min_chars": PASSWORD_MIN_CHARS,
        "password_max_chars": PASSWORD_MAX_CHARS,
        "invitees": MAX_INVITEES,
    }
