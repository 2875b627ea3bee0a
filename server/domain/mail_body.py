"""Every outgoing email's body, written once as a list of blocks and rendered twice: a
plain-text part that reads well in any client, and an HTML part that mail clients show
safely. Each kind of mail (``server.domain.accounts``, ``invitations``,
``join_requests``, ``profile``, ``inbound_record``, ``notification_mail``) says *what*
it says here, once; so a translation (Welsh first) changes words in one place and both
parts follow.

Plain text: no Markdown left for the reader to decode. A message's stored HTML (made
safe by the one renderer when it was written) is turned back into words: a mention
reads "@Name", emphasis is plain text, a link reads "text (url)", a quotation keeps its
"> " and list items their "- ".

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from html.parser import HTMLParser

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

# One palette, every colour given with its background (see the module docstring).
PAGE = "#ffffff"
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#1a56db"
QUOTE_BG = "#f3f4f6"
RULE = "#cbd2d9"
FONT = "font-family: Arial, Helvetica, sans-serif"
STYLE = {
    "body": f"margin: 0; padding: 0; background-color: {PAGE}; color: {INK}",
    "main": f"{FONT}; font-size: 16px; line-height: 1.5; max-width: 40em; margin: 0 auto; padding: 16px; "
    f"background-color: {PAGE}; color: {INK}",
    "p": "margin: 0 0 1em 0",
    "h1": "font-size: 22px; line-height: 1.3; margin: 0 0 0.5em 0",
    "h2": "font-size: 19px; line-height: 1.3; margin: 1.2em 0 0.5em 0",
    "h3": "font-size: 17px; line-height: 1.3; margin: 1em 0 0.25em 0",
    "a": f"color: {ACCENT}; text-decoration: underline",
    "button": f"display: inline-block; padding: 10px 18px; border-radius: 4px; background-color: {ACCENT}; color: {PAGE}; "
    "font-weight: bold; text-decoration: none",
    "blockquote": f"margin: 0 0 1em 0; padding: 4px 12px; border-left: 4px solid {RULE}; background-color: {QUOTE_BG}; color: {INK}",
    "small": f"font-size: 14px; color: {MUTED}",
    "hr": f"border: 0; border-top: 1px solid {RULE}; margin: 1.5em 0",
    "article": f"margin: 0 0 1em 0; padding: 0 0 0 12px; border-left: 3px solid {RULE}",
    "code": f"font-family: Consolas, Menlo, monospace; font-size: 14px; background-color: {QUOTE_BG}; color: {INK}",
    "pre": f"font-family: Consolas, Menlo, monospace; font-size: 14px; white-space: pre-wrap; padding: 8px; margin: 0 0 1em 0; "
    f"background-color: {QUOTE_BG}; color: {INK}",
    "ul": "margin: 0 0 1em 0; padding-left: 1.5em",
    "li": "margin: 0",
    "table": "border-collapse: collapse; margin: 0 0 1em 0",
    "td": f"border: 1px solid {RULE}; padding: 4px 8px",
    "mention": f"font-weight: bold; background-color: {QUOTE_BG}; color: {INK}",
}
STYLE["ol"] = STYLE["ul"]
STYLE["th"] = STYLE["td"] + "; font-weight: bold"


def _style(name: str) -> str:
    return f' style="{STYLE[name]}"'


def _a(url: str, text: str, style: str = "a") -> str:
    return f'<a href="{escape(url)}"{_style(style)}>{escape(text)}</a>'


def _inline_html(part: Inline) -> str:
    return escape(part) if isinstance(part, str) else _a(part.url, part.text)


def _block_html(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p{_style('p')}>{''.join(_inline_html(p) for p in block.parts)}</p>"
    if isinstance(block, Action):
        return f"<p{_style('p')}>{_a(block.url, block.label, 'button')}</p>"
    if isinstance(block, Quotation):
        lines = "<br>".join(escape(line) for line in block.text.splitlines())
        return f"<blockquote{_style('blockquote')}>{lines}</blockquote>"
    if isinstance(block, Rich):
        return f"<div>{mail_html(block.html)}</div>"
    if isinstance(block, Heading):
        h = f"h{block.level}"
        return f"<{h}{_style(h)}>{escape(block.text)}</{h}>"
    if isinstance(block, Posted):
        stamp = block.at.isoformat().replace("+00:00", "Z")
        return (
            f"<article{_style('article')}><h3{_style('h3')}>{escape(block.byline)}</h3>"
            f'<p{_style("p")}><time datetime="{stamp}"><span{_style("small")}>{escape(when(block.at))}</span></time></p>'
            f"<div>{mail_html(block.html)}</div>"
            f"<p{_style('p')}>{_a(block.permalink, 'View this message in Convene')}</p></article>"
        )
    h = f"h{block.level}"
    inner = "\n".join(_block_html(b) for b in block.blocks)
    rule = f"<hr{_style('hr')}>" if block.rule_above else ""
    return f"{rule}<section><{h}{_style(h)}>{escape(block.html_heading)}</{h}>\n{inner}</section>"


def _footer_html(footer: tuple[FooterLine, ...]) -> str:
    if not footer:
        return ""
    lines = "".join(
        f"<p{_style('p')}><span{_style('small')}>{_a(line.url, line.text) if line.url else escape(line.text)}</span></p>" for line in footer
    )
    return f"<footer><hr{_style('hr')}>{lines}</footer>"


def render_html(body: MailBody) -> str:
    content = "\n".join(_block_html(b) for b in body.blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(body.lang)}">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">'
        f"<title>{escape(body.title)}</title></head>\n"
        f"<body{_style('body')}>\n<main{_style('main')}>\n{content}\n{_footer_html(body.footer)}</main>\n</body>\n</html>\n"
    )


# ---- a message's stored HTML: rebuilt for mail, or read back as text -------------------


@dataclass
class _Node:
    tag: str  # "" for text
    attrs: dict[str, str]
    children: list[_Node]
    text: str = ""


_VOID = frozenset({"br", "hr"})


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs}, [])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(_Node("", {}, [], data))


def _tree(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _text_of(node: _Node) -> str:
    return node.text if not node.tag else "".join(_text_of(c) for c in node.children)


_SAFE_SCHEMES = ("http://", "https://", "mailto:")
# The tags the renderer makes, and how each is written in mail (None: keep the tag, styled).
_KEPT = {"p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "table", "thead", "tbody", "tr"}
_STYLED = {"p", "blockquote", "ul", "ol", "li", "code", "pre", "hr", "table"}


def _mail_html(node: _Node) -> str:
    if not node.tag:
        return escape(node.text, quote=False)
    inner = "".join(_mail_html(c) for c in node.children)
    tag = node.tag
    if tag == "a":
        href = node.attrs.get("href", "")
        return _a(href, _text_of(node)) if href.strip().lower().startswith(_SAFE_SCHEMES) else inner
    if tag == "span" and "mention" in node.attrs.get("class", "").split():
        return f"<strong{_style('mention')}>{inner}</strong>"
    if tag in ("th", "td"):
        return f"<{tag}{_style(tag)}>{inner}</{tag}>"
    if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:  # inside a message: not part of the mail's outline
        return f"<p{_style('p')}><strong>{inner}</strong></p>"
    if tag in _KEPT:
        style = _style(tag) if tag in _STYLED else ""
        if tag == "ol" and node.attrs.get("start", "").isdigit():
            style += f' start="{node.attrs["start"]}"'
        return f"<{tag}{style}>" if tag in _VOID else f"<{tag}{style}>{inner}</{tag}>"
    return inner  # anything else (root, div, span): its content only


def mail_html(stored_html: str) -> str:
    """A message's stored HTML, rebuilt for mail: the renderer's tags with inline
    styles, links limited to http(s) and mailto, nothing else but text."""
    return _mail_html(_tree(stored_html))


def _squeeze(lines: list[str]) -> str:
    """Join lines, at most one blank line in a row, none at the ends."""
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1]):
            out.append(line.rstrip() if line.strip() else "")
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _inline(node: _Node) -> str:
    if not node.tag:
        return node.text.replace("\n", " ") if node.text.strip() or " " in node.text else node.text.replace("\n", "")
    if node.tag == "br":
        return "\n"
    if node.tag == "a":
        text, href = _text_of(node), node.attrs.get("href", "")
        if not href or href in (text, f"mailto:{text}") or not href.lower().startswith(_SAFE_SCHEMES):
            return text
        return f"{text} ({href})"
    return "".join(_inline(c) for c in node.children)


_AFTER_BREAK = re.compile(r"\n[ \t]+")  # the source's own line end after a <br>
_BLOCKS = {"p", "pre", "blockquote", "ul", "ol", "li", "hr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "div", "thead", "tbody", "tr"}


def _blocks_text(node: _Node) -> list[str]:
    """The node's children as lines, blocks separated by a blank line."""
    lines: list[str] = []
    run: list[str] = []  # inline content between blocks

    def flush() -> None:
        text = _AFTER_BREAK.sub("\n", "".join(run)).strip("\n")
        if text.strip():
            lines.extend(text.split("\n") + [""])
        run.clear()

    for child in node.children:
        if child.tag in _BLOCKS:
            flush()
            lines += _block_lines(child) + [""]
        else:
            run.append(_inline(child))
    flush()
    return lines


