"""Organisations over HTTP: list, create, rename, set the kind and email domains (administrators)."""

from __future__ import annotations

from aiohttp import web

from server.contract.organisations import NewOrganisation, OrganisationChanges
from server.domain import organisations
from server.http.common import current_user, ok, path_int, read_body
from server.http.keys import DATABASE, TRANSACTIONS
from server.http.origin import origin_of

routes = web.RouteTableDef()


@routes.get("/api/v1/organisations")
async def list_organisations(request: web.Request) -> web.Response:
    await current_user(request)
    async with request.app[DATABASE].read() as session:
        orgs = await organisations.list_organisations(session)
    return ok({"organisations": [{"id": o.id, "name": o.name, "domains": [d.domain for d in o.domains], "kind": o.kind} for o in orgs]})


@routes.post("/api/v1/organisations")
async def create_organisation(request: web.Request) -> web.Response:
    actor = await current_user(request)
    body = await read_body(request, NewOrganisation)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        org = await organisations.create_organisation(tx, actor, body.name, body.domains or [], body.kind)
    return ok({"organisation": {"id": org.id, "name": org.name, "domains": [d.domain for d in org.domains], "kind": org.kind}}, status=201)


@routes.patch("/api/v1/organisations/{organisation_id}")
async def update_organisation(request: web.Request) -> web.Response:
    actor = await current_user(request)
    body = await read_body(request, OrganisationChanges)
    org_id = path_int(request, "organisation_id")
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        org = await organisations.update_organisation(tx, actor, org_id, body.name, body.domains, body.kind)
    return ok({"organisation": {"id": org.id, "name": org.name, "domains": [d.domain for d in org.domains], "kind": org.kind}})
