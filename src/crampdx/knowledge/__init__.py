"""Loading, validating and locating the YAML knowledge base.

Light on purpose: `load_knowledge` answers from the compiled cache when it can, so a debrief
imports neither yaml nor the loader; both are imported only when the YAML has to be read.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crampdx.knowledge.locate import default_knowledge_dirs

if TYPE_CHECKING:
    from crampdx.knowledge.model import KnowledgeBase

__all__ = ["default_knowledge_dirs", "load_knowledge", "read_knowledge"]


def load_knowledge(dirs: list[Path], *, cache: bool = True) -> "KnowledgeBase":
    """A validated knowledge base (cases not read), from the compiled cache when nothing it was
    built from has changed; else read, validated and cached. Raises the first problem."""
    # Reading (or unpickling) builds many small objects and frees none: the cyclic collector
    # would scan them again and again for nothing (super-linear at thousands of rules).
    enabled = gc.isenabled()
    gc.disable()
    try:
        if cache:
            from crampdx.knowledge import cache as compiled

            return compiled.load([Path(d) for d in dirs], _validated)
        return _validated([Path(d) for d in dirs])
    finally:
        if enabled:
            gc.enable()


def _validated(dirs: list[Path]) -> "KnowledgeBase":
    from crampdx.knowledge.loader import load_knowledge as read_and_check

    return read_and_check(dirs)


def __getattr__(name: str) -> Any:
    if name == "read_knowledge":  # every problem, with cases: the loader itself
        from crampdx.knowledge.loader import read_knowledge

        return read_knowledge
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
