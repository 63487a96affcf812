"""CLIPS as a whole process: load rules from a .clp file, assert answers, run, print the result.

The CLIPS side of bench.py's end-to-end comparison with `crampdx debrief`: like a CLIPS program,
it imports clips (clipspy) and the standard library only, never crampdx. The rules are the ones
clipsrun.py translates (one defrule per branch of each rule, same salience strata); each
right-hand side calls back with what crampdx's engine records when a rule fires (rule id, what
it concludes, its certainty, the findings it read), and the bookkeeping below (strongest branch
per rule, MYCIN combination, 4-decimal rounding) is clipsrun's, so the two can be compared.

    python benchmarks/clipsproc.py RULES.clp ANSWERS.json MAX_STEPS   # prints JSON
"""

from __future__ import annotations

import json
import sys
from functools import reduce

import clips


def combine(a: float, b: float) -> float:
    if a >= 0 and b >= 0:
        result = a + b * (1 - a)
    elif a < 0 and b < 0:
        result = a + b * (1 + a)
    else:
        denominator = 1 - min(abs(a), abs(b))
        result = 0.0 if denominator == 0 else (a + b) / denominator
    return max(-1.0, min(1.0, result))


def main(rules_path: str, answers_path: str, max_steps: str) -> int:
    env = clips.Environment()
    findings: dict[str, float] = {}
    causes: dict[str, float] = {}
    fired: dict[str, float] = {}
    triage: list[str] = []
    piles: dict[tuple[str, str], dict[str, float]] = {}
    finding_facts: dict[str, object] = {}

    def fire(rule_id: str, kind: str, then: str, certainty: float, used: str) -> bool:
        premises = [findings[f] for f in used.split()]
        value = round(certainty * min(premises, default=1.0), 4)
        previous = fired.get(rule_id)
        if previous is not None and abs(previous) >= abs(value):
            return False
        fired[rule_id] = value
        if kind == "triage":
            triage.append(rule_id)
            return True
        pile = piles.setdefault((kind, then), {})
        pile.pop(rule_id, None)
        pile[rule_id] = value
        combined = round(reduce(combine, pile.values(), 0.0), 4)
        if kind == "cause":
            causes[then] = combined
            return True
        findings[then] = combined
        old = finding_facts.get(then)
        if old is not None:
            old.retract()  # type: ignore[attr-defined]
        finding_facts[then] = finding_template.assert_fact(id=clips.Symbol(then),
                                                           cf=float(combined))
        return True

    env.define_function(fire, "crampdx-fire")
    env.load(rules_path)
    finding_template = env.find_template("finding")
    answer_template = env.find_template("answer")
    with open(answers_path, encoding="utf-8") as handle:
        answers = json.load(handle)
    env.reset()
    for fact, kind, value in answers:
        if kind == "multi":
            fields = [clips.Symbol(item) for item in value]
        elif kind == "bool":
            fields = [clips.Symbol("TRUE" if value else "FALSE")]
        elif kind == "choice":
            fields = [clips.Symbol(value)]
        else:
            fields = [float(value)]
        answer_template.assert_fact(id=clips.Symbol(fact), value=fields)
    env.run(int(max_steps))
    json.dump({"causes": causes, "findings": findings, "fired": fired, "triage": triage},
              sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
