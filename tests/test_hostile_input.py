"""Hostile input at the HTTP door (issue 6, items 6 to 8): lone surrogates and NULs in
any string field, JSON nested 50,000 levels deep, ids and cursors far beyond any
stored number. Each is refused with a 4xx naming the field (or 404 for a path), on
every route, on SQLite and PostgreSQL; the server log holds one line per refusal and
no traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

LONE = "x\ud800y"  # aiohttp's json.dumps writes it as the valid JSON text "x\\ud800y"
NUL = "x\x00y"
DEEP = 50_000


@pytest.fixture
async def world(admin, alice):
    """A room, a thread with a message, and an organisation; admin's ids for paths."""
    room = await alice.create_room("Hostile probes", tags=["api"])
    thread = await alice.start_thread(room, "Probes", "first")
    message = (await alice.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"][0]
    org = (await admin.post("/api/v1/organisations", {"name": "Probe Org", "domains": ["probe.example"]}, expect=201))["organisation"]
    return {"room": room["id"], "thread": thread["id"], "message": message["id"], "org": org["id"], "user": alice.id}


ROOM = {"title": "t", "summary": "s", "stage": "live", "visibility": "open", "tags": ["a"]}
# Every write endpoint with a JSON body: (method, path, a valid body, who sends it).
WRITES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/api/v1/auth/signup", {"email": "e@x.example", "display_name": "E", "organisation": "P", "password": "long enough"}, "anon"),
    ("POST", "/api/v1/auth/confirm", {"token": "abc"}, "anon"),
    ("POST", "/api/v1/auth/signin", {"email": "alice@camden.example", "password": "a long passphrase"}, "anon"),
    ("POST", "/api/v1/auth/link", {"email": "alice@camden.example"}, "anon"),
    ("POST", "/api/v1/auth/link/redeem", {"token": "abc"}, "anon"),
    ("POST", "/api/v1/organisations", {"name": "Other Org", "domains": ["other.example"]}, "admin"),
    ("PATCH", "/api/v1/organisations/{org}", {"name": "Renamed Org", "domains": ["probe.example"]}, "admin"),
    ("PATCH", "/api/v1/users/{user}", {"role": "member"}, "admin"),
    ("POST", "/api/v1/rooms", ROOM | {"slug": "s-1"}, "alice"),
    ("PATCH", "/api/v1/rooms/{room}", ROOM | {"slug": "s-2"}, "alice"),
    ("POST", "/api/v1/rooms/{room}/members", {"email": "ada@localdigital.example"}, "alice"),
    ("POST", "/api/v1/rooms/{room}/threads", {"title": "t", "body": "b", "client_id": "c-1"}, "alice"),
    ("POST", "/api/v1/threads/{thread}/messages", {"client_id": "c-2", "body": "b"}, "alice"),
    ("PUT", "/api/v1/threads/{thread}/read", {"seq": 0}, "alice"),
    ("PATCH", "/api/v1/messages/{message}", {"body": "b"}, "alice"),
    ("POST", "/api/v1/preview", {"body": "b", "room_id": 1}, "alice"),
]


def _callers(people, admin, alice) -> dict[str, Any]:
    anon = people.new_session()

    async def anonymous(method: str, path: str, **kw: Any) -> tuple[int, Any]:
        async with anon.request(method, path, **kw) as r:
            return r.status, await r.json() if r.content_type == "application/json" else await r.text()

    return {"anon": anonymous, "admin": admin.call, "alice": alice.call}


def _poisoned(body: dict[str, Any], bad: str) -> list[tuple[str, dict[str, Any]]]:
    """One copy of ``body`` per string in it (list items too) with that string spoilt."""
    out = []
    for name, value in body.items():
        if isinstance(value, str):
            out.append((name, body | {name: bad}))
        elif isinstance(value, list):
            out.append((name, body | {name: [bad]}))
    return out


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not loud, [f"{r.name}: {r.getMessage()}" for r in loud]


@pytest.mark.parametrize("bad", [LONE, NUL], ids=["lone-surrogate", "nul"])
async def test_unstorable_text_in_any_field_is_invalid_and_named(people, admin, alice, world, caplog, bad):
    caplog.set_level(logging.INFO)
    call = _callers(people, admin, alice)
    wrong = []
    for method, path, body, who in WRITES:
        for field, poisoned in _poisoned(body, bad):
            status, data = await call[who](method, path.format(**world), json=poisoned)
            if status != 400 or data["error"] != {"code": "invalid", "field": field, "message": data["error"]["message"]}:
                wrong.append((method, path, field, status, data))
    assert not wrong, wrong
    assert any("refused" in r.getMessage() and "invalid" in r.getMessage() for r in caplog.records if r.levelno == logging.INFO)
    _no_tracebacks(caplog)


@pytest.mark.parametrize("query", ["q", "organisation", "tag"])
@pytest.mark.parametrize("raw", ["%00", "x%ED%A0%80y", "%FF%FE"])
async def test_unstorable_text_in_a_query_is_refused_or_harmless(alice, world, caplog, query, raw):
    caplog.set_level(logging.INFO)
    status, data = await alice.call("GET", f"/api/v1/rooms?{query}={raw}")
    assert status in (200, 400), data
    if status == 400:
        assert data["error"]["field"] == query
    _no_tracebacks(caplog)


