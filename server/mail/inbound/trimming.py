"""Cut quoted history and signatures off a reply, leaving the author's lines untouched.

quotequail (maintained, and it never rewrites the text it splits) finds the usual quote
introductions: "On ... wrote:" wrapped over two lines as Gmail and Android write it, Apple
Mail's and Thunderbird's, "-----Original Message-----" and Outlook's underscore rule. The
rules here add what it does not know: Outlook header blocks without a rule above them
("From: ... Sent: ...", also in Welsh: "Oddi wrth: ... Anfonwyd: ..."), Welsh Gmail's
"Ar ... ysgrifennodd:", the "-- " signature separator, "Sent from my iPhone"-style lines
and trailing quoted lines; Outlook's "[cid:...]" image placeholders go too.

The author's text is kept exactly: lines are never joined, re-indented or escaped (numbered
lists, ``*`` and ``_`` reach Markdown as typed); only trailing spaces are dropped, because
mail clients add them at random.
"""

from __future__ import annotations

import re

import quotequail  # type: ignore[import-untyped]

_LABEL = r"^(?:>[ \t]?)*[ \t]*\*?{names}\*?[ \t]*:[ \t]*\*?"
# Outlook's quoted-header block starts with the sender, in the languages Convene's people use.
_FROM = re.compile(_LABEL.format(names=r"(?:From|Oddi wrth|Gan|Von|De)"), re.IGNORECASE)
# ... followed closely by when it was sent ...
_SENT = re.compile(_LABEL.format(names=r"(?:Sent|Date|Anfonwyd|Dyddiad|Gesendet|Envoy[ée]|Enviado)"), re.IGNORECASE)
# ... and the other header lines that may sit between them.
_OTHER = re.compile(_LABEL.format(names=r"(?:To|At|Cc|Bcc|Subject|Pwnc|Testun|Reply-To|Importance)"), re.IGNORECASE)
_RULE = re.compile(r"^[ \t]*(?:_{10,}|-{5,}[ \t]*(?:Original Message|Neges Wreiddiol|Neges wreiddiol)[ \t]*-{5,})[ \t]*$", re.IGNORECASE)
# Welsh Gmail: "Ar Llun, 3 Maw 2025 am 10:15 Ada Lovelace <ada@example.org> ysgrifennodd:"
_WELSH_WROTE = re.compile(r"^(?:>[ \t]?)*[ \t]*Ar .+ ysgrifennodd[^:]*:[ \t]*$", re.IGNORECASE)
_SENT_FROM = re.compile(
    r"^[ \t]*(?:"
    r"sent from my [^\n]{1,40}"
    r"|sent from (?:outlook|mail|yahoo mail|proton mail|samsung mobile)\b[^\n]{0,60}"
    r"|get outlook for (?:ios|android)\b[^\n]{0,60}"
    r"|anfonwyd o fy [^\n]{1,40}"
    r"|anfonwyd o outlook\b[^\n]{0,60}"
    r"|cael outlook ar gyfer (?:ios|android)\b[^\n]{0,60}"
    r")[ \t]*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^[ \t]*>")
# Outlook's plain-text stand-in for an inline image, e.g. a signature logo: "[cid:image001.png@01DB8C2D.5F1A2B30]".
_CID_PLACEHOLDER = re.compile(r"^[ \t]*\[cid:[^\]\s]+\][ \t]*$", re.IGNORECASE)
_HEADER_WINDOW = 6


def trim_reply(text: str, *, scan_chars: int) -> str:
    """Return the reply at the top of ``text`` (lines separated by ``\\n``), without history or signature.

    Only the first ``scan_chars`` characters are searched for where the history starts: a
    reply whose history starts later is longer than any message allowed, so the caller
    refuses it by length either way, and hostile megabytes of "From:" lines cost nothing.
    """
    lines = text.split("\n")
    window = text if len(text) <= scan_chars else text[: text.rfind("\n", 0, scan_chars) + 1]
    window_lines = window.split("\n")
    cut = min(_quotequail_cut(window), _rule_cut(window_lines), _signature_cut(window_lines))
    if cut >= len(window_lines) - 1 and window is not text:
        cut = len(lines)  # no history in the window: the rest belongs to the reply (and makes it too long)
    kept = [line.rstrip() for line in lines[:cut]]
    if "[cid:" in text:
        kept = [line for line in kept if not _CID_PLACEHOLDER.match(line)]
    _drop_trailing_noise(kept)
    while kept and not kept[0]:
        kept.pop(0)
    return "\n".join(kept)


def _quotequail_cut(window: str) -> int:
    """Where quotequail sees the history start; it tries dozens of patterns per line, hence the window."""
    line_count = window.count("\n") + 1
    parts = quotequail.quote(window, limit=line_count + 1, quote_intro_line=True)
    if len(parts) < 2:
        return line_count
    first = parts[0][1]
    return first.count("\n") + 1 if first else 0


def _rule_cut(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if _WELSH_WROTE.match(line) or (i + 1 < len(lines) and _WELSH_WROTE.match(f"{line.rstrip()} {lines[i + 1].strip()}")):
            return i
        if _RULE.match(line) and not line.lstrip().startswith("_"):
            return i
        if _FROM.match(line) and _header_block_follows(lines, i):
            return _include_rule_above(lines, i)
    return len(lines)


def _header_block_follows(lines: list[str], start: int) -> bool:
    """True when a "Sent:"-like line follows the "From:" line within a few header-like lines."""
    for line in lines[start + 1 : start + 1 + _HEADER_WINDOW]:
        if _SENT.match(line):
            return True
        if not line.strip():
            return False
    return False


def _include_rule_above(lines: list[str], start: int) -> int:
    i = start - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    return i if i >= 0 and _RULE.match(lines[i]) else start


def _signature_cut(lines: list[str]) -> int:
    """The "-- " separator (RFC 3676); a bare "--" counts only after a blank line, where Markdown can't read it as a heading rule."""
    for i, line in enumerate(lines):
        if line == "-- " or (line.rstrip() == "--" and (i == 0 or not lines[i - 1].strip())):
            return i
    return len(lines)


def _drop_trailing_noise(kept: list[str]) -> None:
    """Remove, from the end only, blank lines, quoted lines left without an introduction and "Sent from" lines."""
    while kept:
        last = kept[-1]
        if not last.strip() or _QUOTED.match(last) or _SENT_FROM.match(last) or _RULE.match(last):
            kept.pop()
        else:
            break
