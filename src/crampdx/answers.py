"""An athlete's answers: read from YAML/JSON, checked against the questions, units converted.

Unanswered means unknown, never false: a missing key, null, or "don't know" leaves the fact out.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import msgspec

from crampdx.errors import MAX_PROBLEMS, CrampdxError, did_you_mean
from crampdx.knowledge.model import KnowledgeBase, Question
from crampdx.textsafe import excerpt
from crampdx.units import (TYPED, UnitError, likely_slip, likely_tiny_slip, quantity_readings,
                           units_in)
from crampdx.yamlio import MAX_FILE_BYTES, LocatedDict, load_yaml_file, spelled, type_name

META_KEYS = ("athlete", "event", "date", "notes")
UNKNOWN_WORDS = {"", "?", "unknown", "don't know", "dont know", "n/a", "na", "skip", "skipped"}
TRUE_WORDS = {"yes", "y", "true", "on", "1"}
FALSE_WORDS = {"no", "n", "false", "off", "0"}


class Answers(msgspec.Struct):
    """Known answers by question id (in canonical units) and free-text meta (athlete, event...)."""

    values: dict[str, Any] = msgspec.field(default_factory=dict)
    meta: dict[str, str] = msgspec.field(default_factory=dict)
    source: str | None = None
    unknown: set[str] = msgspec.field(default_factory=set)  # answered "don't know": never re-asked
    # Answers read from activity files (crampdx.activity), by question id: {"from": [files],
    # "rule": "..."}; the runner's own answers are never in here.
    derived: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    # Questions explicitly answered "don't know" (not merely left empty): activity files do
    # not fill them, the runner has said they do not know.
    declined: set[str] = msgspec.field(default_factory=set)
    # The system the runner typed units in ("imperial" when any answer was in miles, °F...):
    # the report's default units (crampdx.units_display)
    units: str = "metric"


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
        import unicodedata

        word = unicodedata.normalize("NFKC", str(value)).strip().lower()  # ｙｅｓ is yes
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise AnswerError(f"expected yes or no (true/false), not {excerpt(value)}")
    if qtype == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise AnswerError(f"expected a number, not {type_name(value)}")
        try:
            readings = quantity_readings(value, question.unit) if isinstance(value, str) \
                else [float(value)]
        except UnitError as exc:
            raise AnswerError(str(exc)) from None
        except OverflowError:
            raise AnswerError(f"expected a finite number, not {excerpt(value)}") from None
        unit = f" {question.unit}" if question.unit else ""
        if any(number != number or number in (float("inf"), float("-inf"))
               for number in readings):
            raise AnswerError(f"expected a finite number, not {excerpt(value)}")
        if question.range:
            low, high = question.range
            fitting = [number for number in readings if low <= number <= high]
            if not fitting and len(readings) > 1:
                raise AnswerError(
                    f"'{excerpt(value)}' reads as {readings[0]:g}{unit} (comma grouping "
                    f"thousands) or {readings[1]:g}{unit} (decimal comma), and neither is "
                    f"within {low:g} to {high:g}{unit}")
            slip = likely_slip(readings[0], question.unit, low, high) \
                if not fitting and _bare_number(value) else None
            if slip:
                label, converted = slip
                typed = f"{readings[0]:g} {TYPED.get(label, label)}"
                raise AnswerError(
                    f"{readings[0]:g}{unit} is out of range; did you mean {readings[0]:g} "
                    f"{label} ({converted:g}{unit})? Write '{typed}', or a number from {low:g} "
                    f"to {high:g}{unit}")
            if not fitting:
                shown = f"{readings[0]:g}{unit}" + (
                    f" (from '{excerpt(value)}')" if isinstance(value, str) else "")
                raise AnswerError(f"{shown} is out of range: expected {low:g} to "
                                  f"{high:g}{unit}")
            readings = fitting
        number = readings[0]
        tiny = likely_tiny_slip(number, question.unit) if _bare_number(value) else None
        if tiny:
            label, converted = tiny
            raise AnswerError(
                f"{number:g}{unit} is almost none; did you mean {number:g} {label} "
                f"({converted:g}{unit})? Write '{number:g} {label.split('/')[0]}' or "
                f"'{converted:g}', or '{number:g} {question.unit}' if you meant it")
        if not question.unit:  # a count (how many runs, years): whole numbers only
            if not number.is_integer():
                raise AnswerError(f"a count takes a whole number, not {excerpt(value)}")
            return int(number)
        return round(number, 3) + 0.0  # -0 km reads 0 km
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


def _bare_number(value: Any) -> bool:
    """A number written without a unit (84, "84"): only then can the unit have slipped."""
    if isinstance(value, (int, float)):
        return not isinstance(value, bool)
    if not isinstance(value, str):
        return False
    try:
        quantity_readings(value, None)
    except UnitError:
        return False
    return True


def _choice(question: Question, value: Any) -> str:
    if isinstance(value, str):
        import unicodedata

        word = unicodedata.normalize("NFKC", value).strip().lower().replace(" ", "_") \
            .replace("-", "_")  # ＦＵＬＬ_ＢＯＤＹ, as numbers read ４２
        if word in question.choices:
            return word
        for choice, label in question.choices.items():
            if word == label.strip().lower().replace(" ", "_"):
                return choice
    shown = excerpt(value) if isinstance(value, str) else type_name(value)
    raise AnswerError(f"'{shown}' is not a choice{did_you_mean(str(value), question.choices)}; "
                      f"choose from: {', '.join(question.choices)}")


# Free text is shown in every report: a name is one line, notes a page at most.
META_LIMITS = {"athlete": (200, 1), "event": (200, 1), "date": (100, 1), "notes": (5_000, 100)}


def meta_text(key: str, value: Any, path: str, line: int | None = None,
              column: int | None = None) -> str | None:
    """A free-text answer (athlete, event, date, notes), checked for type, length and lines;
    None when it is empty."""
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        raise CrampdxError(f"{key}: expected text, not {type_name(value)}", path=path,
                           line=line, column=column)
    text = (value.isoformat() if isinstance(value, _dt.date) else str(value)).strip()
    most, lines = META_LIMITS[key]
    if len(text) > most:
        raise CrampdxError(f"{key}: {len(text):,} characters is too long; write at most "
                           f"{most:,}", path=path, line=line, column=column)
    count = text.count("\n") + 1
    if count > lines:
        expected = "one line" if lines == 1 else f"at most {lines} lines"
        raise CrampdxError(f"{key}: {count:,} lines; write {expected}", path=path, line=line,
                           column=column)
    return text or None


def parse_answers(data: Any, kb: KnowledgeBase, path: str = "<answers>") -> Answers:
    """Check a mapping of question id -> value against the knowledge base."""
    if not isinstance(data, dict):
        line = getattr(data, "line", None) or (1 if data is not None else None)
        raise CrampdxError(
            f"an answers file is a mapping of question id -> answer, not {type_name(data)} "
            "(e.g. 'event_distance_km: 42.2')", path=path, line=line)
    answers = Answers(source=path, units=units_in(data))
    problems: list[CrampdxError] = []  # every problem in the file, reported together
    left_out = 0  # problems past MAX_PROBLEMS: counted, never described (a huge file is cheap)
    for key, value in data.items():
        if len(problems) >= MAX_PROBLEMS and not (isinstance(key, str) and
                                                  key in kb.questions or key in META_KEYS):
            left_out += 1
            continue
        line, column = data.position_of(key) if isinstance(data, LocatedDict) else (None, None)
        if key in META_KEYS:
            try:
                text = meta_text(key, value, path, line, column)
            except CrampdxError as exc:
                problems.append(exc)
                continue
            if text:
                answers.meta[key] = text
            continue
        question = kb.questions.get(key) if isinstance(key, str) else None
        if not isinstance(key, str):  # `on:`, `~:`, `2024-01-01:` are not names to YAML
            problems.append(CrampdxError(
                f"a key YAML reads as {spelled(key)} "
                f"({type_name(key) if key is not None else 'nothing'}), not a question id "
                "such as event_distance_km; 'crampdx questions' lists them all", path=path,
                line=line, column=column))
            continue
        if question is None:
            hint = did_you_mean(str(key), list(kb.questions) + list(META_KEYS))
            if len(kb.dirs) <= 1 and not _near_typo(str(key), kb.questions):
                # only the shipped knowledge was read and it is no slip: a forgotten --kb?
                own = "if it is your own question, add --kb DIR, your knowledge directory"
                hint = f"{hint[:-1]}; {own})" if hint else f" ({own})"
            problems.append(CrampdxError(f"unknown question '{excerpt(key)}'{hint}; "
                                         "'crampdx questions' lists them all",
                                         path=path, line=line, column=column))
            continue
        try:
            coerced = coerce(question, value)
        except AnswerError as exc:
            if len(problems) >= MAX_PROBLEMS:
                left_out += 1
                continue
            problems.append(CrampdxError(f"{key}: {exc}", path=path, line=line,
                                         column=column))
            continue
        if coerced is not None:
            answers.values[key] = coerced
        else:
            answers.unknown.add(key)
            if isinstance(value, str) and value.strip():
                answers.declined.add(key)
    problems += _check_together(answers, kb, data, path)
    if problems:  # in the file's order, top to bottom
        problems.sort(key=lambda problem: (problem.line is None, problem.line or 0))
        raise CrampdxError.of_all(problems, left_out)
    return answers


NOT_ABOVE_SLACK = 1.05


def _not_above_pairs(kb: KnowledgeBase, values: dict[str, Any]) -> list[tuple[Question, str]]:
    """Each answered question with an answered limit: its `not_above`, and for anything not
    above the race's distance, the distance covered too (a cramp after where you stopped)."""
    from crampdx.derived import COVERED, DISTANCE

    pairs = []
    for question in kb.questions.values():
        limit = question.not_above
        if limit is None or question.id not in values:
            continue
        limits = [limit] + ([COVERED] if limit == DISTANCE and question.id != COVERED
                            and COVERED in kb.questions else [])
        pairs += [(question, name) for name in limits if name in values]
    return pairs


