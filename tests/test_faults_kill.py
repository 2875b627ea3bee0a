"""kill -9 of the server, twenty times in one run, under a steady stream of sends
(issue 17, item 17a).

A real ``python -m server serve`` process on a real SQLite file (``synchronous=FULL``),
three devices of one person on real python-socketio clients sending as fast as they are answered. At a
random moment of each run the server is killed with SIGKILL (no shutdown, no flush),
started again on the same file, and the clients do what the web client does: reconnect,
catch up from the last number they saw, and send again, with the same client id,
whatever was not acknowledged. At the end:

* every acknowledged message is stored, with the number its acknowledgement gave;
* no message is stored twice (by client id, and by body: every body is unique);
* the room's numbering is gapless;
* every client's view (live events and catch-up, by number) equals the database's log.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import IO

import aiohttp
import pytest

from .convergence import FAILURES, ViewClient, stored_log, stored_messages, view_problems
from .loopback import first_account, free_port, server_env, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20
DEVICES = 3


async def sign_in(url: str) -> str:
    """Another session (another device) of the first account."""
    async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        body = {"email": "a@example.org", "password": "long enough password"}
        async with http.post("/api/v1/auth/signin", json=body) as r:
            assert r.status == 200, await r.text()
        return next(c.value for c in http.cookie_jar if c.key == "convene_session")


async def keep_sending(client: ViewClient, serial: list[int]) -> None:
    """Send new messages until the connection fails (the server was killed)."""
    try:
        await client.retry_pending()
        while True:
            serial[0] += 1
            await client.send(f"{client.name}-{serial[0]}", f"{client.name} says {serial[0]}")
    except FAILURES:
        return


@pytest.mark.timeout(150)
async def test_twenty_kill_9s_under_sends_lose_and_double_nothing(tmp_path: Path, sqlite_template: Path) -> None:
    seed = int(os.environ.get("KILL_SEED") or time.time_ns())
    rng = random.Random(seed)
    database = tmp_path / "convene.db"
    shutil.copy(sqlite_template, database)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(tmp_path, port, DATABASE_URL=f"sqlite+aiosqlite:///{database}", CATCHUP_LIMIT="100000")
    log: IO[bytes] = open(tmp_path / "server.log", "ab")

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log)

    server = start()
    clients: list[ViewClient] = []
    try:
        await wait_healthy(url)
        tokens = [await first_account(url)] + [await sign_in(url) for _ in range(1, DEVICES)]
        async with aiohttp.ClientSession(base_url=url) as http:
            headers = {"Cookie": f"convene_session={tokens[0]}"}
            async with http.post("/api/v1/rooms", json={"title": "Durable"}, headers=headers) as r:
                room = (await r.json())["room"]
            async with http.post(f"/api/v1/rooms/{room['id']}/threads", json={"title": "Kill"}, headers=headers) as r:
                thread = (await r.json())["thread"]
        clients = [ViewClient(f"c{n}", url, token, room["id"], thread["id"]) for n, token in enumerate(tokens)]
        serials = [[0] for _ in clients]
        acknowledged_at_kill: list[int] = []

        for run in range(KILLS):
            if run:
                server = start()
                await wait_healthy(url)
            await asyncio.gather(*(c.connect() for c in clients))
            senders = [asyncio.create_task(keep_sending(c, s)) for c, s in zip(clients, serials)]
            await asyncio.sleep(rng.uniform(0.05, 0.4))  # a random moment of the stream
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
            await asyncio.wait_for(asyncio.gather(*senders), 10)
            await asyncio.gather(*(c.close() for c in clients))
            acknowledged_at_kill.append(sum(len(c.acknowledged) for c in clients))

        # Last start: everyone reconnects, sends again what was never answered, and
        # catches up once more (a reconnect) so live events in flight are counted too.
        server = start()
        await wait_healthy(url)
        for client in clients:
            await client.connect()
            await client.retry_pending()
        await asyncio.gather(*(c.close() for c in clients))
        await asyncio.gather(*(c.connect() for c in clients))
        await asyncio.gather(*(c.close() for c in clients))
        server.terminate()
        server.wait()
    finally:
        for client in clients:
            await client.close()
        server.kill()
        server.wait()
        log.close()

    stored = stored_messages(database, thread["id"])
    by_client_id = {client_id: seq for client_id, _, seq in stored}
    acknowledged = {cid: seq for c in clients for cid, seq in c.acknowledged.items()}
    lost = {cid: seq for cid, seq in acknowledged.items() if by_client_id.get(cid) != seq}
    doubled_ids = [cid for cid, n in Counter(cid for cid, _, _ in stored).items() if n > 1]
    doubled_bodies = [body for body, n in Counter(body for _, body, _ in stored).items() if n > 1]
    print(
        f"\nkill -9 runs: {KILLS} (KILL_SEED={seed}); acknowledged: {len(acknowledged)} (per run {acknowledged_at_kill}); "
        f"stored: {len(stored)}; "
        f"lost: {len(lost)}; doubled: {len(doubled_ids) + len(doubled_bodies)}"
    )
    assert all(c.refused == [] for c in clients), [c.refused[:3] for c in clients]
    assert all(c.pending == {} for c in clients), [c.pending for c in clients]
    assert not lost, f"acknowledged but not stored as acknowledged: {lost}"
    assert not doubled_ids and not doubled_bodies, (doubled_ids, doubled_bodies)
    assert len(acknowledged) == len(stored)  # every send ended acknowledged, once
    assert all(acknowledged_at_kill[n] < acknowledged_at_kill[n + 1] for n in range(KILLS - 1)), acknowledged_at_kill
    room_log = stored_log(database, room["id"])
    assert sorted(room_log) == list(range(1, len(room_log) + 1))  # gapless
    problems = [problem for c in clients for problem in view_problems(c, room_log)]
    assert not problems, problems
