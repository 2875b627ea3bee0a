"""Invitations through the real server: people without an account are invited by
address, follow the emailed link once, and land signed in as members of the room."""

from __future__ import annotations

import asyncio
import email as email_parser
from datetime import timedelta
from email import policy as email_policy
from typing import Any

import pytest
from sqlalchemy import func, select, update

from server.http.keys import DATABASE
from server.store.models import Invitation, OutboundMail, RoomMember, User, utcnow

from .people import Person, PersonFactory

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

MARKER = "/invitation?token="


async def invite(who: Person, room: dict[str, Any], *emails: str, expect: int = 201) -> list[dict[str, Any]]:
    answer = await who.post(f"/api/v1/rooms/{room['id']}/members", {"emails": list(emails)}, expect=expect)
    return list(answer["results"])


async def redeem(people: PersonFactory, token: str, expect: int = 200) -> tuple[Person, Any]:
    """Follow a link in a fresh browser (no cookies)."""
    person = Person(people, people.new_session(), {})
    people.people.append(person)
    status, data = await person.call("POST", "/api/v1/invitations/redeem", json={"token": token}, expect=expect)
    if status == 200:
        person.user = data["user"]
    return person, data


async def count(people: PersonFactory, query: Any) -> int:
    async with people.server.app[DATABASE].read() as session:
        return int(await session.scalar(query) or 0)


async def mails_to(people: PersonFactory, address: str) -> int:
    return await count(people, select(func.count()).select_from(OutboundMail).where(OutboundMail.to_addr == address))


async def mail_text(people: PersonFactory, address: str, marker: str) -> str:
    """Subject and plain text of the newest mail to ``address`` holding ``marker``
    (waiting for the deliverer to write it)."""
    for _ in range(250):
        for path in sorted(people.settings.outbox_dir.glob("*.eml"), reverse=True):
            mail = email_parser.message_from_bytes(path.read_bytes(), policy=email_policy.default)
            text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            if mail["To"] == address and marker in text:
                return f"From: {mail['From']}\nSubject: {mail['Subject']}\n\n{text}"
        await asyncio.sleep(0.02)
    raise AssertionError(f"no mail to {address} with {marker}")


async def test_a_new_address_is_invited_follows_the_link_once_and_lands_in_the_room(people, alice, bob):
    room = await alice.create_room("Blue badge renewals", visibility="invite", summary="Renewing **blue badges** online.")
    thread = await alice.start_thread(room, "Evidence rules", "Which documents do we accept?")
    watcher = await alice.socket()
    await watcher.subscribe({room["id"]: 0})

    [result] = await invite(alice, room, "Nia.Jones@NewCouncil.example")
    assert result["outcome"] == "invited" and result["email"] == "nia.jones@newcouncil.example"
    assert result["display_name"] == "Nia Jones"
    # A member from the moment of invitation, so email notifications reach them at once.
    [joined] = await watcher.wait_for("member.joined", 1)
    assert joined["user"]["id"] == result["user_id"]

    token = await people.mailed_token("nia.jones@newcouncil.example", MARKER)
    text = await mail_text(people, "nia.jones@newcouncil.example", MARKER)
    assert "Alice Officer (Camden Council)" in text
    assert text.startswith('From: "Alice Officer (Camden Council) via Convene" <convene@')
    assert "Blue badge renewals" in text and "Renewing blue badges online." in text and "**" not in text
    assert "expires in 14 days" in text

    nia, answer = await redeem(people, token)
    assert answer["user"]["email"] == "nia.jones@newcouncil.example" and answer["user"]["email_confirmed"] is True
    assert answer["room"]["id"] == room["id"] and answer["room"]["membership"] == "member"
    assert (await nia.get("/api/v1/me"))["user"]["id"] == result["user_id"]
    page = await nia.get(f"/api/v1/threads/{thread['id']}/messages")
    assert page["messages"][0]["body"] == "Which documents do we accept?"
    status, _ = await nia.send(thread["id"], "Hello from Nia", "nia-1")  # confirmed by the link: may post
    assert status == 201

    # The link works once.
    _, refused = await redeem(people, token, expect=400)
    assert refused["error"]["field"] == "token" and "already been used" in refused["error"]["message"]
    # Inviting them again now that they have signed in: already a member, nothing sent.
    [again] = await invite(alice, room, "nia.jones@newcouncil.example")
    assert again["outcome"] == "already_member"
    assert await mails_to(people, "nia.jones@newcouncil.example") == 1
    # An invited person can later sign in with an emailed link.
    await bob.post("/api/v1/auth/link", {"email": "nia.jones@newcouncil.example"}, expect=202)
    await people.mailed_token("nia.jones@newcouncil.example", "/signin/link?token=")


