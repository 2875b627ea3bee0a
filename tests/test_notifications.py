"""Outbound notification emails through the real server: who gets one, when, what it
says and carries, over a real SMTP conversation on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any, AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from aiosmtpd.controller import Controller
from sqlalchemy import update

from server.domain import reply_addresses
from server.http.keys import DATABASE, MAIL, NOTIFIER
from server.store.models import Message, User, utcnow

from .loopback import free_port
from .people import Person, PersonFactory
from .test_mail import Inbox

DOMAIN = "convene.example"


@pytest.fixture
def smtp() -> Any:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


class Mailroom:
    """The server, its people and the SMTP inbox, with one step to run the notifier."""

    def __init__(self, server: TestServer, people: PersonFactory, inbox: Inbox) -> None:
        """Stops the background notifier: each test says when a pass runs (``settle``)."""
        self.server = server
        self.people = people
        self.inbox = inbox

    async def quiet(self) -> None:
        await self.server.app[NOTIFIER].stop()

    async def settle(self) -> int:
        """Run the notifier and the deliverer once now; how many emails were queued."""
        queued = await self.server.app[NOTIFIER].run_due()
        await self.server.app[MAIL].deliver_due()
        return queued

    async def signup(self, email: str, name: str, organisation: str) -> Person:
        """A confirmed account, its confirmation link read from the SMTP inbox."""
        person = await self.people.signup(email, name, organisation)
        for _ in range(250):
            await self.server.app[MAIL].deliver_due()
            mails = [m for m in self.inbox.messages if m["To"] == email]
            if mails:
                break
            await asyncio.sleep(0.02)
        found = re.search(r"/confirm\?token=([A-Za-z0-9_\-]+)", mails[-1].get_body(("plain",)).get_content())
        assert found is not None
        await person.post("/api/v1/auth/confirm", {"token": found.group(1)}, expect=200)
        person.user = (await person.get("/api/v1/me"))["user"]
        return person

    def to(self, person: Person) -> list[EmailMessage]:
        return [m for m in self.inbox.messages if m["To"] == person.user["email"]]

    async def backdate_messages(self, seconds: float) -> None:
        async with self.server.app[DATABASE].write() as session:
            await session.execute(update(Message).values(created_at=utcnow() - timedelta(seconds=seconds)))


@pytest.fixture
async def mailroom(start_server: Any, settings: Any, smtp: Any) -> AsyncIterator[Mailroom]:
    inbox, port = smtp
    server = await start_server(
        settings,
        smtp_url=f"smtp://127.0.0.1:{port}",
        mail_domain=DOMAIN,
        mail_from=f"Convene <convene@{DOMAIN}>",
        public_url="http://convene.example",  # https would make cookies Secure on plain loopback
        notify_delay_seconds=300,
    )
    people = PersonFactory(server, settings)
    room = Mailroom(server, people, inbox)
    await room.quiet()
    yield room
    await people.close()


async def cast(room: Mailroom) -> tuple[Person, Person, Person, dict[str, Any], dict[str, Any]]:
    """Alice's room and thread (she follows it), Bob and Carol members; no mail yet."""
    people = room.people
    await people.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital")
    alice = await room.signup("alice@camden.example", "Alice Officer", "Camden Council")
    bob = await room.signup("bob@bristol.example", "Bob Supplier", "Bristol City Council")
    carol = await room.signup("carol@dh.example", "Carol Policy", "Department of Health")
    place = await alice.create_room("DVLA data API")
    for person in (bob, carol):
        await person.post(f"/api/v1/rooms/{place['id']}/join", expect=200)
    thread = await alice.start_thread(place, "Which keeper fields?")
    await room.server.app[MAIL].deliver_due()
    room.inbox.messages.clear()  # the confirmation emails
    return alice, bob, carol, place, thread


