"""Threads and messages over HTTP."""

from __future__ import annotations

from aiohttp import web

from server.contract.messages import MessageEdit, NewMessage, PageQuery, Preview, ReadMarker
from server.domain import access, markdown, messages, rooms, threads
from server.http.common import current_user, ok, path_int, read_body, read_query
from server.http.keys import DATABASE, SEND_QUEUE, SETTINGS, TRANSACTIONS
from server.http.origin import origin_of

routes = web.RouteTableDef()


@routes.get("/api/v1/threads/{thread_id}")
async def get_thread(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"thread": await threads.thread_view(session, user, path_int(request, "thread_id"))})


@routes.get("/api/v1/threads/{thread_id}/messages")
async def thread_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    thread_id = path_int(request, "thread_id")
    q = read_query(request, PageQuery)
    async with request.app[DATABASE].read() as session:
        page = await messages.thread_page(session, user, thread_id, before=q.before, after=q.after, limit=q.limit)
    return ok({"messages": page.messages, "has_more_before": page.has_more_before, "has_more_after": page.has_more_after})


@routes.post("/api/v1/threads/{thread_id}/messages")
async def post_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    thread_id = path_int(request, "thread_id")
    body = await read_body(request, NewMessage)
    posted = await request.app[SEND_QUEUE].send(user.id, thread_id, body.client_id, body.body)
    return ok({"message": posted.message}, status=201 if posted.created else 200)


@routes.put("/api/v1/threads/{thread_id}/follow")
@routes.delete("/api/v1/threads/{thread_id}/follow")
async def follow(request: web.Request) -> web.Response:
    """PUT follows, DELETE unfollows."""
    user = await current_user(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        thread = await threads.set_following(tx, user, path_int(request, "thread_id"), request.method == "PUT")
    async with request.app[DATABASE].read() as session:
        return ok({"thread": await threads.thread_view(session, user, thread.id)})


@routes.put("/api/v1/threads/{thread_id}/read")
async def mark_read(request: web.Request) -> web.Response:
    user = await current_user(request)
    seq = (await read_body(request, ReadMarker)).seq
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        view = await threads.mark_read(tx, user, path_int(request, "thread_id"), seq)
    return ok({"thread": view})


@routes.get("/api/v1/messages/{message_id}")
async def get_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"message": await messages.get_message(session, user, path_int(request, "message_id"))})


@routes.patch("/api/v1/messages/{message_id}")
async def edit_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    settings = request.app[SETTINGS]
    message_id = path_int(request, "message_id")
    body = (await read_body(request, MessageEdit)).body
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        view = await messages.edit_message(tx, user, message_id, body, settings.max_message_chars)
    return ok({"message": view})


@routes.delete("/api/v1/messages/{message_id}")
async def delete_message(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        view = await messages.delete_message(tx, user, path_int(request, "message_id"))
    return ok({"message": view})


@routes.get("/api/v1/messages/{message_id}/history")
async def message_history(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"revisions": await messages.history(session, user, path_int(request, "message_id"))})


@routes.get("/api/v1/messages/{message_id}/trimmed")
async def trimmed_text(request: web.Request) -> web.Response:
    """The author's own view of what was trimmed off their reply by email."""
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"text": await messages.trimmed_text(session, user, path_int(request, "message_id"))})


@routes.post("/api/v1/preview")
async def preview(request: web.Request) -> web.Response:
    """Render a draft exactly as posting would, including mentions of the room's members."""
    user = await current_user(request)
    body = await read_body(request, Preview)
    names: dict[str, int] = {}
    if body.room_id is not None:
        async with request.app[DATABASE].read() as session:
            room, _ = await access.readable_room(session, user, body.room_id)
            names = await rooms.member_names(session, room.id)
    return ok({"html": markdown.render(body.body, names).html})
