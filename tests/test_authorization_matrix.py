"""The authorisation matrix (issue 17, item 16): one table, one row per door (every
operation of the served ``/api/openapi.json``, every Socket.IO event the server
registers a handler for, and the mail doors), and for each row what each of seven
people gets: an administrator, a facilitator, the room's owner, a member, a
non-member, someone signed out and someone deactivated.

The target is an invite-only room (``world.room``) with a thread and a message by its
owner, because that is where the difference between people lies; rows about
matchmaking use an invite-only room looking for collaborators (``world.card``).

A served operation or a registered event without a row fails the test: a new door
cannot be added without deciding who may use it.

One world is built once and every row runs against it in order. Rows that change
state act on objects of their own (a fresh message to delete, a fresh request to
join) or on something harmless (a summary rewritten, a stage moved on); rows that end
sessions run last (``LAST``). Requests carry the person's cookie explicitly through a
cookie jar that keeps nothing, so an answer that sets a cookie (sign in, sign up)
never changes who the next request is from.

Expected answers are written from the rules in ``server.domain.access`` and the README:
hidden rooms look absent (404), a person who may see a room but not do something gets
403, someone not signed in (or deactivated, whose sessions ended) gets 401, and a door
whose authority is a token (unsubscribe, confirmation links, the signed webhook) answers
the same whoever asks.

What it found when first run (each fixed through ``server.domain.access``): PATCH of a
person, an organisation, a room or a message and the administrators' transfer of a room
(and the Socket.IO ``edit``) judged the body before the person (a refused person got 400, not 403 or 404); the
administrators' data door let anyone export their own data; and the only administrator
could delete their account, leaving nobody to administer the site.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import quote

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from server.config import Settings
from server.domain import reply_addresses
from server.domain.notification_settings import unsubscribe_token
from server.http.keys import SIO, TRANSACTIONS
from server.mail.handoff import signature
from server.realtime.server import REFUSED_PACKET

from .people import Person, PersonFactory

ADMIN, FAC, OWNER, MEMBER, OUTSIDER, OUT, GONE = (
    "administrator",
    "facilitator",
    "room owner",
    "member",
    "non-member",
    "signed out",
    "deactivated",
)
ACTORS = (ADMIN, FAC, OWNER, MEMBER, OUTSIDER, OUT, GONE)
SIGNED_IN = (ADMIN, FAC, OWNER, MEMBER, OUTSIDER)
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a different horse battery"
WEBHOOK_SECRET = "matrix-webhook-secret-0123456789"
DOMAIN = "convene.example"
SECRET_WORD = "zanzibarquokka"  # only in the invite-only room: search must not leak it
LAST = 9  # the phase of rows that end sessions or accounts


# ---- expectations ---------------------------------------------------------------------------


def expect(default: int | str, **given: int | str) -> dict[str, int | str]:
    """``default`` for everyone, except those named (``admin=``, ``fac=``, ``owner=``,
    ``member=``, ``outsider=``, ``out=``, ``gone=``)."""
    names = {"admin": ADMIN, "fac": FAC, "owner": OWNER, "member": MEMBER, "outsider": OUTSIDER, "out": OUT, "gone": GONE}
    table: dict[str, int | str] = dict.fromkeys(ACTORS, default)
    for key, value in given.items():
        table[names[key]] = value
    return table


def public(status: int) -> dict[str, int | str]:
    """No session needed: everyone, whoever they are."""
    return expect(status)


def signed_in(status: int) -> dict[str, int | str]:
    return expect(status, out=401, gone=401)


def readers(status: int, **given: int | str) -> dict[str, int | str]:
    """Those who may read the invite-only room; it does not exist for anyone else."""
    return expect(status, **{"outsider": 404, "out": 401, "gone": 401, **given})


def managers(status: int) -> dict[str, int | str]:
    """Its owners, facilitators and administrators; a member sees it but may not."""
    return expect(status, member=403, outsider=404, out=401, gone=401)


def stewards(status: int) -> dict[str, int | str]:
    return expect(403, admin=status, fac=status, out=401, gone=401)


def administrators(status: int) -> dict[str, int | str]:
    return expect(403, admin=status, out=401, gone=401)


# ---- the world ------------------------------------------------------------------------------


@dataclass
class World:
    server: TestServer
    settings: Settings
    factory: PersonFactory
    http: aiohttp.ClientSession  # keeps no cookies: each request says whose it is
    people: dict[str, Person] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)
    room: dict[str, Any] = field(default_factory=dict)  # invite-only
    thread: dict[str, Any] = field(default_factory=dict)
    message: dict[str, Any] = field(default_factory=dict)  # by the owner
    card: dict[str, Any] = field(default_factory=dict)  # invite-only, looking for collaborators
    handed: dict[str, Any] = field(default_factory=dict)  # a room the administrator hands over
    organisation_id: int = 0
    invited_id: int = 0
    subject_id: int = 0  # a member whose role the administrator sets
    event_id: int = 0
    sockets: dict[str, socketio.AsyncClient] = field(default_factory=dict)
    refusals: dict[str, Any] = field(default_factory=dict)
    counter: int = 0

    def unique(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def person(self, actor: str) -> Person:
        return self.people[actor]

    async def fresh_message(self, author: str = MEMBER) -> int:
        """A new message in the thread, for a row that deletes one."""
        status, data = await self.people[author].send(self.thread["id"], "to be deleted", self.unique("victim"))
        assert status == 201, data
        return int(data["message"]["id"])

    async def spare_token(self, actor: str) -> str | None:
        """A second session of the actor's (a second browser), for rows that end one;
        the deactivated and the signed out have none."""
        if actor not in SIGNED_IN:
            return self.tokens[actor]
        body = {"email": self.people[actor].user["email"], "password": PASSWORD}
        async with self.http.post("/api/v1/auth/signin", json=body) as response:
            assert response.status == 200, await response.text()
            return response.cookies["convene_session"].value


@dataclass(frozen=True)
class Call:
    path: str
    json: Any = None
    data: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    token: str | None | bool = True  # True: the actor's own session


Prepare = Callable[[World, str], Awaitable[Call]]
Check = Callable[[World, str, Any], str | None]


@dataclass(frozen=True)
class Row:
    """One door. ``expect`` is the status (HTTP) or outcome (events, mail) per person;
    ``check`` looks inside an answer the status alone would not judge (what a search
    found); ``phase`` orders the run (rows ending sessions run last)."""

    door: str  # "GET /api/v1/rooms/{room}", "socket subscribe", "mail reply"
    prepare: Prepare
    expect: dict[str, int | str]
    check: Check | None = None
    phase: int = 0
    note: str = ""


def at(path: str, json: Any = None, **kw: Any) -> Prepare:
    """A fixed request, with the world's ids filled in: ``{room}``, ``{thread}``,
    ``{message}``, ``{card}``, ``{organisation}``, ``{invited}``, ``{subject}``,
    ``{member}``, ``{event}``."""

    async def prepare(world: World, actor: str) -> Call:
        names = {
            "room": world.room.get("id"),
            "slug": world.room.get("slug"),
            "thread": world.thread.get("id"),
            "message": world.message.get("id"),
            "card": world.card.get("id"),
            "organisation": world.organisation_id,
            "invited": world.invited_id,
            "subject": world.subject_id,
            "member": world.people[MEMBER].id,
            "owner": world.people[OWNER].id,
            "event": world.event_id,
        }
        return Call(path.format(**names), json, **kw)

    return prepare



def sees_secret(world: World, actor: str, data: Any) -> str | None:
    """Search finds the word only in the invite-only room: readers find it, nobody else."""
    if not isinstance(data, dict) or "results" not in data:
        return None
    found = bool(data["results"])
    should = actor in (ADMIN, FAC, OWNER, MEMBER)
    return None if found == should else f"search found the hidden word: {found}, should: {should}"


def lists_room(key: str) -> Check:
    def check(world: World, actor: str, data: Any) -> str | None:
        if not isinstance(data, dict):
            return None
        text = repr(data.get(key))
        listed = f"'slug': '{world.room['slug']}'" in text
        should = actor in (ADMIN, FAC, OWNER, MEMBER)
        return None if listed == should else f"the invite-only room listed: {listed}, should: {should}"

    return check


# ---- REST rows --------------------------------------------------------------------------------


async def _signup(world: World, actor: str) -> Call:
    email = f"{world.unique('newcomer')}@newcomers.example"
    return Call("/api/v1/auth/signup", {"email": email, "display_name": "New Comer", "organisation": "Acme", "password": PASSWORD})


async def _signin(world: World, actor: str) -> Call:
    """Each signs in as themselves; someone signed out with the member's credentials."""
    who = MEMBER if actor == OUT else actor
    return Call("/api/v1/auth/signin", {"email": world.people[who].user["email"], "password": PASSWORD})


