"""The web front end: assets, npm-installed vendor files, and index.html for every
browser route so deep links and reloads work."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from server.http.keys import SETTINGS

NOT_PAGES = ("/api/", "/socket.io/", "/assets/", "/vendor/", "/healthz")


def add_static_routes(app: web.Application, web_dir: Path) -> None:
    app.router.add_static("/assets/", web_dir / "app", append_version=False)
    vendor = web_dir / "node_modules" / "socket.io-client" / "dist"
    if vendor.is_dir():
        app.router.add_static("/vendor/socket.io/", vendor)
    app.router.add_get("/{tail:.*}", index_page)


async def index_page(request: web.Request) -> web.StreamResponse:
    if request.path.startswith(NOT_PAGES):
        raise web.HTTPNotFound()
    index = request.app[SETTINGS].web_dir / "index.html"
    if not index.is_file():
        return web.Response(status=503, text="The web front end is not installed; see README.md.", content_type="text/plain")
    response = web.FileResponse(index)
    response.headers["Cache-Control"] = "no-cache"
    return response
