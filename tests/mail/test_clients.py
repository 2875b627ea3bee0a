"""One message per mail client, as each writes a reply: exactly the text that should land."""

from __future__ import annotations

import pytest

from server.mail.inbound import ReplyAddress, RoomAddress

from .inbox import TOKEN, accepted

CLIENTS = {
    "outlook-desktop.eml": (
        "ada.lovelace@camden.gov.uk",
        "Hi all,\n"
        "\n"
        "Camden needs three fields from the keeper record:\n"
        "\n"
        "1. Keeper name\n"
        "2. Keeper address (*not* the registered address)\n"
        "3. VRM\n"
        "\n"
        "We don\u2019t use the V5C reference at all.",  # the sign-off, name and role are a signature
    ),
    "outlook-welsh.eml": (
        "sian.williams@gwynedd.llyw.cymru",
        "Bore da,\n\nMae Cyngor Gwynedd yn gofyn am enw a chyfeiriad y ceidwad yn unig.",
    ),
    "outlook-web.eml": (
        "ada.lovelace@camden.gov.uk",
        "We\u2019d pay \u00a30.10 per look-up at most \u2013 anything above that and we keep the paper form.\n\nAda",
    ),
    "outlook-mobile.eml": (
        "ada.lovelace@camden.gov.uk",
        "Agreed \u2013 let\u2019s take it to the next Co-Design Day.",
    ),
    "gmail-wrapped.eml": (
        "grace.hopper@leeds.gov.uk",
        "Two things from Leeds:\n"
        "\n"
        "* we need the _registered_ keeper, not the current one\n"
        "* the VRM comes from our ANPR cameras\n"
        "\n"
        "1. first we match the VRM\n"
        "2. then we ask DVLA",
    ),
    "gmail-welsh.eml": (
        "rhys.jones@gmail.com",
        "Cytuno. Byddwn ni\u2019n anfon y rhestr erbyn dydd Gwener.",
    ),
    "apple-mail.eml": (
        "margaret.hamilton@bristol.gov.uk",
        "Happy to host the next session in Bristol.\n\nNumbered as we agreed:\n1. Keeper name\n2. Keeper address\n\nMargaret",
    ),
    "ios-mail.eml": (
        "margaret.hamilton@bristol.gov.uk",
        "Yes \u2013 I\u2019ll bring the spreadsheet.",
    ),
    "android-gmail.eml": (
        "grace.hopper@leeds.gov.uk",
        "Sounds good, see you on Thursday \U0001f44d",
    ),
    "thunderbird.eml": (
        "alan.turing@manchester.gov.uk",
        "Our officers would want the data in the back office system, not a new portal. "
        "Could the API push to Northgate and Civica directly?\n"
        "\n"
        "  - Northgate: nightly batch\n"
        "  - Civica: real time",
    ),
}


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_each_client_reply_lands_trimmed_exactly(name: str, crlf: bool) -> None:
    sender, body = CLIENTS[name]
    result = accepted(name, crlf=crlf)
    assert result.body == body
    assert result.facts.sender == sender
    assert result.facts.destination == ReplyAddress(token=TOKEN)
    assert result.left_out == ()


def test_outlook_subject_and_message_id_are_kept_for_the_domain() -> None:
    facts = accepted("outlook-desktop.eml").facts
    assert facts.subject == "RE: [DVLA data API] Which keeper fields?"
    assert facts.message_id == "<LO2P265MB45671A2B3C4D5E6F7A8B9C0DA@LO2P265MB4567.GBRP265.PROD.OUTLOOK.COM>"
    assert facts.token == TOKEN and facts.room_slug is None


def test_outlook_signature_logo_is_not_listed_as_left_out() -> None:
    # image001.png sits in multipart/related beside the HTML body; the text part's "[cid:...]" stand-in is dropped too.
    result = accepted("outlook-desktop.eml")
    assert "cid:" not in result.body
    assert result.left_out == ()


def test_welsh_subject_encoded_word_is_decoded() -> None:
    assert accepted("outlook-welsh.eml").facts.subject == "ATB: [DVLA data API] Which keeper fields?"


def test_new_thread_by_email_to_a_room_address() -> None:
    result = accepted("new-thread.eml")
    assert result.facts.destination == RoomAddress(slug="dvla-data-api")
    assert result.facts.subject == "Keeper data: which fields does Leeds need?"
    assert result.facts.sender == "grace.hopper@leeds.gov.uk"
    assert result.body == "Starting a thread for the Leeds list.\n\n- keeper name\n- keeper address"


def test_attachments_are_named_not_kept() -> None:
    result = accepted("attachments.eml")
    assert result.body == "Our field list and the current form are attached."
    # The S/MIME signature is not something a person attached.
    assert result.left_out == ("Keeper fields v2.pdf", "ffurflen Gymraeg \u2013 ta\u0175.jpg")
    assert "2 attachment(s) left out" in result.summary


def test_html_only_reply_loses_script_style_and_quote() -> None:
    result = accepted("html-only-script.eml")
    assert result.body == (
        "We can share the keeper list & the [field guide](https://camden.gov.uk/fields).\n"
        "\n"
        " 1. Keeper name\n"
        " 2. Keeper address\n"
        "\n"
        "2 * 3 = 6, and snake_case stays."
    )
    for hidden in ("document.cookie", "alert", "font-family", "styled away", "Enable JavaScript", "Reply\n"):
        assert hidden not in result.body
