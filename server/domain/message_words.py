"""A message's stored HTML (made safe by the one Markdown renderer when it was written),
for mail: rebuilt tag by tag with inline styles for the HTML part (``mail_html``), or
read back as plain words for the text part (``html_to_text``): a mention reads "@Name",
emphasis is plain text, a link reads "text (url)", a quotation keeps its "> " and list
items their "- " or number. Only the tags the renderer makes are kept; anything else
keeps only its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from server.domain.mail_style import link, style


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
        return link(href, _text_of(node)) if href.strip().lower().startswith(_SAFE_SCHEMES) else inner
    if tag == "span" and "mention" in node.attrs.get("class", "").split():
        return f"<strong{style('mention')}>{inner}</strong>"
    if tag in ("th", "td"):
        return f"<{tag}{style(tag)}>{inner}</{tag}>"
    if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:  # inside a message: not part of the mail's outline
        return f"<p{style('p')}><strong>{inner}</strong></p>"
    if tag in _KEPT:
        attributes = style(tag) if tag in _STYLED else ""
        if tag == "ol" and node.attrs.get("start", "").isdigit():
            attributes += f' start="{node.attrs["start"]}"'
        return f"<{tag}{attributes}>" if tag in _VOID else f"<{tag}{attributes}>{inner}</{tag}>"
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
