"""How the mail processes (``mail-listen``, ``mail-in``) hand a message to the pipeline so
that a post is announced live within a second, whichever process received it.

* With ``REDIS_URL``: the pipeline runs in this process, with a publisher that emits
  through Redis, so every web process's browsers hear the post.
* Without it (SQLite, one web process): only the web process can reach its browsers, so
  the message is handed to its webhook (``INBOUND_HANDOFF_URL``, default
  ``http://127.0.0.1:$PORT``; see ``server.mail.handoff``), signed with a key derived
  from ``SECRET_KEY``. When the web server does not answer (stopped, restarting), the
  pipeline runs here instead: the post is stored and numbered, and browsers, which cannot
  be connected to a stopped server, catch up when they reconnect. A web server that
  answers 503 (its database is down) makes the door ask for a retry.
* ``INBOUND_HANDOFF_URL=off`` always runs the pipeline here.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from server.config import Settings
from server.contract.events import Outgoing
from server.domain.inbound import InboundConfig, InboundPipeline, TryLater
from server.domain.inbound_record import Handled
from server.domain.send_queue import SendQueue
from server.mail.handoff import HandOff, HandOffFailed, WebAsksRetry, handoff_key
from server.realtime.publisher import SocketPublisher
from server.realtime.server import close_sio, create_sio, start_sio
from server.store.db import Database, make_engine
from server.store.transaction import Publisher, Transactions
from server.vocabulary import MailDoor

log = logging.getLogger(__name__)


class Deliver(Protocol):
    async def __call__(self, raw: bytes, *, envelope_from: str | None, envelope_to: list[str], door: MailDoor) -> Handled: ...


class _Nobody:
    """No browser is connected to this process and no web process answers: nothing to tell."""

    async def publish(self, events: Sequence[Outgoing]) -> None:
        return None


@contextlib.asynccontextmanager
async def inbound_delivery(settings: Settings) -> AsyncIterator[Deliver]:
    """A ``Deliver`` for this process (see the module docstring); raises ``TryLater`` to ask for a retry."""
    db = Database(make_engine(settings.database_url))
    sio = create_sio(settings) if settings.redis_url else None
    socket_publisher = SocketPublisher(sio, lambda: None) if sio is not None else None
    publisher: Publisher = socket_publisher or _Nobody()
    if sio is not None and socket_publisher is not None:
        await start_sio(sio)
        socket_publisher.start()
    txs = Transactions(db, publisher)
    queue = SendQueue(txs, settings.max_message_chars)
    queue.start()
    pipeline = InboundPipeline(db, txs, queue, InboundConfig.from_settings(settings))
    handoff = (
        HandOff(settings.inbound_handoff_url, handoff_key(settings.secret_key)) if settings.inbound_handoff_url and sio is None else None
    )

    async def deliver(raw: bytes, *, envelope_from: str | None, envelope_to: list[str], door: MailDoor) -> Handled:
        if handoff is not None:
            try:
                return await handoff.deliver(raw, envelope_from=envelope_from, envelope_to=envelope_to, door=door)
            except WebAsksRetry as error:
                raise TryLater(str(error)) from error
            except HandOffFailed as error:
                log.warning("%s; handling the message in this process (browsers will catch up when they reconnect)", error)
        return await pipeline.receive(raw, envelope_from=envelope_from, envelope_to=envelope_to, door=door)

    try:
        yield deliver
    finally:
        await queue.stop()
        if sio is not None and socket_publisher is not None:
            await socket_publisher.stop()
            await close_sio(sio)
        await db.dispose()
