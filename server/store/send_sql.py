"""The statements of a send batch, as plain SQL over a DB-API connection.

Sending is the one write that runs thousands of times a second, so its statements skip
the ORM and SQLAlchemy's per-statement machinery (building, cache-keying and compiling a
statement, processing its rows cost more than SQLite takes to run it: about 5 ms of the
8 ms a one-message batch took). Each statement here is a constant string, so the driver's
own statement cache (sqlite3's, or the asyncpg adapter's prepared statements) reuses it.

The same ``SendSql`` runs over
* a plain ``sqlite3.Connection`` on the send writer's own thread (``server.store.writer``):
  the whole batch, commit included, in one hop to that thread;
* SQLAlchemy's adapted DB-API connection (aiosqlite or asyncpg) inside
  ``AsyncSession.run_sync``, when a message is posted within a wider transaction (a thread
  opened with its first message, seeding, PostgreSQL's send queue).

Values are stored exactly as SQLAlchemy stores them (``server.store.models.UTCDateTime``:
naive UTC; on SQLite as SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff`` text), so rows written
here and rows written through the models read back the same.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping, Protocol, Sequence


class Cursor(Protocol):
    def execute(self, operation: str, parameters: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, operation: str, seq_of_parameters: Iterable[Sequence[Any]], /) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class DbApiConnection(Protocol):
    def cursor(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    role: str
    email_confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ThreadRow:
    id: int
    room_id: int


@dataclass(frozen=True, slots=True)
class RoomRow:
    id: int
    visibility: str
    stage: str


@dataclass(frozen=True, slots=True)
class MemberRow:
    role: str


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    display_name: str
    role: str
    declared_organisation: str
    organisation: str | None  # the verified organisation's name, if any


@dataclass(frozen=True, slots=True)
class NewMessage:
    room_id: int
    thread_id: int
    seq: int
    author_id: int
    client_id: str
    body: str
    html: str
    created_at: datetime
    renderer_version: int = 0  # not read back for a stored message (a retry needs its text only)


@dataclass(frozen=True, slots=True)
class StoredMessage(NewMessage):
    """A message already stored (a retry finds it): what presenting it needs."""

    id: int = 0
    edited_at: datetime | None = None
    deleted_at: datetime | None = None


_PERSON_COLUMNS = "u.id, u.display_name, u.role, u.declared_organisation, o.name"
_MESSAGE_COLUMNS = "m.id, m.room_id, m.thread_id, m.seq, m.author_id, m.client_id, m.body, m.html, m.created_at, m.edited_at, m.deleted_at"
# A session still valid: the rule of ``accounts.live_session_at``, written out for plain SQL.
_LIVE = "s.revoked_at IS NULL AND s.expires_at > ? AND u.deactivated_at IS NULL"

# Each statement once, with ``?`` placeholders and ``{ids}`` (a list of ids) or ``{pairs}``
# (a list of integer/text pairs, as a table ``k(a, b)`` joined first, so that both columns
# of the unique index are used: SQLite's planner uses only the first of a row-value IN)
# where the dialects differ.
_STATEMENTS = {
    "session_users": "SELECT s.token_hash, u.id, u.role, u.email_confirmed_at FROM auth_sessions s JOIN users u ON u.id = s.user_id"
    f" WHERE s.token_hash {{texts}} AND {_LIVE}",
    "active_users": "SELECT id, role, email_confirmed_at FROM users WHERE id {ids} AND deactivated_at IS NULL",
    "stored": f"SELECT {_MESSAGE_COLUMNS} FROM {{pairs}} JOIN messages m ON m.author_id = k.a AND m.client_id = k.b",
    "threads": "SELECT id, room_id FROM threads WHERE id {ids}",
    "rooms": "SELECT id, visibility, stage FROM rooms WHERE id {ids}",
    "members": "SELECT m.room_id, m.user_id, m.role FROM {int_pairs} JOIN room_members m ON m.room_id = k.a AND m.user_id = k.b",
    "people": f"SELECT {_PERSON_COLUMNS} FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id WHERE u.id {{ids}}",
    "member_names": "SELECT u.display_name, u.id FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room_id = ?",
    "mentions": "SELECT message_id, user_id FROM message_mentions WHERE message_id {ids}",
    "add_member": "INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?)",
    "reserve": "UPDATE rooms SET last_seq = last_seq + ?, last_activity_at = ? WHERE id = ? RETURNING last_seq",
    "count_in_thread": "UPDATE threads SET message_count = message_count + ?, last_activity_at = ? WHERE id = ?",
    "trim": "INSERT INTO message_trims (message_id, text, created_at) VALUES (?, ?, ?)",
    "mention": "INSERT INTO message_mentions (message_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
    "follow": "INSERT INTO thread_follows (thread_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    "read_marker": "INSERT INTO read_markers (thread_id, user_id, last_read_seq) VALUES (?, ?, ?)"
    " ON CONFLICT (thread_id, user_id) DO UPDATE SET last_read_seq = CASE"
    " WHEN read_markers.last_read_seq < excluded.last_read_seq THEN excluded.last_read_seq ELSE read_markers.last_read_seq END",
    "room_event": "INSERT INTO room_events (room_id, seq, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
}
_SQLITE_LISTS = {
    "{ids}": "IN (SELECT value FROM json_each(?))",
    "{texts}": "IN (SELECT value FROM json_each(?))",
    "{pairs}": "(SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b FROM json_each(?)) AS k",
    "{int_pairs}": "(SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS b FROM json_each(?)) AS k",
}
_POSTGRES_LISTS = {
    "{ids}": "= ANY(?::integer[])",
    "{texts}": "= ANY(?::varchar[])",
    "{pairs}": "unnest(?::integer[], ?::varchar[]) AS k(a, b)",
    "{int_pairs}": "unnest(?::integer[], ?::integer[]) AS k(a, b)",
}
_MESSAGE_INSERT = "INSERT INTO messages (room_id, thread_id, seq, author_id, client_id, body, html, renderer_version, created_at) VALUES "
_MESSAGE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_CHUNK = 200  # rows per multi-row INSERT (9 parameters each, far below either limit)


def _numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...`` (asyncpg's style)."""
    count = iter(range(1, 1 << 16))
    return re.sub(r"\?", lambda _: f"${next(count)}", sql)


