"""A representative subset of the reply corpus through the whole inbound pipeline on a real
SQLite file: one case for each client and each language, and every bottom-posted, inline and HTML-only case
of a few clients. Each posts exactly the text that must land, and keeps what was trimmed."""

from __future__ import annotations

from sqlalchemy import select

from server.store.models import Message, MessageTrim

from ..mail.inbox import DOMAIN
from ..mail.reply_corpus import Case, as_mail, load
from .test_inbound import ADA, World, world  # noqa: F401 (the fixture)


def subset(cases: list[Case]) -> list[Case]:
    chosen: dict[str, Case] = {}
    for case in cases:
        chosen.setdefault(case.client, case)
        chosen.setdefault(f"language {case.lang}", case)
        if case.style != "top" or case.format == "html":
            chosen.setdefault(f"{case.style}/{case.format}/{case.client}", case)
    return list({case.id: case for case in chosen.values()}.values())


SUBSET = subset(load())


async def test_the_corpus_subset_posts_exactly_and_keeps_what_was_trimmed(world: World) -> None:  # noqa: F811
    assert len(SUBSET) >= 30 and len({case.client for case in SUBSET}) >= 12
    for case in SUBSET:
        handled = await world.deliver(as_mail(case, token=world.token, domain=DOMAIN, sender=ADA))
        assert handled.outcome == "posted", (case.id, handled)
        async with world.db.read() as session:
            message = await session.get(Message, handled.message_id)
            trim = await session.scalar(select(MessageTrim).where(MessageTrim.message_id == handled.message_id))
        assert message is not None and message.body == case.lands, case.id
        assert trim is not None and trim.text.strip(), case.id
