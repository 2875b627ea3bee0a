"""Shapes for finding and catching up: full-text search, similar rooms, the inbox and
mentions (requests and answers; the OpenAPI document is generated from them)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Final, Literal

from msgspec import Meta, Struct

from server.contract.fields import Id, SearchText
from server.contract.requests import Request
from server.contract.responses import Answer, Person, Time
from server.vocabulary import Stage, Visibility

SEARCH_PAGE_MAX = 50
SEARCH_OFFSET_MAX = 1000
SearchSort = Literal["relevance", "newest"]


class SearchQuery(Struct, kw_only=True):
    """``q``: words (all must appear), ``"a phrase"`` (those words in that order) and
    ``-word`` or ``-"a phrase"`` (must not appear). Filters: ``room`` (id or slug),
    ``author`` (a person's id), ``organisation`` (part of the author's organisation's
    name), ``since``/``until`` (dates, inclusive, UTC). Pages: ``offset`` and
    ``limit``; the answer's ``next_offset`` is the next page's offset, null at the end."""

    q: SearchText
    room: Annotated[str, Meta(max_length=80, description="a room id or slug")] | None = None
    author: Id | None = None
    organisation: SearchText | None = None
    since: Annotated[date, Meta(description="on or before until")] | None = None
    until: Annotated[date, Meta(description="on or after since")] | None = None
    sort: SearchSort = "relevance"
    offset: Annotated[int, Meta(ge=0, le=SEARCH_OFFSET_MAX)] = 0
    limit: Annotated[int, Meta(ge=1, le=SEARCH_PAGE_MAX)] = 20


class RoomRef(Answer):
    id: int
    slug: str
    title: str


class ThreadRef(Answer):
    id: int
    title: str


class SearchResult(Answer):
    """A message, or a thread whose title matched (``message_id`` null). ``snippet_html``
    is the matching text HTML-escaped, with matches inside ``<mark>``; nothing else."""

    kind: Literal["message", "thread"]
    room: RoomRef
    thread: ThreadRef
    message_id: int | None
    seq: int | None
    author: Person | None
    created_at: Time
    snippet_html: str


class RoomMatch(Answer):
    """A room whose name, summary or tags match, readable by the searcher
    (``summary_html``: the summary as the safe renderer made it)."""

    id: int
    slug: str
    title: str
    summary_html: str
    stage: Stage
    visibility: Visibility
    tags: list[str]


class SearchAnswer(Answer):
    """``rooms``: matching rooms, shown first, on the first page of a search without
    filters (empty otherwise); ``results``: messages and threads."""

    rooms: list[RoomMatch]
    results: list[SearchResult]
    next_offset: int | None


# The draft's summary travels in the query string: 400 characters are enough to compare
# and keep the request line under aiohttp's 8,190 bytes even with every character
# percent-encoded as four UTF-8 bytes (with the 200 of the title).
SIMILAR_SUMMARY_CHARS: Final = 400


class SimilarQuery(Struct, kw_only=True):
    """The draft of a new room: rooms whose title or summary share its words."""

    title: SearchText
    summary: Annotated[str, Meta(max_length=SIMILAR_SUMMARY_CHARS, description="the start of the draft's summary")] | None = None


class SimilarRoom(Answer):
    id: int
    slug: str
    title: str
    summary: str
    stage: Stage
    visibility: Visibility
    looking_for_collaborators: bool


class SimilarRooms(Answer):
    """Best match first; only rooms the asker may read."""

    rooms: list[SimilarRoom]


InboxReason = Literal["mention", "following", "other"]


class InboxEntry(Answer):
    """A thread with messages the person has not read. ``reason``: they were
    mentioned in an unread message, or they follow it, or it is in a room they are in.
    ``latest`` is the newest unread message; ``snippet`` its text, shortened (plain)."""

    reason: InboxReason
    room: RoomRef
    thread: ThreadRef
    unread_count: int
    mention_count: int
    latest_message_id: int
    latest_seq: int
    author: Person
    snippet: str
    last_activity_at: Time


InboxSignalKind = Literal["same-problem", "can-help", "join-request"]


class InboxSignal(Answer):
    """In a room the person owns: someone outside it said "we have this problem too"
    (``same-problem``) or "we could help" (``can-help``), or asks to join it
    (``join-request``, while pending)."""

    kind: InboxSignalKind
    room: RoomRef
    person: Person
    at: Time


class Inbox(Answer):
    """Mentions first, then followed threads, then the rest; within each, grouped by
    room (the room with the newest entry first) and newest first. ``signals``: interest
    and requests to join in the person's own rooms, newest first."""

    entries: list[InboxEntry]
    signals: list[InboxSignal]
    unread_threads: int
    unread_mentions: int


class InboxRead(Request, kw_only=True):
    """Mark threads read to their newest message: the listed ones, or with ``all``
    every thread in the inbox."""

    thread_ids: Annotated[list[Id], Meta(max_length=500)] | None = None
    all: bool = False

    json_schema_rule: ClassVar[dict[str, Any]] = {
        "oneOf": [
            {"required": ["thread_ids"], "properties": {"thread_ids": {"type": "array"}, "all": {"const": False}}},
            {"required": ["all"], "properties": {"all": {"const": True}, "thread_ids": {"type": "null"}}},
        ]
    }


class InboxMarked(Answer):
    marked: int


class MentionsQuery(Struct, kw_only=True):
    """Newest first; ``before`` (a message id) pages back; ``unread`` keeps only those
    not yet read."""

    before: Id | None = None
    unread: bool = False
    limit: Annotated[int, Meta(ge=1, le=100)] = 30


class Mention(Answer):
    room: RoomRef
    thread: ThreadRef
    message_id: int
    seq: int
    author: Person
    snippet: str
    created_at: Time
    unread: bool


class Mentions(Answer):
    mentions: list[Mention]
    unread_mentions: int
    next_before: int | None
