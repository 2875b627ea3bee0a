"""Reading corpus messages the way a door would: raw bytes in, with the envelope the door knew."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.mail.inbound import Accepted, Inbound, InboundLimits, Refused, read_inbound

CORPUS = Path(__file__).parent / "corpus"
DOMAIN = "convene.example"
AUTHSERV_ID = "mx.convene.example"
TOKEN = "k7q2m4xw5ztr3vha6ncy2pdl4e"
LIMITS = InboundLimits()


def raw(name: str, *, crlf: bool = False) -> bytes:
    data = (CORPUS / name).read_bytes()
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") if crlf else data


def read(
    data: bytes | str,
    *,
    envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
    limits: InboundLimits = LIMITS,
    authserv_id: str | None = AUTHSERV_ID,
    crlf: bool = False,
) -> Inbound:
    message = raw(data, crlf=crlf) if isinstance(data, str) else data
    return read_inbound(
        message,
        envelope_from=envelope_from,
        envelope_to=envelope_to or [],
        limits=limits,
        authserv_id=authserv_id,
        our_domain=DOMAIN,
    )


def accepted(data: bytes | str, **kwargs: Any) -> Accepted:
    result = read(data, **kwargs)
    assert isinstance(result, Accepted), result.summary
    return result


def refused(data: bytes | str, **kwargs: Any) -> Refused:
    result = read(data, **kwargs)
    assert isinstance(result, Refused), result.summary
    return result


def with_header(name: str, header: str) -> bytes:
    """A corpus message with one more header line at the top."""
    return header.encode() + b"\n" + raw(name)


# Headers for messages built inside a test: a person replying to a reply address.
RA_HEADERS = (
    f"From: Ada Lovelace <ada.lovelace@camden.gov.uk>\nTo: Convene <reply+{TOKEN}@{DOMAIN}>\n"
    "Subject: Re: [DVLA data API] Which keeper fields?\nMessage-ID: <built.20250303@camden.gov.uk>\nMIME-Version: 1.0\n"
).encode()
