"""`crampdx kb ...`: knowledge-authoring commands. Standard-library imports only here.

check, test, list, schema, docs and graph each call one library function and print what it
returns; problems print one per line as `path:line:column: message`, so editors and CI can jump
to them. Exit status: 0 clean, 1 problems found or cases failed, 2 files could not be read.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    from crampdx.errors import CrampdxError
    from crampdx.knowledge.loader import LoadResult

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2
MAX_PER_FILE = 50
KINDS = ("sections", "questions", "findings", "causes", "rules", "remedies", "notices",
         "sources", "cases", "plans", "conditions")
# KINDS is kept in step with knowledge/schema.py by a test

EPILOG = """\
examples:
  crampdx kb check                       check the shipped knowledge
  crampdx kb check --kb my-kb            check my-kb/ on top of it
  crampdx kb test --kb my-kb             run every case, mine included
  crampdx kb list --kb my-kb --kind rules
  crampdx kb schema > my-kb/knowledge.schema.json
  crampdx kb docs --output docs/knowledge.md
  crampdx kb graph --cause hyponatremia

exit status: 0 clean, 1 problems found or cases failed, 2 files could not be read
"""


def add_parser(commands: Any, add_kb_option: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = commands.add_parser(
        "kb", help="check, test and document the knowledge base",
        description="Knowledge-authoring tools: validate the YAML under knowledge/ (and your "
                    "own --kb directories on top of it), run its cases, and generate its "
                    "reference. See docs/authoring.md.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=run, kb_parser=parser)
    sub = parser.add_subparsers(dest="kb_command", metavar="SUBCOMMAND")

    check = sub.add_parser(
        "check", help="validate every knowledge file; problems as path:line:column: message",
        description="Validate the knowledge: schema, ids and references in every file, then "
                    "the network as a whole (rules that can never fire, causes no rule reaches, "
                    "unused findings and questions, rules without cases). Exit 0 when clean, "
                    "1 when anything is wrong, 2 when files cannot be read.")
    add_kb_option(check)

    test = sub.add_parser(
        "test", help="run the cases: answers -> expected causes, triage and rules",
        description="Run every case (the 'cases:' items under the knowledge directories) "
                    "through the engine, report each failing one with the causes it got, "
                    "and the rule coverage. Exit 0 when all pass, 1 otherwise.")
    test.add_argument("cases", nargs="*", metavar="CASE", help="run only these case ids")
    test.add_argument("--verbose", "-v", action="store_true", help="list passing cases too")
    add_kb_option(test)

    validation = sub.add_parser(
        "validation", help="write the recall figures and the published cases as Markdown",
        description="Run every case and write how many emergencies are triaged emergency, "
                    "how many published EAH cases rank low blood sodium first, and each "
                    "published case's result; docs/validation.md is made by it.")
    validation.add_argument("--output", "-o", metavar="PATH", help="write to PATH, not the screen")
    add_kb_option(validation)

    listing = sub.add_parser(
        "list", help="show what is loaded, from which file, and what overrides what",
        description="List the knowledge directories in the order they stack, then every item "
                    "with the file and line it comes from and the item it overrides.")
    listing.add_argument("--kind", choices=KINDS, help="only this kind of item")
    add_kb_option(listing)

    schema = sub.add_parser(
        "schema", help="print the JSON Schema of knowledge files, for editors",
        description="Print the JSON Schema (draft-07) of a knowledge file, or of a file "
                    "holding one KIND. Editors that run yaml-language-server validate and "
                    "complete while you type when a file starts with "
                    "'# yaml-language-server: $schema=PATH'.")
    schema.add_argument("kind", nargs="?", choices=KINDS, metavar="KIND",
                        help=f"one of: {', '.join(KINDS)}")
    schema.add_argument("--output-dir", metavar="DIR",
                        help="write knowledge.schema.json and one KIND.schema.json per kind")

    docs = sub.add_parser(
        "docs", help="write the knowledge reference as Markdown",
        description="Write the knowledge reference (questions, findings, causes, rules with "
                    "their sources, remedies) as Markdown; docs/knowledge.md is made by it.")
    docs.add_argument("--output", "-o", metavar="PATH", help="write to PATH, not the screen")
    add_kb_option(docs)

    graph = sub.add_parser(
        "graph", help="print the question -> finding -> cause network as Mermaid",
        description="Print the network of questions, findings, causes and red flags as a "
                    "Mermaid flowchart (GitHub and many editors render it).")
    graph.add_argument("--cause", metavar="ID", help="only what can lead to this cause")
    add_kb_option(graph)


def run(args: argparse.Namespace) -> int:
    handlers = {"check": _check, "test": _test, "list": _list, "schema": _schema,
                "docs": _docs, "graph": _graph, "validation": _validation}
    if args.kb_command is None:
        args.kb_parser.print_help()
        return EXIT_OK
    return handlers[args.kb_command](args)


# -- helpers --------------------------------------------------------------------------------

def _dirs(args: argparse.Namespace) -> list[Path]:
    from crampdx.knowledge.locate import default_knowledge_dirs

    return default_knowledge_dirs(getattr(args, "kb", []))


def _shown_path(path: str | None) -> str | None:
    """Paths relative to the working directory when inside it: short, and clickable."""
    from crampdx.textsafe import one_line

    if path is None:
        return None
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return one_line(path)
    return one_line(path if relative.startswith("..") else relative)


def _format(problem: "CrampdxError") -> str:
    from crampdx.errors import CrampdxError

    shown = CrampdxError(problem.message, path=_shown_path(problem.path), line=problem.line,
                         column=problem.column)
    return " ".join(str(shown).split())


def _sorted(problems: Iterable["CrampdxError"]) -> list["CrampdxError"]:
    return sorted(problems, key=lambda p: (p.path or "", p.line or 0, p.column or 0))


def _status(problems: list["CrampdxError"]) -> int:
    from crampdx.knowledge.loader import UnreadableError

    if any(isinstance(problem, UnreadableError) for problem in problems):
        return EXIT_UNREADABLE
    return EXIT_PROBLEMS if problems else EXIT_OK


def _print_problems(problems: list["CrampdxError"]) -> None:
    """One line each, at most MAX_PER_FILE per file: a file with thousands of problems is one
    broken file, and its first problems are the ones to fix."""
    shown: dict[str | None, int] = {}
    for problem in _sorted(problems):
        count = shown[problem.path] = shown.get(problem.path, 0) + 1
        if count <= MAX_PER_FILE:
            print(_format(problem))
    for path, count in shown.items():
        if count > MAX_PER_FILE:
            print(f"{_shown_path(path)}: {count - MAX_PER_FILE} more problems in this file not "
                  "shown; fix the ones above first")


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _load(args: argparse.Namespace) -> "LoadResult":
    from crampdx.knowledge.loader import read_knowledge

    return read_knowledge(_dirs(args))


def _load_clean(args: argparse.Namespace) -> "tuple[LoadResult | None, int]":
    """The knowledge, or (None, status) after printing why it could not be loaded."""
    result = _load(args)
    if result.problems:
        _print_problems(result.problems)
        print(f"crampdx: the knowledge has {_plural(len(result.problems), 'problem')}; "
              "fix them first ('crampdx kb check' lists them)", file=sys.stderr)
        return None, _status(result.problems)
    return result, EXIT_OK


def _checked_target(path: str | None) -> str | None:
    """An output file's folder must exist: said plainly, before anything is written."""
    from crampdx.errors import CrampdxError

    if path and path != "-" and not Path(path).parent.is_dir():
        raise CrampdxError("no such directory", path=Path(path).parent)
    return path


