"""PyYAML's side of crampdx.yamlio: the located safe loaders, the alias-bomb check and the
full parse. Imported only when a text needs it (yamlio's plain reader declined it, or the
knowledge is read from its YAML): importing PyYAML takes longer than a warm debrief's own work.
yamlio owns the limits (MAX_DEPTH, MAX_EXPANDED_VALUES), read here at call time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from crampdx import yamlio
from crampdx.errors import CrampdxError
from crampdx.yamlio import REFUSED_TAGS, LocatedDict, LocatedList, shorten, spelled
from crampdx.yamlplain import SEXAGESIMAL_PATTERN

_SURROGATE = re.compile("[\ud800-\udfff]")
_SEXAGESIMAL = re.compile(SEXAGESIMAL_PATTERN)
# YAML 1.1 reads a zero-padded `042` as the octal number 34; a runner means 42 (YAML 1.2 agrees)
_OCTAL = re.compile(r"^[-+]?0[0-7_]+$")


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _LocatingConstructor(yaml.constructor.SafeConstructor):
    """The safe constructors, building located maps and sequences and rejecting duplicate keys.

    With a `duplicates` list, a duplicate key is recorded there (and the last value kept, as YAML
    does) instead of stopping the read, so a checker can report it and still read the rest.
    """

    path: str
    depth: int
    duplicates: list[CrampdxError] | None

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Any value PyYAML cannot build becomes a located CrampdxError, not a traceback."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            if isinstance(exc, yaml.YAMLError):
                raise
            line, column = _pos(node)
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            raise CrampdxError(f"cannot read the value {shorten(value)}: "
                               f"{shorten(str(exc).split(';')[0], 100)}",
                               path=self.path, line=line, column=column) from None

    def _refuse(self, node: yaml.Node) -> Any:
        raise yaml.constructor.ConstructorError(
            None, None, f"could not determine a constructor for the tag {node.tag}",
            node.start_mark)

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
                earlier = next(k for k in data if k == key)
                # `yes` and `1`, `1` and `1.0`: different words, one key once YAML reads them
                alike = "" if repr(earlier) == repr(key) else (
                    f" as a key YAML reads as {spelled(earlier)}, which equals "
                    f"{spelled(key)}")
                error = CrampdxError(f"duplicate key '{shorten(key)}' (first given on line "
                                     f"{first}{alike}); YAML would silently keep only the "
                                     "last one", path=self.path, line=line, column=column)
                if self.duplicates is None:
                    raise error
                self.duplicates.append(error)
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

    def _construct_str(self, node: yaml.ScalarNode) -> str:
        """Text with a lone surrogate ("\\ud800" in a quoted string) is not Unicode: every
        output would fail to encode it, so it is refused where it is read."""
        value = self.construct_scalar(node)
        if _SURROGATE.search(value):  # JSON writes an emoji as a pair of escapes: join them
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
        if _SURROGATE.search(value):
            line, column = _pos(node)
            found = _SURROGATE.search(value).group()  # type: ignore[union-attr]
            raise CrampdxError(f"text holds a lone surrogate (\\u{ord(found):04x}), which is "
                               "not a character; write the character itself or delete it",
                               path=self.path, line=line, column=column)
        return value

    def _enter(self, node: yaml.Node) -> None:
        self.depth += 1
        if self.depth > yamlio.MAX_DEPTH:
            line, column = _pos(node)
            raise CrampdxError(f"nested more than {yamlio.MAX_DEPTH} levels deep",
                               path=self.path, line=line, column=column)


_LocatingConstructor.add_constructor("tag:yaml.org,2002:map", _LocatingConstructor._construct_map)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:seq", _LocatingConstructor._construct_seq)
_LocatingConstructor.add_constructor("tag:yaml.org,2002:str", _LocatingConstructor._construct_str)
for _tag in REFUSED_TAGS:
    _LocatingConstructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _LocatingConstructor._refuse)


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1 reads `3:54` as the base-60 number 234; a runner writing a time means 3 h 54.
    Such scalars stay text, so the answer's unit conversion reads them as hours and minutes.
    A zero-padded `042` (YAML 1.1's octal 34) stays text too, read as 42 the same way."""


