"""Safe YAML (and JSON) reading that remembers where every key and item came from.

Error messages must name file:line:column, and PyYAML forgets positions once it builds plain
dicts; so mappings and sequences are built as dict/list subclasses that keep them. Only the safe
constructors exist: a tag that tries to build a Python object is refused, never run. Duplicate
keys, which PyYAML silently collapses to the last one, are an error. Whatever the text, the
result is data or a one-line CrampdxError: values that cannot be built (a 5,000-digit number, the
date 2024-13-45), recursive aliases and alias bombs are refused with their position.

Importing PyYAML costs more than a warm debrief's own work (its reader compiles a regex over all
of Unicode), and an answers file is nearly always flat `key: value` lines; so a strict reader
for that plain subset (crampdx.yamlplain) tries first, builds exactly what PyYAML would, and
declines anything else, which then goes to PyYAML (crampdx.yamlfull, imported only then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crampdx.errors import CrampdxError

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 40
# Values in a document once every alias (*name) is expanded: readers walk the expanded tree, so
# a few lines of nested aliases ("billion laughs") must not become billions of steps.
MAX_EXPANDED_VALUES = 250_000
# Tags SafeLoader would build that are not plain data; refused like Python object tags.
REFUSED_TAGS = ("binary", "set", "omap", "pairs")


class Located:
    """Mixin: the position of the node itself and of each key/item, 1-based."""

    line: int = 0
    column: int = 0

    def position_of(self, key: Any) -> tuple[int, int]:
        return self._positions.get(key, (self.line, self.column))  # type: ignore[attr-defined]


class LocatedDict(dict, Located):
    """A mapping that knows the line and column of each key."""

    def __init__(self) -> None:
        super().__init__()
        self._positions: dict[Any, tuple[int, int]] = {}


class LocatedList(list, Located):
    """A sequence that knows the line and column of each item."""

    def __init__(self) -> None:
        super().__init__()
        self._positions: dict[Any, tuple[int, int]] = {}


def shorten(value: Any, limit: int = 60) -> str:
    """A user's value as one short line for a message: no newlines, no megabyte keys."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= limit else text[:limit - 3] + "..."


def spelled(value: Any) -> str:
    """A value as YAML would write it (true, null, 2024-01-01), for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return shorten(value)


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a user's file, bounded (crampdx.safeio), every OS problem a one-line CrampdxError."""
    from crampdx.safeio import read_text_bounded

    return read_text_bounded(path, max_bytes=max_bytes, what=what)


def parse_yaml(text: str, path: str | Path, duplicates: list[CrampdxError] | None = None,
               *, fast: bool = False) -> Any:
    """Parse YAML (JSON is YAML too) into located data; any problem becomes a CrampdxError.

    Duplicate keys raise, unless a `duplicates` list is given to collect them in. A plain
    document (crampdx.yamlplain) is read without PyYAML; any other goes to PyYAML, whose
    messages every error keeps. `fast` parses with libyaml when PyYAML has it (a 250 kB file in
    a second rather than six); text libyaml finds invalid is parsed again by PyYAML, whose
    messages say more (the alias's name, the tab character), so the result and the errors are
    the same either way.
    """
    from crampdx import yamlplain

    plain = yamlplain.read(text)
    if plain is not yamlplain.DECLINED:
        return plain
    from crampdx import yamlfull

    return yamlfull.parse_yaml(text, path, duplicates, fast=fast)


def load_yaml_file(path: Path, *, what: str = "file", max_bytes: int = MAX_FILE_BYTES,
                   duplicates: list[CrampdxError] | None = None) -> Any:
    """Read and parse one YAML or JSON file (with libyaml when PyYAML has it: same result and
    the same messages, see parse_yaml)."""
    return parse_yaml(read_text(path, what=what, max_bytes=max_bytes), path, duplicates,
                      fast=True)


def type_name(value: Any) -> str:
    """How a YAML author would name the type of a value."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"
