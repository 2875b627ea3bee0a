"""The pipeline over HTTP: move a room to another stage, its stage history, the board."""

from __future__ import annotations

from aiohttp import web

from server.contract.pipeline import PipelineQuery, StageMoveRequest
from server.domain import pipeline, pipeline_board, rooms
from server.http.common import current_user, ok, read_body, read_query, room_ref
from server.http.keys import DATABASE, TRANSACTIONS

routes = web.RouteTableDef()


@routes.post("/api/v1/rooms/{room}/stage")
async def move_stage(request: web.Request) -> web.Response:
    user = await current_user(request)
    ref = room_ref(request)
    body = await read_body(request, StageMoveRequest)
    given = body.criteria
    criteria = pipeline.Criteria(given.user_need, given.cost_benefit, given.rapid_success) if given is not None else None
    async with request.app[TRANSACTIONS].begin() as tx:
        moved = await pipeline.move_stage(tx, user, ref, body.stage, body.note, criteria)
    async with request.app[DATABASE].read() as session:
        room = await rooms.room_view(session, user, moved.room_id)
    return ok({"move": moved.move, "room": room}, status=201)


@routes.get("/api/v1/rooms/{room}/stages")
async def stage_history(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok({"moves": await pipeline.stage_history(session, user, room_ref(request))})


@routes.get("/api/v1/pipeline")
async def board(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = read_query(request, PipelineQuery)
    flt = pipeline_board.BoardFilter(tag=q.tag, organisation=q.organisation, kind=q.kind, event=q.event)
    async with request.app[DATABASE].read() as session:
        return ok(await pipeline_board.board(session, user, flt))
