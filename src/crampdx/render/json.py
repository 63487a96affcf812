"""The JSON contract other tools rely on (docs/json.md): keep keys stable, add, never rename."""

from __future__ import annotations

from typing import Any

from crampdx import __version__
from crampdx.diagnosis import Diagnosis
from crampdx.engine import Evidence
from crampdx.knowledge.model import EVIDENCE_WORDS, KnowledgeBase

SCHEMA_VERSION = 1


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _evidence(kb: KnowledgeBase, item: Evidence,
              estimates: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {
        "rule": item.rule.id,
        "certainty": round(item.certainty, 3),
        "facts": {k: _jsonable(v) for k, v in item.facts.items()},
        "findings": {k: round(v, 3) for k, v in item.findings.items()},
        "because": item.rule.because,
        "source": item.rule.source,
        "evidence": kb.evidence_label(item.rule.source),
    }
    estimated = [fact for fact in item.facts if estimates and fact in estimates]
    if estimated:
        out["estimated"] = estimated  # facts crampdx estimated (see the report's "estimated")
    return out


def _flag(kb: KnowledgeBase, flag: Evidence, estimates: dict[str, Any]) -> dict[str, Any]:
    condition = kb.conditions.get(flag.rule.condition) if flag.rule.condition else None
    return dict(_evidence(kb, flag, estimates), action=flag.rule.action,
                level=flag.rule.then, condition=flag.rule.condition or None,
                condition_name=condition.name if condition else None)


def to_dict(diagnosis: Diagnosis, kb: KnowledgeBase) -> dict[str, Any]:
    estimates = diagnosis.estimated
    triage = diagnosis.triage
    return {
        "crampdx": __version__,
        "schema": SCHEMA_VERSION,
        "meta": diagnosis.answers.meta,
        "answers": {k: _jsonable(v) for k, v in diagnosis.answers.values.items()},
        # Answers read from activity files (the runner's own answers are never here):
        # question id -> {"from": [files], "rule": "..."}; see docs/activities.md.
        "derived": {k: dict(v) for k, v in diagnosis.answers.derived.items()},
        # Values crampdx estimated for the rules (crampdx.derived); never in "answers".
        "estimated": {fact: {"value": value.value, "how": value.how}
                      for fact, value in estimates.items()},
        # An impossible pace, a race not finished (crampdx.derived.cautions); docs/json.md.
        "cautions": [{"id": c.id, "text": c.text, "answers": list(c.facts),
                      "source": c.source} for c in diagnosis.cautions],
        "triage": {
            "level": triage.level,
            "screened": triage.screened,
            "unscreened": list(triage.unscreened),
            "moot": list(triage.moot),
            "conditions": triage.conditions(),
            "reasons": [flag.rule.because for flag in triage.flags],
            "actions": [flag.rule.action for flag in triage.flags],
            "flags": [_flag(kb, flag, estimates) for flag in triage.flags],
            "superseded": [_flag(kb, flag, estimates) for flag in triage.superseded],
        },
        "causes": [
            {
                "id": cause.id,
                "name": cause.name,
                "certainty": round(cause.certainty, 3),
                "leading": cause.id in diagnosis.leading,
                "role": cause.role,
                "evidence": [_evidence(kb, e, estimates) for e in cause.support],
                "against": [_evidence(kb, e, estimates) for e in cause.against],
            }
            for cause in diagnosis.causes
        ],
        "ruled_out": [
            {"id": cause.id, "name": cause.name, "certainty": round(cause.certainty, 3),
             "evidence": [_evidence(kb, e, estimates) for e in cause.support + cause.against]}
            for cause in diagnosis.ruled_out
        ],
        "findings": {k: round(v, 3) for k, v in diagnosis.findings.items()},
        "kind": [{"id": p.id, "text": p.text, "certainty": round(p.certainty, 3)}
                 for p in diagnosis.kind],
        "plan": [
            {"cause": item.cause, "id": item.id, "kind": item.kind, "section": item.section,
             "title": item.title, "text": item.text, "numbers": dict(item.numbers),
             "schedule": [{"first_week": row.first, "last_week": row.last, "text": row.text}
                          for row in item.schedule],
             "case": item.case, "source": item.source, "cite": item.cite,
             "evidence": item.evidence,
             "evidence_label": EVIDENCE_WORDS.get(item.evidence, item.evidence),
             "number_sources": [
                 dict(n, evidence_label=EVIDENCE_WORDS.get(n["evidence"], n["evidence"]))
                 for n in item.number_sources]}
            for item in diagnosis.plan
        ],
        "plan_context": {
            "weeks": diagnosis.plan.weeks,
            "weeks_given": diagnosis.plan.weeks_given,
            "summary": diagnosis.plan.summary,
            "race": {k: _jsonable(v) for k, v in diagnosis.plan.race.items()},
            "duration_estimated": diagnosis.plan.estimated_duration,
            "next_race": diagnosis.plan.next_race,
            "withheld": diagnosis.plan.withheld or None,
            "cleared_only": diagnosis.plan.cleared_only,
        },
        "unanswered": [
            {"id": q.id, "ask": q.ask, "informs": q.informs} for q in diagnosis.unanswered
        ],
    }


def render(diagnosis: Diagnosis, kb: KnowledgeBase) -> str:
    from crampdx.textsafe import json_text

    return json_text(to_dict(diagnosis, kb)) + "\n"
