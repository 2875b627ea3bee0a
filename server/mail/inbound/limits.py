"""Size and shape limits on one inbound message, checked before and after parsing.

The standard library's parser takes time roughly in proportion to the number of MIME parts
(tens of thousands of parts fit in 10 MB and take seconds) and recurses once per nesting
level, so a cheap scan of the raw bytes refuses the worst shapes before any parsing, and an
exact walk of the parsed tree decides the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from .result import Reason

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class InboundLimits:
    """Limits for one message; ``max_body_chars`` should be the server's ``MAX_MESSAGE_CHARS``."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_parts: int = 100
    max_depth: int = 10
    max_body_chars: int = 10_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_parts", "max_depth", "max_body_chars"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


@dataclass(frozen=True, slots=True)
class Breach:
    """A limit that was passed, with the sentence that tells a person which."""

    reason: Reason
    explanation: str


_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)
_MESSAGE_TYPE = re.compile(rb"^content-type:[ \t]*message/", re.IGNORECASE | re.MULTILINE)


def check_size(size: int, limits: InboundLimits) -> Breach | None:
    if size > limits.max_bytes:
        return Breach(
            Reason.TOO_LARGE,
            f"The message is {_megabytes(size)}; replies by email can be at most {_megabytes(limits.max_bytes)}.",
        )
    return None


def prescan(raw: bytes, limits: InboundLimits) -> Breach | None:
    """Refuse, without parsing, a message that declares more containers or delimiters than allowed.

    Every ``boundary=`` and ``message/*`` type starts a container, and every delimiter line
    starts a part, so each count is at most the number of parts the parser would build.
    """
    boundaries = {a or b for a, b in _BOUNDARY.findall(raw)}
    containers = len(boundaries) + len(_MESSAGE_TYPE.findall(raw))
    if containers > limits.max_parts:
        return _too_many(containers, limits)
    if not boundaries:
        return None
    delimiters = 0
    for line in raw.splitlines():
        if line.startswith(b"--") and line[2:].rstrip() in boundaries:
            delimiters += 1
            if delimiters > limits.max_parts:
                return _too_many(delimiters, limits, at_least=True)
    return None


def check_tree(message: Message, limits: InboundLimits) -> Breach | None:
    """Count every part of the parsed tree and its deepest nesting, without recursion."""
    parts = 0
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        parts += 1
        if parts > limits.max_parts:
            return _too_many(parts, limits, at_least=True)
        if depth > limits.max_depth:
            return too_deep(limits)
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in children if isinstance(child, Message))
    return None


def too_deep(limits: InboundLimits) -> Breach:
    return Breach(Reason.TOO_DEEP, f"The message's parts are nested more than {limits.max_depth} deep.")


def check_body(text: str, limits: InboundLimits) -> Breach | None:
    if len(text) > limits.max_body_chars:
        return Breach(
            Reason.BODY_TOO_LONG,
            f"The reply is {len(text):,} characters long; messages can be at most {limits.max_body_chars:,}.",
        )
    return None


def _too_many(count: int, limits: InboundLimits, *, at_least: bool = False) -> Breach:
    counted = f"at least {count}" if at_least else str(count)
    return Breach(Reason.TOO_MANY_PARTS, f"The message has {counted} parts; at most {limits.max_parts} are accepted.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
