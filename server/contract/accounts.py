"""Request shapes for accounts: sign-up, confirmation, sign-in, links, roles.

Only the shape and fixed bounds live here; what the values mean (a well-formed
address, a token that exists, who may change a role) is the domain's to decide.
"""

from __future__ import annotations

from server.contract.fields import DisplayName, Email, NewPassword, OrganisationName, Password, Token
from server.contract.requests import Changes, Request
from server.vocabulary import Role


class SignUp(Request, kw_only=True):
    email: Email
    display_name: DisplayName
    organisation: OrganisationName
    password: NewPassword


class SignIn(Request, kw_only=True):
    email: Email
    password: Password


class EmailedToken(Request, kw_only=True):
    """Confirming an address or redeeming a sign-in link."""

    token: Token


class LinkRequest(Request, kw_only=True):
    email: Email


class RoleChange(Changes, kw_only=True):
    """What an administrator changes about a person: the role, whether the account is
    active (false deactivates it: every session ends, on every process), or both."""

    role: Role | None = None
    active: bool | None = None
