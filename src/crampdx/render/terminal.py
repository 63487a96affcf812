"""The report for a terminal, with rich: red flags first, causes with bars, then the plan.

Readable at 80 columns and without colour (NO_COLOR, or output piped to a file): every colour
also has a word or a symbol, and wrapped lines keep their indent.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import IO, Callable

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.segment import Segment
from rich.panel import Panel
from rich.text import Text

from crampdx.diagnosis import Diagnosis
from crampdx.knowledge.model import KnowledgeBase
from crampdx.textsafe import one_line as _one
from crampdx.textsafe import terminal as _terminal
from crampdx.render.common import (
    LEVEL_NOTES,
    CAUSES_NOTE,
    EXPLAIN_NOTE,
    KIND_TITLE,
    NEXT_RACE_GROUP,
    PLAN_TITLE,
    SECTION_NOTES,
    UNSCREENED_TITLE,
    answered_line,
    arithmetic,
    bar,
    caution_items,
    derived_notes,
    evidence_facts,
    flag_label,
    item_sources,
    plan_groups,
    race_line,
    section_title,
    source_label,
    strength_word,
    triage_boxes,
    unscreened_note,
    weeks_label,
)

# What each piece of text goes through before rich lays it out (wraps lines, draws boxes):
# --units imperial converts here, so a converted line is wrapped at the width like any other.
_CONVERT: ContextVar[Callable[[str], str]] = ContextVar("convert", default=lambda text: text)


def _c(text: str) -> str:
    """A piece of report text in the report's units (unchanged for metric)."""
    return _CONVERT.get()(text)


def _t(text: str) -> str:
    """Knowledge or answer text, safe for a terminal, in the report's units."""
    return _c(_terminal(text))


# Narrower than this, rich would drop words from the panels; a narrower terminal wraps lines.
MIN_WIDTH = 40
LEVEL_STYLES = {"emergency": "bold white on red", "see_doctor": "bold black on yellow",
                "self_care": "bold green", "unscreened": "bold black on yellow"}


def _indent(renderable: RenderableType, left: int) -> Padding:
    return Padding(renderable, (0, 0, 0, left))


def _hanging(mark: Text, body: Text, left: int) -> "_Hanging":
    """A bullet whose wrapped lines stay aligned under its text, not under the bullet."""
    return _Hanging(mark, body, left)


class _Hanging:
    """What a two-column grid (the mark, then the wrapped text) renders, wrapped directly: a
    report has hundreds of bullets and a rich Table each cost a millisecond (a team's
    terminal run took ten times its JSON run)."""

    def __init__(self, mark: Text, body: Text, left: int) -> None:
        self.mark, self.body, self.left = mark, body, left

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        mark_width = self.mark.cell_len
        width = options.max_width - self.left - mark_width
        if width < 1:  # too narrow to hang anything: as the grid did, give the text what is left
            yield _indent(Text.assemble(self.mark, self.body), self.left)
            return
        lines = self.body.wrap(console, width, justify="left", overflow="ellipsis")
        joiner = Text("\n")  # join() turns a line's own style into a span, as rendering does
        blank = Segment(" " * mark_width)
        margin = Segment(" " * self.left) if self.left else None
        for index, line in enumerate(lines):
            if margin is not None:
                yield margin
            if index == 0:
                yield from joiner.join([self.mark]).render(console)
            else:
                yield blank
            yield from joiner.join([line]).render(console)
            yield Segment.line()


class _Schedule:
    """A week-by-week schedule: the weeks in a column as wide as its widest label, two spaces,
    then each row's text wrapped under itself. What a two-column rich Table.grid drew, without
    importing rich.table (and fractions) for it: some 5 ms of every terminal report's start."""

    def __init__(self, rows: list[tuple[str, Text]], left: int) -> None:
        self.rows, self.left = rows, left

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(Text(label).cell_len for label, _ in self.rows)
        for label, body in self.rows:
            mark = Text.assemble((label, "dim"), " " * (width - Text(label).cell_len + 2))
            yield from _Hanging(mark, body, self.left).__rich_console__(console, options)


def _heading(text: str) -> Text:
    return Text(_c(f"\n{text}"), style="bold underline")


