"""The same knowledge base run in CLIPS (through clipspy), for an honest speed comparison.

Each branch of each rule's condition (the same DNF `crampdx.engine` compiles) becomes one CLIPS
defrule with the same salience stratification (-level from `crampdx.engine.rule_levels`):

    (answer (id q3) (value ?v_q3&:(> ?v_q3 40.0)))              ; a number, bool or choice
    (answer (id q9) (value $?v_q9&:(member$ m1 ?v_q9)))          ; a multi
    (finding (id f2) (cf ?cf_f2&:(> ?cf_f2 0.2)))                ; finding: f2
    (test (> ?v_q3 (+ (* ?v_q7 1.2) 5.0)))                       ; a relative comparison
    (not (finding (id f4) (cf ?n_f4&:(> ?n_f4 0.2))))            ; not_finding: f4

Tests on one answer are field constraints (CLIPS's alpha network), relative comparisons are
`test` CEs on the join, as in crampdx. The right-hand side calls one Python function that does
what crampdx's engine does when a rule fires (strongest branch per rule, MYCIN combination,
4-decimal rounding) and replaces the finding fact with its new certainty, so both engines do the
same bookkeeping and can be checked against each other. The bookkeeping is written here again,
independently of crampdx.engine, so that agreement means something.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from crampdx.certainty import combine_all, premise_certainty
from crampdx.engine import rule_levels
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import FINDING_THRESHOLD
from crampdx.knowledge.model import KnowledgeBase, Rule

try:
    import clips
except ImportError:  # the bench extra is not installed
    clips = None

TEMPLATES = (
    "(deftemplate answer (slot id (type SYMBOL)) (multislot value))",
    "(deftemplate finding (slot id (type SYMBOL)) (slot cf (type FLOAT)))",
)


def available() -> bool:
    return clips is not None


def _number(value: float) -> str:
    return repr(float(value))


def _atom(kind: str, value: Any) -> str:
    if kind == "number":
        return _number(value)
    if kind == "bool":
        return "TRUE" if value else "FALSE"
    return str(value)


def _scalar_test(test: cond.FactTest, var: str) -> str:
    kind, op, arg = test.kind, test.op, test.arg
    if kind == "number":
        equal, differ = "=", "<>"
    else:
        equal, differ = "eq", "neq"
    if op == "eq":
        return f"({equal} {var} {_atom(kind, arg)})"
    if op == "not":
        return f"({differ} {var} {_atom(kind, arg)})"
    if op == "in":
        return "(or " + " ".join(f"({equal} {var} {_atom(kind, a)})" for a in arg) + ")"
    if op == "not_in":
        return "(and " + " ".join(f"({differ} {var} {_atom(kind, a)})" for a in arg) + ")"
    if op == "between":
        return f"(<= {_number(arg[0])} {var} {_number(arg[1])})"
    symbol = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[op]
    return f"({symbol} {var} {_number(arg)})"


def _multi_test(test: cond.FactTest, var: str) -> str:
    op, arg = test.op, test.arg
    if op == "eq":
        return f"(member$ {arg} {var})"
    if op == "not":
        return f"(not (member$ {arg} {var}))"
    if op == "in":
        return "(or " + " ".join(f"(member$ {a} {var})" for a in arg) + ")"
    if op == "not_in":
        return "(not (or " + " ".join(f"(member$ {a} {var})" for a in arg) + "))"
    if op == "all":
        return "(and " + " ".join(f"(member$ {a} {var})" for a in arg) + ")"
    if op == "count_ge":
        return f"(>= (length$ {var}) {arg})"
    if op == "count_le":
        return f"(<= (length$ {var}) {arg})"
    raise ValueError(f"unknown multi operator {op}")


def _relative_test(test: cond.FactTest) -> str:
    relative = test.relative
    assert relative is not None
    symbol = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[test.op]
    other = f"(+ (* ?v_{relative.fact} {_number(relative.times)}) {_number(relative.plus)})"
    return f"(test ({symbol} ?v_{test.fact} {other}))"


def branch_lhs(kb: KnowledgeBase, branch: tuple) -> list[str]:
    """The CLIPS patterns of one DNF branch, in the order crampdx's compiler uses."""
    by_fact: dict[str, list[cond.FactTest]] = {}
    relatives: list[cond.FactTest] = []
    positive: list[str] = []
    negative: list[str] = []
    for leaf in branch:
        if isinstance(leaf, cond.FindingTest):
            (negative if leaf.negated else positive).append(leaf.finding)
        elif leaf.relative:
            relatives.append(leaf)
            by_fact.setdefault(leaf.fact, [])
            by_fact.setdefault(leaf.relative.fact, [])
        else:
            by_fact.setdefault(leaf.fact, []).append(leaf)
    patterns = []
    for fact, tests in by_fact.items():
        multi = kb.questions[fact].type == "multi"
        var = f"?v_{fact}"
        write = _multi_test if multi else _scalar_test
        constraint = ("$" if multi else "") + var
        constraint += "".join(f"&:{write(test, var)}" for test in tests)
        patterns.append(f"(answer (id {fact}) (value {constraint}))")
    threshold = _number(FINDING_THRESHOLD)
    for finding in positive:
        patterns.append(f"(finding (id {finding}) (cf ?cf_{finding}&:(> ?cf_{finding} "
                        f"{threshold})))")
    patterns.extend(_relative_test(leaf) for leaf in relatives)
    for finding in negative:
        patterns.append(f"(not (finding (id {finding}) (cf ?n_{finding}&:(> ?n_{finding} "
                        f"{threshold}))))")
    return patterns


