"""Request shapes for rooms: settings, invitations, the directory, catch-up."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from server.contract.fields import MAX_TAGS, SearchText, Seq, Slug, Summary, Tag, Title
from server.vocabulary import Stage, Visibility


class RoomSettings(Struct, kw_only=True):
    """Creating a room (``title`` required there) or changing one (absent fields stay
    as they are). Tags are trimmed, lower-cased and de-duplicated by the domain."""

    title: Title | None = None
    slug: Slug | None = None
    summary: Summary | None = None
    stage: Stage | None = None
    visibility: Visibility | None = None
    tags: Annotated[list[Tag], Meta(max_length=MAX_TAGS)] | None = None
    looking_for_collaborators: bool | None = None


class DirectoryQuery(Struct, kw_only=True):
    """``organisation`` and ``q`` match parts of names, case-insensitively."""

    stage: Stage | None = None
    tag: Tag | None = None
    organisation: SearchText | None = None
    q: SearchText | None = None
    mine: bool = False


class EventsQuery(Struct, kw_only=True):
    after: Seq = 0
