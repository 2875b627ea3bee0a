"""On a phone's on-screen keyboard there is no Shift+Enter: Enter adds a line and
the Send button sends."""

from __future__ import annotations

from .conftest import create_room, message_texts, start_thread, thread_path


def test_on_a_touch_screen_enter_adds_a_line_and_the_button_sends(people):
    ada = people("Ada Lovelace", "Camden Council", phone=True, viewport={"width": 360, "height": 740})
    room = create_room(ada, "Bin collections")
    thread = start_thread(ada, room, "Missed bins", "Reports are up this week")
    ada.goto(thread_path(room, thread))
    ada.wait_connected()
    assert ada.page.evaluate("matchMedia('(pointer: coarse)').matches")
    reply = ada.page.get_by_label("Reply", exact=True)
    reply.fill("First line")
    reply.press("Enter")
    reply.type("second line")
    assert reply.input_value() == "First line\nsecond line"  # Enter did not send
    assert ada.page.get_by_text("Use the Send button to send.").is_visible()
    ada.page.get_by_role("button", name="Send", exact=True).tap()
    # Confirmed by the server (not just shown as pending).
    ada.page.locator("ol.message-list:not(.pending-list) > li", has_text="second line").wait_for()
    assert message_texts(ada.page)[-1].startswith("First line")
