"""Stopgap field readers for the Socket.IO handlers until they call
``server.contract.socket_payloads.parse``; then delete this module. The HTTP door
already reads through the typed shapes. Each failure names the field; the bounds are
the contract's (``MAX_ID``, storable text)."""

from __future__ import annotations

from typing import Any, Mapping

from server.contract.fields import MAX_ID
from server.contract.jsontext import has_unstorable
from server.domain.errors import Invalid


def require_object(data: Any, what: str = "body") -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise Invalid(f"the {what} must be a JSON object", None)
    return data


def req_string(data: Mapping[str, Any], name: str, max_len: int | None = None) -> str:
    value = data.get(name)
    if value is None:
        raise Invalid(f"{name} is required", name)
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string", name)
    if max_len is not None and len(value) > max_len:
        raise Invalid(f"{name} must be at most {max_len} characters", name)
    if has_unstorable(value):
        raise Invalid(f"{name} contains a character that cannot be stored (a NUL or an unpaired UTF-16 surrogate)", name)
    return value


def req_int(data: Mapping[str, Any], name: str, minimum: int | None = 0) -> int:
    value = data.get(name)
    if value is None:
        raise Invalid(f"{name} is required", name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} must be a whole number", name)
    if minimum is not None and value < minimum:
        raise Invalid(f"{name} must be at least {minimum}", name)
    if value > MAX_ID:
        raise Invalid(f"{name} must be at most {MAX_ID}", name)
    return value
