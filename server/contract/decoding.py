"""Reading untrusted input into a typed shape, for every door.

``from_json`` (HTTP bodies), ``from_query`` (query strings) and ``from_data``
(Socket.IO payloads, already parsed) each return an instance of the shape asked for or
raise a ``DomainError`` with the field named: ``Invalid`` for a bad field,
``MalformedJson`` for text that is not JSON. Order of checks for a body: nesting depth
on the raw text, then msgspec decodes and validates in one pass, then the configured
lengths and storable text (``server.contract.limits``).
"""

from __future__ import annotations

import functools
import json
import re
from typing import Callable, Iterable, TypeVar

import msgspec
import msgspec.inspect

from server.config import Settings
from server.contract import limits
from server.contract.errors import MalformedJson, invalid, top_field
from server.contract.fields import MAX_DEPTH
from server.contract.jsontext import depth_exceeds, unstorable_path
from server.contract.requests import Changes
from server.domain.errors import Invalid

S = TypeVar("S", bound=msgspec.Struct)

_decoders: dict[type[msgspec.Struct], msgspec.json.Decoder[msgspec.Struct]] = {}


def _decoder(shape: type[S]) -> msgspec.json.Decoder[S]:
    found = _decoders.get(shape)
    if found is None:
        found = _decoders[shape] = msgspec.json.Decoder(shape)
    return found  # type: ignore[return-value]


def _refuse_unstorable(error: msgspec.ValidationError, parsed: Callable[[], object]) -> None:
    """Text patterns refuse NUL as well as blankness: when a NUL (or a lone surrogate) is
    what failed, name the character rather than call the text blank. ``parsed`` is asked
    only then (the body may hold a number no parser reads)."""
    if _PATTERN_REFUSED.search(str(error)):
        where = unstorable_path(parsed())
        if where is not None:
            raise limits.unstorable(top_field(where[1:]) or "the body") from None


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
        _refuse_unstorable(error, lambda: msgspec.json.decode(raw))
        if not _FRACTION_REFUSED.search(str(error)):
            raise invalid(error, shape) from None
        value = _with_whole_floats(msgspec.json.decode(raw), shape)
    except (msgspec.DecodeError, UnicodeDecodeError):
        raise _why_undecodable(raw) from None
    if isinstance(value, Changes):
        _check_changes(raw, value)
    limits.check(value, settings)
    return value


_members = msgspec.json.Decoder(dict[str, msgspec.Raw])


def _check_changes(raw: bytes, value: Changes) -> None:
    """The rules of a PATCH body (``server.contract.requests.Changes``): at least one
    field, none of them null. The body already decoded, so it is an object of known
    fields; reading its members again as raw JSON tells absent from null."""
    given = _members.decode(raw)
    for name, text in given.items():
        if bytes(text) == b"null":
            raise Invalid(f"{name} cannot be null: leave it out to keep it as it is", name)
    if not given:
        names = ", ".join(value.__struct_fields__)
        raise Invalid(f"the body changes nothing: give at least one of {names}", None)


