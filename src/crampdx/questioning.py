"""Which unanswered questions still matter: MYCIN-style goal-directed questioning.

A question is worth asking only if its answer could still change what the report concludes:
the red flags, which causes lead, and their order. Rules are judged with three-valued logic
(an unanswered question is unknown, not false); a question answered "don't know" stays unknown
for good, so rules that need it are closed. Certainty bounds then tell whether the open rules
of a cause, all firing at full strength, could still move it into or out of the leading causes
or past another leading cause; if not, their questions are not asked.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from crampdx.certainty import combine_all
from crampdx.engine import Inference, _gc_paused, rule_levels
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import FINDING_THRESHOLD, KnowledgeBase, Rule

Truth = Callable[[str], "bool | None"]
Status = Callable[[Mapping[str, Any], Truth, "set[str] | frozenset[str]"], "bool | None"]


class RuleIndex:
    """What questioning reads of each rule, worked out once per knowledge base: the rules
    concluding each finding; and, once the interview asks, the questions and findings each
    rule reads, which rules read each, the rules of each cause, and each condition compiled to
    a three-valued test when it is first judged again (the interview judges the rules after
    every answer; a debrief's report judges them once, for which the index would cost more
    than it saves)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.rules = kb.rules
        self.producers: dict[str, list[Rule]] = {}
        for rule in kb.rules.values():
            if rule.then_kind == "finding":
                self.producers.setdefault(rule.then, []).append(rule)
        self._complete = False
        self._calls = 0
        self._last: _Judgement | None = None

    def complete(self) -> "RuleIndex":
        if self._complete:
            return self
        with _gc_paused():  # tens of thousands of long-lived sets, none garbage
            self._build()
        self._complete = True
        return self

    def _build(self) -> None:
        kb = self.kb
        self.facts: dict[str, frozenset[str]] = {}
        self.findings: dict[str, frozenset[str]] = {}
        self.positive_findings: dict[str, frozenset[str]] = {}
        self._compiled: dict[str, Status] = {}
        self.readers_of_fact: dict[str, list[str]] = {}
        self.readers_of_finding: dict[str, list[str]] = {}
        # what decides whether an open rule matters (material_rules): a red flag always; a
        # cause's rule by the cause's bounds and the rule's sign; a finding's by the finding
        self.group: dict[str, tuple] = {}
        self.cause_rules: dict[str, list[str]] = {}
        for rule in kb.rules.values():
            facts: set[str] = set()
            findings: set[str] = set()
            positive: set[str] = set()
            _reads(rule.when, facts, findings, positive)
            rid = rule.id
            self.facts[rid] = frozenset(facts)
            self.findings[rid] = frozenset(findings)
            self.positive_findings[rid] = frozenset(positive)
            for fact in facts:
                self.readers_of_fact.setdefault(fact, []).append(rid)
            for finding in findings:
                self.readers_of_finding.setdefault(finding, []).append(rid)
            if rule.then_kind == "cause":
                self.group[rid] = ("cause", rule.then, rule.certainty > 0)
                self.cause_rules.setdefault(rule.then, []).append(rid)
            else:
                self.group[rid] = (rule.then_kind, rule.then if rule.then_kind == "finding"
                                   else "")
        # a rule reads findings only of lower levels (the engine's firing order): updating in
        # level order settles every finding before a rule that reads it is judged again
        self.level = {rid: float(level) for rid, level in rule_levels(kb).items()}
        self.finding_level = {
            finding: max((self.level[r.id] for r in self.producers.get(finding, ())),
                         default=0.0) + 0.5
            for finding in set(kb.findings) | set(self.producers)}

    def test(self, rid: str) -> Status:
        """The rule's condition compiled (compile_status), on first use."""
        compiled = self._compiled.get(rid)
        if compiled is None:
            compiled = self._compiled[rid] = compile_status(self.rules[rid].when)
        return compiled

    def open_rules(self, answers: Mapping[str, Any], findings: Mapping[str, float],
                   closed: "set[str] | frozenset[str]") -> list[Rule]:
        """Rules whose status is unknown (None). After one answer changes (the interview),
        only the rules reading it, and those reading a finding whose truth moved, are judged
        again; anything else (another athlete's answers) is judged afresh."""
        self._calls += 1
        if self._calls == 1 and self._last is None:  # perhaps the only time (a report)
            concluded = frozenset(f for f, cf in findings.items() if cf > FINDING_THRESHOLD)
            frozen = frozenset(closed)
            truth = _plain_truth(self, answers, concluded, frozen)
            return [rule for rule in self.rules.values()
                    if status(rule.when, answers, truth, frozen) is None]
        statuses = self.judge(answers, findings, closed).statuses
        return [rule for rule in self.rules.values() if statuses[rule.id] is None]

    def judge(self, answers: Mapping[str, Any], findings: Mapping[str, float],
              closed: "set[str] | frozenset[str]") -> "_Judgement":
        """Every rule's status on these answers, updated from the last judgement when only a
        few answers or findings differ, else worked out afresh."""
        self.complete()
        concluded = frozenset(f for f, cf in findings.items() if cf > FINDING_THRESHOLD)
        closed = frozenset(closed)
        last, self._last = self._last, None  # a judgement half updated is never kept
        if last is not None:
            before = last.answers
            changed = {k for k in answers.keys() | before.keys()
                       if answers.get(k) != before.get(k)} | (closed ^ last.closed)
            moved = concluded ^ last.concluded
            if len(changed) + len(moved) <= 8:
                self._update(answers, concluded, closed, last, changed, moved)
                last.answers, last.concluded, last.closed = dict(answers), concluded, closed
                self._last = last
                return last
        with _gc_paused():
            truth = _plain_truth(self, answers, concluded, closed)
            statuses = {rid: status(rule.when, answers, truth, closed)
                        for rid, rule in self.rules.items()}
            truths = {finding: truth(finding) for finding in self.finding_level}
            judgement = _Judgement(answers, concluded, closed, statuses, truths)
            for rid, value in statuses.items():
                if value is None:
                    self._opened(judgement, rid, 1)
        self._last = judgement
        return judgement

    def _opened(self, judgement: "_Judgement", rid: str, step: int) -> None:
        """Count a rule into (step 1) or out of (step -1) the open rules' groups."""
        group = self.group[rid]
        for counts, names in ((judgement.group_facts, self.facts[rid]),
                              (judgement.group_findings, self.findings[rid])):
            if not names:
                continue
            tally = counts.get(group)
            if tally is None:
                tally = counts[group] = {}
            for name in names:
                left = tally.get(name, 0) + step
                if left:
                    tally[name] = left
                else:
                    del tally[name]
        if group[0] == "cause":
            judgement.dirty.add(group[1])
        elif group[0] == "finding" and self.rules[rid].certainty > 0:
            producers = judgement.open_producers
            left = producers.get(group[1], 0) + step
            if left:
                producers[group[1]] = left
            else:
                del producers[group[1]]

    def _update(self, answers: Mapping[str, Any], concluded: frozenset[str],
                closed: frozenset[str], judgement: "_Judgement", changed: set[str],
                moved: set[str]) -> None:
        import heapq

        statuses, truths = judgement.statuses, judgement.truths
        heap: list[tuple[float, int, str]] = []
        queued: set[tuple[int, str]] = set()

        def push(kind: int, name: str) -> None:  # kind 0: a finding's truth, 1: a rule
            if (kind, name) not in queued:
                queued.add((kind, name))
                level = self.finding_level.get(name, 0.5) if kind == 0 else self.level[name]
                heapq.heappush(heap, (level, kind, name))

        for fact in changed:
            for rid in self.readers_of_fact.get(fact, ()):
                push(1, rid)
        for finding in moved:
            push(0, finding)
        lookup = truths.get

        def truth(finding: str) -> bool | None:
            return lookup(finding, False)

        while heap:
            _, kind, name = heapq.heappop(heap)
            queued.discard((kind, name))
            if kind == 1:
                new = self.test(name)(answers, truth, closed)
                old = statuses[name]
                if new is not old:
                    statuses[name] = new
                    if new is None or old is None:
                        self._opened(judgement, name, 1 if new is None else -1)
                    rule = self.rules[name]
                    if rule.then_kind == "finding":
                        push(0, rule.then)
                continue
            if name in concluded:
                new_truth: bool | None = True
            elif any(statuses[r.id] is None for r in self.producers.get(name, ())
                     if r.certainty > 0):
                new_truth = None
            else:
                new_truth = False
            if new_truth is not truths.get(name, False):
                truths[name] = new_truth
                for rid in self.readers_of_finding.get(name, ()):
                    push(1, rid)

    def material_questions(self, judgement: "_Judgement", inference: Inference,
                           leading: list[str], threshold: float,
                           max_leading: int) -> tuple[set[str], set[tuple]]:
        """`material_rules` over a judgement, worked out from its groups: each cause's bounds
        are worked out again only when its open rules or its evidence changed. Returns the
        questions the material rules read and their groups (`material_ids` lists the rules)."""
        statuses = judgement.statuses
        producers_open = judgement.open_producers
        positive_findings = self.positive_findings
        fired: dict[str, list[tuple[str, float]]] = {}
        grown: dict[str, list[Rule]] = {}
        for evidence in inference.fired.values():
            rule = evidence.rule
            if rule.then_kind != "cause":
                continue
            fired.setdefault(rule.then, []).append((rule.id, evidence.certainty))
            if statuses.get(rule.id) is not None and any(
                    f in producers_open for f in positive_findings[rule.id]):
                grown.setdefault(rule.then, []).append(rule)
        bounds, keys = judgement.bounds, judgement.keys
        for cause in self.kb.causes:
            pile = inference.evidence.get(("cause", cause), ())
            key = (tuple((e.rule.id, e.certainty) for e in pile), tuple(fired.get(cause, ())),
                   tuple(rule.id for rule in grown.get(cause, ())))
            if cause in bounds and cause not in judgement.dirty and keys.get(cause) == key:
                continue
            rules = [self.rules[rid] for rid in self.cause_rules.get(cause, ())
                     if statuses[rid] is None] + grown.get(cause, [])
            bounds[cause] = _bounds(pile, rules, dict(fired.get(cause, ())))
            keys[cause] = key
        judgement.dirty.clear()
        now = {cause: inference.causes.get(cause, 0.0) for cause in self.kb.causes}
        leaders = [c for c in leading if c in now]
        chosen: set[tuple] = set()
        for group in judgement.group_facts.keys() | judgement.group_findings.keys():
            if group[0] == "triage":
                chosen.add(group)
            elif group[0] == "cause":
                best, worst = bounds[group[1]]
                if _matters(group[1], group[2], best, worst, now, leaders, threshold,
                            max_leading):
                    chosen.add(group)
        wanted: set[str] = set()
        for group in chosen:
            wanted.update(judgement.group_findings.get(group, ()))
        for cause, rules in grown.items():
            best, worst = bounds[cause]
            for rule in rules:
                if _matters(cause, rule.certainty > 0, best, worst, now, leaders, threshold,
                            max_leading):
                    wanted |= self.findings[rule.id]
        stack = list(wanted)
        while stack:
            for finding in judgement.group_findings.get(("finding", stack.pop()), ()):
                if finding not in wanted:
                    wanted.add(finding)
                    stack.append(finding)
        chosen.update(("finding", finding) for finding in wanted)
        questions: set[str] = set()
        for group in chosen:
            questions.update(judgement.group_facts.get(group, ()))
        return questions, chosen

    def material_ids(self, judgement: "_Judgement", chosen: set[tuple]) -> list[str]:
        """The open rules in the chosen groups, in the rules' order."""
        return [rid for rid, value in judgement.statuses.items()
                if value is None and self.group[rid] in chosen]


