"""The guided interview as a state machine over the question model: which question comes next,
why it is asked (MYCIN's WHY), going back, "don't know", and red flags that cannot wait.

Nothing about a question lives here: prompt, type, choices, unit, range, help, order and skip
conditions all come from the knowledge base, so a question added in YAML is asked without code
changes. Red flags come first; after them a question is asked only while its answer can still
change some rule's outcome (goal-directed questioning), except the race's description, which the
plan is sized from. This module prints nothing and prompts nothing; an injected `Asker` does
both, so the terminal front end (`cli_interview`) and the tests drive exactly the same flow.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Protocol

import msgspec

from crampdx.answers import UNKNOWN_WORDS, Answers, coerce, new_together_problem
from crampdx.engine import Evidence, Inference, Reasoner
from crampdx.knowledge import conditions as cond
from crampdx.knowledge.model import KnowledgeBase, Question, Rule, Section
from crampdx.diagnosis import (
    LEADING_MAX,
    LEADING_MIN_CERTAINTY,
    cause_results,
    leading_causes,
)
from crampdx.derived import derive, engine_facts
from crampdx.questioning import open_rules, relevant_questions

RED_FLAGS = "red_flags"
DONT_KNOW = "don't know"  # how a skipped question is saved: answers.coerce reads it as unknown
HELP_WORDS = {"?", "help", "why"}
BACK_WORDS = {"<", "back"}


class Reply(msgspec.Struct, frozen=True):
    """What the runner did at one question: answered (canonical value), skipped, back or help."""

    action: str  # answer | skip | back | help
    value: Any = None
    text: str = ""  # what was typed, so a front end can echo the conversion

    @classmethod
    def answer(cls, value: Any, text: str = "") -> "Reply":
        return cls("answer", value, text)


SKIP = Reply("skip")
BACK = Reply("back")
HELP = Reply("help")


class Step(msgspec.Struct, frozen=True):
    """One question to put to the runner, with where it sits in the interview."""

    question: Question
    section: Section
    number: int  # k: this question's place among those asked
    about: int  # n: questions asked so far plus those still likely to be asked
    first_in_section: bool
    previous: Any = None  # the earlier answer when revisiting (canonical), else None
    skipped_before: bool = False  # answered "don't know" before
    can_go_back: bool = False


class Why(msgspec.Struct, frozen=True):
    """Why a question is asked: its help text and what its answer can confirm or rule out."""

    question: Question
    supports: tuple[str, ...]  # cause names an answer can point to
    against: tuple[str, ...]  # cause names an answer can count against
    findings: tuple[str, ...]  # intermediate findings it feeds
    red_flags: tuple[str, ...]  # triage levels it can raise (emergency, see_doctor)


class Given(msgspec.Struct, frozen=True):
    """An earlier answer, offered for change once nothing is left to ask (a finished resume)."""

    question: Question
    value: Any  # canonical; None when answered "don't know"
    skipped: bool


class Asker(Protocol):
    """The front end: puts a step to the runner and shows what the flow has to say."""

    def ask(self, step: Step) -> Reply: ...

    def explain(self, why: Why) -> None: ...

    def emergency(self, flags: list[Evidence]) -> bool:
        """Show what to do now; True to continue the interview, False to stop at the report."""
        ...

    def notice(self, message: str) -> None: ...

    def review(self, given: list[Given]) -> str | None:
        """Optional. Nothing is left to ask in a resumed interview: the id of the question to
        answer again, or None for the report. An asker without it goes straight to the report."""
        ...


def question_order(kb: KnowledgeBase) -> list[str]:
    """Red flags first, then sections in the order the knowledge base lists them."""
    sections = list(kb.sections)
    position = {qid: index for index, qid in enumerate(kb.questions)}

    def key(qid: str) -> tuple[int, int, int]:
        section = kb.questions[qid].section
        rank = sections.index(section) if section in sections else len(sections)
        return (section != RED_FLAGS, rank, position[qid])

    return sorted(kb.questions, key=key)


def parse_text_reply(question: Question, text: str) -> Reply:
    """A typed reply: '?' asks why, '<' goes back, empty or "don't know" skips, else an answer
    converted to the question's unit and checked against its range (AnswerError otherwise)."""
    word = text.strip().lower()
    if word in HELP_WORDS:
        return HELP
    if word in BACK_WORDS:
        return BACK
    if word in UNKNOWN_WORDS:
        return SKIP
    value = coerce(question, text)
    return SKIP if value is None else Reply.answer(value, text.strip())


