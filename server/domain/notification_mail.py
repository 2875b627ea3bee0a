"""The words of notification emails: one thread, or a daily digest of several, as a
``MailBody`` (``server.domain.mail_body`` renders its plain-text and HTML parts).

Pure functions of what was missed. The HTML is a simple, accessible document: a
language, a title, one heading per thread and per message (author, organisation and
time), real links with their own text, and no layout tables or images. Each message's
words come from its stored HTML (made safe by the one Markdown renderer when it was
written): rebuilt with inline styles in the HTML part, read back as plain words (a
mention as "@Name", a link as "text (url)") in the text part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.domain import conversation_index
from server.domain import mail_body as mail
from server.domain.people import Person


@dataclass(frozen=True)
class MailedMessage:
    seq: int
    author: Person
    html: str  # stored rendered HTML: both parts are made from it
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


def byline(person: Person) -> str:
    organisation = person.organisation.strip()
    return f"{person.display_name} ({organisation})" if organisation else person.display_name


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def thread_message_id(thread_id: int, mail_domain: str) -> str:
    """The stable Message-ID every email about a thread answers, so mail clients group them."""
    return f"<thread-{thread_id}@{mail_domain}>"


def thread_headers(thread_id: int, title: str, started: datetime, mail_domain: str, newest: MailedMessage, opens: bool) -> dict[str, str]:
    """What groups a thread's notifications in mail clients: ``In-Reply-To`` and
    ``References`` name the thread's own Message-ID (RFC 5322); ``Thread-Index`` and
    ``Thread-Topic`` do the same for Outlook (``server.domain.conversation_index``).
    ``opens``: this mail carries the thread's first message, so it is the root."""
    root = thread_message_id(thread_id, mail_domain)
    reply = None if opens else newest.created_at
    index = conversation_index.thread_index(root, started, reply, newest.seq)
    return {"In-Reply-To": root, "References": root, "Thread-Index": index, "Thread-Topic": title}


def unsubscribe_headers(public_url: str, mail_domain: str, token: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: a one-click HTTPS link (POST, no session) and a mailto."""
    mailto = f"mailto:unsubscribe@{mail_domain}?subject=unsubscribe%20{token}"
    return {
        "List-Unsubscribe": f"<{public_url}/api/v1/unsubscribe?token={token}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "X-Auto-Response-Suppress": "All",  # Exchange: no out-of-office replies to this
    }


# ---- the body: one set of blocks, rendered as text and HTML by server.domain.mail_body ----


def _section(section: ThreadSection, level: int, rule_above: bool) -> mail.Section:
    opening = mail.para(f"In the room {section.room_title}. ", mail.Link("Open the thread in Convene", section.thread_url))
    blocks: list[mail.Block] = [opening]
    if section.earlier:
        blocks.append(mail.para(f"{_plural(section.earlier, 'earlier message')} not shown here."))
    blocks += [mail.Posted(byline(m.author), m.created_at, m.html, m.permalink) for m in section.messages]
    blocks.append(mail.para(mail.Link("Stop emails about this thread", section.mute_url)))
    return mail.Section(f"[{section.room_title}] {section.thread_title}", section.thread_title, level, tuple(blocks), rule_above)


def _footer(footer: Footer) -> tuple[mail.FooterLine, ...]:
    reply = (mail.FooterLine("Reply to this email to post in the thread (only your new text is posted)."),) if footer.reply_by_email else ()
    settings = mail.FooterLine("Email settings", footer.settings_url)
    return (*reply, settings, mail.FooterLine("Stop all Convene emails", footer.unsubscribe_all_url))


def thread_body(subject: str, section: ThreadSection, footer: Footer) -> mail.MailBody:
    return mail.MailBody(subject, (_section(section, 1, False),), _footer(footer))


def digest_body(subject: str, sections: list[ThreadSection], footer: Footer) -> mail.MailBody:
    total = sum(len(s.messages) + s.earlier for s in sections)
    opening = mail.Heading(f"Your Convene daily digest: {_plural(total, 'new message')} in {_plural(len(sections), 'thread')}.")
    return mail.MailBody(subject, (opening, *(_section(s, 2, True) for s in sections)), _footer(footer))
