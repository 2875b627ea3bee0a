"""Queue mail inside the caller's transaction (the transactional outbox).

Every kind of mail goes through ``queue_mail`` with a ``MailBody``
(``server.domain.mail_body``), so each has a plain-text and an HTML part made from the
same words. A plain string is still taken (paragraphs split at blank lines) for mail
not yet written as blocks.
"""

from __future__ import annotations

import json
from typing import Any

from server.domain.mail_body import MailBody, from_text
from server.store.models import OutboundMail
from server.store.transaction import Tx


def queue_mail(
    tx: Tx,
    to_addr: str,
    subject: str,
    body: MailBody | str,
    *,
    from_name: str | None = None,
    reply_to: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Into the outbox with this transaction; the deliverer sends it after commit
    (``tx.mail_queued`` wakes it). ``headers`` are extra headers, written by
    ``server.mail.compose`` (structured ones exactly as their RFCs define them)."""
    row = mail_row(to_addr, subject, body, from_name=from_name, headers=headers)
    tx.session.add(OutboundMail(**row, reply_to=reply_to, message_id=message_id))
    tx.mail_queued()


def mail_row(
    to_addr: str, subject: str, body: MailBody | str, *, from_name: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """The outbox columns of one mail, for callers that insert many in one statement
    (they call ``tx.mail_queued`` themselves)."""
    letter = body if isinstance(body, MailBody) else from_text(subject, body)
    return {
        "to_addr": to_addr,
        "subject": subject,
        "body_text": letter.text(),
        "body_html": letter.html(),
        "from_name": from_name,
        "headers": json.dumps(headers) if headers else None,
    }


_NO_ANGLES = str.maketrans("", "", "<>")


def room_list_id(title: str, slug: str, mail_domain: str) -> dict[str, str]:
    """``List-Id`` (RFC 2919) of a room's mail: the title as the phrase and
    ``<slug.MAIL_DOMAIN>`` (a slug is a-z, 0-9 and hyphens, so a valid dot-atom label).
    Decision: every mail about one room carries it (notifications, invitations, join
    requests and their answers), so one filter in a mail client catches a whole room."""
    return {"List-Id": f"{title.translate(_NO_ANGLES)} <{slug}.{mail_domain}>"}
