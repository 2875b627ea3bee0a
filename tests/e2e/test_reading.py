"""Reading a long thread: it opens at the first unread message below a "New" divider,
reads more in both directions while keeping the place, fills a laptop screen with the
reply box in view, works at 320 px and 200% zoom, and by keyboard (shortcuts, the
shortcuts help, roving focus over the messages)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import Person, assert_accessible, create_room, start_thread, thread_path

TOTAL = 200

# Which confirmed messages are wholly inside both the message box and the window.
VISIBLE_MESSAGES = """() => {
    const box = document.querySelector('.messages-scroller').getBoundingClientRect();
    const scrolls = getComputedStyle(document.querySelector('.messages-scroller')).overflowY === 'auto';
    const top = scrolls ? Math.max(0, box.top) : 0;
    const footer = document.querySelector('.thread-footer').getBoundingClientRect();
    const bottom = Math.min(window.innerHeight, scrolls ? box.bottom : footer.top);
    return [...document.querySelectorAll('ol.message-list:not(.pending-list) > li.message')]
        .filter(li => { const r = li.getBoundingClientRect(); return r.top >= top - 1 && r.bottom <= bottom + 1; })
        .map(li => li.querySelector('.message-body').innerText.trim());
}"""

IN_WINDOW = """sel => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
}"""


def text(n: int) -> str:
    return f"Message {n:03d} about keeper data."


@pytest.fixture(scope="module")
def long_thread() -> dict[str, Any]:
    """A room with a 200-message thread by Ada; filled once for the module."""
    return {}


def seed(people: Any, long_thread: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ada's room and 200-message thread, made on the module's first use."""
    if not long_thread:
        ada = people("Ada Lovelace", "Camden Council")
        room = create_room(ada, "Keeper data standards")
        thread = start_thread(ada, room, "What we decided about keeper data", text(1))
        seqs = {1: ada.api("GET", f"/threads/{thread['id']}/messages?after=0&limit=1")["messages"][0]["seq"]}
        for n in range(2, TOTAL + 1):
            posted = ada.api("POST", f"/threads/{thread['id']}/messages",
                             {"client_id": f"seed-{n}-{time.time_ns()}", "body": text(n)}, expect=201)
            seqs[n] = posted["message"]["seq"]
        long_thread.update(room=room, thread=thread, seqs=seqs)
    return long_thread["room"], long_thread["thread"]


def reader(people: Any, long_thread: dict[str, Any], *, read_up_to: int, **options: Any) -> tuple[Person, dict[str, Any], dict[str, Any]]:
    """Someone who joined the room, read messages 1 to ``read_up_to`` and now opens the thread."""
    room, thread = seed(people, long_thread)
    person = people(f"Reader {read_up_to}", "Department for Transport", bypass_csp=True, **options)
    person.api("POST", f"/rooms/{room['id']}/join")
    person.api("PUT", f"/threads/{thread['id']}/read", {"seq": long_thread["seqs"][read_up_to]})
    person.goto(thread_path(room, thread))
    person.page.locator(".unread-divider").wait_for()
    person.wait_connected()
    return person, room, thread


FIRST_AFTER_DIVIDER = "() => document.querySelector('.unread-divider').nextElementSibling.querySelector('.message-body').innerText.trim()"


def first_after_divider(page: Any) -> str:
    return str(page.evaluate(FIRST_AFTER_DIVIDER))


def test_opens_at_the_first_unread_message_and_reads_more_both_ways(people, long_thread):
    ben, room, thread = reader(people, long_thread, read_up_to=120)
    page = ben.page
    assert first_after_divider(page) == text(121)
    assert page.locator(".unread-divider").inner_text().replace("\n", " ").strip() == "New messages"
    visible = page.evaluate(VISIBLE_MESSAGES)
    assert text(121) in visible, visible
    assert text(TOTAL) not in visible
    status = page.locator("#announcer-status")
    assert "80 new messages since you last read" in status.inner_text()
    assert_accessible(page, "thread opened at the first unread message")

    # Down to the end: the later pages are read as the reader gets there.
    scroller = page.locator(".messages-scroller")
    for _ in range(10):
        scroller.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        if page.locator(".message-body", has_text=text(TOTAL)).count():
            break
        page.wait_for_timeout(200)
    page.locator(".message-body", has_text=text(TOTAL)).wait_for()

    # Up to the top: older pages are drawn above without moving what is on screen.
    first_id, top_before, drawn_before = scroller.evaluate("""el => {
        el.scrollTop = 0;  // the older page is read on the next frame, after this measures
        const items = el.querySelectorAll('ol.message-list > li.message');
        return [items[0].id, items[0].getBoundingClientRect().top, items.length];
    }""")
    page.wait_for_function("n => document.querySelectorAll('ol.message-list > li.message').length > n", arg=drawn_before)
    top_after = page.evaluate("id => document.getElementById(id).getBoundingClientRect().top", first_id)
    assert abs(top_after - top_before) <= 1, f"the message on screen moved from {top_before} to {top_after}"

    # Far up: "Jump to latest" takes the reader to the newest message and the reply box.
    jump = page.get_by_role("button", name="Jump to latest")
    jump.wait_for()
    jump.click()
    page.wait_for_function("() => document.activeElement && document.activeElement.matches('textarea.composer-input')")
    assert text(TOTAL) in page.evaluate(VISIBLE_MESSAGES)
    assert page.locator(".jump-latest").is_hidden()