async def test_a_second_invitation_within_the_cooling_off_period_sends_and_creates_nothing(people, alice, admin):
    room = await alice.create_room("Parking permits")
    [first] = await invite(alice, room, "omar@borough.example")
    before_members = await count(people, select(func.count()).select_from(RoomMember).where(RoomMember.room_id == room["id"]))
    [second] = await invite(alice, room, "OMAR@borough.example")
    # Another steward inviting the same address is cooled off too.
    [third] = await invite(admin, room, "Omar <omar@borough.example>")
    assert first["outcome"] == "invited"
    assert second["outcome"] == third["outcome"] == "cooling_off"
    assert first["user_id"] == second["user_id"] == third["user_id"]
    assert await count(people, select(func.count()).select_from(User).where(User.email == "omar@borough.example")) == 1
    assert await count(people, select(func.count()).select_from(Invitation)) == 1
    assert await count(people, select(func.count()).select_from(RoomMember).where(RoomMember.room_id == room["id"])) == before_members
    assert await mails_to(people, "omar@borough.example") == 1
    # The first link still works.
    await redeem(people, await people.mailed_token("omar@borough.example", MARKER))


async def test_after_the_cooling_off_period_a_fresh_link_works_and_the_old_one_does_not(start_server, settings):
    server = await start_server(settings, invitation_cooling_off_hours=0)
    people = PersonFactory(server, settings)
    try:
        await people.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital")
        alice = await people.signup("alice@camden.example", "Alice Officer", "Camden Council", confirm=True)
        room = await alice.create_room("School transport")
        [first] = await invite(alice, room, "pat@county.example")
        old = await people.mailed_token("pat@county.example", MARKER)
        [second] = await invite(alice, room, "pat@county.example")
        assert (first["outcome"], second["outcome"]) == ("invited", "resent")
        assert await mails_to(people, "pat@county.example") == 2
        assert await count(people, select(func.count()).select_from(Invitation)) == 1
        fresh = old
        for _ in range(250):
            fresh = await people.mailed_token("pat@county.example", MARKER)
            if fresh != old:
                break
        assert fresh != old
        _, refused = await redeem(people, old, expect=400)
        assert refused["error"]["field"] == "token"
        _, answer = await redeem(people, fresh)
        assert answer["room"]["id"] == room["id"]
    finally:
        await people.close()


async def test_an_existing_account_is_added_and_told_by_email(people, alice, bob):
    room = await alice.create_room("Adult social care", visibility="invite")
    watcher = await alice.socket()
    await watcher.subscribe({room["id"]: 0})
    answer = await alice.post(f"/api/v1/rooms/{room['id']}/members", {"email": "Bob@Bristol.example"}, expect=201)
    assert answer["member"] == {"user_id": bob.id, "role": "member"}
    assert answer["results"][0]["outcome"] == "added"
    [joined] = await watcher.wait_for("member.joined")
    assert joined["user"]["id"] == bob.id
    text = await mail_text(people, "bob@bristol.example", f"/r/{room['slug']}")
    assert "Alice Officer added you to Adult social care" in text
    assert (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]["membership"] == "member"
    # Again: already a member, no second email; by id too (the older request form).
    [again] = await invite(alice, room, "bob@bristol.example")
    assert again["outcome"] == "already_member"
    by_id = await alice.post(f"/api/v1/rooms/{room['id']}/members", {"user_id": bob.id}, expect=201)
    assert by_id["results"] == [{"email": None, "outcome": "already_member", "user_id": bob.id, "display_name": "Bob Supplier"}]
    assert await mails_to(people, "bob@bristol.example") == 2  # confirmation, then "added"


