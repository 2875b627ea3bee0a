"""Notification rules on the fast tier: who is owed an email, what the email row says,
the signed unsubscribe links, and composing a row into the message that goes out."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from server.config import Settings, load_settings
from server.domain import notification_settings, notifications
from server.domain.errors import Invalid
from server.domain.posting import post_message
from server.mail.compose import compose, summary
from server.store.models import Message, NotificationMark, OutboundMail, RoomMember, ThreadFollow, User, utcnow
from server.store.transaction import Tx

from .conftest import MAX_CHARS, Given

NO_DELAY = timedelta(0)


@pytest.fixture
def cfg(tmp_path: Path) -> Settings:
    return load_settings({"DATA_DIR": str(tmp_path), "SECRET_KEY": "domain-secret-0123456789", "MAIL_DOMAIN": "convene.example"})


async def follower_and_author(tx: Tx, given: Given, **room: object) -> tuple[User, User, int]:
    """Ada follows a thread in her room; Ben (a member) writes in it."""
    ada, ben = await given.person(name="Ada"), await given.person(name="Ben")
    place = await given.room(ada, **room)  # type: ignore[arg-type]
    await given.member(place, ben)
    thread = await given.thread(place, ada)
    tx.session.add(ThreadFollow(thread_id=thread.id, user_id=ada.id))
    await post_message(tx, ben, thread.id, "b-1", "Hello **Ada**", MAX_CHARS)
    return ada, ben, thread.id


async def test_a_follower_is_owed_one_email_and_the_mark_moves(tx: Tx, given: Given, cfg: Settings) -> None:
    ada, ben, thread_id = await follower_and_author(tx, given)
    now = utcnow()
    assert await notifications.due_threads(tx.session, now, NO_DELAY) == [notifications.Due(ada.id, thread_id)]
    assert await notifications.due_threads(tx.session, now, timedelta(minutes=5)) == []  # not yet
    assert await notifications.notify_thread(tx, cfg, notifications.Due(ada.id, thread_id), now, NO_DELAY)
    mail = await tx.session.scalar(select(OutboundMail).where(OutboundMail.to_addr == ada.email))
    assert mail is not None and mail.from_name == "Ben (Camden Council) via Convene"
    assert mail.body_html is not None and "<strong>Ada</strong>" in mail.body_html
    headers = json.loads(mail.headers or "{}")
    assert headers["In-Reply-To"] == f"<thread-{thread_id}@convene.example>"
    mark = await tx.session.get(NotificationMark, (ada.id, thread_id))
    assert mark is not None and mark.last_notified_seq == 1 and mark.last_sent_at == now
    assert await notifications.due_threads(tx.session, now, NO_DELAY) == []


async def test_no_email_to_someone_who_may_no_longer_read_the_room(tx: Tx, given: Given, cfg: Settings) -> None:
    ada, ben, thread_id = await follower_and_author(tx, given, visibility="invite")
    # Ben follows too (posting), Ada writes; then Ben leaves the invite-only room.
    await post_message(tx, ada, thread_id, "a-1", "Are you still there?", MAX_CHARS)
    thread_room = (await tx.session.scalar(select(Message.room_id).where(Message.thread_id == thread_id)))
    await tx.session.delete(await tx.session.get(RoomMember, (thread_room, ben.id)))
    now = utcnow()
    assert notifications.Due(ben.id, thread_id) in await notifications.due_threads(tx.session, now, NO_DELAY)
    assert not await notifications.notify_thread(tx, cfg, notifications.Due(ben.id, thread_id), now, NO_DELAY)
    mark = await tx.session.get(NotificationMark, (ben.id, thread_id))
    assert mark is not None and mark.last_notified_seq == 2 and mark.last_sent_at is None  # not looked at again
    assert notifications.Due(ben.id, thread_id) not in await notifications.due_threads(tx.session, now, NO_DELAY)


async def test_deactivated_unconfirmed_and_old_messages_are_not_owed(tx: Tx, given: Given) -> None:
    ada, ben, thread_id = await follower_and_author(tx, given)
    now = utcnow()
    await tx.session.execute(update(User).where(User.id == ada.id).values(deactivated_at=now))
    assert await notifications.due_threads(tx.session, now, NO_DELAY) == []
    await tx.session.execute(update(User).where(User.id == ada.id).values(deactivated_at=None, email_confirmed_at=None, password_hash="x"))
    assert await notifications.due_threads(tx.session, now, NO_DELAY) == []  # signed up, address never confirmed
    await tx.session.execute(update(User).where(User.id == ada.id).values(password_hash=None))
    assert len(await notifications.due_threads(tx.session, now, NO_DELAY)) == 1  # invited by email, not signed in yet
    await tx.session.execute(update(User).where(User.id == ada.id).values(email_confirmed_at=now))
    await tx.session.execute(update(Message).values(created_at=now - notifications.LOOKBACK - timedelta(minutes=1)))
    assert await notifications.due_threads(tx.session, now, NO_DELAY) == []


async def test_unsubscribe_tokens_are_signed_per_person_and_scope(tx: Tx, given: Given) -> None:
    ada, ben, thread_id = await follower_and_author(tx, given)
    secret = "domain-secret-0123456789"
    token = notification_settings.unsubscribe_token(secret, ada.id, thread_id)
    found = await notification_settings.read_unsubscribe(tx.session, secret, token)
    assert (found.scope, found.user.id, found.thread and found.thread.id) == ("thread", ada.id, thread_id)
    user_part, scope, signature = token.split(".")
    for forged in (
        f"{ben.id}.{scope}.{signature}",  # another person
        f"{user_part}.all.{signature}",  # a wider scope
        notification_settings.unsubscribe_token("another-secret-0123456789", ada.id, thread_id),
        token + "x",
        "",
    ):
        with pytest.raises(Invalid):
            await notification_settings.read_unsubscribe(tx.session, secret, forged)
    await notification_settings.unsubscribe(tx, secret, notification_settings.unsubscribe_token(secret, ada.id, None))
    assert (await tx.session.get(User, ada.id)).notify_mode == "never"  # type: ignore[union-attr]


def test_compose_sets_every_header_and_keeps_its_own() -> None:
    row = OutboundMail(
        id=7,
        to_addr="ada@camden.example",
        subject="[Room] Thread\r\nBcc: evil@example.com",
        body_text="Open https://convene.example/r/x/t/1/m/2?token=abc=def now",
        body_html="<p>Hello</p>",
        from_name="Ben (Camden) via Convene",
        reply_to="reply+abcdefghijklmnopqrstuvwxyz@convene.example",
        message_id="<thread-1.seq-2.x@convene.example>",
        headers=json.dumps({"In-Reply-To": "<thread-1@convene.example>", "From": "evil@example.com"}),
        created_at=utcnow(),
    )
    message = compose(row, "Convene <convene@convene.example>", "convene.example")
    assert str(message["From"]) == "\"Ben (Camden) via Convene\" <convene@convene.example>"
    assert message["Subject"] == "[Room] Thread Bcc: evil@example.com" and message["Bcc"] is None
    assert message["Message-ID"] == "<thread-1.seq-2.x@convene.example>" and message["In-Reply-To"] == "<thread-1@convene.example>"
    assert message["Auto-Submitted"] == "auto-generated" and message["Reply-To"] == row.reply_to and message["Date"]
    assert message.get_body(("html",)).get_content() == "<p>Hello</p>\n"  # type: ignore[union-attr]
    assert "https://convene.example/r/x/t/1/m/2?token=abc=def" in summary(row)  # no quoted-printable 3D

