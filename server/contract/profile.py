"""A person's own account over HTTP: profile, email, password, sessions, deletion,
and their data."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from server.contract.fields import DisplayName, Email, NewPassword, OrganisationName, Password
from server.contract.requests import Changes, Request
from server.contract.responses import Answer, Time


class ProfileChanges(Changes, kw_only=True):
    """Absent fields stay as they are."""

    display_name: DisplayName | None = None
    organisation: OrganisationName | None = None


class EmailChange(Request, kw_only=True):
    """A link goes to ``email``; the address changes when it is followed.
    ``current_password`` is needed when the account has a password."""

    email: Email
    current_password: Password | None = None


class PasswordChange(Request, kw_only=True):
    """``current_password`` is needed when the account has one; every other session ends."""

    current_password: Password | None = None
    new_password: NewPassword


class AccountDeletion(Request, kw_only=True):
    """``confirm`` must be the word ``delete``; ``current_password`` is needed when the account has one."""

    confirm: Literal["delete"]
    current_password: Password | None = None
    erase_messages: bool = False  # also erase every message they wrote, where ALLOW_MESSAGE_ERASURE permits


SessionId = Annotated[str, Meta(min_length=16, max_length=16, pattern="^[0-9a-f]{16}$", description="a session's id")]


class SignedInSession(Answer):
    """Where the person is signed in: ``device`` from the browser's User-Agent, ``address`` it signed in from."""

    id: str
    device: str
    address: str | None
    signed_in_at: Time
    expires_at: Time
    current: bool


class SessionList(Answer):
    """Newest first."""

    sessions: list[SignedInSession]


class PasswordChanged(Answer):
    """How many other sessions were ended."""

    ended_sessions: int
