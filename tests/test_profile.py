"""A person manages their own account (issue 12): name and organisation, email with
confirmation at the new address (the old one told, its sign-in links dead), password
(other sessions end, on their live connections too), sessions, deleting the account,
and downloading their data. Each change is in the audit log once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.config import Settings

from .people import Person, PersonFactory

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


async def audit(admin: Person, action: str) -> list[dict[str, Any]]:
    return list((await admin.get(f"/api/v1/admin/audit?action={action}"))["entries"])


async def test_name_and_organisation_change(admin: Person, alice: Person) -> None:
    changes = {"display_name": "  Alice Okafor ", "organisation": "London Borough of Camden"}
    status, answer = await alice.call("PATCH", "/api/v1/me", changes)
    assert status == 200 and answer["user"]["display_name"] == "Alice Okafor"
    assert answer["user"]["organisation"] == {"name": "London Borough of Camden", "verified": False}
    status, answer = await alice.call("PATCH", "/api/v1/me", {"display_name": "   "})
    assert status == 400 and answer["error"]["field"] == "display_name"
    [entry] = await audit(admin, "profile-changed")
    assert entry["detail"] == "display name and organisation"


async def test_an_email_change_is_confirmed_at_the_new_address_and_the_old_one_stops_signing_in(
    people: PersonFactory, admin: Person, alice: Person
) -> None:
    old, new = alice.user["email"], "alice.okafor@camden.example"
    status, answer = await alice.call("POST", "/api/v1/me/email", {"email": new, "current_password": "not my password"})
    assert status == 400 and answer["error"]["field"] == "current_password"
    taken = {"email": admin.user["email"], "current_password": "correct horse battery"}
    status, answer = await alice.call("POST", "/api/v1/me/email", taken)
    assert status == 409 and answer["error"]["field"] == "email"
    await people.new_session().post("/api/v1/auth/link", json={"email": old})
    old_link = await people.mailed_token(old, "/signin/link?token=")

    await alice.post("/api/v1/me/email", {"email": new, "current_password": "correct horse battery"}, expect=202)
    assert await people.mailed_token(old, "change its email address to ") == "alice"  # the old address is told
    assert (await alice.get("/api/v1/me"))["user"]["email"] == old  # nothing changes before the link
    token = await people.mailed_token(new, "/confirm-email?token=")
    changed = await alice.post("/api/v1/auth/confirm-email", {"token": token}, expect=200)
    assert changed["user"]["email"] == new and changed["user"]["email_confirmed"]

    async with people.new_session().post("/api/v1/auth/link/redeem", json={"token": old_link}) as response:
        assert response.status == 400  # a link sent to the old address no longer signs in
    async with people.new_session().post("/api/v1/auth/signin", json={"email": old, "password": "correct horse battery"}) as response:
        assert response.status == 401
    await people.signin(new)
    assert (await alice.call("POST", "/api/v1/auth/confirm-email", {"token": token}))[0] == 400  # single use
    assert [e["detail"] for e in await audit(admin, "email-changed")] == [f"{old} -> {new}"]
    assert len(await audit(admin, "email-change-requested")) == 1


async def test_a_password_change_needs_the_current_one_and_ends_every_other_session(
    people: PersonFactory, admin: Person, alice: Person
) -> None:
    laptop = await people.signin(alice.user["email"])
    sock = await laptop.socket()
    wrong = {"current_password": "wrong one!", "new_password": "a much longer phrase"}
    status, answer = await alice.call("POST", "/api/v1/me/password", wrong)
    assert status == 400 and answer["error"]["field"] == "current_password"
    status, answer = await alice.call("POST", "/api/v1/me/password", {"current_password": "correct horse battery", "new_password": "short"})
    assert status == 400 and answer["error"]["field"] == "new_password"
    body = {"current_password": "correct horse battery", "new_password": "a much longer phrase"}
    assert (await alice.post("/api/v1/me/password", body, expect=200)) == {"ended_sessions": 1}
    [revoked] = await sock.wait_for("session.revoked")
    assert revoked["reason"] == "signed_out"
    assert (await laptop.call("GET", "/api/v1/me"))[0] == 401
    assert (await alice.call("GET", "/api/v1/me"))[0] == 200  # this session stays
    old = {"email": alice.user["email"], "password": "correct horse battery"}
    async with people.new_session().post("/api/v1/auth/signin", json=old) as r:
        assert r.status == 401
    await people.signin(alice.user["email"], "a much longer phrase")
    [entry] = await audit(admin, "password-changed")
    assert entry["user"]["id"] == alice.id and "a much longer phrase" not in json.dumps(entry)


async def test_sessions_are_listed_with_device_and_address_and_any_can_be_ended(
    people: PersonFactory, admin: Person, alice: Person
) -> None:
    session = people.new_session()
    async with session.post("/api/v1/auth/signin", json={"email": alice.user["email"], "password": "correct horse battery"},
                            headers={"User-Agent": FIREFOX}) as r:  # fmt: skip
        assert r.status == 200
    listed = (await alice.get("/api/v1/me/sessions"))["sessions"]
    assert [s["current"] for s in listed] == [False, True]  # newest first: the Firefox one
    firefox = listed[0]
    assert firefox["device"] == "Firefox on Windows" and firefox["address"] == "127.0.0.1"
    assert (await alice.call("DELETE", f"/api/v1/me/sessions/{firefox['id']}"))[0] == 204
    async with session.get("/api/v1/me") as r:
        assert r.status == 401
    assert [s["current"] for s in (await alice.get("/api/v1/me/sessions"))["sessions"]] == [True]
    assert (await alice.call("DELETE", f"/api/v1/me/sessions/{firefox['id']}"))[0] == 404
    assert (await admin.call("DELETE", f"/api/v1/me/sessions/{listed[1]['id']}"))[0] == 404  # not theirs
    [entry] = await audit(admin, "session-ended")
    assert entry["detail"] == "Firefox on Windows"


async def test_deleting_an_account_removes_personal_data_and_keeps_messages_as_former_member(
    people: PersonFactory, admin: Person, alice: Person, bob: Person
) -> None:
    room = await alice.create_room("Care calculator")
    thread = await alice.start_thread(room, "Rates", "Alice's question")
    status, answer = await alice.call("POST", "/api/v1/me/delete", {"confirm": "yes"})
    assert status == 400 and answer["error"]["field"] == "confirm"
    assert (await alice.call("POST", "/api/v1/me/delete", {"confirm": "delete", "current_password": "nope nope nope"}))[0] == 400
    assert (await alice.call("POST", "/api/v1/me/delete", {"confirm": "delete", "current_password": "correct horse battery"}))[0] == 204
    assert (await alice.call("GET", "/api/v1/me"))[0] == 401
    messages = (await bob.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"]
    assert messages[0]["body"] == "Alice's question" and messages[0]["author"]["display_name"] == "Former member"
    assert messages[0]["author"]["organisation"] == {"name": "", "verified": False}
    gone = {"email": "alice@camden.example", "password": "correct horse battery"}
    async with people.new_session().post("/api/v1/auth/signin", json=gone) as r:
        assert r.status == 401
    data = json.loads(await (await admin.http.get(f"/api/v1/admin/users/{alice.id}/data")).text())
    assert data["profile"]["email"].endswith("@deleted.invalid") and data["profile"]["display_name"] == "Former member"
    assert data["memberships"] == [] and "alice@camden.example" not in json.dumps(data["profile"])
    [entry] = await audit(admin, "account-deleted")
    assert entry["user"]["display_name"] == "Former member"
    status, answer = await admin.call("PATCH", f"/api/v1/users/{alice.id}", {"active": True})
    assert status == 409 and answer["error"]["field"] == "active"  # a deleted account stays deleted


async def test_a_person_downloads_their_own_data_and_administrators_anyones(admin: Person, alice: Person, bob: Person) -> None:
    room = await alice.create_room("DVLA data API")
    thread = await alice.start_thread(room, "Keeper fields", "First version")
    message = (await alice.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"][0]
    await alice.call("PATCH", f"/api/v1/messages/{message['id']}", {"body": "Second version"}, expect=200)
    async with alice.http.get("/api/v1/me/data") as response:
        assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
        data = json.loads(await response.text())
    assert data["format"] == "convene-personal-data" and data["profile"]["email"] == "alice@camden.example"
    assert [(m["room"], m["body"], [r["body"] for r in m["revisions"]]) for m in data["messages"]] == [
        ("dvla-data-api", "Second version", ["First version"])
    ]
    assert [m["room"] for m in data["memberships"]] == ["dvla-data-api"] and data["sessions"] and data["followed_threads"]
    assert "personal-data-exported" in [e["action"] for e in data["audit"]]
    assert (await bob.call("GET", f"/api/v1/admin/users/{alice.id}/data"))[0] == 403
    async with admin.http.get(f"/api/v1/admin/users/{alice.id}/data") as response:
        assert response.status == 200 and json.loads(await response.text())["profile"]["id"] == alice.id
    assert [e["detail"] for e in await audit(admin, "personal-data-exported")] == ["on request", "their own"]


async def test_a_deleted_account_erases_its_messages_only_where_the_site_allows_it(
    start_server: Any, settings: Settings, people: PersonFactory, admin: Person, alice: Person, bob: Person
) -> None:
    room = await bob.create_room("Care calculator")
    await alice.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await bob.start_thread(room, "Rates", "Bob opens")
    for n in range(2):
        await alice.send(thread["id"], f"Alice says {n}", f"a{n}")
    keep = {"confirm": "delete", "current_password": "correct horse battery", "erase_messages": True}
    status, answer = await alice.call("POST", "/api/v1/me/delete", keep)
    assert status == 403 and answer["error"]["field"] == "erase_messages"  # this server keeps messages
    assert (await alice.call("GET", "/api/v1/me"))[0] == 200  # and nothing was deleted

    allowing = await start_server(settings, allow_message_erasure=True)
    factory = PersonFactory(allowing, settings)
    try:
        alice2 = await factory.signin(alice.user["email"])
        bob2 = await factory.signin(bob.user["email"])
        sock = await bob2.socket()
        await sock.subscribe({room["id"]: 0})
        assert (await alice2.call("POST", "/api/v1/me/delete", keep))[0] == 204
        deleted = await sock.wait_for("message.deleted", 2)
        assert {e["message"]["author"]["display_name"] for e in deleted} == {"Former member"}
        shown = (await bob2.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"]
        assert [(m["body"], m["deleted"]) for m in shown] == [("Bob opens", False), ("", True), ("", True)]
        # Erased text leaves the search index in the same transaction.
        found = (await bob2.get("/api/v1/search?q=Alice+says"))["results"]
        assert found == []
        [entry] = (await admin.get("/api/v1/admin/audit?action=account-deleted"))["entries"]
        assert entry["detail"] == "2 messages erased"
    finally:
        await factory.close()
