"""The notifier: a background task that finds notification emails that are due and
queues them, one person and thread (or one digest) per write transaction.

It looks every ``POLL_SECONDS`` and at once when woken (``wake``), and once right after
start, so what fell due while the server was down goes out then. Several processes may
run it at the same time: each piece of work takes the person's notification mark
under a lock and looks again before mailing (``server.domain.notifications``), so a
message is mailed once. The queued mail wakes the deliverer after commit.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from server.config import Settings
from server.domain import notifications
from server.store.models import utcnow
from server.store.transaction import Transactions

log = logging.getLogger(__name__)
POLL_SECONDS = 5.0


class Notifier:
    def __init__(self, txs: Transactions, settings: Settings, poll_seconds: float = POLL_SECONDS) -> None:
        self.txs = txs
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.delay = timedelta(seconds=settings.notify_delay_seconds)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notifier")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("notification pass failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def run_due(self) -> int:
        """Queue every notification due now; returns how many emails were queued."""
        now = utcnow()
        async with self.txs.db.read() as session:
            threads = await notifications.due_threads(session, now, self.delay)
            digests = await notifications.due_digests(session, now)
        queued = 0
        for due in threads:
            async with self.txs.begin() as tx:
                queued += await notifications.notify_thread(tx, self.settings, due, now, self.delay)
        for user_id in digests:
            async with self.txs.begin() as tx:
                queued += await notifications.notify_digest(tx, self.settings, user_id, now)
        if queued:
            log.info("queued %d notification email%s", queued, "" if queued == 1 else "s")
        return queued
