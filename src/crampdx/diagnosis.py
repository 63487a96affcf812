"""From an inference to a diagnosis: triage level, ranked causes with evidence, the action plan
(crampdx.plan) and the unanswered questions that would change the result most. Pure data;
renderers print it."""

from __future__ import annotations

from typing import Any, Mapping

import msgspec

from crampdx.answers import Answers
from crampdx.derived import Caution, DerivedValue, cautions, derive, engine_facts
from crampdx.engine import Evidence, Inference, Reasoner
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import FINDING_THRESHOLD, TRIAGE_LEVELS, KnowledgeBase
from crampdx.plan import NextRace, Plan, fill, make_plan
from crampdx.questioning import open_rules

LEADING_MIN_CERTAINTY = 0.3
LEADING_MAX = 3
UNANSWERED_MAX = 5
# A changeable cause "has evidence" from this certainty on: then it ranks above the mechanism and
# the minor contributors whatever their certainty (docs/knowledge-format.md, "Ranking").
EVIDENCE_MIN_CERTAINTY = 0.25


class CauseResult(msgspec.Struct):
    id: str
    name: str
    summary: str
    certainty: float
    support: list[Evidence]
    against: list[Evidence]
    role: str = "cause"


class Picture(msgspec.Struct):
    """One line of "what kind of cramp this was": a finding that describes the cramps."""

    id: str
    text: str
    certainty: float


class Triage(msgspec.Struct):
    """`level` comes from every red flag that fired; `flags` are those the report shows (a
    flag whose condition also has a flag of a higher level is `superseded`: its advice would
    contradict the more urgent one). `screened` only when every red-flag question was
    answered; `unscreened` names the ones that were not (unknown is never safe)."""

    level: str
    flags: list[Evidence]
    screened: bool = True
    unscreened: list[str] = msgspec.field(default_factory=list)
    superseded: list[Evidence] = msgspec.field(default_factory=list)
    # Unanswered red-flag questions whose answer could change nothing: every triage rule
    # reading them names a condition already flagged at that rule's level or higher.
    moot: list[str] = msgspec.field(default_factory=list)

    def levels(self) -> list[str]:
        """The levels of the shown flags, most severe first, each once."""
        return list(dict.fromkeys(flag.rule.then for flag in self.flags))

    def conditions(self) -> list[str]:
        """The condition ids the shown flags name, in the order they are shown."""
        return list(dict.fromkeys(flag.rule.condition for flag in self.flags
                                  if flag.rule.condition))


class Unanswered(msgspec.Struct):
    id: str
    ask: str
    weight: float
    informs: list[str]


class Diagnosis(msgspec.Struct):
    """Everything a report shows; `causes` holds only positive certainty, highest first."""

    answers: Answers
    triage: Triage
    causes: list[CauseResult]
    ruled_out: list[CauseResult]
    leading: list[str]
    plan: Plan
    unanswered: list[Unanswered]
    findings: dict[str, float] = msgspec.field(default_factory=dict)
    questions_total: int = 0
    estimated: dict[str, DerivedValue] = msgspec.field(default_factory=dict)  # crampdx.derived
    kind: list[Picture] = msgspec.field(default_factory=list)
    # crampdx.derived: an impossible pace, a race not finished; shown after the red flags
    cautions: list[Caution] = msgspec.field(default_factory=list)


RED_FLAGS_SECTION = "red_flags"


def unscreened_questions(kb: KnowledgeBase, answers: dict[str, Any]) -> list[str]:
    """Red-flag questions (the `red_flags` section) left unanswered, except those whose
    `ask_if` rules them out for these answers."""
    return [q.id for q in kb.questions.values()
            if q.section == RED_FLAGS_SECTION and q.id not in answers
            and (q.ask_if is None or cond.evaluate(q.ask_if, answers, lambda _f: None)
                 is not False)]


def _readers(kb: KnowledgeBase, questions: list[str]) -> dict[str, list[Any]]:
    """For each question, the triage rules that read it, directly or through findings derived
    from it. Each rule's condition is walked once for all the questions (walking every rule
    again per question and per pass made this grow with questions x rules)."""
    reads = [(rule, cond.facts_of(rule.when), cond.findings_of(rule.when))
             for rule in kb.rules.values() if rule.then_kind in ("finding", "triage")]
    derivations = [item for item in reads if item[0].then_kind == "finding"]
    triage = [item for item in reads if item[0].then_kind == "triage"]
    readers: dict[str, list[Any]] = {}
    for question in questions:
        findings: set[str] = set()
        changed = True
        while changed:  # findings read the question, or read findings that do, ...
            changed = False
            for rule, facts, used in derivations:
                if rule.then not in findings and (question in facts or used & findings):
                    findings.add(rule.then)
                    changed = True
        readers[question] = [rule for rule, facts, used in triage
                             if question in facts or used & findings]
    return readers


