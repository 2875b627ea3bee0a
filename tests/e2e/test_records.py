"""People and records in the browser (issue 12): the profile page by keyboard, the
confirmation dialogs before destructive actions, and the administrators' audit log
(by keyboard, axe-clean; hidden from everyone else)."""

from __future__ import annotations

from pathlib import Path

from .conftest import assert_accessible, create_room


def test_administrators_browse_the_audit_log_by_keyboard_and_others_see_no_link(people):
    ada = people("Ada Admin", bypass_csp=True)  # the module's first account: its administrator
    ben = people("Ben Member", bypass_csp=True)
    ada.api("PATCH", f"/users/{ben.user['id']}", {"role": "facilitator"})
    page = ada.page
    ada.goto("/")
    page.get_by_role("link", name="Administration").click()
    page.wait_for_url("**/admin/people")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/admin/audit")
    page.locator("tbody tr").first.wait_for()
    assert_accessible(page, "audit log")

    page.get_by_label("Action").focus()
    page.get_by_label("Action").select_option("role-changed")
    page.keyboard.press("Tab")
    page.keyboard.type(str(ben.user["id"]))
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="1 entries shown.").wait_for()
    row = page.locator("tbody tr")
    assert "role changed" in row.inner_text() and "member -> facilitator" in row.inner_text()
    href = page.get_by_role("link", name="Download these entries as CSV").get_attribute("href")
    assert href == f"/api/v1/admin/audit.csv?action=role-changed&person={ben.user['id']}"

    ben.goto("/")
    ben.page.get_by_role("link", name="Your account").wait_for()
    assert ben.page.get_by_role("link", name="Administration").count() == 0
    for path in ("/admin/audit", "/admin/people", "/admin/rooms", "/admin/organisations"):
        ben.goto(path)
        ben.page.get_by_text("Only administrators can see this page.").wait_for()
    ben.api("GET", "/admin/audit", expect=403)
    ben.api("GET", "/admin/users", expect=403)

    # People: change a role and deactivate by keyboard, the deactivation asked first.
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="People").click()
    page.wait_for_url("**/admin/people")
    row = page.locator(f"tr[data-person='{ben.user['id']}']")
    row.wait_for()
    assert_accessible(page, "people")
    role = row.get_by_label("Role of Ben Member")
    role.focus()
    role.select_option("member")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Ben Member is now a member.").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Deactivate
    page.get_by_role("dialog", name="Deactivate Ben Member?").wait_for()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Ben Member is deactivated.").wait_for()
    assert page.evaluate("document.activeElement.textContent").startswith("Reactivate")
    ben.api("GET", "/me", expect=401)

    # Rooms and organisations: listed, invite-only rooms too, and axe-clean.
    secret = create_room(ada, "Secret pilot", visibility="invite")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Rooms").click()
    page.locator(f"tr[data-room='{secret['slug']}']").wait_for()
    assert_accessible(page, "rooms")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Organisations").click()
    page.get_by_label("Name").first.fill("Camden Council")
    page.get_by_label("Email domains").first.fill("camden.example")
    page.get_by_role("button", name="Create organisation").click()
    page.get_by_role("heading", name="Camden Council").wait_for()
    assert_accessible(page, "organisations")


def test_a_person_changes_their_name_by_keyboard_and_is_asked_before_signing_out_everywhere(people):
    ben = people("Ben Member", bypass_csp=True)
    page = ben.page
    ben.goto("/")
    page.get_by_role("link", name="Your account").click()
    page.wait_for_url("**/profile")
    page.get_by_text("(this browser)").wait_for()
    assert page.title().startswith("Your account")
    assert_accessible(page, "profile")

    name = page.get_by_label("Your name")
    name.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Ben Okafor")
    page.keyboard.press("Enter")  # submits the form it is in
    page.get_by_role("status").filter(has_text="Your details are saved.").wait_for()
    page.locator(".header-user", has_text="Ben Okafor").wait_for()
    assert ben.api("GET", "/me")["user"]["display_name"] == "Ben Okafor"

    everywhere = page.locator("main").get_by_role("button", name="Sign out everywhere")
    everywhere.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Sign out everywhere?")
    dialog.wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Cancel"  # the safe choice first
    assert_accessible(page, "sign out everywhere dialog")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.evaluate("document.activeElement.textContent") == "Sign out everywhere"  # focus returns
    assert ben.api("GET", "/me")["user"]["id"]  # still signed in

    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")  # from Cancel back to the confirming button
    page.keyboard.press("Enter")
    page.wait_for_url("**/signin")
    ben.api("GET", "/me", expect=401)


def test_leaving_a_room_asks_first(people):
    cat = people("Cat Owner", bypass_csp=True)
    ben = people("Ben Member", bypass_csp=True)
    room = create_room(cat, "Land Registry data API")
    ben.api("POST", f"/rooms/{room['id']}/join", {})
    ben.goto(f"/r/{room['slug']}")
    ben.page.get_by_role("button", name="Leave room").click()
    dialog = ben.page.get_by_role("dialog", name="Leave Land Registry data API?")
    dialog.wait_for()
    dialog.get_by_role("button", name="Stay").click()
    dialog.wait_for(state="detached")
    assert ben.api("GET", f"/rooms/{room['id']}")["room"]["membership"] == "member"
    ben.page.get_by_role("button", name="Leave room").click()
    ben.page.get_by_role("dialog").get_by_role("button", name="Leave room").click()
    ben.page.get_by_role("button", name="Join room").wait_for()
    assert ben.api("GET", f"/rooms/{room['id']}")["room"]["membership"] is None


def test_an_owner_downloads_the_rooms_record_from_its_settings(people):
    owner = people("Dee Owner", bypass_csp=True)
    room = create_room(owner, "Parking data")
    owner.goto(f"/r/{room['slug']}/settings")
    link = owner.page.get_by_role("link", name="Download as Markdown (to read)")
    with owner.page.expect_download() as info:
        link.click()
    assert Path(info.value.path()).read_text(encoding="utf-8").startswith("# Parking data\n")
    assert_accessible(owner.page, "room settings with the record")

