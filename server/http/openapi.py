"""GET /api/openapi.json: the OpenAPI 3.1 description of the REST API.

A test compares it with the router, so a route cannot be added without being
described here (or described without being served).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server import __version__

openapi_routes = web.RouteTableDef()


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
NTIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(["error"], error=_obj(["code", "message"], code=STR, message=STR, field={"type": ["string", "null"]})),
    "Person": _obj(
        ["id", "display_name", "organisation", "role"],
        id=INT,
        display_name=STR,
        organisation=_obj(["name", "verified"], name=STR, verified=BOOL),
        role={"enum": ["administrator", "facilitator", "member"]},
    ),
    "Me": {"allOf": [_ref("Person"), _obj(["email", "email_confirmed"], email=STR, email_confirmed=BOOL, active=BOOL)]},
    "Room": _obj(
        ["id", "slug", "title", "stage", "visibility"],
        id=INT,
        slug=STR,
        title=STR,
        summary=STR,
        summary_html=STR,
        stage={"enum": ["discovery", "co-design", "incubation", "live", "archived"]},
        visibility={"enum": ["open", "invite"]},
        tags={"type": "array", "items": STR},
        looking_for_collaborators=BOOL,
        member_count=INT,
        last_seq=INT,
        created_at=TIME,
        last_activity_at=TIME,
        membership={"enum": ["owner", "member", None]},
        unread_count=INT,
        can_manage=BOOL,
    ),
    "RoomInput": _obj(
        [],
        title={"type": "string", "maxLength": 200},
        slug={"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        summary={"type": "string", "maxLength": 20000},
        stage={"enum": ["discovery", "co-design", "incubation", "live", "archived"]},
        visibility={"enum": ["open", "invite"]},
        tags={"type": "array", "items": {"type": "string", "maxLength": 40}, "maxItems": 20},
        looking_for_collaborators=BOOL,
    ),
    "Thread": _obj(
        ["id", "room_id", "title", "seq", "message_count"],
        id=INT,
        room_id=INT,
        title=STR,
        seq=INT,
        created_by={"oneOf": [_ref("Person"), {"type": "null"}]},
        created_at=TIME,
        last_activity_at=TIME,
        message_count=INT,
        unread_count=INT,
        following=BOOL,
        last_read_seq=INT,
    ),
    "Message": _obj(
        ["id", "room_id", "thread_id", "seq", "client_id", "author", "body", "html", "created_at", "deleted"],
        id=INT,
        room_id=INT,
        thread_id=INT,
        seq=INT,
        client_id=STR,
        author=_ref("Person"),
        body=STR,
        html=STR,
        created_at=TIME,
        edited_at=NTIME,
        deleted=BOOL,
        mentions={"type": "array", "items": INT},
    ),
    "Event": _obj(["type", "room_id"], type=STR, room_id=INT, seq=INT),
}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    if schema is None:
        return {"description": description}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _answer("invalid input; `field` names it", _ref("Error")),
    "401": _answer("not signed in", _ref("Error")),
    "403": _answer("not allowed, unconfirmed address, or cross-site request", _ref("Error")),
    "404": _answer("no such thing (or not visible to you)", _ref("Error")),
}


def _op(summary: str, ok: dict[str, Any], *, body: dict[str, Any] | None = None, params: list[str] = (), query: dict[str, Any] | None = None, extra: dict[str, Any] | None = None, status: str = "200") -> dict[str, Any]:  # type: ignore[assignment]
    op: dict[str, Any] = {"summary": summary, "responses": {status: ok, **ERRORS, **(extra or {})}}
    parameters = [{"name": p, "in": "path", "required": True, "schema": STR if p == "room" else INT} for p in params]
    for name, schema in (query or {}).items():
        parameters.append({"name": name, "in": "query", "required": False, "schema": schema})
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = _body(body)
    return op


USER = _answer("the signed-in user; sets the session cookie", _obj(["user"], user=_ref("Me")))
ROOM = _answer("the room", _obj(["room"], room=_ref("Room")))
THREAD = _answer("the thread", _obj(["thread"], thread=_ref("Thread")))
MESSAGE = _answer("the message", _obj(["message"], message=_ref("Message")))
EMPTY = _answer("done")
CONFLICT = {"409": _answer("conflict", _ref("Error"))}
LIMITED = {"429": _answer("too many attempts from this address (or for this email); see Retry-After", _ref("Error"))}
V = "/api/v1"

PATHS: dict[str, dict[str, Any]] = {
    "/healthz": {"get": {"summary": "Health", "responses": {"200": _answer("database answers", _obj(["status"], status=STR)), "503": _answer("database down")}}},
    f"{V}/setup": {"get": _op("Whether first-run set-up is needed", _answer("state", _obj(["needs_setup"], needs_setup=BOOL)))},
    f"{V}/auth/signup": {
        "post": _op(
            "Sign up (the first account becomes administrator)",
            USER,
            status="201",
            body=_obj(["email", "display_name", "organisation", "password"], email=STR, display_name={"type": "string", "maxLength": 100}, organisation={"type": "string", "maxLength": 200}, password={"type": "string", "minLength": 10}),
            extra=CONFLICT | LIMITED,
        )
    },
    f"{V}/auth/confirm": {"post": _op("Confirm an email address with the emailed token", USER, body=_obj(["token"], token=STR), extra=LIMITED)},
    f"{V}/auth/resend-confirmation": {"post": _op("Send the confirmation email again", EMPTY, status="202", extra=CONFLICT | LIMITED)},
    f"{V}/auth/signin": {"post": _op("Sign in with a password", USER, body=_obj(["email", "password"], email=STR, password=STR), extra=LIMITED)},
    f"{V}/auth/link": {"post": _op("Email a single-use sign-in link", EMPTY, status="202", body=_obj(["email"], email=STR), extra=LIMITED)},
    f"{V}/auth/link/redeem": {"post": _op("Sign in with an emailed link", USER, body=_obj(["token"], token=STR), extra=LIMITED)},
    f"{V}/auth/signout": {"post": _op("Sign out this session", _answer("signed out"), status="204")},
    f"{V}/auth/signout-everywhere": {"post": _op("Revoke every session of this account", _answer("signed out"), status="204")},
    f"{V}/me": {"get": _op("The signed-in user", USER)},
    f"{V}/organisations": {
        "get": _op("Organisations", _answer("list", _obj(["organisations"], organisations={"type": "array"}))),
        "post": _op("Create an organisation (administrators)", _answer("created"), status="201", body=_obj(["name"], name=STR, domains={"type": "array", "items": STR}), extra=CONFLICT),
    },
    f"{V}/organisations/{{organisation_id}}": {
        "patch": _op("Rename an organisation or replace its domains (administrators)", _answer("updated"), params=["organisation_id"], body=_obj([], name=STR, domains={"type": "array", "items": STR}), extra=CONFLICT)
    },
    f"{V}/users/{{user_id}}": {"patch": _op("Change a person's role (administrators)", USER, params=["user_id"], body=_obj(["role"], role={"enum": ["administrator", "facilitator", "member"]}))},
    f"{V}/rooms": {
        "get": _op(
            "Room directory",
            _answer("rooms", _obj(["rooms"], rooms={"type": "array", "items": _ref("Room")})),
            query={"stage": STR, "tag": STR, "organisation": STR, "q": STR, "mine": STR},
        ),
        "post": _op("Create a room (you become its owner)", ROOM, status="201", body=_ref("RoomInput"), extra=CONFLICT),
    },
    f"{V}/rooms/{{room}}": {
        "get": _op("A room by id or slug", ROOM, params=["room"]),
        "patch": _op("Change a room (owners, facilitators, administrators)", ROOM, params=["room"], body=_ref("RoomInput"), extra=CONFLICT),
    },
    f"{V}/rooms/{{room}}/join": {"post": _op("Join an open room", ROOM, params=["room"])},
    f"{V}/rooms/{{room}}/leave": {"post": _op("Leave a room", ROOM, params=["room"])},
    f"{V}/rooms/{{room}}/members": {
        "get": _op("Members with organisation and presence", _answer("members", _obj(["members"], members={"type": "array"})), params=["room"]),
        "post": _op("Invite an existing account", _answer("member"), status="201", params=["room"], body=_obj([], email=STR, user_id=INT)),
    },
    f"{V}/rooms/{{room}}/threads": {
        "get": _op("Threads by latest activity", _answer("threads", _obj(["threads"], threads={"type": "array", "items": _ref("Thread")})), params=["room"]),
        "post": _op(
            "Start a thread, optionally with its first message",
            _answer("thread", _obj(["thread"], thread=_ref("Thread"), message={"oneOf": [_ref("Message"), {"type": "null"}]})),
            status="201",
            params=["room"],
            body=_obj(["title"], title={"type": "string", "maxLength": 200}, body=STR, client_id=STR),
        ),
    },
    f"{V}/rooms/{{room}}/events": {
        "get": _op(
            "Durable room events after a sequence number (catch-up)",
            _answer("events or resync", _obj(["last_seq"], events={"type": "array", "items": _ref("Event")}, last_seq=INT, resync=BOOL)),
            params=["room"],
            query={"after": INT},
        )
    },
    f"{V}/threads/{{thread_id}}": {"get": _op("A thread", THREAD, params=["thread_id"])},
    f"{V}/threads/{{thread_id}}/messages": {
        "get": _op(
            "A page of messages, ascending by seq",
            _answer("page", _obj(["messages", "has_more_before", "has_more_after"], messages={"type": "array", "items": _ref("Message")}, has_more_before=BOOL, has_more_after=BOOL)),
            params=["thread_id"],
            query={"before": INT, "after": INT, "limit": {"type": "integer", "minimum": 1, "maximum": 200}},
        ),
        "post": _op(
            "Post a message (idempotent by client_id; 200 returns the stored one on a retry)",
            MESSAGE,
            status="201",
            params=["thread_id"],
            body=_obj(["client_id", "body"], client_id={"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,64}$"}, body={"type": "string", "maxLength": 10000}),
            extra={"200": MESSAGE, **CONFLICT},
        ),
    },
    f"{V}/threads/{{thread_id}}/follow": {
        "put": _op("Follow a thread", THREAD, params=["thread_id"]),
        "delete": _op("Unfollow a thread", THREAD, params=["thread_id"]),
    },
    f"{V}/threads/{{thread_id}}/read": {"put": _op("Move your read marker forward", THREAD, params=["thread_id"], body=_obj(["seq"], seq=INT))},
    f"{V}/messages/{{message_id}}": {
        "get": _op("A message", MESSAGE, params=["message_id"]),
        "patch": _op("Edit your message (history kept)", MESSAGE, params=["message_id"], body=_obj(["body"], body=STR), extra=CONFLICT),
        "delete": _op("Delete a message (tombstone)", MESSAGE, params=["message_id"], extra=CONFLICT),
    },
    f"{V}/messages/{{message_id}}/history": {"get": _op("Earlier versions of an edited message", _answer("revisions", _obj(["revisions"], revisions={"type": "array"})), params=["message_id"])},
    f"{V}/preview": {"post": _op("Render Markdown exactly as posting would", _answer("html", _obj(["html"], html=STR)), body=_obj(["body"], body=STR, room_id=INT))},
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Convene", "version": __version__, "description": "Rooms and threads for teams that span organisations. See docs/protocol.md for Socket.IO."},
        "servers": [{"url": "/"}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "convene_session"}},
        },
        "security": [{"session": []}],
        "paths": PATHS,
    }


@openapi_routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())
