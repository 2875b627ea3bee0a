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


async def test_components_are_valid_json_schema_generated_from_the_contract(server, people):
    from jsonschema import Draft202012Validator

    async with people.new_session().get("/api/openapi.json") as r:
        doc = await r.json()
    schemas = doc["components"]["schemas"]
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
    for name in ("Person", "Me", "RoomView", "ThreadView", "Message", "Error", "NewMessage", "RoomSettings", "PageQuery"):
        assert name in schemas, name
    assert schemas["RoomView"]["properties"]["stage"]["enum"] and schemas["RoomView"]["additionalProperties"] is False
    # Every operation answers errors in the one documented shape.
    for ops in doc["paths"].values():
        for op in ops.values():
            assert op["responses"]["default"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


async def test_configured_limits_are_documented_and_enforced(start_server, settings):
    from .people import PersonFactory

    server = await start_server(settings, max_message_chars=500, max_title_chars=50)
    people = PersonFactory(server, settings)
    try:
        ada = await people.signup("ada@localdigital.example", "Ada", "LocalGov Digital")
        doc = await ada.get("/api/openapi.json")
        schemas = doc["components"]["schemas"]
        assert schemas["NewMessage"]["properties"]["body"]["maxLength"] == 500
        assert schemas["MessageEdit"]["properties"]["body"]["maxLength"] == 500
        assert schemas["NewThread"]["properties"]["title"]["maxLength"] == 50
        assert {"type": "string", "maxLength": 50}.items() <= schemas["RoomSettings"]["properties"]["title"].items()
        assert {"type": "string", "maxLength": 50}.items() <= schemas["NewRoom"]["properties"]["title"].items()
        assert "x-convene-max-length-setting" not in str(doc)
        room = await ada.create_room("Limits")
        status, data = await ada.call("POST", f"/api/v1/rooms/{room['id']}/threads", json={"title": "t" * 51})
        assert status == 400 and data["error"]["field"] == "title" and "50" in data["error"]["message"]
        thread = await ada.start_thread(room, "t" * 50)
        status, data = await ada.send(thread["id"], "b" * 501, "c-1")
        assert status == 400 and data["error"]["field"] == "body" and "500" in data["error"]["message"]
        status, _ = await ada.send(thread["id"], "b" * 500, "c-1")
        assert status == 201
    finally:
        await people.close()