def _triage(diagnosis: Diagnosis, kb: KnowledgeBase, explain: bool = False) -> list[Panel]:
    """One box per level, most severe first; then the warning signs nobody answered."""
    panels: list[Panel] = []
    note = unscreened_note(kb, diagnosis)
    for level, title, flags in triage_boxes(diagnosis):
        rows: list[RenderableType] = []
        if not flags:
            rows.append(Text(_c(note if note else LEVEL_NOTES["self_care"])))
            note = ""
        for flag in flags:
            rows.append(_hanging(Text("▲ ", style="bold"), Text.assemble(
                (flag_label(kb, flag) + ": ", "bold"), _t(flag.rule.because)), 0))
            rows.append(_indent(Text.assemble(("Do now: ", "bold"), _t(flag.rule.action)), 2))
            facts = evidence_facts(kb, flag, diagnosis.answers.derived, diagnosis.estimated,
                                   explain=explain)
            rows.append(_indent(Text(_t(f"{facts} · {source_label(kb, flag.rule.source)}"),
                                     style="dim"), 2))
        style = LEVEL_STYLES["unscreened"] if not flags and not diagnosis.triage.screened \
            else LEVEL_STYLES[level]
        panels.append(Panel(Group(*rows), title=Text(_c(f" {title} "), style=style),
                            title_align="left",
                            border_style="red" if level == "emergency" else "default"))
    if note:
        panels.append(Panel(Text(_c(note)), title=Text(_c(f" {UNSCREENED_TITLE} "),
                                                   style=LEVEL_STYLES["unscreened"]),
                            title_align="left"))
    return panels


def _cautions(diagnosis: Diagnosis) -> list[RenderableType]:
    """An impossible pace, a race not finished: what the report read against what."""
    parts: list[RenderableType] = []
    for title, text in caution_items(diagnosis):
        parts += [_heading(title), Text(_t(text))]
    return parts


def _kind(diagnosis: Diagnosis) -> list[RenderableType]:
    """What kind of cramp this was, apart from the causes to change."""
    if not diagnosis.kind:
        return []
    parts: list[RenderableType] = [_heading(KIND_TITLE)]
    for picture in diagnosis.kind:
        parts.append(_hanging(Text("• "), Text(_t(picture.text)), 0))
    return parts


def _causes(diagnosis: Diagnosis, kb: KnowledgeBase, explain: bool = False
            ) -> list[RenderableType]:
    """The runner's view by default (plain reasons and their sources); `explain` adds rule
    ids, certainty factors and how they combine."""
    parts: list[RenderableType] = [_heading("Likely causes")]
    if not diagnosis.causes:
        parts.append(Text("No cause stands out from your answers; answering the questions "
                          "below would sharpen the picture."))
    else:
        parts.append(Text(_c(EXPLAIN_NOTE if explain else CAUSES_NOTE), style="dim"))
    for rank, cause in enumerate(diagnosis.causes, 1):
        leading = cause.id in diagnosis.leading
        weight = f" {cause.certainty:>4.0%}  " if explain else "  "
        mark = Text.assemble((f"{rank}. ", "bold" if leading else ""),
                             (bar(cause.certainty), "cyan"), weight)
        label = " (leading)" if leading else ""
        parts.append(_hanging(mark, Text.assemble(
            (_t(cause.name), "bold" if leading else ""), label,
            ("" if explain else f": {strength_word(cause.certainty)}", "dim")), 0))
        if not leading:  # minor causes: their strongest reason; the rest is in --format markdown
            if cause.support:
                extra = f" ({cause.support[0].rule.id} {cause.support[0].certainty:+.2f})" \
                    if explain else ""
                parts.append(_indent(Text(_t(cause.support[0].rule.because + extra),
                                          style="dim"), 3))
            continue
        parts.append(_indent(Text(_t(cause.summary), style="italic"), 3))
        for item in cause.support + cause.against:
            mark, style = ("+ ", "green") if item.certainty > 0 else ("− ", "red")
            facts = evidence_facts(kb, item, diagnosis.answers.derived, diagnosis.estimated,
                                   explain=explain)
            detail = f"\n{facts}\n"
            detail += (f"{item.rule.id} {item.certainty:+.2f} · " if explain else "") \
                + source_label(kb, item.rule.source)
            parts.append(_hanging(Text(mark, style=style), Text.assemble(
                _t(item.rule.because), (_t(detail), "dim")), 3))
        if explain:
            parts.append(_indent(Text(f"certainty: {arithmetic(cause)}", style="dim"), 3))
    if diagnosis.ruled_out:
        parts.append(_heading("Unlikely"))
        for cause in diagnosis.ruled_out:
            pile = cause.support + cause.against if explain else cause.against
            reasons = " ".join(e.rule.because + (f" ({e.rule.id} {e.certainty:+.2f})"
                                                 if explain else "") for e in pile)
            number = f" ({cause.certainty:+.2f})" if explain else ""
            parts.append(_hanging(Text("− ", style="red"), Text.assemble(
                (_t(cause.name), "bold"), _t(f"{number}: {reasons}")), 2))
    return parts