def skipped_in(data: Mapping[str, Any], answers: Answers, kb: KnowledgeBase) -> list[str]:
    """Questions an answers file names but leaves unknown: answered "don't know" earlier."""
    return [key for key in data if key in kb.questions and key not in answers.values]


class Interview:
    """Which question next, given the answers so far; what changes when one is answered.

    `prefilled` answers (a coach's file) are never asked; `resumed` answers and `skipped`
    questions (a saved interview) count as asked, so Back can return to them.
    """

    def __init__(self, reasoner: Reasoner, *, prefilled: Answers | None = None,
                 resumed: Answers | None = None, skipped: Iterable[str] = (),
                 derived: Answers | None = None) -> None:
        self.reasoner = reasoner
        self.kb = reasoner.kb
        self.order = question_order(self.kb)
        # The plan sizes its advice from the race's description (distance, time, ground, climb,
        # descent, heat), so those are asked like red flags even when no open rule needs them.
        from crampdx.plan import race_questions

        self.always = set(race_questions(self.kb)) | {
            qid for qid, q in self.kb.questions.items() if q.section == RED_FLAGS}
        self.meta: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self.skipped: set[str] = set()
        self.prefilled: set[str] = set()
        self.asked: list[str] = []
        # `derived`: answers read from activity files; they count as asked (Back reaches them,
        # to correct one) and are not saved unless the runner changed them (the report reads
        # them from the files again, marked as the watch's).
        self.derived: dict[str, Any] = dict(derived.values) if derived is not None else {}
        for given in (resumed, prefilled, derived):  # earlier ones win
            if given is not None:
                for key, value in given.meta.items():
                    self.meta.setdefault(key, value)
                for key, value in given.values.items():
                    self.values.setdefault(key, value)
        if prefilled is not None:
            self.prefilled = set(prefilled.values)
        resumed_ids = set(resumed.values) if resumed is not None else set()
        resumed_ids |= set(self.derived)
        self.skipped = {qid for qid in skipped if qid in self.kb.questions} - set(self.values)
        self.asked = [qid for qid in self.order
                      if qid in self.skipped or (qid in resumed_ids and qid not in self.prefilled)]
        self._revisit: str | None = None
        self._current: str | None = None
        self._last_section: str | None = None
        self._shown_flags: set[str] = set()
        self._inference: Inference = self._infer()

    def _infer(self) -> Inference:
        """The rules on the answers so far plus what they imply (crampdx.derived), as the
        report will see them."""
        return self.reasoner.infer(engine_facts(self.values, derive(self.values,
                                                                    self.kb.questions)))

    # -- state ------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.kb.questions)

    @property
    def findings(self) -> dict[str, float]:
        return dict(self._inference.findings)

    def answers(self) -> Answers:
        """The known answers so far ("don't know" ones are left out: unknown, not no)."""
        return Answers(values=dict(self.values), meta=dict(self.meta),
                       unknown=set(self.skipped))

    def answers_for_saving(self) -> Answers:
        """Known answers plus "don't know" for skipped questions, so a resume does not ask
        them again and `crampdx debrief` still reads them as unknown."""
        values: dict[str, Any] = {qid: value for qid, value in self.values.items()
                                  if qid not in self.derived or self.derived[qid] != value}
        values.update({qid: DONT_KNOW for qid in self.skipped})
        return Answers(values=values, meta=dict(self.meta))

    # -- which question ---------------------------------------------------------------------
    def askable(self, question: Question) -> bool:
        """Its `ask_if` does not rule it out (an unknown condition asks, to be safe)."""
        if question.ask_if is None:
            return True
        return cond.evaluate(question.ask_if, self.values, lambda _finding: None) is not False

    def open_rules(self) -> list[Rule]:
        """Rules whose outcome still hangs on questions not yet asked; a question answered
        "don't know" stays unknown for good, so rules that need it are closed."""
        return open_rules(self.kb, self.values, self._inference.findings, self.skipped)

    def relevant(self) -> set[str]:
        """Unasked questions whose answer could still change the triage, the leading causes
        or their order (see crampdx.questioning)."""
        inference = self._inference
        causes, _ = cause_results(self.kb, inference)
        return relevant_questions(self.kb, self.values, inference=inference,
                                  leading=leading_causes(causes),
                                  threshold=LEADING_MIN_CERTAINTY, max_leading=LEADING_MAX,
                                  unknowable=self.skipped) - set(self.asked)

    def candidates(self) -> list[str]:
        """Questions still to ask, in order: red flags and the race's description always (if
        their ask_if allows), others only while they can change a rule's outcome."""
        relevant = self.relevant()
        result = []
        for qid in self.order:
            if qid in self.values or qid in self.skipped or qid in self.asked:
                continue
            if (qid in self.always or qid in relevant) and self.askable(self.kb.questions[qid]):
                result.append(qid)
        return result

    def next_step(self) -> Step | None:
        """The question to ask now, or None when nothing left can change the diagnosis."""
        pending = self.candidates()
        if self._revisit is not None:
            qid = self._revisit
            number = self.asked.index(qid) + 1
        elif pending:
            qid = pending[0]
            pending = pending[1:]
            number = len(self.asked) + 1
        else:
            self._current = None
            return None
        question = self.kb.questions[qid]
        first = question.section != self._last_section
        self._last_section = question.section
        self._current = qid
        section = self.kb.sections.get(question.section) or Section(
            question.section, question.section.replace("_", " ").capitalize(), question.origin)
        return Step(
            question=question, section=section, number=number,
            about=len(self.asked) + len(pending) + (0 if qid in self.asked else 1),
            first_in_section=first, previous=self.values.get(qid),
            skipped_before=qid in self.skipped, can_go_back=number > 1)

    # -- changing the answers ---------------------------------------------------------------
    def answer(self, question_id: str, value: Any) -> None:
        """Record an answer (canonical value; None = "don't know") and re-run the rules."""
        if value is None:
            self.values.pop(question_id, None)
            self.skipped.add(question_id)
        else:
            self.values[question_id] = value
            self.skipped.discard(question_id)
        if question_id not in self.asked:
            self.asked.append(question_id)
        self.prefilled.discard(question_id)
        self._revisit = None
        self._watch_distance_is_covered()
        self._prune()
        self._inference = self._infer()

    def _watch_distance_is_covered(self) -> None:
        """A watch records what was run: once the runner says they stopped early, the race
        file's distance is the distance covered, and the race's own distance is asked."""
        from crampdx.derived import COVERED, DISTANCE, did_not_finish

        watch = self.derived.get(DISTANCE)
        if watch is None or self.values.get(DISTANCE) != watch or COVERED in self.values \
                or not did_not_finish({k: v for k, v in self.values.items() if k != DISTANCE}):
            return
        self.values[COVERED] = self.derived[COVERED] = watch
        del self.values[DISTANCE], self.derived[DISTANCE]
        if DISTANCE in self.asked:
            self.asked.remove(DISTANCE)
        if COVERED not in self.asked:
            self.asked.append(COVERED)

    def _prune(self) -> None:
        """Drop answers to asked questions that a changed answer has made pointless to ask
        (their `ask_if` no longer holds), so the saved file never contradicts itself."""
        for qid in list(self.asked):
            if not self.askable(self.kb.questions[qid]):
                self.asked.remove(qid)
                self.values.pop(qid, None)
                self.skipped.discard(qid)

    def given(self) -> list[Given]:
        """The questions asked so far, in order, with their answers (for changing one)."""
        return [Given(self.kb.questions[qid], self.values.get(qid), qid in self.skipped)
                for qid in self.asked]

    def revisit(self, question_id: str) -> None:
        """Ask an earlier question again next, its answer filled in; answering it carries on
        as usual (questions it makes relevant are asked, those it rules out are dropped)."""
        if question_id not in self.asked:
            raise ValueError(f"{question_id} has not been asked")
        self._revisit = question_id

    def back(self) -> bool:
        """Return to the question before the current one; False when there is none."""
        current = self._current
        if current is not None and current in self.asked:
            index = self.asked.index(current)
        else:
            index = len(self.asked)
        if index == 0:
            return False
        self._revisit = self.asked[index - 1]
        return True

    def new_emergencies(self) -> list[Evidence]:
        """Emergency red flags the answers raise that the runner has not been shown yet."""
        flags = [e for e in self._inference.triage
                 if e.rule.then == "emergency" and e.rule.id not in self._shown_flags]
        self._shown_flags.update(e.rule.id for e in flags)
        return sorted(flags, key=lambda e: e.rule.id)

    # -- WHY --------------------------------------------------------------------------------
    def why(self, question_id: str) -> Why:
        """Walk the rules that read this question, following findings to the causes and red
        flags they feed. Rules already decided by earlier answers are left out when possible."""
        kb = self.kb
        question = kb.questions[question_id]
        open_ = self.open_rules()
        pool = open_ if any(question_id in cond.facts_of(r.when) for r in open_) \
            else list(kb.rules.values())
        supports: set[str] = set()
        against: set[str] = set()
        findings: set[str] = set()
        levels: set[str] = set()
        seen: set[tuple[str, int]] = set()
        frontier = [(rule, 1) for rule in pool if question_id in cond.facts_of(rule.when)]
        while frontier:
            rule, sign = frontier.pop()
            if (rule.id, sign) in seen:
                continue
            seen.add((rule.id, sign))
            direction = sign if rule.certainty >= 0 else -sign
            if rule.then_kind == "triage":
                levels.add(rule.then)
            elif rule.then_kind == "cause":
                (supports if direction > 0 else against).add(rule.then)
            else:
                findings.add(rule.then)
                for consumer in pool:
                    if rule.then in cond.findings_of(consumer.when, negated=False):
                        frontier.append((consumer, direction))
                    if rule.then in cond.findings_of(consumer.when, negated=True):
                        frontier.append((consumer, -direction))
        return Why(
            question=question,
            supports=tuple(c.name for c in kb.causes.values() if c.id in supports),
            against=tuple(c.name for c in kb.causes.values() if c.id in against),
            findings=tuple(f.name for f in kb.findings.values() if f.id in findings),
            red_flags=tuple(level for level in ("emergency", "see_doctor") if level in levels))


