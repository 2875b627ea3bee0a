"""Rooms over HTTP: directory, create, settings, membership, threads, catch-up."""

from __future__ import annotations

from typing import Any, Mapping

from aiohttp import web

from server.contract.payload import boolean, integer, query_int, req_string, string, string_list
from server.domain import messages, posting, rooms, threads
from server.domain.errors import NotFound
from server.http.common import current_user, ok, read_json
from server.http.keys import DATABASE, REALTIME, SETTINGS, TRANSACTIONS

routes = web.RouteTableDef()


def _fields(body: Mapping[str, Any]) -> rooms.RoomFields:
    return rooms.RoomFields(
        title=string(body, "title", required=False, max_len=1000),
        slug=string(body, "slug", required=False, max_len=200),
        summary=string(body, "summary", required=False),
        stage=string(body, "stage", required=False, max_len=40),
        visibility=string(body, "visibility", required=False, max_len=40),
        tags=string_list(body, "tags"),
        looking_for_collaborators=boolean(body, "looking_for_collaborators"),
    )


async def _room(request: web.Request, user: Any) -> dict[str, Any]:
    async with request.app[DATABASE].read() as session:
        return await rooms.room_view(session, user, request.match_info["room"])


@routes.get("/api/v1/rooms")
async def directory(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = request.query
    flt = rooms.DirectoryFilter(
        stage=q.get("stage") or None,
        tag=q.get("tag") or None,
        organisation=q.get("organisation") or None,
        text=q.get("q") or None,
        mine=q.get("mine") in ("1", "true"),
    )
    async with request.app[DATABASE].read() as session:
        return ok({"rooms": await rooms.directory(session, user, flt)})


@routes.post("/api/v1/rooms")
async def create_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    fields = _fields(await read_json(request))
    room = await rooms.create_room(request.app[TRANSACTIONS], user, fields, request.app[SETTINGS].max_title_chars)
    request.match_info["room"] = str(room.id)
    return ok({"room": await _room(request, user)}, status=201)


@routes.get("/api/v1/rooms/{room}")
async def get_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    return ok({"room": await _room(request, user)})


@routes.patch("/api/v1/rooms/{room}")
async def update_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    fields = _fields(await read_json(request))
    room = await rooms.update_room(request.app[TRANSACTIONS], user, request.match_info["room"], fields, request.app[SETTINGS].max_title_chars)
    request.match_info["room"] = str(room.id)
    return ok({"room": await _room(request, user)})


@routes.post("/api/v1/rooms/{room}/join")
async def join(request: web.Request) -> web.Response:
    user = await current_user(request)
    await rooms.join_room(request.app[TRANSACTIONS], user, request.match_info["room"])
    return ok({"room": await _room(request, user)})


@routes.post("/api/v1/rooms/{room}/leave")
async def leave(request: web.Request) -> web.Response:
    user = await current_user(request)
    await rooms.leave_room(request.app[TRANSACTIONS], user, request.match_info["room"])
    try:
        return ok({"room": await _room(request, user)})
    except NotFound:  # an invite-only room is out of sight once left
        return ok({"room": None})


@routes.get("/api/v1/rooms/{room}/members")
async def members(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        listed = await rooms.list_members(session, user, request.match_info["room"])
        room, _ = await rooms.readable_room(session, user, request.match_info["room"])
    online = set(request.app[REALTIME].presence.online(room.id))
    return ok({"members": [m | {"online": m["user"]["id"] in online} for m in listed]})


@routes.post("/api/v1/rooms/{room}/members")
async def invite(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request)
    user_id = integer(body, "user_id", required=False, minimum=1)
    email = None if user_id is not None else req_string(body, "email", 254)
    member = await rooms.invite_member(request.app[TRANSACTIONS], user, request.match_info["room"], user_id=user_id, email=email)
    return ok({"member": {"user_id": member.user_id, "role": member.role}}, status=201)


@routes.get("/api/v1/rooms/{room}/threads")
async def list_threads(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"threads": await threads.list_threads(session, user, request.match_info["room"])})


@routes.post("/api/v1/rooms/{room}/threads")
async def start_thread(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request)
    settings = request.app[SETTINGS]
    title = req_string(body, "title", max_len=1000)
    first = string(body, "body", required=False, max_len=settings.max_message_chars)
    client_id = string(body, "client_id", required=False, max_len=64) if first is not None else None
    started = await posting.start_thread(
        request.app[TRANSACTIONS], user, request.match_info["room"], title, first, client_id, settings.max_title_chars, settings.max_message_chars
    )
    async with request.app[DATABASE].read() as session:
        view = await threads.thread_view(session, user, started.thread_id)
    return ok({"thread": view, "message": started.message}, status=201)


@routes.get("/api/v1/rooms/{room}/events")
async def room_events(request: web.Request) -> web.Response:
    user = await current_user(request)
    after = query_int(request.query, "after", default=0) or 0
    async with request.app[DATABASE].read() as session:
        caught = await messages.events_after(session, user, request.match_info["room"], after, request.app[SETTINGS].catchup_limit)
    if caught.resync:
        return ok({"resync": True, "last_seq": caught.last_seq})
    return ok({"events": caught.events, "last_seq": caught.last_seq})
