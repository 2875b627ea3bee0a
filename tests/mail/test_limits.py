"""Size, parts, nesting, body length and broken MIME: each refused with its reason, never a traceback."""

from __future__ import annotations

import random

import pytest

from server.mail.inbound import Accepted, InboundLimits, Reason, Refused

from .inbox import RA_HEADERS, accepted, raw, read, refused


def test_oversized_message_is_refused_and_the_sender_may_be_told() -> None:
    result = refused("oversized.eml", limits=InboundLimits(max_bytes=256 * 1024))
    assert result.reason == Reason.TOO_LARGE
    assert result.explanation == "The message is 0.4 MB; replies by email can be at most 0.2 MB."
    assert result.may_tell_sender is True
    assert result.facts.sender == "ada.lovelace@camden.gov.uk"
    assert result.facts.message_id == "<oversized.20250303@camden.gov.uk>"


def test_the_same_message_under_the_default_limit_posts_and_names_its_attachment() -> None:
    result = accepted("oversized.eml")
    assert result.body == "The full scan of our paper form is attached."
    assert result.left_out == ("scan.pdf",)


def test_default_limit_is_ten_megabytes() -> None:
    assert InboundLimits().max_bytes == 10 * 1024 * 1024
    padding = b"X" * 76 + b"\n"
    data = raw("auto-submitted-no.eml") + padding * (10 * 1024 * 1024 // len(padding) + 1)
    result = refused(data)
    assert result.reason == Reason.TOO_LARGE
    assert result.explanation == "The message is 10.0 MB; replies by email can be at most 10.0 MB."


def test_hundreds_of_parts() -> None:
    result = refused("many-parts.eml")
    assert result.reason == Reason.TOO_MANY_PARTS
    assert result.explanation == "The message has at least 101 parts; at most 100 are accepted."
    assert result.may_tell_sender is True


def test_parts_are_counted_exactly_after_parsing() -> None:
    # Under the scan's count but over the limit once the tree is walked: 1 root + 1 text + 300 attachments.
    result = refused("many-parts.eml", limits=InboundLimits(max_parts=301))
    assert result.reason == Reason.TOO_MANY_PARTS
    assert accepted("many-parts.eml", limits=InboundLimits(max_parts=302)).left_out[:2] == ("part-000.txt", "part-001.txt")


def test_deep_nesting() -> None:
    result = refused("deep-nesting.eml")
    assert result.reason == Reason.TOO_DEEP
    assert result.explanation == "The message's parts are nested more than 10 deep."
    assert accepted("deep-nesting.eml", limits=InboundLimits(max_depth=12)).body == "Deep inside."


def test_thousands_of_nested_parts_are_refused_quickly_without_recursing() -> None:
    levels = 5000
    opening = "".join(f'Content-Type: multipart/mixed; boundary="n{i}"\n\n--n{i}\n' for i in range(levels))
    closing = "".join(f"\n--n{i}--\n" for i in reversed(range(levels)))
    data = RA_HEADERS + (opening + "Content-Type: text/plain\n\nhi\n" + closing).encode()
    result = refused(data)  # a recursive walk would raise RecursionError here
    assert result.reason == Reason.TOO_MANY_PARTS


def test_nesting_by_attached_messages_is_limited_too() -> None:
    inner = "Content-Type: text/plain\n\nhi\n"
    for _ in range(40):
        inner = "Content-Type: message/rfc822\n\nFrom: a@b.example\nSubject: fwd\n" + inner
    result = refused(RA_HEADERS + inner.encode(), limits=InboundLimits(max_depth=10, max_parts=100))
    assert result.reason == Reason.TOO_DEEP


def test_body_longer_than_the_message_limit() -> None:
    result = refused("gmail-wrapped.eml", limits=InboundLimits(max_body_chars=100))
    assert result.reason == Reason.BODY_TOO_LONG
    assert result.explanation == "The reply is 163 characters long; messages can be at most 100."
    assert result.may_tell_sender is True
    # The quoted history does not count against the limit: only what would be posted.
    assert accepted("gmail-wrapped.eml", limits=InboundLimits(max_body_chars=163)).body.endswith("then we ask DVLA")


def test_a_long_reply_with_a_long_history_is_measured_by_the_reply() -> None:
    reply = "word " * 1900
    history = "".join(f"> quoted line {i}\n" for i in range(20_000))
    data = RA_HEADERS + f"Content-Type: text/plain\n\n{reply}\n\nOn Mon, 3 Mar 2025 at 10:15, Convene wrote:\n\n{history}".encode()
    assert accepted(data).body == reply.rstrip()
    over = RA_HEADERS + f"Content-Type: text/plain\n\n{reply * 2}\n\n{history}".encode()
    assert refused(over).reason == Reason.BODY_TOO_LONG


def test_multipart_whose_boundary_never_appears_is_malformed() -> None:
    result = refused("malformed-no-boundary.eml")
    assert result.reason == Reason.MALFORMED
    assert result.explanation == "The message says it has several parts but they could not be found."
    assert result.may_tell_sender is True


def test_multipart_without_a_boundary_parameter_is_malformed() -> None:
    data = raw("malformed-no-boundary.eml").replace(b'; boundary="declared-but-absent"', b"")
    assert refused(data).reason == Reason.MALFORMED


def test_broken_headers_padding_and_html_are_read_leniently() -> None:
    result = accepted("malformed-lenient.eml")
    assert result.body == "Broken padding, still readable."
    assert result.facts.subject == "Re: [DVLA data API] Which keeper fields? =?bogus?X?zzz?="
    assert result.facts.sender == "ada.lovelace@camden.gov.uk"


def test_attachment_only_has_no_text() -> None:
    result = refused("attachment-only.eml")
    assert result.reason == Reason.NO_TEXT
    assert result.may_tell_sender is True


def test_reply_with_nothing_above_the_quote_is_empty() -> None:
    result = refused("empty-reply.eml")
    assert result.reason == Reason.EMPTY
    assert result.explanation == "No reply was found above the quoted message."


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\r\n\r\n",
        b"not an email at all",
        b"\x00\xff\xfe" * 1000,
        b"From: \xff\xfe\r\nTo: \x00reply+abc@convene.example\r\n\r\nbody",
        b'Content-Type: multipart/mixed; boundary="\r\n\r\n--\r\n--',
        b'Content-Type: text/plain; charset="\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!',
        b"From: =?utf-8?q?=E2=80?= <@>\r\nTo: =?x?b?====?= <reply+@convene.example>\r\n\r\n",
    ],
    ids=["empty", "blank", "prose", "binary", "nul-headers", "empty-boundary", "bad-charset", "encoded-words"],
)
def test_garbage_gives_a_refusal_never_a_traceback(data: bytes) -> None:
    assert isinstance(read(data), Refused)


def test_random_bytes_never_raise() -> None:
    rng = random.Random(8)
    base = raw("outlook-desktop.eml")
    for _ in range(200):
        mutated = bytearray(base)
        for _ in range(rng.randint(1, 40)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        assert isinstance(read(bytes(mutated)), Accepted | Refused)


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_parts must be at least 1"):
        InboundLimits(max_parts=0)


def test_a_huge_quoted_history_is_kept_for_the_author_up_to_a_limit_that_says_so() -> None:
    from server.mail.inbound.reading import MAX_TRIMMED_CHARS

    history = "".join(f"> line {n} of a very long thread quoted in full\n" for n in range(10_000))
    message = RA_HEADERS + b"Content-Type: text/plain; charset=utf-8\n\nYes.\n\nOn Mon, 3 Mar 2025 at 10:15, C <c@x.example> wrote:\n"
    result = accepted(message + history.encode())
    assert result.body == "Yes."
    assert len(result.trimmed) <= MAX_TRIMMED_CHARS + 100
    assert result.trimmed.startswith("On Mon, 3 Mar 2025") and result.trimmed.endswith("of quoted history were not kept]")
