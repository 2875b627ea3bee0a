"""The one renderer: nothing a user writes becomes active HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from server.domain.markdown import RENDERER_VERSION, render


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        "[x](vbscript:msgbox)",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    ],
)
def test_dangerous_input_comes_out_inert(source: str) -> None:
    """Parse the output as a browser would: no active elements, no event-handler
    attributes, and every link target is http(s) or mailto."""
    parser = _Elements()
    parser.feed(render(source).html)
    for tag, attrs in parser.elements:
        assert tag in {"p", "a", "em", "strong", "code", "br", "span"}, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in {"href", "src"}:
                assert (value or "").startswith(("http://", "https://", "mailto:")), value


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def test_allowed_links_render_with_safe_rel() -> None:
    html = render("see https://www.gov.uk and [mail](mailto:team@dh.example) and [x](http://a.example)").html
    assert '<a href="https://www.gov.uk" rel="nofollow noopener noreferrer">https://www.gov.uk</a>' in html
    assert '<a href="mailto:team@dh.example" rel="nofollow noopener noreferrer">mail</a>' in html
    assert '<a href="http://a.example" rel="nofollow noopener noreferrer">x</a>' in html


def test_chat_line_breaks_and_markdown_basics() -> None:
    assert render("one\ntwo").html == "<p>one<br>\ntwo</p>\n"
    assert render("**bold** _em_ `code`").html == "<p><strong>bold</strong> <em>em</em> <code>code</code></p>\n"


def test_mentions_only_match_members_and_escape_names() -> None:
    rendered = render("hi @**Ada <b>L</b>** and @**nobody**", {"ada <b>l</b>": 7})
    assert rendered.mentions == frozenset({7})
    assert '<span class="mention" data-user-id="7">@Ada &lt;b&gt;L&lt;/b&gt;</span>' in rendered.html
    assert "@<strong>nobody</strong>" in rendered.html


def test_renderer_version_is_stored_with_messages() -> None:
    assert isinstance(RENDERER_VERSION, int) and RENDERER_VERSION >= 1


def test_plain_prose_shortcut_renders_exactly_as_the_renderer_does() -> None:
    """``render`` skips the parser for plain prose (``markdown._PLAIN``); for every text
    the shortcut takes, the HTML must be what the full renderer produces."""
    import random

    from server.domain import markdown

    rng = random.Random(20261207)
    words = ["hello", "World", "co", "op", "1", "42x", "café", "Ωmega", "naïve", "e", "g", "www", "com", "org", "http", "mailto", "I"]
    glue = [" ", "  ", ", ", "; ", "'", "? ", "! ", ". ", ".", ":", "@", "/", "-", "*", "_", "#", "<", ">", "&", '"', "\n", "\t", "`", "~"]
    samples = ["Hello world.", "e.g. this", "a. b", "Foo bar's baz?", "www. example. com", "x!y", "I 2 go!", "1. list", "Hi", "a  b"]
    for _ in range(4000):
        parts = [rng.choice(words)]
        for _ in range(rng.randint(0, 6)):
            parts += [rng.choice(glue), rng.choice(words)]
        if rng.random() < 0.3:
            parts.append(rng.choice([".", "?", "!", " ", ""]))
        samples.append("".join(parts))
    taken = 0
    for source in samples:
        if markdown._PLAIN.fullmatch(source):
            taken += 1
            assert render(source).html == markdown._MD.render(source, {"members": {}}), source
            assert render(source).mentions == frozenset()
    assert taken > 500  # the shortcut was exercised, not just the fallback
