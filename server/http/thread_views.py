"""Threads and messages over HTTP."""

from __future__ import annotations

from aiohttp import web

from server.contract.payload import integer, query_int, req_int, req_string
from server.domain import markdown, messages, rooms, threads
from server.http.common import current_user, ok, path_int, read_json
from server.http.keys import DATABASE, SEND_QUEUE, SETTINGS, TRANSACTIONS

routes = web.RouteTableDef()


@routes.get("/api/v1/threads/{thread_id}")
async def get_thread(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"thread": await threads.thread_view(session, user, path_int(request, "thread_id"))})


@routes.get("/api/v1/threads/{thread_id}/messages")
async def thread_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = request.query
    async with request.app[DATABASE].read() as session:
        page = await messages.thread_page(
            session,
            user,
            path_int(request, "thread_id"),
            before=query_int(q, "before"),
            after=query_int(q, "after"),
            limit=query_int(q, "limit", default=50, minimum=1) or 50,
        )
    return ok({"messages": page.messages, "has_more_before": page.has_more_before, "has_more_after": page.has_more_after})


@routes.post("/api/v1/threads/{thread_id}/messages")
async def post_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_json(request)
    settings = request.app[SETTINGS]
    posted = await request.app[SEND_QUEUE].send(
        user.id,
        path_int(request, "thread_id"),
        req_string(body, "client_id", max_len=64),
        req_string(body, "body", max_len=settings.max_message_chars),
    )
    return ok({"message": posted.message}, status=201 if posted.created else 200)


@routes.put("/api/v1/threads/{thread_id}/follow")
@routes.delete("/api/v1/threads/{thread_id}/follow")
async def follow(request: web.Request) -> web.Response:
    """PUT follows, DELETE unfollows."""
    user = await current_user(request)
    thread = await threads.set_following(request.app[TRANSACTIONS], user, path_int(request, "thread_id"), request.method == "PUT")
    async with request.app[DATABASE].read() as session:
        return ok({"thread": await threads.thread_view(session, user, thread.id)})


@routes.put("/api/v1/threads/{thread_id}/read")
async def mark_read(request: web.Request) -> web.Response:
    user = await current_user(request)
    seq = req_int(await read_json(request), "seq", minimum=0)
    return ok({"thread": await threads.mark_read(request.app[TRANSACTIONS], user, path_int(request, "thread_id"), seq)})


@routes.get("/api/v1/messages/{message_id}")
async def get_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"message": await messages.get_message(session, user, path_int(request, "message_id"))})


@routes.patch("/api/v1/messages/{message_id}")
async def edit_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    settings = request.app[SETTINGS]
    body = req_string(await read_json(request), "body", max_len=settings.max_message_chars)
    async with request.app[TRANSACTIONS].begin() as tx:
        view = await messages.edit_message(tx, user, path_int(request, "message_id"), body, settings.max_message_chars)
    return ok({"message": view})


@routes.delete("/api/v1/messages/{message_id}")
async def delete_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[TRANSACTIONS].begin() as tx:
        view = await messages.delete_message(tx, user, path_int(request, "message_id"))
    return ok({"message": view})


@routes.get("/api/v1/messages/{message_id}/history")
async def message_history(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"revisions": await messages.history(session, user, path_int(request, "message_id"))})


@routes.post("/api/v1/preview")
async def preview(request: web.Request) -> web.Response:
    """Render a draft exactly as posting would, including mentions of the room's members."""
    user = await current_user(request)
    body = await read_json(request)
    source = req_string(body, "body", max_len=request.app[SETTINGS].max_message_chars)
    room_id = integer(body, "room_id", required=False, minimum=1)
    names: dict[str, int] = {}
    if room_id is not None:
        async with request.app[DATABASE].read() as session:
            room, _ = await rooms.readable_room(session, user, room_id)
            names = await rooms.member_names(session, room.id)
    return ok({"html": markdown.render(source, names).html})
