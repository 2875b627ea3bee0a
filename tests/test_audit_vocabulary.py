"""The audit page's list of actions (web/app/views/admin-audit.js) is the server's
vocabulary, in the same order, so every action can be filtered on."""

from __future__ import annotations

import re
from pathlib import Path

from server.vocabulary import AUDIT_ACTIONS

PAGE = Path(__file__).resolve().parent.parent / "web" / "app" / "views" / "admin-audit.js"


def test_the_audit_page_offers_every_action() -> None:
    declared = re.search(r"export const ACTIONS = \[(.*?)\];", PAGE.read_text(), re.S)
    assert declared is not None
    assert tuple(re.findall(r'"([a-z-]+)"', declared.group(1))) == AUDIT_ACTIONS
