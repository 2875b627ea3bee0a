"""full-text search over messages, thread titles and rooms

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 20:30:00

SQLite: three FTS5 tables, each keyed by its row's id: ``message_fts`` (message text),
``thread_fts`` (thread titles) and ``room_fts`` (room titles and summaries).
PostgreSQL: a ``search_vector`` tsvector column with a GIN index on messages, threads
and rooms. Both are filled here from the existing rows; afterwards the domain keeps
them in step inside each write's transaction (``server.store.fulltext``). Deleted
messages are not indexed. The names and statements are spelled out here (a revision
is a snapshot); ``server.store.fulltext`` must say the same.
"""

from __future__ import annotations

from typing import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE message_fts USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE thread_fts USING fts5(title, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE room_fts USING fts5(title, summary, tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO message_fts (rowid, body) SELECT id, body FROM messages WHERE deleted_at IS NULL",
    "INSERT INTO thread_fts (rowid, title) SELECT id, title FROM threads",
    "INSERT INTO room_fts (rowid, title, summary) SELECT id, title, summary FROM rooms",
)
SQLITE_DOWN = ("DROP TABLE room_fts", "DROP TABLE thread_fts", "DROP TABLE message_fts")

POSTGRES_UP = (
    "ALTER TABLE messages ADD COLUMN search_vector tsvector",
    "ALTER TABLE threads ADD COLUMN search_vector tsvector",
    "ALTER TABLE rooms ADD COLUMN search_vector tsvector",
    "UPDATE messages SET search_vector = to_tsvector('english', body) WHERE deleted_at IS NULL",
    "UPDATE threads SET search_vector = setweight(to_tsvector('english', title), 'A')",
    "UPDATE rooms SET search_vector = setweight(to_tsvector('english', title), 'A') || to_tsvector('english', summary)",
    "CREATE INDEX ix_messages_search_vector ON messages USING gin (search_vector)",
    "CREATE INDEX ix_threads_search_vector ON threads USING gin (search_vector)",
    "CREATE INDEX ix_rooms_search_vector ON rooms USING gin (search_vector)",
)
POSTGRES_DOWN = (
    "DROP INDEX ix_rooms_search_vector",
    "DROP INDEX ix_threads_search_vector",
    "DROP INDEX ix_messages_search_vector",
    "ALTER TABLE rooms DROP COLUMN search_vector",
    "ALTER TABLE threads DROP COLUMN search_vector",
    "ALTER TABLE messages DROP COLUMN search_vector",
)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _run(SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP)


def downgrade() -> None:
    _run(SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN)
