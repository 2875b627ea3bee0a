"""The inbound doors end to end on the real server: the signed webhook, the SMTP listener
(real SMTP conversations with aiosmtplib on loopback), the pipe command as a real
subprocess, and the administrators' record. Replies land in the thread and reach a
subscribed Socket.IO client; hostile mail is refused, recorded, and posts nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, AsyncIterator

import aiosmtplib
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from server.config import Settings
from server.domain import reply_addresses
from server.domain.notification_settings import unsubscribe_token
from server.http.keys import DATABASE, SETTINGS, TRANSACTIONS
from server.mail.delivery import inbound_delivery
from server.mail.handoff import HandOff, WebAsksRetry, handoff_key, signature
from server.mail.listener import start_listener
from server.store.models import InboundMail, Message, OutboundMail

from .loopback import free_port
from .mail.inbox import AUTHSERV_ID, DOMAIN, TOKEN, raw
from .people import Person, PersonFactory

ROOT = Path(__file__).resolve().parent.parent
SECRET = "webhook-secret-0123456789"
PATH = "/api/v1/inbound-mail"


@pytest.fixture
async def server(start_server: Any, settings: Settings) -> TestServer:
    """The real app with the webhook enabled, for the corpus's domain and trusted authserv-id."""
    return await start_server(
        settings, inbound_webhook_secret=SECRET, mail_domain=DOMAIN, mail_authserv_id=AUTHSERV_ID, inbound_max_bytes=32 * 1024
    )


async def thread_with_token(person: Person, server: TestServer) -> tuple[dict[str, Any], dict[str, Any], str]:
    room = await person.create_room("DVLA data API", visibility="invite")
    thread = await person.start_thread(room, "Which keeper fields?", "What does each council request today?")
    async with server.app[TRANSACTIONS].begin() as tx:
        token = await reply_addresses.issue(tx, person.id, thread["id"])
    return room, thread, token


