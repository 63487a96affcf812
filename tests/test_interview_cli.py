"""`crampdx interview` around the prompts: refusing to start without a terminal, where the
answers are saved, atomic saving that survives a second Ctrl-C, and bad options."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crampdx import api
from crampdx.cli_interview import (
    answers_text,
    choose_save_path,
    load_progress,
    save_or_show,
    write_atomically,
)
from crampdx.errors import CrampdxError
from crampdx.interview import Interview

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_KB = ROOT / "tests" / "fixtures" / "interview" / "kb"
CRAMPDX = Path(sys.executable).parent / "crampdx"


@pytest.fixture
def fixture_kb(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRAMPDX_SHIPPED_KB", str(FIXTURE_KB))
    monkeypatch.delenv("CRAMPDX_KB", raising=False)
    return FIXTURE_KB


@pytest.fixture
def terminal_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend stdin is a terminal, for errors that must come before the first question."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())


def _env() -> dict[str, str]:
    env = dict(os.environ, CRAMPDX_SHIPPED_KB=str(FIXTURE_KB))
    env.pop("CRAMPDX_KB", None)
    return env


def test_without_a_terminal_it_points_to_debrief(tmp_path: Path) -> None:
    """stdin not a TTY: one line on stderr naming 'crampdx debrief FILE', exit 2, nothing
    saved, no traceback."""
    result = subprocess.run([str(CRAMPDX), "interview"], stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, cwd=tmp_path, env=_env(),
                            timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("crampdx: error: the interview needs a terminal")
    assert "crampdx debrief FILE" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_plain_crampdx_without_a_terminal_prints_help(tmp_path: Path) -> None:
    """No command and no terminal (a pipe, a script): the help, exit 0, never a prompt."""
    result = subprocess.run([str(CRAMPDX)], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, cwd=tmp_path, env=_env(), timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: crampdx")
    assert "interview" in result.stdout


def test_interview_help_explains_the_keys(run_cli) -> None:  # type: ignore[no-untyped-def]
    """`crampdx interview --help` says how to answer, skip, go back, ask why and resume."""
    status, out, _ = run_cli("interview", "--help")
    assert status == 0
    for words in ("--resume", "--answers", "--save", "--format", "--output", "--kb",
                  "Don't know", "'?'", "'<'", "Ctrl-C"):
        assert words in out


def test_bad_prefill_file_fails_before_any_question(run_cli, fixture_kb, terminal_stdin,
                                                    write) -> None:  # type: ignore[no-untyped-def]
    """A wrong answer in --answers is reported with file:line, exit 2, before any prompt."""
    bad = write("coach.yaml", "fainted: no\nonset_km: 28 parsecs\n")
    status, out, err = run_cli("interview", "--answers", str(bad))
    assert status == 2
    assert err.startswith(f"crampdx: error: {bad}:2:1: onset_km: unknown unit 'parsecs'")
    assert "Traceback" not in err and out == ""


def test_unsaveable_path_fails_before_any_question(run_cli, fixture_kb, terminal_stdin,
                                                   tmp_path: Path) -> None:  # type: ignore
    """--save into a missing directory or onto a directory is refused up front."""
    status, _, err = run_cli("interview", "--save", str(tmp_path / "nope" / "a.yaml"))
    assert status == 2 and "no such directory" in err
    status, _, err = run_cli("interview", "--save", str(tmp_path))
    assert status == 2 and "is a directory" in err


def test_missing_resume_file(run_cli, fixture_kb, terminal_stdin,
                             tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--resume of a file that is not there: one line, exit 2."""
    status, _, err = run_cli("interview", "--resume", str(tmp_path / "gone.yaml"))
    assert status == 2
    assert err == f"crampdx: error: {tmp_path / 'gone.yaml'}: no such answers file\n"


