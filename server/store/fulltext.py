"""The full-text index, one implementation per dialect, behind one set of functions.

SQLite keeps three FTS5 tables, each keyed by its row's id: ``message_fts`` (message
text), ``thread_fts`` (thread titles) and ``room_fts`` (room titles and summaries).
PostgreSQL keeps a ``search_vector`` tsvector column with a GIN index on ``messages``,
``threads`` and ``rooms`` (titles weighted 'A'). Revision 0011 creates and fills them.

Writers call ``reindex_*`` with the ids they changed, inside their own transaction,
so the index is never out of step with a committed row: each call re-derives the
entries from the rows as they now are (a deleted message drops out). Readers get
matches as small sub-selects (id, rank) to join with the tables, and snippets for one
page of results, marked with ``MARK_START``/``MARK_END`` for the caller to escape.

Ranking every match of a common word costs time in proportion to the matches (bm25
for 800,000 rows takes seconds), so message matches can be limited to a *window*:
the newest N matches by id (ids grow with time), found by walking the index
backwards, which is fast. ``server.domain.search`` widens the window until a page is
full, so newest-first order stays exact and best-first ranks within the newest N.

Queries arrive as ``Terms`` already cut into plain word tokens (``\\w+``), so nothing
a person types reaches either query language except as a quoted word: no syntax error
is possible and no operator can be smuggled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Literal

from sqlalchemy import Float, Integer, Subquery, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

MARK_START = "\ue000"  # private-use characters: the snippet's match boundaries
MARK_END = "\ue001"
SQLITE_TABLES = ("message_fts", "thread_fts", "room_fts")
POSTGRES_COLUMN = "search_vector"
POSTGRES_INDEXES = ("ix_messages_search_vector", "ix_threads_search_vector", "ix_rooms_search_vector")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """For Alembic's comparison of models and database: the index is not a model (it
    differs by dialect), so its tables, column and indexes are left out."""
    if name is None:
        return True
    if type_ == "table":
        return not any(name == t or name.startswith(f"{t}_") for t in SQLITE_TABLES)
    if type_ == "column":
        return name != POSTGRES_COLUMN
    if type_ == "index":
        return name not in POSTGRES_INDEXES
    return True


@dataclass(frozen=True)
class Terms:
    """What to look for: each phrase is one or more word tokens that must appear in
    that order; a match needs every ``required`` phrase and no ``excluded`` one, or
    (``any_of``) at least one required phrase."""

    required: tuple[tuple[str, ...], ...]
    excluded: tuple[tuple[str, ...], ...] = ()
    any_of: bool = False


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def _quoted(phrase: tuple[str, ...]) -> str:
    return '"' + " ".join(phrase) + '"'  # tokens are \w+: no quote inside


def fts5_query(terms: Terms) -> str:
    joiner = " OR " if terms.any_of else " AND "
    query = "(" + joiner.join(_quoted(p) for p in terms.required) + ")"
    if terms.excluded:
        query += " NOT (" + " OR ".join(_quoted(p) for p in terms.excluded) + ")"
    return query


def websearch_query(terms: Terms) -> str:
    """Input for PostgreSQL's ``websearch_to_tsquery``, which never raises."""
    joiner = " or " if terms.any_of else " "
    query = joiner.join(_quoted(p) for p in terms.required)
    return " ".join([query, *(f"-{_quoted(p)}" for p in terms.excluded)])


# ---- keeping the index in step (call inside the write's transaction) -------------------


def _ids(ids: Iterable[int]) -> list[int]:
    return sorted(set(ids))


