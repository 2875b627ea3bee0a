"""Email notification settings, thread mutes and one-click unsubscribe over HTTP."""

from __future__ import annotations

from aiohttp import web

from server.contract.notifications import NotificationChoice, UnsubscribeQuery
from server.domain import notification_settings as settings_
from server.http.common import current_user, ok, path_int, read_body, read_query
from server.http.keys import DATABASE, SETTINGS, TRANSACTIONS

routes = web.RouteTableDef()


@routes.get("/api/v1/me/notifications")
async def get_settings(request: web.Request) -> web.Response:
    user = await current_user(request)
    return ok({"mode": user.notify_mode, "delay_seconds": request.app[SETTINGS].notify_delay_seconds})


@routes.put("/api/v1/me/notifications")
async def put_settings(request: web.Request) -> web.Response:
    user = await current_user(request)
    choice = await read_body(request, NotificationChoice)
    async with request.app[TRANSACTIONS].begin() as tx:
        changed = await settings_.set_mode(tx, user, choice.mode)
    return ok({"mode": changed.notify_mode, "delay_seconds": request.app[SETTINGS].notify_delay_seconds})


@routes.get("/api/v1/threads/{thread_id}/mute")
async def get_mute(request: web.Request) -> web.Response:
    user = await current_user(request)
    thread_id = path_int(request, "thread_id")
    async with request.app[DATABASE].read() as session:
        return ok({"thread_id": thread_id, "muted": await settings_.is_muted(session, user, thread_id)})


@routes.put("/api/v1/threads/{thread_id}/mute")
@routes.delete("/api/v1/threads/{thread_id}/mute")
async def set_mute(request: web.Request) -> web.Response:
    """PUT mutes, DELETE unmutes."""
    user = await current_user(request)
    async with request.app[TRANSACTIONS].begin() as tx:
        thread = await settings_.set_muted(tx, user, path_int(request, "thread_id"), request.method == "PUT")
    return ok({"thread_id": thread.id, "muted": request.method == "PUT"})


@routes.get("/api/v1/unsubscribe")
@routes.post("/api/v1/unsubscribe")
async def unsubscribe(request: web.Request) -> web.Response:
    """No session needed: the signed token is the authority. GET says what the link
    turns off (for the confirmation page; mail scanners fetch links); POST turns it off
    (RFC 8058 one-click: the body ``List-Unsubscribe=One-Click`` is not needed)."""
    token = read_query(request, UnsubscribeQuery).token
    secret = request.app[SETTINGS].secret_key
    if request.method == "POST":
        async with request.app[TRANSACTIONS].begin() as tx:
            found = await settings_.unsubscribe(tx, secret, token)
    else:
        async with request.app[DATABASE].read() as session:
            found = await settings_.read_unsubscribe(session, secret, token)
    return ok(
        {
            "scope": found.scope,
            "done": request.method == "POST",
            "thread_title": found.thread.title if found.thread else None,
            "room_title": found.room.title if found.room else None,
        }
    )
