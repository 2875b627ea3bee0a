"""Reading untrusted input into a typed shape, for every door.

``from_json`` (HTTP bodies), ``from_query`` (query strings) and ``from_data``
(Socket.IO payloads, already parsed) each return an instance of the shape asked for or
raise a ``DomainError`` with the field named: ``Invalid`` for a bad field,
``MalformedJson`` for text that is not JSON. Order of checks for a body: nesting depth
on the raw text, then msgspec decodes and validates in one pass, then the configured
lengths and storable text (``server.contract.limits``).
"""

from __future__ import annotations

import json
from typing import Mapping, TypeVar

import msgspec

from server.config import Settings
from server.contract import limits
from server.contract.errors import MalformedJson, invalid, top_field
from server.contract.fields import MAX_DEPTH
from server.contract.jsontext import depth_exceeds, unstorable_path
from server.domain.errors import Invalid

S = TypeVar("S", bound=msgspec.Struct)

_decoders: dict[type[msgspec.Struct], msgspec.json.Decoder[msgspec.Struct]] = {}


def _decoder(shape: type[S]) -> msgspec.json.Decoder[S]:
    found = _decoders.get(shape)
    if found is None:
        found = _decoders[shape] = msgspec.json.Decoder(shape)
    return found  # type: ignore[return-value]


def from_json(raw: bytes, shape: type[S], settings: Settings) -> S:
    """Decode a JSON body into ``shape``. An empty body counts as ``null`` (refused:
    the body must be an object); a UTF-8 byte order mark is ignored (RFC 8259 allows it)."""
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if not raw.strip():
        raw = b"null"
    if depth_exceeds(raw):
        raise Invalid(f"the body nests deeper than {MAX_DEPTH} levels", None)
    try:
        value = _decoder(shape).decode(raw)
    except msgspec.ValidationError as error:
        raise invalid(error, shape) from None
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise _why_undecodable(raw) from None
    limits.check(value, settings)
    return value


def _why_undecodable(raw: bytes) -> Invalid | MalformedJson:
    """msgspec refuses lone surrogates as if the text were broken. The standard library
    accepts them: when it parses the text, name the field that holds one."""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return MalformedJson("the body is not valid JSON")
    where = unstorable_path(parsed)
    if where is None:  # valid for Python, not for msgspec (NaN, Infinity)
        return MalformedJson("the body is not valid JSON")
    field = top_field(where[1:])
    return Invalid(f"{field or 'the body'} contains an unpaired UTF-16 surrogate, which cannot be stored", field)


def from_data(data: object, shape: type[S], settings: Settings) -> S:
    """Convert an already parsed value (a Socket.IO payload) into ``shape``, strictly:
    ``"5"`` is not a number, ``true`` is not 1."""
    try:
        value = msgspec.convert(data, shape)
    except msgspec.ValidationError as error:
        raise invalid(error, shape, "the payload") from None
    limits.check(value, settings)
    return value


def from_query(query: Mapping[str, str], shape: type[S], settings: Settings) -> S:
    """Convert query parameters into ``shape``: numbers and ``true``/``1`` are read from
    their text; an empty parameter counts as absent; unknown parameters are ignored."""
    present: dict[str, str] = {}
    for name, text in query.items():  # the first of repeated parameters wins
        if text != "" and name not in present:
            present[name] = text
    try:
        value = msgspec.convert(present, shape, strict=False)
    except msgspec.ValidationError as error:
        raise invalid(error, shape) from None
    limits.check(value, settings)
    return value
