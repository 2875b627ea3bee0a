"""``read_inbound``: one raw message in, one typed decision out, with no database and no network.

The order of the checks is the point of this module:

1. the headers are read first, so that who sent it, to which address, and whether it is a
   robot, a bounce, a loop or forged is known for every message, however large or broken;
2. screening (never answered) comes before the limits (which may be answered), so an
   oversized auto-reply is still never answered;
3. the size and shape limits come before full parsing, whose cost grows with the number
   of parts and whose recursion grows with their nesting;
4. only then is the body decoded, trimmed and measured.

Any exception from the standard library's parser on hostile input ends as a ``malformed``
refusal, never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser

from .addresses import route, sender_of
from .headers import raw_values, text_of
from .limits import Breach, InboundLimits, check_body, check_size, check_tree, prescan, too_deep
from .parsing import read_body
from .result import Accepted, Inbound, MailFacts, Reason, Refused, refuse
from .screening import screen
from .trimming import trim

log = logging.getLogger(__name__)

# Headers are read from at most this much of a message: enough for any real header block.
_HEADER_BYTES = 256 * 1024
# What was trimmed is kept for the author up to this much (a long thread quoted in full is
# rarely more); past it, a last line says how much was not kept, so nothing goes unsaid.
MAX_TRIMMED_CHARS = 100_000


def read_inbound(
    raw: bytes,
    *,
    envelope_from: str | None,
    envelope_to: Sequence[str],
    limits: InboundLimits,
    authserv_id: str | None,
    our_domain: str,
) -> Inbound:
    """Decide what one inbound message is: a reply or new thread to post, or a refusal with its reason.

    ``envelope_from`` is the SMTP envelope sender when the door knows it (``""`` or ``"<>"``
    for a null sender), else None; ``envelope_to`` the envelope recipients, possibly empty.
    ``authserv_id`` names our own receiving server (``MAIL_AUTHSERV_ID``); None skips DMARC.
    Pure: no I/O, and the same input always gives an equal result.
    """
    fingerprint = hashlib.sha256(raw).hexdigest()
    oversized = check_size(len(raw), limits)
    try:
        head = BytesHeaderParser(policy=policy.default).parsebytes(_header_section(raw))
    except Exception:
        log.warning("inbound mail: headers could not be parsed", exc_info=True)
        facts = MailFacts(None, None, False, None, None, "", len(raw), fingerprint)
        return refuse(facts, Reason.MALFORMED, "The message's headers could not be read.")
    assert isinstance(head, EmailMessage)
    facts = _facts(head, raw, fingerprint, envelope_from, envelope_to, our_domain)

    screened = screen(
        head,
        sender_of(head, envelope_from),
        message_id=facts.message_id,
        our_domain=our_domain,
        authserv_id=authserv_id,
    )
    if screened is not None:
        return refuse(facts, screened.reason, screened.explanation)
    addressing = _addressing_refusal(facts, head, envelope_to, our_domain)
    if addressing is not None:
        return addressing
    if oversized is not None:
        return _refuse_breach(facts, oversized)
    return _read_whole(raw, facts, limits)


def _header_section(raw: bytes) -> bytes:
    """The bytes up to the first empty line: the header parser would otherwise read, line by line, the whole body too."""
    head = raw[:_HEADER_BYTES]
    ends = [found + 1 for found in (head.find(b"\n\n"), head.find(b"\n\r\n")) if found >= 0]
    return head[: min(ends)] if ends else head


def _facts(
    head: EmailMessage, raw: bytes, fingerprint: str, envelope_from: str | None, envelope_to: Sequence[str], our_domain: str
) -> MailFacts:
    sender = sender_of(head, envelope_from)
    ids = raw_values(head, "Message-ID")
    message_id = _message_id(ids[0]) if ids else None
    return MailFacts(
        sender=sender.address,
        from_address=sender.from_address,
        null_sender=sender.null,
        destination=route(head, envelope_to, our_domain).destination,
        message_id=message_id,
        subject=text_of(head, "Subject"),
        size=len(raw),
        fingerprint=fingerprint,
    )


def _message_id(value: str) -> str | None:
    """The ``<id@host>`` part of the header (comments and spaces dropped), else the text as it is; None when empty."""
    bracketed = re.search(r"<[^<>\s]{1,996}>", value)
    found = bracketed.group(0) if bracketed else value.strip()[:998]
    return found or None


def _addressing_refusal(facts: MailFacts, head: EmailMessage, envelope_to: Sequence[str], our_domain: str) -> Refused | None:
    if facts.sender is None:
        return refuse(facts, Reason.NO_SENDER, "The message has no single sender address to check.")
    if facts.destination is not None:
        return None
    routing = route(head, envelope_to, our_domain)
    if routing.bad_reply_address is not None:
        return refuse(facts, Reason.BAD_REPLY_ADDRESS, f"{routing.bad_reply_address} is not a reply address Convene gave out.")
    if routing.unknown_address is not None:
        explanation = f"The message was sent to {routing.unknown_address}, which is neither a reply address nor a room's address."
    else:
        explanation = "The message was not sent to any of Convene's addresses."
    return refuse(facts, Reason.UNKNOWN_ADDRESS, explanation)


def _read_whole(raw: bytes, facts: MailFacts, limits: InboundLimits) -> Inbound:
    breach = prescan(raw, limits)
    if breach is not None:
        return _refuse_breach(facts, breach)
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except RecursionError:
        return _refuse_breach(facts, too_deep(limits))
    except Exception:
        log.warning("inbound mail: body could not be parsed: %s", facts.describe(), exc_info=True)
        return refuse(facts, Reason.MALFORMED, "The message's structure could not be read.")
    assert isinstance(message, EmailMessage)
    breach = check_tree(message, limits)
    if breach is not None:
        return _refuse_breach(facts, breach)
    if _boundary_missing(message):
        return refuse(facts, Reason.MALFORMED, "The message says it has several parts but they could not be found.")
    try:
        body = read_body(message)
    except Exception:
        log.warning("inbound mail: body could not be decoded: %s", facts.describe(), exc_info=True)
        return refuse(facts, Reason.MALFORMED, "The message's text could not be decoded.")
    if body.text is None:
        return refuse(facts, Reason.NO_TEXT, "The message has no text to post (only attachments, or an unknown kind of content).")
    trimmed = trim(body.text, scan_chars=2 * limits.max_body_chars + 20_000)
    reply = trimmed.body
    if not reply.strip():
        return refuse(facts, Reason.EMPTY, "No reply was found above the quoted message.")
    too_long = check_body(reply, limits)
    if too_long is not None:
        return _refuse_breach(facts, too_long)
    return Accepted(facts=facts, body=reply, left_out=body.left_out, trimmed=_capped(trimmed.trimmed))


def _capped(trimmed: str) -> str:
    if len(trimmed) <= MAX_TRIMMED_CHARS:
        return trimmed
    kept = trimmed[: trimmed.rfind("\n", 0, MAX_TRIMMED_CHARS) + 1 or MAX_TRIMMED_CHARS]
    return f"{kept}[{len(trimmed) - len(kept)} more characters of quoted history were not kept]"


def _boundary_missing(message: EmailMessage) -> bool:
    """A multipart whose boundary is absent or never appears has lost its parts; posting its raw MIME would be wrong."""
    fatal = (errors.NoBoundaryInMultipartDefect, errors.StartBoundaryNotFoundDefect, errors.MultipartInvariantViolationDefect)
    stack = [message]
    while stack:
        part = stack.pop()
        if part.get_content_maintype() == "multipart" and any(isinstance(d, fatal) for d in part.defects):
            return True
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(child for child in children if isinstance(child, EmailMessage))
    return False


def _refuse_breach(facts: MailFacts, breach: Breach) -> Refused:
    return refuse(facts, breach.reason, breach.explanation)