class ClipsReasoner:
    """A knowledge base compiled to CLIPS constructs in one clips.Environment."""

    def __init__(self, kb: KnowledgeBase) -> None:
        if clips is None:
            raise RuntimeError("clipspy is not installed: pip install -e '.[bench]'")
        self.kb = kb
        self.branches: list[tuple[Rule, tuple]] = []
        levels = rule_levels(kb)
        constructs = list(TEMPLATES)
        for rule in kb.rules.values():
            for branch in cond.branches(rule.when):
                index = len(self.branches)
                self.branches.append((rule, branch))
                lhs = "\n  ".join(branch_lhs(kb, branch))
                constructs.append(f"(defrule b{index} (declare (salience {-levels[rule.id]}))\n"
                                  f"  {lhs}\n  => (crampdx-fire {index}))")
        self.constructs = constructs
        self.env = clips.Environment()
        self.env.define_function(self._fire, "crampdx-fire")
        # One `load` of all constructs is ~10x faster than one env.build() per construct.
        with tempfile.TemporaryDirectory(prefix="crampdx-clips-") as directory:
            path = os.path.join(directory, "kb.clp")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("\n".join(constructs))
            self.env.load(path)
        self.answer_template = self.env.find_template("answer")
        self.finding_template = self.env.find_template("finding")
        self.max_steps = 10 * max(1, len(self.branches))

    def infer(self, answers: dict[str, Any]) -> "ClipsResult":
        env = self.env
        env.reset()
        self.answers = answers
        self.result = ClipsResult()
        self.finding_facts: dict[str, Any] = {}
        questions = self.kb.questions
        assert_fact = self.answer_template.assert_fact
        for fact_id, value in answers.items():
            kind = questions[fact_id].type
            if kind == "multi":
                fields = [clips.Symbol(item) for item in value]
            elif kind == "bool":
                fields = [clips.Symbol("TRUE" if value else "FALSE")]
            elif kind == "choice":
                fields = [clips.Symbol(value)]
            else:
                fields = [float(value)]
            assert_fact(id=clips.Symbol(fact_id), value=fields)
        self.result.steps = env.run(self.max_steps)
        return self.result

    def _fire(self, index: int) -> bool:
        """What crampdx does when a rule branch fires, reimplemented for the comparison."""
        rule, branch = self.branches[index]
        result = self.result
        used = [leaf.finding for leaf in branch
                if isinstance(leaf, cond.FindingTest) and not leaf.negated]
        certainty = round(premise_certainty(rule.certainty,
                                            [result.findings[f] for f in used]), 4)
        previous = result.fired.get(rule.id)
        if previous is not None and abs(previous) >= abs(certainty):
            return False
        result.fired[rule.id] = certainty
        if rule.then_kind == "triage":
            result.triage.add(rule.id)
            return True
        pile = result.piles.setdefault((rule.then_kind, rule.then), {})
        pile.pop(rule.id, None)
        pile[rule.id] = certainty  # a replaced contribution moves to the end, as in crampdx
        combined = round(combine_all(pile.values()), 4)
        if rule.then_kind == "cause":
            result.causes[rule.then] = combined
            return True
        result.findings[rule.then] = combined
        old = self.finding_facts.get(rule.then)
        if old is not None:
            old.retract()
        self.finding_facts[rule.then] = self.finding_template.assert_fact(
            id=clips.Symbol(rule.then), cf=float(combined))
        return True


class ClipsResult:
    def __init__(self) -> None:
        self.findings: dict[str, float] = {}
        self.causes: dict[str, float] = {}
        self.fired: dict[str, float] = {}
        self.triage: set[str] = set()
        self.piles: dict[tuple[str, str], dict[str, float]] = {}
        self.steps = 0


def mismatches(inference: Any, other: ClipsResult, tolerance: float = 1e-9) -> list[str]:
    """Where a crampdx Inference and a CLIPS result disagree (empty when they agree)."""
    problems = []

    def compare(what: str, mine: dict[str, float], theirs: dict[str, float]) -> None:
        for key in sorted(set(mine) | set(theirs)):
            a, b = mine.get(key), theirs.get(key)
            if a is None or b is None or abs(a - b) > tolerance:
                problems.append(f"{what} {key}: crampdx {a} vs CLIPS {b}")

    compare("cause", inference.causes, other.causes)
    compare("finding", inference.findings, other.findings)
    compare("rule", {rid: e.certainty for rid, e in inference.fired.items()}, other.fired)
    mine_triage = {e.rule.id for e in inference.triage}
    for rid in sorted(mine_triage ^ other.triage):
        problems.append(f"triage {rid}: crampdx {rid in mine_triage} vs CLIPS "
                        f"{rid in other.triage}")
    return problems
