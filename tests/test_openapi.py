"""The OpenAPI document describes exactly the routes the server serves."""

from __future__ import annotations

import re


async def test_openapi_matches_the_router(server, people):
    session = people.new_session()
    async with session.get("/api/openapi.json") as r:
        assert r.status == 200
        doc = await r.json()
    assert doc["openapi"].startswith("3.1")
    described = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    served = set()
    for route in server.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if path and (path.startswith("/api/v1/") or path == "/healthz") and route.method != "HEAD":
            served.add((route.method, path))
    assert described == served
    # Every $ref resolves.
    text = str(doc)
    for ref in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert ref in doc["components"]["schemas"], ref


async def test_healthz(server, people):
    async with people.new_session().get("/healthz") as r:
        assert r.status == 200
        body = await r.json()
    assert body["status"] == "ok" and body["database"] == "ok"
