"""Where the signature starts in the author's own text, with or without the "-- " delimiter.

Most people's signatures have no RFC 3676 delimiter: Outlook and Gmail users end with a
sign-off ("Kind regards,", "Diolch,", "Mit freundlichen Grüßen") and a short block of name,
role, organisation, phone numbers, postal address and links; phones add "Sent from my
iPhone" (or "Anfonwyd o fy iPhone", "Von meinem iPhone gesendet", "Get Outlook for
Android"); mailing lists add a footer under a rule of underscores; organisations add a
confidentiality notice. All of these are cut, so that a phone number or an address in a
signature never lands in a room shared with other organisations.

A sign-off counts only when it stands on its own line and what follows it, to the end, is a
short block of short lines (a sentence after "Thanks," is still the message); a block with
a phone number, an e-mail address or a postcode is cut even without a sign-off, with the
name and role lines directly above it.
"""

from __future__ import annotations

import re

_SIGN_OFF = re.compile(
    r"^[ \t]*(?:"
    # English
    r"(?:kind|best|warm|warmest|many|kindest)(?: regards| wishes)?|regards|best|all the best|cheers|thanks|thank you"
    r"|many thanks|thanks again|thanks and regards|thanks & regards|with thanks|with best wishes|best wishes|yours"
    r"|yours sincerely|yours faithfully|sincerely|ta|speak soon|take care"
    # Welsh
    r"|diolch|diolch yn fawr|diolch o galon|cofion|cofion cynnes|cofion gorau|yn gywir|yn ddiffuant|hwyl|hwyl fawr"
    # French
    r"|cordialement|bien cordialement|bien à vous|bien à toi|salutations|meilleures salutations|merci|merci beaucoup"
    r"|amitiés|bonne journée"
    # German
    r"|mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|viele grüße|beste grüße|liebe grüße|grüße|gruß"
    r"|danke|vielen dank|lg|vg|mfg"
    # Italian
    r"|cordiali saluti|distinti saluti|saluti|un saluto|grazie|grazie mille|a presto"
    # Polish
    r"|pozdrawiam|pozdrawiam serdecznie|z poważaniem|z wyrazami szacunku|pozdrowienia|dziękuję"
    # Ukrainian and Russian
    r"|з повагою|з найкращими побажаннями|дякую|с уважением|с наилучшими пожеланиями|всего доброго|спасибо"
    # Swedish, Danish, Norwegian
    r"|med vänliga hälsningar|vänliga hälsningar|hälsningar|mvh|tack|med venlig hilsen|venlig hilsen|hilsen|tak"
    r"|med vennlig hilsen|vennlig hilsen|takk"
    # Finnish
    r"|ystävällisin terveisin|parhain terveisin|terveisin|kiitos"
    # Spanish and Portuguese
    r"|saludos|un saludo|saludos cordiales|atentamente|gracias|muchas gracias|atenciosamente|cumprimentos"
    r"|com os melhores cumprimentos|melhores cumprimentos|abraços|obrigado|obrigada"
    # Dutch
    r"|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groeten|groet|mvg|bedankt|dank je wel|dank u wel"
    r")[ \t]*[,.!]?[ \t]*$",
    re.IGNORECASE,
)
# Lines that phones and webmail append, in the languages Convene's partners use; also as Markdown links.
_SENT_FROM = re.compile(
    r"^[ \t]*\[?[ \t]*(?:"
    r"sent from (?:my )?\S[^\n]{0,50}|sent (?:with|using|via) \S[^\n]{0,50}|get (?:outlook|typeapp|bluemail) for \S[^\n]{0,50}"
    r"|anfonwyd (?:o|gyda|trwy) \S[^\n]{0,50}|cael outlook (?:ar gyfer|i) \S[^\n]{0,50}"
    r"|envoy[ée] (?:de|depuis|à partir de|avec) \S[^\n]{0,50}|obtenir outlook pour \S[^\n]{0,50}"
    r"|vo[nm] [^\n]{1,50}gesendet|gesendet (?:von|mit|vom) \S[^\n]{0,50}"
    r"|[^\n]{0,40}\boutlook\b[^\n]{0,30}\b(?:ios|android)\b[^\n]{0,25}"
    r"|inviato da\w* \S[^\n]{0,50}|enviado (?:desde|de|do|a partir do) \S[^\n]{0,50}|verzonden (?:vanaf|vanuit|met|van) \S[^\n]{0,50}"
    r"|verstuurd (?:vanaf|vanuit|met|van) \S[^\n]{0,50}|skicka(?:t|des) från \S[^\n]{0,50}|sendt fra \S[^\n]{0,50}|lähetetty \S[^\n]{0,50}"
    r"|yahoo mail: search, organi[sz]e, conquer|wysłane z \S[^\n]{0,50}|отправлено (?:с|из) \S[^\n]{0,50}|надіслано (?:з|із) \S[^\n]{0,50}"
    r")[ \t]*\]?(?:\((?:https?://|<)[^)\s]*\)|<https?://[^>\s]*>)?[ \t]*$",
    re.IGNORECASE,
)
# HTML turned into text writes links as Markdown: "Sent from [Mail](https://go.microsoft.com/...) for Windows".
_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\((?:https?|mailto):[^)\s]*\)")
_DELIMITER = re.compile(r"^--[ \t]?$")
_UNDERSCORES = re.compile(r"^[ \t]*_{10,}[ \t]*$")
# Confidentiality notices and their like, which organisations append to every mail: a label on its own
# line ("CONFIDENTIALITY NOTICE"), or a long sentence opening like one ("This email and any attachments
# are confidential ...", "Mae'r e-bost hwn ... yn gyfrinachol"). Short lines never count, so "Important:
# the room moved" or "This is confidential, please" stay in the message.
_DISCLAIMER_LABEL = re.compile(
    r"^[ \t]*\**(?:confidentiality(?: notice)?|disclaimer|legal notice|important notice|privileged and confidential"
    r"|ymwadiad|hysbysiad cyfrinachedd|avertissement|haftungsausschluss|aviso legal|vertrouwelijkheid)\**[ \t]*:?\**[ \t]*$",
    re.IGNORECASE,
)
_DISCLAIMER_OPENING = re.compile(
    r"^[ \t]*\**(?:(?:confidentiality(?: notice)?|disclaimer|legal notice|important notice|ymwadiad)\**[ \t]*:\**[ \t]*)?"
    r"(?:this|the information|mae'r|mae’r|ce|cet|diese|dieser|questo|este|esta|dit|deze|detta|denne|tämä|ta|это|цей)\b"
    r".{0,160}?\b(?:confidential|privileged|intended (?:solely|only)|[cg]yfrinachol|confidenti|vertraulich|riservat|confidencial"
    r"|vertrouwelijk|konfidentiell|fortrolig|luottamuksellinen|poufn|конфиденц|конфіденц)",
    re.IGNORECASE,
)
_DISCLAIMER_WORDS = 12
_PRINT_NOTICE = re.compile(
    r"^[ \t]*(?:please consider the environment before printing|ystyriwch yr amgylchedd cyn argraffu"
    r"|pensez à l'environnement avant d'imprimer|bitte denken sie an die umwelt)",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?:^|[\s|:(])(?:\+?\d[\d ()./-]{7,}\d)(?:\s*(?:ext\.?|x)\s*\d+)?(?:$|[\s|,)])"
    r"|^[ \t]*(?:t|m|p|f|tel|tél|mob|mobile|phone|ffôn|ffon|symudol|fax|direct|office|handy|telefon|puh|тел)\b[ .:]",
    re.IGNORECASE,
)
# A UK postcode, a street line ("12 High Street"), or an e-mail address: what makes a last paragraph
# a contact block. A web link alone does not (people end a message with the link they mean to share).
_ADDRESS = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"
    r"|^[ \t]*\d{1,4}[a-z]?,? [A-Z][\w'’-]+(?: [A-Z][\w'’-]+)* (?:Street|St|Road|Rd|Lane|Avenue|Way|Square|Place"
    r"|Heol|Stryd|Ffordd|Rue|Straße|Strasse|Via|Calle|Rua|Straat|Gatan|Gade|Gate)\b"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+",
)
_SENTENCE_END = re.compile(r"[.?!:;][\"'’”)]*$")
_BLOCK_LINES = 10
_BLOCK_LINE_CHARS = 90
_NAME_LINES = 4