async def test_deeply_nested_json_is_refused_on_every_write(people, admin, alice, world, caplog):
    caplog.set_level(logging.INFO)
    call = _callers(people, admin, alice)
    top = ("[" * DEEP + "]" * DEEP).encode()
    wrong = []
    for method, path, body, who in WRITES:
        field = next(iter(body))
        inside = b'{"' + field.encode() + b'": ' + b"[" * DEEP + b"]" * DEEP + b"}"
        unknown = b'{"extra": ' + b'{"a":' * 40_000 + b"1" + b"}" * 40_000 + b"}"
        for raw in (top, inside, unknown):
            status, data = await call[who](method, path.format(**world), data=raw, headers={"Content-Type": "application/json"})
            if status != 400 or data["error"]["code"] != "invalid":
                wrong.append((method, path, raw[:20], status, data))
    assert not wrong, wrong
    _no_tracebacks(caplog)


async def test_brackets_inside_strings_do_not_count_as_nesting(alice, world):
    body = "[" * 4000 + " links like [this](https://example.org) " + "{" * 4000
    status, data = await alice.call("POST", f"/api/v1/threads/{world['thread']}/messages", json={"client_id": "brackets", "body": body})
    assert status == 201, data
    assert data["message"]["body"] == body


HUGE_IDS = ["99999999999999999999", "9223372036854775808", "2147483648", "9" * 5000, "0", "00", "\u00b2", "\u0663"]
HUGE_IDS += ["%00", "%ED%A0%80", "%FF", "a%2Fb", "-", "x" * 81, "x\ud800"]
ID_ROUTES = [
    ("GET", "/api/v1/rooms/{id}", None),
    ("PATCH", "/api/v1/rooms/{id}", {"title": "x"}),
    ("POST", "/api/v1/rooms/{id}/join", {}),
    ("POST", "/api/v1/rooms/{id}/leave", {}),
    ("GET", "/api/v1/rooms/{id}/members", None),
    ("POST", "/api/v1/rooms/{id}/members", {"email": "alice@camden.example"}),
    ("GET", "/api/v1/rooms/{id}/threads", None),
    ("POST", "/api/v1/rooms/{id}/threads", {"title": "x"}),
    ("GET", "/api/v1/rooms/{id}/events", None),
    ("GET", "/api/v1/threads/{id}", None),
    ("GET", "/api/v1/threads/{id}/messages", None),
    ("POST", "/api/v1/threads/{id}/messages", {"client_id": "c", "body": "b"}),
    ("PUT", "/api/v1/threads/{id}/follow", None),
    ("DELETE", "/api/v1/threads/{id}/follow", None),
    ("PUT", "/api/v1/threads/{id}/read", {"seq": 1}),
    ("GET", "/api/v1/messages/{id}", None),
    ("PATCH", "/api/v1/messages/{id}", {"body": "b"}),
    ("DELETE", "/api/v1/messages/{id}", None),
    ("GET", "/api/v1/messages/{id}/history", None),
    ("PATCH", "/api/v1/organisations/{id}", {"name": "n"}),
    ("PATCH", "/api/v1/users/{id}", {"role": "member"}),
]


async def test_ids_out_of_range_in_paths_are_not_found(admin, world, caplog):
    caplog.set_level(logging.INFO)
    wrong = []
    for method, path, body in ID_ROUTES:
        for raw in HUGE_IDS:
            status, data = await admin.call(method, path.format(id=raw), json=body)
            if status != 404 or data["error"]["code"] != "not_found":
                wrong.append((method, path, raw[:24], status, data))
    assert not wrong, wrong
    _no_tracebacks(caplog)


CURSORS = ["99999999999999999999", "9223372036854775808", "2147483648", "9" * 5000, "-1", "1e400", "nan", "0x10"]


async def test_cursors_out_of_range_in_queries_are_invalid_and_named(alice, world, caplog):
    caplog.set_level(logging.INFO)
    wrong = []
    checks = [(f"/api/v1/threads/{world['thread']}/messages", name) for name in ("before", "after", "limit")]
    checks.append((f"/api/v1/rooms/{world['room']}/events", "after"))
    for path, name in checks:
        for raw in CURSORS:
            status, data = await alice.call("GET", f"{path}?{name}={raw}")
            if status != 400 or data["error"]["field"] != name:
                wrong.append((path, name, raw[:24], status, data))
    assert not wrong, wrong
    _no_tracebacks(caplog)


async def test_ids_out_of_range_in_bodies_are_invalid_and_named(alice, world, caplog):
    caplog.set_level(logging.INFO)
    for body, field in (
        ({"body": "b", "room_id": 99999999999999999999}, "room_id"),
        ({"body": "b", "room_id": 2147483648}, "room_id"),
    ):
        status, data = await alice.call("POST", "/api/v1/preview", json=body)
        assert status == 400 and data["error"]["field"] == field, data
    as_json = {"Content-Type": "application/json"}
    status, data = await alice.call("POST", "/api/v1/preview", data=b'{"body": "b", "room_id": 1e400}', headers=as_json)
    assert status == 400 and data["error"]["field"] == "room_id", data
    huge = b'{"seq": ' + b"9" * 5000 + b"}"
    status, data = await alice.call("PUT", f"/api/v1/threads/{world['thread']}/read", data=huge, headers=as_json)
    assert status == 400 and data["error"]["field"] == "seq", data
    status, data = await alice.call("POST", f"/api/v1/rooms/{world['room']}/members", json={"user_id": 9223372036854775808})
    assert status == 400 and data["error"]["field"] == "user_id", data
    _no_tracebacks(caplog)


async def test_the_largest_cursor_is_answered_not_failed(alice, world, backend, request):
    status, data = await alice.call("GET", f"/api/v1/threads/{world['thread']}/messages?after=2147483647")
    assert status == 200, data
