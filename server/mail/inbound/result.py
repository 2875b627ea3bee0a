"""What reading one inbound message decides: a typed, immutable answer for the domain.

The domain pipeline records every inbound message with its outcome, so a refusal carries
the same facts as an acceptance (who sent it, to which of our addresses, its Message-ID)
plus a machine-readable reason, a sentence a person can read, and whether the sender
may be told. Nothing here touches a database or the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a message was refused; the value is what gets stored and shown to administrators."""

    # Never answered: mail written by machines, or whose sender cannot be trusted.
    NULL_SENDER = "null_sender"
    DELIVERY_REPORT = "delivery_report"
    LOOP = "loop"
    AUTO_REPLY = "auto_reply"
    OUT_OF_OFFICE = "out_of_office"
    DMARC_FAIL = "dmarc_fail"
    NO_SENDER = "no_sender"
    UNKNOWN_ADDRESS = "unknown_address"
    # May be answered (once the domain has rate-limited it): a person sent something we cannot take.
    BAD_REPLY_ADDRESS = "bad_reply_address"
    TOO_LARGE = "too_large"
    TOO_MANY_PARTS = "too_many_parts"
    TOO_DEEP = "too_deep"
    MALFORMED = "malformed"
    NO_TEXT = "no_text"
    EMPTY = "empty"
    BODY_TOO_LONG = "body_too_long"


# Answering these would reply to a robot (and risk a mail loop) or to an address that may be
# forged (backscatter), so the sender is never told whatever else holds.
NEVER_TOLD: frozenset[Reason] = frozenset(
    {
        Reason.NULL_SENDER,
        Reason.DELIVERY_REPORT,
        Reason.LOOP,
        Reason.AUTO_REPLY,
        Reason.OUT_OF_OFFICE,
        Reason.DMARC_FAIL,
        Reason.NO_SENDER,
        Reason.UNKNOWN_ADDRESS,
    }
)


@dataclass(frozen=True, slots=True)
class ReplyAddress:
    """``reply+TOKEN@our_domain``: an answer in the thread the token names (checked later, in the domain)."""

    token: str


@dataclass(frozen=True, slots=True)
class RoomAddress:
    """``room-slug@our_domain``: a new thread in that room, titled by the subject."""

    slug: str


Destination = ReplyAddress | RoomAddress


@dataclass(frozen=True, slots=True)
class MailFacts:
    """What is known about a message whatever its outcome, for the record and the exactly-once key.

    ``sender`` is the envelope sender when the door knew one, else the ``From`` address;
    ``from_address`` is always the ``From`` address. Only the From address is what DMARC
    vouches for: an envelope sender can be anything the sending server chose, so a check
    of the token's owner should hold for ``from_address`` too (when there is one), or a
    forger can put the owner's address in the envelope and pass DMARC for their own From.
    ``fingerprint`` is the SHA-256 of the raw bytes, a key for mail without a Message-ID.
    """

    sender: str | None
    from_address: str | None
    null_sender: bool
    destination: Destination | None
    message_id: str | None
    subject: str
    size: int
    fingerprint: str

    @property
    def token(self) -> str | None:
        return self.destination.token if isinstance(self.destination, ReplyAddress) else None

    @property
    def room_slug(self) -> str | None:
        return self.destination.slug if isinstance(self.destination, RoomAddress) else None

    def describe(self) -> str:
        """One plain line for logs: no body, and the reply token cut to its first characters (it is a secret)."""
        if isinstance(self.destination, ReplyAddress):
            to = f"reply+{self.destination.token[:4]}…"
        elif isinstance(self.destination, RoomAddress):
            to = f"room {self.destination.slug}"
        else:
            to = "no address of ours"
        sender = "<>" if self.null_sender else (self.sender or "unknown sender")
        subject = self.subject if len(self.subject) <= 60 else self.subject[:59] + "…"
        return f"{sender} -> {to}, {self.size} bytes, message-id {self.message_id or 'none'}, subject {subject!r}"


@dataclass(frozen=True, slots=True)
class Accepted:
    """A message the domain may post: ``body`` is the trimmed reply text exactly as the author wrote it.

    ``left_out`` names the attachments that were not kept, so the post can say so;
    ``trimmed`` is the quoted history and signature cut from the text, kept for the author.
    """

    facts: MailFacts
    body: str
    left_out: tuple[str, ...]
    trimmed: str = ""

    @property
    def summary(self) -> str:
        extra = f", {len(self.left_out)} attachment(s) left out" if self.left_out else ""
        return f"accepted: {self.facts.describe()}, {len(self.body)} characters{extra}"


@dataclass(frozen=True, slots=True)
class Refused:
    """A message that must not be posted: ``reason`` for machines, ``explanation`` for people.

    ``may_tell_sender`` is False for anything machine-written or from a null or untrusted
    sender; when True the domain may send ``explanation`` back (rate-limited).
    """

    facts: MailFacts
    reason: Reason
    explanation: str
    may_tell_sender: bool

    @property
    def summary(self) -> str:
        return f"refused ({self.reason}): {self.facts.describe()}"


Inbound = Accepted | Refused


def refuse(facts: MailFacts, reason: Reason, explanation: str) -> Refused:
    """Build a refusal, deciding once whether the sender may hear about it."""
    tell = reason not in NEVER_TOLD and not facts.null_sender and facts.sender is not None
    return Refused(facts=facts, reason=reason, explanation=explanation, may_tell_sender=tell)
