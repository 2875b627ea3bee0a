"""The web front end: versioned assets, the vendored Socket.IO client, and index.html
for every browser route so deep links and reloads work.

Every asset is served under ``/assets/<version>/``, where the version is a hash of
everything the browser may load (``web/index.html``, ``web/app/`` and the vendored
client), computed once at start-up. Those answers are cached for a year and marked
immutable; the page itself is ``no-cache`` and names the current version. Modules
import each other by relative URL, so a whole module graph comes from one version:
after a deploy a browser never runs new modules beside old ones. A request for
another version (a page from before the deploy) is a 404, never today's file under
yesterday's name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

NOT_PAGES = ("/api/", "/socket.io/", "/assets/", "/vendor/", "/healthz")
ASSET_CACHE = "public, max-age=31536000, immutable"
PAGE_CACHE = "no-cache"
VENDOR_PREFIX = "vendor/socket.io/"
VENDOR_FILES = ("socket.io.esm.min.js", "socket.io.esm.min.js.map")
_ASSET_URL = re.compile(r'((?:src|href)=")/assets/')


@dataclass(frozen=True)
class WebAssets:
    """What the browser loads, fixed at start-up."""

    version: str
    app_dir: Path
    vendor: dict[str, Path]
    page: bytes | None  # index.html with versioned URLs; None when not installed

    def file(self, relative: str) -> Path | None:
        """The file behind ``/assets/<version>/<relative>``, or None; never outside
        ``web/app`` or the vendored files."""
        if relative.startswith(VENDOR_PREFIX):
            return self.vendor.get(relative.removeprefix(VENDOR_PREFIX))
        root = self.app_dir.resolve()
        try:
            path = (root / relative).resolve()
        except (OSError, ValueError):
            return None
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path


def load_assets(web_dir: Path) -> WebAssets:
    """Hash every file the browser may load and write the version into the page."""
    app_dir = web_dir / "app"
    dist = web_dir / "node_modules" / "socket.io-client" / "dist"
    vendor = {name: dist / name for name in VENDOR_FILES if (dist / name).is_file()}
    index = web_dir / "index.html"
    files: list[tuple[str, Path]] = []
    if app_dir.is_dir():
        files += [(path.relative_to(app_dir).as_posix(), path) for path in app_dir.rglob("*") if path.is_file()]
    files += [(VENDOR_PREFIX + name, path) for name, path in vendor.items()]
    if index.is_file():
        files.append(("../index.html", index))
    digest = hashlib.sha256()
    for name, path in sorted(files):
        digest.update(name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    version = digest.hexdigest()[:16]
    page = None
    if index.is_file():
        page = _ASSET_URL.sub(rf"\g<1>/assets/{version}/", index.read_text(encoding="utf-8")).encode()
    return WebAssets(version, app_dir, vendor, page)


ASSETS = web.AppKey("web_assets", WebAssets)


def add_static_routes(app: web.Application, web_dir: Path) -> None:
    app[ASSETS] = load_assets(web_dir)
    app.router.add_get("/assets/{version}/{path:.+}", asset)
    # The page answers every other path, but not the prefixes of NOT_PAGES: a wrong
    # method on /api/v1/rooms must be told the API route's methods (405 with Allow),
    # not GET as well because the page would have answered it.
    not_pages = "|".join(re.escape(prefix.removeprefix("/")) for prefix in NOT_PAGES)
    app.router.add_get(f"/{{tail:(?!{not_pages}).*}}", index_page)


async def asset(request: web.Request) -> web.StreamResponse:
    assets = request.app[ASSETS]
    path = assets.file(request.match_info["path"]) if request.match_info["version"] == assets.version else None
    if path is None:
        raise web.HTTPNotFound(headers={"Cache-Control": "no-store"})
    response = web.FileResponse(path)
    response.headers["Cache-Control"] = ASSET_CACHE
    return response


async def index_page(request: web.Request) -> web.StreamResponse:
    if request.path.startswith(NOT_PAGES):
        raise web.HTTPNotFound()
    page = request.app[ASSETS].page
    if page is None:
        return web.Response(status=503, text="The web front end is not installed; see README.md.", content_type="text/plain")
    return web.Response(body=page, content_type="text/html", charset="utf-8", headers={"Cache-Control": PAGE_CACHE})
