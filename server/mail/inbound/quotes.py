"""Where quoted history starts in a reply: attribution lines, Outlook-style header blocks, separators.

Mail clients introduce the message they quote in one of three ways, each in the language
of the person replying:

- an attribution line, "On <date>, <name> wrote:" (Gmail, Apple Mail, Thunderbird, Yahoo,
  Android), which may be wrapped over two or three lines, may lose its colon, and which
  Zoho puts between dashes ("---- On ... wrote ----");
- a header block, "From: / Sent: / To: / Subject:" (Outlook desktop, web and mobile,
  Hotmail, Windows Mail), with ``*bold*`` markers when the HTML was turned into text, and
  often a rule line above it;
- a separator, "-----Original Message-----", "---------- Forwarded message ---------",
  "Begin forwarded message:" and their translations.

An attribution may be followed by ``>`` quotes and then more of the author's text (a reply
under the quote, or answers between quoted lines); the other two always end the author's
part. The patterns are the languages Convene's partners write in (English, Welsh, French,
German, Italian, Polish, Ukrainian, Russian, Swedish, Danish, Norwegian, Finnish, Spanish,
Portuguese, Dutch); an attribution must hold a digit or an "@" (every client writes a date
or an address), so a sentence that merely ends in "wrote" is not one; one without its colon counts
only above a quote or with an address in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

_QUOTE_PREFIX = r"^(?:>[ \t]?)*[ \t]*"

# The whole attribution, once its lines are joined by single spaces and Zoho's dashes are gone.
_ATTRIBUTIONS = [
    r"On\b.{4,300}\b(?:wrote|writes|said)[ \t]*:?",  # English: Gmail, Apple, Thunderbird, Yahoo, Android
    r"On\b.{4,300}\bwrote:[ \t]{2,}.*",  # Yahoo on Android runs the quote on after the attribution
    r".{1,200}\b(?:wrote|writes)[ \t]*:",  # "Ada Lovelace <ada@...> wrote:"
    r"Le\b.{4,300}\ba [ée]crit[ \t\u00a0]*:?",  # French
    r"Am\b.{4,300}\bhat\b.{1,300}\bFolgendes geschrieben[ \t]*:",  # German Yahoo
    r"Am\b.{4,300}\bschrieb\b.{0,300}?:?",  # German: Apple, Thunderbird, Outlook
    r".{1,300}\bschrieb am\b.{4,100}:",  # German Gmail: "Ada <...> schrieb am Di., 16. Aug. 2016 um 12:52 Uhr:"
    r".{4,300}\bschrieb[ \t]*:",  # "Ada <...> schrieb:"
    r".{4,300}\bha scritto[ \t]*:?",  # Italian
    r".{4,300}\b(?:napisał\(a\)|napisała?|pisze)[ \t]*:?",  # Polish
    r".{4,300}\s(?:пише|написав\(ла\)|написав|написала)[ \t]*:?",  # Ukrainian
    r".{4,300}\s(?:написал\(а\)|написала?|пишет)[ \t]*:?",  # Russian, incl. "пользователь ... написал:"
    r".{4,300}\bskrev\b.{0,300}?:?",  # Swedish, Danish, Norwegian: "... skrev Ada <...>:"
    r".{4,300}\bskrev[ \t]*:?",
    r".{4,300}\bkirjoitti[ \t]*:?",  # Finnish
    r".{1,300}\bkirjoitti\b.{1,100}:",  # Finnish Apple Mail and Thunderbird: "Ada <...> kirjoitti 3.3.2025 kello 10.15:"
    r"Wiadomość napisana przez .{1,300}:",  # Polish Apple Mail
    r"El\b.{4,300}\bescribi[óo][ \t]*:?",  # Spanish
    r".{4,300}\bescribi[óo][ \t]*:",
    r"Em\b.{4,300}\bescreveu[ \t]*:?",  # Portuguese (Brazil)
    r".{4,300}\bescreveu(?: (?:no dia|em)\b.{4,100})?[ \t]*:",  # Portuguese (Portugal)
    r"Op\b.{4,300}\bheeft\b.{1,300}\bhet volgende geschreven[ \t]*:",  # Dutch Apple Mail
    r"Op\b.{4,300}\bschreef\b.{0,300}?:?",  # Dutch
    r".{4,300}\bschreef(?: op\b.{4,100})?[ \t]*:",
    r"Ar\b.{4,300}\bysgrifennodd\b.{0,300}?:?",  # Welsh
    r".{4,300}\bysgrifennodd[ \t]*:",
    r"(?:пн|вт|ср|чт|пт|сб|вс), \d{1,2} \S{2,8} \d{4} г\. в \d{1,2}:\d{2}, .{1,300}:",  # Russian Gmail, no verb
    r"Às \d{1,2}:\d{2} de .{4,300}\bescreveu[ \t]*:",  # Portuguese Thunderbird
    r"\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} GMT[+-]\d{1,2}:\d{2} .{1,300}:",  # Gmail's ISO-date form, any language
]
_ATTRIBUTION = re.compile(r"(?:" + "|".join(_ATTRIBUTIONS) + r")", re.IGNORECASE)
# Every attribution above holds one of these: a cheap test before the long alternation, line by line.
_ATTRIBUTION_WORD = re.compile(
    r"wrote|writes|said|[ée]crit|schrieb|geschrieben|scritto|napisa|pisze|пише|написа|пишет|skrev|kirjoitti|escribi|escreveu"
    r"|schreef|geschreven|ysgrifennodd|GMT[+-]|г\. в|Wiadomość",
    re.IGNORECASE,
)
_ZOHO_DASHES = re.compile(r"^-{2,}[ \t]*|[ \t]*-{2,}$")
_ATTRIBUTION_LINES = 3
_MAX_ATTRIBUTION_CHARS = 400

_LABEL = _QUOTE_PREFIX + r"\*{{0,2}}(?:{names})\*{{0,2}}[ \t\u00a0]*:[ \t\u00a0]*\*{{0,2}}"
# Outlook's quoted-header block starts with the sender ...
_FROM_NAMES = (
    r"From|De|Von|Van|Da|Från|Fra|От|Від|Od|Lähettäjä|Oddi wrth|Gan|Mittente|Remitente|Afzender|Avsändare|Afsender|Nadawca"
)
# ... followed closely by when it was sent ...
_SENT_NAMES = (
    r"Sent|Date|Envoy[ée] le|Envoy[ée]|Gesendet|Datum|Verzonden|Verstuurd|Inviato|Data|Skickat|Sendt|Отправлено|Дата|Надіслано"
    r"|Wysłano|Wysłane|Lähetetty|Päivämäärä|Anfonwyd|Dyddiad|Enviado el|Enviada em|Enviado em|Enviado|Enviada|Fecha|Sent at"
)
# ... and the other header lines that may sit between them.
_OTHER_NAMES = (
    r"To|À|A|An|Aan|Till|Til|Кому|Do|Vastaanottaja|At|Para|Per|Cc|Kopie|Kopio|Копия|Копія|Bcc|DW|Subject|Objet|Betreff"
    r"|Onderwerp|Oggetto|Ämne|Emne|Тема|Temat|Aihe|Pwnc|Testun|Asunto|Assunto|Reply-To|Antwort an|Importance|Wichtigkeit"
)
_FROM = re.compile(_LABEL.format(names=_FROM_NAMES), re.IGNORECASE)
_SENT = re.compile(_LABEL.format(names=_SENT_NAMES), re.IGNORECASE)
_OTHER = re.compile(_LABEL.format(names=_OTHER_NAMES), re.IGNORECASE)
_HEADER_WINDOW = 8

_SEPARATOR_WORDS = (
    r"Original Message|Original message|Message d'origine|Message original|Ursprüngliche Nachricht|Originalnachricht"
    r"|Mensaje original|Mensagem original|Messaggio originale|Oorspronkelijk bericht|Origineel bericht"
    r"|Originalmeddelande|Ursprungligt meddelande|Oprindelig besked|Oprindelig meddelelse|Opprinnelig melding"
    r"|Alkuperäinen viesti|Oryginalna wiadomość|Wiadomość oryginalna|Исходное сообщение|Оригінальне повідомлення"
    r"|Вихідне повідомлення|Neges Wreiddiol|Forwarded message|Forwarded Message|Message transféré|Message transfere"
    r"|Weitergeleitete Nachricht|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Vidarebefordrat meddelande"
    r"|Videresendt meddelelse|Videresendt besked|Videresendt melding|Välitetty viesti|Przekazana wiadomość"
    r"|Wiadomość przekazana dalej|Пересылаемое сообщение|Переслане повідомлення|Mensagem encaminhada|Neges a anfonwyd ymlaen"
    r"|Reply message|Replied Message"
)
# Dashes or stars on at least one side: "-----Original Message-----", "*-------- Message d'origine --------*".
_SEPARATOR = re.compile(
    _QUOTE_PREFIX + r"[*_]{0,2}(?:[-=]{2,}[ \t]*[*_]{0,2}(?:" + _SEPARATOR_WORDS + r")[*_]{0,2}[ \t]*[-=]*"
    r"|[-=]*[ \t]*[*_]{0,2}(?:" + _SEPARATOR_WORDS + r")[*_]{0,2}[ \t]*[-=]{2,})[*_]{0,2}[ \t]*$",
    re.IGNORECASE,
)
_FORWARDED = re.compile(
    _QUOTE_PREFIX + r"(?:Begin forwarded message|Début du message (?:réexpédié|transféré)|Anfang der weitergeleiteten Nachricht"
    r"|Inicio del mensaje reenviado|Inizio messaggio inoltrato|Begin doorgestuurd bericht|Vidarebefordrat brev"
    r"|Videresendt (?:e-mail|besked)|Início da mensagem reencaminhada|Início da mensagem encaminhada"
    r"|Dechrau'r neges a anfonwyd ymlaen)[ \t\u00a0]*:[ \t]*$",
    re.IGNORECASE,
)
# Outlook's rule above its header block, in plain text or as HTML's <hr> turned into text.
RULE = re.compile(r"^[ \t]*(?:_{10,}|-{10,}|━{5,}|─{5,})[ \t]*$")


class Kind(Enum):
    ATTRIBUTION = "attribution"  # may be followed by quotes and more of the author's text
    BLOCK = "block"  # everything from here on is history


@dataclass(frozen=True, slots=True)
class Marker:
    """Where history starts: lines ``start`` to ``end`` (inclusive) introduce it."""

    kind: Kind
    start: int
    end: int


def is_quoted(line: str) -> bool:
    return line.lstrip(" \t").startswith(">")


def find_marker(lines: list[str], begin: int = 0) -> Marker | None:
    """The first unquoted history marker at or after ``begin``, or None."""
    for i in range(begin, len(lines)):
        line = lines[i]
        if not line.strip() or is_quoted(line):
            continue
        if _SEPARATOR.match(line) or _FORWARDED.match(line):
            return Marker(Kind.BLOCK, _rule_above(lines, i), i)
        if _FROM.match(line) and _header_block_follows(lines, i):
            return Marker(Kind.BLOCK, _rule_above(lines, i), i)
        end = attribution_end(lines, i)
        if end is not None:
            return Marker(Kind.ATTRIBUTION, i, end)
    return None


def attribution_end(lines: list[str], start: int) -> int | None:
    """The last line of an attribution starting at ``start`` (wrapped over up to three lines), or None."""
    joined = ""
    for end in range(start, min(start + _ATTRIBUTION_LINES, len(lines))):
        line = lines[end].strip()
        if not line or is_quoted(line):
            return None
        joined = f"{joined} {line}".strip() if joined else line
        if len(joined) > _MAX_ATTRIBUTION_CHARS:
            return None
        if not _ATTRIBUTION_WORD.search(joined):
            continue  # the verb is on a later line, if anywhere
        candidate = _ZOHO_DASHES.sub("", joined)
        if candidate != joined:
            candidate += ":"  # Zoho's dashes stand where the colon would be
        if _ATTRIBUTION.fullmatch(candidate) and (
            _looks_written_by_a_client(candidate) or (_ON_DAY.match(candidate) is not None and _quote_follows(lines, end))
        ):
            if candidate.endswith(":") or "@" in candidate or _quote_follows(lines, end):
                return end
            return None
    return None


# "On Monday, Ada wrote:" with no date or address (clients set to a short date form, or a
# person writing the quote by hand): an attribution only when a quote follows at once.
_ON_DAY = re.compile(r"On\s", re.IGNORECASE)


def _looks_written_by_a_client(attribution: str) -> bool:
    return any(ch.isdigit() for ch in attribution) or "@" in attribution


def _quote_follows(lines: list[str], end: int) -> bool:
    """An attribution without its colon ("On ... wrote") is one only above a quote or with an address in it."""
    for line in lines[end + 1 : end + 4]:
        if line.strip():
            return is_quoted(line)
    return False


def _header_block_follows(lines: list[str], start: int) -> bool:
    """True when a "Sent:"-like line follows the "From:" line among a few header lines (blank lines allowed)."""
    for line in lines[start + 1 : start + 1 + _HEADER_WINDOW]:
        if _SENT.match(line):
            return True
        if line.strip() and not (_OTHER.match(line) or _FROM.match(line)):
            return False
    return False


def _rule_above(lines: list[str], start: int) -> int:
    i = start - 1
    while i >= 0 and not lines[i].strip():
        i -= 1
    return i if i >= 0 and RULE.match(lines[i]) else start
