"""Full-text search (messages and thread titles), similar rooms and directory paging,
on SQLite (FTS5) and PostgreSQL (tsvector): what is found, in what order, with what
snippet, and that nothing from a room one may not read ever comes back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert

from server.domain import search as search_domain
from server.domain.errors import Invalid
from server.domain.search import marked_html, parse_query
from server.http.keys import DATABASE
from server.store.models import Room

# The same behaviour on the embedded default and on the scale-out database.
both = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


async def find(person, query: str, expect: int = 200, **params):
    status, data = await person.call("GET", "/api/v1/search", params={"q": query, **params}, expect=expect)
    return data


def kinds_and_threads(data) -> list[tuple[str, str]]:
    return [(r["kind"], r["thread"]["title"]) for r in data["results"]]


@both
async def test_search_finds_messages_and_thread_titles_ranked_with_escaped_snippets(alice, bob):
    room = await alice.create_room("Parking permits")
    keeper = await alice.start_thread(room, "Keeper data decision", "We agreed to use the DVLA keeper service for lookups.")
    other = await alice.start_thread(room, "Budget", "The budget mentions keeper once (Tom & Jerry).")
    await bob.send(other["id"], "Keeper keeper keeper: <script>alert(1)</script> keeper", "b-1")

    data = await find(bob, "keeper")
    kinds = kinds_and_threads(data)
    # The thread title (weighted) and three messages; the title hit ranks first.
    assert kinds[0] == ("thread", "Keeper data decision")
    assert sorted(kinds) == sorted(
        [("thread", "Keeper data decision"), ("message", "Keeper data decision"), ("message", "Budget"), ("message", "Budget")]
    )
    # Escaped text around the marks (PostgreSQL's headline drops tags; SQLite keeps them escaped).
    escaped = next(r for r in data["results"] if "alert" in r["snippet_html"])
    assert all("<script" not in r["snippet_html"] for r in data["results"])
    assert any("Tom &amp; Jerry" in r["snippet_html"] for r in data["results"])
    assert "<mark>" in escaped["snippet_html"].lower() and escaped["author"]["display_name"] == "Bob Supplier"
    # The message with the word many times outranks the one with it once.
    messages = [r for r in data["results"] if r["kind"] == "message"]
    assert messages[0]["snippet_html"].count("<mark>") >= 2
    first = next(r for r in data["results"] if r["kind"] == "message" and r["thread"]["id"] == keeper["id"])
    assert first["room"]["slug"] == room["slug"] and first["message_id"] and first["seq"]

    # Newest first: Bob's message was written last.
    newest = await find(bob, "keeper", sort="newest")
    assert "alert" in newest["results"][0]["snippet_html"]


@both
async def test_phrases_exclusions_and_input_that_could_break_a_query(alice):
    room = await alice.create_room("Words")
    thread = await alice.start_thread(room, "Notes")
    for n, text in enumerate(["blue parking permit", "permit parking blue", "blue sky thinking", 'a "quoted" AND NOT OR* near'], 1):
        await alice.send(thread["id"], text, f"w-{n}")

    async def bodies(query: str) -> list[str]:
        data = await find(alice, query)
        return sorted(r["snippet_html"].replace("<mark>", "").replace("</mark>", "") for r in data["results"])

    assert await bodies('"parking permit"') == ["blue parking permit"]
    assert await bodies("blue -sky") == ["blue parking permit", "permit parking blue"]
    assert await bodies('blue -"parking permit"') == ["blue sky thinking", "permit parking blue"]
    # Query-language operators are plain words; stray quotes and symbols cannot break it.
    for hostile in ['"unclosed', "AND OR NOT", "near(blue", "blue*", "title:blue", "'; DROP TABLE messages; --", "((("]:
        status, _ = await alice.call("GET", "/api/v1/search", params={"q": hostile})
        assert status in (200, 400), hostile
    assert "blue parking permit" in await bodies('blue "parking')  # an unclosed quote runs to the end
    for nothing in ["-blue", "!!!", '""']:
        status, data = await alice.call("GET", "/api/v1/search", params={"q": nothing})
        assert status == 400 and data["error"]["field"] == "q"


def test_query_parsing_and_snippet_marking():
    terms = parse_query('Keeper "data  API" -draft -"old plan" ???')
    assert terms.required == (("keeper",), ("data", "api")) and terms.excluded == (("draft",), ("old", "plan"))
    with pytest.raises(Invalid):
        parse_query("-only")
    # Marks become <mark>, always balanced; everything else is escaped.
    assert marked_html("a \ue000<b>\ue001 & \ue000x") == "a <mark>&lt;b&gt;</mark> &amp; <mark>x</mark>"
    assert marked_html("\ue001stray") == "stray"


@both
async def test_filters_and_pages(alice, bob, carol):
    one = await alice.create_room("Room one")
    two = await bob.create_room("Room two")
    t1 = await alice.start_thread(one, "First")
    t2 = await bob.start_thread(two, "Second")
    for n in range(5):
        await alice.send(t1["id"], f"harbour note {n}", f"a-{n}")
    await bob.send(t2["id"], "harbour from bob", "b-1")

    assert len((await find(carol, "harbour"))["results"]) == 6
    by_room = await find(carol, "harbour", room=two["slug"])
    assert [r["snippet_html"] for r in by_room["results"]] == ["<mark>harbour</mark> from bob"]
    assert len((await find(carol, "harbour", room=str(one["id"])))["results"]) == 5
    assert len((await find(carol, "harbour", author=str(bob.id)))["results"]) == 1
    assert len((await find(carol, "harbour", organisation="camden"))["results"]) == 5
    today = datetime.now(timezone.utc).date()
    assert len((await find(carol, "harbour", since=str(today), until=str(today)))["results"]) == 6
    assert (await find(carol, "harbour", until=str(today - timedelta(days=1))))["results"] == []
    await find(carol, "harbour", expect=400, since=str(today), until=str(today - timedelta(days=1)))
    await find(carol, "harbour", expect=400, since="yesterday")

    # Pages: offsets in steps of limit, each result once, next_offset null at the end.
    seen, offset = [], 0
    while offset is not None:
        page = await find(carol, "harbour", limit="4", offset=str(offset), sort="newest")
        seen += [r["message_id"] for r in page["results"]]
        offset = page["next_offset"]
    assert len(seen) == len(set(seen)) == 6


@both
async def test_edits_and_deletes_change_results_at_once(alice, bob):
    room = await alice.create_room("Edits")
    thread = await alice.start_thread(room, "Drafts")
    _, sent = await alice.send(thread["id"], "the lighthouse plan", "e-1")
    message_id = sent["message"]["id"]
    assert len((await find(bob, "lighthouse"))["results"]) == 1
    await alice.call("PATCH", f"/api/v1/messages/{message_id}", json={"body": "the windmill plan"}, expect=200)
    assert (await find(bob, "lighthouse"))["results"] == []
    assert [r["message_id"] for r in (await find(bob, "windmill"))["results"]] == [message_id]
    await alice.call("DELETE", f"/api/v1/messages/{message_id}", expect=200)
    assert (await find(bob, "windmill"))["results"] == []


@both
async def test_nothing_from_an_invite_only_room_reaches_a_non_member(alice, bob, carol, admin):
    secret = await alice.create_room("Confidential lighthouse", visibility="invite", summary="Lighthouse keepers' pay")
    thread = await alice.start_thread(secret, "Lighthouse budget", "lighthouse salaries are confidential")
    await alice.post(f"/api/v1/rooms/{secret['id']}/members", {"email": "carol@dh.example"}, expect=201)
    await carol.post(f"/api/v1/rooms/{secret['id']}/join")  # an invitation makes a member once redeemed or joined

    assert (await find(bob, "lighthouse"))["results"] == []
    assert (await find(bob, "confidential"))["results"] == []
    await find(bob, "lighthouse", expect=404, room=secret["slug"])
    similar = await bob.get("/api/v1/similar-rooms", params={"title": "Lighthouse", "summary": "keepers pay"})
    assert similar["rooms"] == []
    assert (await bob.get("/api/v1/inbox"))["entries"] == []
    # The owner finds it all, and so would an administrator.
    assert len((await find(alice, "lighthouse"))["results"]) == 2
    assert [r["id"] for r in (await alice.get("/api/v1/similar-rooms", params={"title": "lighthouse"}))["rooms"]] == [secret["id"]]
    assert {r["thread"]["id"] for r in (await find(admin, "lighthouse"))["results"]} == {thread["id"]}


@both
async def test_similar_rooms_rank_by_shared_words(alice, bob):
    dvla = await alice.create_room("DVLA keeper data API", summary="Look up vehicle keepers for parking enforcement")
    await alice.create_room("Adult social care calculator", summary="Care Act charging")
    parking = await alice.create_room("Parking permits online", summary="Residents apply for parking permits")
    found = (await bob.get("/api/v1/similar-rooms", params={"title": "Vehicle keeper lookup", "summary": "parking"}))["rooms"]
    assert [r["id"] for r in found][:2] == [dvla["id"], parking["id"]]
    assert (await bob.get("/api/v1/similar-rooms", params={"title": "the and of"}))["rooms"] == []
    # A summary change is searchable at once.
    await alice.call("PATCH", f"/api/v1/rooms/{parking['id']}", json={"summary": "Residents pay online"}, expect=200)
    found = (await bob.get("/api/v1/similar-rooms", params={"title": "enforcement"}))["rooms"]
    assert [r["id"] for r in found] == [dvla["id"]]


@both
async def test_directory_pages_past_500_rooms_and_filters_collaborators(server, alice, bob):
    now = datetime.now(timezone.utc)
    async with server.app[DATABASE].write() as session:
        await session.execute(
            insert(Room),
            [
                {
                    "slug": f"bulk-{n}",
                    "title": f"Bulk {n}",
                    "last_activity_at": now - timedelta(seconds=n // 3),  # ties: the id orders them
                    "looking_for_collaborators": n % 100 == 0,
                }
                for n in range(520)
            ],
        )
    first = await bob.get("/api/v1/rooms")
    assert len(first["rooms"]) == 500 and first["next_cursor"]
    second = await bob.get("/api/v1/rooms", params={"cursor": first["next_cursor"]})
    assert len(second["rooms"]) == 20 and second["next_cursor"] is None
    slugs = [r["slug"] for r in first["rooms"] + second["rooms"]]
    assert len(set(slugs)) == 520

    small, cursor = [], None
    while True:
        page = await bob.get("/api/v1/rooms", params={"limit": "7", **({"cursor": cursor} if cursor else {})})
        small += [r["slug"] for r in page["rooms"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert small == slugs

    looking = await bob.get("/api/v1/rooms", params={"looking_for_collaborators": "1"})
    assert sorted(r["slug"] for r in looking["rooms"]) == sorted(f"bulk-{n}" for n in range(0, 520, 100))
    status, data = await bob.call("GET", "/api/v1/rooms", params={"cursor": "nonsense"})
    assert status == 400 and data["error"]["field"] == "cursor"


@both
async def test_ranking_window_widens_until_nothing_is_left_out(alice, bob, monkeypatch):
    """Best-first ranks the newest matches first (a window); a page the window cannot
    fill, because of filters or depth, widens it, so nothing matching is ever missed."""
    monkeypatch.setattr(search_domain, "WINDOWS", (3,))
    old = await alice.create_room("Old room")
    new = await alice.create_room("New room")
    old_thread = await alice.start_thread(old, "Archive")
    new_thread = await alice.start_thread(new, "Current")
    old_ids = [(await alice.send(old_thread["id"], f"lantern old {n}", f"o-{n}"))[1]["message"]["id"] for n in range(4)]
    new_ids = [(await alice.send(new_thread["id"], f"lantern new {n}", f"n-{n}"))[1]["message"]["id"] for n in range(6)]

    # The four oldest matches are outside a window of three, and still found.
    in_old = await find(bob, "lantern", room=old["slug"])
    assert sorted(r["message_id"] for r in in_old["results"]) == old_ids
    seen, offset = [], 0
    while offset is not None:
        page = await find(bob, "lantern", limit="2", offset=str(offset), sort="newest")
        seen += [r["message_id"] for r in page["results"]]
        offset = page["next_offset"]
    assert seen == (old_ids + new_ids)[::-1]


@both
async def test_seeded_rooms_and_opening_questions_are_searchable_at_once(admin, alice):
    """Seeding opens rooms and questions in bulk: they are indexed in the same transaction."""
    from pathlib import Path

    sample = (Path(__file__).parent / "seed_files" / "files" / "discovery-day.csv").read_bytes()
    upload = {"Content-Type": "text/csv", "X-Filename": "discovery-day.csv"}
    _, previewed = await admin.call("POST", "/api/v1/seed/preview", data=sample, headers=upload, expect=200)
    await admin.call("POST", "/api/v1/seed/apply", data=sample, headers=upload, params={"preview": previewed["preview"]}, expect=200)
    found = await find(admin, "legal gateways")
    assert ("thread", "Which legal gateways apply to licensing?") in kinds_and_threads(found)
    similar = (await alice.get("/api/v1/similar-rooms?title=keeper+data+for+parking+enforcement"))["rooms"]
    assert "DVLA data API for parking and debt recovery" in [r["title"] for r in similar]