async def test_a_followed_thread_mails_one_email_with_every_header(mailroom: Mailroom) -> None:
    alice, bob, carol, place, thread = await cast(mailroom)
    _, first = await bob.send(thread["id"], "Camden needs **keeper address**.", "b-1")
    _, second = await bob.send(thread["id"], "And the VRM <b>too</b>.", "b-2")
    assert await mailroom.settle() == 0  # the delay has not passed
    await mailroom.backdate_messages(301)
    assert await mailroom.settle() == 1
    [mail] = mailroom.to(alice)
    assert mailroom.inbox.messages == [mail]  # Bob wrote them; Carol follows nothing

    sender = mail["From"].addresses[0]
    assert sender == Address("Bob Supplier (Bristol City Council) via Convene", addr_spec=f"convene@{DOMAIN}")
    assert mail["Subject"] == "[DVLA data API] Which keeper fields?"
    assert re.fullmatch(rf"<[^<>@\s]+@{re.escape(DOMAIN)}>", mail["Message-ID"])
    assert mail["In-Reply-To"] == f"<thread-{thread['id']}@{DOMAIN}>" == mail["References"]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["List-Id"] == f"DVLA data API <dvla-data-api.{DOMAIN}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", mail["List-Unsubscribe"])
    assert https.startswith("http://convene.example/api/v1/unsubscribe?token=") and mailto.startswith(f"mailto:unsubscribe@{DOMAIN}")
    assert mail["Date"]

    [reply_to] = mail["Reply-To"].addresses
    token = re.fullmatch(rf"reply\+([a-z2-7]{{26}})@{re.escape(DOMAIN)}", reply_to.addr_spec)
    assert token is not None
    async with mailroom.server.app[DATABASE].read() as session:
        resolved = await reply_addresses.resolve(session, token.group(1))
    assert resolved is not None and (resolved.user.id, resolved.thread.id) == (alice.id, thread["id"])

    text = mail.get_body(("plain",)).get_content()
    # Plain words in the text part: no Markdown left to decode; what was typed as HTML stays literal.
    assert "Camden needs keeper address." in text and "**" not in text and "And the VRM <b>too</b>." in text
    assert "Bob Supplier (Bristol City Council) wrote at" in text
    for message in (first["message"], second["message"]):
        assert f"http://convene.example/r/dvla-data-api/t/{thread['id']}/m/{message['id']}" in text
    html = mail.get_body(("html",)).get_content()
    assert '<html lang="en">' in html and re.search(r"<h1[^>]*>Which keeper fields\?</h1>", html)
    assert "<strong>keeper address</strong>" in html and "&lt;b&gt;too&lt;/b&gt;" in html
    assert "Bob Supplier (Bristol City Council)" in html and "<time datetime=" in html

    # Nothing more until something new; then only the new message.
    assert await mailroom.settle() == 0
    await bob.send(thread["id"], "One more thing.", "b-3")
    await mailroom.backdate_messages(301)
    assert await mailroom.settle() == 1
    later = mailroom.to(alice)[-1].get_body(("plain",)).get_content()
    assert "One more thing." in later and "keeper address" not in later


