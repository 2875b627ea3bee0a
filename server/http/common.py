"""What every handler needs: the signed-in user, the JSON body, JSON answers."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import msgspec
from aiohttp import web

from server.contract.decoding import from_json, from_query
from server.contract.errors import MalformedJson
from server.contract.refs import parse_id, parse_room_ref
from server.contract.session import SESSION_COOKIE
from server.domain import accounts
from server.domain.errors import NotFound, Unauthenticated
from server.http.keys import DATABASE, SETTINGS
from server.store.models import User

USER_KEY: web.RequestKey[User | None] = web.RequestKey("user", User | None)  # type: ignore[arg-type]
S = TypeVar("S", bound=msgspec.Struct)


async def read_body(request: web.Request, shape: type[S]) -> S:
    """The JSON body as ``shape`` (``server.contract``); raises with the field named."""
    if request.content_type != "application/json":
        raise MalformedJson("send the body as JSON with Content-Type: application/json")
    return from_json(await request.read(), shape, request.app[SETTINGS])


def read_query(request: web.Request, shape: type[S]) -> S:
    return from_query(request.query.items(), shape, request.app[SETTINGS])


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
    """The id in path segment ``name``; one that cannot exist is simply not found."""
    value = parse_id(request.match_info[name])
    if value is None:
        raise NotFound(f"no such {name.removesuffix('_id')}", name)
    return value


def room_ref(request: web.Request) -> int | str:
    """The ``{room}`` path segment: an id or a slug."""
    ref = parse_room_ref(request.match_info["room"])
    if ref is None:
        raise NotFound("no such room", "room")
    return ref
