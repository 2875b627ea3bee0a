"""Rooms, the directory, threads, unread counts, pagination, edits and deletes."""

from __future__ import annotations

import pytest

from server.http.keys import DATABASE

from .query_count import request_queries

# The same behaviour on the embedded default and on the scale-out database.
pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


async def test_room_slugs_directory_filters_and_membership(alice, bob, carol):
    dvla = await bob.create_room(
        "DVLA data API", stage="discovery", tags=["API", "parking"], looking_for_collaborators=True, summary="Keeper data for *parking*"
    )
    again = await carol.create_room("DVLA data API", stage="co-design", tags=["api"])
    assert (dvla["slug"], again["slug"]) == ("dvla-data-api", "dvla-data-api-2")
    assert dvla["tags"] == ["api", "parking"] and dvla["looking_for_collaborators"] is True
    assert dvla["summary_html"] == "<p>Keeper data for <em>parking</em></p>\n"
    assert dvla["membership"] == "owner" and dvla["member_count"] == 1
    status, data = await carol.call("POST", "/api/v1/rooms", json={"title": "x", "slug": "dvla-data-api"})
    assert status == 409 and data["error"]["field"] == "slug"

    async def titles(query: str) -> list[str]:
        return [r["slug"] for r in (await carol.get(f"/api/v1/rooms{query}"))["rooms"]]

    assert await titles("?stage=co-design") == ["dvla-data-api-2"]
    assert sorted(await titles("?tag=parking")) == ["dvla-data-api"]
    assert sorted(await titles("?q=keeper")) == ["dvla-data-api"]
    assert sorted(await titles("?q=100%25")) == []  # wildcards are literal
    assert sorted(await titles("?organisation=bristol")) == ["dvla-data-api"]
    assert sorted(await titles("?mine=1")) == ["dvla-data-api-2"]

    joined = await carol.post(f"/api/v1/rooms/{dvla['slug']}/join", expect=200)
    assert joined["room"]["membership"] == "member" and joined["room"]["member_count"] == 2
    members = (await carol.get(f"/api/v1/rooms/{dvla['id']}/members"))["members"]
    assert [(m["user"]["display_name"], m["user"]["organisation"]["name"], m["role"]) for m in members] == [
        ("Bob Supplier", "Bristol City Council", "owner"),
        ("Carol Policy", "Department of Health", "member"),
    ]
    left = await carol.post(f"/api/v1/rooms/{dvla['id']}/leave", expect=200)
    assert left["room"]["membership"] is None
    # Only owners, facilitators and administrators change a room.
    status, _ = await carol.call("PATCH", f"/api/v1/rooms/{dvla['id']}", json={"stage": "live"})
    assert status == 403
    changed = (await bob.call("PATCH", f"/api/v1/rooms/{dvla['id']}", json={"stage": "co-design", "tags": ["api"]}, expect=200))[1]
    assert changed["room"]["stage"] == "co-design" and changed["room"]["tags"] == ["api"]


async def test_archived_rooms_are_read_only(alice, bob):
    room = await alice.create_room("Old concept")
    thread = await alice.start_thread(room, "History", "kept for the record")
    await alice.call("PATCH", f"/api/v1/rooms/{room['id']}", json={"stage": "archived"}, expect=200)
    status, data = await alice.send(thread["id"], "more", "x-1")
    assert status == 403 and "archived" in data["error"]["message"]
    assert len((await bob.get(f"/api/v1/threads/{thread['id']}/messages"))["messages"]) == 1


async def test_threads_listed_by_activity_with_unread_counts_and_read_markers(alice, bob):
    room = await alice.create_room("Care calculator")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    older = await alice.start_thread(room, "Older", "first")
    newer = await alice.start_thread(room, "Newer", "second")
    listed = (await bob.get(f"/api/v1/rooms/{room['id']}/threads"))["threads"]
    assert [t["title"] for t in listed] == ["Newer", "Older"]
    assert [t["unread_count"] for t in listed] == [1, 1]
    assert [t["following"] for t in listed] == [False, False]
    await alice.send(older["id"], "bump", "bump-1")
    listed = (await bob.get(f"/api/v1/rooms/{room['id']}/threads"))["threads"]
    assert [t["title"] for t in listed] == ["Older", "Newer"]
    assert [t["unread_count"] for t in listed] == [2, 1]
    assert (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]["unread_count"] == 3
    # Authors have read their own messages.
    assert [t["unread_count"] for t in (await alice.get(f"/api/v1/rooms/{room['id']}/threads"))["threads"]] == [0, 0]
    page = await bob.get(f"/api/v1/threads/{older['id']}/messages")
    read = (await bob.call("PUT", f"/api/v1/threads/{older['id']}/read", json={"seq": page["messages"][-1]["seq"]}, expect=200))[1]
    assert read["thread"]["unread_count"] == 0
    # Markers never move back.
    read = (await bob.call("PUT", f"/api/v1/threads/{older['id']}/read", json={"seq": 0}, expect=200))[1]
    assert read["thread"]["last_read_seq"] == page["messages"][-1]["seq"]
    assert (await bob.get(f"/api/v1/rooms/{room['id']}"))["room"]["unread_count"] == 1
    assert newer["message_count"] == 1


