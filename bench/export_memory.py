"""Peak memory of exporting a large room (issue 12): ``python -m bench.export_memory``.

Builds a fresh SQLite database in a temporary folder with one room of EXPORT_MESSAGES
messages (default 100,000, over 20 threads, one in ten edited, one in fifty deleted),
then runs ``python -m server export ROOM --format md|json --out FILE`` as a separate
process for that room and for a room of 1,000 messages, and reports each process's
peak resident set size (VmHWM). Bounded memory means the two peaks are
close: the export holds one batch of messages, never the room.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from server.store.db import Database, make_engine
from server.store.models import Message, MessageRevision, Room, RoomMember, Thread, User, utcnow
from server.store.schema import upgrade

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = int(os.environ.get("EXPORT_MESSAGES", "100000"))
THREADS = 20
PEOPLE = 50
CHUNK = 5000


async def build(url: str, slug: str, messages: int, first_user: int) -> None:
    db = Database(make_engine(url))
    now = utcnow()
    try:
        async with db.write_session() as session:
            users = [
                {"id": first_user + i, "email": f"person{first_user + i}@camden.example", "display_name": f"Person {first_user + i}",
                 "declared_organisation": "Camden Council", "role": "member", "created_at": now, "notify_mode": "delay"}
                for i in range(PEOPLE)
            ]  # fmt: skip
            await session.execute(insert(User), users)
            room = Room(slug=slug, title=f"Room {slug}", summary="", summary_html="", stage="discovery", visibility="open",
                        looking_for_collaborators=False, created_at=now, last_activity_at=now, last_seq=0)  # fmt: skip
            session.add(room)
            await session.flush()
            members = [{"room_id": room.id, "user_id": u["id"], "role": "member", "joined_at": now} for u in users]
            await session.execute(insert(RoomMember), members)
            threads = []
            for t in range(THREADS):
                thread = Thread(room_id=room.id, title=f"Thread {t}", created_by=first_user, created_at=now, last_activity_at=now,
                                message_count=0, seq=t + 1)  # fmt: skip
                session.add(thread)
                threads.append(thread)
            await session.flush()
            seq = THREADS
            body = "A reply about keeper data, legal gateways and what each council needs, with a [link](https://example.org). " * 2
            for start in range(0, messages, CHUNK):
                rows: list[dict[str, Any]] = []
                for n in range(start, min(messages, start + CHUNK)):
                    seq += 1
                    edited = n % 10 == 0
                    deleted = n % 50 == 7
                    rows.append({
                        "room_id": room.id, "thread_id": threads[n % THREADS].id, "seq": seq, "author_id": first_user + n % PEOPLE,
                        "client_id": f"c{slug}{n}", "body": "" if deleted else f"{body} #{n}",
                        "html": "" if deleted else f"<p>{body} #{n}</p>",
                        "renderer_version": 1, "created_at": now + timedelta(seconds=n), "edited_at": now if edited else None,
                        "deleted_at": now if deleted else None, "deleted_by": first_user if deleted else None,
                    })  # fmt: skip
                await session.execute(insert(Message), rows)
            edited = select(Message.id).where(Message.room_id == room.id, Message.edited_at.is_not(None))
            edited_ids = list(await session.scalars(edited))
            for start in range(0, len(edited_ids), CHUNK):
                await session.execute(
                    insert(MessageRevision),
                    [{"message_id": i, "body": "An earlier version.", "html": "<p>An earlier version.</p>", "replaced_at": now}
                     for i in edited_ids[start : start + CHUNK]],
                )  # fmt: skip
            room.last_seq = seq
            await session.commit()
    finally:
        await db.dispose()


# Runs the command in the child and reports the child's own high-water mark (VmHWM, reset
# at exec). wait4's ru_maxrss would not do: it counts the parent's pages the child held
# between fork and exec, so every export would look as large as this process.
MEASURED = """
import re, sys
from pathlib import Path
from server.__main__ import main
code = main(sys.argv[1:])
print(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1), file=sys.stderr)
sys.exit(code)
"""


def peak_rss_kib(slug: str, fmt: str, env: dict[str, str], out: Path) -> tuple[int, int]:
    """Run one export as its own process; its peak RSS (KiB) and the file's size (bytes)."""
    command = [sys.executable, "-c", MEASURED, "export", slug, "--format", fmt, "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"export failed: {done.stderr}")
    return int(done.stderr.strip().splitlines()[-1]), out.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/convene.db"
        upgrade(url)
        asyncio.run(build(url, "large", MESSAGES, 1))
        asyncio.run(build(url, "small", 1000, 1 + PEOPLE))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATA_DIR": folder, "DATABASE_URL": url}
        results = []
        for slug, count in (("small", 1000), ("large", MESSAGES)):
            for fmt in ("md", "json"):
                rss, size = peak_rss_kib(slug, fmt, env, Path(folder) / f"{slug}.{fmt}")
                results.append({"messages": count, "format": fmt, "peak_rss_mib": round(rss / 1024, 1), "file_mib": round(size / 2**20, 1)})
        if "json" in {r["format"] for r in results}:
            data = json.loads((Path(folder) / "large.json").read_text())
            assert sum(len(t["messages"]) for t in data["threads"]) == MESSAGES
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
