"""Notifications across restarts and processes: what fell due while the server was
stopped goes out once after it starts, and two processes never mail the same thing."""

from __future__ import annotations

import asyncio
import email
from datetime import timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from server.http.keys import DATABASE, NOTIFIER
from server.store.models import OutboundMail, User, utcnow

from .people import Person, PersonFactory

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


def notifications_to(outbox: Path, address: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(outbox.glob("*.eml")):
        mail = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if mail["To"] == address and str(mail["Subject"]).startswith("["):
            found.append(mail)
    return found  # type: ignore[return-value]


async def members(people: PersonFactory) -> tuple[Person, Person, Person]:
    await people.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital")
    alice = await people.signup("alice@camden.example", "Alice Officer", "Camden Council", confirm=True)
    bob = await people.signup("bob@bristol.example", "Bob Supplier", "Bristol City Council", confirm=True)
    carol = await people.signup("carol@dh.example", "Carol Policy", "Department of Health", confirm=True)
    return alice, bob, carol


async def test_notifications_due_while_stopped_go_out_once_after_start(start_server: Any, settings: Any) -> None:
    first = await start_server(settings, notify_delay_seconds=1)
    await first.app[NOTIFIER].stop()  # as if the server went down before the delay passed
    people = PersonFactory(first, settings)
    try:
        alice, bob, _ = await members(people)
        room = await alice.create_room("Restarts")
        thread = await alice.start_thread(room, "While you were away")
        await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
        await bob.send(thread["id"], "Posted just before the stop", "b-1")
    finally:
        await people.close()
    await first.close()
    await asyncio.sleep(1.1)  # due now, and nobody running

    second = await start_server(settings, notify_delay_seconds=1)
    for _ in range(500):  # the pass at start queues it; the deliverer writes it
        if notifications_to(settings.outbox_dir, "alice@camden.example"):
            break
        await asyncio.sleep(0.02)
    [mail] = notifications_to(settings.outbox_dir, "alice@camden.example")
    assert mail["Subject"] == "[Restarts] While you were away"
    await second.close()

    third = await start_server(settings, notify_delay_seconds=1)
    assert await third.app[NOTIFIER].run_due() == 0
    assert len(notifications_to(settings.outbox_dir, "alice@camden.example")) == 1


async def test_two_processes_mail_each_due_thread_and_digest_once(start_server: Any, settings: Any) -> None:
    one = await start_server(settings, notify_delay_seconds=0)
    two = await start_server(settings, notify_delay_seconds=0)
    for server in (one, two):
        await server.app[NOTIFIER].stop()
    people = PersonFactory(one, settings)
    try:
        alice, bob, carol = await members(people)
        room = await alice.create_room("Contention")
        await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
        await carol.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
        threads = [await alice.start_thread(room, f"Thread {n}") for n in range(6)]
        for thread in threads:
            await carol.call("PUT", f"/api/v1/threads/{thread['id']}/follow", expect=200)
            await bob.send(thread["id"], f"News in {thread['title']}", f"b-{thread['id']}")
        await carol.call("PUT", "/api/v1/me/notifications", json={"mode": "digest"}, expect=200)
        async with one.app[DATABASE].write() as session:  # Carol's day is over
            await session.execute(update(User).where(User.id == carol.id).values(last_digest_at=utcnow() - timedelta(days=2)))
        queued = await asyncio.gather(*(server.app[NOTIFIER].run_due() for server in (one, two, one, two)))
        assert sum(queued) == 7  # Alice: six threads, once each; Carol: one digest of six
        assert await one.app[NOTIFIER].run_due() == 0 and await two.app[NOTIFIER].run_due() == 0
        async with one.app[DATABASE].read() as session:
            count = await session.scalar(select(func.count()).select_from(OutboundMail).where(OutboundMail.reply_to.is_not(None)))
        assert count == 6
        async with one.app[DATABASE].read() as session:
            digest = OutboundMail.subject.startswith("Convene daily")
            digests = await session.scalar(select(func.count()).select_from(OutboundMail).where(digest))
        assert digests == 1
    finally:
        await people.close()
