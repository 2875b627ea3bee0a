"""Nothing acknowledged is ever lost: kill the server process (SIGKILL, no shutdown)
while clients are sending, start it again on the same database, and every
acknowledged message is there, numbered without gaps."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import socketio

from .loopback import first_account, free_port, server_env, wait_healthy

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(120)
async def test_acknowledged_messages_survive_a_killed_server(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(tmp_path, port)
    subprocess.run([sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "server", "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    server = start()
    try:
        await wait_healthy(url)
        token = await first_account(url)
        async with aiohttp.ClientSession(base_url=url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            http.cookie_jar.update_cookies({"convene_session": token})
            async with http.post("/api/v1/rooms", json={"title": "Durable"}) as r:
                room = (await r.json())["room"]
            async with http.post(f"/api/v1/rooms/{room['id']}/threads", json={"title": "T"}) as r:
                thread = (await r.json())["thread"]

            acknowledged: dict[str, int] = {}

            async def sender(lane: int) -> None:
                client = socketio.AsyncClient(reconnection=False)
                await client.connect(url, headers={"Cookie": f"convene_session={token}"}, transports=["websocket"])
                try:
                    for n in range(100_000):
                        client_id = f"d{lane}-{n}"
                        ack = await client.call("send", {"thread_id": thread["id"], "client_id": client_id, "body": f"msg {n}"}, timeout=5)
                        if ack.get("ok"):
                            acknowledged[client_id] = ack["message"]["seq"]
                except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError, socketio.exceptions.DisconnectedError):
                    return  # the server died under us: stop sending
                finally:
                    try:
                        await client.disconnect()
                    except Exception:
                        pass

            senders = [asyncio.create_task(sender(lane)) for lane in range(4)]
            while len(acknowledged) < 300:
                await asyncio.sleep(0.01)
            os.kill(server.pid, signal.SIGKILL)  # no shutdown, no flush: a crash
            server.wait()
            await asyncio.wait_for(asyncio.gather(*senders), 30)
            assert len(acknowledged) >= 300

            server = start()
            await wait_healthy(url)
            async with http.get(f"/api/v1/rooms/{room['id']}") as r:
                last_seq = (await r.json())["room"]["last_seq"]
            stored: dict[str, int] = {}
            after = 0
            while True:
                async with http.get(f"/api/v1/threads/{thread['id']}/messages", params={"after": after, "limit": 200}) as r:
                    page = await r.json()
                for message in page["messages"]:
                    stored[message["client_id"]] = message["seq"]
                if not page["has_more_after"]:
                    break
                after = page["messages"][-1]["seq"]
        for client_id, seq in acknowledged.items():
            assert stored.get(client_id) == seq, f"acknowledged {client_id} (seq {seq}) was lost"
        # Gapless: seq 1 is the thread, then every stored message, up to the room's last.
        assert sorted(stored.values()) == list(range(2, last_seq + 1))
    finally:
        server.kill()
        server.wait()
