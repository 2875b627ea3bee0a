"""Shapes for invitations: inviting people to a room by address (with or without an
account), and redeeming the emailed invitation link.

``POST /api/v1/rooms/{room}/members`` takes ``{"emails": [...]}`` (one request for a
whole list) and, for compatibility, ``{"email": ...}`` or ``{"user_id": ...}``. The
answer has one result per address, in the order given.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

from msgspec import UNSET, Meta, UnsetType

from server.contract.fields import Email, Id, OrganisationName, Token
from server.contract.requests import Request
from server.contract.responses import Answer, ErrorDetail, Invited, Me, Person, RoomView

MAX_INVITEES: Final = 100

# An entry of ``emails``: a bare address, or a name and address as mail clients copy
# them ("Ada Lovelace <ada@camden.gov.uk>"); the name then becomes the invited
# person's display name.
Invitee = Annotated[str, Meta(max_length=320, description='an email address, or "Name <address>"')]


class InviteRequest(Request, kw_only=True):
    """Invite by ``emails`` (up to 100), or one ``email`` (``name`` optionally giving a
    new person's display name), or an existing account's ``user_id``."""

    emails: Annotated[list[Invitee], Meta(max_length=MAX_INVITEES)] | None = None
    email: Email | None = None
    name: Annotated[str, Meta(max_length=100, description="a display name for a new person; blank: none")] | None = None
    user_id: Id | None = None


class RedeemInvitation(Request, kw_only=True):
    """``organisation``: the organisation the invited person works for, asked on the
    landing page when the invitation knows none (no verified domain, none given);
    ignored when they already have one."""

    token: Token
    organisation: OrganisationName | None = None


class InvitationLook(Request, kw_only=True):
    token: Token


class InvitedRoom(Answer):
    id: int
    slug: str
    title: str
    summary_html: str


class InvitationPreview(Answer):
    """What an invitation link leads to, read without spending it (mail scanners fetch
    links): the room, who invited, the address invited and whether to ask for an
    organisation (``organisation_needed``)."""

    room: InvitedRoom
    invited_by: Person | None
    email: str
    organisation_needed: bool


# What happened for one address:
# invited: a person without an account was invited (one email with a link);
# added: an existing account became a member and was told by email;
# already_member: nothing to do, nothing sent;
# resent: an earlier invitation was sent again with a fresh link (the old one stops working);
# cooling_off: invited recently, so no second email yet (INVITATION_COOLING_OFF_HOURS);
# error: this address was refused; ``error`` says why.
Outcome = Literal["invited", "added", "already_member", "resent", "cooling_off", "error"]
OUTCOMES: Final = ("invited", "added", "already_member", "resent", "cooling_off", "error")


class InvitationResult(Answer):
    """One address's outcome. ``email`` is the address as understood (lower-cased), the
    text as given when it could not be read, and null for a ``user_id`` invitation
    (addresses are shown only to their owner and administrators)."""

    email: str | None
    outcome: Outcome
    user_id: int | None
    display_name: str | None
    error: ErrorDetail | UnsetType = UNSET


class InvitationAnswer(Answer):
    """One result per address, in the order given; ``member`` when a single ``email``
    or ``user_id`` was invited (the earlier answer, kept for existing clients)."""

    results: list[InvitationResult]
    member: Invited | UnsetType = UNSET


class RedeemedInvitation(Answer):
    """Signed in (a new session cookie), address confirmed, and a member of ``room``."""

    user: Me
    room: RoomView
