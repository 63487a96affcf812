"""`crampdx history` and what `debrief`/`interview` gain from it: --record, --db, --summary,
--units.

Standard-library imports only at the top (`crampdx --version` stays fast); the library core is
`crampdx.history` (the database) and `crampdx.render.{history,summary}` (the views). Every
file this module writes goes through `_write`, one place to switch to a shared safe writer.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    import sqlite3

    from crampdx.diagnosis import Diagnosis
    from crampdx.errors import CrampdxError
    from crampdx.knowledge.model import KnowledgeBase
    from crampdx.render.history import Season
    from crampdx.render.summary import Row

LIST_FORMATS = ("terminal", "json", "csv")
SUMMARY_FORMATS = ("terminal", "markdown", "json", "csv", "html")
SHOW_FORMATS = ("terminal", "markdown", "json", "html")
SUFFIX = {"terminal": "txt", "markdown": "md", "json": "json", "csv": "csv", "html": "html"}

EPILOG = """\
examples:
  crampdx debrief race.yaml --record          keep this debrief in your history
  crampdx history                             every recorded debrief, newest first
  crampdx history --athlete Lena              one athlete: what recurs, what changed
  crampdx history show 3 -f html -o race.html re-render debrief 3 (today's knowledge)
  crampdx history --summary --event "City marathon"   the squad table for one race
  crampdx history forget 3                    delete debrief 3 (--athlete NAME: all theirs)

The history is health data, kept in one SQLite file on this computer (default: your data
directory, e.g. ~/.local/share/crampdx/history.sqlite3; --db PATH or CRAMPDX_DB to choose).
"""


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH",
                        help="the history database (default: CRAMPDX_DB, else history.sqlite3 "
                             "in your data directory)")


def add_units_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--units", choices=("metric", "imperial"),
                        help="units in the report: imperial shows miles, feet, °F, fl oz and "
                             "lb (default: what the answers used, else metric)")


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """What debrief and the interview gain: recording, the database and display units."""
    parser.add_argument("--record", action="store_true",
                        help="keep this debrief in your history (see 'crampdx history')")
    add_db_option(parser)
    add_units_option(parser)


def add_summary_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--summary", action="store_true",
                        help="one table for the group (athlete, event, triage, leading causes, "
                             "the most important change), most urgent first; with --output "
                             "DIR, also each athlete's full report, linked")


def add_parser(commands: Any, add_kb_option: Callable[[argparse.ArgumentParser], None]) -> None:
    parser = commands.add_parser(
        "history", help="recorded debriefs: list, show, forget, squad summary",
        description="Lists the debriefs kept with --record, newest first, and what recurs. "
                    "'history show ID' re-renders one; 'history forget ID' deletes one "
                    "(--athlete NAME: all of one athlete's).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", nargs="*", metavar="show ID | forget ID",
                        help="show or forget one debrief (ids are in the list)")
    parser.add_argument("--athlete", metavar="NAME", help="only this athlete's debriefs")
    parser.add_argument("--event", metavar="NAME", help="only this event's debriefs")
    parser.add_argument("--summary", action="store_true",
                        help="the squad table: each athlete's latest debrief")
    parser.add_argument("--format", "-f", choices=SUMMARY_FORMATS, metavar="FORMAT",
                        help="terminal (default), json or csv; also markdown or html for "
                             "--summary and show")
    parser.add_argument("--output", "-o", metavar="PATH",
                        help="write to PATH instead of the screen")
    add_db_option(parser)
    add_units_option(parser)
    add_kb_option(parser)
    parser.set_defaults(handler=run)


# -- output -----------------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    """Every file the history and squad views write: crampdx.safeio's atomic writer."""
    from crampdx.safeio import write_atomic

    write_atomic(path, text, doing="write")


def _emit(text: str, output: str | None) -> None:
    from crampdx.cli import emit_output

    emit_output(text, output, "history")


def _width() -> int:
    import shutil

    return max(60, min(shutil.get_terminal_size((100, 24)).columns, 160))


# -- recording (debrief --record, interview --record) -----------------------------------------

def answers_document(diagnosis: "Diagnosis") -> dict[str, Any]:
    """The answers as an answers file holds them (meta, then values; lists, not tuples)."""
    document: dict[str, Any] = dict(diagnosis.answers.meta)
    for key, value in diagnosis.answers.values.items():
        document[key] = list(value) if isinstance(value, tuple) else value
    return document


def knowledge_version(kb_dirs: list[str]) -> str:
    from crampdx.history import knowledge_version as version
    from crampdx.knowledge import default_knowledge_dirs

    return version(default_knowledge_dirs(kb_dirs))


def season(connection: "sqlite3.Connection", kb: "KnowledgeBase", debrief_id: int, *,
           rediagnosed: tuple[str, str, tuple[str, ...], tuple[str, ...]] | None = None
           ) -> "Season | None":
    """For a recorded debrief with an athlete: what recurs up to it, and what changed since
    the athlete's debrief before it."""
    from crampdx import history
    from crampdx.render.history import Season

    item = history.get(connection, debrief_id)
    if not item.athlete.strip():
        return None if rediagnosed is None else Season("", 1, (), None, debrief_id, rediagnosed)
    items = history.debriefs(connection, athlete=item.athlete)
    upto = items[[s.id for s in items].index(debrief_id):]
    changes = history.changes(upto[1], upto[0], list(kb.questions)) if len(upto) > 1 else None
    return Season(item.athlete, len(upto), tuple(history.recurring(upto)), changes, debrief_id,
                  rediagnosed)


def debrief_extras(args: argparse.Namespace, kb: "KnowledgeBase", paths: list[str],
                   diagnoses: list["Diagnosis"]) -> "Extras":
    """For `crampdx debrief`: record the debriefs when --record is given (their history
    sections come back), and choose the units (--units, else what every answers file used)."""
    from crampdx.errors import CrampdxError

    if getattr(args, "format", None) == "csv" and not getattr(args, "summary", False):
        raise CrampdxError("csv is the squad table's format: add --summary, or choose "
                           "terminal, markdown, json or html for full reports")
    units = getattr(args, "units", None)
    per_file = None
    if units is None:  # each report in the units its own file used
        per_file = [diagnosis.answers.units for diagnosis in diagnoses]
        units = "imperial" if set(per_file) == {"imperial"} else "metric"
    seasons: list[Season | None] = [None] * len(diagnoses)
    if getattr(args, "record", False):
        seasons = record_all(args, kb, diagnoses)
    return Extras(kb, units, seasons, per_file)


def record_all(args: argparse.Namespace, kb: "KnowledgeBase", diagnoses: list["Diagnosis"]
               ) -> "list[Season | None]":
    """Keep each debrief; say its id on stderr; return what each report adds."""
    from crampdx import history
    from crampdx.render.json import to_dict

    version = knowledge_version(args.kb)
    connection = history.connect(args.db)
    seasons: list[Season | None] = []
    try:
        from crampdx.render.summary import screening

        flags = red_flag_questions(kb)
        for diagnosis in diagnoses:
            report = to_dict(diagnosis, kb)
            debrief_id = history.record(connection, answers=answers_document(diagnosis),
                                        report=report, knowledge=version,
                                        screened=screening(report, flags)[0])
            name = diagnosis.answers.meta.get("athlete", "")
            print(f"crampdx: recorded as debrief {debrief_id}"
                  + ("" if name else " (no athlete name: add 'athlete:' to the answers to see "
                                     "what recurs)"), file=sys.stderr)
            seasons.append(season(connection, kb, debrief_id))
    finally:
        connection.close()
    return seasons


class Extras:
    """What --record and --units add to reports: a history section per report (None: none),
    and the units conversion. `active` is False when there is nothing to add."""

    def __init__(self, kb: "KnowledgeBase", units: str, seasons: "list[Season | None]",
                 per_file: list[str] | None = None) -> None:
        self.kb = kb
        self.units = units  # the whole batch's (a squad table is one table)
        self.per_file = per_file  # each report's own, when --units was not given
        self.seasons = seasons
        self.active = "imperial" in [units, *(per_file or [])] or any(seasons)

    def units_of(self, index: int) -> str:
        """The units of report `index`: --units, else what its own answers file used."""
        return self.per_file[index] if self.per_file else self.units

    def json(self, index: int, document: dict[str, Any]) -> dict[str, Any]:
        item = self.seasons[index]
        if item is not None:  # only then the history modules (sqlite3, csv) are imported
            from crampdx.render.history import season_dict

            document["history"] = season_dict(self.kb, item)
        if self.units_of(index) == "imperial":
            document["units"] = "imperial"  # numbers stay metric: the contract
        return document

    def convert(self, index: int) -> "Callable[[str], str] | None":
        """What terminal.render converts each piece of report `index` with, before rich lays
        it out (converting after would overrun the width and break the boxes)."""
        if self.units_of(index) != "imperial":
            return None
        from crampdx.units_display import imperial_text

        return imperial_text

    def text(self, index: int, fmt: str, text: str) -> str:
        """A text report (terminal or markdown) with its history section, in the units. A
        terminal report comes already converted (rendered with `convert(index)`)."""
        from crampdx.units_display import apply

        item = self.seasons[index]
        section = ""
        if item is not None:
            from crampdx.render import history as view

            section = view.season_markdown(self.kb, item) if fmt == "markdown" \
                else view.season_text(self.kb, item)
        if fmt == "terminal":
            section = apply(section, fmt, self.units_of(index))
        else:
            text = apply(text, fmt, self.units_of(index))
            section = apply(section, fmt, self.units_of(index))
        if section:
            text = text.rstrip("\n") + "\n\n" + section
        return text

    def html(self, page: str) -> str:
        from crampdx.units_display import apply

        pieces = page.split("</article>")
        for index, item in enumerate(self.seasons):
            if item is not None and index < len(pieces) - 1:
                from crampdx.render.history import season_html

                pieces[index] += season_html(self.kb, item) + "\n"  # before its </article>
        if self.per_file:  # each article in its own file's units
            pieces = [apply(piece, "html", self.per_file[min(i, len(self.per_file) - 1)])
                      for i, piece in enumerate(pieces)]
            return "</article>".join(pieces)
        return apply("</article>".join(pieces), "html", self.units)

    def terminal(self, index: int, diagnosis: "Diagnosis", file: IO[str],
                 explain: bool = False) -> None:
        """To a real terminal: in colour, the units converted in what rich wrote."""
        import io

        from rich.console import Console

        from crampdx.render import terminal
        from crampdx.units_display import apply

        real = Console(file=file)
        if not real.is_terminal:  # a pipe: plain text, as terminal.render writes it
            file.write(self.text(index, "terminal", terminal.render(
                diagnosis, self.kb, width=real.width, explain=explain,
                convert=self.convert(index))))
            return
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, width=real.width,
                          color_system=real.color_system, highlight=False)
        terminal.render_to(console, diagnosis, self.kb, explain, self.convert(index))
        file.write(buffer.getvalue())
        item = self.seasons[index]
        if item is not None:
            from crampdx.render.history import season_text

            section = season_text(self.kb, item, real.width)
            if section:
                file.write("\n" + apply(section, "terminal", self.units_of(index)))


