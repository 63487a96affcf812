"""Wording shared by every format, so terminal, Markdown and JSON say the same things."""

from __future__ import annotations

from typing import Any, Mapping

from crampdx.engine import Evidence
from crampdx.knowledge.model import EVIDENCE_WORDS, KnowledgeBase

LEVEL_TITLES = {
    "emergency": "EMERGENCY: get medical help now",
    "see_doctor": "See a doctor",
    "self_care": "No red flags in your answers",  # only when every warning sign was answered
}
SELF_CARE_FLAG_TITLE = "Self care: what to do now"
UNSCREENED_TITLE = "Warning signs not checked"
UNSCREENED_NOTE = ("Not asked or not answered: {signs}. Unanswered is not the same as no: if "
                   "any of these happened, treat it as a warning sign and get medical help.")
CLEARED_ONLY = "only after a doctor has cleared you"
FLAG_LABELS = {"emergency": "Emergency", "see_doctor": "See a doctor", "self_care": "Self care"}
LEVEL_NOTES = {
    "self_care": "Nothing you answered points to a medical problem; the causes below are about "
                 "training, pacing and fuelling. If you feel unwell, see a doctor anyway.",
}
PLAN_TITLE = "Your plan"
SECTION_TITLES = {
    "now": "Right now, when a cramp comes",
    "training": "Training: what to change",
    "race": "Next race: fuelling and drinking",
    "medical": "Medical",
    "extras": "Extras (the coach's, anecdotal and untested)",
}
NEXT_RACE_GROUP = "For the next race's ground, heat and descents"
SECTION_NOTES = {
    "extras": "Things the coach lists as extras on top of training, nutrition and sleep. No "
              "study supports them; try them only as extras.",
}
# The race the plan is sized for, in the order a runner describes one.
RACE_FACTS = ("event_distance_km", "event_duration_h", "terrain", "elevation_gain_m",
              "elevation_loss_m", "biggest_race_descent_m", "temperature_c")
