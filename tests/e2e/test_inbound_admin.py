"""The administrators' inbound email page: refused and posted mail listed newest first,
filtered by outcome, accessible; other people are told the page is not for them."""

from __future__ import annotations

import time
import urllib.request

from server.mail.handoff import signature

from .conftest import assert_accessible

SECRET = "e2e-webhook-secret-0123456789"
SERVER_ENV = {"INBOUND_WEBHOOK_SECRET": SECRET, "MAIL_DOMAIN": "convene.example"}


def deliver(base_url: str, message: bytes) -> None:
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        base_url + "/api/v1/inbound-mail",
        data=message,
        method="POST",
        headers={"Content-Type": "message/rfc822", "X-Convene-Timestamp": stamp, "X-Convene-Signature": signature(SECRET, stamp, message)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_administrators_read_the_inbound_record(people, server):
    ada = people("Ada Admin", bypass_csp=True)
    ben = people("Ben Member")
    deliver(
        server.base_url,
        (
            f"From: Ben <{ben.email}>\r\nTo: <reply+{'a' * 26}@convene.example>\r\nSubject: Re: Parking data\r\n"
            "Message-ID: <e2e-1@example.gov.uk>\r\n\r\nIs this thing on?\r\n"
        ).encode(),
    )
    ada.goto("/")
    ada.page.get_by_role("link", name="Administration").click()
    ada.page.get_by_role("navigation", name="Administration").get_by_role("link", name="Inbound email").click()
    ada.page.wait_for_url("**/admin/inbound-mail")
    row = ada.page.locator("tr[data-outcome='refused']")
    row.wait_for()
    assert "reply address unknown" in row.inner_text() and "Re: Parking data" in row.inner_text()
    assert ada.page.title().startswith("Inbound email")
    assert_accessible(ada.page, "inbound email record")

    ada.page.get_by_label("Show").select_option("posted")
    ada.page.get_by_text("No inbound email recorded yet.").wait_for()
    assert ada.page.locator("tr[data-outcome]").count() == 0

    ben.goto("/admin/inbound-mail")
    ben.page.get_by_text("Only administrators can see this page.").wait_for()
    assert ben.page.get_by_role("link", name="Inbound email").count() == 0
