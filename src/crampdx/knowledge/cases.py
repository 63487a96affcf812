"""Cases: the regression tests of the knowledge base, kept beside it in YAML.

A case is an athlete's answers and what must follow from them: causes that must lead, appear or
stay absent, the triage level, rules that must or must not fire (as Sigma's regression tests and
Semgrep's `ruleid:`/`ok:` annotations keep a rule base honest). Cases say what a rule must do,
never incidental numbers, so they survive tuning of certainty factors.

The loader parses cases with `parse_case` (so a typo in one is pointed at like any other);
running them through the engine is `crampdx.casework`'s job, which sits above the engine: the
knowledge package depends on nothing above it.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import msgspec

from crampdx.errors import did_you_mean
from crampdx.knowledge.model import KnowledgeBase, Origin
from crampdx.knowledge.schema import EXPECTATIONS
from crampdx.yamlio import shorten

Report = Callable[..., None]  # report(message, data, key=None)


class Case(msgspec.Struct, frozen=True):
    """One case, checked against the knowledge base; `answers` are canonical values."""

    id: str
    answers: dict[str, Any]
    origin: Origin
    description: str = ""
    lead: tuple[str, ...] = ()
    appear: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    triage: str | None = None
    fires: tuple[str, ...] = ()
    not_fires: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()  # the red flags' condition ids must include these
    citation: str = ""  # a literature case: where it was published
    published: str = ""  # and what was published, in one line


def _ids(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def parse_case(data: Mapping[str, Any], origin: Origin, kb: KnowledgeBase,
               raw: Mapping[str, Mapping[str, Any]], report: Report) -> Case | None:
    """Check a case's answers and references; None (after reporting) when it is unusable.

    Rule and cause ids are looked up among everything read (`raw`), not only what built
    cleanly, so one broken rule does not also make every case that names it "unknown".
    """
    # crampdx.answers imports the knowledge package, which imports this module: import late.
    from crampdx.answers import META_KEYS, AnswerError, coerce

    ok = True
    if not any(key in data for key in EXPECTATIONS):
        report(f"expects nothing; add at least one of: {', '.join(EXPECTATIONS)}", data)
        ok = False
    answers: dict[str, Any] = {}
    given = data["answers"]
    for key, value in given.items():
        if key in META_KEYS:
            continue
        question = kb.questions.get(key) if isinstance(key, str) else None
        if question is None:
            if isinstance(key, str) and key in raw.get("questions", {}):
                ok = False  # the question itself is broken and already reported
                continue
            report(f"unknown question '{shorten(key)}'"
                   f"{did_you_mean(str(key), list(kb.questions))} in 'answers'", given, key)
            ok = False
            continue
        try:
            value = coerce(question, value)
        except AnswerError as exc:
            report(f"answer to {key}: {exc}", given, key)
            ok = False
            continue
        if value is not None:
            answers[key] = value
    references = {"lead": "causes", "appear": "causes", "absent": "causes",
                  "fires": "rules", "not_fires": "rules", "conditions": "conditions"}
    parsed: dict[str, tuple[str, ...]] = {}
    for name, kind in references.items():
        if name not in data:
            continue
        value = data[name]
        known = raw.get(kind, {})
        for index, item in enumerate(_ids(value)):
            if item not in known:
                where, key = (value, index) if isinstance(value, list) else (data, name)
                report(f"'{name}' names unknown {kind[:-1]} '{shorten(item)}'"
                       f"{did_you_mean(item, list(known))}", where, key)
                ok = False
        parsed[name] = _ids(value)
    for first, second in (("appear", "absent"), ("lead", "absent"), ("fires", "not_fires")):
        both = sorted(set(parsed.get(first, ())) & set(parsed.get(second, ())))
        if both:
            report(f"'{both[0]}' is in both '{first}' and '{second}'", data, second)
            ok = False
    if not ok:
        return None
    return Case(id=data["id"], answers=answers, origin=origin,
                description=" ".join(str(data.get("description", "")).split()),
                triage=data.get("triage"),
                citation=" ".join(str(data.get("citation", "")).split()),
                published=" ".join(str(data.get("published", "")).split()), **parsed)
