"""User text (athlete and event names, answers) made safe for each format the squad and history
views write: no terminal control characters, no Markdown or HTML markup, no spreadsheet
formulas. One place, so every table escapes the same way."""

from __future__ import annotations

import html
import re
from typing import Any

# C0 and C1 controls, DEL, and the bidirectional overrides that can reorder what a reader sees
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]#|<>~])")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def plain(text: Any) -> str:
    """One line of text for a terminal: control characters dropped, newlines as spaces."""
    return _CONTROL.sub("", " ".join(str(text).split()))


def markdown(text: Any) -> str:
    """Plain text that renders as itself in Markdown (also inside a table cell)."""
    escaped = _MARKDOWN.sub(r"\\\1", plain(text))
    return escaped.replace("&", "&amp;")


def html_text(text: Any) -> str:
    return html.escape(plain(text), quote=True)


def csv_cell(text: Any) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @ would run as a formula,
    so it gets a leading apostrophe (OWASP's CSV-injection advice)."""
    value = plain(text)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
