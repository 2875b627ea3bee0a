"""The web front end through the real server: the page names versioned asset URLs and
is revalidated on every load; the assets it names, and every module they import, are
served from that version with a year-long immutable cache; other versions are 404."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import aiohttp
from yarl import URL

from server.http.static import load_assets

WEB = Path(__file__).resolve().parents[1] / "web"
IMMUTABLE = "public, max-age=31536000, immutable"
IMPORT = re.compile(r"""(?:^|[;\s])(?:import|export)\b[^'"`;]*?\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']""", re.M)


async def fetch(session: aiohttp.ClientSession, path: str) -> tuple[int, dict[str, str], str]:
    async with session.get(path, allow_redirects=False) as r:
        return r.status, dict(r.headers), await r.text()


async def test_page_names_versioned_assets_and_is_not_cached(server, people):
    session = people.new_session()
    for path in ("/", "/r/some-room/t/3", "/signin?next=/"):
        status, headers, html = await fetch(session, path)
        assert status == 200, path
        assert headers["Content-Type"].startswith("text/html")
        assert headers["Cache-Control"] == "no-cache"
    urls = re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)
    assert {url.rsplit("/", 1)[1] for url in urls} == {"style.css", "main.js"}
    versions = {url.split("/")[2] for url in urls}
    assert len(versions) == 1 and re.fullmatch(r"[0-9a-f]{16}", versions.pop())
    assert '"/assets/main.js"' not in html and '"/assets/style.css"' not in html


async def test_every_module_the_page_loads_is_immutable_under_the_same_version(server, people):
    session = people.new_session()
    _, _, html = await fetch(session, "/")
    entry = re.search(r'<script type="module" src="(/assets/([0-9a-f]+)/main\.js)"', html)
    assert entry, html
    prefix = f"/assets/{entry.group(2)}/"
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheet and stylesheet.group(1) == prefix + "style.css"
    status, headers, _ = await fetch(session, stylesheet.group(1))
    assert status == 200 and headers["Cache-Control"] == IMMUTABLE and headers["Content-Type"].startswith("text/css")

    # Walk the module graph from main.js as a browser would.
    seen: set[str] = set()
    todo = [entry.group(1)]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        status, headers, source = await fetch(session, url)
        assert status == 200, url
        assert headers["Cache-Control"] == IMMUTABLE, url
        assert "javascript" in headers["Content-Type"], (url, headers["Content-Type"])
        if url.endswith(".min.js"):
            continue  # the vendored bundle imports nothing
        for match in IMPORT.finditer(source):
            specifier = match.group(1) or match.group(2)
            assert specifier.startswith("./") or specifier.startswith("../"), f"{url} imports {specifier!r}: not versioned"
            resolved = str(URL("http://x" + url).join(URL(specifier)).path)
            assert resolved.startswith(prefix), (url, specifier, resolved)
            todo.append(resolved)
    assert prefix + "realtime.js" in seen
    assert prefix + "vendor/socket.io/socket.io.esm.min.js" in seen
    assert len(seen) > 10


async def test_other_versions_and_unversioned_paths_are_not_found(server, people):
    session = people.new_session()
    _, _, html = await fetch(session, "/")
    version = re.search(r"/assets/([0-9a-f]{16})/main\.js", html).group(1)  # type: ignore[union-attr]
    for path in (
        "/assets/main.js",
        "/assets/0123456789abcdef/main.js",
        f"/assets/{version}/no-such-module.js",
        f"/assets/{version}/..%2F..%2Fpyproject.toml",
        f"/assets/{version}/vendor/socket.io/../../package.json",
        "/vendor/socket.io/socket.io.esm.min.js",
    ):
        status, headers, body = await fetch(session, path)
        assert status == 404, path
        assert "<html" not in body.lower(), path
        assert headers.get("Cache-Control") != IMMUTABLE, path


def test_the_version_follows_the_content(tmp_path: Path):
    web = tmp_path / "web"
    shutil.copytree(WEB / "app", web / "app")
    shutil.copy(WEB / "index.html", web / "index.html")
    first = load_assets(web)
    assert load_assets(web).version == first.version  # stable across restarts
    assert first.page is not None and f'src="/assets/{first.version}/main.js"'.encode() in first.page
    (web / "app" / "dom.js").write_text((web / "app" / "dom.js").read_text() + "\n// changed\n")
    changed = load_assets(web)
    assert changed.version != first.version
    assert changed.page is not None and f"/assets/{changed.version}/main.js".encode() in changed.page
