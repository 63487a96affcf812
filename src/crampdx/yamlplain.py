"""A strict reader for the plain YAML an answers file nearly always is, without PyYAML.

Importing PyYAML costs more than a warm debrief's own work (about 8 ms: its reader compiles a
regex over all of Unicode), only to read lines such as `key: value`, `key: [a, b]`, `key:`
followed by `- item` lines, comments and blank lines. `read` builds such a document exactly as
crampdx.yamlfull (PyYAML) would: the same LocatedDict and LocatedList, values, lines and
columns, YAML 1.1 scalars with crampdx's rule that `3:54` stays text. It returns DECLINED for
everything else, which then goes to PyYAML: tabs, flow mappings, anchors, aliases, tags,
document markers, directives, multi-line and block scalars, escapes, nesting, duplicate keys
(PyYAML's messages report them), any control or line-break character other than "\\n", and every
scalar whose YAML 1.1 type it is not sure of (octal, hex, dates, `1e3`...). Declining costs only
speed; a wrong value would change a diagnosis, so whenever in doubt it declines.
tests/test_yaml_plain.py holds it to PyYAML's results.
"""

from __future__ import annotations

import re
from typing import Any

from crampdx import yamlio


class _Declined:
    """The type of DECLINED."""

    def __repr__(self) -> str:
        return "DECLINED"


DECLINED: Any = _Declined()  # `read`'s answer for a text it leaves to PyYAML

# YAML 1.1 reads `3:54` as the base-60 number 234; a runner writing a time means 3 h 54, so
# crampdx keeps such scalars as text (yamlfull's resolver uses this same pattern).
SEXAGESIMAL_PATTERN = r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$"
# A key: a plain identifier at the start of its line, its colon, then spaces or the line's end.
_KEY_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_KEY_CHARS = _KEY_START | frozenset("0123456789-")
_BOOLS = {word: value for words, value in (("yes true on", True), ("no false off", False))
          for base in words.split() for word in (base, base.title(), base.upper())}
_NULLS = frozenset(("~", "null", "Null", "NULL"))
# Every character YAML 1.1's int, float and timestamp patterns can match: a scalar starting
# like a number with any other character is text without asking those patterns.
_NUMBERISH = frozenset("0123456789+-_.: abcdefintxABCDEFINTZ")
# PyYAML's own float, int and timestamp patterns (yaml/resolver.py, unchanged since PyYAML
# 3.x): a scalar that matches none of them is text.
_YAML11_NUMBER_PATTERN = r'''^(?:
            [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
            |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
            |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN)
            |[-+]?0b[0-1_]+
            |[-+]?0[0-7_]+
            |[-+]?(?:0|[1-9][0-9_]*)
            |[-+]?0x[0-9a-fA-F_]+
            |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
            |[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
            |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
             (?:[Tt]|[ \t]+)[0-9][0-9]?
             :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
             (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$'''
_COMPILED: dict[str, re.Pattern[str]] = {}


