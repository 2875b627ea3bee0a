"""Middlewares: security headers on every answer, cross-site write refusal, and one
error shape for the API (never a bare 500 page, never HTML for a JSON client)."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from aiohttp import web

from server.domain.errors import DomainError
from server.http.common import current_user
from server.http.keys import DATABASE, SETTINGS
from server.http.openapi import operation
from server.http.throttle import RateLimited
from server.origins import origin_allowed
from server.store.faults import storage_fault

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
STATUS = {
    "invalid": 400,
    "malformed_json": 400,
    "unauthenticated": 401,
    "unconfirmed": 403,
    "forbidden": 403,
    "forbidden_origin": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "rate_limited": 429,
    "too_large": 413,
    "internal": 500,
    "unavailable": 503,
    "unsupported_media_type": 415,
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def error_response(code: str, message: str, field: str | None = None, status: int | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, "field": field}}, status=status or STATUS.get(code, 400))


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
    if isinstance(response, web.HTTPException):
        raise response
    return response


@web.middleware
async def refuse_cross_site(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in UNSAFE and not request.path.startswith("/socket.io/"):
        settings = request.app[SETTINGS]
        if not origin_allowed(settings, request.headers.get("Origin"), request.scheme, request.host):
            return error_response("forbidden_origin", "cross-site requests that change data are refused")
    return await handler(request)


INPUT_REFUSALS = frozenset({"invalid", "malformed_json", "unsupported_media_type", "too_large"})


async def authorise_first(request: web.Request) -> None:
    """Before answering that a request's input is refused, ask whether its sender may
    call the operation at all, and raise that refusal instead (authorisation before
    validation; see ``server.domain.gates``): signed in unless the operation is public,
    then the operation's gate."""
    route = request.match_info.route
    template = route.resource.canonical if route.resource is not None else ""
    op = operation(template, request.method)
    if op is None or op.public or not template.startswith("/api/"):
        return
    user = await current_user(request)
    if op.who is not None:
        async with request.app[DATABASE].read() as session:
            await op.who(session, user, request.match_info)


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        try:
            return await handler(request)
        except (DomainError, web.HTTPRequestEntityTooLarge) as refused:
            if isinstance(refused, web.HTTPRequestEntityTooLarge) or refused.code in INPUT_REFUSALS:
                await authorise_first(request)
            raise
    except DomainError as error:
        # Bad input is the client's mistake, not ours: one line with the reason, no
        # traceback (a traceback in the log means a defect).
        log.info("refused %s %s: %s (field %s): %s", request.method, request.path, error.code, error.field, error.message)
        response = error_response(error.code, error.message, error.field)
        if isinstance(error, RateLimited):
            response.headers["Retry-After"] = str(error.retry_after)
        return response
    except web.HTTPRequestEntityTooLarge:
        log.info("refused %s %s: too_large", request.method, request.path)
        return error_response("too_large", "the request body is larger than the server accepts", status=413)
    except web.HTTPMethodNotAllowed as exc:
        allowed = ", ".join(sorted(exc.allowed_methods))
        response = error_response("method_not_allowed", f"{request.method} is not allowed here; use {allowed}", status=405)
        response.headers["Allow"] = allowed  # RFC 9110 section 15.5.6: a 405 says what is allowed
        return response
    except web.HTTPNotFound:
        return error_response("not_found", "no such API endpoint", status=404)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error_response(exc.reason.lower().replace(" ", "_"), exc.reason, status=exc.status)
    except Exception as error:
        reason = storage_fault(error)
        if reason is not None:  # the machine, not a defect: one line, and the client retries
            log.warning("refused %s %s: %s (%s)", request.method, request.path, reason, error)
            return error_response("unavailable", f"{reason}; nothing was saved: try again", status=503)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response("internal", "something went wrong on our side; please try again", status=500)