def _related(kb: KnowledgeBase, condition_id: str) -> set[str]:
    """A condition, its milder form's parent and what supersedes it: one piece of advice."""
    condition = kb.conditions.get(condition_id)
    return ({condition_id, condition.milder_form_of if condition else ""}
            | set(condition.superseded_by if condition else ())) - {""}


def moot_questions(kb: KnowledgeBase, unanswered: list[str], fired: list[Evidence]) -> list[str]:
    """Of the unanswered red-flag questions, those no answer could make matter: every triage
    rule reading one names a condition (or one it is superseded by) that a fired flag already
    names at that rule's level or higher. A question read by a rule naming no condition, or by
    no triage rule, is never moot."""
    def covered(rule: Any) -> bool:
        if not rule.condition:
            return False
        level = TRIAGE_LEVELS.index(rule.then)
        return any(flag.rule.condition in _related(kb, rule.condition)
                   and TRIAGE_LEVELS.index(flag.rule.then) >= level for flag in fired)

    readers = _readers(kb, unanswered) if unanswered else {}
    return [question for question in unanswered
            if readers[question] and all(covered(rule) for rule in readers[question])]


def _triage(kb: KnowledgeBase, inference: Inference, answers: dict[str, Any]) -> Triage:
    """Most severe first; within a level, in the knowledge files' order, so authors decide
    which warning a runner reads first (e.g. 'cool first' before anything else). A lower
    level's flag for a condition that a higher level's flag already names is superseded."""
    order = {rule_id: index for index, rule_id in enumerate(kb.rules)}
    flags = sorted(inference.triage,
                   key=lambda e: (-TRIAGE_LEVELS.index(e.rule.then), order[e.rule.id]))
    level = flags[0].rule.then if flags else TRIAGE_LEVELS[0]
    shown: list[Evidence] = []
    superseded: list[Evidence] = []
    for flag in flags:
        condition = kb.conditions.get(flag.rule.condition)
        same = ({flag.rule.condition, condition.milder_form_of if condition else ""}
                | set(condition.superseded_by if condition else ())) - {""}
        higher = any(other.rule.condition in same
                     and TRIAGE_LEVELS.index(other.rule.then) > TRIAGE_LEVELS.index(flag.rule.then)
                     for other in shown)
        (superseded if flag.rule.condition and higher else shown).append(flag)
    unanswered = unscreened_questions(kb, answers)
    moot = moot_questions(kb, unanswered, flags) if flags else []
    unscreened = [q for q in unanswered if q not in moot]
    return Triage(level, shown, not unscreened, unscreened, superseded, moot)


def cause_results(kb: KnowledgeBase, inference: Inference) -> tuple[list[CauseResult], list[CauseResult]]:
    results = []
    for cause_id, certainty in inference.causes.items():
        cause = kb.causes[cause_id]
        pile = sorted(inference.evidence_for("cause", cause_id), key=lambda e: -abs(e.certainty))
        results.append(CauseResult(cause_id, cause.name, cause.summary, certainty,
                                   [e for e in pile if e.certainty > 0],
                                   [e for e in pile if e.certainty < 0], cause.role))
    results.sort(key=lambda c: (rank_tier(c.role, c.certainty), -c.certainty, c.id))
    return ([c for c in results if c.certainty > 0],
            sorted((c for c in results if c.certainty < 0), key=lambda c: (c.certainty, c.id)))


def rank_tier(role: str, certainty: float) -> int:
    """The ranking principle: 0, a changeable cause with evidence (what the runner can change
    leads); 1, the mechanism with evidence (how the cramp happened: it leads only when nothing
    more specific is known); 2, everything else by certainty (weak evidence, and minor
    contributors, which never outrank a cause or the mechanism with evidence)."""
    if certainty < EVIDENCE_MIN_CERTAINTY or role not in ("cause", "mechanism"):
        return 2
    return 0 if role == "cause" else 1


LAST_THIRD = 2 / 3  # where a race's last third begins, as a share of its distance