async def _own_address(world: World, actor: str) -> Call:
    who = MEMBER if actor == OUT else actor
    return Call("/api/v1/auth/link", {"email": world.people[who].user["email"]})


async def _new_room(world: World, actor: str) -> Call:
    return Call("/api/v1/rooms", {"title": world.unique("Room of")})


async def _invite(world: World, actor: str) -> Call:
    return Call(f"/api/v1/rooms/{world.room['id']}/members", {"email": f"{world.unique('invitee')}@invitees.example"})


async def _new_thread(world: World, actor: str) -> Call:
    return Call(f"/api/v1/rooms/{world.room['id']}/threads", {"title": world.unique("Thread"), "body": "Opening words."})


async def _post(world: World, actor: str) -> Call:
    return Call(f"/api/v1/threads/{world.thread['id']}/messages", {"client_id": world.unique("post"), "body": "Hello."})


async def _delete_message(world: World, actor: str) -> Call:
    return Call(f"/api/v1/messages/{await world.fresh_message()}")


async def _new_organisation(world: World, actor: str) -> Call:
    return Call("/api/v1/organisations", {"name": world.unique("Borough Council")})


STAGES = {ADMIN: "co-design", FAC: "live", OWNER: "co-design"}


async def _move_stage(world: World, actor: str) -> Call:
    return Call(f"/api/v1/rooms/{world.room['id']}/stage", {"stage": STAGES.get(actor, "live"), "note": "moving on"})


