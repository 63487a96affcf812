"""The fields each kind of knowledge item may have: read by the loader and by `kb schema`.

One source of truth: the loader checks items against these specs, and `crampdx kb schema`
turns them into the JSON Schema that editors use while typing (crampdx.knowledge.reference).
"""

from __future__ import annotations

import msgspec

from crampdx.knowledge.model import (
    CAUSE_ROLES,
    EVIDENCE_LABELS,
    QUESTION_TYPES,
    REMEDY_KINDS,
    TRIAGE_LEVELS,
)
from crampdx.knowledge.plans import SIZINGS
from crampdx.units import UNITS


class FieldSpec(msgspec.Struct, frozen=True):
    name: str
    # id | rule_id | text | ref | certainty | enum | choices | range | condition | then | ids
    # | idlist (one id or a list) | mapping (answers) | numbersources (plans' `sources`)
    # | sentence (a text, or a list of alternative templates)
    kind: str
    required: bool = False
    values: tuple[str, ...] = ()
    description: str = ""


SNAKE_ID = r"^[a-z][a-z0-9_]*$"
RULE_ID = r"^[a-z0-9][a-z0-9_-]*$"
KEBAB_KINDS = ("rules", "remedies", "cases", "plans")

KINDS: dict[str, tuple[FieldSpec, ...]] = {
    "sections": (
        FieldSpec("id", "id", True, description="snake_case section id"),
        FieldSpec("title", "text", True, description="Heading shown in the interview"),
    ),
    "questions": (
        FieldSpec("id", "id", True, description="snake_case fact id; answers files use it"),
        FieldSpec("section", "ref", True, description="Section id"),
        FieldSpec("ask", "text", True, description="The question as the runner reads it"),
        FieldSpec("type", "enum", True, QUESTION_TYPES, "Answer type"),
        FieldSpec("help", "text", True, description="Why it is asked, in plain language"),
        FieldSpec("choices", "choices", description="choice/multi: value -> label"),
        FieldSpec("unit", "enum", values=tuple(UNITS), description="number: canonical unit"),
        FieldSpec("range", "range", description="number: [min, max] in the unit"),
        FieldSpec("ask_if", "condition", description="Ask only when this condition holds"),
        FieldSpec("not_above", "ref",
                  description="number: may not exceed this other number answer (5% slack)"),
        FieldSpec("warns", "text",
                  description="Red flags: the warning sign it screens for, in a few words; "
                              "reports name it when the question is left unanswered"),
        FieldSpec("short", "text",
                  description="A few words naming the answer where a report shows the "
                              "evidence (default: the id in words, its unit dropped)"),
    ),
    "findings": (
        FieldSpec("id", "id", True, description="snake_case finding id"),
        FieldSpec("name", "text", True, description="Short name for reports"),
        FieldSpec("description", "text", True, description="What it means"),
        FieldSpec("picture", "sentence",
                  description="What kind of cramp it shows, in the report's 'What kind of "
                              "cramp': a text, or a list of alternatives whose {placeholders} "
                              "(distance_km, onset_km, last_third_km) come from the answers; "
                              "the first with all known is shown, the last has none"),
        FieldSpec("claims", "ids", description="Ids of the seed claims this item encodes "
                                               "(docs/seed.md)"),
    ),
    "causes": (
        FieldSpec("id", "id", True, description="snake_case cause id"),
        FieldSpec("name", "text", True, description="Name shown in the report"),
        FieldSpec("summary", "text", True, description="Plain-language explanation"),
        FieldSpec("role", "enum", values=CAUSE_ROLES,
                  description="cause (default): something to change; mechanism: how a cramp "
                              "happens, leads only when no cause has evidence; minor: never "
                              "outranks a cause with evidence"),
        FieldSpec("claims", "ids", description="Ids of the seed claims this item encodes "
                                               "(docs/seed.md)"),
    ),
    "rules": (
        FieldSpec("id", "rule_id", True, description="Rule id (kebab-case)"),
        FieldSpec("when", "condition", True, description="Condition over answers and findings"),
        FieldSpec("then", "then", True, description="{finding: ID} | {cause: ID} | {triage: LEVEL}"),
        FieldSpec("certainty", "certainty", description="Certainty factor in [-1, 1]; not for triage"),
        FieldSpec("because", "text", True, description="Why, in a sentence a runner understands"),
        FieldSpec("source", "ref", True, description="Source id"),
        FieldSpec("action", "text", description="Triage: what to do now"),
        FieldSpec("condition", "ref",
                  description="Triage: the medical condition (conditions kind) it suggests"),
        FieldSpec("claims", "ids", description="Ids of the seed claims this item encodes "
                                               "(docs/seed.md)"),
    ),
    "remedies": (
        FieldSpec("id", "rule_id", True, description="Remedy id (kebab-case)"),
        FieldSpec("cause", "ref", description="The cause it answers"),
        FieldSpec("causes", "ids", description="Or several causes"),
        FieldSpec("kind", "enum", True, REMEDY_KINDS, "When and how it applies"),
        FieldSpec("text", "text", True, description="The advice"),
        FieldSpec("source", "ref", True, description="Source id"),
        FieldSpec("when", "condition",
                  description="Shown only when this holds (answers and findings); with it, "
                              "'cause' may be left out"),
        FieldSpec("not_with", "ids",
                  description="Condition ids: left out when one is flagged or its cause leads"),
        FieldSpec("fits", "condition",
                  description="Shown unless the race and runner make this known false (an "
                              "unanswered fact never hides it); answers only"),
        FieldSpec("claims", "ids", description="Ids of the seed claims this item encodes "
                                               "(docs/seed.md)"),
    ),
    "notices": (
        FieldSpec("id", "id", True, description="snake_case notice id (limits, not_a_doctor...)"),
        FieldSpec("title", "text", True, description="Heading in reports"),
        FieldSpec("text", "text", True, description="What every report says"),
        FieldSpec("claims", "ids", description="Ids of the seed claims this item encodes "
                                               "(docs/seed.md)"),
    ),
    "sources": (
        FieldSpec("id", "id", True, description="snake_case source id"),
        FieldSpec("cite", "text", True, description="Full citation, printed in documents"),
        FieldSpec("short", "text", description="Short label for the terminal, e.g. 'Hew-Butler 2015'"),
        FieldSpec("evidence", "enum", True, EVIDENCE_LABELS, "Strength label"),
    ),
    "cases": (
        FieldSpec("id", "rule_id", True, description="Case id (kebab-case)"),
        FieldSpec("description", "text", description="What the case shows, in a sentence"),
        FieldSpec("answers", "mapping", True,
                  description="An athlete's answers, as in an answers file: question id -> answer"),
        FieldSpec("lead", "idlist", description="Cause id(s) that must rank highest (a list: the "
                                                "top places, in any order)"),
        FieldSpec("appear", "idlist", description="Cause id(s) that must be among the causes "
                                                  "found (certainty above 0)"),
        FieldSpec("absent", "idlist", description="Cause id(s) that must not be among the causes "
                                                  "found"),
        FieldSpec("triage", "enum", values=TRIAGE_LEVELS, description="The triage level the "
                                                                      "report must give"),
        FieldSpec("fires", "idlist", description="Rule id(s) that must fire"),
        FieldSpec("not_fires", "idlist", description="Rule id(s) that must not fire"),
        FieldSpec("conditions", "idlist", description="Condition id(s) the red flags must "
                                                      "name (each flag's condition)"),
        FieldSpec("citation", "text", description="The published source of a literature case"),
        FieldSpec("published", "text", description="What was published, in one line"),
    ),
    "plans": (
        FieldSpec("id", "rule_id", True, description="Plan item id (kebab-case)"),
        FieldSpec("cause", "ref", description="The cause it answers (none: every plan has it)"),
        FieldSpec("causes", "ids", description="Or several causes"),
        FieldSpec("kind", "enum", values=REMEDY_KINDS, description="When and how it applies"),
        FieldSpec("sizing", "enum", True, tuple(SIZINGS),
                  "The function in crampdx.plan that computes its numbers"),
        FieldSpec("title", "text", True, description="Short name, e.g. 'Long runs'"),
        FieldSpec("table", "table", description="The numbers the sizing reads (see docs)"),
        FieldSpec("text", "templates", True,
                  description="Template(s) with {placeholders}; a mapping of case -> template "
                              "when the sizing has cases"),
        FieldSpec("rows", "templates", description="Schedule row templates, by row kind"),
        FieldSpec("source", "ref", True, description="Source id"),
        FieldSpec("not_with", "ids",
                  description="Condition ids: left out when one is flagged or its cause leads"),
        FieldSpec("fits", "condition",
                  description="Part of the plan unless the race and runner make this known false (an "
                              "unanswered fact never hides it); answers only"),
        FieldSpec("sources", "numbersources",
                  description="Whose numbers, when not the item's source: a list of {source, "
                              "about, numbers: [placeholders]}"),
        FieldSpec("claims", "ids", description="Ids of the seed claims this item encodes "
                                               "(docs/seed.md)"),
    ),
    "conditions": (
        FieldSpec("id", "id", True, description="snake_case condition id (eah, heat_stroke...)"),
        FieldSpec("name", "text", True, description="Name shown beside each red flag"),
        FieldSpec("summary", "text", True, description="What it is, in plain language"),
        FieldSpec("source", "ref", True, description="Source id"),
        FieldSpec("return_to_running", "text",
                  description="Graded return to running once a doctor has cleared the runner"),
        FieldSpec("return_source", "ref",
                  description="Source of the return advice (default: 'source')"),
        FieldSpec("clearance", "bool",
                  description="true: a red flag for it holds training until a doctor clears "
                              "the runner"),
        FieldSpec("cause", "ref",
                  description="The cause that is the same thing seen as a cause of cramps"),
        FieldSpec("milder_form_of", "ref",
                  description="The condition this is a milder form of (heat exhaustion: heat "
                              "stroke); a higher-level flag for that one supersedes this"),
        FieldSpec("superseded_by", "ids",
                  description="Condition ids whose higher-level flags supersede this one's "
                              "(a collapse after the finish: heat stroke, EAH)"),
    ),
}
EXPECTATIONS = ("lead", "appear", "absent", "triage", "fires", "not_fires", "conditions")

KIND_HELP: dict[str, str] = {
    "sections": "Interview sections, in order",
    "questions": "The fact vocabulary: an answers file uses these ids",
    "findings": "Intermediate conclusions that rules chain through",
    "causes": "What the report ranks",
    "rules": "Conditions -> a finding, a cause or a triage level",
    "remedies": "What to do about a cause",
    "notices": "Texts every report prints",
    "sources": "Where a rule or remedy comes from, and how strong that is",
    "cases": "Answers and what must follow from them: the regression tests of the rules",
    "plans": "Pieces of the action plan sized to the athlete by a named sizing",
    "conditions": "Medical conditions red flags suggest (EAH, heat stroke...): name, what to "
                  "do, return to running",
}

THEN_KINDS = ("finding", "cause", "triage")
TRIAGE = TRIAGE_LEVELS
