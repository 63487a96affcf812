"""The history views: the list of recorded debriefs (terminal, JSON, CSV) and, for one athlete,
what recurs and what changed since the previous debrief (a section added to any report).

Cause names and question prompts come from the knowledge base; athlete, event and answers are
user text and are escaped for each format (crampdx/textsafe.py).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import msgspec

from crampdx.history import Changes, Recurring, Stored
from crampdx.knowledge.model import KnowledgeBase
from crampdx.textsafe import cell, csv_cell, html_text, markdown
from crampdx.render.common import format_quantity
from crampdx.render.summary import TRIAGE_WORDS

HISTORY_CSV_HEADER = ("id", "date", "athlete", "event", "triage", "causes", "knowledge")


def cause_name(kb: KnowledgeBase, cause_id: str) -> str:
    cause = kb.causes.get(cause_id)
    return cause.name if cause is not None else cause_id


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def recurring_sentence(kb: KnowledgeBase, item: Recurring, *, one_athlete: bool) -> str:
    """'Not enough long-run training led in 3 of your last 4 races.'"""
    if one_athlete:
        return f"{cause_name(kb, item.cause)} led in {item.count} of your last {item.window} races."
    return (f"{item.athlete}: {cause_name(kb, item.cause)} led in {item.count} of their last "
            f"{item.window} races listed.")


def _answer(kb: KnowledgeBase, question_id: str, value: Any) -> str:
    if value is None:
        return "not answered"
    question = kb.questions.get(question_id)
    return format_quantity(value, question.unit if question is not None else None)


def _label(item: Stored) -> str:
    return " · ".join(part for part in (item.date, item.event) if part)


class Season(msgspec.Struct, frozen=True):
    """What a report adds for one athlete: recurring causes, changes since the previous
    debrief, and (re-diagnosed with other knowledge) the leading causes recorded then."""

    athlete: str
    count: int  # debriefs of this athlete up to this one
    recurring: tuple[Recurring, ...]
    changes: Changes | None
    recorded_id: int | None = None
    rediagnosed: tuple[str, str, tuple[str, ...], tuple[str, ...]] | None = None
    # (knowledge recorded with, knowledge now, leading causes recorded, leading causes now)


def season_dict(kb: KnowledgeBase, season: Season) -> dict[str, Any]:
    """The report's optional `history` field (docs/json.md)."""
    out: dict[str, Any] = {
        "id": season.recorded_id, "athlete": season.athlete, "debriefs": season.count,
        "recurring": [{"cause": r.cause, "name": cause_name(kb, r.cause), "count": r.count,
                       "races": list(r.races), "window": r.window,
                       "text": recurring_sentence(kb, r, one_athlete=True)}
                      for r in season.recurring],
        "changes": None,
    }
    if season.changes is not None:
        ch = season.changes
        out["changes"] = {
            "previous": {"id": ch.previous.id, "date": ch.previous.date,
                         "event": ch.previous.event},
            "answers": [{"question": c.question, "before": c.before, "after": c.after}
                        for c in ch.answers],
            "causes": {"before": list(ch.causes_before), "after": list(ch.causes_after)},
        }
    if season.rediagnosed is not None:
        then, now, before, after = season.rediagnosed
        out["rediagnosed"] = {"knowledge_recorded": then, "knowledge": now,
                              "causes_recorded": list(before), "causes": list(after),
                              "differs": list(before) != list(after)}
    return out


def rediagnosis_note(kb: KnowledgeBase, season: Season) -> str | None:
    """Said when a newer knowledge base leads with other causes than those recorded."""
    if season.rediagnosed is None:
        return None
    then, now, before, after = season.rediagnosed
    if then == now or list(before) == list(after):
        return None
    names = lambda ids: ", ".join(cause_name(kb, c) for c in ids) or "none"  # noqa: E731
    return (f"Re-diagnosed with a newer knowledge base ({now}; recorded with {then}): the "
            f"leading causes differ. Recorded then: {names(before)}. Now: {names(after)}.")


