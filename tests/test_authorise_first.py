"""Authorisation before validation, on every operation the served document gates.

Each gated operation (``x-convene-who`` in /api/openapi.json) is called with bad input
by someone it refuses: a member outside the room (the room is invite-only, so it is
not found), or a member where an administrator or facilitator is needed. The answer is
that refusal (403 or 404), never the input's problem (400); signed out, it is 401.
The operations and their bad inputs are read from the document, so a new gated
operation is covered without editing this file.
"""

from __future__ import annotations

from typing import Any

import pytest

from .people import Person


def _bad_query(op: dict[str, Any]) -> dict[str, str]:
    """One value per query parameter that its schema refuses."""
    bad: dict[str, str] = {}
    for param in op.get("parameters", []):
        if param["in"] != "query":
            continue
        schema = param["schema"]
        kind = schema.get("type")
        bad[param["name"]] = "not-a-number" if kind == "integer" else "maybe" if kind == "boolean" else ""
    return bad


@pytest.fixture
async def world(admin: Person, alice: Person, bob: Person, carol: Person) -> dict[str, Any]:
    """Alice's invite-only room with a thread and a message, hidden from Bob; Carol's
    request to join another of Alice's invite-only rooms (looking for collaborators,
    so its card is visible); an organisation; Alice's id."""
    room = await alice.create_room("Private concept", visibility="invite")
    thread = await alice.start_thread(room, "Plans", "First")
    message = (await alice.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"][0]
    looking = await alice.create_room("Looking concept", visibility="invite", looking_for_collaborators=True)
    asked = await carol.post(f"/api/v1/rooms/{looking['id']}/join-requests", {"message": "please"}, expect=201)
    org = await admin.post("/api/v1/organisations", {"name": "Camden Council", "domains": ["camden.example"]}, expect=201)
    return {
        "room": str(room["id"]),
        "thread_id": str(thread["id"]),
        "message_id": str(message["id"]),
        "request_id": str(asked["join_request"]["id"]),
        "organisation_id": str(org["organisation"]["id"]),
        "user_id": str(alice.id),
        "event_id": "1",
        "session_id": "0" * 16,
    }


async def test_refused_callers_learn_the_refusal_not_the_input_problem(people, admin: Person, bob: Person, world: dict[str, Any]):
    document = await admin.get("/api/openapi.json")
    signed_out = people.new_session()
    checked = []
    for template, ops in document["paths"].items():
        for method, op in ops.items():
            who = op["x-convene-who"]
            if who in ("anyone", "signed-in"):
                continue
            path = template.format(**{name: world[name] for name in world if "{" + name + "}" in template})
            query = _bad_query(op)
            body = b'{"no_such_field": 1}' if "requestBody" in op else None
            if body is None and not query:
                body = b"{not json"  # nothing to decode: a broken body must not matter either
            headers = {"Content-Type": "application/json"}
            status, data = await bob.call(method.upper(), path, params=query, data=body, headers=headers)
            assert status in (403, 404), (method, template, who, status, data)
            async with signed_out.request(method.upper(), path, params=query, data=body, headers=headers) as r:
                assert r.status == 401, (method, template, r.status, await r.text())
            checked.append((method, template))
    assert ("post", "/api/v1/admin/rooms/{room}/owner") in checked and len(checked) >= 30


async def test_every_operation_for_administrators_is_gated(admin: Person):
    document = await admin.get("/api/openapi.json")
    for template, ops in document["paths"].items():
        for method, op in ops.items():
            if "(administrators)" in op["summary"]:
                assert op["x-convene-who"] == "administrator", (method, template)
            if "facilitators" in op["summary"] or "owners" in op["summary"]:
                assert op["x-convene-who"] not in ("anyone", "signed-in"), (method, template)


async def test_an_administrator_with_a_bad_body_is_told_about_the_body(admin: Person, world: dict[str, Any]):
    status, data = await admin.call("POST", f"/api/v1/admin/rooms/{world['room']}/owner", json={"user_id": "alice"})
    assert status == 400 and data["error"]["field"] == "user_id"
