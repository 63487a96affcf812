"""The library entry points: what the CLI calls, and what other Python code can call."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crampdx.answers import Answers, load_answers, parse_answers
from crampdx.diagnosis import Diagnosis, diagnose
from crampdx.engine import Reasoner
from crampdx.errors import CrampdxError
from crampdx.knowledge import default_knowledge_dirs, load_knowledge
from crampdx.knowledge.model import KnowledgeBase
from crampdx.plan import NextRace, parse_next_race

if TYPE_CHECKING:  # pragma: no cover
    from crampdx.activity import Derived


@lru_cache(maxsize=8)
def _reasoner(dirs: tuple[Path, ...]) -> Reasoner:
    return Reasoner(load_knowledge(list(dirs)))


def reasoner(kb_dirs: list[str | Path] | None = None) -> Reasoner:
    """The compiled knowledge base: shipped knowledge, CRAMPDX_KB, then `kb_dirs` on top."""
    return _reasoner(tuple(default_knowledge_dirs(kb_dirs)))


def knowledge(kb_dirs: list[str | Path] | None = None) -> KnowledgeBase:
    return reasoner(kb_dirs).kb


def load_next_race(path: str | Path, kb_dirs: list[str | Path] | None = None) -> NextRace:
    """Read a --next-race file: the race questions (distance, duration, ground, climb, descent,
    temperature) for the race the plan should prepare."""
    from crampdx.yamlio import load_yaml_file

    kb = knowledge(kb_dirs)
    data = load_yaml_file(Path(path), what="next-race file")
    if data is None:
        raise CrampdxError("the next-race file is empty; give at least event_distance_km",
                           path=path)
    return parse_next_race(data, kb, str(path))


def diagnose_file(path: str | Path, kb_dirs: list[str | Path] | None = None, *,
                  weeks: int | None = None,
                  next_race: NextRace | str | Path | None = None,
                  derived: "Derived | None" = None) -> Diagnosis:
    """Read an answers file and diagnose it; the plan is sized for `weeks` to `next_race`.
    `derived` (activity_facts) fills what the file leaves out; its warnings grow."""
    compiled = reasoner(kb_dirs)
    if next_race is not None and not isinstance(next_race, NextRace):
        next_race = load_next_race(next_race, kb_dirs)
    answers = load_answers(Path(path), compiled.kb)
    if derived is not None:
        from crampdx.activity.merge import fill

        derived.warnings.extend(fill(answers, derived, compiled.kb))
    return diagnose(compiled, answers, weeks=weeks, next_race=next_race)


def activity_facts(race: str | Path | None, training: list[str | Path] | None = None, *,
                   cache_dir: Path | None = None, use_cache: bool = True,
                   progress: Any = None) -> "Derived":
    """The answers a race file and training files/folders/exports settle (docs/activities.md).
    A bad race file raises CrampdxError; a bad training file becomes one of the warnings.
    `progress(n)` is called as each training file not yet cached is read."""
    from crampdx.activity import derive

    return derive(race, training or [], cache_dir=cache_dir, use_cache=use_cache,
                  progress=progress)


def diagnose_answers(values: dict[str, Any], kb_dirs: list[str | Path] | None = None, *,
                     weeks: int | None = None, next_race: NextRace | None = None,
                     derived_marks: dict[str, Any] | None = None) -> Diagnosis:
    """Diagnose an in-memory mapping of question id -> answer. `derived_marks` (a report's
    "derived") says which of them were read from activity files, so reports still say so."""
    compiled = reasoner(kb_dirs)
    answers: Answers = parse_answers(values, compiled.kb)
    for key, mark in (derived_marks or {}).items():
        if key in answers.values and isinstance(mark, dict):
            answers.derived[key] = dict(mark)
    return diagnose(compiled, answers, weeks=weeks, next_race=next_race)


def debrief(path: str | Path, kb_dirs: list[str | Path] | None = None, *,
            weeks: int | None = None,
            next_race: NextRace | str | Path | None = None) -> dict[str, Any]:
    """The JSON contract for one answers file (see docs/json.md)."""
    from crampdx.render.json import to_dict

    compiled = reasoner(kb_dirs)
    return to_dict(diagnose_file(path, kb_dirs, weeks=weeks, next_race=next_race), compiled.kb)
