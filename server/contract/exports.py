"""Exports over HTTP: a room or one of its threads as Markdown or JSON (a download)."""

from __future__ import annotations

from msgspec import Struct

from server.contract.fields import Id
from server.vocabulary import ExportFormat


class ExportQuery(Struct, kw_only=True):
    """``thread`` exports one thread of the room instead of all of them."""

    format: ExportFormat = "md"
    thread: Id | None = None
