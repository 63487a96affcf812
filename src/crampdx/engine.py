"""YAML rules -> one generated experta engine class; run it on answers; keep the evidence (HOW).

Every knowledge-base rule becomes one experta Rule per alternative of its condition (its DNF
branches), all built before the engine is instantiated so experta wires a single Rete network.
Each question and each finding gets its own Fact class, so the Rete alpha network sorts facts by
type before testing any value; leaves compile to patterns `<question>(value=...)` and
`<finding>(cf=...)` whose values are tested by predicates built from the parsed condition,
never by eval.

Findings chain: a rule that uses a finding gets a lower salience than every rule that can
conclude it (the finding graph is acyclic, the loader checks), so a finding's certainty is final
before anything reads it. Each rule contributes once (its strongest branch), and `run` is given a
step budget, so no knowledge base can make inference loop.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from crampdx.certainty import combine_all, premise_certainty
from crampdx.compat import MATCH, NOT, TEST, Fact, KnowledgeEngine, P
from crampdx.compat import Rule as ExpertaRule
from crampdx.errors import CrampdxError
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.loader import FINDING_THRESHOLD
from crampdx.knowledge.model import KnowledgeBase, Rule


class Answer(Fact):
    """One known answer; each question has a subclass, and `value` is its canonical value."""


class FindingFact(Fact):
    """An intermediate conclusion; each finding has a subclass, `cf` its combined certainty."""


class FactClasses:
    """One Fact subclass per question and per finding, created for one compiled knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.answers = {q: type(f"Answer_{q}", (Answer,), {}) for q in kb.questions}
        self.findings = {f: type(f"Finding_{f}", (FindingFact,), {}) for f in kb.findings}


@dataclass
class Evidence:
    """One fired rule: what it concluded, how strongly, from which answers and findings."""

    rule: Rule
    certainty: float
    facts: dict[str, Any]
    findings: dict[str, float] = field(default_factory=dict)


@dataclass
class Inference:
    """What the engine concluded: combined certainties and the evidence behind each."""

    findings: dict[str, float] = field(default_factory=dict)
    causes: dict[str, float] = field(default_factory=dict)
    evidence: dict[tuple[str, str], list[Evidence]] = field(default_factory=dict)
    triage: list[Evidence] = field(default_factory=list)
    fired: dict[str, Evidence] = field(default_factory=dict)

    def evidence_for(self, kind: str, target: str) -> list[Evidence]:
        return self.evidence.get((kind, target), [])


def _above_threshold(cf: float) -> bool:
    return cf > FINDING_THRESHOLD


class _ValueTest:
    """A hashable predicate for one fact's non-relative tests, shared between rules."""

    __slots__ = ("tests",)

    def __init__(self, tests: tuple[cond.FactTest, ...]) -> None:
        self.tests = tests

    def __call__(self, value: Any) -> bool:
        return all(test.holds(value) for test in self.tests)


class _RelativeTest:
    """A TEST over bound variables: experta reads the parameter names from __signature__."""

    def __init__(self, test: cond.FactTest, left: str, right: str) -> None:
        self.test, self.left, self.right = test, left, right
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
             for name in (left, right)])

    def __call__(self, **values: Any) -> bool:
        relative = self.test.relative
        assert relative is not None
        other = values[self.right] * relative.times + relative.plus
        return self.test.holds(values[self.left], other)


def rule_levels(kb: KnowledgeBase) -> dict[str, int]:
    """Firing order: a rule's level is above the level of every rule concluding its findings."""
    producers: dict[str, list[Rule]] = {}
    for rule in kb.rules.values():
        if rule.then_kind == "finding":
            producers.setdefault(rule.then, []).append(rule)
    levels: dict[str, int] = {}
    finding_depth: dict[str, int] = {}

    def depth(finding: str, seen: frozenset[str]) -> int:
        if finding in finding_depth:
            return finding_depth[finding]
        if finding in seen:  # the loader rejects cycles; be safe anyway
            return 0
        result = max((level(rule, seen | {finding}) for rule in producers.get(finding, [])),
                     default=0)
        finding_depth[finding] = result
        return result

    def level(rule: Rule, seen: frozenset[str] = frozenset()) -> int:
        if rule.id not in levels:
            used = cond.findings_of(rule.when)
            levels[rule.id] = 1 + max((depth(f, seen) for f in used), default=0)
        return levels[rule.id]

    for rule in kb.rules.values():
        level(rule)
    return levels


