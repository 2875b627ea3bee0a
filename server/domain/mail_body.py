"""Every outgoing email's body, written once as a list of blocks and rendered twice: a
plain-text part that reads well in any client, and an HTML part that mail clients show
safely. Each kind of mail (``server.domain.accounts``, ``invitations``,
``join_requests``, ``profile``, ``inbound_record``, ``notification_mail``) says *what*
it says here, once; so a translation (Welsh first) changes words in one place and both
parts follow.

Plain text: no Markdown left for the reader to decode. A message's stored HTML (made
safe by the one renderer when it was written) is turned back into words
(``server.domain.message_words``): a mention reads "@Name", emphasis is plain text, a
link reads "text (url)".

HTML, checked by tests/mail_html.py on every kind of mail:

* no external resources (no images, style sheets or fonts: blocked by most clients,
  and they tell a sender who opened what), no ``<style>`` or ``<script>`` (Gmail and
  Outlook drop or mangle them): every style is inline;
* dark-mode safe: ``color-scheme``/``supported-color-schemes`` say both schemes are
  fine, and every colour is given with a background under it (clients that invert
  colours then invert a pair, and none leaves dark text on a dark transparent
  background); contrast at least 4.5:1;
* a message's stored HTML is rebuilt tag by tag from what the renderer can produce,
  each tag with its inline style; anything else keeps only its text.

The palette and each element's style are in ``server.domain.mail_style``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from server.domain.mail_style import link, style
from server.domain.message_words import html_to_text, mail_html

# ---- the blocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A link inside a sentence: "text (url)" in plain text."""

    text: str
    url: str


Inline = str | Link


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Inline, ...]


def para(*parts: Inline) -> Paragraph:
    return Paragraph(tuple(parts))


@dataclass(frozen=True)
class Action:
    """The one thing the mail asks for, as a link on its own: "label:" and the address
    on the next line in plain text (easy to copy), a button in HTML."""

    label: str
    url: str


@dataclass(frozen=True)
class Quotation:
    """Someone's own words, plain text, quoted as they wrote them."""

    text: str


@dataclass(frozen=True)
class Rich:
    """Text someone wrote in Markdown, as the stored HTML the renderer made of it."""

    html: str


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Posted:
    """One message of a thread: who wrote it and when, its words, its own link."""

    byline: str
    at: datetime
    html: str
    permalink: str


@dataclass(frozen=True)
class Section:
    """A thread in a notification or digest: a heading, then its blocks."""

    text_heading: str  # the plain-text line that opens it ("[Room] Thread")
    html_heading: str  # the heading in HTML (the thread's title)
    level: int
    blocks: tuple[Block, ...]
    rule_above: bool = False  # a line of "=" above it in plain text (digests)


@dataclass(frozen=True)
class FooterLine:
    """A short line under the signature delimiter; a link reads "label: url"."""

    text: str
    url: str | None = None


Block = Paragraph | Action | Quotation | Rich | Heading | Posted | Section


@dataclass(frozen=True)
class MailBody:
    title: str  # the HTML document's title: the subject
    blocks: tuple[Block, ...]
    footer: tuple[FooterLine, ...] = field(default=())
    lang: str = "en"

    def text(self) -> str:
        return render_text(self)

    def html(self) -> str:
        return render_html(self)


def when(moment: datetime) -> str:
    """``27 Nov 2026, 10:00 UTC``."""
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def emailed_link(subject: str, name: str, purpose: str, action: Action, minutes: int, unasked: str) -> MailBody:
    """The mail that carries a single-use link (confirm an address, sign in, confirm a new
    address): a greeting, what the link is for, the button, and how long it lasts."""
    return MailBody(
        subject,
        (
            para(f"Hello {name},"),
            para(purpose),
            action,
            para(f"The link works once and expires in {minutes} minutes. If you did not {unasked}, ignore this message."),
        ),
    )


