"""The send writer on SQLite (``server.store.writer``) shares the database file with
other processes: a send that arrives while another process holds the write lock waits
for it under the busy timeout, without holding up the server, and is then stored."""

from __future__ import annotations

import asyncio
import sqlite3

from server.config import Settings


async def test_a_send_waits_for_another_writer_without_holding_up_the_server(alice, settings: Settings) -> None:
    room = await alice.create_room("Shared file")
    thread = await alice.start_thread(room, "Waits its turn")
    sock = await alice.socket()
    await sock.subscribe({room["id"]: 0})
    path = settings.database_url.split("///", 1)[1]
    other = sqlite3.connect(path, isolation_level=None)  # another process's connection, say the seeding command
    other.execute("BEGIN IMMEDIATE")
    try:
        sending = asyncio.ensure_future(sock.call("send", {"thread_id": thread["id"], "client_id": "w-1", "body": "after you"}))
        # The server keeps answering while the send waits for the lock...
        for _ in range(3):
            assert (await alice.get(f"/api/v1/rooms/{room['id']}"))["room"]["id"] == room["id"]
        assert not sending.done()  # ...and nothing could be stored or acknowledged meanwhile
    finally:
        other.execute("ROLLBACK")
        other.close()
    ack = await asyncio.wait_for(sending, 15)
    assert ack["ok"], ack
    assert ack["message"]["body"] == "after you"
    page = await alice.get(f"/api/v1/threads/{thread['id']}/messages")
    assert [m["client_id"] for m in page["messages"]] == ["w-1"]
