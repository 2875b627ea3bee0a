"""Everything without a mouse: sign in, open a room, open a thread, post, mention, edit."""

from __future__ import annotations

from typing import Any

from .conftest import PASSWORD, create_room, message_texts, start_thread

FOCUS_VISIBLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return style.boxShadow !== "none" || (style.outlineStyle !== "none" && style.outlineWidth !== "0px");
}"""


def tab_to(page: Any, selector: str, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches ``selector``;
    on the way, every stop must show a visible focus indicator."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate("() => document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : ''")
        assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {focused}"
        if page.evaluate("sel => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} not reached with the keyboard in {limit} presses")


def test_keyboard_only_sign_in_open_room_and_thread_post_mention_edit(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Council tax reminders")
    thread = start_thread(ada, room, "Text message pilot", "Shall we try SMS reminders?")
    ben.api("POST", f"/rooms/{room['id']}/join")
    ada.api("POST", "/auth/signout", {})
    page = ada.page
    page.goto(ada.server.url("/signin"))
    page.locator("h1", has_text="Sign in").wait_for()

    # The first stop is the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")

    tab_to(page, "input[autocomplete=username]")
    page.keyboard.type(ada.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.locator("h1", has_text="Inbox").wait_for()  # the signed-in home
    ada.wait_connected()
    tab_to(page, "a[href='/rooms']")
    page.keyboard.press("Enter")
    page.locator("h1", has_text="Rooms").wait_for()
    # Tab once the directory has drawn its list, as a person would once they see it: a Tab
    # pressed while the page is still filling in (seen once in CI, under load) can land on
    # an element that is then redrawn.
    page.locator(f"main a[href='/r/{room['slug']}']").wait_for()
    page.locator("ol[aria-busy='true'], ul[aria-busy='true']").wait_for(state="detached")

    tab_to(page, f"a[href='/r/{room['slug']}']")
    page.keyboard.press("Enter")
    page.locator("h1", has_text="Council tax reminders").wait_for()
    assert page.evaluate("() => document.activeElement.tagName") == "H1", "focus moves to the new page's heading"

    tab_to(page, f"a[href='/r/{room['slug']}/t/{thread['id']}']")
    page.keyboard.press("Enter")
    page.locator("h2", has_text="Text message pilot").wait_for()
    page.locator(".message-body", has_text="Shall we try SMS reminders?").wait_for()

    # Post with a mention chosen from the suggestions, and a second line.
    tab_to(page, "textarea.composer-input")
    page.keyboard.type("Good idea @Be")
    page.get_by_role("option", name="Ben Okafor").wait_for()
    page.keyboard.press("Enter")  # chooses the suggestion, does not send
    page.keyboard.type("what do you think?")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Costs are low.")
    page.keyboard.press("Enter")
    sent = page.locator("ol.message-list:not(.pending-list) > li", has_text="what do you think?")
    sent.wait_for()
    assert sent.locator(".mention", has_text="@Ben Okafor").count() == 1
    assert "Costs are low." in sent.inner_text()

    # Edit it: from the reply box, back to the message's Edit button.
    tab_to(page, f"#{sent.get_attribute('id')} button[data-action=edit]", backwards=True)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.press("End")
    page.keyboard.press("Control+End")
    page.keyboard.type(" Under £50.")
    page.keyboard.press("Enter")
    page.locator(".message-body", has_text="Under £50.").wait_for()
    assert page.evaluate("() => document.activeElement.dataset.action") == "edit", "focus returns to the Edit button"
    assert len(message_texts(page)) == 2
