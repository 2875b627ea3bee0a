"""Exports over HTTP: a room or thread as a Markdown or JSON download, streamed (room
owners and administrators; the export is recorded in the audit log)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from server.contract.exports import ExportQuery
from server.domain import export
from server.http.common import current_user, read_query, room_ref
from server.http.keys import DATABASE, TRANSACTIONS
from server.http.origin import origin_of

routes = web.RouteTableDef()

MEDIA = {"md": "text/markdown", "json": "application/json"}


async def stream(request: web.Request, chunks: AsyncIterator[str], media: str, filename: str) -> web.StreamResponse:
    """Send ``chunks`` as an attachment, as they come (never the whole text in memory)."""
    response = web.StreamResponse(headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    response.content_type = media
    response.charset = "utf-8"
    await response.prepare(request)
    buffer: list[str] = []
    size = 0
    async for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size >= 64 * 1024:
            await response.write("".join(buffer).encode())
            buffer, size = [], 0
    await response.write("".join(buffer).encode())
    await response.write_eof()
    return response


@routes.get("/api/v1/rooms/{room}/export")
async def export_room(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    query = read_query(request, ExportQuery)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        target = await export.authorise_export(tx, user, room_ref(request), query.thread, query.format)
    async with request.app[DATABASE].read() as session:
        name = f"{target.slug}{f'-thread-{query.thread}' if query.thread else ''}.{query.format}"
        return await stream(request, export.export_lines(session, target, query.format), MEDIA[query.format], name)