async def test_posting_or_being_mentioned_follows_the_thread(alice, bob, carol):
    room = await alice.create_room("Mentions")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    await carol.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Who knows?")
    _, data = await alice.send(thread["id"], "Over to you @**bob supplier** (not @**Nobody Here**)", "m-1")
    message = data["message"]
    assert message["mentions"] == [bob.id]
    assert f'<span class="mention" data-user-id="{bob.id}">@bob supplier</span>' in message["html"]
    assert (await bob.get(f"/api/v1/threads/{thread['id']}"))["thread"]["following"] is True
    assert (await carol.get(f"/api/v1/threads/{thread['id']}"))["thread"]["following"] is False
    await carol.send(thread["id"], "me too", "c-1")
    assert (await carol.get(f"/api/v1/threads/{thread['id']}"))["thread"]["following"] is True
    unfollowed = (await carol.call("DELETE", f"/api/v1/threads/{thread['id']}/follow", expect=200))[1]
    assert unfollowed["thread"]["following"] is False
    followed = (await carol.call("PUT", f"/api/v1/threads/{thread['id']}/follow", expect=200))[1]
    assert followed["thread"]["following"] is True
    preview = await carol.post("/api/v1/preview", {"body": "hi @**Alice Officer**", "room_id": room["id"]}, expect=200)
    assert f'data-user-id="{alice.id}"' in preview["html"]


async def test_cursor_pagination_by_sequence(alice):
    room = await alice.create_room("Paging")
    thread = await alice.start_thread(room, "Long thread")
    for i in range(25):
        await alice.send(thread["id"], f"n{i}", f"p-{i}")
    newest = await alice.get(f"/api/v1/threads/{thread['id']}/messages?limit=10")
    assert [m["body"] for m in newest["messages"]] == [f"n{i}" for i in range(15, 25)]
    assert newest["has_more_before"] is True and newest["has_more_after"] is False
    older = await alice.get(f"/api/v1/threads/{thread['id']}/messages?limit=10&before={newest['messages'][0]['seq']}")
    assert [m["body"] for m in older["messages"]] == [f"n{i}" for i in range(5, 15)]
    assert older["has_more_before"] is True and older["has_more_after"] is True
    after = await alice.get(f"/api/v1/threads/{thread['id']}/messages?limit=3&after={older['messages'][-1]['seq']}")
    assert [m["body"] for m in after["messages"]] == ["n15", "n16", "n17"]
    assert after["has_more_before"] is True and after["has_more_after"] is True


async def test_edit_history_and_delete_permissions(alice, bob, admin):
    room = await alice.create_room("Edits")
    await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
    thread = await alice.start_thread(room, "Drafts")
    _, posted = await bob.send(thread["id"], "v1", "b-1")
    mid = posted["message"]["id"]
    edited = (await bob.call("PATCH", f"/api/v1/messages/{mid}", json={"body": "v2"}, expect=200))[1]["message"]
    assert edited["body"] == "v2" and edited["edited_at"] is not None and edited["seq"] == posted["message"]["seq"]
    await bob.call("PATCH", f"/api/v1/messages/{mid}", json={"body": "v3"}, expect=200)
    history = await alice.get(f"/api/v1/messages/{mid}/history")
    assert [r["body"] for r in history["revisions"]] == ["v1", "v2"]
    _, other = await bob.send(thread["id"], "owner may delete", "b-2")
    # Another member may not delete; the room owner and an administrator may.
    await alice.call("DELETE", f"/api/v1/messages/{other['message']['id']}", expect=200)
    _, third = await alice.send(thread["id"], "alice's own", "a-3")
    status, _ = await bob.call("DELETE", f"/api/v1/messages/{third['message']['id']}")
    assert status == 403
    deleted = (await admin.call("DELETE", f"/api/v1/messages/{mid}", expect=200))[1]["message"]
    assert deleted["deleted"] is True and deleted["body"] == "" and deleted["html"] == ""
    assert (await alice.get(f"/api/v1/messages/{mid}/history"))["revisions"] == []
    status, data = await bob.call("PATCH", f"/api/v1/messages/{mid}", json={"body": "resurrect"})
    assert status == 409
    page = await alice.get(f"/api/v1/threads/{thread['id']}/messages")
    assert [m["deleted"] for m in page["messages"]] == [True, True, False]  # tombstones keep their place


async def test_lists_cost_a_fixed_number_of_queries(server, alice, bob):
    """No N+1: a thread page, the thread list and the directory cost the same number of
    queries for 3 items as for 30."""
    engine = server.app[DATABASE].engine.sync_engine

    async def queries(path: str) -> int:
        return await request_queries(engine, bob, path)

    small = await alice.create_room("Small")
    big = await alice.create_room("Big")
    for room, n in ((small, 3), (big, 30)):
        await bob.post(f"/api/v1/rooms/{room['id']}/join", expect=200)
        for t in range(n if room is big else 3):
            thread = await alice.start_thread(room, f"t{t}")
        for i in range(n):
            await (alice if i % 2 else bob).send(thread["id"], f"m{i} @**Bob Supplier**", f"{room['id']}-{i}")
    small_threads = (await bob.get(f"/api/v1/rooms/{small['id']}/threads"))["threads"]
    big_threads = (await bob.get(f"/api/v1/rooms/{big['id']}/threads"))["threads"]
    assert await queries(f"/api/v1/threads/{small_threads[0]['id']}/messages") == await queries(
        f"/api/v1/threads/{big_threads[0]['id']}/messages"
    )
    assert await queries(f"/api/v1/rooms/{small['id']}/threads") == await queries(f"/api/v1/rooms/{big['id']}/threads")
    few = await queries("/api/v1/rooms")
    for i in range(10):
        await alice.create_room(f"Extra {i}", tags=["a", "b"])
    assert await queries("/api/v1/rooms") == few
