"""Derived answers into an Answers: they fill only what the runner left out (the runner's
answer always wins), each checked against its question like a typed answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crampdx.answers import NOT_ABOVE_SLACK, AnswerError, Answers, coerce

if TYPE_CHECKING:  # pragma: no cover
    from crampdx.activity.facts import Derived
    from crampdx.knowledge.model import KnowledgeBase


COURSE_TOTALS = ("elevation_gain_m", "elevation_loss_m")  # the whole course's, not a part's


def as_run(answers: Answers, derived: "Derived") -> "Derived":
    """A watch records what was run. When the answers say the runner stopped early, the race
    file's distance is the distance covered (never the race's), and its climb and descent,
    the part run, are carried to the whole course when the race's distance is known (else
    left for the runner to give). Returns `derived` itself when nothing changes."""
    import msgspec

    from crampdx.derived import COVERED, DISTANCE, did_not_finish

    if DISTANCE not in derived.values or not did_not_finish(
            {**derived.values, **answers.values, DISTANCE: answers.values.get(DISTANCE)}):
        return derived
    result = msgspec.structs.replace(derived, values=dict(derived.values),
                                     sources=dict(derived.sources), rules=dict(derived.rules),
                                     warnings=list(derived.warnings))
    watch_km = result.values.pop(DISTANCE)
    files = result.sources.pop(DISTANCE, [])
    result.rules.pop(DISTANCE, None)
    result.set(COVERED, watch_km, files, "the race file's distance: what you ran before you "
                                         "stopped")
    covered = answers.values.get(COVERED, watch_km)
    course = answers.values.get(DISTANCE)
    for qid in COURSE_TOTALS:
        if qid not in result.values:
            continue
        if course and covered and covered < course:
            part = result.values[qid]
            result.values[qid] = round(part * course / covered)
            result.rules[qid] = (f"{result.rules[qid]}; {part:g} m over the {covered:g} km "
                                 f"you ran, carried to the {course:g} km course")
        else:
            result.values.pop(qid)
            result.warnings.append(
                f"{', '.join(result.sources.pop(qid, [])[:1]) or 'the race file'}: {qid} "
                + (f"not used (it is for the part you ran; give {DISTANCE}, the race's full "
                   "distance, or the course's own value)" if not course else
                   f"not used (it is for the part you ran, which the race file makes no "
                   f"shorter than the {course:g} km race; give the course's own value)"))
            result.rules.pop(qid, None)
    return result


def fill(answers: Answers, derived: "Derived", kb: "KnowledgeBase") -> list[str]:
    """Add the derived values the answers leave out; warnings for any that do not fit."""
    warnings: list[str] = []
    run = as_run(answers, derived)
    if run is not derived:
        warnings += run.warnings[len(derived.warnings):]
        derived = run
    for qid, value in derived.values.items():
        question = kb.questions.get(qid)
        if question is None or qid in answers.values or qid in answers.declined:
            continue
        try:
            coerced = coerce(question, value)
        except AnswerError as exc:
            warnings.append(f"{derived.provenance(qid)}: {qid} not used ({exc})")
            continue
        if coerced is None:
            continue
        answers.values[qid] = coerced
        answers.derived[qid] = {"from": list(derived.sources.get(qid, [])),
                                "rule": derived.rules.get(qid, "")}
    typed_date, file_date = answers.meta.get("date"), derived.meta.get("date")
    if typed_date and file_date and str(typed_date)[:10] != file_date:
        race = derived.race.file if derived.race else "the race file"
        warnings.append(f"{race}: recorded on {file_date}, but the answers give the date "
                        f"{typed_date}: is it the right race file?")
    for key, value in derived.meta.items():
        answers.meta.setdefault(key, value)
    # A derived value may clash with a typed one (a descent bigger than the typed total loss):
    # the typed one wins, the derived one is dropped.
    for question in kb.questions.values():
        limit, qid = question.not_above, question.id
        values = answers.values
        if limit is None or qid not in values or limit not in values or \
                values[qid] <= values[limit] * NOT_ABOVE_SLACK:
            continue
        dropped = qid if qid in answers.derived else limit if limit in answers.derived else None
        if dropped is not None:
            warnings.append(f"{', '.join(answers.derived[dropped]['from'][:1])}: {dropped} not "
                            f"used (it contradicts your answer to "
                            f"{limit if dropped == qid else qid})")
            values.pop(dropped)
            answers.derived.pop(dropped)
    return warnings
