"""How outgoing mail looks: one palette and the inline style of each element.

Inline styles only (clients drop or rewrite ``<style>``), and every colour is given with
a background under it, so a client that inverts colours for dark mode inverts a pair;
each pair has a contrast of at least 4.5:1 (checked by tests/mail_html.py).
"""

from __future__ import annotations

from html import escape

# One palette, every colour given with its background (see the module docstring).
PAGE = "#ffffff"
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#1a56db"
QUOTE_BG = "#f3f4f6"
RULE = "#cbd2d9"
FONT = "font-family: Arial, Helvetica, sans-serif"
STYLE = {
    "body": f"margin: 0; padding: 0; background-color: {PAGE}; color: {INK}",
    "main": f"{FONT}; font-size: 16px; line-height: 1.5; max-width: 40em; margin: 0 auto; padding: 16px; "
    f"background-color: {PAGE}; color: {INK}",
    "p": "margin: 0 0 1em 0",
    "h1": "font-size: 22px; line-height: 1.3; margin: 0 0 0.5em 0",
    "h2": "font-size: 19px; line-height: 1.3; margin: 1.2em 0 0.5em 0",
    "h3": "font-size: 17px; line-height: 1.3; margin: 1em 0 0.25em 0",
    "a": f"color: {ACCENT}; text-decoration: underline",
    "button": f"display: inline-block; padding: 10px 18px; border-radius: 4px; background-color: {ACCENT}; color: {PAGE}; "
    "font-weight: bold; text-decoration: none",
    "blockquote": f"margin: 0 0 1em 0; padding: 4px 12px; border-left: 4px solid {RULE}; background-color: {QUOTE_BG}; color: {INK}",
    "small": f"font-size: 14px; color: {MUTED}",
    "hr": f"border: 0; border-top: 1px solid {RULE}; margin: 1.5em 0",
    "article": f"margin: 0 0 1em 0; padding: 0 0 0 12px; border-left: 3px solid {RULE}",
    "code": f"font-family: Consolas, Menlo, monospace; font-size: 14px; background-color: {QUOTE_BG}; color: {INK}",
    "pre": f"font-family: Consolas, Menlo, monospace; font-size: 14px; white-space: pre-wrap; padding: 8px; margin: 0 0 1em 0; "
    f"background-color: {QUOTE_BG}; color: {INK}",
    "ul": "margin: 0 0 1em 0; padding-left: 1.5em",
    "li": "margin: 0",
    "table": "border-collapse: collapse; margin: 0 0 1em 0",
    "td": f"border: 1px solid {RULE}; padding: 4px 8px",
    "mention": f"font-weight: bold; background-color: {QUOTE_BG}; color: {INK}",
}
STYLE["ol"] = STYLE["ul"]
STYLE["th"] = STYLE["td"] + "; font-weight: bold"


def style(name: str) -> str:
    return f' style="{STYLE[name]}"'


def link(url: str, text: str, kind: str = "a") -> str:
    return f'<a href="{escape(url)}"{style(kind)}>{escape(text)}</a>'