def signature_start(lines: list[str]) -> int:
    """The index in ``lines`` (the author's own text) where the signature starts; ``len(lines)`` when there is none."""
    cut = len(lines)
    for i, line in enumerate(lines):
        if _DELIMITER.match(line) and (line.startswith("-- ") or i == 0 or not lines[i - 1].strip()):
            cut = i  # a bare "--" counts only after a blank line, where Markdown can't read it as a heading rule
            break
        if _UNDERSCORES.match(line) or _is_disclaimer(line):
            cut = i
            break
    cut = _trailing_sent_from(lines, cut)
    signed_off = _sign_off(lines, cut)
    return signed_off if signed_off < cut else _contact_block(lines, cut)


def _is_disclaimer(line: str) -> bool:
    if _DISCLAIMER_LABEL.match(line) or _PRINT_NOTICE.match(line):
        return True
    return len(line.split()) >= _DISCLAIMER_WORDS and bool(_DISCLAIMER_OPENING.match(line))


def is_sent_from(line: str) -> bool:
    return bool(_SENT_FROM.match(line) or _SENT_FROM.match(_MARKDOWN_LINK.sub(r"\1", line)))


def _trailing_sent_from(lines: list[str], cut: int) -> int:
    """Step back over blank and "Sent from my iPhone" lines at the end."""
    while cut > 0 and (not lines[cut - 1].strip() or is_sent_from(lines[cut - 1])):
        cut -= 1
    return cut