async def test_one_click_unsubscribe_works_without_signing_in(mailroom: Mailroom) -> None:
    alice, bob, carol, place, thread = await cast(mailroom)
    await bob.send(thread["id"], "First", "b-1")
    await mailroom.backdate_messages(301)
    await mailroom.settle()
    [mail] = mailroom.to(alice)
    https = re.findall(r"<([^>]+)>", mail["List-Unsubscribe"])[0]
    path = urlsplit(https).path + "?" + urlsplit(https).query
    anonymous = mailroom.people.new_session()  # no cookie, no Origin: as a mail provider posts
    async with anonymous.get(path) as r:
        assert r.status == 200
        assert await r.json() == {"scope": "thread", "done": False, "thread_title": "Which keeper fields?", "room_title": "DVLA data API"}
    async with anonymous.post(path, data="List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}) as r:
        assert r.status == 200, await r.text()
        answer = await r.json()
        await mailroom.people.check_answer("POST", "/api/v1/unsubscribe", r.status, answer)
    assert answer["done"] is True and answer["scope"] == "thread"
    assert (await alice.get(f"/api/v1/threads/{thread['id']}/mute")) == {"thread_id": thread["id"], "muted": True}
    await bob.send(thread["id"], "Second", "b-2")
    await mailroom.backdate_messages(301)
    assert await mailroom.settle() == 0

    # A forged or altered token changes nothing.
    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    async with anonymous.post(forged) as r:
        assert r.status == 400 and (await r.json())["error"]["field"] == "token"

    # "Stop all Convene emails" sets the mode to never.
    all_link = re.search(r"Stop all Convene emails: (\S+)", mail.get_body(("plain",)).get_content())
    assert all_link is not None
    token = all_link.group(1).split("token=")[1]
    async with anonymous.post(f"/api/v1/unsubscribe?token={token}") as r:
        assert r.status == 200 and (await r.json())["scope"] == "all"
    assert (await alice.get("/api/v1/me/notifications"))["mode"] == "never"


async def test_nothing_for_messages_read_in_the_browser_before_the_delay(start_server: Any, settings: Any, smtp: Any) -> None:
    inbox, port = smtp
    server = await start_server(settings, smtp_url=f"smtp://127.0.0.1:{port}", mail_domain=DOMAIN, notify_delay_seconds=5)
    room = Mailroom(server, PersonFactory(server, settings), inbox)
    await room.quiet()
    try:
        alice, bob, carol, place, thread = await cast(room)
        await carol.call("PUT", f"/api/v1/threads/{thread['id']}/follow", expect=200)
        _, posted = await bob.send(thread["id"], "Are you there?", "b-1")
        assert await room.settle() == 0  # not five seconds old yet
        await alice.call("PUT", f"/api/v1/threads/{thread['id']}/read", json={"seq": posted["message"]["seq"]}, expect=200)
        await room.backdate_messages(6)  # the delay has passed
        assert await room.settle() == 1
        assert room.to(alice) == [] and len(room.to(carol)) == 1
    finally:
        await room.people.close()


async def test_mentions_own_deleted_each_and_never(mailroom: Mailroom) -> None:
    alice, bob, carol, place, thread = await cast(mailroom)
    # Carol is mentioned (which makes her follow), then stops following: the mention still counts.
    await bob.send(thread["id"], "Over to you @**Carol Policy**", "b-1")
    await carol.call("DELETE", f"/api/v1/threads/{thread['id']}/follow", expect=200)
    await alice.call("PUT", "/api/v1/me/notifications", json={"mode": "never"}, expect=200)
    await mailroom.backdate_messages(301)
    assert await mailroom.settle() == 1
    [mention] = mailroom.to(carol)
    assert "Over to you @Carol Policy" in mention.get_body(("plain",)).get_content()
    assert "@**" not in mention.get_body(("plain",)).get_content()
    assert mailroom.to(alice) == []  # never

    # Not following, not mentioned: nothing for Carol. Alice wants each message, at once.
    mode = await alice.call("PUT", "/api/v1/me/notifications", json={"mode": "each"}, expect=200)
    assert mode[1] == {"mode": "each", "delay_seconds": 300}
    await alice.send(thread["id"], "My own words", "a-1")  # (posting moves her read marker past it)
    await bob.send(thread["id"], "Just for the followers", "b-2")
    _, deleted = await bob.send(thread["id"], "Oops, wrong thread", "b-3")
    await bob.call("DELETE", f"/api/v1/messages/{deleted['message']['id']}", expect=200)
    assert await mailroom.settle() == 1
    [each] = mailroom.to(alice)
    text = each.get_body(("plain",)).get_content()
    assert "Just for the followers" in text and "Oops" not in text and "My own words" not in text
    assert len(mailroom.to(carol)) == 1


async def test_daily_digest_covers_every_thread_once_a_day(mailroom: Mailroom) -> None:
    alice, bob, carol, place, thread = await cast(mailroom)
    other = await alice.start_thread(place, "Data sharing agreement")
    assert (await alice.call("PUT", "/api/v1/me/notifications", json={"mode": "digest"}, expect=200))[1]["mode"] == "digest"
    assert (await alice.get("/api/v1/me/notifications"))["mode"] == "digest"
    await bob.send(thread["id"], "About keeper fields", "b-1")
    await bob.send(other["id"], "About the agreement", "b-2")
    await mailroom.backdate_messages(301)
    assert await mailroom.settle() == 0  # the digest's day began when Alice chose it
    async with mailroom.server.app[DATABASE].write() as session:
        await session.execute(update(User).where(User.id == alice.id).values(last_digest_at=utcnow() - timedelta(hours=25)))
    assert await mailroom.settle() == 1
    [digest] = mailroom.to(alice)
    assert digest["Subject"] == "Convene daily digest: 2 new messages"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = digest.get_body(("plain",)).get_content()
    assert "[DVLA data API] Which keeper fields?" in text and "About keeper fields" in text
    assert "[DVLA data API] Data sharing agreement" in text and "About the agreement" in text
    assert await mailroom.settle() == 0  # once a day


async def test_settings_refuse_an_unknown_mode_and_a_hidden_thread(mailroom: Mailroom) -> None:
    alice, bob, carol, place, thread = await cast(mailroom)
    status, data = await alice.call("PUT", "/api/v1/me/notifications", json={"mode": "sometimes"})
    assert status == 400 and data["error"]["field"] == "mode"
    secret = await alice.create_room("Private", visibility="invite")
    hidden = await alice.start_thread(secret, "Hidden")
    status, _ = await bob.call("PUT", f"/api/v1/threads/{hidden['id']}/mute")
    assert status == 404
    assert (await bob.call("PUT", f"/api/v1/threads/{thread['id']}/mute", expect=200))[1] == {"thread_id": thread["id"], "muted": True}
    assert (await bob.call("DELETE", f"/api/v1/threads/{thread['id']}/mute", expect=200))[1]["muted"] is False
    async with aiohttp.ClientSession(base_url=mailroom.people.url) as anonymous:
        async with anonymous.get("/api/v1/me/notifications") as r:
            assert r.status == 401


async def test_in_development_each_mail_is_logged_with_its_links_unencoded(
    start_server: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = await start_server(settings, notify_delay_seconds=0)  # no SMTP_URL: .eml files
    await server.app[NOTIFIER].stop()
    people = PersonFactory(server, settings)
    try:
        with caplog.at_level("INFO", logger="server.mail.deliverer"):
            await people.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital")
            alice = await people.signup("alice@camden.example", "Alice Officer", "Camden Council", confirm=True)
            bob = await people.signup("bob@bristol.example", "Bob Supplier", "Bristol City Council", confirm=True)
            place = await alice.create_room("Logged")
            thread = await alice.start_thread(place, "Links")
            await bob.post(f"/api/v1/rooms/{place['id']}/join", expect=200)
            await bob.send(thread["id"], "Hello", "b-1")
            assert await server.app[NOTIFIER].run_due() == 1
            await server.app[MAIL].deliver_due()
        logged = "\n".join(r.getMessage() for r in caplog.records)
        token = await people.mailed_token("bob@bristol.example", "/confirm?token=")
        link = f"{settings.public_url}/confirm?token={token}"
        confirm = f"mail to bob@bristol.example: Confirm your email address for Convene\n  link: {link}"
        assert confirm in logged
        assert "mail to alice@camden.example: [Logged] Links" in logged
        assert f"  link: {settings.public_url}/r/logged/t/{thread['id']}/m/" in logged
        assert re.search(r"  reply to: reply\+[a-z2-7]{26}@", logged)
    finally:
        await people.close()
