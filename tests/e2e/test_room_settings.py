"""Managing a room from the web: its settings (seen live by the people in it),
inviting people by email, and a message's edit history."""

from __future__ import annotations

import re
from typing import Any

from .conftest import assert_accessible, create_room, start_thread, thread_path


def save_settings(page: Any) -> dict[str, Any]:
    """Press "Save changes" on the settings page; the PATCH body that was sent."""
    with page.expect_request(lambda r: r.method == "PATCH" and "/api/v1/rooms/" in r.url) as sent:
        page.get_by_role("button", name="Save changes").click()
    return sent.value.post_data_json


def test_owner_changes_settings_and_others_see_them_live(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Bus pass renewals", tags=["api"])
    thread = start_thread(ada, room, "Eligibility rules", "Who qualifies for a pass?")
    ben.api("POST", f"/rooms/{room['id']}/join")

    ben.goto(thread_path(room, thread))
    ben.page.get_by_label("Reply", exact=True).wait_for()
    ben.wait_connected()
    ben.page.evaluate("window.__sameDocument = true")  # disappears if the page reloads

    # Ada, the owner, opens the settings from the room header: the form shows the room as it is.
    ada.goto(f"/r/{room['slug']}")
    ada.page.get_by_role("link", name="Edit room").click()
    ada.page.wait_for_url(f"**/r/{room['slug']}/settings")
    ada.page.get_by_label("Room name").wait_for()
    assert ada.page.title() == "Edit room – Bus pass renewals – Convene"
    assert ada.page.get_by_label("Room name").input_value() == "Bus pass renewals"
    assert ada.page.get_by_label("Tags (optional)").input_value() == "api"
    assert ada.page.get_by_label("Stage").input_value() == "discovery"

    # She moves it to co-design and adds a tag; only what changed is sent.
    ada.page.get_by_label("Stage").select_option("co-design")
    ada.page.get_by_label("Tags (optional)").fill("api, concessions")
    assert save_settings(ada.page) == {"stage": "co-design", "tags": ["api", "concessions"]}
    ada.page.wait_for_url(re.compile(rf"/r/{room['slug']}$"))
    ada.page.locator(".room-header .stage", has_text="Co-design").wait_for()
    ada.page.locator(".tags .tag", has_text="concessions").wait_for()

    # Ben, reading a thread, sees the new stage without reloading.
    ben.page.locator(".room-header .stage", has_text="Co-design").wait_for()

    # Ada archives the room: Ben's reply box and "Start a thread" give way to a notice.
    ada.page.get_by_role("link", name="Edit room").click()
    ada.page.get_by_label("Room name").wait_for()
    ada.page.get_by_label("Stage").select_option("archived")
    assert save_settings(ada.page) == {"stage": "archived"}
    ben.page.locator(".room-header .archived-notice", has_text="This room is archived and read-only").wait_for()
    ben.page.get_by_label("Reply", exact=True).wait_for(state="detached")
    assert ben.page.locator(".composer-slot").inner_text().startswith("Replies are closed")
    assert not ben.page.get_by_role("link", name="Start a thread").is_visible()
    assert ben.page.evaluate("window.__sameDocument === true"), "Ben's page reloaded"

    # A fresh load of the archived room shows the same.
    ben.page.reload()
    ben.page.locator(".room-header .archived-notice").wait_for()
    ben.page.locator(".message-body", has_text="Who qualifies").wait_for()
    assert ben.page.get_by_label("Reply", exact=True).count() == 0


def test_people_who_cannot_manage_the_room_cannot_edit_it(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    cara = people("Cara Singh", "Leeds City Council")
    room = create_room(ada, "Street lighting")
    ben.api("POST", f"/rooms/{room['id']}/join")

    ben.goto(f"/r/{room['slug']}")
    ben.page.get_by_role("button", name="Leave room").wait_for()  # the header's controls are drawn
    assert ben.page.get_by_role("link", name="Edit room").count() == 0
    assert ben.page.get_by_role("heading", name="Invite people by email").count() == 0

    ben.goto(f"/r/{room['slug']}/settings")
    ben.page.locator("h1", has_text="You cannot change this room").wait_for()
    assert ben.page.get_by_role("button", name="Save changes").count() == 0
    ben.page.get_by_role("link", name="Back to Street lighting").click()
    ben.page.locator("h1", has_text="Street lighting").wait_for()

    # Nor can someone who is not in the room at all.
    cara.goto(f"/r/{room['slug']}/settings")
    cara.page.locator("h1", has_text="You cannot change this room").wait_for()


def test_owner_invites_someone_by_email(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Fraud referrals", visibility="invite")

    # Before the invitation Ben cannot open the room.
    ben.goto(f"/r/{room['slug']}")
    ben.page.locator("h1", has_text="Room not found").wait_for()

    ada.goto(f"/r/{room['slug']}")
    ada.wait_connected()
    form = ada.page.locator("form", has=ada.page.get_by_role("heading", name="Invite people by email"))
    form.wait_for()

    # Nothing entered: the error is shown on the field and in the summary.
    form.get_by_role("button", name="Invite").click()
    message = "Enter the email address of at least one person to invite"
    form.locator(".error-summary a", has_text=message).wait_for()
    assert ada.page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert message in form.locator(".form-group-error .error-message").inner_text()
    assert form.get_by_label("Email addresses").get_attribute("aria-invalid") == "true"

    # Ben's address: he is added, it is said (in a live region) and the member list shows him.
    form.get_by_label("Email addresses").fill(ben.email)
    form.get_by_role("button", name="Invite").click()
    form.get_by_role("status").get_by_text(f"Ben Okafor ({ben.email}): added to the room").wait_for()
    assert form.locator(".error-summary").is_hidden()
    ada.page.locator(".member-list .member-name", has_text="Ben Okafor").wait_for()
    ada.page.locator(".room-header .badge", has_text="2 members").wait_for()
    assert form.get_by_label("Email addresses").input_value() == ""

    # Now Ben can open the room.
    ben.page.reload()
    ben.page.locator("h1", has_text="Fraud referrals").wait_for()
    ben.page.get_by_role("link", name="Start a thread").wait_for()


def test_edit_history_shows_the_earlier_versions(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Pothole reporting")
    thread = start_thread(ada, room, "Photo uploads", "Uploads limited to **5 MB**")
    ben.api("POST", f"/rooms/{room['id']}/join")
    first = ada.api("GET", f"/threads/{thread['id']}/messages")["messages"][0]

    ben.goto(thread_path(room, thread))
    ben.page.locator(".message-body", has_text="Uploads limited to 5 MB").wait_for()
    ben.wait_connected()

    # Ada edits her message twice; Ben sees the newest text, marked edited.
    ada.api("PATCH", f"/messages/{first['id']}", {"body": "Uploads limited to **10 MB**"})
    ada.api("PATCH", f"/messages/{first['id']}", {"body": "Uploads limited to **20 MB**, photos only"})
    item = ben.page.locator(f"#message-{first['id']}")
    item.locator(".message-body", has_text="20 MB, photos only").wait_for()
    toggle = item.locator("button[data-action=history]")
    assert toggle.inner_text().startswith("edited")
    assert toggle.get_attribute("aria-expanded") == "false"

    # With the keyboard: the disclosure opens below the message with both earlier versions.
    toggle.focus()
    ben.page.keyboard.press("Enter")
    panel = ben.page.locator(f"#{toggle.get_attribute('aria-controls')}")
    panel.locator(".revision-body").nth(1).wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert panel.locator(".revision-body").all_inner_texts() == ["Uploads limited to 5 MB", "Uploads limited to 10 MB"]
    assert panel.locator(".revision-body strong", has_text="5 MB").count() == 1  # the server's HTML
    assert panel.locator(".revision-meta").first.inner_text().startswith("Original")
    # The earlier versions are not counted as messages.
    assert item.locator(".message-body").count() == 1

    # Enter again closes it, and focus stays on the button.
    ben.page.keyboard.press("Enter")
    panel.wait_for(state="hidden")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert ben.page.evaluate("() => document.activeElement.dataset.action") == "history"


def test_a_reader_who_loses_access_is_told_so(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport", bypass_csp=True)
    room = create_room(ada, "Housing repairs")
    thread = start_thread(ada, room, "Damp reports", "Reports so far")
    # Ben reads the open room without joining it.
    ben.goto(thread_path(room, thread))
    ben.wait_connected()
    ben.page.locator(".message-body", has_text="Reports so far").wait_for()

    # The room becomes invite-only: the server takes Ben's subscription away (room.access_lost).
    ada.api("PATCH", f"/rooms/{room['id']}", {"visibility": "invite"})
    ben.page.get_by_role("heading", name="You no longer have access to this room").wait_for()
    assert "invite-only" in ben.page.get_by_role("alert").inner_text()
    assert ben.page.locator(".message-body").count() == 0
    assert ben.page.locator(".thread-nav").is_hidden()
    assert_accessible(ben.page, "access lost")
    # Still signed in and connected: only this room is gone.
    assert ben.page.evaluate("document.documentElement.dataset.connection") == "connected"
