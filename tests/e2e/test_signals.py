"""What must reach people's open pages without a reload (issue 19): interest and a
request to join on the owner's room page, and a new role (the Seed link) on the
page of the person given it."""

from __future__ import annotations

from .conftest import create_room, post_message, start_thread, thread_path


def test_a_person_made_facilitator_sees_seeding_without_a_reload(people):
    admin = people("Ann Admin", "Local Digital")  # the module's first account: its administrator
    assert admin.user["role"] == "administrator"
    fay = people("Fay Facilitator", "Camden Council")
    fay.goto("/seed")
    fay.page.get_by_text("Only facilitators and administrators can seed rooms.").wait_for()
    fay.wait_connected()
    fay.page.evaluate("window.__sameDocument = true")
    assert fay.page.get_by_role("link", name="Seed rooms").count() == 0

    admin.api("PATCH", f"/users/{fay.user['id']}", {"role": "facilitator"})
    fay.page.get_by_role("link", name="Seed rooms").wait_for()
    fay.page.get_by_label("Workshop file").wait_for()
    assert fay.page.get_by_text("Only facilitators and administrators can seed rooms.").count() == 0
    assert fay.page.evaluate("window.__sameDocument === true"), "Fay's page reloaded"


def test_interest_and_a_request_to_join_appear_on_the_owners_open_room_page(people):
    ada = people("Ada Lovelace", "Camden Council")
    ben = people("Ben Okafor", "Leeds City Council")
    room = create_room(ada, "Pothole reporting", visibility="invite", looking_for_collaborators=True)
    ada.goto(f"/r/{room['slug']}")
    ada.wait_connected()
    involved = ada.page.get_by_role("region", name="Who is involved")
    involved.get_by_text("We have this problem too: 0 organisations").wait_for()
    ada.page.evaluate("window.__sameDocument = true")  # disappears if the page reloads

    ben.api("POST", f"/rooms/{room['id']}/interest", {"kind": "same-problem"})
    involved.get_by_text("We have this problem too: 1 organisation").wait_for()
    assert "Ben Okafor" in involved.inner_text()

    ben.api("POST", f"/rooms/{room['id']}/join-requests", {"message": "Leeds has the same backlog."}, expect=201)
    ada.page.get_by_role("region", name="Requests to join").get_by_text("Leeds has the same backlog.").wait_for()
    assert ada.page.evaluate("window.__sameDocument === true"), "Ada's page reloaded"

    # Her inbox lists both, and Ben, on the board, sees who answered.
    ada.page.get_by_role("link", name="Inbox").click()
    signals = ada.page.get_by_role("region", name="Interest in your rooms")
    signals.get_by_text("asks to join").wait_for()
    assert "said “We have this problem too” about" in signals.inner_text()
    ben.goto("/collaborate")
    card = ben.page.locator(".collab-card", has_text="Pothole reporting")
    card.locator(".interest-who", has_text="Leeds City Council (Ben Okafor)").wait_for()


def test_the_header_search_finds_rooms_first(people):
    ada = people("Ada Lovelace", "Camden Council")
    room = create_room(ada, "Land Registry searches", summary="Local land charges, faster.", tags=["property"])
    start_thread(ada, room, "Keys for the Land Registry", "Who holds them?")
    ada.goto("/")
    box = ada.page.get_by_role("searchbox", name="Search everything: rooms, threads and messages")
    box.fill("Land Registry")
    box.press("Enter")
    rooms = ada.page.get_by_role("region", name="Rooms (1)")
    rooms.get_by_role("link", name="Land Registry searches").wait_for()
    ada.page.get_by_role("link", name="Thread: Keys for the Land Registry").wait_for()
    headings = ada.page.locator("main h2").all_inner_texts()
    assert headings.index("Rooms (1)") < next(i for i, t in enumerate(headings) if t.startswith("Messages and threads"))


def test_an_invited_supplier_sees_who_invited_them_names_their_organisation_and_a_reader_replies_to_join(people, browser, server):
    ada = people("Ada Lovelace", "Camden Council")
    room = create_room(ada, "Parking permits", tags=["parking"])
    thread = start_thread(ada, room, "Permit zones", "Where do the zones end?")
    ada.api("POST", f"/rooms/{room['id']}/members", {"emails": ["sam@supplier.example"]}, expect=201)
    link = server.mail_link("sam@supplier.example", "/invitation?token=")

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    try:
        sam = context.new_page()
        sam.goto(link)
        sam.get_by_role("heading", name="Accept your invitation", level=1).wait_for()
        sam.locator(".invitation-intro", has_text="invited you").wait_for()
        lead = sam.locator(".invitation-intro").inner_text()
        assert "Ada Lovelace (Camden Council) invited you (sam@supplier.example) to the room Parking permits" in lead
        sam.get_by_label("Your organisation").fill("Acme Digital")
        sam.get_by_role("button", name="Accept and go to the room").click()
        sam.get_by_role("heading", name="Parking permits", level=1).wait_for()
        sam.goto(server.url(thread_path(room, thread)))
        sam.get_by_label("Reply", exact=True).wait_for()
        post_message(sam, "Acme holds the zone maps.")
        mine = sam.locator("ol.message-list:not(.pending-list) > li", has_text="Acme holds the zone maps.")
        assert "Acme Digital" in mine.inner_text()
    finally:
        context.close()

    # Ben is not in the open room: the reply box is there, and replying joins him.
    ben = people("Ben Okafor", "Leeds City Council")
    ben.goto(thread_path(room, thread))
    ben.wait_connected()
    ben.page.get_by_text("Replying here joins this room").wait_for()
    assert ben.page.get_by_role("button", name="Join room").count() <= 1  # the header may still offer it
    post_message(ben.page, "Leeds ends them at the ring road.")
    ben.page.get_by_role("button", name="Leave room").wait_for()
    assert ben.api("GET", f"/rooms/{room['id']}")["room"]["membership"] == "member"
