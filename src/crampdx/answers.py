"""An athlete's answers: read from YAML/JSON, checked against the questions, units converted.

Unanswered means unknown, never false: a missing key, null, or "don't know" leaves the fact out.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crampdx.errors import CrampdxError, did_you_mean
from crampdx.knowledge.model import KnowledgeBase, Question
from crampdx.units import UnitError, parse_quantity
from crampdx.yamlio import MAX_FILE_BYTES, LocatedDict, load_yaml_file, type_name

META_KEYS = ("athlete", "event", "date", "notes")
UNKNOWN_WORDS = {"", "?", "unknown", "don't know", "dont know", "n/a", "na", "skip", "skipped"}
TRUE_WORDS = {"yes", "y", "true", "on", "1"}
FALSE_WORDS = {"no", "n", "false", "off", "0"}


@dataclass
class Answers:
    """Known answers by question id (in canonical units) and free-text meta (athlete, event...)."""

    values: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    unknown: set[str] = field(default_factory=set)  # answered "don't know": never re-asked
    # Answers read from activity files (crampdx.activity), by question id: {"from": [files],
    # "rule": "..."}; the runner's own answers are never in here.
    derived: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Questions explicitly answered "don't know" (not merely left empty): activity files do
    # not fill them, the runner has said they do not know.
    declined: set[str] = field(default_factory=set)


class AnswerError(ValueError):
    """One answer does not fit its question; the message says what would."""


def coerce(question: Question, value: Any) -> Any:
    """The canonical value of one answer, None for unknown; AnswerError when it cannot fit."""
    if value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS):
        return None
    qtype = question.type
    if qtype == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise AnswerError(f"expected yes or no (true/false), not {value!r}")
    if qtype == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise AnswerError(f"expected a number, not {type_name(value)}")
        try:
            number = parse_quantity(value, question.unit) if isinstance(value, str) \
                else float(value)
        except UnitError as exc:
            raise AnswerError(str(exc)) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise AnswerError(f"expected a finite number, not {value!r}")
        if question.range and not question.range[0] <= number <= question.range[1]:
            low, high = question.range
            unit = f" {question.unit}" if question.unit else ""
            shown = f"{number:g}{unit}" + (f" (from {value!r})" if isinstance(value, str) else "")
            raise AnswerError(f"{shown} is out of range: expected {low:g} to {high:g}{unit}")
        return int(number) if number.is_integer() and not question.unit else round(number, 3)
    if qtype == "choice":
        if isinstance(value, list):
            raise AnswerError(f"takes one of {', '.join(question.choices)}, not a list")
        return _choice(question, value)
    items = value
    if isinstance(value, str):
        items = [part for part in value.split(",") if part.strip()]
    if not isinstance(items, list):
        raise AnswerError(f"expected a list of {', '.join(question.choices)}, "
                          f"not {type_name(value)}")
    chosen: list[str] = []
    for item in items:
        if isinstance(item, str) and item.strip().lower() in ("none", "nothing", "no") \
                and "none" not in question.choices:
            raise AnswerError("for none of these, write [] (an empty list)")
        choice = _choice(question, item)
        if choice is not None and choice not in chosen:
            chosen.append(choice)
    return tuple(chosen)


def _choice(question: Question, value: Any) -> str:
    if isinstance(value, str):
        word = value.strip().lower().replace(" ", "_").replace("-", "_")
        if word in question.choices:
            return word
        for choice, label in question.choices.items():
            if word == label.strip().lower().replace(" ", "_"):
                return choice
    shown = value if isinstance(value, str) else type_name(value)
    raise AnswerError(f"'{shown}' is not a choice{did_you_mean(str(value), question.choices)}; "
                      f"choose from: {', '.join(question.choices)}")


def parse_answers(data: Any, kb: KnowledgeBase, path: str = "<answers>") -> Answers:
    """Check a mapping of question id -> value against the knowledge base."""
    if not isinstance(data, dict):
        line = getattr(data, "line", None) or (1 if data is not None else None)
        raise CrampdxError(
            f"an answers file is a mapping of question id -> answer, not {type_name(data)} "
            "(e.g. 'event_distance_km: 42.2')", path=path, line=line)
    answers = Answers(source=path)
    for key, value in data.items():
        line, column = data.position_of(key) if isinstance(data, LocatedDict) else (None, None)
        if key in META_KEYS:
            if value is not None:
                answers.meta[key] = value.isoformat() if isinstance(value, _dt.date) \
                    else str(value)
            continue
        question = kb.questions.get(key) if isinstance(key, str) else None
        if question is None:
            hint = did_you_mean(str(key), list(kb.questions) + list(META_KEYS))
            raise CrampdxError(f"unknown question '{key}'{hint}; "
                               "'crampdx questions' lists them all",
                               path=path, line=line, column=column)
        try:
            coerced = coerce(question, value)
        except AnswerError as exc:
            raise CrampdxError(f"{key}: {exc}", path=path, line=line, column=column) from None
        if coerced is not None:
            answers.values[key] = coerced
        else:
            answers.unknown.add(key)
            if isinstance(value, str) and value.strip():
                answers.declined.add(key)
    _check_together(answers, kb, data, path)
    return answers


NOT_ABOVE_SLACK = 1.05


def _check_together(answers: Answers, kb: KnowledgeBase, data: Any, path: str) -> None:
    """Catch slips that each answer alone cannot show, e.g. the first cramp after the finish
    (an onset in miles after a distance in km): a question's `not_above`."""
    values = answers.values
    for question in kb.questions.values():
        limit = question.not_above
        if limit is not None and question.id in values and limit in values and values[question.id] > values[limit] * NOT_ABOVE_SLACK:
            line, column = data.position_of(question.id) if isinstance(data, LocatedDict) \
                else (None, None)
            unit = f" {question.unit}" if question.unit else ""
            raise CrampdxError(f"{question.id}: {values[question.id]:g}{unit} is more than "
                               f"{limit} ({values[limit]:g}{unit}); check the answers and "
                               "their units", path=path, line=line, column=column)


def load_answers(path: Path, kb: KnowledgeBase) -> Answers:
    """Read an answers file (YAML or JSON) and check it."""
    data = load_yaml_file(path, what="answers file", max_bytes=MAX_FILE_BYTES)
    if data is None:
        data = LocatedDict()
    return parse_answers(data, kb, str(path))


def dump_answers(answers: Answers, kb: KnowledgeBase, *, header: str = "") -> str:
    """Answers as a YAML file that `crampdx debrief` reads back to the same result."""
    import yaml

    lines = [f"# {line}" for line in header.splitlines()] if header else []
    document: dict[str, Any] = dict(answers.meta)
    for question_id in kb.questions:
        if question_id in answers.values:
            value = answers.values[question_id]
            document[question_id] = list(value) if isinstance(value, tuple) else value
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return "\n".join(lines + [body]) if lines else body
