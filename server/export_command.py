"""``python -m server export ROOM``: a room's (or a thread's) record as Markdown or JSON,
for a records schedule or a Freedom of Information request. The operator at the
command line may export any room; the export is recorded in the audit log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from server.config import Settings
from server.contract.origin import Origin
from server.contract.refs import parse_room_ref
from server.domain import export
from server.domain.errors import DomainError
from server.store.db import Database, make_engine
from server.store.transaction import Transactions
from server.vocabulary import ExportFormat


class _NoPublisher:
    async def publish(self, events: object) -> None:
        return None  # nobody is connected to a command-line process


async def run_export(settings: Settings, room: str, fmt: ExportFormat, out: Path | None, thread: int | None = None) -> int:
    ref = parse_room_ref(room)
    if ref is None:
        print(f"error: room: {room!r} is neither a room id nor a slug", file=sys.stderr)
        return 2
    db = Database(make_engine(settings.database_url))
    try:
        async with Transactions(db, _NoPublisher()).begin(Origin("command")) as tx:
            target = await export.authorise_export(tx, None, ref, thread, fmt)
        async with db.read() as session:
            stream: TextIO = out.open("w", encoding="utf-8") if out else sys.stdout
            try:
                async for chunk in export.export_lines(session, target, fmt):
                    stream.write(chunk)
            finally:
                if out:
                    stream.close()
    except DomainError as exc:
        print(f"error: {exc.field + ': ' if exc.field else ''}{exc.message}", file=sys.stderr)
        return 2
    finally:
        await db.dispose()
    if out:
        print(f"exported {target.slug} to {out}", file=sys.stderr)
    return 0
