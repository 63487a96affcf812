"""The report for a terminal, with rich: red flags first, causes with bars, then the plan.

Readable at 80 columns and without colour (NO_COLOR, or output piped to a file): every colour
also has a word or a symbol.
"""

from __future__ import annotations

from typing import IO

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crampdx.diagnosis import Diagnosis
from crampdx.knowledge.model import KnowledgeBase
from crampdx.render.common import (
    KIND_TITLES,
    LEVEL_NOTES,
    LEVEL_TITLES,
    answered_line,
    bar,
    evidence_facts,
    source_label,
)

LEVEL_STYLES = {"emergency": "bold white on red", "see_doctor": "bold black on yellow",
                "self_care": "bold green"}


def _triage(diagnosis: Diagnosis, kb: KnowledgeBase) -> Panel:
    triage = diagnosis.triage
    rows: list = []
    if not triage.flags:
        rows.append(Text(LEVEL_NOTES["self_care"]))
    for flag in triage.flags:
        rows.append(Text.assemble(("▲ ", "bold"), (LEVEL_TITLES[flag.rule.then] + ": ", "bold"),
                                  flag.rule.because))
        rows.append(Text.assemble(("  Do now: ", "bold"), flag.rule.action))
        rows.append(Text(f"  from: {evidence_facts(kb, flag)} · "
                         f"{source_label(kb, flag.rule.source)}", style="dim"))
    title = Text(f" {LEVEL_TITLES[triage.level]} ", style=LEVEL_STYLES[triage.level])
    return Panel(Group(*rows), title=title, title_align="left",
                 border_style="red" if triage.level == "emergency" else "default")


def _causes(diagnosis: Diagnosis, kb: KnowledgeBase) -> list:
    parts: list = [Text("Likely causes", style="bold underline")]
    if not diagnosis.causes:
        parts.append(Text("No cause stands out from your answers; answering the questions "
                          "below would sharpen the picture."))
    for rank, cause in enumerate(diagnosis.causes, 1):
        lead = "  ← leading" if cause.id in diagnosis.leading else ""
        style = "bold" if cause.id in diagnosis.leading else ""
        parts.append(Text.assemble(
            (f"{rank}. ", style), (bar(cause.certainty), "cyan"), f" {cause.certainty:>4.0%}  ",
            (cause.name, style), (lead, "dim")))
        parts.append(Text(f"   {cause.summary}", style="italic"))
        table = Table.grid(padding=(0, 1))
        table.add_column(width=3)
        table.add_column(ratio=1)
        for item in cause.support + cause.against:
            mark = "+" if item.certainty > 0 else "−"
            table.add_row(
                Text(f"  {mark}", style="green" if item.certainty > 0 else "red"),
                Text.assemble(item.rule.because,
                              (f"\n{evidence_facts(kb, item)} · {item.rule.id} "
                               f"({item.certainty:+.2f}) · {source_label(kb, item.rule.source)}",
                               "dim")))
        parts.append(table)
    if diagnosis.ruled_out:
        parts.append(Text("\nUnlikely", style="bold underline"))
        for cause in diagnosis.ruled_out:
            reasons = " ".join(e.rule.because for e in cause.against)
            parts.append(Text.assemble(("  − ", "red"), (cause.name, "bold"),
                                       f" ({cause.certainty:+.2f}): {reasons}"))
    return parts


def _plan(diagnosis: Diagnosis, kb: KnowledgeBase) -> list:
    if not diagnosis.plan:
        return []
    parts: list = [Text("\nWhat to do", style="bold underline")]
    current = None
    for item in diagnosis.plan:
        if item.remedy.kind != current:
            current = item.remedy.kind
            parts.append(Text(KIND_TITLES[current], style="bold"))
        parts.append(Text.assemble("  • ", item.remedy.text,
                                   (f"\n    for {kb.causes[item.cause].name} · "
                                    f"{source_label(kb, item.remedy.source)}", "dim")))
    return parts


def render_to(console: Console, diagnosis: Diagnosis, kb: KnowledgeBase) -> None:
    meta = diagnosis.answers.meta
    heading = " · ".join(meta[k] for k in ("athlete", "event", "date") if k in meta)
    console.print(Text.assemble(("Cramp debrief", "bold"), f"  {heading}" if heading else "",
                                (f"  ({answered_line(diagnosis)})", "dim")))
    console.print(_triage(diagnosis, kb))
    for part in _causes(diagnosis, kb) + _plan(diagnosis, kb):
        console.print(part)
    if diagnosis.unanswered:
        console.print(Text("\nQuestions that would sharpen this", style="bold underline"))
        for question in diagnosis.unanswered:
            console.print(Text.assemble("  ? ", question.ask,
                                        (f"  [{question.id}: {', '.join(question.informs)}]",
                                         "dim")))
    for notice in kb.notices.values():
        console.print(Text(f"\n{notice.title}", style="bold underline"))
        console.print(Text(notice.text, style="dim"))


def render(diagnosis: Diagnosis, kb: KnowledgeBase, file: IO[str] | None = None,
           *, width: int | None = None, color: bool | None = None) -> str:
    """Render to `file` (a terminal gets colour) or, with no file, return plain text."""
    if file is None:
        console = Console(record=True, width=width or 80, color_system=None, file=_Null(),
                          highlight=False)
        render_to(console, diagnosis, kb)
        return console.export_text()
    console = Console(file=file, width=width, highlight=False,
                      no_color=None if color is None else not color)
    render_to(console, diagnosis, kb)
    return ""


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass

