"""Connection loss: nothing missing, nothing doubled, nothing typed is lost."""

from __future__ import annotations

import re

from .conftest import create_room, message_texts, post_message, start_thread, thread_path, two_in_a_thread


def test_catch_up_after_going_offline_and_sending_while_offline(people):
    ada, ben, room, thread = two_in_a_thread(people, "Street works permits", "Road closures feed",
                                             "Shall we publish closures as open data?")

    ben.page.locator(".message-body", has_text="Shall we publish").wait_for()
    # Ben loses his connection: the banner says so.
    ben.context.set_offline(True)
    ben.page.locator("#connection-banner").wait_for(state="visible")
    assert "offline" in ben.page.locator("#connection-banner").inner_text().lower()

    # Ada posts five messages meanwhile.
    sent = [f"Closure update {n}" for n in range(1, 6)]
    for text in sent:
        post_message(ada.page, text)

    # Ben writes a reply while offline: it shows at once, as waiting.
    reply = "Yes, and as GeoJSON please"
    box = ben.page.get_by_label("Reply", exact=True)
    box.fill(reply)
    box.press("Enter")
    pending = ben.page.locator("ol.pending-list > li", has_text=reply)
    pending.wait_for()
    assert "Waiting for connection" in pending.inner_text()
    # ... and it is kept in localStorage, so a reload would not lose it.
    stored = ben.page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('convene.outbox.')).map(k => localStorage.getItem(k)).join('')")
    assert reply in stored
    assert not any(text in message_texts(ben.page) for text in sent)

    # Back online: Ben reconnects, catches up and his reply is delivered.
    ben.context.set_offline(False)
    ben.page.locator("#connection-banner").wait_for(state="hidden", timeout=15_000)
    ben.page.locator("ol.message-list:not(.pending-list) > li .message-body", has_text=reply).wait_for(timeout=15_000)
    ben.page.wait_for_function("() => document.querySelectorAll('ol.pending-list > li').length === 0")
    ada.page.locator(".message-body", has_text=reply).wait_for()

    expected = ["Shall we publish closures as open data?", *sent, reply]
    ben.page.wait_for_function(
        "n => document.querySelectorAll('ol.message-list:not(.pending-list) > li').length >= n", arg=len(expected))
    ada.page.wait_for_function(
        "n => document.querySelectorAll('ol.message-list:not(.pending-list) > li').length >= n", arg=len(expected))
    ada.page.wait_for_timeout(500)  # a duplicate, if there were one, would have arrived by now
    assert message_texts(ben.page) == expected
    assert message_texts(ada.page) == expected
    assert ben.page.evaluate("window.__sameDocument === true"), "Ben's page reloaded"
    stored = ben.page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('convene.outbox.')).length")
    assert stored == 0

    # The server has each message once.
    listed = ada.api("GET", f"/threads/{thread['id']}/messages?limit=50")["messages"]
    assert [m["body"] for m in listed] == expected


def test_unsent_message_survives_a_reload(people):
    ada = people("Ada Lovelace", "Camden Council")
    room = create_room(ada, "Waste collection")
    thread = start_thread(ada, room, "Bin day changes", "New rota from January")
    ada.goto(thread_path(room, thread))
    ada.wait_connected()

    # Block the live connection only (not /vendor/socket.io/), so the page can still load.
    live = re.compile(r"/socket\.io/\?")
    ada.context.route(live, lambda route: route.abort())
    ada.page.reload()
    ada.page.get_by_label("Reply", exact=True).fill("Reminder letters go out in December")
    ada.page.get_by_label("Reply", exact=True).press("Enter")
    ada.page.locator("ol.pending-list > li", has_text="Reminder letters").wait_for()
    ada.page.reload()
    ada.page.locator("ol.pending-list > li", has_text="Reminder letters").wait_for()

    ada.context.unroute(live)
    ada.page.locator("ol.message-list:not(.pending-list) > li .message-body", has_text="Reminder letters").wait_for(timeout=20_000)
    ada.page.wait_for_function("() => document.querySelectorAll('ol.pending-list > li').length === 0")
    listed = ada.api("GET", f"/threads/{thread['id']}/messages?limit=50")["messages"]
    assert [m["body"] for m in listed] == ["New rota from January", "Reminder letters go out in December"]
