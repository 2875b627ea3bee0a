"""Readable from 320 px wide and at 200% zoom: no sideways scrolling (WCAG 1.4.10),
and still no axe violations at those sizes."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import assert_accessible, create_room, start_thread


def assert_reflows(page: Any, screen: str) -> None:
    """No horizontal scrolling (WCAG 1.4.10): the content fits the viewport's width."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{screen} scrolls sideways by {overflow}px at {page.viewport_size['width']}px wide"


@pytest.mark.parametrize("width,height", [(320, 640), (640, 400)], ids=["320px", "200%-zoom"])
def test_pages_reflow_without_sideways_scrolling(people, width: int, height: int):
    """320 px is a small phone; 640x400 is a 1280x800 laptop at 200% zoom."""
    ada = people("Ada Lovelace", "Royal Borough of Kensington and Chelsea", bypass_csp=True,
                 viewport={"width": width, "height": height})
    room = create_room(ada, "Temporary accommodation placements across London boroughs",
                       tags=["housing", "homelessness-prevention", "data-sharing-agreements"])
    thread = start_thread(ada, room, "A rather long thread title about placement data standards",
                          "See https://example.org/a/very/long/link/that/should/wrap/rather/than/scroll/sideways/at/all/widths "
                          "and `a_long_identifier_in_code_that_also_needs_to_wrap_somewhere`.")
    page = ada.page
    for path, ready in [
        ("/", ".inbox:not([aria-busy])"),
        ("/rooms", ".room-card"),
        ("/search?q=placement", ".search-result"),
        ("/mentions", "h1"),
        ("/rooms/new", "main form"),
        (f"/r/{room['slug']}", ".member-list"),
        (f"/r/{room['slug']}/new", "main form"),
        (f"/r/{room['slug']}/t/{thread['id']}", ".message-body"),
        ("/accessibility", "h1"),
    ]:
        page.goto(ada.server.url(path))
        page.locator(ready).first.wait_for()
        assert_reflows(page, path)
        if path.endswith(f"/t/{thread['id']}") or path in ("/", "/rooms", "/search?q=placement"):
            assert_accessible(page, f"{path} at {width}x{height}")
