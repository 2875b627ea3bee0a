"""Accounts: sign-up, confirmation, sign-in (password or emailed link), sessions,
organisations and roles.

Tokens (session cookies, emailed links) are random; only their SHA-256 is stored, so
a leaked database does not hand out sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from server.config import Settings
from server.contract.events import EndSessions, RecheckPerson
from server.domain import audit, events
from server.domain.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from server.domain.mail_body import Action, emailed_link
from server.domain.outbox import queue_mail
from server.domain.passwords import Passwords
from server.store.models import AuthSession, EmailToken, OrganisationDomain, User, UTCDateTime, utcnow
from server.store.transaction import Tx
from server.vocabulary import EMAIL_RE, ROLES

MIN_PASSWORD = 10
MAX_PASSWORD = 1000


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(raw: str, field: str = "email") -> str:
    email = raw.strip()
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise Invalid("enter an email address like name@council.gov.uk", field)
    local, _, domain = email.rpartition("@")
    # Domains are case-insensitive; we also fold the local part, as every mainstream
    # provider does, so PARKING.LEAD@ and parking.lead@ are one person.
    return f"{local.lower()}@{domain.lower()}"


def text_field(value: str, field: str, maximum: int, minimum: int = 1) -> str:
    value = value.strip()
    if len(value) < minimum:
        raise Invalid(f"{field.replace('_', ' ')} is required", field)
    if len(value) > maximum:
        raise Invalid(f"{field.replace('_', ' ')} must be at most {maximum} characters", field)
    return value


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"password must be at least {MIN_PASSWORD} characters", "password")
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"password must be at most {MAX_PASSWORD} characters", "password")


async def needs_setup(session: AsyncSession) -> bool:
    return not (await session.scalar(select(func.count()).select_from(User)))


async def _organisation_for(session: AsyncSession, email: str) -> int | None:
    domain = email.rpartition("@")[2]
    organisation_id: int | None = await session.scalar(
        select(OrganisationDomain.organisation_id).where(OrganisationDomain.domain == domain)
    )
    return organisation_id


async def confirm_address(session: AsyncSession, user: User) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    user.organisation_id = await _organisation_for(session, user.email)


async def _issue_email_token(tx: Tx, cfg: Settings, user: User, purpose: str) -> str:
    token = secrets.token_urlsafe(32)
    tx.session.add(
        EmailToken(
            token_hash=hash_token(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=utcnow() + timedelta(minutes=cfg.token_minutes),
        )
    )
    return token


async def _send_confirmation(tx: Tx, cfg: Settings, user: User) -> None:
    token = await _issue_email_token(tx, cfg, user, "confirm")
    subject = "Confirm your email address for Convene"
    body = emailed_link(
        subject,
        user.display_name,
        "Confirm your address to start posting in Convene.",
        Action("Confirm your address", f"{cfg.public_url}/confirm?token={token}"),
        cfg.token_minutes,
        "sign up",
    )
    queue_mail(tx, user.email, subject, body)


async def _new_session(tx: Tx, cfg: Settings, user: User) -> str:
    token = secrets.token_urlsafe(32)
    tx.session.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=cfg.session_days),
            user_agent=tx.origin.user_agent,
            address=tx.origin.address,
        )
    )
    return token


async def hash_new_password(passwords: Passwords, password: str) -> str:
    """Check a new password and hash it. Called by the door BEFORE it opens the write
    transaction: hashing costs ~50 ms of CPU, which must not hold the write lock."""
    _check_password(password)
    return await passwords.hash(password)


async def signup(tx: Tx, cfg: Settings, *, email: str, display_name: str, organisation: str, password_hash: str) -> tuple[User, str]:
    """Create an account and sign it in. The very first account becomes administrator
    and is confirmed at once (first-run set-up); any other gets a confirmation email.
    Returns the user and a new session token."""
    email = normalise_email(email)
    display_name = text_field(display_name, "display_name", 100)
    organisation = text_field(organisation, "organisation", 200)
    if await tx.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("an account with this email address already exists; sign in instead", "email")
    first = await needs_setup(tx.session)
    user = User(
        email=email,
        display_name=display_name,
        declared_organisation=organisation,
        password_hash=password_hash,
        role="administrator" if first else "member",
    )
    tx.session.add(user)
    await tx.session.flush()
    if first:
        await confirm_address(tx.session, user)
    else:
        await _send_confirmation(tx, cfg, user)
    token = await _new_session(tx, cfg, user)
    return user, token


async def take_email_token(tx: Tx, token: str, purpose: str) -> User:
    row = await tx.session.get(EmailToken, hash_token(token.strip()))
    if row is None or row.purpose != purpose:
        raise Invalid("this link is not valid; ask for a new one", "token")
    if row.used_at is not None:
        raise Invalid("this link has already been used; ask for a new one", "token")
    if row.expires_at <= utcnow():
        raise Invalid("this link has expired; ask for a new one", "token")
    row.used_at = utcnow()
    user = await tx.session.get(User, row.user_id)
    if user is None or user.deactivated_at is not None:
        raise Invalid("this account is no longer active", "token")
    return user


async def confirm_email(tx: Tx, token: str) -> User:
    user = await take_email_token(tx, token, "confirm")
    await confirm_address(tx.session, user)
    return user


async def resend_confirmation(tx: Tx, cfg: Settings, user: User) -> None:
    if user.email_confirmed_at is not None:
        raise Conflict("this address is already confirmed")
    await _send_confirmation(tx, cfg, user)


async def check_credentials(session: AsyncSession, passwords: Passwords, *, email: str, password: str) -> User:
    """The active account with this address and password (read only: the door then
    opens the write transaction for ``start_session``, so the ~50 ms verification
    never holds the write lock). Unknown addresses cost the same time as known ones."""
    email = normalise_email(email)
    user = await session.scalar(select(User).where(User.email == email))
    ok = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok or user.deactivated_at is not None:
        raise Unauthenticated("that email address and password do not match an active account")
    return user


async def start_session(tx: Tx, cfg: Settings, user: User, how: str = "password") -> str:
    """A new signed-in session for ``user`` after ``check_credentials``; returns its
    token (kept only as a hash). Recorded in the audit log."""
    audit.record(tx, "signed-in", actor=user, user_id=user.id, detail=how)
    return await _new_session(tx, cfg, user)


async def record_failed_signin(tx: Tx, email: str) -> None:
    """Record a refused password sign-in (after ``check_credentials`` refused it), with
    the account it named if there is one. The password is never recorded."""
    try:
        address = normalise_email(email)
    except Invalid:
        address = email.strip()[:254]
    user_id = await tx.session.scalar(select(User.id).where(User.email == address))
    audit.record(tx, "sign-in-failed", actor=None, user_id=user_id, detail=f"address: {address}")


async def request_signin_link(tx: Tx, cfg: Settings, email: str) -> None:
    """Email a single-use sign-in link. Says nothing about whether the account exists."""
    email = normalise_email(email)
    user = await tx.session.scalar(select(User).where(User.email == email, User.deactivated_at.is_(None)))
    if user is None:
        return
    token = await _issue_email_token(tx, cfg, user, "signin")
    subject = "Your Convene sign-in link"
    body = emailed_link(
        subject,
        user.display_name,
        "Use this link to sign in to Convene.",
        Action("Sign in to Convene", f"{cfg.public_url}/signin/link?token={token}"),
        cfg.token_minutes,
        "ask for it",
    )
    queue_mail(tx, user.email, subject, body)


async def redeem_signin_link(tx: Tx, cfg: Settings, token: str) -> tuple[User, str]:
    """Sign in with an emailed link; using it also proves the address, so it confirms it."""
    user = await take_email_token(tx, token, "signin")
    await confirm_address(tx.session, user)
    audit.record(tx, "signed-in", actor=user, user_id=user.id, detail="emailed link")
    session_token = await _new_session(tx, cfg, user)
    return user, session_token


def live_session_at(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """A session still valid at ``now``: not signed out, not expired, its person active
    (a condition on ``auth_sessions`` joined to ``users``). ``now`` may be a bound
    parameter, so a statement built once can use it (``server.domain.subscriptions``)."""
    sessions, users = AuthSession.__table__.c, User.__table__.c
    return and_(sessions.revoked_at.is_(None), sessions.expires_at > now, users.deactivated_at.is_(None))


def _live_session() -> ColumnElement[bool]:
    return live_session_at(utcnow())


async def authenticate(session: AsyncSession, token: str | None) -> User | None:
    """The active user behind a session token, or None."""
    signed_in = await session_for_token(session, token)
    return signed_in[0] if signed_in else None


async def session_for_token(session: AsyncSession, token: str | None) -> tuple[User, str] | None:
    """The active user behind a session token and the session's id, or None. Long-lived
    connections keep the id (the token's hash: the token itself stays with the client)
    and re-check it (``user_of_session``) on every event."""
    if not token or len(token) > 200:
        return None
    row = (
        await session.execute(
            select(User, AuthSession.token_hash)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(AuthSession.token_hash == hash_token(token), _live_session())
        )
    ).first()
    return (row[0], str(row[1])) if row else None


_SESSION_OWNER = (
    select(User.__table__.c.id, AuthSession.__table__.c.expires_at)
    .select_from(AuthSession.__table__.join(User.__table__, User.__table__.c.id == AuthSession.__table__.c.user_id))
    .where(AuthSession.__table__.c.token_hash == bindparam("session_id"), live_session_at(bindparam("now", type_=UTCDateTime())))
)


async def session_owner(conn: AsyncConnection, session_id: str) -> tuple[int, datetime] | None:
    """The person of a session (by its id, the token's hash) that is still valid, and
    when it expires; None once it is not. One statement built once: every live
    connection is checked with it at connect, a thousand a second in a reconnect storm."""
    row = (await conn.execute(_SESSION_OWNER, {"session_id": session_id, "now": utcnow()})).first()
    return (row[0], row[1]) if row is not None else None


async def user_of_session(session: AsyncSession, session_id: str) -> User:
    """The active user of a session that is still valid; raises ``Unauthenticated`` once
    it was signed out, expired, or its person deactivated."""
    user = await session.scalar(
        select(User).join(AuthSession, AuthSession.user_id == User.id).where(AuthSession.token_hash == session_id, _live_session())
    )
    if user is None:
        raise Unauthenticated("this session has ended; sign in again")
    return user


async def signout(tx: Tx, token: str) -> None:
    """End one session; its live connections, on every process, are told
    (session.revoked) and closed."""
    row = await tx.session.scalar(select(AuthSession).where(AuthSession.token_hash == hash_token(token), AuthSession.revoked_at.is_(None)))
    if row is None:
        return
    row.revoked_at = utcnow()
    tx.directive(EndSessions(row.user_id, (row.token_hash,), "signed_out"))


async def signout_everywhere(tx: Tx, user: User) -> None:
    """End every session of ``user``; every live connection, on every process, is told
    (session.revoked) and closed."""
    await tx.session.execute(
        update(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)).values(revoked_at=utcnow())
    )
    tx.directive(EndSessions(user.id, None, "signed_out_everywhere"))
    audit.record(tx, "signed-out-everywhere", actor=user, user_id=user.id)


def require_admin(actor: User) -> None:
    if actor.role != "administrator":
        raise Forbidden("only an administrator can do this")


async def change_person(tx: Tx, actor: User, user_id: int, *, role: str | None = None, active: bool | None = None) -> User:
    """Administrators change a person's role and whether their account is active.

    A narrower role may lose rooms: every process re-checks that person's live
    subscriptions. Deactivating ends every session at once (each live connection, on
    every process, is told ``session.revoked`` with reason ``deactivated`` and closed);
    reactivating lets them sign in again. Nobody can demote or deactivate themselves."""
    require_admin(actor)
    if role is not None and role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}", "role")
    user = await tx.session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    if user.deleted_at is not None:
        raise Conflict("this account was deleted by its owner; it cannot be changed", "active" if active is not None else "role")
    if user.id == actor.id and (active is False or (role is not None and role != "administrator")):
        raise Conflict("you cannot remove your own administrator role or deactivate yourself", "active" if active is False else "role")
    if role is not None and user.role != role:
        audit.record(tx, "role-changed", actor=actor, user_id=user.id, detail=f"role: {user.role} -> {role}")
        user.role = role
        tx.directive(RecheckPerson(user.id))
        tx.to_person(user.id, events.role_changed(user.role))
    if active is False and user.deactivated_at is None:
        user.deactivated_at = utcnow()
        await tx.session.execute(
            update(AuthSession).where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)).values(revoked_at=utcnow())
        )
        tx.directive(EndSessions(user.id, None, "deactivated"))
        audit.record(tx, "deactivated", actor=actor, user_id=user.id)
    elif active is True and user.deactivated_at is not None:
        user.deactivated_at = None
        audit.record(tx, "reactivated", actor=actor, user_id=user.id)
    return user


async def create_admin(tx: Tx, *, email: str, display_name: str, organisation: str, password_hash: str) -> User:
    """Command-line set-up: create a confirmed administrator, or promote an existing
    account (``password_hash`` from ``hash_new_password``, made before the transaction)."""
    email = normalise_email(email)
    user = await tx.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            display_name=text_field(display_name, "display_name", 100),
            declared_organisation=text_field(organisation, "organisation", 200),
            password_hash=password_hash,
        )
        tx.session.add(user)
        await tx.session.flush()
    user.role = "administrator"
    await confirm_address(tx.session, user)
    return user
