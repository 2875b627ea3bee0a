"""Every kind of mail Convene sends, read as the raw bytes a real SMTP server (aiosmtpd
on loopback) received, each brought about through the public doors.

Each mail's header block is checked byte for byte where the RFCs define the syntax
(Message-ID, In-Reply-To, References: RFC 5322; List-Id: RFC 2919; List-Unsubscribe:
RFC 2369; List-Unsubscribe-Post: RFC 8058): never RFC 2047 encoded (a client reads
``=?utf-8?q?=3Chttp...`` as no link, so it offers no unsubscribe button), folded only at
whitespace. The whole message is parsed by the standard library in its strict policy.
Thread-Index is decoded by [MS-OXOMSG] 2.2.1.3 and compared with the thread's own times.
Each body has a text part with no Markdown left in it and an HTML part that passes the
email-client check of ``tests/mail_html.py``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from sqlalchemy import update

from server.http.keys import DATABASE, MAIL, SETTINGS
from server.mail.delivery import inbound_delivery
from server.mail.listener import start_listener
from server.store.models import Message, Thread, User, utcnow

from . import test_notifications
from .mail_html import html_problems
from .test_inbound import smtp_send
from .test_notifications import DOMAIN, Mailroom, cast
from .test_seed_http import upload

# The notification tests' server, people and SMTP inbox, as fixtures here too.
mailroom, smtp = test_notifications.mailroom, test_notifications.smtp

STRUCTURED = ("message-id", "in-reply-to", "references", "list-id", "list-unsubscribe", "list-unsubscribe-post", "thread-index")
MSG_ID = rb"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+>"
THREAD_HEADERS = ("in-reply-to", "references", "thread-index", "thread-topic")
UNSUBSCRIBE = ("list-unsubscribe", "list-unsubscribe-post")
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def fields(raw: bytes) -> dict[str, list[bytes]]:
    """Each header field of the raw message as sent (name, folding and CRLF included), by lower-case name."""
    head = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n"
    found: dict[str, list[bytes]] = {}
    current: list[bytes] = []
    for line in head.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t"):
            current.append(line)
            continue
        if current:
            found.setdefault(current[0].split(b":", 1)[0].decode().lower(), []).append(b"\r\n".join(current) + b"\r\n")
        current = [line]
    found.setdefault(current[0].split(b":", 1)[0].decode().lower(), []).append(b"\r\n".join(current) + b"\r\n")
    return found


def one(raw: bytes, name: str) -> bytes:
    [field] = fields(raw)[name.lower()]
    return field


def unfolded(field: bytes) -> str:
    """The field's value with its folding undone (RFC 5322 3.2.2: remove the CRLFs)."""
    return field.decode("ascii").split(":", 1)[1].replace("\r\n", "").strip()


def check_message(kind: str, raw: bytes) -> EmailMessage:
    """What every outgoing mail must be, whatever its kind."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii(), f"{kind}: 8-bit bytes in the header block"
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), f"{kind}: a line over 998 octets"
    found = fields(raw)
    for name in STRUCTURED:
        for field in found.get(name, []):
            assert len(found[name]) == 1, f"{kind}: {name} twice"
            value = field.split(b":", 1)[1]
            encoded = b"=?" in value and not (name == "list-id" and b"=?" in value.split(b"<")[0])
            assert not encoded, f"{kind}: {name} is RFC 2047 encoded: {field!r}"
            for n, line in enumerate(field.rstrip(b"\r\n").split(b"\r\n")):
                # Folded only at whitespace: a line over 78 is one element that cannot be split
                # (the first line keeps its element beside the field name).
                element = line.split(b": ", 1)[1] if n == 0 else line.strip()
                assert len(line) <= 78 or b" " not in element, f"{kind}: {name} line could have been folded: {line!r}"
    assert one(raw, "Auto-Submitted") == b"Auto-Submitted: auto-generated\r\n"
    assert re.fullmatch(rb"Message-ID: " + MSG_ID + rb"\r\n", one(raw, "Message-ID")), kind

    message = BytesParser(policy=policy.strict).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    assert message.defects == [], (kind, message.defects)
    for name, value in message.items():
        assert getattr(value, "defects", ()) == (), (kind, name, value.defects)
    assert message.get_content_type() == "multipart/alternative", kind
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None and html_part is not None, kind
    text, html = text_part.get_content(), html_part.get_content()
    for markup in ("**", "@**", "](", "<strong", "<p>", "&amp;", "&lt;"):
        assert markup not in text, f"{kind}: {markup!r} in the text part:\n{text}"
    assert html_problems(html) == [], (kind, html_problems(html))
    return message


def filetime(moment: datetime) -> int:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return round((moment - FILETIME_EPOCH).total_seconds() * 10_000_000)


def read_thread_index(field: bytes) -> tuple[int, bytes, list[int]]:
    """[MS-OXOMSG] 2.2.1.3, decoded: the header block's FILETIME (its low 24 bits zero),
    its GUID, and each response level's absolute time."""
    assert re.fullmatch(rb"Thread-Index: [A-Za-z0-9+/]+={0,2}\r\n", field), field
    data = base64.b64decode(field.split(b": ", 1)[1])
    assert len(data) >= 22 and (len(data) - 22) % 5 == 0 and data[0] == 1, data.hex()
    start = int.from_bytes(data[1:6], "big") << 24
    replies = []
    for at in range(22, len(data), 5):
        word = int.from_bytes(data[at : at + 4], "big")
        delta = (word & 0x7FFFFFFF) << (23 if word >> 31 else 18)
        replies.append(start + delta)
    return start, data[6:22], replies


