"""The experta engine built from YAML: chaining, certainty, evidence (HOW), unknowns, guards."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.engine import Reasoner, rule_levels
from crampdx.errors import CrampdxError
from crampdx.knowledge import conditions as cond
from crampdx.knowledge import load_knowledge

from conftest import MINI_KB

SEED_LIKE = {
    "event_duration_h": 10.0, "drink_type": "water", "drank_beyond_thirst": True,
    "cramp_pattern": "full_body", "cramp_sites": ("calf", "face"),
    "onset_km": 45.0, "longest_run_km": 30.0,
}


@pytest.fixture(scope="module")
def reasoner() -> Reasoner:
    return Reasoner(load_knowledge([MINI_KB]))


def test_rules_chain_through_findings(reasoner: Reasoner) -> None:
    """long_event -> overdrinking -> hyponatremia, each scaled by its weakest premise."""
    result = reasoner.infer(SEED_LIKE)
    assert result.findings == {"long_event": 0.9, "overdrinking": pytest.approx(0.72)}
    # two rules for hyponatremia: 0.6*0.72 and 0.5*0.72, combined as MYCIN
    first, second = 0.6 * 0.72, 0.5 * 0.72
    assert result.causes["hyponatremia"] == pytest.approx(first + second * (1 - first), abs=1e-4)


def test_evidence_keeps_the_how(reasoner: Reasoner) -> None:
    """Each contribution names its rule, the answers and findings it used, and its certainty."""
    result = reasoner.infer(SEED_LIKE)
    pile = {e.rule.id: e for e in result.evidence_for("cause", "hyponatremia")}
    assert set(pile) == {"hyponatremia-full-body", "hyponatremia-face-or-hands"}
    full_body = pile["hyponatremia-full-body"]
    assert full_body.facts == {"cramp_pattern": "full_body"}
    assert full_body.findings == {"overdrinking": pytest.approx(0.72)}
    relative = result.evidence_for("cause", "insufficient_training")[0]
    assert relative.facts == {"onset_km": 45.0, "longest_run_km": 30.0}


def test_unknown_is_not_false(reasoner: Reasoner) -> None:
    """Without drank_beyond_thirst the overdrinking chain must not fire at all."""
    answers = {k: v for k, v in SEED_LIKE.items() if k != "drank_beyond_thirst"}
    result = reasoner.infer(answers)
    assert "overdrinking" not in result.findings
    assert "hyponatremia" not in result.causes


def test_evidence_against_lowers_a_cause(reasoner: Reasoner) -> None:
    """Localized cramps that eased count against electrolytes (negative certainty)."""
    result = reasoner.infer({"cramp_pattern": "localized", "eased_when_slowing": True})
    assert result.causes["electrolyte_depletion"] == pytest.approx(-0.6)


def test_not_finding_waits_for_producers(reasoner: Reasoner) -> None:
    """`not_finding: overdrinking` only fires when overdrinking is really absent."""
    with_overdrinking = reasoner.infer(SEED_LIKE)
    ids = {e.rule.id for e in with_overdrinking.evidence_for("cause", "insufficient_training")}
    assert "no-overdrinking-short" not in ids
    without = reasoner.infer({"cramp_sites": ("calf",)})
    assert without.causes["insufficient_training"] == pytest.approx(0.2)


def test_any_branches_count_once(reasoner: Reasoner) -> None:
    """A rule whose `any` matches twice still contributes once."""
    result = reasoner.infer({"cramp_sites": ("calf", "inner_thigh")})
    assert result.causes["insufficient_training"] == pytest.approx(0.2)


def test_triage_and_repeat_runs_are_independent(reasoner: Reasoner) -> None:
    """A reasoner is reused across athletes: nothing leaks from one run to the next."""
    first = reasoner.infer({"symptoms": ("confusion",)})
    assert [e.rule.id for e in first.triage] == ["emergency-confusion"]
    second = reasoner.infer({"symptoms": ("nausea",)})
    assert second.triage == [] and second.causes == {}


def test_levels_put_producers_first() -> None:
    """Every rule reading a finding fires after every rule that can conclude it."""
    kb = load_knowledge([MINI_KB])
    levels = rule_levels(kb)
    for rule in kb.rules.values():
        for finding in cond.findings_of(rule.when):
            for producer in kb.rules_for("finding", finding):
                assert levels[producer.id] < levels[rule.id]


def test_step_budget_stops_runaway_inference(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a knowledge base ever re-trigger itself, inference stops with a clear error."""
    reasoner = Reasoner(load_knowledge([MINI_KB]))
    reasoner.max_steps = 1
    with pytest.raises(CrampdxError, match="did not settle after 1 rule firings"):
        reasoner.infer(SEED_LIKE)


def test_finding_cycles_are_refused(tmp_path: Path) -> None:
    """Findings that conclude each other are a knowledge error, not an endless loop."""
    text = (MINI_KB / "kb.yaml").read_text()
    text += """
  - id: loop-back
    when: {finding: overdrinking}
    then: {finding: long_event}
    certainty: 0.5
    because: loops
    source: seed
"""
    (tmp_path / "kb.yaml").write_text(text)
    with pytest.raises(CrampdxError, match="cycle"):
        load_knowledge([tmp_path])


def test_fast_matcher_agrees_with_expertas_own_rete() -> None:
    """The engine's planned matcher is an optimisation only: with experta's own Rete matcher
    and agenda strategy plugged back in, every example reaches the same causes, findings,
    fired rules and red flags."""
    from pathlib import Path

    from crampdx.answers import load_answers
    from crampdx.compat import KnowledgeEngine
    from crampdx.knowledge import default_knowledge_dirs

    from conftest import EXAMPLES

    kb = load_knowledge(default_knowledge_dirs())
    fast = Reasoner(kb)
    plain = Reasoner(kb)
    plain.engine = type("PlainRete", (plain.engine_class,), {
        "__matcher__": KnowledgeEngine.__matcher__,
        "__strategy__": KnowledgeEngine.__strategy__})()
    assert type(plain.engine.matcher).__name__ == "ReteMatcher"
    compared = 0
    for path in sorted(Path(EXAMPLES).glob("*.yaml")):
        answers = load_answers(path, kb).values
        one, two = fast.infer(answers), plain.infer(answers)
        assert one.causes == pytest.approx(two.causes), path.name
        assert one.findings == pytest.approx(two.findings), path.name
        assert set(one.fired) == set(two.fired), path.name
        assert {e.rule.id for e in one.triage} == {e.rule.id for e in two.triage}, path.name
        compared += 1
    assert compared >= 12
