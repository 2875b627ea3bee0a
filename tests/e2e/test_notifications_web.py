"""Email settings from the web: the settings page (reached from the account page), the mute
toggle beside Follow, and the page an email's "stop emails" link opens without signing in."""

from __future__ import annotations

from server.domain.notification_settings import unsubscribe_token

from .conftest import assert_accessible, create_room, start_thread, thread_path

SECRET = "test-secret-key-0123456789abcdef"  # the e2e server's SECRET_KEY


def test_settings_page_mute_toggle_and_unsubscribe_page(people):
    ada = people("Ada Lovelace", "Camden Council", bypass_csp=True)
    room = create_room(ada, "Blue Badge renewals")
    thread = start_thread(ada, room, "Evidence rules", "What counts as evidence?")

    ada.goto("/")
    ada.page.get_by_role("link", name="Your account").click()
    ada.page.locator("main").get_by_role("link", name="email settings").click()
    ada.page.wait_for_url("**/settings/notifications")
    assert ada.page.title() == "Email settings – Convene"
    ada.page.get_by_label("After 5 minutes, if I have not read it").wait_for()
    assert ada.page.get_by_label("After 5 minutes, if I have not read it").is_checked()
    assert_accessible(ada.page, "email settings")
    ada.page.get_by_label("Once a day").check()
    ada.page.get_by_role("button", name="Save email settings").click()
    ada.page.get_by_text("Your email settings are saved.").first.wait_for()
    assert ada.api("GET", "/me/notifications")["mode"] == "digest"

    ada.goto(thread_path(room, thread))
    mute = ada.page.get_by_role("button", name="Mute emails")
    mute.wait_for()
    assert mute.get_attribute("aria-pressed") == "false"
    mute.click()
    ada.page.wait_for_function("() => document.querySelector('[aria-pressed=\"true\"]') !== null")
    assert ada.api("GET", f"/threads/{thread['id']}/mute")["muted"] is True

    # The link from an email, opened by someone not signed in: nothing changes until the button.
    ben = people("Ben Okafor", "Department for Transport", signed_in=False, bypass_csp=True)
    token = unsubscribe_token(SECRET, ada.user["id"], None)
    ben.goto(f"/unsubscribe?token={token}")
    ben.page.get_by_text("This stops all notification emails from Convene.").wait_for()
    assert_accessible(ben.page, "stop emails")
    assert ada.api("GET", "/me/notifications")["mode"] == "digest"
    ben.page.get_by_role("button", name="Stop these emails").click()
    ben.page.get_by_text("Done: no more notification emails from Convene.").wait_for()
    assert ada.api("GET", "/me/notifications")["mode"] == "never"
