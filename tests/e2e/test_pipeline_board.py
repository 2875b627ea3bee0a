"""The pipeline board in Chromium: a card moved to incubation with the keyboard alone
(the Move menu, the dialog and its criteria), the room's stage history, and no axe
violations on the board and the move dialog."""

from __future__ import annotations

from typing import Any

from .conftest import assert_accessible, create_room

CRITERIA = {
    "The user need that only central-local collaboration can meet": "Residents tell the council and DWP the same things twice",
    "The cost benefit": "About £2m a year across the pilot councils",
    "The prospects of rapid success": "Camden already runs a prototype",
}


def focused(page: Any) -> str:
    return str(page.evaluate("() => (document.activeElement && (document.activeElement.innerText || document.activeElement.name)) || ''"))


def test_move_a_card_to_incubation_by_keyboard_and_axe_on_board_and_dialog(people):
    ada = people("Ada Lovelace", "Camden Council", bypass_csp=True)  # the first account: an administrator
    ben = people("Ben Okafor", "Department for Transport")
    room = create_room(ada, "Blue badge renewals", tags=["parking"])
    create_room(ben, "Bus pass checks", tags=["transport"], looking_for_collaborators=False)
    page = ada.page
    ada.goto("/pipeline")
    page.get_by_role("heading", name="Pipeline", level=1).wait_for()
    page.get_by_role("heading", name="Discovery (2 rooms)").wait_for()
    assert page.title() == "Pipeline – Convene"
    assert page.get_by_role("link", name="Pipeline").get_attribute("aria-current") == "page"
    # Every column is a headed section with a list of cards (or says it is empty).
    assert page.get_by_role("heading", level=2).all_inner_texts()[:5] == [
        "Discovery (2 rooms)", "Co-design (0 rooms)", "Incubation (0 rooms)", "Live (0 rooms)", "Archived (0 rooms)"]
    card = page.locator(f"li[data-room-id='{room['id']}']")
    assert card.get_by_role("link", name="Blue badge renewals").is_visible()
    assert_accessible(page, "pipeline board")

    # Keyboard only: focus the card's Move button, open the menu, go to Incubation.
    move = card.get_by_role("button", name="Move Blue badge renewals")
    move.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu", name="Move Blue badge renewals to")
    menu.wait_for()
    assert move.get_attribute("aria-expanded") == "true"
    assert focused(page) == "Co-design"
    page.keyboard.press("Escape")  # Escape closes the menu and gives focus back to its button
    menu.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-haspopup')") == "menu"
    page.keyboard.press("ArrowDown")
    menu.wait_for()
    page.keyboard.press("ArrowDown")
    assert focused(page) == "Incubation"
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog", name="Move Blue badge renewals")
    dialog.wait_for()
    assert dialog.get_by_label("Move to stage").input_value() == "incubation"
    # Focus starts on the first criterion; an empty one is refused before anything is sent.
    assert page.evaluate("() => document.activeElement.name") == "criteria.user_need"
    assert_accessible(page, "move dialog")
    dialog.get_by_role("button", name="Move room").focus()
    page.keyboard.press("Enter")
    dialog.get_by_role("heading", name="There is a problem").wait_for()
    assert dialog.locator(".error-summary-list li").count() == 3
    assert_accessible(page, "move dialog with errors")

    page.evaluate("() => document.querySelector('dialog [name=\"note\"]').focus()")
    page.keyboard.type("Agreed at the Co-Design Day")
    for label, text in CRITERIA.items():
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.labels[0].innerText") == label
        page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert focused(page) == "Move room"
    with page.expect_response(lambda r: r.url.endswith(f"/rooms/{room['id']}/stage")) as answered:
        page.keyboard.press("Enter")
    assert answered.value.status == 201
    dialog.wait_for(state="detached")

    # The card is now in the Incubation column, with its criteria, and has the focus.
    incubation = page.locator("section.pipeline-incubation")
    incubation.get_by_role("heading", name="Incubation (1 room)").wait_for()
    moved = incubation.locator(f"li[data-room-id='{room['id']}']")
    assert focused(page) == "Blue badge renewals"
    moved.get_by_text("Incubation criteria").click()
    assert moved.get_by_text(CRITERIA["The cost benefit"]).is_visible()
    assert page.locator("#announcer-status, [role=status]").filter(has_text="Blue badge renewals moved to Incubation").count() >= 1
    assert_accessible(page, "pipeline board after the move")

    # The room shows the move as a notice in its stage history, with the note and criteria.
    ada.goto(f"/r/{room['slug']}")
    history = page.locator(".stage-history")
    history.get_by_text("Moved from Discovery to Incubation by Ada Lovelace").wait_for()
    assert history.get_by_text("Agreed at the Co-Design Day").is_visible()
    assert page.locator(".room-header .stage", has_text="Incubation").is_visible()

    # From the room: "Move stage" opens the same dialog; the move arrives as a live notice.
    ada.wait_connected()
    page.get_by_role("button", name="Move stage").click()
    room_dialog = page.get_by_role("dialog", name="Move Blue badge renewals")
    room_dialog.get_by_label("Move to stage").select_option("live")
    assert room_dialog.get_by_role("group", name="Incubation criteria").is_hidden()
    room_dialog.get_by_label("Note (optional)").fill("Launched in Camden")
    room_dialog.get_by_role("button", name="Move room").click()
    history.get_by_text("Moved from Incubation to Live by Ada Lovelace").wait_for()
    page.locator(".room-header .stage", has_text="Live").wait_for()
    assert focused(page) == "Move stage"

    # Filters narrow the board: by tag.
    ada.goto("/pipeline?tag=transport")
    page.get_by_role("heading", name="Discovery (1 room)").wait_for()
    assert page.get_by_role("link", name="Bus pass checks").is_visible()
    assert page.get_by_role("heading", name="Incubation (0 rooms)").is_visible()
