"""Reading YAML that is broken in every way a knowledge file can be: always a located, one-line
CrampdxError, never a traceback, never a hang."""

from __future__ import annotations

import pytest

from crampdx.errors import CrampdxError
from crampdx.yamlio import MAX_DEPTH, parse_yaml


def error_of(text: str) -> str:
    with pytest.raises(CrampdxError) as caught:
        parse_yaml(text, "kb.yaml")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_duplicate_key_is_an_error_with_both_lines() -> None:
    """PyYAML would keep the last value silently; crampdx names the line of each."""
    assert error_of("a: 1\nb: 2\na: 3\n") == (
        "kb.yaml:3:1: duplicate key 'a' (first given on line 1); YAML would silently keep only "
        "the last one")


def test_duplicate_keys_can_be_collected_so_the_rest_is_read() -> None:
    """A checker gets every duplicate and still the data (the last value, as YAML does)."""
    found: list[CrampdxError] = []
    data = parse_yaml("rules:\n  - id: a\n    id: b\n  - id: c\n    when: 1\n    when: 2\n",
                      "kb.yaml", found)
    assert [str(e).split(": ")[0] for e in found] == ["kb.yaml:3:5", "kb.yaml:6:5"]
    assert data["rules"][0]["id"] == "b" and data["rules"][1]["when"] == 2


def test_a_number_too_long_to_convert_is_located() -> None:
    """Python refuses int() of more than 4300 digits; that must not escape as a ValueError."""
    message = error_of("rules:\n  - certainty: " + "9" * 5000 + "\n")
    assert message.startswith("kb.yaml:2:16: cannot read the value 9999")
    assert len(message) < 200


def test_an_impossible_date_is_located() -> None:
    """YAML reads 2024-13-45 as a date, which Python cannot build."""
    assert error_of("when: 2024-13-45\n") == (
        "kb.yaml:1:7: cannot read the value 2024-13-45: month must be in 1..12")


@pytest.mark.parametrize("tag", ["!!set {a}", "!!binary aGk=", "!!omap [{a: 1}]", "!!pairs [{a: 1}]",
                                 "!!python/object/apply:os.system [ls]"])
def test_tags_that_build_more_than_plain_data_are_refused(tag: str) -> None:
    """Only mappings, lists, text, numbers and true/false: a set or bytes would confuse checks."""
    assert "is not allowed: crampdx reads plain data only" in error_of(f"rules: {tag}\n")


def test_an_alias_bomb_is_refused_without_expanding_it() -> None:
    """Nine lines of nested aliases would be a billion values; refused at once."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    message = error_of("\n".join(lines) + "\n")
    assert "values once its aliases (*name) are expanded" in message


def test_a_few_aliases_are_fine() -> None:
    """Anchors to reuse answers in cases stay possible."""
    assert parse_yaml("base: &b {a: 1}\ncase: {answers: *b}\n", "kb.yaml")["case"] == {
        "answers": {"a": 1}}


def test_an_alias_inside_itself_is_refused() -> None:
    """A recursive structure would make every reader loop."""
    assert error_of("a: &x [1, *x]\n").endswith("refers to the item that contains it, which "
                                                "would never end")


def test_control_characters_are_located() -> None:
    """PyYAML's reader error spans two lines and no line number; crampdx's has both."""
    assert error_of("a: 1\nb: 'x\x07'\n") == (
        "kb.yaml:2:6: invalid YAML: character U+0007 is not allowed (a control character; "
        "delete it)")


def test_deep_nesting_is_refused() -> None:
    """Beyond MAX_DEPTH levels a knowledge file is broken, not deep."""
    depth = MAX_DEPTH + 5
    assert f"nested more than {MAX_DEPTH} levels deep" in error_of(
        "a: " + "[" * depth + "]" * depth)


def test_very_deep_nesting_does_not_overflow_the_stack() -> None:
    """Ten thousand brackets exhaust PyYAML's recursion; that is reported, not raised."""
    assert "nested too deeply" in error_of("[" * 1500)


def test_merge_of_a_scalar_is_invalid_yaml_not_a_tag_problem() -> None:
    """'<<: 5' used to be reported as a forbidden tag."""
    assert error_of("<<: 5\n") == ("kb.yaml:1:5: invalid YAML: expected a mapping or list of "
                                   "mappings for merging, but found scalar")


def test_a_huge_name_in_a_yaml_error_is_shortened() -> None:
    """PyYAML quotes the offending text; a 5,000-character alias name stays one short line
    (found by the property tests)."""
    message = error_of("*a" + "9" * 5000)
    assert message.startswith("kb.yaml:1:1: invalid YAML: found undefined alias 'a999")
    assert len(message) < 250
