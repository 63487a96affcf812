"""Cross-file checks: what each file can be right about alone while the whole is still wrong.

The loader checks every item against the schema and every reference against the ids it knows.
This module looks at the knowledge base as a network: rules that can never fire (contradictory
conditions, or a finding nothing concludes), causes no rule can reach, findings concluded but
never used or used but never concluded, questions and sources nothing uses, causes without a
remedy, rules repeated, and rules without a case proving they fire and one proving they don't.

Every problem points at the line of the item it is about. When the loader already reported
problems, items that a broken item mentions are not reported again: a typo in one rule should
give one message, not also "cause X is unreachable" for the cause it would have reached.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Iterable

import msgspec

from crampdx import derived  # a leaf module: what the code reads and cites beside the rules
from crampdx.errors import CrampdxError
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.loader import LoadResult, RawItem, one_line
from crampdx.knowledge.model import KnowledgeBase, Question, Rule
from crampdx.knowledge.reference import describe_test

Leaf = cond.FactTest | cond.FindingTest


def lint(result: LoadResult) -> list[CrampdxError]:
    """Every cross-file problem of a loaded knowledge base, each at its item's line."""
    return _Linter(result).run()


# -- satisfiability of one conjunction ------------------------------------------------------

def branch_contradiction(kb: KnowledgeBase, branch: Iterable[Leaf]) -> str | None:
    """Why no set of answers can make every leaf of a conjunction hold, or None if some can."""
    by_fact: dict[str, list[cond.FactTest]] = {}
    wanted: set[str] = set()
    unwanted: set[str] = set()
    for leaf in branch:
        if isinstance(leaf, cond.FindingTest):
            (unwanted if leaf.negated else wanted).add(leaf.finding)
        elif leaf.relative is None:
            by_fact.setdefault(leaf.fact, []).append(leaf)
    both = sorted(wanted & unwanted)
    if both:
        return f"it needs finding {both[0]} and not finding {both[0]} at once"
    for fact, tests in by_fact.items():
        question = kb.questions.get(fact)
        if question is None:
            continue
        if not _satisfiable(question, tests):
            described = " and ".join(f"'{describe_test(test)}'" for test in tests)
            if question.type == "number" and question.range:
                low, high = question.range
                described += f" (its answers range from {low:g} to {high:g})"
            return f"no answer to {fact} satisfies {described}"
    return None


def _satisfiable(question: Question, tests: list[cond.FactTest]) -> bool:
    if question.type == "number":
        return _number_satisfiable(question, tests)
    if question.type == "multi":
        return _multi_satisfiable(question, tests)
    values: set[Any] = {True, False} if question.type == "bool" else set(question.choices)
    for test in tests:
        if test.op == "eq":
            values &= {test.arg}
        elif test.op == "in":
            values &= set(test.arg)
        elif test.op == "not":
            values -= {test.arg}
        elif test.op == "not_in":
            values -= set(test.arg)
    return bool(values)


def _number_satisfiable(question: Question, tests: list[cond.FactTest]) -> bool:
    low, high = question.range if question.range else (-math.inf, math.inf)
    low_open = high_open = False
    points: set[float] | None = None
    excluded: set[float] = set()
    for test in tests:
        op, arg = test.op, test.arg
        if op in ("gt", "ge") and (arg > low or (arg == low and op == "gt")):
            low, low_open = arg, op == "gt"
        elif op in ("lt", "le") and (arg < high or (arg == high and op == "lt")):
            high, high_open = arg, op == "lt"
        elif op == "between":
            if arg[0] > low:
                low, low_open = arg[0], False
            if arg[1] < high:
                high, high_open = arg[1], False
        elif op in ("eq", "in"):
            chosen = {arg} if op == "eq" else set(arg)
            points = chosen if points is None else points & chosen
        elif op == "not":
            excluded.add(arg)
        elif op == "not_in":
            excluded.update(arg)

    def inside(value: float) -> bool:
        above = value > low or (value == low and not low_open)
        below = value < high or (value == high and not high_open)
        return above and below and value not in excluded

    if points is not None:
        return any(inside(point) for point in points)
    if low < high:
        return True
    return low == high and inside(low)


