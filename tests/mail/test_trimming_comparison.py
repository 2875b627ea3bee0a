"""The comparison in docs/reply-trimming.md is the current result, and Convene leads it.

Runs every corpus case through Convene's reader and through each library (about a second),
so the table can neither go stale nor claim a lead that the code has lost.
"""

from __future__ import annotations

from bench import trimming_compare

from .reply_corpus import load


def test_the_documented_table_is_current() -> None:
    assert trimming_compare.main(["--check"]) == 0, "run: python -m bench.trimming_compare"


def test_convene_is_exact_on_every_case_and_ahead_of_every_library_and_combination() -> None:
    cases = load()
    convene, *others = trimming_compare.score(cases)
    assert convene.name == "Convene" and convene.exact == len(cases), convene.failures
    assert others and all(other.exact < convene.exact for other in others)
