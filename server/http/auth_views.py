"""Accounts over HTTP: sign-up, confirmation, sign-in, sign-out, roles."""

from __future__ import annotations

from aiohttp import web

from server.contract.accounts import EmailedToken, LinkRequest, RoleChange, SignIn, SignUp
from server.contract.limits import published_limits
from server.contract.session import SESSION_COOKIE
from server.domain import accounts
from server.domain.errors import Unauthenticated
from server.domain.people import load_person, self_view
from server.http.common import clear_session_cookie, current_user, ok, optional_user, path_int, read_body, set_session_cookie
from server.http.keys import AUTH_THROTTLE, DATABASE, MAIL_THROTTLE, PASSWORDS, SETTINGS, TRANSACTIONS
from server.http.origin import origin_of
from server.http.throttle import client_address
from server.store.models import User

routes = web.RouteTableDef()


async def _me(request: web.Request, user_id: int) -> dict[str, object]:
    async with request.app[DATABASE].read() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return self_view(user, await load_person(session, user_id))


async def _signed_in(request: web.Request, user_id: int, token: str, status: int = 200) -> web.Response:
    response = ok({"user": await _me(request, user_id)}, status=status)
    set_session_cookie(request, response, token)
    return response


@routes.get("/api/v1/setup")
async def setup_state(request: web.Request) -> web.Response:
    async with request.app[DATABASE].read() as session:
        return ok({"needs_setup": await accounts.needs_setup(session)})


@routes.get("/api/v1/session")
async def session_state(request: web.Request) -> web.Response:
    user = await optional_user(request)
    async with request.app[DATABASE].read() as session:
        needs = await accounts.needs_setup(session)
    return ok({
        "user": await _me(request, user.id) if user is not None else None,
        "needs_setup": needs,
        "limits": published_limits(request.app[SETTINGS]),
    })


def _throttle(request: web.Request, email: str | None = None) -> None:
    request.app[AUTH_THROTTLE].check(client_address(request))
    if email is not None:
        request.app[MAIL_THROTTLE].check(email.strip().lower())


@routes.post("/api/v1/auth/signup")
async def signup(request: web.Request) -> web.Response:
    _throttle(request)
    body = await read_body(request, SignUp)
    password_hash = await accounts.hash_new_password(request.app[PASSWORDS], body.password)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        user, token = await accounts.signup(
            tx,
            request.app[SETTINGS],
            email=body.email,
            display_name=body.display_name,
            organisation=body.organisation,
            password_hash=password_hash,
        )
    return await _signed_in(request, user.id, token, status=201)


@routes.post("/api/v1/auth/confirm")
async def confirm(request: web.Request) -> web.Response:
    _throttle(request)
    body = await read_body(request, EmailedToken)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        user = await accounts.confirm_email(tx, body.token)
    return ok({"user": await _me(request, user.id)})


@routes.post("/api/v1/auth/resend-confirmation")
async def resend_confirmation(request: web.Request) -> web.Response:
    user = await current_user(request)
    _throttle(request, user.email)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await accounts.resend_confirmation(tx, request.app[SETTINGS], user)
    return ok({"status": "sent"}, status=202)


@routes.post("/api/v1/auth/signin")
async def signin(request: web.Request) -> web.Response:
    _throttle(request)
    body = await read_body(request, SignIn)
    try:
        async with request.app[DATABASE].read() as session:
            user = await accounts.check_credentials(session, request.app[PASSWORDS], email=body.email, password=body.password)
    except Unauthenticated:
        async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
            await accounts.record_failed_signin(tx, body.email)
        raise
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        token = await accounts.start_session(tx, request.app[SETTINGS], user)
    return await _signed_in(request, user.id, token)


@routes.post("/api/v1/auth/link")
async def request_link(request: web.Request) -> web.Response:
    body = await read_body(request, LinkRequest)
    _throttle(request, body.email)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await accounts.request_signin_link(tx, request.app[SETTINGS], body.email)
    return ok({"status": "if an account uses that address, a sign-in link is on its way"}, status=202)


@routes.post("/api/v1/auth/link/redeem")
async def redeem_link(request: web.Request) -> web.Response:
    _throttle(request)
    body = await read_body(request, EmailedToken)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        user, token = await accounts.redeem_signin_link(tx, request.app[SETTINGS], body.token)
    return await _signed_in(request, user.id, token)


@routes.post("/api/v1/auth/signout")
async def signout(request: web.Request) -> web.Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
            await accounts.signout(tx, token)
    response = web.Response(status=204)
    clear_session_cookie(response)
    return response


@routes.post("/api/v1/auth/signout-everywhere")
async def signout_everywhere(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await accounts.signout_everywhere(tx, user)
    response = web.Response(status=204)
    clear_session_cookie(response)
    return response


@routes.get("/api/v1/me")
async def me(request: web.Request) -> web.Response:
    user = await current_user(request)
    return ok({"user": await _me(request, user.id)})


@routes.patch("/api/v1/users/{user_id}")
async def update_user(request: web.Request) -> web.Response:
    actor = await current_user(request)
    body = await read_body(request, RoleChange)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        user = await accounts.change_person(tx, actor, path_int(request, "user_id"), role=body.role, active=body.active)
    return ok({"user": await _me(request, user.id)})