# "Viele Grüße aus Köln", "Best wishes from Leeds", "Cofion o Gaerdydd": a sign-off and where from.
_FROM_PLACE = re.compile(
    r"^(.*?)[ \t]+(?:aus|from|fra|från|uit|desde|da|de|o|z|ze|из|з|frá)[ \t]+\S+(?:[ \t]+\S+){0,2}?[ \t]*[,.!]?[ \t]*$"
)


def is_sign_off(line: str) -> bool:
    """A sign-off on its own line; also two joined ("Med venlig hilsen / Best regards") or with a place after."""
    if _SIGN_OFF.match(line):
        return True
    parts = re.split(r"[ \t]+[/|][ \t]+", line.strip())
    if len(parts) > 1 and all(_SIGN_OFF.match(part) for part in parts):
        return True
    placed = _FROM_PLACE.match(line)
    return bool(placed and _SIGN_OFF.match(placed.group(1)))


def _block_like(block: list[str]) -> bool:
    filled = [line for line in block if line.strip()]
    return len(filled) <= _BLOCK_LINES and all(len(line.strip()) <= _BLOCK_LINE_CHARS for line in filled)


def _sign_off(lines: list[str], end: int) -> int:
    """The earliest sign-off line in the last few lines followed, up to ``end``, by a short block only."""
    first_text = next((i for i, line in enumerate(lines) if line.strip()), end)
    for i in range(max(first_text + 1, end - _BLOCK_LINES - 1), end):
        if is_sign_off(lines[i]) and _block_like(lines[i + 1 : end]) and _not_a_sentence_after(lines[i + 1 : end]):
            return i
    return end


def _not_a_sentence_after(block: list[str]) -> bool:
    """A sign-off is followed by names and contact lines, not by more of the message ("Thanks, that works.")."""
    filled = [line.strip() for line in block if line.strip()]
    return not filled or not any(len(line.split()) > 6 and _SENTENCE_END.search(line) for line in filled)


def _paragraph_above(lines: list[str], end: int) -> tuple[int, int]:
    """The bounds of the last paragraph before ``end``, blank lines between skipped."""
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and lines[start - 1].strip():
        start -= 1
    return start, end


def _contact_block(lines: list[str], end: int) -> int:
    """Cut a last paragraph of contact lines (phone, postcode, address, mail or web address) and the name above it."""
    start, end = _paragraph_above(lines, end)
    block = lines[start:end]
    if not block or not _block_like(block) or not any(_PHONE.search(line) or _ADDRESS.search(line) for line in block):
        return end
    if start == 0 or any(len(line.split()) > 4 and _SENTENCE_END.search(line.strip()) for line in block):
        return end
    # The name and role, when they stand as their own paragraph just above.
    above_start, above_end = _paragraph_above(lines, start)
    above = lines[above_start:above_end]
    if above and len(above) <= _NAME_LINES and _names_and_roles(above) and above_start > 0:
        return above_start
    # One line alone is more likely the message's own (the venue, a number to call) than a signature.
    return start if len([line for line in block if line.strip()]) > 1 else end


def _names_and_roles(block: list[str]) -> bool:
    first = block[0].strip().split()
    return (
        1 <= len(first) <= 5
        and all(word[:1].isupper() for word in first if word[:1].isalpha())
        and all(len(line.strip()) <= 60 and not _SENTENCE_END.search(line.strip()) for line in block)
    )