_Resolver.yaml_implicit_resolvers = {
    first: ([("tag:yaml.org,2002:str", _SEXAGESIMAL)] if first in "+-0123456789" else [])
    + ([("tag:yaml.org,2002:str", _OCTAL)] if first in "+-0" else [])
    + list(resolvers)
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _SafeLocatingLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                          yaml.composer.Composer, _LocatingConstructor, _Resolver):
    """PyYAML's pure-Python parser: slow, but its error messages name what it found."""

    def __init__(self, stream: str, path: str,
                 duplicates: list[CrampdxError] | None = None) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _LocatingConstructor.__init__(self)
        _Resolver.__init__(self)
        self.path, self.depth, self.duplicates = path, 0, duplicates


try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml
    _FastLocatingLoader: type | None = None
else:
    class _FastLocatingLoader(_CParser, _LocatingConstructor,  # type: ignore[no-redef]
                              _Resolver):
        """libyaml's parser (several times faster) under the same constructors."""

        def __init__(self, stream: str, path: str,
                     duplicates: list[CrampdxError] | None = None) -> None:
            _CParser.__init__(self, stream)
            _LocatingConstructor.__init__(self)
            _Resolver.__init__(self)
            self.path, self.depth, self.duplicates = path, 0, duplicates


def _check_expansion(root: yaml.Node, path: str) -> None:
    """Refuse alias bombs and aliases to an enclosing item, counting without expanding."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    aliased = False  # a node met twice is an alias: the message then says so
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > yamlio.MAX_EXPANDED_VALUES:
                line, column = _pos(node)
                how = " once its aliases (*name) are expanded; write it out plainly" \
                    if aliased else "; crampdx reads at most that many"
                raise CrampdxError(f"holds more than {yamlio.MAX_EXPANDED_VALUES:,} values{how}",
                                   path=path, line=line, column=column)
            continue
        if key in sizes:
            aliased = True
            continue
        if key in on_path:
            line, column = _pos(node)
            raise CrampdxError("an alias (*name) refers to the item that contains it, which "
                               "would never end", path=path, line=line, column=column)
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            child_key = id(child)
            if child_key in on_path:
                line, column = _pos(child)
                raise CrampdxError("an alias (*name) refers to the item that contains it, "
                                   "which would never end", path=path, line=line, column=column)
            if child_key not in sizes:
                stack.append((child, False))
            else:
                aliased = True


def _count_nodes(root: yaml.Node) -> int:
    """How many values a tree without aliases holds: each node once, nothing remembered."""
    count, stack = 0, [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        count += 1
        value = node.value
        if type(value) is list:  # a sequence's items, or a mapping's (key, value) pairs
            for item in value:
                if type(item) is tuple:
                    extend(item)
                else:
                    push(item)
    return count


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Unusual(Exception):
    """Something the quick construction leaves to PyYAML's constructor."""


def _construct_quick(loader: Any, root: yaml.Node) -> Any:
    """What `loader.construct_document(root)` builds for a tree without aliases, made by a
    tight walk instead of PyYAML's generic machinery (most of a cold load at thousands of rules:
    a generator and half a dozen calls per value). Text, mappings and sequences are built here;
    any other scalar by the loader's own constructor. Anything else (a merge key, a tagged
    mapping, a duplicate key, nesting deeper than MAX_DEPTH, a lone surrogate, a value that
    cannot be built) raises, and the caller builds the document again the usual way, so the
    result and every error message are PyYAML's."""
    scalar = loader.construct_object
    scalar_node, mapping_node, sequence_node = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
    surrogate = _SURROGATE.search

    def build(node: yaml.Node, depth: int) -> Any:
        kind, tag = type(node), node.tag
        if kind is scalar_node:
            if tag == _STR:
                value = node.value
                if surrogate(value):
                    raise _Unusual
                return value
            if tag == _MAP or tag == _SEQ:
                raise _Unusual
            return scalar(node, deep=True)
        if depth > yamlio.MAX_DEPTH:
            raise _Unusual
        mark = node.start_mark
        if kind is mapping_node and tag == _MAP:
            data = LocatedDict()
            data.line, data.column = mark.line + 1, mark.column + 1
            positions = data._positions
            for key_node, value_node in node.value:
                if type(key_node) is not scalar_node:
                    raise _Unusual  # a list or mapping as a key; a merge key (<<) too
                key_tag = key_node.tag
                if key_tag == _STR:
                    key = key_node.value
                    if surrogate(key):
                        raise _Unusual
                elif key_tag in (_MAP, _SEQ) or not key_tag.startswith("tag:yaml.org,2002:") \
                        or key_tag.endswith((":merge", ":value")):
                    raise _Unusual
                else:
                    key = scalar(key_node, deep=True)
                if key in data:
                    raise _Unusual  # a duplicate: reported (or collected) the usual way
                data[key] = build(value_node, depth + 1)
                key_mark = key_node.start_mark
                positions[key] = (key_mark.line + 1, key_mark.column + 1)
            return data
        if kind is sequence_node and tag == _SEQ:
            items = LocatedList()
            items.line, items.column = mark.line + 1, mark.column + 1
            positions = items._positions
            append = items.append
            for index, child in enumerate(node.value):
                append(build(child, depth + 1))
                child_mark = child.start_mark
                positions[index] = (child_mark.line + 1, child_mark.column + 1)
            return items
        raise _Unusual

    return build(root, 1)


