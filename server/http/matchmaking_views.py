"""Matchmaking over HTTP: the board of rooms looking for collaborators, interest by
organisation, requests to join, and suggestions (``server.domain.matchmaking``,
``interest``, ``join_requests``)."""

from __future__ import annotations

from aiohttp import web

from server.contract.matchmaking import AskToJoin, CollaborationQuery, InterestChoice
from server.domain import interest, join_requests, matchmaking
from server.http.common import current_user, ok, path_int, read_body, read_query, room_ref
from server.http.keys import DATABASE, SETTINGS, TRANSACTIONS

routes = web.RouteTableDef()


@routes.get("/api/v1/collaborations")
async def collaboration_board(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = read_query(request, CollaborationQuery)
    async with request.app[DATABASE].read() as session:
        return ok({"rooms": await matchmaking.board(session, user, q.tag, q.kind)})


@routes.get("/api/v1/collaborations/{room}")
async def collaboration_card(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok(await matchmaking.collaboration(session, user, room_ref(request)))


@routes.get("/api/v1/suggestions")
async def suggestions(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"suggestions": await matchmaking.suggestions(session, user)})


async def _interest_answer(request: web.Request, ref: int | str) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"interest": await interest.interest_view(session, user, ref)})


@routes.get("/api/v1/rooms/{room}/interest")
async def room_interest(request: web.Request) -> web.Response:
    return await _interest_answer(request, room_ref(request))


@routes.post("/api/v1/rooms/{room}/interest")
async def show_interest(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    body = await read_body(request, InterestChoice)
    async with request.app[TRANSACTIONS].begin() as tx:
        room = await interest.show_interest(tx, request.app[SETTINGS], user, ref, body.kind)
    return await _interest_answer(request, room.id)


@routes.delete("/api/v1/rooms/{room}/interest")
async def withdraw_interest(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    choice = read_query(request, InterestChoice)
    async with request.app[TRANSACTIONS].begin() as tx:
        room = await interest.withdraw_interest(tx, request.app[SETTINGS], user, ref, choice.kind)
    return await _interest_answer(request, room.id)


@routes.post("/api/v1/rooms/{room}/join-requests")
async def ask_to_join(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    body = await read_body(request, AskToJoin)
    async with request.app[TRANSACTIONS].begin() as tx:
        asked = await join_requests.ask_to_join(tx, request.app[SETTINGS], user, ref, body.message)
    return ok({"join_request": asked}, status=201)


@routes.delete("/api/v1/rooms/{room}/join-requests")
async def withdraw_join_request(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    async with request.app[TRANSACTIONS].begin() as tx:
        await join_requests.withdraw_request(tx, user, ref)
    async with request.app[DATABASE].read() as session:
        return ok(await matchmaking.collaboration(session, user, ref))


@routes.get("/api/v1/rooms/{room}/join-requests")
async def pending_join_requests(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"join_requests": await join_requests.pending_requests(session, user, room_ref(request))})


async def _decide(request: web.Request, accept: bool) -> web.Response:
    user = await current_user(request)
    request_id = path_int(request, "request_id")
    async with request.app[TRANSACTIONS].begin() as tx:
        decided = await join_requests.decide(tx, request.app[SETTINGS], user, request_id, accept)
    return ok({"join_request": decided})


@routes.post("/api/v1/join-requests/{request_id}/accept")
async def accept_join_request(request: web.Request) -> web.Response:
    return await _decide(request, accept=True)


@routes.post("/api/v1/join-requests/{request_id}/decline")
async def decline_join_request(request: web.Request) -> web.Response:
    return await _decide(request, accept=False)
