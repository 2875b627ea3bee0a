"""The reply corpus (tests/mail/replies/*.yaml): replies as each mail client writes them, with the text that must land.

Each file is one client (or names each case's ``client``); each case has an ``id``, a language (``lang``, an ISO 639-1 code),
how it was posted (``style``: top, bottom or inline), the body as the client sends it
(``message``; ``format: html`` for HTML-only mail), and ``lands``, exactly the text that
must be posted. ``as_mail`` wraps a case in the headers of a reply to a Convene reply
address, as the client would send it (UTF-8, 8bit).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

REPLIES = Path(__file__).parent / "replies"
STYLES = frozenset({"top", "bottom", "inline"})
FORMATS = frozenset({"text", "html"})


@dataclass(frozen=True)
class Case:
    id: str
    client: str
    lang: str
    style: str
    format: str
    message: str
    lands: str


def load() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(REPLIES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["cases"]:
            case = Case(
                id=str(item["id"]),
                client=str(item.get("client", data.get("client"))),
                lang=str(item["lang"]),
                style=str(item["style"]),
                format=str(item.get("format", "text")),
                message=str(item["message"]),
                lands=str(item["lands"]),
            )
            assert case.style in STYLES and case.format in FORMATS, f"{path.name}: {case.id}"
            cases.append(case)
    return cases


def as_mail(case: Case, *, token: str, domain: str, sender: str = "ada.lovelace@camden.gov.uk") -> bytes:
    kind = "html" if case.format == "html" else "plain"
    head = (
        f"From: Ada Lovelace <{sender}>\r\n"
        f"To: <reply+{token}@{domain}>\r\n"
        "Subject: Re: [Room] Thread\r\n"
        f"Message-ID: <{case.id}@corpus.example>\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: text/{kind}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    )
    return (head + case.message.replace("\n", "\r\n")).encode("utf-8")
