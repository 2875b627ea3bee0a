"""Request shapes for rooms: settings, invitations, the directory, catch-up."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from server.contract.fields import MAX_TAGS, SearchText, Seq, Slug, Summary, Tag, Title
from server.contract.requests import Changes, Request
from server.vocabulary import Stage, Visibility


class NewRoom(Request, kw_only=True):
    """Creating a room: ``title`` is required; a missing slug is made from it. Tags are
    trimmed, lower-cased and de-duplicated by the domain."""

    title: Title
    slug: Slug | None = None
    summary: Summary | None = None
    stage: Stage | None = None
    visibility: Visibility | None = None
    tags: Annotated[list[Tag], Meta(max_length=MAX_TAGS)] | None = None
    looking_for_collaborators: bool | None = None


class RoomSettings(Changes, kw_only=True):
    """Changing a room: absent fields stay as they are (see ``Changes``)."""

    title: Title | None = None
    slug: Slug | None = None
    summary: Summary | None = None
    stage: Annotated[Stage, Meta(description="not incubation, which POST /api/v1/rooms/{room}/stage takes with its criteria")] | None = None
    visibility: Visibility | None = None
    tags: Annotated[list[Tag], Meta(max_length=MAX_TAGS)] | None = None
    looking_for_collaborators: bool | None = None


DIRECTORY_PAGE_MAX = 500


class DirectoryQuery(Struct, kw_only=True):
    """``organisation`` and ``q`` match parts of names, case-insensitively;
    ``looking_for_collaborators`` keeps only rooms asking for collaborators. Pages of
    ``limit`` rooms: pass the answer's ``next_cursor`` as ``cursor`` for the next."""

    stage: Stage | None = None
    tag: Tag | None = None
    organisation: SearchText | None = None
    q: SearchText | None = None
    mine: bool = False
    looking_for_collaborators: bool = False
    cursor: Annotated[str, Meta(max_length=100, description="opaque: the previous page's next_cursor, unchanged")] | None = None
    limit: Annotated[int, Meta(ge=1, le=DIRECTORY_PAGE_MAX)] = DIRECTORY_PAGE_MAX


class EventsQuery(Struct, kw_only=True):
    after: Seq = 0
