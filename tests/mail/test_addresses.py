"""Which of our addresses a message was sent to, and who sent it."""

from __future__ import annotations

import pytest

from server.mail.inbound import Reason, ReplyAddress, RoomAddress

from .inbox import TOKEN, accepted, raw, refused


def test_envelope_recipient_wins_over_headers() -> None:
    result = accepted("outlook-desktop.eml", envelope_to=["dvla-data-api@convene.example"])
    assert result.facts.destination == RoomAddress(slug="dvla-data-api")


def test_envelope_recipients_elsewhere_fall_back_to_headers() -> None:
    result = accepted("outlook-desktop.eml", envelope_to=["archive@camden.gov.uk"])
    assert result.facts.destination == ReplyAddress(token=TOKEN)


@pytest.mark.parametrize(
    "recipient",
    [
        f"REPLY+{TOKEN.upper()}@CONVENE.EXAMPLE",
        f"<Reply+{TOKEN}@Convene.Example>",
        f"reply+{TOKEN}@convene.example.",
    ],
)
def test_reply_token_is_lower_cased_whatever_a_server_did_to_it(recipient: str) -> None:
    result = accepted("outlook-desktop.eml", envelope_to=[recipient])
    assert result.facts.destination == ReplyAddress(token=TOKEN)
    assert result.facts.token == TOKEN


def test_reply_address_beats_room_address_in_the_same_source() -> None:
    result = accepted("outlook-desktop.eml", envelope_to=["dvla-data-api@convene.example", f"reply+{TOKEN}@convene.example"])
    assert result.facts.destination == ReplyAddress(token=TOKEN)


def test_delivered_to_names_the_room_when_it_was_bccd() -> None:
    result = accepted("delivered-to.eml")
    assert result.facts.destination == RoomAddress(slug="dvla-data-api")
    assert result.facts.subject == "Bcc'd to the room"


def test_cc_counts_when_to_does_not_name_us() -> None:
    headers = b"To: parking@leeds.gov.uk\nCc: DVLA Data API <DVLA-Data-API@convene.example>"
    data = raw("new-thread.eml").replace(b"To: dvla-data-api@convene.example", headers)
    assert accepted(data).facts.destination == RoomAddress(slug="dvla-data-api")


def test_malformed_reply_token_is_refused_and_may_be_told() -> None:
    result = refused("bad-reply-address.eml")
    assert result.reason == Reason.BAD_REPLY_ADDRESS
    assert result.explanation == "reply+k7q2m4xw5z!tr3v@convene.example is not a reply address Convene gave out."
    assert result.may_tell_sender is True


@pytest.mark.parametrize("envelope_to", [["reply+@convene.example"], ["reply+" + "a" * 257 + "@convene.example"]])
def test_empty_or_overlong_token_is_malformed(envelope_to: list[str]) -> None:
    assert refused("bad-reply-address.eml", envelope_to=envelope_to).reason == Reason.BAD_REPLY_ADDRESS


@pytest.mark.parametrize(
    ("name", "explanation"),
    [
        (
            "unknown-address.eml",
            "The message was sent to not.a.room@convene.example, which is neither a reply address nor a room's address.",
        ),
        ("other-domain.eml", "The message was not sent to any of Convene's addresses."),
    ],
)
def test_addresses_that_are_not_ours(name: str, explanation: str) -> None:
    result = refused(name)
    assert result.reason == Reason.UNKNOWN_ADDRESS
    assert result.explanation == explanation
    assert result.may_tell_sender is False
    assert result.facts.destination is None


@pytest.mark.parametrize("local", ["123", "-room", "room-", "a" * 81])
def test_local_parts_that_cannot_be_room_slugs(local: str) -> None:
    assert refused("unknown-address.eml", envelope_to=[f"{local}@convene.example"]).reason == Reason.UNKNOWN_ADDRESS


def test_sender_is_the_envelope_sender_when_known_and_from_is_kept_beside_it() -> None:
    facts = accepted("outlook-desktop.eml", envelope_from="<Ada.Lovelace@Camden.gov.uk>").facts
    assert facts.sender == "ada.lovelace@camden.gov.uk"
    facts = accepted("outlook-desktop.eml", envelope_from="prvs=0123456789=ada.lovelace@camden.gov.uk").facts
    assert facts.sender == "prvs=0123456789=ada.lovelace@camden.gov.uk"
    assert facts.from_address == "ada.lovelace@camden.gov.uk"


def test_sender_falls_back_to_from() -> None:
    facts = accepted("outlook-desktop.eml").facts
    assert facts.sender == facts.from_address == "ada.lovelace@camden.gov.uk"
    assert facts.null_sender is False


@pytest.mark.parametrize("name", ["no-from.eml", "two-froms.eml"])
def test_no_single_sender_is_refused_and_never_answered(name: str) -> None:
    result = refused(name)
    assert result.reason == Reason.NO_SENDER
    assert result.may_tell_sender is False


def test_an_envelope_sender_rescues_a_message_without_from() -> None:
    result = accepted("no-from.eml", envelope_from="ada.lovelace@camden.gov.uk")
    assert result.facts.sender == "ada.lovelace@camden.gov.uk"
    assert result.facts.from_address is None


def test_return_path_null_counts_when_the_door_knew_no_envelope() -> None:
    assert refused("bounce-null-sender.eml").reason == Reason.NULL_SENDER
    # A door that knew the envelope sender is believed over a Return-Path header.
    assert accepted("bounce-null-sender.eml", envelope_from="ada.lovelace@camden.gov.uk").body.startswith("Your message")


def test_facts_are_immutable_and_the_summary_hides_the_token() -> None:
    result = accepted("outlook-desktop.eml")
    with pytest.raises(AttributeError):
        result.facts.sender = "mallory@evil.example"  # type: ignore[misc]
    assert TOKEN not in result.summary
    assert result.summary.startswith("accepted: ada.lovelace@camden.gov.uk -> reply+k7q2\u2026, 3915 bytes")
    assert len(result.facts.fingerprint) == 64


def test_message_id_keeps_only_the_bracketed_id() -> None:
    data = raw("outlook-desktop.eml").replace(
        b"Message-ID: <LO2P265MB45671A2B3C4D5E6F7A8B9C0DA@LO2P265MB4567.GBRP265.PROD.OUTLOOK.COM>",
        b"Message-ID:  (Exchange) <id-1@camden.gov.uk> ",
    )
    assert accepted(data).facts.message_id == "<id-1@camden.gov.uk>"


def test_missing_message_id_leaves_the_fingerprint_as_key() -> None:
    data = raw("outlook-desktop.eml").replace(b"Message-ID: <LO2P265MB45671A2B3C4D5E6F7A8B9C0DA@", b"X-Old-Id: <")
    facts = accepted(data).facts
    assert facts.message_id is None
    assert facts.fingerprint == accepted(data).facts.fingerprint != accepted("outlook-desktop.eml").facts.fingerprint
