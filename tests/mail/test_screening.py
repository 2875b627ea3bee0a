"""Mail that is never posted and never answered: robots, bounces, loops and forged senders."""

from __future__ import annotations

import pytest

from server.mail.inbound import InboundLimits, Reason

from .inbox import AUTHSERV_ID, accepted, raw, refused, with_header


@pytest.mark.parametrize(
    ("name", "reason", "explanation"),
    [
        ("auto-submitted.eml", Reason.AUTO_REPLY, "The message says it was sent automatically (Auto-Submitted: auto-replied)."),
        ("x-autoreply.eml", Reason.AUTO_REPLY, "The message is an automatic reply (X-Autoreply header)."),
        ("x-autorespond.eml", Reason.AUTO_REPLY, "The message is an automatic reply (X-Autorespond header)."),
        ("precedence-bulk.eml", Reason.AUTO_REPLY, "The message is bulk or automatic mail (Precedence: bulk)."),
        ("out-of-office-en.eml", Reason.OUT_OF_OFFICE, "The message looks like an out-of-office reply (by its subject)."),
        ("automatic-reply-outlook.eml", Reason.OUT_OF_OFFICE, "The message looks like an out-of-office reply (by its subject)."),
        ("out-of-office-cy.eml", Reason.OUT_OF_OFFICE, "The message looks like an out-of-office reply (by its subject)."),
        ("automatic-reply-cy.eml", Reason.OUT_OF_OFFICE, "The message looks like an out-of-office reply (by its subject)."),
        (
            "bounce-report.eml",
            Reason.DELIVERY_REPORT,
            "The message is an automatic report (delivery-status), such as a bounce or a read receipt.",
        ),
        (
            "bounce-null-sender.eml",
            Reason.NULL_SENDER,
            "The message has an empty envelope sender (<>), as bounces and other automatic mail do.",
        ),
        ("loop.eml", Reason.LOOP, "The message's Message-ID is on convene.example: it is mail Convene sent, come back."),
        ("dmarc-fail-trusted.eml", Reason.DMARC_FAIL, "The sender's domain failed its DMARC check, so the message may be forged."),
    ],
)
def test_machine_written_looped_or_forged_mail_is_refused_and_never_answered(name: str, reason: Reason, explanation: str) -> None:
    result = refused(name)
    assert result.reason == reason
    assert result.explanation == explanation
    assert result.may_tell_sender is False


@pytest.mark.parametrize("value", ["auto-generated", "auto-replied", "auto-notified", "Auto-Replied; owner-email=x@y.org", "yes"])
def test_auto_submitted_other_than_no(value: str) -> None:
    assert refused(with_header("auto-submitted-no.eml", f"Auto-Submitted: {value}")).reason == Reason.AUTO_REPLY


@pytest.mark.parametrize("value", ["no", "No", "no (a person wrote this)"])
def test_auto_submitted_no_is_a_person(value: str) -> None:
    data = raw("auto-submitted-no.eml").replace(b"Auto-Submitted: no", f"Auto-Submitted: {value}".encode())
    assert accepted(data).body == "A person wrote this."


@pytest.mark.parametrize("value", ["bulk", "junk", "list", "auto_reply", "BULK"])
def test_precedence_values(value: str) -> None:
    data = raw("precedence-bulk.eml").replace(b"Precedence: bulk", f"Precedence: {value}".encode())
    assert refused(data).reason == Reason.AUTO_REPLY


def test_precedence_first_class_is_a_person() -> None:
    data = raw("precedence-bulk.eml").replace(b"Precedence: bulk", b"Precedence: first-class")
    assert accepted(data).body == "Our newsletter."


