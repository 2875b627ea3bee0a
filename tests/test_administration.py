"""Administration (issue 12): people and every room for administrators, transferring a
room, sending an invitation again; and a non-administrator gets 403 on every admin
route."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from server.config import Settings
from server.http.openapi import PATHS

from .people import Person, PersonFactory

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
async def server(start_server: Any, settings: Settings) -> TestServer:
    """The real app with no cooling-off between invitations, so one can be sent again at once."""
    return await start_server(settings, invitation_cooling_off_hours=0)


ADMIN_ONLY = [(path, method) for path, ops in PATHS.items() if path.startswith("/api/v1/admin/") for method in ops] + [
    ("/api/v1/users/{user_id}", "patch"),
    ("/api/v1/organisations", "post"),
    ("/api/v1/organisations/{organisation_id}", "patch"),
]
BODIES = {"patch": {"role": "member"}, "post": {"user_id": 1, "name": "X Council"}}


async def test_a_non_administrator_gets_403_on_every_admin_route(admin: Person, alice: Person, bob: Person) -> None:
    room = await alice.create_room("Secret", visibility="invite")
    org = await admin.post("/api/v1/organisations", {"name": "Camden", "domains": []}, expect=201)
    assert len(ADMIN_ONLY) >= 9
    for path, method in ADMIN_ONLY:
        concrete = path.replace("{user_id}", str(alice.id)).replace("{room}", str(room["id"]))
        concrete = concrete.replace("{organisation_id}", str(org["organisation"]["id"]))
        assert "{" not in concrete, path
        body = BODIES.get(method) if method in ("post", "patch") and not path.endswith("resend-invitation") else None
        async with bob.http.request(method.upper(), concrete, json=body) as response:
            assert response.status == 403, (method, path, response.status, await response.text())


async def test_people_are_listed_and_filtered(admin: Person, alice: Person, bob: Person) -> None:
    room = await alice.create_room("Care")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"emails": ["new.person@sevenoaks.example"]}, expect=201)
    await admin.call("PATCH", f"/api/v1/users/{bob.id}", {"active": False}, expect=200)
    everyone = (await admin.get("/api/v1/admin/users"))["people"]
    assert [p["email"] for p in everyone] == [admin.user["email"], alice.user["email"], bob.user["email"], "new.person@sevenoaks.example"]
    assert [p["invited"] for p in everyone] == [False, False, False, True]
    assert [p["email"] for p in (await admin.get("/api/v1/admin/users?q=ALICE"))["people"]] == [alice.user["email"]]
    assert [p["id"] for p in (await admin.get("/api/v1/admin/users?active=false"))["people"]] == [bob.id]
    assert [p["id"] for p in (await admin.get("/api/v1/admin/users?role=administrator"))["people"]] == [admin.id]
    page = await admin.get("/api/v1/admin/users?limit=2")
    assert page["has_more"] and len(page["people"]) == 2
    rest = await admin.get(f"/api/v1/admin/users?limit=2&after={page['people'][-1]['id']}")
    assert not rest["has_more"] and len(rest["people"]) == 2


async def test_every_room_is_listed_with_owners_and_can_change_hands(admin: Person, alice: Person, bob: Person) -> None:
    secret = await alice.create_room("Secret pilot", visibility="invite")
    await alice.create_room("Open room")
    listed = (await admin.get("/api/v1/admin/rooms"))["rooms"]
    assert [r["title"] for r in listed] == ["Open room", "Secret pilot"]
    assert listed[1]["owners"][0]["id"] == alice.id and listed[1]["member_count"] == 1 and listed[1]["visibility"] == "invite"

    moved = (await admin.post(f"/api/v1/admin/rooms/{secret['id']}/owner", {"user_id": bob.id}, expect=200))["room"]
    assert [o["id"] for o in moved["owners"]] == [bob.id] and moved["member_count"] == 2
    members = {m["user"]["id"]: m["role"] for m in (await bob.get(f"/api/v1/rooms/{secret['id']}/members"))["members"]}
    assert members == {alice.id: "member", bob.id: "owner"}
    status, answer = await admin.call("POST", f"/api/v1/admin/rooms/{secret['id']}/owner", {"user_id": bob.id})
    assert status == 409 and answer["error"]["field"] == "user_id"
    status, answer = await admin.call("POST", f"/api/v1/admin/rooms/{secret['id']}/owner", {"user_id": 999999})
    assert status == 400 and answer["error"]["field"] == "user_id"
    [entry] = (await admin.get("/api/v1/admin/audit?action=room-ownership-transferred"))["entries"]
    assert entry["user"]["id"] == bob.id and entry["room"]["id"] == secret["id"] and entry["detail"] == f"previous owners: {alice.id}"


async def test_an_invitation_is_sent_again_with_a_fresh_link(people: PersonFactory, admin: Person, alice: Person) -> None:
    room = await alice.create_room("Care")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"emails": ["new.person@sevenoaks.example"]}, expect=201)
    first = await people.mailed_token("new.person@sevenoaks.example", "/invitation?token=")
    [invited] = [p for p in (await admin.get("/api/v1/admin/users"))["people"] if p["invited"]]
    answer = await admin.post(f"/api/v1/admin/users/{invited['id']}/resend-invitation", expect=200)
    assert [r["outcome"] for r in answer["results"]] == ["resent"]
    second = first
    for _ in range(250):  # the deliverer writes the new mail after commit
        if (second := await people.mailed_token("new.person@sevenoaks.example", "/invitation?token=")) != first:
            break
        await asyncio.sleep(0.02)
    assert second != first
    async with people.new_session().post("/api/v1/invitations/redeem", json={"token": first}) as response:
        assert response.status == 400  # the older link stops working
    status, answer = await admin.call("POST", f"/api/v1/admin/users/{alice.id}/resend-invitation")
    assert status == 409 and answer["error"]["field"] == "user_id"
    assert [e["detail"] for e in (await admin.get("/api/v1/admin/audit?action=invited"))["entries"]] == ["resent", "invited"]