def test_default_save_name_never_overwrites(tmp_path: Path) -> None:
    """crampdx-answers-YYYYMMDD-HHMM.yaml in the current directory, numbered if taken."""
    now = dt.datetime(2025, 6, 1, 14, 12)
    first = choose_save_path(None, None, now=now, directory=tmp_path)
    assert first == tmp_path / "crampdx-answers-20250601-1412.yaml"
    first.write_text("{}\n")
    second = choose_save_path(None, None, now=now, directory=tmp_path)
    assert second == tmp_path / "crampdx-answers-20250601-1412-2.yaml"


def test_save_path_follows_save_then_resume(tmp_path: Path) -> None:
    """--save wins; otherwise a resumed interview saves back into its own file."""
    resumed = tmp_path / "race.yaml"
    assert choose_save_path(None, str(resumed)) == resumed
    assert choose_save_path(str(tmp_path / "new.yaml"), str(resumed)) == tmp_path / "new.yaml"


def test_save_ignores_a_second_ctrl_c(tmp_path: Path) -> None:
    """A Ctrl-C arriving while the answers are written is ignored: the whole file lands, no
    temporary is left, and Ctrl-C works again afterwards."""
    # Python's own Ctrl-C handler, even when pytest runs as a background job (`pytest &`,
    # nohup): the shell starts those with Ctrl-C ignored, and nothing would be raised
    outer = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        target = tmp_path / "answers.yaml"
        before = signal.getsignal(signal.SIGINT)
        write_atomically(target, "fainted: false\n",
                         _while_writing=lambda: signal.raise_signal(signal.SIGINT))
        assert target.read_text() == "fainted: false\n"
        assert [p.name for p in tmp_path.iterdir()] == ["answers.yaml"]
        assert signal.getsignal(signal.SIGINT) is before
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, outer)


def test_save_replaces_the_old_file_whole(tmp_path: Path) -> None:
    """Saving over an earlier save replaces it in one step (rename), never appends."""
    target = tmp_path / "answers.yaml"
    target.write_text("old: true\n")
    write_atomically(target, "fainted: true\n")
    assert target.read_text() == "fainted: true\n"


def test_failed_save_shows_the_answers(fixture_kb, tmp_path: Path) -> None:  # type: ignore
    """If the file cannot be written, the answers are printed so they are not lost, and the
    error is a CrampdxError (one line, exit 2)."""
    reasoner = api.reasoner()
    flow = Interview(reasoner)
    flow.answer("fainted", False)
    blocked = tmp_path / "answers.yaml"
    blocked.mkdir()
    screen = io.StringIO()
    from rich.console import Console

    with pytest.raises(CrampdxError, match="cannot save the answers"):
        save_or_show(blocked, flow, Console(file=screen, width=100), complete=False)
    assert "fainted: false" in screen.getvalue()


def test_saved_file_resumes_and_debriefs(fixture_kb, tmp_path: Path,
                                         run_cli) -> None:  # type: ignore[no-untyped-def]
    """The saved file reads back as answers plus "don't know", and `crampdx debrief` accepts
    it as it is."""
    reasoner = api.reasoner()
    flow = Interview(reasoner)
    flow.answer("symptoms", ("nausea",))
    flow.answer("fainted", None)
    flow.answer("temperature_c", 29.0)
    path = tmp_path / "saved.yaml"
    write_atomically(path, answers_text(flow, path, complete=False))
    text = path.read_text()
    assert "stopped after 3 questions" in text and "fainted: don't know" in text
    answers, skipped = load_progress(path, reasoner.kb)
    assert answers.values == {"symptoms": ("nausea",), "temperature_c": 29.0}
    assert skipped == ["fainted"]
    status, out, err = run_cli("debrief", str(path))
    assert status == 0, err
    assert "2 of 17 questions answered; 1 answered \"don't know\"" in out


def test_report_options_are_debriefs() -> None:
    """--format, --output, --weeks and --next-race mean what they mean for debrief: the same
    choices, passed on to it. Fails if debrief grows an option the interview lacks."""
    from crampdx.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    options = {}
    for name in ("debrief", "interview"):
        options[name] = {a.dest: a.choices for a in commands.choices[name]._actions
                         if a.option_strings and a.dest not in ("help",)}
    interview_only = {"save", "resume", "answers"}
    debrief_only = {"summary"}  # one interview is one runner: no squad table
    assert {k: v for k, v in options["interview"].items() if k not in interview_only} == \
        {k: v for k, v in options["debrief"].items() if k not in debrief_only}


