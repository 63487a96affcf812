"""The command line: parse arguments, call the library, print, and map CrampdxError to exit 2.

Start-up stays lean: this module imports only the standard library; each command imports what
it needs (experta, rich, questionary) when it runs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from crampdx import __version__
from crampdx.errors import EXIT_USAGE, CrampdxError
from crampdx.render import FORMATS

if TYPE_CHECKING:
    from crampdx.engine import Reasoner

EXAMPLES = """\
Plain `crampdx`, with no command, in a terminal, starts the guided interview.

examples:
  crampdx                                    the interview: questions, then the report
  crampdx interview --save my-race.yaml      the same, saving the answers where you say
  crampdx debrief examples/seed-150k-mountain.yaml
  crampdx debrief answers.yaml --format markdown --output debrief.md
  crampdx debrief answers.yaml --format json | jq '.causes[0]'
  crampdx debrief answers.yaml --record      keep it in your history ('crampdx history')
  crampdx debrief team/*.yaml --summary      one table for a squad
  crampdx questions -f yaml > answers.yaml   a blank answers file to fill in
  crampdx kb check --kb my-knowledge/        check your own knowledge additions
  crampdx kb test                            run the knowledge base's regression cases
  crampdx import race.fit --training export.zip -o answers.yaml   answers from your watch
"""

FORMAT_BY_SUFFIX = {".json": "json", ".md": "markdown", ".markdown": "markdown",
                    ".html": "html", ".htm": "html"}


def _add_kb_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kb", metavar="DIR", action="append", default=[],
                        help="an extra knowledge directory on top of the shipped one "
                             "(repeatable; also CRAMPDX_KB)")


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """The report options, shared by debrief and the interview (which passes them on)."""
    parser.add_argument("--format", "-f", choices=(*FORMATS, "csv"), metavar="FORMAT",
                        help="terminal, markdown, json, html or csv: the report format "
                             "(default: terminal, or from --output's suffix); html is one "
                             "printable page that needs no network; csv only with --summary")
    parser.add_argument("--weeks", metavar="N",
                        help="weeks to your next race: the plan is sized to them "
                             "(default: a 12-week preparation)")
    parser.add_argument("--next-race", metavar="FILE",
                        help="size the plan for this race instead of a race like the last "
                             "one: a YAML/JSON file with its distance, duration, ground, "
                             "climb, descent and temperature (the race questions)")
    parser.add_argument("--output", "-o", metavar="PATH",
                        help="write the report to PATH instead of the screen")
    from crampdx import cli_history

    cli_history.add_report_options(parser)  # --record, --db, --units
    parser.add_argument("--explain", action="store_true",
                        help="the expert's view: add rule ids, certainty factors and how they "
                             "combine (JSON always has them)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; given the `command` about to run, the other command groups are left
    as empty stubs (their modules are not even imported), so start-up pays only for its own."""
    from crampdx.cli_help import Parser, wrap_all

    parser = Parser(
        prog="crampdx",
        description="Works out why you cramped in a race or a run, how sure it is and why, "
                    "flags anything that needs a doctor, and says what to change.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"crampdx {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    debrief = commands.add_parser(
        "debrief", help="diagnose from an answers file (YAML or JSON)",
        description="Diagnose why you cramped from an answers file: a YAML or JSON mapping of "
                    "question id -> answer ('crampdx questions' lists them). Numbers may carry "
                    "units: \"28 mi\", \"84 F\", \"1.2 l/h\", \"3 lb\". Unanswered questions "
                    "count as unknown, never as no.",
        epilog="examples:\n  crampdx debrief examples/seed-150k-mountain.yaml\n"
               "  crampdx debrief answers.yaml --format json --output debrief.json\n"
               "  crampdx debrief answers.yaml --weeks 16 --next-race trail-50k.yaml "
               "-o plan.html\n"
               "  crampdx debrief athletes/*.yaml --format markdown --output team.md\n\n"
               "a next-race file answers the race questions only, e.g.:\n"
               "  event: Trail 50\n  event_distance_km: 50\n  elevation_loss_m: 2500\n"
               "  biggest_race_descent_m: 900\n  temperature_c: 28",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    debrief.add_argument("answers", nargs="+", metavar="ANSWERS",
                         help="answers file(s); several files give one report each")
    add_report_options(debrief)
    _add_kb_option(debrief)

    questions = commands.add_parser(
        "questions", help="list the questions an answers file may answer",
        description="List every question id with its type, unit and choices.",
        epilog="examples:\n  crampdx questions\n"
               "  crampdx questions -f yaml > answers.yaml   a blank answers file to fill in, "
               "then: crampdx debrief answers.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    questions.add_argument("--format", "-f", choices=("terminal", "yaml"), default="terminal",
                           help="'yaml' prints a blank answers file to fill in")
    _add_kb_option(questions)
    questions.set_defaults(handler=cmd_questions)
    debrief.set_defaults(handler=cmd_debrief)

    # Each extra command group lives in its own module, imported here with the standard library
    # only; the module's handler imports what it needs when it runs.
    if command in (None, "interview") or command not in COMMANDS:
        from crampdx import cli_interview

        cli_interview.add_parser(commands, _add_kb_option, add_report_options)
    else:
        commands.add_parser("interview")  # a stub: another command runs
    if command in (None, "kb") or command not in COMMANDS:
        from crampdx import cli_kb

        cli_kb.add_parser(commands, _add_kb_option)
    else:
        commands.add_parser("kb")
    from crampdx import cli_history  # debrief's --record and --summary live there too

    if command in (None, "history") or command not in COMMANDS:
        cli_history.add_parser(commands, _add_kb_option)
    else:
        commands.add_parser("history")
    cli_history.add_summary_option(debrief)
    from crampdx import cli_activity  # debrief's and the interview's activity options too

    if command in (None, "import") or command not in COMMANDS:
        cli_activity.add_parser(commands, _add_kb_option)
    else:
        commands.add_parser("import")
    for name in ("debrief", "interview"):
        cli_activity.add_activity_options(commands.choices[name])
    wrap_all(parser)  # help wrapped to the terminal, examples kept as written
    return parser


COMMANDS = ("debrief", "questions", "interview", "kb", "history", "import")


def _command_of(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the top level has no option taking a value)."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word
    return None


def _help_for(argv: Sequence[str]) -> str:
    """Whose --help an argument error points to: 'crampdx history', 'crampdx kb check' (an
    unknown option is reported by the top-level parser, which would say 'crampdx')."""
    command = _command_of(argv)
    if command not in COMMANDS:
        return "crampdx"
    rest = list(argv)[list(argv).index(command) + 1:]
    words = [w for w in rest[:1] if w.isalpha() and w.islower()]
    return " ".join(["crampdx", command, *(words if command in ("kb", "history") else [])])


def emit_output(text: str, output: str | None, what: str = "report") -> None:
    """Every command's output: standard output, or with `-o FILE` an atomic write (a failure
    never leaves half a file behind) and one line on stderr saying where; `-` is standard
    output, as users expect."""
    if not output or output == "-":
        sys.stdout.write(text)
        return
    from crampdx.safeio import write_atomic
    from crampdx.textsafe import one_line

    write_atomic(output, text, doing=f"write the {what}")
    print(f"crampdx: {what} written to {one_line(str(output))}", file=sys.stderr)


def cmd_debrief(args: argparse.Namespace) -> int:
    from crampdx import api

    if args.output == "-":  # the usual spelling of "standard output"
        args.output = None
    fmt = args.format or (FORMAT_BY_SUFFIX.get(Path(args.output).suffix.lower(), "terminal")
                          if args.output else "terminal")
    weeks = weeks_argument(args.weeks)
    compiled = reasoner_for_run(args.kb)
    next_race = api.load_next_race(args.next_race, args.kb) if args.next_race else None
    from crampdx import cli_activity

    if getattr(args, "activity", None) and len(args.answers) > 1:
        raise CrampdxError("--activity reads one runner's race: give one answers file with it")
    derived = cli_activity.derive_from_args(args)
    # A coach's group: a bad file is reported and skipped, the others still get their reports,
    # and the exit status says that something was wrong.
    diagnoses, paths, failed = [], [], 0
    for path in args.answers:
        try:
            diagnoses.append(api.diagnose_file(path, args.kb, weeks=weeks, next_race=next_race,
                                               derived=derived))
            paths.append(path)
        except CrampdxError as exc:
            if len(args.answers) == 1:
                raise
            for line in exc.lines():
                print(f"crampdx: error: {line}", file=sys.stderr)
            failed += 1
    cli_activity.print_warnings(derived)
    from crampdx.textsafe import one_line as _line

    for diagnosis, path in zip(diagnoses, paths):
        if not diagnosis.answers.values:  # still a report (unknown is allowed), but say so
            print(f"crampdx: warning: no answers in {_line(path)}: the report can only list "
                  "what to ask", file=sys.stderr)
    if not diagnoses:
        return EXIT_USAGE
    status = EXIT_USAGE if failed else 0
    kb = compiled.kb
    from crampdx import cli_history

    if args.summary:
        return max(status, cli_history.squad_summary(args, fmt, diagnoses, paths, kb))
    extras = cli_history.debrief_extras(args, kb, paths, diagnoses)  # --record, --units
    if fmt == "html":
        from crampdx.render import html

        text = extras.html(html.render(diagnoses, kb, explain=args.explain))
    elif fmt == "json":
        from crampdx.render.json import to_dict
        from crampdx.textsafe import json_text

        documents = [extras.json(i, dict(to_dict(d, kb), file=str(path)))
                     for i, (d, path) in enumerate(zip(diagnoses, paths))]
        payload = documents[0] if len(args.answers) == 1 else documents
        text = json_text(payload) + "\n"
    elif fmt == "markdown":
        from crampdx.render import markdown

        text = "\n---\n\n".join(extras.text(i, fmt, markdown.render(d, kb, explain=args.explain))
                                 for i, d in enumerate(diagnoses))
    else:
        from crampdx.render import terminal
        from crampdx.textsafe import one_line

        if args.output is None:
            for index, diagnosis in enumerate(diagnoses):
                if len(args.answers) > 1:
                    print(("\n" if index else "") + f"== {one_line(paths[index])} ==")
                if extras.active:
                    extras.terminal(index, diagnosis, sys.stdout, explain=args.explain)
                else:
                    terminal.render(diagnosis, kb, sys.stdout, explain=args.explain)
            return status
        text = "\n\n".join(extras.text(i, fmt, terminal.render(d, kb, explain=args.explain,
                                                               convert=extras.convert(i)))
                             for i, d in enumerate(diagnoses))
    emit_output(text, args.output)
    return status


def reasoner_for_run(kb_dirs: list[str]) -> "Reasoner":
    """The compiled knowledge for a command that keeps it until the process ends. The cyclic
    collector is off while it is loaded and built (tens of thousands of objects, none garbage),
    then they are moved out of its sight (gc.freeze), so neither the next allocation nor a team
    of reports rescans them."""
    import gc

    from crampdx import api

    enabled = gc.isenabled()
    gc.disable()
    try:
        return api.reasoner(kb_dirs)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def weeks_argument(value: str | None) -> int | None:
    """--weeks as a whole number; its range is the knowledge base's (checked by the plan)."""
    if value is None:
        return None
    text = value.strip()
    # int() would also take "5_0" (50) and "٣" (3): only plain digits are a number of weeks
    if not re.fullmatch(r"[-+]?[0-9]{1,6}", text):
        from crampdx.textsafe import excerpt

        raise CrampdxError(f"--weeks takes a whole number of weeks to your next race, not "
                           f"'{excerpt(value)}'")
    return int(text)


def cmd_questions(args: argparse.Namespace) -> int:
    from crampdx import api

    kb = api.knowledge(args.kb)
    if args.format == "yaml":
        print("# crampdx answers: fill in what you know, delete or leave empty what you don't.")
        print("# Units may be given: 26.2 mi, 80 F, 1.2 l/h, 0.5 g, 3 lb; times as 3:54 or 3:54:30")
        print("# Then: crampdx debrief THIS-FILE\n")
        print("athlete:\nevent:")
        section = None
        for question in kb.questions.values():
            if question.section != section:
                section = question.section
                print(f"\n{_comment(f'--- {kb.sections[section].title} ---')}")
            hint = question.unit or (" | ".join(question.choices) if question.choices
                                     else "yes/no" if question.type == "bool"
                                     else "whole number" if question.type == "number"
                                     else "number")
            if question.type == "multi":
                hint = "list of: " + hint + "; [] for none"
            # every line of the question commented: a line break in an overlay's text must
            # not turn its second line into a key
            print(f"{_comment(f'{question.ask} ({hint})')}\n{question.id}:")
        return 0
    from rich.console import Console
    from rich.table import Table

    from rich.text import Text

    from crampdx.render.terminal import MIN_WIDTH
    from crampdx.textsafe import terminal

    table = Table("id", "type", "unit / choices", "question", show_lines=False, box=None)
    for question in kb.questions.values():
        detail = question.unit or ", ".join(question.choices)
        if question.range:
            detail += f" [{question.range[0]:g}..{question.range[1]:g}]"
        # Text, never a str: a table parses a str as rich markup ("[/]" would crash it)
        table.add_row(question.id, question.type, Text(detail), Text(terminal(question.ask)))
    console = Console()
    console.width = max(MIN_WIDTH, console.width)
    console.print(table)
    return 0


def _comment(text: str) -> str:
    """Text as YAML comment lines, however many lines it has."""
    from crampdx.textsafe import terminal

    return "\n".join(f"# {line}" for line in terminal(text).splitlines() or [""])


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words == ["--version"]:  # the one answer that needs no parser at all
        print(f"crampdx {__version__}")
        return 0
    parser = build_parser(_command_of(words))
    parser.help_for = _help_for(words)  # type: ignore[attr-defined]
    args = parser.parse_args(words)
    if args.command is None:
        if not sys.stdin.isatty():
            parser.print_help()
            return 0
        # A runner who just types `crampdx` at a terminal gets the interview.
        args = build_parser("interview").parse_args([*words, "interview"])
    status = _run(args)
    if argv is None and getattr(args, "handler", None) is cmd_debrief:
        _exit_now(status)
    return status


def _exit_now(status: int) -> None:
    """Leave without tearing down what the run built (at thousands of rules, freeing the engine
    object by object takes longer than the debrief): the report is complete and flushed, and
    debrief holds no other resource. Only for the program itself, never for a caller of main()."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader left (`| head`): nothing more to say to it
    except OSError:
        return  # let the normal exit report it
    os._exit(status)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.handler(args)
    except CrampdxError as exc:
        for line in exc.lines():  # every problem in an answers file, one line each
            print(f"crampdx: error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\ncrampdx: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
