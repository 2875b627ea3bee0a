"""JSON Schema for the contract's shapes, with the app's configured limits.

``components(shapes, settings)`` runs msgspec's schema generator over the shapes and
then replaces each ``configured(...)`` marker (see ``server.contract.fields``) with
``maxLength`` read from ``settings``, so the document an app serves states the limits
that app enforces. ``Changes`` shapes (PATCH bodies) are written as they are decoded:
no property nullable, at least one given.
"""

from __future__ import annotations

from typing import Any, Final, Iterable

import msgspec

from server.config import Settings
from server.contract.fields import SETTING_KEY, STORABLE
from server.contract.requests import Changes, Request

REF_TEMPLATE: Final = "#/components/schemas/{name}"


def _apply_settings(node: Any, settings: Settings) -> Any:
    if isinstance(node, dict):
        out = {key: _apply_settings(value, settings) for key, value in node.items() if key != SETTING_KEY}
        if SETTING_KEY in node:
            out["maxLength"] = getattr(settings, node[SETTING_KEY])
        return out
    if isinstance(node, list):
        return [_apply_settings(item, settings) for item in node]
    return node


def _changes_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A ``Changes`` shape as it is decoded (``server.contract.requests``): no property
    is nullable, and at least one must be given."""
    properties: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        variants = [v for v in prop.get("anyOf", [prop]) if v.get("type") != "null"]
        plain = {k: v for k, v in prop.items() if k not in ("anyOf", "default")}
        properties[name] = plain | variants[0] if len(variants) == 1 else plain | {"anyOf": variants}
    return schema | {"properties": properties, "minProperties": 1}


def _storable_text(node: Any) -> Any:
    """Every string a request carries is refused when it holds a NUL
    (``server.contract.limits``): say so on each string schema without a pattern."""
    if isinstance(node, dict):
        out = {key: _storable_text(value) for key, value in node.items()}
        if out.get("type") == "string" and not {"pattern", "format", "enum"} & out.keys():
            out["pattern"] = STORABLE
        return out
    if isinstance(node, list):
        return [_storable_text(item) for item in node]
    return node


def _subclasses(base: type[Any]) -> dict[str, type[Any]]:
    found: dict[str, type[Any]] = {}
    for sub in base.__subclasses__():
        found[sub.__name__] = sub
        found.update(_subclasses(sub))
    return found


def components(
    shapes: Iterable[type[Any]], settings: Settings, inputs: Iterable[type[Any]] = ()
) -> tuple[dict[type[Any], dict[str, Any]], dict[str, Any]]:
    """(schema or ``$ref`` for each shape, the named component schemas). ``inputs`` are
    the query shapes; request bodies are known by their base, ``Request``."""
    ordered = list(dict.fromkeys(shapes))
    refs, named = msgspec.json.schema_components(ordered, ref_template=REF_TEMPLATE)
    readers = _subclasses(Request) | {shape.__name__: shape for shape in inputs}
    for name, shape in readers.items():
        if name in named and named[name].get("title") == shape.__name__:
            named[name] = _storable_text(named[name])
            named[name] |= getattr(shape, "json_schema_rule", {})
            if issubclass(shape, Changes):
                named[name] = _changes_schema(named[name])
    return dict(zip(ordered, _apply_settings(list(refs), settings))), _apply_settings(named, settings)