def _check_together(answers: Answers, kb: KnowledgeBase, data: Any, path: str,
                    with_finished: bool = True) -> list[CrampdxError]:
    """Catch slips that each answer alone cannot show, e.g. the first cramp after the finish
    (an onset in miles after a distance in km): a question's `not_above`."""
    values = answers.values
    problems = []
    for question, limit in _not_above_pairs(kb, values):
        if values[question.id] > values[limit] * NOT_ABOVE_SLACK:
            line, column = data.position_of(question.id) if isinstance(data, LocatedDict) \
                else (None, None)
            unit = f" {question.unit}" if question.unit else ""
            hint = "check the answers and their units"
            raw = data.get(limit) if isinstance(data, dict) else None
            slip = likely_slip(values[limit], question.unit, values[question.id] /
                               NOT_ABOVE_SLACK, float("inf")) if _bare_number(raw) else None
            if slip:  # the limit in miles (26.2 for a marathon) and this answer in km
                label, converted = slip
                hint = (f"did you mean {limit}: {values[limit]:g} {label} ({converted:g}{unit})?"
                        f" Write '{values[limit]:g} {TYPED.get(label, label)}' there")
            problems.append(CrampdxError(
                f"{question.id}: {values[question.id]:g}{unit} is more than {limit} "
                f"({values[limit]:g}{unit}); {hint}", path=path, line=line, column=column))
    if with_finished:
        problems += _finished_short(values, data, path)
    return problems


