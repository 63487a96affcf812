"""YAML rules -> one generated experta engine class; run it on answers; keep the evidence (HOW).

Every knowledge-base rule becomes one experta Rule per alternative of its condition (its DNF
branches), all built before the engine is instantiated. Each question and each finding gets its
own Fact class; leaves compile to patterns `<question>(value=...)` and `<finding>(cf=...)` whose
values are tested by predicates built from the parsed condition, never by eval.

Matching: experta's generic Rete pays for its generality at every step (each fact is offered
to every type node, every conflict-set node is polled after every firing, each rule is rewritten
to DNF again with dispatch tables of its own), which made 5,000 rules hundreds of times slower
to run than CLIPS. So the compiler also records each branch as a small plan (alpha keys: fact
class, field and shared predicate; variables; relative tests; negated keys), and `_Matcher`, a
ReteMatcher subclass set as the engine's `__matcher__`, keeps one alpha memory per distinct key
and re-matches only the rules an alpha memory change can affect, reporting the same net
activations experta's conflict-set nodes would. `_Strategy` orders the agenda as experta's
DepthStrategy does (salience, then the most recent facts; ties in rule order) but removes an
activation exactly even among equal keys. An engine class holding a rule without a plan (a
hand-written subclass) falls back to experta's own Rete.

Findings chain: a rule that uses a finding gets a lower salience than every rule that can
conclude it (the finding graph is acyclic, the loader checks), so a finding's certainty is final
before anything reads it. Each rule contributes once (its strongest branch), and `run` is given a
step budget, so no knowledge base can make inference loop.
"""

from __future__ import annotations

import gc
import inspect
from bisect import bisect_left, insort
from contextlib import contextmanager
from itertools import product
from typing import Any, Callable, Iterator, Mapping

import msgspec

from crampdx.certainty import combine_all, premise_certainty
from crampdx.compat import MATCH, NOT, TEST, Fact, KnowledgeEngine, P
from crampdx.compat import Rule as ExpertaRule
from crampdx.errors import CrampdxError
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import FINDING_THRESHOLD, KnowledgeBase, Rule


class Answer(Fact):
    """One known answer; each question has a subclass, and `value` is its canonical value."""


class FindingFact(Fact):
    """An intermediate conclusion; each finding has a subclass, `cf` its combined certainty."""


