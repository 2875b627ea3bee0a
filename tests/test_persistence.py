"""Stop the app, start a new one on the same database: nothing lost, numbering continues."""

from __future__ import annotations

import pytest

from .people import PersonFactory


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_restart_keeps_everything_and_sequence_continues(start_server, settings):
    first = await start_server(settings)
    people = PersonFactory(first, settings)
    admin = await people.signup("ada@example.org", "Ada", "Org")
    room = await admin.create_room("Local Links refresh", tags=["content"])
    thread = await admin.start_thread(room, "Broken links", "How are they reported?")
    for i in range(5):
        await admin.send(thread["id"], f"before restart {i}", f"b-{i}")
    token = admin.token
    await people.close()
    await first.close()

    second = await start_server(settings)
    people = PersonFactory(second, settings)
    try:
        session = people.new_session()
        session.cookie_jar.update_cookies({"convene_session": token}, second.make_url("/"))
        from .people import Person

        admin = Person(people, session, {"id": 1})
        people.people.append(admin)
        assert (await admin.get("/api/v1/me"))["user"]["email"] == "ada@example.org"  # the session survived
        page = await admin.get(f"/api/v1/threads/{thread['id']}/messages")
        assert [m["body"] for m in page["messages"]] == ["How are they reported?"] + [f"before restart {i}" for i in range(5)]
        # seq 1 is thread.created, then six messages, gapless
        assert [m["seq"] for m in page["messages"]] == [2, 3, 4, 5, 6, 7]
        sock = await admin.socket()
        ack = await sock.call("send", {"thread_id": thread["id"], "client_id": "after-1", "body": "after restart"})
        assert ack["message"]["seq"] == 8
        # A retry of a message sent before the restart still finds it.
        status, data = await admin.send(thread["id"], "before restart 4", "b-4")
        assert status == 200 and data["message"]["seq"] == 7
        events = (await sock.subscribe({room["id"]: 5}))[str(room["id"])]["events"]
        assert [e["seq"] for e in events] == [6, 7, 8]
    finally:
        await people.close()
