"""JSON Schema for the contract's shapes, with the app's configured limits.

``components(shapes, settings)`` runs msgspec's schema generator over the shapes and
then replaces each ``configured(...)`` marker (see ``server.contract.fields``) with
``maxLength`` read from ``settings``, so the document an app serves states the limits
that app enforces.
"""

from __future__ import annotations

from typing import Any, Final, Iterable

import msgspec

from server.config import Settings
from server.contract.fields import SETTING_KEY

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


def components(shapes: Iterable[type[Any]], settings: Settings) -> tuple[dict[type[Any], dict[str, Any]], dict[str, Any]]:
    """(schema or ``$ref`` for each shape, the named component schemas)."""
    ordered = list(dict.fromkeys(shapes))
    refs, named = msgspec.json.schema_components(ordered, ref_template=REF_TEMPLATE)
    return dict(zip(ordered, _apply_settings(list(refs), settings))), _apply_settings(named, settings)