async def _ask_to_join(world: World, actor: str) -> Call:
    return Call(f"/api/v1/rooms/{world.card['id']}/join-requests", {"message": "We have this problem too."})


async def _decide(world: World, actor: str, verdict: str) -> Call:
    """A fresh request to join the card room, from a fresh person, for each who decides."""
    asker = await world.factory.signup(f"{world.unique('asker')}@askers.example", "Asker", "Askers Ltd", confirm=True)
    made = await asker.post(f"/api/v1/rooms/{world.card['id']}/join-requests", {"message": "please"}, expect=201)
    return Call(f"/api/v1/join-requests/{made['join_request']['id']}/{verdict}")


async def _accept(world: World, actor: str) -> Call:
    return await _decide(world, actor, "accept")


async def _decline(world: World, actor: str) -> Call:
    return await _decide(world, actor, "decline")


SEED = "event:\n  name: {name}\nrooms:\n  - title: {title}\n    summary: A concept.\n    stage: Discovery\n"
YAML = {"Content-Type": "application/yaml", "X-Filename": "event.yaml"}


async def _seed_preview(world: World, actor: str) -> Call:
    data = SEED.format(name=world.unique("Matrix day"), title=world.unique("Concept")).encode()
    return Call("/api/v1/seed/preview", data=data, headers=YAML)


async def _seed_apply(world: World, actor: str) -> Call:
    """Stewards apply what they previewed; the others are refused before their file is read."""
    data = SEED.format(name=world.unique("Matrix day"), title=world.unique("Concept")).encode()
    digest = "0" * 64
    if actor in (ADMIN, FAC):
        async with world.http.post("/api/v1/seed/preview", data=data, headers=YAML | _cookie(world.tokens[actor])) as r:
            digest = (await r.json())["preview"]
    return Call(f"/api/v1/seed/apply?preview={digest}", data=data, headers=YAML)


async def _email_change(world: World, actor: str) -> Call:
    return Call("/api/v1/me/email", {"email": f"{world.unique('moved')}@moved.example", "current_password": PASSWORD})


async def _end_spare_session(world: World, actor: str) -> Call:
    """Ends a second session of one's own (the session list names it)."""
    spare = await world.spare_token(actor)
    session_id = "0" * 16
    if actor in SIGNED_IN:
        async with world.http.get("/api/v1/me/sessions", headers=_cookie(world.tokens[actor])) as r:
            listed = (await r.json())["sessions"]
        session_id = next(s["id"] for s in listed if not s["current"])
    del spare
    return Call(f"/api/v1/me/sessions/{session_id}")


async def _in_spare_session(world: World, actor: str, path: str, body: Any = None) -> Call:
    return Call(path, body, token=await world.spare_token(actor))


async def _signout(world: World, actor: str) -> Call:
    return await _in_spare_session(world, actor, "/api/v1/auth/signout")