def new_together_problem(kb: KnowledgeBase, values: dict[str, Any], question_id: str,
                         value: Any) -> str | None:
    """The `not_above` an answers file would refuse (a distance covered beyond the race's)
    that answering `question_id` with `value` would bring in, or None: the interview asks again
    rather than save a file that debrief then refuses. (finished: true beside a shorter
    distance is left out: the interview drops a distance covered it no longer asks.)"""
    after = {k: v for k, v in values.items() if k != question_id}
    before = {m.message for m in _check_together(Answers(values=after), kb, None, "", False)}
    if value is not None:
        after[question_id] = value
    found = [m.message for m in _check_together(Answers(values=after), kb, None, "", False)
             if m.message not in before]
    return found[0] if found else None


def _finished_short(values: dict[str, Any], data: Any, path: str) -> list[CrampdxError]:
    """'finished: true' beside a distance covered short of the race: one of them is a slip."""
    from crampdx.derived import COVERED, DISTANCE, FINISHED

    covered, distance = values.get(COVERED), values.get(DISTANCE)
    if values.get(FINISHED) is not True or covered is None or distance is None \
            or covered * NOT_ABOVE_SLACK >= distance:
        return []
    line, column = data.position_of(COVERED) if isinstance(data, LocatedDict) else (None, None)
    return [CrampdxError(
        f"{COVERED}: {covered:g} km is short of {DISTANCE} ({distance:g} km), but {FINISHED} "
        f"is true; if you stopped early write '{FINISHED}: false', else leave {COVERED} out",
        path=path, line=line, column=column)]


