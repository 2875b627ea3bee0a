"""The Authentication-Results reader: authserv-id and method results, comments and quoting handled."""

from __future__ import annotations

import pytest

from server.mail.inbound.authresults import parse_auth_results


def test_microsoft_style_header() -> None:
    parsed = parse_auth_results(
        "mx.convene.example 1; spf=pass (sender IP is 203.0.113.9) smtp.mailfrom=camden.gov.uk;"
        " dkim=pass (signature was verified) header.d=camden.gov.uk;dmarc=pass action=none header.from=camden.gov.uk;"
        "compauth=pass reason=100"
    )
    assert parsed is not None
    assert parsed.authserv_id == "mx.convene.example"
    assert parsed.results == (("spf", "pass"), ("dkim", "pass"), ("dmarc", "pass"), ("compauth", "pass"))


def test_comments_quotes_versions_and_case() -> None:
    parsed = parse_auth_results(
        'MX.Convene.Example (our; receiver) ; dkim/1 = pass header.d="a;b"; DMARC=FAIL (p=reject; dis=none) header.from=x.org'
    )
    assert parsed is not None
    assert parsed.authserv_id == "mx.convene.example"
    assert parsed.result_of("dmarc") == ("fail",)
    assert parsed.result_of("dkim") == ("pass",)


def test_quoted_authserv_id() -> None:
    parsed = parse_auth_results('"mx.convene.example"; dmarc=fail')
    assert parsed is not None and parsed.authserv_id == "mx.convene.example"


def test_no_result() -> None:
    parsed = parse_auth_results("mx.convene.example; none")
    assert parsed is not None and parsed.results == ()


@pytest.mark.parametrize(
    "value", ["", "   ", "; dmarc=fail", "mx (unclosed comment; dmarc=fail", 'mx; dmarc="unclosed', "mx) ; dmarc=fail"]
)
def test_unreadable_headers_yield_nothing(value: str) -> None:
    assert parse_auth_results(value) is None


def test_a_segment_without_a_result_is_skipped() -> None:
    parsed = parse_auth_results("mx.convene.example; dmarc; dmarc=; spf=pass")
    assert parsed is not None and parsed.results == (("spf", "pass"),)
