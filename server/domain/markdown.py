"""The one Markdown renderer, configured safe.

markdown-it-py's ``js-default`` preset escapes raw HTML; links (including autolinks and
linkified text) are limited to http, https and mailto; images are turned off (the CSP
would block remote images and they leak readers' addresses to third parties). Single
newlines become ``<br>`` as people expect in chat. ``@**Display Name**`` mentions of
room members render as a span carrying the user id.

Bump ``RENDERER_VERSION`` whenever the output for the same source can change, so
stored HTML can be re-rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

RENDERER_VERSION = 1
ALLOWED_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class Rendered:
    html: str
    mentions: frozenset[int]


def _validate_link(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


def _mention_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("@**", state.pos):
        return False
    end = state.src.find("**", state.pos + 3)
    if end < 0:
        return False
    name = state.src[state.pos + 3 : end]
    user_id = state.env.get("members", {}).get(name.strip().casefold())
    if user_id is None and state.env.get("any_name") and name.strip():
        user_id = 0  # summarising (summary_text): every @**Name** reads as the name
    if user_id is None:
        return False  # not a member: leave the text to the other rules
    if not silent:
        token = state.push("mention", "", 0)
        token.meta = {"user_id": user_id, "name": name.strip()}
        state.env.setdefault("mentioned", set()).add(user_id)
    state.pos = end + 2
    return True


def _render_mention(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    return f'<span class="mention" data-user-id="{int(meta["user_id"])}">@{escapeHtml(meta["name"])}</span>'


def _render_link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
    html: str = self.renderToken(tokens, idx, options, env)
    return html


def _build() -> MarkdownIt:
    md = MarkdownIt("js-default", {"linkify": True, "breaks": True, "html": False})
    md.disable("image")
    md.validateLink = _validate_link  # type: ignore[method-assign]
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    md.add_render_rule("link_open", _render_link_open)
    return md


_MD = _build()


# Plain prose that Markdown leaves as it is: words of letters and digits starting with a
# letter, separated by single spaces or , ; ' ? !, a full stop only before a space or at
# the end. Nothing here can open a block (list, heading, quote, code), an inline rule
# (emphasis, code, link, entity, escape, mention) or a linkified address (those need
# ``:``, ``@``, ``/`` or a dot before a letter), and nothing needs escaping, so the HTML is
# the text in a paragraph. tests/test_markdown.py checks it against the renderer.
_PLAIN = re.compile(r"[^\W\d_][^\W_]*(?:(?:[ ,;'?!]|\.(?= |$))+[^\W_]+)*[.?!]?")


def render(source: str, members: Mapping[str, int] | None = None) -> Rendered:
    """Render ``source``; ``members`` maps casefolded display names to user ids for mentions."""
    if len(source) <= 2000 and _PLAIN.fullmatch(source):
        return Rendered(html=f"<p>{source}</p>\n", mentions=frozenset())
    env: dict[str, Any] = {"members": dict(members or {})}
    html = _MD.render(source, env)
    return Rendered(html=html, mentions=frozenset(env.get("mentioned", ())))


def summary_text(source: str) -> str:
    """The words of a message as a person reads them, on one line, for anywhere a
    message is summarised (inbox, mentions, search): ``@**Ben Okafor**`` reads
    "@Ben Okafor", ``**bold**`` "bold", ``[the plan](https://...)`` "the plan", code
    its text; blocks (paragraphs, list items, quotes) are separated by a space. Plain
    text, never HTML: whoever shows it escapes it."""
    env: dict[str, Any] = {"any_name": True}
    words: list[str] = []
    for token in _MD.parse(source, env):
        if token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type == "mention":
                    words.append("@" + str(child.meta["name"]))
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
        elif token.type in ("fence", "code_block"):
            words.append(" " + token.content + " ")
    return " ".join("".join(words).split())
