"""The schema's single source: typed SQLAlchemy 2 models.

Relationships are declared ``lazy="raise_on_sql"`` so async code can never trigger a
hidden query; load what you need explicitly. Schema changes go through Alembic
(``migrations/``); nothing calls ``create_all`` outside the tests.
"""

from __future__ import annotations

from datetime import date as calendar_date
from datetime import datetime, timezone

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from server.vocabulary import (
    AUDIT_ACTIONS,
    DOORS,
    INBOUND_OUTCOMES,
    INTEREST_KINDS,
    JOIN_REQUEST_STATUSES,
    MAIL_DOORS,
    NOTIFY_MODES,
    ORGANISATION_KINDS,
    AuditAction,
    Door,
    InboundOutcome,
    InterestKind,
    JoinRequestStatus,
    MailDoor,
    NotifyMode,
    OrganisationKind,
    Role,
    RoomRole,
    Stage,
    TokenPurpose,
    Visibility,
)

# Re-exported while callers move to ``server.vocabulary``, the one declaration.
from server.vocabulary import ROLES as ROLES
from server.vocabulary import ROOM_ROLES as ROOM_ROLES
from server.vocabulary import STAGES as STAGES
from server.vocabulary import TOKEN_PURPOSES as TOKEN_PURPOSES
from server.vocabulary import VISIBILITIES as VISIBILITIES


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    """A CHECK constraint keeping ``column`` inside an enumeration, named
    ``ck_<table>_<column>`` by the naming convention. The database refuses a bad value
    even from a path that skipped the domain's validation (a script, a manual fix)."""
    assert all(v.replace("-", "").isalnum() for v in values), "enumeration values are plain words"
    return CheckConstraint(f"{column} IN ({', '.join(repr(v) for v in values)})", name=column)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (SQLite has no time zones) and always returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (one_of("kind", ORGANISATION_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(String(20), default="other", server_default="other")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    domains: Mapped[list[OrganisationDomain]] = relationship(
        lazy="raise_on_sql", cascade="all, delete-orphan", order_by="OrganisationDomain.domain"
    )


class OrganisationDomain(Base):
    __tablename__ = "organisation_domains"
    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES), one_of("notify_mode", NOTIFY_MODES))
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    # What the person typed; shown as "self-declared" unless organisation_id is set.
    declared_organisation: Mapped[str] = mapped_column(String(200), default="")
    # Set only when the confirmed address's domain belongs to an organisation record.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(20), default="member")
    email_confirmed_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Email notifications (issue 8): how, and when the last daily digest went out.
    notify_mode: Mapped[NotifyMode] = mapped_column(String(10), default="delay", server_default="delay")
    last_digest_at: Mapped[datetime | None]
    organisation: Mapped[Organisation | None] = relationship(lazy="raise_on_sql")
    # Set when the person deleted their account: personal data is gone, the row stays
    # so their messages keep an author ("Former member").
    deleted_at: Mapped[datetime | None]


class AuthSession(Base):
    """A server-side session; the cookie holds a random token, we keep its SHA-256."""

    __tablename__ = "auth_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Shown on the profile's list of signed-in sessions (issue 12): the device (from
    # the User-Agent) and the address it signed in from.
    user_agent: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(String(64))


class EmailToken(Base):
    """Single-use tokens sent by email: address confirmation and sign-in links."""

    __tablename__ = "email_tokens"
    __table_args__ = (one_of("purpose", TOKEN_PURPOSES),)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # For "change-email": the new address the link confirms.
    new_email: Mapped[str | None] = mapped_column(String(254))


class SeedEvent(Base):
    """A workshop (Discovery Day, Co-Design Day) whose output file seeded rooms; its name
    identifies it, so a corrected file seeds the same event again."""

    __tablename__ = "seed_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    date: Mapped[calendar_date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (
        one_of("stage", STAGES),
        one_of("visibility", VISIBILITIES),
        # One room per concept of an event: seeding again finds it by its concept key.
        Index("ix_rooms_seed_concept", "seed_event_id", "concept_key", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    summary_html: Mapped[str] = mapped_column(Text, default="")
    stage: Mapped[Stage] = mapped_column(String(20), default=STAGES[0])
    visibility: Mapped[Visibility] = mapped_column(String(10), default="open")
    looking_for_collaborators: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The room's event counter: taken with UPDATE ... RETURNING inside the write
    # transaction, so numbers are gapless and in commit order (the row lock orders them).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Set for rooms seeded from an event's file: the event, the concept's normalised title
    # (what a later seed of the same event matches), and the organisation leading it.
    seed_event_id: Mapped[int | None] = mapped_column(ForeignKey("seed_events.id", ondelete="SET NULL"))
    concept_key: Mapped[str | None] = mapped_column(String(200))
    lead_organisation: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[RoomTag]] = relationship(lazy="raise_on_sql", cascade="all, delete-orphan", order_by="RoomTag.tag")


