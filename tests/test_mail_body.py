"""The pieces every outgoing mail is made of, each against its own rule: a message's
words as plain text, the HTML check (it must catch what breaks in mail clients), header
folding, and Thread-Index as [MS-OXOMSG] 2.2.1.3 lays it out."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from server.domain import conversation_index
from server.domain.mail_body import Action, FooterLine, Link, MailBody, Posted, Quotation, Rich, para
from server.domain.markdown import render
from server.domain.message_words import html_to_text
from server.mail.compose import WRITE_POLICY, fold, list_id

from .mail_html import html_problems

EVERYTHING = """Over to you @**Carol Policy**: **bold**, *em*, ~~gone~~, [the spec](https://example.org/spec), https://x.example/a
and mail me@example.org

> quoted **words**
> over two lines

- one
- two **b**

3. third
4. fourth

```
code  block
```

| a | b |
|---|---|
| 1 | 2 |

Typed <b>tags</b> & `inline code`."""


def test_a_message_reads_as_plain_words_with_no_markdown_left() -> None:
    html = render(EVERYTHING, {"carol policy": 7}).html
    assert html_to_text(html) == (
        "Over to you @Carol Policy: bold, em, gone, the spec (https://example.org/spec), https://x.example/a\n"
        "and mail me@example.org\n\n"
        "> quoted words\n> over two lines\n\n"
        "- one\n- two b\n\n"
        "3. third\n4. fourth\n\n"
        "    code  block\n\n"
        "a | b\n1 | 2\n\n"
        "Typed <b>tags</b> & inline code."
    )
    # Not a member: the text stays what was typed, still without the markup.
    assert html_to_text(render("Thanks @**Nobody Here**").html) == "Thanks @Nobody Here"


def test_every_block_renders_html_that_passes_the_check() -> None:
    rich = render(EVERYTHING, {"carol policy": 7}).html
    at = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
    body = MailBody(
        "Subject",
        (
            para("Hello ", Link("there", "https://example.org/")),
            Action("Join the room", "https://example.org/invitation?token=abc"),
            Quotation("their words\nas written"),
            Rich(rich),
            Posted("Bob (Bristol)", at, rich, "https://example.org/m/1"),
        ),
        (FooterLine("Reply to post."), FooterLine("Email settings", "https://example.org/settings")),
    )
    assert html_problems(body.html()) == []
    text = body.text()
    assert "Hello there (https://example.org/)" in text and "Join the room:\nhttps://example.org/invitation?token=abc" in text
    assert "> their words\n> as written" in text and "Bob (Bristol) wrote at 27 Nov 2026, 10:00 UTC:" in text
    assert text.endswith("-- \nReply to post.\nEmail settings: https://example.org/settings\n")


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ('<p style="color: #1f2933; background-color: #fff"><img src="https://t.example/p.gif" alt=""></p>', "<img> is not allowed"),
        ("<style>p { color: red }</style>", "<style> is not allowed"),
        ('<p class="x" style="color:#123;background-color:#fff">x</p>', "<p class=...> is not allowed"),
        ('<p style="background: url(https://t.example/bg.png)">x</p>', "style loads something"),
        ("<p>unstyled text</p>", "text without an explicit colour and background"),
        ('<p style="color: #000000; background-color: #ffffff">x</p>', "pure black"),
        ('<p style="color: #777777; background-color: #ffffff">x</p>', "contrast 4.48"),
        ('<a href="/relative" style="color:#1a56db;background-color:#fff">x</a>', "not an absolute"),
    ],
)
def test_the_html_check_catches_what_breaks_in_mail_clients(html: str, problem: str) -> None:
    document = (
        '<html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>t</title></head>'
        f"<body>{html}</body></html>"
    )
    assert any(problem in found for found in html_problems(document)), html_problems(document)


def test_structured_headers_fold_at_whitespace_and_are_never_encoded() -> None:
    token = "12.345." + "A" * 43
    https, mailto = f"<https://convene.camden.gov.uk/api/v1/unsubscribe?token={token}>", f"<mailto:unsubscribe@x.example?subject={token}>"
    value = f"{https}, {mailto}"
    folded = fold("List-Unsubscribe", value)
    assert folded == f"{https},\n {mailto}"  # each element whole; the https one is longer than 78 on its own
    assert fold("References", "<a@x.example> <b@x.example>") == "<a@x.example> <b@x.example>"
    with pytest.raises(ValueError, match="must be ASCII"):
        fold("Message-ID", "<café@x.example>")
    assert list_id("DVLA data API <dvla.x.example>") == "DVLA data API <dvla.x.example>"
    assert list_id('Say "why": now <why.x.example>') == '"Say \\"why\\": now" <why.x.example>'
    encoded = list_id("Côr Caerdydd <cor.x.example>")
    assert encoded.startswith("=?utf-8?") and encoded.endswith(" <cor.x.example>")

    message = EmailMessage(policy=WRITE_POLICY)
    message.set_raw("List-Unsubscribe", folded)
    message.set_content("x")
    raw = message.as_bytes()
    assert f"List-Unsubscribe: {https},\r\n {mailto}\r\n".encode() in raw
    parsed = BytesParser(policy=policy.strict).parsebytes(raw)
    assert str(parsed["List-Unsubscribe"]).replace(" ", "") == value.replace(" ", "")


def test_thread_index_follows_the_conversation_index_layout() -> None:
    started = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
    ticks = int((started - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 10_000_000
    root = base64.b64decode(conversation_index.thread_index("<thread-7@x.example>", started))
    assert len(root) == 22 and root[0] == 1
    assert root[1:6] == (ticks >> 24).to_bytes(5, "big")
    assert uuid.UUID(bytes=root[6:22]) == conversation_index.conversation_guid("<thread-7@x.example>")
    assert root[6:22] != base64.b64decode(conversation_index.thread_index("<thread-8@x.example>", started))[6:22]

    later = started + timedelta(minutes=5)
    reply = base64.b64decode(conversation_index.thread_index("<thread-7@x.example>", started, later, 0x1FF))
    assert len(reply) == 27 and reply[:22] == root  # the same root: one conversation in Outlook
    word = int.from_bytes(reply[22:26], "big")
    assert word >> 31 == 0  # DC 0: under about 1.78 years, bits 18-48 of the difference
    base = (ticks >> 24) << 24
    assert abs(base + ((word & 0x7FFFFFFF) << 18) - (ticks + 5 * 60 * 10_000_000)) < 1 << 18
    assert reply[26] == 0xFF

    years = started + timedelta(days=3 * 365)
    far = base64.b64decode(conversation_index.thread_index("<thread-7@x.example>", started, years))
    word = int.from_bytes(far[22:26], "big")
    assert word >> 31 == 1  # DC 1: bits 23-53
    target = int((years - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds()) * 10_000_000
    assert abs(base + ((word & 0x7FFFFFFF) << 23) - target) < 1 << 23
