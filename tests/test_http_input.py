"""Bad input at the HTTP door: a documented error naming the problem, and nothing written."""

from __future__ import annotations

import pytest


@pytest.fixture
async def thread(alice):
    room = await alice.create_room("Land Registry data API")
    return await alice.start_thread(room, "Title fields", "Which ones?")


async def _counts(person, thread):
    room = (await person.get(f"/api/v1/rooms/{thread['room_id']}"))["room"]
    page = await person.get(f"/api/v1/threads/{thread['id']}/messages")
    rooms = await person.get("/api/v1/rooms")
    return room["last_seq"], len(page["messages"]), len(rooms["rooms"])


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "field"),
    [
        ("POST", "/api/v1/rooms", {}, 400, "invalid", "title"),
        ("POST", "/api/v1/rooms", {"title": 5}, 400, "invalid", "title"),
        ("POST", "/api/v1/rooms", {"title": "   "}, 400, "invalid", "title"),
        ("POST", "/api/v1/rooms", {"title": "x" * 201}, 400, "invalid", "title"),
        ("POST", "/api/v1/rooms", {"title": "ok", "stage": "beta"}, 400, "invalid", "stage"),
        ("POST", "/api/v1/rooms", {"title": "ok", "visibility": "secret"}, 400, "invalid", "visibility"),
        ("POST", "/api/v1/rooms", {"title": "ok", "tags": "api"}, 400, "invalid", "tags"),
        ("POST", "/api/v1/rooms", {"title": "ok", "tags": ["x" * 41]}, 400, "invalid", "tags"),
        ("POST", "/api/v1/rooms", {"title": "ok", "slug": "Bad Slug"}, 400, "invalid", "slug"),
        ("POST", "/api/v1/rooms", {"title": "ok", "slug": "12345"}, 400, "invalid", "slug"),
        ("POST", "/api/v1/rooms", {"title": "ok", "looking_for_collaborators": "yes"}, 400, "invalid", "looking_for_collaborators"),
        ("POST", "/api/v1/rooms", [1, 2], 400, "invalid", None),
        ("POST", "/api/v1/rooms/{room}/threads", {"title": ""}, 400, "invalid", "title"),
        ("POST", "/api/v1/rooms/{room}/threads", {"title": "t", "body": ""}, 400, "invalid", "body"),
        ("POST", "/api/v1/rooms/999999/threads", {"title": "t"}, 404, "not_found", "room"),
        ("POST", "/api/v1/threads/{thread}/messages", {"body": "hi"}, 400, "invalid", "client_id"),
        ("POST", "/api/v1/threads/{thread}/messages", {"client_id": "c"}, 400, "invalid", "body"),
        ("POST", "/api/v1/threads/{thread}/messages", {"client_id": 7, "body": "hi"}, 400, "invalid", "client_id"),
        ("POST", "/api/v1/threads/{thread}/messages", {"client_id": "c", "body": "x" * 10_001}, 400, "invalid", "body"),
        ("POST", "/api/v1/threads/{thread}/messages", {"client_id": "c", "body": "\n\n "}, 400, "invalid", "body"),
        ("POST", "/api/v1/threads/999999/messages", {"client_id": "c", "body": "hi"}, 404, "not_found", "thread_id"),
        ("POST", "/api/v1/threads/abc/messages", {"client_id": "c", "body": "hi"}, 404, "not_found", "thread_id"),
        ("PUT", "/api/v1/threads/{thread}/read", {"seq": -1}, 400, "invalid", "seq"),
        ("PUT", "/api/v1/threads/{thread}/read", {"seq": 1.5}, 400, "invalid", "seq"),
        ("PATCH", "/api/v1/messages/999999", {"body": "x"}, 404, "not_found", "message_id"),
        ("GET", "/api/v1/threads/{thread}/messages?limit=0", None, 400, "invalid", "limit"),
        ("GET", "/api/v1/threads/{thread}/messages?limit=201", None, 400, "invalid", "limit"),
        ("GET", "/api/v1/threads/{thread}/messages?before=x", None, 400, "invalid", "before"),
        ("GET", "/api/v1/threads/{thread}/messages?before=3&after=1", None, 400, "invalid", "before"),
        ("GET", "/api/v1/rooms?stage=nonsense", None, 400, "invalid", "stage"),
        ("GET", "/api/v1/rooms/{room}/events?after=-1", None, 400, "invalid", "after"),
        ("GET", "/api/v1/nothing-here", None, 404, "not_found", None),
        ("DELETE", "/api/v1/rooms", None, 405, "method_not_allowed", None),
        ("PATCH", "/api/v1/users/1", {"role": "administrator"}, 403, "forbidden", None),
        # Authorisation before validation: a member learns they may not, not what is wrong.
        ("PATCH", "/api/v1/users/1", {"role": "emperor"}, 403, "forbidden", None),
    ],
)
async def test_bad_input_is_refused_with_a_named_error_and_writes_nothing(alice, thread, method, path, body, status, code, field):
    before = await _counts(alice, thread)
    path = path.format(room=thread["room_id"], thread=thread["id"])
    got_status, data = await alice.call(method, path, json=body)
    assert got_status == status, data
    assert data["error"]["code"] == code
    assert data["error"]["field"] == field
    assert data["error"]["message"]
    assert await _counts(alice, thread) == before


