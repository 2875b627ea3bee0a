"""Two people in two browsers: what one does, the other sees without reloading."""

from __future__ import annotations

from pathlib import Path

from .conftest import create_room, message_texts, post_message, start_thread, thread_path, two_in_a_thread


def test_messages_and_edits_appear_live_for_the_other_person(people):
    ada, ben, room, thread = two_in_a_thread(people, "Blue Badge renewals", "Data sharing agreement", "Does anyone have a template?")

    # Ada posts; Ben sees it without reloading.
    post_message(ada.page, "Camden has one from last year")
    ben.page.locator(".message-body", has_text="Camden has one from last year").wait_for()

    # Ben starts typing: Ada sees the indicator.
    ben.page.get_by_label("Reply", exact=True).type("Thanks", delay=20)
    ada.page.get_by_text("Ben Okafor is typing…").wait_for()

    # Ben posts and then edits his own message; Ada sees the edit.
    ben.page.get_by_label("Reply", exact=True).fill("")
    post_message(ben.page, "Could you shear it here?")
    ada.page.locator(".message-body", has_text="Could you shear it here?").wait_for()
    message_id = ben.page.locator("ol.message-list > li", has_text="Could you shear it here?").get_attribute("id")
    mine = ben.page.locator(f"#{message_id}")
    mine.get_by_role("button", name="Edit").click()
    editor = mine.get_by_label("Edit your message")
    editor.fill("Could you share it here?")
    editor.press("Enter")
    ben.page.locator(".message-body", has_text="Could you share it here?").wait_for()
    edited = ada.page.locator("ol.message-list > li", has_text="Could you share it here?")
    edited.wait_for()
    assert "(edited" in edited.inner_text()
    assert "shear" not in " ".join(message_texts(ada.page))

    # Ben deletes it; Ada sees the tombstone in its place.
    ben_message = ben.page.locator("ol.message-list > li", has_text="Could you share it here?")
    ben_message.get_by_role("button", name="Delete").click()
    ben.page.get_by_role("button", name="Yes, delete it").click()
    ada.page.locator("ol.message-list > li", has_text="This message was deleted.").wait_for()

    assert message_texts(ada.page) == message_texts(ben.page)
    for person in (ada, ben):
        assert person.page.evaluate("window.__sameDocument === true"), f"{person.name}'s page reloaded"


def test_new_threads_and_unread_counts_update_live(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Parking permits")
    first = start_thread(ada, room, "Kick-off", "Welcome, everyone")
    ben.api("POST", f"/rooms/{room['id']}/join")

    ben.goto(thread_path(room, first))
    ben.wait_connected()
    ada.goto(f"/r/{room['slug']}/new")
    ada.page.get_by_label("Title").fill("Pricing questions")
    ada.page.get_by_label("First message").fill("What do residents pay today?")
    ada.page.get_by_role("button", name="Start thread").click()
    ada.page.wait_for_url("**/t/*")

    # Ben, reading another thread, sees the new thread with one unread message.
    item = ben.page.locator(".thread-item", has_text="Pricing questions")
    item.wait_for()
    item.locator(".badge-unread", has_text="1 unread").wait_for()

    # Opening it marks it read.
    item.get_by_role("link").click()
    ben.page.locator(".message-body", has_text="What do residents pay today?").wait_for()
    ben.page.locator(".thread-item", has_text="Pricing questions").locator(".badge-unread").wait_for(state="detached")


def test_screenshot_of_a_room_with_a_live_thread(people, tmp_path):
    """A room with a live thread renders at 1280x800 (the README's own screenshots are
    made by `make screenshots`, not as a side effect of the tests)."""
    shot = tmp_path / "screenshot-room.png"
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    cara = people("Cara Singh", "Leeds City Council")
    room = create_room(ada, "Blue Badge renewals",
                       summary="Making it quicker to renew a Blue Badge: one shared **eligibility check** for councils.",
                       tags=["blue-badge", "api", "eligibility"])
    for person in (ben, cara):
        person.api("POST", f"/rooms/{room['id']}/join")
    start_thread(cara, room, "Pilot councils for the spring", "Leeds can pilot in March.")
    thread = start_thread(ada, room, "Eligibility check API", "Here is the **draft** schema for the eligibility check.")

    ada.goto(thread_path(room, thread))
    ben.goto(thread_path(room, thread))
    ada.wait_connected()
    ben.wait_connected()
    cara.api("POST", f"/threads/{thread['id']}/messages",
             {"client_id": "cara-1", "body": "Leeds can test it with the pilot group in March."})
    post_message(ben.page, "Looks good. Can we add the *renewal date* to the response?",
                 shown="Looks good. Can we add the renewal date to the response?")
    post_message(ada.page, "Yes, @**Ben Okafor**: I'll add `renewal_due` to the next draft.",
                 shown="I'll add renewal_due to the next draft.")
    ada.page.locator(".message-body", has_text="Looks good").wait_for()
    # The server passes on one typing notice per person every 3 s: keep typing.
    typing = ada.page.get_by_text("Ben Okafor is typing…")
    for word in ("Great,", " I'll", " update", " the", " pilot", " plan"):
        ben.page.get_by_label("Reply", exact=True).press_sequentially(word, delay=40)
        if typing.is_visible():
            break
        ada.page.wait_for_timeout(500)
    typing.wait_for()
    ada.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    ada.page.screenshot(path=str(shot))
    assert Path(shot).stat().st_size > 10_000