class RawMail:
    """The mail the SMTP server received so far, found by recipient and subject."""

    def __init__(self, room: Mailroom) -> None:
        self.room = room

    async def find(self, to: str, subject: str) -> bytes:
        await self.room.server.app[MAIL].deliver_due()
        matches = [
            raw
            for raw in self.room.inbox.raw
            if (m := BytesParser(policy=policy.default).parsebytes(raw))["To"] == to and re.search(subject, str(m["Subject"]))
        ]
        assert len(matches) == 1, (to, subject, [BytesParser(policy=policy.default).parsebytes(r)["Subject"] for r in self.room.inbox.raw])
        return matches[0]


async def test_every_kind_of_mail_writes_rfc_headers_byte_for_byte(mailroom: Mailroom) -> None:
    room, mail = mailroom, RawMail(mailroom)
    alice, bob, carol, place, thread = await cast(room)  # three confirmations (and the administrator's)
    kinds: dict[str, bytes] = {}
    kinds["confirmation"] = await mail.find("bob@bristol.example", "^Confirm your email address for Convene$")

    # Sign-in link; a change of address (a confirmation to the new one, a notice to the old).
    await bob.post("/api/v1/auth/link", {"email": "bob@bristol.example"}, expect=202)
    kinds["sign-in link"] = await mail.find("bob@bristol.example", "^Your Convene sign-in link$")
    await alice.post("/api/v1/me/email", {"email": "alice.new@camden.example", "current_password": "correct horse battery"}, expect=202)
    kinds["new address confirmation"] = await mail.find("alice.new@camden.example", "^Confirm your new email address")
    kinds["address change notice"] = await mail.find("alice@camden.example", "address is being changed$")

    # An invitation to a room whose title is not ASCII and whose summary is Markdown;
    # an existing account added to it.
    welsh = await alice.create_room("Gofal cymdeithasol: Côr", visibility="invite", summary="Renewing **blue badges** with [GOV.UK](https://www.gov.uk).")
    await alice.post(f"/api/v1/rooms/{welsh['id']}/members", {"emails": ["nia@newcouncil.example"]}, expect=201)
    kinds["invitation"] = await mail.find("nia@newcouncil.example", "invited you to")
    await alice.post(f"/api/v1/rooms/{welsh['id']}/members", {"user_id": carol.id}, expect=201)
    kinds["added to a room"] = await mail.find("carol@dh.example", "added you to Gofal")

    # A request to join, accepted; another, declined.
    looking = await alice.create_room('Housing "repairs"', visibility="invite", looking_for_collaborators=True)
    await bob.post(f"/api/v1/rooms/{looking['id']}/join-requests", {"message": "Bristol has this too.\nAnd Bath."}, expect=201)
    kinds["join request"] = await mail.find("alice@camden.example", "asks to join")
    requests = (await alice.get(f"/api/v1/rooms/{looking['id']}/join-requests"))["join_requests"]
    await alice.post(f"/api/v1/join-requests/{requests[0]['id']}/accept", expect=200)
    kinds["join accepted"] = await mail.find("bob@bristol.example", "^You are now a member of")
    asked = await carol.post(f"/api/v1/rooms/{looking['id']}/join-requests", {}, expect=201)
    await alice.post(f"/api/v1/join-requests/{asked['join_request']['id']}/decline", expect=200)
    kinds["join declined"] = await mail.find("carol@dh.example", "^Your request to join")

    # A seeded workshop: one mail per person listing their rooms (an invitation, a notice).
    await seed_one_room(room, bob)
    kinds["seeded invitation"] = await mail.find("seeded@newplace.example", "invited you to")
    kinds["seeded notice"] = await mail.find("alice@camden.example", "added you to")

    # Notifications: the mail carrying a thread's first message, then a later one; a digest.
    title = "Ceidwaid — which fields?"
    opened = await alice.start_thread(place, title, "Opening words for @**Bob Supplier**: see **this**.")
    started = utcnow() - timedelta(hours=1)  # before its messages, which the test makes five minutes old
    async with room.server.app[DATABASE].write() as session:
        await session.execute(update(Thread).where(Thread.id == opened["id"]).values(created_at=started))
    await room.backdate_messages(301)
    assert await room.settle() == 1
    kinds["notification (first)"] = first = await mail.find("bob@bristol.example", re.escape(f"[DVLA data API] {title}"))
    _, later = await alice.send(opened["id"], "Second:\n\n- **bold** and [the spec](https://example.org/spec)\n\n> quoted", "a-2")
    await room.backdate_messages(301)
    await room.settle()
    later_at = await message_time(room, later["message"]["id"])
    room.inbox.raw.remove(first)
    kinds["notification (later)"] = await mail.find("bob@bristol.example", re.escape(f"[DVLA data API] {title}"))
    await carol.call("PUT", "/api/v1/me/notifications", json={"mode": "digest"}, expect=200)
    await carol.call("PUT", f"/api/v1/threads/{thread['id']}/follow", expect=200)
    await bob.send(thread["id"], "For the **digest**", "b-9")
    await room.backdate_messages(301)
    async with room.server.app[DATABASE].write() as session:
        await session.execute(update(User).where(User.id == carol.id).values(last_digest_at=utcnow().replace(year=2000)))
    await room.settle()
    kinds["digest"] = await mail.find("carol@dh.example", "^Convene daily digest")

    # A refusal explained: a reply too large to take, to the notification's own reply address.
    kinds["refusal explanation"] = await refused_reply(room, first)

    for kind, raw in kinds.items():
        check_message(kind, raw)

    # ---- each kind's own headers, byte for byte ----
    plain = ("confirmation", "sign-in link", "new address confirmation", "address change notice", "refusal explanation")
    for kind in plain:
        present = set(fields(kinds[kind]))
        assert not present & {"list-id", *UNSUBSCRIBE, *THREAD_HEADERS}, (kind, present)
    for kind in ("invitation", "added to a room"):
        field = one(kinds[kind], "List-Id")
        encoded_words = rb"List-Id: (?:=\?utf-8\?[bq]\?[^?\s]+\?=(?:\r\n)? )+<"
        assert re.fullmatch(encoded_words + welsh["slug"].encode() + rb"\.convene\.example>\r\n", field), field
        assert str(make_header(decode_header(unfolded(field).rsplit(" <", 1)[0]))) == "Gofal cymdeithasol: Côr"
    for kind in ("join request", "join accepted", "join declined"):
        assert one(kinds[kind], "List-Id") == b'List-Id: "Housing \\"repairs\\"" <' + looking["slug"].encode() + b".convene.example>\r\n"
    for kind in ("seeded invitation", "seeded notice"):
        assert one(kinds[kind], "List-Id") == b"List-Id: Parking permits API <parking-permits-api.convene.example>\r\n"
    room_mail = ("invitation", "added to a room", "join request", "join accepted", "join declined", "seeded invitation", "seeded notice")
    for kind in (*plain, *room_mail):
        assert not set(fields(kinds[kind])) & {*UNSUBSCRIBE, *THREAD_HEADERS}, kind

    root = f"<thread-{opened['id']}@{DOMAIN}>".encode()
    indexes = []
    for kind in ("notification (first)", "notification (later)"):
        raw = kinds[kind]
        assert one(raw, "In-Reply-To") == b"In-Reply-To: " + root + b"\r\n"
        assert one(raw, "References") == b"References: " + root + b"\r\n"
        assert one(raw, "List-Id") == f"List-Id: DVLA data API <dvla-data-api.{DOMAIN}>\r\n".encode()
        assert one(raw, "List-Unsubscribe-Post") == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        token = re.search(r"/unsubscribe\?token=([\w.-]+)\)", check_message(kind, raw).get_body(("plain",)).get_content())  # type: ignore[union-attr]
        assert token is not None
        expected = (
            f"List-Unsubscribe: <http://convene.example/api/v1/unsubscribe?token={token.group(1)}>,\r\n"
            f" <mailto:unsubscribe@{DOMAIN}?subject=unsubscribe%20{token.group(1)}>\r\n"
        )
        assert one(raw, "List-Unsubscribe") == expected.encode()
        own_id = rb"Message-ID: <thread-" + str(opened["id"]).encode() + rb"\.seq-\d+\.[a-z2-7]{10}@convene\.example>\r\n"
        assert re.fullmatch(own_id, one(raw, "Message-ID"))
        assert str(BytesParser(policy=policy.default).parsebytes(raw)["Thread-Topic"]) == title
        indexes.append(read_thread_index(one(raw, "Thread-Index")))
    (start, guid, replies), (start2, guid2, replies2) = indexes
    assert (start, guid) == (start2, guid2)  # one conversation, one root
    assert replies == [] and len(replies2) == 1  # the first message's mail is the root
    assert 0 <= filetime(started) - start < 1 << 24  # the thread's start, its 40 high bits kept
    assert 0 <= filetime(later_at) - replies2[0] < 1 << 18  # the newest message's time, to the precision kept
    digest = kinds["digest"]
    assert one(digest, "List-Id") == f"List-Id: Convene daily digest <digest.{DOMAIN}>\r\n".encode()
    digest_text = check_message("digest", digest).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    all_token = re.search(r"Stop all Convene emails: \S+token=([\w.-]+)", digest_text)
    assert all_token is not None and all_token.group(1).split(".")[1] == "all"
    assert one(digest, "List-Unsubscribe") == (
        f"List-Unsubscribe: <http://convene.example/api/v1/unsubscribe?token={all_token.group(1)}>,\r\n"
        f" <mailto:unsubscribe@{DOMAIN}?subject=unsubscribe%20{all_token.group(1)}>\r\n"
    ).encode()
    assert not set(fields(digest)) & set(THREAD_HEADERS)  # a digest spans threads: no one conversation

    # ---- the words: plain text that reads well ----
    def text_of(kind: str) -> str:
        return str(check_message(kind, kinds[kind]).get_body(("plain",)).get_content()).replace("\r\n", "\n")  # type: ignore[union-attr]

    assert "Opening words for @Bob Supplier: see this." in text_of("notification (first)")
    later_text = text_of("notification (later)")
    assert "Second:\n\n- bold and the spec (https://example.org/spec)\n\n> quoted" in later_text
    assert "Renewing blue badges with GOV.UK (https://www.gov.uk)." in text_of("invitation")
    assert "> Bristol has this too.\n> And Bath." in text_of("join request")  # their own words, quoted as written
    assert "For the digest" in text_of("digest")


