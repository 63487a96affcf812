"""Running the knowledge base's cases through the real engine and diagnosis (`crampdx kb test`).

This sits above the engine: the knowledge package only parses and checks cases
(`crampdx.knowledge.cases`), so loading knowledge never imports the engine or the diagnosis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import msgspec

from crampdx.knowledge import conditions as cond
from crampdx.knowledge.cases import Case
from crampdx.knowledge.model import KnowledgeBase

if TYPE_CHECKING:
    from crampdx.diagnosis import Diagnosis
    from crampdx.engine import Inference, Reasoner


class CaseOutcome(msgspec.Struct):
    """What one case got, and each expectation it missed (empty when it passed)."""

    case: Case
    failures: list[str]
    causes: list[tuple[str, float]]
    ruled_out: list[tuple[str, float]]
    triage: str
    fired: list[str]
    conditions: list[str] = msgspec.field(default_factory=list)
    findings: dict[str, float] = msgspec.field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.failures


class Coverage(msgspec.Struct):
    """Which rules the cases prove: declared in a passing case, and seen firing at all."""

    rules: list[str]
    proven_fire: set[str] = msgspec.field(default_factory=set)
    proven_not_fire: set[str] = msgspec.field(default_factory=set)
    fired_somewhere: set[str] = msgspec.field(default_factory=set)

    def missing(self, which: str) -> list[str]:
        proven = self.proven_fire if which == "fires" else self.proven_not_fire
        return [rule for rule in self.rules if rule not in proven]


class CaseReport(msgspec.Struct):
    outcomes: list[CaseOutcome]
    coverage: Coverage

    @property
    def failed(self) -> list[CaseOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.passed]


def ranked_text(outcome: CaseOutcome, limit: int = 6) -> str:
    """'a 0.72, b 0.40' — what the case got, for a failure message."""
    if not outcome.causes:
        return "no cause"
    shown = [f"{cause} {certainty:.2f}" for cause, certainty in outcome.causes[:limit]]
    more = len(outcome.causes) - limit
    return ", ".join(shown) + (f", and {more} more" if more > 0 else "")


def why_not(kb: KnowledgeBase, rule_id: str, answers: Mapping[str, Any],
            inference: "Inference") -> str:
    """Which parts of a rule's condition did not hold: the first thing an author needs to see."""
    from crampdx.questioning import finding_truth
    from crampdx.knowledge.reference import describe_test

    rule = kb.rules.get(rule_id)
    if rule is None:
        return "it did not load"
    truth = finding_truth(kb, dict(answers), inference.findings)
    reasons: list[str] = []
    for leaf in cond.walk(rule.when):
        if isinstance(leaf, cond.FindingTest):
            concluded = inference.findings.get(leaf.finding, 0.0)
            holds = truth(leaf.finding) is True
            if leaf.negated and holds:
                reasons.append(f"finding {leaf.finding} was concluded ({concluded:.2f})")
            elif not leaf.negated and not holds:
                reasons.append(f"finding {leaf.finding} was not concluded ({concluded:.2f})")
            continue
        result = leaf.evaluate(answers)
        if result is None:
            missing = [fact for fact in leaf.facts() if fact not in answers]
            reasons.append(f"{', '.join(missing)} not answered")
        elif result is False:
            reasons.append(f"{describe_test(leaf)} is false ({leaf.fact} = "
                           f"{_shown(answers[leaf.fact])})")
    if isinstance(rule.when, cond.AnyOf) or any(isinstance(part, cond.AnyOf)
                                                for part in getattr(rule.when, "parts", ())):
        prefix = "no alternative held: "
    else:
        prefix = ""
    return prefix + ("; ".join(dict.fromkeys(reasons)) or "its condition held, yet it did not fire")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def check_outcome(kb: KnowledgeBase, case: Case, diagnosis: "Diagnosis",
                  inference: "Inference") -> CaseOutcome:
    """Compare what the engine concluded with what the case expects."""
    causes = [(c.id, c.certainty) for c in diagnosis.causes]
    named = diagnosis.triage.conditions()
    outcome = CaseOutcome(case, [], causes, [(c.id, c.certainty) for c in diagnosis.ruled_out],
                          diagnosis.triage.level, sorted(inference.fired), named,
                          dict(diagnosis.findings))
    found = {cause for cause, _ in causes}
    fail = outcome.failures.append
    if case.lead:
        top = {cause for cause, _ in causes[:len(case.lead)]}
        if top != set(case.lead):
            wanted = ", ".join(case.lead)
            fail(f"expected {wanted} to lead{' (in any order)' if len(case.lead) > 1 else ''}")
    for cause in case.appear:
        if cause not in found:
            fail(f"expected {cause} among the causes")
    for cause in case.absent:
        if cause in found:
            fail(f"expected {cause} absent, but it is at {dict(causes)[cause]:.2f}")
    if case.triage and diagnosis.triage.level != case.triage:
        flags = ", ".join(e.rule.id for e in diagnosis.triage.flags) or "no red flag"
        fail(f"expected triage {case.triage}; got {diagnosis.triage.level} ({flags})")
    for condition in case.conditions:
        if condition not in named:
            fail(f"expected a red flag naming condition {condition}; the flags name "
                 f"{', '.join(named) or 'no condition'}")
    for rule_id in case.fires:
        if rule_id not in inference.fired:
            fail(f"expected rule {rule_id} to fire; it did not: "
                 f"{why_not(kb, rule_id, case.answers, inference)}")
    for rule_id in case.not_fires:
        evidence = inference.fired.get(rule_id)
        if evidence is not None:
            used = ", ".join(f"{fact} = {_shown(value)}" for fact, value in evidence.facts.items())
            used += "".join(f", {name} {cf:.2f}" for name, cf in evidence.findings.items())
            fail(f"expected rule {rule_id} not to fire; it fired ({evidence.certainty:.2f}) on "
                 f"{used or 'findings alone'}")
    return outcome


def run_cases(reasoner: "Reasoner", cases: Mapping[str, Case],
              only: list[str] | None = None) -> CaseReport:
    """Run cases through the engine and diagnosis, exactly as `crampdx debrief` would."""
    from crampdx.answers import Answers
    from crampdx.derived import derive, engine_facts
    from crampdx.diagnosis import diagnose

    kb = reasoner.kb
    coverage = Coverage(rules=list(kb.rules))
    outcomes: list[CaseOutcome] = []
    for case in cases.values():
        if only and case.id not in only:
            continue
        answers = Answers(values=dict(case.answers), source=str(case.origin))
        # the fired rules, which a Diagnosis omits; on the same facts diagnose() reasons on
        inference = reasoner.infer(engine_facts(answers.values, derive(answers.values,
                                                                       kb.questions)))
        diagnosis = diagnose(reasoner, answers)
        outcome = check_outcome(kb, case, diagnosis, inference)
        outcomes.append(outcome)
        coverage.fired_somewhere.update(outcome.fired)
        if outcome.passed:
            coverage.proven_fire.update(case.fires)
            coverage.proven_not_fire.update(case.not_fires)
    return CaseReport(outcomes, coverage)