RACE_FACT_WORDS = {"elevation_gain_m": "up", "elevation_loss_m": "down",
                   "biggest_race_descent_m": "biggest descent"}


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def format_hours(value: float) -> str:
    """A duration in hours as a runner reads it: "4.5 h" when one decimal says it exactly,
    else hours and minutes ("4 h 50 min", from a typed 4:50 that is 4.8333 h)."""
    if abs(value * 10 - round(value * 10)) < 1e-6:
        return f"{value:g} h"
    minutes = round(value * 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def format_quantity(value: Any, unit: str | None) -> str:
    """A value with its unit, the one place durations get their hours-and-minutes form."""
    if unit == "h" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_hours(float(value))
    return f"{format_value(value)} {unit}" if unit else format_value(value)


def format_answer(kb: KnowledgeBase, fact: str, value: Any) -> str:
    """The expert's form (--explain, JSON's readers): "temperature_c = 29 °C"."""
    question = kb.questions.get(fact)
    return f"{fact} = {format_quantity(value, question.unit if question is not None else None)}"


# a question id's unit suffix, dropped when the id names the answer in words
_UNIT_SUFFIXES = ("_mg_per_h", "_ml_per_h", "_g_per_h", "_mmol_l", "_km", "_kg", "_h", "_c",
                  "_m")


def answer_name(kb: KnowledgeBase, fact: str) -> str:
    """A few words naming an answer: the question's `short`, else its id in words."""
    question = kb.questions.get(fact)
    if question is not None and question.short:
        return question.short
    for suffix in _UNIT_SUFFIXES:
        if fact.endswith(suffix) and len(fact) > len(suffix):
            fact = fact[:-len(suffix)]
            break
    return fact.replace("_", " ")


def answer_in_words(kb: KnowledgeBase, fact: str, value: Any) -> str:
    """The runner's form: "Temperature: 29 °C", "How far the cramps spread: all over, even
    hands, face, neck or core" (a choice by its label, as the interview showed it)."""
    question = kb.questions.get(fact)
    if question is not None and question.choices and isinstance(value, (str, tuple, list)):
        items = [value] if isinstance(value, str) else list(value)
        labels = [question.choices.get(item, str(item)) for item in items]
        shown = ", ".join(label[:1].lower() + label[1:] for label in labels) or "none"
    else:
        shown = format_quantity(value, question.unit if question is not None else None)
    name = answer_name(kb, fact)
    return f"{name[:1].upper()}{name[1:]}: {shown}"


WATCH_MARK = " (from the watch)"
ESTIMATE_MARK = " (estimated)"


def evidence_facts(kb: KnowledgeBase, evidence: Evidence, derived: Any = (),
                   estimated: Mapping[str, Any] | None = None, *, explain: bool = True) -> str:
    """The answers and findings a rule used; answers read from activity files (`derived`,
    question ids) are marked so, and values crampdx estimated (`estimated`, crampdx.derived)
    are marked as estimates, never shown as if the runner had answered them. The runner's
    view (`explain=False`) names them in words, without ids or certainty percentages (which
    a runner reads as chances); --explain shows both."""
    show = format_answer if explain else answer_in_words
    parts = [show(kb, fact, value) + (WATCH_MARK if fact in derived else "")
             + (ESTIMATE_MARK if estimated and fact in estimated else "")
             for fact, value in evidence.facts.items()]
    parts += [f"{kb.findings[f].name} ({cf:.0%})" if explain else kb.findings[f].name
              for f, cf in evidence.findings.items()]
    return "; ".join(parts)


def source_label(kb: KnowledgeBase, source_id: str, *, full: bool = False) -> str:
    """'Hew-Butler 2015, consensus statement' (or the full citation for documents)."""
    source = kb.sources.get(source_id)
    if source is None:
        return source_id
    name = source.cite if full else source.label
    return f"{name}; {EVIDENCE_WORDS.get(source.evidence, source.evidence)}"


def race_line(kb: KnowledgeBase, plan) -> str:  # type: ignore[no-untyped-def]
    """'42.2 km · 3.9 h (estimated) · road · 120 m up · 120 m down · 14 °C'; nothing for an
    emergency's plan, which sizes nothing."""
    if getattr(plan, "withheld", ""):
        return ""
    parts = []
    for fact in RACE_FACTS:
        if fact not in plan.race:
            continue
        question = kb.questions.get(fact)
        text = format_quantity(plan.race[fact], question.unit if question is not None else None)
        if fact in RACE_FACT_WORDS:
            text = f"{text} {RACE_FACT_WORDS[fact]}" if fact != "biggest_race_descent_m" \
                else f"{RACE_FACT_WORDS[fact]} {text}"
        if fact == "event_duration_h" and plan.estimated_duration:
            text += " (estimated)"
        parts.append(text)
    return " · ".join(parts)


def weeks_label(row) -> str:  # type: ignore[no-untyped-def]
    return f"Week {row.first}" if row.first == row.last else f"Weeks {row.first}–{row.last}"


def plan_groups(plan) -> list[tuple[str, list[tuple[str | None, list]]]]:  # type: ignore[no-untyped-def]
    """The plan's sections in reading order, each split by the cause its items answer."""
    from crampdx.plan import SECTIONS

    groups = []
    for section in SECTIONS:
        items = plan.section(section)
        if not items:
            continue
        by_cause: list[tuple[str | None, list]] = []
        for item in items:
            cause = item.cause if section == "training" else None
            if not by_cause or by_cause[-1][0] != cause:
                by_cause.append((cause, []))
            by_cause[-1][1].append(item)
        groups.append((section, by_cause))
    return groups


def cited_sources(diagnosis) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted({e.rule.source for c in diagnosis.causes for e in c.support + c.against}
                  | {f.rule.source for f in diagnosis.triage.flags}
                  | {item.source for item in diagnosis.plan}
                  | {c.source for c in getattr(diagnosis, "cautions", ()) if c.source}
                  | {n["source"] for item in diagnosis.plan
                     for n in getattr(item, "number_sources", ())})


def bar(certainty: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, certainty)) * width)
    return "█" * filled + "░" * (width - filled)


def answered_line(diagnosis) -> str:  # type: ignore[no-untyped-def]
    answered = len(diagnosis.answers.values)
    line = f"{answered} of {diagnosis.questions_total} questions answered"
    declined = len(getattr(diagnosis.answers, "declined", ()))
    if declined:  # so the interview's "question 48 of about 48" and this line add up
        line += f"; {declined} answered \"don't know\""
    derived = getattr(diagnosis.answers, "derived", {})
    if derived:  # which files: the JSON report's "derived" and `crampdx import`'s comments
        line += f"; {len(derived)} of them read from your activity files"
    return line


