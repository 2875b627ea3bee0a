"""A client too far behind is told to resync and reloads the room over REST."""

from __future__ import annotations

from .conftest import message_texts, start_thread, two_in_a_thread

# Replay at most 3 missed events; more than that makes the server answer "resync".
SERVER_ENV = {"CATCHUP_LIMIT": "3"}


def test_resync_after_missing_more_than_the_server_replays(people):
    ada, ben, room, thread = two_in_a_thread(people, "Planning portal", "Consultation replies", "First reply is in", open_pages=("ben",))
    ben.page.locator(".message-body", has_text="First reply is in").wait_for()

    ben.context.set_offline(True)
    ben.page.locator("#connection-banner").wait_for(state="visible")
    sent = [f"Reply batch {n}" for n in range(1, 7)]
    for n, text in enumerate(sent):
        ada.api("POST", f"/threads/{thread['id']}/messages", {"client_id": f"resync-{n}", "body": text})
    other = start_thread(ada, room, "Site visits", "Visits start Monday")

    reloads: list[str] = []
    room_urls = (f"/api/v1/rooms/{room['slug']}", f"/api/v1/rooms/{room['id']}")
    ben.page.on("request", lambda r: reloads.append(r.url) if r.url.endswith(room_urls) else None)
    ben.context.set_offline(False)
    ben.page.locator("#connection-banner").wait_for(state="hidden", timeout=15_000)
    ben.page.locator(".message-body", has_text="Reply batch 6").wait_for()
    ben.page.locator(".thread-item", has_text="Site visits").wait_for()
    assert message_texts(ben.page) == ["First reply is in", *sent]
    assert ben.page.evaluate("window.__sameDocument === true")
    assert other["id"] != thread["id"]
    assert reloads, "the room was reloaded over REST after the server said resync"

    # Live again after the resync: the next message arrives once.
    ada.api("POST", f"/threads/{thread['id']}/messages", {"client_id": "resync-live", "body": "And one more"})
    ben.page.locator(".message-body", has_text="And one more").wait_for()
    ben.page.wait_for_timeout(300)
    assert message_texts(ben.page) == ["First reply is in", *sent, "And one more"]