async def test_malformed_json_wrong_content_type_and_oversized_bodies(alice, thread):
    before = await _counts(alice, thread)
    path = f"/api/v1/threads/{thread['id']}/messages"
    status, data = await alice.call("POST", path, data=b"{not json", headers={"Content-Type": "application/json"})
    assert status == 400 and data["error"]["code"] == "malformed_json"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, data = await alice.call("POST", path, data=b"client_id=c&body=hi", headers=form)
    assert status == 400 and data["error"]["code"] == "malformed_json"
    status, data = await alice.call("POST", path, data=b"", headers={"Content-Type": "application/json"})
    assert status == 400 and data["error"]["code"] == "invalid" and data["error"]["field"] is None
    huge = b'{"client_id": "c", "body": "' + b"x" * (300 * 1024) + b'"}'
    status, data = await alice.call("POST", path, data=huge, headers={"Content-Type": "application/json"})
    assert status == 413 and data["error"]["code"] == "too_large"
    assert await _counts(alice, thread) == before
    # A UTF-8 byte order mark before the JSON is allowed (RFC 8259).
    bom = b"\xef\xbb\xbf" + '{"client_id": "bom", "body": "café"}'.encode()
    status, data = await alice.call("POST", path, data=bom, headers={"Content-Type": "application/json"})
    assert status == 201 and data["message"]["body"] == "café"


async def test_a_strangers_or_missing_session_is_unauthenticated(people, alice, thread):
    stranger = people.new_session()
    stranger.cookie_jar.update_cookies({"convene_session": "forged-token-value"}, stranger._base_url)
    for method, path in (("GET", "/api/v1/me"), ("GET", "/api/v1/rooms"), ("POST", f"/api/v1/threads/{thread['id']}/messages")):
        async with stranger.request(method, path, json={"client_id": "x", "body": "x"}) as response:
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "unauthenticated"


async def test_cross_site_writes_are_refused(alice, thread):
    before = await _counts(alice, thread)
    status, data = await alice.call(
        "POST", f"/api/v1/threads/{thread['id']}/messages", json={"client_id": "x", "body": "csrf"}, headers={"Origin": "https://evil.example"}
    )
    assert status == 403 and data["error"]["code"] == "forbidden_origin"
    status, _ = await alice.call("POST", "/api/v1/auth/signout", json={}, headers={"Origin": "https://evil.example"})
    assert status == 403
    assert (await alice.get("/api/v1/me"))["user"]["id"] == alice.id  # still signed in
    assert await _counts(alice, thread) == before
    # The same request from the server's own origin is fine.
    own = str(alice.factory.url)
    path = f"/api/v1/threads/{thread['id']}/messages"
    status, _ = await alice.call("POST", path, json={"client_id": "y", "body": "ok"}, headers={"Origin": own})
    assert status == 201


async def test_security_headers_on_api_pages_and_errors(alice):
    for path in ("/api/v1/me", "/api/v1/nothing", "/", "/healthz"):
        async with alice.http.get(path) as response:
            headers = response.headers
            assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
            assert "script-src 'self'" in headers["Content-Security-Policy"]
            assert headers["X-Content-Type-Options"] == "nosniff"


async def test_session_cookie_is_httponly_and_samesite(people, admin):
    session = people.new_session()
    async with session.post("/api/v1/auth/signin", json={"email": "ada@localdigital.example", "password": "correct horse battery"}) as r:
        assert r.status == 200
        cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # PUBLIC_URL is http in tests; https turns it on