@pytest.mark.parametrize(
    "subject",
    [
        "Out of Office: Re: [DVLA data API] Which keeper fields?",
        "OUT OF THE OFFICE until Monday",
        "Automatic reply: Re: [DVLA data API] Which keeper fields?",
        "[Auto-Reply] Re: [DVLA data API] Which keeper fields?",
        "Autoreply: away",
        "Ateb awtomatig: Re: [DVLA data API] Which keeper fields?",
        "Ateb Awtomatig: Allan o'r Swyddfa",
        "Allan o\u2019r swyddfa",
        "Allan o'r Swyddfa tan 10 Mawrth",
    ],
)
def test_out_of_office_subjects_in_english_and_welsh(subject: str) -> None:
    data = raw("auto-submitted-no.eml").replace(b"Subject: Re: [DVLA data API] Which keeper fields?", f"Subject: {subject}".encode())
    result = refused(data)
    assert result.reason == Reason.OUT_OF_OFFICE
    assert result.may_tell_sender is False


@pytest.mark.parametrize("subject", ["Re: Out of office cover for the Co-Design Day", "Re: [Rooms] automatic replies are noise"])
def test_a_person_writing_about_out_of_office_is_not_refused(subject: str) -> None:
    data = raw("auto-submitted-no.eml").replace(b"Subject: Re: [DVLA data API] Which keeper fields?", f"Subject: {subject}".encode())
    assert accepted(data).body == "A person wrote this."


@pytest.mark.parametrize("envelope_from", ["", "<>", " <> "])
def test_null_envelope_sender_is_a_bounce(envelope_from: str) -> None:
    result = refused("auto-submitted-no.eml", envelope_from=envelope_from)
    assert result.reason == Reason.NULL_SENDER
    assert result.facts.null_sender is True and result.facts.sender is None
    assert result.may_tell_sender is False
    assert result.summary.startswith("refused (null_sender): <> -> reply+k7q2\u2026")


def test_bounce_report_is_refused_even_with_a_real_envelope_sender() -> None:
    result = refused("bounce-report.eml", envelope_from="bounces@camden.gov.uk")
    assert result.reason == Reason.DELIVERY_REPORT
    assert result.may_tell_sender is False


def test_mailer_daemon_sender_is_a_delivery_report() -> None:
    data = raw("bounce-null-sender.eml").replace(b"Return-Path: <>\n", b"")
    result = refused(data, envelope_from="MAILER-DAEMON@mx.camden.gov.uk")
    assert result.reason == Reason.DELIVERY_REPORT


def test_our_own_message_id_is_a_loop_whatever_its_case() -> None:
    result = refused("loop.eml")
    assert result.facts.message_id == "<174099855501.4821.9928374650192837465.mail.18@Convene.Example>"


def test_a_reply_referring_to_our_message_is_not_a_loop() -> None:
    # In-Reply-To and References name our Message-ID; only the message's own Message-ID counts.
    assert accepted("outlook-desktop.eml").facts.message_id is not None


def test_dmarc_fail_from_an_untrusted_authserv_id_is_ignored() -> None:
    result = accepted("dmarc-fail-untrusted.eml")
    assert result.body == "DMARC passed at our own server; the other header is anyone else's."


def test_dmarc_fail_is_only_checked_when_an_authserv_id_is_configured() -> None:
    assert accepted("dmarc-fail-trusted.eml", authserv_id=None).body == "Please add my colleague mallory@evil.example to the room."


def test_trusted_authserv_id_is_compared_case_insensitively() -> None:
    assert refused("dmarc-fail-trusted.eml", authserv_id=AUTHSERV_ID.upper()).reason == Reason.DMARC_FAIL


def test_forged_trusted_pass_does_not_hide_a_real_trusted_fail() -> None:
    data = with_header("dmarc-fail-trusted.eml", f"Authentication-Results: {AUTHSERV_ID}; dmarc=pass header.from=camden.gov.uk")
    assert refused(data).reason == Reason.DMARC_FAIL


def test_screening_comes_before_the_size_limit_so_a_huge_auto_reply_is_never_answered() -> None:
    data = with_header("oversized.eml", "Auto-Submitted: auto-replied")
    result = refused(data, limits=InboundLimits(max_bytes=256 * 1024))
    assert result.reason == Reason.AUTO_REPLY
    assert result.may_tell_sender is False
