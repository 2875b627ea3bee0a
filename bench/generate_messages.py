"""Generate a large Convene SQLite database for the search and thread-page benchmark.

    python bench/generate_messages.py PATH [--messages 1000000] [--rooms 100] [--threads-per-room 100]

The schema comes from the real migrations (so the full-text index is the one the
server keeps); rows are then written with the standard library's sqlite3 in big
batches, and the FTS5 index is filled in one statement per kind at the end, as
revision 0009 fills it for existing data. Text is random but repeatable (seeded):
words drawn with a Zipf-like skew from a vocabulary of made-up words plus some of
Convene's own ("keeper", "parking", "budget"), so common and rare words both exist.
Half the rooms are invite-only; the benchmark's reader is a member of a quarter of
the rooms.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from server.store.schema import upgrade  # noqa: E402

DOMAIN_WORDS = (
    "keeper data parking permit budget council decision api vehicle evidence renewal badge housing placement "
    "payment eligibility supplier contract pilot discovery prototype research users accessibility standards "
    "procurement licence residents enforcement dvla transport school care calculator charging"
).split()
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime on SQLite
READER = "reader@bench.example"


def vocabulary(rng: random.Random, size: int = 20_000) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    made_up = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size)}
    words = DOMAIN_WORDS + sorted(made_up)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    return words, weights


def sentence(rng: random.Random, words: list[str], cum_weights: list[float]) -> str:
    return " ".join(rng.choices(words, cum_weights=cum_weights, k=rng.randint(6, 40)))


def generate(path: Path, messages: int, rooms: int, threads_per_room: int, people: int = 200, seed: int = 11) -> None:
    if path.exists():
        raise SystemExit(f"{path} exists; give a new path")
    started = time.perf_counter()
    upgrade(f"sqlite+aiosqlite:///{path}")
    rng = random.Random(seed)
    words, weights = vocabulary(rng)
    cum: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    start = datetime(2025, 1, 1)
    began = start.strftime(STAMP)
    with db:
        db.executemany(
            "INSERT INTO users (id, email, display_name, declared_organisation, role, email_confirmed_at, created_at, notify_mode) "
            "VALUES (?, ?, ?, ?, 'member', ?, ?, 'never')",
            [
                (i, READER if i == 1 else f"person{i}@bench.example", f"Person {i}", f"Council {i % 40}", began, began)
                for i in range(1, people + 1)
            ],
        )
        db.executemany(
            "INSERT INTO rooms (id, slug, title, summary, summary_html, stage, visibility, looking_for_collaborators, created_at, "
            "last_activity_at, last_seq) VALUES (?, ?, ?, ?, '', 'discovery', ?, ?, ?, ?, 0)",
            [
                (
                    r,
                    f"room-{r}",
                    f"Room {r} {sentence(rng, words, cum)[:60]}",
                    sentence(rng, words, cum),
                    "invite" if r % 2 else "open",
                    r % 5 == 0,
                    start.strftime(STAMP),
                    start.strftime(STAMP),
                )
                for r in range(1, rooms + 1)
            ],
        )
        db.executemany(
            "INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (?, ?, 'member', ?)",
            [(r, u, start.strftime(STAMP)) for r in range(1, rooms + 1) for u in range(2, people + 1) if (r + u) % 4 == 0]
            + [(r, 1, start.strftime(STAMP)) for r in range(1, rooms + 1) if r % 4 == 0],
        )
    thread_count = rooms * threads_per_room
    per_thread = messages // thread_count
    message_id = 0
    for room in range(1, rooms + 1):
        seq = 0
        thread_rows = []
        message_rows = []
        for t in range(threads_per_room):
            thread_id = (room - 1) * threads_per_room + t + 1
            seq += 1
            thread_rows.append((thread_id, room, sentence(rng, words, cum)[:120], 2, began, began, per_thread, seq))
            for _ in range(per_thread):
                message_id += 1
                seq += 1
                when = (start + timedelta(seconds=message_id * 30)).strftime(STAMP)
                body = sentence(rng, words, cum)
                author = rng.randint(2, people)
                message_rows.append((message_id, room, thread_id, seq, author, f"gen-{message_id}", body, f"<p>{body}</p>", when))
        with db:
            db.executemany(
                "INSERT INTO threads (id, room_id, title, created_by, created_at, last_activity_at, message_count, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                thread_rows,
            )
            db.executemany(
                "INSERT INTO messages (id, room_id, thread_id, seq, author_id, client_id, body, html, renderer_version, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                message_rows,
            )
            db.execute("UPDATE rooms SET last_seq = ? WHERE id = ?", (seq, room))
        print(f"\rroom {room}/{rooms}: {message_id} messages", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    with db:  # the full-text index, as revision 0009 builds it for existing rows
        for table in ("message_fts", "thread_fts", "room_fts"):
            db.execute(f"DELETE FROM {table}")
        db.execute("INSERT INTO message_fts (rowid, body) SELECT id, body FROM messages WHERE deleted_at IS NULL")
        db.execute("INSERT INTO thread_fts (rowid, title) SELECT id, title FROM threads")
        db.execute("INSERT INTO room_fts (rowid, title, summary) SELECT id, title, summary FROM rooms")
    for table in ("message_fts", "thread_fts", "room_fts"):
        db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    db.execute("ANALYZE")
    db.close()
    print(f"{message_id} messages in {thread_count} threads and {rooms} rooms: {path} ({time.perf_counter() - started:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--threads-per-room", type=int, default=100)
    args = parser.parse_args()
    generate(args.path, args.messages, args.rooms, args.threads_per_room)


if __name__ == "__main__":
    main()
