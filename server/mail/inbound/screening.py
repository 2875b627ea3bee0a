"""Mail that must never be posted and never answered: robots, bounces, loops and forged senders.

Each check reads headers only, so it runs before any size limit or body parsing: an
oversized bounce is still a bounce, and is never answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from .addresses import Sender, normalise_domain
from .authresults import parse_auth_results
from .headers import raw_values, text_of
from .result import Reason

# RFC 3834 says anything but "no" is automatic; parameters and comments may follow the keyword.
_AUTO_SUBMITTED_NO = re.compile(r"^\s*no\s*(?:[;(]|$)", re.IGNORECASE)
_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond")
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
# Subjects that vacation responders start with, in English and Welsh (Outlook, Gmail, Exchange).
_OUT_OF_OFFICE = re.compile(
    r"^\W*(?:"
    r"out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|away from (?:the )?office"
    r"|ateb awtomatig|ymateb awtomatig|allan o'r swyddfa|i ffwrdd o'r swyddfa"
    r")\b",
    re.IGNORECASE,
)
_MESSAGE_ID_DOMAIN = re.compile(r"@([^@<>\s]+)>?\s*$")
_ROBOT_LOCALS = frozenset({"mailer-daemon", "postmaster"})


@dataclass(frozen=True, slots=True)
class Screened:
    reason: Reason
    explanation: str


def screen(message: Message, sender: Sender, *, message_id: str | None, our_domain: str, authserv_id: str | None) -> Screened | None:
    """The first reason this message is machine-written, looped or forged; None when it is none of those."""
    for check in (_report, _null_sender, _loop, _auto_submitted, _autoreply_header, _precedence, _out_of_office):
        found = check(message, sender, message_id, our_domain)
        if found is not None:
            return found
    if authserv_id:
        return _dmarc(message, authserv_id)
    return None


def _report(message: Message, sender: Sender, message_id: str | None, our_domain: str) -> Screened | None:
    content_type = message.get_content_type()
    if content_type == "multipart/report" or content_type.startswith("message/delivery-status"):
        report_type = message.get_param("report-type")
        kind = report_type if isinstance(report_type, str) else "report"
        return Screened(Reason.DELIVERY_REPORT, f"The message is an automatic report ({kind}), such as a bounce or a read receipt.")
    local = (sender.address or sender.from_address or "").partition("@")[0]
    if local in _ROBOT_LOCALS:
        return Screened(Reason.DELIVERY_REPORT, f"The message comes from {local}, which sends delivery reports.")
    return None


def _null_sender(message: Message, sender: Sender, message_id: str | None, our_domain: str) -> Screened | None:
    if sender.null:
        return Screened(Reason.NULL_SENDER, "The message has an empty envelope sender (<>), as bounces and other automatic mail do.")
    return None


def _loop(message: Message, sender: Sender, message_id: str | None, our_domain: str) -> Screened | None:
    match = _MESSAGE_ID_DOMAIN.search(message_id or "")
    if match and normalise_domain(match.group(1)) == normalise_domain(our_domain):
        return Screened(Reason.LOOP, f"The message's Message-ID is on {normalise_domain(our_domain)}: it is mail Convene sent, come back.")
    return None


def _auto_submitted(message: Message, sender: Sender, message_id: str | None, our_domain: str) -> Screened | None:
    for value in raw_values(message, "Auto-Submitted"):
        if not _AUTO_SUBMITTED_NO.match(value):
            return Screened(Reason.AUTO_REPLY, f"The message says it was sent automatically (Auto-Submitted: {value[:40]}).")
    return None


def _autoreply_header(message: Message, sender: Sender, message_id: str | None, our_domain: str) -> Screened | None:
    for name in _AUTOREPLY_HEADERS:
        if raw_values(message, name):
            return Screened(Reason.AUTO_REPLY, f"The message is an automatic reply ({name} header).")
    return None


def _precedence(message: Message, sender: Sender, message_id: str | None, our_domain: str) -> Screened | None:
    for value in raw_values(message, "Precedence"):
        if value.strip().lower() in _BULK_PRECEDENCE:
            return Screened(Reason.AUTO_REPLY, f"The message is bulk or automatic mail (Precedence: {value.strip().lower()}).")
    return None


def _out_of_office(message: Message, sender: Sender, message_id: str | None, our_domain: str) -> Screened | None:
    subject = text_of(message, "Subject").replace("\u2019", "'").replace("\u2018", "'")
    if _OUT_OF_OFFICE.match(subject):
        return Screened(Reason.OUT_OF_OFFICE, "The message looks like an out-of-office reply (by its subject).")
    return None


def _dmarc(message: Message, authserv_id: str) -> Screened | None:
    """Believe only Authentication-Results from our own receiving server: anyone else's may be forged."""
    trusted = authserv_id.strip().lower()
    for value in raw_values(message, "Authentication-Results"):
        parsed = parse_auth_results(value)
        if parsed is not None and parsed.authserv_id == trusted and "fail" in parsed.result_of("dmarc"):
            return Screened(Reason.DMARC_FAIL, "The sender's domain failed its DMARC check, so the message may be forged.")
    return None