class _Compiler:
    """Builds experta Rule objects; identical leaf tests share one predicate (and alpha node)."""

    def __init__(self, classes: FactClasses) -> None:
        self.classes = classes
        self._value_tests: dict[tuple, P] = {}
        self._threshold = P(_above_threshold)

    def value_pattern(self, tests: tuple[cond.FactTest, ...]) -> P:
        key = tests
        if key not in self._value_tests:
            self._value_tests[key] = P(_ValueTest(tests))
        return self._value_tests[key]

    def branch_patterns(self, branch: tuple[cond.FactTest | cond.FindingTest, ...]) -> list:
        by_fact: dict[str, list[cond.FactTest]] = {}
        relatives: list[cond.FactTest] = []
        positive, negative = [], []
        for leaf in branch:
            if isinstance(leaf, cond.FindingTest):
                (negative if leaf.negated else positive).append(leaf.finding)
            elif leaf.relative:
                relatives.append(leaf)
                by_fact.setdefault(leaf.fact, [])
                by_fact.setdefault(leaf.relative.fact, [])
            else:
                by_fact.setdefault(leaf.fact, []).append(leaf)
        bound = {fact for leaf in relatives for fact in leaf.facts()}
        patterns: list = []
        for fact, tests in by_fact.items():
            constraint = self.value_pattern(tuple(tests)) if tests else None
            if fact in bound:
                variable = getattr(MATCH, f"v_{fact}")
                constraint = variable & constraint if constraint is not None else variable
            fact_class = self.classes.answers[fact]
            patterns.append(fact_class(value=constraint) if constraint is not None
                            else fact_class())
        for finding in positive:
            patterns.append(self.classes.findings[finding](cf=self._threshold))
        for leaf in relatives:
            assert leaf.relative is not None
            patterns.append(TEST(_RelativeTest(leaf, f"v_{leaf.fact}", f"v_{leaf.relative.fact}")))
        for finding in negative:
            patterns.append(NOT(self.classes.findings[finding](cf=self._threshold)))
        return patterns


def build_engine_class(kb: KnowledgeBase) -> type:
    """One KnowledgeEngine subclass holding every rule of the knowledge base."""
    classes = FactClasses(kb)
    compiler = _Compiler(classes)
    levels = rule_levels(kb)
    attributes: dict[str, Any] = {}
    for rule in kb.rules.values():
        try:
            alternatives = cond.branches(rule.when)
        except ValueError as exc:
            raise CrampdxError(f"rule '{rule.id}': its condition {exc}",
                               path=rule.origin.path, line=rule.origin.line) from None
        for index, branch in enumerate(alternatives):
            patterns = compiler.branch_patterns(branch)
            action = _make_action(rule, branch)
            experta_rule = ExpertaRule(*patterns, salience=-levels[rule.id])(action)
            attributes[f"r{len(attributes)}"] = experta_rule
    attributes["__doc__"] = f"Generated from {len(kb.rules)} knowledge-base rules."
    attributes["fact_classes"] = classes
    return type("CrampdxEngine", (_EngineBase,), attributes)


def _make_action(rule: Rule, branch: tuple) -> Callable[..., None]:
    """The right-hand side of one rule branch: a closure that records evidence."""

    def action(engine: "_EngineBase", *_: Any, **__: Any) -> None:
        engine.record(rule, branch)

    action.__name__ = rule.id
    return action


class _EngineBase(KnowledgeEngine):
    """Collects evidence as rules fire and keeps Finding facts at their combined certainty."""

    fact_classes: FactClasses

    def start(self, answers: Mapping[str, Any]) -> None:
        self.answers = dict(answers)
        self.result = Inference()
        self.finding_facts: dict[str, Any] = {}
        self.reset()
        for fact_id, value in self.answers.items():
            if isinstance(value, list):
                value = tuple(value)
            self.declare(self.fact_classes.answers[fact_id](value=value))

    def record(self, rule: Rule, branch: tuple) -> None:
        facts: dict[str, Any] = {}
        findings: dict[str, float] = {}
        for leaf in branch:
            if isinstance(leaf, cond.FactTest):
                for fact in leaf.facts():
                    facts[fact] = self.answers[fact]
            elif not leaf.negated:
                findings[leaf.finding] = self.result.findings[leaf.finding]
        certainty = premise_certainty(rule.certainty, findings.values())
        evidence = Evidence(rule, round(certainty, 4), facts, findings)
        result = self.result
        previous = result.fired.get(rule.id)
        if previous is not None and abs(previous.certainty) >= abs(certainty):
            return  # another branch of the same rule already counted, at least as strongly
        result.fired[rule.id] = evidence
        if rule.then_kind == "triage":
            result.triage = [e for e in result.triage if e.rule.id != rule.id] + [evidence]
            return
        key = (rule.then_kind, rule.then)
        pile = [e for e in result.evidence.get(key, []) if e.rule.id != rule.id] + [evidence]
        result.evidence[key] = pile
        combined = round(combine_all(e.certainty for e in pile), 4)
        if rule.then_kind == "cause":
            result.causes[rule.then] = combined
            return
        result.findings[rule.then] = combined
        old = self.finding_facts.get(rule.then)
        if old is not None:
            self.retract(old)
        finding_class = self.fact_classes.findings[rule.then]
        self.finding_facts[rule.then] = self.declare(finding_class(cf=combined))


class Reasoner:
    """A compiled knowledge base: build once, infer for many athletes."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.engine_class = build_engine_class(kb)
        self.engine: _EngineBase = self.engine_class()
        # Every rule may fire a few times (one per branch, again when a finding it reads is
        # revised); past this budget something is wrong with the knowledge, not the athlete.
        self.max_steps = 10 * max(1, sum(len(cond.branches(r.when)) for r in kb.rules.values()))

    def infer(self, answers: Mapping[str, Any]) -> Inference:
        engine = self.engine
        engine.start(answers)
        engine.run(steps=self.max_steps)
        if engine.agenda.activations:
            raise CrampdxError(f"inference did not settle after {self.max_steps} rule firings; "
                               "a rule keeps re-triggering: run 'crampdx kb check'")
        return engine.result
