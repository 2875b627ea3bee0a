"""Trimming rules one by one, on text as the parsing step hands it over (lines joined by "\\n")."""

from __future__ import annotations

import pytest

from server.mail.inbound.trimming import trim_reply


def trim(text: str) -> str:
    return trim_reply(text, scan_chars=40_000)


MARKDOWN = (
    "Three points:\n"
    "\n"
    "1. **bold** and *emphasis* and _underscores_\n"
    "2. snake_case_name and 2 * 3 * 4\n"
    "   1. nested, indented three spaces\n"
    "\n"
    "- dash item\n"
    "+ plus item\n"
    "\n"
    "    four-space code block\n"
    "\n"
    "```\n"
    "fenced > not a quote\n"
    "```\n"
    "\n"
    "# not a heading in mail, but kept\n"
    "a | b\n"
    "--|--\n"
    "[link](https://example.org) \\* escaped as written"
)


def test_markdown_comes_through_exactly_as_written() -> None:
    assert trim(MARKDOWN) == MARKDOWN


def test_markdown_above_an_outlook_block() -> None:
    text = MARKDOWN + "\n\nFrom: Convene <reply+abc@convene.example>\nSent: 03 March 2025 10:15\nTo: Ada\nSubject: x\n\nold"
    assert trim(text) == MARKDOWN


@pytest.mark.parametrize(
    "history",
    [
        "From: Convene <reply+abc@convene.example>\nSent: 03 March 2025 10:15\nTo: Ada <ada@camden.gov.uk>\nSubject: [Room] Thread",
        "From: Convene <reply+abc@convene.example>\nDate: Monday, 3 March 2025 at 10:15\nTo: Ada\nSubject: [Room] Thread",
        "*From:* Convene <reply+abc@convene.example>\n*Sent:* 03 March 2025 10:15\n*To:* Ada",
        "________________________________\nFrom: Convene <reply+abc@convene.example>\nSent: Monday, March 3, 2025 10:15 AM",
        "_____________________________________________\nFrom: Convene\nSent: 03 March 2025 10:15",
        "-----Original Message-----\nFrom: Convene [mailto:reply+abc@convene.example]\nSent: 03 March 2025 10:15",
        "----- Original Message -----\nFrom: Convene",
        "Oddi wrth: Convene <reply+abc@convene.example>\nAnfonwyd: 03 Mawrth 2025 10:15\nAt: Siân\nPwnc: [Room] Thread",
        "________________________________\nOddi wrth: Convene <reply+abc@convene.example>\nAnfonwyd: dydd Llun, 3 Mawrth 2025 10:15",
        "-----Neges Wreiddiol-----\nOddi wrth: Convene",
        "On Mon, 3 Mar 2025 at 10:15, Convene <reply+abc@convene.example> wrote:\n> old",
        "On Mon, 3 Mar 2025 at 10:15, Convene <\nreply+abc@convene.example> wrote:\n> old",
        "On Mon, 3 Mar 2025 at 10:15, Convene <reply+abc@convene.example>\nwrote:\n> old",
        "On 3 Mar 2025, at 10:15, Convene <reply+abc@convene.example> wrote:\n\n> old",
        "> On 3 Mar 2025, at 10:15, Convene <reply+abc@convene.example> wrote:\n> \n> old",
        "On 03/03/2025 10:15, Convene wrote:\n> old",
        "Ar Llun, 3 Maw 2025 am 10:15, Convene <reply+abc@convene.example> ysgrifennodd:\n> hen",
        "Ar Llun, 3 Maw 2025 am 10:15, Convene <reply+abc@convene.example>\nysgrifennodd:\n> hen",
        "Begin forwarded message:\n\nFrom: Convene",
    ],
)
def test_history_is_cut(history: str) -> None:
    # Unquoted text under an attribution's quote is an answer (bottom-posting); under a header block it is history.
    more = "> more history" if "wrote:" in history or "ysgrifennodd:" in history else "more history"
    assert trim(f"Yes, Thursday works.\n\n{history}\n\n{more}\n") == "Yes, Thursday works."


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nAda Lovelace\nCamden Council",
        "\n--\nAda Lovelace",
        "Sent from my iPhone",
        "Sent from my iPad",
        "Sent from my Samsung Galaxy smartphone.",
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
        "Get Outlook for Android",
        "Sent from Outlook for iOS",
        "Sent from Mail for Windows",
        "Anfonwyd o fy iPhone",
    ],
)
def test_signatures_are_cut(signature: str) -> None:
    assert trim(f"Yes, Thursday works.\n\n{signature}\n") == "Yes, Thursday works."


