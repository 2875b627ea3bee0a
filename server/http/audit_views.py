"""The audit log over HTTP (administrators): a page at a time as JSON, or every
matching entry as CSV, streamed."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiohttp import web

from server.contract.audit import AuditQuery
from server.domain import audit
from server.http.common import current_user, ok, read_query
from server.http.keys import DATABASE

routes = web.RouteTableDef()

CSV_COLUMNS = ("id", "at", "action", "actor", "actor_email", "user", "user_email", "room", "organisation", "door", "address", "detail")


def _filter(query: AuditQuery) -> audit.AuditFilter:
    return audit.AuditFilter(person=query.person, action=query.action, room=query.room, since=query.since, until=query.until)


@routes.get("/api/v1/admin/audit")
async def audit_log(request: web.Request) -> web.Response:
    user = await current_user(request)
    query = read_query(request, AuditQuery)
    async with request.app[DATABASE].read() as session:
        page = await audit.list_entries(session, user, _filter(query), before=query.before, limit=query.limit)
    return ok({"entries": page.entries, "has_more": page.has_more})


def _csv_rows(entries: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for e in entries:
        actor, person, room, org = (e["actor"] or {}), (e["user"] or {}), (e["room"] or {}), (e["organisation"] or {})
        writer.writerow(
            [e["id"], e["at"], e["action"], actor.get("display_name", ""), actor.get("email", ""), person.get("display_name", ""),
             person.get("email", ""), room.get("slug", ""), org.get("name", ""), e["door"], e["address"] or "", e["detail"]]
        )  # fmt: skip
    return out.getvalue().encode()


@routes.get("/api/v1/admin/audit.csv")
async def audit_csv(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    flt = _filter(read_query(request, AuditQuery))
    async with request.app[DATABASE].read() as session:
        batches = audit.all_entries(session, user, flt)
        first = await anext(batches, None)  # the permission check runs before any byte is sent
        response = web.StreamResponse(headers={"Content-Disposition": 'attachment; filename="convene-audit.csv"'})
        response.content_type = "text/csv"
        response.charset = "utf-8"
        await response.prepare(request)
        await response.write(",".join(CSV_COLUMNS).encode() + b"\r\n")
        if first is not None:
            await response.write(_csv_rows(first))
            async for batch in batches:
                await response.write(_csv_rows(batch))
    await response.write_eof()
    return response
