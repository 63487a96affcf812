"""`crampdx interview`: the guided interview in a terminal, then the same report `debrief` prints.

The flow (which question, why, back, skip, red flags) lives in `crampdx.interview`; this module
puts its steps to the runner with questionary, saves the answers (atomically, also on Ctrl-C)
and hands the saved file to `debrief`, so the report is exactly what `crampdx debrief FILE`
prints. Standard-library imports only at the top: `crampdx --version` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import signal
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from crampdx.engine import Evidence
    from crampdx.interview import Given, Interview, Reply, Step, Why
    from crampdx.knowledge.model import KnowledgeBase

DEFAULT_NAME = "crampdx-answers-{:%Y%m%d-%H%M}.yaml"
EPILOG = """\
keys: arrows and Enter choose; Space ticks; y / n answer a yes-no question at once; d is don't
know on any menu; '?' says why a question is asked; '<' goes back (in a number prompt too,
without Enter); every question has "Don't know" (a number: press Enter on an empty line). Ctrl-C (or Ctrl-D)
saves your answers so far; --resume continues them, or changes an answer once finished.

examples:
  crampdx                                   (no command, in a terminal: the interview)
  crampdx interview --save my-race.yaml
  crampdx interview --resume crampdx-answers-20250601-1412.yaml
  crampdx interview --answers coach-filled.yaml --format markdown --output debrief.md
  crampdx interview --record                (keep it in your history: 'crampdx history')
"""

# Values of the extra menu entries: not snake_case, so they never clash with a choice id.
_SKIP, _BACK, _HELP = "<skip>", "<back>", "<help>"
_NONE = "<none>"  # a checklist's explicit "None of these": never read from a bare Enter
_INVALID = "<invalid>"  # a checklist ended on nothing ticked: asked again
_ASK_AGAIN = object()  # _multi_once's answer when the checklist is to be asked again
NONE_LABEL = "None of these"
NOTHING_TICKED = ("Nothing ticked: tick 'None of these' if none happened, or press ? for why, "
                  "d for don't know")
NONE_AND_TICKS = "'None of these' and a tick: untick one of them"
UNIT_HINTS = {"km": "km or mi", "h": "hours, h:mm or h:mm:ss", "m": "metres or ft",
              "°C": "°C or °F",
              "ml/h": "ml/h, l/h or oz/h", "mg/h": "mg/h or g/h (0.5 g)", "g/h": "g/h",
              "kg": "kg or lb"}
TRIAGE_WORDS = {"emergency": "emergency red flags", "see_doctor": "reasons to see a doctor"}


def add_parser(commands: Any, add_kb_option: Callable[[argparse.ArgumentParser], None],
               add_report_options: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = commands.add_parser(
        "interview", help="answer a guided interview, then see the report",
        description="Walks you through the questions after a race (warning signs first), then "
                    "prints the same report as 'crampdx debrief' and saves your answers.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", metavar="PATH",
                        help="save the answers here (default: crampdx-answers-YYYYMMDD-HHMM.yaml "
                             "in the current directory; with --resume, the resumed file)")
    parser.add_argument("--resume", metavar="PATH",
                        help="continue an interview saved earlier (by Ctrl-C), or change an "
                             "answer in a finished one")
    parser.add_argument("--answers", metavar="PATH",
                        help="pre-fill answers from a file (e.g. what a coach already knows); "
                             "only the rest is asked")
    add_report_options(parser)  # debrief's, passed on to it
    add_kb_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Interview, save, report. Ctrl-C saves the answers so far and says how to resume."""
    from crampdx.errors import CrampdxError

    if not sys.stdin.isatty():
        raise CrampdxError("the interview needs a terminal to ask its questions; for answers in "
                           "a file, run 'crampdx debrief FILE'")
    from crampdx.answers import load_answers
    from crampdx.cli import reasoner_for_run

    compiled = reasoner_for_run(args.kb)
    kb = compiled.kb
    report = _report_arguments(args, kb)  # checked now, not after twenty questions
    prefilled = load_answers(Path(args.answers), kb) if args.answers else None
    resumed, skipped = load_progress(Path(args.resume), kb) if args.resume else (None, [])
    save_path = choose_save_path(args.save, args.resume)
    with AnswersLock(save_path):
        return _interview(args, compiled, report, prefilled, resumed, skipped, save_path)


