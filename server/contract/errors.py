"""Turning msgspec's validation messages into Convene's error shape.

msgspec reports ``Expected `str` of length <= 64 - at `$.client_id``; clients get
``{"code": "invalid", "message": "client_id must be at most 64 characters", "field":
"client_id"}``. The field is the top-level key the problem sits under (``tags`` for
``$.tags[3]``, ``rooms`` for a key inside ``$.rooms``), because that is what a form
can point at. The message is rewritten into a sentence a person can act on; shapes
this module does not know keep msgspec's wording, without the path.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal, get_args, get_origin, get_type_hints

import msgspec

from server.contract.fields import NOT_BLANK
from server.domain.errors import DomainError, Invalid


class MalformedJson(DomainError):
    """The text is not JSON at all (or not UTF-8): there is no field to name."""

    code = "malformed_json"


_PATH = re.compile(r"\s*-? at `(?:key` in `)?\$(?P<path>[^`]*)`$")
_TOP = re.compile(r"^\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`$")
_KINDS: Final = {
    "str": "text",
    "int": "a whole number",
    "bool": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
    "float": "a number with a fraction",
}
_EXPECTED = re.compile(r"^Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`$")
_LENGTH = re.compile(r"^Expected `(?P<kind>str|array|object)` of length (?P<op>[<>]=) (?P<n>\d+)$")
_NUMBER = re.compile(r"^Expected `int` (?P<op>[<>]=) (?P<n>-?\d+)$")
_ENUM = re.compile(r"^Invalid enum value (?P<value>.*)$")


def _kind(name: str) -> str:
    parts = [part.strip() for part in name.split("|")]
    return " or ".join(_KINDS.get(part, part) for part in parts if part != "null" or len(parts) == 1)


def _choices(shape: type[Any] | None, field: str | None) -> tuple[Any, ...]:
    """The allowed values of an enumerated field of ``shape``, for the message."""
    if shape is None or field is None:
        return ()
    try:
        hint = get_type_hints(shape).get(field)
    except (NameError, TypeError):
        return ()
    pending = [hint]
    while pending:
        tp = pending.pop()
        if get_origin(tp) is Literal:
            return get_args(tp)
        pending.extend(a for a in get_args(tp) if a is not type(None))
    return ()


def _sentence(detail: str, field: str | None, shape: type[Any] | None, what: str) -> str:
    subject = field or what
    if match := _MISSING.match(detail):
        return f"{match['name']} is required"
    if match := _UNKNOWN.match(detail):
        where = "this operation" if field is None or field == match["name"] else field
        return f"{match['name']} is not a field {where} reads (unknown fields are refused)"
    if detail == "Invalid RFC3339 encoded date":
        return f"{subject} must be a date written YYYY-MM-DD"
    if match := _LENGTH.match(detail):
        unit = "characters" if match["kind"] == "str" else "items"
        bound = "at most" if match["op"] == "<=" else "at least"
        return f"{subject} must have {bound} {match['n']} {unit}" if unit == "items" else f"{subject} must be {bound} {match['n']} {unit}"
    if match := _NUMBER.match(detail):
        return f"{subject} must be {'at most' if match['op'] == '<=' else 'at least'} {match['n']}"
    if detail in ("Integer value out of range", "Number out of range"):
        return f"{subject} is out of range"
    if match := _EXPECTED.match(detail):
        if field is None and match["want"] == "object":
            return f"{what} must be a JSON object"
        return f"{subject} must be {_kind(match['want'])}, not {_kind(match['got'])}"
    if match := _ENUM.match(detail):
        allowed = _choices(shape, field)
        return f"{subject} must be one of {', '.join(map(str, allowed))}" if allowed else f"{subject}: invalid value {match['value']}"
    if detail == f"Expected `str` matching regex {NOT_BLANK!r}":
        return f"{subject} must not be blank"
    if detail.startswith("Expected `str` matching regex"):
        return f"{subject} has characters that are not allowed"
    return f"{subject}: {detail}" if field else detail


def invalid(error: msgspec.ValidationError, shape: type[Any] | None = None, what: str = "the body") -> Invalid:
    """The ``Invalid`` for a msgspec ValidationError raised while decoding ``shape``;
    ``what`` names the whole value when no field is at fault."""
    text = str(error)
    path = ""
    if match := _PATH.search(text):
        path, text = match["path"], text[: match.start()]
    field = top_field(path)
    if field is None and (missing := _MISSING.match(text) or _UNKNOWN.match(text)):
        field = missing["name"]
    sentence = _sentence(text, field, shape, what)
    if field is not None and path not in ("", f".{field}"):  # inside a list or object
        sentence = sentence.replace(field, f"each item in {field}", 1)
    return Invalid(sentence, field)


def top_field(path: str) -> str | None:
    """``.tags[2]`` -> ``tags``; the root (``""``) names no field."""
    match = _TOP.match(path)
    return match["name"] if match else None
