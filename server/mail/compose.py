"""Turn an outbox row into the email that goes out: headers, a text part and, when
the row has one, an HTML alternative.

Plain rows (confirmation and sign-in links) get the configured ``MAIL_FROM``; richer
rows (notifications, invitations) name their sender (``from_name``) in front of the
same address, answer to ``reply_to``, and carry their own Message-ID and extra headers
(threading, List-Unsubscribe). Every message says ``Auto-Submitted: auto-generated``
(RFC 3834) so well-behaved robots do not answer it.
"""

from __future__ import annotations

import json
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from server.store.models import OutboundMail

# Set here from the row's own columns; the JSON of extra headers may not replace them.
OWN_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "reply-to", "auto-submitted", "mime-version", "content-type"})
_ONE_LINE = re.compile(r"[\r\n]+")


def _one_line(text: str) -> str:
    return _ONE_LINE.sub(" ", text).strip()


def sender(mail_from: str, name: str | None) -> str | Address:
    """``MAIL_FROM``, or its address with ``name`` as the display name."""
    if not name:
        return mail_from
    _, addr_spec = parseaddr(mail_from)
    return Address(display_name=_one_line(name), addr_spec=addr_spec)


def compose(row: OutboundMail, mail_from: str, mail_domain: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender(mail_from, row.from_name)
    message["To"] = row.to_addr
    message["Subject"] = _one_line(row.subject)
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = row.message_id or make_msgid(idstring=f"mail.{row.id}", domain=mail_domain)
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    message["Auto-Submitted"] = "auto-generated"
    extra: dict[str, str] = json.loads(row.headers) if row.headers else {}
    for name, value in extra.items():
        if name.lower() not in OWN_HEADERS:
            message[name] = _one_line(value)
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


LINK = re.compile(r"https?://[^\s<>\"')]+")


def summary(row: OutboundMail) -> str:
    """One plain-text paragraph for the development log: recipient, subject and the
    links of the text part, unencoded (the .eml file is quoted-printable, where a
    copied ``token=3D...`` is not the token)."""
    links = list(dict.fromkeys(LINK.findall(row.body_text)))
    lines = [f"mail to {row.to_addr}: {row.subject}"] + [f"  link: {link}" for link in links]
    if row.reply_to:
        lines.append(f"  reply to: {row.reply_to}")
    return "\n".join(lines)
