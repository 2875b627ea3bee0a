"""Which of our addresses a message was sent to, and who sent it.

Recipients are looked for in the envelope first (what the sending server said over SMTP,
the only place a Bcc shows), then in ``Delivered-To`` (written by the delivering MTA), then
in ``To`` and ``Cc``: the first of those sources that names an address on our domain wins.
Within it a reply address beats a room address, as it is the more specific.

Local parts are lower-cased because some mail servers change their case; the token is
returned as given otherwise, since checking it (in constant time) is the domain's work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message

from server.vocabulary import SLUG_RE

from .headers import header_text, raw_values
from .result import Destination, ReplyAddress, RoomAddress

_TOKEN = re.compile(r"^[a-z0-9]{1,256}$")
_REPLY_PREFIX = "reply+"


@dataclass(frozen=True, slots=True)
class Routing:
    """The chosen destination, or else why none: a malformed reply address or an unknown local part."""

    destination: Destination | None
    bad_reply_address: str | None = None
    unknown_address: str | None = None


@dataclass(frozen=True, slots=True)
class Sender:
    """``address`` is the envelope sender when known, else the From address; ``null`` marks a bounce (``<>``)."""

    address: str | None
    from_address: str | None
    null: bool


def route(message: Message, envelope_to: Sequence[str], our_domain: str) -> Routing:
    domain = normalise_domain(our_domain)
    sources = [
        [_split(addr) for addr in envelope_to],
        [_split(addr) for value in raw_values(message, "Delivered-To") for addr in _addresses_in(value)],
        [_split(addr) for name in ("To", "Cc") for value in raw_values(message, name) for addr in _addresses_in(value)],
    ]
    for source in sources:
        ours = [local for local, dom in (pair for pair in source if pair is not None) if dom == domain]
        if ours:
            return _choose(ours, domain)
    return Routing(destination=None)


def sender_of(message: Message, envelope_from: str | None) -> Sender:
    from_address = _from_address(message)
    if envelope_from is not None:
        given = envelope_from.strip().strip("<>").strip()
        if not given:
            return Sender(address=None, from_address=from_address, null=True)
        if "@" in given:
            return Sender(address=given.lower(), from_address=from_address, null=False)
    else:
        return_path = [value.strip() for value in raw_values(message, "Return-Path")]
        if return_path and return_path[0].replace(" ", "") == "<>":
            return Sender(address=None, from_address=from_address, null=True)
    return Sender(address=from_address, from_address=from_address, null=False)


def normalise_domain(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


def _choose(locals_: list[str], domain: str) -> Routing:
    replies = [local for local in locals_ if local.startswith(_REPLY_PREFIX)]
    for local in replies:
        token = local[len(_REPLY_PREFIX) :]
        if _TOKEN.match(token):
            return Routing(destination=ReplyAddress(token=token))
    for local in locals_:
        if not local.startswith(_REPLY_PREFIX) and SLUG_RE.match(local) and len(local) <= 80 and not local.isdigit():
            return Routing(destination=RoomAddress(slug=local))
    if replies:
        return Routing(destination=None, bad_reply_address=f"{replies[0]}@{domain}")
    return Routing(destination=None, unknown_address=f"{locals_[0]}@{domain}")


def _split(address: str) -> tuple[str, str] | None:
    """``(local part, domain)``, both lower-cased, or None when it is no address."""
    address = address.strip().strip("<>").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return None
    if len(local) >= 2 and local[0] == local[-1] == '"':
        local = local[1:-1]
    return local.lower(), normalise_domain(domain)


def _addresses_in(value: str) -> list[str]:
    """Address specs in one header value, leniently: ``Name <a@b>, c@d`` gives both."""
    found = re.findall(r"<([^<>\s]+@[^<>\s]+)>", value)
    if found:
        return found
    return [part for part in re.split(r"[\s,;]+", value) if "@" in part]


def _from_address(message: Message) -> str | None:
    """The single address in From, read by the standard library's strict header parser.

    The lenient ``email.utils`` parser can be led to read a different address than the one
    a DMARC checker saw (CVE-2023-27043), so only a From with exactly one plain address counts.
    """
    header = header_text(message, "From", structured=True)
    if header is None:
        return None
    addresses: tuple[object, ...] = tuple(getattr(header, "addresses", ()))
    if len(addresses) != 1:
        return None
    spec = str(getattr(addresses[0], "addr_spec", ""))
    local, at, domain = spec.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in spec):
        return None
    return spec.lower()
