"""Idempotent sends: the client's id is unique per author. A retry with the same id
and text returns the stored message; the same id with other text or in another
thread is a conflict; repeats inside one batch are answered like retries."""

from __future__ import annotations

from sqlalchemy import func, select

from server.domain.errors import Conflict
from server.domain.messages import delete_message, edit_message
from server.domain.posting import Posted, SendRequest, post_message, post_messages
from server.store.models import Message, Thread, User
from server.store.transaction import Tx

from .conftest import MAX_CHARS, Given, room_events


async def _setup(given: Given) -> tuple[User, Thread]:
    ada = await given.person()
    room = await given.room(ada)
    return ada, await given.thread(room, ada)


async def _messages(tx: Tx) -> int:
    return int(await tx.session.scalar(select(func.count()).select_from(Message)) or 0)


async def test_a_retry_returns_the_stored_message_and_writes_nothing(tx: Tx, given: Given) -> None:
    ada, thread = await _setup(given)
    first = await post_message(tx, ada, thread.id, "c-1", "Camden needs the VRM", MAX_CHARS)
    queued = len(tx.outgoing)
    again = await post_message(tx, ada, thread.id, "c-1", "Camden needs the VRM", MAX_CHARS)
    assert first.created is True and again.created is False
    assert again.message == first.message
    assert await _messages(tx) == 1
    assert len(tx.outgoing) == queued  # nothing new to announce


async def test_the_same_id_with_other_text_or_in_another_thread_is_a_conflict(tx: Tx, given: Given) -> None:
    ada, thread = await _setup(given)
    other = await given.thread(await given.room(ada))
    await post_message(tx, ada, thread.id, "c-1", "Camden needs the VRM", MAX_CHARS)
    [changed, moved] = await post_messages(
        tx,
        {ada.id: ada},
        [SendRequest(ada.id, thread.id, "c-1", "something else"), SendRequest(ada.id, other.id, "c-1", "Camden needs the VRM")],
        MAX_CHARS,
    )
    for outcome in (changed, moved):
        assert isinstance(outcome, Conflict) and outcome.field == "client_id"
    assert await _messages(tx) == 1


async def test_the_id_is_unique_per_author_not_per_site(tx: Tx, given: Given) -> None:
    ada, thread = await _setup(given)
    bob = await given.person()
    outcomes = await post_messages(
        tx,
        {ada.id: ada, bob.id: bob},
        [SendRequest(ada.id, thread.id, "1", "hello"), SendRequest(bob.id, thread.id, "1", "hello")],
        MAX_CHARS,
    )
    assert [o.created for o in outcomes if isinstance(o, Posted)] == [True, True]
    assert await _messages(tx) == 2


async def test_repeats_within_one_batch_are_stored_once(tx: Tx, given: Given) -> None:
    ada, thread = await _setup(given)
    outcomes = await post_messages(
        tx,
        {ada.id: ada},
        [
            SendRequest(ada.id, thread.id, "r-1", "sent twice by a flaky tab"),
            SendRequest(ada.id, thread.id, "r-1", "sent twice by a flaky tab"),
            SendRequest(ada.id, thread.id, "r-1", "the same id, other text"),
        ],
        MAX_CHARS,
    )
    first, repeat, clash = outcomes
    assert isinstance(first, Posted) and first.created is True
    assert isinstance(repeat, Posted) and repeat.created is False and repeat.message["id"] == first.message["id"]
    assert isinstance(clash, Conflict)
    assert await _messages(tx) == 1
    assert [kind for _, kind in room_events(tx)].count("message.created") == 1


async def test_a_retry_of_an_edited_or_deleted_message_returns_it_as_it_is_now(tx: Tx, given: Given) -> None:
    ada, thread = await _setup(given)
    edited = await post_message(tx, ada, thread.id, "e-1", "first words", MAX_CHARS)
    await edit_message(tx, ada, edited.message["id"], "better words", MAX_CHARS)
    deleted = await post_message(tx, ada, thread.id, "d-1", "regretted", MAX_CHARS)
    await delete_message(tx, ada, deleted.message["id"])

    retried = await post_messages(
        tx,
        {ada.id: ada},
        [SendRequest(ada.id, thread.id, "e-1", "first words"), SendRequest(ada.id, thread.id, "d-1", "regretted")],
        MAX_CHARS,
    )
    assert all(isinstance(o, Posted) and o.created is False for o in retried)
    now_edited, now_deleted = (o.message for o in retried if isinstance(o, Posted))
    assert now_edited["id"] == edited.message["id"] and now_edited["body"] == "better words"
    assert now_deleted["id"] == deleted.message["id"] and now_deleted["body"] == ""
    assert await _messages(tx) == 2
