"""Catching up and finding in the browser: the inbox is the signed-in home and moves
live; search by keyboard opens a message's permalink; similar rooms show before a
room is created; the directory loads more; axe finds nothing on the new screens."""

from __future__ import annotations

import re
from typing import Any

from .conftest import assert_accessible, create_room, start_thread


def tab_until(page: Any, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} not reached with the keyboard")


def test_inbox_on_sign_in_live_then_search_by_keyboard_and_open_a_result(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport", bypass_csp=True)
    room = create_room(ada, "Parking enforcement")
    decision = start_thread(ada, room, "Keeper data", "We decided to use the DVLA keeper enquiry service.")
    ben.api("POST", f"/rooms/{room['id']}/join")
    ada.api("POST", f"/threads/{decision['id']}/messages", {"client_id": "m-1", "body": "Over to you @**Ben Okafor**"})
    page = ben.page

    ben.goto("/")
    page.locator("h1", has_text="Inbox").wait_for()
    mentions = page.get_by_role("region", name="Mentions of you")
    mentions.get_by_role("link", name="Keeper data").wait_for()
    assert "Over to you @Ben Okafor" in mentions.inner_text() and "@**" not in mentions.inner_text()  # a name, not markup
    page.wait_for_function("() => document.title.startsWith('(1) Inbox')")
    page.get_by_role("link", name=re.compile(r"^Inbox ?,? ?1 unread mention$")).wait_for()
    ben.wait_connected()
    assert_accessible(page, "inbox")

    # Live: a new thread's message appears without a reload.
    other = start_thread(ada, room, "Signage", "New signs are in.")
    page.get_by_role("region", name="Other threads in your rooms").get_by_role("link", name="Signage").wait_for()
    # Marking the mention read clears the count in the title.
    mentions.get_by_role("button", name="Mark as read").click()
    page.wait_for_function("() => !document.title.startsWith('(')")
    page.get_by_role("region", name="Mentions of you").wait_for(state="detached")
    assert other["id"]

    ben.goto("/mentions")
    page.locator("h1", has_text="Mentions").wait_for()
    page.get_by_role("link", name="Keeper data").wait_for()
    assert_accessible(page, "mentions")

    # Search with the keyboard only: to the header's search box, type, Enter.
    ben.goto("/")
    page.locator("h1", has_text="Inbox").wait_for()
    tab_until(page, "#search-box")
    page.keyboard.type("keeper")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=keeper")
    results = page.locator(".search-result")
    results.first.wait_for()
    assert page.locator(".search-snippet mark").first.inner_text().lower() == "keeper"
    assert_accessible(page, "search results")
    message_id = page.evaluate("() => document.querySelector('.search-result a[href*=\"/m/\"]').getAttribute('href').split('/m/')[1]")
    tab_until(page, f".search-result a[href$='/m/{message_id}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/r/{room['slug']}/t/{decision['id']}/m/{message_id}")
    page.locator(f"#message-{message_id}", has_text="keeper enquiry service").wait_for()


def test_similar_rooms_before_creating_and_directory_pages(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport", bypass_csp=True)
    create_room(ada, "Vehicle keeper lookup", summary="Find the keeper of a vehicle from its number plate")
    for n in range(100):
        create_room(ada, f"Filler room {n}", looking_for_collaborators=n == 7)
    page = ben.page

    ben.goto("/rooms/new")
    page.get_by_label("Room name").fill("Keeper lookup for parking")
    similar = page.get_by_role("region", name="Rooms that may be the same idea")
    similar.get_by_role("link", name="Vehicle keeper lookup").wait_for()
    assert_accessible(page, "create room with similar rooms")

    ben.goto("/rooms")
    cards = page.locator(".room-card")
    page.get_by_role("button", name="Load more rooms").wait_for()
    assert cards.count() == 100
    page.get_by_role("button", name="Load more rooms").click()
    page.locator(".room-card", has_text="Vehicle keeper lookup").wait_for()
    assert cards.count() == len(ben.api("GET", "/rooms")["rooms"]) > 100  # every room, each once
    assert page.get_by_role("button", name="Load more rooms").is_hidden()
    page.get_by_label("Only rooms looking for collaborators").check()
    page.wait_for_url("**/rooms?looking_for_collaborators=1")
    page.locator(".room-card", has_text="Filler room 1").first.wait_for(state="detached")  # 1, 10-19: not looking
    assert "Filler room 7" in page.locator(".room-list:not(.suggestion-list)").inner_text()
    assert all("Looking for collaborators" in text for text in cards.all_inner_texts())
    assert_accessible(page, "directory, collaborators only")
