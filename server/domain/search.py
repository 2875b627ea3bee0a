"""Full-text search over messages and thread titles, and rooms like a new one.

What people type is cut into plain word tokens here (``\\w+``), in the syntax they
know from web search: words (all must appear), ``"a phrase"``, and ``-word`` or
``-"a phrase"`` to exclude. Only tokens ever reach the index (``server.store.fulltext``
quotes each one), so no input can break a query. Results come only from rooms the
searcher may read (``access.readable_rooms``, the rule every door uses).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import Select, and_, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from server.domain.access import readable_room, readable_rooms
from server.domain.errors import Invalid
from server.domain.people import load_people
from server.domain.rooms import tags_and_counts
from server.domain.summaries import marked_excerpt
from server.store import fulltext
from server.store.fulltext import MARK_END, MARK_START, Terms
from server.store.models import Message, Organisation, Room, RoomTag, Thread, User

MAX_TERMS = 16
MAX_DUPLICATES = 3
DUPLICATE_OVERLAP = 0.5  # title words shared, of both titles' words, for a likely duplicate
MAX_ROOM_RESULTS = 10  # rooms shown above the messages: a handful, the directory has the rest
# Message matches ranked at once, newest first; a page needing more widens the window.
WINDOWS = (500, 5_000, 50_000)
_TERM_RE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_WORD_RE = re.compile(r"\w+")
# Words too common to tell two rooms apart (similar rooms match on any word).
_COMMON = frozenset("a an and are as at be by for from has have in into is it its of on or our that the their this to we with will".split())


def parse_query(text: str) -> Terms:
    """The user's query as terms; ``Invalid`` (field ``q``) when nothing is left to
    look for. Punctuation is ignored as the index ignores it; an unclosed quote runs
    to the end."""
    required: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    for match in _TERM_RE.finditer(text):
        negated = bool(match.group(1) or match.group(3))
        words = tuple(w.lower() for w in _WORD_RE.findall(match.group(2) if match.group(2) is not None else match.group(4)))
        if words:
            (excluded if negated else required).append(words)
    if not required:
        raise Invalid("search for at least one word (a word with - in front is excluded, not looked for)", "q")
    if len(required) + len(excluded) > MAX_TERMS:
        raise Invalid(f"search for at most {MAX_TERMS} words and phrases", "q")
    return Terms(tuple(dict.fromkeys(required)), tuple(dict.fromkeys(excluded)))


def marked_html(snippet: str) -> str:
    """The snippet HTML-escaped, with the index's match marks turned into ``<mark>``;
    always balanced, whatever the text held."""
    out: list[str] = []
    inside = False
    for part in re.split(f"([{MARK_START}{MARK_END}])", snippet):
        if part == MARK_START:
            if not inside:
                out.append("<mark>")
                inside = True
        elif part == MARK_END:
            if inside:
                out.append("</mark>")
                inside = False
        else:
            out.append(html.escape(part, quote=False))
    if inside:
        out.append("</mark>")
    return "".join(out)


def _contains(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class SearchFilter:
    room: int | str | None = None
    author: int | None = None
    organisation: str | None = None
    since: date | None = None
    until: date | None = None
    newest_first: bool = False
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True)
class SearchPage:
    results: list[dict[str, Any]]
    next_offset: int | None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


async def search(session: AsyncSession, viewer: User, q: str, flt: SearchFilter) -> SearchPage:
    """One page of messages and thread titles matching ``q``, best first (or newest
    first), each with an escaped, highlighted snippet."""
    terms = parse_query(q)
    if flt.since and flt.until and flt.since > flt.until:
        raise Invalid("since must be on or before until", "since")
    room_id = None
    if flt.room is not None:
        room, _ = await readable_room(session, viewer, flt.room)  # NotFound for a hidden room
        room_id = room.id

    def narrowed(query: Select[Any], room_col: Any, author_col: Any, created_col: Any) -> Select[Any]:
        query = query.join(Room, Room.id == room_col).where(readable_rooms(viewer))
        if room_id is not None:
            query = query.where(room_col == room_id)
        if flt.author is not None:
            query = query.where(author_col == flt.author)
        if flt.organisation:
            pattern = _contains(flt.organisation)
            authors = (
                select(User.id)
                .outerjoin(Organisation, Organisation.id == User.organisation_id)
                .where(
                    or_(
                        Organisation.name.ilike(pattern, escape="\\"),
                        and_(User.organisation_id.is_(None), User.declared_organisation.ilike(pattern, escape="\\")),
                    )
                )
            )
            query = query.where(author_col.in_(authors))
        if flt.since:
            query = query.where(created_col >= _start_of(flt.since))
        if flt.until:
            query = query.where(created_col < _start_of(flt.until + timedelta(days=1)))
        return query

    async def page_within(message_floor: int | None, thread_floor: int | None) -> list[Any]:
        m_hits = fulltext.message_hits(session, terms, message_floor)
        t_hits = fulltext.thread_hits(session, terms, thread_floor)
        in_messages = narrowed(
            select(
                literal("message").label("kind"),
                Message.id.label("ref"),
                Message.thread_id.label("thread_id"),
                Message.created_at.label("created_at"),
                m_hits.c.rank.label("rank"),
            )
            .join(m_hits, m_hits.c.ref == Message.id)
            .where(Message.deleted_at.is_(None)),
            Message.room_id,
            Message.author_id,
            Message.created_at,
        )
        in_titles = narrowed(
            select(
                literal("thread").label("kind"),
                Thread.id.label("ref"),
                Thread.id.label("thread_id"),
                Thread.created_at.label("created_at"),
                t_hits.c.rank.label("rank"),
            ).join(t_hits, t_hits.c.ref == Thread.id),
            Thread.room_id,
            Thread.created_by,
            Thread.created_at,
        )
        found = union_all(in_messages, in_titles).subquery()
        order = (
            (found.c.created_at.desc(), found.c.rank.desc(), found.c.ref.desc())
            if flt.newest_first
            else (found.c.rank.desc(), found.c.created_at.desc(), found.c.ref.desc())
        )
        rows = (
            await session.execute(
                select(found.c.kind, found.c.ref, found.c.thread_id).order_by(*order).offset(flt.offset).limit(flt.limit + 1)
            )
        ).all()
        return list(rows)

    # Rank within the newest matches of each kind first; widen until the page is full
    # or nothing was left out (see ``fulltext.window_floor``).
    needed = flt.offset + flt.limit + 1
    for window in (*WINDOWS, None):
        if window is not None and window < needed:
            continue
        message_floor = await fulltext.window_floor(session, "message", terms, window)
        thread_floor = await fulltext.window_floor(session, "thread", terms, window)
        rows = await page_within(message_floor, thread_floor)
        if (message_floor is None and thread_floor is None) or len(rows) > flt.limit:
            break
    more = len(rows) > flt.limit
    rows = rows[: flt.limit]
    return SearchPage(await _present(session, terms, list(rows)), flt.offset + flt.limit if more else None)


async def _present(session: AsyncSession, terms: Terms, rows: list[Any]) -> list[dict[str, Any]]:
    message_ids = [r.ref for r in rows if r.kind == "message"]
    thread_ids = {r.thread_id for r in rows}
    messages = {m.id: m for m in await session.scalars(select(Message).where(Message.id.in_(message_ids)))} if message_ids else {}
    threads = {t.id: t for t in await session.scalars(select(Thread).where(Thread.id.in_(thread_ids)))} if thread_ids else {}
    rooms = (
        {r.id: r for r in await session.scalars(select(Room).where(Room.id.in_({t.room_id for t in threads.values()})))} if threads else {}
    )
    authors = {m.author_id for m in messages.values()} | {t.created_by for t in threads.values() if t.created_by}
    people = await load_people(session, authors)
    message_snippets, title_snippets = await fulltext.snippets(session, terms, message_ids, [r.ref for r in rows if r.kind == "thread"])
    results = []
    for row in rows:
        thread = threads[row.thread_id]
        room = rooms[thread.room_id]
        if row.kind == "message":
            message = messages[row.ref]
            author_id: int | None = message.author_id
            created, seq, message_id = message.created_at, message.seq, message.id
            snippet = marked_excerpt(message.body, message_snippets.get(message.id))
        else:
            author_id, created, seq, message_id = thread.created_by, thread.created_at, None, None
            snippet = title_snippets.get(thread.id, thread.title)
        results.append(
            {
                "kind": row.kind,
                "room": {"id": room.id, "slug": room.slug, "title": room.title},
                "thread": {"id": thread.id, "title": thread.title},
                "message_id": message_id,
                "seq": seq,
                "author": people[author_id].as_dict() if author_id in people else None,
                "created_at": created.isoformat().replace("+00:00", "Z"),
                "snippet_html": marked_html(snippet),
            }
        )
    return results


async def search_rooms(session: AsyncSession, viewer: User, q: str, limit: int = MAX_ROOM_RESULTS) -> list[dict[str, Any]]:
    """Rooms the viewer may read (``access.readable_rooms``) whose name or summary hold
    every word and phrase of ``q`` (and none excluded), or that carry a tag equal to
    one of its phrases or to the whole query; name and summary matches first, best
    first, then tag matches most recently active first (``RoomMatch``)."""
    terms = parse_query(q)
    hits = fulltext.room_hits(session, terms)
    by_text = list(
        await session.scalars(
            select(Room)
            .join(hits, hits.c.ref == Room.id)
            .where(readable_rooms(viewer))
            .order_by(hits.c.rank.desc(), Room.id.desc())
            .limit(limit)
        )
    )
    wanted = {" ".join(phrase) for phrase in terms.required} | {" ".join(w for phrase in terms.required for w in phrase)}
    tagged = select(RoomTag.room_id).where(RoomTag.tag.in_(wanted))
    by_tag = await session.scalars(
        select(Room)
        .where(Room.id.in_(tagged), readable_rooms(viewer), Room.id.not_in([r.id for r in by_text]))
        .order_by(Room.last_activity_at.desc(), Room.id.desc())
        .limit(limit)
    )
    found = (by_text + list(by_tag))[:limit]
    tags, _ = await tags_and_counts(session, [r.id for r in found])
    return [
        {
            "id": r.id,
            "slug": r.slug,
            "title": r.title,
            "summary_html": r.summary_html,
            "stage": r.stage,
            "visibility": r.visibility,
            "tags": tags[r.id],
        }
        for r in found
    ]


def title_words(title: str) -> set[str]:
    return {w for w in (w.lower() for w in _WORD_RE.findall(title)) if w not in _COMMON}


async def likely_duplicates(session: AsyncSession, viewer: User, titles: list[str]) -> list[list[dict[str, Any]]]:
    """For each new concept's title, the existing rooms the viewer may read that it
    probably duplicates (``{"title", "slug"}``, most alike first): titles sharing at
    least half their words, of both titles' words together, common words aside.
    "Deferred social care payments calculator" and "Deferred care payments
    calculator" share 4 of 5. Seeding shows these in its preview, so it runs before
    the seed opens any room. One query for the readable rooms' titles, then an index
    of their words in memory: thousands of concepts against thousands of rooms in
    well under a second (a full-text query per concept took seconds)."""
    wanted = [title_words(t) for t in titles]
    if not any(wanted):
        return [[] for _ in titles]
    needed = set().union(*wanted)
    rooms = await session.execute(select(Room.id, Room.title, Room.slug).where(readable_rooms(viewer)))
    known: dict[int, tuple[str, str, set[str]]] = {}
    by_word: dict[str, list[int]] = {}
    for room_id, title, slug in rooms.tuples():
        words = title_words(title)
        if words & needed:
            known[room_id] = (title, slug, words)
            for word in words & needed:
                by_word.setdefault(word, []).append(room_id)
    found: list[list[dict[str, Any]]] = []
    for mine in wanted:
        shared: dict[int, int] = {}
        for word in mine:
            for room_id in by_word.get(word, ()):
                shared[room_id] = shared.get(room_id, 0) + 1
        alike = [(n / len(mine | known[room_id][2]), room_id) for room_id, n in shared.items()]
        found.append(
            [
                {"title": known[room_id][0], "slug": known[room_id][1]}
                for score, room_id in sorted(alike, key=lambda a: (-a[0], a[1]))
                if score >= DUPLICATE_OVERLAP
            ][:MAX_DUPLICATES]
        )
    return found


async def similar_rooms(session: AsyncSession, viewer: User, title: str, summary: str | None, limit: int = 5) -> list[dict[str, Any]]:
    """Rooms the viewer may read whose title or summary shares words with a draft
    room's (any word; rarer and title words count more), best first."""
    words = [w for w in dict.fromkeys(w.lower() for w in _WORD_RE.findall(f"{title} {summary or ''}")) if w not in _COMMON]
    if not words:
        return []
    terms = Terms(tuple((w,) for w in words[:32]), any_of=True)
    hits = fulltext.room_hits(session, terms)
    rooms = await session.scalars(
        select(Room)
        .join(hits, hits.c.ref == Room.id)
        .where(readable_rooms(viewer))
        .order_by(hits.c.rank.desc(), Room.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "slug": r.slug,
            "title": r.title,
            "summary": r.summary,
            "stage": r.stage,
            "visibility": r.visibility,
            "looking_for_collaborators": r.looking_for_collaborators,
        }
        for r in rooms
    ]
