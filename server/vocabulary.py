"""The closed sets of words Convene stores: one declaration for each.

Each enumeration is a ``Literal`` type (for signatures and mypy) and the tuple of its
values derived from it (for validation messages, the OpenAPI document and the
database's CHECK constraints in ``server/store/models.py``). Order is meaningful: it
is the order people see, and the first stage is a new room's stage.

This module imports nothing from ``server``, so every layer may use it (the store's
models, the domain's checks, the doors' contracts) without an upward import.
Migrations do not import it: a revision is a snapshot and spells out the values it
enforces, so changing a tuple here needs a new revision.
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

# The grammar of the words people type as addresses, once for every layer: an email
# address Convene accepts (local part without spaces or brackets, a dotted domain of
# DNS labels), and a room's slug, which is also its email address's local part.
EMAIL_RE: Final = re.compile(
    r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# The role of an account across the whole site.
Role = Literal["administrator", "facilitator", "member"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)

# Roles that may read every room and invite anyone to it.
StewardRole = Literal["administrator", "facilitator"]
STEWARD_ROLES: Final[tuple[StewardRole, ...]] = get_args(StewardRole)

# Where a concept is in its life; "archived" rooms are read-only.
Stage = Literal["discovery", "co-design", "incubation", "live", "archived"]
STAGES: Final[tuple[Stage, ...]] = get_args(Stage)

# Who can see a room: everyone signed in, or only its members (and stewards).
Visibility = Literal["open", "invite"]
VISIBILITIES: Final[tuple[Visibility, ...]] = get_args(Visibility)

# A person's role inside one room: owners change its settings and invite.
RoomRole = Literal["owner", "member"]
ROOM_ROLES: Final[tuple[RoomRole, ...]] = get_args(RoomRole)

# What an emailed single-use token is for: confirming an address, signing in, or
# confirming a new address for an existing account.
TokenPurpose = Literal["confirm", "signin", "change-email"]
TOKEN_PURPOSES: Final[tuple[TokenPurpose, ...]] = get_args(TokenPurpose)

# How a person hears about activity by email: each message at once, after a delay
# (if not read in the browser meanwhile), a daily digest, or never.
NotifyMode = Literal["each", "delay", "digest", "never"]
NOTIFY_MODES: Final[tuple[NotifyMode, ...]] = get_args(NotifyMode)

# The door an inbound email came through.
MailDoor = Literal["smtp", "webhook", "pipe"]
MAIL_DOORS: Final[tuple[MailDoor, ...]] = get_args(MailDoor)

# What became of an inbound email.
InboundOutcome = Literal["posted", "refused", "duplicate", "unsubscribed"]
INBOUND_OUTCOMES: Final[tuple[InboundOutcome, ...]] = get_args(InboundOutcome)

# What sort of body an organisation is: matchmaking and the pipeline board count and
# filter by it ("4 councils, 1 department, 2 suppliers").
OrganisationKind = Literal["council", "central-government", "supplier", "sector-body", "other"]
ORGANISATION_KINDS: Final[tuple[OrganisationKind, ...]] = get_args(OrganisationKind)

# Matchmaking: what a person says about a room looking for collaborators ("we have
# this problem too", "we could help").
InterestKind = Literal["same-problem", "can-help"]
INTEREST_KINDS: Final[tuple[InterestKind, ...]] = get_args(InterestKind)

# Where a request to join a room stands: waiting for its owners, or decided.
JoinRequestStatus = Literal["pending", "accepted", "declined"]
JOIN_REQUEST_STATUSES: Final[tuple[JoinRequestStatus, ...]] = get_args(JoinRequestStatus)
# What the audit log records (issue 12): who did what, to whom or which room, from
# where. Never message bodies, passwords or tokens.
AuditAction = Literal[
    "signed-in",
    "sign-in-failed",
    "signed-out-everywhere",
    "session-ended",
    "password-changed",
    "email-change-requested",
    "email-changed",
    "profile-changed",
    "role-changed",
    "deactivated",
    "reactivated",
    "account-deleted",
    "organisation-created",
    "organisation-changed",
    "room-visibility-changed",
    "room-stage-changed",
    "room-ownership-transferred",
    "invited",
    "message-deleted",
    "room-exported",
    "thread-exported",
    "personal-data-exported",
    "seeded",
    "inbound-mail",
]
AUDIT_ACTIONS: Final[tuple[AuditAction, ...]] = get_args(AuditAction)

# Where a request came from: the door that carried it (for the audit log).
Door = Literal["http", "socket", "mail", "command", "internal"]
DOORS: Final[tuple[Door, ...]] = get_args(Door)

# The formats a room or thread is exported in: Markdown to read, JSON for machines.
ExportFormat = Literal["md", "json"]
EXPORT_FORMATS: Final[tuple[ExportFormat, ...]] = get_args(ExportFormat)