def _change_rows(kb: KnowledgeBase, changes: Changes) -> list[tuple[str, str, str]]:
    rows = [("Leading causes", ", ".join(cause_name(kb, c) for c in changes.causes_before)
             or "none", ", ".join(cause_name(kb, c) for c in changes.causes_after) or "none")]
    for change in changes.answers:
        question = kb.questions.get(change.question)
        label = question.ask if question is not None else change.question
        rows.append((f"{label} ({change.question})", _answer(kb, change.question, change.before),
                     _answer(kb, change.question, change.after)))
    return rows


def season_text(kb: KnowledgeBase, season: Season, width: int = 80) -> str:
    """The section for a terminal or plain-text report; answers then and now side by side."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(record=True, width=width, color_system=None, file=io.StringIO(),
                      highlight=False)
    who = f"{cell(season.athlete)}: " if season.athlete else ""
    if not season.athlete:  # nothing to compare with; a re-diagnosis note goes on top
        return ""
    console.print(Text(f"Your history ({who}{_debriefs(season.count)})",
                       style="bold underline"))
    note = rediagnosis_note(kb, season)
    if note:
        console.print(Text(f"! {note}", style="bold"))
    for item in season.recurring:
        console.print(Text(f"- {recurring_sentence(kb, item, one_athlete=True)}"))
    if season.changes is not None:
        ch = season.changes
        console.print(Text(f"Since your previous debrief ({cell(_label(ch.previous))}):"))
        table = Table("", "Then", "Now", box=None, padding=(0, 1))
        for label, before, after in _change_rows(kb, ch):
            table.add_row(Text(cell(label)), Text(cell(before)), Text(cell(after)))
        console.print(table)
    elif season.count <= 1 and season.athlete:
        console.print(Text("This is the first recorded debrief for this athlete."))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


def _debriefs(count: int) -> str:
    return f"{count} recorded debrief{'s' if count != 1 else ''}"


def season_markdown(kb: KnowledgeBase, season: Season) -> str:
    if not season.athlete:
        return ""
    out = ["## Your history\n", f"_{markdown(season.athlete)}: {_debriefs(season.count)}._\n"]
    note = rediagnosis_note(kb, season)
    if note:
        out.append(f"> **{markdown(note)}**\n")
    out += [f"- {markdown(recurring_sentence(kb, r, one_athlete=True))}"
            for r in season.recurring]
    if season.recurring:
        out.append("")
    if season.changes is not None:
        ch = season.changes
        out.append(f"**Since your previous debrief ({markdown(_label(ch.previous))})**\n")
        out.append("| | Then | Now |\n|---|---|---|")
        out += [f"| {markdown(a)} | {markdown(b)} | {markdown(c)} |"
                for a, b, c in _change_rows(kb, ch)]
    return "\n".join(out) + "\n"


def season_html(kb: KnowledgeBase, season: Season) -> str:
    if not season.athlete:
        return ""
    out = ['<section class="history"><h2>Your history</h2>',
           f'<p class="meta">{html_text(season.athlete)}: {_debriefs(season.count)}.</p>']
    note = rediagnosis_note(kb, season)
    if note:
        out.append(f'<p class="note"><strong>{html_text(note)}</strong></p>')
    if season.recurring:
        out.append("<ul>" + "".join(
            f"<li>{html_text(recurring_sentence(kb, r, one_athlete=True))}</li>"
            for r in season.recurring) + "</ul>")
    if season.changes is not None:
        ch = season.changes
        out.append(f"<h3>Since your previous debrief ({html_text(_label(ch.previous))})</h3>")
        out.append("<table><thead><tr><th></th><th>Then</th><th>Now</th></tr></thead><tbody>")
        out += [f"<tr><td>{html_text(a)}</td><td>{html_text(b)}</td><td>{html_text(c)}</td></tr>"
                for a, b, c in _change_rows(kb, ch)]
        out.append("</tbody></table>")
    out.append("</section>")
    return "\n".join(out)


def insert_html(page: str, section: str, *, top: bool = False) -> str:
    """Put a section into a rendered report page: after <main> (top) or before </main>."""
    if top:
        return page.replace("<main>", "<main>\n" + section, 1)
    head, marker, tail = page.rpartition("</main>")
    return head + section + "\n" + marker + tail if marker else page + section


# -- the list ---------------------------------------------------------------------------------

def list_dict(items: list[Stored], recurring: list[Recurring]) -> dict[str, Any]:
    """`crampdx history -f json`: exactly the contract in docs/json.md."""
    return {
        "debriefs": [{"id": s.id, "date": s.date, "athlete": s.athlete, "event": s.event,
                      "triage": s.triage, "causes": list(s.causes)} for s in items],
        "recurring": [{"cause": r.cause, "count": r.count, "races": list(r.races),
                       "athlete": r.athlete}
                      for r in recurring],
    }


def list_json(items: list[Stored], recurring: list[Recurring]) -> str:
    return json.dumps(list_dict(items, recurring), indent=2, ensure_ascii=False) + "\n"


def list_csv(items: list[Stored]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HISTORY_CSV_HEADER)
    for s in items:
        writer.writerow([s.id, csv_cell(s.date), csv_cell(s.athlete), csv_cell(s.event),
                         s.triage, " ".join(s.causes), s.knowledge])
    return out.getvalue()


def list_terminal(kb: KnowledgeBase, items: list[Stored], recurring: list[Recurring], *,
                  one_athlete: bool, changes: Changes | None, width: int = 100) -> str:
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    console = Console(record=True, width=width, color_system=None, file=io.StringIO(),
                      highlight=False)
    if not items:
        console.print("No recorded debriefs. Record one with: crampdx debrief FILE --record")
    else:
        # One line per debrief and its leading causes on the next, indented: a coach reads
        # the causes, and as a sixth column they were squeezed to a word or two per line.
        # Each debrief is a one-row table with the same column widths, so the lines align.
        rows = []
        for s in items:
            triage = TRIAGE_WORDS.get(s.triage, s.triage) + (
                " (not screened)" if s.triage == "self_care" and s.screened is False else "")
            leading = ", ".join(cause_name(kb, c) for c in s.leading) or "none stands out"
            rows.append(([str(s.id), cell(s.date), cell(s.athlete), cell(s.event), triage],
                         leading))
        headers = ["id", "date", "athlete", "event", "triage"]
        caps = [8, 10, 20, 24, 24]
        widths = [min(cap, max(len(h), *(Text(r[0][i]).cell_len for r in rows)))
                  for i, (h, cap) in enumerate(zip(headers, caps))]
        budget = width - widths[0] - widths[1] - 2 * len(headers)  # what the text columns get
        while sum(widths[2:]) > budget and max(widths[2:]) > 8:  # narrow the widest first
            widest = max(range(2, len(widths)), key=lambda i: widths[i])
            widths[widest] -= 1
        for index, (cells, leading) in enumerate(rows):
            table = Table(box=None, show_header=index == 0, pad_edge=False, padding=(0, 2, 0, 0))
            for i, header in enumerate(headers):
                table.add_column(header, width=widths[i], no_wrap=i < 2,
                                 justify="right" if i == 0 else "left")
            table.add_row(*(Text(value) for value in cells))
            console.print(table)
            console.print(Padding(Text.assemble(("leading: ", "dim"), leading),
                                  (0, 0, 0, widths[0] + 2)))
    if recurring:
        console.print(Text("\nRecurring"))
        for item in recurring:
            console.print(Text(f"- {recurring_sentence(kb, item, one_athlete=one_athlete)}"))
    if changes is not None:
        season = Season(items[0].athlete, len(items), (), changes)
        text = season_text(kb, season, width).split("\n", 1)[1]
        console.print(Text("\n" + text.rstrip()))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"
