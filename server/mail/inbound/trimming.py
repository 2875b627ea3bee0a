"""Cut quoted history and signatures off a reply, keep what was cut, leave the author's lines untouched.

The reply is what the author wrote, wherever they wrote it:

- above the quote (top-posting: Outlook, Gmail, phones): everything from the history
  marker on is cut (``server.mail.inbound.quotes`` finds the marker);
- below the quote (bottom-posting: Thunderbird, mailing-list habits): the attribution and
  the ``>`` quote above the answer are cut, the answer lands;
- between quoted lines (inline answers): each ``>`` run that is answered stays, as
  ``> `` quotes, so the thread still reads; runs nobody answered, deeper quotes (``>>``)
  and the attribution go. One quote followed by one answer is read as bottom-posting.

Then the signature (``server.mail.inbound.signatures``) goes from the end of the author's
text, and Outlook's "[cid:...]" image placeholders go everywhere.

Decision (issue 18): no library is asked. quotequail was, until the reply corpus showed that
it found no history these rules miss (on 200 cases, none) while taking nine tenths of the
time on long mail; it and the other libraries are compared in ``docs/reply-trimming.md``.

The author's text is kept exactly: lines are never joined, re-indented or escaped (numbered
lists, ``*`` and ``_`` reach Markdown as typed); only trailing spaces are dropped, because
mail clients add them at random. Everything cut is returned too (``Trimmed.trimmed``), so
that nothing is silently lost: the author can see it and put any of it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .quotes import RULE, Kind, attribution_end, find_marker, is_quoted
from .signatures import is_sent_from, signature_start

# Outlook's plain-text stand-in for an inline image, e.g. a signature logo: "[cid:image001.png@01DB8C2D.5F1A2B30]".
_CID_PLACEHOLDER = re.compile(r"^[ \t]*\[cid:[^\]\s]+\][ \t]*$", re.IGNORECASE)
_QUOTE_DEPTH = re.compile(r"^[ \t]*((?:>[ \t]?)+)")


@dataclass(frozen=True, slots=True)
class Trimmed:
    """``body``: the reply to post. ``trimmed``: what was cut from it, in order (empty when nothing was)."""

    body: str
    trimmed: str


def trim_reply(text: str, *, scan_chars: int) -> str:
    """The reply at the top of ``text`` (lines separated by ``\\n``), without history or signature."""
    return trim(text, scan_chars=scan_chars).body


def trim(text: str, *, scan_chars: int) -> Trimmed:
    """Split ``text`` into the reply and what was trimmed off it.

    Only the first ``scan_chars`` characters are searched for where the history starts: a
    reply whose history starts later is longer than any message allowed, so the caller
    refuses it by length either way, and hostile megabytes of "From:" lines cost nothing.
    """
    lines = text.split("\n")
    window = text if len(text) <= scan_chars else text[: text.rfind("\n", 0, scan_chars) + 1]
    window_count = window.count("\n") + 1 if window is text else window.count("\n")
    keep = [False] * len(lines)
    # Lines past the window: kept only when no history was found in it (the reply is then too long anyway).
    history = _history(lines[:window_count], keep)
    if not history and window_count < len(lines):
        for i in range(window_count, len(lines)):
            keep[i] = True
    _cut_signature(lines, keep)
    for i, line in enumerate(lines):
        if keep[i] and _CID_PLACEHOLDER.match(line):
            keep[i] = False
    _drop_trailing_noise(lines, keep)
    _close_gaps(lines, keep)
    body = "\n".join(line.rstrip() for line, kept in zip(lines, keep) if kept)
    return Trimmed(body=body.lstrip("\n"), trimmed=_cut_text(lines, keep))


def _history(lines: list[str], keep: list[bool]) -> bool:
    """Mark the author's lines in ``keep``; True when quoted history was found."""
    marker = find_marker(lines)
    stop = marker.start if marker else len(lines)
    if marker is None or marker.kind is Kind.BLOCK:
        for i in range(stop):
            keep[i] = True
        _answered_quotes(lines, keep, 0, stop, above_marker=True)
        return stop < len(lines)
    for i in range(stop):
        keep[i] = True
    after = marker.end + 1
    first = next((i for i in range(after, len(lines)) if lines[i].strip()), len(lines))
    if first == len(lines) or not is_quoted(lines[first]):
        return True  # top-posted: the quote follows unmarked (HTML turned into text, Zoho, Yahoo)
    end = _end_of_answers(lines, after)
    for i in range(after, end):
        keep[i] = True
    has_text_above = any(line.strip() for line in lines[: marker.start])
    _answered_quotes(lines, keep, after, end, above_marker=has_text_above)
    return True


