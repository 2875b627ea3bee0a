"""Outbound mail over a real SMTP conversation on loopback (aiosmtpd), with retries."""

from __future__ import annotations

import asyncio
import email
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from server.http.keys import DATABASE, MAIL
from server.store.models import OutboundMail

from .loopback import free_port
from .people import PersonFactory


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.raw: list[bytes] = []  # exactly as received, for byte-for-byte checks
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 try again later"
        self.raw.append(envelope.original_content)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()  # aiosmtpd cannot listen on port 0 itself
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


async def test_confirmation_mail_goes_over_smtp_and_survives_a_refusal(start_server, settings, smtp):
    inbox, port = smtp
    server = await start_server(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    people = PersonFactory(server, settings)
    try:
        await people.signup("admin@example.org", "Admin", "Org")
        inbox.refuse = True
        await people.signup("dora@camden.example", "Dora", "Camden")
        db = server.app[DATABASE]

        async def pending() -> list[OutboundMail]:
            async with db.read() as session:
                return list((await session.scalars(select(OutboundMail).where(OutboundMail.sent_at.is_(None)))).all())

        for _ in range(100):
            rows = await pending()
            if rows and rows[0].attempts:
                break
            await asyncio.sleep(0.02)
        assert len(rows) == 1 and rows[0].attempts == 1 and "451" in (rows[0].last_error or "")
        assert inbox.messages == []

        # The server accepts again; once the back-off is due the same mail goes out.
        inbox.refuse = False
        async with db.write() as session:
            await session.execute(update(OutboundMail).values(next_attempt_at=rows[0].created_at))
        assert await server.app[MAIL].deliver_due() == 1
        assert await pending() == []
        [message] = inbox.messages
        assert message["To"] == "dora@camden.example"
        assert message["Subject"] == "Confirm your email address for Convene"
        body = message.get_body(("plain",)).get_content()
        assert f"{settings.public_url}/confirm?token=" in body
        assert message["Message-ID"]
    finally:
        await people.close()


async def test_without_smtp_mail_lands_in_the_outbox_folder(people, admin, settings):
    await people.signup("ed@bristol.example", "Ed", "Bristol")
    token = await people.mailed_token("ed@bristol.example", "/confirm?token=")
    assert len(token) > 20
    assert list(settings.outbox_dir.glob("*.tmp")) == []
