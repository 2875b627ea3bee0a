"""Turn an outbox row into the email that goes out: headers, a text part and, when
the row has one, an HTML alternative.

Plain rows (confirmation and sign-in links) get the configured ``MAIL_FROM``; richer
rows (notifications, invitations) name their sender (``from_name``) in front of the
same address, answer to ``reply_to``, and carry their own Message-ID and extra headers
(threading, List-Unsubscribe). Every message says ``Auto-Submitted: auto-generated``
(RFC 3834) so well-behaved robots do not answer it.

Structured headers (``STRUCTURED``: Message-ID, In-Reply-To, References (RFC 5322),
List-Id (RFC 2919), List-Unsubscribe (RFC 2369), List-Unsubscribe-Post (RFC 8058),
Thread-Index) are written exactly as those RFCs define them: never as RFC 2047
encoded-words (a client reads ``=?utf-8?q?=3Chttp...`` as no link at all, so it offers no
unsubscribe button), folded only at the whitespace their syntax allows, a longer
element left whole on its own line (RFC 5322 allows 998 octets). Their values must be
ASCII; the only exception is List-Id's phrase (the room's title), which RFC 2919 makes a
``phrase``, where RFC 2047 does allow encoded-words, so only the phrase is encoded.
The standard library's header folding would encode them (it treats unknown headers as
unstructured text), so they are stored raw and the message is written with
``WRITE_POLICY``, which leaves raw values as they are; every sender writes bytes with it.
"""

from __future__ import annotations

import json
import re
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from server.store.models import OutboundMail

# Set here from the row's own columns; the JSON of extra headers may not replace them.
OWN_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "reply-to", "auto-submitted", "mime-version", "content-type"})
_ONE_LINE = re.compile(r"[\r\n]+")
STRUCTURED = ("message-id", "in-reply-to", "references", "list-id", "list-unsubscribe", "list-unsubscribe-post", "thread-index")
MAX_LINE = 78  # RFC 5322 2.1.1: lines SHOULD be no longer than 78 characters
WRITE_POLICY = policy.SMTP.clone(refold_source="none")
WRITE_POLICY_UTF8 = policy.SMTPUTF8.clone(refold_source="none")  # for a non-ASCII address (RFC 6531)
_LIST_ID = re.compile(r"^(?P<phrase>.*?)\s*(?P<id><[^<>\s]+>)$")
_ATEXT_PHRASE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\- ]*$")


def _one_line(text: str) -> str:
    return _ONE_LINE.sub(" ", text).strip()


def sender(mail_from: str, name: str | None) -> str | Address:
    """``MAIL_FROM``, or its address with ``name`` as the display name."""
    if not name:
        return mail_from
    _, addr_spec = parseaddr(mail_from)
    return Address(display_name=_one_line(name), addr_spec=addr_spec)


def fold(name: str, value: str) -> str:
    """``value`` folded for the header ``name``: at its own spaces only, each line
    within ``MAX_LINE`` where the elements allow (a longer element stays whole)."""
    words = _one_line(value).split()
    if not all(word.isascii() and word.isprintable() for word in words):
        raise ValueError(f"{name} must be ASCII: {value!r}")
    lines: list[str] = []
    line = ""
    for word in words:
        width = len(name) + 2 if not lines else 0  # the first line also holds "Name: "
        if line and width + len(line) + 1 + len(word) > MAX_LINE:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n ".join(lines)  # continuation lines start with the space folded at


def list_id(value: str) -> str:
    """``phrase <list-id>`` with the phrase as RFC 2919 allows: as it is when it is
    atoms, quoted when it holds specials, an encoded-word when it is not ASCII."""
    found = _LIST_ID.match(_one_line(value))
    if found is None:
        raise ValueError(f"List-Id must end with <list-id>: {value!r}")
    phrase, ident = found.group("phrase").strip(), found.group("id")
    if not phrase:
        return ident
    if not phrase.isascii():
        # encoded-words of at most 75 characters each (RFC 2047 2), folded by ``fold``
        phrase = " ".join(Header(phrase, "utf-8").encode(maxlinelen=76).split())
    elif not _ATEXT_PHRASE.match(phrase):
        phrase = '"' + phrase.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{phrase} {ident}"


def compose(row: OutboundMail, mail_from: str, mail_domain: str) -> EmailMessage:
    message = EmailMessage(policy=WRITE_POLICY)
    message["From"] = sender(mail_from, row.from_name)
    message["To"] = row.to_addr
    message["Subject"] = _one_line(row.subject)
    message["Date"] = format_datetime(row.created_at)
    message.set_raw("Message-ID", fold("Message-ID", row.message_id or make_msgid(idstring=f"mail.{row.id}", domain=mail_domain)))
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    message["Auto-Submitted"] = "auto-generated"
    extra: dict[str, str] = json.loads(row.headers) if row.headers else {}
    for name, value in extra.items():
        key = name.lower()
        if key in OWN_HEADERS:
            continue
        if key in STRUCTURED:
            message.set_raw(name, fold(name, list_id(value) if key == "list-id" else value))
        else:
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
