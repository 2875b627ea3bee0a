"""Fuzzing the inbound mail reader with hypothesis (issue 17, item 18).

``read_inbound`` takes whatever bytes a mail door received. Over generated messages
(headers of every kind the reader looks at, with hostile values; nested multiparts with
declared, missing and wrong boundaries; every transfer encoding and charsets real and
invented; raw bytes) and over mutations of the corpus of real clients' messages
(truncated, bytes flipped, line endings mixed, parts duplicated), it must:

* return a decision (accepted or refused with a reason), never raise;
* decide the same way twice (it is pure);
* keep an accepted body within the server's message limit;
* stay within time and memory bounds per message: under ``SECONDS`` of CPU, and a
  traced peak under ``MEMORY_FACTOR`` times the message plus ``MEMORY_FLOOR``.

The example counts keep the whole file at a few seconds; ``FUZZ_EXAMPLES`` raises them
for a longer hunt.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.mail.inbound import Accepted, InboundLimits, Refused, read_inbound

from .inbox import AUTHSERV_ID, CORPUS, DOMAIN, TOKEN

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
SECONDS = 1.0
MEMORY_FACTOR = 40
MEMORY_FLOOR = 4 * 1024 * 1024
LIMITS = InboundLimits(max_bytes=256 * 1024, max_parts=20, max_depth=6, max_body_chars=2_000)
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

ADDRESSES = st.sampled_from(
    [
        f"reply+{TOKEN}@{DOMAIN}",
        f"dvla-data-api@{DOMAIN}",
        f"REPLY+{TOKEN.upper()}@{DOMAIN.upper()}",
        f"reply+@{DOMAIN}",
        "someone@elsewhere.example",
        "ada@camden.gov.uk",
        '"Ada, \\"quoted\\"" <ada@camden.gov.uk>',
        "<>",
        "undisclosed-recipients:;",
        "=?utf-8?q?=E2=80=AE?= <x@y>",
        "",
    ]
)
HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Cc", "Delivered-To", "Return-Path", "Subject", "Message-ID", "In-Reply-To", "References",
        "Auto-Submitted", "X-Autoreply", "X-Autorespond", "Precedence", "X-Loop", "List-Id", "Authentication-Results",
        "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "Date", "X-Unknown",
    ]
)  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "=?utf-8?b?" + "QUFB" * 50 + "?=",
            "=?x-unknown?q?abc?=",
            "=?utf-8?q?=ZZ?=",
            "(" * 200 + ")" * 10,
            '"' * 99,
            "<" * 300,
            "a" * 2000,
            f"{AUTHSERV_ID}; dmarc=fail header.from=camden.gov.uk",
            f"{AUTHSERV_ID}; (unclosed comment dmarc=pass",
            "auto-replied",
            "bulk",
            "multipart/mixed; boundary=",
            'multipart/alternative; boundary="b"; charset=utf-8',
            "text/plain; charset=x-does-not-exist",
            "text/plain; charset=utf-7",
            "text/plain; format=flowed; delsp=yes",
            "text/html; charset=utf-16",
            "base64",
            "quoted-printable",
            "x-uuencode",
            "8bit",
        ]
    ),
)
CONTENT_TYPES = st.sampled_from(
    [
        "text/plain", "text/plain; charset=utf-8", "text/plain; charset=iso-8859-1", "text/plain; charset=utf-16",
        "text/plain; charset=x-invented", "text/plain; format=flowed; delsp=yes", "text/html; charset=utf-8",
        "text/html", "application/octet-stream", "image/png", "message/rfc822", "text/calendar", "",
    ]
)  # fmt: skip
ENCODINGS = st.sampled_from(["", "7bit", "8bit", "base64", "quoted-printable", "binary", "x-invented"])
BODY_BYTES = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"Thanks, that works.\n\nOn Mon, Ada wrote:\n> the question\n",
            b"=E2=80=99=\n=ZZ=\n" * 20,
            b"QUFB\n" * 40 + b"!!!",
            b"<p>Hi<script>alert(1)</script></p>" * 5,
            b"-- \nsignature\n",
            b"\x00\xff\xfe" * 100,
            b"begin 644 x\n#0V%T\n`\nend\n",
        ]
    ),
)


def _line(name: str, value: str) -> bytes:
    return f"{name}: {value}\n".encode("utf-8", "surrogatepass")


@st.composite
def parts(draw: st.DrawFn, depth: int = 0) -> bytes:
    """One MIME entity: a leaf, or a multipart of several (boundaries right or wrong)."""
    if depth < 4 and draw(st.booleans()):
        boundary = draw(st.sampled_from(["b", "==x==", "a" * 70, "", "b c", "-"]))
        declared = draw(st.sampled_from([boundary, boundary + "x", None]))
        sub = draw(st.sampled_from(["mixed", "alternative", "related", "digest", "report"]))
        header = f"Content-Type: multipart/{sub}" + (f'; boundary="{declared}"' if declared is not None else "") + "\n\n"
        children = draw(st.lists(parts(depth + 1), max_size=4))
        closing = draw(st.sampled_from([f"--{boundary}--\n", "", f"--{boundary}\n"]))
        return header.encode() + b"preamble\n" + b"".join(f"--{boundary}\n".encode() + child for child in children) + closing.encode()
    head = b""
    kind = draw(CONTENT_TYPES)
    if kind:
        head += _line("Content-Type", kind)
    encoding = draw(ENCODINGS)
    if encoding:
        head += _line("Content-Transfer-Encoding", encoding)
    if draw(st.booleans()):
        disposition = draw(st.sampled_from(["attachment", 'attachment; filename="a.pdf"', "inline", "inline; filename*=x''"]))
        head += _line("Content-Disposition", disposition)
    return head + b"\n" + draw(BODY_BYTES)


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    """A whole message: mostly addressed to us so the reader goes all the way to the body."""
    head = _line("From", draw(ADDRESSES)) + _line("To", draw(ADDRESSES))
    for name, value in draw(st.lists(st.tuples(HEADER_NAMES, HOSTILE_TEXT), max_size=8)):
        head += _line(name, value.replace("\n", " ").replace("\r", " "))
    if draw(st.booleans()):
        head += b"MIME-Version: 1.0\n"
    message = head + draw(parts())
    ending = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    if ending == "\r\n":
        message = message.replace(b"\n", b"\r\n")
    elif ending == "mixed":
        message = message.replace(b"\n\n", b"\r\n\n", 1)
    return message


def corpus() -> list[bytes]:
    return [path.read_bytes() for path in sorted(Path(CORPUS).glob("*.eml"))]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real client's message, damaged the ways transport and software damage mail."""
    data = bytearray(draw(st.sampled_from(corpus())))
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["truncate", "flip", "insert", "duplicate", "crlf", "drop_line"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if how == "truncate":
            del data[at:]
        elif how == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif how == "insert":
            data[at:at] = draw(st.sampled_from([b"\n", b"\r", b"\x00", b"--", b"=\n", b"\n\n", b"Content-Type: multipart/mixed\n"]))
        elif how == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 2000))]
        elif how == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        elif how == "drop_line":
            end = data.find(b"\n", at)
            del data[at : end if end >= 0 else len(data)]
    return bytes(data)