def from_text(title: str, text: str) -> MailBody:
    """A body from plain paragraphs (blank-line separated); a paragraph that is only an
    address becomes a link. For mail written as a plain string."""
    blocks: list[Block] = []
    for chunk in (c.strip() for c in text.split("\n\n")):
        if not chunk:
            continue
        if chunk.startswith(("http://", "https://")) and not any(ch.isspace() for ch in chunk):
            blocks.append(Paragraph((Link(chunk, chunk),)))
        elif all(line.startswith(">") for line in chunk.splitlines()):
            blocks.append(Quotation("\n".join(line[1:].removeprefix(" ") for line in chunk.splitlines())))
        else:
            blocks.append(para(chunk))
    return MailBody(title, tuple(blocks))


# ---- plain text ----------------------------------------------------------------------


def _inline_text(part: Inline) -> str:
    if isinstance(part, str):
        return part
    return part.url if part.text == part.url else f"{part.text} ({part.url})"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _block_text(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return ["".join(_inline_text(p) for p in block.parts), ""]
    if isinstance(block, Action):
        return [f"{block.label}:", block.url, ""]
    if isinstance(block, Quotation):
        return [_quote(block.text), ""]
    if isinstance(block, Rich):
        return [html_to_text(block.html), ""]
    if isinstance(block, Heading):
        return [block.text, ""]
    if isinstance(block, Posted):
        return [f"{block.byline} wrote at {when(block.at)}:", "", html_to_text(block.html), "", f"View this message: {block.permalink}", ""]
    lines = (["=" * 60] if block.rule_above else []) + [block.text_heading, ""]
    for inner in block.blocks:
        lines += _block_text(inner)
    return lines


def render_text(body: MailBody) -> str:
    lines: list[str] = []
    for block in body.blocks:
        lines += _block_text(block)
    if body.footer:
        lines.append("-- ")  # the signature delimiter: clients grey it out, replies leave it behind
        lines += [f"{line.text}: {line.url}" if line.url else line.text for line in body.footer]
        lines.append("")
    return "\n".join(lines)


# ---- HTML ----------------------------------------------------------------------------


def _inline_html(part: Inline) -> str:
    return escape(part) if isinstance(part, str) else link(part.url, part.text)


def _block_html(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p{style('p')}>{''.join(_inline_html(p) for p in block.parts)}</p>"
    if isinstance(block, Action):
        return f"<p{style('p')}>{link(block.url, block.label, 'button')}</p>"
    if isinstance(block, Quotation):
        lines = "<br>".join(escape(line) for line in block.text.splitlines())
        return f"<blockquote{style('blockquote')}>{lines}</blockquote>"
    if isinstance(block, Rich):
        return f"<div>{mail_html(block.html)}</div>"
    if isinstance(block, Heading):
        h = f"h{block.level}"
        return f"<{h}{style(h)}>{escape(block.text)}</{h}>"
    if isinstance(block, Posted):
        stamp = block.at.isoformat().replace("+00:00", "Z")
        return (
            f"<article{style('article')}><h3{style('h3')}>{escape(block.byline)}</h3>"
            f'<p{style("p")}><time datetime="{stamp}"><span{style("small")}>{escape(when(block.at))}</span></time></p>'
            f"<div>{mail_html(block.html)}</div>"
            f"<p{style('p')}>{link(block.permalink, 'View this message in Convene')}</p></article>"
        )
    h = f"h{block.level}"
    inner = "\n".join(_block_html(b) for b in block.blocks)
    rule = f"<hr{style('hr')}>" if block.rule_above else ""
    return f"{rule}<section><{h}{style(h)}>{escape(block.html_heading)}</{h}>\n{inner}</section>"


def _footer_html(footer: tuple[FooterLine, ...]) -> str:
    if not footer:
        return ""
    lines = "".join(
        f"<p{style('p')}><span{style('small')}>{link(line.url, line.text) if line.url else escape(line.text)}</span></p>" for line in footer
    )
    return f"<footer><hr{style('hr')}>{lines}</footer>"


def render_html(body: MailBody) -> str:
    content = "\n".join(_block_html(b) for b in body.blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(body.lang)}">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">'
        f"<title>{escape(body.title)}</title></head>\n"
        f"<body{style('body')}>\n<main{style('main')}>\n{content}\n{_footer_html(body.footer)}</main>\n</body>\n</html>\n"
    )