class Outcome(msgspec.Struct):
    """How an interview ended: finished, or stopped by the runner at an emergency."""

    stopped_at_emergency: bool = False
    emergencies: list[Evidence] = msgspec.field(default_factory=list)


def run(flow: Interview, asker: Asker, *,
        on_answer: Callable[[], None] | None = None) -> Outcome:
    """Ask until nothing left can change the diagnosis. KeyboardInterrupt passes through, with
    `flow` holding every answer given so far (the front end saves them); `on_answer` runs
    after each answer, so the front end can save as it goes."""
    outcome = Outcome()

    def check_emergencies() -> bool:
        flags = flow.new_emergencies()
        if not flags:
            return True
        outcome.emergencies.extend(flags)
        if asker.emergency(flags):
            return True
        outcome.stopped_at_emergency = True
        return False

    if not check_emergencies():  # a coach's or a resumed file may already raise one
        return outcome
    # A resumed interview with nothing left to ask offers to change an answer instead of
    # going straight to the report (and again after each change, until the runner is done).
    review = getattr(asker, "review", None)
    reviewing = review is not None and bool(flow.asked) and not flow.candidates()
    while True:
        while (step := flow.next_step()) is not None:
            reply = asker.ask(step)
            if reply.action == "help":
                asker.explain(flow.why(step.question.id))
            elif reply.action == "back":
                if not flow.back():
                    asker.notice("This is the first question; there is nothing to go back to.")
            else:
                value = reply.value if reply.action == "answer" else None
                problem = new_together_problem(flow.kb, flow.values,
                                               step.question.id, value) \
                    if value is not None else None
                if problem is not None:  # e.g. a distance covered beyond the race's
                    asker.notice(f"{problem}; answer again")
                    continue
                flow.answer(step.question.id, value)
                if on_answer is not None:
                    on_answer()
                if not check_emergencies():
                    return outcome
        if not reviewing:
            return outcome
        question_id = review(flow.given())  # type: ignore[misc]
        if question_id is None:
            return outcome
        flow.revisit(question_id)
