"""A person's own account over HTTP: change name and organisation, email (confirmed at
the new address), password (other sessions end), list and end sessions, delete the
account, download their data."""

from __future__ import annotations

from aiohttp import web

from server.contract.accounts import EmailedToken
from server.contract.profile import AccountDeletion, EmailChange, PasswordChange, ProfileChanges
from server.contract.session import SESSION_COOKIE
from server.domain import access, accounts, personal_data, profile
from server.domain.people import load_person, self_view
from server.http.common import clear_session_cookie, current_user, ok, path_int, read_body
from server.http.export_views import stream
from server.http.keys import DATABASE, MAIL_THROTTLE, PASSWORDS, SETTINGS, TRANSACTIONS
from server.http.origin import origin_of
from server.store.models import User

routes = web.RouteTableDef()


def _session_id(request: web.Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    return accounts.hash_token(token) if token else None


async def _verified(request: web.Request, user: User, password: str | None) -> bool:
    """The current password is right (or the account has none: it signs in by link)."""
    return user.password_hash is None or await request.app[PASSWORDS].verify(user.password_hash, password or "")


async def _user_answer(request: web.Request, user_id: int) -> web.Response:
    async with request.app[DATABASE].read() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return ok({"user": self_view(user, await load_person(session, user_id))})


@routes.patch("/api/v1/me")
async def change_profile(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_body(request, ProfileChanges)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await profile.change_profile(tx, user, display_name=body.display_name, organisation=body.organisation)
    return await _user_answer(request, user.id)


@routes.post("/api/v1/me/email")
async def change_email(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_body(request, EmailChange)
    request.app[MAIL_THROTTLE].check(user.email)
    profile.require_current_password(await _verified(request, user, body.current_password))
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await profile.request_email_change(tx, request.app[SETTINGS], user, body.email)
    return ok({"status": "a link is on its way to the new address; your address changes when you follow it"}, status=202)


@routes.post("/api/v1/auth/confirm-email")
async def confirm_email_change(request: web.Request) -> web.Response:
    body = await read_body(request, EmailedToken)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        user = await profile.confirm_email_change(tx, body.token)
    return await _user_answer(request, user.id)


@routes.post("/api/v1/me/password")
async def change_password(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_body(request, PasswordChange)
    profile.require_current_password(await _verified(request, user, body.current_password))
    password_hash = await accounts.hash_new_password(request.app[PASSWORDS], body.new_password)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        ended = await profile.change_password(tx, user, password_hash, _session_id(request))
    return ok({"ended_sessions": ended})


@routes.get("/api/v1/me/sessions")
async def list_sessions(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[DATABASE].read() as session:
        found = await profile.list_sessions(session, user, _session_id(request))
    return ok({"sessions": [s.as_dict() for s in found]})


@routes.delete("/api/v1/me/sessions/{session_id}")
async def end_session(request: web.Request) -> web.Response:
    user = await current_user(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        await profile.end_session(tx, user, request.match_info["session_id"])
    return web.Response(status=204)


@routes.post("/api/v1/me/delete")
async def delete_account(request: web.Request) -> web.Response:
    user = await current_user(request)
    body = await read_body(request, AccountDeletion)
    profile.require_current_password(await _verified(request, user, body.current_password))
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        allowed = request.app[SETTINGS].allow_message_erasure
        await profile.delete_account(tx, user, erase_messages=body.erase_messages, erasure_allowed=allowed)
    response = web.Response(status=204)
    clear_session_cookie(response)
    return response


async def _data(request: web.Request, user_id: int) -> web.StreamResponse:
    actor = await current_user(request)
    async with request.app[TRANSACTIONS].begin(origin_of(request)) as tx:
        subject = await personal_data.authorise(tx, actor, user_id)
    async with request.app[DATABASE].read() as session:
        chunks = personal_data.personal_data_lines(session, subject)
        return await stream(request, chunks, "application/json", f"convene-personal-data-{subject}.json")


@routes.get("/api/v1/me/data")
async def my_data(request: web.Request) -> web.StreamResponse:
    return await _data(request, (await current_user(request)).id)


@routes.get("/api/v1/admin/users/{user_id}/data")
async def someones_data(request: web.Request) -> web.StreamResponse:
    """The administration door: administrators only, even for one's own data (``/api/v1/me/data``)."""
    access.require_administrator(await current_user(request), "export a person's data from the administration screens")
    return await _data(request, path_int(request, "user_id"))
