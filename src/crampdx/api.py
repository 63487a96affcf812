"""The library entry points: what the CLI calls, and what other Python code can call."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from crampdx.answers import Answers, load_answers, parse_answers
from crampdx.diagnosis import Diagnosis, diagnose
from crampdx.engine import Reasoner
from crampdx.knowledge import default_knowledge_dirs, load_knowledge
from crampdx.knowledge.model import KnowledgeBase


@lru_cache(maxsize=8)
def _reasoner(dirs: tuple[Path, ...]) -> Reasoner:
    return Reasoner(load_knowledge(list(dirs)))


def reasoner(kb_dirs: list[str | Path] | None = None) -> Reasoner:
    """The compiled knowledge base: shipped knowledge, CRAMPDX_KB, then `kb_dirs` on top."""
    return _reasoner(tuple(default_knowledge_dirs(kb_dirs)))


def knowledge(kb_dirs: list[str | Path] | None = None) -> KnowledgeBase:
    return reasoner(kb_dirs).kb


def diagnose_file(path: str | Path, kb_dirs: list[str | Path] | None = None) -> Diagnosis:
    """Read an answers file and diagnose it."""
    compiled = reasoner(kb_dirs)
    return diagnose(compiled, load_answers(Path(path), compiled.kb))


def diagnose_answers(values: dict[str, Any],
                     kb_dirs: list[str | Path] | None = None) -> Diagnosis:
    """Diagnose an in-memory mapping of question id -> answer."""
    compiled = reasoner(kb_dirs)
    answers: Answers = parse_answers(values, compiled.kb)
    return diagnose(compiled, answers)


def debrief(path: str | Path, kb_dirs: list[str | Path] | None = None) -> dict[str, Any]:
    """The JSON contract for one answers file (see docs/json.md)."""
    from crampdx.render.json import to_dict

    compiled = reasoner(kb_dirs)
    return to_dict(diagnose_file(path, kb_dirs), compiled.kb)