def _multi_satisfiable(question: Question, tests: list[cond.FactTest]) -> bool:
    """A set S of choices with every test holding: contains M, avoids N, hits each group."""
    must: set[str] = set()
    avoid: set[str] = set()
    groups: list[set[str]] = []
    fewest, most = 0, len(question.choices)
    for test in tests:
        op, arg = test.op, test.arg
        if op == "eq":
            must.add(arg)
        elif op == "all":
            must.update(arg)
        elif op == "in":
            groups.append(set(arg))
        elif op == "not":
            avoid.add(arg)
        elif op == "not_in":
            avoid.update(arg)
        elif op == "count_ge":
            fewest = max(fewest, arg)
        elif op == "count_le":
            most = min(most, arg)
    available = set(question.choices) - avoid
    if not must <= available or fewest > most or len(available) < fewest:
        return False
    open_groups = [group & available for group in groups if not group & must]
    if any(not group for group in open_groups):
        return False
    return len(must) + _hitting_set_size(open_groups) <= most


def _hitting_set_size(groups: list[set[str]]) -> int:
    """The fewest choices that meet every group (exact for the small sets questions have)."""
    if not groups:
        return 0
    universe = sorted(set().union(*groups))
    if len(universe) > 16:
        return 1  # too many to search; 1 is a lower bound, so no false "never fires"
    for size in range(1, len(universe) + 1):
        for combo in itertools.combinations(universe, size):
            chosen = set(combo)
            if all(group & chosen for group in groups):
                return size
    return len(universe)


# -- the network ----------------------------------------------------------------------------

class _Liveness(msgspec.Struct):
    """Which findings can hold and which rule branches can fire, computed to a fixpoint."""

    findings: set[str] = msgspec.field(default_factory=set)
    # rule -> reason per dead branch
    dead: dict[str, list[str]] = msgspec.field(default_factory=dict)
    live: set[str] = msgspec.field(default_factory=set)