class FactClasses:
    """One Fact subclass per question and per finding, created for one compiled knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.answers = {q: type(f"Answer_{q}", (Answer,), {}) for q in kb.questions}
        self.findings = {f: type(f"Finding_{f}", (FindingFact,), {}) for f in kb.findings}


class Evidence(msgspec.Struct):
    """One fired rule: what it concluded, how strongly, from which answers and findings."""

    rule: Rule
    certainty: float
    facts: dict[str, Any]
    findings: dict[str, float] = msgspec.field(default_factory=dict)


class Inference(msgspec.Struct):
    """What the engine concluded: combined certainties and the evidence behind each."""

    findings: dict[str, float] = msgspec.field(default_factory=dict)
    causes: dict[str, float] = msgspec.field(default_factory=dict)
    evidence: dict[tuple[str, str], list[Evidence]] = msgspec.field(default_factory=dict)
    triage: list[Evidence] = msgspec.field(default_factory=list)
    fired: dict[str, Evidence] = msgspec.field(default_factory=dict)

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
        for test in self.tests:
            if not test.holds(value):
                return False
        return True


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
    """Firing order: a rule's level is above the level of every rule concluding its findings.
    Worked out once per knowledge base (the engine's build and the interview's index both
    read it; a knowledge base is not changed once loaded, and replacing its rules dict works
    it out again)."""
    cached = kb.__dict__.get("_rule_levels")
    if cached is None or cached[0] is not kb.rules or cached[1] != len(kb.rules):
        cached = kb.__dict__["_rule_levels"] = (kb.rules, len(kb.rules), _rule_levels(kb))
    return dict(cached[2])


def _rule_levels(kb: KnowledgeBase) -> dict[str, int]:
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


class _Plan:
    """One rule branch as `_Matcher` sees it; also what experta's run() calls when it fires.

    `positive` holds (alpha key, variable or None) per pattern, an alpha key being (fact class,
    field, predicate or None); `negative` the alpha keys that must stay empty; `tests` the
    relative comparisons over the bound variables.
    """

    def __init__(self, index: int, salience: int, positive: tuple, tests: tuple,
                 negative: tuple, rule: Rule, branch: tuple) -> None:
        self.index, self.salience = index, salience
        self.positive, self.tests, self.negative = positive, tests, negative
        self.rule, self.branch = rule, branch
        self.test_parameters = tuple((test, (test.left, test.right)) for test in tests)
        self.keys = tuple(key for key, _ in positive)
        self.variables = tuple((key[1], variable) for key, variable in positive)
        self.joins = bool(tests) or any(variable for _, variable in positive)
        self.__name__ = rule.id

    def __call__(self, engine: "_EngineBase", **context: Any) -> None:
        engine.record(self.rule, self.branch)


class _Compiler:
    """Builds experta Rule objects and their plans; identical leaf tests share one predicate,
    one pattern object and one alpha memory."""

    def __init__(self, classes: FactClasses) -> None:
        self.classes = classes
        self._value_tests: dict[tuple, _ValueTest] = {}
        self._patterns: dict[tuple, Any] = {}
        self._threshold = P(_above_threshold)

    def value_test(self, tests: tuple[cond.FactTest, ...]) -> _ValueTest:
        test = self._value_tests.get(tests)
        if test is None:
            test = self._value_tests[tests] = _ValueTest(tests)
        return test

    def answer_pattern(self, fact: str, test: _ValueTest | None, variable: str | None) -> Any:
        key = ("answer", fact, test, variable)
        pattern = self._patterns.get(key)
        if pattern is None:
            constraint = P(test) if test is not None else None
            if variable is not None:
                bound = getattr(MATCH, variable)
                constraint = bound & constraint if constraint is not None else bound
            fact_class = self.classes.answers[fact]
            pattern = fact_class(value=constraint) if constraint is not None else fact_class()
            self._patterns[key] = pattern
        return pattern

    def finding_pattern(self, finding: str) -> Any:
        key = ("finding", finding)
        pattern = self._patterns.get(key)
        if pattern is None:
            pattern = self._patterns[key] = self.classes.findings[finding](cf=self._threshold)
        return pattern

    def branch(self, branch: tuple[cond.FactTest | cond.FindingTest, ...],
               patterns_too: bool = True) -> tuple[list, tuple, tuple, tuple]:
        """The experta patterns of one branch (none unless `patterns_too`: the planned matcher
        needs only the plan), and its plan's positive, tests and negative."""
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
        plan_positive: list = []
        for fact, tests in by_fact.items():
            test = self.value_test(tuple(tests)) if tests else None
            variable = f"v_{fact}" if fact in bound else None
            if test is None and variable is None:  # never compiled, kept for completeness
                key: tuple = (self.classes.answers[fact], None, None)
            else:
                key = (self.classes.answers[fact], "value", test)
            if patterns_too:
                patterns.append(self.answer_pattern(fact, test, variable))
            plan_positive.append((key, variable))
        for finding in positive:
            if patterns_too:
                patterns.append(self.finding_pattern(finding))
            plan_positive.append(((self.classes.findings[finding], "cf", _above_threshold), None))
        plan_tests = []
        for leaf in relatives:
            assert leaf.relative is not None
            test = _RelativeTest(leaf, f"v_{leaf.fact}", f"v_{leaf.relative.fact}")
            if patterns_too:
                patterns.append(TEST(test))
            plan_tests.append(test)
        plan_negative = []
        for finding in negative:
            if patterns_too:
                patterns.append(NOT(self.finding_pattern(finding)))
            plan_negative.append((self.classes.findings[finding], "cf", _above_threshold))
        return patterns, tuple(plan_positive), tuple(plan_tests), tuple(plan_negative)