def picture_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The placeholders a finding's `picture` may name (knowledge.model.PICTURE_PLACEHOLDERS),
    from the answers: the race's distance (never the distance covered: the race the runner
    paced for), the first cramp, and where the last third begins when the cramp came in it."""
    values: dict[str, Any] = {}
    distance, onset = answers.get("event_distance_km"), answers.get("onset_km")
    if distance:
        values["distance_km"] = distance
    if onset is not None:
        values["onset_km"] = onset
    if distance and onset is not None:
        start = distance * LAST_THIRD
        start = round(start) if start >= 10 else round(start, 1)
        if onset >= start:
            values["last_third_km"] = start
    return values


def cramp_kind(kb: KnowledgeBase, findings: dict[str, float],
               answers: Mapping[str, Any] | None = None) -> list[Picture]:
    """What kind of cramp this was: the findings with a `picture` that hold, strongest first,
    each in the first wording its answers fill (a finding's `pictures`)."""
    values = picture_values(answers or {})

    def text(finding: Any) -> str:
        if not finding.pictures:
            return finding.picture
        return fill((finding.pictures,), values) or finding.picture

    pictures = [Picture(f, text(kb.findings[f]), cf) for f, cf in findings.items()
                if f in kb.findings and kb.findings[f].picture and cf > FINDING_THRESHOLD]
    order = list(kb.findings)
    return sorted(pictures, key=lambda p: (-p.certainty, order.index(p.id)))


def leading_causes(causes: list[CauseResult]) -> list[str]:
    """The causes the plan addresses, in rank order: the first (unless very weak), then the
    strong ones, so the cause ranked first is always among them."""
    first = [c.id for c in causes[:1] if c.certainty > 0.1]
    strong = [c.id for c in causes[1:] if c.certainty >= LEADING_MIN_CERTAINTY]
    return (first + strong)[:LEADING_MAX]


def _missing_pieces(rule, answers: dict[str, Any], findings: dict[str, float]) -> int:  # type: ignore[no-untyped-def]
    """How many answers and findings a rule still lacks: the fewer, the closer it is to firing."""
    facts = [f for f in cond.facts_of(rule.when) if f not in answers]
    pending = [f for f in cond.findings_of(rule.when, negated=False)
               if findings.get(f, 0) <= FINDING_THRESHOLD]
    return max(1, len(facts) + len(pending))


def _unanswered(kb: KnowledgeBase, answers: Answers, inference: Inference) -> list[Unanswered]:
    """Rank unanswered questions by the certainty hanging on them, shared among the pieces each
    open rule still lacks (red flags count fully)."""
    values = answers.values
    consumers: dict[str, float] = {}
    for rule in kb.rules.values():
        for finding in cond.findings_of(rule.when):
            consumers[finding] = max(consumers.get(finding, 0), abs(rule.certainty))
    weights: dict[str, float] = {}
    informs: dict[str, set[str]] = {}
    for rule in open_rules(kb, values, inference.findings):
        if rule.then_kind == "triage":
            weight, label = 1.0, "red flags"
        elif rule.then_kind == "finding":
            weight = abs(rule.certainty) * consumers.get(rule.then, 0)
            label = kb.findings[rule.then].name
        else:
            weight, label = abs(rule.certainty), kb.causes[rule.then].name
        weight /= _missing_pieces(rule, values, inference.findings)
        for fact in cond.facts_of(rule.when):
            if fact not in values and fact not in answers.unknown:  # "don't know" stays so
                weights[fact] = weights.get(fact, 0) + weight
                informs.setdefault(fact, set()).add(label)
    position = {qid: index for index, qid in enumerate(kb.questions)}
    ranked = sorted(weights, key=lambda q: (-weights[q], position[q]))
    return [Unanswered(q, kb.questions[q].ask, round(weights[q], 3), sorted(informs[q]))
            for q in ranked[:UNANSWERED_MAX]]


def diagnose(reasoner: Reasoner, answers: Answers, *, next_race: NextRace | None = None,
             weeks: int | None = None) -> Diagnosis:
    """Run the engine on the answers and shape what it concluded for the reports; the plan is
    sized for `weeks` to the next race (default: the knowledge base's) and for `next_race`
    when given, else for a race like this one."""
    kb = reasoner.kb
    derived = derive(answers.values, kb.questions)
    inference = reasoner.infer(engine_facts(answers.values, derived))
    causes, ruled_out = cause_results(kb, inference)
    leading = leading_causes(causes)
    diagnosis = Diagnosis(
        answers=answers,
        triage=_triage(kb, inference, answers.values),
        causes=causes,
        ruled_out=ruled_out,
        leading=leading,
        plan=Plan(),
        unanswered=_unanswered(kb, answers, inference),
        findings=dict(inference.findings),
        questions_total=len(kb.questions),
        estimated=derived,
        kind=cramp_kind(kb, dict(inference.findings), answers.values),
        cautions=cautions(answers.values),
    )
    diagnosis.plan = make_plan(kb, diagnosis, next_race=next_race, weeks=weeks)
    return diagnosis