def _pattern(pattern: str) -> re.Pattern[str]:
    """Compiled on first need: most answers files need neither (a compile is ~0.1 ms)."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern, re.X)
    return compiled


_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_STOP = frozenset("[]{}#:?")
_PRINTABLE_ASCII = frozenset("\n" + "".join(map(chr, range(0x20, 0x7F))))
MAX_KEY_CHARS = 1000  # PyYAML refuses a key longer than 1,024 characters


def read(text: str) -> Any:
    """The located document `text` holds (None if it has none), or DECLINED (see the module)."""
    mapping: Any = None
    pending: str | None = None  # a key with nothing after its colon: null, or a list to come
    items: Any = None  # the block sequence being read (`- item` lines)
    items_indent = -1
    count, limit = 1, yamlio.MAX_EXPANDED_VALUES  # values, as yamlfull counts them
    lines = text.split("\n")
    index = -1
    while index + 1 < len(lines):
        index += 1
        line, number = lines[index], index + 1
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            continue
        indent = len(line) - len(body)
        if body[0] == "-" and (len(body) == 1 or body[1] == " "):
            if pending is not None:
                items = yamlio.LocatedList()
                items.line, items.column, items_indent = number, indent + 1, indent
                mapping[pending] = items
                pending = None
            elif items is None or indent != items_indent:
                return DECLINED
            rest = body[1:].lstrip(" ")
            if not rest or rest[0] == "#":
                value, column = None, indent + 2  # PyYAML marks an empty item after its dash
            else:
                value, column = _block_scalar(rest), len(line) - len(rest) + 1
                if value is DECLINED:
                    return DECLINED
            items._positions[len(items)] = (number, column)
            items.append(value)
            count += 1
            if count > limit:
                return DECLINED  # PyYAML says how many values it reads at most
            continue
        colon = line.find(":")
        key = line[:colon]
        if indent or colon <= 0 or line[colon + 1:colon + 2] not in ("", " ") \
                or key[0] not in _KEY_START or not _KEY_CHARS.issuperset(key) \
                or key in _BOOLS or key in _NULLS or len(key) > MAX_KEY_CHARS:
            return DECLINED
        if mapping is None:
            mapping = yamlio.LocatedDict()
            mapping.line, mapping.column = number, 1
        elif key in mapping:
            return DECLINED  # PyYAML reports (or collects) the duplicate
        pending = items = None
        mapping._positions[key] = (number, 1)
        count += 2
        start = _skip_spaces(line, colon + 1)
        rest = line[start:]
        if not rest or rest[0] == "#":
            mapping[key], pending = None, key
            continue
        if rest[0] == "[":
            value, index = _flow_sequence(lines, index, start)
            if value is not DECLINED:
                count += len(value)
        else:
            value = _block_scalar(rest)
        if value is DECLINED:
            return DECLINED
        mapping[key] = value
    if count > limit or yamlio.MAX_DEPTH < 2 or not _printable(text):
        return DECLINED
    return mapping


def _printable(text: str) -> bool:
    """Only characters PyYAML reads as printable, with "\\n" the only line break: no tab,
    "\\r", control character, BOM, NEL, U+2028/U+2029 or lone surrogate."""
    for char in set(text) - _PRINTABLE_ASCII:
        code = ord(char)
        if not (0xA0 <= code <= 0xD7FF and code not in (0x2028, 0x2029)
                or 0xE000 <= code <= 0xFFFD and code != 0xFEFF or code >= 0x10000):
            return False
    return True


def _block_scalar(rest: str) -> Any:
    """The value of `rest` (a line from its first character to its end, comment included)."""
    first = rest[0]
    if first == "'" or first == '"':
        end = _quoted_end(rest, 0)
        if end < 0:
            return DECLINED
        tail = rest[end + 1:]
        after = tail.lstrip(" ")
        if after and (after[0] != "#" or after == tail):
            return DECLINED
        return _quoted(rest, 0, end)
    if first in _INDICATORS and (first != "-" or rest[1:2] in ("", " ")):
        return DECLINED
    cut = rest.find(" #")
    plain = (rest if cut < 0 else rest[:cut]).rstrip(" ")
    if ": " in plain or plain.endswith(":"):
        return DECLINED
    return _resolve(plain)


def _flow_sequence(lines: list[str], index: int, start: int) -> tuple[Any, int]:
    """The list of scalars `[a, b]` opening at lines[index][start] (or DECLINED), and the index
    of the line it closes on. It may go on to the next line after a comma, as PyYAML's dumper
    wraps a long list (answers.dump_answers); an item may not."""
    line = lines[index]
    items = yamlio.LocatedList()
    items.line, items.column = index + 1, start + 1
    size = len(line)
    at = _skip_spaces(line, start + 1)
    if at < size and line[at] == "]":
        at += 1
    else:
        while True:
            if at >= size:
                return DECLINED, index
            first = line[at]
            if first == "'" or first == '"':
                end = _quoted_end(line, at)
                if end < 0:
                    return DECLINED, index
                value = _quoted(line, at, end)
                after = end + 1
            else:
                if first in _INDICATORS and (first != "-" or line[at + 1:at + 2] in
                                             ("", " ", ",", "[", "]", "{", "}")):
                    return DECLINED, index
                after = at
                while after < size and line[after] != "," and line[after] != "]":
                    after += 1
                plain = line[at:after].rstrip(" ")
                if not _FLOW_STOP.isdisjoint(plain):
                    return DECLINED, index
                value = _resolve(plain)
            if value is DECLINED:
                return DECLINED, index
            items._positions[len(items)] = (index + 1, at + 1)
            items.append(value)
            at = _skip_spaces(line, after)
            if at < size and line[at] == ",":
                at = _skip_spaces(line, at + 1)
                if at == size and index + 1 < len(lines):  # the list goes on on the next line
                    index += 1
                    line = lines[index]
                    size = len(line)
                    at = _skip_spaces(line, 0)
                    if at == 0 or at == size or line[at] == "#":
                        return DECLINED, index  # not indented, blank, or a comment
                if at < size and line[at] == "]":
                    return DECLINED, index  # a trailing comma
                continue
            if at < size and line[at] == "]":
                at += 1
                break
            return DECLINED, index
    tail = line[at:]
    after_tail = tail.lstrip(" ")
    if after_tail and (after_tail[0] != "#" or after_tail == tail):
        return DECLINED, index
    return items, index


def _skip_spaces(line: str, at: int) -> int:
    size = len(line)
    while at < size and line[at] == " ":
        at += 1
    return at


def _quoted_end(line: str, start: int) -> int:
    """Where the quoted scalar opening at line[start] closes on this line, or -1 if it does
    not, or holds a backslash escape (double quotes)."""
    quote = line[start]
    if quote == '"':
        end = line.find('"', start + 1)
        return -1 if end < 0 or "\\" in line[start + 1:end] else end
    end = start + 1
    while True:
        end = line.find("'", end)
        if end < 0:
            return -1
        if line.startswith("'", end + 1):  # '' is one quote
            end += 2
            continue
        return end


def _quoted(line: str, start: int, end: int) -> str:
    text = line[start + 1:end]
    return text.replace("''", "'") if line[start] == "'" else text


def _resolve(plain: str) -> Any:
    """A plain scalar's value as YAML 1.1 (PyYAML's SafeLoader, crampdx's `3:54` rule) reads
    it, or DECLINED when this reader is not sure."""
    first = plain[0]
    if first in "yYnNtTfFoO":
        if plain in _BOOLS:
            return _BOOLS[plain]
        if plain in _NULLS:
            return None
        return plain
    if plain == "~":
        return None
    if first in "0123456789+-.":
        digits = plain[1:] if first in "+-" else plain
        if len(plain) <= 100 and digits.isascii():
            # the numbers read here: decimal integers without a leading zero (`010` is octal
            # in YAML 1.1) and decimal fractions without an exponent
            if digits.isdigit():
                if digits[0] != "0" or digits == "0":
                    return int(plain)
            else:
                whole, dot, fraction = digits.partition(".")
                if dot and whole.isdigit() and (not fraction or fraction.isdigit()):
                    sign = -1 if first == "-" else 1  # as PyYAML builds it: -0.0 stays -0.0
                    return sign * float(digits)
        if ":" in plain and _pattern(SEXAGESIMAL_PATTERN).match(plain):
            return plain  # first of crampdx's resolvers: 3:54 stays text
        if _NUMBERISH.issuperset(plain) and _pattern(_YAML11_NUMBER_PATTERN).match(plain):
            return DECLINED  # octal, hex, 1_000, .5, 1.5e+3, a date, a timestamp...
        return plain  # 5 km, 1e3 (YAML 1.1's float needs a dot)...
    if plain == "=" or plain == "<<":
        return DECLINED
    return plain
