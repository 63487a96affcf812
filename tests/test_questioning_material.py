"""The interview's material rules kept incrementally (each cause's certainty bounds, and what
the open rules of each cause, red flag and finding read) must equal working them out from
scratch, answer after answer: with "don't know", changed and withdrawn answers, going back in
a real interview, and jumps to quite different answers."""

from __future__ import annotations

import random
from typing import Any

import pytest

from conftest import MINI_KB, ROOT
from crampdx.derived import derive, engine_facts
from crampdx.diagnosis import LEADING_MAX, LEADING_MIN_CERTAINTY, cause_results, leading_causes
from crampdx.engine import Inference, Reasoner
from crampdx.interview import Interview
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.loader import load_knowledge
from crampdx.knowledge.model import KnowledgeBase
from crampdx.questioning import cause_bounds, material_rules, relevant_questions, rule_index
from test_questioning_index import random_value, reference_open


def from_scratch(kb: KnowledgeBase, answers: dict[str, Any], inference: Inference,
                 unknowable: set[str]) -> tuple[dict, list[str], set[str]]:
    """Bounds, material rules and their questions, every rule judged afresh."""
    open_ = [kb.rules[rid] for rid in reference_open(kb, answers, inference.findings,
                                                      unknowable)]
    leading = leading_causes(cause_results(kb, inference)[0])
    bounds, _ = cause_bounds(kb, open_, inference)
    chosen = material_rules(kb, open_, inference, leading, LEADING_MIN_CERTAINTY, LEADING_MAX)
    questions: set[str] = set()
    for rule in chosen:
        questions |= cond.facts_of(rule.when)
    return bounds, [rule.id for rule in chosen], questions - set(answers) - unknowable


def incremental(kb: KnowledgeBase, answers: dict[str, Any], inference: Inference,
                unknowable: set[str]) -> tuple[dict, list[str], set[str]]:
    index = rule_index(kb)
    leading = leading_causes(cause_results(kb, inference)[0])
    judgement = index.judge(answers, inference.findings, unknowable)
    questions, chosen = index.material_questions(judgement, inference, leading,
                                                 LEADING_MIN_CERTAINTY, LEADING_MAX)
    return (dict(judgement.bounds), index.material_ids(judgement, chosen),
            questions - set(answers) - unknowable)


@pytest.mark.parametrize("kb_dir", [ROOT / "knowledge", MINI_KB], ids=["shipped", "mini"])
@pytest.mark.parametrize("seed", range(3))
def test_incremental_bounds_and_material_rules_match_from_scratch(kb_dir, seed: int) -> None:  # type: ignore[no-untyped-def]
    kb = load_knowledge([kb_dir])
    reasoner = Reasoner(kb)
    rng = random.Random(seed)
    questions = list(kb.questions.values())
    answers: dict[str, Any] = {}
    unknowable: set[str] = set()
    given: list[str] = []
    for step in range(80):
        question = rng.choice(questions)
        roll = rng.random()
        if roll < 0.15:  # "don't know"
            answers.pop(question.id, None)
            unknowable.add(question.id)
        elif roll < 0.25 and given:  # back: the last answer withdrawn
            last = given.pop()
            answers.pop(last, None)
            unknowable.discard(last)
        elif roll < 0.28:  # another athlete: many answers at once (judged afresh)
            answers = {q.id: random_value(q, rng) for q in rng.sample(questions, min(12, len(questions)))}
            unknowable = set()
            given = list(answers)
        else:
            answers[question.id] = random_value(question, rng)
            unknowable.discard(question.id)
            given.append(question.id)
        inference = reasoner.infer(answers)
        want = from_scratch(kb, answers, inference, unknowable)
        got = incremental(kb, answers, inference, unknowable)
        assert got[0] == want[0], f"bounds, step {step}"
        assert got[1] == want[1], f"material rules, step {step}"
        assert got[2] == want[2], f"questions, step {step}"
        leading = leading_causes(cause_results(kb, inference)[0])
        assert relevant_questions(kb, answers, inference=inference, leading=leading,
                                  threshold=LEADING_MIN_CERTAINTY, max_leading=LEADING_MAX,
                                  unknowable=unknowable) == want[2]


@pytest.mark.parametrize("seed", range(3))
def test_interview_with_back_and_dont_know_asks_what_from_scratch_would(seed: int) -> None:
    """A real interview on the shipped knowledge, answered at random, with "don't know" and
    Back: the questions it still counts as relevant are those a fresh judgement finds."""
    kb = load_knowledge([ROOT / "knowledge"])
    flow = Interview(Reasoner(kb))
    rng = random.Random(seed)
    step = flow.next_step()
    for _ in range(40):
        if step is None:
            break
        roll = rng.random()
        if roll < 0.2 and flow.back():
            step = flow.next_step()
            assert step is not None
        value = None if roll > 0.85 else random_value(step.question, rng)
        flow.answer(step.question.id, value)
        values = dict(flow.values)
        inference = flow.reasoner.infer(engine_facts(values, derive(values, kb.questions)))
        want = from_scratch(kb, values, inference, set(flow.skipped))[2] - set(flow.asked)
        assert flow.relevant() == want
        step = flow.next_step()
