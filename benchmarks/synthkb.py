"""Synthetic crampdx knowledge bases of any size, written as the real YAML format.

The shape follows docs/knowledge-format.md and the shipped knowledge: sections, questions of all
four types (number with units and ranges, bool, choice, multi), findings chained in tiers (a
finding rule reads only findings of a lower tier, so the finding graph is acyclic), causes,
triage rules, `any`, relative comparisons (`{gt: {fact: q, times: 1.2, plus: 5}}`), `not_finding`
and negative certainties. Everything is drawn from a seeded random generator, so a size and a
seed always give the same knowledge base and the same answer sets.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from crampdx.units import TINY_SLIPS

NUMBER_UNITS = ("km", "h", "°C", "ml/h", "g/h", "kg", None)
FINDING_TIERS = 4
RULES_PER_FILE = 500


def shape(n_rules: int) -> dict[str, int]:
    """How many items of each kind a knowledge base of n_rules rules has."""
    return {
        "questions": max(24, n_rules // 8),
        "findings": max(8, n_rules // 25),
        "causes": max(6, n_rules // 50),
        "sections": 4 + n_rules // 1000,
    }


class _Generator:
    def __init__(self, n_rules: int, seed: int) -> None:
        self.n_rules = n_rules
        self.rng = random.Random(f"crampdx-synthetic-{n_rules}-{seed}")
        self.sizes = shape(n_rules)
        self.questions: list[dict[str, Any]] = []
        self.numbers: list[str] = []

    # -- vocabulary -------------------------------------------------------------------------
    def make_questions(self) -> list[dict[str, Any]]:
        rng = self.rng
        sections = self.sizes["sections"]
        bools: list[str] = []
        for index in range(self.sizes["questions"]):
            qid = f"q{index}"
            slot = index % 10
            item: dict[str, Any] = {"id": qid, "section": f"s{index % sections}",
                                    "ask": f"Synthetic question {index}?",
                                    "help": f"Why question {index} matters."}
            if slot < 4:
                item["type"] = "number"
                unit = NUMBER_UNITS[index % len(NUMBER_UNITS)]
                if unit:
                    item["unit"] = unit
                item["range"] = [0, 100]
                self.numbers.append(qid)
            elif slot < 6:
                item["type"] = "bool"
                bools.append(qid)
            elif slot < 9:
                item["type"] = "choice"
                item["choices"] = {f"c{k}": f"Choice {k}" for k in range(3 + index % 4)}
            else:
                item["type"] = "multi"
                item["choices"] = {f"m{k}": f"Item {k}" for k in range(4 + index % 3)}
            if bools and rng.random() < 0.05 and bools[-1] != qid:
                item["ask_if"] = {bools[-1]: True}
            self.questions.append(item)
        return self.questions

    # -- conditions -------------------------------------------------------------------------
    def fact_test(self, question: dict[str, Any]) -> Any:
        rng = self.rng
        qtype = question["type"]
        if qtype == "number":
            roll = rng.random()
            if roll < 0.25:
                return {"gt": round(rng.uniform(15, 85), 1)}
            if roll < 0.45:
                return {"lt": round(rng.uniform(15, 85), 1)}
            if roll < 0.55:
                return {"ge": round(rng.uniform(15, 85), 1)}
            if roll < 0.65:
                return {"le": round(rng.uniform(15, 85), 1)}
            if roll < 0.8:
                low = round(rng.uniform(0, 60), 1)
                return {"between": [low, round(low + rng.uniform(20, 40), 1)]}
            if roll < 0.9:
                low = round(rng.uniform(5, 45), 1)
                return {"gt": low, "lt": round(low + rng.uniform(30, 50), 1)}
            if roll < 0.95:
                return {"not": float(rng.randint(0, 100))}
            return {"in": [float(rng.randint(0, 100)) for _ in range(3)]}
        if qtype == "bool":
            roll = rng.random()
            if roll < 0.8:
                return rng.random() < 0.6
            return {"not": rng.random() < 0.5}
        choices = list(question["choices"])
        roll = rng.random()
        if qtype == "choice":
            if roll < 0.45:
                return rng.choice(choices)
            if roll < 0.75:
                return {"in": rng.sample(choices, 2)}
            if roll < 0.9:
                return {"not": rng.choice(choices)}
            return {"not_in": rng.sample(choices, 2)}
        if roll < 0.35:
            return rng.choice(choices)
        if roll < 0.55:
            return {"in": rng.sample(choices, 2)}
        if roll < 0.65:
            return {"all": rng.sample(choices, 2)}
        if roll < 0.75:
            return {"not": rng.choice(choices)}
        if roll < 0.82:
            return {"not_in": rng.sample(choices, 2)}
        if roll < 0.92:
            return {"count_ge": rng.randint(1, 3)}
        return {"count_le": rng.randint(0, 2)}

    def fact_entries(self, count: int, used: set[str]) -> dict[str, Any]:
        entries: dict[str, Any] = {}
        while len(entries) < count:
            question = self.rng.choice(self.questions)
            if question["id"] in used:
                continue
            used.add(question["id"])
            entries[question["id"]] = self.fact_test(question)
        return entries

    def relative_entry(self, used: set[str]) -> dict[str, Any]:
        rng = self.rng
        left, right = rng.sample(self.numbers, 2)
        if left in used or right in used:
            return {}
        used.update((left, right))
        op = rng.choice(("gt", "lt", "ge", "le"))
        arg: dict[str, Any] = {"fact": right}
        if rng.random() < 0.7:
            arg["times"] = round(rng.uniform(0.6, 1.4), 2)
        if rng.random() < 0.6:
            arg["plus"] = round(rng.uniform(-15, 15), 1)
        return {left: {op: arg}}

    def condition(self, reads: list[str], not_reads: list[str]) -> dict[str, Any]:
        rng = self.rng
        used: set[str] = set()
        facts = 1 + (rng.random() < 0.6) + (rng.random() < 0.25)
        if reads:
            facts = max(1, facts - 1)
        when: dict[str, Any] = self.fact_entries(facts, used)
        if rng.random() < 0.06:
            when.update(self.relative_entry(used))
        if rng.random() < 0.12:
            alternatives = [self.fact_entries(1 + (rng.random() < 0.3), used)
                            for _ in range(2 + (rng.random() < 0.3))]
            when["any"] = alternatives
        if reads:
            when["finding"] = reads[0] if len(reads) == 1 else reads
        if not_reads:
            when["not_finding"] = not_reads[0] if len(not_reads) == 1 else not_reads
        return when

    # -- rules ------------------------------------------------------------------------------
    def make_rules(self) -> list[dict[str, Any]]:
        rng = self.rng
        n_findings, n_causes = self.sizes["findings"], self.sizes["causes"]
        tiers: list[list[str]] = [[] for _ in range(FINDING_TIERS)]
        for index in range(n_findings):
            tiers[index % FINDING_TIERS].append(f"f{index}")
        rules: list[dict[str, Any]] = []
        finding_rules = 0
        for index in range(self.n_rules):
            roll = rng.random()
            rule: dict[str, Any] = {"id": f"r-{index}"}
            if index % 25 == 24:
                kind = "triage"
            elif index < 2 * n_findings or roll < 0.3:
                kind = "finding"
            else:
                kind = "cause"
            reads: list[str] = []
            not_reads: list[str] = []
            if kind == "finding":
                target = f"f{finding_rules % n_findings}"
                finding_rules += 1
                tier = int(target[1:]) % FINDING_TIERS
                lower = [f for t in range(tier) for f in tiers[t]]
                if lower and rng.random() < 0.6:
                    reads = rng.sample(lower, 1 + (rng.random() < 0.15 and len(lower) > 1))
                if lower and rng.random() < 0.05:
                    not_reads = [f for f in [rng.choice(lower)] if f not in reads]
                certainty = round(rng.uniform(0.4, 0.95), 2) if rng.random() > 0.06 \
                    else round(-rng.uniform(0.2, 0.6), 2)
                rule["when"] = self.condition(reads, not_reads)
                rule["then"] = {"finding": target}
                rule["certainty"] = certainty
            elif kind == "cause":
                all_findings = [f for tier in tiers for f in tier]
                if rng.random() < 0.4:
                    reads = rng.sample(all_findings, 1 + (rng.random() < 0.25))
                if rng.random() < 0.07:
                    not_reads = [f for f in [rng.choice(all_findings)] if f not in reads]
                certainty = round(rng.uniform(0.1, 0.9), 2) if rng.random() > 0.2 \
                    else round(-rng.uniform(0.2, 0.8), 2)
                rule["when"] = self.condition(reads, not_reads)
                rule["then"] = {"cause": f"c{rng.randrange(n_causes)}"}
                rule["certainty"] = certainty
            else:
                if rng.random() < 0.3:
                    reads = [rng.choice([f for tier in tiers for f in tier])]
                rule["when"] = self.condition(reads, [])
                rule["then"] = {"triage": rng.choice(("self_care", "see_doctor", "emergency"))}
                rule["action"] = f"Synthetic action {index}."
            rule["because"] = f"Synthetic reason {index}."
            rule["source"] = "synthetic" if index % 3 else "synthetic_seed"
            rules.append(rule)
        return rules


def write_knowledge(directory: Path, n_rules: int, seed: int = 0) -> Path:
    """Write a knowledge base of n_rules rules into `directory` (created); return it."""
    generator = _Generator(n_rules, seed)
    directory.mkdir(parents=True, exist_ok=True)
    sizes = generator.sizes
    base = {
        "sections": [{"id": f"s{k}", "title": f"Section {k}"} for k in range(sizes["sections"])],
        "sources": [{"id": "synthetic_seed", "cite": "Synthetic seed source", "evidence": "coaching"},
                    {"id": "synthetic", "cite": "Synthetic study", "evidence": "study"}],
        "findings": [{"id": f"f{k}", "name": f"Finding {k}",
                      "description": f"Synthetic finding {k}."}
                     for k in range(sizes["findings"])],
        "causes": [{"id": f"c{k}", "name": f"Cause {k}", "summary": f"Synthetic cause {k}."}
                   for k in range(sizes["causes"])],
    }
    _dump(directory / "base.yaml", base)
    _dump(directory / "questions.yaml", {"questions": generator.make_questions()})
    rules = generator.make_rules()
    rules_dir = directory / "rules"
    rules_dir.mkdir(exist_ok=True)
    for part, start in enumerate(range(0, len(rules), RULES_PER_FILE)):
        _dump(rules_dir / f"part-{part:03d}.yaml", {"rules": rules[start:start + RULES_PER_FILE]})
    return directory


def answer_sets(kb: Any, count: int, seed: int = 0, answered: float = 0.85) -> list[dict]:
    """`count` canonical answer dicts (what Reasoner.infer takes) for a loaded knowledge base."""
    sets = []
    for number in range(count):
        rng = random.Random(f"crampdx-answers-{len(kb.rules)}-{seed}-{number}")
        answers: dict[str, Any] = {}
        for question in kb.questions.values():
            if rng.random() > answered:
                continue
            if question.type == "number":
                value = round(rng.uniform(0, 100), 1)
                if question.unit in TINY_SLIPS and value < TINY_SLIPS[question.unit][1]:
                    value = 0.0  # a bare 7.3 ml/h reads as a slip for 7.3 l/h and is refused
                # a number without a unit is a count: whole numbers only (crampdx.answers)
                answers[question.id] = value if question.unit else round(value)
            elif question.type == "bool":
                answers[question.id] = rng.random() < 0.5
            elif question.type == "choice":
                answers[question.id] = rng.choice(list(question.choices))
            else:
                chosen = rng.sample(list(question.choices), rng.randint(0, 3))
                answers[question.id] = tuple(chosen)
        sets.append(answers)
    return sets


def _dump(path: Path, document: dict[str, Any]) -> None:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(f"# Synthetic crampdx knowledge (benchmarks/synthkb.py)\n{text}",
                    encoding="utf-8")