def _end_of_answers(lines: list[str], begin: int) -> int:
    """Below an attribution: the author's answers run until the next history marker at the top level."""
    marker = find_marker(lines, begin)
    return marker.start if marker else len(lines)


def _answered_quotes(lines: list[str], keep: list[bool], begin: int, end: int, *, above_marker: bool) -> None:
    """Keep only the ``>`` runs that an answer follows; a lone quote before the only answer is bottom-posting.

    Apple Mail puts its attribution inside the quote ("> On ... wrote:"); such a line is never kept,
    and a quote that opens with one is history being answered below, as after an unquoted attribution.
    """
    runs: list[tuple[int, int, bool]] = []  # (start, end, answered)
    attributions: set[int] = set()
    i = begin
    while i < end:
        if not is_quoted(lines[i]):
            i += 1
            continue
        start = i
        while i < end and (is_quoted(lines[i]) or not lines[i].strip()):
            i += 1
        attributions |= _quoted_attributions(lines, start, i)
        answered = i < end and not is_quoted(lines[i]) and not is_sent_from(lines[i])
        runs.append((start, i, answered))
    answered_runs = [run for run in runs if run[2]]
    bottom_posted = False
    if len(answered_runs) == 1:
        start = answered_runs[0][0]
        introduced = (begin > 0 and not above_marker) or start in attributions
        bottom_posted = introduced and not any(keep[j] and lines[j].strip() and not is_quoted(lines[j]) for j in range(start))
    for start, stop, answered in runs:
        for j in range(start, stop):
            if not is_quoted(lines[j]):
                continue
            keep[j] = (
                answered
                and not bottom_posted
                and j not in attributions
                and _depth(lines[j]) == 1
                and bool(lines[j].strip(" \t>"))
            )


def _quoted_attributions(lines: list[str], start: int, stop: int) -> set[int]:
    """The lines of attributions written inside a quote, at depth one."""
    found: set[int] = set()
    unquoted = [_QUOTE_DEPTH.sub("", line) if _depth(line) == 1 else "" for line in lines[start:stop]]
    for k in range(len(unquoted)):
        if unquoted[k].strip() and (k == 0 or not unquoted[k - 1].strip()):
            last = attribution_end(unquoted, k)
            if last is not None:
                found |= {start + n for n in range(k, last + 1)}
    return found


def _depth(line: str) -> int:
    found = _QUOTE_DEPTH.match(line)
    return found.group(1).count(">") if found else 0


def _cut_signature(lines: list[str], keep: list[bool]) -> None:
    """The signature ends the author's last stretch of own (unquoted) text."""
    kept = [i for i, k in enumerate(keep) if k]
    last_quote = max((i for i in kept if is_quoted(lines[i])), default=-1)
    own = [i for i in kept if i > last_quote]
    cut = signature_start([lines[i] for i in own])
    for i in own[cut:]:
        keep[i] = False


def _drop_trailing_noise(lines: list[str], keep: list[bool]) -> None:
    """Remove, from the end only, blank lines, quoted lines left unanswered, rules and "Sent from" lines."""
    for i in reversed(range(len(lines))):
        if not keep[i]:
            continue
        line = lines[i]
        if not line.strip() or is_quoted(line) or is_sent_from(line) or RULE.match(line):
            keep[i] = False
        else:
            break


def _close_gaps(lines: list[str], keep: list[bool]) -> None:
    """One blank line, not two, where cut lines stood between blank lines the author typed."""
    previous_blank = False
    cut_since = False
    for i, line in enumerate(lines):
        if not keep[i]:
            cut_since = True
            continue
        blank = not line.strip()
        if blank and previous_blank and cut_since:
            keep[i] = False
            continue
        previous_blank, cut_since = blank, False


def _cut_text(lines: list[str], keep: list[bool]) -> str:
    """The lines not kept, in order; one blank line between stretches that kept text separated."""
    out: list[str] = []
    gap = False
    for line, kept in zip(lines, keep):
        if kept:
            gap = bool(out)
            continue
        line = line.rstrip()
        if (gap or not line.strip()) and out and out[-1]:
            out.append("")
        gap = False
        if line.strip():
            out.append(line)
    return "\n".join(out).strip("\n")
