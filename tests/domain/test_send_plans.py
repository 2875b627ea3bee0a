"""The send path's statements stay index look-ups however large the tables grow.

``server.store.send_sql`` writes its SQL by hand (the hot path skips SQLAlchemy), so
nothing else checks that SQLite answers each with an index: a statement that scanned
``messages`` (or searched it by the author alone, as a row-value ``IN`` does) would make
every send slower as the room's history grows. Each look-up's plan is checked on the
migrated schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server.store.send_sql import _statements

# A parameter for each look-up, in its placeholders' order.
LOOKUPS = {
    "session_users": ['["a"]', "2026-01-01 00:00:00.000000"],
    "active_users": ["[1]"],
    "stored": ['[[1, "a"]]'],
    "threads": ["[1]"],
    "rooms": ["[1]"],
    "members": ["[[1, 1]]"],
    "people": ["[1]"],
    "member_names": [1],
    "mentions": ["[1]"],
}


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_each_send_look_up_is_answered_by_an_index(sqlite_template: Path, name: str) -> None:
    connection = sqlite3.connect(sqlite_template)
    try:
        plan = [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + _statements("sqlite")[name], LOOKUPS[name])]
    finally:
        connection.close()
    scans = [step for step in plan if step.startswith("SCAN") and "json_each" not in step]
    assert scans == [], plan
    if name in ("stored", "members"):  # both columns of the unique index, not the first alone
        assert any("=? AND " in step for step in plan), plan
