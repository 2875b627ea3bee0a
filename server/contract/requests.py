"""The two kinds of request body, and the rules every body follows.

Decisions (stated once, here; the OpenAPI document says the same):

* **Unknown properties are refused.** Every JSON body shape derives from ``Request``
  (msgspec ``forbid_unknown_fields``), so ``{"body": "x"}`` sent to an operation that
  has no ``body`` is a 400 naming ``body``, never a silent no-op; the schemas say
  ``additionalProperties: false``. A misspelt field is the client's mistake, and a
  client that ignores our answer's fields is the only direction we keep lenient.
* **Changes (PATCH bodies) name what changes.** A ``Changes`` shape lists optional
  fields; an absent field stays as it is. ``null`` is not a value for any of them (it
  would read as "clear it", which no field supports) and a body naming none of them
  (``{}``) changes nothing, so both are refused (400 naming the field, or the body).
  The schema drops ``null`` from each property and says ``minProperties: 1``.
* **Integers as JSON Schema reads them**: the document says ``type: integer``, which
  counts ``1.0`` as an integer, so a body's whole number written with a zero fraction is
  read as that integer; ``1.5`` and ``"1"`` are refused. (Socket.IO payloads, which no
  JSON Schema describes, stay strict.)
* **Text that must say something** (titles, bodies, names) is refused when blank after
  trimming; such fields are ``NonBlank`` (``server.contract.fields``) and carry the
  pattern ``\\S`` in the document.

* **Rules across fields** that a shape's door enforces (``give either thread_ids or
  all``) are stated beside the shape as ``json_schema_rule``, JSON Schema merged into
  its component, so the document says what the door refuses.

``server.contract.decoding`` enforces the ``Changes`` rules; ``server.contract.schema``
writes them into the document.
"""

from __future__ import annotations

from typing import Any, ClassVar

from msgspec import Struct


class Request(Struct, kw_only=True, forbid_unknown_fields=True):
    """A JSON request body (or a part of one): unknown properties are refused."""

    json_schema_rule: ClassVar[dict[str, Any]] = {}


class Changes(Request, kw_only=True):
    """A PATCH body: only the fields given change; at least one, none of them null."""