class _Judgement:
    """One set of answers judged: each rule's status and each finding's truth, and what the
    open rules read, grouped by what decides whether they matter (see `RuleIndex.group`), kept
    up to date as rules open and close so that a decision never walks every open rule."""

    __slots__ = ("answers", "concluded", "closed", "statuses", "truths", "group_facts",
                 "group_findings", "open_producers", "dirty", "keys", "bounds")

    def __init__(self, answers: Mapping[str, Any], concluded: frozenset[str],
                 closed: frozenset[str], statuses: dict[str, "bool | None"],
                 truths: dict[str, "bool | None"]) -> None:
        self.answers, self.concluded, self.closed = dict(answers), concluded, closed
        self.statuses, self.truths = statuses, truths
        self.group_facts: dict[tuple, dict[str, int]] = {}
        self.group_findings: dict[tuple, dict[str, int]] = {}
        self.open_producers: dict[str, int] = {}  # finding -> open rules that could raise it
        self.dirty: set[str] = set()  # causes whose open rules changed since `bounds`
        self.keys: dict[str, tuple] = {}  # cause -> the evidence its `bounds` were worked on
        self.bounds: dict[str, tuple[float, float]] = {}  # cause -> (best, worst)


def _reads(condition: cond.Condition, facts: set[str], findings: set[str],
           positive: set[str]) -> None:
    """The questions and findings a condition reads (and those it reads unnegated), in one
    walk."""
    if isinstance(condition, cond.FactTest):
        facts.update(condition.facts())
    elif isinstance(condition, cond.FindingTest):
        findings.add(condition.finding)
        if not condition.negated:
            positive.add(condition.finding)
    else:
        for part in condition.parts:
            _reads(part, facts, findings, positive)


