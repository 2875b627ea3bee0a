"""The reply box (issue 19). A message over the limit is never lost: the box counts down
near the limit the server publishes, refuses a longer message before sending, and keeps
any text the server refuses, with the reason beside it in a line, not a page. A person
chosen from the mention list shows as their name, and is sent as a mention."""

from __future__ import annotations

from .conftest import contrast_problems, message_texts, two_in_a_thread

SERVER_ENV = {"MAX_MESSAGE_CHARS": "200"}  # small, so the test types little


def test_the_reply_box_counts_refuses_and_keeps_what_the_server_refuses(people):
    ada, _ben, _room, thread = two_in_a_thread(people, "Parking data", "Permit prices", "Opening", open_pages=("ada",))
    page = ada.page
    box = page.get_by_label("Reply", exact=True)
    count = page.locator(".composer-count")

    box.fill("x" * 150)
    assert count.is_hidden()  # far from the limit: no counter
    box.fill("x" * 190)
    count.filter(has_text="10 characters left").wait_for()
    assert count.get_attribute("id") in (box.get_attribute("aria-describedby") or "").split()
    over = "y" * 230
    box.fill(over)
    count.filter(has_text="30 characters too many").wait_for()
    box.press("Enter")
    error = page.locator(".composer-error")
    error.filter(has_text="30 characters over the limit of 200").wait_for()
    assert box.input_value() == over  # nothing taken out of the box
    assert page.locator("ol.pending-list > li").count() == 0
    assert box.get_attribute("aria-invalid") == "true"
    assert contrast_problems(page) == []
    assert len(ada.api("GET", f"/threads/{thread['id']}/messages")["messages"]) == 1  # only the opening message

    # The server refuses what the browser cannot know (a NUL cannot be stored): the
    # text stays in the box, the reason in one line beside it.
    refused = "Hello\u0000 there"
    box.fill(refused)
    box.press("Enter")
    error.filter(has_text="cannot be stored").wait_for()
    assert box.input_value() == refused
    assert error.bounding_box()["height"] < 80
    page.wait_for_function("() => document.querySelectorAll('ol.pending-list > li').length === 0")

    # Fixed and sent: only now does the box empty.
    box.fill("Hello there")
    box.press("Enter")
    page.locator("ol.message-list:not(.pending-list) > li .message-body", has_text="Hello there").wait_for()
    assert box.input_value() == "" and error.is_hidden()
    assert message_texts(page)[-1] == "Hello there"


def test_a_chosen_mention_shows_as_the_name_and_is_sent_as_a_mention(people):
    ada, ben, _room, thread = two_in_a_thread(people, "Blue Badge", "Eligibility", "Opening", open_pages=("ada",))
    page = ada.page
    box = page.get_by_label("Reply", exact=True)
    box.press_sequentially("Over to you @Be")
    page.get_by_role("option", name="Ben Okafor").wait_for()
    box.press("Enter")  # chooses the highlighted person
    assert box.input_value() == "Over to you @Ben Okafor "
    box.press_sequentially("for the rules")
    page.get_by_role("button", name="Preview").click()
    page.locator(".preview-body .mention", has_text="@Ben Okafor").wait_for()
    box.press("Enter")
    page.locator("ol.message-list:not(.pending-list) > li .mention", has_text="@Ben Okafor").wait_for()
    sent = ada.api("GET", f"/threads/{thread['id']}/messages")["messages"][-1]
    assert sent["body"] == "Over to you @**Ben Okafor** for the rules"
    assert ben.api("GET", "/mentions")["mentions"][0]["snippet"] == "Over to you @Ben Okafor for the rules"