async def test_only_owners_facilitators_and_administrators_invite(people, alice, bob, admin):
    room = await alice.create_room("Open room")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    status, data = await bob.call("POST", f"/api/v1/rooms/{room['id']}/members", json={"emails": ["zed@nowhere.example"]})
    assert status == 403 and data["error"]["code"] == "forbidden"
    assert await count(people, select(func.count()).select_from(User).where(User.email == "zed@nowhere.example")) == 0
    assert await mails_to(people, "zed@nowhere.example") == 0
    # Not signed in at all.
    anonymous = Person(people, people.new_session(), {})
    status, data = await anonymous.call("POST", f"/api/v1/rooms/{room['id']}/members", json={"emails": ["zed@nowhere.example"]})
    assert status == 401
    [result] = await invite(admin, room, "zed@nowhere.example")
    assert result["outcome"] == "invited"


async def test_bad_addresses_are_named_and_the_rest_go_ahead(people, alice, admin):
    org = (await admin.post("/api/v1/organisations", {"name": "Lovelace Ltd", "domains": ["lovelace.example"]}, expect=201))["organisation"]
    room = await alice.create_room("Waste collection")
    entries = ("kim@waste.example", "not an address", "Ada Lovelace <ada@lovelace.example>", "KIM@waste.example", "")
    results = await invite(alice, room, *entries)
    assert [r["outcome"] for r in results] == ["invited", "error", "invited", "error"]
    bad, empty = results[1], results[3]
    assert bad["email"] == "not an address" and bad["error"]["field"] == "emails"
    assert "not an address is not an email address" in bad["error"]["message"]
    assert empty["error"]["code"] == "invalid"
    assert results[2]["display_name"] == "Ada Lovelace"
    members = (await alice.get(f"/api/v1/rooms/{room['id']}/members"))["members"]
    ada = next(m["user"] for m in members if m["user"]["id"] == results[2]["user_id"])
    # The organisation on record for the domain, shown unverified until the address is proven.
    assert ada["organisation"] == {"name": org["name"], "verified": False}
    assert await mails_to(people, "kim@waste.example") == 1

    ada_person, answer = await redeem(people, await people.mailed_token("ada@lovelace.example", MARKER))
    assert answer["user"]["organisation"] == {"name": "Lovelace Ltd", "verified": True}

    # The single-address form refuses a bad address outright, naming the field.
    status, data = await alice.call("POST", f"/api/v1/rooms/{room['id']}/members", json={"email": "nope"})
    assert status == 400 and data["error"]["field"] == "email"
    status, data = await alice.call("POST", f"/api/v1/rooms/{room['id']}/members", json={"emails": []})
    assert status == 400 and data["error"]["field"] == "emails"
    status, data = await alice.call("POST", f"/api/v1/rooms/{room['id']}/members", json={})
    assert status == 400


async def test_expired_and_unknown_links_answer_a_clear_error(people, alice):
    room = await alice.create_room("Libraries")
    await invite(alice, room, "lee@library.example")
    token = await people.mailed_token("lee@library.example", MARKER)
    async with people.server.app[DATABASE].write() as session:
        await session.execute(update(Invitation).values(expires_at=utcnow() - timedelta(minutes=1)))
    _, data = await redeem(people, token, expect=400)
    assert "expired" in data["error"]["message"]
    _, data = await redeem(people, "x" * 43, expect=400)
    assert data["error"]["field"] == "token" and "not valid" in data["error"]["message"]


async def test_simultaneous_invitations_of_one_address_make_one_person_and_one_email(people, alice, admin):
    room = await alice.create_room("Double clicks")
    path = f"/api/v1/rooms/{room['id']}/members"
    body = {"emails": ["same@race.example"]}
    answers = await asyncio.gather(*[(alice if n % 2 else admin).post(path, body, expect=201) for n in range(6)])
    outcomes = sorted(a["results"][0]["outcome"] for a in answers)
    assert outcomes == ["cooling_off"] * 5 + ["invited"]
    assert len({a["results"][0]["user_id"] for a in answers}) == 1
    assert await count(people, select(func.count()).select_from(User).where(User.email == "same@race.example")) == 1
    assert await mails_to(people, "same@race.example") == 1
