"""`crampdx import` and the --activity/--training options of debrief and the interview.

Standard-library imports only at the top (like every cli module): the FIT/GPX/TCX libraries
load only when a file of that kind is read, so `crampdx --version` and a debrief without
activity options import none of them.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from crampdx.activity import Derived
    from crampdx.answers import Answers
    from crampdx.knowledge.model import KnowledgeBase

IMPORT_EPILOG = """\
A PATH after --training is an activity file (.fit, .gpx, .tcx, also .gz), a folder of them, or
a Strava bulk export (the zip, or its unpacked folder with activities.csv). Summaries of the
training files are cached (CRAMPDX_CACHE_DIR, else your user cache folder), so the next run is
fast. docs/activities.md says how every answer is worked out.

examples:
  crampdx import race.fit --training export_12345.zip -o answers.yaml
  crampdx import race.gpx.gz --training ~/runs --training old-runs/ -f json
  crampdx debrief answers.yaml --activity race.fit --training export_12345.zip
"""


def add_parser(commands: Any, add_kb_option: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = commands.add_parser(
        "import", help="read a race (and training) from watch files into an answers file",
        description="Reads your race's activity file (FIT, GPX or TCX, also gzipped) and, "
                    "with --training, your training before it, and writes the answers they "
                    "settle: distance, time, climb, descents, temperature, pacing, long runs, "
                    "downhill and race-pace training. Add what only you can tell, then run "
                    "'crampdx debrief'.",
        epilog=IMPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("race", metavar="RACE_FILE", help="the race's FIT, GPX or TCX file")
    parser.add_argument("--training", metavar="PATH", action="append", default=[],
                        help="training files: a file, folder or Strava export (repeatable)")
    parser.add_argument("--output", "-o", metavar="PATH",
                        help="write the answers here (default: the screen)")
    parser.add_argument("--format", "-f", choices=("yaml", "json"),
                        help="yaml (default; a comment beside each answer says where it came "
                             "from) or json (the flat answers mapping)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing --output file (by default an existing "
                             "file is never overwritten: it may hold your own answers)")
    add_kb_option(parser)
    parser.set_defaults(handler=cmd_import)


def add_activity_options(parser: argparse.ArgumentParser) -> None:
    """--activity/--training for debrief and the interview: derived answers fill the gaps."""
    parser.add_argument("--activity", metavar="RACE_FILE",
                        help="your race's FIT, GPX or TCX file: the answers it settles fill "
                             "what you left out (your own answers always win)")
    parser.add_argument("--training", metavar="PATH", action="append", default=[],
                        help="training before the race: a file, folder or Strava export "
                             "(repeatable; needs --activity for the race date)")


def derive_from_args(args: argparse.Namespace) -> "Derived | None":
    """The facts --activity/--training settle, or None without those options."""
    race = getattr(args, "activity", None)
    training = getattr(args, "training", None) or []
    if race is None and not training:
        return None
    from crampdx.errors import CrampdxError

    if race is None:
        raise CrampdxError("--training needs --activity RACE_FILE: the training is read "
                           "relative to the race's date")
    return facts(race, training)


def facts(race: str, training: list[str]) -> "Derived":
    """api.activity_facts, with a progress line on a terminal while training files are read
    for the first time (a five-year export takes minutes once, then comes from the cache)."""
    import time

    from crampdx import api

    shown = [0.0, False]

    def progress(count: int) -> None:
        now = time.monotonic()
        if now - shown[0] >= 1.0 and sys.stderr.isatty():
            print(f"\rcrampdx: reading training files (once; cached after): {count} read",
                  end="", file=sys.stderr, flush=True)
            shown[0], shown[1] = now, True

    try:
        return api.activity_facts(race, training, progress=progress)
    finally:
        if shown[1]:
            print(file=sys.stderr)


def print_warnings(derived: "Derived | None") -> None:
    if derived is None:
        return
    for warning in dict.fromkeys(derived.warnings):
        print(f"crampdx: warning: {one_line(warning)}", file=sys.stderr)
    derived.warnings.clear()


def one_line(text: str) -> str:
    """Text made safe for one terminal line or a YAML comment: no control characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def answers_from(derived: "Derived", kb: "KnowledgeBase") -> "Answers":
    """The derived facts as checked Answers (each value coerced like a typed answer)."""
    from crampdx.activity.merge import fill
    from crampdx.answers import Answers

    answers = Answers(source=derived.race.file if derived.race else None)
    derived.warnings.extend(fill(answers, derived, kb))
    return answers


