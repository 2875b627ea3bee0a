"""The pipe door: ``python -m server mail-in < message.eml``, for an MTA's pipe delivery.

The envelope comes from ``--to`` / ``--from`` when given, else from ``RECIPIENT`` (or
``ORIGINAL_RECIPIENT``) and ``SENDER``, which Postfix's pipe(8) and local(8) set (an empty
``SENDER`` is the null sender of a bounce), else the pipeline reads ``Delivered-To`` and
``To``. Exit status: 0 when the mail was handled (posted, refused and recorded, or a
duplicate), 75 (``EX_TEMPFAIL``) when the MTA should retry (the database did not answer).
"""

from __future__ import annotations

import logging
from typing import BinaryIO

from server.config import Settings
from server.domain.inbound import TryLater
from server.mail.delivery import inbound_delivery

log = logging.getLogger(__name__)
EX_OK = 0
EX_TEMPFAIL = 75


def read_message(stream: BinaryIO, max_bytes: int) -> bytes:
    """At most one byte more than ``max_bytes`` (enough to know it is too large); the rest
    is read and dropped, so the MTA never sees a broken pipe."""
    kept = stream.read(max_bytes + 1)
    while stream.read(1 << 20):
        pass
    return kept


def envelope(to_flag: str | None, from_flag: str | None, delivery_env: tuple[str | None, str | None]) -> tuple[str | None, list[str]]:
    """(envelope sender, recipients) from the flags, else the MTA's variables; None and []
    leave the pipeline to read the headers."""
    env_sender, env_recipient = delivery_env
    sender = from_flag if from_flag is not None else env_sender
    recipient = to_flag or env_recipient
    return sender, [recipient] if recipient else []


async def run(settings: Settings, raw: bytes, envelope_from: str | None, envelope_to: list[str]) -> int:
    try:
        async with inbound_delivery(settings) as deliver:
            handled = await deliver(raw, envelope_from=envelope_from, envelope_to=envelope_to, door="pipe")
    except TryLater as error:
        print(f"mail-in: try again later: {error}", flush=True)
        return EX_TEMPFAIL
    except Exception:
        log.exception("mail-in failed; asking the MTA to retry")
        return EX_TEMPFAIL
    print(f"mail-in: {handled.outcome}{' (' + handled.reason + ')' if handled.reason else ''}, record {handled.record_id}", flush=True)
    return EX_OK
