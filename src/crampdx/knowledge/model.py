"""The knowledge base as typed, validated values: what the engine, reports and interview read."""

from __future__ import annotations

from typing import Any

import msgspec

from crampdx.knowledge.conditions import Condition

QUESTION_TYPES = ("number", "bool", "choice", "multi")
# A finding holds (for `finding:` conditions and the report) above this certainty.
FINDING_THRESHOLD = 0.2
TRIAGE_LEVELS = ("self_care", "see_doctor", "emergency")
REMEDY_KINDS = ("acute", "race_day", "fuelling", "training", "medical", "extra")
EVIDENCE_LABELS = ("coaching", "consensus", "study", "anecdotal", "medical", "crampdx")
EVIDENCE_WORDS = {
    "coaching": "coaching experience",
    "consensus": "consensus statement",
    "study": "study",
    "anecdotal": "anecdotal",
    "medical": "medical practice",
    "crampdx": "crampdx's rule of thumb",
}
# How a cause ranks (docs/knowledge-format.md, "Ranking"): a changeable `cause` with evidence
# leads; the `mechanism` (how a cramp happens, not why this muscle tired) leads only when no
# specific cause has evidence; a `minor` contributor never outranks a cause with evidence.
CAUSE_ROLES = ("cause", "mechanism", "minor")


class Origin(msgspec.Struct, frozen=True):
    """Where an item was defined, for error messages and `kb list`."""

    path: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Section(msgspec.Struct, frozen=True):
    id: str
    title: str
    origin: Origin


class Question(msgspec.Struct, frozen=True):
    id: str
    section: str
    ask: str
    type: str
    help: str
    origin: Origin
    choices: dict[str, str] = msgspec.field(default_factory=dict)
    unit: str | None = None
    range: tuple[float, float] | None = None
    ask_if: Condition | None = None
    not_above: str | None = None
    warns: str = ""  # red flags: the warning sign it screens for, named when left unanswered
    short: str = ""  # a few words naming the answer in a report's evidence ("time on feet")


class Finding(msgspec.Struct, frozen=True):
    id: str
    name: str
    description: str
    origin: Origin
    picture: str = ""  # what kind of cramp this shows, for the report's "What kind of cramp"
    claims: tuple[str, ...] = ()
    # `picture` given as alternatives with {placeholders} (PICTURE_PLACEHOLDERS): the report
    # shows the first whose placeholders are all known; `picture` is the last, which has none
    pictures: tuple[str, ...] = ()


# What a finding's `picture` may name, filled from the runner's answers by the report
# (crampdx.diagnosis.picture_values); a placeholder is known only when its sentence holds.
PICTURE_PLACEHOLDERS: dict[str, str] = {
    "distance_km": "the race's distance (event_distance_km)",
    "onset_km": "where the first cramp came (onset_km)",
    "last_third_km": ("where the race's last third begins, about two thirds of its distance; "
                      "known only when the first cramp came at or beyond it"),
}


class Cause(msgspec.Struct, frozen=True):
    id: str
    name: str
    summary: str
    origin: Origin
    role: str = "cause"  # one of CAUSE_ROLES
    claims: tuple[str, ...] = ()


class Rule(msgspec.Struct, frozen=True):
    id: str
    when: Condition
    then_kind: str  # finding | cause | triage
    then: str
    because: str
    source: str
    origin: Origin
    certainty: float = 1.0
    action: str = ""
    condition: str = ""  # triage: the medical condition this red flag suggests (conditions kind)
    claims: tuple[str, ...] = ()


class MedicalCondition(msgspec.Struct, frozen=True):
    """A medical condition a red flag can suggest (EAH, heat stroke...): named in the report
    with what to do, and, once a doctor has cleared the runner, how to return to running.
    `clearance`: a flag for it at any level holds the training plan until a doctor clears it.
    `cause`: the cause (if any) that is the same thing seen as a cause of the cramps."""

    id: str
    name: str
    summary: str
    source: str
    origin: Origin
    return_to_running: str = ""
    return_source: str = ""
    clearance: bool = False
    cause: str = ""
    milder_form_of: str = ""  # a flag for that condition at a higher level supersedes this one
    # likewise for each of these: a diagnosis of exclusion (a collapse after the finish) gives
    # way to the conditions it must not be mistaken for once a higher-level flag names them
    superseded_by: tuple[str, ...] = ()


