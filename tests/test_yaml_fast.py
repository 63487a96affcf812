"""Answers files are parsed with libyaml when PyYAML has it: the values and every message
(path, line, column, wording) must be exactly those of the pure-Python parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.errors import CrampdxError
from crampdx import yamlfull, yamlio
from crampdx.yamlio import load_yaml_file

GOOD = [
    "event_duration_h: 3:54\ndrink_type: water\nsymptoms: [calf, hamstring]\n",
    "a: &x [1, 2]\nb: *x\n",
    '{"event_distance_km": 42.2, "notes": "JSON is YAML too"}\n',
    "notes: |\n  two\n  lines\nweight_kg: 70\n",
]
BAD = [
    "a: 1\na: 2\n",                                   # duplicate key
    "a:\n\t- 1\n",                                    # a tab
    "a: [1, 2\n",                                     # unclosed flow sequence
    "a: !!python/object:os.system ls\n",              # a Python tag
    "a: !!binary aGVsbG8=\n",                         # a refused plain tag
    "a: 2024-13-45\n",                                # a date that cannot be built
    "a: \x07\n",                                      # a control character
    "a: &x [*x]\n",                                   # an alias inside its own anchor
    "a: *nowhere\n",                                  # an undefined alias
    "- &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"- &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)},"
        f" *{chr(97 + i)}]\n" for i in range(6)),    # an alias bomb
    "[" + "[" * 60 + "]" * 60 + "]\n",                # nested too deeply
    "a: 1\n--- \nb: 2\n",                             # two documents
]


def pure(text: str, path: Path) -> object:
    """PyYAML's pure-Python parser alone (yamlio.parse_yaml would read plain text itself)."""
    return yamlfull.parse_yaml(text, path)


@pytest.mark.parametrize("text", GOOD)
def test_same_values(tmp_path: Path, text: str) -> None:
    """What libyaml builds equals what the pure parser builds, positions included."""
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    fast, slow = load_yaml_file(path), pure(text, path)
    assert fast == slow
    if isinstance(fast, dict):
        assert {k: fast.position_of(k) for k in fast} == {k: slow.position_of(k) for k in slow}


@pytest.mark.parametrize("text", BAD)
def test_same_messages(tmp_path: Path, text: str) -> None:
    """Every broken file gets the very message the pure parser gives, line and column too."""
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CrampdxError) as slow:
        pure(text, path)
    with pytest.raises(CrampdxError) as fast:
        load_yaml_file(path)
    assert str(fast.value) == str(slow.value)
    assert (fast.value.line, fast.value.column) == (slow.value.line, slow.value.column)


@pytest.mark.parametrize("text", ["[" + ", ".join(["1"] * 60) + "]\n",
                                  "a: &x [1]\nb: [" + ", ".join(["1"] * 60) + "]\nc: *x\n"])
def test_too_many_values_without_aliases_still_refused(tmp_path: Path, text: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheap count (no aliases in the text) refuses exactly what the full check refuses,
    at the same place (the limit lowered so the file stays small)."""
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_VALUES", 50)
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CrampdxError) as fast:
        load_yaml_file(path)
    with pytest.raises(CrampdxError) as slow:
        pure(text, path)
    assert "more than 50 values" in str(fast.value)
    assert str(fast.value) == str(slow.value)
