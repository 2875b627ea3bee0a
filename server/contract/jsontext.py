"""Guards on raw JSON text, before and after a parser sees it.

Two kinds of valid JSON hurt a Python server:

* deep nesting (``[[[[...]]]]``, 50,000 levels): every recursive parser, msgspec's and
  the standard library's, raises RecursionError;
* lone UTF-16 surrogates (``"x\\ud800y"``): the standard library decodes them into a
  ``str`` that cannot be encoded as UTF-8, so the database driver, the password hasher
  or the response writer fails later, far from the door.

Both checks are cheap on ordinary text. Depth: the number of ``[`` and ``{`` in the
whole text bounds the depth, so the careful scan (strings removed, brackets summed)
runs only when a text holds more brackets than ``MAX_DEPTH``. Surrogates: a lone one
can only arrive as a ``\\uD800``-``\\uDFFF`` escape, so the parsed value is walked
only when the text contains such an escape (emoji from ``ensure_ascii`` encoders do).

``SocketJson`` packages both as a module for ``socketio.AsyncServer(json=...)``.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from typing import Any, Final

import msgspec

from server.contract.fields import MAX_DEPTH

_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET_WEIGHTS: Final = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_NOT_BRACKETS: Final = bytes(b for b in range(256) if b not in b"[]{}")
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES: Final = re.compile(rb"\\u[dD][89a-fA-F]")
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def depth_exceeds(text: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON ``text`` nests arrays and objects deeper than ``limit``.
    Brackets inside strings do not count. Malformed text may be over-counted; the
    parser refuses it anyway."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS).translate(_BRACKET_WEIGHTS)
    # After k brackets the depth is 2 * opens - k; each opening bracket weighs 2.
    deepest = max(map(operator.sub, itertools.accumulate(brackets), itertools.count(1)), default=0)
    return deepest > limit


def may_hold_surrogates(text: bytes | str) -> bool:
    """Whether ``text`` contains a surrogate escape (paired or not): the parsed value
    is then worth walking with ``unstorable_path``."""
    if isinstance(text, bytes):
        return _SURROGATE_ESCAPE_BYTES.search(text) is not None
    return _SURROGATE_ESCAPE.search(text) is not None or (not text.isascii() and _SURROGATE.search(text) is not None)


def unstorable_path(value: Any, *, nul: bool = True, path: str = "$") -> str | None:
    """The path (``$.title``, ``$.tags[1]``) of the first string in a parsed value that
    holds a lone surrogate (or, with ``nul``, a NUL character, which PostgreSQL cannot
    store in text), or None. Keys are checked as well as values."""
    pattern = _UNSTORABLE if nul else _SURROGATE
    pending: list[tuple[str, Any]] = [(path, value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            if pattern.search(item):
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and pattern.search(key):
                    return where
                pending.append((f"{where}.{key}" if isinstance(key, str) and key.isidentifier() else f"{where}[{key!r}]", child))
        elif isinstance(item, (list, tuple)):
            pending.extend((f"{where}[{i}]", child) for i, child in enumerate(item))
    return None


def has_unstorable(text: str) -> bool:
    """A lone surrogate or NUL in an already decoded string."""
    return _UNSTORABLE.search(text) is not None


class SocketJson:
    """A JSON module for ``socketio.AsyncServer(json=SocketJson)`` (python-socketio sets
    it on its packet class, so it decodes every packet of the process). ``loads``
    raises ValueError, naming the reason, for text nested deeper than ``MAX_DEPTH``
    and for lone surrogates; python-socketio then drops the packet.

    msgspec does the work (every packet of every connection passes here; it is several
    times faster than the standard library both ways); its output is compact JSON, as
    python-socketio asks for with ``separators``. Text holding surrogate escapes goes
    through the standard library, whose result ``unstorable_path`` can walk to name the
    field holding a lone one."""

    @staticmethod
    def dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
        try:
            return msgspec.json.encode(obj).decode("utf-8")
        except TypeError:  # a type msgspec does not encode: the standard library's answer
            return json.dumps(obj, *args, **kwargs)

    @staticmethod
    def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if depth_exceeds(text):
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels is refused")
        if not may_hold_surrogates(text):
            return msgspec.json.decode(text)  # its DecodeError is a ValueError
        value = json.loads(text, *args, **kwargs)
        if (where := unstorable_path(value, nul=False)) is not None:
            raise ValueError(f"a lone UTF-16 surrogate at {where} is refused")
        return value