def _bounds(pile: Iterable[Any], rules: list[Rule],
            current: Mapping[str, float]) -> tuple[float, float]:
    """A cause's best and worst certainty: its settled evidence (`pile` less the `rules`
    still open or growing) with each such rule at full strength for, or against, it."""
    candidate_ids = {rule.id for rule in rules}
    fixed = [e.certainty for e in pile if e.rule.id not in candidate_ids]
    best = combine_all(fixed + [r.certainty if r.certainty > 0 else current.get(r.id, 0.0)
                                for r in rules])
    worst = combine_all(fixed + [r.certainty if r.certainty < 0 else current.get(r.id, 0.0)
                                 for r in rules])
    return best, worst


def _matters(cause: str, positive: bool, best: float, worst: float, now: Mapping[str, float],
             leaders: list[str], threshold: float, max_leading: int) -> bool:
    """Whether an open rule for (`positive`) or against a cause could change the outcome
    (see material_rules)."""
    if cause not in leaders:
        full = len(leaders) >= max_leading
        return best >= threshold and (not full or best > now[leaders[-1]])
    if positive:  # a weak leader could become a strong one, or overtake
        return (now[cause] < threshold <= best
                or any(best > now[d] for d in leaders if d != cause and now[d] >= now[cause]))
    return worst < threshold or any(worst < now[d] for d in leaders
                                    if d != cause and now[d] <= now[cause])


