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
from crampdx.engine import Inference, rule_levels
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import FINDING_THRESHOLD, KnowledgeBase, Rule

Truth = Callable[[str], "bool | None"]
Status = Callable[[Mapping[str, Any], Truth, "set[str] | frozenset[str]"], "bool | None"]


class RuleIndex:
    """What questioning reads of each rule, worked out once per knowledge base: the rules
    concluding each finding; and, once the interview asks a second time, the questions and
    findings each rule reads, which rules read each, and each condition compiled to a
    three-valued test (the interview judges every rule after every answer; a debrief's report
    judges them once, for which compiling would cost more than it saves)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.rules = kb.rules
        self.producers: dict[str, list[Rule]] = {}
        for rule in kb.rules.values():
            if rule.then_kind == "finding":
                self.producers.setdefault(rule.then, []).append(rule)
        self._complete = False
        self._calls = 0
        self._last: tuple | None = None

    def complete(self) -> "RuleIndex":
        if self._complete:
            return self
        kb = self.kb
        self.facts: dict[str, frozenset[str]] = {}
        self.findings: dict[str, frozenset[str]] = {}
        self.positive_findings: dict[str, frozenset[str]] = {}
        self.status: dict[str, Status] = {}
        self.readers_of_fact: dict[str, list[str]] = {}
        self.readers_of_finding: dict[str, list[str]] = {}
        for rule in kb.rules.values():
            self.facts[rule.id] = frozenset(cond.facts_of(rule.when))
            self.findings[rule.id] = frozenset(cond.findings_of(rule.when))
            self.positive_findings[rule.id] = frozenset(cond.findings_of(rule.when,
                                                                         negated=False))
            self.status[rule.id] = compile_status(rule.when)
            for fact in self.facts[rule.id]:
                self.readers_of_fact.setdefault(fact, []).append(rule.id)
            for finding in self.findings[rule.id]:
                self.readers_of_finding.setdefault(finding, []).append(rule.id)
        # a rule reads findings only of lower levels (the engine's firing order): updating in
        # level order settles every finding before a rule that reads it is judged again
        self.level = {rid: float(level) for rid, level in rule_levels(kb).items()}
        self.finding_level = {
            finding: max((self.level[r.id] for r in self.producers.get(finding, ())),
                         default=0.0) + 0.5
            for finding in set(kb.findings) | set(self.producers)}
        self._complete = True
        return self

    def open_rules(self, answers: Mapping[str, Any], findings: Mapping[str, float],
                   closed: set[str]) -> list[Rule]:
        """Rules whose status is unknown (None). After one answer changes (the interview),
        only the rules reading it, and those reading a finding whose truth moved, are judged
        again; anything else (another athlete's answers) is judged afresh."""
        concluded = frozenset(f for f, cf in findings.items() if cf > FINDING_THRESHOLD)
        closed = frozenset(closed)
        self._calls += 1
        if self._calls == 1:  # perhaps the only time (a report): judge each rule as it is
            truth = _plain_truth(self, answers, concluded, closed)
            return [rule for rule in self.rules.values()
                    if status(rule.when, answers, truth, closed) is None]
        self.complete()
        last = self._last
        statuses: dict[str, bool | None]
        if last is not None:
            before, concluded_before, closed_before, statuses, truths = last
            changed = {k for k in answers.keys() | before.keys()
                       if answers.get(k) != before.get(k)} | (closed ^ closed_before)
            moved = concluded ^ concluded_before
            if len(changed) + len(moved) <= 8:
                statuses, truths = dict(statuses), dict(truths)
                self._update(answers, concluded, closed, statuses, truths, changed, moved)
                self._last = (dict(answers), concluded, closed, statuses, truths)
                return [rule for rule in self.rules.values() if statuses[rule.id] is None]
        truth = _finding_truth(self, answers, concluded, closed)
        statuses = {rid: test(answers, truth, closed) for rid, test in self.status.items()}
        truths = {finding: truth(finding) for finding in self.finding_level}
        self._last = (dict(answers), concluded, closed, statuses, truths)
        return [rule for rule in self.rules.values() if statuses[rule.id] is None]

    def _update(self, answers: Mapping[str, Any], concluded: frozenset[str],
                closed: frozenset[str], statuses: dict[str, bool | None],
                truths: dict[str, bool | None], changed: set[str], moved: set[str]) -> None:
        import heapq

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
                new = self.status[name](answers, truth, closed)
                if new is not statuses[name]:
                    statuses[name] = new
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


def _finding_truth(index: "RuleIndex", answers: Mapping[str, Any], concluded: frozenset[str],
                   closed: frozenset[str]) -> Truth:
    """finding_truth over the index: True if concluded, None while a producer could still
    fire, else False."""
    memo: dict[str, bool | None] = {}

    def truth(finding: str) -> bool | None:
        if finding in concluded:
            return True
        if finding in memo:
            return memo[finding]
        memo[finding] = False  # guards against cycles while evaluating
        still_open = any(index.status[rule.id](answers, truth, closed) is None
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
    if isinstance(condition, cond.AllOf):
        def all_of(answers: Mapping[str, Any], truth: Truth,
                   unknowable: "set[str] | frozenset[str]") -> bool | None:
            result: bool | None = True
            for part in parts:
                value = part(answers, truth, unknowable)
                if value is False:
                    return False
                if value is None:
                    result = None
            return result

        return all_of

    def any_of(answers: Mapping[str, Any], truth: Truth,
               unknowable: "set[str] | frozenset[str]") -> bool | None:
        result: bool | None = False
        for part in parts:
            value = part(answers, truth, unknowable)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    return any_of


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
        findings = inference.findings
    open_ = open_rules(kb, answers, findings or {}, unknowable)
    if inference is not None:
        open_ = material_rules(kb, open_, inference, leading or [], threshold, max_leading)
    facts = rule_index(kb).complete().facts
    found: set[str] = set()
    for rule in open_:
        found |= facts[rule.id]
    return found - set(answers) - set(unknowable)
