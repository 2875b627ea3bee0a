"""What every handler needs: the signed-in user, the JSON body, JSON answers."""

from __future__ import annotations

import json
from typing import Any, Mapping

from aiohttp import web

from server.contract.payload import require_object
from server.contract.session import SESSION_COOKIE
from server.domain import accounts
from server.domain.errors import DomainError, Unauthenticated
from server.http.keys import DATABASE, SETTINGS
from server.store.models import User

USER_KEY = web.RequestKey("user", User | None)  # type: ignore[arg-type]


class BadBody(DomainError):
    code = "malformed_json"


async def read_json(request: web.Request) -> Mapping[str, Any]:
    if request.content_type != "application/json":
        raise BadBody("send the body as JSON with Content-Type: application/json")
    raw = await request.read()
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadBody("the body is not valid JSON") from None
    return require_object(data)


async def optional_user(request: web.Request) -> User | None:
    if USER_KEY not in request:
        async with request.app[DATABASE].read() as session:
            request[USER_KEY] = await accounts.authenticate(session, request.cookies.get(SESSION_COOKIE))
    user: User | None = request[USER_KEY]
    return user


async def current_user(request: web.Request) -> User:
    user = await optional_user(request)
    if user is None:
        raise Unauthenticated("sign in first")
    return user


def ok(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    settings = request.app[SETTINGS]
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.secure_cookies,
        path="/",
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")


def path_int(request: web.Request, name: str) -> int:
    raw = request.match_info[name]
    if not raw.isdigit() or len(raw) > 15:
        from server.domain.errors import NotFound

        raise NotFound(f"no such {name.removesuffix('_id')}", name)
    return int(raw)
