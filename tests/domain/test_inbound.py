"""The inbound pipeline on a real SQLite file, without doors: every hostile case refused
with its reason and nothing posted, replies posted exactly once through the send queue,
explanations only where allowed and at most one an hour."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from server.contract.events import ToRoom
from server.domain import reply_addresses
from server.domain.inbound import InboundConfig, InboundPipeline, thread_title, with_left_out_note
from server.domain.send_queue import SendQueue
from server.mail.inbound import InboundLimits
from server.store.db import Database
from server.store.models import InboundMail, Message, OutboundMail, ReplyAddress, Room, RoomMember, Thread, User, utcnow
from server.store.transaction import Transactions

from ..mail.inbox import AUTHSERV_ID, DOMAIN, TOKEN, raw
from .conftest import RecordingPublisher

ADA = "ada.lovelace@camden.gov.uk"
MALLORY = "mallory@evil.example"


@dataclass
class World:
    pipeline: InboundPipeline
    db: Database
    txs: Transactions
    publisher: RecordingPublisher
    ada: User
    room: Room
    thread: Thread
    token: str

    async def deliver(self, message: bytes, envelope_from: str | None = None, to: list[str] | None = None):  # type: ignore[no-untyped-def]
        return await self.pipeline.receive(message, envelope_from=envelope_from, envelope_to=to or [], door="smtp")

    async def count(self, model: type, *where: object) -> int:
        async with self.db.read() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    async def records(self) -> list[InboundMail]:
        async with self.db.read() as session:
            return list(await session.scalars(select(InboundMail).order_by(InboundMail.id)))

    async def messages(self) -> list[Message]:
        async with self.db.read() as session:
            return list(await session.scalars(select(Message).order_by(Message.id)))


def reply(
    token: str, *, sender: str = ADA, body: str = "Keeper name and VRM, please.", message_id: str = "<r1@camden.gov.uk>", extra: str = ""
) -> bytes:
    return (
        f"From: Ada Lovelace <{sender}>\nTo: <reply+{token}@{DOMAIN}>\nSubject: Re: [Room] Thread\n"
        f"Message-ID: {message_id}\nMIME-Version: 1.0\n{extra}Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


def corpus(name: str, token: str) -> bytes:
    return raw(name).replace(TOKEN.encode(), token.encode())


@pytest.fixture
async def world(database: Database, txs: Transactions, publisher: RecordingPublisher) -> AsyncIterator[World]:
    async with txs.begin() as tx:
        ada = User(email=ADA, display_name="Ada", declared_organisation="Camden", email_confirmed_at=utcnow())
        tx.session.add(ada)
        await tx.session.flush()
        room = Room(slug="dvla-data-api", title="DVLA data API", visibility="invite")
        tx.session.add(room)
        await tx.session.flush()
        tx.session.add(RoomMember(room_id=room.id, user_id=ada.id, role="member"))
        thread = Thread(room_id=room.id, title="Which keeper fields?", seq=0)
        tx.session.add(thread)
        await tx.session.flush()
        token = await reply_addresses.issue(tx, ada.id, thread.id)
    config = InboundConfig(InboundLimits(max_bytes=64 * 1024), AUTHSERV_ID, DOMAIN, "http://convene.example", 200, 10_000)
    queue = SendQueue(txs, 10_000)
    queue.start()
    yield World(InboundPipeline(database, txs, queue, config), database, txs, publisher, ada, room, thread, token)
    await queue.stop()


async def test_a_reply_posts_once_through_the_send_queue_and_is_announced(world: World) -> None:
    handled = await world.deliver(corpus("outlook-desktop.eml", world.token))
    assert handled.outcome == "posted" and handled.thread_id == world.thread.id
    [message] = await world.messages()
    assert message.id == handled.message_id and message.author_id == world.ada.id and message.thread_id == world.thread.id
    assert message.body.startswith("Hi all,\n\nCamden needs three fields") and "From:" not in message.body
    assert message.client_id.startswith("mail-") and message.seq == 1
    announced = [o.event for o in world.publisher.published if isinstance(o, ToRoom) and o.event["type"] == "message.created"]
    assert [e["message"]["id"] for e in announced] == [message.id]

    again = await world.deliver(corpus("outlook-desktop.eml", world.token))
    assert again.outcome == "duplicate" and again.message_id == message.id
    assert len(await world.messages()) == 1
    assert [(r.outcome, r.reason) for r in await world.records()] == [("posted", ""), ("duplicate", "duplicate")]
    record = (await world.records())[0]
    assert record.recipient == f"reply+{world.token[:4]}…@{DOMAIN}" and world.token not in record.recipient


async def test_a_retry_after_a_crash_between_post_and_record_finds_the_same_message(world: World) -> None:
    first = await world.deliver(reply(world.token))
    async with world.db.write() as session:  # as if the record had never been written
        await session.execute(InboundMail.__table__.delete())
    again = await world.deliver(reply(world.token))
    assert again.outcome == "posted" and again.message_id == first.message_id
    assert len(await world.messages()) == 1


async def test_two_deliveries_at_once_post_once(world: World) -> None:
    first, second = await asyncio.gather(world.deliver(reply(world.token)), world.deliver(reply(world.token)))
    assert sorted([first.outcome, second.outcome]) == ["duplicate", "posted"]
    assert first.message_id == second.message_id and len(await world.messages()) == 1


@pytest.mark.parametrize(
    ("case", "reason", "told"),
    [
        ("forged token", "reply_address_unknown", False),
        ("another person's token", "wrong_sender", False),
        ("wrong envelope sender", "wrong_sender", False),
        ("wrong From with the owner's envelope", "wrong_sender", False),
        ("expired token", "reply_address_expired", True),
        ("revoked token", "reply_address_expired", True),
        ("dmarc fail", "dmarc_fail", False),
        ("auto-reply", "auto_reply", False),
        ("out of office", "out_of_office", False),
        ("bounce", "null_sender", False),
        ("delivery report", "delivery_report", False),
        ("oversized", "too_large", True),
        ("many parts", "too_many_parts", True),
        ("loop", "loop", False),
    ],
)
async def test_hostile_mail_is_refused_with_its_reason_and_nothing_is_posted(world: World, case: str, reason: str, told: bool) -> None:
    token, envelope, message = world.token, None, reply(world.token)
    if case == "forged token":
        token = "a" * 26
        message = reply(token)
    elif case == "another person's token":
        async with world.txs.begin() as tx:
            bob = User(email="bob@bristol.gov.uk", display_name="Bob", declared_organisation="Bristol", email_confirmed_at=utcnow())
            tx.session.add(bob)
            await tx.session.flush()
            tx.session.add(RoomMember(room_id=world.room.id, user_id=bob.id))
            bobs = await reply_addresses.issue(tx, bob.id, world.thread.id)
        message = reply(bobs)  # Ada writes to Bob's address
    elif case == "wrong envelope sender":
        envelope = MALLORY
    elif case == "wrong From with the owner's envelope":
        envelope, message = ADA, reply(world.token, sender=MALLORY)
    elif case in ("expired token", "revoked token"):
        column = ReplyAddress.expires_at if case == "expired token" else ReplyAddress.revoked_at
        async with world.db.write() as session:
            await session.execute(update(ReplyAddress).values({column: utcnow() - timedelta(minutes=1)}))
    elif case == "dmarc fail":
        message = corpus("dmarc-fail-trusted.eml", token)
    elif case == "auto-reply":
        message = corpus("auto-submitted.eml", token)
    elif case == "out of office":
        message = corpus("out-of-office-cy.eml", token)
    elif case == "bounce":
        message, envelope = corpus("bounce-null-sender.eml", token), ""
    elif case == "delivery report":
        message = corpus("bounce-report.eml", token)
    elif case == "oversized":
        message = reply(token, body="x" * 70_000)
    elif case == "many parts":
        message = corpus("many-parts.eml", token)
    elif case == "loop":
        message = corpus("loop.eml", token)

    handled = await world.deliver(message, envelope_from=envelope)
    assert (handled.outcome, handled.reason) == ("refused", reason)
    assert await world.messages() == []
    [record] = await world.records()
    assert (record.outcome, record.reason, record.door) == ("refused", reason, "smtp") and record.detail
    assert (await world.count(OutboundMail) == 1) is told
    assert (record.replied_at is not None) is told
    if told:
        async with world.db.read() as session:
            mail = await session.scalar(select(OutboundMail))
        assert mail is not None and mail.to_addr == (envelope or ADA) and record.detail in mail.body_text
    assert not [o for o in world.publisher.published if isinstance(o, ToRoom) and o.event["type"] == "message.created"]


async def test_explanations_go_at_most_once_an_hour_per_sender(world: World) -> None:
    async with world.db.write() as session:
        await session.execute(update(ReplyAddress).values(expires_at=utcnow() - timedelta(days=1)))
    for n in range(3):
        handled = await world.deliver(reply(world.token, message_id=f"<again{n}@camden.gov.uk>"))
        assert handled.reason == "reply_address_expired"
    assert await world.count(OutboundMail) == 1
    assert [r.replied_at is not None for r in await world.records()] == [True, False, False]
    stranger = await world.deliver(reply(world.token, message_id="<s@evil.example>"), envelope_from=MALLORY)
    assert stranger.reason == "reply_address_expired" and await world.count(OutboundMail) == 1


async def test_a_person_who_left_the_room_is_told_and_nothing_is_posted(world: World) -> None:
    async with world.db.write() as session:
        await session.execute(RoomMember.__table__.delete())
    handled = await world.deliver(reply(world.token))
    assert (handled.outcome, handled.reason) == ("refused", "not_member")
    assert await world.messages() == [] and await world.count(OutboundMail) == 1


async def test_an_archived_room_refuses_replies(world: World) -> None:
    async with world.db.write() as session:
        await session.execute(update(Room).values(stage="archived"))
    handled = await world.deliver(reply(world.token))
    assert (handled.outcome, handled.reason) == ("refused", "cannot_post") and "archived" in handled.detail


async def test_a_deactivated_owner_cannot_post_by_mail(world: World) -> None:
    async with world.db.write() as session:
        await session.execute(update(User).values(deactivated_at=utcnow()))
    handled = await world.deliver(reply(world.token))
    assert (handled.outcome, handled.reason) == ("refused", "inactive") and await world.messages() == []


async def test_a_reply_from_an_invited_persons_address_confirms_it(world: World) -> None:
    async with world.db.write() as session:
        await session.execute(update(User).values(email_confirmed_at=None, password_hash=None))
    wrong = await world.deliver(reply(world.token, message_id="<x@evil.example>"), envelope_from=MALLORY)
    assert wrong.reason == "wrong_sender"
    async with world.db.read() as session:
        assert (await session.get(User, world.ada.id)).email_confirmed_at is None  # type: ignore[union-attr]
    handled = await world.deliver(reply(world.token))
    assert handled.outcome == "posted"
    async with world.db.read() as session:
        assert (await session.get(User, world.ada.id)).email_confirmed_at is not None  # type: ignore[union-attr]


async def test_attachments_are_named_in_a_note(world: World) -> None:
    handled = await world.deliver(corpus("attachments.eml", world.token))
    assert handled.outcome == "posted"
    [message] = await world.messages()
    assert "*Attachments left out: " in message.body


async def test_a_member_starts_a_thread_by_mailing_the_rooms_address(world: World) -> None:
    async with world.db.write() as session:
        await session.execute(update(User).values(email="grace.hopper@leeds.gov.uk"))
    handled = await world.deliver(raw("new-thread.eml"))
    assert handled.outcome == "posted" and handled.thread_id != world.thread.id
    async with world.db.read() as session:
        thread = await session.get(Thread, handled.thread_id)
    assert thread is not None and thread.room_id == world.room.id and not thread.title.lower().startswith(("re:", "fwd:"))
    [message] = await world.messages()
    assert message.body.startswith("Starting a thread for the Leeds list.")
    again = await world.deliver(raw("new-thread.eml"))
    assert again.outcome == "duplicate" and await world.count(Thread) == 2


async def test_room_addresses_refuse_strangers_and_non_members(world: World) -> None:
    stranger = await world.deliver(raw("new-thread.eml"))
    assert stranger.reason == "unknown_sender"
    async with world.db.write() as session:
        await session.execute(update(User).values(email="grace.hopper@leeds.gov.uk"))
        await session.execute(RoomMember.__table__.delete())
        await session.execute(update(Room).values(visibility="open"))
    outsider = await world.deliver(raw("new-thread.eml").replace(b"Message-ID: <", b"Message-ID: <2"))
    assert outsider.reason == "not_member"
    async with world.db.write() as session:
        await session.execute(update(Room).values(visibility="invite"))
    hidden = await world.deliver(raw("new-thread.eml").replace(b"Message-ID: <", b"Message-ID: <3"))
    assert hidden.reason == "unknown_room"
    assert await world.messages() == [] and await world.count(Thread) == 1


def test_titles_lose_reply_prefixes() -> None:
    assert thread_title("Re: Fwd: RE: Parking data", 200) == "Parking data"
    assert thread_title("Ateb: Data", 200) == "Data"
    assert thread_title("  ", 200) == "(no subject)"
    assert thread_title("Re: " + "x" * 300, 50) == "x" * 50


def test_the_note_fits_the_limit() -> None:
    assert with_left_out_note("Hi", ("a_b.pdf",), 100) == "Hi\n\n*Attachments left out: a\\_b\\.pdf*"
    assert with_left_out_note("Hi", ("a" * 200 + ".pdf",), 100) == "Hi\n\n*1 attachment(s) left out.*"
    assert with_left_out_note("x" * 100, ("a.pdf",), 100) == "x" * 100