def _interview(args: argparse.Namespace, compiled: Any, report: argparse.Namespace,
               prefilled: Any, resumed: Any, skipped: list[str], save_path: Path) -> int:
    """The questions (saving after every answer), then the report; the save file is locked."""
    from rich.console import Console

    from crampdx import interview as flow_module
    from crampdx.errors import CrampdxError

    from crampdx import cli_activity
    from crampdx.textsafe import one_line

    kb = compiled.kb
    derived = cli_activity.derive_from_args(args)  # a bad race file stops here, before asking
    files = _activity(args)
    watch = cli_activity.gaps(derived, kb, prefilled, resumed) if derived else None
    cli_activity.print_warnings(derived)
    # Saving into the resumed file keeps its comments (only the answers are rewritten).
    original = _read_original(save_path) if args.resume else None
    flow = flow_module.Interview(compiled, prefilled=prefilled, resumed=resumed, skipped=skipped,
                                 derived=watch)
    if watch is not None:
        flow.activity_options = _activity_options(files)  # type: ignore[attr-defined]

    ui, output = _ui_streams()
    console = Console(file=ui, highlight=False, markup=False)
    asker = QuestionaryAsker(kb, console, output=output)
    asker.intro(flow, prefilled_from=args.answers, resumed_from=args.resume)
    for line in cli_activity.describe(watch, kb) if watch else ():
        console.print(line, soft_wrap=True)

    def save(complete: bool) -> None:
        save_or_show(save_path, flow, console, complete=complete, kb_dirs=args.kb,
                     original=original)

    previous = _stop_on_signals()
    try:
        if args.record:  # the history files a debrief under athlete, event and race date
            from crampdx.cli_history import ask_record_details

            ask_record_details(flow, asker)
        outcome = flow_module.run(flow, asker, on_answer=lambda: save(False))
    except (KeyboardInterrupt, EOFError) as exc:  # Ctrl-C; Ctrl-D; SIGTERM; SIGHUP
        _ignore_signals()  # a second signal must not cut the save or the message short
        save(False)
        status = 128 + exc.signum if isinstance(exc, Stopped) else 130
        try:
            console.print()
            what = f"Stopped ({exc.name})" if isinstance(exc, Stopped) else "Interrupted"
            console.print(one_line(f"{what}. Your answers so far are saved in {save_path}"),
                          soft_wrap=True)
            resume = _command("interview --resume", save_path, args.kb, files)
            console.print(one_line(f"Continue with: {resume}"), soft_wrap=True)
        except OSError:  # the terminal is gone (SIGHUP); the answers are on disk
            pass
        return status
    finally:
        _restore_signals(previous)
    save(True)
    asker.summary(flow, stopped=outcome.stopped_at_emergency, prefilled_from=args.answers)

    sys.stdout.flush()
    report.answers = [str(save_path)]
    try:
        status = report.handler(report)
    except CrampdxError as exc:  # e.g. the report's directory went away meanwhile
        raise CrampdxError(
            f"{exc}; your answers are saved in {save_path}; for the report, run "
            f"{_command('debrief', save_path, args.kb, files)}", exit_code=exc.exit_code) from None
    console.print()
    console.print(one_line(f"Your answers are saved in {save_path}"), soft_wrap=True)
    again = _command("debrief", save_path, args.kb, files)
    console.print(one_line(f"See this report again: {again}"), soft_wrap=True)
    return status


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a closed terminal), handled like Ctrl-C: save, say so, exit."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                      if hasattr(signal, name))


def _raise_stopped(signum: int, _frame: Any) -> None:
    raise Stopped(signum)


def _stop_on_signals() -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _raise_stopped) for signum in _STOP_SIGNALS}


def _ignore_signals() -> None:
    if threading.current_thread() is threading.main_thread():
        for signum in _STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