def test_fills_a_laptop_screen_with_the_reply_box_in_view(people, long_thread, tmp_path):
    ben, room, thread = reader(people, long_thread, read_up_to=150)
    page = ben.page
    visible = page.evaluate(VISIBLE_MESSAGES)
    assert len(visible) >= 10, f"only {len(visible)} messages visible at 1280x800: {visible}"
    assert page.evaluate(IN_WINDOW, "textarea.composer-input"), "the reply box is in view"
    assert page.evaluate(IN_WINDOW, ".composer button[type=submit]"), "the Send button is in view"
    assert page.evaluate("() => document.documentElement.scrollHeight <= window.innerHeight"), "the page itself does not scroll"

    # Mention suggestions open inside the window, above the reply box at the bottom.
    box = page.get_by_label("Reply", exact=True)
    box.click()
    box.type("@Ad")
    page.get_by_role("option", name="Ada Lovelace").wait_for()
    assert page.evaluate(IN_WINDOW, ".mention-list"), "the suggestions are inside the window"
    box.press("Escape")
    box.fill("")
    page.locator(".thread-title").focus()
    assert_accessible(page, "thread at 1280x800")
    page.screenshot(path=str(tmp_path / "thread.png"))  # renders; `make screenshots` makes the README's


@pytest.mark.parametrize("width,height", [(320, 640), (640, 400)], ids=["320px", "200%-zoom"])
def test_small_screens_land_on_the_first_unread_with_the_reply_box_in_view(people, long_thread, width: int, height: int):
    ben, room, thread = reader(people, long_thread, read_up_to=170, viewport={"width": width, "height": height})
    page = ben.page
    assert first_after_divider(page) == text(171)
    assert text(171) in page.evaluate(VISIBLE_MESSAGES)
    assert page.evaluate(IN_WINDOW, "textarea.composer-input"), "the reply box is in view"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"scrolls sideways by {overflow}px"

    box = page.get_by_label("Reply", exact=True)
    box.click()
    box.type("@Ad")
    page.get_by_role("option", name="Ada Lovelace").wait_for()
    assert page.evaluate(IN_WINDOW, ".mention-list"), "the suggestions are inside the window"
    box.press("Escape")
    box.fill("")
    page.locator(".thread-title").focus()
    assert_accessible(page, f"thread at {width}x{height}")


def test_keyboard_shortcuts_help_and_moving_through_messages(people, long_thread):
    ben, room, thread = reader(people, long_thread, read_up_to=190)
    page = ben.page
    page.locator(".thread-title").focus()

    # "r" goes to the reply box; typed there, it is just a letter.
    page.keyboard.press("r")
    assert page.evaluate("() => document.activeElement.matches('textarea.composer-input')")
    page.keyboard.press("r")
    assert page.get_by_label("Reply", exact=True).input_value() == "r"
    page.keyboard.press("?")
    assert page.locator("dialog").count() == 0, "no shortcut fires while typing"
    page.get_by_label("Reply", exact=True).fill("")

    # "?" opens the help: a modal dialog that keeps focus until Escape.
    page.locator(".thread-title").focus()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    assert "Go to the reply box" in dialog.inner_text()
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("() => Boolean(document.activeElement.closest('dialog'))"), "focus stays in the dialog"
    assert_accessible(page, "shortcuts help")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.matches('.thread-title')"), "focus returns where it was"

    # The message list is one Tab stop; arrows move through it, Tab goes on to the reply box.
    presses = 0
    while not page.evaluate("() => document.activeElement.matches('li.message')"):
        page.keyboard.press("Tab")
        presses += 1
        assert presses < 12, "the message list is not reached from the heading"
    assert first_after_divider(page) in page.evaluate("() => document.activeElement.innerText"), \
        "Tab into the list lands on the first unread message"
    start = page.evaluate("() => document.activeElement.id")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    moved = page.evaluate("() => document.activeElement.id")
    assert moved != start and page.evaluate("() => document.activeElement.matches('li.message')")
    page.keyboard.press("End")
    assert text(TOTAL) in page.evaluate("() => document.activeElement.innerText")
    to_reply = 0
    while not page.evaluate("() => document.activeElement.matches('textarea.composer-input')"):
        page.keyboard.press("Tab")
        to_reply += 1
        assert to_reply <= 6, "more than 6 presses from the message list to the reply box"
    assert presses + to_reply <= 16


def test_a_reply_from_the_middle_of_a_long_thread_goes_after_the_newest(people, long_thread):
    ben, room, thread = reader(people, long_thread, read_up_to=60)
    page = ben.page
    assert first_after_divider(page) == text(61)
    assert page.locator(".message-body", has_text=text(TOTAL)).count() == 0, "the newest page is read only when needed"
    page.get_by_role("button", name="Show later messages").wait_for()

    # A live message past the gap is not drawn out of place; "Jump to latest" offers it.
    cara = people("Cara Diaz", "Leeds City Council")
    cara.api("POST", f"/rooms/{room['id']}/join")
    cara.api("POST", f"/threads/{thread['id']}/messages", {"client_id": f"cara-{time.time_ns()}", "body": "Live while you read."},
             expect=201)
    page.get_by_role("button", name="Jump to latest").wait_for()
    assert page.locator(".message-body", has_text="Live while you read.").count() == 0

    box = page.get_by_label("Reply", exact=True)
    box.fill("Replying from the middle.")
    box.press("Enter")
    page.locator("ol.message-list:not(.pending-list) > li .message-body", has_text="Replying from the middle.").wait_for()
    page.wait_for_function("() => document.querySelectorAll('ol.pending-list > li').length === 0")
    bodies = page.locator("ol.message-list:not(.pending-list) > li.message .message-body").all_inner_texts()
    assert bodies[-3:] == [text(TOTAL), "Live while you read.", "Replying from the middle."], bodies[-4:]
    assert page.get_by_role("button", name="Show later messages").is_hidden()