def flag_label(kb: KnowledgeBase, flag: Evidence) -> str:
    """'Emergency — suspected: Exertional heat stroke': the level and its condition."""
    label = FLAG_LABELS[flag.rule.then]
    condition = kb.conditions.get(flag.rule.condition) if flag.rule.condition else None
    return f"{label} — suspected: {condition.name}" if condition else label


def triage_boxes(diagnosis) -> list[tuple[str, str, list]]:  # type: ignore[no-untyped-def]
    """The red-flag boxes, most severe first, one level each: (level, title, flags). With no
    flag, one box that says "no red flags" only when every warning sign was answered."""
    triage = diagnosis.triage
    if not triage.flags:
        title = LEVEL_TITLES["self_care"] if triage.screened else UNSCREENED_TITLE
        return [("self_care", title, [])]
    boxes = []
    for level in triage.levels():
        title = SELF_CARE_FLAG_TITLE if level == "self_care" else LEVEL_TITLES[level]
        boxes.append((level, title, [f for f in triage.flags if f.rule.then == level]))
    return boxes


def unscreened_note(kb: KnowledgeBase, diagnosis) -> str:  # type: ignore[no-untyped-def]
    """The warning signs nobody answered, named; "" when all were."""
    ids = diagnosis.triage.unscreened
    if not ids:
        return ""
    signs = "; ".join(kb.questions[q].warns or kb.questions[q].ask for q in ids
                      if q in kb.questions)
    return UNSCREENED_NOTE.format(signs=signs)


CAUTION_TITLES = {
    "impossible_pace": "Check your answers: a pace no one has run",
    "did_not_finish": "A race you did not finish",
}


def caution_items(diagnosis) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(title, text) for each caution (crampdx.derived.cautions), after the red flags."""
    return [(CAUTION_TITLES.get(c.id, c.id), c.text)
            for c in getattr(diagnosis, "cautions", ())]


def derived_notes(diagnosis) -> list[str]:  # type: ignore[no-untyped-def]
    """How each value the runner did not give was estimated (crampdx.derived)."""
    return [value.how for value in diagnosis.estimated.values()]


def section_title(section: str, plan) -> str:  # type: ignore[no-untyped-def]
    """A plan section's heading; training and racing say when they may start."""
    title = SECTION_TITLES[section]
    if plan.cleared_only and section in ("training", "race"):
        return f"{title} ({CLEARED_ONLY})"
    return title



# -- a runner's view and an expert's view (--explain) ---------------------------------------

KIND_TITLE = "What kind of cramp"
CAUSES_NOTE = (
    "Ranked with what you can change first. The leading causes are the ones the plan below "
    "works on. \"Tired muscles losing control\" is how a race cramp happens rather than why: "
    "it leads only when your answers show nothing more specific. The bars weigh the evidence "
    "in your answers for each cause; they are not the chance that it is right.")
EXPLAIN_NOTE = (
    "Expert view (--explain): each reason shows its rule id and certainty factor; a cause's "
    "certainty combines them (MYCIN: two positive factors a and b give a + b(1 - a)). Causes "
    "rank by role first (a changeable cause with a certainty of at least 0.25, then the "
    "mechanism with at least 0.25, then the rest) and then by certainty.")


def strength_word(certainty: float) -> str:
    """The evidence's weight in words, for the runner's view (no percentages)."""
    if certainty >= 0.6:
        return "strong evidence"
    if certainty >= 0.3:
        return "some evidence"
    return "weak evidence"


def arithmetic(cause) -> str:  # type: ignore[no-untyped-def]
    """'+0.15 ⊕ +0.15 ⊕ +0.15 = 0.39': how the reasons' factors combine."""
    parts = " ⊕ ".join(f"{e.certainty:+.2f}" for e in cause.support + cause.against)
    return f"{parts} = {cause.certainty:.2f}" if parts else f"{cause.certainty:.2f}"


def item_sources(kb: KnowledgeBase, item) -> str:  # type: ignore[no-untyped-def]
    """'Burke 2011; consensus statement · 30 to 50 g an hour in ultras: Tiller 2019 (ISSN);
    consensus statement': the item's source, then whose its other numbers are."""
    parts = [source_label(kb, item.source)]
    for entry in getattr(item, "number_sources", ()):
        word = EVIDENCE_WORDS.get(entry["evidence"], entry["evidence"])
        parts.append(f"{entry['about']}: {entry['label']}; {word}")
    return " · ".join(parts)
