"""The report as one self-contained, printable HTML page: triage, causes with certainty bars and
their evidence, the plan as tables, sources. No scripts, no fonts or images to fetch: a
Content-Security-Policy forbids every network request, so the page opens the same offline, in
a mail attachment or on paper. Everything from the answers or the knowledge base is escaped."""

from __future__ import annotations

from html import escape
from typing import Any, Iterable

from crampdx.diagnosis import CauseResult, Diagnosis
from crampdx.knowledge.model import EVIDENCE_WORDS, KnowledgeBase
from crampdx.plan import PlanItem
from crampdx.textsafe import terminal
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
    cited_sources,
    caution_items,
    derived_notes,
    evidence_facts,
    flag_label,
    plan_groups,
    race_line,
    section_title,
    source_label,
    strength_word,
    triage_boxes,
    unscreened_note,
    weeks_label,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"

STYLE = """
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --bar: #0969da;
        --emergency: #b42318; --doctor: #9a6700; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 56rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
article + article { margin-top: 3rem; border-top: 3px double var(--line); padding-top: 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; color: var(--muted); }
p { margin: .4rem 0; }
.meta, .note, .dim { color: var(--muted); }
.triage { border: 2px solid var(--ok); border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }
.triage h2 { margin: 0 0 .4rem; border: 0; color: var(--ok); }
.triage.emergency { border-color: var(--emergency); background: #fef3f2; }
.triage.emergency h2 { color: var(--emergency); }
.triage.see_doctor { border-color: var(--doctor); background: #fff8c5; }
.triage.see_doctor h2 { color: var(--doctor); }
.triage.unscreened { border-color: var(--doctor); background: #fff8c5; }
.triage.unscreened h2 { color: var(--doctor); }
.triage ul { margin: 0; padding-left: 1.2rem; }
.cause { margin: 1rem 0 1.4rem; break-inside: avoid-page; }
.cause h3 { margin-bottom: .2rem; }
.certainty { display: flex; align-items: center; gap: .6rem; }
.bar { display: inline-block; width: 14rem; max-width: 50%; height: .9rem;
       border: 1px solid #8c959f; background: #eaeef2; border-radius: 3px; overflow: hidden;
       -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.bar .fill { display: block; height: 100%; background: var(--bar);
             -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.pct { font-weight: 600; font-variant-numeric: tabular-nums; }
.tag { font-size: .75rem; font-weight: 600; border: 1px solid var(--muted); border-radius: 3px;
       padding: 0 .3rem; margin-left: .4rem; vertical-align: middle; }
table { width: 100%; border-collapse: collapse; margin: .4rem 0 .8rem; font-size: .92rem; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
tr { break-inside: avoid; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.plan-table { table-layout: fixed; }
table.plan-table th:nth-child(2) { width: 9rem; }
table.plan-table th:nth-child(3) { width: 10rem; }
table.schedule { width: auto; min-width: 60%; margin: .5rem 0 .2rem; font-size: .88rem; }
table.schedule th, table.schedule td { padding: .15rem .5rem; }
table.schedule td:first-child { white-space: nowrap; }
.against { color: var(--emergency); font-weight: 600; }
.for { color: var(--ok); font-weight: 600; }
.badge { display: inline-block; font-size: .8rem; border-radius: 3px; padding: 0 .35rem;
         border: 1px solid; white-space: nowrap; }
.badge.study { color: #0550ae; } .badge.consensus { color: #1a7f37; }
.badge.coaching { color: #8250df; } .badge.anecdotal { color: #9a6700; }
.badge.crampdx { color: #57606a; white-space: normal; }
.badge.medical { color: #1a7f37; white-space: normal; }
section.extras table { border-style: dashed; }
code { font-size: .85em; }
@page { margin: 14mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  article + article { break-before: page; border: 0; }
  h2, h3, h4 { break-after: avoid; }
}
"""


def _e(text: object) -> str:
    """HTML-escaped, with control and bidi characters shown as escapes (crampdx.textsafe)."""
    return escape(terminal(text), quote=True)


def _badge(evidence: str) -> str:
    word = EVIDENCE_WORDS.get(evidence, evidence)
    return f'<span class="badge {_e(evidence)}">{_e(word)}</span>'


def _source_name(kb: KnowledgeBase, source_id: str) -> str:
    source = kb.sources.get(source_id)
    return source.label if source else source_id


def _bar(certainty: float, explain: bool = True) -> str:
    percent = round(max(0.0, min(1.0, certainty)) * 100)
    label = f"{percent}%" if explain else strength_word(certainty)
    return (f'<div class="certainty"><span class="bar" role="meter" aria-label="certainty" '
            f'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{percent}">'
            f'<span class="fill" style="width: {percent}%"></span></span>'
            f'<span class="pct">{_e(label)}</span></div>')


