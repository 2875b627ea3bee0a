"""Safe reads of header fields: a hostile header must give an empty answer, never an exception.

``policy.default`` parses a header when it is first read, and some inputs have made that
parser raise; every read here falls back to the raw text, or to nothing.
"""

from __future__ import annotations

import re
from email.message import Message

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SPACE = re.compile(r"\s+")


def raw_values(message: Message, name: str) -> list[str]:
    """Every value of header ``name``, unfolded, without RFC 2047 decoding; 8-bit bytes read as UTF-8."""
    wanted = name.lower()
    values: list[str] = []
    for key, value in message.raw_items():
        if key.lower() == wanted and isinstance(value, str):
            values.append(_readable(_FOLD.sub("", value)).strip())
    return values


def header_text(message: Message, name: str, *, structured: bool = False) -> object | None:
    """The first value of ``name`` as the header registry parses it (``structured``), else as text with
    encoded words decoded and runs of whitespace made one space; None when absent."""
    try:
        value = message.get(name)
        if value is None:
            return None
        if structured:
            return value
        return _SPACE.sub(" ", _readable(str(value))).strip()
    except Exception:  # the parser may fail on a hostile header; the reader must not
        if structured:
            return None
        raw = raw_values(message, name)
        return _SPACE.sub(" ", raw[0]).strip() if raw else None


def text_of(message: Message, name: str) -> str:
    value = header_text(message, name)
    return value if isinstance(value, str) else ""


def _readable(value: str) -> str:
    """Undo the parser's surrogate escapes (raw 8-bit bytes in headers), reading them as UTF-8, else Windows-1252."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
