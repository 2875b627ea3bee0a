"""Finding and catching up over HTTP: search, similar rooms, the inbox, mentions."""

from __future__ import annotations

from aiohttp import web

from server.contract.search import InboxRead, MentionsQuery, SearchQuery, SimilarQuery
from server.domain import inbox, search
from server.domain.errors import Invalid
from server.http.common import current_user, ok, read_body, read_query
from server.http.keys import DATABASE, TRANSACTIONS

routes = web.RouteTableDef()


@routes.get("/api/v1/search")
async def search_messages(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = read_query(request, SearchQuery)
    room: int | str | None = int(q.room) if q.room and q.room.isascii() and q.room.isdigit() else q.room
    flt = search.SearchFilter(
        room=room,
        author=q.author,
        organisation=q.organisation,
        since=q.since,
        until=q.until,
        newest_first=q.sort == "newest",
        offset=q.offset,
        limit=q.limit,
    )
    unfiltered = room is None and q.author is None and not q.organisation and q.since is None and q.until is None
    async with request.app[DATABASE].read() as session:
        page = await search.search(session, user, q.q, flt)
        rooms = await search.search_rooms(session, user, q.q) if unfiltered and q.offset == 0 else []
    return ok({"rooms": rooms, "results": page.results, "next_offset": page.next_offset})


@routes.get("/api/v1/similar-rooms")
async def similar_rooms(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = read_query(request, SimilarQuery)
    async with request.app[DATABASE].read() as session:
        return ok({"rooms": await search.similar_rooms(session, user, q.title, q.summary)})


@routes.get("/api/v1/inbox")
async def get_inbox(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        return ok(await inbox.inbox(session, user))


@routes.post("/api/v1/inbox/read")
async def mark_read(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_body(request, InboxRead)
    if body.all == (body.thread_ids is not None):
        raise Invalid("give either thread_ids or all: true", "thread_ids")
    async with request.app[TRANSACTIONS].begin() as tx:
        marked = await inbox.mark_read(tx, user, None if body.all else body.thread_ids)
    return ok({"marked": marked})


@routes.get("/api/v1/mentions")
async def get_mentions(request: web.Request) -> web.Response:
    user = await current_user(request)
    q = read_query(request, MentionsQuery)
    async with request.app[DATABASE].read() as session:
        return ok(await inbox.mentions(session, user, before=q.before, unread_only=q.unread, limit=q.limit))