def build_engine_class(kb: KnowledgeBase) -> type:
    """One KnowledgeEngine subclass holding every rule of the knowledge base: a plan per rule
    branch for the planned matcher; experta's own Rule objects (patterns, an action each) are
    made only if something asks the engine for its rules (experta's Rete), as attributes r0,
    r1, ... of the class."""
    classes = FactClasses(kb)
    compiler = _Compiler(classes)
    levels = rule_levels(kb)
    plans: list[_Plan] = []
    for rule in kb.rules.values():
        try:
            alternatives = cond.branches(rule.when)
        except ValueError as exc:
            raise CrampdxError(f"rule '{rule.id}': its condition {exc}",
                               path=rule.origin.path, line=rule.origin.line) from None
        for branch in alternatives:
            _, positive, tests, negative = compiler.branch(branch, patterns_too=False)
            plans.append(_Plan(len(plans), -levels[rule.id], positive, tests, negative, rule,
                               branch))
    attributes: dict[str, Any] = {
        "__doc__": f"Generated from {len(kb.rules)} knowledge-base rules.",
        "fact_classes": classes, "branch_count": len(plans), "crampdx_plans": tuple(plans),
        "_crampdx_compiler": compiler}
    return type("CrampdxEngine", (_EngineBase,), attributes)


def _experta_rules(cls: type) -> None:
    """Make the experta Rule of every plan of an engine class (once), as attributes r0, r1, ...
    of the class that holds the plans, so experta's own lookup finds them."""
    owner = next(klass for klass in cls.__mro__ if "crampdx_plans" in vars(klass))
    if vars(owner).get("_crampdx_rules_made"):
        return
    compiler = vars(owner)["_crampdx_compiler"]
    for plan in vars(owner)["crampdx_plans"]:
        patterns, _, _, _ = compiler.branch(plan.branch)
        experta_rule = ExpertaRule(*patterns, salience=plan.salience)(
            _make_action(plan.rule, plan.branch))
        experta_rule.crampdx_plan = plan
        setattr(owner, f"r{plan.index}", experta_rule)
    owner._crampdx_rules_made = True


# Every action takes (engine, *_, **__): giving them this signature up front spares experta's
# Rule an inspect.signature() per rule.
_ACTION_SIGNATURE = inspect.Signature([
    inspect.Parameter("engine", inspect.Parameter.POSITIONAL_OR_KEYWORD),
    inspect.Parameter("_", inspect.Parameter.VAR_POSITIONAL),
    inspect.Parameter("__", inspect.Parameter.VAR_KEYWORD)])


def _make_action(rule: Rule, branch: tuple) -> Callable[..., None]:
    """The right-hand side of one rule branch: a closure that records evidence."""

    def action(engine: "_EngineBase", *_: Any, **__: Any) -> None:
        engine.record(rule, branch)

    action.__name__ = rule.id
    action.__signature__ = _ACTION_SIGNATURE  # type: ignore[attr-defined]
    return action


class _Activation:
    """A plan matched by some facts: what experta's agenda and run() need of an activation."""

    __slots__ = ("rule", "facts", "context", "key")

    def __init__(self, plan: _Plan, facts: tuple, context: dict[str, Any]) -> None:
        self.rule = plan
        self.facts = facts
        self.context = context
        # DepthStrategy's key: salience first, then the most recently declared facts
        self.key = (plan.salience, sorted((f["__factid__"] for f in facts), reverse=True))

    def __lt__(self, other: Any) -> bool:
        return self.key < other.key

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"_Activation({self.rule.__name__}, {self.key})"


_ReteMatcher = KnowledgeEngine.__matcher__
_DepthStrategy = KnowledgeEngine.__strategy__


