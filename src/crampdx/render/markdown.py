"""The report as a Markdown document: the same content as the terminal report."""

from __future__ import annotations

from crampdx.diagnosis import Diagnosis
from crampdx.knowledge.model import KnowledgeBase
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
from crampdx.knowledge.model import EVIDENCE_WORDS
from crampdx.textsafe import markdown as _md


def _cell(text: str) -> str:
    """Table cells: one line, pipes and every other Markdown syntax escaped."""
    return _md(text)


def _plan(diagnosis: Diagnosis, kb: KnowledgeBase) -> list[str]:
    """The plan as tables: one per section (training: one per cause), then each schedule."""
    plan = diagnosis.plan
    if not plan:
        return []
    out = [f"## {PLAN_TITLE}\n"]
    if plan.summary:
        out.append(f"{_md(plan.summary)}\n")
    facts = race_line(kb, plan)
    if facts:
        out.append(f"**Sized for:** {_md(facts, line_start=False)}\n")
    for section, groups in plan_groups(plan):
        out.append(f"### {section_title(section, plan)}\n")
        if section in SECTION_NOTES:
            out.append(f"_{SECTION_NOTES[section]}_\n")
        for cause, items in groups:
            if section == "training":
                heading = f"For {kb.causes[cause].name}" if cause else NEXT_RACE_GROUP
                out.append(f"#### {_md(heading)}\n")
            out.append("| What to do | Source | Evidence |")
            out.append("|---|---|---|")
            for item in items:
                source = kb.sources.get(item.source)
                title = f"**{_cell(item.title)}.** " if item.title else ""
                others = "".join(f"<br>{_cell(n['about'])}: {_cell(n['label'])}, "
                                 f"{EVIDENCE_WORDS.get(n['evidence'], n['evidence'])}"
                                 for n in item.number_sources)
                out.append(f"| {title}{_cell(item.text)} | "
                           f"{_cell(source.label if source else item.source)}{others} | "
                           f"{EVIDENCE_WORDS.get(item.evidence, item.evidence)} |")
            out.append("")
            for item in items:
                if item.schedule:
                    out.append(f"**{_md(item.title)}, week by week**\n")
                    out.append("| Weeks | |")
                    out.append("|---|---|")
                    out.extend(f"| {weeks_label(row)} | {_cell(row.text)} |"
                               for row in item.schedule)
                    out.append("")
    return out


def render(diagnosis: Diagnosis, kb: KnowledgeBase, *, explain: bool = False) -> str:
    """The runner's view; `explain` adds rule ids, certainty factors and their arithmetic."""
    out: list[str] = []
    meta = diagnosis.answers.meta
    title = " · ".join(_md(meta[k]) for k in ("athlete", "event", "date") if k in meta)
    out.append(f"# Cramp debrief{': ' + title if title else ''}\n")
    out.append(f"_{answered_line(diagnosis)}._\n")

    note = unscreened_note(kb, diagnosis)
    for _level, title, flags in triage_boxes(diagnosis):
        out.append(f"## Red flags: {title}\n")
        if not flags:
            out.append((note or LEVEL_NOTES["self_care"]) + "\n")
            note = ""
        for flag in flags:
            facts = evidence_facts(kb, flag, diagnosis.answers.derived, diagnosis.estimated,
                                   explain=explain)
            out.append(f"- **{flag_label(kb, flag)}.** {_md(flag.rule.because)}  \n"
                       f"  **Do now:** {_md(flag.rule.action)}  \n"
                       f"  _{_md(source_label(kb, flag.rule.source))}; answers: {_md(facts)}_")
        out.append("")
    if note:
        out.append(f"## {UNSCREENED_TITLE}\n\n{note}\n")
    for note in derived_notes(diagnosis):  # red flags first: an estimate's note waits
        out.append(f"_{note}_\n")

    for title, text in caution_items(diagnosis):
        out.append(f"## {_md(title)}\n\n{_md(text)}\n")

    if diagnosis.kind:
        out.append(f"## {KIND_TITLE}\n")
        out.extend(f"- {_md(picture.text)}" for picture in diagnosis.kind)
        out.append("")

    out.append("## Likely causes\n")
    if not diagnosis.causes:
        out.append("No cause stands out from your answers. Answer more questions "
                   "(see below) for a sharper picture.\n")
    else:
        out.append(f"_{EXPLAIN_NOTE if explain else CAUSES_NOTE}_\n")
    for rank, cause in enumerate(diagnosis.causes, 1):
        lead = " (leading)" if cause.id in diagnosis.leading else ""
        weight = f"{cause.certainty:.0%}" if explain else strength_word(cause.certainty)
        out.append(f"### {rank}. {_md(cause.name)}{lead}: {weight}\n")
        out.append(f"`{bar(cause.certainty, 20)}`\n")
        out.append(f"{_md(cause.summary)}\n")
        if explain:
            out.append("| | rule | certainty | answers and findings | source |")
            out.append("|---|---|---|---|---|")
        else:
            out.append("| | why | your answers | source |")
            out.append("|---|---|---|---|")
        for item in cause.support + cause.against:
            sign = "for" if item.certainty > 0 else "**against**"
            facts = _cell(evidence_facts(kb, item, diagnosis.answers.derived,
                                         diagnosis.estimated, explain=explain))
            if explain:
                out.append(f"| {sign} | {_cell(item.rule.because)} (`{item.rule.id}`) | "
                           f"{item.certainty:+.2f} | {facts} | "
                           f"{_cell(source_label(kb, item.rule.source))} |")
            else:
                out.append(f"| {sign} | {_cell(item.rule.because)} | {facts} | "
                           f"{_cell(source_label(kb, item.rule.source))} |")
        out.append("")
        if explain:
            out.append(f"Certainty: `{arithmetic(cause)}`\n")

    if diagnosis.ruled_out:
        out.append("## Unlikely causes\n")
        for cause in diagnosis.ruled_out:
            pile = cause.support + cause.against if explain else cause.against
            reasons = "; ".join(e.rule.because + (f" (`{e.rule.id}` {e.certainty:+.2f})"
                                                  if explain else "") for e in pile)
            number = f" ({cause.certainty:+.2f})" if explain else ""
            out.append(f"- **{_md(cause.name)}**{number}: {_md(reasons)}")
        out.append("")

    out.extend(_plan(diagnosis, kb))

    cited = cited_sources(diagnosis)
    if cited:
        out.append("## Sources\n")
        out.extend(f"- {_md(source_label(kb, s, full=True))}" for s in cited)
        out.append("")

    if diagnosis.unanswered:
        out.append("## Questions that would sharpen this\n")
        for question in diagnosis.unanswered:
            about = f"`{question.id}`; " if explain else ""
            out.append(f"- {_md(question.ask)} ({about}informs: {', '.join(question.informs)})")
        out.append("")

    for notice in kb.notices.values():
        out.append(f"## {_md(notice.title)}\n\n{_md(notice.text)}\n")
    return "\n".join(out).rstrip() + "\n"
