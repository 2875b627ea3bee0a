"""Where a message is summarised (inbox, mentions, search) people read names and plain
words, never Markdown source: ``@**Bob Supplier**`` reads "@Bob Supplier", ``**bold**``
"bold". On SQLite and PostgreSQL (each has its own search index and excerpts)."""

from __future__ import annotations

import pytest

from server.domain.markdown import summary_text

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

SOURCE = ("Over to you @**Bob Supplier**: the **parking** charges in [the plan](https://example.org/plan) "
          "need `permit_type`.\n\n- first\n- second\n\n> quoted")
PLAIN = "Over to you @Bob Supplier: the parking charges in the plan need permit_type. first second quoted"


async def test_inbox_mentions_and_search_show_plain_words(alice, bob):
    room = await alice.create_room("Parking")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Charges", "opening")
    status, _ = await alice.send(thread["id"], SOURCE, "s-1")
    assert status in (200, 201)

    inbox = await bob.get("/api/v1/inbox")
    assert inbox["entries"][0]["snippet"] == PLAIN
    mentions = await bob.get("/api/v1/mentions")
    assert mentions["mentions"][0]["snippet"] == PLAIN

    found = await bob.get("/api/v1/search", params={"q": "parking charges"})
    message = next(r for r in found["results"] if r["kind"] == "message")
    html = message["snippet_html"]
    assert "**" not in html and "@**" not in html and "](" not in html and "`" not in html
    assert "<mark>parking</mark>" in html and "<mark>charges</mark>" in html
    assert "@Bob Supplier" in html


def test_summary_text_reads_as_people_read(backend):
    assert summary_text(SOURCE) == PLAIN
    assert summary_text("# Heading\n\n1. one\n2. *two*") == "Heading one two"
    assert summary_text("```\ncode block\n```") == "code block"
    assert summary_text("@**Not A Member** and a@b.example") == "@Not A Member and a@b.example"
    assert summary_text("<b>raw</b> & stays text") == "<b>raw</b> & stays text"