class _Matcher(_ReteMatcher):
    """Alpha memories shared by identical patterns, and re-matching of changed rules only.

    For every rule it reports, after each batch of fact changes, the activations that appeared
    and disappeared: what experta's conflict-set nodes report, computed directly. A rule whose
    only patterns are NOTs matches once the engine has been reset (experta's InitialFact).
    Engine classes with rules the compiler did not plan use experta's own Rete instead.
    """

    def __init__(self, engine: KnowledgeEngine) -> None:
        # the plans, unless the class also holds experta rules that have none (a subclass's)
        plans = list(getattr(type(engine), "crampdx_plans", ()))
        foreign = [rule for rule in engine._get_by_type(ExpertaRule)  # type: ignore[attr-defined]
                   if getattr(rule, "crampdx_plan", None) is None]
        self._generic = not plans or bool(foreign)
        if self._generic:
            super().__init__(engine)
            return
        self.engine = engine
        self._plans: list[_Plan] = sorted(plans, key=lambda plan: plan.index)  # type: ignore
        self._alpha: dict[tuple, dict[int, Any]] = {}  # alpha key -> {id(fact): fact}
        self._keys_of_class: dict[type, list[tuple]] = {}
        self._users: dict[tuple, list[int]] = {}  # alpha key -> plans with it as a pattern
        self._blockers: dict[tuple, list[int]] = {}  # alpha key -> plans with it under NOT
        self._needs: list[int] = []  # per plan: how many distinct positive alpha keys
        for position, plan in enumerate(self._plans):
            for key in (*plan.keys, *plan.negative):
                if key not in self._alpha:
                    self._alpha[key] = {}
                    self._keys_of_class.setdefault(key[0], []).append(key)
                    self._users[key], self._blockers[key] = [], []
            positive = dict.fromkeys(plan.keys)
            for key in positive:
                self._users[key].append(position)
            for key in dict.fromkeys(plan.negative):
                self._blockers[key].append(position)
            self._needs.append(len(positive))
        self._unconditional = [p for p, needs in enumerate(self._needs) if not needs]
        self._missing = list(self._needs)  # per plan: how many of those are empty now
        self._matches: dict[int, dict[tuple, _Activation]] = {}  # plan -> current matches
        self._filled: set[tuple] = set()
        self._pending: set[int] = set()
        self._initial = False

    def reset(self) -> None:
        if self._generic:
            super().reset()
            return
        for key in self._filled:
            self._alpha[key].clear()
        self._filled.clear()
        self._matches.clear()
        self._missing = list(self._needs)
        self._initial = True  # experta's reset declares InitialFact next
        self._pending = set(self._unconditional)

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list, list]:
        """Update the alpha memories, then re-match the plans that could have changed: those
        with all their patterns filled, and those that had matches."""
        if self._generic:
            return super().changes(adding, deleting)
        dirty, self._pending = self._pending, set()
        alpha, missing, matches = self._alpha, self._missing, self._matches
        users_of, blockers_of, keys_of = self._users, self._blockers, self._keys_of_class
        for fact in deleting or ():
            identity = id(fact)
            for key in keys_of.get(type(fact), ()):
                memory = alpha[key]
                if memory.pop(identity, None) is None:
                    continue
                emptied = not memory
                for position in users_of[key]:
                    if emptied:
                        missing[position] += 1
                    if position in matches:
                        dirty.add(position)
                for position in blockers_of[key]:
                    if not missing[position] or position in matches:
                        dirty.add(position)
        for fact in adding or ():
            identity = id(fact)
            for key in keys_of.get(type(fact), ()):
                _, name, predicate = key
                if name is not None:
                    try:
                        value = fact[name]
                    except KeyError:
                        continue
                    if predicate is not None and not predicate(value):
                        continue
                memory = alpha[key]
                filling = not memory
                if filling:
                    self._filled.add(key)
                memory[identity] = fact
                for position in users_of[key]:
                    if filling:
                        missing[position] -= 1
                    if not missing[position]:
                        dirty.add(position)
                for position in blockers_of[key]:
                    if not missing[position] or position in matches:
                        dirty.add(position)
        added: list[_Activation] = []
        removed: list[_Activation] = []
        # Among activations the strategy ranks equal, the one inserted last fires first: insert
        # in reverse rule order so that ties fire in the knowledge base's order.
        for position in sorted(dirty, reverse=True):
            self._rematch(position, added, removed)
        return added, removed

    def _rematch(self, position: int, added: list, removed: list) -> None:
        plan = self._plans[position]
        alpha = self._alpha
        old = self._matches.get(position, _NO_MATCHES)
        new: dict[tuple, _Activation] = {}
        if not self._missing[position] and (plan.keys or self._initial) \
                and not any(map(alpha.__getitem__, plan.negative)):
            for combination in product(*[alpha[key].values() for key in plan.keys]):
                context: dict[str, Any] = {}
                if plan.joins and not self._join(plan, combination, context):
                    continue
                identities = tuple(map(id, combination))
                activation = old.get(identities)
                if activation is None:
                    facts = tuple({id(f): f for f in combination}.values())
                    activation = _Activation(plan, facts, context)
                    added.append(activation)
                new[identities] = activation
        for identities, activation in old.items():
            if identities not in new:
                removed.append(activation)
        if new:
            self._matches[position] = new
        elif old:
            del self._matches[position]

    @staticmethod
    def _join(plan: _Plan, combination: tuple, context: dict[str, Any]) -> bool:
        """Bind the plan's variables (consistently) and run its relative tests."""
        for (name, variable), fact in zip(plan.variables, combination):
            if variable is not None:
                value = fact[name]
                if context.setdefault(variable, value) != value:
                    return False
        return all(test(**{name: context.get(name) for name in names})
                   for test, names in plan.test_parameters)


