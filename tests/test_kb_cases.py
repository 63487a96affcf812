"""Running cases: what each expectation means, what a failure says, what coverage counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampdx.engine import Reasoner
from crampdx.casework import run_cases
from crampdx.knowledge.cases import Case
from crampdx.knowledge.loader import read_knowledge
from crampdx.knowledge.model import Origin

BASE = Path(__file__).parent / "fixtures" / "kb_base"


@pytest.fixture(scope="module")
def reasoner() -> Reasoner:
    return Reasoner(read_knowledge([BASE]).kb)


def outcome(reasoner: Reasoner, **fields):
    case = Case(id="c", origin=Origin("cases.yaml", 1), **fields)
    return run_cases(reasoner, {"c": case}).outcomes[0]


FULL_BODY = {"event_duration_h": 6, "drink_type": "water", "drank_beyond_thirst": True,
             "cramp_pattern": "full_body"}


def test_lead_with_one_cause_means_ranked_first(reasoner) -> None:
    """hyponatremia 0.43 ranks above electrolyte_depletion 0.40 here."""
    assert outcome(reasoner, answers=FULL_BODY, lead=("hyponatremia",)).passed
    failed = outcome(reasoner, answers=FULL_BODY, lead=("electrolyte_depletion",))
    assert failed.failures == ["expected electrolyte_depletion to lead"]
    assert [cause for cause, _ in failed.causes] == ["hyponatremia", "electrolyte_depletion"]


def test_lead_with_several_causes_means_the_top_places_in_any_order(reasoner) -> None:
    assert outcome(reasoner, answers=FULL_BODY,
                   lead=("electrolyte_depletion", "hyponatremia")).passed
    failed = outcome(reasoner, answers=FULL_BODY,
                     lead=("electrolyte_depletion", "insufficient_training"))
    assert failed.failures == [
        "expected electrolyte_depletion, insufficient_training to lead (in any order)"]


def test_appear_and_absent_look_at_causes_with_positive_certainty(reasoner) -> None:
    """Evidence only against a cause leaves it absent (ruled out, not found)."""
    answers = {"cramp_pattern": "localized", "eased_when_slowing": True}
    result = outcome(reasoner, answers=answers, absent=("electrolyte_depletion",),
                     appear=("electrolyte_depletion",))
    assert result.failures == ["expected electrolyte_depletion among the causes"]
    assert result.ruled_out == [("electrolyte_depletion", -0.6)]
    failed = outcome(reasoner, answers=FULL_BODY, absent=("hyponatremia",))
    assert failed.failures == ["expected hyponatremia absent, but it is at 0.43"]


def test_triage_is_the_report_level(reasoner) -> None:
    assert outcome(reasoner, answers={"symptoms": ("confusion",)}, triage="emergency").passed
    failed = outcome(reasoner, answers={"symptoms": ("nausea",)}, triage="emergency")
    assert failed.failures == ["expected triage emergency; got self_care (no red flag)"]


def test_a_rule_that_did_not_fire_says_which_part_failed(reasoner) -> None:
    """Unanswered facts, false tests and findings not concluded, each named."""
    failed = outcome(reasoner, answers={"event_duration_h": 6, "drink_type": "electrolyte"},
                     fires=("overdrinking-water",))
    assert failed.failures == [
        "expected rule overdrinking-water to fire; it did not: drink_type = water is false "
        "(drink_type = electrolyte); drank_beyond_thirst not answered"]
    failed = outcome(reasoner, answers={"cramp_pattern": "full_body"},
                     fires=("hyponatremia-full-body",))
    assert failed.failures == [
        "expected rule hyponatremia-full-body to fire; it did not: finding overdrinking was "
        "not concluded (0.00)"]


def test_a_rule_with_alternatives_says_none_held(reasoner) -> None:
    failed = outcome(reasoner, answers={"cramp_sites": ("face",)},
                     fires=("no-overdrinking-short",))
    assert failed.failures == [
        "expected rule no-overdrinking-short to fire; it did not: no alternative held: "
        "cramp_sites includes calf is false (cramp_sites = [face]); cramp_sites includes "
        "inner_thigh is false (cramp_sites = [face])"]


def test_a_rule_that_fired_says_on_what(reasoner) -> None:
    failed = outcome(reasoner, answers=FULL_BODY, not_fires=("hyponatremia-full-body",))
    assert failed.failures == [
        "expected rule hyponatremia-full-body not to fire; it fired (0.43) on "
        "cramp_pattern = full_body, overdrinking 0.72"]


def test_coverage_counts_only_passing_cases(reasoner) -> None:
    """A case that fails proves nothing about the rules it names."""
    good = Case(id="good", origin=Origin("c.yaml", 1), answers={"event_duration_h": 5},
                fires=("long-event",))
    bad = Case(id="bad", origin=Origin("c.yaml", 5), answers={"event_duration_h": 5},
               fires=("long-event",), not_fires=("long-event",))
    report = run_cases(reasoner, {"good": good, "bad": bad})
    assert [o.case.id for o in report.failed] == ["bad"]
    assert report.coverage.proven_fire == {"long-event"}
    assert report.coverage.proven_not_fire == set()
    assert "long-event" in report.coverage.missing("not_fires")
