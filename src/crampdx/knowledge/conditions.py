"""Conditions are data: parsed from YAML into a small tree, checked against the question model.

The same tree serves two readers: the engine compiles its leaves into experta patterns, and
`evaluate` gives a three-valued answer (True, False, or None for "not known yet") that the
report uses to rank unanswered questions and the interview uses to skip questions that can no
longer matter. Nothing here ever `eval`s text.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Mapping, Union

import msgspec

RESERVED = ("finding", "not_finding", "any")
SCALAR_OPS = ("in", "not", "not_in")
NUMBER_OPS = ("gt", "ge", "lt", "le", "between", "not", "in", "not_in")
MULTI_OPS = ("in", "not", "not_in", "all", "count_ge", "count_le")
COMPARE = {
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


class Relative(msgspec.Struct, frozen=True):
    """Another answer, scaled and shifted: `{fact: longest_run_km, times: 1.2, plus: 5}`."""

    fact: str
    times: float = 1.0
    plus: float = 0.0

    def resolve(self, answers: Mapping[str, Any]) -> float | None:
        value = answers.get(self.fact)
        return None if value is None else value * self.times + self.plus

    def __str__(self) -> str:
        text = self.fact
        if self.times != 1:
            text = f"{self.times:g} × {text}"
        if self.plus:
            text += f" {'+' if self.plus > 0 else '-'} {abs(self.plus):g}"
        return text


class FactTest(msgspec.Struct, frozen=True):
    """One operator applied to one answer; `kind` is the question's type."""

    fact: str
    kind: str  # number | bool | choice | multi
    op: str  # eq | in | not | not_in | all | count_ge | count_le | gt | ge | lt | le | between
    arg: Any

    @property
    def relative(self) -> Relative | None:
        return self.arg if isinstance(self.arg, Relative) else None

    def facts(self) -> tuple[str, ...]:
        return (self.fact, self.arg.fact) if self.relative else (self.fact,)

    def holds(self, value: Any, other: float | None = None) -> bool:
        """Whether the answer satisfies this test; `other` is the resolved relative value."""
        op, arg = self.op, (other if self.relative else self.arg)
        if self.kind == "multi":
            chosen = value
            if op == "eq":
                return arg in chosen
            if op == "in":
                return any(item in chosen for item in arg)
            if op == "not":
                return arg not in chosen
            if op == "not_in":
                return not any(item in chosen for item in arg)
            if op == "all":
                return all(item in chosen for item in arg)
            if op == "count_ge":
                return len(chosen) >= arg
            if op == "count_le":
                return len(chosen) <= arg
        if op == "eq":
            return value == arg
        if op == "in":
            return value in arg
        if op == "not":
            return value != arg
        if op == "not_in":
            return value not in arg
        if op == "between":
            return arg[0] <= value <= arg[1]
        return COMPARE[op](value, arg)

    def evaluate(self, answers: Mapping[str, Any]) -> bool | None:
        value = answers.get(self.fact)
        if value is None:
            return None
        other = None
        if self.relative:
            other = self.relative.resolve(answers)
            if other is None:
                return None
        return self.holds(value, other)

    def describe(self) -> str:
        words = {"eq": "=", "in": "in", "not": "≠", "not_in": "not in", "all": "has all of",
                 "count_ge": "count ≥", "count_le": "count ≤", "gt": ">", "ge": "≥", "lt": "<",
                 "le": "≤", "between": "between"}
        if self.kind == "multi" and self.op == "eq":
            return f"{self.fact} includes {self.arg}"
        arg = self.arg
        if isinstance(arg, (list, tuple)):
            arg = ", ".join(str(item) for item in arg)
        if isinstance(arg, bool):
            arg = "yes" if arg else "no"
        return f"{self.fact} {words[self.op]} {arg}"


class FindingTest(msgspec.Struct, frozen=True):
    """Findings that must hold (or, negated, must not) above the certainty threshold."""

    finding: str
    negated: bool = False


class AllOf(msgspec.Struct, frozen=True):
    parts: tuple["Condition", ...]


class AnyOf(msgspec.Struct, frozen=True):
    parts: tuple["Condition", ...]


Condition = Union[FactTest, FindingTest, AllOf, AnyOf]
FindingTruth = Callable[[str], Union[bool, None]]


def evaluate(condition: Condition, answers: Mapping[str, Any],
             finding_truth: FindingTruth) -> bool | None:
    """Kleene three-valued logic: None means an answer or finding that could still go either way."""
    if isinstance(condition, FactTest):
        return condition.evaluate(answers)
    if isinstance(condition, FindingTest):
        truth = finding_truth(condition.finding)
        return truth if truth is None or not condition.negated else not truth
    results = [evaluate(part, answers, finding_truth) for part in condition.parts]
    if isinstance(condition, AllOf):
        if False in results:
            return False
        return None if None in results else True
    if True in results:
        return True
    return None if None in results else False


def walk(condition: Condition) -> Iterator[FactTest | FindingTest]:
    """Every leaf of a condition."""
    if isinstance(condition, (FactTest, FindingTest)):
        yield condition
    else:
        for part in condition.parts:
            yield from walk(part)


def facts_of(condition: Condition) -> set[str]:
    return {fact for leaf in walk(condition) if isinstance(leaf, FactTest) for fact in leaf.facts()}


def findings_of(condition: Condition, *, negated: bool | None = None) -> set[str]:
    return {leaf.finding for leaf in walk(condition) if isinstance(leaf, FindingTest)
            and (negated is None or leaf.negated == negated)}


def branches(condition: Condition, limit: int = 64) -> list[tuple[FactTest | FindingTest, ...]]:
    """The condition in disjunctive normal form: each branch is a conjunction of leaves."""
    if isinstance(condition, (FactTest, FindingTest)):
        return [(condition,)]
    if isinstance(condition, AnyOf):
        result = [branch for part in condition.parts for branch in branches(part, limit)]
    else:
        result = [()]
        for part in condition.parts:
            result = [left + right for left in result for right in branches(part, limit)]
            if len(result) > limit:
                break
    if len(result) > limit:
        raise ValueError(f"expands to more than {limit} alternatives; split it into several rules")
    return result
