"""The report as a Markdown document: the same content as the terminal report."""

from __future__ import annotations

from crampdx.diagnosis import Diagnosis
from crampdx.knowledge.model import KnowledgeBase
from crampdx.render.common import (
    FLAG_LABELS,
    KIND_TITLES,
    LEVEL_NOTES,
    LEVEL_TITLES,
    answered_line,
    bar,
    evidence_facts,
    source_label,
)


def render(diagnosis: Diagnosis, kb: KnowledgeBase) -> str:
    out: list[str] = []
    meta = diagnosis.answers.meta
    title = " · ".join(meta[k] for k in ("athlete", "event", "date") if k in meta)
    out.append(f"# Cramp debrief{': ' + title if title else ''}\n")
    out.append(f"_{answered_line(diagnosis)}._\n")

    triage = diagnosis.triage
    out.append(f"## Red flags: {LEVEL_TITLES[triage.level]}\n")
    if not triage.flags:
        out.append(LEVEL_NOTES["self_care"] + "\n")
    for flag in triage.flags:
        level = FLAG_LABELS[flag.rule.then]
        out.append(f"- **{level}.** {flag.rule.because}  \n  **Do now:** {flag.rule.action}  \n"
                   f"  _{source_label(kb, flag.rule.source)}; answers: "
                   f"{evidence_facts(kb, flag)}_")
    out.append("")

    out.append("## Likely causes\n")
    if not diagnosis.causes:
        out.append("No cause stands out from your answers. Answer more questions "
                   "(see below) for a sharper picture.\n")
    for rank, cause in enumerate(diagnosis.causes, 1):
        lead = " (leading)" if cause.id in diagnosis.leading else ""
        out.append(f"### {rank}. {cause.name}{lead}: {cause.certainty:.0%}\n")
        out.append(f"`{bar(cause.certainty, 20)}`\n")
        out.append(f"{cause.summary}\n")
        out.append("| | rule | certainty | answers and findings | source |")
        out.append("|---|---|---|---|---|")
        for item in cause.support + cause.against:
            sign = "for" if item.certainty > 0 else "**against**"
            out.append(f"| {sign} | {item.rule.because} (`{item.rule.id}`) | "
                       f"{item.certainty:+.2f} | {evidence_facts(kb, item)} | "
                       f"{source_label(kb, item.rule.source)} |")
        out.append("")

    if diagnosis.ruled_out:
        out.append("## Unlikely causes\n")
        for cause in diagnosis.ruled_out:
            reasons = "; ".join(e.rule.because for e in cause.against)
            out.append(f"- **{cause.name}** ({cause.certainty:+.2f}): {reasons}")
        out.append("")

    if diagnosis.plan:
        out.append("## What to do\n")
        current = None
        for item in diagnosis.plan:
            if item.cause != current:
                current = item.cause
                out.append(f"\n### For {kb.causes[current].name}\n")
            out.append(f"- **{KIND_TITLES[item.remedy.kind]}:** {item.remedy.text} "
                       f"_({source_label(kb, item.remedy.source)})_")
        out.append("")

    cited = sorted({e.rule.source for c in diagnosis.causes for e in c.support + c.against}
                   | {f.rule.source for f in triage.flags}
                   | {item.remedy.source for item in diagnosis.plan})
    if cited:
        out.append("## Sources\n")
        out.extend(f"- {source_label(kb, s, full=True)}" for s in cited)
        out.append("")

    if diagnosis.unanswered:
        out.append("## Questions that would sharpen this\n")
        for question in diagnosis.unanswered:
            out.append(f"- {question.ask} (`{question.id}`; informs: "
                       f"{', '.join(question.informs)})")
        out.append("")

    for notice in kb.notices.values():
        out.append(f"## {notice.title}\n\n{notice.text}\n")
    return "\n".join(out).rstrip() + "\n"
