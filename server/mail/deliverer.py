"""Delivers the mail outbox after commit, retrying with back-off; nothing queued is lost.

A row is marked sent only after the sender accepted it. If the process dies between
the two, the message may be sent twice; that is the safe side of the trade.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select

from server.mail.compose import compose, summary
from server.mail.sender import FileSender, MailSender
from server.store.db import Database
from server.store.models import OutboundMail, utcnow

log = logging.getLogger(__name__)
# This process's own writes wake the deliverer at once (MailQueued, after commit). Mail
# queued by another process (a mail-in or mail-listen process, another web process) is
# found by this poll: one indexed query, so a short interval costs little and such mail
# goes out within seconds.
POLL_SECONDS = 3.0
MAX_BACKOFF = timedelta(hours=1)
STOP_GRACE = 5.0


class MailDeliverer:
    def __init__(self, db: Database, sender: MailSender, mail_from: str, mail_domain: str) -> None:
        self.db = db
        self.sender = sender
        self.mail_from = mail_from
        self.mail_domain = mail_domain
        self._wake = asyncio.Event()
        self._passing = asyncio.Lock()  # one pass at a time, so a row is not sent twice by this process
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="mail-deliverer")

    async def stop(self) -> None:
        """Let the message being sent finish and be marked sent (so a restart does not
        send it again), up to ``STOP_GRACE`` seconds; then stop."""
        self._stopping = True
        self._wake.set()
        if self._task:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=STOP_GRACE)
            except asyncio.TimeoutError:
                self._task.cancel()
                try:
                    await self._task
                except asyncio.CancelledError:
                    pass

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self.deliver_due()
            except Exception:
                log.exception("mail delivery pass failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def deliver_due(self) -> int:
        """Send every due message once; returns how many were sent."""
        async with self._passing:
            return await self._deliver_due()

    async def _deliver_due(self) -> int:
        async with self.db.read() as session:
            rows = (
                await session.scalars(
                    select(OutboundMail)
                    .where(OutboundMail.sent_at.is_(None), OutboundMail.next_attempt_at <= utcnow())
                    .order_by(OutboundMail.id)
                    .limit(100)
                )
            ).all()
        sent = 0
        for row in rows:
            if self._stopping:
                break
            try:
                message = compose(row, self.mail_from, self.mail_domain)
                await self.sender.send(message)
            except Exception as exc:  # the server may be down; try again later
                log.warning("mail %s to %s failed: %s", row.id, row.to_addr, exc)
                async with self.db.write() as session:
                    stored = await session.get(OutboundMail, row.id)
                    if stored is not None:
                        stored.attempts += 1
                        stored.last_error = str(exc)[:2000]
                        stored.next_attempt_at = utcnow() + min(MAX_BACKOFF, timedelta(seconds=30 * 2**stored.attempts))
                continue
            async with self.db.write() as session:
                stored = await session.get(OutboundMail, row.id)
                if stored is not None:
                    stored.sent_at = utcnow()
                    stored.attempts += 1
            if isinstance(self.sender, FileSender):  # development: the links, readable
                log.info("%s", summary(row))
            sent += 1
        return sent
