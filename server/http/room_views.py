"""Rooms over HTTP: directory, create, settings, membership, threads, catch-up."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.contract.invitations import InviteRequest
from server.contract.messages import NewThread
from server.contract.rooms import DirectoryQuery, EventsQuery, NewRoom, RoomSettings
from server.domain import access, directory, invitations, messages, posting, rooms, threads
from server.domain.errors import NotFound
from server.http.common import current_user, ok, read_body, read_query, room_ref
from server.http.invitation_views import invitation_answer
from server.http.keys import DATABASE, REALTIME, SETTINGS, TRANSACTIONS
from server.http.origin import origin_of

routes = web.RouteTableDef()


async def _fields(request: web.Request, shape: type[NewRoom] | type[RoomSettings]) -> rooms.RoomFields:
    body: NewRoom | RoomSettings = await read_body(request, shape)
    return rooms.RoomFields(
        title=body.title,
        slug=body.slug,
        summary=body.summary,
        stage=body.stage,
        visibility=body.visibility,
        tags=body.tags,
        looking_for_collaborators=body.looking_for_collaborators,
    )


async def _room(request: web.Request, user: Any, ref: int | str) -> dict[str, Any]:
    async with request.app[DATABASE].read() as session:
        return await rooms.room_view(session, user, ref)


@routes.get("/api/v1/rooms")
async def room_directory(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = read_query(request, DirectoryQuery)
    flt = directory.DirectoryFilter(
        stage=q.stage,
        tag=q.tag,
        organisation=q.organisation,
        text=q.q,
        mine=q.mine,
        looking_for_collaborators=q.looking_for_collaborators,
        cursor=q.cursor,
        limit=q.limit,
    )
    async with request.app[DATABASE].read() as session:
        page = await directory.directory(session, user, flt)
    return ok({"rooms": page.rooms, "next_cursor": page.next_cursor})


@routes.post("/api/v1/rooms")
async def create_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    fields = await _fields(request, NewRoom)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        room = await rooms.create_room(tx, user, fields, request.app[SETTINGS].max_title_chars)
    return ok({"room": await _room(request, user, room.id)}, status=201)


@routes.get("/api/v1/rooms/{room}")
async def get_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    return ok({"room": await _room(request, user, room_ref(request))})


@routes.patch("/api/v1/rooms/{room}")
async def update_room(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    fields = await _fields(request, RoomSettings)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        room = await rooms.update_room(tx, user, ref, fields, request.app[SETTINGS].max_title_chars)
    return ok({"room": await _room(request, user, room.id)})


@routes.post("/api/v1/rooms/{room}/join")
async def join(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await rooms.join_room(tx, user, ref)
    return ok({"room": await _room(request, user, ref)})


@routes.post("/api/v1/rooms/{room}/leave")
async def leave(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await rooms.leave_room(tx, user, ref)
    try:
        return ok({"room": await _room(request, user, ref)})
    except NotFound:  # an invite-only room is out of sight once left
        return ok({"room": None})


@routes.get("/api/v1/rooms/{room}/members")
async def members(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        listed = await rooms.list_members(session, user, room_ref(request))
        room, _ = await access.readable_room(session, user, room_ref(request))
    online = set(request.app[REALTIME].connections.presence.online(room.id))
    return ok({"members": [m | {"online": m["user"]["id"] in online} for m in listed]})


@routes.post("/api/v1/rooms/{room}/members")
async def invite(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    body = await read_body(request, InviteRequest)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        outcomes = await invitations.invite(
            tx, request.app[SETTINGS], user, ref, emails=body.emails, email=body.email, name=body.name, user_id=body.user_id
        )
    return ok(invitation_answer(outcomes, single=body.emails is None), status=201)


@routes.get("/api/v1/rooms/{room}/threads")
async def list_threads(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"threads": await threads.list_threads(session, user, room_ref(request))})


@routes.post("/api/v1/rooms/{room}/threads")
async def start_thread(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    body = await read_body(request, NewThread)
    settings = request.app[SETTINGS]
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        started = await posting.start_thread(
            tx, user, ref, body.title, body.body, body.client_id, settings.max_title_chars, settings.max_message_chars
        )
    async with request.app[DATABASE].read() as session:
        view = await threads.thread_view(session, user, started.thread_id)
    return ok({"thread": view, "message": started.message}, status=201)


@routes.get("/api/v1/rooms/{room}/events")
async def room_events(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    after = read_query(request, EventsQuery).after
    async with request.app[DATABASE].read() as session:
        caught = await messages.events_after(session, user, ref, after, request.app[SETTINGS].catchup_limit)
    if caught.resync:
        return ok({"resync": True, "last_seq": caught.last_seq})
    return ok({"events": caught.events, "last_seq": caught.last_seq})
