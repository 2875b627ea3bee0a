"""An email-client rendering check for the HTML part of outgoing mail.

What mail clients do to HTML, as rules (each a way mail has been seen to break):

* no external resources: no ``src``/``srcset``/``background`` attributes, no ``url(``
  or ``@import`` in styles, no ``<img>``, ``<link>``, ``<iframe>``, ``<object>``,
  ``<embed>``, ``<video>``, ``<audio>``, ``<svg>``, ``<base>`` (clients block remote
  content, and fetching it tells the sender who read what);
* inline styles only: no ``<style>`` element (Gmail drops it outside ``<head>``, Outlook
  rewrites it), no ``class`` or ``id`` that a style sheet would need, no ``<script>``,
  no ``on*`` handler attributes, no forms;
* links are absolute ``http(s)`` or ``mailto`` addresses, each with words to read;
* dark-mode safe: the document declares ``color-scheme: light dark``; every piece of
  text has an explicit colour *and* an explicit background under it (the nearest
  ancestor that sets each), so no client shows dark text on its own dark canvas; pure
  black text is not used (Outlook.com's dark mode turns it into black on dark grey);
  the contrast of each text colour against its background is at least 4.5:1 (WCAG AA);
* ``<html lang>``, a ``<title>`` and a UTF-8 ``<meta charset>``; under 102 kB (Gmail
  clips larger messages behind "View entire message").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

FORBIDDEN_TAGS = {"style", "script", "link", "img", "iframe", "object", "embed", "video", "audio", "svg", "base", "form", "input", "button"}
FORBIDDEN_ATTRS = {"src", "srcset", "background", "class", "id", "bgcolor", "color"}
VOID = {"br", "hr", "meta", "img", "link", "input", "base"}
GMAIL_CLIP = 102_000
PURE_BLACK = {"#000", "#000000", "black", "rgb(0,0,0)"}


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _declarations(style: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in style.split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            found[name.strip().lower()] = value.strip().lower()
    return found


@dataclass
class _Frame:
    tag: str
    colour: str | None
    background: str | None


class HtmlCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.stack: list[_Frame] = []
        self.seen: set[str] = set()
        self.link_text: list[str] | None = None

    def _colours(self) -> tuple[str | None, str | None]:
        colour = next((f.colour for f in reversed(self.stack) if f.colour), None)
        background = next((f.background for f in reversed(self.stack) if f.background), None)
        return colour, background

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        values = {k.lower(): v or "" for k, v in attrs}
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> is not allowed")
        for name in values:
            if name in FORBIDDEN_ATTRS or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> is not allowed")
        style = values.get("style", "")
        if re.search(r"url\s*\(|@import|expression\s*\(", style, re.I):
            self.problems.append(f"<{tag}> style loads something: {style!r}")
        declared = _declarations(style)
        colour, background = declared.get("color"), declared.get("background-color") or declared.get("background")
        for value in (colour, background):
            if value is not None and not re.fullmatch(r"#[0-9a-f]{3}|#[0-9a-f]{6}", value):
                self.problems.append(f"<{tag}> colour {value!r} is not a plain #rgb value")
        if colour in PURE_BLACK:
            self.problems.append(f"<{tag}> uses pure black text")
        if tag == "a":
            href = values.get("href", "")
            if not re.match(r"(https?://[^\s]+|mailto:[^\s]+)$", href):
                self.problems.append(f"link to {href!r} is not an absolute http(s) or mailto address")
            self.link_text = []
        if tag == "meta" and values.get("name") == "color-scheme" and "dark" in values.get("content", ""):
            self.seen.add("color-scheme")
        if tag == "meta" and values.get("charset", "").lower() == "utf-8":
            self.seen.add("charset")
        if tag == "html" and values.get("lang"):
            self.seen.add("lang")
        if tag not in VOID:
            self.stack.append(_Frame(tag, colour, background))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link_text is not None:
            if not "".join(self.link_text).strip():
                self.problems.append("a link with no text")
            self.link_text = None
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.link_text is not None:
            self.link_text.append(data)
        if not data.strip() or any(f.tag in ("title", "head") for f in self.stack):
            return
        colour, background = self._colours()
        if colour is None or background is None:
            self.problems.append(f"text without an explicit colour and background: {data.strip()[:40]!r}")
        elif contrast(colour, background) < 4.5:
            self.problems.append(f"contrast {contrast(colour, background):.2f} of {colour} on {background}: {data.strip()[:40]!r}")


def html_problems(html: str) -> list[str]:
    """Every way ``html`` breaks the rules above (empty when it passes)."""
    check = HtmlCheck()
    check.feed(html)
    check.close()
    problems = list(dict.fromkeys(check.problems))
    needs = {"color-scheme": "no color-scheme meta", "charset": "no UTF-8 charset meta", "lang": "no <html lang>", "title": "no <title>"}
    for need, why in needs.items():
        if need not in check.seen:
            problems.append(why)
    if len(html.encode()) > GMAIL_CLIP:
        problems.append(f"{len(html.encode())} bytes: Gmail clips over {GMAIL_CLIP}")
    return problems