class RoomTag(Base):
    __tablename__ = "room_tags"
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class RoomMember(Base):
    __tablename__ = "room_members"
    __table_args__ = (one_of("role", ROOM_ROLES),)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[RoomRole] = mapped_column(String(10), default="member")
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_room_activity", "room_id", "last_activity_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(Integer)
    # Opened by seeding an event, as one of the questions the workshop left open (the
    # event page lists those nobody has answered yet).
    opening_question: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("room_id", "seq", name="uq_messages_room_seq"),
        UniqueConstraint("author_id", "client_id", name="uq_messages_author_client"),
        Index("ix_messages_thread_seq", "thread_id", "seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    renderer_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    deleted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class MessageRevision(Base):
    """A previous version of an edited message (the edit history)."""

    __tablename__ = "message_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageTrim(Base):
    """What was trimmed off a message that came in by email (quoted history, signature):
    kept for its author only, never shown in the room, searched or exported."""

    __tablename__ = "message_trims"
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageMention(Base):
    __tablename__ = "message_mentions"
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class ThreadFollow(Base):
    __tablename__ = "thread_follows"
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReadMarker(Base):
    __tablename__ = "read_markers"
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_read_seq: Mapped[int] = mapped_column(Integer, default=0)


class RoomEvent(Base):
    """Every durable room event, kept so reconnecting clients can catch up exactly."""

    __tablename__ = "room_events"
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the JSON clients received live
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboundMail(Base):
    """A transactional outbox: mail is written with the change that causes it and
    delivered after commit by the mail deliverer, with retries, so none is lost."""

    __tablename__ = "outbound_mail"
    __table_args__ = (Index("ix_outbound_mail_pending", "sent_at", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    # Richer mail (notifications, invitations): all optional, plain mail leaves them empty.
    from_name: Mapped[str | None] = mapped_column(String(300))
    reply_to: Mapped[str | None] = mapped_column(String(254))
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    headers: Mapped[str | None] = mapped_column(Text)  # JSON object of extra headers


class ThreadMute(Base):
    """A person who asked for no email about one thread."""

    __tablename__ = "thread_mutes"
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationMark(Base):
    """How far email has told one person about one thread, so each message is
    mailed at most once and notifications due during a restart go out once after it."""

    __tablename__ = "notification_marks"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_notified_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_sent_at: Mapped[datetime | None]


class ReplyAddress(Base):
    """A secret reply address ``reply+TOKEN@MAIL_DOMAIN``: one person, one thread. Only
    the token's SHA-256 is kept; it expires and can be revoked."""

    __tablename__ = "reply_addresses"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Invitation(Base):
    """An invitation of one person (perhaps without an account yet: a users row with no
    password) to one room, with a single-use, expiring link (its SHA-256 kept)."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("room_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]


class InboundMail(Base):
    """Every inbound email and what became of it (administrators read this record).
    ``dedupe_key`` (Message-ID or fingerprint, with the address it was sent to) makes a
    redelivered message post once."""

    __tablename__ = "inbound_mail"
    __table_args__ = (one_of("door", MAIL_DOORS), one_of("outcome", INBOUND_OUTCOMES))
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    door: Mapped[MailDoor] = mapped_column(String(10))
    dedupe_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(500))
    sender: Mapped[str] = mapped_column(String(254), default="", index=True)
    recipient: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    outcome: Mapped[InboundOutcome] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"))
    posted_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    replied_at: Mapped[datetime | None]


class RoomInterest(Base):
    """A person saying of a room looking for collaborators "we have this problem too"
    or "we could help" (matchmaking); rooms show these counted once per organisation."""

    __tablename__ = "room_interests"
    __table_args__ = (one_of("kind", INTEREST_KINDS),)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[InterestKind] = mapped_column(String(20), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JoinRequest(Base):
    """A person's request to join a room they are not a member of, with an optional
    message; the room's owners (and stewards) accept or decline it. One row per person
    and room: asking again after a decline reopens it."""

    __tablename__ = "join_requests"
    __table_args__ = (UniqueConstraint("room_id", "user_id"), one_of("status", JOIN_REQUEST_STATUSES))
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[JoinRequestStatus] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class StageMove(Base):
    """One move of a room along the pipeline, announced as the room event ``seq``
    (stage.moved). A move to incubation records the programme's three criteria."""

    __tablename__ = "stage_moves"
    __table_args__ = (
        one_of("from_stage", STAGES),
        one_of("to_stage", STAGES),
        Index("ix_stage_moves_room_seq", "room_id", "seq", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    from_stage: Mapped[Stage] = mapped_column(String(20))
    to_stage: Mapped[Stage] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    user_need: Mapped[str | None] = mapped_column(Text)
    cost_benefit: Mapped[str | None] = mapped_column(Text)
    rapid_success: Mapped[str | None] = mapped_column(Text)
    moved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    moved_at: Mapped[datetime] = mapped_column(default=utcnow)
class AuditEntry(Base):
    """Who did what, to whom or which room or organisation, when and from which address
    (issue 12). Written in the same transaction as the action (``server.domain.audit``);
    never holds message bodies, passwords or tokens. References survive the row they
    name being deleted (SET NULL); ``detail`` keeps a short description."""

    __tablename__ = "audit_entries"
    __table_args__ = (one_of("action", AUDIT_ACTIONS), one_of("door", DOORS))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    action: Mapped[AuditAction] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    door: Mapped[Door] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(500), default="")
