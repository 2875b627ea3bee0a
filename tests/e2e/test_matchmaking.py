"""Matchmaking in the browser: a suggestion on the directory, one-click interest, and a
request to join an invite-only room that its owner accepts while the asker watches
(the answer arrives live); axe finds nothing on the new screens."""

from __future__ import annotations

from .conftest import assert_accessible, create_room


def test_a_person_asks_to_join_the_owner_accepts_and_the_asker_sees_they_are_in(people):
    ada = people("Ada Lovelace", "Camden Council", bypass_csp=True)
    ben = people("Ben Okafor", "Leeds City Council", bypass_csp=True)
    room = create_room(ada, "Pothole reporting", visibility="invite", tags=["roads"],
                       summary="Residents report potholes; **we want partners**.")
    ben.api("POST", "/rooms", {"title": "Leeds roads", "tags": ["roads"]}, expect=201)

    # The directory suggests it to Ben: it shares a tag with his room.
    ben.goto("/rooms")  # the directory (the signed-in home is the inbox)
    suggestions = ben.page.get_by_role("region", name="Suggested for you")
    suggestions.locator(".collab-card", has_text="Pothole reporting").wait_for()
    assert "It shares a tag with your rooms: roads" in suggestions.inner_text()
    assert_accessible(ben.page, "directory with suggestions")

    # On the board he says "We have this problem too" with one click.
    ben.page.get_by_role("link", name="Collaborate").click()
    ben.page.get_by_role("heading", name="Looking for collaborators", level=1).wait_for()
    ben.wait_connected()
    ben.page.evaluate("window.__sameDocument = true")  # disappears if the page reloads
    card = ben.page.locator(".collab-card", has_text="Pothole reporting")
    same = card.get_by_role("button", name="We have this problem too")
    same.click()
    card.locator(".interest-summary", has_text="1 organisation has this problem too").wait_for()
    assert same.get_attribute("aria-pressed") == "true"

    # He asks to join with a message.
    card.get_by_role("button", name="Ask to join").click()
    card.get_by_label("Message to the room’s owners (optional)").fill("Leeds has the same backlog.")
    assert_accessible(ben.page, "collaborate board with the request form open")
    card.get_by_role("button", name="Send request").click()
    card.get_by_text("You asked to join.").wait_for()

    # Ada, the owner, sees who is involved, the interest, and the request; she accepts.
    ada.goto(f"/r/{room['slug']}")
    requests = ada.page.get_by_role("region", name="Requests to join")
    requests.get_by_text("Leeds has the same backlog.").wait_for()
    involved = ada.page.get_by_role("region", name="Who is involved")
    assert "We have this problem too: 1 organisation" in involved.inner_text()
    assert "Ben Okafor" in involved.inner_text()
    assert_accessible(ada.page, "room with a request to join")
    requests.get_by_role("button", name="Accept").click()
    requests.get_by_text("No one is waiting to join.").wait_for()
    ada.page.locator(".member-name", has_text="Ben Okafor").wait_for()

    # Ben's card changes as it happens, and the room opens for him.
    card.get_by_text("You are a member of this room.").wait_for()
    assert ben.page.evaluate("window.__sameDocument === true"), "Ben's page reloaded"
    card.get_by_role("link", name="Open the room").click()
    ben.page.get_by_role("heading", name="Pothole reporting", level=1).wait_for()
    ben.page.get_by_role("button", name="Leave room").wait_for()
