"""The condition compiler: YAML conditions parsed, checked against questions, and evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.knowledge import conditions as cond
from crampdx.knowledge import read_knowledge

KB_HEAD = """\
sections: [{id: s, title: S}]
sources: [{id: seed, cite: Seed, evidence: coaching}]
causes: [{id: c, name: C, summary: S}]
findings: [{id: f, name: F, description: D}]
questions:
  - {id: n, section: s, ask: "N?", type: number, unit: km, range: [0, 500], help: h}
  - {id: m, section: s, ask: "M?", type: number, unit: km, range: [0, 500], help: h}
  - {id: b, section: s, ask: "B?", type: bool, help: h}
  - {id: ch, section: s, ask: "C?", type: choice, choices: {x: X, y: Y, z: Z}, help: h}
  - {id: mu, section: s, ask: "M?", type: multi, choices: {p: P, q: Q, r: R}, help: h}
"""


def rule_kb(tmp_path: Path, when: str, then: str = "{cause: c}") -> tuple:
    (tmp_path / "kb.yaml").write_text(
        KB_HEAD + f"rules:\n  - id: r\n    when: {when}\n    then: {then}\n"
        "    certainty: 0.5\n    because: b\n    source: seed\n", encoding="utf-8")
    result = read_knowledge([tmp_path])
    return result.kb, [str(p) for p in result.problems]


def holds(tmp_path: Path, when: str, answers: dict, findings: dict | None = None):
    kb, problems = rule_kb(tmp_path, when)
    assert problems == []
    truth = lambda f: (findings or {}).get(f)  # noqa: E731
    return cond.evaluate(kb.rules["r"].when, answers, truth)


@pytest.mark.parametrize(
    ("when", "answers", "expected"),
    [
        ("{n: {gt: 4}}", {"n": 5}, True),
        ("{n: {gt: 4}}", {"n": 4}, False),
        ("{n: {ge: 4, lt: 10}}", {"n": 4}, True),
        ("{n: {between: [1, 3]}}", {"n": 3.5}, False),
        ("{n: {gt: {fact: m, times: 1.1}}}", {"n": 45, "m": 40}, True),
        ("{n: {gt: {fact: m, times: 1.1}}}", {"n": 44, "m": 40}, False),
        ("{n: {gt: {fact: m, plus: 500}}}", {"n": 600, "m": 50}, True),
        ("{b: true}", {"b": False}, False),
        ("{ch: {in: [x, y]}}", {"ch": "y"}, True),
        ("{ch: {not: x}}", {"ch": "x"}, False),
        ("{ch: {not_in: [x, y]}}", {"ch": "z"}, True),
        ("{mu: p}", {"mu": ("p", "q")}, True),
        ("{mu: {in: [r, q]}}", {"mu": ("p",)}, False),
        ("{mu: {all: [p, q]}}", {"mu": ("p", "q", "r")}, True),
        ("{mu: {not: p}}", {"mu": ("q",)}, True),
        ("{mu: {not_in: [p, q]}}", {"mu": ("q",)}, False),
        ("{mu: {count_ge: 2}}", {"mu": ("q", "r")}, True),
        ("{any: [{b: true}, {ch: x}]}", {"b": False, "ch": "x"}, True),
    ],
)
def test_operators(tmp_path: Path, when: str, answers: dict, expected: bool) -> None:
    """Each operator means what docs/knowledge-format.md says it means."""
    assert holds(tmp_path, when, answers) is expected


def test_unanswered_is_unknown_not_false(tmp_path: Path) -> None:
    """A missing answer leaves the condition open, even under `not`."""
    assert holds(tmp_path, "{ch: {not: x}}", {}) is None
    assert holds(tmp_path, "{n: {gt: {fact: m}}}", {"n": 3}) is None
    assert holds(tmp_path, "{b: true, ch: x}", {"b": False}) is False  # one false part decides
    assert holds(tmp_path, "{any: [{b: true}, {ch: x}]}", {"b": False}) is None


def test_findings_in_conditions(tmp_path: Path) -> None:
    """Findings are read through the supplied truth function, negation included."""
    assert holds(tmp_path, "{finding: f}", {}, {"f": True}) is True
    assert holds(tmp_path, "{not_finding: f}", {}, {"f": True}) is False
    assert holds(tmp_path, "{not_finding: f}", {}, {}) is None


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("{distance: {gt: 4}}", "unknown fact 'distance'"),
        ("{nn: {gt: 4}}", "(did you mean 'n'?)"),
        ("{ch: {gt: 4}}", "'gt' compares numbers; ch is a choice"),
        ("{ch: w}", "'w' is not a choice of ch"),
        ("{ch: xx}", "(did you mean 'x'?)"),
        ("{n: {greater: 4}}", "unknown operator 'greater'"),
        ("{n: {less_than: 4}}", "unknown operator 'less_than' for n (did you mean 'lt'?)"),
        ("{n: {gt: {fact: ch}}}", "'gt' compares numbers; ch is a choice"),
        ("{b: maybe}", "b is true/false"),
        ("{finding: nope}", "unknown finding 'nope'"),
        ("[1, 2]", "a condition is a non-empty mapping"),
        ("{any: {b: true}}", "'any' takes a list of conditions"),
        ("{mu: {count_ge: -1}}", "'count_ge' takes a whole number >= 0"),
    ],
)
def test_bad_conditions_are_pointed_errors(tmp_path: Path, when: str, message: str) -> None:
    """A mistake in a condition names the rule, file and line, and what would be right."""
    _, problems = rule_kb(tmp_path, when)
    assert problems, "expected a problem"
    assert message in problems[0]
    assert "kb.yaml:" in problems[0] and "rule 'r'" in problems[0]


def test_conclusion_must_exist(tmp_path: Path) -> None:
    """A rule concluding a misspelt cause says which one was meant."""
    _, problems = rule_kb(tmp_path, "{b: true}", "{cause: cc}")
    assert "unknown cause 'cc' (did you mean 'c'?)" in problems[0]


def test_dnf_limits_explosion() -> None:
    """A condition that expands to too many alternatives is refused, not compiled forever."""
    leaf = cond.FactTest("b", "bool", "eq", True)
    wide = cond.AnyOf(tuple([leaf] * 9))
    with pytest.raises(ValueError, match="more than 64 alternatives"):
        cond.branches(cond.AllOf((wide, wide)))


def test_a_badly_named_rule_still_shows_its_other_mistakes(tmp_path: Path) -> None:
    """A rule id in the wrong case is reported together with the rule's other problems, not
    one rename later."""
    (tmp_path / "kb.yaml").write_text(
        KB_HEAD + "rules:\n  - id: New_Rule\n    when: {b: true}\n    then: {cause: c}\n"
        "    certainty: 2\n    because: b\n    source: seed\n", encoding="utf-8")
    problems = [str(p) for p in read_knowledge([tmp_path]).problems]
    assert any("id 'New_Rule' must be kebab-case" in p for p in problems)
    assert any("'certainty' of rule 'New_Rule' must be a number from -1 to 1" in p
               for p in problems)