def _plain_truth(index: "RuleIndex", answers: Mapping[str, Any], concluded: frozenset[str],
                 closed: frozenset[str]) -> Truth:
    """finding_truth with the conditions as they are, nothing compiled."""
    memo: dict[str, bool | None] = {}

    def truth(finding: str) -> bool | None:
        if finding in concluded:
            return True
        if finding in memo:
            return memo[finding]
        memo[finding] = False  # guards against cycles while evaluating
        still_open = any(status(rule.when, answers, truth, closed) is None
                         for rule in index.producers.get(finding, ()) if rule.certainty > 0)
        memo[finding] = None if still_open else False
        return memo[finding]

    return truth


def rule_index(kb: KnowledgeBase) -> RuleIndex:
    """The knowledge base's RuleIndex, built on first use (a knowledge base is not changed once
    loaded; replacing its rules dict builds a new index)."""
    cached = kb.__dict__.get("_rule_index")
    if cached is None or cached[0] is not kb.rules or cached[1] != len(kb.rules):
        cached = kb.__dict__["_rule_index"] = (kb.rules, len(kb.rules), RuleIndex(kb))
    return cached[2]


def compile_status(condition: cond.Condition) -> Status:
    """`status` of one condition as a closure: the same Kleene logic, without walking the
    condition's types again at every call."""
    if isinstance(condition, cond.FactTest):
        fact, facts, holds, relative = (condition.fact, condition.facts(), condition.holds,
                                        condition.relative)

        if relative is None:
            def fact_test(answers: Mapping[str, Any], truth: Truth,
                          unknowable: "set[str] | frozenset[str]") -> bool | None:
                if fact in unknowable:
                    return False
                value = answers.get(fact)
                return None if value is None else holds(value)

            return fact_test

        def relative_test(answers: Mapping[str, Any], truth: Truth,
                          unknowable: "set[str] | frozenset[str]") -> bool | None:
            if unknowable and any(f in unknowable for f in facts):
                return False
            value = answers.get(fact)
            if value is None:
                return None
            other = relative.resolve(answers)
            return None if other is None else holds(value, other)

        return relative_test
    if isinstance(condition, cond.FindingTest):
        finding, negated = condition.finding, condition.negated

        def finding_test(answers: Mapping[str, Any], truth: Truth,
                         unknowable: "set[str] | frozenset[str]") -> bool | None:
            result = truth(finding)
            return result if result is None or not negated else not result

        return finding_test
    parts = tuple(compile_status(part) for part in condition.parts)
    # Kleene logic: one False decides all_of, one True decides any_of; else unknown wins
    decisive = not isinstance(condition, cond.AllOf)

    def combined(answers: Mapping[str, Any], truth: Truth,
                 unknowable: "set[str] | frozenset[str]") -> bool | None:
        result: bool | None = not decisive
        for part in parts:
            value = part(answers, truth, unknowable)
            if value is decisive:
                return decisive
            if value is None:
                result = None
        return result

    return combined


