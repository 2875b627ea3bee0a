"""Find the text a person wrote in a parsed message, and the attachments that are left out.

text/plain is preferred; HTML is converted (with inscriptis, which drops script, style and
head content) only when no plain part has any text. Bodies are decoded from their transfer
encoding by the standard library, then from their charset here, because mail often lies
about its charset: ISO-8859-1 and US-ASCII labels are read as Windows-1252 (as browsers do,
per the WHATWG Encoding Standard), and undeclared or wrongly declared 8-bit text is tried
as UTF-8 before Windows-1252. ``format=flowed`` (Thunderbird, Apple Mail) is un-flowed, to
get back the lines the author typed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message

from inscriptis import get_text  # type: ignore[import-untyped]
from inscriptis.css_profiles import CSS_PROFILES  # type: ignore[import-untyped]
from inscriptis.html_properties import Display  # type: ignore[import-untyped]
from inscriptis.model.config import ParserConfig  # type: ignore[import-untyped]
from inscriptis.model.html_element import HtmlElement  # type: ignore[import-untyped]

# Browsers' defaults (script, style, head hidden), and also what a mail reader never shows.
_HTML_CSS = {**CSS_PROFILES["strict"], **{tag: HtmlElement(display=Display.none) for tag in ("noscript", "template", "iframe", "object")}}
_HTML_CONFIG = ParserConfig(css=_HTML_CSS, display_links=True)
# Labels browsers read as Windows-1252; a mail "in ISO-8859-1" with curly quotes is really that.
_AS_WINDOWS_1252 = frozenset({"iso8859-1", "latin-1", "ascii", "cp1252"})
_SIGNATURE_TYPES = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Body:
    """The decoded text (lines separated by ``\\n``), which kind of part it came from, and what was left out."""

    text: str | None
    source: str
    left_out: tuple[str, ...]


def read_body(message: EmailMessage) -> Body:
    plain = _body_part(message, "plain")
    text = decode_text(plain) if plain is not None else None
    chosen, source = plain, "plain"
    if text is None or not text.strip():
        html = _body_part(message, "html")
        if html is not None:
            converted = html_to_text(decode_text(html))
            if converted.strip() or text is None:
                text, chosen, source = converted, html, "html"
    return Body(text=text, source=source if text is not None else "none", left_out=_left_out(message, chosen))


def decode_text(part: Message) -> str:
    """The part's text with newlines as ``\\n``; never raises, whatever the charset says."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    text = _decode(data, part.get_content_charset())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if str(part.get_param("format") or "").lower() == "flowed":
        text = unflow(text, delsp=str(part.get_param("delsp") or "").lower() == "yes")
    return text


def html_to_text(html: str) -> str:
    """Readable text from HTML: block structure kept, links as ``[text](url)``, script and style dropped,
    and what stood in ``<blockquote>`` marked with ``> `` per level, as a plain-text reply quotes it."""
    try:
        text = get_text(_mark_quotes(html), _HTML_CONFIG)
    except Exception:  # lxml refuses some documents outright (e.g. only a comment); there is no text then
        return ""
    return _quoted_lines(str(text).replace("\r\n", "\n").replace("\xa0", " "))


# Where each <blockquote> opens and closes, as lines of their own once the HTML is text (characters
# from Unicode's private use area, removed from the mail first, so no one can forge them).
_OPEN, _CLOSE = "\ue000", "\ue001"
_BLOCKQUOTE_OPEN = re.compile(r"(<blockquote\b[^>]*>)", re.IGNORECASE)
_BLOCKQUOTE_CLOSE = re.compile(r"(</blockquote\s*>)", re.IGNORECASE)


def _mark_quotes(html: str) -> str:
    """Mail clients send a quote as <blockquote> (Gmail, Apple Mail, Thunderbird, Zoho); marking it
    lets the trimmer tell a reply under the quote, or between quoted lines, from the quote."""
    if "<blockquote" not in html and "<BLOCKQUOTE" not in html.upper():
        return html
    html = html.replace(_OPEN, "").replace(_CLOSE, "")
    html = _BLOCKQUOTE_OPEN.sub(lambda m: f"{m.group(1)}<div>{_OPEN}</div>", html)
    return _BLOCKQUOTE_CLOSE.sub(lambda m: f"<div>{_CLOSE}</div>{m.group(1)}", html)


def _quoted_lines(text: str) -> str:
    if _OPEN not in text:
        return text.replace(_CLOSE, "")
    out: list[str] = []
    depth = 0
    for line in text.split("\n"):
        opened, closed = line.count(_OPEN), line.count(_CLOSE)
        content = line.replace(_OPEN, "").replace(_CLOSE, "")
        if opened or closed:
            # A marker line: what else stands on it belongs to the level before it opened or after it closed.
            depth_for_text = depth + opened if opened >= closed else depth
            depth = max(0, depth + opened - closed)
            if not content.strip():
                continue
            out.append(_at_depth(content, depth_for_text if opened >= closed else depth))
            continue
        out.append(_at_depth(line, depth))
    return "\n".join(out)


def _at_depth(line: str, depth: int) -> str:
    if not depth:
        return line
    stripped = line.strip()
    return ">" * depth + (" " + stripped if stripped else "")


def unflow(text: str, *, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed: a line ending in a space continues on the next line of the same quote depth."""
    out: list[str] = []
    pending: str | None = None
    pending_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if pending is not None and depth == pending_depth:
            content = pending + content
        elif pending is not None:
            out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
        pending = None
        is_flowed = content.endswith(" ") and content != "-- "
        if is_flowed:
            pending, pending_depth = (content[:-1] if delsp else content), depth
            continue
        out.append(">" * depth + (" " if depth else "") + content)
    if pending is not None:
        out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
    return "\n".join(out)


def _body_part(message: EmailMessage, subtype: str) -> Message | None:
    try:
        part = message.get_body(preferencelist=(subtype,))
    except Exception:  # a malformed tree; the caller treats it as having no such body
        return None
    return part if part is not None and part.get_content_type() == f"text/{subtype}" else None


def _decode(data: bytes, declared: str | None) -> str:
    label = _codec_name(declared)
    if label is not None and label not in _AS_WINDOWS_1252:
        try:
            return data.decode(label)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _codec_name(declared: str | None) -> str | None:
    if not declared:
        return None
    try:
        return codecs.lookup(declared.strip().strip('"')).name
    except (LookupError, ValueError):
        return None


def _left_out(message: Message, body: Message | None) -> tuple[str, ...]:
    """Names of the parts a person attached; not the body, its alternatives, inline images of its HTML, or signatures."""
    names: list[str] = []
    stack: list[tuple[Message, str]] = [(message, "")]
    while stack:
        part, parent = stack.pop()
        content_type = part.get_content_type()
        if part is body:
            continue
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, content_type) for child in reversed(children) if isinstance(child, Message))
            continue
        attached = part.get_content_disposition() == "attachment"
        filename = _filename(part)
        if not attached and filename is None and part.get_content_maintype() == "text":
            continue  # another inline text part: an alternative or a continuation of the body
        if not attached and parent == "multipart/related":
            continue  # an image the HTML body shows inline (Outlook's signature logos)
        if content_type in _SIGNATURE_TYPES:
            continue
        names.append(filename or f"unnamed {content_type}")
    return tuple(names)


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # a hostile RFC 2231 parameter
        return None
    if not name:
        return None
    cleaned = _CONTROL.sub("", str(name)).strip()[:255]
    return cleaned or None
