"""Reading fields out of untrusted JSON objects, for every door (HTTP bodies, query
strings, Socket.IO payloads). Each failure names the field."""

from __future__ import annotations

from typing import Any, Mapping

from server.domain.errors import Invalid

_MISSING = object()


def require_object(data: Any, what: str = "body") -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise Invalid(f"the {what} must be a JSON object", None)
    return data


def string(data: Mapping[str, Any], name: str, *, required: bool = True, max_len: int | None = None) -> str | None:
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Invalid(f"{name} is required", name)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string", name)
    if max_len is not None and len(value) > max_len:
        raise Invalid(f"{name} must be at most {max_len} characters", name)
    return value


def req_string(data: Mapping[str, Any], name: str, max_len: int | None = None) -> str:
    value = string(data, name, required=True, max_len=max_len)
    assert value is not None
    return value


def integer(data: Mapping[str, Any], name: str, *, required: bool = True, minimum: int | None = 0) -> int | None:
    value = data.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Invalid(f"{name} is required", name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{name} must be a whole number", name)
    if minimum is not None and value < minimum:
        raise Invalid(f"{name} must be at least {minimum}", name)
    if value > 2**53:
        raise Invalid(f"{name} is too large", name)
    return value


def req_int(data: Mapping[str, Any], name: str, minimum: int | None = 0) -> int:
    value = integer(data, name, required=True, minimum=minimum)
    assert value is not None
    return value


def boolean(data: Mapping[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise Invalid(f"{name} must be true or false", name)
    return value


def string_list(data: Mapping[str, Any], name: str, max_items: int = 50) -> list[str] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{name} must be a list of strings", name)
    if len(value) > max_items:
        raise Invalid(f"{name} may have at most {max_items} items", name)
    return value


def query_int(query: Mapping[str, str], name: str, default: int | None = None, minimum: int = 0) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"{name} must be a whole number", name) from None
    if value < minimum:
        raise Invalid(f"{name} must be at least {minimum}", name)
    return value