def reply(token: str, sender: str, body: str = "Keeper name and VRM, please.", message_id: str = "<r1@camden.example>") -> bytes:
    return (
        f"From: Someone <{sender}>\r\nTo: <reply+{token}@{DOMAIN}>\r\nSubject: Re: [DVLA data API] Which keeper fields?\r\n"
        f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


async def post_webhook(
    people: PersonFactory, body: bytes, *, key: str = SECRET, stamp: int | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    stamp = int(time.time()) if stamp is None else stamp
    sent = {
        "Content-Type": "message/rfc822",
        "X-Convene-Timestamp": str(stamp),
        "X-Convene-Signature": signature(key, stamp, body),
        **(headers or {}),
    }
    async with people.new_session().post(PATH, data=body, headers=sent) as response:
        data = await response.json()
        await people.check_answer("POST", PATH, response.status, data)
        return response.status, data


async def records(server: TestServer) -> list[InboundMail]:
    async with server.app[DATABASE].read() as session:
        return list(await session.scalars(select(InboundMail).order_by(InboundMail.id)))


async def bodies(server: TestServer, thread_id: int) -> list[str]:
    async with server.app[DATABASE].read() as session:
        return list(await session.scalars(select(Message.body).where(Message.thread_id == thread_id).order_by(Message.seq)))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_a_signed_webhook_reply_posts_live_and_once(server: TestServer, people: PersonFactory, alice: Person) -> None:
    room, thread, token = await thread_with_token(alice, server)
    sock = await alice.socket()
    await sock.subscribe({room["id"]: room["last_seq"] + 1})
    status, answer = await post_webhook(people, reply(token, alice.user["email"]))
    assert status == 200 and answer["outcome"] == "posted" and answer["thread_id"] == thread["id"]
    [event] = await sock.wait_for("message.created")
    assert event["message"]["body"] == "Keeper name and VRM, please." and event["message"]["id"] == answer["message_id"]
    again = await post_webhook(people, reply(token, alice.user["email"]))
    assert again[1]["outcome"] == "duplicate" and again[1]["message_id"] == answer["message_id"]
    assert await bodies(server, thread["id"]) == ["What does each council request today?", "Keeper name and VRM, please."]
    assert [(r.door, r.outcome) for r in await records(server)] == [("webhook", "posted"), ("webhook", "duplicate")]
    forged = await post_webhook(
        people, reply(token, alice.user["email"], message_id="<other@x>"), headers={"X-Convene-Envelope-From": "mallory@evil.example"}
    )
    assert (forged[1]["outcome"], forged[1]["reason"]) == ("refused", "wrong_sender")


async def test_bad_or_old_signatures_are_refused_and_record_nothing(server: TestServer, people: PersonFactory, alice: Person) -> None:
    _, thread, token = await thread_with_token(alice, server)
    message = reply(token, alice.user["email"])
    assert (await post_webhook(people, message, key="another-secret-0123456789"))[0] == 401
    assert (await post_webhook(people, message, stamp=int(time.time()) - 600))[0] == 403
    assert (await post_webhook(people, message, headers={"X-Convene-Signature": "sha256=00"}))[0] == 401
    tampered = dict(
        {"X-Convene-Signature": signature(SECRET, int(time.time()), message)}, **{"X-Convene-Envelope-From": alice.user["email"]}
    )
    assert (await post_webhook(people, message + b"more", headers=tampered))[0] == 401
    async with people.new_session().post(PATH, data=message, headers={"Content-Type": "message/rfc822"}) as response:
        assert response.status == 401
    assert await records(server) == [] and len(await bodies(server, thread["id"])) == 1


async def test_a_message_beyond_the_json_body_limit_is_read_and_recorded_too_large(
    server: TestServer, people: PersonFactory, alice: Person
) -> None:
    _, thread, token = await thread_with_token(alice, server)
    status, answer = await post_webhook(people, reply(token, alice.user["email"], body=("y" * 70 + "\r\n") * 5000))
    assert status == 200 and (answer["outcome"], answer["reason"]) == ("refused", "too_large")
    assert len(await bodies(server, thread["id"])) == 1


async def test_without_a_secret_the_webhook_is_not_there(start_server: Any, settings: Settings) -> None:
    server = await start_server(settings, mail_domain=DOMAIN)
    people = PersonFactory(server, settings)
    try:
        status, answer = await post_webhook(people, reply(TOKEN, "ada@camden.example"))
        assert status == 404 and answer["error"]["code"] == "not_found"
        # Convene's own mail processes still hand mail over, signed with the key derived from SECRET_KEY.
        status, answer = await post_webhook(
            people, reply(TOKEN, "ada@camden.example"), key=handoff_key(settings.secret_key), headers={"X-Convene-Door": "pipe"}
        )
        assert status == 200 and answer["reason"] == "reply_address_unknown"
    finally:
        await people.close()


async def test_the_record_is_for_administrators_newest_first_and_filtered(
    server: TestServer, people: PersonFactory, admin: Person, alice: Person
) -> None:
    _, _, token = await thread_with_token(alice, server)
    await post_webhook(people, reply(token, alice.user["email"]))
    await post_webhook(people, reply("a" * 26, alice.user["email"], message_id="<forged@camden.example>"))
    await post_webhook(people, reply(token, "mallory@evil.example", message_id="<m@evil.example>"))
    page = await admin.get("/api/v1/admin/inbound-mail")
    assert [(r["outcome"], r["reason"]) for r in page["records"]] == [
        ("refused", "wrong_sender"),
        ("refused", "reply_address_unknown"),
        ("posted", ""),
    ]
    assert token not in str(page) and page["has_more"] is False
    refused = await admin.get("/api/v1/admin/inbound-mail?outcome=refused&limit=1")
    assert [r["reason"] for r in refused["records"]] == ["wrong_sender"] and refused["has_more"] is True
    older = await admin.get(f"/api/v1/admin/inbound-mail?outcome=refused&limit=1&before={refused['records'][0]['id']}")
    assert [r["reason"] for r in older["records"]] == ["reply_address_unknown"]
    await alice.get("/api/v1/admin/inbound-mail", expect=403)


# --- SMTP -----------------------------------------------------------------------------


@pytest.fixture
async def smtp_port(server: TestServer, settings: Settings) -> AsyncIterator[int]:
    """The listener started in-process on a free port, handing mail to the running web
    server's webhook as ``mail-listen`` does without Redis."""
    url = str(server.make_url("")).rstrip("/")
    listener_settings = replace(server.app[SETTINGS], inbound_handoff_url=url)
    async with inbound_delivery(listener_settings) as deliver:
        listener = await start_listener(deliver, listener_settings, "127.0.0.1", 0)
        yield listener.sockets[0].getsockname()[1]
        listener.close()
        await listener.wait_closed()


async def smtp_send(port: int, message: bytes, sender: str, recipients: list[str]) -> tuple[int, str]:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=10)
    await client.connect()
    try:
        errors, answer = await client.sendmail(sender, recipients, message)
        assert errors == {}
        return 250, answer
    except aiosmtplib.SMTPResponseException as error:
        return error.code, error.message
    finally:
        await client.quit()


async def test_a_reply_over_smtp_lands_in_the_thread_and_over_socketio(
    server: TestServer, people: PersonFactory, alice: Person, smtp_port: int
) -> None:
    room, thread, token = await thread_with_token(alice, server)
    sock = await alice.socket()
    await sock.subscribe({room["id"]: room["last_seq"] + 1})
    message = (
        raw("outlook-desktop.eml").replace(TOKEN.encode(), token.encode()).replace(b"Ada.Lovelace@camden.gov.uk", b"alice@camden.example")
    )
    code, answer = await smtp_send(smtp_port, message, "alice@camden.example", [f"reply+{token}@{DOMAIN}"])
    assert code == 250 and "posted" in answer
    [event] = await sock.wait_for("message.created")
    assert event["message"]["thread_id"] == thread["id"] and event["message"]["body"].startswith("Hi all,\n\nCamden needs three fields")
    code, answer = await smtp_send(smtp_port, message, "alice@camden.example", [f"reply+{token}@{DOMAIN}"])
    assert code == 250 and "duplicate" in answer
    assert len(await bodies(server, thread["id"])) == 2
    assert [(r.door, r.outcome) for r in await records(server)] == [("smtp", "posted"), ("smtp", "duplicate")]


async def test_smtp_refuses_hostile_mail_with_reasons_and_explains_only_where_allowed(
    server: TestServer, people: PersonFactory, alice: Person, bob: Person, smtp_port: int
) -> None:
    room, thread, token = await thread_with_token(alice, server)
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": bob.id}, expect=201)
    async with server.app[TRANSACTIONS].begin() as tx:
        bobs = await reply_addresses.issue(tx, bob.id, thread["id"])
        expired = await reply_addresses.issue(tx, alice.id, thread["id"], days=0)
    alice_mail, to = alice.user["email"], f"reply+{token}@{DOMAIN}"

    def corpus(name: str, replace_from: bytes = b"ada.lovelace@camden.gov.uk") -> bytes:
        return raw(name).replace(TOKEN.encode(), token.encode()).replace(replace_from, alice_mail.encode())

    cases = [
        ("forged token", reply("b" * 26, alice_mail, message_id="<1@x>"), alice_mail, f"reply+{'b' * 26}@{DOMAIN}", 250),
        ("another person's token", reply(bobs, alice_mail, message_id="<2@x>"), alice_mail, f"reply+{bobs}@{DOMAIN}", 250),
        ("expired token", reply(expired, alice_mail, message_id="<3@x>"), alice_mail, f"reply+{expired}@{DOMAIN}", 250),
        ("wrong sender", reply(token, "mallory@evil.example", message_id="<4@x>"), "mallory@evil.example", to, 250),
        ("dmarc fail", corpus("dmarc-fail-trusted.eml"), alice_mail, to, 250),
        ("out of office", corpus("automatic-reply-outlook.eml"), alice_mail, to, 250),
        ("bounce", corpus("bounce-null-sender.eml"), "", to, 250),
        ("oversized", reply(token, alice_mail, body=("x" * 70 + "\r\n") * 600, message_id="<5@x>"), "other@camden.example", to, 552),
    ]
    for name, message, sender, recipient, expected in cases:
        code, _ = await smtp_send(smtp_port, message, sender, [recipient])
        assert code == expected, name
    found = [(r.reason, r.replied_at is not None) for r in await records(server)]
    assert found == [
        ("reply_address_unknown", False),
        ("wrong_sender", False),
        ("reply_address_expired", True),
        ("wrong_sender", False),
        ("dmarc_fail", False),
        ("out_of_office", False),
        ("null_sender", False),
        ("too_large", True),
    ]
    assert len(await bodies(server, thread["id"])) == 1
    async with server.app[DATABASE].read() as session:
        told = sorted(await session.scalars(select(OutboundMail.to_addr).where(OutboundMail.subject.like("Not posted%"))))
    assert told == ["alice@camden.example", "other@camden.example"]


async def test_smtp_refuses_recipients_outside_the_domain(server: TestServer, smtp_port: int) -> None:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port, timeout=10)
    await client.connect()
    try:
        await client.mail("someone@example.org")
        with pytest.raises(aiosmtplib.SMTPRecipientRefused):
            await client.rcpt("victim@elsewhere.example")
    finally:
        await client.quit()