def _triage(diagnosis: Diagnosis, kb: KnowledgeBase, explain: bool = False) -> list[str]:
    """One box per level, most severe first; then the warning signs nobody answered."""
    out: list[str] = []
    note = unscreened_note(kb, diagnosis)
    for level, title, flags in triage_boxes(diagnosis):
        css = level if flags or diagnosis.triage.screened else "unscreened"
        out += [f'<section class="triage {_e(css)}" aria-label="Red flags">',
                f"<h2>{_e(title)}</h2>"]
        if not flags:
            out.append(f"<p>{_e(note or LEVEL_NOTES['self_care'])}</p>")
            note = ""
        else:
            out.append("<ul>")
            for flag in flags:
                facts = evidence_facts(kb, flag, diagnosis.answers.derived, diagnosis.estimated,
                                       explain=explain)
                out.append(f"<li><strong>{_e(flag_label(kb, flag))}:</strong> "
                           f"{_e(flag.rule.because)}<br><strong>Do now:</strong> "
                           f"{_e(flag.rule.action)}<br><span class=\"dim\">"
                           f"{_e(facts)} · "
                           f"{_e(source_label(kb, flag.rule.source))}</span></li>")
            out.append("</ul>")
        out.append("</section>")
    if note:
        out += ['<section class="triage unscreened" aria-label="Warning signs not checked">',
                f"<h2>{_e(UNSCREENED_TITLE)}</h2>", f"<p>{_e(note)}</p>", "</section>"]
    return out


def _cause(rank: int, cause: CauseResult, leading: bool, kb: KnowledgeBase,
           derived: Any = (), estimated: dict | None = None,
           explain: bool = False) -> list[str]:
    """Plain reasons; `explain` adds each rule's id and weight, and how they combine."""
    tag = '<span class="tag">leading</span>' if leading else ""
    weight = "<th>Weight</th>" if explain else ""
    out = [f'<div class="cause{" leading" if leading else ""}">',
           f"<h3>{rank}. {_e(cause.name)}{tag}</h3>", _bar(cause.certainty, explain),
           f"<p>{_e(cause.summary)}</p>",
           "<table class=\"evidence\"><thead><tr><th></th><th>Why</th>"
           f"<th>Your answers and findings</th>{weight}<th>Source</th></tr></thead><tbody>"]
    for item in cause.support + cause.against:
        sign = '<span class="for">for</span>' if item.certainty > 0 \
            else '<span class="against">against</span>'
        rule = f"<br><code class=\"dim\">{_e(item.rule.id)}</code>" if explain else ""
        number = f'<td class="num">{item.certainty:+.2f}</td>' if explain else ""
        out.append(f"<tr><td>{sign}</td><td>{_e(item.rule.because)}{rule}</td>"
                   f"<td>{_e(evidence_facts(kb, item, derived, estimated, explain=explain))}</td>"
                   f"{number}"
                   f"<td>{_e(_source_name(kb, item.rule.source))}<br>"
                   f"{_badge(kb.evidence_label(item.rule.source))}</td></tr>")
    out.append("</tbody></table>")
    if explain:
        out.append(f'<p class="dim">Certainty: <code>{_e(arithmetic(cause))}</code></p>')
    out.append("</div>")
    return out


def _causes(diagnosis: Diagnosis, kb: KnowledgeBase, explain: bool = False) -> list[str]:
    out: list[str] = []
    for title, text in caution_items(diagnosis):  # after the red flags, before the causes
        out += ['<section class="caution">', f"<h2>{_e(title)}</h2>", f"<p>{_e(text)}</p>",
                "</section>"]
    if diagnosis.kind:
        out += ['<section class="kind">', f"<h2>{_e(KIND_TITLE)}</h2>", "<ul>"]
        out += [f"<li>{_e(picture.text)}</li>" for picture in diagnosis.kind]
        out += ["</ul>", "</section>"]
    out += ['<section class="causes">', "<h2>Likely causes</h2>"]
    if not diagnosis.causes:
        out.append("<p>No cause stands out from your answers; answering the questions below "
                   "would sharpen the picture.</p>")
    else:
        out.append(f'<p class="note">{_e(EXPLAIN_NOTE if explain else CAUSES_NOTE)}</p>')
    for rank, cause in enumerate(diagnosis.causes, 1):
        out += _cause(rank, cause, cause.id in diagnosis.leading, kb,
                      diagnosis.answers.derived, diagnosis.estimated, explain)
    if diagnosis.ruled_out:
        out.append("<h3>Unlikely</h3><ul>")
        for cause in diagnosis.ruled_out:
            pile = cause.support + cause.against if explain else cause.against
            reasons = " ".join(e.rule.because + (f" ({e.rule.id} {e.certainty:+.2f})"
                                                 if explain else "") for e in pile)
            number = f" ({cause.certainty:+.2f})" if explain else ""
            out.append(f"<li><strong>{_e(cause.name)}</strong>{number}: "
                       f"{_e(reasons)}</li>")
        out.append("</ul>")
    out.append("</section>")
    return out


