"""A coach's squad view: one table for a group, most urgent first.

Built from JSON reports (the contract in docs/json.md), so fresh debriefs and recorded ones give
the same table. Each row: athlete, event, triage (unscreened shown as such), the leading causes
with the weight of their evidence, and the one most important change. Every user string is
escaped for the format it is written into (crampdx/textsafe.py).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable, Mapping

import msgspec

from crampdx.textsafe import cell, csv_cell, html_text, markdown

URGENCY = ("emergency", "see_doctor", "unscreened", "self_care")
TRIAGE_WORDS = {"emergency": "EMERGENCY", "see_doctor": "see a doctor",
                "unscreened": "not screened", "self_care": "self care"}
CSV_HEADER = ("athlete", "event", "date", "triage", "screened", "causes", "change", "source")


class Row(msgspec.Struct, frozen=True):
    athlete: str
    event: str
    date: str
    level: str  # the triage level the answers gave
    screened: bool  # every red-flag question answered
    unscreened: tuple[str, ...]
    causes: tuple[tuple[str, str, float], ...]  # (id, name, certainty), leading causes
    change: str  # the one most important change
    change_source: str
    link: str | None = None  # the athlete's full report, when written
    extra: Mapping[str, Any] = msgspec.field(default_factory=dict)
    flags: tuple[str, ...] = ()  # what each shown red flag suggests (its condition's name)

    @property
    def triage(self) -> str:
        """self_care with unanswered red-flag questions is 'unscreened', never 'no flags'."""
        return "unscreened" if self.level == "self_care" and not self.screened else self.level

    @property
    def triage_words(self) -> str:
        """"no red flags" only when screened and none fired; a self-care flag is named."""
        if self.level == "self_care" and self.flags:
            words = f"self care: {', '.join(dict.fromkeys(self.flags))}"
            return words if self.screened else f"{words}; not screened"
        if self.triage == "self_care":
            return "no red flags"
        return TRIAGE_WORDS.get(self.triage, self.triage)

    @property
    def name(self) -> str:
        """The athlete, else the answers file's name, so a row without a name can be found."""
        file = str(self.extra.get("file", "") or "")
        return self.athlete or (file.replace("\\", "/").rsplit("/", 1)[-1] if file
                                else "(no name)")

    def urgency(self) -> int:
        """Emergency, see a doctor, a self-care flag, not screened, then nothing flagged."""
        if self.level == "self_care" and self.flags:
            return URGENCY.index("see_doctor") + 1
        rank = URGENCY.index(self.triage) if self.triage in URGENCY else len(URGENCY)
        return rank + (1 if rank > URGENCY.index("see_doctor") else 0)

    def causes_text(self) -> str:
        # the weight in words, as each report shows it: a percentage reads as a probability
        from crampdx.render.common import strength_word

        return "; ".join(f"{name}: {strength_word(certainty)}"
                         for _, name, certainty in self.causes) or "none stands out"


def screening(report: Mapping[str, Any], red_flag_questions: Iterable[str]) -> tuple[bool, list[str]]:
    """The report's triage.screened/unscreened (issue 8 adds them to the contract); until a
    report carries them, the same definition computed here: screened when every red-flag
    question is answered."""
    triage = report.get("triage", {})
    if "screened" in triage:
        return bool(triage["screened"]), list(triage.get("unscreened", []))
    answered = report.get("answers", {})
    missing = [q for q in red_flag_questions if q not in answered]
    return not missing, missing


def most_important_change(report: Mapping[str, Any]) -> tuple[str, str]:
    """A red flag's action first (any level: "drink nothing more" matters more than any
    training change); else the first training change for the leading cause; else its first plan
    item that is not for the moment a cramp comes; else the first plan item."""
    flags = report.get("triage", {}).get("flags", [])
    if flags:
        return flags[0].get("action", ""), flags[0].get("source", "")
    leading = [c["id"] for c in report.get("causes", []) if c.get("leading")]
    plan = report.get("plan", [])
    candidates = []
    if leading:
        mine = [item for item in plan if item.get("cause") == leading[0]]
        candidates += [item for item in mine if item.get("section") == "training"]
        candidates += [item for item in mine if item.get("section") != "now"]
    candidates += [item for item in plan if item.get("section") == "training"] + list(plan)
    if not candidates:
        return "", ""
    item = candidates[0]
    title = item.get("title") or ""
    text = first_sentence(item.get("text", ""))
    return (f"{title}: {text}" if title else text), item.get("source", "")


def first_sentence(text: str, limit: int = 160) -> str:
    """A table cell's worth: the first sentence (its first clause when long), cut at a word."""
    sentence = text.split(". ", 1)[0].rstrip(".")
    if len(sentence) > limit and ";" in sentence:
        sentence = sentence.split(";", 1)[0]
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
    return sentence + ("" if sentence.endswith("…") else ".")


def row_for(report: Mapping[str, Any], red_flag_questions: Iterable[str], *,
            date: str | None = None, link: str | None = None, **extra: Any) -> Row:
    meta = report.get("meta", {})
    screened, unscreened = screening(report, red_flag_questions)
    causes = tuple((c["id"], c.get("name", c["id"]), float(c.get("certainty", 0)))
                   for c in report.get("causes", []) if c.get("leading"))
    change, source = most_important_change(report)
    flags = tuple(str(flag.get("condition_name") or "a warning sign")
                  for flag in report.get("triage", {}).get("flags", []))
    return Row(str(meta.get("athlete", "") or ""), str(meta.get("event", "") or ""),
               str(date or meta.get("date", "") or ""), report.get("triage", {}).get("level", ""),
               screened, tuple(unscreened), causes, change, source, link, extra, flags)