async def message_time(room: Mailroom, message_id: int) -> datetime:
    async with room.server.app[DATABASE].read() as session:
        stored = await session.get(Message, message_id)
        assert stored is not None
        return stored.created_at


async def seed_one_room(room: Mailroom, bob: Any) -> None:
    """Bob, made facilitator, seeds one room with a new person and Alice in it."""
    people = room.people
    ada = await people.signin("ada@localdigital.example", "correct horse battery")
    await ada.call("PATCH", f"/api/v1/users/{bob.id}", json={"role": "facilitator"}, expect=200)
    data = (
        "Concept,Summary,Stage,Participants\r\n"
        'Parking permits API,"One **API** for permits.",Discovery,seeded@newplace.example; alice@camden.example\r\n'
    ).encode()
    _, preview = await upload(bob, "preview", data, "raw-headers-day.csv")
    await upload(bob, "apply", data, "raw-headers-day.csv", preview=preview["preview"])


async def refused_reply(room: Mailroom, notification: bytes) -> bytes:
    """A reply too long to post, to the notification's reply address, over the SMTP door."""
    reply_to = BytesParser(policy=policy.default).parsebytes(notification)["Reply-To"].addresses[0].addr_spec
    url = str(room.server.make_url("")).rstrip("/")
    settings = replace(room.server.app[SETTINGS], inbound_handoff_url=url)
    body = ("x" * 70 + "\r\n") * 600
    message = (
        f"From: Dora <dora@camden.example>\r\nTo: <{reply_to}>\r\nSubject: Re: big\r\nMessage-ID: <big@camden.example>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode()
    async with inbound_delivery(settings) as deliver:
        listener = await start_listener(deliver, settings, "127.0.0.1", 0)
        try:
            code, answer = await smtp_send(listener.sockets[0].getsockname()[1], message, "dora@camden.example", [reply_to])
            assert code == 250 and "refused" in answer  # too long to post: refused, and the sender told why
        finally:
            listener.close()
            await listener.wait_closed()
    return await RawMail(room).find("dora@camden.example", "^Not posted: Re: big$")