def _block_lines(node: _Node) -> list[str]:
    tag = node.tag
    if tag == "hr":
        return ["----"]
    if tag == "pre":
        return ["    " + line for line in _text_of(node).rstrip("\n").split("\n")]
    if tag == "blockquote":
        return [f"> {line}" if line else ">" for line in _squeeze(_blocks_text(node)).split("\n")]
    if tag in ("ul", "ol"):
        start = int(node.attrs["start"]) if node.attrs.get("start", "").isdigit() else 1
        items = [c for c in node.children if c.tag == "li"]
        out: list[str] = []
        for n, item in enumerate(items):
            mark = f"{start + n}. " if tag == "ol" else "- "
            body = _squeeze(_blocks_text(item)).split("\n")
            out += [mark + body[0]] + [" " * len(mark) + line if line else "" for line in body[1:]]
        return out
    if tag == "table":
        rows = [r for section in node.children for r in ([section] if section.tag == "tr" else section.children) if r.tag == "tr"]
        return [" | ".join(_squeeze([_inline(c)]).replace("\n", " ") for c in row.children if c.tag in ("th", "td")) for row in rows]
    return _squeeze(_blocks_text(node)).split("\n")


def html_to_text(stored_html: str) -> str:
    """A message's stored HTML as plain text that reads well: see the module docstring."""
    return _squeeze(_blocks_text(_tree(stored_html)))
