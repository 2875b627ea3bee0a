"""The SMTP door: ``python -m server mail-listen`` runs an aiosmtpd server whose handler
gives each message to the inbound pipeline (through ``server.mail.delivery``).

Answers: ``250`` once a message is handled (posted, refused and recorded, or a duplicate:
the sending server must not retry any of these), ``451`` when it should be retried (the
database did not answer), ``552`` when it is larger than ``INBOUND_MAX_BYTES``, and ``550``
at RCPT for an address outside ``MAIL_DOMAIN`` (this is no relay). Messages a little over
the limit (up to twice ``INBOUND_MAX_BYTES``) are still read and recorded as ``too_large``;
beyond that aiosmtpd stops storing the data and answers 552 itself, unrecorded.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiosmtpd.smtp import SMTP

from server.config import Settings
from server.domain.inbound import TryLater
from server.mail.delivery import Deliver, inbound_delivery
from server.mail.inbound import Reason
from server.mail.inbound.addresses import normalise_domain

log = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd handler: RCPT only for our domain, DATA to the pipeline."""

    def __init__(self, deliver: Deliver, mail_domain: str) -> None:
        self.deliver = deliver
        self.mail_domain = normalise_domain(mail_domain)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if normalise_domain(address.rpartition("@")[2]) != self.mail_domain:
            return "550 5.1.1 Not a Convene address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        try:
            handled = await self.deliver(bytes(raw), envelope_from=envelope.mail_from, envelope_to=list(envelope.rcpt_tos), door="smtp")
        except TryLater:
            return "451 4.3.0 Temporary failure; please try again later"
        except Exception:
            log.exception("inbound mail over SMTP failed")
            return "451 4.3.0 Temporary failure; please try again later"
        if handled.outcome == "refused" and handled.reason == Reason.TOO_LARGE:
            return "552 5.3.4 Message too large"
        return f"250 2.0.0 Handled: {handled.outcome}"


async def start_listener(deliver: Deliver, settings: Settings, host: str, port: int) -> asyncio.Server:
    """Listen on ``host:port`` in the running loop (port 0 picks a free one)."""
    handler = InboundHandler(deliver, settings.mail_domain)
    loop = asyncio.get_running_loop()

    def protocol() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=2 * settings.inbound_max_bytes,
            enable_SMTPUTF8=True,
            hostname=settings.mail_domain,
            ident="Convene",
        )

    return await loop.create_server(protocol, host=host, port=port)


async def serve(settings: Settings, host: str, port: int) -> None:
    """Run until SIGINT or SIGTERM; a message being handled is finished first."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with inbound_delivery(settings) as deliver:
        server = await start_listener(deliver, settings, host, port)
        print(f"Convene mail listener on {host}:{port} for @{settings.mail_domain}", flush=True)
        await stop.wait()
        server.close()
        await server.wait_closed()
