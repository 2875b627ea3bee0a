"""Two server processes' worth of apps on one PostgreSQL database and one Redis: an
event committed through one reaches clients connected to the other."""

from __future__ import annotations

import os
import uuid

import pytest

from .people import Person, PersonFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_events_cross_processes_through_redis(start_server, settings):
    channel = f"convene-test-{uuid.uuid4().hex}"
    first = await start_server(settings, redis_url=REDIS_URL, redis_channel=channel)
    second = await start_server(settings, redis_url=REDIS_URL, redis_channel=channel)
    on_first = PersonFactory(first, settings)
    on_second = PersonFactory(second, settings)
    try:
        alice = await on_first.signup("alice@camden.example", "Alice", "Camden")
        room = await alice.create_room("Shared")
        thread = await alice.start_thread(room, "Across processes")
        # Bob signs in through the second server.
        session = on_second.new_session()
        async with session.post("/api/v1/auth/signin", json={"email": "alice@camden.example", "password": "correct horse battery"}) as r:
            assert r.status == 200
            user = (await r.json())["user"]
        same_person_elsewhere = Person(on_second, session, user)
        on_second.people.append(same_person_elsewhere)
        listener = await same_person_elsewhere.socket()
        await listener.subscribe({room["id"]: 1})
        sender = await alice.socket()
        ack = await sender.call("send", {"thread_id": thread["id"], "client_id": "x-1", "body": "through redis"})
        assert ack["ok"]
        [event] = await listener.wait_for("message.created")
        assert event["message"]["body"] == "through redis" and event["seq"] == ack["message"]["seq"]
    finally:
        await on_first.close()
        await on_second.close()
