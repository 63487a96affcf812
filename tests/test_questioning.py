"""Goal-directed questioning: which unanswered questions can still change the outcome."""

from __future__ import annotations

import pytest

from crampdx.diagnosis import LEADING_MAX, LEADING_MIN_CERTAINTY, cause_results, leading_causes
from crampdx.engine import Reasoner
from crampdx.knowledge import load_knowledge
from crampdx.questioning import open_rules, relevant_questions

from conftest import MINI_KB

SETTLED = {"onset_km": 45, "longest_run_km": 30, "cramp_pattern": "localized",
           "event_duration_h": 2}


@pytest.fixture(scope="module")
def reasoner() -> Reasoner:
    return Reasoner(load_knowledge([MINI_KB]))


def outcome_relevant(reasoner: Reasoner, answers: dict, unknowable: tuple = ()) -> set[str]:
    inference = reasoner.infer(answers)
    causes, _ = cause_results(reasoner.kb, inference)
    return relevant_questions(reasoner.kb, answers, inference=inference,
                              leading=leading_causes(causes), threshold=LEADING_MIN_CERTAINTY,
                              max_leading=LEADING_MAX, unknowable=unknowable)


def test_any_rule_relevance_keeps_every_open_rule(reasoner: Reasoner) -> None:
    """Without the outcome test, a question counts while any rule reading it is undecided."""
    assert relevant_questions(reasoner.kb, SETTLED) == {
        "symptoms", "eased_when_slowing", "cramp_sites"}


def test_settled_outcome_asks_only_the_red_flags(reasoner: Reasoner) -> None:
    """Too little training leads alone at 0.7: a weak rule that only adds to it, and a rule
    that can only argue against a cause nothing supports, cannot change the outcome; the red
    flags are still asked."""
    assert outcome_relevant(reasoner, SETTLED) == {"symptoms"}


def test_open_cause_keeps_its_questions(reasoner: Reasoner) -> None:
    """With nothing settled, the overdrinking chain could still make hyponatremia lead, so its
    questions matter."""
    relevant = outcome_relevant(reasoner, {"event_duration_h": 6, "drink_type": "water"})
    assert {"drank_beyond_thirst", "cramp_pattern", "cramp_sites"} <= relevant


def test_dont_know_closes_the_rules_that_need_it(reasoner: Reasoner) -> None:
    """After "don't know" to drank_beyond_thirst, overdrinking can never be concluded, so the
    hyponatremia questions stop mattering."""
    answers = {"event_duration_h": 6, "drink_type": "water"}
    relevant = outcome_relevant(reasoner, answers, unknowable=("drank_beyond_thirst",))
    assert "drank_beyond_thirst" not in relevant
    rules = {r.id for r in open_rules(reasoner.kb, answers, {"long_event": 0.9},
                                      unknowable=("drank_beyond_thirst",))}
    assert "overdrinking-water" not in rules and "hyponatremia-full-body" not in rules


def test_leader_below_threshold_still_wants_support(reasoner: Reasoner) -> None:
    """A cause that leads only for want of a stronger one (0.2 < 0.3) keeps asking what could
    make it a strong lead."""
    answers = {"cramp_sites": ["calf"], "event_duration_h": 2}
    inference = reasoner.infer(answers)
    assert inference.causes == {"insufficient_training": pytest.approx(0.2)}
    assert {"onset_km", "longest_run_km"} <= outcome_relevant(reasoner, answers)