# -- the squad summary (debrief --summary) -------------------------------------------------------

def red_flag_questions(kb: "KnowledgeBase") -> list[str]:
    return [qid for qid, q in kb.questions.items() if q.section == "red_flags"]


def _slug(name: str, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:40] or "athlete"
    return f"{index:02d}-{slug}"


def squad_summary(args: argparse.Namespace, fmt: str, diagnoses: list["Diagnosis"],
                  paths: list[str], kb: "KnowledgeBase") -> int:
    """`crampdx debrief FILES --summary`: one table; with -o DIR, DIR/summary.EXT and, for
    html and markdown, each athlete's full report beside it, linked from the table."""
    from crampdx.errors import CrampdxError
    from crampdx.render import summary
    from crampdx.render.json import to_dict
    from crampdx.units_display import apply

    if fmt not in SUMMARY_FORMATS:
        raise CrampdxError(f"--summary writes {', '.join(SUMMARY_FORMATS)}, not {fmt}")
    extras = debrief_extras(args, kb, paths, diagnoses)
    directory = Path(args.output) if args.output else None
    if directory is not None:
        if directory.exists() and not directory.is_dir():
            raise CrampdxError("with --summary, --output is a directory (the summary and each "
                               "athlete's report go in it)", path=directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CrampdxError(f"cannot create the directory: {exc.strerror or exc}",
                               path=directory) from None
    flags = red_flag_questions(kb)
    rows: list[Row] = []
    for index, (diagnosis, path) in enumerate(zip(diagnoses, paths), 1):
        report = to_dict(diagnosis, kb)
        link = None
        if directory is not None and fmt in ("html", "markdown"):
            link = f"{_slug(str(report['meta'].get('athlete', '')), index)}.{SUFFIX[fmt]}"
            _write(directory / link, _full_report(fmt, diagnosis, kb, extras, index - 1))
        rows.append(summary.row_for(report, flags, link=link, file=str(path)))
    text = apply(summary.render(rows, fmt, width=_width()), fmt, extras.units)
    if directory is not None:
        target = directory / ("index.html" if fmt == "html" else f"summary.{SUFFIX[fmt]}")
        _write(target, text)
        print(f"crampdx: squad summary written to {target}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _full_report(fmt: str, diagnosis: "Diagnosis", kb: "KnowledgeBase", extras: Extras,
                 index: int) -> str:
    if fmt == "html":
        from crampdx.render import html

        page = html.render([diagnosis], kb)
        seasons = extras.seasons
        extras.seasons = [seasons[index]]
        try:
            return extras.html(page)
        finally:
            extras.seasons = seasons
    from crampdx.render import markdown

    return extras.text(index, "markdown", markdown.render(diagnosis, kb))


# -- crampdx history ----------------------------------------------------------------------------

def _debrief_id(words: list[str]) -> int:
    from crampdx.errors import CrampdxError

    if len(words) != 2:
        raise CrampdxError(f"'history {words[0]}' takes one debrief id, e.g. 'crampdx history "
                           f"{words[0]} 3' ('crampdx history' lists them)")
    try:
        return int(words[1])
    except ValueError:
        raise CrampdxError(f"'{words[1]}' is not a debrief id (a whole number from 'crampdx "
                           "history')") from None


def run(args: argparse.Namespace) -> int:
    from crampdx import history
    from crampdx.errors import CrampdxError

    words = list(args.action)
    if words and words[0] not in ("show", "forget"):
        raise CrampdxError(f"unknown history action '{words[0]}': use 'history show ID', "
                           "'history forget ID' or 'history forget --athlete NAME'")
    if words and words[0] == "forget":
        return _forget(args, words)
    connection = history.connect(args.db)
    try:
        if words:
            return _show(args, connection, _debrief_id(words))
        if args.summary:
            return _summary(args, connection)
        return _list(args, connection)
    finally:
        connection.close()


def _forget(args: argparse.Namespace, words: list[str]) -> int:
    from crampdx import history

    if len(words) == 1 and args.athlete:
        connection = history.connect(args.db)
        try:
            count = history.forget(connection, athlete=args.athlete)
        finally:
            connection.close()
        if not count:
            raise _no_such_athlete(args.db, args.athlete)
        print(f"crampdx: forgot {count} debrief{'s' if count != 1 else ''} of {args.athlete}",
              file=sys.stderr)
        return 0
    debrief_id = _debrief_id(words)
    connection = history.connect(args.db)
    try:
        item = history.get(connection, debrief_id)
        history.forget(connection, debrief_id=debrief_id)
    finally:
        connection.close()
    from crampdx.textsafe import cell

    label = " · ".join(cell(p) for p in (item.athlete, item.event, item.date) if p)
    print(f"crampdx: forgot debrief {debrief_id} ({label})", file=sys.stderr)
    return 0


def _no_such_athlete(where: Any, name: str) -> "CrampdxError":
    """No debriefs under this name: say which recorded name was probably meant ('Tom' for
    'Tom, 45'), since a name must match in full; `where` is a connection or the --db path."""
    from crampdx import history
    from crampdx.errors import CrampdxError, did_you_mean

    connection = where if hasattr(where, "execute") else history.connect(where)
    try:
        names = sorted({item.athlete for item in history.debriefs(connection) if item.athlete})
    finally:
        if connection is not where:
            connection.close()
    typed = history.athlete_key(name)
    starting = [n for n in names if typed and history.athlete_key(n).startswith(typed)]
    hint = f" (did you mean '{starting[0]}'?)" if len(starting) == 1 \
        else did_you_mean(name, names)
    if not names:
        return CrampdxError(f"no recorded debriefs for athlete '{name}': nothing is recorded "
                            "yet (debrief with --record)")
    return CrampdxError(f"no recorded debriefs for athlete '{name}'{hint}: give the name in "
                        "full, as 'crampdx history' lists it")


def _list(args: argparse.Namespace, connection: "sqlite3.Connection") -> int:
    from crampdx import api, history
    from crampdx.errors import CrampdxError
    from crampdx.render import history as view

    fmt = args.format or "terminal"
    if fmt not in LIST_FORMATS:
        raise CrampdxError(f"'history' lists as {', '.join(LIST_FORMATS)}; {fmt} is for "
                           "'history --summary' and 'history show ID'")
    items = history.debriefs(connection, athlete=args.athlete, event=args.event)
    if args.athlete and not items:
        raise _no_such_athlete(connection, args.athlete)
    recurring = history.recurring(items)
    if fmt == "json":
        text = view.list_json(items, recurring)
    elif fmt == "csv":
        text = view.list_csv(items)
    else:
        kb = api.knowledge(args.kb)
        changes = history.changes(items[1], items[0], list(kb.questions)) \
            if args.athlete and len(items) > 1 else None
        from crampdx.units_display import apply

        text = apply(view.list_terminal(kb, items, recurring, one_athlete=bool(args.athlete),
                                        changes=changes, width=_width()),
                     "terminal", args.units or "metric")
    _emit(text, args.output)
    return 0


def _summary(args: argparse.Namespace, connection: "sqlite3.Connection") -> int:
    from crampdx import api, history
    from crampdx.render import summary
    from crampdx.units_display import apply

    fmt = args.format or "terminal"
    kb = api.knowledge(args.kb)
    items = history.latest_per_athlete(
        history.debriefs(connection, athlete=args.athlete, event=args.event))
    flags = red_flag_questions(kb)
    rows = [summary.row_for(item.report, flags, date=item.date, id=item.id) for item in items]
    title = f"Squad summary: {args.event}" if args.event else "Squad summary"
    _emit(apply(summary.render(rows, fmt, width=_width(), title=title), fmt,
                args.units or "metric"), args.output)
    return 0


def _show(args: argparse.Namespace, connection: "sqlite3.Connection", debrief_id: int) -> int:
    """Re-diagnose the stored answers with today's knowledge and render them; say so when the
    leading causes differ from those recorded."""
    from crampdx import api, history
    from crampdx.errors import CrampdxError

    fmt = args.format or "terminal"
    if fmt not in SHOW_FORMATS:
        raise CrampdxError(f"'history show' renders {', '.join(SHOW_FORMATS)}, not {fmt}")
    item = history.get(connection, debrief_id)
    compiled = api.reasoner(args.kb)
    kb = compiled.kb
    try:
        # the stored report's "derived": which answers came from activity files, not typed
        diagnosis = api.diagnose_answers(item.answers, args.kb,
                                         derived_marks=item.report.get("derived") or {})
    except CrampdxError as exc:
        raise CrampdxError(f"debrief {debrief_id}'s answers no longer fit this knowledge base: "
                           f"{exc.message}") from None
    now = knowledge_version(args.kb)
    rediagnosed = (item.knowledge, now, item.leading, tuple(diagnosis.leading))
    extras = Extras(kb, args.units or "metric",
                    [season(connection, kb, debrief_id, rediagnosed=rediagnosed)])
    if fmt == "json":
        import json

        from crampdx.render.json import to_dict

        text = json.dumps(extras.json(0, to_dict(diagnosis, kb)), indent=2,
                          ensure_ascii=False) + "\n"
    elif fmt == "html":
        from crampdx.render import html
        from crampdx.render.history import insert_html, rediagnosis_note
        from crampdx.textsafe import html_text

        page = extras.html(html.render([diagnosis], kb))
        note = rediagnosis_note(kb, extras.seasons[0]) if extras.seasons[0] else None
        text = insert_html(page, f'<p class="note"><strong>{html_text(note)}</strong></p>',
                           top=True) if note else page
    elif fmt == "markdown":
        from crampdx.render import markdown

        text = _with_note(kb, extras, extras.text(0, "markdown", markdown.render(diagnosis, kb)))
    else:
        from crampdx.render import terminal

        text = _with_note(kb, extras, extras.text(0, "terminal",
                                                  terminal.render(diagnosis, kb, width=_width(),
                                                                  convert=extras.convert(0))))
    _emit(text, args.output)
    return 0


def _with_note(kb: "KnowledgeBase", extras: Extras, text: str) -> str:
    """The re-diagnosis note on top, where a reader sees it before the causes."""
    from crampdx.render.history import rediagnosis_note

    item = extras.seasons[0]
    note = rediagnosis_note(kb, item) if item is not None else None
    return f"Note: {note}\n\n{text}" if note else text


# -- the interview with --record ------------------------------------------------------------------

RECORD_DETAILS = (
    ("athlete", "Your name (or the athlete's), as the history should file it:"),
    ("event", "The race or run:"),
    ("date", "The race date (YYYY-MM-DD):"),
)


def check_date(text: str) -> "bool | str":
    """Blank (unknown) or an ISO date; the message shows under the entry."""
    from crampdx.history import race_date

    if not text.strip() or race_date(text) is not None:
        return True
    return "a date as YYYY-MM-DD (e.g. 2026-04-12), or blank if you don't know"


def ask_record_details(flow: Any, asker: Any) -> None:
    """Before the questions: athlete, event and race date, unless the answers have them.
    Each is kept in `flow.meta` as soon as it is typed, so Ctrl-C saves it too."""
    import questionary

    for key, prompt in RECORD_DETAILS:
        if flow.meta.get(key):
            continue
        answer = questionary.text(prompt, validate=check_date if key == "date"
                                  else _fits_meta(key),
                                  instruction="(blank = leave out)", **asker.io).unsafe_ask()
        text = " ".join(str(answer or "").split())
        if text:
            flow.meta[key] = race_date_text(text) if key == "date" else text


def _fits_meta(key: str) -> Any:
    """The answers file's limits for a typed name, checked in place (not at the next read)."""
    from crampdx.answers import meta_text
    from crampdx.errors import CrampdxError

    def validate(text: str) -> bool | str:
        try:
            meta_text(key, text, "<typed>")
        except CrampdxError as exc:
            return exc.message
        return True

    return validate


def race_date_text(text: str) -> str:
    from crampdx.history import race_date

    return race_date(text) or text
