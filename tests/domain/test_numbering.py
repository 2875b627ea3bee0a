"""Sequence numbers: every durable event in a room takes the room's next number, in
one numbering path for single writes and batches, gaplessly and per room."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.contract.events import ToRoom
from server.domain import threads
from server.domain.errors import NotFound
from server.domain.messages import delete_message, edit_message
from server.domain.posting import Posted, SendRequest, post_message, post_messages
from server.store.models import Room
from server.store.transaction import Transactions, Tx

from .conftest import MAX_CHARS, Given, RecordingPublisher, room_events, stored_seqs


async def test_single_sends_are_numbered_one_after_another(tx: Tx, given: Given) -> None:
    ada = await given.person()
    room = await given.room(ada)
    thread = await given.thread(room, ada)
    seqs = [(await post_message(tx, ada, thread.id, f"m{i}", f"message {i}", MAX_CHARS)).message["seq"] for i in range(3)]
    assert seqs == [1, 2, 3]
    assert await stored_seqs(tx.session, room.id) == [1, 2, 3]
    assert (await tx.session.get(Room, room.id)).last_seq == 3  # type: ignore[union-attr]


async def test_a_batch_numbers_each_room_on_its_own_in_request_order(tx: Tx, given: Given) -> None:
    ada, bob = await given.person(), await given.person()
    camden, bristol = await given.room(ada), await given.room(bob)
    in_camden, in_bristol = await given.thread(camden), await given.thread(bristol)
    requests = [
        SendRequest(ada.id, in_camden.id, "a1", "first in Camden"),
        SendRequest(bob.id, in_bristol.id, "b1", "first in Bristol"),
        SendRequest(ada.id, in_camden.id, "a2", "second in Camden"),
        SendRequest(bob.id, in_bristol.id, "b2", "second in Bristol"),
        SendRequest(bob.id, in_camden.id, "b3", "Bob joins Camden's thread"),
    ]
    outcomes = await post_messages(tx, {ada.id: ada, bob.id: bob}, requests, MAX_CHARS)
    assert [(o.message["room_id"], o.message["seq"]) for o in outcomes if isinstance(o, Posted)] == [
        (camden.id, 1),
        (bristol.id, 1),
        (camden.id, 2),
        (bristol.id, 2),
        (camden.id, 3),
    ]
    assert await stored_seqs(tx.session, camden.id) == [1, 2, 3]
    assert await stored_seqs(tx.session, bristol.id) == [1, 2]


async def test_refused_sends_in_a_batch_take_no_number(tx: Tx, given: Given) -> None:
    ada = await given.person()
    room = await given.room(ada)
    thread = await given.thread(room)
    requests = [
        SendRequest(ada.id, thread.id, "ok-1", "kept"),
        SendRequest(ada.id, thread.id, "empty", "   "),
        SendRequest(ada.id, 999_999, "nowhere", "no such thread"),
        SendRequest(ada.id, thread.id, "bad id!", "client id with a space"),
        SendRequest(ada.id, thread.id, "ok-2", "kept too"),
    ]
    outcomes = await post_messages(tx, {ada.id: ada}, requests, MAX_CHARS)
    assert [o.message["seq"] if isinstance(o, Posted) else o.code for o in outcomes] == [1, "invalid", "not_found", "invalid", 2]
    assert isinstance(outcomes[2], NotFound) and outcomes[2].field == "thread_id"
    assert await stored_seqs(tx.session, room.id) == [1, 2]


async def test_single_writes_batches_edits_and_deletes_share_one_gapless_sequence(tx: Tx, given: Given) -> None:
    ada, bob = await given.person(), await given.person()
    room = await given.room(ada)
    await given.member(room, bob)
    started = await threads.start_thread(tx, ada, room.id, "Which keeper fields?", 200)  # thread.created: 1
    first = await post_message(tx, ada, started.id, "one", "VRM and address", MAX_CHARS)  # 2
    batch = await post_messages(
        tx,
        {ada.id: ada, bob.id: bob},
        [SendRequest(bob.id, started.id, "two", "and the date"), SendRequest(ada.id, started.id, "three", "agreed")],  # 3, 4
        MAX_CHARS,
    )
    edited = await edit_message(tx, ada, first.message["id"], "VRM, keeper address", MAX_CHARS)  # 5
    deleted = await delete_message(tx, bob, batch[0].message["id"])  # type: ignore[union-attr]  # 6
    later = await post_message(tx, bob, started.id, "four", "sorry, wrong thread", MAX_CHARS)  # 7

    assert started.seq == 1
    assert [first.message["seq"], *(o.message["seq"] for o in batch if isinstance(o, Posted)), later.message["seq"]] == [2, 3, 4, 7]
    # An edit or a delete keeps the message's own number and takes a new one for the event.
    assert edited["seq"] == 2 and deleted["seq"] == 3
    assert await stored_seqs(tx.session, room.id) == list(range(1, 8))
    assert (await tx.session.scalar(select(Room.last_seq).where(Room.id == room.id))) == 7
    durable = [kind for _, kind in room_events(tx, room.id) if kind != "member.joined"]
    assert durable == [
        "thread.created",
        "message.created",
        "message.created",
        "message.created",
        "message.edited",
        "message.deleted",
        "message.created",
    ]


async def test_a_rolled_back_send_gives_its_number_back_and_announces_nothing(txs: Transactions, publisher: RecordingPublisher) -> None:
    async with txs.begin() as tx:
        given = Given(tx.session)
        ada = await given.person()
        room = await given.room(ada)
        thread = await given.thread(room)
    with pytest.raises(RuntimeError):
        async with txs.begin() as tx:
            await post_message(tx, ada, thread.id, "lost", "never stored", MAX_CHARS)
            raise RuntimeError("the door failed after the write")
    assert publisher.published == []
    async with txs.begin() as tx:
        kept = await post_message(tx, ada, thread.id, "kept", "stored", MAX_CHARS)
        assert await stored_seqs(tx.session, room.id) == [1]
    assert kept.message["seq"] == 1
    assert [(o.room_id, o.event["type"], o.event.get("seq")) for o in publisher.published if isinstance(o, ToRoom)] == [
        (room.id, "message.created", 1)
    ]
