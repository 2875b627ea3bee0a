"""How many SQL statements one request costs: the check behind every "no N+1" test."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .people import Person


async def request_queries(engine: Engine, person: Person, path: str) -> int:
    """The fewest statements of three identical GETs of ``path`` by ``person``. The
    listener sees the whole engine, which also serves the app's background work (mail
    deliverer, notifier); that work can only add to a count, so the least of three is
    the request's own."""
    counts = []
    for _ in range(3):
        count = 0

        def on_execute(*_args: object) -> None:
            nonlocal count
            count += 1

        event.listen(engine, "before_cursor_execute", on_execute)
        try:
            await person.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", on_execute)
        counts.append(count)
    return min(counts)