class Remedy(msgspec.Struct, frozen=True):
    id: str
    causes: tuple[str, ...]
    kind: str
    text: str
    source: str
    origin: Origin
    when: Condition | None = None  # shown only when this holds (answers and findings)
    not_with: tuple[str, ...] = ()  # condition ids: left out when one is flagged or leads
    fits: Condition | None = None  # shown unless the race and runner make this known false
    claims: tuple[str, ...] = ()


class NumberSource(msgspec.Struct, frozen=True):
    """Whose numbers these are, when they are not the item's own source: `numbers` are the
    placeholders they fill, `about` says which numbers in words."""

    source: str
    about: str
    numbers: tuple[str, ...] = ()


class Source(msgspec.Struct, frozen=True):
    id: str
    cite: str
    evidence: str
    origin: Origin
    short: str = ""

    @property
    def label(self) -> str:
        """A short name for one line: the `short` field, else 'First-author year', else a
        short cite as written ("My notes"), and only then the id (a coach's own source)."""
        if self.short:
            return self.short
        import re

        year = re.search(r"\b(19|20)\d\d\b", self.cite)
        author = re.split(r"[\s,.]", self.cite.strip(), maxsplit=1)[0]
        if year and author:
            return f"{author} {year.group(0)}"
        cite = " ".join(self.cite.split())
        return cite if 0 < len(cite) <= SHORT_CITE else self.id


SHORT_CITE = 40  # a cite without a year this short is its own label


class PlanTemplate(msgspec.Struct, frozen=True):
    """A piece of the action plan sized to the athlete: the named `sizing` function in
    crampdx.plan reads `table` and fills the `{placeholders}` of `text` (one template per case)
    and of `rows` (one per kind of schedule row). No `causes`: part of every plan."""

    id: str
    causes: tuple[str, ...]
    kind: str
    sizing: str
    title: str
    table: dict[str, Any]
    text: dict[str, tuple[tuple[str, ...], ...]]  # case -> sentences -> alternatives
    rows: dict[str, tuple[str, ...]]  # row kind -> alternatives
    source: str
    origin: Origin
    not_with: tuple[str, ...] = ()  # condition ids: left out when one is flagged or leads
    fits: Condition | None = None  # part of the plan unless known false for the race
    sources: tuple[NumberSource, ...] = ()
    claims: tuple[str, ...] = ()


class Notice(msgspec.Struct, frozen=True):
    id: str
    title: str
    text: str
    origin: Origin
    claims: tuple[str, ...] = ()


class KnowledgeBase(msgspec.Struct, dict=True):
    """Every item by id, in file order; `dirs` are the directories it was read from.
    `dict=True`: the indexes built on first use (rules by target, by level) live in its
    `__dict__`, outside the fields, so they are neither compared nor cached."""

    dirs: tuple[str, ...] = ()
    sections: dict[str, Section] = msgspec.field(default_factory=dict)
    questions: dict[str, Question] = msgspec.field(default_factory=dict)
    findings: dict[str, Finding] = msgspec.field(default_factory=dict)
    causes: dict[str, Cause] = msgspec.field(default_factory=dict)
    rules: dict[str, Rule] = msgspec.field(default_factory=dict)
    remedies: dict[str, Remedy] = msgspec.field(default_factory=dict)
    sources: dict[str, Source] = msgspec.field(default_factory=dict)
    notices: dict[str, Notice] = msgspec.field(default_factory=dict)
    plans: dict[str, PlanTemplate] = msgspec.field(default_factory=dict)
    conditions: dict[str, MedicalCondition] = msgspec.field(default_factory=dict)

    def kind(self, name: str) -> dict[str, Any]:
        return getattr(self, name)

    def rules_for(self, then_kind: str, target: str) -> list[Rule]:
        """The rules concluding `target`, in file order: indexed on first use (the interview
        asks this for every finding after every answer), rebuilt if the rules were replaced."""
        index = self.__dict__.get("_rules_by_target")
        if index is None or index[0] is not self.rules or index[1] != len(self.rules):
            by_target: dict[tuple[str, str], list[Rule]] = {}
            for rule in self.rules.values():
                by_target.setdefault((rule.then_kind, rule.then), []).append(rule)
            index = self.__dict__["_rules_by_target"] = (self.rules, len(self.rules), by_target)
        return list(index[2].get((then_kind, target), ()))

    def evidence_label(self, source_id: str) -> str:
        source = self.sources.get(source_id)
        return source.evidence if source else "anecdotal"