_NO_MATCHES: dict = {}


class _Strategy(_DepthStrategy):
    """experta's depth strategy, with exact removal: DepthStrategy looks for a removed
    activation only next to where bisect lands, and misses it among three or more equal keys."""

    def _update_agenda(self, agenda: Any, added: list, removed: list) -> None:
        activations = agenda.activations
        for activation in removed:
            if activation.key is None:
                activation.key = self.get_key(activation)
            index = bisect_left(activations, activation)
            while index < len(activations) and not activation < activations[index]:
                if activations[index] == activation:
                    del activations[index]
                    break
                index += 1
        for activation in added:
            if activation.key is None:
                activation.key = self.get_key(activation)
            insort(activations, activation)


class _EngineBase(KnowledgeEngine):
    """Collects evidence as rules fire and keeps Finding facts at their combined certainty."""

    __matcher__ = _Matcher
    __strategy__ = _Strategy
    fact_classes: FactClasses
    branch_count: int

    def _get_by_type(self, wanted_type: type) -> Iterator[Any]:
        """experta finds rules and deffacts with inspect.getmembers over every attribute of the
        engine (thousands of rules: a tenth of a second, twice per process); the class
        dictionaries hold the same objects. Same order (by name), bound the same way."""
        cls = type(self)
        found: dict[str, Any] = {}
        for klass in cls.__mro__:
            for name, value in vars(klass).items():
                if name not in found:
                    found[name] = value
        for name in sorted(found):
            value = found[name]
            if isinstance(value, wanted_type):
                value.__get__(self, cls)
                value.ke = self
                yield value

    def get_rules(self) -> list:
        """experta's rules, made on first request (experta's own Rete asks; the planned
        matcher does not)."""
        if hasattr(type(self), "crampdx_plans"):
            _experta_rules(type(self))
        return super().get_rules()

    def get_deffacts(self) -> list:
        """experta walks every attribute (thousands of rules) for these at each reset; the
        class's DefFacts never change, so find them once per class."""
        cls = type(self)
        found = cls.__dict__.get("_crampdx_deffacts")
        if found is None:
            found = tuple(super().get_deffacts())
            cls._crampdx_deffacts = found
        for deffacts in found:  # bind each to this engine, as experta's own lookup does
            deffacts.__get__(self, cls)
            deffacts.ke = self
        return list(found)

    def start(self, answers: Mapping[str, Any]) -> None:
        self.answers = dict(answers)
        self.result = Inference()
        self.finding_facts: dict[str, Any] = {}
        self.reset()
        facts = []
        for fact_id, value in self.answers.items():
            if isinstance(value, list):
                value = tuple(value)
            facts.append(self.fact_classes.answers[fact_id](value=value))
        if facts:
            self.declare(*facts)

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


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building allocates some 100,000 long-lived objects per 5,000 rules; meanwhile the cyclic
    collector would scan the whole heap again and again for nothing (half the build time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Reasoner:
    """A compiled knowledge base: build once, infer for many athletes."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        with _gc_paused():
            self.engine_class = build_engine_class(kb)
            self.engine: _EngineBase = self.engine_class()
        # Every rule may fire a few times (one per branch, again when a finding it reads is
        # revised); past this budget something is wrong with the knowledge, not the athlete.
        self.max_steps = 10 * max(1, self.engine_class.branch_count)

    def infer(self, answers: Mapping[str, Any]) -> Inference:
        engine = self.engine
        engine.start(answers)
        engine.run(steps=self.max_steps)
        if engine.agenda.activations:
            raise CrampdxError(f"inference did not settle after {self.max_steps} rule firings; "
                               "a rule keeps re-triggering: run 'crampdx kb check'")
        return engine.result