async def _password(world: World, actor: str) -> Call:
    """From a second session: ends every other, the main one included (rows after this use spares)."""
    return await _in_spare_session(world, actor, "/api/v1/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})


async def _signout_everywhere(world: World, actor: str) -> Call:
    if actor not in SIGNED_IN:
        return Call("/api/v1/auth/signout-everywhere")
    body = {"email": world.people[actor].user["email"], "password": NEW_PASSWORD}
    async with world.http.post("/api/v1/auth/signin", json=body) as response:
        assert response.status == 200, await response.text()
        return Call("/api/v1/auth/signout-everywhere", token=response.cookies["convene_session"].value)


async def _delete_account(world: World, actor: str) -> Call:
    if actor not in SIGNED_IN:
        return Call("/api/v1/me/delete", {"confirm": "delete", "current_password": PASSWORD})
    body = {"email": world.people[actor].user["email"], "password": NEW_PASSWORD}
    async with world.http.post("/api/v1/auth/signin", json=body) as response:
        assert response.status == 200, await response.text()
        token = response.cookies["convene_session"].value
    return Call("/api/v1/me/delete", {"confirm": "delete", "current_password": NEW_PASSWORD}, token=token)


async def _unsubscribe(world: World, actor: str) -> Call:
    """The member's own link, whoever follows it: the signed token is the authority."""
    token = unsubscribe_token(world.settings.secret_key, world.people[MEMBER].id, world.thread["id"])
    return Call(f"/api/v1/unsubscribe?token={quote(token)}")


async def _forged_unsubscribe(world: World, actor: str) -> Call:
    token = unsubscribe_token("not-the-server-secret-0123456789", world.people[MEMBER].id, world.thread["id"])
    return Call(f"/api/v1/unsubscribe?token={quote(token)}")


async def _unsigned_mail(world: World, actor: str) -> Call:
    """Sessions are no authority at the webhook: only its signature is."""
    return Call(
        "/api/v1/inbound-mail", data=_reply_mail("0" * 26, world.people[MEMBER].user["email"]), headers={"Content-Type": "message/rfc822"}
    )


async def _hand_over(world: World, actor: str) -> Call:
    """Hand a room of its own to the member (the owner stays the target room's owner)."""
    return Call(f"/api/v1/admin/rooms/{world.handed['id']}/owner", {"user_id": world.people[MEMBER].id})


def _cookie(token: str | None) -> dict[str, str]:
    return {"Cookie": f"convene_session={token}"} if token else {}


ROOM = "/api/v1/rooms/{room}"
THREAD = "/api/v1/threads/{thread}"
MESSAGE = "/api/v1/messages/{message}"
BAD_TOKEN = {"token": "x" * 43}

REST: list[Row] = [
    Row("GET /healthz", at("/healthz"), public(200)),
    Row("GET /api/v1/setup", at("/api/v1/setup"), public(200)),
    Row("POST /api/v1/auth/signup", _signup, public(201), note="anyone may make an account, signed in or not"),
    Row("POST /api/v1/auth/confirm", at("/api/v1/auth/confirm", BAD_TOKEN), public(400)),
    Row("POST /api/v1/auth/resend-confirmation", at("/api/v1/auth/resend-confirmation", {}), signed_in(409)),
    Row("POST /api/v1/auth/signin", _signin, expect(200, gone=401)),
    Row("POST /api/v1/auth/link", _own_address, public(202), note="the same answer for every address: no account is revealed"),
    Row("POST /api/v1/auth/link/redeem", at("/api/v1/auth/link/redeem", BAD_TOKEN), public(400)),
    Row("GET /api/v1/me", at("/api/v1/me"), signed_in(200)),
    Row("GET /api/v1/session", at("/api/v1/session"), public(200), note="who is signed in (or nobody) and the published limits"),
    Row("PATCH /api/v1/me", at("/api/v1/me", {"organisation": "Same Organisation"}), signed_in(200)),
    Row("GET /api/v1/organisations", at("/api/v1/organisations"), signed_in(200)),
    Row("POST /api/v1/organisations", _new_organisation, administrators(201)),
    Row(
        "PATCH /api/v1/organisations/{organisation_id}",
        at("/api/v1/organisations/{organisation}", {"kind": "council"}),
        administrators(200),
    ),
    Row("PATCH /api/v1/users/{user_id}", at("/api/v1/users/{subject}", {"role": "member"}), administrators(200)),
    Row("GET /api/v1/rooms", at("/api/v1/rooms"), signed_in(200), lists_room("rooms")),
    Row("POST /api/v1/rooms", _new_room, signed_in(201)),
    Row("GET /api/v1/rooms/{room}", at(ROOM), readers(200)),
    Row("PATCH /api/v1/rooms/{room}", at(ROOM, {"summary": "Rewritten by the matrix."}), managers(200)),
    Row("POST /api/v1/rooms/{room}/join", at(ROOM + "/join"), readers(200, admin=403, fac=403), note="stewards invite themselves instead"),
    Row("GET /api/v1/rooms/{room}/members", at(ROOM + "/members"), readers(200)),
    Row("POST /api/v1/rooms/{room}/members", _invite, managers(201)),
    Row("POST /api/v1/invitations/preview", at("/api/v1/invitations/preview", BAD_TOKEN), public(400), note="the link is the authority"),
    Row("POST /api/v1/invitations/redeem", at("/api/v1/invitations/redeem", BAD_TOKEN), public(400)),
    Row("GET /api/v1/rooms/{room}/threads", at(ROOM + "/threads"), readers(200)),
    Row("POST /api/v1/rooms/{room}/threads", _new_thread, readers(201)),
    Row("GET /api/v1/rooms/{room}/events", at(ROOM + "/events"), readers(200)),
    Row("GET /api/v1/threads/{thread_id}", at(THREAD), readers(200)),
    Row("GET /api/v1/threads/{thread_id}/messages", at(THREAD + "/messages"), readers(200)),
    Row("POST /api/v1/threads/{thread_id}/messages", _post, readers(201)),
    Row("PUT /api/v1/threads/{thread_id}/follow", at(THREAD + "/follow"), readers(200)),
    Row("DELETE /api/v1/threads/{thread_id}/follow", at(THREAD + "/follow"), readers(200)),
    Row("PUT /api/v1/threads/{thread_id}/read", at(THREAD + "/read", {"seq": 1}), readers(200)),
    Row("GET /api/v1/messages/{message_id}", at(MESSAGE), readers(200), note="the permalink"),
    Row("PATCH /api/v1/messages/{message_id}", at(MESSAGE, {"body": "Edited."}), expect(403, owner=200, outsider=404, out=401, gone=401)),
    Row("DELETE /api/v1/messages/{message_id}", _delete_message, readers(200), note="a fresh message of the member's each time"),
    Row("GET /api/v1/messages/{message_id}/history", at(MESSAGE + "/history"), readers(200)),
    Row(
        "GET /api/v1/messages/{message_id}/trimmed",
        at(MESSAGE + "/trimmed"),
        expect(403, owner=200, outsider=404, out=401, gone=401),
        note="what was trimmed off a reply by email is its author's alone",
    ),
    Row("POST /api/v1/preview", at("/api/v1/preview", {"body": "**hi**"}), signed_in(200)),
    Row("GET /api/v1/me/notifications", at("/api/v1/me/notifications"), signed_in(200)),
    Row("PUT /api/v1/me/notifications", at("/api/v1/me/notifications", {"mode": "delay"}), signed_in(200)),
    Row("GET /api/v1/threads/{thread_id}/mute", at(THREAD + "/mute"), readers(200)),
    Row("PUT /api/v1/threads/{thread_id}/mute", at(THREAD + "/mute"), readers(200)),
    Row("DELETE /api/v1/threads/{thread_id}/mute", at(THREAD + "/mute"), readers(200)),
    Row("GET /api/v1/unsubscribe", _unsubscribe, public(200), note="the token is the authority"),
    Row("GET /api/v1/unsubscribe", _forged_unsubscribe, public(400), note="a token not signed by this server"),
    Row("POST /api/v1/unsubscribe", _forged_unsubscribe, public(400)),
    Row("POST /api/v1/unsubscribe", _unsubscribe, public(200), note="one-click (RFC 8058), no session needed"),
    Row("POST /api/v1/inbound-mail", _unsigned_mail, public(401), note="a session is no authority at the webhook"),
    Row("GET /api/v1/admin/inbound-mail", at("/api/v1/admin/inbound-mail"), administrators(200)),
    Row("GET /api/v1/collaborations", at("/api/v1/collaborations"), signed_in(200)),
    Row("GET /api/v1/collaborations/{room}", at("/api/v1/collaborations/{card}"), signed_in(200)),
    Row("GET /api/v1/collaborations/{room}", at("/api/v1/collaborations/{room}"), readers(200), note="a room not looking is hidden"),
    Row("GET /api/v1/suggestions", at("/api/v1/suggestions"), signed_in(200)),
    Row("GET /api/v1/rooms/{room}/interest", at("/api/v1/rooms/{card}/interest"), signed_in(200)),
    Row("POST /api/v1/rooms/{room}/interest", at("/api/v1/rooms/{card}/interest", {"kind": "same-problem"}), signed_in(200)),
    Row("DELETE /api/v1/rooms/{room}/interest", at("/api/v1/rooms/{card}/interest?kind=same-problem"), signed_in(200)),
    Row("POST /api/v1/rooms/{room}/interest", at(ROOM + "/interest", {"kind": "can-help"}), readers(409)),
    Row("GET /api/v1/rooms/{room}/join-requests", at("/api/v1/rooms/{card}/join-requests"), managers(200)),
    Row("POST /api/v1/rooms/{room}/join-requests", _ask_to_join, expect(409, admin=201, fac=201, outsider=201, out=401, gone=401)),
    Row(
        "POST /api/v1/rooms/{room}/join-requests",
        at(ROOM + "/join-requests", {}),
        expect(409, outsider=404, out=401, gone=401),
        note="a room not looking is hidden",
    ),
    Row(
        "DELETE /api/v1/rooms/{room}/join-requests",
        at("/api/v1/rooms/{card}/join-requests"),
        signed_in(200),
        note="withdrawing is idempotent",
    ),
    Row("POST /api/v1/join-requests/{request_id}/accept", _accept, expect(403, admin=200, fac=200, owner=200, out=401, gone=401)),
    Row("POST /api/v1/join-requests/{request_id}/decline", _decline, expect(403, admin=200, fac=200, owner=200, out=401, gone=401)),
    Row("POST /api/v1/rooms/{room}/stage", _move_stage, managers(201)),
    Row("GET /api/v1/rooms/{room}/stages", at(ROOM + "/stages"), readers(200)),
    Row("GET /api/v1/pipeline", at("/api/v1/pipeline"), signed_in(200), lists_room("columns")),
    Row("POST /api/v1/seed/preview", _seed_preview, stewards(200)),
    Row("POST /api/v1/seed/apply", _seed_apply, stewards(200)),
    Row("GET /api/v1/events", at("/api/v1/events"), signed_in(200)),
    Row("GET /api/v1/events/{event_id}", at("/api/v1/events/{event}"), signed_in(200)),
    Row("GET /api/v1/admin/audit", at("/api/v1/admin/audit"), administrators(200)),
    Row("GET /api/v1/admin/audit.csv", at("/api/v1/admin/audit.csv"), administrators(200)),
    Row("GET /api/v1/rooms/{room}/export", at(ROOM + "/export"), expect(403, admin=200, owner=200, outsider=404, out=401, gone=401)),
    Row("POST /api/v1/me/email", _email_change, signed_in(202)),
    Row("POST /api/v1/auth/confirm-email", at("/api/v1/auth/confirm-email", BAD_TOKEN), public(400)),
    Row("GET /api/v1/me/sessions", at("/api/v1/me/sessions"), signed_in(200)),
    Row("GET /api/v1/me/data", at("/api/v1/me/data"), signed_in(200)),
    Row("GET /api/v1/admin/users", at("/api/v1/admin/users"), administrators(200)),
    Row("GET /api/v1/admin/rooms", at("/api/v1/admin/rooms"), administrators(200)),
    Row(
        "POST /api/v1/admin/rooms/{room}/owner",
        at("/api/v1/admin/rooms/{room}/owner", {"user_id": 0}),
        administrators(400),
        note="authorisation before validation",
    ),
    Row(
        "PATCH /api/v1/users/{user_id}",
        at("/api/v1/users/{subject}", {"role": "emperor"}),
        administrators(400),
        note="authorisation before validation",
    ),
    Row(
        "POST /api/v1/organisations", at("/api/v1/organisations", {"name": ""}), administrators(400), note="authorisation before validation"
    ),
    Row(
        "PATCH /api/v1/organisations/{organisation_id}",
        at("/api/v1/organisations/{organisation}", {"kind": "empire"}),
        administrators(400),
        note="authorisation before validation",
    ),
    Row("PATCH /api/v1/rooms/{room}", at(ROOM, {"visibility": "secret"}), managers(400), note="authorisation before validation"),
    Row(
        "PATCH /api/v1/messages/{message_id}",
        at(MESSAGE, {"body": ""}),
        expect(403, owner=400, outsider=404, out=401, gone=401),
        note="authorisation before validation",
    ),
    Row("POST /api/v1/admin/rooms/{room}/owner", _hand_over, administrators(200)),
    Row("POST /api/v1/admin/users/{user_id}/resend-invitation", at("/api/v1/admin/users/{invited}/resend-invitation"), administrators(200)),
    Row("GET /api/v1/admin/users/{user_id}/data", at("/api/v1/admin/users/{member}/data"), administrators(200)),
    Row("GET /api/v1/search", at(f"/api/v1/search?q={SECRET_WORD}"), signed_in(200), sees_secret),
    Row("GET /api/v1/similar-rooms", at("/api/v1/similar-rooms?title=Matrix+secret+pilot"), signed_in(200), lists_room("rooms")),
    Row("GET /api/v1/inbox", at("/api/v1/inbox"), signed_in(200)),
    Row("POST /api/v1/inbox/read", at("/api/v1/inbox/read", {"thread_ids": []}), signed_in(200)),
    Row("GET /api/v1/mentions", at("/api/v1/mentions"), signed_in(200)),
    # Rows that leave, end sessions or accounts: last, on their own objects.
    Row("POST /api/v1/rooms/{room}/leave", at("/api/v1/rooms/{room}/leave"), readers(200), phase=LAST - 1),
    Row("DELETE /api/v1/me/sessions/{session_id}", _end_spare_session, expect(204, out=401, gone=401), phase=LAST),
    Row("POST /api/v1/auth/signout", _signout, public(204), phase=LAST, note="signing out always succeeds (and clears the cookie)"),
    Row("POST /api/v1/me/password", _password, signed_in(200), phase=LAST),
    Row("POST /api/v1/auth/signout-everywhere", _signout_everywhere, signed_in(204), phase=LAST),
    Row("POST /api/v1/me/delete", _delete_account, expect(204, admin=409, out=401, gone=401), phase=LAST),
]


# ---- Socket.IO rows ---------------------------------------------------------------------------
# The outcome of an event is "ok" or its acknowledgement's error code; someone signed out
# or deactivated never gets a connection ("refused:<code>" from the connect gate).

NO_SOCKET = {OUT: "refused:unauthenticated", GONE: "refused:unauthenticated"}


def socket_expect(default: str, **given: str) -> dict[str, int | str]:
    return {**expect(default, **given), **NO_SOCKET}



def emit(build: Callable[[World, str], Any]) -> Prepare:
    async def prepare(world: World, actor: str) -> Call:
        value = build(world, actor)
        if hasattr(value, "__await__"):
            value = await value
        return Call("", value)

    return prepare


async def _fresh_for_socket(world: World, actor: str) -> dict[str, int]:
    return {"message_id": await world.fresh_message()}


SOCKET: list[Row] = [
    Row("socket connect", emit(lambda w, a: None), socket_expect("ok")),
    Row("socket subscribe", emit(lambda w, a: {"rooms": {str(w.room["id"]): 0}}), socket_expect("ok", outsider="not_found")),
    Row(
        "socket send",
        emit(lambda w, a: {"thread_id": w.thread["id"], "client_id": w.unique("sock"), "body": "Live."}),
        socket_expect("ok", outsider="not_found"),
    ),
    Row(
        "socket edit",
        emit(lambda w, a: {"message_id": w.message["id"], "body": "Edited live."}),
        socket_expect("forbidden", owner="ok", outsider="not_found"),
    ),
    Row(
        "socket edit",
        emit(lambda w, a: {"message_id": w.message["id"], "body": ""}),
        socket_expect("forbidden", owner="invalid", outsider="not_found"),
        note="authorisation before validation",
    ),
    Row("socket delete", emit(_fresh_for_socket), socket_expect("ok", outsider="not_found")),
    Row("socket typing", emit(lambda w, a: {"thread_id": w.thread["id"]}), socket_expect("ok", outsider="not_found")),
    Row("socket read", emit(lambda w, a: {"thread_id": w.thread["id"], "seq": 1}), socket_expect("ok", outsider="not_found")),
    Row("socket unsubscribe", emit(lambda w, a: {"room_id": w.room["id"]}), socket_expect("ok")),
    Row(
        f"socket {REFUSED_PACKET}",
        emit(lambda w, a: {"reason": "sent by a client", "field": None}),
        socket_expect("invalid"),
        note="a client may name the reserved event: it is refused as a bad packet",
    ),
    Row("socket *", emit(lambda w, a: {"anything": 1}), socket_expect("unknown_event"), note="any other event name"),
    Row("socket disconnect", emit(lambda w, a: None), socket_expect("ok")),
]


# ---- mail rows --------------------------------------------------------------------------------
# Each person mails from their own address (someone signed out: a stranger's address);
# the outcome is the webhook's answer: "posted" or "refused:<reason>".

STRANGER = "stranger@elsewhere.example"


def _reply_mail(token: str, sender: str, subject: str = "Re: the thread", to: str | None = None) -> bytes:
    return (
        f"From: <{sender}>\r\nTo: <{to or f'reply+{token}@{DOMAIN}'}>\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@mail.example>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nAnswered by email.\r\n"
    ).encode()


def _sender(world: World, actor: str) -> str:
    return STRANGER if actor == OUT else str(world.people[actor].user["email"])


async def _mail_reply(world: World, actor: str) -> Call:
    """A reply to a notification's reply address: the person's own token (someone signed
    out: a stranger replying with the member's)."""
    owner = MEMBER if actor == OUT else actor
    async with world.server.app[TRANSACTIONS].begin() as tx:
        token = await reply_addresses.issue(tx, world.people[owner].id, world.thread["id"])
    return Call("", data=_reply_mail(token, _sender(world, actor)))


async def _mail_room(world: World, actor: str) -> Call:
    """A new thread by mailing the room's address."""
    return Call("", data=_reply_mail("", _sender(world, actor), world.unique("By mail"), to=f"{world.room['slug']}@{DOMAIN}"))


MAIL: list[Row] = [
    Row("mail reply", _mail_reply, expect("posted", outsider="refused:not_member", out="refused:wrong_sender", gone="refused:inactive")),
    Row(
        "mail room address",
        _mail_room,
        expect("posted", outsider="refused:unknown_room", out="refused:unknown_sender", gone="refused:unknown_sender"),
    ),
]

ROWS: list[Row] = REST + SOCKET + MAIL
# ---- building the world -----------------------------------------------------------------------


async def build(world: World) -> None:
    f = world.factory
    admin = await f.signup("ada@localdigital.example", "Ada Admin", "LocalGov Digital")
    fac = await f.signup("fay@localdigital.example", "Fay Facilitator", "LocalGov Digital", confirm=True)
    owner = await f.signup("olu@camden.example", "Olu Owner", "Camden Council", confirm=True)
    member = await f.signup("mo@bristol.example", "Mo Member", "Bristol City Council", confirm=True)
    outsider = await f.signup("nia@leeds.example", "Nia Outsider", "Leeds City Council", confirm=True)
    gone = await f.signup("dee@acme.example", "Dee Departed", "Acme Supplies", confirm=True)
    subject = await f.signup("sam@kent.example", "Sam Subject", "Kent County Council", confirm=True)
    await admin.call("PATCH", f"/api/v1/users/{fac.id}", json={"role": "facilitator"}, expect=200)
    world.people = {ADMIN: admin, FAC: fac, OWNER: owner, MEMBER: member, OUTSIDER: outsider, GONE: gone}
    world.subject_id = subject.id
    world.room = await owner.create_room("Matrix secret pilot", visibility="invite", tags=["matrix"])
    world.handed = await owner.create_room("Matrix hand-over")
    world.card = await owner.create_room("Matrix wants partners", visibility="invite", looking_for_collaborators=True, tags=["matrix"])
    for email in (member.user["email"], gone.user["email"]):
        await owner.post(f"/api/v1/rooms/{world.room['id']}/members", {"email": email}, expect=201)
    await owner.post(f"/api/v1/rooms/{world.card['id']}/members", {"email": member.user["email"]}, expect=201)
    world.thread = await owner.start_thread(world.room, "Which keeper fields?", f"The word is {SECRET_WORD}.")
    status, data = await owner.send(world.thread["id"], "The owner's message.", "owner-1")
    assert status == 201, data
    world.message = data["message"]
    invited = await owner.post(f"/api/v1/rooms/{world.room['id']}/members", {"email": "ivy@invited.example"}, expect=201)
    world.invited_id = invited["results"][0]["user_id"]
    org = await admin.post("/api/v1/organisations", {"name": "Matrix Council", "domains": []}, expect=201)
    world.organisation_id = org["organisation"]["id"]
    data_ = SEED.format(name="Matrix launch day", title="Seeded concept").encode()
    async with admin.http.post("/api/v1/seed/preview", data=data_, headers=YAML) as r:
        digest = (await r.json())["preview"]
    async with admin.http.post(f"/api/v1/seed/apply?preview={digest}", data=data_, headers=YAML) as r:
        assert r.status == 200, await r.text()
    world.event_id = (await admin.get("/api/v1/events"))["events"][0]["id"]
    await admin.call("PATCH", f"/api/v1/users/{gone.id}", json={"active": False}, expect=200)
    world.tokens = {actor: person.token for actor, person in world.people.items()} | {OUT: None}


# ---- running rows -----------------------------------------------------------------------------


async def run_rest(world: World, row: Row, actor: str) -> tuple[int | str, Any]:
    call = await row.prepare(world, actor)
    token = world.tokens[actor] if call.token is True else call.token
    method, _, _ = row.door.partition(" ")
    headers = {**call.headers, **_cookie(token if isinstance(token, str) else None)}
    async with world.http.request(method, call.path, json=call.json, data=call.data, headers=headers) as response:
        data = await response.json() if response.content_type == "application/json" else await response.text()
        if response.content_type == "application/json":
            await world.factory.check_answer(method, response.url.path, response.status, data)
        return response.status, data


async def run_socket(world: World, row: Row, actor: str) -> tuple[int | str, Any]:
    event = row.door.removeprefix("socket ")
    if actor in world.refusals:
        refusal = world.refusals[actor]
        return f"refused:{(refusal.get('data') or {}).get('code')}", refusal
    client = world.sockets[actor]
    if event == "connect":
        return ("ok" if client.connected else "closed"), None
    if event == "disconnect":
        await client.disconnect()
        return ("ok" if not client.connected else "still connected"), None
    payload = (await row.prepare(world, actor)).json
    answer = await client.call("matrix-unknown" if event == "*" else event, payload, timeout=10)
    if not answer.get("ok"):
        return str(answer["error"]["code"]), answer
    if event == "subscribe":
        room = answer["rooms"][str(world.room["id"])]
        return (str(room["error"]["code"]) if "error" in room else "ok"), answer
    return "ok", answer


async def connect_sockets(world: World) -> None:
    for actor in ACTORS:
        client = socketio.AsyncClient(reconnection=False)
        refusal: dict[str, Any] = {}

        @client.on("connect_error")
        async def refused(data: Any, refusal: dict[str, Any] = refusal) -> None:
            refusal.update(data if isinstance(data, dict) else {"code": str(data)})

        try:
            await client.connect(world.factory.url, headers=_cookie(world.tokens[actor]), transports=["websocket"], wait_timeout=5)
            world.sockets[actor] = client
        except socketio.exceptions.ConnectionError:
            world.refusals[actor] = refusal


async def run_mail(world: World, row: Row, actor: str) -> tuple[int | str, Any]:
    body = (await row.prepare(world, actor)).data
    assert body is not None
    stamp = int(time.time())
    headers = {
        "Content-Type": "message/rfc822",
        "X-Convene-Timestamp": str(stamp),
        "X-Convene-Signature": signature(WEBHOOK_SECRET, stamp, body),
    }
    async with world.http.post("/api/v1/inbound-mail", data=body, headers=headers) as response:
        data = await response.json()
        if response.status != 200:
            return response.status, data
    outcome = data["outcome"] if data["outcome"] != "refused" else f"refused:{data['reason']}"
    return outcome, data


def served_doors(document: dict[str, Any], handlers: dict[str, Any]) -> set[str]:
    """Every operation of the served document and every registered Socket.IO event."""
    operations = {
        f"{method.upper()} {path}"
        for path, ops in document["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }
    return operations | {f"socket {event}" for event in handlers}


@pytest.fixture
async def server(start_server: Any, settings: Settings) -> TestServer:
    """The real app with the signed webhook on, and no cooling-off between invitations."""
    return await start_server(
        settings, inbound_webhook_secret=WEBHOOK_SECRET, mail_domain=DOMAIN, invitation_cooling_off_hours=0, auth_attempts_per_10min=100000
    )


@pytest.mark.timeout(180)
async def test_each_person_gets_exactly_what_they_should_at_every_door(
    server: TestServer, settings: Settings, people: PersonFactory
) -> None:
    """Every door, every person: the table above, with every served door covered."""
    async with people.new_session().get("/api/openapi.json") as r:
        document = await r.json()
    handlers = server.app[SIO].handlers["/"]
    doors = served_doors(document, handlers)
    tabled = {row.door for row in ROWS if not row.door.startswith("mail ")}
    assert not doors - tabled, f"doors without a row in the matrix: {sorted(doors - tabled)}"
    assert not tabled - doors, f"rows for doors the server does not have: {sorted(tabled - doors)}"
    for row in ROWS:
        assert set(row.expect) == set(ACTORS), row.door

    http = aiohttp.ClientSession(base_url=people.url, cookie_jar=aiohttp.DummyCookieJar())
    world = World(server, settings, people, http)
    problems: list[str] = []
    try:
        await build(world)
        await connect_sockets(world)
        ordered = sorted(REST, key=lambda row: row.phase)
        runs: list[tuple[list[Row], Callable[[World, Row, str], Awaitable[tuple[int | str, Any]]]]] = [
            ([r for r in ordered if r.phase < LAST - 1], run_rest),
            (SOCKET, run_socket),
            (MAIL, run_mail),
            ([r for r in ordered if r.phase >= LAST - 1], run_rest),
        ]
        for rows, runner in runs:
            for row in rows:
                for actor in ACTORS:
                    got, answer = await runner(world, row, actor)
                    wanted = row.expect[actor]
                    if got != wanted:
                        problems.append(f"{row.door} [{row.note}] as {actor}: got {got}, expected {wanted}: {str(answer)[:200]}")
                    elif row.check is not None and (problem := row.check(world, actor, answer)):
                        problems.append(f"{row.door} as {actor}: {problem}")
    finally:
        for client in world.sockets.values():
            if client.connected:
                await client.disconnect()
        await http.close()
    assert not problems, "\n".join(problems)
