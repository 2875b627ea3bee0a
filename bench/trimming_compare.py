"""Convene's reply trimmer beside the reply-parsing libraries on PyPI, on the reply corpus.

``python -m bench.trimming_compare`` runs every case of ``tests/mail/replies`` through each
trimmer and writes the table to ``docs/reply-trimming.md``; ``--check`` only compares the
counts with the table already written (the test suite does that, so the table cannot go
stale). Each trimmer gets the same input: the text Convene's reader hands its trimmer (the
text/plain body, or the HTML-only body turned into text by ``html_to_text``). A case counts
only when the output, with trailing spaces and leading and trailing blank lines dropped,
is exactly the text that must land.

The libraries, pinned in the ``bench`` extra:

- quotequail (maintained; Convene uses it inside its trimmer): ``quote()``, the parts it shows expanded joined;
- mail-parser-reply (maintained, several languages): ``EmailReplyParser(languages=all).parse_reply()``;
- email-reply-parser (GitHub's Ruby library ported; last release 2020): ``EmailReplyParser.parse_reply()``;
- email-reply-extractor (maintained): ``extract_new_text()`` (stage 1, which keeps signatures by
  design), and with ``clean_for_scoring()`` after it (stage 2, which strips sign-offs and greetings).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import quotequail  # type: ignore[import-untyped]
from email_reply_extractor import clean_for_scoring, extract_new_text  # type: ignore[import-untyped]
from email_reply_parser import EmailReplyParser as GitHubReplyParser  # type: ignore[import-untyped]
from mailparser_reply import EmailReplyParser as MultilingualReplyParser  # type: ignore[import-untyped]
from mailparser_reply.constants import MAIL_LANGUAGES  # type: ignore[import-untyped]

from server.mail.inbound import Accepted, read_inbound
from server.mail.inbound.limits import InboundLimits
from server.mail.inbound.parsing import html_to_text
from server.mail.inbound.signatures import signature_start
from tests.mail.reply_corpus import Case, as_mail, load

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reply-trimming.md"
DOMAIN = "convene.example"
TOKEN = "k7q2m4xw5ztr3vha6ncy2pdl4e"
_TABLE_START = "<!-- table: written by python -m bench.trimming_compare -->"
_TABLE_END = "<!-- end of table -->"


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip("\n")


def convene(case: Case) -> str:
    """The whole reader, as a door calls it: headers, MIME, charset, HTML to text, trimming."""
    result = read_inbound(
        as_mail(case, token=TOKEN, domain=DOMAIN),
        envelope_from=None,
        envelope_to=[],
        limits=InboundLimits(),
        authserv_id=None,
        our_domain=DOMAIN,
    )
    return result.body if isinstance(result, Accepted) else ""


def text_of(case: Case) -> str:
    return html_to_text(case.message) if case.format == "html" else case.message


def with_quotequail(text: str) -> str:
    return "\n".join(part for shown, part in quotequail.quote(text, quote_intro_line=True) if shown)


_MULTILINGUAL = MultilingualReplyParser(languages=sorted(MAIL_LANGUAGES))


def with_mail_parser_reply(text: str) -> str:
    return str(_MULTILINGUAL.parse_reply(text) or "")


def with_email_reply_parser(text: str) -> str:
    return str(GitHubReplyParser.parse_reply(text) or "")


def with_extractor(text: str) -> str:
    return str(extract_new_text(text).text or "")


def with_extractor_cleaned(text: str) -> str:
    return str(clean_for_scoring(extract_new_text(text).text or "").text or "")


def with_convene_signatures(run: Callable[[str], str]) -> Callable[[str], str]:
    """A library's cut of the history, then Convene's signature rules on what it kept: the combination."""

    def combined(text: str) -> str:
        lines = normalise(run(text)).split("\n")
        return "\n".join(lines[: signature_start(lines)])

    return combined


LIBRARIES: dict[str, Callable[[str], str]] = {
    "quotequail 0.5": with_quotequail,
    "mail-parser-reply 1.36": with_mail_parser_reply,
    "email-reply-parser 0.5": with_email_reply_parser,
    "email-reply-extractor 1.1 (stage 1)": with_extractor,
    "email-reply-extractor 1.1 (stages 1+2)": with_extractor_cleaned,
}
# Each library's history detection with Convene's signature rules after it (none of them cuts
# a signature without "-- " the way Convene must), to see whose quote detection wins where.
COMBINED: dict[str, Callable[[str], str]] = {
    f"{name} + Convene's signatures": with_convene_signatures(run)
    for name, run in LIBRARIES.items()
    if "stages 1+2" not in name
}


@dataclass(frozen=True)
class Score:
    name: str
    exact: int
    by_style: Counter[str]
    by_format: Counter[str]
    failures: list[str]


def score(cases: list[Case]) -> list[Score]:
    runners: dict[str, Callable[[Case], str]] = {"Convene": convene}
    for name, run in {**LIBRARIES, **COMBINED}.items():
        runners[name] = lambda case, run=run: run(text_of(case))  # type: ignore[misc]
    scores = []
    for name, runner in runners.items():
        by_style: Counter[str] = Counter()
        by_format: Counter[str] = Counter()
        failures = []
        for case in cases:
            try:
                out = normalise(runner(case))
            except Exception as error:  # a library that raises on a case fails that case
                out = f"<{type(error).__name__}>"
            if out == case.lands:
                by_style[case.style] += 1
                by_format[case.format] += 1
            else:
                failures.append(case.id)
        scores.append(Score(name, len(cases) - len(failures), by_style, by_format, failures))
    return scores


def table(cases: list[Case], scores: list[Score]) -> str:
    styles = Counter(case.style for case in cases)
    formats = Counter(case.format for case in cases)
    head = (
        f"| trimmer | exact (of {len(cases)}) | top-posted ({styles['top']}) | bottom-posted ({styles['bottom']}) "
        f"| inline ({styles['inline']}) | plain text ({formats['text']}) | HTML only ({formats['html']}) |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
    )
    rows = "".join(
        f"| {s.name} | {s.exact} ({100 * s.exact / len(cases):.0f}%) | {s.by_style['top']} | {s.by_style['bottom']} "
        f"| {s.by_style['inline']} | {s.by_format['text']} | {s.by_format['html']} |\n"
        for s in scores
    )
    languages = Counter(case.lang for case in cases)
    clients = Counter(case.client for case in cases)
    summary = (
        f"{len(cases)} cases, {len(languages)} languages, {len(clients)} clients.\n\n"
        f"- languages: {', '.join(f'{lang} {n}' for lang, n in sorted(languages.items()))}\n"
        f"- clients: {', '.join(f'{client} {n}' for client, n in sorted(clients.items()))}\n\n"
    )
    return summary + head + rows


def write(doc: Path, text: str) -> None:
    current = doc.read_text(encoding="utf-8")
    start, end = current.index(_TABLE_START), current.index(_TABLE_END)
    doc.write_text(current[: start + len(_TABLE_START)] + "\n\n" + text + "\n" + current[end:], encoding="utf-8")


def written_table(doc: Path) -> str:
    current = doc.read_text(encoding="utf-8")
    start, end = current.index(_TABLE_START), current.index(_TABLE_END)
    return current[start + len(_TABLE_START) : end].strip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail when docs/reply-trimming.md is not the current result")
    parser.add_argument("--failures", action="store_true", help="list the cases each trimmer gets wrong")
    args = parser.parse_args(argv)
    cases = load()
    scores = score(cases)
    text = table(cases, scores)
    if args.failures:
        for s in scores:
            print(f"{s.name}: {', '.join(s.failures) or 'none'}")
    if args.check:
        if written_table(DOC) != text.strip("\n"):
            print("docs/reply-trimming.md is stale: run python -m bench.trimming_compare", file=sys.stderr)
            return 1
        return 0
    write(DOC, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