def _write(path: str, text: str) -> None:
    from crampdx.safeio import write_atomic

    write_atomic(Path(_checked_target(path) or path), text, doing="write")


# -- commands -------------------------------------------------------------------------------

def _check(args: argparse.Namespace) -> int:
    from crampdx.knowledge.lint import lint

    result = _load(args)
    problems = list(result.problems) + lint(result)
    _print_problems(problems)
    kb = result.kb
    if problems:
        files = {p.path for p in problems if p.path}
        print(f"crampdx: {_plural(len(problems), 'problem')} in {_plural(len(files), 'file')}",
              file=sys.stderr)
    else:
        print(f"crampdx: knowledge is clean: {_plural(len(result.files), 'file')} in "
              f"{_plural(len(kb.dirs), 'directory', 'directories')}; "
              f"{_plural(len(kb.questions), 'question')}, {_plural(len(kb.rules), 'rule')}, "
              f"{_plural(len(kb.causes), 'cause')}, {_plural(len(result.cases), 'case')}",
              file=sys.stderr)
    return _status(problems)


def _test(args: argparse.Namespace) -> int:
    from crampdx.errors import CrampdxError
    from crampdx.casework import ranked_text, run_cases

    result, status = _load_clean(args)
    if result is None:
        return status
    unknown = [case for case in args.cases if case not in result.cases]
    if unknown:
        from crampdx.errors import did_you_mean

        raise CrampdxError(f"no case '{unknown[0]}'{did_you_mean(unknown[0], result.cases)}; "
                           "'crampdx kb list --kind cases' lists them")
    if not result.cases:
        print("crampdx: no cases to run; add some under cases/ (see docs/authoring.md)",
              file=sys.stderr)
        return EXIT_PROBLEMS
    from crampdx.engine import Reasoner

    try:
        reasoner = Reasoner(result.kb)
    except CrampdxError as exc:
        print(_format(exc))
        return EXIT_PROBLEMS
    report = run_cases(reasoner, result.cases, only=args.cases or None)
    for outcome in report.outcomes:
        raw = result.raw["cases"][outcome.case.id]
        line, column = raw.data.position_of("id")
        where = f"{_shown_path(raw.origin.path)}:{line}:{column}"
        if outcome.passed:
            if args.verbose:
                print(f"ok    {outcome.case.id}")
            continue
        for failure in outcome.failures:
            print(" ".join(f"{where}: case '{outcome.case.id}': {failure}".split()))
        got = f"    got: {ranked_text(outcome, limit=20 if args.verbose else 6)}"
        if outcome.ruled_out:
            got += "; against: " + ", ".join(f"{cause} {certainty:.2f}"
                                             for cause, certainty in outcome.ruled_out)
        print(f"{got}; triage {outcome.triage}")
    failed = len(report.failed)
    total = len(report.outcomes)
    print(f"{_plural(total, 'case')}: {total - failed} passed, {failed} failed")
    coverage = report.coverage
    if not args.cases:
        rules = len(coverage.rules)
        for which, label in (("fires", "to fire"), ("not_fires", "not to fire")):
            missing = coverage.missing(which)
            proven = rules - len(missing)
            percent = f" ({100 * proven / rules:.0f}%)" if rules else ""
            line_ = f"rules proven {label}: {proven} of {rules}{percent}"
            if missing:
                line_ += ": missing " + ", ".join(missing[:10]) + (
                    f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            print(line_)
        never = [rule for rule in coverage.rules if rule not in coverage.fired_somewhere]
        if never:
            print("rules that fired in no case: " + ", ".join(never))
        from crampdx.validation import recall

        for line_ in recall(report).lines():
            print(f"recall: {line_}")
    return EXIT_PROBLEMS if failed else EXIT_OK


def _validation(args: argparse.Namespace) -> int:
    from crampdx.engine import Reasoner
    from crampdx.casework import run_cases
    from crampdx.validation import markdown

    result, status = _load_clean(args)
    if result is None:
        return status
    from crampdx.cli import emit_output

    emit_output(markdown(run_cases(Reasoner(result.kb), result.cases)),
                _checked_target(args.output), "validation")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    result = _load(args)
    dirs = result.kb.dirs
    env = [part for part in os.environ.get("CRAMPDX_KB", "").split(os.pathsep) if part.strip()]
    print("knowledge directories, in the order they stack (later ones add and override):")
    for index, directory in enumerate(dirs):
        label = "shipped" if index == 0 else "CRAMPDX_KB" if index <= len(env) else "--kb"
        count = sum(1 for f in result.files if Path(directory) in f.parents)
        print(f"  {index + 1}. {_shown_path(directory)} ({label}, {_plural(count, 'file')})")
    for kind, items in result.raw.items():
        if args.kind and kind != args.kind or not items:
            continue
        print(f"\n{kind} ({len(items)})")
        width = min(40, max(len(item_id) for item_id in items))
        for item_id, raw in items.items():
            where = f"{_shown_path(raw.origin.path)}:{raw.origin.line}"
            text = f"  {item_id:<{width}}  {where}"
            if raw.overrides:
                before = raw.overrides[-1]
                text += f"  overrides {_shown_path(before.path)}:{before.line}"
            print(text)
    if result.problems:
        print(f"crampdx: the knowledge has {_plural(len(result.problems), 'problem')}; "
              "'crampdx kb check' lists them", file=sys.stderr)
    return _status(result.problems)


def _schema(args: argparse.Namespace) -> int:
    from crampdx.knowledge.reference import json_schema_text, schema_files

    if args.output_dir:
        from crampdx.errors import CrampdxError

        directory = Path(args.output_dir)
        if not directory.is_dir():
            raise CrampdxError("no such directory", path=directory)
        for name, text in schema_files().items():
            _write(str(directory / name), text)
        print(f"crampdx: wrote {len(schema_files())} schema files to "
              f"{_shown_path(str(directory))}",
              file=sys.stderr)
        return EXIT_OK
    sys.stdout.write(json_schema_text(args.kind))
    return EXIT_OK


def _docs(args: argparse.Namespace) -> int:
    from crampdx.knowledge.reference import markdown

    result, status = _load_clean(args)
    if result is None:
        return status
    from crampdx.cli import emit_output

    emit_output(markdown(result.kb, case_count=len(result.cases)), _checked_target(args.output),
                "knowledge reference")
    return EXIT_OK


def _graph(args: argparse.Namespace) -> int:
    from crampdx.errors import CrampdxError, did_you_mean
    from crampdx.knowledge.reference import mermaid

    result, status = _load_clean(args)
    if result is None:
        return status
    if args.cause and args.cause not in result.kb.causes:
        raise CrampdxError(f"no cause '{args.cause}'"
                           f"{did_you_mean(args.cause, result.kb.causes)}; "
                           "'crampdx kb list --kind causes' lists them")
    sys.stdout.write(mermaid(result.kb, cause=args.cause))
    return EXIT_OK