def test_sent_from_only_goes_at_the_end() -> None:
    text = "Sent from my iPhone, this list:\n1. one\n2. two"
    assert trim(text) == text


def test_a_setext_heading_underline_is_not_a_signature() -> None:
    text = "Heading\n--\nbody"
    assert trim(text) == text


def test_a_lone_from_line_is_not_a_header_block() -> None:
    text = "From: the DVLA side, we can do this.\n\nTo: be confirmed."
    assert trim(text) == text


def test_a_trailing_quote_without_an_introduction_is_cut() -> None:
    assert trim("Yes, Thursday works.\n\n> old line one\n>\n> old line two\n") == "Yes, Thursday works."


def test_inline_quotes_in_the_middle_are_kept() -> None:
    text = "> Which fields?\nName and address.\n> When?\nThursday."
    assert trim(text) == text


def test_outlook_image_placeholders_are_dropped() -> None:
    assert trim("See you then.\n[cid:image001.png@01DB8C2D.5F1A2B30]\nAda") == "See you then.\nAda"


def test_leading_blank_lines_and_trailing_spaces_go() -> None:
    assert trim("\n\n  indented stays  \nline   \n\n") == "  indented stays\nline"


def test_only_history_gives_nothing() -> None:
    assert trim("On Mon, 3 Mar 2025 at 10:15, Convene wrote:\n> old") == ""


@pytest.mark.parametrize(
    "text",
    [
        "Thanks!",
        "Diolch yn fawr!",
        "Important: the room moved to 4.12.\n\nSee you there.",
        "This is confidential, please don't share it yet.\n\nThe budget is £40k.",
        "Here is the link:\n\nhttps://prototype.example.org/permits",
        "Call me on 07700 900461 if you need me.",
        "On Thursday I wrote to DVLA about this.\nNo answer yet.",
        "On 3 March I wrote\nand they answered on the 5th.",
        "Am 3. März schrieb ich an die DVLA.\nKeine Antwort bisher.",
        "Op 3 maart schreef ik de leverancier\nen die belde terug.",
        "Thanks, that works for Camden.\nAda",
        "Diolch am y nodiadau, maen nhw'n ddefnyddiol iawn i ni yng Ngwynedd.",
        "We met:\n\nFrom: 10:00\nTo: 12:00",
    ],
)
def test_what_only_looks_like_history_or_a_signature_stays(text: str) -> None:
    assert trim(text) == text


def test_what_is_cut_is_returned_in_order() -> None:
    from server.mail.inbound.trimming import trim as split

    text = (
        "See my answer below.\n\nOn Mon, 3 Mar 2025 at 10:15, Convene <r@c.example> wrote:\n> Q1?\n\nA1.\n\n"
        "> Unanswered.\n\nKind regards,\nAda\nT: 020 7974 1234\n"
    )
    result = split(text, scan_chars=40_000)
    assert result.body == "See my answer below.\n\n> Q1?\n\nA1."
    assert result.trimmed == (
        "On Mon, 3 Mar 2025 at 10:15, Convene <r@c.example> wrote:\n\n> Unanswered.\n\nKind regards,\nAda\nT: 020 7974 1234"
    )


def test_a_venue_or_number_alone_at_the_end_stays() -> None:
    for text in (
        "See you on Thursday at the usual place.\n\nMeeting room 4.12, 5 Pancras Square, London N1C 4AG",
        "If the door is locked, call reception.\n\n020 7974 4444",
    ):
        assert trim(text) == text