def finding_truth(kb: KnowledgeBase, answers: Mapping[str, Any], findings: Mapping[str, float],
                  unknowable: Iterable[str] = ()) -> Truth:
    """Three-valued truth of a finding: True if concluded, None while a producer could still
    fire once more questions are answered, else False."""
    concluded = frozenset(f for f, cf in findings.items() if cf > FINDING_THRESHOLD)
    return _plain_truth(rule_index(kb), answers, concluded, frozenset(unknowable))


def status(condition: cond.Condition, answers: Mapping[str, Any], truth: Truth,
           unknowable: set[str]) -> bool | None:
    """Like conditions.evaluate, but a test on an unknowable answer can never hold."""
    if not unknowable:
        return cond.evaluate(condition, answers, truth)
    if isinstance(condition, cond.FactTest):
        if any(fact in unknowable for fact in condition.facts()):
            return False
        return condition.evaluate(answers)
    if isinstance(condition, cond.FindingTest):
        result = truth(condition.finding)
        return result if result is None or not condition.negated else not result
    results = [status(part, answers, truth, unknowable) for part in condition.parts]
    if isinstance(condition, cond.AllOf):
        return False if False in results else (None if None in results else True)
    return True if True in results else (None if None in results else False)


def open_rules(kb: KnowledgeBase, answers: Mapping[str, Any], findings: Mapping[str, float],
               unknowable: Iterable[str] = ()) -> list[Rule]:
    """Rules whose outcome still depends on questions not yet answered."""
    return rule_index(kb).open_rules(answers, findings, set(unknowable))


def rule_questions(rules: Iterable[Rule], answers: Mapping[str, Any],
                   unknowable: Iterable[str] = ()) -> set[str]:
    """The unanswered questions these rules read."""
    done = set(answers) | set(unknowable)
    found: set[str] = set()
    for rule in rules:
        found |= cond.facts_of(rule.when)
    return found - done


def cause_bounds(kb: KnowledgeBase, open_: list[Rule],
                 inference: Inference) -> tuple[dict[str, tuple[float, float]], list[Rule]]:
    """Each cause's best and worst certainty, worked out from scratch: its settled evidence
    with each of its open (or still growing) rules at full strength for, or against, it; and
    those candidate rules (see material_rules)."""
    index = rule_index(kb).complete()
    producers_open = {rule.then for rule in open_
                      if rule.then_kind == "finding" and rule.certainty > 0}
    growing = [evidence.rule for evidence in inference.fired.values()
               if evidence.rule.then_kind == "cause"
               and index.positive_findings[evidence.rule.id] & producers_open]
    open_ids = {rule.id for rule in open_}  # rules compared by id, never field by field
    grown = [rule for rule in growing if rule.id not in open_ids]
    candidates = open_ + grown
    candidate_ids = open_ids | {rule.id for rule in grown}
    settled: dict[str, list[float]] = {}
    for (kind, cause), pile in inference.evidence.items():
        if kind == "cause":
            settled[cause] = [e.certainty for e in pile if e.rule.id not in candidate_ids]
    current = {e.rule.id: e.certainty for e in inference.fired.values()}
    best: dict[str, float] = {}
    worst: dict[str, float] = {}
    by_cause: dict[str, list[Rule]] = {}
    for rule in candidates:
        if rule.then_kind == "cause":
            by_cause.setdefault(rule.then, []).append(rule)
    for cause in kb.causes:
        rules = by_cause.get(cause, [])
        fixed = settled.get(cause, [])
        best[cause] = combine_all(fixed + [r.certainty if r.certainty > 0
                                           else current.get(r.id, 0.0) for r in rules])
        worst[cause] = combine_all(fixed + [r.certainty if r.certainty < 0
                                            else current.get(r.id, 0.0) for r in rules])
    return {cause: (best[cause], worst[cause]) for cause in kb.causes}, candidates