@functools.cache
def _statements(dialect: str) -> dict[str, str]:
    lists = _SQLITE_LISTS if dialect == "sqlite" else _POSTGRES_LISTS
    out = {}
    for name, sql in _STATEMENTS.items():
        for marker, replacement in lists.items():
            sql = sql.replace(marker, replacement)
        out[name] = sql if dialect == "sqlite" else _numbered(sql)
    return out


@functools.cache
def _message_insert(dialect: str, rows: int) -> str:
    sql = _MESSAGE_INSERT + ", ".join([_MESSAGE_ROW] * rows) + " RETURNING id"
    return sql if dialect == "sqlite" else _numbered(sql)


_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


class SendSql:
    """The send batch's reads and writes over one DB-API connection, inside the caller's
    transaction (never begun or committed here)."""

    def __init__(self, connection: DbApiConnection, dialect: str) -> None:
        self.dialect = dialect
        self.sqlite = dialect == "sqlite"
        self._sql = _statements(dialect)
        self._cursor: Cursor = connection.cursor()

    # ---- values in and out ----------------------------------------------------------------

    def _time(self, value: datetime) -> Any:
        naive = value.astimezone(timezone.utc).replace(tzinfo=None)
        return naive.strftime(_SQLITE_TIME) if self.sqlite else naive

    def _read_time(self, value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=timezone.utc)

    def _list(self, values: Iterable[Any]) -> list[Any]:
        items = sorted(set(values))
        return [json.dumps(items)] if self.sqlite else [items]

    def _pairs(self, pairs: Iterable[tuple[Any, Any]]) -> list[Any]:
        items = sorted(set(pairs))
        if self.sqlite:
            return [json.dumps(items)]
        return [[a for a, _ in items], [b for _, b in items]]

    def _rows(self, name: str, parameters: list[Any]) -> list[Any]:
        self._cursor.execute(self._sql[name], parameters)
        return self._cursor.fetchall()

    def _many(self, name: str, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            self._cursor.executemany(self._sql[name], rows)

    # ---- reads ------------------------------------------------------------------------------

    def session_users(self, session_ids: set[str], now: datetime) -> dict[str, UserRow]:
        """Active people by session id, for the sessions still valid among ``session_ids``."""
        if not session_ids:
            return {}
        rows = self._rows("session_users", [*self._list(session_ids), self._time(now)])
        return {str(token): UserRow(int(i), str(role), self._read_time(confirmed)) for token, i, role, confirmed in rows}

    def active_users(self, user_ids: set[int]) -> dict[int, UserRow]:
        if not user_ids:
            return {}
        rows = self._rows("active_users", self._list(user_ids))
        return {int(i): UserRow(int(i), str(role), self._read_time(confirmed)) for i, role, confirmed in rows}

    def stored_messages(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], StoredMessage]:
        """Messages already stored under these (author, client id) keys: retries."""
        if not keys:
            return {}
        found = {}
        for row in self._rows("stored", self._pairs(keys)):
            message = StoredMessage(
                id=int(row[0]),
                room_id=int(row[1]),
                thread_id=int(row[2]),
                seq=int(row[3]),
                author_id=int(row[4]),
                client_id=str(row[5]),
                body=str(row[6]),
                html=str(row[7]),
                created_at=self._read_time(row[8]) or datetime.now(timezone.utc),
                edited_at=self._read_time(row[9]),
                deleted_at=self._read_time(row[10]),
            )
            found[(message.author_id, message.client_id)] = message
        return found

    def threads(self, thread_ids: set[int]) -> dict[int, ThreadRow]:
        if not thread_ids:
            return {}
        return {int(i): ThreadRow(int(i), int(room)) for i, room in self._rows("threads", self._list(thread_ids))}

    def rooms(self, room_ids: set[int]) -> dict[int, RoomRow]:
        if not room_ids:
            return {}
        return {int(i): RoomRow(int(i), str(v), str(s)) for i, v, s in self._rows("rooms", self._list(room_ids))}

    def memberships(self, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], MemberRow]:
        """Memberships by (room, person)."""
        if not pairs:
            return {}
        return {(int(r), int(u)): MemberRow(str(role)) for r, u, role in self._rows("members", self._pairs(pairs))}

    def people(self, user_ids: set[int]) -> dict[int, PersonRow]:
        if not user_ids:
            return {}
        rows = self._rows("people", self._list(user_ids))
        return {int(i): PersonRow(int(i), str(name), str(role), str(declared or ""), org) for i, name, role, declared, org in rows}

    def member_names(self, room_id: int) -> dict[str, int]:
        """Casefolded display names of the room's members, for @mentions."""
        return {str(name).casefold(): int(i) for name, i in self._rows("member_names", [room_id])}

    def mentions(self, message_ids: set[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {i: [] for i in message_ids}
        if message_ids:
            for message_id, user_id in self._rows("mentions", self._list(message_ids)):
                found[int(message_id)].append(int(user_id))
        return found

    # ---- writes -----------------------------------------------------------------------------

    def add_members(self, pairs: list[tuple[int, int]], now: datetime) -> None:
        """New ``member`` rows for (room, person) pairs not yet members."""
        self._many("add_member", [(room_id, user_id, self._time(now)) for room_id, user_id in pairs])

    def reserve_seqs(self, counts: dict[int, int], now: datetime) -> dict[int, int]:
        """Take each room's next ``count`` sequence numbers; returns each room's first. The
        UPDATE holds the room row's write lock until commit (rooms in id order, so two
        batches cannot deadlock on PostgreSQL): numbers are gapless, in commit order."""
        firsts = {}
        stamp = self._time(now)
        for room_id in sorted(counts):
            [(last,)] = self._rows("reserve", [counts[room_id], stamp, room_id])
            firsts[room_id] = int(last) - counts[room_id] + 1
        return firsts

    def insert_messages(self, messages: list[NewMessage]) -> list[int]:
        """Insert the messages; returns their ids in order (multi-row INSERT ... RETURNING,
        which returns rows in VALUES order on SQLite and PostgreSQL alike for a plain
        INSERT; ``(room_id, seq)`` is checked against them below all the same)."""
        ids: list[int] = []
        for start in range(0, len(messages), _INSERT_CHUNK):
            chunk = messages[start : start + _INSERT_CHUNK]
            parameters: list[Any] = []
            for m in chunk:
                parameters += (m.room_id, m.thread_id, m.seq, m.author_id, m.client_id, m.body, m.html, m.renderer_version)
                parameters.append(self._time(m.created_at))
            self._cursor.execute(_message_insert(self.dialect, len(chunk)), parameters)
            ids.extend(int(row[0]) for row in self._cursor.fetchall())
        return ids

    def index_messages(self, messages: list[tuple[int, str]]) -> None:
        """Put new messages (id, body) in the full-text index (``server.store.fulltext``
        keeps the same index for every other write)."""
        if not messages:
            return
        if self.sqlite:
            self._cursor.executemany("INSERT INTO message_fts (rowid, body) VALUES (?, ?)", messages)
        else:
            self._cursor.execute(
                "UPDATE messages SET search_vector = to_tsvector('english', body) WHERE id = ANY($1::integer[])", [[i for i, _ in messages]]
            )

    def count_in_threads(self, counts: dict[int, int], now: datetime) -> None:
        stamp = self._time(now)
        self._many("count_in_thread", [(counts[t], stamp, t) for t in sorted(counts)])

    def keep_trimmed(self, texts: list[tuple[int, str]], now: datetime) -> None:
        """What was trimmed off messages that came in by email: (message id, text)."""
        stamp = self._time(now)
        self._many("trim", [(message_id, text, stamp) for message_id, text in texts])

    def add_mentions(self, pairs: list[tuple[int, int]]) -> None:
        self._many("mention", sorted(set(pairs)))

    def follow(self, pairs: list[tuple[int, int]], now: datetime) -> None:
        stamp = self._time(now)
        self._many("follow", [(t, u, stamp) for t, u in sorted(set(pairs))])

    def advance_read_markers(self, marks: list[tuple[int, int, int]]) -> None:
        """Move (thread, person) read markers forward to ``seq``; never back."""
        best: dict[tuple[int, int], int] = {}
        for thread_id, user_id, seq in marks:
            best[(thread_id, user_id)] = max(seq, best.get((thread_id, user_id), 0))
        self._many("read_marker", [(t, u, s) for (t, u), s in sorted(best.items())])

    def record_events(self, events: Sequence[Mapping[str, Any]], now: datetime) -> None:
        """Store durable room events for catch-up (each carries its reserved ``seq``)."""
        stamp = self._time(now)
        self._many("room_event", [(e["room_id"], e["seq"], e["type"], json.dumps(e), stamp) for e in events])
