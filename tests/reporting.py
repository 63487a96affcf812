"""The real reports of an answers file, in every format, as the scenario tests read them."""

from __future__ import annotations

from pathlib import Path

from crampdx import api
from crampdx.render import html, markdown, terminal
from crampdx.render import json as json_render

FORMATS = {"terminal": terminal.render, "markdown": markdown.render, "html": html.render,
           "json": json_render.render}


def reports(path: Path) -> dict[str, str]:
    """The same answers file in every format, as `crampdx debrief -f FORMAT` writes it."""
    diagnosis = api.diagnose_file(path)
    kb = api.knowledge()
    return {name: render(diagnosis, kb) for name, render in FORMATS.items()}


def reports_of(tmp_path: Path, answers: str) -> dict[str, str]:
    """`reports` of answers given as text (written to tmp_path/answers.yaml)."""
    path = tmp_path / "answers.yaml"
    path.write_text(answers, encoding="utf-8")
    return reports(path)


def flat(text: str) -> str:
    """One line of words: terminal boxes wrap lines between borders."""
    return " ".join(text.replace("│", " ").split())
