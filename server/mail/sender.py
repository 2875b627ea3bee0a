"""The one small sender: SMTP when ``SMTP_URL`` is set, otherwise .eml files on disk.

Both write the message's bytes with its own policy (``server.mail.compose.WRITE_POLICY``),
which keeps structured headers exactly as composed; aiosmtplib would otherwise flatten
an ``EmailMessage`` with its own policy and encode them.
"""

from __future__ import annotations

import asyncio
import os
import time
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from server.mail.compose import WRITE_POLICY, WRITE_POLICY_UTF8


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class FileSender:
    """Writes each message to ``<dir>/<time>-<n>.eml`` so a developer can open the links."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._counter = 0

    async def send(self, message: EmailMessage) -> None:
        self._counter += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self._counter}.eml"
        data = message.as_bytes(policy=WRITE_POLICY)

        def write() -> None:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self.directory / (name + ".tmp")
            tmp.write_bytes(data)
            tmp.rename(self.directory / name)  # readers never see half a file

        await asyncio.to_thread(write)


class SmtpSender:
    """``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://`` (implicit TLS)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.hostname = parts.hostname or "localhost"
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    async def send(self, message: EmailMessage) -> None:
        sender = getaddresses([str(message["From"])])[0][1]
        recipients = [addr for _, addr in getaddresses([str(v) for v in message.get_all("To", [])]) if addr]
        utf8 = not all(addr.isascii() for addr in [sender, *recipients])
        await aiosmtplib.send(
            message.as_bytes(policy=WRITE_POLICY_UTF8 if utf8 else WRITE_POLICY),
            sender=sender,
            recipients=recipients,
            mail_options=["SMTPUTF8"] if utf8 else None,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=None if not self.use_tls else False,
            timeout=30,
        )


def make_sender(smtp_url: str | None, outbox_dir: Path) -> MailSender:
    return SmtpSender(smtp_url) if smtp_url else FileSender(outbox_dir)