def _near_typo(key: str, names: Any) -> bool:
    """A key one or two letters away from a question: a slip, not the runner's own question."""
    import difflib

    import unicodedata

    folded = unicodedata.normalize("NFKC", key).casefold()  # FINISHED, ﬁnished: a slip too
    return len(key) <= 100 and (any(str(name).casefold() == folded for name in names) or bool(
        difflib.get_close_matches(key, list(names), n=1, cutoff=0.85)))


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
    # One answer per line whatever the answers are (PyYAML's default_flow_style=None wrote a
    # file without lists as one "{...}" line); a list stays on its answer's line: [a, b].
    class _Dumper(yaml.SafeDumper):
        pass

    _Dumper.add_representer(list, lambda dumper, items: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", items, flow_style=True))
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False)
    return "\n".join(lines + [body]) if lines else body


def keep_comments(original: str, fresh: str) -> str:
    """`fresh` (a dump_answers text) with the comments and blank lines of `original` (the file
    it replaces) kept: each answer's lines are rewritten in place, a comment on an answer's
    own line stays when the answer still fits on one line, new answers go at the end, and the
    generated header is replaced. Falls back to `fresh` unless the result reads back the same,
    so keeping comments can never change or lose an answer."""
    from crampdx.yamlio import parse_yaml

    try:
        before, after = parse_yaml(original, "<original>"), parse_yaml(fresh, "<fresh>")
    except CrampdxError:
        return fresh
    if not isinstance(before, LocatedDict) or not isinstance(after, LocatedDict) or not before:
        return fresh
    old, new = original.splitlines(), fresh.splitlines()
    old_spans, new_spans = _spans(before, old), _spans(after, new)
    first_new = min((start for start, _ in new_spans.values()), default=len(new))
    header = [line for line in new[:first_new] if line.strip()]
    first_old = min(start for start, _ in old_spans.values())
    lead = old[:first_old]
    generated = [i for i, line in enumerate(lead) if line.startswith(HEADER_START)]
    if generated:
        index = generated[0]
        end = index + 1
        while end < len(lead) and lead[end].startswith("# ") and \
                lead[end][2:].startswith(HEADER_LINES):
            end += 1
        lead = lead[:index] + header + lead[end:]
    else:
        lead = header + lead
    out = list(lead)
    cursor = first_old
    for key, (start, end) in sorted(old_spans.items(), key=lambda item: item[1]):
        out.extend(old[cursor:start])  # the comments and blank lines before this answer
        cursor = end
        if key not in new_spans:
            continue
        lines = new[new_spans[key][0]:new_spans[key][1]]
        if end - start == 1 and len(lines) == 1:
            lines = [lines[0] + _inline_comment(old[start], before[key])]
        out.extend(lines)
    out.extend(old[cursor:])
    for key, (start, end) in new_spans.items():
        if key not in old_spans:
            out.extend(new[start:end])
    merged = "\n".join(out) + "\n"
    try:
        same = dict(parse_yaml(merged, "<merged>") or {}) == dict(after)
    except CrampdxError:
        same = False
    return merged if same else fresh


HEADER_START = "# crampdx interview answers ("
HEADER_LINES = ("Report: ", "Continue or change: ", '"don\'t know" means')


def _spans(data: LocatedDict, lines: list[str]) -> dict[Any, tuple[int, int]]:
    """Each top-level key's lines [start, end), 0-based, without the comments and blank lines
    that follow it (they belong to the next key, or to the end of the file)."""
    starts = sorted((data.position_of(key)[0] - 1, key) for key in data)
    spans: dict[Any, tuple[int, int]] = {}
    for index, (start, key) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        while end > start + 1 and (not lines[end - 1].strip()
                                   or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        spans[key] = (start, end)
    return spans


def _inline_comment(line: str, value: Any) -> str:
    """The '  # ...' at the end of `line`, if cutting it off leaves the same value."""
    from crampdx.yamlio import parse_yaml

    cut = line.rfind(" #")
    if cut < 0:
        return ""
    try:
        kept = parse_yaml(line[:cut], "<line>")
    except CrampdxError:
        return ""
    if isinstance(kept, dict) and len(kept) == 1 and list(kept.values())[0] == value:
        return "  " + line[cut:].lstrip()
    return ""
