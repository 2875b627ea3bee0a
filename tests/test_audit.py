"""The audit log (issue 12): every recorded action writes exactly one entry, in the
same transaction as the action (a rolled-back action leaves none), with who, what,
when and from which address; administrators read it (filtered, paged, CSV) and
nobody else can."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from server.config import Settings
from server.contract.origin import Origin
from server.domain import accounts
from server.domain.errors import Conflict
from server.domain.seed_files import read_seed
from server.http.keys import DATABASE, TRANSACTIONS
from server.seed_command import run_seed
from server.store.models import AuditEntry, User

from .mail.inbox import AUTHSERV_ID, DOMAIN
from .people import Person, PersonFactory
from .test_inbound import SECRET, post_webhook, reply, thread_with_token

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
async def server(start_server: Any, settings: Settings) -> TestServer:
    """The real app, with the inbound webhook enabled (its outcomes are audited too)."""
    return await start_server(settings, inbound_webhook_secret=SECRET, mail_domain=DOMAIN, mail_authserv_id=AUTHSERV_ID)


async def entries(admin: Person, action: str, **filters: Any) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in {"action": action, "limit": 200, **filters}.items())
    return list((await admin.get(f"/api/v1/admin/audit?{query}"))["entries"])


async def one_more(admin: Person, action: str, before: int) -> dict[str, Any]:
    """The one entry ``action`` gained since there were ``before``."""
    found = await entries(admin, action)
    assert len(found) == before + 1, (action, found)
    return found[0]


async def test_sign_ins_failures_and_sign_outs_everywhere_are_recorded_once(people: PersonFactory, admin: Person, alice: Person) -> None:
    signed_in = len(await entries(admin, "signed-in"))
    again = await people.signin(alice.user["email"])
    entry = await one_more(admin, "signed-in", signed_in)
    assert entry["actor"]["id"] == alice.id and entry["user"]["id"] == alice.id and entry["detail"] == "password"
    assert entry["address"] == "127.0.0.1" and entry["door"] == "http"

    async with people.new_session().post("/api/v1/auth/signin", json={"email": alice.user["email"], "password": "wrong password!"}) as r:
        assert r.status == 401
    failed = await one_more(admin, "sign-in-failed", 0)
    assert failed["actor"] is None and failed["user"]["id"] == alice.id
    assert "wrong password" not in str(failed) and "correct horse" not in str(failed)  # never a password
    async with people.new_session().post("/api/v1/auth/signin", json={"email": "nobody@x.example", "password": "whatever12"}) as r:
        assert r.status == 401
    assert (await one_more(admin, "sign-in-failed", 1))["user"] is None

    await again.post("/api/v1/auth/signout-everywhere", expect=204)
    out = await one_more(admin, "signed-out-everywhere", 0)
    assert out["actor"]["id"] == alice.id


async def test_role_changes_deactivation_and_reactivation_are_recorded_once(admin: Person, alice: Person) -> None:
    path = f"/api/v1/users/{alice.id}"
    await admin.call("PATCH", path, {"role": "facilitator"}, expect=200)
    changed = await one_more(admin, "role-changed", 0)
    assert changed["detail"] == "role: member -> facilitator" and changed["actor"]["id"] == admin.id and changed["user"]["id"] == alice.id
    await admin.call("PATCH", path, {"role": "facilitator"}, expect=200)  # no change, no entry
    assert len(await entries(admin, "role-changed")) == 1
    await admin.call("PATCH", path, {"active": False}, expect=200)
    await one_more(admin, "deactivated", 0)
    await admin.call("PATCH", path, {"active": True}, expect=200)
    await one_more(admin, "reactivated", 0)
    await admin.call("PATCH", path, {"active": True}, expect=200)
    assert len(await entries(admin, "reactivated")) == 1


async def test_organisation_changes_are_recorded_once(admin: Person) -> None:
    body = {"name": "Camden Council", "domains": ["camden.example"], "kind": "council"}
    created = await admin.post("/api/v1/organisations", body, expect=201)
    org_id = created["organisation"]["id"]
    entry = await one_more(admin, "organisation-created", 0)
    assert entry["organisation"] == {"id": org_id, "name": "Camden Council"}
    changes = {"name": "London Borough of Camden", "domains": ["camden.example", "camden.gov.example"]}
    await admin.call("PATCH", f"/api/v1/organisations/{org_id}", changes, expect=200)
    changed = await one_more(admin, "organisation-changed", 0)
    assert "name: Camden Council -> London Borough of Camden" in changed["detail"] and "camden.gov.example" in changed["detail"]


async def test_room_visibility_and_stage_changes_are_recorded_once_and_a_refused_change_leaves_none(
    admin: Person, alice: Person
) -> None:
    room = await alice.create_room("DVLA data API")
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", {"visibility": "invite", "stage": "co-design"}, expect=200)
    visibility = await one_more(admin, "room-visibility-changed", 0)
    stage = await one_more(admin, "room-stage-changed", 0)
    assert visibility["room"]["id"] == room["id"] and visibility["detail"] == "visibility: open -> invite"
    assert stage["detail"] == "stage: discovery -> co-design" and stage["actor"]["id"] == alice.id
    # The stage changes, then the slug is refused: the whole update rolls back, entry and all.
    taken = await alice.create_room("Taken")
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", {"stage": "incubation", "slug": taken["slug"]}, expect=409)
    assert len(await entries(admin, "room-stage-changed")) == 1
    assert len(await entries(admin, "room-stage-changed", room=room["id"])) == 1
    assert await entries(admin, "room-stage-changed", room=taken["id"]) == []
    # The move endpoint is the same path: one more entry.
    await alice.post(f"/api/v1/rooms/{room['id']}/stage", {"stage": "live", "note": "launched"}, expect=201)
    assert [e["detail"] for e in await entries(admin, "room-stage-changed", room=room["id"])][0] == "stage: co-design -> live"


async def test_invitations_and_deletions_by_others_are_recorded_once(admin: Person, alice: Person, bob: Person) -> None:
    room = await alice.create_room("Care calculator")
    await alice.post(f"/api/v1/rooms/{room['id']}/members", {"emails": ["new.person@sevenoaks.example"]}, expect=201)
    invited = await one_more(admin, "invited", 0)
    assert invited["room"]["id"] == room["id"] and invited["detail"] == "invited"
    assert invited["user"]["email"] == "new.person@sevenoaks.example"

    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Rates", "First")
    own = (await bob.send(thread["id"], "Mine", "b1"))[1]["message"]
    theirs = (await bob.send(thread["id"], "Off topic", "b2"))[1]["message"]
    await bob.call("DELETE", f"/api/v1/messages/{own['id']}", expect=200)  # the author: not recorded
    assert await entries(admin, "message-deleted") == []
    await alice.call("DELETE", f"/api/v1/messages/{theirs['id']}", expect=200)  # the owner, someone else's
    deleted = await one_more(admin, "message-deleted", 0)
    assert deleted["actor"]["id"] == alice.id and deleted["user"]["id"] == bob.id and "Off topic" not in str(deleted)


async def test_a_socket_deletion_records_the_connections_address(admin: Person, alice: Person, bob: Person) -> None:
    room = await alice.create_room("Links")
    thread = await alice.start_thread(room, "Menus", "First")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    message = (await bob.send(thread["id"], "Hello", "b1"))[1]["message"]
    sock = await alice.socket()
    answer = await sock.call("delete", {"message_id": message["id"]})
    assert "message" in answer, answer
    entry = await one_more(admin, "message-deleted", 0)
    assert entry["door"] == "socket" and entry["address"] == "127.0.0.1"


async def test_a_seeding_run_is_recorded_once(settings: Settings, admin: Person) -> None:
    from .test_seed import SAMPLE, STAGES

    plan = read_seed(SAMPLE.read_bytes(), SAMPLE.name, stages=STAGES)
    assert await run_seed(settings, plan, admin.user["email"], dry_run=False) == 0
    entry = await one_more(admin, "seeded", 0)
    assert entry["door"] == "command" and entry["actor"]["id"] == admin.id and "4 rooms (4 new)" in entry["detail"]
    edited = read_seed(SAMPLE.read_bytes().replace(b"Land Registry data API", b"Land Registry search API"), SAMPLE.name, stages=STAGES)
    assert await run_seed(settings, edited, admin.user["email"], dry_run=True) == 0  # a dry run rolls back: no entry
    assert await run_seed(settings, plan, admin.user["email"], dry_run=False) == 0  # nothing to do: nothing written
    assert len(await entries(admin, "seeded")) == 1


async def test_inbound_mail_outcomes_are_recorded_once_each(
    server: TestServer, people: PersonFactory, admin: Person, alice: Person
) -> None:
    _, _, token = await thread_with_token(alice, server)
    assert (await post_webhook(people, reply(token, alice.user["email"])))[1]["outcome"] == "posted"
    assert (await post_webhook(people, reply(token, alice.user["email"])))[1]["outcome"] == "duplicate"
    found = await entries(admin, "inbound-mail")
    assert [e["detail"] for e in found] == ["duplicate via webhook", "posted via webhook"]
    assert all(e["user"]["id"] == alice.id for e in found) and "Keeper name" not in str(found)


async def test_a_rolled_back_action_leaves_no_entry(server: TestServer, admin: Person, alice: Person) -> None:
    async with server.app[DATABASE].read() as session:
        actor = await session.get(User, admin.id)
        assert actor is not None
    with pytest.raises(Conflict):
        async with server.app[TRANSACTIONS].begin(Origin("http", "192.0.2.7")) as tx:
            await accounts.change_person(tx, actor, alice.id, role="facilitator")
            raise Conflict("something later in the same request failed")
    async with server.app[DATABASE].read() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "role-changed")) == 0
    async with server.app[TRANSACTIONS].begin(Origin("http", "192.0.2.7")) as tx:
        await accounts.change_person(tx, actor, alice.id, role="facilitator")
    entry = await one_more(admin, "role-changed", 0)
    assert entry["address"] == "192.0.2.7"


async def test_filters_pages_and_csv(admin: Person, alice: Person, bob: Person) -> None:
    for role in ("facilitator", "member", "facilitator"):
        await admin.call("PATCH", f"/api/v1/users/{bob.id}", {"role": role}, expect=200)
    await admin.call("PATCH", f"/api/v1/users/{alice.id}", {"role": "facilitator"}, expect=200)
    about_bob = await entries(admin, "role-changed", person=bob.id)
    assert len(about_bob) == 3 and all(e["user"]["id"] == bob.id for e in about_bob)
    first = await admin.get("/api/v1/admin/audit?action=role-changed&limit=2")
    assert len(first["entries"]) == 2 and first["has_more"]
    rest = await admin.get(f"/api/v1/admin/audit?action=role-changed&limit=2&before={first['entries'][-1]['id']}")
    assert len(rest["entries"]) == 2 and not rest["has_more"]
    today = first["entries"][0]["at"][:10]
    assert len(await entries(admin, "role-changed", since=today, until=today)) == 4
    assert await entries(admin, "role-changed", until="2000-01-01") == []
    assert (await admin.call("GET", "/api/v1/admin/audit?since=yesterday", expect=400))[1]["error"]["field"] == "since"

    async with admin.http.get(f"/api/v1/admin/audit.csv?action=role-changed&person={bob.id}") as response:
        assert response.status == 200 and response.content_type == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [r["detail"] for r in rows] == ["role: member -> facilitator", "role: facilitator -> member", "role: member -> facilitator"]
    assert rows[0]["user_email"] == bob.user["email"] and rows[0]["actor"] == "Ada Admin"


async def test_only_administrators_read_the_log(admin: Person, alice: Person) -> None:
    await admin.call("PATCH", f"/api/v1/users/{alice.id}", {"role": "facilitator"}, expect=200)
    for path in ("/api/v1/admin/audit", "/api/v1/admin/audit.csv"):
        status, answer = await alice.call("GET", path)
        assert status == 403 and answer["error"]["code"] == "forbidden"
    async with alice.factory.new_session().get("/api/v1/admin/audit") as response:
        assert response.status == 401
