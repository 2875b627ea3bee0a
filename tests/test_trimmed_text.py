"""Nothing trimmed off a reply by email is silently lost (issue 18, item 6), through the real doors.

A reply with a signature (sign-off, role, phone number, postal address) and quoted history
comes in by the signed webhook. The room sees only the reply and a ``trimmed`` marker;
search does not find the phone number; the author, and only the author, reads what was
trimmed and puts some of it back with an ordinary edit; deleting the message erases it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from server.config import Settings

from .people import Person, PersonFactory
from .test_inbound import post_webhook, reply, thread_with_token

REPLY = (
    "Hi both,\n"
    "\n"
    "Camden can take the keeper data nightly.\n"
    "\n"
    "Kind regards,\n"
    "Alice Officer\n"
    "Parking Services Manager | Camden Council\n"
    "M: 07700 900461\n"
    "5 Pancras Square, London N1C 4AG\n"
    "\n"
    "On Mon, 3 Mar 2025 at 10:15, Convene <reply+abc@convene.example> wrote:\n"
    "\n"
    "> What does each council request today?\n"
)
LANDS = "Hi both,\n\nCamden can take the keeper data nightly."


@pytest.fixture
async def server(start_server: Any, settings: Settings) -> TestServer:
    from .test_inbound import AUTHSERV_ID, DOMAIN, SECRET

    return await start_server(settings, inbound_webhook_secret=SECRET, mail_domain=DOMAIN, mail_authserv_id=AUTHSERV_ID)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_only_the_author_sees_and_restores_what_was_trimmed(
    server: TestServer, people: PersonFactory, alice: Person, bob: Person
) -> None:
    room, thread, token = await thread_with_token(alice, server)
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"visibility": "open"}, expect=200)
    sock = await bob.socket()
    await sock.subscribe({room["id"]: room["last_seq"] + 1})

    status, answer = await post_webhook(people, reply(token, alice.user["email"], body=REPLY))
    assert status == 200 and answer["outcome"] == "posted"
    message_id = answer["message_id"]
    [event] = await sock.wait_for("message.created")
    assert event["message"]["body"] == LANDS and event["message"]["trimmed"] is True

    page = await bob.get(f"/api/v1/threads/{thread['id']}/messages")
    [seen] = [m for m in page["messages"] if m["id"] == message_id]
    assert seen["body"] == LANDS and seen["trimmed"] is True
    assert [m["trimmed"] for m in page["messages"] if m["id"] != message_id] == [False]
    for hidden in ("07700 900461", "N1C 4AG"):
        assert hidden not in json.dumps(page)
    found = await bob.get("/api/v1/search", params={"q": "07700"})
    assert found["results"] == []

    # Others, room stewards and administrators alike, get a refusal naming why.
    status, refused = await bob.call("GET", f"/api/v1/messages/{message_id}/trimmed", expect=403)
    assert "only the author" in refused["error"]["message"]
    trimmed = (await alice.get(f"/api/v1/messages/{message_id}/trimmed"))["text"]
    assert "Kind regards," in trimmed and "M: 07700 900461" in trimmed and "> What does each council request today?" in trimmed

    # Putting some of it back is an ordinary edit, by the author.
    restored = LANDS + "\n\nAlice Officer\nParking Services Manager | Camden Council"
    edited = (await alice.call("PATCH", f"/api/v1/messages/{message_id}", json={"body": restored}, expect=200))[1]
    assert edited["message"]["body"] == restored and edited["message"]["trimmed"] is True
    [change] = await sock.wait_for("message.edited")
    assert change["message"]["body"] == restored

    async with alice.http.get("/api/v1/me/data") as response:  # the author's own data includes it
        mine = json.loads(await response.text())
    [exported] = [m for m in mine["messages"] if m["id"] == message_id]
    assert exported["trimmed"] == trimmed
    status, room_export = await alice.call("GET", f"/api/v1/rooms/{room['id']}/export", params={"format": "json"}, expect=200)
    assert "07700" not in json.dumps(room_export)  # the room's records hold only what landed

    await alice.call("DELETE", f"/api/v1/messages/{message_id}", expect=200)
    assert (await alice.get(f"/api/v1/messages/{message_id}/trimmed"))["text"] == ""
    [gone] = [m for m in (await bob.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"] if m["id"] == message_id]
    assert gone["trimmed"] is False and gone["deleted"] is True


async def test_a_message_posted_in_the_browser_has_nothing_trimmed(server: TestServer, alice: Person) -> None:
    room, thread, _ = await thread_with_token(alice, server)
    status, sent = await alice.send(thread["id"], "Kind regards,\nAlice\n07700 900461", "browser-1")
    assert status == 201 and sent["message"]["trimmed"] is False
    assert sent["message"]["body"] == "Kind regards,\nAlice\n07700 900461"  # only mail is trimmed
    assert (await alice.get(f"/api/v1/messages/{sent['message']['id']}/trimmed"))["text"] == ""
