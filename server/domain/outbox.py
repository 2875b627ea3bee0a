"""Queue mail inside the caller's transaction (the transactional outbox)."""

from __future__ import annotations

from server.store.models import OutboundMail
from server.store.transaction import Tx


def queue_mail(tx: Tx, to_addr: str, subject: str, body_text: str) -> None:
    tx.session.add(OutboundMail(to_addr=to_addr, subject=subject, body_text=body_text))
    tx.mail_queued()
