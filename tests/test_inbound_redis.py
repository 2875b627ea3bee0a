"""With REDIS_URL the mail processes run the pipeline themselves and publish through Redis:
a reply received by the SMTP listener reaches a browser connected to a web server that
never saw the message (PostgreSQL + Redis, as several processes run)."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace

import aiosmtplib
import pytest
from sqlalchemy import select

from server.domain import reply_addresses
from server.http.keys import DATABASE, SETTINGS, TRANSACTIONS
from server.mail.delivery import inbound_delivery
from server.mail.listener import start_listener
from server.store.models import InboundMail

from .mail.inbox import AUTHSERV_ID, DOMAIN
from .people import PersonFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_reply_to_the_listener_reaches_browsers_through_redis(start_server, settings):
    channel = f"convene-test-{uuid.uuid4().hex}"
    web = await start_server(settings, redis_url=REDIS_URL, redis_channel=channel, mail_domain=DOMAIN, mail_authserv_id=AUTHSERV_ID)
    people = PersonFactory(web, settings)
    try:
        alice = await people.signup("alice@camden.example", "Alice", "Camden")
        room = await alice.create_room("Shared")
        thread = await alice.start_thread(room, "Across processes", "First")
        async with web.app[TRANSACTIONS].begin() as tx:
            token = await reply_addresses.issue(tx, alice.id, thread["id"])
        sock = await alice.socket()
        await sock.subscribe({room["id"]: room["last_seq"] + 1})

        # The listener's own settings: Redis, and no web server to hand mail to.
        listener_settings = replace(web.app[SETTINGS], inbound_handoff_url="http://127.0.0.1:9")
        async with inbound_delivery(listener_settings) as deliver:
            listener = await start_listener(deliver, listener_settings, "127.0.0.1", 0)
            port = listener.sockets[0].getsockname()[1]
            message = (
                f"From: Alice <alice@camden.example>\r\nTo: <reply+{token}@{DOMAIN}>\r\nSubject: Re: Across processes\r\n"
                "Message-ID: <redis-1@camden.example>\r\n\r\nThrough Redis, by mail.\r\n"
            ).encode()
            await aiosmtplib.send(
                message, sender="alice@camden.example", recipients=[f"reply+{token}@{DOMAIN}"], hostname="127.0.0.1", port=port
            )
            [event] = await sock.wait_for("message.created")
            listener.close()
            await listener.wait_closed()
        assert event["message"]["body"] == "Through Redis, by mail." and event["message"]["thread_id"] == thread["id"]
        async with web.app[DATABASE].read() as session:
            [row] = list(await session.scalars(select(InboundMail)))
        assert (row.door, row.outcome, row.posted_message_id) == ("smtp", "posted", event["message"]["id"])
    finally:
        await people.close()
