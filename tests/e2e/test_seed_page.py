"""The facilitator's seed page and the event page in Chromium: upload the sample
workshop file, read the preview, apply it, read the report and follow it to the
event page; a broken file shows its problems by row and column. axe finds nothing
on any of these screens."""

from __future__ import annotations

from pathlib import Path

from .conftest import ROOT, assert_accessible

FILES = ROOT / "tests" / "seed_files" / "files"
SAMPLE = FILES / "discovery-day.csv"  # the same as /work/shared/examples/discovery-day.csv
BROKEN = FILES / "broken.csv"
DVLA = "DVLA data API for parking and debt recovery"


def test_a_facilitator_uploads_previews_and_applies_the_sample_then_opens_the_event(people, tmp_path: Path):
    ada = people("Ada Lovelace", "LocalGov Digital")  # the first account: an administrator
    fran = people("Fran Facilitator", "LocalGov Digital", bypass_csp=True)
    ben = people("Ben Okafor", "Department for Transport")
    ada.api("PATCH", f"/users/{fran.user['id']}", {"role": "facilitator"})
    page = fran.page

    ben.goto("/")
    ben.page.get_by_role("link", name="Rooms", exact=True).wait_for()
    assert ben.page.get_by_role("link", name="Seed rooms").count() == 0  # only facilitators and administrators

    fran.goto("/")
    page.get_by_role("link", name="Seed rooms").click()
    page.locator("h1", has_text="Seed rooms from an event").wait_for()
    assert_accessible(page, "seed page")

    # Preview with nothing chosen: the error points at the file input.
    page.get_by_role("button", name="Preview").click()
    page.locator(".error-summary", has_text="Choose the workshop file").wait_for()
    assert_accessible(page, "seed page with an error")

    # A broken file: every problem by row and column, and no Apply button.
    page.get_by_label("Workshop file").set_input_files(str(BROKEN))
    assert page.get_by_label("Event name").input_value() == "broken"
    page.get_by_role("button", name="Preview").click()
    page.locator("h2", has_text="Preview: the file has problems").wait_for()
    problems = page.locator("table.seed-problems tbody tr")
    assert "Row 2" in problems.first.inner_text() and "Stage" in problems.first.inner_text()
    assert page.get_by_role("button", name="Apply").count() == 0
    assert_accessible(page, "seed preview with problems")

    # The sample: the preview lists what will be created and sent; nothing is written yet.
    page.get_by_label("Workshop file").set_input_files(str(SAMPLE))
    assert page.get_by_label("Event name").input_value() == "discovery-day"
    page.get_by_role("button", name="Preview").click()
    page.locator("h2", has_text="Preview").wait_for()
    assert page.locator(".seed-totals").inner_text() == "Will create 4 rooms and 6 question threads; 13 emails to send."
    results = page.locator(".seed-results")
    assert (
        "Rooms to create" in results.inner_text() and "facilitator@localdigital.example: will be invited as owner" in results.inner_text()
    )
    assert fran.api("GET", "/rooms")["rooms"] == []
    assert_accessible(page, "seed preview")

    page.get_by_role("button", name="Apply").click()
    page.locator("h2", has_text="Applied").wait_for()
    assert page.locator(".seed-totals").inner_text() == "Created 4 rooms and 6 question threads; 13 emails sent."
    assert page.locator("progress").evaluate("p => p.value === p.max")
    assert page.locator(".seed-progress-text").inner_text() == "Applying: done."
    assert page.get_by_role("link", name=DVLA).get_attribute("href") == "/r/dvla-data-api-for-parking-and-debt-recovery"
    assert len(fran.api("GET", "/rooms")["rooms"]) == 4
    assert_accessible(page, "seed report")

    page.get_by_role("link", name="Open the event page for discovery-day").click()
    page.locator("h1", has_text="discovery-day").wait_for()
    rows = page.locator("table.event-rooms tbody tr")
    rows.nth(3).wait_for()
    assert rows.count() == 4
    dvla = page.locator("table.event-rooms tbody tr", has=page.get_by_role("link", name=DVLA))
    assert "Which legal gateways apply to licensing?" in dvla.inner_text() and "Discovery" in dvla.inner_text()
    assert_accessible(page, "event page")

    page.get_by_role("link", name="All events").click()
    page.get_by_role("link", name="discovery-day").wait_for()
    assert "4 rooms" in page.locator(".event-list").inner_text()
    assert_accessible(page, "events list")
