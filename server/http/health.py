"""GET /healthz: 200 once the database answers, 503 while it does not."""

from __future__ import annotations

from aiohttp import web

from server import __version__
from server.http.keys import DATABASE

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[DATABASE].ping()
    except Exception as exc:
        return web.json_response({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "version": __version__})
