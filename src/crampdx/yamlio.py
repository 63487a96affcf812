"""Safe YAML (and JSON) reading that remembers where every key and item came from.

Error messages must name file:line:column, and PyYAML forgets positions once it builds plain
dicts; so mappings and sequences are built as dict/list subclasses that keep them. Only the safe
constructors exist: a tag that tries to build a Python object is refused, never run. Duplicate
keys, which PyYAML silently collapses to the last one, are an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crampdx.errors import CrampdxError

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 40


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


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _SafeLocatingLoader(yaml.SafeLoader):
    """SafeLoader whose maps and sequences keep positions and reject duplicate keys."""

    def __init__(self, stream: str, path: str) -> None:
        super().__init__(stream)
        self.path = path
        self.depth = 0

    def _construct_map(self, node: yaml.MappingNode):  # type: ignore[no-untyped-def]
        data = LocatedDict()
        data.line, data.column = _pos(node)
        yield data
        self.flatten_mapping(node)
        self._enter(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                line, column = _pos(key_node)
                raise CrampdxError("a mapping key must be a plain value, not a list or mapping",
                                   path=self.path, line=line, column=column) from None
            if key in data:
                line, column = _pos(key_node)
                first = data.position_of(key)[0]
                raise CrampdxError(f"duplicate key '{key}' (first given on line {first}); "
                                   "YAML would silently keep only the last one",
                                   path=self.path, line=line, column=column)
            data[key] = self.construct_object(value_node, deep=True)
            data._positions[key] = _pos(key_node)
        self.depth -= 1

    def _construct_seq(self, node: yaml.SequenceNode):  # type: ignore[no-untyped-def]
        data = LocatedList()
        data.line, data.column = _pos(node)
        yield data
        self._enter(node)
        for index, child in enumerate(node.value):
            data.append(self.construct_object(child, deep=True))
            data._positions[index] = _pos(child)
        self.depth -= 1

    def _enter(self, node: yaml.Node) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            line, column = _pos(node)
            raise CrampdxError(f"nested more than {MAX_DEPTH} levels deep",
                               path=self.path, line=line, column=column)


_SafeLocatingLoader.add_constructor("tag:yaml.org,2002:map", _SafeLocatingLoader._construct_map)
_SafeLocatingLoader.add_constructor("tag:yaml.org,2002:seq", _SafeLocatingLoader._construct_seq)


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a user's file, turning every OS problem into a one-line CrampdxError."""
    try:
        if path.is_dir():
            raise CrampdxError(f"is a directory, not a {what}", path=path)
        size = path.stat().st_size
        if size > max_bytes:
            raise CrampdxError(f"{what} is {size:,} bytes; crampdx reads at most {max_bytes:,}",
                               path=path)
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CrampdxError(f"no such {what}", path=path) from None
    except PermissionError:
        raise CrampdxError(f"cannot read {what}: permission denied", path=path) from None
    except UnicodeDecodeError as exc:
        raise CrampdxError(f"not UTF-8 text (byte {exc.start}): save the {what} as UTF-8",
                           path=path) from None
    except OSError as exc:
        raise CrampdxError(f"cannot read {what}: {exc.strerror or exc}", path=path) from None


def parse_yaml(text: str, path: str | Path) -> Any:
    """Parse YAML (JSON is YAML too) into located data; any problem becomes a CrampdxError."""
    path = str(path)
    loader = _SafeLocatingLoader(text, path)
    try:
        return loader.get_single_data()
    except CrampdxError:
        raise
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        tag = (exc.problem or "").rsplit(" ", 1)[-1].strip("'")
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        raise CrampdxError(
            f"YAML tag {tag or '(unknown)'} is not allowed: crampdx reads plain data only "
            "(mappings, lists, text, numbers, true/false)",
            path=path, line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        raise CrampdxError(f"invalid YAML: {problem}", path=path,
                           line=mark.line + 1 if mark else None,
                           column=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise CrampdxError(f"invalid YAML: {exc}", path=path) from None
    except RecursionError:
        raise CrampdxError(f"nested too deeply (more than {MAX_DEPTH} levels)", path=path) from None
    finally:
        loader.dispose()


def load_yaml_file(path: Path, *, what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Read and parse one YAML or JSON file."""
    return parse_yaml(read_text(path, what=what, max_bytes=max_bytes), path)


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
