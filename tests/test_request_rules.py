"""The rules for reading requests (docs/protocol.md, "Reading requests"), through HTTP:
405 with Allow, PATCH bodies that change nothing or say null, unknown properties,
invalid UTF-8, query parameters decoded strictly by their declared type, and what the
document says about each."""

from __future__ import annotations

import pytest

from .people import Person


async def test_a_wrong_method_is_told_the_paths_own_methods(alice: Person):
    for method, path, allowed in (
        ("DELETE", "/api/v1/rooms", {"GET", "HEAD", "POST"}),
        ("TRACE", "/api/v1/users/1", {"PATCH"}),
        ("PUT", "/api/v1/me", {"GET", "HEAD", "PATCH"}),
    ):
        async with alice.http.request(method, path) as r:
            assert r.status == 405, (method, path)
            assert set(r.headers["Allow"].split(", ")) == allowed, (path, r.headers.get("Allow"))
            assert (await r.json())["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "body, field, words",
    [
        (b"{}", None, "changes nothing"),
        (b'{"body": "x"}', "body", "not a field"),
        (b'{"active": true, "nickname": "x"}', "nickname", "not a field"),
    ],
)
async def test_a_patch_that_changes_nothing_is_refused_everywhere(admin: Person, alice: Person, body, field, words):
    room = await alice.create_room("Patched")
    org = (await admin.post("/api/v1/organisations", {"name": "Leeds"}, expect=201))["organisation"]
    for who, path in ((admin, f"/api/v1/users/{alice.id}"), (alice, f"/api/v1/rooms/{room['id']}"),
                      (admin, f"/api/v1/organisations/{org['id']}"), (alice, "/api/v1/me")):  # fmt: skip
        if field == "nickname" and not path.startswith("/api/v1/users"):
            continue
        status, data = await who.call("PATCH", path, data=body, headers={"Content-Type": "application/json"})
        assert status == 400 and data["error"]["field"] == field and words in data["error"]["message"], (path, data)


async def test_null_is_not_a_change(admin: Person, alice: Person):
    room = await alice.create_room("Nulls")
    org = (await admin.post("/api/v1/organisations", {"name": "Kent"}, expect=201))["organisation"]
    for who, path, body, field in (
        (admin, f"/api/v1/users/{alice.id}", {"role": None}, "role"),
        (alice, f"/api/v1/rooms/{room['id']}", {"title": "Still here", "summary": None}, "summary"),
        (admin, f"/api/v1/organisations/{org['id']}", {"name": None}, "name"),
        (alice, "/api/v1/me", {"display_name": None}, "display_name"),
    ):
        status, data = await who.call("PATCH", path, json=body)
        assert status == 400 and data["error"]["field"] == field and "null" in data["error"]["message"], (path, data)
    assert (await alice.get(f"/api/v1/rooms/{room['id']}"))["room"]["title"] == "Nulls"  # nothing written half-way
    assert (await alice.get("/api/v1/me"))["user"]["role"] == "member"


async def test_invalid_utf8_in_a_field_is_named(admin: Person, alice: Person):
    status, data = await admin.call(
        "PATCH", f"/api/v1/users/{alice.id}", data=b'{"role": "memb\xffer"}', headers={"Content-Type": "application/json"}
    )
    assert status == 400 and data["error"]["code"] == "malformed_json" and "UTF-8" in data["error"]["message"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("since=", "since"),
        ("since=2026-13-01", "since"),
        ("until=yesterday", "until"),
        ("action=nothing", "action"),
        ("before=1.0", "before"),
        ("before=0", "before"),
        ("before=null", "before"),
        ("before=2&before=3", "before"),
        ("limit=%201", "limit"),
    ],
)
async def test_query_parameters_are_decoded_like_a_body(admin: Person, query, field):
    status, data = await admin.call("GET", f"/api/v1/admin/audit?{query}")
    assert status == 400 and data["error"]["field"] == field, data


async def test_typed_query_parameters_on_other_operations(admin: Person):
    for path, field in (
        ("/api/v1/admin/users?role=null", "role"),
        ("/api/v1/admin/inbound-mail?outcome=", "outcome"),
        ("/api/v1/collaborations?kind=friends", "kind"),
        ("/api/v1/rooms?mine=maybe", "mine"),
        ("/api/v1/search?q=", "q"),
        ("/api/v1/search?q=x&since=2026-02-30", "since"),
    ):
        status, data = await admin.call("GET", path)
        assert status == 400 and data["error"]["field"] == field, (path, data)
    assert (await admin.get("/api/v1/rooms?mine=true&utm_source=mail"))["rooms"] == []  # unknown parameters are ignored


async def test_whole_numbers_written_with_a_zero_fraction_are_integers(alice: Person):
    room = await alice.create_room("Fractions")
    thread = await alice.start_thread(room, "One", "first")
    status, _ = await alice.call("PUT", f"/api/v1/threads/{thread['id']}/read", json={"seq": 1.0})
    assert status == 200
    status, data = await alice.call("PUT", f"/api/v1/threads/{thread['id']}/read", json={"seq": 1.5})
    assert status == 400 and data["error"]["field"] == "seq"


async def test_the_document_states_the_rules(alice: Person):
    doc = await alice.get("/api/openapi.json")
    schemas = doc["components"]["schemas"]
    for name in ("RoleChange", "RoomSettings", "OrganisationChanges", "ProfileChanges"):
        assert schemas[name]["minProperties"] == 1 and schemas[name]["additionalProperties"] is False, name
        assert "null" not in str(schemas[name]["properties"]), name
    for name in ("NewMessage", "NewRoom", "SignUp", "StageMoveRequest", "CriteriaGiven", "InboxRead"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "pattern" in schemas["NewThread"]["properties"]["title"]
    search = {p["name"]: p for p in doc["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert search["q"]["required"] is True and search["since"]["schema"]["format"] == "date"
    assert "until" in search["since"]["schema"]["description"]
    assert "oneOf" in schemas["InboxRead"]
    links = doc["paths"]["/api/v1/rooms"]["post"]["responses"]["201"]["links"]
    assert links["get_rooms_room_events"]["parameters"] == {"room": "$response.body#/room/id"}
    accept = doc["paths"]["/api/v1/rooms/{room}/join-requests"]["post"]["responses"]["201"]["links"]
    assert "post_join-requests_request_id_accept" in accept
