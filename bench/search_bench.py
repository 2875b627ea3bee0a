"""Thread page fetch and full-text search on a large database, p50 and p99.

    python bench/search_bench.py PATH [--rounds 300]

PATH is a database made by ``bench/generate_messages.py``. Both operations run
through the same domain functions the HTTP doors call (``messages.thread_page``,
``search.search``) on the real engine and session set-up, as the benchmark's reader
(a member of a quarter of the rooms, half of which are invite-only), so access
rules are in the measured path. Targets on SQLite: p99 <= 10 ms for a page of 50
messages, p99 <= 50 ms for a search's first page of 20 results.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Awaitable, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from server.domain import messages, search  # noqa: E402
from server.store.db import Database, make_engine  # noqa: E402
from server.store.models import Room, RoomMember, Thread, User  # noqa: E402

READER = "reader@bench.example"
PAGE_TARGET_MS = 10.0
SEARCH_TARGET_MS = 50.0
QUERIES = [
    "keeper",
    "parking permit",
    '"keeper data"',
    "budget -council",
    "vehicle evidence renewal",
    "eligibility",
    "procurement licence",
    '"school transport" -care',
]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def timed(rounds: int, run: Callable[[int], Awaitable[object]]) -> list[float]:
    for i in range(min(20, rounds)):  # warm the caches and the statement cache
        await run(i)
    samples = []
    for i in range(rounds):
        began = time.perf_counter()
        await run(i)
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def report(name: str, samples: list[float], target: float) -> bool:
    p50, p99 = statistics.median(samples), percentile(samples, 99)
    ok = p99 <= target
    print(f"{name:<32} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   target p99 <= {target:.0f} ms   {'ok' if ok else 'MISSED'}")
    return ok


async def bench(path: Path, rounds: int) -> bool:
    db = Database(make_engine(f"sqlite+aiosqlite:///{path}"))
    rng = random.Random(5)
    try:
        async with db.read() as session:
            reader = await session.scalar(select(User).where(User.email == READER))
            if reader is None:
                raise SystemExit(f"{path} has no {READER}: make it with bench/generate_messages.py")
            member_of = select(RoomMember.room_id).where(RoomMember.user_id == reader.id)
            readable = select(Room.id).where((Room.visibility == "open") | Room.id.in_(member_of))
            thread_ids = list((await session.scalars(select(Thread.id).where(Thread.room_id.in_(readable)))).all())
            count = await session.scalar(select(Thread.message_count).limit(1))
        print(f"{path}: {len(thread_ids)} threads readable by the reader, about {count} messages each")

        async def page(i: int) -> object:
            async with db.read() as session:
                return await messages.thread_page(session, reader, rng.choice(thread_ids), before=None, after=None, limit=50)

        async def older_page(i: int) -> object:
            async with db.read() as session:
                return await messages.thread_page(session, reader, rng.choice(thread_ids), before=rng.randint(20, 80), after=None, limit=50)

        async def find(i: int) -> object:
            async with db.read() as session:
                return await search.search(session, reader, QUERIES[i % len(QUERIES)], search.SearchFilter())

        async def find_newest(i: int) -> object:
            async with db.read() as session:
                return await search.search(session, reader, QUERIES[i % len(QUERIES)], search.SearchFilter(newest_first=True))

        results = [
            report("thread page (newest 50)", await timed(rounds, page), PAGE_TARGET_MS),
            report("thread page (before a seq)", await timed(rounds, older_page), PAGE_TARGET_MS),
            report("search, best first (20)", await timed(rounds, find), SEARCH_TARGET_MS),
            report("search, newest first (20)", await timed(rounds, find_newest), SEARCH_TARGET_MS),
        ]
        return all(results)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    ok = asyncio.run(bench(args.path, args.rounds))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
