"""Each charset and transfer encoding, declared rightly, wrongly or not at all."""

from __future__ import annotations

import pytest

from .inbox import accepted

TEXTS = {
    # Latin-1 label, 8bit body; 0x96 is read as Windows-1252's en dash, as browsers read such mail.
    "charset-iso-8859-1-8bit.eml": "Caf\u00e9 budget: \u00a35 a head \u2013 agreed.",
    "charset-windows-1252-qp.eml": "\u201cKeeper\u201d means the registered keeper \u2013 \u20ac0 for councils.",
    "charset-utf-8-base64.eml": "D\u0175r, t\u0177 a chw\u00e2l \u2013 ac emoji \U0001f389.",
    "charset-utf-8-8bit.eml": "Si\u00e2n\u2019s list:\n1. enw\n2. cyfeiriad",
    "charset-undeclared-8bit-utf-8.eml": "Na\u00efve question: does Gwynedd\u2019s \u00a3 figure include VAT?",
    "charset-undeclared-8bit-windows-1252.eml": "We\u2019ll pay \u00a312 \u2013 no more.",
    "charset-mislabelled-us-ascii.eml": "R\u00e9sum\u00e9 attached\u2026 no, pasted: \u201ckeeper\u201d only.",
    "charset-unknown-label.eml": "Caf\u00e9 at ten.",
}


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", sorted(TEXTS))
def test_text_is_decoded_exactly(name: str, crlf: bool) -> None:
    assert accepted(name, crlf=crlf).body == TEXTS[name]


def test_no_replacement_characters_anywhere_in_the_corpus_replies() -> None:
    for name in TEXTS:
        assert "\ufffd" not in accepted(name).body