def _load(loader_class: type, text: str, path: str,
          duplicates: list[CrampdxError] | None) -> Any:
    loader = loader_class(text, path, duplicates)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        # An alias (*name) needs an anchor (&name), or the composer has refused it already;
        # without both in the text, only the plain count of values can be too big.
        aliases = "&" in text and "*" in text
        if aliases or _count_nodes(node) > yamlio.MAX_EXPANDED_VALUES:
            _check_expansion(node, path)
        if not aliases:  # an aliased value is one shared object: PyYAML's constructor keeps that
            try:
                return _construct_quick(loader, node)
            except (_Unusual, CrampdxError, yaml.YAMLError, TypeError, RecursionError):
                # built again below, from a clean constructor: PyYAML's result, or its error
                loader.constructed_objects, loader.recursive_objects = {}, {}
                loader.state_generators, loader.deep_construct = [], False
        return loader.construct_document(node)
    finally:
        loader.dispose()


def parse_yaml(text: str, path: str | Path, duplicates: list[CrampdxError] | None = None,
               *, fast: bool = False) -> Any:
    """yamlio.parse_yaml with PyYAML alone: the reference the plain reader is tested against.

    Duplicate keys raise, unless a `duplicates` list is given to collect them in. `fast` parses
    with libyaml when PyYAML has it (a 250 kB file in a second rather than six); text libyaml
    finds invalid is parsed again by PyYAML, whose messages say more (the alias's name, the
    tab character), so the result and the errors are the same either way.
    """
    path = str(path)
    if fast and _FastLocatingLoader is not None:
        already = len(duplicates) if duplicates is not None else 0
        try:
            return _load(_FastLocatingLoader, text, path, duplicates)
        except (yaml.YAMLError, RecursionError):
            if duplicates is not None:
                del duplicates[already:]
    try:
        return _load(_SafeLocatingLoader, text, path, duplicates)
    except CrampdxError:
        raise
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = dict(path=path, line=mark.line + 1 if mark else None,
                     column=mark.column + 1 if mark else None)
        problem = exc.problem or ""
        if "constructor for the tag" not in problem:
            raise CrampdxError(f"invalid YAML: {shorten(problem, 200)}", **where) from None
        tag = problem.rsplit(" ", 1)[-1].strip("'")
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        raise CrampdxError(
            f"YAML tag {shorten(tag) or '(unknown)'} is not allowed: crampdx reads plain data "
            "only (mappings, lists, text, numbers, true/false)", **where) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        raise CrampdxError(f"invalid YAML: {shorten(problem, 200)}", path=path,
                           line=mark.line + 1 if mark else None,
                           column=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise CrampdxError(f"invalid YAML: {shorten(str(exc), 200)}", path=path) from None
    except RecursionError:
        raise CrampdxError(f"nested too deeply (more than {yamlio.MAX_DEPTH} levels)",
                           path=path) from None


def _reader_error(exc: yaml.reader.ReaderError, text: str, path: str) -> CrampdxError:
    """A character YAML does not allow, located by line and column."""
    before = text[:exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    character = exc.character if isinstance(exc.character, int) else 0
    return CrampdxError(f"invalid YAML: character U+{character:04X} is not allowed "
                        "(a control character; delete it)", path=path, line=line, column=column)