async def test_smtp_answers_451_when_the_database_is_down(settings: Settings) -> None:
    dead = replace(settings, database_url="postgresql+asyncpg://postgres@127.0.0.1:9/convene", mail_domain=DOMAIN, inbound_handoff_url=None)
    async with inbound_delivery(dead) as deliver:
        listener = await start_listener(deliver, dead, "127.0.0.1", 0)
        try:
            code, answer = await smtp_send(
                listener.sockets[0].getsockname()[1], reply(TOKEN, "ada@camden.example"), "ada@camden.example", [f"reply+{TOKEN}@{DOMAIN}"]
            )
        finally:
            listener.close()
            await listener.wait_closed()
    assert code == 451 and "try again later" in answer


async def test_the_mail_listen_command_posts_live_through_the_web_server(
    server: TestServer, settings: Settings, people: PersonFactory, alice: Person
) -> None:
    room, thread, token = await thread_with_token(alice, server)
    sock = await alice.socket()
    await sock.subscribe({room["id"]: room["last_seq"] + 1})
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "MAIL_DOMAIN": DOMAIN,
        "INBOUND_HANDOFF_URL": str(server.make_url("")).rstrip("/"),
    }
    command = [sys.executable, "-m", "server", "mail-listen", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                code, _ = await smtp_send(port, reply(token, alice.user["email"]), alice.user["email"], [f"reply+{token}@{DOMAIN}"])
                break
            except (aiosmtplib.SMTPConnectError, OSError):
                assert time.monotonic() < deadline and process.poll() is None, "mail-listen did not start"
                await asyncio.sleep(0.1)
        assert code == 250
        [event] = await sock.wait_for("message.created")
        assert event["message"]["body"] == "Keeper name and VRM, please."
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.to_thread(process.communicate, timeout=15)
    assert process.returncode == 0, out.decode()
    assert b"Convene mail listener on 127.0.0.1:" in out
    assert [(r.door, r.outcome) for r in await records(server)] == [("smtp", "posted")]


# --- pipe ------------------------------------------------------------------------------


def mail_in(settings: Settings, message: bytes, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    base = {
        "PATH": "/usr/bin:/bin",
        "DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "MAIL_DOMAIN": DOMAIN,
        "MAIL_AUTHSERV_ID": AUTHSERV_ID,
    }
    command = [sys.executable, "-m", "server", "mail-in", *args]
    return subprocess.run(command, cwd=ROOT, env={**base, **env}, input=message, capture_output=True, timeout=60)


async def test_the_pipe_command_hands_mail_to_the_running_server_and_exits_0(
    server: TestServer, settings: Settings, people: PersonFactory, alice: Person
) -> None:
    room, thread, token = await thread_with_token(alice, server)
    sock = await alice.socket()
    await sock.subscribe({room["id"]: room["last_seq"] + 1})
    url = str(server.make_url("")).rstrip("/")
    message = reply(token, alice.user["email"])
    result = await asyncio.to_thread(
        mail_in, settings, message, INBOUND_HANDOFF_URL=url, SENDER=alice.user["email"], RECIPIENT=f"reply+{token}@{DOMAIN}"
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"posted" in result.stdout
    [event] = await sock.wait_for("message.created")
    assert event["message"]["body"] == "Keeper name and VRM, please."
    again = await asyncio.to_thread(mail_in, settings, message, "--to", f"reply+{token}@{DOMAIN}", INBOUND_HANDOFF_URL=url)
    assert again.returncode == 0 and b"duplicate" in again.stdout
    forged = await asyncio.to_thread(mail_in, settings, reply("c" * 26, alice.user["email"], message_id="<p@x>"), INBOUND_HANDOFF_URL=url)
    assert forged.returncode == 0 and b"refused (reply_address_unknown)" in forged.stdout
    assert [(r.door, r.outcome) for r in await records(server)] == [("pipe", "posted"), ("pipe", "duplicate"), ("pipe", "refused")]


async def test_the_pipe_command_works_without_the_web_server(
    server: TestServer, settings: Settings, people: PersonFactory, alice: Person
) -> None:
    _, thread, token = await thread_with_token(alice, server)
    result = await asyncio.to_thread(
        mail_in, settings, reply(token, alice.user["email"]), "--from", alice.user["email"], INBOUND_HANDOFF_URL="http://127.0.0.1:9"
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"posted" in result.stdout and b"did not answer" in result.stderr
    assert (await bodies(server, thread["id"]))[-1] == "Keeper name and VRM, please."


def test_the_pipe_command_asks_for_a_retry_when_the_database_is_down(tmp_path: Path, settings: Settings) -> None:
    dead = "postgresql+asyncpg://postgres@127.0.0.1:9/convene"
    result = mail_in(settings, reply(TOKEN, "ada@camden.example"), DATABASE_URL=dead, INBOUND_HANDOFF_URL="off")
    assert result.returncode == 75, result.stderr.decode()
    assert os.path.exists(ROOT / "Procfile") and "mail: python -m server mail-listen" in (ROOT / "Procfile").read_text()


async def test_a_web_server_answering_503_makes_the_doors_ask_for_a_retry() -> None:
    async def unavailable(request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": "unavailable", "message": "database down", "field": None}}, status=503)

    app = web.Application()
    app.router.add_post(PATH, unavailable)
    stub = TestServer(app, host="127.0.0.1")
    await stub.start_server()
    try:
        with pytest.raises(WebAsksRetry):
            await HandOff(str(stub.make_url("")).rstrip("/"), "k" * 32).deliver(b"x", envelope_from=None, envelope_to=[], door="pipe")
    finally:
        await stub.close()


async def test_the_list_unsubscribe_mailto_mutes_the_thread_or_stops_all_email(
    server: TestServer, people: PersonFactory, alice: Person
) -> None:
    _, thread, _ = await thread_with_token(alice, server)
    secret = server.app[SETTINGS].secret_key

    def request(token: str, message_id: str) -> bytes:
        return (
            f"From: <{alice.user['email']}>\r\nTo: <unsubscribe@{DOMAIN}>\r\nSubject: unsubscribe {token}\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
        ).encode()

    status, answer = await post_webhook(people, request(unsubscribe_token(secret, alice.id, thread["id"]), "<u1@camden.example>"))
    assert status == 200 and answer["outcome"] == "unsubscribed", answer
    assert (await alice.get(f"/api/v1/threads/{thread['id']}/mute"))["muted"] is True
    status, answer = await post_webhook(people, request(unsubscribe_token(secret, alice.id, None), "<u2@camden.example>"))
    assert answer["outcome"] == "unsubscribed"
    assert (await alice.get("/api/v1/me/notifications"))["mode"] == "never"
    # A forged token changes nothing, is recorded, and is never answered.
    mails_before = await outbound_count(server)
    forged = unsubscribe_token("another-secret-0123456", alice.id, None)
    status, answer = await post_webhook(people, request(forged, "<u3@camden.example>"))
    assert answer["outcome"] == "refused" and answer["reason"] == "unsubscribe_token_invalid"
    assert [r.outcome for r in await records(server)] == ["unsubscribed", "unsubscribed", "refused"]
    assert await outbound_count(server) == mails_before


async def outbound_count(server: TestServer) -> int:
    async with server.app[DATABASE].read() as session:
        return len((await session.scalars(select(OutboundMail.id))).all())


async def test_no_room_can_take_the_unsubscribe_address(alice: Person) -> None:
    status, data = await alice.call("POST", "/api/v1/rooms", json={"title": "Mailing", "slug": "unsubscribe"})
    assert status == 400 and data["error"]["field"] == "slug"
    assert (await alice.create_room("Unsubscribe"))["slug"] == "unsubscribe-room"