def flat_mapping(answers: "Answers", kb: "KnowledgeBase") -> dict[str, Any]:
    """question id -> value, in the knowledge base's order, exactly as an answers file holds
    it (the race date first, as the `date` meta key)."""
    mapping: dict[str, Any] = dict(answers.meta)
    for qid in kb.questions:
        if qid in answers.values:
            value = answers.values[qid]
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # 1500, not 1500.0
            mapping[qid] = list(value) if isinstance(value, tuple) else value
    return mapping


def render_yaml(answers: "Answers", derived: "Derived", kb: "KnowledgeBase") -> str:
    """An answers file with a comment beside each answer naming the file(s) it came from."""
    import json

    race = derived.race.file if derived.race else "?"
    lines = [f"# crampdx import: answers read from {one_line(race)}"
             + (f" and {len(derived.training)} training activities" if derived.training else ""),
             "# Add what only you can tell (where and when it cramped, what you drank and ate),",
             "# change anything the files got wrong, then: crampdx debrief THIS-FILE",
             "# How each answer is worked out: docs/activities.md"]
    for key, value in flat_mapping(answers, kb).items():
        if key in answers.values:
            files = ", ".join(answers.derived[key]["from"][:3]) or "your training files"
            more = len(answers.derived[key]["from"]) - 3
            files += f" and {more} more" if more > 0 else ""
            comment = f"from {files}: {answers.derived[key]['rule']}"
        else:
            comment = f"from {race}"
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}  # {one_line(comment)}")
    return "\n".join(lines) + "\n"


def cmd_import(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from crampdx import api
    from crampdx.cli import emit_output

    fmt = args.format or ("json" if args.output and Path(args.output).suffix.lower() == ".json"
                          else "yaml")
    if args.output and Path(args.output).exists() and not args.force:
        from crampdx.errors import CrampdxError

        raise CrampdxError("exists, and may hold answers you typed: not overwritten; choose "
                           "another name, or add --force to replace it", path=args.output)
    kb = api.knowledge(args.kb)
    derived = facts(args.race, args.training)
    answers = answers_from(derived, kb)
    if fmt == "json":
        text = json.dumps(flat_mapping(answers, kb), indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_yaml(answers, derived, kb)
    print_warnings(derived)
    from crampdx.errors import CrampdxError

    try:
        emit_output(text, args.output, f"{len(answers.values)} answers")
    except CrampdxError as exc:  # nothing derived is lost: the answers go to the screen
        sys.stdout.write(text)
        raise CrampdxError(f"{exc.message}; the answers are printed above instead",
                           path=exc.path) from None
    return 0


def gaps(derived: "Derived", kb: "KnowledgeBase", *given: "Answers | None") -> "Answers":
    """The derived answers that none of the `given` answers (a coach's file, a resumed
    interview) already holds: the runner's answers always win."""
    from crampdx.activity.merge import as_run
    from crampdx.answers import Answers

    known = Answers()  # what the runner said: a race not finished makes the watch's distance
    for other in given:  # the distance covered (merge.as_run)
        for qid, value in (other.values.items() if other is not None else ()):
            known.values.setdefault(qid, value)
    run = as_run(known, derived)
    answers = answers_from(run, kb)
    if run is not derived:  # its warnings (a climb for the part run) are the caller's to show
        derived.warnings[:] = run.warnings
    for other in given:
        if other is None:
            continue
        for qid in [*other.values, *other.declined]:
            answers.values.pop(qid, None)
            answers.derived.pop(qid, None)
        for key in other.meta:
            answers.meta.pop(key, None)
    return answers


def describe(answers: "Answers", kb: "KnowledgeBase") -> list[str]:
    """Lines for the interview: what the files settled, so the runner can correct it."""
    from crampdx.render.common import format_answer

    if not answers.values:
        return []
    lines = [f"{len(answers.values)} answers read from your activity files (not asked; '<' "
             "goes back to them to correct one):"]
    for qid, value in answers.values.items():
        files = answers.derived.get(qid, {}).get("from", [])
        origin = f"  ({one_line(files[0])}{' and more' if len(files) > 1 else ''})" \
            if files else ""
        lines.append(f"  {format_answer(kb, qid, value)}{origin}")
    return lines
