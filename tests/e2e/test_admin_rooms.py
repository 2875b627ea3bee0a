"""The administrators' rooms page (issue 19): a room is handed to a new owner chosen by
typing, never from a list of every account; axe-clean (target size too) with the
search open. Its own server, so the module's first account is the administrator."""

from __future__ import annotations

from .conftest import assert_accessible, create_room


def test_administrators_hand_a_room_over_by_typing_the_new_owners_name(people):
    """The Transfer column finds people by name or address as one types (the server
    answers at most eight), instead of listing every account; keyboard only."""
    ada = people("Ada Admin", bypass_csp=True)
    cara = people("Cara Singh", "Leeds City Council")
    carl = people("Carl Jones", "Leeds City Council")
    room = create_room(ada, "Handover pilot")
    page = ada.page
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/admin/users" in r.url else None)
    ada.goto("/admin/rooms")
    row = page.locator(f"tr[data-room='{room['slug']}']")
    row.wait_for()
    assert row.locator("select").count() == 0 and row.locator("option").count() == 0  # no list of every account
    box = row.get_by_role("combobox", name="New owner of Handover pilot")
    box.focus()
    page.keyboard.type("car")
    options = row.get_by_role("option")
    options.nth(1).wait_for()
    assert sorted(options.all_inner_texts()) == sorted([f"Cara Singh {cara.email}", f"Carl Jones {carl.email}"])
    assert all("limit=8" in url and "q=car" in url for url in asked)
    assert_accessible(page, "rooms with a person search open")
    page.keyboard.type("a ")  # "cara "
    page.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1")
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == row.get_by_role("option").get_attribute("id")
    page.keyboard.press("Enter")
    assert box.input_value() == f"Cara Singh ({cara.email})"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Make owner
    page.get_by_role("status").filter(has_text="Handover pilot now belongs to").wait_for()
    handed = next(r for r in ada.api("GET", "/admin/rooms")["rooms"] if r["slug"] == room["slug"])
    assert "Cara Singh" in [owner["display_name"] for owner in handed["owners"]]
