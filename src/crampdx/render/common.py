"""Wording shared by every format, so terminal, Markdown and JSON say the same things."""

from __future__ import annotations

from typing import Any

from crampdx.engine import Evidence
from crampdx.knowledge.model import EVIDENCE_WORDS, KnowledgeBase

LEVEL_TITLES = {
    "emergency": "EMERGENCY: get medical help now",
    "see_doctor": "See a doctor",
    "self_care": "No red flags in your answers",
}
FLAG_LABELS = {"emergency": "Emergency", "see_doctor": "See a doctor", "self_care": "Self care"}
LEVEL_NOTES = {
    "self_care": "Nothing you answered points to a medical problem; the causes below are about "
                 "training, pacing and fuelling. If you feel unwell, see a doctor anyway.",
}
KIND_TITLES = {
    "acute": "Right now",
    "race_day": "Race day",
    "fuelling": "Fuelling and drinking",
    "training": "Training",
    "medical": "Medical",
    "extra": "Extras (anecdotal, untested)",
}


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def format_answer(kb: KnowledgeBase, fact: str, value: Any) -> str:
    question = kb.questions.get(fact)
    unit = f" {question.unit}" if question is not None and question.unit else ""
    return f"{fact} = {format_value(value)}{unit}"


def evidence_facts(kb: KnowledgeBase, evidence: Evidence) -> str:
    parts = [format_answer(kb, fact, value) for fact, value in evidence.facts.items()]
    parts += [f"{kb.findings[f].name} ({cf:.0%})" for f, cf in evidence.findings.items()]
    return "; ".join(parts)


def source_label(kb: KnowledgeBase, source_id: str, *, full: bool = False) -> str:
    """'Hew-Butler 2015, consensus statement' (or the full citation for documents)."""
    source = kb.sources.get(source_id)
    if source is None:
        return source_id
    name = source.cite if full else source.label
    return f"{name}; {EVIDENCE_WORDS.get(source.evidence, source.evidence)}"


def bar(certainty: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, certainty)) * width)
    return "█" * filled + "░" * (width - filled)


def answered_line(diagnosis) -> str:  # type: ignore[no-untyped-def]
    answered = len(diagnosis.answers.values)
    return f"{answered} of {diagnosis.questions_total} questions answered"
