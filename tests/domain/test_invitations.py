"""Invitations in the domain: who an address becomes, what each re-invitation does, and
what following the link changes, without HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from server.config import Settings
from server.domain import invitations
from server.domain.access import check_can_post
from server.domain.errors import Forbidden, Invalid, NotFound, Unconfirmed
from server.store.models import AuthSession, Invitation, Organisation, OrganisationDomain, OutboundMail, RoomMember, User, utcnow
from server.store.transaction import Tx

from .conftest import Given, room_events

CFG = Settings(database_url="sqlite+aiosqlite://", secret_key="x" * 16, public_url="https://convene.example")


def test_addresses_and_names_are_read_as_mail_clients_write_them() -> None:
    assert invitations.parse_invitee(" Ada.Lovelace@Camden.GOV.uk ", "emails") == invitations.Invitee("ada.lovelace@camden.gov.uk", None)
    assert invitations.parse_invitee('"Lovelace, Ada" <ada@camden.gov.uk>', "emails") == invitations.Invitee(
        "ada@camden.gov.uk", "Lovelace, Ada"
    )
    for bad in ("", "ada", "ada@", "@camden.gov.uk", "Ada <>", "a b@c.example", "x" * 300 + "@c.example"):
        with pytest.raises(Invalid) as raised:
            invitations.parse_invitee(bad, "emails")
        assert raised.value.field == "emails"
    assert invitations.name_from_address("ada.lovelace+convene@camden.gov.uk") == "Ada Lovelace"
    assert invitations.name_from_address("j_smith-jones@x.example") == "J Smith Jones"
    assert invitations.name_from_address("x@x.example") == "X"


async def _mails(tx: Tx, to: str) -> list[OutboundMail]:
    return list(await tx.session.scalars(select(OutboundMail).where(OutboundMail.to_addr == to)))


async def test_an_unknown_address_becomes_an_invited_member_without_a_password(tx: Tx, given: Given) -> None:
    owner = await given.person(name="Olu Owner")
    room = await given.room(owner, visibility="invite")
    org = Organisation(name="Bristol City Council", domains=[OrganisationDomain(domain="bristol.example")])
    tx.session.add(org)
    await tx.session.flush()

    [outcome] = await invitations.invite(tx, CFG, owner, room.id, emails=["sam.lee@bristol.example"])
    assert outcome.outcome == "invited" and outcome.display_name == "Sam Lee"
    person = await tx.session.get(User, outcome.user_id)
    assert person is not None
    assert person.password_hash is None and person.email_confirmed_at is None
    assert person.declared_organisation == "Bristol City Council" and person.organisation_id is None
    member = await tx.session.get(RoomMember, (room.id, person.id))
    assert member is not None and member.invited_by == owner.id
    assert room_events(tx, room.id) == [(room.id, "member.joined")]
    [mail] = await _mails(tx, "sam.lee@bristol.example")
    assert mail.subject == f"Olu Owner invited you to {room.title} on Convene"
    assert "https://convene.example/invitation?token=" in mail.body_text
    [row] = await tx.session.scalars(select(Invitation))
    assert row.accepted_at is None and row.expires_at - row.created_at == timedelta(days=14)
    assert row.token_hash not in mail.body_text  # only the hash is stored
    # An invited person may not post until the address is proven.
    with pytest.raises(Unconfirmed):
        check_can_post(person, room, member)


async def test_reinviting_cools_off_then_resends_with_a_fresh_token(tx: Tx, given: Given) -> None:
    owner = await given.person()
    room = await given.room(owner)
    [first] = await invitations.invite(tx, CFG, owner, room.id, email="kai@council.example")
    [token_before] = await tx.session.scalars(select(Invitation.token_hash))
    [second] = await invitations.invite(tx, CFG, owner, room.id, emails=["kai@council.example", "KAI@council.example"])
    assert (first.outcome, second.outcome) == ("invited", "cooling_off")
    assert len(await _mails(tx, "kai@council.example")) == 1

    await tx.session.execute(update(Invitation).values(last_sent_at=utcnow() - timedelta(hours=25)))
    [third] = await invitations.invite(tx, CFG, owner, room.id, emails=["kai@council.example"])
    assert third.outcome == "resent"
    [token_after] = await tx.session.scalars(select(Invitation.token_hash))
    assert token_after != token_before
    assert len(await _mails(tx, "kai@council.example")) == 2
    assert await tx.session.scalar(select(func.count()).select_from(User).where(User.email == "kai@council.example")) == 1
    assert await tx.session.scalar(select(func.count()).select_from(RoomMember).where(RoomMember.room_id == room.id)) == 2
    # With no cooling-off at all, every invitation sends again.
    [fourth] = await invitations.invite(tx, replace(CFG, invitation_cooling_off_hours=0), owner, room.id, emails=["kai@council.example"])
    assert fourth.outcome == "resent"


async def test_existing_accounts_are_added_and_told_once(tx: Tx, given: Given) -> None:
    owner, known = await given.person(), await given.person(name="Known Person")
    room = await given.room(owner)
    [added] = await invitations.invite(tx, CFG, owner, room.id, user_id=known.id)
    [again] = await invitations.invite(tx, CFG, owner, room.id, email=known.email.upper())
    assert (added.outcome, again.outcome) == ("added", "already_member")
    assert added.email is None  # by id: the address is not shown to the inviter
    [mail] = await _mails(tx, known.email)
    assert f"https://convene.example/r/{room.slug}" in mail.body_text
    assert await tx.session.scalar(select(func.count()).select_from(Invitation)) == 0


async def test_only_managers_invite_and_single_refusals_raise(tx: Tx, given: Given) -> None:
    owner, member, steward = await given.person(), await given.person(), await given.person("facilitator")
    room = await given.room(owner)
    await given.member(room, member)
    with pytest.raises(Forbidden):
        await invitations.invite(tx, CFG, member, room.id, emails=["a@b.example"])
    [by_steward] = await invitations.invite(tx, CFG, steward, room.id, emails=["a@b.example"])
    assert by_steward.outcome == "invited"
    with pytest.raises(Invalid) as raised:
        await invitations.invite(tx, CFG, owner, room.id, email="not-an-address")
    assert raised.value.field == "email"
    with pytest.raises(NotFound):
        await invitations.invite(tx, CFG, owner, room.id, user_id=999_999)
    gone = await given.person()
    gone.deactivated_at = utcnow()
    [refused] = await invitations.invite(tx, CFG, owner, room.id, emails=[gone.email])
    assert refused.outcome == "error" and refused.error is not None
    with pytest.raises(Invalid):
        await invitations.invite(tx, CFG, owner, room.id, emails=[])


async def test_redeeming_signs_in_confirms_and_works_once(tx: Tx, given: Given) -> None:
    owner = await given.person()
    room = await given.room(owner, visibility="invite")
    [outcome] = await invitations.invite(tx, CFG, owner, room.id, emails=["noor@trust.example"])
    [mail] = await _mails(tx, "noor@trust.example")
    token = mail.body_text.split("invitation?token=")[1].split()[0]

    redeemed = await invitations.redeem(tx, CFG, f" {token} ")
    assert (redeemed.user_id, redeemed.room_id) == (outcome.user_id, room.id)
    person = await tx.session.get(User, outcome.user_id)
    assert person is not None and person.email_confirmed_at is not None
    assert await tx.session.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == person.id)) == 1
    [row] = await tx.session.scalars(select(Invitation))
    assert row.accepted_at is not None
    with pytest.raises(Invalid, match="already been used"):
        await invitations.redeem(tx, CFG, token)
    with pytest.raises(Invalid, match="not valid"):
        await invitations.redeem(tx, CFG, "nonsense")
    # Once signed in, they are a full account: a later invitation elsewhere adds them.
    other = await given.room(owner)
    [later] = await invitations.invite(tx, CFG, owner, other.id, emails=["noor@trust.example"])
    assert later.outcome == "added"


async def test_an_expired_link_is_refused(tx: Tx, given: Given) -> None:
    owner = await given.person()
    room = await given.room(owner)
    await invitations.invite(tx, CFG, owner, room.id, emails=["old@link.example"])
    [mail] = await _mails(tx, "old@link.example")
    token = mail.body_text.split("invitation?token=")[1].split()[0]
    await tx.session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(Invalid, match="expired"):
        await invitations.redeem(tx, CFG, token)


async def test_an_unconfirmed_account_joins_only_by_the_link(tx: Tx, given: Given) -> None:
    """Someone may have signed up with another person's address and never confirmed it:
    inviting that address must not let them into the room."""
    owner = await given.person()
    room = await given.room(owner, visibility="invite")
    squatter = await given.person(confirmed=False)
    squatter.password_hash = "argon2-hash"
    [outcome] = await invitations.invite(tx, CFG, owner, room.id, emails=[squatter.email])
    assert outcome.outcome == "invited" and outcome.member is None
    assert await tx.session.get(RoomMember, (room.id, squatter.id)) is None
    assert room_events(tx, room.id) == []
    [mail] = await _mails(tx, squatter.email)
    token = mail.body_text.split("invitation?token=")[1].split()[0]
    [again] = await invitations.invite(tx, CFG, owner, room.id, email=squatter.email)
    assert again.outcome == "cooling_off"
    # Whoever reads the mailbox follows the link: now confirmed and a member.
    await invitations.redeem(tx, CFG, token)
    assert await tx.session.get(RoomMember, (room.id, squatter.id)) is not None
    assert squatter.email_confirmed_at is not None
    assert room_events(tx, room.id) == [(room.id, "member.joined")]


async def test_room_owners_send_a_bounded_number_of_invitations_an_hour(tx: Tx, given: Given) -> None:
    owner, steward = await given.person(), await given.person("facilitator")
    room = await given.room(owner)
    limit = invitations.MAX_INVITATIONS_PER_HOUR
    first = await invitations.invite(tx, CFG, owner, room.id, emails=[f"p{n}@bulk.example" for n in range(limit - 1)])
    assert {o.outcome for o in first} == {"invited"}
    last, over = await invitations.invite(tx, CFG, owner, room.id, emails=["last@bulk.example", "over@bulk.example"])
    assert last.outcome == "invited"
    assert over.outcome == "error" and over.error is not None and "in the last hour" in over.error.message
    assert await _mails(tx, "over@bulk.example") == []
    assert await tx.session.scalar(select(User.id).where(User.email == "over@bulk.example")) is None
    # An hour later the owner may invite again; facilitators are never limited.
    await tx.session.execute(update(Invitation).values(last_sent_at=utcnow() - timedelta(hours=1, seconds=1)))
    [later] = await invitations.invite(tx, CFG, owner, room.id, emails=["over@bulk.example"])
    assert later.outcome == "invited"
    [by_steward] = await invitations.invite(tx, CFG, steward, room.id, emails=["more@bulk.example"])
    assert by_steward.outcome == "invited"