async def _replace(session: AsyncSession, table: str, columns: str, source: str, ids: list[int]) -> None:
    """SQLite: drop the entries of ``ids`` from an FTS5 table and insert them again
    from ``source`` (a SELECT of rowid and columns restricted to ``:ids``)."""
    params = {"ids": ids}
    await session.execute(text(f"DELETE FROM {table} WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True)), params)
    await session.execute(text(f"INSERT INTO {table} (rowid, {columns}) {source}").bindparams(bindparam("ids", expanding=True)), params)


async def reindex_messages(session: AsyncSession, message_ids: Iterable[int]) -> None:
    ids = _ids(message_ids)
    if not ids:
        return
    await session.flush()  # raw statements below read the rows: pending ORM changes first
    if _dialect(session) == "sqlite":
        await _replace(session, "message_fts", "body", "SELECT id, body FROM messages WHERE id IN :ids AND deleted_at IS NULL", ids)
        return
    await session.execute(
        text(
            "UPDATE messages SET search_vector = CASE WHEN deleted_at IS NULL THEN to_tsvector('english', body) END WHERE id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    )


async def reindex_threads(session: AsyncSession, thread_ids: Iterable[int]) -> None:
    ids = _ids(thread_ids)
    if not ids:
        return
    await session.flush()
    if _dialect(session) == "sqlite":
        await _replace(session, "thread_fts", "title", "SELECT id, title FROM threads WHERE id IN :ids", ids)
        return
    await session.execute(
        text("UPDATE threads SET search_vector = setweight(to_tsvector('english', title), 'A') WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    )


async def reindex_rooms(session: AsyncSession, room_ids: Iterable[int]) -> None:
    ids = _ids(room_ids)
    if not ids:
        return
    await session.flush()
    if _dialect(session) == "sqlite":
        await _replace(session, "room_fts", "title, summary", "SELECT id, title, summary FROM rooms WHERE id IN :ids", ids)
        return
    await session.execute(
        text(
            "UPDATE rooms SET search_vector = setweight(to_tsvector('english', title), 'A') || to_tsvector('english', summary) "
            "WHERE id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    )


# ---- matching ------------------------------------------------------------------------------


def _hits(sql: str, name: str, query: str, **more: Any) -> Subquery:
    """A sub-select of (ref, rank); bind names must differ between the sub-selects of
    one statement (SQLAlchemy would merge two ``:floor`` into one value)."""
    return (
        text(sql)
        .bindparams(bindparam(name, query), *(bindparam(k, v) for k, v in more.items()))
        .columns(ref=Integer, rank=Float)
        .subquery()
    )


async def window_floor(session: AsyncSession, kind: Literal["message", "thread"], terms: Terms, window: int | None) -> int | None:
    """The smallest message (or thread) id among the newest ``window`` matches, or None
    when there are no more matches than that (or no window, or PostgreSQL): nothing
    is left out."""
    if window is None or _dialect(session) != "sqlite":
        return None
    table = f"{kind}_fts"
    floor = await session.scalar(
        text(f"SELECT rowid FROM {table} WHERE {table} MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET :window"),
        {"q": fts5_query(terms), "window": window},
    )
    return None if floor is None else int(floor) + 1


def message_hits(session: AsyncSession, terms: Terms, floor: int | None = None) -> Subquery:
    """(ref: message id, rank: higher is better) for every live message matching, with
    an id of at least ``floor`` when given (see ``window_floor``)."""
    if _dialect(session) == "sqlite":
        return _hits(
            "SELECT rowid AS ref, -bm25(message_fts) AS rank FROM message_fts "
            "WHERE message_fts MATCH :fts_messages AND rowid >= :floor_messages",
            "fts_messages",
            fts5_query(terms),
            floor_messages=floor or 0,
        )
    return _hits(
        "SELECT id AS ref, ts_rank_cd(search_vector, q) AS rank FROM messages, websearch_to_tsquery('english', :fts_messages) q "
        "WHERE search_vector @@ q",
        "fts_messages",
        websearch_query(terms),
    )


def thread_hits(session: AsyncSession, terms: Terms, floor: int | None = None) -> Subquery:
    """(ref: thread id, rank) for every thread whose title matches (with an id of at
    least ``floor`` when given); a title match counts four times a message match."""
    if _dialect(session) == "sqlite":
        return _hits(
            "SELECT rowid AS ref, -4 * bm25(thread_fts) AS rank FROM thread_fts "
            "WHERE thread_fts MATCH :fts_threads AND rowid >= :floor_threads",
            "fts_threads",
            fts5_query(terms),
            floor_threads=floor or 0,
        )
    return _hits(
        "SELECT id AS ref, ts_rank_cd(search_vector, q) AS rank FROM threads, websearch_to_tsquery('english', :fts_threads) q "
        "WHERE search_vector @@ q",
        "fts_threads",
        websearch_query(terms),
    )


def room_hits(session: AsyncSession, terms: Terms) -> Subquery:
    """(ref: room id, rank) for rooms whose title or summary matches."""
    if _dialect(session) == "sqlite":
        return _hits(
            "SELECT rowid AS ref, -bm25(room_fts, 3.0, 1.0) AS rank FROM room_fts WHERE room_fts MATCH :fts_rooms",
            "fts_rooms",
            fts5_query(terms),
        )
    return _hits(
        "SELECT id AS ref, ts_rank_cd(search_vector, q) AS rank FROM rooms, websearch_to_tsquery('english', :fts_rooms) q "
        "WHERE search_vector @@ q",
        "fts_rooms",
        websearch_query(terms),
    )


# ---- snippets for one page -----------------------------------------------------------------

_HEADLINE = f'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'


async def snippets(
    session: AsyncSession, terms: Terms, message_ids: list[int], thread_ids: list[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Marked excerpts for these messages and thread titles (plain text: the caller
    escapes it and turns the marks into highlighting)."""
    if not message_ids and not thread_ids:
        return {}, {}
    if _dialect(session) == "sqlite":
        return (
            await _fts5_snippets(session, "message_fts", terms, message_ids),
            await _fts5_snippets(session, "thread_fts", terms, thread_ids),
        )
    query = websearch_query(terms)
    messages: dict[int, str] = {}
    threads: dict[int, str] = {}
    if message_ids:
        rows = await session.execute(
            text(
                "SELECT id, ts_headline('english', body, websearch_to_tsquery('english', :q), :options) FROM messages WHERE id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"q": query, "options": _HEADLINE, "ids": message_ids},
        )
        messages = {int(i): str(s) for i, s in rows.tuples()}
    if thread_ids:
        rows = await session.execute(
            text(
                "SELECT id, ts_headline('english', title, websearch_to_tsquery('english', :q), :options) FROM threads WHERE id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"q": query, "options": _HEADLINE, "ids": thread_ids},
        )
        threads = {int(i): str(s) for i, s in rows.tuples()}
    return messages, threads


async def _fts5_snippets(session: AsyncSession, table: str, terms: Terms, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(
        text(
            f"SELECT rowid, snippet({table}, 0, '{MARK_START}', '{MARK_END}', '…', 24) FROM {table} "
            f"WHERE {table} MATCH :q AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"q": fts5_query(terms), "ids": ids},
    )
    return {int(rowid): str(snippet) for rowid, snippet in rows.tuples()}
