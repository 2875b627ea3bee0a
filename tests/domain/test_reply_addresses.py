"""Reply addresses: secret, case-insensitive, expiring, revocable; stored only hashed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from server.domain import reply_addresses
from server.store.models import ReplyAddress, utcnow
from server.store.transaction import Tx

from .conftest import Given


async def test_a_token_resolves_to_its_person_and_thread_in_any_case(tx: Tx, given: Given) -> None:
    person = await given.person()
    thread = await given.thread(await given.room(person))
    token = await reply_addresses.issue(tx, person.id, thread.id)
    assert reply_addresses.TOKEN_RE.match(token) and len(token) == 26
    for written in (token, token.upper(), f"  {token} "):
        found = await reply_addresses.resolve(tx.session, written)
        assert found is not None and (found.user.id, found.thread.id) == (person.id, thread.id)
    assert reply_addresses.address(token, "convene.example") == f"reply+{token}@convene.example"
    stored = (await tx.session.scalars(select(ReplyAddress.token_hash))).all()
    assert token not in stored and len(stored) == 1  # only the hash is kept


async def test_forged_expired_and_revoked_tokens_resolve_to_nothing(tx: Tx, given: Given) -> None:
    person = await given.person()
    thread = await given.thread(await given.room(person))
    token = await reply_addresses.issue(tx, person.id, thread.id)
    forged = ("b" if token[0] == "a" else "a") + token[1:]
    for bad in (forged, token[:-1], token + "a", "", "0" * 26, token.replace(token[0], "!")):
        assert await reply_addresses.resolve(tx.session, bad) is None
    await tx.session.execute(update(ReplyAddress).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert await reply_addresses.resolve(tx.session, token) is None
    fresh = await reply_addresses.issue(tx, person.id, thread.id)
    await tx.session.flush()
    assert await reply_addresses.resolve(tx.session, fresh) is not None
    await reply_addresses.revoke_for(tx, person.id, thread.id)
    assert await reply_addresses.resolve(tx.session, fresh) is None


def test_tokens_are_distinct() -> None:
    assert len({reply_addresses.new_token() for _ in range(1000)}) == 1000