def material_rules(kb: KnowledgeBase, open_: list[Rule], inference: Inference,
                   leading: list[str], threshold: float, max_leading: int) -> list[Rule]:
    """The open rules that could still change the outcome.

    - red-flag rules always (safety first: every warning sign is asked about);
    - for a cause not leading: any rule, while its rules could lift it to the leading threshold
      (and past the last leading cause when `max_leading` already lead);
    - for a leading cause: positive rules while it could overtake a leading cause ranked above
      it, or reach the threshold when it leads only for want of a stronger one; negative rules while they could drop it below the threshold or below one ranked
      beneath it;
    - rules concluding findings that such rules read (transitively).

    A rule that fired on a finding which open rules could still strengthen is treated like an
    open rule: its contribution may still grow up to its own certainty.
    """
    index = rule_index(kb).complete()
    bounds, candidates = cause_bounds(kb, open_, inference)
    best = {cause: pair[0] for cause, pair in bounds.items()}
    worst = {cause: pair[1] for cause, pair in bounds.items()}
    now = {cause: inference.causes.get(cause, 0.0) for cause in kb.causes}
    leaders = [c for c in leading if c in now]

    def matters(rule: Rule) -> bool:
        if rule.then_kind == "triage":
            return True
        cause = rule.then
        if cause not in leaders:
            full = len(leaders) >= max_leading
            return best[cause] >= threshold and (not full or best[cause] > now[leaders[-1]])
        above = [d for d in leaders if d != cause and now[d] >= now[cause]]
        below = [d for d in leaders if d != cause and now[d] <= now[cause]]
        if rule.certainty > 0:  # a weak leader could become a strong one, or overtake
            return (now[cause] < threshold <= best[cause]
                    or any(best[cause] > now[d] for d in above))
        return worst[cause] < threshold or any(worst[cause] < now[d] for d in below)

    # matters() depends only on the cause and the rule's sign: judged once for each
    verdicts: dict[tuple[str, str, bool], bool] = {}
    chosen: dict[str, Rule] = {}
    for rule in candidates:
        if rule.then_kind == "finding":
            continue
        key = (rule.then_kind, rule.then, rule.certainty > 0)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = matters(rule)
        if verdict:
            chosen[rule.id] = rule
    wanted = {f for rule in chosen.values() for f in index.findings[rule.id]}
    producers = [rule for rule in open_ if rule.then_kind == "finding"]
    grew = True
    while grew:
        grew = False
        for rule in producers:
            if rule.then in wanted and rule.id not in chosen:
                chosen[rule.id] = rule
                wanted |= index.findings[rule.id]
                grew = True
    return [rule for rule in open_ if rule.id in chosen]  # open_ is in the rules' order


def relevant_questions(kb: KnowledgeBase, answers: Mapping[str, Any],
                       findings: Mapping[str, float] | None = None, *,
                       inference: Inference | None = None,
                       leading: list[str] | None = None, threshold: float = 0.3,
                       max_leading: int = 3, unknowable: Iterable[str] = ()) -> set[str]:
    """Unanswered questions whose answer could still change the outcome.

    Without `inference`, every open rule counts (a question matters if it can change any rule's
    outcome); with the current inference and leading causes, only rules that could change the
    triage, the leading causes or their order count.
    """
    if inference is not None:
        index = rule_index(kb)
        judgement = index.judge(answers, inference.findings, set(unknowable))
        questions, _ = index.material_questions(judgement, inference, leading or [],
                                                threshold, max_leading)
        return questions - set(answers) - set(unknowable)
    open_ = open_rules(kb, answers, findings or {}, unknowable)
    facts = rule_index(kb).complete().facts
    found: set[str] = set()
    for rule in open_:
        found |= facts[rule.id]
    return found - set(answers) - set(unknowable)
