"""A parsed YAML value spelled out with its types and every recorded position, so two readers
(yamlplain, PyYAML's pure parser, libyaml, the quick construction) can be compared exactly."""

from __future__ import annotations

from typing import Any


def located_shape(value: Any) -> Any:
    """Mappings and sequences with their class, line, column and per-item positions (plain
    dicts and lists count as unpositioned); floats by repr, so -0.0 is not 0.0."""
    if isinstance(value, dict):
        return ("map", type(value).__name__, getattr(value, "line", None),
                getattr(value, "column", None), dict(getattr(value, "_positions", {})),
                [(type(k).__name__, k, located_shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", type(value).__name__, getattr(value, "line", None),
                getattr(value, "column", None), dict(getattr(value, "_positions", {})),
                [located_shape(v) for v in value])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)
