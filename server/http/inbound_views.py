"""Inbound mail over HTTP: the signed webhook (mail services, and the hand-off from
``mail-listen`` / ``mail-in``; see ``server.mail.handoff``) and the administrators' record."""

from __future__ import annotations

from aiohttp import web

from server.config import Settings
from server.contract.inbound import InboundQuery
from server.domain import inbound_record
from server.domain.errors import DomainError, Forbidden, NotFound, Unauthenticated
from server.domain.inbound import InboundConfig, InboundPipeline, TryLater
from server.http.common import current_user, ok, read_query
from server.http.keys import DATABASE, SEND_QUEUE, SETTINGS, TRANSACTIONS
from server.http.middleware import error_response
from server.mail.handoff import PATH, Verifier, fresh, handoff_key
from server.vocabulary import MAIL_DOORS, MailDoor

routes = web.RouteTableDef()


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class TooLarge(DomainError):
    code = "too_large"


def _keys(settings: Settings) -> dict[str, str]:
    keys = {"handoff": handoff_key(settings.secret_key)}
    if settings.inbound_webhook_secret:
        keys["webhook"] = settings.inbound_webhook_secret
    return keys


async def _signed_body(request: web.Request, settings: Settings) -> tuple[bytes, str]:
    """The body (at most one byte beyond INBOUND_MAX_BYTES is kept: more is too large anyway)
    and the name of the key that signed it. Unsigned: 404 while the webhook is disabled, else 401."""
    enabled = settings.inbound_webhook_secret is not None
    stamp, given = request.headers.get("X-Convene-Timestamp", ""), request.headers.get("X-Convene-Signature", "")
    if not stamp or not given:
        raise (
            Unauthenticated("sign the request (X-Convene-Timestamp, X-Convene-Signature)") if enabled else NotFound("no such API endpoint")
        )
    if request.content_type != "message/rfc822":
        raise UnsupportedMediaType("send the raw message with Content-Type: message/rfc822")
    verifier, kept, size = Verifier(_keys(settings), stamp), bytearray(), 0
    keep, ceiling = settings.inbound_max_bytes + 1, 4 * settings.inbound_max_bytes + (1 << 20)
    async for chunk in request.content.iter_chunked(64 * 1024):
        verifier.update(chunk)
        size += len(chunk)
        if size > ceiling:
            raise TooLarge("the message is far larger than INBOUND_MAX_BYTES")
        kept += chunk[: max(0, keep - len(kept))]
    signer = verifier.matching(given)
    if signer is None:
        raise Unauthenticated("the signature does not match") if enabled else NotFound("no such API endpoint")
    if not fresh(stamp):
        raise Forbidden("X-Convene-Timestamp is more than 5 minutes away from the server's clock", "X-Convene-Timestamp")
    return bytes(kept), signer


@routes.post(PATH)
async def receive(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    raw, signer = await _signed_body(request, settings)
    claimed = request.headers.get("X-Convene-Door", "")
    door: MailDoor = claimed if signer == "handoff" and claimed in MAIL_DOORS else "webhook"
    envelope_from = request.headers.get("X-Convene-Envelope-From")
    envelope_to = [a.strip() for a in request.headers.get("X-Convene-Envelope-To", "").split(",") if a.strip()]
    pipeline = InboundPipeline(
        request.app[DATABASE], request.app[TRANSACTIONS], request.app[SEND_QUEUE], InboundConfig.from_settings(settings)
    )
    try:
        handled = await pipeline.receive(raw, envelope_from=envelope_from, envelope_to=envelope_to, door=door)
    except TryLater:
        response = error_response("unavailable", "the message could not be handled now; retry later", status=503)
        response.headers["Retry-After"] = "60"
        return response
    return ok(handled.as_dict())


@routes.get("/api/v1/admin/inbound-mail")
async def record(request: web.Request) -> web.Response:
    user = await current_user(request)
    query = read_query(request, InboundQuery)
    async with request.app[DATABASE].read() as session:
        page = await inbound_record.list_records(session, user, outcome=query.outcome, before=query.before, limit=query.limit)
    return ok({"records": page.items, "has_more": page.has_more})
