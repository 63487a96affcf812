"""The interview's rule index: judging only the rules an answer can affect must give exactly
the open rules that judging every rule gives, answer after answer."""

from __future__ import annotations

import random
from typing import Any

import pytest

from conftest import MINI_KB, ROOT
from crampdx.engine import Reasoner
from crampdx.knowledge.loader import load_knowledge
from crampdx.knowledge.model import FINDING_THRESHOLD, KnowledgeBase
from crampdx.questioning import open_rules, status


def reference_open(kb: KnowledgeBase, answers: dict[str, Any], findings: dict[str, float],
                   unknowable: set[str]) -> list[str]:
    """Every rule judged from scratch with the plain recursive three-valued logic."""
    memo: dict[str, Any] = {}

    def plain_truth(finding: str) -> Any:
        if findings.get(finding, 0) > FINDING_THRESHOLD:
            return True
        if finding in memo:
            return memo[finding]
        memo[finding] = False
        producers = [r for r in kb.rules.values()
                     if r.then_kind == "finding" and r.then == finding and r.certainty > 0]
        memo[finding] = None if any(status(r.when, answers, plain_truth, unknowable) is None
                                    for r in producers) else False
        return memo[finding]

    return [rule.id for rule in kb.rules.values()
            if status(rule.when, answers, plain_truth, unknowable) is None]


def random_value(question: Any, rng: random.Random) -> Any:
    if question.type == "number":
        low, high = question.range or (0.0, 100.0)
        return round(rng.uniform(low, high), 1)
    if question.type == "bool":
        return rng.random() < 0.5
    if question.type == "choice":
        return rng.choice(list(question.choices))
    return tuple(rng.sample(list(question.choices), rng.randint(0, min(3, len(question.choices)))))


@pytest.mark.parametrize("kb_dir", [ROOT / "knowledge", MINI_KB], ids=["shipped", "mini"])
@pytest.mark.parametrize("seed", range(3))
def test_incremental_open_rules_match_judging_every_rule(kb_dir, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Answers given one by one (some "don't know", some changed, some withdrawn), with the
    engine's findings after each: the open rules always equal a fresh judgement of all."""
    kb = load_knowledge([kb_dir])
    reasoner = Reasoner(kb)
    rng = random.Random(seed)
    questions = list(kb.questions.values())
    answers: dict[str, Any] = {}
    unknowable: set[str] = set()
    for step in range(60):
        question = rng.choice(questions)
        roll = rng.random()
        if roll < 0.15:
            answers.pop(question.id, None)
            unknowable.add(question.id)
        elif roll < 0.2 and answers:
            withdrawn = rng.choice(list(answers))
            answers.pop(withdrawn)
        else:
            answers[question.id] = random_value(question, rng)
            unknowable.discard(question.id)
        findings = dict(reasoner.infer(answers).findings)
        got = [rule.id for rule in open_rules(kb, answers, findings, unknowable)]
        assert got == reference_open(kb, answers, findings, unknowable), f"step {step}"
