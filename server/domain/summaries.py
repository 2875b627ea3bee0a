"""Short plain-text summaries of messages: the inbox's and the mentions page's
snippets, and search results' excerpts. All start from ``markdown.summary_text`` (the
words as a reader sees them), so no summary shows Markdown source."""

from __future__ import annotations

import re

from server.domain.markdown import summary_text
from server.store.fulltext import MARK_END, MARK_START

SNIPPET_CHARS = 160
EXCERPT_CHARS = 200
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)


def snippet_of(body: str, limit: int = SNIPPET_CHARS) -> str:
    """A message's words on one line, shortened to ``limit`` characters."""
    text = summary_text(body)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def marked_excerpt(body: str, index_snippet: str | None, limit: int = EXCERPT_CHARS) -> str:
    """The part of a message's words around its first match, with every matched word
    between the index's marks (``fulltext.MARK_START``/``MARK_END``).

    The search index excerpts the Markdown source; its marks say which words matched
    (after stemming, so "payments" may match "payment"), and those words are marked
    again in the plain text, where the excerpt is cut."""
    text = summary_text(body)
    matched = {m.strip(" *_`~[]()@").casefold() for m in _MARKED.findall(index_snippet or "")} - {""}
    if not matched:
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(word) for word in sorted(matched, key=len, reverse=True)) + r")(?!\w)",
                         re.IGNORECASE)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - limit // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (first.start() if first else start) else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = pattern.sub(lambda m: f"{MARK_START}{m.group(1)}{MARK_END}", text[start:end])
    return ("…" if start else "") + piece + ("…" if end < len(text) else "")