def _why_undecodable(raw: bytes) -> Invalid | MalformedJson:
    """msgspec refuses lone surrogates as if the text were broken. The standard library
    accepts them: when it parses the text, name the field that holds one."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return MalformedJson(f"the body is not UTF-8 text (byte {error.start} cannot be read)")
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return MalformedJson("the body is not valid JSON")
    where = unstorable_path(parsed)
    if where is None:  # valid for Python, not for msgspec (NaN, Infinity)
        return MalformedJson("the body is not valid JSON")
    field = top_field(where[1:])
    return Invalid(f"{field or 'the body'} contains an unpaired UTF-16 surrogate, which cannot be stored", field)


# JSON Schema counts 1.0 as an integer (draft 2020-12, section 6.1.1), and the document
# says ``type: integer``: so a whole number written with a zero fraction is accepted
# where an integer is expected. 1.5 is still refused, as is "1".
_PATTERN_REFUSED = re.compile(r"Expected `str` matching regex")
_FRACTION_REFUSED = re.compile(r"Expected `int(?: \| null)?`, got `float`")


def _whole(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    return value


def _with_whole_floats(parsed: object, shape: type[S]) -> S:
    try:
        return msgspec.convert(_whole(parsed), shape)
    except msgspec.ValidationError as error:
        raise invalid(error, shape) from None


def from_data(data: object, shape: type[S], settings: Settings) -> S:
    """Convert an already parsed value (a Socket.IO payload) into ``shape``, strictly:
    ``"5"`` is not a number, ``true`` is not 1, and ``1.0`` is not 1 either (no JSON
    Schema document describes these payloads; docs/protocol.md says integers)."""
    try:
        value = msgspec.convert(data, shape)
    except msgspec.ValidationError as error:
        _refuse_unstorable(error, lambda: data)
        raise invalid(error, shape, "the payload") from None
    limits.check(value, settings)
    return value


def from_query(pairs: Iterable[tuple[str, str]], shape: type[S], settings: Settings) -> S:
    """Convert query parameters into ``shape``, decoding each through the contract as a
    body's field is. Each text is read as its declared type, exactly: a whole number
    is digits (``1.0``, ``+1``, `` 1`` are not), a boolean ``true`` or ``false`` (or ``1``, ``0``), a
    date ``YYYY-MM-DD``, an enumeration one of its words, text as given; then msgspec
    checks the bounds. Refused, with the parameter named: an empty value (leave the
    parameter out instead), a parameter given twice, and any text that does not read
    as its type (``null`` included: absence is written by leaving it out). Unknown
    parameters are ignored (caches and trackers add their own)."""
    kinds = _query_kinds(shape)
    present: dict[str, object] = {}
    for name, text in pairs:
        if name not in kinds:
            continue
        if name in present:
            raise Invalid(f"{name} is given more than once", name)
        present[name] = _read_text(name, text, kinds[name])
    try:
        value = msgspec.convert(present, shape)
    except msgspec.ValidationError as error:
        raise invalid(error, shape) from None
    limits.check(value, settings)
    return value


_WHOLE = re.compile(r"-?[0-9]{1,20}")
# Links and the web client write ``mine=1``; the document says so (``server.http.openapi``).
_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}


@functools.cache
def _query_kinds(shape: type[msgspec.Struct]) -> dict[str, str]:
    """Each field's plain kind (``int``, ``bool``, ``date``, ``text``) for reading its text."""
    info = msgspec.inspect.type_info(shape)
    assert isinstance(info, msgspec.inspect.StructType)
    return {field.name: _kind_of(field.type) for field in info.fields}


def _kind_of(tp: msgspec.inspect.Type) -> str:
    if isinstance(tp, msgspec.inspect.Metadata):
        return _kind_of(tp.type)
    if isinstance(tp, msgspec.inspect.UnionType):
        [only] = [t for t in tp.types if not isinstance(t, msgspec.inspect.NoneType)]
        return _kind_of(only)
    if isinstance(tp, msgspec.inspect.IntType):
        return "int"
    if isinstance(tp, msgspec.inspect.BoolType):
        return "bool"
    if isinstance(tp, msgspec.inspect.DateType):
        return "date"
    if isinstance(tp, (msgspec.inspect.StrType, msgspec.inspect.LiteralType)):
        return "text"
    raise TypeError(f"a query parameter cannot be {tp!r}")


def _read_text(name: str, text: str, kind: str) -> object:
    if text == "":
        raise Invalid(f"{name} is empty: leave the parameter out instead", name)
    if kind == "int":
        if not _WHOLE.fullmatch(text):
            raise Invalid(f"{name} must be a whole number written in digits", name)
        return int(text)
    if kind == "bool":
        if text not in _BOOLEANS:
            raise Invalid(f"{name} must be true or false", name)
        return _BOOLEANS[text]
    return text  # dates are read by msgspec from their RFC 3339 text, strictly