def ordered(rows: Iterable[Row]) -> list[Row]:
    """Most urgent first; then by athlete."""
    return sorted(rows, key=lambda r: (r.urgency(), r.name.casefold(), r.event))


def _athletes(count: int) -> str:
    return f"{count} athlete{'s' if count != 1 else ''}"


# -- formats -----------------------------------------------------------------------------------

def to_dict(rows: list[Row]) -> dict[str, Any]:
    return {"athletes": [
        {"athlete": r.athlete, "event": r.event, "date": r.date or None, "triage": r.triage,
         "level": r.level, "screened": r.screened, "unscreened": list(r.unscreened),
         "flags": list(r.flags), "triage_text": r.triage_words,
         "causes": [{"id": i, "name": n, "certainty": round(c, 3)} for i, n, c in r.causes],
         "change": r.change, "change_source": r.change_source,
         **({"report": r.link} if r.link else {}), **dict(r.extra)}
        for r in rows]}


def render_json(rows: list[Row]) -> str:
    return json.dumps(to_dict(rows), indent=2, ensure_ascii=False) + "\n"


def render_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([csv_cell(v) for v in (r.name, r.event, r.date, r.triage_words,
                                               "yes" if r.screened else "no", r.causes_text(),
                                               r.change, r.change_source)])
    return out.getvalue()


def render_markdown(rows: list[Row], title: str = "Squad summary") -> str:
    out = [f"# {markdown(title)}\n", f"_{_athletes(len(rows))}, most urgent first._\n",
           "| Athlete | Event | Date | Triage | Leading causes | Most important change |",
           "|---|---|---|---|---|---|"]
    for r in rows:
        name = markdown(r.name)
        if r.link:
            name = f"[{name}](<{r.link}>)"
        triage = f"**{markdown(r.triage_words)}**" if r.triage != "self_care" or r.flags \
            else markdown(r.triage_words)
        out.append(f"| {name} | {markdown(r.event)} | {markdown(r.date)} | {triage} | "
                   f"{markdown(r.causes_text())} | {markdown(r.change)} |")
    out.append("\n_Not screened: some red-flag questions are unanswered, so crampdx cannot say "
               "there are no red flags._")
    return "\n".join(out) + "\n"


def render_html(rows: list[Row], title: str = "Squad summary") -> str:
    from crampdx.render.html import CSP, STYLE

    body = []
    for r in rows:
        name = html_text(r.name)
        if r.link:
            from urllib.parse import quote

            name = f'<a href="{html_text(quote(r.link))}">{name}</a>'
        body.append(
            f'<tr class="{html_text(r.triage)}"><td>{name}</td><td>{html_text(r.event)}</td>'
            f"<td>{html_text(r.date)}</td><td><strong>{html_text(r.triage_words)}</strong></td>"
            f"<td>{html_text(r.causes_text())}</td><td>{html_text(r.change)}</td></tr>")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_text(title)}</title>",
        f"<style>{STYLE}\ntr.emergency td {{ background: #fef3f2; }}\n"
        "tr.see_doctor td { background: #fff8c5; }\ntr.unscreened td:nth-child(4) "
        "{ color: var(--doctor); }</style>",
        "</head>", "<body>", "<main>", f"<h1>{html_text(title)}</h1>",
        f'<p class="meta">{_athletes(len(rows))}, most urgent first.</p>',
        "<table><thead><tr><th>Athlete</th><th>Event</th><th>Date</th><th>Triage</th>"
        "<th>Leading causes</th><th>Most important change</th></tr></thead><tbody>",
        *body, "</tbody></table>",
        '<p class="note">Not screened: some red-flag questions are unanswered, so crampdx '
        "cannot say there are no red flags.</p>",
        "</main>", "</body>", "</html>", ""])


def render_terminal(rows: list[Row], width: int = 100, title: str = "Squad summary") -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    dated = any(r.date for r in rows)  # no column of blanks when no file gives a date
    table = Table("Athlete", "Event", *(["Date"] if dated else []), "Triage", "Leading causes",
                  "Most important change", title=cell(title), show_lines=True)
    styles = {"emergency": "bold white on red", "see_doctor": "bold black on yellow",
              "unscreened": "bold yellow", "self_care_flag": "bold"}
    for r in rows:
        table.add_row(Text(cell(r.name), overflow="fold"), Text(cell(r.event)),
                      *([Text(cell(r.date))] if dated else []),
                      Text(cell(r.triage_words), style=styles.get(
                          "self_care_flag" if r.flags and r.level == "self_care" else r.triage,
                          ""), overflow="fold"),
                      Text(cell(r.causes_text())), Text(cell(r.change)))
    console = Console(record=True, width=width, color_system=None, file=io.StringIO(),
                      highlight=False)
    console.print(table)
    console.print(Text("Not screened: some red-flag questions are unanswered, so crampdx cannot "
                       "say there are no red flags."))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"


def render(rows: list[Row], fmt: str, *, width: int = 100, title: str = "Squad summary") -> str:
    rows = ordered(rows)
    if fmt == "json":
        return render_json(rows)
    if fmt == "csv":
        return render_csv(rows)
    if fmt == "markdown":
        return render_markdown(rows, title)
    if fmt == "html":
        return render_html(rows, title)
    return render_terminal(rows, width, title)
