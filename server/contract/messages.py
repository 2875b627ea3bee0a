"""Request shapes for threads and messages."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from server.contract.fields import Body, ClientId, Draft, Id, PageSize, Seq, Title
from server.contract.requests import Request


class NewThread(Request, kw_only=True):
    """A thread, optionally with its first message (``client_id`` makes that one
    idempotent like any other send)."""

    title: Title
    body: Body | None = None
    client_id: ClientId | None = None


class NewMessage(Request, kw_only=True):
    client_id: ClientId
    body: Body


class MessageEdit(Request, kw_only=True):
    body: Body


class ReadMarker(Request, kw_only=True):
    seq: Seq


class Preview(Request, kw_only=True):
    """Render a draft; with ``room_id``, mentions of that room's members resolve."""

    body: Draft
    room_id: Id | None = None


class PageQuery(Struct, kw_only=True):
    """A page of a thread: after ``after``, or before ``before`` (the newest page with
    neither)."""

    before: Annotated[Seq, Meta(description="the page before this seq; not with after")] | None = None
    after: Annotated[Seq, Meta(description="the page after this seq; not with before")] | None = None
    limit: PageSize = 50