class _Linter:
    def __init__(self, result: LoadResult) -> None:
        self.result = result
        self.kb = result.kb
        self.raw = result.raw
        self.problems: list[CrampdxError] = []
        self.mentioned = self._mentioned_by_broken_items() if result.problems else set()

    # -- reporting ---------------------------------------------------------------------------
    def report(self, kind: str, item_id: str, message: str, key: str = "id") -> None:
        raw: RawItem | None = self.raw.get(kind, {}).get(item_id)
        if raw is None:
            self.problems.append(CrampdxError(one_line(message)))
            return
        data = raw.data
        line, column = data.position_of(key if key in data else "id")
        self.problems.append(CrampdxError(one_line(message), path=raw.origin.path,
                                          line=line or None, column=column or None))

    def _mentioned_by_broken_items(self) -> set[str]:
        """Every id-like text in items that did not build, so their targets are not blamed."""
        mentioned: set[str] = set()
        built = {"questions": self.kb.questions, "rules": self.kb.rules,
                 "remedies": self.kb.remedies, "cases": self.result.cases,
                 "findings": self.kb.findings, "causes": self.kb.causes,
                 "sources": self.kb.sources, "sections": self.kb.sections,
                 "plans": self.kb.plans, "conditions": self.kb.conditions}
        for kind, items in self.raw.items():
            for item_id, raw in items.items():
                if item_id not in built.get(kind, {}):
                    _collect_text(raw.data, mentioned)
        return mentioned

    # -- checks ------------------------------------------------------------------------------
    def run(self) -> list[CrampdxError]:
        branches = self.branches()
        liveness = self.liveness(branches)
        self.check_rules(liveness)
        self.check_findings(liveness)
        self.check_causes(liveness)
        self.check_questions()
        self.check_sources_and_sections()
        self.check_repeats()
        self.check_cases()
        return sorted(self.problems, key=lambda p: (p.path or "", p.line or 0, p.column or 0))

    def branches(self) -> dict[str, list[tuple[Leaf, ...]] | None]:
        result: dict[str, list[tuple[Leaf, ...]] | None] = {}
        for rule in self.kb.rules.values():
            try:
                result[rule.id] = cond.branches(rule.when)
            except ValueError as exc:
                self.report("rules", rule.id, f"rule '{rule.id}': its condition {exc}", "when")
                result[rule.id] = None
        return result

    def liveness(self, branches: dict[str, list[tuple[Leaf, ...]] | None]) -> _Liveness:
        kb = self.kb
        contradictions: dict[tuple[str, int], str | None] = {}
        for rule_id, alternatives in branches.items():
            for index, branch in enumerate(alternatives or ()):
                contradictions[(rule_id, index)] = branch_contradiction(kb, branch)
        state = _Liveness()
        changed = True
        while changed:  # findings form a DAG (the loader checks), so this ends
            changed = False
            for rule in kb.rules.values():
                if rule.id in state.live:
                    continue
                alternatives = branches[rule.id]
                if alternatives is None or any(
                        contradictions[(rule.id, index)] is None
                        and all(leaf.finding in state.findings for leaf in branch
                                if isinstance(leaf, cond.FindingTest) and not leaf.negated)
                        for index, branch in enumerate(alternatives)):
                    state.live.add(rule.id)
                    changed = True
                    if rule.then_kind == "finding" and rule.certainty > 0:
                        state.findings.add(rule.then)
        for rule in kb.rules.values():
            reasons = []
            for index, branch in enumerate(branches[rule.id] or ()):
                reason = contradictions[(rule.id, index)]
                if reason is None:
                    missing = sorted(leaf.finding for leaf in branch
                                     if isinstance(leaf, cond.FindingTest) and not leaf.negated
                                     and leaf.finding not in state.findings)
                    if missing:
                        reason = (f"it needs finding {missing[0]}, which no rule that can fire "
                                  "concludes with a positive certainty")
                reasons.append(reason or "")
            state.dead[rule.id] = reasons
        return state

    def check_rules(self, liveness: _Liveness) -> None:
        for rule in self.kb.rules.values():
            reasons = liveness.dead[rule.id]
            if not reasons:
                continue
            if rule.id not in liveness.live:
                if self._mentions_broken(rule):
                    continue
                why = reasons[0] if len(reasons) == 1 else (
                    f"none of its {len(reasons)} alternatives can hold: "
                    + "; ".join(f"({index + 1}) {reason}" for index, reason in enumerate(reasons)))
                self.report("rules", rule.id, f"rule '{rule.id}' can never fire: {why}", "when")
                continue
            for index, reason in enumerate(reasons):
                if reason and not self._mentions_broken(rule):
                    self.report("rules", rule.id,
                                f"rule '{rule.id}': alternative {index + 1} of {len(reasons)} "
                                f"can never hold: {reason}", "when")

    def _mentions_broken(self, rule: Rule) -> bool:
        return bool(cond.findings_of(rule.when) & self.mentioned)

    def check_findings(self, liveness: _Liveness) -> None:
        concluded: dict[str, list[str]] = {}
        used: dict[str, list[str]] = {}
        for rule in self.kb.rules.values():
            if rule.then_kind == "finding":
                concluded.setdefault(rule.then, []).append(rule.id)
            for finding in cond.findings_of(rule.when):
                used.setdefault(finding, []).append(rule.id)
        for finding in self.kb.findings:
            if finding in self.mentioned:
                continue
            producers, consumers = concluded.get(finding, []), used.get(finding, [])
            if not producers and not consumers:
                self.report("findings", finding, f"finding '{finding}' is neither concluded nor "
                            "used by any rule; use it or remove it")
            elif not producers:
                self.report("findings", finding, f"finding '{finding}' is used (by rule "
                            f"'{consumers[0]}') but no rule concludes it, so that rule can "
                            "never fire as written")
            elif not consumers and not self.kb.findings[finding].picture:
                # a finding with a `picture` is used by the report ("what kind of cramp")
                self.report("findings", finding, f"finding '{finding}' is concluded (by rule "
                            f"'{producers[0]}') but no rule uses it; use it in a rule's 'when' "
                            "or conclude a cause instead")
            elif finding not in liveness.findings:
                self.report("findings", finding, f"finding '{finding}' can never hold: no rule "
                            "that can fire concludes it with a positive certainty")

    def check_causes(self, liveness: _Liveness) -> None:
        remedied = {cause for remedy in self.kb.remedies.values() for cause in remedy.causes}
        remedied |= {cause for plan in self.kb.plans.values() for cause in plan.causes}
        for cause in self.kb.causes:
            if cause in self.mentioned:
                continue
            rules = self.kb.rules_for("cause", cause)
            positive = [rule for rule in rules if rule.certainty > 0]
            if not positive:
                what = ("only rules against it (negative certainty)" if rules
                        else "no rule concludes it")
                self.report("causes", cause, f"cause '{cause}' can never be concluded: {what}")
            elif not any(rule.id in liveness.live for rule in positive):
                self.report("causes", cause, f"cause '{cause}' can never be concluded: every "
                            "rule for it can never fire")
            if cause not in remedied:
                self.report("causes", cause, f"cause '{cause}' has no remedy, so a report that "
                            "finds it has nothing to suggest; add one under remedies")

    def check_questions(self) -> None:
        used: set[str] = set()
        for rule in self.kb.rules.values():
            used |= cond.facts_of(rule.when)
        for remedy in self.kb.remedies.values():
            if remedy.when is not None:
                used |= cond.facts_of(remedy.when)
        for question in self.kb.questions.values():
            if question.ask_if is not None:
                used |= cond.facts_of(question.ask_if)
        used |= set(derived.READS)  # distance run, pace and the plan's race duration
        for question in self.kb.questions:
            if question not in used and question not in self.mentioned:
                self.report("questions", question, f"question '{question}' is used by no rule "
                            "(and no ask_if); a rule should read it, or remove it")

    def check_sources_and_sections(self) -> None:
        cited = {rule.source for rule in self.kb.rules.values()}
        cited |= {remedy.source for remedy in self.kb.remedies.values()}
        cited |= {plan.source for plan in self.kb.plans.values()}
        cited |= {c.source for c in self.kb.conditions.values()}
        cited |= {c.return_source for c in self.kb.conditions.values()}
        cited |= {n.source for plan in self.kb.plans.values() for n in plan.sources}
        cited |= set(derived.CITES)  # the pace check and the duration estimates
        for source in self.kb.sources:
            if source not in cited and source not in self.mentioned:
                self.report("sources", source, f"source '{source}' is cited by no rule or "
                            "remedy; cite it or remove it")
        filled = {question.section for question in self.kb.questions.values()}
        for section in self.kb.sections:
            if section not in filled and section not in self.mentioned:
                self.report("sections", section, f"section '{section}' has no questions")

    def check_repeats(self) -> None:
        seen: dict[tuple, str] = {}
        for rule in self.kb.rules.values():
            # two red flags on the same signs may name different conditions (heat stroke,
            # and the muscle breakdown it brings): each is its own advice
            key = (rule.when, rule.then_kind, rule.then, rule.condition)
            if key in seen:
                self.report("rules", rule.id, f"rule '{rule.id}' repeats rule '{seen[key]}' (same "
                            "condition and conclusion), so its evidence would count twice", "when")
            else:
                seen[key] = rule.id

    def check_cases(self) -> None:
        declared: dict[str, set[str]] = {"fires": set(), "not_fires": set()}
        for raw in self.raw.get("cases", {}).values():
            for key, ids in declared.items():
                value = raw.data.get(key)
                if isinstance(value, str):
                    ids.add(value)
                elif isinstance(value, list):
                    ids.update(item for item in value if isinstance(item, str))
        for rule in self.kb.rules:
            fires, holds_back = rule in declared["fires"], rule in declared["not_fires"]
            if not fires and not holds_back:
                self.report("rules", rule, f"rule '{rule}' has no cases: add one where it fires "
                            f"('fires: [{rule}]') and one where it does not ('not_fires: "
                            f"[{rule}]'); see docs/authoring.md")
            elif not fires:
                self.report("rules", rule, f"rule '{rule}' has no case where it fires; add a "
                            f"case with 'fires: [{rule}]'")
            elif not holds_back:
                self.report("rules", rule, f"rule '{rule}' has no case where it does not fire; "
                            f"add a case with 'not_fires: [{rule}]'")


def _collect_text(value: Any, into: set[str]) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            into.add(item)
        elif isinstance(item, dict):
            stack.extend(key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