def _plan(diagnosis: Diagnosis, kb: KnowledgeBase) -> list[RenderableType]:
    """The plan by section; training grouped by cause; schedules as week-by-week lines."""
    plan = diagnosis.plan
    if not plan:
        return []
    parts: list[RenderableType] = [_heading(PLAN_TITLE)]
    if plan.summary:
        parts.append(Text(_t(plan.summary)))
    facts = race_line(kb, plan)
    if facts:
        parts.append(Text.assemble(("Sized for: ", "bold"), _t(facts)))
    for section, groups in plan_groups(plan):
        parts.append(Text(_c(f"\n{section_title(section, plan)}"), style="bold"))
        if section in SECTION_NOTES:
            parts.append(_indent(Text(_c(SECTION_NOTES[section]), style="italic"), 2))
        for cause, items in groups:
            if section == "training":
                heading = f"For {kb.causes[cause].name}" if cause else NEXT_RACE_GROUP
                parts.append(_indent(Text(_t(heading), style="italic"), 1))
            for item in items:
                parts.append(_hanging(Text("• ", style="bold"), Text.assemble(
                    (_t(f"{item.title}: ") if item.title else "", "bold"), _t(item.text),
                    (_t(f"  ({item_sources(kb, item)})"), "dim")), 2))
                if item.schedule:
                    parts.append(_Schedule([(weeks_label(row), Text(_t(row.text)))
                                            for row in item.schedule], 4))
    return parts


def render_to(console: Console, diagnosis: Diagnosis, kb: KnowledgeBase,
              explain: bool = False, convert: Callable[[str], str] | None = None) -> None:
    """The whole report in one print: each print works out the console's size and options
    again, and a report is some sixty parts. `convert` rewrites each piece of text before rich
    lays it out (units_display.imperial_text for --units imperial)."""
    token = _CONVERT.set(convert) if convert is not None else None
    try:
        _render_to(console, diagnosis, kb, explain)
    finally:
        if token is not None:
            _CONVERT.reset(token)


def _render_to(console: Console, diagnosis: Diagnosis, kb: KnowledgeBase,
               explain: bool) -> None:
    meta = diagnosis.answers.meta
    heading = " · ".join(_one(meta[k]) for k in ("athlete", "event", "date") if k in meta)
    parts: list[RenderableType] = [
        Text.assemble(("Cramp debrief", "bold"), _c(f": {heading}") if heading else ""),
        Text(_c(answered_line(diagnosis)), style="dim"),
    ]
    parts += _triage(diagnosis, kb, explain)  # red flags first: an estimate's note waits below them
    parts += [Text(_c(note), style="dim") for note in derived_notes(diagnosis)]
    parts += _cautions(diagnosis)
    parts += _kind(diagnosis) + _causes(diagnosis, kb, explain) + _plan(diagnosis, kb)
    if diagnosis.unanswered:
        parts.append(_heading("Questions that would sharpen this"))
        for question in diagnosis.unanswered:
            about = f"{question.id}: " if explain else "about: "
            parts.append(_hanging(Text("? "), Text.assemble(
                _t(question.ask), (f"  [{about}{', '.join(question.informs)}]", "dim")), 2))
    for notice in kb.notices.values():
        parts.append(_heading(_t(notice.title)))
        parts.append(Text(_t(notice.text), style="dim"))
    console.print(Group(*parts))


def render(diagnosis: Diagnosis, kb: KnowledgeBase, file: IO[str] | None = None,
           *, width: int | None = None, explain: bool = False,
           convert: Callable[[str], str] | None = None) -> str:
    """Render to a terminal `file` in colour; to any other file (a pipe), or with no file
    (returned), as plain text without the trailing spaces rich pads lines with."""
    if width is None:
        width = Console(file=file).width if file is not None else 80
    width = max(MIN_WIDTH, width)  # COLUMNS=0 or 5 must not swallow the red flags
    if file is not None and _is_terminal(file):
        render_to(Console(file=file, width=width, highlight=False), diagnosis, kb, explain,
                  convert)
        return ""
    console = _recorder(width)
    render_to(console, diagnosis, kb, explain, convert)
    text = "\n".join(line.rstrip() for line in console.export_text(clear=True).splitlines()) \
        + "\n"
    if file is None:
        return text
    file.write(text)
    return ""


# A team's reports reuse one recording console per width (export_text clears what it
# recorded) rather than building a new one for each.
_RECORDERS: dict[int, Console] = {}


def _recorder(width: int) -> Console:
    console = _RECORDERS.get(width)
    if console is None:
        console = _RECORDERS[width] = Console(record=True, width=width, color_system=None,
                                              file=_Null(), highlight=False)
    return console


def _is_terminal(file: IO[str]) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


class _Null:
    """A file that swallows what a recording console writes."""

    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass
