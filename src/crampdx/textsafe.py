"""Text from answers, overlays and file names, made safe for what it is written into.

One function per output kind, called where user or knowledge text is inserted:

- `terminal` (and `one_line` for messages): control characters (C0 such as ESC, DEL, C1),
  bidirectional overrides and line separators are shown as visible escapes (``\\x1b``,
  ``\\u202e``), so no answer can clear the screen, set a window title, plant an OSC 8 link or
  reorder what a line says; `one_line` also turns newlines into spaces, so an error stays one
  line.
- `markdown`: the above, newlines removed, and every character Markdown could read as syntax
  (headings, emphasis, links, images, code, raw HTML, table pipes) backslash-escaped.
- `json_text`: JSON escapes C0 itself; bidi, C1 and line-separator characters are written as
  ``\\uXXXX`` too, so the document still decodes to the same values.
- HTML uses `html.escape` over `terminal` (crampdx.render.html; `html_text` for one-line
  cells); rich is given `Text` objects, which it never parses as markup (`rich_markup` exists
  for a place that needs a markup string).
- `cell`: a table cell (squad summary, history): `one_line` with runs of spaces collapsed.
- `csv_cell`: a spreadsheet cell that a spreadsheet shows as text: `cell`, and a leading
  apostrophe when it would start a formula (= + - @, OWASP's CSV-injection advice).

Standard library only: errors.py uses it, and `crampdx --version` stays fast.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls except newline and tab, DEL, C1 controls, Arabic letter mark, LRM/RLM, line and
# paragraph separators, bidi embeddings/overrides/isolates, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                     "\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NEWLINES = re.compile(r"[\t\n]+")
# `_` inside a word (snake_case) never starts emphasis, so it stays readable there.
_MARKDOWN_SYNTAX = r"([\\`*{}\[\]<>#|~&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))"
# Only what really starts a block where the text begins a line: a list marker followed by a
# space or the end ("- x", "+", "3. x", "3) x"), or a line of = or - alone (a setext
# underline). "42.2 km" or "-5 °C" is no syntax, so it is left alone.
_MARKDOWN_BLOCK_START = r"^(\s*)([-+]|\d{1,9}[.)])(?=\s|$)|^(\s*)([=-])(?=[=-]*\s*$)"
MAX_EXCERPT = 60
MAX_MESSAGE = 1_000


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unsafe_characters(text: str) -> list[str]:
    """The characters `terminal` would escape, each once, as escapes ("\\x1b")."""
    return sorted({_visible(m) for m in _UNSAFE.finditer(text)})


def terminal(text: Any) -> str:
    """Text for a terminal: control, bidi and separator characters as visible escapes;
    newlines and tabs kept (a renderer wraps them)."""
    return _UNSAFE.sub(_visible, str(text))


def one_line(text: Any) -> str:
    """`terminal`, with newlines and tabs as single spaces: for headings and messages."""
    return _NEWLINES.sub(" ", terminal(text).replace("\r", " "))


# Characters that show as nothing: harmless in a report, but a message quoting a refused value
# ("not yes" for "yes" and a zero-width space) must show why it was refused.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")


def excerpt(value: Any, limit: int = MAX_EXCERPT) -> str:
    """A user's value quoted in a message: one escaped line, at most `limit` characters,
    invisible characters shown as escapes."""
    text = _INVISIBLE.sub(_visible, one_line(value if isinstance(value, str) else repr(value)))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def message(text: Any, limit: int = MAX_MESSAGE) -> str:
    """A whole error message as one escaped line of bounded length."""
    line = one_line(text)
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _escape_block_start(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker is not None:  # "3." -> "3\.": a backslash before a digit would show
        return f"{match.group(1)}{marker[:-1]}\\{marker[-1]}"
    return f"{match.group(3)}\\{match.group(4)}"


def markdown(text: Any, *, line_start: bool = True) -> str:
    """Inline Markdown text that reads literally: no heading, list, link, image, emphasis,
    code, table cell break or raw HTML can come from it. `line_start=False` for text placed
    after other text on its line, where list or underline syntax cannot start a block."""
    line = " ".join(one_line(text).split())
    # patterns as text: re compiles (and caches) them on the first Markdown report only
    line = re.sub(_MARKDOWN_SYNTAX, r"\\\1", line)
    return re.sub(_MARKDOWN_BLOCK_START, _escape_block_start, line) if line_start else line


def json_text(payload: Any, *, indent: int | None = 2) -> str:
    """JSON with non-ASCII kept readable, but bidi, C1 and separator characters escaped."""
    text = json.dumps(payload, indent=indent, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def rich_markup(text: Any) -> str:
    """For the rare place rich needs a markup string: the text shown literally."""
    from rich.markup import escape

    return escape(terminal(text))


def has_surrogates(text: str) -> bool:
    """Lone surrogates cannot be encoded as UTF-8: every output of such text would fail."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(text: Any) -> str:
    """One table cell: `one_line` (controls shown, not dropped), spaces collapsed."""
    return " ".join(one_line(text).split())


def html_text(text: Any) -> str:
    """A one-line cell or paragraph for HTML: `cell`, then every markup character escaped."""
    import html  # only HTML output needs it (and its entity table)

    return html.escape(cell(text), quote=True)


def csv_cell(text: Any) -> str:
    """A CSV cell a spreadsheet shows as text: one starting with = + - @ would run as a
    formula, so it gets a leading apostrophe (OWASP's CSV-injection advice)."""
    value = cell(text)
    return "'" + value if value.startswith(FORMULA_STARTS) else value