def test_bad_report_option_fails_before_any_question(run_cli, fixture_kb, terminal_stdin,
                                                     tmp_path: Path) -> None:  # type: ignore
    """A wrong --weeks, a missing --next-race file or an --output directory: one line, exit 2,
    before the runner has answered anything."""
    status, out, err = run_cli("interview", "--weeks", "soon")
    assert status == 2 and "--weeks takes a whole number" in err and out == ""
    status, _, err = run_cli("interview", "--next-race", str(tmp_path / "none.yaml"))
    assert status == 2 and "no such next-race file" in err
    status, _, err = run_cli("interview", "--output", str(tmp_path))
    assert status == 2 and "is a directory" in err


@pytest.mark.parametrize("weeks", ["0", "53", "-3"])
def test_weeks_out_of_range_fails_before_any_question(run_cli, fixture_kb, terminal_stdin,
                                                      tmp_path: Path, monkeypatch,
                                                      weeks: str) -> None:  # type: ignore
    """--weeks outside the plan's 1 to 52 is refused in one line, exit 2, before the first
    question (not after the runner has answered them all)."""
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli("interview", "--weeks", weeks)
    assert status == 2 and out == ""
    assert err == ("crampdx: error: weeks to the next race must be a whole number from 1 to "
                   f"52, not {weeks}\n")
    assert list(tmp_path.iterdir()) == []


def test_report_into_a_missing_directory_fails_before_any_question(
        run_cli, fixture_kb, terminal_stdin, tmp_path: Path, monkeypatch) -> None:  # type: ignore
    """-o into a directory that does not exist (or under a file) is refused in one line, exit
    2, before the first question."""
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "nonexistent" / "dir" / "r.html"
    status, out, err = run_cli("interview", "-f", "html", "-o", str(missing))
    assert status == 2 and out == ""
    assert err == (f"crampdx: error: {missing.parent}: cannot write the report here: no such "
                   "directory\n")
    (tmp_path / "notes.txt").write_text("x")
    status, _, err = run_cli("interview", "-o", str(tmp_path / "notes.txt" / "r.md"))
    assert status == 2 and err.count("\n") == 1 and "no such directory" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_report_that_fails_at_the_end_says_where_the_answers_are(
        run_cli, fixture_kb, terminal_stdin, tmp_path: Path, monkeypatch) -> None:  # type: ignore
    """If the report still cannot be written after the questions (its directory went away
    meanwhile), the one-line error says where the answers were saved and how to get the
    report from them."""
    from crampdx import interview

    folder = tmp_path / "out"
    folder.mkdir()
    saved = tmp_path / "race.yaml"

    def answer_then_lose_the_folder(flow: Interview, asker: object,
                                    **_: object) -> interview.Outcome:
        flow.answer("fainted", False)
        folder.rmdir()
        return interview.Outcome()

    monkeypatch.setattr(interview, "run", answer_then_lose_the_folder)
    status, out, err = run_cli("interview", "--save", str(saved), "-o", str(folder / "r.md"))
    assert status == 2
    assert "fainted: false" in saved.read_text(encoding="utf-8")
    assert err.count("\n") == 1 and err.startswith("crampdx: error: ")
    assert "cannot write the report" in err
    assert f"your answers are saved in {saved}" in err
    assert f"crampdx debrief {saved}" in err


def test_explain_is_passed_on_to_the_report(fixture_kb) -> None:  # type: ignore[no-untyped-def]
    """`crampdx interview --explain` ends in the expert's view, as `debrief --explain` does."""
    import argparse

    from crampdx import api
    from crampdx.cli_interview import _report_arguments

    args = argparse.Namespace(format=None, output=None, weeks=None, next_race=None, kb=[],
                              db=None, units=None, record=False, explain=True)
    assert _report_arguments(args, api.knowledge()).explain is True
    args.explain = False
    assert _report_arguments(args, api.knowledge()).explain is False
