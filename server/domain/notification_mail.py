"""The words and markup of notification emails: a plain-text part and an HTML part for
one thread, or for a daily digest of several.

Pure functions of what was missed. Every piece of text is escaped; the only markup
taken as it is is each message's stored HTML, which the one Markdown renderer made
safe when the message was written. The HTML is a simple, accessible document: a
language, a title, one heading per thread and per message (author, organisation and
time), real links with their own text, and no layout tables or images.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from server.domain.people import Person


@dataclass(frozen=True)
class MailedMessage:
    seq: int
    author: Person
    body: str  # Markdown source, for the text part
    html: str  # stored rendered HTML, for the HTML part
    created_at: datetime
    permalink: str


@dataclass(frozen=True)
class ThreadSection:
    room_title: str
    thread_title: str
    thread_url: str
    messages: list[MailedMessage]  # oldest first
    earlier: int  # missed messages left out (only the newest are shown)
    mute_url: str  # the page that mutes this thread (a button press, not a GET)


@dataclass(frozen=True)
class Footer:
    settings_url: str
    unsubscribe_all_url: str
    reply_by_email: bool


def when(moment: datetime) -> str:
    """``27 Nov 2026, 10:00 UTC``."""
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def byline(person: Person) -> str:
    organisation = person.organisation.strip()
    return f"{person.display_name} ({organisation})" if organisation else person.display_name


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def thread_message_id(thread_id: int, mail_domain: str) -> str:
    """The stable Message-ID every email about a thread answers, so mail clients group them."""
    return f"<thread-{thread_id}@{mail_domain}>"


def unsubscribe_headers(public_url: str, mail_domain: str, token: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: a one-click HTTPS link (POST, no session) and a mailto."""
    mailto = f"mailto:unsubscribe@{mail_domain}?subject=unsubscribe%20{token}"
    return {
        "List-Unsubscribe": f"<{public_url}/api/v1/unsubscribe?token={token}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Auto-Response-Suppress": "All",  # Exchange: no out-of-office replies to this
    }


# ---- plain text -------------------------------------------------------------------


def _section_text(section: ThreadSection) -> list[str]:
    lines = [f"[{section.room_title}] {section.thread_title}", ""]
    if section.earlier:
        lines += [f"({_plural(section.earlier, 'earlier message')} not shown: {section.thread_url})", ""]
    for message in section.messages:
        lines += [f"{byline(message.author)} wrote at {when(message.created_at)}:", ""]
        lines += [message.body.strip(), "", f"View this message: {message.permalink}", ""]
    lines += [f"Stop emails about this thread: {section.mute_url}", ""]
    return lines


def _footer_text(footer: Footer) -> list[str]:
    lines = ["-- "]
    if footer.reply_by_email:
        lines.append("Reply to this email to post in the thread (only your new text is posted).")
    lines += [f"Email settings: {footer.settings_url}", f"Stop all Convene emails: {footer.unsubscribe_all_url}", ""]
    return lines


def thread_text(section: ThreadSection, footer: Footer) -> str:
    return "\n".join(_section_text(section) + _footer_text(footer))


def digest_text(sections: list[ThreadSection], footer: Footer) -> str:
    total = sum(len(s.messages) + s.earlier for s in sections)
    lines = [f"Your Convene daily digest: {_plural(total, 'new message')} in {_plural(len(sections), 'thread')}.", ""]
    for section in sections:
        lines += ["=" * 60] + _section_text(section)
    return "\n".join(lines + _footer_text(footer))


# ---- HTML ----------------------------------------------------------------------


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>'


def _section_html(section: ThreadSection, level: int) -> str:
    h, hm = f"h{level}", f"h{level + 1}"
    parts = [
        f"<section><{h}>{escape(section.thread_title)}</{h}>",
        f"<p>In the room {escape(section.room_title)}. {_link(section.thread_url, 'Open the thread in Convene')}</p>",
    ]
    if section.earlier:
        parts.append(f"<p>{escape(_plural(section.earlier, 'earlier message'))} not shown here.</p>")
    for message in section.messages:
        stamp = message.created_at.isoformat().replace("+00:00", "Z")
        parts.append(
            f"<article><{hm}>{escape(byline(message.author))}</{hm}>"
            f'<p><time datetime="{stamp}">{escape(when(message.created_at))}</time></p>'
            f"<div>{message.html}</div>"
            f"<p>{_link(message.permalink, 'View this message in Convene')}</p></article>"
        )
    parts.append(f"<p>{_link(section.mute_url, 'Stop emails about this thread')}</p></section>")
    return "\n".join(parts)


def _footer_html(footer: Footer) -> str:
    reply = "<p>Reply to this email to post in the thread (only your new text is posted).</p>" if footer.reply_by_email else ""
    return (
        f"<footer><hr>{reply}<p>{_link(footer.settings_url, 'Change your email settings')} · "
        f"{_link(footer.unsubscribe_all_url, 'Stop all Convene emails')}</p></footer>"
    )


def _document(title: str, content: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head>\n"
        '<body style="font-family: sans-serif; line-height: 1.5; max-width: 40em;">\n'
        f"<main>{content}</main>\n</body>\n</html>\n"
    )


def thread_html(subject: str, section: ThreadSection, footer: Footer) -> str:
    return _document(subject, _section_html(section, 1) + _footer_html(footer))


def digest_html(subject: str, sections: list[ThreadSection], footer: Footer) -> str:
    body = f"<h1>{escape(subject)}</h1>" + "".join(_section_html(s, 2) for s in sections)
    return _document(subject, body + _footer_html(footer))
