"""Derived answers into an Answers: they fill only what the runner left out (the runner's
answer always wins), each checked against its question like a typed answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crampdx.answers import NOT_ABOVE_SLACK, AnswerError, Answers, coerce

if TYPE_CHECKING:  # pragma: no cover
    from crampdx.activity.facts import Derived
    from crampdx.knowledge.model import KnowledgeBase


def fill(answers: Answers, derived: "Derived", kb: "KnowledgeBase") -> list[str]:
    """Add the derived values the answers leave out; warnings for any that do not fit."""
    warnings: list[str] = []
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
