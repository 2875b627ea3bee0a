"""Invitations over HTTP: redeeming an emailed invitation link, and the answer the
invite endpoint (``POST /api/v1/rooms/{room}/members``, in ``room_views``) gives."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from server.contract.invitations import InvitationLook, RedeemInvitation
from server.domain import invitations, rooms
from server.domain.people import load_person, self_view
from server.http.common import ok, read_body, set_session_cookie
from server.http.keys import AUTH_THROTTLE, DATABASE, SETTINGS, TRANSACTIONS
from server.http.origin import origin_of
from server.http.throttle import client_address
from server.store.models import User

routes = web.RouteTableDef()


def invitation_answer(outcomes: list[invitations.Outcome], *, single: bool) -> dict[str, Any]:
    """``{"results": [...]}``, plus ``member`` for a single ``email``/``user_id``."""
    results = []
    for o in outcomes:
        result: dict[str, Any] = {"email": o.email, "outcome": o.outcome, "user_id": o.user_id, "display_name": o.display_name}
        if o.error is not None:
            result["error"] = o.error.as_dict()
        results.append(result)
    answer: dict[str, Any] = {"results": results}
    if single and outcomes and outcomes[0].member is not None:
        answer["member"] = {"user_id": outcomes[0].member.user_id, "role": outcomes[0].member.role}
    return answer


@routes.post("/api/v1/invitations/preview")
async def preview(request: web.Request) -> web.Response:
    request.app[AUTH_THROTTLE].check(client_address(request))
    body = await read_body(request, InvitationLook)
    async with request.app[DATABASE].read() as session:
        return ok(await invitations.invitation_preview(session, body.token))


@routes.post("/api/v1/invitations/redeem")
async def redeem(request: web.Request) -> web.Response:
    request.app[AUTH_THROTTLE].check(client_address(request))
    body = await read_body(request, RedeemInvitation)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        redeemed = await invitations.redeem(tx, request.app[SETTINGS], body.token, body.organisation)
    async with request.app[DATABASE].read() as session:
        person = await session.get(User, redeemed.user_id)
        assert person is not None
        user = self_view(person, await load_person(session, person.id))
        room = await rooms.room_view(session, person, redeemed.room_id)
    response = ok({"user": user, "room": room})
    set_session_cookie(request, response, redeemed.session_token)
    return response