def decide(raw: bytes, envelope_from: str | None, envelope_to: list[str]) -> Accepted | Refused:
    return read_inbound(
        raw, envelope_from=envelope_from, envelope_to=envelope_to, limits=LIMITS, authserv_id=AUTHSERV_ID, our_domain=DOMAIN
    )


def check(raw: bytes, envelope_from: str | None = None, envelope_to: list[str] | None = None) -> None:
    envelope_to = envelope_to or []
    tracemalloc.start()
    started = time.process_time()
    try:
        result = decide(raw, envelope_from, envelope_to)
        spent = time.process_time() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, (Accepted, Refused)), result
    assert spent < SECONDS, f"{spent:.2f} s of CPU for a message of {len(raw)} bytes"
    assert peak < MEMORY_FACTOR * len(raw) + MEMORY_FLOOR, f"peak {peak} bytes for a message of {len(raw)} bytes"
    if isinstance(result, Accepted):
        assert result.body.strip() and len(result.body) <= LIMITS.max_body_chars
    assert decide(raw, envelope_from, envelope_to) == result  # pure: the same input, the same decision


@FUZZ
@given(raw=messages(), envelope_from=st.one_of(st.none(), st.just(""), ADDRESSES), to_us=st.booleans())
def test_generated_messages_get_a_decision_within_bounds(raw: bytes, envelope_from: str | None, to_us: bool) -> None:
    check(raw, envelope_from, [f"reply+{TOKEN}@{DOMAIN}"] if to_us else [])


@FUZZ
@given(raw=mutated(), to_us=st.booleans())
def test_damaged_real_messages_get_a_decision_within_bounds(raw: bytes, to_us: bool) -> None:
    check(raw, None, [f"reply+{TOKEN}@{DOMAIN}"] if to_us else [])


@FUZZ
@given(raw=st.binary(max_size=4096))
def test_raw_bytes_get_a_decision_within_bounds(raw: bytes) -> None:
    check(raw, "someone@elsewhere.example", [f"dvla-data-api@{DOMAIN}"])


@pytest.mark.parametrize(
    "raw",
    [
        b"From: a@b\nTo: reply+" + TOKEN.encode() + b"@" + DOMAIN.encode() + b"\nContent-Type: multipart/mixed; boundary=b\n\n"
        + b"--b\nContent-Type: multipart/mixed; boundary=b\n\n" * 3000,
        b"From: a@b\nTo: x@" + DOMAIN.encode() + b"\n" + b"X-H: v\n" * 20_000 + b"\nbody",
        b"From: a@b\nTo: x@" + DOMAIN.encode() + b"\nSubject: " + b"=?utf-8?q?" + b"=41" * 60_000 + b"?=\n\nbody",
    ],
    ids=["boundary-bomb", "header-flood", "encoded-word-flood"],
)  # fmt: skip
def test_messages_built_to_exhaust_stay_within_bounds(raw: bytes) -> None:
    check(raw, "someone@elsewhere.example")
