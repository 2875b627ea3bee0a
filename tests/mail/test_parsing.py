"""Body decoding details: format=flowed, HTML conversion, and which parts count as attachments."""

from __future__ import annotations

from server.mail.inbound import Reason
from server.mail.inbound.parsing import html_to_text, unflow

from .inbox import RA_HEADERS, accepted, refused


def test_flowed_lines_join_and_fixed_lines_stay() -> None:
    text = "A long line that \nwraps here.\nA fixed line.\n-- \nsig"
    assert unflow(text, delsp=False) == "A long line that wraps here.\nA fixed line.\n-- \nsig"


def test_flowed_delsp_removes_the_soft_break_space() -> None:
    assert unflow("split-\nword and sp \nace", delsp=True) == "split-\nword and space"


def test_flowed_space_stuffing_is_undone() -> None:
    assert unflow("  - item\n From here", delsp=False) == " - item\nFrom here"


def test_flowed_quotes_join_only_at_the_same_depth() -> None:
    # A flowed line followed by another quote depth is kept as it stands, trailing space and all (RFC 3676 4.5).
    assert unflow("> one \n> two\n>> deep \n> shallow", delsp=False) == "> one two\n>> deep \n> shallow"


def test_delsp_flowed_message_end_to_end() -> None:
    body = "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\nWe can sh \nare the list.\n"
    assert accepted(RA_HEADERS + body.encode()).body == "We can share the list."


def test_html_conversion_drops_hidden_content() -> None:
    html = "<html><head><title>t</title><style>p{}</style></head><body><script>x()</script><p>Hi</p><noscript>n</noscript></body></html>"
    assert html_to_text(html).strip() == "Hi"


def test_html_that_lxml_refuses_has_no_text() -> None:
    assert html_to_text("<!-- only a comment -->").strip() == ""


def test_empty_plain_part_falls_back_to_html() -> None:
    body = (
        'Content-Type: multipart/alternative; boundary="b"\n\n'
        "--b\nContent-Type: text/plain; charset=utf-8\n\n\n"
        "--b\nContent-Type: text/html; charset=utf-8\n\n<p>Only in <i>HTML</i>.</p>\n"
        "--b--\n"
    )
    assert accepted(RA_HEADERS + body.encode()).body == "Only in HTML."


def test_forwarded_message_attached_is_left_out_by_name() -> None:
    body = (
        'Content-Type: multipart/mixed; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nSee the forwarded thread.\n"
        '--b\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="Original.eml"\n\n'
        "From: x@y.example\nSubject: old\n\nold body\n"
        "--b\nContent-Type: image/png\nContent-Disposition: inline\n\niVBORw0KGgo=\n"
        "--b--\n"
    )
    result = accepted(RA_HEADERS + body.encode())
    assert result.body == "See the forwarded thread."
    assert result.left_out == ("Original.eml", "unnamed image/png")


def test_a_million_short_lines_are_refused() -> None:
    result = refused(RA_HEADERS + b"Content-Type: text/plain\n\n" + b"a\n" * 1_000_000)
    assert result.reason == Reason.BODY_TOO_LONG


def test_html_only_outlook_reply_loses_its_header_block() -> None:
    html = (
        '<html><body><div class="WordSection1"><p class="MsoNormal">Thursday suits Camden.</p>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        '<p class="MsoNormal"><b>From:</b> Convene &lt;reply+abc@convene.example&gt;<br><b>Sent:</b> 03 March 2025 10:15<br>'
        "<b>To:</b> Ada<br><b>Subject:</b> [DVLA data API] Dates</p></div><p>When suits?</p></div></body></html>"
    )
    body = f"Content-Type: text/html; charset=utf-8\n\n{html}\n"
    assert accepted(RA_HEADERS + body.encode()).body == "Thursday suits Camden."
