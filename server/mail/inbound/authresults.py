"""Read ``Authentication-Results`` headers (RFC 8601) closely enough to find a DMARC verdict.

Written here rather than taken from ``authres``: its last release is from 2019 and it is
untyped, while all Convene needs is each header's authserv-id and its ``method=result``
pairs. Anyone can write an Authentication-Results header, so only those carrying the
authserv-id of our own receiving server (``MAIL_AUTHSERV_ID``) are believed; the caller
filters on that. A header that cannot be read yields nothing rather than raising.
"""

from __future__ import annotations

from dataclasses import dataclass

_SPECIALS = frozenset('();="')


@dataclass(frozen=True, slots=True)
class AuthResults:
    """One header: who wrote it, and each method's result, both lower-cased."""

    authserv_id: str
    results: tuple[tuple[str, str], ...]

    def result_of(self, method: str) -> tuple[str, ...]:
        return tuple(result for name, result in self.results if name == method)


def parse_auth_results(value: str) -> AuthResults | None:
    """Parse one header's value; None when it has no authserv-id or is not well formed."""
    tokens = _tokens(value)
    if tokens is None or not tokens or tokens[0] in {";", "="}:
        return None
    authserv_id = tokens[0].lower()
    segments: list[list[str]] = [[]]
    for token in tokens[1:]:
        if token == ";":
            segments.append([])
        else:
            segments[-1].append(token)
    results: list[tuple[str, str]] = []
    for segment in segments[1:]:
        pair = _method_result(segment)
        if pair is not None:
            results.append(pair)
    return AuthResults(authserv_id=authserv_id, results=tuple(results))


def _method_result(segment: list[str]) -> tuple[str, str] | None:
    """``method[/version] = result ...``; anything after the result (reason, properties) is not needed."""
    if len(segment) < 3 or segment[0] in {"=", ";"}:
        return None
    method = segment[0].split("/", 1)[0].lower()
    i = 1
    while i < len(segment) and segment[i] != "=":
        if not segment[i].startswith("/") and not segment[i].isdigit():
            return None  # something other than a method version stands before "="
        i += 1
    if i + 1 >= len(segment) or segment[i + 1] == "=" or not method:
        return None
    return method, segment[i + 1].lower()


def _tokens(value: str) -> list[str] | None:
    """Split into atoms, quoted strings (unquoted), ";" and "="; comments and folding whitespace vanish."""
    tokens: list[str] = []
    i, n = 0, len(value)
    while i < n:
        ch = value[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            end = _skip_comment(value, i)
            if end is None:
                return None
            i = end
        elif ch == ")":
            return None
        elif ch == '"':
            quoted, end = _quoted(value, i)
            if end is None:
                return None
            tokens.append(quoted)
            i = end
        elif ch in ";=":
            tokens.append(ch)
            i += 1
        else:
            start = i
            while i < n and not value[i].isspace() and value[i] not in _SPECIALS:
                i += 1
            tokens.append(value[start:i])
    return tokens


def _skip_comment(value: str, start: int) -> int | None:
    depth, i = 0, start
    while i < len(value):
        ch = value[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _quoted(value: str, start: int) -> tuple[str, int | None]:
    out: list[str] = []
    i = start + 1
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    return "", None