def _schedule(item: PlanItem) -> str:
    rows = "".join(f"<tr><td>{_e(weeks_label(row))}</td><td>{_e(row.text)}</td></tr>"
                   for row in item.schedule)
    return (f'<table class="schedule"><caption class="dim">{_e(item.title)}, week by week'
            f"</caption><thead><tr><th>Weeks</th><th>What</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _plan_table(items: Iterable[PlanItem], kb: KnowledgeBase) -> str:
    rows = []
    for item in items:
        title = f"<strong>{_e(item.title)}.</strong> " if item.title else ""
        schedule = _schedule(item) if item.schedule else ""
        others = "".join(f"<br><span class=\"dim\">{_e(n['about'])}:</span> "
                         f"{_e(n['label'])} {_badge(n['evidence'])}"
                         for n in item.number_sources)
        rows.append(f'<tr id="plan-{_e(item.id)}"><td>{title}{_e(item.text)}{schedule}</td>'
                    f'<td class="src">{_e(_source_name(kb, item.source))}{others}</td>'
                    f'<td class="ev">{_badge(item.evidence)}</td></tr>')
    return ('<table class="plan-table"><thead><tr><th>What to do</th><th>Source</th>'
            f"<th>Evidence</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _plan(diagnosis: Diagnosis, kb: KnowledgeBase) -> list[str]:
    plan = diagnosis.plan
    if not plan:
        return []
    out = ['<section class="plan" id="plan">', f"<h2>{_e(PLAN_TITLE)}</h2>"]
    if plan.summary:
        out.append(f"<p>{_e(plan.summary)}</p>")
    facts = race_line(kb, plan)
    if facts:
        out.append(f"<p><strong>Sized for:</strong> {_e(facts)}</p>")
    for section, groups in plan_groups(plan):
        out.append(f'<section class="{_e(section)}"><h3>{_e(section_title(section, plan))}</h3>')
        if section in SECTION_NOTES:
            out.append(f'<p class="note">{_e(SECTION_NOTES[section])}</p>')
        for cause, items in groups:
            if section == "training":
                heading = f"For {kb.causes[cause].name}" if cause else NEXT_RACE_GROUP
                out.append(f"<h4>{_e(heading)}</h4>")
            out.append(_plan_table(items, kb))
        out.append("</section>")
    out.append("</section>")
    return out


def _article(diagnosis: Diagnosis, kb: KnowledgeBase, explain: bool = False) -> list[str]:
    meta = diagnosis.answers.meta
    title = " · ".join(meta[k] for k in ("athlete", "event", "date") if k in meta)
    out = ["<article>", "<header>",
           f"<h1>Cramp debrief{_e(': ' + title) if title else ''}</h1>",
           f'<p class="meta">{_e(answered_line(diagnosis))}</p>',
           "</header>"]
    out += _triage(diagnosis, kb, explain)  # red flags first: an estimate's note waits below them
    out += [f'<p class="meta derived">{_e(note)}</p>' for note in derived_notes(diagnosis)]
    out += _causes(diagnosis, kb, explain) + _plan(diagnosis, kb)
    cited = cited_sources(diagnosis)
    if cited:
        out.append('<section class="sources"><h2>Sources</h2><ul>')
        for source_id in cited:
            source = kb.sources.get(source_id)
            cite = source.cite if source else source_id
            out.append(f"<li>{_e(cite)} {_badge(kb.evidence_label(source_id))}</li>")
        out.append("</ul></section>")
    if diagnosis.unanswered:
        out.append('<section class="questions"><h2>Questions that would sharpen this</h2><ul>')
        for question in diagnosis.unanswered:
            about = f"<code>{_e(question.id)}</code>; " if explain else ""
            out.append(f"<li>{_e(question.ask)} <span class=\"dim\">({about}"
                       f"informs: {_e(', '.join(question.informs))})</span></li>")
        out.append("</ul></section>")
    for notice in kb.notices.values():
        out.append(f'<section class="notice"><h2>{_e(notice.title)}</h2>'
                   f"<p>{_e(notice.text)}</p></section>")
    out.append("</article>")
    return out


def render(diagnoses: Diagnosis | list[Diagnosis], kb: KnowledgeBase, *,
           explain: bool = False) -> str:
    """One page for one report, or for several (a coach's group), each its own article."""
    items = diagnoses if isinstance(diagnoses, list) else [diagnoses]
    first = items[0].answers.meta if items else {}
    name = " · ".join(first[k] for k in ("athlete", "event") if k in first)
    title = f"Cramp debrief: {name}" if name and len(items) == 1 else "Cramp debrief"
    body: list[str] = []
    for diagnosis in items:
        body += _article(diagnosis, kb, explain)
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>", "<main>",
        *body, "</main>", "</body>", "</html>", ""])