def _restore_signals(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


class AnswersLock:
    """One interview per answers file: two would each save their own answers over the
    other's. An advisory lock (flock) on a hidden file beside it; the kernel drops it if the
    process dies, so a crash never leaves a stale lock. No-op where flock does not exist."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(f".{path.name}.lock")
        self.descriptor: int | None = None

    def __enter__(self) -> "AnswersLock":
        from crampdx.errors import CrampdxError

        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return self
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) \
            | getattr(os, "O_CLOEXEC", 0)
        for _attempt in range(5):
            try:
                descriptor = os.open(self.lock_path, flags, 0o600)
            except OSError as exc:
                raise CrampdxError(f"cannot lock the answers file: {exc.strerror or exc}",
                                   path=self.lock_path) from None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(descriptor)
                raise CrampdxError(
                    "another crampdx interview is saving its answers to this file; finish or "
                    "stop that one first, or save this one with --save OTHER-FILE",
                    path=self.path) from None
            try:  # the lock file may have been removed by its last holder meanwhile
                same = os.path.samestat(os.fstat(descriptor), os.stat(self.lock_path))
            except OSError:
                same = False
            if same:
                self.descriptor = descriptor
                return self
            os.close(descriptor)
        raise CrampdxError("cannot lock the answers file", path=self.lock_path)

    def __exit__(self, *_exc: Any) -> None:
        if self.descriptor is not None:
            try:
                os.unlink(self.lock_path)
            except OSError:
                pass
            os.close(self.descriptor)
            self.descriptor = None


def _read_original(path: Path) -> str | None:
    """The text of the file being resumed, for its comments; None if there is none."""
    from crampdx.errors import CrampdxError
    from crampdx.yamlio import MAX_FILE_BYTES, read_text

    try:
        return read_text(path, what="answers file", max_bytes=MAX_FILE_BYTES)
    except CrampdxError:
        return None


def _command(verb: str, path: Path, kb_dirs: list[str],
             activity: tuple[str | None, list[str]] = (None, [])) -> str:
    """A command line the runner can paste: quoted path, and the same --kb directories (and
    activity files)."""
    import shlex

    extra = "".join(f" --kb {shlex.quote(d)}" for d in kb_dirs) + _activity_options(activity)
    return f"crampdx {verb} {shlex.quote(str(path))}{extra}"


def _report_arguments(args: argparse.Namespace, kb: "KnowledgeBase") -> argparse.Namespace:
    """`crampdx debrief`'s arguments for the report, parsed by its own parser and checked
    before the first question, so a typo in --weeks, --next-race or --output does not wait
    till the end: --weeks in the plan's range, the --output directory there and writable."""
    from crampdx import api
    from crampdx.cli import weeks_argument, build_parser
    from crampdx.errors import CrampdxError
    from crampdx.plan import resolve_weeks

    argv = ["debrief"]
    for flag, value in (("--format", args.format), ("--output", args.output),
                        ("--weeks", args.weeks), ("--next-race", args.next_race)):
        if value is not None:
            argv += [flag, value]
    for flag, value in (("--db", args.db), ("--units", args.units)):
        if value is not None:
            argv += [flag, value]
    argv += ["--record"] if args.record else []
    if getattr(args, "explain", False):
        argv.append("--explain")
    for directory in args.kb:
        argv += ["--kb", directory]
    race, training = _activity(args)
    if race:
        argv += ["--activity", race] + [x for path in training for x in ("--training", path)]
    report = build_parser().parse_args([*argv, "--", "placeholder.yaml"])
    if report.format == "csv":  # the squad table's format; one runner gets a full report
        raise CrampdxError("csv is for 'crampdx debrief FILES --summary'; choose terminal, "
                           "markdown, json or html for the interview's report")
    weeks = weeks_argument(report.weeks)
    if weeks is not None:
        resolve_weeks(kb, weeks)
    if report.next_race:
        api.load_next_race(report.next_race, args.kb)
    if report.output and report.output != "-":
        _check_writable(Path(report.output), "write the report", "for the report")
    return report


def _activity_options(activity: tuple[str | None, list[str]]) -> str:
    """' --activity RACE --training PATH ...', quoted for a shell ('' without a race file)."""
    import shlex

    race, training = activity
    if not race:
        return ""
    return f" --activity {shlex.quote(race)}" + "".join(f" --training {shlex.quote(t)}"
                                                         for t in training)


def _activity(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    return getattr(args, "activity", None), list(getattr(args, "training", None) or [])


def _ui_streams() -> tuple[IO[str], Any]:
    """Where prompts and messages go: the terminal, even when the report is piped elsewhere."""
    if sys.stdout.isatty() or not sys.stderr.isatty():
        return sys.stdout, None
    from prompt_toolkit.output import create_output

    return sys.stderr, create_output(stdout=sys.stderr)


# -- files --------------------------------------------------------------------------------------
def load_progress(path: Path, kb: "KnowledgeBase") -> tuple[Any, list[str]]:
    """A saved interview: its answers, and the questions answered "don't know" earlier."""
    from crampdx.answers import parse_answers
    from crampdx.interview import skipped_in
    from crampdx.yamlio import MAX_FILE_BYTES, LocatedDict, load_yaml_file

    data = load_yaml_file(path, what="answers file", max_bytes=MAX_FILE_BYTES)
    if data is None:
        data = LocatedDict()
    answers = parse_answers(data, kb, str(path))
    return answers, skipped_in(data, answers, kb)


def choose_save_path(save: str | None, resume: str | None,
                     now: _dt.datetime | None = None, directory: Path | None = None) -> Path:
    """--save, else the resumed file, else a new timestamped name that does not overwrite one.
    Checked before the first question, so nobody answers twenty questions into a dead end; an
    existing --save file is refused (it would be replaced), unless it is the resumed one."""
    import shlex

    if save and Path(save).exists() and not Path(save).is_dir() \
            and not (resume and _same_file(save, resume)):
        from crampdx.errors import CrampdxError

        raise CrampdxError("already exists; continue it with 'crampdx interview --resume "
                           f"{shlex.quote(save)}', or save to a new file", path=save)
    if save or resume:
        path = Path(save or resume)  # type: ignore[arg-type]
    else:
        folder = directory or Path.cwd()
        base = DEFAULT_NAME.format(now or _dt.datetime.now())
        path = folder / base
        counter = 2
        while path.exists():
            path = folder / base.replace(".yaml", f"-{counter}.yaml")
            counter += 1
        path = Path(os.path.relpath(path)) if directory is None else path
    _check_writable(path, "save the answers", "to save the answers in")
    return path


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.abspath(first) == os.path.abspath(second)


def _check_writable(path: Path, doing: str, purpose: str) -> None:
    """Refuse, before any question, a file that could not be written at the end."""
    from crampdx.errors import CrampdxError

    if path.is_dir():
        raise CrampdxError(f"is a directory; give a file name {purpose}", path=path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CrampdxError(f"cannot {doing} here: no such directory", path=parent)
    if not os.access(parent, os.W_OK):
        raise CrampdxError(f"cannot {doing} here: permission denied", path=parent)


def answers_text(flow: "Interview", path: Path, *, complete: bool,
                 now: _dt.datetime | None = None, kb_dirs: list[str] | tuple[str, ...] = ()
                 ) -> str:
    """The saved file: what `crampdx debrief` reads, with "don't know" kept for --resume."""
    from crampdx.answers import dump_answers

    stamp = f"{now or _dt.datetime.now():%Y-%m-%d %H:%M}"
    asked = [qid for qid in flow.asked if qid not in getattr(flow, "derived", {})]
    state = "finished" if complete else f"stopped after {len(asked)} questions"
    files = getattr(flow, "activity_options", "")  # answers read from activity files: not saved
    header = (f"crampdx interview answers ({state}, {stamp}).\n"
              f"Report: {_command('debrief', path, list(kb_dirs))}{files}\n"
              f"Continue or change: {_command('interview --resume', path, list(kb_dirs))}"
              f"{files}\n"
              "\"don't know\" means unknown, not no.")
    return dump_answers(flow.answers_for_saving(), flow.kb, header=header)


def write_atomically(path: Path, text: str, *, _while_writing: Callable[[], None] | None = None
                     ) -> None:
    """Save with crampdx.safeio's writer, with Ctrl-C ignored meanwhile: a second Ctrl-C while
    saving neither loses the answers nor leaves half a file behind (SIGTERM and SIGHUP wait
    until the file is whole)."""
    from crampdx.safeio import write_atomic

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main else None
    try:
        write_atomic(path, text, doing="save the answers", _while_writing=_while_writing)
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous if previous is not None
                          else signal.default_int_handler)


def save_or_show(path: Path, flow: "Interview", console: Any, *, complete: bool,
                 kb_dirs: list[str] | tuple[str, ...] = (), original: str | None = None
                 ) -> None:
    """Save (keeping the comments of `original`, the file's text when the interview began);
    if that fails, print the answers so they are not lost, then report the error."""
    from crampdx.answers import keep_comments
    from crampdx.errors import CrampdxError

    text = answers_text(flow, path, complete=complete, kb_dirs=kb_dirs)
    if original:
        text = keep_comments(original, text)
    try:
        write_atomically(path, text)
    except CrampdxError:
        console.print("Could not save your answers; here they are, copy them into a file:\n")
        console.print(text, markup=False)
        raise


# -- the questionary front end ------------------------------------------------------------------
class QuestionaryAsker:
    """Puts each interview step to the runner with questionary (prompts raise KeyboardInterrupt
    through `unsafe_ask`); everything else it shows goes to a rich console. `input`/`output`
    are prompt_toolkit's, so tests drive it with a pipe and DummyOutput."""

    def __init__(self, kb: "KnowledgeBase", console: Any, *, input: Any = None,
                 output: Any = None) -> None:
        self.kb = kb
        self.console = console
        self.io = {key: value for key, value in (("input", input), ("output", output))
                   if value is not None}
        self._draft: dict[str, list[str]] = {}  # ticks kept while "why" is shown

    # -- messages -------------------------------------------------------------------------
    def _say(self, text: str, style: str = "") -> None:
        from rich.text import Text

        from crampdx.textsafe import terminal

        self.console.print(Text(terminal(text), style=style))

    def intro(self, flow: "Interview", *, prefilled_from: str | None = None,
              resumed_from: str | None = None) -> None:
        left = len(flow.candidates())
        self._say("crampdx: why did you cramp?", "bold")
        if not left:
            self._say("Nothing is left to ask: every question that could change the diagnosis "
                      "is answered." + (" You can change an answer or see the report."
                                        if flow.asked else ""))
        elif flow.asked:
            self._say(f"At most {left} questions left; fewer if your answers settle things "
                      "early.")
        else:
            self._say(f"At most {left} short questions, warning signs first; fewer if your "
                      "answers settle things early. Every question has \"Don't know\".")
        self._say("'?' says why a question is asked, '<' goes back, Ctrl-C saves your answers "
                  "and stops.")
        if prefilled_from:
            self._say(f"{len(flow.prefilled)} answers taken from {prefilled_from}; only the rest "
                      "is asked.", "dim")
        if resumed_from:
            self._say(f"Resuming {resumed_from}: {len(flow.asked)} questions answered before.",
                      "dim")

    def summary(self, flow: "Interview", *, stopped: bool,
                prefilled_from: str | None = None) -> None:
        asked, total = len(flow.asked), flow.total
        given = len(set(flow.values) - set(flow.asked))
        parts = [f"{asked} of {total} questions asked"]
        if given and prefilled_from:
            parts.append(f"{given} answered from {prefilled_from}")
        if stopped:
            parts.append("stopped early for the emergency")
        else:
            parts.append(closing_words(flow))
        self._say("\n" + "; ".join(parts) + ".\n", "bold")

    def notice(self, message: str) -> None:
        self._say(f"  {message}", "yellow")

    def explain(self, why: "Why") -> None:
        from rich.text import Text

        lines = [Text.assemble(("  Why: ", "bold"), why.question.help)]
        if why.supports:
            lines.append(Text.assemble(("  Your answer can point to: ", "bold"),
                                       ", ".join(why.supports)))
        if why.against:
            lines.append(Text.assemble(("  It can count against: ", "bold"),
                                       ", ".join(why.against)))
        if why.findings:
            lines.append(Text(f"  Through: {', '.join(why.findings)}", style="dim"))
        if why.red_flags:
            words = " and ".join(TRIAGE_WORDS[level] for level in why.red_flags)
            lines.append(Text.assemble(("  It is checked for ", "bold"), f"{words}."))
        for line in lines:
            self.console.print(line)

    def emergency(self, flags: list["Evidence"]) -> bool:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        rows: list[Any] = []
        for flag in flags:
            condition = self.kb.conditions.get(flag.rule.condition)
            if condition is not None:
                rows.append(Text(f"Suspected: {condition.name}", style="bold"))
            rows.append(Text(flag.rule.because))
            rows.append(Text.assemble(("Do now: ", "bold"), flag.rule.action))
        self.console.print(Panel(Group(*rows), title="EMERGENCY: get medical help now",
                                 title_align="left", border_style="bold red"))
        import questionary

        choice = questionary.select(
            "Stop here and see the report, or continue the questions?",
            choices=[questionary.Choice("Stop here and show the report", value="stop"),
                     questionary.Choice("Continue the questions (the report repeats this "
                                        "warning)", value="continue")],
            **self.io).unsafe_ask()
        return choice == "continue"

    def review(self, given: list["Given"]) -> str | None:
        """Nothing left to ask (a finished interview resumed): show the report, or pick an
        earlier question to answer again. None means the report."""
        import questionary

        while True:
            action = questionary.select(
                "What now?",
                choices=[questionary.Choice("Show the report", value="report"),
                         questionary.Choice("Change an answer", value="change")],
                instruction="(arrows, Enter)", **self.io).unsafe_ask()
            if action != "change":
                return None
            choices: list[Any] = [
                questionary.Choice(f"{_short(item.question.ask)}  [{shown_answer(item)}]",
                                   value=item.question.id) for item in given]
            choices += [questionary.Separator(),
                        questionary.Choice("< Back", value=_BACK)]
            picked = questionary.select("Which answer do you want to change?", choices=choices,
                                        instruction="(arrows, Enter)", **self.io).unsafe_ask()
            if picked != _BACK:
                return picked

    # -- questions ------------------------------------------------------------------------
    def ask(self, step: "Step") -> "Reply":
        if step.first_in_section:
            self._say(f"\n── {step.section.title} ──", "bold")
        self._say(f"[{step.section.title} · question {step.number} of about {step.about}]", "dim")
        question = step.question
        if question.type == "number":
            reply = self._number(step)
        elif question.type == "multi":
            reply = self._multi(step)
        else:
            reply = self._select(step)
        if reply.action == "back":
            self._say("  ← back", "dim")
        return reply

    def _keys(self, prompt: Any, letters: dict[str, Any] | None = None) -> Any:
        """'?' for why, '<' or Left for back, in menus (typed into number answers instead);
        `letters` answer at once (y, n, d on yes-no questions)."""
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from prompt_toolkit.keys import Keys

        bindings = KeyBindings()
        for letter, value in (letters or {}).items():
            bindings.add(letter, eager=True)(_exit_with(value))

        @bindings.add("?", eager=True)
        def _help(event: Any) -> None:
            event.app.exit(result=_HELP)

        @bindings.add("<", eager=True)
        @bindings.add(Keys.Left, eager=True)
        def _back(event: Any) -> None:
            event.app.exit(result=_BACK)

        app = prompt.application
        app.key_bindings = merge_key_bindings([app.key_bindings, bindings]) \
            if app.key_bindings is not None else bindings
        return prompt

    def _enter_acts_on_extras(self, prompt: Any) -> Any:
        """In a checklist, Enter on Don't know, Back or Why acts on that entry (as if it were
        ticked), as Enter does in every other menu; questionary's own Enter would return the
        ticks. Enter on None of these ticks it and ends. Elsewhere Enter is unchanged (and
        nothing ticked asks again: _checklist_verdict)."""
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from prompt_toolkit.keys import Keys
        from questionary.prompts.common import InquirerControl

        app = prompt.application
        control = next((window.content for window in app.layout.find_all_windows()
                        if isinstance(window.content, InquirerControl)), None)
        if control is None:  # pragma: no cover - questionary changed its layout
            return prompt
        questionary_enter = next(
            (b.handler for b in app.key_bindings.bindings if b.keys == (Keys.ControlM,)), None)
        bindings = KeyBindings()

        @bindings.add(Keys.ControlM, eager=True)
        def _enter(event: Any) -> None:
            pointed = control.get_pointed_at().value
            if pointed == _NONE and pointed not in control.selected_options:
                control.selected_options.append(pointed)  # Enter on it ticks it, then ends
            if pointed not in (_SKIP, _BACK, _HELP):
                values = [choice.value for choice in control.get_selected_values()]
                if _checklist_verdict(values) is not True:
                    # nothing ticked, or None of these beside a tick: the checklist is
                    # cleared and asked again under a line saying why (printed, so it shows
                    # on every terminal, unlike a toolbar)
                    event.app.erase_when_done = True
                    event.app.exit(result=[_INVALID, *values])
                elif questionary_enter is not None:
                    questionary_enter(event)
                return
            ticked = [choice.value for choice in control.get_selected_values()
                      if choice.value not in (_SKIP, _BACK, _HELP)]
            control.selected_options = [pointed]  # the answered line shows that entry
            control.is_answered = True
            event.app.exit(result=[*ticked, pointed])

        app.key_bindings = merge_key_bindings([app.key_bindings, bindings])
        return prompt

    def _extras(self, step: "Step") -> list[Any]:
        import questionary

        extras = [questionary.Separator(), questionary.Choice("Don't know", value=_SKIP)]
        if step.can_go_back:
            extras.append(questionary.Choice("< Back to the previous question", value=_BACK))
        extras.append(questionary.Choice("? Why is this asked", value=_HELP))
        return extras

    def _select(self, step: "Step") -> "Reply":
        import questionary

        from crampdx.diagnosis import RED_FLAGS_SECTION
        from crampdx.interview import BACK, HELP, SKIP, Reply

        question = step.question
        if question.type == "bool":
            options = [("yes", "Yes"), ("no", "No")]
            previous = None if step.previous is None else ("yes" if step.previous else "no")
        else:
            options = list(question.choices.items())
            previous = step.previous
        default = _SKIP if step.skipped_before else previous
        if default is None and question.type == "bool" and question.section == RED_FLAGS_SECTION:
            # a warning sign is answered by a deliberate y or n: a stray Enter leaves it
            # unknown (and the report lists it as not checked), never yes or no
            default = _SKIP
        # d is don't know on every menu, as on checklists (the hint says so)
        letters = {"y": "yes", "n": "no", "d": _SKIP} if question.type == "bool" \
            else {"d": _SKIP}
        instruction = "(y / n / d = don't know, or arrows, Enter)" if question.type == "bool" \
            else "(arrows, Enter; d = don't know)"
        prompt = questionary.select(
            self._wrap(question.ask, instruction),
            choices=[questionary.Choice(label, value=value) for value, label in options]
            + self._extras(step),
            default=default, instruction=instruction, **self.io)
        result = self._keys(prompt, letters).unsafe_ask()
        special = {_SKIP: SKIP, _BACK: BACK, _HELP: HELP}
        if result == _SKIP or (question.type == "bool" and result in ("yes", "no")):
            # y, n and d answer at once, without the menu's own echo: say it like the others
            self._say(f"  → {result}" if result != _SKIP else "  → don't know (left unknown)",
                      "green" if result != _SKIP else "dim")
        if result in special:
            return special[result]
        if question.type == "bool":
            return Reply.answer(result == "yes")
        return Reply.answer(result)

    def _multi(self, step: "Step") -> "Reply":
        """The checklist, asked again (in a loop, never by recursion: a held-down Enter is
        thousands of re-asks) until it ends on a tick, None of these or an extra."""
        while True:
            reply = self._multi_once(step)
            if reply is not _ASK_AGAIN:
                return reply

    def _multi_once(self, step: "Step") -> Any:
        import questionary

        from crampdx.answers import coerce
        from crampdx.interview import BACK, HELP, SKIP, Reply

        question = step.question
        ticked = self._draft.pop(question.id, None)
        if ticked is None:
            ticked = list(step.previous or ())
        choices = [questionary.Choice(label, value=value, checked=value in ticked)
                   for value, label in question.choices.items()]
        # "None of these" is a choice of its own: ticked again when it was the answer before
        choices.append(questionary.Choice(NONE_LABEL, value=_NONE,
                                          checked=_NONE in ticked or (
                                              step.previous is not None
                                              and not step.previous and not ticked)))
        extras = self._extras(step)
        if step.skipped_before:
            extras[1] = questionary.Choice("Don't know", value=_SKIP, checked=True)
        instruction = "(Space ticks, Enter ends; d = don't know)"
        prompt = questionary.checkbox(
            self._wrap(question.ask, instruction), choices=choices + extras,
            instruction=instruction, **self.io)
        result = self._enter_acts_on_extras(self._keys(prompt, {"d": _SKIP})).unsafe_ask()
        if not isinstance(result, list):  # a key that answers at once (?, <, d)
            result = [result]
        if _INVALID in result:
            ticks = [v for v in result if v != _INVALID]
            self._say(f"  {_checklist_verdict(ticks)}", "yellow")
            self._draft[question.id] = ticks
            return _ASK_AGAIN
        if _HELP in result:
            self._draft[question.id] = [v for v in result if v not in (_SKIP, _BACK, _HELP)]
            return HELP
        if result == _BACK or _BACK in result:
            return BACK
        if _SKIP in result:
            # Don't know wins, but never silently: name the ticks it leaves out
            dropped = [question.choices.get(v, v) for v in result if v in question.choices]
            self._say("  → don't know (left unknown)" + (
                f"; also ticked, not kept: {', '.join(dropped)} (untick Don't know to answer "
                "them; < goes back)" if dropped else ""), "dim")
            return SKIP
        chosen = coerce(question, [v for v in result if v != _NONE])
        if len(chosen) != 1:  # questionary shows "done" or "done (3 selections)": say which
            labels = [question.choices[value] for value in chosen]
            self._say(f"  → {', '.join(labels) if labels else 'none of these'}", "green")
        return Reply.answer(chosen)

    def _number(self, step: "Step") -> "Reply":
        import questionary

        from crampdx.interview import parse_text_reply
        from crampdx.units import accepted_units

        question = step.question
        unit = question.unit
        default = ""
        if step.previous is not None:
            default = f"{step.previous:g}" + (f" {unit}" if unit else "")
        hint = UNIT_HINTS.get(unit, accepted_units(unit)) if unit else "a number"
        instruction = f"({hint}; blank = don't know; < back)"
        refused: dict[str, str | None] = {"message": None}
        check = number_validator(question)

        def validate(text: str) -> bool | str:
            # while the line is empty after a refusal, the refusal stays on screen
            if not text.strip():
                return refused["message"] or True
            refused["message"] = None
            return check(text)

        prompt = questionary.text(
            self._wrap(question.ask, instruction), default=default,
            validate=validate, instruction=instruction, **self.io)
        reply = parse_text_reply(question, self._refused_clears(
            self._back_key(prompt), check, refused).unsafe_ask())
        if reply.action == "answer":
            self._say(f"  → {round(reply.value, 2):g}" + (f" {unit}" if unit else ""), "green")
        elif reply.action == "skip":
            self._say("  → don't know (left unknown)", "dim")
        return reply


    def _width(self) -> int:
        """The terminal's width (prompt_toolkit's output when given, e.g. in tests)."""
        output = self.io.get("output")
        try:
            if output is not None:
                return max(20, output.get_size().columns)
        except Exception:  # noqa: BLE001 - a dummy output without a size
            pass
        import shutil

        return max(20, shutil.get_terminal_size((80, 24)).columns)

    def _wrap(self, text: str, instruction: str = "") -> str:
        """A question wrapped at word boundaries (prompt_toolkit would cut words); the
        instruction moves to its own line when it would not fit after the last one."""
        return wrap_prompt(text, self._width(), instruction)

    def _refused_clears(self, prompt: Any, validate: Callable[[str], "bool | str"],
                        refused: dict[str, str | None]) -> Any:
        """Enter on a refused number empties the line and names what was refused in the
        message, so typing the answer again ("84 F" after "84") does not add to it."""
        from prompt_toolkit.document import Document
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from prompt_toolkit.validation import ValidationError

        from crampdx.textsafe import excerpt

        bindings = KeyBindings()

        @bindings.add("enter", eager=True)
        def _enter(event: Any) -> None:
            buffer = event.current_buffer
            text = buffer.text
            verdict = validate(text) if text.strip() else True
            if verdict is True:  # an empty line is "don't know", even after a refusal
                refused["message"] = None
                buffer.validate_and_handle()
                return
            message = f"{excerpt(text.strip())}: {verdict}"
            buffer.document = Document("")
            refused["message"] = message
            buffer.validation_error = ValidationError(cursor_position=0, message=message)

        app = prompt.application
        app.key_bindings = merge_key_bindings([app.key_bindings, bindings]) \
            if app.key_bindings is not None else bindings
        return prompt

    def _back_key(self, prompt: Any) -> Any:
        """'<' in a number answer goes back at once, without Enter (no number has one)."""
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

        bindings = KeyBindings()
        bindings.add("<", eager=True)(_exit_with("<"))
        app = prompt.application
        app.key_bindings = merge_key_bindings([app.key_bindings, bindings]) \
            if app.key_bindings is not None else bindings
        return prompt


def _checklist_verdict(values: list[Any]) -> bool | str:
    """A checklist ends on a tick, on None of these, or on Don't know / Back / Why; never on
    nothing at all (a stray Enter must not record "no warning signs")."""
    if any(v in (_SKIP, _BACK, _HELP) for v in values):
        return True
    if not values:
        return NOTHING_TICKED
    if _NONE in values and len(values) > 1:
        return NONE_AND_TICKS
    return True


def _exit_with(value: Any) -> Callable[[Any], None]:
    def handler(event: Any) -> None:
        event.app.exit(result=value)

    return handler


def wrap_prompt(text: str, width: int, instruction: str = "") -> str:
    """Wrap a prompt at word boundaries for a `width`-column terminal ('? ' comes first)."""
    import textwrap

    lines = textwrap.wrap(text, max(10, width - 3), break_long_words=False,
                          break_on_hyphens=False) or [text]
    if instruction and len(lines[-1]) + len(instruction) + 4 > width:
        lines.append("")
    return "\n".join(lines)


def closing_words(flow: "Interview") -> str:
    """The interview's last line, in agreement with the report: the questions left unasked
    could not change the red flags or which causes lead; those the report lists under
    "questions that would sharpen this" (never ones answered "don't know") are counted."""
    from crampdx.diagnosis import diagnose

    sharpen = diagnose(flow.reasoner, flow.answers()).unanswered
    if not sharpen:
        return "the others could not change this diagnosis"
    count = len(sharpen)
    return (f"the others could not change this diagnosis (the red flags or which causes "
            f"lead); the report lists {count} that would still sharpen it")


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def shown_answer(given: "Given") -> str:
    """An earlier answer as the runner gave it: labels, yes/no, a number with its unit."""
    question, value = given.question, given.value
    if given.skipped or value is None:
        return "don't know"
    if question.type == "bool":
        return "yes" if value else "no"
    if question.type == "multi":
        return ", ".join(question.choices.get(v, v) for v in value) or "none of these"
    if question.type == "number":
        return f"{value:g}" + (f" {question.unit}" if question.unit else "")
    return str(question.choices.get(value, value))


def number_validator(question: Any) -> Callable[[str], "bool | str"]:
    """Checks a typed number in place (units, range); the message shows under the entry."""
    from crampdx.answers import AnswerError
    from crampdx.interview import parse_text_reply

    def validate(text: str) -> bool | str:
        try:
            parse_text_reply(question, text)
        except AnswerError as exc:
            return str(exc)
        return True

    return validate
