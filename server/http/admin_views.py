"""Administration over HTTP (administrators only; the domain checks): people, every
room, transferring a room, sending invitations again. Roles and deactivation use
PATCH /api/v1/users/{id}; organisations their own routes."""

from __future__ import annotations

from aiohttp import web

from server.contract.administration import NewOwner, PeopleQuery
from server.domain import administration
from server.http.common import current_user, ok, path_int, read_body, read_query, room_ref
from server.http.invitation_views import invitation_answer
from server.http.keys import DATABASE, SETTINGS, TRANSACTIONS
from server.http.origin import origin_of

routes = web.RouteTableDef()


@routes.get("/api/v1/admin/users")
async def people(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = read_query(request, PeopleQuery)
    flt = administration.PeopleFilter(text=q.q, role=q.role, active=q.active)
    async with request.app[DATABASE].read() as session:
        found, more = await administration.list_people(session, user, flt, after=q.after, limit=q.limit)
    return ok({"people": found, "has_more": more})


@routes.get("/api/v1/admin/rooms")
async def rooms(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"rooms": await administration.list_rooms(session, user)})


@routes.post("/api/v1/admin/rooms/{room}/owner")
async def transfer(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_body(request, NewOwner)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        room = await administration.transfer_ownership(tx, user, room_ref(request), body.user_id)
    async with request.app[DATABASE].read() as session:
        [shown] = await administration.list_rooms(session, user, only=room.id)
    return ok({"room": shown})


@routes.post("/api/v1/admin/users/{user_id}/resend-invitation")
async def resend(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        outcomes = await administration.resend_invitation(tx, request.app[SETTINGS], user, path_int(request, "user_id"))
    return ok({"results": invitation_answer(outcomes, single=False)["results"]})
