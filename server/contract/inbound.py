"""Inbound mail over HTTP: what the webhook answers, and the administrators' record.

The webhook's request body is the raw RFC 5322 message (``Content-Type: message/rfc822``),
not JSON, so it has no shape here; its headers are described in docs/protocol.md.
"""

from __future__ import annotations

from msgspec import Struct

from server.contract.fields import Id, PageSize
from server.contract.responses import Answer, Time
from server.vocabulary import InboundOutcome, MailDoor


class InboundHandled(Answer):
    """What became of one inbound message: posted, refused (``reason`` says why) or a duplicate."""

    outcome: InboundOutcome
    reason: str
    detail: str
    record_id: int
    thread_id: int | None
    message_id: int | None


class InboundQuery(Struct, kw_only=True):
    """Newest first; ``before`` is the smallest record id of the previous page."""

    outcome: InboundOutcome | None = None
    before: Id | None = None
    limit: PageSize = 50


class InboundRecord(Answer):
    """One inbound message as recorded; a reply address is shown cut short (the token is a secret)."""

    id: int
    received_at: Time
    door: MailDoor
    message_id: str | None
    sender: str
    recipient: str
    subject: str
    outcome: InboundOutcome
    reason: str
    detail: str
    user_id: int | None
    thread_id: int | None
    posted_message_id: int | None
    replied_at: Time | None


class InboundRecordList(Answer):
    """Newest first."""

    records: list[InboundRecord]
    has_more: bool
