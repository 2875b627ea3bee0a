"""The reply corpus through the inbound reader: every case lands exactly, and nothing it cuts is lost.

The corpus (``tests/mail/replies``) is replies as real clients write them, in the languages
Convene's partners use; ``read_inbound`` is the whole pure path of a message (headers,
MIME, charset, HTML to text, trimming). A representative subset also goes through the
database pipeline in ``tests/domain/test_inbound_corpus.py``.
"""

from __future__ import annotations

from collections import Counter

import pytest

from server.mail.inbound import Accepted
from server.mail.inbound.parsing import html_to_text

from .inbox import DOMAIN, TOKEN, read
from .reply_corpus import Case, as_mail, load

CASES = load()
CLIENTS = {
    "Outlook desktop",
    "Outlook web",
    "Outlook mobile",
    "Gmail web",
    "Gmail mobile",
    "Apple Mail",
    "iOS Mail",
    "Android",
    "Thunderbird",
    "Yahoo Mail",
    "Zoho Mail",
    "Windows Mail",
}


def test_the_corpus_covers_languages_clients_formats_and_styles() -> None:
    assert len(CASES) >= 150
    assert len({case.id for case in CASES}) == len(CASES), "case ids are unique"
    languages = Counter(case.lang for case in CASES)
    assert len(languages) >= 12 and languages["cy"] >= 5
    assert {case.client for case in CASES} >= CLIENTS
    assert {case.format for case in CASES} == {"text", "html"}
    assert {case.style for case in CASES} == {"top", "bottom", "inline"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_reply_lands_exactly(case: Case) -> None:
    result = read(as_mail(case, token=TOKEN, domain=DOMAIN))
    assert isinstance(result, Accepted), result.summary
    assert result.body == case.lands


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_what_is_cut_is_kept_for_the_author(case: Case) -> None:
    """Every line of the text is either posted or among what was trimmed (nothing silently lost)."""
    result = read(as_mail(case, token=TOKEN, domain=DOMAIN))
    assert isinstance(result, Accepted)
    text = html_to_text(case.message) if case.format == "html" else case.message
    posted = result.body.split("\n")
    trimmed = result.trimmed.split("\n")
    for line in text.split("\n"):
        line = line.rstrip()
        if line.strip():
            assert line in posted or line in trimmed, line
    assert result.trimmed.strip(), "every corpus reply has history or a signature to trim"
